"""NCFE qualification specification sections, after 601/3972/9: things you
need to know, achieving this qualification (groups and their credit rules),
unit summaries, then per unit "The learner will:" outcomes and "The learner
can:" criteria, the assessment guidance table and any evidence requirements
the unit is assessed under; the explanation of terms; the evidence types."""

from __future__ import annotations

from pathlib import Path

from specc_plugins.handbook import common as h
from specc_plugins.handbook import rst
from specc import ir
from specc.hookspecs import hookimpl
from specc.plugins import HandbookStyle

TEMPLATES = Path(__file__).parent / "templates"


def group_table(spec: ir.Spec, g: ir.Group) -> rst.RST:
    rows = []
    for uid in g.units:
        u = spec.unit(uid)
        if u is None:
            continue
        rows.append((rst.ref(f"Unit {u.label}", rst.unit_target(u)), u.title, u.reference or "", u.credits if u.credits is not None else "", u.glh if u.glh is not None else ""))
    return rst.table(("Unit", "Title", "Unit reference", "Credit value", "GLH"), rows, (12, 48, 16, 12, 12), title=g.title)


def mandatory_in(spec: ir.Spec, u: ir.Unit) -> str:
    """"This unit is mandatory" / "optional", over the spec's qualifications."""
    quals = spec.qualifications_of(u.id)
    if quals and all(u.id in q.mandatory for q in quals):
        return "This unit is mandatory."
    if quals and not any(u.id in q.mandatory for q in quals):
        return "This unit is optional."
    return "; ".join(f"{'Mandatory' if u.id in q.mandatory else 'Optional'} in {q.number or q.id}" for q in quals) + "."


def render(spec: ir.Spec, options: dict) -> str:
    return h.render(
        TEMPLATES,
        spec,
        groups=[g for g in spec.groups if "." not in g.id],
        group_table=group_table,
        mandatory_in=mandatory_in,
        sets={rs.id: rs for rs in spec.requirement_sets},  # incl. those imported: units are assessed under them
        evidence_types=h.evidence_types(spec),
    )


@hookimpl
def specc_handbook_styles():
    return [HandbookStyle("ncfe", ("ncfe",), "NCFE qualification specification sections (after 601/3972/9)", render)]
