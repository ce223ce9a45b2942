"""Dask is an optional extra: with ``dask`` and ``distributed`` impossible
to import, every command works except ``--engine dask``, which says how to
install it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SHIM = r'''
import importlib.abc, json, sys

class NoDask(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoDask())
import contextlib, io
from specc.cli import main

codes = {}
for key, argv in json.loads(sys.argv[1]).items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            codes[key] = [main(argv), err.getvalue()[-400:]]
        except SystemExit as e:
            codes[key] = [e.code, err.getvalue()[-400:]]
codes["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
print(json.dumps(codes))
'''


def test_every_command_but_the_dask_engine_works_without_dask(tmp_path):
    cg = str(ROOT / "specs" / "cityandguilds")
    examples = str(ROOT / "examples" / "cg4411" / "4411-01")
    many = tmp_path / "many.jsonl"
    one = (ROOT / "examples" / "cg4411" / "4411-01" / "achieves.json").read_text(encoding="utf-8")
    many.write_text((json.dumps(json.loads(one)) + "\n") * 80, encoding="utf-8")
    commands = {
        "help": ["--help"],
        "check": ["check", cg],
        "ir": ["ir", cg],
        "fmt": ["fmt", "--check", cg],
        "plugins": ["plugins", "--format", "json"],
        "build": ["build", cg, "--emit", "ir-json,portfolio-schema,validator", "-o", str(tmp_path / "out"), "-j", "1", "-q"],
        "validate": ["validate", cg, examples, "--format", "jsonl"],
        "validate-jobs": ["validate", cg, str(many), "--jobs", "2", "--format", "jsonl"],
        "validate-dask": ["validate", cg, examples, "--engine", "dask"],
    }
    proc = subprocess.run([sys.executable, "-c", SHIM, json.dumps(commands)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got.pop("loaded") == []
    dask_code, dask_err = got.pop("validate-dask")
    assert dask_code == 2 and "--engine dask needs Dask" in dask_err and "pip install 'specc[dask]'" in dask_err
    assert "Traceback" not in dask_err
    assert {k: v[0] for k, v in got.items()} == {
        "help": 0, "check": 0, "ir": 0, "fmt": 0, "plugins": 0, "build": 0, "validate": 1, "validate-jobs": 0,
    }, got
    assert (tmp_path / "out" / "cg4411" / "validators").is_dir()
