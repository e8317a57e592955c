"""Parallel and distributed runs of the pipeline give exactly the serial run's outputs."""

from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest

from workbench.cli import main
from workbench.corpus import load_corpus
from workbench.corpus.readers import FileRef
from workbench.corpus.tokens import TOKENS_TYPE, tokenize, tokenize_many
from workbench.engine import dask_client, map_partitions, partition
from workbench.pipeline import run_pipeline, runner, warm_up


@pytest.fixture(scope="module")
def serial(generated):
    return run_pipeline([generated])


def assert_same(a, b) -> None:
    for name in ("documents", "segments", "duplicates", "files", "removed"):
        pd.testing.assert_frame_equal(getattr(a.corpus, name), getattr(b.corpus, name))
    assert a.tokens.tolist() == b.tokens.tolist()
    pd.testing.assert_frame_equal(a.coding.long, b.coding.long)
    pd.testing.assert_frame_equal(a.coding.units, b.coding.units)
    assert (a.coding.matrix != b.coding.matrix).nnz == 0
    assert (a.cooccurrence != b.cooccurrence).nnz == 0


def test_partition_keeps_order_and_balances_bytes():
    from workbench.engine import PARTITIONS_PER_WORKER

    files = [FileRef(f"{i}.txt", f"{i}.txt", f"{i}.txt", "", 100 if i < 4 else 10)
             for i in range(40)]  # fmt: skip
    parts = partition(files, workers=1)
    assert [f for p in parts for f in p] == files
    assert len(parts) == PARTITIONS_PER_WORKER and all(parts)
    sizes = [sum(f.size for f in p) for p in parts]
    assert max(sizes) <= 2 * 760 / PARTITIONS_PER_WORKER  # the big files are not lumped


def test_serial_pipeline_matches_load_corpus_and_coder(generated, serial):
    from workbench.coding.codebook import load_codebook
    from workbench.coding.coder import code_segments

    corpus = load_corpus([generated])
    pd.testing.assert_frame_equal(corpus.segments, serial.corpus.segments)
    whole = code_segments(corpus.segments, load_codebook(), "sentence")
    pd.testing.assert_frame_equal(whole.long, serial.coding.long)
    assert len(serial.tokens) == len(corpus.segments)
    # Arrow-backed lists (one buffer, not a Python object per token), equal to tokenize's.
    assert serial.tokens.dtype == pd.ArrowDtype(TOKENS_TYPE)
    texts = corpus.segments["text"].tolist()
    assert serial.tokens.tolist() == tokenize_many(texts)
    assert serial.tokens.iloc[7] == tokenize(texts[7])
    assert set(serial.corpus.duplicates["kind"]) == {"exact", "near"}
    assert serial.cooccurrence.diagonal().sum() > 0


def test_process_pool_equals_serial(generated, serial):
    assert_same(serial, run_pipeline([generated], workers=2))


def test_jieba_engine_agrees_with_the_default(generated, serial):
    """engine="jieba" changes only how words are segmented, and here not even that."""
    plain = run_pipeline([generated], workers=2, engine="jieba")
    same = sum(a == b for a, b in zip(serial.tokens, plain.tokens, strict=True))
    assert same / len(serial.tokens) >= 0.99
    pd.testing.assert_frame_equal(serial.corpus.segments, plain.corpus.segments)
    pd.testing.assert_frame_equal(serial.coding.long, plain.coding.long)


def test_dask_local_cluster_equals_serial(generated, serial, tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # closing the cluster must not leak warnings
        with dask_client("local", workers=2) as client:
            assert client.scheduler.address.startswith("tcp://127.0.0.1:")
            assert_same(serial, run_pipeline([generated], scheduler=client))
            corpus = load_corpus([generated], scheduler=client)
            out = tmp_path / "seg.parquet"
            args = ["corpus", "build", str(generated), "--out", str(out)]
            assert main([*args, "--scheduler", client.scheduler.address]) == 0
    pd.testing.assert_frame_equal(corpus.segments, serial.corpus.segments)
    pd.testing.assert_frame_equal(corpus.documents, serial.corpus.documents)
    written = pd.read_parquet(out)
    assert written["segment_id"].tolist() == serial.corpus.segments["segment_id"].tolist()
    assert "wrote" in capsys.readouterr().err


def test_map_partitions_serial_keeps_order_and_kwargs():
    assert map_partitions(sorted, [[3, 1], [2]], reverse=True) == [[3, 1], [2]]


def test_cli_rejects_dask_with_scheduler(capsys):
    with pytest.raises(SystemExit):
        main(["corpus", "build", "--out", "x.parquet", "--dask", "--scheduler", "tcp://x:1"])
    assert "not allowed with" in capsys.readouterr().err


def test_runner_keeps_its_warmed_workers_across_passes():
    with runner(2, warm=True) as run:
        first = set(run(warm_up, list(range(6))))
        second = set(run(warm_up, list(range(6))))
    # This process runs partitions too, beside a pool of one worker that outlives the
    # pass: a pool started per pass would show a new process id in the second pass.
    workers = (first | second) - {os.getpid()}
    assert len(workers) == 1 and workers <= first and workers <= second


def test_a_corpus_of_only_unreadable_files_gives_empty_tables(tmp_path):
    (tmp_path / "a.txt").write_bytes(bytes(range(256)) * 4)
    res = run_pipeline([tmp_path], skip_bad=True)
    assert res.corpus.files["status"].tolist() == ["skipped"]
    assert res.corpus.segments.empty and res.coding.long.empty
    assert res.cooccurrence.nnz == 0


class _RecordingSink:
    """A sink of the driver's protocol that records what reaches it (a MemorySink inside)."""

    def __init__(self):
        from workbench.pipeline import MemorySink

        self.inner, self.calls = MemorySink(), []

    def write_part(self, index, tables, tokens, coding):
        self.calls.append(("write_part", index))
        return self.inner.write_part(index, tables, tokens, coding)

    def collect(self, parts, skipped, run):
        self.calls.append(("collect", [p.index for p in parts]))
        self.inner.collect(parts, skipped, run)

    def unit_texts(self, sketches, threshold, run):
        self.calls.append(("unit_texts", len(sketches.articles)))
        return self.inner.unit_texts(sketches, threshold, run)

    def apply_marks(self, art, para, run):
        self.calls.append(("apply_marks", len(art) + len(para)))
        return self.inner.apply_marks(art, para, run)

    def result(self):
        self.calls.append(("result", None))
        return self.inner.result()


def test_one_driver_serves_every_entry_point(generated, serial):
    # load_corpus is the engine's driver with a CorpusSink, run_pipeline the same driver
    # with words and codes per partition and a MemorySink; a sink of one's own sees each
    # partition once, in order, then the corpus-wide marks and counts.
    from workbench.corpus import gather_sources
    from workbench.engine import drive
    from workbench.pipeline import words_and_codes

    sink = _RecordingSink()
    found = gather_sources([generated], progress=False)
    with runner() as run:  # serial; workers only sizes the partitions
        got = drive(found, sink, analyse=words_and_codes(), workers=2, run=run)
    kinds = [c[0] for c in sink.calls]
    n_parts = kinds.count("write_part")
    assert n_parts >= 2
    assert sink.calls[:n_parts] == [("write_part", i) for i in range(n_parts)]
    assert kinds[n_parts:] == ["collect", "unit_texts", "apply_marks", "result"]
    assert sink.calls[n_parts] == ("collect", list(range(n_parts)))
    assert got.tokens.tolist() == serial.tokens.tolist()
    assert (got.cooccurrence != serial.cooccurrence).nnz == 0
    loaded = load_corpus([generated], progress=False)
    bare = run_pipeline([generated], tokens=False, unit=None)
    assert bare.coding is None and bare.cooccurrence is None and len(bare.tokens) == 0
    for name in ("documents", "segments", "files", "removed", "duplicates"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(got.corpus, name))
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(bare.corpus, name))
    assert loaded.parameters == bare.corpus.parameters == got.corpus.parameters


