"""Renderers for the form model: HTML with print CSS, fillable PDF, DOCX."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import jinja2
from attrs import frozen
from markupsafe import Markup, escape

from specc.sink import normalise_zip

from .model import Bullets, Field, FieldGrid, Form, Heading, PageBreak, Para, Signatures, Table

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # spec text is data: every string is HTML-escaped
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["field"] = html_field
    return env


def html_field(f: Field) -> Markup:
    """The HTML input for a field; WeasyPrint turns it into a PDF form field
    of the same name, its title into the field's tooltip."""
    name = escape(f.name)
    label = escape(f.label)
    attrs = Markup(f'name="{name}" title="{label}" aria-label="{label}"')
    if f.kind == "check":
        return Markup(f'<input type="checkbox" {attrs}>')
    if f.kind in ("area", "lines"):
        return Markup(f"<textarea {attrs}></textarea>")
    if f.kind == "choice":
        opts = Markup("").join(Markup(f'<option value="{escape(v)}">{escape(t)}</option>') for v, t in f.options)
        return Markup(f"<select {attrs}>{opts}</select>")
    return Markup(f'<input type="text" {attrs}>')


@frozen
class Section:
    """A heading with its lead-in and the table (or field grid, or signature
    block) it introduces; ``keep``: never split across pages."""

    blocks: tuple
    keep: bool


KEEP_ROWS = 6  # a table of this many rows or fewer is never split


def sections(body: tuple) -> list[Section]:
    out: list[Section] = []
    cur: list = []

    def close(keep: bool = False) -> None:
        if cur:
            out.append(Section(tuple(cur), keep))
            cur.clear()

    for b in body:
        if isinstance(b, PageBreak):
            close()
            out.append(Section((b,), False))
        elif isinstance(b, Heading):
            if any(not isinstance(x, Heading) for x in cur):
                close()
            cur.append(b)
        elif isinstance(b, (Para, Bullets)):
            cur.append(b)
        else:
            cur.append(b)
            close(isinstance(b, (FieldGrid, Signatures)) or (isinstance(b, Table) and len(b.rows) <= KEEP_ROWS))
    close()
    return out


def to_html(form: Form, body_name: str, style: str, edition: str = "") -> str:
    css = (TEMPLATES / "form.css").read_text(encoding="utf-8")
    person = next((label.removesuffix(" name") for b in form.body if isinstance(b, FieldGrid) and b.identity for label, f in b.items if f.name == "candidate.name"), "Candidate")
    return _env().get_template("form.html.j2").render(
        form=form, sections=sections(form.body), css=Markup(css), body_name=body_name, style=style, edition=edition, person=person
    )


PDF_FAMILY = "Liberation Sans"  # the shipped files, loaded by @font-face whatever the machine has


@functools.lru_cache(maxsize=1)
def _pdf_css():
    """The shipped font under a private family name, for every box and field,
    with the font configuration that loads it."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from specc_plugins import fonts

    config = FontConfiguration()
    faces = fonts.font_face_css().replace(f'"{fonts.FAMILY}"', f'"{PDF_FAMILY}"')
    css = weasyprint.CSS(string=faces + f'html, input, textarea, select {{ font-family: "{PDF_FAMILY}"; }}\n', font_config=config)
    import atexit

    atexit.register(_pdf_css.cache_clear)  # free it while fontconfig is still loaded
    return css, config


def layout(html: str):
    """WeasyPrint's laid-out document (pages and their box trees)."""
    import logging
    import os

    import weasyprint

    # Font subsetting (fontTools) stamps the subset's ``head`` table with the
    # time unless SOURCE_DATE_EPOCH is set: pinned for byte-identical PDFs.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    css, config = _pdf_css()
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=[css], font_config=config, pdf_forms=True, pdf_tags=True)


def to_pdf(html: str, form: Form | None = None) -> bytes:
    """A4 PDF with the shipped font embedded, fillable fields and tags
    (WeasyPrint ``pdf_forms``, ``pdf_tags``), then the field hierarchy,
    signature fields and header fields (:mod:`pdfpost`)."""
    from . import pdfpost

    document = layout(html)
    pdf = document.write_pdf(pdf_forms=True, pdf_tags=True)
    sigs = frozenset(f.name for f in form.fields() if f.kind == "signature") if form is not None else frozenset()
    return pdfpost.postprocess(pdf, sigs, pdfpost.header_slots(document))


# ---------------------------------------------------------------- DOCX

def to_docx(form: Form, body_name: str) -> bytes:
    import datetime

    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    if form.landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Mm(15))
    normal = d.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(9)
    sec.header.paragraphs[0].text = f"{body_name} — {form.title}" + (f" — {form.subtitle}" if form.subtitle else "")

    cp = d.core_properties
    cp.title = form.title
    cp.author = body_name
    cp.created = cp.modified = datetime.datetime(2000, 1, 1)
    cp.last_modified_by = "specc"
    cp.revision = 1

    d.add_heading(form.title, level=1)
    if form.subtitle:
        d.add_paragraph(form.subtitle)

    def repeat_header(row) -> None:
        tr_pr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)

    def no_split(row) -> None:
        tr_pr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:cantSplit")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)

    def blank(f: Field) -> str:
        return "☐" if f.kind == "check" else ""

    usable = (sec.page_width - sec.left_margin - sec.right_margin)
    for b in form.body:
        if isinstance(b, Heading):
            d.add_heading(b.text, level=min(b.level, 4))
        elif isinstance(b, Para):
            p = d.add_paragraph(b.text)
            if b.style == "note":
                for r in p.runs:
                    r.font.size = Pt(7.5)
        elif isinstance(b, Bullets):
            for item in b.items:
                d.add_paragraph(item, style="List Bullet")
        elif isinstance(b, PageBreak):
            d.add_page_break()
        elif isinstance(b, Signatures):
            t = d.add_table(rows=0, cols=4)
            t.style = "Table Grid"
            for role, _sig, _date in b.items:
                cells = t.add_row().cells
                cells[0].text, cells[1].text, cells[2].text, cells[3].text = role, "", "Date", ""
        elif isinstance(b, FieldGrid):
            t = d.add_table(rows=0, cols=2)
            t.style = "Table Grid"
            for label, f in b.items:
                cells = t.add_row().cells
                cells[0].text, cells[1].text = label, blank(f)
        elif isinstance(b, Table):
            if b.caption:
                d.add_paragraph(b.caption).runs[0].bold = True
            t = d.add_table(rows=1, cols=len(b.columns))
            t.style = "Table Grid"
            total = sum(c.width for c in b.columns)
            hdr = t.rows[0]
            repeat_header(hdr)
            for cell, col in zip(hdr.cells, b.columns, strict=True):
                cell.text = col.title
                cell.paragraphs[0].runs[0].bold = True
                cell.width = int(usable * col.width / total)
            for row in b.rows:
                r = t.add_row()
                no_split(r)
                for cell, c, col in zip(r.cells, row, b.columns, strict=True):
                    cell.width = int(usable * col.width / total)
                    text = c.text
                    if c.field is not None:
                        text = (text + " " if text else "") + blank(c.field)
                    cell.text = text
                    if c.strong and cell.paragraphs[0].runs:
                        cell.paragraphs[0].runs[0].bold = True
                    if c.muted:
                        run = cell.add_paragraph().add_run(c.muted)
                        run.font.size = Pt(7)
    buf = io.BytesIO()
    d.save(buf)
    return normalise_zip(buf.getvalue())
