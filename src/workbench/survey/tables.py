"""Side-by-side regression tables in markdown, HTML or LaTeX.

Each model is a column: estimates with significance stars and standard errors
in parentheses below, cutpoints (ordered models), variance components (mixed
models), then N, R² or pseudo-R², log-likelihood, AIC, BIC and the kind of
standard errors.  Numbers are rounded to ``digits`` so tables are identical
across runs and machines.

Examples
--------
>>> import pandas as pd
>>> from workbench.survey.io import load_survey
>>> from workbench.survey import fit
>>> d = load_survey().frame
>>> t = table_frame({"OLS": fit(d, "trust ~ solved", model="ols")}, lang="en")
>>> t.loc[["Problem solved", ""], "OLS"].tolist()[:1]
['9.349***']
>>> print(regression_table({"OLS": fit(d, "trust ~ solved")}, fmt="markdown").splitlines()[0])
| | OLS |
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.survey.codebook import Codebook, load_codebook
from workbench.survey.results import SurveyFit

STARS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
FOOTER = {
    "en": {
        "nobs": "N", "r2": "R² / pseudo-R²", "llf": "Log-likelihood", "aic": "AIC", "bic": "BIC",
        "se": "Standard errors", "cut": "Cutpoint", "var": "Var", "cov": "Cov",
        "resid": "Residual variance",
    },
    "zh": {
        "nobs": "样本量", "r2": "R² / 伪R²", "llf": "对数似然", "aic": "AIC", "bic": "BIC",
        "se": "标准误", "cut": "切点", "var": "方差", "cov": "协方差", "resid": "残差方差",
    },
}  # fmt: skip
NOTE = {
    "en": "Standard errors in parentheses. * p<0.05, ** p<0.01, *** p<0.001.",
    "zh": "括号内为标准误。* p<0.05, ** p<0.01, *** p<0.001。",
}


def _stars(p: float) -> str:
    for cut, mark in STARS:
        if p < cut:
            return mark
    return ""


def _fmt(x: float | None, digits: int) -> str:
    if x is None or not np.isfinite(x):
        return ""
    # "-0.000" would differ from "0.000" only by floating-point noise.
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _cells(
    res: SurveyFit, digits: int, words: dict[str, str], cb: Codebook, lang: str
) -> dict[str, str]:
    cells: dict[str, str] = {}
    for term in res.params.index:
        key = cb.label(term, lang)
        cells[key] = _fmt(res.params[term], digits) + _stars(res.pvalues[term])
        cells[key + "\0se"] = f"({_fmt(res.bse[term], digits)})"
    if res.cutpoints is not None and res.cutpoint_bse is not None:
        for lab in res.cutpoints.index:
            key = f"{words['cut']} {lab}"
            cells[key] = _fmt(res.cutpoints[lab], digits)
            cells[key + "\0se"] = f"({_fmt(res.cutpoint_bse[lab], digits)})"
    if res.cov_re is not None:
        names = list(res.cov_re.index)
        for i, a in enumerate(names):
            cells[f"{words['var']}({cb.label(a, lang)})"] = _fmt(res.cov_re.iloc[i, i], digits)
            for j in range(i):
                pair = f"{cb.label(names[j], lang)}, {cb.label(a, lang)}"
                cells[f"{words['cov']}({pair})"] = _fmt(res.cov_re.iloc[i, j], digits)
        cells[words["resid"]] = _fmt(res.scale, digits)
    return cells


def table_frame(
    fits: Mapping[str, SurveyFit],
    digits: int = 3,
    lang: str = "en",
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """The table as a DataFrame of strings: one column per model, labelled rows.

    Standard-error rows have an empty row label.
    """
    cb = codebook or load_codebook()
    words = FOOTER[lang]
    columns = {name: _cells(res, digits, words, cb, lang) for name, res in fits.items()}
    keys = list(dict.fromkeys(k for cells in columns.values() for k in cells))
    body = pd.DataFrame({name: [cells.get(k, "") for k in keys] for name, cells in columns.items()})
    body.index = ["" if k.endswith("\0se") else k for k in keys]
    foot = pd.DataFrame(
        {
            name: [
                str(res.nobs), _fmt(res.r2, digits), _fmt(res.llf, 1), _fmt(res.aic, 1),
                _fmt(res.bic, 1), res.cov_type,
            ]
            for name, res in fits.items()
        },
        index=[words[k] for k in ("nobs", "r2", "llf", "aic", "bic", "se")],
    )  # fmt: skip
    return pd.concat([body, foot])


def _md(text: object) -> str:
    # Cutpoint labels such as "1|2" would otherwise split the cell.
    return str(text).replace("|", "\\|")


def _markdown(t: pd.DataFrame) -> str:
    lines = ["| | " + " | ".join(map(_md, t.columns)) + " |", "|---|" + "---:|" * len(t.columns)]
    lines += [
        "| " + " | ".join(map(_md, [i, *row])) + " |"
        for i, row in zip(t.index, t.to_numpy(), strict=True)
    ]
    return "\n".join(lines)


def _html(t: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    rows = [
        "<tr><th>"
        + html.escape(i)
        + "</th>"
        + "".join(f"<td>{html.escape(v)}</td>" for v in row)
        + "</tr>"
        for i, row in zip(t.index, t.to_numpy(), strict=True)
    ]
    return (
        f'<table class="regression">\n<thead><tr><th></th>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


_STAR_RUN = re.compile(r"\*+$")
_LATEX = str.maketrans(
    {"&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}"}
)


def _latex(t: pd.DataFrame) -> str:
    def esc(text: object) -> str:
        return _STAR_RUN.sub(lambda m: f"$^{{{m.group(0)}}}$", str(text).translate(_LATEX))

    lines = [r"\begin{tabular}{l" + "r" * len(t.columns) + "}", r"\toprule"]
    lines.append(" & ".join(["", *map(esc, t.columns)]) + r" \\")
    lines.append(r"\midrule")
    lines += [
        " & ".join([esc(i), *map(esc, row)]) + r" \\"
        for i, row in zip(t.index, t.to_numpy(), strict=True)
    ]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def regression_table(
    fits: Mapping[str, SurveyFit],
    fmt: str = "markdown",
    digits: int = 3,
    lang: str = "en",
    title: str | None = None,
    codebook: Codebook | None = None,
) -> str:
    """Render models side by side as ``"markdown"``, ``"html"`` or ``"latex"``.

    ``title`` is put above the table (e.g. a SIMULATED label); the note on
    standard errors and stars goes below it.
    """
    renderers = {"markdown": _markdown, "html": _html, "latex": _latex}
    if fmt not in renderers:
        raise ValueError(f"fmt must be one of {sorted(renderers)}, not {fmt!r}")
    body = renderers[fmt](table_frame(fits, digits, lang, codebook))
    note = NOTE[lang]
    if fmt == "html":
        head = f"<p><strong>{html.escape(title)}</strong></p>\n" if title else ""
        return f"{head}{body}\n<p>{html.escape(note)}</p>"
    if fmt == "latex":
        head = f"% {title}\n" if title else ""
        return f"{head}{body}\n% {note}"
    head = f"**{title}**\n\n" if title else ""
    return f"{head}{body}\n\n{note}"
