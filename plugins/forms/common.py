"""Form builders every house style composes: body-neutral pieces driven by
the spec (a row per criterion, a slot per demanded item, a line per range
item).  Field names follow one scheme (:mod:`specc_plugins.forms.names`), so
a filled PDF can be read back by machine::

    candidate.name, candidate.registration, centre.name, centre.number,
    assessor.name, qualification      the identity block of every form
    u<unit>.c<crit>.<slot>.<what>     e.g. u001.c1_2.d1_3.evidence_ref, u106.c1_2.d1_1.method
    u<unit>.c<crit>.els.<what>        evidence location sheet
    rs.<set>.r<n><letter>.<what>      range checklist item (the set's own id,
                                      the same on every body's form)
    q.<qualification>.u<unit>.<what>  achievement summary
    u<unit>.<obs|wt|cs|lr|pd|qr>.*    evidence records (u001.obs.c1_2: a tick)
"""

from __future__ import annotations

from attrs import frozen

from specc import ir, prose, slots

from .model import Bullets, Cell, Column, Field, FieldGrid, Form, Heading, Para, Signatures, Table, name_part


def unit_key(u: ir.Unit) -> str:
    return "u" + name_part(u.id)


def crit_key(c: ir.Criterion) -> str:
    return "c" + name_part(c.ref)


def f(name: str, kind: str, label: str, options: tuple[tuple[str, str], ...] = ()) -> Field:
    """A field; ``label`` is its tooltip, the words a person sees beside it."""
    return Field(name, kind, label, options)


WHAT = {
    "evidence_ref": "evidence reference",
    "location": "location or portfolio page",
    "page": "portfolio page",
    "date": "date",
    "assessor": "assessor initials",
    "customer": "customer",
    "method": "method",
}


def field_for(name: str, what: str, label: str) -> Field:
    """A recording field ``name`` (``...<what>``) labelled ``label: what``."""
    return f(name, "date" if what == "date" else "text", f"{label}: {WHAT.get(what, what.replace('_', ' '))}")


def unit_reference(u: ir.Unit) -> str:
    return f"Unit {u.label}" + (f" ({u.reference})" if u.reference else "")


def qualification_reference(q: ir.Qualification) -> str:
    return f"{q.number or q.id} {q.title}"


# ------------------------------------------------------------------ identity


def identity(person: str = "Candidate", qualifications: tuple[ir.Qualification, ...] = (), extra: tuple[tuple[str, Field], ...] = ()) -> FieldGrid:
    """The candidate and centre block every form opens with; the same field
    names on every form, so a reader fills them once per candidate.  On unit
    forms ``qualifications`` are those the unit counts towards (a choice when
    there is more than one)."""
    items = [
        (f"{person} name", f("candidate.name", "text", f"{person} name")),
        ("Registration number", f("candidate.registration", "text", f"{person} registration number")),
        ("Centre name", f("centre.name", "text", "Centre name")),
        ("Centre number", f("centre.number", "text", "Centre number")),
        ("Assessor", f("assessor.name", "text", "Assessor name")),
    ]
    if len(qualifications) == 1:
        q = qualifications[0]
        items.append(("Qualification", f("qualification", "choice", "Qualification the unit counts towards", ((q.id, qualification_reference(q)),))))
    elif qualifications:
        opts = (("", "(choose)"),) + tuple((q.id, qualification_reference(q)) for q in qualifications)
        items.append(("Qualification", f("qualification", "choice", "Qualification the unit counts towards", opts)))
    items += list(extra)
    return FieldGrid(tuple(items), identity=True)


# ------------------------------------------------------------------ generic forms


def candidate_details() -> tuple:
    """The identity block with date of birth, registration date and the
    internal quality assurer (the C&G candidate and centre details form)."""
    return (
        identity(
            extra=(
                ("Date of birth", f("candidate.dob", "date", "Candidate date of birth")),
                ("Registration date", f("candidate.registration_date", "date", "Candidate registration date")),
                ("Internal quality assurer", f("iqa.name", "text", "Internal quality assurer name")),
            )
        ),
    )


