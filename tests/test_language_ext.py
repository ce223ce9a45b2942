"""Language extensions the seed transcription needed: a qualification's
``strategy``, ``evidence from`` and ``simulation``; ``simulation exceptional``;
lead-in ``note``s in an evidence guide; a row-level reuse link ``for`` some of
the row's criteria; rows naming whole outcomes (``row outcome 1, 3``); a
simulation rule's ``except`` clause.  Each is checked through the grammar, the
IR (with spans), the linker, the formatter, the JSON export and its schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from specc_plugins.forms.common import evidence_source_declaration
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
    # an explicit `simulation allowed` is printed too: it overrides a qualification's rule (issue 11)
    plain = ir.Environment(("workplace",), (ir.SimulationRule(True),))
    said = [b.text for b in evidence_source_declaration("k", plain) if "imulation" in getattr(b, "text", "")]
    assert said == ["Simulation may be used for performance evidence.", "Simulation may be used for knowledge evidence."]
    silent = ir.Environment(("workplace",), ())
    assert not [b for b in evidence_source_declaration("k", silent) if "imulation" in getattr(b, "text", "")]


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
    assert q["environment"] == {"sources": ["workplace", "placement"], "simulation": [{"allowed": True, "applies_to": None, "exceptional": True, "exception": None}]}
    (u,) = data["units"]
    assert u["evidence_guide_notes"][0] == LEAD_IN
    assert u["environment"]["simulation"] == [
        {"allowed": True, "applies_to": "performance", "exceptional": True, "exception": None},
        {"allowed": False, "applies_to": "knowledge", "exceptional": False, "exception": None},
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
        "  evidence guide {  # lead-in\n"
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
        "  simulation exceptional  # why\n"
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



# ---------------------------------------------------------------- reuse links `for` row criteria, rows naming outcomes, simulation exceptions

EXCEPTION = "when realistic practices are staged to test emergency procedures"

ROWS = f"""
document d "D" {{ body b "B" }}
unit u "U" {{
  simulation forbidden for performance except "{EXCEPTION}"
  simulation allowed for knowledge
  outcome 1 performance "P1" {{
    criterion 1.1 "a"
    criterion 1.2 "b" {{
      reuse 1.1
    }}
  }}
  outcome 2 performance "P2" {{
    criterion 2.1 "c"
    criterion 2.2 "d"
  }}
  outcome 3 performance "P3" {{
    criterion 3.1 "e"
  }}
  evidence guide {{
    row 1.2, 2.1, 2.2 {{
      methods observation
      reuse unit v 1.1, 1.2 for 2.1 "For 2.1, candidates could refer to unit v."
      reuse unit v 1.1 for 2.1, 2.2
      reuse 1.1
    }}
    row outcome 1, 3 {{
      methods witness_testimony
    }}
  }}
}}
unit v "V" {{
  outcome 1 knowledge "K" {{
    criterion 1.1 "x"
    criterion 1.2 "y"
  }}
}}
"""


def line_of(src: str, text: str) -> int:
    return next(i for i, line in enumerate(src.split("\n"), start=1) if text in line)


@pytest.fixture
def rows(tmp_path):
    comp = compile_text(tmp_path, ROWS)
    assert comp.ok and not comp.diagnostics, [str(d) for d in comp.diagnostics]
    return comp.spec


def test_a_row_reuse_link_names_the_criteria_it_is_for(rows):
    u = rows.unit("u")
    row = u.evidence_guide[0]
    first, second, third = row.reuse
    assert (first.unit, first.criteria, first.for_criteria) == ("v", ("1.1", "1.2"), ("2.1",))
    assert first.note == ir.Text("For 2.1, candidates could refer to unit v.")
    assert second.for_criteria == ("2.1", "2.2") and third.for_criteria == ()
    assert first.span.line == line_of(ROWS, "for 2.1 ")
    # a criterion's own links have none, and row links stay on the row
    assert u.criterion("1.2").reuse == (ir.Reuse(("1.1",)),)
    assert u.criterion("2.1").reuse == ()


def test_reuse_for_gathers_own_and_row_links_that_apply(rows):
    u = rows.unit("u")
    first, second, third = u.evidence_guide[0].reuse
    assert u.reuse_for("2.1") == (first, second, third)
    assert u.reuse_for("2.2") == (second, third)
    # 1.2's own link and the row's `reuse 1.1` are the same link: it counts once
    assert u.reuse_for("1.2") == (ir.Reuse(("1.1",)),)
    assert u.reuse_for("1.1") == () and u.reuse_for("3.1") == () and u.reuse_for("9.9") == ()


def test_reuse_for_on_a_hand_built_unit():
    c = ir.Criterion("1.1", "a", "a", reuse=(ir.Reuse(("1.2",)),))
    link = ir.Reuse(("2.1",), "w", for_criteria=("1.1",))
    other = ir.Reuse(("2.2",), "w", for_criteria=("1.2",))
    u = ir.Unit(
        "u", "U",
        outcomes=(ir.Outcome(1, "performance", "P", (c, ir.Criterion("1.2", "b", "b"))),),
        evidence_guide=(ir.EvidenceRow(("1.1", "1.2"), reuse=(link, other)), ir.EvidenceRow(("1.2",), reuse=(ir.Reuse(("3.1",)),))),
    )
    assert u.reuse_for("1.1") == (ir.Reuse(("1.2",)), link)
    assert u.reuse_for("1.2") == (other, ir.Reuse(("3.1",)))


def test_a_for_criterion_the_row_does_not_name_is_w032(tmp_path):
    src = ROWS.replace("for 2.1, 2.2", "for 2.1, 2.3")
    comp = compile_text(tmp_path, src)
    (d,) = [d for d in comp.diagnostics if d.code == "W032"]
    assert "2.3" in d.message and "row" in d.message and "unit U" not in d.message
    assert d.help == "did you mean `2.2`?"
    line = line_of(src, "for 2.1, 2.3")
    assert (d.span.line, d.span.col) == (line, src.split("\n")[line - 1].index("2.3") + 1)
    assert comp.spec is not None  # a warning: the spec is still usable


def test_a_for_criterion_far_from_any_of_the_row_lists_them(tmp_path):
    src = ROWS.replace("for 2.1, 2.2", "for 7.7")
    comp = compile_text(tmp_path, src)
    (d,) = [d for d in comp.diagnostics if d.code == "W032"]
    assert "7.7" in d.message and d.help == "the row names 1.2, 2.1, 2.2"


def test_a_row_link_to_a_missing_unit_or_criterion_is_w032_once(tmp_path):
    src = ROWS.replace("reuse unit v 1.1 for 2.1, 2.2", "reuse unit w 1.1 for 2.1, 2.2").replace('reuse unit v 1.1, 1.2 for', 'reuse unit v 1.1, 1.9 for')
    comp = compile_text(tmp_path, src)
    ds = [d for d in comp.diagnostics if d.code == "W032"]
    assert len(ds) == 2
    unit_d = next(d for d in ds if "`w`" in d.message)
    assert unit_d.message.startswith("the evidence-guide row for 1.2, 2.1, 2.2 of unit u reuses evidence from unit `w`")
    assert (unit_d.span.line, unit_d.span.col) == (line_of(src, "unit w"), 18)
    crit_d = next(d for d in ds if "1.9" in d.message)
    assert crit_d.span.line == line_of(src, "1.9") and crit_d.help == "did you mean `1.2`?"


@pytest.mark.parametrize(
    "where,src",
    [
        ("a criterion", 'criterion 1.1 "a" {\n      reuse 1.2 for 1.1\n    }'),
        ("a guidance entry", 'criterion 1.1 "a"\n  }\n  guidance 1.1 "g" {\n    reuse 1.2 for 1.1\n  }\n  outcome 2 knowledge "K2" {\n    criterion 2.1 "b"'),
    ],
)
def test_for_outside_a_row_is_e005(tmp_path, where, src):
    text = 'document d "D" { body b "B" }\nunit u "U" {\n  outcome 1 knowledge "K" {\n    ' + src + '\n    criterion 1.2 "c"\n  }\n}\n'
    comp = compile_text(tmp_path, text)
    (d,) = [d for d in comp.diagnostics if d.code == "E005"]
    assert where in d.message and "row" in (d.help or "")
    line = line_of(text, "for 1.1")
    assert (d.span.line, d.span.col) == (line, text.split("\n")[line - 1].index("for") + 1)


def test_a_row_may_name_whole_outcomes(rows):
    u = rows.unit("u")
    row = u.evidence_guide[1]
    assert row.outcomes == (1, 3) and row.criteria == ("1.1", "1.2", "3.1")
    assert row.methods == ("witness_testimony",)
    assert row.span.line == line_of(ROWS, "row outcome 1, 3")
    assert u.evidence_guide[0].outcomes == ()
    # before linking, the row has no criteria of its own
    from specc.lower import lower
    from specc.syntax import parse

    tree, _ = parse(ROWS, "x.specc")
    decls, _ = lower(tree, "x.specc", [])
    (lowered,) = [x for x in decls.units if x.id == "u"]
    assert lowered.evidence_guide[1].criteria == () and lowered.evidence_guide[1].outcomes == (1, 3)


def test_an_outcome_row_covers_its_criteria(tmp_path):
    src = ROWS.replace("row outcome 1, 3 {", "row outcome 1 {")
    comp = compile_text(tmp_path, src)
    (d,) = comp.diagnostics
    assert d.code == "W033" and "3.1" in d.message


def test_an_unknown_outcome_in_a_row_is_w030(tmp_path):
    src = ROWS.replace("row outcome 1, 3 {", "row outcome 1, 3, 4 {")
    comp = compile_text(tmp_path, src)
    (d,) = comp.diagnostics
    assert d.code == "W030" and "outcome 4" in d.message and "unit u" in d.message
    line = line_of(src, "row outcome")
    assert (d.span.line, d.span.col) == (line, src.split("\n")[line - 1].index("4") + 1)
    assert d.help == "unit u has outcomes 1, 2, 3"
    assert comp.spec.unit("u").evidence_guide[1].criteria == ("1.1", "1.2", "3.1")


def test_an_outcome_row_with_a_malformed_number_is_e005(tmp_path):
    comp = compile_text(tmp_path, 'document d "D" { body b "B" }\nunit u "U" {\n  evidence guide {\n    row outcome 1-2 { }\n  }\n}\n')
    (d,) = [d for d in comp.diagnostics if d.code == "E005"]
    assert "outcome number" in d.message and (d.span.line, d.span.col) == (4, 17)


def test_outcome_rows_of_a_unit_imported_under_an_alias_are_expanded(tmp_path):
    (tmp_path / "lib.specc").write_text(
        'unit x "X" {\n  outcome 1 knowledge "K" { criterion 1.1 "a" criterion 1.2 "b" }\n  evidence guide { row outcome 1 { } }\n}\n', encoding="utf-8"
    )
    comp = compile_text(tmp_path, 'import "lib.specc" as lib\ndocument d "D" { body b "B" }\n')
    assert comp.ok and comp.spec.unit("lib.x").evidence_guide[0].criteria == ("1.1", "1.2")


def test_a_simulation_rule_may_carry_an_exception(rows):
    env = rows.unit("u").environment
    forbidden, allowed = env.simulation
    assert forbidden.exception == ir.Text(EXCEPTION) and forbidden.mode == "forbidden" and forbidden.applies_to == "performance"
    assert allowed.exception is None
    assert forbidden.span.line == line_of(ROWS, "except")
    assert env.simulation_rule("performance") is forbidden and env.simulation_rule("knowledge") is allowed
    assert env.simulation_allowed("performance") is False  # the exception does not change the verdict
    assert ir.Environment().simulation_rule("performance") is None


def test_a_long_exception_and_an_exception_everywhere_a_rule_goes(tmp_path):
    comp = compile_text(
        tmp_path,
        'document d "D" { body b "B" }\n'
        'unit u "U" { credits 1 simulation exceptional except """\n    when the employer\n    agrees\n  """ }\n'
        'qualification q "Q" { simulation allowed except "for first aid" rules { mandatory u } }\n'
        'requirements r "R" { simulation forbidden except "in emergency drills" }\n',
    )
    assert comp.ok, [str(d) for d in comp.diagnostics]
    assert comp.spec.unit("u").environment.simulation[0].exception == ir.Text("when the employer\nagrees")
    assert comp.spec.qualification("q").environment.simulation[0].exception == ir.Text("for first aid")
    assert comp.spec.requirement_set("r").environment.simulation[0].exception == ir.Text("in emergency drills")


def test_forms_and_handbooks_print_the_exception():
    from specc_plugins.handbook.common import environment

    rule = ir.SimulationRule(False, "performance", exception=ir.Text(EXCEPTION + "."))
    env = ir.Environment(("workplace",), (rule,))
    sentence = f"Simulation is not allowed for performance evidence, except {EXCEPTION}."
    notes = [b.text for b in evidence_source_declaration("k", env) if type(b).__name__ == "Para"]
    assert sentence in notes
    assert environment(env) == "Evidence must come from the real workplace. " + sentence
    exc = ir.Environment((), (ir.SimulationRule(True, None, exceptional=True, exception=ir.Text("with the employer's consent")),))
    notes = [b.text for b in evidence_source_declaration("k", exc) if type(b).__name__ == "Para"]
    assert "Simulation may be used for knowledge evidence only in exceptional circumstances, except with the employer's consent." in notes
    allowed = ir.Environment((), (ir.SimulationRule(True, "knowledge", exception=ir.Text("for safety checks")),))
    notes = [b.text for b in evidence_source_declaration("k", allowed) if type(b).__name__ == "Para"]
    assert notes[1:] == ["Simulation may be used for knowledge evidence, except for safety checks."]
    assert environment(allowed) == "Simulation is allowed for knowledge evidence, except for safety checks."


def test_forms_and_handbooks_use_every_reuse_link_that_applies(rows):
    from specc_plugins.forms.common import reuse_note
    from specc_plugins.handbook.common import demands_and_reuse, evidence_guide, has_explanation

    u = rows.unit("u")
    c21, c22 = u.criterion("2.1"), u.criterion("2.2")
    assert reuse_note(rows, u, c21) == "Evidence may be reused from unit v, criteria 1.1, 1.2; unit v, criterion 1.1; criterion 1.1."
    assert reuse_note(rows, u, c22) == "Evidence may be reused from unit v, criterion 1.1; criterion 1.1."
    assert reuse_note(rows, u, u.criterion("3.1")) == ""
    assert demands_and_reuse(rows, u, c21).count("Evidence may be reused from") == 3
    assert "For 2.1, candidates" in demands_and_reuse(rows, u, c21)
    assert demands_and_reuse(rows, u, c22).count("Evidence may be reused from") == 2
    assert has_explanation(u, c22) and not has_explanation(u, u.criterion("3.1"))
    guide = evidence_guide(rows, u, {})
    assert "For 2.1, evidence may be reused from" in guide and "For 2.1 and 2.2, evidence may be reused from" in guide


def test_export_and_schema_carry_for_outcomes_and_exception(rows):
    data = export.spec_data(rows)
    VALIDATOR.validate(data)
    u = next(x for x in data["units"] if x["id"] == "u")
    first_row, outcome_row = u["evidence_guide"]
    assert [r["for_criteria"] for r in first_row["reuse"]] == [["2.1"], ["2.1", "2.2"], []]
    assert first_row["outcomes"] == [] and outcome_row["outcomes"] == [1, 3] and outcome_row["criteria"] == ["1.1", "1.2", "3.1"]
    assert u["environment"]["simulation"][0] == {"allowed": False, "applies_to": "performance", "exceptional": False, "exception": EXCEPTION}
    assert u["outcomes"][0]["criteria"][1]["reuse"] == [{"criteria": ["1.1"], "unit": None, "note": None, "for_criteria": []}]
    for path in (("evidence_guide", 0, "reuse", 0, "for_criteria"), ("evidence_guide", 1, "outcomes"), ("environment", "simulation", 0, "exception")):
        broken = export.spec_data(rows)
        node = next(x for x in broken["units"] if x["id"] == "u")
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        assert not VALIDATOR.is_valid(broken), path
    broken = export.spec_data(rows)
    next(x for x in broken["units"] if x["id"] == "u")["evidence_guide"][1]["outcomes"] = [0]
    assert not VALIDATOR.is_valid(broken)


def test_fmt_lays_out_for_outcome_rows_and_exceptions():
    src = (
        'document d "D" {body b "B"}\n'
        'unit u "U" { simulation forbidden   for performance   except\n"when staged" # why\n'
        'outcome 1 knowledge "K" { criterion 1.1 "c" criterion 1.2 "e" }\n'
        "evidence guide { row   outcome 1 ,2 { methods observation reuse unit v 2.1,2.2   for 1.1 ,1.2 \"For 1.1\" # row link\n"
        'reuse 1.1\nfor 1.2 } row 1.1,1.2 { } } }\n'
        'requirements r "R" { simulation exceptional except """\n  one\n    two\n""" }\n'
    )
    out, errs = format_text(src)
    assert not errs
    assert out == (
        'document d "D" {\n'
        '  body b "B"\n'
        "}\n"
        "\n"
        'unit u "U" {\n'
        '  simulation forbidden for performance except "when staged"  # why\n'
        '  outcome 1 knowledge "K" {\n'
        '    criterion 1.1 "c"\n'
        '    criterion 1.2 "e"\n'
        "  }\n"
        "  evidence guide {\n"
        "    row outcome 1, 2 {\n"
        "      methods observation\n"
        '      reuse unit v 2.1, 2.2 for 1.1, 1.2 "For 1.1"  # row link\n'
        "      reuse 1.1 for 1.2\n"
        "    }\n"
        "    row 1.1, 1.2 {}\n"
        "  }\n"
        "}\n"
        "\n"
        'requirements r "R" {\n'
        '  simulation exceptional except """\n'
        "    one\n"
        "      two\n"
        '  """\n'
        "}\n"
    )
    assert meaning(out) == meaning(src) and comments(out) == comments(src)
    assert format_text(out)[0] == out
    out2, _ = format_text(ROWS)
    assert meaning(out2) == meaning(ROWS) and format_text(out2)[0] == out2


