"""Problem–cause assertions on the seeds: alignment, weights, evidence, duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from scipy import stats

from workbench import config
from workbench.coding.codebook import load_codebook, parse_codebook
from workbench.corpus.structure import section_announcements
from workbench.network.graph import codebook_meta
from workbench.network.problem_cause import (
    PAIR_COLUMNS,
    LinkIncidence,
    assertions,
    edge_weights,
    problem_cause_graph,
    quote_pairs,
)
from workbench.network.significance import bh

CATCH_ALLS = ("P_other", "C_other", "M_other", "C_attribution")

A000 = "000_688e36ac7d55ccc2/a1"


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def pairs(seeds, cb):
    return {dedup: assertions(seeds.analysis_segments(dedup=dedup), cb) for dedup in (True, False)}


@pytest.fixture(scope="module")
def with_headings(seeds, cb):
    """Headings counted: article 000 states its numbered problems and causes in headings."""
    return {dedup: assertions(seeds.analysis_segments(dedup=dedup), cb, headings=True)
            for dedup in (True, False)}  # fmt: skip


def test_parallel_numbering_pairs_items_of_the_same_number(with_headings, seeds):
    p = with_headings[True]
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


def test_reposted_article_counts_twice_without_dedup(with_headings):
    key = ("C_ideology", "P_purpose", "cause_of")
    kept = edge_weights(with_headings[False]).set_index(["source", "target", "relation"])["weight"]
    dedup = edge_weights(with_headings[True]).set_index(["source", "target", "relation"])["weight"]
    assert kept[key] == dedup[key] + 1  # 004 a6 reposts 000
    assert (kept.reindex(dedup.index) >= dedup).all()


def test_graph_edges_carry_quote_pairs(pairs, cb, seeds):
    g = problem_cause_graph(pairs[True], codebook_meta(cb), min_articles=2)
    assert g.is_directed() and g.graph["filter"] == "articles ≥ 2"
    assert all(d["weight"] >= 2 for *_, d in g.edges(data=True))
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"cause_of", "addressed_by"}
    # The cause_of edge with the most sentence pairs (whichever codes the codebook has).
    u, v = max(((a, b) for a, b, r in g.edges(data="relation") if r == "cause_of"),
               key=lambda e: (g.edges[e]["n_pairs"], e))  # fmt: skip
    assert g.edges[u, v]["n_pairs"] >= 2
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


def test_headings_are_not_statements_by_default(pairs, with_headings, seeds):
    heads = set(seeds.segments.loc[section_announcements(seeds.segments), "segment_id"])
    p, h = pairs[True], with_headings[True]
    assert not (set(p["source_segment"]) | set(p["target_segment"])) & heads
    assert (set(h["source_segment"]) | set(h["target_segment"])) & heads
    # Article 000's parallel items are numbered headings that state a problem and a cause:
    # they are statements, so the item link stays.
    key = ("C_ideology", "P_purpose")
    in_000 = {(s, t) for d, s, t in zip(p["doc_id"], p["source"], p["target"], strict=True)
              if d == A000}  # fmt: skip
    assert key in in_000
    # Headings still number the items: alignment is unchanged where both keep a pair.
    keys = ["doc_id", "source", "target", "source_segment", "target_segment", "relation"]
    both = p.merge(h, on=keys, suffixes=("", "_h"))
    assert len(both) == len(p) and (both["alignment"] == both["alignment_h"]).all()


def _catch_codebook():
    raw = yaml.safe_load(config.CODEBOOK.read_text(encoding="utf-8"))
    for code in raw["codes"]:
        code["catch_all"] = code["id"] in CATCH_ALLS
    return parse_codebook(raw, "catch-all test codebook")


def test_catch_alls_left_out_by_default(seeds):
    cb = _catch_codebook()
    seg = seeds.analysis_segments()
    p = assertions(seg, cb)
    kept = assertions(seg, cb, catch_alls=True)
    codes = set(p["source"]) | set(p["target"])
    assert not codes & set(CATCH_ALLS)
    assert (set(kept["source"]) | set(kept["target"])) & set(CATCH_ALLS)
    # Only the catch-all rows differ.
    specific = kept[~kept["source"].isin(CATCH_ALLS) & ~kept["target"].isin(CATCH_ALLS)]
    assert specific.reset_index(drop=True).equals(p)


def test_link_test_is_fisher_over_articles(pairs):
    p = pairs[True]
    tests = LinkIncidence.from_pairs(p).tests()
    rel = "cause_of"
    sub = p[p["relation"] == rel]
    n = sub["doc_id"].nunique()
    row = tests[tests["relation"] == rel].sort_values(["weight", "source", "target"]).iloc[-1]
    ns = sub.loc[sub["source"] == row["source"], "doc_id"].nunique()
    nt = sub.loc[sub["target"] == row["target"], "doc_id"].nunique()
    c = sub.loc[(sub["source"] == row["source"]) & (sub["target"] == row["target"]),
                "doc_id"].nunique()  # fmt: skip
    assert (row["weight"], row["n_source"], row["n_target"], row["n_articles"]) == (c, ns, nt, n)
    table = [[c, ns - c], [nt - c, n - ns - nt + c]]
    assert row["p"] == pytest.approx(stats.fisher_exact(table, alternative="greater")[1])
    # BH over every (source, target) combination of codes present, per relation.
    n_tests = sum(p[p["relation"] == r]["source"].nunique() * p[p["relation"] == r]["target"]
                  .nunique() for r in ("cause_of", "addressed_by"))  # fmt: skip
    assert tests["q"].to_numpy() == pytest.approx(bh(tests["p"].to_numpy(), n_tests=n_tests))


def _pairs(links):
    """Minimal assertions pairs: one sentence pair per (article, source, target)."""
    rows = [{"doc_id": d, "source": s, "target": t, "relation": "cause_of", "alignment": "article",
             "source_segment": f"{d}/s", "target_segment": f"{d}/t", "source_quote": s,
             "target_quote": t} for d, s, t in links]  # fmt: skip
    return pd.DataFrame(rows)


def test_alpha_filters_and_is_recorded(pairs, cb):
    # Ten articles give C1 → P1, ten C2 → P2; one of them also C2 → P1.
    links = [(f"f/a{i}", "C1", "P1") for i in range(10)]
    links += [(f"f/a{i}", "C2", "P2") for i in range(10, 20)] + [("f/a10", "C2", "P1")]
    g = problem_cause_graph(_pairs(links), min_articles=1)
    # 20 articles; C1 in 10, P1 in 11, both in 10: Fisher's exact test, one-sided.
    fisher = stats.fisher_exact([[10, 0], [1, 9]], alternative="greater")[1]
    assert g.edges["C1", "P1"]["p"] == pytest.approx(fisher) and fisher < 1e-3
    assert g.edges["C2", "P1"]["p"] == pytest.approx(1.0)  # C2 and P1 avoid each other
    f = problem_cause_graph(_pairs(links), min_articles=2, alpha=0.05)
    assert set(f.edges) == {("C1", "P1"), ("C2", "P2")}
    assert f.graph["filter"] == "articles ≥ 2; BH q ≤ 0.05 (one-sided hypergeometric over articles)"
    assert f.graph["filter_alpha"] == 0.05 and g.graph["filter_alpha"] == ""
    # On the seeds every edge has p and q; with 10 articles few links are significant.
    seed = problem_cause_graph(pairs[True], codebook_meta(cb), min_articles=1)
    assert all(0 < d["p"] <= d["q"] <= 1 for *_, d in seed.edges(data=True))


def test_a_codebook_of_ones_own_plays_the_parts(seeds, tmp_path):
    from own_codebook import write_own_codebook

    own = load_codebook(write_own_codebook(tmp_path))
    seg = seeds.analysis_segments()
    p = assertions(seg, own)
    of = {c.id: c.category for c in own.codes}
    kinds = set(zip(p["relation"], p["source"].map(of), p["target"].map(of), strict=True))
    assert kinds == {("cause_of", "explanation", "grievance"),
                     ("addressed_by", "grievance", "remedy")}  # fmt: skip
    # each end in a section of the role its category plays; actor (no part) never
    role = seg.set_index("segment_id")["role"]
    cause = p[p["relation"] == "cause_of"]
    assert set(role[cause["source_segment"]]) == {"cause"}
    assert set(role[cause["target_segment"]]) == {"problem"}
    g = problem_cause_graph(p, codebook_meta(own))
    assert g.number_of_edges() and "A_masses" not in g
    assert g.nodes["G_style"]["category"] == "grievance"
    assert g.nodes["R_educate"]["label_en"] == "Education"


def test_a_part_no_category_plays_gives_no_links_and_a_note(seeds, tmp_path, capsys):
    from own_codebook import OWN_CODEBOOK, write_own_codebook

    from workbench.cli import main
    from workbench.network.problem_cause import missing_parts

    text = OWN_CODEBOOK.replace("    part: cause\n", "    part: none\n")
    path = write_own_codebook(tmp_path, text)
    own = load_codebook(path)
    assert missing_parts(own) == ["cause"] and missing_parts(own, ("addressed_by",)) == []
    p = assertions(seeds.analysis_segments(), own)
    assert set(p["relation"]) == {"addressed_by"}
    # no part at all: an empty table and graph, not an error
    none = text.replace("part: problem", "part: none").replace("part: countermeasure",
                                                               "part: none")  # fmt: skip
    nothing = assertions(seeds.analysis_segments(), load_codebook(write_own_codebook(
        tmp_path / "none", none)))  # fmt: skip
    assert nothing.empty and list(nothing.columns) == PAIR_COLUMNS
    assert problem_cause_graph(nothing).number_of_nodes() == 0
    out = tmp_path / "pc.graphml"
    assert main(["network", "--kind", "problem-cause", "--codebook", str(path),
                 "--min-articles", "1", "--out", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "no category of" in err and "plays the part 'cause'" in err
    assert "no cause → problem links (cause_of)" in err and "addressed_by" not in err
    assert out.exists()


def test_wrong_arguments_say_what_to_pass(seeds):
    # A segments table for the pairs failed with a pandas KeyError, a Codebook for the
    # node metadata with "'Codebook' object has no attribute 'get'", a str for the
    # coding with "'str' object has no attribute 'matrix'"; alpha=5 kept every link.
    from workbench.network.graph import coding_graph, network_coding

    cb = load_codebook()
    segs = seeds.analysis_segments()
    with pytest.raises(ValueError, match=r"pairs lacks the columns source, target, relation"):
        problem_cause_graph(segs)
    pairs = assertions(segs, cb)
    with pytest.raises(TypeError, match=r"codebook_meta\(codebook\), not Codebook"):
        problem_cause_graph(pairs, cb)
    with pytest.raises(ValueError, match=r"alpha must be a level in \(0, 1\]"):
        problem_cause_graph(pairs, alpha=5)
    with pytest.raises(ValueError, match="min_articles must be a whole number of 1 or more"):
        problem_cause_graph(pairs, min_articles=0)
    with pytest.raises(TypeError, match="coding must be a Coding"):
        coding_graph("codes.csv")
    with pytest.raises(TypeError, match=r"codebook_meta\(codebook\), not Codebook"):
        coding_graph(network_coding(segs, cb), None, cb)
