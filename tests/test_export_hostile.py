"""Untrusted portfolios (issue 10): every input gets a result or a finding of
its own and the batch always finishes; output is valid UTF-8 whatever the
strings hold, and text output cannot be forged by a value; month arithmetic
at the end of the calendar; linear work on huge slot lists; a size limit per
portfolio and a cap on the findings listed.  Each test failed before its fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specc_plugins.export import command, runtime, sample, validator
from specc_plugins.export.model import qualification_model
from specc.cli import main
from tests.test_export_synth import _CACHE, synth  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(synth):  # noqa: F811
    spec = synth["demo"]
    q = spec.qualification("q1")
    model = qualification_model(spec, q)
    good = sample.achieving(model, q.routes.cheapest.units)
    return Path(_CACHE["root"]) / "demo" / "demo.specc", spec, q, model, validator.module_for(spec, q), good


def specc(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """specc as a user runs it, output as bytes (to check the encoding)."""
    return subprocess.run([sys.executable, "-m", "specc", *argv], cwd=ROOT, capture_output=True, input=stdin)


def with_name(good: dict, name: str) -> str:
    """The JSON text of ``good`` with the learner's name written as ``name`` (raw JSON string content)."""
    doc = json.loads(json.dumps(good))
    doc["learner"]["name"] = "@@NAME@@"
    return json.dumps(doc).replace('"@@NAME@@"', f'"{name}"')


# ---------------------------------------------------------------------- lone surrogates


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_lone_surrogates_give_valid_utf8_and_every_file_is_checked(demo, tmp_path, fmt):
    root, _, _, _, _, good = demo
    paths = []
    for i, name in enumerate(["\\ud800", "Ren\\udc80e", "\\udfff\\ud800"]):
        p = tmp_path / f"s{i}.json"
        p.write_text(with_name(good, name), encoding="ascii")
        paths.append(str(p))
    lines = tmp_path / "s.jsonl"
    lines.write_text(with_name(good, "\\udc80") + "\n" + json.dumps(good) + "\n", encoding="ascii")
    r = specc("validate", str(root), *paths, str(lines), "--format", fmt)
    assert b"Traceback" not in r.stderr and r.returncode == 0, r.stderr.decode("utf-8", "replace")
    text = r.stdout.decode("utf-8")  # strict: raises on a raw surrogate or byte
    if fmt == "json":
        results = json.loads(text)["results"]
        assert [x["report"]["learner"]["name"] for x in results] == ["\ud800", "Ren\udc80e", "\udfff\ud800", "\udc80", "Alex Morgan"]
        assert all(x["report"]["verdict"] == "achieved" for x in results)
    else:
        assert "\\ud800 (1000000000) - q1 ACHIEVED" in text and "Ren\\udc80e (1000000000)" in text
        assert text.count(" ACHIEVED") == 5


