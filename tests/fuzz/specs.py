"""Fuzz target for specs: the seeds mutated by bytes, tokens and lines.

Each mutant replaces one seed file (through the source loader's overlay, so
nothing is written to specs/) and goes through what a user's spec goes
through: compiling its spec root, rendering every diagnostic as the terminal
and JSON show it, ``specc fmt`` (whose output must parse again and format to
itself), and for a spec that compiles, the IR export, the file-name checks
and the handbook's reStructuredText.  Any exception is a failure: the mutant
is saved so it can be replayed.

    python -m tests.fuzz.specs --seconds 600            # a longer run (README)
    python -m tests.fuzz.specs --count 30 --seed 1      # what the test suite runs
    python -m tests.fuzz.specs --replay FILE.specc --as specs/ncfe/units/01.specc

Exit status 0: no traceback; 1: failures (saved under --save, default
/tmp/specc-fuzz-specs/).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from specc import build, export, names
from specc.compiler import compile_file
from specc.diagnostics import printable, render, to_json
from specc.fmt import format_text
from specc.project import find_project

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"

TOKEN = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|\d+(?:\.\d+)*|[A-Za-z_][\w.-]*|\s+|.', re.DOTALL)
HOSTILE = [
    "\x00", "\x1b[2J", "\x0c", "\x01", "\u202e", "\ufeff", "\r", "\t", '"', '"""', "\\", "{", "}", "#", "..", "/",
    "CON", "nul", "COM9", "x" * 300, "javascript:alert(1)", "import \"/proc/self/environ\"", "import \"../../../etc/passwd\"",
    "999999999999999999999", "-1", "0", "é", "\U0001f600", "::", "*", "`", "|", "_", ".. raw:: html",
]


def seed_files() -> dict[Path, Path]:
    """Every seed .specc file -> the spec root that compiles it."""
    out: dict[Path, Path] = {}
    for comp in build.compile_all([SPECS], with_plugins=False):
        if comp.spec is None:
            continue
        for f in comp.files:
            out.setdefault(Path(f).resolve(), Path(comp.root).resolve())
    return out


# -- mutators ------------------------------------------------------------------


def mutate_bytes(text: str, rng: random.Random) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data) + 1)
        op = rng.random()
        if op < 0.4 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        elif op < 0.7:
            data[i:i] = bytes([rng.randrange(256)])
        else:
            del data[i : i + rng.randint(1, 16)]
    return bytes(data)


def mutate_tokens(text: str, rng: random.Random) -> str:
    toks = TOKEN.findall(text)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(toks))
        op = rng.random()
        if op < 0.25:
            del toks[i]
        elif op < 0.5:
            toks.insert(i, rng.choice(toks))
        elif op < 0.7:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = rng.choice(HOSTILE) if rng.random() < 0.6 else rng.choice(toks)
    return "".join(toks)


def mutate_lines(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            del lines[i]
        elif op < 0.5:
            lines.insert(i, rng.choice(lines))
        elif op < 0.7:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op < 0.85:
            lines[i] = " " * rng.choice([0, 1, 2, 4, 8, 13]) + lines[i].lstrip()
        else:
            lines.insert(i, "")
    return "\n".join(lines)


MUTATORS: dict[str, Callable[[str, random.Random], str | bytes]] = {"bytes": mutate_bytes, "tokens": mutate_tokens, "lines": mutate_lines}


# -- the target ------------------------------------------------------------------


def exercise(root: Path, path: Path, text: str | bytes) -> None:
    """Everything a mutant goes through; raises on a defect."""
    loader = find_project(root).loader(overlay={path: text})
    comp = compile_file(root, plugin_checks=None, source=loader)
    for d in comp.diagnostics:
        shown = render(d, comp.sources, color=True)
        plain = printable(shown)
        assert "\x1b" not in plain.replace("\x1b[", ""), "an escape sequence from the spec reaches the terminal"
    to_json(comp.diagnostics).encode("utf-8")
    # fmt (as `specc fmt` runs it on UTF-8 text): formats or reports; its
    # output parses and is a fixed point
    try:
        clean = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    except UnicodeDecodeError:
        clean = None
    if clean is not None:
        out, _diags = format_text(clean, str(path))
        if out is not None:
            again, _ = format_text(out, str(path))
            assert again == out, "fmt is not idempotent"
    if comp.spec is not None:
        names.check(comp.spec)
        export.dumps(export.spec_data(comp.spec)).encode("utf-8")
        if comp.ok:
            from specc_plugins.handbook import rst  # noqa: F401 - the handbook's RST builders

            from specc import plugins

            style = plugins.handbook_styles().get(comp.spec.document.body.id)
            if style is not None:
                style.render(comp.spec, {})


def run(count: int | None, seconds: float | None, seed: int, save: Path, mutators: list[str], out=sys.stderr) -> int:
    rng = random.Random(seed)
    files = seed_files()
    paths = sorted(files)
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    start = time.monotonic()
    n = failures = 0
    while (count is None or n < count) and (seconds is None or time.monotonic() - start < seconds):
        path = rng.choice(paths)
        kind = rng.choice(mutators)
        mutant = MUTATORS[kind](texts[path], rng)
        n += 1
        try:
            exercise(files[path], path, mutant)
        except Exception:  # noqa: BLE001 - every exception is a finding
            failures += 1
            save.mkdir(parents=True, exist_ok=True)
            name = f"{path.stem}-{kind}-{seed}-{n}"
            (save / f"{name}.specc").write_bytes(mutant if isinstance(mutant, bytes) else mutant.encode("utf-8"))
            (save / f"{name}.txt").write_text(f"{path}\n{traceback.format_exc()}", encoding="utf-8")
            print(f"FAIL {name}: {traceback.format_exc().strip().splitlines()[-1]}", file=out)
    took = time.monotonic() - start
    print(f"{n} mutants of {len(paths)} seed files in {took:.1f} s: {failures} failure{'s' if failures != 1 else ''}", file=out)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz.specs", description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, help="number of mutants (default: until --seconds)")
    p.add_argument("--seconds", type=float, help="run for this long (default 60 without --count)")
    p.add_argument("--seed", type=int, default=0, help="random seed (a run is reproducible)")
    p.add_argument("--mutators", default="bytes,tokens,lines", help="comma-separated: bytes, tokens, lines")
    p.add_argument("--save", type=Path, default=Path("/tmp/specc-fuzz-specs"), help="where failing mutants are saved")
    p.add_argument("--replay", type=Path, help="run one saved mutant (with --as SEEDFILE)")
    p.add_argument("--as", dest="as_", type=Path, help="the seed file the replayed mutant stands for")
    a = p.parse_args(argv)
    if a.replay:
        files = seed_files()
        target = a.as_.resolve()
        exercise(files[target], target, a.replay.read_bytes())
        print("no failure")
        return 0
    if a.count is None and a.seconds is None:
        a.seconds = 60.0
    return run(a.count, a.seconds, a.seed, a.save, a.mutators.split(","))


if __name__ == "__main__":
    sys.exit(main())
