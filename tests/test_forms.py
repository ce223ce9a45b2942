"""Recording forms: real PDFs (pypdf), real DOCX (python-docx), fields that
match the slots the spec demands."""

from __future__ import annotations

import io
import json
import re

import docx
import pypdf
import pytest

from specc_plugins import forms as forms_plugin
from specc import slots
from specc.sink import OutputFolder
from tests.conftest import compile_text

A4 = (595.28, 841.89)


@pytest.fixture(scope="session")
def built(specs, tmp_path_factory):
    """Every spec's forms, rendered once: {spec id: (out dir, index)}."""
    root = tmp_path_factory.mktemp("forms")
    folder = OutputFolder(root)
    out = {}
    for sid, spec in specs.items():
        sink = folder.begin(sid)
        forms_plugin.emit(spec, sink, {})
        folder.commit(sink, sid, "x")
        out[sid] = (root / sid, json.loads((root / sid / "forms" / "index.json").read_text()))
    return out


SAMPLE = {  # a few forms of every kind per body, for the default (fast) run
    "cg4411": ("candidate-and-centre-details", "expert-witness-status-list", "assessment-plan-review-and-feedback", "achievement-summary-4411-30", "unit-101", "unit-101-observation-record", "unit-101-witness-testimony", "unit-101-candidate-statement", "unit-101-professional-discussion-record", "unit-101-questioning-record"),
    "ncfe_601_3972_9": ("assessment-tracking-sheet-601-3972-9", "unit-09-letl", "unit-02-observation-record", "unit-10-learner-report", "unit-01-questioning-record"),
    "cfa_cs": ("range-checklist-deal_with_customers_face_to_face",),
}


@pytest.fixture(scope="session")
def sample(specs):
    """{spec id: [(form model, PDF bytes)]} for the SAMPLE forms."""
    from specc import plugins
    from specc_plugins.forms import render as r

    out = {}
    for sid, ids in SAMPLE.items():
        spec = specs[sid]
        style = plugins.style_for(plugins.form_styles(), spec, None)
        forms = {f.id: f for f in style.render(spec, {})}
        out[sid] = [(forms[i], r.to_pdf(r.to_html(forms[i], spec.document.body.name, style.name, forms_plugin.edition(spec.document)), forms[i])) for i in ids]
    return out


def terminal_fields(reader) -> dict:
    """Fully qualified name -> field dictionary of every terminal field."""
    return {k: v for k, v in (reader.get_fields() or {}).items() if "/FT" in v}


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def pdf(path):
    return pypdf.PdfReader(str(path))


def forms_of(built, sid):
    base, index = built[sid]
    return [(base.parent / f["files"]["pdf"], f) for f in index["forms"]]


@pytest.mark.slow
def test_every_form_is_a4_with_embedded_fonts(built):
    seen = 0
    for sid in built:
        for path, _f in forms_of(built, sid)[:6]:
            r = pdf(path)
            for page in r.pages:
                w, h = sorted((float(page.mediabox.width), float(page.mediabox.height)))
                assert (round(w, 1), round(h, 1)) == (round(A4[0], 1), round(A4[1], 1))
                fonts = page["/Resources"].get("/Font", {})
                for font in fonts.values():
                    font = font.get_object()
                    desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    desc = desc.get_object()
                    assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            seen += 1
    assert seen


@pytest.mark.slow
def test_pdf_fields_are_exactly_the_form_fields(built):
    for sid in built:
        for path, f in forms_of(built, sid):
            got = set(terminal_fields(pdf(path)))
            assert got == set(f["fields"]), path


