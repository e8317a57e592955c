"""The whole pipeline in memory: the corpus with words, codes and code co-occurrence.

The corpus is built by the one driver, :func:`workbench.engine.drive` (serially, in
processes or on Dask, tables identical whatever the mode); this module adds the
pipeline's work per partition — segment words (:mod:`workbench.corpus.tokens`) and apply
the codebook at the chosen unit (:mod:`workbench.coding.coder`):
:func:`analyse_segments` — and the sink that keeps it all, :class:`MemorySink`, which
counts each partition's code co-occurrences over its non-duplicate units once the
duplicates are marked corpus-wide, and sums them (:func:`sum_counts`).
:func:`workbench.stream.build_corpus` runs the same analysis into Parquet parts.

Examples
--------
>>> from workbench.pipeline import run_pipeline
>>> res = run_pipeline()                       # the bundled seeds, serially
>>> len(res.tokens) == len(res.corpus.segments)
True
>>> res.tokens.iloc[0][:3]
['密切', '联系群众', '是']
>>> res.cooccurrence.shape == (len(res.coding.codes), len(res.coding.codes))
True
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

import workbench.engine
from workbench.coding.coder import Coding, code_segments
from workbench.corpus import SEGMENT_COLUMNS, Corpus, FileTables, gather_sources
from workbench.corpus.dedup import DUP_THRESHOLD
from workbench.corpus.load import check_options
from workbench.engine import CorpusSink, PartitionResult, drive
from workbench.network.measures import cooccurrence_counts


def warm_up(_: Any = None) -> int:
    """Load the word segmenter, OpenCC and the default codebook in this process.

    The pools of :func:`runner` (and of :func:`run_pipeline` and
    :func:`workbench.stream.build_corpus`) run it when a worker starts, so the seconds
    it takes are spent once per worker, before its first partition. Returns the
    process id (so a caller can tell the workers apart).

    Examples
    --------
    >>> warm_up() > 0
    True
    """
    from workbench.corpus.script import to_simplified
    from workbench.corpus.tokens import tokenize

    tokenize("预热")
    to_simplified("預熱")
    get_codebook(None)
    return os.getpid()


def runner(
    workers: int | None = None, scheduler: Any = None, progress: bool = False, warm: bool = False
) -> AbstractContextManager[Callable[..., list]]:
    """:func:`workbench.engine.runner` whose workers warm up for the pipeline
    (:func:`warm_up`): the ``run`` to pass to :func:`run_pipeline` and
    :func:`workbench.stream.build_corpus` for several runs on one pool.

    Examples
    --------
    >>> with runner() as run:
    ...     run(sum, [[1, 2], [3]]), run(len, [[1, 2], [3]])
    ([3, 3], [2, 1])
    """
    return workbench.engine.runner(workers, scheduler, progress, warm=warm, warm_up=warm_up)


def get_codebook(path: str | None):
    """:func:`workbench.coding.codebook.load_codebook` of ``path`` (default codebook when
    ``None``), imported only when a partition codes; loaded once per process for each
    version of the file.

    The file's modification time and size are part of the key: cached by path alone, a
    codebook edited in a Jupyter session was ignored by every later run in that kernel
    (and in a kept :func:`runner` pool), which coded with the first version read.
    """
    try:
        stat = os.stat(path) if path is not None else None
    except OSError:  # load_codebook says what is wrong with the path
        stat = None
    stamp = None if stat is None else (stat.st_mtime_ns, stat.st_size)
    return _codebook_version(path, stamp)


@functools.cache
def _codebook_version(path: str | None, stamp: tuple[int, int] | None):
    from workbench.coding.codebook import load_codebook

    return load_codebook(path)


def analyse_segments(
    segs: pd.DataFrame,
    *,
    tokens: bool = True,
    codebook: str | None = None,
    unit: str | None = "sentence",
    engine: str | None = None,
    terms: Sequence[str] = (),
) -> tuple[pa.Array | pa.ChunkedArray, Coding | None]:
    """Tokens and coding of one partition's segments table: the pipeline's work per
    partition (``analyse`` of :func:`workbench.engine.drive`; see :func:`words_and_codes`).

    Parameters
    ----------
    segs : DataFrame
        The partition's segments (:attr:`workbench.corpus.Corpus.segments` columns).
    tokens : bool
        Segment every sentence's Simplified text with :func:`workbench.corpus.tokens.tokenize`;
        the tokens are an Arrow array of lists (:func:`workbench.corpus.tokens.token_array`),
        empty when false.
    codebook : str, optional
        Codebook path (default :data:`workbench.config.CODEBOOK`); loaded once per process.
    unit : str or None
        Coding unit (see :func:`workbench.coding.coder.code_segments`); ``None``
        skips coding. Units never span files, so partitions code independently.
    engine : {"rjieba", "jieba"}, optional
        Segmentation engine (default :data:`workbench.corpus.tokens.DEFAULT_ENGINE`; see
        :func:`workbench.corpus.tokens.tokenize`).
    terms : sequence of str
        Terms the submitting process added to its tokenizer
        (:func:`workbench.corpus.tokens.added_terms`), replayed here so a worker
        segments exactly as the serial run would.

    Examples
    --------
    >>> from workbench.corpus import load_corpus
    >>> segs = load_corpus().segments.head(3)
    >>> toks, coding = analyse_segments(segs)
    >>> len(toks), coding.matrix.shape[0] == len(coding.units)
    (3, True)
    """
    from workbench.corpus.duplicates import segment_texts
    from workbench.corpus.tokens import sync_terms, token_array, tokenize_to_array

    sync_terms(terms)
    toks = token_array([])
    if tokens:
        # The strings the coding and the sketches take too (converted once), unless
        # missing texts must reach the tokenizer as they are.
        text = segs["text"]
        toks = tokenize_to_array(text.tolist() if text.hasnans else segment_texts(segs), engine)
    coding = None if unit is None else code_segments(segs, get_codebook(codebook), unit)
    return toks, coding


def words_and_codes(
    *,
    tokens: bool = True,
    codebook: str | None = None,
    unit: str | None = "sentence",
    engine: str | None = None,
) -> Callable[[pd.DataFrame], tuple[pa.Array | pa.ChunkedArray, Coding | None]]:
    """:func:`analyse_segments` with these settings and this process's added terms, as
    the ``analyse`` of :func:`workbench.engine.drive` (picklable, for workers).

    Examples
    --------
    >>> words_and_codes(unit=None).keywords["unit"] is None
    True
    """
    from workbench.corpus.tokens import added_terms

    return functools.partial(
        analyse_segments, tokens=tokens, codebook=codebook, unit=unit, engine=engine,
        terms=added_terms(),
    )  # fmt: skip


def merge_codings(parts: Sequence[Coding], codes: list[str], unit: str) -> Coding:
    """Concatenate partitions' codings (units never span partitions) in order.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> cb = load_codebook()
    >>> merged = merge_codings([], cb.ids, "sentence")
    >>> merged.matrix.shape == (0, len(cb.ids))
    True
    """
    if not parts:
        empty = code_segments(pd.DataFrame(columns=SEGMENT_COLUMNS[:-2]), get_codebook(None), unit)
        return Coding(empty.long, empty.matrix, empty.units, codes, unit)
    long = pd.concat([p.long for p in parts], ignore_index=True)
    units = pd.concat([p.units for p in parts], ignore_index=True)
    matrix = sparse.vstack([p.matrix for p in parts], format="csr")
    return Coding(long=long, matrix=matrix, units=units, codes=codes, unit=unit)


def cooccurrence(coding: Coding, keep: np.ndarray | None = None) -> sparse.csr_matrix:
    """Code × code counts of units having both codes (diagonal: units with the code).

    ``keep`` is a boolean mask over units (e.g. not duplicates). The counting is
    :func:`workbench.network.measures.cooccurrence_counts` on ``coding.matrix``.

    Examples
    --------
    >>> m = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=np.int8))
    >>> cooccurrence(Coding(None, m, None, ["a", "b", "c"], "sentence")).toarray()
    array([[3, 2, 1],
           [2, 2, 1],
           [1, 1, 1]])
    """
    return cooccurrence_counts(coding.matrix, keep)


@dataclass
class PipelineResult:
    """The whole pipeline's output.

    Attributes
    ----------
    corpus : Corpus
        Tables with duplicates marked corpus-wide.
    tokens : Series
        jieba tokens of each segment's ``text``, aligned with ``corpus.segments``
        (empty when not segmented). Arrow-backed (``list<string>``): an element
        is a list of str, ``tokens.tolist()`` gives lists, and the tokens take
        about a tenth of the memory of Python lists of str.
    coding : Coding or None
        The codebook applied at the chosen unit, over all segments.
    cooccurrence : scipy.sparse.csr_matrix or None
        Code × code counts over units whose first segment is not a duplicate.
    """

    corpus: Corpus
    tokens: pd.Series
    coding: Coding | None
    cooccurrence: sparse.csr_matrix | None

    def __repr__(self) -> str:
        """What a notebook shows for the result: one line per part, in counts.

        The dataclass's default printed every table of the corpus and the coding.

        Examples
        --------
        >>> m = sparse.csr_matrix(np.array([[1, 0]], dtype=np.int8))
        >>> counts = sparse.csr_matrix(np.array([[1, 0], [0, 0]], dtype=np.int64))
        >>> toks = pd.Series([["干部"]])
        >>> print(PipelineResult(None, toks, Coding(None, m, None, ["a", "b"], "sentence"), counts))
        PipelineResult
          corpus: None
          tokens: 1 segments, 1 tokens
          coding: Coding: 1 sentence units x 2 codes, 1 units coded, 1 codes assigned
          cooccurrence: 2 x 2 code counts (1 non-zero cells)
        """
        n_tokens = int(self.tokens.map(len).sum()) if len(self.tokens) else 0
        counts = self.cooccurrence
        shown = (
            "None" if counts is None
            else f"{counts.shape[0]} x {counts.shape[1]} code counts "
            f"({counts.nnz} non-zero cells)"
        )  # fmt: skip
        return "\n".join([
            "PipelineResult", f"  corpus: {self.corpus!r}",
            f"  tokens: {len(self.tokens)} segments, {n_tokens} tokens",
            f"  coding: {self.coding!r}", f"  cooccurrence: {shown}",
        ])  # fmt: skip


def _token_series(parts: Sequence[pa.Array | pa.ChunkedArray]) -> pd.Series:
    """One Series of the partitions' token lists, without a Python object per token."""
    from workbench.corpus.tokens import TOKENS_TYPE

    chunks = [c for p in parts for c in getattr(p, "chunks", [p])]
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks, TOKENS_TYPE)))


