"""The forms emitter at scale: forms are made, rendered and written one at a
time (a spec of 100,000 units needs the memory of a few forms, not of all
of them), in order, with the same bytes whether a pool lays them out or
not; ``forms/index.json`` is the text ``json.dumps`` would give."""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.sink import OutputFolder
from specc_plugins import forms as forms_plugin
from tests.conftest import compile_text

SPEC = """
document d "Demo" { body demo "Demo & Co" }
unit u1 "First unit" {
  credits 2
  glh 10
  outcome 1 performance "Be able to serve" {
    criterion 1.1 "serve customers" { demand 2 "positive ways" }
  }
}
unit u2 "Second unit" {
  credits 1
  glh 5
  outcome 1 knowledge "Know the rules" {
    criterion 1.1 "state the rules" { }
    criterion 1.2 "explain the rules" { }
  }
}
qualification q "Q" { rules { minimum 2 credits mandatory u1 } }
"""

json_text = st.text(st.characters(codec="utf-8"), max_size=12)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(json_text, st.lists(st.dictionaries(json_text, json_value, max_size=4), max_size=4))
def test_index_text_is_what_json_dumps_gives(style, entries):
    index = forms_plugin.Index(style)
    for e in entries:
        index.add(e)
    assert index.text() == json.dumps({"style": style, "forms": entries}, indent=2, ensure_ascii=False) + "\n"


def _twice(x: int) -> int:
    return 2 * x


@pytest.mark.parametrize("workers", [0, 2])
def test_in_order_keeps_the_order_and_holds_only_a_few_items(workers):
    pulled = 0

    def items():
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield f"m{i}", None if i % 7 == 3 else i  # None: nothing to render

    ahead = 5
    got = []
    with multiprocessing.get_context("fork").Pool(workers) if workers else contextlib.nullcontext() as pool:
        for n, (meta, res) in enumerate(forms_plugin.in_order(items(), _twice, pool, ahead), 1):
            # what is held: the items read and not yet given back
            assert pulled - n <= (ahead if pool else 0)
            got.append((meta, res))
    assert got == [(f"m{i}", None if i % 7 == 3 else 2 * i) for i in range(40)]


def test_each_form_is_written_before_the_next_is_made(tmp_path, monkeypatch):
    comp = compile_text(tmp_path, SPEC)
    folder = OutputFolder(tmp_path / "o")
    sink = folder.begin("x")
    made = []
    real = forms_plugin.render_generic

    def spy(spec, options):
        for fm in real(spec, options):
            made.append((fm.id, len(sink.written)))
            yield fm

    monkeypatch.setattr(forms_plugin, "render_generic", spy)
    forms_plugin.emit(comp.spec, sink, {"formats": "html"})
    assert [w for _, w in made] == list(range(len(made))) and len(made) == 3
    folder.commit(sink, "k", "h")
    index = json.loads((tmp_path / "o" / "x" / "forms" / "index.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in index["forms"]] == [i for i, _ in made]


def _build(tmp_path, comp, name, monkeypatch, workers: int) -> dict:
    monkeypatch.setattr(forms_plugin, "_workers", lambda formats: workers)
    pools = []
    real = forms_plugin._pool
    monkeypatch.setattr(forms_plugin, "_pool", lambda n: pools.append(n) or real(n))
    folder = OutputFolder(tmp_path / name)
    sink = folder.begin("x")
    forms_plugin.emit(comp.spec, sink, {"formats": "html,pdf,docx"})
    folder.commit(sink, "k", "h")
    assert pools == ([workers] if workers else [])
    return {
        p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file() and "manifest" not in p.name
    }


@pytest.mark.slow
def test_a_pool_lays_out_the_same_bytes_as_one_process(tmp_path, monkeypatch):
    comp = compile_text(tmp_path, SPEC)
    alone = _build(tmp_path, comp, "alone", monkeypatch, 0)
    pooled = _build(tmp_path, comp, "pooled", monkeypatch, 2)
    assert len(alone) == 3 * 3 + 1  # three forms in three formats, and the index
    assert pooled == alone


_INHERITED = ["made before the pool"]


def _collectable() -> bool:
    """Whether this process's collector can reach ``_INHERITED``."""
    return any(o is _INHERITED for o in gc.get_objects())


def test_pool_workers_keep_what_they_inherit_out_of_the_collectors_reach():
    if not _collectable():
        pytest.skip("frozen in this process already")
    with forms_plugin._pool(1) as pool:
        assert pool.apply(_collectable) is False


def test_qualifications_of_a_unit_are_looked_up_not_scanned_for(specs, tmp_path):
    # a form names the qualifications its unit counts towards: once a unit,
    # from a table made once per spec (a scan per unit was quadratic)
    comp = compile_text(
        tmp_path,
        SPEC.replace(
            'qualification q "Q"', 'qualification p "P" { rules { minimum 1 credits\n at most 1 credits from u2 } }\nqualification q "Q"'
        ),
    )
    assert [q.id for q in comp.spec.qualifications_of("u2")] == ["p"]
    assert [q.id for q in comp.spec.qualifications_of("u1")] == ["q"]
    assert comp.spec.qualifications_of("nope") == ()
    for spec in [*specs.values(), comp.spec]:
        for u in spec.units:
            assert spec.qualifications_of(u.id) == tuple(q for q in spec.qualifications if u.id in q.units)
