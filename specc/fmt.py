"""The canonical formatter: ``specc fmt``.

Prints the concrete syntax tree one statement a line, two spaces an indent
level, text blocks re-indented under their statement, single blank lines kept
where the author had them.  A comment on a line of its own stays on a line of
its own just before the statement that followed it; a trailing comment (after
code on its line) stays at the end of the line that code is printed on, two
spaces after it.  (When several source lines with trailing comments join into
one printed line, all but the last go on lines of their own just above it.)
A UTF-8 byte-order mark is dropped.  The output parses to the same IR as the
input, and formatting twice changes nothing.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import functools
import os
import re
import secrets
import stat
from pathlib import Path

from lark import Lark, Token, Tree

from .diagnostics import Diagnostic
from .syntax import GRAMMAR, STATEMENTS, long_quote, parse, strip_bom, unquote

INDENT = "  "


class _Comments:
    def __init__(self) -> None:
        self.items: list[Token] = []

    def __call__(self, tok: Token) -> Token:
        self.items.append(tok)
        return tok


@functools.lru_cache(maxsize=1)
def _cst_parser() -> tuple[Lark, _Comments]:
    comments = _Comments()
    p = Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        keep_all_tokens=True,
        lexer_callbacks={"COMMENT": comments},
    )
    return p, comments


def _first_line(node) -> int:
    if isinstance(node, Token):
        return node.line
    return node.meta.line


def _last_line(node) -> int:
    if isinstance(node, Token):
        return node.end_line
    return node.meta.end_line


def _split_comments(tree: Tree, comments: list[Token]) -> tuple[list[Token], dict[int, Token]]:
    """Own-line comments, and trailing ones by the start offset of the token
    they follow on their line."""
    tokens = sorted((t for t in tree.scan_values(lambda v: isinstance(v, Token))), key=lambda t: t.end_pos)
    ends = [t.end_pos for t in tokens]
    own: list[Token] = []
    trailing: dict[int, Token] = {}
    for c in comments:
        i = bisect.bisect_right(ends, c.start_pos) - 1
        if i >= 0 and tokens[i].end_line == c.line:
            trailing[tokens[i].start_pos] = c
        else:
            own.append(c)
    return own, trailing


class Printer:
    def __init__(self, comments: list[Token], trailing: dict[int, Token] | None = None):
        self.comments = sorted(comments, key=lambda t: (t.line, t.column))
        self.ci = 0
        self.lines: list[str] = []
        self.trailing = trailing or {}
        self.pending: list[Token] = []  # trailing comments of the line being built

    def note(self, tok: Token) -> None:
        """``tok`` is printed on the line being built: take its trailing comment."""
        c = self.trailing.get(tok.start_pos)
        if c is not None:
            self.pending.append(c)

    def emit(self, text: str, indent: str) -> None:
        """Append a printed line with the trailing comment of its last source
        line; the others (and own-line comments among its source lines) go
        on lines of their own just above it, in source order."""
        if self.pending:
            last = self.pending[-1]
            above = list(self.pending[:-1])
            while self.ci < len(self.comments) and self.comments[self.ci].line < last.line:
                above.append(self.comments[self.ci])
                self.ci += 1
            for c in sorted(above, key=lambda t: t.start_pos):
                self.lines.append(indent + str(c).rstrip())
            text += "  " + str(last).rstrip()
            self.pending = []
        self.lines.append(text)

    def flush_comments(self, before_line: int | None, indent: str) -> bool:
        """Emit comments that stand before ``before_line``; return whether any."""
        any_ = False
        while self.ci < len(self.comments) and (before_line is None or self.comments[self.ci].line < before_line):
            self.lines.append(indent + str(self.comments[self.ci]).rstrip())
            self.ci += 1
            any_ = True
        return any_

    def statements(self, nodes: list, depth: int, top: bool = False) -> None:
        indent = INDENT * depth
        prev_end: int | None = None
        prev_kind: str | None = None
        for node in nodes:
            start = _first_line(node)
            # leading comments; where they start decides the blank line
            first_comment = self.comments[self.ci].line if self.ci < len(self.comments) and self.comments[self.ci].line < start else start
            blank = False
            if prev_end is not None:
                if top:
                    blank = not (prev_kind == node.data == "import_decl") or first_comment > prev_end + 1
                else:
                    blank = first_comment > prev_end + 1
            if blank:
                self.lines.append("")
            self.flush_comments(start, indent)
            self.statement(node, depth)
            prev_end = _last_line(node)
            prev_kind = node.data

    def statement(self, node: Tree, depth: int) -> None:
        indent = INDENT * depth
        parts: list[str] = []
        children = list(node.children)
        i = 0
        line = indent
        while i < len(children):
            ch = children[i]
            if isinstance(ch, Token) and ch.type == "LBRACE":
                inner = []
                j = i + 1
                while not (isinstance(children[j], Token) and children[j].type == "RBRACE"):
                    inner.append(children[j])
                    j += 1
                close = children[j]
                self.note(ch)
                stmts = [x for x in inner if isinstance(x, Tree) and x.data in STATEMENTS]
                if not inner:
                    self.note(close)
                    parts.append("{}")
                elif not stmts:
                    parts.append("{ " + _join([self.flat(x) for x in inner]) + " }")
                    self.note(close)
                else:
                    parts.append("{")
                    self.emit(line + _join(parts), indent)
                    parts = []
                    self.statements(stmts, depth + 1)
                    self.flush_comments(close.line, indent + INDENT)
                    line = indent
                    self.note(close)
                    parts.append("}")
                i = j + 1
                continue
            parts.append(self.flat(ch, depth))
            i += 1
        self.emit(line + _join(parts), indent)

    def flat(self, node, depth: int = 0) -> str:
        if isinstance(node, Token):
            self.note(node)
            if node.type == "LONG_STRING":
                value = unquote(str(node))
                return long_quote(value, INDENT * (depth + 1), INDENT * depth)
            if node.type == "QUANT":
                return re.sub(r"\s+", " ", str(node))
            return str(node)
        return _join([self.flat(c, depth) for c in node.children])


def _join(parts) -> str:
    """Tokens separated by one space, but none before a comma token (a comma
    inside a string is the string's own and is left alone)."""
    out = ""
    for p in parts:
        out += p if (p == "," or not out) else " " + p
    return out


def format_text(text: str, file: str = "<input>") -> tuple[str | None, list[Diagnostic]]:
    """Format a source text; returns (None, syntax errors) if it does not parse."""
    text = strip_bom(text)
    _tree, diags = parse(text, file)
    if diags:
        return None, diags
    p, comments = _cst_parser()
    comments.items = []
    tree = p.parse(text)
    own, trailing = _split_comments(tree, comments.items)
    printer = Printer(own, trailing)
    printer.statements(list(tree.children), 0, top=True)
    printer.flush_comments(None, "")
    out = "\n".join(printer.lines).rstrip("\n") + "\n"
    return out, []


def write_in_place(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically: a new temporary file next
    to it, created exclusively (``O_EXCL | O_NOFOLLOW``, random name: a
    planted file or link makes the attempt fail, never redirects it), with
    the original's permissions, then renamed over it.  A symbolic link is
    not rewritten (that would replace the link with a file)."""
    path = Path(path)
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise OSError(errno.ELOOP, "it is a symbolic link; format the file it points to")
    data = text.encode("utf-8")
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.fmt-tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), stat.S_IMODE(st.st_mode))
        except FileExistsError:
            continue
        break
    else:
        raise OSError(errno.EEXIST, "cannot create a temporary file")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
