"""Semantic checks as passes, and the one registry of diagnostic codes.

A *check* is one function over a linked, solved :class:`specc.ir.Spec`::

    def run(spec: ir.Spec, ctx: Context) -> Iterable[Diagnostic]

registered as a :class:`Check` with the codes it reports (code, severity,
one-line meaning).  Built-in checks live in modules by topic (numbering,
evidence, rules, history, text) and are listed in :data:`BUILTIN`; a plugin
registers its own the same way through the ``specc_register_checks`` hook
(the older ``specc_checks(spec)`` hook, which returns diagnostics, still
works).  Codes that the parser, the lowering or the linker report (syntax,
files, names) are not passes but are registered here too, in
:mod:`specc.checks.stages`, so this is the one home of every code and its
meaning: ``CODES``, from which the README's table is generated
(``python scripts/codes_table.py``).

Adding a check: write the function in the module of its topic, add its
:class:`Check` to that module's ``CHECKS``, and a failing fixture
``tests/fixtures/diagnostics/CODE.specc``; then regenerate the README table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from attrs import field, frozen

from ..diagnostics import ERROR, WARNING, Diagnostic, SourceCache
from ..ir import Span

__all__ = ["ERROR", "WARNING", "Check", "Code", "Context", "BUILTIN", "CODES", "run", "readme_table"]


@frozen
class Code:
    """A diagnostic code, its severity and its one-line meaning (the README's table)."""

    code: str
    severity: str
    meaning: str

    def __attrs_post_init__(self) -> None:
        if not re.fullmatch(r"[EW]\d{3}", self.code):
            raise ValueError(f"diagnostic code {self.code!r} is a letter E or W and three digits")
        if self.severity != (ERROR if self.code[0] == "E" else WARNING):
            # the letter is the severity, so a plugin's code reads right even
            # where the registry is not at hand
            raise ValueError(f"{self.code} is {'an error' if self.code[0] == 'E' else 'a warning'}, not {self.severity!r}")


def error(code: str, meaning: str) -> Code:
    return Code(code, ERROR, meaning)


def warning(code: str, meaning: str) -> Code:
    return Code(code, WARNING, meaning)


@frozen
class Check:
    """One semantic check: ``run(spec, ctx)`` yields diagnostics whose codes are in ``codes``."""

    name: str
    codes: tuple[Code, ...] = field(converter=tuple)
    run: Callable[..., Iterable[Diagnostic]] = field(eq=False, repr=False)
    plugin: str = field(default="", eq=False)


@frozen
class Context:
    """What a check may need beyond the spec: the source text (to underline
    one word of a span) and two facts the linker found."""

    sources: SourceCache = field(eq=False)
    # requirement sets that belong to another spec (imported under an alias
    # from a file with its own document): that spec checks them
    foreign_sets: frozenset[str] = frozenset()
    # qualifications the solver did not solve, and why (their rules name
    # unknown units, or units declared twice): rules checks skip them
    unsolved: frozenset[str] = frozenset()

    def narrow(self, span: Span, word: str | None) -> Span:
        """The span of ``word`` inside ``span`` (for precise underlines)."""
        if word is None:
            return span
        for ln in range(span.line, span.end_line + 1):
            text = self.sources.line(span.file, ln)
            if text is None:
                continue
            start = span.col - 1 if ln == span.line else 0
            m = re.search(r"(?<![\w.])" + re.escape(word) + r"(?![\w])", text[start:])
            if m:
                c = start + m.start() + 1
                return Span(span.file, ln, c, ln, c + len(word))
        return span

    def diag(self, code: str, message: str, span: Span | None, help: str | None = None, word: str | None = None, notes=()) -> Diagnostic:
        """A diagnostic whose span is narrowed to ``word`` when given."""
        if span is not None:
            span = self.narrow(span, word)
        return Diagnostic(code, message, span, help=help, notes=notes)


def _builtin() -> tuple[Check, ...]:
    from . import evidence, history, numbering, rules, text

    return numbering.CHECKS + evidence.CHECKS + text.CHECKS + history.CHECKS + rules.CHECKS


def _number(code: str) -> tuple[int, str]:
    return int(code[1:]), code


def _codes() -> dict[str, Code]:
    from .stages import STAGE_CODES

    out: dict[str, Code] = {}
    for c in list(STAGE_CODES) + [c for ch in BUILTIN for c in ch.codes]:
        if c.code in out and out[c.code] != c:
            raise ValueError(f"diagnostic code {c.code} is registered twice with different meanings")
        out[c.code] = c
    return dict(sorted(out.items(), key=lambda kv: _number(kv[0])))


BUILTIN: tuple[Check, ...] = _builtin()
CODES: dict[str, Code] = _codes()


def run(spec, ctx: Context, checks: Iterable[Check] = BUILTIN) -> list[Diagnostic]:
    """Run ``checks`` over ``spec`` in order; each check's diagnostics must
    carry one of its registered codes."""
    out: list[Diagnostic] = []
    for ch in checks:
        allowed = {c.code for c in ch.codes}
        for d in ch.run(spec, ctx) or ():
            if d.code not in allowed:
                raise ValueError(f"check `{ch.name}` reported {d.code}, which it does not register")
            out.append(d)
    return out


def readme_table(codes: dict[str, Code] | None = None) -> str:
    """The README's table of codes (section "Diagnostics")."""
    codes = CODES if codes is None else codes
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| {c.code} | {c.severity} | {c.meaning} |" for c in codes.values()]
    return "\n".join(rows) + "\n"
