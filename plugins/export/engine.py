"""Engines of ``specc validate``: what checks the portfolios, and where.

An engine turns inputs (the records :func:`runtime.read_inputs` yields: a
JSON file, an element of a JSON array or a line of JSON Lines, already read
by the client) into one
:class:`Outcome` per portfolio, in input order.  What to check them against
is a :class:`Plan`: the qualifications' validator data (plain data, so it
can be sent to other processes or machines), how portfolios pick their
qualification, the date of the check and the output format.

* :class:`LocalEngine` -- this process, or a pool of ``jobs`` processes on
  this machine (the default; needs nothing beyond specc);
* :class:`specc_plugins.export.engine_dask.DaskEngine` -- the workers of a
  dask.distributed cluster (``--engine dask``; the optional extra
  ``specc[dask]``).

Both run the same :class:`Checker` on every portfolio, so the printed results
are the same whichever engine made them.  The command prints what an engine
yields and adds every outcome to a :class:`Tally` (the summary).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import re
import threading
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

from attrs import field, frozen

from . import runtime

PARALLEL_MIN = 64  # fewer inputs than this are checked in this process
WINDOW = 4096  # inputs handed to the worker processes at a time (bounds memory)

Record = tuple  # (label, data: bytes | None, one portfolio: bool, problem: (code, message) | None), as runtime.read_inputs yields


@frozen
class Plan:
    """What portfolios are checked against, and how results are printed.

    ``models``: qualification id -> the data of its validator (a mapping that
    may make them when first asked for, locally); ``default``: the
    qualification of portfolios that name none (or one the spec lacks), and of
    every portfolio when ``forced`` (``-Q``); ``quals``: the spec's
    qualifications; ``fmt``: "json" (and "jsonl") or "text"; ``version``: the
    specc that made the plan (a worker running another refuses it)."""

    models: Mapping = field(eq=False)
    default: str
    forced: bool
    quals: tuple[str, ...]
    document: str
    as_of: str | None
    fmt: str
    version: str = ""

    def every_model(self) -> dict:
        """The data of every qualification a portfolio can be checked against
        (which ones the portfolios name is known only once they are parsed)."""
        return {qid: self.models[qid] for qid in ([self.default] if self.forced else self.quals)}


@frozen
class Outcome:
    """One portfolio's result: whether it achieves its qualification, the
    result as printed, the qualification checked against and the codes of
    the findings its report lists."""

    achieved: bool
    text: str
    qualification: str
    codes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- printing a result


def as_json(result: dict) -> str:
    return runtime.dumps(result)


def as_text(result: dict) -> str:
    esc = runtime.escape_text
    rep = result["report"]
    who = rep.get("learner", {})
    name = who.get("name", "")
    if who.get("uln"):
        name += f" ({who['uln']})"
    verdict = "ACHIEVED" if rep["verdict"] == "achieved" else "NOT ACHIEVED"
    credits = f", {rep['credits']} credits" if "credits" in rep else ""
    units = f" (units {', '.join(rep['achieved_units'])})" if rep.get("achieved_units") else ""
    lines = [esc(f"{result['source']}: {name + ' - ' if name else ''}{rep['qualification']} {verdict}{credits}{units}")]
    lines += [esc(f"  {f['severity']} {f['code']} {f['path']}: {f['message']}") for f in rep["findings"]]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- checking


class Checker:
    """Checks portfolios as a :class:`Plan` says, with a validator module per
    qualification (the runtime with its data installed, made once when first
    needed).  One per process (or per plan, on a Dask worker)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.modules: dict[str, types.ModuleType] = {}
        self._lock = threading.Lock()  # a Dask worker may run tasks in threads
        self.show = as_text if plan.fmt == "text" else as_json

    def module(self, qid: str) -> types.ModuleType:
        """The validator module of a qualification (made once)."""
        mod = self.modules.get(qid)
        if mod is None:
            from .validator import module_for_model

            with self._lock:
                mod = self.modules.get(qid)
                if mod is None:
                    mod = module_for_model(self.plan.models[qid], "specc_validator_" + re.sub(r"\W", "_", qid))
                    self.modules[qid] = mod
        return mod

    def _unknown_qualification(self, report: dict, named) -> dict:
        """Say in the report of a portfolio naming a qualification the spec does
        not have (checked against the default one) which the spec has."""
        have = ", ".join(self.plan.quals)
        message = (
            f"{json.dumps(named, ensure_ascii=False)} is not a qualification of {self.plan.document} (it has {have}); "
            f"checked against {report['qualification']}"
        )
        for f in report["findings"]:
            if f["code"] == "V104" and f["path"] == "$['qualification']":
                f["message"] = message
        return report

    def check_one(self, label: str, portfolio, error, as_of) -> dict:
        """The ``{"source", "report"}`` result of one portfolio, checked against
        the qualification it names (or the forced / default one)."""
        plan = self.plan
        if error is not None or plan.forced or not isinstance(portfolio, dict) or "qualification" not in portfolio:
            return self.module(plan.default).check(label, portfolio, error, as_of)
        named = portfolio["qualification"]
        if isinstance(named, str) and named in plan.quals:
            return self.module(named).check(label, portfolio, None, as_of)
        result = self.module(plan.default).check(label, portfolio, None, as_of)
        self._unknown_qualification(result["report"], named)
        return result

    def results_of(self, record: Record) -> Iterator[dict]:
        """The ``{"source", "report"}`` results of one input, one at a time."""
        for label, portfolio, error in runtime.portfolios_of(*record):
            yield self.check_one(label, portfolio, error, self.plan.as_of)

    def outcomes(self, record: Record) -> Iterator[Outcome]:
        """The :class:`Outcome` of each portfolio of an input, one at a time."""
        for r in self.results_of(record):
            rep = r["report"]
            yield Outcome(rep["verdict"] == "achieved", self.show(r), rep["qualification"], tuple(f["code"] for f in rep["findings"]))

    def outcomes_of(self, records: Iterable[Record]) -> list[Outcome]:
        """Every outcome of a batch of inputs (what a worker sends back)."""
        return [o for rec in records for o in self.outcomes(rec)]


