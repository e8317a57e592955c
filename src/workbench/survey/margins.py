"""Predicted probabilities and average marginal effects of ordered models.

Both work on the data columns, not on model terms, so interactions are handled:
the effect of ``visits`` in ``visits * solved`` includes its interaction.  The
average marginal effect (AME) of a 0/1 variable is the average discrete change
from 0 to 1 (Stata's ``margins, dydx(i.x)``); of any other variable the average
derivative, by central differences (``margins, dydx(x)``).

Examples
--------
>>> from workbench.survey.io import load_survey
>>> from workbench.survey import fit
>>> res = fit(load_survey().frame, "sat_overall ~ visits * solved", model="ologit")
>>> grid = predicted_probabilities(res, "visits", [0, 4], at={"solved": 1})
>>> list(grid.columns)
['visits', 'solved', 'category', 'probability']
>>> float(grid.groupby("visits")["probability"].sum().round(6).iloc[0])
1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.survey.results import SurveyFit

STEP = 1e-4


def _categories(res: SurveyFit) -> list[str]:
    assert res.cutpoints is not None
    labels = list(res.cutpoints.index)
    return [lab.split("|")[0] for lab in labels] + [labels[-1].split("|")[1]]


def _predict(res: SurveyFit, frame: pd.DataFrame) -> np.ndarray:
    if res.cutpoints is None:
        raise ValueError(
            f"{res.model}: predicted probabilities need an ordered model (ologit, oprobit)"
        )
    return np.asarray(res.result.predict(frame))


def predicted_probabilities(
    res: SurveyFit, variable: str, values: Sequence[float], at: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Average predicted probability of each category as ``variable`` takes ``values``.

    The other variables keep their observed values (average over the estimation
    sample, Stata's ``margins, at(x=(...))``) unless fixed with ``at``.

    Returns
    -------
    pandas.DataFrame
        ``variable, *at, category, probability`` in the order of ``values`` and categories.
    """
    base = res.result.model.data.frame.copy()
    at = dict(at or {})
    rows = []
    cats = _categories(res)
    for value in values:
        frame = base.assign(**{variable: value, **at})
        probs = _predict(res, frame).mean(axis=0)
        for cat, p in zip(cats, probs, strict=True):
            rows.append({variable: value, **at, "category": cat, "probability": float(p)})
    return pd.DataFrame(rows)


def _is_binary(series: pd.Series) -> bool:
    return set(pd.unique(series.dropna())) <= {0, 1}


def average_marginal_effects(
    res: SurveyFit, variables: Sequence[str] | None = None
) -> pd.DataFrame:
    """AME of each variable on the probability of each outcome category.

    Parameters
    ----------
    res : SurveyFit
        An ordered logit or probit fit.
    variables : sequence of str, optional
        Data columns (default: every right-hand-side column of the formula).

    Returns
    -------
    pandas.DataFrame
        ``variable, kind ("discrete" or "derivative"), category, ame``; the AMEs of a
        variable sum to zero over categories.
    """
    base = res.result.model.data.frame
    outcome = res.formula.split("~")[0].strip()
    variables = list(variables or [c for c in base.columns if c != outcome])
    rows = []
    cats = _categories(res)
    for var in variables:
        if _is_binary(base[var]):
            kind = "discrete"
            diff = _predict(res, base.assign(**{var: 1})) - _predict(res, base.assign(**{var: 0}))
        else:
            kind = "derivative"
            h = STEP * max(1.0, float(base[var].abs().mean()))
            up = _predict(res, base.assign(**{var: base[var] + h}))
            down = _predict(res, base.assign(**{var: base[var] - h}))
            diff = (up - down) / (2 * h)
        for cat, ame in zip(cats, diff.mean(axis=0), strict=True):
            rows.append({"variable": var, "kind": kind, "category": cat, "ame": float(ame)})
    return pd.DataFrame(rows)
