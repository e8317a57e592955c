"""Load a survey from CSV, an Excel workbook, Stata ``.dta`` or SPSS ``.sav``, map and clean it.

:func:`load_survey` reads the file (value labels of ``.dta``/``.sav`` files are
kept in :attr:`SurveyData.value_labels`), renames the user's columns to the
workbench's standard names with a mapping file, turns missing-value codes into
missing values and checks every column against the codebook.  Bad input stops
with a :class:`~workbench.survey.validate.SurveyValidationError` that names the
file, the column and the rows and says what to do; everything turned into a
missing value is counted in :attr:`SurveyData.report`.

Every message names a row as the program the file is opened in numbers it, and the
frame's index holds these numbers: for a CSV or a workbook (``.xlsx``, ``.xlsm``), the
row Excel or WPS shows, the header's being row 1 and the first answer's row 2 (blank
rows, and the rows left out — Qualtrics' question texts, totals, notes — are counted:
the rows after them keep their numbers); for a ``.dta`` or ``.sav`` file, the
observation's number (the first is 1), as Stata's browser or SPSS's data view shows it.
A CSV's row is its line in a text editor too, unless a quoted cell above it spans
several lines (a note says so).

Examples
--------
>>> s = load_survey()
>>> s.simulated, len(s.frame)
(True, 3000)
>>> s.report.query("column == 'sat_overall'")[["reason", "code", "rows"]].values.tolist()
[['missing-value code', 8, 23], ['missing-value code', 9, 28]]
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench import config
from workbench.csvio import COLUMN_NUMBERS, HEADER_ROW, MULTILINE_ROWS
from workbench.survey.codebook import VALID_CODES, Codebook, load_codebook
from workbench.survey.validate import (
    BLANKS,
    SurveyValidationError,
    closest,
    format_rows,
    is_number,
    number_text,
    suggest,
)
from workbench.yamlio import describe_error, safe_load

log = logging.getLogger(__name__)

REPORT_COLUMNS = ["column", "reason", "code", "rows"]
READERS = (".csv", ".xlsx", ".xlsm", ".dta", ".sav")

#: The survey reader's word lists, kept as data, not code (edit the YAML file).
SURVEY_WORDS = config.RESOURCES_DIR / "survey_words.yaml"


@cache
def survey_words(path: Path = SURVEY_WORDS) -> dict[str, Any]:
    """The lists of ``resources/survey_words.yaml``, each a tuple (a section of lists, a
    dict of tuples), read once.

    Examples
    --------
    >>> words = survey_words()
    >>> "拒答" in words["nonresponse"], -9 in words["code_like"], words["place_endings"][0]
    (True, True, '村')
    """
    table = safe_load(Path(path).read_text(encoding="utf-8"))
    return {
        str(key): {str(k): tuple(v) for k, v in values.items()}
        if isinstance(values, dict) else tuple(values)
        for key, values in table.items()
    }  # fmt: skip


@dataclass
class SurveyData:
    """A loaded, cleaned survey.

    Attributes
    ----------
    frame : pandas.DataFrame
        Standard column names, numeric columns as floats/ints, missing values as NaN;
        index ``row`` = 1-based row of the file.  ``frame.attrs["valid_codes"]`` lists
        codebook missing-value codes kept as answers (see :func:`clean_codes`).
    report : pandas.DataFrame
        ``column, reason, code, rows``: what became missing and why.
    value_labels : dict
        ``{column: {code: label}}`` read from a ``.dta``/``.sav`` file, under the
        standard names; for a column whose answers the mapping's ``values:`` gives
        as numbers, those answers (``{1: '非常满意', ...}``) unless the file labels it.
    source : str
        The file, relative to the project root when inside it.
    simulated : bool
        True for the bundled simulated survey (label every output SIMULATED).
    inputs : dict
        File → SHA-256 for provenance records: the survey file, the mapping file,
        and the inputs a simulated file's sidecar records (its DGP).
    notes : list of str
        What the reader noticed but did not refuse (also logged as warnings): answers
        under the mapping's ``values:`` that no cell holds, duplicate respondent ids,
        near-duplicate answers in a text column.
    sheet : str or None
        The sheet read from a workbook (None for other files); messages name it.
    """

    frame: pd.DataFrame
    report: pd.DataFrame
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    source: str = ""
    simulated: bool = False
    inputs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None


@dataclass(frozen=True)
class Mapping_:
    """Parsed mapping file: ``columns`` (standard → user), extra ``missing`` codes, ``ranges``,
    and ``values``: per column, the number each text answer stands for (``是: 1, 否: 0``),
    ``None`` for an answer that means missing (``不知道: null``)."""

    columns: dict[str, str]
    missing: dict[str, list[float]]
    ranges: dict[str, list[float]]
    path: Path | None = None
    values: dict[str, dict[str, float | None]] = field(default_factory=dict)


def load_mapping(path: str | Path, codebook: Codebook | None = None) -> Mapping_:
    """Read a mapping file (YAML); see ``data/survey/mapping_example.yaml``.

    Parameters
    ----------
    path : path
        The mapping file.
    codebook : Codebook, optional
        Whose variables are the standard names (default: the bundled codebook).

    Raises
    ------
    SurveyValidationError
        When the file is not a mapping, a section has the wrong shape, or a name
        under ``columns`` is not a standard name (the error lists them and the
        closest one).  Names under ``missing``/``ranges`` may also be columns of
        the survey that are not mapped; :func:`load_survey` checks them.
    """
    path = Path(path)
    where = config.display_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{where}: no such mapping file (--mapping)")
    text = ""
    try:
        text = path.read_text(encoding="utf-8")
        table = safe_load(text) or {}
    except UnicodeDecodeError as err:
        raise SurveyValidationError(
            f"{where}: is not UTF-8 (byte {err.start}); save the mapping file as UTF-8"
        ) from None
    except yaml.YAMLError as err:
        # A mistake of the user's file, not a crash: say where it breaks.
        raise SurveyValidationError(
            f"{where}: not valid YAML: {describe_error(err, text)}"
        ) from None
    if not isinstance(table, dict):
        raise SurveyValidationError(f"{where}: a mapping file must be a YAML mapping")
    unknown = sorted(set(table) - set(MAPPING_SECTIONS))
    if unknown:
        raise SurveyValidationError(
            f"{where}: unknown section(s) {unknown}; use {', '.join(MAPPING_SECTIONS)}"
        )
    for section in MAPPING_SECTIONS:
        if not isinstance(table.get(section) or {}, dict):
            raise SurveyValidationError(f"{where}: '{section}' must map standard names to values")
    # The CSV reader strips header cells: "村 " in a mapping names the column 村.
    columns = {str(k).strip(): str(v).strip() for k, v in (table.get("columns") or {}).items()}
    missing = {str(k): _codes(v, k, where) for k, v in (table.get("missing") or {}).items()}
    ranges = {str(k): _range(v, k, where) for k, v in (table.get("ranges") or {}).items()}
    values = {str(k): _answers(v, k, where) for k, v in (table.get("values") or {}).items()}
    shared = {c: [k for k, v in columns.items() if v == c] for c in columns.values()}
    shared = {c: names for c, names in shared.items() if len(names) > 1}
    if shared:
        # One column renamed to two names keeps only the last; the other would be
        # reported "missing" later, far from the cause.
        raise SurveyValidationError(
            f"{where}: under 'columns', "
            + "; ".join(
                f"{' and '.join(map(repr, n))} both name the column {c!r}"
                for c, n in shared.items()
            )
            + "; a column of your file can stand for one standard name only: map the other "
            "to its own column, or leave it out"
        )
    standard = (codebook or load_codebook()).variables
    # A misspelt standard name would rename the user's column to a name no model asks
    # for, and fail much later with a KeyError; say so here, naming every bad key at once.
    bad = [k for k in columns if k not in standard]
    if bad:
        raise SurveyValidationError(
            f"{where}: under 'columns', "
            + "; ".join(f"{k!r} is not a standard name {suggest(k, standard)}" for k in bad)
            + f". The left-hand names must be standard names: {sorted(standard)} "
            f"(see {config.display_path(config.SURVEY_CODEBOOK)}); columns you do not map "
            "keep their own names"
        )
    return Mapping_(columns=columns, missing=missing, ranges=ranges, path=path, values=values)


#: The sections of a mapping file.
MAPPING_SECTIONS = ("columns", "missing", "ranges", "values")


def _answers(value: Any, name: object, where: str) -> dict[str, float | None]:
    """The numbers of one column's text answers: ``{是: 1, 否: 0}``; ``null`` = missing.

    A "don't know" answer is missing, not a number: ``{不知道: null}`` (YAML's ``null``
    or ``~``) makes it missing, counted in the report like a missing-value code.

    Examples
    --------
    >>> _answers({"是": 1, "否": 0, "不知道": None}, "party", "m.yaml")
    {'是': 1, '否': 0, '不知道': None}
    >>> try:
    ...     _answers({"是": "yes"}, "party", "m.yaml")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:93])
    m.yaml: the values of 'party' must map each text answer to a number (or to null for an answer
    """
    ok = isinstance(value, dict) and value and all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool))
        for v in value.values()
    )  # fmt: skip
    if not ok:
        raise SurveyValidationError(
            f"{where}: the values of {name!r} must map each text answer to a number (or to "
            f"null for an answer that means missing), e.g. {{是: 1, 否: 0}} or "
            f"{{非常满意: 5, 比较满意: 4, 不知道: null}}; got {value!r}"
        )
    # A number key (1: 5 reverses a scale) as a cell of the file holds it: 1, not 1.0.
    number = lambda k: isinstance(k, int | float) and not isinstance(k, bool)  # noqa: E731
    return {number_text(k) if number(k) else str(k).strip(): v for k, v in value.items()}


def _codes(value: Any, name: object, where: str) -> list[float]:
    """Missing-value codes of one entry: a number or a list of numbers."""
    codes = value if isinstance(value, list) else [value]
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in codes):
        words = [str(c) for c in codes if isinstance(c, str)]
        # 不知道 under missing: is an answer in words: 'values:' is where it becomes missing.
        hint = (
            f"; answers in words are made missing under 'values:' instead: values: {{{name}: "
            + "{" + ", ".join(f"{w}: null" for w in words) + "}}"
            if words else ""
        )  # fmt: skip
        raise SurveyValidationError(
            f"{where}: missing codes of {name!r} must be numbers, e.g. [-1, -2, -3]; got {value!r}"
            + hint
        )
    return list(codes)


def _range(value: Any, name: object, where: str) -> list[float]:
    """A valid range: ``[low, high]``."""
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise SurveyValidationError(
            f"{where}: the range of {name!r} must be [low, high], e.g. [0, 10]; got {value!r}"
        )
    if value[0] > value[1]:
        # [5, 1] would make every answer "outside 5–1", far from the cause.
        raise SurveyValidationError(
            f"{where}: the range of {name!r} is [low, high], low first; got {value!r}: write "
            f"[{value[1]}, {value[0]}]"
        )
    return list(value)


def check_mapping_names(
    mapping: Mapping_, codebook: Codebook, columns: list[str], where: str
) -> None:
    """Names under ``missing``/``ranges`` must be standard names or (mapped) columns of the file.

    Raises
    ------
    SurveyValidationError
        Naming the mapping file, each unknown name, its closest match and the
        standard names, so that codes meant for a column are never ignored quietly.
    """
    known = set(codebook.variables) | set(columns)
    user_names = {col: std for std, col in mapping.columns.items()}
    problems = []
    for section in ("missing", "ranges", "values"):
        for key in getattr(mapping, section):
            if key in known:
                continue
            if key in user_names:  # the file's own name of a mapped column
                problems.append(
                    f"under '{section}', {key!r} is mapped to {user_names[key]!r}; "
                    f"write {user_names[key]!r} instead"
                )
            else:
                problems.append(
                    f"under '{section}', {key!r} is neither a standard name nor a column of "
                    f"{where} {suggest(key, known)}"
                )
    if problems:
        raise SurveyValidationError(
            f"{config.display_path(mapping.path or '')}: "
            + "; ".join(problems)
            + f". The standard names are {sorted(codebook.variables)}"
        )


def read_table(
    path: str | Path, sheet: str | None = None
) -> tuple[pd.DataFrame, dict[str, dict[Any, str]]]:
    """Read a CSV or Excel workbook (as text, to check it), ``.dta`` or ``.sav`` file;
    return data and value labels.

    A CSV may be UTF-8 (with or without a byte-order mark), UTF-16, GBK/GB18030 or Big5,
    its fields separated by commas, semicolons or tabs (:mod:`workbench.csvio`). A
    workbook (``.xlsx``, ``.xlsm``) is read as the CSV Excel would save of it
    (:func:`workbench.csvio.read_user_xlsx`): its one sheet with data, or ``sheet``. Both
    then go through the same checks (:func:`_sheet_checks`). The index is the row as
    the module docstring says; ``attrs["sheet"]`` names a workbook's sheet.

    Raises
    ------
    SurveyValidationError
        For an unsupported file type (``.xls``, ``.et``, ``.ods``: saying how to save it),
        a file that cannot be decoded or parsed, or a ``.dta``/``.sav`` file pyreadstat
        cannot read.
    """
    from workbench.csvio import XLSX_SUFFIXES, CsvError, other_spreadsheet, read_user_table

    path = Path(path)
    suffix = path.suffix.lower()
    where = config.display_path(path)
    labels: dict[str, dict[Any, str]] = {}
    spreadsheet = suffix == ".csv" or suffix in XLSX_SUFFIXES
    if spreadsheet:
        try:
            # As Excel or WPS saved it: GBK or UTF-8, comma or semicolon; or the workbook.
            df = read_user_table(path, where, sheet=sheet, sheet_rows=True)
        except CsvError as err:
            raise SurveyValidationError(str(err)) from None
        where = sheet_where(where, df.attrs.get("sheet"))
        df = _sheet_checks(df, where)
    elif sheet is not None:
        raise SurveyValidationError(
            f"{where}: a sheet ({sheet!r}) is named, but the file is no Excel workbook: leave "
            "--sheet out"
        )
    elif suffix in (".dta", ".sav"):
        import pyreadstat

        # SPSS user-missing values are read as the codes they are (99, -9), to be made
        # missing and reported with their code in clean_codes, not as anonymous blanks.
        # Stata's missing values .a–.z (often 不知道, 拒答) are read as their letters, to be
        # counted under them (_stata_missing), not as blanks "missing in file".
        options = {"user_missing": True}
        reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
        try:
            df, meta = reader(str(path), **options)
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as err:
            # A damaged file, another format under this suffix, or one that is empty.
            program = "Stata" if suffix == ".dta" else "SPSS"
            raise SurveyValidationError(
                f"{where}: cannot be read as a {program} {suffix} file "
                f"({err}); save it again from {program} (or export it as .csv) and retry"
            ) from None
        labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
        if suffix == ".sav":
            df.attrs[FILE_MISSING] = _user_missing(df, meta.missing_ranges)
        else:
            types = meta.readstat_variable_types
            strings = {col for col, kind in types.items() if kind == "string"}
            df.attrs[STATA_MISSING] = _stata_missing(df, labels, strings)
        df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    else:
        raise SurveyValidationError(
            other_spreadsheet(path, where)
            or f"{where}: unsupported file type {suffix!r}; use one of {READERS}"
        )
    summary = _summary_rows(df)
    if summary:
        df.attrs[SUMMARY_ROWS] = {row: _first_cell(df.loc[row]) for row in summary}
        df = df.drop(index=summary)
    if spreadsheet:
        notes = _trailing_notes(df)
        if notes:
            df.attrs[TRAILING_ROWS] = list(df.index[-notes:])
            df.attrs[TRAILING_TEXT] = [
                t for t in (df.iloc[-notes:, 0].astype(str).str.strip()) if t
            ]
            df = df.iloc[:-notes]
        blank = df.index[df.astype(str).apply(lambda c: c.str.strip()).eq("").all(axis=1)]
        if len(blank):
            # An empty row among the answers (Excel saves it as ",,,"): no respondent.
            df.attrs[BLANK_ROWS] = list(blank)
            df = df.drop(index=blank)
        if df.empty:
            # Else every model says its columns are "empty in every one of the 0 rows".
            raise SurveyValidationError(
                f"{where}: no answers under the column names (row "
                f"{df.attrs.get(HEADER_ROW, 1)}); put the respondents' answers on the rows "
                "below them"
            )
    return df, labels


def sheet_where(where: str, sheet: str | None) -> str:
    """A file as messages name it, with the sheet of a workbook.

    >>> sheet_where("s.xlsx", "数据"), sheet_where("s.csv", None)
    ("s.xlsx (sheet '数据')", 's.csv')
    """
    return f"{where} (sheet {sheet!r})" if sheet else where


def _sheet_checks(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """The checks of a table read from a CSV or a workbook, alike for both: a title for
    a header, a column with values but no name (:func:`_check_header`,
    :func:`_check_unnamed`), and the rows under the header that are no answers
    (Qualtrics', :func:`_qualtrics_rows`), left out with their rows in ``attrs``."""
    _check_header(df, where)
    _check_unnamed(df, where)
    extra, what = _qualtrics_rows(df)
    if extra:
        # Rows keep their numbers: the first answer is on the row after them.
        df.attrs[HEADER_ROWS] = list(df.index[:extra])
        df.attrs[HEADER_WHAT] = what
        df = df.iloc[extra:]
    return df


#: ``attrs`` key of a table read without its empty rows among the answers: their rows.
BLANK_ROWS = "blank_rows"


#: ``attrs`` key of a table read without its rows of totals or means: ``{row: label}``.
SUMMARY_ROWS = "summary_rows"

#: Labels of a row of totals or means (``survey_words.yaml``): 合计, 平均值 …
SUMMARY_WORDS: tuple[str, ...] = survey_words()["summary_rows"]


def _first_cell(row: pd.Series) -> str:
    """The first filled cell of a row, as text."""
    cells = [str(v).strip() for v in row if not pd.isna(v) and str(v).strip()]
    return cells[0] if cells else ""


def _summary_rows(df: pd.DataFrame) -> list[Any]:
    """The rows of totals or means a sheet keeps with its answers: rows whose first filled
    cell is 合计, 小计, 平均值 … (``summary_rows`` of ``survey_words.yaml``), which read as
    a respondent would be one with every number many times too large.

    Examples
    --------
    >>> d = pd.DataFrame({"序号": ["1", "2", "合计", "平均值："], "走访": ["2", "4", "6", "3"]},
    ...                  index=[1, 2, 3, 4])
    >>> _summary_rows(d), _summary_rows(d.iloc[:2])
    ([3, 4], [])
    """
    if df.empty:
        return []
    words = set(SUMMARY_WORDS)

    def label(cells: pd.Series) -> pd.Series:
        return cells.astype(str).str.strip().str.rstrip(":：").str.strip().str.lower()

    # Column by column first (a row at a time is slow on 30,000 rows): the rows with such a
    # word anywhere, then those where it is the first filled cell.
    hit = pd.Series(False, index=df.index)
    for j in range(df.shape[1]):
        cells = df.iloc[:, j]
        if not pd.api.types.is_numeric_dtype(cells):
            hit |= label(cells).isin(words).to_numpy()
    if not hit.any():
        return []
    first = df.loc[hit].apply(_first_cell, axis=1)
    return list(first.index[label(first).isin(words)])


#: ``attrs`` keys of a CSV table read without the notes and blank rows under its answers
#: (an Excel sheet's 注：… line saved with it): their rows, and the notes' texts.
TRAILING_ROWS = "trailing_rows"
TRAILING_TEXT = "trailing_text"

#: How a note under a table begins (注：…, 数据来源：…): such a row is no respondent.
NOTE_MARKERS: tuple[str, ...] = ("注", "备注", "说明", "数据来源", "资料来源", "来源", "note",
                                 "source", "*")  # fmt: skip


def _trailing_notes(df: pd.DataFrame) -> int:
    """How many rows at the end of a CSV table are notes or blank, not respondents: rows
    with no value, and rows whose only value is a text in the first column that is no
    number and either begins as a note does (注, 数据来源 …) or is a sentence (ten characters
    or more) twice as long as any value of that column above it — as Excel saves a sheet's
    ``注：1=非常不满意 …`` line.  A last respondent who answered one question (an id such as
    A4, a village, a number) is kept.

    Examples
    --------
    >>> d = pd.DataFrame([["1", "东村", "4"], ["2", "西村", "5"], ["", "", ""],
    ...                   ["注：满意度1=非常不满意，5=非常满意", "", ""]],
    ...                  columns=["id", "村", "sat"])
    >>> _trailing_notes(d), _trailing_notes(d.iloc[:2]), _trailing_notes(d.iloc[[0, 1, 0]])
    (2, 0, 0)
    >>> _trailing_notes(pd.DataFrame([["1", "4"], ["2", ""], ["3", ""]], columns=["id", "sat"]))
    0
    """
    if df.empty or df.shape[1] < 2:
        return 0
    cells = df.astype(str).apply(lambda c: c.str.strip())
    filled = cells.ne("")
    n = 0
    for i in range(len(df) - 1, 0, -1):
        if not filled.iloc[i].any():
            n += 1
            continue
        text = cells.iloc[i, 0]
        if filled.iloc[i].sum() != 1 or not filled.iloc[i, 0]:
            break
        above = cells.iloc[:i, 0]
        number = pd.to_numeric(pd.Series([text]).str.normalize("NFKC"), errors="coerce")
        if number.notna().any() or not (
            text.lower().startswith(NOTE_MARKERS)
            or (len(text) >= 10 and len(text) > 2 * above.str.len().max())
        ):
            break
        n += 1
    return n if n < len(df) else 0


#: ``attrs`` key of a CSV table read without the header rows a Qualtrics export adds
#: below its column names: how many rows were left out.
HEADER_ROWS = "header_rows"

#: ``attrs`` key beside :data:`HEADER_ROWS`: what those rows are, and their first cells,
#: for the note that says they were left out.
HEADER_WHAT = "header_rows_what"

#: Qualtrics' names of the fields it exports before the questions, lower-cased without
#: spaces, as its question-text row writes them (``Response ID``; ``ResponseID`` in its
#: legacy exports, under the column names ``V1``, ``V2`` …): no answer is written so.
_QUALTRICS_FIELDS = frozenset({
    "responseid", "responseset", "startdate", "enddate", "recordeddate", "ipaddress",
    "externaldatareference", "externalreference", "responsetype", "duration(inseconds)",
    "recipientlastname", "recipientfirstname", "recipientemail", "locationlatitude",
})  # fmt: skip


def _qualtrics_rows(df: pd.DataFrame) -> tuple[int, str]:
    """How many rows under the header are not answers, and what they are: a Qualtrics
    export's question texts and ``{"ImportId":"QID1"}`` row, its legacy exports' question
    texts alone, or a row of question texts under a header of variable names (as a user
    adds one); ``(0, "")`` for other files.

    A row of question texts alone is told from a first respondent with care, for
    dropping a respondent would be silent loss: it must name a Qualtrics field (``Response
    ID``, ``StartDate`` …: no answer is written so), or be words — no number, no refusal
    (拒答), no ``5=非常满意`` or ``45岁`` — in every one of at least two columns whose other
    rows are all numbers, a different text in each (see :func:`_question_texts`).

    Examples
    --------
    >>> d = pd.DataFrame([["Response ID", "您的年龄"], ['{"ImportId":"_recordId"}',
    ...                   '{"ImportId":"QID2_TEXT"}'], ["R_1", "34"]], columns=["ResponseId", "Q2"])
    >>> _qualtrics_rows(d)[0], _qualtrics_rows(d.iloc[2:])
    (2, (0, ''))
    >>> _qualtrics_rows(d.drop(index=1))
    (1, "Qualtrics' question texts ('Response ID', '您的年龄')")
    >>> d = pd.DataFrame([["年龄", "走访次数"], ["34", "2"], ["51", "0"]],
    ...                  columns=["age", "visits"])
    >>> _qualtrics_rows(d)[0], _qualtrics_rows(d.iloc[1:])[0]
    (1, 0)
    """
    if df.empty:
        return 0, ""
    for k in range(min(2, len(df))):
        cells = df.iloc[k].astype(str).str.strip()
        if cells.str.startswith('{"ImportId"').mean() >= 0.5:
            what = "Qualtrics' question texts and import ids" if k else "Qualtrics' import ids"
            return k + 1, what
    first = df.iloc[0].astype(str).str.strip()
    # The first and last cells (Qualtrics' fields, then its last questions): a message is no
    # place for forty question texts.
    cells = [repr(c[:20]) for c in dict.fromkeys(first) if c]
    shown = ", ".join(cells if len(cells) <= 4 else [*cells[:2], "…", *cells[-2:]])
    fields = first.str.lower().str.replace(r"[\s_]", "", regex=True)
    if fields.isin(_QUALTRICS_FIELDS).any():
        return 1, f"Qualtrics' question texts ({shown})"
    if [str(c).strip() for c in df.columns] == first.tolist():
        return 1, "the column names again"
    columns = _question_texts(df)
    if columns:
        named = ", ".join(map(repr, columns[:5])) + (" …" if len(columns) > 5 else "")
        return 1, (
            f"question texts ({shown}): words in each of the {len(columns)} columns whose other "
            f"rows are all numbers ({named})"
        )
    return 0, ""


#: A number in Chinese numerals, with a unit or not (五十, 三次, 两个月): an answer.
_CHINESE_NUMBER = r"[零〇一二两三四五六七八九十百千万]+\s*[\u4e00-\u9fff]{0,2}"


def _question_texts(df: pd.DataFrame) -> list[str]:
    """The columns that make the first row of ``df`` a row of question texts, not a
    respondent: at least two columns whose other rows hold numbers only (two or more),
    in each of which the first row holds words — and no cell of the first row is a
    number, a refusal (拒答, 不知道), a number with its words or unit (``5=非常满意``,
    ``45岁``, ``三次``), no text is in two of those columns (a question numbered
    ``1、您的性别`` is words), and no text of the first row is another row's answer in
    its column.  Else ``[]``: a respondent who typed 不知道 or 三次 among numbers is a
    respondent, kept (and refused as text where the column must hold numbers, naming
    the row).

    Examples
    --------
    >>> d = pd.DataFrame([["年龄", "走访次数", "村"], ["34", "2", "东村"], ["51", "0", "西村"]],
    ...                  columns=["age", "visits", "village"])
    >>> _question_texts(d), _question_texts(d.replace("走访次数", "3"))
    (['age', 'visits'], [])
    >>> _question_texts(d.replace("走访次数", "不知道"))
    []
    >>> _question_texts(d.replace("走访次数", "年龄"))
    []
    """
    if len(df) < 3:
        return []
    first = df.iloc[0].astype(str).str.strip()
    normal = first.str.normalize("NFKC")
    numeric = pd.to_numeric(normal.str.replace(",", "", regex=False).str.rstrip("%"),
                            errors="coerce")  # fmt: skip
    answer_like = (
        numeric.notna()
        | normal.str.lower().isin(NONRESPONSE)
        # "5=非常满意" is an answer; "1、您的性别" (numbered, as 问卷星 numbers them) a question.
        | normal.str.fullmatch(r"[-+]?\d+\s*=.*")
        | normal.str.fullmatch(_UNIT)
        | normal.str.fullmatch(_CHINESE_NUMBER)
    )
    if answer_like.any():
        return []
    rest = df.iloc[1:]
    columns = []
    for j, col in enumerate(df.columns):
        values = numeric_column(rest.iloc[:, [j]], rest.columns[j], "", strict=False)
        if values is not None and values.notna().sum() >= 2:
            columns.append(str(col))
    texts = [first.iloc[j] for j, col in enumerate(df.columns) if str(col) in columns]
    if len(columns) < 2 or not all(texts) or len(set(texts)) < len(texts):
        return []
    # A respondent who wrote every number in words (五十, 三次) still answers the text
    # questions as others do (东村); a question text is no one's answer.
    for j, col in enumerate(df.columns):
        if (
            str(col) not in columns
            and first.iloc[j]
            and (rest.iloc[:, j].astype(str).str.strip() == first.iloc[j]).any()
        ):
            return []
    return columns


#: ``attrs`` key of a table read from an SPSS file: ``{column: [codes]}``, its user-missing
#: values present in the data.
FILE_MISSING = "file_missing"
STATA_MISSING = "stata_missing"
_STATA_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _stata_missing(
    df: pd.DataFrame, labels: dict[str, dict[Any, str]], strings: Iterable[str] = ()
) -> dict:
    """Make a .dta file's extended missing values (.a–.z, read as their letters) missing, in
    place, and return them with their counts and labels: ``{column: {".a": (n, label)}}``.
    Their labels leave ``labels``, which then hold the answers only. ``strings`` are the
    file's text variables, whose letters are answers.

    Examples
    --------
    >>> d = pd.DataFrame({"q": [1, "a", 5, "b", "a"], "v": ["东村"] * 5})
    >>> _stata_missing(d, {"q": {1: "很不满意", "a": "不知道"}})
    {'q': {'.a': (2, '不知道'), '.b': (1, '')}}
    >>> d["q"].tolist()
    [1.0, nan, 5.0, nan, nan]
    >>> _stata_missing(pd.DataFrame({"组": ["a", "b", "a"]}), {}, strings=["组"])
    {}
    """
    out: dict[str, dict[str, tuple[int, str]]] = {}
    strings = set(strings)
    for col in df.columns:
        if df[col].dtype != object or col in strings:
            continue
        letters = df[col].map(lambda v: isinstance(v, str) and v in _STATA_LETTERS)
        if not letters.any() or df[col][~letters].map(lambda v: isinstance(v, str)).any():
            continue
        table = labels.get(col, {})
        out[col] = {
            f".{code}": (int(n), str(table.get(code, "")))
            for code, n in sorted(df[col][letters].value_counts().items())
        }
        df[col] = pd.to_numeric(df[col].where(~letters), errors="coerce")
        if col in labels:
            labels[col] = {k: v for k, v in table.items() if k not in _STATA_LETTERS}
    return out


def _with_stata_missing(
    report: pd.DataFrame, stata: dict, standard: dict[str, str], where: str
) -> tuple[pd.DataFrame, list[str]]:
    """The missing-value report with a .dta file's .a–.z counted under their codes, not as
    "missing in file", and a note per column naming them with their labels."""
    rows = report.to_dict("records")
    notes = []
    for col, codes in stata.items():
        name = standard.get(col, col)
        total = sum(n for n, _ in codes.values())
        for row in rows:
            if row["column"] == name and row["reason"] == "missing in file":
                row["rows"] -= total
        rows.extend(
            {"column": name, "reason": "missing-value code", "code": code, "rows": n}
            for code, (n, _) in codes.items()
        )
        said = ", ".join(
            f"{code} {label!r} ({n} rows)" if label else f"{code} ({n} rows)"
            for code, (n, label) in codes.items()
        )
        notes.append(
            f"{where}: column {name!r} holds Stata's missing values {said}: missing, "
            "counted under their codes"
        )
    kept = [row for row in rows if row["rows"] > 0]
    return pd.DataFrame(kept, columns=REPORT_COLUMNS, dtype=object), notes


def _user_missing(df: pd.DataFrame, ranges: dict[str, list[dict[str, float]]]) -> dict:
    """The user-missing codes an SPSS file declares that its columns hold: ``{column: [codes]}``.

    Examples
    --------
    >>> d = pd.DataFrame({"q1": [1.0, 99, 5], "q2": [-9.0, -7, 2], "q3": [1.0, 2, 3]})
    >>> _user_missing(d, {"q1": [{"lo": 99.0, "hi": 99.0}], "q2": [{"lo": -9.0, "hi": -7.0}],
    ...                   "q3": [{"lo": 9.0, "hi": 9.0}]})
    {'q1': [99], 'q2': [-9, -7]}
    """
    out: dict[str, list[float]] = {}
    for col, spans in ranges.items():
        if col not in df.columns or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        values = df[col].dropna()
        inside = pd.Series(False, index=values.index)
        for span in spans:
            inside |= (values >= span["lo"]) & (values <= span["hi"])
        codes = sorted({_plain(v) for v in values[inside]})
        if codes:
            out[col] = codes
    return out


def _check_header(df: pd.DataFrame, where: str) -> None:
    """Refuse a table whose first row is a title, not the header (most column names blank).

    Raises
    ------
    SurveyValidationError
        Saying on which row the header seems to be, and what to do.

    Examples
    --------
    >>> d = pd.DataFrame([["编号", "村", "信任"], ["1", "东村", "40"]], columns=["调查", "", ""])
    >>> try:
    ...     _check_header(d, "s.csv")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:69])
    s.csv: 2 of the 3 column names on row 1 are blank (its only text: '调查
    """
    names = [str(c).strip() for c in df.columns]
    blank = sum(not n or n.startswith("Unnamed:") for n in names)
    if len(names) < 2 or blank * 2 < len(names):
        return
    header = next(
        (i for i in range(min(len(df), 5))
         if sum(bool(str(v).strip()) for v in df.iloc[i]) * 2 > len(names)),
        None,
    )  # fmt: skip
    filled = [n for n in names if n and not n.startswith("Unnamed:")]
    top = df.attrs.get(HEADER_ROW, 1)
    where_header = (
        f"; the header seems to be on row {df.index[header]} "
        f"({', '.join(map(str, df.iloc[header][:5]))}{' …' if len(names) > 5 else ''}): "
        "delete the row(s) above it and save the file again"
        if header is not None
        else "; put the column names in the first row"
    )
    raise SurveyValidationError(
        f"{where}: {blank} of the {len(names)} column names on row {top} are blank (its only "
        f"text: {', '.join(map(repr, filled[:3])) or 'none'}), so row {top} is not the header"
        + where_header
    )


def _check_unnamed(df: pd.DataFrame, where: str) -> None:
    """Refuse a column that holds answers under no name: no formula or mapping can name
    it, and two such columns would be one name for two columns.

    (:mod:`workbench.csvio` leaves out columns without a name and without a value.)

    Raises
    ------
    SurveyValidationError
        Naming the column's position and its first rows with a value.

    Examples
    --------
    >>> d = pd.DataFrame([["1", "a"], ["2", ""]], columns=["编号", ""], index=[2, 3])
    >>> try:
    ...     _check_unnamed(d, "s.csv")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:60])
    s.csv: column 2 has no name on row 1 but holds values (row 2
    """
    top = df.attrs.get(HEADER_ROW, 1)
    numbers = df.attrs.get(COLUMN_NUMBERS) or list(range(1, df.shape[1] + 1))
    for j, name in enumerate(map(str, df.columns), start=1):
        if name.strip():
            continue
        cells = df.iloc[:, j - 1].astype(str).str.strip()
        rows = df.index[(cells != "").to_numpy()]
        first = cells.iloc[0] if len(cells) else ""
        merged = ""
        if first and not is_number(first):
            # Excel's two-row header (基本情况 merged over 年龄, 性别) saved as CSV: row 1
            # names the group once, row 2 the columns under it.
            group = next((str(n) for n in reversed(list(df.columns)[: j - 1]) if str(n).strip()),
                         "")  # fmt: skip
            merged = (
                f"; row {df.index[0]} holds {first!r} there, so rows {top}–{df.index[0]} may be "
                f"a two-row header (a merged cell {group!r} over the columns under it): make "
                "them one row of column names"
            )
        raise SurveyValidationError(
            f"{where}: column {numbers[j - 1]} has no name on row {top} but holds values "
            f"({format_rows(rows)}); give it a name in the header (or delete the column) and "
            "save the file again" + merged
        )


def _spelt_as_the_file(mapping: Mapping_ | None, columns: pd.Index) -> Mapping_ | None:
    """``mapping`` with each column name it gives that the file spells with other white
    space — a line break typed in an Excel header cell (Alt+Enter: ``满意度⏎(1-5)``), spaces
    inside a name — as the file spells it, where exactly one column matches so.

    Examples
    --------
    >>> m = Mapping_({"sat_overall": "满意度(1-5)", "visits": "走访"}, {}, {})
    >>> _spelt_as_the_file(m, pd.Index(["满意度\\n(1-5)", "走访", "走 访"])).columns
    {'sat_overall': '满意度\\n(1-5)', 'visits': '走访'}
    """
    if mapping is None:
        return None
    bare = lambda name: re.sub(r"\s+", "", str(name))  # noqa: E731
    spelt = {}
    for std, col in mapping.columns.items():
        found = [c for c in columns if bare(c) == bare(col)]
        spelt[std] = str(found[0]) if col not in columns and len(found) == 1 else col
    return replace(mapping, columns=spelt) if spelt != mapping.columns else mapping


def _rename(df: pd.DataFrame, mapping: Mapping_ | None, where: str) -> pd.DataFrame:
    if mapping is None:
        return df
    absent = {std: col for std, col in mapping.columns.items() if col not in df.columns}
    if absent:
        listed = ", ".join(f"{col!r} (for {std})" for std, col in absent.items())
        raise SurveyValidationError(
            f"{where}: column(s) {listed} named in {config.display_path(mapping.path or '')} "
            f"are not in the file; its columns are {sorted(map(str, df.columns))}"
        )
    renamed = {col: std for std, col in mapping.columns.items()}
    # A column of the file already called by a standard name the mapping gives another
    # column would leave two columns of one name; say which, before pandas mixes them.
    taken = {std: col for col, std in renamed.items() if std in df.columns and std not in renamed}
    if taken:
        listed = "; ".join(
            f"{col!r} is mapped to {std!r}, which is already a column of the file"
            for std, col in taken.items()
        )
        raise SurveyValidationError(
            f"{where}: under 'columns' in {config.display_path(mapping.path or '')}, {listed}: "
            "map the file's own column instead (or rename it in the file)"
        )
    return df.rename(columns=renamed)


TEXT_TYPES = ("id",)
"""Codebook types that may hold text ("V017"): kept as text unless all their values are numbers."""


#: A number written with thousands separators: ``34,085``, ``-1,200.5``.
_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"

#: A percentage as Excel's percentage format writes it: ``78%``, ``12.5 %``, ``-3%``.
_PERCENT = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*%"


def _recoded(answer: Any, table: dict[str, float | None]) -> Any:
    """``answer``'s number from a mapping's ``values`` (as text, like a CSV cell), else itself;
    an answer mapped to ``None`` (missing) becomes a blank cell."""
    if pd.isna(answer):
        return ""
    if answer not in table:
        return answer
    number = table[answer]
    return "" if number is None else number_text(number)


def _answer_text(values: pd.Series) -> pd.Series:
    """Cells as text to look up under ``values:``: numbers as a CSV holds them (``1`` not
    ``1.0``), so that a Stata or SPSS column, read as floats, is recoded as its CSV is.

    Examples
    --------
    >>> _answer_text(pd.Series([1.0, 2.5, None])).tolist()
    ['1', '2.5', <NA>]
    >>> _answer_text(pd.Series([" 是", "否"])).tolist()
    ['是', '否']
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: None if pd.isna(v) else number_text(v)).astype("string")
    return values.astype("string").str.strip()


#: Answer scales in words, lowest first (``survey_words.yaml``).
ANSWER_SCALES: tuple[tuple[str, ...], ...] = tuple(
    tuple(scale) for scale in survey_words()["answer_scales"]
)


def scale_numbers(answers: list[str]) -> dict[str, int | None]:
    """The ``values:`` entry of answers that are words of one answer scale of
    ``survey_words.yaml``: each word its place on the scale from 1, the lowest, and a
    refusal or "don't know" ``None``; ``{}`` when the answers are of no one scale (or
    fewer than two of them are).

    Examples
    --------
    >>> scale_numbers(["满意", "很满意", "一般", "不知道"])
    {'一般': 3, '满意': 4, '很满意': 5, '不知道': None}
    >>> scale_numbers(["满意", "比较满意"]), scale_numbers(["是", "否"])
    ({}, {})
    """
    words = [a for a in answers if a.strip().lower() not in NONRESPONSE]
    for scale in ANSWER_SCALES:
        if len(set(words)) >= 2 and set(words) <= set(scale):
            ordered = sorted(set(words), key=scale.index)
            rest = [a for a in dict.fromkeys(answers) if a not in scale]
            return {**{a: scale.index(a) + 1 for a in ordered}, **dict.fromkeys(rest)}
    return {}


def scale_entry(col: str, answers: list[str]) -> str:
    """``col: {很不满意: 1, …}`` to paste under ``values:``, from :func:`scale_numbers`;
    ``""`` when the answers are of no known scale.

    >>> scale_entry("q8", ["满意", "很满意", "不知道"])
    'q8: {满意: 4, 很满意: 5, 不知道: null}'
    """
    numbers = scale_numbers(answers)
    if not numbers:
        return ""
    shown = ", ".join(f"{a}: {'null' if n is None else n}" for a, n in numbers.items())
    return f"{col}: {{{shown}}}"


def _suggested(answer: str, known: dict[str, Any]) -> str:
    """The number a message suggests for ``answer`` under ``values:``: the codebook's for its
    words, ``null`` for a refusal or "don't know", else ``?`` (``1`` with no words known).

    >>> _suggested("比较满意", {"比较满意": 4}), _suggested("拒答", {}), _suggested("很满意", {})
    ('4', 'null', '1')
    >>> _suggested("三", {}), _suggested("十二", {}), _suggested("两次", {"": 0})
    ('3', '12', '?')
    """
    if answer in known:
        return str(known[answer])
    if answer.strip().lower() in NONRESPONSE:
        return "null"
    number = _chinese_number(answer.strip())
    if number is not None:  # 三 typed for 3: its number, not a placeholder
        return str(number)
    return "?" if known else "1"


#: The digits of a number written in Chinese characters.
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip


def _chinese_number(text: str) -> int | None:
    """The number 0–99 written in Chinese characters (三, 十二, 二十, 四十五), else None.

    >>> _chinese_number("四十五"), _chinese_number("十"), _chinese_number("三次")
    (45, 10, None)
    """
    tens, sep, ones = text.partition("十")
    if not sep:
        return _CHINESE_DIGITS.get(text) if len(text) == 1 else None
    if (tens and tens not in _CHINESE_DIGITS) or (ones and ones not in _CHINESE_DIGITS):
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


def numeric_column(
    df: pd.DataFrame,
    col: str,
    where: str,
    strict: bool = True,
    shown: str = "",
    words: dict[Any, str] | None = None,
) -> pd.Series | None:
    """``df[col]`` as numbers, blanks (``""``, ``NA``, ``NaN``, ``.``) as NaN.

    Thousands separators are read as Excel writes them (``"34,085"`` is 34085),
    percentages as percentage points (``"78%"`` is 78; :func:`clean_codes` notes it), and
    full-width digits as the digits they are (``"３"`` is 3, ``"－１．５"`` is -1.5):
    answers typed with a Chinese input method in full-width mode are common.

    Columns already numeric (``.dta``/``.sav``) are returned as they are.  A text
    value that is not a number is an error naming the rows (and the column as
    ``shown``, see :func:`_shown`) when ``strict``, else the column is text and
    ``None`` is returned.  The error suggests a ``values:`` entry; with ``words``, the
    codebook's ``{code: label}`` of the column, answers in those words get their codes.
    """
    text = df[col]
    if text.dtype != object and not pd.api.types.is_string_dtype(text):
        return text
    original = text.astype(str).str.strip()
    # NFKC makes full-width digits, signs and points ASCII and leaves ASCII as it is.
    stripped = original.str.normalize("NFKC")
    # Excel's number format writes thousands separators ("34,085"): the number is 34085.
    grouped = stripped.str.fullmatch(_THOUSANDS)
    stripped = stripped.where(~grouped, stripped.str.replace(",", "", regex=False))
    # Excel's percentage format writes "78%": read as percentage points, 78 (a note says so).
    percent = stripped.str.fullmatch(_PERCENT)
    stripped = stripped.where(~percent, stripped.str.rstrip("%").str.strip())
    # "45岁", "541秒" (问卷星's 所用时间): numbers with one unit throughout are the numbers.
    unit = number_unit(stripped[~(stripped.isin(BLANKS) | text.isna())])
    if unit:
        stripped = stripped.str.removesuffix(unit).str.strip()
    blank = stripped.isin(BLANKS) | text.isna()
    values = pd.to_numeric(stripped.where(~blank), errors="coerce")
    bad = values.isna() & ~blank
    if bad.any():
        if not strict:
            return None
        rows = df.index[bad]
        _refuse_excel_errors(original, bad, where, shown or repr(col))
        examples = sorted(set(original[bad]))[:5]
        known = {w: code for code, w in (words or {}).items()}
        answers = sorted(set(original[bad]))
        if len(answers) <= 12 and sum(a in known for a in answers) >= 2:
            # Answers in the codebook's own words (比较满意): their numbers are known; the
            # suggestion is the whole entry to paste, in the codebook's order.
            ordered = sorted(answers, key=lambda a: (a not in known, known.get(a, 0), a))
            example = ", ".join(f"{a}: {_suggested(a, known)}" for a in ordered)
            how = "the numbers are the codebook's for its words; " + (
                "replace each ? by the number of that answer, " if "?" in example else ""
            )
        elif len(answers) <= 12 and scale_entry(col, answers):
            # Words of a known scale (很不满意 … 很满意, not the codebook's): numbered on it.
            example = scale_entry(col, answers).split(": ", 1)[1][1:-1]
            how = "the answers numbered from the lowest on their scale: check the order; "
        else:
            # A refusal or "don't know" is no number: suggest making it missing, not 1.
            example = ", ".join(f"{w}: {_suggested(w, {})}" for w in examples[:2])
            how = ""
            if len(examples) > 1:
                # Two words both "1" would merge two answers if pasted as they are.
                example = ", ".join(f"{w}: {_suggested(w, {'': 0})}" for w in examples[:2])
                how = "replace each ? by the number of that answer, "
        raise SurveyValidationError(
            f"{where}: column {shown or repr(col)} has non-numeric value(s) {examples} in "
            f"{format_rows(rows)}; "
            "give each answer its number under 'values:' in a mapping file (e.g. "
            f"{col}: {{{example}}}; {how}null makes an answer such as 拒答 or 不知道 missing), or "
            "recode them as numbers in the file"
            + (
                # A label row under the header that _question_texts could not tell from a
                # respondent (one numeric column, one answer below it): say what it may be.
                f"; if row {rows[0]} is a row of question texts, not a respondent, delete it"
                if list(rows) == [df.index[0]]
                and not set(answers) & set(NONRESPONSE)
                and not any(re.fullmatch(f"{_UNIT}|{_CHINESE_NUMBER}", a) for a in answers)
                else ""
            )
        )
    return values


#: Excel's formula errors (``survey_words.yaml``): ``#DIV/0!``, ``#N/A`` …
EXCEL_ERRORS: tuple[str, ...] = survey_words()["excel_errors"]


def _refuse_excel_errors(cells: pd.Series, bad: pd.Series, where: str, shown: str) -> None:
    """Refuse a column's Excel formula errors (``#DIV/0!``) among the cells that are no
    numbers, naming their rows: to be fixed in the sheet, not given a number under
    ``values:`` as an answer would be.

    >>> cells = pd.Series(["3", "#DIV/0!", "#N/A"], index=[2, 3, 4])
    >>> try:
    ...     _refuse_excel_errors(cells, cells != "3", "s.csv", "'visits'")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:79])
    s.csv: column 'visits' holds Excel's formula errors ['#DIV/0!', '#N/A'] in rows
    """
    errors = bad & cells.str.upper().isin(EXCEL_ERRORS)
    if errors.any():
        raise SurveyValidationError(
            f"{where}: column {shown} holds Excel's formula errors "
            f"{sorted(set(cells[errors]))} in {format_rows(cells.index[errors])}: fix the "
            "formulas in the sheet (or clear those cells: an empty cell is a missing answer) "
            "and save it again"
        )


#: ``attrs`` key of a cleaned frame: ``{column: {number: words}}`` of answers written as
#: ``5=非常满意`` (:func:`_coded_answers`).
CODED_LABELS = "coded_labels"

#: An answer written as its code and its words: ``5=非常满意``, ``1. 是``, ``2：否``, ``3、一般``.
_CODED = re.compile(r"\s*([-+]?\d+)\s*(?:=|:|\.|、)\s*([^\d\s.].*?)\s*")


#: Units read after a number (``survey_words.yaml``): ``45岁`` is 45.
NUMBER_UNITS: tuple[str, ...] = survey_words()["number_units"]

#: A number followed by a unit of one or two Chinese characters: ``45岁``, ``541秒``, ``3 次``.
_UNIT = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*([\u4e00-\u9fff]{1,2})"


def number_unit(cells: pd.Series) -> str:
    """The unit every cell writes after its number (``岁`` of ``45岁``), or ``""`` when the
    cells are not all numbers with one and the same unit.

    >>> number_unit(pd.Series(["45岁", "62 岁"])), number_unit(pd.Series(["45岁", "3次"]))
    ('岁', '')
    >>> number_unit(pd.Series(["5=满意"])), number_unit(pd.Series(["1组", "3组"]))  # 组: a code
    ('', '')
    """
    if cells.empty:
        return ""
    units = cells.astype(str).str.strip().str.extract(f"^{_UNIT}$")[0]
    if units.isna().any() or units.nunique() != 1 or units.iloc[0] not in NUMBER_UNITS:
        return ""
    return str(units.iloc[0])


def long_codes(values: pd.Series) -> bool:
    """Whether a column holds whole numbers of more than 15 digits (an 18-digit ID-card
    number, a long household code), which floats cannot hold: 110101199003070011 and
    ...012 would both be 1.1010119900307002e17, one respondent or group. Such a column
    that may be text (ids, columns the codebook does not know) stays text.

    >>> long_codes(pd.Series(["110101199003070011", ""])), long_codes(pd.Series(["420102001"]))
    (True, False)
    """
    if pd.api.types.is_numeric_dtype(values):
        return False
    text = values.dropna().astype(str).str.strip()
    return bool(text.str.fullmatch(r"[-+]?\d{16,}").any())


def _coded_answers(values: pd.Series) -> tuple[pd.Series, dict[Any, str]] | None:
    """A text column whose every answer is a number and its words (``5=非常满意``): the
    numbers (blanks missing) and ``{number: words}``; None for any other column, or when a
    number has two wordings or a wording two numbers.

    Examples
    --------
    >>> numbers, labels = _coded_answers(pd.Series(["5=非常满意", "1＝很不满意", "", "5=非常满意"]))
    >>> numbers.tolist(), labels
    ([5.0, 1.0, nan, 5.0], {1: '很不满意', 5: '非常满意'})
    >>> _coded_answers(pd.Series(["1.5", "2.5"])), _coded_answers(pd.Series(["1=是", "1=否"]))
    (None, None)
    """
    if pd.api.types.is_numeric_dtype(values):
        return None
    text = values.astype("string").str.normalize("NFKC").str.strip()
    filled = text[text.notna() & ~text.isin(BLANKS)]
    if filled.empty:
        return None
    parts = filled.str.extract(_CODED.pattern.join(["^", "$"]))
    if parts[0].isna().any():
        return None
    pairs = parts.drop_duplicates()
    if pairs[0].duplicated().any() or pairs[1].duplicated().any():
        return None
    numbers = pd.Series(float("nan"), index=values.index, dtype=float)
    numbers[filled.index] = parts[0].astype(float)
    ordered = sorted(pairs.itertuples(index=False), key=lambda pair: int(pair[0]))
    labels = {int(n): str(words) for n, words in ordered}
    return numbers, labels


def clean_codes(
    df: pd.DataFrame,
    codebook: Codebook | None = None,
    mapping: Mapping_ | None = None,
    where: str = "data",
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make numeric columns numeric, missing-value codes NaN, check ranges; return frame, report.

    Columns the codebook knows must be numeric (except ids, which may be text);
    their missing codes (the codebook's plus the mapping's) become NaN and are
    counted, except a codebook code inside the range the mapping declares for the
    column (8 and 9 of a 0–10 scale are answers; listed in ``frame.attrs``
    under :data:`VALID_CODES`), blanks already missing are counted, and values outside the valid
    range are an error.  Any other column whose values are all numbers (or blank)
    is numeric too, whatever the codebook, with the mapping's missing codes and
    range for it.  (A CSV is read as text, so without this a number column outside
    the codebook would be dummy-coded by a formula, one level per value.)  A column
    holding text is kept as text, its cells stripped of surrounding spaces and its
    blank cells missing (counted), not a category ``""``.

    The mapping's ``values:`` are looked up in each cell as text, numbers as a CSV
    writes them (a Stata float ``1.0`` is ``1``); an answer listed there that no cell
    holds is logged as a warning and, with ``notes``, appended to it.

    Examples
    --------
    >>> rows = pd.RangeIndex(1, 5, name="row")
    >>> d = pd.DataFrame({"sat_overall": ["5", "9", "", "2"]}, index=rows)
    >>> frame, report = clean_codes(d)
    >>> frame["sat_overall"].tolist()[:2], report[["reason", "code", "rows"]].values.tolist()
    ([5.0, nan], [['missing in file', None, 1], ['missing-value code', 9, 1]])
    >>> extra = pd.DataFrame({"hh_size": ["2", "99", "4", "3"], "region": list("abab")}, index=rows)
    >>> frame, _ = clean_codes(extra, mapping=Mapping_({}, {"hh_size": [99]}, {}))
    >>> frame["hh_size"].tolist(), frame["region"].tolist()
    ([2.0, nan, 4.0, 3.0], ['a', 'b', 'a', 'b'])
    >>> said = pd.DataFrame({"sat_overall": ["满意", "不知道", "", "不知道"]}, index=rows)
    >>> m = Mapping_({}, {}, {}, values={"sat_overall": {"满意": 4, "不知道": None}})
    >>> frame, report = clean_codes(said, mapping=m)
    >>> frame["sat_overall"].tolist(), report[["reason", "code", "rows"]].values.tolist()
    ([4.0, nan, nan, nan], [['missing answer', '不知道', 2], ['missing in file', None, 1]])
    >>> try:
    ...     clean_codes(pd.DataFrame({"sat_overall": ["7"]}, index=rows[:1]))
    ... except SurveyValidationError as err:
    ...     print(str(err)[:58])
    data: column 'sat_overall' has value(s) [7] outside 1–5 in
    """
    codebook = codebook or load_codebook()
    out = df.copy()
    report = []
    # Answers the mapping marks missing (``不知道: null``) become blanks, each counted under
    # its own answer here and then not again as "missing in file".
    marked: dict[str, int] = {}
    valid_codes: dict[str, list[float]] = {}
    coded_labels: dict[str, dict[Any, str]] = {}
    labelled_none: dict[str, list[float]] = {}  # 8=不知道: codes labelled no answer
    for col, answers in mapping.values.items() if mapping else ():
        if col in out.columns:  # text answers become their numbers before anything is checked
            text = _answer_text(out[col])
            coded = _coded_answers(out[col])
            if coded is not None and not any((text == a).any() for a in answers):
                # "5=非常满意" recoded by its number (5: 1, the recode a note suggests): the
                # numbers are looked up, their words move with them as value labels.
                text = _answer_text(coded[0])
                coded_labels[col] = dict(sorted(_recoded_labels(coded[1], answers).items()))
            # An answer written otherwise in the file (比较满意 for 较满意, 1 for 1.0) would
            # be left as it is, silently: name what matches no cell.
            unused = [a for a in answers if not (text == a).any()]
            if unused:
                verb = "matches" if len(unused) == 1 else "match"
                said = (
                    f"{where}: under 'values:' in {config.display_path(mapping.path or '')}, "
                    f"{unused} {verb} no value of column {_shown(col, mapping)}; its values "
                    f"are {sorted(set(text.dropna()))[:10]}"
                )
                log.warning("%s", said)
                if notes is not None:
                    notes.append(said)
            for answer in (a for a, number in answers.items() if number is None):
                n = int((text == answer).sum())
                if n:
                    report.append(
                        {"column": col, "reason": "missing answer", "code": answer, "rows": n}
                    )
                    marked[col] = marked.get(col, 0) + n
            out[col] = text.map(lambda a, table=answers: _recoded(a, table)).astype(object)
    for col in out.columns:
        entry = codebook.variables.get(col)
        shown = _shown(col, mapping)
        coded = _coded_answers(out[col])
        if coded is not None:
            # "5=非常满意": the number is the answer, the words its label (as a .sav keeps them).
            out[col], coded_labels[col] = coded
            first = next(iter(coded[1].items()))
            said = (
                f"{where}: column {shown} holds answers as number and words ({first[0]}="
                f"{first[1]} …): read as the numbers, the words kept as their value labels"
            )
            log.warning("%s", said)
            if notes is not None:
                notes.append(said)
            # "8=不知道" beside "1=很不满意" … "5=很满意": no answer, not the highest one.
            own = codebook.missing_codes(col) if entry is not None else ()
            said_none = {c: w for c, w in labelled_nonresponse(coded[1]).items()
                         if c not in own and not (mapping and (rng := mapping.ranges.get(col))
                                                  and rng[0] <= c <= rng[1])}  # fmt: skip
            if said_none:
                labelled_none[col] = list(said_none)
                said = _nonresponse_note(where, shown, col, said_none, out[col])
                log.warning("%s", said)
                if notes is not None:
                    notes.append(said)
        # Codebook variables must be numbers (a stray word is an error naming its rows);
        # ids and columns the codebook does not know stay text when they hold text.
        strict = entry is not None and entry["type"] not in TEXT_TYPES
        values = None if not strict and long_codes(out[col]) else numeric_column(
            out, col, where, strict=strict, shown=shown, words=codebook_words(codebook, col),
        )  # fmt: skip
        if values is None:
            # A text column (village names, answers in words): a blank cell is a missing
            # answer, not a group or category named "", and "东村 " is "东村".
            out[col], n_blank = _clean_text(out[col])
            n_blank -= marked.get(col, 0)
            if n_blank:
                report.append(
                    {"column": col, "reason": "missing in file", "code": None, "rows": n_blank}
                )
            continue
        if not pd.api.types.is_numeric_dtype(out[col]):
            percent = out[col].astype(str).str.normalize("NFKC").str.strip().str.fullmatch(_PERCENT)
            cells = out[col][out[col].notna()].astype(str).str.normalize("NFKC").str.strip()
            unit = number_unit(cells[~cells.isin(BLANKS)])
            said = ""
            if percent.any():
                said = (
                    f"{where}: column {shown} holds percentages ({format_rows(out.index[percent])}"
                    "): read as percentage points, 78% as 78, so a coefficient is per percentage "
                    "point"
                )
            elif unit:
                said = (
                    f"{where}: column {shown} holds numbers with the unit {unit!r} "
                    f"({out[col].dropna().iloc[0]}): read as the numbers, in {unit}"
                )
            if said:
                log.warning("%s", said)
                if notes is not None:
                    notes.append(said)
        n_blank = int(values.isna().sum()) - marked.get(col, 0)
        if n_blank:
            report.append(
                {"column": col, "reason": "missing in file", "code": None, "rows": n_blank}
            )
        known = codebook.missing_codes(col) if entry is not None else ()
        rng = mapping.ranges.get(col) if mapping else None
        if rng:
            # The user declared these values valid (8 and 9 on a 0–10 scale): a codebook
            # code inside that range is an answer, not missing.  The mapping's own codes
            # under 'missing:' still apply, wherever they are.
            own = mapping.missing.get(col, []) if mapping else []
            answers = [c for c in known if rng[0] <= c <= rng[1] and c not in own]
            known = tuple(c for c in known if c not in answers)
            if answers:  # so that fit() does not take them for codes left in the frame
                valid_codes[col] = answers
        codes = [*known, *(mapping.missing.get(col, []) if mapping else []),
                 *labelled_none.get(col, [])]  # fmt: skip
        for code in sorted(set(codes)):
            hit = values == code
            if hit.any():
                report.append(
                    {
                        "column": col,
                        "reason": "missing-value code",
                        "code": _plain(code),
                        "rows": int(hit.sum()),
                    }
                )
                values = values.mask(hit)
        if not rng and entry is not None:
            rng = codebook.valid_range(col)
        _check_range(values, col, rng, where, shown)
        out[col] = values
    if valid_codes:
        out.attrs[VALID_CODES] = valid_codes
    if coded_labels:
        out.attrs[CODED_LABELS] = coded_labels
    for said in survey_notes(out, codebook, where, mapping):
        log.warning("%s", said)
        if notes is not None:
            notes.append(said)
    return out, pd.DataFrame(report, columns=REPORT_COLUMNS, dtype=object)


