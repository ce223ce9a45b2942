"""Renderers for the form model: HTML with print CSS, fillable PDF, DOCX."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import jinja2
from attrs import frozen
from markupsafe import Markup, escape


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


FIELD_FAMILY = "Liberation Sans Fields"
# what a centre types into a field: Latin (with Latin-1 and Extended-A/B:
# names from across Europe), punctuation, currency and letterlike symbols
FIELD_UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2C6, 0x2DE), *range(0x2010, 0x205F), *range(0x20A0, 0x20C1), *range(0x2100, 0x2123)]


@functools.lru_cache(maxsize=1)
def _pdf_css():
    """The shipped font for every box, and for form fields a copy of its
    regular face cut to the characters typed into forms, with the font
    configuration that loads them."""
    import atexit

    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from specc_plugins import fonts

    config = FontConfiguration()
    faces = fonts.font_face_css().replace(f'"{fonts.FAMILY}"', f'"{PDF_FAMILY}"')
    faces += f'@font-face {{ font-family: "{FIELD_FAMILY}"; src: url("{_field_font_url()}") format("truetype"); }}\n'
    rules = f'html {{ font-family: "{PDF_FAMILY}"; }}\ninput, textarea, select {{ font-family: "{FIELD_FAMILY}" !important; }}\n'
    css = weasyprint.CSS(string=faces + rules, font_config=config)
    atexit.register(_pdf_css.cache_clear)  # free it while fontconfig is still loaded
    return css, config


def _field_font_url() -> str:
    """The field font as a ``data:`` URL.  A PDF embeds a field's font whole
    (any character may be typed), so it is the regular face cut to
    :data:`FIELD_UNICODES`, without TrueType hinting: a tenth of the glyphs,
    a small fixed cost per PDF.  fontTools, deterministic (no timestamp)."""
    import base64

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from specc_plugins import fonts

    font = TTFont(str(fonts.path()))
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[u for u in FIELD_UNICODES if u in font.getBestCmap()])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return "data:font/ttf;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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


def to_docx(form: Form, body_name: str, edition: str = "") -> bytes:
    from .docx_writer import to_docx as write

    return write(form, body_name, edition)
