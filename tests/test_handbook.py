"""Handbook sections: real docutils (warnings are errors), the rendered HTML
parsed with lxml, ODT opened as the zip it is."""

from __future__ import annotations

import io
import re
import zipfile

import docutils.core
import pytest
from lxml import html as lhtml

from specc_plugins import handbook as hb
from specc_plugins.handbook import rst
from specc import prose
from specc.sink import OutputFolder
from tests.conftest import compile_text


def emit(spec, tmp_path, options=None, name="x"):
    folder = OutputFolder(tmp_path / "out")
    sink = folder.begin(name)
    hb.emit(spec, sink, options or {})
    folder.commit(sink, name, "x")
    return tmp_path / "out" / name / "handbook"


@pytest.fixture(scope="session")
def built(specs, tmp_path_factory):
    """Every spec's handbook, rendered once: {spec id: (folder, lxml tree)}."""
    out = {}
    for sid, spec in specs.items():
        folder = emit(spec, tmp_path_factory.mktemp(sid), {"handbook_formats": "rst,html,odt"}, name=sid)
        tree = lhtml.fromstring((folder / f"{sid}.html").read_bytes())
        out[sid] = (folder, tree)
    return out


def squash(s: str) -> str:
    return " ".join(s.split())


def section_of(tree, target: str):
    """The <section> that an explicit target (``unit-001``) names."""
    found = tree.xpath(f'//section[@id="{target}" or .//span[@id="{target}"][not(ancestor::section[2][@id="{target}"])]]')
    # innermost section carrying the id on itself or as its own first span
    for sec in found:
        if sec.get("id") == target or (sec.xpath("./span/@id") and target in sec.xpath("./span/@id")):
            return sec
    raise AssertionError(f"no section for {target}")


def by_body(specs, body):
    return next(s for s in specs.values() if s.document.body.id == body)


# --------------------------------------------------------------------------- every criterion, quantity and range item


@pytest.mark.parametrize("body", ["cityandguilds", "ncfe"])
def test_every_criterion_and_demanded_quantity_is_in_its_unit(specs, built, body):
    spec = by_body(specs, body)
    _, tree = built[spec.document.id]
    units = [u for u in spec.units if "." not in u.id]
    assert units
    for u in units:
        sec = section_of(tree, rst.unit_target(u))
        text = squash(sec.text_content())
        assert u.title in text
        strong = [squash(s.text_content()) for s in sec.iter("strong")]
        items = [squash(li.text_content()) for li in sec.xpath(".//ol/li")]
        for o in u.outcomes:
            assert squash(o.listed or o.statement) in items, (u.id, o.number)  # the list prints its own title (`listed`)
        for c in u.criteria:
            # the criterion's own paragraph, by its cross-reference id
            cid = rst.criterion_target(u, c.ref).replace(".", "-")
            para = sec.xpath(f'.//*[@id="{cid}"]')
            assert para, (u.id, c.ref)
            assert squash(para[0].text_content()) == f"{c.ref} {squash(c.statement)}"
            for d in c.demands:
                # bold in the explanation, or in the "Evidence demanded" line
                # that names it when the explanation does not state it in words
                assert prose.number_word(d.count) in strong, (u.id, c.ref, d)


def test_every_range_item_is_in_its_requirement_set(specs, built):
    spec = by_body(specs, "cfa")
    _, tree = built[spec.document.id]
    assert spec.requirement_sets
    n = 0
    for rs in spec.requirement_sets:
        sec = section_of(tree, rst.target_name("requirements", rs.id).lower().replace("_", "-").replace(".", "-"))
        items = [squash(li.text_content()) for li in sec.xpath('.//ul[contains(@class, "range")]/li')]
        for r in rs.requirements:
            for rg in r.ranges:
                for it in rg.items:
                    assert f"{it.letter}. {squash(it.text.plain)}" in items, (rs.id, r.number, it.letter)
                    n += 1
                lead = squash(sec.text_content())
                if rg.choose is not None:
                    verb = "is" if rg.choose == 1 else "are"
                    assert f"At least {prose.number_word(rg.choose)} of these {prose.number_word(len(rg.items))} {verb} required" in lead
    assert n > 200


