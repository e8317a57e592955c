"""``workbench survey simulate|fit|rank``: the survey subcommands.

``workbench survey simulate --n 3000 --seed 5 --out FILE.csv``
    Draw the SIMULATED survey from ``data/survey/dgp.yaml`` (a provenance
    sidecar records n, seed and the DGP's checksum).
``workbench survey fit DATA --model {ols,ologit,oprobit,mixed} --formula "y ~ x" [--json]``
    Load DATA (CSV, .xlsx, .dta, .sav; ``--mapping`` for a user's survey, ``--sheet`` for
    a workbook's sheet), fit and print
    a table, or with ``--json`` one JSON object with the names of the Python API.
``workbench survey rank DATA --formula "y ~ x" --groups village [--re-formula "~x"] [--json]``
    Fit the mixed model and rank the groups by the outcome predicted for a standard
    respondent (``--at name=value`` sets its covariates), with BLUPs, conditional
    SEs, simulated rank intervals (``--n-sim``, ``--seed``) and the share of pairs
    that cannot be ordered (:mod:`workbench.survey.rank`).

Every result carries a provenance record (:mod:`workbench.survey.record`): ``--json``
prints it under ``provenance``, a printed table ends with a line naming the version and
the inputs' checksums, ``--out`` tables and ``--figure`` plots get it as a sidecar (CSV,
figures) or in their metadata (Parquet).

A fit's ``notes`` (optimisers tried, warnings, a random-effects variance estimated at
zero) are printed under its table as ``note:`` lines and are ``notes`` in ``--json``; a
mixed model that no optimiser fits usably is refused (:mod:`workbench.survey.mixed`).

Bad input exits with status 2 and a message naming the file, column and rows;
a closed output pipe (``--json | head``) ends the command quietly with status 141.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="workbench")
>>> add_parser(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["survey", "fit", "x.csv", "--model", "mixed", "--formula",
...                           "y ~ x", "--groups", "village", "--ml"])
>>> args.model, args.reml, args.groups
('mixed', False, 'village')
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from workbench.provenance import TABLE_SUFFIXES
from workbench.survey.model_names import MODELS
from workbench.survey.validate import SingletonClusterError, SurveyValidationError

EXIT_BAD_INPUT = 2
DATA_HELP = ".csv, .xlsx/.xlsm (Excel), .dta (Stata) or .sav (SPSS)"
SHEET_HELP = "the sheet of an Excel workbook (default: its one sheet with data)"
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
EXIT_BROKEN_PIPE = 128 + 13
"""Status of a Unix tool killed by SIGPIPE (``seq 1 100000 | head``: 141)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``survey`` and its subcommands on the main parser's subparsers."""
    survey = sub.add_parser("survey", help="simulate a survey or fit survey models")
    ssub = survey.add_subparsers(dest="action", required=True)
    sim = ssub.add_parser("simulate", help="draw the SIMULATED survey from data/survey/dgp.yaml")
    sim.add_argument("--n", type=int, default=3000, help="respondents (default 3000)")
    sim.add_argument("--seed", type=int, default=5, help="random seed (default 5)")
    sim.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    sim.add_argument("--dgp", type=Path, default=None, help="default: data/survey/dgp.yaml")
    f = ssub.add_parser("fit", help="fit a survey model")
    f.add_argument("data", type=Path, metavar="DATA", help=DATA_HELP)
    f.add_argument("--sheet", default=None, metavar="NAME", help=SHEET_HELP)
    f.add_argument(
        "--model",
        choices=MODELS,
        default="ols",
        metavar="MODEL",
        help="one of %(choices)s (default: %(default)s)",
    )
    f.add_argument("--formula", required=True, help='e.g. "sat_overall ~ visits * solved"')
    f.add_argument("--mapping", type=Path, default=None, help="YAML mapping your columns")
    f.add_argument("--cluster", default=None, metavar="COL[,COL2]", help="cluster-robust SEs")
    f.add_argument("--cov-type", default=None, choices=("classical", "HC1", "HC3"))
    f.add_argument("--groups", default=None, metavar="COL", help="mixed: grouping column")
    f.add_argument("--re-formula", default=None, metavar='"~x"', help="mixed: random effects")
    reml = f.add_mutually_exclusive_group()
    reml.add_argument("--reml", dest="reml", action="store_true", default=True, help="(default)")
    reml.add_argument("--ml", dest="reml", action="store_false", help="maximum likelihood")
    f.add_argument(
        "--weights", default=None, metavar="COL", help="sampling weights (OLS, ologit, oprobit)"
    )
    f.add_argument("--singletons", choices=("error", "drop", "keep"), default="error")
    f.add_argument("--json", action="store_true", help="print one JSON object")
    f.add_argument(
        "--out", type=Path, default=None, metavar="TABLE.csv|.parquet",
        help="also write the tidy table, with provenance",
    )  # fmt: skip
    r = ssub.add_parser(
        "rank",
        help="rank groups (villages, townships) by composition-adjusted outcome, with uncertainty",
    )
    r.add_argument("data", type=Path, metavar="DATA", help=DATA_HELP)
    r.add_argument("--sheet", default=None, metavar="NAME", help=SHEET_HELP)
    r.add_argument("--formula", required=True, help='e.g. "trust ~ visits + age + party"')
    r.add_argument("--groups", required=True, metavar="COL", help="the column to rank")
    r.add_argument("--re-formula", default=None, metavar='"~x"', help="random slopes")
    r.add_argument("--mapping", type=Path, default=None, help="YAML mapping your columns")
    r.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="the standard respondent's value of a predictor (repeatable; default: means of "
        "numeric columns, reference levels of categorical ones)",
    )
    r.add_argument("--n-sim", type=int, default=2000, help="draws for rank intervals (2000)")
    r.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    r.add_argument("--alpha", type=float, default=0.05, help="1 - interval level (0.05)")
    rreml = r.add_mutually_exclusive_group()
    rreml.add_argument("--reml", dest="reml", action="store_true", default=True, help="(default)")
    rreml.add_argument("--ml", dest="reml", action="store_false", help="maximum likelihood")
    r.add_argument("--singletons", choices=("error", "drop", "keep"), default="error")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.add_argument(
        "--out", type=Path, default=None, metavar="TABLE.csv|.parquet",
        help="also write the groups table, with provenance",
    )  # fmt: skip
    r.add_argument(
        "--figure", type=Path, default=None, metavar="FIG.png|.svg|.pdf",
        help="also draw the rank-interval plot there and the caterpillar plot beside it "
        "(<name>-caterpillar), each with provenance",
    )  # fmt: skip
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help="figure labels")


