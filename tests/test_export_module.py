"""The generated validator modules: they pass ``ruff check`` and compile, use
the standard library only (they run with ``python -I -S``, no site-packages,
no specc), are the same text whatever the hash seed, and as scripts give the
same reports as ``validate()`` in process and as ``specc validate``."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specc_plugins.export import sample, validator
from specc_plugins.export.model import qualification_model
from tests.test_export_synth import _CACHE, synth  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
STDLIB = {"datetime", "json", "os", "re", "sys"}


def ruff() -> str:
    exe = Path(sys.executable).parent / "ruff"
    found = str(exe) if exe.exists() else shutil.which("ruff")
    if not found:
        pytest.skip("ruff is not installed")
    return found


@pytest.fixture(scope="module")
def modules(synth, specs, tmp_path_factory):  # noqa: F811
    """Every qualification's generated module, written to a folder: {file name: (spec, q, path)}."""
    folder = tmp_path_factory.mktemp("validators")
    out = {}
    for spec in list(synth.values()) + list(specs.values()):
        for q in spec.qualifications:
            name = f"{spec.document.id}_{q.id}".replace("-", "_") + "_validator.py"
            path = folder / name
            path.write_text(validator.render(spec, q), encoding="utf-8")
            out[name] = (spec, q, path)
    assert out
    return out


