"""City & Guilds recording forms, after its published recording-form set.

General forms (candidate and centre details; expert/witness status list;
assessment plan, review and feedback), per unit a pack (evidence location
sheet; performance evidence record; questioning evidence record; professional
discussion record; unit assessment and verification declaration), and per
qualification the summary of unit and qualification achievement.
"""

from __future__ import annotations

from specc_plugins.forms import common as c
from specc_plugins.forms.model import Cell, Column, Field, FieldGrid, Heading, PageBreak, Para, Table
from specc import ir
from specc.hookspecs import hookimpl
from specc.plugins import FormStyle

BODY = "City & Guilds"


def general(spec: ir.Spec) -> list:
    quals = tuple((q.title, Field(f"g.qualification.{c.name_part(q.id)}", "check", q.title)) for q in spec.qualifications)
    details = c.form(
        "candidate-and-centre-details",
        "Candidate and centre details",
        c.candidate_details("g")
        + (Heading("Qualification", 2), Table((Column("Qualification", 4.5), Column("Registered", 0.6)), tuple((Cell(t), Cell(field=f)) for t, f in quals))),
        subtitle=spec.document.title,
        group="general",
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
            ),
        ),
        group="general",
        landscape=True,
    )
    plan = c.form(
        "assessment-plan-review-and-feedback",
        "Assessment plan, review and feedback",
        (
            FieldGrid((("Candidate", c.f("g.plan.candidate")), ("Unit(s)", c.f("g.plan.units")))),
            Heading("Plan", 2),
            Table(
                (Column("Planned activity", 2.6), Column("Criteria covered", 1.2), Column("Assessment method", 1.3), Column("Target date", 0.9)),
                tuple(tuple(Cell(field=c.f(f"g.plan.{i}.{k}", "date" if k == "date" else "text")) for k in ("activity", "criteria", "method", "date")) for i in range(1, 9)),
            ),
            Heading("Review and feedback", 2),
            Table((Column("Feedback to the candidate", 1.0),), ((Cell(field=c.f("g.plan.feedback", "area")),),)),
            c.signatures("g.plan", ("Candidate", "Assessor")),
        ),
        group="general",
    )
    return [details, witnesses, plan]


def unit_pack(spec: ir.Spec, u: ir.Unit):
    uk = c.unit_key(u)
    body: list = [c.unit_header(u), Heading("Evidence location sheet", 2), c.evidence_location_sheet(u)]
    for kind, title in (("performance", "Performance evidence record"), ("knowledge", "Knowledge evidence record")):
        rec = c.performance_record(spec, u, kind)
        if rec:
            body += [PageBreak(), Heading(title, 2), Para("One line per demanded item; write the evidence reference and the date it was produced.", "note"), *rec]
    if any(o.kind == "knowledge" for o in u.outcomes):
        body += [PageBreak(), Heading("Questioning evidence record", 2), c.questioning_record(u, "knowledge")]
    env = c.unit_environment(spec, u)
    if env:
        body += [PageBreak(), *env]
    body += [
        PageBreak(),
        Heading("Professional discussion record", 2),
        FieldGrid((("Date of discussion", c.f(f"{uk}.pd.date", "date")), ("Duration", c.f(f"{uk}.pd.duration")), ("Recording reference", c.f(f"{uk}.pd.recording")), ("Criteria covered", c.f(f"{uk}.pd.criteria")))),
        Table((Column("Summary of the discussion", 1.0),), ((Cell(field=c.f(f"{uk}.pd.summary", "area")),),)),
        Heading("Unit assessment and verification declaration", 2),
        Para(f"We confirm that the evidence for unit {u.label} is the candidate's own work, was assessed against every assessment criterion and is sufficient, valid, authentic and current."),
        c.signatures(f"{uk}.decl", ("Candidate", "Assessor", "Internal quality assurer")),
    ]
    return c.form(f"unit-{u.label}", f"Unit {u.label} recording forms", tuple(body), subtitle=u.title, group="units")


def summary(spec: ir.Spec, q: ir.Qualification):
    return c.form(
        f"achievement-summary-{q.number or q.id}",
        "Summary of unit and qualification achievement",
        c.candidate_details(f"q.{c.name_part(q.id)}") + c.achievement_summary(spec, q) + (c.signatures(f"q.{c.name_part(q.id)}", ("Assessor", "Internal quality assurer")),),
        subtitle=q.title,
        group="qualifications",
    )


def render(spec: ir.Spec, options: dict) -> list:
    forms = general(spec)
    forms += [summary(spec, q) for q in spec.qualifications]
    forms += [unit_pack(spec, u) for u in spec.units if "." not in u.id]
    return forms


@hookimpl
def specc_form_styles():
    return [FormStyle("cityandguilds", ("cityandguilds",), "City & Guilds recording forms", render)]
