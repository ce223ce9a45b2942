"""Rules-of-combination solver.

Finds, for one qualification, whether any valid unit combination (a *route*)
exists, the least and greatest credits and GLH of a valid route, and the
cheapest route (least GLH; ties: fewest credits, then unit order).

It is a dynamic programme, not an enumeration.  A route's feasibility depends
only on the credits it takes from each constrained set of units, capped where
more makes no difference (``at least 4`` cannot tell 4 from 9), so the state is
the vector of capped sums and each state keeps the four best objective values.
Units are folded in as *items*:

* free units (barred with nothing) with the same set of constraints form one
  class; a 1-D knapsack over the class's capped credit sum turns the whole class
  into a single item, so thousands of optional units cost one pass each;
* units linked by barred pairs form a component whose options are its
  independent sets (none, either one of a pair, ...).

The number of states is bounded by the product of the caps, independent of the
number of units, so the work grows linearly with units.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import attrs
from attrs import frozen

from . import ir

INF = float("inf")


@frozen
class Constraint:
    op: str  # "at_least" | "at_most" | "exactly"
    n: int
    units: frozenset[str]

    @property
    def cap(self) -> int:
        return self.n if self.op == "at_least" else self.n + 1

    def ok(self, v: int) -> bool:
        if self.op == "at_least":
            return v >= self.n
        if self.op == "at_most":
            return v <= self.n
        return v == self.n


@frozen
class Problem:
    """A qualification's rules, flattened for solving."""

    allowed: tuple[str, ...]  # units a route may contain, in spec order
    mandatory: tuple[str, ...]
    constraints: tuple[Constraint, ...]  # the first one is always the total
    credits: dict
    glh: dict
    barred: tuple[tuple[str, str], ...]

    def valid(self, units: Iterable[str]) -> bool:
        """Check one route directly (used by tests and brute force)."""
        s = set(units)
        if not s <= set(self.allowed) or not set(self.mandatory) <= s:
            return False
        for a, b in self.barred:
            if a in s and b in s:
                return False
        for c in self.constraints:
            if not c.ok(sum(self.credits[u] for u in s if u in c.units)):
                return False
        return True


def further_units(q: ir.Qualification, r: ir.Remaining) -> tuple[str, ...]:
    """The units the further credits of ``remaining N credits from`` count:
    the rule's units, the qualification's mandatory units left out."""
    return tuple(u for u in r.units if u not in q.mandatory)


def problem_for(q: ir.Qualification, units: dict[str, ir.Unit], barred: Sequence[ir.Barred]) -> Problem:
    """Flatten a resolved qualification (``q.units`` and rule ``units`` filled in)."""
    allowed = q.units
    aset = set(allowed)
    total_min = 0
    total_max = None
    cons: list[Constraint] = []
    for r in q.rules:
        if isinstance(r, ir.MinTotal):
            total_min = max(total_min, r.credits)
        elif isinstance(r, ir.MaxTotal):
            total_max = r.credits if total_max is None else min(total_max, r.credits)
        elif isinstance(r, ir.CreditsFrom):
            cons.append(Constraint(r.op, r.credits, frozenset(r.units)))
        elif isinstance(r, ir.Remaining) and r.credits is not None:
            cons.append(Constraint("at_least", r.credits, frozenset(further_units(q, r))))
    head = [Constraint("at_least", total_min, frozenset(allowed))]
    if total_max is not None:
        head.append(Constraint("at_most", total_max, frozenset(allowed)))
    credits = {u: (units[u].credits or 0) for u in allowed if u in units}
    glh = {u: (units[u].glh or 0) for u in allowed if u in units}
    pairs = tuple((b.a, b.b) for b in barred if b.a in aset and b.b in aset)
    return Problem(tuple(allowed), tuple(q.mandatory), tuple(head + cons), credits, glh, pairs)


# A state value: [min credits, max credits, min glh, max glh, cheapest route]
# where the route is a cons list (unit, rest) for cheap sharing.


def _better_route(a, b) -> bool:
    """Is value a's cheapest route better than b's?  (glh, credits)"""
    return (a[0], a[1]) < (b[0], b[1])


def _route_list(cons) -> list[str]:
    out = []
    while cons is not None:
        out.append(cons[0])
        cons = cons[1]
    return out