def test_the_seed_uses_the_new_forms(specs):
    cg = specs["cg4411"]
    u106 = cg.unit("106")
    (row,) = [r for r in u106.evidence_guide if "2.1" in r.criteria]
    assert [r.for_criteria for r in row.reuse] == [("2.1",), ("2.2",), ("2.2",), ("2.3",), ("3.1",), ("3.2",)]
    assert [(r.unit, r.criteria) for r in u106.reuse_for("2.1")] == [("103", ("3.1", "3.2"))]
    assert [(r.unit, r.criteria) for r in u106.reuse_for("2.2")] == [("103", ("4.1",)), ("110", ("1.4",))]
    assert u106.reuse_for("1.2") == () and u106.criterion("2.1").reuse == ()
    u104 = cg.unit("104")
    (orow,) = [r for r in u104.evidence_guide if r.outcomes]
    assert orow.outcomes == (1, 3) and orow.criteria == ("1.1", "1.2", "3.1", "3.2", "3.3")
    assert [(r.unit, r.criteria) for r in u104.reuse_for("1.1")] == [("106", ("2.1",))]
    assert [r.unit for r in u104.reuse_for("3.2")] == [None, "103", "106"]
    rs = specs["cfa_cs"].requirement_set("maintain_and_develop_a_healthy_and_safe_customer_service_environment")
    assert rs.environment.simulation_rule("performance").exception == ir.Text(EXCEPTION)


