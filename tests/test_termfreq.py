"""Term frequencies by role on the seeds."""

from __future__ import annotations

import pandas as pd

from workbench.termfreq import term_frequencies


def test_by_role_on_seeds(seeds):
    segs = seeds.analysis_segments()
    tf = term_frequencies(segs, by="role", top=10)
    assert sorted(tf["role"].unique()) == ["cause", "countermeasure", "other", "problem"]
    assert (tf.groupby("role").size() == 10).all()
    for _, grp in tf.groupby("role"):
        assert grp["count"].is_monotonic_decreasing
    top_overall = term_frequencies(segs, top=5)["term"].tolist()
    assert "群众" in top_overall


def test_counts_are_exact_and_ties_sorted():
    segs = pd.DataFrame({"text": ["群众路线,群众路线", "村务公开", "走马观花"]})
    tf = term_frequencies(segs, top=3)
    assert tf.to_dict("list") == {
        "term": ["群众路线", "村务公开", "走马观花"],
        "count": [2, 1, 1],
        "share": [0.5, 0.25, 0.25],
    }


def test_deduplicated_text_counts_less(seeds):
    full = term_frequencies(seeds.segments, top=1)
    dedup = term_frequencies(seeds.analysis_segments(), top=1)
    assert full["term"].iloc[0] == dedup["term"].iloc[0]
    assert full["count"].iloc[0] > dedup["count"].iloc[0]


def test_empty_groups():
    tf = term_frequencies(pd.DataFrame({"role": [], "text": []}), by="role")
    assert list(tf.columns) == ["role", "term", "count", "share"]


def test_by_a_documents_column_and_what_is_not_there():
    """Term frequencies by a metadata column (genre, as keyness groups by it) raised a
    KeyError 'genre'; a missing text raised a TypeError."""
    import pytest

    from workbench.groups import InputError

    segs = pd.DataFrame({"doc_id": ["a/a1", "a/a1", "b/a1"],
                         "text": ["干部走访群众。", None, "村务公开。"]})  # fmt: skip
    docs = pd.DataFrame({"doc_id": ["a/a1", "b/a1"], "genre": ["报告", "新闻"]})
    tf = term_frequencies(segs, by="genre", documents=docs)
    assert tf.to_dict("list") == {
        "genre": ["报告", "报告", "报告", "新闻"], "term": ["干部", "群众", "走访", "村务公开"],
        "count": [1, 1, 1, 1], "share": [0.3333, 0.3333, 0.3333, 1.0],
    }  # fmt: skip
    with pytest.raises(InputError, match=r"no column 'genr'.*did you mean 'genre'"):
        term_frequencies(segs, by="genr", documents=docs)
