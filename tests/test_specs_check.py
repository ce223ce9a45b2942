"""`specc check specs/` reports no errors, and its warnings are exactly the
source defects listed in specs/README.md (code and file, one row each)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def listed() -> Counter:
    text = (ROOT / "specs" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (W\d{3}) \| `([^`]+)`", text, re.M)
    return Counter((code, "specs/" + path) for code, path in rows)


def test_warnings_are_exactly_the_listed_source_defects(compilations):
    got = Counter()
    for comp in compilations.values():
        assert not comp.errors, [str(d) for d in comp.errors]
        for d in comp.diagnostics:
            got[(d.code, d.span.file)] += 1
    assert got == listed()


def test_fmt_check_passes_on_specs():
    r = subprocess.run([sys.executable, "-m", "specc", "fmt", "--check", "specs"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_imported_requirement_sets_belong_to_their_own_document(specs):
    ncfe = next(s for s in specs.values() if s.document.body.id == "ncfe")
    cfa = next(s for s in specs.values() if s.document.body.id == "cfa")
    assert {rs.origin for rs in ncfe.requirement_sets} == {cfa.document.id}
    assert {rs.origin for rs in cfa.requirement_sets} == {cfa.document.id}
