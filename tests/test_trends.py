"""Code prevalence over time (workbench.trends) and the ``trends`` command."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.coding.codebook import load_codebook
from workbench.groups import InputError
from workbench.trends import compare, date_span, document_dates, parse_periods, prevalence

CB = load_codebook()

# Eight made-up articles. Each has one body sentence per code listed; article h also has an
# announcing heading ("二、存在的问题") coded P_formalism, which does not count by default.
ARTICLES = {
    # doc      date          codes of its body sentences
    "a/a1": ("2011-03-02", ["P_formalism", "P_detached"]),
    "b/a1": ("2011", ["P_formalism"]),
    "c/a1": ("2011-11", []),
    "d/a1": ("2012-07-01", ["P_detached", "P_other"]),  # P_other is a catch-all
    "e/a1": ("2014-01-05", ["P_formalism"]),
    "f/a1": ("2014-02", ["P_formalism", "P_detached"]),
    "g/a1": ("", ["P_formalism"]),  # undated
    "h/a1": ("2013", []),  # dated to the year only; its heading carries P_formalism
}


def _made_up():
    seg_rows, code_rows = [], []
    for doc, (_, codes) in ARTICLES.items():
        if doc == "h/a1":
            sid = f"{doc}/p001/s01"
            seg_rows.append((sid, doc, "二、存在的问题", True))
            code_rows.append((sid, "P_formalism"))
        for i, code in enumerate([*codes, None], start=1):
            sid = f"{doc}/p002/s{i:02d}"
            seg_rows.append((sid, doc, f"正文第{i}句。", False))
            if code:
                code_rows.append((sid, code))
    seg = pd.DataFrame(seg_rows, columns=["segment_id", "doc_id", "text", "is_heading"])
    codes = pd.DataFrame(code_rows, columns=["unit_id", "code"])
    docs = pd.DataFrame({"doc_id": list(ARTICLES), "date": [d for d, _ in ARTICLES.values()]})
    return codes, seg, docs


def _share(table, period, code):
    row = table[(table["period"] == period) & (table["code"] == code)]
    assert len(row) == 1
    return row.iloc[0]


def test_shares_by_year_equal_a_hand_count():
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, codebook=CB, n_boot=200)
    assert p.n_articles == 8
    assert p.undated == ["g/a1"] and p.straddling == []
    assert p.periods[["period", "n"]].values.tolist() == [["2011", 3], ["2012", 1],
                                                          ["2013", 1], ["2014", 2]]  # fmt: skip
    # 2011: a, b, c; formalism in a and b, detached in a
    row = _share(p.table, "2011", "P_formalism")
    assert row[["articles", "n", "share"]].tolist() == [2, 3, 2 / 3]
    assert _share(p.table, "2011", "P_detached")["share"] == pytest.approx(1 / 3)
    assert _share(p.table, "2012", "P_detached")["share"] == 1.0
    assert _share(p.table, "2014", "P_formalism")["share"] == 1.0
    assert _share(p.table, "2014", "P_detached")["share"] == 0.5
    # h's only coded segment is a heading announcing its section: not content
    assert _share(p.table, "2013", "P_formalism")["share"] == 0.0
    # the catch-all is not in the table; every specific code is, in codebook order
    assert "P_other" not in set(p.table["code"])
    assert p.table.loc[p.table["period"] == "2011", "code"].tolist() == CB.specific_ids


def test_headings_and_catch_alls_on_request():
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, codebook=CB, headings=True, catch_alls=True, n_boot=50)
    assert _share(p.table, "2013", "P_formalism")["share"] == 1.0
    assert _share(p.table, "2012", "P_other")["share"] == 1.0


def test_shares_by_period_and_straddling_dates():
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, by="period", periods="2011-06,2013-06", codebook=CB,
                   n_boot=100)  # fmt: skip
    assert p.periods["period"].tolist() == ["–2011-05", "2011-06–2013-05", "2013-06–"]
    assert p.periods["n"].tolist() == [1, 2, 2]  # a | c, d | e, f
    # b (2011) and h (2013) fall across a boundary: in no period, and said so
    assert p.straddling == ["b/a1", "h/a1"] and p.undated == ["g/a1"]
    assert _share(p.table, "2011-06–2013-05", "P_detached")["share"] == 0.5
    assert _share(p.table, "2013-06–", "P_formalism")["share"] == 1.0


def test_open_periods_without_articles_are_left_out():
    # Boundaries imply a period before the first and one from the last; here neither has
    # an article (dates run 2011-2014), and they were 2 x 46 rows of blanks.
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, by="period", periods="2011,2013,2020", codebook=CB,
                   n_boot=50)  # fmt: skip
    assert p.periods[["period", "n"]].values.tolist() == [["2011–2012", 4], ["2013–2019", 3]]
    assert p.table["share"].notna().all()
    # an open last period written as such ('2013-') is the same period as the boundary 2013
    q = prevalence(codes, seg, docs, by="period", periods="2011,2013-", codebook=CB, n_boot=50)
    assert q.periods[["period", "n"]].values.tolist() == [["2011–2012", 4], ["2013–", 3]]
    assert _share(q.table, "2013–", "P_formalism")["articles"] == 2  # e, f (not h's heading)


def test_periods_written_out():
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, by="period", periods="2011-2011, 2014–", codebook=CB,
                   n_boot=50)  # fmt: skip
    assert p.periods[["period", "n"]].values.tolist() == [["2011", 3], ["2014–", 2]]
    # d (2012) and h (2013) fall in the gap between the periods: counted, not placed
    assert p.outside == ["d/a1", "h/a1"] and p.straddling == [] and p.undated == ["g/a1"]
    # a named period without articles keeps its rows, with n 0 and blank shares
    e = prevalence(codes, seg, docs, by="period", periods="2011-2012,2015-2016", codebook=CB,
                   n_boot=50)  # fmt: skip
    assert e.periods[["period", "n"]].values.tolist() == [["2011–2012", 4], ["2015–2016", 0]]
    assert e.table.loc[e.table["period"] == "2015–2016", "share"].isna().all()


@pytest.mark.parametrize(("spec", "message"), [
    ("2012,2016-2019", "mixes a single date with periods written out"),
    ("2012-2015,2014-", "overlap"),
    ("2016-2019,2012-2015", "not in time order"),
    ("2015-2012", "ends before it starts"),
    ("2019年-", "'2019年-' is not a date"),
    ("2012-,2016", "mixes a single date"),
])
def test_periods_mistakes(spec, message):
    codes, seg, docs = _made_up()
    with pytest.raises(InputError, match=message):
        prevalence(codes, seg, docs, by="period", periods=spec, codebook=CB, n_boot=10)


def test_a_metadata_year_as_a_spreadsheet_writes_it():
    """A 年份 column holding 2015年 (or 2015.0) stopped trends with "documents.date of …:
    date '2015年' is not YYYY…", blaming a column the user never wrote."""
    codes, seg, docs = _made_up()
    docs = docs.assign(year="")
    docs.loc[docs["doc_id"] == "g/a1", "year"] = "2015年"  # g has no date of its own
    p = prevalence(codes, seg, docs, codebook=CB, n_boot=20)
    assert p.undated == [] and p.periods["period"].tolist()[-1] == "2015"
    docs.loc[docs["doc_id"] == "g/a1", "year"] = "去年"
    with pytest.raises(InputError, match=r"the 'year' column \(of --metadata\) has values that "
                                         r"are not a year: g/a1 \('去年'\)"):
        prevalence(codes, seg, docs, codebook=CB, n_boot=20)


