"""Exact and near-duplicate detection over ordered text units.

Web-collected Chinese texts repeat themselves: a page may contain its own body
twice, and the same essay circulates in Simplified and Traditional script on
different sites. Units (paragraphs or whole articles) are compared after
:func:`normalise_for_matching`, which converts to Simplified script and keeps only
letters, so punctuation style, numbering and script do not hide a copy.

* **Exact** duplicates have equal normalised text (found by hashing).
* **Near** duplicates have a Jaccard similarity of character n-gram shingle sets
  of at least ``threshold``.

Two methods find the near duplicates; both verify every candidate pair with the
exact Jaccard of the shingle sets, so they report the same pairs, similarities and
kinds (the tests and ``benchmarks/dedup.py`` check this):

``method="fast"`` (the default) — near-linear MinHash + LSH.
    The normalised text of every unit is reduced, with numpy over code points and
    no Python loop per shingle, to a *sketch* (:func:`sketch_units`): one 64-bit
    hash per shingle; :data:`NUM_PERM` = 128 MinHash bins, as two independent
    one-permutation sketches of 64 bins (one pass over the shingles each; empty
    bins of short units are filled by *optimal densification*, Shrivastava 2017,
    so each bin of two sets agrees with probability equal to their Jaccard); and
    LSH band keys of :func:`lsh_rows` bins each. Pairs that share a band key are
    candidates. At a threshold of 0.8 the bands are 32 × 4 bins and a pair at
    Jaccard exactly 0.8 is missed with probability ``(1 - 0.8**4) ** 32`` ≈ 4.7e-8
    for independent bins (:func:`miss_probability`; 1.4e-15 at 0.9); simulated
    on synthetic pairs, the densified sketches of short units miss no more often
    than independent bins would. Every candidate is then verified exactly:
    the shingle sets are rebuilt from the text as exact code-point n-grams (a
    64-bit hash is used as the id only after checking it is injective on them),
    so no hash collision can change a similarity or add a pair. Sketches are small
    (about 150 bytes per unit), picklable and concatenable
    (:meth:`Sketches.concat`), so the expensive part can run per partition in
    worker processes.

``method="exact"`` — prefix filtering, no misses by construction.
    An inverted index over a *prefix* of each unit's string shingles (rarest
    first; the prefix-filtering principle guarantees that any pair reaching the
    threshold shares a prefix shingle), then every candidate is verified. Exact
    but super-linear on large, repetitive corpora.

Units are in corpus order and the earliest unit of a group is *canonical*.
Matching is single-link: a unit that matches any earlier unit joins that unit's
group, and ``dup_of`` always names the group's canonical unit, never an
intermediate one.

Examples
--------
>>> import pandas as pd
>>> units = pd.DataFrame({
...     "id": ["a", "b", "c", "d"],
...     "text": ["密切联系群众是我们党的优良传统。",
...              "一、",
...              "密切聯繫群眾，是我們黨的優良傳統！",
...              "密切联系群众是我们党的优良作风。"],
... })
>>> find_duplicates(units, threshold=0.6)
  id dup_of   kind  similarity
0  c      a  exact      1.0000
1  d      a   near      0.6923
>>> find_duplicates(units, threshold=0.6, method="exact").equals(
...     find_duplicates(units, threshold=0.6))
True
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.script import to_simplified, to_simplified_many

#: Output columns of :func:`find_duplicates`, in order.
DUPLICATE_COLUMNS = ("id", "dup_of", "kind", "similarity")

#: The near-duplicate methods of :func:`find_duplicates`.
Method = Literal["fast", "exact"]

#: MinHash bins per unit: independent one-permutation sketches of 64 bins each.
NUM_PERM = 128

# Bins of one one-permutation sketch: one 64-bit word of non-empty flags per unit.
_BINS = 64

#: Jaccard similarity of shingle sets at or above which two units are near duplicates:
#: the one default of every function here, of :mod:`workbench.duplicates`, and of
#: ``load_corpus(dup_threshold=...)``, ``run_pipeline``, ``build_corpus`` and the
#: ``--dup-threshold`` option of ``workbench corpus`` and ``workbench pipeline``.
DUP_THRESHOLD = 0.8

#: Largest accepted probability that LSH misses a pair at exactly the threshold.
MAX_MISS = 1e-6

#: Seed of every hash constant of the fast method (fixed: sketches are reproducible
#: across processes and runs, and never depend on PYTHONHASHSEED).
SEED = 20261123

# Enclosed numbers/ideographs and Roman numerals are list bullets (①, ㈠, Ⅲ). They
# go before NFKC, which would otherwise turn ㈠ into "(一)" and keep the 一.
_BULLETS = re.compile(r"[\u2160-\u217f\u2460-\u24ff\u2776-\u2793\u3220-\u3247\u3280-\u32b0]")

# After NFKC, anything that is not a word character, plus digits and underscore.
_NON_LETTERS = re.compile(r"[\W\d_]+")

# Guards ceil(threshold * n) against binary-fraction error (0.7 * 10 = 7.000000001),
# which would shorten the prefix and could drop a pair exactly at the threshold.
_EPS = 1e-9


def normalise_for_matching(text: str, *, simplify: bool = True) -> str:
    """Reduce ``text`` to the letters that decide whether two units are copies.

    Steps: convert to Simplified script (OpenCC ``t2s``, skipped when
    ``simplify=False``), drop list bullets, apply NFKC (full-width letters become
    ASCII), drop whitespace, punctuation, digits and symbols, and lower-case.
    CJK characters, including numerals such as 一 and 二, are letters and stay.

    Parameters
    ----------
    text : str
        Raw unit text in any script.
    simplify : bool, default True
        Convert Traditional script to Simplified first.

    Returns
    -------
    str
        The normalised text, possibly empty.

    Examples
    --------
    >>> normalise_for_matching("1.密切聯繫群眾，「怎麼聯繫」? ①ＡＢＣ 2013年")
    '密切联系群众怎么联系abc年'
    >>> normalise_for_matching("一、")
    '一'
    """
    if not text:
        return ""
    if simplify:
        text = to_simplified(text)
    text = unicodedata.normalize("NFKC", _BULLETS.sub("", text))
    text = _NON_LETTERS.sub("", text)
    if not text.isalpha():
        # \w also admits numeric symbols that are not decimal digits (e.g. ½).
        text = "".join(ch for ch in text if ch.isalpha())
    return text.lower()


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
    return size - math.ceil(threshold * size - _EPS) + 1


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
                or min(len(s), len(sets[j])) < threshold * max(len(s), len(sets[j])) - _EPS
            ):
                continue
            if jaccard(s, sets[j]) >= threshold - _EPS:
                best = canon[j]
        canon.append(best)
        for sh in prefix:
            index[sh].append(i)
    return canon


# --- the fast method: vectorised normalisation --------------------------------------
#
# normalise_for_matching is, for almost every character, a map of single characters
# (drop a bullet, NFKC, keep letters, lower-case), so over a whole corpus it is one
# table lookup per code point. A character is *complex* when it may interact with
# its neighbours or maps to several characters: its decomposition starts with a
# combining mark or a character that composes with a preceding one (Hangul jamo,
# some Indic vowel signs), it yields Σ (whose lower case depends on the context,
# Final_Sigma) or several letters (ﬁ, ㍻). A text with a complex character is
# normalised by normalise_for_matching itself, so the result is always identical.

_DROP = 0  # table value: character removed (NUL itself is not a letter)
_COMPLEX = 0xFFFFFFFF  # table value: text must take the exact Python path
_UNKNOWN = 0xFFFFFFFE  # table value: not classified yet
_BMP_TABLE = np.full(0x10000, _UNKNOWN, dtype=np.uint32)
_ASTRAL: dict[int, int] = {}  # the same for code points beyond the BMP (rare)


@cache
def _composition_seconds() -> frozenset[int]:
    """Starters that canonically compose with a preceding character."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V, T
    for cp in range(0x30000):  # no canonical decomposition lies above U+2FFFF
        dec = unicodedata.decomposition(chr(cp))
        if dec and not dec.startswith("<"):
            parts = dec.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    return frozenset(seconds)


