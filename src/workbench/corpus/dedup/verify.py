"""Candidates and their exact verification, for the fast method.

Pairs of units that share an LSH band key, made band by band in bounded batches
(:data:`MAX_BATCH_PAIRS`); the exact Jaccard of their shingle sets, rebuilt from the
normalised code points and computed in batches on threads (:data:`VERIFY_BATCH_CHARS`,
:data:`VERIFY_THREADS`); equal text hashes confirmed on the texts; single-link groups
in corpus order (:func:`find_fast`). The texts come from a :data:`Normaliser`; for a
corpus known only by its sketches, :class:`Fetched` fetches and holds the texts that
verification needs (:data:`FETCH_CHARS`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from workbench.corpus.dedup.normalise import (
    concat_consuming,
    concat_ranges,
    gather_texts,
    normalise_texts,
    offsets_from_lengths,
)
from workbench.corpus.dedup.params import EPS
from workbench.corpus.dedup.sketch import Sketches, position_hashes, windows

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


def _stable_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.argsort(keys, kind="stable")`` and the keys in that order.

    Band keys are 32-bit: each is packed with its row number into 64 bits and the
    packed values are sorted plainly (a vectorised sort, several times faster than
    numpy's stable argsort, a merge sort), which orders by key and then by row: the
    same order.

    Examples
    --------
    >>> order, ordered = _stable_order(np.array([5, 3, 5, 7, 3], dtype=np.uint32))
    >>> order.tolist(), ordered.tolist()
    ([1, 4, 0, 2, 3], [3, 3, 5, 5, 7])
    """
    n = len(keys)
    if keys.dtype.kind != "u" or keys.dtype.itemsize > 4 or n >= 1 << 32:
        order = np.argsort(keys, kind="stable")
        return order, keys[order]
    packed = keys.astype(np.uint64) << np.uint64(32)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    order = (packed & np.uint64(0xFFFFFFFF)).astype(np.intp)
    return order, (packed >> np.uint64(32)).astype(keys.dtype)


