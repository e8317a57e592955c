"""Problem–cause assertions on the seeds: alignment, weights, evidence, duplicates."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.coding.codebook import load_codebook
from workbench.network.graph import codebook_meta
from workbench.network.problem_cause import (
    assertions,
    edge_weights,
    problem_cause_graph,
    quote_pairs,
)

A000 = "000_688e36ac7d55ccc2/a1"


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def pairs(seeds, cb):
    return {dedup: assertions(seeds.analysis_segments(dedup=dedup), cb) for dedup in (True, False)}


def test_parallel_numbering_pairs_items_of_the_same_number(pairs, seeds):
    p = pairs[True]
    causes = p[(p["doc_id"] == A000) & (p["relation"] == "cause_of")]
    assert set(causes["alignment"]) == {"item"}  # 4 problems and 4 causes, numbered alike
    sec = dict(zip(seeds.segments["segment_id"], seeds.segments["section"], strict=True))
    src = causes["source_segment"].map(sec).str.split(".")
    tgt = causes["target_segment"].map(sec).str.split(".")
    numbered = (src.str.len() >= 2) & (tgt.str.len() >= 2)
    assert numbered.sum() > 0
    assert (src[numbered].str[1] == tgt[numbered].str[1]).all()
    # Problem 1.1 (宗旨意识淡化) is explained by cause 2.1, not by cause 2.4 (监督弱化).
    assert ("C_ideology", "P_purpose") in set(zip(causes["source"], causes["target"], strict=True))
    # 4 problems but 5 countermeasures: not parallel, the article is the unit.
    assert set(p[(p["doc_id"] == A000) & (p["relation"] == "addressed_by")]["alignment"]) == {
        "article"}


def test_codes_count_only_in_their_own_sections(pairs, seeds):
    role = seeds.segments.set_index("segment_id")["role"]
    p = pairs[True]
    cause = p[p["relation"] == "cause_of"]
    assert (cause["source_segment"].map(role) == "cause").all()
    assert (cause["target_segment"].map(role) == "problem").all()
    assert cause["source"].str.startswith("C_").all() and cause["target"].str.startswith("P_").all()


def test_weight_is_distinct_articles(pairs):
    w = edge_weights(pairs[True]).set_index(["source", "target", "relation"])["weight"]
    docs = pairs[True].groupby(["source", "target", "relation"])["doc_id"].nunique()
    assert w.equals(docs.rename("weight").loc[w.index])


def test_reposted_article_counts_twice_without_dedup(pairs):
    key = ("C_ideology", "P_purpose", "cause_of")
    kept = edge_weights(pairs[False]).set_index(["source", "target", "relation"])["weight"]
    dedup = edge_weights(pairs[True]).set_index(["source", "target", "relation"])["weight"]
    assert kept[key] == dedup[key] + 1  # 004 a6 reposts 000
    assert (kept.reindex(dedup.index) >= dedup).all()


def test_graph_edges_carry_quote_pairs(pairs, cb, seeds):
    g = problem_cause_graph(pairs[True], codebook_meta(cb), min_articles=2)
    assert g.is_directed() and g.graph["filter"] == "articles ≥ 2"
    assert all(d["weight"] >= 2 for *_, d in g.edges(data=True))
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"cause_of", "addressed_by"}
    u, v = "C_attribution", "P_other"
    q = quote_pairs(g, u, v)
    assert len(q) == g.edges[u, v]["n_pairs"]
    orig = seeds.segments.set_index("segment_id")["text_orig"]
    assert (q["source_quote"] == q["source_segment"].map(orig)).all()
    assert (q["target_quote"] == q["target_segment"].map(orig)).all()
    assert len(set(g.edges[u, v]["articles"].split("; "))) == g.edges[u, v]["weight"]


TEXTS = ["一些干部宗旨意识淡化。", "一些地方监督弱化,考核不力。", "切实加强监督考核。"]


def test_unnumbered_article_falls_back_to_the_article(cb):
    seg = pd.DataFrame({
        "segment_id": ["d/a1/p1/s1", "d/a1/p2/s1", "d/a1/p3/s1"], "doc_id": ["d/a1"] * 3,
        "paragraph_id": ["d/a1/p1", "d/a1/p2", "d/a1/p3"], "section": ["1", "2", "3"],
        "role": ["problem", "cause", "countermeasure"], "is_heading": [False] * 3,
        "text": TEXTS, "text_orig": TEXTS,
    })  # fmt: skip
    p = assertions(seg, cb)
    assert set(p["alignment"]) == {"article"}
    assert ("C_oversight", "P_purpose") in set(zip(p["source"], p["target"], strict=True))
