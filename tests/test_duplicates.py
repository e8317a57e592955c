"""Tests for workbench.corpus.duplicates: marking the corpus tables, fast vs exact method."""

from __future__ import annotations

import pickle
import types

import numpy as np
import pandas as pd
import pytest

from workbench.corpus.duplicates import (
    DUPLICATE_COLUMNS,
    CorpusSketches,
    mark_duplicates,
    sketch_segments,
)


def unmarked(corpus) -> types.SimpleNamespace:
    """A copy of the corpus tables without the marks, as the loader builds them."""
    return types.SimpleNamespace(
        documents=corpus.documents.drop(columns=["dup_of", "dup_similarity"]).copy(),
        segments=corpus.segments.drop(columns=["dup_of", "dup_kind"]).copy(),
        duplicates=None,
    )


def marked(tables: types.SimpleNamespace, **kwargs) -> types.SimpleNamespace:
    out = types.SimpleNamespace(
        documents=tables.documents.copy(), segments=tables.segments.copy(), duplicates=None
    )
    mark_duplicates(out, threshold=kwargs.pop("threshold", 0.8), **kwargs)
    return out


def assert_same_tables(a, b) -> None:
    for name in ("duplicates", "documents", "segments"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@pytest.fixture(scope="module")
def seed_tables(seeds) -> types.SimpleNamespace:
    return unmarked(seeds)


def test_fast_marks_equal_exact_marks_and_the_loader_on_seeds(seeds, seed_tables):
    fast = marked(seed_tables)
    assert_same_tables(fast, marked(seed_tables, method="exact"))
    # load_corpus marks with the default method: the same tables.
    assert_same_tables(fast, seeds)
    dups = fast.duplicates
    assert list(dups.columns) == DUPLICATE_COLUMNS
    assert set(dups["level"]) == {"article", "paragraph"}
    assert (dups["kind"] == "near").sum() >= 5
    # Sentences of duplicate paragraphs point at their canonical counterparts.
    assert fast.segments["dup_of"].notna().sum() > len(dups[dups["level"] == "paragraph"])


@pytest.mark.parametrize("level, key", [("article", "doc_id"), ("paragraph", "paragraph_id")])
def test_duplicates_name_the_file_of_each_unit_and_its_original(seeds, level, key):
    rows = seeds.duplicates[seeds.duplicates["level"] == level]
    file_of = dict(zip(seeds.segments[key], seeds.segments["file"], strict=True))
    assert rows["file"].tolist() == [file_of[i] for i in rows["id"]]
    assert rows["of_file"].tolist() == [file_of[i] for i in rows["of"]]
    # The seeds repeat an essay across files, so some originals live in another file.
    assert (rows["file"] != rows["of_file"]).any()
    assert rows["file"].dtype == rows["of_file"].dtype == "str"


@pytest.mark.parametrize("threshold", [0.6, 0.9])
def test_fast_equals_exact_at_other_thresholds(seed_tables, threshold):
    assert_same_tables(
        marked(seed_tables, threshold=threshold),
        marked(seed_tables, threshold=threshold, method="exact"),
    )


def whole_file_parts(segments: pd.DataFrame, n_parts: int) -> list[pd.DataFrame]:
    """Consecutive partitions of the segments table that hold whole files."""
    files = segments["file"].drop_duplicates().tolist()
    groups = np.array_split(np.arange(len(files)), n_parts)
    return [segments[segments["file"].isin([files[k] for k in g])] for g in groups if len(g)]


def test_partition_sketches_concatenate_to_the_whole_and_give_the_same_marks(seed_tables):
    segs = seed_tables.segments
    parts = [pickle.loads(pickle.dumps(sketch_segments(p))) for p in whole_file_parts(segs, 3)]
    joined = CorpusSketches.concat(parts)
    assert joined.equals(sketch_segments(segs))
    assert len(joined.paragraphs) == segs["paragraph_id"].nunique()
    assert joined.articles.ids.to_pylist() == segs["doc_id"].drop_duplicates().tolist()
    assert_same_tables(marked(seed_tables, sketches=joined), marked(seed_tables))


def test_whole_sketches_split_into_views_equal_to_the_parts(seed_tables):
    # The driver keeps partitions' sketches as views of the whole: equal, not copied.
    parts = [sketch_segments(p) for p in whole_file_parts(seed_tables.segments, 3)]
    joined = CorpusSketches.concat(parts)
    views = joined.split(parts)
    assert [v.equals(p) for v, p in zip(views, parts, strict=True)] == [True] * len(parts)
    assert all(np.shares_memory(v.paragraphs.bands, joined.paragraphs.bands) for v in views)
    with pytest.raises(ValueError, match="add up"):
        joined.articles.split([1])


def test_sketches_must_match_the_corpus(seed_tables):
    other = sketch_segments(seed_tables.segments.iloc[:200])
    with pytest.raises(ValueError, match="not of these units"):
        marked(seed_tables, sketches=other)
    with pytest.raises(ValueError, match="method"):
        marked(seed_tables, method="minhash")


def test_fast_equals_exact_when_paragraph_rows_are_not_contiguous(seed_tables):
    # Units are joined in first-appearance order even when their rows are apart.
    shuffled = types.SimpleNamespace(
        documents=seed_tables.documents,
        segments=seed_tables.segments.sample(frac=1.0, random_state=0).reset_index(drop=True),
        duplicates=None,
    )
    assert_same_tables(marked(shuffled), marked(shuffled, method="exact"))


def test_fast_equals_exact_with_complex_characters(seed_tables):
    # Combining marks, Hangul jamo and Σ make a unit take the exact normalisation;
    # the units holding them must still be marked as the exact method marks them.
    segs = seed_tables.segments.copy()
    text = segs["text"].astype(object)
    for k, extra in ((3, "e\u0301Σ"), (40, "\u1100\u1161"), (41, "ﬁ㍻")):
        text.iloc[k] = text.iloc[k] + extra
        text.iloc[k + 600] = text.iloc[k] + extra
    segs["text"] = text.astype(segs["text"].dtype)
    tables = types.SimpleNamespace(documents=seed_tables.documents, segments=segs, duplicates=None)
    assert_same_tables(marked(tables), marked(tables, method="exact"))


def test_empty_corpus():
    tables = types.SimpleNamespace(
        documents=pd.DataFrame({"doc_id": pd.Series([], dtype=str)}),
        segments=pd.DataFrame({"segment_id": [], "doc_id": [], "paragraph_id": [], "text": []}),
        duplicates=None,
    )
    mark_duplicates(tables, threshold=0.8)
    assert tables.duplicates.empty and list(tables.duplicates.columns) == DUPLICATE_COLUMNS
