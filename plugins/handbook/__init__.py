"""Built-in emitter ``handbook``: handbook sections in the body's house style.

A house style (``specc_handbook_styles``, one per body in
``plugins/<body>/handbook.py``) turns the spec into reStructuredText; this
plugin renders that with docutils into

* ``handbook/<document>.rst`` -- the source, for authors to read or reuse;
* ``handbook/<document>.html`` -- standalone HTML with a table of contents and
  the print stylesheet (A4; :mod:`.pdf` says what it does);
* ``handbook/<document>.pdf`` -- that same HTML laid out by WeasyPrint: a
  tagged PDF with a cover, contents with page numbers, bookmarks by chapter,
  unit and outcome, a running header and "Page x of y", the house font
  embedded;
* ``handbook/<document>.odt`` -- OpenDocument through docutils' ODF writer, for
  authors who work in a word processor: A4 in the house font, from the
  stylesheet ``templates/styles.odt`` (``scripts/make_odt_styles.py``);
* ``handbook/sections/<unit>.html`` -- each unit (or set of evidence
  requirements) alone, for pasting into a handbook or an ePortfolio.  Styles
  mark those sections with ``.. class:: unit``; each section is written from
  the doctree its page was written from.

The source is published a block of top-level sections at a time
(:mod:`.book`), byte-identical to publishing it whole, so a handbook of any
size needs the memory of one block's doctree and the output.

docutils runs with its halt level at *warning*: a generated document that
docutils would warn about is a bug, and fails the emitter (nothing is kept)
rather than printing a system message into a handbook.  Output is
deterministic: the ODT's zip timestamps and document dates are fixed.
"""

from __future__ import annotations

import io
from collections import ChainMap
from collections.abc import Iterator
from pathlib import Path

from specc import ir, plugins
from specc.hookspecs import hookimpl
from specc.plugins import Emitter, HandbookStyle, OptionError, list_option
from specc.sink import normalise_zip

from . import links, pdf
from .generic import render_generic
from .book import Book, DocutilsWarning, Published, dispose  # noqa: F401 - DocutilsWarning: what a bad document raises

FORMATS = ("rst", "html", "odt", "pdf")
CSS = Path(__file__).parent / "templates" / "handbook.css"
ODT_STYLES = Path(__file__).parent / "templates" / "styles.odt"


def _settings(warnings: io.StringIO, **extra) -> dict:
    return {
        "halt_level": 2,  # warnings are errors
        "report_level": 2,
        "warning_stream": warnings,
        "_disable_config": True,
        "output_encoding": "utf-8",
        "input_encoding": "utf-8",
        "traceback": True,
        "datestamp": None,
        "toc_backlinks": False,  # (the string "none" would print a link to a missing #top)
        "smart_quotes": False,
        **extra,
    }


_HTML = {"stylesheet_path": str(CSS), "embed_stylesheet": True}


def _book(source: str, prepare=None) -> Book:
    return Book(source, _settings(io.StringIO(), **_HTML), prepare)


def to_html(source: str, header: str | None = None, prepare=None, on_block=None) -> tuple[Published, Book]:
    """Standalone HTML5 with the print stylesheet embedded (``header``, the
    document's title, is the running header of every printed page but the
    cover), and the book it was published from.  The page's bytes are
    ``bytes(page)``, or ``page.parts()`` for a sink (never whole)."""
    book = _book(source, prepare)
    page = book.publish("html5", _settings(io.StringIO(), **_HTML), on_block)
    page.data = _with_header(page.data, header)  # (the head is docutils' own: no block's text is in it)
    return page, book


def _with_header(page: bytes, header: str | None) -> bytes:
    if header:
        page = page.replace(b"</head>", pdf.header_style(header).encode("utf-8") + b"</head>", 1)
    return page


def _write_html(doc, header: str | None = None, settings=None) -> bytes:
    """The doctree as standalone HTML; ``header`` (the document's title) is
    the running header of every printed page but the cover.  ``settings``:
    made by :func:`_html_settings` (for many documents), else made here."""
    import copy

    import docutils.core

    settings = copy.copy(settings or _html_settings())
    settings.warning_stream = warnings = io.StringIO()
    out = docutils.core.publish_from_doctree(doc, writer="html5", settings=settings)
    if warnings.getvalue().strip():
        raise DocutilsWarning(f"docutils (html5): {warnings.getvalue().strip()}")
    return _with_header(out, header)