def test_a_malformed_outcome_number_is_reported_once(tmp_path):
    comp = compile_text(tmp_path, 'document d "D" { body b "B" }\nunit u "U" {\n  outcome 1 knowledge "K" { criterion 1.1 "a" }\n  evidence guide {\n    row outcome 1, 1-2, 0 { }\n  }\n}\n')
    assert [d.code for d in comp.diagnostics] == ["E005", "E005"]
    assert comp.spec.unit("u").evidence_guide[0].outcomes == (1,)


def test_the_guide_does_not_repeat_a_link_note_its_row_already_prints(tmp_path):
    from specc_plugins.handbook.common import evidence_guide

    said = "For 1.1, candidates could refer to unit v."
    src = ROWS.replace("      methods observation\n", f'      methods observation\n      note """\n        Intro.\n\n        {said}\n      """\n').replace(
        "For 2.1, candidates could refer to unit v.", said
    )
    comp = compile_text(tmp_path, src)
    guide = evidence_guide(comp.spec, comp.spec.unit("u"), {})
    assert guide.count(said) == 1  # in the note, not again after the link
    # nor as a generated sentence: the note's own words are the link (issue 13)
    assert "For 2.1, evidence may be reused from" not in guide


# ---------------------------------------------------------------- demands `of which ... by` evidence methods

