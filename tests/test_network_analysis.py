"""Centrality, communities and the seeded bootstrap."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from workbench.coding.codebook import load_codebook
from workbench.network.analysis import (
    bootstrap,
    centrality,
    communities,
    cooccurrence_builder,
    problem_cause_builder,
)
from workbench.network.graph import (
    EdgeFilter,
    codebook_meta,
    cooccurrence_graph,
    network_coding,
)
from workbench.network.problem_cause import assertions, problem_cause_graph


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def coding(seeds, cb):
    return network_coding(seeds.analysis_segments(), cb, "paragraph")


def test_weighted_betweenness_uses_inverse_weight():
    g = nx.Graph()
    # a–c directly (weak, 0.1 → distance 10) or via b (strong, 1 + 1): the path via b wins.
    g.add_weighted_edges_from([("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 0.1)])
    t = centrality(g).set_index("id")
    assert t.at["b", "betweenness"] == pytest.approx(1.0)
    assert t.at["a", "strength"] == pytest.approx(1.1)


def test_eigenvector_on_a_disconnected_directed_graph():
    g = nx.DiGraph()
    g.add_weighted_edges_from([("c1", "p1", 2), ("c2", "p1", 1), ("x", "y", 1)])
    t = centrality(g).set_index("id")
    assert (t["eigenvector"] > 0).all()
    assert t.at["p1", "eigenvector"] > t.at["c1", "eigenvector"] > t.at["c2", "eigenvector"]
    assert t.at["p1", "in_strength"] == 3


def test_louvain_is_seeded_and_numbered_stably(coding, cb):
    g = cooccurrence_graph(coding.matrix, coding.codes, coding.units["unit_id"],
                           EdgeFilter("jaccard", 2, alpha=0.05), codebook_meta(cb))  # fmt: skip
    a, b = communities(g, seed=3), communities(g, seed=3)
    assert a == b and set(a) == set(g.nodes)
    sizes = np.bincount(list(a.values()))
    assert (np.diff(sizes) <= 0).all()


def test_cooccurrence_bootstrap_is_deterministic(coding, cb):
    build, n = cooccurrence_builder(coding, EdgeFilter("jaccard", 2, alpha=0.05),
                                    codebook_meta(cb))  # fmt: skip
    full = build(np.ones(n, dtype=np.int64))
    direct = cooccurrence_graph(coding.matrix, coding.codes, coding.units["unit_id"],
                                EdgeFilter("jaccard", 2, alpha=0.05))  # fmt: skip
    assert sorted(full.edges) == sorted(direct.edges)
    kw = {"n_resamples": 15, "seed": 11, "measures": ("degree", "strength")}
    a, b = bootstrap(build, n, **kw), bootstrap(build, n, **kw)
    assert a.edges.equals(b.edges) and a.centrality.equals(b.centrality)
    assert a.edges["presence"].between(0, 1).all()
    assert a.edges["in_full"].sum() == full.number_of_edges()
    c = a.centrality
    assert (c["low"] <= c["high"]).all()
    other = bootstrap(build, n, n_resamples=15, seed=12, measures=("degree",))
    assert not other.edges["presence"].equals(a.edges["presence"])


def test_problem_cause_builder_reproduces_the_graph(seeds, cb):
    pairs = assertions(seeds.analysis_segments(), cb)
    docs = seeds.documents.loc[seeds.documents["dup_of"].isna(), "doc_id"]
    build, n = problem_cause_builder(pairs, docs, codebook_meta(cb), min_articles=2)
    full = build(np.ones(n, dtype=np.int64))
    g = problem_cause_graph(pairs, codebook_meta(cb), min_articles=2)
    assert sorted(full.edges(data="weight")) == sorted(g.edges(data="weight"))
    for attr in ("p", "q"):  # the same test, from the incidence matrices
        got, want = nx.get_edge_attributes(full, attr), nx.get_edge_attributes(g, attr)
        assert got.keys() == want.keys()
        assert [got[k] for k in sorted(got)] == pytest.approx([want[k] for k in sorted(got)])
    assert len({q for *_, q in g.edges(data="p")}) > 3
    twice = build(np.full(n, 2))
    assert all(twice.edges[u, v]["weight"] == 2 * w for u, v, w in g.edges(data="weight"))
    res = bootstrap(build, n, n_resamples=10, seed=0, measures=("strength",))
    assert res.n_resamples == 10 and set(res.centrality["measure"]) == {"strength"}


# --- intervals: BCa, its fallbacks and the notes ---------------------------------------------


def test_problem_cause_builder_applies_the_significance_filter():
    import pandas as pd

    links = [(f"f/a{i}", "C1", "P1") for i in range(10)]
    links += [(f"f/a{i}", "C2", "P2") for i in range(10, 20)] + [("f/a10", "C2", "P1")]
    links += [(f"f/a{i}", "C2", "P1") for i in (11, 12)]
    pairs = pd.DataFrame([{"doc_id": d, "source": s, "target": t, "relation": "cause_of",
                           "alignment": "article", "source_segment": f"{d}/s",
                           "target_segment": f"{d}/t", "source_quote": s, "target_quote": t}
                          for d, s, t in links])  # fmt: skip
    articles = [f"f/a{i}" for i in range(25)]  # five assert nothing
    build, n = problem_cause_builder(pairs, articles, min_articles=2, alpha=0.05)
    full = build(np.ones(n, dtype=np.int64))
    g = problem_cause_graph(pairs, min_articles=2, alpha=0.05)
    assert set(full.edges) == set(g.edges) == {("C1", "P1"), ("C2", "P2")}
    assert problem_cause_graph(pairs, min_articles=2).has_edge("C2", "P1")  # 3 articles, q > .05
    assert full.graph["filter"] == g.graph["filter"]
    # Drop half the C1 → P1 articles: fewer articles, a larger p.
    half = np.ones(n, dtype=np.int64)
    half[:5] = 0
    assert build(half).edges["C1", "P1"]["p"] > full.edges["C1", "P1"]["p"]
