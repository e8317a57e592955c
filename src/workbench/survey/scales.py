"""Scale reliability and scores: Cronbach's alpha with a CI, item analysis, reverse coding.

Examples
--------
>>> import pandas as pd
>>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
>>> a = cronbach_alpha(items)
>>> round(a.alpha, 3), a.n, a.k
(0.954, 5, 3)
>>> reverse_code(pd.Series([1, 2, 5]), 1, 5).tolist()
[5, 4, 1]
>>> scale_score(pd.DataFrame({"a": [1, None], "b": [3, None]}), min_items=1).tolist()
[2.0, nan]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.survey.validate import SurveyValidationError, format_rows


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha of ``k`` items over ``n`` complete respondents, with Feldt's CI."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    dropped: int
    level: float = 0.95


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def cronbach_alpha(items: pd.DataFrame, level: float = 0.95) -> Alpha:
    """Cronbach's alpha with Feldt's (1965) F-based confidence interval.

    Respondents missing any item are left out (counted in ``dropped``).  Feldt:
    ``(1 − α) / (1 − α̂) ~ F(n − 1, (n − 1)(k − 1))``.

    Raises
    ------
    ValueError
        With fewer than two items or two complete respondents; a
        :class:`~workbench.survey.validate.SurveyValidationError` (a ValueError) for items
        of text and for complete respondents who all have the same total (alpha 0/0).
    """
    _check_numbers(items, list(items.columns))
    complete = items.dropna()
    n, k = complete.shape
    if k < 2 or n < 2:
        raise ValueError(
            f"alpha needs at least 2 items and 2 complete respondents, got {k} and {n}"
        )
    if complete.sum(axis=1).var(ddof=1) == 0:
        # Every complete respondent has the same total: alpha is 0/0, not a number.
        raise SurveyValidationError(
            f"alpha of {list(items.columns)}: the {n} complete respondents all have the same "
            "total score, so the items' reliability cannot be estimated; use more respondents"
        )
    a = _alpha(complete.to_numpy(dtype=float))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    low = 1 - (1 - a) * stats.f.ppf(1 - tail, df1, df2)
    high = 1 - (1 - a) * stats.f.ppf(tail, df1, df2)
    return Alpha(float(a), float(low), float(high), n, k, len(items) - n, level)


def item_analysis(items: pd.DataFrame) -> pd.DataFrame:
    """Per item: mean, SD, corrected item-total correlation and alpha if the item is deleted.

    The corrected item-total correlation correlates an item with the sum of the
    other items (complete respondents only).
    """
    complete = items.dropna().astype(float)
    total = complete.sum(axis=1)
    rows = []
    for col in complete.columns:
        rest = complete.drop(columns=col)
        rows.append(
            {
                "item": col,
                "mean": complete[col].mean(),
                "sd": complete[col].std(ddof=1),
                "item_rest_r": float(np.corrcoef(complete[col], total - complete[col])[0, 1]),
                "alpha_if_deleted": _alpha(rest.to_numpy()) if rest.shape[1] > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _check_numbers(items: pd.DataFrame, names: list[str]) -> None:
    """Refuse items of text (answers in words), naming them: they need numbers first."""
    text = [c for c in names if not pd.api.types.is_numeric_dtype(items[c])]
    if text:
        shown = {c: sorted(map(str, items[c].dropna().unique()))[:3] for c in text}
        raise SurveyValidationError(
            f"scale item(s) hold text, not numbers: {shown}; give the answers their numbers "
            "under 'values:' in a mapping file (workbench.survey.io.load_survey)"
        )


def reverse_code(series: pd.Series, low: float, high: float) -> pd.Series:
    """Reverse a Likert item: ``low + high − x`` (missing stays missing)."""
    return low + high - series


def scale_score(items: pd.DataFrame, min_items: int | None = None) -> pd.Series:
    """Mean of the answered items; missing when fewer than ``min_items`` are answered.

    ``min_items`` defaults to more than half of the items.
    """
    k = items.shape[1]
    min_items = k // 2 + 1 if min_items is None else min_items
    if not 1 <= min_items <= k:
        raise ValueError(f"min_items must be between 1 and {k}, not {min_items}")
    answered = items.notna().sum(axis=1)
    return items.mean(axis=1).where(answered >= min_items)


def build_scale(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    scale_range: tuple[float, float] = (1, 5),
    min_items: int | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Reverse-code, score and report a scale.

    Returns
    -------
    score : pandas.Series
        The scale score (mean of answered items, ``min_items`` rule).
    report : pandas.DataFrame
        ``reason, rows``: respondents without a score because too few items were answered.

    Raises
    ------
    SurveyValidationError
        For items not in ``data``, reversed items not among ``items``, items of text, and
        a reversed item with values outside ``scale_range`` (a 7-point item, a code 9).

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1, 7, 3], "b": [1, 7, 3], "c": [7, 1, 5]})
    >>> build_scale(d, ["a", "b", "c"], reverse=["c"], scale_range=(1, 7))[0].tolist()
    [1.0, 7.0, 3.0]
    >>> try:
    ...     build_scale(d, ["a", "b", "c"], reverse=["c"])
    ... except SurveyValidationError as err:
    ...     print(str(err)[:60])
    reverse item 'c' has value(s) [7] outside scale_range 1–5 in
    """
    stray = [c for c in [*items, *reverse] if c not in data.columns]
    outside = [c for c in reverse if c not in items]
    said = [f"no column(s) {stray} in the data"] if stray else []
    if outside:
        said.append(f"reverse item(s) {outside} are not among the items {list(items)}")
    if said:
        raise SurveyValidationError(
            "; ".join(said) + "; name the scale's items, and the reversed ones among them"
        )
    frame = data[list(items)].copy()
    _check_numbers(frame, list(items))
    low, high = scale_range
    for col in reverse:
        # A 7-point item reversed as 1–5 (7 → -1) or a code 9 left in (9 → -3) would give
        # scores outside the scale, silently.
        beyond = frame.index[(frame[col] < low) | (frame[col] > high)]
        if len(beyond):
            values = sorted(set(frame.loc[beyond, col].tolist()))[:5]
            raise SurveyValidationError(
                f"reverse item {col!r} has value(s) {values} outside scale_range {low:g}–{high:g} "
                f"in {format_rows(beyond)}: pass the item's own range (scale_range=(1, 7)), or "
                "make missing-value codes missing first (workbench.survey.io.load_survey)"
            )
        frame[col] = reverse_code(frame[col], low, high)
    score = scale_score(frame, min_items)
    report = pd.DataFrame(
        [{"reason": "too few items answered", "rows": int(score.isna().sum())}],
        columns=["reason", "rows"],
    )
    return score, report