def _simulate(args: argparse.Namespace) -> int:
    from workbench.survey.simulate import write_simulated

    path = write_simulated(args.out, n=args.n, seed=args.seed, dgp_path=args.dgp)
    print(f"wrote {path} ({args.n} SIMULATED respondents, seed {args.seed})", file=sys.stderr)
    return 0


def _fit(args: argparse.Namespace) -> int:
    from workbench.cli_output import check_suffix
    from workbench.survey.io import load_survey
    from workbench.survey.models import fit
    from workbench.survey.record import fit_parameters, survey_record, write_table
    from workbench.survey.tables import regression_table

    check_suffix(args.out, TABLE_SUFFIXES)
    survey = load_survey(args.data, mapping=args.mapping, sheet=args.sheet)
    with _as_user_errors(survey, "--singletons drop"):
        res = fit(
            survey.frame,
            args.formula,
            args.model,
            cluster=args.cluster,
            cov_type=args.cov_type,
            groups=args.groups,
            re_formula=args.re_formula,
            reml=args.reml,
            weights=args.weights,
            singletons=args.singletons,
        )
    record = survey_record(
        survey,
        {
            "command": "survey fit",
            **fit_parameters(res),
            "cluster": args.cluster,
            "weights": args.weights,
            "singletons": args.singletons,
            "mapping": str(args.mapping) if args.mapping else None,
        },
    )
    if args.out is not None:
        write_table(res.tidy(), args.out, record)
    title = f"{survey.source}" + (" — SIMULATED" if survey.simulated else "")
    return _emit(args.json, survey, record, res.dropped, res.to_dict,
                 lambda: _with_notes(regression_table({args.model: res}, title=title),
                                     res.notes))  # fmt: skip


