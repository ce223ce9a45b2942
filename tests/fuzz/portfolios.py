"""Hostile-portfolio fuzzing of the validator runtime.

Mutates the example portfolios in ``examples/`` -- their bytes (flips,
insertions, deletions, truncation, invalid UTF-8), their JSON structure
(deleted, duplicated and replaced values, unknown keys, deep nesting) and
their values (lone surrogates, control characters, huge numbers, strings and
slot lists, dates at the ends of the calendar) -- and feeds each to the
validator of its qualification the way ``specc validate`` does: read as JSON
or as JSON Lines, every portfolio checked with ``validate()`` (not through
the catch-all that turns a failure into V199, so a failure shows), the
result written as JSON and as text.  A traceback, output that is not valid
UTF-8 or JSON, or a text line that a value could forge is a failure.

Deterministic for a seed.  A short run is part of the default test suite
(``tests/test_export_fuzz.py``); a longer one::

    .venv/bin/python -m tests.fuzz.portfolios --iterations 20000 --seed 7
    .venv/bin/python -m tests.fuzz.portfolios --seconds 600 --save /tmp/fuzz-failures

prints a line per failure and a summary, saves failing inputs with
``--save``, and exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SPECS = {"cg4411": ROOT / "specs" / "cityandguilds" / "4411.specc", "ncfe_601_3972_9": ROOT / "specs" / "ncfe" / "ncfe.specc"}

# ---------------------------------------------------------------------- hostile values

SURROGATES = ["\ud800", "\udc80", "\udfff", "x\ud800y", "\udbff\udbff", "\ud83d"]
CONTROLS = ["\x00", "\x01", "\x0c", "\x1b[2J", "\x1b]0;pwned\x07", "\r", "\n  error V000 $: forged", "\x7f", "\x9b31m", "\u2028", "\u202e", "\ufeff"]
DATES = ["9999-12-31", "9999-12-01", "9999-01-31", "0001-01-01", "0000-01-01", "2024-02-29", "2023-02-29", "10000-01-01", "-001-01-01"]


def hostile_value(rng: random.Random, doc: Any) -> Any:
    kind = rng.randrange(12)
    if kind == 0:
        return rng.choice(SURROGATES) * rng.randint(1, 3)
    if kind == 1:
        return "name" + rng.choice(CONTROLS) + "tail"
    if kind == 2:
        return rng.choice(DATES)
    if kind == 3:
        return rng.choice([10**30, -(10**30), 2**63, -1, 0, 1e308, -1e308, 5e-324, 1.5, True, None])
    if kind == 4:
        return "x" * rng.choice([1000, 100_000])
    if kind == 5:
        n = rng.choice([100, 5000])
        return [f"d{rng.randint(1, 3)}_{k}" for k in range(1, n + 1)]
    if kind == 6:
        return {f"k{k}": k for k in range(rng.choice([10, 2000]))}
    if kind == 7:
        return [] if rng.random() < 0.5 else {}
    if kind == 8:
        return copy.deepcopy(pick(rng, doc)[1]) if locations(doc) else None
    if kind == 9:
        nested: Any = "deep"
        for _ in range(rng.choice([50, 400])):
            nested = [nested] if rng.random() < 0.5 else {"a": nested}
        return nested
    if kind == 10:
        return rng.choice(SURROGATES) + rng.choice(CONTROLS)
    return rng.choice(["", " ", "E1", "d1_1", "r5a", "workplace", "simulation", "rpl", "observation", "1.1", "001", "1234567890"])


def locations(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a JSON document."""
    out: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                out.append((node, k))
                stack.append(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out.append((node, i))
                stack.append(v)
    return out


def pick(rng: random.Random, doc: Any) -> tuple[tuple[Any, Any], Any]:
    locs = locations(doc)
    c, k = locs[rng.randrange(len(locs))]
    return (c, k), c[k]


# ---------------------------------------------------------------------- mutations


def mutate_structure(rng: random.Random, doc: Any) -> Any:
    for _ in range(rng.randint(1, 4)):
        locs = locations(doc)
        if not locs:
            return hostile_value(rng, doc)
        c, k = locs[rng.randrange(len(locs))]
        op = rng.randrange(5)
        if op == 0:
            c[k] = hostile_value(rng, doc)
        elif op == 1:
            del c[k]
        elif op == 2 and isinstance(c, dict):
            c[rng.choice(["", "units", "covers", "x\ud800", "k\x1b", "reused_from"]) + str(rng.randrange(3))] = hostile_value(rng, doc)
        elif op == 3:
            c[k] = copy.deepcopy(pick(rng, doc)[1])
        elif isinstance(c[k], str):
            c[k] = c[k] + rng.choice(SURROGATES + CONTROLS)
    return doc


def mutate_registration(rng: random.Random, doc: Any) -> Any:
    """Dates at the ends of the calendar where they are used in arithmetic."""
    if isinstance(doc, dict):
        reg = doc.setdefault("registration", {})
        if isinstance(reg, dict):
            reg["start"] = rng.choice(DATES)
        doc["as_of"] = rng.choice(DATES)
        for (c, k) in locations(doc):
            if k == "date" and rng.random() < 0.3:
                c[k] = rng.choice(DATES)
    return doc


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not b:
            break
        i = rng.randrange(len(b))
        op = rng.randrange(6)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes([rng.randrange(256)])
        elif op == 2:
            del b[i : i + rng.randint(1, 16)]
        elif op == 3:
            b[i:i] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\\ud800", b"\\udc80", b"\n", b"\r\n", b"\x00", b"NaN", b"1e999", b"9" * 5000])
        elif op == 4:
            del b[i:]
        else:
            j = rng.randrange(len(b))
            b[i:i] = b[min(i, j) : max(i, j)][:4096]
    return bytes(b)


def deep(rng: random.Random) -> bytes:
    d = rng.choice([500, 990, 5000, 200_000])
    return b'{"units": ' + b"[" * d + b"]" * d + b"}"


# ---------------------------------------------------------------------- one case


@dataclass(frozen=True)
class Failure:
    iteration: int
    what: str
    qualification: str
    data: bytes
    error: str


class Target:
    """The examples, and a validator module and text renderer per qualification."""

    def __init__(self) -> None:
        from specc.compiler import compile_file
        from specc_plugins.export import command, runtime, validator

        self.runtime = runtime
        self.as_text = command._as_text
        self.cases: list[tuple[str, Any, bytes]] = []  # (qualification, module, example bytes)
        for doc_id, root in SPECS.items():
            spec = compile_file(root).spec
            for q in spec.qualifications:
                folder = EXAMPLES / doc_id / q.id
                if not folder.is_dir():
                    continue
                mod = validator.module_for(spec, q)
                for p in sorted(folder.glob("*.json")):
                    if not p.name.endswith(".report.json"):
                        self.cases.append((q.id, mod, p.read_bytes()))
        if not self.cases:
            raise SystemExit("no example portfolios in examples/ (python scripts/make_examples.py)")

    def input(self, rng: random.Random) -> tuple[str, Any, bytes, bool]:
        """(what was done, module, bytes, whether JSON Lines)."""
        qid, mod, base = self.cases[rng.randrange(len(self.cases))]
        how = rng.randrange(7)
        doc = json.loads(base)
        if how == 0:
            return "bytes", mod, mutate_bytes(rng, base), rng.random() < 0.5
        if how == 1:
            return "deep", mod, deep(rng), False
        if how == 2:
            return "registration", mod, self.encode(mutate_registration(rng, doc)), False
        if how == 3:
            docs = [mutate_structure(rng, json.loads(base)) for _ in range(rng.randint(2, 4))]
            return "lines", mod, b"\n".join(self.encode(d) for d in docs) + b"\n", True
        if how == 4:
            return "array", mod, self.encode([mutate_structure(rng, json.loads(base)) for _ in range(rng.randint(1, 3))]), False
        if how == 5:
            return "structure+bytes", mod, mutate_bytes(rng, self.encode(mutate_structure(rng, doc))), False
        return "structure", mod, self.encode(mutate_structure(rng, doc)), False

    @staticmethod
    def encode(doc: Any) -> bytes:
        try:
            text = json.dumps(doc)  # ASCII: lone surrogates become \\ud800 escapes, as a centre's tool might write them
        except (RecursionError, ValueError):
            text = "null"
        return text.encode("ascii")

    def check(self, mod: Any, data: bytes, lines: bool) -> int:
        """Check one input as specc validate does; raises on any failure.
        Returns the number of portfolios checked."""
        rt = self.runtime
        n = 0
        pieces = rt.json_lines(data) if lines else [(0, data)]
        for number, piece in pieces:
            label = f"in.jsonl:{number}" if lines else "in.json"
            for lab, portfolio, error in rt.portfolios_of(label, piece, lines):
                report = mod.not_json_report(error) if error is not None else mod.validate(portfolio)
                result = {"source": lab, "report": report}
                line = rt.dumps(result)
                line.encode("utf-8")  # strict: no lone surrogate
                if "\n" in line or json.loads(line) != json.loads(json.dumps(result)):
                    raise AssertionError("the JSON line does not round-trip")
                text = self.as_text(result)
                text.encode("utf-8")
                rows = text.split("\n")
                if rows[-1] != "" or any(ch < " " or "\x7f" <= ch <= "\x9f" for row in rows for ch in row):
                    raise AssertionError("text output holds a control character or a forged line")
                if len(rows) - 1 != 1 + len(report["findings"]):
                    raise AssertionError("text output has more lines than the report")
                n += 1
        return n


def run(iterations: int | None = None, seconds: float | None = None, seed: int = 0, save: Path | None = None,
        report: Callable[[str], None] | None = None, target: Target | None = None) -> tuple[int, int, list[Failure]]:
    """Fuzz for ``iterations`` inputs (or ``seconds``); returns (inputs,
    portfolios checked, failures)."""
    target = target or Target()
    rng = random.Random(seed)
    failures: list[Failure] = []
    checked = 0
    start = time.monotonic()
    i = 0
    while (iterations is None or i < iterations) and (seconds is None or time.monotonic() - start < seconds):
        what, mod, data, lines = target.input(rng)
        try:
            checked += target.check(mod, data, lines)
        except Exception:  # noqa: BLE001 - every failure is recorded
            f = Failure(i, what, mod.QUALIFICATION["id"], data, traceback.format_exc(limit=-3))
            failures.append(f)
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"seed{seed}-{i}.{'jsonl' if lines else 'json'}").write_bytes(data)
            if report:
                report(f"iteration {i} ({what}, {f.qualification}): {f.error.strip().splitlines()[-1]}")
        i += 1
        if iterations is None and seconds is None:
            break
    return i, checked, failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fuzz the portfolio validator with hostile portfolios made from examples/.")
    ap.add_argument("--iterations", type=int, help="inputs to try (default 2000 unless --seconds)")
    ap.add_argument("--seconds", type=float, help="run for this long instead")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save", type=Path, metavar="DIR", help="write failing inputs here")
    args = ap.parse_args(argv)
    iterations = args.iterations if args.iterations is not None or args.seconds is not None else 2000
    start = time.monotonic()
    n, checked, failures = run(iterations, args.seconds, args.seed, args.save, report=lambda s: print(s, flush=True))
    print(f"{n} inputs, {checked} portfolios checked, {len(failures)} failures, seed {args.seed}, {time.monotonic() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
