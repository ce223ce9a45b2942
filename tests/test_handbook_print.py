"""The handbook on paper: the PDF WeasyPrint lays out and the PDF a browser
(headless Chromium) prints from the same HTML, both read back page by page
(pdfplumber, pypdf) and checked against the print rules; the ODT opened as
the zip it is.

The default run lays out a small fixture spec (tests/fixtures/handbook);
every real spec in every house style is laid out under the ``slow`` marker.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from lxml import html as lhtml

from specc.compiler import compile_file
from specc.sink import OutputFolder
from specc_plugins import handbook as hb
from specc_plugins.handbook import links, pdf, rst
from tests import handbook_layout as layout

FIXTURE = Path(__file__).parent / "fixtures" / "handbook" / "small.specc"
STYLES = ["cityandguilds", "ncfe", "cfa", "generic"]
ALL = "rst,html,odt,pdf"


def emit(spec, folder: Path, options: dict | None = None) -> Path:
    out = OutputFolder(folder)
    sink = out.begin(spec.document.id)
    hb.emit(spec, sink, options or {})
    out.commit(sink, spec.document.id, "x")
    return folder / spec.document.id / "handbook"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    comp = compile_file(FIXTURE)
    assert comp.spec is not None, [str(d) for d in comp.diagnostics]
    return comp.spec


@pytest.fixture(scope="module")
def small_out(small, tmp_path_factory):
    folder = emit(small, tmp_path_factory.mktemp("small"), {"handbook_formats": ALL})
    return folder, folder / f"{small.document.id}.pdf"


@pytest.fixture(scope="module")
def small_pages(small_out):
    return layout.read(small_out[1])


def squash(s: str) -> str:
    return " ".join(s.split())


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark, in order."""
    out = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                out.append((level, it.title, reader.get_destination_page_number(it) + 1))

    walk(reader.outline, 1)
    return out


def heading_page(pages: list[layout.Page], title: str, start: int = 2) -> int | None:
    """The first page from ``start`` on (not the cover) on which a heading
    starting like ``title`` is printed."""
    want = squash(title)[:40]
    for p in pages[start - 1 :]:
        for line in p.body:
            if line.heading and (want.startswith(line.text[:40]) or line.text.startswith(want)):
                return p.number
    return None


def chapter_titles(page_html: bytes) -> list[str]:
    """The level-1 headings (chapters and units) of the handbook HTML."""
    tree = lhtml.fromstring(page_html)
    return [squash(h.text_content()) for h in tree.xpath("//main/section/h2")]


