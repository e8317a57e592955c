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
        With fewer than two items or two complete respondents.
    """
    complete = items.dropna()
    n, k = complete.shape
    if k < 2 or n < 2:
        raise ValueError(
            f"alpha needs at least 2 items and 2 complete respondents, got {k} and {n}"
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
    """
    frame = data[list(items)].copy()
    for col in reverse:
        frame[col] = reverse_code(frame[col], *scale_range)
    score = scale_score(frame, min_items)
    report = pd.DataFrame(
        [{"reason": "too few items answered", "rows": int(score.isna().sum())}],
        columns=["reason", "rows"],
    )
    return score, report
