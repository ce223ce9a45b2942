"""Benchmark ``specc build`` of specs/: a full build into an empty folder,
sequential (``--jobs 1``) against parallel (one process per core), and a
rebuild with nothing changed (the manifest should make it nearly free).

``--handbook`` times the printed handbook instead: per spec, the handbook
emitter making only the PDF (WeasyPrint) against making the other formats
(RST, HTML, ODT), and against headless Chromium printing the same HTML
(the named alternative a reader uses).

    python benchmarks/build_bench.py [--repeat 2] [--handbook]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "specc", "build", *args, "-q"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def chromium_print(html: Path, pdf: Path) -> float:
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                shutil.which("chromium") or "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri(),
            ],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - t


def handbook(repeat: int) -> None:
    import pypdf

    print("| spec | pages | handbook rst, html, odt | handbook pdf (WeasyPrint) | Chromium printing the HTML | pdf / Chromium |")
    print("|---|---:|---:|---:|---:|---:|")
    for spec in sorted(p for p in (ROOT / "specs").iterdir() if p.is_dir()):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            timed = {}
            for formats in ("rst,html,odt", "pdf"):
                times = []
                for _ in range(repeat):
                    shutil.rmtree(out, ignore_errors=True)
                    times.append(run([str(spec), "--emit", "handbook", "--option", f"handbook_formats={formats}", "-o", str(out), "--jobs", "1"]))
                timed[formats] = statistics.median(times)
            pdf = next(out.glob("*/handbook/*.pdf"))
            pages = len(pypdf.PdfReader(pdf).pages)
            run([str(spec), "--emit", "handbook", "--option", "handbook_formats=html", "-o", str(out), "--jobs", "1"])
            html = next(out.glob("*/handbook/*.html"))
            browser = statistics.median(chromium_print(html, Path(tmp) / "browser.pdf") for _ in range(repeat))
        print(f"| specs/{spec.name} | {pages} | {timed['rst,html,odt']:.2f} s | {timed['pdf']:.2f} s | {browser:.2f} s | {timed['pdf'] / browser:.1f}x |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--handbook", action="store_true", help="time the printed handbook (PDF) per spec")
    args = ap.parse_args()
    if args.handbook:
        handbook(args.repeat)
        return
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for label, jobs in (("full build, --jobs 1", 1), (f"full build, --jobs {cores}", cores)):
            times = []
            for _ in range(args.repeat):
                shutil.rmtree(out, ignore_errors=True)
                times.append(run(["specs", "-o", str(out), "--jobs", str(jobs)]))
            rows.append((label, statistics.median(times)))
        times = [run(["specs", "-o", str(out)]) for _ in range(args.repeat)]
        rows.append(("rebuild, nothing changed", statistics.median(times)))
        files = sum(1 for p in out.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"specs/ -> {files} files, {size / 1e6:.1f} MB\n")
    print("| run | wall time | vs full build --jobs 1 |")
    print("|---|---:|---:|")
    base = rows[0][1]
    for label, t in rows:
        print(f"| {label} | {t:.2f} s | {base / t:.1f}x faster |" if t != base else f"| {label} | {t:.2f} s | 1.0x |")


if __name__ == "__main__":
    main()
