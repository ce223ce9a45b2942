"""Helpers shared by the export tests: the qualifications to test, JSON Schema
validators for their portfolio schemas, and hypothesis strategies that make
portfolios -- achieving ones from :mod:`specc_plugins.export.sample`, and mutations
of them that break (or keep) the schema in every way a portfolio can.

Not a test module itself (pytest collects ``test_*.py`` only)."""

from __future__ import annotations

import copy
from typing import Any

import datetime
import re

import fastjsonschema
import jsonschema
from hypothesis import strategies as st

from specc.sink import confine, parts, safe_component
from specc_plugins.export import sample, validator
from specc_plugins.export.model import qualification_model
from specc_plugins.export.portfolio import portfolio_schema


class MemorySink:
    """A sink that keeps what an emitter writes in memory."""

    name = staticmethod(safe_component)

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def write(self, rel: str, data) -> str:
        from pathlib import PurePosixPath

        key = PurePosixPath(confine(rel)).as_posix()
        self.files[key] = b"".join(parts(data))
        return key

# ---------------------------------------------------------------------- qualifications


def complete(spec, q) -> bool:
    """Whether every unit a route of ``q`` may contain is declared (specs/ are
    being transcribed; an incomplete qualification is left to the synthetic specs)."""
    return bool(q.units) and all(spec.unit(u) is not None for u in q.units) and q.routes is not None and q.routes.satisfiable


def real_cases(specs: dict) -> list[tuple[str, Any, Any]]:
    """(label, spec, qualification) for each complete qualification in specs/."""
    return [(f"{d}/{q.id}", s, q) for d, s in sorted(specs.items()) for q in s.qualifications if complete(s, q)]


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_calendar_date(value: str) -> bool:
    """RFC 3339 full-date, as jsonschema's format checker has it (fastjsonschema's
    own `date` format is a regular expression that lets 2025-02-30 through)."""
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def fast_validator(schema: dict):
    """fastjsonschema's compiled validator as a predicate."""
    check = fastjsonschema.compile(schema, formats={"date": is_calendar_date})

    def valid(doc) -> bool:
        try:
            check(doc)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return valid


class Case:
    """One qualification with everything the tests need, built once."""

    def __init__(self, spec, q):
        self.spec, self.q = spec, q
        self.model = qualification_model(spec, q)
        self.schema = portfolio_schema(self.model)
        self.source = validator.render(spec, q)
        self.module = validator.load(self.source)
        # the same module without its short cut for ordinary evidence records:
        # every item goes through the full check
        self.thorough = validator.load(self.source)
        self.thorough._plain_record = lambda item, table, ranges: False
        self.jsonschema = jsonschema.Draft202012Validator(self.schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        self.good = sample.achieving(self.model, q.routes.cheapest.units)
        self.pool = value_pool(self.model)
        self.keys = key_pool(self.model)
        self._fast = None

    @property
    def fast(self):
        """fastjsonschema's validator (compiled on first use: seconds for a large schema)."""
        if self._fast is None:
            self._fast = fast_validator(self.schema)
        return self._fast


_CASES: dict = {}


def case(spec, q) -> Case:
    key = (id(spec), q.id)
    if key not in _CASES:
        _CASES[key] = Case(spec, q)
    return _CASES[key]


# ---------------------------------------------------------------------- strategies

ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, 10**20, "", " ", "\t\n", "x", "E1", "0", "1.1", "9.9", "1.1.1", "a.b",
    [], [None], ["x"], {}, {"x": 1},
    "2024-09-03", "2025-06-30", "2023-01-01", "2030-12-31", "2025-02-28", "2024-02-29",
    "2025-02-30", "2025-13-01", "2025-00-10", "2025-1-01", "25-01-01", "2025/01/01", "2025-01-01T10:00:00",
    "2025-01-01\n", " 2025-01-01", "\uff12\uff10\uff12\uff15-01-01", "\u0662\u0660\u0662\u0665-01-01",
    "1234567890", "123456789", "12345678901", "\uff11234567890", "123456789\n",
    "workplace", "rwe", "placement", "simulation", "elsewhere", "observation", "telepathy", "rpl",
    "d1_1", "d1_2", "d1_3", "d1_9", "d2_1", "d2_5", "d3_1", "d0_1", "d1_0", "d1_01", "r5a", "r5z", "r7x1", "r7x3", "r6b",
]