#: Answers that say "no answer" (refused, don't know, not applicable): in a text column
#: they would be a category of their own unless the mapping makes them missing.
NONRESPONSE: tuple[str, ...] = survey_words()["nonresponse"]


def labelled_nonresponse(labels: Mapping[Any, str]) -> dict[float, str]:
    """``{code: label}`` of the codes whose value label says no answer (不知道, 拒答,
    ``不知道/拒答``) and that lie outside the span of the other labelled codes: 8 and 9
    under a scale labelled 1–5, not a midpoint 3 labelled 说不清, which is an answer.

    Examples
    --------
    >>> labels = {1: "很不满意", 3: "说不清", 5: "很满意", 8: "不知道", 9: "拒答/不适用"}
    >>> labelled_nonresponse(labels)
    {8: '不知道', 9: '拒答/不适用'}
    >>> labelled_nonresponse({1: "是", 9: "不知道"})  # one answer labelled: no span
    {}
    """

    def says_none(label: object) -> bool:
        parts = [p.strip().lower() for p in re.split(r"[/／、,，;；]", str(label))]
        return all(p in NONRESPONSE for p in parts if p) and any(parts)

    numbered = {c: str(w) for c, w in labels.items() if isinstance(c, (int, float))}
    answers = [c for c, w in numbered.items() if not says_none(w)]
    if len(answers) < 2:
        return {}
    lo, hi = min(answers), max(answers)
    return {c: w for c, w in numbered.items() if says_none(w) and not lo <= c <= hi}