def test_category_level():
    codes, seg, docs = _made_up()
    p = prevalence(codes, seg, docs, codebook=CB, level="category", n_boot=50)
    row = p.table[(p.table["period"] == "2011") & (p.table["category"] == "problem")].iloc[0]
    assert (row["articles"], row["n"]) == (2, 3)


def _many(n_per_year: dict[str, tuple[int, int]]):
    """Articles per year: ``{year: (articles, of them asserting P_formalism)}``."""
    seg_rows, code_rows, dates = [], [], {}
    for year, (n, k) in n_per_year.items():
        for i in range(n):
            doc = f"y{year}n{i}/a1"
            sid = f"{doc}/p001/s01"
            seg_rows.append((sid, doc, f"{year}年第{i}篇。", False))
            dates[doc] = year
            if i < k:
                code_rows.append((sid, "P_formalism"))
    seg = pd.DataFrame(seg_rows, columns=["segment_id", "doc_id", "text", "is_heading"])
    codes = pd.DataFrame(code_rows, columns=["unit_id", "code"])
    docs = pd.DataFrame({"doc_id": list(dates), "date": list(dates.values())})
    return codes, seg, docs


def test_bootstrap_is_seeded_and_brackets_the_share():
    # 40 articles a year: enough for the bootstrap where the share is neither 0 nor 1.
    codes, seg, docs = _many({"2011": (40, 12), "2012": (40, 30)})
    one = prevalence(codes, seg, docs, codebook=CB, n_boot=300, seed=7).table
    two = prevalence(codes, seg, docs, codebook=CB, n_boot=300, seed=7).table
    pd.testing.assert_frame_equal(one, two)
    other = prevalence(codes, seg, docs, codebook=CB, n_boot=300, seed=8).table
    boot = one["interval"] == "bootstrap"
    assert one.loc[boot, "code"].eq("P_formalism").all() and boot.sum() == 2
    assert not np.allclose(one.loc[boot, "lo"], other.loc[boot, "lo"]) or not np.allclose(
        one.loc[boot, "hi"], other.loc[boot, "hi"])
    assert ((one["lo"] <= one["share"] + 1e-12) & (one["share"] <= one["hi"] + 1e-12)).all()
    # The codes no article asserts: a share of 0 has nothing to resample, so Wilson's
    # interval, which is not the point [0, 0].
    zero = one[one["share"] == 0.0]
    assert (zero["interval"] == "wilson").all() and (zero["lo"] == 0).all()
    assert np.allclose(zero["hi"], 0.0876, atol=1e-3)  # 95 %, n = 40


