"""Time a handbook's publishing block by block, to see what grows.

    python benchmarks/handbook_blocks.py [--sizes 2000,8000] [--formats html,odt]

For each size a synthetic spec of that many small units (benchmarks/synth.py)
is compiled and its handbook source made; then, in a child forked per format
(as ``emit_bench.py`` runs emitters), the source is published a block at a
time (``plugins/handbook/book.py``), the HTML with its unit sections written
as the emitter writes them.  Prints, per size and format, the CPU seconds
per block in each tenth of the book (flat if nothing grows along it), the
time after the last block (contents, joining, serializing, for the ODT
zipping), and the full
collections in each tenth (count and seconds: their cost per collection
should not grow along the book or with the size).  ``emit_bench.py`` says
whether an emitter grows with the spec; this says where in a handbook.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import synth  # noqa: E402
from emit_bench import Collections  # noqa: E402

from specc import build  # noqa: E402
from specc.sink import OutputFolder  # noqa: E402
from specc_plugins import handbook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,8000")
    ap.add_argument("--formats", default="html,odt")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="specc-blocks-") as tmp:
        specs = {}
        for n in (int(x) for x in args.sizes.split(",")):
            specs[n] = build.compile_all([synth.write(n, Path(tmp) / f"s{n}")])[0].spec.index()
        gc.freeze()  # as build.emit_all does
        for n, spec in specs.items():
            _, source = handbook.rst_for(spec, {})
            for fmt in args.formats.split(","):
                pid = os.fork()
                if pid == 0:
                    try:
                        print(publish(spec, source, fmt, Path(tmp) / f"out{n}{fmt}", n), flush=True)
                    finally:
                        os._exit(0)
                os.waitpid(pid, 0)


def publish(spec, source: str, fmt: str, out: Path, n: int) -> str:
    collector = Collections()
    gc.callbacks.append(collector)
    folder = OutputFolder(out)
    sink = folder.begin("x")
    sections = handbook.SectionWriter(spec, sink, "h") if fmt == "html" else None  # the unit sections, as the emitter writes them
    blocks: list[tuple[float, int, float]] = []  # per block: CPU s, full collections so far, their s
    last = [time.process_time()]

    def on_block(doc) -> None:
        if sections is not None:
            sections(doc)
        now = time.process_time()
        blocks.append((now - last[0], collector.full, collector.full_s))
        last[0] = now

    if fmt == "html":
        page, _ = handbook.to_html(source, "h", handbook._linker(spec), on_block)
        sink.write("handbook/h.html", page.parts())  # as the emitter writes it
    else:
        handbook.to_odt(source, None, on_block)
    end = time.process_time() - last[0]
    folder.discard(sink)
    k = len(blocks)
    tenths = [blocks[k * i // 10 : k * (i + 1) // 10] for i in range(10)] if k >= 10 else [blocks]
    per_block = [f"{sum(b[0] for b in t) / len(t):.3f}" for t in tenths if t]
    collections, before = [], (0, 0.0)
    for t in tenths:
        if t:
            collections.append(f"{t[-1][1] - before[0]}/{t[-1][2] - before[1]:.1f}s")
            before = (t[-1][1], t[-1][2])
    return (
        f"{n:,} units, {fmt}: {k} blocks, {sum(b[0] for b in blocks) + end:.1f} s CPU; s per block by tenth {per_block}; "
        f"after the last block {end:.2f} s; full collections by tenth {collections}"
    )


if __name__ == "__main__":
    main()
