"""Print rules of the recording forms, read from WeasyPrint's laid-out pages
(tests/forms_layout.py): room to write, type sizes and page breaks.  The
default run checks one unit pack per body; every form of every spec runs
under the ``slow`` marker."""

from __future__ import annotations

import pytest

from specc import plugins
from specc_plugins.forms import edition
from specc_plugins.forms import render as r
from specc_plugins.forms.generic import render_generic
from tests.forms_layout import blocks_on_pages, violations


def all_forms(spec):
    style = plugins.style_for(plugins.form_styles(), spec, None)
    forms = style.render(spec, {}) if style else render_generic(spec, {})
    return style.name if style else "generic", list(forms)


def laid_out(spec, fm, style):
    return r.layout(r.to_html(fm, spec.document.body.name, style, edition(spec.document)))


def check(spec, fm, style):
    doc = laid_out(spec, fm, style)
    bad = violations(doc)
    assert not bad, (fm.id, bad[:8], blocks_on_pages(doc))
    return doc


# one unit pack per body: the C&G unit with the most demanded slots, the NCFE
# unit assessed under CfA requirements, the CfA set with the most range items
@pytest.mark.parametrize("sid", ["cg4411", "ncfe_601_3972_9", "cfa_cs"])
def test_one_unit_pack_per_body_keeps_the_print_rules(specs, sid):
    spec = specs[sid]
    style, forms = all_forms(spec)
    units = [f for f in forms if f.group in ("units", "requirements")]
    fm = max(units, key=lambda f: len(f.fields()))
    doc = check(spec, fm, style)
    assert len(doc.pages) >= 2


def test_every_evidence_record_kind_keeps_the_print_rules(specs):
    spec = specs["cg4411"]
    style, forms = all_forms(spec)
    seen = set()
    for fm in forms:
        kind = fm.id.split("-", 2)[-1] if fm.group == "evidence-records" else None
        if kind and kind not in seen:
            seen.add(kind)
            check(spec, fm, style)
    assert len(seen) == 5, seen


def _with_spacer(html: str, mm: int) -> str:
    """The form pushed down by a blank block before its first section."""
    return html.replace('<section class="keep" data-sec="1">', f'<div style="height: {mm}mm"></div><section class="keep" data-sec="1">', 1)


def test_the_rules_catch_a_breach(specs):
    """Small type and short fields are reported; without the keep rules a
    page break lands inside a section somewhere as the form is pushed down
    the page, and with them it never does."""
    spec = specs["cg4411"]
    style, forms = all_forms(spec)
    fm = next(f for f in forms if f.id == "unit-101-observation-record")
    html = r.to_html(fm, spec.document.body.name, style, edition(spec.document))
    small = html.replace("p.note { font-size: 9pt; }", "p.note { font-size: 7pt; }").replace("input[type=text], select { height: 8.5mm; }", "")
    found = violations(r.layout(small))
    assert any("printed at 7.0 pt" in v for v in found)
    assert any("mm tall (at least 8 mm)" in v for v in found)
    loose = html
    for rule in ("section.keep { break-inside: avoid; }", "table.signatures { break-inside: avoid; }", "tr.lead-row { break-after: avoid; }"):
        assert rule in loose
        loose = loose.replace(rule, "")
    loose = loose.replace("break-after: avoid;", "")
    broken, kept = [], []
    for mm in range(150, 260, 20):
        broken += violations(r.layout(_with_spacer(loose, mm)))
        kept += violations(r.layout(_with_spacer(html, mm)))
    assert any("split over pages" in v or "not on the page of its lead-in" in v or "ends with the heading" in v for v in broken), broken
    assert not kept, kept


@pytest.mark.slow
@pytest.mark.parametrize("sid", ["cg4411", "ncfe_601_3972_9", "cfa_cs"])
def test_every_form_keeps_the_print_rules(specs, sid):
    spec = specs[sid]
    style, forms = all_forms(spec)
    failures = {}
    for fm in forms:
        bad = violations(laid_out(spec, fm, style))
        if bad:
            failures[fm.id] = bad[:4]
    assert not failures, failures
