"""Predicted probabilities and average marginal effects, with delta-method standard errors.

Both work on the data columns, not on model terms, so interactions are handled:
the effect of ``visits`` in ``visits * solved`` includes its interaction.  The
average marginal effect (AME) of a 0/1 variable is the average discrete change
from 0 to 1 (Stata's ``margins, dydx(i.x)``); of any other variable the average
derivative (``margins, dydx(x)``).  Ordered logit/probit give one AME per outcome
category (on its probability); OLS one, on the expected outcome (category
``"E(y)"``).  With sampling weights (OLS) averages are weighted, as Stata's.

Standard errors
    By the delta method, as Stata's ``margins``: the Jacobian of the averaged
    quantity with respect to every model parameter (coefficients and, for ordered
    models, statsmodels' threshold parameters) by central differences, combined
    with the covariance the fit used for inference (``SurveyFit.vcov``: classical,
    robust or clustered).  Intervals use the fit's distribution (t with
    ``df_inference`` degrees of freedom for OLS with small-sample corrections,
    else normal).  Derivatives in the data are analytic in the linear index
    (``dη/dx`` is exact for linear terms and interactions); only the Jacobian in the
    parameters is numerical.

Checked (``tests/test_survey_margins.py``) against Stata 11 ``margins, dydx(*)``
after ``logit grade gpa tuce psi`` on the Spector–Mazzeo data (shipped with
statsmodels, ``statsmodels/discrete/tests/results/results_discrete.py``): a binary
ordered logit is that logit, so its AMEs on P(grade = 1) and their SEs are Stata's;
with ``psi`` as a derivative and as a discrete change (``i.psi``).  Five-category
models and the OLS interaction are checked against computations done independently
in the test (statsmodels' own predictions differentiated numerically; the closed
form ``b_x + b_xz · mean(z)`` with its gradient).

Examples
--------
>>> from workbench.survey.io import load_survey
>>> from workbench.survey import fit
>>> res = fit(load_survey().frame, "sat_overall ~ visits * solved", model="ologit")
>>> grid = predicted_probabilities(res, "visits", [0, 4], at={"solved": 1})
>>> list(grid.columns)
['visits', 'solved', 'category', 'probability', 'std_error', 'conf_low', 'conf_high']
>>> float(grid.groupby("visits")["probability"].sum().round(6).iloc[0])
1.0
>>> ame = average_marginal_effects(res, ["solved"]).set_index("category")
>>> round(float(ame.loc["5", "ame"]), 3), round(float(ame.loc["5", "std_error"]), 3)
(0.192, 0.01)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from workbench.survey.prepare import formula_columns
from workbench.survey.results import SurveyFit

STEP = 1e-4
"""Relative step of the central differences in a data column (``h = STEP·max(1, mean |x|)``)."""

PARAM_STEP = 1e-6
"""Relative step of the central differences in the parameters (the delta method's Jacobian)."""

MEAN = "E(y)"
"""The ``category`` of OLS margins: the expected outcome."""

MARGIN_COLUMNS = ["std_error", "statistic", "p_value", "conf_low", "conf_high"]


def _is_ordered(res: SurveyFit) -> bool:
    return res.cutpoints is not None


def _check(res: SurveyFit) -> None:
    if res.model == "mixed" or res.result is None:
        raise ValueError(f"{res.model}: margins need an OLS or ordered (ologit, oprobit) fit")


def _categories(res: SurveyFit) -> list[str]:
    if not _is_ordered(res):
        return [MEAN]
    assert res.cutpoints is not None
    labels = list(res.cutpoints.index)
    return [lab.split("|")[0] for lab in labels] + [labels[-1].split("|")[1]]


def _design(res: SurveyFit, frame: pd.DataFrame) -> np.ndarray:
    (mat,) = patsy.build_design_matrices([res.result.model.data.model_spec], frame)
    return np.asarray(mat, dtype=float)


def _weights(res: SurveyFit) -> np.ndarray | None:
    w = getattr(res.result.model, "weights", None)
    return None if w is None or np.ndim(w) == 0 else np.asarray(w, dtype=float)


def _params(res: SurveyFit) -> np.ndarray:
    return np.asarray(res.result.params, dtype=float)


def _vcov(res: SurveyFit) -> np.ndarray:
    if res.vcov is not None:
        return res.vcov.to_numpy()
    return np.asarray(res.result.cov_params())


def _outcome(res: SurveyFit, theta: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """``n × categories``: category probabilities (ordered) or the mean (OLS) at index ``eta``."""
    if not _is_ordered(res):
        return eta[:, None]
    model = res.result.model
    cuts = model.transform_threshold_params(theta)  # (-inf, c1, ..., inf)
    cdf = model.distr.cdf(cuts[None, :] - eta[:, None])
    return np.diff(cdf, axis=1)


def _slope(res: SurveyFit, theta: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """``n × categories``: derivative of :func:`_outcome` in the index ``eta``."""
    if not _is_ordered(res):
        return np.ones((len(eta), 1))
    model = res.result.model
    cuts = model.transform_threshold_params(theta)
    pdf = np.nan_to_num(model.distr.pdf(cuts[None, :] - eta[:, None]))  # 0 at ±inf
    return pdf[:, :-1] - pdf[:, 1:]


def _k(res: SurveyFit) -> int:
    return int(res.result.model.k_vars) if _is_ordered(res) else len(res.result.params)


def _jacobian(func: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Central-difference Jacobian of ``func`` (vector → vector) at ``theta``."""
    cols = []
    for j in range(len(theta)):
        h = PARAM_STEP * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        cols.append((func(up) - func(down)) / (2 * h))
    return np.column_stack(cols)


def _inference(res: SurveyFit, est: np.ndarray, jac: np.ndarray, alpha: float) -> pd.DataFrame:
    se = np.sqrt(np.einsum("ij,jk,ik->i", jac, _vcov(res), jac))
    dist = stats.norm if res.df_inference is None else stats.t(res.df_inference)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    crit = dist.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "std_error": se,
            "statistic": stat,
            "p_value": 2 * dist.sf(np.abs(stat)),
            "conf_low": est - crit * se,
            "conf_high": est + crit * se,
        }
    )


def predicted_probabilities(
    res: SurveyFit,
    variable: str,
    values: Sequence[float],
    at: Mapping[str, float] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Average predicted probability of each category as ``variable`` takes ``values``.

    The other variables keep their observed values (average over the estimation
    sample, Stata's ``margins, at(x=(...))``) unless fixed with ``at``.  For OLS
    the average predicted outcome (category ``"E(y)"``).

    Returns
    -------
    pandas.DataFrame
        ``variable, *at, category, probability, std_error, conf_low, conf_high`` in
        the order of ``values`` and categories; delta-method SEs and ``1 − alpha``
        intervals.  ``attrs["outcome"]`` names the outcome.
    """
    _check(res)
    base = res.result.model.data.frame
    at = dict(at or {})
    theta, k, w = _params(res), _k(res), _weights(res)
    cats = _categories(res)
    rows = []
    for value in values:
        x = _design(res, base.assign(**{variable: value, **at}))

        def mean_outcome(t: np.ndarray, x: np.ndarray = x) -> np.ndarray:
            return np.average(_outcome(res, t, x @ t[:k]), axis=0, weights=w)

        est = mean_outcome(theta)
        inf = _inference(res, est, _jacobian(mean_outcome, theta), alpha)
        for i, cat in enumerate(cats):
            rows.append(
                {
                    variable: value,
                    **at,
                    "category": cat,
                    "probability": float(est[i]),
                    "std_error": float(inf["std_error"].iloc[i]),
                    "conf_low": float(inf["conf_low"].iloc[i]),
                    "conf_high": float(inf["conf_high"].iloc[i]),
                }
            )
    grid = pd.DataFrame(rows)
    grid.attrs["outcome"] = _outcome_name(res)
    return grid


def _outcome_name(res: SurveyFit) -> str:
    return res.formula.split("~")[0].strip()


def _is_binary(series: pd.Series) -> bool:
    return set(pd.unique(series.dropna())) <= {0, 1}


def average_marginal_effects(
    res: SurveyFit,
    variables: Sequence[str] | None = None,
    *,
    discrete: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """AME of each variable on each category's probability (ordered) or the mean (OLS).

    Parameters
    ----------
    res : SurveyFit
        An ordered logit/probit or OLS fit.
    variables : sequence of str, optional
        Data columns (default: every right-hand-side column of the formula).
    discrete : sequence of str, optional
        Columns whose AME is the discrete change from 0 to 1 (Stata's ``i.x``);
        default every 0/1 column, ``[]`` makes every AME a derivative.
    alpha : float, default 0.05
        ``1 − alpha`` confidence intervals.

    Returns
    -------
    pandas.DataFrame
        ``variable, kind ("discrete" or "derivative"), category, ame, std_error,
        statistic, p_value, conf_low, conf_high``; for ordered models the AMEs of a
        variable sum to zero over categories.

    Examples
    --------
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> res = fit(load_survey().frame, "trust ~ visits * solved", "ols", cluster="village")
    >>> ame = average_marginal_effects(res, ["visits"])
    >>> ame[["variable", "kind", "category"]].iloc[0].tolist()
    ['visits', 'derivative', 'E(y)']
    >>> mean_solved = res.result.model.data.frame["solved"].mean()
    >>> b = res.params
    >>> bool(np.isclose(ame["ame"].iloc[0], b["visits"] + b["visits:solved"] * mean_solved))
    True
    """
    _check(res)
    base = res.result.model.data.frame
    outcome = _outcome_name(res)
    # The model's frame also holds the cluster and weight columns: not predictors.
    predictors = [c for c in formula_columns(res.formula, base.columns) if c != outcome]
    variables = list(variables or predictors)
    theta, k, w = _params(res), _k(res), _weights(res)
    cats = _categories(res)
    frames = []
    for var in variables:
        is_discrete = _is_binary(base[var]) if discrete is None else var in set(discrete)
        if is_discrete:
            kind = "discrete"
            x1 = _design(res, base.assign(**{var: 1}))
            x0 = _design(res, base.assign(**{var: 0}))

            def ame(t: np.ndarray, x1: np.ndarray = x1, x0: np.ndarray = x0) -> np.ndarray:
                diff = _outcome(res, t, x1 @ t[:k]) - _outcome(res, t, x0 @ t[:k])
                return np.average(diff, axis=0, weights=w)

        else:
            kind = "derivative"
            h = STEP * max(1.0, float(base[var].abs().mean()))
            x = _design(res, base)
            # d(design)/dx: exact for linear terms and interactions.
            dx = (
                _design(res, base.assign(**{var: base[var] + h}))
                - _design(res, base.assign(**{var: base[var] - h}))
            ) / (2 * h)

            def ame(t: np.ndarray, x: np.ndarray = x, dx: np.ndarray = dx) -> np.ndarray:
                deta = dx @ t[:k]
                return np.average(_slope(res, t, x @ t[:k]) * deta[:, None], axis=0, weights=w)

        est = ame(theta)
        table = _inference(res, est, _jacobian(ame, theta), alpha)
        table.insert(0, "ame", est)
        table.insert(0, "category", cats)
        table.insert(0, "kind", kind)
        table.insert(0, "variable", var)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
