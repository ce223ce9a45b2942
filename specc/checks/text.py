"""Text: command verbs are in the glossary; long texts are not copied."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir, similarity
from ..diagnostics import Diagnostic, did_you_mean
from ..vocab import COMMAND_VERBS
from . import Check, Context, warning
from .numbering import own_units

W060 = warning(
    "W060",
    "a command verb missing from the glossary (every verb of a knowledge criterion; a verb of assessment such as `assess` in any criterion)",
)
W062 = warning(
    "W062",
    f"the same long text in two places, word for word or at least {similarity.THRESHOLD:.0%} the same with the same numbers (a likely copy-paste)",
)

#: texts shorter than this (normalised) are not compared: short phrases repeat legitimately
MIN_LENGTH = 60


def glossary_verbs(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W060: the glossary explains every command verb: each knowledge
    criterion's, and a verb of assessment (:data:`specc.vocab.COMMAND_VERBS`)
    in a performance criterion too."""
    if not spec.glossary.verbs:
        return
    known = {v.key for v in spec.glossary.verbs}
    for u in own_units(spec):
        for o in u.outcomes:
            for c in o.criteria:
                if not c.verb or c.verb in known or (o.kind != "knowledge" and c.verb not in COMMAND_VERBS):
                    continue
                yield ctx.diag(
                    "W060",
                    f"command verb `{c.verb}` of criterion {c.ref} in unit {u.label} is not in the glossary",
                    c.span,
                    help=did_you_mean(c.verb, known) or "add it to the glossary with `verb`",
                )


def copied_text(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W062: a unit's aim or a criterion's guidance repeats an earlier one
    word for word, or nearly (see :mod:`specc.similarity`)."""
    found: list[tuple[str, str, ir.Span]] = []
    for u in own_units(spec):
        if u.aim is not None:
            found.append((f"the aim of unit {u.label}", u.aim.value, u.span))
        for c in u.criteria:
            for g in c.guidance:
                found.append((f"the guidance for {c.ref} in unit {u.label}", g.text.value, g.span))
    found = [x for x in found if len(similarity.normalise(x[1])) >= MIN_LENGTH]
    # texts that differ in a number are parallel texts (the same guidance
    # for another criterion or another count), not copies
    key = lambda t: tuple(similarity.numbers(t))  # noqa: E731
    for i, j, ratio in similarity.near_copies([t for _, t, _ in found], key=key):
        label, _, span = found[i]
        first_label, _, first_span = found[j]
        how = "word for word" if ratio == 1.0 else f"almost word for word ({int(ratio * 100)}% the same)"
        yield ctx.diag(
            "W062",
            f"{label} repeats the text of {first_label} {how}",
            span,
            help="a likely copy-paste: check the source",
            notes=(f"the first copy is at {first_span}",),
        )


CHECKS = (
    Check("glossary-verbs", (W060,), glossary_verbs),
    Check("copied-text", (W062,), copied_text),
)
