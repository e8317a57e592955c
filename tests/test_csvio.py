"""``workbench.csvio``: a user's CSV as Excel and WPS save it.

Every file here is made by the test the way a spreadsheet writes it: "CSV" on a Chinese
Windows (GBK), "CSV UTF-8" (with a byte-order mark), "Unicode text" (UTF-16, tabs),
a European locale's semicolons, Big5 from Taiwan, a row with a stray separator.
"""

from __future__ import annotations

import pandas as pd
import pytest

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
        (b"\xef\xbb\xbfa,b\n\xff\xfe\n",
         "has a UTF-8 byte-order mark but is not UTF-8 .*line 2, byte 7"),
        (b"\xef\xbb\xbf" + "村,满意度\n东村,5\n西村,4\n".encode("gbk"),
         "reads as GB18030/GBK: delete its first three bytes"),
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
    with pytest.raises(CsvError, match=r"s.csv: row 1 names two or more columns alike: "
                                       r"'满意度' \(columns 2, 4\); give each column"):
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