def non_duplicate_units(
    units: pd.DataFrame | pa.Table, dup_segments: set[str] | pa.Array | pa.ChunkedArray
) -> np.ndarray:
    """Boolean mask over coding ``units``: True where the unit's first segment is not
    a duplicate (one of ``dup_segments``).

    In Arrow (a Python split per unit was most of a partition's co-occurrence time).

    Examples
    --------
    >>> units = pd.DataFrame({"segment_ids": ["a/s1 a/s2", "b/s1", "c/s1 b/s1"]})
    >>> non_duplicate_units(units, {"b/s1"}).tolist()
    [True, False, True]
    """
    ids = units["segment_ids"]
    if not len(ids):  # an empty part's column may not even be typed as strings
        return np.ones(0, dtype=bool)
    if not isinstance(ids, pa.Array | pa.ChunkedArray):
        ids = pa.array(ids, type=pa.large_string(), from_pandas=True)
    if isinstance(dup_segments, pa.Array | pa.ChunkedArray):
        dups = dup_segments
    else:
        dups = pa.array(sorted(dup_segments), type=pa.large_string())
    if isinstance(dups, pa.ChunkedArray):
        dups = dups.combine_chunks()
    first = pc.list_element(pc.split_pattern(ids, " ", max_splits=1), 0)
    dup = pc.is_in(first, value_set=dups.cast(first.type))
    return ~np.asarray(dup.to_numpy(zero_copy_only=False), dtype=bool)


