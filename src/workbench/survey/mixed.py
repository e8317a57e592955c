"""Linear mixed models with random intercepts and slopes (REML or ML).

The optimisers are tried in turn (BFGS, conjugate gradient, L-BFGS, Powell) until one
converges, because statsmodels' default can stop early on random-slope models
(it does on lme4's ``dietox`` example); the warnings of failed attempts are kept
in the fit's ``notes`` instead of being printed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from workbench.survey.results import wald_inference
from workbench.survey.validate import SurveyValidationError

METHODS = ("bfgs", "cg", "lbfgs", "powell")


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
        notes += [f"{method}: {w.category.__name__}: {w.message}" for w in caught]
        res = attempt if res is None or attempt.converged or not res.converged else res
        if attempt.converged:
            notes.append(f"converged with {method}")
            break
    else:
        if res is None:
            raise SurveyValidationError(
                f"the mixed model {formula!r} with groups {groups!r} could not be fitted by any "
                f"optimiser ({'; '.join(notes)}); check that the groups vary and the "
                "predictors are not collinear"
            )
        notes.append(f"no optimiser converged ({', '.join(METHODS)}); estimates may be unreliable")
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
