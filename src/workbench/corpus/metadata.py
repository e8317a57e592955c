"""Join user metadata (genre, year, region, source …) onto the documents table.

The metadata is a CSV, an Excel workbook or a DataFrame with one row per input file,
keyed by a ``file`` column holding the file's name as it appears in ``documents.file``.
Every article of a file gets that file's metadata. Problems are reported, not
guessed at: a missing key column, a key listed twice or a column that would
overwrite a corpus column raise :class:`MetadataError`; files with no metadata row
get missing values, and metadata rows naming no loaded file are logged.

The key may be written as a spreadsheet user writes it, and is matched only where the
match is certain: surrounding spaces are ignored, the suffix's case does not matter
(``报告.TXT``), a name without its suffix matches the one loaded file with that stem
(``报告`` for ``报告.txt``, not when ``报告.txt`` and ``报告.docx`` are both loaded), folders
may be written with ``\\`` (``2015\\1.txt`` for ``2015/1.txt``), a longer or full path names the
loaded file its last parts spell (``D:\\corpus\\2015\\1.txt``), and the
key column may be headed ``文件``, ``文件名`` or ``filename`` instead of ``file``. A name that
still matches no file is logged with the closest loaded names.

A ``date`` column may be headed ``日期`` or ``Date``, a ``year`` column ``年份``, ``年`` or ``Year``
(when the English heading is absent and exactly one of these is there): the trends read
their dates from them as from ``date`` and ``year``. A metadata column named as a
segments column (``role``, ``section`` …) is refused when the segments are given
(``segment_columns``): ``--by role`` would group by the segments' own role, not by it.

A ``date`` column is an exception to "never overwrite": it is the user's word on
the publication date, so where its cell is filled it replaces the date read from the
text (:mod:`workbench.corpus.dates`) and ``date_source`` becomes ``"metadata"``; an empty cell
keeps the extracted date. Its values must be ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (also
with ``/`` or ``.``, or ``2013年6月18日``) and are stored as ISO strings; anything else is
refused with its row. An ``author`` column (or ``作者``) is the other exception: a filled
cell replaces the author read from a byline, an empty one keeps it.

Examples
--------
>>> import pandas as pd
>>> docs = pd.DataFrame({"doc_id": ["a/a1", "a/a2"], "file": ["a.txt", "a.txt"]})
>>> meta = pd.DataFrame({"file": ["a.txt"], "genre": ["essay"]})
>>> join_metadata(docs, meta)["genre"].tolist()
['essay', 'essay']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

log = logging.getLogger(__name__)

KEY = "file"

#: The index of a metadata table: each row's number as Excel shows it (header = row 1).
ROW = "row"

#: Other headings of the key column, taken when ``file`` is absent and exactly one is there.
KEY_ALIASES = ("文件", "文件名", "filename", "file_name", "File", "FILE", "Filename")

#: The metadata column that overrides the extracted publication date.
DATE = "date"

#: The metadata column of the publication year (read by :func:`workbench.trends.document_dates`).
YEAR = "year"

#: Other headings of the ``date`` and ``year`` columns, taken as :data:`KEY_ALIASES` are:
#: a Chinese spreadsheet heads them 日期 and 年份, and they were joined as ordinary columns
#: that set no date.
DATE_ALIASES = ("日期", "Date", "DATE")
YEAR_ALIASES = ("年份", "年", "Year", "YEAR")

#: The metadata column that overrides the author read from a byline (documents.author):
#: a researcher's own attribution of a file, as ``date`` is of its date.
AUTHOR = "author"
AUTHOR_ALIASES = ("作者", "Author", "AUTHOR")

#: Columns the user's metadata fills in over the corpus's own where its cell is filled.
OVERRIDES = (KEY, DATE, AUTHOR)


#: What to do with a metadata workbook of several sheets with data (no option names one).
ONE_SHEET = "keep the metadata on a sheet of its own workbook, or save that sheet as CSV"


class MetadataError(ValueError):
    """A metadata table that cannot be joined; the message says where and what to do."""


def read_metadata(source: str | os.PathLike | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return the metadata table and a name for messages (the CSV path).

    A CSV is read as a spreadsheet saved it (:func:`workbench.csvio.read_user_csv`):
    UTF-8 with or without a byte-order mark, GBK/GB18030 or Big5, fields separated by
    commas, semicolons or tabs; every cell a string. An Excel workbook (``.xlsx``,
    ``.xlsm``) is read as the CSV Excel would save of its one sheet with data
    (:func:`workbench.csvio.read_user_xlsx`); ``.xls``, ``.et`` and ``.ods`` are refused
    saying how to save them. The index is each row's number as
    Excel shows it (the header is row 1; blank lines counted), which every message about
    a row gives; a table given as a DataFrame is numbered as if saved so, from 2.
    """
    if isinstance(source, pd.DataFrame):
        return source.set_axis(pd.RangeIndex(2, len(source) + 2, name=ROW)), "metadata table"
    from workbench.csvio import CsvError, read_user_table

    name = os.fspath(source)
    try:
        # As Excel or WPS saved it: GBK or UTF-8, comma or semicolon, or the workbook itself.
        return read_user_table(name, sheet_rows=True, choose=ONE_SHEET), name
    except FileNotFoundError:
        raise MetadataError(f"{name}: metadata file not found") from None
    except IsADirectoryError:
        # Else a bare "[Errno 21] Is a directory" that says neither which option nor what to do.
        raise MetadataError(
            f"{name}: is a folder, not a metadata file; give the CSV with a 'file' column, "
            f"e.g. {os.path.join(name, 'metadata.csv')}"
        ) from None
    except CsvError as err:
        raise MetadataError(str(err)) from None


