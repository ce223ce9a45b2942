"""outputs/ holds the text outputs of `specc build` as review snapshots; they
must be current (rebuild and compare), and complete (every text output of a
fresh build is committed).

The default run rebuilds the text outputs only (no PDF, DOCX or ODT is
rendered) and compares every text file whose content does not list the
rendered formats; the slow test (CI) runs exactly what `specc build` does and
compares everything, the forms' index included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXT = (".json", ".rst", ".html", ".py", ".txt", ".css")
# the emitter options that leave out the binary renderings
TEXT_ONLY = ["--option", "formats=html", "--option", "handbook_formats=rst,html"]
# text outputs that list which formats were rendered
LISTS_FORMATS = ("forms/index.json",)


def tracked() -> set[str]:
    r = subprocess.run(["git", "ls-files", "outputs"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return {p[len("outputs/"):] for p in r.stdout.split() if p.endswith(TEXT) and "/review/" not in p and not p.startswith("review/")}


def _build(out: Path, extra: list[str]) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-m", "specc", "build", "specs", "-o", str(out), "-q", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.suffix in TEXT and p.name != ".specc-manifest.json"}


def _compare(out: Path, fresh: set[str], snap: set[str]) -> None:
    missing = sorted(fresh - snap)
    assert not missing, f"not committed (run ./dev build and commit outputs/): {missing[:10]}"
    stale = sorted(p for p in snap & fresh if (out / p).read_bytes() != (ROOT / "outputs" / p).read_bytes())
    assert not stale, f"outputs/ is stale (run ./dev build): {stale[:10]}"
    gone = sorted(snap - fresh)
    assert not gone, f"committed outputs the build no longer makes: {gone[:10]}"


def test_text_snapshots_are_current(tmp_path):
    out = tmp_path / "out"
    fresh = {p for p in _build(out, TEXT_ONLY) if not p.endswith(LISTS_FORMATS)}
    snap = {p for p in tracked() if not p.endswith(LISTS_FORMATS)}
    _compare(out, fresh, snap)


@pytest.mark.slow
def test_snapshots_are_current_and_complete(tmp_path):
    out = tmp_path / "out"
    _compare(out, _build(out, []), tracked())
