"""Built-in emitter ``forms``: printable and fillable recording forms.

The house style (``specc_form_styles``) makes the :mod:`model` forms of the
spec, one at a time; this plugin renders each to HTML with a print stylesheet, to a
tagged A4 PDF with the shipped font and fillable fields (WeasyPrint, from the
same HTML, then :mod:`pdfpost` for the field hierarchy and signature
fields), and to DOCX (:mod:`docx_writer`) for centres that amend forms in
Word.  It also writes ``forms/index.json``: every form, its files and its
field names, and adds ``specc portfolio from-forms`` (:mod:`commands`,
:mod:`readback`), which reads filled forms back into a portfolio.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import json

from specc import build, plugins
from specc.jsontext import nested
from specc.hookspecs import hookimpl
from specc.plugins import Emitter, OptionError, list_option

from .generic import render_generic

FORMATS = ("html", "pdf", "docx")


def _formats(options: dict) -> tuple[str, ...]:
    return list_option(options, "formats", FORMATS, "form format")


def edition(doc) -> str:
    """The footer's edition line: ``<document title> version 1.8, August 2025``."""
    from specc import prose

    bits = [doc.title]
    if doc.version:
        bits.append(f"version {doc.version}")
    when = prose.date(doc.published)
    return ", ".join(bits + ([when] if when else []))


def _render_one(args):
    from . import render as r  # WeasyPrint and python-docx load only when forms are built

    form, body, style, formats, edition = args
    html = r.to_html(form, body, style, edition)
    out = {}
    if "html" in formats:
        out["html"] = html.encode("utf-8")
    if "pdf" in formats:
        out["pdf"] = r.to_pdf(html, form)
    if "docx" in formats:
        out["docx"] = r.to_docx(form, body, edition)
    return out


def covered(names) -> set[str]:
    """What the field names ``names`` record, by the field-name scheme
    (plugins/forms/common.py): the head of each (``u<unit>``, ``g``...) and,
    for an ``rs.<set>.`` field, its set of evidence requirements."""
    out = set()
    for n in names:
        out.add(n.split(".", 1)[0])
        if n.startswith("rs."):
            out.add(".".join(n.split(".", 2)[:2]))
    return out


def not_shown(spec, shown: set[str]) -> list[str]:
    """What of ``spec`` no form records, given what the forms' fields record
    (:func:`covered`): a unit without ``u<unit>.`` fields, a set of evidence
    requirements with ranges or distinct counts (the spec's own, or one a
    unit is assessed under) without ``rs.<set>.`` fields."""
    from .common import set_key, unit_key

    units = [u for u in spec.units if "." not in u.id]
    out = [f"unit {u.label}" for u in units if unit_key(u) not in shown]
    own = [rs for rs in spec.requirement_sets if rs.origin in (None, spec.document.id)]
    under = [spec.requirement_set(r) for u in units for r in u.assessed_under]
    under = [rs for rs in under if rs is not None and any(r.ranges or r.distinct for r in rs.requirements)]
    out += [f'requirements "{rs.title}"' for rs in dict.fromkeys(own + under) if set_key(rs) not in shown]
    return out


class Index:
    """``forms/index.json``: the style, and every form with its files and
    field names, in the order the forms were made.  Each form's entry is
    kept as its JSON text, not as Python objects (a quarter of the memory,
    and nothing for the collector to walk); :meth:`text` is
    ``json.dumps({"style": style, "forms": [entries]}, indent=2,
    ensure_ascii=False)`` and a newline, byte for byte."""

    def __init__(self, style: str):
        self.style = style
        self.entries: list[str] = []

    def add(self, entry: dict) -> None:
        # an entry sits two levels deep
        self.entries.append("    " + nested(json.dumps(entry, indent=2, ensure_ascii=False), 4))

    def text(self) -> str:
        forms = "[\n" + ",\n".join(self.entries) + "\n  ]" if self.entries else "[]"
        return '{\n  "style": ' + json.dumps(self.style, ensure_ascii=False) + ',\n  "forms": ' + forms + "\n}\n"


AHEAD = 4
"""Forms given to each pool worker ahead of the one being written: enough to
keep it busy, few enough that laid-out files waiting in memory stay few."""


