"""``workbench.csvio``: a user's CSV as Excel and WPS save it.

Every file here is made by the test the way a spreadsheet writes it: "CSV" on a Chinese
Windows (GBK), "CSV UTF-8" (with a byte-order mark), "Unicode text" (UTF-16, tabs),
a European locale's semicolons, Big5 from Taiwan, a row with a stray separator.
"""

from __future__ import annotations

import pandas as pd
import pytest
from user_data import make_workbook

from workbench.csvio import CsvError, read_user_csv

ROWS = [["村", "走访次数", "满意度"], ["甲村", "3", "满意"], ["乙村", "", "不满意"]]


def _write(path, rows, sep=",", encoding="utf-8", newline="\r\n"):
    text = newline.join(sep.join(row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "sep", "read_as"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),  # Excel's "CSV UTF-8"
        ("gbk", ",", "gb18030"),  # Excel's "CSV" on a Chinese Windows
        ("gb18030", ";", "gb18030"),  # ... in a locale that separates with ';'
        ("utf-16", "\t", "utf-16"),  # Excel's "Unicode text"
        ("big5", ",", "big5"),
    ],
)
def test_spreadsheet_exports_read_alike(tmp_path, encoding, sep, read_as):
    rows = ROWS
    if encoding == "big5":
        rows = [["村", "走訪次數", "滿意度"], ["甲村", "3", "滿意"], ["乙村", "", "不滿意"]]
    table = read_user_csv(_write(tmp_path / "s.csv", rows, sep, encoding))
    assert table.columns.tolist() == rows[0]
    assert table.to_numpy().tolist() == [rows[1], rows[2]]  # blanks stay "", all text
    assert table.attrs == {"encoding": read_as, "sep": sep}


