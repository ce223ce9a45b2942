"""Plugin discovery through entry points, failing plugins, and the output sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from specc.sink import OutputFolder, UnsafePath, confine, safe_component

ROOT = Path(__file__).resolve().parent.parent

SPEC = textwrap.dedent(
    '''
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
    '''
)

PLUGIN = textwrap.dedent(
    '''
    from specc.hookspecs import hookimpl
    from specc.plugins import Emitter
    from specc.diagnostics import Diagnostic


    def emit_count(spec, sink, options):
        sink.write("count.txt", f"{len(spec.units)} units\\n")


    def emit_broken(spec, sink, options):
        sink.write("partial.txt", "half")
        raise RuntimeError("boom")


    def emit_escape(spec, sink, options):
        sink.write("../../escaped.txt", "nope")


    @hookimpl
    def specc_register_emitters():
        return [
            Emitter("unit-count", "Counts units", "count.txt", emit_count),
            Emitter("broken", "Always fails", "partial.txt", emit_broken),
            Emitter("escape", "Tries to write outside", "escaped.txt", emit_escape),
        ]


    @hookimpl
    def specc_checks(spec):
        if spec.document.id == "explode":
            raise KeyError("no such thing")
        if len(spec.units) < 2:
            return [Diagnostic("W901", "demo body wants two units", spec.document.span)]
        return []
    '''
)


@pytest.fixture()
def installed_plugin(tmp_path):
    """Install a third-party plugin the way pip would: a module plus a
    .dist-info with an entry point in the ``specc`` group."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "demo_specc_plugin.py").write_text(PLUGIN)
    info = site / "demo_specc_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-specc-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[specc]\ndemo = demo_specc_plugin\n")
    (tmp_path / "spec.specc").write_text(SPEC)
    env = dict(os.environ, PYTHONPATH=str(site))
    return tmp_path, env


def specc(env, cwd, *args):
    return subprocess.run([sys.executable, "-m", "specc", *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_external_plugin_is_discovered_and_runs(installed_plugin):
    tmp, env = installed_plugin
    r = specc(env, tmp, "plugins", "--format", "json")
    data = json.loads(r.stdout)
    names = {e["name"]: e["plugin"] for e in data["emitters"]}
    assert names["unit-count"] == "demo" and names["ir-json"] == "ir-json"
    assert {"name": "demo", "distribution": "demo-specc-plugin 1.0"} in data["plugins"]
    r = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "unit-count,ir-json")
    assert r.returncode == 0, r.stderr
    assert (tmp / "out/demo/count.txt").read_text() == "1 units\n"
    assert "warning[W901]: demo body wants two units" in r.stderr  # plugin check ran
    assert "reported by plugin `demo`" in r.stderr


def test_failing_plugin_is_named_and_leaves_no_partial_files(installed_plugin):
    tmp, env = installed_plugin
    assert specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "unit-count").returncode == 0
    before = sorted(p.relative_to(tmp / "out").as_posix() for p in (tmp / "out").rglob("*") if p.is_file())
    r = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "broken")
    assert r.returncode == 1
    assert "plugin `demo` failed in emitter `broken`: RuntimeError: boom" in r.stderr
    assert "Traceback" not in r.stderr
    after = sorted(p.relative_to(tmp / "out").as_posix() for p in (tmp / "out").rglob("*") if p.is_file())
    assert after == before  # nothing partial, earlier outputs intact
    assert not list((tmp / "out").glob(".specc-staging-*"))


def test_emitter_cannot_write_outside_the_output_folder(installed_plugin):
    tmp, env = installed_plugin
    r = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "escape")
    assert r.returncode == 1 and "UnsafePath" in r.stderr
    assert not (tmp / "escaped.txt").exists() and not (tmp / "out" / "escaped.txt").exists()


def test_failed_build_keeps_earlier_outputs(installed_plugin):
    tmp, env = installed_plugin
    assert specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "ir-json").returncode == 0
    old = (tmp / "out/demo/ir.json").read_bytes()
    (tmp / "spec.specc").write_text(SPEC.replace("credits 2", "credits two"))
    r = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "ir-json")
    assert r.returncode == 1 and "error[E001]" in r.stderr
    assert (tmp / "out/demo/ir.json").read_bytes() == old


def test_rebuild_is_skipped_by_manifest_and_byte_identical(installed_plugin):
    tmp, env = installed_plugin
    r1 = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "ir-json")
    data = (tmp / "out/demo/ir.json").read_bytes()
    r2 = specc(env, tmp, "build", "spec.specc", "-o", "out", "--emit", "ir-json")
    assert "0 files written, 1 emitter run unchanged" in r2.stderr, r2.stderr
    r3 = specc(env, tmp, "build", "spec.specc", "-o", "out2", "--emit", "ir-json", "--force")
    assert r1.returncode == r2.returncode == r3.returncode == 0
    assert (tmp / "out2/demo/ir.json").read_bytes() == data
    manifest = json.loads((tmp / "out/.specc-manifest.json").read_text())
    entry = manifest["entries"]["demo/ir-json"]
    import hashlib

    assert entry["outputs"]["demo/ir.json"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "bad", ["../x", "/etc/passwd", "a/../../b", "C:/win", "a//b", "", ".", "a/./b", "a\\..\\b", "x\0y", "spaces are/unsafe"]
)
def test_confine_refuses_escapes(bad):
    with pytest.raises(UnsafePath):
        confine(bad)


@pytest.mark.parametrize("raw", ["../../etc", "a/b", "..", "CON", "x\0y", "Unit 01 (L/506/2083)", "é"])
def test_safe_component_stays_inside(raw, tmp_path):
    name = safe_component(raw)
    assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
    folder = OutputFolder(tmp_path / "out")
    sink = folder.begin("spec")
    sink.write(f"{name}/f.txt", "x")
    folder.commit(sink, "k", "h")
    for p in (tmp_path / "out").rglob("*"):
        assert (tmp_path / "out") in p.resolve().parents


def test_sink_discard_removes_staging(tmp_path):
    folder = OutputFolder(tmp_path)
    sink = folder.begin("s")
    sink.write("a.txt", "a")
    folder.discard(sink)
    assert not any(tmp_path.iterdir())


def test_failing_plugin_check_is_reported_without_traceback(installed_plugin):
    tmp, env = installed_plugin
    (tmp / "spec.specc").write_text(SPEC.replace("document demo", "document explode"))
    r = specc(env, tmp, "check", "spec.specc")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "plugin `demo` failed in specc_checks: KeyError" in r.stderr


def test_code_hash_covers_style_templates_and_stylesheets():
    from specc import build

    files = {f.as_posix() for f in build.code_files()}
    for rel in ("plugins/cityandguilds/templates/handbook.rst.j2", "plugins/handbook/templates/handbook.css", "plugins/forms/templates/form.css", "grammars/specc.lark"):
        assert any(f.endswith(rel) for f in files), rel