def test_units_assessed_under_requirements_show_them(specs, built):
    spec = by_body(specs, "ncfe")
    _, tree = built[spec.document.id]
    linked = [u for u in spec.units if u.assessed_under]
    assert linked
    for u in linked:
        sec = section_of(tree, rst.unit_target(u))
        text = squash(sec.text_content())
        for rid in u.assessed_under:
            rs = spec.requirement_set(rid)
            assert rs.title in text
            for r in rs.requirements:
                for rg in r.ranges:
                    for it in rg.items:
                        assert squash(it.text.plain) in text


def test_quantities_are_bold_but_references_are_not(built):
    for sid, (folder, tree) in built.items():
        source = (folder / f"{sid}.rst").read_text(encoding="utf-8")
        assert not re.search(r"\*\*\d+\*\*[.,]\d", source), sid
        assert "**" not in tree.text_content(), sid  # markup the style meant is never printed as text
    assert rst.quantities(rst.escape("For 3.2 use three, or 3 of 3.1; 2,000 and two."), [3, 2]) == "For 3.2 use **three**, or **3** of 3.1; 2,000 and **two**."


def test_reuse_links_are_cross_references(specs, built):
    spec = by_body(specs, "cityandguilds")
    _, tree = built[spec.document.id]
    ids = set(tree.xpath("//@id"))
    links = 0
    for u in spec.units:
        for c in u.criteria:
            for r in c.reuse:
                other = spec.unit(r.unit) if r.unit else u
                for ref in r.criteria:
                    if other is None or other.criterion(ref) is None:
                        continue
                    target = rst.criterion_target(other, ref).replace(".", "-")
                    assert target in ids
                    assert tree.xpath(f'//a[@href="#{target}"]'), (u.id, c.ref, target)
                    links += 1
    assert links > 10


def test_evidence_guide_says_each_reuse_link_once_and_links_it(specs, built):
    """Unit 106's row prints its reuse links in its published words; no
    generated sentence repeats them, and the words link to the criteria."""
    spec = by_body(specs, "cityandguilds")
    _, tree = built[spec.document.id]
    checked = 0
    for u in spec.units:
        if not u.evidence_guide:
            continue
        sec = section_of(tree, rst.unit_target(u))
        table = sec.xpath('.//table[.//th[normalize-space()="Possible forms of evidence"]]')[-1]
        for row, tr in zip(u.evidence_guide, table.xpath("./tbody/tr"), strict=True):
            cell = tr.xpath("./td")[1]
            paras = [squash(p.text_content()) for p in cell.xpath(".//p")]
            assert len(paras) == len(set(paras)), (u.id, row.criteria)
            hrefs = set(cell.xpath(".//a/@href"))
            for r in row.reuse:
                other = spec.unit(r.unit) if r.unit else u
                for ref in r.criteria:
                    if other is not None and other.criterion(ref) is not None:
                        assert "#" + rst.criterion_target(other, ref).replace(".", "-") in hrefs, (u.id, r)
                        checked += 1
                said = r.note is not None and any(squash(r.note.plain) in p for p in paras)
                generated = [p for p in paras if p.startswith(rst_lead_of(r))]
                assert not (said and generated), (u.id, generated)
    assert checked >= 6  # unit 106's row alone names six criteria of units 103, 107 and 110


def rst_lead_of(r) -> str:
    from specc_plugins.handbook import common

    return squash(common.row_reuse_lead(r))


def test_cityandguilds_structure_prose_and_unit_table(specs, built):
    spec = by_body(specs, "cityandguilds")
    _, tree = built[spec.document.id]
    text = squash(tree.text_content())
    for q in spec.qualifications:
        assert f"To achieve the {q.structure_title or q.title}" in text
        for sentence in prose.rules(spec, q):
            assert squash(sentence) in text
    tables = [t for t in tree.iter("table") if "Unit accreditation number" in t.text_content()]
    assert len(tables) == 1
    rows = tables[0].xpath(".//tbody/tr")
    assert len(rows) == len([u for u in spec.units])
    for q in spec.qualifications:
        assert q.number in squash(tables[0].xpath(".//thead")[0].text_content())


