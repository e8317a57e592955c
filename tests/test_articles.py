"""Article splitting, titles and authors on the real seeds and on synthetic texts."""

from __future__ import annotations

import pytest

from workbench import config
from workbench.corpus.articles import (
    ArticleText,
    file_title,
    find_marker,
    is_short_title,
    parse_byline,
    split_articles,
    split_title_author,
)
from workbench.corpus.boilerplate import CleanText, strip_boilerplate

SEEDS = {p.name[:3]: p for p in sorted(config.SEEDS_DIR.glob("*.txt"))}


@pytest.fixture(scope="module")
def cleaned() -> dict[str, CleanText]:
    return {k: strip_boilerplate(p.read_text(encoding="utf-8")) for k, p in SEEDS.items()}


@pytest.fixture(scope="module")
def articles(cleaned) -> dict[str, list[ArticleText]]:
    return {k: split_articles(c) for k, c in cleaned.items()}


@pytest.mark.parametrize(
    ("seed", "count"), [("000", 1), ("001", 1), ("002", 5), ("003", 1), ("004", 6)]
)
def test_article_counts(articles, seed, count):
    assert len(articles[seed]) == count
    assert [a.index for a in articles[seed]] == list(range(1, count + 1))


def test_002_titles(articles):
    assert [a.title for a in articles["002"]] == [
        "如何改善干群關系",
        "干群關系",
        "干群關系",
        "干群關系",
        "關于改善農村干群關系的調查與思考",
    ]
    assert all(a.author == "" for a in articles["002"])


def test_002_repeated_title_lines_dropped(articles):
    art1, _, art3, art4, art5 = articles["002"]
    assert art1.lines[0][0] == 3  # line 2 "文章標題:" is metadata, removed upstream
    assert art3.lines[0] == (93, "1、特點:有限的合作和局部的緊張。")  # "干群關系" repeated
    assert art5.lines[0][1].startswith("密切干群關系,貫徹群眾路線")  # repeated title dropped
    # a differing sub-title stays in the body
    assert art4.lines[0] == (104, "我鄉干群關系現狀 成因及對策")


def test_004_titles_and_nested_split(articles):
    arts = articles["004"]
    assert [a.title for a in arts] == ["宗旨意识淡化原因个人剖析"] * 4 + ["整改措施文档"] + [
        "宗旨意识淡化原因个人剖析"
    ]
    # "问题二:拍脑袋决策,脱离实际。篇2:整改措施文档" is split at the nested marker
    assert arts[3].lines[-1] == (126, "问题二:拍脑袋决策,脱离实际。")
    assert arts[4].lines[0] == (127, "个人整改措施")
    assert arts[4].lines[-1][0] == 148
    assert arts[5].lines[0][0] == 150 and arts[5].lines[-1][0] == 179


def test_004_file_title_is_not_an_article(cleaned, articles):
    assert file_title(cleaned["004"]) == "宗旨意识淡化原因个人剖析【精编5篇】"
    assert articles["004"][0].lines[0][0] == 4  # neither line 1 nor the marker line 3
    assert file_title(cleaned["002"]) == ""


def test_001_title_author_split(articles):
    (art,) = articles["001"]
    assert art.title == "关于做好新时期群众工作的几点体会"
    assert art.author == "刘长江"
    assert art.lines[0][0] == 1
    assert art.lines[0][1].startswith("现在有这样五句话令人深思:“交通方便了")
    assert art.lines[1] == (2, "我们党是做群众工作起家的,群众工作是党全部工作的基础。")


def test_003_title_and_byline(articles):
    (art,) = articles["003"]
    assert art.title == "关于县级机关党员干部联系和服务群众的调查与思考"
    assert art.author == "徐平、王书银"
    assert art.lines[0][0] == 9
    assert art.lines[-1][0] == 35