def test_standalone_module_prints_valid_utf8_for_lone_surrogates(demo, tmp_path):
    _, spec, q, _, _, good = demo
    module = tmp_path / "q1_validator.py"
    module.write_text(validator.render(spec, q), encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text(with_name(good, "\\ud800") + "\n" + with_name(good, "\\udc80") + "\n", encoding="ascii")
    for env in ({}, {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}):
        r = subprocess.run([sys.executable, "-I", "-S", str(module), str(p)], capture_output=True, env=env)
        assert r.returncode == 0 and r.stderr == b"", r.stderr
        names = [json.loads(line)["report"]["learner"]["name"] for line in r.stdout.decode("utf-8").splitlines()]
        assert names == ["\ud800", "\udc80"]


# ---------------------------------------------------------------------- the end of the calendar


def test_registration_near_the_end_of_the_calendar(demo):
    """12 months after 9999-12-01 is past 9999-12-31: no end date, no exception."""
    _, _, _, _, mod, good = demo
    for start in ("9999-12-01", "9999-01-31", "9998-12-31"):
        doc = json.loads(json.dumps(good))
        doc["registration"]["start"] = start
        doc["as_of"] = "9999-12-31"
        report = mod.validate(doc)
        codes = {f["code"] for f in report["findings"]}
        assert "V221" in codes and "V222" not in codes and "V199" not in codes, start
    assert mod.registration_end(runtime.datetime.date(9999, 12, 1)) is None
    with pytest.raises(OverflowError):
        runtime.add_months(runtime.datetime.date(9999, 12, 1), 1)
    assert runtime.add_months(runtime.datetime.date(9998, 12, 31), 12) == runtime.datetime.date(9999, 12, 31)


def test_a_batch_with_a_calendar_end_portfolio_finishes_with_jobs(demo, tmp_path):
    root, _, _, _, _, good = demo
    late = json.loads(json.dumps(good))
    late["registration"]["start"] = "9999-12-01"
    docs = [good, late] + [good] * command.PARALLEL_MIN
    p = tmp_path / "batch.jsonl"
    p.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    for jobs in ("1", "2"):
        r = specc("validate", str(root), str(p), "--jobs", jobs, "--format", "json")
        assert b"Traceback" not in r.stderr and r.returncode == 1, r.stderr
        results = json.loads(r.stdout)["results"]
        assert len(results) == len(docs)
        assert [x["report"]["verdict"] for x in results[:3]] == ["achieved", "not_achieved", "achieved"]


# ---------------------------------------------------------------------- linear work on huge lists


class Slot(str):
    """A slot id that counts how often it is compared for equality (a list
    membership test compares with every element; a set lookup hashes)."""

    compared = 0
    __hash__ = str.__hash__

    def __eq__(self, other):
        Slot.compared += 1
        return str.__eq__(self, other)


def test_at_least_demand_with_a_huge_covers_list_is_linear(demo):
    """u1 2.2 demands at least 2 customers helped: 4,000 further items of it
    on one evidence item cost a bounded number of comparisons each."""
    _, _, _, _, mod, good = demo
    n = 4000
    doc = json.loads(json.dumps(good))
    item = doc["units"]["u1"]["criteria"]["2.2"]["evidence"][0]
    item["covers"] = [Slot(f"d1_{k}") for k in range(1, n + 1)]
    Slot.compared = 0
    report = mod.validate(doc)
    assert report["units"]["u1"]["criteria"]["2.2"] == "met"
    assert Slot.compared < 10 * n, Slot.compared  # a list membership test per slot: about n * n / 2


# ---------------------------------------------------------------------- size limit and findings cap


def test_inputs_over_the_size_limit_get_v110_and_the_rest_is_read(demo, tmp_path, monkeypatch):
    _, spec, _, _, _, good = demo
    text = json.dumps(good)
    limit = len(text) + 10
    lines = tmp_path / "big.jsonl"
    lines.write_bytes((text + "\n" + "[" + " " * (3 * limit) + "]\n\n" + text + "\n").encode())
    got = list(runtime.read_inputs(str(lines), limit))
    assert [(label, problem and problem[0]) for label, _, _, problem in got] == [(f"{lines}:1", None), (f"{lines}:2", "V110"), (f"{lines}:4", None)]
    whole = tmp_path / "big.json"
    whole.write_bytes(b" " * (limit + 1))
    ((label, data, _, problem),) = runtime.read_inputs(str(whole), limit)
    assert data is None and problem[0] == "V110" and f"{limit:,} bytes" in problem[1]
    # the command uses the runtime's limit, MAX_BYTES
    monkeypatch.setattr(runtime, "MAX_BYTES", limit)
    command._init_worker(command.Models(spec), "q1", False, ["q1"], "demo", "2030-01-01", "json")
    results = [r for rec in command.records([str(lines)]) for r in command.results_of(rec)]
    assert [r["report"]["findings"][0]["code"] if r["report"]["findings"] else None for r in results] == [None, "V110", None]


def test_an_unreadable_input_is_a_finding_of_its_own(tmp_path):
    (rec,) = runtime.read_inputs(str(tmp_path / "gone.json"))
    (result,) = runtime.results(*rec)
    assert result["report"]["findings"][0]["code"] == "V111" and "cannot read" in result["report"]["findings"][0]["message"]
    (rec,) = runtime.read_inputs(str(tmp_path))  # a folder
    assert rec[3][0] == "V111"


def test_findings_are_capped_and_counted(demo):
    _, _, _, _, mod, good = demo
    doc = json.loads(json.dumps(good))
    extra = 3 * mod.MAX_FINDINGS
    for k in range(extra):
        doc["units"][f"x{k}"] = {}
    report = mod.validate(doc)
    assert len(report["findings"]) == mod.MAX_FINDINGS + 1
    last = report["findings"][-1]
    more = report["errors"] + report["warnings"] - mod.MAX_FINDINGS
    assert last["code"] == "V112" and last["message"] == f"{more} more findings not listed (a report lists {mod.MAX_FINDINGS})"
    assert report["errors"] >= extra and report["valid"] is False
    assert len(mod.check_structure(doc)) == mod.MAX_FINDINGS + 1


def test_a_failing_validator_is_a_finding_not_a_crash(demo, monkeypatch):
    _, _, _, _, mod, good = demo

    def broken(portfolio, as_of=None):
        raise KeyError("boom\x1b[2J")

    monkeypatch.setattr(mod, "validate", broken)
    result = mod.check("p.json", good)
    (finding,) = result["report"]["findings"]
    assert finding["code"] == "V199" and "KeyError" in finding["message"] and "\x1b" not in finding["message"]


# ---------------------------------------------------------------------- text output cannot be forged


def test_text_output_escapes_control_characters(demo, tmp_path):
    root, _, _, _, _, good = demo
    forged = "Eve\\nforged.json: Mallory - q1 ACHIEVED, 99 credits\\u001b[2K\\u0007\\u009b31m\\u2028x\\u202e"
    p = tmp_path / "p.json"
    p.write_text(with_name(good, forged), encoding="ascii")
    bad = json.loads(json.dumps(good))
    bad["units"]["u1\n  error V000 $: forged"] = {}
    q = tmp_path / "q.json"
    q.write_text(json.dumps(bad), encoding="utf-8")
    r = specc("validate", str(root), str(p), str(q))
    out = r.stdout.decode("utf-8")
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    lines = out.splitlines()
    assert lines[0].startswith(f"{p}: Eve\\x0aforged.json: Mallory") and "\\x1b[2K\\x07\\x9b31m\\u2028x\\u202e" in lines[0]
    assert all(line.startswith((f"{p}: ", f"{q}: ", "  error ", "  warning ")) for line in lines), lines
    assert not any(line.startswith("  error V000") for line in lines)
    assert not set(out) & {"\x1b", "\x07", "\x9b", "\u2028", "\u202e", "\r"}


# ---------------------------------------------------------------------- the command line


def test_qualification_option_is_capital_q_and_q_is_not_it(demo, tmp_path, capsys):
    root, _, _, _, _, good = demo
    p = tmp_path / "p.json"
    p.write_text(json.dumps(good), encoding="utf-8")
    for flag in ("-Q", "--qualification"):
        assert main(["validate", str(root), str(p), flag, "q1"]) == 0
    with pytest.raises(SystemExit) as e:
        main(["validate", str(root), str(p), "-q", "q1"])
    assert e.value.code == 2
    assert "-Q ID, --qualification ID" in subprocess.run([sys.executable, "-m", "specc", "validate", "--help"], cwd=ROOT,
                                                          capture_output=True, text=True).stdout
    capsys.readouterr()


def test_validate_is_the_export_plugins_command():
    """The core no longer has a validate module; the command comes through the hook."""
    assert not (ROOT / "specc" / "validate_cmd.py").exists()
    for path in (ROOT / "specc").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "validate_cmd" not in text and "V100" not in text, path
    from specc.cli import make_parser

    parser = make_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert sub.choices["validate"].get_default("func") is command.run


def test_max_bytes_option(demo, tmp_path, capsys):
    root, _, _, _, _, good = demo
    p = tmp_path / "p.jsonl"
    text = json.dumps(good)
    p.write_text(text + "\n" + json.dumps({"x": "y" * len(text)}) + "\n", encoding="utf-8")
    assert main(["validate", str(root), str(p), "--format", "json", "--max-bytes", str(len(text) + 1)]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["report"]["findings"][0]["code"] if r["report"]["findings"] else None for r in results] == [None, "V110"]
    assert main(["validate", str(root), str(p), "--max-bytes", "0"]) == 2
    assert "--max-bytes must be 1 or more" in capsys.readouterr().err


def test_a_file_name_that_is_not_utf8_is_shown_escaped(demo, tmp_path):
    """sys.argv holds such a name with surrogate escapes (\\udcff): JSON and
    text output stay valid UTF-8 and say which file it was."""
    import os

    root, _, _, _, _, good = demo
    name = os.fsencode(tmp_path) + b"/p\xff.json"
    with open(name, "wb") as f:
        f.write(json.dumps(good).encode())
    for fmt, shown in (("json", '"source": "' + str(tmp_path) + '/p\\udcff.json"'), ("text", str(tmp_path) + "/p\\udcff.json: Alex")):
        r = subprocess.run([sys.executable.encode(), b"-m", b"specc", b"validate", str(root).encode(), name, b"--format", fmt.encode()],
                           cwd=ROOT, capture_output=True)
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr
        assert shown in r.stdout.decode("utf-8"), r.stdout[:300]
