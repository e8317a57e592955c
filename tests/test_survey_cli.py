"""``workbench survey simulate`` and ``workbench survey fit ... --json``."""

from __future__ import annotations

import json

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
    assert "bad.csv" in err and "'sat_overall'" in err and "row 2" in err
