"""The ``workbench`` command imports only what the command it runs needs.

Each check runs in a fresh interpreter (as ``conftest._eagerly_imported`` does): a module
imported by an earlier test would otherwise hide an eager import. How long the commands
take to start is measured in ``benchmarks/cli_startup.py``, not here.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from workbench.cli import COMMANDS, build_parser

HEAVY = ("statsmodels", "sklearn", "matplotlib")
COMMAND_MODULES = (
    "workbench.survey.cli", "workbench.coding.cli", "workbench.network.cli",
    "workbench.analysis_cli",
)  # fmt: skip


def _loaded_after(code: str, names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` (modules or packages) a fresh interpreter has loaded after ``code``."""
    probe = (
        f"import sys\n{code}\n"
        f"print(sorted(n for n in {list(names)!r} "
        "if any(m == n or m.startswith(n + '.') for m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


def test_building_the_parser_imports_no_heavy_library():
    build = "from workbench.cli import build_parser; build_parser()"
    assert _loaded_after(build, (*HEAVY, "pandas", "scipy", *COMMAND_MODULES)) == set()


def test_declaring_every_command_imports_no_statistics_or_plotting_library():
    # lazy=False declares the arguments of every command, the survey's among them.
    build = "from workbench.cli import build_parser; build_parser(lazy=False)"
    assert _loaded_after(build, HEAVY) == set()


def test_survey_parser_needs_no_statsmodels():
    code = (
        "import argparse\nfrom workbench.survey.cli import add_parser\n"
        "add_parser(argparse.ArgumentParser().add_subparsers(dest='command'))"
    )
    assert _loaded_after(code, (*HEAVY, "patsy")) == set()


@pytest.mark.parametrize(
    ("argv", "own"),
    [
        (["--help"], None),
        (["corpus", "info", "--help"], None),
        (["code", "--help"], "workbench.coding.cli"),
        (["network", "--help"], "workbench.network.cli"),
        (["survey", "fit", "--help"], "workbench.survey.cli"),
    ],
)
def test_a_command_imports_only_its_own_module(argv, own):
    code = (
        "from workbench.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded_after(code, (*COMMAND_MODULES, "workbench.corpus.load"))
    assert loaded == ({own} if own else set())


def test_listed_help_is_the_modules_own():
    parser = build_parser(lazy=False)
    assert parser.declared_help == {name: text for name, (_, text) in COMMANDS.items()}


@pytest.mark.parametrize(
    "argv",
    [
        ["code", "--unit", "paragraph", "--out", "c.parquet"],
        ["suggest", "--n", "5", "--out", "s.csv"],
        ["codebook", "show", "--lang", "en"],
        ["network", "--kind", "problem-cause", "--out", "n.graphml"],
        ["survey", "fit", "x.csv", "--model", "ologit", "--formula", "y ~ x"],
        ["keyness", "--by", "role", "--target", "problem"],
    ],
)
def test_lazy_and_eager_parsers_agree(argv):
    assert build_parser().parse_args(argv) == build_parser(lazy=False).parse_args(argv)


def test_unknown_model_is_refused_as_before(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(
            ["survey", "fit", "x.csv", "--model", "probit", "--formula", "y ~ x"]
        )
    assert exit_.value.code == 2
    assert "invalid choice: 'probit' (choose from 'ols', 'ologit', 'oprobit', 'mixed')" in (
        capsys.readouterr().err
    )


LIGHT = ("pandas", "scipy", *HEAVY)


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["code", "--help"], LIGHT),
        (["learn", "--help"], LIGHT),
        (["suggest", "--help"], LIGHT),
        # The duplicate threshold's default comes from workbench.corpus.dedup, whose
        # submodules (numpy, pandas) load only when a name of theirs is used.
        (["pipeline", "--help"], (*LIGHT, "numpy", "pyarrow")),
        (["corpus", "info", "--help"], (*LIGHT, "numpy", "pyarrow")),
        # pandas comes with workbench.provenance (the table suffixes); the models' names
        # come from workbench.survey.model_names, without statsmodels.
        (["survey", "fit", "--help"], ("scipy", "patsy", *HEAVY)),
    ],
)
def test_command_help_imports_none_of_what_its_body_needs(argv, absent):
    code = f"from workbench.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    assert _loaded_after(code, absent) == set()
