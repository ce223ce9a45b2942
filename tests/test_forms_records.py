"""Evidence records where a unit has no evidence guide: they come from the
evidence methods the document names (NCFE's "main pieces of evidence for the
portfolio"), in the body's own words, each listing the criteria its method
may evidence.  Counts come from the seed (tests/seed_tables/ncfe.json and
the seed text), never from the specs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from specc import plugins
from tests.conftest import compile_text
from tests.test_fidelity import SEEDS
from tests.test_forms_layout import check

TABLES = Path(__file__).parent / "seed_tables"
NCFE = "ncfe_601_3972_9"


def seed_methods() -> list[str]:
    """The evidence NCFE's specification lists, one a line, as printed
    ("The main pieces of evidence for the portfolio could include ...")."""
    path = SEEDS / "ncfe-601-3972-9-specification.txt"
    if not path.is_file():
        pytest.skip("needs the NCFE seed")
    text = path.read_text(encoding="utf-8")
    block = text.split("The main pieces of evidence for the portfolio could include", 1)[1]
    block = block.split("\n", 1)[1].split("You will also find", 1)[0]
    return [line.strip().rstrip(".") for line in block.splitlines() if line.strip()]


def ncfe_forms(specs):
    spec = specs[NCFE]
    style = plugins.style_for(plugins.form_styles(), spec, None)
    return spec, style, list(style.render(spec, {}))


def ticked(fm, key: str) -> set[str]:
    """The criteria a record lists with a tick box (criterion refs)."""
    out = set()
    for f in fm.fields():
        m = re.fullmatch(rf"u[^.]+\.{key}\.c([0-9_]+)(\.met)?", f.name)
        if m and f.kind == "check":
            out.add(m.group(1).replace("_", "."))
    return out


def test_ncfe_records_come_from_the_specification_methods(specs):
    """Per unit: Assessor observation and witness testimony list the criteria
    of its "Be able to" outcomes (none: no such record), learner and peer
    reports, professional discussion and questioning every criterion; each
    titled with the specification's own words; no candidate statement (the
    LETL has the learner statement)."""
    seed = json.loads((TABLES / "ncfe.json").read_text(encoding="utf-8"))
    words = {w.lower() for w in seed_methods()}
    _spec, _style, forms = ncfe_forms(specs)
    records = {f.id: f for f in forms if f.group == "evidence-records"}
    assert not any(i.endswith("candidate-statement") for i in records)
    for uid, row in seed.items():
        doing = {n for n, t in row["outcome_titles"].items() if t.startswith("Be able to")}
        every = set(row["criteria_text"])
        performance = {ref for ref in every if ref.split(".")[0] in doing}
        want = {"observation-record": ("obs", performance), "witness-testimony": ("wt", performance), "learner-report": ("lr", every), "professional-discussion-record": ("pd", every), "questioning-record": ("qr", every)}
        for kind, (key, crits) in want.items():
            fm = records.get(f"unit-{uid}-{kind}")
            if not crits:
                assert fm is None, (uid, kind)
                continue
            assert fm is not None, (uid, kind)
            assert ticked(fm, key) == crits, (uid, kind)
            assert fm.title.lower() in words, fm.title
    assert len(records) == sum(3 + 2 * any(t.startswith("Be able to") for t in r["outcome_titles"].values()) for r in seed.values())


def test_ncfe_records_say_learner_and_are_complete_forms(specs):
    """The learner's words throughout (no "candidate" a person reads), the
    identity block, signature fields, a tooltip on every field."""
    from specc_plugins.forms import edition
    from specc_plugins.forms import render as r

    spec, style, forms = ncfe_forms(specs)
    for fm in (f for f in forms if f.group == "evidence-records" and f.id.startswith("unit-02-")):
        html = r.to_html(fm, spec.document.body.name, style.name, edition(spec.document))
        body = re.sub(r"(?s)<style>.*?</style>", "", html)
        seen = re.sub(r"<[^>]*>", " ", body) + " ".join(re.findall(r'(?:title|aria-label)="([^"]*)"', body))
        assert "Learner name" in seen and "andidate" not in seen, fm.id
        names = {f.name: f for f in fm.fields()}
        assert {"candidate.name", "candidate.registration", "centre.name", "centre.number", "assessor.name"} <= set(names)
        assert names["candidate.name"].label == "Learner name"
        assert any(f.kind == "signature" and f.name.endswith("assessor.signature") for f in names.values()), fm.id
        assert all(f.label and f.label != f.name for f in names.values())


def test_the_records_follow_the_spec_not_the_body(tmp_path):
    """A unit without an evidence guide gets the records of the methods its
    document names, whatever the body; a method it does not name, none."""
    comp = compile_text(
        tmp_path,
        """
document d "Demo" { body cityandguilds "City & Guilds" methods observation, oral_questioning }
unit u1 "Serve" {
  credits 1
  outcome 1 knowledge "Know the products" { criterion 1.1 "list the products" }
  outcome 2 performance "Be able to serve" { criterion 2.1 "greet" criterion 2.2 "serve" }
}
qualification q "Q" { rules { minimum 1 credits mandatory u1 } }
""",
    )
    assert comp.ok, comp.diagnostics
    spec = comp.spec
    forms = {f.id: f for f in plugins.style_for(plugins.form_styles(), spec, None).render(spec, {})}
    assert ticked(forms["unit-u1-observation-record"], "obs") == {"2.1", "2.2"}
    assert ticked(forms["unit-u1-questioning-record"], "qr") == {"1.1", "2.1", "2.2"}
    assert not any(i.endswith(("witness-testimony", "professional-discussion-record", "candidate-statement", "learner-report")) for i in forms)


def test_cfa_document_names_no_method_so_no_records(specs):
    """The CfA evidence requirements say what evidence must show, not how it
    is gathered: no assessment method, so its forms stay range checklists."""
    path = SEEDS / "cfa-customer-service-evidence-requirements.txt"
    if not path.is_file():
        pytest.skip("needs the CfA seed")
    text = path.read_text(encoding="utf-8").lower()
    for method in ("witness testimony", "professional discussion", "oral questioning", "observation of performance", "candidate statement"):
        assert method not in text
    spec = specs["cfa_cs"]
    forms = list(plugins.style_for(plugins.form_styles(), spec, None).render(spec, {}))
    assert forms and all(f.group == "requirements" for f in forms)


@pytest.mark.parametrize("kind", ["observation-record", "learner-report"])
def test_an_ncfe_record_keeps_the_print_rules(specs, kind):
    spec, style, forms = ncfe_forms(specs)
    fm = max((f for f in forms if f.id.endswith(kind)), key=lambda f: len(f.fields()))
    check(spec, fm, style.name)
