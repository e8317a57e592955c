"""``workbench survey simulate`` and ``workbench survey fit ... --json``."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from workbench import config
from workbench.cli import main


def test_simulate_writes_data_and_provenance(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["survey", "simulate", "--n", "240", "--seed", "3", "--out", str(out)]) == 0
    assert out.exists() and (tmp_path / "s.csv.provenance.json").exists()
    assert "SIMULATED" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "extra_keys"),
    [
        (["--formula", "trust ~ visits * solved", "--cluster", "village,county"], []),
        (["--model", "ologit", "--formula", "sat_overall ~ visits"], ["cutpoints", "cutpoint_bse"]),
        (["--model", "mixed", "--formula", "trust ~ visits", "--groups", "village",
          "--re-formula", "~visits", "--ml"], ["cov_re", "scale"]),
    ],
)  # fmt: skip
def test_fit_json_contract(capsys, args, extra_keys):
    assert main(["survey", "fit", str(config.SURVEY_DATA), *args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "model",
        "nobs",
        "params",
        "bse",
        "pvalues",
        "conf_int",
        "llf",
        "aic",
        "bic",
        *extra_keys,
    ):
        assert key in out, key
    assert out["simulated"] is True
    assert set(out["conf_int"]) == set(out["params"])
    if "cov_re" in out:
        assert out["cov_re"]["names"] == ["Intercept", "visits"] and out["aic"] is not None


def test_fit_weights_and_table_output(capsys):
    args = [
        "survey",
        "fit",
        str(config.SURVEY_DATA),
        "--formula",
        "trust ~ solved",
        "--weights",
        "weight",
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "SIMULATED" in captured.out and "HC1" in captured.out
    assert "dropped 62 row(s): missing value in trust" in captured.err


def test_bad_input_exits_2_with_message(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sat_overall,visits\n3,1\n12,2\n")
    assert main(["survey", "fit", str(bad), "--formula", "sat_overall ~ visits"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "'sat_overall'" in err and "row 3" in err


# --- A user's own survey through the command line (issue 14) --------------------------


@pytest.fixture
def my_csv(tmp_path):
    """A plain numeric CSV outside the codebook, with a 99 'missing' code in hh_size."""
    path = tmp_path / "my.csv"
    rows = ["y,x,hh_size,village"]
    rows += [f"{1 + 0.5 * i + (i % 3) * 0.2},{i},{99 if i == 5 else 2 + i % 4},{i % 4}"
             for i in range(1, 21)]  # fmt: skip
    path.write_text("\n".join(rows) + "\n")
    return path


def _fit(capsys, *args):
    status = main(["survey", "fit", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured


def test_plain_numeric_csv_fits_with_numeric_terms(tmp_path, my_csv, capsys):
    status, captured = _fit(capsys, my_csv, "--model", "ols", "--formula", "y ~ x", "--json")
    assert status == 0, captured.err
    assert set(json.loads(captured.out)["params"]) == {"Intercept", "x"}
    mapping = tmp_path / "map.yaml"
    mapping.write_text("missing: {hh_size: [99]}\n")
    status, captured = _fit(
        capsys, my_csv, "--formula", "y ~ x + hh_size", "--mapping", mapping, "--json"
    )
    out = json.loads(captured.out)
    assert status == 0 and set(out["params"]) == {"Intercept", "x", "hh_size"}  # no dummies
    assert out["nobs"] == 19 and out["missing"][0]["code"] == 99
    assert "dropped 1 row(s): missing value in hh_size" in captured.err


def test_mapping_with_a_misspelt_standard_name_exits_2(tmp_path, my_csv, capsys):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {trsut: y}\n")
    status, captured = _fit(capsys, my_csv, "--formula", "trust ~ x", "--mapping", mapping)
    assert status == 2
    assert "map.yaml" in captured.err and "'trsut'" in captured.err
    assert "did you mean 'trust'" in captured.err and "'sat_overall'" in captured.err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--formula", "y ~ x + hh_sise"], ["'hh_sise'", "did you mean 'hh_size'"]),
        (["--formula", "yy ~ x"], ["'yy'", "did you mean 'y'"]),
        (["--model", "ologit", "--formula", "hh_size ~ z"], ["'z'", "no similar name"]),
        (["--formula", "y ~ x", "--cluster", "vilage"], ["'vilage'", "did you mean 'village'"]),
    ],
)
def test_formula_names_not_in_the_data_exit_2_with_a_close_match(my_csv, capsys, args, names):
    status, captured = _fit(capsys, my_csv, *args)
    assert status == 2
    assert captured.err.startswith("workbench: ") and "my.csv" in captured.err
    for name in names:
        assert name in captured.err
    assert "columns are ['hh_size', 'village', 'x', 'y']" in captured.err


def test_text_outcome_is_refused_by_name(tmp_path, capsys):
    data = tmp_path / "my.csv"
    data.write_text("y,x\nhigh,1\nlow,2\nhigh,3\n")
    status, captured = _fit(capsys, data, "--formula", "y ~ x")
    assert status == 2 and "my.csv: the outcome 'y' holds text (['high', 'low'])" in captured.err


def test_singleton_cluster_message_gives_the_cli_flag_and_the_file(my_csv, capsys):
    status, captured = _fit(capsys, my_csv, "--formula", "y ~ x", "--cluster", "hh_size")
    assert status == 2
    assert "my.csv: column 'hh_size'" in captured.err and "99 (row 6)" in captured.err
    assert "--singletons drop" in captured.err and "singletons='drop'" not in captured.err
    status, captured = _fit(
        capsys, my_csv, "--formula", "y ~ x", "--cluster", "hh_size", "--singletons", "drop"
    )
    assert status == 0 and "cluster with one respondent in hh_size" in captured.err


def test_json_into_a_closed_pipe_ends_quietly(my_csv):
    """``workbench survey fit ... --json | head``: no BrokenPipeError traceback."""
    cmd = [sys.executable, "-m", "workbench.cli", "survey", "fit", str(my_csv)]
    proc = subprocess.Popen(
        [*cmd, "--formula", "y ~ x", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before the command has printed anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "BrokenPipeError" not in err and "Traceback" not in err


def test_a_mixed_fit_shows_its_notes_in_the_table_and_the_json(tmp_path, capsys):
    """Two villages whose variance is zero (the tester's s_ws.csv): the command printed an
    intercept of 0.000 (SE 286872627) from an optimiser that stopped at an infinite
    log-likelihood, and never its notes."""
    path = tmp_path / "two.csv"
    y = [40, 92, 45, 58, 71, 84, 97, 50, 63, 76, 89, 42,
         55, 68, 81, 94, 47, 60, 73, 86, 99, 52, 65, 78, 91, 44]  # fmt: skip
    x = [1, 0, 0] * 8 + [1, 0]
    rows = [f"{a},{b},{'e' if i < 12 else 'w'}" for i, (a, b) in enumerate(zip(y, x, strict=True))]
    path.write_text("y,x,g\n" + "\n".join(rows) + "\n")
    args = [path, "--model", "mixed", "--formula", "y ~ x", "--groups", "g"]
    status, captured = _fit(capsys, *args)
    assert status == 0, captured.err
    assert "286872627" not in captured.out and "| Intercept | 68.471*** |" in captured.out
    assert "note: lbfgs: reported convergence but log-likelihood not finite" in captured.out
    assert "note: the variance between 'g' groups is estimated at (numerically) zero" in (
        captured.out
    )
    status, captured = _fit(capsys, *args, "--json")
    out = json.loads(captured.out)
    assert out["llf"] is not None and out["notes"][-1].startswith("the variance between 'g'")


def test_json_carries_what_reading_the_survey_noticed(tmp_path, capsys):
    """A respondent id entered twice was only a warning on stderr; --json has it too, under
    data_notes (the bundled survey has none)."""
    path = tmp_path / "s.csv"
    rows = ["resp_id,y,x", *(f"{i if i != 7 else 6},{i % 5},{i % 3}" for i in range(1, 21))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, captured = _fit(capsys, path, "--model", "ols", "--formula", "y ~ x", "--json")
    notes = json.loads(captured.out)["data_notes"]
    assert status == 0 and len(notes) == 1 and "respondent id 6 occurs more than once" in notes[0]
    assert main(["survey", "fit", str(config.SURVEY_DATA), "--formula", "trust ~ visits",
                 "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["data_notes"] == []


def test_drops_of_several_columns_are_summed_and_said_counted_once(tmp_path, capsys):
    """满意 missing in rows 2-4 and 走访 in rows 4-6: 'dropped 3 row(s) ... 满意' then '2 row(s)
    ... 走访' looked as if 走访 had two missing answers, not three; a line now gives the sum,
    the rows left (the N of the table) and that a row is counted once."""
    满意 = [None, None, None, 4, 5, 3, 2, 4, 5, 1, 3, 4, 2, 5]
    走访 = [1, 2, None, None, None, 0, 3, 5, 2, 4, 1, 0, 6, 2]
    path = tmp_path / "s.csv"
    年龄 = [34, 51, 62, 45, 38, 70, 29, 55, 48, 66, 41, 59, 33, 47]
    pd.DataFrame({"满意": 满意, "走访": 走访, "年龄": 年龄}).to_csv(path, index=False)
    status, captured = _fit(capsys, path, "--formula", "满意 ~ 走访", "--json")
    assert status == 0 and json.loads(captured.out)["nobs"] == 9
    assert "dropped 3 row(s): missing value in 满意" in captured.err
    assert "dropped 2 row(s): missing value in 走访" in captured.err
    assert "dropped 5 of 14 row(s) in all (9 left); a row missing several" in captured.err
    status, captured = _fit(capsys, path, "--formula", "走访 ~ 1", "--json")
    assert status == 0 and "in all" not in captured.err  # one column: nothing to sum