# -------------------------------- honest intervals and figures for few articles (session 18)


def test_one_article_a_year_gets_an_honest_interval_not_a_point():
    """Found by a tester: one article a year showed share 1.000 in [1.000, 1.000]."""
    codes, seg, docs = _many({"2011": (1, 1), "2012": (1, 0), "2014": (1, 1)})
    p = prevalence(codes, seg, docs, codebook=CB, n_boot=200, seed=1)
    row = _share(p.table, "2011", "P_formalism")
    assert row["share"] == 1.0 and row["interval"] == "wilson"
    assert row["hi"] == 1.0 and row["lo"] == pytest.approx(0.2065, abs=1e-3)
    row = _share(p.table, "2012", "P_formalism")
    assert row["share"] == 0.0 and row["lo"] == 0.0 and row["hi"] == pytest.approx(0.7935, abs=1e-3)
    assert (p.table["interval"] == "wilson").all()
    # Below the floor even a share strictly inside (0, 1) gets Wilson's interval.
    codes, seg, docs = _many({"2011": (5, 2), "2012": (40, 10)})
    p = prevalence(codes, seg, docs, codebook=CB, n_boot=200, seed=1)
    assert _share(p.table, "2011", "P_formalism")["interval"] == "wilson"
    assert _share(p.table, "2012", "P_formalism")["interval"] == "bootstrap"
    # No interval asked for: none given.
    p = prevalence(codes, seg, docs, codebook=CB, n_boot=0)
    assert p.table["lo"].isna().all() and (p.table["interval"] == "").all()


