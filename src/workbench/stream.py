"""Stream a corpus of any size through the whole pipeline into Parquet parts.

:func:`workbench.pipeline.run_pipeline` returns every table in memory, which is
what a notebook wants for a few hundred files. A province's archive does not fit:
:func:`build_corpus` keeps memory proportional to one *partition* (a run of files
of at most :data:`workbench.engine.MAX_PARTITION_BYTES`), not to the corpus.

It is the one driver (:func:`workbench.engine.drive`) with the pipeline's words and
codes per partition (:func:`workbench.pipeline.analyse_segments`) and a
:class:`ParquetSink`: three passes over the partitions, serially, in one process
pool or on one Dask client (:func:`workbench.pipeline.runner`):

1. **analyse** — each partition reads its own files (:class:`~workbench.corpus.readers.FileRef`
   travel, not bytes), loads, segments words, codes at the chosen unit
   (:func:`workbench.engine.load_partition`, as in memory), writes its
   ``documents``, ``removed``, ``codes`` and ``units`` parts, stages its segments
   (an Arrow IPC file in ``.staging``, :func:`_stage`) and returns only the file
   records and the texts' duplicate *sketches*;
2. **canonical sentences** — the partitions holding a paragraph that others
   duplicate return that paragraph's sentence keys (so a duplicate sentence can
   point at its canonical sentence, as in the in-memory corpus);
3. **finish** — each partition adds the duplicate marks to its parts, writes its
   staged segments as the Parquet part, and returns its code co-occurrence counts
   over non-duplicate units.

Duplicates are found in the parent over all sketches, in corpus order
(:func:`workbench.corpus.duplicates.find_marks`, as in memory), so the
marks are corpus-wide and identical to the in-memory run; so are every other
table (a test compares them row for row).

Output folder (``out_dir``)::

    segments/part-00000.parquet   SEGMENT_COLUMNS + tokens (list of str)
    documents/part-00000.parquet  DOCUMENT_COLUMNS (+ the ``metadata`` columns)
    removed/part-00000.parquet    boilerplate removed, with its rule
    codes/part-00000.parquet      the long coding table (unit_id, code, ...)
    units/part-00000.parquet      every coding unit, coded or not
    files.parquet                 one row per input file (status, encoding, ...)
    duplicates.parquet            article and paragraph duplicates
    cooccurrence.parquet          code x code counts over non-duplicate units
    manifest.json                 workbench version, parameters (the metadata's name and
                                  SHA-256), counts, parts; written last

Read a table back with :func:`read_table` (pandas) or ``dask.dataframe.read_parquet``.

Examples
--------
>>> import tempfile
>>> from workbench.stream import build_corpus, read_table
>>> out = tempfile.mkdtemp()
>>> summary = build_corpus(out_dir=out)          # the bundled seeds, serially
>>> summary.files, summary.segments == len(read_table(out, "segments"))
(5, True)
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq
from scipy import sparse

from workbench import __version__, config
from workbench.coding.coder import Coding
from workbench.corpus import (
    DOCUMENT_COLUMNS,
    FILE_COLUMNS,
    SEGMENT_COLUMNS,
    FileTables,
    Sources,
    gather_sources,
    id_stem,
)
from workbench.corpus.dedup import (
    DUP_THRESHOLD,
    Sketches,
    gather_texts,
    normalise_texts,
    offsets_from_lengths,
)
from workbench.corpus.duplicates import (
    CorpusSketches,
    duplicates_table,
    mark_documents,
    mark_segments,
    mark_segments_table,
    sentence_keys,
)
from workbench.corpus.metadata import (
    CheckedMetadata,
    apply_metadata,
    check_metadata,
    log_unloaded,
)
from workbench.engine import (
    PartitionResult,
    Workers,
    drive,
    peak_rss_mb,
    release_memory,
    releasing,
)
from workbench.network.measures import cooccurrence_counts
from workbench.pipeline import (
    get_codebook,
    non_duplicate_units,
    sum_counts,
    warm_up,
    words_and_codes,
)

#: Tables written as one Parquet part per partition.
PART_TABLES = ("segments", "documents", "removed", "codes", "units")

_PART = "part-{:05d}.parquet"


@dataclass
class BuildSummary:
    """What :func:`build_corpus` wrote, and what it cost.

    Attributes
    ----------
    out_dir : str
        The output folder.
    files, documents, segments, duplicates : int
        Row counts of those tables.
    parts : int
        Partitions (one Parquet part per table each).
    peak_rss_mb : dict
        Peak resident memory of this process (``"parent"``) and of the largest
        partition task (``"partition"``), measured as each process's own high-water
        mark (Linux ``VmHWM``; ``ru_maxrss`` elsewhere).
    parameters : dict
        Codebook, unit, engine, threshold and the other settings used.
    """

    out_dir: str
    files: int
    documents: int
    segments: int
    duplicates: int
    parts: int
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


# --- pass 1: analyse -------------------------------------------------------------------


def _write(
    df: pd.DataFrame,
    out: Path,
    table: str,
    index: int,
    tokens: pa.Array | pa.ChunkedArray | None = None,
) -> None:
    _write_table(_table(df, tokens), out / table / _PART.format(index))


#: Columns nearly every row of which differs: dictionary encoding only costs time (and
#: the dictionary outgrows its page and is dropped halfway); the plain pages are as small.
_NO_DICTIONARY = frozenset(
    {"segment_id", "paragraph_id", "text", "text_orig", "unit_id", "spans", "segment_ids"}
)
#: Free-text columns, whose min/max statistics no reader filters on; the token lists'
#: cost a seventh of a segments part's write.
_NO_STATISTICS = frozenset(
    {"text", "text_orig", "tokens", "section_title", "section_title_orig", "terms", "spans",
     "segment_ids"}
)  # fmt: skip


def _write_options(schema: pa.Schema) -> dict[str, list[str]]:
    """Per-column Parquet options of a part: the same table is read back, about a fifth
    faster to write (:data:`_NO_DICTIONARY`, :data:`_NO_STATISTICS`; compression is
    left as the default, Snappy).

    Examples
    --------
    >>> schema = pa.schema([("segment_id", pa.string()), ("doc_id", pa.string()),
    ...                     ("tokens", pa.list_(pa.string()))])
    >>> opts = _write_options(schema)
    >>> opts["use_dictionary"], opts["write_statistics"]
    (['doc_id', 'tokens.list.element'], ['segment_id', 'doc_id'])
    """
    leaves = [(f.name, _leaf_path(f)) for f in schema]
    return {
        "use_dictionary": [path for name, path in leaves if name not in _NO_DICTIONARY],
        "write_statistics": [path for name, path in leaves if name not in _NO_STATISTICS],
    }


def _leaf_path(field: pa.Field) -> str:
    # Parquet names a list column's values by the path to its leaf (the compliant
    # nested names pyarrow writes, whatever the Arrow value field is called).
    if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
        return f"{field.name}.list.{_leaf_path(field.type.value_field.with_name('element'))}"
    return field.name


def _write_table(data: pa.Table, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    data = settled_types(data)
    pq.write_table(data, tmp, **_write_options(data.schema))
    os.replace(tmp, path)  # a part is either complete or absent


#: The type of a column that comes out all missing in a part of no rows (Arrow's ``null``
#: type) when it is not text; text columns are ``large_string`` (:func:`settled_types`).
_EMPTY_TYPES = {"line_no": pa.int64()}


def settled_types(data: pa.Table) -> pa.Table:
    """``data`` with the column types every part of its table has, whatever its rows.

    pandas hands Arrow a column of nothing but missing values (``dup_of`` in a part
    without duplicates, every column of an empty ``removed`` part, a metadata column no
    file of a part has) as the ``null`` type, and text as ``string`` or ``large_string``
    by its dtype. Parts of one table with different types cannot be read as one dataset
    (``pandas.read_parquet(out / "documents")`` refused a string part after a null one), so
    a null column is written as text (in an empty part as its own type,
    :data:`_EMPTY_TYPES`) and all text as ``large_string``. Each part reads back into pandas
    as before.

    Examples
    --------
    >>> t = pa.table({"dup_of": pa.nulls(2), "doc_id": pa.array(["a", "b"], pa.string())})
    >>> settled_types(t).schema.types
    [DataType(large_string), DataType(large_string)]
    >>> empty = pa.table({"line_no": pa.nulls(0), "rule": pa.nulls(0)})
    >>> settled_types(empty).schema.types
    [DataType(int64), DataType(large_string)]
    """
    fields = []
    for f in data.schema:
        kind = f.type
        if pa.types.is_null(kind):
            kind = _EMPTY_TYPES.get(f.name, pa.large_string()) if not data.num_rows else (
                pa.large_string())
        elif pa.types.is_string(kind):
            kind = pa.large_string()
        fields.append(f.with_type(kind))
    schema = pa.schema(fields, metadata=data.schema.metadata)
    return data if schema == data.schema else data.cast(schema)


def _table(df: pd.DataFrame, tokens: pa.Array | pa.ChunkedArray | None = None) -> pa.Table:
    data = pa.Table.from_pandas(df, preserve_index=False)
    if tokens is not None:
        # Appended after pandas wrote its metadata: pandas cannot read back the dtype
        # name it records for an Arrow list column (pandas-dev/pandas#57411); without
        # an entry the column reads as it did when written from Python lists.
        data = data.append_column("tokens", tokens)
    return data


#: Where pass 1 keeps each segments part until pass 3 writes it as Parquet, marked
#: (removed as each part is written, and with the folder at the end).
_STAGING = ".staging"

#: Staged parts are written uncompressed when the output's disk has this many times the
#: input's bytes free, else with zstd (:func:`stage_compression`).
STAGE_ROOM = 16


def _staged(out: Path, index: int) -> Path:
    return out / _STAGING / f"segments-{index:05d}.arrow"


def stage_compression(out: Path, input_bytes: int) -> str:
    """How pass 1 stages the segments parts (:func:`_stage`): ``"uncompressed"`` when
    the disk holding ``out`` has :data:`STAGE_ROOM` times ``input_bytes`` free, else
    ``"zstd"``.

    An uncompressed part takes about six times its text's bytes on disk (as in memory),
    a zstd part about as much as the Parquet part; but writing one costs about a tenth
    of the CPU and reading it back next to nothing (memory-mapped), against about as
    much as writing and reading the Parquet part with zstd. Either way the parts read
    back the same.

    Examples
    --------
    >>> stage_compression(Path("."), 0), stage_compression(Path("."), 10**18)
    ('uncompressed', 'zstd')
    """
    free = shutil.disk_usage(out).free
    return "uncompressed" if STAGE_ROOM * input_bytes <= free else "zstd"


def _stage(data: pa.Table, path: Path, compression: str) -> None:
    """Keep a segments part as Arrow IPC until pass 3 (:func:`finish_part`).

    The duplicate marks are known only once every partition is sketched, so a
    segments part cannot be written once and for all in pass 1. Written as Parquet
    there, it was read back and written again in pass 3; staged, it is written as
    Parquet once, and the verification and pass 2, which read two or three of its
    columns, and pass 3, which reads all of them, read it faster. The table read
    back is the one written (schema, metadata and values).
    """
    tmp = path.with_suffix(".tmp")
    feather.write_feather(data, tmp, compression=compression)
    os.replace(tmp, path)


def _read_staged(path: Path, columns: list[str] | None = None) -> pa.Table:
    return feather.read_table(path, columns=columns, memory_map=True)


class ParquetSink:
    """Writes each partition's tables as Parquet parts in ``out_dir`` and marks their
    duplicates there (passes 2 and 3); :func:`build_corpus`'s sink for
    :func:`workbench.engine.drive`. Its :meth:`result` is the :class:`BuildSummary`.

    The settings are :func:`build_corpus`'s, recorded in the manifest; ``codebook`` and
    ``unit`` are those the partitions coded with (``unit=None``: not coded).
    ``staging`` is the compression of the staged segments parts (:func:`stage_compression`).
    ``metadata`` is the user's metadata checked against the whole file list
    (:func:`_checked_metadata`), joined onto each documents part in pass 3, and
    ``metadata_record`` its name and checksum for the manifest.
    """

    def __init__(
        self,
        out_dir: str,
        *,
        codebook: str | None = None,
        unit: str | None = "sentence",
        engine: str | None = None,
        skip_bad: bool = False,
        dup_threshold: float = DUP_THRESHOLD,
        staging: str = "zstd",
        metadata: CheckedMetadata | None = None,
        metadata_record: dict[str, str] | None = None,
    ) -> None:
        self.out_dir, self.staging = out_dir, staging
        self.metadata, self.metadata_record = metadata, metadata_record
        self.settings = {"codebook": codebook, "unit": unit, "engine": engine,
                         "skip_bad": skip_bad, "dup_threshold": dup_threshold}  # fmt: skip

    def write_part(
        self, index: int, tables: FileTables, tokens: pa.Array | pa.ChunkedArray,
        coding: Coding | None,
    ) -> None:  # fmt: skip
        """Pass 1, in the partition's process: write its parts."""
        out = Path(self.out_dir)
        if coding is not None:
            _write(coding.long, out, "codes", index)
            _write(coding.units, out, "units", index)
            # Uncompressed: zlib took 13 ms a part (25 times the plain write) for a file of
            # about 200 KB a part, which load_npz reads the same.
            npz = out / "units" / f"part-{index:05d}.npz"
            sparse.save_npz(npz, coding.matrix, compressed=False)
        _write(tables.documents, out, "documents", index)
        _write(tables.removed, out, "removed", index)
        # With the duplicate columns pass 3 fills, empty (as marking nothing gives);
        # staged, not yet a Parquet part (:func:`_stage`).
        segments = mark_segments(tables.segments, _NO_PARAGRAPHS, {})
        _stage(_table(segments, tokens), _staged(out, index), self.staging)

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], run: Callable[..., list]
    ) -> None:
        self.analysed = parts
        self.files = _write_files(Path(self.out_dir), skipped, parts)
        if self.metadata is not None:
            # Rows matched to a file that was skipped or held no text join onto nothing:
            # said here, once the files are read, as load_corpus says it.
            loaded = sorted({f["file"] for a in parts for f in a.files if f["n_articles"]})
            log_unloaded(self.metadata, pd.DataFrame({"file": loaded}))

    def unit_texts(
        self, sketches: CorpusSketches, threshold: float, run: Callable[..., list]
    ) -> list[_PartTexts]:
        out, analysed = Path(self.out_dir), self.analysed
        return [
            _PartTexts(out, key, [getattr(a.sketches, level) for a in analysed], run)
            for level, key in (("articles", "doc_id"), ("paragraphs", "paragraph_id"))
        ]

    def apply_marks(self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]) -> None:
        """Passes 2 and 3: the canonical paragraphs' sentences, then each part's marks
        and co-occurrence counts."""
        out, analysed = Path(self.out_dir), self.analysed
        self.n_dups = _write_duplicates(out, analysed, art, para)
        canon = _canonical(run, out, analysed, para)
        self.finished = run(
            finish_part, _finish_items(analysed, art, para, canon, self.metadata), desc="finish",
            out_dir=str(out), unit=self.settings["unit"],
        )  # fmt: skip
        self.counts = [m for m, _ in self.finished if m is not None]
        (out / _STAGING).rmdir()  # every staged part is written and gone

    def result(self) -> BuildSummary:
        out, analysed, settings = Path(self.out_dir), self.analysed, self.settings
        cb, unit = settings["codebook"], settings["unit"]
        if unit is not None:
            codes = get_codebook(cb).ids
            _write_cooccurrence(out, codes, sum_counts(self.counts, len(codes)))
        peak_parts = max([a.peak_mb for a in analysed] + [p for _, p in self.finished], default=0.0)
        # Only with --metadata: a build without it records what it always did.
        given = {} if self.metadata_record is None else {"metadata": self.metadata_record}
        return BuildSummary(
            out_dir=config.display_path(out), files=self.files,
            documents=sum(len(a.sketches.articles) for a in analysed),
            segments=sum(a.n_segments for a in analysed), duplicates=self.n_dups,
            parts=len(analysed), peak_rss_mb={"parent": peak_rss_mb(), "partition": peak_parts},
            parameters={"codebook": config.display_path(cb or config.CODEBOOK), "unit": unit,
                        "engine": settings["engine"], "dup_threshold": settings["dup_threshold"],
                        "skip_bad": settings["skip_bad"], **given},
        )  # fmt: skip


