"""Sample portfolios for a qualification: one that achieves it and variants
that fail in instructive ways.  Used by scripts/make_examples.py (through
:mod:`.examples`), the tests and the benchmark.  Everything is deterministic
(no clock, no randomness)."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable

from .runtime import FORMAT, add_months

START = datetime.date(2024, 9, 2)
NAMES = ("Alex Morgan", "Sam Patel", "Jo Williams", "Chris Okafor", "Priya Shah", "Lee Evans")


def _method(model: dict, crit: dict, must: Iterable[Iterable[str]] = (), avoid: Iterable[str] = ()) -> str:
    """An evidence method for an item of ``crit``: one of the criterion's
    evidence-guide methods where possible, one of each of ``must`` (the
    methods of the ``of which ... by`` clauses the item counts for) and none
    of ``avoid`` (those of ``exactly`` clauses it must not count for)."""
    must = [set(ms) for ms in must]
    avoid = set(avoid)
    default = ("observation",) if crit["kind"] == "performance" else ("written_questioning", "oral_questioning")
    for fits in (lambda m: all(m in ms for ms in must) and m not in avoid, lambda m: True):
        for m in tuple(crit["methods"]) + default + tuple(model["methods"]):
            if m in model["methods"] and m not in ("simulation", "rpl") and fits(m):
                return m
    raise ValueError("the specification has no evidence methods")


def _by_constraints(crit: dict, k: int) -> tuple[list[list[str]], list[str]]:
    """For the ``k``-th item (0-based) of a criterion, which covers item k of
    each demand: the method sets it must be in (``of which`` clauses it counts
    for) and the methods it must avoid (``exactly`` clauses already met)."""
    must: list[list[str]] = []
    avoid: list[str] = []
    for d in crit["demands"]:
        by = d.get("by")
        if by is None or k >= d["count"]:
            continue
        if k < by["count"]:
            must.append(by["methods"])
        elif by["op"] == "exactly":
            avoid.extend(by["methods"])
    return must, avoid


class Builder:
    """Builds achieving evidence for units, numbering items E1, E2, ..."""

    def __init__(self, model: dict, start: datetime.date = START, first_item: int = 1):
        self.model = model
        self.start = start
        months = model["qualification"]["registration_months"] or 36
        self.days = max(2, (add_months(start, months) - start).days - 2)
        self.n = first_item - 1
        self.last = start

    def _next(self) -> tuple[str, str]:
        self.n += 1
        day = self.start + datetime.timedelta(days=1 + (self.n * 3) % self.days)
        self.last = max(self.last, day)
        return f"E{self.n}", day.isoformat()

    def item(self, uid: str, ref: str, covers: list[str], k: int = 0) -> dict:
        """An evidence record for criterion ``ref``, the ``k``-th (0-based) of
        the criterion, covering ``covers``."""
        unit = self.model["units"][uid]
        crit = unit["criteria"][ref]
        envs = unit["environments"]
        ident, day = self._next()
        out = {
            "id": ident,
            "method": _method(self.model, crit, *_by_constraints(crit, k)),
            "date": day,
            "environment": envs[0] if envs else "workplace",
            "location": f"Portfolio section {unit['label']}, page {self.n}",
            "assessor": "J. Smith",
            "customer": f"Customer {self.n}",
            "covers": covers,
        }
        for name in self.model.get("different", {}):
            out.setdefault(name, f"{name} {self.n}")  # a declared `different` field, a new value each item
        return out

    def unit(self, uid: str, reuse: bool = True) -> dict:
        """Evidence meeting every criterion and requirement of a unit."""
        unit = self.model["units"][uid]
        criteria: dict = {}
        for ref, crit in unit["criteria"].items():
            need = max([1] + [d["count"] for d in crit["demands"]])
            items = [self.item(uid, ref, [d["slots"][k] for d in crit["demands"] if k < d["count"]], k) for k in range(need)]
            criteria[ref] = {"evidence": items}
        if reuse:
            for ref, crit in unit["criteria"].items():
                src = next(((u, r) for u, r in crit["reuse"] if u == uid and r in criteria and r != ref), None)
                if src is None or crit["demands"]:
                    continue
                original = criteria[src[1]]["evidence"][0]
                criteria[ref] = {"evidence": [{"id": original["id"], "reused_from": {"criterion": src[1]}}]}
        records = [it for c in criteria.values() for it in c["evidence"] if "reused_from" not in it]
        k = 0
        for sid, rs in unit["requirement_sets"].items():
            for rg in rs["ranges"]:
                for it in rg["items"]:
                    target = records[k % len(records)]
                    target.setdefault("ranges", {}).setdefault(sid, []).append(it["slot"])
                    k += 1
            for d in rs["distinct"]:
                for j, slot in enumerate(d["slots"], start=1):
                    target = records[k % len(records)]
                    target.setdefault("distinct", {}).setdefault(sid, {})[slot] = f"{d['what']} {j}"
                    k += 1
        for d in unit.get("row_demands", []):
            # an evidence-guide row's demand: further records under its first criterion
            ref = next((r for r in d["criteria"] if r in criteria), None)
            if ref is None:
                continue
            by = d["by"]
            for j in range(d["count"]):
                extra = self.item(uid, ref, [])
                extra.pop("covers")
                if by is not None and j < by["count"]:
                    extra["method"] = by["methods"][0]
                criteria[ref]["evidence"].append(extra)
        return {"criteria": criteria}


def achieving(model: dict, route: Iterable[str], learner: int = 0, start: datetime.date = START) -> dict:
    """A portfolio that achieves the qualification through ``route`` (a valid
    combination of units, e.g. the solver's cheapest route)."""
    b = Builder(model, start)
    units = {uid: b.unit(uid) for uid in route}
    as_of = b.last + datetime.timedelta(days=1)
    return {
        "portfolio_format": FORMAT,
        "qualification": model["qualification"]["id"],
        "learner": {"name": NAMES[learner % len(NAMES)], "uln": f"{1000000000 + learner * 7919:010d}"},
        "registration": {"start": start.isoformat(), "number": f"REG{learner + 1:05d}"},
        "as_of": as_of.isoformat(),
        "units": units,
    }


# --------------------------------------------------------------------------- instructive failures


def _records(p: dict) -> Iterable[tuple[str, str, dict]]:
    for uid, u in p["units"].items():
        for ref, c in u["criteria"].items():
            for it in c["evidence"]:
                if "reused_from" not in it:
                    yield uid, ref, it


def _missing_mandatory(model, p):
    for uid in model["mandatory"]:
        if uid in p["units"]:
            del p["units"][uid]
            label = model["units"][uid]["label"]
            return f"Mandatory unit {label} is left out: the qualification cannot be achieved without it."
    return None


def _too_few_credits(model, p):
    optional = [u for u in p["units"] if not model["units"][u]["mandatory"]]
    if not optional:
        return None
    uid = optional[-1]
    del p["units"][uid]
    return f"Optional unit {model['units'][uid]['label']} is left out, so the achieved units no longer meet the credit rules."


def _same_occasion(model, p):
    for uid, u in p["units"].items():
        for ref, c in u["criteria"].items():
            for d in model["units"][uid]["criteria"][ref]["demands"]:
                if d["different"] == "occasions" and d["count"] > 1:
                    items = [it for it in c["evidence"] if set(it.get("covers", ())) & set(d["slots"]) and "date" in it]
                    for it in items:
                        it["date"] = items[0]["date"]
                    return f"Criterion {ref} of unit {model['units'][uid]['label']} demands {d['text']}, but all its evidence is dated the same day."
    return None


def _slot_missing(model, p):
    for uid, u in p["units"].items():
        for ref, c in u["criteria"].items():
            for d in model["units"][uid]["criteria"][ref]["demands"]:
                slot = d["slots"][-1]
                for it in c["evidence"]:
                    if slot in it.get("covers", ()):
                        it["covers"].remove(slot)
                        return f"Criterion {ref} of unit {model['units'][uid]['label']} demands {d['text']}; slot {slot} is left without evidence."
    return None


def _by_method_missing(model, p):
    for uid, u in p["units"].items():
        for ref, c in u["criteria"].items():
            crit = model["units"][uid]["criteria"][ref]
            for d in crit["demands"]:
                by = d.get("by")
                if by is None:
                    continue
                other = next(
                    (m for m in tuple(crit["methods"]) + tuple(model["methods"]) if m in model["methods"] and m not in by["methods"] and m not in ("simulation", "rpl")),
                    None,
                )
                items = [it for it in c["evidence"] if "reused_from" not in it and set(it.get("covers", ())) & set(d["slots"])]
                if other is None or not items:
                    continue
                for it in items:
                    it["method"] = other
                return (
                    f"Criterion {ref} of unit {model['units'][uid]['label']} demands {d['text']}, "
                    f"but all its evidence is by {model['methods'][other].lower()}."
                )
    return None


def _simulation(model, p):
    for uid, ref, it in _records(p):
        if model["units"][uid]["criteria"][ref]["simulation"] == "forbidden":
            it["environment"] = "simulation"
            return f"Evidence {it['id']} for criterion {ref} of unit {model['units'][uid]['label']} comes from a simulation, which the unit does not allow."
    return None


def _environment(model, p):
    for uid, _ref, it in _records(p):
        envs = model["units"][uid]["environments"]
        bad = [e for e in ("rwe", "placement", "workplace") if envs is not None and e not in envs]
        if bad:
            it["environment"] = bad[0]
            return f"Evidence {it['id']} for unit {model['units'][uid]['label']} comes from an environment ({bad[0]}) the unit does not accept."
    return None


def _outside_registration(model, p):
    months = model["qualification"]["registration_months"]
    start = datetime.date.fromisoformat(p["registration"]["start"])
    for uid, ref, it in _records(p):
        if months:
            day = add_months(start, months) + datetime.timedelta(days=10)
            p["as_of"] = (day + datetime.timedelta(days=1)).isoformat()
            it["date"] = day.isoformat()
            return f"Evidence {it['id']} (unit {model['units'][uid]['label']}, {ref}) is dated after the {months}-month registration period."
        it["date"] = (start - datetime.timedelta(days=30)).isoformat()
        return f"Evidence {it['id']} (unit {model['units'][uid]['label']}, {ref}) is dated before the learner was registered."
    return None


def _reuse_not_allowed(model, p):
    for uid, u in p["units"].items():
        refs = list(u["criteria"])
        for ref in refs:
            crit = model["units"][uid]["criteria"][ref]
            if crit["demands"] or [uid, refs[0]] in crit["reuse"] or ref == refs[0]:
                continue
            first = next(it for it in u["criteria"][refs[0]]["evidence"] if "reused_from" not in it)
            u["criteria"][ref]["evidence"] = [{"id": first["id"], "reused_from": {"criterion": refs[0]}}]
            return f"Criterion {ref} of unit {model['units'][uid]['label']} reuses evidence of criterion {refs[0]}, which the specification does not allow."
    return None


def _range_gap(model, p):
    for uid, u in p["units"].items():
        for sid, rs in model["units"][uid]["requirement_sets"].items():
            for rg in rs["ranges"]:
                drop = {it["slot"] for it in rg["items"]}
                if rg["choose"] is not None:
                    drop = set(sorted(drop)[rg["choose"] - 1 :])
                else:
                    drop = {rg["items"][-1]["slot"]}
                for c in u["criteria"].values():
                    for it in c["evidence"]:
                        if sid in it.get("ranges", {}):
                            it["ranges"][sid] = [s for s in it["ranges"][sid] if s not in drop]
                return f"Unit {model['units'][uid]['label']} is assessed under \u201c{rs['title']}\u201d; requirement {rg['requirement']}'s range is not fully covered."
    return None


def _barred(model, p):
    b = Builder(model, datetime.date.fromisoformat(p["registration"]["start"]), first_item=900)
    for pair in model["barred"]:
        x, y = pair["units"]
        for have, add in ((x, y), (y, x)):
            if have in p["units"] and add not in p["units"]:
                p["units"][add] = b.unit(add)
                p["as_of"] = max(p["as_of"], (b.last + datetime.timedelta(days=1)).isoformat())
                return f"Units {model['units'][have]['label']} and {model['units'][add]['label']} are both achieved, but they are barred from being taken together."
    return None


def _schema_errors(model, p):
    for _uid, _ref, it in _records(p):
        it["method"] = "telepathy"
        it["date"] = "2025-02-30"
        del it["assessor"]
        return f"Evidence {it['id']} has an unknown method, an impossible date and no assessor: the portfolio does not match its JSON Schema."
    return None


FAILURES: tuple[tuple[str, Callable], ...] = (
    ("missing-mandatory-unit", _missing_mandatory),
    ("too-few-credits", _too_few_credits),
    ("same-occasion", _same_occasion),
    ("demanded-slot-missing", _slot_missing),
    ("demanded-method-missing", _by_method_missing),
    ("simulation-not-allowed", _simulation),
    ("environment-not-permitted", _environment),
    ("outside-registration", _outside_registration),
    ("reuse-not-allowed", _reuse_not_allowed),
    ("range-not-covered", _range_gap),
    ("barred-units", _barred),
    ("schema-errors", _schema_errors),
)


def failures(model: dict, good: dict) -> list[tuple[str, str, dict]]:
    """(name, what is wrong, portfolio) for each failure this qualification can show."""
    out = []
    for name, make in FAILURES:
        p = copy.deepcopy(good)
        why = make(model, p)
        if why is not None:
            out.append((name, why, p))
    return out
