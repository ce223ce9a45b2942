"""Benchmark ``specc diff``: the diff of two compiled synthetic specs.

    python benchmarks/diff_bench.py [--units 10000] [--repeat 3]

OLD is ``benchmarks/synth.py``'s spec of N units; NEW is the same spec
revised in one unit in 25 (a credit value changed, a criterion reworded, a
criterion renumbered, a demand count changed, in turn) with ten units added
to a group.  Both are compiled first (timed apart); then, in the same run:

* ``specc.diff.diff(old, new)``: the structured diff (best of --repeat);
* the named alternative: GNU ``diff`` of the two IRs exported as JSON
  (``specc ir``'s text, written beforehand): a line diff with no moves and
  no locations, the floor for "what changed" without specc.

Prints a Markdown table (figures go in the README).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402 - after the path set-up above

from specc import diff as core  # noqa: E402
from specc import export  # noqa: E402
from specc.compiler import compile_file  # noqa: E402

ADDED = '''unit extra{k:02d} "Additional unit {k} on handling complaints by email" {{
  level 1
  credits 2
  glh 10
  outcome 1 performance "Be able to answer complaints in writing" {{
    criterion 1.1 "reply to a written complaint within the time the organisation sets" {{
      demand 3 "written complaints"
    }}
  }}
  evidence guide {{
    row 1.1 {{
      methods work_product
    }}
  }}
}}
'''


def revise_unit(block: str, i: int) -> tuple[str, str | None]:
    """One unit's source revised, and what was done (None: untouched)."""
    if i % 25:
        return block, None
    kind = (i // 25) % 4
    if kind == 0:
        return re.sub(r"\n  credits (\d+)\n", lambda m: f"\n  credits {int(m.group(1)) + 1}\n", block, count=1), "credits"
    if kind == 1:
        return block.replace('"state how to handle case 2 of part 2', '"explain how to handle case 2 of part 2', 1), "reworded"
    if kind == 2:
        block = block.replace("criterion 1.3 ", "criterion 1.4 ", 1).replace("For 1.3 of", "For 1.4 of", 1)
        return block.replace("row 1.1, 1.2, 1.3 {", "row 1.1, 1.2, 1.4 {", 1), "renumbered"
    return block.replace('demand 2 "ways of handling case 1"\n', 'demand 3 "ways of handling case 1"\n', 1), "demand"


def make_pair(n: int, base: Path) -> tuple[Path, Path, dict]:
    old = synth.write(n, base / "old")
    new_dir = base / "new"
    synth.write(n, new_dir)
    done: dict[str, int] = {}
    i = 0
    for f in sorted(new_dir.glob("units_*.specc")):
        blocks = re.split(r"(?m)^(?=unit s\d+ )", f.read_text(encoding="utf-8"))
        out = []
        for b in blocks:
            if b.startswith("unit s"):
                b, what = revise_unit(b, i)
                if what:
                    done[what] = done.get(what, 0) + 1
                i += 1
            out.append(b)
        f.write_text("".join(out), encoding="utf-8")
    (new_dir / "extra.specc").write_text("".join(ADDED.format(k=k) for k in range(10)), encoding="utf-8")
    root = new_dir / "root.specc"
    text = root.read_text(encoding="utf-8")
    text = 'import "extra.specc"\n' + text.replace('group g0 "Group 0" { ', 'group g0 "Group 0" { ' + " ".join(f"extra{k:02d}" for k in range(10)) + " ", 1)
    root.write_text(text, encoding="utf-8")
    done["units added"] = 10
    return old, root, done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="specc-diff-bench-"))
    try:
        old_root, new_root, done = make_pair(args.units, base)
        t = time.perf_counter()
        old = compile_file(old_root)
        t_old = time.perf_counter() - t
        t = time.perf_counter()
        new = compile_file(new_root)
        t_new = time.perf_counter() - t
        assert old.ok and new.ok, [d.message for d in old.errors + new.errors][:5]
        times, d = [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            d = core.diff(old.spec, new.spec)
            times.append(time.perf_counter() - t)
        (base / "old.json").write_text(export.dumps(export.spec_data(old.spec)), encoding="utf-8")
        (base / "new.json").write_text(export.dumps(export.spec_data(new.spec)), encoding="utf-8")
        gnu = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            subprocess.run(["diff", "-u", str(base / "old.json"), str(base / "new.json")], stdout=subprocess.DEVNULL, check=False)
            gnu.append(time.perf_counter() - t)
        lines = sum(1 for _ in open(base / "old.json", encoding="utf-8"))
        kinds = {k: d.count(k) for k in core.KINDS}
        print(f"Python {platform.python_version()}, {os.cpu_count()} cores; synthetic spec of {args.units:,} units "
              f"(IR JSON {lines:,} lines); revised: " + ", ".join(f"{v} {k}" for k, v in done.items()))
        print()
        print("| step | time |")
        print("|---|---:|")
        print(f"| compile OLD | {t_old:.2f} s |")
        print(f"| compile NEW | {t_new:.2f} s |")
        print(f"| `specc.diff.diff(old, new)` ({len(d.changes)} changes: " + ", ".join(f"{v} {k}" for k, v in kinds.items() if v)
              + f") | {min(times):.2f} s |")
        print(f"| GNU `diff -u` of the two IR JSON exports | {min(gnu):.2f} s |")
        print()
        r = min(gnu) / min(times)
        print(f"the structured diff is {r:.1f}x faster than a line diff of the IR JSON" if r >= 1
              else f"the structured diff takes {1 / r:.1f}x the time of a line diff of the IR JSON")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
