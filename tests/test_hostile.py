"""Hostile specs and filesystem tricks (issue 10): reads confined to the
project, writes confined to the output folder without following links, build
state that survives kills and concurrency, control characters and names that
would break outputs caught at check time.  Each test reproduces an attack
that used to get through."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from specc import build
from specc.compiler import compile_file
from specc.diagnostics import render
from specc.project import ProjectError, find_project
from specc.sink import MANIFEST, STAGING_PREFIX, OutputFolder, UnsafePath, safe_component
from specc.source import SourceError, SourceLoader, split_revision

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

SPEC = textwrap.dedent(
    """\
    document demo "Demo" {
      body demo "Demo Body"
    }
    unit u1 "Unit one" {
      credits 2
      glh 10
      outcome 1 knowledge "Know things" {
        criterion 1.1 "state things"
      }
    }
    qualification q1 "Q" {
      rules {
        mandatory u1
      }
    }
    """
)


def specc(*args, cwd=ROOT, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "specc", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- reads: one project root, one loader -------------------------------------


def test_import_of_proc_environ_is_refused_and_never_printed(tmp_path):
    f = write(tmp_path / "p" / "spec.specc", 'import "/proc/self/environ"\n' + SPEC)
    env = dict(os.environ, SPECC_TEST_SECRET="hunter2-secret-value")
    r = specc("check", str(f.parent), env=env)
    assert r.returncode == 1
    assert "error[E003]" in r.stderr and "outside the project folder" in r.stderr
    assert "hunter2" not in r.stderr + r.stdout


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_devices_and_fifos_inside_the_project_are_refused_without_blocking(tmp_path, target):
    proj = tmp_path / "p"
    write(proj / "spec.specc", 'import "part.specc"\n' + SPEC)
    if target == "fifo":
        os.mkfifo(proj / "part.specc")
    else:
        (proj / "part.specc").symlink_to(target)  # a link to a device: resolved, then outside
    r = specc("check", str(proj), timeout=60)
    assert r.returncode == 1 and "error[E003]" in r.stderr, r.stderr
    assert ("not a regular file" in r.stderr) if target == "fifo" else ("outside the project" in r.stderr)


def test_a_fifo_is_refused_by_the_loader_itself(tmp_path):
    os.mkfifo(tmp_path / "x.specc")
    with pytest.raises(SourceError, match="not a regular file"):
        SourceLoader(tmp_path).fetch(tmp_path / "x.specc")


def test_size_cap(tmp_path):
    f = write(tmp_path / "big.specc", "# " + "x" * 5000 + "\n")
    with pytest.raises(SourceError, match="larger than"):
        SourceLoader(tmp_path, max_bytes=4096).fetch(f)
    assert SourceLoader(tmp_path).fetch(f).startswith(b"# x")


def test_import_escaping_the_named_folder_is_refused(tmp_path):
    write(tmp_path / "secret.specc", "unit s \"S\" {\n}\n")
    f = write(tmp_path / "p" / "spec.specc", 'import "../secret.specc"\n' + SPEC)
    comp = compile_file(f)
    (d,) = [d for d in comp.diagnostics if d.code == "E003"]
    assert "outside the project folder" in d.message and "specc.toml" in d.help


def test_specc_toml_marks_the_root_and_may_allow_more_folders(tmp_path):
    write(tmp_path / "shared" / "u.specc", 'unit u2 "Unit two" {\n  credits 1\n}\n')
    f = write(tmp_path / "proj" / "a" / "spec.specc", 'import "../../shared/u.specc"\n' + SPEC)
    write(tmp_path / "proj" / "specc.toml", "")
    assert any("outside" in d.message for d in compile_file(f).diagnostics)
    write(tmp_path / "proj" / "specc.toml", '[imports]\nallow = ["../shared"]\n')
    assert find_project(f.parent).root == (tmp_path / "proj").resolve()
    assert not [d for d in compile_file(f).diagnostics if d.code == "E003"]


@pytest.mark.parametrize(
    "toml,message", [("[imports\n", "not valid TOML"), ("[bulid]\n", "unknown table `bulid`"), ("[imports]\nallow = 3\n", "list of strings")]
)
def test_a_broken_project_file_is_a_usage_error(tmp_path, toml, message):
    write(tmp_path / "specc.toml", toml)
    write(tmp_path / "spec.specc", SPEC)
    with pytest.raises(ProjectError, match=message):
        find_project(tmp_path)
    r = specc("check", str(tmp_path))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("named", ["specs", "specs/ncfe", "specs/ncfe/ncfe.specc"])
def test_seed_import_of_cfa_stays_inside_specs(named):
    r = specc("check", named)
    assert r.returncode == 0 and "E003" not in r.stderr, r.stderr


def test_overlay_and_revision_enter_through_the_same_loader(tmp_path):
    repo = tmp_path / "repo"
    f = write(repo / "spec.specc", SPEC)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    f.write_text(SPEC.replace('"Demo"', '"Changed"'))
    # the editor's buffer wins over the disk
    buf = SPEC.replace('"Demo"', '"Buffer"')
    assert compile_file(f, source=SourceLoader(repo, overlay={f: buf})).spec.document.title == "Buffer"
    # the revision is what git has, not the disk
    assert compile_file(f, source=SourceLoader(repo, revision="HEAD")).spec.document.title == "Demo"
    assert compile_file(f).spec.document.title == "Changed"
    with pytest.raises(SourceError, match="outside the project"):
        SourceLoader(repo, overlay={"/etc/passwd": "x"}).fetch("/etc/passwd")
    assert split_revision("HEAD~1:specs/x.specc") == ("HEAD~1", "specs/x.specc")
    assert split_revision("specs/x.specc") == (None, "specs/x.specc")


# -- control characters and names ---------------------------------------------


def test_control_characters_are_an_error_and_are_escaped_when_shown(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC.replace("state things", "state \x1b]0;pwned\x07 \x0c\x00things"))
    comp = compile_file(f)
    codes = [d.code for d in comp.diagnostics]
    assert codes.count("E008") == 4
    text = "\n".join(render(d, comp.sources) for d in comp.diagnostics)
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    r = specc("build", str(f), "-o", str(tmp_path / "out"), "--emit", "forms", "-j", "1")
    assert r.returncode == 1 and "not building" in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_message_cannot_forge_terminal_output(tmp_path):
    # the file name itself carries an escape sequence and a newline
    d = tmp_path / "evil\x1b[31m\nerror: forged"
    write(d / "spec.specc", SPEC.replace("mandatory u1", "mandatory u9"))
    r = specc("check", str(d))
    assert "\x1b" not in r.stderr and "\nerror: forged" not in r.stderr
    assert "\\x1b" in r.stderr


def test_two_specs_with_one_document_id_are_an_error_not_an_overwrite(tmp_path):
    write(tmp_path / "a.specc", SPEC)
    write(tmp_path / "b.specc", SPEC.replace("document demo", "document Demo"))
    r = specc("build", str(tmp_path), "-o", str(tmp_path / "out"), "--emit", "ir-json")
    assert r.returncode == 1 and "error[E071]" in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("qid", ["CON", "nul", "COM7", "lpt9", "x" * 300])
def test_reserved_and_overlong_ids_are_caught_at_check_time(tmp_path, qid):
    f = write(tmp_path / "s.specc", SPEC.replace("qualification q1", f"qualification {qid}"))
    r = specc("check", str(f))
    assert r.returncode == 1 and "error[E070]" in r.stderr


def test_long_names_stay_distinct_and_bounded():
    a, b = safe_component("x" * 300 + "a"), safe_component("x" * 300 + "b")
    assert a != b and len(a) <= 120 and len(b) <= 120
    assert safe_component("COM9") == "_COM9" and safe_component("lpt2.txt") == "_lpt2.txt"


# -- writes: no link followed inside the output folder -------------------------


def _sink_with(tmp_path, files: dict[str, str], prefix="doc"):
    folder = OutputFolder(tmp_path / "out")
    sink = folder.begin(prefix)
    for rel, text in files.items():
        sink.write(rel, text)
    return folder, sink


@pytest.mark.parametrize("link_at", ["doc", "doc/handbook", "doc/handbook/sections"])
def test_a_planted_folder_link_is_never_written_through(tmp_path, link_at):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    (out / link_at).parent.mkdir(parents=True, exist_ok=True)
    (out / link_at).symlink_to(elsewhere, target_is_directory=True)
    folder, sink = _sink_with(tmp_path, {"handbook/sections/a.html": "x", "ir.json": "{}"})
    with pytest.raises(UnsafePath, match="symbolic link"):
        folder.commit(sink, "doc/x", "h")
    assert not any(elsewhere.rglob("*"))
    assert not list(out.glob(STAGING_PREFIX + "*"))


def test_stale_cleanup_never_deletes_through_a_link(tmp_path):
    folder, sink = _sink_with(tmp_path, {"handbook/sections/unit-X1.html": "old", "keep.txt": "k"})
    folder.commit(sink, "doc/handbook", "h1")
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "unit-X1.html").write_text("precious")
    # replace the sections folder by a link to the victim folder
    import shutil

    shutil.rmtree(out / "doc/handbook/sections")
    (out / "doc/handbook/sections").symlink_to(victim, target_is_directory=True)
    sink = folder.begin("doc")
    sink.write("keep.txt", "k")
    folder.commit(sink, "doc/handbook", "h2")
    assert (victim / "unit-X1.html").read_text() == "precious"


def test_a_planted_file_link_is_replaced_not_followed(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("untouched")
    out = tmp_path / "out"
    (out / "doc").mkdir(parents=True)
    (out / "doc" / "ir.json").symlink_to(target)
    folder, sink = _sink_with(tmp_path, {"ir.json": "{}"})
    folder.commit(sink, "doc/ir-json", "h")
    assert target.read_text() == "untouched"
    assert not (out / "doc" / "ir.json").is_symlink() and (out / "doc" / "ir.json").read_text() == "{}"


def test_cli_reports_a_link_in_the_output_folder(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "demo").symlink_to(elsewhere, target_is_directory=True)
    r = specc("build", str(f), "-o", str(tmp_path / "out"), "--emit", "ir-json")
    assert r.returncode == 1 and "symbolic link" in r.stderr and "Traceback" not in r.stderr
    assert not any(elsewhere.iterdir())


def test_fmt_never_writes_through_a_planted_temp_link(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC.replace("  body demo", "      body demo"))
    target = tmp_path / "target.txt"
    target.write_text("untouched")
    (tmp_path / ".spec.specc.fmt-tmp").symlink_to(target)
    r = specc("fmt", str(f))
    assert r.returncode == 0, r.stderr
    assert target.read_text() == "untouched"
    assert not f.is_symlink() and "  body demo" in f.read_text()


def test_fmt_check_shows_a_unified_diff(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC.replace("  body demo", "      body demo"))
    r = specc("fmt", "--check", str(f))
    assert r.returncode == 1
    assert "-      body demo" in r.stdout and "+  body demo" in r.stdout and r.stdout.startswith("---")
    assert "      body demo" in f.read_text()


# -- build state -------------------------------------------------------------


def test_wrong_shape_manifests_never_traceback(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC)
    out = tmp_path / "out"
    out.mkdir()
    for bad in ([], {"format": 2, "entries": []}, {"format": 2, "entries": {"demo/ir-json": {"outputs": [1]}}}, {"format": 2, "entries": {"demo/ir-json": 5}}, "x"):
        (out / MANIFEST).write_text(json.dumps(bad))
        r = specc("build", str(f), "-o", str(out), "--emit", "ir-json")
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


def test_killed_build_leftovers_are_cleaned(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC)
    out = tmp_path / "out"
    assert specc("build", str(f), "-o", str(out), "--emit", "ir-json").returncode == 0
    # a build killed after staging, and one killed after moving a file in
    # whose manifest record was saved as pending
    (out / f"{STAGING_PREFIX}dead").mkdir()
    (out / f"{STAGING_PREFIX}dead" / "x").write_text("x")
    (out / ".manifest-dead").write_text("{")
    m = json.loads((out / MANIFEST).read_text())
    m["entries"]["demo/ir-json"]["outputs"]["demo/orphan.json"] = "0" * 64
    m["entries"]["demo/ir-json"]["pending"] = True
    (out / MANIFEST).write_text(json.dumps(m))
    (out / "demo" / "orphan.json").write_text("left by a killed build")
    r = specc("build", str(f), "-o", str(out), "--emit", "ir-json")
    assert r.returncode == 0
    assert not list(out.glob(STAGING_PREFIX + "*")) and not (out / ".manifest-dead").exists()
    assert not (out / "demo" / "orphan.json").exists()
    assert "pending" not in json.loads((out / MANIFEST).read_text())["entries"]["demo/ir-json"]


def test_manifest_is_saved_as_each_emitter_commits(tmp_path):
    folder, sink = _sink_with(tmp_path, {"a.txt": "a"})
    folder.commit(sink, "doc/one", "h")
    on_disk = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert on_disk["entries"]["doc/one"]["outputs"] == {"doc/a.txt": folder.manifest["entries"]["doc/one"]["outputs"]["doc/a.txt"]}


def test_toolchain_is_part_of_what_the_manifest_compares(tmp_path):
    folder = OutputFolder(tmp_path / "out", toolchain="t1")
    sink = folder.begin("doc")
    sink.write("a.txt", "a")
    folder.commit(sink, "doc/x", "h")
    assert OutputFolder(tmp_path / "out", toolchain="t1").up_to_date("doc/x", "h")
    assert not OutputFolder(tmp_path / "out", toolchain="t2").up_to_date("doc/x", "h")
    tc = build.toolchain()
    assert {"specc", "code", "fonts", "libraries"} <= set(tc) and {"weasyprint", "docutils", "python-docx", "lark", "jinja2", "pydyf"} <= set(tc["libraries"])


def test_the_manifest_records_the_toolchain_and_a_changed_toolchain_rebuilds(tmp_path, monkeypatch):
    f = write(tmp_path / "spec.specc", SPEC)
    out = tmp_path / "out"
    assert specc("build", str(f), "-o", str(out), "--emit", "ir-json").returncode == 0
    m = json.loads((out / MANIFEST).read_text())
    assert m["toolchain"]["libraries"]["weasyprint"] and m["toolchain"]["digest"] == m["entries"]["demo/ir-json"]["toolchain"]
    assert "0 files written" in specc("build", str(f), "-o", str(out), "--emit", "ir-json").stderr
    # the same outputs made by another toolchain (say another font installed) are not trusted
    m["entries"]["demo/ir-json"]["toolchain"] = "another"
    (out / MANIFEST).write_text(json.dumps(m))
    assert "1 file written" in specc("build", str(f), "-o", str(out), "--emit", "ir-json").stderr


def test_a_second_build_waits_for_the_lock(tmp_path):
    out = tmp_path / "out"
    first = OutputFolder(out)
    said = []
    order = []
    with first.locked():

        def second():
            with OutputFolder(out).locked(on_wait=said.append):
                order.append("second")

        t = threading.Thread(target=second)
        t.start()
        deadline = time.monotonic() + 10
        while not said and time.monotonic() < deadline:
            time.sleep(0.01)
        order.append("first done")
    t.join(10)
    assert order == ["first done", "second"]
    assert said and "another specc build" in said[0]


def test_builds_of_different_specs_into_one_folder_keep_each_others_entries(tmp_path):
    a = write(tmp_path / "a" / "a.specc", SPEC.replace("document demo", "document one"))
    b = write(tmp_path / "b" / "b.specc", SPEC.replace("document demo", "document two"))
    out = tmp_path / "out"
    procs = [
        subprocess.Popen([sys.executable, "-m", "specc", "build", str(s), "-o", str(out), "--emit", "ir-json"], cwd=ROOT, stderr=subprocess.PIPE)
        for s in (a, b)
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    entries = json.loads((out / MANIFEST).read_text())["entries"]
    assert {"one/ir-json", "two/ir-json"} <= set(entries)


# -- the command line -----------------------------------------------------------


def test_output_that_is_a_file_is_a_clear_error(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC)
    (tmp_path / "FILE").write_text("x")
    for o in ("FILE", "FILE/sub"):
        r = specc("build", str(f), "-o", str(tmp_path / o), "--emit", "ir-json")
        assert r.returncode == 2 and "not a folder" in r.stderr and "Traceback" not in r.stderr


def test_empty_inputs_are_explained_the_same_way(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "one" / "a.specc", "")
    for cmd in ("check", "build"):
        r = specc(cmd, str(tmp_path / "empty"), *(["-o", str(tmp_path / "o")] if cmd == "build" else []))
        assert r.returncode == 2 and "no spec under" in r.stderr and "no .specc file" in r.stderr
        r = specc(cmd, str(tmp_path / "one"), *(["-o", str(tmp_path / "o")] if cmd == "build" else []))
        assert r.returncode == 2 and "none declares a `document`" in r.stderr and "W063" in r.stderr
    assert not (tmp_path / "o").exists()


def test_help_describes_every_argument():
    import argparse

    from specc.cli import make_parser

    parser = make_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name in ("check", "build", "fmt", "ir", "plugins"):
        for action in sub.choices[name]._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"specc {name} {action.dest} has no help"
    build_help = " ".join(specc("build", "--help").stdout.split())
    for word in ("ir-json", "handbook_formats", "cityandguilds", "errors only"):
        assert word in build_help, word


def test_jobs_below_one_is_refused_like_validate():
    r = specc("build", "-j", "-1")
    assert r.returncode == 2 and "at least 1" in r.stderr


def test_version():
    r = specc("--version")
    assert r.returncode == 0 and r.stdout.startswith("specc ")


def test_quiet_build_prints_no_warnings(tmp_path):
    f = write(tmp_path / "spec.specc", SPEC.replace('criterion 1.1 "state things"', 'criterion 1.1 "state things"\n    criterion 1.3 "more"'))
    loud = specc("build", str(f), "-o", str(tmp_path / "o1"), "--emit", "ir-json")
    quiet = specc("build", str(f), "-o", str(tmp_path / "o2"), "--emit", "ir-json", "-q")
    assert "warning[" in loud.stderr and loud.returncode == quiet.returncode == 0
    assert quiet.stderr == ""


def test_plugins_fits_a_pipe():
    r = specc("plugins", env=dict(os.environ, COLUMNS="90"))
    assert max(len(ln) for ln in r.stdout.splitlines()) <= 90


def test_ir_diagnostics_format(tmp_path):
    f = write(tmp_path / "s.specc", SPEC.replace("mandatory u1", "mandatory u9"))
    r = specc("ir", str(f), "--diagnostics", "json")
    assert r.returncode == 1 and json.loads(r.stdout)[0]["code"] == "E011"
    assert specc("ir", str(f), "--format", "text").returncode == 2


# -- text that reaches the handbook's reStructuredText ------------------------


def _html(source: str) -> str:
    from docutils.core import publish_parts

    return publish_parts(source, writer="html", settings_overrides={"report_level": 5, "halt_level": 2})["body"]


def test_only_http_and_mailto_uris_become_live_links():
    from specc_plugins.handbook import rst

    body = _html(rst.text("see javascript:alert(1), JavaScript:x, data:text/html,y, vbscript:z and https://ok.example/ or mailto:a@b.example"))
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs == ["https://ok.example/", "mailto:a&#64;b.example"]  # docutils obfuscates the @
    assert "javascript:alert(1)" in body and "data:text/html,y" in body  # shown as text


def test_author_text_of_any_shape_never_breaks_docutils():
    """Indented lines after blank lines, bullets, enumerators, directives,
    URIs: rst.text in a paragraph, bullet, table cell and field parses
    without a docutils warning (halt_level=2)."""
    import random

    from specc_plugins.handbook import rst

    from specc import ir

    rng = random.Random(10)
    pieces = ["text", "- item", "  - sub", "    indented", "", "1. num", "* star", "javascript:x", "word::", "| bar", ".. note::", "back", "#. x"]
    for _ in range(60):
        v = "\n".join(rng.choice(["", " ", "  ", "    ", "      "]) + rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        body = rst.text(ir.Text(v))
        for doc in (body, rst.bullets([body]), rst.table(("a", "b"), [("x", body)], (50, 50)), rst.field_list([("f", body)])):
            _html(doc)  # raises on a warning


def test_specc_toml_gives_build_defaults(tmp_path):
    write(tmp_path / "p" / "spec.specc", SPEC)
    write(tmp_path / "p" / "specc.toml", '[build]\noutput = "../built"\nemit = ["ir-json"]\n')
    r = specc("build", str(tmp_path / "p"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "built" / "demo" / "ir.json").is_file()
    assert not (tmp_path / "built" / "demo" / "handbook").exists()
    write(tmp_path / "p" / "specc.toml", '[build]\noptions = { handbok = "x" }\n')
    r = specc("build", str(tmp_path / "p"), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "no emitter reads option `handbok`" in r.stderr