def _char_map(cp: int) -> int:
    """Table value of one code point: its normalised letter, _DROP or _COMPLEX."""
    if 0xD800 <= cp <= 0xDFFF:
        return _COMPLEX
    ch = chr(cp)
    if _BULLETS.match(ch):
        return _DROP
    first = unicodedata.normalize("NFKD", ch)[0]
    if unicodedata.combining(first) or ord(first) in _composition_seconds():
        return _COMPLEX
    out = "".join(c for c in unicodedata.normalize("NFKC", ch) if c.isalpha())
    if "\u03a3" in out:
        return _COMPLEX
    out = out.lower()
    if len(out) > 1:
        return _COMPLEX
    return ord(out) if out else _DROP


def _map_code_points(raw: np.ndarray) -> np.ndarray:
    """Table values of an array of code points, classifying unseen ones on the way."""
    bmp = raw < 0x10000
    all_bmp = bool(bmp.all())
    idx = raw if all_bmp else np.where(bmp, raw, 0)
    mapped = _BMP_TABLE[idx]
    unknown = mapped == _UNKNOWN
    if unknown.any():
        for cp in np.unique(idx[unknown]).tolist():
            _BMP_TABLE[cp] = _char_map(cp)
        mapped[unknown] = _BMP_TABLE[idx[unknown]]
    if not all_bmp:
        astral = raw[~bmp]
        values = np.unique(astral)
        for cp in values.tolist():
            if cp not in _ASTRAL:
                _ASTRAL[cp] = _char_map(cp)
        table = np.array([_ASTRAL[cp] for cp in values.tolist()], dtype=np.uint32)
        mapped[~bmp] = table[np.searchsorted(values, astral)]
    return mapped


def _to_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def offsets_from_lengths(lengths: np.ndarray) -> np.ndarray:
    """Offsets of packed items of these lengths: item ``k`` is ``[out[k], out[k + 1])``.

    Examples
    --------
    >>> offsets_from_lengths(np.array([2, 0, 3])).tolist()
    [0, 2, 2, 5]
    """
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def concat_consuming(pieces: list[np.ndarray], dtype: Any = np.uint16) -> np.ndarray:
    """``np.concatenate`` of ``pieces`` (at least ``dtype``), emptying the list as it goes.

    ``np.concatenate`` holds every piece and the whole at once: twice the data. Here
    each piece is freed once copied, and the result's pages are only touched as they
    are filled, so the peak is the data once plus one piece (at 1 GB, the texts the
    article search verifies are 400 MB).

    Examples
    --------
    >>> pieces = [np.array([1, 2], dtype=np.uint16), np.array([3], dtype=np.uint32)]
    >>> out = concat_consuming(pieces)
    >>> out.tolist(), out.dtype.name, pieces
    ([1, 2, 3], 'uint32', [])
    """
    out = np.empty(sum(len(p) for p in pieces), dtype=np.result_type(dtype, *pieces))
    at = 0
    pieces.reverse()
    while pieces:
        piece = pieces.pop()
        out[at : at + len(piece)] = piece
        at += len(piece)
        del piece
    return out


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[k] .. starts[k] + lengths[k] - 1`` of every k, concatenated.

    Examples
    --------
    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    first = offsets_from_lengths(lengths)[:-1]
    return np.repeat(starts - first, lengths) + np.arange(lengths.sum())


def gather_texts(cps: np.ndarray, offsets: np.ndarray, idx: np.ndarray):
    """Code points and offsets of the texts ``idx`` of a packed (cps, offsets)."""
    lens = offsets[idx + 1] - offsets[idx]
    return cps[concat_ranges(offsets[idx], lens)], offsets_from_lengths(lens)


