"""``specc diff`` with git revisions (a temporary repository), and the
summary of changes as a handbook's version history prints it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import docutils.core
import docutils.utils
import pytest

from specc.cli import main
from specc.compiler import compile_file

from tests.diff_helpers import edit, line_of

SPECS = Path(__file__).resolve().parent.parent / "specs"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with specs/ committed, then a revision of unit 001 and of
    the document's version committed on top."""
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    shutil.copytree(SPECS, r / "specs")
    git(r, "add", "-A")
    git(r, "commit", "-qm", "v1.8")
    edit(r / "specs/cityandguilds/units/001.specc", '"identify customer expectations', '"identify client expectations')
    edit(r / "specs/cityandguilds/4411.specc", 'version "1.8"\n  published 2025-08', 'version "1.9"\n  published 2026-11')
    git(r, "commit", "-qam", "v1.9")
    monkeypatch.chdir(r)
    return r


def run(capsys, *argv):
    code = main(["diff", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_revision_against_the_working_tree(repo, capsys):
    code, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["old"]["source"] == "HEAD~1:specs/cityandguilds" and data["old"]["version"] == "1.8"
    assert data["new"]["version"] == "1.9"
    reworded = [c for c in data["changes"] if c["kind"] == "reworded"]
    assert len(reworded) == 1
    n = line_of(repo / "specs/cityandguilds/units/001.specc", "criterion 2.1")
    assert reworded[0]["old"]["file"] == "HEAD~1:specs/cityandguilds/units/001.specc"
    assert reworded[0]["new"]["file"] == "specs/cityandguilds/units/001.specc"
    assert reworded[0]["old"]["line"] == reworded[0]["new"]["line"] == n
    # the same list as diffing two folders on disk
    assert sorted(c["what"] for c in data["changes"]) == ["criterion", "published", "version"]


def test_revision_against_revision_and_root_file(repo, capsys):
    code, out, _ = run(capsys, "HEAD~1:specs/cityandguilds/4411.specc", "HEAD:specs/cityandguilds")
    assert code == 1
    assert "--> HEAD:specs/cityandguilds/units/001.specc:" in out
    assert "= was: HEAD~1:specs/cityandguilds/units/001.specc:" in out
    # NCFE imports the CfA spec from another folder: read at the revision too
    code, out, _ = run(capsys, "HEAD~1:specs/ncfe", "HEAD:specs/ncfe")
    assert code == 0 and out.startswith("no changes")


def test_revision_leaves_no_files(repo, capsys, tmp_path):
    before = sorted(p for p in repo.rglob("*") if ".git" not in p.parts)
    run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds")
    assert sorted(p for p in repo.rglob("*") if ".git" not in p.parts) == before


@pytest.mark.parametrize(
    ("old", "says"),
    [
        ("NOPE:specs/cityandguilds", "is not a revision"),
        ("HEAD~1:specs/nothing", "no file or folder specs/nothing at revision HEAD~1"),
        ("HEAD~1:specs", "3 spec roots"),
    ],
)
def test_revision_errors(repo, capsys, old, says):
    code, _, err = run(capsys, old, "specs/cityandguilds")
    assert code == 2 and says in err and "Traceback" not in err


# --------------------------------------------------------------------------- the summary of changes


def test_summary_uses_the_new_version_and_date(repo, capsys):
    code, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "summary")
    lines = out.splitlines()
    assert lines[0].split() == ["Version", "Date", "Section", "Change"]
    assert len(lines) == 2  # the version and date changes are the row's, not rows
    assert lines[1].split()[:5] == ["1.9", "November", "2026", "Unit", "001"]
    assert "Criterion 2.1: statement reworded to \u201cidentify client expectations" in lines[1]


def test_summary_rst_renders_without_warnings(repo, capsys):
    _, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "summary", "--table", "rst")
    html = docutils.core.publish_string(out, writer="html5", settings_overrides={"halt_level": 2, "report_level": 2}).decode()
    assert "<table" in html and "Summary of changes" in html and "Unit 001" in html and "1.9" in html


def test_summary_markdown_escapes_cells(repo, capsys):
    edit(repo / "specs/cityandguilds/units/001.specc", '"identify client expectations', '"identify *client* | expectations')
    _, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "summary", "--table", "markdown")
    rows = out.splitlines()
    assert rows[0] == "| Version | Date | Section | Change |" and rows[1] == "|---|---|---|---|"
    assert "\\*client\\* \\| expectations" in rows[2]
    assert rows[2].count(" | ") == 3  # four cells: the pipe in the text is escaped


def test_summary_as_history_lines_compile_into_the_document(repo, capsys):
    """``--table specc`` prints `change` lines that go into the document's
    history block as they are."""
    edit(repo / "specs/cityandguilds/units/001.specc", '"identify client expectations', '"identify \\"client\\" expectations')
    _, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "summary", "--table", "specc")
    assert out.startswith('change 1.9 2026-11 "Criterion 2.1: statement reworded to')
    root = repo / "specs/cityandguilds/4411.specc"
    edit(root, "  history {\n", "  history {\n" + "".join("    " + line + "\n" for line in out.splitlines()))
    comp = compile_file(root)
    assert comp.ok
    added = [c for c in comp.spec.document.history if c.version == "1.9"]
    assert len(added) == len(out.splitlines()) == 1
    assert added[0].section.value == "Unit 001" and 'identify "client" expectations' in added[0].detail.value


def test_readme_example_is_what_the_command_prints(repo, capsys):
    """The README's revision of the C&G seed, made here: its summary table
    and the head of each change are what the command prints."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Comparing versions: `specc diff`", 1)[1].split("\n## ", 1)[0]
    edit(repo / "specs/cityandguilds/units/001.specc", 'demand 3 "features of appearance"', 'demand 4 "features of appearance"')
    edit(repo / "specs/cityandguilds/units/101.specc", "\n  credits 2\n", "\n  credits 3\n")
    _, table, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds", "--format", "summary")
    assert table in section
    _, out, _ = run(capsys, "HEAD~1:specs/cityandguilds", "specs/cityandguilds")
    heads = [line for line in out.splitlines() if re.match(r"^(changed|reworded|added|removed|moved): |^\s+--> |^\s+= |^\d+ change", line)]
    shown = [line for line in section.splitlines() if line in heads]
    assert len(shown) >= 12 and out.splitlines()[-1] in section
    assert next(line for line in heads if "= words:" in line) in section.splitlines()


def test_revision_cannot_be_an_option_or_read_outside_the_repository(repo, capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "--", "--output=x:specs/cityandguilds", "specs/cityandguilds")
    assert code == 2 and "neither a file or folder nor REV:PATH" in err
    # a spec at a revision importing a file beyond the project: refused by the
    # source loader (E003), neither read from the disk nor from git
    (repo.parent / "outside.specc").write_text('unit zz "Outside" {\n  credits 1\n}\n', encoding="utf-8")
    root = repo / "specs/cityandguilds/4411.specc"
    edit(root, 'import "units/001.specc"\n', 'import "../../../outside.specc"\nimport "units/001.specc"\n')
    git(repo, "commit", "-qam", "outside")
    code, _, err = run(capsys, "HEAD:specs/cityandguilds", "specs/cityandguilds")
    assert code == 2 and "E003" in err and "outside the project folder" in err and "Outside" not in err
