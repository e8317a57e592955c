"""Composition-adjusted group performance and rankings with honest uncertainty.

From a linear mixed model (:func:`workbench.survey.fit` with ``model="mixed"``),
:func:`rank_groups` gives every group (village, township …):

* its **BLUP** — the predicted random effect — with its *conditional* standard
  error, the square root of ``Var(b_j | y)`` at the estimated variance components
  (statsmodels' ``random_effects_cov``, lme4's ``ranef(condVar=TRUE)``), and a
  normal ``1 − alpha`` interval;
* the **adjusted** satisfaction: the prediction for a *standard respondent*
  (the same covariate values in every group), so a village does not rank high
  because its respondents are older or party members;
* its **rank** (1 = highest adjusted value), the distribution of that rank over
  ``n_sim`` seeded draws from the BLUPs' conditional distributions, and a rank
  interval; and the share of pairs of groups whose order is not distinguishable.

The standard respondent
    Every right-hand-side column of the fixed and random parts is set to one value:
    by default the mean over the estimation sample for numeric columns (a 0/1
    column's mean is its share, as Stata's ``margins, atmeans``), the reference
    (first) level for categorical ones (text columns, or columns inside ``C()``);
    ``at={"party": 0}`` overrides any of them.  ``RankResult.standard`` says which
    value was used and why.

With a random slope (``re_formula="~visits"``) a group's effect depends on
``visits``; ``blup`` and ``se`` are then those of ``z0'b_j``, the group's random
part *at the standard respondent* (``z0`` = the random-effects design row there),
and every component is in ``RankResult.components``.  With a random intercept only,
``z0 = 1`` and ``blup`` is the intercept BLUP itself.

What is, and is not, accounted for
    Group differences in adjusted satisfaction are differences of ``z0'b_j`` (the
    fixed part is common to all groups), so ranks and pair comparisons use the
    BLUPs' conditional distributions only, drawn independently across groups — the
    usual approximation (as lme4's caterpillar plots): the uncertainty of the
    estimated fixed effects and variance components is not propagated.  The
    adjusted value's own interval (``adjusted_lo``, ``adjusted_hi``) adds the
    fixed-effect variance ``x0' Cov(beta) x0`` and ignores the covariance between
    the estimated fixed effects and the predicted random effects.

A pair ``(j, k)`` is *not distinguishable* when the ``1 − alpha`` interval of
``z0'(b_j − b_k)`` (variance ``v_j + v_k``) contains zero — the exact version of
asking whether the simulated share of draws with ``j`` above ``k`` lies between
``alpha/2`` and ``1 − alpha/2``; no adjustment for the many pairs is made.

Checked in ``tests/test_survey_rank.py`` against the closed form of a
random-intercept model computed independently (numpy) and against lme4's
``ranef(..., condVar=TRUE)`` values shipped with statsmodels.

Examples
--------
>>> from workbench.survey import fit
>>> from workbench.survey.io import load_survey
>>> res = fit(load_survey().frame, "trust ~ visits + party", "mixed", groups="village")
>>> ranking = rank_groups(res, at={"party": 0}, n_sim=500, seed=1)
>>> list(ranking.groups.columns[:10])
['id', 'n', 'blup', 'se', 'lo', 'hi', 'adjusted', 'rank', 'rank_lo', 'rank_hi']
>>> ranking.standard.loc["party", ["value", "source"]].tolist()
[0, 'given']
>>> top = ranking.groups.iloc[0]
>>> int(top["rank"]), bool(top["rank_lo"] <= 1 <= top["rank_hi"])
(1, True)
>>> 0 < ranking.indistinguishable < 1
True
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from workbench.survey.mixed import FEW_GROUPS, ZERO_VARIANCE, zero_variance
from workbench.survey.prepare import formula_names
from workbench.survey.results import SurveyFit, json_number
from workbench.survey.validate import (
    SurveyValidationError,
    format_names,
    number_text,
    suggest,
)

GROUP_COLUMNS = [
    "id",
    "n",
    "blup",
    "se",
    "lo",
    "hi",
    "adjusted",
    "rank",
    "rank_lo",
    "rank_hi",
    "rank_mean",
    "adjusted_se",
    "adjusted_lo",
    "adjusted_hi",
]
"""Columns of :attr:`RankResult.groups` (the first ten are the CLI's JSON contract)."""


@dataclass
class RankResult:
    """Groups ranked by adjusted satisfaction, with uncertainty.

    Attributes
    ----------
    groups : pandas.DataFrame
        One row per group, best first (rank, then id): :data:`GROUP_COLUMNS`.
        ``blup``/``se``/``lo``/``hi``: the random part at the standard respondent
        with its conditional SE and interval; ``adjusted``: the predicted outcome of
        the standard respondent in the group; ``rank`` (1 = highest ``adjusted``),
        ``rank_lo``/``rank_hi``: the ``alpha/2`` and ``1 − alpha/2`` quantiles of the
        simulated ranks, ``rank_mean`` their mean.
    components : pandas.DataFrame
        ``id, term, blup, se``: every random-effect component of every group.
    standard : pandas.DataFrame
        Index = column; ``value`` and ``source`` (``"mean"``, ``"reference"``,
        ``"given"``): the standard respondent.
    indistinguishable : float
        Share of pairs of groups whose order is not distinguishable at ``alpha``.
    rank_draws : numpy.ndarray
        ``n_sim × groups`` simulated ranks, columns in the order of ``groups``.
    group : str
        The grouping column.
    n_sim, seed, alpha : int, int, float
        The simulation's size and seed and the intervals' level.
    fit : SurveyFit
        The mixed model the ranking comes from.
    notes : list of str
        Warnings about the ranking (a between-group variance estimated at zero).
    """

    groups: pd.DataFrame
    components: pd.DataFrame
    standard: pd.DataFrame
    indistinguishable: float
    rank_draws: np.ndarray = field(repr=False)
    group: str
    n_sim: int
    seed: int
    alpha: float
    fit: SurveyFit = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``workbench survey rank --json`` (NaN becomes ``null``)."""
        groups = [
            {
                k: (_id(v) if k == "id" else int(v) if k.startswith("rank_") and k != "rank_mean"
                    else int(v) if k in ("n", "rank") else json_number(v))
                for k, v in row.items()
            }
            for row in self.groups.to_dict("records")
        ]  # fmt: skip
        return {
            "group": self.group,
            "n_groups": len(self.groups),
            "standard": {
                str(k): {"value": _plain(r["value"]), "source": r["source"]}
                for k, r in self.standard.iterrows()
            },
            "indistinguishable_pairs": json_number(self.indistinguishable),
            "n_sim": self.n_sim,
            "seed": self.seed,
            "alpha": self.alpha,
            "groups": groups,
            "notes": list(self.notes),
            "fit": self.fit.to_dict(),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _whole(ids: list[Any]) -> list[Any]:
    """Group ids as ints when every one is a whole float (codes read from a .dta/.sav file).

    >>> _whole([1.0, 2.0]), _whole([1.5, 2.0]), _whole(["东村", "西村"])
    ([1, 2], [1.5, 2.0], ['东村', '西村'])
    """
    floats = [v for v in ids if isinstance(v, float | np.floating)]
    if floats and len(floats) == len(ids) and all(float(v).is_integer() for v in floats):
        return [int(v) for v in ids]
    return ids


def _id(value: Any) -> Any:
    """Group ids for JSON: integral numbers as int, other numbers as float, else str."""
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _rhs_columns(formula: str | None, frame: pd.DataFrame) -> list[str]:
    if not formula:
        return []
    rhs = formula.split("~", 1)[1] if "~" in formula else formula
    return [n for n in formula_names(f"_y ~ {rhs}") if n in frame.columns and n != "_y"]


def _categorical_columns(designs: Sequence[patsy.DesignInfo], columns: list[str]) -> dict[str, Any]:
    """Columns entering a design through a categorical factor → their reference level."""
    ref: dict[str, Any] = {}
    for design in designs:
        for factor, info in design.factor_infos.items():
            if info.type != "categorical":
                continue
            name = _bare_column(factor.code)
            if name in columns:
                ref.setdefault(name, info.categories[0])
    return ref


def _bare_column(code: str) -> str | None:
    """``"g"`` or ``"C(g, Treatment(2))"`` → ``"g"``; any other expression → None.

    Only then is the factor's reference level a value of the column itself
    (``C(educ > 9)``'s levels are False/True, not years of schooling).
    """
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "C":
        node = node.args[0] if node.args else node
    return node.id if isinstance(node, ast.Name) else None


def standard_respondent(
    frame: pd.DataFrame,
    columns: list[str],
    designs: Sequence[patsy.DesignInfo] = (),
    at: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The standard respondent's value of each column and how it was chosen.

    Numeric columns take their mean over ``frame``, categorical ones (text, or
    ``C(column)`` in the formula) their reference level, ``at`` overrides.

    Raises
    ------
    SurveyValidationError
        When ``at`` names a column the model does not use, or gives text for a
        numeric column.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [0, 1, 1, 2], "g": list("abab")})
    >>> design = patsy.dmatrix("x + C(g)", d).design_info
    >>> standard_respondent(d, ["x", "g"], [design])["value"].tolist()
    [1.0, 'a']
    """
    at = dict(at or {})
    unknown = [k for k in at if k not in columns]
    if unknown:
        raise SurveyValidationError(
            "--at/at= names "
            + ", ".join(f"{k!r} {suggest(k, columns)}" for k in unknown)
            + f", not a predictor of the model; {format_names(columns, 'predictors')}"
        )
    refs = _categorical_columns(designs, columns)
    rows = []
    for col in columns:
        if col in at:
            value, source = at[col], "given"
            if col not in refs and pd.api.types.is_numeric_dtype(frame[col]):
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    raise SurveyValidationError(
                        f"--at/at= gives {col!r} the value {value!r}, but {col!r} is numeric"
                    ) from None
                value = int(value) if value.is_integer() else value
            else:
                value = _level_of(frame[col], col, value)
        elif col in refs or not pd.api.types.is_numeric_dtype(frame[col]):
            value = refs.get(col, sorted(frame[col].dropna().unique())[0])
            source = "reference"
        else:
            value, source = float(frame[col].mean()), "mean"
        rows.append({"column": col, "value": value, "source": source})
    index = pd.Index([r["column"] for r in rows], name="column", dtype=object)
    return pd.DataFrame(
        {
            # object: a numeric column's value stays 0 (not 0.0) beside a level 'a'
            "value": pd.Series([r["value"] for r in rows], index=index, dtype=object),
            "source": pd.Series([r["source"] for r in rows], index=index, dtype=object),
        }
    )


def _level_of(values: pd.Series, col: str, given: Any) -> Any:
    """The level of a categorical predictor that ``--at col=given`` names (``"1"`` is the
    level 1 of a numeric column used as ``C(col)``).

    Raises
    ------
    SurveyValidationError
        When no level is ``given``, naming the levels and the closest one.

    Examples
    --------
    >>> _level_of(pd.Series([0, 1, 1]), "party", "1"), _level_of(pd.Series(["甲", "乙"]), "g", "乙")
    (1, '乙')
    """
    levels = values.dropna().unique().tolist()  # Python values: 1, not np.int64(1)
    for level in levels:
        if level == given or number_text(level) == str(given).strip():
            return level
    names = sorted(map(number_text, levels))
    raise SurveyValidationError(
        f"--at/at= gives {col!r} the value {given!r}, which is not one of its levels "
        f"{suggest(str(given), names)}; its levels are {names[:20]}"
    )


def _design_row(
    design: patsy.DesignInfo, standard: pd.DataFrame, frame: pd.DataFrame
) -> np.ndarray:
    row = frame.iloc[:1].copy()
    for col, value in standard["value"].items():
        if isinstance(row[col].dtype, pd.CategoricalDtype):
            row[col] = pd.Categorical([value], categories=row[col].cat.categories)
        else:
            row[col] = pd.Series([value], index=row.index, dtype=object).infer_objects()
    (mat,) = patsy.build_design_matrices([design], row)
    return np.asarray(mat)[0]


def conditional_effects(mres: Any) -> tuple[np.ndarray, np.ndarray]:
    """BLUPs and their conditional covariances for every group of a ``MixedLMResults``.

    With ``G = F F'`` (``F`` from the eigendecomposition of the random-effects
    covariance, so a singular or zero ``G`` is fine), ``M_j = σ² I + F' Z_j' Z_j F``
    and residuals ``r_j = y_j − X_j β̂``::

        b̂_j = F M_j⁻¹ F' Z_j' r_j,      Var(b_j | y) = σ² F M_j⁻¹ F'

    (the push-through form of ``G Z' V⁻¹ r`` and ``G − G Z' V⁻¹ Z G`` with
    ``V = Z G Z' + σ² I``), which is what statsmodels' ``random_effects`` and
    ``random_effects_cov`` give when ``G`` is invertible; statsmodels refuses a
    singular ``G``, lme4 returns zeros, as this does.  Directions of ``G`` whose
    variance is below ``ZERO_VARIANCE · σ²`` (lme4's singular-fit tolerance) count as
    zero, so a variance estimated at 1e-8 gives BLUPs of exactly zero, not ±1e-9.

    Returns
    -------
    blups : numpy.ndarray
        ``groups × k_re``, groups in the order of ``model.group_labels``.
    covs : numpy.ndarray
        ``groups × k_re × k_re``.

    Examples
    --------
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> res = fit(load_survey().frame, "trust ~ visits", "mixed", groups="village")
    >>> blups, covs = conditional_effects(res.result)
    >>> blups.shape, covs.shape
    ((120, 1), (120, 1, 1))
    >>> g = res.result.model.group_labels[0]
    >>> bool(np.isclose(blups[0, 0], res.result.random_effects[g].iloc[0]))
    True
    """
    model = mres.model
    g_cov = np.asarray(mres.cov_re, dtype=float)
    scale = float(mres.scale)
    vals, vecs = np.linalg.eigh((g_cov + g_cov.T) / 2)
    # A variance that is numerically zero (next to the residual variance; see
    # workbench.survey.mixed.zero_variance) is zero: its BLUPs of ±1e-9 would
    # otherwise order groups the data cannot tell apart.
    keep = vals > max(1e-12 * float(np.abs(vals).max(initial=0.0)), ZERO_VARIANCE * scale, 0.0)
    f = vecs[:, keep] * np.sqrt(vals[keep])
    beta = np.asarray(mres.fe_params, dtype=float)
    k = g_cov.shape[0]
    blups = np.zeros((model.n_groups, k))
    covs = np.zeros((model.n_groups, k, k))
    for i in range(model.n_groups):
        z = model.exog_re_li[i]
        resid = model.endog_li[i] - model.exog_li[i] @ beta
        a = z @ f
        m = scale * np.eye(f.shape[1]) + a.T @ a
        blups[i] = f @ np.linalg.solve(m, a.T @ resid)
        covs[i] = scale * f @ np.linalg.solve(m, f.T)
    return blups, covs


def rank_groups(
    res: SurveyFit,
    *,
    at: Mapping[str, Any] | None = None,
    n_sim: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
) -> RankResult:
    """Rank the groups of a mixed model by the adjusted outcome, with uncertainty.

    Parameters
    ----------
    res : SurveyFit
        A fit of :func:`workbench.survey.fit` with ``model="mixed"``.
    at : mapping, optional
        Values of the standard respondent's columns overriding the defaults (means
        of numeric columns, reference levels of categorical ones).
    n_sim : int, default 2000
        Draws of the random effects for the rank distribution.
    seed : int, default 0
        Seed of the draws (:func:`numpy.random.default_rng`); the same seed gives
        the same ranks.
    alpha : float, default 0.05
        ``1 − alpha`` intervals for BLUPs, adjusted values and ranks, and the level
        at which pairs are called distinguishable.

    Returns
    -------
    RankResult

    Raises
    ------
    ValueError
        When ``res`` is not a converged mixed model or ``n_sim`` < 1.
    SurveyValidationError
        When ``at`` names a column the model does not use or has a bad value.

    Examples
    --------
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> res = fit(load_survey().frame, "trust ~ visits", "mixed", groups="township")
    >>> ranking = rank_groups(res, n_sim=1000, seed=3)
    >>> ranking.groups[["id", "rank", "rank_lo", "rank_hi"]].head(2).to_numpy().tolist()
    [[12, 1, 1, 6], [16, 2, 1, 8]]
    """
    if res.model != "mixed" or res.result is None:
        raise ValueError(f"rank_groups needs a mixed model (model='mixed'), not {res.model!r}")
    if n_sim < 1:
        raise ValueError(f"n_sim must be at least 1, not {n_sim}")
    mres = res.result
    if not (mres.converged and np.isfinite(mres.llf)):
        # fit() refuses such fits; a result made otherwise must not be ranked either.
        raise ValueError(
            "rank_groups needs a converged mixed model with a finite log-likelihood; "
            f"this one is not (notes: {'; '.join(res.notes) or 'none'})"
        )
    model = mres.model
    frame = model.data.frame
    (group,) = res.n_groups
    re_formula = res.re_formula
    fe_design = model.data.model_spec
    re_design = patsy.dmatrix(re_formula, frame).design_info if re_formula else None
    columns = list(
        dict.fromkeys([*_rhs_columns(res.formula, frame), *_rhs_columns(re_formula, frame)])
    )
    designs = [fe_design] if re_design is None else [fe_design, re_design]
    standard = standard_respondent(frame, columns, designs, at)
    x0 = _design_row(fe_design, standard, frame)
    z0 = _design_row(re_design, standard, frame) if re_design is not None else np.ones(1)
    fixed = float(x0 @ res.params.to_numpy())
    fixed_var = float(x0 @ mres.cov_params().to_numpy()[: len(x0), : len(x0)] @ x0)

    labels = list(model.group_labels)
    sizes = pd.Series(frame[group].to_numpy()).value_counts()
    re_names = [
        "Intercept" if n == "Group" or n == group else str(n) for n in model.data.exog_re_names
    ]
    blups, covs = conditional_effects(mres)
    notes = []
    if zero_variance(res.cov_re.to_numpy(), float(mres.scale)):
        notes.append(
            f"the variance between {group} groups is estimated at (numerically) zero: every "
            "BLUP is 0, the groups tie, and no two groups can be told apart"
        )
    if model.n_groups < FEW_GROUPS:
        notes.append(
            f"only {model.n_groups} {group} groups: a ranking of so few, on a variance estimated "
            "from as many values, says little"
        )
    blup = blups @ z0
    var = np.einsum("i,gij,j->g", z0, covs, z0)
    var = np.clip(var, 0.0, None)  # a zero variance component can give -1e-17
    se = np.sqrt(var)
    crit = float(stats.norm.ppf(1 - alpha / 2))
    adjusted = fixed + blup
    adjusted_se = np.sqrt(fixed_var + var)

    rank = stats.rankdata(-adjusted, method="min").astype(int)
    rng = np.random.default_rng(seed)
    draws = blup + se * rng.standard_normal((n_sim, len(labels)))
    # Ties (groups with zero variance and equal BLUPs) are broken at random.
    order_draws = np.lexsort((rng.random(draws.shape), -draws), axis=1)
    rank_draws = order_draws.argsort(axis=1, kind="stable") + 1
    lo_q = np.quantile(rank_draws, alpha / 2, axis=0, method="lower")
    hi_q = np.quantile(rank_draws, 1 - alpha / 2, axis=0, method="higher")

    diff = blup[:, None] - blup[None, :]
    sd = np.sqrt(var[:, None] + var[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        undecided = np.abs(diff) <= crit * sd  # equal BLUPs without variance: undecided
    iu = np.triu_indices(len(labels), k=1)
    share = float(undecided[iu].mean()) if len(iu[0]) else float("nan")

    table = pd.DataFrame(
        {
            # Stata and SPSS codes are floats: village 3, not 3.000 in a table or 3.0 on an axis.
            "id": _whole(labels),
            "n": [int(sizes[g]) for g in labels],
            "blup": blup,
            "se": se,
            "lo": blup - crit * se,
            "hi": blup + crit * se,
            "adjusted": adjusted,
            "rank": rank,
            "rank_lo": lo_q.astype(int),
            "rank_hi": hi_q.astype(int),
            "rank_mean": rank_draws.mean(axis=0),
            "adjusted_se": adjusted_se,
            "adjusted_lo": adjusted - crit * adjusted_se,
            "adjusted_hi": adjusted + crit * adjusted_se,
        }
    )
    order = np.lexsort((np.arange(len(labels)), rank))
    components = pd.DataFrame(
        [
            {"id": g, "term": t, "blup": float(blups[i, k]), "se": float(np.sqrt(covs[i, k, k]))}
            for i, g in enumerate(labels)
            for k, t in enumerate(re_names)
        ],
        columns=["id", "term", "blup", "se"],
    )
    return RankResult(
        groups=table.iloc[order].reset_index(drop=True)[GROUP_COLUMNS],
        components=components,
        standard=standard,
        indistinguishable=share,
        rank_draws=rank_draws[:, order],
        group=group,
        n_sim=n_sim,
        seed=seed,
        alpha=alpha,
        fit=res,
        notes=notes,
    )