def normalise_many(
    texts: Sequence[str], *, simplify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`normalise_for_matching` of every text, as one array of code points.

    Returns ``(cps, offsets, complex_)``: text ``i`` normalises to
    ``cps[offsets[i]:offsets[i + 1]]`` (uint32 code points), exactly as
    ``normalise_for_matching(texts[i], simplify=simplify)``; ``complex_[i]`` says
    the text holds a complex character (it was normalised in Python, and a
    concatenation of it with other texts must be too).
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if simplify:
        texts = to_simplified_many(texts)  # one OpenCC call, same as per text
    n = len(texts)
    bounds = offsets_from_lengths(np.fromiter(map(len, texts), dtype=np.int64, count=n))
    try:
        raw = _to_array("".join(texts))
    except UnicodeEncodeError:  # a lone surrogate: every text on the exact path
        return _from_strings([normalise_for_matching(t, simplify=False) for t in texts], True)
    mapped = _map_code_points(raw)
    bad = mapped == _COMPLEX
    any_bad = bool(bad.any())
    keep = mapped != _DROP
    if any_bad:
        keep &= ~bad
    kept = np.flatnonzero(keep)
    offsets = np.searchsorted(kept, bounds)  # kept characters before each text
    cps = mapped[kept]
    complex_ = np.zeros(n, dtype=bool)
    if any_bad:
        complex_ = np.diff(np.searchsorted(np.flatnonzero(bad), bounds)) > 0
        cps, offsets = splice_complex(cps, offsets, complex_, texts)
    return cps, offsets, complex_


def normalise_texts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`normalise_for_matching` (without OpenCC) of every text, packed.

    What a ``texts`` callback of :func:`duplicates_from_sketches` may return
    instead of the texts: a process that reads the texts can normalise them too,
    and send two arrays instead of the strings.

    Returns
    -------
    (cps, offsets)
        Text ``i`` normalises to ``cps[offsets[i]:offsets[i + 1]]``; ``cps`` is
        ``uint16`` when every code point is in the BMP, else ``uint32``.

    Examples
    --------
    >>> cps, offsets = normalise_texts(["干部，群众", "", "A-1"])
    >>> offsets.tolist(), "".join(map(chr, cps.tolist()))
    ([0, 4, 4, 5], '干部群众a')
    """
    cps, offsets, _ = normalise_many(texts, simplify=False)
    if not len(cps) or cps.max() < 0x10000:
        cps = cps.astype(np.uint16)
    return cps, offsets


def _from_strings(norm: list[str], complex_: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bounds = offsets_from_lengths(np.fromiter(map(len, norm), dtype=np.int64, count=len(norm)))
    return _to_array("".join(norm)), bounds, np.full(len(norm), complex_)


def splice_complex(
    cps: np.ndarray,
    offsets: np.ndarray,
    complex_: np.ndarray,
    texts: Sequence[str] | Mapping[int, str],
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the complex texts' table results by normalise_for_matching's.

    ``texts[i]`` is needed only for the complex texts ``i``.
    """
    pieces, lengths, done = [], np.diff(offsets), 0
    for i in np.flatnonzero(complex_).tolist():
        pieces.append(cps[offsets[done] : offsets[i]])
        exact = _to_array(normalise_for_matching(texts[i], simplify=False))
        pieces.append(exact)
        lengths[i] = len(exact)
        done = i + 1
    pieces.append(cps[offsets[done] :])
    return np.concatenate(pieces), offsets_from_lengths(lengths)


# --- the fast method: shingle hashes, MinHash signatures, LSH bands -----------------
#
# Hand-written on purpose (issue 15, 2026-12-06; numbers in benchmarks/README.md):
# rensa 0.5.0 computes the signatures of the same shingle hashes about five times
# faster, finds the same pairs and misses no more often, but its digest matrix can
# leave Rust only as lists of Python ints (to_rows), which costs more than all of
# _minhash, and its LSH index is neither picklable nor built from arrays, so neither
# fits sketches made per partition in workers and concatenated as arrays.
# datasketch 2.0.0 builds one Python object per unit and was ~28x slower here.

_U = np.uint64
_LOW = 0 if sys.byteorder == "little" else 1  # the low 32-bit half of a uint64
_PAD = 0x1FFFFF  # pads units shorter than ngram: above every code point (< 2**21)


def _constants(count: int, salt: int) -> np.ndarray:
    """Fixed odd 64-bit constants; numpy's PCG64 stream is stable across platforms."""
    rng = np.random.default_rng([SEED, salt])
    return rng.integers(0, 2**63, size=count, dtype=np.uint64) * _U(2) + _U(1)


@cache
def _multipliers(ngram: int, salt: int) -> np.ndarray:
    return _constants(ngram, salt)


def _fmix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place (a bijection that mixes every bit)."""
    tmp = np.empty_like(x)
    for mult in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        np.right_shift(x, _U(33), out=tmp)
        x ^= tmp
        x *= _U(mult)
    np.right_shift(x, _U(33), out=tmp)
    x ^= tmp
    return x


def _windows(cps: np.ndarray, offsets: np.ndarray, ngram: int) -> tuple[np.ndarray, list]:
    """Units and code-point columns of every shingle, as :func:`shingles` defines them.

    A unit of ``L >= ngram`` letters has the ``L - ngram + 1`` windows starting
    inside it; a shorter non-empty unit is one window padded with ``_PAD`` (never a
    code point, so it equals no real n-gram). Returns ``(unit, columns)``, where
    ``columns[k]`` holds the ``k``-th code point of each window.
    """
    lengths = np.diff(offsets)
    n_pos = max(len(cps) - ngram + 1, 0)
    unit_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[:n_pos]
    valid = np.arange(n_pos, dtype=np.int64) + ngram <= offsets[1:][unit_of]
    starts = np.flatnonzero(valid)
    unit = unit_of[starts]
    columns = [cps[starts + k] for k in range(ngram)]
    short = np.flatnonzero((lengths > 0) & (lengths < ngram))
    if short.size:
        first, size = offsets[short], lengths[short]
        unit = np.concatenate([unit, short])
        for k in range(ngram):
            col = np.where(k < size, cps[first + np.minimum(k, size - 1)], _PAD)
            columns[k] = np.concatenate([columns[k], col.astype(np.uint32)])
    return unit, columns


def _hash_windows(columns: list) -> np.ndarray:
    """64-bit hash of each shingle: random linear combination, then _fmix."""
    mult = _multipliers(len(columns), 1)
    h = columns[0].astype(np.uint64)
    h *= mult[0]
    tmp = np.empty_like(h)
    for k in range(1, len(columns)):
        tmp[:] = columns[k]
        tmp *= mult[k]
        h += tmp
    return _fmix(h)


def _bands(num_perm: int, rows: int) -> int:
    # Bands lie within one 64-bin sketch: (64 // rows) per sketch.
    return (num_perm // _BINS) * (_BINS // rows)


def lsh_rows(threshold: float, num_perm: int = NUM_PERM, max_miss: float = MAX_MISS) -> int:
    """MinHash bins per LSH band for ``threshold``: the most rows that keep misses rare.

    A pair at Jaccard ``J`` agrees on a band of ``r`` bins with probability
    ``J**r``, so it is missed by all ``b`` bands with probability
    ``(1 - J**r) ** b`` (:func:`miss_probability`); bands lie within one 64-bin
    sketch, so ``b = (num_perm // 64) * (64 // r)``. The largest ``r`` with a miss
    probability at ``threshold`` of at most ``max_miss`` keeps the false candidates,
    which are verified and dropped, fewest; ``r = 1`` if none does.

    Examples
    --------
    >>> lsh_rows(0.8), _bands(NUM_PERM, lsh_rows(0.8))
    (4, 32)
    >>> lsh_rows(0.6)
    2
    """
    fits = [
        r
        for r in range(1, _BINS + 1)
        if miss_probability(threshold, r, _bands(num_perm, r)) <= max_miss
    ]
    return max(fits, default=1)


def miss_probability(similarity: float, rows: int, bands: int) -> float:
    """Probability that LSH with ``bands`` bands of ``rows`` bins misses a pair.

    Exact for independent MinHash bins. Optimal densification of one-permutation
    bins gives every bin the same agreement probability; run on 200,000 synthetic
    pairs at Jaccard 0.8 of 45, 90 and 450 shingles, this module's sketches missed
    1.0e-4 to 2.1e-4 of the pairs with 16 bands of 4 bins, against 2.2e-4 here.

    Examples
    --------
    >>> f"{miss_probability(0.8, 4, 32):.1e}"
    '4.7e-08'
    """
    return float((1.0 - similarity**rows) ** bands)


@dataclass(frozen=True)
class SketchParams:
    """Parameters a sketch was made with; sketches compare only under equal ones."""

    ngram: int
    min_chars: int
    num_perm: int
    rows: int
    simplify: bool

    @property
    def bands(self) -> int:
        return _bands(self.num_perm, self.rows)


@dataclass(frozen=True, eq=False)
class Sketches:
    """Per-unit sketches for :func:`find_duplicates` (``method="fast"``).

    Attributes
    ----------
    ids : pyarrow.Array
        Unit ids, in corpus order (:func:`id_array`: strings as ``large_string``). An
        Arrow array rather than a list: at a million units, Python strings took
        about 100 bytes each, twice the Arrow array.
    n_chars : numpy.ndarray
        Length of each unit's normalised text (int64).
    text_hash : numpy.ndarray
        64-bit hash of each normalised text, for the exact step (uint64; equal
        hashes are confirmed on the text before a pair is reported).
    sketched : numpy.ndarray
        Which units have band keys: those with at least ``params.min_chars``
        normalised letters (and at least one).
    bands : numpy.ndarray
        LSH band keys of the sketched units, in order (uint32, one row per
        sketched unit, ``params.bands`` columns). Equal keys make a candidate pair;
        32-bit keys can collide by chance, which only adds a candidate that
        verification drops.
    params : SketchParams

    Sketches are picklable and about 150 bytes per unit; parts made over
    consecutive runs of units concatenate (:meth:`concat`) to exactly the sketches
    of the whole run, so partitions can be sketched in worker processes.
    """

    ids: pa.Array
    n_chars: np.ndarray
    text_hash: np.ndarray
    sketched: np.ndarray
    bands: np.ndarray
    params: SketchParams

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def concat(cls, parts: Sequence[Sketches]) -> Sketches:
        """Sketches of the concatenated units of ``parts`` (all with equal params).

        Examples
        --------
        >>> a = sketch_units(["x"], ["干部要深入基层联系群众了解实情"])
        >>> b = sketch_units(["y"], ["干部要深入基层联系群众了解实际"])
        >>> whole = sketch_units(["x", "y"], ["干部要深入基层联系群众了解实情",
        ...                                   "干部要深入基层联系群众了解实际"])
        >>> Sketches.concat([a, b]).equals(whole)
        True
        """
        if not parts:
            raise ValueError("no sketches to concatenate")
        params = parts[0].params
        if any(p.params != params for p in parts):
            raise ValueError("sketches made with different parameters")
        return cls(
            ids=_concat_ids([p.ids for p in parts]),
            n_chars=np.concatenate([p.n_chars for p in parts]),
            text_hash=np.concatenate([p.text_hash for p in parts]),
            sketched=np.concatenate([p.sketched for p in parts]),
            bands=np.concatenate([p.bands for p in parts]),
            params=params,
        )

    def split(self, lengths: Sequence[int]) -> list[Sketches]:
        """The sketches of consecutive runs of ``lengths`` units, as views of these
        arrays (no copy): the inverse of :meth:`concat`.

        The driver of a corpus build keeps each partition's sketches as such views
        of the whole, so that the partitions' own copies can go (at 1 GB of text
        a copy of the sketches is about 400 MB).

        Examples
        --------
        >>> sk = sketch_units(["x", "y", "z"], ["干部要深入基层联系群众了解实情", "一、",
        ...                                     "干部要深入基层联系群众了解实际"])
        >>> a, b = sk.split([2, 1])
        >>> a.ids.to_pylist(), b.bands.shape[0], Sketches.concat([a, b]).equals(sk)
        (['x', 'y'], 1, True)
        """
        if sum(lengths) != len(self):
            raise ValueError(f"lengths add up to {sum(lengths)}, not {len(self)} units")
        band_row = np.concatenate([[0], np.cumsum(self.sketched)])
        out, start = [], 0
        for n in lengths:
            stop = start + n
            rows = slice(int(band_row[start]), int(band_row[stop]))
            out.append(
                Sketches(
                    ids=self.ids.slice(start, n),
                    n_chars=self.n_chars[start:stop],
                    text_hash=self.text_hash[start:stop],
                    sketched=self.sketched[start:stop],
                    bands=self.bands[rows],
                    params=self.params,
                )
            )
            start = stop
        return out

    def equals(self, other: Sketches) -> bool:
        """Whether both hold the same units, arrays and parameters."""
        return (
            self.params == other.params
            and self.ids.equals(other.ids)
            and all(
                np.array_equal(getattr(self, f), getattr(other, f))
                for f in ("n_chars", "text_hash", "sketched", "bands")
            )
        )


def id_array(ids: Sequence | pa.Array) -> pa.Array:
    """Unit ids as the Arrow array :class:`Sketches` holds (strings as ``large_string``,
    no ids as an empty ``large_string`` array).

    Examples
    --------
    >>> id_array(["a", "b"]).type, id_array([]).type, id_array([3, 4]).to_pylist()
    (DataType(large_string), DataType(large_string), [3, 4])
    """
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    arr = ids if isinstance(ids, pa.Array) else pa.array(list(ids))
    if pa.types.is_null(arr.type) and not len(arr):
        return pa.array([], type=pa.large_string())
    if pa.types.is_string(arr.type):
        return arr.cast(pa.large_string())
    return arr


def _concat_ids(parts: list[pa.Array]) -> pa.Array:
    # An empty part's ids are typed large_string whatever the others' type.
    typed = [p for p in parts if len(p)]
    return pa.concat_arrays(typed) if typed else parts[0]


def take_ids(ids: pd.Series | pa.Array, positions: Sequence[int]) -> pd.Series:
    """The ids at ``positions`` as an object Series with a fresh index.

    Examples
    --------
    >>> take_ids(id_array(["a", "b", "c"]), [2, 0]).tolist()
    ['c', 'a']
    """
    if isinstance(ids, pd.Series):
        return ids.iloc[list(positions)].reset_index(drop=True)
    taken = ids.take(pa.array(list(positions), type=pa.int64())).to_pylist()
    return pd.Series(taken, dtype=object)


def sketch_params(threshold: float, ngram: int, min_chars: int, num_perm: int, simplify: bool):
    """Checked :class:`SketchParams` for a search at ``threshold`` (banding by :func:`lsh_rows`).

    Examples
    --------
    >>> p = sketch_params(DUP_THRESHOLD, 5, 12, NUM_PERM, False)
    >>> p.rows, p.bands
    (4, 32)
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    if num_perm < _BINS or num_perm % _BINS:
        raise ValueError(f"num_perm must be a positive multiple of {_BINS}, got {num_perm}")
    return SketchParams(ngram, min_chars, num_perm, lsh_rows(threshold, num_perm), simplify)


def sketch_units(
    ids: Sequence,
    texts: Sequence[str],
    *,
    threshold: float = DUP_THRESHOLD,
    ngram: int = 5,
    min_chars: int = 12,
    num_perm: int = NUM_PERM,
    simplify: bool = True,
) -> Sketches:
    """Sketch units for the fast near-duplicate search; the expensive, parallel part.

    Normalises every text (:func:`normalise_for_matching`), hashes its character
    ``ngram``-grams, builds a one-permutation MinHash signature of ``num_perm``
    bins and the LSH band keys for ``threshold``. Units are independent, so
    sketches of consecutive parts (e.g. per partition, in worker processes)
    concatenate with :meth:`Sketches.concat` to the sketches of the whole.

    Parameters
    ----------
    ids : sequence
        Unit ids, in corpus order.
    texts : sequence of str
        Unit texts in any script (``None`` counts as empty).
    threshold : float, default DUP_THRESHOLD (0.8)
        Lowest Jaccard threshold the sketches will be searched at; it sets the
        banding (:func:`lsh_rows`).
    ngram, min_chars : int
        As in :func:`find_duplicates`; units with fewer normalised letters than
        ``min_chars`` get no band keys.
    num_perm : int, default NUM_PERM
        MinHash bins.
    simplify : bool, default True
        Convert to Simplified script first (skip only for text that already is).

    Returns
    -------
    Sketches

    Examples
    --------
    >>> sk = sketch_units(["a", "b"], ["干部要深入基层联系群众。", "一、"])
    >>> sk.n_chars.tolist(), sk.sketched.tolist(), sk.bands.shape
    ([11, 1], [False, False], (0, 32))
    >>> sketch_units(["a"], ["干部要深入基层联系群众。"], min_chars=8).bands.shape
    (1, 32)
    """
    params = sketch_params(threshold, ngram, min_chars, num_perm, simplify)
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
    cps, offsets, _ = normalise_many(texts, simplify=simplify)
    return sketch_arrays(ids, cps, offsets, params)


def position_hashes(cps: np.ndarray, ngram: int) -> np.ndarray:
    """64-bit hash of the ``ngram`` code points starting at each position of ``cps``.

    Computed with slices over the whole array (no gather, no Python loop per
    shingle); a unit's shingles are the positions whose window ends inside it, so
    one array serves every unit level cut from the same code points.
    """
    n_pos = max(len(cps) - ngram + 1, 0)
    mult = _multipliers(ngram, 1)
    h = cps[:n_pos].astype(np.uint64)
    h *= mult[0]
    tmp = np.empty_like(h)
    for k in range(1, ngram):
        np.multiply(cps[k : k + n_pos], mult[k], out=tmp)
        h += tmp
    return _fmix(h)


def _shingle_hashes(
    cps: np.ndarray, offsets: np.ndarray, sketched: np.ndarray, ngram: int, hashes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row among the sketched units, hash) of every shingle of the sketched units.

    Equal hashes for equal n-grams, the same as :func:`_hash_windows` of
    :func:`_windows`; ``hashes`` is :func:`position_hashes` of ``cps``.
    """
    lengths = np.diff(offsets)
    n_pos = len(hashes)
    valid = np.repeat(sketched, lengths)[:n_pos]
    for k in range(1, ngram):  # windows that run past their unit's end
        ends = offsets[1:] - k
        valid[ends[(ends >= 0) & (ends < n_pos)]] = False
    row = np.repeat((np.cumsum(sketched) - 1).astype(np.int32), lengths)[:n_pos][valid]
    h = hashes[valid]
    short = np.flatnonzero(sketched & (lengths < ngram))
    if short.size:  # units shorter than ngram: one padded shingle each
        first, size = offsets[short], lengths[short]
        columns = [
            np.where(k < size, cps[first + np.minimum(k, size - 1)], _PAD).astype(np.uint32)
            for k in range(ngram)
        ]
        local = (np.cumsum(sketched) - 1)[short].astype(np.int32)
        h_short = _hash_windows(columns)
        order = np.argsort(np.concatenate([row, local]), kind="stable")
        row = np.concatenate([row, local])[order]
        h = np.concatenate([h, h_short])[order]
    return row, h


def _text_hashes(row: np.ndarray, h: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Hash of each sketched unit's normalised text, from its shingles in order.

    A text of at least ``ngram`` letters is determined by its sequence of
    n-grams, a shorter one by its single padded shingle; the sums of the hashes and
    of the products of neighbouring hashes (with the length) stand for that
    sequence. Equal texts always get equal hashes; unequal texts that collide are
    told apart when the exact step compares the texts themselves.
    """
    starts = offsets_from_lengths(np.bincount(row, minlength=len(lengths)))[:-1]  # no unit is empty
    pairs = np.zeros(len(h), dtype=np.uint64)
    np.multiply(h[:-1], h[1:], out=pairs[:-1])
    pairs[starts[1:] - 1] = 0  # no product across units
    total = np.add.reduceat(h, starts)  # sums wrap mod 2**64, as intended
    adjacent = np.add.reduceat(pairs, starts)
    mixed = _fmix(adjacent ^ _fmix(lengths.astype(np.uint64) * _U(0xD6E8FEB86659FD93)))
    return _fmix(total ^ mixed)


def sketch_arrays(
    ids: Sequence | pa.Array,
    cps: np.ndarray,
    offsets: np.ndarray,
    params: SketchParams,
    hashes: np.ndarray | None = None,
) -> Sketches:
    """Sketches of units whose normalised code points are already known.

    ``hashes`` is :func:`position_hashes` of ``cps``, when the caller has it.
    """
    lengths = np.diff(offsets)
    sketched = lengths >= max(params.min_chars, 1)
    n_sk = int(sketched.sum())
    text_hash = np.zeros(len(lengths), dtype=np.uint64)
    if n_sk:
        if hashes is None:
            hashes = position_hashes(cps, params.ngram)
        row, h = _shingle_hashes(cps, offsets, sketched, params.ngram, hashes)
        text_hash[sketched] = _text_hashes(row, h, lengths[sketched])
        base = row.astype(np.int64) << 6
        sketches = []
        for k in range(params.num_perm // _BINS):
            if k == 0:
                keys = h
            elif k == 1:
                # The second sketch takes other bits of the same hash: bits 52-57 for
                # the bin, 32-51 for the value (ties on fewer bits only add matches).
                keys = ((h >> _U(52)) << _U(58)) | ((h >> _U(32)) & _U(0xFFFFF))
            else:
                keys = _fmix(h ^ _constants(1, 10 + k)[0])
            sketches.append(_minhash(base, keys, n_sk))
        signature = np.concatenate(sketches, axis=1)
        bands = _band_keys(signature, params.rows, params.bands)
    else:
        bands = np.zeros((0, params.bands), dtype=np.uint32)
    return Sketches(
        ids=id_array(ids),
        n_chars=lengths.astype(np.int64),
        text_hash=text_hash,
        sketched=sketched,
        bands=bands,
        params=params,
    )


def _minhash(base: np.ndarray, h: np.ndarray, n_units: int) -> np.ndarray:
    """One-permutation MinHash of 64 bins with optimal densification; (n_units, 64) uint32.

    A shingle's hash picks its bin (top 6 bits) and its value (low 32 bits); a bin
    holds the least value that falls in it. An empty bin ``i`` takes the value of
    the first non-empty bin along a probe sequence that depends only on ``i`` and
    the attempt number, the same for every unit (Shrivastava 2017, "Optimal
    densification for fast and accurate minwise hashing"). For any fixed sequence,
    the first bin along it that is non-empty in the union of two sets is non-empty
    in both and holds the same least value exactly when that value's shingle is
    shared, so each bin of two sets agrees with probability equal to their Jaccard
    similarity; random sequences keep the bins nearly independent. (A cheaper order
    tried first, bit-mask chunks tested lowest bin first, favoured low bins as
    sources and made LSH misses of short units ten times likelier.)
    """
    flat = (h >> _U(58)).view(np.int64)  # bin: the top 6 bits
    flat += base  # unit row * 64
    sig = np.full(n_units * _BINS, 0xFFFFFFFF, dtype=np.uint32)
    np.minimum.at(sig, flat, h.view(np.uint32)[_LOW::2])  # value: the low 32 bits
    filled = np.zeros(n_units * _BINS, dtype=bool)
    filled[flat] = True
    pending = np.flatnonzero(~filled)
    if pending.size:
        if not filled.reshape(n_units, _BINS).any(axis=1).all():
            raise ValueError("every sketched unit needs at least one shingle")
        bins = pending & (_BINS - 1)
        base_of = pending - bins
        source = np.empty(len(pending), dtype=np.int64)
        todo = np.arange(len(pending))
        attempt, block = 0, 2
        while todo.size:
            # Probe a few attempts at once, more as fewer bins stay empty; the first
            # non-empty bin wins.
            probes = _probe_table(attempt + block)[bins[todo], attempt : attempt + block]
            probes += base_of[todo, None]
            ok = filled[probes]
            hit = ok.any(axis=1)
            rows = np.flatnonzero(hit)
            source[todo[rows]] = probes[rows, ok[rows].argmax(axis=1)]
            todo = todo[~hit]
            attempt += block
            block = min(2 * block, 32)
        sig[pending] = sig[source]
    return sig.reshape(n_units, _BINS)


@cache
def _probe_columns(attempts: int) -> np.ndarray:
    key = np.arange(_BINS, dtype=np.uint64)[:, None] * _U(0x9FB21C651E98DF25)
    key = key + np.arange(1, attempts + 1, dtype=np.uint64)[None, :] * _U(0xC2B2AE3D27D4EB4F)
    key ^= _U(SEED)
    return (_fmix(key) >> _U(58)).astype(np.int64)


def _probe_table(attempts: int) -> np.ndarray:
    """Bin probed by densification attempt ``a`` (column) for empty bin ``i`` (row).

    The table grows by doubling; a column never changes, so every process and
    partition probes the same sequences.
    """
    size = 64
    while size < attempts:
        size *= 2
    return _probe_columns(size)


def _band_keys(signature: np.ndarray, rows: int, bands: int) -> np.ndarray:
    """32-bit key of each band of ``rows`` consecutive bins within one 64-bin sketch."""
    mult = _multipliers(rows, 2)
    per_sketch = _BINS // rows
    blocks = signature.reshape(len(signature), -1, _BINS)[:, :, : per_sketch * rows]
    block = blocks.reshape(len(signature), bands, rows)
    key = block[:, :, 0] * mult[0]
    for k in range(1, rows):
        key += block[:, :, k] * mult[k]  # wraps mod 2**64, as intended
    key += np.arange(bands, dtype=np.uint64) * _U(0x94D049BB133111EB)
    return (_fmix(key) >> _U(32)).astype(np.uint32)


# --- the fast method: candidates, verification, groups ------------------------------


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's hash-based np.unique is slow on these codes)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


# Normalised code points and offsets of the units at the given positions.
Normaliser = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
#: Texts of units by position, as strings or normalised (:func:`normalise_texts`).
TextSource = Callable[[list[int]], list[str] | tuple[np.ndarray, np.ndarray]]


def _runs(costs: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive index ranges ``[lo, hi)`` whose ``costs`` sum to at most ``budget``
    (a single item costing more makes a range of its own).

    Examples
    --------
    >>> list(_runs(np.array([3, 3, 5, 1, 9]), 6))
    [(0, 2), (2, 4), (4, 5)]
    """
    done = np.cumsum(costs)
    lo = 0
    while lo < len(costs):
        before = done[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(done, before + budget, "right")))
        yield lo, hi
        lo = hi


#: Candidate pairs one batch of the LSH step holds at most. Pairs are made band by
#: band and verified batch by batch, so the memory they take stays bounded however
#: large the buckets of similar short units grow with the corpus.
MAX_BATCH_PAIRS = 500_000


def _candidate_batches(
    bands: np.ndarray, max_pairs: int | None = None, rows: np.ndarray | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Distinct pairs ``(i, j)``, ``i < j``, of rows of ``bands`` equal on some band.

    Each pair is made on the first band its rows agree on and on no other, so the
    batches (at most ``max_pairs`` pairs each, default :data:`MAX_BATCH_PAIRS`) never
    repeat a pair and no set of all pairs is ever held. With ``rows``, the pairs are
    of ``bands[rows]`` (``i`` and ``j`` index ``rows``), read one band at a time: no
    copy of those rows' keys is made (at 1 GB they are 2 million rows, 220 MB).
    """
    max_pairs = MAX_BATCH_PAIRS if max_pairs is None else max_pairs
    for k in range(bands.shape[1]):
        keys = bands[:, k] if rows is None else bands[rows, k]
        for i, j in _band_pairs(keys, max_pairs):
            ri, rj = (i, j) if rows is None else (rows[i], rows[j])
            # Rows are gathered whole (contiguous) rather than band by band.
            first = (bands[ri, :k] != bands[rj, :k]).all(axis=1)
            if first.any():
                yield i[first], j[first]


def _band_pairs(keys: np.ndarray, max_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(i, j)``, ``i < j``, of rows with equal keys in one band, in batches."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    size = np.diff(np.r_[start, len(keys)])
    start, size = start[size > 1], size[size > 1]
    if not len(start):
        return
    # Each member pairs with every later member of its bucket.
    member = concat_ranges(start, size)
    later = np.repeat(start + size, size) - member - 1
    member, later = member[later > 0], later[later > 0]
    for lo, hi in _runs(later, max_pairs):  # a member's pairs stay in one batch
        m, n_later = member[lo:hi], later[lo:hi]
        left = np.repeat(m, n_later)
        right = concat_ranges(m + 1, n_later)
        a, b = order[left], order[right]
        yield np.minimum(a, b), np.maximum(a, b)


def _in_buckets(bands: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Which rows of ``bands`` (of ``bands[rows]``, read band by band without a copy
    of those rows) share a key with another row on some band."""
    n = len(bands) if rows is None else len(rows)
    shared = np.zeros(n, dtype=bool)
    if not n:  # no sketched unit: nothing shares a key (np.r_ below needs one row)
        return shared
    for k in range(bands.shape[1]):
        column = bands[:, k] if rows is None else bands[rows, k]
        order = np.argsort(column, kind="stable")
        keys = column[order]
        same = keys[1:] == keys[:-1]
        shared[order[np.r_[same, False] | np.r_[False, same]]] = True
    return shared


def _exact_token_ids(cps: np.ndarray, offsets: np.ndarray, ngram: int):
    """Units and exact shingle ids (equal id iff equal n-gram) of each window."""
    unit, columns = _windows(cps, offsets, ngram)
    h = _hash_windows(columns)
    if not len(h):
        return unit, np.zeros(0, dtype=np.int64)
    order = np.argsort(h)
    sorted_h = h[order]
    same = sorted_h[1:] == sorted_h[:-1]
    ids = np.empty(len(h), dtype=np.int64)
    ids[order] = np.r_[0, np.cumsum(~same)]  # dense id of each window's hash
    # Confirm the hash is injective on these windows (equal hashes, equal n-grams);
    # otherwise fall back to ids of the n-grams themselves.
    for col in columns:
        by_hash = col[order]
        if (by_hash[1:][same] != by_hash[:-1][same]).any():
            ids = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)[1].ravel()
            break
    return unit, ids


class _Sets:
    """Exact shingle sets of some units, for Jaccard of pairs among them."""

    def __init__(self, positions: np.ndarray, normalised: Normaliser, ngram: int):
        self.positions = positions
        cps, offsets = normalised(positions)
        unit, tok = _exact_token_ids(cps, offsets, ngram)
        self.n_tok = int(tok.max()) + 1 if len(tok) else 1
        self.code = _unique(unit * self.n_tok + tok)  # sorted by unit, then shingle
        per_unit = np.bincount(self.code // self.n_tok, minlength=len(positions))
        self.bounds = offsets_from_lengths(per_unit)
        self.sizes = np.diff(self.bounds)

    def intersections(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
        """|A & B|, |A| and |B| for units at positions ``a`` and ``b``."""
        ia = np.searchsorted(self.positions, a)
        ib = np.searchsorted(self.positions, b)
        # Look every shingle of A up among B's (the codes are sorted).
        lens = self.sizes[ia]
        pair = np.repeat(np.arange(len(ia)), lens)
        idx = concat_ranges(self.bounds[ia], lens)
        probe = ib[pair] * self.n_tok + self.code[idx] % self.n_tok
        at = np.minimum(np.searchsorted(self.code, probe), len(self.code) - 1)
        inter = np.bincount(pair[self.code[at] == probe], minlength=len(ia))
        return inter.astype(np.int64), self.sizes[ia], self.sizes[ib]


def _jaccard_values(inter: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    # float64 of int64 operands below 2**53: the same doubles as jaccard()'s Python ints.
    union = size_a + size_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def _hash_mismatches(
    dup: np.ndarray, rep: np.ndarray, sk: Sketches, normalised: Normaliser
) -> list[int]:
    """Units of ``dup`` whose normalised text differs from that of ``rep`` (same
    position), compared in batches of about :data:`VERIFY_BATCH_CHARS`."""
    cost = (2 * sk.n_chars[dup]).tolist()
    wrong: list[int] = []
    lo = 0
    while lo < len(cost):
        hi, total = lo, 0
        while hi < len(cost) and (hi == lo or total + cost[hi] <= VERIFY_BATCH_CHARS):
            total += cost[hi]
            hi += 1
        check = _unique(np.concatenate([dup[lo:hi], rep[lo:hi]]))
        cps, offsets = normalised(check)
        at = {p: k for k, p in enumerate(check.tolist())}

        def text(p: int, cps=cps, offsets=offsets, at=at) -> bytes:
            return cps[offsets[at[p]] : offsets[at[p] + 1]].tobytes()

        wrong += [p for p, r in zip(dup[lo:hi].tolist(), rep[lo:hi].tolist(), strict=True)
                  if text(p) != text(r)]  # fmt: skip
        lo = hi
    return wrong


def _exact_groups(sk: Sketches, eligible: np.ndarray, normalised: Normaliser) -> np.ndarray:
    """Position of the first unit with the same normalised text, for eligible units."""
    pos = np.flatnonzero(eligible)
    rep = np.full(len(sk), -1, dtype=np.int64)
    if not pos.size:
        return rep
    _, first, inverse = np.unique(sk.text_hash[pos], return_index=True, return_inverse=True)
    rep[pos] = pos[first[inverse]]
    dup = pos[rep[pos] != pos]
    if dup.size:
        # Confirm every hash match on the text itself; split any chance collision.
        wrong = _hash_mismatches(dup, rep[dup], sk, normalised)
        if wrong:
            groups = set(rep[wrong].tolist())
            members = np.flatnonzero(np.isin(rep, list(groups)))
            cps, offsets = normalised(members)
            seen: dict[bytes, int] = {}
            for k, p in enumerate(members.tolist()):
                rep[p] = seen.setdefault(cps[offsets[k] : offsets[k + 1]].tobytes(), p)
    return rep


#: Normalised characters whose shingle sets one verification batch holds at most
#: (besides a single larger pair): the exact sets take a few dozen bytes per
#: character, so memory stays bounded however many candidates a corpus has.
VERIFY_BATCH_CHARS = 1_000_000

#: Threads verifying candidate pairs (:func:`_pair_jaccards`).
VERIFY_THREADS = min(os.cpu_count() or 1, 8)


def _pair_jaccards(
    a: np.ndarray, b: np.ndarray, sk: Sketches, normalised: Normaliser
) -> np.ndarray:
    """Exact Jaccard of the shingle sets of each pair (a[i], b[i]), in batches.

    Batches run on :data:`VERIFY_THREADS` threads: their sorts and searches are
    numpy calls on large arrays, which release the GIL, so threads use every core
    of the process that holds the texts (no copies to other processes).
    """
    out = np.zeros(len(a), dtype=np.float64)

    def verify(run: tuple[int, int]) -> None:
        lo, hi = run
        x, y = a[lo:hi], b[lo:hi]
        sets = _Sets(_unique(np.concatenate([x, y])), normalised, sk.params.ngram)
        out[lo:hi] = _jaccard_values(*sets.intersections(x, y))  # disjoint slices

    runs = list(_runs(sk.n_chars[a] + sk.n_chars[b], VERIFY_BATCH_CHARS))
    if VERIFY_THREADS > 1 and len(runs) > 1:
        with ThreadPoolExecutor(min(VERIFY_THREADS, len(runs))) as pool:
            list(pool.map(verify, runs))
    else:
        for run in runs:
            verify(run)
    return out


def _matching_pairs(
    units: np.ndarray, sk: Sketches, normalised: Normaliser, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (later, earlier) of ``units`` (sorted positions) that share an LSH band
    and whose exact Jaccard reaches ``threshold``."""
    band_row = np.cumsum(sk.sketched) - 1
    later, earlier = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for i, j in _candidate_batches(sk.bands, rows=band_row[units]):
        a, b = units[i], units[j]
        match = _pair_jaccards(a, b, sk, normalised) >= threshold - _EPS
        later.append(b[match])
        earlier.append(a[match])
    return np.concatenate(later), np.concatenate(earlier)


def _single_link(n: int, later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Canonical position of each of ``n`` units given matching pairs (later, earlier).

    Single link in corpus order: a unit joins the earliest canonical among the
    earlier units it matches; earlier units are final when a later one is seen.
    """
    canon = np.arange(n)
    order = np.lexsort((earlier, later))
    for x, y in zip(later[order].tolist(), earlier[order].tolist(), strict=True):
        if canon[y] < canon[x]:
            canon[x] = canon[y]
    return canon


def find_fast(
    sk: Sketches, normalised: Normaliser, threshold: float, min_chars: int
) -> list[tuple[int, int, str, float]]:
    """Rows (position, canonical position, kind, similarity) of the fast method."""
    eligible = sk.n_chars >= min_chars
    rep = _exact_groups(sk, eligible, normalised)
    distinct = np.flatnonzero(eligible & (rep == np.arange(len(sk))))
    # LSH over the distinct texts that have shingles.
    has_sets = distinct[sk.n_chars[distinct] > 0]
    canon = _single_link(len(sk), *_matching_pairs(has_sets, sk, normalised, threshold))
    pos = np.flatnonzero(eligible)
    of = canon[rep[pos]]
    dup = of != pos
    pos, of, rep_ = pos[dup], of[dup], rep[pos[dup]]
    near = of != rep_
    similarity = np.ones(len(pos))
    if near.any():
        # A near copy's similarity is that of its text's first copy to the canonical.
        jac = _pair_jaccards(rep_[near], of[near], sk, normalised)
        similarity[near] = [round(j, 4) for j in jac.tolist()]
    kinds = np.where(near, "near", "exact").tolist()
    return list(zip(pos.tolist(), of.tolist(), kinds, similarity.tolist(), strict=True))


def _empty_result(ids: pd.Series | pa.Array) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": take_ids(ids, []),
            "dup_of": take_ids(ids, []),
            "kind": pd.Series([], dtype="str"),
            "similarity": pd.Series([], dtype="float64"),
        }
    )


def result_table(
    ids: pd.Series | pa.Array, rows: list[tuple[int, int, str, float]]
) -> pd.DataFrame:
    """:func:`find_duplicates`' table from rows (position, canonical position, kind,
    similarity) of :func:`find_fast`, positions taken in ``ids``.

    Examples
    --------
    >>> result_table(pd.Series(["a", "b"]), [(1, 0, "exact", 1.0)])
      id dup_of   kind  similarity
    0  b      a  exact         1.0
    """
    if not rows:
        return _empty_result(ids)
    pos_, canon_pos_, kind, similarity = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "id": take_ids(ids, pos_),
            "dup_of": take_ids(ids, canon_pos_),
            "kind": pd.Series(kind, dtype="str"),
            "similarity": pd.Series(similarity, dtype="float64"),
        }
    )


def _find_exact(
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


def find_duplicates(
    units: pd.DataFrame,
    *,
    id_col: str = "id",
    text_col: str = "text",
    threshold: float = DUP_THRESHOLD,
    ngram: int = 5,
    min_chars: int = 12,
    method: Method = "fast",
    sketches: Sketches | None = None,
) -> pd.DataFrame:
    """Find exact and near-duplicate units; the earliest unit of a group is canonical.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit, in corpus order, with a unique ``id_col`` and a
        ``text_col`` in any script (missing text counts as empty).
    id_col, text_col : str
        Column names.
    threshold : float, default DUP_THRESHOLD (0.8)
        Minimum Jaccard similarity of shingle sets for a near duplicate, in (0, 1].
    ngram : int, default 5
        Shingle length in characters of normalised text.
    min_chars : int, default 12
        Units whose normalised text is shorter are never matched, so headings
        such as "一、" or "二、原因分析" are not reported as duplicates.
    method : {"fast", "exact"}, default "fast"
        ``"fast"``: MinHash + LSH candidates, verified exactly (see the module
        notes for the miss probability); ``"exact"``: prefix filtering. Both
        report the same rows whenever LSH misses no pair.
    sketches : Sketches, optional
        Precomputed :func:`sketch_units` of exactly these units, in this order
        (e.g. concatenated from worker processes), for ``method="fast"``; made
        here when omitted. Their ``ngram`` must equal ``ngram``, their
        ``min_chars`` be at most ``min_chars``, and their banding must keep the
        miss probability at ``threshold`` within :data:`MAX_MISS`. The texts are
        still needed: candidates are verified on them.

    Returns
    -------
    pandas.DataFrame
        One row per duplicate unit, in input order, with columns ``id``,
        ``dup_of`` (id of the canonical, i.e. earliest, unit of its group),
        ``kind`` (``"exact"`` when the normalised texts of ``id`` and ``dup_of``
        are equal, else ``"near"``) and ``similarity`` (Jaccard of the two units'
        shingle sets, rounded to 4 decimals; 1.0 for exact). Because matching is
        single-link, a unit linked to the canonical only through an intermediate
        near duplicate (a ≈ b ≈ c) can have a similarity below ``threshold``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ids are not unique, a parameter is out of range or the sketches do
        not fit the units or parameters.

    Examples
    --------
    >>> units = pd.DataFrame({"id": [1, 2, 3],
    ...                       "text": ["干部要深入基层联系群众。", "其他内容完全不同的段落。",
    ...                                "幹部要深入基層聯繫群眾"]})
    >>> find_duplicates(units, min_chars=8)
       id  dup_of   kind  similarity
    0   3       1  exact         1.0
    >>> sk = sketch_units(units["id"], units["text"], min_chars=8)
    >>> find_duplicates(units, min_chars=8, sketches=sk).equals(find_duplicates(units, min_chars=8))
    True
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    if method not in ("fast", "exact"):
        raise ValueError(f"method must be 'fast' or 'exact', got {method!r}")
    ids = units[id_col]
    if not ids.is_unique:
        raise ValueError(f"column {id_col!r} has repeated ids")
    texts = units[text_col].astype(object).where(units[text_col].notna(), "")
    texts = [str(t) for t in texts]
    if method == "exact":
        return result_table(ids, _find_exact(texts, threshold, ngram, min_chars))
    if sketches is None:
        sketches = sketch_units(
            ids.tolist(), texts, threshold=threshold, ngram=ngram, min_chars=min_chars
        )
    else:
        check_sketches(sketches, ids.tolist(), threshold=threshold, ngram=ngram,
                       min_chars=min_chars)  # fmt: skip

    def normalised(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        picked = [texts[p] for p in positions.tolist()]
        cps, offsets, _ = normalise_many(picked, simplify=sketches.params.simplify)
        return cps, offsets

    return result_table(ids, find_fast(sketches, normalised, threshold, min_chars))


def check_sketches(
    sketches: Sketches, ids: Sequence, *, threshold: float, ngram: int, min_chars: int
) -> None:
    """Raise ``ValueError`` unless ``sketches`` fit these units and search parameters.

    Examples
    --------
    >>> sk = sketch_units(["a"], ["干部要深入基层联系群众了解实情"], threshold=0.9)
    >>> check_sketches(sk, ["a"], threshold=0.8, ngram=5, min_chars=12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: sketches banded 20 x 6 would miss a pair at Jaccard 0.8 with probability ...
    """
    p = sketches.params
    if len(sketches) != len(ids) or not (ids is sketches.ids or sketches.ids.equals(id_array(ids))):
        raise ValueError("sketches are not of these units, in this order")
    if p.ngram != ngram:
        raise ValueError(f"sketches use ngram={p.ngram}, not {ngram}")
    if p.min_chars > min_chars:
        raise ValueError(f"sketches skip units below {p.min_chars} letters, more than {min_chars}")
    miss = miss_probability(threshold, p.rows, p.bands)
    if miss > MAX_MISS:
        raise ValueError(
            f"sketches banded {p.bands} x {p.rows} would miss a pair at Jaccard {threshold} "
            f"with probability {miss:.1e}; sketch with threshold <= {threshold}"
        )


def duplicates_from_sketches(
    sketches: Sketches,
    texts: TextSource,
    *,
    threshold: float = DUP_THRESHOLD,
    min_chars: int = 12,
) -> pd.DataFrame:
    """:func:`find_duplicates` by the fast method when only the sketches are at hand.

    For a corpus too large to hold: the parent keeps the units' sketches (made in
    the workers, :meth:`Sketches.concat`) and fetches the text of a unit only when
    a candidate pair or an equal hash must be verified.

    Parameters
    ----------
    sketches : Sketches
        Of every unit, in corpus order.
    texts : callable
        ``texts(positions)`` gives the Simplified texts of the units at those
        positions of ``sketches`` (normalised here without OpenCC, as
        :func:`workbench.duplicates.sketch_segments` sketches them), or those
        texts already normalised: the pair :func:`normalise_texts` returns.
    threshold, min_chars
        As in :func:`find_duplicates`.

    Returns
    -------
    pandas.DataFrame
        As :func:`find_duplicates`.

    Examples
    --------
    >>> units = ["干部要深入基层联系群众。", "其他内容完全不同的段落。", "干部要深入基层联系群众"]
    >>> sk = sketch_units(["a", "b", "c"], units, min_chars=8, simplify=False)
    >>> duplicates_from_sketches(sk, lambda pos: [units[p] for p in pos], min_chars=8)
      id dup_of   kind  similarity
    0  c      a  exact         1.0
    """
    p = sketches.params
    check_sketches(sketches, sketches.ids, threshold=threshold, ngram=p.ngram, min_chars=min_chars)
    # Every text verification may need is fetched up front, in runs of positions in
    # corpus order (a caller reading them from disk reads each file about once), and
    # held normalised and packed; verification then takes them from memory.
    normalised = _Fetched(_verification_units(sketches, min_chars), texts, sketches)
    return result_table(sketches.ids, find_fast(sketches, normalised, threshold, min_chars))


def _verification_units(sk: Sketches, min_chars: int) -> np.ndarray:
    """Positions whose text the fast search will read: eligible units that share a
    text hash with another, and the first unit of each text hash that shares an LSH
    band key with another such unit (as :func:`find_fast` pairs only those)."""
    eligible = np.flatnonzero(sk.n_chars >= min_chars)
    _, first, inverse, counts = np.unique(
        sk.text_hash[eligible], return_index=True, return_inverse=True, return_counts=True
    )
    shared_hash = eligible[counts[inverse.ravel()] > 1]
    # Copies share every band key: pairing them all would grow with the square of a
    # group's size, so only each hash's first unit takes part (rep in find_fast).
    reps = np.sort(eligible[first])
    band_row = np.cumsum(sk.sketched) - 1
    has_sets = reps[sk.sketched[reps] & (sk.n_chars[reps] > 0)]
    in_pairs = has_sets[_in_buckets(sk.bands, rows=band_row[has_sets])]
    return _unique(np.concatenate([shared_hash, in_pairs]))


#: Normalised characters whose texts one call of a ``texts`` callback asks for at
#: most (besides a single longer text): the texts of one call are held as Python
#: strings and normalised together, so this bounds that transient memory.
FETCH_CHARS = 20_000_000


class _Fetched:
    """Normalised texts of some units, fetched through ``texts`` and held packed
    (two bytes per character when all are in the BMP); a :data:`Normaliser`."""

    def __init__(self, positions: np.ndarray, texts: TextSource, sk: Sketches) -> None:
        self.texts = texts
        self.lock = threading.Lock()  # verification threads may add a text
        pieces, lens = [], []
        for lo, hi in _runs(sk.n_chars[positions], FETCH_CHARS):
            cps, offsets = self._fetch(positions[lo:hi])
            pieces.append(cps)
            lens.append(np.diff(offsets))
        self.positions = np.asarray(positions, dtype=np.int64)
        self.cps = concat_consuming(pieces, np.uint16)
        self.offsets = offsets_from_lengths(np.concatenate([np.zeros(0, dtype=np.int64), *lens]))

    def _fetch(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        got = self.texts(positions.tolist())
        if isinstance(got, tuple):  # normalised by the caller (normalise_texts)
            cps, offsets = got
            if len(offsets) != len(positions) + 1:
                raise ValueError(
                    f"texts() gave {len(offsets) - 1} normalised texts for {len(positions)} units"
                )
            return cps, offsets
        return normalise_texts(got)

    def _add(self, positions: np.ndarray) -> None:
        cps, offsets = self._fetch(positions)
        both = np.concatenate([self.positions, positions])
        packed = np.concatenate([self.cps, cps])
        bounds = np.concatenate([self.offsets[:-1], offsets + self.offsets[-1]])
        order = np.argsort(both, kind="stable")
        packed, bounds = gather_texts(packed, bounds, order)
        self.positions, self.cps, self.offsets = both[order], packed, bounds

    def __call__(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self.lock:
            stored, packed, bounds = self.positions, self.cps, self.offsets
            at = np.minimum(np.searchsorted(stored, positions), len(stored) - 1)
            missing = stored[at] != positions if len(stored) else positions >= 0
            if missing.any():  # only after a 64-bit text-hash collision split a group
                self._add(_unique(positions[missing]))
                stored, packed, bounds = self.positions, self.cps, self.offsets
                at = np.searchsorted(stored, positions)
        cps, offsets = gather_texts(packed, bounds, at)
        return cps.astype(np.uint32), offsets
