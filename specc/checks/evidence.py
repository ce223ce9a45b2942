"""Evidence: what evidence-guide rows and reuse links name exists, and every
criterion is covered by a row."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..diagnostics import Diagnostic, did_you_mean
from . import Check, Context, warning
from .numbering import own_units

W030 = warning("W030", "an evidence-guide row names a criterion or outcome that does not exist")
W032 = warning(
    "W032",
    "a reuse link names a unit or criterion that does not exist, names the criterion it is in (its own evidence), or is `for` a criterion its row does not name",
)
W033 = warning("W033", "a criterion that no evidence-guide row covers")


def _missing_ref_hint(u: ir.Unit, ref: str, covered: set[str]) -> str:
    """For a row naming a criterion the unit lacks: the criteria of the same
    outcome that no row covers (the likely intended ones), else the closest spelling."""
    outcome = ref.split(".")[0]
    orphans = [c.ref for c in u.criteria if c.ref.split(".")[0] == outcome and c.ref not in covered]
    if orphans:
        return f"did you mean {' or '.join(f'`{r}`' for r in orphans)}? (in outcome {outcome}, not covered by any row)"
    return did_you_mean(ref, [c.ref for c in u.criteria]) or "check the criterion numbers of this unit"


def guide_names(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W030: a row names an outcome or a criterion the unit does not have."""
    for u in own_units(spec):
        for row in u.evidence_guide:
            for n in row.outcomes:
                if u.outcome(n) is None:
                    yield ctx.diag(
                        "W030",
                        f"the evidence guide of unit {u.label} names outcome {n}, which does not exist",
                        row.span,
                        word=str(n),
                        help=did_you_mean(str(n), [str(x.number) for x in u.outcomes])
                        or f"unit {u.label} has outcomes {', '.join(str(x.number) for x in u.outcomes) or 'none'}",
                    )
        refs = {c.ref for c in u.criteria}
        covered = {ref for row in u.evidence_guide for ref in row.criteria}
        for row in u.evidence_guide:
            for ref in row.criteria:
                if ref not in refs:
                    yield ctx.diag(
                        "W030",
                        f"the evidence guide of unit {u.label} names criterion {ref}, which does not exist",
                        row.span,
                        word=ref,
                        help=_missing_ref_hint(u, ref, covered),
                    )


def coverage(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W033: a unit with an evidence guide has a row for every criterion."""
    for u in own_units(spec):
        if not u.evidence_guide:
            continue
        covered = {ref for row in u.evidence_guide for ref in row.criteria}
        for c in u.criteria:
            if c.ref not in covered:
                yield ctx.diag(
                    "W033",
                    f"criterion {c.ref} of unit {u.label} is not covered by any evidence-guide row",
                    c.span,
                    help="add it to a `row` of the unit's `evidence guide`",
                )


def _link_target(units: dict[str, ir.Unit], ctx: Context, u: ir.Unit, r: ir.Reuse, who: str) -> Iterator[Diagnostic]:
    """A reuse link names a unit and criteria that exist."""
    target = u if r.unit is None else units.get(r.unit)
    if target is None:
        yield ctx.diag(
            "W032",
            f"{who} of unit {u.label} reuses evidence from unit `{r.unit}`, which does not exist",
            r.span,
            word=r.unit,
            help=did_you_mean(r.unit, units),
        )
        return
    trefs = {x.ref for x in target.criteria}
    for ref in r.criteria:
        if ref not in trefs:
            yield ctx.diag(
                "W032",
                f"reuse link names criterion {ref} of unit {target.label}, which does not exist",
                r.span,
                word=ref,
                help=did_you_mean(ref, trefs),
            )


def _for_span(ctx: Context, span: ir.Span) -> ir.Span:
    """A reuse link's span from its `for` keyword on (to underline a `for` criterion)."""
    at = ctx.narrow(span, "for")
    return span if at == span else ir.Span(span.file, at.line, at.col, span.end_line, span.end_col)


def reuse_links(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W032: reuse links name what exists, not their own criterion, and a
    row's link is `for` criteria of that row."""
    units = {u.id: u for u in spec.units}
    for u in own_units(spec):
        for c in u.criteria:
            for r in c.reuse:
                yield from _link_target(units, ctx, u, r, f"criterion {c.ref}")
                if r.unit in (None, u.id) and c.ref in r.criteria:
                    yield ctx.diag(
                        "W032",
                        f"criterion {c.ref} of unit {u.label} reuses its own evidence",
                        r.span,
                        word=c.ref,
                        help="a reuse link names another criterion whose evidence may count here; name that criterion or remove the link",
                    )
        for row in u.evidence_guide:
            for r in row.reuse:
                yield from _link_target(units, ctx, u, r, f"the evidence-guide row for {', '.join(row.criteria) or 'no criteria'}")
                for ref in r.for_criteria:
                    if r.unit in (None, u.id) and ref in r.criteria:
                        yield ctx.diag(
                            "W032",
                            f"a reuse link in unit {u.label} makes criterion {ref} reuse its own evidence",
                            _for_span(ctx, r.span),
                            word=ref,
                            help="`for` names the criteria that may reuse the evidence of the others; drop it from one side",
                        )
                    if ref not in row.criteria:
                        yield ctx.diag(
                            "W032",
                            f"a reuse link is for criterion {ref}, which its evidence-guide row in unit {u.label} does not name",
                            _for_span(ctx, r.span),
                            word=ref,
                            help=did_you_mean(ref, row.criteria) or f"the row names {', '.join(row.criteria) or 'no criteria'}",
                        )


CHECKS = (
    Check("evidence-guide-names", (W030,), guide_names),
    Check("reuse-links", (W032,), reuse_links),
    Check("evidence-guide-coverage", (W033,), coverage),
)
