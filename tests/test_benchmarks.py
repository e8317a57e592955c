"""Smoke test of the benchmark harness (``run.py --quick``, 1 MB): it completes, prints
its whole-process headline and its diagnostic figures, and every parallel output equals
the serial one. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys

import pytest

from workbench import config


def _load_run():
    bench = config.ROOT / "benchmarks"
    sys.path.insert(0, str(bench))  # run.py imports generate.py from beside it
    try:
        spec = importlib.util.spec_from_file_location("bench_run", bench / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
    return module


def test_quick_benchmark_completes_and_outputs_agree(tmp_path, capsys):
    run = _load_run()
    out = tmp_path / "record.json"
    # The documented smoke run: --quick (1 MB), with a second round of the compared figures.
    argv = ["--quick", "--workers", "2", "--cache-dir", str(tmp_path), "--out", str(out),
            "--repeat", "2"]  # fmt: skip
    rec = run.main(argv)
    printed = capsys.readouterr().out
    # The headline: whole processes on both corpus shapes (pipeline_process.report), printed
    # before the in-process figures, which are labelled as diagnostics.
    assert printed.index("Headline: whole processes") < printed.index("Diagnostics:")
    whole = rec["whole_process"]
    assert set(whole["corpora"]) == {"8KB files", "100KB files"} and whole["repeat"] == 2
    for corpus in whole["corpora"].values():
        (base, *others) = corpus["commands"].values()
        assert base["ratios_per_round"] == [1.0, 1.0] and len(others) == 2
        assert all(len(c["runs_s"]) == 2 and c["ratio_to_baseline"] > 0 for c in others)
    assert "workbench pipeline --workers 2" in printed and "per round:" in printed
    for name in ("baseline_jieba_lcut", "segment_words", "segment_words_rjieba", "coding",
                 "pipeline_serial", "pipeline_workers"):  # fmt: skip
        assert name in printed
        assert rec["figures"][name]["mb_s"] > 0
    assert "x baseline" in printed and "peak_rss_mb_self" in printed
    assert rec["identical_workers"] is True and rec["identical_workers_warm"] is True
    assert rec["identical_stream"] is True and rec["identical_stream_workers"] is True
    assert rec["identical_stream_workers_warm"] is True
    assert rec["figures"]["pipeline_stream_workers"]["mb_s"] > 0
    assert rec["rjieba_agreement"] >= 0.99 and "tokenised identically" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["corpus_mb"] >= 0.9
    # Two rounds of the compared figures in a fresh interpreter: the table shows their
    # medians; the record keeps this process's own first measurement beside them.
    assert rec["rounds"] == 2 and "per round" in printed and "fresh interpreter" in printed
    assert set(rec["in_process"]) == set(run.ROUND_FIGURES)
    for name in run.ROUND_FIGURES:
        samples = rec["samples"][name]
        assert len(samples) == 2
        assert rec["figures"][name]["s"] == round(statistics.median(samples), 3)
    assert len(rec["ratios_per_round"]["warm_workers_over_serial"]) == 2
    # The generated corpus is cached under a name that says how it was made.
    (folder,) = tmp_path.glob("gen-1000000-seed0-v*")
    assert (folder / "GENERATED.json").exists()


def test_memory_scaling_reports_parent_and_partition_peaks(tmp_path, capsys):
    run = _load_run()
    rec = run.main(["--memory", "0.2MB", "--workers", "1", "--cache-dir", str(tmp_path)])
    (row,) = rec["memory"]
    assert row["corpus_mb"] >= 0.2 and row["segments"] > 0 and row["parts"] >= 1
    assert row["parent"] > 0 and row["partition"] > 0 and row["all"] > 0
    assert "partition MB" in capsys.readouterr().out


def test_coding_transfer_skips_cleanly_without_the_dev_corpus(tmp_path, monkeypatch, capsys):
    """The project never needs ../shared: the transfer benchmark says it skipped and exits 0."""
    spec = importlib.util.spec_from_file_location(
        "bench_coding_transfer", config.ROOT / "benchmarks" / "coding_transfer.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "DEV", tmp_path / "no-such-dev-corpus")
    monkeypatch.setattr(sys, "argv", ["coding_transfer.py", "--report", "--out",
                                      str(tmp_path / "t.json")])  # fmt: skip
    assert module.main() == 0
    assert "skipped" in capsys.readouterr().out
    assert not (tmp_path / "t.json").exists()


def test_committed_transfer_figures_are_complete():
    """data/gold/transfer.json (read by notebook 02) holds every block with intervals."""
    rec = json.loads((config.GOLD_DIR / "transfer.json").read_text(encoding="utf-8"))
    for block in ("test", "seeds_to_dev_test", "dev_tune_to_seeds_heldout"):
        for coder in ("rules", "learned", "combined"):
            r = rec[block][coder]
            for k in ("kappa_P", "kappa_C", "kappa_M", "kappa_L", "macro_f1_specific"):
                lo, hi = r[f"{k}_ci"]
                assert -1 <= lo <= hi <= 1 and -1 <= r[k] <= 1, (block, coder, k)
    assert {row["dev_lines"] for row in rec["learning_curve"]} >= {0, 227}
    assert rec["codebook_version"] == "2.5"


def test_pipeline_process_benchmark_times_whole_processes(tmp_path):
    """benchmarks/pipeline_process.py runs the baseline and the pipeline as processes and
    reports medians and ratios for both corpora (a tiny size; no timing asserted)."""
    import subprocess

    out = tmp_path / "pp.json"
    subprocess.run([sys.executable, str(config.ROOT / "benchmarks" / "pipeline_process.py"),
                    "--size", "0.1MB", "--repeat", "1", "--workers", "1", "--out", str(out)],
                   check=True, capture_output=True, text=True)  # fmt: skip
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["corpora"]) == {"8KB files", "100KB files"}
    assert report["byte_compiled"] is True  # as an installed package would be
    for corpus in report["corpora"].values():
        ratios = [c["ratio_to_baseline"] for c in corpus["commands"].values()]
        assert corpus["files"] >= 1 and ratios[0] == 1.0 and all(r > 0 for r in ratios)
        assert all(len(c["ratios_per_round"]) == 1 for c in corpus["commands"].values())


EXTRA_CODINGS = ["dev_tune_extra.jsonl", "dev_tune_extra_second.jsonl"]


@pytest.mark.parametrize("name", EXTRA_CODINGS)
def test_extra_coded_lines_are_tune_part_only_and_hold_no_text(name):
    """data/gold/dev_tune_extra*.jsonl: unit ids and codebook codes of dev *tune* files only
    (never the test part), no text (the dev texts may not be redistributed)."""
    import csv

    from workbench.coding.codebook import load_codebook

    ids = set(load_codebook().ids)
    with open(config.GOLD_DIR / "dev_split.csv", encoding="utf-8") as fh:
        part = {row["file"]: row["part"] for row in csv.DictReader(fh)}
    with open(config.GOLD_DIR / name, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert len(rows) > 2000
    assert len({r["unit"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"unit", "codes", "batch"}, r
        file, line = r["unit"].rsplit(":", 1)
        assert part[file] == "tune" and line.isdigit(), r
        assert set(r["codes"]) <= ids, r


def test_the_second_extra_coding_codes_the_same_lines_in_the_same_batches():
    def rows(name):
        with open(config.GOLD_DIR / name, encoding="utf-8") as fh:
            return [(r["unit"], r["batch"]) for r in map(json.loads, fh)]

    assert rows(EXTRA_CODINGS[0]) == rows(EXTRA_CODINGS[1])


def test_extra_coded_lines_exist_in_the_dev_corpus():
    dev = config.ROOT.parent / "shared" / "corpus" / "dev"
    if not (dev / "units.jsonl").exists():
        pytest.skip(f"{dev} not found (the dev corpus is never bundled)")
    with open(dev / "units.jsonl", encoding="utf-8") as fh:
        units = {json.loads(line)["unit"] for line in fh}
    with open(config.GOLD_DIR / "dev_tune_extra.jsonl", encoding="utf-8") as fh:
        extra = [json.loads(line)["unit"] for line in fh]
    assert set(extra) <= units
