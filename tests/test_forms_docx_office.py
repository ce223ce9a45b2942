"""The DOCX forms opened in a word processor: LibreOffice Writer (Debian's
package, installed by ``./dev``) converts a built DOCX of each kind to PDF,
and the pages are read back (pdfplumber) as a centre would see them printed:
A4 in the PDF form's orientation, the header and footer fields laid out
("Page 1 of N" with the right N), every heading and criterion printed,
check-box content controls drawn as boxes, writing rows as tall as the PDF's
and nothing past the margins."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

import pdfplumber
import pypdf
import pytest

from specc_plugins import fonts
from specc_plugins import forms as forms_plugin
from specc_plugins.forms.model import FieldGrid, Heading, Signatures, Table

pytestmark = pytest.mark.slow

# one form of each kind: a unit pack, an evidence record, a landscape
# tracking sheet, a range checklist
KINDS = [
    ("cg4411", "unit-101"),
    ("cg4411", "unit-101-professional-discussion-record"),
    ("ncfe_601_3972_9", "assessment-tracking-sheet-601-3972-9"),
    ("cfa_cs", "range-checklist-deal_with_customers_face_to_face"),
]
MM = 72 / 25.4
MARGIN_MM = 14  # left and right page margins (docx_writer, form.css)
ROW_MM = {"text": 8, "date": 8, "choice": 8, "check": 8, "signature": 14, "lines": 26, "area": 60}  # the print rules' minimums
TIMEOUT = 240


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice is not installed (`./dev setup` installs Debian's libreoffice-writer-nogui)")
    return path


@pytest.fixture(scope="module")
def office(specs, tmp_path_factory):
    """{form id: (form model, PDF form bytes, LibreOffice's PDF path)}."""
    from specc import plugins
    from specc_plugins.forms import render as r

    exe = soffice()
    tmp = tmp_path_factory.mktemp("office")
    out, docs = {}, []
    for sid, fid in KINDS:
        spec = specs[sid]
        style = plugins.style_for(plugins.form_styles(), spec, None)
        fm = next(f for f in style.render(spec, {}) if f.id == fid)
        edition = forms_plugin.edition(spec.document)
        pdf = r.to_pdf(r.to_html(fm, spec.document.body.name, style.name, edition), fm)
        path = tmp / f"{fid}.docx"
        path.write_bytes(r.to_docx(fm, spec.document.body.name, edition))
        docs.append(str(path))
        out[fid] = (fm, pdf, tmp / "pdf" / f"{fid}.pdf")
    profile = (tmp / "profile").as_uri()  # a private profile: no clash with a running office
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), *docs]
    # the house font as a centre has it with the forms, whatever this machine has installed
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts.path().parent}</dir><cachedir>{tmp / 'fontcache'}</cachedir></fontconfig>"
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env)
    missing = [p for _, _, p in out.values() if not p.exists()]
    assert run.returncode == 0 and not missing, (run.returncode, run.stdout, run.stderr, missing)
    return out


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def rules(page) -> list[float]:
    """The y (top) of every horizontal table rule on a page, merged within 1 pt."""
    ys = sorted(e["top"] for e in page.edges if e["orientation"] == "h" and e["width"] > 5 * MM)
    merged: list[float] = []
    for y in ys:
        if not merged or y - merged[-1] > 1:
            merged.append(y)
    return merged


def row_heights_mm(pdf, label: str) -> list[float]:
    """Heights of the table rows whose text begins with ``label``'s first two
    words (a cell's later words may wrap below its neighbours' text)."""
    pattern = r"\s+".join(re.escape(w) for w in label.split()[:2])
    out = []
    for page in pdf.pages:
        ys = rules(page)
        for m in page.search(pattern, regex=True):
            above = [y for y in ys if y <= m["top"] + 0.5]
            below = [y for y in ys if y >= m["bottom"] - 0.5]
            if above and below:
                out.append((min(below) - max(above)) / MM)
    return out


