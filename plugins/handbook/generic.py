"""The handbook layout for a spec whose body has no house style: every part
of the spec, plainly (qualifications, rules, units, evidence requirements)."""

from __future__ import annotations

from pathlib import Path

from specc import ir

from . import common as h

TEMPLATES = Path(__file__).parent / "templates"


def render_generic(spec: ir.Spec, options: dict) -> str:
    return h.render(TEMPLATES, spec, "generic.rst.j2")