def _html_settings():
    """docutils' settings for :func:`_write_html`, as ``publish_from_doctree``
    makes them (an option parser of every component's options, a quarter of
    the time of writing a unit's section when made for each)."""
    import docutils.core
    import docutils.io
    from docutils.readers import doctree
    from docutils.writers import get_writer_class

    pub = docutils.core.Publisher(reader=doctree.Reader(), writer=get_writer_class("html5")(), destination_class=docutils.io.StringOutput)
    pub.process_programmatic_settings(None, _settings(io.StringIO(), **_HTML), None)
    return pub.settings


def section_names(spec: ir.Spec) -> dict[str, str]:
    """docutils id of each unit's (requirement set's) section target -> the
    file name its section is written to, named as the forms name theirs
    (``unit-<number>``, ``requirements-<id>``)."""
    from docutils import nodes

    from . import rst

    out = {nodes.make_id(rst.unit_target(u)): f"unit-{u.label}" for u in spec.units}
    out.update({nodes.make_id(f"requirements-{rs.id}"): f"requirements-{rs.id}" for rs in spec.requirement_sets})
    return out


def section_parts(doc, document_html: str, names: dict[str, str] | None = None) -> Iterator[tuple[str, object]]:
    """(name, docutils document) for every section marked ``unit``; links to
    the rest of the handbook point into ``document_html``.  ``names`` maps a
    section's target id to its file name (default: the id).  One at a time:
    each is a copy of its section, made as it is asked for, so
    a handbook of many units never holds a second copy of them all."""
    import docutils.utils
    from docutils import nodes

    names = names or {}
    for sec in doc.findall(nodes.section):
        if "unit" not in sec["classes"]:
            continue
        name = next((names[i] for i in sec["ids"] if i in names), None)
        name = name or min((i for i in sec["ids"] if i.startswith(("unit-", "requirements-"))), key=len, default=sec["ids"][0])
        own = {i for n in sec.findall(nodes.Element) for i in n.get("ids", ())}
        part = docutils.utils.new_document(doc["source"] if "source" in doc else "<handbook>", doc.settings)
        part["title"] = sec.next_node(nodes.title).astext()
        copy = sec.deepcopy()
        for ref in copy.findall(nodes.reference):
            if ref.get("refid") and ref["refid"] not in own:
                ref["refuri"] = f"../{document_html}#{ref['refid']}"
                del ref["refid"]
        part += copy
        yield name, part


class SectionWriter:
    """``on_block`` for a book published as HTML: writes each unit section
    of a written block to ``handbook/sections/<unit>.html``.  The
    incremental seam: a section whose doctree is unchanged keeps its file."""

    def __init__(self, spec: ir.Spec, sink, header: str | None):
        self.sink, self.header = sink, header
        self.page = sink.name(spec.document.id) + ".html"
        self.names = section_names(spec)
        self.settings = _html_settings()

    def __call__(self, doc) -> None:
        for name, part in section_parts(doc, self.page, self.names):
            key = self.sink.key(self.header, doctree_xml(part))
            self.sink.cached(f"handbook/sections/{self.sink.name(name)}.html", key, lambda part=part: _write_html(part, self.header, self.settings))
            dispose(part)  # (its cycles broken: reference counting frees it, not the collector)


def doctree_xml(node) -> str:
    """``node`` as XML: what docutils' ``node.asdom().toxml()`` says, written
    straight from the tree (a DOM of every section, built only to be hashed,
    was most of the HTML handbook's cyclic garbage: the collector's work)."""
    from xml.sax.saxutils import escape, quoteattr

    from docutils import nodes

    out: list[str] = []

    def walk(n) -> None:
        if isinstance(n, nodes.Text):
            out.append(escape(str(n)))
            return
        out.append(n.starttag(quoteattr))
        for child in n.children:
            walk(child)
        out.append(n.endtag())

    walk(node)
    return "".join(out)


def to_odt(source: str, date: ir.PartialDate | None = None, on_block=None) -> tuple[bytes, Book]:
    """ODT with fixed zip timestamps and document dates (byte-identical), and
    the book it was published from (``on_block`` as for :func:`to_html`)."""
    stamp = f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00" if date else "2000-01-01T00:00:00"
    book = _book(source)
    out = book.publish("odf_odt", _settings(io.StringIO(), stylesheet=str(ODT_STYLES)), on_block)
    # content.xml is written with its blocks' text part by part: never whole
    return normalise_zip(out.data, {"meta.xml": lambda data: _fix_meta(data, stamp), "content.xml": lambda data: (out.size(data), out.expand(data))}), book


def _fix_meta(data: bytes, stamp: str) -> bytes:
    import re

    text = data.decode("utf-8")
    text = re.sub(r"(<meta:creation-date>)[^<]*(</meta:creation-date>)", rf"\g<1>{stamp}\g<2>", text)
    text = re.sub(r"(<dc:date>)[^<]*(</dc:date>)", rf"\g<1>{stamp}\g<2>", text)
    text = re.sub(r"(<meta:editing-duration>)[^<]*(</meta:editing-duration>)", r"\g<1>PT0S\g<2>", text)
    return text.encode("utf-8")


