"""Headings, levels, sections, roles and sentences on the real seeds and synthetic texts."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from workbench import config
from workbench.corpus.articles import split_articles
from workbench.corpus.boilerplate import strip_boilerplate
from workbench.corpus.structure import (
    Paragraph,
    _join_lines,
    _Parser,
    _role_matches,
    _unclosed,
    _weak_checks,
    classify_role,
    classify_roles,
    join_broken_lines,
    load_structure_config,
    match_heading,
    parse_structure,
    simplified_aligned,
    split_sentences,
)

SEEDS = {p.name[:3]: p for p in sorted(config.SEEDS_DIR.glob("*.txt"))}
ROLES = {"problem", "cause", "countermeasure", "other"}


@pytest.fixture(scope="module")
def parsed() -> dict[tuple[str, int], list[Paragraph]]:
    out = {}
    for seed, path in SEEDS.items():
        for art in split_articles(strip_boilerplate(path.read_text(encoding="utf-8"))):
            out[seed, art.index] = parse_structure(art.lines)
    return out


@pytest.fixture(scope="module")
def bodies() -> dict[tuple[str, int], list[tuple[int, str]]]:
    out = {}
    for seed, path in SEEDS.items():
        for art in split_articles(strip_boilerplate(path.read_text(encoding="utf-8"))):
            out[seed, art.index] = art.lines
    return out


def find(paras: list[Paragraph], start: str, line_no: int | None = None) -> Paragraph:
    hits = [p for p in paras if p.text.startswith(start)]
    if line_no is not None:
        hits = [p for p in hits if p.line_no == line_no]
    assert hits, start
    return hits[0]


def summary(p: Paragraph) -> tuple[bool, int, str, str]:
    return p.is_heading, p.level, p.section, p.role


# ------------------------------------------------------------------ seed headings

HEADINGS = [
    # 000 (Traditional): 一、 problems / causes / countermeasures with 1. items
    ("000", 1, "一、當前密切聯繫群眾工作存在的主要問題", 2, (True, 1, "1", "problem")),
    ("000", 1, "1.一些黨員領導幹部宗旨意識淡化", 3, (True, 2, "1.1", "problem")),
    ("000", 1, "4.制度機制不夠健全", 9, (True, 2, "1.4", "problem")),
    ("000", 1, "二、原因和難點分析", 11, (True, 1, "2", "cause")),
    ("000", 1, "2.一些黨員領導幹部不相信群眾", 14, (True, 2, "2.2", "cause")),
    (
        "000",
        1,
        "三、進一步加強黨員領導幹部密切聯繫群眾的對策建議",
        20,
        (True, 1, "3", "countermeasure"),
    ),
    ("000", 1, "5.切實加強監督考核", 29, (True, 2, "3.5", "countermeasure")),
    ("000", 1, "一、當前密切聯繫群眾工作存在的主要問題", 31, (True, 1, "1", "problem")),  # repeat
    # 001: 第N个层面 > 一是 / 一要 > 一是
    ("001", 1, "第一个层面,在宏观决策上要把好方向", 6, (True, 1, "1", "countermeasure")),
    ("001", 1, "一是政策制定要标本兼治", 6, (True, 2, "1.1", "countermeasure")),
    ("001", 1, "五是工作导向要强化基层", 28, (True, 2, "1.5", "countermeasure")),
    ("001", 1, "第二个层面,在微观管理上", 35, (True, 1, "2", "countermeasure")),
    ("001", 1, "一是要进一步健全群众工作制度。", 35, (True, 2, "2.1", "countermeasure")),
    ("001", 1, "第三个层面,在基层干部工作中", 43, (True, 1, "3", "countermeasure")),
    ("001", 1, "一要常走访、实交心", 45, (True, 2, "3.1", "countermeasure")),
    ("001", 1, "三要行得正、走得端", 57, (True, 2, "3.3", "countermeasure")),
    ("001", 1, "一是落实政策不走样。", 59, (True, 3, "3.3.1", "countermeasure")),
    ("001", 1, "三是扶正劫邪不畏惧。", 66, (True, 3, "3.3.3", "countermeasure")),
    ("001", 1, "五要敢负责、善解难", 74, (True, 2, "3.5", "countermeasure")),
    # 002
    ("002", 1, "一、轉變干部作風的重要意義", 5, (True, 1, "1", "other")),
    ("002", 1, "三、轉變干部作風的主要措施", 9, (True, 1, "3", "countermeasure")),
    ("002", 1, "(一)杜絕不良作風", 11, (True, 2, "3.1", "countermeasure")),
    ("002", 1, "四、轉變干部作風的要求", 19, (True, 1, "4", "countermeasure")),
    ("002", 1, "(二)嚴肅工作紀律,制止“走讀”現象", 22, (True, 2, "4.2", "countermeasure")),
    ("002", 1, "(三)是強化服務", 34, (True, 2, "5.3", "countermeasure")),
    ("002", 2, "1.樹立民本意識。", 45, (True, 1, "1", "countermeasure")),
    ("002", 2, "一是加強對政府公務人員", 51, (True, 2, "4.1", "countermeasure")),
    ("002", 2, "(一)加強全黨新形勢下", 58, (True, 1, "1", "countermeasure")),
    ("002", 2, "(二)提高干部素質", 58, (True, 1, "2", "countermeasure")),
    ("002", 2, "(三)健全工作制度", 59, (True, 1, "3", "countermeasure")),
    ("002", 2, "(七)繼承創新群眾工作方法", 65, (True, 1, "7", "countermeasure")),
    ("002", 2, "首先,進一步增強黨的宗旨意識。", 70, (True, 3, "7.1.1", "countermeasure")),
    ("002", 2, "其次,大力倡導真抓實干", 71, (True, 3, "7.1.2", "countermeasure")),
    ("002", 3, "3、原因:", 95, (True, 1, "3", "cause")),
    ("002", 3, "4、現狀:", 96, (True, 1, "4", "problem")),
    ("002", 3, "5、怎么做:", 97, (True, 1, "5", "countermeasure")),
    ("002", 3, "一、以教育干部為著力點。", 99, (True, 2, "6.1", "countermeasure")),
    ("002", 4, "一、基層干群關系的現狀", 106, (True, 1, "1", "problem")),
    ("002", 4, "二、影響干群關系和諧的主要根源:", 108, (True, 1, "2", "cause")),
    ("002", 4, "3、任用、教育、監管缺位", 112, (True, 2, "2.3", "cause")),
    ("002", 4, "三、進一步改善干群關系的對策和建議", 113, (True, 1, "3", "countermeasure")),
    (
        "002",
        4,
        "4、關注群眾心聲,在監管上下功夫。群眾對基層干部的要求和期盼是能干事",
        117,
        (True, 2, "3.4", "countermeasure"),
    ),
    ("002", 5, "一、強化服務意識,健全服務制度", 123, (True, 1, "1", "countermeasure")),
    ("002", 5, "五、做好宣傳引導工作", 142, (True, 1, "5", "countermeasure")),
    # 003: (一) under 一、
    ("003", 1, "一、当前影响和制约机关党员干部", 11, (True, 1, "1", "problem")),
    ("003", 1, "(一)县直机关党组织", 13, (True, 2, "1.1", "problem")),
    ("003", 1, "(三)上下一体的体制机制", 17, (True, 2, "1.3", "problem")),
    (
        "003",
        1,
        "二、影响机关党员干部深入农村、服务群众长效机制建设的原因分析",
        19,
        (True, 1, "2", "cause"),
    ),
    ("003", 1, "(一)从客观环境影响方面分析。", 21, (True, 2, "2.1", "cause")),
    ("003", 1, "三、构建和完善机关党员干部", 27, (True, 1, "3", "countermeasure")),
    ("003", 1, "(四)统筹城乡党建", 35, (True, 2, "3.4", "countermeasure")),
    # 004 piece 1: unnumbered labels, the combined 问题及原因
    ("004", 1, "问题及原因", 5, (True, 1, "1", "problem")),
    ("004", 1, "对策建议", 11, (True, 1, "2", "countermeasure")),
    # 004 piece 2: 一、 used at two levels
    ("004", 2, "一、 存在的问题", 17, (True, 1, "1", "problem")),
    ("004", 2, "一、对与“三股势力”", 18, (True, 2, "1.1", "problem")),
    ("004", 2, "三、自我约束力不强。", 20, (True, 2, "1.3", "problem")),
    ("004", 2, "二、“四风”方面存在的突出问题", 21, (True, 1, "2", "problem")),
    ("004", 2, "六、党员意识有时淡薄。", 27, (True, 2, "2.6", "problem")),
    ("004", 2, "三、产生问题的原因分析", 28, (True, 1, "3", "cause")),
    ("004", 2, "(二)从学习党的相关知识方面来说", 30, (True, 2, "3.2", "cause")),
    ("004", 2, "四、改进措施", 31, (True, 1, "4", "countermeasure")),
    ("004", 2, "五、发扬艰苦奋斗的作风。", 36, (True, 2, "4.5", "countermeasure")),
    # 004 piece 3: rectification plan
    ("004", 3, "一、指导思想", 39, (True, 1, "1", "other")),
    ("004", 3, "二、整改重点", 41, (True, 1, "2", "problem")),
    ("004", 3, "(六)领导艺术和领导水平有待于进一步提高。", 47, (True, 2, "2.6", "problem")),
    ("004", 3, "三、整改的目标及措施", 48, (True, 1, "3", "countermeasure")),
    (
        "004",
        3,
        "(一) 针对学习不够深入,政策理论水平不高的问题。",
        49,
        (True, 2, "3.1", "countermeasure"),
    ),
    ("004", 3, "2、整改措施:", 51, (True, 3, "3.1.2", "countermeasure")),
    ("004", 3, "(1)认真遵守我场制定的各项学习制度", 52, (True, 4, "3.1.2.1", "countermeasure")),
    (
        "004",
        3,
        "1、整改目标:思想进一步解放,在工作中能够克服条条框框的束缚,创新意识明显增强,能用",
        58,
        (True, 3, "3.2.1", "countermeasure"),
    ),
    # 004 piece 4: combined "问题及整改措施" sections, 问题N: items (some mid-line)
    ("004", 4, "一、政治上不够坚强方面存在的突出问题及整改措施", 93, (True, 1, "1", "problem")),
    ("004", 4, "问题一:政治坚定性不强。", 93, (True, 2, "1.1", "problem")),
    ("004", 4, "(一)形式主义方面。", 104, (True, 2, "2.1", "problem")),
    ("004", 4, "问题二:文山会海,效能低下。", 106, (True, 3, "2.1.2", "problem")),
    ("004", 4, "问题七:学习的主动性不强", 117, (True, 3, "2.1.7", "problem")),
    ("004", 4, "问题二:拍脑袋决策,脱离实际。", 126, (True, 3, "2.2.2", "problem")),
    # 004 piece 5 (篇2): rectification plan
    ("004", 5, "个人整改措施", 127, (True, 1, "1", "countermeasure")),
    ("004", 5, "(一):立行立改事项", 129, (True, 2, "1.1", "countermeasure")),
    (
        "004",
        5,
        "1、政治信念有所淡化,党性观念不强的问题。",
        130,
        (True, 3, "1.1.1", "countermeasure"),
    ),
    ("004", 5, "(三)、远期整改事项", 144, (True, 2, "1.3", "countermeasure")),
    # 004 piece 5 of the file = 000 in Simplified
    ("004", 6, "1.一些党员领导干部宗旨意识淡化,群众观念淡薄", 152, (True, 2, "1.1", "problem")),
    ("004", 6, "二、原因和难点分析", 160, (True, 1, "2", "cause")),
    (
        "004",
        6,
        "三、进一步加强党员领导干部密切联系群众的对策建议",
        169,
        (True, 1, "3", "countermeasure"),
    ),
]


@pytest.mark.parametrize(("seed", "art", "start", "line_no", "expected"), HEADINGS)
def test_seed_headings(parsed, seed, art, start, line_no, expected):
    assert summary(find(parsed[seed, art], start, line_no)) == expected


BODIES = [
    ("000", 1, "密切聯繫群眾是我們黨", 1, (False, 0, "", "other")),
    ("000", 1, "隨著改革的不斷深入", 13, (False, 0, "2.1", "cause")),
    ("001", 1, "现在有这样五句话", 1, (False, 0, "", "other")),
    ("001", 1, "第二方面是有文化的人", 48, (False, 0, "3.1", "countermeasure")),
    ("001", 1, "做好新形势下群众工作要善当", 44, (False, 0, "3", "countermeasure")),
    ("002", 2, "筑牢干群關系的“信任基石”", 83, (False, 0, "", "other")),
    ("002", 2, "要按照《黨政領導干部選拔任用工作條例》", 59, (False, 0, "2", "countermeasure")),
    ("002", 4, "我鄉干群關系現狀 成因及對策", 104, (False, 0, "", "other")),
    # combined "问题及原因": problem first, cause cues switch it
    ("004", 1, "当前,少数党员理想信念动摇", 6, (False, 0, "1", "problem")),
    ("004", 1, "从环境因素分析", 7, (False, 0, "1", "cause")),
    ("004", 1, "从条件因素看", 10, (False, 0, "1", "cause")),
    ("004", 1, "党员发展工作上突出严肃性", 12, (False, 0, "2", "countermeasure")),
    # combined "问题及整改措施": 问题N: items are problems, 整改措施 paragraphs countermeasures
    ("004", 4, "近段时间以来", 93, (False, 0, "", "other")),
    ("004", 4, "整改措施及成效:坚决改变重业务", 94, (False, 0, "1.1", "countermeasure")),
    ("004", 4, "完成时限:长期整改", 99, (False, 0, "1.3", "countermeasure")),
    ("004", 4, "整改措施及成效:高度重视安全生产工作", 116, (False, 0, "2.1.6", "countermeasure")),
    ("004", 4, "完成时限:长期整改", 117, (False, 0, "2.1.6", "countermeasure")),
    ("004", 5, "整改时限:立即", 144, (False, 0, "1.2.2", "countermeasure")),
]


@pytest.mark.parametrize(("seed", "art", "start", "line_no", "expected"), BODIES)
def test_seed_body_paragraphs(parsed, seed, art, start, line_no, expected):
    assert summary(find(parsed[seed, art], start, line_no)) == expected


def test_000_heading_counts_by_role(parsed):
    roles = Counter(p.role for p in parsed["000", 1] if p.is_heading)
    # the body appears twice: 2 x (1 + 4 problems, 1 + 4 causes, 1 + 5 countermeasures)
    assert roles == {"problem": 10, "cause": 10, "countermeasure": 12}


def test_section_titles_keep_original_script(parsed):
    p = find(parsed["000", 1], "隨著改革開放的不斷深入", 4)
    assert p.section_title == "一些黨員領導幹部宗旨意識淡化,群眾觀念淡薄,不願聯繫群眾"
    assert find(parsed["002", 1], "(二)嚴肅", 22).section_title == "嚴肅工作紀律,制止“走讀”現象"


def test_002_broken_heading_joined(parsed, bodies):
    lines = dict(bodies["002", 1])
    assert lines[22].endswith("制止“") and lines[23] == "走讀”現象"
    assert 23 not in {p.line_no for p in parsed["002", 1]}
    assert find(parsed["002", 1], "(二)嚴肅工作紀律", 22).text == "(二)嚴肅工作紀律,制止“走讀”現象"


def test_001_line_with_two_headings(parsed):
    line6 = [p for p in parsed["001", 1] if p.line_no == 6]
    assert [(p.level, p.text) for p in line6] == [
        (1, "第一个层面,在宏观决策上要把好方向、定好政策,形成坚定正确的政治导向"),
        (2, "一是政策制定要标本兼治,连续稳定。"),
    ]


def test_heading_running_into_body_stays_one_paragraph(parsed):
    p = find(parsed["003", 1], "(一)县直机关党组织", 13)
    assert "从机关服务的内容上看" in p.text
    assert p.section_title == "县直机关党组织深入农村、服务农民群众的内容和方式需进一步深化创新"


@pytest.mark.parametrize("key", [("002", 1), ("003", 1), ("004", 2), ("004", 4)])
def test_invariants(parsed, bodies, key):
    paras = parsed[key]
    for p in paras:
        assert p.role in ROLES
        assert (p.level == 0) == (not p.is_heading)
        if p.section == "":
            assert p.role == "other" and not p.is_heading
        if p.is_heading:
            assert p.section.count(".") + 1 == p.level
    # paragraphs cover the body text exactly (modulo spaces at split points)
    strip = re.compile(r"\s+")
    joined = strip.sub("", "".join(p.text for p in paras))
    assert joined == strip.sub("", "".join(t for _, t in bodies[key]))


@pytest.mark.parametrize("key", [(s, 1) for s in ("000", "001", "003")])
def test_all_paragraphs_of_seeds_covered(parsed, bodies, key):
    assert {n for n, _ in bodies[key]} == {p.line_no for p in parsed[key]}


# ------------------------------------------------------------------------ roles

ROLE_CASES = [
    ("一、当前密切联系群众工作存在的主要问题", "problem"),
    ("二、原因和难点分析", "cause"),
    ("三、产生问题的原因分析", "cause"),
    ("问题产生的原因", "cause"),
    ("三、进一步加强党员领导干部密切联系群众的对策建议", "countermeasure"),
    ("三、构建和完善机关党员干部深入农村、服务群众长效机制的思考", "countermeasure"),
    ("一、当前影响和制约机关党员干部深入农村、服务群众长效机制建设的主要因素", "problem"),
    ("二、影响干群关系和谐的主要根源", "cause"),
    ("存在的问题", "problem"),
    ("整改措施", "countermeasure"),
    ("二、整改重点", "problem"),
    ("如何改善干群关系", "countermeasure"),
    ("第一个层面,在宏观决策上要把好方向", "countermeasure"),
    ("四、加强干群之间的沟通", "countermeasure"),
    ("一、转变干部作风的重要意义", None),
    ("二、转变干部作风的指导思想", None),
    ("一、指导思想", None),
    ("存在的主要问题", "problem"),  # 主要 is not the prescriptive 要
]


@pytest.mark.parametrize(("heading", "role"), ROLE_CASES)
def test_classify_role(heading, role):
    assert classify_role(heading) == role


@pytest.mark.parametrize(
    ("heading", "roles"),
    [
        ("问题及原因", ("problem", "cause")),
        ("我乡干群关系现状 成因及对策", ("problem", "cause", "countermeasure")),
        ("一、政治上不够坚强方面存在的突出问题及整改措施", ("problem", "countermeasure")),
        ("原因和难点分析", ("cause",)),
        ("解决群众反映的问题的办法", ("countermeasure",)),
    ],
)
def test_classify_roles_combined(heading, roles):
    assert classify_roles(heading) == roles


# ------------------------------------------------------------------ synthetic texts


def parse(*texts: str) -> list[Paragraph]:
    return parse_structure(list(enumerate(texts, start=1)))


def test_levels_follow_order_of_families():
    paras = parse("一、总体情况", "（一）甲方面", "1.细目", "（二）乙方面", "二、其他")
    assert [(p.level, p.section) for p in paras] == [
        (1, "1"),
        (2, "1.1"),
        (3, "1.1.1"),
        (2, "1.2"),
        (1, "2"),
    ]
    # the same families in the opposite order nest the other way round
    paras = parse("1.甲", "一、乙", "2.丙")
    assert [(p.level, p.section) for p in paras] == [(1, "1"), (2, "1.1"), (1, "2")]


def test_child_roles_inherit_unless_parent_is_other():
    paras = parse(
        "一、对策建议", "1.解决群众反映的问题", "二、基本情况", "1.存在的问题", "2.原因分析"
    )
    assert [p.role for p in paras] == [
        "countermeasure",
        "countermeasure",  # parent role wins
        "other",
        "problem",  # parent "other": own role
        "cause",
    ]


def test_sequence_words_need_an_open_list():
    paras = parse("其次,这是正文。", "首先,甲。", "其次,乙。", "最后,丙。")
    assert [p.is_heading for p in paras] == [False, True, True, True]
    assert [p.section for p in paras] == ["", "1", "2", "3"]


def test_midline_heading_only_as_successor():
    paras = parse("(一)甲。正文。(二)乙", "正文(三)丙", "文中提到(五)不是标题。")
    assert [(p.line_no, p.is_heading, p.section) for p in paras] == [
        (1, True, "1"),
        (1, True, "2"),
        (2, False, "2"),
        (2, True, "3"),
        (3, False, "3"),
    ]


def test_subtitle_closes_sections():
    paras = parse("一、存在的问题", "正文。", "另一篇的小标题", "1.加强教育。")
    assert [(p.is_heading, p.level, p.section, p.role) for p in paras] == [
        (True, 1, "1", "problem"),
        (False, 0, "1", "problem"),
        (False, 0, "", "other"),
        (True, 1, "1", "countermeasure"),
    ]


def test_short_lines_inside_a_continued_list_keep_their_section():
    # A label and a short unpunctuated line under 一、, which 二、 continues later: the
    # label nests under 一、 (not a top-level section 2 that 二、 repeats) and the short
    # line is body text; neither closes the problem section.
    paras = parse(
        "关于某县干群关系的调查报告",
        "一、存在的问题",
        "部分干部很少深入基层。",
        "具体表现在以下几个方面",
        "干部作风漂浮的有120户",
        "一些干部办事不公，群众意见大。",
        "二、原因分析",
        "考核偏重经济指标。",
    )
    assert [(p.line_no, p.is_heading, p.level, p.section, p.role) for p in paras] == [
        (1, False, 0, "", "other"),
        (2, True, 1, "1", "problem"),
        (3, False, 0, "1", "problem"),
        (4, True, 2, "1.1", "problem"),
        (5, False, 0, "1.1", "problem"),
        (6, False, 0, "1.1", "problem"),
        (7, True, 1, "2", "cause"),
        (8, False, 0, "2", "cause"),
    ]


def test_table_rows_inside_a_section_are_body():
    paras = parse(
        "一、存在的问题",
        "（一）作风方面",
        "调查结果如下表。",
        "问题类型 户数 比例",
        "干部作风漂浮 120 20%",
        "办事不公 80 13%",
        "（二）能力方面",
        "本领恐慌。",
        "二、原因分析",
    )
    assert [(p.is_heading, p.section, p.role) for p in paras] == [
        (True, "1", "problem"),
        (True, "1.1", "problem"),
        *[(False, "1.1", "problem")] * 4,  # (二) continues (一): the rows stay inside
        (True, "1.2", "problem"),
        (False, "1.2", "problem"),
        (True, "2", "cause"),
    ]


def test_nested_label_names_its_own_role():
    paras = parse(
        "一、政治方面存在的问题", "理论学习不深入。", "整改措施", "加强学习。",
        "二、作风方面存在的问题", "整改措施", "深入基层。", "三、其他",
    )  # fmt: skip
    assert [(p.level, p.section, p.role) for p in paras] == [
        (1, "1", "problem"),
        (0, "1", "problem"),
        (2, "1.1", "countermeasure"),
        (0, "1.1", "countermeasure"),
        (1, "2", "problem"),
        (2, "2.1", "countermeasure"),
        (0, "2.1", "countermeasure"),
        (1, "3", "other"),
    ]


@pytest.mark.parametrize(
    "texts",
    [
        # a new list at 一、 after the short line: the next piece of a compilation
        ("一、存在的问题", "正文。", "二、对策", "要加强教育。", "另一篇的小标题",
         "一、基本情况", "正文。", "二、存在的问题"),
        # at 1.: the later 3. does not continue the 2. of the first piece, for the first
        # 1.-heading after the line restarts the list
        ("1.加强教育", "正文。", "2.完善制度", "正文。", "另一篇的小标题",
         "1.树立宗旨意识", "2.改进作风", "3.加强监督"),
    ],
)  # fmt: skip
def test_compilation_subtitle_before_a_new_list_closes_sections(texts):
    paras = parse(*texts)
    sub = texts.index("另一篇的小标题")
    assert [(p.is_heading, p.level, p.section, p.role) for p in paras[sub : sub + 2]] == [
        (False, 0, "", "other"),
        (True, 1, "1", paras[sub + 1].role),
    ]
    assert paras[sub - 1].section == "2"  # the first piece's last section, left behind
    assert {p.level for p in paras[sub + 1 :] if p.is_heading} == {1}  # a new top list


def test_combined_section_cues_are_sticky():
    paras = parse(
        "问题及原因", "干部作风不实。", "究其原因,主要是教育不够。", "再者,监督不力。", "对策建议"
    )
    assert [p.role for p in paras] == ["problem", "problem", "cause", "cause", "countermeasure"]


def test_long_numbered_clause_is_body():
    paras = parse("一、" + "很长" * 60 + "。")
    assert not paras[0].is_heading


def test_join_broken_lines():
    lines = [(1, "正文,"), (2, "续文。"), (3, "一、标题"), (4, "正文。能干"), (5, "事。")]
    assert join_broken_lines(lines) == [(1, "正文,续文。"), (3, "一、标题"), (4, "正文。能干事。")]


# ---------------------------------------------------------------------- sentences

SENTENCE_CASES = [
    ("甲。乙！丙？丁", ["甲。", "乙！", "丙？", "丁"]),
    ("真的吗?!好的;再见", ["真的吗?!", "好的;", "再见"]),
    ("他说:“好。”然后走了。", ["他说:“好。”", "然后走了。"]),
    (
        "古人常讲“事出公心,民则顺之;事出私心,民则逆之”。",
        ["古人常讲“事出公心,民则顺之;事出私心,民则逆之”。"],
    ),
    ("「好嗎？」他問。", ["「好嗎？」", "他問。"]),
    ("（即送政策;送技术。）之后", ["（即送政策;送技术。）", "之后"]),
    ("“最后一公里“的问题。完成", ["“最后一公里“的问题。", "完成"]),  # unmatched quotes ignored
    ("说到这里…… 还有", ["说到这里…… 还有"]),  # mid-line ellipsis
    ("说到这里……\n下一行", ["说到这里……", "下一行"]),
    ("说到这里……”", ["说到这里……”"]),
    ("没有句末标点", ["没有句末标点"]),
    ("  甲。  乙。  ", ["甲。", "乙。"]),
    ("", []),
    ("。。", ["。。"]),
    # Tester 21: a note mark after a sentence's end was a sentence of its own.
    ("制度执行不力。[2]", ["制度执行不力。[2]"]),
    ("乱子[2]，英法。［3］［4］下一句！¹²", ["乱子[2]，英法。［3］［4］", "下一句！¹²"]),
    ("他说：“好。”[1]然后走了。", ["他说：“好。”[1]", "然后走了。"]),
    ("不力。①", ["不力。①"]),
    ("不力。①加强教育；②改进作风。", ["不力。", "①加强教育；", "②改进作风。"]),  # list items
    ("不力。\n[1]见《论语》。", ["不力。", "[1]见《论语》。"]),  # a note line of its own
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_split_sentences_on_seed_paragraphs(parsed):
    ws = re.compile(r"\s+")
    count = 0
    for paras in parsed.values():
        for p in paras:
            sentences = split_sentences(p.text)
            assert all(s and s == s.strip() for s in sentences)
            assert ws.sub("", "".join(sentences)) == ws.sub("", p.text)
            count += len(sentences)
    assert count > 1000


# ------------------------------------------- fast paths against the reference algorithms
#
# split_sentences, _unclosed, match_heading, the role keywords and the mid-line search
# take shortcuts (one findall per paragraph, regex scans over the pair characters only,
# a combined prefix regex, a first-character index, a screen regex). Each is checked
# here against the plain algorithm it replaced, on every seed line and paragraph and
# on random strings made of the characters the rules read.

SENTENCE_CFG = load_structure_config().raw["sentences"]


def reference_split_sentences(text: str) -> list[str]:
    """The character-by-character split_sentences the fast one replaced (verbatim)."""
    cfg = SENTENCE_CFG
    openers = {p[0]: p[1] for p in cfg["pairs"]}
    closer_of = {p[1]: p[0] for p in cfg["pairs"]}
    stack: list[int] = []
    matched: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch in openers:
            stack.append(i)
        elif ch in closer_of:
            for k in range(len(stack) - 1, -1, -1):
                if text[stack[k]] == closer_of[ch]:
                    matched[stack[k]] = i
                    del stack[k:]
                    break
    delta = [0] * (len(text) + 1)
    for start, end in matched.items():
        delta[start] += 1
        delta[end] -= 1
    depths, depth = [], 0
    for i in range(len(text)):
        depth += delta[i]
        depths.append(depth)
    marks = cfg["terminators"] + cfg["ellipsis"]
    sentences: list[str] = []
    start = i = 0
    while i < len(text):
        end: int | None = None
        if text[i] == "\n":
            end = i
        elif text[i] in marks:
            j = i
            while j < len(text) and text[j] in marks:
                j += 1
            only_ellipsis = all(c in cfg["ellipsis"] for c in text[i:j])
            while j < len(text) and text[j] in cfg["closers"]:
                j += 1
            j = re.compile(f"(?:{cfg['note_marks']})*").match(text, j).end()  # note marks
            end = None if only_ellipsis and j < len(text) and text[j] != "\n" else j
            if end is not None and depths[end - 1] > 0:
                end = None
        if end is None:
            i += 1
            continue
        sentences.append(text[start:end].strip())
        start = i = max(end, i + 1)
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def reference_unclosed(text: str, pairs: list[str]) -> str | None:
    stack: list[str] = []
    closers = {p[1]: p[0] for p in pairs}
    openers = {p[0]: p[1] for p in pairs}
    for ch in text:
        if ch in openers:
            stack.append(ch)
        elif ch in closers and stack and stack[-1] == closers[ch]:
            stack.pop()
    return openers[stack[-1]] if stack else None


def reference_heading(simple: str) -> tuple | None:
    """match_heading without the combined prefix regex: each family in turn."""
    cfg = load_structure_config()
    for family in cfg.families:
        m = family.pattern.match(simple)
        if m:
            rest = cfg.clause_end.search(simple, m.end())
            end = rest.start() if rest else len(simple)
            return None if end - m.end() > cfg.max_chars else (family.id, m.end(), end)
    return None


def reference_role_matches(text: str) -> list[tuple[int, int, str]]:
    """All role keyword matches without the first-character index, longest first."""
    items = load_structure_config().role_patterns.items
    found = sorted(
        ((m.start(), m.end(), role) for rx, role, _ in items for m in rx.finditer(text)),
        key=lambda t: (t[0], t[0] - t[1]),
    )
    chosen: list[tuple[int, int, str]] = []
    for start, end, role in found:
        if start < end and not (chosen and start < chosen[-1][1]):
            chosen.append((start, end, role))
    return chosen


def random_texts(n: int, seed: int) -> list[str]:
    """Short random strings over the characters the sentence and heading rules read."""
    rng = random.Random(seed)
    alphabet = [*"。！？!?；;…”’」』）)》】“‘「『（(《\n 甲乙一二、．:，问题原因对策①"]
    alphabet += ["问题", "[2]"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(n)]


@pytest.fixture(scope="module")
def seed_lines(bodies) -> list[str]:
    return [text for lines in bodies.values() for _, text in lines]


def test_split_sentences_matches_reference_on_seeds(parsed, seed_lines):
    paragraphs = [p.text for paras in parsed.values() for p in paras]
    texts = paragraphs + seed_lines + ["\n".join(seed_lines)]
    assert [split_sentences(t) for t in texts] == [reference_split_sentences(t) for t in texts]


@pytest.mark.parametrize("seed", range(4))
def test_split_sentences_matches_reference_on_random_text(seed):
    texts = random_texts(5000, seed)
    assert [split_sentences(t) for t in texts] == [reference_split_sentences(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "他说：“好。”然后走了。",  # terminator inside quotes, closer right after: splits
        "“甲。乙”丙。",  # terminator inside quotes without a closer after it: no split
        "甲“乙。丙",  # unmatched opener: ignored
        "甲）乙。丙",  # unmatched closer: ignored
        "好……\n下一句……",  # ellipsis before a newline and at the end: splits
        "（甲“乙）丙。”丁。",  # a closer closes everything opened after its opener
    ],
)
def test_split_sentences_quote_and_ellipsis_cases(text):
    assert split_sentences(text) == reference_split_sentences(text)


def test_unclosed_matches_reference(seed_lines):
    pairs = load_structure_config().raw["headings"]["join"]["pairs"]
    texts = seed_lines + random_texts(5000, 7)
    assert [_unclosed(t, pairs) for t in texts] == [reference_unclosed(t, pairs) for t in texts]


def test_match_heading_matches_reference(seed_lines):
    texts = [simplified_aligned(t) for t in seed_lines] + random_texts(5000, 8)
    for text in texts:
        h = match_heading(text)
        got = (h.family.id, h.marker_end, h.clause_end) if h is not None else None
        if got is None or got[0] != "label":  # labels are matched after the families
            assert got == reference_heading(text), text


def test_role_keyword_index_matches_reference(parsed, seed_lines):
    patterns = load_structure_config().role_patterns
    texts = [simplified_aligned(t) for t in seed_lines] + random_texts(3000, 9)
    texts += [simplified_aligned(p.section_title) for paras in parsed.values() for p in paras]
    for text in texts:
        assert _role_matches(text, patterns) == reference_role_matches(text), text


def test_midline_screen_finds_exactly_the_candidates(seed_lines):
    parser = _Parser()
    families = [f for f in parser.cfg.families if f.midline]
    texts = [simplified_aligned(t) for t in seed_lines] + random_texts(5000, 10)
    for text in texts:
        for start in (0, 3):
            candidate = any(f.pattern.search(text, max(start, 1)) for f in families)
            assert candidate == (parser.midline_screen.search(text, max(start, 1)) is not None)


def test_on_source_lines_keeps_headings_whole_and_unplaced_sentences():
    from workbench.corpus.structure import on_source_lines

    lines = [(5, "一、加强干部作风建设，深入"), (6, "基层。其他内容")]
    placed = on_source_lines(["一、加强干部作风建设，深入基层。", "不在原文中。", "其他内容"],
                             lines, [True, False, False])
    assert placed == [[(5, "一、加强干部作风建设，深入基层。")], [(None, "不在原文中。")],
                      [(6, "其他内容")]]


def test_weak_checks_find_the_first_weak_role_of_the_plain_search(seed_lines):
    # The pre-checked weak patterns, tried until one matches, give the role of the first
    # weak pattern a plain search of every pattern finds.
    weak = load_structure_config().weak_patterns
    words = ["要", "如何", "的要求", "必须", "以", "为", "着力点", "主要", "需要", "甲"]
    rng = random.Random(11)
    texts = seed_lines + ["".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
                          for _ in range(3000)]  # fmt: skip
    for text in texts:
        plain = [role for rx, role in weak if rx.search(text)]
        found = next((role for check, role in _weak_checks() if check.search(text)), None)
        assert found == (plain[0] if plain else None), text


def reference_parse(lines: list[tuple[int, str]]) -> list[Paragraph]:
    """parse_structure one joined line at a time, each through the parser's general
    path (what the inlined common cases of :meth:`_Parser.parse` replaced)."""
    joined = _join_lines(lines)
    parser = _Parser(joined)  # the article's lines, for the sub-title look-ahead
    out: list[Paragraph] = []
    for line_no, text, simple in joined:
        if parser.closing is not None:  # a notes or attachments section being read
            paragraph = parser.closing_line(line_no, text, simple)
            if paragraph is not None:
                out.append(paragraph)
                continue
        if simple is not None and match_heading(simple) is None:
            only = parser._body_line(line_no, text, simple)
            if only is not None:
                out.append(only)
                continue
        parser._pieces(line_no, text, simple, out)
    return out


def random_articles(n: int, seed: int) -> list[list[tuple[int, str]]]:
    """Articles of random lines made of heading markers, labels, role words, cues and
    body fragments, with the punctuation, quotes and spaces the parser reads."""
    rng = random.Random(seed)
    markers = ["一、", "二、", "三、", "(一)", "(二)", "(三)", "1.", "2.", "3、", "(1)"]
    markers += ["(2)", "①", "②", "第一个层面,", "第二部分", "第一,", "一是", "二是", "三要"]
    markers += ["问题一:", "问题二:", "首先,", "其次,", "最后,", "", "", "", ""]
    markers += ["注释", "【参考文献】", "附件：", "[1]", "〔2〕"]  # notes and attachments
    parts = ["存在的问题", "问题及原因", "对策建议", "原因分析", "整改措施及成效:"]
    parts += ["从环境因素分析,", "加强教育", "干部作风", "的重要意义", "走读", "群众", "要"]
    parts += ["如何", "(二)", "一、", "问题二:", *"。。，,；:“”…", " ", "\u3000"]
    out = []
    for _ in range(n):
        lines = []
        for line_no in range(rng.randint(1, 12)):
            text = rng.choice(markers) + "".join(
                rng.choice(parts) for _ in range(rng.randint(0, 6))
            )
            lines.append((line_no + 1, rng.choice(["", "", "", " "]) + text))
        out.append(lines)
    return out


def test_parse_matches_feed_per_line(bodies):
    articles = list(bodies.values()) + random_articles(3000, 12)
    for lines in articles:
        got = [vars(p) for p in parse_structure(lines)]
        assert got == [vars(p) for p in reference_parse(lines)], lines


# ------------------------------------------------------------ notes and attachments


def test_a_closing_notes_section_has_no_role():
    """Tester 21: the notes under "注释：" took the role of the last section (countermeasure)."""
    paras = parse("一、存在的问题", "干部作风漂浮。", "三、对策建议", "加强教育。", "注释：",
                  "[1] 数据来源：县统计局。", "1.王某：农村干群关系问题研究[J]",
                  "② 见《某县志》")  # fmt: skip
    got = [(p.is_heading, p.level, p.section, p.section_title, p.role) for p in paras[4:]]
    assert got == [(True, 1, "4", "注释", "other")] + [(False, 0, "4", "注释", "other")] * 3


@pytest.mark.parametrize(
    "heading", ["注释", "注：", "注", "【注释】", "［注释］", "参考文献", "参考文献:",
                "注释与参考文献", "主要参考文献：", "注 释", "脚注", "尾注", "附注"],
)  # fmt: skip
def test_notes_headings(heading):
    paras = parse("三、对策建议", "要加强教育。", heading, "[1]数据来源于县统计局。")
    assert [p.role for p in paras] == ["countermeasure", "countermeasure", "other", "other"]
    assert paras[2].is_heading and not paras[3].is_heading


@pytest.mark.parametrize("line", ["注意：本表数据来自县统计局。", "注释：[1]见《论语》。"])
def test_lines_that_only_mention_notes_are_no_notes_heading(line):
    paras = parse("三、对策建议", "要加强教育。", line, "要改进作风。")
    assert [p.role for p in paras] == ["countermeasure"] * 4


def test_a_numbered_references_section_has_no_headings_inside():
    """Tester 21: "1.王某：农村干群关系问题研究" under "四、参考文献" was a heading of its
    own, its role read from its words (问题: problem)."""
    paras = parse("一、存在的问题", "干部作风漂浮。", "二、对策建议", "要加强教育。",
                  "三、参考文献",
                  "1.王某：农村干群关系问题研究", "2.李某：干部作风建设对策")  # fmt: skip
    assert [(p.is_heading, p.section, p.role) for p in paras[4:]] == [
        (True, "3", "other"), (False, "3", "other"), (False, "3", "other")]  # fmt: skip


def test_notes_inside_a_section_end_where_the_text_goes_on():
    """A note under a table ("注：") is not the end of the text: the lines after it that
    start with no note mark, and the next section, keep their roles."""
    paras = parse("一、存在的问题", "干部作风漂浮。", "注：", "本表数据来自县统计局。",
                  "[2]抽样调查。",
                  "从表中可以看出，干部作风漂浮。", "二、对策建议", "要加强教育。")  # fmt: skip
    assert [(p.section, p.role) for p in paras] == [
        ("1", "problem"), ("1", "problem"), ("1.1", "other"), ("1.1", "other"), ("1.1", "other"),
        ("1", "problem"), ("2", "countermeasure"), ("2", "countermeasure")]  # fmt: skip


def test_a_table_note_at_the_end_closes_no_section():
    """"注：" under a table in the last section is a note or two, not the text's end."""
    paras = parse("三、对策建议", "群众满意度见下表，满意的占六成。", "注：", "数据来自问卷。",
                  "[1]抽样调查。", "要改进作风，密切联系群众。")  # fmt: skip
    assert [(p.section, p.role) for p in paras][2:] == [
        ("3.1", "other"), ("3.1", "other"), ("3.1", "other"), ("3", "countermeasure")]


