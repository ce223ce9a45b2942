"""The handbook layout for a spec whose body has no house style: every part
of the spec, plainly (qualifications, rules, units, evidence requirements)."""

from __future__ import annotations

from pathlib import Path

from specc import ir, prose

from . import common as h
from . import rst

TEMPLATES = Path(__file__).parent / "templates"


def render_generic(spec: ir.Spec, options: dict) -> str:
    return rst.render(TEMPLATES, "generic.rst.j2", spec=spec, doc=spec.document, h=h, units=h.own_units(spec),
                      sets=h.own_requirement_sets(spec), labels=h.method_labels(spec), number_word=prose.number_word)
