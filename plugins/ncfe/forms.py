"""NCFE recording forms: the Learner's Evidence Tracking Log (LETL) per unit,
the assessment tracking sheet per qualification, the learner statement
(authenticity declaration countersigned by the assessor) and per unit the
evidence records the specification's evidence methods call for (Assessor
observation, witness testimony, learner and peer reports, record of
professional discussion, record of oral and written questioning).  Units assessed
under another body's evidence requirements (``assessed under``) get those
requirements' range checklists in their pack."""

from __future__ import annotations

from collections.abc import Iterator

from specc_plugins.forms import common as c
from specc_plugins.forms.model import Cell, Column, FieldGrid, Heading, PageBreak, Para, Table
from specc import ir, prose
from specc.hookspecs import hookimpl
from specc.plugins import FormStyle

LETL_FIELDS = (
    ("Evidence reference", "evidence_ref", 1.3),
    ("Method", "method", 1.3),
    ("Portfolio page", "page", 0.9),
    ("Date", "date", 0.9),
    ("Assessor initials", "assessor", 0.8),
)


def letl(spec: ir.Spec, u: ir.Unit):
    uk = c.unit_key(u)
    body: list = [c.unit_header(u)]
    for o in u.outcomes:
        body.append(Heading(f"The learner will: {o.number} {o.statement}", 3))
        rows = tuple(
            (Cell(cr.ref, strong=True), Cell(cr.statement))
            + tuple(
                Cell(
                    field=c.f(f"{uk}.{c.crit_key(cr)}.els.method", "choice", f"Criterion {cr.ref}: method", c.method_options(spec, u))
                    if k == "method"
                    else c.field_for(f"{uk}.{c.crit_key(cr)}.els.{k}", k, f"Criterion {cr.ref}")
                )
                for _, k, _ in LETL_FIELDS
            )
            for cr in o.criteria
        )
        body.append(Table((Column("AC", 0.5), Column("The learner can:", 3.2)) + tuple(Column(t, w) for t, _, w in LETL_FIELDS), rows))
    rec = c.performance_record(spec, u)
    if rec:
        body += [Heading("Evidence required", 2), *rec]
    if u.environment.sources or u.environment.simulation:
        body += [Heading("Evidence source", 2), *c.evidence_source_declaration(f"{uk}.env", u.environment)]
    for rid in u.assessed_under:
        rs = spec.requirement_set(rid)
        if rs is None:
            continue
        checklist = c.range_checklist(rs)
        body += [PageBreak(), Heading(f"Evidence requirements: {rs.title}", 2), Para("These requirements of the standard-setting body apply to this unit.", "note")]
        body += list(checklist) + [Heading("Evidence source", 3), *c.evidence_source_declaration(c.set_key(rs), rs.environment)]
    body += [*c.unit_environment(u), PageBreak(), *learner_statement_blocks(u)]
    return c.form(
        f"unit-{u.label}-letl",
        "Learner's Evidence Tracking Log",
        tuple(body),
        subtitle=f"Unit {u.label} {u.title}",
        group="units",
        landscape=True,
        reference=c.unit_reference(u),
        person="Learner",
        qualifications=spec.qualifications_of(u.id),
    )


def learner_statement_blocks(u: ir.Unit) -> list:
    uk = c.unit_key(u)
    return [
        Heading("Learner statement", 2),
        Para(f"I confirm that the evidence in my portfolio for unit {u.label} ({u.title}) is my own work and that I have not copied it from anyone else."),
        Para("Assessor: I confirm that the learner's work was conducted under the conditions set out in the qualification specification and is the learner's own.", "note"),
        c.signatures(f"{uk}.statement", ("Learner", "Assessor")),
    ]


def rules_once(spec: ir.Spec, q: ir.Qualification) -> list[str]:
    """The rules as NCFE prints them: the mandatory units are stated once
    (a ``mandatory`` rule over exactly the units of a group that already
    gives all their credits is not repeated)."""
    covered = {frozenset(r.units) for r in q.rules if isinstance(r, ir.CreditsFrom) and r.op in ("exactly", "at_least")}
    totals = [r for r in q.rules if isinstance(r, (ir.MinTotal, ir.MaxTotal))]
    rest = [r for r in q.rules if not isinstance(r, (ir.MinTotal, ir.MaxTotal)) and not (isinstance(r, ir.Mandatory) and frozenset(r.units) in covered)]
    return [prose.rule(spec, r) for r in totals + rest]


def tracking_sheet(spec: ir.Spec, q: ir.Qualification):
    qk = "q." + c.name_part(q.id)
    groups = {u: g for g in spec.groups for u in g.units}
    rows = []
    for uid in q.units:
        u = spec.unit(uid)
        g = groups.get(uid)
        rows.append(
            (
                Cell(u.label, strong=True),
                Cell(u.title, muted=u.reference or ""),
                Cell(g.title if g else ""),
                Cell("" if u.credits is None else str(u.credits)),
                Cell("Mandatory" if uid in q.mandatory else "Optional"),
            )
            + (
                Cell(field=c.f(f"{qk}.u{c.name_part(uid)}.date_completed", "date", f"Unit {u.label}: date completed")),
                Cell(field=c.f(f"{qk}.u{c.name_part(uid)}.assessor", "text", f"Unit {u.label}: assessor")),
                Cell(field=c.f(f"{qk}.u{c.name_part(uid)}.iqa", "check", f"Unit {u.label}: sampled by the internal quality assurer")),
            )
        )
    body = (
        c.identity("Learner", extra=(("Registration date", c.f("candidate.registration_date", "date", "Learner registration date")),)),
        Heading("Rules of combination", 2),
        Para(f"To be awarded the {q.title}, learners must achieve:"),
        *[Para("– " + r) for r in rules_once(spec, q)],
        *[Para("– " + b) for b in prose.barred_pairs(spec, q.units)],
        *c.environment_notes(q.environment),
        Heading("Units", 2),
        Table(
            (Column("Unit", 0.5), Column("Title", 3.0), Column("Group", 1.5), Column("Credits", 0.6), Column("Status", 0.9), Column("Date completed", 1.0), Column("Assessor", 0.9), Column("IQA sampled", 0.6)),
            tuple(rows),
        ),
        FieldGrid((("Total credits", c.f(f"{qk}.total_credits", "text", "Total credits achieved")), ("Date all units completed", c.f(f"{qk}.date", "date", "Date all units were completed")))),
        c.signatures(qk, ("Assessor", "Internal quality assurer")),
    )
    return c.form(
        f"assessment-tracking-sheet-{q.id}", "Assessment tracking sheet", body, subtitle=q.title, group="qualifications", landscape=True, reference=c.qualification_reference(q), person="Learner"
    )


def render(spec: ir.Spec, options: dict) -> Iterator:
    units = [u for u in spec.units if "." not in u.id]
    yield from (tracking_sheet(spec, q) for q in spec.qualifications)
    yield from (letl(spec, u) for u in units)
    # the evidence records the specification's methods call for ("Assessor
    # observation", "record of oral and written questioning", ...); the
    # learner statement is the LETL's own (no candidate statement twice)
    for u in units:
        yield from c.evidence_records(spec, u, person="Learner", skip=("cs",))


@hookimpl
def specc_form_styles():
    return [FormStyle("ncfe", ("ncfe",), "NCFE recording forms (LETL, tracking sheet, learner statement, evidence records)", render)]
