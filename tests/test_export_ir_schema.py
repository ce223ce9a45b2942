"""The IR export (``ir-json``, ``specc ir``) has the shape
specc/schemas/ir.schema.json says: the schema is a valid draft 2020-12
schema, every spec in specs/ and every synthetic spec exports IR that
validates against it (with the jsonschema library, formats asserted), and the
schema names exactly the fields of each IR class."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_schema_names_every_ir_field(checker):
    defs = checker.schema["$defs"]
    skip = {"Span", "Paragraph", "BulletList", "Text", "Level", "PartialDate", "Spec"}
    for name, cls in _ir_classes().items():
        if name in skip:
            continue
        assert name in defs, f"ir.{name} is not in ir.schema.json"
        fields = {a.name for a in attrs.fields(cls) if a.name != "span"}
        if cls in export._TAGGED:
            fields.add("kind")
        assert set(defs[name]["properties"]) == fields, name
        assert defs[name].get("additionalProperties") is False, name
    top = {a.name for a in attrs.fields(ir.Spec)} - {"files"} | {"specc_ir"}
    assert set(checker.schema["properties"]) == top