# --- pass 2: the canonical paragraphs' sentences ---------------------------------------


def canonical_sentences(
    item: tuple[int, list[str]], *, out_dir: str
) -> dict[str, list[tuple[str, Any]]]:
    """Pass 2: :func:`workbench.corpus.duplicates.sentence_keys` of the given paragraphs
    of one partition."""
    index, pids = item
    table = _read_staged(
        _staged(Path(out_dir), index), columns=["segment_id", "paragraph_id", "text"]
    )
    # Filtered in Arrow: only the given paragraphs' rows become pandas rows.
    wanted = pa.array(sorted(set(pids)), pa.large_string())
    rows = table.filter(pc.is_in(table["paragraph_id"], value_set=wanted))
    return sentence_keys(rows.to_pandas())


# --- pass 3: finish ----------------------------------------------------------------------


@releasing
def finish_part(
    item: tuple[
        int, pd.DataFrame, pd.DataFrame, dict[str, list[tuple[str, Any]]], CheckedMetadata | None
    ],
    *,
    out_dir: str,
    unit: str | None,
) -> tuple[sparse.csr_matrix | None, float]:
    """Pass 3 on one partition: add duplicate marks and the user's metadata (checked
    once in the driver; the partition's files' rows); co-occurrence of its kept units."""
    index, art, para, canon, metadata = item
    out = Path(out_dir)
    staged = _staged(out, index)
    table = _read_staged(staged)
    if len(para):  # else pass 1 staged it with empty duplicate columns, as marking nothing gives
        table = _mark_part(table, para, canon)
    _write_table(table, out / "segments" / _PART.format(index))
    docs = mark_documents(pd.read_parquet(out / "documents" / _PART.format(index)), art)
    if metadata is not None:
        # After the marks, as load_corpus joins onto the marked corpus: the same columns
        # in the same order.
        docs = apply_metadata(docs, metadata)
    _write(docs, out, "documents", index)
    if unit is None:
        del table
        staged.unlink()
        return None, peak_rss_mb()
    dups = _duplicate_segments(table, docs)
    del table
    staged.unlink()
    units = pq.read_table(out / "units" / _PART.format(index), columns=["segment_ids"])
    matrix = sparse.load_npz(out / "units" / f"part-{index:05d}.npz")
    return cooccurrence_counts(matrix, non_duplicate_units(units, dups)), peak_rss_mb()


