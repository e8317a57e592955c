"""Measure the corpus pipeline against plain jieba: whole processes first, then diagnostics.

    .venv/bin/python benchmarks/run.py [--size 20MB] [--workers N] [--dask] [--json]
                                       [--quick] [--out FILE.json] [--repeat N] [--no-process]
    .venv/bin/python benchmarks/run.py --memory 20MB,200MB [--workers N]

**Headline: whole processes, as a user runs them.** The ``workbench pipeline`` command
(one worker and ``--workers N``) against a script running plain ``jieba.lcut`` on every
line, each a fresh process, interleaved round by round (``--repeat N`` rounds), on two
generated corpora of ``--size`` each: ~8 KB one-article files and ~100 KB multi-article
files; medians and per-round ratios to the baseline. These figures come from
``benchmarks/pipeline_process.py`` (:func:`pipeline_process.report`), which owns that
measurement and also runs on its own; ``--no-process`` leaves them out.

**Diagnostics: in-process stage timings.** Generates (or reuses, from
``data/processed/bench/``) a corpus with ``benchmarks/generate.py`` (~100 KB files, with
copies, Traditional script and GB18030 files), warms jieba, OpenCC and the codebook on the
seeds, then times inside this process (start-up, imports and the command line excluded, so
not what a user waits for) on the same files:

* the baseline: plain ``jieba.lcut`` on every paragraph (line), one process;
* each stage alone: decode, clean + structure, script normalisation, duplicates,
  word segmentation (:mod:`workbench.corpus.tokens`, with jieba and with jieba-rs:
  ``engine="rjieba"``), coding, co-occurrence;
* the agreement of the two segmentation engines (share of segments tokenised
  identically, :func:`workbench.corpus.tokens.agreement`);
* the whole pipeline (:func:`workbench.pipeline.run_pipeline`) serially and with
  ``--workers`` processes (and on a local Dask cluster with ``--dask``), checking
  that every parallel output equals the serial one;
* the streamed build (:func:`workbench.stream.build_corpus`, Parquet parts)
  serially and with ``--workers``, checking its tables equal the in-memory run's;
* the in-process figures the earlier targets compared (baseline, pipeline in one
  process and with warmed workers, in memory and streamed) once more in a fresh,
  warmed interpreter that does nothing else (this process holds the earlier
  figures' data) ``--repeat N`` times, interleaved round by round so
  that a change in this machine's speed touches them alike; the table shows their
  medians, and each speed-up is also given per round. Workers started in the run
  are compared with this process's own serial runs.

``--memory SIZES`` instead runs only the streamed build at each size in a fresh
interpreter and prints its peak memory (parent and largest partition task), to
show that memory follows the partition size, not the corpus size.

Prints the headline table, then MB/s of input of each diagnostic figure, its ratio to the
in-process baseline's MB/s, and the peak resident memory of this process and of its
largest child; ``--json``/``--out`` give the record as JSON (the headline under
``whole_process``, the diagnostics beside it). Ratios within one run are what to compare
across machines; no test asserts on them.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or imported
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))  # same_tables

import generate  # benchmarks/generate.py, beside this file
import pipeline_process  # benchmarks/pipeline_process.py: the whole-process headline

from workbench import config

QUICK_SIZE = "1MB"


def cached_corpus(size: str, seed: int, cache_dir: Path, progress: bool) -> Path:
    """Folder of a generated corpus, generated once per (size, seed, generator version)."""
    nbytes = generate.parse_size(size)
    folder = cache_dir / f"gen-{nbytes}-seed{seed}-v{generate.GENERATOR_VERSION}"
    done = folder / "GENERATED.json"
    if not done.exists():
        stats = generate.generate(folder / "files", size=nbytes, seed=seed, progress=progress)
        done.write_text(json.dumps(asdict(stats), indent=2), encoding="utf-8")
    return folder / "files"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    # Results held from earlier figures would make the collector's full passes
    # slower and slower; frozen, they are not scanned, so every figure is measured
    # as if it ran first.
    gc.collect()
    gc.freeze()
    try:
        t0 = time.perf_counter()
        out = fn()
        return time.perf_counter() - t0, out
    finally:
        gc.unfreeze()


def _peak_mb() -> dict[str, float]:
    # ru_maxrss is in KiB on Linux (bytes on macOS); children: the largest child that ended.
    scale = 1 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 1e6
    return {"peak_rss_mb_self": round(own, 1), "peak_rss_mb_largest_child": round(kids, 1)}


def same_outputs(a: Any, b: Any) -> bool:
    """Whether two :class:`~workbench.pipeline.PipelineResult` are identical."""
    import pandas as pd

    try:
        for name in ("documents", "segments", "duplicates", "files", "removed"):
            pd.testing.assert_frame_equal(getattr(a.corpus, name), getattr(b.corpus, name))
        pd.testing.assert_frame_equal(a.coding.long, b.coding.long)
        pd.testing.assert_frame_equal(a.coding.units, b.coding.units)
    except AssertionError:
        return False
    return (
        a.tokens.tolist() == b.tokens.tolist()
        and (a.coding.matrix != b.coding.matrix).nnz == 0
        and (a.cooccurrence != b.cooccurrence).nnz == 0
    )


def warm_up() -> None:
    """Load jieba (plain and ours), jieba-rs, OpenCC and the codebook: loading is not measured."""
    import jieba

    from workbench.corpus.tokens import tokenize
    from workbench.pipeline import run_pipeline

    jieba.setLogLevel(60)
    jieba.lcut("预热")
    tokenize("预热", engine="rjieba")
    run_pipeline(progress=False)


def stage_times(paths: list[Path]) -> tuple[dict[str, float], Any, float]:
    """Seconds of the baseline and of each stage alone; the serial corpus; and the
    share of segments jieba-rs tokenises exactly as jieba."""
    import jieba

    from workbench.coding.codebook import load_codebook
    from workbench.coding.coder import code_segments
    from workbench.corpus import articles, boilerplate, load_corpus, structure
    from workbench.corpus.dedup import DUP_THRESHOLD
    from workbench.corpus.duplicates import mark_duplicates
    from workbench.corpus.load import _sentences
    from workbench.corpus.readers import discover, extract_text
    from workbench.corpus.script import to_simplified
    from workbench.corpus.tokens import tokenize
    from workbench.pipeline import cooccurrence

    sources = discover(paths)
    t: dict[str, float] = {}
    t["decode"], decoded = _timed(lambda: [extract_text(s)[0] for s in sources])
    lines = _lines(decoded)
    t["baseline_jieba_lcut"], _ = _timed(lambda: [jieba.lcut(ln) for ln in lines])

    def clean_structure() -> list[str]:
        out = []
        for text in decoded:
            for art in articles.split_articles(boilerplate.strip_boilerplate(text)):
                for para in structure.parse_structure(art.lines):
                    out += [s for s, _ in _sentences(para)]
        return out

    t["clean_structure"], sentences = _timed(clean_structure)
    t["script_normalise"], _ = _timed(lambda: [to_simplified(s) for s in sentences])
    corpus = load_corpus(paths, progress=False)
    t["duplicates"], _ = _timed(lambda: mark_duplicates(corpus, threshold=DUP_THRESHOLD))
    texts = corpus.segments["text"].tolist()
    t["segment_words"], by_jieba = _timed(lambda: [tokenize(x, engine="jieba") for x in texts])
    t["segment_words_rjieba"], by_rjieba = _timed(
        lambda: [tokenize(x, engine="rjieba") for x in texts]
    )
    # Same figure as workbench.corpus.tokens.agreement(texts), without segmenting twice more.
    same = sum(x == y for x, y in zip(by_jieba, by_rjieba, strict=True))
    agreement = same / len(texts) if texts else 1.0
    cb = load_codebook()
    t["coding"], coding = _timed(lambda: code_segments(corpus.segments, cb, "sentence"))
    # The reference path: every code's rules on every sentence, one at a time; same output.
    t["coding_plain"], plain = _timed(
        lambda: code_segments(corpus.segments, cb, "sentence", prefilter=False)
    )
    same_coding = (
        coding.long.to_csv(index=False) == plain.long.to_csv(index=False)
        and coding.units.equals(plain.units)
        and (coding.matrix != plain.matrix).nnz == 0
    )
    if not same_coding:
        raise AssertionError("coding over the literal scan differs from the plain path")
    t["cooccurrence"], _ = _timed(lambda: cooccurrence(coding))
    return t, corpus, agreement


def pipeline_times(paths: list[Path], workers: int, dask: bool) -> dict[str, Any]:
    """Seconds of the whole pipeline serially, with ``workers`` processes and on Dask."""
    from same_tables import differences  # tests/same_tables.py: the tests' check, reused

    from workbench.pipeline import run_pipeline, runner
    from workbench.stream import build_corpus

    out: dict[str, Any] = {}
    out["pipeline_serial"], serial = _timed(lambda: run_pipeline(paths))
    out["pipeline_workers"], pooled = _timed(lambda: run_pipeline(paths, workers=workers))
    out["identical_workers"] = same_outputs(serial, pooled)
    with runner(workers, warm=True) as run:  # started and warmed, as the serial run is
        out["pipeline_workers_warm"], pooled = _timed(
            lambda: run_pipeline(paths, workers=workers, run=run)
        )
    out["identical_workers_warm"] = same_outputs(serial, pooled)
    if dask:
        out["pipeline_dask"], dasked = _timed(
            lambda: run_pipeline(paths, workers=workers, scheduler="local")
        )
        out["identical_dask"] = same_outputs(serial, dasked)
    with tempfile.TemporaryDirectory() as tmp:
        out["pipeline_stream_serial"], _ = _timed(lambda: build_corpus(paths, Path(tmp) / "s"))
        out["identical_stream"] = differences(Path(tmp) / "s", serial) == []
        out["pipeline_stream_workers"], built = _timed(
            lambda: build_corpus(paths, Path(tmp) / "w", workers=workers)
        )
        out["identical_stream_workers"] = differences(Path(tmp) / "w", serial) == []
        out["peak_rss_mb_stream_partition"] = built.peak_rss_mb["partition"]
        # As the serial figures, with the workers started and warmed up beforehand.
        with runner(workers, warm=True) as run:
            out["pipeline_stream_workers_warm"], _ = _timed(
                lambda: build_corpus(paths, Path(tmp) / "ww", workers=workers, run=run)
            )
        out["identical_stream_workers_warm"] = differences(Path(tmp) / "ww", serial) == []
    out["segments"] = len(serial.corpus.segments)
    out["duplicate_units"] = len(serial.corpus.duplicates)
    return out


#: Figures the targets compare, measured in a fresh interpreter in every round.
ROUND_FIGURES = (
    "baseline_jieba_lcut", "pipeline_serial", "pipeline_workers_warm",
    "pipeline_stream_serial", "pipeline_stream_workers_warm",
)  # fmt: skip

#: Per-round speed-ups: (name, numerator figure, denominator figure), as seconds ratios.
ROUND_RATIOS = (
    ("serial_over_baseline", "baseline_jieba_lcut", "pipeline_serial"),
    ("warm_workers_over_serial", "pipeline_serial", "pipeline_workers_warm"),
    ("stream_warm_workers_over_serial", "pipeline_stream_serial", "pipeline_stream_workers_warm"),
)

_ROUNDS_RUN = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import run
run.warm_up()
print(json.dumps(run.rounds([Path(sys.argv[2])], int(sys.argv[3]), int(sys.argv[4]))))
"""


