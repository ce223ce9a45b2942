"""Checking by file (the language server's first answer in a large spec)
agrees with the whole-spec check on every file of the seed specs, except for
the checks that need every file (a text repeated in another file, W062)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specc import plugins
from specc.compiler import compile_file
from specc_plugins.lsp.project import Project, quick_check_file

ROOT = Path(__file__).resolve().parent.parent
CROSS_FILE = {"W062"}


@pytest.mark.parametrize("root", ["specs/cityandguilds/4411.specc", "specs/ncfe/ncfe.specc"])  # the CfA files are in two specs
def test_quick_check_agrees_with_the_full_check(root, monkeypatch):
    monkeypatch.chdir(ROOT)
    comp = compile_file(root, plugin_checks=plugins.checks)
    project = Project(folders=[ROOT / "specs"])
    compared = 0
    for f in comp.files:
        path = Path(f).resolve()
        if f == comp.root or len(project.roots_of(path)) != 1:
            continue  # a file of several specs is checked whole (each spec)
        full = {(d.code, d.message, d.span) for d in comp.diagnostics if d.span and d.span.file == f and d.code not in CROSS_FILE}
        quick = {(d.code, d.message, d.span) for d in quick_check_file(path, path.read_text(encoding="utf-8"), comp.spec)}
        assert quick == full, f
        compared += 1
    assert compared >= 3


def test_quick_check_sees_an_edit_in_context(monkeypatch):
    """An unsaved edit: a reuse link to a criterion another unit lacks, and a
    method the document does not declare, found without the whole spec."""
    monkeypatch.chdir(ROOT)
    comp = compile_file("specs/cityandguilds/4411.specc")
    path = ROOT / "specs/cityandguilds/units/106.specc"
    text = path.read_text(encoding="utf-8").replace("reuse unit 103 3.1, 3.2", "reuse unit 103 3.9, 3.2", 1)
    text = text.replace("\n      methods ", "\n      methods telepathy, ", 1)
    got = {(d.code, d.message) for d in quick_check_file(path, text, comp.spec)}
    assert ("W032", "reuse link names criterion 3.9 of unit 103, which does not exist") in got
    assert any(code == "E013" and "telepathy" in msg for code, msg in got)
