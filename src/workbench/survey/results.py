"""The common result of every survey model: :class:`SurveyFit`.

Estimates, standard errors, p-values and confidence intervals are kept as pandas
objects indexed by term; :meth:`SurveyFit.tidy` gives the long table and
:meth:`SurveyFit.to_dict` the JSON object of ``workbench survey fit --json``.

Examples
--------
>>> import pandas as pd
>>> params, cov = pd.Series({"x": 2.0}), pd.DataFrame([[0.25]], index=["x"], columns=["x"])
>>> inf = wald_inference(params, cov, df=None)
>>> float(inf["bse"]["x"]), round(float(inf["pvalues"]["x"]), 5)
(0.5, 6e-05)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.survey.validate import SurveyValidationError

TIDY_COLUMNS = [
    "term",
    "kind",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
]


def wald_inference(
    params: pd.Series, cov: pd.DataFrame, df: float | None, alpha: float = 0.05
) -> dict[str, Any]:
    """SEs, Wald statistics, p-values and CIs (``t(df)``, or normal if ``df`` is None)."""
    bse = pd.Series(np.sqrt(np.diag(cov.to_numpy())), index=params.index)
    stat = params / bse
    dist = stats.norm if df is None else stats.t(df)
    pvalues = pd.Series(2 * dist.sf(np.abs(stat)), index=params.index)
    crit = dist.ppf(1 - alpha / 2)
    ci = pd.DataFrame({"lower": params - crit * bse, "upper": params + crit * bse})
    return {"bse": bse, "statistic": stat, "pvalues": pvalues, "conf_int": ci}


def collinear_terms(exog: np.ndarray, names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Design columns that are linear combinations of earlier ones, with those columns.

    Columns are taken in order; each that adds nothing to the rank of the columns kept
    before it is reported with the kept columns it is a combination of (an empty list:
    it is zero in every row).  Columns are scaled to unit length first, so the units of
    a predictor do not matter.

    Examples
    --------
    >>> x = np.array([[1.0, 0, 0], [1, 1, 2], [1, 2, 4], [1, 0, 0]])
    >>> collinear_terms(x, ["Intercept", "party", "I(party * 2)"])
    [('I(party * 2)', ['party'])]
    """
    x = np.asarray(exog, dtype=float)
    if x.shape[1] == 0 or np.linalg.matrix_rank(x) == x.shape[1]:
        return []
    norms = np.linalg.norm(x, axis=0)
    scaled = x / np.where(norms > 0, norms, 1.0)
    kept: list[int] = []
    found: list[tuple[str, list[str]]] = []
    for j in range(x.shape[1]):
        if norms[j] == 0:
            found.append((str(names[j]), []))
            continue
        if np.linalg.matrix_rank(scaled[:, [*kept, j]]) == len(kept) + 1:
            kept.append(j)
            continue
        coef = np.linalg.lstsq(scaled[:, kept], scaled[:, j], rcond=None)[0]
        partners = [str(names[k]) for k, c in zip(kept, coef, strict=True) if abs(c) > 1e-8]
        found.append((str(names[j]), partners))
    return found


def check_collinear(
    exog: np.ndarray, names: Sequence[str], formula: str, constant: str = "the intercept"
) -> None:
    """Refuse a design whose terms are collinear, naming them (before statsmodels splits
    their joint effect arbitrarily, or fails on a singular matrix).

    ``constant`` says what the ``Intercept`` column is to the user (ordered models
    have cutpoints instead).

    Raises
    ------
    SurveyValidationError
        Naming each collinear term and the terms it is a combination of.
    """
    found = collinear_terms(exog, names)
    if not found:
        return

    columns = {str(n): j for j, n in enumerate(names)}

    def shown(term: str, partners: list[str]) -> str:
        if not partners:
            return "zero in every row"
        if partners == ["Intercept"] and term in columns:
            # "a linear combination of the intercept" is a constant: say so, with its value.
            values = np.unique(np.asarray(exog, dtype=float)[:, columns[term]])
            if len(values) == 1:
                return f"{values[0]:g} in every row, the same as {constant}"
        named = [constant if p == "Intercept" else repr(p) for p in partners]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        return "a linear combination of " + listed

    raise SurveyValidationError(
        f"formula {formula!r}: "
        + "; ".join(f"{term!r} is {shown(term, partners)}" for term, partners in found)
        + " in the rows used (collinear terms: the data cannot tell their effects apart); "
        "drop " + ("that term" if len(found) == 1 else "those terms") + " or the ones named "
        "with it from the formula"
    )


