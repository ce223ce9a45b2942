"""Every diagnostic code has a fixture that triggers it at a known place."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from specc import build
from specc.compiler import compile_file
from specc.diagnostics import CODES, SourceCache, render

FIX = Path(__file__).parent / "fixtures" / "diagnostics"


def fixture_root(code: str) -> Path:
    d = FIX / code
    return d / "root.specc" if d.is_dir() else FIX / f"{code}.specc"


def expectations(root: Path) -> set[tuple[str, str, int, int]]:
    """``# expect: CODE LINE:COL`` lines of the fixture (all files of a folder fixture)."""
    files = sorted(root.parent.glob("*.specc")) if root.name == "root.specc" else [root]
    out = set()
    for f in files:
        for m in re.finditer(r"^# expect: (\w+) (\d+):(\d+)$", f.read_text(), re.MULTILINE):
            out.add((m.group(1), f.name, int(m.group(2)), int(m.group(3))))
    return out


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_fixture_that_triggers_it(code):
    root = fixture_root(code)
    assert root.exists(), f"no fixture for {code}"
    want = expectations(root)
    assert want and all(c == code for c, _, _, _ in want)
    comps = build.compile_all([root.parent if root.name == "root.specc" else root])
    got = {(d.code, Path(d.span.file).name, d.span.line, d.span.col) for c in comps for d in c.diagnostics if d.span}
    assert want == got, "\n".join(render(d, c.sources) for c in comps for d in c.diagnostics)


def test_rendering_is_rustc_like():
    comp = compile_file(fixture_root("E011"))
    (d,) = comp.diagnostics
    text = render(d, comp.sources)
    lines = text.split("\n")
    assert lines[0] == "error[E011]: unknown unit `u2` in the rules of `q1`"
    assert lines[1].strip().startswith("--> ") and lines[1].endswith("E011.specc:15:15")
    assert lines[3].endswith("|     mandatory u2")
    caret = lines[4]
    assert caret.index("^") == lines[3].index("u2") and caret.count("^") == 2
    assert lines[5].strip() == "= help: did you mean `u1`?"


def test_keyword_typo_gets_did_you_mean():
    comp = compile_file(fixture_root("E001"))
    first = comp.diagnostics[0]
    assert first.help == "did you mean `credits`?"
    assert len([d for d in comp.diagnostics if d.code == "E001"]) == 2  # all errors, not only the first


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "specc", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_exit_status_and_json():
    bad = run_cli("check", "--format", "json", str(fixture_root("E011")))
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data[0]["code"] == "E011" and data[0]["line"] == 15 and data[0]["column"] == 15
    warn = run_cli("check", str(fixture_root("W033")))
    assert warn.returncode == 0 and "warning[W033]" in warn.stderr
    usage = run_cli("check", "no/such/path.specc")
    assert usage.returncode == 2 and "no such file" in usage.stderr
    assert run_cli("frobnicate").returncode == 2


def test_no_traceback_on_binary_or_garbage_input(tmp_path):
    p = tmp_path / "x.specc"
    p.write_bytes(b"\xff\xfe\x00garbage")
    r = run_cli("check", str(p))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "error[E003]" in r.stderr
    p.write_text('document d "D" { body x "X" }\nunit "no id" {\n', encoding="utf-8")
    r = run_cli("check", str(p))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "error[E001]" in r.stderr


def test_source_cache_handles_missing_lines():
    sc = SourceCache()
    sc.add("a", "one\ntwo")
    assert sc.line("a", 2) == "two" and sc.line("a", 3) is None and sc.line("b", 1) is None
