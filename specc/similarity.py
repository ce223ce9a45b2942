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
  into 32 bins, densified; 16 bands of 2 bins), so the work grows with the
  number of texts, not with the number of pairs; each candidate is then
  verified with :func:`similarity`.  Texts 95 % similar share most of their
  5-grams (a one-letter change in a 100-character text leaves ~90 % of them),
  and a pair whose 5-gram Jaccard similarity is 0.6 or more becomes a
  candidate with probability above 0.999; hashing is CRC-32, so the result is
  the same on every machine and every run.
"""

from __future__ import annotations

import difflib
import zlib
import re
from collections.abc import Callable, Iterator, Sequence

#: how similar (after normalising) two texts must be to count as near-copies:
#: one changed letter in a 40-character text still counts, one changed word
#: in a 40-word sentence does not
THRESHOLD = 0.95

SHINGLE = 5
BINS = 32
ROWS = 2  # bins per band: 16 bands


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
    texts: Sequence[str], threshold: float = THRESHOLD, accept: Callable[[int, int], bool] | None = None
) -> Iterator[tuple[int, int, float]]:
    """``(i, j, ratio)`` for each text ``i`` that is at least ``threshold``
    similar to an earlier text: ``j`` is the first such earlier text (for
    which ``accept(i, j)`` holds, when given)."""
    norms = [normalise(t) for t in texts]
    exact: dict[str, int] = {}
    buckets: dict[tuple, list[int]] = {}
    for i, n in enumerate(norms):
        if n in exact and (accept is None or accept(i, exact[n])):
            yield i, exact[n], 1.0
            continue
        exact.setdefault(n, i)
        sig = signature(n)
        keys = [(b, sig[b * ROWS : (b + 1) * ROWS]) for b in range(BINS // ROWS)]
        cands = sorted({j for k in keys for j in buckets.get(k, ())})
        for j in cands:
            m = norms[j]
            if _bound(len(n), len(m)) < threshold:
                continue
            sm = difflib.SequenceMatcher(None, m, n, autojunk=False)
            if sm.quick_ratio() >= threshold and (r := sm.ratio()) >= threshold and (accept is None or accept(i, j)):
                yield i, j, r
                break
        for k in keys:
            buckets.setdefault(k, []).append(i)