def people_list(prefix: str, title: str, rows: int, columns: tuple[tuple[str, str, float], ...], noun: str = "Person") -> Table:
    """A blank list of people (witnesses, expert witnesses) with fields."""
    cols = tuple(Column(t, w) for t, _, w in columns)
    body = tuple(
        tuple(Cell(field=f(f"{prefix}.{i}.{k}", "signature" if k == "signature" else "text", f"{noun} {i}: {t.lower()}")) for t, k, _ in columns) for i in range(1, rows + 1)
    )
    return Table(cols, body, caption=title)


def signatures(prefix: str, roles: tuple[str, ...]) -> Signatures:
    return Signatures(
        tuple(
            (r, f(f"{prefix}.{name_part(r.lower())}.signature", "signature", f"{r} signature"), f(f"{prefix}.{name_part(r.lower())}.date", "date", f"{r}: date signed"))
            for r in roles
        )
    )


# ------------------------------------------------------------------ unit-driven forms


def unit_header(u: ir.Unit) -> Para:
    """Reference, level and credits (the title is the form's subtitle)."""
    bits = []
    if u.reference:
        bits.append(f"Unit reference {u.reference}")
    if u.level:
        bits.append(str(u.level))
    if u.credits is not None:
        bits.append(prose.plural(u.credits, "credit"))
    return Para(" · ".join(bits), "lead")


def method_options(spec: ir.Spec, u: ir.Unit | None = None) -> tuple[tuple[str, str], ...]:
    """The evidence methods as a choice (value = the portfolio's method id):
    those the unit's evidence guide names, or every method of the spec when
    it has no guide."""
    named = {m for row in u.evidence_guide for m in row.methods} if u is not None else set()
    return (("", "(choose)"),) + tuple((m.id, m.label) for m in spec.methods if not named or m.id in named)


def evidence_location_sheet(spec: ir.Spec, u: ir.Unit, what: tuple[tuple[str, str, float], ...] | None = None) -> Table:
    """A row per assessment criterion with where its evidence is and the
    method (a choice of the spec's evidence methods)."""
    what = what or (
        ("Evidence reference", "evidence_ref", 1.2),
        ("Method", "method", 1.3),
        ("Location / portfolio page", "location", 1.2),
        ("Date", "date", 1.0),
        ("Assessor initials", "assessor", 0.95),
    )
    cols = (Column("AC", 0.5), Column("Assessment criterion", 2.7)) + tuple(Column(t, w) for t, _, w in what)
    rows = []
    for o in u.outcomes:
        for c in o.criteria:
            cells = []
            for _, k, _ in what:
                name = f"{unit_key(u)}.{crit_key(c)}.els.{k}"
                cells.append(Cell(field=f(name, "choice", f"Criterion {c.ref}: method", method_options(spec, u)) if k == "method" else field_for(name, k, f"Criterion {c.ref}")))
            rows.append((Cell(c.ref, strong=True), Cell(c.statement), *cells))
    return Table(cols, tuple(rows))


def unit_environment(u: ir.Unit) -> tuple:
    """Where the unit's evidence was produced (a tick per source the unit
    accepts; every source where the spec says nothing)."""
    sources = u.environment.sources or tuple(ENV_LABELS)
    rows = tuple((Cell(ENV_LABELS[s]), Cell(field=f(f"{unit_key(u)}.source.{s}", "check", f"Evidence produced in: {ENV_LABELS[s].lower()}"))) for s in sources)
    return (Heading("Where the evidence was produced", 2), Para("Tick where the evidence for this unit was produced.", "note"), Table((Column("Source of evidence", 4.0), Column("Tick", 0.6)), rows))


SLOT_FIELDS = (("Evidence reference", "evidence_ref", 1.4), ("Date", "date", 0.9), ("Assessor initials", "assessor", 0.8))


CUSTOMER_FIELD = ("Customer", "customer", 1.2)
METHOD_FIELD = ("Method", "method", 1.2)


def slot_fields(slot: slots.Slot) -> tuple[tuple[str, str, float], ...]:
    """What a performance-record slot asks for; "different customers" adds a
    customer column, a demand's ``of which ... by`` a method column (how the
    item was evidenced)."""
    extra = ((CUSTOMER_FIELD,) if slot.different == "customers" else ()) + ((METHOD_FIELD,) if slot.methods else ())
    return SLOT_FIELDS[:1] + extra + SLOT_FIELDS[1:]


