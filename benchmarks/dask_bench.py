"""Benchmark the engines of ``specc validate`` on one batch, in one run:

* local, one process (``--jobs 1``);
* local, one process per core (``--jobs 0``);
* Dask, a LocalCluster of ``--workers`` worker processes of one thread each
  (``--engine dask --jobs 2``), started before the clock starts (its start-up
  is timed on its own).

    python benchmarks/dask_bench.py [--n 20000] [--workers 2] [--spec specs/cityandguilds]

The batch is N portfolios like the examples (:func:`examples.batch_lines`:
the achieving portfolio and every instructive failure of each qualification
in turn, each with a learner of its own) in one JSON Lines file.  Each engine
reads the file as ``specc validate`` does and makes the printed results
(``--format jsonl``); the results are compared (they must be the same) and
counted.  Prints a Markdown table: seconds, portfolios per second and the
ratio to the local engine in one process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc import build  # noqa: E402
from specc_plugins.export import command, examples  # noqa: E402
from specc_plugins.export.engine import LocalEngine  # noqa: E402


def timed(engine, plan, path: str) -> tuple[float, int, str]:
    """Seconds, portfolios and a digest of the outcomes (the printed result,
    and the verdict, qualification and codes the summary counts)."""
    h = hashlib.sha256()
    n = 0
    t = time.perf_counter()
    for o in engine.outcomes(plan, command.records([path])):
        h.update(repr((o.achieved, o.qualification, o.codes, o.text)).encode() + b"\n")
        n += 1
    return time.perf_counter() - t, n, h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--spec", default=str(ROOT / "specs" / "cityandguilds"))
    args = ap.parse_args()
    spec = build.compile_all([args.spec])[0].spec
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="specc-dask-bench-") as tmp:
        path = str(Path(tmp) / "batch.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for line in examples.batch_lines(spec, args.n):
                f.write(line + "\n")
        size = os.path.getsize(path)
        plan = command.make_plan(spec, "2026-01-01", "jsonl")
        rows = []
        for label, engine in (("local, 1 process (--jobs 1)", LocalEngine(1)), (f"local, {cores} processes (--jobs 0)", LocalEngine(cores))):
            rows.append((label, *timed(engine, plan, path)))
        from specc_plugins.export.engine_dask import DaskEngine

        t = time.perf_counter()
        dask = DaskEngine.connect(None, workers=args.workers)
        start = time.perf_counter() - t
        try:
            rows.append((f"Dask, LocalCluster of {args.workers} workers x 1 thread", *timed(dask, plan, path)))
        finally:
            dask.close()
    digests = {r[3] for r in rows}
    assert len(digests) == 1, "the engines disagree"
    base = rows[0][1]
    print(f"{args.n:,} portfolios ({size / 1e6:,.0f} MB of JSON Lines), {cores} cores, load average {os.getloadavg()[0]:.1f}; the same results from every engine\n")
    print("| engine | seconds | portfolios/s | time vs local, 1 process |")
    print("|---|---:|---:|---:|")
    for label, secs, n, _ in rows:
        print(f"| {label} | {secs:.1f} | {n / secs:,.0f} | {secs / base:.2f} |")
    print(f"\nDask cluster start-up (not in the times above): {start:.1f} s")


if __name__ == "__main__":
    main()
