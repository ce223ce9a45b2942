"""The JSON Schema (draft 2020-12) of a learner's portfolio for one qualification.

A portfolio is one JSON object::

    {
      "qualification": "4411-30",
      "learner": {"name": "Ada Lovelace", "uln": "1234567890"},
      "registration": {"start": "2024-09-02", "number": "ABC123"},
      "as_of": "2025-06-30",
      "units": {
        "001": {
          "criteria": {
            "2.1": {
              "evidence": [
                {"id": "E1", "method": "written_questioning", "date": "2024-10-01",
                 "environment": "workplace", "location": "Portfolio p. 4",
                 "assessor": "J. Smith", "covers": ["d1_1", "d1_2", "d1_3"]}
              ]
            },
            "1.1": {"evidence": [{"id": "E1", "reused_from": {"criterion": "2.1"}}]}
          }
        }
      }
    }

``units`` holds the units taken, each with evidence per assessment criterion.
An evidence item either records evidence (``method`` from the spec's
evidence-method vocabulary, ``date``, ``environment``, ``location`` or
``reference``, ``assessor``, optionally ``customer`` and a text field for
each ``different NAME`` the spec declares, named NAME) or reuses an item
recorded under another criterion (``reused_from``: the criterion and, when
it is another unit's, the unit; ``id`` is the reused item's id).  Either kind
says what it covers: ``covers`` lists demanded slots of its criterion
(``d1_2``, see :mod:`specc.slots`), ``ranges`` the range items (``r5a``) and
``distinct`` the distinct slots (``r7x1`` -> what it shows) of the
requirement sets its unit is assessed under, keyed by set id.

The schema says everything a schema can: the qualification id, enums of unit
ids, criteria, slots, range items, methods and environments, minItems from
demand counts, required fields, date formats, no unknown fields.  What needs
more than one value at a time (credits, mandatory and barred units, different
occasions and customers, range coverage, reuse permissions, environment rules,
dates within the registration period) is the generated validator's job.

The ``$defs`` say once what any evidence item is (``evidence``), per unit
what its items may cover of its requirement sets, per criterion its slots
(each adding to the one before through ``allOf``).  :func:`schema_text`
writes the schema a unit at a time (:mod:`specc.jsontext`): at 100,000 units
it is never whole in memory, nor is the model when its units are lazy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from specc import jsontext, slots

# the patterns and field rules are the validator runtime's: one home, so the
# schema and the validator cannot drift apart
from .runtime import DATE_PATTERN, FORMAT, RECORD_REQUIRES, REF_PATTERN, REUSE_FORBIDS, TEXT_PATTERN, ULN_PATTERN

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _name(*parts: str) -> str:
    """A $defs key that needs no escaping in a JSON Pointer or URI fragment."""
    return "-".join(re.sub(r"[^A-Za-z0-9._]", "_", p) for p in parts)


def _ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def demand_slot_schema(crit: dict) -> Any:
    """What ``covers`` may list for a criterion: its exact slots, and for an
    ``at least`` demand any further item of it."""
    exact = [s for d in crit["demands"] for s in d["slots"]]
    extra = [slots.demand_slot_pattern(d["index"]) for d in crit["demands"] if d["op"] == "at_least"]
    options: list[dict] = []
    if exact:
        options.append({"enum": exact})
    options += [{"type": "string", "pattern": p} for p in extra]
    if not options:
        return False
    return options[0] if len(options) == 1 else {"anyOf": options}


def _customer_rules(crit: dict, declared: dict | None = None) -> list[dict]:
    """An item recording evidence for a slot of a ``different customers``
    demand names the customer; of a demand whose ``different`` name the spec
    declares, it has the field of that name."""
    out = []
    for d in crit["demands"]:
        if d["different"] != "customers" and d["different"] not in (declared or {}):
            continue
        need = "customer" if d["different"] == "customers" else d["different"]
        hit: dict = {"enum": d["slots"]}
        if d["op"] == "at_least":
            hit = {"anyOf": [hit, {"type": "string", "pattern": slots.demand_slot_pattern(d["index"])}]}
        out.append(
            {
                "if": {
                    "required": ["covers"],
                    "not": {"required": ["reused_from"]},
                    "properties": {"covers": {"type": "array", "contains": hit}},
                },
                "then": {"required": [need]},
            }
        )
    return out


def portfolio_schema(model: dict) -> dict:
    """The schema for a portfolio of ``model`` (:func:`model.qualification_model`)."""
    return jsontext.materialise(schema_document(model))


def schema_text(model: dict) -> Iterator[str]:
    """The schema's JSON text (two-space indent, UTF-8, final newline) a unit
    at a time: the text of :func:`portfolio_schema`, never whole in memory."""
    yield from jsontext.chunks(schema_document(model))
    yield "\n"


def _shared_defs(model: dict) -> Iterator[tuple[str, Any]]:
    """The ``$defs`` every unit's refer to."""
    yield "text", {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN, "description": "Non-empty text."}
    yield "date", {
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
        "description": "A calendar date, YYYY-MM-DD (RFC 3339 full-date).",
    }
    yield "method", {"enum": list(model["methods"]), "description": "An evidence method of the spec's vocabulary."}
    yield "environment", {
        "enum": list(model["environments"]),
        "description": "Where the evidence was produced: the real workplace, a realistic working environment, a work placement, or a simulation.",
    }
    yield "reused_from", {
        "type": "object",
        "description": "The criterion (and unit, when another unit's) under which the reused item is recorded.",
        "required": ["criterion"],
        "additionalProperties": False,
        "properties": {
            "unit": {"enum": list(model["units"])},
            "criterion": {"type": "string", "pattern": REF_PATTERN},
        },
    }
    yield "evidence", _evidence(model)


