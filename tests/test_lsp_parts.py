"""A part file checked alone (`specc check units/001.specc`, or an editor's
check on save) is checked in the context of the specs that import it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from specc.parts import importing_roots

ROOT = Path(__file__).resolve().parent.parent


def check(cwd: Path, *paths: str) -> tuple[int, list[dict], str]:
    env = dict(os.environ, SPECC_CACHE="off")
    r = subprocess.run([sys.executable, "-m", "specc", "check", "--format", "json", *paths], cwd=cwd, env=env, capture_output=True, text=True)
    return r.returncode, json.loads(r.stdout or "[]"), r.stderr


def test_seed_unit_file_checked_in_its_spec():
    code, got, _ = check(ROOT, "specs/cityandguilds/units/001.specc")
    _, whole, _ = check(ROOT, "specs/cityandguilds")
    assert code == 0 and "E007" not in {d["code"] for d in got}
    assert got == [d for d in whole if d["file"] == "specs/cityandguilds/units/001.specc"] != []


def test_from_another_folder_too(tmp_path):
    code, got, _ = check(tmp_path, str(ROOT / "specs/cityandguilds/units/001.specc"))
    assert code == 0 and got and {d["code"] for d in got} == {"W030", "W033"}


DOC = 'document {id} "Spec {id}" {{\n  body demo "Demo"\n}}\n'
PART = """unit p1 "Shared unit" {
  credits 1
  glh 5
  outcome 1 knowledge "Know things" {
    criterion 1.1 "state a thing" {
      reuse unit extra 1.1
    }
    criterion 1.2 "state another thing"
  }
  evidence guide {
    row 1.1 { methods observation }
  }
}
"""
EXTRA = 'unit extra "Extra" {\n  outcome 1 knowledge "Know" {\n    criterion 1.1 "state it"\n  }\n}\n'


def project(tmp_path: Path) -> Path:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "part.specc").write_text(PART, encoding="utf-8")
    (tmp_path / "extra.specc").write_text(EXTRA, encoding="utf-8")
    (tmp_path / "a.specc").write_text('import "shared/part.specc"\nimport "extra.specc"\n' + DOC.format(id="a"), encoding="utf-8")
    (tmp_path / "b.specc").write_text('import "shared/part.specc"\n' + DOC.format(id="b"), encoding="utf-8")
    return tmp_path


def test_several_roots_are_each_checked_and_merged(tmp_path):
    p = project(tmp_path)
    assert importing_roots(p / "shared" / "part.specc", p) == [(p / "a.specc").resolve(), (p / "b.specc").resolve()]
    code, got, err = check(p, "shared/part.specc")
    codes = sorted(d["code"] for d in got)
    # W033 (1.2 uncovered) from both specs, once; W032 only where `extra` is not imported (b)
    assert codes == ["W032", "W033"], got
    assert all(d["file"] == "shared/part.specc" for d in got)
    assert "E007" not in err and code == 0


def test_the_project_root_bounds_the_search(tmp_path):
    p = project(tmp_path)
    (p / "shared" / "specc.toml").write_text("", encoding="utf-8")  # shared/ is a project of its own
    assert importing_roots(p / "shared" / "part.specc") == []
    code, got, _ = check(p, "shared/part.specc")
    assert code == 1 and [d["code"] for d in got] == ["E007"]


def test_a_part_nobody_imports_still_says_so(tmp_path):
    (tmp_path / "lone.specc").write_text(PART, encoding="utf-8")
    code, got, _ = check(tmp_path, "lone.specc")
    assert code == 1 and [d["code"] for d in got] == ["E007"]


def test_the_search_for_roots_never_blocks_on_a_fifo_nor_walks_a_huge_tree(tmp_path):
    """A part outside any project, beside a FIFO named like a spec and a deep
    tree of folders: the search reads regular files only and is bounded."""
    import os

    (tmp_path / "lone.specc").write_text(PART, encoding="utf-8")
    os.mkfifo(tmp_path / "trap.specc")
    deep = tmp_path
    for i in range(12):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "far.specc").write_text('import "' + "../" * 12 + 'lone.specc"\n' + DOC.format(id="far"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "specc", "check", "--format", "json", "lone.specc"], cwd=tmp_path,
                       env=dict(os.environ, SPECC_CACHE="off"), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and [d["code"] for d in json.loads(r.stdout)] == ["E007"]
