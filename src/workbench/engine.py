"""The one driver that builds every corpus: partitions of files, run serially, in
processes or on Dask, handed to a sink.

Every per-file stage — decode, clean, split articles, find structure, normalise
the script (:func:`workbench.corpus.load_files`) and whatever a caller adds per
partition (words and codes: :mod:`workbench.pipeline`) — depends on one file only, so
a corpus is cut into *partitions*: contiguous runs of files in corpus order
(:func:`partition`). :func:`map_partitions` runs a function over the partitions

* serially in this process (``workers=None`` or ``1``),
* in ``workers`` local processes: this one and a pool of ``workers - 1``
  (``concurrent.futures`` with the ``spawn`` start method, safe with threads and on
  every platform), which share the partitions, so no process waits while the pool's
  workers start, or
* on Dask (``scheduler="local"`` starts a ``LocalCluster`` on 127.0.0.1; an
  address such as ``"tcp://10.0.0.5:8786"`` joins a running cluster; a connected
  ``distributed.Client`` is used as is),

and always returns the results in partition order; the runner knows nothing of
what it runs (the caller passes its warm-up).

:func:`drive` runs the per-partition stage :func:`load_partition` over the partitions:
it loads the partition's files, runs the caller's analysis of their segments (none for
:func:`workbench.corpus.load_corpus`; words and codes for
:func:`workbench.pipeline.run_pipeline` and :func:`workbench.stream.build_corpus`) and
hands the tables to a *sink* — :class:`CorpusSink` keeps them,
:class:`workbench.pipeline.MemorySink` keeps them with their words and codes,
:class:`workbench.stream.ParquetSink` writes Parquet parts. Duplicates are found
afterwards over the whole corpus (:func:`workbench.corpus.duplicates.find_marks`), so every
mode gives tables identical to the serial run: same rows, order, ids and duplicate
marks. The costly half of duplicate marking — normalising and MinHash-sketching every
article and paragraph (:func:`workbench.corpus.duplicates.sketch_segments`) — runs in the
partitions; only the sketches travel back.

This module imports nothing of coding, networks or surveys: it is part of the corpus
layer.

Examples
--------
>>> from workbench.corpus import gather_sources
>>> corpus = drive(gather_sources(), CorpusSink())   # the bundled seeds, serially
>>> len(corpus.files), corpus.segments.loc[0, "segment_id"]
(5, '000_688e36ac7d55ccc2/a1/p001/s01')
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import math
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from workbench.corpus.dedup import DUP_THRESHOLD

# The corpus modules (and pandas with them) are imported where first used: importing this
# module to start a pool (:func:`spawn_workers`) costs next to nothing, so the workers
# start while the driving process imports what it needs.
if TYPE_CHECKING:
    import pandas as pd

    from workbench.corpus import Corpus, FileTables, Sources
    from workbench.corpus.dedup import TextSource
    from workbench.corpus.duplicates import CorpusSketches
    from workbench.corpus.readers import FileRef

T = TypeVar("T")
R = TypeVar("R")

#: Upper bound on a partition's bytes: big enough that per-task overhead (pickling,
#: scheduling) is small, small enough that a worker's memory stays bounded.
MAX_PARTITION_BYTES = 8_000_000

#: Partitions per worker: several, so a slow partition does not leave workers idle
#: (8 rather than 4 made 2 workers about 5% faster on the 20 MB benchmark corpus).
PARTITIONS_PER_WORKER = 8


def _size(item: Any) -> int:
    from workbench.corpus.readers import FileRef

    return item.size if isinstance(item, FileRef) else 1


def partition(
    items: Sequence[T], workers: int | None = None, *, both_ends: bool = False
) -> list[list[T]]:
    """Cut ``items`` into contiguous runs of bytes, keeping their order.

    The runs are of about equal bytes, each worker getting :data:`PARTITIONS_PER_WORKER`;
    with ``both_ends`` and several workers they shrink towards the point where the
    processes of a local pool meet (:func:`_tapered_cuts`).

    Parameters
    ----------
    items : sequence
        File references (weighed by their bytes, :attr:`~workbench.corpus.readers.FileRef.size`)
        or anything else (weighed 1 each).
    workers : int, optional
        Workers that will share the partitions (default: the CPU count). No partition
        exceeds :data:`MAX_PARTITION_BYTES` unless a single file does.
    both_ends : bool
        The partitions will be taken as :class:`Workers` hands them out (from the front
        by the pool, from the back by the driving process): cut them for that.

    Returns
    -------
    list of list
        Non-empty partitions whose concatenation is ``items``.

    Examples
    --------
    >>> [len(p) for p in partition(list(range(20)), workers=1)]
    [3, 2, 3, 2, 3, 2, 3, 2]
    >>> [len(p) for p in partition(list(range(64)), workers=2, both_ends=True)]
    [8, 8, 8, 4, 2, 2, 2, 2, 4, 8, 8, 8]
    >>> partition([], workers=2)
    []
    """
    sizes = [_size(x) for x in items]
    total = sum(sizes)
    if not items:
        return []
    n_workers = workers or os.cpu_count() or 1
    if both_ends and n_workers > 1:
        cuts = _tapered_cuts(total, n_workers)
    else:
        n_parts = max(PARTITIONS_PER_WORKER * n_workers, math.ceil(total / MAX_PARTITION_BYTES))
        n_parts = min(n_parts, len(items))
        cuts = [total * k / n_parts for k in range(1, n_parts)]
    parts: list[list[T]] = [[]]
    done = 0
    for item, size in zip(items, sizes, strict=True):
        # Close a partition once the bytes so far reach its cut.
        if parts[-1] and len(parts) <= len(cuts) and done >= cuts[len(parts) - 1]:
            parts.append([])
        parts[-1].append(item)
        done += size
    return parts


def _tapered_cuts(total: float, workers: int) -> list[float]:
    """Byte offsets at which to cut ``total`` bytes for ``workers`` processes that take
    partitions as :class:`Workers` hands them out: the pool's ``workers - 1`` from the
    front, the driving process from the back.

    Both ends are used up at the rate of the processes taking them, so they meet at
    ``(workers - 1) / workers`` of the bytes. Each partition holds half of what each
    process would get of the bytes left when it is taken (guided self-scheduling), at
    most as much as one process's partitions (:data:`PARTITIONS_PER_WORKER` of the
    whole, and :data:`MAX_PARTITION_BYTES`: a worker's peak memory stays that of a
    one-process run) and at least half as much as equal partitions for ``workers``
    would hold (and at most an eighth of :data:`MAX_PARTITION_BYTES`). The partitions
    taken last, around the meeting point, are small, so a process that runs out waits
    little for the others' last ones; the ones taken first are large, so there are
    fewer.

    On the 20 MB benchmark corpus two workers get 12 partitions instead of 16 equal
    ones: a partition costs about 80 ms of CPU besides its bytes (coding, writing five
    Parquet parts, passes 2 and 3), and the last ones are half as large, so the process
    that runs out waits about half as long.

    Examples
    --------
    >>> [round(c) for c in _tapered_cuts(64, 2)]
    [8, 16, 24, 28, 30, 32, 34, 36, 40, 48, 56]
    """
    meet = total * (workers - 1) / workers
    least = min(total / (2 * PARTITIONS_PER_WORKER * workers), MAX_PARTITION_BYTES / 8)
    # No larger than one process's partitions: a worker's peak memory stays below its.
    most = min(total / PARTITIONS_PER_WORKER, MAX_PARTITION_BYTES)

    def side(length: float, rate: float) -> list[float]:
        # Offsets from one end, which ``rate`` bytes of the whole are taken per byte of.
        out, at = [], 0.0
        while True:
            step = min(max((total - at * rate) / (2 * workers), least), most)
            if at + step >= length - least / 2:
                return out
            at += step
            out.append(at)

    front = side(meet, workers / (workers - 1))
    back = [total - at for at in side(total - meet, workers)]
    return [*front, meet, *reversed(back)]


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
        Local processes that run partitions, this one included (``None`` or 1: only
        this one; ``N``: this one and ``N - 1`` spawned); with ``scheduler="local"``
        the LocalCluster's worker count.
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


@contextlib.contextmanager
def runner(
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
    warm: bool = False,
    warm_up: Callable[[], Any] | None = None,
    pool: Workers | None = None,
) -> Iterator[Callable[..., list]]:
    """A :func:`map_partitions` whose processes or Dask client outlive one call.

    A job of several passes over the partitions starts its pool (or cluster)
    once: spawning a worker and importing jieba, OpenCC and pandas there costs
    seconds, which would otherwise be paid on every pass. Local pool workers run
    ``warm_up`` when they start.

    Parameters
    ----------
    workers, scheduler, progress
        As for :func:`map_partitions`.
    warm : bool
        Start every worker and warm it up (``warm_up``, on Dask too) before yielding,
        so that what follows measures work, not start-up (the benchmark uses this;
        the serial pipeline is measured warm too).
    warm_up : callable, optional
        A module-level function of no arguments that loads what the caller's
        partition functions need (e.g. :func:`workbench.pipeline.warm_up`: the word
        segmenter, OpenCC, the codebook), so that each worker spends those seconds
        once, before its first partition.
    pool : Workers, optional
        Workers started already (:func:`spawn_workers`), which run partitions with this
        process instead of ``workers - 1`` started here (``warm_up`` is then theirs);
        their starter shuts them down. Not with ``scheduler``.

    Yields
    ------
    callable
        ``run(fn, parts, desc=None, **kwargs)``, with :func:`map_partitions`'s
        meaning; ``desc`` labels the progress bar. On Dask the keywords go through
        ``Client.map``, which keeps its own (``key``, ``workers``, ``retries``,
        ``priority``, ``resources``, ...) instead of passing them on: a partition
        function must not take a keyword of those names. Its attribute ``both_ends``
        says whether a local pool takes the partitions from both ends
        (:func:`partition`).

    Examples
    --------
    >>> with runner() as run:
    ...     run(sum, [[1, 2], [3]]), run(len, [[1, 2], [3]])
    ([3, 3], [2, 1])
    >>> with runner() as run:
    ...     run.both_ends
    False
    """
    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            if pool is not None:
                raise ValueError("a pool of local workers cannot run on a Dask scheduler")
            client = stack.enter_context(dask_client(scheduler, workers))
            if warm and warm_up is not None:
                client.run(warm_up)

            def submit(fn, parts, bar, kwargs):
                return _dask_map(client, fn, parts, bar, kwargs)

        elif pool is not None or (workers or 1) > 1:
            # This process runs partitions too, so the pool has one process fewer: a
            # spawned worker spends about 1.5 s importing and warming up before its
            # first partition, which this process, already started, spends working.
            if pool is None:
                pool = stack.enter_context(Workers(workers - 1, warm_up))
            if warm:
                pool.start(wait=True)
                if warm_up is not None:
                    warm_up()

            def submit(fn, parts, bar, kwargs):
                return pool.run(functools.partial(fn, **kwargs), parts, bar)

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

        run.both_ends = pool is not None  # type: ignore[attr-defined]
        yield run


def _started(_: int = 0, pause: float = 0.5) -> int:
    # The default pause is long enough that every worker of the pool gets one of a
    # batch of these tasks; a ping (pause 0) only tells that a worker has started.
    time.sleep(pause)
    return os.getpid()


def spawn_workers(n: int, warm_up: Callable[[], Any] | None = None) -> Workers:
    """Start ``n`` pool workers now, for a later :func:`runner` (its ``pool``).

    A spawned worker spends about a second importing and warming up before it can take
    a partition; started before the driving process imports the modules of its job (as
    ``workbench pipeline`` does), the two import at the same time. Use it as a context
    manager, which shuts the workers down.

    Examples
    --------
    >>> with spawn_workers(1) as pool, runner(pool=pool) as run:
    ...     run(sum, [[1, 2], [3], [4]])
    [3, 3, 4]
    """
    workers = Workers(n, warm_up)
    workers.start()
    return workers


class Workers:
    """Worker processes that share the partitions with the process that drives them
    (:func:`runner`, :func:`spawn_workers`).

    ``run`` hands partitions from the front of the list to the pool and runs
    partitions from the back here meanwhile, so the driver works while the workers
    start, and never waits for one that is still starting while partitions are left.
    A feeder thread hands a worker its next partition as soon as it sends a result,
    one partition in flight per started worker: none is queued for a busy worker, so
    when the last partitions are taken no process waits while another still holds a
    queued one (two in flight per worker left the driver idle for about one partition
    at the end of each pass). Results come back in partition order.
    """

    def __init__(self, n: int, warm_up: Callable[[], Any] | None) -> None:
        self.n, self.warm_up = n, warm_up
        self.executor: ProcessPoolExecutor | None = None
        self.pings: list[Any] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if self.executor is None:
            return
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            # Ctrl-C: the workers ignore it (:func:`_sigint_blocked`), so the driver
            # stops them rather than wait for a partition it will throw away (a worker
            # still warming up would keep Ctrl-C waiting a second or more).
            _terminate(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=True)

    def start(self, wait: bool = False) -> None:
        """Spawn the workers (once); with ``wait``, until every one has warmed up."""
        if self.executor is None:
            # 'spawn' starts clean interpreters: no forked locks from threads (jieba's,
            # OpenCC's, a notebook kernel's), and it behaves the same on Linux and macOS.
            ctx = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(
                self.n, mp_context=ctx, initializer=_start_worker, initargs=(self.warm_up,)
            )
            # A finished ping tells that a worker has started and warmed up. Submitting
            # them spawns the n workers (the spawn context starts them on demand), with
            # SIGINT blocked so that they never see Ctrl-C.
            with _sigint_blocked():
                self.pings = [self.executor.submit(_started, 0, 0.0) for _ in range(self.n)]
        if wait:
            list(self.executor.map(_started, range(self.n)))

    def run(self, task: Callable[[Any], R], parts: Sequence[Any], bar: Any) -> list[R]:
        if len(parts) < 2:
            return [_tick(bar, task(p)) for p in parts]
        self.start()
        assert self.executor is not None
        shared = _Shared(parts, bar)
        feeder = threading.Thread(
            target=self._feed, args=(task, shared), name="workbench-pool-feeder", daemon=True
        )
        feeder.start()
        try:
            while not shared.failed and (i := shared.take(front=False)) is not None:
                shared.done(i, task(parts[i]))
        except BaseException as err:
            shared.fail(err)
            raise
        finally:
            shared.wake.set_result(None)  # nothing left for the feeder to hand out
            feeder.join()
        if shared.failed:
            raise shared.failed[0]
        return shared.results

    def _feed(self, task: Callable[[Any], R], shared: _Shared) -> None:
        """The feeder thread: one partition in flight per started worker, from the front."""
        assert self.executor is not None
        flying: dict[Any, int] = {}
        try:
            while not shared.failed:
                started = sum(p.done() for p in self.pings)
                while len(flying) < started and (i := shared.take(front=True)) is not None:
                    flying[self.executor.submit(task, shared.parts[i])] = i
                left = shared.left()
                if not left and not flying:
                    return
                waits = set(flying)
                if left:  # a worker that starts, or the driver's finishing, changes things
                    waits.update(p for p in self.pings if not p.done())
                if not shared.wake.done():
                    waits.add(shared.wake)
                finished, _ = wait_for(waits, return_when=FIRST_COMPLETED)
                for fut in finished:
                    if fut in flying:
                        shared.done(flying.pop(fut), fut.result())
        except BaseException as err:
            shared.fail(err)
        finally:
            for fut in flying:
                fut.cancel()


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Hold Ctrl-C back while processes are spawned from this thread.

    Ctrl-C in a terminal reaches every process of its group, pool workers included. A
    worker it met while still starting (importing multiprocessing, unpickling its
    initializer: before any code of ours runs) printed a KeyboardInterrupt traceback.
    The mask of blocked signals is kept across ``fork`` and ``exec``, so a worker spawned
    with SIGINT blocked never sees it; :func:`_start_worker` then ignores it for good.
    The driver alone handles Ctrl-C (it stops the pool: :class:`Workers`).

    In this process a Ctrl-C pressed meanwhile is not lost but raised once the workers
    are spawned: interrupting the spawning itself left a worker reading its start-up
    data from a closed pipe, which printed an ``EOFError`` traceback. (Blocking the
    signal in this thread is not enough for that: another thread of this process takes
    it, and Python raises it in the main thread all the same.)
    """
    pressed: list[int] = []
    handler: Any = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGINT, lambda signum, _: pressed.append(signum))
    masked = hasattr(signal, "pthread_sigmask")  # not on Windows
    if masked:
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
            if pressed and callable(handler):  # Python's own raises KeyboardInterrupt
                handler(signal.SIGINT, None)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop a pool's workers at once (``ProcessPoolExecutor`` has no public way before
    Python 3.14): what they were doing is thrown away."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):  # gone already
            process.terminate()


