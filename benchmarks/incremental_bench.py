"""Benchmark unit-grain incremental builds (issue 14): change one criterion
of one City & Guilds unit, then rebuild, against a full build -- in one run,
through the real command line (``specc build``, ``--jobs`` one per core).

Rows:

* ``forms``: the unit's own forms and the lists that name it (achievement
  summaries, ``forms/index.json``) are rendered again; every other form is
  kept (``Sink.reuse``).  Against a full ``--emit forms`` build.
* ``handbook``: the unit's section file is rendered again; the whole
  document (RST, HTML, ODT) is rendered again on every change and is timed
  apart.
* every emitter of the spec (C&G's default set).
* ``specc check`` of the spec: the floor (start-up, parse, checks) that any
  build pays.
* "warm process": the same rebuild in a process that stays up (as
  ``specc serve`` rebuilds after each save): Python, specc, the plugins and
  the rendering libraries are already imported.

    python benchmarks/incremental_bench.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "cityandguilds"
UNIT = "units/001.specc"


def specc(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "specc", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def build(spec: Path, out: Path, emit: str | None, jobs: int) -> float:
    return specc("build", str(spec), "-o", str(out), "-q", "--jobs", str(jobs), *(["--emit", emit] if emit else []))


class Editor:
    """Changes one word of one criterion of unit 001, differently each time."""

    def __init__(self, spec: Path):
        self.file = spec / UNIT
        self.n = 0

    def edit(self) -> None:
        text = self.file.read_text(encoding="utf-8")
        new, k = re.subn(r'(criterion 1\.1 ")([^"]*?)( ?\(rev \d+\))?(")', lambda m: f"{m[1]}{m[2]} (rev {self.n}){m[4]}", text, count=1)
        assert k == 1, "criterion 1.1 of unit 001 not found"
        self.n += 1
        self.file.write_text(new, encoding="utf-8")


def warm(spec: Path, out: Path, emit: str | None, jobs: int, editor: Editor, repeat: int) -> float:
    """Median rebuild after an edit, in this process, once a first build has
    imported everything (compile, plan and emit, as ``specc build`` does)."""
    from specc import build as b
    from specc import plugins
    from specc.sink import OutputFolder

    def once() -> float:
        t = time.perf_counter()
        comp = next(c for c in b.compile_all([spec]) if c.spec is not None)
        registry = plugins.emitters()
        names = [emit] if emit else plugins.default_emitters(comp.spec) or list(registry)
        planned = b.plan(comp, [registry[n] for n in names], {})
        folder = OutputFolder(out, toolchain=b.toolchain_digest(), toolchain_info=b.toolchain())
        with folder.locked():
            results = b.emit_all(planned, folder, {}, workers=jobs)
        assert all(r.status != "failed" for r in results), [r.error for r in results]
        return time.perf_counter() - t

    once()
    times = []
    for _ in range(repeat):
        editor.edit()
        times.append(once())
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    jobs = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="specc-incr-") as tmp:
        spec = Path(tmp) / "cityandguilds"
        shutil.copytree(SPEC, spec)
        editor = Editor(spec)
        check = statistics.median(specc("check", str(spec)) for _ in range(args.repeat))
        for label, emit in (("forms", "forms"), ("handbook", "handbook"), ("every emitter", None)):
            full, inc = [], []
            for r in range(args.repeat):
                out = Path(tmp) / f"out-{emit}-{r}"
                full.append(build(spec, out, emit, jobs))
                editor.edit()
                inc.append(build(spec, out, emit, jobs))
            rows.append((label, statistics.median(full), statistics.median(inc)))
            if emit != "handbook":
                rows.append((f"{label}, warm process", statistics.median(full), warm(spec, Path(tmp) / f"warm-{emit}", emit, jobs, editor, args.repeat)))
    print(f"C&G 4411, edit one criterion of unit 001, --jobs {jobs}, median of {args.repeat}; `specc check` of the spec: {check:.2f} s\n")
    print("| emitters | full build | rebuild after the edit | speed-up |")
    print("|---|---:|---:|---:|")
    for label, full, inc in rows:
        print(f"| {label} | {full:.2f} s | {inc:.2f} s | {full / inc:.1f}x |")


if __name__ == "__main__":
    main()
