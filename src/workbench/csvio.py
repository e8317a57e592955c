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


def read_user_csv(path: str | os.PathLike[str], name: str | None = None) -> pd.DataFrame:
    """Read a CSV as a table of strings (blank cells ``""``), whatever Excel saved it as.

    Parameters
    ----------
    path : path
        The CSV file.
    name : str, optional
        The file as messages name it (default: ``path``).

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
        fields than the header (the message gives the lines). A row with fewer fields is
        filled with ``""``; blank lines, and columns without a name or a value (Excel's
        trailing ``,,,``), are left out.
    """
    name = name or os.fspath(path)
    with open(path, "rb") as fh:
        data = fh.read()
    text, encoding = decode_csv(data, name)
    if not text.strip():
        raise CsvError(f"{name}: the file is empty; {SAVE_ADVICE}")
    sep = sniff_separator(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, long = [], []
    try:
        header = [cell.strip() for cell in next(reader)]
        for row in reader:
            if not row:  # a blank line
                continue
            if len(row) > len(header):
                # pandas would take the extra field for an index and shift the row.
                long.append(f"line {reader.line_num} ({len(row)} fields)")
            rows.append(row + [""] * (len(header) - len(row)))
    except csv.Error as err:
        raise CsvError(f"{name}: line {reader.line_num} cannot be read ({err}); "
                       f"{SAVE_ADVICE}") from None  # fmt: skip
    if long:
        raise CsvError(
            f"{name}: more fields than the header's {len(header)} on {', '.join(long[:5])}"
            f"{' and more' if len(long) > 5 else ''}; remove the extra separators, or quote "
            f"cells that contain {sep!r}"
        )
    header, rows = _drop_empty_columns(header, rows)
    _check_names(header, name)
    table = pd.DataFrame(rows, columns=header, dtype=str)
    table.attrs.update(encoding=encoding, sep=sep)
    return table


def _drop_empty_columns(header: list[str], rows: list[list[str]]) -> tuple[list[str], list]:
    """Leave out columns without a name and without a value in any row.

    Excel writes such columns when cells to the right of the table were once formatted
    or touched (``a,b,,,``): they hold nothing, and kept they would be several columns
    all named ``""``.

    Examples
    --------
    >>> _drop_empty_columns(["a", "", "b", ""], [["1", "", "2", ""], ["3", " ", "4", ""]])
    (['a', 'b'], [['1', '2'], ['3', '4']])
    >>> _drop_empty_columns(["a", ""], [["1", "x"]])  # a value without a name is kept
    (['a', ''], [['1', 'x']])
    """
    keep = [
        j for j, title in enumerate(header)
        if title or any(row[j].strip() for row in rows)
    ]  # fmt: skip
    if len(keep) == len(header):
        return header, rows
    return [header[j] for j in keep], [[row[j] for j in keep] for row in rows]


def _check_names(header: list[str], name: str) -> None:
    """Refuse a header that names two columns alike: a table cannot say which one is meant.

    Raises
    ------
    CsvError
        Naming each repeated name and the positions of its columns (1-based).

    Examples
    --------
    >>> try:
    ...     _check_names(["编号", "满意度", "年龄", "满意度"], "s.csv")
    ... except CsvError as err:
    ...     print(str(err).split(";")[0])
    s.csv: line 1 names two or more columns alike: '满意度' (columns 2, 4)
    """
    seen: dict[str, list[int]] = {}
    for j, title in enumerate(header, start=1):
        if title:  # columns without a name are the reader's to judge (a title line)
            seen.setdefault(title, []).append(j)
    twice = {title: where for title, where in seen.items() if len(where) > 1}
    if twice:
        said = "; ".join(
            f"{title!r} (columns {', '.join(map(str, where))})" for title, where in twice.items()
        )
        raise CsvError(
            f"{name}: line 1 names two or more columns alike: {said}; give each column its "
            "own name in the header and save the file again"
        )
