"""Benchmark the parse cache: `specc check` warm (every file's parse in the
cache) against cold (an empty cache folder) and off (SPECC_CACHE=off), each a
fresh process, wall time including interpreter start.

    python benchmarks/cache_bench.py [--repeat 5] [--units 1000]

Inputs: specs/ (the seeds) and a synthetic spec (benchmarks/synth.py).
Prints a Markdown table (figures go in the README).
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402 - after the path set-up above

PY = sys.executable


def run(target: Path, env: dict) -> float:
    t = time.perf_counter()
    subprocess.run([PY, "-m", "specc", "check", str(target)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def measure(target: Path, repeat: int, tmp: Path) -> tuple[float, float, float]:
    cache = tmp / "cache"
    env = dict(os.environ, SPECC_CACHE_DIR=str(cache))
    cold, warm, off = [], [], []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(run(target, env))
        warm.append(run(target, env))
        off.append(run(target, dict(env, SPECC_CACHE="off")))
    return statistics.median(cold), statistics.median(warm), statistics.median(off)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--units", type=int, default=1000)
    args = ap.parse_args()
    start = statistics.median(run_start() for _ in range(args.repeat))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows.append(("specs/ (the seeds)", *measure(ROOT / "specs", args.repeat, tmp)))
        root = synth.write(args.units, tmp / "synth")
        rows.append((f"synthetic, {args.units:,} units", *measure(root, max(1, args.repeat // 2), tmp)))
    print(f"interpreter start (`python -c pass`): {start * 1000:.0f} ms; median of {args.repeat} runs\n")
    print("| `specc check` | cold (empty cache) | off (`SPECC_CACHE=off`) | warm | off / warm |")
    print("|---|---:|---:|---:|---:|")
    for name, cold, warm, off in rows:
        print(f"| {name} | {cold * 1000:.0f} ms | {off * 1000:.0f} ms | {warm * 1000:.0f} ms | {off / warm:.1f}x |")


def run_start() -> float:
    t = time.perf_counter()
    subprocess.run([PY, "-c", "pass"], check=False)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
