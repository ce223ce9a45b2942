"""CfA recording forms: per unit of evidence requirements, a range checklist
(each lettered item with evidence reference and date; a k-of-n range says "at
least k of these") and the evidence-source declaration."""

from __future__ import annotations

from collections.abc import Iterator

from specc_plugins.forms import common as c
from specc_plugins.forms.model import Heading, Para
from specc import ir
from specc.hookspecs import hookimpl
from specc.plugins import FormStyle


def checklist(rs: ir.RequirementSet):
    key = c.set_key(rs)
    body: list = []
    ranges = c.range_checklist(rs)
    if ranges:
        body += [Heading("Range checklist", 2), *ranges]
    suff = [r for r in rs.requirements if r.kind == "sufficiency"]
    if suff:
        body += [Heading("Sufficiency", 2)] + [Para(r.text.plain, "note") for r in suff]
    body += [Heading("Evidence-source declaration", 2), *c.evidence_source_declaration(key, rs.environment), c.signatures(key, ("Candidate", "Assessor"))]
    title = rs.title + (f" (Unit {rs.code})" if rs.code else "")
    return c.form(f"range-checklist-{rs.id}", "Range checklist and evidence-source declaration", tuple(body), subtitle=title, group="requirements", reference=title)


def render(spec: ir.Spec, options: dict) -> Iterator:
    return (checklist(rs) for rs in spec.requirement_sets if rs.origin == spec.document.id)


@hookimpl
def specc_form_styles():
    return [FormStyle("cfa", ("cfa",), "CfA range checklists and evidence-source declarations", render)]
