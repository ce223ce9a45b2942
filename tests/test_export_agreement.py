"""The generated validator and a real JSON Schema validator agree.

For hypothesis-generated portfolios -- achieving ones, and mutations of them
that delete, add, replace or copy any value anywhere -- the portfolio's JSON
Schema (checked by ``jsonschema``, draft 2020-12, with format assertion)
accepts a portfolio exactly when the generated module's ``check_structure``
finds nothing and its ``validate`` reports ``valid``; and they fail in the
same units.  Both kinds are generated in numbers (the test counts them).
The module's short cut for ordinary records (``_plain_record``) must not
change any report: the module without it reports the same.
On the demo spec fastjsonschema (a second, independent implementation; with
a calendar-date check for the `date` format) must agree too.

Run on the synthetic ``demo`` spec (every feature) and, quicker, on every
complete qualification in specs/.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.export_helpers import JSON, case, portfolio, real_cases
from tests.test_export_synth import synth  # noqa: F401 - fixture

EXAMPLES = int(os.environ.get("SPECC_HYPOTHESIS_EXAMPLES", "250"))
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large], "derandomize": os.environ.get("SPECC_HYPOTHESIS_RANDOM") is None}
_UNIT_PATH = re.compile(r"^\$\['units'\]\['((?:[^'\\]|\\.)*)'\]")


def _schema_units(c, errors) -> set:
    """Units (known to the qualification) under which the JSON Schema finds an error."""
    out = set()
    for e in errors:
        p = list(e.absolute_path)
        if len(p) >= 2 and p[0] == "units" and p[1] in c.model["units"]:
            out.add(p[1])
    return out


def _validator_units(c, findings) -> set:
    out = set()
    for f in findings:
        m = _UNIT_PATH.match(f["path"])
        if m and m.group(1) in c.model["units"]:
            out.add(m.group(1))
    return out


def check_agreement(c, doc, fast: bool = False) -> bool:
    """Assert that the schema and the module agree on ``doc`` (and, with
    ``fast``, fastjsonschema too); returns validity."""
    errors = list(c.jsonschema.iter_errors(doc))
    expected = not errors
    if fast:
        assert c.fast(doc) == expected, "fastjsonschema and jsonschema disagree"
    structure = c.module.check_structure(doc)
    assert (structure == []) == expected, (structure[:5], [(list(e.absolute_path), e.message) for e in errors][:5])
    assert all(f["code"] < "V200" for f in structure), structure
    report = c.module.validate(doc, "2026-01-01")
    assert report["valid"] == expected
    assert c.thorough.validate(doc, "2026-01-01") == report, "the short cut for plain records changed the report"
    assert [f for f in report["findings"] if f["code"] < "V200"] == structure
    if isinstance(doc, dict) and isinstance(doc.get("units"), dict):
        assert _validator_units(c, structure) == _schema_units(c, errors)
    return expected


def _run(c, examples: int, min_each: int, fast: bool = False) -> None:
    seen: Counter = Counter()

    @settings(max_examples=examples, **SETTINGS)
    @given(st.data())
    def agree(data):
        seen[check_agreement(c, portfolio(data, c), fast)] += 1

    agree()
    assert seen[True] >= min_each and seen[False] >= min_each, seen


@pytest.mark.parametrize("qid", ["q1", "q2"])
def test_schema_and_validator_agree_demo(synth, qid):  # noqa: F811
    spec = synth["demo"]
    _run(case(spec, spec.qualification(qid)), examples=EXAMPLES, min_each=EXAMPLES // 10, fast=True)


def test_schema_and_validator_agree_specs(specs):
    cases = real_cases(specs)
    if not cases:
        pytest.skip("no complete qualification in specs/ yet")
    for _, spec, q in cases:
        _run(case(spec, q), examples=EXAMPLES // 10, min_each=EXAMPLES // 100)


def test_samples_agree(synth, specs):  # noqa: F811
    """The sample portfolios (achieving and failing) are checked alike."""
    from specc_plugins.export import sample

    for spec in [synth["demo"], synth["cg4411like"]] + [s for _, s, _ in real_cases(specs)]:
        for q in spec.qualifications:
            c = case(spec, q)
            assert check_agreement(c, c.good)
            for name, _, doc in sample.failures(c.model, c.good):
                assert check_agreement(c, doc) == (name != "schema-errors"), name


@settings(max_examples=150, **SETTINGS)
@given(doc=JSON)
def test_any_json_value_is_reported_not_raised(synth, doc):  # noqa: F811
    spec = synth["demo"]
    c = case(spec, spec.qualification("q1"))
    check_agreement(c, doc)
    wrapped = {"qualification": "q1", "learner": {"name": "A"}, "registration": {"start": "2024-09-02"}, "units": {"u1": doc}}
    check_agreement(c, wrapped)
