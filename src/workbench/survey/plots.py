"""Coefficient, predicted-probability, caterpillar and rank plots, Chinese or English labels.

Fonts come from :func:`workbench.plotting.setup_chinese`; term and variable
labels from the survey codebook.  Pass ``simulated=True`` to stamp SIMULATED
(模拟数据) on the figure.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from workbench.survey.io import load_survey
>>> from workbench.survey import fit
>>> res = fit(load_survey().frame, "trust ~ visits * solved", model="ols")
>>> fig = coef_plot({"OLS": res}, lang="en", simulated=True)
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:1]
['Cadre home visits (走访)']
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.plotting import setup_chinese
from workbench.survey.codebook import Codebook, load_codebook
from workbench.survey.results import SurveyFit
from workbench.survey.validate import is_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from workbench.survey.rank import RankResult

MAX_GROUP_LABELS = 40
"""Rank and caterpillar plots label each group only when there are at most this many."""

WORDS = {
    "en": {
        "estimate": "Estimate (95% CI)",
        "probability": "Predicted probability",
        "simulated": "SIMULATED data",
        "category": "Category",
        "blup": "Random effect (BLUP) with {level} interval",
        "rank": "Rank (1 = highest) with {level} interval",
        "groups_sorted": "{groups}, sorted",
        "caterpillar": "{groups}: predicted effects",
        "ranks": "{groups}: ranks of adjusted {outcome}, with uncertainty",
        "tied": "Variance between groups estimated at zero: the groups tie and cannot be ranked",
    },
    "zh": {
        "estimate": "估计值（95% 置信区间）",
        "probability": "预测概率",
        "simulated": "模拟数据（SIMULATED）",
        "category": "类别",
        "blup": "随机效应（BLUP）及 {level} 区间",
        "rank": "排名（1 = 最高）及 {level} 区间",
        "groups_sorted": "{groups}（已排序）",
        "caterpillar": "{groups}：随机效应预测",
        "ranks": "{groups}：调整后{outcome}的排名及其不确定性",
        "tied": "组间方差估计为零：各组并列，无法排名",
    },
}


def _tied(ax: Axes, ranking: RankResult, lang: str) -> None:
    """Say on the plot when every BLUP is zero (a between-group variance estimated at zero):
    rank 1 for every group, read from the figure alone, would look like a result."""
    groups = ranking.groups
    if len(groups) and (groups["blup"] == 0).all() and (groups["se"] == 0).all():
        ax.text(0.5, 0.98, WORDS[lang]["tied"], transform=ax.transAxes, ha="center", va="top",
                color="firebrick", fontsize=9)  # fmt: skip


def _stamp(fig: Figure, lang: str) -> None:
    fig.text(
        0.99, 0.01, WORDS[lang]["simulated"], ha="right", va="bottom", color="firebrick", fontsize=9
    )


def coef_plot(
    fits: Mapping[str, SurveyFit],
    terms: Sequence[str] | None = None,
    lang: str = "zh",
    simulated: bool = False,
    codebook: Codebook | None = None,
) -> Figure:
    """One panel per model: estimates with their confidence intervals, zero marked.

    Models on different scales (OLS vs ordered logit) get their own x axes.
    ``terms`` defaults to every coefficient except the intercept.
    """
    import matplotlib.pyplot as plt

    setup_chinese()
    cb = codebook or load_codebook()
    fig, axes = plt.subplots(
        1, len(fits), figsize=(4.2 * len(fits) + 1.5, 0.45 * 12 + 1), squeeze=False
    )
    for ax, (name, res) in zip(axes[0], fits.items(), strict=True):
        chosen = [
            t for t in (terms or res.params.index) if t in res.params.index and t != "Intercept"
        ]
        ys = list(range(len(chosen)))[::-1]
        est = res.params[chosen]
        ci = res.conf_int.loc[chosen]
        ax.errorbar(
            est,
            ys,
            xerr=[est - ci["lower"], ci["upper"] - est],
            fmt="o",
            color="tab:blue",
            capsize=3,
        )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(
            ys, [cb.label(t, lang) for t in chosen] if ax is axes[0][0] else [""] * len(ys)
        )
        ax.set_title(name)
        ax.set_xlabel(WORDS[lang]["estimate"])
    if simulated:
        _stamp(fig, lang)
    fig.tight_layout()
    return fig


def _category_label(
    cat: object,
    outcome: str | None,
    cb: Codebook,
    lang: str,
    value_labels: Mapping[Any, str] | None = None,
) -> str:
    """``"5"`` → ``"5 非常满意"``: the survey's own ``value_labels`` if given, else the codebook's.

    The user's labels win: a survey coding 非常满意 as 1 must not be labelled by the
    bundled codebook, where 1 is 非常不满意.

    Examples
    --------
    >>> cb = load_codebook()
    >>> _category_label("1", "sat_overall", cb, "zh")
    '1 非常不满意'
    >>> _category_label(1.0, "sat_overall", cb, "zh", {1.0: "非常满意", 5.0: "非常不满意"})
    '1 非常满意'
    >>> _category_label("3", "sat_overall", cb, "zh", {1: "非常满意"})
    '3'
    """
    text = str(cat)
    try:
        number = float(text)
    except ValueError:
        return text
    code = int(number) if number.is_integer() else number
    if value_labels is not None:
        # .sav/.dta labels are keyed by floats (1.0), a mapping's by ints: compare numbers.
        by_number = {float(k): v for k, v in value_labels.items() if is_number(k)}
        label = by_number.get(number)
        return f"{code} {label}" if label else str(code)
    if not outcome or outcome not in cb.variables or code != number:
        return text
    label = cb.value_label(outcome, int(code), lang)
    return text if label == str(code) else f"{code} {label}"


def predicted_probability_plot(
    grid: pd.DataFrame,
    variable: str,
    by: str | None = None,
    lang: str = "zh",
    simulated: bool = False,
    codebook: Codebook | None = None,
    outcome: str | None = None,
    bands: bool = True,
    value_labels: Mapping[Any, str] | None = None,
) -> Figure:
    """Predicted probability of each category against ``variable``; one panel per ``by`` value.

    ``grid`` is the output of :func:`workbench.survey.margins.predicted_probabilities`
    (concatenated over the values of ``by``).  With ``bands`` (and the grid's
    ``conf_low``/``conf_high`` columns) each line gets its confidence band.  The
    legend names each category with the outcome's value labels (``5 非常满意``):
    ``value_labels`` (``{code: label}``) when given — pass your survey's own,
    ``SurveyData.value_labels[outcome]`` (from a ``.sav``/``.dta`` file or the
    words under the mapping's ``values:``), since your coding may differ from the
    bundled codebook's — else the codebook's; ``outcome`` defaults to
    ``grid.attrs["outcome"]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from workbench.survey.io import load_survey
    >>> from workbench.survey import fit
    >>> from workbench.survey.margins import predicted_probabilities
    >>> res = fit(load_survey().frame, "sat_overall ~ visits", model="ologit")
    >>> grid = predicted_probabilities(res, "visits", [0, 5, 10])
    >>> fig = predicted_probability_plot(grid, "visits", lang="zh")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][::4]
    ['1 非常不满意', '5 非常满意']
    >>> len(fig.axes[0].collections)  # one band per category
    5
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    setup_chinese()
    cb = codebook or load_codebook()
    outcome = outcome or grid.attrs.get("outcome")
    panels = sorted(grid[by].unique()) if by else [None]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5 * len(panels), 4), sharey=True, squeeze=False
    )
    has_bands = bands and {"conf_low", "conf_high"} <= set(grid.columns)
    for ax, value in zip(axes[0], panels, strict=True):
        sub = grid if by is None else grid[grid[by] == value]
        for cat, part in sub.groupby("category", sort=True):
            (line,) = ax.plot(
                part[variable],
                part["probability"],
                marker="o",
                label=_category_label(cat, outcome, cb, lang, value_labels),
            )
            if has_bands:
                ax.fill_between(
                    part[variable],
                    part["conf_low"],
                    part["conf_high"],
                    color=line.get_color(),
                    alpha=0.2,
                    lw=0,
                )
        ax.set_xlabel(cb.label(variable, lang))
        if by is not None:
            shown = cb.value_label(by, int(value), lang) if by in cb.variables else value
            ax.set_title(f"{cb.label(by, lang)} = {shown}")
    axes[0][0].set_ylabel(WORDS[lang]["probability"])
    title = cb.label(outcome, lang) if outcome else WORDS[lang]["category"]
    axes[0][-1].legend(title=title, loc="best", fontsize=8)
    if simulated:
        _stamp(fig, lang)
    fig.tight_layout()
    return fig


