"""Incremental builds at the grain of an output (issue 14 item 4): an emitter
that re-runs keeps the outputs whose key (what they show) is unchanged, and
the result is the clean build's, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest

from specc import build, plugins
from specc.sink import MANIFEST, STAGING_PREFIX, OutputFolder, content_key

ROOT = Path(__file__).resolve().parent.parent

# a small City & Guilds-style spec: the C&G form style makes one form per
# unit and an achievement summary per qualification that lists the units
ROOT_FILE = textwrap.dedent(
    """\
    import "units/001.specc"
    import "units/002.specc"
    import "units/003.specc"

    document cg9999 "City & Guilds Demo Certificate" {
      body cityandguilds "City & Guilds"
      version "1.0"
      published 2025-08
      methods observation, oral_questioning
    }

    qualification 9999-01 "Demo Certificate" {
      rules {
        minimum 4 credits
        mandatory 001, 002
        remaining credits from 003
      }
    }
    """
)


def unit(n: int) -> str:
    return textwrap.dedent(
        f"""\
        unit 00{n} "Demo unit {n}" {{
          credits 2
          glh 10
          outcome 1 knowledge "Know demo topic {n}" {{
            criterion 1.1 "state demo fact {n}"
            criterion 1.2 "describe demo thing {n}"
          }}
        }}
        """
    )


HTML_ONLY = {"formats": "html", "handbook_formats": "rst,html"}


def make_spec(where: Path) -> Path:
    (where / "units").mkdir(parents=True)
    (where / "cg.specc").write_text(ROOT_FILE, encoding="utf-8")
    for n in (1, 2, 3):
        (where / "units" / f"00{n}.specc").write_text(unit(n), encoding="utf-8")
    return where


def edit(spec: Path, old: str, new: str, file: str = "units/001.specc") -> None:
    f = spec / file
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new), encoding="utf-8")


def run(
    spec: Path, out: Path, options: dict = HTML_ONLY, emit=("forms", "handbook"), force=False, toolchain=None
) -> dict[str, build.EmitResult]:
    """One `specc build` through the library (as the command runs it)."""
    comps = [c for c in build.compile_all([spec]) if c.spec is not None]
    assert len(comps) == 1
    registry = plugins.emitters()
    jobs = build.plan(comps[0], [registry[n] for n in emit], options)
    folder = OutputFolder(out, toolchain=build.toolchain_digest() if toolchain is None else toolchain)
    with folder.locked():
        results = build.emit_all(jobs, folder, options, force=force)
    assert all(r.status != "failed" for r in results), [r.error for r in results]
    return {r.emitter: r for r in results}


def rendered(r: build.EmitResult) -> set[str]:
    """The outputs an emitter run rendered (not kept from the last build)."""
    return {o.split("/", 1)[1] for o in set(r.outputs) - set(r.kept)}


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".specc-lock"}


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


@pytest.fixture
def spec(tmp_path):
    return make_spec(tmp_path / "spec")


def test_an_edit_to_unit_001_rerenders_only_its_form_and_section(spec, tmp_path):
    out = tmp_path / "out"
    first = run(spec, out)
    assert first["forms"].kept == [] and first["handbook"].kept == []
    before = inodes(out)
    edit(spec, "state demo fact 1", "state a demo fact 1")
    again = run(spec, out)
    # the unit's own forms (its pack and the questioning record the document's
    # methods give its knowledge criteria) and handbook section, the index,
    # and the whole document
    assert rendered(again["forms"]) == {"forms/units/unit-001.html", "forms/evidence-records/unit-001-questioning-record.html", "forms/index.json"}
    assert rendered(again["handbook"]) == {"handbook/sections/unit-001.html", "handbook/cg9999.rst", "handbook/cg9999.html"}
    after = inodes(out)
    kept = set(again["forms"].kept) | set(again["handbook"].kept)
    assert "cg9999/forms/units/unit-002.html" in kept and "cg9999/handbook/sections/unit-003.html" in kept
    assert all(after[k] == before[k] for k in kept)  # left in place, not rewritten
    assert after["cg9999/forms/units/unit-001.html"] != before["cg9999/forms/units/unit-001.html"]
    assert "state a demo fact 1" in (out / "cg9999/forms/units/unit-001.html").read_text()
    # the manifest says what each kept or rendered output was made from
    m = json.loads((out / MANIFEST).read_text())
    made = m["entries"]["cg9999/forms"]["made_from"]
    assert set(made) == {o for o in m["entries"]["cg9999/forms"]["outputs"] if not o.endswith("index.json")}


def test_renaming_a_unit_rerenders_the_lists_that_name_it(spec, tmp_path):
    out = tmp_path / "out"
    run(spec, out)
    edit(spec, '"Demo unit 1"', '"Renamed demo unit"')
    again = run(spec, out)
    assert rendered(again["forms"]) == {
        "forms/units/unit-001.html",
        "forms/evidence-records/unit-001-questioning-record.html",
        "forms/qualifications/achievement-summary-9999-01.html",
        "forms/index.json",
    }
    assert "Renamed demo unit" in (out / "cg9999/forms/qualifications/achievement-summary-9999-01.html").read_text()


def test_incremental_rebuild_equals_a_clean_build_byte_for_byte(spec, tmp_path):
    inc, clean = tmp_path / "inc", tmp_path / "clean"
    options = {"formats": "html,docx", "handbook_formats": "rst,html,odt"}
    run(spec, inc, options)
    edit(spec, "describe demo thing 1", "explain demo thing 1")
    edit(spec, '"Demo unit 3"', '"Demo unit three"', "units/003.specc")
    r = run(spec, inc, options)
    assert r["forms"].kept and r["handbook"].kept  # something was reused
    run(spec, clean, options)
    a, b = tree(inc), tree(clean)
    assert sorted(a) == sorted(b)
    assert [n for n in a if a[n] != b[n]] == []  # every file, the manifest too


def test_an_output_no_longer_made_is_removed_and_a_tampered_one_is_rendered_again(spec, tmp_path):
    out = tmp_path / "out"
    run(spec, out)
    # unit 003 leaves the spec: its form and section go
    edit(spec, 'import "units/003.specc"\n', "", "cg.specc")
    edit(spec, "    remaining credits from 003\n", "", "cg.specc")
    run(spec, out)
    assert not (out / "cg9999/forms/units/unit-003.html").exists()
    assert not (out / "cg9999/handbook/sections/unit-003.html").exists()
    # a kept output whose bytes changed on disk is not trusted
    (out / "cg9999/forms/units/unit-002.html").write_text("tampered")
    r = run(spec, out)
    assert r["forms"].status == "written" and "forms/units/unit-002.html" in rendered(r["forms"])
    assert "Demo unit 2" in (out / "cg9999/forms/units/unit-002.html").read_text()


def test_a_changed_template_or_toolchain_or_force_rerenders_everything(spec, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run(spec, out)
    everything = {e: set(r.outputs) for e, r in first.items()}
    edit(spec, "state demo fact 1", "state demo fact one")
    r = run(spec, out, toolchain="another toolchain")
    assert all(set(x.outputs) == everything[e] and x.kept == [] for e, x in r.items())
    edit(spec, "state demo fact one", "state demo fact 1")
    monkeypatch.setattr(build, "code_hash", lambda: "a changed template")
    r = run(spec, out, toolchain="another toolchain")
    assert all(x.kept == [] for x in r.values())
    monkeypatch.undo()
    run(spec, out)
    edit(spec, "state demo fact 1", "state demo fact one")
    r = run(spec, out, force=True)
    assert all(x.kept == [] for x in r.values())
    # another option (formats) is another salt: nothing of the old runs is reused
    r = run(spec, out, options={"formats": "html,docx", "handbook_formats": "rst,html"})
    assert r["forms"].kept == [] and r["handbook"].kept == []


KILLER = textwrap.dedent(
    """\
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    import test_incremental as t
    n = [0]
    real = os.rename
    def rename(*a, **k):
        n[0] += 1
        if n[0] > {after}:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    os.rename = rename
    t.run(Path({spec!r}), Path({out!r}))
    """
)


@pytest.mark.parametrize("after", [0, 1])
def test_a_build_killed_while_moving_files_in_leaves_a_consistent_folder(spec, tmp_path, after):
    out, clean = tmp_path / "out", tmp_path / "clean"
    run(spec, out)
    edit(spec, "state demo fact 1", "state demo fact one")
    edit(spec, "state demo fact 2", "state demo fact two", "units/002.specc")
    script = KILLER.format(tests=str(ROOT / "tests"), after=after, spec=str(spec), out=str(out))
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120)
    assert r.returncode == -9, r.stderr.decode()
    # the killed build: every output on disk is one the manifest knows
    m = json.loads((out / MANIFEST).read_text())
    known = {o for e in m["entries"].values() for o in e["outputs"]}
    on_disk = {n for n in tree(out) if not n.startswith((".", STAGING_PREFIX))}
    assert on_disk <= known and any(e.get("pending") for e in m["entries"].values())
    # the next build reuses nothing from the pending entry and ends as a clean build does
    again = run(spec, out)
    assert not list(out.glob(STAGING_PREFIX + "*"))
    run(spec, clean)
    assert tree(out) == tree(clean)
    assert again["forms"].kept == []


def test_content_key_is_canonical():
    @attrs.frozen
    class A:
        x: object

    assert content_key({"b", "a", "c"}) == content_key({"c", "a", "b"})
    assert content_key({"a": 1, "b": 2}) == content_key({"b": 2, "a": 1})
    assert content_key(("1",)) != content_key((1,)) != content_key([1])
    assert content_key(A(("a", "b"))) != content_key(A(("ab",))) != content_key(("a", "b"))
    assert content_key(A(frozenset({1, 2}))) == content_key(A(frozenset({2, 1})))


@pytest.mark.slow
def test_cg_4411_incremental_build_equals_a_clean_build_byte_for_byte(tmp_path):
    """The real C&G spec, every default emitter and format (PDFs included)."""
    spec = tmp_path / "cityandguilds"
    shutil.copytree(ROOT / "specs" / "cityandguilds", spec)
    inc, clean = tmp_path / "inc", tmp_path / "clean"

    def cli(out):
        r = subprocess.run(
            [sys.executable, "-m", "specc", "build", str(spec), "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900
        )
        assert r.returncode == 0, r.stderr
        return r.stderr

    cli(inc)
    edit(spec, 'criterion 1.1 "state the appropriate dress', 'criterion 1.1 "state the suitable dress')
    said = cli(inc)
    assert "unchanged kept" in said
    cli(clean)
    a, b = tree(inc), tree(clean)
    assert sorted(a) == sorted(b)
    assert [n for n in a if a[n] != b[n]] == []
    assert os.path.exists(inc / "cg4411" / "forms" / "units" / "unit-001.pdf")


@pytest.mark.parametrize("made_from", [[1], {"cg9999/forms/units/unit-002.html": 5}, "x"])
def test_a_malformed_made_from_only_costs_reuse(spec, tmp_path, made_from):
    out = tmp_path / "out"
    run(spec, out)
    m = json.loads((out / MANIFEST).read_text())
    m["entries"]["cg9999/forms"]["made_from"] = made_from
    (out / MANIFEST).write_text(json.dumps(m))
    edit(spec, "state demo fact 1", "state demo fact one")
    r = run(spec, out)
    assert r["forms"].kept == [] and r["handbook"].kept  # the other entry still reuses
    assert "state demo fact one" in (out / "cg9999/forms/units/unit-001.html").read_text()
