"""Coefficient and predicted-probability plots with Chinese or English labels.

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
from typing import TYPE_CHECKING

import pandas as pd

from workbench.plotting import setup_chinese
from workbench.survey.codebook import Codebook, load_codebook
from workbench.survey.results import SurveyFit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WORDS = {
    "en": {
        "estimate": "Estimate (95% CI)",
        "probability": "Predicted probability",
        "simulated": "SIMULATED data",
        "category": "Category",
    },
    "zh": {
        "estimate": "估计值（95% 置信区间）",
        "probability": "预测概率",
        "simulated": "模拟数据（SIMULATED）",
        "category": "类别",
    },
}


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


def predicted_probability_plot(
    grid: pd.DataFrame,
    variable: str,
    by: str | None = None,
    lang: str = "zh",
    simulated: bool = False,
    codebook: Codebook | None = None,
) -> Figure:
    """Predicted probability of each category against ``variable``; one panel per ``by`` value.

    ``grid`` is the output of :func:`workbench.survey.margins.predicted_probabilities`
    (concatenated over the values of ``by``).
    """
    import matplotlib.pyplot as plt

    setup_chinese()
    cb = codebook or load_codebook()
    panels = sorted(grid[by].unique()) if by else [None]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5 * len(panels), 4), sharey=True, squeeze=False
    )
    for ax, value in zip(axes[0], panels, strict=True):
        sub = grid if by is None else grid[grid[by] == value]
        for cat, part in sub.groupby("category", sort=True):
            ax.plot(part[variable], part["probability"], marker="o", label=str(cat))
        ax.set_xlabel(cb.label(variable, lang))
        if by is not None:
            shown = cb.value_label(by, int(value), lang) if by in cb.variables else value
            ax.set_title(f"{cb.label(by, lang)} = {shown}")
    axes[0][0].set_ylabel(WORDS[lang]["probability"])
    axes[0][-1].legend(title=WORDS[lang]["category"], loc="best", fontsize=8)
    if simulated:
        _stamp(fig, lang)
    fig.tight_layout()
    return fig
