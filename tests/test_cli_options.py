"""`specc build` options: a misspelt option or style is a usage error (exit
2, with a suggestion), a bad option value is reported as the user's mistake,
not a plugin crash; `specc plugins` lists emitters, their options and the
house styles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "cfa" / "cfa.specc"


def specc(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "specc", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--style", "ncf"], "unknown style `ncf` (did you mean `ncfe`?)"),
        (["--option", "handbok_formats=rst"], "no emitter reads option `handbok_formats` (did you mean `handbook_formats`?)"),
        (["--emit", "handbook", "--option", "handbook_formats=docx"], "invalid option for emitter `handbook`: unknown handbook format 'docx'"),
        (["--emit", "forms", "--option", "formats=odt"], "invalid option for emitter `forms`: unknown form format 'odt'"),
    ],
)
def test_option_mistakes_are_usage_errors(tmp_path, args, message):
    r = specc("build", str(SPEC), "-o", str(tmp_path / "out"), "-q", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr and "plugin `" not in r.stderr
    assert not list((tmp_path / "out").rglob("*.html"))


def test_style_override_builds(tmp_path):
    spec = SPEC.parent.parent / "cityandguilds" / "4411.specc"
    r = specc("build", str(spec), "-o", str(tmp_path / "out"), "-q", "--emit", "handbook", "--style", "ncfe", "--option", "handbook_formats=rst")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "cg4411" / "handbook" / "cg4411.rst").is_file()


def test_a_style_that_cannot_show_a_spec_is_an_error(tmp_path):
    """The NCFE style shows evidence requirements only inside the units
    assessed under them; the CfA spec has no units (issue 11)."""
    r = specc("build", str(SPEC), "-o", str(tmp_path / "out"), "-q", "--emit", "handbook", "--style", "ncfe", "--option", "handbook_formats=rst")
    assert r.returncode == 1, r.stderr
    assert "the handbook style `ncfe` cannot show requirements \"Communication using customer service Language\"" in r.stderr
    assert "Traceback" not in r.stderr and "plugin `" not in r.stderr
    assert not (tmp_path / "out" / "cfa_cs" / "handbook").exists()


def test_plugins_lists_emitters_options_and_styles():
    r = specc("plugins", "--format", "json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    ems = {e["name"]: e for e in data["emitters"]}
    assert ems["handbook"]["options"] == ["handbook_formats", "style"]
    styles = {(s["name"], s["for"]) for s in data["styles"]}
    assert {("cityandguilds", "handbook"), ("ncfe", "forms"), ("cfa", "handbook")} <= styles
    text = specc("plugins").stdout
    assert "house styles" in text and "handbook_formats" in text


def test_fmt_reports_a_file_that_is_not_utf8(tmp_path):
    f = tmp_path / "x.specc"
    f.write_bytes(b'document d "Caf\xe9" {\n  body b "B"\n}\n')
    r = specc("fmt", str(f))
    assert r.returncode == 1
    assert "error[E003]" in r.stderr and "is not UTF-8 text" in r.stderr and "Traceback" not in r.stderr
    assert f.read_bytes().startswith(b'document d "Caf\xe9"')  # left alone


def test_a_root_with_a_byte_order_mark_is_found_in_a_folder(tmp_path):
    (tmp_path / "y.specc").write_bytes(b'\xef\xbb\xbfdocument d "D" {\n  body b "B"\n}\n')
    r = specc("check", str(tmp_path))
    assert r.returncode == 0 and "no problems" in r.stderr, r.stderr
