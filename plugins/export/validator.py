"""The generated portfolio validator: a standalone Python module per qualification.

A generated validator is the source of :mod:`.runtime` (read from its file,
so it is the code the tests import) with the runtime's data block replaced by
one qualification's data: the model of :mod:`.model` (units, criteria,
slots, ranges, rules, barred pairs, and every text shown in messages) as
Python literals made by :func:`literal.py` (written in pieces, a unit at a
time: :func:`chunks`).  Nothing from a spec reaches the
generated code except as an inert ``repr()`` literal.

In process (``specc validate``, :mod:`.examples`, the tests) no source is
generated: :func:`module_for` imports a fresh copy of the runtime and hands it
the same data (:func:`runtime._install`).
"""

from __future__ import annotations

import importlib.util
import json
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from specc import __version__, ir

from . import runtime
from .literal import py_chunks
from .model import qualification_model

RUNTIME = Path(runtime.__file__)
DATA_START = "# ---- data: the qualification (a generated validator has its own here) ----\n"
DATA_END = "# ---- end of data ----\n"
DATA_NAMES = ("GENERATOR", "DOCUMENT", "QUALIFICATION", "METHODS", "UNITS", "MANDATORY", "RULES", "BARRED", "DIFFERENT")
UNITS_COMMENT = (
    "# unit id -> credits, whether mandatory, permitted environments (None: any),\n"
    "# criteria (with their demands, the criteria whose evidence they may reuse and\n"
    '# whether simulation is "allowed", "exceptional" or "forbidden") and the\n'
    "# requirement sets it is assessed under\n"
)


def runtime_source() -> tuple[str, str]:
    """The runtime's source before and after its data block."""
    text = RUNTIME.read_text(encoding="utf-8")
    head, rest = text.split(DATA_START, 1)
    _, tail = rest.split(DATA_END, 1)
    return head, tail


def data(model: dict) -> dict[str, Any]:
    """The values of the data block for ``model`` as plain JSON data (lists,
    not tuples): a copy, so a runtime they are installed in shares nothing
    with the model."""
    return _values(json.loads(json.dumps(model)))


def _values(model: Mapping) -> dict[str, Any]:
    """The data block's names and their values, taken from ``model`` as it is."""
    return {
        "GENERATOR": f"specc {__version__}",
        "DOCUMENT": model["document"],
        "QUALIFICATION": model["qualification"],
        "METHODS": model["methods"],
        "UNITS": model["units"],
        "MANDATORY": model["mandatory"],
        "RULES": model["rules"],
        "BARRED": model["barred"],
        "DIFFERENT": model.get("different", {}),
    }


def render(spec: ir.Spec, q: ir.Qualification) -> str:
    """The source of the validator module for qualification ``q`` of ``spec``."""
    return "".join(chunks(spec, q))


def chunks(spec: ir.Spec, q: ir.Qualification) -> Iterator[str]:
    """:func:`render` in pieces, one per unit in the units' part: each unit's
    model is made (:class:`.model.UnitModels`), written as a literal and let
    go in turn, so a large qualification is never held whole as data (the
    model is plain data already, so it needs no JSON copy: :func:`py` writes
    tuples as lists)."""
    head, tail = runtime_source()
    yield head + DATA_START
    for i, (name, value) in enumerate(_values(qualification_model(spec, q, lazy_units=True)).items()):
        if i:
            yield "\n"
        if name == "UNITS":
            yield UNITS_COMMENT
        yield f"{name} = "
        yield from py_chunks(value)
        yield "\n"
    yield DATA_END + tail


def fresh_runtime(name: str = "specc_portfolio_validator") -> types.ModuleType:
    """A new copy of the runtime module (its own globals; not in sys.modules)."""
    found = importlib.util.spec_from_file_location(name, RUNTIME)
    assert found is not None and found.loader is not None
    mod = importlib.util.module_from_spec(found)
    found.loader.exec_module(mod)
    return mod


def module_for_model(model: dict, name: str = "specc_portfolio_validator") -> types.ModuleType:
    """The validator of ``model`` as a module: the runtime with its data installed."""
    mod = fresh_runtime(name)
    mod._install(data(model))
    return mod


def module_for(spec: ir.Spec, q: ir.Qualification) -> types.ModuleType:
    return module_for_model(qualification_model(spec, q), "validator_" + "".join(ch if ch.isalnum() else "_" for ch in q.id))


def load(source: str, name: str = "specc_portfolio_validator") -> types.ModuleType:
    """Execute generated source as a fresh module (not added to sys.modules).
    For tests and tools that check the generated file itself; specc loads
    validators with :func:`module_for`."""
    mod = types.ModuleType(name)
    mod.__file__ = f"<{name}>"
    exec(compile(source, mod.__file__, "exec"), mod.__dict__)  # noqa: S102 - our own generated code
    return mod