def _lines(decoded: list[str]) -> list[str]:
    """The baseline's input: every non-blank line of the decoded files."""
    return [ln for text in decoded for ln in text.splitlines() if ln.strip()]


def rounds(paths: list[Path], workers: int, n: int) -> dict[str, list[float]]:
    """Seconds of :data:`ROUND_FIGURES` in ``n`` interleaved rounds, in this process.

    Outputs are checked identical by :func:`pipeline_times`; the code is
    deterministic, so the rounds do not check them again.
    """
    import jieba

    from workbench.corpus.readers import discover, extract_text
    from workbench.pipeline import run_pipeline, runner
    from workbench.stream import build_corpus

    lines = _lines([extract_text(s)[0] for s in discover(paths)])
    out: dict[str, list[float]] = {k: [] for k in ROUND_FIGURES}
    jobs = {
        "baseline_jieba_lcut": lambda run, tmp: [jieba.lcut(ln) for ln in lines],
        "pipeline_serial": lambda run, tmp: run_pipeline(paths),
        "pipeline_workers_warm": lambda run, tmp: run_pipeline(paths, workers=workers, run=run),
        "pipeline_stream_serial": lambda run, tmp: build_corpus(paths, tmp),
        "pipeline_stream_workers_warm": lambda run, tmp: build_corpus(
            paths, tmp, workers=workers, run=run
        ),
    }
    with runner(workers, warm=True) as run:
        for _ in range(n):
            for name in ROUND_FIGURES:
                with tempfile.TemporaryDirectory() as tmp:
                    seconds, _ = _timed(lambda name=name, tmp=tmp: jobs[name](run, Path(tmp) / "o"))
                out[name].append(seconds)
    return out


