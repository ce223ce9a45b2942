"""The generated validator's rules-of-combination verdict equals brute force:
for every subset of a qualification's units, ``check_combination`` finds
nothing exactly when :meth:`specc.solver.Problem.valid` (the direct check the
solver's brute force enumerates with) accepts the subset, and the subsets it
accepts give the same route summary as :func:`specc.solver.brute_force`.

Run for each City & Guilds 4411 qualification and the NCFE qualification:
the transcribed specs in specs/ where they are there, else the synthetic
specs with the same rules (tests/test_export_synth.py).  2^20 subsets per
4411 qualification are spread over worker processes."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from specc_plugins.export import validator
from specc import solver
from tests.test_export_synth import synth  # noqa: F401 - fixture

CG = ("4411-30", "4411-33", "4411-01", "4411-11")
NCFE = ("601-3972-9",)


def _find(specs: dict, qid: str):
    for spec in specs.values():
        q = spec.qualification(qid)
        if q is not None and all(spec.unit(u) is not None for u in q.units):
            return spec, q
    return None


def _cases(specs, synth_specs) -> list:
    out = []
    for qid in CG + NCFE:
        found = _find(specs, qid) or _find(synth_specs, qid)
        assert found is not None, qid
        out.append(found)
    return out


def _halves(units: list[str]):
    """Subsets of the first and second half of the units, by bit mask."""
    k = len(units) // 2
    lo, hi = units[:k], units[k:]
    lows = [tuple(u for i, u in enumerate(lo) if m >> i & 1) for m in range(1 << len(lo))]
    highs = [tuple(u for i, u in enumerate(hi) if m >> i & 1) for m in range(1 << len(hi))]
    return lows, highs


def _enumerate(args) -> tuple[int, list, tuple]:
    """Check every subset of one qualification; returns (valid routes,
    disagreements, (min credits, max credits, min glh, max glh))."""
    source, problem = args
    mod = validator.load(source)
    check = mod.check_combination
    valid = problem.valid
    lows, highs = _halves(list(problem.allowed))
    mand = set(problem.mandatory)
    routes, bad = 0, []
    lo_c = hi_c = lo_g = hi_g = None
    for high in highs:
        for low in lows:
            units = low + high
            s = set(units)
            # Problem.valid checks mandatory units and barred pairs first; skip
            # straight to False where they fail, as it would
            expected = mand <= s and not any(a in s and b in s for a, b in problem.barred) and valid(units)
            got = not check(units)
            if got != expected:
                if len(bad) < 5:
                    bad.append((units, expected, got))
                continue
            if got:
                routes += 1
                c = sum(problem.credits[u] for u in units)
                g = sum(problem.glh[u] for u in units)
                lo_c = c if lo_c is None else min(lo_c, c)
                hi_c = c if hi_c is None else max(hi_c, c)
                lo_g = g if lo_g is None else min(lo_g, g)
                hi_g = g if hi_g is None else max(hi_g, g)
    return routes, bad, (lo_c, hi_c, lo_g, hi_g)


@pytest.mark.slow  # 2^20 subsets per qualification; CI runs it (./dev test --ci)
def test_rules_of_combination_equal_brute_force(specs, synth):  # noqa: F811
    jobs = []
    for spec, q in _cases(specs, synth):
        p = solver.problem_for(q, {u.id: u for u in spec.units}, spec.barred)
        jobs.append((validator.render(spec, q), p, q))
    work = [(src, p) for src, p, _ in jobs]
    procs = min(len(work), os.cpu_count() or 1)
    if procs > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            results = pool.map(_enumerate, work, chunksize=1)
    else:
        results = [_enumerate(w) for w in work]
    for (_, _, q), (routes, bad, bounds) in zip(jobs, results, strict=True):
        assert not bad, (q.id, bad)
        summary = q.routes  # the DP solver's, computed at compile time
        assert routes > 0 and summary.satisfiable, q.id
        assert bounds == (summary.min_credits, summary.max_credits, summary.min_glh, summary.max_glh), (q.id, bounds, summary)


def test_brute_force_agrees_on_small_qualifications(synth):  # noqa: F811
    """solver.brute_force itself (the exponential enumeration) on the demo
    spec's qualifications: the routes the validator accepts summarise alike."""
    spec = synth["demo"]
    for q in spec.qualifications:
        p = solver.problem_for(q, {u.id: u for u in spec.units}, spec.barred)
        routes, bad, bounds = _enumerate((validator.render(spec, q), p))
        assert not bad
        bf = solver.brute_force(p)
        assert bf.satisfiable == (routes > 0)
        assert bounds == (bf.min_credits, bf.max_credits, bf.min_glh, bf.max_glh)


@pytest.mark.parametrize("n", [0, 1])
def test_unknown_units_are_refused(synth, n):  # noqa: F811
    spec = synth["demo"]
    q = spec.qualification("q1")
    mod = validator.module_for(spec, q)
    units = list(q.routes.cheapest.units) + ["nope"] * n
    codes = [f["code"] for f in mod.check_combination(units)]
    assert codes == (["V606"] if n else [])