def solve(p: Problem) -> ir.RouteSummary:
    cons = p.constraints
    k = len(cons)
    caps = tuple(c.cap for c in cons)
    credits, glh = p.credits, p.glh

    # Mandatory units: all in.  Units barred with a mandatory unit: all out.
    mand = set(p.mandatory)
    if not mand <= set(p.allowed):
        return ir.RouteSummary(False)
    for a, b in p.barred:
        if a in mand and b in mand:
            return ir.RouteSummary(False)
    excluded = {b for a, b in p.barred if a in mand} | {a for a, b in p.barred if b in mand}
    start = [0] * k
    for u in p.mandatory:
        for i, c in enumerate(cons):
            if u in c.units:
                start[i] += credits[u]
    start_key = tuple(min(v, cap) for v, cap in zip(start, caps, strict=False))
    mc = sum(credits[u] for u in mand)
    mg = sum(glh[u] for u in mand)
    route0 = None
    for u in reversed(p.mandatory):
        route0 = (u, route0)
    states = {start_key: [mc, mc, mg, mg, (mg, mc, route0)]}

    optional = [u for u in p.allowed if u not in mand and u not in excluded]
    sig = {u: tuple(i for i, c in enumerate(cons) if u in c.units) for u in optional}

    # Barred components among the optional units.
    adj: dict[str, set[str]] = {u: set() for u in optional}
    for a, b in p.barred:
        if a in adj and b in adj:
            adj[a].add(b)
            adj[b].add(a)
    seen: set[str] = set()
    items: list[list[tuple[tuple[int, ...], int, int, int, int, tuple]]] = []
    classes: dict[tuple[int, ...], list[str]] = {}
    for u in optional:
        if u in seen:
            continue
        if not adj[u]:
            seen.add(u)
            classes.setdefault(sig[u], []).append(u)
            continue
        comp, stack = [], [u]
        seen.add(u)
        while stack:
            x = stack.pop()
            comp.append(x)
            for y in sorted(adj[x]):
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        comp.sort(key=optional.index)
        items.append(_component_options(comp, adj, cons, credits, glh))

    for s, us in classes.items():
        items.append(_class_options(us, s, cons, caps, credits, glh))

    for options in items:
        nxt: dict[tuple, list] = {}
        for key, val in states.items():
            for add, c_lo, c_hi, g_lo, g_hi, cheap in options:
                nk = list(key)
                for i, v in enumerate(add):
                    if v:
                        nk[i] = min(nk[i] + v, caps[i])
                t = tuple(nk)
                cg, cc, cr = cheap
                new_cheap = (val[4][0] + cg, val[4][1] + cc, _concat(cr, val[4][2]))
                cand = [val[0] + c_lo, val[1] + c_hi, val[2] + g_lo, val[3] + g_hi, new_cheap]
                old = nxt.get(t)
                if old is None:
                    nxt[t] = cand
                else:
                    old[0] = min(old[0], cand[0])
                    old[1] = max(old[1], cand[1])
                    old[2] = min(old[2], cand[2])
                    old[3] = max(old[3], cand[3])
                    if _better_route(new_cheap, old[4]):
                        old[4] = new_cheap
        # Drop states that have overflowed an exact or at-most bound: once over,
        # adding units can never bring them back.
        states = {
            key: v
            for key, v in nxt.items()
            if all(c.op == "at_least" or key[i] <= c.n for i, c in enumerate(cons))
        }

    good = [v for key, v in states.items() if all(c.ok(key[i]) for i, c in enumerate(cons))]
    if not good:
        return ir.RouteSummary(False)
    best = min(good, key=lambda v: (v[4][0], v[4][1]))
    order = {u: i for i, u in enumerate(p.allowed)}
    route_units = tuple(sorted(_route_list(best[4][2]), key=order.__getitem__))
    return ir.RouteSummary(
        True,
        min_credits=min(v[0] for v in good),
        max_credits=max(v[1] for v in good),
        min_glh=min(v[2] for v in good),
        max_glh=max(v[3] for v in good),
        cheapest=ir.Route(route_units, best[4][1], best[4][0]),
    )


def _concat(front, back):
    """Prepend cons list ``front`` onto ``back``."""
    items = _route_list(front)
    for u in reversed(items):
        back = (u, back)
    return back


def _component_options(comp, adj, cons, credits, glh):
    """Every independent set of a barred component, as an item option."""
    opts = []
    n = len(comp)
    if n > 20:
        raise ValueError("barred component too large to enumerate")
    idx = {u: i for i, u in enumerate(comp)}
    masks_adj = [sum(1 << idx[y] for y in adj[u]) for u in comp]
    for mask in range(1 << n):
        ok = True
        for i in range(n):
            if mask >> i & 1 and masks_adj[i] & mask:
                ok = False
                break
        if not ok:
            continue
        chosen = [comp[i] for i in range(n) if mask >> i & 1]
        add = tuple(sum(credits[u] for u in chosen if u in c.units) for c in cons)
        c = sum(credits[u] for u in chosen)
        g = sum(glh[u] for u in chosen)
        r = None
        for u in reversed(chosen):
            r = (u, r)
        opts.append((add, c, c, g, g, (g, c, r)))
    return opts


