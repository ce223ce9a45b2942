"""``specc validate SPEC PORTFOLIO...``: JSON files (an object or an array),
JSON Lines files and stdin, ``--jobs``, ``--format json``, ``--as-of``; the
same reports as the generated module; exit status 0/1/2; a clear message,
never a traceback, on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from specc_plugins.export import sample, validator
from specc_plugins.export import command
from specc.cli import main
from tests.test_export_synth import _CACHE, synth  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(synth):  # noqa: F811
    """(root file, spec, q1, its module, [(name, portfolio)]: achieving first, then each failure)."""
    spec = synth["demo"]
    root = Path(_CACHE["root"]) / "demo" / "demo.specc"
    q = spec.qualification("q1")
    mod = validator.module_for(spec, q)
    from specc_plugins.export.model import qualification_model

    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    docs = [("achieves", good)] + [(f"fails-{name}", p) for name, _, p in sample.failures(model, good)]
    return root, spec, q, mod, docs


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def as_json(out: str) -> dict:
    return json.loads(out)


def test_module_is_the_emitters(demo):
    """specc validate installs in the runtime the data the emitted module has as literals."""
    _, spec, q, _, _ = demo
    from specc_plugins.export.model import qualification_model

    command._init_worker(command.Models(spec), q.id, True, [q.id], spec.document.id, None, "json")
    mod = command.module(q.id)
    emitted = validator.load(validator.render(spec, q))
    for name in validator.DATA_NAMES:
        assert getattr(mod, name) == getattr(emitted, name), name
    assert mod.CRITERION_TABLES == emitted.CRITERION_TABLES and mod.UNIT_IDS == emitted.UNIT_IDS
    assert mod.UNITS == validator.data(qualification_model(spec, q))["UNITS"]


def test_json_files_give_the_modules_reports(demo, tmp_path, capsys):
    root, _, _, mod, docs = demo
    paths = []
    for name, doc in docs:
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(p))
    code, out, err = run(["validate", str(root), *paths, "-Q", "q1", "--format", "json"], capsys)
    assert code == 1
    doc = as_json(out)
    assert doc["qualification"] == "q1" and doc["document"] == "demo"
    reports = [mod.validate(d) for _, d in docs]
    codes: dict[str, int] = {}
    for rep in reports:
        for f in rep["findings"]:
            codes[f["code"]] = codes.get(f["code"], 0) + 1
    by_q = {"portfolios": len(docs), "achieved": 1, "not_achieved": len(docs) - 1}
    assert doc["summary"] == {**by_q, "qualifications": {"q1": {**by_q, "findings": dict(sorted(codes.items()))}}}
    assert len(codes) > 5
    assert [r["source"] for r in doc["results"]] == paths
    for (_, portfolio), result in zip(docs, doc["results"], strict=True):
        assert result["report"] == mod.validate(portfolio)
    # the achieving one alone: exit 0
    code, out, _ = run(["validate", str(root), paths[0], "--format", "json"], capsys)
    assert code == 0 and as_json(out)["summary"]["achieved"] == 1


def test_json_array_and_text_output(demo, tmp_path, capsys):
    root, _, _, mod, docs = demo
    p = tmp_path / "batch.json"
    p.write_text(json.dumps([d for _, d in docs[:3]]), encoding="utf-8")
    code, out, err = run(["validate", str(root), str(p)], capsys)
    assert code == 1
    assert f"{p}[0]: Alex Morgan (1000000000) - q1 ACHIEVED, 6 credits" in out
    assert f"{p}[1]: " in out and "NOT ACHIEVED" in out
    first_failure = mod.validate(docs[1][1])["findings"][0]
    assert f"  error {first_failure['code']} {first_failure['path']}: {first_failure['message']}" in out
    assert "3 portfolios checked against q1: 1 achieved, 2 not achieved" in err


def _batch(docs, n: int) -> list[dict]:
    return [docs[i % len(docs)][1] for i in range(n)]


def test_json_lines_with_jobs_equals_one_process(demo, tmp_path, capsys):
    root, _, _, mod, docs = demo
    batch = _batch(docs, command.PARALLEL_MIN + 6)
    p = tmp_path / "batch.jsonl"
    lines = [json.dumps(d) for d in batch]
    lines.insert(3, "")  # blank lines are skipped, line numbers kept
    p.write_text("\r\n".join(lines) + "\n", encoding="utf-8")
    results = {}
    for jobs in ("1", "2", "0"):
        code, out, _ = run(["validate", str(root), str(p), "--jobs", jobs, "--format", "json"], capsys)
        assert code == 1
        results[jobs] = as_json(out)["results"]
    assert results["1"] == results["2"] == results["0"]
    got = results["1"]
    assert len(got) == len(batch)
    assert got[3]["source"] == f"{p}:5"
    for portfolio, result in zip(batch, got, strict=True):
        assert result["report"] == mod.validate(portfolio)


def test_stdin_and_as_of(demo, capsys, monkeypatch):
    root, _, _, mod, docs = demo
    data = "\n".join(json.dumps(d) for _, d in docs[:2]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(["validate", str(root), "-", "--format", "json", "--as-of", "2024-09-05"], capsys)
    results = as_json(out)["results"]
    assert [r["source"] for r in results] == ["<stdin>:1", "<stdin>:2"]
    assert results[0]["report"] == mod.validate(docs[0][1], "2024-09-05")
    assert results[0]["report"]["as_of"] == "2024-09-05"
    # evidence after the date of the check does not count
    assert results[0]["report"]["verdict"] == "not_achieved" and code == 1
    assert "V223" in {f["code"] for f in results[0]["report"]["findings"]}


BAD_INPUTS = {
    "truncated.json": b'{"qualification": ',
    "latin1.json": b'{"learner": {"name": "Ren\xe9e"}}',
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "bom.json": b'\xef\xbb\xbf{"qualification": "q1"}',
    "mixed.jsonl": b'{"qualification": "q1"}\nnot json\n\n[1, 2]\n\xff\xfe\n{"learner": {"name": "A\xe2\x80\xa8B"}}\r\n',
    "empty.json": b"",
    "nan.json": b'{"qualification": NaN, "units": {"u1": {"criteria": {"1.1": {"evidence": [1e999]}}}}}',
    "nested.json": b'{"units": {"u1": {"criteria": {"1.1": {"evidence": [{"id": "E1", "method": ' + b"[" * 950 + b"]" * 950 + b"}]}}}}}",
}


def test_bad_input_is_reported_not_raised(demo, tmp_path):
    """Run as a process: every broken file or line gets a report (V100 when it
    is not JSON), the exit status is 1, and nothing prints a traceback."""
    root, _, _, mod, _ = demo
    paths = []
    for name, data in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    r = subprocess.run(
        [sys.executable, "-m", "specc", "validate", str(root), *paths, "--format", "json"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    results = {x["source"]: x["report"] for x in json.loads(r.stdout)["results"]}

    def codes(label):
        return {f["code"] for f in results[label]["findings"]}

    for name in ("truncated.json", "latin1.json", "deep.json[0]", "bom.json", "empty.json"):
        assert codes(str(tmp_path / name)) == {"V100"}, name
    # an array file: each element is an input of its own (read as it is reached)
    assert "nested too deeply" in results[str(tmp_path / "deep.json[0]")]["findings"][0]["message"]
    mixed = str(tmp_path / "mixed.jsonl")
    assert sorted(k for k in results if k.startswith(mixed)) == [f"{mixed}:{n}" for n in (1, 2, 4, 5, 6)]
    assert codes(f"{mixed}:2") == codes(f"{mixed}:5") == {"V100"}
    assert "V101" in codes(f"{mixed}:4")  # an array is JSON, but not a portfolio
    assert "V100" not in codes(f"{mixed}:6")  # U+2028 inside a string does not end a line
    assert results[f"{mixed}:6"]["learner"] == {"name": "A\u2028B"}
    assert "V100" not in codes(str(tmp_path / "nan.json"))
    assert "V104" in codes(str(tmp_path / "nested.json"))  # parsed, and shown in a message without failing


@pytest.mark.parametrize(
    "argv, message",
    [
        (["validate", "{root}", "{missing}"], "no such file: {missing}"),
        (["validate", "{missing}", "{good}"], "no such file: {missing}"),
        (["validate", "{root}", "{good}", "-Q", "nope"], "no qualification 'nope'"),
        (["validate", "{root}", "{good}", "--jobs", "-1"], "--jobs must be 0"),
        (["validate", "{root}", "{good}", "--as-of", "2025-02-30"], "--as-of must be a date"),
        (["validate", "{root}", "{good}", "--as-of", "20250101"], "--as-of must be a date"),
        (["validate", "{broken}", "{good}"], "does not compile"),
        (["validate", "{cfa}", "{good}"], "declares no qualification"),
        (["validate", "{root}", "{folder}"], "{folder} is a folder with no portfolio files in it"),
        (["validate", "{root}", "{good}", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    ],
)
def test_usage_errors_exit_2(demo, tmp_path, capsys, argv, message):
    root, _, _, _, docs = demo
    good = tmp_path / "good.json"
    good.write_text(json.dumps(docs[0][1]), encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a portfolio", encoding="utf-8")
    broken = tmp_path / "broken.specc"
    broken.write_text('document x "X" { body b "B" }\nunit 1 "U" { credits two }\n', encoding="utf-8")
    names = {
        "root": str(root),
        "missing": str(tmp_path / "missing.json"),
        "good": str(good),
        "broken": str(broken),
        "cfa": str(root.parent / "cfa.specc"),
        "folder": str(tmp_path / "empty"),
    }
    code, out, err = run([a.format(**names) for a in argv], capsys)
    assert code == 2
    assert message.format(**names) in err
    assert "Traceback" not in err and out == ""


def test_no_portfolios_is_said(demo, tmp_path, capsys):
    root = demo[0]
    p = tmp_path / "empty.jsonl"
    p.write_text("\n\n", encoding="utf-8")
    code, out, err = run(["validate", str(root), str(p)], capsys)
    assert code == 0 and "no portfolios in" in err


# ---------------------------------------------------------------------- each portfolio against its own qualification

CG = ROOT / "specs" / "cityandguilds"
CG_ROOT = CG / "4411.specc"
CG_EXAMPLES = ROOT / "examples" / "cg4411"


def test_each_portfolio_is_checked_against_its_qualification(capsys):
    """Not the spec's first qualification (4411-30): the one each portfolio names."""
    p01, p30 = str(CG_EXAMPLES / "4411-01" / "achieves.json"), str(CG_EXAMPLES / "4411-30" / "achieves.json")
    code, out, err = run(["validate", str(CG_ROOT), p01], capsys)
    assert code == 0, out
    assert f"{p01}: Alex Morgan (1000000000) - 4411-01 ACHIEVED" in out and "V104" not in out
    code, out, err = run(["validate", str(CG_ROOT), p01, p30, "--format", "json"], capsys)
    assert code == 0
    doc = as_json(out)
    assert doc["qualification"] is None
    assert [r["report"]["qualification"] for r in doc["results"]] == ["4411-01", "4411-30"]
    assert [r["report"]["verdict"] for r in doc["results"]] == ["achieved", "achieved"]
    code, out, err = run(["validate", str(CG_ROOT), p01, p30], capsys)
    assert "2 portfolios checked against 4411-01, 4411-30: 2 achieved" in err
    # -q still forces one
    code, out, err = run(["validate", str(CG_ROOT), p01, "-Q", "4411-30", "--format", "json"], capsys)
    assert code == 1
    (result,) = as_json(out)["results"]
    assert result["report"]["qualification"] == "4411-30"
    assert any(f["code"] == "V104" and "not \"4411-01\"" in f["message"] for f in result["report"]["findings"])