# --------------------------------------------------------------------------- the summary


class Tally:
    """Counts outcomes as they are printed: portfolios by verdict, and per
    qualification by verdict and by finding code."""

    def __init__(self) -> None:
        self.n = 0
        self.ok = 0
        self.per: dict[str, dict] = {}

    def add(self, o: Outcome) -> None:
        self.n += 1
        self.ok += o.achieved
        q = self.per.get(o.qualification)
        if q is None:
            q = self.per[o.qualification] = {"portfolios": 0, "achieved": 0, "findings": {}}
        q["portfolios"] += 1
        q["achieved"] += o.achieved
        found = q["findings"]
        for code in o.codes:
            found[code] = found.get(code, 0) + 1

    @property
    def used(self) -> list[str]:
        """The qualifications checked against, in the order first met."""
        return list(self.per)

    def summary(self) -> dict:
        """``{"portfolios", "achieved", "not_achieved", "qualifications": {id:
        {"portfolios", "achieved", "not_achieved", "findings": {code: count}}}}``
        (qualifications and codes sorted; a finding counts once per report that lists it)."""
        quals = {}
        for qid in sorted(self.per):
            q = self.per[qid]
            quals[qid] = {
                "portfolios": q["portfolios"],
                "achieved": q["achieved"],
                "not_achieved": q["portfolios"] - q["achieved"],
                "findings": dict(sorted(q["findings"].items())),
            }
        return {"portfolios": self.n, "achieved": self.ok, "not_achieved": self.n - self.ok, "qualifications": quals}


# --------------------------------------------------------------------------- engines


class Engine(Protocol):
    """Checks inputs as a plan says, yielding outcomes in input order."""

    name: str

    def outcomes(self, plan: Plan, inputs: Iterable[Record]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class EngineError(ValueError):
    """An engine cannot run (no cluster, a worker of another version): a
    usage error, said before any output."""


_LOCAL: dict = {}


def _init_pool(plan: Plan) -> None:
    _LOCAL["checker"] = Checker(plan)


def _pool_check(record: Record) -> list[Outcome]:
    """An input's outcomes in a worker process: the printing is done there, in parallel."""
    return list(_LOCAL["checker"].outcomes(record))


class LocalEngine:
    """This process, or ``jobs`` processes of this machine when there are
    enough inputs to be worth it (handed over ``WINDOW`` at a time, so memory
    stays bounded however long the input): lines of JSON Lines and elements
    of a JSON array.  A JSON file of one portfolio is checked in this process."""

    name = "local"

    def __init__(self, jobs: int = 1):
        self.jobs = jobs

    def close(self) -> None:
        pass

    def outcomes(self, plan: Plan, inputs: Iterable[Record]) -> Iterator[Outcome]:
        jobs = self.jobs
        inputs = iter(inputs)
        first = list(itertools.islice(inputs, PARALLEL_MIN)) if jobs > 1 else []
        if jobs <= 1 or len(first) < PARALLEL_MIN:
            here = Checker(plan)
            for rec in itertools.chain(first, inputs):
                yield from here.outcomes(rec)
            return
        # the workers get every qualification's model
        plan = Plan(plan.every_model(), plan.default, plan.forced, plan.quals, plan.document, plan.as_of, plan.fmt, plan.version)
        here = Checker(plan)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(jobs, initializer=_init_pool, initargs=(plan,)) as pool:

            def run(window: list[Record]) -> Iterator[Outcome]:
                chunk = max(1, min(64, len(window) // (jobs * 8)))
                for batch in pool.imap(_pool_check, window, chunksize=chunk):
                    yield from batch

            window: list[Record] = []
            for rec in itertools.chain(first, inputs):
                if rec[2]:  # one portfolio (a line, an array's element): to the workers, WINDOW at a time
                    window.append(rec)
                    if len(window) >= WINDOW:
                        yield from run(window)
                        window = []
                else:  # a JSON file: here, a result at a time
                    yield from run(window)
                    window = []
                    yield from here.outcomes(rec)
            yield from run(window)
