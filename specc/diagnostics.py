"""Diagnostics: stable codes, precise spans, rustc-style rendering, JSON.

Every diagnostic the compiler can produce has a code registered in ``CODES``
with a one-line summary; the README's table of codes is generated from it and
``tests/test_diagnostics.py`` holds a failing fixture for each.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence

from attrs import field, frozen

from .ir import Span

ERROR = "error"
WARNING = "warning"

# code -> (severity, summary)
CODES: dict[str, tuple[str, str]] = {
    # syntax and files
    "E001": (ERROR, "syntax error: unexpected token"),
    "E002": (ERROR, "syntax error: unexpected character, unterminated string or decimal for a whole number"),
    "E003": (ERROR, "cannot read a source file or an imported file, or it is not UTF-8"),
    "E004": (ERROR, "import cycle"),
    "E005": (ERROR, "a value has the wrong form (number, date, level, keyword)"),
    "E006": (ERROR, "a field is given twice"),
    "E007": (ERROR, "a required field is missing"),
    # names
    "E010": (ERROR, "duplicate id"),
    "E011": (ERROR, "unknown unit or group"),
    "E012": (ERROR, "unknown requirement set"),
    "E013": (ERROR, "unknown evidence method"),
    "E014": (ERROR, "unknown environment, evidence kind or outcome kind"),
    "E015": (ERROR, "unknown `different` name (neither built in nor declared by the document)"),
    # numbering
    "E020": (ERROR, "criterion reference does not belong to its outcome"),
    "W021": (WARNING, "gap in outcome, criterion or requirement numbering"),
    "W022": (WARNING, "duplicate outcome, criterion or requirement number"),
    # references from descriptive material
    "W030": (WARNING, "evidence guide names a criterion or outcome that does not exist"),
    "W031": (WARNING, "guidance names a criterion that does not exist"),
    "W032": (WARNING, "reuse link names a unit or criterion that does not exist or itself, or is for a criterion its row does not name"),
    "W033": (WARNING, "criterion not covered by any evidence-guide row"),
    "W035": (WARNING, "a row's `reuse units` lead-in or `see` link names a unit or criterion that does not exist"),
    # rules of combination
    "E040": (ERROR, "rules of combination cannot be satisfied"),
    "E041": (ERROR, "barred pair names a unit with itself"),
    "E042": (ERROR, "a mandatory unit is barred with another mandatory unit"),
    "W043": (WARNING, "declared GLH, TQT or credit value matches no valid route"),
    "E044": (ERROR, "qualification has no rules of combination"),
    # ranges and demands
    "E050": (ERROR, "range asks for more items than it lists (k > n)"),
    "W051": (WARNING, "range item letters out of sequence"),
    "E052": (ERROR, "count must be at least 1"),
    "E053": (ERROR, "a demand's `of which` count is greater than the demand's count"),
    "E054": (ERROR, "the alternatives of an either/or demand ask for different numbers of items"),
    # glossary, history, text
    "W060": (WARNING, "command verb missing from the glossary"),
    "W061": (WARNING, "version history out of date order"),
    "W062": (WARNING, "the same long text appears in two places"),
    "W063": (WARNING, "a source file is not part of any spec"),
}


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
        if self.code in CODES:
            return CODES[self.code][0]
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

    def line(self, name: str, n: int) -> str | None:
        lines = self._texts.get(name)
        if lines is None or not (1 <= n <= len(lines)):
            return None
        return lines[n - 1]


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
    out = [paint(f"{sev}[{diag.code}]", head_color) + paint(f": {diag.message}", "1")]
    span = diag.span
    if span and span.line > 0:
        src = sources.line(span.file, span.line)
        gutter = " " * len(str(span.line))
        out.append(f"{gutter}{paint('-->', '1;34')} {span.file}:{span.line}:{span.col}")
        if src is not None:
            src = src.replace("\t", " ")
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
        out.append(f" --> {span.file}")
    gutter = " " * (len(str(span.line)) if span and span.line > 0 else 1)
    for note in diag.notes:
        out.append(f"{gutter} = note: {note}")
    if diag.help:
        out.append(f"{gutter} = {paint('help', '1')}: {diag.help}")
    if diag.source:
        out.append(f"{gutter} = note: reported by plugin `{diag.source}`")
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