class MemorySink(CorpusSink):
    """Keeps every partition's tables, tokens and coding, counts each partition's code
    co-occurrences once duplicates are marked, and returns them as one
    :class:`PipelineResult` (:func:`run_pipeline`'s sink for :func:`workbench.engine.drive`).

    Parameters
    ----------
    skip_bad, dup_threshold
        As for :class:`workbench.engine.CorpusSink`.
    codebook : str, optional
        The codebook the partitions coded with (default :data:`workbench.config.CODEBOOK`).
    unit : str or None
        Their coding unit; ``None``: not coded, no co-occurrence.
    """

    def __init__(
        self,
        *,
        skip_bad: bool = False,
        dup_threshold: float = DUP_THRESHOLD,
        codebook: str | None = None,
        unit: str | None = "sentence",
    ) -> None:
        super().__init__(skip_bad=skip_bad, dup_threshold=dup_threshold)
        self.codebook, self.unit = codebook, unit

    def write_part(
        self, index: int, tables: FileTables, tokens: pa.Array | pa.ChunkedArray,
        coding: Coding | None,
    ) -> tuple[FileTables, pa.Array | pa.ChunkedArray, Coding | None]:  # fmt: skip
        return tables, tokens, coding

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], run: Callable[..., list]
    ) -> None:
        super().collect([dataclasses.replace(p, kept=p.kept[0]) for p in parts], skipped, run)
        self.tokens = _token_series([p.kept[1] for p in parts])
        self.codings = [p.kept[2] for p in parts]

    def apply_marks(self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]) -> None:
        super().apply_marks(art, para, run)
        if self.unit is None:
            return
        corpus = self.corpus
        dups = set(corpus.segments.loc[corpus.duplicate_mask(), "segment_id"])
        self.counts = [cooccurrence(c, non_duplicate_units(c.units, dups)) for c in self.codings]

    def result(self) -> PipelineResult:
        corpus, toks, unit = self.corpus, self.tokens, self.unit
        if unit is None:
            return PipelineResult(corpus, toks, None, None)
        codes = get_codebook(self.codebook).ids
        coding = merge_codings(self.codings, codes, unit)
        return PipelineResult(corpus, toks, coding, sum_counts(self.counts, len(codes)))


