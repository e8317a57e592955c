"""Is a pair of codes together more often than chance? One-sided hypergeometric test + BH.

Under independence, with ``N`` units, ``n_i`` carrying code *i* and ``n_j`` code
*j*, the number of units carrying both is hypergeometric; the one-sided p-value of
an observed count ``c`` is :math:`P(X \\ge c)` — the same as Fisher's exact test
with ``alternative="greater"`` on the 2 × 2 table. Benjamini–Hochberg controls the
false discovery rate over all pairs tested: pairs that never co-occur are tests
too (with p = 1), so ``n_tests`` defaults to the number of pairs of codes present.

Examples
--------
>>> round(float(hypergeom_p([3], [4], [3], 10)[0]), 4)
0.0333
>>> bh([0.01, 0.04, 0.03], n_tests=4).round(3).tolist()
[0.04, 0.053, 0.053]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def hypergeom_p(c, ni, nj, n) -> np.ndarray:
    """One-sided p-values :math:`P(X \\ge c)` for arrays of pair counts.

    Parameters
    ----------
    c, ni, nj : array-like of int
        Units with both codes, with code *i*, with code *j*.
    n : int
        Number of units.
    """
    c, ni, nj = (np.asarray(a, dtype=np.int64) for a in (c, ni, nj))
    # sf(c - 1) = P(X > c - 1) = P(X >= c).
    return stats.hypergeom.sf(c - 1, int(n), ni, nj)


def bh(p, n_tests: int | None = None) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given.

    Parameters
    ----------
    p : array-like of float
        The p-values of the tests reported.
    n_tests : int, optional
        Total number of tests, when more were run than reported (the rest had
        p = 1 and do not change the ranks of these). Default ``len(p)``.
    """
    p = np.asarray(p, dtype=np.float64)
    m = len(p) if n_tests is None else int(n_tests)
    if m < len(p):
        raise ValueError(f"n_tests ({m}) is smaller than the number of p-values ({len(p)})")
    if len(p) == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, len(p) + 1)
    # Step-up: each q is the smallest adjusted value at its rank or above.
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty_like(p)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def n_pairs(freq: np.ndarray) -> int:
    """Number of code pairs that could be tested: both codes occur at least once.

    Examples
    --------
    >>> n_pairs(np.array([3, 0, 1, 2]))
    3
    """
    k = int(np.count_nonzero(np.asarray(freq) > 0))
    return k * (k - 1) // 2


def add_significance(pairs: pd.DataFrame, n_codes_present: int) -> pd.DataFrame:
    """Add ``p`` and ``q`` columns to a :func:`~workbench.network.measures.pair_table`.

    ``n_codes_present`` is the number of codes with non-zero frequency; the BH
    correction runs over all their pairs.
    """
    out = pairs.copy()
    out["p"] = hypergeom_p(out["count"], out["n_source"], out["n_target"],
                           int(out["n_units"].iloc[0]) if len(out) else 0)  # fmt: skip
    out["q"] = bh(out["p"].to_numpy(), n_tests=n_codes_present * (n_codes_present - 1) // 2)
    return out
