"""Compare estimates with the true parameters of the simulation (``dgp.yaml``).

Used by the recovery test, the coverage benchmark and notebook 04.  With ``k``
parameters checked at once, ``bonferroni=True`` widens each interval to level
``1 − alpha / k`` so that *all* of them cover their true values with probability
at least ``1 − alpha`` (per-parameter 95% intervals would miss one of 17
parameters more often than not).

Examples
--------
>>> from workbench.survey.io import load_survey
>>> from workbench.survey.simulate import load_dgp
>>> res = fit_truth(load_survey().frame, "trust")
>>> t = truth_table(res, load_dgp()["trust"])
>>> list(t.columns)
['term', 'kind', 'truth', 'estimate', 'conf_low', 'conf_high', 'covered']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.survey.models import fit
from workbench.survey.results import SurveyFit
from workbench.survey.simulate import load_dgp


def fit_truth(data: pd.DataFrame, equation: str, dgp: Mapping[str, Any] | None = None) -> SurveyFit:
    """Fit the model that generated ``equation``: ``"satisfaction"`` ologit, ``"trust"`` mixed."""
    spec = (dgp or load_dgp())[equation]
    if equation == "satisfaction":
        return fit(data, spec["formula"], "ologit")
    return fit(data, spec["formula"], "mixed", groups=spec["groups"], re_formula=spec["re_formula"])


def _truths(res: SurveyFit, spec: Mapping[str, Any]) -> pd.DataFrame:
    coefs = spec.get("coefficients", spec.get("fixed", {}))
    rows = [{"term": t, "kind": "coef", "truth": float(v)} for t, v in coefs.items()]
    if res.cutpoints is not None:
        rows += [
            {"term": lab, "kind": "cutpoint", "truth": float(v)}
            for lab, v in zip(res.cutpoints.index, spec["cutpoints"], strict=True)
        ]
    return pd.DataFrame(rows)


def truth_table(
    res: SurveyFit, spec: Mapping[str, Any], alpha: float = 0.05, bonferroni: bool = False
) -> pd.DataFrame:
    """True value, estimate, Wald interval and whether it covers the truth, per parameter.

    Coefficients and cutpoints are checked; for mixed models the variance
    components are listed with their estimates (``covered`` is missing: Wald
    intervals for variances are not trustworthy, see statsmodels' ``bse_re``).
    """
    table = _truths(res, spec)
    tidy = res.tidy().set_index("term")
    k = len(table)
    level_alpha = alpha / k if bonferroni else alpha
    crit = stats.norm.ppf(1 - level_alpha / 2)
    est = tidy.loc[table["term"], "estimate"].to_numpy()
    se = tidy.loc[table["term"], "std_error"].to_numpy()
    table["estimate"] = est
    table["conf_low"] = est - crit * se
    table["conf_high"] = est + crit * se
    table["covered"] = (table["conf_low"] <= table["truth"]) & (
        table["truth"] <= table["conf_high"]
    )
    if res.cov_re is not None:
        table = pd.concat([table, _variance_rows(res, spec)], ignore_index=True)
    return table


def _variance_rows(res: SurveyFit, spec: Mapping[str, Any]) -> pd.DataFrame:
    assert res.cov_re is not None
    true = np.asarray(spec["cov_re"], dtype=float)
    names = list(res.cov_re.index)
    rows = []
    for i, a in enumerate(names):
        for j in range(i + 1):
            term = f"var({a})" if i == j else f"cov({names[j]},{a})"
            rows.append({"term": term, "truth": true[i, j], "estimate": res.cov_re.iloc[i, j]})
    rows.append({"term": "residual variance", "truth": float(spec["scale"]), "estimate": res.scale})
    out = pd.DataFrame(rows).assign(kind="variance", conf_low=np.nan, conf_high=np.nan)
    out["covered"] = pd.array([pd.NA] * len(out), dtype="boolean")
    return out
