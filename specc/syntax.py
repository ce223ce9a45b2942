"""Parsing: the lark LALR parser, error recovery and friendly syntax errors."""

from __future__ import annotations

import contextlib
import functools
import re
import textwrap
from pathlib import Path

import importlib.resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic, did_you_mean
from .ir import Span

# grammars/ in the source tree installs as the package data of specc.grammars
GRAMMAR = Path(str(importlib.resources.files("specc.grammars").joinpath("specc.lark")))

# Friendly names for terminals in "expected ..." messages.
TERMINAL_NAMES = {
    "NAME": "a name",
    "QNAME": "a qualified name",
    "REF": "a criterion reference like 1.2",
    "NUMBER": "a number",
    "STRING": 'a "string"',
    "LONG_STRING": 'a """text block"""',
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "QUANT": "`at least`, `at most` or `exactly`",
    "$END": "the end of the file",
}


@functools.cache
def parser(keep_all_tokens: bool = False) -> Lark:
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        keep_all_tokens=keep_all_tokens,
        cache=True,
    )


def _expansions() -> dict[str, list[list]]:
    """Rule name -> the symbol lists of its alternatives, as lark compiled
    the grammar (``x*`` and ``(...)?`` become helper rules named ``__...``)."""
    out: dict[str, list[list]] = {}
    for r in parser().rules:
        out.setdefault(r.origin.name, []).append(list(r.expansion))
    return out


def _visible(seeds, exps: dict[str, list[list]]) -> frozenset[str]:
    """The rules that make tree nodes, reached from ``seeds`` through rules
    that do not: inlined ``_rules``, lark's helpers and ``?rules``."""
    inlined = {r.origin.name for r in parser().rules if r.origin.name.startswith("_") or (r.options and r.options.expand1)}
    out, seen, todo = set(), set(), list(seeds)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in inlined:
            todo.extend(s.name for exp in exps.get(n, ()) for s in exp if not s.is_term)
        else:
            out.add(n)
    return frozenset(out)


@functools.cache
def statements() -> frozenset[str]:
    """Rules the formatter prints on a line of their own, read from the
    grammar: the top-level declarations and every rule that can stand
    between a block's ``{`` and ``}`` (not clauses inside a line, such as
    ``demand_by`` or ``reuse_for``)."""
    exps = _expansions()
    seeds = [s.name for exp in exps["start"] for s in exp]
    for alts in exps.values():
        for exp in alts:
            names = [s.name for s in exp]
            if "LBRACE" in names and "RBRACE" in names:
                i, j = names.index("LBRACE"), len(names) - 1 - names[::-1].index("RBRACE")
                seeds.extend(s.name for s in exp[i + 1 : j] if not s.is_term)
    return _visible(seeds, exps)


@functools.cache
def top_level() -> re.Pattern:
    """A line that starts a top-level declaration: its first keyword, for
    every declaration ``start`` can hold."""
    exps = _expansions()
    kw = keywords()
    decls = _visible([s.name for exp in exps["start"] for s in exp], exps)
    first = sorted({kw[exp[0].name] for d in decls for exp in exps[d] if exp and exp[0].name in kw})
    return re.compile(r"^(" + "|".join(map(re.escape, first)) + r")\b", re.MULTILINE)


def __getattr__(name: str):
    """``STATEMENTS`` and ``TOP_LEVEL``, derived from the grammar on first use."""
    if name == "STATEMENTS":
        return statements()
    if name == "TOP_LEVEL":
        return top_level()
    raise AttributeError(name)


def keywords() -> dict[str, str]:
    """Terminal name -> keyword text for every keyword of the grammar."""
    out = {}
    for t in parser().terminals:
        if t.pattern.type == "str" and re.fullmatch(r"[a-z_]+", t.pattern.value):
            out[t.name] = t.pattern.value
    return out


def span_of(meta_or_token, file: str) -> Span:
    m = meta_or_token
    if isinstance(m, Token):
        return Span(file, m.line or 0, m.column or 0, m.end_line or m.line or 0, m.end_column or m.column or 0)
    if getattr(m, "empty", False):
        return Span(file, 0, 0, 0, 0)
    return Span(file, m.line, m.column, m.end_line, m.end_column)


