"""The corpus pipeline as functions over partitions, run serially, in processes or on Dask.

Every per-file stage — decode, clean, split articles, find structure, normalise
the script (:func:`workbench.corpus.load_files`), segment words
(:mod:`workbench.tokens`) and apply the codebook at sentence level
(:mod:`workbench.coding.coder`) — depends on one file only, so a corpus is cut into
*partitions*: contiguous runs of files in corpus order. :func:`map_partitions`
runs a function over the partitions

* serially in this process (``workers=None`` or ``1``),
* in a local pool of ``workers`` processes (``concurrent.futures`` with the
  ``spawn`` start method, safe with threads and on every platform), or
* on Dask (``scheduler="local"`` starts a ``LocalCluster`` on 127.0.0.1; an
  address such as ``"tcp://10.0.0.5:8786"`` joins a running cluster; a connected
  ``distributed.Client`` is used as is),

and always returns the results in partition order; the runner knows nothing of
what it runs.

One driver, :func:`drive`, builds every corpus: it runs the per-partition stage
:func:`analyse_partition` over the partitions, which hands each partition's tables
to a *sink* — :class:`MemorySink` keeps them (:func:`run_pipeline`,
:func:`workbench.corpus.load_corpus`), :class:`workbench.stream.ParquetSink` writes
Parquet parts (``workbench pipeline``). Steps that need the whole corpus — finding
duplicates (:func:`workbench.duplicates.find_marks`), co-occurrence — run
afterwards, so every mode gives tables identical to the serial run: same rows,
order, ids and duplicate marks. The costly half of duplicate marking — normalising
and MinHash-sketching every article and paragraph
(:func:`workbench.duplicates.sketch_segments`) — runs in the partitions; only the
sketches travel back.

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

import contextlib
import ctypes
import functools
import logging
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

from workbench.coding.coder import Coding, code_segments
from workbench.corpus import (
    SEGMENT_COLUMNS,
    Corpus,
    FileTables,
    Sources,
    gather_sources,
    load_refs_results,
    unmarked,
)
from workbench.dedup import DUP_THRESHOLD, TextSource
from workbench.duplicates import (
    CorpusSketches,
    CorpusUnits,
    find_marks,
    mark_empty,
    sketch_segments,
)
from workbench.network.measures import cooccurrence_counts
from workbench.readers import FileRef, SourceFile

T = TypeVar("T")
R = TypeVar("R")

#: Upper bound on a partition's bytes: big enough that per-task overhead (pickling,
#: scheduling) is small, small enough that a worker's memory stays bounded.
MAX_PARTITION_BYTES = 8_000_000

#: Partitions per worker: several, so a slow partition does not leave workers idle
#: (8 rather than 4 made 2 workers about 5% faster on the 20 MB benchmark corpus).
PARTITIONS_PER_WORKER = 8


def _size(item: Any) -> int:
    if isinstance(item, SourceFile):
        return len(item.data)
    return item.size if isinstance(item, FileRef) else 1


def partition(items: Sequence[T], workers: int | None = None) -> list[list[T]]:
    """Cut ``items`` into contiguous runs of about equal bytes, keeping their order.

    Parameters
    ----------
    items : sequence
        Source files or file references (weighed by their bytes) or anything else
        (weighed 1 each).
    workers : int, optional
        Workers that will share the partitions (default: the CPU count); each
        gets :data:`PARTITIONS_PER_WORKER`, and no partition exceeds
        :data:`MAX_PARTITION_BYTES` unless a single file does.

    Returns
    -------
    list of list
        Non-empty partitions whose concatenation is ``items``.

    Examples
    --------
    >>> [len(p) for p in partition(list(range(20)), workers=1)]
    [3, 2, 3, 2, 3, 2, 3, 2]
    >>> partition([], workers=2)
    []
    """
    sizes = [_size(x) for x in items]
    total = sum(sizes)
    if not items:
        return []
    n_parts = max(
        PARTITIONS_PER_WORKER * (workers or os.cpu_count() or 1),
        math.ceil(total / MAX_PARTITION_BYTES),
    )
    n_parts = min(n_parts, len(items))
    parts: list[list[T]] = [[]]
    done = 0
    for item, size in zip(items, sizes, strict=True):
        # Close a partition once the bytes so far reach its share of the total.
        if parts[-1] and done >= total * len(parts) / n_parts:
            parts.append([])
        parts[-1].append(item)
        done += size
    return parts


def map_partitions(
    fn: Callable[..., R],
    parts: Sequence[Any],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
    **kwargs: Any,
) -> list[R]:
    """``[fn(part, **kwargs) for part in parts]``, serially, in processes or on Dask.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference for other processes).
    parts : sequence
        The partitions.
    workers : int, optional
        Local processes (``None`` or 1: run here); with ``scheduler="local"`` the
        LocalCluster's worker count.
    scheduler : str or distributed.Client, optional
        ``"local"``, a scheduler address, or a Client (see the module docs).
    progress : bool
        Show a tqdm bar over partitions.
    **kwargs
        Passed to ``fn``.

    Returns
    -------
    list
        One result per partition, in partition order.

    Examples
    --------
    >>> map_partitions(sum, [[1, 2], [3]])
    [3, 3]
    """
    with runner(workers, scheduler, progress) as run:
        return run(fn, parts, **kwargs)


def warm_up(_: Any = None) -> int:
    """Load the word segmenter, OpenCC and the default codebook in this process.

    The pools of :func:`runner` run it when a worker starts, so the seconds it
    takes are spent once per worker, before its first partition. Returns the
    process id (so a caller can tell the workers apart).

    Examples
    --------
    >>> warm_up() > 0
    True
    """
    from workbench.script import to_simplified
    from workbench.tokens import tokenize

    tokenize("预热")
    to_simplified("預熱")
    get_codebook(None)
    return os.getpid()


@contextlib.contextmanager
def runner(
    workers: int | None = None, scheduler: Any = None, progress: bool = False, warm: bool = False
) -> Iterator[Callable[..., list]]:
    """A :func:`map_partitions` whose processes or Dask client outlive one call.

    A job of several passes over the partitions starts its pool (or cluster)
    once: spawning a worker and importing jieba, OpenCC and pandas there costs
    seconds, which would otherwise be paid on every pass. Local pool workers run
    :func:`warm_up` when they start.

    Parameters
    ----------
    workers, scheduler, progress
        As for :func:`map_partitions`.
    warm : bool
        Start every worker and warm it up (:func:`warm_up`) before yielding, so
        that what follows measures work, not start-up (the benchmark uses this;
        the serial pipeline is measured warm too).

    Yields
    ------
    callable
        ``run(fn, parts, desc=None, **kwargs)``, with :func:`map_partitions`'s
        meaning; ``desc`` labels the progress bar. On Dask the keywords go through
        ``Client.map``, which keeps its own (``key``, ``workers``, ``retries``,
        ``priority``, ``resources``, ...) instead of passing them on: a partition
        function must not take a keyword of those names.

    Examples
    --------
    >>> with runner() as run:
    ...     run(sum, [[1, 2], [3]]), run(len, [[1, 2], [3]])
    ([3, 3], [2, 1])
    """
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            client = stack.enter_context(dask_client(scheduler, workers))
            if warm:
                client.run(warm_up)

            def submit(fn, parts, bar, kwargs):
                return _dask_map(client, fn, parts, bar, kwargs)

        elif (workers or 1) > 1:
            # 'spawn' starts clean interpreters: no forked locks from threads (jieba's,
            # OpenCC's, a notebook kernel's), and it behaves the same on Linux and macOS.
            ctx = multiprocessing.get_context("spawn")
            pool = stack.enter_context(
                ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=warm_up)
            )
            if warm:
                list(pool.map(_started, range(workers)))

            def submit(fn, parts, bar, kwargs):
                mapped = pool.map(functools.partial(fn, **kwargs), parts)
                return [_tick(bar, r) for r in mapped]

        else:

            def submit(fn, parts, bar, kwargs):
                return [_tick(bar, fn(p, **kwargs)) for p in parts]

        def run(fn: Callable[..., R], parts: Sequence[Any], desc: str | None = None, **kwargs):
            bar = _bar(len(parts), desc) if progress else None
            try:
                return submit(fn, parts, bar, kwargs)
            finally:
                if bar is not None:
                    bar.close()

        yield run


def _started(_: int) -> int:
    # Long enough that every worker of the pool gets one of these tasks.
    time.sleep(0.5)
    return os.getpid()


def _bar(total: int, desc: str | None = None):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc or "corpus partitions", unit="part")


def _tick(bar: Any, value: R) -> R:
    if bar is not None:
        bar.update(1)
    return value


def _dask_map(client, fn, parts, bar, kwargs) -> list:
    # Scatter first: embedding the files' bytes in the task graph makes the
    # scheduler hold them all (and warn about a large graph).
    data = client.scatter(list(parts))
    # pure=False: partitions are never deduplicated or cached by Dask's hashing.
    futures = client.map(fn, data, pure=False, **kwargs)
    del data
    results = []
    for i in range(len(futures)):
        results.append(_tick(bar, futures[i].result()))
        futures[i] = None  # release the result on the worker once we hold it
    return results


@contextlib.contextmanager
def dask_client(scheduler: Any = "local", workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``; a LocalCluster is closed on exit.

    Parameters
    ----------
    scheduler : str or distributed.Client
        ``"local"`` (a LocalCluster of ``workers`` single-threaded processes on
        127.0.0.1, no dashboard), a scheduler address, or a Client (yielded as is
        and left open).
    workers : int, optional
        Workers of a LocalCluster (default: the CPU count).
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler != "local":
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        yield client


# --- the whole pipeline ----------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MB.

    On Linux the ``VmHWM`` of ``/proc/self/status``: unlike ``ru_maxrss`` it is
    not inherited across ``exec``, so a worker spawned by a large parent reports
    its own peak.

    Examples
    --------
    >>> peak_rss_mb() > 0
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) * 1024 / 1e6, 1)
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6, 1)


def release_memory() -> None:
    """In a worker process, give freed heap memory back to the system (glibc
    ``malloc_trim``).

    A worker that has finished a partition otherwise keeps the partition's peak
    resident while it waits, e.g. through the parent's duplicate search; the
    peak itself (:func:`peak_rss_mb`) is unchanged. A serial run keeps its memory
    for the next partition.
    """
    if multiprocessing.parent_process() is None:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def releasing(fn: Callable[..., R]) -> Callable[..., R]:
    """``fn``, releasing memory once its locals are gone (a partition task's end)."""

    @functools.wraps(fn)
    def task(*args: Any, **kwargs: Any) -> R:
        result = fn(*args, **kwargs)
        release_memory()
        return result

    return task


@dataclass
class PartitionResult:
    """What one partition sends back to the driver (:func:`analyse_partition`).

    Attributes
    ----------
    index : int
        The partition's place in corpus order.
    files : list of dict
        Its ``Corpus.files`` rows.
    sketches : CorpusSketches
        Duplicate sketches of its articles and paragraphs.
    n_segments : int
        Its segments.
    peak_mb : float
        Peak resident memory of the process that ran it (:func:`peak_rss_mb`).
    kept : object
        What the sink's ``write_part`` returned for the driver (the tables themselves
        for :class:`MemorySink`, nothing for a sink that wrote them).
    """

    index: int
    files: list[dict[str, Any]]
    sketches: CorpusSketches
    n_segments: int
    peak_mb: float
    kept: Any = None


class Sink(Protocol):
    """Where the driver (:func:`drive`) sends each partition's tables, and what it
    asks of them afterwards; :class:`MemorySink` and
    :class:`workbench.stream.ParquetSink`."""

    def write_part(
        self, index: int, tables: FileTables, tokens: pa.Array | pa.ChunkedArray,
        coding: Coding | None,
    ) -> Any:  # fmt: skip
        """In the partition's process: keep or write one partition's tables."""

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], settings: dict[str, Any],
        run: Callable[..., list],
    ) -> None:  # fmt: skip
        """In the driver: every partition's result, the files skipped at discovery."""

    def unit_texts(
        self, sketches: CorpusSketches, threshold: float, run: Callable[..., list]
    ) -> Sequence[TextSource]:
        """Articles' and paragraphs' ``texts(positions)`` for
        :func:`workbench.duplicates.find_marks`."""

    def apply_marks(
        self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]
    ) -> list[sparse.csr_matrix]:
        """Mark the duplicates found on every partition's tables; return each
        partition's code co-occurrence counts over its non-duplicate units
        (:func:`cooccurrence`; none without coding)."""

    def result(self, cooccurrence: sparse.csr_matrix | None) -> Any:
        """What the run gives back, with the corpus's co-occurrence counts (the sum of
        the partitions', :func:`sum_counts`; ``None`` without coding)."""


