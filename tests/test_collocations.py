"""Collocations: window counts by hand, G² and PMI from the 2 × 2 table, and on the seeds."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests

from workbench.collocations import collocations, window_counts
from workbench.keyness import segment_terms


def test_window_counts_by_hand():
    toks = [["甲", "乙", "群众", "丙", "丁", "戊", "群众", "己"], ["群众"], ["庚", "辛"]]
    counts, positions, nodes = window_counts(toks, "群众", 2)
    # Sentence 1: node at 2 → 0, 1, 3, 4; node at 6 → 4, 5, 7 (4 counted once). Sentence 2:
    # the node alone; sentence 3: no node.
    assert (nodes, positions) == (3, 6)
    assert dict(counts) == {"甲": 1, "乙": 1, "丙": 1, "丁": 1, "戊": 1, "己": 1}
    with pytest.raises(ValueError):
        window_counts(toks, "群众", 0)


def test_statistics_equal_the_2x2_table_by_hand():
    seg = pd.DataFrame({"text": ["干部深入基层联系群众", "群众路线要走访群众", "干部走访基层",
                                 "干部走访群众", "基层干部"]})  # fmt: skip
    terms = segment_terms(seg)
    t = collocations(seg, "群众", window=2, min_count=1, terms=terms).set_index("term")
    n = sum(len(x) for x in terms)
    counts, w, _ = window_counts(terms, "群众", 2)
    for term, row in t.iterrows():
        o = counts[term]
        f = sum(x.count(term) for x in terms)
        assert (row["count"], row["freq"]) == (o, f)
        assert row["expected"] == pytest.approx(w * f / n)
        assert row["pmi"] == pytest.approx(math.log2(o / (w * f / n)))
        table = [[o, f - o], [w - o, n - w - f + o]]
        g2_ref, *_ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert row["g2"] == pytest.approx(g2_ref if o > w * f / n else 0.0, abs=1e-10)
    assert t["q"].to_numpy() == pytest.approx(multipletests(t["p"], method="fdr_bh")[1])


@pytest.fixture(scope="module")
def seeds_data(seeds):
    seg = seeds.analysis_segments()
    return seg, segment_terms(seg)


def test_collocates_of_the_masses_on_the_seeds(seeds_data):
    seg, terms = seeds_data
    t = collocations(seg, "群众", terms=terms)
    assert t["term"].iloc[0] == "干部"  # cadres and masses: the relation the corpus is about
    assert {"支持", "信任", "关心"} <= set(t["term"].head(10))
    assert (t["count"] >= 2).all() and "群众" not in set(t["term"])
    assert t["g2"].is_monotonic_decreasing
    strong = t[t["q"] <= 0.05]
    assert len(strong) >= 5 and (strong["pmi"] > 0).all()


def test_a_traditional_node_finds_the_same_collocates(seeds_data):
    seg, terms = seeds_data
    pd.testing.assert_frame_equal(collocations(seg, "羣衆", terms=terms),
                                  collocations(seg, "群众", terms=terms))  # fmt: skip


def test_a_wider_window_finds_more_and_an_absent_term_nothing(seeds_data):
    seg, terms = seeds_data
    narrow = collocations(seg, "群众", window=2, min_count=1, terms=terms)
    wide = collocations(seg, "群众", window=8, min_count=1, terms=terms)
    assert wide["count"].sum() > narrow["count"].sum()
    assert collocations(seg, "不存在的词语", terms=terms).empty


def test_occurrences_inside_longer_words_are_counted_and_said(tmp_path, capsys):
    from workbench.cli import main

    # The tester's case: 群众 inside 脱离群众 is found by kwic, not by the windows.
    seg = pd.DataFrame({"tokens": [["干部", "联系", "群众"], ["干部", "脱离群众"],
                                   ["脱离群众", "作风"]]})  # fmt: skip
    t = collocations(seg, "群众", window=2, min_count=1)
    assert t.attrs["occurrences"] == 1 and t.attrs["inside"] == {"脱离群众": 2}
    assert t.attrs["top_collocate"] == {"term": "干部", "count": 1}
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(
        "干部作风的报告\n\n干部要联系群众。有的干部脱离群众。\n\n村里干部走访群众，倾听群众呼声。\n\n"
        "少数干部长期脱离群众，作风漂浮。\n\n乡镇干部为群众办实事，不能脱离群众。\n",
        encoding="utf-8",
    )
    seg_path = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(texts), "--out", str(seg_path)]) == 0
    capsys.readouterr()
    assert main(["collocations", "--corpus", str(seg_path), "--term", "干部",
                 "--min-count", "50"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert re.search(r"'干部' occurs \d+ times, but no collocate co-occurs with it --min-count 50 "
                     r"times or more \(the most: '\w+', \d+ times\)", err)  # fmt: skip
    assert "lower --min-count" in err and "as jieba splits it" not in err
    assert main(["collocations", "--corpus", str(seg_path), "--term", "群众"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"'群众' occurs \d+ times as a word, and \d+ more inside longer words "
                     r"\(脱离群众 3", err)  # fmt: skip
    assert main(["collocations", "--corpus", str(seg_path), "--term", "报"]) == 0
    assert "'报' never occurs as a word of the corpus" in capsys.readouterr().err


def test_a_term_jieba_cuts_is_the_node_where_its_tokens_spell_it():
    """民情日记 (cut 民情 / 日记) occurs three times, and collocations said it never occurs
    as a word, with no collocate; the node is now the consecutive tokens that spell it,
    and the segmenter itself is not changed (no other analysis of the process moves)."""
    from workbench.corpus.tokens import tokenize

    seg = pd.DataFrame({"text": ["某县推行民情日记制度。", "推行民情日记，就是要让干部沉下去。",
                                 "驻村干部每天写民情日记。", "民情调查很重要。"]})  # fmt: skip
    assert "民情日记" not in tokenize("推行民情日记制度")
    before = segment_terms(seg)
    t = collocations(seg, "民情日记", window=2, min_count=1)
    assert t.attrs["occurrences"] == 3
    assert dict(zip(t["term"], t["count"], strict=True))["推行"] == 2
    assert segment_terms(seg) == before  # no global registration
    assert "民情日记" not in tokenize("推行民情日记制度")
    # half a token is never taken: 情日 spells no run of whole tokens
    assert collocations(seg, "情日", window=2, min_count=1).attrs["occurrences"] == 0