def _describe_expected(expected: set[str]) -> str:
    kw = keywords()
    names = []
    for e in sorted(expected):
        if e in kw:
            names.append(f"`{kw[e]}`")
        elif e in TERMINAL_NAMES:
            names.append(TERMINAL_NAMES[e])
        else:
            names.append(e.lower())
    names = sorted(set(names))
    if len(names) > 8:
        names = names[:8] + ["..."]
    return ", ".join(names)


@functools.cache
def _terminal(name: str) -> re.Pattern:
    """A terminal of grammars/specc.lark as a compiled regular expression (the
    grammar is the one home of what a string or a comment is)."""
    return re.compile(next(t.pattern.to_regexp() for t in parser().terminals if t.name == name))


SMART_QUOTES = "\u201c\u201d\u201e\u201f\u2018\u2019\u00ab\u00bb"


def unterminated_string(text: str) -> tuple[int, bool] | None:
    """The offset of the first string (or, flag True, long text) that is
    never closed, scanning as the lexer does (comments skipped); None if all are."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = _terminal("COMMENT").match(text, i).end()
        elif c == '"':
            if text.startswith('"""', i):
                m = _terminal("LONG_STRING").match(text, i)
                if m is None:
                    return i, True
            else:
                m = _terminal("STRING").match(text, i)
                if m is None:
                    return i, False
            i = m.end()
        else:
            i += 1
    return None


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _unterminated_diag(text: str, file: str, error_pos: int) -> Diagnostic | None:
    """E002 for an unclosed string at or before where parsing failed."""
    found = unterminated_string(text)
    if found is None or found[0] > error_pos:
        return None
    pos, long = found
    line, col = _line_col(text, pos)
    if long:
        return Diagnostic(
            "E002",
            'unterminated long text `"""`',
            Span(file, line, col, line, col + 3),
            help='close it with `"""` (the closing quotes usually stand on a line of their own)',
        )
    return Diagnostic(
        "E002",
        "unterminated string",
        Span(file, line, col, line, col + 1),
        help='close it with `"` on the same line, or use `"""..."""` for text over several lines',
    )


def _whole_number_diag(text: str, file: str, pos: int, line: int, col: int) -> Diagnostic | None:
    """`credits 1.5`: a number with a decimal point where a whole number is expected."""
    if not (text.startswith(".", pos) and text[pos + 1 : pos + 2].isdigit()):
        return None
    before = re.search(r"(?:^|[^\w.])(\d+)$", text[:pos])
    if before is None:
        return None
    start = pos - len(before.group(1))
    frac = re.match(r"\.\d+", text[pos:])
    end_col = col + frac.end()
    kw = re.search(r"(?<![\w.])([a-z_]+)[ \t]+$", text[:start])
    kws = set(keywords().values())
    if kw and kw.group(1) in kws:
        msg = f"`{kw.group(1)}` takes a whole number"
    else:
        msg = "a whole number is expected here"
    number = text[start : pos + frac.end()]
    return Diagnostic(
        "E002",
        msg,
        Span(file, line, col - (pos - start), line, end_col),
        help=f"`{number}` has a decimal point: counts, credits, hours and levels are whole numbers",
    )