def sum_counts(parts: Sequence[sparse.csr_matrix], n_codes: int) -> sparse.csr_matrix:
    """The corpus's code co-occurrence counts: the sum of its partitions' (units never
    span partitions), ``int64``.

    Examples
    --------
    >>> m = sparse.csr_matrix(np.array([[1, 1], [1, 2]], dtype=np.int64))
    >>> sum_counts([m, m], 2).toarray(), sum_counts([], 2).toarray()
    (array([[2, 2],
           [2, 4]]), array([[0, 0],
           [0, 0]]))
    """
    total = sparse.csr_matrix((n_codes, n_codes), dtype=np.int64)
    for m in parts:
        total = total + m
    return total


def check_pipeline_options(
    *, codebook: str | os.PathLike | None, unit: str | None, engine: str | None
) -> str | None:
    """Refuse a unit or engine that does not exist and load the codebook, before any file
    is read; return the codebook's path as a str (``None``: the default codebook).

    Each failed only when the first partition was coded, after its files were read (on
    a large corpus, minutes in), and a unit typed wrong was not told the one meant.

    Raises
    ------
    TypeError
        ``codebook`` is neither a path nor ``None``.
    ValueError
        An unknown ``unit`` or ``engine`` (with the closest name).
    FileNotFoundError, workbench.coding.codebook.CodebookError
        The codebook does not exist or has mistakes.

    Examples
    --------
    >>> check_pipeline_options(codebook=None, unit="paragraph", engine=None) is None
    True
    >>> check_pipeline_options(codebook=None, unit="sentance", engine=None)
    Traceback (most recent call last):
    ...
    ValueError: unit must be one of 'sentence', 'paragraph', 'section', 'article' or None (no coding), not 'sentance' (did you mean 'sentence'?)
    """  # noqa: E501
    from workbench.coding.coder import UNITS
    from workbench.corpus.tokens import ENGINES
    from workbench.names import suggest

    if unit is not None and unit not in UNITS:
        listed = ", ".join(repr(u) for u in UNITS)
        raise ValueError(
            f"unit must be one of {listed} or None (no coding), not {unit!r} "
            f"{suggest(str(unit), UNITS)}"
        )
    if engine is not None and engine not in ENGINES:
        raise ValueError(
            f"engine must be one of {', '.join(map(repr, ENGINES))} or None (the default), "
            f"not {engine!r} {suggest(str(engine), ENGINES)}"
        )
    if codebook is not None and not isinstance(codebook, (str, os.PathLike)):
        raise TypeError(
            f"codebook must be the path of a codebook YAML file or None (the bundled one), "
            f"not {type(codebook).__name__}"
        )
    path = None if codebook is None else os.fspath(codebook)
    if unit is not None:
        get_codebook(path)  # its errors now, not once the first partition is read
    return path


