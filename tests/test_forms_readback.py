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


# ------------------------------------------------------------------ evidence records read back

NCFE_SPEC = """
document nd "Demo NCFE certificate" {
  body ncfe "NCFE"
  version "1.0"
  published 2025-01
  method observation "Assessor observation"
  method oral_questioning "record of oral and written questioning"
  methods observation, oral_questioning
}
unit u1 "Serve customers" {
  reference "A/000/0001"
  credits 2
  outcome 1 knowledge "Know how to serve customers" {
    criterion 1.1 "State how to greet a customer"
    criterion 1.2 "State why service matters"
  }
  outcome 2 performance "Be able to serve customers" {
    criterion 2.1 "Greet a customer"
    criterion 2.2 "Serve a customer"
  }
}
qualification q1 "Demo certificate" { number "600/0000/1" rules { minimum 2 credits mandatory u1 } }
"""

IDENTITY = {k: v for k, v in FILL.items() if k.startswith(("candidate.", "centre.", "assessor."))}
RECORDS = {
    "uu1.c2_1.els.evidence_ref": "OBS1",  # the LETL lists the observation under 2.1
    "uu1.c2_1.els.page": "p. 4",
    "uu1.c2_1.els.date": "12/09/2024",
    "uu1.obs.evidence_ref": "OBS1",
    "uu1.obs.date": "12/09/2024",
    "uu1.qr.evidence_ref": "Q1",
    "uu1.qr.date": "13/09/2024",
    "uu1.qr.mode": "oral",
}
RECORD_TICKS = ("uu1.source.workplace", "uu1.obs.c2_1", "uu1.obs.c2_2", "uu1.qr.c1_1.met", "uu1.qr.c1_2.met")
RECORD_FORMS = ("assessment-tracking-sheet-q1", "unit-u1-letl", "unit-u1-observation-record", "unit-u1-questioning-record")


@pytest.fixture(scope="module")
def ncfe_built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("records")
    comp = compile_text(tmp, NCFE_SPEC, "nd.specc")
    assert comp.ok, comp.diagnostics
    folder = OutputFolder(tmp / "out")
    sink = folder.begin("nd")
    forms_plugin.emit(comp.spec, sink, {"formats": "pdf,docx"})
    folder.commit(sink, "k", "h")
    index = json.loads((tmp / "out/nd/forms/index.json").read_text())
    return tmp, {f["id"]: {k: tmp / "out" / v for k, v in f["files"].items()} for f in index["forms"]}


def records_portfolio(ncfe_built, capsys, fmt, values, ticks, name):
    tmp, paths = ncfe_built
    filler = fill_pdf if fmt == "pdf" else fill_docx
    filled = []
    for fid in RECORD_FORMS:
        dest = tmp / f"{name}-{fid}.{fmt}"
        filler(paths[fid][fmt], dest, values, ticks)
        filled.append(str(dest))
    out = tmp / f"{name}-{fmt}.json"
    code, _, err = run(["portfolio", "from-forms", str(tmp / "nd.specc"), *filled, "-o", str(out)], capsys)
    assert code == 0 and "Traceback" not in err, err
    code, report, _ = run(["validate", str(tmp / "nd.specc"), str(out)], capsys)
    return json.loads(out.read_text()), err, code, report


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_filled_evidence_records_are_portfolio_evidence(ncfe_built, capsys, fmt):
    """An observation record and a questioning record, filled: each ticked
    criterion gets the record's evidence (its method, date, reference), the
    LETL's row for the same reference is the same item (not counted twice),
    and the portfolio validates; an unticked criterion is a finding."""
    values = IDENTITY | {"candidate.registration_date": "02/09/2024"} | RECORDS
    p, err, code, report = records_portfolio(ncfe_built, capsys, fmt, values, RECORD_TICKS, "all")
    crits = p["units"]["u1"]["criteria"]
    assert sorted(crits) == ["1.1", "1.2", "2.1", "2.2"]
    assert [len(c["evidence"]) for c in crits.values()] == [1, 1, 1, 1]
    obs = crits["2.1"]["evidence"][0]
    assert obs["method"] == "observation" and obs["date"] == "2024-09-12" and obs["reference"] == "OBS1" and obs["location"] == "p. 4"
    assert obs["environment"] == "workplace" and obs["assessor"] == "J. Smith"
    assert {c["evidence"][0]["id"] for c in crits.values()} == {"OBS1/2.1", "OBS1/2.2", "Q1/1.1", "Q1/1.2"}
    assert {crits[r]["evidence"][0]["method"] for r in ("1.1", "1.2")} == {"oral_questioning"}
    assert "warning" not in err
    assert code == 0, report
    # 2.2 not ticked: nothing evidences it, and validate says so
    p, _, code, report = records_portfolio(ncfe_built, capsys, fmt, values, tuple(t for t in RECORD_TICKS if t != "uu1.obs.c2_2"), "short")
    assert "2.2" not in p["units"]["u1"]["criteria"]
    assert code == 1 and "V301" in report and "criterion 2.2 of unit u1 has no evidence" in report, report


