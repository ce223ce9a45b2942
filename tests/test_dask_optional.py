"""Dask is an optional extra: with ``dask`` and ``distributed`` impossible
to import, every command works except ``--engine dask``, which says how to
install it.

The commands are the CLI's own (its subparsers, walked): a command added
later fails :func:`test_every_command_has_a_run_here` until it gets a run
below, and every one runs in a process where importing Dask fails -- those
that print and exit in one process, ``lsp`` and ``serve`` (servers) each in a
process of its own, spoken to as an editor and a browser would."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from specc.cli import make_parser
from tests.test_forms_readback import SPEC as DEMO

ROOT = Path(__file__).resolve().parent.parent
CG = str(ROOT / "specs" / "cityandguilds")
EXAMPLES = str(ROOT / "examples" / "cg4411" / "4411-01")

BLOCK = r'''
import importlib.abc, sys

class NoDask(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoDask())
'''

# runs each command of a JSON {key: argv} in this process; prints {key: [exit, stderr's end]},
# the commands the parser has here, and the Dask modules loaded
MANY = BLOCK + r'''
import argparse, contextlib, io, json
from specc.cli import main, make_parser

def commands(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found = list(commands(sub, (*prefix, name)))
                yield from found or [" ".join((*prefix, name))]

codes = {}
for key, argv in json.loads(sys.argv[1]).items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            codes[key] = [main(argv), err.getvalue()[-400:]]
        except SystemExit as e:
            codes[key] = [e.code, err.getvalue()[-400:]]
codes["commands"] = sorted(commands(make_parser()))
codes["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
print(json.dumps(codes))
'''

# runs one command as `specc` would, its stdio the process's
ONE = BLOCK + r'''
from specc.cli import main
sys.exit(main(sys.argv[1:]))
'''


def commands(parser: argparse.ArgumentParser, prefix: tuple = ()) -> list[str]:
    """Every command of the CLI: ``check``, ``import case``, ... (a command
    with commands of its own is listed by those)."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += commands(sub, (*prefix, name)) or [" ".join((*prefix, name))]
    return out


def runs(tmp: Path) -> dict[str, dict[str, tuple[list[str], int]]]:
    """command -> {name of a run: (argv, the exit status expected)}; the
    demo spec (demo.specc, a changed demo2.specc) is written to ``tmp``."""
    (tmp / "demo.specc").write_text(DEMO, encoding="utf-8")
    (tmp / "demo2.specc").write_text(DEMO.replace("credits 2", "credits 3"), encoding="utf-8")
    many = tmp / "many.jsonl"
    one = (ROOT / "examples" / "cg4411" / "4411-01" / "achieves.json").read_text(encoding="utf-8")
    many.write_text((json.dumps(json.loads(one)) + "\n") * 80, encoding="utf-8")
    out = tmp / "out"
    forms = out / "demo" / "forms"
    return {
        "check": {"check": (["check", CG], 0)},
        "ir": {"ir": (["ir", CG], 0)},
        "fmt": {"fmt": (["fmt", "--check", CG], 0)},
        "plugins": {"plugins": (["plugins", "--format", "json"], 0)},
        "build": {
            "build": (["build", str(tmp / "demo.specc"), "--emit", "ir-json,portfolio-schema,validator,forms,case",
                       "--option", "formats=docx", "-o", str(out), "-j", "1", "-q"], 0),
        },
        "validate": {
            "validate": (["validate", CG, EXAMPLES, "--format", "jsonl"], 1),
            "validate-jobs": (["validate", CG, str(many), "--jobs", "2", "--format", "jsonl"], 0),
        },
        "diff": {"diff": (["diff", str(tmp / "demo.specc"), str(tmp / "demo2.specc"), "--format", "summary"], 1)},
        # after build (the runs are in this order): the CASE package and the forms it wrote
        "import case": {"import case": (["import", "case", str(out / "demo" / "case" / "demo.json"), "-o", str(tmp / "imported")], 0)},
        "portfolio from-forms": {
            "from-forms": (["portfolio", "from-forms", str(tmp / "demo.specc"), str(forms / "general" / "candidate-and-centre-details.docx"),
                            str(forms / "units" / "unit-101.docx"), "-o", str(tmp / "portfolio.json")], 0),
        },
        "lsp": {},  # servers: run by the test each in a process of its own
        "serve": {},
    }


