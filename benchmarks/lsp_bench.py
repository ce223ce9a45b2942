"""Benchmark the language server: diagnostics after an edit to one file of a
large synthetic spec, driven over stdio by pygls' client as an editor would.

    python benchmarks/lsp_bench.py [--units 10000] [--edits 5]

The spec (benchmarks/synth.py) has N units in files of 50.  One unit file is
opened, then edited (a criterion number that breaks the outcome's numbering,
then the fix, alternately); for each edit the time from the change
notification to the diagnostics of that file is measured:

* by file (the server's default for a large spec): the edited file checked
  against the rest of the spec as last checked, the whole spec after it;
* whole spec (the named alternative, same server settings but
  ``quickThreshold`` so high that every check is a full one).

Debounce is 0 for both, so the figures are the checking alone; the parse
cache is warmed by one `specc check` first.  Prints a
Markdown table (figures go in the README).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402 - after the path set-up above


async def session(folder: Path, root: Path, part: Path, edits: int, quick_threshold: float, cache: Path) -> dict:
    client = LanguageClient("bench", "1")
    arrived: dict[str, tuple[float, list]] = {}
    event = asyncio.Event()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _on(params):
        arrived[params.uri] = (time.perf_counter(), list(params.diagnostics))
        event.set()

    async def until(uri, pred, since):
        while True:
            got = arrived.get(uri)
            if got and got[0] >= since and pred(got[1]):
                return got[0] - since
            event.clear()
            await asyncio.wait_for(event.wait(), 600)

    env = dict(os.environ, SPECC_CACHE_DIR=str(cache))
    await client.start_io(sys.executable, "-m", "specc", "lsp", cwd=str(folder), env=env)
    await client.initialize_async(
        t.InitializeParams(
            capabilities=t.ClientCapabilities(),
            root_uri=from_fs_path(str(folder)),
            initialization_options={"debounce": 0, "quickThreshold": quick_threshold},
        )
    )
    client.initialized(t.InitializedParams())
    text = part.read_text(encoding="utf-8")
    uri = from_fs_path(str(part))
    t0 = time.perf_counter()
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id="specc", version=1, text=text)))
    first = await until(uri, lambda ds: True, t0)
    broken = text.replace("criterion 1.2 ", "criterion 1.7 ", 1)
    times = []
    for i in range(edits):
        new = broken if i % 2 == 0 else text
        want_warning = i % 2 == 0
        since = time.perf_counter()
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(uri=uri, version=i + 2), [t.TextDocumentContentChangeWholeDocument(text=new)]
            )
        )
        times.append(await until(uri, lambda ds, w=want_warning: any(d.code == "W021" for d in ds) == w, since))
        await asyncio.sleep(0.2)
        # let a background whole-spec check finish before the next edit
        settle = time.perf_counter()
        while time.perf_counter() - settle < 120:
            got = arrived.get(uri)
            if got and got[0] < time.perf_counter() - 1.0:
                break
            await asyncio.sleep(0.25)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"first": first, "edits": times}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = synth.write(args.units, Path(tmp) / "spec")
        folder = root.parent
        part = sorted(folder.glob("units_*.specc"))[len(list(folder.glob("units_*.specc"))) // 2]
        cache = Path(tmp) / "cache"
        # both sessions start with the parse cache warm (as after any earlier check)
        import subprocess

        subprocess.run([sys.executable, "-m", "specc", "check", str(root)], env=dict(os.environ, SPECC_CACHE_DIR=str(cache)), capture_output=True)
        by_file = asyncio.run(session(folder, root, part, args.edits, 0.3, cache))
        whole = asyncio.run(session(folder, root, part, args.edits, 1e9, cache))
    q, w = statistics.median(by_file["edits"]), statistics.median(whole["edits"])
    print(f"synthetic spec: {args.units:,} units in files of 50; edited {part.name}; median of {args.edits} edits; debounce 0\n")
    print("| language server | first diagnostics on open | diagnostics after an edit |")
    print("|---|---:|---:|")
    print(f"| by file (default) | {by_file['first']:.2f} s | {q * 1000:.0f} ms |")
    print(f"| whole spec (named alternative) | {whole['first']:.2f} s | {w * 1000:.0f} ms |")
    print(f"\nby file is {w / q:.1f}x faster than checking the whole spec after each edit")


if __name__ == "__main__":
    main()
