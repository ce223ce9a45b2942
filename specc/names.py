"""Names that become file names or document properties, checked at check time.

Emitters turn ids into paths (``outputs/<document>/forms/<unit>.pdf``) and
put names into document properties (a DOCX title is at most 255
characters).  :mod:`specc.sink` makes every component safe whatever an id
says, so nothing escapes; this module makes the spec's author hear about a
name that would be mangled or refused, when they check the spec, rather than
at build time:

* E070: a Windows device name (``CON``, ``nul``, ``COM1``-``COM9``,
  ``LPT1``-``LPT9``, ...), an id or number longer than :data:`MAX_ID`
  characters, a body or document name longer than :data:`MAX_NAME`, or two ids
  of one kind that differ only in case (one file on macOS and Windows).
* E071: two specs whose document ids give the same output folder (equal, or
  equal ignoring case and unsafe characters), reported by
  :func:`document_collisions` for specs built together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import ir
from .diagnostics import Diagnostic
from .sink import is_reserved, safe_component

MAX_ID = 100
"""Longest id or number (document, qualification, unit, group, requirement set)."""
MAX_NAME = 250
"""Longest body name or document title (DOCX core properties take 255)."""


def _d(code: str, msg: str, span: ir.Span | None, help_: str) -> Diagnostic:
    return Diagnostic(code, msg, span, help=help_)


def check(spec: ir.Spec) -> list[Diagnostic]:
    """E070 for every name in ``spec`` that would not make a good file name."""
    out: list[Diagnostic] = []
    doc = spec.document
    kinds: list[tuple[str, Sequence[tuple[str, ir.Span | None]]]] = [
        ("document", [(doc.id, doc.span)]),
        ("qualification", [(q.id, q.span) for q in spec.qualifications]),
        ("unit", [(u.id, u.span) for u in spec.units]),
        ("group", [(g.id, g.span) for g in spec.groups]),
        ("requirement set", [(r.id, r.span) for r in spec.requirement_sets]),
    ]
    numbers = [(f"{q.id} number", q.number, q.span) for q in spec.qualifications if q.number]
    numbers += [(f"unit {u.id} number", u.number, u.span) for u in spec.units if u.number]
    for kind, name, span in numbers:
        if len(name) > MAX_ID:
            out.append(
                _d(
                    "E070",
                    f"{kind} `{name[:40]}...` is {len(name)} characters long",
                    span,
                    f"ids and numbers are at most {MAX_ID} characters",
                )
            )
    for kind, items in kinds:
        for name, span in items:
            if is_reserved(name):
                out.append(
                    _d(
                        "E070",
                        f"{kind} id `{name}` is a reserved device name on Windows",
                        span,
                        "choose another id: CON, PRN, AUX, NUL, COM0-9 and LPT0-9 cannot be file names",
                    )
                )
            if len(name) > MAX_ID:
                out.append(
                    _d(
                        "E070",
                        f"{kind} id `{name[:40]}...` is {len(name)} characters long",
                        span,
                        f"ids and numbers are at most {MAX_ID} characters",
                    )
                )
        out.extend(_case_collisions(kind, [(n, s) for n, s in items]))
    for what, text in (("body name", doc.body.name), ("document title", doc.title)):
        if len(text) > MAX_NAME:
            out.append(
                _d(
                    "E070",
                    f"the {what} is {len(text)} characters long",
                    doc.span,
                    f"a {what} is at most {MAX_NAME} characters (document properties)",
                )
            )
    return out


def _case_collisions(kind: str, items: Iterable[tuple[str, ir.Span | None]]) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    out = []
    for name, span in items:
        k = safe_component(name).casefold()
        first = seen.setdefault(k, name)
        if first != name:
            out.append(
                _d(
                    "E070",
                    f"{kind} id `{name}` and `{first}` give the same file name `{safe_component(name)}` on a case-insensitive file system",
                    span,
                    "ids that become file names must differ in more than case and punctuation",
                )
            )
    return out


def document_collisions(specs: Iterable[ir.Spec]) -> list[tuple[int, Diagnostic]]:
    """E071 for each spec whose output folder an earlier spec already uses,
    with the spec's index in ``specs``."""
    seen: dict[str, ir.Spec] = {}
    out = []
    for i, s in enumerate(specs):
        k = safe_component(s.document.id).casefold()
        first = seen.setdefault(k, s)
        if first is not s:
            where = first.document.span.file if first.document.span else "another spec"
            out.append(
                (
                    i,
                    _d(
                        "E071",
                        f"document `{s.document.id}` would be built into the same folder as document `{first.document.id}` ({where})",
                        s.document.span,
                        "give each spec its own document id (ids that differ only in case or punctuation share a folder)",
                    ),
                )
            )
    return out