def test_every_command_has_a_run_here(tmp_path):
    assert sorted(runs(tmp_path)) == sorted(commands(make_parser()))


def _blocked(script: str, tmp: Path) -> Path:
    """The script as a file (a process where Dask cannot be imported)."""
    path = tmp / ("run_many.py" if script is MANY else "run_one.py")
    path.write_text(script, encoding="utf-8")
    return path


def _env(tmp: Path) -> dict:
    return dict(os.environ, SPECC_CACHE_DIR=str(tmp / "cache"))


def test_engine_dask_without_dask_says_how_to_install_it(tmp_path):
    (tmp_path / "demo.specc").write_text(DEMO, encoding="utf-8")
    (tmp_path / "p.json").write_text("{}", encoding="utf-8")
    argv = {
        "validate": ["validate", str(tmp_path / "demo.specc"), str(tmp_path / "p.json"), "--engine", "dask"],
        "build": ["build", str(tmp_path / "demo.specc"), "--emit", "ir-json", "-o", str(tmp_path / "out"), "--engine", "dask"],
    }
    proc = subprocess.run([sys.executable, _blocked(MANY, tmp_path), json.dumps(argv)], capture_output=True, text=True, cwd=ROOT, env=_env(tmp_path), timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["loaded"] == []
    for key in argv:
        code, err = got[key]
        assert code == 2 and "--engine dask needs Dask" in err and "pip install 'specc[dask]'" in err and "Traceback" not in err, (key, err)
    assert not (tmp_path / "out" / "demo").exists()


def _lsp(script: Path, cwd: Path) -> list[dict]:
    """The server's answers to initialize and shutdown, sent as an editor does."""
    root = cwd.as_uri()
    msgs = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": root, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None},
    ]
    data = b"".join(b"Content-Length: %d\r\n\r\n%s" % (len(b := json.dumps(m).encode()), b) for m in msgs)
    proc = subprocess.run([sys.executable, script, "lsp", "--stdio"], input=data, capture_output=True, cwd=cwd, env=_env(cwd), timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    answers, rest = [], proc.stdout
    while rest:
        head, _, rest = rest.partition(b"\r\n\r\n")
        n = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
        answers.append(json.loads(rest[:n]))
        rest = rest[n:]
    return answers


def _serve(script: Path, cwd: Path) -> tuple[int, str]:
    """(status, page) of the served handbook, fetched as a browser does."""
    proc = subprocess.Popen([sys.executable, script, "serve", "demo.specc", "--port", "0"], cwd=cwd, env=_env(cwd), stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split()[2] + "out/demo/handbook/demo.html"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - the test's own server
                    return r.status, r.read().decode("utf-8")
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_every_command_works_without_dask(tmp_path):
    plan = runs(tmp_path)
    argv = {name: a for runs_ in plan.values() for name, (a, _) in runs_.items()}
    proc = subprocess.run([sys.executable, _blocked(MANY, tmp_path), json.dumps(argv)], capture_output=True, text=True, cwd=ROOT, env=_env(tmp_path), timeout=600)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got.pop("loaded") == []
    assert got.pop("commands") == sorted(commands(make_parser()))  # none is lost without Dask
    expected = {name: code for runs_ in plan.values() for name, (_, code) in runs_.items()}
    assert {k: v[0] for k, v in got.items()} == expected, got
    assert not any("Traceback" in err for _, err in got.values())
    assert (tmp_path / "out" / "demo" / "validators").is_dir() and (tmp_path / "imported" / "demo.specc").is_file()
    assert json.loads((tmp_path / "portfolio.json").read_text(encoding="utf-8"))["qualification"] == "q1"
    # the servers
    one = _blocked(ONE, tmp_path)
    answers = _lsp(one, tmp_path)
    assert [a.get("id") for a in answers if "id" in a] == [1, 2]
    assert "capabilities" in answers[0]["result"] and answers[-1]["result"] is None
    status, page = _serve(one, tmp_path)
    assert status == 200 and "Demo customer service" in page
