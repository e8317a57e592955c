"""Shingle sets, Jaccard, and the exact method (``method="exact"``).

:func:`shingles` is a unit's set of character n-grams and :func:`jaccard` the
similarity both methods report (the fast method rebuilds the same sets from code
points to verify its candidates, :mod:`workbench.corpus.dedup.verify`); :func:`containment`
measures how much of one text another quotes. The exact method (:func:`find_exact`)
indexes a prefix of each set's rarest shingles (prefix filtering), so it misses no
pair by construction, but it is super-linear on large, repetitive corpora.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from workbench.corpus.dedup.normalise import normalise_for_matching
from workbench.corpus.dedup.params import EPS


def shingles(normalised: str, ngram: int = 5) -> frozenset[str]:
    """Set of character ``ngram``-grams of an already normalised text.

    A text shorter than ``ngram`` (but not empty) is its own single shingle, so
    short texts still compare equal to themselves.

    Examples
    --------
    >>> sorted(shingles("干群关系紧张", 5))
    ['干群关系紧', '群关系紧张']
    >>> shingles("干群", 5)
    frozenset({'干群'})
    >>> shingles("", 5)
    frozenset()
    """
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    if len(normalised) < ngram:
        return frozenset([normalised]) if normalised else frozenset()
    return frozenset(normalised[i : i + ngram] for i in range(len(normalised) - ngram + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets (0.0 when both are empty).

    Examples
    --------
    >>> jaccard(frozenset("abc"), frozenset("bcd"))
    0.5
    """
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: str, b: str, ngram: int = 5) -> float:
    """Share of ``a``'s shingles that also occur in ``b``.

    Unlike Jaccard this is asymmetric, so it detects an article quoted in full
    inside a longer one. Both texts are normalised with
    :func:`normalise_for_matching` first.

    Parameters
    ----------
    a, b : str
        Raw texts; ``a`` is the one whose coverage is measured.
    ngram : int, default 5
        Shingle length in characters.

    Returns
    -------
    float
        In [0, 1]; 0.0 when ``a`` has no letters.

    Examples
    --------
    >>> containment("干群关系紧张", "当前幹群關係緊張的原因")
    1.0
    >>> containment("当前干群关系紧张的原因", "干群关系紧张")
    0.2857
    """
    sa = shingles(normalise_for_matching(a), ngram)
    if not sa:
        return 0.0
    sb = shingles(normalise_for_matching(b), ngram)
    return round(len(sa & sb) / len(sa), 4)


def _prefix_length(size: int, threshold: float) -> int:
    """How many rarest shingles must be indexed so no pair at ``threshold`` is missed.

    If J(A, B) >= t then |A & B| >= t * max(|A|, |B|), so A and B share at least one
    of the first ``|A| - ceil(t * |A|) + 1`` shingles of each set under any fixed
    global order (prefix filtering, Chaudhuri et al. 2006).
    """
    return size - math.ceil(threshold * size - EPS) + 1


def _document_frequencies(sets: Sequence[frozenset[str]]) -> Counter[str]:
    df: Counter[str] = Counter()
    for s in sets:
        df.update(s)
    return df


def _near_groups(sets: Sequence[frozenset[str]], threshold: float) -> list[int]:
    """Position of each set's canonical set (itself when it matches no earlier set).

    ``sets`` are the shingle sets of distinct normalised texts in first-occurrence
    order. A set joins the group of the earliest canonical among the earlier sets
    whose Jaccard with it reaches ``threshold`` (single-link).
    """
    df = _document_frequencies(sets)
    index: defaultdict[str, list[int]] = defaultdict(list)
    canon: list[int] = []
    for i, s in enumerate(sets):
        # One total order shared by all sets (prefix filtering needs that): rarest
        # shingles first, which keeps posting lists short; ties by the shingle itself.
        ordered = sorted(s, key=lambda sh: (df[sh], sh))
        prefix = ordered[: _prefix_length(len(s), threshold)]
        candidates: set[int] = set()
        for sh in prefix:
            candidates.update(index[sh])
        best = i
        for j in candidates:
            # Skip candidates that cannot improve on the best canonical so far, and
            # apply the length filter (J <= min/max size) before the set operation.
            if (
                canon[j] >= best
                or min(len(s), len(sets[j])) < threshold * max(len(s), len(sets[j])) - EPS
            ):
                continue
            if jaccard(s, sets[j]) >= threshold - EPS:
                best = canon[j]
        canon.append(best)
        for sh in prefix:
            index[sh].append(i)
    return canon


def find_exact(
    texts: Sequence[str], threshold: float, ngram: int, min_chars: int
) -> list[tuple[int, int, str, float]]:
    """Rows (position, canonical position, kind, similarity) of the exact method."""
    norm = [normalise_for_matching(str(t)) for t in texts]

    # Exact step: each distinct long normalised text, in first-occurrence order.
    first_pos: dict[str, int] = {}
    for pos, text in enumerate(norm):
        if len(text) >= min_chars:
            first_pos.setdefault(text, pos)
    distinct = list(first_pos)
    sets = [shingles(t, ngram) for t in distinct]
    canon = _near_groups(sets, threshold)
    slot = {t: k for k, t in enumerate(distinct)}

    rows: list[tuple[int, int, str, float]] = []
    for pos, text in enumerate(norm):
        k = slot.get(text)
        if k is None:
            continue
        c = canon[k]
        canon_pos = first_pos[distinct[c]]
        if canon_pos == pos:
            continue
        if c == k:
            rows.append((pos, canon_pos, "exact", 1.0))
        else:
            rows.append((pos, canon_pos, "near", round(jaccard(sets[k], sets[c]), 4)))
    return rows
