"""Evidence slots: the one place that says how a spec's demands and ranges
become numbered places to record evidence.

Printable forms give one input per slot and the portfolio schema and
validators refer to the same ids, so a filled form and a portfolio line up.

* A criterion's demands, in order, each give ``count`` slots:
  demand ``i`` (1-based) item ``n`` is ``d{i}_{n}``; its label is the demand's
  counted noun with the number, e.g. ``Customer service tasks 2``.
* A requirement's range items are ``r{requirement}{letter}`` (``r5a``);
  a distinct count gives ``r{requirement}x{n}``.
"""

from __future__ import annotations

from attrs import frozen

from . import ir


@frozen
class Slot:
    id: str  # "d1_2"
    label: str  # "Customer service tasks 2"
    demand: int  # 1-based index of the demand in the criterion
    n: int  # 1-based item number within the demand
    different: str | None = None  # "occasions", "customers", ... from the demand
    required: bool = True  # False for slots beyond an "at least" minimum (none are generated)


@frozen
class RangeSlot:
    id: str  # "r5a"
    letter: str
    label: str
    requirement: int


def _label(what: str, n: int) -> str:
    w = what.strip()
    return f"{w[:1].upper()}{w[1:]} {n}" if w else f"Item {n}"


def criterion_slots(c: ir.Criterion) -> list[Slot]:
    out = []
    for i, d in enumerate(c.demands, start=1):
        for n in range(1, d.count + 1):
            out.append(Slot(f"d{i}_{n}", _label(d.what, n), i, n, d.different))
    return out


def range_slots(r: ir.Requirement, rg: ir.Range) -> list[RangeSlot]:
    return [RangeSlot(f"r{r.number}{it.letter}", it.letter, it.text.plain, r.number) for it in rg.items]


def distinct_slots(r: ir.Requirement, d: ir.Distinct) -> list[str]:
    return [f"r{r.number}x{n}" for n in range(1, d.count + 1)]
