"""OLS with classical, HC1, HC3 and one- or two-way cluster-robust standard errors.

Stata's small-sample conventions are the default (``small=True``):

* classical, HC1, HC3: t distribution with N − K degrees of freedom (``regress``);
* one-way cluster: the factor G/(G−1)·(N−1)/(N−K) and t(G−1)
  (``regress, vce(cluster g)``);
* two-way cluster (Cameron, Gelbach and Miller 2011): V₁ + V₂ − V₁₂ times
  G/(G−1)·(N−1)/(N−K) with G the smaller number of clusters, and t(G−1)
  (``ivreg2, cluster(g1 g2) small``).

``small=False`` drops the factors and uses the normal distribution.  Sampling
weights are Stata's ``pweight``: weighted least squares with robust (HC1 unless
clustered) standard errors, since classical ones are wrong under sampling weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.sandwich_covariance import cov_cluster, cov_cluster_2groups

from workbench.survey.ordered import check_weights
from workbench.survey.results import check_collinear, wald_inference
from workbench.survey.validate import SurveyValidationError

COV_TYPES = ("classical", "HC1", "HC3")


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.factorize(frame[column], sort=True)[0]


def fit_ols(
    frame: pd.DataFrame,
    formula: str,
    *,
    cov_type: str | None,
    cluster: Sequence[str],
    weights: str | None,
    small: bool,
    alpha: float,
) -> dict:
    """Fit OLS/WLS on complete rows and return the pieces of a :class:`SurveyFit`."""
    if weights is not None and cov_type == "classical":
        raise ValueError(
            "classical standard errors are not valid with sampling weights; "
            "use cov_type='HC1' (the default with weights) or a cluster"
        )
    if cluster and cov_type not in (None, "cluster"):
        raise ValueError(f"give either cluster= or cov_type={cov_type!r}, not both")
    if len(cluster) > 2:
        raise ValueError(f"at most two cluster columns are supported, not {list(cluster)}")
    if cov_type is None:
        cov_type = "cluster" if cluster else ("HC1" if weights else "classical")
    if cov_type not in (*COV_TYPES, "cluster"):
        raise ValueError(f"cov_type must be one of {COV_TYPES} or 'cluster', not {cov_type!r}")
    if weights is None:
        model = smf.ols(formula, frame)
    else:
        # Negative or infinite weights make WLS take the square root of a negative
        # number and fail deep in LAPACK ("SVD did not converge"): refuse them by row.
        model = smf.wls(formula, frame, weights=check_weights(frame, weights))
    # A rank-deficient design would be fitted by a pseudo-inverse: a warning and an
    # arbitrary split of the collinear terms' joint effect.
    check_collinear(model.exog, model.exog_names, formula)
    n_rows, n_terms = model.exog.shape
    if n_rows <= n_terms:
        # No residual degrees of freedom: the fit passes through every point, its variance
        # is 0/0 (a RuntimeWarning) and every standard error empty.
        raise SurveyValidationError(
            f"formula {formula!r}: {n_rows} complete row(s) for {n_terms} coefficient(s), so "
            "nothing is left to estimate the standard errors from; an OLS model needs more "
            "respondents than coefficients (many more, to be trusted): use more rows, or fewer "
            "predictors"
        )
    res = model.fit()
    n, k = res.nobs, res.df_model + res.k_constant
    names = list(res.params.index)
    n_groups: dict[str, int] = {}
    df: float | None = res.df_resid if small else None
    if cov_type == "classical":
        cov = res.cov_params().to_numpy()
    elif cov_type in ("HC1", "HC3"):
        cov = np.asarray(getattr(res, f"cov_{cov_type}" if cov_type == "HC3" else "cov_HC0"))
        if cov_type == "HC1" and small:
            cov = cov * n / (n - k)
    elif len(cluster) == 1:
        g = _codes(frame, cluster[0])
        n_groups[cluster[0]] = int(g.max() + 1)
        cov = cov_cluster(res, g, use_correction=small)
        df = n_groups[cluster[0]] - 1 if small else None
    else:
        g1, g2 = (_codes(frame, c) for c in cluster)
        n_groups = {cluster[0]: int(g1.max() + 1), cluster[1]: int(g2.max() + 1)}
        cov = cov_cluster_2groups(res, g1, group2=g2, use_correction=False)[0]
        gmin = min(n_groups.values())
        if small:
            cov = cov * gmin / (gmin - 1) * (n - 1) / (n - k)
            df = gmin - 1
        else:
            df = None
    cov_df = pd.DataFrame(cov, index=names, columns=names)
    label = f"cluster({','.join(cluster)})" if cov_type == "cluster" else cov_type
    return {
        "params": res.params,
        "inference": wald_inference(res.params, cov_df, df, alpha),
        "llf": res.llf,
        "aic": res.aic,
        "bic": res.bic,
        "r2": res.rsquared,
        "cov_type": label,
        "df_inference": df,
        "n_groups": n_groups,
        "nobs": int(n),
        "vcov": cov_df,
        "result": res,
    }
