"""Benchmark W062's near-copy search (specc.similarity.near_copies: MinHash
candidates, then difflib on the candidates) against the named alternative,
comparing every pair with difflib (length bound and quick_ratio first, as
near_copies does).  Texts: N sentences of 15-25 words drawn at random
(seeded) from 400 words, and one near-copy (a letter dropped) per 50 texts.
Both must find the same copies.

    python benchmarks/near_copies_bench.py [--sizes 250,500,1000]
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from specc import similarity  # noqa: E402


def texts(n: int) -> list[str]:
    rnd = random.Random(n)
    words = [f"{a}{b}" for a in ("ser", "cus", "tom", "ev", "id", "gui", "dan", "ce", "uni", "rol") for b in range(40)]
    out = []
    for i in range(n):
        if i % 50 == 49:
            src = out[rnd.randrange(len(out))]
            k = rnd.randrange(len(src))
            out.append(src[:k] + src[k + 1 :])
        else:
            out.append(" ".join(rnd.sample(words, rnd.randint(15, 25))))
    return out


def all_pairs(ts: list[str], threshold: float = similarity.THRESHOLD) -> list[tuple[int, int]]:
    norms = [similarity.normalise(t) for t in ts]
    found = []
    for i, n in enumerate(norms):
        for j in range(i):
            m = norms[j]
            if 2 * min(len(n), len(m)) / (len(n) + len(m)) < threshold:
                continue
            sm = difflib.SequenceMatcher(None, m, n, autojunk=False)
            if sm.quick_ratio() >= threshold and sm.ratio() >= threshold:
                found.append((i, j))
                break
    return found


def timed(f, *a):
    t = time.perf_counter()
    r = f(*a)
    return r, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,500,1000")
    args = ap.parse_args()
    print("| texts | near_copies | every pair (difflib) | every pair / near_copies | copies found |")
    print("|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in args.sizes.split(",")):
        ts = texts(n)
        got, t_ours = timed(lambda t: [(i, j) for i, j, _ in similarity.near_copies(t)], ts)
        want, t_all = timed(all_pairs, ts)
        assert got == want, (got[:5], want[:5])
        print(f"| {n:,} | {t_ours * 1000:.0f} ms | {t_all * 1000:.0f} ms | {t_all / t_ours:.0f}x | {len(got)} |")


if __name__ == "__main__":
    main()