def test_field_inventory(sample):
    """Every field: its full name is the model's dotted name, built as a
    hierarchy (no period inside a part), with the human tooltip; signature
    fields are signature fields; the PDF is tagged, with language and title."""
    kinds = {"text": "/Tx", "date": "/Tx", "area": "/Tx", "lines": "/Tx", "check": "/Btn", "signature": "/Sig", "choice": "/Ch"}
    for items in sample.values():
        for fm, data in items:
            reader = pypdf.PdfReader(io.BytesIO(data))
            fields = terminal_fields(reader)
            model = {f.name: f for f in fm.fields()}
            assert set(fields) == set(model), (fm.id, set(fields) ^ set(model))
            for name, fd in fields.items():
                assert "." not in fd["/T"], name
                assert fd["/TU"] == model[name].label and fd["/TU"] != name, name
                assert fd["/FT"] == kinds[model[name].kind], (name, fd["/FT"])
            for top in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
                assert "." not in top.get_object()["/T"]
            root = reader.trailer["/Root"]
            assert root["/Lang"] == "en-GB" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
            assert root["/ViewerPreferences"]["/DisplayDocTitle"]
            assert reader.metadata.title.startswith(fm.title)
    sigs = [n for items in sample.values() for fm, _ in items for n, f in ((f.name, f) for f in fm.fields()) if f.kind == "signature"]
    assert len(sigs) > 10


def test_identity_on_every_form_and_candidate_on_every_page(sample):
    """The identity block's fields on every form; the candidate name and
    registration number fields repeated in every page's header; the footer
    with the reference and "Page x of y"."""
    for items in sample.values():
        for fm, data in items:
            reader = pypdf.PdfReader(io.BytesIO(data))
            fields = terminal_fields(reader)
            assert {"candidate.name", "candidate.registration", "centre.name", "centre.number", "assessor.name"} <= set(fields), fm.id
            n = len(reader.pages)
            for i, page in enumerate(reader.pages):
                text = page.extract_text()
                assert f"Page {i + 1} of {n}" in text, (fm.id, i)
                assert "Registration number" in text and fm.reference.split(" ")[0] in text
                named = [a.get_object().get("/Parent", {}).get("/T") for a in page.get("/Annots", [])]
                parents = {a.get_object()["/Parent"].get_object().get("/T") for a in page.get("/Annots", []) if "/Parent" in a.get_object()}
                assert {"name", "registration"} <= parents | set(named), (fm.id, i)


@pytest.mark.slow
def test_unit_forms_have_every_criterion_and_one_slot_per_demanded_item(built, specs):
    for sid, spec in specs.items():
        by_id = {f["id"]: (p, f) for p, f in forms_of(built, sid)}
        for u in spec.units:
            if "." in u.id:
                continue
            match = [k for k in by_id if k.startswith(f"unit-{u.label}")]
            assert match, (sid, u.id)
            path, f = by_id[match[0]]
            text = squash("".join(page.extract_text() for page in pdf(path).pages))
            for c in u.criteria:
                assert squash(c.statement) in text, (u.id, c.ref)
            uk = "u" + re.sub(r"[^A-Za-z0-9_-]+", "_", u.id)
            slot_fields = {n for n in f["fields"] if re.match(rf"^{re.escape(uk)}\.c[\d_]+\.d\d+_\d+\.", n)}
            want = set()
            for c in u.criteria:
                ck = "c" + c.ref.replace(".", "_")
                for s in slots.criterion_slots(c):
                    subs = ["evidence_ref", "date", "assessor"] + (["customer"] if s.different == "customers" else []) + (["method"] if s.methods else [])
                    want |= {f"{uk}.{ck}.{s.id}.{x}" for x in subs}
            assert slot_fields == want, (u.id, sorted(slot_fields ^ want)[:5])


@pytest.mark.slow
def test_range_checklists_list_every_item(built, specs):
    for sid, spec in specs.items():
        for rs in spec.requirement_sets:
            if rs.origin != spec.document.id:
                continue
            path, f = next((p, f) for p, f in forms_of(built, sid) if f["id"] == f"range-checklist-{rs.id}")
            text = squash("".join(page.extract_text() for page in pdf(path).pages))
            for r in rs.requirements:
                for rg in r.ranges:
                    if rg.choose is not None:
                        assert squash("atleast") in text
                    for item in slots.range_slots(r, rg):
                        assert f"rs.{re.sub(r'[^A-Za-z0-9_-]+', '_', rs.id)}.{item.id}.evidence_ref" in f["fields"]
                        assert squash(item.label)[:40] in text


