"""Filters, the co-occurrence graph on the seeds, the duplicate effect, and what counts:
article support, headings and catch-alls left out by default."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml
from scipy import sparse

from workbench import config
from workbench.coding.codebook import load_codebook, parse_codebook
from workbench.coding.coder import code_segments
from workbench.corpus.structure import section_announcements
from workbench.network.graph import (
    EdgeFilter,
    article_counts,
    article_ids,
    codebook_meta,
    coding_graph,
    content_segments,
    cooccurrence_graph,
    network_coding,
    scored_pairs,
)

X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))
IDS = ["u1", "u2", "u3", "u4"]
UNITS = EdgeFilter("count", support="units")
CATCH_ALLS = ("P_other", "C_other", "M_other", "C_attribution")


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def cb_catch():
    """The codebook with ``catch_all: true`` on the four residual codes (the test says which)."""
    raw = yaml.safe_load(config.CODEBOOK.read_text(encoding="utf-8"))
    for code in raw["codes"]:
        code["catch_all"] = code["id"] in CATCH_ALLS
    return parse_codebook(raw, "catch-all test codebook")


@pytest.fixture(scope="module")
def codings(seeds, cb):
    return {dedup: code_segments(seeds.analysis_segments(dedup=dedup), cb, "paragraph")
            for dedup in (True, False)}  # fmt: skip


def test_filters_compose_and_are_recorded():
    f = EdgeFilter("lift", min_support=1, threshold=1.0, top_n=1, support="units")
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, f, keep_isolates=True)
    assert list(g.edges) == [("a", "b")]  # lift 1.33 beats b–c's 1.0; a–c (0.67) fails
    assert g.graph["filter"] == "measure=lift; support ≥ 1 unit; lift ≥ 1; top 1"
    assert g.graph["filter_top_n"] == 1 and g.graph["filter_alpha"] == ""
    assert sorted(g.nodes) == ["a", "b", "c"]
    assert g.nodes["a"]["frequency"] == 3


def test_edge_evidence_lists_the_units_with_both_codes():
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, UNITS)
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
    assert "support ≥ 2 articles" in g.graph["filter"] and g.graph["filter_support"] == "articles"
    units = set(coding.units["unit_id"])
    frame = coding.frame()
    doc = dict(zip(coding.units["unit_id"], coding.units["doc_id"], strict=True))
    for u, v, d in g.edges(data=True):
        assert d["articles"] >= 2 and d["q"] <= 0.05
        ev = d["evidence"].split("; ")
        assert len(ev) == d["count"] and set(ev) <= units
        assert (frame.loc[ev, [u, v]] == 1).all().all()
        assert d["articles"] == len({doc[e] for e in ev}) <= d["count"]
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


def test_article_counts_equal_a_loop_over_articles(codings):
    coding = codings[True]
    groups = coding.units["doc_id"].tolist()
    pairs, freq, n = article_counts(coding.matrix, groups)
    frame = coding.frame().astype(bool)
    by_doc = frame.groupby(np.asarray(groups))
    assert n == len(by_doc) and freq.tolist() == by_doc.any().sum().tolist()
    codes = list(frame.columns)
    for i, j in itertools.combinations(range(len(codes)), 2):
        both = (frame[codes[i]] & frame[codes[j]]).groupby(np.asarray(groups)).any().sum()
        assert pairs[i, j] == both, (codes[i], codes[j])
    # Weighted: an article drawn twice counts twice, one not drawn not at all.
    docs = sorted(set(groups))
    mult = {d: k % 3 for k, d in enumerate(docs)}
    w = np.array([mult[d] for d in groups])
    wpairs, wfreq, wn = article_counts(coding.matrix, groups, w)
    assert wn == sum(mult.values())
    has = by_doc.any()
    draws = np.array([mult[d] for d in has.index])
    assert wfreq.tolist() == [float((has[c].to_numpy() * draws).sum()) for c in codes]
    i, j = codes.index("C_materialism"), codes.index("C_transition")
    both = (frame["C_materialism"] & frame["C_transition"]).groupby(np.asarray(groups)).any()
    assert wpairs[i, j] == float((both.reindex(has.index).to_numpy() * draws).sum()) > 0


def test_one_long_article_does_not_dominate_support():
    # Article A: 5 paragraphs with both a and b; articles B and C: a and c together once each.
    rows = [[1, 1, 0]] * 5 + [[1, 0, 1], [1, 0, 1]]
    ids = [f"f/a1/p{i}" for i in range(5)] + ["f/a2/p1", "f/a3/p1"]
    m = sparse.csr_matrix(np.array(rows))
    by_units = cooccurrence_graph(m, ["a", "b", "c"], ids, EdgeFilter("count", 2, support="units"))
    by_articles = cooccurrence_graph(m, ["a", "b", "c"], ids, EdgeFilter("count", 2))
    assert set(by_units.edges) == {("a", "b"), ("a", "c")}
    assert set(by_articles.edges) == {("a", "c")}  # a–b rests on one article
    assert by_articles.edges["a", "c"]["articles"] == 2
    assert by_articles.nodes["a"]["frequency"] == 3 and by_articles.nodes["a"]["units"] == 7
    assert by_articles.graph["n_articles"] == 3


def test_article_support_needs_articles():
    with pytest.raises(ValueError, match="groups="):
        cooccurrence_graph(X, ["a", "b", "c"], IDS, EdgeFilter("count"))
    assert article_ids(["f/a12/p001/s02"]).tolist() == ["f/a12"]
    with pytest.raises(ValueError, match="support must be one of"):
        EdgeFilter(support="sentences")


def test_catch_alls_left_out_by_default_and_kept_on_request(seeds, cb_catch):
    assert set(cb_catch.catch_alls) == set(CATCH_ALLS)
    meta = codebook_meta(cb_catch)
    assert meta["P_other"]["catch_all"] and not meta["P_trust"]["catch_all"]
    coding = network_coding(seeds.analysis_segments(), cb_catch)
    f = EdgeFilter("jaccard", 2)
    default = coding_graph(coding, f, meta)
    kept = coding_graph(coding, f, meta, catch_alls=True)
    assert not set(default.nodes) & set(CATCH_ALLS)
    assert set(kept.nodes) & set(CATCH_ALLS)  # they do occur: leaving them out changes the graph
    assert default.graph["left_out"] == "; ".join(cb_catch.catch_alls)
    assert kept.graph["left_out"] == ""
    # Left out before scoring: the same as a matrix without their columns (BH over fewer pairs).
    cols = [i for i, c in enumerate(coding.codes) if c not in CATCH_ALLS]
    direct = cooccurrence_graph(coding.matrix[:, cols], [coding.codes[i] for i in cols],
                                coding.units["unit_id"], f, meta,
                                groups=coding.units["doc_id"].tolist())  # fmt: skip
    assert sorted(direct.edges(data="q")) == sorted(default.edges(data="q"))
    # By id, without a codebook flag: the same.
    ids_meta = {c: {**m, "catch_all": c in CATCH_ALLS} for c, m in codebook_meta(
        load_codebook()).items()}  # fmt: skip
    assert set(coding_graph(coding, f, ids_meta).nodes) == set(default.nodes)


def test_headings_are_not_content_by_default(seeds, cb):
    seg = seeds.analysis_segments()
    heads = set(seg.loc[section_announcements(seg), "segment_id"])
    stating = set(seg.loc[seg["is_heading"], "segment_id"]) - heads
    assert len(heads) > 20 and len(stating) > 50  # the seeds number many statements
    assert not heads & set(content_segments(seg)["segment_id"])
    assert stating <= set(content_segments(seg)["segment_id"])
    assert len(content_segments(seg, headings=True)) == len(seg)
    coding = network_coding(seg, cb, "paragraph")
    with_heads = network_coding(seg, cb, "paragraph", headings=True)
    segs = {s for ids in coding.units["segment_ids"] for s in str(ids).split()}
    assert not segs & heads
    assert len(coding.units) < len(with_heads.units)  # announcement-only paragraphs are gone
    assert coding.matrix.sum() < with_heads.matrix.sum()
    # The co-occurrence network changes: headings add units, and so change the tests of its
    # edges (with codebook 2.3 the seeds' edges stay the same; their p-values do not).
    f = EdgeFilter("jaccard", 2, alpha=0.05)
    meta = codebook_meta(cb)
    g, g_heads = coding_graph(coding, f, meta), coding_graph(with_heads, f, meta)
    shared = set(g.edges) & set(g_heads.edges)
    assert set(g.edges) != set(g_heads.edges) or any(
        g.edges[e]["p"] != g_heads.edges[e]["p"] for e in shared
    )


def test_an_empty_network_says_which_filter_emptied_it(tmp_path, capsys):
    """A small corpus drew '0 nodes, 0 edges' with no word on why: the pairs were there,
    but none passed BH q ≤ 0.05 (or the support, or the problem–cause minimum)."""
    from workbench.cli import main

    f = EdgeFilter("count", min_support=2, alpha=0.05, support="units")
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, f)
    assert g.number_of_edges() == 0
    assert g.graph["no_edges"].startswith("3 code pair(s) co-occur; 1 in ≥ 2 units; none of them "
                                          "has BH q ≤ 0.05")  # fmt: skip
    assert g.graph["no_edges"].endswith("--alpha none shows them")
    g = cooccurrence_graph(X, ["a", "b", "c"], IDS, EdgeFilter("count", 3, support="units"))
    assert g.graph["no_edges"] == ("3 code pair(s) co-occur; none in ≥ 3 units (at most 2): "
                                   "--min-support 2 shows them")  # fmt: skip
    assert "no_edges" not in cooccurrence_graph(X, ["a", "b", "c"], IDS, UNITS).graph
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, county in (("a", "东县"), ("b", "西县")):
        (folder / f"{name}.txt").write_text(
            f"{county}整改方案\n一、存在的问题\n{county}一些干部脱离群众，宗旨意识淡化，走马观花。\n"
            f"二、原因分析\n{county}干部理想信念动摇，监督机制不健全。\n三、整改措施\n"
            f"{county}要密切联系群众，坚持走访入户，加强监督考核。\n", encoding="utf-8")
    seg = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(folder), "--out", str(seg)]) == 0
    capsys.readouterr()
    assert main(["network", "--corpus", str(seg), "--out", str(tmp_path / "n.gexf"),
                 "--min-support", "5", "--json", "--keep-duplicates"]) == 0  # fmt: skip
    out = capsys.readouterr()
    # Two articles: pairs in both of them are no BH-significant, so a lower --min-support
    # alone showed nothing, though the note said it would; it names every option needed.
    hint = "--min-support 2 and --alpha none show them"
    assert "note: no edge: " in out.err and hint in out.err
    import json

    assert hint in json.loads(out.out)["no_edges"]
    assert main(["network", "--corpus", str(seg), "--out", str(tmp_path / "n2.gexf"),
                 "--min-support", "2", "--alpha", "none", "--json", "--keep-duplicates"]) == 0
    assert json.loads(capsys.readouterr().out)["n_edges"] > 0  # the hint holds
    assert main(["network", "--kind", "problem-cause", "--corpus", str(seg),
                 "--out", str(tmp_path / "pc.graphml"), "--keep-duplicates"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "note: no edge: " in err and "none in ≥ 3 articles (at most 2)" in err
    assert "--min-articles 2 shows them" in err


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"alpha": 5}, ValueError, "alpha must be a level in (0, 1], such as 0.05, not 5"),
        ({"alpha": 0}, ValueError, "alpha must be a level in (0, 1]"),
        ({"alpha": "0.05"}, TypeError, "alpha must be a level in (0, 1], such as 0.05, not '0.05'"),
        ({"threshold": 1.5}, ValueError, "threshold must be a jaccard value in [0, 1], not 1.5"),
        ({"measure": "npmi", "threshold": -2}, ValueError, "a npmi value in [-1, 1], not -2"),
        ({"threshold": "0.2"}, TypeError, "threshold must be a jaccard value in [0, 1]"),
        ({"min_support": 0}, ValueError, "min_support must be a whole number of 1 or more"),
        ({"min_support": 2.5}, TypeError, "min_support must be a whole number of 1 or more"),
        ({"top_n": 0}, ValueError, "top_n must be a whole number of 1 or more, not 0"),
    ],
)
def test_edge_filter_refuses_values_that_keep_every_pair_or_none(kwargs, error, message):
    # alpha=5 or threshold=1.5 kept every pair or none without a word, top_n=0 drew an
    # empty network, and a str failed inside pandas ("'>=' not supported").
    with pytest.raises(error) as err:
        EdgeFilter(**kwargs)
    assert message in str(err.value)
    assert EdgeFilter("lift", 2, threshold=3.5, alpha=1, top_n=1).threshold == 3.5