def _syntax_diag(e: UnexpectedInput, file: str, text: str) -> Diagnostic:
    kw = keywords()
    pos = getattr(e, "pos_in_stream", None)
    if pos is None:
        pos = len(text)
        tok = getattr(e, "token", None)
        if isinstance(tok, Token) and tok.type != "$END" and tok.start_pos is not None:
            pos = tok.start_pos
    unterminated = _unterminated_diag(text, file, pos)
    if unterminated is not None:
        return unterminated
    if isinstance(e, UnexpectedCharacters):
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        span = Span(file, e.line, e.column, e.line, e.column + 1)
        whole = _whole_number_diag(text, file, e.pos_in_stream, e.line, e.column)
        if whole is not None:
            return whole
        help_ = None
        if ch == "'":
            help_ = 'strings use double quotes: "..."'
        elif ch and ch in SMART_QUOTES:
            help_ = 'use straight quotes `"`'
        elif ch in "/" and text[e.pos_in_stream : e.pos_in_stream + 2] == "//":
            help_ = "comments start with `#`"
        allowed = getattr(e, "allowed", None) or set()
        return Diagnostic(
            "E002",
            f"unexpected character `{ch}`",
            span,
            help=help_ or (f"expected {_describe_expected(set(allowed))}" if allowed else None),
        )
    if isinstance(e, UnexpectedEOF):
        lines = text.split("\n")
        span = Span(file, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 2)
        return Diagnostic(
            "E001",
            "unexpected end of file",
            span,
            help="a block is not closed: check that every `{` has its `}`",
        )
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    expected = set(e.expected)
    with contextlib.suppress(Exception):  # exact for this state (LALR merges lookaheads)
        expected = set(e.interactive_parser.accepts()) or expected
    if tok.type == "$END":
        lines = text.rstrip("\n").split("\n")
        span = Span(file, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 2)
        return Diagnostic(
            "E001",
            "unexpected end of file",
            span,
            help=f"expected {_describe_expected(expected)}; is a `}}` missing?",
        )
    span = Span(file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + len(tok))
    help_ = None
    expected_kw = [kw[x] for x in expected if x in kw]
    if tok.type in ("NAME", "QNAME") and expected_kw:
        help_ = did_you_mean(str(tok), expected_kw)
    if help_ is None:
        help_ = f"expected {_describe_expected(expected)}"
    shown = str(tok).split("\n")[0]
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return Diagnostic("E001", f"unexpected `{shown}`", span, help=help_)


def strip_bom(text: str) -> str:
    """A UTF-8 byte-order mark at the start is not part of the text (utf-8-sig)."""
    return text[1:] if text.startswith("\ufeff") else text


def parse(text: str, file: str, keep_all_tokens: bool = False) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse a source text.  Returns the tree (None if it has errors) and the
    syntax errors.

    To report every error without cascades, a file that fails to parse is cut
    into its top-level declarations (lines starting with a declaration keyword)
    and each piece is parsed on its own, padded with newlines so that lines and
    columns stay true; the first error of each piece is reported."""
    p = parser(keep_all_tokens)
    text = strip_bom(text)
    try:
        return p.parse(text), []
    except UnexpectedInput as e:
        whole = _syntax_diag(e, file, text)
    starts = [m.start() for m in top_level().finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    diags: list[Diagnostic] = []
    for a, b in zip(starts, starts[1:], strict=False):
        chunk = text[a:b]
        if not chunk.strip():
            continue
        padded = "\n" * text.count("\n", 0, a) + chunk
        try:
            p.parse(padded)
        except UnexpectedInput as e:
            diags.append(_syntax_diag(e, file, padded))
    return None, diags or [whole]


# --------------------------------------------------------------------------- strings


def unquote(tok: str) -> str:
    """The value of a STRING or LONG_STRING token."""
    if tok.startswith('"""'):
        body = tok[3:-3]
        body = re.sub(r"\\(.)", lambda m: m.group(1), body, flags=re.DOTALL)
        return normalise_text(body)
    body = tok[1:-1]

    def esc(m: re.Match) -> str:
        c = m.group(1)
        return {"n": "\n", "t": "\t"}.get(c, c)

    return re.sub(r"\\(.)", esc, body)


def normalise_text(body: str) -> str:
    """Dedent a text block, strip trailing spaces and surrounding blank lines."""
    lines = body.split("\n")
    if lines and not lines[0].strip():
        lines = lines[1:]
    body = textwrap.dedent("\n".join(line.rstrip() for line in lines))
    return body.strip("\n")


def quote(value: str) -> str:
    """A STRING token for ``value``; a LONG_STRING when it spans lines."""
    if "\n" in value:
        return long_quote(value, "")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def long_quote(value: str, indent: str, close_indent: str | None = None) -> str:
    """A LONG_STRING token whose lines are indented by ``indent`` and whose
    closing quotes stand at ``close_indent`` (default: ``indent``)."""
    # every quote of a run of three or more but the last two escaped: no
    # three unescaped quotes are left to close the token ("""" was \"""")
    body = re.sub(r'"{3,}', lambda m: '\\"' * (len(m[0]) - 2) + '""', value.replace("\\", "\\\\"))
    lines = [(indent + line) if line.strip() else "" for line in body.split("\n")]
    close = indent if close_indent is None else close_indent
    return '"""\n' + "\n".join(lines) + "\n" + close + '"""'
