"""Benchmark reading portfolios from one JSON array file (a system's export)
against the same portfolios in JSON Lines, in one run:

    python benchmarks/array_bench.py [--n 2000] [--spec specs/cityandguilds]

The batch is N portfolios like the examples (:func:`examples.batch_lines`),
written once as JSON Lines and once as a JSON array (pretty-printed, as
exports often are).  Timed, each in this process:

* reading: ``runtime.read_inputs`` (JSON Lines a line at a time; the array an
  element at a time, the streaming reader) and, for scale, ``json.load`` of
  the whole array (what reading it whole would cost, without the size
  limit), with the peak of memory allocated (tracemalloc, in a second pass);
* reading and checking with the local engine in one process (``--format
  jsonl``): the reports must be the same.

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc import build  # noqa: E402
from specc_plugins.export import command, examples, runtime  # noqa: E402
from specc_plugins.export.engine import LocalEngine  # noqa: E402


def read_all(path: str) -> int:
    return sum(1 for _ in runtime.read_inputs(path))


def load_whole(path: str) -> int:
    with open(path, "rb") as f:
        return len(json.load(f))


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    got = fn(*args)
    return time.perf_counter() - t, got


def peak(fn, *args) -> int:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--spec", default=str(ROOT / "specs" / "cityandguilds"))
    args = ap.parse_args()
    spec = build.compile_all([args.spec])[0].spec
    plan = command.make_plan(spec, "2026-01-01", "jsonl")
    with tempfile.TemporaryDirectory(prefix="specc-array-bench-") as tmp:
        lines = str(Path(tmp) / "batch.jsonl")
        array = str(Path(tmp) / "batch.json")
        with open(lines, "w", encoding="utf-8") as fl, open(array, "w", encoding="utf-8") as fa:
            fa.write("[\n")
            for i, line in enumerate(examples.batch_lines(spec, args.n)):
                fl.write(line + "\n")
                fa.write(("" if i == 0 else ",\n") + json.dumps(json.loads(line), indent=2))
            fa.write("\n]\n")
        sizes = {p: os.path.getsize(p) for p in (lines, array)}
        rows = []
        for label, fn, path in (
            ("read JSON Lines (read_inputs)", read_all, lines),
            ("read the JSON array (read_inputs, streaming)", read_all, array),
            ("json.load of the whole array (for scale)", load_whole, array),
        ):
            secs, n = timed(fn, path)
            assert n == args.n, (label, n)
            rows.append((label, secs, sizes[path], peak(fn, path)))
        reports = {}
        for label, path in (("read and check JSON Lines (local, 1 process)", lines), ("read and check the JSON array (local, 1 process)", array)):
            secs, outs = timed(lambda p: [json.loads(o.text)["report"] for o in LocalEngine(1).outcomes(plan, command.records([p]))], path)
            reports[path] = outs
            rows.append((label, secs, sizes[path], None))
        assert reports[lines] == reports[array], "the reports differ"
    print(f"{args.n:,} portfolios; JSON Lines {sizes[lines] / 1e6:,.1f} MB, the array (indented) {sizes[array] / 1e6:,.1f} MB; "
          f"load average {os.getloadavg()[0]:.1f}; the same reports\n")
    print("| | seconds | MB/s | portfolios/s | peak memory allocated |")
    print("|---|---:|---:|---:|---:|")
    for label, secs, size, top in rows:
        mem = f"{top / 1e6:,.1f} MB" if top is not None else ""
        print(f"| {label} | {secs:.2f} | {size / 1e6 / secs:,.0f} | {args.n / secs:,.0f} | {mem} |")


if __name__ == "__main__":
    main()
