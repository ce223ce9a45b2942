"""Language extensions the seed transcription needed: a qualification's
``strategy``, ``evidence from`` and ``simulation``; ``simulation exceptional``;
lead-in ``note``s in an evidence guide.  Each is checked through the grammar,
the IR (with spans), the formatter, the JSON export and its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from plugins.forms.common import evidence_source_declaration
from specc import export, ir
from specc.fmt import format_text
from tests.conftest import compile_text
from tests.test_fmt import comments, meaning

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "specc/schemas/ir.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

LEAD_IN = "Evidence must show that the candidate has sufficiently met the assessment criteria."
STRATEGY = "This qualification must be assessed in line with Skills CFA Assessment Strategy."

SPEC = f'''
document d "D" {{ body ncfe "NCFE" }}
unit u1 "One" {{
  credits 2
  glh 10
  evidence from workplace
  simulation exceptional for performance
  simulation forbidden for knowledge
  outcome 1 performance "Be able to serve" {{
    criterion 1.1 "serve customers"
    criterion 1.2 "thank customers"
  }}
  evidence guide {{
    note "{LEAD_IN}"
    note """
      Second paragraph of the lead-in.

      - with a bullet
    """
    row 1.1, 1.2 {{
      methods observation
      note "Observed."
    }}
  }}
}}
qualification q "Q" {{
  glh 10
  credits 2
  grading pass_only
  strategy "{STRATEGY}"
  evidence from workplace, placement
  simulation exceptional
  rules {{
    minimum 2 credits
    mandatory u1
  }}
}}
requirements r "R" {{
  evidence from workplace
  simulation exceptional for performance
  requirement 1 "x"
}}
'''


@pytest.fixture
def spec(tmp_path):
    comp = compile_text(tmp_path, SPEC)
    assert comp.ok, comp.diagnostics
    return comp.spec


# ---------------------------------------------------------------- qualification environment and strategy


def test_qualification_strategy_and_environment_reach_the_ir(spec):
    q = spec.qualification("q")
    assert q.strategy == ir.Text(STRATEGY)
    assert q.environment.sources == ("workplace", "placement")
    (rule,) = q.environment.simulation
    assert (rule.allowed, rule.exceptional, rule.applies_to, rule.mode) == (True, True, None, "exceptional")
    assert rule.span.line == SPEC.split("\n").index("  simulation exceptional") + 1
    for kind in ir.EVIDENCE_KINDS:
        assert q.environment.simulation_allowed(kind) is True
        assert q.environment.simulation_mode(kind) == "exceptional"
    # the solver still runs on a qualification carrying the new statements
    assert q.routes.satisfiable and q.routes.cheapest.units == ("u1",)


def test_a_qualification_without_them_is_silent(tmp_path):
    comp = compile_text(tmp_path, 'document d "D" { body b "B" }\nunit u "U" { credits 1 }\nqualification q "Q" { rules { mandatory u } }\n')
    q = comp.spec.qualification("q")
    assert q.strategy is None and q.environment == ir.Environment()
    assert q.environment.simulation_allowed("performance") is None and q.environment.simulation_mode("performance") is None


def test_qualification_strategy_given_twice_is_e006(tmp_path):
    comp = compile_text(
        tmp_path, 'document d "D" { body b "B" }\nunit u "U" { credits 1 }\nqualification q "Q" {\n  strategy "a"\n  strategy "b"\n  rules { mandatory u }\n}\n'
    )
    (d,) = [d for d in comp.diagnostics if d.code == "E006"]
    assert "strategy" in d.message and d.span.line == 5


def test_qualification_environment_is_checked_like_a_units(tmp_path):
    comp = compile_text(
        tmp_path, 'document d "D" { body b "B" }\nunit u "U" { credits 1 }\nqualification q "Q" {\n  evidence from workplace, office\n  rules { mandatory u }\n}\n'
    )
    (d,) = [d for d in comp.diagnostics if d.code == "E014"]
    assert "office" in d.message and d.span.line == 4
    assert comp.spec is None or comp.spec.qualification("q").environment.sources == ("workplace",)


# ---------------------------------------------------------------- simulation exceptional


def test_exceptional_counts_as_allowed_but_its_mode_is_visible(spec):
    env = spec.unit("u1").environment
    assert env.simulation_allowed("performance") is True and env.simulation_mode("performance") == "exceptional"
    assert env.simulation_allowed("knowledge") is False and env.simulation_mode("knowledge") == "forbidden"
    rs = spec.requirement_set("r").environment
    assert rs.simulation_mode("performance") == "exceptional" and rs.simulation_mode("knowledge") is None


def test_the_last_simulation_rule_that_applies_wins():
    env = ir.Environment(
        simulation=(ir.SimulationRule(True, None, exceptional=True), ir.SimulationRule(True, "knowledge"), ir.SimulationRule(False, "performance"))
    )
    assert env.simulation_mode("knowledge") == "allowed" and env.simulation_mode("performance") == "forbidden"
    assert [r.mode for r in env.simulation] == ["exceptional", "allowed", "forbidden"]


def test_an_unknown_simulation_mode_is_e005_with_a_suggestion(tmp_path):
    comp = compile_text(tmp_path, 'document d "D" { body b "B" }\nunit u "U" {\n  simulation exceptionnal\n}\n')
    (d,) = [d for d in comp.diagnostics if d.code == "E005"]
    assert "exceptional" in d.message and "exceptional" in (d.help or "") and (d.span.line, d.span.col) == (3, 14)


def test_forms_say_simulation_is_exceptional():
    env = ir.Environment(("workplace",), (ir.SimulationRule(True, "performance", exceptional=True), ir.SimulationRule(False, "knowledge")))
    notes = [b.text for b in evidence_source_declaration("k", env) if type(b).__name__ == "Para"]
    assert "Simulation may be used for performance evidence only in exceptional circumstances." in notes
    assert "Simulation is not allowed for knowledge evidence." in notes
    plain = ir.Environment(("workplace",), (ir.SimulationRule(True),))
    assert not [b for b in evidence_source_declaration("k", plain) if "imulation" in getattr(b, "text", "")]


# ---------------------------------------------------------------- evidence-guide lead-in notes


def test_evidence_guide_notes_reach_the_ir(spec):
    u = spec.unit("u1")
    assert [n.value for n in u.evidence_guide_notes] == [LEAD_IN, "Second paragraph of the lead-in.\n\n- with a bullet"]
    assert [type(b).__name__ for b in u.evidence_guide_notes[1].blocks] == ["Paragraph", "BulletList"]
    (row,) = u.evidence_guide
    assert row.criteria == ("1.1", "1.2") and [n.value for n in row.notes] == ["Observed."]
    assert row.span.line == SPEC.split("\n").index("    row 1.1, 1.2 {") + 1


def test_an_evidence_guide_of_notes_only_and_no_guide_at_all(tmp_path):
    comp = compile_text(tmp_path, f'document d "D" {{ body b "B" }}\nunit u "U" {{ evidence guide {{ note "{LEAD_IN}" }} }}\nunit v "V" {{ }}\n')
    assert comp.spec.unit("u").evidence_guide_notes == (ir.Text(LEAD_IN),) and comp.spec.unit("u").evidence_guide == ()
    assert comp.spec.unit("v").evidence_guide_notes == ()


def test_a_lead_in_note_after_the_rows_is_a_syntax_error(tmp_path):
    comp = compile_text(
        tmp_path,
        'document d "D" { body b "B" }\nunit u "U" {\n  outcome 1 knowledge "K" { criterion 1.1 "c" }\n  evidence guide {\n    row 1.1 { methods observation }\n    note "late"\n  }\n}\n',
    )
    (d,) = [d for d in comp.diagnostics if d.code == "E001"]
    assert d.span.line == 6 and "`row`" in (d.help or "")


# ---------------------------------------------------------------- export and schema


def test_export_carries_the_new_fields_and_matches_the_schema(spec):
    data = export.spec_data(spec)
    assert data["specc_ir"] == SCHEMA["properties"]["specc_ir"]["const"] == 2
    VALIDATOR.validate(data)
    (q,) = data["qualifications"]
    assert q["strategy"] == STRATEGY
    assert q["environment"] == {"sources": ["workplace", "placement"], "simulation": [{"allowed": True, "applies_to": None, "exceptional": True}]}
    (u,) = data["units"]
    assert u["evidence_guide_notes"][0] == LEAD_IN
    assert u["environment"]["simulation"] == [
        {"allowed": True, "applies_to": "performance", "exceptional": True},
        {"allowed": False, "applies_to": "knowledge", "exceptional": False},
    ]


def test_schema_refuses_what_the_ir_cannot_say(spec):
    data = export.spec_data(spec)
    data["qualifications"][0]["environment"]["simulation"][0]["allowed"] = False  # exceptional but forbidden
    assert not VALIDATOR.is_valid(data)
    data = export.spec_data(spec)
    del data["units"][0]["evidence_guide_notes"]
    assert not VALIDATOR.is_valid(data)
    data = export.spec_data(spec)
    del data["qualifications"][0]["strategy"]
    assert not VALIDATOR.is_valid(data)


def test_seed_exports_match_the_schema(specs):
    for doc_id, s in specs.items():
        errors = [e.message for e in VALIDATOR.iter_errors(export.spec_data(s))]
        assert not errors, (doc_id, errors[:5])


# ---------------------------------------------------------------- formatter


def test_fmt_lays_out_the_new_statements_and_keeps_meaning():
    src = (
        'document d "D" {body b "B"}\n'
        'unit u "U" { simulation   exceptional   for performance\n'
        'outcome 1 knowledge "K" { criterion 1.1 "c" }\n'
        "evidence guide { # lead-in\n"
        f'note "{LEAD_IN}" note """\n   more\n""" row 1.1 {{ methods observation }} }} }}\n'
        'qualification q "Q" { strategy "S" evidence from workplace,rwe simulation exceptional # why\n'
        "rules { mandatory u } }\n"
    )
    out, errs = format_text(src)
    assert not errs
    assert out == (
        'document d "D" {\n'
        '  body b "B"\n'
        "}\n"
        "\n"
        'unit u "U" {\n'
        "  simulation exceptional for performance\n"
        '  outcome 1 knowledge "K" {\n'
        '    criterion 1.1 "c"\n'
        "  }\n"
        "  evidence guide {\n"
        "    # lead-in\n"
        f'    note "{LEAD_IN}"\n'
        '    note """\n'
        "      more\n"
        '    """\n'
        "    row 1.1 {\n"
        "      methods observation\n"
        "    }\n"
        "  }\n"
        "}\n"
        "\n"
        'qualification q "Q" {\n'
        '  strategy "S"\n'
        "  evidence from workplace, rwe\n"
        "  simulation exceptional\n"
        "  # why\n"
        "  rules {\n"
        "    mandatory u\n"
        "  }\n"
        "}\n"
    )
    assert meaning(out) == meaning(src) and comments(out) == comments(src)
    assert format_text(out)[0] == out


def test_fmt_is_idempotent_on_the_extension_spec():
    out, errs = format_text(SPEC)
    assert not errs
    assert meaning(out) == meaning(SPEC)
    assert format_text(out)[0] == out


def test_a_document_may_declare_several_methods(tmp_path):
    from tests.conftest import compile_text

    comp = compile_text(
        tmp_path,
        'document d "D" {\n  body b "B"\n  method photos "Annotated photographs"\n  method clips "Video clips"\n  methods photos, clips, observation\n}\n',
    )
    assert not comp.diagnostics, [str(d) for d in comp.diagnostics]
    ids = [m.id for m in comp.spec.methods if not m.builtin]
    assert ids == ["photos", "clips"]
    assert comp.spec.document.evidence_methods == ("photos", "clips", "observation")
