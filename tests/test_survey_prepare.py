"""``workbench.survey.prepare``: the model frame of a user's survey, whatever its column names.

The surveys here are made by the tests: a questionnaire exported with Chinese column names
(走访次数, 谈心, 满意度), as a researcher in China would have it, and one whose names need
``Q("...")`` in a formula.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.survey.models import fit
from workbench.survey.prepare import (
    check_numbers_as_text,
    formula_columns,
    formula_names,
    model_frame,
    reduce_formula,
)
from workbench.survey.validate import SurveyValidationError


def _chinese_survey(n: int = 120, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    visits = rng.integers(0, 6, n).astype(float)
    talk = rng.integers(0, 2, n).astype(float)
    sat = np.clip(np.round(1 + 0.5 * visits + talk + rng.normal(0, 0.8, n)), 1, 5)
    df = pd.DataFrame({"村": rng.choice(["甲村", "乙村", "丙村"], n), "走访次数": visits,
                       "谈心": talk, "满意度": sat})  # fmt: skip
    df.loc[[2, 7], "谈心"] = np.nan
    return df


def test_chinese_column_names_are_the_formulas_columns():
    cols = ["满意度", "走访次数", "谈心", "村"]
    assert formula_columns("满意度 ~ 走访次数 + 谈心", cols) == ["满意度", "走访次数", "谈心"]
    wrapped = formula_columns("满意度 ~ np.log(走访次数 + 1) + C(村)", cols)
    assert wrapped == ["满意度", "走访次数", "村"]


def test_names_quoted_with_q_are_the_formulas_columns():
    cols = ["sat overall", "visits per year", "x"]
    assert formula_columns('Q("sat overall") ~ Q("visits per year") + x', cols) == cols


def test_model_frame_of_a_chinese_formula_keeps_its_columns_and_reports_drops():
    frame, dropped = model_frame(_chinese_survey(), "满意度 ~ 走访次数 + 谈心")
    assert list(frame.columns) == ["满意度", "走访次数", "谈心"]
    assert len(frame) == 118
    assert dropped.values.tolist() == [["谈心", "missing value", 2]]


@pytest.mark.parametrize("model", ["ols", "ologit"])
def test_a_model_with_chinese_names_fits(model):
    res = fit(_chinese_survey(), "满意度 ~ 走访次数 + 谈心", model)
    assert {"走访次数", "谈心"} <= set(res.params.index)
    assert res.nobs == 118 and res.params["走访次数"] > 0


def test_the_command_fits_a_csv_with_chinese_column_names(tmp_path, capsys):
    path = tmp_path / "我的问卷.csv"
    _chinese_survey().to_csv(path, index=False, encoding="utf-8-sig")  # Excel's "CSV UTF-8"
    status = main(["survey", "fit", str(path), "--model", "ols", "--json",
                   "--formula", "满意度 ~ 走访次数 + 谈心"])  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    out = json.loads(captured.out)
    assert set(out["params"]) == {"Intercept", "走访次数", "谈心"}
    assert "dropped 2 row(s): missing value in 谈心" in captured.err


def _with_words(df: pd.DataFrame) -> pd.DataFrame:
    """The survey as a CSV gives it when two answers are written in words: text."""
    out = df.copy()
    out["走访次数"] = out["走访次数"].map(lambda v: f"{v:g}").astype(object)
    out.loc[5, "走访次数"] = "无"
    out.loc[9, "走访次数"] = "不知道"
    out.loc[11, "走访次数"] = "无"
    return out


def test_a_column_empty_in_every_row_is_named():
    # The tester's survey: `收入` (income) mapped, but never answered.
    data = pd.DataFrame({"sat_overall": [1, 2, 3, np.nan], "visits": [1, np.nan, 2, 3],
                         "income": [np.nan] * 4})  # fmt: skip
    says = r"'income' is empty \(missing\) in every one of the 4 rows; leave it out"
    with pytest.raises(SurveyValidationError, match=says):
        model_frame(data, "sat_overall ~ visits + income")
    # No column empty, yet no row complete: say how many rows miss each.
    data = pd.DataFrame({"y": [1, np.nan], "x": [np.nan, 2]})
    with pytest.raises(SurveyValidationError, match=r"rows missing each: 'y' 1, 'x' 1"):
        model_frame(data, "y ~ x")


def test_numbers_with_words_among_them_are_not_silently_categories():
    """'3', '5', '无': patsy would fit 走访次数[T.无] beside 走访次数[T.3], no slope."""
    data = _with_words(_chinese_survey())
    with pytest.raises(SurveyValidationError) as err:
        fit(data, "满意度 ~ 走访次数 + 谈心", "ols")
    message = str(err.value)
    assert message.startswith("column '走访次数' holds numbers and text")
    assert "'无' in rows 5, 11; '不知道' in row 9" in message
    assert "Leave a missing answer blank" in message and "C(走访次数)" in message


def test_categories_on_purpose_and_text_columns_are_left_alone():
    data = _with_words(_chinese_survey())
    res = fit(data, "满意度 ~ C(走访次数) + C(村)", "ols")
    assert "C(走访次数)[T.无]" in res.params.index
    check_numbers_as_text(data, "满意度 ~ 村 + 谈心")  # words only: categories, as meant


def test_the_command_names_the_file_and_exits_2(tmp_path, capsys):
    path = tmp_path / "问卷.csv"
    _with_words(_chinese_survey()).to_csv(path, index=False, encoding="utf-8-sig")
    status = main(["survey", "fit", str(path), "--formula", "满意度 ~ 走访次数"])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    assert f"{path.name}: column '走访次数' holds numbers and text" in err


STANDARD = ("sat_overall ~ visits * solved + talk + follow_up + contact_card + open_affairs"
            " + mass_meeting + cadre_days + party + female + age + educ")  # fmt: skip
LIAISON = ["visits", "solved", "talk", "follow_up", "contact_card", "open_affairs",
           "mass_meeting", "cadre_days"]  # fmt: skip


def _own_survey(n: int = 200, seed: int = 3) -> pd.DataFrame:
    """An ordinary survey: overall satisfaction, four liaison measures, village ids."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "village": rng.integers(1, 21, n), "visits": rng.poisson(2, n).astype(float),
        "talk": rng.integers(0, 2, n), "contact_card": rng.integers(0, 2, n),
        "open_affairs": rng.integers(0, 2, n),
    })  # fmt: skip
    latent = 0.3 * df["visits"] + 0.5 * df["talk"] + rng.logistic(size=n)
    df["sat_overall"] = np.digitize(latent, [-0.5, 0.5, 1.5, 2.5]) + 1
    df.loc[[4, 9], "visits"] = np.nan
    return df


