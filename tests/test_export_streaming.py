"""The IR export (``ir-json``, ``specc ir``) and the generated validators are
written in pieces, a unit at a time, so that a large spec is never held whole
as JSON data (which made both emitters slower than linear in the number of
units: the collector walks every live container on each full collection).

The pieces join to exactly the text made from the whole data at once, for
the real specs, the synthetic ones and a spec of hostile strings (quotes,
newlines, backslashes, unicode separators); and a unit is converted only when
its piece is asked for."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc import export
from specc_plugins.export import model as model_module
from specc_plugins.export import validator
from specc_plugins.export.literal import py, py_chunks
from specc_plugins.export.model import UnitModels, qualification_model
from tests.test_export_injection import HOSTILE, write
from tests.test_export_synth import synth  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from specc.compiler import compile_file

    comp = compile_file(write(tmp_path_factory.mktemp("hostile"), HOSTILE))
    assert comp.ok, [str(d) for d in comp.diagnostics]
    return comp.spec


def test_ir_json_pieces_join_to_the_canonical_text(specs, synth, hostile):  # noqa: F811
    every = {**specs, **synth, "hostile": hostile}
    for did, spec in every.items():
        pieces = list(export.chunks(spec))
        assert "".join(pieces) == export.dumps(export.spec_data(spec)), did
        assert len(pieces) > len(spec.units), did  # a piece per unit at least


def test_ir_json_converts_a_unit_when_its_piece_is_asked_for(synth, monkeypatch):  # noqa: F811
    spec = synth["cg4411like"]
    converted = []
    to_data = export.to_data

    def counting(obj):
        if any(obj is u for u in spec.units):
            converted.append(obj.id)
        return to_data(obj)

    monkeypatch.setattr(export, "to_data", counting)
    pieces = export.chunks(spec)
    first = spec.units[0].id
    for piece in pieces:
        if f'"id": "{first}"' in piece:
            break
    assert converted == [first]
    list(pieces)
    assert converted == [u.id for u in spec.units]


class Lazy(Mapping):
    """A mapping whose values are made when read, counting them."""

    def __init__(self, values: dict):
        self.values = values
        self.made = 0

    def __getitem__(self, k):
        self.made += 1
        return self.values[k]

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1},
        {"k": ("x" * 30, ["y" * 30, {"z": None}], True)},
        {f"u{i}": {"title": f"Unit {i}", "criteria": {"1.1": [1, 2, 3]}, "text": "line\nbreak 'q' \"qq\""} for i in range(5)},
    ],
)
def test_a_literal_in_pieces_is_the_literal(value):
    lazy = Lazy(value)
    assert "".join(py_chunks(lazy)) == py(value) == "".join(py_chunks(value))
    assert "".join(py_chunks(value, 8, 60)) == py(value, 8, 60)


_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


def _listed(v):
    """``v`` as Python reads its literal back: tuples are written as lists."""
    if isinstance(v, (list, tuple)):
        return [_listed(x) for x in v]
    if isinstance(v, dict):
        return {k: _listed(x) for k, x in v.items()}
    return v


@settings(max_examples=300, deadline=None)
@given(_DATA, st.integers(min_value=0, max_value=12), st.integers(min_value=10, max_value=100))
def test_a_literal_reads_back_as_its_value_whole_or_in_pieces(value, indent, width):
    # py (one function appending to a list) and py_chunks (the pieces a
    # sink writes) are written apart: they must agree, and read back
    import ast

    text = py(value, indent, width)
    assert "".join(py_chunks(value, indent, width)) == text
    assert ast.literal_eval(text) == _listed(value)
    if isinstance(value, dict):
        assert "".join(py_chunks(Lazy(value), indent, width)) == text


def test_a_large_mapping_gives_a_piece_per_element_made_in_turn():
    value = {f"u{i}": {"title": f"Unit {i}", "statement": "s" * 80} for i in range(10)}
    lazy = Lazy(value)
    pieces = py_chunks(lazy)
    assert next(pieces) == "{\n"
    first = next(pieces)
    assert first == f"    'u0': {py(value['u0'], 4)},\n"
    assert lazy.made <= 2  # the first, and the first again to see that it does not fit on one line
    assert len(list(pieces)) == 10  # nine more and the closing brace


def test_a_literal_refuses_keys_that_are_not_strings():
    with pytest.raises(TypeError, match="dict keys must be strings"):
        py(Lazy({1: "a"}))


def test_unit_models_are_the_model_units_made_when_read(synth, monkeypatch):  # noqa: F811
    spec = synth["cg4411like"]
    q = spec.qualifications[0]
    eager = qualification_model(spec, q)
    lazy = qualification_model(spec, q, lazy_units=True)
    assert isinstance(lazy["units"], UnitModels) and len(lazy["units"]) == len(eager["units"]) > 3
    assert dict(lazy["units"]) == eager["units"]
    assert {k: v for k, v in lazy.items() if k != "units"} == {k: v for k, v in eager.items() if k != "units"}
    made = []
    unit_model = model_module.unit_model
    monkeypatch.setattr(model_module, "unit_model", lambda spec, u, *a: made.append(u.id) or unit_model(spec, u, *a))
    units = UnitModels(spec, q)
    assert all(uid in units for uid in eager["units"]) and "no such unit" not in units
    assert made == []
    with pytest.raises(KeyError):
        units["no such unit"]
    assert made == []


def test_a_validator_is_written_a_unit_at_a_time(synth, monkeypatch):  # noqa: F811
    spec = synth["cg4411like"]
    q = spec.qualifications[0]
    whole = validator.data(qualification_model(spec, q))
    made = []
    unit_model = model_module.unit_model
    monkeypatch.setattr(model_module, "unit_model", lambda spec, u, *a: made.append(u.id) or unit_model(spec, u, *a))
    pieces = validator.chunks(spec, q)
    first = next(iter(whole["UNITS"]))
    for piece in pieces:
        if piece.startswith(f"    {first!r}: "):
            break
    assert set(made) == {first}
    assert piece == f"    {first!r}: {py(whole['UNITS'][first], 4)},\n"
    list(pieces)
    assert set(made) == set(whole["UNITS"]) and len(made) <= len(whole["UNITS"]) + 1
    # each value is the literal of the value made at once from a JSON copy of the whole model
    source = validator.render(spec, q)
    for name, value in whole.items():
        assert f"\n{validator.UNITS_COMMENT if name == 'UNITS' else ''}{name} = {py(value)}\n" in source, name