def test_the_next_piece_of_a_compilation_ends_the_notes():
    paras = parse("一、存在的问题", "干部作风漂浮。", "注释", "① 数据来源于县统计局",
                  "[2] 毛泽东选集 第三卷",
                  "筑牢干群关系的信任基石", "一、存在的问题", "干部作风不实。")  # fmt: skip
    assert [(p.section, p.role) for p in paras][2:] == [
        ("2", "other"), ("2", "other"), ("2", "other"), ("", "other"), ("1", "problem"),
        ("1", "problem")]  # fmt: skip


def test_a_note_line_is_not_joined_to_the_line_before():
    """A note's mark at the start of a line starts a note: joined to the line before (an
    unclosed quote there), the mark stayed with that line's last sentence."""
    lines = [(1, "辟谷又称“却谷“，即不食五谷。"), (2, "〔14〕徐水：提出“进入共产主义社会”。")]
    assert join_broken_lines(lines) == lines


def test_notes_in_a_corpus_file(tmp_path):
    from workbench.corpus import load_corpus

    path = tmp_path / "调研报告.txt"
    path.write_text("某县干群关系调研报告\n一、存在的问题\n制度执行不力。[2]干部作风漂浮。\n"
                    "二、对策建议\n加强教育。\n注释：\n[1] 数据来源：县统计局。\n"
                    "[2] 见《某县志》。\n", encoding="utf-8")  # fmt: skip
    segments = load_corpus([path]).segments
    assert segments[["text_orig", "role", "section_title"]].values.tolist()[2:] == [
        ["制度执行不力。[2]", "problem", "存在的问题"], ["干部作风漂浮。", "problem", "存在的问题"],
        ["二、对策建议", "countermeasure", "对策建议"],
        ["加强教育。", "countermeasure", "对策建议"],
        ["注释：", "other", "注释"], ["[1] 数据来源：县统计局。", "other", "注释"],
        ["[2] 见《某县志》。", "other", "注释"]]  # fmt: skip


