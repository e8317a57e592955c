"""Shares of articles asserting each code: headings, catch-alls, intervals, quotes."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from workbench import config
from workbench.coding.codebook import load_codebook, parse_codebook
from workbench.coding.coder import code_segments
from workbench.coding.frequencies import article_shares


@pytest.fixture(scope="module")
def coded(seeds):
    seg = seeds.analysis_segments()
    cb = load_codebook()
    return seg, cb, code_segments(seg, cb)


def test_an_article_counts_once(coded):
    seg, cb, coding = coded
    t = article_shares(coding, seg, cb, n_boot=50, catch_alls=True, headings=True)
    long = coding.long.merge(seg[["segment_id", "doc_id"]], left_on="unit_id",
                             right_on="segment_id")  # fmt: skip
    expected = long.groupby("code")["doc_id"].nunique()
    got = t.set_index("code")["articles"]
    assert (got[expected.index] == expected).all()
    assert (got.drop(expected.index) == 0).all()
    assert t["share"].tolist() == (t["articles"] / seg["doc_id"].nunique()).tolist()


def test_headings_are_not_content_by_default(coded):
    seg, cb, coding = coded
    with_h = article_shares(coding, seg, cb, n_boot=20, headings=True).set_index("code")
    without = article_shares(coding, seg, cb, n_boot=20).set_index("code").loc[with_h.index]
    assert (without["articles"] <= with_h["articles"]).all()
    heading_ids = set(seg.loc[seg["is_heading"].astype(bool), "segment_id"])
    assert not set(without["segment_id"]) & heading_ids
    # Some code is asserted only by a heading in some article on the seeds.
    assert (without["articles"] < with_h["articles"]).any()


def test_catch_alls_left_out_unless_asked(coded, tmp_path):
    seg, _, coding = coded
    raw = yaml.safe_load(config.CODEBOOK.read_text(encoding="utf-8"))
    for code in raw["codes"]:
        code["catch_all"] = code["id"] in ("P_other", "M_other")
    cb = parse_codebook(raw)
    assert cb.catch_alls == ["P_other", "M_other"]
    default = article_shares(coding, seg, cb, n_boot=20)
    assert not {"P_other", "M_other"} & set(default["code"])
    kept = article_shares(coding, seg, cb, n_boot=20, catch_alls=True)
    assert {"P_other", "M_other"} <= set(kept["code"])
    cats = article_shares(coding, seg, cb, n_boot=20, level="category")
    assert cats["category"].tolist() == list(cb.categories)


def test_intervals_are_seeded_and_contain_the_share(coded):
    seg, cb, coding = coded
    a = article_shares(coding, seg, cb, n_boot=300, seed=4)
    b = article_shares(coding, seg, cb, n_boot=300, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["lo"] <= a["share"]) & (a["share"] <= a["hi"])).all()
    positive = a[a["articles"] > 0]
    assert (positive["hi"] > positive["lo"]).any()
    zero = a[a["articles"] == 0]  # Wilson's interval: from 0, never a point at 0
    assert (zero["lo"] == 0).all() and (zero["hi"] > 0).all()


def test_quote_is_a_verbatim_sentence_with_the_code(coded):
    seg, cb, coding = coded
    t = article_shares(coding, seg, cb, n_boot=20)
    by_id = seg.set_index("segment_id")["text_orig"]
    has = set(zip(coding.long["unit_id"], coding.long["code"], strict=True))
    for r in t[t["articles"] > 0].itertuples(index=False):
        assert by_id[r.segment_id] == r.quote and (r.segment_id, r.code) in has


def test_sorted_by_category_then_share(coded):
    seg, cb, coding = coded
    t = article_shares(coding, seg, cb, n_boot=20)
    order = {c: i for i, c in enumerate(cb.categories)}
    keys = list(zip(t["category"].map(order), -t["share"], t["code"], strict=True))
    assert keys == sorted(keys)


def test_needs_sentence_coding(seeds):
    seg = seeds.analysis_segments()
    cb = load_codebook()
    with pytest.raises(ValueError, match="sentence-level coding"):
        article_shares(code_segments(seg, cb, "paragraph"), seg, cb)


def test_few_articles_get_wilsons_interval_as_the_trends_do(coded):
    """A percentile bootstrap of the seeds' 13 articles put a code asserted by 3 of them
    at [0.000, 0.462] and a code no article asserts at [0.000, 0.000], as if certain; the
    trends used Wilson's interval there, the headline ranking did not."""
    import numpy as np

    from workbench.trends import MIN_BOOTSTRAP_N, wilson

    seg, cb, coding = coded
    n = seg["doc_id"].nunique()
    assert n < MIN_BOOTSTRAP_N
    t = article_shares(coding, seg, cb, n_boot=300, seed=4)
    assert set(t["interval"]) == {"wilson"}
    lo, hi = wilson(t["articles"].to_numpy(), n)
    assert np.allclose(t["lo"], lo) and np.allclose(t["hi"], hi)
    three = t[t["articles"] == 3].iloc[0]
    assert three["lo"] > 0.05  # Wilson's 3 of 13: [0.082, 0.503]


