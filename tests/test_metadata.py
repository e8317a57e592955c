"""Joining user metadata onto documents."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.corpus.metadata import (
    MetadataError,
    apply_metadata,
    check_metadata,
    join_metadata,
    read_metadata,
)

DOCS = pd.DataFrame(
    {
        "doc_id": ["000_x/a1", "002_y/a1", "002_y/a2"],
        "file": ["000_x.txt", "002_y.txt", "002_y.txt"],
        "title": ["", "如何改善干群關系", "二"],
    }
)


def _csv(tmp_path, text):
    p = tmp_path / "meta.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_join_by_file_keeps_order_and_fills_every_article(tmp_path):
    p = _csv(tmp_path, "file,genre,year\n002_y.txt,compilation,2005\n000_x.txt,essay,2013\n")
    out = join_metadata(DOCS, p)
    assert out["doc_id"].tolist() == DOCS["doc_id"].tolist()
    assert out["genre"].tolist() == ["essay", "compilation", "compilation"]
    assert out["year"].tolist() == ["2013", "2005", "2005"]


def test_file_without_row_gets_missing_values(tmp_path):
    out = join_metadata(DOCS, _csv(tmp_path, "file,region\n000_x.txt,湖北\n"))
    assert out["region"].isna().tolist() == [False, True, True]


def test_missing_key_column_names_the_file(tmp_path):
    p = _csv(tmp_path, "name,genre\n000_x.txt,essay\n")
    with pytest.raises(MetadataError, match=r"meta\.csv: no 'file' column") as err:
        join_metadata(DOCS, p)
    # the example is one of the user's own files, not a bundled seed's name
    assert "e.g. 000_x.txt" in str(err.value) and "688e36" not in str(err.value)


def test_load_corpus_refuses_a_column_named_like_a_segments_column(tmp_path):
    # corpus build and load_corpus took a 'role' column silently, which every analysis
    # then read as the segments' role; the analysis commands refused it
    from workbench.corpus import load_corpus

    corpus = tmp_path / "corp"
    corpus.mkdir()
    (corpus / "县长讲话.txt").write_text(
        "关于干群关系\n一、存在的问题\n干部作风漂浮，脱离群众。\n", encoding="utf-8"
    )
    meta = _csv(tmp_path, "file,role\n县长讲话.txt,县长\n")
    with pytest.raises(MetadataError, match="role"):
        load_corpus([corpus], metadata=meta)


def test_duplicate_keys_name_rows(tmp_path):
    p = _csv(tmp_path, "file,genre\n000_x.txt,a\n002_y.txt,b\n000_x.txt,c\n")
    with pytest.raises(MetadataError, match=r"000_x\.txt.*rows 2, 4"):
        join_metadata(DOCS, p)


def test_clashing_column_is_refused(tmp_path):
    with pytest.raises(MetadataError, match="title"):
        join_metadata(DOCS, _csv(tmp_path, "file,title\n000_x.txt,t\n"))


def test_the_same_metadata_given_again_is_taken_as_it_is(tmp_path):
    # A corpus built with --metadata, given the same CSV again by a command (trends,
    # keyness …): its columns are already there with the same values, so nothing clashes.
    p = _csv(tmp_path, "file,genre,year\n002_y.txt,compilation,2005\n000_x.txt,,2013\n")
    built = join_metadata(DOCS, p)
    again = join_metadata(built, p)
    pd.testing.assert_frame_equal(again, built)
    # Other values under the same name would overwrite the corpus's: refused, naming them.
    changed = _csv(tmp_path, "file,genre,year\n002_y.txt,essay,2005\n000_x.txt,,2013\n")
    with pytest.raises(MetadataError, match="columns genre would overwrite"):
        join_metadata(built, changed)


def test_unknown_files_are_logged(tmp_path, caplog):
    join_metadata(DOCS, _csv(tmp_path, "file,genre\nnope.txt,a\n"))
    assert "nope.txt" in caplog.text


def test_keys_written_as_a_spreadsheet_user_writes_them_are_matched(tmp_path):
    # No suffix, the suffix in capitals, spaces around: each names exactly one file.
    p = _csv(tmp_path, "文件名,genre\n 000_x ,essay\n002_y.TXT,compilation\n")
    out = join_metadata(DOCS, p)
    assert out["genre"].tolist() == ["essay", "compilation", "compilation"]
    assert "file" in out.columns and "文件名" not in out.columns


def test_a_file_named_by_its_folders_matches_with_either_slash(tmp_path):
    docs = pd.DataFrame({"doc_id": ["2015_1/a1", "2016_1/a1"],
                         "file": ["2015/1.txt", "2016/1.txt"]})  # fmt: skip
    out = join_metadata(docs, _csv(tmp_path, "file,year\n2015\\1.txt,2015\n2016/1,2016\n"))
    assert out["year"].tolist() == ["2015", "2016"]


def test_a_stem_naming_two_loaded_files_is_not_guessed(tmp_path, caplog):
    docs = pd.DataFrame({"doc_id": ["r/a1", "r_2/a1"], "file": ["r.txt", "r.docx"]})
    out = join_metadata(docs, _csv(tmp_path, "file,genre\nr,essay\n"))
    assert out["genre"].isna().all()
    assert "no loaded file named r" in caplog.text


def test_two_spellings_of_one_file_are_a_duplicate(tmp_path):
    p = _csv(tmp_path, "file,genre\n000_x,a\n000_x.txt,b\n")
    with pytest.raises(MetadataError, match=r"000_x\.txt.*rows 2, 3"):
        join_metadata(DOCS, p)


def test_an_unknown_name_is_logged_with_the_closest_loaded_file(tmp_path, caplog):
    join_metadata(DOCS, _csv(tmp_path, "file,genre\n002_z.txt,a\n"))
    assert "002_z.txt (closest loaded file: 002_y.txt)" in caplog.text


def test_missing_metadata_file(tmp_path):
    with pytest.raises(MetadataError, match="not found"):
        join_metadata(DOCS, tmp_path / "absent.csv")


def test_metadata_saved_by_excel_in_gbk_with_semicolons(tmp_path):
    """Excel's "CSV" on a Chinese Windows is GBK; some locales separate with ';'."""
    path = tmp_path / "元数据.csv"
    path.write_bytes("file;genre\r\n报告.txt;调研报告\r\n".encode("gbk"))
    meta, _ = read_metadata(path)
    assert meta.to_dict("records") == [{"file": "报告.txt", "genre": "调研报告"}]
    path.write_bytes(b"file,genre\n\xff\xfe\xfd,x\n")
    with pytest.raises(MetadataError, match=r"元数据\.csv: cannot detect the encoding: not UTF-8"):
        read_metadata(path)