def test_000_has_no_title(articles):
    (art,) = articles["000"]
    assert art.title == ""
    assert art.author == ""
    assert art.lines[0][1].startswith("密切聯繫群眾是我們黨區別於其他政黨的顯著標誌。")
    assert len(art.lines) == 59


# Lines that are titles, markers or bylines, and so not in any article body.
NON_BODY = {
    "000": set(),
    "001": set(),
    "002": {1, 42, 91, 92, 103, 120, 121},
    "003": {3, 5},
    "004": {1, 3, 16, 37, 92, 149},
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_no_body_line_lost(cleaned, articles, seed):
    body = [n for a in articles[seed] for n, _ in a.lines]
    kept = [n for n, _ in cleaned[seed].lines]
    assert sorted(set(body)) == sorted(set(kept) - NON_BODY[seed])
    assert len(body) == len(set(body))  # 004 line 126: body text before 篇2, title after


# ------------------------------------------------------------------------ synthetic


def test_marker_variants():
    assert find_marker("第二篇：乙") == (0, "乙")
    assert find_marker("第12篇:丙") == (0, "丙")
    assert find_marker("甲。篇二：丁") == (2, "丁")
    assert find_marker("写出1-2篇高质量的调研文章") is None
    assert find_marker("第一篇文章") is None
    # tester 20: a 文库 compilation's "【篇三】title" started no article
    assert find_marker("【篇三】村支书对照检查材料") == (0, "村支书对照检查材料")
    assert find_marker("【第3篇】乙") == (0, "乙")
    assert find_marker("【注】本文有删节") is None


def test_preamble_text_goes_to_first_article():
    clean = CleanText(
        [
            (1, "文集【精编2篇】"),
            (2, "编者按:以下两篇供参考。"),
            (3, "甲【第一篇】"),
            (4, "正文。"),
        ],
        [],
    )
    arts = split_articles(clean)
    assert [(a.title, a.lines) for a in arts] == [
        ("甲", [(2, "编者按:以下两篇供参考。"), (4, "正文。")])
    ]
    assert file_title(clean) == "文集【精编2篇】"


def test_midline_marker_text_before_stays():
    clean = CleanText([(1, "第一篇:甲"), (2, "正文一。篇2:乙"), (3, "正文二。")], [])
    arts = split_articles(clean)
    assert [(a.index, a.title, a.lines) for a in arts] == [
        (1, "甲", [(2, "正文一。")]),
        (2, "乙", [(3, "正文二。")]),
    ]


def test_title_from_metadata_line():
    arts = split_articles(strip_boilerplate("文章標題:如何改善干群關係\n當前,干部作風不實。"))
    assert arts[0].title == "如何改善干群關係"
    assert arts[0].lines == [(2, "當前,干部作風不實。")]


def test_single_article_without_title():
    arts = split_articles(strip_boilerplate("群众工作是党全部工作的基础。\n一、问题"))
    assert arts[0].title == ""
    assert len(arts[0].lines) == 2


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "关于做好新时期群众工作的几点体会刘长江现在有这样五句话。",
            ("关于做好新时期群众工作的几点体会", "刘长江", "现在有这样五句话。"),
        ),
        (
            "关于群众工作的思考王刚在基层调研时发现。",
            ("关于群众工作的思考", "王刚", "在基层调研时发现。"),
        ),
        ("關於群眾工作的思考劉長江現在有人說。", ("關於群眾工作的思考", "劉長江", "現在有人說。")),
        ("关于做好新时期群众工作的几点体会现在有这样五句话。", None),
        ("群众工作是基础。", None),
    ],
)
def test_split_title_author(line, expected):
    assert split_title_author(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("湖北省兴山县委县直机关工委 徐 平 王书银", "徐平、王书银"),
        ("某某局 王书银", "王书银"),
        ("徐平 王书银", "徐平、王书银"),
        ("王书银", None),
        ("我鄉干群關系現狀 成因及對策", None),
        ("个人整改措施", None),
        # tester 20: a speech's speaker line under its title stayed body text, no author
        ("县委书记 王某某", "王某某"),
        ("县委副书记、县长 李某", "李某"),
    ],
)
def test_parse_byline(line, expected):
    assert parse_byline(line) == expected


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_find_marker_precheck_skips_no_marker(cleaned, seed, monkeypatch):
    # Markers found with the literal pre-check equal those found without it.
    lines = [text for _, text in cleaned[seed].lines]
    lines += ["问题二:拍脑袋决策,脱离实际。篇2:整改措施文档", "第12篇:丙", "甲【第三篇】"]
    fast = [find_marker(line) for line in lines]
    monkeypatch.setattr("workbench.regex_precheck.Precheck.may_match", lambda self, text: True)
    assert [find_marker(line) for line in lines] == fast
    assert sum(f is not None for f in fast) >= 3


