"""CSV in and out as Excel and WPS handle it: any Chinese encoding read, UTF-8 with BOM written.

Metadata tables, survey files and coding sheets come from spreadsheets. Excel on a
Chinese Windows saves "CSV" in GBK (GB18030 reads it), "CSV UTF-8" with a byte-order
mark and "Unicode text" as tab-separated UTF-16; in many European locales it separates
fields with ``;``. :func:`read_user_csv` reads all of these into a table of strings and
names the file in every error, with what to do.

Every CSV the workbench writes for a person to open (analysis tables, codes, network node
and edge lists, coding sheets) is written by :func:`write_csv`: UTF-8 *with* a byte-order
mark. Excel on a Chinese (or any) Windows takes a CSV without one for the system's
legacy code page and shows the Chinese as mojibake when the file is double-clicked;
with it, the file opens right. pandas, readr, data.table, Stata and this module skip the
mark; base R's ``read.csv`` keeps it in the first column's name (``X.U.FEFF.term``) unless
told ``fileEncoding = "UTF-8-BOM"``, which the README says.

The encoding is detected by :func:`workbench.decoding.decode`, the decoder the corpus is
read with: a byte-order mark (UTF-8, UTF-16) first, then strict UTF-8, then GB18030
(which reads GBK) or Big5, whichever reads as Chinese; binary files, and files that
read as no Chinese encoding, are refused. A line in another encoding than the rest (a
GBK row pasted into a UTF-8 file) is decoded in its own and named in a warning; a line
no encoding decodes is refused, since its cells would be lost. The separator:
``,`` unless the header line holds none and holds ``;`` or a tab.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "meta.csv"
>>> _ = path.write_bytes("file;genre\\n报告.txt;调研报告\\n".encode("gbk"))
>>> table = read_user_csv(path)
>>> table.to_dict("records"), table.attrs["encoding"], table.attrs["sep"]
([{'file': '报告.txt', 'genre': '调研报告'}], 'gb18030', ';')
"""

from __future__ import annotations

import csv
import io
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.decoding import ReadError, decode, describe_repairs

log = logging.getLogger(__name__)

#: The encoding of every CSV the workbench writes (:func:`write_csv`): UTF-8 with a
#: byte-order mark, so that Excel opens it as UTF-8.
CSV_ENCODING = "utf-8-sig"

#: What to do about a CSV that cannot be read, said in every such error.
SAVE_ADVICE = "save it from Excel or WPS as 'CSV UTF-8 (comma delimited)' and try again"