def _class_options(units, sig, cons, caps, credits, glh):
    """A 1-D knapsack over a class of interchangeable units.

    Bucket b < C holds subsets with credit sum exactly b; bucket C holds every
    subset with sum >= C, where C is the largest cap among the class's
    constraints (beyond it the sum is indistinguishable to all of them)."""
    C = max((caps[i] for i in sig), default=0)
    # bucket -> [min c, max c, min g, max g, (g, c, route)]
    table: dict[int, list] = {0: [0, 0, 0, 0, (0, 0, None)]}
    for u in units:
        cu, gu = credits[u], glh[u]
        new = dict((b, list(v)) for b, v in table.items())
        for b, v in table.items():
            nb = min(b + cu, C)
            cand_cheap = (v[4][0] + gu, v[4][1] + cu, (u, v[4][2]))
            cand = [v[0] + cu, v[1] + cu, v[2] + gu, v[3] + gu, cand_cheap]
            old = new.get(nb)
            if old is None:
                new[nb] = cand
            else:
                old[0] = min(old[0], cand[0])
                old[1] = max(old[1], cand[1])
                old[2] = min(old[2], cand[2])
                old[3] = max(old[3], cand[3])
                if _better_route(cand_cheap, old[4]):
                    old[4] = cand_cheap
        table = new
    opts = []
    for b, v in sorted(table.items()):
        add = tuple(b if i in sig else 0 for i in range(len(cons)))
        opts.append((add, v[0], v[1], v[2], v[3], v[4]))
    return opts


def brute_force(p: Problem) -> ir.RouteSummary:
    """Enumerate every subset of the allowed units.  Exponential: for tests."""
    best = None
    lo_c = hi_c = lo_g = hi_g = None
    any_valid = False
    for r in range(len(p.allowed) + 1):
        for combo in itertools.combinations(p.allowed, r):
            if not p.valid(combo):
                continue
            c = sum(p.credits[u] for u in combo)
            g = sum(p.glh[u] for u in combo)
            any_valid = True
            lo_c = c if lo_c is None else min(lo_c, c)
            hi_c = c if hi_c is None else max(hi_c, c)
            lo_g = g if lo_g is None else min(lo_g, g)
            hi_g = g if hi_g is None else max(hi_g, g)
            if best is None or (g, c) < (best.glh, best.credits):
                best = ir.Route(tuple(combo), c, g)
    if not any_valid:
        return ir.RouteSummary(False)
    return ir.RouteSummary(True, lo_c, hi_c, lo_g, hi_g, best)


def summary_matches(a: ir.RouteSummary, b: ir.RouteSummary) -> bool:
    """Equal verdicts and bounds; the cheapest routes must cost the same."""
    if a.satisfiable != b.satisfiable:
        return False
    if not a.satisfiable:
        return True
    return (
        (a.min_credits, a.max_credits, a.min_glh, a.max_glh) == (b.min_credits, b.max_credits, b.min_glh, b.max_glh)
        and (a.cheapest.glh, a.cheapest.credits) == (b.cheapest.glh, b.cheapest.credits)
    )


def unit_set_credits(units: Iterable[str], p: Problem) -> int:
    return sum(p.credits.get(u, 0) for u in units)



# --------------------------------------------------------------------------- spec level


def solvable(q: ir.Qualification, barred: Sequence[ir.Barred]) -> bool:
    """Is a resolved qualification worth solving?  Not without rules, and not
    when two mandatory units are barred with each other (E042 says why)."""
    mandatory = set(q.mandatory)
    return bool(q.rules) and not any(b.a in mandatory and b.b in mandatory for b in barred)


def solve_spec(spec: ir.Spec, skip: Iterable[str] = ()) -> ir.Spec:
    """The spec with each qualification's ``routes`` filled in (those in
    ``skip``, whose rules did not resolve, and those :func:`solvable` rejects
    keep ``routes`` None)."""
    skip = set(skip)
    units = {u.id: u for u in spec.units}
    quals = []
    for q in spec.qualifications:
        if q.id not in skip and solvable(q, spec.barred):
            q = attrs.evolve(q, routes=solve(problem_for(q, units, spec.barred)))
        quals.append(q)
    return attrs.evolve(spec, qualifications=tuple(quals))


def _restricted(q: ir.Qualification, keep: Sequence) -> ir.Qualification:
    """``q`` with only the rules in ``keep`` (its units stay allowed)."""
    rules = tuple(r for r in q.rules if any(r is k for k in keep))
    mandatory = tuple(dict.fromkeys(u for r in rules if isinstance(r, ir.Mandatory) for u in r.units if u in q.units))
    return attrs.evolve(q, rules=rules, mandatory=mandatory)


def minimal_conflict(q: ir.Qualification, units: dict[str, ir.Unit], barred: Sequence[ir.Barred]) -> list:
    """For an unsatisfiable qualification: a minimal set of its rules and of
    the barred pairs among its units that cannot all hold (drop any one of
    them and the rest can).  Deletion filter: each member is dropped for
    good if the others stay unsatisfiable, so it takes one solve per rule
    and pair.  Empty if the rules are satisfiable."""
    allowed = set(q.units)
    members: list = list(q.rules) + [b for b in barred if b.a in allowed and b.b in allowed]

    def unsat(keep: list) -> bool:
        pairs = [b for b in keep if isinstance(b, ir.Barred)]
        return not solve(problem_for(_restricted(q, keep), units, pairs)).satisfiable

    if not unsat(members):
        return []
    for m in list(members):
        rest = [x for x in members if x is not m]
        if unsat(rest):
            members = rest
    return members
