"""CfA evidence requirements: per unit its numbered requirements as
published, lettered range items under a plain statement of what is required
(all of them, or at least k of n), distinct counts, permitted methods, and
where evidence may come from."""

from __future__ import annotations

from pathlib import Path

from specc_plugins.handbook import common as h
from specc import ir
from specc.hookspecs import hookimpl
from specc.plugins import HandbookStyle

TEMPLATES = Path(__file__).parent / "templates"


def render(spec: ir.Spec, options: dict) -> str:
    return h.render(TEMPLATES, spec)


@hookimpl
def specc_handbook_styles():
    return [HandbookStyle("cfa", ("cfa",), "CfA evidence requirements, unit by unit", render)]
