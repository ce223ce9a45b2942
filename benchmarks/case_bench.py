"""Benchmark the CASE emitter and ``specc import case`` on ``specs/``.

    python benchmarks/case_bench.py [--repeat 5]

In one run, on the same compiled specs and the same package bytes, it times:

* export: ``cfpackage`` + JSON text, against the ``ir-json`` emitter's
  ``export.dumps(export.spec_data(spec))`` (the IR of the same spec as JSON);
* import: ``import_packages`` (read, check, map, write source, format it),
  against ``json.loads`` of the same bytes (the floor for reading them) and
  ``json_source_map.calculate`` (what a diagnostic's position would cost,
  paid only when there is a diagnostic).

Prints a Markdown table (figures go in the README's CASE section).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from json_source_map import calculate

    from specc import build, export
    from specc_plugins.case import dumps
    from specc_plugins.case.importer import import_packages
    from specc_plugins.case.package import cfpackage

    specs = [c.spec for c in build.compile_all([ROOT / "specs"]) if c.spec is not None]
    packages = [(f"{s.document.id}.json", dumps(cfpackage(s)).encode("utf-8")) for s in specs]
    size = sum(len(b) for _n, b in packages)
    items = sum(len(json.loads(b)["CFItems"]) for _n, b in packages)

    t_export = best(lambda: [dumps(cfpackage(s)) for s in specs], args.repeat)
    t_ir = best(lambda: [export.dumps(export.spec_data(s)) for s in specs], args.repeat)
    t_import = best(lambda: import_packages(packages), args.repeat)
    t_loads = best(lambda: [json.loads(b) for _n, b in packages], args.repeat)
    t_map = best(lambda: [calculate(b.decode("utf-8")) for _n, b in packages], args.repeat)
    lines = sum(src.count("\n") for src in import_packages(packages).files.values())

    print(f"Python {platform.python_version()}, {len(specs)} specs, {size / 1e6:.1f} MB of CASE JSON, {items:,} items, {lines:,} lines of imported source")
    print()
    print("| step | time | alternative | its time | ratio |")
    print("|---|---:|---|---:|---:|")
    print(f"| export (`cfpackage` + JSON) | {t_export * 1000:.0f} ms | IR as JSON (`ir-json`) | {t_ir * 1000:.0f} ms | {t_export / t_ir:.1f}x |")
    print(f"| import (`import_packages`) | {t_import * 1000:.0f} ms | `json.loads` | {t_loads * 1000:.0f} ms | {t_import / t_loads:.1f}x |")
    print(f"| positions for diagnostics (`json_source_map`) | {t_map * 1000:.0f} ms | `json.loads` | {t_loads * 1000:.0f} ms | {t_map / t_loads:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