@functools.cache
def get_codebook(path: str | None):
    """:func:`workbench.coding.codebook.load_codebook` of ``path`` (default codebook when
    ``None``), imported only when a partition codes."""
    from workbench.coding.codebook import load_codebook

    return load_codebook(path)


@releasing
def analyse_partition(
    item: tuple[int, Sequence[FileRef]],
    *,
    sink: Sink,
    skip_bad: bool = False,
    tokens: bool = True,
    codebook: str | None = None,
    unit: str | None = "sentence",
    terms: Sequence[str] = (),
    engine: str | None = None,
    dup_threshold: float = DUP_THRESHOLD,
) -> PartitionResult:
    """The per-file pipeline on one partition: read, load, segment words, code, sketch,
    and hand the tables to ``sink``; what every way of building a corpus runs per partition.

    Parameters
    ----------
    item : (int, sequence of FileRef)
        The partition's index and its files, in corpus order (:func:`partition` of
        :attr:`workbench.corpus.Sources.files`, found lazily).
    sink : Sink
        Receives the partition's tables (:meth:`Sink.write_part`).
    skip_bad : bool
        Record unreadable files as skipped instead of raising.
    tokens : bool
        Segment every sentence's Simplified text with :func:`workbench.tokens.tokenize`.
    codebook : str, optional
        Codebook path (default :data:`workbench.config.CODEBOOK`); loaded once per process.
    unit : str or None
        Coding unit (see :func:`workbench.coding.coder.code_segments`); ``None``
        skips coding. Units never span files, so partitions code independently.
    terms : sequence of str
        Terms the submitting process added to its tokenizer
        (:func:`workbench.tokens.added_terms`), replayed here so a worker
        segments exactly as the serial run would.
    engine : {"rjieba", "jieba"}, optional
        Segmentation engine (default :data:`workbench.tokens.DEFAULT_ENGINE`; see
        :func:`workbench.tokens.tokenize`).
    dup_threshold : float, default :data:`workbench.dedup.DUP_THRESHOLD`
        The lowest near-duplicate threshold the partition's sketches will be searched at.
    """
    from workbench.tokens import sync_terms

    index, refs = item
    sync_terms(terms)
    tables = FileTables.of(load_refs_results(refs, skip_bad=skip_bad))
    toks, coding, sketches = analyse_segments(
        tables.segments, tokens=tokens, codebook=codebook, unit=unit, engine=engine,
        dup_threshold=dup_threshold,
    )  # fmt: skip
    kept = sink.write_part(index, tables, toks, coding)
    return PartitionResult(
        index=index, files=tables.files, sketches=sketches, n_segments=len(tables.segments),
        peak_mb=peak_rss_mb(), kept=kept,
    )  # fmt: skip