def test_marker_lines_are_the_lines_passing_a_marker_precheck():
    # The lines found by scanning the whole file for the markers' literals are exactly
    # the lines on which some marker's pre-check passes.
    import random

    from workbench.corpus.articles import _marker_lines, _markers
    from workbench.corpus.structure import simplified_aligned

    texts = [p.read_text(encoding="utf-8") for p in sorted(config.SEEDS_DIR.glob("*.txt"))]
    rng = random.Random(5)
    words = ["第一篇", "篇", "【第二篇】", "篇2:", "第", "正文。", "甲", "】", "【"]
    texts += ["\n".join("".join(rng.choice(words) for _ in range(rng.randint(0, 5)))
                        for _ in range(rng.randint(1, 8))) for _ in range(500)]  # fmt: skip
    for text in texts:
        simple = [simplified_aligned(line) for line in text.split("\n")]
        expected = {i for i, line in enumerate(simple)
                    if any(m.check.may_match(line) for m in _markers())}  # fmt: skip
        assert _marker_lines(simple, "\n".join(simple), _markers()) == expected


def test_front_matter_title_comes_before_a_first_heading_line():
    # Tester 18 (书记讲话.md): the title was the first heading "同志们：", not title:.
    clean = strip_boilerplate(
        "---\ntitle: 在全镇群众工作会议上的讲话\n---\n## 同志们：\n\n今天我们召开会议。\n"
    )
    (art,) = split_articles(clean)
    assert (art.title, art.title_line) == ("在全镇群众工作会议上的讲话", 0)
    assert art.lines == [(4, "同志们："), (6, "今天我们召开会议。")]
    # A first line repeating it is the title line, not body.
    (art,) = split_articles(strip_boilerplate("---\ntitle: 甲的思考\n---\n# 甲的思考\n正文。\n"))
    assert (art.title, art.title_line, art.lines) == ("甲的思考", 4, [(5, "正文。")])


def test_a_labelled_byline_gives_the_author():
    # Tester 18 (d8, d9): "作者：王某" stayed a body sentence; with a date it was removed
    # and the author lost.
    for byline in ("作者：王某", "作者：王某  2018-03-09"):
        clean = strip_boilerplate(f"标题壬\n{byline}\n干部要密切联系群众。\n")
        (art,) = split_articles(clean)
        expected = ("标题壬", "王某", [(3, "干部要密切联系群众。")])
        assert (art.title, art.author, art.lines) == expected
        assert [(r.line_no, r.rule) for r in clean.removed] == [(2, "labelled_author")]
    # A byline under the title naming an organisation keeps its rule (byline).
    (art,) = split_articles(strip_boilerplate("关于甲的思考\n某某局 徐 平 王书银\n正文。\n"))
    assert art.author == "徐平、王书银"