BY = """
document d "D" {
  body b "B"
  method photos "Annotated photographs"
}
unit u "U" {
  outcome 1 performance "P" {
    criterion 1.1 "greet customers" {
      demand 4 "customers" of which at least 2 by observation, witness_testimony
    }
    criterion 1.2 "serve customers" {
      demand 3 "customers" different customers of which exactly 1 by photos
      demand 2 "calls"
    }
    criterion 1.3 "thank customers" {
      demand at least 2 "customers" of which 1 by observation
    }
  }
  evidence guide {
    row 1.1, 1.2, 1.3 {
      methods observation, witness_testimony, work_product, photos
    }
  }
}
qualification q "Q" {
  rules {
    mandatory u
  }
}
"""


@pytest.fixture
def by_spec(tmp_path):
    comp = compile_text(tmp_path, BY)
    assert comp.ok and not comp.diagnostics, [str(d) for d in comp.diagnostics]
    return comp.spec


def test_a_demand_says_how_many_items_by_which_methods(by_spec):
    u = by_spec.unit("u")
    (d,) = u.criterion("1.1").demands
    assert (d.count, d.op, d.what, d.different) == (4, "exactly", "customers", None)
    assert d.by == ir.DemandBy(2, ("observation", "witness_testimony"), "at_least")
    assert d.by.span.line == line_of(BY, "of which at least 2") and d.by.span.col == BY.split("\n")[d.by.span.line - 1].index("of which") + 1
    first, second = u.criterion("1.2").demands
    assert first.different == "customers" and first.by == ir.DemandBy(1, ("photos",), "exactly")
    assert second.by is None
    # a bare count means at least, whatever the demand's own quantifier
    (third,) = u.criterion("1.3").demands
    assert third.op == "at_least" and third.by == ir.DemandBy(1, ("observation",), "at_least")