def test_an_attachment_list_is_no_heading():
    """Tester 21: in a 通知, "2.整治情况统计表" after "附件：1.干群关系问题台账" was a heading,
    role countermeasure (the section before it)."""
    paras = parse("一、工作目标", "密切干群关系。", "二、工作要求", "（一）加强领导",
                  "要加强领导。", "附件：1.干群关系问题台账", "2.整治情况统计表", "3.问题清单",
                  "某县纪委办公室")  # fmt: skip
    got = [(p.is_heading, p.section, p.section_title, p.role) for p in paras[5:]]
    assert got == [(True, "3", "附件", "other")] + [(False, "3", "附件", "other")] * 2 + [
        (False, "", "", "other")]  # the signature: a sub-title, as before


def test_an_attachment_list_inside_a_list_ends_with_the_list():
    paras = parse("一、存在的问题", "1.干部作风漂浮。", "附件：", "1.台账", "2.统计表",
                  "2.宗旨意识淡薄。", "二、对策建议", "要加强。")  # fmt: skip
    assert [(p.is_heading, p.section, p.role) for p in paras] == [
        (True, "1", "problem"), (True, "1.1", "problem"), (True, "1.1.1", "other"),
        (False, "1.1.1", "other"), (False, "1.1.1", "other"), (True, "1.2", "problem"),
        (True, "2", "countermeasure"), (False, "2", "countermeasure")]  # fmt: skip


