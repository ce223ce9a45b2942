"""``specc validate SPEC PORTFOLIO...``: check learners' portfolios against a
qualification (a command of the export plugin, added through the
``specc_add_commands`` hook).

The checking is done by the validator runtime (:mod:`.runtime`) with each
qualification's data installed (:func:`.validator.module_for_model`): the
code of the standalone module a centre runs, so both give the same verdicts.
Inputs are read by the runtime's own :func:`~.runtime.read_inputs`, the way
the standalone module reads them.

Portfolios are JSON files (an object, or an array of objects, read an
element at a time), JSON Lines files (``.jsonl`` / ``.ndjson``, one
portfolio per line, read a line at a time), folders of them (every such file under the folder, sorted) or ``-``
for JSON Lines on standard input.  Each portfolio is checked
against the qualification its own ``qualification`` field names (a module per
qualification, made once when first needed); ``-Q ID`` checks every
portfolio against one.  A portfolio naming a qualification the spec does not
have gets a V104 finding that lists the spec's qualifications.  Every input
gets a report: one that is not JSON (or not UTF-8) V100, one over the size
limit V110, one that cannot be read V111.  An engine (:mod:`.engine`) does
the checking: the local one, in this process or with ``--jobs N`` in N
worker processes, a bounded window at a time; or with ``--engine dask`` the
workers of a Dask cluster (:mod:`.engine_dask`).  Results are written in
input order as they arrive, with the same text whichever engine made them,
and counted into the summary (``--summary FILE``).  The engine options are
also added to ``specc build`` (:func:`add_build_engine`; the Dask runner is
:mod:`.build_dask`).  Exit status: 0 if
every portfolio achieves the qualification, 1 if any does not, 2 on bad usage
(missing files, a spec that does not compile, an unknown qualification).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

from specc import __version__

from . import runtime
from .engine import PARALLEL_MIN, WINDOW, Checker, EngineError, LocalEngine, Outcome, Plan, Record, Tally, as_json, as_text  # noqa: F401


def records(paths: list[str], limit: int | None = None) -> Iterator[Record]:
    """The inputs of every file in ``paths``, read as they are reached (none
    larger than ``limit`` bytes; default: the runtime's MAX_BYTES)."""
    for p in paths:
        yield from runtime.read_inputs(p, limit)


# --------------------------------------------------------------------------- checking (see .engine)

_CHECKER: list = []  # the Checker of _init_worker (for tests and tools)


class Models(dict):
    """qualification id -> the data of its validator (the qualification
    model), made from ``spec`` when first asked for."""

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


def _init_worker(models, default: str, forced: bool, quals: list[str], document: str, as_of: str | None, fmt: str) -> None:
    """Make this process check as the arguments say (see :class:`.engine.Plan`)."""
    _CHECKER[:] = [Checker(Plan(models, default, forced, tuple(quals), document, as_of, fmt, __version__))]


def module(qid: str) -> types.ModuleType:
    """The validator module of a qualification (loaded once per process)."""
    return _CHECKER[0].module(qid)


def results_of(record: Record) -> Iterator[dict]:
    """The ``{"source", "report"}`` results of one input, one at a time."""
    return _CHECKER[0].results_of(record)


def make_plan(spec, as_of: str | None, fmt: str = "json", qualification: str | None = None) -> Plan:
    """The plan of checking portfolios against ``spec``: each against the
    qualification it names, or every one against ``qualification`` if given.
    The default qualification's model is made here: an error in it is raised
    before any output."""
    quals = [q.id for q in spec.qualifications]
    default = qualification or quals[0]
    models = Models(spec)
    models[default]  # noqa: B018
    return Plan(models, default, qualification is not None, tuple(quals), spec.document.id, as_of, fmt, __version__)


def check_all(
    spec, inputs: Iterable[Record], as_of: str | None, jobs: int, fmt: str = "json", qualification: str | None = None, engine=None
) -> Iterator[Outcome]:
    """The :class:`.engine.Outcome` of every portfolio, in order, as they are
    checked by ``engine`` (default: the local one with ``jobs`` processes)."""
    plan = make_plan(spec, as_of, fmt, qualification)
    return (engine or LocalEngine(jobs)).outcomes(plan, inputs)


# --------------------------------------------------------------------------- output
#
# --format json prints one JSON document, a result per line so that it can be
# written as results arrive:
#   {"document": ..., "qualification": ..., "results": [
#   {"source": ..., "report": {...}},
#   ...
#   ], "summary": {"portfolios": N, "achieved": A, "not_achieved": N - A, "qualifications": {...}}}
# --format jsonl prints the results alone, one per line (the summary goes to
# --summary FILE).  Both are valid UTF-8 whatever the portfolios hold; the
# text format shows every value on its own line with control characters escaped.

_as_json = as_json
_as_text = as_text


def write_results(stream: Iterable[Outcome], fmt: str, head: dict, out) -> Tally:
    """Print the results as they come; returns their tally (the summary)."""
    tally = Tally()
    if fmt == "json":
        out.write(runtime.dumps(head)[:-1] + ', "results": [')
    for o in stream:
        if fmt == "json":
            out.write(("\n" if tally.n == 0 else ",\n") + o.text)
        elif fmt == "jsonl":
            out.write(o.text + "\n")
        else:
            out.write(o.text)
        tally.add(o)
    if fmt == "json":
        out.write("\n], \"summary\": " + json.dumps(tally.summary()) + "}\n")
    return tally


# --------------------------------------------------------------------------- the command

PORTFOLIO_SUFFIXES = (".json", ".jsonl", ".ndjson")


def _usage(msg: str) -> int:
    print(f"specc: error: {runtime.escape_text(msg)}", file=sys.stderr)
    return 2


def input_files(paths: list[str]) -> list[str]:
    """The files to read: each path named, a folder as the portfolio files
    (.json, .jsonl, .ndjson) under it, sorted.  ValueError says why a path
    cannot be read as portfolios."""
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*") if f.suffix.lower() in PORTFOLIO_SUFFIXES and f.is_file())
            if not found:
                raise ValueError(f"{p} is a folder with no portfolio files in it (.json, .jsonl or .ndjson)")
            out.extend(found)
        elif not path.exists():
            raise ValueError(f"no such file: {p}")
        else:
            out.append(p)
    return out


def _engine(args, jobs: int):
    if args.engine == "local":
        for opt in ("scheduler", "tls_ca_file", "tls_cert", "tls_key"):
            if getattr(args, opt):
                raise EngineError(f"--{opt.replace('_', '-')} needs --engine dask")
        return LocalEngine(jobs)
    try:
        from .engine_dask import DaskEngine
    except ImportError as e:
        raise EngineError(f"--engine dask needs Dask ({e}); install it with: pip install 'specc[dask]'") from e
    return DaskEngine.connect(
        args.scheduler, workers=args.jobs or None, tls_ca_file=args.tls_ca_file, tls_cert=args.tls_cert, tls_key=args.tls_key
    )


def _write_summary(path: str, summ: dict) -> None:
    import tempfile

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".specc-summary-", dir=target.parent if str(target.parent) else ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(summ, indent=2) + "\n")
    os.replace(tmp, target)