def _defs(model: dict) -> Iterator[tuple[str, Any]]:
    """The schema's ``$defs``: the shared ones, then each unit's."""
    yield from _shared_defs(model)
    for uid, u in model["units"].items():
        yield from _unit_defs(model, uid, u)


def _evidence(model: dict) -> dict:
    """What every evidence item is, whatever its criterion: its fields, and
    either a record or a reuse.  Each criterion's item adds what it may
    cover (:func:`_unit_defs`), through ``allOf``: a draft-7 validator reads
    it as a 2020-12 one does (no keyword beside a ``$ref``), and every field
    is named here, where ``additionalProperties`` refuses any other."""
    item: dict[str, Any] = {
        "type": "object",
        "description": "An evidence item: one that records evidence (method, date, environment, location or reference, assessor) or one that reuses an item recorded under another criterion (`reused_from`).",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": _ref("text"),
            "method": _ref("method"),
            "date": _ref("date"),
            "environment": _ref("environment"),
            "location": _ref("text"),
            "reference": _ref("text"),
            "assessor": _ref("text"),
            "customer": _ref("text"),
            "notes": {"type": "string"},
            "covers": {"type": "array", "uniqueItems": True, "description": "The demanded slots of its criterion it covers."},
            "ranges": {"type": "object", "description": "The range items it covers, by requirement set."},
            "distinct": {"type": "object", "description": "What it shows for the distinct slots it covers, by requirement set."},
            "reused_from": _ref("reused_from"),
        },
        "if": {"required": ["reused_from"]},
        "then": {"properties": {k: False for k in REUSE_FORBIDS}},
        "else": {"required": list(RECORD_REQUIRES), "anyOf": [{"required": ["location"]}, {"required": ["reference"]}]},
    }
    for name, label in model.get("different", {}).items():
        item["properties"].setdefault(name, {**_ref("text"), "description": f"What must differ between items (`different {name}`): {label}"})
    return item