def test_few_articles_before_or_after_get_newcombes_interval():
    codes, seg, docs = _many({"2011": (1, 1), "2014": (1, 0)})
    c = compare(codes, seg, docs, split="2013-06", codebook=CB, n_boot=200, seed=1)
    row = c.table.set_index("code").loc["P_formalism"]
    assert row["difference"] == -1.0 and row["interval"] == "newcombe"
    # Far from the point [-1, -1] a bootstrap of one article per side gives.
    assert -1.0 <= row["lo"] < -0.5 and row["hi"] > 0.0
    codes, seg, docs = _many({"2011": (40, 10), "2014": (40, 20)})
    c = compare(codes, seg, docs, split="2013-06", codebook=CB, n_boot=200, seed=1)
    row = c.table.set_index("code").loc["P_formalism"]
    assert row["interval"] == "bootstrap" and row["lo"] <= 0.25 <= row["hi"]


def test_plot_prevalence_leaves_a_gap_where_a_year_has_no_articles():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.trends import plot_prevalence

    codes, seg, docs = _many({"2011": (1, 1), "2012": (1, 0), "2014": (2, 1)})
    p = prevalence(codes, seg, docs, codebook=CB, level="category", n_boot=50, seed=1)
    fig = plot_prevalence(p, lang="en")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2011\nn=1", "2012\nn=1", "2013\nn=0", "2014\nn=2"]
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 4]
    assert lines  # one line per category, over every calendar year
    for line in lines:
        y = np.asarray(line.get_ydata(), dtype=float)
        # 2013 has no article: no point there, so no line drawn across it.
        assert np.isnan(y[2]) and np.isfinite(y[[0, 1, 3]]).all()
    plt.close(fig)
    # Periods side by side; one without articles is a gap too.
    p = prevalence(codes, seg, docs, by="period", periods="2012,2013,2014", codebook=CB,
                   level="category", n_boot=50)  # fmt: skip
    fig = plot_prevalence(p, by="period")
    ax = fig.axes[0]
    assert [t.get_text().split("\n")[1] for t in ax.get_xticklabels()] == \
        ["n=1", "n=1", "n=0", "n=2"]
    for line in [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 4]:
        assert np.isnan(np.asarray(line.get_ydata(), dtype=float)[2])
    plt.close(fig)


def test_before_after_comparison():
    codes, seg, docs = _made_up()
    c = compare(codes, seg, docs, split="2013-06", codebook=CB, n_boot=400, seed=3)
    assert c.split == "2013-06-01"
    assert c.undated == ["g/a1"] and c.straddling == ["h/a1"]
    row = c.table.set_index("code").loc["P_formalism"]
    # before: a, b, c, d -> formalism in a, b; after: e, f -> both
    assert (row["before_articles"], row["before_n"], row["after_articles"], row["after_n"]) == \
        (2, 4, 2, 2)
    assert row["before"] == 0.5 and row["after"] == 1.0 and row["difference"] == 0.5
    assert row["lo"] <= 0.5 <= row["hi"] and row["hi"] <= 1.0
    again = compare(codes, seg, docs, split="2013-06", codebook=CB, n_boot=400, seed=3)
    pd.testing.assert_frame_equal(c.table, again.table)


def test_a_coding_object_is_accepted():
    from workbench.coding.coder import code_segments

    seg = pd.DataFrame({"segment_id": ["x/a1/p001/s01", "y/a1/p001/s01"],
                        "doc_id": ["x/a1", "y/a1"], "is_heading": False, "role": "problem",
                        "text": ["一些干部走马观花，搞形式主义。", "今天天气很好。"],
                        "text_orig": ["", ""], "section": "", "paragraph": 1,
                        "paragraph_id": ["x/a1/p001", "y/a1/p001"]})  # fmt: skip
    docs = pd.DataFrame({"doc_id": ["x/a1", "y/a1"], "date": ["2015-01-01", "2015-06-01"]})
    p = prevalence(code_segments(seg, CB), seg, docs, codebook=CB, n_boot=20)
    assert _share(p.table, "2015", "P_formalism")["share"] == 0.5


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"by": "month"}, "by must be 'year' or 'period'"),
    ({"by": "period"}, "needs the period boundaries"),
    ({"by": "period", "periods": "2012,1978"}, "periods must increase"),
    ({"by": "period", "periods": "1949,late 70s"}, "'late 70s' is not a date"),
    ({"by": "year", "periods": "1949"}, "with by 'period' only"),
])
def test_mistakes_are_input_errors(kwargs, message):
    codes, seg, docs = _made_up()
    with pytest.raises(InputError, match=message):
        prevalence(codes, seg, docs, codebook=CB, **kwargs)


