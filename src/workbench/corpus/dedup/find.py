"""The entry points: :func:`find_duplicates`, and :func:`duplicates_from_sketches` for
a corpus known by its sketches.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.corpus.dedup.exact import find_exact
from workbench.corpus.dedup.normalise import normalise_many
from workbench.corpus.dedup.params import DUP_THRESHOLD
from workbench.corpus.dedup.sketch import (
    MAX_MISS,
    Sketches,
    id_array,
    miss_probability,
    sketch_units,
)
from workbench.corpus.dedup.verify import (
    Fetched,
    TextSource,
    find_fast,
    lsh_paired,
    verification_units,
)

#: Output columns of :func:`find_duplicates`, in order.
DUPLICATE_COLUMNS = ("id", "dup_of", "kind", "similarity")

#: The near-duplicate methods of :func:`find_duplicates`.
Method = Literal["fast", "exact"]


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
        return result_table(ids, find_exact(texts, threshold, ngram, min_chars))
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
        :func:`workbench.corpus.duplicates.sketch_segments` sketches them), or those
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
    # The units in LSH buckets, found once for both the fetching and the pairing.
    paired = lsh_paired(sketches, min_chars)
    normalised = Fetched(verification_units(sketches, min_chars, paired), texts, sketches)
    found = find_fast(sketches, normalised, threshold, min_chars, paired)
    return result_table(sketches.ids, found)