def _duplicate_segments(table: pa.Table, docs: pd.DataFrame) -> pa.Array:
    """Ids of the segments of a marked segments part that
    :func:`workbench.corpus.duplicate_mask` marks, found in Arrow.

    Examples
    --------
    >>> table = pa.table({"segment_id": ["a/s1", "b/s1", "c/s1"], "doc_id": ["a", "b", "c"],
    ...                   "dup_of": [None, "a/s1", None]})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "dup_of": [None, None, "a"]})
    >>> _duplicate_segments(table, docs).to_pylist()
    ['b/s1', 'c/s1']
    """
    doc_ids = table["doc_id"]
    dup_docs = pa.array(docs.loc[docs["dup_of"].notna(), "doc_id"].tolist(), doc_ids.type)
    dup = pc.or_(pc.is_valid(table["dup_of"]), pc.is_in(doc_ids, value_set=dup_docs))
    return table["segment_id"].filter(dup).combine_chunks()


#: What :func:`workbench.corpus.duplicates.mark_segments` marks in a part without duplicate
#: paragraphs.
_NO_PARAGRAPHS = pd.DataFrame(columns=["id", "dup_of", "kind"])

#: The duplicate columns of a segments part, and the string column whose pandas
#: metadata they take once they hold marks.
_DUP_COLUMNS, _STR_LIKE = ("dup_of", "dup_kind"), "text"


