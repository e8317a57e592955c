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