def _start_worker(warm_up: Callable[[], Any] | None) -> None:
    """A pool worker's initializer: ignore Ctrl-C, warm up, and leave quickly when the
    pool shuts down.

    The worker was spawned with SIGINT blocked (:func:`_sigint_blocked`); ignoring it
    also drops one that was pressed while it started. The driver handles Ctrl-C.

    A worker holds nothing to tidy once the pool shuts it down: its results are sent
    and its parts written (atomically, before the result). Tearing its interpreter
    down (freeing the segmenter's dictionary and every module's objects) took 0.2 to
    0.4 s, which the driver spent waiting at the end of every run. The worker now
    exits straight after multiprocessing's own exit handlers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if warm_up is not None:
        warm_up()
    # Lowest priority: after the queues' handlers (which flush and join), last of all.
    multiprocessing.util.Finalize(None, _exit_now, exitpriority=-100)


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(0)


class _Shared:
    """The partitions of one :meth:`Workers.run`, taken by the driver and the feeder."""

    def __init__(self, parts: Sequence[Any], bar: Any) -> None:
        self.parts, self.bar = parts, bar
        self.results: list[Any] = [None] * len(parts)
        self.todo = deque(range(len(parts)))
        self.lock = threading.Lock()
        self.failed: list[BaseException] = []
        self.wake: Future[None] = Future()

    def take(self, front: bool) -> int | None:
        with self.lock:
            if not self.todo:
                return None
            return self.todo.popleft() if front else self.todo.pop()

    def left(self) -> bool:
        with self.lock:
            return bool(self.todo)

    def done(self, i: int, value: Any) -> None:
        with self.lock:
            self.results[i] = _tick(self.bar, value)

    def fail(self, err: BaseException) -> None:
        with self.lock:
            self.failed.append(err)
            self.todo.clear()


def _bar(total: int, desc: str | None = None):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc or "corpus partitions", unit="part")


def _tick(bar: Any, value: R) -> R:
    if bar is not None:
        bar.update(1)
    return value


def _dask_map(client, fn, parts, bar, kwargs) -> list:
    # Scatter first: the partitions (file references, not bytes) go to the workers as
    # data rather than embedded in the task graph the scheduler holds.
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


def release_memory(*, parent: bool = False) -> None:
    """Give freed memory back to the system: Arrow's memory pool (which keeps what
    it freed for reuse) and glibc's heap (``malloc_trim``).

    A worker that has finished a partition otherwise keeps the partition's peak
    resident while it waits, e.g. through the parent's duplicate search; the
    peak itself (:func:`peak_rss_mb`) is unchanged. In the driving process it does
    nothing unless ``parent`` is true: a serial run keeps its memory for the next
    partition, and only once all partitions are done (:func:`drive`) is it worth
    giving back.
    """
    if multiprocessing.parent_process() is None and not parent:
        return
    if "pyarrow" in sys.modules:  # never import it only to release nothing
        sys.modules["pyarrow"].default_memory_pool().release_unused()
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


# --- the driver --------------------------------------------------------------------------


@dataclass
class PartitionResult:
    """What one partition sends back to the driver (:func:`load_partition`).

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
        for :class:`CorpusSink`, nothing for a sink that wrote them).
    """

    index: int
    files: list[dict[str, Any]]
    sketches: CorpusSketches
    n_segments: int
    peak_mb: float
    kept: Any = None


class Sink(Protocol):
    """Where the driver (:func:`drive`) sends each partition's tables, and what it
    asks of them afterwards; :class:`CorpusSink`, :class:`workbench.pipeline.MemorySink`
    and :class:`workbench.stream.ParquetSink`."""

    def write_part(self, index: int, tables: FileTables, *analysed: Any) -> Any:
        """In the partition's process: keep or write one partition's tables, with what
        the caller's analysis of them gave (``analyse`` of :func:`drive`, if any)."""

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], run: Callable[..., list]
    ) -> None:
        """In the driver: every partition's result, the files skipped at discovery."""

    def unit_texts(
        self, sketches: CorpusSketches, threshold: float, run: Callable[..., list]
    ) -> Sequence[TextSource]:
        """Articles' and paragraphs' ``texts(positions)`` for
        :func:`workbench.corpus.duplicates.find_marks`."""

    def apply_marks(self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]) -> None:
        """Mark the duplicates found on every partition's tables."""

    def result(self) -> Any:
        """What the run gives back."""


