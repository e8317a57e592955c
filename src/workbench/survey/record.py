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

import os
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.config import display_path
from workbench.provenance import make_record
from workbench.provenance import write_table as provenance_write_table
from workbench.survey.io import SurveyData
from workbench.survey.results import SurveyFit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.survey.codebook import Codebook
    from workbench.survey.io import Mapping_

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


def survey_record(
    survey: SurveyData,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The provenance record of a result computed from ``survey`` with ``parameters``.

    ``inputs`` (display path → SHA-256) adds the other files the result used besides the
    survey's own (:attr:`SurveyData.inputs`): a corpus's files, a codebook, a places table.
    """
    # The sheet read from a workbook is part of what made the result: the file's checksum
    # covers all of its sheets.
    sheet = {"sheet": survey.sheet} if survey.sheet is not None else {}
    return make_record(
        {**survey.inputs, **(inputs or {})},
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


def provenance_note(record: Mapping[str, Any], corpus: Iterable[str] = ()) -> str:
    """One line for a printed table: version and the inputs' short checksums.

    The files of ``corpus`` (display paths, as :meth:`workbench.corpus.Corpus.checksums`
    keys them) are named together as one input, by their common folder and number, so a
    corpus of hundreds of files does not fill the line; the record keeps each checksum.

    Examples
    --------
    >>> provenance_note(make_record({"a.csv": "0123456789abcdef"}, {})).split("; ")[1]
    'inputs: a.csv (0123456789ab)'
    >>> rec = make_record({"t/a.txt": "1" * 64, "t/b.txt": "2" * 64, "p.csv": "3" * 64}, {})
    >>> provenance_note(rec, corpus=["t/a.txt", "t/b.txt"]).split("; ", 1)[1]
    'inputs: corpus t (2 files), p.csv (333333333333)'
    """
    texts = sorted(set(corpus) & set(record["inputs"]))
    parts = []
    if texts:
        folder = os.path.commonpath(texts) if len(texts) > 1 else os.path.dirname(texts[0])
        parts.append(f"corpus {folder or '.'} ({len(texts)} file{'s' if len(texts) > 1 else ''})")
    parts += [f"{k} ({v[:12]})" for k, v in record["inputs"].items() if k not in texts]
    return f"workbench {record['workbench_version']}; inputs: {', '.join(parts)}"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def variable_label(
    name: str,
    codebook: Codebook,
    mapping: Mapping_ | None = None,
    lang: str = "en",
) -> str:
    """A variable's label with the range of the data actually used: ``Trust in village
    cadres (0–10)``.

    The range is the one the mapping declares for the variable (under its standard name
    or the survey's own column name), else the codebook's; without either, the label
    alone. A report on a user's survey then never shows the bundled survey's 0–100.

    Examples
    --------
    >>> from workbench.survey.codebook import load_codebook
    >>> from workbench.survey.io import Mapping_
    >>> cb = load_codebook()
    >>> variable_label("trust", cb)
    'Trust in village cadres (0–100)'
    >>> mine = Mapping_(columns={"trust": "信任"}, missing={}, ranges={"信任": [0, 10]})
    >>> variable_label("trust", cb, mine, lang="zh")
    '对村干部的信任 (0–10)'
    """
    ranges = mapping.ranges if mapping is not None else {}
    own = mapping.columns.get(name) if mapping is not None else None
    rng = ranges.get(name) or (ranges.get(own) if own else None)
    if rng is None and name in codebook.variables:
        rng = codebook.valid_range(name)
    text = codebook.label(name, lang)
    return f"{text} ({_number(rng[0])}–{_number(rng[1])})" if rng else text


def command_line(words: Sequence[str | Path | None]) -> str:
    """A shell command from its words, paths shown as :func:`workbench.config.display_path`
    shows them and quoted where the shell needs it; ``None`` words are left out (an
    option whose value was not given goes with it when written as ``None`` pairs).

    Examples
    --------
    >>> command_line(["workbench", "survey", "rank", Path("my data/s.csv"),
    ...               "--formula", "trust ~ visits", "--mapping", None])
    "workbench survey rank 'my data/s.csv' --formula 'trust ~ visits'"
    """
    out: list[str] = []
    for i, word in enumerate(words):
        if word is None:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if isinstance(word, str) and word.startswith("--") and nxt is None:
            continue  # an option without its value
        out.append(display_path(word) if isinstance(word, Path) else str(word))
    return shlex.join(out)
