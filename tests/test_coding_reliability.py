"""Reliability statistics, sheets round trip, gold sample and the rule coder on it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench import config
from workbench.coding.codebook import load_codebook
from workbench.coding.coder import code_segments
from workbench.coding.reliability import agreement, align_gold, alpha
from workbench.coding.sheets import (
    SheetError,
    assign_split,
    blank_sheet,
    read_sheet,
    sample_units,
    write_sheet,
)

CATS = ["problem", "cause", "countermeasure", "liaison"]


def test_agreement_perfect_and_undefined():
    a = pd.DataFrame({"unit_id": ["a", "b", "c"], "x": [1, 0, 1], "y": [0, 0, 0]})
    res = agreement(a, a, ["x", "y"]).set_index("column")
    assert res.loc["x", "kappa"] == 1.0 and res.loc["x", "f1"] == 1.0
    assert math.isnan(res.loc["y", "kappa"])
    with pytest.raises(ValueError, match="same units"):
        agreement(a, a.iloc[:2], ["x"])


def test_alpha_three_coders_with_missing():
    a = pd.DataFrame({"unit_id": list("abcd"), "x": [1, 0, 1, 0]})
    b = pd.DataFrame({"unit_id": list("abcd"), "x": [1, 0, 1, 0]})
    c = pd.DataFrame({"unit_id": list("abc"), "x": [1, 0, 1]})
    assert alpha([a, b, c], "x") == pytest.approx(1.0)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_round_trip(tmp_path, seeds, suffix):
    units = seeds.analysis_segments().rename(columns={"segment_id": "unit_id"})
    s1 = sample_units(units, 40, seed=7)
    assert s1.equals(sample_units(units, 40, seed=7))
    assert s1["file"].nunique() == 5
    s1["split"] = assign_split(s1, 0.5, seed=7)
    sheet = blank_sheet(s1, CATS)
    sheet[CATS] = "0"
    sheet.loc[0, "problem"] = "x"
    path = write_sheet(sheet, tmp_path / f"s{suffix}")
    back = read_sheet(path, CATS, units=units["unit_id"])
    assert back["problem"].tolist()[0] == 1 and back[CATS].to_numpy().sum() == 1
    assert back["unit_id"].tolist() == sheet["unit_id"].tolist()


def test_sheet_errors(tmp_path):
    sheet = pd.DataFrame({"unit_id": ["a", "b"], "problem": ["1", ""]})
    path = write_sheet(sheet, tmp_path / "s.csv")
    with pytest.raises(SheetError, match="row 3, column 'problem': blank"):
        read_sheet(path, ["problem"])
    assert read_sheet(path, ["problem"], blank="absent").attrs["blanks"] == 1
    write_sheet(pd.DataFrame({"unit_id": ["a"], "problem": ["maybe"]}), path)
    with pytest.raises(SheetError, match="'maybe'"):
        read_sheet(path, ["problem"])
    other = write_sheet(pd.DataFrame({"unit_id": ["zz"], "problem": ["1"]}), tmp_path / "u.csv")
    with pytest.raises(SheetError, match="unknown unit"):
        read_sheet(other, ["problem"], units=["a"])


@pytest.fixture(scope="module")
def gold(seeds):
    raw = read_sheet(config.GOLD_SAMPLE, CATS)
    text = pd.read_csv(config.GOLD_SAMPLE, encoding="utf-8-sig", usecols=["unit_id", "text"])
    return align_gold(raw.merge(text, on="unit_id"), seeds.segments)


def test_gold_sample_shape(gold):
    assert len(gold) + len(gold.attrs["unmatched"]) >= 150
    assert gold["unit_id"].str[:3].nunique() == 5
    assert {"tune", "heldout"} == set(gold["split"])
    assert (gold["split"] == "heldout").sum() >= 100
    assert len(gold.attrs["unmatched"]) <= 5  # listed, not dropped silently


def test_rule_coder_on_heldout_gold(seeds, gold):
    cb = load_codebook()
    held = gold[gold["split"] == "heldout"]
    res = code_segments(seeds.segments[seeds.segments["segment_id"].isin(held["unit_id"])], cb)
    table = agreement(held, res.categories(cb).reset_index(), CATS).set_index("column")
    # Reported in notebook 02 and data/gold/README.md; the target is 0.7.
    assert (table["kappa"] >= 0.7).all(), table["kappa"].to_dict()
