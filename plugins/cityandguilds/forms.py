"""City & Guilds recording forms, after its published recording-form set.

General forms (candidate and centre details; expert/witness status list;
assessment plan, review and feedback), per unit a pack (evidence location
sheet; performance and knowledge evidence records; unit assessment and
verification declaration) and the evidence records its evidence guide implies
(observation record, witness testimony, candidate statement, professional
discussion record, questioning record), and per qualification the summary of
unit and qualification achievement.
"""

from __future__ import annotations

from collections.abc import Iterator

from specc_plugins.forms import common as c
from specc_plugins.forms.model import Cell, Column, FieldGrid, Heading, PageBreak, Para, Table
from specc import ir
from specc.hookspecs import hookimpl
from specc.plugins import FormStyle

BODY = "City & Guilds"


def general(spec: ir.Spec) -> list:
    quals = tuple((q, c.f(f"g.qualification.{c.name_part(q.id)}", "check", f"Registered for {q.number or q.id} {q.title}")) for q in spec.qualifications)
    ref = ""  # the footer's edition line names the document
    details = c.form(
        "candidate-and-centre-details",
        "Candidate and centre details",
        c.candidate_details()
        + (Heading("Qualification", 2), Table((Column("Number", 0.8), Column("Qualification", 4.0), Column("Registered", 0.8)), tuple((Cell(q.number or q.id, strong=True), Cell(q.title), Cell(field=fd)) for q, fd in quals))),
        subtitle=spec.document.title,
        group="general",
        reference=ref,
    )
    witnesses = c.form(
        "expert-witness-status-list",
        "Expert/witness status list",
        (
            Para("Everyone who gives a witness testimony or expert witness statement for this candidate must be listed here.", "note"),
            c.people_list(
                "g.witness",
                "Witnesses",
                10,
                (("Name", "name", 1.4), ("Job role / relationship to candidate", "role", 1.6), ("Occupational expertise", "expertise", 1.6), ("Signature", "signature", 1.2), ("Status: expert/witness", "status", 0.9)),
                noun="Witness",
            ),
        ),
        group="general",
        landscape=True,
        reference=ref,
    )
    plan = c.form(
        "assessment-plan-review-and-feedback",
        "Assessment plan, review and feedback",
        (
            FieldGrid(
                (
                    ("Unit(s)", c.f("g.plan.units", "text", "Units this plan covers")),
                    ("Plan date", c.f("g.plan.date", "date", "Date the plan was agreed")),
                    ("Review date", c.f("g.plan.review_date", "date", "Date of the planned review")),
                )
            ),
            Heading("Plan", 2),
            Table(
                (Column("Planned activity", 2.6), Column("Criteria covered", 1.2), Column("Assessment method", 1.3), Column("Target date", 0.9)),
                tuple(
                    tuple(Cell(field=c.f(f"g.plan.{i}.{k}", "date" if k == "date" else "text", f"Activity {i}: {t}")) for k, t in (("activity", "planned activity"), ("criteria", "criteria covered"), ("method", "assessment method"), ("date", "target date")))
                    for i in range(1, 9)
                ),
            ),
            Heading("Review and feedback", 2),
            Table((Column("Feedback to the candidate", 1.0),), ((Cell(field=c.f("g.plan.feedback", "area", "Review and feedback to the candidate")),),)),
            c.signatures("g.plan", ("Candidate", "Assessor")),
        ),
        group="general",
        reference=ref,
    )
    return [details, witnesses, plan]


def unit_pack(spec: ir.Spec, u: ir.Unit):
    uk = c.unit_key(u)
    body: list = [c.unit_header(u), Heading("Evidence location sheet", 2), c.evidence_location_sheet(spec, u)]
    for kind, title in (("performance", "Performance evidence record"), ("knowledge", "Knowledge evidence record")):
        rec = c.performance_record(spec, u, kind)
        if rec:
            body += [PageBreak(), Heading(title, 2), Para("One line per item of evidence required; write the evidence reference and the date it was produced.", "note"), *rec]
    env = c.unit_evidence_requirements(spec, u)
    if env:
        body += [PageBreak(), *env]
    body += [
        *c.unit_environment(u),
        Heading("Unit assessment and verification declaration", 2),
        Para(f"We confirm that the evidence for unit {u.label} is the candidate's own work, was assessed against every assessment criterion and is sufficient, valid, authentic and current."),
        c.signatures(f"{uk}.decl", ("Candidate", "Assessor", "Internal quality assurer")),
    ]
    return c.form(f"unit-{u.label}", f"Unit {u.label} recording forms", tuple(body), subtitle=u.title, group="units", reference=c.unit_reference(u), qualifications=spec.qualifications_of(u.id))


def summary(spec: ir.Spec, q: ir.Qualification):
    qk = f"q.{c.name_part(q.id)}"
    return c.form(
        f"achievement-summary-{q.number or q.id}",
        "Summary of unit and qualification achievement",
        c.candidate_details() + c.achievement_summary(spec, q) + (c.signatures(qk, ("Assessor", "Internal quality assurer")),),
        subtitle=q.title,
        group="qualifications",
        reference=c.qualification_reference(q),
    )


def render(spec: ir.Spec, options: dict) -> Iterator:
    yield from general(spec)
    yield from (summary(spec, q) for q in spec.qualifications)
    units = [u for u in spec.units if "." not in u.id]
    yield from (unit_pack(spec, u) for u in units)
    for u in units:
        yield from c.evidence_records(spec, u, witness_list="expert/witness status list")


@hookimpl
def specc_form_styles():
    return [FormStyle("cityandguilds", ("cityandguilds",), "City & Guilds recording forms", render)]