@pytest.mark.slow
def test_docx_holds_the_expected_tables(built, specs):
    for sid, spec in specs.items():
        for _path, f in forms_of(built, sid):
            if not f["id"].startswith("unit-"):
                continue
            base, _ = built[sid]
            d = docx.Document(str(base.parent / f["files"]["docx"]))
            headers = [t.rows[0].cells[1].text for t in d.tables if len(t.columns) > 2]
            assert any(h in ("Assessment criterion", "The learner can:") for h in headers)
            crit_rows = sum(len(t.rows) - 1 for t in d.tables if len(t.columns) > 2 and t.rows[0].cells[1].text in ("Assessment criterion", "The learner can:"))
            unit = next(u for u in spec.units if f["id"].startswith(f"unit-{u.label}"))
            assert crit_rows == len(unit.criteria)
            break


def test_outputs_are_byte_identical(tmp_path):
    comp = compile_text(tmp_path, SPEC)
    outs = []
    for i in range(2):
        folder = OutputFolder(tmp_path / f"o{i}")
        sink = folder.begin("x")
        forms_plugin.emit(comp.spec, sink, {"formats": "html,pdf,docx"})
        folder.commit(sink, "k", "h")
        outs.append({p.relative_to(tmp_path / f"o{i}"): p.read_bytes() for p in (tmp_path / f"o{i}").rglob("*") if p.is_file() and "manifest" not in p.name})
    assert outs[0] == outs[1]


SPEC = '''
document d "Demo <script>alert(1)</script>" { body demo "Demo & Co" }
unit u1 "Unit with <b>markup</b> & \\"quotes\\"" {
  credits 2
  glh 10
  outcome 1 performance "Be able to serve" {
    criterion 1.1 "serve <img src=x onerror=alert(1)> customers" {
      demand 2 "positive ways"
      demand 2 "negative ways"
      demand 3 "customers" different customers
    }
  }
}
qualification q "Q" { rules { minimum 2 credits mandatory u1 } }
'''


def test_spec_text_is_escaped_and_slots_are_labelled(tmp_path):
    comp = compile_text(tmp_path, SPEC)
    folder = OutputFolder(tmp_path / "o")
    sink = folder.begin("d")
    forms_plugin.emit(comp.spec, sink, {"formats": "html,pdf"})
    folder.commit(sink, "k", "h")
    html = (tmp_path / "o/d/forms/units/unit-u1.html").read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>markup</b>" not in html
    r = pdf(tmp_path / "o/d/forms/units/unit-u1.pdf")
    names = set(r.get_fields())
    assert {"uu1.c1_1.d1_1.evidence_ref", "uu1.c1_1.d1_2.evidence_ref", "uu1.c1_1.d2_2.date", "uu1.c1_1.d3_3.customer"} <= names
    text = "".join(p.extract_text() for p in r.pages)
    for label in ("Positive way 1", "Positive way 2", "Negative way 1", "Negative way 2", "Customer 3"):
        assert label in text


def test_readme_field_name_examples_exist(specs):
    from pathlib import Path

    from specc import plugins

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("Field names are\npredictable", 1)[1].split("```", 2)[1]
    names = [line.split()[0] for line in block.strip().splitlines()]
    fields = {f.name for spec in specs.values() for fm in plugins.style_for(plugins.form_styles(), spec, None).render(spec, {}) for f in fm.fields()}
    assert names and all(n in fields for n in names), [n for n in names if n not in fields]


FONT_PROBE = """
import hashlib, sys
from specc_plugins.forms import render as r
from specc_plugins.forms.model import Form, Para, Table, Column, Cell, Field
fm = Form("probe", "Probe form", (Para("Évidence — “quoted” £5 – 10"), Table((Column("A"), Column("B")), ((Cell("x"), Cell(field=Field("probe.ref", "text", "Reference"))),))))
sys.stdout.write(hashlib.sha256(r.to_pdf(r.to_html(fm, "Body", "generic"))).hexdigest())
"""


