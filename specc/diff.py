"""What changed between two compiled versions of a spec.

``diff(old, new)`` compares two :class:`ir.Spec` values and returns a
:class:`SpecDiff`: a list of :class:`Change` records, each located in both
versions (the spans of the IR nodes), and the map of :class:`Moves` (units,
criteria and range items renumbered).  It knows no awarding body and no output
format; ``specc diff`` (the ``diff`` plugin) prints it.

Matching.  Items of a keyed collection (units by id, outcomes by number,
criteria by reference across the whole unit, requirements by number, range
items by letter) are paired in this order:

1. the same key and the same text: unchanged (or changed in other fields);
2. the same text under another key: a *move* (a renumbering);
3. the same key and text at least ``MOVE_THRESHOLD`` similar: reworded;
4. the most similar remaining pairs, at least ``MOVE_THRESHOLD`` similar,
   under different keys: a move, reworded too when the text is not equal;
5. the same key whatever the text: reworded (similarity reported);
6. what is left is removed (old) or added (new).

:func:`similarity` is the checker's near-copy similarity
(:mod:`specc.similarity`, which W062 uses): the ratio of
:class:`difflib.SequenceMatcher` on the texts with case and runs of white
space ignored.  ``MOVE_THRESHOLD`` is 0.8 (W062's near-copies need 0.95: a
renumbered criterion may be reworded too).  A pool of unmatched items
larger than ``FUZZY_LIMIT`` pairs is matched by exact text only.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping

from attrs import frozen

from . import ir
from .similarity import normalise, similarity

__all__ = ["KINDS", "MOVE_THRESHOLD", "Change", "Matching", "Moves", "SpecDiff", "WordOp", "diff", "match", "similarity", "word_diff"]

MOVE_THRESHOLD = 0.8
"""Least :func:`similarity` for two texts under different keys to count as
one item moved (renumbered), and for the same key to count as a light
rewording in step 3 of the matching."""

FUZZY_LIMIT = 250_000
"""Pools of unmatched items with more old x new pairs than this are matched
by exact (normalised) text only."""

def _ratio(na: str, nb: str) -> float:
    """:func:`similarity` of two texts already normalised."""
    if na == nb:
        return 1.0
    if not na or not nb:
        return 0.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


# --------------------------------------------------------------------------- results


@frozen
class WordOp:
    """One run of a word-level diff: ``op`` is ``equal``, ``delete`` or ``insert``."""

    op: str
    text: str


KINDS = ("added", "removed", "moved", "reworded", "changed")
"""The kinds of :class:`Change`, in the order summaries count them."""


@frozen
class Change:
    """One change.  ``kind``: ``added``, ``removed``, ``moved`` (renumbered),
    ``reworded`` (text) or ``changed`` (a value).  ``what``: the kind of thing
    (``unit``, ``criterion``, ``credits``, ``rule``, ...).  ``old_key`` /
    ``new_key``: where it is in each version, as a path of (kind, id) steps,
    e.g. ``("unit", "001", "criterion", "2.1")``; None on the side it is
    absent from.  ``old`` / ``new``: the spans of the IR nodes; for a thing
    added or removed, the span on the side it is absent from is its parent's
    there (the unit a criterion was added to).  ``field``: the
    source keyword of a changed value (``credits``), to narrow a location."""

    kind: str
    what: str
    message: str
    old_key: tuple[str, ...] | None = None
    new_key: tuple[str, ...] | None = None
    old: ir.Span | None = None
    new: ir.Span | None = None
    old_value: str | None = None
    new_value: str | None = None
    words: tuple[WordOp, ...] = ()
    similarity: float | None = None
    field: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return self.new_key if self.new_key is not None else (self.old_key or ())


@frozen
class Moves:
    """Renumberings: old key -> new key.  ``criteria`` and ``range_items``
    are keyed by (old unit or set id, old ref or slot) -> (new id, new ref);
    range slots are ``r{requirement}{letter}`` as in :mod:`specc.slots`.  The
    criteria and range items removed (from units and ranges both versions
    have) are listed too: evidence recorded against them counts for nothing
    in the new version."""

    units: tuple[tuple[str, str], ...] = ()
    criteria: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = ()
    range_items: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = ()
    removed_criteria: tuple[tuple[str, str], ...] = ()  # (old unit, ref) of criteria the new version does not have
    removed_range_items: tuple[tuple[str, str], ...] = ()  # (set, slot) of range items the new version does not have

    @functools.cached_property
    def _index(self) -> tuple[dict, dict, dict]:
        return dict(self.units), dict(self.criteria), dict(self.range_items)

    def unit(self, uid: str) -> str:
        """The new id of unit ``uid`` (itself when not renumbered)."""
        return self._index[0].get(uid, uid)

    def criterion(self, uid: str, ref: str) -> tuple[str, str]:
        """The (new unit, new ref) of criterion ``ref`` of old unit ``uid``."""
        return self._index[1].get((uid, ref), (self.unit(uid), ref))

    def range_item(self, set_id: str, slot: str) -> tuple[str, str]:
        """The (set, slot) of range slot ``slot`` (``r5b``) of requirement set ``set_id``."""
        return self._index[2].get((set_id, slot), (set_id, slot))


@frozen
class SpecDiff:
    changes: tuple[Change, ...]
    moves: Moves = Moves()

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


# --------------------------------------------------------------------------- word diff


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """A word-level diff of two texts (words split on whitespace; runs merged)."""
    a, b = old.split(), new.split()
    out: list[WordOp] = []

    def put(op: str, words: list[str]) -> None:
        if not words:
            return
        text = " ".join(words)
        if out and out[-1].op == op:
            out[-1] = WordOp(op, out[-1].text + " " + text)
        else:
            out.append(WordOp(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            put("equal", a[i1:i2])
        else:
            put("delete", a[i1:i2])
            put("insert", b[j1:j2])
    return tuple(out)


# --------------------------------------------------------------------------- matching


@frozen
class Matching:
    """Pairs (old key, new key, similarity), then the keys only in old and
    only in new, each in the order of their version."""

    pairs: tuple[tuple[Hashable, Hashable, float], ...]
    removed: tuple[Hashable, ...]
    added: tuple[Hashable, ...]


def match(old: Mapping[Hashable, str], new: Mapping[Hashable, str], threshold: float = MOVE_THRESHOLD) -> Matching:
    """Pair the items of two keyed collections by key and text (see the
    module docstring).  ``old`` and ``new`` map each key to the item's text."""
    pairs: dict[Hashable, tuple[Hashable, float]] = {}
    taken: set[Hashable] = set()

    def pair(o, n, s) -> None:
        pairs[o] = (n, s)
        taken.add(n)

    # 1. the same key, the same text (as written: most items of a revision)
    for k, v in old.items():
        if new.get(k) == v:
            pair(k, k, 1.0)
    # the rest, normalised
    wo = {k: normalise(v) for k, v in old.items() if k not in pairs}
    wn = {k: normalise(v) for k, v in new.items() if k not in taken}
    for k in wo:
        if k in wn and wo[k] == wn[k]:
            pair(k, k, 1.0)
    # 2. the same text under another key
    by_text: dict[str, list] = {}
    for k in new:
        if k not in taken:
            by_text.setdefault(wn[k], []).append(k)
    for k in old:
        if k not in pairs and by_text.get(wo[k]):
            pair(k, by_text[wo[k]].pop(0), 1.0)
    # 3. the same key, similar text
    for k in old:
        if k not in pairs and k in wn and k not in taken:
            s = _ratio(wo[k], wn[k])
            if s >= threshold:
                pair(k, k, s)
    # 4. the most similar of the rest
    rest_o = [k for k in old if k not in pairs]
    rest_n = [k for k in new if k not in taken]
    if rest_o and rest_n and len(rest_o) * len(rest_n) <= FUZZY_LIMIT:
        cands = []
        for i, o in enumerate(rest_o):
            for j, n in enumerate(rest_n):
                sm = difflib.SequenceMatcher(None, wo[o], wn[n], autojunk=False)
                if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
                    continue
                s = sm.ratio() if wo[o] and wn[n] else 0.0
                if s >= threshold:
                    cands.append((-s, i, j, o, n))
        for _s, _i, _j, o, n in sorted(cands, key=lambda c: c[:3]):
            if o not in pairs and n not in taken:
                pair(o, n, -_s)
    # 5. the same key whatever the text
    for k in old:
        if k not in pairs and k in wn and k not in taken:
            pair(k, k, _ratio(wo[k], wn[k]))
    ordered = tuple((o, pairs[o][0], pairs[o][1]) for o in old if o in pairs)
    return Matching(ordered, tuple(k for k in old if k not in pairs), tuple(k for k in new if k not in taken))