def test_section_files_stand_alone(specs, built):
    spec = by_body(specs, "cityandguilds")
    folder, _ = built[spec.document.id]
    files = sorted(p.name for p in (folder / "sections").glob("*.html"))
    assert files == sorted(f"unit-{u.label}.html" for u in spec.units)
    page = lhtml.fromstring((folder / "sections" / "unit-104.html").read_bytes())
    assert "Unit 104" in page.findtext(".//title")
    # links to other units point into the whole handbook
    hrefs = page.xpath("//a/@href")
    assert any(h.startswith(f"../{spec.document.id}.html#unit-1") for h in hrefs)


def test_a_sections_cache_key_says_what_its_dom_says(specs):
    """The key a unit section's file is kept by (``doctree_xml``) holds what
    docutils' DOM of the section holds: the same canonical XML, for every
    section of every spec and for text that looks like markup."""
    from xml.etree import ElementTree as ET

    tricky = 'Book\n====\n\nIntro\n-----\n\n.. class:: unit\n\n.. _unit-1:\n\nUnit 1 <b>&amp; "q" \'a\'\n-------------------------\n\nText \\*starred\\* <i> & ``lit <x>`` [1]_\n\n.. [1] A "note" & <tag>.\n'
    docs = []
    for spec in specs.values():
        _, source = hb.rst_for(spec, {})
        docs.append((docutils.core.publish_doctree(source, settings_overrides=hb._settings(io.StringIO(), **hb._HTML)), hb.section_names(spec)))
    docs.append((docutils.core.publish_doctree(tricky, settings_overrides=hb._settings(io.StringIO())), {}))
    seen = 0
    for doc, names in docs:
        for _, part in hb.section_parts(doc, "x.html", names):
            # (docutils keeps a backslash-escape as a NUL in its text: kept in the key, not XML)
            mine, dom = (x.replace("\x00", "\\0") for x in (hb.doctree_xml(part), part.asdom().toxml()))
            assert ET.canonicalize(mine) == ET.canonicalize(dom)
            seen += 1
    assert seen > len(docs)
    # a changed word, or a changed attribute, changes the key
    part = next(p for _, p in hb.section_parts(docs[-1][0], "x.html"))
    before = hb.doctree_xml(part)
    part.next_node(docutils.nodes.paragraph)[0] = docutils.nodes.Text("Text *starred*")
    assert hb.doctree_xml(part) != before
    before = hb.doctree_xml(part)
    part.next_node(docutils.nodes.section)["classes"].append("other")
    assert hb.doctree_xml(part) != before


def test_odt_is_a_real_opendocument(specs, built):
    spec = by_body(specs, "cfa")
    folder, _ = built[spec.document.id]
    z = zipfile.ZipFile(folder / f"{spec.document.id}.odt")
    assert z.namelist()[0] == "mimetype" and z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    content = z.read("content.xml").decode("utf-8")
    assert "Recognise diversity when delivering customer service" in content


def test_byte_identical(specs, tmp_path):
    spec = by_body(specs, "ncfe")
    a = emit(spec, tmp_path / "a", {"handbook_formats": "rst,html,odt"})
    b = emit(spec, tmp_path / "b", {"handbook_formats": "rst,html,odt"})
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) > 10
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


# --------------------------------------------------------------------------- escaping

NASTY = [
    "*not emphasis* and **not strong**",
    "`not code` and ``not literal``",
    ".. danger:: not a directive",
    "|not a substitution| here",
    "not_a_reference_ and [1]_",
    "- not a bullet",
    "1. not an enumerated list",
    "a) nor this",
    ":field: not a field",
    "ends with a literal marker::",
    "back\\\\slash and <script>alert(1)</script>",
    "#. auto-enumerator",
    "====",
]