def test_unknown_qualification_names_the_specs(tmp_path, capsys):
    doc = json.loads((CG_EXAMPLES / "4411-01" / "achieves.json").read_text(encoding="utf-8"))
    doc["qualification"] = "4411-99"
    p = tmp_path / "p.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run(["validate", str(CG_ROOT), str(p), "--format", "json"], capsys)
    assert code == 1
    (result,) = as_json(out)["results"]
    (finding,) = [f for f in result["report"]["findings"] if f["path"] == "$['qualification']"]
    assert finding["code"] == "V104"
    assert finding["message"].startswith('"4411-99" is not a qualification of cg4411 (it has 4411-30, 4411-33, 4411-01, 4411-11)')


def test_jobs_check_each_qualification(demo, tmp_path, capsys):
    """--jobs: the workers get every qualification's module."""
    root, spec, _, mod1, docs = demo
    from specc_plugins.export.model import qualification_model

    q2 = spec.qualification("q2")
    mod2 = validator.module_for(spec, q2)
    good2 = sample.achieving(qualification_model(spec, q2), q2.routes.cheapest.units)
    batch = [docs[0][1] if i % 2 else good2 for i in range(command.PARALLEL_MIN + 4)]
    p = tmp_path / "mixed.jsonl"
    p.write_text("".join(json.dumps(d) + "\n" for d in batch), encoding="utf-8")
    results = {}
    for jobs in ("1", "2"):
        code, out, _ = run(["validate", str(root), str(p), "--jobs", jobs, "--format", "json"], capsys)
        assert code == 0
        results[jobs] = as_json(out)["results"]
    assert results["1"] == results["2"]
    for portfolio, result in zip(batch, results["2"], strict=True):
        mod = mod1 if portfolio["qualification"] == "q1" else mod2
        assert result["report"] == mod.validate(portfolio)


