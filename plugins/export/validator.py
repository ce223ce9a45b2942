"""The generated portfolio validator: a standalone Python module per qualification.

The module is ``templates/validator.py.j2`` rendered with Jinja2.  The
template's code is the same for every qualification; the qualification itself
(units, criteria, slots, ranges, rules, barred pairs, and every text shown in
messages) is embedded as data literals made by :func:`literal.py`.  The
Jinja2 environment refuses to print anything that did not come through that
filter, so no spec text can reach the generated code except as an inert
``repr()`` string literal.
"""

from __future__ import annotations

import functools
import types
from pathlib import Path
from typing import Any

from specc import __version__, ir

from .literal import PyLiteral, py
from .model import qualification_model

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _only_literals(value: Any) -> Any:
    if not isinstance(value, PyLiteral):
        raise TypeError(f"the validator template may only print `| py` literals, not {type(value).__name__} {str(value)[:40]!r}")
    return value


@functools.cache
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # noqa: S701 - the output is Python, every value goes through `py`
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_only_literals,
    )
    env.filters["py"] = py
    return env


def render_model(model: dict) -> str:
    return _environment().get_template("validator.py.j2").render(model=model, generator=f"specc {__version__}")


def render(spec: ir.Spec, q: ir.Qualification) -> str:
    """The source of the validator module for qualification ``q`` of ``spec``."""
    return render_model(qualification_model(spec, q))


def load(source: str, name: str = "specc_portfolio_validator") -> types.ModuleType:
    """Execute generated source as a fresh module (not added to sys.modules)."""
    mod = types.ModuleType(name)
    mod.__file__ = f"<{name}>"
    exec(compile(source, mod.__file__, "exec"), mod.__dict__)  # noqa: S102 - our own generated code
    return mod


def module_for(spec: ir.Spec, q: ir.Qualification) -> types.ModuleType:
    return load(render(spec, q), "validator_" + "".join(ch if ch.isalnum() else "_" for ch in q.id))