def _nonresponse_note(
    where: str, shown: str, name: str, codes: dict[float, str], values: pd.Series
) -> str:
    """The note that column ``name``'s codes labelled as no answer were made missing."""
    said = ", ".join(
        f"{_plain(c)} {w!r} ({format_rows(values.index[values == c])})" for c, w in codes.items()
    )
    return (
        f"{where}: column {shown} holds codes its value labels call no answer: {said}: made "
        f"missing (reported); if they are answers, give the column its range under 'ranges:' "
        f"in a mapping file ({name}: [low, high])"
    )


def survey_notes(
    frame: pd.DataFrame, codebook: Codebook, where: str = "data", mapping: Mapping_ | None = None
) -> list[str]:
    """What looks wrong in a cleaned survey but is not refused: one sentence each.

    * respondent ids (``resp_id``) that occur more than once: a respondent entered twice
      counts twice;
    * in a text column that is no id, a rare answer that looks like a frequent one
      (民情联络卡 beside 民情联系卡, 走坊 beside 走访: one character apart, or nearly the
      same), a typing slip that would be a category of its own;
    * in a text column, a refusal or "don't know" (拒答, 不知道), a category unless the
      mapping makes it missing.

    Examples
    --------
    >>> rows = pd.RangeIndex(1, 9, name="row")
    >>> d = pd.DataFrame({"resp_id": [1, 2, 3, 3, 5, 6, 7, 8],
    ...                   "way": ["走访"] * 3 + ["走坊"] + ["谈心"] * 3 + ["拒答"]}, index=rows)
    >>> for note in survey_notes(d, load_codebook(), "s.csv"):
    ...     print(note.split(")")[0] + ")")
    s.csv: respondent id 3 occurs more than once (rows 3, 4)
    s.csv: column 'way' has '走坊' (row 4)
    s.csv: column 'way' has '拒答' (row 8)
    """
    notes = _repeated_place_notes(frame, where, mapping)
    for col in (c for c in frame.columns if str(c).strip().lower() == "finished"):
        # Qualtrics exports unfinished responses too (Finished = False), unless filtered.
        unfinished = frame.index[frame[col].astype(str).str.strip().str.lower().isin(
            ("false", "0", "0.0"))]  # fmt: skip
        if len(unfinished):
            notes.append(
                f"{where}: column {_shown(col, mapping)} says {len(unfinished)} response(s) were "
                f"not finished ({format_rows(unfinished)}): they are analysed with the others; "
                "if unfinished responses should not count, leave them out of the export"
            )
    if "resp_id" not in frame.columns:
        notes.extend(_copied_rows(frame, where))
    if "resp_id" in frame.columns:
        ids = frame["resp_id"]
        twice = ids[ids.notna() & ids.duplicated(keep=False)]
        wave = _wave_column(frame.loc[twice.index]) if len(twice) else None
        if wave is not None:
            # A panel: the same respondents answered again in a later wave, not a copy.
            waves = [str(_plain(w)) if isinstance(w, float) else str(w)
                     for w in sorted(pd.unique(frame[wave].dropna()), key=str)]  # fmt: skip
            notes.append(
                f"{where}: {twice.nunique()} respondent id(s) occur in two or more waves of "
                f"column {_shown(wave, mapping)} ({', '.join(waves[:6])}): "
                f"a panel, whose answers of one respondent are not independent; cluster the "
                f"standard errors by respondent (--cluster resp_id), or fit one wave at a time"
            )
            twice = twice.iloc[:0]
        for value in list(dict.fromkeys(twice))[:5]:
            shown = _plain(value) if isinstance(value, float) else value
            notes.append(
                f"{where}: respondent id {shown} occurs more than once "
                f"({format_rows(twice.index[twice == value])}): a respondent entered twice "
                f"counts twice; remove the copy or correct the id in the file"
            )
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            if col not in codebook.variables and not (mapping and mapping.missing.get(col)):
                notes.extend(_code_like_numbers(values, col, where, mapping))
            continue
        counts = values.dropna().astype(str).value_counts()
        entry = codebook.variables.get(col)
        multi = _multi_select(counts)
        if multi is not None:
            sep, answers = multi
            first = answers[0]
            notes.append(
                f"{where}: column {_shown(col, mapping)} holds several answers in one cell, "
                f"joined by {sep!r} (a multi-select question; its answers: "
                f"{', '.join(answers[:8])}{' …' if len(answers) > 8 else ''}): as it is, each "
                f"combination is a category of its own; for whether one answer was chosen, "
                f"write Q({col!r}).str.contains({first!r}) in the formula"
            )
        elif (entry is None or entry["type"] not in TEXT_TYPES) and len(counts) <= 50:
            for rare, common in _look_alike(counts):
                rows = values.index[values == rare]
                notes.append(
                    f"{where}: column {_shown(col, mapping)} has {rare!r} ({format_rows(rows)}) "
                    f"beside {common!r} ({counts[common]} rows); if they are the same answer, "
                    f"correct the file or give both one number under 'values:' in a mapping "
                    f"file — else they are two categories"
                )
        for answer in (a for a in counts.index if a.strip().lower() in NONRESPONSE):
            rows = values.index[values == answer]
            notes.append(
                f"{where}: column {_shown(col, mapping)} has {answer!r} ({format_rows(rows)}), "
                f"which reads as no answer: it is a category of its own unless a mapping file "
                f"makes it missing (values: {{{col}: {{{answer}: null}}}}; counted and reported)"
            )
    return notes