def _example(documents: pd.DataFrame) -> str:
    """``, e.g. <the first file of the corpus>``: an example from the user's own files."""
    if KEY in documents.columns and len(documents):
        return f", e.g. {sorted(map(str, documents[KEY].dropna().unique()))[0]}"
    return ""


def _validate(
    meta: pd.DataFrame, name: str, documents: pd.DataFrame, segment_columns: Iterable[str] = ()
) -> None:
    if KEY not in meta.columns:
        raise MetadataError(
            f"{name}: no '{KEY}' column (columns: {', '.join(map(str, meta.columns))}); "
            f"add a '{KEY}' column with the input file names{_example(documents)}"
        )
    dup = meta[meta[KEY].duplicated(keep=False)]
    if not dup.empty:
        rows = ", ".join(str(i) for i in dup.index)  # the rows Excel shows (read_metadata)
        raise MetadataError(
            f"{name}: file names listed more than once ({', '.join(sorted(set(dup[KEY])))}) "
            f"at rows {rows}; keep one row per file"
        )
    clash = sorted(set(meta.columns) & set(documents.columns) - set(OVERRIDES))
    if clash:
        raise MetadataError(
            f"{name}: columns {', '.join(clash)} would overwrite corpus columns; rename them"
        )
    # A segments column wins over a documents column of the same name (groups.group_values),
    # so the user's column would be joined and never used.
    hidden = sorted(set(meta.columns) & set(segment_columns) - {KEY, "doc_id"})
    if hidden:
        raise MetadataError(
            f"{name}: column(s) {', '.join(hidden)} have the name of a segments column "
            f"(--by {hidden[0]} would group by the segments' own {hidden[0]}, not by yours); "
            f"rename them, e.g. {hidden[0]}_meta"
        )


@dataclass(frozen=True)
class CheckedMetadata:
    """A metadata table read and checked once, to be joined onto any part of the corpus
    it was checked against (:func:`check_metadata`, :func:`apply_metadata`).

    Attributes
    ----------
    name : str
        The CSV path, or ``"metadata table"``, as messages name it.
    table : pandas.DataFrame
        The rows, keyed by ``file`` as the corpus spells it, without the ``date`` and
        ``author`` columns (which override, not join).
    dates : dict or None
        The filled ``date`` cells as ISO strings by file; ``None`` when there is no
        ``date`` column.
    authors : dict
        The filled ``author`` cells by file.
    unknown : tuple of str
        The names that matched no file, logged by :func:`check_metadata`.
    """

    name: str
    table: pd.DataFrame
    dates: dict[str, str] | None
    authors: dict[str, str]
    unknown: tuple[str, ...] = ()

    def for_files(self, files: Iterable[str]) -> CheckedMetadata:
        """The rows of ``files`` only: all that joining onto their documents needs (a
        partition's, sent to the process that joins them).

        Examples
        --------
        >>> docs = pd.DataFrame({"file": ["a.txt", "b.txt"]})
        >>> checked = check_metadata(pd.DataFrame({"file": ["a.txt", "b.txt"], "g": ["x", "y"],
        ...                                        "date": ["2013", ""]}), docs)
        >>> part = checked.for_files(["b.txt"])
        >>> part.table["file"].tolist(), part.dates
        (['b.txt'], {})
        """
        keep = set(files)
        dates = None if self.dates is None else {
            k: v for k, v in self.dates.items() if k in keep}  # fmt: skip
        authors = {k: v for k, v in self.authors.items() if k in keep}
        return CheckedMetadata(self.name, self.table[self.table[KEY].isin(keep)], dates, authors)


