"""The generated portfolio validator: a standalone Python module per qualification.

A generated validator is the source of :mod:`.runtime` (read from its file,
so it is the code the tests import) with the runtime's data block replaced by
one qualification's data: the model of :mod:`.model` (units, criteria,
slots, ranges, rules, barred pairs, and every text shown in messages) as
Python literals made by :func:`literal.py`.  Nothing from a spec reaches the
generated code except as an inert ``repr()`` literal.

In process (``specc validate``, :mod:`.examples`, the tests) no source is
generated: :func:`module_for` imports a fresh copy of the runtime and hands it
the same data (:func:`runtime._install`).
"""

from __future__ import annotations

import importlib.util
import json
import types
from pathlib import Path
from typing import Any

from specc import __version__, ir

from . import runtime
from .literal import py
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
    """The values of the data block for ``model`` (plain JSON data: lists, not tuples)."""
    plain = json.loads(json.dumps(model))
    return {
        "GENERATOR": f"specc {__version__}",
        "DOCUMENT": plain["document"],
        "QUALIFICATION": plain["qualification"],
        "METHODS": plain["methods"],
        "UNITS": plain["units"],
        "MANDATORY": plain["mandatory"],
        "RULES": plain["rules"],
        "BARRED": plain["barred"],
        "DIFFERENT": plain.get("different", {}),
    }


def render_model(model: dict) -> str:
    head, tail = runtime_source()
    block = []
    for name, value in data(model).items():
        if name == "UNITS":
            block.append(UNITS_COMMENT.rstrip("\n"))
        block.append(f"{name} = {py(value)}\n")
    return head + DATA_START + "\n".join(block) + DATA_END + tail


def render(spec: ir.Spec, q: ir.Qualification) -> str:
    """The source of the validator module for qualification ``q`` of ``spec``."""
    return render_model(qualification_model(spec, q))


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