def _copied_rows(frame: pd.DataFrame, where: str) -> list[str]:
    """Notes on rows identical in every column, in a survey without a ``resp_id`` column
    but with a column of (nearly) one value per row (编号, 序号, a time of submission): a
    respondent pasted twice, whose answers would count twice.  Without such a column two
    respondents may well answer alike.

    Examples
    --------
    >>> d = pd.DataFrame({"编号": [*range(1, 10), 2], "sat": [4, 5, 3, 4, 4, 2, 1, 3, 3, 5]},
    ...                  index=range(1, 11))
    >>> _copied_rows(d, "s.csv")[0][:57]
    's.csv: rows 2 and 10 are the same in every column (编号 2):'
    >>> _copied_rows(d.assign(编号=[1, 2] * 5), "s.csv")  # no id: respondents answer alike
    []
    """
    if len(frame) < 3 or frame.shape[1] < 2:
        return []
    # A column of (nearly) one value per row: two rows alike there are one respondent.
    ids = [c for c in frame.columns if frame[c].nunique() >= 0.9 * len(frame)]
    if not ids:
        return []
    twice = frame[frame.duplicated(keep=False)]
    out = []
    for _, rows in list(twice.groupby(list(frame.columns), sort=False, dropna=False))[:5]:
        value = rows[ids[0]].iloc[0]
        shown = _plain(value) if isinstance(value, float) else value
        numbers = [str(r) for r in rows.index]
        out.append(
            f"{where}: rows {', '.join(numbers[:-1])} and {numbers[-1]} are the same in every "
            f"column ({ids[0]} {shown}): a respondent entered twice counts twice; remove the "
            "copy (or map your id column to resp_id to check ids)"
        )
    return out


