"""Plain-English sentences for structured rules, shared by every emitter that
prints them (handbooks, achievement summaries, reports).  Body-neutral: house
styles wrap these sentences in their own layout."""

from __future__ import annotations

from collections.abc import Mapping

from . import ir
from .vocab import EVIDENCE_METHODS

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


GRADING = {"pass_fail": "Pass/fail", "pass_only": "Pass only (no grades are awarded)", "graded": "Graded"}


def grading(g: str | None) -> str | None:
    """A qualification's ``grading`` value in words."""
    return None if g is None else GRADING.get(g, g.replace("_", " "))


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def date(d: ir.PartialDate | None) -> str | None:
    """``2025-08`` -> "August 2025" (as handbooks print dates)."""
    if d is None:
        return None
    if d.month is None:
        return str(d.year)
    s = f"{MONTHS[d.month - 1]} {d.year}"
    return f"{d.day} {s}" if d.day else s


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def unit_label(spec: ir.Spec, uid: str) -> str:
    u = spec.unit(uid)
    return f"unit {u.label}" if u else f"unit {uid}"


def sources(spec: ir.Spec, names: tuple[str, ...]) -> str:
    """``group entry3`` -> its title; a unit -> "unit 001"."""
    groups = {g.id: g for g in spec.groups}
    return either([groups[n].title if n in groups else unit_label(spec, n) for n in names])


def units_list(spec: ir.Spec, uids: tuple[str, ...]) -> str:
    labels = [spec.unit(u).label if spec.unit(u) else u for u in uids]
    word = "unit" if len(labels) == 1 else "units"
    if len(labels) <= 1:
        return f"{word} {''.join(labels)}"
    return f"{word} {', '.join(labels[:-1])} and {labels[-1]}"


def rule(spec: ir.Spec, r: ir.Rule) -> str:
    """One rule as a sentence fragment, e.g. "a minimum of 4 credits from
    Entry 3 units 001-010"."""
    if isinstance(r, ir.MinTotal):
        return f"a minimum of {plural(r.credits, 'credit')} in total"
    if isinstance(r, ir.MaxTotal):
        return f"no more than {plural(r.credits, 'credit')} in total"
    if isinstance(r, ir.Mandatory):
        credits = sum((spec.unit(u).credits or 0) for u in r.units if spec.unit(u))
        return f"{plural(credits, 'credit')} from the mandatory {units_list(spec, r.units)}"
    if isinstance(r, ir.CreditsFrom):
        q = {"at_least": "a minimum of", "at_most": "no more than", "exactly": "exactly"}[r.op]
        return f"{q} {plural(r.credits, 'credit')} from {sources(spec, r.sources)}"
    if isinstance(r, ir.Remaining):
        if r.credits is not None:
            minimum = " (minimum)" if r.minimum else ""
            return f"a further {plural(r.credits, 'credit')}{minimum} from {sources(spec, r.sources)}"
        return f"the remaining credits from {sources(spec, r.sources)}"
    raise TypeError(r)


def rules(spec: ir.Spec, q: ir.Qualification) -> list[str]:
    """Each rule of a qualification as a sentence fragment, in order (the
    total first)."""
    totals = [r for r in q.rules if isinstance(r, (ir.MinTotal, ir.MaxTotal))]
    rest = [r for r in q.rules if not isinstance(r, (ir.MinTotal, ir.MaxTotal))]
    return [rule(spec, r) for r in totals + rest]


def barred(spec: ir.Spec, b: ir.Barred) -> str:
    return f"{unit_label(spec, b.a).capitalize()} cannot be taken with {unit_label(spec, b.b)}"


def barred_pairs(spec: ir.Spec, units: tuple[str, ...] | None = None) -> list[str]:
    """Each barred pair once, limited to ``units`` when given."""
    seen, out = set(), []
    for b in spec.barred:
        key = frozenset((b.a, b.b))
        if key in seen or (units is not None and not (b.a in units and b.b in units)):
            continue
        seen.add(key)
        out.append(barred(spec, b))
    return out


def range_rule(rg: ir.Range) -> str:
    n = len(rg.items)
    if rg.choose is None:
        return {1: "the following", 2: "both of the following"}.get(n, f"all {number_word(n)} of the following")
    return f"at least {number_word(rg.choose)} of these {number_word(n)}"


def demand_parts(d: ir.Demand) -> tuple[str, str, str, str]:
    """(qualifier, count in words, what, condition) of a demand, for
    emitters that style the count: ``("at least ", "two", "different
    occasions", "")`` or ``("", "three", "customer service tasks", ", on
    different occasions")``."""
    q = "at least " if d.op == "at_least" else ""
    what, cond = d.what, ""
    for a in d.alternatives:  # either/or: "one product or one service"
        what += f" or {number_word(a.count)} {a.what}"
    if d.different:
        if d.different in what.split():
            # the demanded things themselves differ: "three different methods
            # of communicating", "two different customer service jobs"
            what = f"different {what}"
        elif d.different == "occasions":
            cond = ", on different occasions"
        elif d.different == "customers":
            cond = ", with different customers"
        else:
            cond = f" (different {d.different})"
    return q, number_word(d.count), what, cond


def method_label(method: str, labels: Mapping[str, str] | None = None) -> str:
    """An evidence method as words in a sentence: its label (the spec's, else
    the built-in vocabulary's, else the id) with a capital first letter
    lowered unless the first word is an acronym: ``observation`` ->
    "observation of performance"."""
    label = (labels or {}).get(method) or EVIDENCE_METHODS.get(method) or method.replace("_", " ")
    first = label.split(" ", 1)[0]
    if sum(ch.isupper() for ch in first) == 1 and first[:1].isupper():
        label = label[:1].lower() + label[1:]
    return label


def either(words: list[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b or c" ("" for none)."""
    return "".join(words) if len(words) <= 1 else ", ".join(words[:-1]) + " or " + words[-1]


def demand_by_parts(d: ir.Demand, labels: Mapping[str, str] | None = None) -> tuple[str, str, str] | None:
    """(qualifier, count in words, methods) of a demand's ``of which ... by``
    clause, for emitters that style the count: ``("at least ", "two",
    "observation of performance or witness testimony")``; None without one.
    ``labels``: method id -> label (the spec's methods)."""
    if d.by is None:
        return None
    q = "exactly " if d.by.op == "exactly" else "at least "
    return q, number_word(d.by.count), either([method_label(m, labels) for m in d.by.methods])


def demand(d: ir.Demand, labels: Mapping[str, str] | None = None) -> str:
    """"three customer service tasks, on different occasions"; "four
    customers, of which at least two by observation of performance or
    witness testimony"."""
    q, n, what, cond = demand_parts(d)
    out = f"{q}{n} {what}{cond}"
    by = demand_by_parts(d, labels)
    if by is not None:
        out += f", of which {by[0]}{by[1]} by {by[2]}"
    return out


def exception(text: ir.Text | None) -> str:
    """A simulation rule's exception as a clause to end its sentence with:
    ``", except when realistic practices are staged ..."`` ("" for none)."""
    if text is None:
        return ""
    clause = text.plain.strip().rstrip(".").strip()
    return f", except {clause}" if clause else ""
