"""The IR export (``ir-json``, ``specc ir``) has the shape
specc/schemas/ir.schema.json says: the schema is a valid draft 2020-12
schema, every spec in specs/ and every synthetic spec exports IR that
validates against it (with the jsonschema library, formats asserted), and the
schema and the attrs classes of specc/ir.py match both ways: every field is a
property of the type its annotation says, every property and definition is a
field and a class."""

from __future__ import annotations

import json
from pathlib import Path

import types
import typing

import attrs
import jsonschema
import pytest

from specc import export, ir, plugins
from tests.export_helpers import MemorySink
from tests.test_export_injection import HOSTILE, write
from tests.test_export_synth import synth  # noqa: F401 - fixture

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "specc" / "schemas" / "ir.schema.json"


@pytest.fixture(scope="module")
def checker():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def emitted(spec) -> dict:
    """What the ir-json emitter writes for ``spec``."""
    sink = MemorySink()
    plugins.emitters()["ir-json"].emit(spec, sink, {})
    return json.loads(sink.files["ir.json"])


def assert_valid(checker, data, label):
    errors = sorted(checker.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, (label, [(list(e.absolute_path), e.message[:200]) for e in errors[:5]])


def test_every_spec_in_specs_exports_valid_ir(checker, specs):
    assert specs, "specs/ compiles to nothing"
    for did, spec in specs.items():
        data = emitted(spec)
        assert data == json.loads(export.dumps(export.spec_data(spec)))  # `specc ir` prints the same
        assert_valid(checker, data, did)


def test_synthetic_specs_export_valid_ir(checker, synth, tmp_path):  # noqa: F811
    from specc.compiler import compile_file

    for did, spec in synth.items():
        assert_valid(checker, emitted(spec), did)
    hostile = compile_file(write(tmp_path, HOSTILE))
    assert hostile.ok
    assert_valid(checker, emitted(hostile.spec), "hostile")


def test_a_changed_export_is_caught(checker, synth):  # noqa: F811
    data = emitted(synth["demo"])
    data["units"][0]["surprise"] = 1
    assert not checker.is_valid(data)
    data = emitted(synth["demo"])
    data["qualifications"][0]["rules"][0]["kind"] = "sometimes"
    assert not checker.is_valid(data)


def _ir_classes():
    return {name: cls for name, cls in vars(ir).items() if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == ir.__name__}


# IR values exported as strings (their str()), and named string definitions
STRING_VALUES = {ir.Text: "text", ir.Level: "level", ir.PartialDate: "partialDate"}
NOT_EXPORTED = {"Span", "Paragraph", "BulletList"}  # spans are left out; Text exports its value


def shape(t) -> dict:
    """The JSON shape a field of type ``t`` exports as, from its annotation alone."""
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        rest = [a for a in args if a is not type(None)]
        inner = shape(rest[0]) if len(rest) == 1 else {"$ref": "#/$defs/Rule"}
        assert len(rest) == 1 or set(rest) == set(export._TAGGED), t
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
    if origin is tuple:
        return {"type": "array", "items": shape(typing.get_args(t)[0])}
    if t in STRING_VALUES:
        return {"$ref": f"#/$defs/{STRING_VALUES[t]}"}
    if attrs.has(t):
        return {"$ref": f"#/$defs/{t.__name__}"}
    return {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"}}[t]


REFINEMENTS = ("description", "minimum", "minItems", "pattern", "minLength")


def erased(node: dict, defs: dict) -> dict:
    """A schema node without its refinements: descriptions, bounds and
    patterns dropped, named string definitions and string enums as
    ``string`` (an enum with null as an optional string)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        target = defs[name]
        if name in STRING_VALUES.values():
            return {"$ref": node["$ref"]}
        if target.get("type") == "string" or "enum" in target:
            return erased(target, defs)
        return {"$ref": node["$ref"]}
    if "enum" in node:
        kinds = {type(v) for v in node["enum"]}
        assert kinds <= {str, type(None)}, node
        return {"anyOf": [{"type": "string"}, {"type": "null"}]} if type(None) in kinds else {"type": "string"}
    out = {k: v for k, v in node.items() if k not in REFINEMENTS}
    if "items" in out:
        out["items"] = erased(out["items"], defs)
    if "anyOf" in out:
        out["anyOf"] = [erased(x, defs) for x in out["anyOf"]]
    return out


def test_schema_and_ir_classes_match_both_ways(checker):
    """Every exported field of every IR class is a property of its schema
    definition, of the type its annotation says (up to refinements such as
    patterns and bounds), and required; every definition of an object is an
    IR class and every property is a field."""
    schema = checker.schema
    defs = schema["$defs"]
    classes = _ir_classes()
    hints = {name: typing.get_type_hints(cls, vars(ir)) for name, cls in classes.items()}
    # classes -> schema
    for name, cls in classes.items():
        if name in NOT_EXPORTED or cls in STRING_VALUES or cls is ir.Spec:
            continue
        assert name in defs, f"ir.{name} is not in ir.schema.json"
        d = defs[name]
        fields = {a.name: hints[name][a.name] for a in attrs.fields(cls) if a.name != "span"}
        props = dict(d["properties"])
        if cls in export._TAGGED:
            assert props.pop("kind") == {"const": export._kind(cls)}, name
        assert set(props) == set(fields), name
        assert set(d["required"]) == set(d["properties"]), name
        assert d.get("additionalProperties") is False, name
        for field_name, t in fields.items():
            assert erased(props[field_name], defs) == shape(t), (name, field_name, props[field_name])
    # schema -> classes
    for name, d in defs.items():
        if d.get("type") == "object":
            assert name in classes and name not in NOT_EXPORTED, f"$defs/{name} describes no IR class"
        elif "oneOf" in d:
            assert name == "Rule" and [x["$ref"].rsplit("/", 1)[1] for x in d["oneOf"]] == [c.__name__ for c in export._TAGGED]
        else:
            assert d.get("type") == "string" or "enum" in d, name
    assert set(STRING_VALUES.values()) <= defs.keys()
    # the top level is the Spec
    spec_fields = {a.name: hints["Spec"][a.name] for a in attrs.fields(ir.Spec) if a.name != "files"}
    props = dict(schema["properties"])
    assert props.pop("specc_ir") == {"const": export.FORMAT_VERSION, "description": "The version of this format."}
    assert set(props) == set(spec_fields) == set(schema["required"]) - {"specc_ir"}
    for field_name, t in spec_fields.items():
        assert erased(props[field_name], defs) == shape(t), field_name


def test_the_field_check_catches_a_wrong_type(checker):
    defs = checker.schema["$defs"]
    assert erased(defs["Unit"]["properties"]["credits"], defs) == shape(int | None)
    assert erased(defs["Unit"]["properties"]["credits"], defs) != shape(int)
    assert erased(defs["Unit"]["properties"]["outcomes"], defs) != shape(tuple[ir.Criterion, ...])


def test_the_committed_schema_is_generated_from_the_ir_classes():
    from specc import irschema

    assert SCHEMA_PATH.read_text(encoding="utf-8") == irschema.dumps(irschema.generate()), "run python -m specc.irschema"


def test_a_class_without_a_note_or_a_stale_note_is_refused(monkeypatch):
    from specc import irschema

    notes = dict(irschema.NOTES)
    notes.pop("Distinct")
    monkeypatch.setattr(irschema, "NOTES", notes)
    with pytest.raises(KeyError, match="describe ir.Distinct"):
        irschema.generate()
    notes["Distinct"] = {"description": "x", "fields": {"nonesuch": {"type": "string"}}}
    with pytest.raises(KeyError, match="nonesuch"):
        irschema.generate()
    notes["Distinct"] = {"description": "x"}
    notes["Gone"] = {"description": "a class that no longer exists"}
    with pytest.raises(KeyError, match="Gone"):
        irschema.generate()


def test_a_new_field_reaches_the_schema_from_its_annotation():
    from specc import irschema

    assert irschema.field_schema(tuple[ir.Demand, ...] | None) == {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Demand"}}, {"type": "null"}]}
    assert irschema.field_schema(ir.Text) == {"$ref": "#/$defs/text"}
    with pytest.raises(TypeError):
        irschema.field_schema(float)