def run_pipeline(
    inputs: Any = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    tokens: bool = True,
    codebook: str | os.PathLike | None = None,
    unit: str | None = "sentence",
    skip_bad: bool = False,
    progress: bool = False,
    engine: str | None = None,
    run: Callable[..., list] | None = None,
    dup_threshold: float = DUP_THRESHOLD,
) -> PipelineResult:
    """Decode → clean → structure → script → segment → code per partition, then
    mark duplicates and count co-occurrences over the whole corpus.

    Parameters
    ----------
    inputs : path or iterable of paths, optional
        As for :func:`workbench.corpus.load_corpus` (default: the bundled seeds).
    workers, scheduler
        Where partitions run (see :func:`workbench.engine.map_partitions`).
    tokens : bool
        Segment words.
    codebook : path, optional
        Codebook file (default :data:`workbench.config.CODEBOOK`).
    unit : str or None
        Coding unit; ``None`` skips coding and co-occurrence.
    skip_bad : bool
        Record unreadable files instead of raising.
    progress : bool
        Progress bar over partitions.
    engine : {"rjieba", "jieba"}, optional
        Word segmentation engine (:func:`workbench.corpus.tokens.tokenize`). The default,
        ``"rjieba"``, is jieba-rs with jieba's dictionaries and added terms, about
        ten times faster and tokenising every segment of the seeds and of the
        generated benchmark corpora exactly as jieba does (``benchmarks/run.py``
        reports the agreement); ``"jieba"`` is jieba itself.
    run : callable, optional
        A started :func:`runner` to use instead of starting one from ``workers``,
        ``scheduler`` and ``progress`` (``workers`` then only sizes the partitions).
    dup_threshold : float, default :data:`workbench.corpus.dedup.DUP_THRESHOLD`
        Jaccard similarity at which articles and paragraphs are near duplicates.

    Returns
    -------
    PipelineResult
        Its repr gives the counts of each part.

    Raises
    ------
    TypeError, ValueError, FileNotFoundError, workbench.coding.codebook.CodebookError
        An argument that cannot work, or a codebook that does not exist or has
        mistakes (:func:`workbench.corpus.load.check_options`,
        :func:`check_pipeline_options`), before any file is read; then as for
        :func:`workbench.corpus.load_corpus`.
    """
    check_options(workers=workers, dup_threshold=dup_threshold)
    cb = check_pipeline_options(codebook=codebook, unit=unit, engine=engine)
    found = gather_sources(inputs, skip_bad=skip_bad, progress=progress)
    sink = MemorySink(skip_bad=skip_bad, dup_threshold=dup_threshold, codebook=cb, unit=unit)
    return drive(
        found, sink, analyse=words_and_codes(tokens=tokens, codebook=cb, unit=unit, engine=engine),
        warm_up=warm_up, workers=workers, scheduler=scheduler, run=run, skip_bad=skip_bad,
        dup_threshold=dup_threshold,
    )  # fmt: skip
