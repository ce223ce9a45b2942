"""A short, seeded run of the hostile-portfolio fuzzer (tests/fuzz/portfolios.py:
the examples mutated by bytes, structure and hostile values): zero failures.
And ``specc validate`` on a batch of such inputs, as a process with two jobs:
every line gets a result, the output is valid UTF-8 and JSON, no traceback.
A longer run: ``python -m tests.fuzz.portfolios --seconds 600``."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from specc_plugins.export import command, runtime
from tests.fuzz import portfolios as fuzz

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def target():
    return fuzz.Target()


def test_fuzz_finds_nothing(target):
    n, checked, failures = fuzz.run(iterations=200, seed=20261130, target=target)
    assert n == 200 and checked >= n
    assert failures == [], failures[0].error


def test_fuzz_is_deterministic(target):
    a, b = random.Random(5), random.Random(5)
    assert [target.input(a)[2] for _ in range(30)] == [target.input(b)[2] for _ in range(30)]


def test_specc_validate_finishes_a_hostile_batch(target, tmp_path):
    rng = random.Random(11)
    lines = []
    while len(lines) < command.PARALLEL_MIN + 20:
        _, _, data, _ = target.input(rng)
        lines += [line for _, line in runtime.json_lines(data) if len(line) < 200_000]
    batch = tmp_path / "hostile.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    r = subprocess.run([sys.executable, "-m", "specc", "validate", str(ROOT / "specs" / "cityandguilds"), str(batch), "--jobs", "2",
                        "--format", "json"], cwd=ROOT, capture_output=True)
    assert r.returncode == 1 and b"Traceback" not in r.stderr, r.stderr[-2000:]
    results = json.loads(r.stdout.decode("utf-8"))["results"]
    assert [x["source"] for x in results] == [f"{batch}:{n}" for n, _ in runtime.json_lines(batch.read_bytes())]
    assert not any(f["code"] == "V199" for x in results for f in x["report"]["findings"])
