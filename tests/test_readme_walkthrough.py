"""The README's "Your first spec" walkthrough, followed literally: the spec
it prints, the diagnostic it shows, the fix, fmt and build."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Your first spec", 1)[1].split("\n## ", 1)[0]


def specc(*args, cwd):
    return subprocess.run([sys.executable, "-m", "specc", *args], cwd=cwd, capture_output=True, text=True)


def test_walkthrough(tmp_path):
    blocks = re.findall(r"```(\w*)\n(.*?)```", SECTION, re.S)
    spec = next(body for lang, body in blocks if lang == "specc")
    shown = next(body for lang, body in blocks if lang == "" and "error[" in body)
    (tmp_path / "myspec").mkdir()
    f = tmp_path / "myspec" / "hello.specc"
    f.write_text(spec, encoding="utf-8")

    r = specc("check", "myspec", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip() == shown.strip()

    f.write_text(spec.replace("observaton", "observation"), encoding="utf-8")
    r = specc("check", "myspec", cwd=tmp_path)
    assert r.returncode == 0 and "checked 1 spec: no problems" in r.stderr

    assert specc("fmt", "myspec", cwd=tmp_path).returncode == 0
    text = f.read_text(encoding="utf-8")
    assert "# My first specification." in text and "    row 1.1 {\n      methods observation, witness_testimony\n    }" in text
    assert specc("fmt", "--check", "myspec", cwd=tmp_path).returncode == 0

    r = specc("build", "myspec", "-o", "myout", "-q", "--option", "formats=html", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "myout" / "hello"
    for rel in ("ir.json", "handbook/hello.rst", "handbook/hello.html", "handbook/hello.odt", "forms/units/unit-001.html",
                "schemas/9999-01.portfolio.schema.json", "validators/9999-01_validator.py"):
        assert (out / rel).is_file(), rel


def test_readme_diagnostic_example_is_what_check_prints():
    shown = README.split("### Diagnostics", 1)[1].split("```", 2)[1].strip("\n")
    r = specc("check", "specs/cityandguilds", cwd=ROOT)
    assert shown.strip() in r.stderr