def performance_record(spec: ir.Spec, u: ir.Unit, kind: str | None = None) -> tuple:
    """One numbered slot per demanded item, grouped by criterion, showing where
    a slot may reuse evidence of another criterion.  ``kind`` limits it to
    performance or knowledge outcomes."""
    blocks: list = []
    labels = {m.id: m.label for m in spec.methods}
    for c in (c for o in u.outcomes if kind in (None, o.kind) for c in o.criteria):
        cslots = slots.criterion_slots(c)
        if not cslots:
            continue
        reuse = reuse_note(spec, u, c)
        demands = "; ".join(prose.demand(d, labels) for d in c.demands)
        how = " Write in Method how each item was evidenced." if any(d.by for d in c.demands) else ""
        blocks.append(Heading(f"{c.ref} {c.statement}", 3))
        blocks.append(Para(f"Evidence required: {demands}." + how + (f" {reuse}" if reuse else ""), "note"))
        has_customer = any(s.different == "customers" for s in cslots)
        has_method = any(s.methods for s in cslots)
        fields = SLOT_FIELDS[:1] + ((CUSTOMER_FIELD,) if has_customer else ()) + ((METHOD_FIELD,) if has_method else ()) + SLOT_FIELDS[1:]
        fields = fields[:1] + _declared_fields(spec, cslots) + fields[1:]
        cols = (Column("Slot", 1.6),) + tuple(Column("Date of occasion" if (k == "date" and any(s.different == "occasions" for s in cslots)) else t, w) for t, k, w in fields)
        rows = []
        for s in cslots:
            cells = [Cell(s.label, strong=True)]
            for _, k, _ in fields:
                if (k == "customer" and s.different != "customers") or (k == "method" and not s.methods) or (k.startswith("different_") and s.different != k[10:]):
                    cells.append(Cell(""))
                else:
                    name = f"{unit_key(u)}.{crit_key(c)}.{s.id}.{k}"
                    fd = f(name, "choice", f"{c.ref} {s.label}: method", method_options(spec, u)) if k == "method" else field_for(name, k, f"{c.ref} {s.label}")
                    cells.append(Cell(field=fd))
            rows.append(tuple(cells))
        blocks.append(Table(cols, tuple(rows)))
    blocks.extend(row_demand_record(spec, u, kind))
    return tuple(blocks)


def _declared_fields(spec: ir.Spec, cslots) -> tuple[tuple[str, str, float], ...]:
    """A column per declared ``different NAME`` a slot of the criterion uses:
    what must differ between the items (the portfolio field NAME)."""
    out = []
    for name in dict.fromkeys(s.different for s in cslots if s.different):
        d = spec.distinction(name)
        if d is not None and not d.builtin:
            out.append((name.replace("_", " ").capitalize(), f"different_{name}", 1.2))
    return tuple(out)


def row_demand_record(spec: ir.Spec, u: ir.Unit, kind: str | None = None) -> tuple:
    """The demands of the unit's evidence-guide rows, counted over the
    evidence of all a row's criteria: a line per demanded item (``kind``: only
    rows whose first criterion is of that kind of outcome)."""
    blocks: list = []
    labels = {m.id: m.label for m in spec.methods}
    for i, row in enumerate(u.evidence_guide, start=1):
        first = u.outcome(int(row.criteria[0].split(".")[0])) if row.criteria else None
        if kind is not None and (first is None or first.kind != kind):
            continue
        for j, d in enumerate(row.demands, start=1):
            blocks.append(Heading(f"Criteria {', '.join(row.criteria)}", 3))
            how = " Write in Method how each item was evidenced." if d.by else ""
            blocks.append(Para(f"Evidence required across these criteria: {prose.demand(d, labels)}.{how}", "note"))
            fields = SLOT_FIELDS[:1] + ((METHOD_FIELD,) if d.by else ()) + SLOT_FIELDS[1:]
            cols = (Column("Item", 1.6),) + tuple(Column(t, w) for t, _, w in fields)
            rows = []
            for n in range(1, d.count + 1):
                lab = slots.label(" or ".join(d.whats), n, d.count)
                key = f"{unit_key(u)}.row{i}_{j}.{n}"
                rows.append((Cell(lab, strong=True),) + tuple(Cell(field=f(f"{key}.{k}", "date" if k == "date" else "text", f"{lab}: {k}")) for _, k, _ in fields))
            blocks.append(Table(cols, tuple(rows)))
    return tuple(blocks)


