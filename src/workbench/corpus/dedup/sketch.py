"""Sketches of the fast method (``method="fast"``): the expensive, parallel part.

Per unit: the length and a 64-bit hash of its normalised text, and LSH band keys of
a MinHash signature of its shingle hashes (two one-permutation sketches of 64 bins,
optimal densification), all as arrays in :class:`Sketches`, which pickle and
concatenate, so partitions can be sketched in worker processes (:func:`sketch_units`,
or :func:`sketch_arrays` on normalised code points). :func:`lsh_rows` chooses the
banding for a threshold and :func:`miss_probability` says how rarely it misses a pair.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.corpus.dedup.normalise import normalise_many, offsets_from_lengths
from workbench.corpus.dedup.params import DUP_THRESHOLD

#: MinHash bins per unit: independent one-permutation sketches of 64 bins each.
NUM_PERM = 128

# Bins of one one-permutation sketch: one 64-bit word of non-empty flags per unit.
_BINS = 64

#: Largest accepted probability that LSH misses a pair at exactly the threshold.
MAX_MISS = 1e-6

#: Seed of every hash constant of the fast method (fixed: sketches are reproducible
#: across processes and runs, and never depend on PYTHONHASHSEED).
SEED = 20261123


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


def windows(
    cps: np.ndarray, offsets: np.ndarray, ngram: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every shingle, as :func:`shingles` defines them: ``(unit, ext, starts)``, the
    window ``i`` of unit ``unit[i]`` being ``ext[starts[i] : starts[i] + ngram]``.

    A unit of ``L >= ngram`` letters has the ``L - ngram + 1`` windows starting
    inside it (``ext`` begins with ``cps``); a shorter non-empty unit is one window
    padded with ``_PAD`` (never a code point, so it equals no real n-gram), appended
    to ``ext`` after the code points. :func:`position_hashes` of ``ext`` at ``starts``
    hashes every window as :func:`hash_windows` does, with slices rather than a gather
    of each of the window's code points.

    Examples
    --------
    >>> cps = np.array([ord(c) for c in "干群关系紧张一二"], dtype=np.uint32)
    >>> unit, ext, starts = windows(cps, np.array([0, 6, 8]), 5)
    >>> unit.tolist(), starts.tolist(), ext[starts[-1] :].tolist()[2:] == [_PAD] * 3
    ([0, 0, 1], [0, 1, 8], True)
    """
    lengths = np.diff(offsets)
    n_pos = max(len(cps) - ngram + 1, 0)
    unit_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[:n_pos]
    starts = np.flatnonzero(np.arange(n_pos, dtype=np.int64) + ngram <= offsets[1:][unit_of])
    unit = unit_of[starts]
    short = np.flatnonzero((lengths > 0) & (lengths < ngram))
    if not short.size:
        return unit, cps, starts
    first, size = offsets[short], lengths[short]
    padded = np.stack(
        [np.where(k < size, cps[first + np.minimum(k, size - 1)], _PAD) for k in range(ngram)],
        axis=1,
    )
    ext = np.concatenate([cps.astype(np.uint32), padded.ravel().astype(np.uint32)])
    starts = np.concatenate([starts, len(cps) + ngram * np.arange(len(short), dtype=np.int64)])
    return np.concatenate([unit, short]), ext, starts


def hash_windows(columns: list) -> np.ndarray:
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

    Equal hashes for equal n-grams, the same as :func:`hash_windows` of
    :func:`windows`; ``hashes`` is :func:`position_hashes` of ``cps``.
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
        h_short = hash_windows(columns)
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
        sig[pending] = sig[_densify(filled, pending)]
    return sig.reshape(n_units, _BINS)


#: Densification attempts made one at a time (1-D gathers over the bins still empty)
#: before the rest go in blocks of attempts: most empty bins are filled in the first
#: few, and a 2-D block's row-wise any/argmax cost more than the gathers themselves.
_SINGLE_ATTEMPTS = 16


def _densify(filled: np.ndarray, pending: np.ndarray) -> np.ndarray:
    """For each empty bin ``pending`` (flat, unit row * 64 + bin), the flat index of the
    first non-empty bin of its unit along the bin's probe sequence (:func:`_probe_table`).
    """
    bins = pending & (_BINS - 1)
    base_of = pending - bins
    source = np.empty(len(pending), dtype=np.int64)
    todo = np.arange(len(pending))
    columns = _probe_table(_SINGLE_ATTEMPTS).T  # attempt by attempt
    left_bins, left_base = bins, base_of
    for attempt in range(_SINGLE_ATTEMPTS):
        probes = np.ascontiguousarray(columns[attempt]).take(left_bins)
        probes += left_base
        ok = filled.take(probes)
        hit = np.flatnonzero(ok)
        source[todo.take(hit)] = probes.take(hit)
        miss = np.flatnonzero(~ok)
        if not miss.size:
            return source
        todo, left_bins, left_base = todo.take(miss), left_bins.take(miss), left_base.take(miss)
    attempt, block = _SINGLE_ATTEMPTS, 16
    while todo.size:
        # The few bins left (units with few shingles) probe several attempts at once,
        # more as fewer bins stay empty; the first non-empty bin wins.
        probes = _probe_table(attempt + block)[bins[todo], attempt : attempt + block]
        probes += base_of[todo, None]
        ok = filled[probes]
        hit = ok.any(axis=1)
        rows = np.flatnonzero(hit)
        source[todo[rows]] = probes[rows, ok[rows].argmax(axis=1)]
        todo = todo[~hit]
        attempt += block
        block = min(2 * block, 32)
    return source


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
