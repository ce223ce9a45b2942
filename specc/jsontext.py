"""JSON text made a part at a time, for documents too large to hold whole.

A document is plain JSON data in which an object may be :class:`Members`:
its members come from a function called when the text is written (or the
document :func:`materialised <materialise>`), so only one member's value is
in memory at a time.  :func:`chunks` gives the text of
``json.dumps(document, indent=indent, ensure_ascii=False)`` -- the same
bytes -- as a series of strings: each member of a :class:`Members` is dumped
whole by :func:`json.dumps` (so its value must be plain JSON data), the
plain objects around them are walked.  A sink writes such a series as it
comes (:meth:`specc.sink.Sink.write`).
"""

from __future__ import annotations

import json
import json.encoder
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Members:
    """A JSON object whose ``(key, value)`` members ``pairs()`` produces,
    afresh each time it is iterated (written or materialised)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: Callable[[], Iterable[tuple[str, Any]]]):
        self.pairs = pairs

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.pairs())


def materialise(value: Any) -> Any:
    """``value`` with every :class:`Members` (at any depth) made a dict."""
    if isinstance(value, Members | dict):
        return {k: materialise(v) for k, v in (value if isinstance(value, Members) else value.items())}
    if isinstance(value, list):
        return [materialise(v) for v in value]
    return value


def chunks(value: Any, indent: int = 2) -> Iterator[str]:
    """The text of ``json.dumps(value, indent=indent, ensure_ascii=False)``
    (``value`` materialised), a part at a time: one part per member of a
    :class:`Members`, a few for the plain objects around them."""
    yield from _text(value, indent, 0)


def _text(value: Any, indent: int, level: int) -> Iterator[str]:
    if isinstance(value, Members | dict):
        items = iter(value) if isinstance(value, Members) else iter(value.items())
        walk = isinstance(value, dict)  # a Members' values are dumped whole
        inner = "\n" + " " * (indent * (level + 1))
        first = True
        for key, v in items:
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys here must be str, not {type(key).__name__}")
            head = ("{" if first else ",") + inner + json.dumps(key, ensure_ascii=False) + ": "
            first = False
            if walk and isinstance(v, Members | dict):
                yield head
                yield from _text(v, indent, level + 1)
            else:
                yield head + _dump(v, indent, level + 1)
        yield "{}" if first else "\n" + " " * (indent * level) + "}"
    else:
        yield _dump(value, indent, level)


def _dump(value: Any, indent: int, level: int) -> str:
    return dumps(value, indent, level)


def dumps(value: Any, indent: int = 2, level: int = 0, sort_keys: bool = False) -> str:
    """``nested(json.dumps(value, indent=indent, ensure_ascii=False,
    sort_keys=sort_keys), indent * level)``: the same text, written by one
    recursive function (with the C string encoder json uses) rather than by
    the standard library's indenting encoder, which is Python making a
    generator for every container (half of the portfolio schema's text
    time, and nearly all of its young collections).  A value that is not
    plain JSON data (floats, subclasses, keys that are not text) is left to
    json."""
    out: list[str] = []
    try:
        _put(value, out, "\n" + " " * (indent * level), " " * indent, sort_keys)
    except _Unusual:
        return nested(json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=sort_keys), indent * level)
    return "".join(out)


class _Unusual(Exception):
    """A value :func:`dumps` leaves to json."""


def _put(v: Any, out: list[str], nl: str, step: str, sort: bool) -> None:
    t = type(v)
    if t is str:
        out.append(_string(v))
    elif t is dict:
        if not v:
            out.append("{}")
            return
        inner, lead = nl + step, "{"
        if any(type(k) is not str for k in v):
            raise _Unusual
        for k, x in sorted(v.items(), key=_key) if sort else v.items():
            out.append(lead + inner + _string(k) + ": ")
            lead = ","
            _put(x, out, inner, step, sort)
        out.append(nl + "}")
    elif t is list or t is tuple:
        if not v:
            out.append("[]")
            return
        inner, lead = nl + step, "["
        for x in v:
            out.append(lead + inner)
            lead = ","
            _put(x, out, inner, step, sort)
        out.append(nl + "]")
    elif v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif t is int:
        out.append(int.__repr__(v))
    else:
        raise _Unusual


_key = operator.itemgetter(0)
_string = json.encoder.encode_basestring  # (json's own, in C where built: ensure_ascii=False)


def nested(text: str, spaces: int) -> str:
    """Indented JSON ``text`` as it reads inside an enclosing value whose
    lines are indented ``spaces`` more: every newline in JSON text is between
    tokens (a JSON string never holds a raw newline), so each starts a line."""
    return text.replace("\n", "\n" + " " * spaces) if spaces else text
