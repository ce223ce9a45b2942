"""Benchmark how each emitter's time grows with the size of a spec.

    python benchmarks/emit_bench.py [--sizes 1000,4000,10000] [--budget 120] [--only NAME,...] [--parallel N] [--repeat N]

For each size a synthetic spec of that many small units is written by
benchmarks/synth.py and checked (``compile``, timed); the specs of every
size are kept.  Then every emitter except the PDF renderers is run on each
in a child forked from this process (under an address-space cap;
``--parallel N`` runs N at once), into a fresh output folder through the
sink: ir-json, portfolio-schema, validator, the handbook as
reStructuredText, HTML and ODT (one format per run) and the recording forms
as HTML.  ``--repeat N`` runs N rounds, each of every size in turn, and
keeps the least time at each size: the runs a ratio compares are
neighbours in time, whatever a shared machine's load does over the minutes
in between; each round's own ratio and their median are printed too.
An emitter that took longer than ``--budget`` seconds is not run at
larger sizes.  Times are CPU seconds (so that a machine shared with
other work measures the emitters rather than the load): of the child the
emitter runs in and of the processes it started and waited for (a pool's
workers), so that work an emitter hands to other cores is counted too; the
wall-clock time is printed beside them as each run ends.  An emitter's
peak memory is its own: the largest resident size of its process or of one
of those workers, less what the child had resident when it began (the specs
it shares with this process, mapped by the fork); the compile's is this
process's, the specs compiled before it included.  Every size's run
is forked from the same process, holding every size's spec, so the sizes
are measured in the same machine state.
Prints a Markdown table: seconds per size and, per step, the growth of time
for the growth of size (as much as the size: linear).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import statistics
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
    ap.add_argument("--memory-gb", type=float, default=16.0)
    ap.add_argument("--repeat", type=int, default=1, help="rounds: each runs every emitter at every size (each in a new child); the least CPU time at a size is kept")
    ap.add_argument("--parallel", type=int, default=1, help="emitters run at once, each in its own child (CPU seconds are each child's own)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    only = {x for x in args.only.split(",") if x}
    runs = [r for r in RUNS if not only or r[0] in only]
    registry = plugins.emitters()
    times: dict[str, dict[int, float]] = {"check (compile)": {}}
    mem: dict[str, dict[int, float]] = {"check (compile)": {}}
    failed: dict[str, dict[int, str]] = {}
    over: dict[str, int] = {}  # emitter -> the size it went over the budget at
    rounds: dict[str, dict[int, dict[int, float]]] = {}  # emitter -> round -> size -> CPU s
    with tempfile.TemporaryDirectory(prefix="specc-emit-bench-") as tmp:
        # warm up, untimed: every emitter once on a tiny spec, so the imports
        # it makes are done before the children fork
        tiny = build.compile_all([synth.write(2, Path(tmp) / "warm")])[0].spec
        for label, name, options in runs:
            run_one(registry[name], tiny, Path(tmp) / f"warm-{label.replace(' ', '-')}", options)
        specs = {}
        for n in sizes:
            root = synth.write(n, Path(tmp) / f"s{n}")
            t = time.process_time()
            comp = build.compile_all([root])[0]
            times["check (compile)"][n] = time.process_time() - t
            mem["check (compile)"][n] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            assert comp.ok, [d.message for d in comp.diagnostics if d.is_error][:3]
            specs[n] = comp.spec.index()
            print(f"  {n} units: compiled in {times['check (compile)'][n]:.2f} s CPU", file=sys.stderr, flush=True)
        gc.freeze()  # as build.emit_all does while the emitters run
        running: list = []

        def collect() -> None:
            label, n, k, child = running.pop(0)
            res = child.result()
            if "error" in res:
                print(f"  {n} units: {label} stopped: {res['error']}", file=sys.stderr, flush=True)
                failed.setdefault(label, {})[n] = res["error"]
                return
            rounds.setdefault(label, {}).setdefault(k, {})[n] = res["cpu"]
            if res["cpu"] < times.setdefault(label, {}).get(n, float("inf")):
                times[label][n] = res["cpu"]
            mem.setdefault(label, {})[n] = max(res["peak_mb"], mem.get(label, {}).get(n, 0))
            print(f"  {n} units: {label} (round {k}) {res['cpu']:.2f} s CPU ({res['sys']:.2f} s of it the kernel's, {res['faults']:,} page faults), {res['wall']:.2f} s wall, own peak {res['peak_mb']:,.1f} MB, {res['full_collections']} full collections taking {res['full_collections_s']:.2f} s", file=sys.stderr, flush=True)
            if res["cpu"] > args.budget:
                over[label] = min(over.get(label, n), n)

        # Rounds: every size once per round, so a repeat at 100,000 units
        # is as near in time to one at 10,000 as to another at 100,000 (a
        # shared machine's load drifts over minutes: the ratio is of
        # neighbours, and the least time at each size is kept).
        for k in range(1, args.repeat + 1):
            for n in sizes:
                for label, name, options in runs:
                    if n > over.get(label, n) or any(m <= n for m in failed.get(label, {})):
                        continue  # over the budget at a smaller size, or failed at this one or one smaller
                    if k == 1 and (prev := [m for m in mem.get(label, {}) if m < n]):
                        m = max(prev)
                        projected = mem[label][m] * n / m / 1024
                        if projected > args.memory_gb:
                            print(f"  {n} units: {label} not run: projected {projected:,.0f} GB", file=sys.stderr, flush=True)
                            failed.setdefault(label, {})[n] = f"not run: about {projected:,.0f} GB (x{n // m} of {mem[label][m] / 1024:,.1f} GB), over the {args.memory_gb:g} GB cap"
                            continue
                    out = Path(tmp) / f"out{n}-{label.replace(' ', '-')}-{k}"
                    running.append((label, n, k, Child(functools.partial(run_one, registry[name], specs[n], out, options), args.memory_gb)))
                    if len(running) >= args.parallel:
                        collect()
                while running:  # a round's sizes in order: the memory of the smaller decides the larger
                    collect()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"units: {', '.join(f'{n:,}' for n in sizes)}; peak memory of the run {peak:,.0f} MB\n")
    head = " | ".join(f"{n:,} units (s)" for n in sizes) + " | " + " | ".join(f"peak MB at {n:,}" for n in sizes)
    steps = " | ".join(f"x{b // a} size: time x" for a, b in zip(sizes, sizes[1:], strict=False))
    print(f"| step | {head} | {steps} |")
    print("|---|" + "---:|" * (len(sizes) + len(sizes) - 1 + len(sizes)))
    for label, by in times.items():
        cells = [f"{by[n]:.2f}" if n in by else failed.get(label, {}).get(n, "-") for n in sizes]
        cells += [f"{mem[label][n]:,.1f}" if n in mem.get(label, {}) else "-" for n in sizes]
        growth = [f"{by[b] / by[a]:.1f}" if a in by and b in by and by[a] > 0 else "-" for a, b in zip(sizes, sizes[1:], strict=False)]
        print(f"| {label} | {' | '.join(cells)} | {' | '.join(growth)} |")
    if args.repeat > 1 and len(sizes) > 1:
        # each round's own ratio (its runs minutes apart) and their median:
        # the least of each size can pair a lucky short run with a long one
        a, b = sizes[0], sizes[-1]
        print(f"\nx{b // a} size, round by round (time at {b:,} over time at {a:,}):\n")
        for label, by_round in rounds.items():
            ratios = sorted(r[b] / r[a] for r in by_round.values() if a in r and b in r and r[a] > 0)
            if ratios:
                print(f"  {label}: {', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}")


def run_one(emitter, spec, out: Path, options: dict) -> dict:
    folder = OutputFolder(out)
    sink = folder.begin("x")
    shared = _resident_mb()  # what the fork mapped of this process's specs: counted in the child's resident size
    collector = Collections()
    gc.callbacks.append(collector)
    r0, kids, wall = resource.getrusage(resource.RUSAGE_SELF), children_cpu(), time.perf_counter()
    emitter.emit(spec, sink, dict(options))
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime + children_cpu() - kids
    wall = time.perf_counter() - wall
    gc.callbacks.remove(collector)
    folder.discard(sink)
    peak = max(0.0, max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024 - shared)
    return {
        "cpu": cpu,
        "wall": wall,
        "peak_mb": peak,
        # where the time went, for a ratio over the size's: the kernel's
        # share (page faults, files), and the collector's full collections
        "sys": r1.ru_stime - r0.ru_stime,
        "faults": r1.ru_minflt - r0.ru_minflt + r1.ru_majflt - r0.ru_majflt,
        "full_collections": collector.full,
        "full_collections_s": collector.full_s,
    }


def _resident_mb() -> float:
    """This process's resident size now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Collections:
    """A gc callback counting the full collections (generation 2) and
    their wall-clock seconds."""

    def __init__(self):
        self.full, self.full_s, self._start = 0, 0.0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.full += 1
            self.full_s += time.perf_counter() - self._start


def children_cpu() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Child:
    """``job`` run in a forked child under an address-space cap; its result
    (or {"error": why}) from :meth:`result`."""

    def __init__(self, job, memory_gb: float):
        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(r)
            try:
                cap = int(memory_gb * 2**30)
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
                res = job()
            except MemoryError:
                res = {"error": f"out of memory (over {memory_gb:g} GB)"}
            except BaseException as e:  # noqa: BLE001 - reported, the run goes on
                res = {"error": f"{type(e).__name__}: {e}"[:200]}
            os.write(w, json.dumps(res).encode())
            os._exit(0)
        os.close(w)
        self.r = r

    def result(self) -> dict:
        with os.fdopen(self.r, "rb") as f:
            data = f.read()
        _, status = os.waitpid(self.pid, 0)
        if not data:
            return {"error": f"child died (status {status})"}
        return json.loads(data)


if __name__ == "__main__":
    main()