# ---------------------------------------------------------------------- a folder as SPEC


def test_a_folder_with_one_spec_root(capsys):
    p01 = str(CG_EXAMPLES / "4411-01" / "achieves.json")
    code, out, err = run(["validate", str(CG), p01], capsys)
    assert code == 0 and "4411-01 ACHIEVED" in out, err
    code, out, err = run(["ir", str(CG)], capsys)
    assert code == 0 and json.loads(out)["document"]["id"] == "cg4411"


@pytest.mark.parametrize("command", ["validate", "ir"])
def test_a_folder_with_several_or_no_roots(command, tmp_path, capsys):
    good = str(CG_EXAMPLES / "4411-01" / "achieves.json")
    extra = [good] if command == "validate" else []
    code, out, err = run([command, str(ROOT / "specs"), *extra], capsys)
    assert code == 2 and out == ""
    assert "3 spec roots" in err
    for name in ("cfa/cfa.specc", "cityandguilds/4411.specc", "ncfe/ncfe.specc"):
        assert str(ROOT / "specs" / name) in err
    (tmp_path / "part.specc").write_text('unit 1 "U" { credits 1 }\n', encoding="utf-8")
    code, out, err = run([command, str(tmp_path), *extra], capsys)
    assert code == 2 and "no spec root" in err