def reuse_note(spec: ir.Spec, u: ir.Unit, c: ir.Criterion) -> str:
    """Where criterion ``c``'s evidence may be reused from: its own links and
    those of the evidence-guide rows that apply to it (:meth:`ir.Unit.reuse_for`)."""
    parts = []
    for r in u.reuse_for(c.ref):
        refs = ", ".join(r.criteria)
        where = f"unit {spec.unit(r.unit).label if spec.unit(r.unit) else r.unit}, " if r.unit else ""
        parts.append(f"{where}criteri{'on' if len(r.criteria) == 1 else 'a'} {refs}")
    return ("Evidence may be reused from " + "; ".join(parts) + ".") if parts else ""


def questioning_record(u: ir.Unit, kind: str = "knowledge") -> Table:
    """Questions and answers per knowledge criterion (oral questioning,
    professional discussion)."""
    rows = []
    for o in u.outcomes:
        if o.kind != kind:
            continue
        for c in o.criteria:
            base = f"{unit_key(u)}.{crit_key(c)}.q"
            rows.append(
                (
                    Cell(c.ref, strong=True, muted=c.statement),
                    Cell(field=f(f"{base}.question", "lines", f"Criterion {c.ref}: question asked")),
                    Cell(field=f(f"{base}.response", "lines", f"Criterion {c.ref}: summary of the candidate's response")),
                    Cell(field=f(f"{base}.met", "check", f"Criterion {c.ref} met")),
                )
            )
    return Table((Column("Criterion", 1.6), Column("Question asked", 2.2), Column("Summary of the candidate's response", 2.6), Column("Met", 0.5)), tuple(rows))


# ------------------------------------------------------------------ qualification forms


def achievement_summary(spec: ir.Spec, q: ir.Qualification) -> tuple:
    """Units with credits and status, a tick for the units taken, the rules of
    combination and the barred pairs."""
    qk = "q." + name_part(q.id)
    rows = []
    for uid in q.units:
        u = spec.unit(uid)
        status = "Mandatory" if uid in q.mandatory else "Optional"
        barred = ", ".join(spec.unit(b).label if spec.unit(b) else b for b in spec.barred_with(uid) if b in q.units)
        rows.append(
            (
                Cell(u.label, strong=True),
                Cell(u.title, muted=f"Barred with {barred}" if barred else ""),
                Cell("" if u.credits is None else str(u.credits)),
                Cell(status),
                Cell(field=f(f"{qk}.u{name_part(uid)}.taken", "check", f"Unit {u.label} taken")),
                Cell(field=f(f"{qk}.u{name_part(uid)}.date", "date", f"Unit {u.label}: date achieved")),
                Cell(field=f(f"{qk}.u{name_part(uid)}.assessor", "text", f"Unit {u.label}: assessor initials")),
            )
        )
    table = Table(
        (Column("Unit", 0.6), Column("Title", 3.2), Column("Credits", 0.6), Column("Status", 0.9), Column("Taken", 0.5), Column("Date achieved", 1.0), Column("Assessor initials", 0.8)),
        tuple(rows),
    )
    rules = [r[0].upper() + r[1:] for r in prose.rules(spec, q)]
    blocks = [Heading("Rules of combination", 2), Para(f"To achieve {q.title}, the learner must achieve:"), Bullets(tuple(rules)), *environment_notes(q.environment)]
    bp = prose.barred_pairs(spec, q.units)
    if bp:
        blocks += [Para("Barred combinations:"), Bullets(tuple(bp))]
    blocks += [
        Heading("Units", 2),
        table,
        FieldGrid((("Total credits achieved", f(f"{qk}.total_credits", "text", "Total credits achieved")), ("Date qualification achieved", f(f"{qk}.date", "date", "Date qualification achieved")))),
    ]
    return tuple(blocks)


# ------------------------------------------------------------------ evidence requirements (ranges)


def set_key(rs: ir.RequirementSet) -> str:
    """``rs.<set>`` by the set's own id, without the alias a spec imports it
    under, so a range item has the same name on every body's form."""
    return "rs." + name_part(rs.id.rsplit(".", 1)[-1])