@releasing
def load_partition(
    item: tuple[int, Sequence[FileRef]],
    *,
    sink: Sink,
    skip_bad: bool = False,
    dup_threshold: float = DUP_THRESHOLD,
    analyse: Callable[[pd.DataFrame], tuple] | None = None,
) -> PartitionResult:
    """The per-partition stage of every corpus: read, load, analyse, sketch, and hand the
    tables to ``sink``.

    Parameters
    ----------
    item : (int, sequence of FileRef)
        The partition's index and its files, in corpus order (:func:`partition` of
        :attr:`workbench.corpus.Sources.files`, found lazily).
    sink : Sink
        Receives the partition's tables, followed by what ``analyse`` gave
        (:meth:`Sink.write_part`).
    skip_bad : bool
        Record unreadable files as skipped instead of raising.
    dup_threshold : float, default :data:`workbench.corpus.dedup.DUP_THRESHOLD`
        The lowest near-duplicate threshold the partition's sketches will be searched at.
    analyse : callable, optional
        The caller's work on the partition's segments table, returning a tuple (e.g.
        :func:`workbench.pipeline.analyse_segments`: tokens and coding); a module-level
        function or a ``functools.partial`` of one, so that it can be pickled.

    Examples
    --------
    >>> from workbench.corpus import gather_sources
    >>> files = gather_sources().files
    >>> res = load_partition((0, files[:2]), sink=CorpusSink())
    >>> res.index, len(res.files), res.n_segments == len(res.kept.segments)
    (0, 2, True)
    """
    from workbench.corpus import FileTables, load_refs_results
    from workbench.corpus.duplicates import sketch_segments

    index, refs = item
    tables = FileTables.of(load_refs_results(refs, skip_bad=skip_bad))
    analysed = () if analyse is None else analyse(tables.segments)
    sketches = sketch_segments(tables.segments, threshold=dup_threshold)
    kept = sink.write_part(index, tables, *analysed)
    return PartitionResult(
        index=index, files=tables.files, sketches=sketches, n_segments=len(tables.segments),
        peak_mb=peak_rss_mb(), kept=kept,
    )  # fmt: skip


