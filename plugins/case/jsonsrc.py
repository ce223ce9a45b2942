"""Reading an untrusted JSON file with positions for diagnostics.

``json`` parses; ``json_source_map`` says where each value is, so a
diagnostic can point at ``file:line:col`` of the offending value.  Before
either runs, the file's size and nesting depth are checked (both parsers
recurse), so a hostile file gets a diagnostic, never a ``RecursionError``.
"""

from __future__ import annotations

import json
import re

from specc.diagnostics import Diagnostic, SourceCache
from specc.ir import Span

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64  # a CFPackage is 5 deep; anything near this is not one
MAX_SHOWN_LINE = 240  # longer source lines (minified JSON) are not printed under a diagnostic

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonError(Exception):
    def __init__(self, diag: Diagnostic):
        super().__init__(diag.message)
        self.diag = diag


class Sources(SourceCache):
    """A source cache that leaves out very long lines (a minified package is
    one line of megabytes)."""

    def line(self, name: str, n: int) -> str | None:
        got = super().line(name, n)
        return None if got is None or len(got) > MAX_SHOWN_LINE else got


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


class JsonFile:
    """A parsed JSON file: ``data`` and the span of any value by its path."""

    def __init__(self, name: str, raw: bytes):
        self.name = name
        if len(raw) > MAX_BYTES:
            raise JsonError(Diagnostic("EC01", f"{name} is {len(raw):,} bytes; the limit is {MAX_BYTES:,}", Span(name, 0, 0, 0, 0), help="split the framework into several packages"))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
            raise JsonError(Diagnostic("EC01", f"{name} is not UTF-8 (byte 0x{raw[e.start]:02x})", Span(name, line, col, line, col + 1), help="CASE JSON is UTF-8")) from None
        self.text = text
        self.sources = Sources()
        self.sources.add(name, text)
        self._depth_check()
        try:
            self.data = json.loads(text, parse_constant=self._constant)
        except json.JSONDecodeError as e:
            raise JsonError(Diagnostic("EC02", f"not JSON: {e.msg}", Span(name, e.lineno, e.colno, e.lineno, e.colno + 1), help="the file must be one JSON object (a CFPackage)")) from None
        except ValueError as e:
            line, col = getattr(e, "where", (0, 0))
            raise JsonError(Diagnostic("EC02", f"not JSON: {e}", Span(name, line, col, line, col + 1))) from None
        self._map_cache: dict | None = None

    @property
    def _map(self) -> dict:
        """JSON pointer -> positions, computed on the first diagnostic (a
        clean import of a large package never pays for it)."""
        if self._map_cache is None:
            from json_source_map import calculate

            self._map_cache = calculate(self.text) if self.text.strip() else {}
        return self._map_cache

    def _constant(self, name: str):
        raise ValueError(f"`{name}` is not a JSON number")

    def _depth_check(self) -> None:
        depth = 0
        for m in _TOKENS.finditer(self.text):
            c = m.group(0)
            if c in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _line_col(self.text, m.start())
                    raise JsonError(
                        Diagnostic(
                            "EC03",
                            f"JSON nested more than {MAX_DEPTH} levels deep",
                            Span(self.name, line, col, line, col + 1),
                            help="a CFPackage is a few levels deep; this is not one",
                        )
                    )
            elif c in "]}":
                depth -= 1

    def span(self, path: tuple, key: bool = False) -> Span:
        """The span of the value at ``path`` (its key with ``key=True``);
        the nearest enclosing value that has one."""
        path = tuple(path)
        while True:
            entry = self._map.get("".join(f"/{p}" for p in path))
            if entry is not None:
                a, b = (entry.key_start, entry.key_end) if key and entry.key_start is not None else (entry.value_start, entry.value_end)
                if b.line != a.line:
                    return Span(self.name, a.line + 1, a.column + 1, a.line + 1, a.column + 2)
                return Span(self.name, a.line + 1, a.column + 1, b.line + 1, b.column + 1)
            if not path:
                return Span(self.name, 1, 1, 1, 2)
            path = path[:-1]