def test_a_salutation_or_a_secrecy_mark_is_no_title(tmp_path):
    """Tester 20: a speech opening "同志们：" got that as its title, and a report under
    "（内部资料 注意保存）" got the mark as its title and its real title as a body line."""
    from workbench.corpus import load_corpus

    assert not is_short_title("同志们：") and is_short_title("某县：党员干部下沉一线")
    (tmp_path / "a.txt").write_text("同志们：\n今天我们召开会议。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "（内部资料 注意保存）\n某县干群关系调研报告\n一、基本情况\n全县共有村12个。\n",
        encoding="utf-8",
    )
    corpus = load_corpus([tmp_path])
    assert corpus.documents["title"].tolist() == ["", "某县干群关系调研报告"]
    assert corpus.removed["rule"].tolist() == ["classification_mark"]


@pytest.mark.parametrize(
    ("byline", "author", "rule"),
    [
        # Tester 21: an author among other labelled fields was never taken as the author.
        ("来源：人民网 作者：王五 发布时间：2023-05-01", "王五", "labelled_source_date"),
        ("作者：王五 | 来源：某县融媒体中心 | 2023-05-01", "王五", "labelled_source_date"),
        ("2023-05-01 10:00 来源：某县融媒体中心 作者：王五", "王五", "dateline_source"),
        ("作者：王五 时间：2023-05-01 点击数：35", "王五", "labelled_source_date"),
        # Left in the body as a sentence before: read as the byline now.
        ("作者：王五　编辑：李四", "王五", "byline"),
        ("作者：王五、趙六 來源：某县融媒体中心", "王五、趙六", "byline"),
        ("文/王五 图/李四", "王五", "byline"),
    ],
)
def test_an_author_among_the_fields_of_a_byline_is_the_author(
    byline: str, author: str, rule: str
) -> None:
    text = f"某镇开展“大走访”活动\n{byline}\n某镇组织干部深入农户，倾听群众意见。\n"
    clean = strip_boilerplate(text)
    (art,) = split_articles(clean)
    assert (art.title, art.author) == ("某镇开展“大走访”活动", author)
    assert art.lines == [(3, "某镇组织干部深入农户，倾听群众意见。")]
    listed = [(r.line_no, r.rule) for r in clean.removed] + [(n, w) for n, _, w in art.consumed]
    assert listed == [(2, rule)]  # the line is listed once, never lost


def test_a_closing_author_note_is_the_byline_and_a_sentence_naming_an_author_is_body() -> None:
    text = ("某县干群关系调查\n本文作者曾参与课题组工作。\n作者：王五说，干部要深入群众。\n"
            "（本文作者：何增科  中共中央编译局副研究员、政治学博士）\n")  # fmt: skip
    (art,) = split_articles(strip_boilerplate(text))
    assert art.author == "何增科"
    assert [n for n, _ in art.lines] == [2, 3]
    assert [(n, w) for n, _, w in art.consumed] == [(4, "byline")]


def test_a_journal_records_title_is_a_heading_segment_on_its_line():
    """The dev corpus's reprints (人大复印资料) label their titles "【 标  题 】…": the title is
    a heading segment on that line, as a title line is, so a coder of lines can code it."""
    from pathlib import Path

    from workbench.corpus import load_corpus

    dev = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev"
    if not dev.is_dir():
        pytest.skip("../shared/corpus/dev is absent")
    paths = [dev / "d45_xun1996_mass_viewpoint.txt", dev / "d39_pd1996_political_guarantee_gbk.txt"]
    corpus = load_corpus([str(p) for p in paths])
    first = corpus.segments.groupby("doc_id", sort=False).head(1).reset_index(drop=True)
    assert first["text_orig"].tolist() == corpus.documents["title"].tolist()
    assert first["is_heading"].all()
    assert first["segment_id"].str.endswith("/p000/s01").all()
    # Each on the line labelled 【 标  题 】 (the tenth in both records).
    assert first["line_no"].tolist() == [10, 10]
    labels = corpus.removed[corpus.removed["rule"] == "journal_record_title"]
    assert labels["text"].str.replace(" ", "").tolist() == ["【标题】", "【标题】"]