def test_documents_without_dates_or_with_bad_dates():
    codes, seg, docs = _made_up()
    with pytest.raises(InputError, match="no 'date' column"):
        prevalence(codes, seg, docs.drop(columns="date"))
    bad = docs.assign(date=docs["date"].replace("2012-07-01", "July 2012"))
    with pytest.raises(InputError, match=r"documents\.date of d/a1: date 'July 2012'"):
        prevalence(codes, seg, bad)
    with pytest.raises(InputError, match="split 'soon' is not a date"):
        compare(codes, seg, docs, split="soon")


def test_a_metadata_year_dates_articles_without_a_date():
    # A user's metadata often gives only the year: it dates the articles 'date' leaves blank.
    codes, seg, docs = _made_up()
    years = ["2012", "2014 ", "2012", None, "", "", "", ""]
    # a/a1 keeps its own date; b/a1 and c/a1 get their year; the rest stay undated.
    mixed = docs.assign(date=["2011-03-02", "", "", "", "", "", "", ""], year=years)
    by_year = prevalence(codes, seg, mixed, codebook=CB, n_boot=20)
    assert set(by_year.table["period"]) == {"2011", "2012", "2014"}
    assert sorted(by_year.undated) == ["d/a1", "e/a1", "f/a1", "g/a1", "h/a1"]
    with pytest.raises(InputError, match=r"none of the \d+ articles has a date"):
        prevalence(codes, seg, docs.assign(date=""), codebook=CB, n_boot=20)



def test_document_dates_are_the_dates_the_trends_place(tmp_path):
    """A user's metadata with a 'year' column and no 'date': the dates a notebook counts
    (document_dates) are those prevalence places; a dateline still wins over the year."""
    from workbench.corpus import load_corpus

    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("甲报告\n（2013年5月）\n一些干部走马观花，搞形式主义。\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_text("乙讲话\n干部脱离群众，高高在上，群众很不满意。\n",
                                  encoding="utf-8")
    (folder / "c.txt").write_text("丙评论\n干部要经常下村走访群众，倾听呼声。\n",
                                  encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,year,genre\na.txt,2012,报告\nb.txt,2015,讲话\nc.txt,,评论\n",
                    encoding="utf-8")
    corpus = load_corpus([folder], metadata=meta)
    segments = corpus.analysis_segments()
    dates = document_dates(corpus.documents)
    assert dates.to_dict() == {"a/a1": "2013-05", "b/a1": "2015", "c/a1": ""}
    codes = pd.DataFrame({"unit_id": segments["segment_id"], "code": "P_formalism"})
    by_year = prevalence(codes, segments, corpus.documents, codebook=CB, n_boot=20)
    assert sorted(by_year.table["period"].unique()) == ["2013", "2015"]
    assert by_year.undated == dates.index[dates == ""].tolist() == ["c/a1"]
    with pytest.raises(InputError, match="no 'date' column"):
        document_dates(corpus.documents.drop(columns=["date", "year"]))


def test_date_helpers():
    assert date_span("2012-02")[1].isoformat() == "2012-02-29"
    assert date_span("2013-12")[1].isoformat() == "2013-12-31"
    assert [d.isoformat() for d in parse_periods(["1949", "1978"])] == ["1949-01-01",
                                                                        "1978-01-01"]  # fmt: skip