def range_checklist(rs: ir.RequirementSet) -> tuple:
    """Each lettered range item with evidence reference and date; a k-of-n
    range says "at least k of these"."""
    blocks: list = []
    for r in rs.requirements:
        for rg in r.ranges:
            blocks.append(Heading(f"Requirement {r.number}", 3))
            blocks.append(Para(r.text.plain))
            blocks.append(Para(f"Evidence must cover {prose.range_rule(rg)}.", "note"))
            rows = []
            for item in slots.range_slots(r, rg):
                base = f"{set_key(rs)}.{item.id}"
                what = f"Requirement {r.number} item {item.letter}"
                rows.append((Cell(item.letter, strong=True), Cell(item.label), Cell(field=field_for(f"{base}.evidence_ref", "evidence_ref", what)), Cell(field=field_for(f"{base}.date", "date", what))))
            blocks.append(Table((Column("Item", 0.4), Column("Range", 3.4), Column("Evidence reference", 1.3), Column("Date", 0.9)), tuple(rows)))
        for d in r.distinct:
            blocks.append(Heading(f"Requirement {r.number}", 3))
            blocks.append(Para(r.text.plain))
            blocks.append(Para(f"Evidence must show {prose.number_word(d.count)} different {d.what}.", "note"))
            rows = tuple(
                (Cell(s.label, strong=True), Cell(field=f(f"{set_key(rs)}.{s.id}.what", "text", f"{s.label}: which")), Cell(field=field_for(f"{set_key(rs)}.{s.id}.evidence_ref", "evidence_ref", s.label)))
                for s in slots.distinct_slot_list(r, d)
            )
            blocks.append(Table((Column("Different " + d.what, 1.2), Column("Which", 2.0), Column("Evidence reference", 1.3)), rows))
        if r.different and not (r.ranges or r.distinct):
            # validators check that the unit's evidence is from different customers, occasions, ...
            blocks += [Heading(f"Requirement {r.number}", 3), Para(r.text.plain)]
        if r.different:
            blocks.append(Para("Evidence must come from " + " and ".join(f"different {w}" for w in r.different) + ".", "note"))
    return tuple(blocks)


ENV_LABELS = {
    "workplace": "Real work (paid or voluntary) with real customers",
    "rwe": "A realistic working environment",
    "placement": "A work placement",
}


def environment_notes(env: ir.Environment) -> tuple:
    """Where evidence may come from and the simulation rules, as notes (a
    qualification's forms; units' forms tick the source instead)."""
    words = {"workplace": "the real workplace", "rwe": "a realistic working environment", "placement": "a work placement"}
    notes = []
    if env.sources:
        notes.append(Para(f"Evidence may come from {prose.either([words[s] for s in env.sources])} only.", "note"))
    notes += [b for b in evidence_source_declaration("_", ir.Environment((), env.simulation)) if isinstance(b, Para) and b.style == "note"]
    return tuple(notes)


def evidence_source_declaration(key: str, env: ir.Environment) -> tuple:
    """Where the evidence came from; only the sources the rules allow are offered."""
    rows = tuple((Cell(ENV_LABELS[s]), Cell(field=f(f"{key}.source.{s}", "check", f"Evidence produced in: {ENV_LABELS[s].lower()}"))) for s in env.sources)
    notes = []
    for kind in ("performance", "knowledge"):
        rule = env.simulation_rule(kind)
        mode = rule.mode if rule else None
        if mode == "forbidden":
            notes.append(f"Simulation is not allowed for {kind} evidence{prose.exception(rule.exception)}.")
        elif mode == "exceptional":
            notes.append(f"Simulation may be used for {kind} evidence only in exceptional circumstances{prose.exception(rule.exception)}.")
        elif mode == "allowed":
            notes.append(f"Simulation may be used for {kind} evidence{prose.exception(rule.exception)}.")
    barred = [w for s, w in (("rwe", "a realistic working environment"), ("placement", "a work placement")) if s not in env.sources]
    if env.sources and barred:  # "evidence from placement" alone does not bar a placement
        notes.append(f"Evidence from {prose.either(barred)} is not permissible.")
    blocks: list = [Para("I confirm that the evidence presented was produced in:")]
    if rows:
        blocks.append(Table((Column("Source of evidence", 4.0), Column("Tick", 0.5)), rows))
    blocks += [Para(n, "note") for n in notes]
    return tuple(blocks)