class CorpusSink:
    """Keeps every partition's tables in memory and gives the corpus, its duplicates
    marked (what :func:`workbench.corpus.load_corpus` returns).

    Parameters
    ----------
    skip_bad : bool
        As given to :func:`drive`; recorded in ``Corpus.parameters``.
    dup_threshold : float, default :data:`workbench.corpus.dedup.DUP_THRESHOLD`
        As given to :func:`drive`; recorded in ``Corpus.parameters``.

    Examples
    --------
    >>> from workbench.corpus import gather_sources
    >>> corpus = drive(gather_sources(), CorpusSink(dup_threshold=0.9),
    ...                dup_threshold=0.9)
    >>> corpus.parameters
    {'dup_threshold': 0.9, 'skip_bad': False}
    """

    def __init__(self, *, skip_bad: bool = False, dup_threshold: float = DUP_THRESHOLD) -> None:
        self.skip_bad, self.dup_threshold = skip_bad, dup_threshold

    def write_part(self, index: int, tables: FileTables) -> FileTables:
        return tables

    def collect(
        self, parts: list[PartitionResult], skipped: list[Any], run: Callable[..., list]
    ) -> None:
        from workbench.corpus import FileTables, unmarked
        from workbench.corpus.duplicates import CorpusUnits

        tables = FileTables.concat([FileTables.of(skipped), *(p.kept for p in parts)])
        self.corpus = unmarked(tables, skip_bad=self.skip_bad, dup_threshold=self.dup_threshold)
        segs = self.corpus.segments
        self.units = None if segs.empty else CorpusUnits(segs)

    def unit_texts(
        self, sketches: CorpusSketches, threshold: float, run: Callable[..., list]
    ) -> Sequence[TextSource]:
        if self.units is None:  # nothing to read: no unit to compare
            return [_no_texts, _no_texts]
        return self.units.texts(sketches, threshold)

    def apply_marks(self, art: pd.DataFrame, para: pd.DataFrame, run: Callable[..., list]) -> None:
        from workbench.corpus.duplicates import mark_empty

        if self.units is None:
            mark_empty(self.corpus)
        else:
            self.units.apply(self.corpus, art, para)

    def result(self) -> Corpus:
        return self.corpus