def test_pdf_embeds_the_shipped_font_whatever_fonts_the_machine_has(tmp_path):
    """The same PDF with the machine's fonts and with DejaVu only installed:
    the shipped Liberation Sans is embedded either way."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("needs DejaVu installed to stand in for a different machine")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    runs = []
    for extra in ({}, {"FONTCONFIG_FILE": str(conf)}):
        env = dict(os.environ, **extra)
        runs.append(subprocess.run([sys.executable, "-c", FONT_PROBE], env=env, capture_output=True, text=True, check=True).stdout)
    assert runs[0] == runs[1] and len(runs[0]) == 64
    from specc_plugins.forms import render as r
    from specc_plugins.forms.model import Form, Para

    reader = pypdf.PdfReader(io.BytesIO(r.to_pdf(r.to_html(Form("p", "P", (Para("x"),)), "B", "generic"))))
    names = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert names and all(n.split("+", 1)[1].startswith("Liberation-Sans") for n in names), names


def test_docx_has_the_pdf_shape(specs, sample):
    """DOCX: A4 as the PDF, house headings in the shipped font, a footer with
    real PAGE and NUMPAGES fields, every field a content control tagged with
    its name (check boxes as w14:checkbox), rows tall enough to write in,
    column grids that agree with the cells."""
    from docx.oxml.ns import qn

    from specc_plugins.forms import render as r

    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
    for sid, items in sample.items():
        spec = specs[sid]
        for fm, data in items:
            d = docx.Document(io.BytesIO(r.to_docx(fm, spec.document.body.name, forms_plugin.edition(spec.document))))
            sec = d.sections[0]
            page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
            assert (sec.page_width > sec.page_height) == (float(page.mediabox.width) > float(page.mediabox.height)) == fm.landscape
            assert round(min(sec.page_width, sec.page_height).mm) == 210 and round(max(sec.page_width, sec.page_height).mm) == 297
            footer = sec.footer._element
            instr = [e.text.strip() for e in footer.iter(qn("w:instrText"))]
            assert instr == ["PAGE", "NUMPAGES"], instr
            assert "Registration number" in sec.header.paragraphs[0].text
            for name in ("Heading 1", "Heading 2"):
                st = d.styles[name]
                assert st.font.name == "Liberation Sans" and str(st.font.color.rgb) == "000000"
            body = d.element.body
            tags = {}
            for sdt in body.iter(qn("w:sdt")):
                pr = sdt.find(qn("w:sdtPr"))
                tags[pr.find(qn("w:tag")).get(qn("w:val"))] = pr
            model = {f.name: f for f in fm.fields()}
            assert set(tags) == set(model), fm.id
            for name, pr in tags.items():
                assert (pr.find(f"{w14}checkbox") is not None) == (model[name].kind == "check"), name
            for t in d.tables:
                grid = [int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))]
                for row in t.rows:
                    widths = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in row._tr.findall(qn("w:tc"))]
                    assert all(abs(a - b) <= 2 for a, b in zip(widths, grid, strict=True)), (fm.id, widths, grid)
                    kinds = {model[s.find(qn("w:sdtPr")).find(qn("w:tag")).get(qn("w:val"))].kind for s in row._tr.iter(qn("w:sdt"))}
                    if kinds:
                        want = 60 if "area" in kinds else 8
                        assert row.height is not None and row.height.mm >= want, (fm.id, kinds, row.height)


def test_words_as_a_body_prints_them(sample, specs):
    """Singular slot labels with a number, none for one asked for; "Evidence
    required"; the unit's title and the NCFE group A rule printed once."""
    text = {fm.id: "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages) for items in sample.values() for fm, data in items}
    unit = text["unit-101"]
    assert "Evidence required:" in unit and "Demanded" not in unit
    assert "Customer service based job 1" in unit and "Customer service based jobs 1" not in unit
    title = specs["cg4411"].unit("101").title
    first = pypdf.PdfReader(io.BytesIO(dict((fm.id, d) for fm, d in sample["cg4411"])["unit-101"])).pages[0].extract_text()
    assert first.count(title) == 1
    rules = [line for line in text["assessment-tracking-sheet-601-3972-9"].splitlines() if line.startswith("–")]
    assert len(rules) == len(set(rules)) and sum("14 credits" in line for line in rules) == 1, rules
    assert slots.label("reasons", 1, 1) == "Reason" and slots.label("pieces of information", 2, 3) == "Piece of information 2"


def _first_page(elem, pages: dict):
    """The page a structure element begins on: the /Pg of its first element
    that has one, depth first."""
    import pikepdf

    if "/Pg" in elem:
        return pages[elem.Pg.objgen]
    kids = elem.get("/K")
    for k in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(k, pikepdf.Dictionary) and k.get("/Type") != pikepdf.Name.OBJR:
            found = _first_page(k, pages)
            if found is not None:
                return found
    return None


def test_every_widget_is_tagged(sample):
    """Every widget annotation on every page, the header copies included, has
    a /StructParent that the parent tree maps to a Form structure element
    whose /K holds the widget's object reference, and that element is in the
    structure tree (its /P chain reaches the StructTreeRoot through elements
    that list it among their kids)."""
    import pikepdf

    checked = 0
    for items in sample.values():
        for fm, data in items:
            with pikepdf.open(io.BytesIO(data)) as doc:
                tree = doc.Root.StructTreeRoot
                nums = tree.ParentTree.Nums
                parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
                for pno, page in enumerate(doc.pages):
                    for annot in page.obj.get("/Annots", []):
                        if annot.get("/Subtype") != pikepdf.Name.Widget:
                            continue
                        assert "/StructParent" in annot, (fm.id, pno)
                        elem = parents[int(annot.StructParent)]
                        assert elem.S == pikepdf.Name.Form, (fm.id, pno)
                        kids = elem.K if isinstance(elem.K, pikepdf.Array) else [elem.K]  # pdfpost writes a lone OBJR as /K itself
                        objrs = [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.OBJR]
                        assert [o.Obj.objgen for o in objrs] == [annot.objgen], (fm.id, pno)
                        assert objrs[0].Pg.objgen == page.obj.objgen
                        node = elem
                        while node.objgen != tree.objgen:
                            up = node.P
                            kids = up.K if isinstance(up.K, pikepdf.Array) else [up.K]
                            assert any(isinstance(k, pikepdf.Dictionary) and k.objgen == node.objgen for k in kids), (fm.id, pno)
                            node = up
                        checked += 1
                assert int(tree.get("/ParentTreeNextKey", -1)) > max(parents), fm.id
                # each page's header fields are read first on their page
                document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
                pages = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
                starts = [_first_page(k, pages) for k in document.K]
                for pno in range(len(doc.pages)):
                    heads = [i for i, k in enumerate(document.K) if str(k.get("/T", "")) == f"Running header, page {pno + 1}"]
                    assert heads == [starts.index(pno)], (fm.id, pno, heads)
    assert checked > 100


def test_pdf_speedups_change_no_byte(sample, specs, monkeypatch):
    """``render.layout`` lays forms out with a lighter user-agent stylesheet
    and the forms' stylesheet parsed once per process; the PDFs are byte for
    byte those of stock WeasyPrint given the page with its own ``<style>``,
    for forms with lists, choices, check boxes and signatures."""
    import weasyprint

    from specc import plugins
    from specc_plugins.forms import render as r

    # the pinned WeasyPrint's stylesheet has the rules the lighter one drops
    assert r.html_class() is not weasyprint.HTML
    picked = {}
    for sid, pairs in sample.items():
        spec = specs[sid]
        style = plugins.style_for(plugins.form_styles(), spec, None).name
        for fm, pdf in pairs:
            html = r.to_html(fm, spec.document.body.name, style, forms_plugin.edition(spec.document))
            assert r._style_block() in html
            for mark in ("<li>", "<select", 'type="checkbox"', 'class="input signature"'):
                if mark in html:
                    picked.setdefault(mark, (fm.id, html, fm, pdf))
    assert len(picked) == 4, sorted(picked)
    monkeypatch.setattr(r, "html_class", lambda: weasyprint.HTML)
    monkeypatch.setattr(r, "_style_block", lambda: "<not in any page>")
    for _, html, fm, pdf in {v[0]: v for v in picked.values()}.values():
        assert r.to_pdf(html, fm) == pdf, fm.id