def check_metadata(
    source: str | os.PathLike | pd.DataFrame,
    documents: pd.DataFrame,
    *,
    segment_columns: Iterable[str] = (),
    joined: bool = True,
) -> CheckedMetadata:
    """Read ``source`` and check it against ``documents``, the whole corpus's; the
    first half of :func:`join_metadata`.

    ``documents`` needs only the ``file`` column of every file and the corpus's column
    names: the streamed pipeline (:func:`workbench.stream.build_corpus`) checks the
    metadata against its file list before any partition runs, then joins the result onto
    each documents part with :func:`apply_metadata`. Names that match no file of
    ``documents`` are logged here, once.

    ``joined=False`` says that ``documents`` holds no metadata joined before (its columns
    other than ``file`` are names only, not filled in): every metadata column named as
    one of them is then refused, none is taken as joined already (:func:`join_metadata`).

    Raises
    ------
    MetadataError
        As :func:`join_metadata` does.

    Examples
    --------
    >>> files = pd.DataFrame({"file": ["a.txt", "b.txt"], "title": ["", ""]})
    >>> checked = check_metadata(pd.DataFrame({"文件名": ["a"], "genre": ["报告"]}), files)
    >>> checked.table.to_dict("list"), checked.dates
    ({'file': ['a.txt'], 'genre': ['报告']}, None)
    >>> clash = pd.DataFrame({"file": ["a.txt"], "title": ["x"]})
    >>> check_metadata(clash, files)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.corpus.metadata.MetadataError: metadata table: columns title would overwrite ...
    """
    meta, name = read_metadata(source)
    meta = _without_blanks(meta, name)
    meta = _keyed(meta, documents)
    if joined:
        meta = meta.drop(columns=_already_joined(meta, documents))
    _validate(meta, name, documents, segment_columns)
    unknown = sorted(set(meta[KEY]) - set(documents[KEY]))
    if unknown:
        log.warning("%s: no loaded file named %s", name, _with_close_names(unknown, documents))
    authors = _authors(meta) if AUTHOR in meta.columns else {}
    dates = _dates(meta, name) if DATE in meta.columns else None
    return CheckedMetadata(name, meta.drop(columns=[AUTHOR, DATE], errors="ignore"),
                           dates, authors, tuple(unknown))  # fmt: skip


def log_unloaded(checked: CheckedMetadata, documents: pd.DataFrame) -> list[str]:
    """Log the names of ``checked`` that match a file ``documents`` (the corpus built)
    has no row of, as :func:`join_metadata` logs a name that matches no file; return them.

    :func:`check_metadata` given the file list before any file is read matches a name
    to a file that then turns out unreadable (skipped) or without text; its row joins
    onto nothing, and :func:`join_metadata` on the built corpus would have said so.

    Examples
    --------
    >>> files = pd.DataFrame({"file": ["a.txt", "bad.txt"]})
    >>> checked = check_metadata(pd.DataFrame({"file": ["a.txt", "bad.txt"]}), files)
    >>> log_unloaded(checked, pd.DataFrame({"file": ["a.txt"]}))
    ['bad.txt']
    """
    gone = sorted(set(checked.table[KEY]) - set(documents[KEY]) - set(checked.unknown))
    if gone:
        log.warning("%s: no loaded file named %s", checked.name,
                    _with_close_names(gone, documents))  # fmt: skip
    return gone


def apply_metadata(documents: pd.DataFrame, checked: CheckedMetadata) -> pd.DataFrame:
    """Left-join checked metadata onto ``documents`` (all of the corpus it was checked
    against, or any part of it) by ``file``; order is kept. The second half of
    :func:`join_metadata`: joined part by part, the parts are the whole's rows.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a/a1", "b/a1"], "file": ["a.txt", "b.txt"]})
    >>> checked = check_metadata(pd.DataFrame({"file": ["a.txt"], "g": ["x"]}), docs)
    >>> parts = [apply_metadata(docs[:1], checked), apply_metadata(docs[1:], checked)]
    >>> pd.concat(parts, ignore_index=True).equals(apply_metadata(docs, checked))
    True
    """
    out = documents.merge(checked.table, on=KEY, how="left", validate="many_to_one")
    out = _with_authors(out, checked.authors)
    if checked.dates is None:
        return out
    override = out[KEY].map(checked.dates)
    has = override.notna().to_numpy()
    for col in (DATE, "date_source"):
        if col not in out.columns:
            out[col] = ""
    out.loc[has, DATE] = override[has]
    out.loc[has, "date_source"] = "metadata"
    return out