def form(id: str, title: str, body: tuple, subtitle: str = "", group: str = "", landscape: bool = False, reference: str = "", person: str = "Candidate", qualifications: tuple = ()) -> Form:
    """A form that opens with the identity block (unless its body starts
    with one of its own)."""
    body = tuple(body)
    if not (body and isinstance(body[0], FieldGrid) and body[0].identity):
        lead = (body[0],) if body and isinstance(body[0], Para) and body[0].style == "lead" else ()
        body = lead + (identity(person, qualifications),) + body[len(lead):]
    return Form(id=id, title=title, body=body, subtitle=subtitle, group=group, landscape=landscape, reference=reference)


# ------------------------------------------------------------------ evidence records (from the evidence guide or the document's methods)


@frozen
class RecordKind:
    """A kind of evidence record: the form a centre fills each time it uses
    one of ``methods``.  ``scope`` says which criteria it may evidence where
    no evidence guide says so: ``performance`` the criteria of "be able to"
    outcomes (what can be seen done), ``any`` every criterion."""

    id: str  # form id part: "observation-record"
    key: str  # field name part: "obs"
    title: str
    methods: tuple[str, ...]
    tick: str  # the tick column: "Observed"
    scope: str = "any"


RECORD_KINDS = (
    RecordKind("observation-record", "obs", "Observation record", ("observation",), "Observed", "performance"),
    RecordKind("witness-testimony", "wt", "Witness testimony", ("witness_testimony", "expert_witness"), "Witnessed", "performance"),
    RecordKind("candidate-statement", "cs", "Candidate statement", ("candidate_statement", "reflective_account"), "Covered"),
    RecordKind("learner-report", "lr", "Learner and peer report", ("learner_report",), "Covered"),
    RecordKind("professional-discussion-record", "pd", "Professional discussion record", ("professional_discussion", "recorded_discussion"), "Discussed"),
    RecordKind("questioning-record", "qr", "Questioning record", ("oral_questioning", "written_questioning"), "Met"),
)


def guide_criteria(u: ir.Unit, methods: tuple[str, ...]) -> list[ir.Criterion]:
    """The criteria of ``u`` whose evidence-guide rows name one of ``methods``,
    in the unit's order."""
    refs = {ref for row in u.evidence_guide if set(row.methods) & set(methods) for ref in row.criteria}
    return [c for c in u.criteria if c.ref in refs]


def declared_methods(spec: ir.Spec, kind: RecordKind) -> tuple[str, ...]:
    """The kind's methods the document names as its evidence (``methods``)."""
    return tuple(m for m in spec.document.evidence_methods if m in kind.methods)


def record_criteria(spec: ir.Spec, u: ir.Unit, kind: RecordKind) -> list[ir.Criterion]:
    """The criteria a record of ``kind`` may evidence for unit ``u``: those
    whose evidence-guide rows name one of its methods; for a unit without an
    evidence guide, when the document names one of its methods, the criteria
    of the kind's scope (observation and witness testimony: the performance
    outcomes' criteria; the others: every criterion)."""
    if u.evidence_guide:
        return guide_criteria(u, kind.methods)
    if not declared_methods(spec, kind):
        return []
    return [c for o in u.outcomes if kind.scope == "any" or o.kind == kind.scope for c in o.criteria]


def record_methods(spec: ir.Spec, u: ir.Unit, kind: RecordKind, c: ir.Criterion) -> tuple[str, ...]:
    """The kind's methods a record may evidence criterion ``c`` by: those its
    evidence-guide rows name, or those the document names (the record's
    method when it is read back into a portfolio)."""
    if u.evidence_guide:
        named = {m for row in u.evidence_guide if c.ref in row.criteria for m in row.methods}
        return tuple(m for m in kind.methods if m in named)
    return declared_methods(spec, kind)


def record_title(spec: ir.Spec, u: ir.Unit, kind: RecordKind) -> str:
    """The kind's title; a record that comes from the document's methods
    takes the document's word for its method ("Assessor observation",
    "Record of oral and written questioning")."""
    if u.evidence_guide:
        return kind.title
    labels = {m.id: m.label for m in spec.methods}
    label = labels.get(declared_methods(spec, kind)[0], kind.title)
    return label[:1].upper() + label[1:]


