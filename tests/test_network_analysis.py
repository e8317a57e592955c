"""Centrality, communities and the seeded bootstrap."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy import special, stats

from workbench.coding.codebook import load_codebook
from workbench.network.analysis import (
    bca_interval,
    bootstrap,
    centrality,
    communities,
    cooccurrence_builder,
    interval_note,
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



def test_empty_graphs_give_empty_tables_with_their_columns():
    # A small corpus can leave no edge (or no node) after the filter: tables, not KeyErrors.
    assert centrality(nx.Graph()).columns.tolist() == [
        "id", "label_zh", "label_en", "category", "degree", "strength", "betweenness",
        "eigenvector"]  # fmt: skip
    assert centrality(nx.DiGraph()).columns[-2:].tolist() == ["in_strength", "out_strength"]
    assert communities(nx.Graph()) == {}
    assert bca_interval(np.array([]), np.zeros((50, 0)), np.zeros((4, 0))).empty
    for build in (lambda mult: nx.DiGraph(),
                  lambda mult: nx.Graph([("a", "b")]) if mult[0] > 1 else nx.Graph()):  # fmt: skip
        res = bootstrap(build, 4, n_resamples=20, seed=1)
        assert res.edges[res.edges["in_full"]].empty
        assert res.centrality.empty and "note" in res.centrality.columns
    lonely = nx.Graph()
    lonely.add_node("a")  # nodes but no edges
    res = bootstrap(lambda mult: lonely, 3, n_resamples=20, seed=1, measures=("degree",))
    assert res.edges.empty and res.centrality["estimate"].tolist() == [0.0]

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
                                EdgeFilter("jaccard", 2, alpha=0.05), codebook_meta(cb))
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


def test_bca_equals_scipy_on_the_same_resamples():
    rng = np.random.default_rng(5)
    x = rng.lognormal(size=25)  # skewed
    res = stats.bootstrap((x,), np.mean, method="BCa", n_resamples=2000,
                          rng=np.random.default_rng(9))  # fmt: skip
    idx = np.random.default_rng(9).integers(0, len(x), (2000, len(x)))  # scipy's draws
    boot = x[idx].mean(axis=1)
    assert boot == pytest.approx(res.bootstrap_distribution)
    jack = np.array([np.delete(x, i).mean() for i in range(len(x))])
    t = bca_interval(np.array([x.mean()]), boot[:, None], jack[:, None])
    assert t.at[0, "method"] == "BCa"
    assert t.at[0, "low"] == pytest.approx(res.confidence_interval.low, rel=1e-12)
    assert t.at[0, "high"] == pytest.approx(res.confidence_interval.high, rel=1e-12)
    # The interval is not the percentile interval: BCa moves it for bias and skew.
    pct = np.quantile(boot, [0.025, 0.975])
    assert t.at[0, "high"] > pct[1] and t.at[0, "acceleration"] > 0


def test_bca_by_hand():
    boot = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    jack = np.array([[1.0], [1.0], [4.0]])
    t = bca_interval(np.array([2.5]), boot, jack, level=0.5)
    z0 = special.ndtri((3 + 3) / 10)  # three resamples below 2.5, none tied
    u = jack.mean() - jack[:, 0]
    a = np.sum(u**3) / (6 * np.sum(u**2) ** 1.5)
    assert t.at[0, "z0"] == pytest.approx(z0) and t.at[0, "acceleration"] == pytest.approx(a)
    z = special.ndtri(0.75)
    alphas = special.ndtr([z0 + (z0 - z) / (1 - a * (z0 - z)), z0 + (z0 + z) / (1 - a * (z0 + z))])
    assert [t.at[0, "low"], t.at[0, "high"]] == pytest.approx(np.quantile(boot[:, 0], alphas))


def test_bca_falls_back_to_percentile_and_says_why():
    boot = np.column_stack([np.full(50, 2.0), np.arange(50.0), np.arange(50.0),
                            np.arange(50.0)])  # fmt: skip
    jack = np.column_stack([np.ones(4), np.ones(4), np.arange(4.0), np.arange(4.0)])
    t = bca_interval(np.array([2.0, 25.0, 99.0, 25.0]), boot, jack)
    assert t["method"].tolist() == [
        "percentile (BCa undefined: every resample equal)",
        "percentile (BCa undefined: jackknife without variance)",
        "percentile (BCa undefined: estimate above every resample)",
        "BCa",
    ]
    pct = np.quantile(boot, [0.025, 0.975], axis=0)
    assert t["low"].iloc[:3].tolist() == pytest.approx(pct[0, :3].tolist())
    assert t["high"].iloc[:3].tolist() == pytest.approx(pct[1, :3].tolist())
    assert bca_interval(np.array([1.0]), boot[:, 1:2], None)["method"].tolist() == ["percentile"]


def test_notes_explain_estimates_outside_or_at_the_edge():
    assert interval_note(0.549, 0.0, 0.485, 0.38, 0.38) == (
        "absent from 38% of resamples; estimate above its interval; interval not reliable")
    assert interval_note(1.0, 0.0, 1.0, 0.05, 0.05) == (
        "absent from 5% of resamples; estimate at the edge of its interval")
    assert interval_note(0.3, 0.0, 0.5, 0.0, 0.2) == "0 in 20% of resamples"
    assert interval_note(0.3, 0.1, 0.5, 0.0, 0.0) == ""
    # A large bias correction: the estimate above 97% of the resamples.
    assert interval_note(0.3, 0.1, 0.5, 0.0, 0.0, "BCa", z0=special.ndtri(0.97)) == (
        "estimate above 97% of resamples")
    note = interval_note(5.0, 1.0, 4.0, 0.0, 0.0,
                         "percentile (BCa undefined: estimate above every resample)")
    assert note == ("estimate above its interval; BCa undefined: estimate above every resample; "
                    "interval not reliable")


def _star(mult):
    g = nx.Graph()
    g.add_weighted_edges_from((f"x{i}", "hub", float(m)) for i, m in enumerate(mult) if m)
    return g


def test_bootstrap_uses_the_article_jackknife():
    n, b, seed = 7, 60, 4
    res = bootstrap(_star, n, n_resamples=b, seed=seed, measures=("strength",))
    rng = np.random.default_rng(seed)
    draws = np.array([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(b)])
    # Spoke i's strength is its article's multiplicity; left out, the spoke is gone (0).
    jack = 1.0 - np.eye(n)
    want = bca_interval(np.ones(n), draws.astype(float), jack)
    got = res.centrality.set_index("id").loc[[f"x{i}" for i in range(n)]]
    assert got["low"].tolist() == pytest.approx(want["low"].tolist())
    assert got["high"].tolist() == pytest.approx(want["high"].tolist())
    assert got["method"].tolist() == want["method"].tolist()
    assert got["absent"].tolist() == pytest.approx((draws == 0).mean(axis=0).tolist())
    # The hub's strength is n in every resample: BCa is undefined, and the table says so.
    assert res.centrality.set_index("id").at["hub", "method"].endswith("every resample equal)")
    # Edge weights get intervals too (the same numbers: the spoke's weight is its draw count).
    e = res.edges.set_index(["source", "target"])
    assert e["in_full"].all()
    assert e["absent"].tolist() == pytest.approx((1 - e["presence"]).tolist())
    key = ("hub", "x0") if ("hub", "x0") in e.index else ("x0", "hub")
    assert e.loc[key, "low"] == pytest.approx(want.at[0, "low"])
    pct = bootstrap(_star, n, n_resamples=b, seed=seed, measures=("strength",),
                    interval="percentile")  # fmt: skip
    assert set(pct.centrality["method"]) == {"percentile"} and pct.interval == "percentile"
    with pytest.raises(ValueError, match="interval must be one of"):
        bootstrap(_star, n, n_resamples=2, interval="basic")


def test_seed_intervals_hold_their_estimate_or_say_why(seeds, cb):
    # Headings, catch-alls and unit support (the old notebook's network): some estimates fall
    # outside the percentile interval of their own resamples, as C_ability's eigenvector did.
    coding = network_coding(seeds.analysis_segments(), cb, "paragraph", headings=True)
    f = EdgeFilter("jaccard", 2, alpha=0.05, support="units")
    build, n = cooccurrence_builder(coding, f, codebook_meta(cb), catch_alls=True)
    res = bootstrap(build, n, n_resamples=200, seed=20240601)
    c = res.centrality
    assert {"method", "absent", "zero", "note", "z0", "acceleration"} <= set(c.columns)
    assert (c["method"] == "BCa").mean() > 0.5
    assert c["method"].str.match(r"^(BCa|percentile \(BCa undefined: .+\))$").all()
    outside = (c["estimate"] < c["low"]) | (c["estimate"] > c["high"])
    assert c.loc[outside, "note"].str.contains("its interval").all()
    assert c.loc[c["absent"] >= 0.1, "note"].str.contains("interval not reliable").all()
    assert c.loc[c["absent"] > 0, "note"].str.contains("absent from").all()
    edge = (c["low"] < c["high"]) & ((c["estimate"] == c["low"]) | (c["estimate"] == c["high"]))
    assert c.loc[edge, "note"].str.contains("at the edge of its interval").all()
    assert c.loc[~outside & ~edge & (c["absent"] == 0) & (c["zero"] == 0)
                 & (c["method"] == "BCa") & (c["z0"].abs() < 1), "note"].eq("").all()  # fmt: skip
    pct = bootstrap(build, n, n_resamples=200, seed=20240601, interval="percentile").centrality
    missed = (pct["estimate"] < pct["low"]) | (pct["estimate"] > pct["high"])
    # Codebook 2.2's coding gave two such misses (C_ability's eigenvector among them), 2.3's
    # none at this seed: the synthetic cases above test the notes where a miss is certain.
    assert pct.loc[missed, "note"].str.contains("estimate (?:above|below) its interval").all()
    # Where the percentile interval missed, BCa either holds the estimate or says why.
    bca = c.set_index(["id", "measure"])
    for key in pct.loc[missed, ["id", "measure"]].itertuples(index=False):
        row = bca.loc[tuple(key)]
        inside = row["low"] <= row["estimate"] <= row["high"]
        assert inside or "its interval" in row["note"], (key, row.to_dict())
    e = res.edges[res.edges["in_full"]]
    assert e["estimate"].notna().all() and (e["low"] <= e["high"]).all()
    assert e.loc[e["absent"] >= 0.1, "note"].str.contains("interval not reliable").all()


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