def join_metadata(
    documents: pd.DataFrame,
    source: str | os.PathLike | pd.DataFrame,
    *,
    segment_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Left-join the metadata onto ``documents`` by ``file``; order is kept.

    Columns ``documents`` already holds with the same values (the same metadata, joined
    when the corpus was built, given again to a command) are taken as they are; any other
    column that would overwrite one of ``documents`` is an error, and so is a column named
    as one of ``segment_columns`` (the segments the documents are analysed with: their
    column would be used instead). Columns headed ``日期`` or ``年份`` (:data:`DATE_ALIASES`,
    :data:`YEAR_ALIASES`) are ``date`` and ``year``. The same as :func:`check_metadata`
    then :func:`apply_metadata`.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a/a1", "b/a1"], "file": ["a.txt", "b.txt"]})
    >>> meta = pd.DataFrame({"file": ["a.txt", "b.txt"], "genre": ["报告", "讲话"]})
    >>> joined = join_metadata(docs, meta)
    >>> join_metadata(joined, meta).equals(joined)
    True
    >>> join_metadata(joined, meta.assign(genre=["讲话", "讲话"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.corpus.metadata.MetadataError: metadata table: columns genre would overwrite ...
    >>> dated = pd.DataFrame({"文件名": ["a.txt"], "日期": ["2013年6月18日"], "年份": ["2013"]})
    >>> join_metadata(docs, dated)[["file", "year", "date", "date_source"]].to_dict("records")[0]
    {'file': 'a.txt', 'year': '2013', 'date': '2013-06-18', 'date_source': 'metadata'}
    """
    checked = check_metadata(source, documents, segment_columns=segment_columns)
    return apply_metadata(documents, checked)


def _blank(values: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Which cells are empty: missing, or only spaces."""
    return values.isna() | values.astype("string").fillna("").str.strip().eq("")


def _without_blanks(meta: pd.DataFrame, name: str) -> pd.DataFrame:
    """``meta`` without the empty rows and unheaded empty columns a spreadsheet leaves
    (Excel saves rows and columns that once held something); the rows keep their index,
    so messages still give the CSV row. A row with values but no file name, or a column
    with values but no heading, is refused: what it belongs to cannot be told.

    Examples
    --------
    >>> meta = pd.DataFrame({"file": ["a.txt", "", "b.txt"], "genre": ["x", " ", "y"],
    ...                      "": ["", "", ""]})
    >>> _without_blanks(meta, "m.csv").to_dict("list")
    {'file': ['a.txt', 'b.txt'], 'genre': ['x', 'y']}
    """
    cells = meta.apply(_blank) if len(meta.columns) else meta
    unheaded = [i for i, c in enumerate(meta.columns) if str(c).strip() == "" or
                str(c).startswith("Unnamed: ")]  # fmt: skip
    filled = [i for i in unheaded if not cells.iloc[:, i].all()]
    if filled:
        raise MetadataError(
            f"{name}: column(s) {', '.join(str(i + 1) for i in filled)} hold values but have "
            "no heading; give each a heading in the first row, or delete them"
        )
    keep = [i for i in range(len(meta.columns)) if i not in unheaded]
    meta, cells = meta.iloc[:, keep], cells.iloc[:, keep]
    meta = meta[~cells.all(axis=1)]
    key = next((c for c in (KEY, *KEY_ALIASES) if c in meta.columns), None)
    if key is not None:
        nameless = meta.index[_blank(meta[key]).to_numpy()]
        if len(nameless):
            rows = ", ".join(str(i) for i in nameless[:10])
            raise MetadataError(
                f"{name}: row(s) {rows} have values but no file name in column '{key}'; "
                "fill in the file name or delete the row"
            )
    return meta


def _keyed(meta: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``meta`` with its key, date and year columns named ``file``, ``date`` and ``year``
    (:data:`KEY_ALIASES`, :data:`DATE_ALIASES`, :data:`YEAR_ALIASES`), and each key as
    ``documents`` spells it."""
    for name, aliases in ((DATE, DATE_ALIASES), (YEAR, YEAR_ALIASES), (AUTHOR, AUTHOR_ALIASES)):
        found = [c for c in aliases if c in meta.columns]
        if name not in meta.columns and len(found) == 1:
            meta = meta.rename(columns={found[0]: name})
    if KEY not in meta.columns:
        aliases = [c for c in KEY_ALIASES if c in meta.columns]
        if len(aliases) != 1:
            return meta
        meta = meta.rename(columns={aliases[0]: KEY})
    files = pd.unique(documents[KEY].astype(str)) if KEY in documents.columns else []
    exact = set(files)
    folded: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    for file in files:
        folded.setdefault(_folded(file), []).append(file)
        stems.setdefault(os.path.splitext(file)[0], []).append(file)

    def spelt(key: object) -> object:
        if not isinstance(key, str):
            return key
        # Windows writes a file's folders with "\\" (2015\\1.txt for 2015/1.txt).
        text = key.strip().replace("\\", "/")
        if text in exact:
            return text
        # Only a match that names exactly one file is taken; anything else stays as it
        # was written, to be reported as naming no loaded file.
        for found in (folded.get(_folded(text), []), stems.get(text, [])):
            if len(found) == 1:
                return found[0]
        # A full or longer path ("C:\\Users\\me\\corpus\\2015\\1.txt", "corpus/2015/1.txt",
        # as a listing of the folder gives it) names the loaded file its last parts spell.
        parts = [part for part in text.split("/") if part]
        for k in range(len(parts) - 1, 0, -1):
            found = folded.get(_folded("/".join(parts[-k:])), [])
            if len(found) == 1:
                return found[0]
        return key

    return meta.assign(**{KEY: meta[KEY].map(spelt)})


def _folded(file: str) -> str:
    """``file`` with its suffix in lower case: ``报告.TXT`` → ``报告.txt``."""
    stem, suffix = os.path.splitext(file)
    return stem + suffix.lower()


def _with_close_names(unknown: list[str], documents: pd.DataFrame) -> str:
    """The unknown names, each with the closest loaded file name where one is close."""
    from workbench.names import closest

    files = sorted(set(documents[KEY].astype(str)))
    shown = []
    for key in unknown:
        close = closest(str(key), files, n=1)
        shown.append(f"{key} (closest loaded file: {close[0]})" if close else str(key))
    return ", ".join(shown)


def _already_joined(meta: pd.DataFrame, documents: pd.DataFrame) -> list[str]:
    """Columns of ``meta`` that ``documents`` holds with the same value for every file
    both list (blank and missing alike): joining them again would change nothing."""
    shared = [c for c in meta.columns if c in documents.columns and c not in (KEY, DATE)]
    if KEY not in meta.columns or KEY not in documents.columns or not shared:
        return []
    mine = meta.drop_duplicates(KEY).set_index(KEY)
    theirs = documents.drop_duplicates(KEY).set_index(KEY)
    files = mine.index.intersection(theirs.index)
    if not len(files):
        return []

    def cells(frame: pd.DataFrame, col: str) -> pd.Series:
        return frame.loc[files, col].astype("string").fillna("").str.strip()

    return [c for c in shared if cells(mine, c).equals(cells(theirs, c))]


def _authors(meta: pd.DataFrame) -> dict[str, str]:
    """The filled ``author`` cells by file, stripped."""
    return {
        key: str(value).strip()
        for key, value in zip(meta[KEY], meta[AUTHOR], strict=True)
        if not pd.isna(value) and str(value).strip()
    }


def _with_authors(out: pd.DataFrame, authors: dict[str, str]) -> pd.DataFrame:
    """``out`` with each filled author of the metadata in place of the byline's."""
    if not authors:
        return out
    if AUTHOR not in out.columns:
        out[AUTHOR] = ""
    override = out[KEY].map(authors)
    has = override.notna().to_numpy()
    out.loc[has, AUTHOR] = override[has]
    return out


def _dates(meta: pd.DataFrame, name: str) -> dict[str, str]:
    """The filled ``date`` cells as ISO strings by file; a value that is no date is refused."""
    from workbench.corpus.dates import parse_date

    given: dict[str, str] = {}
    bad = []
    # The index is the row Excel shows (read_metadata): blank rows left out keep it right.
    for i, key, value in zip(meta.index, meta[KEY], meta[DATE], strict=True):
        if pd.isna(value) or not str(value).strip():
            continue
        try:
            given[key] = parse_date(str(value).strip())
        except ValueError:
            bad.append(f"row {i} ({key}: {str(value)!r})")
    if bad:
        raise MetadataError(
            f"{name}: column '{DATE}' has values that are not dates: {', '.join(bad[:10])}; "
            "write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2013-06-18), or leave the cell empty "
            "to keep the date read from the text"
        )
    return given
