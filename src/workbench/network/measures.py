"""Association measures for every pair of codes, from a sparse unit × code matrix.

With a binary unit × code matrix :math:`X` (``N`` units) the co-occurrence counts
are :math:`C = X^\\top X`: the diagonal holds each code's frequency :math:`n_i`,
the off-diagonal :math:`c_{ij}` the units carrying both codes. Every measure is a
vectorised function of ``c, n_i, n_j, N`` over the non-zero upper triangle, so a
codebook of any size costs one sparse product and no Python loop over pairs:

* Jaccard :math:`c / (n_i + n_j - c)`; Dice :math:`2c / (n_i + n_j)`;
  Simpson (overlap) :math:`c / \\min(n_i, n_j)`;
* lift :math:`c N / (n_i n_j)` (observed over expected under independence);
* NPMI :math:`\\log(p_{ij} / p_i p_j) / -\\log p_{ij}` in [-1, 1] (1 when the two
  codes always occur together; defined as 1 when :math:`p_{ij} = 1`);
* the conditional probabilities :math:`P(j \\mid i) = c / n_i` and
  :math:`P(i \\mid j) = c / n_j`.

The pipelines' integer counts over the non-duplicate units come from
:func:`cooccurrence_counts`, the one place code × code products are computed.

Optional ``weights`` count each unit that many times (the bootstrap draws articles
with replacement and weights their units by the number of draws).

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))
>>> t = pair_table(X, ["a", "b", "c"])
>>> t[["source", "target", "count", "jaccard", "lift"]].round(3).values.tolist()
[['a', 'b', 2, 0.667, 1.333], ['a', 'c', 1, 0.25, 0.667], ['b', 'c', 1, 0.333, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

MEASURES = ("count", "jaccard", "dice", "simpson", "npmi", "lift")
PAIR_COLUMNS = [
    "source", "target", "count", "n_source", "n_target", "n_units",
    "jaccard", "dice", "simpson", "npmi", "lift", "p_target_given_source",
    "p_source_given_target",
]  # fmt: skip


def cooccurrence(
    matrix: sparse.spmatrix, weights: np.ndarray | None = None
) -> tuple[sparse.csr_matrix, np.ndarray, float]:
    """Co-occurrence counts ``C = Xᵀ W X``, code frequencies and the number of units.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes; any non-zero cell counts as presence.
    weights : ndarray, optional
        One non-negative weight per unit (default 1).

    Returns
    -------
    counts : csr_matrix
        Codes × codes, symmetric; the diagonal holds the frequencies.
    freq : ndarray
        Weighted number of units carrying each code.
    n_units : float
        Weighted number of units.

    Examples
    --------
    >>> X = sparse.csr_matrix(np.array([[1, 1], [1, 0]]))
    >>> C, n, N = cooccurrence(X, weights=np.array([2, 1]))
    >>> C.toarray().tolist(), n.tolist(), N
    ([[3.0, 2.0], [2.0, 2.0]], [3.0, 2.0], 3.0)
    """
    x = (sparse.csr_matrix(matrix) != 0).astype(np.float64)
    if weights is None:
        weights = np.ones(x.shape[0])
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (x.shape[0],):
        raise ValueError(f"weights needs one value per unit ({x.shape[0]}), got {w.shape}")
    counts = (x.T @ sparse.diags(w) @ x).tocsr()
    freq = np.asarray(counts.diagonal()).ravel()
    return counts, freq, float(w.sum())


def cooccurrence_counts(
    matrix: sparse.spmatrix, keep: np.ndarray | None = None
) -> sparse.csr_matrix:
    """Integer code × code counts ``MᵀM`` of a units × codes matrix, over the kept units.

    The one place the pipelines count co-occurrences (:func:`workbench.pipeline.run_pipeline`
    over the whole corpus, :func:`workbench.stream.build_corpus` per partition, summed).
    Unlike :func:`cooccurrence` the cells are not reduced to presence nor weighted: a
    0/1 coding matrix gives, off the diagonal, the number of units having both codes and,
    on it, the number of units having the code, as ``int64``. Sparse algebra keeps this
    linear in the number of coded cells.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes (e.g. :attr:`workbench.coding.coder.Coding.matrix`).
    keep : ndarray of bool, optional
        One flag per unit: count only these units (e.g. those that are not duplicates,
        :func:`workbench.pipeline.non_duplicate_units`). Default: every unit.

    Returns
    -------
    scipy.sparse.csr_matrix
        Codes × codes, symmetric, ``int64``.

    Examples
    --------
    >>> m = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=np.int8))
    >>> cooccurrence_counts(m).toarray()
    array([[3, 2, 1],
           [2, 2, 1],
           [1, 1, 1]])
    >>> cooccurrence_counts(m, keep=np.array([True, True, False])).toarray()
    array([[2, 1, 0],
           [1, 1, 0],
           [0, 0, 0]])
    """
    m = sparse.csr_matrix(matrix).astype(np.int64)
    if keep is not None:
        m = m[np.flatnonzero(keep)]
    return (m.T @ m).tocsr()


def measures(c: np.ndarray, ni: np.ndarray, nj: np.ndarray, n: float) -> dict[str, np.ndarray]:
    """Every measure for arrays of pair counts ``c`` and code frequencies ``ni, nj``.

    Examples
    --------
    >>> m = measures(np.array([2.0]), np.array([3.0]), np.array([2.0]), 4.0)
    >>> {k: round(float(v[0]), 4) for k, v in m.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'jaccard': 0.6667, 'dice': 0.8, 'simpson': 1.0, 'npmi': 0.415, 'lift': 1.3333,
     'p_target_given_source': 0.6667, 'p_source_given_target': 1.0}
    """
    c, ni, nj = (np.asarray(a, dtype=np.float64) for a in (c, ni, nj))
    with np.errstate(divide="ignore", invalid="ignore"):
        pij = c / n
        pmi = np.log(pij) - np.log(ni / n) - np.log(nj / n)
        # p_ij = 1 means both codes are in every unit: perfect association.
        npmi = np.where(pij >= 1.0, 1.0, pmi / -np.log(pij))
        npmi = np.where(c == 0, -1.0, npmi)
        return {
            "jaccard": c / (ni + nj - c),
            "dice": 2 * c / (ni + nj),
            "simpson": c / np.minimum(ni, nj),
            "npmi": npmi,
            "lift": c * n / (ni * nj),
            "p_target_given_source": c / ni,
            "p_source_given_target": c / nj,
        }


def pair_table(
    matrix: sparse.spmatrix,
    codes: Sequence[str],
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per pair of codes that co-occur at least once, with every measure.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes (e.g. :attr:`workbench.coding.coder.Coding.matrix`).
    codes : sequence of str
        Column names (code ids).
    weights : ndarray, optional
        Unit weights (see :func:`cooccurrence`).

    Returns
    -------
    DataFrame
        :data:`PAIR_COLUMNS`; ``source`` precedes ``target`` in column order; rows
        sorted by (source, target) column position.
    """
    if len(codes) != matrix.shape[1]:
        raise ValueError(f"{len(codes)} code names for {matrix.shape[1]} matrix columns")
    counts, freq, n = cooccurrence(matrix, weights)
    upper = sparse.triu(counts, k=1).tocoo()
    keep = upper.data > 0
    i, j, c = upper.row[keep], upper.col[keep], upper.data[keep]
    order = np.lexsort((j, i))
    i, j, c = i[order], j[order], c[order]
    names = np.asarray(list(codes), dtype=object)
    table = pd.DataFrame({
        "source": names[i], "target": names[j],
        # Unweighted counts are integers; weighted (bootstrap) counts stay integers too.
        "count": np.rint(c).astype(np.int64), "n_source": np.rint(freq[i]).astype(np.int64),
        "n_target": np.rint(freq[j]).astype(np.int64), "n_units": round(n),
    })  # fmt: skip
    for name, values in measures(c, freq[i], freq[j], n).items():
        table[name] = values
    return table[PAIR_COLUMNS].reset_index(drop=True)
