"""The canonical formatter: ``specc fmt``.

Prints the concrete syntax tree one statement a line, two spaces an indent
level, text blocks re-indented under their statement, single blank lines kept
where the author had them, and every comment kept on a line of its own just
before the statement that followed it.  The output parses to the same IR as
the input, and formatting twice changes nothing.
"""

from __future__ import annotations

import functools
import re

from lark import Lark, Token, Tree

from .diagnostics import Diagnostic
from .syntax import GRAMMAR, STATEMENTS, long_quote, parse, unquote

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


class Printer:
    def __init__(self, comments: list[Token]):
        self.comments = sorted(comments, key=lambda t: (t.line, t.column))
        self.ci = 0
        self.lines: list[str] = []

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
                stmts = [x for x in inner if isinstance(x, Tree) and x.data in STATEMENTS]
                if not inner:
                    parts.append("{}")
                elif not stmts:
                    parts.append("{ " + _join(self.flat(x) for x in inner) + " }")
                else:
                    parts.append("{")
                    self.lines.append(line + self.join(parts, depth))
                    parts = []
                    self.statements(stmts, depth + 1)
                    self.flush_comments(close.line, indent + INDENT)
                    line = indent
                    parts.append("}")
                i = j + 1
                continue
            parts.append(self.flat(ch, depth))
            i += 1
        self.lines.append(line + self.join(parts, depth))

    def join(self, parts: list[str], depth: int) -> str:
        return _join(parts)

    def flat(self, node, depth: int = 0) -> str:
        if isinstance(node, Token):
            if node.type == "LONG_STRING":
                value = unquote(str(node))
                return long_quote(value, INDENT * (depth + 1), INDENT * depth)
            if node.type == "QUANT":
                return re.sub(r"\s+", " ", str(node))
            return str(node)
        return _join(self.flat(c, depth) for c in node.children)


def _join(parts) -> str:
    """Tokens separated by one space, but none before a comma token (a comma
    inside a string is the string's own and is left alone)."""
    out = ""
    for p in parts:
        out += p if (p == "," or not out) else " " + p
    return out


def format_text(text: str, file: str = "<input>") -> tuple[str | None, list[Diagnostic]]:
    """Format a source text; returns (None, syntax errors) if it does not parse."""
    _tree, diags = parse(text, file)
    if diags:
        return None, diags
    p, comments = _cst_parser()
    comments.items = []
    tree = p.parse(text)
    printer = Printer(comments.items)
    printer.statements(list(tree.children), 0, top=True)
    printer.flush_comments(None, "")
    out = "\n".join(printer.lines).rstrip("\n") + "\n"
    return out, []
