"""``specc validate SPEC PORTFOLIO...``: check learners' portfolios against a
qualification (a command of the export plugin, added through the
``specc_add_commands`` hook).

The checking is done by the validator runtime (:mod:`.runtime`) with each
qualification's data installed (:func:`.validator.module_for_model`): the
code of the standalone module a centre runs, so both give the same verdicts.
Inputs are read by the runtime's own :func:`~.runtime.read_inputs`, the way
the standalone module reads them.

Portfolios are JSON files (an object, or an array of objects), JSON Lines
files (``.jsonl`` / ``.ndjson``, one portfolio per line, read a line at a
time) or ``-`` for JSON Lines on standard input.  Each portfolio is checked
against the qualification its own ``qualification`` field names (a module per
qualification, made once when first needed); ``-Q ID`` checks every
portfolio against one.  A portfolio naming a qualification the spec does not
have gets a V104 finding that lists the spec's qualifications.  Every input
gets a report: one that is not JSON (or not UTF-8) V100, one over the size
limit V110, one that cannot be read V111.  With ``--jobs N`` inputs are
parsed, checked and printed in N worker processes, a bounded window at a
time; results are written in input order as they arrive.  Exit status: 0 if
every portfolio achieves the qualification, 1 if any does not, 2 on bad usage
(missing files, a spec that does not compile, an unknown qualification).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import re
import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import runtime

PARALLEL_MIN = 64  # fewer inputs than this are checked in this process
WINDOW = 4096  # inputs handed to the worker processes at a time (bounds memory)

Record = tuple  # (label, data: bytes | None, lines: bool, problem: (code, message) | None), as runtime.read_inputs yields


def records(paths: list[str], limit: int | None = None) -> Iterator[Record]:
    """The inputs of every file in ``paths``, read as they are reached (none
    larger than ``limit`` bytes; default: the runtime's MAX_BYTES)."""
    for p in paths:
        yield from runtime.read_inputs(p, limit)


# --------------------------------------------------------------------------- checking (here or in worker processes)

_WORKER: dict = {}


class Models(dict):
    """qualification id -> the data of its validator (the qualification
    model), made from ``spec`` when first asked for (worker processes get a
    plain dict)."""

    def __init__(self, spec, *args):
        super().__init__(*args)
        self.spec = spec

    def __missing__(self, qid: str) -> dict:
        from .model import qualification_model

        q = self.spec.qualification(qid)
        if q is None:
            raise LookupError(f"no qualification {qid!r}")
        self[qid] = qualification_model(self.spec, q)
        return self[qid]


def _init_worker(models: dict, default: str, forced: bool, quals: list[str], document: str, as_of: str | None, fmt: str) -> None:
    """``models``: qualification id -> model; ``default``: the qualification
    of portfolios that name none (or one the spec lacks), and of every
    portfolio when ``forced`` (``-Q``); ``quals``: the spec's."""
    _WORKER.update(models=models, modules={}, default=default, forced=forced, quals=quals, document=document, as_of=as_of, format=fmt)


def module(qid: str) -> types.ModuleType:
    """The validator module of a qualification (loaded once per process)."""
    from .validator import module_for_model

    mods = _WORKER["modules"]
    if qid not in mods:
        mods[qid] = module_for_model(_WORKER["models"][qid], "specc_validator_" + re.sub(r"\W", "_", qid))
    return mods[qid]


def _unknown_qualification(report: dict, named) -> dict:
    """Say in the report of a portfolio naming a qualification the spec does
    not have (checked against the default one) which the spec has."""
    have = ", ".join(_WORKER["quals"])
    message = (
        f"{json.dumps(named, ensure_ascii=False)} is not a qualification of {_WORKER['document']} (it has {have}); "
        f"checked against {report['qualification']}"
    )
    for f in report["findings"]:
        if f["code"] == "V104" and f["path"] == "$['qualification']":
            f["message"] = message
    return report


def check_one(label: str, portfolio, error, as_of) -> dict:
    """The ``{"source", "report"}`` result of one portfolio, checked against
    the qualification it names (or the forced / default one)."""
    default = _WORKER["default"]
    if error is not None or _WORKER["forced"] or not isinstance(portfolio, dict) or "qualification" not in portfolio:
        return module(default).check(label, portfolio, error, as_of)
    named = portfolio["qualification"]
    if isinstance(named, str) and named in _WORKER["quals"]:
        return module(named).check(label, portfolio, None, as_of)
    result = module(default).check(label, portfolio, None, as_of)
    _unknown_qualification(result["report"], named)
    return result


def results_of(record: Record) -> Iterator[dict]:
    """The ``{"source", "report"}`` results of one input, one at a time."""
    as_of = _WORKER["as_of"]
    for label, portfolio, error in runtime.portfolios_of(*record):
        yield check_one(label, portfolio, error, as_of)


def _printed(record: Record) -> Iterator[tuple[bool, str, str]]:
    """(achieved, the result printed, the qualification checked) for each
    portfolio of an input, one at a time."""
    show = _as_json if _WORKER["format"] == "json" else _as_text
    for r in results_of(record):
        yield r["report"]["verdict"] == "achieved", show(r), r["report"]["qualification"]


def _check(record: Record) -> list[tuple[bool, str, str]]:
    """:func:`_printed` in a worker process: the printing is done there, in parallel."""
    return list(_printed(record))


def check_all(
    spec, inputs: Iterable[Record], as_of: str | None, jobs: int, fmt: str = "json", qualification: str | None = None
) -> Iterator[tuple[bool, str, str]]:
    """(achieved, printed result, qualification) of every portfolio, in
    order, as they are checked; in ``jobs`` processes when there are enough
    inputs to be worth it (handed over ``WINDOW`` at a time, so memory stays
    bounded however long the input).  Each portfolio is checked against the
    qualification it names, or every one against ``qualification`` if given."""
    quals = [q.id for q in spec.qualifications]
    default = qualification or quals[0]
    models = Models(spec)
    models[default]  # noqa: B018 - made first: an error in the model is raised before any output
    head = (default, qualification is not None, quals, spec.document.id, as_of, fmt)
    inputs = iter(inputs)
    first = list(itertools.islice(inputs, PARALLEL_MIN)) if jobs > 1 else []
    if jobs <= 1 or len(first) < PARALLEL_MIN:
        _init_worker(models, *head)
        for rec in itertools.chain(first, inputs):
            yield from _printed(rec)
        return
    # the workers get every qualification's model (which ones the
    # portfolios name is known only once they are parsed, there)
    every = {qid: models[qid] for qid in ([default] if qualification else quals)}
    _init_worker(every, *head)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(every, *head)) as pool:

        def run(window: list[Record]) -> Iterator[tuple[bool, str, str]]:
            chunk = max(1, min(64, len(window) // (jobs * 8)))
            for batch in pool.imap(_check, window, chunksize=chunk):
                yield from batch

        window: list[Record] = []
        for rec in itertools.chain(first, inputs):
            if rec[2]:  # a line of JSON Lines: to the workers, WINDOW at a time
                window.append(rec)
                if len(window) >= WINDOW:
                    yield from run(window)
                    window = []
            else:  # a JSON file (perhaps an array of many portfolios): here, a result at a time
                yield from run(window)
                window = []
                yield from _printed(rec)
        yield from run(window)


# --------------------------------------------------------------------------- output
#
# --format json prints one JSON document, a result per line so that it can be
# written as results arrive:
#   {"document": ..., "qualification": ..., "results": [
#   {"source": ..., "report": {...}},
#   ...
#   ], "summary": {"portfolios": N, "achieved": A, "not_achieved": N - A}}
# Both formats are valid UTF-8 whatever the portfolios hold; the text format
# shows every value on its own line with control characters escaped.


def _as_json(result: dict) -> str:
    return runtime.dumps(result)


def _as_text(result: dict) -> str:
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


def write_results(stream: Iterable[tuple[bool, str, str]], fmt: str, head: dict, out) -> tuple[dict, list[str]]:
    """Print the results as they come; returns the summary and the
    qualifications checked against (in the order first met)."""
    n = ok = 0
    used: list[str] = []
    if fmt == "json":
        out.write(runtime.dumps(head)[:-1] + ', "results": [')
    for achieved, text, qid in stream:
        if qid not in used:
            used.append(qid)
        if fmt == "json":
            out.write(("\n" if n == 0 else ",\n") + text)
        else:
            out.write(text)
        n += 1
        ok += achieved
    summ = {"portfolios": n, "achieved": ok, "not_achieved": n - ok}
    if fmt == "json":
        out.write("\n], \"summary\": " + json.dumps(summ) + "}\n")
    return summ, used


# --------------------------------------------------------------------------- the command


def _usage(msg: str) -> int:
    print(f"specc: error: {runtime.escape_text(msg)}", file=sys.stderr)
    return 2


def _not_an_input(p: str) -> str | None:
    """Why ``p`` cannot be read as portfolios (None: it can be tried)."""
    if p == "-":
        return None
    path = Path(p)
    if path.is_dir():
        return f"{p} is a folder; name the portfolio files in it (JSON or JSON Lines)"
    if not path.exists():
        return f"no such file: {p}"
    return None


def run(args) -> int:
    from specc import build, plugins
    from specc.diagnostics import SourceCache, render, summary

    try:
        root = build.spec_root(args.spec)
    except ValueError as e:
        return _usage(str(e))
    for p in args.portfolios:
        why = _not_an_input(p)
        if why:
            return _usage(why)
    if args.jobs < 0:
        return _usage("--jobs must be 0 (one per core) or more")
    if args.max_bytes is not None and args.max_bytes < 1:
        return _usage("--max-bytes must be 1 or more")
    jobs = args.jobs or os.cpu_count() or 1
    if args.as_of is not None and not runtime._is_date(args.as_of):
        return _usage(f"--as-of must be a date YYYY-MM-DD, not {args.as_of!r}")
    comps = build.compile_all([root])
    comp = comps[0] if comps else None
    if comp is None or not comp.ok or comp.spec is None:
        diags = comp.diagnostics if comp else []
        sources = comp.sources if comp else SourceCache()
        for d in diags:
            if d.is_error:
                print(render(d, sources) + "\n", file=sys.stderr)
        return _usage(f"{args.spec} does not compile ({summary(diags)}); fix it before validating against it")
    spec = comp.spec
    if not spec.qualifications:
        return _usage(f"{args.spec} declares no qualification")
    qid = args.qualification
    if qid is not None and spec.qualification(qid) is None:
        return _usage(f"no qualification {qid!r} in {root} (have: {', '.join(q.id for q in spec.qualifications)})")
    try:
        stream = check_all(spec, records(args.portfolios, args.max_bytes), args.as_of, jobs, args.format, qid)
        first = next(stream, None)  # the first module is made here: its errors are usage errors, before any output
    except (LookupError, plugins.PluginError) as e:
        return _usage(str(e))
    if first is not None:
        stream = itertools.chain([first], stream)
    out = runtime.utf8(sys.stdout)
    summ, used = write_results(stream, args.format, {"document": spec.document.id, "qualification": qid}, out)
    if not summ["portfolios"]:
        print(runtime.escape_text(f"specc: warning: no portfolios in {', '.join(args.portfolios)}"), file=sys.stderr)
    if args.format == "text":
        n = summ["portfolios"]
        against = ", ".join(used) or qid or spec.qualifications[0].id
        print(f"{n} portfolio{'s' if n != 1 else ''} checked against {against}: {summ['achieved']} achieved, {summ['not_achieved']} not achieved", file=sys.stderr)
    return 0 if summ["not_achieved"] == 0 else 1


def add_parser(subparsers) -> None:
    v = subparsers.add_parser(
        "validate",
        help="check learners' portfolios (JSON or JSON Lines) against a qualification",
        description="Check portfolios against a qualification with the generated validator. "
        "Exit 0 if every portfolio achieves it, 1 if any does not, 2 on bad usage.",
    )
    v.add_argument("spec", metavar="SPEC", help="the spec's root .specc file (or a folder holding one spec root)")
    v.add_argument("portfolios", nargs="+", metavar="PORTFOLIO", help="JSON or JSON Lines (.jsonl, .ndjson) files; - reads JSON Lines from stdin")
    v.add_argument(
        "-Q", "--qualification", metavar="ID", help="check every portfolio against this qualification (default: the one each portfolio names)"
    )
    v.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="worker processes for large batches (0: one per core; default 1)")
    v.add_argument("--format", choices=("text", "json"), default="text", help="text: a line per portfolio and per finding; json: one JSON document")
    v.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date of the check (default: each portfolio's as_of, else today)")
    v.add_argument(
        "--max-bytes", type=int, metavar="N",
        help=f"the largest input read: a JSON file, or a line of JSON Lines; larger ones get V110 (default {runtime.MAX_BYTES:,})",
    )
    v.set_defaults(func=run)
