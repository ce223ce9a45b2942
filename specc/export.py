"""The IR as plain JSON data (what ``specc ir`` prints and ``ir-json`` writes).

The shape is documented by the JSON Schema in ``specc/schemas/ir.schema.json``,
generated from the IR classes by :mod:`specc.irschema`.
Spans are left out (they depend on layout, not meaning); rules carry a
``kind`` tag; texts are their normalised strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs

from . import ir
from . import jsontext

FORMAT_VERSION = 2
_TAGGED = (ir.MinTotal, ir.MaxTotal, ir.Mandatory, ir.CreditsFrom, ir.Remaining)


def _kind(cls: type) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", cls.__name__).lower()


def to_data(obj: Any) -> Any:
    if isinstance(obj, ir.Text):
        return obj.value
    if isinstance(obj, (ir.Level, ir.PartialDate)):
        return str(obj)
    if attrs.has(type(obj)):
        out: dict[str, Any] = {}
        if isinstance(obj, _TAGGED):
            out["kind"] = _kind(type(obj))
        for a in attrs.fields(type(obj)):
            if a.name == "span":
                continue
            out[a.name] = to_data(getattr(obj, a.name))
        return out
    if isinstance(obj, (tuple, list)):
        return [to_data(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    return obj


def _spec_fields(spec: ir.Spec) -> Iterator[tuple[str, Any]]:
    """The top-level names of the IR as JSON and their values, still IR."""
    yield "specc_ir", FORMAT_VERSION
    for a in attrs.fields(ir.Spec):
        if a.name not in ("span", "files"):
            yield a.name, getattr(spec, a.name)


def spec_data(spec: ir.Spec) -> dict:
    return {name: to_data(value) for name, value in _spec_fields(spec)}


def dumps(data: Any) -> str:
    """Canonical JSON text: sorted keys, two-space indent, UTF-8, final newline."""
    return _nested(data, 0) + "\n"


def _nested(data: Any, level: int) -> str:
    """:func:`dumps` of ``data`` (no final newline) as it reads ``level`` deep
    in an enclosing value."""
    return jsontext.dumps(data, 2, level, sort_keys=True)


def chunks(spec: ir.Spec) -> Iterator[str]:
    """``dumps(spec_data(spec))`` in pieces: one per element of each of the
    spec's lists (units, groups, ...), each converted when it is written, so
    the IR of a large spec is never held whole as JSON data."""
    yield "{"
    for i, (name, value) in enumerate(sorted(_spec_fields(spec), key=lambda f: f[0])):
        yield f"{',' if i else ''}\n  {jsontext.dumps(name)}: "
        if isinstance(value, tuple) and value:
            yield "["
            for j, x in enumerate(value):
                yield f"{',' if j else ''}\n    {_nested(to_data(x), 2)}"
            yield "\n  ]"
        else:
            yield _nested(to_data(value), 1)
    yield "\n}\n"