def test_ruff_check_passes(modules):
    folder = str(next(iter(modules.values()))[2].parent)
    # the project's configuration, and ruff's defaults with nothing configured
    for extra in (["--config", str(ROOT / "pyproject.toml")], ["--isolated"]):
        r = subprocess.run([ruff(), "check", "--no-cache", *extra, folder], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([ruff(), "check", "--no-cache", "--isolated", "--select", "E,F,W,B,UP,S,PL", "--ignore", "E501,PLR,S101", folder],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_modules_compile_and_import_only_the_standard_library(modules):
    for name, (_, _, path) in modules.items():
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        imported = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        assert imported <= STDLIB, (name, imported)


def test_rendering_is_deterministic(synth):  # noqa: F811
    """Byte-identical under two hash seeds (no set order leaks into the code)."""
    code = (
        "import sys; sys.path.insert(0, {root!r}); from pathlib import Path\n"
        "from specc.compiler import compile_file; from specc_plugins.export import validator\n"
        "spec = compile_file(Path({demo!r})).spec\n"
        "sys.stdout.write(''.join(validator.render(spec, q) for q in spec.qualifications))\n"
    ).format(root=str(ROOT), demo=str(Path(_CACHE["root"]) / "demo" / "demo.specc"))
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.append(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout)
    assert outs[0] == outs[1]
    assert outs[0] == "".join(validator.render(synth["demo"], q) for q in synth["demo"].qualifications)


def test_standalone_script_equals_in_process_and_specc_validate(synth, tmp_path):  # noqa: F811
    """The module as a script under ``python -I -S`` (two hash seeds) prints
    the reports validate() gives in process; specc validate gives the same."""
    spec = synth["demo"]
    q = spec.qualification("q1")
    module = tmp_path / "q1_validator.py"
    module.write_text(validator.render(spec, q), encoding="utf-8")
    mod = validator.load(module.read_text(encoding="utf-8"))
    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    docs = [good] + [p for _, _, p in sample.failures(model, good)]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(good), encoding="utf-8")
    runs = []
    for seed in ("1", "2"):
        r = subprocess.run([sys.executable, "-I", "-S", str(module), str(batch), str(single)], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed}, cwd=tmp_path)
        assert r.returncode == 1, r.stderr
        runs.append(r.stdout)
    assert runs[0] == runs[1]
    lines = [json.loads(line) for line in runs[0].splitlines()]
    assert [x["source"] for x in lines] == [f"{batch}:{n}" for n in range(1, len(docs) + 1)] + [str(single)]
    for doc, line in zip(docs + [good], lines, strict=True):
        assert line["report"] == mod.validate(doc)
    r = subprocess.run([sys.executable, "-m", "specc", "validate", str(Path(_CACHE["root"]) / "demo" / "demo.specc"), str(batch), str(single),
                        "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1, r.stderr
    assert json.loads(r.stdout)["results"] == lines
    # usage errors exit 2
    r = subprocess.run([sys.executable, "-I", "-S", str(module)], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr
    for bad in (tmp_path / "missing.json", tmp_path):
        r = subprocess.run([sys.executable, "-I", "-S", str(module), str(single), str(bad)], capture_output=True, text=True)
        assert r.returncode == 2 and r.stdout == "" and f"cannot read {bad}" in r.stderr
    r = subprocess.run([sys.executable, "-I", "-S", str(module), str(single)], capture_output=True, text=True)
    assert r.returncode == 0


def test_reports_have_every_verdict(synth):  # noqa: F811
    """The report's documented shape: findings (code, severity, JSON path,
    message) and verdicts per criterion, unit and qualification."""
    spec = synth["demo"]
    q = spec.qualification("q1")
    mod = validator.module_for(spec, q)
    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    report = mod.validate(good)
    assert report["verdict"] == "achieved" and report["valid"] and report["findings"] == []
    assert set(report["units"]) == set(q.routes.cheapest.units)
    for uid, unit in report["units"].items():
        assert unit["verdict"] == "achieved"
        assert set(unit["criteria"]) == set(model["units"][uid]["criteria"])
        assert set(unit["criteria"].values()) == {"met"}
    assert all(r["met"] for r in report["rules"])
    for _, _, doc in sample.failures(model, good):
        report = mod.validate(doc)
        assert report["verdict"] == "not_achieved" and report["errors"] == len(report["findings"]) > 0
        for f in report["findings"]:
            assert set(f) == {"code", "severity", "path", "message"}
            assert f["code"] in mod.CODES and f["path"].startswith("$") and f["message"]


def test_readme_lists_every_finding_code(synth):  # noqa: F811
    import re

    spec = synth["demo"]
    mod = validator.module_for(spec, spec.qualification("q1"))
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Machine-readable export", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| (V\d{3}) \| (.+?) \|$", section, flags=re.M))
    assert table == mod.CODES


def _other_pythons() -> list[str]:
    """Other CPython versions on this machine, from 3.9 (the oldest the modules claim) on."""
    found = []
    for minor in range(9, 15):
        for exe in [shutil.which(f"python3.{minor}")] + sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python3.{minor}")):
            if not exe or f"3.{minor}" == f"{sys.version_info[0]}.{sys.version_info[1]}":
                continue
            r = subprocess.run([str(exe), "-I", "-S", "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
            if r.returncode == 0:
                found.append(str(exe))
                break
    return found[:1] + found[-1:] if len(found) > 1 else found  # the oldest and the newest


def test_modules_run_alike_on_other_pythons(synth, tmp_path):  # noqa: F811
    """Python 3.9+ as the module says: the same output on every version found."""
    others = _other_pythons()
    if not others:
        pytest.skip("no other Python version on this machine")
    spec = synth["demo"]
    q = spec.qualification("q1")
    module = tmp_path / "q1_validator.py"
    module.write_text(validator.render(spec, q), encoding="utf-8")
    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(d) + "\n" for d in [good] + [p for _, _, p in sample.failures(model, good)]), encoding="utf-8")
    outs = {}
    for exe in [sys.executable] + others:
        r = subprocess.run([exe, "-I", "-S", str(module), str(batch)], capture_output=True, text=True)
        assert r.returncode == 1, (exe, r.stderr)
        outs[exe] = r.stdout
    assert len(set(outs.values())) == 1, list(outs)


# ---------------------------------------------------------------------- the README's sample and small API points


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Machine-readable export", 1)[1].split("\n## ", 1)[0]


def test_readme_sample_portfolio_is_valid(specs):
    """The portfolio the README shows has its schema's shape, and every item
    in it counts (it is a portfolio in progress, as the README says)."""
    import re

    section = _readme_section()
    block = section.split("**A portfolio**", 1)[1]
    sample_doc = json.loads(re.search(r"```json\n(.*?)\n```", block, flags=re.S).group(1))
    spec = specs["cg4411"]
    q = spec.qualification(sample_doc["qualification"])
    mod = validator.module_for(spec, q)
    assert mod.check_structure(sample_doc) == []
    report = mod.validate(sample_doc)
    assert report["valid"] is True
    assert "`valid: true`" in block.split("**The portfolio schema**", 1)[0]
    # nothing wrong with the evidence it has: only criteria without evidence, and the rules
    assert {f["code"] for f in report["findings"]} <= {"V301", "V601", "V602", "V603", "V604"}
    for uid in sample_doc["units"]:
        for ref in sample_doc["units"][uid]["criteria"]:
            assert report["units"][uid]["criteria"][ref] == "met", (uid, ref)


def test_check_combination_takes_a_string_as_one_unit(synth):  # noqa: F811
    spec = synth["cg4411like"]
    mod = validator.module_for(spec, spec.qualification("4411-30"))
    assert mod.check_combination("001") == mod.check_combination(["001"])
    assert not any("\"0\"" in f["message"] for f in mod.check_combination("001"))


def test_a_bad_as_of_is_a_clear_value_error(synth):  # noqa: F811
    import datetime

    spec = synth["demo"]
    q = spec.qualification("q1")
    mod = validator.module_for(spec, q)
    good = sample.achieving(qualification_model(spec, q), q.routes.cheapest.units)
    for bad in ("2025-02-30", "20250101", 20250101):
        with pytest.raises(ValueError, match="as_of must be a date") as e:
            mod.validate(good, bad)
        assert repr(bad) in str(e.value)
    assert mod.validate(good, datetime.date(2025, 6, 30)) == mod.validate(good, "2025-06-30")


def test_messages_name_slots_by_label_and_start_lowercase(synth):  # noqa: F811
    spec = synth["demo"]
    q = spec.qualification("q1")
    mod = validator.module_for(spec, q)
    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    # criterion 2.1 of u1 demands three customer service tasks: leave the third uncovered
    p = json.loads(json.dumps(good))
    for item in p["units"]["u1"]["criteria"]["2.1"]["evidence"]:
        item["covers"] = [s for s in item["covers"] if s != "d1_3"]
    (v302,) = [f for f in mod.validate(p)["findings"] if f["code"] == "V302"]
    assert v302["message"].endswith("no evidence covers Customer service task 3 (d1_3)")
    for _, _, doc in sample.failures(model, good):
        for f in mod.validate(doc)["findings"]:
            assert not f["message"][:1].isupper(), f
    barred = next(doc for name, _, doc in sample.failures(model, good) if name == "barred-units")
    (v605,) = [f for f in mod.validate(barred)["findings"] if f["code"] == "V605"]
    assert v605["message"].startswith("unit u3 and unit u4 are both achieved")


def test_script_help_exits_0(synth, tmp_path):  # noqa: F811
    spec = synth["demo"]
    module = tmp_path / "q1_validator.py"
    module.write_text(validator.render(spec, spec.qualification("q1")), encoding="utf-8")
    for flag in ("--help", "-h"):
        r = subprocess.run([sys.executable, "-I", "-S", str(module), flag], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith("usage: ") and r.stderr == "", flag