def test_prose_handbook_and_model_state_the_methods(by_spec):
    from specc_plugins.handbook.common import demands_and_reuse
    from specc_plugins.handbook.rst import demand as rst_demand
    from specc import prose

    u = by_spec.unit("u")
    (d,) = u.criterion("1.1").demands
    assert prose.demand(d) == "four customers, of which at least two by observation of performance or witness testimony"
    assert prose.demand_parts(d) == ("", "four", "customers", "")
    assert prose.demand_by_parts(d) == ("at least ", "two", "observation of performance or witness testimony")
    labels = {m.id: m.label for m in by_spec.methods}
    first, second = u.criterion("1.2").demands
    assert prose.demand(first, labels) == "three different customers, of which exactly one by annotated photographs"
    assert prose.demand(first) == "three different customers, of which exactly one by photos"
    assert prose.demand_by_parts(second) is None and prose.demand(second) == "two calls"
    assert rst_demand(d) == "**four** customers, of which at least **two** by observation of performance or witness testimony"
    assert "of which exactly **one** by annotated photographs" in demands_and_reuse(by_spec, u, u.criterion("1.2"))
    assert prose.method_label("x", {"x": "RPL evidence"}) == "RPL evidence"


def test_the_cityandguilds_explanation_bolds_the_of_which_count(specs):
    from specc_plugins.cityandguilds.handbook import explained

    u = specs["cg4411"].unit("106")
    text = explained(specs["cg4411"], u, u.criterion("1.2"))
    assert "telephone to **four** customers" in text and "At least **two** of these calls" in text
    # the explanation states both counts in words, so no separate "Evidence demanded" line
    assert "Evidence demanded" not in text