def _unit_defs(model: dict, uid: str, u: dict) -> Iterator[tuple[str, Any]]:
    """A unit's ``$defs``: its evidence items (the range items and distinct
    slots of its requirement sets), an evidence item and a criterion per
    criterion, then the unit."""
    ranges = {
        sid: {"type": "array", "uniqueItems": True, "items": {"enum": [it["slot"] for rg in rs["ranges"] for it in rg["items"]]}}
        for sid, rs in u["requirement_sets"].items()
        if rs["ranges"]
    }
    distinct = {
        sid: {
            "type": "object",
            "propertyNames": {"enum": [s for d in rs["distinct"] for s in d["slots"]]},
            "additionalProperties": _ref("text"),
        }
        for sid, rs in u["requirement_sets"].items()
        if rs["distinct"]
    }
    evidence_name = _name("evidence", uid)
    yield evidence_name, {
        "description": f"An evidence item of unit {u['label']}.",
        "allOf": [_ref("evidence")],
        "properties": {
            "ranges": {"additionalProperties": False, "properties": ranges},
            "distinct": {"additionalProperties": False, "properties": distinct},
        },
    }
    crit_props = {}
    for ref, c in u["criteria"].items():
        item_name = _name("item", uid, ref)
        yield item_name, {
            "description": f"Evidence for unit {u['label']} criterion {ref}.",
            "allOf": [_ref(evidence_name), *_customer_rules(c, model.get("different", {}))],
            "properties": {"covers": {"items": demand_slot_schema(c)}},
        }
        need = max([1] + [d["count"] for d in c["demands"]])
        crit_name = _name("criterion", uid, ref)
        yield crit_name, {
            "type": "object",
            "description": f"Unit {u['label']} criterion {ref}: {c['statement']}",
            "required": ["evidence"],
            "additionalProperties": False,
            "properties": {
                "evidence": {"type": "array", "minItems": need, "items": _ref(item_name)},
                "notes": {"type": "string"},
            },
        }
        crit_props[ref] = _ref(crit_name)
    yield _name("unit", uid), {
        "type": "object",
        "description": f"Unit {u['label']}: {u['title']}",
        "required": ["criteria"],
        "additionalProperties": False,
        "properties": {
            "criteria": {"type": "object", "additionalProperties": False, "properties": crit_props},
            "notes": {"type": "string"},
        },
    }


def schema_document(model: dict) -> dict:
    """The schema as a :mod:`specc.jsontext` document: the units and their
    ``$defs`` are made one at a time as it is written."""
    q = model["qualification"]
    units = model["units"]
    return {
        "$schema": DRAFT,
        "$id": f"urn:specc:portfolio:{model['document']['id']}:{q['id']}",
        "title": f"Portfolio: {q['title']}",
        "description": (
            f"A learner's portfolio for {q['title']} ({model['document']['title']}"
            + (f", version {model['document']['version']}" if model["document"]["version"] else "")
            + "). Generated by specc; dates are asserted with the `date` format and a pattern."
        ),
        "type": "object",
        "required": ["qualification", "learner", "registration", "units"],
        "additionalProperties": False,
        "properties": {
            "$schema": {"type": "string"},
            "portfolio_format": {"const": FORMAT},
            "qualification": {"const": q["id"]},
            "as_of": {**_ref("date"), "description": "The date the portfolio is checked at (default: today)."},
            "learner": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": _ref("text"),
                    "id": _ref("text"),
                    "uln": {"type": "string", "pattern": ULN_PATTERN, "minLength": 10, "maxLength": 10, "description": "Unique Learner Number."},
                    "date_of_birth": _ref("date"),
                },
            },
            "registration": {
                "type": "object",
                "required": ["start"],
                "additionalProperties": False,
                "properties": {"start": _ref("date"), "number": _ref("text"), "centre": _ref("text")},
            },
            "units": {
                "type": "object",
                "description": "The units taken, by unit id.",
                "propertyNames": {"enum": list(units)},
                "additionalProperties": False,
                "properties": jsontext.Members(lambda: ((uid, _ref(_name("unit", uid))) for uid in units)),
            },
        },
        "$defs": jsontext.Members(lambda: _defs(model)),
    }
