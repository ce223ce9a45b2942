"""City & Guilds handbook sections, after the 4411 qualification handbook:
qualifications at a glance, structure (rules of combination as prose, the
unit table with mandatory/optional per qualification and barred units), the
TQT table, the glossary, the version history, then a section per unit (Level,
Credit value, NDAQ number, GLH, Assessment, Endorsement, Aim; the learning
outcomes; per outcome the assessment criteria and "Criteria explained" with
the demanded quantities in bold; the evidence guide)."""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from specc_plugins.handbook import common as h
from specc_plugins.handbook import rst
from specc import ir, prose
from specc.hookspecs import hookimpl
from specc.plugins import HandbookStyle

TEMPLATES = Path(__file__).parent / "templates"


def glance(spec: ir.Spec) -> rst.RST:
    rows = [(q.title, q.number or q.id, q.reference or "", q.glh if q.glh is not None else "", q.tqt if q.tqt is not None else "") for q in spec.qualifications]
    return rst.table(("Qualification title", "Number", "Regulator reference", "GLH", "TQT"), rows, (46, 12, 16, 12, 14))


def unit_table(spec: ir.Spec) -> rst.RST:
    quals = spec.qualifications
    head = ("Unit number", "Unit title", "Unit accreditation number", *[q.number or q.id for q in quals], "GLH", "Credit value", "Barred with")
    rows = []
    for u in h.own_units(spec):
        rows.append(
            (
                rst.ref(u.label, rst.unit_target(u)),
                u.title,
                u.reference or "",
                *[h.status(spec, q, u, "Mandatory", "Optional", "") for q in quals],
                u.glh if u.glh is not None else "",
                u.credits if u.credits is not None else "",
                ", ".join(spec.unit(b).label if spec.unit(b) else b for b in spec.barred_with(u.id)),
            )
        )
    widths = (8, 30, 12, *[9] * len(quals), 6, 7, 9)
    return rst.table(head, rows, widths, css="structure")


def tqt_table(spec: ir.Spec) -> rst.RST:
    rows = [(q.title, q.number or q.id, q.glh if q.glh is not None else "", q.tqt if q.tqt is not None else "") for q in spec.qualifications]
    return rst.table(("Title and level", "Number", "GLH", "TQT"), rows, (58, 14, 14, 14))


def stated(d: ir.Demand, words: str) -> bool:
    """Whether the published text (lower case) states demand ``d``: its count
    (in words or figures) shortly before what is counted, and its
    ``different`` condition.  Validators enforce both, so a demand the text
    does not state is printed as "Evidence demanded: ..." after it.  (An
    ``of which K by METHODS`` clause the text states in its own words, as
    "observed by the Assessor/Witness", is left to the text and the evidence
    guide's methods.)"""
    what = r"\s+".join(re.escape(w) for w in d.what.lower().split())
    if not re.search(rf"\b(?:{prose.number_word(d.count)}|{d.count})\b.{{0,80}}?{what}", words):
        return False
    return not d.different or bool(re.search(rf"different\s+(?:\S+\s+){{0,3}}?{re.escape(d.different.lower())}", words))


def explained(spec: ir.Spec, u: ir.Unit, c: ir.Criterion) -> rst.RST:
    """"Criteria explained" for one criterion as the handbook prints it:
    "For **1.1** the candidate must ... **three** ...", the demanded
    quantities in bold.  A demand the text does not state in words, and the
    criterion's own reuse links (as cross-references), follow it; reuse links
    printed in the evidence guide stay there."""
    counts = [d.count for d in c.demands] + [d.by.count for d in c.demands if d.by is not None]
    parts = [rst.text(g.text, counts) for g in c.guidance]
    words = " ".join(g.text.plain for g in c.guidance).lower()
    if any(not stated(d, words) for d in c.demands):
        parts.append(rst.RST("Evidence demanded: " + "; ".join(rst.demand(d, h.method_labels(spec)) for d in c.demands) + "."))
    for r in c.reuse:
        parts.append(rst.RST("Evidence may be reused from " + rst.reuse(spec, u, attrs.evolve(r, note=None)) + "."))
    if not parts:
        return rst.RST("")
    body = "\n\n".join(parts)
    lead = re.match(rf"For {re.escape(c.ref)}(?=[ ,])", body)
    if lead:
        # the handbook's own style: "For **1.1** the candidate must ..."
        return rst.RST(f"For {rst.strong(c.ref)}" + body[lead.end():])
    return rst.RST(f"{rst.strong(c.ref)}\n\n" + body)


def render(spec: ir.Spec, options: dict) -> str:
    return h.render(
        TEMPLATES,
        spec,
        glance=glance(spec),
        unit_table=unit_table(spec),
        tqt_table=tqt_table(spec),
        explained=explained,
        evidence_types=h.evidence_types(spec),
    )


@hookimpl
def specc_handbook_styles():
    return [HandbookStyle("cityandguilds", ("cityandguilds",), "City & Guilds qualification handbook sections (after 4411)", render)]
