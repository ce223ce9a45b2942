"""Benchmark portfolio validation: the generated validator module against
fastjsonschema and jsonschema on the same portfolios.

    python benchmarks/validate_bench.py [--min-time 0.5] [--batch 5000]

For every complete qualification in specs/ the portfolios are the examples'
(plugins/export/sample.py): achieving ones for six learners, and the
instructive failures.  Timed in one run, on the same portfolio objects:

* ``validate()``         -- the generated module: everything (schema checks,
                            rules of combination, demands, ranges, reuse,
                            environments, dates), every finding reported;
* ``check_structure()``  -- the generated module's schema part alone;
* fastjsonschema         -- the portfolio JSON Schema compiled to Python
                            (with a calendar check for `date`, as jsonschema
                            has; its own lets 2025-02-30 through), stops at
                            the first error;
* jsonschema             -- Draft202012Validator.is_valid with format
                            assertion, stops at the first error.

Each schema validator's verdicts are compared with ``check_structure`` (they
must agree on every portfolio).  Then ``specc validate`` on a JSON Lines
batch, ``--jobs 1`` against one job per core, and the standalone module run
as a script on the same file.  With ``--hostile``: an ``at least`` demand
covered by a huge slot list (the runtime against list membership, the way
it was done before), and the peak memory of ``specc validate`` on portfolios
of millions of unknown unit keys against ``json.load`` of the same file.
Prints Markdown tables (figures go in the README).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fastjsonschema  # noqa: E402
import jsonschema  # noqa: E402

from specc_plugins.export import examples, sample, validator  # noqa: E402
from specc_plugins.export.model import qualification_model  # noqa: E402
from specc_plugins.export.portfolio import portfolio_schema  # noqa: E402
from specc import build  # noqa: E402

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_calendar_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def per_item(fn, items: list, min_time: float) -> float:
    """Median seconds per item of ``fn`` over ``items`` (three timings of as
    many passes as fill ``min_time``)."""
    passes = 1
    while True:
        t = time.perf_counter()
        for _ in range(passes):
            for x in items:
                fn(x)
        spent = time.perf_counter() - t
        if spent >= min_time / 3 or passes > 10_000:
            break
        passes *= 2
    runs = [spent]
    for _ in range(2):
        t = time.perf_counter()
        for _ in range(passes):
            for x in items:
                fn(x)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) / (passes * len(items))


def portfolio_sets(spec, q):
    model = qualification_model(spec, q)
    mod = validator.module_for(spec, q)
    units, _ = examples.route(spec, q, mod)
    good = [sample.achieving(model, units, learner=n, start=sample.START + datetime.timedelta(days=7 * n)) for n in range(6)]
    mixed = good + [p for _, _, p in sample.failures(model, good[0])]
    return model, mod, good, mixed


def compare(spec, q, min_time: float) -> list[tuple]:
    model, mod, good, mixed = portfolio_sets(spec, q)
    schema = portfolio_schema(model)
    t = time.perf_counter()
    fast = fastjsonschema.compile(schema, formats={"date": is_calendar_date})
    compile_fast = time.perf_counter() - t
    js = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def fast_valid(p):
        try:
            fast(p)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    disagree = {"fastjsonschema": 0, "jsonschema": 0}
    for p in mixed:
        ours = mod.check_structure(p) == []
        disagree["fastjsonschema"] += fast_valid(p) != ours
        disagree["jsonschema"] += js.is_valid(p) != ours
    size = statistics.mean(len(json.dumps(p)) for p in good)
    rows = []
    for label, items in (("achieving", good), ("mixed", mixed)):
        times = {
            "validate()": per_item(mod.validate, items, min_time),
            "check_structure()": per_item(mod.check_structure, items, min_time),
            "fastjsonschema": per_item(fast_valid, items, min_time),
            "jsonschema": per_item(js.is_valid, items, min_time),
        }
        rows.append((f"{spec.document.id} {q.id}", label, len(items), size, times, disagree, compile_fast))
    return rows


def cli_batch(spec, q, root: Path, n: int) -> list[tuple[str, float]]:
    _, mod, good, mixed = portfolio_sets(spec, q)
    cores = os.cpu_count() or 1
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        with batch.open("w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps(mixed[i % len(mixed)]) + "\n")
        module = Path(tmp) / "validator.py"
        module.write_text(validator.render(spec, q), encoding="utf-8")
        runs = [
            ("specc validate --jobs 1", [sys.executable, "-m", "specc", "validate", str(root), str(batch), "-Q", q.id, "--jobs", "1", "--format", "json"]),
            (f"specc validate --jobs {cores}", [sys.executable, "-m", "specc", "validate", str(root), str(batch), "-Q", q.id, "--jobs", str(cores), "--format", "json"]),
            ("standalone module as a script", [sys.executable, "-I", str(module), str(batch)]),
        ]
        for label, cmd in runs:
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            out.append((label, time.perf_counter() - t))
    return out


def _list_demand_slots(demand, evidence):
    """The runtime's ``_demand_slots`` as it was: list membership (quadratic)."""
    slots = list(demand["slots"])
    if demand["op"] == "at_least":
        extra = re.compile(f"^d{demand['index']}_[1-9][0-9]*$")
        for ev in evidence:
            for slot in ev.covers:
                if slot not in slots and extra.search(slot):
                    slots.append(slot)
    return slots


def _at_least_case(spec, q):
    """(module, portfolio, criterion evidence item) with an `at least` demand to cover."""
    model, mod, good, _ = portfolio_sets(spec, q)
    for uid, unit in good[0]["units"].items():
        for ref, crit in model["units"][uid]["criteria"].items():
            for d in crit["demands"]:
                if d["op"] == "at_least" and ref in unit["criteria"]:
                    return mod, good[0], uid, ref, d["index"]
    return None


