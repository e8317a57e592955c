"""Association measures and significance on a hand-computed 4 × 3 matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse, stats

from workbench.network.measures import cooccurrence, pair_table
from workbench.network.significance import bh, hypergeom_p

# Units × codes a, b, c: n_a = 3, n_b = 2, n_c = 2, N = 4; c_ab = 2, c_ac = 1, c_bc = 1.
X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))


def test_counts_are_the_cross_product():
    counts, freq, n = cooccurrence(X)
    assert counts.toarray().tolist() == [[3, 2, 1], [2, 2, 1], [1, 1, 2]]
    assert freq.tolist() == [3, 2, 2] and n == 4


def test_measures_by_hand():
    t = pair_table(X, ["a", "b", "c"]).set_index(["source", "target"])
    ab = t.loc[("a", "b")]
    assert ab["jaccard"] == pytest.approx(2 / 3)
    assert ab["dice"] == pytest.approx(4 / 5)
    assert ab["simpson"] == pytest.approx(1.0)
    assert ab["lift"] == pytest.approx(2 * 4 / (3 * 2))
    assert ab["npmi"] == pytest.approx(math.log((2 / 4) / (3 / 4 * 2 / 4)) / -math.log(2 / 4))
    assert ab["p_target_given_source"] == pytest.approx(2 / 3)
    ac = t.loc[("a", "c")]
    assert ac["lift"] == pytest.approx(4 / 6) and ac["npmi"] < 0
    assert t.loc[("b", "c"), "npmi"] == pytest.approx(0.0)


def test_pairs_that_never_meet_are_not_rows():
    Y = sparse.csr_matrix(np.array([[1, 0], [0, 1]]))
    assert pair_table(Y, ["a", "b"]).empty


def test_weights_equal_repeating_rows():
    w = np.array([2, 1, 1, 3])
    repeated = sparse.csr_matrix(np.repeat(X.toarray(), w, axis=0))
    a = pair_table(X, ["a", "b", "c"], weights=w)
    b = pair_table(repeated, ["a", "b", "c"])
    assert a.drop(columns="n_units").round(12).equals(b.drop(columns="n_units").round(12))


@pytest.mark.parametrize(("c", "ni", "nj", "n"), [(2, 3, 2, 4), (5, 10, 8, 40), (0, 3, 4, 9)])
def test_hypergeometric_p_is_fisher_greater(c, ni, nj, n):
    table = [[c, ni - c], [nj - c, n - ni - nj + c]]
    expected = stats.fisher_exact(table, alternative="greater").pvalue
    assert hypergeom_p([c], [ni], [nj], n)[0] == pytest.approx(expected)


def test_bh_matches_scipy_and_counts_untested_pairs():
    p = np.array([0.001, 0.02, 0.04, 0.3, 0.01])
    assert bh(p) == pytest.approx(stats.false_discovery_control(p))
    padded = np.concatenate([p, np.ones(5)])
    assert bh(p, n_tests=10) == pytest.approx(stats.false_discovery_control(padded)[:5])