#: Numbers surveys use as missing-value codes (refused, don't know, not applicable);
#: -1 to -3 are left out (see ``survey_words.yaml``).
CODE_LIKE: tuple[int, ...] = survey_words()["code_like"]
#: One-digit codes (8 不知道, 9 拒答) of a short answer scale (0–1, 1–5), and the highest
#: answer such a scale has (see ``survey_words.yaml``).
SCALE_CODES: tuple[int, ...] = survey_words()["scale_codes"]
SCALE_CODES_TOP: int = survey_words()["scale_codes_top"][0]


def _code_like_numbers(
    values: pd.Series, col: str, where: str, mapping: Mapping_ | None
) -> list[str]:
    """A note when a numeric column the codebook does not know holds numbers that look like
    missing-value codes, far from its other values: a negative code among values that are
    otherwise never negative, 97–9999 above twice every other value, or 8 and 9 of a short
    answer scale (:func:`_scale_codes`). Such a column gets no missing codes but the
    mapping's, so -9 and 99 would count as numbers.

    Examples
    --------
    >>> visits = pd.Series([0, 3, 5, -9, 12, 99, 2], index=pd.RangeIndex(1, 8, name="row"))
    >>> print(_code_like_numbers(visits, "走访次数", "s.csv", None)[0].split(", numbers")[0])
    s.csv: column '走访次数' holds -9 (row 4) and 99 (row 6)
    >>> _code_like_numbers(pd.Series([-9, -5, 3, 40]), "x", "s.csv", None)  # negative anyway
    []
    """
    present = values.dropna()
    found = _scale_codes(values)
    for code in CODE_LIKE:
        hit = present == code
        if not hit.any():
            continue
        rest = present[~present.isin(CODE_LIKE)]
        if rest.empty:
            continue
        if (code < 0 and rest.min() >= 0) or (code > 0 and code > 2 * rest.max()):
            found.append((code, values.index[values == code]))
    if not found:
        return []
    found.sort(key=lambda pair: pair[0])
    said = " and ".join(f"{code} ({format_rows(rows)})" for code, rows in found)
    codes = ", ".join(str(code) for code, _ in found)
    rest = present[~present.isin([c for c, _ in found])]
    return [
        f"{where}: column {_shown(col, mapping)} holds {said}, numbers that look like "
        f"missing-value codes, far from its other values ({_plain(rest.min())}–"
        f"{_plain(rest.max())}); the codebook does not know the column, so they count as "
        f"numbers: if they mean no answer, declare them in a mapping file "
        f"(missing: {{{col}: [{codes}]}})"
    ]


