"""Benchmark ``specc build`` of specs/: a full build into an empty folder,
sequential (``--jobs 1``) against parallel (one process per core), and a
rebuild with nothing changed (the manifest should make it nearly free).

    python benchmarks/build_bench.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "specc", "build", *args, "-q"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for label, jobs in (("full build, --jobs 1", 1), (f"full build, --jobs {cores}", cores)):
            times = []
            for _ in range(args.repeat):
                shutil.rmtree(out, ignore_errors=True)
                times.append(run(["specs", "-o", str(out), "--jobs", str(jobs)]))
            rows.append((label, statistics.median(times)))
        times = [run(["specs", "-o", str(out)]) for _ in range(args.repeat)]
        rows.append(("rebuild, nothing changed", statistics.median(times)))
        files = sum(1 for p in out.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"specs/ -> {files} files, {size / 1e6:.1f} MB\n")
    print("| run | wall time | vs full build --jobs 1 |")
    print("|---|---:|---:|")
    base = rows[0][1]
    for label, t in rows:
        print(f"| {label} | {t:.2f} s | {base / t:.1f}x faster |" if t != base else f"| {label} | {t:.2f} s | 1.0x |")


if __name__ == "__main__":
    main()
