"""Ordered logit and probit with cutpoints on the latent scale.

statsmodels' ``OrderedModel`` estimates the first cutpoint and the logarithms of
the increments between cutpoints (so they stay ordered); :func:`cutpoints` turns
them into the cutpoints themselves, as R's ``MASS::polr`` and Stata's ``ologit``
print them, with delta-method standard errors.  The fit runs BFGS and then
Newton's method until the score is zero, so the estimates are the maximum
itself rather than an optimiser's stopping point; a fit where Newton's method does
not converge has no maximum to report and is refused, as are collinear terms and
predictors that sort the answers exactly (perfect separation), by name.

Sampling weights (Stata's ``ologit ... [pw=w]``)
    With ``weights`` the estimates maximise the weighted pseudo-log-likelihood
    ``Σ w_i log L_i`` and the standard errors are the sandwich
    ``H⁻¹ (Σ_g u_g u_g') H⁻¹ · G/(G−1)``, where ``H`` is the Hessian of the weighted
    pseudo-log-likelihood and ``u_g`` the sum of the weighted scores ``w_i s_i`` over
    a cluster ``g`` — each respondent its own cluster (``G = n``, Stata's
    ``vce(robust)``) unless ``cluster`` is given.  Weights are inverse selection
    probabilities; only their relative size matters for the estimates.  The
    reported log-likelihood is the weighted pseudo-log-likelihood and McFadden's
    R² uses the weighted null model; AIC and BIC are not defined (NaN).
    Checked in ``tests/test_survey_weights.py``: integer weights give the point
    estimates of the data with each row repeated that many times, and the sandwich
    equals the cluster-robust covariance of those repeated rows clustered by
    respondent; weights of one give the unweighted estimates.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import patsy
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.sandwich_covariance import cov_cluster

from workbench.survey.model_names import DISTR
from workbench.survey.results import check_collinear, wald_inference
from workbench.survey.validate import SurveyValidationError, format_rows

CONSTANT = "a constant (which the cutpoints already are)"
"""What an ordered model's design calls the intercept column in a collinearity message."""


MAX_ANSWERS = 20
"""Most different answers an ordered outcome may have: a 0–100 thermometer is OLS's."""

DIVERGED = 20.0
"""A coefficient times its predictor's standard deviation beyond this, when Newton's
method has not converged, is taken as climbing without end (separation): 20 on the
latent scale makes the answer certain."""


