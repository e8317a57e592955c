"""Loading CSV, Stata and SPSS surveys, mapping files, missing codes and validation errors."""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest

from workbench import config
from workbench.survey.io import load_mapping, load_survey
from workbench.survey.validate import SurveyValidationError


@pytest.fixture(scope="module")
def bundled():
    return load_survey()


def test_bundled_survey_is_labelled_simulated_and_clean(bundled):
    assert bundled.simulated and bundled.source == "data/survey/survey.csv"
    # rows as Excel shows the CSV: the header is row 1, the first respondent row 2
    assert bundled.frame.index.name == "row" and bundled.frame.index[0] == 2
    assert bundled.frame["sat_overall"].dropna().isin(range(1, 6)).all()
    assert bundled.frame["trust"].max() <= 100


def test_every_missing_code_is_counted(bundled):
    raw = pd.read_csv(config.SURVEY_DATA)
    codes = bundled.report[bundled.report["reason"] == "missing-value code"]
    for row in codes.itertuples():
        assert (raw[row.column] == row.code).sum() == row.rows
    assert bundled.frame.isna().sum().sum() == codes["rows"].sum()


def _write_csv(tmp_path, rows, name="bad.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _write_mapping(tmp_path, text):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_non_numeric_value_names_file_column_and_row(tmp_path):
    path = _write_csv(tmp_path, {"sat_overall": ["3", "very", "4"], "visits": ["1", "2", "3"]})
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    msg = str(err.value)
    assert "bad.csv" in msg and "'sat_overall'" in msg and "['very']" in msg and "row 3" in msg


def test_out_of_range_likert_code_is_an_error_with_a_hint(tmp_path):
    path = _write_csv(tmp_path, {"sat_support": [1, 6, 7, 2]})
    with pytest.raises(
        SurveyValidationError, match=r"'sat_support'.*\[6, 7\] outside 1–5 in rows 3, 4.*missing"
    ):
        load_survey(path)


def test_mapping_adds_missing_codes(tmp_path):
    data = _write_csv(tmp_path, {"q1": [1, -1, 5], "q2": [0, 1, 1]})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {sat_overall: q1, party: q2}\nmissing: {sat_overall: [-1]}\n")
    s = load_survey(data, mapping=mapping)
    assert s.frame["sat_overall"].isna().tolist() == [False, True, False]
    assert s.report.to_dict("records") == [
        {"column": "sat_overall", "reason": "missing-value code", "code": -1, "rows": 1}
    ]
    assert not s.simulated


def test_mapping_values_turn_text_answers_into_numbers(tmp_path):
    # Questionnaire exports write yes/no and Likert answers as words: the mapping's
    # values give each its number; blanks stay missing; an answer left out is an error.
    data = _write_csv(tmp_path, {"满意度": ["非常满意", "比较满意", "", "4"],
                                 "是否党员": ["是", "否 ", "是", "否"]})  # fmt: skip
    mapping = _write_mapping(
        tmp_path,
        "columns: {sat_overall: 满意度, party: 是否党员}\n"
        "values: {sat_overall: {非常满意: 5, 比较满意: 4}, party: {是: 1, 否: 0}}\n",
    )
    s = load_survey(data, mapping=mapping)
    assert s.frame["sat_overall"].tolist()[:2] == [5.0, 4.0]
    assert s.frame["sat_overall"].isna().tolist() == [False, False, True, False]
    assert s.frame["party"].tolist() == [1.0, 0.0, 1.0, 0.0]
    mapping.write_text("columns: {sat_overall: 满意度}\nvalues: {sat_overall: {非常满意: 5}}\n",
                       encoding="utf-8")  # fmt: skip
    with pytest.raises(SurveyValidationError, match=r"\['比较满意'\] in row 3.*'values:'"):
        load_survey(data, mapping=mapping)
    # Values for a name that is neither standard nor a column are refused, as missing codes are.
    mapping.write_text("values: {满意: {非常满意: 5}}\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match="under 'values', '满意' is neither"):
        load_survey(data, mapping=mapping)


def test_mapping_values_null_marks_an_answer_missing(tmp_path, capsys):
    # "Don't know" is no point of the scale: `不知道: null` (or ~) makes it missing, counted
    # in the report under its answer, the file's blanks counted apart.
    data = _write_csv(tmp_path, {"满意度": ["非常满意", "不知道", "", "比较满意", "不知道",
                                            "比较满意", "非常满意", "比较满意"],
                                 "q_visits": ["3", "2", "3", "1", "2", "2", "4", "0"]})  # fmt: skip
    mapping = _write_mapping(
        tmp_path,
        "columns: {sat_overall: 满意度, visits: q_visits}\n"
        "values: {sat_overall: {非常满意: 5, 比较满意: 4, 不知道: null}}\n",
    )
    s = load_survey(data, mapping=mapping)
    assert s.frame["sat_overall"].isna().tolist() == [False, True, True, False, True] + [False] * 3
    assert s.report.to_dict("records") == [
        {"column": "sat_overall", "reason": "missing answer", "code": "不知道", "rows": 2},
        {"column": "sat_overall", "reason": "missing in file", "code": None, "rows": 1},
    ]
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("null", "~"), "utf-8")
    assert load_survey(data, mapping=mapping).frame["sat_overall"].equals(s.frame["sat_overall"])
    # The command fits the answered rows, and --json reports the missing answers.
    from workbench.cli import main

    argv = ["survey", "fit", str(data), "--mapping", str(mapping), "--model", "ols",
            "--formula", "sat_overall ~ visits", "--json"]  # fmt: skip
    assert main(argv) == 0
    missing = json.loads(capsys.readouterr().out)["missing"]
    assert {"column": "sat_overall", "reason": "missing answer", "code": "不知道",
            "rows": 2} in missing  # fmt: skip


def test_mapping_naming_an_absent_column_says_which(tmp_path):
    data = _write_csv(tmp_path, {"q1": [1, 2]})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {sat_overall: q1, trust: q9}\n")
    with pytest.raises(SurveyValidationError, match=r"'q9' \(for trust\).*not in the file"):
        load_survey(data, mapping=mapping)


def test_mapping_file_with_unknown_section(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("colums: {a: b}\n")
    with pytest.raises(SurveyValidationError, match="unknown section"):
        load_mapping(mapping)


def test_example_mapping_file_parses():
    m = load_mapping(config.SURVEY_DIR / "mapping_example.yaml")
    assert m.columns["sat_overall"] and "trust" in m.ranges
    assert m.values["solved"]["不知道"] is None  # null: the answer means missing


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "s.pdf"
    path.write_bytes(b"")
    with pytest.raises(SurveyValidationError, match=r"unsupported file type '\.pdf'; use one of"):
        load_survey(path)


@pytest.mark.parametrize("ext", ["dta", "sav"])
def test_stata_and_spss_with_value_labels_and_mapping(tmp_path, bundled, ext):
    raw = pd.read_csv(config.SURVEY_DATA).head(200)
    user = raw[["village", "sat_overall", "visits", "solved"]].rename(
        columns={"village": "vid", "sat_overall": "a35", "visits": "q12", "solved": "q13"}
    )
    path = tmp_path / f"extract.{ext}"
    labels = {"a35": {1: "very dissatisfied", 5: "very satisfied", 9: "refused"}}
    writer = pyreadstat.write_dta if ext == "dta" else pyreadstat.write_sav
    writer(user, str(path), variable_value_labels=labels)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {village: vid, sat_overall: a35, visits: q12, solved: q13}\n")
    s = load_survey(path, mapping=mapping)
    expected = bundled.frame.loc[2:201, ["village", "sat_overall", "visits", "solved"]]
    # a .dta's rows are its observations from 1, the CSV's the rows Excel shows, from 2
    pd.testing.assert_frame_equal(s.frame, expected.set_axis(s.frame.index), check_dtype=False)
    assert s.value_labels["sat_overall"][9] == "refused"


# --- A user's columns outside the codebook (issue 14) -------------------------------


def test_bundled_survey_loads_as_pandas_reads_it_with_codes_masked(bundled):
    """Guard for notebook 04: the bundled survey's dtypes and values do not move."""
    expected = pd.read_csv(config.SURVEY_DATA)
    expected.index = pd.RangeIndex(2, len(expected) + 2, name="row")
    for row in bundled.report.itertuples():
        expected[row.column] = expected[row.column].mask(expected[row.column] == row.code)
    pd.testing.assert_frame_equal(bundled.frame, expected)
    assert set(bundled.report["reason"]) == {"missing-value code"}


def test_numeric_columns_outside_the_codebook_are_numeric(tmp_path):
    data = _write_csv(
        tmp_path,
        {"y": [1.5, 2.5, 3.1, 4.2], "x": [1, 2, 3, 4], "hh_size": [2, 3, 99, 4]},
        name="my.csv",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("missing: {hh_size: [99]}\nranges: {hh_size: [1, 20]}\n")
    s = load_survey(data, mapping=mapping)
    assert all(pd.api.types.is_numeric_dtype(s.frame[c]) for c in ["y", "x", "hh_size"])
    assert s.frame["hh_size"].isna().tolist() == [False, False, True, False]
    assert s.frame["hh_size"].sum() == 2 + 3 + 4
    assert s.report.to_dict("records") == [
        {"column": "hh_size", "reason": "missing-value code", "code": 99, "rows": 1}
    ]


def test_extra_column_range_from_the_mapping_is_checked(tmp_path):
    data = _write_csv(tmp_path, {"hh_size": [2, 35]}, name="my.csv")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("ranges: {hh_size: [1, 20]}\n")
    with pytest.raises(SurveyValidationError, match=r"my.csv: column 'hh_size'.*\[35\].*row 3"):
        load_survey(data, mapping=mapping)


def test_text_columns_and_text_ids_are_kept_as_they_are(tmp_path):
    data = _write_csv(
        tmp_path,
        {
            "village": ["V01", "V01", "V02"],
            "region": ["north", "south", ""],
            "note": ["1", "two", "3"],
            "blanks": ["4", "", "NA"],
        },
    )
    frame = load_survey(data).frame
    assert frame["village"].tolist() == ["V01", "V01", "V02"]
    assert frame["region"].tolist()[:2] == ["north", "south"] and pd.isna(frame["region"][4])
    assert frame["note"].tolist() == ["1", "two", "3"]
    assert frame["blanks"].isna().tolist() == [False, True, True] and frame["blanks"][2] == 4


def test_csv_and_stata_copies_of_a_users_data_load_alike(tmp_path):
    user = pd.DataFrame({"y": [1.5, 2.0, 3.5, 4.0], "x": [1, 2, 3, 4], "hh_size": [2, 3, 99, 5]})
    user.to_csv(tmp_path / "my.csv", index=False)
    pyreadstat.write_dta(user, str(tmp_path / "my.dta"))
    from_csv = load_survey(tmp_path / "my.csv").frame
    from_dta = load_survey(tmp_path / "my.dta").frame
    # the rows' numbers differ (Excel's rows from 2, Stata's observations from 1)
    pd.testing.assert_frame_equal(from_csv, from_dta.set_axis(from_csv.index), check_dtype=False)
    assert all(pd.api.types.is_numeric_dtype(t) for t in from_csv.dtypes)


# --- Mapping files checked against the standard names (issue 14) ----------------------


def test_mapping_with_a_misspelt_standard_name_is_refused_with_a_close_match(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {sat_overal: q1, trust: q2, vists: q3}\n")
    with pytest.raises(SurveyValidationError) as err:
        load_mapping(mapping)
    msg = str(err.value)
    assert "map.yaml" in msg and "'sat_overal'" in msg and "'vists'" in msg
    assert "did you mean 'sat_overall'" in msg and "did you mean 'visits'" in msg
    assert "standard names: ['age'" in msg and "'trust'" in msg  # the list of names


def test_mapping_missing_codes_for_an_unknown_name_are_refused(tmp_path):
    data = _write_csv(tmp_path, {"q1": [1, -1, 5], "hh_size": [2, 3, 4]})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {sat_overall: q1}\nmissing: {sat_overal: [-1], hh_sise: [99]}\n")
    with pytest.raises(SurveyValidationError) as err:
        load_survey(data, mapping=mapping)
    msg = str(err.value)
    assert "map.yaml" in msg and "standard names are ['age'" in msg
    assert "'sat_overal'" in msg and "did you mean 'sat_overall'" in msg
    assert "'hh_sise'" in msg and "did you mean 'hh_size'" in msg


def test_mapping_missing_codes_under_the_files_own_name_say_which_name_to_use(tmp_path):
    data = _write_csv(tmp_path, {"q1": [1, -1, 5]})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {sat_overall: q1}\nmissing: {q1: [-1]}\n")
    with pytest.raises(SurveyValidationError, match=r"'q1' is mapped to 'sat_overall'"):
        load_survey(data, mapping=mapping)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("missing: {sat_overall: [a, b]}\n", "missing codes of 'sat_overall' must be numbers"),
        (
            "missing: {sat_overall: 不知道}\n",
            r"made missing under 'values:' instead: values: "
            r"\{sat_overall: \{不知道: null\}\}",
        ),
        ("ranges: {trust: [0]}\n", r"range of 'trust' must be \[low, high\]"),
        # [5, 1] refused every answer as 'outside 5–1', far from the cause.
        ("ranges: {sat_overall: [5, 1]}\n", r"low first; got \[5, 1\]: write \[1, 5\]"),
        ("values: {party: [是, 否]}\n", r"values of 'party' must map each text answer"),
        (
            "values: {party: {是: yes}}\n",
            r"values of 'party' must map each text answer to a "
            r"number \(or to null for an answer that means missing\)",
        ),
    ],
)
def test_mapping_values_of_the_wrong_shape(tmp_path, text, message):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text)
    with pytest.raises(SurveyValidationError, match=message):
        load_mapping(mapping)


def test_survey_saved_by_excel_in_gbk_loads_and_fits(tmp_path, capsys):
    """Excel's "CSV" on a Chinese Windows is GBK: read as such, Chinese names and all."""
    from workbench.cli import main

    lines = ["村,走访次数,sat"] + [
        f"{v}村,{i % 5},{1 + (i % 5 + i % 2) % 5}" for i, v in enumerate("甲乙丙丁" * 10)
    ]
    path = tmp_path / "问卷.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    assert load_survey(path).frame.columns.tolist() == ["村", "走访次数", "sat"]
    assert main(["survey", "fit", str(path), "--formula", "sat ~ 走访次数", "--json"]) == 0
    assert '"走访次数"' in capsys.readouterr().out


def test_survey_with_a_stray_separator_is_a_user_error(tmp_path, capsys):
    from workbench.cli import main

    path = tmp_path / "s.csv"
    path.write_text("sat,x\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"s\.csv: more fields"):
        load_survey(path)
    assert main(["survey", "fit", str(path), "--formula", "sat ~ x"]) == 2
    err = capsys.readouterr().err
    assert "row 3 (3 fields)" in err and "Traceback" not in err


def test_mapping_saved_as_gbk_is_a_user_error(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_bytes("columns: {visits: 走访次数}\n".encode("gbk"))
    with pytest.raises(SurveyValidationError, match=r"map\.yaml: is not UTF-8"):
        load_mapping(path)


def test_thousands_separators_are_read_as_excel_writes_them(tmp_path):
    """Excel's number format exports 34,085 (quoted in a CSV): the number 34085."""
    path = tmp_path / "s.csv"
    path.write_text('income,hh_income,note\n"1,250","34,085",a\n300,"-1,200.5",b\n'
                    ',"1,000,000",c\n', encoding="utf-8")  # fmt: skip
    frame = load_survey(path).frame
    assert frame["income"].tolist()[:2] == [1250, 300] and pd.isna(frame["income"][4])
    assert frame["hh_income"].tolist() == [34085, -1200.5, 1000000]


def test_full_width_digits_are_read_as_the_numbers_they_are(tmp_path):
    """Answers typed with a Chinese input method in full-width mode: ３ is 3."""
    path = tmp_path / "s.csv"
    path.write_text("sat_overall,visits,hh_income,note\n４,０,\"１２,５００\",甲\n"
                    "３,２,－１．５,乙\n５,１２,ＮＡ,丙\n", encoding="utf-8")  # fmt: skip
    frame = load_survey(path).frame
    assert frame["sat_overall"].tolist() == [4, 3, 5]
    assert frame["visits"].tolist() == [0, 2, 12]
    assert frame["hh_income"].tolist()[:2] == [12500, -1.5] and pd.isna(frame["hh_income"][4])
    assert frame["note"].tolist() == ["甲", "乙", "丙"]  # text stays as it was written


def test_a_full_width_answer_that_is_no_number_is_named_as_written(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("sat_overall\n４\n满意\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"\['满意'\] in row 3"):
        load_survey(path)


@pytest.mark.parametrize(
    ("csv", "said", "declared", "kept"),
    [
        # Income in yuan, not the bundled codebook's thousands: the message says 'ranges:'.
        ("income,y\n52000,1\n800,2\n",
         ["outside 0–9000 in row 2", "under 'ranges:' there (e.g. income: [0, 52000])"],
         "income: [0, 1000000]", [52000, 800]),
        # Village-affairs openness asked yes/no (0/1) against the codebook's 1–5: the
        # suggested range must hold the 0s (it said [1, 1], which would refuse them again).
        ("open_affairs,y\n0,1\n1,2\n0,3\n",
         ["[0] outside 1–5 in rows 2, 4", "(e.g. open_affairs: [0, 5])"],
         "open_affairs: [0, 5]", [0, 1, 0]),
    ],
)  # fmt: skip
def test_a_range_error_says_how_to_declare_valid_values(tmp_path, csv, said, declared, kept):
    """A value outside the codebook's range is refused with a range that holds every value,
    and declaring that range under 'ranges:' in the mapping file reads the column."""
    path = tmp_path / "s.csv"
    path.write_text(csv, encoding="utf-8")
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    for fragment in said:
        assert fragment in str(err.value)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"ranges: {{{declared}}}\n", encoding="utf-8")
    column = csv.split(",", 1)[0]
    assert load_survey(path, mapping=mapping).frame[column].tolist() == kept


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("columns:\n  village: cun\n  visits: [zoufang\n  solved: jiejue\n", "line 4, column 9"),
        ("columns:\n  village: cun\n\tvisits: zoufang\n", "line 3, column 1"),
    ],
)
def test_mapping_that_is_not_yaml_is_a_user_error_saying_where(tmp_path, text, where):
    # A YAMLError was no ValueError: `survey fit --mapping` crashed with its traceback.
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=rf"map\.yaml: not valid YAML: {where}"):
        load_mapping(path)


def test_mapping_that_does_not_exist_says_which_option(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml: no such mapping file \(--mapping\)"):
        load_mapping(tmp_path / "nope.yaml")


@pytest.mark.parametrize(("ext", "program"), [(".dta", "Stata"), (".sav", "SPSS")])
@pytest.mark.parametrize("content", [b"", "村,走访\n1,2\n".encode(), b"\x00\x01garbage" * 20])
def test_a_file_that_is_no_stata_or_spss_file_is_a_user_error(tmp_path, ext, program, content):
    # pyreadstat's ReadstatError reached the user as a traceback ("a bug, not your mistake").
    path = tmp_path / f"survey{ext}"
    path.write_bytes(content)
    with pytest.raises(SurveyValidationError, match=rf"survey\{ext}: cannot be read as a "
                       rf"{program} \{ext} file .*save it again from {program}"):  # fmt: skip
        load_survey(path)


def test_errors_in_a_mapped_column_name_the_files_own_column_too(tmp_path):
    # After the mapping the column is 'visits', a name the user's file does not have.
    data, mapping = tmp_path / "s.csv", tmp_path / "map.yaml"
    data.write_text("zoufang,xinren\n2,50\n两次,60\n", encoding="utf-8")
    mapping.write_text("columns: {visits: zoufang, trust: xinren}\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError,
                       match=r"column 'visits' \(your column 'zoufang'\) has non-numeric "
                             r"value\(s\) \['两次'\] in row 3"):  # fmt: skip
        load_survey(data, mapping)
    data.write_text("zoufang,xinren\n2,50\n3,160\n", encoding="utf-8")
    with pytest.raises(
        SurveyValidationError, match=r"column 'trust' \(your column 'xinren'\) has value\(s\) \[160"
    ):
        load_survey(data, mapping)


# --- Blank and padded cells in text columns (tester 19, defects 2 and 8) ---------------


def _villages_csv(tmp_path, villages: list[str], name: str = "v.csv"):
    n = len(villages)
    rows = {"village": villages, "trust": [40 + (i * 13) % 60 for i in range(n)],
            "party": [i % 3 == 0 for i in range(n)]}  # fmt: skip
    return _write_csv(tmp_path, {k: [int(x) for x in v] if k == "party" else v
                                 for k, v in rows.items()}, name=name)  # fmt: skip


def test_blank_cells_in_a_text_column_are_missing_and_counted(tmp_path, capsys):
    """A blank village is no village named "": missing, counted, its rows dropped and reported."""
    from workbench.cli import main
    from workbench.survey.models import fit

    villages = ["东村", "", "  ", "东村", "西村", "西村", "", "东村", "西村", "东村"]
    path = _villages_csv(tmp_path, villages)
    s = load_survey(path)
    assert s.frame["village"].isna().tolist() == [v.strip() == "" for v in villages]
    assert s.report.to_dict("records") == [
        {"column": "village", "reason": "missing in file", "code": None, "rows": 3}
    ]
    res = fit(s.frame, "trust ~ party", "ols", cluster="village")
    assert res.nobs == 7 and res.n_groups == {"village": 2}
    assert res.dropped.to_dict("records") == [
        {"column": "village", "reason": "missing value", "rows": 3}
    ]
    assert main(["survey", "fit", str(path), "--formula", "trust ~ C(village)", "--json"]) == 0
    captured = capsys.readouterr()
    assert "village[T.]" not in captured.out and "C(village)[T.西村]" in captured.out
    assert "dropped 3 row(s): missing value in village" in captured.err


def test_blank_strings_in_a_stata_file_are_missing(tmp_path):
    user = pd.DataFrame({"vill": ["东村", "东村", "", "西村", "西村", ""],
                         "trust": [50.0, 60, 70, 55, 65, 75]})  # fmt: skip
    pyreadstat.write_dta(user, str(tmp_path / "b.dta"))
    s = load_survey(tmp_path / "b.dta")
    assert s.frame["vill"].isna().tolist() == [False, False, True, False, False, True]
    report = s.report[["column", "reason", "rows"]].values.tolist()
    assert report == [["vill", "missing in file", 2]]


def test_spaces_around_a_name_do_not_split_a_village(tmp_path):
    """ "东村 ", " 东村" and "东村　" (full-width space) are 东村, not three one-person clusters."""
    from workbench.survey.models import fit

    villages = ["东村", "东村 ", " 东村", "东村\u3000", "西村", "西村\t", "西村"]
    s = load_survey(_villages_csv(tmp_path, villages))
    assert s.frame["village"].tolist() == ["东村"] * 4 + ["西村"] * 3
    res = fit(s.frame, "trust ~ party", "ols", cluster="village", singletons="drop")
    assert res.nobs == 7 and res.n_groups == {"village": 2} and res.dropped.empty


# --- Codebook missing codes inside a range the user declared (tester 19, defect 4) -----


@pytest.mark.parametrize("extra", ["", "missing: {sat_overall: []}\n"])
def test_codebook_codes_inside_a_declared_range_are_answers(tmp_path, extra):
    """A 0–10 scale declared under 'ranges:': its 8s and 9s are answers, not the codebook's
    missing codes (all 44 rows, mean 5); the mapping's own codes still apply."""
    data = _write_csv(tmp_path, {"sat10": [i % 11 for i in range(44)]}, name="s10.csv")
    mapping = _write_mapping(tmp_path, f"columns: {{sat_overall: sat10}}\n"
                                       f"ranges: {{sat_overall: [0, 10]}}\n{extra}")  # fmt: skip
    s = load_survey(data, mapping=mapping)
    assert s.frame["sat_overall"].notna().sum() == 44 and s.frame["sat_overall"].mean() == 5
    assert s.report.empty and s.frame.attrs["valid_codes"] == {"sat_overall": [8, 9]}
    mapping.write_text("columns: {sat_overall: sat10}\nranges: {sat_overall: [0, 10]}\n"
                       "missing: {sat_overall: [9]}\n", encoding="utf-8")  # fmt: skip
    s = load_survey(data, mapping=mapping)
    assert s.report[["code", "rows"]].values.tolist() == [[9, 4]]
    assert s.frame.attrs["valid_codes"] == {"sat_overall": [8]}


def test_a_model_of_a_scale_with_codebook_codes_inside_its_declared_range_uses_every_answer(
    tmp_path,
):
    """fit() took the 8s of a declared 0–10 scale for codes left in the frame and refused
    ("still holds missing-value codes"); it fits all 44 answers, mean 5."""
    from workbench.survey.models import fit

    data = _write_csv(tmp_path, {"sat10": [i % 11 for i in range(44)]}, name="s10.csv")
    mapping = _write_mapping(tmp_path, "columns: {sat_overall: sat10}\n"
                                       "ranges: {sat_overall: [0, 10]}\n")  # fmt: skip
    res = fit(load_survey(data, mapping=mapping).frame, "sat_overall ~ 1", "ols")
    assert res.nobs == 44 and res.params["Intercept"] == pytest.approx(5.0)


# --- Numbers recoded under 'values:' in Stata and SPSS files (tester 19, defect 5) ------


@pytest.mark.parametrize("ext", ["csv", "dta", "sav"])
def test_numbers_recoded_under_values_alike_in_csv_stata_and_spss(tmp_path, ext):
    """Reversing a scale with {1: 5, ...}: a Stata/SPSS column is floats (1.0), and was
    left unreversed; it is recoded as its CSV is."""
    user = pd.DataFrame({"q1": [1.0, 1, 2, 4, 5, -9], "q2": [0.0, 1, 2, 3, 4, 5]})
    path = tmp_path / f"s.{ext}"
    if ext == "csv":
        user.astype(int).to_csv(path, index=False)
    else:
        (pyreadstat.write_dta if ext == "dta" else pyreadstat.write_sav)(user, str(path))
    mapping = _write_mapping(
        tmp_path,
        "columns: {sat_overall: q1, visits: q2}\n"
        "missing: {sat_overall: [-9]}\n"
        "values:\n  sat_overall: {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}\n",
    )
    frame = load_survey(path, mapping=mapping).frame
    assert frame["sat_overall"].tolist()[:5] == [5, 5, 4, 2, 1]
    assert pd.isna(frame["sat_overall"][frame.index[5]])


def test_an_answer_under_values_that_no_cell_holds_is_noted(tmp_path, caplog):
    data = _write_csv(tmp_path, {"q1": ["比较满意", "一般", "非常满意"]}, name="s.csv")
    answers = "{非常满意: 5, 较满意: 4, 比较满意: 4, 一般: 3, 不知道: null}"
    text = f"columns: {{sat_overall: q1}}\nvalues: {{sat_overall: {answers}}}\n"
    mapping = _write_mapping(tmp_path, text)
    with caplog.at_level("WARNING", logger="workbench.survey.io"):
        s = load_survey(data, mapping=mapping)
    assert s.frame["sat_overall"].tolist() == [4, 3, 5]
    assert len(s.notes) == 1 and s.notes[0] in caplog.text
    said = "['较满意', '不知道'] match no value of column 'sat_overall' (your column 'q1')"
    assert said in s.notes[0]


# --- The user's value labels name the plotted categories (tester 19, defect 7) ----------


@pytest.mark.parametrize("ext", ["csv", "sav"])
def test_predicted_probability_plot_names_categories_by_the_surveys_own_labels(tmp_path, ext):
    """A survey coding 非常满意 as 1 (the bundled codebook's 非常不满意): the legend says so."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.survey.plots import predicted_probability_plot

    words = ["非常满意", "比较满意", "一般", "不太满意", "非常不满意"]
    if ext == "csv":
        path = _write_csv(tmp_path, {"q1": words * 2, "q2": list(range(10))}, name="s.csv")
        values = "values:\n  sat_overall: {" + ", ".join(
            f"{w}: {i}" for i, w in enumerate(words, 1)) + ", 拒答: null}\n"  # fmt: skip
    else:
        path = tmp_path / "s.sav"
        pyreadstat.write_sav(
            pd.DataFrame({"q1": [1.0, 2, 3, 4, 5] * 2, "q2": range(10)}),
            str(path),
            variable_value_labels={"q1": dict(enumerate(words, 1))},
        )
        values = ""
    mapping = _write_mapping(tmp_path, "columns: {sat_overall: q1, visits: q2}\n" + values)
    survey = load_survey(path, mapping=mapping)
    labels = survey.value_labels["sat_overall"]
    assert {int(k): v for k, v in labels.items()} == dict(enumerate(words, 1))
    grid = pd.DataFrame({"visits": [0, 1] * 5, "category": [c for c in range(1, 6) for _ in "ab"],
                         "probability": [0.2] * 10})  # fmt: skip
    grid.attrs["outcome"] = "sat_overall"
    fig = predicted_probability_plot(grid, "visits", value_labels=labels)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert legend == [f"{i} {w}" for i, w in enumerate(words, 1)]


def test_a_recode_under_values_moves_the_files_value_labels(tmp_path):
    """Reversing a labelled SPSS scale: the label of 1 goes with the answer, to 5."""
    path = tmp_path / "s.sav"
    labels = {1.0: "very satisfied", 3.0: "neutral", 5.0: "very dissatisfied", 9.0: "refused"}
    pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 2, 3, 4, 5, 9]}), str(path),
                         variable_value_labels={"q1": labels})  # fmt: skip
    recode = "{1: 5, 2: 4, 3: 3, 4: 2, 5: 1, 9: null}"
    text = f"columns: {{sat_overall: q1}}\nvalues: {{sat_overall: {recode}}}\n"
    s = load_survey(path, mapping=_write_mapping(tmp_path, text))
    assert s.frame["sat_overall"].tolist()[:5] == [5, 4, 3, 2, 1]
    moved = {5: "very satisfied", 3: "neutral", 1: "very dissatisfied"}
    assert s.value_labels["sat_overall"] == moved


# --- Duplicate ids, look-alike answers, refusals in text (tester 19, defect 14) ---------


def test_duplicate_ids_look_alike_answers_and_refusals_are_noted(tmp_path, caplog):
    ways = ["走访", "接访", "谈心", "民情联系卡"] * 4 + ["民情联络卡", "走坊", "拒答"]
    ids = [1000 + i for i in range(len(ways))]
    ids[12] = 1011  # entered twice
    path = _write_csv(tmp_path, {"编号": ids, "联系方式": ways, "trust": range(len(ways))})
    mapping = _write_mapping(tmp_path, "columns: {resp_id: 编号}\n")
    with caplog.at_level("WARNING", logger="workbench.survey.io"):
        s = load_survey(path, mapping=mapping)
    assert [n.split(" (")[0].rsplit("/", 1)[-1] for n in s.notes] == [
        "bad.csv: respondent id 1011 occurs more than once",
        "bad.csv: column '联系方式' has '民情联络卡'",
        "bad.csv: column '联系方式' has '走坊'",
        "bad.csv: column '联系方式' has '拒答'",
    ]
    assert "beside '民情联系卡' (4 rows)" in s.notes[1] and "beside '走访' (4 rows)" in s.notes[2]
    assert "(rows 13, 14)" in s.notes[0] and "values: {联系方式: {拒答: null}}" in s.notes[3]
    assert all(n in caplog.text for n in s.notes)
    clean = _write_csv(tmp_path, {"联系方式": ways[:16], "trust": range(16)}, name="ok.csv")
    assert load_survey(clean).notes == []  # 走访 and 接访, both frequent, are two answers


def test_the_bundled_survey_has_nothing_to_note(bundled):
    assert bundled.notes == []


# --- Messages (tester 19, defect 15) ------------------------------------------------------


def test_a_title_line_above_the_header_says_where_the_header_is(tmp_path):
    path = tmp_path / "title.csv"
    path.write_text("2023年干群关系调查数据,,,\n编号,村,党员,信任\n1000,东村,是,40\n1001,西村,否,53\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    said = str(err.value)
    assert "title.csv: 3 of the 4 column names on row 1 are blank" in said
    assert "the header seems to be on row 2 (编号, 村, 党员, 信任)" in said
    assert "delete the row(s) above it" in said


@pytest.mark.parametrize(("ext", "what"), [(".xls", "an Excel 97–2003 workbook"),
                                          (".et", "a WPS workbook"),
                                          (".ods", "an OpenDocument spreadsheet")])  # fmt: skip
def test_a_spreadsheet_no_reader_reads_is_refused_saying_how_to_save_it(tmp_path, ext, what):
    path = tmp_path / f"s{ext}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(
        SurveyValidationError,
        match=rf"s\{ext}: is {what}, which cannot be read "
        r"here; open it in Excel or WPS and save it as an Excel workbook \(\.xlsx",
    ):
        load_survey(path)


def test_a_refusal_among_numbers_is_suggested_as_null(tmp_path):
    path = _write_csv(tmp_path, {"solved": ["1", "0", "拒答"]})
    with pytest.raises(SurveyValidationError, match=r"solved: \{拒答: null\}"):
        load_survey(path)


def test_two_standard_names_on_one_column_are_refused_naming_both(tmp_path):
    mapping = _write_mapping(tmp_path, "columns: {village: 村, township: 村, trust: 信任}\n")
    with pytest.raises(
        SurveyValidationError, match=r"'village' and 'township' both name the column '村'"
    ):
        load_mapping(mapping)


def test_spss_user_missing_codes_are_reported_with_their_code(tmp_path):
    path = tmp_path / "s.sav"
    user = pd.DataFrame({"q1": [1.0, 5, 99, 3], "q2": [0.0, -9, 2, -8]})
    pyreadstat.write_sav(user, str(path), missing_ranges={"q1": [99], "q2": [{"lo": -9, "hi": -7}]})
    mapping = _write_mapping(tmp_path, "columns: {sat_overall: q1, visits: q2}\n")
    s = load_survey(path, mapping=mapping)
    assert s.frame["sat_overall"].isna().tolist() == [False, False, True, False]
    assert s.frame["visits"].tolist()[::2] == [0, 2] and s.frame["visits"].isna().sum() == 2
    assert s.report[["column", "reason", "code", "rows"]].values.tolist() == [
        ["sat_overall", "missing-value code", 99, 1],
        ["visits", "missing-value code", -9, 1],
        ["visits", "missing-value code", -8, 1],
    ]


def test_villages_named_alike_are_not_noted_as_slips(tmp_path):
    """An unmapped village column: 南村 (one respondent) beside 东村 is a place, not a slip."""
    path = _write_csv(tmp_path, {"村": ["东村"] * 5 + ["南村"], "trust": range(6)})
    assert load_survey(path).notes == []


def test_missing_codes_in_a_column_the_codebook_does_not_know_are_noted(tmp_path):
    """走访次数 with -9 and 99 among 0-5 (tester 19): not in the codebook, so the codes counted
    as numbers without a word; now a note says so, and none once the mapping declares them."""
    rows = {"走访次数": [0, 3, 5, -9, 2, 99, 1, 4], "信任": [50, 60, 70, 55, 65, 40, 45, 52]}
    data = _write_csv(tmp_path, rows, name="s.csv")
    notes = load_survey(data).notes
    assert len(notes) == 1 and "column '走访次数' holds -9 (row 5) and 99 (row 7)" in notes[0]
    assert "missing: {走访次数: [-9, 99]}" in notes[0]
    mapping = _write_mapping(tmp_path, "missing: {走访次数: [-9, 99]}\n")
    declared = load_survey(data, mapping=mapping)
    assert declared.notes == [] and declared.frame["走访次数"].isna().sum() == 2


def test_a_wjx_export_with_trailing_empty_columns_fits(tmp_path, capsys):
    """Saved again from Excel, a questionnaire export ends its lines with ",,,"; that once
    gave an AttributeError traceback (several columns named "")."""
    from workbench.cli import main

    lines = ["序号,您的村,走访次数,满意度,,,"] + [
        f"{i},{'东西南北'[i % 4]}村,{i % 5},{1 + (i % 5 + i % 2) % 5},,," for i in range(1, 41)
    ]
    path = tmp_path / "wjx.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    assert load_survey(path).frame.columns.tolist() == ["序号", "您的村", "走访次数", "满意度"]
    assert main(["survey", "fit", str(path), "--formula", "满意度 ~ 走访次数", "--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_column_with_values_but_no_name_is_refused_naming_it(tmp_path, capsys):
    from workbench.cli import main

    path = tmp_path / "s.csv"
    path.write_text("编号,村,,信任\n1,东村,a,40\n2,西村,,50\n3,西村,c,55\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "信任 ~ 1"]) == 2
    err = capsys.readouterr().err
    assert "s.csv: column 3 has no name on row 1 but holds values (rows 2, 4)" in err
    assert "Traceback" not in err


def test_two_columns_named_alike_are_a_user_error(tmp_path, capsys):
    from workbench.cli import main

    path = tmp_path / "s.csv"
    path.write_text("编号,满意度,满意度\n1,4,40\n2,3,50\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "满意度 ~ 1"]) == 2
    assert "'满意度' (columns 2, 3)" in capsys.readouterr().err


def test_mapping_a_column_onto_a_name_the_file_already_has_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("village,村,trust\n1,东村,40\n2,西村,50\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  village: 村\n", encoding="utf-8")
    with pytest.raises(
        SurveyValidationError,
        match="'村' is mapped to 'village', which is already a column of the file",
    ):
        load_survey(path, mapping=mapping)


@pytest.mark.parametrize(
    ("header", "mapping", "said"),
    [
        (
            "编号,乡镇,村,信任",
            None,
            "column '村' has 1 name(s) that occur in two or more places of "
            "column '乡镇' (东村 in 城关镇, 河口乡)",
        ),
        (
            "编号,xiang,cun,信任",
            "columns: {township: xiang, village: cun}",
            "column 'village' (your column 'cun') has 1 name(s)",
        ),
    ],
)
def test_villages_of_one_name_in_two_townships_are_noted(tmp_path, header, mapping, said):
    """Ranked by village alone, 东村 of 城关镇 and 东村 of 河口乡 were one group, silently."""
    rows = [
        f"{i},{t},{v},{40 + i}"
        for i, (t, v) in enumerate(
            [("城关镇", "东村"), ("城关镇", "西村"), ("河口乡", "东村"), ("河口乡", "柳林村")] * 3
        )
    ]
    path = tmp_path / "s.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    if mapping:
        (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    survey = load_survey(path, mapping=tmp_path / "m.yaml" if mapping else None)
    assert len(survey.notes) == 1 and said in survey.notes[0]
    assert "(e.g. 城关镇东村)" in survey.notes[0]


def test_village_codes_unique_within_the_survey_are_not_noted(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("township,village,trust\n1,1,40\n1,2,50\n2,3,60\n2,4,55\n", encoding="utf-8")
    assert load_survey(path).notes == []
    path.write_text("township,village,trust\n1,1,40\n1,2,50\n2,1,60\n2,2,55\n", encoding="utf-8")
    assert "village codes" not in (note := load_survey(path).notes[0]) and "1 in 1, 2" in note


def test_percentages_are_read_as_percentage_points_and_noted(tmp_path, capsys):
    """Excel's percentage format writes 78%; read as text, each value was a dummy of its own."""
    from workbench.cli import main

    path = tmp_path / "s.csv"
    cells = ["78%", "12.5 %", "９０％", "", "40%", "55%"]
    path.write_text("信任,覆盖率\n" + "".join(f"{40 + i},{c}\n" for i, c in enumerate(cells)),
                    encoding="utf-8")  # fmt: skip
    survey = load_survey(path)
    assert survey.frame["覆盖率"].tolist()[:3] == [78, 12.5, 90]
    assert survey.frame["覆盖率"].isna().tolist() == [False] * 3 + [True] + [False] * 2
    assert (
        "column '覆盖率' holds percentages (rows 2, 3, 4, 6, 7): read as percentage points"
        in (survey.notes[0])
    )
    assert main(["survey", "fit", str(path), "--formula", "信任 ~ 覆盖率", "--json"]) == 0
    assert '"覆盖率":' in capsys.readouterr().out  # one slope, no 覆盖率[T.78%]


def _qualtrics(tmp_path, answers):
    """A Qualtrics CSV export: names, question texts, import ids, then the answers."""
    lines = [
        "ResponseId,Q1,Q4,Q5",
        "Response ID,您所在的村,总体满意度,信任",
        '{""ImportId"":""_recordId""},{""ImportId"":""QID1_TEXT""},{""ImportId"":""QID4""},'
        '{""ImportId"":""QID5_1""}',
        *answers,
    ]
    lines[2] = ",".join(f'"{cell}"' for cell in lines[2].split(","))
    path = tmp_path / "qualtrics.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def test_a_qualtrics_export_leaves_out_its_two_extra_header_rows(tmp_path):
    """The question texts and import ids were read as answers and refused as non-numeric,
    with a suggestion to map '{"ImportId":"QID2_TEXT"}' under values:."""
    words = ["1=很不满意", "2=不太满意", "3=一般", "4=比较满意", "5=非常满意"]
    answers = [f"R_{i},{'东西南北'[i % 4]}村,{words[i % 5]},{i % 11}" for i in range(30)]
    path = _qualtrics(tmp_path, answers)
    mapping = "columns: {sat_overall: Q4, trust: Q5}\nranges: {trust: [0, 10]}\n"
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    survey = load_survey(path, mapping=tmp_path / "m.yaml")
    assert len(survey.frame) == 30 and survey.frame.index[0] == 4  # rows 2-3 left out
    assert survey.frame["sat_overall"].tolist()[:5] == [1, 2, 3, 4, 5]
    labels = dict(enumerate((w.split("=")[1] for w in words), 1))
    assert survey.value_labels["sat_overall"] == labels
    assert (
        "rows 2–3 under the column names are Qualtrics' question texts and import ids"
        in (survey.notes[0])
    )
    assert (
        "column 'sat_overall' (your column 'Q4') holds answers as number and words"
        in (survey.notes[1])
    )
    path = _qualtrics(tmp_path, [*answers[:2], "R_x,东村,5=非常满意,十"])
    with pytest.raises(SurveyValidationError, match=r"'十'\] in row 6;"):
        load_survey(path, mapping=tmp_path / "m.yaml")


def test_a_multi_select_question_is_noted_once_not_as_typing_slips(tmp_path, capsys):
    """问卷星 joins the answers of a multi-select question with ┋; its rare combinations
    were noted one by one as slips of frequent ones (走访┋电话 beside 走访┋谈心)."""
    from workbench.cli import main

    combos = ["走访┋谈心"] * 6 + ["走访"] * 5 + ["谈心┋电话"] * 4 + ["走访┋电话", "电话┋谈心┋走访"]
    col = "6、联系方式（多选）"
    lines = [f"sat,{col}"] + [f"{1 + i % 5},{c}" for i, c in enumerate(combos * 2)]
    path = tmp_path / "wjx.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = load_survey(path).notes
    assert len(notes) == 1
    assert f"column '{col}' holds several answers in one cell, joined by '┋'" in notes[0]
    assert f"write Q('{col}').str.contains('走访') in the formula" in notes[0]
    formula = f"sat ~ Q('{col}').str.contains('走访')"
    assert main(["survey", "fit", str(path), "--formula", formula, "--json"]) == 0
    assert "[T.True]" in capsys.readouterr().out


def test_a_scale_numbered_the_other_way_from_the_codebook_is_noted_with_its_recode(tmp_path):
    """An SPSS file labelling 1 非常满意 … 5 非常不满意 fitted silently with the sign of every
    effect the reverse of what the codebook's labels (5 = 非常满意) say."""
    words = {1: "非常满意", 2: "比较满意", 3: "一般", 4: "不太满意", 5: "非常不满意"}
    df = pd.DataFrame({"a3": [1, 2, 3, 4, 5, 2, 4, 1] * 3, "x": range(24)}, dtype=float)
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"a3": words})
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {sat_overall: a3}\n", encoding="utf-8")
    notes = load_survey(path, mapping=mapping).notes
    assert len(notes) == 1
    assert (
        "column 'sat_overall' (your column 'a3') number its answers otherwise than the "
        in (notes[0])
    )
    assert "非常满意 is 1 here, 5 in the codebook" in notes[0]
    assert "(sat_overall: {1: 5, 2: 4, 4: 2, 5: 1})" in notes[0]
    recode = "values: {sat_overall: {1: 5, 2: 4, 4: 2, 5: 1}}\n"
    mapping.write_text("columns: {sat_overall: a3}\n" + recode, encoding="utf-8")
    fixed = load_survey(path, mapping=mapping)
    assert fixed.notes == [] and fixed.value_labels["sat_overall"][5] == "非常满意"
    # the words of a mapping's values: numbered the other way round are noted alike
    csv = tmp_path / "s.csv"
    csv.write_text("sat\n" + "\n".join(words[v] for v in df["a3"].astype(int)) + "\n",
                   encoding="utf-8")  # fmt: skip
    reverse = ", ".join(f"{w}: {v}" for v, w in words.items())
    mapping.write_text(f"columns: {{sat_overall: sat}}\nvalues: {{sat_overall: {{{reverse}}}}}\n",
                       encoding="utf-8")  # fmt: skip
    assert "number its answers otherwise than the codebook" in load_survey(csv, mapping).notes[0]


