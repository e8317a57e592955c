"""Survey models reproduce published R and Stata results on data shipped with statsmodels.

Every reference below is a file installed with statsmodels (its own test results),
imported rather than copied so the source is unambiguous:

* OLS, classical SEs: NIST StRD certified values for Longley (1967),
  ``statsmodels/regression/tests/results/results_regression.py::Longley``;
  HC1/HC3 SEs in the same class are from Stata (``regress, vce(hc3)``).
* OLS, cluster-robust: Stata ``regress invest mvalue kstock, vce(cluster company)``
  and ``ivreg2 ..., cluster(company time) small`` on Grunfeld's investment data,
  ``.../results/results_grunfeld_ols_robust_cluster.py``; with sampling weights
  ``regress ... [aw=1/mvalue], robust`` (same point estimates and SEs as pweights).
* Ordered logit/probit: R ``MASS::polr(apply ~ pared + public + gpa)`` on the UCLA
  data, ``statsmodels/miscmodels/tests/results/results_ordinal_model.py``.
* Mixed models: R ``lme4::lmer(Weight ~ Time + (1 | Pig))`` and ``(1 + Time | Pig)``,
  REML and ML, on ``dietox``, values in ``statsmodels/regression/tests/test_lme.py``
  (``test_dietox``, ``test_dietox_slopes``), data ``.../results/dietox.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels
from numpy.testing import assert_allclose
from statsmodels.datasets import grunfeld, longley
from statsmodels.miscmodels.tests.results import results_ordinal_model as polr
from statsmodels.regression.tests.results import results_grunfeld_ols_robust_cluster as stata
from statsmodels.regression.tests.results.results_regression import Longley

from workbench.survey import fit
from workbench.survey.codebook import load_codebook

SM = Path(statsmodels.__file__).parent
STATA_ORDER = [2, 0, 1]  # Stata lists mvalue, kstock, _cons; our formula puts the intercept first


@pytest.fixture(scope="module")
def longley_data() -> pd.DataFrame:
    return longley.load_pandas().data


@pytest.fixture(scope="module")
def grunfeld_data() -> pd.DataFrame:
    # Stata's example lacks the last firm (statsmodels' test_robustcov does the same).
    d = grunfeld.load_pandas().data.iloc[:200].copy()
    d["w"] = 1 / d["value"]
    return d


LONGLEY = "TOTEMP ~ GNPDEFL + GNP + UNEMP + ARMED + POP + YEAR"


def _nist_order(values) -> np.ndarray:
    v = np.asarray(values)
    return np.r_[v[-1], v[:-1]]  # NIST lists the constant last


def test_ols_classical_matches_nist_longley(longley_data):
    res = fit(longley_data, LONGLEY, "ols")
    ref = Longley()
    assert_allclose(res.params, _nist_order(ref.params), rtol=1e-7)
    assert_allclose(res.bse, _nist_order(ref.bse), rtol=1e-7)
    assert res.r2 == pytest.approx(ref.rsquared, rel=1e-10)
    assert res.llf == pytest.approx(ref.llf, abs=1e-4)  # printed to 4 decimals
    assert res.df_inference == 9


@pytest.mark.parametrize("cov_type", ["HC1", "HC3"])
def test_ols_hc_matches_stata_longley(longley_data, cov_type):
    res = fit(longley_data, LONGLEY, "ols", cov_type=cov_type)
    ref = _nist_order(getattr(Longley, f"{cov_type}_se"))
    # Stata's values there are printed to 4-7 significant digits (0.03277).
    assert_allclose(res.bse, ref, rtol=2e-4)


def _check_stata(res, ref, tol: float) -> None:
    table = ref.params_table[STATA_ORDER]
    # Stata stored Grunfeld's data in single precision: agreement to ~1e-8.
    assert_allclose(res.params, table[:, 0], rtol=1e-7)
    assert_allclose(res.bse, table[:, 1], rtol=tol)
    assert_allclose(res.pvalues, table[:, 3], rtol=1e-6, atol=1e-12)
    assert_allclose(res.conf_int["lower"], table[:, 4], rtol=tol, atol=1e-6)
    assert_allclose(res.conf_int["upper"], table[:, 5], rtol=tol, atol=1e-6)


def test_ols_one_way_cluster_matches_stata(grunfeld_data):
    res = fit(grunfeld_data, "invest ~ value + capital", "ols", cluster="firm")
    _check_stata(res, stata.results_cluster, 1e-7)
    assert res.df_inference == stata.results_cluster.df_r
    assert res.n_groups == {"firm": stata.results_cluster.N_clust}


def test_ols_two_way_cluster_matches_stata_ivreg2(grunfeld_data):
    res = fit(grunfeld_data, "invest ~ value + capital", "ols", cluster=["firm", "year"])
    _check_stata(res, stata.results_cluster_2groups_small, 1e-7)
    assert res.df_inference == 9


def test_ols_two_way_cluster_large_sample(grunfeld_data):
    res = fit(grunfeld_data, "invest ~ value + capital", "ols", cluster="firm,year", small=False)
    table = stata.results_cluster_2groups_large.params_table[STATA_ORDER]
    assert_allclose(res.bse, table[:, 1], rtol=1e-7)
    assert_allclose(res.conf_int["lower"], table[:, 4], rtol=1e-7)


def test_ols_sampling_weights_match_stata(grunfeld_data):
    res = fit(grunfeld_data, "invest ~ value + capital", "ols", weights="w")
    assert res.cov_type == "HC1"
    _check_stata(res, stata.results_hc1_wls_small, 1e-7)
    clustered = fit(grunfeld_data, "invest ~ value + capital", "ols", weights="w", cluster="firm")
    _check_stata(clustered, stata.results_cluster_wls_small, 1e-7)


@pytest.fixture(scope="module")
def ucla() -> pd.DataFrame:
    return polr.data_store.df


@pytest.mark.parametrize(
    ("model", "ref"), [("ologit", polr.res_ord_logit), ("oprobit", polr.res_ord_probit)]
)
def test_ordered_matches_r_polr(ucla, model, ref):
    res = fit(ucla, "apply ~ pared + public + gpa", model)
    # polr's optimiser stops with a score of ~1e-3 (its cutpoints are flat in the
    # likelihood); ours is Newton-refined, so agreement is to polr's printed digits.
    assert_allclose(res.params, ref.coefficients_val, atol=5e-4)
    assert_allclose(res.bse, ref.coefficients_stdE, atol=5e-4)
    assert_allclose(res.cutpoints, ref.thresholds, atol=1e-3)
    assert list(res.cutpoints.index) == ["unlikely|somewhat likely", "somewhat likely|very likely"]
    probs = res.result.predict(ucla.iloc[:7])
    assert_allclose(probs, ref.prob_pred, atol=2e-4)


def test_ologit_ucla_printed_values(ucla):
    """UCLA's printed polr output: cutpoints 2.203/4.299 (as the issue quotes them),
    SEs 0.7795 and 0.8043, residual deviance 717.0249, AIC 727.0249."""
    res = fit(ucla, "apply ~ pared + public + gpa", "ologit")
    assert res.cutpoints.round(3).tolist() == [2.203, 4.299]
    assert res.cutpoint_bse.round(4).tolist() == [0.7795, 0.8043]
    assert -2 * res.llf == pytest.approx(717.0249, abs=1e-4)
    assert res.aic == pytest.approx(727.0249, abs=1e-4)
    # Our optimum is at least as good as polr's reported one.
    ref = polr.res_ord_logit
    th = ref.thresholds
    r_raw = np.r_[ref.coefficients_val, th[0], np.log(th[1] - th[0])]
    assert res.llf >= res.result.model.loglike(r_raw)


@pytest.fixture(scope="module")
def dietox() -> pd.DataFrame:
    return pd.read_csv(SM / "regression" / "tests" / "results" / "dietox.csv")


@pytest.mark.parametrize(
    ("reml", "fe", "bse", "scale", "cov_re", "llf"),
    [
        (True, [15.723523, 6.942505], [0.78805374, 0.03338727], 11.36692, 40.39395, -2404.775),
        (False, [15.723517, 6.942506], [0.7829397, 0.0333661], 11.35251, 39.82097, -2402.932),
    ],
)
def test_mixed_random_intercept_matches_lme4(dietox, reml, fe, bse, scale, cov_re, llf):
    res = fit(dietox, "Weight ~ Time", "mixed", groups="Pig", reml=reml)
    assert_allclose(res.params, fe, rtol=1e-5)
    assert_allclose(res.bse, bse, rtol=5e-5)
    assert res.scale == pytest.approx(scale, rel=1e-5)
    assert res.cov_re.iloc[0, 0] == pytest.approx(cov_re, rel=1e-5)
    assert res.llf == pytest.approx(llf, rel=1e-6)
    assert res.dropped["rows"].sum() == dietox["Weight"].isna().sum() + dietox["Time"].isna().sum()


@pytest.mark.parametrize(
    ("reml", "fe", "bse", "scale", "cov_re", "llf"),
    [
        (True, [15.738650, 6.939014], [0.5501253, 0.0798254], 6.03745,
         [19.4934552, 0.2938323, 0.4160620], -2217.047),
        (False, [15.73863, 6.93902], [0.54629282, 0.07926954], 6.037441,
         [19.190922, 0.293568, 0.409695], -2215.753),
    ],
)  # fmt: skip
def test_mixed_random_slope_matches_lme4(dietox, reml, fe, bse, scale, cov_re, llf):
    res = fit(dietox, "Weight ~ Time", "mixed", groups="Pig", re_formula="~Time", reml=reml)
    assert_allclose(res.params, fe, rtol=1e-5)
    # lme4 and statsmodels stop at slightly different points of a flat likelihood.
    assert_allclose(res.bse, bse, rtol=1e-3)
    assert res.scale == pytest.approx(scale, rel=1e-4)
    c = res.cov_re.to_numpy()
    assert_allclose([c[0, 0], c[0, 1], c[1, 1]], cov_re, rtol=2e-3)
    assert res.llf == pytest.approx(llf, abs=1e-3)
    assert list(res.cov_re.index) == ["Intercept", "Time"]
    assert res.aic != res.aic if reml else np.isfinite(res.aic)  # no AIC under REML


def test_codebook_does_not_interfere_with_foreign_columns(ucla):
    # Reference data sets use names the survey codebook does not know.
    assert not set(ucla.columns) & set(load_codebook().variables)
