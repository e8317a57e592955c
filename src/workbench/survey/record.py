"""Provenance of survey results: the ``--json`` objects, tables and figures.

Every survey result records, like the text side's outputs
(:func:`workbench.provenance.make_record`), the workbench version, the SHA-256 of
its inputs — the survey file, the mapping file, and for a simulated file the DGP
its sidecar names — and the parameters that made it (model, formula, standard
errors, weights, seed …).  ``--json`` prints the record under ``provenance``; a
table written as CSV gets a ``<file>.provenance.json`` sidecar, as Parquet the
record in its metadata; a figure gets a sidecar
(:func:`workbench.provenance.read_record` reads any of them back).

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> from workbench.provenance import read_record
>>> from workbench.survey import fit
>>> from workbench.survey.io import load_survey
>>> survey = load_survey()
>>> res = fit(survey.frame, "trust ~ visits", "ols", cluster="village")
>>> rec = survey_record(survey, fit_parameters(res))
>>> sorted(rec["inputs"])
['data/survey/dgp.yaml', 'data/survey/survey.csv']
>>> rec["parameters"]["formula"], rec["parameters"]["simulated"]
('trust ~ visits', True)
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_table(res.tidy(), Path(tmp) / "trust.csv", rec)
...     read_record(path)["parameters"]["cov_type"]
'cluster(village)'
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.provenance import make_record
from workbench.provenance import write_table as provenance_write_table
from workbench.survey.io import SurveyData
from workbench.survey.results import SurveyFit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def fit_parameters(res: SurveyFit) -> dict[str, Any]:
    """What made a fit: model, formula, standard errors, groups, weights, sample size.

    Examples
    --------
    >>> from workbench.survey import fit
    >>> from workbench.survey.io import load_survey
    >>> p = fit_parameters(fit(load_survey().frame, "trust ~ visits", "mixed", groups="village"))
    >>> p["model"], p["cov_type"], p["groups"], p["nobs"]
    ('mixed', 'REML', 'village', 2910)
    """
    params: dict[str, Any] = {
        "model": res.model,
        "formula": res.formula,
        "cov_type": res.cov_type,
        "nobs": int(res.nobs),
        "n_groups": dict(res.n_groups),
    }
    if res.model == "mixed":
        params["groups"] = next(iter(res.n_groups), None)
        params["re_formula"] = res.re_formula
    weights = getattr(res.result.model, "weights", None) if res.result is not None else None
    params["weighted"] = weights is not None and pd.api.types.is_list_like(weights)
    return params


def survey_record(survey: SurveyData, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance record of a result computed from ``survey`` with ``parameters``."""
    # The sheet read from a workbook is part of what made the result: the file's checksum
    # covers all of its sheets.
    sheet = {"sheet": survey.sheet} if survey.sheet is not None else {}
    return make_record(
        survey.inputs,
        {**parameters, "data": survey.source, **sheet, "simulated": survey.simulated},
    )


def write_table(df: pd.DataFrame, path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``df`` as CSV (with a provenance sidecar) or Parquet (record in its metadata),
    and say so on stderr (:func:`workbench.provenance.write_table`).

    Raises
    ------
    ValueError
        For another suffix.
    """
    path = provenance_write_table(df, path, record)
    print(f"wrote {path} ({len(df)} rows)", file=sys.stderr)
    return path


def save_figure(
    fig: Figure,
    name: str,
    record: Mapping[str, Any],
    *,
    formats: str | tuple[str, ...] = ("png",),
    out_dir: str | Path | None = None,
) -> list[Path]:
    """Save a figure reproducibly (:func:`workbench.plotting.savefig`), each file with a sidecar.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from workbench.provenance import read_record
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (path,) = save_figure(fig, "f", make_record({}, {"seed": 1}), out_dir=tmp)
    ...     read_record(path)["parameters"]
    {'seed': 1}
    >>> plt.close(fig)
    """
    from workbench.plotting import savefig

    out = None if out_dir is None else Path(out_dir)
    return savefig(fig, name, formats=formats, out_dir=out, record=record)


def figure_path(path: str | Path) -> tuple[str, str, Path]:
    """``FIG.png`` → ``(name, format, folder)`` for :func:`save_figure`.

    Raises
    ------
    ValueError
        For a suffix that is not a figure format.

    Examples
    --------
    >>> figure_path("out/ranks.svg")
    ('ranks', 'svg', PosixPath('out'))
    """
    path = Path(path)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise ValueError(
            f"{path}: unknown figure format {path.suffix!r}; use {list(FIGURE_SUFFIXES)}"
        )
    return path.stem, path.suffix.lower().lstrip("."), path.parent


def provenance_note(record: Mapping[str, Any]) -> str:
    """One line for a printed table: version and the inputs' short checksums.

    Examples
    --------
    >>> provenance_note(make_record({"a.csv": "0123456789abcdef"}, {})).split("; ")[1]
    'inputs: a.csv (0123456789ab)'
    """
    inputs = ", ".join(f"{k} ({v[:12]})" for k, v in record["inputs"].items())
    return f"workbench {record['workbench_version']}; inputs: {inputs}"