def test_answers_in_the_codebooks_words_are_suggested_with_its_numbers(tmp_path):
    """The message suggested {一般: 1, 不太满意: 1} for a satisfaction scale in words."""
    path = tmp_path / "s.csv"
    answers = ["非常满意", "比较满意", "一般", "不太满意", "很不满意", "不知道"]
    path.write_text("sat_overall,party\n" + "".join(f"{a},是\n" for a in answers),
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    entry = "{不太满意: 2, 一般: 3, 比较满意: 4, 非常满意: 5, 不知道: null, 很不满意: ?}"
    assert f"sat_overall: {entry}" in str(err.value)
    assert "replace each ? by the number of that answer" in str(err.value)
    path.write_text("party\n是\n否\n是\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"party: \{否: 0, 是: 1\}"):
        load_survey(path)


def test_a_range_error_in_a_stata_file_names_the_codes_as_written(tmp_path):
    path = tmp_path / "s.dta"
    pyreadstat.write_dta(pd.DataFrame({"visits": [1.0, -8, 3, 2]}), str(path))
    with pytest.raises(SurveyValidationError, match=r"has value\(s\) \[-8\] outside 0–52 in row 2"):
        load_survey(path)


def test_respondents_of_a_panel_are_noted_once_as_a_panel(tmp_path):
    """The same ids in two waves were each noted as 'a respondent entered twice ... remove
    the copy', which would delete a panel's second wave."""
    path = tmp_path / "s.csv"
    rows = [f"{i % 6 + 1},{2019 if i < 6 else 2023},{40 + i}" for i in range(12)]
    path.write_text("resp_id,年份,trust\n" + "\n".join(rows) + "\n", encoding="utf-8")
    notes = load_survey(path).notes
    assert len(notes) == 1
    assert "6 respondent id(s) occur in two or more waves of column '年份' (2019, 2023)" in notes[0]
    assert "--cluster resp_id" in notes[0] and "remove the copy" not in notes[0]
    rows[7] = rows[7].replace("2023", "2019")  # id 2 twice in 2019: a copy, not a panel
    path.write_text("resp_id,年份,trust\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert "remove the copy" in load_survey(path).notes[0]


def test_ids_of_more_than_15_digits_stay_text(tmp_path):
    """18-digit ids became floats (with a blank cell), three respondents one id, and a note
    named an id no row has (…0016)."""
    path = tmp_path / "s.csv"
    path.write_text("resp_id,trust\n110101199003070011,40\n110101199003070012,50\n,55\n"
                    "110101199003070013,60\n", encoding="utf-8")  # fmt: skip
    survey = load_survey(path)
    assert survey.frame["resp_id"].tolist()[:2] == ["110101199003070011", "110101199003070012"]
    assert survey.notes == [] and survey.frame["trust"].tolist() == [40, 50, 55, 60]


def test_numbers_with_a_unit_are_read_as_the_numbers_and_noted(tmp_path):
    """问卷星's 所用时间 (541秒) and ages typed as 45岁 were categories, one dummy per value."""
    path = tmp_path / "s.csv"
    path.write_text("所用时间,age,小组,trust\n541秒,45岁,1组,40\n103秒,62 岁,2组,50\n"
                    "98秒,,1组,55\n", encoding="utf-8")  # fmt: skip
    survey = load_survey(path)
    assert survey.frame["所用时间"].tolist() == [541, 103, 98]
    assert survey.frame["age"].tolist()[:2] == [45, 62]
    assert survey.frame["小组"].tolist()[0] == "1组"  # a group's code, not a unit
    assert (
        "column '所用时间' holds numbers with the unit '秒' (541秒): read as the numbers"
        in (survey.notes[0])
    )
    assert "column 'age' holds numbers with the unit '岁'" in survey.notes[1]


def test_answers_written_5_equals_words_are_recoded_by_their_number(tmp_path):
    """The note on a scale numbered the other way suggests {1: 5, ...}; for answers written
    '1=非常满意' that recode matched no cell and was ignored."""
    path = tmp_path / "s.csv"
    path.write_text("sat\n1=非常满意\n2=比较满意\n3=一般\n4=不太满意\n5=非常不满意\n1=非常满意\n",
                    encoding="utf-8")  # fmt: skip
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {sat_overall: sat}\n", encoding="utf-8")
    note = load_survey(path, mapping).notes[1]
    assert "(sat_overall: {1: 5, 2: 4, 4: 2, 5: 1})" in note
    recode = "values: {sat_overall: {1: 5, 2: 4, 4: 2, 5: 1}}\n"
    mapping.write_text("columns: {sat_overall: sat}\n" + recode, encoding="utf-8")
    survey = load_survey(path, mapping)
    assert survey.frame["sat_overall"].tolist() == [5, 4, 3, 2, 1, 5] and survey.notes == []
    assert survey.value_labels["sat_overall"] == {1: "非常不满意", 2: "不太满意", 3: "一般",
                                                  4: "比较满意", 5: "非常满意"}  # fmt: skip


def test_unfinished_qualtrics_responses_are_noted(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("ResponseId,Finished,trust\nR_1,True,40\nR_2,False,\nR_3,True,55\n",
                    encoding="utf-8")  # fmt: skip
    notes = load_survey(path).notes
    assert notes == [f"{path}: column 'Finished' says 1 response(s) were not finished (row 3): "
                     "they are analysed with the others; if unfinished responses should not "
                     "count, leave them out of the export"]  # fmt: skip


def test_spaces_around_a_mapped_column_name_are_ignored(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("村 ,信任\n东村,40\n西村,50\n", encoding="utf-8")  # header cells are stripped
    mapping = tmp_path / "m.yaml"
    mapping.write_text('columns:\n  village: "村 "\n  trust: " 信任"\n', encoding="utf-8")
    assert load_survey(path, mapping).frame["village"].tolist() == ["东村", "西村"]


def test_a_legacy_qualtrics_export_with_one_question_text_row_is_left_out(tmp_path):
    """A legacy Qualtrics export (V1, V2 … over ResponseID, ResponseSet … and the question
    texts, no ImportId row) had its question-text row read as a respondent: every numeric
    column became text, and its numbers were noted as typing slips of each other."""
    answers = [f"R_{i},Default Response Set,{20 + i},{i % 6},{1 + i % 5},{'东西南'[i % 3]}村"
               for i in range(12)]  # fmt: skip
    lines = ["V1,V2,Q1,Q2,Q3,Q4",
             "ResponseID,ResponseSet,您的年龄,村干部走访您家几次？,总体满意度（1-5）,您所在的村",
             *answers]  # fmt: skip
    path = tmp_path / "legacy.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    survey = load_survey(path)
    assert len(survey.frame) == 12 and survey.frame.index[0] == 3  # row 2 left out
    assert survey.frame["Q1"].tolist()[:3] == [20, 21, 22]
    assert all(pd.api.types.is_numeric_dtype(survey.frame[c]) for c in ("Q1", "Q2", "Q3"))
    assert len(survey.notes) == 1 and survey.notes[0].endswith(
        "legacy.csv: row 2 under the column names is Qualtrics' question texts "
        "('ResponseID', 'ResponseSet', …, '总体满意度（1-5）', '您所在的村'), not answers: left "
        "out (the answers start on row 3)"
    )


def test_a_row_of_question_texts_is_left_out_but_a_first_respondent_is_kept(tmp_path):
    """A header of variable names over a row of question texts (as users add one, and as a
    Qualtrics export without its ImportId row has) made its numeric columns text and was
    refused; a first respondent who wrote 不知道 or 五十 must not be taken for such a row."""

    def load(first: str, name: str = "s.csv"):
        path = tmp_path / name
        path.write_text(f"age,visits,village\n{first}\n34,2,西村\n51,0,东村\n", encoding="gbk")
        return load_survey(path)

    survey = load("1、您的年龄,2、走访次数,3、您所在的村")
    assert survey.frame["age"].tolist() == [34, 51] and survey.frame.index.tolist() == [3, 4]
    assert (
        "row 2 under the column names is question texts ('1、您的年龄', '2、走访次数', "
        in (survey.notes[0])
    )
    assert (
        "words in each of the 2 columns whose other rows are all numbers ('age', 'visits')"
        in (survey.notes[0])
    )
    assert (
        load("age,visits,village")
        .notes[0]
        .endswith(
            "row 2 under the column names is the column names again, not answers: left out (the "
            "answers start on row 3)"
        )
    )
    # Respondents, kept (and refused where a codebook column holds words, naming row 2).
    for first in ("不知道,不知道,北村", "五十,三次,北村", "年龄,走访次数,东村", "45岁,3次,北村",
                  "34,走访次数,北村"):  # fmt: skip
        with pytest.raises(SurveyValidationError, match=r"has non-numeric .* in row 2;"):
            load(first)
    path = tmp_path / "one.csv"
    path.write_text("age,village\n年龄,村\n34,西村\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match="if row 2 is a row of question texts, not a"):
        load_survey(path)  # one numeric column: not told apart, but the message says what to do


def test_notes_under_the_answers_are_left_out_and_noted(tmp_path, capsys):
    """A sheet saved from Excel with its 注：… lines under the table: each was read as a
    respondent (its id column turned to text), then dropped from the model as 'missing value
    in 总体满意度', as if respondents had not answered."""
    from workbench.cli import main

    answers = [f"{i},{'东西'[i % 2]}村,{i % 5},{1 + (i * 3) % 5}" for i in range(1, 21)]
    lines = ["编号,村,走访,总体满意度", *answers, ",,,", "注：满意度1=非常不满意，5=非常满意,,,",
             "数据来源：2023年某县干群关系调查,,,"]  # fmt: skip
    path = tmp_path / "s.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gbk")
    survey = load_survey(path)
    assert len(survey.frame) == 20 and pd.api.types.is_numeric_dtype(survey.frame["编号"])
    assert survey.notes[0].endswith(
        "s.csv: rows 22, 23, 24 at the end of the file are notes ('注：满意度1="
        "非常不满意，5=非常满意', '数据来源：2023年某县干群关系调查') and 1 blank row, not "
        "answers: left out"
    )
    assert main(["survey", "fit", str(path), "--formula", "总体满意度 ~ 走访", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dropped"] == []
    # A last respondent who answered one question is a respondent.
    last = ["编号,村,走访", "1,东村,2", "2,西村,3", "3,,", "A4,,"]
    path.write_text("\n".join(last), encoding="utf-8")
    assert len(load_survey(path).frame) == 4


def test_answers_in_words_of_another_scale_are_suggested_numbered_on_it(tmp_path):
    """很不满意 … 很满意 (问卷星's scale, not the codebook's words) got the suggestion
    {一般: 1, 不满意: 1}, two answers made one if pasted; words of no scale got 1 each too."""
    path = tmp_path / "s.csv"
    answers = ["很满意", "满意", "一般", "不满意", "很不满意", "不知道"]
    path.write_text("sat_overall\n" + "".join(f"{a}\n" for a in answers), encoding="utf-8")
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    entry = "{很不满意: 1, 不满意: 2, 一般: 3, 满意: 4, 很满意: 5, 不知道: null}"
    assert f"sat_overall: {entry}; the answers numbered from the lowest" in str(err.value)
    path.write_text("sat_overall\n高\n低\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"\{低: \?, 高: \?\}; replace each \?"):
        load_survey(path)


def test_numbers_kept_as_text_are_not_noted_as_typing_slips(tmp_path):
    """A column of numbers with one 不知道 stays text; '63' (row 12) was noted as a slip of
    '60' (3 rows), once per such pair, beside the one note that mattered."""
    sizes = [20, 60, 60, 60, 63, 64, 40, 22, 28, 28, 28, 21] * 2
    path = tmp_path / "s.csv"
    path.write_text("户籍人口,y\n不知道,1\n" + "".join(f"{v},{i % 5 + 1}\n" for i, v in
                                                 enumerate(sizes)), encoding="utf-8")  # fmt: skip
    notes = load_survey(path).notes
    assert len(notes) == 1 and "'不知道' (row 2), which reads as no answer" in notes[0]


@pytest.mark.parametrize("ext", [".sav", ".dta", ".csv"])
def test_codes_labelled_no_answer_are_made_missing_and_reported(tmp_path, ext):
    """An SPSS or Stata file labelling 8 不知道 and 9 拒答 under a 1–5 scale, without
    declaring them missing (or a CSV of 8=不知道): they were fitted as the two highest
    satisfactions, silently. A midpoint 3 labelled 说不清 is an answer."""
    words = {1: "很不满意", 2: "不满意", 3: "说不清", 4: "满意", 5: "很满意",
             8: "不知道", 9: "拒答"}  # fmt: skip
    q5 = [1.0, 2, 3, 4, 5, 8, 9, 8, 3, 5]
    path = tmp_path / f"s{ext}"
    df = pd.DataFrame({"q5": q5, "x": [float(v) for v in range(10)]})
    if ext == ".csv":
        df.assign(q5=[f"{int(v)}={words[int(v)]}" for v in q5]).to_csv(path, index=False)
    else:
        write = pyreadstat.write_sav if ext == ".sav" else pyreadstat.write_dta
        write(df, str(path), variable_value_labels={"q5": words})
    survey = load_survey(path)
    assert survey.frame["q5"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert survey.frame["q5"].isna().tolist() == [False] * 5 + [True] * 3 + [False] * 2
    report = survey.report.query("column == 'q5'")[["reason", "code", "rows"]].values.tolist()
    assert report == [["missing-value code", 8, 2], ["missing-value code", 9, 1]]
    rows = ("rows 7, 9", "row 8") if ext == ".csv" else ("rows 6, 8", "row 7")  # Excel's, Stata's
    assert (
        f"column 'q5' holds codes its value labels call no answer: 8 '不知道' ({rows[0]}), "
        f"9 '拒答' ({rows[1]}): made missing (reported)"
    ) in survey.notes[-1]
    mapping = tmp_path / "m.yaml"
    mapping.write_text("ranges: {q5: [1, 9]}\n", encoding="utf-8")  # the user: answers
    assert load_survey(path, mapping=mapping).frame["q5"].notna().all()


def test_a_two_row_header_of_merged_cells_is_named_as_such(tmp_path):
    """An Excel sheet with 基本情况 merged over 年龄 and 性别, saved as CSV: the message
    named 'column 4 has no name' only, not the two header lines that cause it."""
    lines = ["编号,村,基本情况,,满意度", ",,年龄,性别,总体", "1,东村,34,男,4", "2,西村,51,女,3"]
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    with pytest.raises(SurveyValidationError) as err:
        load_survey(path)
    assert "column 4 has no name on row 1 but holds values (rows 2, 3, 4)" in str(err.value)
    assert ("row 2 holds '性别' there, so rows 1–2 may be a two-row header (a merged cell "
            "'基本情况' over the columns under it): make them one row of column names") in str(
        err.value
    )  # fmt: skip


def test_a_row_pasted_twice_is_noted_without_a_resp_id_column(tmp_path):
    """A respondent pasted twice into an Excel sheet whose id column (编号) is not mapped to
    resp_id counted twice without a word; identical answers without an id are not noted."""
    lines = ["编号,村,走访,总体满意度"] + [f"{i},{'东西'[i % 2]}村,{i % 4},{1 + i % 5}"
                                         for i in range(1, 21)] + ["7,西村,3,3"]  # fmt: skip
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = load_survey(path).notes
    assert notes == [
        f"{config.display_path(path)}: rows 8 and 22 are the same in every column (编号 7): a "
        "respondent entered twice counts twice; remove the copy (or map your id column to "
        "resp_id to check ids)"
    ]
    path.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n", encoding="utf-8")
    assert load_survey(path).notes == []


@pytest.mark.parametrize("ext", [".csv", ".dta"])
def test_rows_of_totals_and_means_are_left_out_and_noted(tmp_path, ext):
    """A sheet's 合计 and 平均值 rows under the answers were read as two respondents, one
    with 20 times the visits and satisfaction of anyone: visits' slope went from 0.4 to 1.4
    with three stars, and nothing said."""
    d = pd.DataFrame({"序号": [str(i) for i in range(1, 21)],
                      "走访次数": [float(i % 4) for i in range(20)],
                      "满意度": [float(1 + (i % 4 + i % 3) % 5) for i in range(20)]})  # fmt: skip
    totals = pd.DataFrame({"序号": ["合计", "平均值："]})
    for col in ("走访次数", "满意度"):
        totals[col] = [d[col].sum(), d[col].mean()]
    path = tmp_path / f"s{ext}"
    table = pd.concat([d, totals], ignore_index=True)
    if ext == ".csv":
        table.to_csv(path, index=False, encoding="gbk")
    else:
        pyreadstat.write_dta(table, str(path))
    survey = load_survey(path)
    assert len(survey.frame) == 20 and survey.frame["满意度"].max() <= 5
    rows = "rows 22, 23" if ext == ".csv" else "rows 21, 22"  # .dta: observations from 1
    assert survey.notes[0].endswith(
        f"{rows} ('合计', '平均值：') are totals or means of the rows, not respondents: left out"
    )


def test_a_qualtrics_export_without_its_question_texts_names_its_import_ids(tmp_path):
    """With the question-text row deleted, the ImportId row left out was called 'Qualtrics'
    question texts'."""
    lines = ["ResponseId,Q4", '"{""ImportId"":""_recordId""}","{""ImportId"":""QID4""}"',
             *(f"R_{i},{1 + i % 5}" for i in range(10))]  # fmt: skip
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    survey = load_survey(path)
    assert len(survey.frame) == 10 and pd.api.types.is_numeric_dtype(survey.frame["Q4"])
    assert survey.notes[0].endswith(
        "row 2 under the column names is Qualtrics' import ids, not answers: left out (the "
        "answers start on row 3)"
    )


# --- Rows named as Excel shows them (blank lines, cells of several lines) -----------------


def _satisfaction_csv(tmp_path, lines, name="s.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_after_blank_lines_are_named_as_excel_shows_them(tmp_path, capsys):
    """pandas and the CSV reader skip a blank line; every row after it was named one row too
    early ('row 5' for the answer on row 7), so the user looked at the wrong respondent."""
    from workbench.cli import main

    lines = ["编号,村,满意度,走访次数", "1,东村,4,2", "2,西村,3,0", "", "3,东村,5,1", "",
             "4,南村,2,两次", "5,西村,3,4"]  # fmt: skip
    path = _satisfaction_csv(tmp_path, lines)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {visits: 走访次数}\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--mapping", str(mapping), "--formula",
                 "满意度 ~ visits"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    # line 7 of the file, row 7 in Excel (the blank lines are rows 4 and 6)
    assert "(your column '走访次数') has non-numeric value(s) ['两次'] in row 7;" in err
    assert lines[6].startswith("4,南村")
    survey = load_survey(_satisfaction_csv(tmp_path, [*lines[:6], "4,南村,2,5"], "ok.csv"))
    assert survey.frame.index.tolist() == [2, 3, 5, 7] and survey.notes == []


def test_a_cell_of_several_lines_is_one_row_and_a_note_says_where_lines_differ(tmp_path):
    """A quoted 备注 over three lines is one row in Excel; rows after it are named as Excel
    numbers them, and the note says a text editor shows them on later lines."""
    lines = ["编号,备注,满意度", "1,,4", '2,"家里老人\n说干部\n常来",3', "3,,4", "4,,7"]
    path = _satisfaction_csv(tmp_path, lines)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {sat_overall: 满意度}\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"\[7\] outside 1–5 in row 5;"):
        load_survey(path, mapping)  # row 5 of the sheet, line 7 of the file
    survey = load_survey(_satisfaction_csv(tmp_path, [*lines[:4], "4,,2"], "ok.csv"))
    assert survey.frame.index.tolist() == [2, 3, 4, 5]
    assert survey.notes == [
        f"{config.display_path(tmp_path / 'ok.csv')}: row 3 holds a cell of several lines: "
        "rows are numbered as Excel and WPS show them, so a text editor shows the rows after "
        "row 3 on later lines"
    ]


def test_a_qualtrics_export_with_a_blank_line_names_the_rows_of_the_sheet(tmp_path):
    """Qualtrics' two rows under the header and a blank line among the answers: the rows
    left out keep their numbers, so the stray answer is named on its own row."""
    answers = [f"R_{i},东村,{1 + i % 5},{i % 11}" for i in range(6)]
    path = _qualtrics(tmp_path, [*answers[:3], "", *answers[3:5], "R_x,西村,3,十"])
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {sat_overall: Q4, trust: Q5}\nranges: {trust: [0, 10]}\n",
                       encoding="utf-8")  # fmt: skip
    with pytest.raises(SurveyValidationError, match=r"\['十'\] in row 10;"):
        load_survey(path, mapping)
    path = _qualtrics(tmp_path, [*answers[:3], "", *answers[3:]])
    survey = load_survey(path, mapping)
    assert survey.frame.index.tolist() == [4, 5, 6, 8, 9, 10]
    assert "rows 2–3 under the column names are Qualtrics' question texts and import ids, " \
           "not answers: left out (the answers start on row 4)" in survey.notes[0]  # fmt: skip


def test_an_empty_row_among_the_answers_is_left_out_and_noted(tmp_path):
    """Excel saves an empty row inside the table as ',,,': it was read as a respondent who
    answered nothing, then dropped by every model as 'missing'."""
    path = _satisfaction_csv(tmp_path, ["编号,村,满意度", "1,东村,4", ",,", "2,西村,3", "3,东村,5"])
    survey = load_survey(path)
    assert survey.frame.index.tolist() == [2, 4, 5] and survey.report.empty
    assert survey.notes == [f"{config.display_path(path)}: row 3 among the answers is empty, "
                            "no respondent: left out"]  # fmt: skip


def test_a_number_typed_in_chinese_characters_is_suggested_as_its_number(tmp_path):
    """'三' among the visits was suggested as 'visits: {三: 1}', a wrong number to paste."""
    path = _write_csv(tmp_path, {"visits": ["2", "三", "十二", "0"]})
    with pytest.raises(
        SurveyValidationError,
        match=r"\['三', '十二'\] in rows 3, 4; .*"
        r"\(e\.g\. visits: \{三: 3, 十二: 12\};",
    ):
        load_survey(path)


def test_excel_formula_errors_are_named_as_formulas_to_fix(tmp_path):
    """#DIV/0! in a column of numbers was suggested as an answer to number under values:."""
    cells = {"visits": ["2", "#DIV/0!", "1", "#N/A"], "y": ["1", "2", "3", "4"]}
    path = _write_csv(tmp_path, cells)
    with pytest.raises(SurveyValidationError, match=r"column 'visits' holds Excel's formula "
                       r"errors \['#DIV/0!', '#N/A'\] in rows 3, 5: fix the formulas"):  # fmt: skip
        load_survey(path)


def test_a_header_with_a_line_break_is_matched_by_the_mappings_name(tmp_path):
    """满意度 typed over two lines in an Excel header cell (Alt+Enter) was 'not in the file'
    for a mapping naming 满意度(1-5): the name is matched whatever its white space."""
    path = tmp_path / "s.csv"
    path.write_text('编号,"满意度\n(1-5)",走访\n1,4,2\n2,3,1\n3,6,0\n', encoding="utf-8")
    mapping = _write_mapping(tmp_path, "columns: {sat_overall: 满意度(1-5), visits: 走访}\n")
    said = r"\(your column '满意度\\n\(1-5\)'\) has value\(s\) \[6\] outside 1–5 in row 4"
    with pytest.raises(SurveyValidationError, match=said):
        load_survey(path, mapping)


def test_dont_know_codes_of_a_short_scale_are_noted(tmp_path, capsys):
    """满意 1–5 with 8 (不知道) and 9 (拒答), 谈心 0/1 with 9, in a CSV without a mapping: the
    codes counted as answers without a word (ologit printed a cutpoint 5|8, 谈心's slope
    mixed 9 in). Now each is named with its rows and the mapping line; a 1–7 scale's 8 and
    a count reaching 9 are answers and not noted."""
    from workbench.cli import main

    rows = {
        "满意": [1, 2, 3, 4, 5, 8, 3, 9, 4, 2, 5, 1],
        "谈心": [0, 1, 0, 1, 9, 1, 0, 1, 0, 1, 0, 1],
        "七级": [1, 7, 8, 3, 6, 2, 5, 4, 1, 7, 3, 2],
        "走访": [0, 3, 9, 12, 5, 2, 1, 4, 7, 6, 2, 3],
    }
    data = _write_csv(tmp_path, rows, name="s.csv")
    notes = load_survey(data).notes
    assert len(notes) == 2
    assert "column '满意' holds 8 (row 7) and 9 (row 9)" in notes[0]
    assert "(1–5)" in notes[0] and "missing: {满意: [8, 9]}" in notes[0]
    assert "column '谈心' holds 9 (row 6)" in notes[1] and "missing: {谈心: [9]}" in notes[1]
    mapping = _write_mapping(tmp_path, "missing: {满意: [8, 9], 谈心: [9]}\n")
    declared = load_survey(data, mapping=mapping)
    assert declared.notes == [] and declared.frame["满意"].isna().sum() == 2
    args = ["survey", "fit", str(data), "--model", "ologit", "--formula", "满意 ~ 走访", "--json"]
    assert main(args) == 0
    assert "missing: {满意: [8, 9]}" in json.loads(capsys.readouterr().out)["data_notes"][0]


def test_stata_extended_missing_values_are_counted_under_their_codes(tmp_path):
    """A .dta file's .a (不知道) and .b (拒答) were read as blanks: 'missing in file', their
    codes and labels lost. Now each is counted under its code, with a note naming its label;
    a blank (system missing .) stays 'missing in file', and a text variable's letters stay
    answers."""
    frame = pd.DataFrame(
        {
            "满意": [1, "a", 4, 5, "b", "a", 2, 3, 3, 4],
            "组": ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"],
            "走访": [0, 3, 2, 5, 1, 4, None, 3, 1, 0],
        }
    ).astype({"满意": object})
    path = tmp_path / "s.dta"
    labels = {"满意": {1: "很不满意", 5: "很满意", "a": "不知道", "b": "拒答"}}
    pyreadstat.write_dta(
        frame, str(path), missing_user_values={"满意": ["a", "b"]}, variable_value_labels=labels
    )
    survey = load_survey(path)
    report = survey.report[["column", "reason", "code", "rows"]].values.tolist()
    assert report == [
        ["走访", "missing in file", None, 1],
        ["满意", "missing-value code", ".a", 2],
        ["满意", "missing-value code", ".b", 1],
    ]
    assert survey.frame["满意"].isna().sum() == 3 and survey.frame["组"].tolist()[:2] == ["a", "b"]
    assert survey.value_labels["满意"] == {1: "很不满意", 5: "很满意"}
    assert any(".a '不知道' (2 rows), .b '拒答' (1 rows)" in note for note in survey.notes)