def analyse_segments(
    segs: pd.DataFrame,
    *,
    tokens: bool = True,
    codebook: str | None = None,
    unit: str | None = "sentence",
    engine: str | None = None,
    dup_threshold: float = DUP_THRESHOLD,
) -> tuple[pa.Array | pa.ChunkedArray, Coding | None, CorpusSketches]:
    """Tokens, coding and duplicate sketches of one partition's segments table.

    The per-partition work after loading (:func:`analyse_partition`, whose parameters
    these are).
    Tokens are an Arrow array of lists (:func:`workbench.tokens.token_array`), empty
    when ``tokens`` is false.
    """
    from workbench.tokens import token_array, tokenize_many

    toks = token_array(tokenize_many(segs["text"].tolist(), engine) if tokens else [])
    coding = None if unit is None else code_segments(segs, get_codebook(codebook), unit)
    return toks, coding, sketch_segments(segs, threshold=dup_threshold)


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


def _token_series(parts: Sequence[pa.Array | pa.ChunkedArray]) -> pd.Series:
    """One Series of the partitions' token lists, without a Python object per token."""
    from workbench.tokens import TOKENS_TYPE

    chunks = [c for p in parts for c in getattr(p, "chunks", [p])]
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks, TOKENS_TYPE)))


def non_duplicate_units(units: pd.DataFrame, dup_segments: set[str]) -> np.ndarray:
    """Boolean mask over coding ``units``: True where the unit's first segment is not
    a duplicate (one of ``dup_segments``)."""
    first = [ids.split(" ", 1)[0] for ids in units["segment_ids"].tolist()]
    return np.array([sid not in dup_segments for sid in first], dtype=bool)


