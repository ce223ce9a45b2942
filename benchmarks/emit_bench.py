"""Benchmark how each emitter's time grows with the size of a spec.

    python benchmarks/emit_bench.py [--sizes 1000,4000,10000] [--budget 120] [--only NAME,...]

For each size a synthetic spec of that many small units is written by
benchmarks/synth.py, checked (``compile``, timed) and every emitter except
the PDF renderers is run on it in this process, into a fresh output folder
through the sink: ir-json, portfolio-schema, validator, the handbook as
reStructuredText, HTML and ODT (one format per run) and the recording forms
as HTML.  An emitter that took longer than ``--budget`` seconds is not run
at larger sizes.  Times are CPU seconds of this process (``process_time``),
so that a machine shared with other work measures the emitters rather than
the load.  Prints a Markdown table: seconds per size and, per step, the
growth of time for the growth of size (as much as the size: linear).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
import synth  # noqa: E402

from specc import build, plugins  # noqa: E402
from specc.sink import OutputFolder  # noqa: E402

RUNS = (
    ("ir-json", "ir-json", {}),
    ("portfolio-schema", "portfolio-schema", {}),
    ("validator", "validator", {}),
    ("handbook rst", "handbook", {"handbook_formats": "rst"}),
    ("handbook html", "handbook", {"handbook_formats": "html"}),
    ("handbook odt", "handbook", {"handbook_formats": "odt"}),
    ("forms html", "forms", {"formats": "html"}),
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,4000,10000")
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    only = {x for x in args.only.split(",") if x}
    runs = [r for r in RUNS if not only or r[0] in only]
    registry = plugins.emitters()
    times: dict[str, dict[int, float]] = {"check (compile)": {}}
    over: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="specc-emit-bench-") as tmp:
        for n in sizes:
            root = synth.write(n, Path(tmp) / f"s{n}")
            t = time.process_time()
            comp = build.compile_all([root])[0]
            times["check (compile)"][n] = time.process_time() - t
            assert comp.ok, [d.message for d in comp.diagnostics if d.is_error][:3]
            for label, name, options in runs:
                if label in over:
                    continue
                folder = OutputFolder(Path(tmp) / f"out{n}-{label.replace(' ', '-')}")
                sink = folder.begin("x")
                t = time.process_time()
                registry[name].emit(comp.spec, sink, dict(options))
                secs = time.process_time() - t
                folder.discard(sink)
                times.setdefault(label, {})[n] = secs
                print(f"  {n} units: {label} {secs:.2f} s", file=sys.stderr, flush=True)
                if secs > args.budget:
                    over.add(label)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"units: {', '.join(f'{n:,}' for n in sizes)}; peak memory of the run {peak:,.0f} MB\n")
    head = " | ".join(f"{n:,} units (s)" for n in sizes)
    steps = " | ".join(f"x{b // a} size: time x" for a, b in zip(sizes, sizes[1:], strict=False))
    print(f"| step | {head} | {steps} |")
    print("|---|" + "---:|" * (len(sizes) + len(sizes) - 1))
    for label, by in times.items():
        cells = [f"{by[n]:.2f}" if n in by else "-" for n in sizes]
        growth = [f"{by[b] / by[a]:.1f}" if a in by and b in by and by[a] > 0 else "-" for a, b in zip(sizes, sizes[1:], strict=False)]
        print(f"| {label} | {' | '.join(cells)} | {' | '.join(growth)} |")


if __name__ == "__main__":
    main()