def _band_pairs(keys: np.ndarray, max_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(i, j)``, ``i < j``, of rows with equal keys in one band, in batches."""
    order, sorted_keys = _stable_order(keys)
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
        order, keys = _stable_order(bands[:, k] if rows is None else bands[rows, k])
        same = keys[1:] == keys[:-1]
        shared[order[np.r_[same, False] | np.r_[False, same]]] = True
    return shared


def _exact_token_ids(cps: np.ndarray, offsets: np.ndarray, ngram: int):
    """Units and exact shingle ids (equal id iff equal n-gram) of each window.

    The n-grams are read only where two windows' hashes are equal, to confirm them:
    gathering every window's code points first was most of the cost of verifying
    long units.
    """
    unit, ext, starts = windows(cps, offsets, ngram)
    if not len(starts):
        return unit, np.zeros(0, dtype=np.int64)
    h = position_hashes(ext, ngram)[starts]
    order = np.argsort(h)
    sorted_h = h[order]
    same = sorted_h[1:] == sorted_h[:-1]
    ids = np.empty(len(h), dtype=np.int64)
    ids[order] = np.r_[0, np.cumsum(~same)]  # dense id of each window's hash
    # Confirm the hash is injective on these windows (equal hashes, equal n-grams);
    # otherwise fall back to ids of the n-grams themselves.
    pair = np.flatnonzero(same)
    at_a, at_b = starts[order[pair]], starts[order[pair + 1]]
    if any((ext[at_a + k] != ext[at_b + k]).any() for k in range(ngram)):
        grams = np.stack([ext[starts + k] for k in range(ngram)], axis=1)
        ids = np.unique(grams, axis=0, return_inverse=True)[1].ravel()
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
    position), compared in batches of about :data:`VERIFY_BATCH_CHARS`, in numpy (a
    Python comparison per unit was most of the exact step at 10,000 copies)."""
    wrong: list[int] = []
    for lo, hi in _runs(2 * sk.n_chars[dup], VERIFY_BATCH_CHARS):
        d, r = dup[lo:hi], rep[lo:hi]
        check = _unique(np.concatenate([d, r]))
        cps, offsets = normalised(check)
        at_d, at_r = np.searchsorted(check, d), np.searchsorted(check, r)
        lengths = np.diff(offsets)
        differ = lengths[at_d] != lengths[at_r]
        same = np.flatnonzero(~differ)  # same length: compare the code points
        n = lengths[at_d[same]]
        unequal = (
            cps[concat_ranges(offsets[at_d[same]], n)] != cps[concat_ranges(offsets[at_r[same]], n)]
        )
        which = np.repeat(np.arange(len(same)), n)[unequal]
        differ[same[np.unique(which)]] = True
        wrong += d[differ].tolist()
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (later, earlier) of ``units`` (sorted positions) that share an LSH band
    and whose exact Jaccard reaches ``threshold``, with that Jaccard."""
    band_row = np.cumsum(sk.sketched) - 1
    later, earlier = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    values = [np.zeros(0, dtype=np.float64)]
    for i, j in _candidate_batches(sk.bands, rows=band_row[units]):
        a, b = units[i], units[j]
        jac = _pair_jaccards(a, b, sk, normalised)
        match = jac >= threshold - EPS
        later.append(b[match])
        earlier.append(a[match])
        values.append(jac[match])
    return np.concatenate(later), np.concatenate(earlier), np.concatenate(values)


def _known_jaccards(
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray], later: np.ndarray, earlier: np.ndarray, n: int
) -> np.ndarray:
    """The Jaccard of each pair (later, earlier) among the verified ``pairs`` (later,
    earlier, Jaccard), NaN for a pair not among them.

    A near copy's similarity is mostly that of a pair verification has already
    computed (its canonical unit is the one it matched); the value is the same
    whichever batch computed it (exact integer counts).

    Examples
    --------
    >>> pairs = (np.array([3, 5]), np.array([1, 2]), np.array([0.9, 0.85]))
    >>> _known_jaccards(pairs, np.array([5, 3, 4]), np.array([2, 0, 1]), 6).tolist()
    [0.85, nan, nan]
    """
    known_later, known_earlier, values = pairs
    out = np.full(len(later), np.nan)
    if not len(values) or not len(later):
        return out
    keys = known_later * n + known_earlier  # positions below n: no overflow below 3e9 units
    order = np.argsort(keys)
    keys = keys[order]
    wanted = later * n + earlier
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = keys[at] == wanted
    out[hit] = values[order[at[hit]]]
    return out


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
    sk: Sketches,
    normalised: Normaliser,
    threshold: float,
    min_chars: int,
    paired: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[tuple[int, int, str, float]]:
    """Rows (position, canonical position, kind, similarity) of the fast method.

    ``paired`` is :func:`lsh_paired` of ``sk``, when the caller has it: the LSH step then
    pairs only the units that share a band key with another (the same pairs, fewer
    keys to sort).
    """
    eligible = sk.n_chars >= min_chars
    rep = _exact_groups(sk, eligible, normalised)
    distinct = np.flatnonzero(eligible & (rep == np.arange(len(sk))))
    # LSH over the distinct texts that have shingles.
    has_sets = distinct[sk.n_chars[distinct] > 0]
    if paired is not None and np.array_equal(paired[0], has_sets):
        # The others share no band key with any of these: they are in no pair. (Unless a
        # text-hash collision was split above, which makes other units distinct.)
        has_sets = paired[1]
    pairs = _matching_pairs(has_sets, sk, normalised, threshold)
    canon = _single_link(len(sk), pairs[0], pairs[1])
    pos = np.flatnonzero(eligible)
    of = canon[rep[pos]]
    dup = of != pos
    pos, of, rep_ = pos[dup], of[dup], rep[pos[dup]]
    near = of != rep_
    similarity = np.ones(len(pos))
    if near.any():
        # A near copy's similarity is that of its text's first copy to the canonical.
        jac = _known_jaccards(pairs, rep_[near], of[near], len(sk))
        unknown = np.isnan(jac)
        if unknown.any():
            jac[unknown] = _pair_jaccards(rep_[near][unknown], of[near][unknown], sk, normalised)
        similarity[near] = [round(j, 4) for j in jac.tolist()]
    kinds = np.where(near, "near", "exact").tolist()
    return list(zip(pos.tolist(), of.tolist(), kinds, similarity.tolist(), strict=True))


def lsh_paired(sk: Sketches, min_chars: int) -> tuple[np.ndarray, np.ndarray]:
    """The units the LSH step of :func:`find_fast` pairs, and those of them that share a
    band key with another: the first unit of each text hash among the eligible ones,
    if it has shingles (sorted positions, as :func:`find_fast` takes them when no two
    texts' hashes collide), and the subset in some band's bucket."""
    eligible = np.flatnonzero(sk.n_chars >= min_chars)
    _, first = np.unique(sk.text_hash[eligible], return_index=True)
    # Copies share every band key: pairing them all would grow with the square of a
    # group's size, so only each hash's first unit takes part (rep in find_fast).
    reps = np.sort(eligible[first])
    band_row = np.cumsum(sk.sketched) - 1
    has_sets = reps[sk.sketched[reps] & (sk.n_chars[reps] > 0)]
    return has_sets, has_sets[_in_buckets(sk.bands, rows=band_row[has_sets])]


def verification_units(
    sk: Sketches, min_chars: int, paired: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Positions whose text the fast search will read: eligible units that share a
    text hash with another, and the first unit of each text hash that shares an LSH
    band key with another such unit (as :func:`find_fast` pairs only those;
    ``paired`` is :func:`lsh_paired` of ``sk``, made here when not given)."""
    eligible = np.flatnonzero(sk.n_chars >= min_chars)
    _, inverse, counts = np.unique(sk.text_hash[eligible], return_inverse=True, return_counts=True)
    shared_hash = eligible[counts[inverse.ravel()] > 1]
    in_pairs = (lsh_paired(sk, min_chars) if paired is None else paired)[1]
    return _unique(np.concatenate([shared_hash, in_pairs]))


#: Normalised characters whose texts one call of a ``texts`` callback asks for at
#: most (besides a single longer text): the texts of one call are held as Python
#: strings and normalised together, so this bounds that transient memory.
FETCH_CHARS = 20_000_000


class Fetched:
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
