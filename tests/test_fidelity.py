"""Constructs for published information the language had no place for
(issue 11, item 1): each through the grammar, the IR, the formatter, the
checks, the JSON export and its schema, and -- for rules -- the portfolio
validator; for guidance, the handbooks that print it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from specc import export, ir, prose
from specc.fmt import format_text
from specc_plugins.export import validator
from specc_plugins.export.model import qualification_model
from tests.conftest import compile_text
from tests.test_fmt import meaning

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "specc/schemas/ir.schema.json").read_text(encoding="utf-8"))
def _seeds() -> Path:
    """``../shared/seeds/`` of the checkout (or of the folder above a worktree)."""
    for up in Path(__file__).resolve().parents:
        if (up / "shared" / "seeds").is_dir():
            return up / "shared" / "seeds"
    return Path("/nonexistent")


SEEDS = _seeds()
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds (../shared/seeds/) are not here")
IR_SCHEMA = jsonschema.Draft202012Validator(SCHEMA)

FURTHER = '''
document d "D" { body b "B" }
group g "G" { m a b c }
unit m "M" { credits 2 }
unit a "A" { credits 2 }
unit b "B" { credits 2 }
unit c "C" { credits 1 }
qualification q "Q" {
  rules {
    minimum 4 credits
    mandatory m
    remaining at least 4 credits from g
  }
}
qualification q2 "Q2" {
  rules {
    minimum 4 credits
    mandatory m
    remaining 2 credits from g
  }
}
'''


def _compile(tmp_path, text):
    comp = compile_text(tmp_path, text)
    assert comp.ok, [str(d) for d in comp.diagnostics]
    return comp.spec


# ---------------------------------------------------------------- remaining N credits


def test_remaining_carries_the_further_credits(tmp_path):
    spec = _compile(tmp_path, FURTHER)
    (r,) = [x for x in spec.qualification("q").rules if isinstance(x, ir.Remaining)]
    assert (r.credits, r.minimum, r.units) == (4, True, ("m", "a", "b", "c"))
    (r2,) = [x for x in spec.qualification("q2").rules if isinstance(x, ir.Remaining)]
    assert (r2.credits, r2.minimum) == (2, False)
    assert prose.rule(spec, r) == "a further 4 credits (minimum) from G"
    assert prose.rule(spec, r2) == "a further 2 credits from G"
    IR_SCHEMA.validate(export.spec_data(spec))


def test_the_solver_counts_the_further_credits_without_the_mandatory_units(tmp_path):
    spec = _compile(tmp_path, FURTHER)
    # minimum 4 alone would allow m + a (4 credits); the further 4 need m + two of a, b, c... (2 + 2 + 2 or 2 + 2 + 1 is 3 short)
    cheapest = spec.qualification("q").routes.cheapest
    assert sum(spec.unit(u).credits for u in cheapest.units if u != "m") >= 4
    assert spec.qualification("q").routes.min_credits == 6


def test_a_portfolio_without_the_further_credits_fails_v604(tmp_path):
    spec = _compile(tmp_path, FURTHER)
    q = spec.qualification("q")
    mod = validator.module_for(spec, q)
    found = mod.check_combination(["m", "a"])
    assert [f["code"] for f in found] == ["V604"]
    assert "a further 4 credits (minimum)" in found[0]["message"]
    assert mod.check_combination(["m", "a", "b"]) == []
    model = qualification_model(spec, q)
    assert {"kind": "further", "op": "at_least", "credits": 4, "units": ["a", "b", "c"], "text": "a further 4 credits (minimum) from G"} in model["rules"]


def test_remaining_at_most_is_e005(tmp_path):
    comp = compile_text(tmp_path, FURTHER.replace("remaining at least 4", "remaining at most 4"))
    assert [d.code for d in comp.diagnostics] == ["E005"]


def test_fmt_keeps_the_further_credits():
    out, diags = format_text(FURTHER.replace("remaining at least  4", "remaining at   least 4"))
    assert not diags and "remaining at least 4 credits from g" in out
    assert meaning(out) == meaning(FURTHER)


@needs_seeds
def test_the_cityandguilds_figures_are_the_seeds(specs):
    import re

    seed = SEEDS / "cityandguilds-4411-handbook.txt"

    figures = re.findall(r"A further \*\*(\d+) credits( \(minimum\))?\*\*", seed.read_text(encoding="utf-8"))
    spec = specs["cg4411"]
    got = [(str(r.credits), " (minimum)" if r.minimum else "") for q in spec.qualifications for r in q.rules if isinstance(r, ir.Remaining)]
    assert got == figures and len(figures) == 4


# ---------------------------------------------------------------- declared `different` names

DIFFERENT = '''
document d "D" {
  body b "B"
  different sites "the site where the evidence was produced"
}
unit u "U" {
  credits 1
  outcome 1 performance "Serve" {
    criterion 1.1 "serve customers at two sites" {
      demand 2 "customers" different sites
    }
    criterion 1.2 "describe three methods of communicating" {
      demand 3 "methods of communicating" different methods
    }
  }
}
qualification q "Q" { rules { mandatory u } }
'''


def _item(i, covers, **extra):
    return {"id": f"X{i}", "method": "observation", "date": f"2024-09-0{i + 3}", "environment": "workplace", "location": "file", "assessor": "A", "covers": covers, **extra}


def test_a_declared_different_name_reaches_the_ir_and_the_schema(tmp_path):
    spec = _compile(tmp_path, DIFFERENT)
    sites = spec.distinction("sites")
    assert (sites.label, sites.field, sites.builtin) == ("the site where the evidence was produced", "sites", False)
    assert spec.distinction("occasions").field == "date" and spec.distinction("customers").field == "customer"
    IR_SCHEMA.validate(export.spec_data(spec))
    # a word of the demand's own `what`: the demanded things differ, printed so
    c = spec.unit("u").criterion("1.2")
    assert prose.demand(c.demands[0], {}) .startswith("three different methods of communicating")


def test_a_declared_different_name_is_enforced_by_the_validator(tmp_path):
    from specc_plugins.export.portfolio import portfolio_schema

    spec = _compile(tmp_path, DIFFERENT)
    q = spec.qualification("q")
    model = qualification_model(spec, q)
    assert model["different"] == {"sites": "the site where the evidence was produced"}
    schema = portfolio_schema(model)
    mod = validator.module_for(spec, q)

    from specc_plugins.export import sample

    base = sample.achieving(model, ["u"])
    assert not mod.validate(base)["findings"]  # the sample fills the declared field

    def portfolio(items):
        p = json.loads(json.dumps(base))
        p["units"]["u"]["criteria"]["1.1"]["evidence"] = items
        return p

    same = portfolio([_item(1, ["d1_1"], sites="North"), _item(2, ["d1_2"], sites=" north ")])
    codes = [f["code"] for f in mod.validate(same)["findings"]]
    assert "V307" in codes
    missing = portfolio([_item(1, ["d1_1"], sites="North"), _item(2, ["d1_2"])])
    found = mod.validate(missing)["findings"]
    assert any(f["code"] == "V102" and "`sites`" in f["message"] for f in found)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(missing, schema, format_checker=jsonschema.FormatChecker())
    good = portfolio([_item(1, ["d1_1"], sites="North"), _item(2, ["d1_2"], sites="South")])
    jsonschema.validate(good, schema, format_checker=jsonschema.FormatChecker())
    codes = {f["code"] for f in mod.validate(good)["findings"]}
    assert not codes & {"V102", "V103", "V307", "V303"}, mod.validate(good)["findings"]


@pytest.mark.parametrize("typo, hint", [("customer", "customers"), ("ocasions", "occasions"), ("site", "sites"), ("method", "methods")])
def test_an_undeclared_different_name_is_e015_with_a_suggestion(tmp_path, typo, hint):
    text = DIFFERENT.replace("different sites\n", f"different {typo}\n") if typo != "method" else DIFFERENT.replace("different methods", "different method")
    comp = compile_text(tmp_path, text)
    (d,) = comp.diagnostics
    assert d.code == "E015" and f"`{typo}`" in d.message and d.help == f"did you mean `{hint}`?"


def test_declaring_a_builtin_name_again_is_e010(tmp_path):
    comp = compile_text(tmp_path, DIFFERENT.replace("different sites", "different customers"))
    assert "E010" in [d.code for d in comp.diagnostics]


def test_fmt_keeps_different_declarations():
    out, diags = format_text(DIFFERENT.replace('  different sites', '  different   sites'))
    assert not diags and '  different sites "the site where the evidence was produced"\n' in out
    assert meaning(out) == meaning(DIFFERENT)


# ---------------------------------------------------------------- demands in evidence-guide rows

ROW = '''
document d "D" { body b "B" }
unit u "U" {
  credits 1
  outcome 1 performance "Answer calls" {
    criterion 1.1 "greet callers"
    criterion 1.2 "pass calls on"
  }
  evidence guide {
    row 1.1, 1.2 {
      methods observation, witness_testimony
      note "Observation of performance (two incoming telephone calls must be observed)."
      demand 2 "incoming telephone calls" of which 2 by observation
    }
  }
}
qualification q "Q" { rules { mandatory u } }
'''


def test_a_row_demand_reaches_the_ir_not_the_criteria(tmp_path):
    spec = _compile(tmp_path, ROW)
    u = spec.unit("u")
    (row,) = u.evidence_guide
    (d,) = row.demands
    assert (d.count, d.what, d.by.count, d.by.methods) == (2, "incoming telephone calls", 2, ("observation",))
    assert all(not c.demands for c in u.criteria)
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(ROW)
    assert not diags and "      demand 2 \"incoming telephone calls\" of which 2 by observation\n" in out
    assert meaning(out) == meaning(ROW)


def test_a_row_demand_is_enforced_over_the_rows_evidence(tmp_path):
    from specc_plugins.export import sample

    spec = _compile(tmp_path, ROW)
    q = spec.qualification("q")
    model = qualification_model(spec, q)
    (rd,) = model["units"]["u"]["row_demands"]
    assert rd["criteria"] == ["1.1", "1.2"] and rd["count"] == 2
    mod = validator.module_for(spec, q)
    good = sample.achieving(model, ["u"])
    assert not mod.validate(good)["findings"]
    # every item evidenced by witness testimony: fewer than two observed calls
    bad = json.loads(json.dumps(good))
    for c in bad["units"]["u"]["criteria"].values():
        for it in c["evidence"]:
            it["method"] = "witness_testimony"
    found = mod.validate(bad)["findings"]
    assert [f["code"] for f in found if f["severity"] == "error"][:1] == ["V308"]
    assert "two incoming telephone calls, of which at least two by observation" in found[0]["message"]
    assert mod.validate(bad)["units"]["u"]["verdict"] == "not_achieved"


# ---------------------------------------------------------------- printed by the handbooks


@pytest.fixture(scope="module")
def cg_handbook(specs, tmp_path_factory):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    spec = specs["cg4411"]
    folder = emit(spec, tmp_path_factory.mktemp("cg"), name="cg4411")
    return lhtml.fromstring((folder / "cg4411.html").read_bytes())


def test_the_handbook_prints_the_further_credits(cg_handbook):
    text = " ".join(cg_handbook.text_content().split())
    for figure in ("a further 4 credits from", "a further 9 credits from", "a further 4 credits (minimum) from", "a further 8 credits (minimum) from"):
        assert figure in text


def test_the_handbook_prints_a_row_demand_in_its_row(cg_handbook):
    from tests.test_handbook import section_of

    unit = section_of(cg_handbook, "unit-106")
    rows = [" ".join(tr.text_content().split()) for tr in unit.iter("tr")]
    (row,) = [r for r in rows if r.startswith("1.2, 2.1")]
    assert "Evidence demanded across these criteria: two incoming telephone calls, of which at least two by observation" in row


# ---------------------------------------------------------------- guidelines and the qualification's environment

GUIDE = '''
document d "D" {
  body b "B"
  guidelines simulation "Simulation" {
    note "To undertake the assessment of simulated activities the following guidelines must be met:"
    a "when role playing, candidates must have a brief;"
    b "the simulated situation should represent normal and routine experience."
  }
}
'''


def test_guidelines_reach_the_ir_and_keep_their_letters(tmp_path):
    spec = _compile(tmp_path, GUIDE + 'unit u "U" { credits 1 }\nqualification q "Q" { rules { mandatory u } }\n')
    (g,) = spec.document.guidelines
    assert (g.topic, g.title, [i.letter for i in g.items]) == ("simulation", "Simulation", ["a", "b"])
    assert g.notes[0].value.startswith("To undertake")
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(GUIDE)
    assert not diags and '    a "when role playing, candidates must have a brief;"\n' in out
    assert meaning(out) == meaning(GUIDE)


@needs_seeds
def test_the_handbook_prints_the_guidelines_word_for_word(cg_handbook):
    import re

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8")
    text = " ".join(cg_handbook.text_content().split())
    lettered = re.findall(r"^- ([a-h]) (.+)$", seed[seed.index("Simulation is defined") : seed.index("Portfolio of evidence", seed.index("Simulation is defined"))], re.MULTILINE)
    assert len(lettered) == 15  # simulation a-h, RWE a-g
    for _letter, words in lettered:
        assert " ".join(words.split()) in text
    assert "any methods of self-assessment" in text


def test_the_cityandguilds_qualifications_state_their_environment(specs, cg_handbook):
    spec = specs["cg4411"]
    for q in spec.qualifications:
        assert q.environment.sources == ("workplace", "rwe")
        assert q.environment.simulation_mode("performance") == "allowed"
        model = qualification_model(spec, q)
        assert all(set(u["environments"]) <= {"workplace", "rwe"} for u in model["units"].values())
    text = " ".join(cg_handbook.text_content().split())
    assert "Evidence may come from the real workplace or a realistic working environment. Simulation is allowed." in text


# ---------------------------------------------------------------- either/or demands

EITHER = '''
document d "D" { body b "B" }
unit u "U" {
  credits 1
  outcome 1 knowledge "Know" {
    criterion 1.1 "list the services or products" {
      demand 1 "product" or 1 "service"
    }
  }
}
qualification q "Q" { rules { mandatory u } }
'''


def test_an_either_or_demand_reaches_the_ir_prose_slots_and_schema(tmp_path):
    from specc import slots

    spec = _compile(tmp_path, EITHER)
    c = spec.unit("u").criterion("1.1")
    (d,) = c.demands
    assert d.whats == ("product", "service") and d.alternatives[0].count == 1
    assert prose.demand(d, {}) == "one product or one service"
    assert [s.label for s in slots.criterion_slots(c)] == ["Product or service"]  # one asked for: no number
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(EITHER.replace('"product" or 1', '"product"  or  1'))
    assert not diags and '      demand 1 "product" or 1 "service"\n' in out
    assert meaning(out) == meaning(EITHER)


def test_an_either_or_demand_is_enforced_by_its_slots(tmp_path):
    from specc_plugins.export import sample

    spec = _compile(tmp_path, EITHER)
    q = spec.qualification("q")
    model = qualification_model(spec, q)
    (md,) = model["units"]["u"]["criteria"]["1.1"]["demands"]
    assert md["alternatives"] == [{"count": 1, "what": "service"}] and md["text"] == "one product or one service"
    mod = validator.module_for(spec, q)
    good = sample.achieving(model, ["u"])
    assert not mod.validate(good)["findings"]
    bad = json.loads(json.dumps(good))
    for it in bad["units"]["u"]["criteria"]["1.1"]["evidence"]:
        it.pop("covers", None)
    found = [f for f in mod.validate(bad)["findings"] if f["code"] == "V302"]
    assert found and "one product or one service" in found[0]["message"]


def test_either_or_alternatives_with_different_counts_are_e054(tmp_path):
    comp = compile_text(tmp_path, EITHER.replace('or 1 "service"', 'or 2 "services"'))
    assert [d.code for d in comp.diagnostics] == ["E054"]


# ---------------------------------------------------------------- on the forms

FORMS_SPEC = '''
document d "D" {
  body b "B"
  different sites "the site where the evidence was produced"
}
group g "G" { u v }
unit u "U" {
  credits 1
  outcome 1 performance "Serve" {
    criterion 1.1 "serve customers at two sites" {
      demand 2 "customers" different sites
    }
    criterion 1.2 "list one product or one service" {
      demand 1 "product" or 1 "service"
    }
  }
  evidence guide {
    row 1.1, 1.2 {
      methods observation
      demand 2 "incoming telephone calls" of which 2 by observation
    }
  }
}
unit v "V" { credits 2 }
qualification q "Q" {
  rules {
    mandatory u
    remaining at least 2 credits from g
  }
}
'''


def test_the_forms_show_the_rules(tmp_path):
    from lxml import html as lhtml

    from specc.sink import OutputFolder
    from specc_plugins import forms as forms_plugin

    spec = _compile(tmp_path, FORMS_SPEC)
    folder = OutputFolder(tmp_path / "o")
    sink = folder.begin("d")
    forms_plugin.emit(spec, sink, {"formats": "html"})
    folder.commit(sink, "k", "h")
    unit = lhtml.fromstring((tmp_path / "o/d/forms/units/unit-u.html").read_bytes())
    text = " ".join(unit.text_content().split())
    assert "Evidence required across these criteria: two incoming telephone calls, of which at least two by observation" in text
    assert "Incoming telephone call 2" in text
    assert "one product or one service" in text and "Product or service" in text
    headers = [" ".join(th.text_content().split()) for th in unit.iter("th")]
    assert "Sites" in headers  # the declared `different sites` field
    names = {e.get("name") for e in unit.iter("input")}
    assert any(n and n.endswith("d1_2.different_sites") for n in names)
    combined = " ".join(" ".join(lhtml.fromstring(p.read_bytes()).text_content().split()) for p in (tmp_path / "o/d/forms").rglob("*.html"))
    assert "A further 2 credits (minimum) from G" in combined


# ---------------------------------------------------------------- a built-in method under the body's own label


def test_a_document_relabels_a_builtin_method(tmp_path):
    text = 'document d "D" {\n  body b "B"\n  method observation "Assessor observation"\n  methods observation\n}\n'
    spec = _compile(tmp_path, text)
    m = next(m for m in spec.methods if m.id == "observation")
    assert (m.label, m.builtin) == ("Assessor observation", True)
    assert qualification_model(spec, ir.Qualification("q", "Q"))["methods"]["observation"] == "Assessor observation"
    again = compile_text(tmp_path, text.replace("  methods", '  method observation "Observed"\n  methods'))
    assert [d.code for d in again.diagnostics] == ["E010"]


@needs_seeds
def test_the_ncfe_handbook_prints_the_published_evidence_types(specs, tmp_path):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    seed = (SEEDS / "ncfe-601-3972-9-specification.txt").read_text(encoding="utf-8")
    block = seed[seed.index("The main pieces of evidence for the portfolio") : seed.index("You will also find a variety")]
    published = [line.strip().rstrip(".") for line in block.split("\n")[1:] if line.strip()]
    spec = specs["ncfe_601_3972_9"]
    folder = emit(spec, tmp_path, name="ncfe")
    text = " ".join(lhtml.fromstring((folder / "ncfe_601_3972_9.html").read_bytes()).text_content().split())
    assert len(published) == 9
    for label in published:
        assert label in text
    assert "Observation of performance" not in text


# ---------------------------------------------------------------- reuse lead-ins and "for guidance" links

LINKS = '''
document d "D" { body b "B" }
unit a "A" {
  outcome 1 knowledge "K" {
    criterion 1.1 "state"
    criterion 1.2 "list"
  }
  evidence guide {
    row 1.1, 1.2 {
      note "Candidates could use evidence gathered in Unit b."
      reuse units b
      see unit b 2.1 for 1.2 "refer to unit b 2.1 for guidance"
    }
  }
}
unit b "B" {
  outcome 2 knowledge "K" {
    criterion 2.1 "describe"
  }
}
'''


def test_lead_ins_and_see_links_reach_the_ir_and_the_handbook(tmp_path):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    spec = _compile(tmp_path, LINKS)
    (row,) = spec.unit("a").evidence_guide
    assert row.reuse_units[0].units == ("b",) and row.reuse_units[0].note is None
    (see,) = row.see
    assert (see.unit, see.criteria, see.for_criteria, see.note.value) == ("b", ("2.1",), ("1.2",), "refer to unit b 2.1 for guidance")
    assert spec.unit("a").reuse_for("1.2") == ()  # guidance, not evidence to reuse
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(LINKS)
    assert not diags and "      reuse units b\n" in out and '      see unit b 2.1 for 1.2 "refer' in out
    assert meaning(out) == meaning(LINKS)
    folder = emit(spec, tmp_path)
    page = lhtml.fromstring((folder / "d.html").read_bytes())
    text = " ".join(page.text_content().split())
    assert "Evidence gathered in unit b may be used." in text
    assert "For 1.2, see unit b criterion 2.1 for guidance." in text
    assert page.xpath('//a[contains(., "unit b criterion 2.1")]/@href')


def test_the_cityandguilds_lead_ins_are_the_seeds(specs):
    import re

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8") if SEEDS.is_dir() else pytest.skip("no seeds")
    published = sorted(tuple(re.findall(r"\d{3}", m)) for m in re.findall(r"Candidates could use evidence gathered in Units ([0-9, and]+);", seed))
    spec = specs["cg4411"]
    got = sorted(lead.units for u in spec.units for row in u.evidence_guide for lead in row.reuse_units)
    assert got == published and len(published) == 4


# ---------------------------------------------------------------- NCFE: aims, objectives, basis, restriction, credit certificate


@pytest.fixture(scope="module")
def ncfe_handbook(specs, tmp_path_factory):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    folder = emit(specs["ncfe_601_3972_9"], tmp_path_factory.mktemp("ncfe"), name="ncfe")
    return lhtml.fromstring((folder / "ncfe_601_3972_9.html").read_bytes())


def _words(s: str) -> str:
    return " ".join(s.replace("’", "'").split())


@needs_seeds
def test_the_ncfe_qualification_guidance_is_printed_word_for_word(specs, ncfe_handbook):
    seed = _words((SEEDS / "ncfe-601-3972-9-specification.txt").read_text(encoding="utf-8").replace("-\n", "-"))
    q = specs["ncfe_601_3972_9"].qualifications[0]
    text = _words(ncfe_handbook.text_content())
    for t in (q.aims, q.objectives, q.basis, q.restriction, q.credit_certificate):
        assert t is not None
        for block in t.blocks:
            for piece in (block.items if hasattr(block, "items") else (block.text,)):
                assert _words(piece) in seed, piece  # word for word from the seed
                assert _words(piece) in text, piece  # and printed
    assert "Aims and objectives of this qualification" in text


@needs_seeds
def test_units_without_guidance_say_so(specs, ncfe_handbook):
    import re

    seed = (SEEDS / "ncfe-601-3972-9-specification.txt").read_text(encoding="utf-8")
    published = len(re.findall(r"There is no assessment guidance available for this unit\.", seed))
    spec = specs["ncfe_601_3972_9"]
    said = [u.id for u in spec.units if u.no_guidance is not None]
    assert len(said) == published == 6
    assert all(not any(c.guidance for c in spec.unit(u).criteria) for u in said)
    assert _words(ncfe_handbook.text_content()).count("There is no assessment guidance available for this unit.") == 6


def test_guidance_none_and_qualification_guidance_round_trip(tmp_path):
    text = '''
document d "D" { body b "B" }
unit u "U" {
  credits 1
  guidance none
}
qualification q "Q" {
  aims "To teach."
  objectives "To learn."
  basis "NOS"
  restriction "Not with another."
  credit_certificate "A certificate per unit."
  rules { mandatory u }
}
'''
    spec = _compile(tmp_path, text)
    assert spec.unit("u").no_guidance.value == "There is no assessment guidance available for this unit."
    q = spec.qualification("q")
    assert [str(x) for x in (q.aims, q.objectives, q.basis, q.restriction, q.credit_certificate)] == ["To teach.", "To learn.", "NOS", "Not with another.", "A certificate per unit."]
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(text)
    assert not diags and "  guidance none\n" in out and '  credit_certificate "A certificate per unit."\n' in out
    assert meaning(out) == meaning(text)


# ---------------------------------------------------------------- outcome-list titles


@needs_seeds
def test_outcome_list_titles_are_the_seeds_and_printed(specs, cg_handbook):
    from tests.test_handbook import section_of

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8")
    spec = specs["cg4411"]
    listed = [(u, o) for u in spec.units for o in u.outcomes if o.listed]
    assert {u.id for u, _ in listed} == {"003", "104", "106", "108", "109"}
    for u, o in listed:
        assert f"\n{o.number}. {o.listed}\n" in seed and o.listed != o.statement
        text = " ".join(section_of(cg_handbook, f"unit-{u.id}").text_content().split())
        assert o.listed in text and o.statement in text


def test_listed_round_trips(tmp_path):
    text = 'document d "D" { body b "B" }\nunit u "U" {\n  outcome 1 knowledge "Heading" {\n    listed "List title"\n    criterion 1.1 "c"\n  }\n  guidance 1.1 "g"\n}\n'
    spec = _compile(tmp_path, text)
    o = spec.unit("u").outcomes[0]
    assert (o.statement, o.listed, o.criteria[0].guidance[0].text.value) == ("Heading", "List title", "g")
    out, diags = format_text(text)
    assert not diags and '    listed "List title"\n' in out and meaning(out) == meaning(text)


@needs_seeds
def test_structure_titles_are_the_seeds_and_printed(specs, cg_handbook):
    import re

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8")
    published = re.findall(r"To achieve the \*\*(City & Guilds [^*]+)\*\* the learner", seed)
    spec = specs["cg4411"]
    assert [q.structure_title for q in spec.qualifications] == published and len(published) == 4
    text = " ".join(cg_handbook.text_content().split())
    for t in published:
        assert f"To achieve the {t}, learners must achieve:" in text


@needs_seeds
def test_the_cfa_organisations_are_the_seeds_and_printed(specs, tmp_path):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    lines = (SEEDS / "cfa-customer-service-evidence-requirements.txt").read_text(encoding="utf-8").split("\n")
    i = lines.index("These Evidence Requirements were developed by the Awarding Organisations/Bodies listed below:")
    published = []
    for line in lines[i + 2 :]:
        if not line.strip():
            break
        published.append(line.strip())
    spec = specs["cfa_cs"]
    assert list(spec.document.developed_by.organisations) == published and len(published) == 11
    assert all(r.kind for rs in spec.requirement_sets for r in rs.requirements)  # `organisation` still a requirement kind
    folder = emit(spec, tmp_path, name="cfa")
    page = lhtml.fromstring(next(folder.glob("*.html")).read_bytes())
    items = [" ".join(li.text_content().split()) for li in page.iter("li")]
    assert all(o in items for o in published)


def test_a_count_inside_one_range_item(tmp_path, specs):
    text = '''
document d "D" { body b "B" }
requirements r "R" {
  requirement 4 "collected feedback:" {
    all {
      a "informally"
      b "Using two different formal methods." {
        distinct 2 "formal methods"
      }
    }
  }
}
'''
    spec = _compile(tmp_path, text)
    (req,) = spec.requirement_set("r").requirements
    (d,) = req.distinct
    assert (d.count, d.what, d.item) == (2, "formal methods", "b")  # the requirement's count, stated in item b
    IR_SCHEMA.validate(export.spec_data(spec))
    out, diags = format_text(text)
    assert not diags and meaning(out) == meaning(text)
    cfa = specs["cfa_cs"]
    items = [d for rs in cfa.requirement_sets for r in rs.requirements for d in r.distinct if d.item]
    assert [(d.count, d.what, d.item) for d in items] == [(2, "formal methods", "b")]


# ---------------------------------------------------------------- transcription: counted from the seeds


@needs_seeds
def test_every_unit_whose_seed_guide_has_the_lead_in_has_it(specs):
    import re

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8")
    lead = "Evidence must show that the candidate has sufficiently met the assessment criteria."
    # the unit each lead-in follows: the last "Unit NNN" heading line before it
    units = set()
    for m in re.finditer(re.escape(lead), seed):
        units.add(re.findall(r"^Unit (\d{3})", seed[: m.start()], re.MULTILINE)[-1])
    spec = specs["cg4411"]
    have = {u.id for u in spec.units if any(n.value == lead for n in u.evidence_guide_notes)}
    assert have == units and len(units) == 16


@needs_seeds
def test_every_cfa_requirement_set_has_the_seeds_count():
    """The last numbered line of a set in the seed is its last requirement."""
    import re

    from specc import build

    seed = (SEEDS / "cfa-customer-service-evidence-requirements.txt").read_text(encoding="utf-8")
    i = seed.index("Manage customer service performance\n\n")
    block = seed[i:].split("\n\n", 2)[1]
    last = max(int(n) for n in re.findall(r"^- (\d+)\. ", block, re.MULTILINE))
    (comp,) = [c for c in build.compile_all([Path(__file__).resolve().parent.parent / "specs" / "cfa"]) if c.spec]
    rs = comp.spec.requirement_set("manage_customer_service_performance")
    assert max(r.number for r in rs.requirements) == last == 4


def test_digitally_recorded_discussions_are_tagged_in_every_row(specs):
    rows = [(u.id, row) for u in specs["cg4411"].units for row in u.evidence_guide if any("digitally recorded" in n.value.lower() for n in row.notes)]
    assert len({u for u, _ in rows}) >= 15
    assert [(u, row.criteria) for u, row in rows if "recorded_discussion" not in row.methods] == []


def test_transcription_fixes_of_issue_11(specs):
    spec = specs["cg4411"]
    assert [d.what for d in spec.unit("002").criterion("1.1").demands] == ["particular customer service job", "procedures"]
    assert [d.whats for d in spec.unit("003").criterion("1.1").demands] == [("organisation",), ("section or department",), ("product", "service")]
    assert [r.criteria for r in spec.unit("107").criterion("1.3").reuse] == [("1.2",)]


@needs_seeds
def test_every_quantity_the_seed_bolds_in_an_explanation_is_a_demanded_count(specs):
    """The C&G handbook prints the demanded quantities of "For **1.1** ..."
    explanations in bold; the handbooks bold a criterion's demanded counts.
    Each bold word of a seed explanation is one of its criterion's counts, so
    the printed emphasis is the published one (and a missing demand shows)."""
    import re

    seed = (SEEDS / "cityandguilds-4411-handbook.txt").read_text(encoding="utf-8")
    spec = specs["cg4411"]
    checked = 0
    for sec in re.split(r"\n(?=Unit \d{3}\s)", seed):
        m = re.match(r"Unit (\d{3})\s", sec)
        u = spec.unit(m.group(1)) if m else None
        if u is None:
            continue
        for ref, rest in re.findall(r"^For \*\*(\d+\.\d+)\*\*(.*)$", sec, re.MULTILINE):
            c = u.criterion(ref)
            if c is None:
                continue
            counts = {prose.number_word(n) for d in c.demands for n in (d.count, *(a.count for a in d.alternatives))}
            counts |= {prose.number_word(d.by.count) for d in c.demands if d.by is not None}
            for word in re.findall(r"\*\*([^*]+)\*\*", rest):
                if not re.fullmatch(r"\d+\.\d+", word):
                    assert word.lower() in counts, (u.id, ref, word)
                    checked += 1
    assert checked > 100


def test_the_generic_style_prints_the_guidance_too(tmp_path):
    from lxml import html as lhtml

    from tests.test_handbook import emit

    text = '''
document d "D" {
  body b "B"
  developed_by "Developed by:" {
    organisation "Org One"
  }
  guidelines rwe "RWE" {
    note "Guidelines:"
    a "be realistic"
  }
}
unit u "U" { credits 1 }
qualification q "Q" {
  aims "To teach."
  credit_certificate "A certificate per unit."
  rules { mandatory u }
}
'''
    spec = _compile(tmp_path, text)
    folder = emit(spec, tmp_path)
    page = " ".join(lhtml.fromstring((folder / "d.html").read_bytes()).text_content().split())
    for words in ("Developed by:", "Org One", "RWE", "Guidelines:", "be realistic", "To teach.", "A certificate per unit."):
        assert words in page, words


def test_remaining_without_a_figure_keeps_a_numeric_first_unit(tmp_path):
    """`remaining credits from 001, 002`: 001 is a unit, not the further
    credits (found by the CASE round trip, whose unit ids are numbers)."""
    from tests.conftest import compile_text

    unit = 'unit {u} "U{u}" {{\n  credits 2\n  glh 5\n  outcome 1 knowledge "O" {{\n    criterion 1.1 "state a thing"\n  }}\n}}\n'
    comp = compile_text(
        tmp_path,
        'document d "D" {\n  body b "B"\n}\n\nqualification q "Q" {\n  rules {\n    remaining credits from 001, 002\n  }\n}\n\n'
        + unit.format(u="001") + unit.format(u="002"),
    )
    (r,) = comp.spec.qualifications[0].rules
    assert r.credits is None and r.sources == ("001", "002") and not comp.errors
    comp = compile_text(tmp_path, comp.sources.text(comp.root).replace("remaining credits", "remaining 2 credits"), "b.specc")
    (r,) = comp.spec.qualifications[0].rules
    assert r.credits == 2 and r.sources == ("001", "002")
