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


def _keys(v: dict) -> None:
    for k in v:
        if not isinstance(k, str):
            raise TypeError(f"dict keys must be strings, not {type(k).__name__}")


def _within(v: Any, room: int) -> str | None:
    """``_flat(v)`` if it is at most ``room`` characters, else None -- found
    without flattening more of a large value than fits."""
    if not isinstance(v, (list, tuple, dict)) or not v:
        flat = _flat(v)
        return flat if len(flat) <= room else None
    parts = []
    used = 2  # the brackets
    if isinstance(v, dict):
        _keys(v)
        pairs = v.items()
    else:
        pairs = ((None, x) for x in v)
    for k, x in pairs:
        head = "" if k is None else _flat(k) + ": "
        body = _within(x, room - used - len(head))
        if body is None:
            return None
        parts.append(head + body)
        used += len(head) + len(body) + (2 if len(parts) > 1 else 0)
        if used > room:
            return None
    return ("{" if isinstance(v, dict) else "[") + ", ".join(parts) + ("}" if isinstance(v, dict) else "]")


def py(v: Any, indent: int = 0, width: int = 100) -> PyLiteral:
    """``v`` as a Python literal, one element per line where it would not fit
    in ``width`` columns after ``indent`` spaces (with trailing commas).
    Linear in the size of ``v``: a container is flattened only as far as it
    can fit on its line."""
    if not isinstance(v, (list, tuple, dict)) or not v:
        return PyLiteral(_flat(v))
    flat = _within(v, width - indent)
    if flat is not None:
        return PyLiteral(flat)
    pad = " " * (indent + 4)
    lines = []
    if isinstance(v, dict):
        _keys(v)
        for k, x in v.items():
            key = _flat(k) + ": "
            lines.append(f"{pad}{key}{py(x, indent + 4, width)},")
        return PyLiteral("{\n" + "\n".join(lines) + "\n" + " " * indent + "}")
    for x in v:
        lines.append(f"{pad}{py(x, indent + 4, width)},")
    return PyLiteral("[\n" + "\n".join(lines) + "\n" + " " * indent + "]")
