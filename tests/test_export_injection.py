"""A spec whose strings hold quotes, backslashes, newlines, triple quotes,
template syntax and code yields safe generated code with the same behaviour.

The same spec is written twice: with hostile strings in every text that
reaches the portfolio schema or the validator (titles, statements, demands,
range items, requirement texts, notes, labels, unit numbers, the version),
and with plain words.  The hostile module passes ruff, runs as a script
without running any of the strings, embeds each string verbatim as data, and
checks the sample portfolios exactly as the plain one does (same verdicts,
finding codes and paths; only the messages quote different texts)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from specc_plugins.export import sample, validator
from specc_plugins.export.model import qualification_model
from specc_plugins.export.portfolio import portfolio_schema
from specc.compiler import compile_file
from tests.test_export_module import ruff

HOSTILE = [
    'He said "hi" \\ and left',
    "'''; import os; os._exit(7) #",
    '"""; __import__("os").system("touch PWNED"); """',
    "line one\nline two\n\tindented \"\"\"\n'''",
    "{{ model }} {% if true %}x{% endif %} {# c #} {{ '\\x41' }}",
    "\\x00 \\N{BULLET} \\u2028 \\ ",
    "ends with a backslash \\",
    # (control characters and bidirectional overrides are E008 in a spec: see tests/test_hostile.py)
    "line separator \u2028, paragraph separator \u2029, zero width \u200b, graduation cap \U0001f393",
    "f'{__import__(\"os\").getcwd()}' % s {0}",
    "</script><!-- -->\\\"\\'",
]

SPEC = """
document hostile {t} {{
  body hostile {t}
  version {t}
  method worksheets {t}
}}

group a {t} {{ u1 u2 }}
barred u2 with u3 {t}

qualification q1 {t} {{
  registration 12 months
  rules {{
    minimum 3 credits
    at least 1 credits from a
    mandatory u1
    remaining credits from a, u3
  }}
}}

requirements rs {t} {{
  code {t}
  evidence from workplace, rwe
  simulation forbidden for performance
  requirement 1 {t} {{
    different customers
  }}
  requirement 2 {t} {{
    all {{
      a {t}
      b {t}
    }}
  }}
  requirement 3 {t} {{
    choose 1 {{
      a {t}
      b {t}
    }}
  }}
  requirement 4 {t} {{
    distinct 2 {t}
  }}
}}

unit u1 {t} {{
  number {t}
  credits 2
  evidence from workplace
  assessed under rs
  outcome 1 performance {t} {{
    criterion 1.1 {t} {{
      demand 2 {t} different occasions
      demand at least 1 {t} different customers
    }}
    criterion 1.2 {t} {{
      reuse 1.1 {t}
    }}
  }}
  evidence guide {{
    row 1.1, 1.2 {{
      methods observation, worksheets
      note {t}
    }}
  }}
}}

unit u2 {t} {{
  credits 1
  outcome 1 knowledge {t} {{
    criterion 1.1 {t} {{
      demand 2 {t}
    }}
    criterion 1.2 {t}
  }}
}}

unit u3 {t} {{
  credits 1
  outcome 1 knowledge {t} {{
    criterion 1.1 {t}
    criterion 1.2 {t}
  }}
}}
"""


def token(value: str) -> str:
    """A one-line STRING token whose value is ``value``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


class Texts:
    """Fills each ``{t}`` of SPEC with the next text."""

    def __init__(self, texts):
        self._it = itertools.cycle(texts)

    def __format__(self, spec) -> str:
        return token(next(self._it))


