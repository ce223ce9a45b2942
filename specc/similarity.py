"""How alike two texts are, and which texts of many are near-copies of each
other, without comparing every pair.

One home for text similarity: W062 (a long text repeated, or repeated with
small changes) uses it, and so can ``specc diff`` to recognise a criterion
that was renumbered rather than rewritten.

* :func:`normalise`: case and runs of white space do not count.
* :func:`similarity`: 0.0-1.0, ``difflib.SequenceMatcher`` ratio of the
  normalised texts (2 * matching characters / total characters); 1.0 means
  equal after normalising.
* :func:`near_copies`: for each text, the first earlier text at least
  :data:`THRESHOLD` similar to it.  Candidates come from MinHash
  locality-sensitive hashing over character 5-grams (one-permutation hashing
  into 48 bins, densified; 16 bands of 3 bins), so the work grows with the
  number of texts, not with the number of pairs; each candidate is then
  verified with difflib.  A one-letter change in a 100-character text leaves
  about 90 % of its 5-grams shared (Jaccard 0.9: found with probability
  above 0.9999); the worst text still 95 % similar (changes spread out) keeps
  Jaccard about 0.6, found with probability 0.98.  Hashing is CRC-32, so the
  result is the same on every machine and every run.
  ``benchmarks/near_copies_bench.py`` compares it with checking every pair.
"""

from __future__ import annotations

import difflib
import zlib
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence

#: how similar (after normalising) two texts must be to count as near-copies:
#: one changed letter in a 40-character text still counts, one changed word
#: in a 40-word sentence does not
THRESHOLD = 0.95

SHINGLE = 5
BINS = 48
ROWS = 3  # bins per band: 16 bands
VERIFY = 16  # candidates verified per text at most
BUCKET = 64  # texts kept per bucket


def normalise(text: str) -> str:
    """Lower case, white space collapsed to single spaces, ends stripped."""
    return " ".join(text.split()).lower()


def similarity(a: str, b: str) -> float:
    """How alike two texts are after :func:`normalise`: 1.0 equal, 0.0 nothing in common."""
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return 1.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


_NUMBER = re.compile(
    r"\d+|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|first|second|third|fourth|fifth|once|twice)\b"
)


def numbers(text: str) -> list[str]:
    """The numbers a text states (digits and number words), in order: two
    texts that differ in them say different things (a count, a criterion)."""
    return _NUMBER.findall(normalise(text))


def _bound(la: int, lb: int) -> float:
    """The highest ratio two texts of these lengths can have."""
    return 2 * min(la, lb) / (la + lb) if la + lb else 1.0


def signature(norm: str) -> tuple[int, ...]:
    """The MinHash signature (one-permutation, densified) of a normalised text."""
    grams = {norm[i : i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))}
    mins: list[int | None] = [None] * BINS
    for g in grams:
        h = zlib.crc32(g.encode("utf-8"))
        b, v = h % BINS, h // BINS
        if mins[b] is None or v < mins[b]:
            mins[b] = v
    # densify: an empty bin takes the value of the next non-empty bin to its
    # right (circularly), tagged with the distance so that borrowed values
    # only match values borrowed the same way
    out = []
    for i in range(BINS):
        for d in range(BINS):
            v = mins[(i + d) % BINS]
            if v is not None:
                out.append(v * BINS + d)
                break
        else:
            out.append(0)
    return tuple(out)


def near_copies(
    texts: Sequence[str], threshold: float = THRESHOLD, key: Callable[[str], Hashable] | None = None
) -> Iterator[tuple[int, int, float]]:
    """``(i, j, ratio)`` for each text ``i`` that is at least ``threshold``
    similar to an earlier text: ``j`` is the first such earlier text.  With
    ``key``, only texts with equal keys are compared (W062 keys texts by
    their :func:`numbers`).

    Work is bounded whatever the texts: a candidate is verified (difflib)
    only if its length allows the threshold, and at most :data:`VERIFY` of
    them per text, those that share the most bands first; a bucket keeps its
    latest :data:`BUCKET` texts."""
    norms = [normalise(t) for t in texts]
    keys_of = [key(t) for t in texts] if key is not None else [None] * len(texts)
    alone = {k for k, c in Counter(keys_of).items() if c == 1}  # nothing to compare with
    exact: dict[tuple, int] = {}
    buckets: dict[tuple, list[int]] = {}
    for i, n in enumerate(norms):
        k = keys_of[i]
        if k in alone:
            continue
        if (k, n) in exact:
            yield i, exact[(k, n)], 1.0
            continue
        exact[(k, n)] = i
        sig = signature(n)
        keys = [(k, b, sig[b * ROWS : (b + 1) * ROWS]) for b in range(BINS // ROWS)]
        shared: dict[int, int] = {}
        for bk in keys:
            for j in buckets.get(bk, ()):
                shared[j] = shared.get(j, 0) + 1
        cands = [j for j in shared if _bound(len(n), len(norms[j])) >= threshold]
        cands = sorted(cands, key=lambda j: (-shared[j], j))[:VERIFY]
        best = None
        for j in sorted(cands):
            sm = difflib.SequenceMatcher(None, norms[j], n, autojunk=False)
            if sm.quick_ratio() >= threshold and (r := sm.ratio()) >= threshold:
                best = (j, r)
                break
        if best is not None:
            yield i, best[0], best[1]
        for bk in keys:
            members = buckets.setdefault(bk, [])
            members.append(i)
            if len(members) > BUCKET:
                del members[0]
