"""Benchmark ``specc check``: wall time including interpreter start.

    python benchmarks/check_bench.py [--sizes 10,100,1000,10000] [--repeat 3]

For each size, a synthetic spec is written by benchmarks/synth.py and
``specc check`` is run as a fresh process.  In the same run it times two
named alternatives on the same machine:

* ``python -c pass``: the interpreter's own start-up, the floor for any CLI;
* ``json.load`` of the spec's IR export (``specc ir``): reading the same
  content as JSON with the standard library, no checking at all.

It also checks ``specs/``.  Prints a Markdown table (figures go in the README).
"""

from __future__ import annotations

import argparse
import statistics
import math
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


def timed(cmd: list[str], repeat: int) -> float:
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    start = timed([PY, "-c", "pass"], args.repeat)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            root = synth.write(n, Path(tmp) / f"s{n}")
            rep = args.repeat if n < 10000 else 1
            t_check = timed([PY, "-m", "specc", "check", str(root)], rep)
            ir = Path(tmp) / f"s{n}.json"
            with ir.open("w") as f:
                subprocess.run([PY, "-m", "specc", "ir", str(root)], stdout=f, check=True)
            t_json = timed([PY, "-c", f"import json; json.load(open({str(ir)!r}))"], rep)
            lines = sum(len(p.read_text().splitlines()) for p in root.parent.glob("*.specc"))
            rows.append((f"synthetic {n} units", lines, t_check, t_json))
        specs = ROOT / "specs"
        lines = sum(len(p.read_text().splitlines()) for p in specs.rglob("*.specc"))
        t_specs = timed([PY, "-m", "specc", "check", str(specs)], args.repeat)
        rows.append(("specs/ (all seeds)", lines, t_specs, float("nan")))
    print(f"interpreter start (`python -c pass`): {start * 1000:.0f} ms\n")
    print("| input | source lines | `specc check` | per 1,000 lines | `json.load` of its IR | check / json |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, lines, tc, tj in rows:
        ratio = "" if math.isnan(tj) else f"{tc / tj:.1f}x"
        js = "" if math.isnan(tj) else f"{tj * 1000:.0f} ms"
        print(f"| {name} | {lines:,} | {tc * 1000:.0f} ms | {(tc - start) / lines * 1000 * 1000:.0f} ms | {js} | {ratio} |")
    growth = [r for r in rows if r[0].startswith("synthetic")]
    if len(growth) >= 2:
        a, b = growth[-2], growth[-1]
        print(f"\ngrowth from {a[0]} to {b[0]}: {b[1] / a[1]:.1f}x the lines, {(b[2] - start) / (a[2] - start):.1f}x the time (start-up excluded)")


if __name__ == "__main__":
    main()
