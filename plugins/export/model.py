"""What a portfolio is checked against, taken from the IR once.

:func:`qualification_model` flattens one qualification of a compiled spec into
plain JSON data (dicts, lists, strings, ints, booleans, None).  The portfolio
schema and the generated validator are both built from it, so they cannot
disagree about units, criteria, slots or ranges, and the validator embeds it
as literals (never as code).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from specc import ir, prose, slots
from specc.solver import further_units

from .runtime import ENVIRONMENTS as EVIDENCE_ENVIRONMENTS  # where evidence was produced: the IR's environments plus simulation
from .runtime import FORMAT  # version of the portfolio format (``portfolio_format`` in a portfolio)


def _sources(qualification: ir.Environment, envs: list[ir.Environment]) -> list[str] | None:
    """The environments evidence of a unit may come from (None: the spec does
    not restrict).  ``envs`` are the unit's and its requirement sets'
    environments: each ``evidence from`` among them narrows the list; the
    qualification's applies where they are all silent, and narrows theirs
    too, unless nothing would be left (then the unit's own statements win)."""
    allowed: list[str] | None = None
    for env in envs:
        if env.sources:
            allowed = [s for s in (allowed if allowed is not None else ir.ENVIRONMENTS) if s in env.sources]
    if qualification.sources:
        if allowed is None:
            return [s for s in ir.ENVIRONMENTS if s in qualification.sources]
        narrowed = [s for s in allowed if s in qualification.sources]
        if narrowed:
            return narrowed
    return allowed


SIMULATION_DEFAULT = "allowed"
"""Simulation is allowed unless the spec says otherwise."""


def _simulation(qualification: ir.Environment, envs: list[ir.Environment], kind: str) -> str:
    """``allowed``, ``exceptional`` or ``forbidden``: whether simulated ``kind``
    evidence counts.  The most specific statement wins: the unit's and its
    requirement sets' rules (forbidden if any forbids it, exceptional if any
    allows it only in exceptional circumstances) override the
    qualification's; when all are silent, :data:`SIMULATION_DEFAULT`."""
    modes = [m for m in (env.simulation_mode(kind) for env in envs) if m is not None]
    if not modes:
        mode = qualification.simulation_mode(kind)
        return mode if mode is not None else SIMULATION_DEFAULT
    for mode in ("forbidden", "exceptional"):
        if mode in modes:
            return mode
    return "allowed"


def reuse_sources(u: ir.Unit, c: ir.Criterion) -> list[list[str]]:
    """``[unit, criterion]`` pairs whose evidence criterion ``c`` may reuse
    (:meth:`specc.ir.Unit.reuse_for`: its own links and the evidence-guide
    row links that apply to it)."""
    out: list[list[str]] = []
    for r in u.reuse_for(c.ref):
        for ref in r.criteria:
            pair = [r.unit or u.id, ref]
            if pair != [u.id, c.ref] and pair not in out:
                out.append(pair)
    return out


def _methods_for(u: ir.Unit, c: ir.Criterion) -> list[str]:
    out: list[str] = []
    for row in u.evidence_guide:
        if c.ref in row.criteria:
            out.extend(m for m in row.methods if m not in out)
    return out


def _by_model(d: ir.Demand, labels: dict[str, str]) -> dict[str, Any] | None:
    """A demand's ``of which ... by`` clause: how many of its items must be
    evidenced by one of ``methods`` (None: any method will do)."""
    if d.by is None:
        return None
    parts = prose.demand_by_parts(d, labels)
    return {"count": d.by.count, "op": d.by.op, "methods": list(d.by.methods), "text": f"{parts[0]}{parts[1]} by {parts[2]}"}


def requirement_set_model(rs: ir.RequirementSet) -> dict[str, Any]:
    ranges, distinct, different = [], [], []
    for r in rs.requirements:
        for rg in r.ranges:
            ranges.append(
                {
                    "requirement": r.number,
                    "choose": rg.choose,
                    "required": rg.required,
                    "text": r.text.plain,
                    "items": [{"slot": s.id, "letter": s.letter, "text": s.label} for s in slots.range_slots(r, rg)],
                }
            )
        for d in r.distinct:
            distinct.append(
                {
                    "requirement": r.number,
                    "count": d.count,
                    "what": d.what,
                    "slots": [s.id for s in slots.distinct_slot_list(r, d)],
                }
            )
        for what in r.different:
            different.append({"requirement": r.number, "what": what})
    return {"title": rs.title, "code": rs.code, "ranges": ranges, "distinct": distinct, "different": different}


NO_ENVIRONMENT = ir.Environment()


def unit_model(spec: ir.Spec, u: ir.Unit, mandatory: bool, qualification: ir.Environment = NO_ENVIRONMENT) -> dict[str, Any]:
    """One unit of a qualification (``qualification``: the qualification's
    environment, which applies where the unit and its requirement sets are silent)."""
    sets = [spec.requirement_set(x) for x in u.assessed_under]
    sets = [s for s in sets if s is not None]
    envs = [u.environment] + [s.environment for s in sets]
    criteria: dict[str, Any] = {}
    labels = {m.id: m.label for m in spec.methods}
    for o in u.outcomes:
        for c in o.criteria:
            demands = []
            criterion_slots = slots.criterion_slots(c)
            for i, d in enumerate(c.demands, start=1):
                demands.append(
                    {
                        "index": i,
                        "count": d.count,
                        "op": d.op,
                        "what": d.what,
                        "different": d.different,
                        "by": _by_model(d, labels),
                        "alternatives": [{"count": a.count, "what": a.what} for a in d.alternatives],
                        "text": prose.demand(d, labels),
                        "slots": [s.id for s in criterion_slots if s.demand == i],
                        "labels": {s.id: s.label for s in criterion_slots if s.demand == i},
                    }
                )
            criteria[c.ref] = {
                "statement": c.statement,
                "kind": o.kind,
                "simulation": _simulation(qualification, envs, o.kind),
                "demands": demands,
                "reuse": reuse_sources(u, c),
                "methods": _methods_for(u, c),
            }
    return {
        "title": u.title,
        "label": u.label,
        "credits": u.credits or 0,
        "mandatory": mandatory,
        "environments": _sources(qualification, envs),
        "criteria": criteria,
        "requirement_sets": {rs.id: requirement_set_model(rs) for rs in sets},
        "row_demands": _row_demands(u, labels),
    }


class UnitModels(Mapping[str, dict]):
    """A qualification's declared units, by id in its order, as :func:`unit_model`
    makes them: each made when looked up and not kept, so that what reads
    them one at a time (the portfolio schema and the validator, written a
    unit at a time) never holds them all.  Membership (``in``) makes none."""

    def __init__(self, spec: ir.Spec, q: ir.Qualification):
        self._spec, self._q = spec, q
        self._known = dict.fromkeys(u for u in q.units if spec.unit(u) is not None)  # in order, each once
        self._mandatory = frozenset(q.mandatory)

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, uid: object) -> bool:
        return uid in self._known

    def __getitem__(self, uid: str) -> dict[str, Any]:
        if uid not in self._known:
            raise KeyError(uid)
        return unit_model(self._spec, self._spec.unit(uid), uid in self._mandatory, self._q.environment)