def link_targets(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """(page, destination name) of every internal link annotation."""
    out = []
    for i, page in enumerate(reader.pages, 1):
        for a in page.get("/Annots") or []:
            a = a.get_object()
            if a.get("/Subtype") == "/Link" and "/Dest" in a:
                out.append((i, str(a["/Dest"]).lstrip("/")))
    return out


def check_layout(pdf_path: Path | list, title: str) -> list[layout.Page]:
    pages = pdf_path if isinstance(pdf_path, list) else layout.read(pdf_path)
    assert pages
    assert layout.problems(pages, title) == []
    return pages


# --------------------------------------------------------------------------- the small spec, every run


def test_pdf_keeps_the_print_rules(small, small_pages):
    pages = check_layout(small_pages, small.document.title)
    # the checks can fail: a heading left at a page's foot is found
    broken = [*pages[:3], layout.Page(4, pages[3].width, pages[3].height, pages[3].header, (*pages[3].body, layout.Line("Outcome 9", 700, 712, 12, True)), pages[3].footer), *pages[4:]]
    assert any("ends with a heading" in p for p in layout.problems(broken, small.document.title))
    # the structure chapter has landscape pages; the rest are A4 portrait
    sizes = {(round(p.width), round(p.height)) for p in pages}
    assert sizes == {(595, 842), (842, 595)}
    structure = heading_page(pages, "Structure")
    assert pages[structure - 1].width > pages[structure - 1].height


def check_glossary_header_repeats(pages: list[layout.Page]) -> None:
    start = heading_page(pages, "Glossary of terms")
    end = heading_page(pages, "Version history")
    assert end - start >= 2  # the fixture's glossary table runs over pages
    for page in pages[start - 1 : end - 1]:
        heads = [line.text for line in page.body[:3]]
        assert "Term Definition" in heads, (page.number, heads)


def test_table_header_rows_repeat_on_every_page(small_pages):
    check_glossary_header_repeats(small_pages)


def test_browser_prints_the_same_rules(small, small_out, tmp_path):
    if not (shutil.which("chromium") or Path(layout.CHROMIUM).exists()):
        pytest.skip("Debian's chromium is not installed")
    folder, _ = small_out
    printed = layout.browser_print(folder / f"{small.document.id}.html", tmp_path / "browser.pdf")
    pages = check_layout(printed, small.document.title)
    assert any(p.width > p.height for p in pages)  # the landscape structure pages
    check_glossary_header_repeats(pages)
    text = squash(" ".join(p.text for p in pages))
    for u in small.units:
        for c in u.criteria:
            assert f"{c.ref} {squash(c.statement)}" in text


def test_requirements_keep_their_published_numbers(small, tmp_path):
    folder = emit(small, tmp_path, {"handbook_formats": "pdf"})  # the set, inside the unit assessed under it
    text = squash(" ".join(p.text for p in layout.read(folder / f"{small.document.id}.pdf")))
    for rs in small.requirement_sets:
        for r in rs.requirements:
            assert f"{r.number}. {squash(r.text.plain)}" in text
            for rg in r.ranges:
                for it in rg.items:
                    assert f"{it.letter}. {squash(it.text.plain)}" in text


def test_cover_has_title_numbers_version_and_date(small, small_out, small_pages):
    _, path = small_out
    cover = small_pages[0]
    text = squash(cover.text)
    assert cover.body[0].heading and squash(small.document.title).startswith(cover.body[0].text)
    for q in small.qualifications:
        assert f"{q.number} ({q.reference})" in text
    assert "Version: 2.0" in text and "Published: August 2025" in text
    assert not cover.header and not cover.footer


def test_contents_give_the_page_of_each_chapter_and_unit(small, small_out, small_pages):
    folder, path = small_out
    pages = small_pages
    contents = pages[1]
    assert contents.body[0].text == "Contents"
    titles = chapter_titles((folder / f"{small.document.id}.html").read_bytes())
    assert "Unit 001 Procedures in customer service" in titles and "Assessment" in titles
    entries = {}
    for line in contents.body[1:]:
        m = re.fullmatch(r"(.+?)\.{3,}\s*(\d+)", line.text)
        assert m, line.text
        entries[m.group(1).strip()] = int(m.group(2))
    assert list(entries) == titles
    for title, number in entries.items():
        assert heading_page(pages, title) == number, title


def test_bookmarks_by_chapter_unit_and_outcome(small, small_out, small_pages):
    folder, path = small_out
    reader = pypdf.PdfReader(path)
    marks = outline(reader)
    pages = small_pages
    top = [t for level, t, _ in marks if level == 1]
    assert top == ["Contents", *chapter_titles((folder / f"{small.document.id}.html").read_bytes())]
    at = 2
    for _, title, page in marks:
        if title != "Contents":
            assert heading_page(pages, title, at) == page, title
            at = page
    unit = small.unit("001")
    i = next(i for i, (_, t, _) in enumerate(marks) if t.startswith("Unit 001"))
    children = [t for level, t, _ in marks[i + 1 :][: len(unit.outcomes) + 2] if level == 2]
    for o in unit.outcomes:
        assert f"Outcome {o.number} {o.statement}" in children


def test_cross_references_are_working_links(small, small_out, small_pages):
    _, path = small_out
    reader = pypdf.PdfReader(path)
    pages = small_pages
    named = {k: reader.get_destination_page_number(v) + 1 for k, v in reader.named_destinations.items()}
    found = link_targets(reader)
    assert found and all(dest in named for _, dest in found)
    dests = {dest for _, dest in found}
    # a reuse link, "refer to unit 001" and "see the glossary"
    assert {"unit-001-criterion-1-2", "unit-001", "unit-002-criterion-1-1", "glossary-of-terms"} <= dests
    assert "1.2 describe procedure 1.2" in pages[named["unit-001-criterion-1-2"] - 1].text
    assert heading_page(pages, "Glossary of terms") == named["glossary-of-terms"]


def test_every_criterion_and_outcome_is_printed(small, small_out, small_pages):
    _, path = small_out
    text = squash(" ".join(p.text for p in small_pages))
    for u in small.units:
        for o in u.outcomes:
            assert squash(o.statement) in text
        for c in u.criteria:
            assert f"{c.ref} {squash(c.statement)}" in text


def test_pdf_is_tagged_in_the_house_font_and_reproducible(small, small_out, tmp_path):
    _, path = small_out
    reader = pypdf.PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"]
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in desc.get_object()  # embedded
            fonts.add(str(f["/BaseFont"]).split("+")[-1])
    assert fonts and all(f.startswith("Liberation-Sans") for f in fonts), fonts
    again = emit(small, tmp_path, {"handbook_formats": "pdf"})
    assert (again / path.name).read_bytes() == path.read_bytes()


def odt_page_and_tables(odt: Path) -> tuple[dict, list[float], set[str]]:
    """The page layout's properties, each table's width in mm, and the font
    faces declared, read from the ODT."""
    ns = {
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    }
    z = zipfile.ZipFile(odt)
    styles = etree.fromstring(z.read("styles.xml"))
    content = etree.fromstring(z.read("content.xml"))
    props = styles.find(".//style:page-layout-properties", ns)
    page = {k.split("}")[1]: v for k, v in props.attrib.items()}

    def mm(v: str) -> float:
        n, unit = float(re.match(r"[\d.]+", v).group(0)), re.search(r"[a-z]+$", v).group(0)
        return n * {"in": 25.4, "cm": 10, "mm": 1, "pt": 25.4 / 72}[unit]

    column = {s.get(f"{{{ns['style']}}}name"): mm(s.find("style:table-column-properties", ns).get(f"{{{ns['style']}}}column-width"))
              for s in content.iter(f"{{{ns['style']}}}style") if s.find("style:table-column-properties", ns) is not None}
    widths = []
    for t in content.iter(f"{{{ns['table']}}}table"):
        widths.append(sum(column[c.get(f"{{{ns['table']}}}style-name")] for c in t.findall("table:table-column", ns)))
    faces = {f.get(f"{{{ns['style']}}}name") for f in styles.iter(f"{{{ns['style']}}}font-face")}
    page = {k: mm(v) if k.startswith(("page-", "margin-")) else v for k, v in page.items()}
    return page, widths, faces


def check_odt(odt: Path) -> None:
    page, widths, faces = odt_page_and_tables(odt)
    assert round(page["page-width"]) == 210 and round(page["page-height"]) == 297
    text_width = page["page-width"] - page["margin-left"] - page["margin-right"]
    assert round(text_width) == 170
    assert all(w <= text_width + 0.01 for w in widths), (max(widths), text_width)
    assert "Liberation Sans" in faces and not faces & {"Nimbus Roman No9 L", "DejaVu Sans"}


def test_odt_is_a4_in_the_house_font_with_tables_inside_the_margins(small, small_out):
    folder, _ = small_out
    check_odt(folder / f"{small.document.id}.odt")
    assert len(odt_page_and_tables(folder / f"{small.document.id}.odt")[1]) >= 5


def test_table_widths_fit_the_odt_text_width():
    # the C&G structure table with four qualifications: 108 units wide as written
    assert rst.fit_widths([8, 30, 12, 9, 9, 9, 9, 6, 7, 9]) == [5, 22, 8, 6, 6, 6, 6, 4, 5, 6]
    for widths in ([100], [18, 82], [1, 1, 1], [3, 97], [46, 12, 16, 12, 14], [1] * 79, [5] * 80):
        fitted = rst.fit_widths(widths)
        assert len(fitted) == len(widths)
        assert sum(fitted) <= rst.TEXT_WIDTH_TWELFTHS and all(w >= 1 for w in fitted)
        assert sum(fitted) > rst.TEXT_WIDTH_TWELFTHS - len(widths)  # fills the width, give or take rounding


def test_running_header_is_escaped_for_css():
    import tinycss2

    title = 'Title "quoted" \\ back </style><script>alert(1)</script>'
    style = pdf.header_style(title)
    css = style.removeprefix("<style>\n").removesuffix("</style>\n")
    assert "<" not in css  # nothing can close the <style> early

    def strings(tokens):
        for t in tokens:
            if t.type == "string":
                yield t.value
            for attr in ("content", "prelude", "value", "arguments"):
                inner = getattr(t, attr, None)
                if isinstance(inner, list):
                    yield from strings(inner)
        return

    parsed = tinycss2.parse_stylesheet(css, skip_whitespace=True)
    top_left = tinycss2.parse_blocks_contents(parsed[0].content, skip_whitespace=True)
    decls = tinycss2.parse_declaration_list(top_left[0].content, skip_whitespace=True)
    assert [next(strings(d.value)) for d in decls] == [title, title]


def test_mentions_link_only_to_what_exists(small):
    import docutils.core

    src = "Title\n=====\n\n.. _unit-001:\n\nUnit 001\n--------\n\nRefer to unit 001 and units 001 and 999; unit 0012; assessment criteria 1.1 and 7.7.\n"
    doc = docutils.core.publish_doctree(src, settings_overrides={"_disable_config": True, "report_level": 5})
    doc.ids.setdefault("unit-001-criterion-1-1", doc)
    assert links.link_mentions(doc, small) == 3
    from docutils import nodes

    refs = [(r.astext(), r["refid"]) for r in doc.findall(nodes.reference)]
    assert refs == [("001", "unit-001"), ("001", "unit-001"), ("1.1", "unit-001-criterion-1-1")]
    assert "unit 0012" in doc.astext() and "999" in doc.astext()


# --------------------------------------------------------------------------- every spec and style (slow)


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
def test_every_spec_in_every_style_keeps_the_print_rules(specs, style, tmp_path):
    from specc.plugins import CannotShow

    laid_out = 0
    for sid, spec in specs.items():
        try:
            folder = emit(spec, tmp_path / sid, {"handbook_formats": "html,pdf", "style": style})
        except CannotShow as e:  # a style that cannot show a spec refuses it, naming what (tests/test_printed.py)
            assert f"style `{style}` cannot show" in str(e)
            continue
        laid_out += 1
        path = folder / f"{sid}.pdf"
        pages = check_layout(path, spec.document.title)
        text = squash(" ".join(p.text for p in pages))
        reader = pypdf.PdfReader(path)
        marks = outline(reader)
        top = [t for level, t, _ in marks if level == 1]
        chapters = chapter_titles((folder / f"{sid}.html").read_bytes())
        assert top == (["Contents"] if chapters else []) + chapters, (sid, style)
        named = {k for k in reader.named_destinations}
        assert all(dest in named for _, dest in link_targets(reader)), (sid, style)
        if style != "cfa":
            for u in spec.units:
                if "." in u.id:
                    continue
                for c in u.criteria:
                    assert f"{c.ref} {squash(c.statement)}" in text, (sid, style, u.id, c.ref)
        if style in ("cfa", "generic"):
            for rs in spec.requirement_sets:
                if rs.origin not in (None, spec.document.id):
                    continue
                for r in rs.requirements:
                    if r.number >= 1:  # numbered as published
                        assert f"{r.number}. {squash(r.text.plain)[:25]}" in text, (sid, style, rs.id, r.number)
                    for rg in r.ranges:
                        for it in rg.items:
                            assert squash(it.text.plain) in text, (sid, style, rs.id, it.letter)
    assert laid_out, f"the {style} style laid out no spec"


@pytest.mark.slow
def test_browser_printing_of_every_spec(specs, tmp_path):
    for sid, spec in specs.items():
        folder = emit(spec, tmp_path / sid, {"handbook_formats": "html"})
        printed = layout.browser_print(folder / f"{sid}.html", tmp_path / f"{sid}.pdf")
        check_layout(printed, spec.document.title)


@pytest.mark.slow
def test_every_odt_is_a4_with_tables_inside_the_margins(specs, tmp_path):
    tables = 0
    for sid, spec in specs.items():
        folder = emit(spec, tmp_path / sid, {"handbook_formats": "odt"})
        check_odt(folder / f"{sid}.odt")
        tables += len(odt_page_and_tables(folder / f"{sid}.odt")[1])
    assert tables > 20