def criteria_ticks(u: ir.Unit, kind: RecordKind, crits: list[ir.Criterion]) -> Table:
    """The criteria a record may evidence, each with a tick box."""
    rows = tuple(
        (Cell(c.ref, strong=True), Cell(c.statement), Cell(field=f(f"{unit_key(u)}.{kind.key}.{crit_key(c)}", "check", f"Criterion {c.ref} {kind.tick.lower()}")))
        for c in crits
    )
    return Table((Column("Criterion", 0.6), Column("Assessment criterion", 4.4), Column(kind.tick, 0.8)), rows, caption="Assessment criteria this record may evidence (tick those it does)")


RECORD_NOUN = {"wt": "testimony", "cs": "statement", "lr": "report"}


def _area(name: str, title: str, label: str) -> Table:
    return Table((Column(title, 1.0),), ((Cell(field=f(name, "area", label)),),))


def evidence_record(spec: ir.Spec, u: ir.Unit, kind: RecordKind, person: str = "Candidate", witness_list: str = "") -> Form | None:
    """One evidence record for unit ``u``, or None when it may evidence no
    criterion (:func:`record_criteria`).  ``person``: the body's word for
    the learner; ``witness_list``: the form on which a witness must be
    listed, where the body has one."""
    crits = record_criteria(spec, u, kind)
    if not crits:
        return None
    uk = f"{unit_key(u)}.{kind.key}"
    p = person.lower()
    ref = ("Evidence reference", f(f"{uk}.evidence_ref", "text", f"Evidence reference of this {RECORD_NOUN.get(kind.key, 'record')}"))
    body: list = [unit_header(u)]
    if kind.key == "obs":
        body += [
            FieldGrid((("Date of observation", f(f"{uk}.date", "date", "Date of observation")), ("Duration", f(f"{uk}.duration", "text", "Duration of the observation")), ("Location or setting", f(f"{uk}.location", "text", "Location or setting of the observation")), ref)),
            criteria_ticks(u, kind, crits),
            Heading("What the assessor observed", 2),
            Para(f"Describe what the {p} did, how it meets each criterion ticked, and any questions asked to confirm understanding.", "note"),
            _area(f"{uk}.summary", "Observation", "What the assessor observed"),
            Heading("Feedback", 2),
            _area(f"{uk}.feedback", f"Feedback to the {p}", f"Feedback to the {p}"),
            signatures(uk, (person, "Assessor")),
        ]
    elif kind.key == "wt":
        listed = f" The witness must be on the {witness_list}." if witness_list else ""
        body += [
            Heading("Witness", 2),
            FieldGrid((("Witness name", f(f"{uk}.witness.name", "text", "Witness name")), ("Job role", f(f"{uk}.witness.role", "text", "Witness job role")), (f"Relationship to the {p}", f(f"{uk}.witness.relationship", "text", f"Witness relationship to the {p}")), ("Contact details", f(f"{uk}.witness.contact", "text", "Witness contact details")), ("Date of activity", f(f"{uk}.date", "date", "Date of the activity witnessed")), ref)),
            criteria_ticks(u, kind, crits),
            Heading("Testimony", 2),
            Para(f"Describe what you saw the {p} do, when and where.{listed}", "note"),
            _area(f"{uk}.summary", "What the witness saw", "Testimony: what the witness saw"),
            signatures(uk, ("Witness", "Assessor")),
        ]
    elif kind.key == "cs":
        body += [
            FieldGrid((("Date of activity", f(f"{uk}.date", "date", "Date of the activity described")), ref)),
            criteria_ticks(u, kind, crits),
            Heading(f"{person} statement", 2),
            Para("Describe in your own words what you did, when and where, and how it meets each criterion ticked.", "note"),
            _area(f"{uk}.summary", "Statement", f"{person} statement"),
            Para("A person who saw the activity (a teacher or a reliable person in the workplace) confirms that it took place as described.", "note"),
            signatures(uk, (person, "Confirming witness", "Assessor")),
        ]
    elif kind.key == "lr":
        body += [
            FieldGrid((("Date of activity", f(f"{uk}.date", "date", "Date of the activity reported")), ref)),
            criteria_ticks(u, kind, crits),
            Heading(f"{person} report", 2),
            Para("Describe in your own words what you did, when and where, and how it meets each criterion ticked.", "note"),
            _area(f"{uk}.summary", "Report", f"{person} report"),
            Heading("Peer report", 2),
            Para(f"A colleague or fellow {p} who took part in or saw the activity describes what the {p} did.", "note"),
            FieldGrid((("Peer name", f(f"{uk}.peer.name", "text", "Peer name")), ("Job role or relationship", f(f"{uk}.peer.role", "text", f"Peer job role or relationship to the {p}")))),
            _area(f"{uk}.peer.summary", "Peer report", "Peer report"),
            signatures(uk, (person, "Peer", "Assessor")),
        ]
    elif kind.key == "pd":
        body += [
            FieldGrid((("Date of discussion", f(f"{uk}.date", "date", "Date of the discussion")), ("Duration", f(f"{uk}.duration", "text", "Duration of the discussion")), ("Recording reference", f(f"{uk}.recording", "text", "Recording reference")), ref)),
            criteria_ticks(u, kind, crits),
            Heading("Summary of the discussion", 2),
            _area(f"{uk}.summary", "Summary", "Summary of the discussion"),
            Heading("Feedback", 2),
            _area(f"{uk}.feedback", f"Feedback to the {p}", f"Feedback to the {p}"),
            signatures(uk, (person, "Assessor")),
        ]
    else:  # questioning
        rows = tuple(
            (
                Cell(c.ref, strong=True, muted=c.statement),
                Cell(field=f(f"{uk}.{crit_key(c)}.question", "lines", f"Criterion {c.ref}: question asked")),
                Cell(field=f(f"{uk}.{crit_key(c)}.response", "lines", f"Criterion {c.ref}: summary of the {p}'s response")),
                Cell(field=f(f"{uk}.{crit_key(c)}.met", "check", f"Criterion {c.ref} met")),
            )
            for c in crits
        )
        which = "the evidence guide allows questioning for" if u.evidence_guide else "of the unit"
        body += [
            FieldGrid((("Date", f(f"{uk}.date", "date", "Date of the questioning")), ("Oral or written", f(f"{uk}.mode", "choice", "Oral or written questioning", (("", "(choose)"), ("oral", "Oral"), ("written", "Written")))), ref)),
            Heading("Questions and responses", 2),
            Para(f"A row per assessment criterion {which}; tick Met when the response meets it.", "note"),
            Table((Column("Criterion", 1.6), Column("Question asked", 2.2), Column(f"Summary of the {p}'s response", 2.6), Column("Met", 0.5)), rows),
            signatures(uk, (person, "Assessor")),
        ]
    return form(
        f"unit-{u.label}-{kind.id}",
        record_title(spec, u, kind),
        tuple(body),
        subtitle=f"Unit {u.label} {u.title}",
        group="evidence-records",
        reference=unit_reference(u),
        person=person,
        qualifications=spec.qualifications_of(u.id),
    )


