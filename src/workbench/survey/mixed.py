"""Linear mixed models with random intercepts and slopes (REML or ML).

The optimisers are tried in turn (BFGS, conjugate gradient, L-BFGS, Powell) until one
converges, because statsmodels' default can stop early on random-slope models
(it does on lme4's ``dietox`` example); the warnings of failed attempts are kept
in the fit's ``notes`` instead of being printed.

A fit is used only when its optimiser converged *and* its log-likelihood and the
standard errors of its fixed effects are finite: statsmodels' L-BFGS can report
convergence at a point where the likelihood is infinite (two groups whose variance
is zero: an intercept of 5e-16 with a standard error of 3e8), and such a result is
not an estimate.  When no optimiser gives a usable fit the model is refused
(:class:`~workbench.survey.validate.SurveyValidationError`) with what to try, rather
than returned with a note.

A variance of the random effects that is numerically zero — every eigenvalue of
their covariance below ``ZERO_VARIANCE`` times the residual variance, lme4's
``isSingular`` tolerance of 1e-4 on the relative standard deviation — is a boundary
("singular") fit; it is kept, and said in ``notes``: the groups do not differ beyond
what their respondents' covariates explain.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from workbench.survey.results import check_collinear, wald_inference
from workbench.survey.validate import SurveyValidationError

METHODS = ("bfgs", "cg", "lbfgs", "powell")
ZERO_VARIANCE = 1e-8
"""Random-effect variances below this share of the residual variance count as zero
(lme4's ``isSingular(tol = 1e-4)`` on the relative standard deviation, squared)."""


#: Fewer groups than this make a between-group variance a guess: fit and rank say so.
FEW_GROUPS = 5


def zero_variance(cov_re: np.ndarray | pd.DataFrame, scale: float) -> bool:
    """Whether the random effects' covariance is numerically zero (a singular fit).

    Examples
    --------
    >>> zero_variance(np.array([[4.5e-8]]), 365.0), zero_variance(np.array([[0.5]]), 365.0)
    (True, False)
    """
    cov = np.asarray(cov_re, dtype=float)
    vals = np.linalg.eigvalsh((cov + cov.T) / 2) if cov.size else np.zeros(0)
    return bool(np.all(vals <= ZERO_VARIANCE * scale))


def _unusable(res) -> str | None:
    """Why a converged MixedLM result is not an estimate, or None when it is one."""
    if not np.isfinite(res.llf):
        return "log-likelihood not finite"
    bse = np.asarray(res.bse_fe, dtype=float)
    if not (np.isfinite(np.asarray(res.fe_params, dtype=float)).all() and np.isfinite(bse).all()):
        return "fixed effects or their standard errors not finite"
    return None


def fit_mixed(
    frame: pd.DataFrame,
    formula: str,
    *,
    groups: str,
    re_formula: str | None,
    reml: bool,
    alpha: float,
) -> dict:
    """Fit ``MixedLM`` on complete rows; return the pieces of a :class:`SurveyFit`."""
    model = smf.mixedlm(formula, frame, groups=frame[groups], re_formula=re_formula)
    check_collinear(model.exog, model.exog_names, formula)
    notes: list[str] = []
    res = None
    for method in METHODS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                attempt = model.fit(reml=reml, method=method)
            except (np.linalg.LinAlgError, ValueError) as err:
                # An optimiser can step onto a singular matrix near a zero variance.
                notes.append(f"{method}: failed: {type(err).__name__}: {err}")
                continue
        # One note per optimiser, its warnings in brackets: readable under a table.
        said = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
        warned = f" ({'; '.join(said)})" if said else ""
        if not attempt.converged:
            notes.append(f"{method}: did not converge{warned}")
            continue
        why = _unusable(attempt)
        if why is not None:
            notes.append(f"{method}: reported convergence but {why}, not used{warned}")
            continue
        res = attempt
        notes.append(f"converged with {method}{warned}")
        break
    if res is None:
        n_groups = int(frame[groups].nunique())
        raise SurveyValidationError(
            f"the mixed model {formula!r} with groups {groups!r} ({n_groups} groups) gave no "
            f"usable fit with any optimiser ({', '.join(METHODS)}): {'; '.join(notes)}. "
            "Try fewer random effects (drop --re-formula / re_formula), more groups (the "
            "variance between groups needs several of them), predictors that are not "
            "collinear, or OLS with cluster-robust standard errors (--model ols --cluster "
            f"{groups})"
        )
    if zero_variance(res.cov_re, res.scale):
        notes.append(
            f"the variance between {groups!r} groups is estimated at (numerically) zero, a "
            "singular fit: the groups do not differ beyond what the predictors explain, the "
            "fixed effects are close to OLS, and no two groups can be told apart"
        )
    k = model.k_fe
    params = res.fe_params
    names = list(params.index)
    cov = pd.DataFrame(res.cov_params().to_numpy()[:k, :k], index=names, columns=names)
    # statsmodels calls the random intercept "Group"; R and Stata call it the intercept.
    names_re = ["Intercept" if n == "Group" else str(n) for n in res.cov_re.index]
    cov_re = pd.DataFrame(res.cov_re.to_numpy(), index=names_re, columns=names_re)
    return {
        "params": params,
        "inference": wald_inference(params, cov, None, alpha),
        "llf": res.llf,
        # statsmodels gives NaN under REML: REML likelihoods of different fixed
        # effects are not comparable, so no AIC/BIC is reported then.
        "aic": res.aic,
        "bic": res.bic,
        "r2": None,
        "cov_type": "REML" if reml else "ML",
        "df_inference": None,
        "n_groups": {groups: int(frame[groups].nunique())},
        "nobs": int(res.nobs),
        "cov_re": cov_re,
        "re_formula": re_formula,
        "scale": float(res.scale),
        "notes": notes,
        "result": res,
    }