# --------------------------------------------------------------------------- the diff


def _text(t: ir.Text | str | None) -> str:
    if t is None:
        return ""
    return t.value if isinstance(t, ir.Text) else t


def _show(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (tuple, list, set, frozenset)):
        return ", ".join(str(x) for x in v) if v else "none"
    return str(v)


def _env_sources(env: ir.Environment) -> tuple[str, ...]:
    return tuple(sorted(env.sources))


def _simulation(env: ir.Environment) -> str:
    """The simulation rules of an environment in words (for comparing and showing)."""
    parts = []
    for r in env.simulation:
        s = f"{r.mode}" + (f" for {r.applies_to}" if r.applies_to else "")
        if r.exception is not None:
            s += f" except {r.exception.plain}"
        parts.append(s)
    return "; ".join(parts) or "not stated"


def _demand(d: ir.Demand) -> str:
    s = f"{'at least ' if d.op == 'at_least' else ''}{d.count} \"{d.what}\""
    if d.different:
        s += f" different {d.different}"
    if d.by is not None:
        s += f" of which {'exactly ' if d.by.op == 'exactly' else 'at least '}{d.by.count} by {', '.join(d.by.methods)}"
    return s


def _reuse(r: ir.Reuse) -> str:
    s = "reuse " + (f"unit {r.unit} " if r.unit else "") + ", ".join(r.criteria)
    if r.for_criteria:
        s += " for " + ", ".join(r.for_criteria)
    return s


