"""Handbook pieces every house style composes, driven by the spec and
body-neutral: the unit table of a set of qualifications, rules of combination
as prose, glossaries, version history, a unit's outcomes and criteria, its
evidence guide and assessment guidance, and evidence requirements.  Each
returns :class:`~plugins.handbook.rst.RST`; a style's template arranges them
and chooses the words around them."""

from __future__ import annotations

from collections.abc import Sequence

from specc import ir, prose
from specc.vocab import EVIDENCE_METHODS

from .rst import (
    RST,
    bullets,
    criterion_target,
    demand,
    enumerated,
    escape,
    field_list,
    lead,
    ref,
    reuse,
    strong,
    table,
    target_def,
    text,
)


def render(folder, spec: ir.Spec, template: str = "handbook.rst.j2", **extra) -> str:
    """Render a style's template in ``folder`` with what every handbook
    template gets (``spec``, ``doc``, ``h`` (this module), ``units``, ``sets``
    (the spec's own requirement sets), ``labels``, ``number_word``) plus the
    style's own ``extra``."""
    import sys

    from . import rst

    context = {
        "spec": spec,
        "doc": spec.document,
        "h": sys.modules[__name__],
        "units": own_units(spec),
        "sets": own_requirement_sets(spec),
        "labels": method_labels(spec),
        "number_word": prose.number_word,
    }
    context.update(extra)
    return rst.render(folder, template, **context)


def method_labels(spec: ir.Spec) -> dict[str, str]:
    out = dict(EVIDENCE_METHODS)
    out.update({m.id: m.label for m in spec.methods})
    return out


def own_units(spec: ir.Spec) -> list[ir.Unit]:
    return [u for u in spec.units if "." not in u.id]


def own_requirement_sets(spec: ir.Spec) -> list[ir.RequirementSet]:
    return [rs for rs in spec.requirement_sets if rs.origin in (None, spec.document.id)]


def status(spec: ir.Spec, q: ir.Qualification, u: ir.Unit, mandatory: str = "M", optional: str = "O", absent: str = "") -> str:
    if not any(x is q for x in spec.qualifications_of(u.id)):  # (a table: a scan of q.units per unit was quadratic)
        return absent
    return mandatory if u.id in q.mandatory else optional


def document_fields(spec: ir.Spec) -> RST:
    """The fields under the title, which make the printed cover: awarding
    body, qualification numbers, version and date."""
    d = spec.document
    numbers = qualification_numbers(spec)
    return field_list(
        [
            ("Awarding body", d.body.name),
            ("Qualification number" if len(numbers) == 1 else "Qualification numbers", ", ".join(numbers)),
            ("Version", d.version),
            ("Published", prose.date(d.published)),
        ]
    )


def qualification_numbers(spec: ir.Spec) -> list[str]:
    """Each qualification's number, with its regulator reference where it has
    both ("4411-30 (500/9719/2)")."""
    out = []
    for q in spec.qualifications:
        ids = [x for x in (q.number, q.reference) if x]
        if ids:
            out.append(ids[0] + (f" ({ids[1]})" if len(ids) > 1 and ids[1] != ids[0] else ""))
    return out


def history_table(spec: ir.Spec) -> RST:
    rows = [(c.version, prose.date(c.date), text(c.detail), text(c.section) if c.section else "") for c in spec.document.history]
    return table(("Version", "Date", "Change detail", "Section"), rows, (8, 10, 52, 30))


def rules_prose(spec: ir.Spec, q: ir.Qualification, who: str = "learners") -> RST:
    """"To achieve the … learners must achieve:" and a bullet per rule, then
    the barred pairs that apply."""
    name = q.title + (f" ({q.number})" if q.number and q.number not in q.title else "")
    name = q.structure_title or name  # the structure section's own name for it
    parts = [lead(RST(f"To achieve the {escape(name)}, {escape(who)} must achieve:")), bullets(prose.rules(spec, q))]
    barred = prose.barred_pairs(spec, q.units)
    if barred:
        parts += [lead("The following combinations of units are barred:"), bullets(barred)]
    return RST("\n\n".join(parts))


def glossary_table(entries: Sequence[ir.GlossaryEntry], head: tuple[str, str] = ("Term", "Definition")) -> RST:
    return table(head, [(e.term, text(e.definition)) for e in entries], (25, 75))