def cutpoints(raw: np.ndarray, cov_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cutpoints and their covariance from statsmodels' threshold parameters.

    ``raw = (c1, log(c2 − c1), log(c3 − c2), ...)``; the cutpoints are cumulative
    sums of ``(c1, exp(raw[1:]))`` and the Jacobian maps the covariance.

    Examples
    --------
    >>> cut, cov = cutpoints(np.array([1.0, np.log(2.0)]), np.eye(2) * 0.01)
    >>> cut.tolist(), np.round(np.diag(cov), 4).tolist()
    ([1.0, 3.0], [0.01, 0.05])
    """
    steps = np.concatenate([raw[:1], np.exp(raw[1:])])
    jac = np.tril(np.ones((len(raw), len(raw)))) * steps
    jac[:, 0] = 1.0
    return np.cumsum(steps), jac @ cov_raw @ jac.T


class WeightedOrderedModel(OrderedModel):
    """``OrderedModel`` whose log-likelihood of each row is multiplied by its weight.

    ``weights`` is set after construction (``None``: unweighted).  statsmodels'
    numerical score and Hessian then belong to the weighted pseudo-log-likelihood,
    so :func:`~statsmodels.stats.sandwich_covariance.cov_cluster` gives the
    pseudo-likelihood sandwich.
    """

    weights: np.ndarray | None = None

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        """Weighted log-likelihood of each row, ``w_i log L_i``."""
        ll = super().loglikeobs(params)
        return ll if self.weights is None else self.weights * ll


def check_weights(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The sampling weights as floats; refuse negative, infinite or all-zero ones.

    Raises
    ------
    SurveyValidationError
        Naming the column and rows.

    Examples
    --------
    >>> check_weights(pd.DataFrame({"w": [1, 2.5]}), "w").tolist()
    [1.0, 2.5]
    >>> try:
    ...     check_weights(pd.DataFrame({"w": ["1", "缺失"]}, index=[1, 2]), "w")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:67])
    weights column 'w' holds text, not numbers (['缺失'] in row 2); leave
    """
    w = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    text = frame.index[np.isnan(w) & frame[column].notna().to_numpy()]
    if len(text):
        shown = sorted(map(str, frame.loc[text, column].unique()))[:3]
        raise SurveyValidationError(
            f"weights column {column!r} holds text, not numbers ({shown} in "
            f"{format_rows(text)}); leave a missing weight blank (its row is then left out "
            "and counted), or correct the file"
        )
    bad = frame.index[~np.isfinite(w) | (w < 0)]
    if len(bad):
        # A negative weight is most often a missing-value code (-1, -9): say how to mark it.
        shown = sorted({float(v) for v in w[~np.isfinite(w) | (w < 0)]})[:3]
        codes = ", ".join(f"{v:g}" for v in shown)
        raise SurveyValidationError(
            f"weights column {column!r} has negative or infinite weights in {format_rows(bad)} "
            f"({codes}); a sampling weight is positive: correct the file, or, if {codes} "
            f"means no weight, leave it blank or declare it in a mapping file (missing: "
            f"{{{column}: [{codes}]}}); such rows are left out and counted"
        )
    if not w.sum() > 0:
        raise SurveyValidationError(f"weights column {column!r}: every weight is zero")
    return w


def separating_columns(exog: np.ndarray, names: list[str], endog: np.ndarray) -> list[str]:
    """Predictors that sort the answers exactly (perfect or quasi-perfect separation).

    A column separates when every answer's values are no larger (or every answer's no
    smaller) than those of each higher answer, ties allowed: the likelihood then rises
    without end as its coefficient grows, and no estimate exists (Albert and Anderson's
    condition for logit, applied to all the cutpoints at once).

    Examples
    --------
    >>> x = np.array([[10.0, 1], [30, 0], [50, 1], [10, 0], [30, 1]])
    >>> separating_columns(x, ["xx", "party"], np.array([0, 1, 2, 0, 1]))
    ['xx']
    """
    codes = np.asarray(endog, dtype=int)
    present = np.unique(codes)
    out = []
    for j, name in enumerate(names):
        col = np.asarray(exog[:, j], dtype=float)
        if len(present) < 2 or np.ptp(col) == 0:
            continue  # a constant is the collinearity check's
        lo = np.array([col[codes == c].min() for c in present])
        hi = np.array([col[codes == c].max() for c in present])
        if np.all(hi[:-1] <= lo[1:]) or np.all(lo[:-1] >= hi[1:]):
            out.append(str(name))
    return out


def check_separation(mod: OrderedModel, formula: str) -> None:
    """Refuse predictors that sort the answers exactly, naming them.

    Raises
    ------
    SurveyValidationError
        Naming the predictors and what to do.
    """
    # exog_names goes on with the threshold parameters' names.
    names = list(mod.exog_names)[: mod.exog.shape[1]]
    found = separating_columns(mod.exog, names, mod.endog)
    if found:
        raise SurveyValidationError(
            f"formula {formula!r}: perfect separation: "
            + ", ".join(repr(n) for n in found)
            + " sorts the answers exactly (each higher answer has a value at least as high, or "
            "each at least as low), so its coefficient is infinite and no estimate exists. Drop "
            "it (it is close to a recoding of the outcome), or merge answers or levels so that "
            "they overlap"
        )


def _level(value: object) -> str:
    """``2.0`` → ``"2"``: numeric outcomes read with missing values become floats."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(model: OrderedModel) -> list[str]:
    levels = [_level(v) for v in model.labels]
    return [f"{a}|{b}" for a, b in itertools.pairwise(levels)]


def _fit_mle(model: OrderedModel):
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = model.fit(method="bfgs", disp=False, maxiter=2000)
        res = model.fit(
            start_params=start.params.to_numpy(), method="newton", disp=False, maxiter=100
        )
    notes += [f"{w.category.__name__}: {w.message}" for w in caught]
    return res, notes


def _no_estimate(model: str, formula: str, why: str) -> str:
    """The message for an ordered fit without a maximum (separation by a combination)."""
    return (
        f"{model} {formula!r} has no estimate ({why}), most likely perfect separation: a "
        "combination of predictors sorts the answers exactly, so some coefficient is "
        "infinite. Look for predictors that together nearly recode the outcome and drop one, "
        "or merge sparse answers or levels"
    )


def fit_ordered(
    frame: pd.DataFrame,
    formula: str,
    *,
    model: str,
    cluster: list[str],
    alpha: float,
    weights: str | None = None,
) -> dict:
    """Fit an ordered logit/probit on complete rows; return the pieces of a :class:`SurveyFit`.

    ``weights`` names a column of sampling weights (pseudo-likelihood with
    sandwich standard errors, see the module's notes).
    """
    if len(cluster) > 1:
        # The coarser column (townships over villages) covers both when one nests in the other.
        coarse = min(cluster, key=lambda col: (frame[col].nunique(), col))
        n_coarse = frame[coarse].nunique()
        raise SurveyValidationError(
            f"{model}: ordered models take only one-way clustering, not "
            f"{' and '.join(cluster)}; cluster by one column: the coarser, --cluster {coarse} "
            f"({n_coarse} clusters), covers both when the other nests in it"
            + (" but has fewer than 20 clusters, whose standard errors are too small"
               if n_coarse < 20 else "")
            + "; or fit OLS (--model ols), which takes two-way clusters"
        )  # fmt: skip
    lhs, rhs = formula.split("~", 1)
    w = check_weights(frame, weights) if weights else None
    answers = patsy.dmatrix(f"{lhs.strip()} - 1", frame, NA_action="raise")
    n_answers = len(np.unique(np.asarray(answers)))
    if n_answers > MAX_ANSWERS:
        # A 0–100 thermometer as an ordered outcome: 80 cutpoints, four minutes of BFGS and
        # Newton's method for a ConvergenceWarning; such an outcome is OLS's.
        raise SurveyValidationError(
            f"{model} {formula!r}: the outcome has {n_answers} different values, so the model "
            f"would estimate {n_answers - 1} cutpoints; ordered models are for a few ordered "
            f"answers (at most {MAX_ANSWERS}). Fit it with --model ols (model='ols'), or group "
            "its values into a few ordered answers first"
        )
    # OrderedModel has no intercept: the cutpoints take its place.  The design is
    # built with the intercept, which from_formula then drops, so that categorical
    # predictors get reduced-rank (treatment) coding; "~ 0 + rhs" would give the
    # first factor a dummy for every level, which sum to a constant.
    try:
        mod = WeightedOrderedModel.from_formula(f"{lhs}~ {rhs}", frame, distr=DISTR[model])
    except ValueError as err:
        if "constant" not in str(err):
            raise
        # Terms that add up to a constant (party + I(1 - party)) are named as collinear;
        # otherwise the formula itself removed the intercept.
        design = patsy.dmatrix(rhs, frame, return_type="dataframe")
        check_collinear(design.to_numpy(), list(design.columns), formula, CONSTANT)
        raise SurveyValidationError(
            f"formula {formula!r}: an ordered model has no intercept (its cutpoints take "
            "its place), so a categorical predictor needs one level left out as reference; "
            "remove '0 +' or '- 1' from the formula"
        ) from None
    # Weights are fitted at mean 1: expansion weights (thousands of people each) scale the
    # pseudo-log-likelihood into the millions, where BFGS stops short of its gradient
    # tolerance and warns "failed to converge" with the estimates already found. Estimates,
    # the sandwich and R² do not depend on the scale; the log-likelihood is scaled back.
    scale = float(w.mean()) if w is not None else 1.0
    mod.weights = w / scale if w is not None else None
    ones = np.ones((len(mod.exog), 1))
    names = ["Intercept", *list(mod.exog_names)[: mod.exog.shape[1]]]
    check_collinear(np.hstack([ones, mod.exog]), names, formula, CONSTANT)
    check_separation(mod, formula)
    try:
        res, notes = _fit_mle(mod)
    except np.linalg.LinAlgError as err:
        # Collinear terms were refused above, so a singular Hessian is what an
        # infinite estimate leaves: separation by a combination of predictors.
        why = f"{err}: the Hessian of the log-likelihood is singular"
        raise SurveyValidationError(_no_estimate(model, formula, why)) from None
    converged = bool(res.mle_retvals.get("converged", False))
    # Newton's method climbing without end (coefficients of 500, SEs of 5e4) is the same
    # separation, reached without a singular matrix: not an estimate.  It may also say
    # "converged" there (four respondents sorted by two predictors: the log-likelihood is
    # 0 to rounding, its gradient too, coefficients of 159 and no standard errors), so the
    # size of the effects is looked at whether or not it converged.
    spread = np.asarray(mod.exog, dtype=float).std(axis=0)
    effect = np.abs(res.params.to_numpy()[: mod.k_vars]) * spread
    variances = np.diag(np.asarray(res.cov_params(), dtype=float))
    if len(effect) and effect.max() > DIVERGED:
        top = str(res.params.index[int(effect.argmax())])
        why = (
            f"Newton's method {'stopped' if converged else 'did not converge'}; the "
            f"coefficient of {top!r} reached {res.params[top]:.3g}, {effect.max():.0f} on the "
            "latent scale per standard deviation"
        )
        raise SurveyValidationError(_no_estimate(model, formula, why))
    if not np.all(np.isfinite(variances) & (variances > 0)):
        # A likelihood flat or curving upward somewhere at the "maximum": no standard error.
        why = "the Hessian of the log-likelihood is not negative definite there, so there are "
        why += "no standard errors"
        raise SurveyValidationError(_no_estimate(model, formula, why))
    if not converged:
        # Its step tolerance can also fail at the maximum itself (numerical noise,
        # score 1e-10, coefficients of 0.4), which is kept with a note.
        score = float(np.abs(res.model.score(res.params.to_numpy())).max())
        notes.append(
            "Newton's method stopped without meeting its step tolerance; the score there is "
            f"{score:.1g} (zero at the maximum)"
        )
    k = mod.k_vars
    n_groups: dict[str, int] = {}
    cov_all = res.cov_params().to_numpy()
    cov_type = "classical"
    if cluster:
        g = pd.factorize(frame[cluster[0]], sort=True)[0]
        n_groups[cluster[0]] = int(g.max() + 1)
        cov_type = f"cluster({cluster[0]})"
    elif w is not None:
        g = np.arange(len(frame))  # each respondent its own cluster: vce(robust)
        cov_type = "robust"
    if cluster or w is not None:
        n_g = int(g.max() + 1)
        # Stata's ologit, vce(cluster) / [pw=], vce(robust): G/(G-1) only, normal inference.
        cov_all = cov_cluster(res, g, use_correction=False) * n_g / (n_g - 1)
    names = list(res.params.index[:k])
    params = res.params.iloc[:k]
    cov = pd.DataFrame(cov_all[:k, :k], index=names, columns=names)
    cut, cut_cov = cutpoints(res.params.to_numpy()[k:], cov_all[k:, k:])
    labels = _labels(mod)
    llnull = _llnull(mod.endog, mod.weights)
    return {
        "params": params,
        "inference": wald_inference(params, cov, None, alpha),
        "llf": res.llf * scale,  # with the weights as given, as Stata's ologit [pw=] reports it
        "aic": res.aic if w is None else float("nan"),
        "bic": res.bic if w is None else float("nan"),
        "r2": 1 - res.llf / llnull,
        "cov_type": cov_type,
        "df_inference": None,
        "n_groups": n_groups,
        "nobs": int(res.nobs),
        "cutpoints": pd.Series(cut, index=labels),
        "cutpoint_bse": pd.Series(np.sqrt(np.diag(cut_cov)), index=labels),
        "notes": notes,
        "vcov": pd.DataFrame(cov_all, index=res.params.index, columns=res.params.index),
        "result": res,
    }


def _llnull(endog: np.ndarray, weights: np.ndarray | None = None) -> float:
    """(Weighted) log-likelihood of the thresholds-only model: the sample shares."""
    counts = np.bincount(np.asarray(endog, dtype=int), weights=weights)
    counts = counts[counts > 0]
    return float(np.sum(counts * np.log(counts / counts.sum())))