def test_forms_give_each_slot_of_such_a_demand_a_method_field(by_spec):
    from specc_plugins.forms.common import performance_record, slot_fields
    from specc_plugins.forms.model import Para, Table
    from specc import slots

    u = by_spec.unit("u")
    blocks = performance_record(by_spec, u)
    tables = [b for b in blocks if isinstance(b, Table)]
    notes = [b.text for b in blocks if isinstance(b, Para)]
    assert notes[0] == (
        "Evidence required: four customers, of which at least two by observation of performance or witness testimony."
        " Write in Method how each item was evidenced."
    )
    assert "of which exactly one by annotated photographs" in notes[1]
    greet, serve, thank = tables
    assert [c.title for c in greet.columns] == ["Slot", "Evidence reference", "Method", "Date", "Assessor initials"]
    names = [cell.field.name for row in greet.rows for cell in row if cell.field]
    assert [n for n in names if n.endswith(".method")] == [f"uu.c1_1.d1_{i}.method" for i in range(1, 5)]
    # on a criterion with another demand, only the slots of the `of which` demand get one
    assert [c.title for c in serve.columns] == ["Slot", "Evidence reference", "Customer", "Method", "Date", "Assessor initials"]
    methods = [row[3].field.name if row[3].field else None for row in serve.rows]
    assert methods == ["uu.c1_2.d1_1.method", "uu.c1_2.d1_2.method", "uu.c1_2.d1_3.method", None, None]
    s1, *_ = slots.criterion_slots(u.criterion("1.2"))
    assert s1.methods == ("photos",) and [k for _, k, _ in slot_fields(s1)] == ["evidence_ref", "customer", "method", "date", "assessor"]
    assert slots.criterion_slots(u.criterion("1.2"))[-1].methods == ()


