"""Helpers of the ``specc diff`` tests: copies of specs/ revised in place."""

from __future__ import annotations

import shutil
from pathlib import Path

from specc import diff as core
from specc.compiler import compile_file

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


def copy_spec(tmp_path: Path, name: str = "old") -> Path:
    """A copy of specs/ (the CfA import of NCFE stays relative)."""
    dst = tmp_path / name
    shutil.copytree(SPECS, dst)
    return dst


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def compiled(root: Path):
    comp = compile_file(root)
    assert comp.ok, [d.message for d in comp.errors]
    return comp.spec


def revise(tmp_path: Path, root: str, edits) -> tuple[core.SpecDiff, Path, Path]:
    """Diff specs/ROOT against a copy revised by ``edits(new_folder)``."""
    old = copy_spec(tmp_path, "old")
    new = copy_spec(tmp_path, "new")
    edits(new)
    return core.diff(compiled(old / root), compiled(new / root)), old, new