def test_a_survey_without_some_standard_columns_fits_the_terms_it_has():
    df = _own_survey()
    reduced = reduce_formula(STANDARD, df.columns, key=LIAISON, required=["village"])
    assert reduced.runs
    assert reduced.formula == "sat_overall ~ visits + talk + contact_card + open_affairs"
    assert reduced.dropped == ["solved", "visits:solved", "follow_up", "mass_meeting",
                               "cadre_days", "party", "female", "age", "educ"]  # fmt: skip
    assert reduced.absent == ["solved", "follow_up", "mass_meeting", "cadre_days", "party",
                              "female", "age", "educ"]  # fmt: skip
    note = reduced.note("The model 'Ordered logit'", "my.yaml")
    assert "visits:solved" in note and "adjust for less" in note and "my.yaml" in note
    res = fit(df, reduced.formula, "ologit", cluster="village")
    assert {"visits", "talk", "contact_card", "open_affairs"} <= set(res.params.index)
    assert res.nobs == len(df) - 2


def test_a_whole_survey_keeps_the_formula_as_written():
    cols = [*formula_names(STANDARD), "village"]
    reduced = reduce_formula(STANDARD, cols, key=LIAISON, required=["village"])
    assert (reduced.formula, reduced.dropped, reduced.absent, reduced.runs) == (
        STANDARD, [], [], True)  # fmt: skip
    assert reduced.note("m", "my.yaml") is None


@pytest.mark.parametrize(
    ("columns", "says"),
    [
        (["visits", "talk", "village"], "no column(s) sat_overall"),
        (["sat_overall", "visits", "talk"], "no column(s) village"),
        (["sat_overall", "age", "party", "village"], "none of the columns visits, solved"),
    ],
)
def test_a_model_without_its_outcome_or_any_key_term_is_skipped(columns, says):
    reduced = reduce_formula(STANDARD, columns, key=LIAISON, required=["village"])
    assert not reduced.runs
    note = reduced.note("The model", "my.yaml")
    assert note.startswith("The model is skipped") and says in note


def test_interactions_categories_functions_and_chinese_names():
    r = reduce_formula("满意度 ~ 走访次数:谈心 + C(村) + np.log(天数 + 1) + I(年龄 ** 2)",
                       ["满意度", "走访次数", "村", "年龄"])  # fmt: skip
    assert r.formula == "满意度 ~ C(村) + I(年龄 ** 2)"
    assert r.dropped == ["走访次数:谈心", "np.log(天数 + 1)"]
    assert r.absent == ["谈心", "天数"]
    no_intercept = reduce_formula("y ~ 0 + a + b", ["y", "a"])
    assert no_intercept.formula == "y ~ 0 + a" and no_intercept.runs


def test_a_formula_without_an_outcome_is_refused():
    with pytest.raises(SurveyValidationError, match="no outcome"):
        reduce_formula("visits + talk", ["visits", "talk"])


def test_a_close_column_that_needs_quoting_is_suggested_as_the_formula_writes_it():
    """'Q5-1' in a formula is Q5 minus 1: the suggestion must be Q('Q5-1') (tester 19)."""
    data = pd.DataFrame({"Q5-1": [1.0, 2, 3], "信任 程度": [50.0, 60, 65]})
    with pytest.raises(SurveyValidationError) as err:
        model_frame(data, "信任程度 ~ Q5_1")
    assert "'信任程度' (did you mean Q('信任 程度')?)" in str(err.value)
    assert "'Q5_1' (did you mean Q('Q5-1')?)" in str(err.value)
    frame, _ = model_frame(data, "Q('信任 程度') ~ Q('Q5-1')")
    assert list(frame.columns) == ["信任 程度", "Q5-1"]


def test_a_column_name_a_formula_cannot_read_is_told_to_be_quoted(tmp_path, capsys):
    """'总体满意度(1-5) ~ 走访 次数' on a CSV with those columns: 'workbench: attempt to get
    argmax of an empty sequence', a pandas error, for a formula that named no column."""
    path = tmp_path / "s.csv"
    rows = "".join(f"{1 + i % 5},{i % 4}\n" for i in range(20))
    path.write_text("总体满意度(1-5),走访 次数\n" + rows, encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "总体满意度(1-5) ~ 走访 次数"]) == 2
    err = capsys.readouterr().err
    assert "'总体满意度(1-5)' is a column whose name a formula reads as arithmetic or a call" in err
    assert "(did you mean Q('总体满意度(1-5)')?)" in err and "argmax" not in err
    data = pd.DataFrame({"y": [1.0, 2, 3], "走访 次数": [1.0, 0, 2]})
    with pytest.raises(SurveyValidationError, match=r"'走访 次数' is neither a column name nor"):
        fit(data, "y ~ 走访 次数")
    assert fit(data, "y ~ Q('走访 次数')").nobs == 3
