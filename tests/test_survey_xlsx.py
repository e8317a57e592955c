"""A survey kept as an Excel workbook (.xlsx) reads as its CSV does.

Every workbook here is made by the test with openpyxl, as a researcher's own sheet would
be: Chinese column names, answers in words (非常满意 … 不满意, 不知道), rows Excel numbers
from the header's row 1.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest
from user_data import make_workbook

from workbench import config
from workbench.survey.io import load_survey
from workbench.survey.models import fit
from workbench.survey.validate import SurveyValidationError

SATISFACTION = ["非常满意", "满意", "一般", "不满意"]
HEADER = ["编号", "村", "满意度", "走访次数", "问题解决", "年龄"]

MAPPING = """columns: {village: 村, sat_overall: 满意度, visits: 走访次数, solved: 问题解决}
values:
  sat_overall: {非常满意: 4, 满意: 3, 一般: 2, 不满意: 1, 不知道: null}
  solved: {是: 1, 否: 0}
"""


def _answers(n: int = 120) -> list[list[object]]:
    """Respondents whose satisfaction rises with visits, a few 不知道 among them."""
    rows = []
    for i in range(1, n + 1):
        visits = i * 7 % 6
        sat = SATISFACTION[max(0, 3 - visits // 2 - (i % 3 == 0))] if i % 17 else "不知道"
        rows.append([1000 + i, "东西南北"[i % 4] + "村", sat, visits, "是否"[i % 2], 20 + i % 50])
    return rows


def _csv(path, rows):
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row or [])
                              for row in rows) + "\n", encoding="gbk")  # fmt: skip
    return path


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def test_a_workbook_and_its_csv_give_the_same_survey_and_the_same_fits(tmp_path, mapping):
    rows = [HEADER, *_answers()]
    book = load_survey(make_workbook(tmp_path / "问卷.xlsx", {"问卷数据": rows}), mapping)
    sheet = load_survey(_csv(tmp_path / "问卷.csv", rows), mapping)
    pd.testing.assert_frame_equal(book.frame, sheet.frame)
    pd.testing.assert_frame_equal(book.report, sheet.report)
    assert book.frame.index[0] == 2 and book.sheet == "问卷数据" and sheet.sheet is None
    assert book.report.query("code == '不知道'")["rows"].tolist() == [7]
    for model, options in (("ols", {"cluster": "village"}), ("ologit", {})):
        a = fit(book.frame, "sat_overall ~ visits + solved + 年龄", model, **options)
        b = fit(sheet.frame, "sat_overall ~ visits + solved + 年龄", model, **options)
        pd.testing.assert_frame_equal(a.tidy(), b.tidy())
        assert a.nobs == b.nobs == 113


def test_a_workbook_goes_through_the_checks_of_a_csv_naming_the_sheets_rows(tmp_path, mapping):
    """Qualtrics' question texts under the header, an empty row, a row of totals and a note
    under the table: left out and noted as for a CSV, with the rows Excel shows."""
    answers = _answers(20)
    rows = [HEADER, ["Response ID", "您所在的村", "总体满意度", "走访次数", "问题解决", "年龄"],
            *answers[:5], None, *answers[5:], ["合计", None, None, 60, None, None],
            None, ["注：满意度1=不满意，4=非常满意"]]  # fmt: skip
    path = make_workbook(tmp_path / "s.xlsx", {"Sheet1": rows})
    survey = load_survey(path, mapping)
    assert len(survey.frame) == 20 and survey.frame.index[:6].tolist() == [3, 4, 5, 6, 7, 9]
    where = f"{config.display_path(path)} (sheet 'Sheet1')"
    assert survey.notes[:4] == [
        f"{where}: row 2 under the column names is Qualtrics' question texts ('Response ID', "
        "'您所在的村', …, '问题解决', '年龄'), not answers: left out (the answers start on row 3)",
        f"{where}: row 24 ('合计') are totals or means of the rows, not respondents: left out",
        f"{where}: rows 25, 26 at the end of the file are notes ('注：满意度1=不满意，4=非常满意') "
        "and 1 blank row, not answers: left out",
        f"{where}: row 8 among the answers is empty, no respondent: left out",
    ]
    rows[12][3] = "三"  # Excel's row 13
    make_workbook(path, {"Sheet1": rows})
    with pytest.raises(
        SurveyValidationError,
        match=rf"{re.escape(where)}: column 'visits' "
        r"\(your column '走访次数'\) has non-numeric value\(s\) \['三'\] in row 13; ",
    ):
        load_survey(path, mapping)


def test_the_command_line_reads_a_workbook_and_asks_for_a_sheet(tmp_path, mapping, capsys):
    from workbench.cli import main

    path = make_workbook(tmp_path / "s.xlsx", {"数据": [HEADER, *_answers(60)],
                                            "说明": [["满意度", "1=不满意"]]})  # fmt: skip
    args = ["survey", "fit", str(path), "--mapping", str(mapping), "--formula",
            "sat_overall ~ visits", "--json"]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "s.xlsx: 2 sheets hold data: '数据' (61 rows × 6 columns), '说明' (1 row × 2 " in err
    assert "name the sheet to read (--sheet NAME" in err and "Traceback" not in err
    assert main([*args, "--sheet", "数据"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["provenance"]["parameters"]["sheet"] == "数据" and out["nobs"] == 57
    csv = _csv(tmp_path / "s.csv", [HEADER, *_answers(60)])
    assert main(["survey", "fit", str(csv), "--sheet", "数据", "--formula", "满意度 ~ 1"]) == 2
    assert "s.csv: a sheet ('数据') is named, but the file is no Excel workbook" in (
        capsys.readouterr().err
    )


def test_a_sheet_of_column_names_alone_and_a_fitting_error_name_the_sheet(tmp_path, capsys):
    """A header without answers was refused by the model as 'empty in every one of the 0
    rows'; an error of the fit named the workbook but not its sheet."""
    from workbench.cli import main

    path = make_workbook(tmp_path / "s.xlsx", {"数据": [HEADER]})
    with pytest.raises(SurveyValidationError, match=r"s\.xlsx \(sheet '数据'\): no answers under "
                       r"the column names \(row 1\)"):  # fmt: skip
        load_survey(path)
    with pytest.raises(SurveyValidationError, match=r"s\.csv: no answers under the column names"):
        load_survey(_csv(tmp_path / "s.csv", [HEADER, None, [None] * 6]))
    make_workbook(path, {"数据": [HEADER, *_answers(9), [1010, "中村", "满意", 2, "是", 40]]})
    assert main(["survey", "fit", str(path), "--formula", "走访次数 ~ 1", "--cluster", "村"]) == 2
    assert (
        "s.xlsx (sheet '数据'): column '村': 1 cluster(s) with one respondent: 中村 (row 11)"
        in (capsys.readouterr().err)
    )


def test_a_village_merged_over_its_respondents_is_each_ones_village(tmp_path):
    rows = [HEADER, *_answers(12)]
    path = make_workbook(tmp_path / "s.xlsx", {"数据": rows})
    book = openpyxl.load_workbook(path)
    book["数据"].merge_cells("B2:B7")  # 西村 (respondent 1001), merged down over five more
    book.save(path)
    survey = load_survey(path)
    assert survey.frame.loc[2:7, "村"].tolist() == ["西村"] * 6
    assert survey.notes[0].endswith(
        "cells merged down over several rows (B2:B7) give each of their rows their value, as "
        "the sheet shows it"
    )


def test_a_places_table_may_be_a_workbook(tmp_path):
    from workbench.survey.link import load_places

    rows = [["doc_id", "village"], ["a/a1", "东村"], [" ", "西村"]]
    path = make_workbook(tmp_path / "places.xlsx", {"地点": rows})
    with pytest.raises(SurveyValidationError, match=r"places\.xlsx: blank doc_id in row 3"):
        load_places(path)
