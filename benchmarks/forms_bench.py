"""Benchmark the forms emitter: time per PDF form (HTML layout by WeasyPrint
plus the post-processing step) over every form of every spec in specs/, in one
process, one form at a time.

    python benchmarks/forms_bench.py [--repeat 1] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from specc import build, plugins
from specc_plugins.forms import render as r
from specc_plugins.forms.generic import render_generic

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    jobs = []
    for comp in build.compile_all([ROOT / "specs"]):
        spec = comp.spec
        styles = plugins.form_styles()
        style = plugins.style_for(styles, spec, None)
        forms = style.render(spec, {}) if style else render_generic(spec, {})
        jobs += [(fm, spec.document.body.name, style.name if style else "generic", spec) for fm in forms]
    if args.limit:
        jobs = jobs[: args.limit]
    times, sizes = [], []
    for _ in range(args.repeat):
        for job in jobs:
            t = time.perf_counter()
            pdf = r.to_pdf(r.to_html(*job[:3]), job[0])
            times.append(time.perf_counter() - t)
            sizes.append(len(pdf))
    print(f"{len(jobs)} forms; per PDF: median {statistics.median(times) * 1000:.0f} ms, mean {statistics.mean(times) * 1000:.0f} ms, "
          f"total {sum(times) / args.repeat:.1f} s; median size {statistics.median(sizes) / 1000:.0f} KB")


if __name__ == "__main__":
    main()