def _mark_part(
    table: pa.Table, para: pd.DataFrame, canon: dict[str, list[tuple[str, Any]]]
) -> pa.Table:
    """A segments part as pass 1 wrote it, marked in Arrow
    (:func:`workbench.corpus.duplicates.mark_segments_table`), with the schema metadata
    that writing :func:`workbench.corpus.duplicates.mark_segments`' frame of the part
    would give: only the two duplicate columns change, the part is never converted to
    pandas and back.

    Examples
    --------
    >>> segs = pd.DataFrame({"segment_id": ["a/p1/s1", "b/p1/s1", "b/p1/s2"],
    ...                      "paragraph_id": ["a/p1", "b/p1", "b/p1"],
    ...                      "text": ["干部", "干部", "群众"]})
    >>> pass1 = pa.Table.from_pandas(mark_segments(segs, _NO_PARAGRAPHS, {}), preserve_index=False)
    >>> para = pd.DataFrame({"id": ["b/p1"], "dup_of": ["a/p1"], "kind": ["near"]})
    >>> canon = sentence_keys(segs[segs["paragraph_id"] == "a/p1"])
    >>> marked = _mark_part(pass1, para, canon)
    >>> marked.column("dup_of").to_pylist(), marked.column("dup_kind").to_pylist()
    ([None, 'a/p1/s1', 'a/p1'], [None, 'near', 'near'])
    >>> whole = mark_segments(segs, para, {**sentence_keys(segs), **canon})
    >>> marked.equals(pa.Table.from_pandas(whole, preserve_index=False), check_metadata=True)
    True
    """
    # The partition's duplicate paragraphs' sentences, and their canonical ones (pass 2).
    wanted = pa.array(sorted(set(para["id"].tolist())), pa.large_string())
    dup_rows = table.filter(pc.is_in(table["paragraph_id"], value_set=wanted))
    keyed = dup_rows.select(["paragraph_id", "segment_id", "text"]).to_pandas()
    table = mark_segments_table(table, para, {**sentence_keys(keyed), **canon})
    return table.replace_schema_metadata(_marked_metadata(table.schema.metadata))