def value_pool(model: dict) -> list[Any]:
    """Values worth trying anywhere: odd ones, and the names the model knows."""
    out = list(ODD_VALUES)
    out += list(model["methods"]) + list(model["units"]) + [model["qualification"]["id"], model["qualification"]["id"] + "x"]
    for u in model["units"].values():
        out += list(u["criteria"])
        for c in u["criteria"].values():
            out += [s for d in c["demands"] for s in d["slots"]]
        for sid, rs in u["requirement_sets"].items():
            out.append(sid)
            out += [it["slot"] for rg in rs["ranges"] for it in rg["items"]]
            out += [s for d in rs["distinct"] for s in d["slots"]]
    seen, unique = set(), []
    for v in out:
        key = repr(v)
        if key not in seen:
            seen.add(key)
            unique.append(v)
    return unique


FIELD_NAMES = [
    "$schema", "portfolio_format", "qualification", "as_of", "learner", "registration", "units", "name", "id", "uln",
    "date_of_birth", "start", "number", "centre", "criteria", "notes", "evidence", "method", "date", "environment",
    "location", "reference", "assessor", "customer", "covers", "ranges", "distinct", "reused_from", "unit", "criterion",
    "extra", "",
]


def key_pool(model: dict) -> list[str]:
    return [k for k in value_pool(model) if isinstance(k, str)] + FIELD_NAMES


def _locations(doc: Any) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """Every (container, key) in a JSON document, and every container."""
    locs, containers = [], []

    def walk(node):
        if isinstance(node, dict):
            containers.append(node)
            for k, v in node.items():
                locs.append((node, k))
                walk(v)
        elif isinstance(node, list):
            containers.append(node)
            for i, v in enumerate(node):
                locs.append((node, i))
                walk(v)

    walk(doc)
    return locs, containers


def _value(data, case: Case, doc: Any) -> Any:
    how = data.draw(st.sampled_from(("pool", "pool", "text", "copy")))
    if how == "pool":
        return copy.deepcopy(data.draw(st.sampled_from(case.pool)))
    if how == "text":
        return data.draw(st.text(max_size=6))
    locs, _ = _locations(doc)
    if not locs:
        return None
    c, k = locs[data.draw(st.integers(0, len(locs) - 1))]
    return copy.deepcopy(c[k])


ITEM_FIELDS = ["id", "method", "date", "environment", "location", "reference", "assessor", "customer", "notes", "covers", "ranges",
               "distinct", "reused_from"]


def _evidence_items(doc: Any) -> list[dict]:
    """The evidence items of a portfolio (objects in `evidence` arrays)."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "evidence" and isinstance(v, list):
                    out.extend(x for x in v if isinstance(x, dict))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return out


def mutate(data, case: Case, doc: Any) -> Any:
    """One change anywhere in ``doc`` (in place where possible; returns the
    document); half the time to a field of an evidence item, where most of
    the schema is."""
    items = _evidence_items(doc)
    if items and data.draw(st.booleans()):
        item = items[data.draw(st.integers(0, len(items) - 1))]
        key = data.draw(st.sampled_from(ITEM_FIELDS))
        if key in item and data.draw(st.booleans()):
            del item[key]
        else:
            item[key] = _value(data, case, doc)
        return doc
    locs, containers = _locations(doc)
    op = data.draw(st.sampled_from(("replace", "delete", "add", "add", "copy")))
    if op in ("replace", "delete", "copy") and locs:
        c, k = locs[data.draw(st.integers(0, len(locs) - 1))]
        if op == "delete":
            del c[k]
        elif op == "replace":
            c[k] = _value(data, case, doc)
        else:
            # a sibling or any other node of the same document: plausible structures
            c2, k2 = locs[data.draw(st.integers(0, len(locs) - 1))]
            c[k] = copy.deepcopy(c2[k2])
        return doc
    if not containers:
        return _value(data, case, doc)
    c = containers[data.draw(st.integers(0, len(containers) - 1))]
    if isinstance(c, dict):
        key = data.draw(st.one_of(st.sampled_from(case.keys), st.text(max_size=4)))
        c[key] = _value(data, case, doc)
    elif c and data.draw(st.booleans()):
        c.append(copy.deepcopy(c[data.draw(st.integers(0, len(c) - 1))]))  # a duplicate
    else:
        c.append(_value(data, case, doc))
    return doc


def base_portfolio(data, case: Case) -> dict:
    """An achieving portfolio, or one with any subset of the units (the schema
    does not care about the rules of combination)."""
    units = list(case.model["units"])
    if data.draw(st.booleans()):
        route = list(case.q.routes.cheapest.units)
    else:
        route = data.draw(st.lists(st.sampled_from(units), unique=True, max_size=4)) if units else []
    learner = data.draw(st.integers(0, 5))
    return sample.achieving(case.model, route, learner=learner)


def portfolio(data, case: Case, max_mutations: int = 3) -> Any:
    doc = base_portfolio(data, case)
    for _ in range(data.draw(st.integers(0, max_mutations))):
        doc = mutate(data, case, doc)
    return doc


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
"""Any JSON value."""
