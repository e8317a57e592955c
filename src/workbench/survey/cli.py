"""``workbench survey simulate|fit``: the survey subcommands.

``workbench survey simulate --n 3000 --seed 5 --out FILE.csv``
    Draw the SIMULATED survey from ``data/survey/dgp.yaml`` (a provenance
    sidecar records n, seed and the DGP's checksum).
``workbench survey fit DATA --model {ols,ologit,oprobit,mixed} --formula "y ~ x" [--json]``
    Load DATA (CSV, .dta, .sav; ``--mapping`` for a user's survey), fit and print
    a table, or with ``--json`` one JSON object with the names of the Python API.

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
import json
import os
import sys
from pathlib import Path

from workbench.survey.models import MODELS
from workbench.survey.validate import SingletonClusterError, SurveyValidationError

EXIT_BAD_INPUT = 2
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
    f.add_argument("data", type=Path, metavar="DATA", help=".csv, .dta or .sav")
    f.add_argument("--model", choices=MODELS, default="ols")
    f.add_argument("--formula", required=True, help='e.g. "sat_overall ~ visits * solved"')
    f.add_argument("--mapping", type=Path, default=None, help="YAML mapping your columns")
    f.add_argument("--cluster", default=None, metavar="COL[,COL2]", help="cluster-robust SEs")
    f.add_argument("--cov-type", default=None, choices=("classical", "HC1", "HC3"))
    f.add_argument("--groups", default=None, metavar="COL", help="mixed: grouping column")
    f.add_argument("--re-formula", default=None, metavar='"~x"', help="mixed: random effects")
    reml = f.add_mutually_exclusive_group()
    reml.add_argument("--reml", dest="reml", action="store_true", default=True, help="(default)")
    reml.add_argument("--ml", dest="reml", action="store_false", help="maximum likelihood")
    f.add_argument("--weights", default=None, metavar="COL", help="sampling weights (OLS)")
    f.add_argument("--singletons", choices=("error", "drop"), default="error")
    f.add_argument("--json", action="store_true", help="print one JSON object")


def _simulate(args: argparse.Namespace) -> int:
    from workbench.survey.simulate import write_simulated

    path = write_simulated(args.out, n=args.n, seed=args.seed, dgp_path=args.dgp)
    print(f"wrote {path} ({args.n} SIMULATED respondents, seed {args.seed})", file=sys.stderr)
    return 0


def _fit(args: argparse.Namespace) -> int:
    from workbench.survey.io import load_survey
    from workbench.survey.models import fit
    from workbench.survey.tables import regression_table

    survey = load_survey(args.data, mapping=args.mapping)
    try:
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
    except SingletonClusterError as err:
        # fit() speaks Python (singletons='drop'); here the user types a flag.
        raise SurveyValidationError(err.message("--singletons drop", survey.source)) from None
    except SurveyValidationError as err:
        # fit() sees a data frame, not a file: name the file the user gave.
        raise SurveyValidationError(f"{survey.source}: {err}") from None
    if args.json:
        out = {**res.to_dict(), "simulated": survey.simulated, "missing": _records(survey.report)}
        text = json.dumps(out, ensure_ascii=False, indent=2)
    else:
        title = f"{survey.source}" + (" — SIMULATED" if survey.simulated else "")
        text = regression_table({args.model: res}, title=title)
    if not _print(text):
        return EXIT_BROKEN_PIPE
    for row in res.dropped.itertuples():
        print(
            f"workbench: dropped {row.rows} row(s): {row.reason} in {row.column}", file=sys.stderr
        )
    return 0


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


def _records(report) -> list[dict]:
    return [{k: (None if v != v else v) for k, v in r.items()} for r in report.to_dict("records")]


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``survey`` command; bad input → message on stderr, status 2."""
    try:
        return _simulate(args) if args.action == "simulate" else _fit(args)
    except (SurveyValidationError, FileNotFoundError, ValueError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