def _with_notes(text: str, notes: list[str]) -> str:
    """``text`` and a ``note:`` line per note (optimiser warnings, a zero variance).

    >>> print(_with_notes("table", ["converged with powell"]))
    table
    note: converged with powell
    """
    return "\n".join([text, *(f"note: {note}" for note in notes)])


def parse_at(items: list[str]) -> dict[str, str]:
    """``["party=0", "region=西"]`` → ``{"party": "0", "region": "西"}``.

    Values stay text here; :func:`workbench.survey.rank.standard_respondent` turns
    them into numbers for numeric columns.

    Examples
    --------
    >>> parse_at(["party=0", " age = 40 "])
    {'party': '0', 'age': '40'}
    """
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SurveyValidationError(f"--at {item!r}: write it as NAME=VALUE, e.g. --at party=0")
        out[name.strip()] = value.strip()
    return out


def _rank(args: argparse.Namespace) -> int:
    from workbench.cli_output import check_suffix
    from workbench.survey.io import load_survey
    from workbench.survey.models import fit
    from workbench.survey.rank import rank_groups
    from workbench.survey.record import fit_parameters, survey_record, write_table

    if args.n_sim < 1 or not 0 < args.alpha < 1:
        raise SurveyValidationError(
            f"--n-sim must be at least 1 and --alpha between 0 and 1 "
            f"(got --n-sim {args.n_sim}, --alpha {args.alpha})"
        )
    at = parse_at(args.at)
    check_suffix(args.out, TABLE_SUFFIXES)
    check_suffix(args.figure, FIGURE_SUFFIXES)
    survey = load_survey(args.data, mapping=args.mapping, sheet=args.sheet)
    with _as_user_errors(survey, "--singletons drop (or keep them: --singletons keep)"):
        res = fit(
            survey.frame,
            args.formula,
            "mixed",
            groups=args.groups,
            re_formula=args.re_formula,
            reml=args.reml,
            singletons=args.singletons,
            alpha=args.alpha,
        )
        ranking = rank_groups(res, at=at, n_sim=args.n_sim, seed=args.seed, alpha=args.alpha)
    record = survey_record(
        survey,
        {
            "command": "survey rank",
            **fit_parameters(res),
            "reml": args.reml,
            "singletons": args.singletons,
            "mapping": str(args.mapping) if args.mapping else None,
            "at": at,
            "n_sim": args.n_sim,
            "seed": args.seed,
            "alpha": args.alpha,
        },
    )
    if args.out is not None:
        write_table(ranking.groups, args.out, record)
    if args.figure is not None:
        _rank_figures(ranking, args.figure, record, args.lang, survey.simulated)
    return _emit(args.json, survey, record, res.dropped, ranking.to_dict,
                 lambda: _rank_text(ranking, survey.source, survey.simulated))  # fmt: skip


