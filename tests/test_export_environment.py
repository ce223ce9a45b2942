"""Environments and simulation in the portfolio model and the validator: the
qualification's `evidence from` and `simulation` rules apply where a unit and
its requirement sets are silent, the most specific statement wins, and
`simulation exceptional` is accepted with a warning (V213).  With nothing
said, every environment and simulation are allowed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from specc_plugins.export import sample, validator
from specc_plugins.export.model import SIMULATION_DEFAULT, qualification_model
from specc.compiler import compile_file

CFA = '''
document envcfa "Evidence requirements" {
  body cfa "CfA"
}

requirements no_sim "No simulation" {
  simulation forbidden for performance
  requirement 1 environment "Real work only."
}
'''

SPEC = '''
import "envcfa.specc" as cfa

document envdemo "Environment demo" {
  body demo "Demo Body"
}

qualification q1 "Workplace, simulation in exceptional circumstances" {
  evidence from workplace
  simulation exceptional
  rules {
    mandatory silent, narrower, disjoint, forbids, allows, under
  }
}

qualification q2 "Nothing said" {
  rules {
    mandatory silent
  }
}

unit silent "Says nothing" {
  credits 1
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
}

unit narrower "Workplace or RWE" {
  credits 1
  evidence from workplace, rwe
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
}

unit disjoint "RWE only" {
  credits 1
  evidence from rwe
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
}

unit forbids "No simulation of performance" {
  credits 1
  simulation forbidden for performance
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
  outcome 2 knowledge "Know" {
    criterion 2.1 "know it"
  }
}

unit allows "Simulation allowed" {
  credits 1
  simulation allowed
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
}

unit under "Assessed under requirements" {
  credits 1
  assessed under cfa.no_sim
  outcome 1 performance "Do" {
    criterion 1.1 "do it"
  }
}
'''


@pytest.fixture(scope="module")
def env_spec(tmp_path_factory):
    folder = tmp_path_factory.mktemp("envdemo")
    (folder / "envcfa.specc").write_text(CFA, encoding="utf-8")
    (folder / "envdemo.specc").write_text(SPEC, encoding="utf-8")
    comp = compile_file(Path(folder / "envdemo.specc"))
    assert comp.ok, [str(d) for d in comp.diagnostics]
    return comp.spec


def _sim(model, uid, ref="1.1"):
    return model["units"][uid]["criteria"][ref]["simulation"]


def test_qualification_environment_applies_where_units_are_silent(env_spec):
    m = qualification_model(env_spec, env_spec.qualification("q1"))
    units = m["units"]
    assert units["silent"]["environments"] == ["workplace"]  # the qualification's
    assert units["narrower"]["environments"] == ["workplace"]  # narrowed by the qualification's
    assert units["disjoint"]["environments"] == ["rwe"]  # nothing in common: the unit's own wins
    assert _sim(m, "silent") == "exceptional"  # the qualification's
    assert _sim(m, "forbids") == "forbidden" and _sim(m, "forbids", "2.1") == "exceptional"
    assert _sim(m, "allows") == "allowed"  # the unit's rule overrides the qualification's
    assert _sim(m, "under") == "forbidden"  # the requirement set's rule


def test_nothing_said_allows_everything(env_spec):
    m = qualification_model(env_spec, env_spec.qualification("q2"))
    assert SIMULATION_DEFAULT == "allowed"
    assert m["units"]["silent"]["environments"] is None
    assert _sim(m, "silent") == "allowed"


def _one_item(portfolio, uid, ref="1.1"):
    return portfolio["units"][uid]["criteria"][ref]["evidence"][0]


def test_validator_refuses_warns_and_accepts(env_spec):
    q = env_spec.qualification("q1")
    m = qualification_model(env_spec, q)
    mod = validator.module_for(env_spec, q)
    good = sample.achieving(m, list(m["units"]))
    assert mod.validate(good)["verdict"] == "achieved"

    p = copy.deepcopy(good)
    _one_item(p, "silent")["environment"] = "rwe"  # the qualification accepts the workplace only
    r = mod.validate(p)
    assert r["verdict"] == "not_achieved" and [f["code"] for f in r["findings"]][0] == "V212"

    p = copy.deepcopy(good)
    _one_item(p, "silent")["environment"] = "simulation"  # exceptional: counts, with a warning
    r = mod.validate(p)
    assert r["verdict"] == "achieved" and r["errors"] == 0 and r["warnings"] == 1
    (f,) = r["findings"]
    assert f["code"] == "V213" and f["severity"] == "warning" and "exceptional circumstances" in f["message"]

    for uid in ("forbids", "under"):
        p = copy.deepcopy(good)
        _one_item(p, uid)["environment"] = "simulation"
        r = mod.validate(p)
        assert r["verdict"] == "not_achieved" and "V211" in {f["code"] for f in r["findings"]}, uid

    p = copy.deepcopy(good)
    _one_item(p, "allows")["environment"] = "simulation"
    assert mod.validate(p)["findings"] == []


def test_ncfe_qualification_environment_is_used(specs):
    spec = specs["ncfe_601_3972_9"]
    q = spec.qualification("601-3972-9")
    m = qualification_model(spec, q)
    assert {tuple(u["environments"] or ()) for u in m["units"].values()} == {("workplace", "rwe")}  # "the workplace or a realistic work environment (RWE)"
    modes = {c["simulation"] for u in m["units"].values() for c in u["criteria"].values()}
    assert "exceptional" in modes  # units not under the CfA's rules take the qualification's