def json_number(x: Any) -> float | None:
    """JSON number: ``None`` for NaN/inf/None (JSON has no NaN).

    >>> json_number(2), json_number(float("nan"))
    (2.0, None)
    """
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass
class SurveyFit:
    """A fitted survey model.

    Attributes
    ----------
    model : {"ols", "ologit", "oprobit", "mixed"}
    formula : str
    nobs : int
    params, bse, pvalues, statistic : pandas.Series
        Coefficients (fixed effects for mixed models; no cutpoints) by term.
    conf_int : pandas.DataFrame
        ``lower`` and ``upper`` bounds (95% unless ``alpha`` said otherwise).
    llf, aic, bic : float
        Log-likelihood and information criteria (NaN where undefined, e.g. AIC
        under REML).
    cov_type : str
        How standard errors were computed (e.g. ``"cluster(village)"``).
    df_inference : float or None
        Degrees of freedom of the t distribution used, ``None`` for normal.
    r2 : float or None
        R² (OLS) or McFadden's pseudo-R² (ordered models).
    cutpoints, cutpoint_bse : pandas.Series or None
        Ordered models: cutpoints on the latent scale, labelled ``"1|2"`` ...
    cov_re : pandas.DataFrame or None
        Mixed models: random-effects covariance with row and column names.
    vcov : pandas.DataFrame or None
        Covariance of all of ``result.params`` used for inference (the chosen
        robust or cluster one; ordered models: with statsmodels' threshold
        parameters, first cutpoint and log increments), for delta-method
        margins (:mod:`workbench.survey.margins`); ``None`` for mixed models.
    re_formula : str or None
        Mixed models: the random-effects formula (``None``: a random intercept).
    scale : float or None
        Mixed models: residual variance.
    n_groups : dict
        Number of clusters or groups per column.
    dropped : pandas.DataFrame
        ``column, reason, rows``: what was left out of the fit and why.
    notes : list of str
        Optimiser notes (methods tried, warnings caught, a variance estimated at
        zero); in ``to_dict()`` and printed under ``workbench survey fit``'s table.
    result : object
        The underlying statsmodels results, for anything not covered here.
    """

    model: str
    formula: str
    nobs: int
    params: pd.Series
    bse: pd.Series
    statistic: pd.Series
    pvalues: pd.Series
    conf_int: pd.DataFrame
    llf: float
    aic: float
    bic: float
    cov_type: str
    df_inference: float | None
    r2: float | None = None
    cutpoints: pd.Series | None = None
    cutpoint_bse: pd.Series | None = None
    cov_re: pd.DataFrame | None = None
    re_formula: str | None = None
    vcov: pd.DataFrame | None = field(default=None, repr=False)
    scale: float | None = None
    n_groups: dict[str, int] = field(default_factory=dict)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    result: Any = field(default=None, repr=False)

    def tidy(self) -> pd.DataFrame:
        """One row per term: the columns of :data:`TIDY_COLUMNS`.

        ``kind`` is ``"coef"`` for coefficients and ``"cutpoint"`` for the
        cutpoints of ordered models (which have no test against zero: their
        statistic, p-value and CI are computed all the same, as Stata prints them).
        """
        table = pd.DataFrame(
            {
                "term": self.params.index,
                "kind": "coef",
                "estimate": self.params.to_numpy(),
                "std_error": self.bse.to_numpy(),
                "statistic": self.statistic.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "conf_low": self.conf_int["lower"].to_numpy(),
                "conf_high": self.conf_int["upper"].to_numpy(),
            }
        )
        if self.cutpoints is not None and self.cutpoint_bse is not None:
            cov = pd.DataFrame(
                np.diag(self.cutpoint_bse**2), self.cutpoints.index, self.cutpoints.index
            )
            inf = wald_inference(self.cutpoints, cov, None)
            cut = pd.DataFrame(
                {
                    "term": self.cutpoints.index,
                    "kind": "cutpoint",
                    "estimate": self.cutpoints.to_numpy(),
                    "std_error": self.cutpoint_bse.to_numpy(),
                    "statistic": inf["statistic"].to_numpy(),
                    "p_value": inf["pvalues"].to_numpy(),
                    "conf_low": inf["conf_int"]["lower"].to_numpy(),
                    "conf_high": inf["conf_int"]["upper"].to_numpy(),
                }
            )
            table = pd.concat([table, cut], ignore_index=True)
        return table[TIDY_COLUMNS]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``workbench survey fit --json`` (NaN becomes ``null``)."""
        out: dict[str, Any] = {
            "model": self.model,
            "formula": self.formula,
            "nobs": int(self.nobs),
            "cov_type": self.cov_type,
            "params": {k: json_number(v) for k, v in self.params.items()},
            "bse": {k: json_number(v) for k, v in self.bse.items()},
            "pvalues": {k: json_number(v) for k, v in self.pvalues.items()},
            "conf_int": {
                k: [json_number(r["lower"]), json_number(r["upper"])]
                for k, r in self.conf_int.iterrows()
            },
            "llf": json_number(self.llf),
            "aic": json_number(self.aic),
            "bic": json_number(self.bic),
            "r2": json_number(self.r2),
            "n_groups": dict(self.n_groups),
            "dropped": self.dropped.to_dict("records"),
            # What the optimiser met (a singular fit, a fallback optimiser) belongs
            # with the numbers, not only with the Python object.
            "notes": list(self.notes),
        }
        if self.cutpoints is not None and self.cutpoint_bse is not None:
            out["cutpoints"] = {k: json_number(v) for k, v in self.cutpoints.items()}
            out["cutpoint_bse"] = {k: json_number(v) for k, v in self.cutpoint_bse.items()}
        if self.cov_re is not None:
            out["cov_re"] = {
                "names": [str(n) for n in self.cov_re.index],
                "values": [[json_number(v) for v in row] for row in self.cov_re.to_numpy()],
            }
            out["scale"] = json_number(self.scale)
        return out
