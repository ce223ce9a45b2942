"""Forms for a body without a house style of its own: an evidence location
sheet and performance record per unit, range checklists, and an achievement
summary per qualification."""

from __future__ import annotations

from collections.abc import Iterator

from specc import ir

from . import common as c
from .model import Form, Heading, PageBreak


def render_generic(spec: ir.Spec, options: dict) -> Iterator[Form]:
    for q in spec.qualifications:
        yield c.form(f"achievement-summary-{q.id}", "Achievement summary", c.achievement_summary(spec, q), subtitle=q.title, group="qualifications", reference=c.qualification_reference(q))
    for u in spec.units:
        if "." in u.id:
            continue
        body = [c.unit_header(u), Heading("Evidence location sheet", 2), c.evidence_location_sheet(spec, u)]
        perf = c.performance_record(spec, u)
        if perf:
            body += [PageBreak(), Heading("Performance evidence record", 2), *perf]
        body += list(c.unit_environment(u))
        env = c.unit_evidence_requirements(spec, u)
        if env:
            body += [PageBreak(), *env]
        yield c.form(f"unit-{u.label}", f"Unit {u.label} recording forms", tuple(body), subtitle=u.title, group="units", reference=c.unit_reference(u), qualifications=spec.qualifications_of(u.id))
    for rs in spec.requirement_sets:
        if rs.origin == spec.document.id:
            body = c.range_checklist(rs) + (Heading("Evidence source", 2), *c.evidence_source_declaration(c.set_key(rs), rs.environment))
            yield c.form(f"range-checklist-{rs.id}", "Range checklist", body, subtitle=rs.title, group="requirements", reference=rs.title)