def test_a_record_that_disagrees_with_the_letl_is_reported(ncfe_built, capsys):
    """The same reference with another date on the LETL: one item (the
    record's date), and a warning naming both; a record with a reference but
    no tick evidences nothing and says so."""
    values = IDENTITY | {"candidate.registration_date": "02/09/2024"} | RECORDS | {"uu1.c2_1.els.date": "20/09/2024"}
    ticks = tuple(t for t in RECORD_TICKS if not t.startswith("uu1.qr."))
    p, err, _code, _report = records_portfolio(ncfe_built, capsys, "pdf", values, ticks, "conflict")
    ev = p["units"]["u1"]["criteria"]["2.1"]["evidence"]
    assert len(ev) == 1 and ev[0]["date"] == "2024-09-12"
    assert "OBS1" in err and "2024-09-20" in err and "2024-09-12" in err and "keeping the record's" in err
    assert "Q1" in err and "no criterion is ticked" in err


def test_evidence_guide_records_take_the_method_the_guide_names(specs):
    """C&G records (from the evidence guide): every criterion ticked on the
    observation record and the witness testimony is evidenced by the
    record's method as the guide names it for that criterion."""
    from specc_plugins.forms import common, readback

    spec = specs["cg4411"]
    u = spec.unit("101")
    values: dict = dict(IDENTITY)
    ticked = {}
    for key, ref in (("obs", "OBS9"), ("wt", "WT9")):
        kind = next(k for k in common.RECORD_KINDS if k.key == key)
        crits = common.record_criteria(spec, u, kind)
        assert crits
        values |= {f"u101.{key}.evidence_ref": ref, f"u101.{key}.date": "01/10/2024"}
        values |= {f"u101.{key}.{common.crit_key(c)}": True for c in crits}
        ticked[ref] = {c.ref: {m for row in u.evidence_guide if c.ref in row.criteria for m in row.methods} & set(kind.methods) for c in crits}
    p, _notes = readback.portfolio(spec, values, "4411-30")
    got = {(it["reference"], ref): it["method"] for ref, c in p["units"]["101"]["criteria"].items() for it in c["evidence"]}
    for rec, crits in ticked.items():
        for cref, allowed in crits.items():
            assert got[(rec, cref)] in allowed, (rec, cref, got.get((rec, cref)), allowed)


def test_one_reference_on_two_records_that_disagree_is_reported(tmp_path):
    """The same reference on the observation record and the questioning
    record, with different dates and methods: each record's criteria keep
    its own evidence, and a warning names both."""
    from specc_plugins.forms import readback

    comp = compile_text(tmp_path, NCFE_SPEC, "nd.specc")
    values = IDENTITY | {"uu1.source.workplace": True, "uu1.obs.evidence_ref": "E5", "uu1.obs.date": "12/09/2024", "uu1.obs.c2_1": True}
    values |= {"uu1.qr.evidence_ref": "E5", "uu1.qr.date": "13/09/2024", "uu1.qr.c1_1.met": True}
    p, notes = readback.portfolio(comp.spec, values)
    crits = p["units"]["u1"]["criteria"]
    assert [(e["id"], e["method"], e["date"]) for e in crits["2.1"]["evidence"]] == [("E5/2.1", "observation", "2024-09-12")]
    assert [(e["id"], e["method"], e["date"]) for e in crits["1.1"]["evidence"]] == [("E5/1.1", "oral_questioning", "2024-09-13")]
    told = [n for n in notes if "E5" in n]
    assert len(told) == 1 and "2024-09-12" in told[0] and "2024-09-13" in told[0] and "assessor observation" in told[0], notes
