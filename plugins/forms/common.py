"""Form builders every house style composes: body-neutral pieces driven by
the spec (a row per criterion, a slot per demanded item, a line per range
item).  Field names follow one scheme, so a filled PDF can be read back by
machine::

    u<unit>.c<crit>.<slot>.<what>     e.g. u001.c1_2.d1_3.evidence_ref, u106.c1_2.d1_1.method
    u<unit>.c<crit>.els.<what>        evidence location sheet
    rs.<set>.r<n><letter>.<what>      range checklist item
    q.<qualification>.u<unit>.<what>  achievement summary
"""

from __future__ import annotations

from specc import ir, prose, slots

from .model import Bullets, Cell, Column, Field, FieldGrid, Form, Heading, Para, Signatures, Table, name_part


def unit_key(u: ir.Unit) -> str:
    return "u" + name_part(u.id)


def crit_key(c: ir.Criterion) -> str:
    return "c" + name_part(c.ref)


def f(name: str, kind: str = "text", label: str = "") -> Field:
    return Field(name, kind, label or name)


# ------------------------------------------------------------------ generic forms


def candidate_details(prefix: str, extra: tuple[tuple[str, str], ...] = ()) -> tuple:
    items = [
        ("Candidate name", f(f"{prefix}.candidate.name")),
        ("Candidate registration number", f(f"{prefix}.candidate.registration")),
        ("Date of birth", f(f"{prefix}.candidate.dob", "date")),
        ("Registration date", f(f"{prefix}.candidate.registration_date", "date")),
        ("Centre name", f(f"{prefix}.centre.name")),
        ("Centre number", f(f"{prefix}.centre.number")),
        ("Assessor", f(f"{prefix}.assessor.name")),
        ("Internal quality assurer", f(f"{prefix}.iqa.name")),
    ]
    items += [(label, f(f"{prefix}.{key}")) for label, key in extra]
    return (FieldGrid(tuple(items)),)


def people_list(prefix: str, title: str, rows: int, columns: tuple[tuple[str, str, float], ...]) -> Table:
    """A blank list of people (witnesses, expert witnesses) with fields."""
    cols = tuple(Column(t, w) for t, _, w in columns)
    body = tuple(tuple(Cell(field=f(f"{prefix}.{i}.{k}", "signature" if k == "signature" else "text")) for _, k, _ in columns) for i in range(1, rows + 1))
    return Table(cols, body, caption=title)


def signatures(prefix: str, roles: tuple[str, ...]) -> Signatures:
    return Signatures(tuple((r, f(f"{prefix}.{name_part(r.lower())}.signature", "signature"), f(f"{prefix}.{name_part(r.lower())}.date", "date")) for r in roles))


# ------------------------------------------------------------------ unit-driven forms


def unit_header(u: ir.Unit) -> Para:
    bits = [f"Unit {u.label}: {u.title}"]
    if u.reference:
        bits.append(f"Reference {u.reference}")
    if u.level:
        bits.append(str(u.level))
    if u.credits is not None:
        bits.append(prose.plural(u.credits, "credit"))
    return Para(" · ".join(bits), "lead")


def evidence_location_sheet(u: ir.Unit, what: tuple[tuple[str, str, float], ...] | None = None) -> Table:
    """A row per assessment criterion with where its evidence is."""
    what = what or (
        ("Evidence reference", "evidence_ref", 1.3),
        ("Location / portfolio page", "location", 1.3),
        ("Date", "date", 0.9),
        ("Assessor initials", "assessor", 0.8),
    )
    cols = (Column("Criterion", 0.6), Column("Assessment criterion", 3.2)) + tuple(Column(t, w) for t, _, w in what)
    rows = []
    for o in u.outcomes:
        for c in o.criteria:
            rows.append(
                (Cell(c.ref, strong=True), Cell(c.statement))
                + tuple(Cell(field=f(f"{unit_key(u)}.{crit_key(c)}.els.{k}", "date" if k == "date" else "text")) for _, k, _ in what)
            )
    return Table(cols, tuple(rows))


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
        blocks.append(Para(f"Demanded: {demands}." + how + (f" {reuse}" if reuse else ""), "note"))
        has_customer = any(s.different == "customers" for s in cslots)
        has_method = any(s.methods for s in cslots)
        fields = SLOT_FIELDS[:1] + ((CUSTOMER_FIELD,) if has_customer else ()) + ((METHOD_FIELD,) if has_method else ()) + SLOT_FIELDS[1:]
        cols = (Column("Slot", 1.6),) + tuple(Column("Date of occasion" if (k == "date" and any(s.different == "occasions" for s in cslots)) else t, w) for t, k, w in fields)
        rows = []
        for s in cslots:
            cells = [Cell(s.label, strong=True)]
            for _, k, _ in fields:
                if (k == "customer" and s.different != "customers") or (k == "method" and not s.methods):
                    cells.append(Cell(""))
                else:
                    cells.append(Cell(field=f(f"{unit_key(u)}.{crit_key(c)}.{s.id}.{k}", "date" if k == "date" else "text", f"{c.ref} {s.label}: {k}")))
            rows.append(tuple(cells))
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
            rows.append((Cell(c.ref, strong=True, muted=c.statement), Cell(field=f(f"{base}.question", "area")), Cell(field=f(f"{base}.response", "area")), Cell(field=f(f"{base}.met", "check"))))
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
                Cell(field=f(f"{qk}.u{name_part(uid)}.date", "date")),
                Cell(field=f(f"{qk}.u{name_part(uid)}.assessor")),
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
    blocks += [Heading("Units", 2), table, FieldGrid((("Total credits achieved", f(f"{qk}.total_credits")), ("Date qualification achieved", f(f"{qk}.date", "date"))))]
    return tuple(blocks)


# ------------------------------------------------------------------ evidence requirements (ranges)


def set_key(rs: ir.RequirementSet) -> str:
    return "rs." + name_part(rs.id)


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
                rows.append((Cell(item.letter, strong=True), Cell(item.label), Cell(field=f(f"{base}.evidence_ref")), Cell(field=f(f"{base}.date", "date"))))
            blocks.append(Table((Column("Item", 0.4), Column("Range", 3.4), Column("Evidence reference", 1.3), Column("Date", 0.9)), tuple(rows)))
        for d in r.distinct:
            base = f"{set_key(rs)}.r{r.number}.distinct"
            blocks.append(Heading(f"Requirement {r.number}", 3))
            blocks.append(Para(r.text.plain))
            blocks.append(Para(f"Evidence must show {prose.number_word(d.count)} different {d.what}.", "note"))
            rows = tuple((Cell(f"{d.what.capitalize()} {i}", strong=True), Cell(field=f(f"{base}{i}.what")), Cell(field=f(f"{base}{i}.evidence_ref"))) for i in range(1, d.count + 1))
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
    rows = tuple((Cell(ENV_LABELS[s]), Cell(field=f(f"{key}.source.{s}", "check"))) for s in env.sources)
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


def unit_environment(spec: ir.Spec, u: ir.Unit) -> tuple:
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


def form(id: str, title: str, body: tuple, subtitle: str = "", group: str = "", landscape: bool = False) -> Form:
    return Form(id=id, title=title, body=tuple(body), subtitle=subtitle, group=group, landscape=landscape)
