"""Fit survey models through one formula interface: :func:`fit`.

``model`` is one of ``ols``, ``ologit``, ``oprobit`` and ``mixed``; interactions
come through the formula (``visits * solved``).  Rows with a missing value in any
column the model needs are left out and reported in ``SurveyFit.dropped``.

Examples
--------
>>> from workbench.survey.io import load_survey
>>> data = load_survey().frame
>>> res = fit(data, "trust ~ visits * solved + talk", model="ols", cluster="village")
>>> res.cov_type, res.n_groups, res.df_inference
('cluster(village)', {'village': 120}, 119)
>>> res.dropped["column"].tolist()
['trust', 'visits', 'solved']
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import patsy

from workbench.survey.codebook import VALID_CODES, Codebook, load_codebook
from workbench.survey.io import scale_entry
from workbench.survey.mixed import FEW_GROUPS, fit_mixed
from workbench.survey.model_names import DISTR, MODELS
from workbench.survey.ols import fit_ols
from workbench.survey.ordered import check_weights, fit_ordered
from workbench.survey.prepare import (
    FORMULA_GLOBALS,
    check_many_levels,
    check_numbers_as_text,
    check_several,
    check_singletons,
    formula_names,
    model_frame,
)
from workbench.survey.results import SurveyFit
from workbench.survey.validate import SurveyValidationError, format_names, format_rows, suggest

FEW_CLUSTERS = 20
"""Fewer clusters than this make cluster-robust standard errors too small (Cameron and
Miller 2015, "A Practitioner's Guide to Cluster-Robust Inference"): a fit says so."""


def _as_list(cols: str | Sequence[str] | None) -> list[str]:
    if cols is None:
        return []
    if isinstance(cols, str):
        return [c.strip() for c in cols.split(",") if c.strip()]
    return list(cols)


def check_no_missing_codes(frame: pd.DataFrame, codebook: Codebook) -> None:
    """Refuse columns that still hold the codebook's missing-value codes.

    Raises
    ------
    SurveyValidationError
        Naming the column, the code and the rows, and how to clean them.
    """
    # Codes the survey's mapping declared valid answers (8, 9 inside its range [0, 10]).
    answers = frame.attrs.get(VALID_CODES, {})
    for col in frame.columns:
        if col not in codebook.variables:
            continue
        codes = [c for c in codebook.missing_codes(col) if c not in answers.get(col, ())]
        hit = frame.index[frame[col].isin(codes)] if codes else []
        if len(hit):
            raise SurveyValidationError(
                f"column {col!r} still holds missing-value codes "
                f"{sorted(set(frame.loc[hit, col]))} "
                f"in {format_rows(hit)}; load the survey with workbench.survey.io.load_survey "
                "(or clean_codes), which turns them into missing values and reports them"
            )


def check_outcome(frame: pd.DataFrame, formula: str) -> None:
    """Refuse an outcome column of text, which statsmodels would turn into dummies, and
    an outcome of one value in every row the model uses.

    Raises
    ------
    SurveyValidationError
        Naming the column and some of its values, and how to recode it.
    """
    outcome = formula.split("~", 1)[0]
    for col in [n for n in formula_names(f"{outcome} ~ 1") if n in frame.columns]:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
            if values.nunique() == 1:
                # Nothing to explain: OLS printed a slope of 0.000 with a star (a p-value of
                # 0/0), an ordered model "shapes (20,1) and (0,) not aligned".
                raise SurveyValidationError(
                    f"the outcome {col!r} has one value ({values.iloc[0]:g}) in all "
                    f"{len(values)} rows the model uses: there is no variation to explain; "
                    "check the column (a filter, a recode, missing-value codes) or choose "
                    "another outcome"
                )
            continue
        answers = sorted(map(str, values.dropna().unique()))
        # The column's own answers, numbered when they are words of a known scale (很不满意
        # … 很满意): the codebook's 非常满意 would be no answer of this column.
        entry = scale_entry(col, answers)
        example = (
            f"{entry}, the answers numbered from the lowest on their scale: check the order"
            if entry
            else f"{col}: {{{', '.join(f'{a}: ?' for a in answers[:5])}}}"
            + (" …" if len(answers) > 5 else "")
        )
        raise SurveyValidationError(
            f"the outcome {col!r} holds text ({answers[:5]}); give each answer its number under "
            f"'values:' in a mapping file (e.g. {example}) and make answers that are no answer "
            "null, or recode it as numbers in the file"
        )


def re_formula_columns(re_formula: str, columns: Sequence[str]) -> list[str]:
    """Data columns a random-effects formula (``"~visits"``) uses; unknown names refused.

    Raises
    ------
    SurveyValidationError
        Naming each unknown name with the closest column names.

    Examples
    --------
    >>> re_formula_columns("~visits", ["trust", "visits"])
    ['visits']
    """
    rhs = re_formula.split("~", 1)[-1]
    known = [str(c) for c in columns]
    names = [n for n in formula_names(f"_y ~ {rhs}") if n != "_y"]
    absent = [n for n in names if n not in set(known) and n not in FORMULA_GLOBALS]
    if absent:
        raise SurveyValidationError(
            f"random-effects formula {re_formula!r} names "
            + ", ".join(f"{n!r} {suggest(n, known)}" for n in absent)
            + f", not a column of the data; {format_names(known)}"
        )
    return [n for n in names if n in set(known)]


def _check_model_args(
    model: str, weights: str | None, groups: str | None, cluster: list[str]
) -> None:
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    if weights is not None and model == "mixed":
        raise ValueError(
            "mixed: sampling weights are not supported for mixed models (statsmodels' "
            "MixedLM takes no weights, and weights at two levels need more than a column); "
            "drop --weights, or fit OLS or an ordered model with a cluster"
        )
    if model == "mixed" and not groups:
        raise ValueError("mixed: groups= (the grouping column of the random effects) is required")
    if model == "mixed" and cluster:
        raise ValueError(
            "mixed: the random effects model the clustering; give groups=, not cluster="
        )


def fit(
    data: pd.DataFrame,
    formula: str,
    model: str = "ols",
    *,
    cluster: str | Sequence[str] | None = None,
    cov_type: str | None = None,
    groups: str | None = None,
    re_formula: str | None = None,
    reml: bool = True,
    weights: str | None = None,
    small: bool = True,
    singletons: str = "error",
    alpha: float = 0.05,
    codebook: Codebook | None = None,
) -> SurveyFit:
    """Fit ``formula`` on ``data`` with one of the survey models.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey with missing values as NaN (:func:`workbench.survey.io.load_survey`).
    formula : str
        ``"y ~ x1 + x2"``; ``a * b`` adds the interaction ``a:b``.
    model : {"ols", "ologit", "oprobit", "mixed"}
    cluster : str or sequence of str, optional
        One or two cluster columns (``"village"`` or ``"village,county"``) for
        cluster-robust standard errors (OLS: one- or two-way; ordered: one-way).
    cov_type : {"classical", "HC1", "HC3"}, optional
        OLS standard errors without clusters; default classical, or HC1 with weights.
    groups : str, optional
        Mixed models: the column whose levels get random effects.
    re_formula : str, optional
        Mixed models: random-effects formula, e.g. ``"~visits"`` for a random
        intercept and slope; default a random intercept only.
    reml : bool, default True
        Mixed models: REML (True) or maximum likelihood (False).
    weights : str, optional
        Column of sampling weights (Stata's ``pweight``): weighted least squares
        with robust or cluster SEs (OLS), pseudo-likelihood with sandwich SEs
        (ordered models; see :mod:`workbench.survey.ordered`).  Not for mixed models.
    small : bool, default True
        Stata's small-sample corrections and t inference for OLS (see
        :mod:`workbench.survey.ols`).
    singletons : {"error", "drop", "keep"}, default "error"
        What to do with clusters/groups that have one respondent (``"keep"`` fits
        them as they are, as lme4 does with a group of one).
    alpha : float, default 0.05
        1 − confidence level of the intervals.
    codebook : Codebook, optional
        Used to refuse columns still holding missing-value codes (default: the
        bundled codebook).

    Returns
    -------
    SurveyFit

    Raises
    ------
    ValueError
        For an unknown model or an unsupported combination of options.
    SurveyValidationError
        For a formula naming columns not in ``data`` (with the closest names), an
        outcome of text, leftover missing-value codes or singleton clusters
        (:class:`~workbench.survey.validate.SingletonClusterError`); for collinear
        terms (named), negative or infinite weights (by row), perfect separation in
        ordered models (the predictor named, or Newton's method not converging), and a
        mixed model that no optimiser fits with a finite log-likelihood and finite
        standard errors (:mod:`workbench.survey.mixed`).
    """
    clusters = _as_list(cluster)
    _check_model_args(model, weights, groups, clusters)
    extra = [*clusters, *([groups] if groups else []), *([weights] if weights else [])]
    if model == "mixed" and re_formula:
        extra += re_formula_columns(re_formula, data.columns)
    frame, dropped = model_frame(data, formula, extra)
    check_no_missing_codes(frame, codebook or load_codebook())
    check_outcome(frame, formula)
    check_numbers_as_text(frame, formula)
    check_many_levels(frame, formula)
    if weights:
        # A zero weight stands for no one (Stata leaves such rows out of a pweight fit and
        # of its N): kept, it counted in N and the HC1 correction, and made statsmodels'
        # log-likelihood log(0) with a RuntimeWarning.
        zero = frame.index[pd.Series(check_weights(frame, weights), index=frame.index) == 0]
        if len(zero):
            frame = frame.drop(index=zero)
            report = pd.DataFrame([{"column": weights, "reason": "zero weight", "rows": len(zero)}])
            dropped = pd.concat([dropped, report], ignore_index=True) if len(dropped) else report
    for col in [*clusters, *([groups] if groups else [])]:
        frame, report = check_singletons(frame, col, singletons)
        dropped = pd.concat([dropped, report], ignore_index=True) if len(report) else dropped
        check_several(frame, col, "groups" if col == groups else "cluster")
    try:
        if model == "ols":
            parts = fit_ols(
                frame,
                formula,
                cov_type=cov_type,
                cluster=clusters,
                weights=weights,
                small=small,
                alpha=alpha,
            )
        elif model in DISTR:
            parts = fit_ordered(
                frame, formula, model=model, cluster=clusters, alpha=alpha, weights=weights
            )
        else:
            assert groups is not None  # checked above
            parts = fit_mixed(
                frame, formula, groups=groups, re_formula=re_formula, reml=reml, alpha=alpha
            )
    except patsy.PatsyError as err:
        # The names were checked above, so what is left is the formula's own text
        # (an unknown function, a bad operator): the user's to fix, not a crash.
        raise SurveyValidationError(f"formula {formula!r} cannot be used: {err}") from None
    if model == "mixed" and groups and frame[groups].nunique() < FEW_GROUPS:
        # Fitted, but a variance estimated from a handful of groups is a guess: say so.
        parts["notes"] = [  # first: the notes of the fit itself stay last
            f"only {frame[groups].nunique()} groups of {groups!r}: the variance between them "
            f"is estimated from {frame[groups].nunique()} values and is very uncertain (mixed "
            "models want dozens of groups); with so few, consider OLS with the groups as "
            f"fixed effects, C({groups})",
            *parts.get("notes", []),
        ]
    few = {c: n for c, n in parts.get("n_groups", {}).items() if c in clusters and n < FEW_CLUSTERS}
    for col, n in few.items():
        # Fitted, but cluster-robust standard errors from a handful of clusters are too
        # small (the sandwich's middle is a sum of n terms): the stars overstate.
        test = "t with G − 1 degrees of freedom" if model == "ols" else "the normal distribution"
        parts.setdefault("notes", []).insert(
            0,
            f"only {n} clusters of {col!r}: cluster-robust standard errors from fewer than "
            f"{FEW_CLUSTERS} clusters are too small and the p-values (from {test}) too low, "
            "the more so the more unequal their sizes; read the stars with caution (a wild "
            "cluster bootstrap, Stata's boottest or R's fwildclusterboot, gives better p-values)",
        )
    inf = parts.pop("inference")
    return SurveyFit(
        model=model,
        formula=formula,
        bse=inf["bse"],
        statistic=inf["statistic"],
        pvalues=inf["pvalues"],
        conf_int=inf["conf_int"],
        dropped=dropped.reset_index(drop=True),
        **parts,
    )
