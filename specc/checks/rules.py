"""Rules of combination: every qualification has rules, they can be met, and
its declared size matches its valid routes (the solver's ``routes``)."""

from __future__ import annotations

from ..prose import plural

from collections.abc import Iterator

from .. import ir, solver
from ..diagnostics import Diagnostic
from . import Check, Context, error, warning

E040 = error("E040", "rules of combination that no combination of units can satisfy (names a smallest set of rules and barred pairs that conflict)")
E042 = error("E042", "two mandatory units barred with each other")
W043 = warning("W043", "declared GLH, TQT or credit value that no valid route matches (names the cheapest route)")
E044 = error("E044", "a qualification without rules of combination")


def has_rules(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    for q in spec.qualifications:
        if not q.rules:
            yield ctx.diag("E044", f"qualification `{q.id}` has no rules of combination", q.span, word=q.id, help="add a `rules { ... }` block")


def _checked(spec: ir.Spec, ctx: Context) -> Iterator[ir.Qualification]:
    """Qualifications with rules that resolved (unknown names are reported already)."""
    return (q for q in spec.qualifications if q.rules and q.id not in ctx.unsolved)


def barred_mandatory(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    for q in _checked(spec, ctx):
        for b in spec.barred:
            if b.a in q.mandatory and b.b in q.mandatory:
                yield ctx.diag(
                    "E042",
                    f"mandatory units `{b.a}` and `{b.b}` of `{q.id}` are barred with each other",
                    b.span,
                    help="no learner could achieve this qualification",
                )


def _why(q: ir.Qualification, units: dict[str, ir.Unit]) -> str:
    """The first plain reason a qualification's rules fail, if one is simple
    to state (credits that cannot add up); else the generic advice."""

    def credits(us) -> int:
        return sum(units[u].credits or 0 for u in us if u in units)

    total = credits(q.units)
    for r in q.rules:
        if isinstance(r, ir.MinTotal) and total < r.credits:
            return f"all the units its rules allow give {plural(total, 'credit')}; it needs at least {r.credits}"
        if isinstance(r, ir.CreditsFrom) and r.op in ("at_least", "exactly") and credits(r.units) < r.credits:
            return f"{', '.join(r.sources)} give{'s' if len(r.sources) == 1 else ''} {plural(credits(r.units), 'credit')} at most; the rule needs {r.credits}"
    mand = credits(q.mandatory)
    for r in q.rules:
        if isinstance(r, ir.MaxTotal) and mand > r.credits:
            return f"the mandatory units alone give {plural(mand, 'credit')}, more than the maximum of {r.credits}"
    return "no combination of its units meets every rule; relax one of the rules or barred pairs noted"


def _quote(ctx: Context, x) -> str:
    """A rule or barred pair as its source line reads, and where it is."""
    line = ctx.sources.line(x.span.file, x.span.line)
    what = "barred pair" if isinstance(x, ir.Barred) else "rule"
    shown = " ".join(line.split()) if line else type(x).__name__
    return f"{what} `{shown}` at {x.span}"


def satisfiable(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """E040, with a minimal set of rules and barred pairs that conflict."""
    units = {u.id: u for u in spec.units}
    for q in spec.qualifications:
        if q.routes is None or q.routes.satisfiable:
            continue
        conflict = solver.minimal_conflict(q, units, spec.barred)
        notes = ()
        if conflict:
            head = "this cannot hold" if len(conflict) == 1 else "these cannot all hold (without any one of them the rest can)"
            notes = (f"{head}: " + "; ".join(_quote(ctx, x) for x in conflict),)
        yield ctx.diag(
            "E040",
            f"the rules of combination of `{q.id}` cannot be satisfied",
            q.span,
            word=q.id,
            help=_why(q, units),
            notes=notes,
        )


def declared_size(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W043: declared GLH and credits are those of the cheapest valid route."""
    units = {u.id: u for u in spec.units}
    for q in spec.qualifications:
        summary = q.routes
        if summary is None or not summary.satisfiable:
            continue
        cheap = summary.cheapest
        route = ", ".join(units[u].label for u in cheap.units)
        if q.glh is not None and q.glh != summary.min_glh:
            yield ctx.diag(
                "W043",
                f"`{q.id}` declares GLH {q.glh}, but its cheapest valid route has {summary.min_glh} GLH",
                q.span,
                word=q.id,
                notes=(f"cheapest route: units {route} ({plural(cheap.credits, 'credit')}, {cheap.glh} GLH)",),
                help="a qualification's GLH is the GLH of its cheapest valid route",
            )
        if q.credits is not None and q.credits != summary.min_credits:
            yield ctx.diag(
                "W043",
                f"`{q.id}` declares {plural(q.credits, 'credit')}, but its smallest valid route has {summary.min_credits}",
                q.span,
                word=q.id,
                notes=(f"cheapest route: units {route} ({plural(cheap.credits, 'credit')}, {cheap.glh} GLH)",),
            )
        if q.tqt is not None and q.glh is not None and q.tqt < q.glh:
            yield ctx.diag("W043", f"`{q.id}` declares TQT {q.tqt}, less than its GLH {q.glh}", q.span, word=q.id)


CHECKS = (
    Check("rules-present", (E044,), has_rules),
    Check("barred-mandatory", (E042,), barred_mandatory),
    Check("rules-satisfiable", (E040,), satisfiable),
    Check("declared-size", (W043,), declared_size),
)