def expected_rows(fm) -> list[tuple[str, float]]:
    """(label printed in the row, the row's least height in mm) for every
    row a person writes in."""
    want = []
    for b in fm.body:
        if isinstance(b, Signatures):
            want += [(f"{role} signature", ROW_MM["signature"]) for role, _, _ in b.items]
        elif isinstance(b, FieldGrid):
            items = list(b.items)
            for j in range(0, len(items), 2):
                pair = items[j : j + 2]
                want += [(label, max(ROW_MM[f.kind] for _, f in pair)) for label, _ in pair]
        elif isinstance(b, Table):
            for row in b.rows:
                kinds = [c.field.kind for c in row if c.field is not None]
                label = next((c.text for c in row if c.text), "")
                if kinds and label:
                    want.append((label, max(ROW_MM[k] for k in kinds)))
    return want


@pytest.mark.parametrize("fid", [k[1] for k in KINDS])
def test_docx_in_libreoffice_prints_as_the_pdf_form(office, fid):
    fm, form_pdf, path = office[fid]
    pdf_page = pypdf.PdfReader(io.BytesIO(form_pdf)).pages[0]
    form_landscape = float(pdf_page.mediabox.width) > float(pdf_page.mediabox.height)
    assert form_landscape == fm.landscape
    with pdfplumber.open(str(path)) as pdf:
        n = len(pdf.pages)
        text = ""
        for i, page in enumerate(pdf.pages, start=1):
            w, h = float(page.width), float(page.height)
            # A4, in the PDF form's orientation
            assert sorted((round(w / MM), round(h / MM))) == [210, 297], (fid, i, w, h)
            assert (w > h) == form_landscape, (fid, i)
            page_text = page.extract_text() or ""
            # a cell's wrapped lines interleave with its neighbours' in the page text: add every cell's own text
            cells = [c or "" for t in page.extract_tables() for row in t for c in row]
            text += page_text + "\n" + "\n".join(cells) + "\n"
            # footer: the PAGE and NUMPAGES fields rendered, the reference beside them
            assert f"Page {i} of {n}" in page_text, (fid, i, page_text[-300:])
            footer = [ln for ln in page_text.splitlines() if f"Page {i} of {n}" in ln]
            assert footer and page.search(f"Page {i} of {n}")[0]["x1"] >= w - (MARGIN_MM + 3) * MM, (fid, i)  # right-aligned
            if fm.reference:
                assert squash(fm.reference) in squash(page_text), (fid, i)
            # header: the candidate's name and registration number lines, the number at the right margin
            reg = page.search(r"Registration number _+", regex=True)
            assert reg and reg[0]["top"] < 20 * MM and reg[0]["x1"] >= w - (MARGIN_MM + 3) * MM, (fid, i, reg)
            # nothing past the margins: every glyph inside the printable width
            for ch in page.chars:
                assert (MARGIN_MM - 1) * MM <= ch["x0"] and ch["x1"] <= w - (MARGIN_MM - 1) * MM, (fid, i, ch["text"], ch["x0"], ch["x1"])
                assert 0 <= ch["top"] and ch["bottom"] <= h, (fid, i, ch["text"])
            for e in page.edges:
                assert (MARGIN_MM - 1) * MM <= e["x0"] and e["x1"] <= w - (MARGIN_MM - 1) * MM, (fid, i, e["x0"], e["x1"])
        # the text is set in the house font (the boxes may come from a fallback font)
        faces = {ch["fontname"].split("+")[-1] for page in pdf.pages for ch in page.chars if ch["text"].isalnum()}
        assert faces <= {"LiberationSans", "LiberationSans-Bold"}, (fid, faces)
        flat = squash(text)
        # every heading, every row label and criterion, the title
        wanted = [fm.title] + [b.text for b in fm.body if isinstance(b, Heading)]
        wanted += [c.text for b in fm.body if isinstance(b, Table) for row in b.rows for c in row if c.text]
        wanted += [c.title for b in fm.body if isinstance(b, Table) for c in b.columns]
        missing = [t for t in wanted if squash(t) not in flat]
        assert not missing, (fid, missing)
        # every table its own (a word processor joins two tables with nothing between them)
        found = sum(len(page.find_tables()) for page in pdf.pages)
        assert found >= sum(isinstance(b, (Table, FieldGrid, Signatures)) for b in fm.body), (fid, found)
        # check-box content controls: one drawn box per tick field, big enough to tick
        checks = [f for f in fm.fields() if f.kind == "check"]
        boxes = [ch for page in pdf.pages for ch in page.chars if ch["text"] == "\u2610"]
        assert len(boxes) == len(checks), (fid, len(boxes), len(checks))
        assert all(b["x1"] - b["x0"] >= 3 * MM and b["bottom"] - b["top"] >= 3 * MM for b in boxes), fid
        # rows to write in are as tall as the print rules ask, measured between the drawn rules
        short = []
        for label, least in expected_rows(fm):
            heights = row_heights_mm(pdf, label)
            if not heights or max(heights) < least - 0.3:
                short.append((label, least, heights))
        assert not short, (fid, short)


