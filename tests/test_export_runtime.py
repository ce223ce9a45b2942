"""The validator runtime (plugins/export/runtime.py) as a module of its own:
it imports with an empty qualification, keeps to the Python and the standard
library a generated validator promises, and is where the constants the
portfolio schema and the sample portfolios use live."""

from __future__ import annotations

import ast
import datetime
import subprocess
import sys

from specc_plugins.export import model, portfolio, runtime, sample, validator
from tests.test_export_module import STDLIB, _other_pythons


def test_runtime_imports_with_an_empty_qualification():
    report = runtime.validate({"qualification": "", "learner": {"name": "A"}, "registration": {"start": "2024-09-02"}, "units": {}}, "2025-01-01")
    assert report["valid"] is True and report["qualification"] == "" and report["findings"] == []
    assert runtime.check_combination([]) == [] and runtime.UNIT_IDS == frozenset()


def test_runtime_is_python_39_and_standard_library_only():
    source = validator.RUNTIME.read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 9))  # no syntax newer than 3.9 (match, except*, ...)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= STDLIB, imported
    assert "from __future__" not in source  # nothing that only a newer Python's annotations would need


def test_runtime_runs_on_the_oldest_python():
    """The runtime's own file, imported and run by the oldest other Python installed."""
    others = _other_pythons()
    if not others:
        import pytest

        pytest.skip("no other Python version on this machine")
    code = ("import importlib.util, sys; s = importlib.util.spec_from_file_location('rt', sys.argv[1]); m = importlib.util.module_from_spec(s); "
            "s.loader.exec_module(m); print(sys.version_info[:2], m.add_months(m.datetime.date(2024, 1, 31), 1), m.registration_end(None), "
            "m.dumps({'n': chr(0xd800)}), m.escape_text('a' + chr(10) + 'b'))")
    r = subprocess.run([others[0], "-I", "-S", "-c", code, str(validator.RUNTIME)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split(")", 1)[1].strip() == '2024-02-29 None {"n": "\\ud800"} a\\x0ab'


def test_constants_live_once():
    assert portfolio.DATE_PATTERN is runtime.DATE_PATTERN and portfolio.REUSE_FORBIDS is runtime.REUSE_FORBIDS
    assert model.FORMAT is runtime.FORMAT and sample.FORMAT is runtime.FORMAT and sample.add_months is runtime.add_months
    assert tuple(model.EVIDENCE_ENVIRONMENTS) == runtime.ENVIRONMENTS
    assert runtime.add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert sys.modules["specc_plugins.export.runtime"] is runtime