def test_chinese_date_and_year_headings_set_the_date(tmp_path):
    # The tester's meta_gbk.csv: 文件名 was taken as the key, 日期 and 年份 as ordinary columns.
    p = tmp_path / "meta_gbk.csv"
    p.write_bytes("文件名,日期,年份,组别\n000_x.txt,2000-01-01,2000,甲\n002_y.txt,,2019,乙\n"
                  .encode("gbk"))  # fmt: skip
    out = join_metadata(DOCS.assign(date=["1990", "", ""], date_source="text"), p)
    assert "日期" not in out.columns and "年份" not in out.columns
    assert out["date"].tolist() == ["2000-01-01", "", ""]
    assert out["date_source"].tolist() == ["metadata", "text", "text"]
    assert out["year"].tolist() == ["2000", "2019", "2019"]
    from workbench.trends import document_dates

    assert document_dates(out).tolist() == ["2000-01-01", "2019", "2019"]
    # An English heading beside it is the date; the Chinese one stays an ordinary column.
    both = _csv(tmp_path, "file,date,日期\n000_x.txt,2001,2002\n")
    assert join_metadata(DOCS, both)[["date", "日期"]].iloc[0].tolist() == ["2001", "2002"]


def test_a_date_as_a_chinese_spreadsheet_writes_it(tmp_path):
    # 2015年 and 2015年3月 were refused as "not a date" while 2015年3月4日 was read.
    p = _csv(tmp_path, "file,日期\n000_x.txt,2015年\n002_y.txt,2016年3月\n")
    assert join_metadata(DOCS, p)["date"].tolist()[:2] == ["2015", "2016-03"]


