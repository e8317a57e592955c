"""Keyness: G², log ratio and BH against independent computations, and on the seeds."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests

from workbench.groups import InputError, code_groups
from workbench.keyness import compare, g2, keyness, log_ratio, segment_terms, top_terms
from workbench.termfreq import term_frequencies

# (a, b, c, d): the term's count in the target and the reference, and their sizes.
TABLES = [(10, 2, 1000, 1000), (25, 88, 1228, 13053), (0, 7, 500, 800), (7, 0, 500, 800),
          (300, 150, 20_000, 30_000), (1, 1, 10, 1_000_000)]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "c", "d"), TABLES)
def test_g2_equals_scipy_log_likelihood_on_the_2x2_table(a, b, c, d):
    table = [[a, b], [c - a, d - b]]
    expected, *_ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert g2(a, b, c, d) == pytest.approx(expected, rel=1e-12)


def test_g2_by_hand_both_formulas():
    # a=10, b=2, c=d=1000: expected counts E1=E2=6 for the term, 994 for the rest.
    rayson = 2 * (10 * math.log(10 / 6) + 2 * math.log(2 / 6))
    dunning = rayson + 2 * (990 * math.log(990 / 994) + 998 * math.log(998 / 994))
    assert rayson == pytest.approx(5.822063, abs=1e-6)  # 2·(10·ln(5/3) + 2·ln(1/3))
    assert g2(10, 2, 1000, 1000, formula="rayson") == pytest.approx(rayson, rel=1e-12)
    assert g2(10, 2, 1000, 1000) == pytest.approx(dunning, rel=1e-12)
    # Equal relative frequencies: no evidence either way.
    assert g2(5, 10, 1000, 2000) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="formula"):
        g2(1, 1, 2, 2, formula="pearson")


def test_g2_is_vectorised():
    a, b, c, d = (np.array(x) for x in zip(*TABLES, strict=True))
    assert np.allclose(g2(a, b, c, d), [float(g2(*t)) for t in TABLES])


def test_log_ratio_follows_hardie():
    # Twice as frequent (per token) = 1; the same = 0; half = -1.
    assert log_ratio(100, 50, 10_000, 10_000) == pytest.approx(1.0)
    assert log_ratio(20, 40, 1000, 2000) == pytest.approx(0.0)
    assert log_ratio(50, 100, 10_000, 10_000) == pytest.approx(-1.0)
    # A zero count counts as 0.5 (Hardie 2014): 8 / 0.5 = 16 → 4 with equal sizes.
    assert log_ratio(8, 0, 1000, 1000) == pytest.approx(4.0)
    assert log_ratio(0, 8, 1000, 1000) == pytest.approx(-4.0)


def test_a_term_absent_from_a_small_group_is_never_over_represented():
    """A short text (a genre of one document) lacks a term the rest has 5 times: its 0
    counted as 0.5 in 40 tokens would be more than 5 in 3,000, a positive log ratio beside
    direction "under". The ratio is then 0; the sign always agrees with the counts."""
    target = Counter({"春风": 20, "田野": 20})
    reference = Counter({"干部": 5, "群众": 60, "春风": 1, **{f"词{i}": 20 for i in range(147)}})
    table = compare(target, reference, min_count=5).set_index("term")
    assert table.loc["干部", "count"] == 0 and table.loc["干部", "direction"] == "under"
    assert table.loc["干部", "log_ratio"] == 0.0
    assert table.loc["群众", "log_ratio"] < 0  # 0.5 in 40 tokens is below 60 in 3,000
    over = table["direction"] == "over"
    assert (table.loc[over, "log_ratio"] >= 0).all()
    assert (table.loc[~over, "log_ratio"] <= 0).all()
    # and the mirror: a term only the small group has is never under-represented
    assert log_ratio(3, 0, 3_000, 40).item() == 0.0


def test_compare_q_values_equal_statsmodels_bh_and_rows_are_stable():
    rng = np.random.default_rng(5)
    words = [f"w{i:02d}" for i in range(60)]
    target = Counter({w: int(n) for w, n in zip(words, rng.poisson(8, 60), strict=True)})
    reference = Counter({w: int(n) for w, n in zip(words, rng.poisson(20, 60), strict=True)})
    t = compare(target, reference, min_count=5)
    assert t["q"].to_numpy() == pytest.approx(
        multipletests(t["p"].to_numpy(), method="fdr_bh")[1], rel=1e-12
    )
    c, d = sum(target.values()), sum(reference.values())
    row = t.set_index("term").loc["w07"]
    assert row["g2"] == pytest.approx(float(g2(target["w07"], reference["w07"], c, d)))
    # Over-used first by G² (desc), then under-used by G² (asc); ties by term.
    over = t[t["direction"] == "over"]
    under = t[t["direction"] == "under"]
    assert t.index[: len(over)].tolist() == over.index.tolist()
    assert over["g2"].is_monotonic_decreasing and under["g2"].is_monotonic_increasing
    assert (np.sign(t["log_ratio"]) >= 0).tolist() == (t["direction"] == "over").tolist()


def test_min_count_leaves_rare_terms_untested():
    t = compare(Counter({"多": 6, "少": 2}), Counter({"多": 1, "少": 2}), min_count=5)
    assert t["term"].tolist() == ["多"]
    # BH counts only the terms tested: one test, q = p.
    assert t["q"].iloc[0] == pytest.approx(t["p"].iloc[0])


def test_ties_are_broken_by_term():
    t = compare(Counter({"乙": 5, "甲": 5, "丙": 1}), Counter({"丙": 20}), min_count=1)
    assert t["term"].tolist()[:2] == ["乙", "甲"] == sorted(["甲", "乙"])


@pytest.fixture(scope="module")
def seeds_segments(seeds):
    return seeds.analysis_segments()


@pytest.fixture(scope="module")
def seeds_terms(seeds_segments):
    return segment_terms(seeds_segments)


def test_keyness_by_role_on_the_seeds(seeds_segments, seeds_terms):
    t = keyness(seeds_segments, "role", terms=seeds_terms)
    assert list(t["group"].unique()) == ["cause", "countermeasure", "other", "problem"]
    top = top_terms(t, 10)
    problem = top[top["group"] == "problem"]["term"].tolist()
    counter = top[top["group"] == "countermeasure"]["term"].tolist()
    # What the sections say: shortcomings in problem sections, institutions in countermeasures.
    assert {"不够", "不强"} <= set(problem)
    assert {"村务公开", "制度", "完善"} <= set(counter)
    # No stopwords, punctuation or numbers among the terms.
    from workbench.corpus.tokens import is_content_token, load_stopwords

    assert all(is_content_token(w, load_stopwords()) for w in t["term"])
    # Each group's table is a complete comparison: counts add up to the corpus totals.
    for _, part in t.groupby("group"):
        assert (part["count"] + part["count_ref"] >= 5).all()


def test_keyness_counts_are_the_term_frequencies_of_the_group(seeds_segments, seeds_terms):
    from workbench.keyness import content_segments

    t = keyness(seeds_segments, "role", target="cause", terms=seeds_terms)
    body = content_segments(seeds_segments)
    freq = term_frequencies(body[body["role"] == "cause"], top=5)
    counts = t.set_index("term")["count"]
    for term, n in zip(freq["term"], freq["count"], strict=True):
        assert counts[term] == n


def test_keyness_by_a_documents_column_and_by_a_code(seeds, seeds_segments, seeds_terms):
    by_title = keyness(seeds_segments, "title", documents=seeds.documents, terms=seeds_terms)
    titles = seeds_segments["doc_id"].map(seeds.documents.set_index("doc_id")["title"])
    blank = titles.str.strip() == ""  # an article without a title is in no group, and counted
    assert blank.any() and by_title["group"].nunique() == titles[~blank].nunique()
    left = by_title.attrs["left_out"]
    assert left["no_value"] == seeds_segments.loc[blank, "doc_id"].nunique()
    assert left["doc_ids"] == sorted(seeds_segments.loc[blank, "doc_id"].unique())
    codes = pd.DataFrame({"doc_id": seeds.documents["doc_id"].iloc[:3], "code": "P_x"})
    labels = code_groups(seeds_segments, codes, "P_x")
    t = keyness(seeds_segments, labels, target="present", terms=seeds_terms)
    assert set(t["group"]) == {"present"}
    assert len(t) and t["q"].between(0, 1).all()


def test_keyness_user_mistakes_name_the_column_or_value(seeds_segments, seeds_terms):
    with pytest.raises(InputError, match="no column 'genre'"):
        keyness(seeds_segments, "genre", terms=seeds_terms)
    with pytest.raises(InputError, match=r"no value 'problems' in column 'role'.*problem"):
        keyness(seeds_segments, "role", target="problems", terms=seeds_terms)
    # One value of the column: the rest is empty, and there is nothing to compare with.
    one = seeds_segments["doc_id"].eq(seeds_segments["doc_id"].iloc[0]).to_numpy()
    with pytest.raises(InputError, match=r"column 'file' has one value .* at least two groups"):
        keyness(seeds_segments[one].reset_index(drop=True), "file",
                terms=[t for t, k in zip(seeds_terms, one, strict=True) if k])  # fmt: skip


def test_keyness_is_deterministic(seeds_segments, seeds_terms):
    a = keyness(seeds_segments, "file", terms=seeds_terms)
    b = keyness(seeds_segments.iloc[::-1].reset_index(drop=True), "file",
                terms=seeds_terms[::-1])  # fmt: skip
    pd.testing.assert_frame_equal(a, b)


def test_the_index_does_not_matter(seeds_segments, seeds_terms):
    # Announcing headings are dropped by position: a table concatenated without a fresh
    # index (duplicate labels) gives the same result.
    doubled = pd.concat([seeds_segments.iloc[:500], seeds_segments.iloc[500:]])
    doubled.index = [i % 300 for i in range(len(doubled))]
    a = keyness(seeds_segments, "role", target="cause", terms=seeds_terms)
    b = keyness(doubled, "role", target="cause", terms=seeds_terms)
    pd.testing.assert_frame_equal(a, b)
    heads = seeds_segments["is_heading"].to_numpy()
    assert heads.any()  # the seeds have headings, so the mask is exercised


def test_terms_side_by_side_leave_a_role_without_terms_empty():
    """A role with no distinctive term (a user's corpus whose 'other' sentences share every
    word) is a column of empty cells, not missing values filled with a warning pandas will
    turn into an error."""
    import warnings

    from workbench.keyness import terms_by_rank

    terms = pd.DataFrame({"group": ["problem", "problem", "cause"],
                          "term": ["形式主义", "走马观花", "宗旨意识"]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = terms_by_rank(terms, ["problem", "cause", "countermeasure", "other"])
    assert table.index.tolist() == [1, 2]
    assert table.to_dict("list") == {"problem": ["形式主义", "走马观花"], "cause": ["宗旨意识", ""],
                                     "countermeasure": ["", ""], "other": ["", ""]}  # fmt: skip
    assert terms_by_rank(terms.iloc[:0], ["problem"]) is None


def test_one_role_raises_or_gives_a_note_on_a_file_the_test_makes(tmp_path):
    from workbench.corpus import load_corpus
    from workbench.keyness import COLUMNS

    (tmp_path / "随笔.txt").write_text("村里的干部常来看望群众，群众很满意。\n", encoding="utf-8")
    seg = load_corpus([str(tmp_path)]).analysis_segments()
    assert seg["role"].nunique() == 1
    with pytest.raises(InputError, match="needs at least two groups") as raised:
        keyness(seg, "role")
    table = keyness(seg, "role", too_few="note")
    assert table.empty and list(table.columns) == COLUMNS
    assert table.attrs["note"] == str(raised.value)
    assert top_terms(table, 5).empty  # what the notebook does next still works
    with pytest.raises(ValueError, match="too_few"):
        keyness(seg, "role", too_few="ignore")


def test_a_comparison_has_no_note(seeds_segments, seeds_terms):
    assert keyness(seeds_segments, "role", terms=seeds_terms).attrs["note"] is None
