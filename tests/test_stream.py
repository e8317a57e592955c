"""The streamed build writes, part by part, exactly the in-memory pipeline's tables."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from same_tables import differences

import workbench
from workbench import config
from workbench.cli import main
from workbench.corpus import load_corpus
from workbench.corpus.metadata import MetadataError
from workbench.corpus.readers import FileRef, ReadError, discover
from workbench.engine import dask_client
from workbench.pipeline import run_pipeline
from workbench.provenance import sha256_file
from workbench.stream import (
    PART_TABLES,
    _unit_texts,
    build_corpus,
    peak_rss_mb,
    read_table,
)


def assert_build_equals(out: Path, ref) -> None:
    assert differences(out, ref) == []


@pytest.fixture(scope="module")
def reference(generated):
    return run_pipeline([generated])


def test_serial_build_of_the_seeds_equals_the_in_memory_pipeline(tmp_path):
    summary = build_corpus(out_dir=tmp_path / "out")
    assert_build_equals(tmp_path / "out", run_pipeline())
    assert (summary.files, summary.documents) == (5, 14)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["segments"] == summary.segments and manifest["parts"] == summary.parts
    assert "peak_rss_mb" not in manifest  # measurements vary; the manifest must not
    assert manifest["workbench_version"] == workbench.__version__  # which made the build


def test_process_pool_build_equals_the_in_memory_pipeline(generated, reference, tmp_path):
    summary = build_corpus([generated], tmp_path / "out", workers=2)
    assert summary.parts > 2  # several partitions, so duplicates cross partitions
    assert set(read_table(tmp_path / "out", "duplicates")["kind"]) == {"exact", "near"}
    assert_build_equals(tmp_path / "out", reference)
    assert summary.peak_rss_mb["partition"] > 0


def test_dask_build_equals_the_in_memory_pipeline(generated, reference, tmp_path):
    with dask_client("local", workers=2) as client:
        build_corpus([generated], tmp_path / "out", scheduler=client)
    assert_build_equals(tmp_path / "out", reference)


def test_a_second_build_replaces_the_first_but_a_foreign_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    build_corpus(out_dir=out, unit=None)
    first = read_table(out, "segments")
    build_corpus(out_dir=out, unit=None)
    pd.testing.assert_frame_equal(read_table(out, "segments"), first)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a previous build"):
        build_corpus(out_dir=foreign)
    assert (foreign / "notes.txt").exists()
    # A mistyped input is reported before the previous build is touched.
    with pytest.raises(FileNotFoundError):
        build_corpus([tmp_path / "no such folder"], out_dir=out, unit=None)
    pd.testing.assert_frame_equal(read_table(out, "segments"), first)


def test_unit_none_writes_no_codes(tmp_path):
    build_corpus(out_dir=tmp_path / "out", unit=None)
    for table in ("codes", "units"):
        with pytest.raises(FileNotFoundError, match="no parts"):
            read_table(tmp_path / "out", table)
    with pytest.raises(FileNotFoundError, match="no such table"):
        read_table(tmp_path / "out", "cooccurrence")


def test_unreadable_files_are_recorded_or_raised(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("密切联系群众是我们党的优良传统。", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError, match=r"bad\.txt"):
        build_corpus([corpus], tmp_path / "out")
    summary = build_corpus([corpus], tmp_path / "out2", skip_bad=True)
    files = read_table(tmp_path / "out2", "files").set_index("file")
    assert files.loc["bad.txt", "status"] == "skipped" and "bad.txt" in files.loc["bad.txt", "path"]
    assert files.loc["good.txt", "status"] == "ok"
    assert summary.segments == len(read_table(tmp_path / "out2", "segments")) == 1


def test_lazy_discovery_reads_the_same_bytes_later(generated, tmp_path):
    archive = tmp_path / "corpus.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(generated.iterdir())[:3]:
            zf.write(path, f"sub/{path.name}")
    inputs = [generated, archive]
    eager = discover(inputs)
    lazy = discover(inputs, lazy=True)
    assert all(isinstance(ref, FileRef) for ref in lazy)
    assert [(r.name, r.path, r.size) for r in lazy] == [
        (s.name, s.path, len(s.data)) for s in eager
    ]
    assert [r.load() for r in lazy] == eager


def test_a_file_gone_before_loading_names_the_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("干群关系", encoding="utf-8")
    (ref,) = discover([path], lazy=True)
    path.unlink()
    with pytest.raises(ReadError, match=r"a\.txt"):
        ref.load()


def test_cli_pipeline_prints_a_json_summary(tmp_path, capsys):
    assert main(["pipeline", "--out", str(tmp_path / "out"), "--unit", "paragraph"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == 5 and summary["parameters"]["unit"] == "paragraph"
    assert set(PART_TABLES) <= {p.name for p in (tmp_path / "out").iterdir()}
    assert main(["pipeline", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2


def test_cli_pipeline_with_workers_spawned_first_builds_the_same_tables(tmp_path, capsys):
    # `pipeline --workers 2` starts its worker before importing the pipeline
    # (engine.spawn_workers) and hands it to build_corpus.
    out = tmp_path / "out"
    assert main(["pipeline", "--out", str(out), "--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == 5
    assert differences(out, run_pipeline()) == []
    missing = tmp_path / "missing"
    assert main(["pipeline", str(missing), "--out", str(tmp_path / "o"), "--workers", "2"]) == 2


def test_differences_names_the_tables_that_differ(tmp_path):
    out = tmp_path / "out"
    build_corpus(out_dir=out)
    ref = run_pipeline()
    assert differences(out, ref) == []
    ref.corpus.segments.loc[3, "text"] = "改过的句子"
    tokens = ref.tokens.tolist()
    tokens[5] = ["改过"]
    ref.tokens = pd.Series(tokens)
    ref.cooccurrence[0, 0] += 1
    assert differences(out, ref) == ["tokens", "segments", "cooccurrence"]


def test_peak_rss_is_this_process_own():
    assert 10 < peak_rss_mb() < 100_000


def test_verification_reads_each_part_at_most_once_per_level(generated, tmp_path, monkeypatch):
    import workbench.stream as stream

    reads: list[str] = []
    real = stream._read_staged

    def counting(path, columns=None):
        if columns in (["doc_id", "text"], ["paragraph_id", "text"]):
            reads.append(f"{path} {columns[0]}")  # a verification read
        return real(path, columns)

    monkeypatch.setattr(stream, "_read_staged", counting)
    summary = build_corpus([generated], tmp_path / "out")
    assert summary.duplicates > 0
    assert reads and max(reads.count(r) for r in reads) == 1


@pytest.mark.parametrize("text_type", [pa.string(), pa.large_string()])
@pytest.mark.parametrize(
    "keys",
    [["d/a1", "d/a1", "d/a2", "d/a3", "d/a3"], ["d/a1", "d/a2", "d/a1", "d/a3", "d/a3"], []],
    ids=["consecutive", "interleaved", "empty"],
)
def test_unit_texts_join_each_units_rows_in_order(keys, text_type):
    texts = ["干部要", "深入基层。", "群众路线", "密切联系", "群众。"][: len(keys)]
    expected: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        expected[key] = expected.get(key, "") + text
    got = _unit_texts(pa.array(keys, pa.string()), pa.array(texts, text_type))
    assert got == expected


def test_verification_texts_come_back_normalised_in_the_order_asked(tmp_path):
    from workbench.corpus.dedup import normalise_texts, sketch_units
    from workbench.pipeline import runner
    from workbench.stream import _STAGING, _PartTexts, _stage, _staged

    out = tmp_path / "out"
    with runner() as run:
        summary = build_corpus(out_dir=out, unit=None, workers=2, run=run)
        assert summary.parts >= 2
        texts: dict[str, str] = {}
        levels = []
        (out / _STAGING).mkdir()  # verification reads the staged parts (gone once built)
        for index in range(summary.parts):
            part = out / "segments" / f"part-{index:05d}.parquet"
            _stage(pq.read_table(part), _staged(out, index), "zstd")
            segs = pd.read_parquet(part)
            docs = segs.groupby("doc_id", sort=False)["text"].agg("".join)
            texts.update(docs.to_dict())
            levels.append(sketch_units(docs.index.tolist(), docs.tolist(), simplify=False))
        ids = [i for sk in levels for i in sk.ids.to_pylist()]
        asked = [len(ids) - 1, 0, len(ids) - 2, 1, 1]  # parts interleaved, one unit twice
        cps, offsets = _PartTexts(out, "doc_id", levels, run)(asked)
        none = _PartTexts(out, "doc_id", levels, run)([])
    want_cps, want_offsets = normalise_texts([texts[ids[p]] for p in asked])
    assert offsets.tolist() == want_offsets.tolist()
    assert cps.tolist() == want_cps.tolist()
    assert none[0].tolist() == [] and none[1].tolist() == [0]


def test_a_corpus_of_short_units_only_builds(tmp_path):
    # No unit long enough to be paired by LSH: the search from sketches (duplicates.find_marks)
    # once failed there on an empty band table.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("干群关系。\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("干群关系。\n", encoding="utf-8")
    summary = build_corpus([tmp_path / "in"], tmp_path / "out", unit="paragraph")
    assert summary.files == 2
    assert_build_equals(tmp_path / "out", run_pipeline([tmp_path / "in"], unit="paragraph"))


@pytest.mark.parametrize("staging", ["uncompressed", "zstd"])
def test_staged_segments_parts_are_written_as_parquet_and_removed(
    generated, reference, tmp_path, monkeypatch, staging
):
    # Pass 1 stages the segments parts (Arrow IPC); pass 3 writes each as its Parquet
    # part, marked, and removes it: the build is the in-memory run's, however staged.
    import workbench.stream as stream

    monkeypatch.setattr(stream, "stage_compression", lambda out, size: staging)
    out = tmp_path / "out"
    summary = build_corpus([generated], out, workers=2)
    assert summary.duplicates > 0 and summary.parts >= 2
    assert not (out / ".staging").exists()
    assert len(list((out / "segments").iterdir())) == summary.parts
    assert_build_equals(out, reference)


def test_every_part_of_a_table_has_one_schema_so_the_folder_reads_as_one(tmp_path):
    """A part without duplicates (or with no removed lines) wrote ``dup_of`` (or every
    column) as Arrow's null type, and ``pandas.read_parquet(out / "documents")`` then
    refused the first part with a string ``dup_of``."""
    out = tmp_path / "out"
    build_corpus(out_dir=out, workers=4)
    for table in ("documents", "segments", "removed", "codes"):
        paths = sorted((out / table).glob("part-*.parquet"))
        schemas = {pq.read_schema(p).remove_metadata() for p in paths}
        assert len(paths) > 1 and len(schemas) == 1, table
        whole = pd.read_parquet(out / table)
        assert len(whole) == len(read_table(out, table))
    documents = read_table(out, "documents")
    assert documents["dup_of"].notna().any() and documents["dup_of"].isna().any()


def test_ids_of_a_file_named_with_spaces_reach_the_duplicates_table(tmp_path):
    """Ids make a file stem's spaces ``_``; the duplicates table names the real file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "干部作风的观察\n一些干部脱离群众，形式主义严重，必须认真整改，这是大家都看到的问题。\n"
    for name in ("网页 评论.txt", "副本 一.txt"):
        (corpus / name).write_text(text, encoding="utf-8")
    build_corpus([corpus], tmp_path / "out", unit=None)
    dups = read_table(tmp_path / "out", "duplicates")
    assert dups.loc[dups["level"] == "article", ["id", "of", "file"]].values.tolist() == [
        ["网页_评论/a1", "副本_一/a1", "网页 评论.txt"]]