def test_result_shows_counts_in_a_notebook_not_its_tables(generated, serial):
    # The dataclass's default repr printed every table of the corpus and the coding
    # (pages of truncated frames in a notebook cell).
    shown = repr(serial)
    lines = shown.splitlines()
    assert lines[0] == "PipelineResult" and len(lines) == 5
    assert lines[1] == f"  corpus: {serial.corpus!r}"
    n_tokens = sum(len(t) for t in serial.tokens.tolist())
    assert lines[2] == f"  tokens: {len(serial.corpus.segments)} segments, {n_tokens} tokens"
    assert lines[3] == f"  coding: {serial.coding!r}"
    n = len(serial.coding.codes)
    assert lines[4].startswith(f"  cooccurrence: {n} x {n} code counts (")
    assert "DataFrame" not in shown and " at 0x" not in shown and "[" not in shown
    assert repr(run_pipeline([generated])) == shown  # the same on every run
    bare = run_pipeline([generated], tokens=False, unit=None)
    assert repr(bare).splitlines()[2:] == [
        "  tokens: 0 segments, 0 tokens",
        "  coding: None",
        "  cooccurrence: None",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"unit": "sentance"}, ValueError, "not 'sentance' (did you mean 'sentence'?)"),
        ({"engine": "pkuseg"}, ValueError, "engine must be one of 'jieba', 'rjieba'"),
        ({"codebook": ["my.yaml"]}, TypeError, "codebook must be the path of a codebook YAML"),
        ({"codebook": "no_such_codebook.yaml"}, FileNotFoundError, "no such codebook"),
        ({"dup_threshold": "0.8"}, TypeError, "dup_threshold must be a number in (0, 1]"),
        ({"workers": "2"}, TypeError, "workers must be a whole number of processes"),
    ],
)
def test_a_wrong_argument_is_named_before_any_file_is_read(
    tmp_path, monkeypatch, kwargs, error, message
):
    # Each failed only once the first partition was read and coded (a wrong unit,
    # engine or codebook), or deep inside with a comparison error ('<' not supported
    # between 'int' and 'str'), naming no argument.
    import workbench.corpus.load as load

    (tmp_path / "笔记.txt").write_text("干部走访农户，听取群众意见。\n", encoding="utf-8")
    read = []
    monkeypatch.setattr(load, "load_file", lambda *a, **k: read.append(a) or 1 / 0)
    with pytest.raises(error) as err:
        run_pipeline([tmp_path], **kwargs)
    assert message in str(err.value) and not read


def test_a_codebook_edited_between_runs_codes_the_next_run(tmp_path):
    # Cached by path alone, the first version read coded every later run in the same
    # Jupyter kernel: an edited code id (or term) was silently ignored.
    from workbench.coding.codebook import TEMPLATE

    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "笔记.txt").write_text(
        "一、存在的问题\n有的干部高高在上，脱离群众。\n", encoding="utf-8"
    )
    mine = tmp_path / "mine.yaml"
    mine.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    first = run_pipeline([tmp_path / "texts"], codebook=mine, tokens=False)
    assert "P_detached" in set(first.coding.long["code"])
    mine.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace("id: P_detached", "id: P_aloof"),
        encoding="utf-8",
    )
    again = run_pipeline([tmp_path / "texts"], codebook=mine, tokens=False)
    assert again.coding.codes[0] == "P_aloof"
    assert "P_aloof" in set(again.coding.long["code"])
    assert "P_detached" not in set(again.coding.long["code"])
