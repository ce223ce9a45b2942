"""examples/ holds, per qualification of specs/, an achieving portfolio and
instructively failing ones with their reports: it must be current (made again
and compared; run ``python scripts/make_examples.py`` after changing a spec or
the validator), and each example must show what its name says."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from specc_plugins.export import examples
from tests.test_export_synth import _CACHE, synth  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# the finding each failing example is there to show (any one of them)
SHOWS = {
    "missing-mandatory-unit": {"V603"},
    "too-few-credits": {"V601", "V604"},
    "same-occasion": {"V304"},
    "demanded-slot-missing": {"V302"},
    "demanded-method-missing": {"V306"},
    "simulation-not-allowed": {"V211"},
    "environment-not-permitted": {"V212"},
    "outside-registration": {"V221", "V222"},
    "reuse-not-allowed": {"V203"},
    "range-not-covered": {"V401", "V402"},
    "barred-units": {"V605"},
    "schema-errors": {"V102", "V104", "V105"},
}


@pytest.fixture(scope="module")
def fresh(compilations):
    return examples.all_files([c.spec for c in compilations.values() if c.ok and c.spec is not None])


def test_examples_are_current(fresh):
    have = {p.relative_to(EXAMPLES).as_posix(): p.read_text(encoding="utf-8") for p in EXAMPLES.rglob("*") if p.is_file()}
    hint = "examples/ is not current: run python scripts/make_examples.py"
    assert sorted(set(fresh) - set(have)) == [], hint
    assert sorted(set(have) - set(fresh)) == [], hint
    assert sorted(k for k in fresh if fresh[k] != have[k]) == [], hint


def check_examples(files: dict[str, str]) -> set[str]:
    """Each example shows what its name says; returns the failure names seen."""
    seen = set()
    for path, text in files.items():
        if not path.endswith(".report.json"):
            continue
        name = path.rsplit("/", 1)[1][: -len(".report.json")]
        report = json.loads(text)
        assert path.replace(".report.json", ".json") in files
        if name == "achieves":
            assert report["verdict"] == "achieved" and report["findings"] == [], path
            continue
        kind = name.removeprefix("fails-")
        codes = {f["code"] for f in report["findings"]}
        assert report["verdict"] == "not_achieved", path
        assert codes & SHOWS[kind], (path, codes)
        assert report["valid"] == (kind != "schema-errors"), path
        seen.add(kind)
    return seen


def test_examples_show_what_they_say(fresh):
    check_examples(fresh)
    for folder in {p.rsplit("/", 1)[0] for p in fresh if p.count("/") == 2}:
        assert f"{folder}/achieves.json" in fresh and f"{folder}/README.md" in fresh


def test_the_demo_spec_shows_every_failure(synth):  # noqa: F811
    files = examples.all_files([synth["demo"]])
    assert check_examples(files) == set(SHOWS)
    # a unit under evidence requirements with ranges is in the achieving route
    achieves = json.loads(files["demo/q1/achieves.json"])
    assert "u2" in achieves["units"]


def test_the_script_writes_checks_and_prunes(synth, tmp_path, capsys):  # noqa: F811
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_examples
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    demo = str(Path(_CACHE["root"]) / "demo")
    out = tmp_path / "ex"
    assert make_examples.main([demo, "-o", str(out)]) == 0
    assert make_examples.main([demo, "-o", str(out), "--check"]) == 0
    (out / "demo" / "q1" / "old.json").write_text("{}", encoding="utf-8")
    (out / "demo" / "q1" / "achieves.json").write_text("{}", encoding="utf-8")
    assert make_examples.main([demo, "-o", str(out), "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert make_examples.main([demo, "-o", str(out)]) == 0
    assert not (out / "demo" / "q1" / "old.json").exists()
    assert make_examples.main([demo, "-o", str(out), "--check"]) == 0
