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


@functools.lru_cache(maxsize=1)
def form_css() -> str:
    """The print stylesheet every form carries in its ``<style>``."""
    return (TEMPLATES / "form.css").read_text(encoding="utf-8")


def _style_block() -> str:
    """The ``<style>`` element as the template writes it (see :func:`layout`)."""
    return f"<style>\n{form_css()}\n</style>\n"


def to_html(form: Form, body_name: str, style: str, edition: str = "") -> str:
    css = form_css()
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
    """The stylesheets a form is laid out with and the font configuration
    that loads their fonts, parsed once per process: the shipped font for
    every box, and for form fields a copy of its regular face cut to the
    characters typed into forms; then the forms' own stylesheet
    (:func:`form_css`, see :func:`layout`)."""
    import atexit

    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from specc_plugins import fonts

    config = FontConfiguration()
    faces = fonts.font_face_css().replace(f'"{fonts.FAMILY}"', f'"{PDF_FAMILY}"')
    faces += f'@font-face {{ font-family: "{FIELD_FAMILY}"; src: url("{_field_font_url()}") format("truetype"); }}\n'
    rules = f'html {{ font-family: "{PDF_FAMILY}"; }}\ninput, textarea, select {{ font-family: "{FIELD_FAMILY}" !important; }}\n'
    fonts_css = weasyprint.CSS(string=faces + rules, font_config=config)
    own = weasyprint.CSS(string=form_css(), base_url=str(TEMPLATES), font_config=config)
    atexit.register(_pdf_css.cache_clear)  # free them while fontconfig is still loaded
    return (fonts_css, own), config


# WeasyPrint's HTML user-agent stylesheet gives every element a ::marker and
# five note pseudo-elements: universal selectors, so each element gets six
# more styles cascaded and computed (a form has 326 elements on average:
# 1,960 styles, about a fifth of its render).  A form has no footnotes or notes (nothing
# floats to `footnote` or is positioned `note()`), and its only list items
# are `li`: those rules are dropped and `::marker` is `li::marker`.  Same
# boxes, byte-identical PDFs (tests/test_forms.py compares with the stock
# stylesheet).
UA_DROPPED = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback")
UA_MARKER = ("\n::marker {", "\nli::marker {")


def ua_stylesheet_text(stock: str) -> str | None:
    """``stock`` (WeasyPrint's html5_ua.css) without the rules above, or
    None if it does not have them as expected (another WeasyPrint)."""
    lines = stock.split("\n")
    kept = [line for line in lines if not line.startswith(UA_DROPPED)]
    if len(lines) - len(kept) != len(UA_DROPPED) or stock.count(UA_MARKER[0]) != 1:
        return None
    return "\n".join(kept).replace(*UA_MARKER)


@functools.lru_cache(maxsize=1)
def html_class():
    """``weasyprint.HTML`` with the lighter user-agent stylesheet (the stock
    class if this WeasyPrint's stylesheet is not the one expected).  The
    user-agent stylesheets come from ``HTML._ua_stylesheets``, the hook
    WeasyPrint's own tests override."""
    import weasyprint
    from weasyprint import html as wh
    from weasyprint.css.counters import CounterStyle

    text = ua_stylesheet_text(wh.UA)
    if text is None or not hasattr(weasyprint.HTML, "_ua_stylesheets"):
        return weasyprint.HTML
    # its @counter-style rules go to a scratch registry: a render starts from
    # a copy of WeasyPrint's, which already has them
    ua = weasyprint.CSS(string=text, counter_style=CounterStyle())

    class FormHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua, wh.UA_FORM_STYLESHEET] if forms else [ua]

    return FormHTML


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
    """WeasyPrint's laid-out document (pages and their box trees).

    The page's ``<style>``, if it is the forms' stylesheet as
    :func:`to_html` writes it, is taken out and the copy parsed once per
    process (:func:`_pdf_css`) is used instead.  It becomes a user
    stylesheet (one WeasyPrint is given) where it was the page's own: with
    no page stylesheet left it still outranks the user agent's, and placed
    after the font rules, its ``html { font-family }`` still wins over
    theirs and the fields' ``!important`` family over its ``font: inherit``
    -- the same cascade, byte-identical PDFs."""
    import logging
    import os

    # Font subsetting (fontTools) stamps the subset's ``head`` table with the
    # time unless SOURCE_DATE_EPOCH is set: pinned for byte-identical PDFs.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    (fonts_css, own), config = _pdf_css()
    block = _style_block()
    sheets = [fonts_css]
    if block in html:
        html = html.replace(block, "", 1)
        sheets.append(own)
    return html_class()(string=html, base_url=str(TEMPLATES)).render(stylesheets=sheets, font_config=config, pdf_forms=True, pdf_tags=True)


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