class MemorySink:
    """Keeps every partition's tables and returns them as one :class:`PipelineResult`
    (what :func:`run_pipeline` and :func:`workbench.corpus.load_corpus` give)."""

    def write_part(
        self, index: int, tables: FileTables, tokens: pa.Array | pa.ChunkedArray,
        coding: Coding | None,
    ) -> tuple[FileTables, pa.Array | pa.ChunkedArray, Coding | None]:  # fmt: skip
        return tables, tokens, coding

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], settings: dict[str, Any],
        run: Callable[..., list],
    ) -> None:  # fmt: skip
        tables = FileTables.concat([FileTables.of(skipped), *(p.kept[0] for p in parts)])
        self.settings = settings
        self.corpus = unmarked(
            tables, skip_bad=settings["skip_bad"], dup_threshold=settings["dup_threshold"]
        )
        self.tokens = _token_series([p.kept[1] for p in parts])
        self.codings = [p.kept[2] for p in parts]
        segs = self.corpus.segments
        self.units = None if segs.empty else CorpusUnits(segs)

    def unit_texts(
        self, sketches: CorpusSketches, threshold: float, run: Callable[..., list]
    ) -> Sequence[TextSource]:
        if self.units is None:  # nothing to read: no unit to compare
            return [_no_texts, _no_texts]
        return self.units.texts(sketches, threshold)

    def apply_marks(
        self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]
    ) -> list[sparse.csr_matrix]:
        corpus = self.corpus
        if self.units is None:
            mark_empty(corpus)
        else:
            self.units.apply(corpus, art, para)
        if self.settings["unit"] is None:
            return []
        dups = set(corpus.segments.loc[corpus.duplicate_mask(), "segment_id"])
        return [cooccurrence(c, non_duplicate_units(c.units, dups)) for c in self.codings]

    def result(self, cooccurrence: sparse.csr_matrix | None) -> PipelineResult:
        corpus, toks, unit = self.corpus, self.tokens, self.settings["unit"]
        if unit is None:
            return PipelineResult(corpus, toks, None, None)
        codes = get_codebook(self.settings["codebook"]).ids
        coding = merge_codings(self.codings, codes, unit)
        return PipelineResult(corpus, toks, coding, cooccurrence)