def _rank_figures(ranking, path: Path, record: dict, lang: str, simulated: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.survey.plots import caterpillar_plot, rank_interval_plot
    from workbench.survey.record import figure_path, save_figure

    name, fmt, folder = figure_path(path)
    for suffix, plot in (("", rank_interval_plot), ("-caterpillar", caterpillar_plot)):
        fig = plot(ranking, lang=lang, simulated=simulated)
        for written in save_figure(fig, name + suffix, record, formats=(fmt,), out_dir=folder):
            print(f"wrote {written}", file=sys.stderr)
        plt.close(fig)


def _rank_text(ranking, source: str, simulated: bool) -> str:
    level = f"{1 - ranking.alpha:.0%}"
    standard = ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in ranking.standard["value"].items()
    )
    table = ranking.groups[
        ["id", "n", "blup", "se", "lo", "hi", "adjusted", "rank", "rank_lo", "rank_hi"]
    ]
    lines = [
        f"{source}"
        + (" — SIMULATED" if simulated else "")
        + f": {len(table)} groups of {ranking.group!r} ranked by {ranking.fit.formula!r}",
        f"standard respondent: {standard or '(no predictors)'}",
        table.to_string(index=False, float_format=lambda x: f"{x:.3f}"),
        f"{ranking.indistinguishable:.1%} of pairs of groups cannot be ordered at the {level} "
        f"level; rank intervals from {ranking.n_sim} draws (seed {ranking.seed})",
    ]
    lines += [f"note: {note}" for note in ranking.notes]
    return "\n".join(lines)


def _print(text: str) -> bool:
    """Print ``text`` to stdout; False when the reader has gone (``... --json | head``).

    Unix tools end quietly when the pipe they write to is closed; Python would
    print a BrokenPipeError traceback, and another when it flushes stdout at exit,
    so stdout is pointed at /dev/null before returning.
    """
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
            pass
        return False
    return True


@contextlib.contextmanager
def _as_user_errors(survey, singletons_flag: str) -> Iterator[None]:
    """Fitting errors as a user of the command line meets them: flags, the file's name."""
    from workbench.survey.io import sheet_where

    where = sheet_where(survey.source, survey.sheet)  # a workbook's sheet too
    try:
        yield
    except SingletonClusterError as err:
        # fit() speaks Python (singletons='drop'); here the user types a flag.
        raise SurveyValidationError(err.message(singletons_flag, where)) from None
    except SurveyValidationError as err:
        # fit() sees a data frame, not a file: name the file the user gave.
        raise SurveyValidationError(f"{where}: {err}") from None


def _emit(as_json: bool, survey, record: dict, dropped, payload: Callable[[], dict],
          table: Callable[[], str]) -> int:  # fmt: skip
    """Print a fit's result (JSON, or the table and its provenance line), then the rows
    the model dropped; the exit status."""
    from workbench.cli_output import records
    from workbench.survey.record import provenance_note

    if as_json:
        # data_notes: what reading the survey noticed (duplicate ids, look-alike answers,
        # mapping answers no cell holds), which the text output prints as warnings.
        out = {**payload(), "simulated": survey.simulated, "missing": records(survey.report),
               "data_notes": list(survey.notes), "provenance": record}  # fmt: skip
        text = json.dumps(out, ensure_ascii=False, indent=2)
    else:
        text = table() + "\n" + provenance_note(record)
    if not _print(text):
        return EXIT_BROKEN_PIPE
    for row in dropped.itertuples():
        print(
            f"workbench: dropped {row.rows} row(s): {row.reason} in {row.column}", file=sys.stderr
        )
    if len(dropped) > 1:
        print(_dropped_total(dropped, len(survey.frame)), file=sys.stderr)
    return 0


def _dropped_total(dropped, n_rows: int) -> str:
    """The line under several columns' drops: their sum, and that a row missing several
    columns is counted once (a column's count is then below its missing answers).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"column": ["a", "b"], "reason": ["missing value"] * 2, "rows": [3, 2]})
    >>> _dropped_total(d, 40)[:47]
    'workbench: dropped 5 of 40 row(s) in all (35 le'
    """
    total = int(dropped["rows"].sum())
    return (
        f"workbench: dropped {total} of {n_rows} row(s) in all ({n_rows - total} left); a row "
        "missing several columns is counted once, under the first of them listed, so "
        "a column's count may be below its missing answers (each column's: 'missing' in --json)"
    )


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``survey`` command; bad input → message on stderr, status 2."""
    try:
        actions = {"simulate": _simulate, "fit": _fit, "rank": _rank}
        return actions[args.action](args)
    except (SurveyValidationError, FileNotFoundError, ValueError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
