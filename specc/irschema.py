"""The JSON Schema of the IR export (``specc/schemas/ir.schema.json``),
generated from the attrs classes of :mod:`specc.ir`.

The structure comes from the classes: one definition per exported class,
one property per field (spans and ``Spec.files`` are left out), its type
from the field's annotation (``str``, ``int``, ``bool``, ``X | None``,
``tuple[X, ...]``, another IR class; ``Text``, ``Level`` and ``PartialDate``
export as strings), every property required, no others allowed, and a
``kind`` tag for the rules of combination.  What an annotation cannot say
comes from the tables below: each class's description, and a field's
refined schema where it says more than its type (an id, a bound, an enum, a
description).  A class missing from ``NOTES``, or a note naming no field,
is an error: describe the new class, or drop the old note.

    python -m specc.irschema          # rewrite specc/schemas/ir.schema.json
    python -m specc.irschema --check  # exit 1 if it is not current

``tests/test_export_ir_schema.py`` checks that the committed file is current.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path

import attrs

from . import export, ir

PATH = Path(__file__).resolve().parent / "schemas" / "ir.schema.json"

# IR values that export as their str(), and the string definition of each
STRING_VALUES = {ir.Text: "text", ir.Level: "level", ir.PartialDate: "partialDate"}

NOTES = {
    "Body": {
        "description": "An awarding body (data, not code: plugins choose house styles by `id`).",
        "fields": {"id": {"$ref": "#/$defs/id"}},
    },
    "Change": {"description": "One entry of a document's version history."},
    "Document": {
        "description": "The document a spec transcribes.",
        "fields": {
            "id": {"$ref": "#/$defs/id"},
            "evidence_methods": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The evidence methods the document names (`methods` in the source).",
            },
        },
    },
    "MinTotal": {
        "description": "`minimum N credits`: the least total credit value of a route.",
        "fields": {"credits": {"type": "integer", "minimum": 0}},
    },
    "MaxTotal": {
        "description": "`maximum N credits`: the greatest total credit value of a route.",
        "fields": {"credits": {"type": "integer", "minimum": 0}},
    },
    "Mandatory": {
        "description": "`mandatory UNITS`: units every route contains.",
        "fields": {"units": {"type": "array", "items": {"$ref": "#/$defs/id"}}},
    },
    "CreditsFrom": {
        "description": "`at least|at most|exactly N credits from` groups or units.",
        "fields": {
            "op": {"enum": ["at_least", "at_most", "exactly"]},
            "credits": {"type": "integer", "minimum": 0},
            "sources": {"type": "array", "items": {"$ref": "#/$defs/id"}, "description": "Group or unit ids as written."},
            "units": {"type": "array", "items": {"$ref": "#/$defs/id"}, "description": "The units they resolve to, in spec order."},
        },
    },
    "Remaining": {
        "description": "`remaining [at least N] credits from` groups or units: where the rest of a route may come from; with N, the handbook's \"a further N credits [(minimum)]\": at least N credits from these units other than the mandatory ones.",
        "fields": {
            "sources": {"type": "array", "items": {"$ref": "#/$defs/id"}},
            "units": {"type": "array", "items": {"$ref": "#/$defs/id"}},
            "credits": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}], "description": "The further credits (null: the rule only says where the rest may come from)."},
            "minimum": {"type": "boolean", "description": "The published figure says \"(minimum)\" (`remaining at least N`)."},
        },
    },
    "Guidelines": {
        "description": "Published assessment guidelines the handbooks print (`guidelines TOPIC \"Title\" { note ... a \"...\" }`); guidance, not enforced.",
        "fields": {"topic": {"$ref": "#/$defs/id"}},
    },
    "DevelopedBy": {
        "description": "Who developed the document: the published lead-in and the organisations (`developed_by \"...\" { organisation \"...\" }`).",
    },
    "Distinction": {
        "description": "A `different` name: what the items of a demand or a requirement's evidence must differ in. Built in (occasions, customers) or declared by a document with `different NAME \"...\"`.",
        "fields": {
            "id": {"$ref": "#/$defs/id"},
            "field": {"type": "string", "description": "The portfolio evidence field whose values must differ (date, customer, or the declared name)."},
        },
    },
    "UnitsReuse": {
        "description": "An evidence-guide row's lead-in naming units but no criterion (`reuse units 103, 106`): guidance.",
        "fields": {"units": {"type": "array", "items": {"$ref": "#/$defs/id"}}},
    },
    "SeeAlso": {
        "description": "A \"refer to ... for guidance\" link of an evidence-guide row (`see unit 109 1.2 for 2.3`): guidance, not evidence to reuse.",
    },
    "Route": {
        "description": "A valid combination of units.",
        "fields": {
            "units": {"type": "array", "items": {"$ref": "#/$defs/id"}},
            "credits": {"type": "integer", "minimum": 0},
            "glh": {"type": "integer", "minimum": 0},
        },
    },
    "RouteSummary": {
        "description": "What the solver found for a qualification; the bounds and the cheapest route (least GLH) are null when "
        "no route exists.",
        "fields": {
            "min_credits": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "max_credits": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "min_glh": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "max_glh": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
        },
    },
    "Qualification": {
        "description": "A qualification with its rules of combination, resolved.",
        "fields": {
            "id": {"$ref": "#/$defs/id"},
            "glh": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "tqt": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "credits": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "registration_months": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "units": {"type": "array", "items": {"$ref": "#/$defs/id"}, "description": "Every unit a route may contain, in spec order."},
            "mandatory": {"type": "array", "items": {"$ref": "#/$defs/id"}},
        },
    },
    "Group": {
        "description": "A named group of units.",
        "fields": {"id": {"$ref": "#/$defs/id"}, "units": {"type": "array", "items": {"$ref": "#/$defs/id"}}},
    },
    "Barred": {
        "description": "Two units that cannot be taken together.",
        "fields": {"a": {"$ref": "#/$defs/id"}, "b": {"$ref": "#/$defs/id"}},
    },
    "SimulationRule": {
        "description": "Whether simulation is allowed, for performance, knowledge or (null) all evidence. `exceptional`: "
        "allowed only in exceptional circumstances (then `allowed` is true). `exception`: when the rule does "
        'not hold (`except "when ..."`), or null.',
        "extra": {"if": {"properties": {"exceptional": {"const": True}}}, "then": {"properties": {"allowed": {"const": True}}}},
        "fields": {"applies_to": {"enum": ["performance", "knowledge", None]}},
    },
    "Environment": {
        "description": "Where evidence may be collected and whether simulation is allowed; empty lists: the spec is silent.",
        "fields": {"sources": {"type": "array", "items": {"$ref": "#/$defs/environmentName"}}},
    },
    "Guidance": {"description": 'An explanation of a criterion (C&G "criteria explained", NCFE assessment guidance).'},
    "DemandBy": {
        "description": "`of which [at least|exactly] K by METHOD, ...`: how many of a demand's items must be evidenced by one of the "
        "evidence methods (`op`: `at_least` unless the source says `exactly`). K is at most the demand's count.",
        "fields": {
            "count": {"type": "integer", "minimum": 1},
            "methods": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "description": "An evidence method id of the spec's vocabulary (`methods`)."},
            },
            "op": {"enum": ["at_least", "exactly"]},
        },
    },
    "Demand": {
        "description": 'A quantified evidence demand: `demand [exactly|at least] N "what" [different NAME] [of which [at '
        "least|exactly] K by METHOD, ...]`.",
        "fields": {
            "count": {"type": "integer", "minimum": 1},
            "op": {"enum": ["exactly", "at_least"]},
            "different": {"anyOf": [{"type": "string", "description": "`occasions`, `customers`, ..."}, {"type": "null"}]},
        },
    },
    "Reuse": {
        "description": "Evidence of the listed criteria (of `unit`, or of the same unit when null) may be reused. On an evidence-guide "
        "row, `for_criteria` names the row criteria the link is for (empty: all of them); a criterion's own links have "
        "none. The links that apply to a criterion are its own plus those of the rows naming it (`Unit.reuse_for`).",
        "fields": {
            "criteria": {"type": "array", "items": {"$ref": "#/$defs/criterionRef"}},
            "unit": {"anyOf": [{"$ref": "#/$defs/id"}, {"type": "null"}]},
            "for_criteria": {"type": "array", "items": {"$ref": "#/$defs/criterionRef"}},
        },
    },
    "Criterion": {
        "description": "An assessment criterion.",
        "fields": {
            "ref": {"$ref": "#/$defs/criterionRef"},
            "verb": {"type": "string", "description": "The command verb, lower case."},
            "reuse": {
                "type": "array",
                "items": {"$ref": "#/$defs/Reuse"},
                "description": "The criterion's own reuse links; evidence-guide rows may add more (see `EvidenceRow.reuse`).",
            },
        },
    },
    "Outcome": {
        "description": "A learning outcome.",
        "fields": {"number": {"type": "integer", "minimum": 1}, "kind": {"enum": ["knowledge", "performance"]}},
    },
    "EvidenceRow": {
        "description": "A row of a unit's evidence guide: criteria, possible evidence methods, the original notes. `outcomes`: "
        "the whole outcomes the row names (`row outcome 1, 3`), whose criteria are listed in `criteria`.",
        "fields": {
            "criteria": {"type": "array", "items": {"$ref": "#/$defs/criterionRef"}},
            "outcomes": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        },
    },
    "Unit": {
        "description": "A unit with its outcomes, criteria and evidence guide.",
        "fields": {
            "id": {"$ref": "#/$defs/id"},
            "credits": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "glh": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "assessed_under": {
                "type": "array",
                "items": {"$ref": "#/$defs/id"},
                "description": "Ids of the requirement sets the unit is assessed under.",
            },
            "evidence_guide_notes": {
                "type": "array",
                "description": "The evidence guide's lead-in notes, before its rows.",
                "items": {"$ref": "#/$defs/text"},
            },
        },
    },
    "RangeItem": {"description": "A lettered range item.", "fields": {"letter": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}}},
    "Range": {
        "description": "Lettered range items: all of them (`choose` null) or `choose` of them.",
        "fields": {"choose": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}},
    },
    "Distinct": {
        "description": '`distinct N "what"`: evidence must show N different things (communication media, ...).',
        "fields": {"count": {"type": "integer", "minimum": 1}},
    },
    "Requirement": {
        "description": "A numbered evidence requirement.",
        "fields": {
            "number": {"type": "integer", "minimum": 0},
            "kind": {"enum": ["environment", "sector", "sufficiency", "organisation", "methods", "evidence", "note"]},
            "methods": {
                "type": "array",
                "items": {
                    "enum": ["face_to_face", "writing", "telephone", "text_message", "email", "internet", "intranet", "verbal", "other"]
                },
                "description": "Permitted communication methods.",
            },
            "different": {"type": "array", "items": {"type": "string"}, "description": "`different customers`, `different occasions`, ..."},
        },
    },
    "RequirementSet": {
        "description": "A set of evidence requirements (CfA) units can be assessed under.",
        "fields": {"id": {"$ref": "#/$defs/id"}, "origin": {"anyOf": [{"$ref": "#/$defs/id"}, {"type": "null"}]}},
    },
    "GlossaryEntry": {"description": "A glossary term or command verb."},
    "Glossary": {"description": "Terms and command verbs."},
    "EvidenceMethod": {
        "description": "An evidence method of the vocabulary: built in, or declared by the document with `method`.",
        "fields": {"id": {"$ref": "#/$defs/id"}},
    },
}

STRINGS = {
    "id": {
        "type": "string",
        "minLength": 1,
        "description": "An identifier as written in the spec: a name, a number such as `001` or `4411-30`, or `alias.name` for a "
        "declaration imported under an alias.",
    },
    "text": {
        "type": "string",
        "description": "Author prose, normalised: dedented, no trailing spaces; paragraphs are separated by a blank line and lines "
        "starting `- ` are bullet items.",
    },
    "level": {"type": "string", "pattern": "^(Entry|Level) [0-9]+$", "description": "`Entry 1`-`Entry 3` or `Level 1`-`Level 8`."},
    "partialDate": {
        "type": "string",
        "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        "description": "A date with optional month and day: `2017`, `2017-10` or `2017-10-05`.",
    },
    "environmentName": {
        "enum": ["workplace", "rwe", "placement"],
        "description": "The real workplace, a realistic working environment, or a work placement.",
    },
    "criterionRef": {
        "type": "string",
        "pattern": "^[0-9]+\\.[0-9]+$",
        "description": "An assessment criterion reference, `outcome.criterion` (`2.1`).",
    },
}

RULE_DESCRIPTION = "A rule of combination, tagged by `kind`."

HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:specc:ir:2",
    "title": "specc IR export",
    "description": "A compiled specification as `specc ir` prints it and the `ir-json` emitter writes it (outputs/<document>/ir.json). Source "
    "spans are left out; rules carry a `kind` tag; texts are their normalised strings; absent optional values are null. "
    "Objects have exactly the properties listed: a new IR field changes this schema and `specc_ir`.",
    "type": "object",
    "additionalProperties": False,
}

SPEC_FIELDS = {
    "distinctions": {
        "type": "array",
        "items": {"$ref": "#/$defs/Distinction"},
        "description": "The `different` names: the built-in ones, then those the documents declare.",
    },
    "methods": {
        "type": "array",
        "items": {"$ref": "#/$defs/EvidenceMethod"},
        "description": "The evidence-method vocabulary: the built-in methods and any the document declares.",
    }
}

VERSION_PROPERTY = {"const": 2, "description": "The version of this format."}


def field_schema(t) -> dict:
    """The schema of a field from its annotation alone."""
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            inner = field_schema(rest[0])
        elif set(rest) == set(export._TAGGED):
            inner = {"$ref": "#/$defs/Rule"}
        else:
            raise TypeError(f"no schema for the union {t}")
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
    if origin is tuple:
        return {"type": "array", "items": field_schema(typing.get_args(t)[0])}
    if t in STRING_VALUES:
        return {"$ref": f"#/$defs/{STRING_VALUES[t]}"}
    if attrs.has(t):
        return {"$ref": f"#/$defs/{t.__name__}"}
    simple = {str: "string", int: "integer", bool: "boolean"}
    if t not in simple:
        raise TypeError(f"no schema for the type {t}")
    return {"type": simple[t]}


def _fields(cls: type, skip: tuple[str, ...] = ("span",)) -> dict[str, typing.Any]:
    hints = typing.get_type_hints(cls, vars(ir))
    return {a.name: hints[a.name] for a in attrs.fields(cls) if a.name not in skip}


def _object(cls: type, note: dict) -> dict:
    fields = _fields(cls)
    refined = note.get("fields", {})
    unknown = set(refined) - set(fields)
    if unknown:
        raise KeyError(f"NOTES[{cls.__name__!r}] refines {sorted(unknown)}, which ir.{cls.__name__} does not have")
    props: dict[str, dict] = {}
    if cls in export._TAGGED:
        props["kind"] = {"const": export._kind(cls)}
    for name, t in fields.items():
        props[name] = refined.get(name, field_schema(t))
    return {
        "type": "object",
        "description": note["description"],
        "required": list(props),
        "additionalProperties": False,
        "properties": props,
        **note.get("extra", {}),
    }


def _exported() -> list[type]:
    """Every IR class the export reaches from ``Spec``, in order of first use."""
    seen: list[type] = []

    def visit(t) -> None:
        for arg in typing.get_args(t) or (t,):
            if typing.get_args(arg):
                visit(arg)
            elif attrs.has(arg) and arg not in STRING_VALUES and arg not in seen and arg is not ir.Span:
                seen.append(arg)
                for ft in _fields(arg).values():
                    visit(ft)

    for t in _fields(ir.Spec, ("files",)).values():
        visit(t)
    return seen


def generate() -> dict:
    classes = {c.__name__: c for c in _exported()}
    missing = [n for n in classes if n not in NOTES]
    if missing:
        raise KeyError(f"describe ir.{missing[0]} in NOTES of specc/irschema.py")
    stale = [n for n in NOTES if n not in classes]
    if stale:
        raise KeyError(f"NOTES describes {stale[0]}, which the IR export does not reach")
    defs: dict[str, dict] = dict(STRINGS)
    for name, note in NOTES.items():
        defs[name] = _object(classes[name], note)
        if name == export._TAGGED[-1].__name__:
            defs["Rule"] = {"description": RULE_DESCRIPTION, "oneOf": [{"$ref": f"#/$defs/{c.__name__}"} for c in export._TAGGED]}
    spec_fields = _fields(ir.Spec, ("files",))
    props = {"specc_ir": {**VERSION_PROPERTY, "const": export.FORMAT_VERSION}}
    props.update({name: SPEC_FIELDS.get(name, field_schema(t)) for name, t in spec_fields.items()})
    return {**HEADER, "required": list(props), "properties": props, "$defs": defs}


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = dumps(generate())
    current = PATH.read_text(encoding="utf-8") if PATH.exists() else None
    if "--check" in argv:
        if text != current:
            print(f"{PATH} is not current: run python -m specc.irschema", file=sys.stderr)
            return 1
        return 0
    if text != current:
        PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