def _row_demands(u: ir.Unit, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The demands of evidence-guide rows ("two incoming telephone calls must
    be observed"): each counted over the evidence of all the row's criteria."""
    out = []
    for row in u.evidence_guide:
        for d in row.demands:
            out.append(
                {
                    "criteria": list(row.criteria),
                    "count": d.count,
                    "op": d.op,
                    "what": d.what,
                    "different": d.different,
                    "by": _by_model(d, labels),
                    "text": prose.demand(d, labels),
                }
            )
    return out


def _rule_model(spec: ir.Spec, r: ir.Rule) -> dict[str, Any] | None:
    text = prose.rule(spec, r)
    if isinstance(r, ir.MinTotal):
        return {"kind": "min_total", "credits": r.credits, "text": text}
    if isinstance(r, ir.MaxTotal):
        return {"kind": "max_total", "credits": r.credits, "text": text}
    if isinstance(r, ir.Mandatory):
        return {"kind": "mandatory", "units": list(r.units), "text": text}
    if isinstance(r, ir.CreditsFrom):
        return {"kind": "credits_from", "op": r.op, "credits": r.credits, "units": list(r.units), "text": text}
    return None  # Remaining: it only says which units a route may contain


def _further_model(spec: ir.Spec, q: ir.Qualification, r: ir.Rule) -> dict[str, Any] | None:
    """``remaining N credits from``: at least N credits from its units, the
    mandatory units left out (the runtime counts it like ``credits_from``)."""
    if isinstance(r, ir.Remaining) and r.credits is not None:
        return {"kind": "further", "op": "at_least", "credits": r.credits, "units": list(further_units(q, r)), "text": prose.rule(spec, r)}
    return _rule_model(spec, r)


def qualification_model(spec: ir.Spec, q: ir.Qualification, lazy_units: bool = False) -> dict[str, Any]:
    """``lazy_units``: ``units`` is a :class:`UnitModels` (each unit's model
    made when read), not a dict of them all."""
    units = UnitModels(spec, q)
    rules = [m for m in (_further_model(spec, q, r) for r in q.rules) if m is not None]
    # the totals first, as the prose and the handbooks put them
    rules.sort(key=lambda m: 0 if m["kind"] in ("min_total", "max_total") else 1)
    seen, barred = set(), []
    for b in spec.barred:
        key = frozenset((b.a, b.b))
        if b.a in units and b.b in units and key not in seen and b.a != b.b:
            seen.add(key)
            barred.append({"units": [b.a, b.b], "text": prose.barred(spec, b)})
    d = spec.document
    return {
        "format": FORMAT,
        "document": {"id": d.id, "title": d.title, "version": d.version, "body": d.body.name},
        "qualification": {
            "id": q.id,
            "title": q.title,
            "number": q.number,
            "reference": q.reference,
            "registration_months": q.registration_months,
        },
        "methods": {m.id: m.label for m in spec.methods},
        "environments": list(EVIDENCE_ENVIRONMENTS),
        "units": units if lazy_units else dict(units.items()),
        "mandatory": [u for u in q.mandatory if u in units],
        "rules": rules,
        "barred": barred,
        # declared `different` names: the evidence field that must differ -> what it is
        "different": {x.id: x.label for x in spec.distinctions if not x.builtin},
    }