def evidence_records(spec: ir.Spec, u: ir.Unit, person: str = "Candidate", witness_list: str = "", skip: tuple[str, ...] = ()) -> list[Form]:
    """Every evidence record of unit ``u`` (:data:`RECORD_KINDS` in order;
    ``skip``: kind keys a body prints elsewhere)."""
    return [r for kind in RECORD_KINDS if kind.key not in skip and (r := evidence_record(spec, u, kind, person, witness_list)) is not None]


def unit_evidence_requirements(spec: ir.Spec, u: ir.Unit) -> tuple:
    """The unit's own evidence environment (``evidence from``, ``simulation``)
    as an evidence-source declaration, then the range checklists and
    declarations of the evidence requirements it is assessed under: what the
    validators enforce for the unit beyond its criteria."""
    blocks: list = []
    if u.environment.sources or u.environment.simulation:
        blocks += [Heading("Evidence source", 2), *evidence_source_declaration(f"{unit_key(u)}.env", u.environment)]
    for rid in u.assessed_under:
        rs = spec.requirement_set(rid)
        if rs is None:
            continue
        blocks += [Heading(f"Evidence requirements: {rs.title}", 2), Para("These evidence requirements apply to this unit.", "note"), *range_checklist(rs)]
        blocks += [Heading("Evidence source", 3), *evidence_source_declaration(f"{unit_key(u)}.{set_key(rs).replace('.', '_')}", rs.environment)]
    return tuple(blocks)
