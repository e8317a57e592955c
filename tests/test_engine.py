"""The engine's runner: the driving process shares the partitions with its pool."""

from __future__ import annotations

import os
import time

import pytest

from workbench.engine import (
    MAX_PARTITION_BYTES,
    PARTITIONS_PER_WORKER,
    map_partitions,
    partition,
    release_memory,
    runner,
    spawn_workers,
)


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail_on(x: int) -> int:
    if x == 3:
        raise ValueError(f"bad partition {x}")
    return x * x


def test_the_driver_works_while_the_pool_starts():
    # A spawned worker takes a second or more to start; meanwhile this process runs
    # partitions itself, so both process ids appear and no partition is lost.
    pids = map_partitions(_pid_after, [0.2] * 12, workers=2)
    assert len(pids) == 12
    assert os.getpid() in pids
    assert len(set(pids)) <= 2


def test_results_keep_partition_order_whoever_runs_them():
    with runner(2, warm=True) as run:
        assert run(_fail_on, [0, 1, 2, 4, 5, 6, 7]) == [0, 1, 4, 16, 25, 36, 49]
        assert run(sorted, [[3, 1], [2], [9, 8, 7]]) == [[1, 3], [2], [7, 8, 9]]


def test_one_partition_runs_here_without_starting_a_pool():
    assert map_partitions(_pid_after, [0.0], workers=4) == [os.getpid()]


@pytest.mark.parametrize("warm", [False, True])
def test_an_error_in_a_partition_reaches_the_caller(warm):
    # Partition 3 runs here or in the pool depending on timing; either way it raises.
    with pytest.raises(ValueError, match="bad partition 3"), runner(2, warm=warm) as run:
        run(_fail_on, list(range(8)))


def test_workers_spawned_first_run_partitions_with_the_driver():
    # As `workbench pipeline` does: the workers start before the runner that uses them,
    # which leaves them to their starter; results still come in partition order.
    with spawn_workers(1) as pool:
        with runner(pool=pool, warm=True) as run:
            pids = run(_pid_after, [0.2] * 8)
        assert pool.executor is not None and pool.executor.submit(abs, -1).result() == 1
    assert len(pids) == 8 and os.getpid() in pids and len(set(pids)) == 2


def test_spawned_workers_are_not_for_dask():
    with (
        spawn_workers(1) as pool,
        pytest.raises(ValueError, match="Dask"),
        runner(scheduler="local", pool=pool),
    ):
        pass


def test_release_memory_gives_arrow_memory_back_only_where_asked(monkeypatch):
    import pyarrow as pa

    released = []

    class Pool:
        def release_unused(self):
            released.append(True)

    monkeypatch.setattr(pa, "default_memory_pool", lambda: Pool())
    release_memory()  # the driving process, between partitions: keeps its memory
    assert released == []
    release_memory(parent=True)  # all partitions done, before the duplicate search
    assert released == [True]


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_partitions_for_a_pool_shrink_towards_where_its_processes_meet(workers):
    items = list(range(4000))
    parts = partition(items, workers, both_ends=True)
    assert [x for p in parts for x in p] == items and all(parts)
    sizes = [len(p) for p in parts]
    # The pool takes from the front, the driver from the back: they meet (workers - 1)
    # / workers of the way, where the partitions are smallest; the first ones taken
    # at either end are the largest.
    meet = len(items) * (workers - 1) / workers
    ends = [sum(sizes[: k + 1]) for k in range(len(sizes))]
    at = min(range(len(ends)), key=lambda k: abs(ends[k] - meet))
    assert max(sizes[at : at + 2]) < len(items) / (PARTITIONS_PER_WORKER * workers)
    assert max(sizes) in (sizes[0], sizes[-1]) and min(sizes[0], sizes[-1]) >= 4 * min(sizes)
    # Fewer than equal partitions would make, the last ones smaller.
    assert len(parts) <= PARTITIONS_PER_WORKER * workers
    assert min(sizes) < len(items) / (PARTITIONS_PER_WORKER * workers)


def test_partitions_for_a_pool_stay_within_the_byte_bound():
    from workbench.corpus.readers import FileRef

    big = MAX_PARTITION_BYTES // 4
    files = [FileRef(f"{i}.txt", f"{i}.txt", f"{i}.txt", "", big) for i in range(100)]
    parts = partition(files, 2, both_ends=True)
    assert [f for p in parts for f in p] == files
    assert max(sum(f.size for f in p) for p in parts) <= MAX_PARTITION_BYTES
    assert min(len(p) for p in parts) < 4  # tapered near the middle, even at scale


def test_partitions_for_one_process_or_dask_are_equal():
    assert [len(p) for p in partition(list(range(20)), 1, both_ends=True)] == [3, 2] * 4
    assert [len(p) for p in partition(list(range(32)), 2)] == [2] * 16


def test_a_runner_says_whether_its_pool_takes_partitions_from_both_ends():
    with runner() as serial:
        assert serial.both_ends is False
    with runner(2) as pooled:
        assert pooled.both_ends is True


# A pool whose one worker is sent SIGINT (as Ctrl-C sends it to the terminal's whole
# process group) while it is still starting, before any code of ours runs in it; then
# the pool is asked to work.
_INTERRUPTED_WHILE_STARTING = """
import os, signal, sys, time
from workbench.engine import runner, spawn_workers
with spawn_workers(1) as pool:
    time.sleep(float(sys.argv[1]))  # into the worker's start-up, in Python already
    for pid in list(pool.executor._processes):
        os.kill(pid, signal.SIGINT)
    with runner(pool=pool) as run:
        print(sorted(set(run(sum, [[1, 2], [3], [4], [5]]))))
    print(pool.pings[0].result() > 0)  # the worker started (BrokenProcessPool if not)
"""


@pytest.mark.parametrize("delay", [0.05, 0.15])
def test_a_worker_interrupted_while_starting_ignores_it(delay):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_WHILE_STARTING, str(delay)], capture_output=True,
        text=True, timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    # The worker printed a KeyboardInterrupt traceback of its imports and the pool broke.
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0
    assert done.stdout.split("\n")[:2] == ["[3, 4, 5]", "True"]


def test_ctrl_c_stops_the_workers_at_once():
    import functools

    # The worker warms up for 20 s; Ctrl-C in the driver does not wait for it.
    began = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), spawn_workers(1, functools.partial(time.sleep, 20)):
        time.sleep(0.5)
        raise KeyboardInterrupt
    assert time.perf_counter() - began < 10


def test_ctrl_c_while_workers_spawn_is_raised_once_they_are_spawned():
    import signal

    from workbench.engine import _sigint_blocked

    reached = False
    with pytest.raises(KeyboardInterrupt), _sigint_blocked():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # a KeyboardInterrupt here cut a worker's start-up data short
        reached = True
    assert reached
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