def test_jobs_with_json_files_between_json_lines_keep_the_order(demo, tmp_path, capsys):
    """With --jobs, JSON Lines go to the workers a window at a time and a JSON
    file (an array of many portfolios) is checked here a result at a time:
    the results come out in input order all the same."""
    root, _, _, mod, docs = demo
    a = tmp_path / "a.jsonl"
    a.write_text("".join(json.dumps(d) + "\n" for d in _batch(docs, command.PARALLEL_MIN + 3)), encoding="utf-8")
    arr = tmp_path / "b.json"
    arr.write_text(json.dumps(_batch(docs, 5)[::-1]), encoding="utf-8")
    c = tmp_path / "c.jsonl"
    c.write_text("".join(json.dumps(d) + "\n" for d in _batch(docs, 7)), encoding="utf-8")
    results = {}
    for jobs in ("1", "2"):
        code, out, _ = run(["validate", str(root), str(a), str(arr), str(c), "--jobs", jobs, "--format", "json"], capsys)
        assert code == 1
        results[jobs] = as_json(out)["results"]
    assert results["1"] == results["2"]
    sources = [r["source"] for r in results["2"]]
    assert sources == ([f"{a}:{n}" for n in range(1, command.PARALLEL_MIN + 4)] + [f"{arr}[{i}]" for i in range(5)]
                       + [f"{c}:{n}" for n in range(1, 8)])