def _workers(formats) -> int:
    """How many forked workers to lay forms out in; 0: none, where a pool
    cannot help (HTML alone renders faster than a form travels to a worker
    and back; one core gains nothing; in a parallel build's worker the cores
    are already busy)."""
    import multiprocessing

    if not {"pdf", "docx"} & set(formats) or build.in_build_worker() or multiprocessing.current_process().daemon:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cores = multiprocessing.cpu_count() or 1
    return cores if cores > 1 else 0


def _pool(workers: int):
    import multiprocessing

    # a worker first moves what it inherits (the compiled spec and all) out
    # of its collector's reach (gc.freeze is a few pointer moves): a full
    # collection walking it would write to the pages it shares with this
    # process, giving the worker private copies of them
    return multiprocessing.get_context("fork").Pool(workers, initializer=gc.freeze)


def in_order(items, render, pool=None, ahead: int = 0):
    """``(meta, render(job))`` for each ``(meta, job)`` of ``items``, in
    their order, one at a time as they are read; ``(meta, None)`` where
    ``job`` is None (nothing to render).  With a ``pool``, up to ``ahead``
    jobs render in its workers while earlier results are used; nothing more
    is held, so memory does not grow with the number of items."""
    if pool is None:
        for meta, job in items:
            yield meta, None if job is None else render(job)
        return
    pending: collections.deque = collections.deque()

    def ready():
        meta, res = pending.popleft()
        return meta, None if res is None else res.get()

    for meta, job in items:
        pending.append((meta, None if job is None else pool.apply_async(render, (job,))))
        while pending and (pending[0][1] is None or len(pending) > ahead):
            yield ready()
    while pending:
        yield ready()


def emit(spec, sink, options):
    styles = plugins.form_styles()
    style = plugins.style_for(styles, spec, options.get("style"))
    if options.get("style") and style is None:
        raise OptionError(f"no form style named {options['style']!r} (have: {', '.join(styles)})")
    # the forms are made, rendered and written one at a time (a style's
    # render may be a generator): a spec of any size needs the memory of a
    # few forms, and of the index
    forms = style.render(spec, options) if style else render_generic(spec, options)
    name = style.name if style else "generic"
    formats = _formats(options)
    same = (spec.document.body.name, name, formats, edition(spec.document))

    def jobs():
        for fm in forms:
            job = (fm, *same)
            stem = (sink.name(fm.group) + "/" if fm.group else "") + sink.name(fm.id)
            key = sink.key(*job)
            # incremental seam: a form whose model (and body, style, formats)
            # is what the last build rendered keeps its files (Sink.reuse)
            kept = sink.reuse([f"forms/{stem}.{ext}" for ext in FORMATS if ext in formats], key)
            yield (fm, stem, key), None if kept else job

    shown: set[str] = set()
    index = Index(name)
    workers = _workers(formats)
    with (_pool(workers) if workers else contextlib.nullcontext()) as pool:
        for (fm, stem, key), files in in_order(jobs(), _render_one, pool, AHEAD * workers):
            if files is None:
                paths = {ext: sink.output_path(f"forms/{stem}.{ext}") for ext in FORMATS if ext in formats}
            else:
                paths = {ext: sink.write(f"forms/{stem}.{ext}", files[ext], key=key) for ext in FORMATS if ext in files}
            names = [f.name for f in fm.fields()]
            shown |= covered(names)
            index.add({"id": fm.id, "title": fm.title, "subtitle": fm.subtitle, "group": fm.group, "files": paths, "fields": names})
    missing = not_shown(spec, shown)
    if missing:  # the build discards what was written (plugins.CannotShow)
        raise plugins.CannotShow("forms", name, missing)
    sink.write("forms/index.json", index.text())


@hookimpl
def specc_register_emitters():
    return [
        Emitter(
            name="forms",
            description="Recording forms in the body's house style: fillable PDF, HTML and DOCX",
            produces="forms/**/*.{pdf,html,docx}, forms/index.json",
            emit=emit,
            weight=20,
            options=("formats", "style"),
        )
    ]


@hookimpl
def specc_add_commands(subparsers):
    from .commands import add

    add(subparsers)