def _no_texts(positions: list[int]) -> list[str]:
    return ["" for _ in positions]


def drive(
    found: Sources,
    sink: Sink,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    run: Callable[..., list] | None = None,
    skip_bad: bool = False,
    tokens: bool = True,
    codebook: str | os.PathLike | None = None,
    unit: str | None = "sentence",
    engine: str | None = None,
    dup_threshold: float = DUP_THRESHOLD,
    desc: str | None = None,
) -> Any:
    """The one driver of the corpus pipeline: every entry point is a call of it.

    Cuts ``found``'s files into partitions (:func:`partition`), runs
    :func:`analyse_partition` over them (serially, in processes or on Dask:
    :func:`runner`), which hands each partition's tables to ``sink``; then finds the
    duplicates over the whole corpus from the partitions' sketches
    (:func:`workbench.duplicates.find_marks`, reading texts through the sink), has
    the sink mark them and count each partition's code co-occurrences over its
    non-duplicate units, and sums those counts (:func:`sum_counts`).

    Parameters
    ----------
    found : workbench.corpus.Sources
        The files, found lazily (:func:`workbench.corpus.gather_sources`).
    sink : Sink
        :class:`MemorySink` or :class:`workbench.stream.ParquetSink`.
    workers, scheduler, run
        As for :func:`run_pipeline`.
    skip_bad, tokens, codebook, unit, engine, dup_threshold
        As for :func:`analyse_partition`.
    desc : str, optional
        Label of the progress bar over partitions.

    Returns
    -------
    object
        ``sink.result()``.
    """
    from workbench.tokens import added_terms

    cb = None if codebook is None else os.fspath(codebook)
    settings = {"skip_bad": skip_bad, "tokens": tokens, "codebook": cb, "unit": unit,
                "engine": engine, "dup_threshold": dup_threshold}  # fmt: skip
    parts = list(enumerate(partition(found.files, workers)))
    with contextlib.ExitStack() as stack:
        if run is None:
            run = stack.enter_context(runner(workers, scheduler, found.progress))
        analysed = run(
            analyse_partition, parts, desc=desc, sink=sink, skip_bad=skip_bad, tokens=tokens,
            codebook=cb, unit=unit, terms=added_terms(), engine=engine,
            dup_threshold=dup_threshold,
        )  # fmt: skip
        sink.collect(analysed, found.skipped(), settings, run)
        sketches = CorpusSketches.concat([a.sketches for a in analysed])
        texts = sink.unit_texts(sketches, dup_threshold, run)
        art, para = find_marks(sketches, texts, dup_threshold)
        counts = sink.apply_marks(art, para, run)
    if unit is None:
        return sink.result(None)
    return sink.result(sum_counts(counts, len(get_codebook(cb).ids)))


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
    inputs : paths, optional
        As for :func:`workbench.corpus.load_corpus` (default: the bundled seeds).
    workers, scheduler
        Where partitions run (see :func:`map_partitions`).
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
        Word segmentation engine (:func:`workbench.tokens.tokenize`). The default,
        ``"rjieba"``, is jieba-rs with jieba's dictionaries and added terms, about
        ten times faster and tokenising every segment of the seeds and of the
        generated benchmark corpora exactly as jieba does (``benchmarks/run.py``
        reports the agreement); ``"jieba"`` is jieba itself.
    run : callable, optional
        A started :func:`runner` to use instead of starting one from ``workers``,
        ``scheduler`` and ``progress`` (``workers`` then only sizes the partitions).
    dup_threshold : float, default :data:`workbench.dedup.DUP_THRESHOLD`
        Jaccard similarity at which articles and paragraphs are near duplicates.

    Returns
    -------
    PipelineResult
    """
    found = gather_sources(inputs, skip_bad=skip_bad, lazy=True, progress=progress)
    return drive(
        found, MemorySink(), workers=workers, scheduler=scheduler, run=run, skip_bad=skip_bad,
        tokens=tokens, codebook=codebook, unit=unit, engine=engine, dup_threshold=dup_threshold,
    )  # fmt: skip
