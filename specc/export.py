"""The IR as plain JSON data (what ``specc ir`` prints and ``ir-json`` writes).

The shape is documented by the JSON Schema in ``specc/schemas/ir.schema.json``,
generated from the IR classes by :mod:`specc.irschema`.
Spans are left out (they depend on layout, not meaning); rules carry a
``kind`` tag; texts are their normalised strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from . import ir

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


def spec_data(spec: ir.Spec) -> dict:
    data = to_data(spec)
    data.pop("files", None)
    data["methods"] = [m for m in data["methods"]]
    return {"specc_ir": FORMAT_VERSION, **data}


def dumps(data: Any) -> str:
    """Canonical JSON text: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
