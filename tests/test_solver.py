"""The rules-of-combination solver agrees with brute force."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specc import ir, solver


@st.composite
def problems(draw):
    n = draw(st.integers(1, 9))
    units = [f"u{i}" for i in range(n)]
    credits = {u: draw(st.integers(1, 4)) for u in units}
    glh = {u: draw(st.integers(1, 30)) for u in units}
    allowed = [u for u in units if draw(st.booleans()) or u == units[0]]
    mandatory = tuple(u for u in allowed if draw(st.integers(0, 4)) == 0)
    cons = [solver.Constraint("at_least", draw(st.integers(0, 12)), frozenset(allowed))]
    if draw(st.booleans()):
        cons.append(solver.Constraint("at_most", draw(st.integers(4, 20)), frozenset(allowed)))
    for _ in range(draw(st.integers(0, 3))):
        members = frozenset(u for u in allowed if draw(st.booleans()))
        cons.append(solver.Constraint(draw(st.sampled_from(["at_least", "at_most", "exactly"])), draw(st.integers(0, 8)), members))
    barred = tuple({tuple(sorted((a, b))) for a in allowed for b in allowed if a < b and draw(st.integers(0, 5)) == 0})
    return solver.Problem(tuple(allowed), mandatory, tuple(cons), credits, glh, barred)


@settings(max_examples=400, deadline=None)
@given(problems())
def test_dp_equals_brute_force(p):
    fast, slow = solver.solve(p), solver.brute_force(p)
    assert solver.summary_matches(fast, slow), (fast, slow)
    if fast.satisfiable:
        assert p.valid(fast.cheapest.units)
        assert sum(p.glh[u] for u in fast.cheapest.units) == fast.cheapest.glh == fast.min_glh


def test_many_optional_units_stay_fast():
    n = 3000
    units = [f"u{i}" for i in range(n)]
    p = solver.Problem(
        tuple(units),
        ("u0",),
        (
            solver.Constraint("at_least", 60, frozenset(units)),
            solver.Constraint("exactly", 12, frozenset(units[: n // 2])),
        ),
        {u: 1 + i % 4 for i, u in enumerate(units)},
        {u: 5 + i % 17 for i, u in enumerate(units)},
        tuple((units[i], units[i + 1]) for i in range(1, 200, 2)),
    )
    s = solver.solve(p)
    assert s.satisfiable and p.valid(s.cheapest.units)


def test_barred_mandatory_pair_is_unsatisfiable():
    p = solver.Problem(("a", "b"), ("a", "b"), (solver.Constraint("at_least", 0, frozenset("ab")),), {"a": 1, "b": 1}, {"a": 1, "b": 1}, (("a", "b"),))
    assert solver.solve(p) == ir.RouteSummary(False)
