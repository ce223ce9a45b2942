"""Example portfolios for integrators: per qualification, one that achieves
it and several that fail in instructive ways, each with the report the
generated validator gives.  ``scripts/make_examples.py`` writes them to
``examples/<document>/<qualification>/``::

    achieves.json                       achieves.report.json
    fails-missing-mandatory-unit.json   fails-missing-mandatory-unit.report.json
    ...
    README.md                           what each example shows

Everything is deterministic: the portfolios come from :mod:`.sample` (no
clock, no randomness) and carry their ``as_of`` date, so the reports do not
depend on the day they are made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from specc import ir
from specc.sink import safe_component

from . import sample, validator
from .model import qualification_model


def dumps(data: Any) -> str:
    """JSON text as the examples are written: two-space indent, UTF-8, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def usable(spec: ir.Spec, q: ir.Qualification) -> bool:
    """A qualification examples can be made for: every unit a route may
    contain is declared, and a valid route exists."""
    return bool(q.units) and all(spec.unit(u) is not None for u in q.units) and q.routes is not None and q.routes.satisfiable


def route(spec: ir.Spec, q: ir.Qualification, mod) -> tuple[list[str], str]:
    """The units of the achieving example, and how they were chosen.

    The route with the fewest guided learning hours; but where the rules
    allow, one of its optional units is swapped for a unit assessed under
    evidence requirements with ranges, so that the examples show ranges too.
    Either way every unit is needed (leaving any one out breaks the rules of
    combination), so each failing example fails the qualification."""
    cheapest = list(q.routes.cheapest.units)
    how = "the route with the fewest guided learning hours"
    for uid in q.units:
        u = spec.unit(uid)
        sets = [spec.requirement_set(x) for x in u.assessed_under] if uid not in cheapest else []
        if not any(rs is not None and any(r.ranges for r in rs.requirements) for rs in sets):
            continue
        units = [x for x in q.units if x in cheapest or x == uid]
        if mod.check_combination(units):
            continue
        for other in reversed(cheapest):  # drop what is no longer needed
            trial = [x for x in units if x != other]
            if other not in q.mandatory and not mod.check_combination(trial):
                units = trial
        if all(mod.check_combination([x for x in units if x != y]) for y in units):
            return units, f"{how}, with unit {u.label} in place of optional units to show a range of evidence requirements"
    return cheapest, how


def cases(spec: ir.Spec, q: ir.Qualification, mod=None) -> list[tuple[str, str, dict]]:
    """(name, what it shows, portfolio): ``achieves`` first, then ``fails-*``."""
    mod = mod or validator.module_for(spec, q)
    model = qualification_model(spec, q)
    units, how = route(spec, q, mod)
    labels = ", ".join(model["units"][u]["label"] for u in units)
    credits = sum(model["units"][u]["credits"] for u in units)
    why = f"Achieves the qualification through units {labels} ({credits} credit{'' if credits == 1 else 's'}): {how}."
    good = sample.achieving(model, units)
    return [("achieves", why, good)] + [(f"fails-{name}", text, doc) for name, text, doc in sample.failures(model, good)]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _readme(spec: ir.Spec, q: ir.Qualification, rows: list[tuple[str, str, dict]]) -> str:
    lines = [
        f"# Example portfolios: {_cell(q.title)}",
        "",
        f"Qualification `{q.id}` of *{_cell(spec.document.title)}*"
        + (f", version {spec.document.version}" if spec.document.version else "")
        + ". Made by `scripts/make_examples.py` from the spec; do not edit by hand.",
        "",
        "Each `NAME.json` is a portfolio in the format of the qualification's portfolio JSON Schema",
        "(`specc build --emit portfolio-schema`), and `NAME.report.json` is what the generated validator",
        "(`specc build --emit validator`, or `specc validate`) reports for it.",
        "",
        "| example | what it shows | verdict | findings |",
        "|---|---|---|---|",
    ]
    for name, why, report in rows:
        codes = sorted({f["code"] for f in report["findings"]})
        lines.append(f"| [`{name}.json`]({name}.json) | {_cell(why)} | {report['verdict'].replace('_', ' ')} | {', '.join(codes) or '-'} |")
    return "\n".join(lines) + "\n"


def example_files(spec: ir.Spec) -> dict[str, str]:
    """{path under examples/: text} for every qualification of ``spec`` that
    examples can be made for."""
    files: dict[str, str] = {}
    for q in spec.qualifications:
        if not usable(spec, q):
            continue
        folder = f"{safe_component(spec.document.id)}/{safe_component(q.id)}"
        mod = validator.module_for(spec, q)
        rows = []
        for name, why, doc in cases(spec, q, mod):
            report = mod.validate(doc)
            files[f"{folder}/{name}.json"] = dumps(doc)
            files[f"{folder}/{name}.report.json"] = dumps(report)
            rows.append((name, why, report))
        files[f"{folder}/README.md"] = _readme(spec, q, rows)
    return files


def index(specs: list[ir.Spec], files: dict[str, str]) -> str:
    """examples/README.md: every qualification's examples."""
    lines = [
        "# Example portfolios",
        "",
        "For each qualification of the specs in `specs/`: a portfolio that achieves it and portfolios that",
        "fail in instructive ways, each with the report of the generated validator. Made by",
        "`scripts/make_examples.py`; `tests/test_export_examples.py` checks they are current.",
        "See the README section *Machine-readable export* for the portfolio format and the report.",
        "",
        "| document | qualification | examples |",
        "|---|---|---|",
    ]
    for spec in specs:
        for q in spec.qualifications:
            folder = f"{safe_component(spec.document.id)}/{safe_component(q.id)}"
            n = sum(1 for p in files if p.startswith(folder + "/") and p.endswith(".json") and not p.endswith(".report.json"))
            if n:
                lines.append(f"| {spec.document.id} | [{q.id}]({folder}/README.md) {_cell(q.title)} | {n} |")
    return "\n".join(lines) + "\n"


def all_files(specs: list[ir.Spec]) -> dict[str, str]:
    """Everything examples/ should hold for ``specs``."""
    files: dict[str, str] = {}
    specs = sorted(specs, key=lambda s: s.document.id)
    for spec in specs:
        files.update(example_files(spec))
    files["README.md"] = index(specs, files)
    return files


def batch_lines(spec: ir.Spec, n: int) -> Iterator[str]:
    """``n`` lines of JSON Lines like the examples of every usable
    qualification of ``spec`` (the achieving one and each failure, in turn),
    each with a learner of its own (name, ULN and registration number):
    a large body's batch, for the benchmarks and the engine tests."""
    every = [doc for q in spec.qualifications if usable(spec, q) for _, _, doc in cases(spec, q)]
    if not every:
        return
    for i in range(n):
        doc = every[i % len(every)]
        learner = doc.get("learner") if isinstance(doc, dict) else None
        if isinstance(learner, dict) and isinstance(doc.get("registration"), dict):
            doc = {**doc, "learner": {**learner, "uln": f"{2000000000 + i:010d}"}, "registration": {**doc["registration"], "number": f"REG{i + 1:07d}"}}
        yield json.dumps(doc, ensure_ascii=False)