def run(args) -> int:
    from specc import build, plugins
    from specc.diagnostics import SourceCache, render, summary

    try:
        root = build.spec_root(args.spec)
    except ValueError as e:
        return _usage(str(e))
    try:
        files = input_files(args.portfolios)
    except ValueError as e:
        return _usage(str(e))
    if args.jobs is not None and args.jobs < 0:
        return _usage("--jobs must be 0 (one per core) or more")
    if args.max_bytes is not None and args.max_bytes < 1:
        return _usage("--max-bytes must be 1 or more")
    if args.summary is not None and (Path(args.summary).is_dir() or not Path(args.summary).parent.is_dir()):
        return _usage(f"--summary {args.summary}: not a file in an existing folder")
    jobs = 1 if args.jobs is None else (args.jobs or os.cpu_count() or 1)
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
        plan = make_plan(spec, args.as_of, args.format, qid)
        engine = _engine(args, jobs)
    except (LookupError, plugins.PluginError, EngineError) as e:
        return _usage(str(e))
    try:
        try:
            stream = engine.outcomes(plan, records(files, args.max_bytes))
            first = next(stream, None)  # the first module is made here: its errors are usage errors, before any output
        except (LookupError, plugins.PluginError, EngineError) as e:
            return _usage(str(e))
        if first is not None:
            stream = itertools.chain([first], stream)
        out = runtime.utf8(sys.stdout)
        try:
            tally = write_results(stream, args.format, {"document": spec.document.id, "qualification": qid}, out)
        except EngineError as e:  # a worker that joined later and is refused, or a cluster gone
            out.flush()
            print(f"specc: error: {runtime.escape_text(str(e))}", file=sys.stderr)
            return 2
    finally:
        engine.close()
    summ = tally.summary()
    if args.summary is not None:
        _write_summary(args.summary, summ)
    if not summ["portfolios"]:
        print(runtime.escape_text(f"specc: warning: no portfolios in {', '.join(args.portfolios)}"), file=sys.stderr)
    if args.format == "text":
        n = summ["portfolios"]
        against = ", ".join(tally.used) or qid or spec.qualifications[0].id
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
    v.add_argument(
        "portfolios", nargs="+", metavar="PORTFOLIO",
        help="JSON or JSON Lines (.jsonl, .ndjson) files, or folders of them; - reads JSON Lines from stdin",
    )
    v.add_argument(
        "-Q", "--qualification", metavar="ID", help="check every portfolio against this qualification (default: the one each portfolio names)"
    )
    v.add_argument(
        "-j", "--jobs", type=int, default=None, metavar="N",
        help="worker processes for large batches (0: one per core; default 1); "
        "with --engine dask and no --scheduler, the local cluster's workers (default: one per core)",
    )
    v.add_argument(
        "--format", choices=("text", "json", "jsonl"), default="text",
        help="text: a line per portfolio and per finding; json: one JSON document; jsonl: a JSON result per line",
    )
    v.add_argument("--summary", metavar="FILE", help="also write the summary (counts by verdict and finding code, per qualification) to FILE as JSON")
    v.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date of the check (default: each portfolio's as_of, else today)")
    v.add_argument(
        "--max-bytes", type=int, metavar="N",
        help=f"the largest portfolio read: a JSON file of one, an element of a JSON array or a line of JSON Lines; larger ones get V110 (default {runtime.MAX_BYTES:,})",
    )
    add_engine_options(v, "portfolios are checked")
    v.set_defaults(func=run)


def add_engine_options(parser, what: str) -> None:
    """--engine, --scheduler and the TLS files, for ``specc validate`` and ``specc build``."""
    d = parser.add_argument_group("engine", f"where the {what} (the results are the same)")
    d.add_argument(
        "--engine", choices=("local", "dask"), default="local",
        help="local: this machine (default); dask: the workers of a dask.distributed cluster (pip install 'specc[dask]'); "
        "with no --scheduler, a local cluster of --jobs workers",
    )
    d.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler of an existing cluster (tcp://HOST:PORT or tls://HOST:PORT); default: start a local cluster")
    d.add_argument("--tls-ca-file", metavar="PEM", help="with a tls:// scheduler: the certificate authority that signed the cluster's certificates")
    d.add_argument("--tls-cert", metavar="PEM", help="with a tls:// scheduler: this client's certificate (may hold the key too)")
    d.add_argument("--tls-key", metavar="PEM", help="with a tls:// scheduler: this client's private key")


def add_build_engine(subparsers) -> None:
    """``specc build --engine dask``: the engine options on the core's build
    command (when it has one), and the runner it hands to the build."""
    build = subparsers.choices.get("build")
    if build is None:
        return
    add_engine_options(build, "emitters run")
    build.set_defaults(build_runner=build_runner)


def build_runner(args):
    """The runner of ``specc build`` for ``--engine`` (None: the local
    one); ValueError (EngineError) for bad options or an unusable cluster."""
    if args.engine == "local":
        for opt in ("scheduler", "tls_ca_file", "tls_cert", "tls_key"):
            if getattr(args, opt):
                raise EngineError(f"--{opt.replace('_', '-')} needs --engine dask")
        return None
    try:
        from .build_dask import DaskBuildRunner
    except ImportError as e:
        raise EngineError(f"--engine dask needs Dask ({e}); install it with: pip install 'specc[dask]'") from e
    return DaskBuildRunner.connect(args.scheduler, workers=args.jobs or None, tls_ca_file=args.tls_ca_file, tls_cert=args.tls_cert, tls_key=args.tls_key)