def fresh_rounds(folder: Path, workers: int, n: int) -> dict[str, list[float]]:
    """:func:`rounds` in a fresh interpreter (warmed up first, as this process is)."""
    bench = Path(__file__).resolve().parent
    proc = subprocess.run(
        [sys.executable, "-c", _ROUNDS_RUN, str(bench), str(folder), str(workers), str(n)],
        stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    if proc.returncode:
        raise RuntimeError(f"the timing rounds failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _rounds(samples: dict[str, list[float]]) -> dict[str, Any]:
    """Samples per figure, their medians, and the per-round speed-ups."""
    samples = {k: [round(x, 3) for x in v] for k, v in samples.items()}
    ratios = {
        name: [round(a / b, 2) for a, b in zip(samples[num], samples[den], strict=True)]
        for name, num, den in ROUND_RATIOS
    }
    return {
        "samples": samples,
        "medians": {k: statistics.median(v) for k, v in samples.items()},
        "ratios_per_round": ratios,
        "ratio_medians": {k: statistics.median(v) for k, v in ratios.items()},
    }


def machine() -> dict[str, Any]:
    """Where the figures were taken."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(), "memory_gib": round(mem, 1), "python": platform.python_version(),
        "platform": platform.platform(),
    }  # fmt: skip


def record(
    size: str,
    workers: int,
    seed: int,
    dask: bool,
    cache_dir: Path,
    repeat: int = 1,
    process: bool = True,
) -> dict[str, Any]:
    """Run everything and return the JSON record (medians of ``repeat`` rounds).

    With ``process``, the whole-process headline (:func:`pipeline_process.report`) runs
    first, before this process loads anything, and is kept under ``whole_process``.
    """
    whole = pipeline_process.report(size, repeat, workers) if process else None
    folder = cached_corpus(size, seed, cache_dir, progress=sys.stderr.isatty())
    paths = [folder]
    mb = sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6
    warm_up()
    stages, _, agreement = stage_times(paths)
    pipe = pipeline_times(paths, workers, dask)
    seconds = {**stages, **{k: v for k, v in pipe.items() if k.startswith("pipeline_")}}
    in_process = {k: round(seconds[k], 3) for k in ROUND_FIGURES}
    # Workers started in the run are timed in this process only: compare them with its
    # own serial runs, measured in the same state.
    cold = {
        "workers_over_serial": round(pipe["pipeline_serial"] / pipe["pipeline_workers"], 2),
        "stream_workers_over_serial": round(
            pipe["pipeline_stream_serial"] / pipe["pipeline_stream_workers"], 2
        ),
    }
    timed = _rounds(fresh_rounds(folder, workers, repeat))
    seconds.update(timed["medians"])
    pipe.update({k: v for k, v in timed["medians"].items() if k in pipe})
    base = mb / seconds["baseline_jieba_lcut"]
    figures = {
        k: {"s": round(v, 3), "mb_s": round(mb / v, 3), "x_baseline": round(mb / v / base, 2)}
        for k, v in seconds.items()
    }
    return {
        "whole_process": whole,
        "diagnostics": "the keys below: in-process stage timings, warmed, on one corpus of "
                       "~100 KB files (not what a user waits for; see whole_process)",
        "corpus_mb": round(mb, 3), "files": len(list(folder.glob("*.txt"))), "seed": seed,
        "workers": workers, "segments": pipe["segments"],
        "duplicate_units": pipe["duplicate_units"], "figures": figures,
        **cold,
        "warm_workers_over_serial": round(
            pipe["pipeline_serial"] / pipe["pipeline_workers_warm"], 2
        ),
        "rjieba_over_jieba": round(stages["segment_words"] / stages["segment_words_rjieba"], 2),
        "rjieba_agreement": round(agreement, 5),
        "coding_scan_speedup": round(stages["coding_plain"] / stages["coding"], 2),
        "stream_warm_workers_over_serial": round(
            pipe["pipeline_stream_serial"] / pipe["pipeline_stream_workers_warm"], 2
        ),
        **{k: v for k, v in pipe.items() if k.startswith(("identical", "peak_rss_mb_stream"))},
        "rounds": repeat, **{k: v for k, v in timed.items() if k != "medians"},
        "in_process": in_process,
        **_peak_mb(), "machine": machine(),
    }  # fmt: skip


_MEMORY_RUN = """
import json, sys
from workbench.stream import build_corpus
s = build_corpus([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3]), unit="sentence")
print(json.dumps({"segments": s.segments, "parts": s.parts, **s.peak_rss_mb}))
"""


def memory_scaling(sizes: list[str], workers: int, seed: int, cache_dir: Path) -> list[dict]:
    """Peak memory of a streamed build (:func:`workbench.stream.build_corpus`) per corpus size.

    Each build runs in a fresh interpreter, so the parent's figure is its own; the
    partition figure is the largest high-water mark any partition task reported;
    ``all`` is the largest sum of the resident memory of the build and all its
    worker processes at one moment (sampled four times a second).
    """
    rows = []
    for size in sizes:
        folder = cached_corpus(size, seed, cache_dir, progress=sys.stderr.isatty())
        mb = sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-c", _MEMORY_RUN, str(folder), str(Path(tmp) / "out"),
                 str(workers)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            total = _tree_peak_mb(proc)
            out, _ = proc.communicate()
            seconds = time.perf_counter() - t0
            if proc.returncode:
                raise RuntimeError(f"the {size} build failed (exit {proc.returncode})")
        got = json.loads(out.strip().splitlines()[-1])
        rows.append({"size": size, "corpus_mb": round(mb, 1), "s": round(seconds, 1),
                     "mb_s": round(mb / seconds, 3), **got, "all": total})  # fmt: skip
    return rows


def _tree_peak_mb(proc: subprocess.Popen) -> float:
    """Largest summed resident memory of ``proc`` and its descendants until it exits."""
    import psutil

    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = 0
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):  # a worker that just ended
                rss += p.memory_info().rss
        peak = max(peak, rss)
        time.sleep(0.25)
    return round(peak / 1e6, 1)  # MB, as peak_rss_mb


def print_memory(rows: list[dict]) -> None:
    print(f"{'corpus MB':>10} {'parts':>6} {'seconds':>8} {'MB/s':>7} {'parent MB':>10} "
          f"{'partition MB':>13} {'all processes MB':>17}")  # fmt: skip
    for r in rows:
        print(f"{r['corpus_mb']:>10} {r['parts']:>6} {r['s']:>8} {r['mb_s']:>7} "
              f"{r['parent']:>10} {r['partition']:>13} {r['all']:>17}")  # fmt: skip


def print_record(rec: dict[str, Any]) -> None:
    whole = rec.get("whole_process")
    if whole is not None:
        print(
            f"== Headline: whole processes (workbench pipeline against plain jieba), median "
            f"of {whole['repeat']} interleaved round(s); × = time / baseline's time, below 1 "
            "is faster =="
        )
        pipeline_process.print_report(whole)
        print()
    print("== Diagnostics: in-process stage timings (warmed; not what a user waits for) ==")
    print(f"corpus: {rec['corpus_mb']} MB in {rec['files']} files, {rec['segments']} segments, "
          f"workers={rec['workers']}")  # fmt: skip
    print(f"{', '.join(ROUND_FIGURES)}: measured in a fresh interpreter, median of "
          f"{rec['rounds']} round(s)")  # fmt: skip
    print(f"{'figure':>22} {'seconds':>9} {'MB/s':>8} {'x baseline':>11}")
    for name, f in rec["figures"].items():
        print(f"{name:>22} {f['s']:>9.3f} {f['mb_s']:>8.3f} {f['x_baseline']:>11.2f}")
    print(f"workers / serial speed-up: {rec['workers_over_serial']} (workers started in the "
          f"run), {rec['warm_workers_over_serial']} (started and warmed before)")  # fmt: skip
    print(f"segmentation jieba-rs / jieba speed-up: {rec['rjieba_over_jieba']}, "
          f"segments tokenised identically: {rec['rjieba_agreement']:.2%}")  # fmt: skip
    if "coding_plain" in rec["figures"]:
        fig = rec["figures"]
        print(
            f"coding MB/s: {fig['coding_plain']['mb_s']} rule by rule, sentence by sentence; "
            f"{fig['coding']['mb_s']} from one literal scan ({rec['coding_scan_speedup']}x), "
            "identical"
        )
    print(f"streamed build, workers / serial speed-up: {rec['stream_workers_over_serial']} "
          f"(workers started in the run), {rec['stream_warm_workers_over_serial']} "
          "(workers started and warmed before, as the serial run is)")  # fmt: skip
    if rec["rounds"] > 1:
        for name, values in rec["ratios_per_round"].items():
            print(f"{name} per round: {values}, median {rec['ratio_medians'][name]}")
    for k in ("identical_workers", "identical_workers_warm", "identical_dask", "identical_stream",
              "identical_stream_workers", "identical_stream_workers_warm", "peak_rss_mb_self",
              "peak_rss_mb_largest_child", "peak_rss_mb_stream_partition"):  # fmt: skip
        if k in rec:
            print(f"{k}: {rec[k]}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default=None, help=f"default 20MB ({QUICK_SIZE} with --quick)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dask", action="store_true", help="also run on a local Dask cluster")
    ap.add_argument("--quick", action="store_true", help=f"a {QUICK_SIZE} corpus")
    ap.add_argument("--json", action="store_true", help="print the record as JSON")
    ap.add_argument("--out", type=Path, help="also write the record to this JSON file")
    ap.add_argument(
        "--repeat", type=int, default=1, metavar="N",
        help="interleaved rounds of the whole-process headline and of the compared in-process "
        "figures (in a fresh interpreter); medians",
    )  # fmt: skip
    ap.add_argument(
        "--no-process", dest="process", action="store_false",
        help="leave out the whole-process headline (benchmarks/pipeline_process.py)",
    )  # fmt: skip
    ap.add_argument("--cache-dir", type=Path, default=config.PROCESSED_DIR / "bench")
    ap.add_argument(
        "--memory", metavar="SIZES",
        help="only measure the streamed build's peak memory at these sizes (e.g. 20MB,200MB)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    if args.memory:
        rows = memory_scaling(args.memory.split(","), args.workers, args.seed, args.cache_dir)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print_memory(rows)
        return {"memory": rows}
    size = args.size or (QUICK_SIZE if args.quick else "20MB")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    rec = record(size, args.workers, args.seed, args.dask, args.cache_dir, args.repeat,
                 args.process)  # fmt: skip
    text = json.dumps(rec, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print_record(rec)
    return rec


if __name__ == "__main__":
    main()