def test_a_column_named_as_a_segments_column_is_refused(tmp_path):
    # The tester's m_role.csv: --by role silently used the segments' role.
    p = _csv(tmp_path, "file,role,section,genre\n000_x.txt,官方,x,essay\n")
    seg_cols = ["segment_id", "doc_id", "file", "section", "role", "text"]
    with pytest.raises(MetadataError, match=r"meta\.csv: column\(s\) role, section have the "
                       r"name of a segments column.*rename them, e.g. role_meta"):  # fmt: skip
        join_metadata(DOCS, p, segment_columns=seg_cols)
    ok = _csv(tmp_path, "file,genre\n000_x.txt,essay\n")
    assert "genre" in join_metadata(DOCS, ok, segment_columns=seg_cols)


def test_a_metadata_column_hiding_a_segments_column_is_refused_by_the_analyses(tmp_path):
    from workbench.groups import InputError, group_values

    seg = pd.DataFrame({"doc_id": ["000_x/a1", "002_y/a1"], "file": ["000_x.txt", "002_y.txt"],
                        "role": ["problem", "other"]})  # fmt: skip
    # Joined when the corpus was built (no segments to check against then).
    docs = join_metadata(DOCS, _csv(tmp_path, "file,role\n000_x.txt,官方\n002_y.txt,民间\n"))
    with pytest.raises(InputError, match="'role' is both a segments column and a documents"):
        group_values(seg, "role", docs)
    assert group_values(seg, "file", docs).tolist() == seg["file"].tolist()  # same values


@pytest.mark.parametrize("heading", ["author", "作者"])
def test_an_author_column_fills_in_the_author(tmp_path, heading):
    """Tester 20: a metadata CSV with file, date, region, author was refused ("columns author
    would overwrite corpus columns"), though author, like date, is the researcher's word."""
    docs = DOCS.assign(author=["王某", "", ""])
    p = _csv(tmp_path, f"file,region,{heading}\n000_x.txt,甲县,\n002_y.txt,乙县,张三\n")
    out = join_metadata(docs, p)
    assert out["author"].tolist() == ["王某", "张三", "张三"]  # an empty cell keeps the byline's
    assert out["region"].tolist() == ["甲县", "乙县", "乙县"]
    assert join_metadata(DOCS, p)["author"].tolist() == ["", "张三", "张三"]  # no author column


def test_empty_rows_and_columns_a_spreadsheet_leaves_are_ignored(tmp_path):
    """Tester 20: an Excel export with empty rows and unheaded empty columns was refused as
    "file names listed more than once () at rows 3, 5"."""
    p = tmp_path / "meta.csv"
    p.write_bytes(
        "\ufeff文件名,地区,,\r\n000_x.txt,甲县,,\r\n,,,\r\n002_y.txt,乙县,,\r\n , ,,\r\n".encode()
    )
    out = join_metadata(DOCS, p)
    assert out["地区"].tolist() == ["甲县", "乙县", "乙县"]
    assert "" not in out.columns


def test_a_row_without_a_file_name_or_a_column_without_a_heading_is_named(tmp_path):
    with pytest.raises(MetadataError, match=r"row\(s\) 3 have values but no file name"):
        join_metadata(DOCS, _csv(tmp_path, "file,genre\n000_x.txt,a\n,b\n"))
    with pytest.raises(MetadataError, match=r"column\(s\) 3 hold values but have no heading"):
        join_metadata(DOCS, _csv(tmp_path, "file,genre,\n000_x.txt,a,x\n"))


def test_a_full_path_names_the_file_its_last_parts_spell(tmp_path):
    """Tester 20: a sheet made from a folder listing holds full paths; none matched."""
    docs = pd.DataFrame({"doc_id": ["2015_1/a1", "2016_1/a1", "b/a1"],
                         "file": ["2015/1.txt", "2016/1.txt", "报告.txt"]})  # fmt: skip
    p = _csv(tmp_path, "file,year\nD:\\corpus\\2015\\1.txt,2015\n/home/me/corpus/2016/1.TXT,2016\n"
                       "C:\\Users\\me\\报告.txt,2017\n")  # fmt: skip
    assert join_metadata(docs, p)["year"].tolist() == ["2015", "2016", "2017"]
    # a path whose file name two loaded files share names neither
    out = join_metadata(docs, _csv(tmp_path, "file,year\nD:\\other\\1.txt,2015\n"))
    assert out["year"].isna().all()