def _scale_codes(values: pd.Series) -> list[tuple[int, pd.Index]]:
    """The one-digit missing-value codes (:data:`SCALE_CODES`, 8 and 9) of a numeric column
    whose other values are whole numbers from 0 to :data:`SCALE_CODES_TOP` (a 0–1 item, a
    1–5 Likert item), with their rows, where each lies at least two above those values.

    Examples
    --------
    >>> item = pd.Series([1, 0, 9, 1, 0], index=pd.RangeIndex(2, 7, name="row"))
    >>> [(code, list(rows)) for code, rows in _scale_codes(item)]
    [(9, [4])]
    >>> _scale_codes(pd.Series([1, 7, 8, 3]))  # a 1–7 scale: 8 may be an answer
    []
    """
    if pd.api.types.is_bool_dtype(values):
        return []
    present = values.dropna().astype(float)
    rest = present[~present.isin((*CODE_LIKE, *SCALE_CODES))]
    if rest.empty or (rest != rest.round()).any() or rest.min() < 0:
        return []
    if rest.max() > SCALE_CODES_TOP:
        return []
    return [
        (code, values.index[values == code])
        for code in SCALE_CODES
        if (present == code).any() and code >= rest.max() + 2
    ]


#: Names of a column telling waves apart (年份, wave), lower-cased.
WAVE_NAMES: tuple[str, ...] = survey_words()["wave_names"]