def outcome_list(u: ir.Unit) -> RST:
    return enumerated([o.listed or o.statement for o in u.outcomes], start=u.outcomes[0].number if u.outcomes else 1)


def criteria_list(u: ir.Unit, o: ir.Outcome) -> RST:
    """A paragraph per criterion, ``1.1 statement``, each a cross-reference
    target (reuse links elsewhere point here)."""
    out = []
    for c in o.criteria:
        out.append(f"{target_def(criterion_target(u, c.ref))}\n\n{strong(c.ref)} {escape(c.statement)}")
    return RST("\n\n".join(out))


def demands_list(spec: ir.Spec, u: ir.Unit) -> RST:
    """A bullet per criterion with demands: "**1.2**: **two** health and
    safety laws", for a list after the criteria or the guidance."""
    labels = method_labels(spec)
    return bullets([RST(f"{strong(c.ref)}: " + "; ".join(demand(d, labels) for d in c.demands)) for c in u.criteria if c.demands])


def demands_and_reuse(spec: ir.Spec, u: ir.Unit, c: ir.Criterion) -> RST:
    """What a criterion demands, quantities emphasised, and where its evidence
    may be reused from (its own reuse links and those of the evidence-guide
    rows that apply to it)."""
    lines = []
    if c.demands:
        labels = method_labels(spec)
        lines.append(RST("Evidence demanded: " + "; ".join(demand(d, labels) for d in c.demands) + "."))
    for r in u.reuse_for(c.ref):
        lines.append(RST("Evidence may be reused from " + reuse(spec, u, r) + "."))
    return RST("\n\n".join(lines))


def evidence_guide(spec: ir.Spec, u: ir.Unit, labels: dict[str, str], head=("Criteria", "Possible forms of evidence")) -> RST:
    rows = []
    for row in u.evidence_guide:
        cell = []
        said = [" ".join(n.plain.split()) for n in row.notes]
        methods = ", ".join(labels.get(m, m) for m in row.methods)
        paragraphs = [b.text for n in row.notes for b in n.blocks if isinstance(b, ir.Paragraph)]
        if methods and not any(_same(methods, p) for p in paragraphs):
            cell.append(RST(strong(methods)))  # unless a note already says just that
        cell += [text(n) for n in row.notes]
        for r in row.reuse:
            if r.note is not None and any(" ".join(r.note.plain.split()) in n for n in said):
                # the row's own published words already say it (their mentions
                # of units and criteria become links: see links.py)
                continue
            cell.append(RST(row_reuse_lead(r) + reuse(spec, u, r) + "."))
        for lu in row.reuse_units:  # a lead-in naming units, no criterion
            cell.append(RST("Evidence gathered in " + escape(prose.units_list(spec, lu.units)) + " may be used." + ("" if lu.note is None or any(" ".join(lu.note.plain.split()) in n for n in said) else " " + text(lu.note))))
        for see in row.see:  # "refer to ... for guidance"
            target = spec.unit(see.unit) if see.unit else u
            says = f"For {', '.join(see.for_criteria)}, see" if see.for_criteria else "See"
            where = [ref(f"{prose.unit_label(spec, target.id)} criterion {c}" if see.unit else f"criterion {c}", criterion_target(target, c)) if target is not None and target.criterion(c) else escape(c) for c in see.criteria]
            cell.append(RST(escape(says) + " " + ", ".join(where) + " for guidance."))
        if row.demands:  # the row's own demands, counted over all its criteria
            cell.append(RST("Evidence demanded across these criteria: " + "; ".join(demand(d, labels) for d in row.demands) + "."))
        rows.append((", ".join(row.criteria), RST("\n\n".join(cell))))
    return table(head, rows, (18, 82))


def _same(a: str, b: str) -> bool:
    return a.strip().rstrip(".").casefold() == b.strip().rstrip(".").casefold()


def row_reuse_lead(r: ir.Reuse) -> str:
    """"Evidence may be reused from " or, for a link given for some of the
    row's criteria, "For 2.1, evidence may be reused from "."""
    if not r.for_criteria:
        return "Evidence may be reused from "
    refs = list(r.for_criteria)
    who = refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " and " + refs[-1]
    return f"For {escape(who)}, evidence may be reused from "


def has_explanation(u: ir.Unit, c: ir.Criterion) -> bool:
    """Whether a criterion has anything to explain: guidance, demands or reuse
    links (its own or its evidence-guide rows')."""
    return bool(c.guidance or c.demands or u.reuse_for(c.ref))


