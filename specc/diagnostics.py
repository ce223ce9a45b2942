"""Diagnostics: stable codes, precise spans, rustc-style rendering, JSON.

Every diagnostic the compiler can produce has a code registered in
:data:`specc.checks.CODES` with its severity and a one-line meaning; the
README's table of codes is generated from it and ``tests/test_diagnostics.py``
holds a failing fixture for each.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence

from attrs import field, frozen

from .ir import Span

ERROR = "error"
WARNING = "warning"


def __getattr__(name: str):
    """``CODES`` (code -> (severity, meaning)), kept for callers of the old
    table; the registry is :data:`specc.checks.CODES`."""
    if name == "CODES":
        from .checks import CODES

        return {k: (c.severity, c.meaning) for k, c in CODES.items()}
    raise AttributeError(name)


@frozen
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    help: str | None = None
    notes: tuple[str, ...] = field(default=(), converter=tuple)
    source: str | None = None  # plugin name for plugin-provided checks

    @property
    def severity(self) -> str:
        from .checks import CODES

        if self.code in CODES:
            return CODES[self.code].severity
        return ERROR if self.code.startswith("E") else WARNING

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.col, self.code) if s else ("", 0, 0, self.code)

    def to_json(self) -> dict:
        d = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }
        if self.span:
            d.update(
                file=self.span.file,
                line=self.span.line,
                column=self.span.col,
                end_line=self.span.end_line,
                end_column=self.span.end_col,
            )
        if self.help:
            d["help"] = self.help
        if self.notes:
            d["notes"] = list(self.notes)
        if self.source:
            d["source"] = self.source
        return d


class DiagnosticError(Exception):
    """Raised to stop a pipeline stage with diagnostics already collected."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__("\n".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``help`` text suggesting the closest candidate, if any is close."""
    cands = sorted(set(candidates))
    cutoff = 0.5 if len(word) <= 4 else 0.6
    match = difflib.get_close_matches(word, cands, n=1, cutoff=cutoff)
    if not match:
        lower = {c.lower(): c for c in cands}
        m2 = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=cutoff)
        match = [lower[m2[0]]] if m2 else []
    return f"did you mean `{match[0]}`?" if match else None


class SourceCache:
    """Source text by file name, for rendering the line under a diagnostic."""

    def __init__(self) -> None:
        self._texts: dict[str, list[str]] = {}

    def add(self, name: str, text: str) -> None:
        self._texts[name] = text.split("\n")

    def text(self, name: str) -> str | None:
        """The whole text of ``name`` as it was compiled."""
        lines = self._texts.get(name)
        return None if lines is None else "\n".join(lines)

    def line(self, name: str, n: int) -> str | None:
        lines = self._texts.get(name)
        if lines is None or not (1 <= n <= len(lines)):
            return None
        return lines[n - 1]


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, newlines: bool = True) -> str:
    """``text`` safe to print on a terminal: control characters (ESC, C1,
    NUL...) and bidirectional overrides become visible ``\\xNN`` /
    ``\\uNNNN`` escapes, so a spec, a file name or a portfolio cannot move
    the cursor, recolour, retitle the terminal or forge a line.  With
    ``newlines=False`` a line feed is escaped too.  Lone surrogates become
    ``\\udNNN``."""

    def esc(m: re.Match) -> str:
        c = ord(m.group())
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    out = _UNPRINTABLE.sub(esc, text)
    if not newlines:
        out = out.replace("\n", "\\n")
    if any("\ud800" <= ch <= "\udfff" for ch in out):
        out = "".join(f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in out)
    return out


def _source_line(src: str) -> str:
    """A source line for the caret display: one visible character per
    character (control pictures), so the caret stays under its column."""
    return _UNPRINTABLE.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else "\ufffd", src)


def render(diag: Diagnostic, sources: SourceCache, color: bool = False) -> str:
    """Render one diagnostic like rustc::

        error[E011]: unknown unit `0002` in rule
          --> specs/x.specc:12:15
           |
        12 |     mandatory 0002
           |               ^^^^ not declared
           = help: did you mean `002`?
    """

    def paint(s: str, code: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    sev = diag.severity
    head_color = "1;31" if sev == ERROR else "1;33"
    out = [paint(f"{sev}[{diag.code}]", head_color) + paint(f": {printable(diag.message, newlines=False)}", "1")]
    span = diag.span
    if span and span.line > 0:
        src = sources.line(span.file, span.line)
        gutter = " " * len(str(span.line))
        out.append(f"{gutter}{paint('-->', '1;34')} {printable(span.file, newlines=False)}:{span.line}:{span.col}")
        if src is not None:
            src = _source_line(src.replace("\t", " ").rstrip("\r"))
            if span.end_line == span.line and span.end_col > span.col:
                width = span.end_col - span.col
            else:
                width = max(1, len(src.rstrip()) - span.col + 1)
            width = max(1, min(width, max(1, len(src) - span.col + 1)))
            bar = paint("|", "1;34")
            out.append(f"{gutter} {bar}")
            out.append(f"{paint(str(span.line), '1;34')} {bar} {src}")
            out.append(f"{gutter} {bar} {' ' * (span.col - 1)}{paint('^' * width, head_color)}")
    elif span:
        out.append(f" --> {printable(span.file, newlines=False)}")
    gutter = " " * (len(str(span.line)) if span and span.line > 0 else 1)
    for note in diag.notes:
        out.append(f"{gutter} = note: {printable(note, newlines=False)}")
    if diag.help:
        out.append(f"{gutter} = {paint('help', '1')}: {printable(diag.help, newlines=False)}")
    if diag.source:
        out.append(f"{gutter} = note: reported by plugin `{printable(diag.source, newlines=False)}`")
    return "\n".join(out)


def summary(diags: Sequence[Diagnostic]) -> str:
    e = sum(1 for d in diags if d.is_error)
    w = len(diags) - e
    parts = []
    if e:
        parts.append(f"{e} error{'s' if e != 1 else ''}")
    if w:
        parts.append(f"{w} warning{'s' if w != 1 else ''}")
    return ", ".join(parts) if parts else "no problems"


def to_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=False)
