"""Evidence slots: the one place that says how a spec's demands and ranges
become numbered places to record evidence.

Printable forms give one input per slot, and the portfolio schema and the
generated validators refer to the same ids, so a filled form and a portfolio
line up.  Import this module rather than re-deriving an id anywhere.

* A criterion's demands, in order, each give ``count`` slots:
  demand ``i`` (1-based) item ``n`` is ``d{i}_{n}``; its label is the demand's
  counted noun in the singular with the number, e.g. ``Customer service task
  2`` (no number when one is demanded: ``Reason``).  An
  ``at least`` demand may be met by more items than its count; the extra ones
  are ``d{i}_{n}`` with ``n`` beyond the count (:func:`demand_slot_pattern`).
* A requirement's range items are ``r{requirement}{letter}`` (``r5a``).
* A requirement's distinct count (``distinct 2 "communication media"``) gives
  ``r{requirement}x{n}`` (``r7x1``, ``r7x2``): each records one of the
  different things.

Ids are unique within a criterion (demand slots) and within a requirement set
(range and distinct slots), which is how they are scoped: forms prefix them
with the unit and criterion (``u001.c1_2.d1_3``) or the set
(``rs.<set>.r5a``); a portfolio records them on the evidence items of a
criterion (``covers``) and, per requirement set, on the unit's items
(``ranges``, ``distinct``).

A demand with ``of which ... by METHODS`` gives its slots those ``methods``:
each slot also records how its item was evidenced (forms add a method field).

Example: ``demand 3 "customer service tasks" different occasions`` as the
first demand of a criterion gives::

    d1_1  Customer service task 1
    d1_2  Customer service task 2
    d1_3  Customer service task 3
"""

from __future__ import annotations

import functools
import re

from attrs import frozen

from . import ir


@frozen
class Slot:
    id: str  # "d1_2"
    label: str  # "Customer service task 2"
    demand: int  # 1-based index of the demand in the criterion
    n: int  # 1-based item number within the demand
    different: str | None = None  # "occasions", "customers", ... from the demand
    required: bool = True  # False for slots beyond an "at least" minimum (none are generated)
    methods: tuple[str, ...] = ()  # the demand's `of which ... by` methods: the slot records its method


@frozen
class RangeSlot:
    id: str  # "r5a"
    letter: str
    label: str
    requirement: int


@frozen
class DistinctSlot:
    id: str  # "r7x1"
    label: str  # "Communication media 1"
    requirement: int
    n: int


# words after which a demand's noun phrase no longer names the counted thing
# ("pieces of information", "ways to greet customers", "types of body
# language that affect customers")
_QUALIFIERS = frozenset("of to that which who from with for relating using they in on at by about when where".split())


@functools.lru_cache(maxsize=1)
def _inflect():
    import inflect

    return inflect.engine()


@functools.lru_cache(maxsize=4096)
def singular(what: str) -> str:
    """The counted noun phrase of a demand in the singular, as a form labels
    one item: ``pieces of information`` -> ``piece of information``,
    ``customer requests or queries`` -> ``customer request or query``."""
    words = what.split()
    end = next((i for i, w in enumerate(words) if w.lower() in _QUALIFIERS), len(words))
    heads = [i for i in range(end) if i == end - 1 or words[i + 1].lower() in ("or", "and")]
    for i in heads:
        w = words[i]
        if len(w) > 2 and w[-1:].lower() == "s" and w.isalpha():
            one = _inflect().singular_noun(w)
            if one:
                words[i] = one
    return " ".join(words)


def label(what: str, n: int, count: int | None = None) -> str:
    """How a form labels item ``n`` of ``count`` demanded: ``("customer
    service tasks", 2, 3)`` -> ``"Customer service task 2"``; one asked for
    has no number (``("reasons", 1, 1)`` -> ``"Reason"``)."""
    w = singular(what.strip())
    w = f"{w[:1].upper()}{w[1:]}" if w else "Item"
    return w if count == 1 else f"{w} {n}"




def demand_slot_id(demand: int, n: int) -> str:
    """The id of item ``n`` of demand ``demand`` (both 1-based): ``d1_2``."""
    return f"d{demand}_{n}"


def demand_slot_pattern(demand: int) -> str:
    """A regular expression (JSON Schema / ECMA-262 and Python alike) for every
    slot id of demand ``demand``, including items beyond an ``at least`` count."""
    return f"^d{demand}_[1-9][0-9]*$"


def range_slot_id(requirement: int, letter: str) -> str:
    return f"r{requirement}{letter}"


def distinct_slot_id(requirement: int, n: int) -> str:
    return f"r{requirement}x{n}"


def criterion_slots(c: ir.Criterion) -> list[Slot]:
    """Every demanded slot of a criterion, demand by demand."""
    out = []
    for i, d in enumerate(c.demands, start=1):
        for n in range(1, d.count + 1):
            out.append(Slot(demand_slot_id(i, n), label(" or ".join(d.whats), n, d.count), i, n, d.different, methods=d.by.methods if d.by else ()))
    return out


def range_slots(r: ir.Requirement, rg: ir.Range) -> list[RangeSlot]:
    return [RangeSlot(range_slot_id(r.number, it.letter), it.letter, it.text.plain, r.number) for it in rg.items]


def distinct_slots(r: ir.Requirement, d: ir.Distinct) -> list[str]:
    return [distinct_slot_id(r.number, n) for n in range(1, d.count + 1)]


def distinct_slot_list(r: ir.Requirement, d: ir.Distinct) -> list[DistinctSlot]:
    """:func:`distinct_slots` with labels (``Communication media 1``)."""
    return [DistinctSlot(distinct_slot_id(r.number, n), label(d.what, n, d.count), r.number, n) for n in range(1, d.count + 1)]


def requirement_set_slots(rs: ir.RequirementSet) -> list[RangeSlot | DistinctSlot]:
    """Every range and distinct slot of a requirement set, in requirement order."""
    out: list[RangeSlot | DistinctSlot] = []
    for r in rs.requirements:
        for rg in r.ranges:
            out.extend(range_slots(r, rg))
        for d in r.distinct:
            out.extend(distinct_slot_list(r, d))
    return out


_SLOT_RE = re.compile(r"d([1-9][0-9]*)_([1-9][0-9]*)")


def parse_demand_slot(slot_id: str) -> tuple[int, int] | None:
    """``"d1_2"`` -> ``(1, 2)``; None for anything else."""
    m = _SLOT_RE.fullmatch(slot_id)
    return (int(m.group(1)), int(m.group(2))) if m else None