def _peak_rss(cmd: list[str]) -> tuple[float, float]:
    """(peak resident memory in MB, wall seconds) of a command, measured by a wrapper process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]) / 1024, float(out[1])


def hostile(cases) -> None:
    found = next((r for r in (_at_least_case(c.spec, q) for c, q in cases) if r is not None), None)
    if found is not None:
        mod, good, uid, ref, index = found
        print(f"\nAn `at least` demand (unit {uid} criterion {ref}) covered by one evidence item listing N slots, `validate()`:\n")
        print("| N slots | runtime (set) | list membership (before) | ratio |")
        print("|---:|---:|---:|---:|")
        for n in (5_000, 10_000, 20_000, 80_000):
            doc = json.loads(json.dumps(good))
            doc["units"][uid]["criteria"][ref]["evidence"][0]["covers"] = [f"d{index}_{k}" for k in range(1, n + 1)]
            t = time.perf_counter()
            mod.validate(doc)
            ours = time.perf_counter() - t
            if n <= 20_000:
                saved = mod._demand_slots
                mod._demand_slots = _list_demand_slots
                t = time.perf_counter()
                mod.validate(doc)
                theirs = time.perf_counter() - t
                mod._demand_slots = saved
                print(f"| {n:,} | {ours:.3f} s | {theirs:.2f} s | {theirs / ours:.0f}x |")
            else:
                print(f"| {n:,} | {ours:.3f} s | (not run) | |")
    c, q = cases[0]
    print(f"\nPeak memory: `specc validate` of one portfolio of {c.spec.document.id} {q.id} with millions of unknown unit keys:\n")
    print("| input | `specc validate` | `json.load` of the file | report |")
    print("|---|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for target in (7_900_000, 39_000_000):
            p = Path(tmp) / f"unknown-{target}.json"
            keys = target // 20
            with p.open("w", encoding="ascii") as f:
                f.write(json.dumps({"qualification": q.id, "learner": {"name": "A"}, "registration": {"start": "2024-09-02"}})[:-1] + ', "units": {')
                f.write(", ".join(f'"u{k:011d}": {{}}' for k in range(keys)))
                f.write("}}")
            size = p.stat().st_size
            ours, _ = _peak_rss([sys.executable, "-m", "specc", "validate", str(c.root), str(p), "--format", "json"])
            floor, _ = _peak_rss([sys.executable, "-c", f"import json; json.load(open({str(p)!r}))"])
            out = subprocess.run([sys.executable, "-m", "specc", "validate", str(c.root), str(p), "--format", "json"], cwd=ROOT,
                                 capture_output=True, text=True).stdout
            findings = json.loads(out)["results"][0]["report"]["findings"]
            codes = sorted({f["code"] for f in findings})
            print(f"| {size / 1e6:.1f} MB, {keys:,} keys | {ours:,.0f} MB | {floor:,.0f} MB | {len(findings)} findings listed ({', '.join(codes)}) |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-time", type=float, default=0.5, help="seconds per timing (three are taken)")
    ap.add_argument("--batch", type=int, default=5000, help="portfolios in the specc validate batch")
    ap.add_argument("--hostile", action="store_true", help="only the hostile-input figures (huge slot lists, memory)")
    args = ap.parse_args()
    comps = [c for c in build.compile_all([ROOT / "specs"]) if c.ok and c.spec is not None]
    cases = [(c, q) for c in comps for q in c.spec.qualifications if examples.usable(c.spec, q)]
    if not cases:
        sys.exit("no complete qualification in specs/")
    if args.hostile:
        hostile(cases)
        return
    print(f"Python {sys.version.split()[0]}, fastjsonschema {fastjsonschema.VERSION}, jsonschema {jsonschema_version()}, {os.cpu_count()} cores\n")
    print("| qualification | portfolios | mean size | `validate()` (all checks) | `check_structure()` | fastjsonschema | jsonschema | validate() vs fastjsonschema |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = []

    def rate(x):
        return f"{1 / x:,.0f}/s"

    for c, q in cases:
        rows = compare(c.spec, q, args.min_time)
        for name, label, n, size, t, _, _ in rows:
            ratio = t["fastjsonschema"] / t["validate()"]
            print(
                f"| {name} | {n} {label} | {size / 1000:.0f} kB | {rate(t['validate()'])} | {rate(t['check_structure()'])} | "
                f"{rate(t['fastjsonschema'])} | {rate(t['jsonschema'])} | {ratio:.1f}x {'faster' if ratio >= 1 else 'slower'} |"
            )
        name, _, _, _, _, disagree, compile_fast = rows[0]
        notes.append(f"{name}: fastjsonschema compile {compile_fast:.1f} s; verdicts differing from check_structure(): "
                     f"fastjsonschema {disagree['fastjsonschema']}, jsonschema {disagree['jsonschema']}")
    print()
    for line in notes:
        print(f"* {line}")
    c, q = max(cases, key=lambda cq: len(json.dumps(portfolio_sets(cq[0].spec, cq[1])[2][0])))
    print(f"\n`specc validate` of {args.batch:,} portfolios (JSON Lines, mixed) of {c.spec.document.id} {q.id}, wall time including start-up:\n")
    print("| run | wall time | portfolios/s |")
    print("|---|---:|---:|")
    for label, t in cli_batch(c.spec, q, Path(c.root), args.batch):
        print(f"| {label} | {t:.2f} s | {args.batch / t:,.0f} |")


def jsonschema_version() -> str:
    from importlib.metadata import version

    return version("jsonschema")


if __name__ == "__main__":
    main()