def test_attachments_in_a_corpus_file(tmp_path):
    from workbench.corpus import load_corpus

    path = tmp_path / "通知.txt"
    path.write_text("关于开展干群关系专项整治的通知\n各乡镇：\n一、工作要求\n要建立问题台账。\n"
                    "附件：1.干群关系问题台账\n2.整治情况统计表\n", encoding="utf-8")  # fmt: skip
    segments = load_corpus([path]).segments
    assert segments[["text_orig", "is_heading", "role"]].values.tolist()[-3:] == [
        ["附件：", True, "other"], ["1.干群关系问题台账", False, "other"],
        ["2.整治情况统计表", False, "other"]]  # fmt: skip


def test_a_sentence_is_cut_at_its_maximum_length(tmp_path):
    """Tester 21: a 42,000-character line without punctuation stayed one segment."""
    from workbench.corpus import load_corpus

    limit = load_structure_config().raw["sentences"]["max_chars"]
    run_on = "干部要深入群众倾听群众意见" * 3000 + "。"  # 39,001 characters, no comma or space
    listed = "，".join(["干部要深入群众倾听群众意见"] * 3000)  # commas: cut after one
    spaced = " ".join(["村干部走访农户"] * 6000)
    for text, joiner in ((run_on, ""), (listed, ""), (spaced, " ")):  # spaces cut are dropped
        sentences = split_sentences(text)
        assert max(map(len, sentences)) <= limit and len(sentences) > 1
        assert joiner.join(sentences) == text
    assert all(s.endswith("，") for s in split_sentences(listed)[:-1])  # cut after a comma
    path = tmp_path / "run_on.txt"
    path.write_text("一、存在的问题\n" + run_on + "\n", encoding="utf-8")
    segments = load_corpus([path]).segments
    assert len(segments) == 1 + -(-len(run_on) // limit)
    assert set(segments["line_no"]) == {1, 2} and set(segments["role"]) == {"problem"}
    assert "".join(segments["text_orig"][1:]) == run_on
