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