class CsvError(ValueError):
    """A CSV that cannot be read; the message names the file and says what to do."""


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as a CSV that Excel, R, Stata and pandas all read as UTF-8.

    UTF-8 with a byte-order mark (:data:`CSV_ENCODING`), no index, ``\\n`` line ends
    (the same bytes on every system); the folder is made when missing. The one way the
    workbench writes a CSV for people to open.

    Examples
    --------
    >>> import tempfile
    >>> path = write_csv(pd.DataFrame({"词": ["群众"], "g2": [1.5]}),
    ...                  Path(tempfile.mkdtemp()) / "out" / "t.csv")
    >>> path.read_bytes()
    b'\\xef\\xbb\\xbf\\xe8\\xaf\\x8d,g2\\n\\xe7\\xbe\\xa4\\xe4\\xbc\\x97,1.5\\n'
    >>> read_user_csv(path).columns.tolist(), pd.read_csv(path).columns.tolist()
    (['词', 'g2'], ['词', 'g2'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\n")
    return path


def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file's bytes and the encoding it was read in.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file, for messages.

    Returns
    -------
    text : str
        Without a byte-order mark, newlines as ``"\\n"``.
    encoding : str
        ``utf-8``, ``utf-8-sig``, ``utf-16``, ``gb18030`` or ``big5`` (see
        :func:`workbench.decoding.decode_text`).

    Raises
    ------
    CsvError
        When :func:`workbench.decoding.decode` refuses the file (binary, UTF-32, no
        plausible encoding), or a line of it decodes in no candidate encoding.

    Examples
    --------
    >>> decode_csv("村,满意度\\n甲村,满意\\n".encode("gbk"), "s.csv")
    ('村,满意度\\n甲村,满意\\n', 'gb18030')
    >>> decode_csv(b"\\xff\\xfea\\x00\\t\\x00b\\x00", "s.txt")
    ('a\\tb', 'utf-16')
    """
    try:
        decoded = decode(data, name)
    except ReadError as err:
        raise CsvError(f"{name}: {err.reason}; {SAVE_ADVICE}") from None
    marked = [str(repair.line_no) for repair in decoded.repairs if repair.how == "marked"]
    if marked:
        # decode marked their bytes U+FFFD: the cells of these lines would be lost.
        raise CsvError(
            f"{name}: {'line' if len(marked) == 1 else 'lines'} {', '.join(marked)} cannot be "
            f"decoded (neither {decoded.encoding}, as the rest of the file, nor another Chinese "
            f"encoding); {SAVE_ADVICE}"
        )
    if decoded.repairs:
        log.warning("%s: %s", name, describe_repairs(decoded.repairs))
    return decoded.text, decoded.encoding


def sniff_separator(header: str) -> str:
    """``,`` unless the header line has none and has ``;`` or a tab (the more frequent).

    Examples
    --------
    >>> sniff_separator("file,date"), sniff_separator("村;走访次数;谈心"), sniff_separator("a\\tb")
    (',', ';', '\\t')
    """
    if "," in header:
        return ","
    counts = {sep: header.count(sep) for sep in (";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_user_csv(
    path: str | os.PathLike[str], name: str | None = None, *, sheet_rows: bool = False
) -> pd.DataFrame:
    """Read a CSV as a table of strings (blank cells ``""``), whatever Excel saved it as.

    Parameters
    ----------
    path : path
        The CSV file.
    name : str, optional
        The file as messages name it (default: ``path``).
    sheet_rows : bool
        Index the rows by their spreadsheet row (:data:`ROW`, see below) instead of
        0, 1, 2 …, with ``attrs`` :data:`HEADER_ROW`, :data:`MULTILINE_ROWS` and
        :data:`COLUMN_NUMBERS`: what a message names a row or column by.

    Returns
    -------
    DataFrame
        Every cell a string; ``attrs["encoding"]`` and ``attrs["sep"]`` say how it was read.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CsvError
        When it cannot be decoded, is empty, names two columns alike, or a row has more
        fields than the header (the message gives the rows). A row with fewer fields is
        filled with ``""``; blank lines, and columns without a name or a value (Excel's
        trailing ``,,,``), are left out.

    Notes
    -----
    A row's number is the spreadsheet row Excel or WPS shows the file's record in: the
    file's first line is row 1 and the header (its first line that is not blank), and a
    blank line is a row of its own, left out of the table but counted, so the rows after
    it keep their numbers. A
    quoted cell over several lines is one row: in a text editor, the rows after it are on
    later lines (:data:`MULTILINE_ROWS` lists the rows whose cells span lines).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_text('村,备注\\n东村,"两行\\n的备注"\\n\\n西村,\\n', encoding="utf-8")
    >>> table = read_user_csv(path, sheet_rows=True)
    >>> table.index.tolist(), table.attrs[MULTILINE_ROWS]
    ([2, 4], [2])
    """
    name = name or os.fspath(path)
    with open(path, "rb") as fh:
        data = fh.read()
    text, encoding = decode_csv(data, name)
    if not text.strip():
        raise CsvError(f"{name}: the file is empty; {SAVE_ADVICE}")
    sep = sniff_separator(next(line for line in text.split("\n") if line.strip()))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_row, records, multiline, long = 0, [], [], []
    row = line = 0  # the spreadsheet row of the record read, the last line read
    try:
        for cells in reader:
            row, start, line = row + 1, line + 1, reader.line_num
            if not cells:  # a blank line: a row of its own in Excel, with nothing in it
                continue
            if header is None:
                header, header_row = [cell.strip() for cell in cells], row
                continue
            if line > start:
                multiline.append(row)
            if len(cells) > len(header):
                # pandas would take the extra field for an index and shift the row.
                long.append(f"{_row_place(row, start)} ({len(cells)} fields)")
            records.append((row, cells + [""] * (len(header) - len(cells))))
    except csv.Error as err:
        raise CsvError(f"{name}: line {reader.line_num} cannot be read ({err}); "
                       f"{SAVE_ADVICE}") from None  # fmt: skip
    assert header is not None  # the text is not blank
    if long:
        raise CsvError(
            f"{name}: more fields than the header's {len(header)} on {', '.join(long[:5])}"
            f"{' and more' if len(long) > 5 else ''}; remove the extra separators, or quote "
            f"cells that contain {sep!r}"
        )
    table = _sheet_table(header, header_row, records, name, sheet_rows)
    table.attrs.update(encoding=encoding, sep=sep)
    if sheet_rows:
        table.attrs[MULTILINE_ROWS] = multiline
    return table


#: The name of the index of a table read with ``sheet_rows=True``: each row's number as
#: Excel or WPS shows it (the header is row 1).
ROW = "row"

#: ``attrs`` keys of a table read with ``sheet_rows=True``: the header's row; the rows
#: whose cells span several lines of a CSV (a text editor shows the rows after them on
#: later lines); each column's place in the file from 1 (columns left out not counted
#: out: the name a message gives a column, ``column 5``, is where Excel shows it).
HEADER_ROW = "header_row"
MULTILINE_ROWS = "multiline_rows"
COLUMN_NUMBERS = "column_numbers"


def _row_place(row: int, line: int) -> str:
    """``row 5``, with its line when a text editor shows it on another one.

    >>> _row_place(5, 5), _row_place(5, 7)
    ('row 5', 'row 5 (line 7)')
    """
    return f"row {row}" if row == line else f"row {row} (line {line})"


def _sheet_table(
    header: list[str],
    header_row: int,
    records: list[tuple[int, list[str]]],
    name: str,
    sheet_rows: bool,
) -> pd.DataFrame:
    """The table of a spreadsheet's header and its rows ``(row number, cells)``, every row
    as long as the header: empty unnamed columns left out, names checked
    (:func:`_check_names`); indexed by the row numbers when ``sheet_rows``."""
    cells = [record[1] for record in records]
    keep = _kept_columns(header, cells)
    numbers = [j + 1 for j in keep]
    header = [header[j] for j in keep]
    _check_names(header, name, header_row, numbers)
    table = pd.DataFrame([[row[j] for j in keep] for row in cells], columns=header, dtype=str)
    if sheet_rows:
        table.index = pd.Index([record[0] for record in records], name=ROW, dtype="int64")
        table.attrs.update({HEADER_ROW: header_row, COLUMN_NUMBERS: numbers})
    return table


def _kept_columns(header: list[str], rows: list[list[str]]) -> list[int]:
    """The columns to keep (0-based): all but those without a name and a value in any row.

    Excel writes such columns when cells to the right of the table were once formatted
    or touched (``a,b,,,``): they hold nothing, and kept they would be several columns
    all named ``""``.

    Examples
    --------
    >>> _kept_columns(["a", "", "b", ""], [["1", "", "2", ""], ["3", " ", "4", ""]])
    [0, 2]
    >>> _kept_columns(["a", ""], [["1", "x"]])  # a value without a name is kept
    [0, 1]
    """
    return [
        j for j, title in enumerate(header)
        if title or any(row[j].strip() for row in rows)
    ]  # fmt: skip


def _check_names(
    header: list[str], name: str, header_row: int = 1, numbers: list[int] | None = None
) -> None:
    """Refuse a header that names two columns alike: a table cannot say which one is meant.

    Raises
    ------
    CsvError
        Naming each repeated name and the places of its columns (``numbers``, from 1).

    Examples
    --------
    >>> try:
    ...     _check_names(["编号", "满意度", "年龄", "满意度"], "s.csv")
    ... except CsvError as err:
    ...     print(str(err).split(";")[0])
    s.csv: row 1 names two or more columns alike: '满意度' (columns 2, 4)
    """
    numbers = numbers or list(range(1, len(header) + 1))
    seen: dict[str, list[int]] = {}
    for j, title in zip(numbers, header, strict=True):
        if title:  # columns without a name are the reader's to judge (a title line)
            seen.setdefault(title, []).append(j)
    twice = {title: where for title, where in seen.items() if len(where) > 1}
    if twice:
        said = "; ".join(
            f"{title!r} (columns {', '.join(map(str, where))})" for title, where in twice.items()
        )
        raise CsvError(
            f"{name}: row {header_row} names two or more columns alike: {said}; give each "
            "column its own name in the header and save the file again"
        )


#: Suffixes of the Excel workbooks :func:`read_user_xlsx` reads.
XLSX_SUFFIXES = (".xlsx", ".xlsm")

#: Spreadsheet files no reader here reads, and what to do with them.
OTHER_SPREADSHEETS = {
    ".xls": "an Excel 97–2003 workbook",
    ".et": "a WPS workbook",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}

#: What to do with a workbook whose sheet cannot be told (said after the sheets).
CHOOSE_SHEET = "name the sheet to read (--sheet NAME on the command line, sheet='NAME' in Python)"


def other_spreadsheet(path: str | os.PathLike[str], name: str) -> str | None:
    """The refusal of a spreadsheet format no reader here reads, with what to do; None
    for any other file.

    >>> other_spreadsheet("问卷.et", "问卷.et")[:40]
    '问卷.et: is a WPS workbook, which cannot b'
    >>> other_spreadsheet("问卷.csv", "问卷.csv") is None
    True
    """
    what = OTHER_SPREADSHEETS.get(Path(path).suffix.lower())
    if what is None:
        return None
    return (
        f"{name}: is {what}, which cannot be read here; open it in Excel or WPS and save it "
        "as an Excel workbook (.xlsx: 另存为 → Excel 工作簿) or as CSV (CSV UTF-8), and read that"
    )


def read_user_table(
    path: str | os.PathLike[str],
    name: str | None = None,
    *,
    sheet: str | None = None,
    sheet_rows: bool = False,
    choose: str = CHOOSE_SHEET,
) -> pd.DataFrame:
    """A user's table, an Excel workbook (:func:`read_user_xlsx`) or any other file as a
    CSV (:func:`read_user_csv`); ``.xls``, ``.et`` and ``.ods`` are refused, saying what to do.

    Raises
    ------
    CsvError
        As the reader does; also for ``sheet`` given with a file that is no workbook.
    """
    name = name or os.fspath(path)
    refusal = other_spreadsheet(path, name)
    if refusal:
        raise CsvError(refusal)
    if Path(path).suffix.lower() in XLSX_SUFFIXES:
        return read_user_xlsx(path, name, sheet=sheet, sheet_rows=sheet_rows, choose=choose)
    if sheet is not None:
        raise CsvError(f"{name}: a sheet ({sheet!r}) is named, but the file is no Excel "
                       "workbook (.xlsx): leave the sheet out")  # fmt: skip
    return read_user_csv(path, name, sheet_rows=sheet_rows)


def read_user_xlsx(
    path: str | os.PathLike[str],
    name: str | None = None,
    *,
    sheet: str | None = None,
    sheet_rows: bool = False,
    choose: str = CHOOSE_SHEET,
) -> pd.DataFrame:
    """Read a sheet of an Excel workbook (``.xlsx``, ``.xlsm``) as :func:`read_user_csv`
    reads the CSV Excel would save of it: a table of strings, blank cells ``""``.

    The values are those Excel shows and saved: a formula's last computed value, not the
    formula (a formula with no saved value, in a workbook a program wrote and no one
    opened in Excel, is refused: it would read as blank); whole numbers as ``3``, not
    ``3.0``; a cell formatted as a percentage as ``78%``, as the CSV holds it; dates as
    ``2023-05-01`` (``2023-05-01 08:30:00`` with a time); ``TRUE``/``FALSE``. A cell merged
    down over rows of the answers (a village over its respondents) gives every row its
    value, as the sheet shows it (the ranges are in ``attrs["merged"]``); a header with a
    cell merged across columns (基本情况 over 年龄, 性别 …) is refused: each column needs
    a name of its own.

    Parameters
    ----------
    path : path
        The workbook.
    name : str, optional
        The file as messages name it (default: ``path``).
    sheet : str, optional
        The sheet to read. Without it, the one visible sheet that holds anything; with
        several, the error lists them (with their sizes) and says ``choose``.
    sheet_rows : bool
        As :func:`read_user_csv`: the index is the row Excel shows (the header's row is
        the first that is not empty, usually 1).
    choose : str
        What to do when the sheet cannot be told, said after the sheets.

    Returns
    -------
    DataFrame
        ``attrs["sheet"]`` names the sheet read.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CsvError
        A workbook that is password-protected or damaged, no such sheet, a choice of
        sheets, an empty sheet, a merged header, formulas without values, two columns
        named alike.
    """
    name = name or os.fspath(path)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{name}: no such file")
    book = _open_workbook(path, name)
    try:
        ws = _choose_sheet(book, name, sheet, choose)
        title = ws.title
        rows = _sheet_cells(ws)
        part = getattr(ws, "_worksheet_path", None)
    finally:
        book.close()
    where = f"{name}, sheet {title!r}"
    merged, unsaved = _scan_sheet(path, part)
    if unsaved:
        raise CsvError(
            f"{where}: {_cells_said(unsaved)} hold formulas whose values were never saved (the "
            "workbook was written by a program, not saved by Excel): open it in Excel or WPS, "
            "save it, and read it again"
        )
    first = next((i for i, cells in enumerate(rows) if any(c != "" for c in cells)), None)
    if first is None:
        raise CsvError(f"{where}: the sheet is empty; {choose}, or put the table on this sheet")
    header_row = first + 1
    _refuse_merged_header(merged, header_row, rows[first], where)
    filled = _fill_merged(rows, merged, header_row)
    width = max(len(cells) for cells in rows)
    last = max(i for i, cells in enumerate(rows) if any(c != "" for c in cells))
    records = [(i + 1, cells + [""] * (width - len(cells)))
               for i, cells in enumerate(rows[first + 1 : last + 1], start=first + 1)]  # fmt: skip
    header = [cell.strip() for cell in rows[first]] + [""] * (width - len(rows[first]))
    table = _sheet_table(header, header_row, records, where, sheet_rows)
    table.attrs.update(sheet=title, merged=filled)
    if sheet_rows:
        table.attrs[MULTILINE_ROWS] = []
    return table


def _open_workbook(path: str | os.PathLike[str], name: str) -> Any:
    """The workbook, read-only, with the values Excel saved; a password-protected or
    damaged file is a :class:`CsvError` saying so."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        # Excel encrypts a workbook with a password into an OLE file (.xls's format too).
        raise CsvError(
            f"{name}: is password-protected (or an old .xls workbook renamed .xlsx), so it "
            "cannot be read; open it in Excel or WPS, remove the password (文件 → 信息 → 保护"
            "工作簿 → 用密码进行加密: clear it) or save it as .xlsx, and read that"
        )
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise CsvError(
            f"{name}: cannot be read as an Excel workbook ({type(err).__name__}: {err}); it "
            "may be damaged or another kind of file: open it in Excel or WPS and save it "
            "again as .xlsx (or as CSV UTF-8)"
        ) from None


def _choose_sheet(book: Any, name: str, sheet: str | None, choose: str) -> Any:
    """The sheet named ``sheet`` (also with other case or spaces), else the one visible
    sheet that holds anything; an error listing the sheets when it cannot be told."""
    sheets = list(book.worksheets)
    if sheet is not None:
        for match in (lambda t: t == sheet, lambda t: t.strip().lower() == sheet.strip().lower()):
            found = [ws for ws in sheets if match(ws.title)]
            if len(found) == 1:
                return found[0]
        from workbench.names import suggest

        titles = [ws.title for ws in sheets]
        raise CsvError(
            f"{name}: no sheet named {sheet!r} {suggest(sheet, titles)}; its sheets are "
            f"{', '.join(map(repr, titles))}"
        )
    said = {ws.title: _sheet_said(ws) for ws in sheets}
    full = [ws for ws in sheets if _holds_anything(ws)]
    shown = [ws for ws in full if ws.sheet_state == "visible"]
    if len(shown) == 1:
        return shown[0]
    if not full:
        titles = ", ".join(repr(ws.title) for ws in sheets)
        raise CsvError(f"{name}: every sheet is empty ({titles}); put the table on a sheet")
    listed = ", ".join(said[ws.title] for ws in (shown or full))
    what = "sheets hold" if shown else "hidden sheets hold (none visible does)"
    raise CsvError(f"{name}: {len(shown or full)} {what} data: {listed}; {choose}")


def _holds_anything(ws: Any) -> bool:
    """Whether a sheet has a cell with a value (read until the first)."""
    ws.reset_dimensions()  # a writer's wrong size must not hide rows
    return any(v is not None and str(v).strip() for row in ws.iter_rows(values_only=True)
               for v in row)  # fmt: skip


def _sheet_said(ws: Any) -> str:
    """``'数据' (120 rows × 6 columns)``: a sheet and its size as its file records it (read
    before :func:`_holds_anything` forgets it), or its name alone."""
    rows, columns = ws.max_row, ws.max_column
    if rows and columns:
        plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
        return f"{ws.title!r} ({plural(rows, 'row')} × {plural(columns, 'column')})"
    return repr(ws.title)


def _sheet_cells(ws: Any) -> list[list[str]]:
    """Every row of a sheet from row 1, its cells as text (:func:`_cell_text`)."""
    ws.reset_dimensions()
    rows = []
    for row in ws.iter_rows(min_row=1, min_col=1):
        rows.append([_cell_text(cell.value, getattr(cell, "number_format", "")) for cell in row])
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as Excel's CSV writes it, so that a workbook reads as its CSV does.

    Examples
    --------
    >>> import datetime
    >>> _cell_text(3.0), _cell_text(0.1), _cell_text(0.785, "0%"), _cell_text(True)
    ('3', '0.1', '78.5%', 'TRUE')
    >>> _cell_text(datetime.datetime(2023, 5, 1)), _cell_text(None), _cell_text(" 东村")
    ('2023-05-01', '', ' 东村')
    >>> _cell_text(datetime.datetime(2023, 5, 1, 8, 30))
    '2023-05-01 08:30:00'
    """
    import datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, int | float):
        if "%" in (number_format or ""):
            return _number(round(value * 100, 10)) + "%"
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """``3`` for 3.0 (as a CSV holds a whole number), else the shortest exact text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _scan_sheet(path: str | os.PathLike[str], part: str | None) -> tuple[list[str], list[str]]:
    """The merged ranges of a sheet (``B1:D1``) and its cells holding a formula without a
    saved value, read from the sheet's XML (openpyxl's read-only sheets give neither)."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    if part is None:
        return [], []
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    merged, unsaved = [], []
    with zipfile.ZipFile(path) as archive, archive.open(part) as src:
        for _, element in iterparse(src):
            if element.tag == f"{main}c":
                formula, value = element.find(f"{main}f"), element.find(f"{main}v")
                if formula is not None and (value is None or value.text is None):
                    unsaved.append(element.get("r", "?"))
            elif element.tag == f"{main}row":
                element.clear()  # a sheet of 30,000 rows need not be held
            elif element.tag == f"{main}mergeCell":
                merged.append(element.get("ref", ""))
    return [ref for ref in merged if ":" in ref], unsaved


def _cells_said(cells: list[str]) -> str:
    """``cells D5, D6 and 3 more``.

    >>> _cells_said(["D5"]), _cells_said([f"A{i}" for i in range(1, 8)])
    ('cell D5', 'cells A1, A2, A3, A4, A5 and 2 more')
    """
    shown = ", ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
    return f"cell{'s' if len(cells) > 1 else ''} {shown}"


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """``B2:D9`` → ``(min_col, min_row, max_col, max_row)``, from 1."""
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)


def _refuse_merged_header(merged: list[str], header_row: int, header: list[str],
                          where: str) -> None:  # fmt: skip
    """Refuse a header row with a cell merged across columns beside other names (a two-row
    header: 基本情况 over 年龄, 性别): the columns under it have no name. A merged cell
    that is the row's only text is a title, which the reader's caller names as such."""
    names = sum(bool(c.strip()) for c in header)
    for ref in merged:
        col0, row0, col1, row1 = _bounds(ref)
        if row0 <= header_row <= row1 and col1 > col0 and names > 1:
            group = header[col0 - 1] if col0 <= len(header) else ""
            raise CsvError(
                f"{where}: the header (row {header_row}) has a cell merged over {ref} "
                f"({group!r}), so the columns under it have no name of their own; unmerge it "
                "and give each column its own name in one row (a two-row header: keep only "
                "the row of the columns' names), then save"
            )


def _fill_merged(rows: list[list[str]], merged: list[str], header_row: int) -> list[str]:
    """Give every cell of a range merged down one column, below the header, the merged
    value (as the sheet shows it); return those ranges. Ranges across columns keep their
    value in the first cell, as Excel's CSV does."""
    filled = []
    for ref in merged:
        col0, row0, col1, row1 = _bounds(ref)
        if col1 != col0 or row0 <= header_row or row0 > len(rows):
            continue
        top = rows[row0 - 1]
        value = top[col0 - 1] if col0 <= len(top) else ""
        if not value:
            continue
        for r in range(row0, min(row1, len(rows))):
            cells = rows[r]
            cells.extend([""] * (col0 - len(cells)))
            cells[col0 - 1] = value
        filled.append(ref)
    return filled
