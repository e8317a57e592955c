"""Provenance records on derived files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench import __version__, config
from workbench.provenance import (
    file_checksums,
    make_record,
    read_record,
    sha256_file,
    write_parquet,
    write_sidecar,
)


def test_parquet_round_trip_keeps_record_and_data(tmp_path):
    df = pd.DataFrame({"segment_id": ["a/a1/p001/s01"], "text": ["干群关系"]})
    seed = config.SEEDS_DIR / "000_688e36ac7d55ccc2.txt"
    rec = make_record({str(seed): sha256_file(seed)}, {"threshold": 0.8, "paths": [seed]})
    path = write_parquet(df, tmp_path / "out" / "s.parquet", rec)
    got = read_record(path)
    assert got["workbench_version"] == __version__
    assert got["inputs"] == {str(seed): sha256_file(seed)}
    assert got["parameters"] == {"paths": [str(seed)], "threshold": 0.8}
    pd.testing.assert_frame_equal(pd.read_parquet(path), df, check_dtype=False)


def test_parquet_bytes_are_deterministic(tmp_path):
    df = pd.DataFrame({"x": [1, 2], "y": ["一", "二"]})
    rec = make_record({"b": "2", "a": "1"}, {"k": 1})
    a = write_parquet(df, tmp_path / "a.parquet", rec).read_bytes()
    b = write_parquet(df, tmp_path / "b.parquet", rec).read_bytes()
    assert a == b


def test_sidecar_for_formats_without_metadata(tmp_path):
    target = tmp_path / "graph.gexf"
    target.write_text("<gexf/>", encoding="utf-8")
    side = write_sidecar(target, make_record({"x": "1"}, {}))
    assert side.name == "graph.gexf.provenance.json"
    assert json.loads(side.read_text(encoding="utf-8"))["inputs"] == {"x": "1"}
    assert read_record(target)["inputs"] == {"x": "1"}


def test_missing_record_is_a_clear_error(tmp_path):
    p = tmp_path / "plain.csv"
    p.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"plain\.csv"):
        read_record(p)


def test_file_checksums_key_files_by_display_path_and_skip_absent_inputs(tmp_path):
    """As Corpus.checksums keys the texts: a file inside the project by its relative path,
    one outside by its own; None (an input not given) is left out."""
    outside = tmp_path / "meta.csv"
    outside.write_text("file,year\na.txt,2014\n", encoding="utf-8")
    sums = file_checksums([config.CODEBOOK, None, outside])
    assert sums == {"data/codebook.yaml": sha256_file(config.CODEBOOK),
                    str(outside): sha256_file(outside)}  # fmt: skip
