"""Python literals for data embedded in generated code.

Every value from a spec that ends up in a generated module goes through
:func:`py`: strings through ``repr()``, which always yields a complete,
inert string literal (quotes, backslashes, newlines, triple quotes and
control characters are escaped), containers element by element.  Nothing from
a spec is ever pasted into code as text, so a spec cannot inject code.
"""

from __future__ import annotations

import math
from typing import Any


class PyLiteral(str):
    """Text known to be a Python literal made by :func:`py`."""


def _flat(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return repr(v)
    if isinstance(v, int):
        return repr(int(v))
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot embed {v!r}")
        return repr(v)
    if isinstance(v, str):
        return repr(str(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_flat(x) for x in v) + "]"
    if isinstance(v, dict):
        for k in v:
            if not isinstance(k, str):
                raise TypeError(f"dict keys must be strings, not {type(k).__name__}")
        return "{" + ", ".join(f"{_flat(k)}: {_flat(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot embed a {type(v).__name__} in generated code")


def py(v: Any, indent: int = 0, width: int = 100) -> PyLiteral:
    """``v`` as a Python literal, one element per line where it would not fit
    in ``width`` columns after ``indent`` spaces (with trailing commas)."""
    flat = _flat(v)
    if len(flat) + indent <= width or not isinstance(v, (list, tuple, dict)) or not v:
        return PyLiteral(flat)
    pad = " " * (indent + 4)
    lines = []
    if isinstance(v, dict):
        for k, x in v.items():
            key = _flat(k) + ": "
            lines.append(f"{pad}{key}{py(x, indent + 4, width)},")
        return PyLiteral("{\n" + "\n".join(lines) + "\n" + " " * indent + "}")
    for x in v:
        lines.append(f"{pad}{py(x, indent + 4, width)},")
    return PyLiteral("[\n" + "\n".join(lines) + "\n" + " " * indent + "]")