def write(folder: Path, texts) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "hostile.specc"
    p.write_text(SPEC.format(t=Texts(texts)), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    out = {}
    for name, texts in (("hostile", HOSTILE), ("plain", [f"text {i}" for i in range(len(HOSTILE))])):
        comp = compile_file(write(tmp_path_factory.mktemp(name), texts))
        assert comp.ok, [str(d) for d in comp.diagnostics]
        spec = comp.spec
        q = spec.qualification("q1")
        model = qualification_model(spec, q)
        out[name] = (spec, q, model, validator.render(spec, q))
    return out


def test_hostile_strings_reach_the_model(pair):
    spec, q, model, _ = pair["hostile"]
    texts = json.dumps(model)
    for s in HOSTILE:
        # verbatim where the model keeps a string as written; prose fields
        # (requirement texts) have their whitespace normalised
        assert json.dumps(s)[1:-1] in texts or json.dumps(" ".join(s.split()))[1:-1] in texts, s
    assert model["units"]["u1"]["label"] == spec.unit("u1").number in HOSTILE
    assert model["qualification"]["title"] in HOSTILE and model["document"]["title"] in HOSTILE


def test_generated_code_is_safe_and_clean(pair, tmp_path):
    spec, q, model, source = pair["hostile"]
    module = tmp_path / "hostile_validator.py"
    module.write_text(source, encoding="utf-8")
    r = subprocess.run([ruff(), "check", "--no-cache", "--isolated", "--select", "E4,E7,E9,F,W,B,UP,S102,S307", str(module)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    compile(source, str(module), "exec")
    # run as a script first, in a separate process: nothing in the strings runs
    good = sample.achieving(model, q.routes.cheapest.units)
    p = tmp_path / "good.json"
    p.write_text(json.dumps(good), encoding="utf-8")
    r = subprocess.run([sys.executable, "-I", "-S", str(module), str(p)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (tmp_path / "PWNED").exists()
    assert json.loads(r.stdout)["report"]["verdict"] == "achieved"
    # every string is data, equal to the model's
    mod = validator.load(source)
    for name in ("DOCUMENT", "QUALIFICATION", "METHODS", "UNITS", "MANDATORY", "RULES", "BARRED"):
        assert getattr(mod, name) == model[name.lower()], name
    assert mod.DOCUMENT["version"] in HOSTILE


def _shape(report: dict) -> dict:
    """A report without the texts that quote the spec."""
    out = {k: v for k, v in report.items() if k not in ("findings", "rules", "validator")}
    out["findings"] = [(f["code"], f["severity"], f["path"]) for f in report["findings"]]
    out["rules"] = [r["met"] for r in report["rules"]]
    return out


def test_same_behaviour_as_plain_strings(pair):
    shapes = {}
    for name, (_, q, model, source) in pair.items():
        mod = validator.load(source)
        schema = portfolio_schema(model)
        jsonschema.Draft202012Validator.check_schema(schema)
        check = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        good = sample.achieving(model, q.routes.cheapest.units)
        docs = [("achieves", good)] + [(n, p) for n, _, p in sample.failures(model, good)]
        shapes[name] = []
        for n, doc in docs:
            report = mod.validate(doc)
            assert report["valid"] == check.is_valid(doc), (name, n)
            shapes[name].append((n, _shape(report)))
    assert shapes["hostile"] == shapes["plain"]
    names = [n for n, _ in shapes["plain"]]
    assert {"achieves", "same-occasion", "range-not-covered", "reuse-not-allowed", "barred-units", "schema-errors"} <= set(names)


def test_generated_module_is_runtime_plus_literal_data(pair):
    """A generated validator is the runtime's source byte for byte, but for
    its data block, which holds only assignments of literals (what
    ``ast.literal_eval`` accepts) equal to what specc installs in process."""
    import ast

    from specc_plugins.export import runtime

    _, _, model, source = pair["hostile"]
    head, tail = validator.runtime_source()
    assert source.startswith(head + validator.DATA_START) and source.endswith(validator.DATA_END + tail)
    block = source[len(head + validator.DATA_START) : -len(validator.DATA_END + tail)]
    names = []
    for node in ast.parse(block).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), ast.dump(node)[:80]
        names.append(node.targets[0].id)
        assert ast.literal_eval(node.value) == validator.data(model)[node.targets[0].id]
    assert tuple(names) == validator.DATA_NAMES
    # the runtime's own file has the same block, with an empty qualification
    assert runtime.UNITS == {} and validator.RUNTIME.read_text(encoding="utf-8").count(validator.DATA_START) == 1
