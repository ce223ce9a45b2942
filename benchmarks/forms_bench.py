"""Benchmark the forms emitter per PDF: the current renderer against a named
baseline revision of ``plugins/`` (default: the commit before issue 12's
print-grade forms, 79200b6), in one run, on the forms both build (same ids),
alternating baseline and current rounds so both see the same machine load.

Each side runs in its own process (the baseline's ``plugins/`` is extracted
with ``git archive`` and imported as ``specc_plugins`` ahead of the installed
one); a round renders every common form once, HTML -> PDF, one at a time,
after one untimed warm-up render, timing CPU time (the machine is shared).

    python benchmarks/forms_bench.py [--baseline REV] [--rounds 2] [--limit N]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def forms_by_id() -> dict:
    from specc import build, plugins
    from specc_plugins.forms.generic import render_generic

    out = {}
    for comp in build.compile_all([ROOT / "specs"]):
        spec = comp.spec
        style = plugins.style_for(plugins.form_styles(), spec, None)
        for fm in style.render(spec, {}) if style else render_generic(spec, {}):
            out[f"{spec.document.id}/{fm.id}"] = (fm, spec, style.name if style else "generic")
    return out


def worker(ids: list[str]) -> None:
    """Render the forms ``ids`` (those this side has) and print {id: seconds, size}."""
    import specc_plugins.forms as fp
    from specc_plugins.forms import render as r

    forms = forms_by_id()
    takes_edition = "edition" in inspect.signature(r.to_html).parameters
    takes_form = len(inspect.signature(r.to_pdf).parameters) > 1
    if ids == ["?"]:
        print(json.dumps(sorted(forms)))
        return
    def render(fid: str) -> bytes:
        fm, spec, style = forms[fid]
        args = (fm, spec.document.body.name, style) + ((fp.edition(spec.document),) if takes_edition else ())
        html = r.to_html(*args)
        return r.to_pdf(html, fm) if takes_form else r.to_pdf(html)

    render(ids[0])  # warm up: fonts loaded (and, for the current side, the field font prepared) once per process
    out = {}
    for fid in ids:
        t = time.process_time()  # CPU time: the machine is shared, wall time would measure the neighbours
        pdf = render(fid)
        out[fid] = (time.process_time() - t, len(pdf))
    print(json.dumps(out))


def run_side(pythonpath: str | None, ids: list[str]) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, __file__, "--worker", *ids], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="79200b6")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--worker", nargs="*")
    args = ap.parse_args()
    if args.worker is not None:
        worker(args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "base.tar"
        subprocess.run(["git", "archive", "-o", str(archive), args.baseline, "plugins"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tf:
            tf.extractall(tmp, filter="data")
        (Path(tmp) / "plugins").rename(Path(tmp) / "specc_plugins")
        base_ids = set(run_side(tmp, ["?"]))
        cur_ids = set(run_side(None, ["?"]))
        common = sorted(base_ids & cur_ids)
        if args.limit:
            common = common[:: max(1, len(common) // args.limit)][: args.limit]
        base_t, cur_t, base_s, cur_s = [], [], [], []
        for _ in range(args.rounds):
            b = run_side(tmp, common)
            c = run_side(None, common)
            base_t += [v[0] for v in b.values()]
            cur_t += [v[0] for v in c.values()]
            base_s += [v[1] for v in b.values()]
            cur_s += [v[1] for v in c.values()]
        cur_all = len(cur_ids)
    bm, cm = statistics.median(base_t), statistics.median(cur_t)
    print(f"{len(common)} forms built by both, {args.rounds} rounds; current builds {cur_all} forms, baseline {len(base_ids)}\n")
    print("| renderer | CPU per PDF, median | CPU per PDF, mean | median size |")
    print("|---|---:|---:|---:|")
    print(f"| baseline {args.baseline} | {bm * 1000:.0f} ms | {statistics.mean(base_t) * 1000:.0f} ms | {statistics.median(base_s) / 1000:.0f} KB |")
    print(f"| current | {cm * 1000:.0f} ms | {statistics.mean(cur_t) * 1000:.0f} ms | {statistics.median(cur_s) / 1000:.0f} KB |")
    print(f"\ncurrent / baseline per PDF: {cm / bm:.2f}x the median, {statistics.mean(cur_t) / statistics.mean(base_t):.2f}x the mean")


if __name__ == "__main__":
    main()
