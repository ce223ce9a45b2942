"""Built-in emitter ``forms``: printable and fillable recording forms.

The house style (``specc_form_styles``) builds a list of :mod:`model` forms
from the spec; this plugin renders each to HTML with a print stylesheet, to a
tagged A4 PDF with the shipped font and fillable fields (WeasyPrint, from the
same HTML, then :mod:`pdfpost` for the field hierarchy and signature
fields), and to DOCX (:mod:`docx_writer`) for centres that amend forms in
Word.  It also writes ``forms/index.json``: every form, its files and its
field names, and adds ``specc portfolio from-forms`` (:mod:`commands`,
:mod:`readback`), which reads filled forms back into a portfolio.
"""

from __future__ import annotations

import json

from specc import build, plugins
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


def not_shown(spec, forms) -> list[str]:
    """What of ``spec`` no form records, by the field-name scheme
    (plugins/forms/common.py): a unit without ``u<unit>.`` fields, a set of
    evidence requirements with ranges or distinct counts (the spec's own, or
    one a unit is assessed under) without ``rs.<set>.`` fields."""
    from .common import set_key, unit_key

    fields = {f.name for fm in forms for f in fm.fields()}
    heads = {n.split(".", 1)[0] for n in fields}
    sets_shown = {".".join(n.split(".", 2)[:2]) for n in fields if n.startswith("rs.")}
    units = [u for u in spec.units if "." not in u.id]
    out = [f"unit {u.label}" for u in units if unit_key(u) not in heads]
    own = [rs for rs in spec.requirement_sets if rs.origin in (None, spec.document.id)]
    under = [spec.requirement_set(r) for u in units for r in u.assessed_under]
    under = [rs for rs in under if rs is not None and any(r.ranges or r.distinct for r in rs.requirements)]
    out += [f'requirements "{rs.title}"' for rs in dict.fromkeys(own + under) if set_key(rs) not in sets_shown]
    return out


def emit(spec, sink, options):
    styles = plugins.form_styles()
    style = plugins.style_for(styles, spec, options.get("style"))
    if options.get("style") and style is None:
        raise OptionError(f"no form style named {options['style']!r} (have: {', '.join(styles)})")
    forms = style.render(spec, options) if style else render_generic(spec, options)
    name = style.name if style else "generic"
    missing = not_shown(spec, forms)
    if missing:
        raise plugins.CannotShow("forms", name, missing)
    formats = _formats(options)
    jobs = [(fm, spec.document.body.name, name, formats, edition(spec.document)) for fm in forms]
    # incremental seam: a form whose model (and body, style, formats) is what
    # the last build rendered keeps its files (specc.sink.Sink.reuse)
    stems = [(sink.name(fm.group) + "/" if fm.group else "") + sink.name(fm.id) for fm in forms]
    keys = [sink.key(*j) for j in jobs]
    kept = [sink.reuse([f"forms/{stem}.{ext}" for ext in FORMATS if ext in formats], k) for stem, k in zip(stems, keys, strict=True)]
    todo = [j for j, k in zip(jobs, kept, strict=True) if not k]
    # PDF rendering is CPU-bound: use the cores unless we already run in a worker
    import multiprocessing

    if len(todo) > 2 and not build.in_build_worker() and not multiprocessing.current_process().daemon and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(min(len(todo), multiprocessing.cpu_count() or 1)) as pool:
            fresh = iter(pool.map(_render_one, todo, chunksize=1))
    else:
        fresh = iter([_render_one(j) for j in todo])
    index = []
    for fm, stem, key, was_kept in zip(forms, stems, keys, kept, strict=True):
        if was_kept:
            paths = {ext: sink.output_path(f"forms/{stem}.{ext}") for ext in FORMATS if ext in formats}
        else:
            files = next(fresh)
            paths = {ext: sink.write(f"forms/{stem}.{ext}", files[ext], key=key) for ext in FORMATS if ext in files}
        index.append({"id": fm.id, "title": fm.title, "subtitle": fm.subtitle, "group": fm.group, "files": paths, "fields": [f.name for f in fm.fields()]})
    sink.write("forms/index.json", json.dumps({"style": name, "forms": index}, indent=2, ensure_ascii=False) + "\n")


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
