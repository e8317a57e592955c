"""Groups of segments for the text analyses (keyness, collocations, correspondence analysis).

An analysis compares groups of texts: the values of a segments column (``role``,
``file``), of a documents column joined on ``doc_id`` (``title``, a metadata column
such as ``genre`` or ``year``), or whether the segment's article asserts a code
(:func:`code_groups`). This module finds those values, and reads the tables the
command line is given (a segments table, the documents table beside it, a codes table)
with a clear :class:`InputError` naming the file or column when something is wrong.

Examples
--------
>>> import pandas as pd
>>> seg = pd.DataFrame({"doc_id": ["d/a1", "d/a1", "e/a1"], "role": ["problem", "other", "cause"]})
>>> docs = pd.DataFrame({"doc_id": ["d/a1", "e/a1"], "genre": ["essay", "report"]})
>>> group_values(seg, "role").tolist()
['problem', 'other', 'cause']
>>> group_values(seg, "genre", docs).tolist()
['essay', 'essay', 'report']
>>> try:
...     group_values(seg, "year", docs)
... except InputError as err:
...     print(err)
no column 'year' in the segments or documents table; columns: doc_id, genre, role
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

#: A workbench unit id starts with its article id, ``<file stem>/a<k>`` (as the corpus
#: names articles): the one pattern of it, which :func:`unit_articles` and the network's
#: ``article_ids`` both read.
ARTICLE_ID = re.compile(r"^([^/]+/a\d+)(?:/|$)")

#: The group :func:`group_values` derives from the documents' ``date`` when no table
#: has a column of that name.
YEAR = "year"

#: Group labels of :func:`code_groups`.
PRESENT, ABSENT = "present", "absent"
#: :attr:`SegmentInput.source` of the bundled seeds.
SEEDS = "the bundled seeds"


class InputError(ValueError):
    """A user's mistake in the input of an analysis: a missing column, an unknown value,
    a file that is not the table it should be. The command line reports it (exit 2)."""


@dataclass
class SegmentInput:
    """A segments table read for an analysis, with what it came from.

    Attributes
    ----------
    segments : DataFrame
        The segments (duplicates dropped unless asked otherwise).
    documents : DataFrame or None
        The documents table (``<name>.documents.parquet`` beside a built table; the
        loaded corpus's for the bundled seeds), or ``None`` when there is none.
    inputs : dict
        Checksums for provenance: the tables read, and the raw files they record.
    duplicates_dropped : int
        Segments left out as duplicates (0 when they were kept).
    articles_dropped : list of str
        Articles every segment of which was left out as a duplicate: they are in no
        analysis of this input (a trend's denominator, a group's size).
    source : str
        What was read, for messages: the path given, or ``"the bundled seeds"``.
    """

    segments: pd.DataFrame
    documents: pd.DataFrame | None
    inputs: dict[str, str] = field(default_factory=dict)
    duplicates_dropped: int = 0
    articles_dropped: list[str] = field(default_factory=list)
    source: str = SEEDS


def group_values(
    segments: pd.DataFrame, by: str, documents: pd.DataFrame | None = None
) -> pd.Series:
    """The value of column ``by`` for each segment: its own, or its document's.

    Parameters
    ----------
    segments : DataFrame
        Segments with ``doc_id`` (needed only for a documents column).
    by : str
        A segments column, or else a column of ``documents`` (joined on ``doc_id``);
        ``"year"``, when neither table has it, is the year of the documents' ``date``.
    documents : DataFrame, optional
        The documents table, with user metadata columns if any were joined.

    Returns
    -------
    Series
        Aligned with ``segments`` (same index); missing values stay missing, and a blank
        cell (``""``, spaces) is missing too: no group is named by nothing.

    Raises
    ------
    InputError
        If neither table has the column.
    """
    if by in segments.columns:
        if documents is not None and by in documents.columns and by != "doc_id":
            # A documents column named as a segments one (a metadata 'role' joined when the
            # corpus was built) was silently passed over for the segments' own.
            theirs = segments["doc_id"].map(documents.drop_duplicates("doc_id").set_index(
                "doc_id")[by]).astype("string").fillna("")  # fmt: skip
            if not theirs.equals(segments[by].astype("string").fillna("")):
                raise InputError(f"column {by!r} is both a segments column and a documents "
                                 "(metadata) column with other values; rename the metadata "
                                 f"column (e.g. {by}_meta) and give --by that name")  # fmt: skip
        return _blank_missing(segments[by])
    if documents is not None and by in documents.columns and "doc_id" in segments.columns:
        mapping = documents.drop_duplicates("doc_id").set_index("doc_id")[by]
        return _blank_missing(segments["doc_id"].map(mapping).rename(by))
    if by == YEAR and documents is not None and "date" in documents.columns \
            and "doc_id" in segments.columns:
        # The year of each article's date (dateline or --metadata's date column): a corpus
        # dated by day has no year column, and `--by year` was refused.
        dates = documents.drop_duplicates("doc_id").set_index("doc_id")["date"]
        years = dates.astype("string").str.extract(r"^\s*(\d{4})", expand=False)
        return _blank_missing(segments["doc_id"].map(years).rename(by))
    from workbench.names import closest

    cols = set(segments.columns) | set(documents.columns if documents is not None else [])
    where = "segments or documents table" if documents is not None else "segments table"
    close = closest(by, sorted(cols), n=1)  # "regoin" for "region": name the column meant
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    # A segments table copied without its documents table: metadata columns (genre) and
    # dates are there, and the message listed only the segments' columns.
    alone = ("; no documents table was read: keep the <name>.documents.parquet `workbench "
             f"corpus build` writes beside the segments, or give --metadata CSV with a {by!r} "
             "column") if documents is None else ""  # fmt: skip
    raise InputError(f"no column {by!r} in the {where}{hint}; columns: "
                     f"{', '.join(sorted(cols))}{alone}")  # fmt: skip


def _blank_missing(values: pd.Series) -> pd.Series:
    """``values`` with blank text cells made missing."""
    blank = values.astype("string").str.strip().eq("").fillna(False).to_numpy(bool)
    return values.mask(blank) if blank.any() else values


def no_value_articles(segments: pd.DataFrame, labels: pd.Series) -> list[str]:
    """The articles none of whose ``segments`` has a label: they are in no group.

    Examples
    --------
    >>> seg = pd.DataFrame({"doc_id": ["a", "a", "b", "c"]})
    >>> no_value_articles(seg, pd.Series(["x", None, None, "y"]))
    ['b']
    """
    valued = labels.notna().to_numpy(bool)
    docs = segments["doc_id"].astype(str).to_numpy()
    return sorted(set(docs[~valued]) - set(docs[valued]))


def no_value_note(by: str, articles: int, total: int) -> str:
    """The note every analysis that forms groups gives on the articles left out of them.

    Keyness and correspondence analysis said it differently, or (keyness) not at all.

    Examples
    --------
    >>> print(no_value_note("source", 5, 8).replace("; ", ";\\n"))
    5 of 8 article(s) have no value of source and are in no group (left out);
    give them one (in --metadata) to count them
    """
    return (f"{articles} of {total} article(s) have no value of {by} and are in no group "
            "(left out); give them one (in --metadata) to count them")  # fmt: skip


def code_groups(segments: pd.DataFrame, codes: pd.DataFrame, code: str) -> pd.Series:
    """``"present"`` for segments whose article asserts ``code``, ``"absent"`` for the rest.

    Parameters
    ----------
    segments : DataFrame
        Segments with ``doc_id``.
    codes : DataFrame
        ``doc_id, code`` pairs (from :func:`read_codes` or a coding's long table joined
        to its units).
    code : str
        A code id.

    Examples
    --------
    >>> seg = pd.DataFrame({"doc_id": ["a", "a", "b"]})
    >>> code_groups(seg, pd.DataFrame({"doc_id": ["a"], "code": ["P_x"]}), "P_x").tolist()
    ['present', 'present', 'absent']

    A code the table does not have is named, with the closest one and every code:

    >>> try:
    ...     code_groups(seg, pd.DataFrame({"doc_id": ["a"], "code": ["P_formalism"]}), "P_formalsm")
    ... except InputError as err:
    ...     print(str(err).replace("; ", ";\\n"))
    code 'P_formalsm' is not in the codes table (did you mean 'P_formalism'?);
    its 1 code(s): P_formalism
    """
    if code not in set(codes["code"]):
        from workbench.names import closest

        # Every code, sorted, with their number: a cut-off list (the first 20, all C_/L_/M_)
        # hid the very code a user misspelt. A close match is proposed first.
        known = sorted(set(codes["code"]))
        close = closest(code, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"code {code!r} is not in the codes table{hint}; its {len(known)} "
                         f"code(s): {', '.join(known)}")  # fmt: skip
    docs = set(codes.loc[codes["code"] == code, "doc_id"])
    present = segments["doc_id"].isin(docs)
    return present.map({True: PRESENT, False: ABSENT}).rename(f"code:{code}")


def read_segments(path: Path | None, *, dedup: bool = True) -> SegmentInput:
    """Read a segments table (``workbench corpus build``) and the documents table beside it.

    Parameters
    ----------
    path : Path or None
        The ``.parquet`` segments table, or the folder ``workbench pipeline --out DIR``
        wrote (its ``segments`` and ``documents`` parts; :func:`pipeline_folder`);
        ``None`` loads the bundled seeds.
    dedup : bool, default True
        Drop duplicates: segments with ``dup_of`` and every segment of a duplicate
        article (when the documents table is there to say which). How many were left
        out, and which articles lost every segment, is logged (a warning, which the
        command line prints) and kept in the result.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InputError
        If it is not a segments table.
    """
    from workbench import config
    from workbench.corpus import duplicate_mask
    from workbench.provenance import read_record, sha256_file

    if path is None:
        from workbench.corpus import load_corpus

        corpus = load_corpus()
        seg = corpus.analysis_segments(dedup)
        gone = sorted(set(corpus.segments["doc_id"]) - set(seg["doc_id"]))
        return SegmentInput(seg, corpus.documents, corpus.checksums(), articles_dropped=gone)
    path = Path(path)
    build = pipeline_folder(path)
    if build is not None:  # `workbench pipeline --out DIR`: the parts of its tables
        seg, inputs = _read_parts(build, "segments")
        docs, docs_inputs = _read_parts(build, "documents")
        inputs.update(docs_inputs)
        inputs.update(_metadata_input(build))
    else:
        # A corpus (folder, archive, text file) given where its table belongs is the usual
        # slip: say what to run, with the user's own path.
        if path.is_dir():
            raise IsADirectoryError(
                f"{path}: a folder, not a segments table file; build it first: workbench "
                f"corpus build {path} --out SEG.parquet (or give the folder workbench pipeline "
                "wrote)"
            )
        seg = _read_parquet(
            path,
            "segments table",
            "; give the .parquet that `workbench corpus build CORPUS --out SEG.parquet` "
            "writes (or the folder `workbench pipeline --out DIR` writes), not the corpus "
            "itself",
        )
        docs_path = path.with_name(path.stem + ".documents.parquet")
        docs = _read_parquet(docs_path, "documents table") if docs_path.exists() else None
        inputs = {config.display_path(path.resolve()): sha256_file(path)}
        with contextlib.suppress(FileNotFoundError):  # no record: its own checksum is enough
            inputs.update(read_record(path).get("inputs", {}))
        if docs is not None:
            inputs[config.display_path(docs_path.resolve())] = sha256_file(docs_path)
    missing = {"segment_id", "doc_id", "text"} - set(seg.columns)
    if missing:
        raise InputError(f"{path}: not a segments table (no {', '.join(sorted(missing))} "
                         "column); give the .parquet that `workbench corpus build` writes")
    if dedup and "dup_of" in seg.columns:
        if docs is not None and "dup_of" in docs.columns:
            mask = duplicate_mask(seg, docs)
        else:
            mask = seg["dup_of"].notna()
        kept = seg.loc[~mask].reset_index(drop=True)
        gone = sorted(set(seg["doc_id"]) - set(kept["doc_id"]))
        dropped = int(mask.sum())
        if dropped:
            log.warning("%s", _left_out(path, dropped, gone))
        return SegmentInput(kept, docs, dict(sorted(inputs.items())), dropped, gone, str(path))
    return SegmentInput(seg, docs, dict(sorted(inputs.items())), source=str(path))


def _left_out(path: Path, dropped: int, gone: list[str]) -> str:
    """The note on duplicates left out of an analysis: how many, and whole articles."""
    note = f"{path}: {dropped} duplicate segment(s) left out"
    if gone:
        shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        note += f", every segment of {len(gone)} article(s) ({shown})"
    return note + "; --keep-duplicates keeps them"


def read_documents(path: Path) -> pd.DataFrame:
    """Read a documents table given on its own (``<name>.documents.parquet``).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    InputError
        If it is not Parquet, or has no ``doc_id`` column.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from workbench.corpus import load_corpus
    >>> path = Path(tempfile.mkdtemp()) / "seeds.documents.parquet"
    >>> corpus = load_corpus()
    >>> corpus.documents.to_parquet(path)
    >>> read_documents(path)["doc_id"].tolist()[:2]
    ['000_688e36ac7d55ccc2/a1', '001_74e1782f8eca611a/a1']
    >>> corpus.files.to_parquet(path)  # the files table, given by mistake
    >>> read_documents(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.groups.InputError: ...documents.parquet: not a documents table (no doc_id column)...
    """
    docs = _read_parquet(Path(path), "documents table")
    if "doc_id" not in docs.columns:
        raise InputError(f"{path}: not a documents table (no doc_id column); "
                         "give the .documents.parquet `workbench corpus build` writes")
    return docs


def read_codes(
    path: Path, corpus: SegmentInput | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a codes table of ``workbench code``: one row per (unit, code) with its article.

    The long table (``unit_id, code, category, …``; ``.parquet`` or ``.csv``) gets each
    unit's ``doc_id`` from ``<name>.units.csv`` beside it, or else from the unit id
    itself (every unit id starts with its ``doc_id``, ``<file stem>/a<N>``). The folder
    ``workbench pipeline --out DIR`` wrote gives its ``codes`` and ``units`` parts.

    Parameters
    ----------
    path : Path
        The codes table, or a pipeline folder.
    corpus : SegmentInput, optional
        The corpus the codes are analysed with: the codes must have been made from it
        (:func:`check_codes_corpus`, on every unit of the units file, coded or not).

    Returns
    -------
    codes : DataFrame
        ``unit_id, doc_id, code, category`` plus ``segment_ids`` when the units file is there.
    inputs : dict
        Checksums of the files read.

    Raises
    ------
    InputError
        If it is not a codes table, or the codes were not made from ``corpus``.
    """
    from workbench import config
    from workbench.provenance import sha256_file

    path = Path(path)
    build = pipeline_folder(path)
    units: pd.DataFrame | None = None
    if build is not None:  # `workbench pipeline --out DIR`: its codes and units parts
        long, inputs = _read_parts(build, "codes")
        units, units_inputs = _read_parts(build, "units")
        inputs.update(units_inputs)
    elif path.suffix == ".csv":
        long = read_csv_table(path, "codes table")
    else:
        long = _read_parquet(path, "codes table")
    missing = {"unit_id", "code"} - set(long.columns)
    if missing:
        raise InputError(f"{path}: not a codes table (no {', '.join(sorted(missing))} column); "
                         "give the file `workbench code --out CODES.parquet` writes")
    if build is None:
        inputs = {config.display_path(path.resolve()): sha256_file(path)}
        units_path = Path(f"{path.with_suffix('')}.units.csv")
        if units_path.exists():
            units = read_csv_table(units_path, "units table")
            inputs[config.display_path(units_path.resolve())] = sha256_file(units_path)
    long = long.copy()
    if units is not None:
        cols = [c for c in ("unit_id", "doc_id", "segment_ids") if c in units.columns]
        long = long.drop(columns=[c for c in cols if c != "unit_id" and c in long.columns])
        long = long.merge(units[cols], on="unit_id", how="left")
    if "doc_id" not in long.columns:
        long["doc_id"] = unit_articles(long[["unit_id"]])
    if corpus is not None:
        # Every unit coded, with a code or none: without the units file only the coded ones.
        coded = unit_articles(units) if units is not None else long["doc_id"]
        check_codes_corpus(coded, corpus, path, complete=units is not None)
    return long, dict(sorted(inputs.items()))


def unit_articles(units: pd.DataFrame) -> pd.Series:
    """The article of each unit: its ``doc_id`` column, or else the ``doc_id`` its unit id
    starts with (:data:`ARTICLE_ID`; missing where the id names no article).

    Examples
    --------
    >>> unit_articles(pd.DataFrame({"unit_id": ["f/a1/p003/s01", "f/a12", "f/a1x", "x"]})).tolist()
    ['f/a1', 'f/a12', nan, nan]
    """
    if "doc_id" in units.columns:
        return units["doc_id"]
    return units["unit_id"].astype(str).str.extract(ARTICLE_ID, expand=False)


def check_codes_corpus(
    coded: Iterable[object], corpus: SegmentInput, codes_path: Path | str, *, complete: bool = True
) -> None:
    """Refuse codes that were not made from ``corpus``: the one check of every command
    given ``--codes`` with a corpus (keyness, ca, trends, network).

    Codes of another corpus matched no article (a network silently drew the other corpus;
    a keyness found one group, "absent"), and codes of an earlier build put its new articles
    among those asserting no code. Both are refused, naming the articles.

    Parameters
    ----------
    coded : iterable of str
        The ``doc_id`` of every unit coded (the units file: with a code or none).
    corpus : SegmentInput
        The corpus analysed; its duplicates left out count as its own.
    codes_path : Path or str
        The codes table, for the message.
    complete : bool, default True
        ``coded`` holds every unit coded; ``False`` (no units file: only units with a
        code are known) skips the check that every article of the corpus was coded.

    Raises
    ------
    InputError
        If some coded article is not in the corpus, or some article of the corpus was
        not coded.

    Examples
    --------
    >>> seg = pd.DataFrame({"doc_id": ["a/a1", "b/a1"]})
    >>> corpus = SegmentInput(seg, None, source="seg.parquet")
    >>> check_codes_corpus(["a/a1", "b/a1"], corpus, "codes.parquet")
    >>> try:
    ...     check_codes_corpus(["a/a1"], corpus, "codes.parquet")
    ... except InputError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    codes.parquet: its codes cover 1 of the 2 article(s) of seg.parquet; 1 article(s) were not coded
    (b/a1) and would count as asserting no code; code this corpus: workbench code --corpus
    seg.parquet --out CODES.parquet
    """
    coded_set = {str(d) for d in coded if pd.notna(d)}
    analysed = {str(d) for d in corpus.segments["doc_id"].dropna()}
    known = analysed | set(corpus.articles_dropped)
    source = corpus.source
    redo = "workbench code " + ("" if source == SEEDS else f"--corpus {source} ") + \
        "--out CODES.parquet"  # fmt: skip
    foreign = sorted(coded_set - known)
    if foreign and len(foreign) == len(coded_set):
        raise InputError(
            f"{codes_path}: codes of another corpus: none of its {len(coded_set)} article(s) "
            f"({_shown(foreign)}) is in {source} ({len(known)} article(s): "
            f"{_shown(sorted(known))}); give --corpus the segments table the codes were made "
            f"from, or code this corpus: {redo}"
        )
    if foreign:
        raise InputError(
            f"{codes_path}: {len(foreign)} of its {len(coded_set)} coded article(s) are not in "
            f"{source} ({_shown(foreign)}): the codes were made from another corpus or build; "
            f"give --corpus the segments table they were made from, or code this corpus: {redo}"
        )
    uncoded = sorted(analysed - coded_set)
    if complete and uncoded:
        raise InputError(
            f"{codes_path}: its codes cover {len(analysed) - len(uncoded)} of the "
            f"{len(analysed)} article(s) of {source}; {len(uncoded)} article(s) were not coded "
            f"({_shown(uncoded)}) and would count as asserting no code; code this corpus: {redo}"
        )


def _shown(items: list[str], n: int = 5) -> str:
    """The first ``n`` items and how many more."""
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def pipeline_folder(path: Path) -> Path | None:
    """The folder ``workbench pipeline --out DIR`` wrote, given as it or as one of its tables.

    ``DIR`` itself or a table's folder inside it (``DIR/segments``, ``DIR/codes``) both
    name the build; anything else is ``None``.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "segments").mkdir()
    >>> pipeline_folder(out) is None  # no manifest: not a finished build
    True
    >>> _ = (out / "manifest.json").write_text("{}")
    >>> pipeline_folder(out / "segments") == out
    True
    """
    path = Path(path)
    if not path.is_dir():
        return None
    for folder in (path, path.parent):
        if (folder / "manifest.json").is_file():
            return folder
    return None


def _metadata_input(build: Path) -> dict[str, str]:
    """The metadata file a pipeline build joined onto its documents, as an input (name:
    SHA-256, from its manifest), as ``corpus build`` lists it in its record; ``{}``
    without one."""
    import json

    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8") or "{}")
    record = manifest.get("parameters", {}).get("metadata") if isinstance(manifest, dict) else None
    if isinstance(record, dict) and {"path", "sha256"} <= set(record):
        return {str(record["path"]): str(record["sha256"])}
    return {}


def _read_parts(build: Path, table: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """One table of a pipeline build, its parts in corpus order, and their checksums."""
    from workbench import config
    from workbench.provenance import sha256_file
    from workbench.stream import read_table

    parts = sorted((build / table).glob("part-*.parquet"))
    if not parts:
        raise InputError(f"{build / table}: no parts of the {table} table; is {build} a "
                         "finished `workbench pipeline --out` folder? Run it again")  # fmt: skip
    inputs = {config.display_path(p.resolve()): sha256_file(p) for p in parts}
    return read_table(build, table), inputs


def _exists(path: Path, what: str) -> None:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file (the {what} to read)")
    if path.is_dir():
        raise IsADirectoryError(f"{path}: a folder, not a {what} file")


def _read_parquet(path: Path, what: str, hint: str = "") -> pd.DataFrame:
    _exists(path, what)
    try:
        return pd.read_parquet(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception as err:  # pyarrow: ArrowInvalid / OSError for a file that is not Parquet
        raise InputError(f"{path}: cannot be read as a {what} ({type(err).__name__}: "
                         f"{str(err).splitlines()[0][:120]}){hint}") from None


def read_csv_table(path: Path, what: str) -> pd.DataFrame:
    """A table the workbench wrote as CSV (codes, units), also after Excel saved it again.

    Decoded as :func:`workbench.csvio.decode_csv` decodes a user's CSV (UTF-8 with or
    without a byte-order mark, GBK, Big5; ``,`` or Excel's ``;``), then read by pandas,
    which infers the column types. A codes table opened and saved in Excel on a Chinese
    Windows is GBK: it stopped ``network`` with "'utf-8' codec can't decode byte 0xcf",
    naming no file.

    Raises
    ------
    InputError
        Naming the file, what it should be and what to do.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "codes.csv"
    >>> _ = path.write_bytes("unit_id;code\\na/a1/p001;P_x\\n".encode("gbk"))
    >>> read_csv_table(path, "codes table").to_dict("records")
    [{'unit_id': 'a/a1/p001', 'code': 'P_x'}]
    """
    import io

    from workbench.csvio import CsvError, decode_csv, sniff_separator

    _exists(path, what)
    try:
        text, _encoding = decode_csv(path.read_bytes(), str(path))
        return pd.read_csv(io.StringIO(text), sep=sniff_separator(text.split("\n", 1)[0]))
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except CsvError as err:
        raise InputError(f"{err} (a {what})") from None
    except Exception as err:
        raise InputError(f"{path}: cannot be read as a {what} ({type(err).__name__}); give the "
                         "file `workbench code --out` wrote") from None