def test_commas_inside_quotes_and_short_rows(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('村,收入,备注\n甲村,"34,085",\n乙村,"12,000"\n', encoding="utf-8")
    table = read_user_csv(path)
    assert table.to_numpy().tolist() == [["甲村", "34,085", ""], ["乙村", "12,000", ""]]


def test_a_row_with_more_fields_than_the_header_is_refused_with_its_line(tmp_path):
    # pandas would silently take the first field for an index and shift the row
    path = _write(tmp_path / "问卷.csv", [["a", "b"], ["1", "2"], ["3", "4", "5"]])
    with pytest.raises(CsvError, match=r"问卷.csv: more fields than the header's 2 on row 3"):
        read_user_csv(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        # The messages are workbench.decoding's, the corpus reader's.
        ("caf\xe9,na\xefve\n1,2\n".encode("latin-1"), "cannot detect the encoding: not UTF-8"),
        (
            b"\xef\xbb\xbfa,b\n\xff\xfe\n",
            "has a UTF-8 byte-order mark but is not UTF-8 .*line 2, byte 7",
        ),
        (
            b"\xef\xbb\xbf" + "村,满意度\n东村,5\n西村,4\n".encode("gbk"),
            "reads as GB18030/GBK: delete its first three bytes",
        ),
        (b"a,b\n\x00\x01,\x02\n", "looks like a binary file"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "is UTF-32 encoded"),
    ],
)
def test_unreadable_files_are_named_with_what_to_do(tmp_path, data, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(CsvError, match=message) as err:
        read_user_csv(path)
    assert str(err.value).startswith(f"{path}: ") and "CSV UTF-8" in str(err.value)


def test_what_pandas_reads_the_same_reads_the_same(tmp_path):
    """On a plain UTF-8 comma CSV the reader agrees with pandas, cell for cell."""
    path = _write(tmp_path / "s.csv", ROWS, newline="\n")
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(read_user_csv(path), expected)


def test_a_row_in_another_encoding_is_read_and_named_in_a_warning(tmp_path, caplog):
    # A GBK row pasted into a UTF-8 file: workbench.decoding decodes that line in GBK.
    data = "村,满意度\n甲村,满意\n".encode() + "乙村,不满意\n".encode("gbk")
    path = tmp_path / "s.csv"
    path.write_bytes(data)
    with caplog.at_level("WARNING", logger="workbench.csvio"):
        table = read_user_csv(path)
    assert table.to_numpy().tolist() == [["甲村", "满意"], ["乙村", "不满意"]]
    assert table.attrs["encoding"] == "utf-8"
    assert f"{path}: line 3 decoded as GB18030" in caplog.text


def test_a_row_no_encoding_decodes_is_refused_with_its_line(tmp_path):
    # Its cells would hold U+FFFD: refused rather than read with lost text.
    data = "村,满意度\n甲村,满意\n乙村,满意\n".encode() + b"\xff\xfe\xff,1\n"
    path = tmp_path / "s.csv"
    path.write_bytes(data)
    with pytest.raises(CsvError, match=r"s.csv: line 4 cannot be decoded \(neither utf-8"):
        read_user_csv(path)


def test_excels_trailing_empty_columns_are_left_out(tmp_path):
    # Excel writes ",,," for cells right of the table that were once formatted.
    rows = [[*row, "", "", ""] for row in ROWS]
    table = read_user_csv(_write(tmp_path / "s.csv", rows, encoding="gbk"))
    assert table.columns.tolist() == ROWS[0]
    assert table.to_numpy().tolist() == [ROWS[1], ROWS[2]]


def test_a_column_without_a_name_but_with_values_is_kept(tmp_path):
    table = read_user_csv(_write(tmp_path / "s.csv", [["村", ""], ["甲村", "x"], ["乙村", ""]]))
    assert table.columns.tolist() == ["村", ""]


def test_two_columns_named_alike_are_refused_naming_them(tmp_path):
    rows = [["编号", "满意度", "年龄", "满意度"], ["1", "4", "30", "5"]]
    with pytest.raises(
        CsvError,
        match=r"s.csv: row 1 names two or more columns alike: "
        r"'满意度' \(columns 2, 4\); give each column",
    ):
        read_user_csv(_write(tmp_path / "s.csv", rows))


def test_rows_are_numbered_as_excel_shows_them(tmp_path):
    """Blank lines are rows of their own in Excel (left out, counted); a quoted cell over
    several lines is one row; blank lines before the header are skipped."""
    path = tmp_path / "s.csv"
    path.write_text('\n村,备注\n东村,"一\n二"\n\n西村,\n南村,\n', encoding="gbk")
    table = read_user_csv(path, sheet_rows=True)
    assert table.index.name == "row" and table.index.tolist() == [3, 5, 6]
    assert table["村"].tolist() == ["东村", "西村", "南村"]
    assert table.attrs["header_row"] == 2 and table.attrs["multiline_rows"] == [3]
    assert read_user_csv(path).index.tolist() == [0, 1, 2]  # without: as before


def test_a_long_row_after_a_cell_of_several_lines_names_its_row_and_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('a,b\n"x\ny",1\n\n2,3,4\n', encoding="utf-8")
    with pytest.raises(CsvError, match=r"header's 2 on row 4 \(line 5\) \(3 fields\)"):
        read_user_csv(path)


def test_columns_keep_their_places_when_empty_ones_are_left_out(tmp_path):
    path = _write(tmp_path / "s.csv", [["编号", "", "满意度", "满意度"], ["1", "", "4", "5"]])
    with pytest.raises(CsvError, match=r"'满意度' \(columns 3, 4\)"):
        read_user_csv(path)
    path = _write(tmp_path / "t.csv", [["编号", "", "满意度"], ["1", "", "4"]])
    assert read_user_csv(path, sheet_rows=True).attrs["column_numbers"] == [1, 3]


# --- Excel workbooks (.xlsx), read as the CSV Excel would save of them ---------------------


    return path


def _saved_by_excel(path, values):
    """Give formula cells the value Excel saves with them (openpyxl writes none)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for cell, value in values.items():
        formula = rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'
        sheet = re.sub(formula, rf"\g<1><v>{value}</v>", sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_workbook_reads_as_its_csv_with_rows_as_excel_shows_them(tmp_path):
    import datetime

    from workbench.csvio import read_user_table

    rows = [["编号", "村", "满意度", "走访次数", "覆盖率", "调查日期", "党员", "合计"],
            [1, "东村", "非常满意", 3.0, 0.785, datetime.datetime(2023, 5, 1), True, "=D2*2"],
            None,  # an empty row: Excel's row 3
            [2, " 西村", "不知道", 0, 0.5, datetime.datetime(2023, 5, 2, 8, 30), False,
             "=D4*2"]]  # fmt: skip
    path = make_workbook(tmp_path / "问卷.xlsx", {"数据": rows})
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["数据"]["E2"].number_format = book["数据"]["E4"].number_format = "0.0%"
    book.save(path)
    _saved_by_excel(path, {"H2": "6", "H4": "0"})
    table = read_user_table(path, sheet_rows=True)
    # The empty row 3 is kept, as Excel's CSV keeps it (,,,): its readers judge it.
    assert table.index.tolist() == [2, 3, 4] and table.attrs["sheet"] == "数据"
    assert table.loc[[2, 4]].to_dict("list") == {
        "编号": ["1", "2"], "村": ["东村", " 西村"], "满意度": ["非常满意", "不知道"],
        "走访次数": ["3", "0"], "覆盖率": ["78.5%", "50%"],
        "调查日期": ["2023-05-01", "2023-05-02 08:30:00"], "党员": ["TRUE", "FALSE"],
        "合计": ["6", "0"],  # the values Excel saved, not the formulas
    }  # fmt: skip
    assert table.loc[3].tolist() == [""] * 8


def test_a_formula_without_a_saved_value_is_refused(tmp_path):
    from workbench.csvio import read_user_xlsx

    path = make_workbook(tmp_path / "s.xlsx", {"Sheet1": [["a", "b"], [1, "=A2+1"], [2, "=A3+1"]]})
    with pytest.raises(
        CsvError,
        match=r"s\.xlsx, sheet 'Sheet1': cells B2, B3 hold formulas "
        r"whose values were never saved .* open it in Excel or WPS, save it",
    ):
        read_user_xlsx(path)


def test_the_sheet_is_the_one_with_data_or_the_one_named(tmp_path):
    from workbench.csvio import read_user_xlsx

    data = [["村", "满意度"], ["东村", "满意"]]
    path = make_workbook(tmp_path / "s.xlsx", {"封面": [], "数据": data, "旧": [["x"], ["1"]]},
                 hidden=("旧",))  # fmt: skip
    assert read_user_xlsx(path).attrs["sheet"] == "数据"  # empty and hidden sheets left aside
    assert read_user_xlsx(path, sheet="旧")["x"].tolist() == ["1"]  # hidden, but named
    assert read_user_xlsx(path, sheet=" 数据 ").attrs["sheet"] == "数据"
    with pytest.raises(CsvError, match=r"no sheet named '数' \(did you mean '数据'\?\); its "
                                       r"sheets are '封面', '数据', '旧'"):  # fmt: skip
        read_user_xlsx(path, sheet="数")
    path = make_workbook(tmp_path / "t.xlsx", {"数据": data, "说明": [["满意度：1=不满意"]]})
    with pytest.raises(CsvError, match=r"t\.xlsx: 2 sheets hold data: '数据' \(2 rows × 2 "
                       r"columns\), '说明' \(1 row × 1 column\); name the sheet to read "
                       r"\(--sheet NAME"):  # fmt: skip
        read_user_xlsx(path)
    with pytest.raises(CsvError, match=r"s\.xlsx, sheet '封面': the sheet is empty"):
        read_user_xlsx(tmp_path / "s.xlsx", sheet="封面")


def test_merged_cells_in_a_workbook(tmp_path):
    """A village merged down over its respondents is each row's village, as the sheet shows;
    a group name merged over columns of a two-row header is refused, naming the cells."""
    import openpyxl

    from workbench.csvio import read_user_xlsx

    rows = [["编号", "村", "满意度"], [1, "东村", "满意"], [2, None, "一般"], [3, "西村", "满意"]]
    path = make_workbook(tmp_path / "s.xlsx", {"Sheet1": rows})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].merge_cells("B2:B3")
    book.save(path)
    table = read_user_xlsx(path)
    assert table["村"].tolist() == ["东村", "东村", "西村"] and table.attrs["merged"] == ["B2:B3"]
    rows = [["编号", "基本情况", None, "满意度"], [None, "年龄", "性别", None],
            [1, 34, "男", "满意"]]  # fmt: skip
    path = make_workbook(tmp_path / "h.xlsx", {"Sheet1": rows})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].merge_cells("B1:C1")
    book.save(path)
    with pytest.raises(CsvError, match=r"h\.xlsx, sheet 'Sheet1': the header \(row 1\) has a "
                       r"cell merged over B1:C1 \('基本情况'\), so the columns under it have no "
                       r"name of their own; unmerge it"):  # fmt: skip
        read_user_xlsx(path)


@pytest.mark.parametrize(
    ("data", "said"),
    [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "is password-protected"),
     (b"PK\x03\x04 truncated", "cannot be read as an Excel workbook"),
     ("村,满意度\n东村,满意\n".encode(), "cannot be read as an Excel workbook")],
)  # fmt: skip
def test_a_protected_or_damaged_workbook_is_named_as_such(tmp_path, data, said):
    from workbench.csvio import read_user_xlsx

    path = tmp_path / "s.xlsx"
    path.write_bytes(data)
    with pytest.raises(CsvError, match=rf"s\.xlsx: {said}"):
        read_user_xlsx(path)
