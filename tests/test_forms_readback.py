"""Filled forms read back: forms filled programmatically (pypdf for PDF,
python-docx for DOCX), turned into a portfolio by ``specc portfolio
from-forms`` and checked by ``specc validate``: the same verdicts as a
portfolio typed by hand."""

from __future__ import annotations

import json

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from specc import cli
from specc.sink import OutputFolder
from specc_plugins import forms as forms_plugin
from tests.conftest import compile_text

SPEC = """
document demo "Demo customer service" { body cityandguilds "City & Guilds" version "1.0" published 2025-01 }
unit u1 "Greet customers" {
  number "101"
  credits 2
  evidence from workplace, rwe
  outcome 1 performance "Be able to greet customers" {
    criterion 1.1 "greet customers" {
      demand 2 "customers" different customers
    }
    criterion 1.2 "explain why greeting matters"
  }
}
qualification q1 "Demo award" { number "9999-01" rules { minimum 2 credits mandatory u1 } }
"""

FILL = {
    "candidate.name": "Alex Morgan",
    "candidate.registration": "REG00001",
    "candidate.registration_date": "02/09/2024",
    "centre.name": "Demo College",
    "centre.number": "123456",
    "assessor.name": "J. Smith",
    "uu1.c1_1.els.evidence_ref": "E1, E2",
    "uu1.c1_1.els.method": "observation",
    "uu1.c1_1.els.location": "Portfolio page 3",
    "uu1.c1_1.els.date": "12/09/2024",
    "uu1.c1_1.els.assessor": "JS",
    "uu1.c1_1.d1_1.evidence_ref": "E1",
    "uu1.c1_1.d1_1.customer": "Mrs Patel",
    "uu1.c1_1.d1_1.date": "12/09/2024",
    "uu1.c1_1.d1_1.assessor": "JS",
    "uu1.c1_1.d1_2.evidence_ref": "E2",
    "uu1.c1_1.d1_2.customer": "Mr Jones",
    "uu1.c1_1.d1_2.date": "14/09/2024",
    "uu1.c1_1.d1_2.assessor": "JS",
    "uu1.c1_2.els.evidence_ref": "E3",
    "uu1.c1_2.els.method": "oral_questioning",
    "uu1.c1_2.els.location": "Recording R1",
    "uu1.c1_2.els.date": "15/09/2024",
    "uu1.c1_2.els.assessor": "JS",
}
TICKS = ("uu1.source.workplace",)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readback")
    comp = compile_text(tmp, SPEC, "demo.specc")
    assert comp.ok, comp.diagnostics
    folder = OutputFolder(tmp / "out")
    sink = folder.begin("demo")
    forms_plugin.emit(comp.spec, sink, {"formats": "pdf,docx"})
    folder.commit(sink, "k", "h")
    index = json.loads((tmp / "out/demo/forms/index.json").read_text())
    paths = {f["id"]: {k: tmp / "out" / v for k, v in f["files"].items()} for f in index["forms"]}
    return tmp, paths


def fill_pdf(src, dest, values: dict, ticks=()) -> None:
    reader = pypdf.PdfReader(str(src))
    writer = pypdf.PdfWriter(clone_from=reader)
    fields = reader.get_fields()
    want = {k: v for k, v in values.items() if k in fields}
    want |= {k: next(s for s in fields[k]["/_States_"] if s != "/Off") for k in ticks if k in fields}
    for page in writer.pages:
        writer.update_page_form_field_values(page, want, auto_regenerate=False)
    writer.write(str(dest))


def fill_docx(src, dest, values: dict, ticks=()) -> None:
    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
    d = docx.Document(str(src))
    for sdt in d.element.body.iter(qn("w:sdt")):
        pr = sdt.find(qn("w:sdtPr"))
        name = pr.find(qn("w:tag")).get(qn("w:val"))
        if name in ticks:
            pr.find(f"{w14}checkbox").find(f"{w14}checked").set(f"{w14}val", "1")
        elif name in values:
            ts = list(sdt.iter(qn("w:t")))
            ts[0].text = values[name]
    d.save(str(dest))


def run(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_filled_forms_give_a_portfolio_that_validates(built, capsys, fmt):
    tmp, paths = built
    filler = fill_pdf if fmt == "pdf" else fill_docx
    filled = []
    for fid in ("candidate-and-centre-details", "unit-101"):
        dest = tmp / f"{fid}.filled.{fmt}"
        filler(paths[fid][fmt], dest, FILL, TICKS)
        filled.append(str(dest))
    out = tmp / f"portfolio-{fmt}.json"
    code, _, err = run(["portfolio", "from-forms", str(tmp / "demo.specc"), *filled, "-o", str(out)], capsys)
    assert code == 0, err
    p = json.loads(out.read_text())
    assert p["qualification"] == "q1" and p["learner"]["name"] == "Alex Morgan"
    assert p["registration"] == {"start": "2024-09-02", "number": "REG00001", "centre": "123456 Demo College"}
    e1 = p["units"]["u1"]["criteria"]["1.1"]["evidence"]
    assert {e["id"]: sorted(e["covers"]) for e in e1} == {"E1": ["d1_1"], "E2": ["d1_2"]}
    assert e1[0]["method"] == "observation" and e1[0]["environment"] == "workplace" and e1[0]["customer"] == "Mrs Patel"
    code, report, err = run(["validate", str(tmp / "demo.specc"), str(out)], capsys)
    assert code == 0, report + err
    # one customer fewer: the demand for two different customers is not met
    short = {k: v for k, v in FILL.items() if not k.startswith("uu1.c1_1.d1_2")}
    dest = tmp / f"short.{fmt}"
    filler(paths["unit-101"][fmt], dest, short, TICKS)
    out2 = tmp / f"short-{fmt}.json"
    assert run(["portfolio", "from-forms", str(tmp / "demo.specc"), filled[0], str(dest), "-o", str(out2)], capsys)[0] == 0
    code, report, _ = run(["validate", str(tmp / "demo.specc"), str(out2)], capsys)
    assert code == 1 and "d1_2" in report


def test_forms_of_two_candidates_are_refused(built, capsys):
    tmp, paths = built
    a, b = tmp / "a.pdf", tmp / "b.pdf"
    fill_pdf(paths["unit-101"]["pdf"], a, FILL, TICKS)
    fill_pdf(paths["candidate-and-centre-details"]["pdf"], b, FILL | {"candidate.name": "Sam Other"})
    code, _, err = run(["portfolio", "from-forms", str(tmp / "demo.specc"), str(a), str(b)], capsys)
    assert code == 2 and "not all of one candidate" in err


def test_not_a_form_is_a_usage_error(built, capsys):
    tmp, _ = built
    junk = tmp / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    code, _, err = run(["portfolio", "from-forms", str(tmp / "demo.specc"), str(junk)], capsys)
    assert code == 2 and "not a PDF or DOCX" in err and "Traceback" not in err