def _marked_metadata(metadata: dict[bytes, bytes] | None) -> dict[bytes, bytes] | None:
    """Pass 1's schema metadata with the duplicate columns' pandas entries as
    :meth:`pyarrow.Table.from_pandas` records them once they hold strings (those of a
    string column); the rest is unchanged."""
    if not metadata or b"pandas" not in metadata:
        return metadata
    meta = json.loads(metadata[b"pandas"])
    entries = {c["name"]: c for c in meta["columns"]}
    like = entries[_STR_LIKE]
    meta["columns"] = [
        {**like, "name": c["name"], "field_name": c["field_name"]}
        if c["name"] in _DUP_COLUMNS else c
        for c in meta["columns"]
    ]  # fmt: skip
    return {**metadata, b"pandas": json.dumps(meta).encode("utf8")}


# --- the driver ------------------------------------------------------------------------


class _PartTexts:
    """Unit texts read back from the written segments parts, for verification.

    The parent holds only sketches; the units that a candidate pair or an equal
    hash involves are read from their partitions' parts, each part once per call
    (:func:`workbench.corpus.dedup.duplicates_from_sketches` asks for them in a few
    large calls), by the pool's workers in parallel (:func:`unit_texts_part`),
    which also normalise them: the parent receives two arrays per part.
    """

    def __init__(self, out: Path, key: str, levels: list[Sketches], run: Callable) -> None:
        self.out, self.key, self.run = out, key, run
        self.starts = np.cumsum([0, *(len(sk) for sk in levels)])
        self.ids = [sk.ids for sk in levels]

    def __call__(self, positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
        pos = np.asarray(positions, dtype=np.int64)
        if not len(pos):
            return np.zeros(0, dtype=np.uint16), np.zeros(1, dtype=np.int64)
        part_of = np.searchsorted(self.starts, pos, side="right") - 1
        order = np.argsort(part_of, kind="stable")  # grouped by part, as asked within one
        grouped, parts = pos[order], part_of[order]
        cuts = np.flatnonzero(np.r_[True, parts[1:] != parts[:-1], True])
        items = []
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            part = int(parts[lo])
            local = (grouped[lo:hi] - self.starts[part]).tolist()
            items.append((part, self.ids[part].take(local).to_pylist()))
        got = self.run(
            unit_texts_part, items, desc=f"verify: read {self.key}",
            out_dir=str(self.out), column=self.key,
        )  # fmt: skip
        # The driving process read parts too (a pool's driver runs tasks): give back
        # what Arrow kept of them before the duplicate search holds its texts.
        release_memory(parent=True)
        cps = np.concatenate([np.zeros(0, dtype=np.uint16), *(c for c, _ in got)])
        lengths = np.concatenate([np.zeros(0, dtype=np.int64), *(np.diff(o) for _, o in got)])
        offsets = offsets_from_lengths(lengths)
        if (order == np.arange(len(order))).all():
            return cps, offsets
        # Back to the order asked: text k of the grouped order is positions[order[k]].
        return gather_texts(cps, offsets, np.argsort(order))


@releasing
def unit_texts_part(
    item: tuple[int, list[str]], *, out_dir: str, column: str
) -> tuple[np.ndarray, np.ndarray]:
    """The texts of the given units (ids in ``column``) of one partition,
    normalised for matching (:func:`workbench.corpus.dedup.normalise_texts`), in the order
    asked."""
    index, ids = item
    table = _read_staged(_staged(Path(out_dir), index), columns=[column, "text"])
    # Filter in Arrow: only the wanted units' rows become Python strings.
    wanted = pa.array(sorted(set(ids)), type=pa.string())
    table = table.filter(pc.is_in(table[column], value_set=wanted))
    joined = _unit_texts(table[column].combine_chunks(), table["text"].combine_chunks())
    return normalise_texts([joined[i] for i in ids])


def _unit_texts(keys: pa.Array, text: pa.Array) -> dict[str, str]:
    """Each unit's segment texts joined in row order, by unit id (``keys`` per row).

    A unit's segments are consecutive rows, so each run of equal keys is joined in
    Arrow (at 1 GB the rows are millions; a Python loop over them took seconds).

    Examples
    --------
    >>> _unit_texts(pa.array(["a", "a", "b"]), pa.array(["干部", "群众", "关系"]))
    {'a': '干部群众', 'b': '关系'}
    """
    if not len(keys):
        return {}
    change = pc.not_equal(keys[1:], keys[:-1]).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.concatenate([[True], change]))
    run_keys = keys.take(pa.array(starts)).to_pylist()
    if len(set(run_keys)) < len(run_keys):  # a unit's rows not consecutive: never expected
        joined: dict[str, list[str]] = {}
        for unit, t in zip(keys.to_pylist(), text.to_pylist(), strict=True):
            joined.setdefault(unit, []).append(t)
        return {unit: "".join(parts) for unit, parts in joined.items()}
    bounds = pa.array(np.append(starts, len(keys)).astype(np.int32))
    runs = pc.binary_join(pa.ListArray.from_arrays(bounds, text), pa.scalar("", text.type))
    return dict(zip(run_keys, runs.to_pylist(), strict=True))