# ----------------------------------------------------------------------------- the command

BODY = {  # distinct sentences: repeated paragraphs are duplicates, left out of analyses
    "p1.txt": "题目甲\n(2011-03-02)\n一些干部走马观花，搞形式主义。\n干部脱离群众，高高在上。\n",
    "p2.txt": "题目乙\n发布时间：2012-05-06\n个别干部走马观花，形式主义严重。\n今天天气很好。\n",
    "p3.txt": "题目丙\n（二〇一四年一月五日）\n少数干部高高在上，脱离群众。\n明天下雨了。\n",
    "p4.txt": "题目丁\n后天刮风了。\n有的干部搞形式主义，下乡走马观花。\n",
}


def _trends(argv: list[str]) -> tuple[int, str, str]:
    """Run ``trends`` as ``workbench.cli.main`` does: user mistakes exit 2 with a message."""
    from workbench.analysis_cli import add_trends_parser, run_trends
    from workbench.cli import _is_user_error

    parser = argparse.ArgumentParser(prog="workbench")
    add_trends_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run_trends(parser.parse_args(["trends", *argv]))
        except Exception as exc:
            if not _is_user_error(exc):
                raise
            print(f"workbench: {exc}", file=sys.stderr)
            code = 2
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from workbench.cli import main

    root = tmp_path_factory.mktemp("trends")
    folder = root / "corpus"
    folder.mkdir()
    for name, text in BODY.items():
        (folder / name).write_text(text, encoding="utf-8")
    seg, codes = root / "seg.parquet", root / "codes.parquet"
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["corpus", "build", str(folder), "--out", str(seg)]) == 0
        assert main(["code", "--corpus", str(seg), "--out", str(codes)]) == 0
    return root, seg, codes


def test_cli_json_matches_the_api(built):
    from workbench.groups import read_codes, read_segments

    _root, seg, codes = built
    code, out, err = _trends(["--codes", str(codes), "--corpus", str(seg), "--by", "year",
                              "--split", "2012", "--n-boot", "100", "--json"])  # fmt: skip
    assert code == 0, err
    payload = json.loads(out)
    assert payload["command"] == "trends"
    record = payload["provenance"]
    assert set(record) == {"workbench_version", "inputs", "parameters"}
    assert record["parameters"]["by"] == "year" and record["parameters"]["split"] == "2012-01-01"
    assert any(k.endswith("codes.parquet") for k in record["inputs"])
    assert any(k.endswith("seg.documents.parquet") for k in record["inputs"])
    assert payload["articles"] == 4
    assert payload["undated"] == {"articles": 1, "doc_ids": ["p4/a1"]}
    assert "1 of 4 articles have no date" in err
    assert [p["period"] for p in payload["periods"]] == ["2011", "2012", "2014"]
    got = {(r["period"], r["code"]): r["share"] for r in payload["results"]}
    assert got[("2011", "P_formalism")] == 1.0 and got[("2014", "P_formalism")] == 0.0
    assert got[("2014", "P_detached")] == 1.0
    data = read_segments(seg)
    api = prevalence(read_codes(codes)[0], data.segments, data.documents, codebook=CB,
                     n_boot=100)  # fmt: skip
    assert [r["lo"] for r in payload["results"]] == api.table["lo"].tolist()
    split = {r["code"]: r for r in payload["split"]["results"]}
    assert split["P_formalism"]["before"] == 1.0 and split["P_formalism"]["after"] == 0.5
    assert split["P_formalism"]["difference"] == -0.5