def _wave_column(rows: pd.DataFrame) -> str | None:
    """The column telling the waves of a panel apart, among the rows of repeated respondent
    ids: named as a wave or year (:data:`WAVE_NAMES`), and different in every row of an id.

    Examples
    --------
    >>> d = pd.DataFrame({"resp_id": [1, 1, 2, 2], "年份": [2019, 2023, 2019, 2023]})
    >>> _wave_column(d), _wave_column(d.assign(年份=[2019, 2019, 2019, 2023]))
    ('年份', None)
    """
    for col in rows.columns:
        if col == "resp_id" or str(col).strip().lower() not in WAVE_NAMES:
            continue
        per_id = rows.groupby("resp_id")[col]
        if (per_id.nunique() == per_id.size()).all():
            return str(col)
    return None


#: Endings of Chinese place names (a text column unmapped may be the village).
PLACE_ENDINGS: tuple[str, ...] = survey_words()["place_endings"]

#: Place levels from the coarsest (the standard names) → the endings of their names.
PLACE_LEVELS: dict[str, tuple[str, ...]] = survey_words()["place_levels"]


def place_columns(frame: pd.DataFrame) -> list[str]:
    """The survey's place columns from the coarsest: per level of :data:`PLACE_LEVELS`, the
    column of the standard name, else a text column whose names nearly all end as that
    level's do (乡镇: 城关镇, 河口乡; 村: 东村, 新华村).

    Examples
    --------
    >>> d = pd.DataFrame({"乡镇": ["城关镇", "河口乡"], "村": ["东村", "西村"], "x": [1, 2]})
    >>> place_columns(d), place_columns(d.rename(columns={"村": "village"}))
    (['乡镇', '村'], ['乡镇', 'village'])
    """
    found = []
    for level, endings in PLACE_LEVELS.items():
        if level in frame.columns:
            found.append(level)
            continue
        for col in frame.columns:
            values = frame[col]
            if col in found or col in PLACE_LEVELS or pd.api.types.is_numeric_dtype(values):
                continue
            names = pd.unique(values.dropna().astype(str))
            ending = sum(str(n).endswith(endings) for n in names)
            if len(names) >= 2 and ending >= 0.9 * len(names):
                found.append(col)
                break
    return found


def repeated_places(frame: pd.DataFrame, column: str) -> dict[Any, list[Any]]:
    """Names (or codes) of the place column ``column`` that occur in two or more places of the
    next coarser place column (:func:`place_columns`): ``{东村: [城关镇, 河口乡]}``.

    Grouped or clustered by ``column`` alone, each such name is one place; two villages
    called 东村, or village codes numbered within their township (1, 2, 3 in each), would
    be merged.

    Examples
    --------
    >>> d = pd.DataFrame({"township": ["城关镇", "河口乡", "河口乡"],
    ...                   "village": ["东村", "东村", "西村"]})
    >>> repeated_places(d, "village"), repeated_places(d, "township")
    ({'东村': ['城关镇', '河口乡']}, {})
    """
    columns = place_columns(frame)
    if column not in columns or columns.index(column) == 0:
        return {}
    parent = columns[columns.index(column) - 1]
    pairs = frame[[parent, column]].dropna().drop_duplicates()
    counts = pairs[column].value_counts()
    several = sorted(counts.index[counts > 1], key=str)
    return {
        name: sorted(pairs.loc[pairs[column] == name, parent].tolist(), key=str) for name in several
    }


def _repeated_place_notes(frame: pd.DataFrame, where: str, mapping: Mapping_ | None) -> list[str]:
    """A note per place column with names that occur in several places of the level above."""
    notes = []
    columns = place_columns(frame)
    for parent, col in itertools.pairwise(columns):
        repeated = repeated_places(frame, col)
        if not repeated:
            continue
        show = lambda v: _plain(v) if isinstance(v, float) else v  # noqa: E731  (1.0 → 1)
        shown = [f"{show(name)} in {', '.join(str(show(p)) for p in parents)}"
                 for name, parents in list(repeated.items())[:3]]  # fmt: skip
        more = f" and {len(repeated) - 3} more" if len(repeated) > 3 else ""
        first, firsts = next(iter(repeated.items()))
        remedy = (
            f"give them different names in the file (e.g. {show(firsts[0])}{show(first)})"
            if isinstance(first, str)
            else f"give them codes unique across {parent!r} in the file (e.g. "
            f"{show(firsts[0])}0{show(first)} for {show(first)} in {show(firsts[0])})"
        )
        notes.append(
            f"{where}: column {_shown(col, mapping)} has {len(repeated)} name(s) that occur in "
            f"two or more places of column {_shown(parent, mapping)} ({'; '.join(shown)}{more}):"
            f" grouped, clustered, ranked or linked by {col!r} alone each is one place; if "
            f"they are different places, {remedy}; if one place (its {parent!r} renamed or "
            "merged between waves), nothing needs doing"
        )
    return notes


#: Separators of a multi-select question's answers in one cell (走访┋谈心).
MULTI_SELECT_SEPARATORS: tuple[str, ...] = survey_words()["multi_select_separators"]


def _multi_select(counts: pd.Series) -> tuple[str, list[str]] | None:
    """The separator and the answers (most chosen first) of a multi-select question exported
    in one cell (``走访┋谈心``), from a text column's ``value_counts``; None for other columns.

    A column is one when at least a fifth of its answers (and two) hold a separator of
    :data:`MULTI_SELECT_SEPARATORS` and its single answers are fewer than its combinations.
    Its combinations are not typing slips of each other (走访┋电话 beside 走访┋谈心).

    Examples
    --------
    >>> cells = pd.Series(["走访┋谈心", "走访", "谈心┋电话", "走访", "电话"]).value_counts()
    >>> _multi_select(cells)
    ('┋', ['走访', '电话', '谈心'])
    >>> _multi_select(pd.Series(["东村", "西村"]).value_counts()) is None
    True
    """
    total = int(counts.sum())
    best = None
    for sep in MULTI_SELECT_SEPARATORS:
        holding = int(counts[[sep in str(v) for v in counts.index]].sum())
        if holding >= 2 and holding * 5 >= total and (best is None or holding > best[1]):
            best = (sep, holding)
    if best is None:
        return None
    chosen: dict[str, int] = {}
    for cell, n in counts.items():
        for part in str(cell).split(best[0]):
            if part.strip():
                chosen[part.strip()] = chosen.get(part.strip(), 0) + int(n)
    if len(chosen) > len(counts):
        return None
    return best[0], sorted(chosen, key=lambda a: (-chosen[a], a))


