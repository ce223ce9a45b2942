"""JSON text a part at a time (:mod:`specc.jsontext`) is the text of
``json.dumps(indent=2, ensure_ascii=False)``, byte for byte: for any JSON
data with lazy objects anywhere, and for the portfolio schemas of the real
and the synthetic specs (written a unit at a time by the emitter)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc import jsontext
from specc_plugins.export.model import qualification_model
from specc_plugins.export.portfolio import portfolio_schema, schema_document, schema_text
from tests.test_export_synth import synth  # noqa: F401 - fixture

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
PLAIN = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


def _lazy(pairs: list) -> jsontext.Members:
    return jsontext.Members(lambda: iter(pairs))


# documents whose objects may be Members (outside lists), each member's value plain
LAZY = st.recursive(
    st.dictionaries(st.text(), PLAIN, max_size=4).map(lambda d: _lazy(list(d.items()))) | PLAIN,
    lambda inner: st.dictionaries(st.text(), inner, max_size=4) | st.dictionaries(st.text(), PLAIN, max_size=4).map(lambda d: _lazy(list(d.items()))),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(LAZY, st.integers(min_value=0, max_value=4))
def test_chunks_are_the_text_of_json_dumps(doc, indent):
    whole = jsontext.materialise(doc)
    assert "".join(jsontext.chunks(doc, indent=indent)) == json.dumps(whole, indent=indent, ensure_ascii=False)


ANY = st.recursive(
    SCALARS | st.floats() | st.integers().map(lambda i: __import__("enum").IntEnum("E", {"A": i}).A if i > 0 else i),
    lambda inner: st.lists(inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text() | st.integers() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(ANY, st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=3), st.booleans())
def test_dumps_is_json_dumps_nested(value, indent, level, sort_keys):
    # the whole of what json.dumps takes: plain data, and what is left to it
    # (floats, NaN, an int's subclass, keys that are not text, tuples)
    try:
        want = jsontext.nested(json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=sort_keys), indent * level)
    except TypeError:  # keys json cannot sort (text beside a number): so can't dumps
        with pytest.raises(TypeError):
            jsontext.dumps(value, indent, level, sort_keys)
        return
    assert jsontext.dumps(value, indent, level, sort_keys) == want


def test_members_are_made_when_written_and_again_each_time():
    made = []

    def pairs():
        for i in range(3):
            made.append(i)
            yield f"k{i}", {"v": [i, "é\n"]}

    doc = {"a": 1, "lazy": jsontext.Members(pairs), "empty": jsontext.Members(lambda: ())}
    parts = jsontext.chunks(doc)
    assert made == []  # nothing made before it is written
    first = "".join(parts)
    assert made == [0, 1, 2]
    assert "".join(jsontext.chunks(doc)) == first == json.dumps(jsontext.materialise(doc), indent=2, ensure_ascii=False)
    assert '"empty": {}' in first and "\\n" in first


def test_keys_must_be_text():
    # json.dumps would turn 1 into "1"; a lazy object refuses rather than guess
    with pytest.raises(TypeError):
        "".join(jsontext.chunks(jsontext.Members(lambda: [(1, "x")])))


def _schema_cases(specs: dict):
    return [(f"{d}/{q.id}", s, q) for d, s in sorted(specs.items()) for q in s.qualifications]


def _assert_streamed_schema_is_the_whole_dump(spec, q):
    model = qualification_model(spec, q)
    lazy = qualification_model(spec, q, lazy_units=True)  # as the emitter makes it
    assert {**lazy, "units": dict(lazy["units"].items())} == model
    parts = list(schema_text(lazy))
    whole = json.dumps(portfolio_schema(model), indent=2, ensure_ascii=False) + "\n"
    assert "".join(parts) == whole
    # a unit at a time: no part holds more than one unit's definitions
    if len(model["units"]) > 1:
        assert max(len(p) for p in parts) < len(whole) / 2
        assert len(parts) > len(model["units"])
    assert isinstance(schema_document(model)["$defs"], jsontext.Members)


def test_streamed_schema_is_the_whole_dump_on_the_real_specs(specs):
    # one qualification of each spec (a spec's qualifications share its units)
    cases = {label.split("/")[0]: (spec, q) for label, spec, q in reversed(_schema_cases(specs))}
    assert cases
    for spec, q in cases.values():
        _assert_streamed_schema_is_the_whole_dump(spec, q)


@pytest.mark.slow
def test_streamed_schema_is_the_whole_dump_on_every_real_qualification(specs):
    for _label, spec, q in _schema_cases(specs):
        _assert_streamed_schema_is_the_whole_dump(spec, q)


def test_streamed_schema_is_the_whole_dump_on_the_synthetic_specs(synth):  # noqa: F811 - fixture
    for _label, spec, q in _schema_cases(synth):
        _assert_streamed_schema_is_the_whole_dump(spec, q)