def test_cli_metadata_date_and_out(built, tmp_path):
    from workbench.provenance import read_record

    _root, seg, codes = built
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date\np4.txt,2014-03\np1.txt,\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    code, _, err = _trends(["--codes", str(codes), "--corpus", str(seg), "--metadata", str(meta),
                            "--by", "period", "--periods", "2012,2013", "--split", "2013-06",
                            "--out", str(out), "--n-boot", "50"])  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(out)
    assert table.drop_duplicates("period")[["period", "n"]].values.tolist() == [
        ["–2011", 1], ["2012", 1], ["2013–", 2]]  # p4 now dated 2014-03
    assert read_record(out)["parameters"]["periods"] == "2012,2013"
    assert (tmp_path / "t.split.csv").exists()
    assert read_record(tmp_path / "t.split.csv")["parameters"]["split"] == "2013-06-01"


def test_cli_periods_written_out_and_open(built):
    _root, seg, codes = built
    code, out, err = _trends(["--codes", str(codes), "--corpus", str(seg), "--by", "period",
                              "--periods", "2011-2011,2014-", "--n-boot", "20",
                              "--json"])  # fmt: skip
    assert code == 0, err
    payload = json.loads(out)
    assert [(p["period"], p["n"]) for p in payload["periods"]] == [("2011", 1), ("2014–", 1)]
    assert payload["outside"] == {"articles": 1, "doc_ids": ["p2/a1"]}  # 2012: in the gap
    assert "1 a date outside every period" in err
    assert all(r["share"] is not None for r in payload["results"])


def test_cli_a_split_outside_the_dates_says_so(built):
    """--split 2030 on texts of 2011-2014 gave a before/after table of NaN, without a word."""
    _root, seg, codes = built
    code, _out, err = _trends(["--codes", str(codes), "--corpus", str(seg), "--by", "year",
                               "--split", "2030", "--n-boot", "20"])  # fmt: skip
    assert code == 0, err
    assert ("no dated article falls on or after the split 2030-01-01 (the articles are dated "
            "2011-03-02 to 2014-01-05)") in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--by", "period"], "--by period needs --periods"),
    (["--by", "year", "--periods", "2012"], "--periods goes with --by period"),
    (["--by", "year", "--split", "next year"], "split 'next year' is not a date"),
    (["--by", "period", "--periods", "2013,2012"], "periods must increase"),
    (["--by", "year", "--out", "t.txt"], "unknown format '.txt'"),
    (["--by", "year", "--n-boot", "0"], "--n-boot must be at least 1"),
])
def test_cli_mistakes_exit_2(built, argv, message):
    _root, seg, codes = built
    code, out, err = _trends(["--codes", str(codes), "--corpus", str(seg), *argv])
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_cli_missing_files_are_named(built, tmp_path):
    _root, seg, codes = built
    code, _, err = _trends(["--codes", str(tmp_path / "nope.parquet"), "--corpus", str(seg),
                            "--by", "year"])  # fmt: skip
    assert code == 2 and "nope.parquet: no such file" in err
    docs = tmp_path / "docs.parquet"
    pd.DataFrame({"doc_id": ["p1/a1"], "title": ["x"]}).to_parquet(docs)
    code, _, err = _trends(["--codes", str(codes), "--corpus", str(seg), "--documents",
                            str(docs), "--by", "year"])  # fmt: skip
    assert code == 2 and "no 'date' column" in err


def test_workbench_main_runs_trends(built):
    """``workbench trends`` itself, through the top-level command table and dispatch."""
    from workbench.cli import main

    _root, seg, codes = built
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["trends", "--codes", str(codes), "--corpus", str(seg), "--by", "year",
                     "--n-boot", "20", "--json"]) == 0  # fmt: skip
    assert json.loads(out.getvalue())["command"] == "trends"


@pytest.mark.parametrize("spec, iso", [("2014年,2019", "2014"), ("2010,2014年3月", "2014-03")])
def test_periods_written_in_chinese_are_told_the_form_to_write(spec, iso):
    """--periods 2014年,2019 (as a spreadsheet's cell writes a year) said it is not a date,
    without the form to write."""
    from workbench.trends import period_table

    with pytest.raises(InputError, match=rf"is not a date .*; write {iso}$"):
        period_table(spec)