def guidance_table(u: ir.Unit) -> RST:
    """NCFE-style assessment guidance: each published entry once, with the
    criteria it names."""
    # one Guidance object is shared by the criteria its entry names; two
    # entries with the same text are still two entries, so key by identity
    entries: dict[int, tuple[ir.Guidance, list[str]]] = {}
    for c in u.criteria:
        for g in c.guidance:
            entries.setdefault(id(g), (g, []))[1].append(c.ref)
    ordered = sorted(entries.values(), key=lambda e: (e[0].span.line, e[0].span.col))
    return table(("Assessment criteria", "Assessment guidance"), [(", ".join(refs), text(g.text)) for g, refs in ordered], (18, 82))


def environments(spec: ir.Spec) -> list[tuple[str, list[str]]]:
    """Where evidence may come from and whether simulation is allowed, as the
    spec's qualifications and units say it: each distinct statement once,
    with who it applies to ("the Level 1 Award ...", "unit 001")."""
    out: dict[str, list[str]] = {}
    for q in spec.qualifications:
        said = environment(q.environment)
        if said:
            out.setdefault(said, []).append(q.title)
    units = own_units(spec)
    for u in units:
        said = environment(u.environment)
        if said:
            out.setdefault(said, []).append(f"unit {u.label}")
    every = [f"unit {u.label}" for u in units]
    return [(said, ["every unit"] if who == every and len(every) > 1 else who) for said, who in out.items()]


def evidence_types(spec: ir.Spec) -> list[str]:
    """The evidence the document names, then the methods the spec defines
    itself, as labels."""
    labels = method_labels(spec)
    ids = list(spec.document.evidence_methods)
    ids += [m.id for m in spec.methods if not m.builtin and m.id not in ids]
    return [labels.get(m, m) for m in ids]


def applies_to(who: Sequence[str]) -> str:
    """"units 001, 002 and 003" from ["unit 001", "unit 002", "unit 003"]."""
    units = [w[len("unit "):] for w in who if w.startswith("unit ")]
    others = [w for w in who if not w.startswith("unit ")]
    parts = list(others)
    if units:
        parts.append(("unit " if len(units) == 1 else "units ") + _and(units))
    return _and(parts)


def _and(words: Sequence[str]) -> str:
    return "".join(words) if len(words) <= 1 else ", ".join(words[:-1]) + " and " + words[-1]


def environment(env: ir.Environment) -> str | None:
    names = {"workplace": "the real workplace", "rwe": "a realistic working environment", "placement": "a work placement"}
    bits = []
    if env.sources:
        srcs = [names.get(s, s) for s in env.sources]
        bits.append(f"Evidence {'must' if len(srcs) == 1 else 'may'} come from {prose.either(srcs)}.")
    words = {"allowed": "allowed", "forbidden": "not allowed", "exceptional": "allowed only in exceptional circumstances"}
    for rule in env.simulation:
        what = f" for {rule.applies_to} evidence" if rule.applies_to else ""
        bits.append(f"Simulation is {words[rule.mode]}{what}{prose.exception(rule.exception)}.")
    return " ".join(bits) or None


def guidelines(g: ir.Guidelines) -> RST:
    """Published assessment guidelines: the lead-in, then the lettered
    guidelines with their letters as published."""
    blocks = [text(n) for n in g.notes]
    if g.items:
        blocks.append(RST(".. class:: range\n\n" + "\n".join("- " + escape(f"{it.letter}") + " " + text(it.text).replace("\n", "\n  ") for it in g.items)))
    return RST("\n\n".join(blocks))


def qualification_guidance(q: ir.Qualification) -> RST:
    """A qualification's published guidance, each under a plain label: its
    basis, aims, objectives, restriction and credit certificate."""
    parts = []
    for label, t in (("Basis", q.basis), ("Aims", q.aims), ("Objectives", q.objectives), ("Restriction", q.restriction), ("Credit certificate", q.credit_certificate)):
        if t is not None:
            parts += [strong(label), text(t)]
    return RST("\n\n".join(parts))


def document_guidance(spec: ir.Spec) -> RST:
    """Who developed the document, then its published guidelines."""
    parts = []
    dev = spec.document.developed_by
    if dev is not None:
        parts += [text(dev.lead), bullets(dev.organisations)]
    for g in spec.document.guidelines:
        parts += [strong(g.title), guidelines(g)]
    return RST("\n\n".join(parts))