def _no_texts(positions: list[int]) -> list[str]:
    return ["" for _ in positions]


def drive(
    found: Sources,
    sink: Sink,
    *,
    analyse: Callable[[pd.DataFrame], tuple] | None = None,
    warm_up: Callable[[], Any] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    run: Callable[..., list] | None = None,
    skip_bad: bool = False,
    dup_threshold: float = DUP_THRESHOLD,
    desc: str | None = None,
    pool: Workers | None = None,
) -> Any:
    """The one driver of every corpus: :func:`workbench.corpus.load_corpus`,
    :func:`workbench.pipeline.run_pipeline` and :func:`workbench.stream.build_corpus`
    are calls of it.

    Cuts ``found``'s files into partitions (:func:`partition`), runs
    :func:`load_partition` over them (serially, in processes or on Dask:
    :func:`runner`), which hands each partition's tables to ``sink``; then finds the
    duplicates over the whole corpus from the partitions' sketches
    (:func:`workbench.corpus.duplicates.find_marks`, reading texts through the sink) and has
    the sink mark them.

    Parameters
    ----------
    found : workbench.corpus.Sources
        The files, found lazily (:func:`workbench.corpus.gather_sources`).
    sink : Sink
        :class:`CorpusSink`, :class:`workbench.pipeline.MemorySink` or
        :class:`workbench.stream.ParquetSink`.
    analyse : callable, optional
        The caller's work per partition (see :func:`load_partition`).
    warm_up : callable, optional
        What a started worker loads first (see :func:`runner`); unused with ``run``.
    workers, scheduler
        Where partitions run (see :func:`map_partitions`).
    run : callable, optional
        A started :func:`runner` to use instead of starting one from ``workers`` and
        ``scheduler`` (``workers`` then only sizes the partitions).
    skip_bad, dup_threshold
        As for :func:`load_partition`; ``dup_threshold`` is also the Jaccard similarity
        at which articles and paragraphs are near duplicates.
    desc : str, optional
        Label of the progress bar over partitions.
    pool : Workers, optional
        Workers started already (see :func:`runner`); unused with ``run``.

    Returns
    -------
    object
        ``sink.result()``.

    Examples
    --------
    >>> from workbench.corpus import gather_sources
    >>> found = gather_sources()
    >>> with runner() as run:              # serial; workers only sizes the partitions
    ...     corpus = drive(found, CorpusSink(), workers=2, run=run)
    >>> len(corpus.documents), len(corpus.duplicates) > 0
    (14, True)
    """
    from workbench.corpus.duplicates import CorpusSketches, find_marks

    # A local pool takes partitions from both ends (Dask from the front).
    if run is not None:
        both_ends = getattr(run, "both_ends", False)
    else:
        both_ends = scheduler is None and (pool is not None or (workers or 1) > 1)
    parts = list(enumerate(partition(found.files, workers, both_ends=both_ends)))
    with contextlib.ExitStack() as stack:
        if run is None:
            run = stack.enter_context(
                runner(workers, scheduler, found.progress, warm_up=warm_up, pool=pool)
            )
        analysed = run(
            load_partition, parts, desc=desc, sink=sink, skip_bad=skip_bad,
            dup_threshold=dup_threshold, analyse=analyse,
        )  # fmt: skip
        sink.collect(analysed, found.skipped(), run)
        release_memory(parent=True)  # the duplicate search is the driver's peak
        sketches = CorpusSketches.concat([a.sketches for a in analysed])
        # Each partition keeps views of the whole instead of its own copy: the sketches
        # are held once through the search (a copy is about 400 MB at 1 GB of text).
        for a, view in zip(analysed, sketches.split([a.sketches for a in analysed]), strict=True):
            a.sketches = view
        texts = sink.unit_texts(sketches, dup_threshold, run)
        art, para = find_marks(sketches, texts, dup_threshold)
        sink.apply_marks(art, para, run)
    return sink.result()