def test_checked_once_and_joined_part_by_part_is_the_whole_join(tmp_path):
    # The streamed pipeline checks the metadata once against every file, then joins it
    # onto each documents part: the parts together are join_metadata's table.
    p = _csv(tmp_path, "文件名,日期,作者,genre\n000_x,2013年6月18日,张三,essay\n002_y.TXT,,,报告\n")
    checked = check_metadata(p, DOCS)
    parts = [apply_metadata(DOCS.iloc[:1], checked), apply_metadata(DOCS.iloc[1:], checked)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), join_metadata(DOCS, p))


def test_a_file_list_without_values_refuses_every_corpus_column(tmp_path):
    # Checked before the documents exist (joined=False), a column named as a documents
    # column cannot have been joined before: it is refused even when blank, where
    # a frame holding values would take a blank column as joined already.
    files = DOCS[["file"]].reindex(columns=DOCS.columns)
    p = _csv(tmp_path, "file,title\n000_x.txt,\n")
    check_metadata(p, files)  # taken as the blank titles joined already
    with pytest.raises(MetadataError, match="columns title would overwrite"):
        check_metadata(p, files, joined=False)


def test_a_folder_given_as_metadata_is_named_as_such(tmp_path):
    with pytest.raises(MetadataError, match=r"is a folder, not a metadata file; give the CSV"):
        join_metadata(DOCS, tmp_path)


def test_rows_are_named_as_excel_shows_them_after_empty_rows(tmp_path):
    """The date check counted rows after the empty ones were left out, and the CSV reader
    skipped blank lines: '2013年13月' on row 6 of the sheet was named as row 3."""
    p = tmp_path / "meta.csv"
    p.write_text("file,date\n000_x.txt,2013-06-18\n,\n\n\n002_y.txt,2013年13月\n",
                 encoding="gbk")  # fmt: skip
    with pytest.raises(MetadataError, match=r"not dates: row 6 \(002_y\.txt: '2013年13月'\)"):
        check_metadata(p, DOCS)
    p.write_text("file,genre\n000_x.txt,a\n\n002_y.txt,b\n002_y.txt,c\n", encoding="utf-8")
    with pytest.raises(MetadataError, match=r"listed more than once \(002_y\.txt\) at rows 4, 5"):
        check_metadata(p, DOCS)
    frame = pd.DataFrame({"file": ["000_x.txt", "000_x.txt"]})  # a table: numbered as saved
    with pytest.raises(MetadataError, match=r"at rows 2, 3"):
        check_metadata(frame, DOCS)


def test_an_excel_workbook_of_metadata_is_read_as_its_csv(tmp_path):
    """A researcher keeps the metadata in Excel: it was read as bytes of a CSV and refused
    as binary; now its one sheet is read, rows named as Excel shows them."""
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    for row in (["文件名", "地区", "日期"], ["000_x.txt", "甲县", datetime.datetime(2013, 6, 18)],
                [], ["002_y", "乙县", 2005]):  # fmt: skip
        ws.append(row)
    path = tmp_path / "meta.xlsx"
    book.save(path)
    out = join_metadata(DOCS, path)
    assert out["地区"].tolist() == ["甲县", "乙县", "乙县"]
    assert out["date"].tolist()[0] == "2013-06-18" and out["date"].tolist()[1] == "2005"
    ws["C4"] = "去年"
    book.create_sheet("说明").append(["地区：县名"])
    book.save(path)
    with pytest.raises(MetadataError, match=r"2 sheets hold data: .*; keep the metadata on "
                       r"a sheet of its own workbook, or save that sheet as CSV"):  # fmt: skip
        check_metadata(path, DOCS)
    del book["说明"]
    book.save(path)
    with pytest.raises(MetadataError, match=r"not dates: row 4 \(002_y\.txt: '去年'\)"):
        check_metadata(path, DOCS)
    (tmp_path / "meta.et").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(MetadataError, match=r"meta\.et: is a WPS workbook, which cannot be read"):
        check_metadata(tmp_path / "meta.et", DOCS)
