"""outputs/ holds the text outputs of `specc build` as review snapshots; they
must be current (rebuild and compare), and complete (every text output of a
fresh build is committed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXT = (".json", ".rst", ".html", ".py", ".txt", ".css")


def tracked() -> set[str]:
    r = subprocess.run(["git", "ls-files", "outputs"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return {p[len("outputs/"):] for p in r.stdout.split() if p.endswith(TEXT) and "/review/" not in p and not p.startswith("review/")}


def test_snapshots_are_current_and_complete(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "specc", "build", "specs", "-o", str(out), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    fresh = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.suffix in TEXT and p.name != ".specc-manifest.json"}
    snap = tracked()
    missing = sorted(fresh - snap)
    assert not missing, f"not committed (run ./dev build and commit outputs/): {missing[:10]}"
    stale = sorted(p for p in snap & fresh if (out / p).read_bytes() != (ROOT / "outputs" / p).read_bytes())
    assert not stale, f"outputs/ is stale (run ./dev build): {stale[:10]}"
    gone = sorted(snap - fresh)
    assert not gone, f"committed outputs the build no longer makes: {gone[:10]}"