def _look_alike(counts: pd.Series) -> list[tuple[str, str]]:
    """Pairs (rare answer, frequent answer it looks like a slip of), by :func:`_one_slip`.

    An answer given once or twice that is one character away from (or nearly the same as)
    one given at least three times as often; two frequent answers are two categories
    (走访 and 接访), however alike.
    """
    pairs = []
    for rare, n in counts.items():
        if n > 2:
            continue
        for common, m in counts.items():
            if m >= 3 * n and _one_slip(str(rare), str(common)):
                pairs.append((str(rare), str(common)))
                break
    return pairs


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one character of the same length, or ``a`` is a close
    match of ``b`` as :func:`workbench.names.closest` finds a misspelt name.

    Examples
    --------
    >>> _one_slip("走坊", "走访"), _one_slip("民情联络卡", "民情联系卡"), _one_slip("谈心", "接访")
    (True, True, False)
    >>> _one_slip("南村", "东村"), _one_slip("63", "60")  # places, named alike; numbers
    (False, False)
    """
    if a == b:
        return False
    if is_number(a) and is_number(b):
        # 63 beside 60 in a column of numbers kept as text (one 不知道 among them): two
        # values, not a slip of the keyboard to merge under 'values:'.
        return False
    if any(a.endswith(end) and b.endswith(end) for end in PLACE_ENDINGS):
        return False  # 东村 and 南村: place names one character apart are two places
    if len(a) == len(b) >= 2 and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return True
    return bool(closest(a, [b], n=1))


def _clean_text(values: pd.Series) -> tuple[pd.Series, int]:
    """A text column with surrounding spaces stripped and blank cells missing; and their number.

    Spaces around a name (also the full-width space U+3000 a Chinese input method types)
    would make one village several groups, each too small; blank cells (``""``, ``NA``,
    ``.``, whitespace only), as in a column of numbers, are missing answers.

    Examples
    --------
    >>> text, n = _clean_text(pd.Series(["东村", "东村 ", "\u3000东村", "", "  ", None, "西村"]))
    >>> text.tolist(), n
    (['东村', '东村', '东村', nan, nan, nan, '西村'], 3)
    """
    stripped = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    blank = stripped.isna() | stripped.isin(BLANKS)
    return stripped.mask(blank).astype(object), int(blank.sum())


def _plain(code: float) -> int | float:
    """``9.0`` → ``9`` so reports print codes as the questionnaire has them."""
    return int(code) if float(code).is_integer() else float(code)


def _shown(col: str, mapping: Mapping_ | None) -> str:
    """``col`` as a message names it: with the file's own name when a mapping renamed it.

    After the mapping, the column holds a standard name the user's file does not have;
    the user looks for the column under its name in the file.

    Examples
    --------
    >>> _shown("solved", Mapping_({"solved": "jiejue"}, {}, {}))
    "'solved' (your column 'jiejue')"
    >>> _shown("solved", None)
    "'solved'"
    """
    own = mapping.columns.get(col) if mapping else None
    return f"{col!r} (your column {own!r})" if own and own != col else repr(col)


def _check_range(values: pd.Series, col: str, rng: Any, where: str, label: str = "") -> None:
    if not rng:
        return
    low, high = rng
    bad = values.notna() & ((values < low) | (values > high))
    if bad.any():
        shown = sorted({_plain(v) for v in values[bad]})[:5]  # -8, not -8.0 (Stata floats)
        # the range that would hold every value: values below it lower its bottom too
        wide = (min(low, values.min()), max(high, values.max()))
        raise SurveyValidationError(
            f"{where}: column {label or repr(col)} has value(s) {shown} outside "
            f"{low:g}–{high:g} in {format_rows(values.index[bad])}; fix them, list them as "
            f"missing-value codes under 'missing:' in a mapping file, or, if they are valid "
            f"answers, give the column its range under 'ranges:' there "
            f"(e.g. {col}: [{wide[0]:g}, {wide[1]:g}])"
        )


def load_survey(
    path: str | Path | None = None,
    mapping: str | Path | Mapping_ | None = None,
    codebook: Codebook | None = None,
    required: list[str] | None = None,
    sheet: str | None = None,
) -> SurveyData:
    """Load, map, clean and check a survey (default: the bundled SIMULATED one).

    Parameters
    ----------
    path : path, optional
        ``.csv``, ``.xlsx``/``.xlsm``, ``.dta`` or ``.sav`` file; default
        :data:`workbench.config.SURVEY_DATA`.
    mapping : path or parsed mapping, optional
        Renames the user's columns to standard names and adds missing codes/ranges.
    codebook : Codebook, optional
        Default: the bundled codebook.
    required : list of str, optional
        Standard names that must be present (default: the mapping's columns).
    sheet : str, optional
        The sheet of a workbook to read (default: its one sheet with data; with several,
        the error lists them).

    Returns
    -------
    SurveyData

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    SurveyValidationError
        Missing columns, non-numeric values or values out of range, naming the
        file, column and rows.
    """
    path = Path(path or config.SURVEY_DATA)
    if not path.exists():
        raise FileNotFoundError(f"{config.display_path(path)}: no such survey file")
    where = config.display_path(path)
    if mapping is not None and not isinstance(mapping, Mapping_):
        mapping = load_mapping(mapping, codebook)
    raw, labels = read_table(path, sheet)
    sheet = raw.attrs.get("sheet")
    where = sheet_where(where, sheet)
    file_missing = raw.attrs.get(FILE_MISSING, {})
    notes: list[str] = []
    for said in _read_notes(raw, where):
        log.warning("%s", said)
        notes.append(said)
    mapping = _spelt_as_the_file(mapping, raw.columns)
    df = _rename(raw, mapping, where)
    need = required if required is not None else list(mapping.columns) if mapping else []
    absent = [c for c in need if c not in df.columns]
    if absent:
        raise SurveyValidationError(
            f"{where}: missing column(s) {absent}; "
            "add them to the file or map them in a mapping file"
        )
    codebook = codebook or load_codebook()
    if mapping is not None:
        check_mapping_names(mapping, codebook, list(df.columns), where)
    standard = {col: std for std, col in (mapping.columns.items() if mapping else [])}
    # Codes a .sav/.dta file labels 不知道 or 拒答 beyond its answers (8, 9 under 1–5), not
    # declared missing there: as numbers they would be the two highest answers.
    file_missing = {k: list(v) for k, v in file_missing.items()}
    for col, table in labels.items():
        if col not in df.columns or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        name = standard.get(col, col)
        rng = mapping.ranges.get(name) if mapping else None
        done = {*file_missing.get(col, ()), *(mapping.missing.get(name, ()) if mapping else ()),
                *(codebook.missing_codes(name) if name in codebook.variables else ())}  # fmt: skip
        codes = {
            c: w for c, w in labelled_nonresponse(table).items()
            if (df[col] == c).any() and c not in done and not (rng and rng[0] <= c <= rng[1])
            and not (mapping and name in mapping.values)
        }  # fmt: skip
        if codes:
            file_missing.setdefault(col, []).extend(codes)
            said = _nonresponse_note(where, _shown(name, mapping), name, codes, df[col])
            log.warning("%s", said)
            notes.append(said)
    if file_missing:  # an SPSS file's user-missing codes, as if the mapping listed them
        mapped = mapping or Mapping_({}, {}, {})
        missing = {k: list(v) for k, v in mapped.missing.items()}
        for col, codes in file_missing.items():
            missing.setdefault(standard.get(col, col), []).extend(codes)
        mapping = replace(mapped, missing=missing)
    frame, report = clean_codes(df, codebook, mapping, where, notes)
    stata = raw.attrs.get(STATA_MISSING)
    if stata:
        report, said = _with_stata_missing(report, stata, standard, where)
        for line in said:
            log.warning("%s", line)
        notes.extend(said)
    # The file's labels under the standard names, then the words of the mapping's
    # 'values:' as the labels of their numbers (非常满意 → 1 says what 1 means here).
    labels = {standard.get(col, col): table for col, table in labels.items()}
    for col, answers in mapping.values.items() if mapping else ():
        if col in labels:  # a recode (1: 5) moves the file's label of 1 to 5
            labels[col] = _recoded_labels(labels[col], answers)
    for col, table in _answer_labels(mapping).items():
        if col in frame.columns:
            labels.setdefault(col, table)
    for col, table in frame.attrs.get(CODED_LABELS, {}).items():
        labels.setdefault(col, table)
    for said in _other_order(labels, codebook, where, mapping):
        log.warning("%s", said)
        notes.append(said)
    simulated = path.resolve() == Path(config.SURVEY_DATA).resolve() or _is_simulated(path)
    return SurveyData(frame, report, labels, config.display_path(path), simulated,
                      _inputs(path, mapping), notes, sheet)  # fmt: skip


def _read_notes(raw: pd.DataFrame, where: str) -> list[str]:
    """What :func:`read_table` left out or noticed, one sentence each: rows under the
    header that are no answers, rows of totals, notes and blank rows, a workbook's cells
    merged down over rows, and the rows whose cells span lines of a CSV (a text editor
    shows the rows after them on later lines)."""
    notes = []
    if raw.attrs.get(HEADER_ROWS):
        rows = raw.attrs[HEADER_ROWS]
        span = f"s {rows[0]}–{rows[-1]}" if len(rows) > 1 else f" {rows[0]}"
        start = raw.index[0] if len(raw) else rows[-1] + 1
        notes.append(
            f"{where}: row{span} under the column names {'are' if len(rows) > 1 else 'is'} "
            f"{raw.attrs[HEADER_WHAT]}, not answers: left out (the answers start on row "
            f"{start})"
        )
    if raw.attrs.get(SUMMARY_ROWS):
        rows = raw.attrs[SUMMARY_ROWS]
        notes.append(
            f"{where}: {format_rows(list(rows))} ("
            + ", ".join(repr(label) for label in list(rows.values())[:5])
            + ") are totals or means of the rows, not respondents: left out"
        )
    if raw.attrs.get(TRAILING_ROWS):
        rows = raw.attrs[TRAILING_ROWS]
        texts = raw.attrs[TRAILING_TEXT]
        shown = ", ".join(repr(t if len(t) <= 30 else t[:30] + "…") for t in texts[:3])
        blank = len(rows) - len(texts)
        notes.append(
            f"{where}: {format_rows(rows)} at the end of the file "
            f"{'are' if len(rows) > 1 else 'is'} "
            + (f"notes ({shown})" if texts else "blank")
            + (f" and {blank} blank row{'s' if blank > 1 else ''}" if texts and blank else "")
            + ", not answers: left out"
        )
    if raw.attrs.get(BLANK_ROWS):
        rows = raw.attrs[BLANK_ROWS]
        notes.append(
            f"{where}: {format_rows(rows)} among the answers {'are' if len(rows) > 1 else 'is'} "
            "empty, no respondent: left out"
        )
    merged = raw.attrs.get("merged", [])
    if merged:
        # A CSV saved from the sheet holds the value in the first row only: say why they differ.
        notes.append(
            f"{where}: cells merged down over several rows ({', '.join(merged[:5])}"
            f"{' …' if len(merged) > 5 else ''}) give each of their rows their value, as the "
            "sheet shows it"
        )
    lines = [r for r in raw.attrs.get(MULTILINE_ROWS, []) if not len(raw) or r < raw.index[-1]]
    if lines:
        notes.append(
            f"{where}: {format_rows(lines)} {'hold' if len(lines) > 1 else 'holds'} a cell of "
            f"several lines: rows are numbered as Excel and WPS show them, so a text editor "
            f"shows the rows after row {lines[0]} on later lines"
        )
    return notes


def codebook_words(codebook: Codebook, col: str) -> dict[Any, str]:
    """``{code: Chinese label}`` of a codebook variable's value labels (empty without).

    >>> codebook_words(load_codebook(), "party"), codebook_words(load_codebook(), "age")
    ({0: '否', 1: '是'}, {})
    """
    entry = codebook.variables.get(col) or {}
    table = codebook.value_labels.get(entry.get("value_labels", ""), {})
    return {code: str(label["zh"]).strip() for code, label in table.items()}


def _other_order(
    labels: dict[str, dict[Any, str]], codebook: Codebook, where: str, mapping: Mapping_ | None
) -> list[str]:
    """A note per codebook variable whose answers the survey's value labels number otherwise
    than the codebook does (a scale the other way round: 1 = 非常满意 in the file, 5 in the
    codebook), with the recode under ``values:`` that numbers them as the codebook does.

    Compared by the words both give (the same word under another number); the words only
    one of them has (很不满意 beside 非常不满意) are not compared.

    Examples
    --------
    >>> file = {"sat_overall": {1: "非常满意", 2: "比较满意", 3: "一般", 4: "不太满意",
    ...                         5: "很不满意"}}
    >>> print(_other_order(file, load_codebook(), "s.sav", None)[0].split(" (")[0])
    s.sav: the value labels of column 'sat_overall' number its answers otherwise than the codebook
    """
    notes = []
    for col, table in labels.items():
        entry = codebook.variables.get(col)
        if not entry or not entry.get("value_labels"):
            continue
        theirs = {words: code for code, words in codebook_words(codebook, col).items()}
        mine = {str(words).strip(): _plain(code) for code, words in table.items()
                if isinstance(code, int | float)}  # fmt: skip
        shared = [w for w in mine if w in theirs]
        moved = [w for w in shared if mine[w] != theirs[w]]
        if len(moved) < 2 or len(moved) <= len(shared) - len(moved):
            continue
        codes = sorted(mine.values())
        recode = {mine[w]: theirs[w] for w in moved}
        if all(mine[w] + theirs[w] == codes[0] + codes[-1] for w in moved):
            # the scale reversed: every answer, the words not shared too
            recode = {c: codes[0] + codes[-1] - c for c in codes if c != codes[0] + codes[-1] - c}
        said = ", ".join(f"{w} is {mine[w]} here, {theirs[w]} in the codebook" for w in moved[:3])
        pairs = ", ".join(f"{a}: {b}" for a, b in recode.items())
        notes.append(
            f"{where}: the value labels of column {_shown(col, mapping)} number its answers "
            f"otherwise than the codebook ({config.display_path(codebook.path)}) does ({said}): "
            f"a higher number means the opposite, so effects on it have the other sign from "
            f"what the codebook's labels say; to number them as the codebook does, recode under "
            f"'values:' in a mapping file ({col}: {{{pairs}}})"
        )
    return notes


def _recoded_labels(labels: dict[Any, str], answers: dict[str, float | None]) -> dict[Any, str]:
    """A file's value labels after the mapping's ``values:`` recoded the codes.

    Examples
    --------
    >>> _recoded_labels({1.0: "very", 2.0: "fairly", 9.0: "refused"}, {"1": 2, "2": 1, "9": None})
    {2: 'very', 1: 'fairly'}
    """
    kept: dict[Any, str] = {}
    moved: dict[Any, str] = {}
    for code, label in labels.items():
        key = number_text(code) if isinstance(code, int | float) else str(code)
        if key not in answers:
            kept[code] = label
        elif answers[key] is not None:  # an answer made missing has no label
            moved[_plain(answers[key])] = label
    return {**{c: v for c, v in kept.items() if c not in moved}, **moved}


def _answer_labels(mapping: Mapping_ | None) -> dict[str, dict[Any, str]]:
    """``{column: {number: answer}}`` from the mapping's ``values:``: the first answer given
    for each number, answers that are themselves numbers (a recode, ``1: 5``) left out.

    Examples
    --------
    >>> m = Mapping_({}, {}, {}, values={"sat_overall": {"非常满意": 1, "满意": 2, "较满意": 2,
    ...     "不知道": None}, "visits": {"1": 5}})
    >>> _answer_labels(m)
    {'sat_overall': {1: '非常满意', 2: '满意'}}
    """
    out: dict[str, dict[Any, str]] = {}
    for col, answers in mapping.values.items() if mapping else ():
        table: dict[Any, str] = {}
        for answer, number in answers.items():
            if number is None or pd.notna(pd.to_numeric(answer, errors="coerce")):
                continue
            table.setdefault(_plain(number), answer)
        if table:
            out[col] = table
    return out


def _inputs(path: Path, mapping: Mapping_ | None) -> dict[str, str]:
    """Checksums of the survey, its mapping and what its sidecar records as its inputs."""
    from workbench.provenance import read_record, sha256_file

    inputs = {config.display_path(path.resolve()): sha256_file(path)}
    # A user's file without a sidecar: its own checksum is enough.
    with contextlib.suppress(FileNotFoundError):
        inputs.update(read_record(path).get("inputs", {}))
    if mapping is not None and mapping.path is not None:
        inputs[config.display_path(Path(mapping.path).resolve())] = sha256_file(mapping.path)
    return dict(sorted(inputs.items()))


def _is_simulated(path: Path) -> bool:
    """A file written by ``workbench survey simulate`` says so in its provenance sidecar."""
    side = Path(str(path) + ".provenance.json")
    if not side.exists():
        return False
    import json

    record: Mapping[str, Any] = json.loads(side.read_text(encoding="utf-8"))
    return bool(record.get("parameters", {}).get("simulated"))
