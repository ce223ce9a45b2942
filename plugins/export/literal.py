"""Python literals for data embedded in generated code.

Every value from a spec that ends up in a generated module goes through
:func:`py`: strings through ``repr()``, which always yields a complete,
inert string literal (quotes, backslashes, newlines, triple quotes and
control characters are escaped), containers element by element.  Nothing from
a spec is ever pasted into code as text, so a spec cannot inject code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any


class PyLiteral(str):
    """Text known to be a Python literal made by :func:`py`."""


def _container(v: Any) -> bool:
    t = type(v)  # (the common types first: an abstract class's check is slow)
    if t is list or t is tuple or t is dict:
        return True
    if t is str or t is int or t is bool or v is None:
        return False
    return isinstance(v, (list, tuple, dict, Mapping))


def _flat(v: Any) -> str:
    t = type(v)  # (the common types first, as _container)
    if t is str or t is int:
        return repr(v)
    if t is list or t is tuple:
        return "[" + ", ".join([_flat(x) for x in v]) + "]"
    if t is dict:
        _keys(v)
        return "{" + ", ".join([f"{_flat(k)}: {_flat(x)}" for k, x in v.items()]) + "}"
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
    if isinstance(v, (dict, Mapping)):
        _keys(v)
        return "{" + ", ".join(f"{_flat(k)}: {_flat(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot embed a {type(v).__name__} in generated code")


def _keys(v: Mapping) -> None:
    for k in v:
        if not isinstance(k, str):
            raise TypeError(f"dict keys must be strings, not {type(k).__name__}")


def _within(v: Any, room: int) -> str | None:
    """``_flat(v)`` if it is at most ``room`` characters, else None -- found
    without flattening more of a large value than fits."""
    if not _container(v) or not v:
        flat = _flat(v)
        return flat if len(flat) <= room else None
    parts = []
    used = 2  # the brackets
    mapping = type(v) is dict or isinstance(v, Mapping)
    if mapping:
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
    return ("{" if mapping else "[") + ", ".join(parts) + ("}" if mapping else "]")


def py(v: Any, indent: int = 0, width: int = 100) -> PyLiteral:
    """``v`` as a Python literal, one element per line where it would not fit
    in ``width`` columns after ``indent`` spaces (with trailing commas).
    Linear in the size of ``v``: a container is flattened only as far as it
    can fit on its line."""
    out: list[str] = []
    _py(v, indent, width, out)
    return PyLiteral("".join(out))


def _py(v: Any, indent: int, width: int, out: list[str]) -> None:
    """:func:`py` of ``v`` appended to ``out`` (as :func:`py_chunks` writes
    it, without a generator for every container inside)."""
    line = _on_one_line(v, indent, width)
    if line is not None:
        out.append(line)
        return
    opening, elements, closing = _split(v, indent)
    out.append(opening)
    for head, x in elements:
        out.append(head)
        _py(x, indent + 4, width, out)
        out.append(",\n")
    out.append(closing)


def _on_one_line(v: Any, indent: int, width: int) -> str | None:
    """``v`` flat, if it is not a container or it fits on its line."""
    if not _container(v) or not v:
        return _flat(v)
    return _within(v, width - indent)


def _split(v: Any, indent: int) -> tuple[str, Iterator[tuple[str, Any]], str]:
    """A container written an element per line: its opening line, (what
    begins an element's line, the element) as it is iterated, its closing."""
    pad = " " * (indent + 4)
    if type(v) is dict or isinstance(v, Mapping):
        _keys(v)
        return "{\n", ((f"{pad}{_flat(k)}: ", x) for k, x in v.items()), " " * indent + "}"
    return "[\n", ((pad, x) for x in v), " " * indent + "]"


def py_chunks(v: Any, indent: int = 0, width: int = 100) -> Iterator[str]:
    """:func:`py` of ``v`` in pieces: a container that does not fit on its
    line gives one piece per element (its line, with its comma and newline),
    made as the container is iterated.  So a large mapping whose values are
    made when asked for (any :class:`~collections.abc.Mapping`) is never held
    whole, as data or as text."""
    line = _on_one_line(v, indent, width)
    if line is not None:
        yield line
        return
    opening, elements, closing = _split(v, indent)
    yield opening
    for head, x in elements:
        yield f"{head}{py(x, indent + 4, width)},\n"
    yield closing