def test_the_row_measure_can_fail(office):
    """The row measure finds a plain text row short: a column header row is
    less than the 8 mm a writing row needs."""
    fm, _, path = office["unit-101"]
    with pdfplumber.open(str(path)) as pdf:
        heights = row_heights_mm(pdf, "Evidence reference")
    assert heights and min(heights) < 8


def lines_of(pdf) -> list[tuple[int, str]]:
    """(page number, text line) of every line of the body, in reading order."""
    out = []
    for i, page in enumerate(pdf.pages, start=1):
        out += [(i, ln) for ln in (page.extract_text() or "").splitlines()]
    return out


def first_words(text: str, n: int = 3) -> str:
    return r"\s+".join(re.escape(w) for w in text.split()[:n])


@pytest.mark.parametrize("fid", [k[1] for k in KINDS])
def test_docx_in_libreoffice_keeps_blocks_together(office, fid):
    """As the PDF: a heading never ends a page; a signature block, a table of
    six rows or fewer and what leads into them are on one page."""
    from specc_plugins.forms.render import sections

    fm, _, path = office[fid]
    headings = {squash(b.text) for b in fm.body if isinstance(b, Heading)}
    with pdfplumber.open(str(path)) as pdf:
        for i, page in enumerate(pdf.pages[:-1], start=1):
            body = [w for w in page.extract_words() if 22 * MM < w["top"] and w["bottom"] < float(page.height) - 18 * MM]
            last_top = max(w["top"] for w in body)
            last_line = squash("".join(w["text"] for w in body if abs(w["top"] - last_top) < 2))
            assert last_line not in headings, (fid, i, last_line)
        lines = lines_of(pdf)
    cursor, checked = 0, 0
    for sec in sections(fm.body):
        head = next((t for t in (anchor(b, first=True) for b in sec.blocks) if t), None)
        if head is None:
            continue
        start = next(k for k in range(cursor, len(lines)) if re.search(first_words(head, 2), lines[k][1]))
        cursor = start + 1
        last = sec.blocks[-1]
        tail = anchor(last, first=False)
        if not sec.keep or not isinstance(last, (Table, Signatures)) or not tail:
            continue
        end = next(k for k in range(start, len(lines)) if re.search(first_words(tail, 2), lines[k][1]))
        assert lines[start][0] == lines[end][0], (fid, head, tail, lines[start][0], lines[end][0])
        checked += 1
    assert checked, fid


def anchor(block, first: bool) -> str:
    """Words that find a block's first (or last) line in the page text; ""
    where none can (a letter or a number alone)."""
    from specc_plugins.forms.model import Bullets, Para

    if isinstance(block, (Heading, Para)):
        text = block.text
    elif isinstance(block, Bullets):
        text = block.items[0] if first else block.items[-1]
    elif isinstance(block, Signatures):
        text = f"{block.items[0 if first else -1][0]} signature"
    elif isinstance(block, Table):
        text = block.caption if first and block.caption else max((c.text for c in block.rows[0 if first else -1] if c.text), key=len, default="")
    elif isinstance(block, FieldGrid):
        text = block.items[0 if first else -1][0]
    else:
        return ""
    return text if len(text.split()) >= 2 else ""