def build_corpus(
    inputs: Any = None,
    out_dir: str | os.PathLike = config.PROCESSED_DIR / "corpus",
    *,
    workers: int | None = None,
    scheduler: Any = None,
    codebook: str | os.PathLike | None = None,
    unit: str | None = "sentence",
    engine: str | None = None,
    skip_bad: bool = False,
    progress: bool | None = None,
    run: Callable[..., list] | None = None,
    dup_threshold: float = DUP_THRESHOLD,
    pool: Workers | None = None,
    metadata: str | os.PathLike | pd.DataFrame | None = None,
) -> BuildSummary:
    """Run the whole pipeline over ``inputs`` and write its tables as Parquet parts.

    Parameters
    ----------
    inputs : paths, optional
        Files, folders, globs or zips (default: the bundled seeds).
    out_dir : path
        Output folder: new, empty or a previous build, which the new build replaces
        once it is complete. The tables are written in a hidden folder beside it
        (``.<name>.partial``) until then, so a build that fails or is interrupted
        leaves ``out_dir`` as it was (and needs room for both builds on the disk).
    workers, scheduler
        Where partitions run (:func:`workbench.engine.drive`). On a Dask cluster,
        ``out_dir`` and the inputs must be paths every worker can read and write (a
        shared file system).
    codebook : path, optional
        Codebook file (default :data:`workbench.config.CODEBOOK`).
    unit : str or None
        Coding unit; ``None`` skips coding and co-occurrence.
    engine : {"rjieba", "jieba"}, optional
        Word segmentation engine (:func:`workbench.corpus.tokens.tokenize`).
    skip_bad : bool
        Record unreadable files in ``files.parquet`` instead of raising.
    progress : bool, optional
        Progress bars over partitions; by default only for large corpora on an
        interactive terminal or in Jupyter, never under CI.
    run : callable, optional
        A started :func:`workbench.pipeline.runner` to use instead of starting one
        from ``workers`` and ``scheduler`` (which then only size the partitions).
    dup_threshold : float, default :data:`workbench.corpus.dedup.DUP_THRESHOLD`
        Jaccard similarity at which articles and paragraphs are near duplicates.
    pool : workbench.engine.Workers, optional
        Local workers started already (:func:`workbench.engine.spawn_workers`, warmed up
        with :func:`workbench.pipeline.warm_up`) that run partitions with this process,
        instead of ``workers - 1`` started here.
    metadata : path or DataFrame, optional
        User metadata keyed by ``file``, joined onto the documents table as
        :func:`workbench.corpus.load_corpus` joins it
        (:func:`workbench.corpus.metadata.join_metadata`). Checked against every file
        found before anything is written; its name and SHA-256 are recorded in the
        manifest's parameters.

    Returns
    -------
    BuildSummary

    Raises
    ------
    workbench.corpus.metadata.MetadataError
        The metadata cannot be joined (the message names the file, row or column);
        ``out_dir`` is left as it was.
    """
    out = Path(out_dir)
    # Inputs first: a mistyped input must not cost the previous build in ``out``.
    found = gather_sources(inputs, skip_bad=skip_bad, progress=progress)
    cb = None if codebook is None else os.fspath(codebook)
    if unit is not None:
        # And a codebook that cannot be read must not leave an empty skeleton in ``out``
        # (the parent needs the codebook's ids for the co-occurrence table anyway).
        get_codebook(cb)
    # And so is the metadata checked, against the whole file list: a partition sees only
    # its own files, and a name that matches none must be reported once, as load_corpus does.
    checked, record = _checked_metadata(metadata, found)
    work = _prepare(out)
    try:
        input_bytes = sum(getattr(ref, "size", 0) for ref in found.files)
        sink = ParquetSink(
            str(work), codebook=cb, unit=unit, engine=engine, skip_bad=skip_bad,
            dup_threshold=dup_threshold, staging=stage_compression(work, input_bytes),
            metadata=checked, metadata_record=record,
        )  # fmt: skip
        summary = drive(
            found, sink, analyse=words_and_codes(codebook=cb, unit=unit, engine=engine),
            warm_up=warm_up, workers=workers, scheduler=scheduler, run=run,
            skip_bad=skip_bad, dup_threshold=dup_threshold, desc="analyse", pool=pool,
        )  # fmt: skip
        summary = replace(summary, out_dir=config.display_path(out))
        manifest = {k: v for k, v in asdict(summary).items() if k != "peak_rss_mb"}
        # Which workbench made the build, as every other derived file records it (the
        # inputs' checksums are in files.parquet; the parameters are above).
        manifest["workbench_version"] = __version__
        (work / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    except BaseException:
        # An unreadable file met halfway, a worker's failure, Ctrl-C: nothing half-built
        # is left, and ``out`` (a previous build, say) is as it was.
        shutil.rmtree(work, ignore_errors=True)
        raise
    _publish(work, out)
    return summary


#: The segments columns a metadata column must not be named as: a pipeline's segments
#: parts also hold the words (``tokens``).
_SEGMENT_PART_COLUMNS = (*SEGMENT_COLUMNS, "tokens")


def _checked_metadata(
    source: str | os.PathLike | pd.DataFrame | None, found: Sources
) -> tuple[CheckedMetadata | None, dict[str, str] | None]:
    """The user's metadata checked against every file found (before any is read), and
    its name and SHA-256 for the manifest; ``(None, None)`` without metadata.

    The documents table is not built yet, so the check sees its column names and the
    file names only (:func:`workbench.corpus.metadata.check_metadata` with
    ``joined=False``): a column named as a documents column is refused even where its
    values happen to equal the corpus's.

    Examples
    --------
    >>> found = gather_sources(progress=False)  # the bundled seeds
    >>> meta = pd.DataFrame({"file": [found.files[0].name], "genre": ["报告"]})
    >>> checked, record = _checked_metadata(meta, found)
    >>> checked.table.columns.tolist(), record["path"], len(record["sha256"])
    (['file', 'genre'], 'metadata table', 64)
    """
    if source is None:
        return None, None
    from workbench.provenance import sha256_bytes, sha256_file

    files = pd.DataFrame({"file": [ref.name for ref in found.files]})
    checked = check_metadata(
        source, files.reindex(columns=DOCUMENT_COLUMNS),
        segment_columns=_SEGMENT_PART_COLUMNS, joined=False,
    )  # fmt: skip
    if isinstance(source, pd.DataFrame):
        data = source.to_csv(index=False).encode("utf-8")
        return checked, {"path": checked.name, "sha256": sha256_bytes(data)}
    return checked, {"path": config.display_path(source), "sha256": sha256_file(source)}


def _write_files(out: Path, skipped: list[Any], analysed: list[PartitionResult]) -> int:
    files = pd.DataFrame(
        [r.info for r in skipped] + [f for a in analysed for f in a.files],
        columns=FILE_COLUMNS,
    )
    files = files.sort_values("path", kind="stable").reset_index(drop=True)
    files.to_parquet(out / "files.parquet", index=False)
    return len(files)


def _write_duplicates(
    out: Path, analysed: list[PartitionResult], art: pd.DataFrame, para: pd.DataFrame
) -> int:
    # Ids start with their file's stem, and stems are unique (gather_sources).
    by_stem = {id_stem(f["file"]): f["file"] for a in analysed for f in a.files}
    found = pd.concat([art["id"], art["dup_of"], para["id"], para["dup_of"]])
    file_of = {i: by_stem[i.split("/", 1)[0]] for i in found.tolist()}
    duplicates = pd.concat(
        [duplicates_table("article", art, file_of), duplicates_table("paragraph", para, file_of)],
        ignore_index=True,
    )
    duplicates.to_parquet(out / "duplicates.parquet", index=False)
    return len(duplicates)


def _canonical(
    run: Any, out: Path, analysed: list[PartitionResult], para: pd.DataFrame
) -> dict[str, list[tuple[str, Any]]]:
    # Pass 2 only visits partitions holding a canonical paragraph.
    needed = pa.array(sorted(set(para["dup_of"])), pa.large_string())
    wanted: dict[int, list[str]] = {}
    for a in analysed:
        ids = a.sketches.paragraphs.ids
        mine = ids.filter(pc.is_in(ids, value_set=needed)).to_pylist()
        if mine:
            wanted[a.index] = mine
    canon: dict[str, list[tuple[str, Any]]] = {}
    items = sorted(wanted.items())
    for found in run(canonical_sentences, items, desc="canonical", out_dir=str(out)):
        canon.update(found)
    return canon


def _finish_items(
    analysed: list[PartitionResult],
    art: pd.DataFrame,
    para: pd.DataFrame,
    canon: dict[str, list[tuple[str, Any]]],
    metadata: CheckedMetadata | None = None,
) -> list[
    tuple[int, pd.DataFrame, pd.DataFrame, dict[str, list[tuple[str, Any]]], CheckedMetadata | None]
]:
    arts = _by_partition(art, [a.sketches.articles for a in analysed])
    paras = _by_partition(para, [a.sketches.paragraphs for a in analysed])
    items = []
    for a, mine_art, mine_para in zip(analysed, arts, paras, strict=True):
        need = {of: canon[of] for of in dict.fromkeys(mine_para["dup_of"])}
        # Only the partition's files' metadata rows travel to the process that joins them.
        meta = None if metadata is None else metadata.for_files(f["file"] for f in a.files)
        items.append((a.index, mine_art, mine_para, need, meta))
    return items


def _by_partition(found: pd.DataFrame, levels: list[Sketches]) -> list[pd.DataFrame]:
    """The rows of ``found`` (units named by ``id``) that fall in each partition, whose
    units are ``levels``, in their order (``found[found["id"].isin(partition's ids)]``).

    One lookup of every id among all the units, instead of a set of each partition's
    ids and a pass over ``found`` per partition (partitions times duplicates).

    Examples
    --------
    >>> from workbench.corpus.dedup import sketch_units
    >>> levels = [sketch_units(["a", "b"], ["", ""]), sketch_units(["c"], [""])]
    >>> found = pd.DataFrame({"id": ["c", "b", "x"], "dup_of": ["a", "a", "a"]})
    >>> [part["id"].tolist() for part in _by_partition(found, levels)]
    [['b'], ['c']]
    """
    starts = np.cumsum([0, *(len(sk) for sk in levels)])
    typed = [sk.ids for sk in levels if len(sk)]
    if not typed or not len(found):
        return [found.iloc[:0] for _ in levels]
    every = pa.concat_arrays(typed)
    ids = pa.array(found["id"].tolist(), type=every.type)
    pos = pc.fill_null(pc.index_in(ids, value_set=every), -1).to_numpy()
    part = np.where(pos >= 0, np.searchsorted(starts, pos, side="right") - 1, -1)
    order = np.argsort(part, kind="stable")  # each partition's rows, in found's order
    bounds = np.searchsorted(part[order], np.arange(len(levels) + 1))
    return [found.iloc[order[lo:hi]] for lo, hi in pairwise(bounds.tolist())]


def _write_cooccurrence(out: Path, codes: list[str], total: sparse.csr_matrix) -> None:
    cooc = pd.DataFrame(total.toarray(), index=pd.Index(codes, name="code"), columns=codes)
    cooc.reset_index().to_parquet(out / "cooccurrence.parquet", index=False)


def partial_dir(out: Path) -> Path:
    """The folder a build of ``out`` is written in until it is complete (:func:`_publish`):
    hidden, beside ``out``, so on the same file system (and shared where ``out`` is)."""
    out = out.resolve()  # "." has no name to put beside it
    return out.with_name(f".{out.name}.partial")


def _prepare(out: Path) -> Path:
    """Refuse an ``out`` that is not a previous build, and make the empty working folder
    (:func:`partial_dir`; one left by a run that was killed is removed first).

    The tables are written there and moved to ``out`` only once every one is written, so
    that ``out`` holds a complete build or none: a build stopped halfway (an unreadable
    file, Ctrl-C) had already emptied the previous build and left a folder of some parts,
    which ``workbench kwic --corpus`` then called "not a segments table".
    """
    # Only a previous build's folder is replaced: never delete a folder we did not write.
    previous = (out / "manifest.json").exists() or (out / "segments").exists()
    if out.exists() and any(out.iterdir()) and not previous:
        raise FileExistsError(
            f"{out}: folder exists and is not a previous build; choose an empty or new folder"
        )
    work = partial_dir(out)
    try:
        if work.exists():
            shutil.rmtree(work)
        for table in (*PART_TABLES, _STAGING):
            (work / table).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        # Named as the user wrote it: the error named the hidden working folder.
        raise PermissionError(
            f"{out}: the output folder cannot be written there ({err.strerror}); "
            "choose a folder you can write to"
        ) from None
    return work


def _publish(work: Path, out: Path) -> None:
    """Put the complete build in ``work`` in the place of ``out`` (a previous build, an
    empty folder or nothing): two renames, then the previous build is removed."""
    out = out.resolve()
    old = out.with_name(f".{out.name}.previous")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(work, out)
    if old.exists():
        shutil.rmtree(old)


def read_table(out_dir: str | os.PathLike, table: str) -> pd.DataFrame:
    """Read one table of a build back into pandas, parts concatenated in corpus order.

    Parameters
    ----------
    out_dir : path
        A folder written by :func:`build_corpus`.
    table : str
        One of :data:`PART_TABLES` or ``"files"``, ``"duplicates"``, ``"cooccurrence"``.

    Raises
    ------
    FileNotFoundError
        When the folder holds no such table.
    """
    out = Path(out_dir)
    if table in PART_TABLES:
        paths = sorted((out / table).glob("part-*.parquet"))
        if not paths:
            raise FileNotFoundError(f"{out / table}: no parts; run build_corpus first")
        return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    path = out / f"{table}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such table in this build")
    return pd.read_parquet(path)
