"""A brief, seeded run of the spec fuzz target (tests/fuzz/specs.py): the
seeds mutated by bytes, tokens and lines give diagnostics, never a
traceback.  The README has the command for a longer run."""

from __future__ import annotations

import io
import random

from tests.fuzz import specs as fuzz


def test_seeded_mutants_of_the_seeds_raise_nothing(tmp_path):
    out = io.StringIO()
    status = fuzz.run(count=30, seconds=None, seed=1, save=tmp_path, mutators=list(fuzz.MUTATORS), out=out)
    assert status == 0, out.getvalue()
    assert "30 mutants" in out.getvalue() and not list(tmp_path.iterdir())


def test_the_target_reports_a_defect_it_meets(tmp_path, monkeypatch):
    # a target that cannot fail would prove nothing: break fmt and see it caught
    def broken(text, file="<input>"):
        raise RuntimeError("planted")

    monkeypatch.setattr(fuzz, "format_text", broken)
    out = io.StringIO()
    assert fuzz.run(count=3, seconds=None, seed=2, save=tmp_path, mutators=["lines"], out=out) == 1
    assert "RuntimeError: planted" in out.getvalue() and list(tmp_path.glob("*.specc"))


def test_mutators_change_the_text():
    rng = random.Random(3)
    text = 'unit 01 "A" {\n  credits 1\n}\n'
    for name, m in fuzz.MUTATORS.items():
        assert any(m(text, rng) not in (text, text.encode()) for _ in range(5)), name