def nasty_spec(tmp_path, body: str):
    def s(x):
        return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'

    crits = "\n".join(f"    criterion 1.{i} {s(t)}" for i, t in enumerate(NASTY, 1))
    items = "\n".join(f"        {chr(97 + i)} {s(t)}" for i, t in enumerate(NASTY))
    explained = "\n".join("        " + t.replace("\\\\", "\\") for t in ["*stars* and `ticks`", "", "  .. indented directive::", "", "- a real bullet with |pipes|"])
    src = f'''
document d {s("Title with *stars* and `ticks`")} {{
  body {body} "Body"
}}
group g "Group *one*" {{ u1 }}
qualification q1 {s("Qualification | pipes")} {{
  number "Q_1_"
  credits 1
  rules {{
    minimum 1 credits
    mandatory u1
  }}
}}
unit u1 {s("Unit _title_ with `code`")} {{
  credits 1
  glh 1
  aim {s(NASTY[2])}
  outcome 1 knowledge {s(NASTY[5])} {{
{crits}
    criterion 1.99 "explain two things" {{
      explained """
{explained}
      """
      demand 2 "things"
    }}
  }}
  evidence guide {{
    row 1.1 {{
      note {s(NASTY[3])}
    }}
  }}
}}
requirements rs1 {s(NASTY[0])} {{
  requirement 1 {s(NASTY[6])} {{
    all {{
{items}
    }}
  }}
}}
'''
    comp = compile_text(tmp_path, src)
    assert comp.spec is not None, [str(d) for d in comp.diagnostics]
    return comp.spec


@pytest.mark.parametrize("style", ["cityandguilds", "ncfe", "cfa", None])
def test_spec_text_is_never_markup(tmp_path, style):
    spec = nasty_spec(tmp_path, "somebody")
    source = hb.rst_for(spec, {"style": style} if style else {})[1]
    # real docutils, halt at warnings: the generated RST is clean
    page, _ = hb.to_html(source)
    tree = lhtml.fromstring(bytes(page))
    text = squash(tree.text_content())
    if style != "cfa":
        for t in NASTY:
            assert squash(t) in text, t
    else:
        for t in NASTY:
            assert f"{squash(t)}" in text or f". {squash(t)}" in text, t
    # nothing in the text became markup
    assert not tree.xpath("//em | //code | //script | //aside | //*[contains(@class, 'admonition')]")
    for el in tree.xpath("//strong"):
        assert el.text_content().strip() in {"two", "one", "Progression", "The learner will:", "The learner can:", "Evidence demanded:", "1.99"} or el.text_content().startswith(("Both", "All", "At least", "The following")) or re.fullmatch(r"\d+\.\d+", el.text_content()), el.text_content()


def test_escape_round_trips_through_docutils():
    for t in NASTY + ["", "plain", "trailing backslash \\", "_lead", "  spaced   out  "]:
        doc = docutils.core.publish_doctree(str(rst.escape(t)) or "x", settings_overrides={"halt_level": 2, "report_level": 2, "_disable_config": True})
        want = squash(t) or "x"
        assert squash(doc.astext()) == want, (t, doc.astext())


def test_docutils_warning_fails_the_emitter(tmp_path, monkeypatch):
    spec = nasty_spec(tmp_path, "somebody")
    monkeypatch.setattr(hb, "rst_for", lambda spec, options: ("broken", "Title\n===\n\n`unclosed\n"))
    with pytest.raises(hb.DocutilsWarning):
        emit(spec, tmp_path)
    assert not (tmp_path / "out" / "x").exists()


def test_unknown_style_is_refused(specs, tmp_path):
    with pytest.raises(ValueError, match="no handbook style named 'nope'"):
        hb.rst_for(by_body(specs, "cfa"), {"style": "nope"})


def test_style_override(specs):
    spec = by_body(specs, "cityandguilds")
    name, source = hb.rst_for(spec, {"style": "ncfe"})
    assert name == "ncfe" and "The learner will:" in source and "learning outcomes to this unit" not in source
    assert hb.rst_for(spec, {})[0] == "cityandguilds"


def test_odt_normalised(tmp_path):
    raw, _ = hb.to_odt("Title\n=====\n\nText.\n")
    z = zipfile.ZipFile(io.BytesIO(raw))
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert b"2000-01-01T00:00:00" in z.read("meta.xml")


def test_qualification_facts_read_as_words(specs, built):
    spec = by_body(specs, "ncfe")
    _, tree = built[spec.document.id]
    facts = {squash(dt.text_content()).rstrip(":"): squash(dd.text_content()) for dt, dd in zip(tree.xpath("//dl/dt"), tree.xpath("//dl/dd"), strict=False)}
    q = spec.qualifications[0]
    assert facts["Grading"] == "Pass only (no grades are awarded)"
    assert facts["Guided learning hours (GLH)"] == str(q.glh) and facts["Total qualification time (TQT)"] == str(q.tqt)
    assert "exceptional circumstances" in facts["Evidence"]