def _rule(r: ir.Rule, units: Callable[[str], str]) -> tuple[tuple, str]:
    """(slot, words) of a rule: rules in the same slot are one rule changed."""
    if isinstance(r, ir.MinTotal):
        return ("minimum",), f"minimum {r.credits} credits"
    if isinstance(r, ir.MaxTotal):
        return ("maximum",), f"maximum {r.credits} credits"
    if isinstance(r, ir.Mandatory):
        return ("mandatory", tuple(units(u) for u in r.units)), "mandatory " + ", ".join(units(u) for u in r.units)
    if isinstance(r, ir.CreditsFrom):
        op = r.op.replace("_", " ")
        src = tuple(units(u) for u in r.sources)
        return ("from", src), f"{op} {r.credits} credits from {', '.join(src)}"
    if isinstance(r, ir.Remaining):
        src = tuple(units(u) for u in r.sources)
        return ("remaining",), f"remaining credits from {', '.join(src)}"
    raise TypeError(r)


_TEXT_NAMES = {"criterion": "statement", "outcome": "statement", "requirement": "text", "range item": "text",
               "guidance": "explanation", "guide": "evidence guide notes", "glossary": "definition"}


class _Differ:
    def __init__(self, old: ir.Spec, new: ir.Spec, threshold: float):
        self.old, self.new = old, new
        self.threshold = threshold
        self.changes: list[Change] = []
        self.unit_moves: dict[str, str] = {}
        self.crit_moves: dict[tuple[str, str], tuple[str, str]] = {}
        self.range_moves: dict[tuple[str, str], tuple[str, str]] = {}
        self.crit_removed: list[tuple[str, str]] = []
        self.range_removed: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ helpers
    def add(self, kind: str, what: str, message: str, ok, nk, os_, ns, **kw) -> None:
        self.changes.append(Change(kind, what, message, ok, nk, os_, ns, **kw))

    def value(self, what: str, label: str, ov, nv, ok, nk, os_, ns, field_: str | None = None, name: str | None = None) -> None:
        """A value changed (or set, or cleared)."""
        if ov == nv:
            return
        a, b = _show(ov), _show(nv)
        name = name or what
        if a is None:
            msg = f"{label}: {name} {b} added"
        elif b is None:
            msg = f"{label}: {name} {a} removed"
        else:
            msg = f"{label}: {name} changed from {a} to {b}"
        self.add("changed", what, msg, ok, nk, os_, ns, old_value=a, new_value=b, field=field_ or what)

    def text(self, what: str, label: str, ot, nt, ok, nk, os_, ns, field_: str | None = None, compare: str | None = None) -> None:
        """A text reworded (or added, or removed).  ``compare``: the old text
        to diff the words of, when it is not ``ot`` as written (an explanation
        with its criterion's number renumbered)."""
        a, b = _text(ot), _text(nt)
        if a == b or normalise(a) == normalise(b):
            return
        name = _TEXT_NAMES.get(what, what)
        if not a:
            self.add("added", what, f"{label}: {name} added", ok, nk, os_, ns, new_value=b, field=field_ or what)
        elif not b:
            self.add("removed", what, f"{label}: {name} removed", ok, nk, os_, ns, old_value=a, field=field_ or what)
        else:
            self.add(
                "reworded", what, f"{label}: {name} reworded", ok, nk, os_, ns,
                old_value=a, new_value=b, words=word_diff(compare or a, b), similarity=round(similarity(compare or a, b), 3),
                field=field_ or what,
            )

    def members(self, what: str, label: str, olds: Iterable[str], news: Iterable[str], ok, nk, os_, ns, field_=None, noun="") -> None:
        """Members of a set added or removed (units of a group, methods, ...)."""
        o, n = list(dict.fromkeys(olds)), list(dict.fromkeys(news))
        so, sn = set(o), set(n)
        gone = [x for x in o if x not in sn]
        came = [x for x in n if x not in so]
        for x in came:
            self.add("added", what, f"{label}: {noun}{x} added", ok, nk, os_, ns, new_value=x, field=field_)
        for x in gone:
            self.add("removed", what, f"{label}: {noun}{x} removed", ok, nk, os_, ns, old_value=x, field=field_)

    def environment(self, label: str, oe: ir.Environment, ne: ir.Environment, ok, nk, os_, ns) -> None:
        self.members("environment", label, _env_sources(oe), _env_sources(ne), ok, nk, os_, ns, "evidence", "evidence from ")
        a, b = _simulation(oe), _simulation(ne)
        if a != b:
            self.add("changed", "simulation", f"{label}: simulation changed from {a} to {b}", ok, nk, os_, ns,
                     old_value=a, new_value=b, field="simulation")

    def moved_unit(self, uid: str) -> str:
        return self.unit_moves.get(uid, uid)

    # ------------------------------------------------------------------ the whole spec
    def run(self) -> SpecDiff:
        """Units are compared first (their moves map the rules, groups and
        barred pairs) and reported after the structure, as a handbook
        orders them: document, qualifications, groups, barred pairs, units,
        evidence requirements, glossary."""
        parts: dict[str, list[Change]] = {}
        for name in ("units", "document", "qualifications", "groups", "barred", "requirement_sets", "glossary"):
            self.changes = []
            getattr(self, name)()
            parts[name] = self.changes
        order = ("document", "qualifications", "groups", "barred", "units", "requirement_sets", "glossary")
        return SpecDiff(
            tuple(c for name in order for c in parts[name]),
            Moves(tuple(self.unit_moves.items()), tuple(self.crit_moves.items()), tuple(self.range_moves.items()),
                  tuple(self.crit_removed), tuple(self.range_removed)),
        )

    def document(self) -> None:
        o, n = self.old.document, self.new.document
        k = ("document", n.id)
        ok = ("document", o.id)
        lab = "document"
        self.value("document", lab, o.id, n.id, ok, k, o.span, n.span, "document", "id")
        self.text("title", lab, o.title, n.title, ok, k, o.span, n.span, "document")
        self.value("body", lab, o.body.id, n.body.id, ok, k, o.span, n.span, "body")
        self.value("version", lab, o.version, n.version, ok, k, o.span, n.span, "version")
        self.value("published", lab, o.published, n.published, ok, k, o.span, n.span, "published")
        self.members("methods", lab, o.evidence_methods, n.evidence_methods, ok, k, o.span, n.span, "methods", "evidence method ")
        om = {m.id: m.label for m in self.old.methods if not m.builtin}
        nm = {m.id: m.label for m in self.new.methods if not m.builtin}
        self.members("methods", lab, om, nm, ok, k, o.span, n.span, "method", "declared method ")
        for mid in [m for m in nm if m in om]:
            self.text("methods", f"{lab}: method {mid}", om[mid], nm[mid], ok, k, o.span, n.span, "method")
        ohist = {(c.version, str(c.date), c.detail.plain, _text(c.section)): c for c in o.history}
        nhist = {(c.version, str(c.date), c.detail.plain, _text(c.section)): c for c in n.history}
        for key, c in nhist.items():
            if key not in ohist:
                self.add("added", "history", f"version history: change {c.version} ({c.date}) added", None,
                         ("history", c.version), None, c.span, new_value=c.detail.plain)
        for key, c in ohist.items():
            if key not in nhist:
                self.add("removed", "history", f"version history: change {c.version} ({c.date}) removed", ("history", c.version),
                         None, c.span, None, old_value=c.detail.plain)

    # ------------------------------------------------------------------ qualifications
    def qualifications(self) -> None:
        oq = {q.id: q for q in self.old.qualifications}
        nq = {q.id: q for q in self.new.qualifications}
        for qid, q in nq.items():
            if qid not in oq:
                self.add("added", "qualification", f"qualification {qid} added ({q.title})", None, ("qualification", qid), None, q.span,
                         new_value=q.title)
        for qid, q in oq.items():
            if qid not in nq:
                self.add("removed", "qualification", f"qualification {qid} removed ({q.title})", ("qualification", qid), None, q.span,
                         None, old_value=q.title)
        for qid in [q for q in nq if q in oq]:  # in the new spec's order
            self.qualification(oq[qid], nq[qid])

    def qualification(self, o: ir.Qualification, n: ir.Qualification) -> None:
        k = ("qualification", n.id)
        lab = f"qualification {n.id}"
        args = (k, k, o.span, n.span)
        self.text("title", lab, o.title, n.title, *args, field_="qualification")
        for name, what in (("number", "number"), ("reference", "reference"), ("aim_reference", "reference")):
            self.value(what, lab, getattr(o, name), getattr(n, name), *args, field_=name, name=name.replace("_", " "))
        self.value("level", lab, o.level, n.level, *args)
        self.value("glh", lab, o.glh, n.glh, *args, name="GLH")
        self.value("tqt", lab, o.tqt, n.tqt, *args, name="TQT")
        self.value("credits", lab, o.credits, n.credits, *args, name="credit value")
        self.value("grading", lab, o.grading, n.grading, *args)
        self.value("registration", lab, o.registration_months, n.registration_months, *args, name="registration period (months)")
        for name in ("assessment", "strategy", "age", "entry", "progression"):
            self.text(name, lab, getattr(o, name), getattr(n, name), *args)
        self.environment(lab, o.environment, n.environment, *args)
        # rules of combination, old unit ids carried through the moves
        orules = [(_rule(r, self.moved_unit), r) for r in o.rules]
        nrules = [(_rule(r, lambda u: u), r) for r in n.rules]
        nslots = {}
        for (slot, words), r in nrules:
            nslots.setdefault(slot, []).append((words, r))
        matched_new = set()
        for (slot, words), r in orules:
            cands = [x for x in nslots.get(slot, []) if id(x[1]) not in matched_new]
            same = [x for x in cands if x[0] == words]
            if same:
                matched_new.add(id(same[0][1]))
                continue
            if cands:
                nw, nr = cands[0]
                matched_new.add(id(nr))
                self.add("changed", "rule", f"{lab}: rule changed from `{words}` to `{nw}`", k, k, r.span, nr.span,
                         old_value=words, new_value=nw)
            else:
                self.add("removed", "rule", f"{lab}: rule `{words}` removed", k, k, r.span, n.span, old_value=words)
        for (_slot, words), r in nrules:
            if id(r) not in matched_new:
                self.add("added", "rule", f"{lab}: rule `{words}` added", k, k, o.span, r.span, new_value=words)
        self.members("route", f"{lab}, routes", [self.moved_unit(u) for u in o.units], n.units, *args, "rules", "unit ")

    # ------------------------------------------------------------------ groups and barred pairs
    def groups(self) -> None:
        og = {g.id: g for g in self.old.groups}
        ng = {g.id: g for g in self.new.groups}
        for gid, g in ng.items():
            if gid not in og:
                self.add("added", "group", f"group {gid} added ({g.title})", None, ("group", gid), None, g.span, new_value=g.title)
        for gid, g in og.items():
            if gid not in ng:
                self.add("removed", "group", f"group {gid} removed ({g.title})", ("group", gid), None, g.span, None, old_value=g.title)
        for gid in [g for g in ng if g in og]:
            o, n = og[gid], ng[gid]
            k = ("group", gid)
            self.text("title", f"group {gid}", o.title, n.title, k, k, o.span, n.span, "group")
            self.members("group", f"group {gid}", [self.moved_unit(u) for u in o.units], n.units, k, k, o.span, n.span, None, "unit ")

    def barred(self) -> None:
        def pairs(spec, mapping) -> dict:
            out = {}
            for b in spec.barred:
                out.setdefault(tuple(sorted((mapping(b.a), mapping(b.b)))), b)
            return out

        ob = pairs(self.old, self.moved_unit)
        nb = pairs(self.new, lambda u: u)
        for key, b in nb.items():
            if key not in ob:
                self.add("added", "barred", f"barred pair: unit {key[0]} with unit {key[1]} added", None, ("barred", *key), None, b.span,
                         new_value=f"{b.a} with {b.b}")
        for key, b in ob.items():
            if key not in nb:
                self.add("removed", "barred", f"barred pair: unit {key[0]} with unit {key[1]} removed", ("barred", *key), None, b.span,
                         None, old_value=f"{b.a} with {b.b}")
            else:
                n = nb[key]
                self.text("note", f"barred pair {key[0]} with {key[1]}", b.note, n.note, ("barred", *key), ("barred", *key),
                          b.span, n.span, "barred")

    # ------------------------------------------------------------------ units
    @staticmethod
    def _unit_text(u: ir.Unit) -> str:
        return " ".join([u.title, *(o.statement for o in u.outcomes), *(c.statement for c in u.criteria)])

    def units(self) -> None:
        ou = {u.id: u for u in self.old.units if "." not in u.id}  # imported (aliased) units belong to their own spec
        nu = {u.id: u for u in self.new.units if "." not in u.id}
        m = match({k: self._unit_text(u) for k, u in ou.items()}, {k: self._unit_text(u) for k, u in nu.items()}, self.threshold)
        for o, n, _s in m.pairs:
            if o != n:
                self.unit_moves[o] = n
        for o, n, s in m.pairs:
            a, b = ou[o], nu[n]
            if o == n and a == b:
                continue  # the same unit (spans are not compared): nothing changed in it
            if o != n:
                self.add("moved", "unit", f"unit {a.label} renumbered {b.label}", ("unit", o), ("unit", n), a.span, b.span,
                         old_value=o, new_value=n, similarity=round(s, 3))
            self.unit(a, b)
        for k in m.added:
            u = nu[k]
            self.add("added", "unit", f"unit {u.label} added ({u.title})", None, ("unit", k), None, u.span, new_value=u.title)
        for k in m.removed:
            u = ou[k]
            self.add("removed", "unit", f"unit {u.label} removed ({u.title})", ("unit", k), None, u.span, None, old_value=u.title)

    def unit(self, o: ir.Unit, n: ir.Unit) -> None:
        ok, nk = ("unit", o.id), ("unit", n.id)
        lab = f"unit {n.label}"
        args = (ok, nk, o.span, n.span)
        self.text("title", lab, o.title, n.title, *args, field_="unit")
        self.value("number", lab, o.number, n.number, *args)
        self.value("reference", lab, o.reference, n.reference, *args)
        self.value("level", lab, o.level, n.level, *args)
        self.value("credits", lab, o.credits, n.credits, *args, name="credit value")
        self.value("glh", lab, o.glh, n.glh, *args, name="GLH")
        for name in ("owner", "aim", "assessment", "strategy"):
            self.text(name, lab, getattr(o, name), getattr(n, name), *args)
        self.environment(lab, o.environment, n.environment, *args)
        self.members("requirements", lab, o.assessed_under, n.assessed_under, *args, "assessed", "assessed under ")
        # outcomes by number, matched by statement
        oo = {x.number: x for x in o.outcomes}
        no = {x.number: x for x in n.outcomes}
        m = match({k: x.statement for k, x in oo.items()}, {k: x.statement for k, x in no.items()}, self.threshold)
        for a, b, s in m.pairs:
            x, y = oo[a], no[b]
            okx, nkx = (*ok, "outcome", str(a)), (*nk, "outcome", str(b))
            if a != b:
                self.add("moved", "outcome", f"{lab}: outcome {a} renumbered {b}", okx, nkx, x.span, y.span,
                         old_value=str(a), new_value=str(b), similarity=round(s, 3))
            self.text("outcome", f"{lab}, outcome {b}", x.statement, y.statement, okx, nkx, x.span, y.span, "outcome")
            self.value("outcome", f"{lab}, outcome {b}", x.kind, y.kind, okx, nkx, x.span, y.span, "outcome", "kind")
        for a in m.removed:
            x = oo[a]
            self.add("removed", "outcome", f"{lab}: outcome {a} removed ({x.statement})", (*ok, "outcome", str(a)), None, x.span, n.span,
                     old_value=x.statement)
        for b in m.added:
            y = no[b]
            self.add("added", "outcome", f"{lab}: outcome {b} added ({y.statement})", None, (*nk, "outcome", str(b)), o.span, y.span,
                     new_value=y.statement)
        # criteria across the unit, by reference, matched by statement
        oc = {c.ref: c for c in o.criteria}
        nc = {c.ref: c for c in n.criteria}
        m = match({k: c.statement for k, c in oc.items()}, {k: c.statement for k, c in nc.items()}, self.threshold)
        omethods, nmethods = _guide_methods(o), _guide_methods(n)
        for a, b, s in m.pairs:
            x, y = oc[a], nc[b]
            okx, nkx = (*ok, "criterion", a), (*nk, "criterion", b)
            if a != b or o.id != n.id:
                self.crit_moves[(o.id, a)] = (n.id, b)
            if a != b:
                self.add("moved", "criterion", f"{lab}: criterion {a} renumbered {b}", okx, nkx, x.span, y.span,
                         old_value=a, new_value=b, similarity=round(s, 3))
            self.criterion(f"{lab}, criterion {b}", x, y, okx, nkx)
            self.members("methods", f"{lab}, criterion {b}", omethods.get(a, ()), nmethods.get(b, ()), okx, nkx, x.span, y.span,
                         None, "evidence method ")
        for a in m.removed:
            x = oc[a]
            self.crit_removed.append((o.id, a))
            self.add("removed", "criterion", f"{lab}: criterion {a} removed ({x.statement})", (*ok, "criterion", a), None, x.span, n.span,
                     old_value=x.statement)
        for b in m.added:
            y = nc[b]
            self.add("added", "criterion", f"{lab}: criterion {b} added ({y.statement})", None, (*nk, "criterion", b), o.span, y.span,
                     new_value=y.statement)
        on = [t.value for t in o.evidence_guide_notes]
        nn = [t.value for t in n.evidence_guide_notes]
        if [normalise(t) for t in on] != [normalise(t) for t in nn]:
            self.text("guide", lab, "\n\n".join(on), "\n\n".join(nn), *args, field_="evidence")

    def criterion(self, lab: str, x: ir.Criterion, y: ir.Criterion, okx, nkx) -> None:
        args = (okx, nkx, x.span, y.span)
        self.text("criterion", lab, x.statement, y.statement, *args, field_="criterion")
        self.value("verb", lab, x.verb, y.verb, *args, name="command verb")
        before = "\n\n".join(g.text.value for g in x.guidance)
        after = "\n\n".join(g.text.value for g in y.guidance)
        compare = None
        if x.ref != y.ref and normalise(before) != normalise(after):
            # "For 1.2 the candidate ..." renumbered with its criterion is no rewording
            compare = re.sub(rf"(?<![\w.]){re.escape(x.ref)}(?![\w]|\.\d)", y.ref, before)
            if normalise(compare) == normalise(after):
                return self._demands_and_reuse(lab, x, y, okx, nkx, args)
        self.text("guidance", lab, before, after, *args, field_="explained", compare=compare)
        self._demands_and_reuse(lab, x, y, okx, nkx, args)

    def _demands_and_reuse(self, lab: str, x: ir.Criterion, y: ir.Criterion, okx, nkx, args) -> None:
        # demands by position (their slots are numbered by position)
        for i in range(max(len(x.demands), len(y.demands))):
            a = x.demands[i] if i < len(x.demands) else None
            b = y.demands[i] if i < len(y.demands) else None
            sa = a.span if a is not None else x.span
            sb = b.span if b is not None else y.span
            if a is None:
                self.add("added", "demand", f"{lab}: demand {i + 1} added: {_demand(b)}", okx, nkx, sa, sb, new_value=_demand(b), field="demand")
            elif b is None:
                self.add("removed", "demand", f"{lab}: demand {i + 1} removed: {_demand(a)}", okx, nkx, sa, sb, old_value=_demand(a),
                         field="demand")
            elif _demand(a) != _demand(b):
                what = "count" if (a.count, a.op) != (b.count, b.op) and (a.what, a.different, a.by) == (b.what, b.different, b.by) else ""
                self.add("changed", "demand", f"{lab}: demand {i + 1} {what + ' ' if what else ''}changed from {_demand(a)} to {_demand(b)}",
                         okx, nkx, sa, sb, old_value=_demand(a), new_value=_demand(b), field="demand")
        self.members("reuse", lab, [_reuse(r) for r in x.reuse], [_reuse(r) for r in y.reuse], *args, "reuse", "")

    # ------------------------------------------------------------------ evidence requirements
    def requirement_sets(self) -> None:
        # imported sets too (``cfa.x``): a revision of the CfA requirements changes what NCFE learners need
        orq = {r.id: r for r in self.old.requirement_sets}
        nrq = {r.id: r for r in self.new.requirement_sets}
        for rid, r in nrq.items():
            if rid not in orq:
                self.add("added", "requirements", f"requirements {rid} added ({r.title})", None, ("requirements", rid), None, r.span,
                         new_value=r.title)
        for rid, r in orq.items():
            if rid not in nrq:
                self.add("removed", "requirements", f"requirements {rid} removed ({r.title})", ("requirements", rid), None, r.span, None,
                         old_value=r.title)
        for rid in [r for r in nrq if r in orq]:
            if orq[rid] != nrq[rid]:
                self.requirement_set(orq[rid], nrq[rid])

    def requirement_set(self, o: ir.RequirementSet, n: ir.RequirementSet) -> None:
        k = ("requirements", n.id)
        lab = f"requirements {n.id}"
        args = (k, k, o.span, n.span)
        self.text("title", lab, o.title, n.title, *args, field_="requirements")
        self.value("code", lab, o.code, n.code, *args)
        self.environment(lab, o.environment, n.environment, *args)
        orq = {r.number: r for r in o.requirements}
        nrq = {r.number: r for r in n.requirements}
        m = match({a: r.text.value for a, r in orq.items()}, {b: r.text.value for b, r in nrq.items()}, self.threshold)
        for a, b, s in m.pairs:
            x, y = orq[a], nrq[b]
            okx, nkx = (*k, "requirement", str(a)), (*k, "requirement", str(b))
            rl = f"{lab}, requirement {b}"
            if a != b:
                self.add("moved", "requirement", f"{lab}: requirement {a} renumbered {b}", okx, nkx, x.span, y.span,
                         old_value=str(a), new_value=str(b), similarity=round(s, 3))
            self.text("requirement", rl, x.text, y.text, okx, nkx, x.span, y.span, "requirement")
            self.value("requirement", rl, x.kind, y.kind, okx, nkx, x.span, y.span, "requirement", "kind")
            self.members("methods", rl, x.methods, y.methods, okx, nkx, x.span, y.span, "methods", "communication method ")
            self.members("requirement", rl, x.different, y.different, okx, nkx, x.span, y.span, "different", "different ")
            self.members("distinct", rl, [f"{d.count} {d.what}" for d in x.distinct], [f"{d.count} {d.what}" for d in y.distinct],
                         okx, nkx, x.span, y.span, "distinct", "distinct ")
            self.ranges(n.id, a, b, rl, x, y, okx, nkx)
        for a in m.removed:
            x = orq[a]
            self.add("removed", "requirement", f"{lab}: requirement {a} removed", (*k, "requirement", str(a)), None, x.span, n.span,
                     old_value=x.text.plain)
        for b in m.added:
            y = nrq[b]
            self.add("added", "requirement", f"{lab}: requirement {b} added", None, (*k, "requirement", str(b)), o.span, y.span,
                     new_value=y.text.plain)

    def ranges(self, sid: str, a: int, b: int, rl: str, x: ir.Requirement, y: ir.Requirement, okx, nkx) -> None:
        for i in range(max(len(x.ranges), len(y.ranges))):
            ra = x.ranges[i] if i < len(x.ranges) else None
            rb = y.ranges[i] if i < len(y.ranges) else None
            if ra is None:
                self.add("added", "range", f"{rl}: range added ({len(rb.items)} items)", okx, nkx, x.span, rb.span, field="range")
                continue
            if rb is None:
                self.add("removed", "range", f"{rl}: range removed ({len(ra.items)} items)", okx, nkx, ra.span, y.span, field="range")
                continue
            if ra.choose != rb.choose:  # (the items of an `all` range are compared one by one below)
                def rule(r):
                    return "all" if r.choose is None else f"choose {r.choose}"

                self.add("changed", "range", f"{rl}: range rule changed from {rule(ra)} of {len(ra.items)} to {rule(rb)} of {len(rb.items)}",
                         okx, nkx, ra.span, rb.span, old_value=rule(ra), new_value=rule(rb))
            oi = {it.letter: it for it in ra.items}
            ni = {it.letter: it for it in rb.items}
            m = match({k: it.text.value for k, it in oi.items()}, {k: it.text.value for k, it in ni.items()}, self.threshold)
            for la, lb, s in m.pairs:
                p, q = oi[la], ni[lb]
                oki, nki = (*okx, "item", la), (*nkx, "item", lb)
                if (a, la) != (b, lb):
                    self.range_moves[(sid, f"r{a}{la}")] = (sid, f"r{b}{lb}")
                if la != lb or a != b:
                    self.add("moved", "range item", f"{rl}: range item {a}{la} relettered {b}{lb}", oki, nki, p.span, q.span,
                             old_value=f"{a}{la}", new_value=f"{b}{lb}", similarity=round(s, 3))
                self.text("range item", f"{rl}, item {lb}", p.text, q.text, oki, nki, p.span, q.span, None)
            for la in m.removed:
                p = oi[la]
                self.range_removed.append((sid, f"r{a}{la}"))
                self.add("removed", "range item", f"{rl}: range item {la} removed ({p.text.plain})", (*okx, "item", la), None, p.span,
                         rb.span, old_value=p.text.plain)
            for lb in m.added:
                q = ni[lb]
                self.add("added", "range item", f"{rl}: range item {lb} added ({q.text.plain})", None, (*nkx, "item", lb), ra.span, q.span,
                         new_value=q.text.plain)

    # ------------------------------------------------------------------ glossary
    def glossary(self) -> None:
        for kind, ot, nt in (("term", self.old.glossary.terms, self.new.glossary.terms), ("verb", self.old.glossary.verbs, self.new.glossary.verbs)):
            oe = {e.term: e for e in ot}
            ne = {e.term: e for e in nt}
            for t, e in ne.items():
                if t not in oe:
                    self.add("added", "glossary", f"glossary: {kind} `{t}` added", None, ("glossary", t), None, e.span,
                             new_value=e.definition.plain)
            for t, e in oe.items():
                if t not in ne:
                    self.add("removed", "glossary", f"glossary: {kind} `{t}` removed", ("glossary", t), None, e.span, None,
                             old_value=e.definition.plain)
                else:
                    self.text("glossary", f"glossary: {kind} `{t}`", e.definition, ne[t].definition, ("glossary", t), ("glossary", t),
                              e.span, ne[t].span, kind)


def _guide_methods(u: ir.Unit) -> dict[str, tuple[str, ...]]:
    """The evidence methods the guide gives each criterion (every row naming it)."""
    out: dict[str, list[str]] = {}
    for row in u.evidence_guide:
        for ref in row.criteria:
            out.setdefault(ref, []).extend(m for m in row.methods if m not in out.get(ref, ()))
    return {k: tuple(v) for k, v in out.items()}


def diff(old: ir.Spec, new: ir.Spec, threshold: float = MOVE_THRESHOLD) -> SpecDiff:
    """Every change from ``old`` to ``new`` (see the module docstring)."""
    return _Differ(old, new, threshold).run()