def test_export_and_schema_carry_the_of_which_clause(by_spec):
    data = export.spec_data(by_spec)
    VALIDATOR.validate(data)
    (u,) = data["units"]
    assert u["outcomes"][0]["criteria"][0]["demands"][0]["by"] == {"count": 2, "methods": ["observation", "witness_testimony"], "op": "at_least"}
    assert u["outcomes"][0]["criteria"][1]["demands"][1]["by"] is None
    for change in (
        lambda d: d.pop("by"),
        lambda d: d["by"].pop("methods"),
        lambda d: d["by"].update(methods=[]),
        lambda d: d["by"].update(op="at_most"),
        lambda d: d["by"].update(count=0),
        lambda d: d["by"].update(extra=1),
    ):
        broken = export.spec_data(by_spec)
        change(broken["units"][0]["outcomes"][0]["criteria"][0]["demands"][0])
        assert not VALIDATOR.is_valid(broken)


def test_an_unknown_method_in_of_which_is_e013_with_a_suggestion(tmp_path):
    src = BY.replace("by observation, witness_testimony", "by observation, witness_testimoni")
    comp = compile_text(tmp_path, src)
    (d,) = comp.diagnostics
    assert d.code == "E013" and "witness_testimoni" in d.message and d.help == "did you mean `witness_testimony`?"
    line = line_of(src, "witness_testimoni")
    assert (d.span.line, d.span.col) == (line, src.split("\n")[line - 1].index("witness_testimoni") + 1)


@pytest.mark.parametrize(
    "old,new,code,at",
    [
        ("of which at least 2 by", "of which at least 5 by", "E053", "5 by"),
        ("of which exactly 1 by photos", "of which exactly 4 by photos", "E053", "4 by"),
        ("of which at least 2 by", "of which 0 by", "E052", "0 by"),
        ("of which at least 2 by", "of which at most 2 by", "E005", "at most"),
    ],
)
def test_of_which_counts_are_checked(tmp_path, old, new, code, at):
    src = BY.replace(old, new)
    comp = compile_text(tmp_path, src)
    (d,) = comp.diagnostics
    assert d.code == code, [str(x) for x in comp.diagnostics]
    line = line_of(src, new)
    assert (d.span.line, d.span.col) == (line, src.split("\n")[line - 1].index(at) + 1)
    if code == "E053":
        assert "more than the" in d.message and d.help.startswith("the `of which` count is at most")


def test_an_of_which_count_equal_to_the_demand_is_fine(tmp_path):
    comp = compile_text(tmp_path, BY.replace("of which at least 2 by", "of which 4 by"))
    assert comp.ok and not comp.diagnostics


