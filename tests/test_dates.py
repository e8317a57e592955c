"""Publication dates from datelines (workbench.corpus.dates) and their place in the
documents table."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.corpus import DOCUMENT_COLUMNS, load_corpus
from workbench.corpus.dates import article_dates, find_date, load_rules, match_line, parse_date
from workbench.corpus.metadata import MetadataError

RULES = load_rules()
EXAMPLES = [(p.id, line, iso) for p in RULES.patterns for line, iso in p.examples.items()]
COUNTER = [(p.id, line) for p in RULES.patterns for line in p.counterexamples]
DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"


@pytest.mark.parametrize(("pattern", "line", "iso"), EXAMPLES)
def test_every_pattern_reads_its_examples(pattern, line, iso):
    # A closing-line pattern (where: last) is tried with the others after them.
    last = [p for p in RULES.patterns if p.where == "last"]
    found = match_line(line) or match_line(line, RULES, last)
    assert found == (iso, pattern)


@pytest.mark.parametrize(("pattern", "line"), COUNTER)
def test_no_pattern_reads_the_counterexamples(pattern, line):
    assert match_line(line) is None
    assert match_line(line, RULES, RULES.patterns) is None


def test_every_pattern_has_examples_and_counterexamples():
    assert len(RULES.patterns) >= 8
    for p in RULES.patterns:
        assert p.examples and p.counterexamples, p.id


@pytest.mark.parametrize("line", [
    "一九五九年三月二日关于某公社整顿工作的报告",      # an event named in a sentence
    "中共中央政治局4月19日召开会议,决定从今年下半年开始。",     # no year
    "2013-2014",                                               # a span of years
    "(12/05/2018)",                                            # day/month order unknown
    "20130618",                                                # unlabelled digits
    "(2013-02-30)",                                            # no such day
    "(2013-13-01)",                                            # no such month
    "(1700年5月)",                                             # outside the years allowed
    "第1-2页",
    "到2014年年底各种专业会议比2013年要减少10%",
])
def test_ambiguous_or_event_lines_are_not_dates(line):
    assert match_line(line) is None


def test_chinese_numerals():
    assert match_line("（一九六三年二月十一日）") == ("1963-02-11", "paren_date")
    assert match_line("（一九四四年十月二十八日）") == ("1944-10-28", "paren_date")
    assert match_line("（一九五八年十月十日）") == ("1958-10-10", "paren_date")
    assert match_line("（二〇〇五年十二月三十一日）") == ("2005-12-31", "paren_date")


def test_find_date_takes_the_first_dateline_verbatim():
    lines = ["标题", "  （2013年5月8日）  ", "(2014-01-01)"]
    hit = find_date(lines)
    assert (hit.date, hit.source, hit.line, hit.pattern) == ("2013-05-08", lines[1], 2,
                                                             "paren_date")  # fmt: skip
    assert find_date(["正文。", "又一句。"]) is None


def test_parse_date_for_metadata():
    assert parse_date("2013") == "2013"
    assert parse_date("2013-6") == "2013-06"
    assert parse_date("2013/06/18") == "2013-06-18"
    assert parse_date("2013年6月18日") == "2013-06-18"
    for bad in ("June 2013", "18.06.2013", "2013-02-30", "13-06-18", ""):
        with pytest.raises(ValueError, match="not a date"):
            parse_date(bad)


# ------------------------------------------------------------------ on files the tests write

BODY = "当前一些干部脱离群众,群众意见较大,必须认真加以解决。\n"


def _load(tmp_path: Path, files: dict[str, str], **kw):
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    docs = load_corpus([folder], **kw).documents
    return docs.set_index("doc_id")


def test_documents_carry_date_and_source(tmp_path):
    files = {
        "a_web.txt": "七一社区  注册\n\n关于联系群众的调查\n\n"
                     "2013年09月18日09:32   来源:人民网-理论频道\n\n" + BODY * 3,
        "b_label.txt": "如何改善干群关系\n發布時間：2016-05-03\n" + BODY * 3,
        "c_paren.txt": "必须注意群众工作\n\n(2018-05-13)\n\n" + BODY * 3,
        "d_title.txt": "《关于群众工作的报告》(一九六〇年十一月)\n" + BODY * 3,
        "e_source.txt": "干群关系的思考\n来源：人民日报 2014-07-01\n" + BODY * 3,
        "f_tail.txt": "干群关系的思考\n" + BODY * 3 + "二〇一三年五月八日\n",
        "g_none.txt": "干群关系的思考\n" + BODY * 3,
    }
    docs = _load(tmp_path, files)
    assert list(docs.reset_index().columns[: len(DOCUMENT_COLUMNS)]) == DOCUMENT_COLUMNS
    got = dict(zip(docs.index, zip(docs["date"], docs["date_source"], strict=True), strict=True))
    assert got == {
        "a_web/a1": ("2013-09-18", "2013年09月18日09:32   来源:人民网-理论频道"),
        "b_label/a1": ("2016-05-03", "發布時間：2016-05-03"),  # source script kept
        "c_paren/a1": ("2018-05-13", "(2018-05-13)"),
        "d_title/a1": ("1960-11", "《关于群众工作的报告》(一九六〇年十一月)"),
        "e_source/a1": ("2014-07-01", "来源：人民日报 2014-07-01"),
        "f_tail/a1": ("2013-05-08", "二〇一三年五月八日"),
        "g_none/a1": ("", ""),
    }


def test_body_dates_are_events_not_publication_dates(tmp_path):
    event = ("一九五九年三月二日关于某公社整顿工作的报告指出,群众意见很大。\n"
             "1997年12月,镇党委书记伍备战被选为副县长。\n整改时限:2005年5月底前完成。\n")
    # a dateline-shaped line deep in the body (past the head, before the tail) is not read
    deep = "干群关系的思考\n" + BODY * 10 + "(2011-03-04)\n" + BODY * 5
    docs = _load(tmp_path, {"event.txt": "干群关系的思考\n" + event + BODY * 3,
                            "deep.txt": deep})  # fmt: skip
    assert docs["date"].tolist() == ["", ""]
    assert docs["date_source"].tolist() == ["", ""]


def test_each_article_of_a_file_has_its_own_date(tmp_path):
    text = ("第一篇:甲文\n(2012-01-02)\n" + BODY * 3
            + "第二篇:乙文\n" + BODY * 3
            + "第三篇:丙文\n时间:2015年3月\n" + BODY * 3)  # fmt: skip
    docs = _load(tmp_path, {"multi.txt": text})
    assert docs["date"].tolist() == ["2012-01-02", "", "2015-03"]


def test_article_dates_give_line_numbers_in_the_file():
    from workbench.corpus.articles import split_articles
    from workbench.corpus.boilerplate import strip_boilerplate

    text = "题目\n\n\n（一九三四年五月六日）\n" + BODY
    [hit] = article_dates(text, split_articles(strip_boilerplate(text)))
    assert (hit.date, hit.line, hit.source) == ("1934-05-06", 4, "（一九三四年五月六日）")


def test_metadata_date_overrides_the_extracted_one(tmp_path):
    files = {"a.txt": "题目\n(2018-05-13)\n" + BODY * 3, "b.txt": "题目\n" + BODY * 3,
             "c.txt": "题目\n(2001-02-03)\n" + BODY * 3}  # fmt: skip
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date,genre\na.txt,2019/1/2,essay\nb.txt,2007,report\nc.txt,,essay\n",
                    encoding="utf-8")  # fmt: skip
    docs = _load(tmp_path, files, metadata=meta)
    assert docs["date"].tolist() == ["2019-01-02", "2007", "2001-02-03"]
    assert docs["date_source"].tolist() == ["metadata", "metadata", "(2001-02-03)"]
    assert docs["genre"].tolist() == ["essay", "report", "essay"]


def test_metadata_date_that_is_no_date_names_its_row(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date\na.txt,2019\nb.txt,spring 2013\n", encoding="utf-8")
    with pytest.raises(MetadataError, match=r"meta\.csv: column 'date'.*row 3 \(b\.txt"):
        _load(tmp_path, {"a.txt": BODY, "b.txt": BODY}, metadata=meta)


def test_metadata_date_source_column_is_refused(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date_source\na.txt,x\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="date_source"):
        _load(tmp_path, {"a.txt": BODY}, metadata=meta)


def test_bundled_seeds():
    """Only 003 (人民网) carries a dateline; the body dates of 002 and 004 are events."""
    docs = load_corpus().documents
    dated = docs[docs["date"] != ""]
    assert dated["doc_id"].tolist() == ["003_8128e1cef60075aa/a1"]
    assert dated["date"].tolist() == ["2013-09-18"]
    nbsp = "\u00a0"
    assert dated["date_source"].iloc[0] == f"2013年09月18日09:32{nbsp * 3}来源:人民网-理论频道"
    assert (docs.loc[docs["date"] == "", "date_source"] == "").all()


@pytest.mark.skipif(not DEV.exists(), reason="development corpus not present")
def test_development_corpus_datelines():
    docs = load_corpus([DEV], skip_bad=True).documents.set_index("file")
    date = docs["date"]
    assert date["d01_mao1933_economic_work.txt"] == "1933-08-12"
    assert date["d09_mao1951_three_five_anti.md"] == "1951-11"  # a range: its first date
    # its notes name 一九六〇年十一月九日 and 十月三十一日: events, not the dateline
    assert date["d18_mao1960_correct_five_winds.md"] == "1960-11-15"
    assert date["d24_gwr1957.txt"] == "1957-06-26"
    assert date["d37_cpc1998_three_stresses_opinion.txt"] == "1999-03-18"
    assert date["d44_fu1996_mass_line.txt"] == "1996"  # 199620: year and issue 20
    assert date["d55_cdt2020_shandong_village_merger.md"] == "2020-06-22"
    assert date["d25_gwr1978.txt"] == ""  # no dateline in the text: no date
    # every source is a line of its file as decoded (HTML: its text), verbatim
    from workbench.corpus.readers import discover, read_text

    text = {src.name: read_text(src).text for src in discover([DEV])
            if src.name in set(docs.index[docs["date"] != ""])}  # fmt: skip
    for name, source in docs.loc[docs["date"] != "", "date_source"].items():
        assert source in text[name].split("\n"), name


def _dates(tmp_path, name: str, text: str) -> list[tuple[str, str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    docs = load_corpus([tmp_path / name], progress=False).documents
    return list(zip(docs["date"], docs["date_source"], strict=True))


def test_a_closing_dateline_belongs_to_the_article_it_closes(tmp_path):
    # Tester 18: article 1's closing "来源：… 2015-07-01" went to article 2, whose own closing
    # bare date was then never read.
    text = (
        "第一篇：村干部应当多为群众办实事\n最近我们村修路，村干部收了钱却迟迟不动工。\n"
        "来源：某某晚报 2015-07-01\n第二篇：感谢驻村工作队\n"
        "驻村工作队进村以后，挨家挨户走访，帮我们解决了饮水难的问题。\n2020.11.5\n"
    )
    assert _dates(tmp_path, "letters.txt", text) == [
        ("2015-07-01", "来源：某某晚报 2015-07-01"),
        ("2020-11-05", "2020.11.5"),
    ]


def test_a_dateline_under_the_next_marker_stays_the_next_articles(tmp_path):
    text = "第一篇：甲\n正文一。\n第二篇：乙\n（2013年5月8日）\n正文二。\n"
    assert _dates(tmp_path, "two.txt", text) == [("", ""), ("2013-05-08", "（2013年5月8日）")]


def test_front_matter_date_is_the_articles_date(tmp_path):
    text = "---\ntitle: 在全镇群众工作会议上的讲话\ndate: 2021-03-02\n---\n同志们：\n\n今天开会。\n"
    assert _dates(tmp_path, "a.md", text) == [("2021-03-02", "date: 2021-03-02")]


def test_a_byline_ending_in_its_date_gives_the_date(tmp_path):
    text = "标题辛\n作者：王某  2018-03-09\n干部要密切联系群众，切实解决群众反映的问题。\n"
    assert _dates(tmp_path, "d8.txt", text) == [("2018-03-09", "作者：王某  2018-03-09")]


def test_an_organisations_signature_closing_a_text_gives_the_date(tmp_path):
    body = "村两委班子凝聚力不强，群众意见较大。\n实行村干部坐班制度，方便群众办事。\n"
    closing = "关于加强村级组织建设的整改方案\n" + body + "某某镇党委 2022年5月20日\n"
    assert _dates(tmp_path, "plan.txt", closing) == [("2022-05-20", "某某镇党委 2022年5月20日")]
    # Not on the last line (a heading or an issuing line at the head, a sentence inside):
    # no date.
    head = "某某镇党委 2022年5月20日\n" + body
    assert _dates(tmp_path, "head.txt", head) == [("", "")]
    # Another dateline wins over a signature.
    dated = "整改方案\n（2021年1月4日）\n" + body + "某某镇党委 2022年5月20日\n"
    assert _dates(tmp_path, "dated.txt", dated) == [("2021-01-04", "（2021年1月4日）")]


def test_a_closing_pattern_is_tried_on_the_last_line_only():
    rules = load_rules()
    assert [p.id for p in rules.patterns if p.where == "last"] == ["signature_date"]
    assert match_line("某某镇党委 2022年5月20日") is None  # not among head and tail lines


@pytest.mark.parametrize(
    "attachments",
    [
        "附件1\n问题台账\n序号 问题 时限\n1 作风粗暴 2023年6月\n附件2\n统计表\n某镇 120 35\n",
        "附件\n整改任务清单\n1 宗旨意识淡薄 开展专题学习 张某 2023年6月\n",
        "附件2：整治情况统计表\n单位 走访户数\n某镇 120\n",
    ],
)
def test_a_notices_date_is_read_before_its_attachments(tmp_path, attachments):
    """Tester 21: the signature and date of a 通知 or 整改方案 come before its attachments
    (附件1, 附件2 … with their tables), which made them fall outside the tail: no date."""
    body = "".join(f"（{n}）深入走访群众，建立问题台账，限期整改。\n" for n in "一二三四五六七八")
    text = ("关于开展干群关系专项整治的通知\n各乡镇党委：\n" + body
            + "附件：1.干群关系问题台账\n      2.整治情况统计表\n中共某县委办公室\n"
            "2023年5月10日\n" + attachments)  # fmt: skip
    assert _dates(tmp_path, "通知.txt", text) == [("2023-05-10", "2023年5月10日")]


def test_a_speechs_dash_dateline_at_its_end_or_under_its_title(tmp_path):
    # Tester: "——2019年3月8日" closing a speech (or under its title) is its date; the same
    # shape deep in the body, or opening a sentence, is not.
    files = {
        "tail.md": "# 在全县干部大会上的讲话\n\n" + BODY * 3 + "\n——2019年3月8日\n",
        "head.txt": "在全县干部大会上的讲话\n——二〇一九年三月八日\n" + BODY * 3,
        "deep.txt": "干群关系的思考\n" + BODY * 10 + "——2011年3月4日\n" + BODY * 5,
        "sentence.txt": "干群关系的思考\n" + BODY * 3 + "——2019年3月8日，县委召开大会。\n",
    }
    docs = _load(tmp_path, files)
    got = dict(zip(docs.index, zip(docs["date"], docs["date_source"], strict=True), strict=True))
    assert got == {
        "deep/a1": ("", ""),
        "head/a1": ("2019-03-08", "——二〇一九年三月八日"),
        "sentence/a1": ("", ""),
        "tail/a1": ("2019-03-08", "——2019年3月8日"),
    }