def test_many_articles_keep_the_bootstrap_they_had():
    """From MIN_BOOTSTRAP_N articles on, a share strictly between 0 and 1 has the same
    percentile bootstrap over articles as before (same seed, same numbers)."""
    import numpy as np

    from workbench.coding.coder import Coding
    from workbench.trends import MIN_BOOTSTRAP_N

    cb = load_codebook()
    n = MIN_BOOTSTRAP_N + 10
    seg = pd.DataFrame({"segment_id": [f"d{i}/a1/p001/s01" for i in range(n)],
                        "doc_id": [f"d{i}/a1" for i in range(n)],
                        "is_heading": False, "text": "正文。", "text_orig": "正文。"})  # fmt: skip
    coded_ids = seg["segment_id"][: n // 3]
    long = pd.DataFrame({"unit_id": coded_ids, "code": "P_formalism"})
    coding = Coding(long=long, matrix=None, units=seg.rename(columns={"segment_id": "unit_id"}),
                    codes=cb.ids, unit="sentence")  # fmt: skip
    t = article_shares(coding, seg, cb, n_boot=400, seed=7).set_index("code")
    row = t.loc["P_formalism"]
    assert row["interval"] == "bootstrap"
    # the former computation, by hand
    a = np.zeros((n, 1))
    a[: n // 3] = 1
    rng = np.random.default_rng(7)
    boot = rng.multinomial(n, np.full(n, 1.0 / n), size=400) @ a / n
    assert (row["lo"], row["hi"]) == (np.quantile(boot, 0.025), np.quantile(boot, 0.975))
    assert t.loc["P_detached", "interval"] == "wilson"  # share 0: Wilson's [0, 0.088]
    assert t.loc["P_detached", "hi"] > 0


def _coded_files(tmp_path, text):
    from workbench.corpus import load_corpus

    (tmp_path / "村里.txt").write_text(text, encoding="utf-8")
    seg = load_corpus([str(tmp_path)]).analysis_segments()
    cb = load_codebook()
    return seg, cb, code_segments(seg, cb)


def test_a_code_only_in_a_heading_says_so_and_quotes_the_heading(tmp_path):
    heading = "一、个别干部下基层走马观花"
    seg, cb, coding = _coded_files(
        tmp_path,
        "关于村里工作的几点看法\n" + heading + "\n"
        "村里开会很多，大家都觉得很累，但是事情没有什么变化。\n"
        "二、今后的打算\n我们会继续努力，把村里的各项事情办好。\n",
    )
    t = article_shares(coding, seg, cb, n_boot=20).set_index("code")
    row = t.loc["P_formalism"]
    assert row["articles"] == 1
    assert row["quote"] == f"only in a heading: 「{heading}」"
    assert seg.set_index("segment_id").at[row["segment_id"], "text_orig"] == heading
    # every asserted code has a quote; codes no article asserts have none
    assert (t.loc[t["articles"] > 0, "quote"] != "").all()
    assert (t.loc[t["articles"] == 0, "quote"] == "").all()


def test_a_body_sentence_is_preferred_to_a_heading(tmp_path):
    body = "有的干部下基层走马观花，群众很有意见。"
    seg, cb, coding = _coded_files(
        tmp_path, "关于村里工作的几点看法\n一、个别干部下基层走马观花\n" + body + "\n"
    )
    row = article_shares(coding, seg, cb, n_boot=20).set_index("code").loc["P_formalism"]
    assert row["quote"] == body


def test_nothing_coded_gives_an_empty_table_not_an_error(tmp_path):
    from workbench.coding.coder import evidence

    seg, cb, coding = _coded_files(tmp_path, "hi\n")
    t = article_shares(coding, seg, cb, n_boot=20)
    assert (t["articles"] == 0).all() and (t["quote"] == "").all()
    ev = evidence(coding, seg)
    assert ev.empty and {"code", "segment_id", "quote", "quote_orig"} <= set(ev.columns)