def _formats(options: dict) -> tuple[str, ...]:
    return list_option(options, "handbook_formats", FORMATS, "handbook format")


def rst_for(spec: ir.Spec, options: dict) -> tuple[str, str]:
    """(style name, RST source) for ``spec``: the style named by ``--style``
    (``generic`` is the plain layout), else the one for the spec's body,
    else the generic layout."""
    styles = plugins.handbook_styles()
    style = plugins.style_for(styles, spec, options.get("style"))
    if options.get("style") and style is None:
        raise OptionError(f"no handbook style named {options['style']!r} (have: {', '.join(styles)})")
    if style is None:
        return "generic", render_generic(spec, options)
    return style.name, style.render(spec, options)


def not_shown(spec: ir.Spec, book: Book) -> list[str]:
    """What of ``spec`` a published handbook does not show: a unit without a
    ``unit`` section, a set of evidence requirements (the spec's own, or one a
    unit is assessed under) without a target of its own or inside a unit's
    (a section, or the block a style prints it in without a heading)."""
    from docutils import nodes

    from . import rst
    from .common import own_requirement_sets, own_units

    units = own_units(spec)
    out = [f"unit {u.label}" for u in units if nodes.make_id(rst.unit_target(u)) not in book.unit_ids]
    sets = own_requirement_sets(spec) + [spec.requirement_set(r) for u in units for r in u.assessed_under]
    ids = book.ids.all()

    def shown(rs: ir.RequirementSet) -> bool:  # its own section, or one inside a unit (``unit-...-requirements-<id>``)
        want = nodes.make_id(f"requirements-{rs.id}")
        return want in ids or any(i.endswith("-" + want) for i in ids)

    out += [f'requirements "{rs.title}"' for rs in dict.fromkeys(s for s in sets if s is not None) if not shown(rs)]
    return out


def _linker(spec: ir.Spec):
    """``prepare`` for a book: links mentions of units, criteria and the
    glossary in each of its documents (:mod:`.links`)."""
    state = {}

    def prepare(doc) -> None:
        book = doc.specc_book
        if len(book.pieces) == 1:
            links.link_mentions(doc, spec)
            return
        if "glossary" not in state:
            state["targets"] = dict.fromkeys(book.targets.values())
            state["glossary"] = links.glossary_id(book.titles(), spec)
            state["mentions"] = links.Mentions(spec, state["glossary"] is not None)
        links.link_mentions(doc, spec, ids=ChainMap(doc.ids, state["targets"]), glossary=state["glossary"], mentions=state["mentions"])

    return prepare


def emit(spec, sink, options):
    name, source = rst_for(spec, options)
    stem = "handbook/" + sink.name(spec.document.id)
    formats = _formats(options)
    header = spec.document.title
    files: dict[str, bytes | str] = {}
    book = None
    if "html" in formats or "pdf" in formats:
        page, book = to_html(source, header, _linker(spec), SectionWriter(spec, sink, header) if "html" in formats else None)
        html = page.parts()  # (written to the sink as they come: never whole)
        if "pdf" in formats:
            html = bytes(page)  # (WeasyPrint lays out the whole page)
            files["pdf"] = pdf.to_pdf(html)
        if "html" in formats:
            files["html"] = html
        page = html = None
    if "odt" in formats:
        files["odt"], odt_book = to_odt(source, spec.document.published)
        book = book or odt_book
    if book is None:  # the source alone: still parsed, so a problem is found
        book = _book(source)
        book.check()
    missing = not_shown(spec, book)
    if missing:
        raise plugins.CannotShow("handbook", name, missing)
    if "rst" in formats:
        sink.write(f"{stem}.rst", source)
    for ext in ("pdf", "html", "odt"):
        if ext in files:
            sink.write(f"{stem}.{ext}", files.pop(ext))


@hookimpl
def specc_handbook_styles():
    # for any body (it is the layout of bodies without a style); by name only
    return [HandbookStyle("generic", (), "Every part of the spec, plainly, for a body without a house style", render_generic)]


@hookimpl
def specc_register_emitters():
    return [
        Emitter(
            name="handbook",
            description="Handbook in the body's house style: reStructuredText, HTML (print CSS) and ODT via docutils, PDF via WeasyPrint",
            produces="handbook/<document>.{rst,html,odt,pdf}, handbook/sections/<unit>.html",
            emit=emit,
            version="2",
            weight=30,  # the PDF layout is the slowest single job of a build: start it first
            options=("handbook_formats", "style"),
        )
    ]