def test_fmt_lays_out_of_which():
    src = (
        'document d "D" {body b "B"}\n'
        'unit u "U" { outcome 1 performance "P" { criterion 1.1 "c" {\n'
        'demand   4 "customers"   different customers of\n  which   at   least 2 by observation ,witness_testimony # why\n'
        'demand 2 "calls" of which exactly 1 by work_product } } }\n'
    )
    out, errs = format_text(src)
    assert not errs
    assert out == (
        'document d "D" {\n'
        '  body b "B"\n'
        "}\n"
        "\n"
        'unit u "U" {\n'
        '  outcome 1 performance "P" {\n'
        '    criterion 1.1 "c" {\n'
        '      demand 4 "customers" different customers of which at least 2 by observation, witness_testimony  # why\n'
        '      demand 2 "calls" of which exactly 1 by work_product\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert meaning(out) == meaning(src) and comments(out) == comments(src)
    assert format_text(out)[0] == out
    out2, _ = format_text(BY)
    assert meaning(out2) == meaning(BY) and format_text(out2)[0] == out2


def test_the_seed_says_two_of_the_four_calls_are_observed(specs):
    c = specs["cg4411"].unit("106").criterion("1.2")
    (d,) = c.demands
    assert (d.count, d.what, d.op) == (4, "customers", "exactly")
    assert d.by == ir.DemandBy(2, ("observation", "witness_testimony"), "at_least")


def _validator(spec):
    from specc_plugins.export import sample, validator
    from specc_plugins.export.model import qualification_model

    q = spec.qualification("q")
    model = qualification_model(spec, q)
    return model, validator.module_for(spec, q), sample.achieving(model, ["u"])


def test_the_validator_counts_items_by_the_methods(by_spec):
    model, mod, good = _validator(by_spec)
    by = model["units"]["u"]["criteria"]["1.1"]["demands"][0]["by"]
    assert by == {"count": 2, "op": "at_least", "methods": ["observation", "witness_testimony"], "text": "at least two by observation of performance or witness testimony"}
    assert "V306" in mod.CODES
    report = mod.validate(good)
    assert report["verdict"] == "achieved" and report["findings"] == [], report["findings"]
    # the sample meets `exactly 1 by photos` with one item and no more
    assert [it["method"] for it in good["units"]["u"]["criteria"]["1.2"]["evidence"]] == ["photos", "observation", "observation"]

    def findings(doc):
        r = mod.validate(doc)
        return [(f["code"], f["path"], f["message"]) for f in r["findings"] if f["code"] < "V600"], r["units"]["u"]["criteria"]

    # only one of the four customers observed
    doc = copy.deepcopy(good)
    for it in doc["units"]["u"]["criteria"]["1.1"]["evidence"][1:]:
        it["method"] = "work_product"
    got, verdicts = findings(doc)
    assert got == [
        (
            "V306",
            "$['units']['u']['criteria']['1.1']",
            "criterion 1.1 of unit u demands four customers, of which at least two by observation of performance or witness testimony;"
            " 1 of its items is evidenced by one of these methods (`method` observation or witness_testimony)",
        )
    ]
    assert verdicts["1.1"] == "not_met"
    # witness testimony counts as well
    doc["units"]["u"]["criteria"]["1.1"]["evidence"][2]["method"] = "witness_testimony"
    assert findings(doc)[0] == []
    # one observed item covering two customers is one observed item
    doc = copy.deepcopy(good)
    ev = doc["units"]["u"]["criteria"]["1.1"]["evidence"]
    ev[0]["covers"] = ["d1_1", "d1_2"]
    for it in ev[1:]:
        it["method"] = "work_product"
    got, _ = findings(doc)
    assert [c for c, _, _ in got] == ["V306"]
    # `exactly`: a second item by photos is one too many
    doc = copy.deepcopy(good)
    doc["units"]["u"]["criteria"]["1.2"]["evidence"][1]["method"] = "photos"
    got, verdicts = findings(doc)
    assert [(c, m.split("; ")[1]) for c, _, m in got] == [("V306", "2 of its items are evidenced by one of these methods (`method` photos)")]
    assert verdicts["1.2"] == "not_met"
    # an `at least` demand's further items count too
    doc = copy.deepcopy(good)
    ev = doc["units"]["u"]["criteria"]["1.3"]["evidence"]
    for it in ev:
        it["method"] = "work_product"
    assert [c for c, _, _ in findings(doc)[0]] == ["V306"]
    ev.append(dict(ev[1], id="E99", covers=["d1_3"], method="observation"))
    assert findings(doc)[0] == []


def test_a_reused_item_counts_with_its_records_method(tmp_path):
    src = BY.replace('demand 4 "customers" of which', 'reuse 1.3\n      demand 4 "customers" of which')
    comp = compile_text(tmp_path, src)
    assert comp.ok and not comp.diagnostics, [str(d) for d in comp.diagnostics]
    _, mod, good = _validator(comp.spec)
    ev = good["units"]["u"]["criteria"]["1.1"]["evidence"]
    for it in ev:
        it["method"] = "work_product"
    observed = good["units"]["u"]["criteria"]["1.3"]["evidence"][0]
    assert observed["method"] == "observation"
    ev[0] = {"id": observed["id"], "reused_from": {"criterion": "1.3"}, "covers": ["d1_1"]}
    assert [f["code"] for f in mod.validate(good)["findings"]] == ["V306", "V603"]
    ev[1] = {"id": observed["id"], "reused_from": {"criterion": "1.3"}, "covers": ["d1_2"]}
    # the same item twice is still one observed item
    assert [f["code"] for f in mod.validate(good)["findings"]] == ["V303", "V306", "V603"]
