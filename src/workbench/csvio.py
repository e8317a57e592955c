"""Read a user's CSV as Excel and WPS write it: any Chinese encoding, comma or semicolon.

Metadata tables, survey files and coding sheets come from spreadsheets. Excel on a
Chinese Windows saves "CSV" in GBK (GB18030 reads it), "CSV UTF-8" with a byte-order
mark and "Unicode text" as tab-separated UTF-16; in many European locales it separates
fields with ``;``. :func:`read_user_csv` reads all of these into a table of strings and
names the file in every error, with what to do.

The encoding: a byte-order mark (UTF-8, UTF-16) first, then strict UTF-8; a file that is
neither is decoded strictly as GB18030 (which reads GBK) and as Big5, and the reading
with the larger share of frequent Chinese characters wins. The separator: ``,`` unless
the header line holds none and holds ``;`` or a tab.

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

import contextlib
import csv
import io
import os
from functools import cache

import pandas as pd

from workbench import config

#: What to do about a CSV that cannot be read, said in every such error.
SAVE_ADVICE = "save it from Excel or WPS as 'CSV UTF-8 (comma delimited)' and try again"

#: Encodings tried, strictly, for a file that is not UTF-8 (GB18030 reads GBK and GB2312).
LEGACY = ("gb18030", "big5")
#: Frequent Chinese characters, to tell a GBK file from a Big5 one.
COMMON_HANZI = config.RESOURCES_DIR / "common_hanzi.txt"

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class CsvError(ValueError):
    """A CSV that cannot be read; the message names the file and says what to do."""


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
        Without a byte-order mark.
    encoding : str
        ``utf-8``, ``utf-8-sig``, ``utf-16``, ``gb18030`` or ``big5``.

    Raises
    ------
    CsvError
        When no encoding reads the file.

    Examples
    --------
    >>> decode_csv("村,满意度\\n甲村,满意\\n".encode("gbk"), "s.csv")
    ('村,满意度\\n甲村,满意\\n', 'gb18030')
    >>> decode_csv(b"\\xff\\xfea\\x00\\t\\x00b\\x00", "s.txt")
    ('a\\tb', 'utf-16')
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff"), encoding
            except UnicodeDecodeError as err:
                raise CsvError(
                    f"{name}: starts with a {encoding} byte-order mark but is not {encoding} "
                    f"(byte {err.start}); {SAVE_ADVICE}"
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = {}
    for encoding in LEGACY:
        with contextlib.suppress(UnicodeDecodeError):
            decoded[encoding] = data.decode(encoding)
    if not decoded:
        raise CsvError(f"{name}: neither UTF-8 nor a Chinese encoding (GBK, GB18030, Big5); "
                       f"{SAVE_ADVICE}")  # fmt: skip
    # Much of GBK is valid Big5 and the reverse: the reading with more common characters wins.
    encoding = max(decoded, key=lambda enc: _common_share(decoded[enc]))
    return decoded[encoding], encoding


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are frequent Chinese characters."""
    wide = [char for char in text if not char.isascii()]
    common = _common_characters()
    return sum(char in common for char in wide) / len(wide) if wide else 0.0


@cache
def _common_characters() -> frozenset[str]:
    """Frequent characters, Simplified and Traditional (``resources/common_hanzi.txt``),
    and Chinese punctuation."""
    lines = COMMON_HANZI.read_text(encoding="utf-8").splitlines()
    chars = {c for line in lines if not line.startswith(("#", "[")) for c in line.strip()}
    return frozenset(chars | set("，。、；：？！“”‘’（）《》【】—…·"))


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
        When it cannot be decoded, is empty, or a row has more fields than the header
        (the message gives the lines). A row with fewer fields is filled with ``""``;
        blank lines are left out.
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
    table = pd.DataFrame(rows, columns=header, dtype=str)
    table.attrs.update(encoding=encoding, sep=sep)
    return table
