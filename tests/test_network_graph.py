"""Filters, the co-occurrence graph on the seeds, and the duplicate effect."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from workbench.coding.codebook import load_codebook
from workbench.coding.coder import code_segments
from workbench.network.graph import EdgeFilter, codebook_meta, cooccurrence_graph, scored_pairs

X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))
IDS = ["u1", "u2", "u3", "u4"]


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def codings(seeds, cb):
    return {dedup: code_segments(seeds.analysis_segments(dedup=dedup), cb, "paragraph")
            for dedup in (True, False)}  # fmt: skip


def test_filters_compose_and_are_recorded():
    f = EdgeFilter("lift", min_support=1, threshold=1.0, top_n=1)
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, f, keep_isolates=True)
    assert list(g.edges) == [("a", "b")]  # lift 1.33 beats b–c's 1.0; a–c (0.67) fails
    assert g.graph["filter"] == "measure=lift; support ≥ 1; lift ≥ 1; top 1"
    assert g.graph["filter_top_n"] == 1 and g.graph["filter_alpha"] == ""
    assert sorted(g.nodes) == ["a", "b", "c"]
    assert g.nodes["a"]["frequency"] == 3


def test_edge_evidence_lists_the_units_with_both_codes():
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, EdgeFilter("count"))
    assert g.edges["a", "b"]["evidence"] == "u1; u2"
    assert g.edges["b", "c"]["evidence"] == "u2"
    assert g.edges["a", "b"]["weight"] == 2


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="measure must be one of"):
        EdgeFilter("cosine")


def test_seed_graph_attributes_and_evidence(codings, cb):
    coding = codings[True]
    f = EdgeFilter("jaccard", min_support=2, alpha=0.05)
    g = cooccurrence_graph(coding.matrix, coding.codes, coding.units["unit_id"], f,
                           codebook_meta(cb), unit="paragraph")  # fmt: skip
    assert g.number_of_edges() > 20
    assert g.graph["unit"] == "paragraph" and "BH q ≤ 0.05" in g.graph["filter"]
    units = set(coding.units["unit_id"])
    frame = coding.frame()
    for u, v, d in g.edges(data=True):
        assert d["count"] >= 2 and d["q"] <= 0.05
        ev = d["evidence"].split("; ")
        assert len(ev) == d["count"] and set(ev) <= units
        assert (frame.loc[ev, [u, v]] == 1).all().all()
    assert g.nodes["P_trust"]["label_zh"] == cb.code("P_trust").label_zh
    assert g.nodes["P_trust"]["category"] == "problem"


def test_duplicates_change_the_counts(codings):
    # 000 repeats its own text and 004 a6 reposts 000: keeping duplicates inflates pairs.
    kept = scored_pairs(codings[False].matrix, codings[False].codes).set_index(["source", "target"])
    dedup = scored_pairs(codings[True].matrix, codings[True].codes).set_index(["source", "target"])
    assert kept.loc[("C_materialism", "C_transition"), "count"] == 7
    assert dedup.loc[("C_materialism", "C_transition"), "count"] == 3
    common = kept.index.intersection(dedup.index)
    assert (kept.loc[common, "count"] >= dedup.loc[common, "count"]).all()
    assert codings[False].matrix.shape[0] > codings[True].matrix.shape[0]
