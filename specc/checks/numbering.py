"""Numbering: outcomes, criteria and requirements count 1, 2, 3 ...; range
items are lettered a, b, c ..."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..diagnostics import Diagnostic
from . import Check, Context, warning

W021 = warning("W021", "gap in outcome, criterion or requirement numbering")
W022 = warning("W022", "duplicate outcome, criterion or requirement number")
W051 = warning("W051", "range item letters out of sequence")


def sequence(ctx: Context, items: list[tuple[int, ir.Span]], where: str, what: str, prefix: str = "") -> Iterator[Diagnostic]:
    """W021 for a skipped number, W022 for a repeated one."""
    seen: dict[int, ir.Span] = {}
    expected = 1
    for n, span in items:
        word = None if prefix else str(n)
        if n in seen:
            yield ctx.diag("W022", f"{what} {prefix}{n} appears twice in {where}", span, word=word, help=f"the first is at line {seen[n].line}")
            continue
        seen[n] = span
        if n > expected:
            missing = f"{prefix}{expected}" if n == expected + 1 else f"{prefix}{expected}-{prefix}{n - 1}"
            yield ctx.diag("W021", f"{what} numbering in {where} skips {missing}", span, word=word)
        expected = max(expected, n + 1)


def own_units(spec: ir.Spec) -> Iterator[ir.Unit]:
    """The units this spec declares (not those imported under an alias)."""
    return (u for u in spec.units if "." not in u.id)


def own_sets(spec: ir.Spec, ctx: Context) -> Iterator[ir.RequirementSet]:
    """The requirement sets this spec checks (not those of another spec)."""
    return (rs for rs in spec.requirement_sets if rs.id not in ctx.foreign_sets)


def unit_numbering(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    for u in own_units(spec):
        yield from sequence(ctx, [(o.number, o.span) for o in u.outcomes], f"unit {u.label}", "outcome")
        for o in u.outcomes:
            yield from sequence(ctx, [(c.number, c.span) for c in o.criteria], f"outcome {o.number} of unit {u.label}", "criterion", prefix=f"{o.number}.")


def requirement_numbering(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    for rs in own_sets(spec, ctx):
        yield from sequence(ctx, [(r.number, r.span) for r in rs.requirements], f"requirements `{rs.id}`", "requirement")


def range_letters(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    for rs in own_sets(spec, ctx):
        for r in rs.requirements:
            for rg in r.ranges:
                letters = [i.letter for i in rg.items]
                want = [chr(ord("a") + i) for i in range(len(letters))]
                if letters != want:
                    bad = next((i for i, (a, b) in enumerate(zip(letters, want, strict=False)) if a != b), 0)
                    yield ctx.diag(
                        "W051",
                        f"range items of requirement {r.number} in `{rs.id}` are lettered {', '.join(letters)}",
                        rg.items[bad].span if rg.items else rg.span,
                        help=f"expected {', '.join(want)}",
                    )


CHECKS = (
    Check("unit-numbering", (W021, W022), unit_numbering),
    Check("requirement-numbering", (W021, W022), requirement_numbering),
    Check("range-letters", (W051,), range_letters),
)