def test_an_unreadable_codebook_leaves_no_output_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such codebook"):
        build_corpus(out_dir=tmp_path / "out", codebook=tmp_path / "missing.yaml")
    assert not (tmp_path / "out").exists()


def _seed_metadata(tmp_path: Path) -> Path:
    """A metadata CSV as a researcher saves it from Excel: GBK, Chinese headings, names
    written without suffix or in upper case, an empty cell, a date, a seed without a row
    and a row naming no file."""
    files = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    rows = [
        "文件名,类型,地区,日期",
        f"{Path(files[0]).stem},报告,河南,2013-06-18",
        f"{Path(files[1]).stem}.TXT,讲话,河北,",
        f"{files[2]},新闻,,2014年3月1日",
        f"{files[3]},报告,山东,",
        "不存在的文件.txt,报告,山东,",
    ]
    path = tmp_path / "meta.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_cli_pipeline_metadata_gives_load_corpus_documents(tmp_path, capsys, caplog, workers):
    meta = _seed_metadata(tmp_path)
    out = tmp_path / "out"
    args = ["pipeline", "--out", str(out), "--metadata", str(meta), "--workers", str(workers)]
    assert main(args) == 0
    # Matched against every file, in the driver: the unknown row is logged once.
    assert caplog.text.count("no loaded file named 不存在的文件.txt") == 1
    want = load_corpus(metadata=meta).documents
    got = read_table(out, "documents")
    pd.testing.assert_frame_equal(got, want)
    assert got["类型"].isna().sum() == (got["file"] == sorted(got["file"])[-1]).sum() > 0
    assert set(got.loc[got["date_source"] == "metadata", "date"]) == {"2013-06-18", "2014-03-01"}
    summary = json.loads(capsys.readouterr().out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = {"path": config.display_path(meta), "sha256": sha256_file(meta)}
    assert manifest["parameters"]["metadata"] == summary["parameters"]["metadata"] == recorded
    # The other tables are those of a build without metadata.
    assert differences(out, run_pipeline()) == ["documents"]


def test_pipeline_metadata_is_the_same_with_one_or_two_workers(tmp_path):
    meta = _seed_metadata(tmp_path)
    build_corpus(out_dir=tmp_path / "one", metadata=meta, workers=1)
    build_corpus(out_dir=tmp_path / "two", metadata=meta, workers=2)
    for table in PART_TABLES:
        pd.testing.assert_frame_equal(read_table(tmp_path / "one", table),
                                      read_table(tmp_path / "two", table))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("file,role\n{f},领导\n", r"meta\.csv: column\(s\) role have the name of a segments"),
        ("file,tokens\n{f},x\n", r"meta\.csv: column\(s\) tokens have the name of a segments"),
        ("file,title\n{f},x\n", r"meta\.csv: columns title would overwrite corpus columns"),
        ("file,date\n{f},去年\n", r"meta\.csv: column 'date' .* row 2 \({f}: '去年'\)"),
        ("name,genre\n{f},x\n", r"meta\.csv: no 'file' column .* add a 'file' column"),
    ],
)
def test_cli_pipeline_bad_metadata_writes_nothing(tmp_path, capsys, text, message):
    first = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))[0]
    meta = tmp_path / "meta.csv"
    meta.write_text(text.format(f=first), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["pipeline", "--out", str(out), "--metadata", str(meta), "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert re.search(message.format(f=re.escape(first)), err) and "Traceback" not in err
    assert not out.exists()  # checked before the folder is made


def test_bad_metadata_leaves_a_previous_build_as_it_was(tmp_path):
    out = tmp_path / "out"
    build_corpus(out_dir=out, unit=None)
    before = read_table(out, "documents")
    with pytest.raises(MetadataError, match="metadata file not found"):
        build_corpus(out_dir=out, unit=None, metadata=tmp_path / "missing.csv")
    pd.testing.assert_frame_equal(read_table(out, "documents"), before)


def test_a_metadata_row_of_a_skipped_file_is_reported_as_load_corpus_reports_it(tmp_path, caplog):
    # Checked before any file is read, the row matches the file; the file is then skipped
    # as unreadable, and the row joins onto nothing: said once the files are read.
    (tmp_path / "in").mkdir()
    notice = "关于做好群众来信来访工作的通知\n\n各乡镇：\n请认真办理。\n"
    (tmp_path / "in" / "通知.txt").write_text(notice, encoding="utf-8")
    (tmp_path / "in" / "坏.txt").write_bytes(bytes(range(256)) * 8)
    meta = tmp_path / "meta.csv"
    meta.write_text("file,genre\n通知.txt,通知\n坏.txt,报告\n", encoding="utf-8")
    load_corpus([tmp_path / "in"], metadata=meta, skip_bad=True)
    want = [r.getMessage() for r in caplog.records if "no loaded file" in r.getMessage()]
    caplog.clear()
    build_corpus([tmp_path / "in"], tmp_path / "out", metadata=meta, skip_bad=True, unit=None)
    got = [r.getMessage() for r in caplog.records if "no loaded file" in r.getMessage()]
    assert got == want and len(got) == 1 and "坏.txt" in got[0]
    docs = read_table(tmp_path / "out", "documents")
    assert docs[["file", "genre"]].values.tolist() == [["通知.txt", "通知"]]


def _hidden_siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_an_unreadable_file_met_halfway_leaves_the_previous_build_as_it_was(tmp_path):
    # Found only when its partition reads it, after the output folder was prepared: the
    # previous build had been deleted already and a folder of empty tables was left.
    out = tmp_path / "out"
    build_corpus(out_dir=out, unit=None)
    before = {t: read_table(out, t) for t in ("segments", "documents", "files")}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("密切联系群众是我们党的优良传统。\n", encoding="utf-8")
    (corpus / "b.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError, match=r"b\.txt"):
        build_corpus([corpus], out, unit=None)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(read_table(out, table), frame)
    assert _hidden_siblings(out) == []  # nothing half-built is left beside it either
    # Into a new folder: none is made.
    with pytest.raises(ReadError):
        build_corpus([corpus], tmp_path / "new", unit=None)
    assert not (tmp_path / "new").exists() and _hidden_siblings(tmp_path / "new") == []


def test_ctrl_c_in_pipeline_keeps_the_previous_build_and_says_so(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert main(["pipeline", "--out", str(out)]) == 0
    before = read_table(out, "segments")
    manifest = (out / "manifest.json").read_bytes()
    capsys.readouterr()

    def interrupted(found, sink, **kwargs):
        # The user presses Ctrl-C while the partitions are written into the sink's folder.
        (Path(sink.out_dir) / "segments" / "part-00000.parquet").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("workbench.stream.drive", interrupted)
    assert main(["pipeline", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert f"interrupted; {out} is as it was" in err and "Traceback" not in err
    pd.testing.assert_frame_equal(read_table(out, "segments"), before)
    assert (out / "manifest.json").read_bytes() == manifest
    assert _hidden_siblings(out) == []
    assert main(["pipeline", "--out", str(tmp_path / "new")]) == 130
    assert f"{tmp_path / 'new'} was not created" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_a_build_into_an_empty_folder_or_the_working_folder_fills_it(tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    summary = build_corpus(out_dir=tmp_path / "out", unit=None)
    assert summary.segments == len(read_table(tmp_path / "out", "segments"))
    assert _hidden_siblings(tmp_path / "out") == []
    monkeypatch.chdir(tmp_path / "out")
    summary = build_corpus(out_dir=".", unit=None)  # "." has no name of its own
    assert summary.segments == len(read_table(tmp_path / "out", "segments"))


def test_cli_pipeline_skip_bad_counts_the_skipped_files(tmp_path, capsys):
    # Each skip was logged as it happened, then the JSON summary followed with exit 0: a
    # build of nothing but unreadable files ended like any other, an empty corpus behind it.
    corpus = tmp_path / "文本"
    corpus.mkdir()
    (corpus / "好.txt").write_text("密切联系群众是我们党的优良传统。\n", encoding="utf-8")
    (corpus / "坏 一.txt").write_bytes(bytes(range(256)) * 8)
    assert main(["pipeline", str(corpus), "--out", str(tmp_path / "a"), "--skip-bad"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 of 2 file(s) (--skip-bad): 坏 一.txt" in err
    assert "no file could be read" not in err
    (corpus / "好.txt").unlink()
    assert main(["pipeline", str(corpus), "--out", str(tmp_path / "b"), "--skip-bad"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 of 1 file(s)" in err and f"no file could be read: {tmp_path / 'b'}" in err
