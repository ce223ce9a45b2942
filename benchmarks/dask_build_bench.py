"""Benchmark ``specc build`` of a catalogue of synthetic specs, locally and
on Dask, in one run:

    python benchmarks/dask_build_bench.py [--specs 20] [--units 20] [--workers 2]
        [--emit ir-json,portfolio-schema,validator,handbook]

``--specs`` specs of ``--units`` units each (benchmarks/synth.py) are built
into empty output folders by ``specc build`` (a fresh process each, with an empty parse cache of its own):
``--jobs 1``, one process per core, and ``--engine dask --jobs N`` (a
LocalCluster of N workers started by the command: its start-up is in the
time).  The output folders must be byte-identical.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--specs", type=int, default=20)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--emit", default="ir-json,portfolio-schema,validator,handbook")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="specc-build-bench-") as tmp:
        cat = Path(tmp) / "catalogue"
        for k in range(args.specs):
            synth.write(args.units, cat / f"spec{k:03d}")
            root = cat / f"spec{k:03d}" / "root.specc"  # a document id of its own
            root.write_text(root.read_text(encoding="utf-8").replace(f"document synth{args.units} ", f"document synth{k:03d} "), encoding="utf-8")
        trees = []
        for label, extra in (
            ("local, --jobs 1", ["-j", "1"]),
            (f"local, --jobs {cores}", ["-j", str(cores)]),
            (f"Dask, LocalCluster of {args.workers} workers (start-up included)", ["--engine", "dask", "-j", str(args.workers)]),
        ):
            out = Path(tmp) / f"out{len(rows)}"
            # each build parses the catalogue afresh: an empty parse cache of its own (a shared
            # one would let the first build warm it for the others)
            env = dict(os.environ, SPECC_CACHE_DIR=str(Path(tmp) / f"cache{len(rows)}"))
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "specc", "build", str(cat), "--emit", args.emit, "-o", str(out), "-q", *extra],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )
            rows.append((label, time.perf_counter() - t))
            assert proc.returncode == 0, f"{label}: specc build failed:\n{proc.stderr}"
            trees.append(tree(out))
    for (label, _), t in zip(rows, trees, strict=True):
        differ = sorted(k for k in set(t) | set(trees[0]) if t.get(k) != trees[0].get(k))
        assert not differ, f"{label} differs from {rows[0][0]}: {differ[:5]}"
    jobs = args.specs * len(args.emit.split(","))
    print(f"{args.specs} specs x {args.units} units, emitters {args.emit} ({jobs} jobs, {len(trees[0])} files), "
          f"{cores} cores, load average {os.getloadavg()[0]:.1f}; byte-identical outputs\n")
    print("| build | seconds | jobs/s | time vs --jobs 1 |")
    print("|---|---:|---:|---:|")
    for label, secs in rows:
        print(f"| {label} | {secs:.1f} | {jobs / secs:.1f} | {secs / rows[0][1]:.2f} |")


if __name__ == "__main__":
    main()