def _group_axis(ax, ids: Sequence[object], groups: str, lang: str, cb: Codebook) -> None:
    ys = range(len(ids))
    if len(ids) <= MAX_GROUP_LABELS:
        ax.set_yticks(list(ys), [str(i) for i in ids], fontsize=7)
    else:
        ax.set_yticks([])
    ax.set_ylabel(WORDS[lang]["groups_sorted"].format(groups=cb.label(groups, lang)))
    ax.set_ylim(-1, len(ids))


def caterpillar_plot(
    ranking: RankResult, lang: str = "zh", simulated: bool = False, codebook: Codebook | None = None
) -> Figure:
    """Each group's BLUP with its conditional interval, sorted, zero marked.

    Intervals that exclude zero are drawn darker.  Groups are labelled on the axis
    when there are at most :data:`MAX_GROUP_LABELS` of them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> from workbench.survey.rank import rank_groups
    >>> res = fit(load_survey().frame, "trust ~ visits", "mixed", groups="village")
    >>> fig = caterpillar_plot(rank_groups(res, n_sim=200, seed=0), lang="en", simulated=True)
    >>> fig.axes[0].get_title(), fig.texts[0].get_text()
    ('Village: predicted effects', 'SIMULATED data')
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    setup_chinese()
    cb = codebook or load_codebook()
    table = ranking.groups.sort_values(["blup", "id"]).reset_index(drop=True)
    level = f"{1 - ranking.alpha:.0%}"
    fig, ax = plt.subplots(figsize=(6.5, max(4.0, 0.065 * len(table) + 1.5)))
    clear = (table["lo"] > 0) | (table["hi"] < 0)
    for mask, colour in ((~clear, "tab:gray"), (clear, "tab:blue")):
        part = table[mask]
        ax.errorbar(
            part["blup"],
            part.index,
            xerr=[part["blup"] - part["lo"], part["hi"] - part["blup"]],
            fmt="o",
            ms=2.5,
            lw=0.8,
            color=colour,
        )
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    _group_axis(ax, table["id"].tolist(), ranking.group, lang, cb)
    ax.set_xlabel(WORDS[lang]["blup"].format(level=level))
    ax.set_title(WORDS[lang]["caterpillar"].format(groups=cb.label(ranking.group, lang)))
    _tied(ax, ranking, lang)
    if simulated:
        _stamp(fig, lang)
    fig.tight_layout()
    return fig


def rank_interval_plot(
    ranking: RankResult, lang: str = "zh", simulated: bool = False, codebook: Codebook | None = None
) -> Figure:
    """Each group's rank (point) and simulated rank interval (line), best at the top.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> from workbench.survey.rank import rank_groups
    >>> res = fit(load_survey().frame, "trust ~ visits", "mixed", groups="village")
    >>> fig = rank_interval_plot(rank_groups(res, n_sim=200, seed=0), lang="en")
    >>> fig.axes[0].get_title()
    'Village: ranks of adjusted Trust in village cadres, with uncertainty'
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    setup_chinese()
    cb = codebook or load_codebook()
    table = ranking.groups.sort_values(["rank", "id"], ascending=[False, False])
    table = table.reset_index(drop=True)
    level = f"{1 - ranking.alpha:.0%}"
    outcome = ranking.fit.formula.split("~", 1)[0].strip()
    fig, ax = plt.subplots(figsize=(6.5, max(4.0, 0.065 * len(table) + 1.5)))
    ax.hlines(table.index, table["rank_lo"], table["rank_hi"], color="tab:blue", lw=1.2)
    ax.plot(table["rank"], table.index, "o", ms=2.5, color="black")
    _group_axis(ax, table["id"].tolist(), ranking.group, lang, cb)
    ax.set_xlim(0, len(table) + 1)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # ranks are whole numbers
    _tied(ax, ranking, lang)
    ax.set_xlabel(WORDS[lang]["rank"].format(level=level))
    ax.set_title(
        WORDS[lang]["ranks"].format(
            groups=cb.label(ranking.group, lang), outcome=cb.label(outcome, lang)
        )
    )
    if simulated:
        _stamp(fig, lang)
    fig.tight_layout()
    return fig
