"""Inline enumerations ("一是…；二是…") and topic headings ("关于…问题") in the structure parser.

Tester 20: an enumeration in one paragraph made its item 1 a heading that titled items 2 and 3
and every later paragraph, and at the top level gave them all its own role (a speech's
"一是查摆问题不深入…" turned the rest of the speech into a problem section); a short item 1 with
a role keyword ("一是整改措施不具体") was an announcing heading, left out of rankings. A 问题
naming a topic ("关于解决群众反映问题的情况", "坚持把解决“三农”问题放在突出位置") made a problem
section of a report of work done or of measures.
"""

from __future__ import annotations

from workbench.corpus.structure import (
    announces_section,
    classify_role,
    classify_roles,
    parse_structure,
)


def _rows(lines: list[str]) -> list[tuple[str, bool, str, str]]:
    paras = parse_structure(list(enumerate(lines, 1)))
    return [(p.text, p.is_heading, p.section, p.role) for p in paras]


def test_inline_enumeration_does_not_retitle_or_re_role_what_follows():
    rows = _rows(
        [
            "今天召开这次会议，主要任务是动员全县上下进一步转变干部作风。",
            "一是查摆问题不深入，有的同志避重就轻；二是整改措施不具体；三是群众满意度不高。",
            "下面，我讲三点意见。",
            "各级干部要带头深入基层，每月至少走访十户群众。",
        ]
    )
    assert [(heading, section, role) for _, heading, section, role in rows] == [
        (False, "", "other")
    ] * 4


def test_inline_enumeration_is_a_paragraph_of_its_section():
    rows = _rows(
        [
            "一、存在的问题",
            "一是整改措施不具体；二是联系群众不经常；三是学习不深入。",
            "这些问题虽然表现在不同方面，但根子在思想。",
            "二、整改措施",
            "一是加强学习，解决思想上的问题；二是深入基层；三是严格自律。",
        ]
    )
    assert rows[1] == (rows[1][0], False, "1", "problem")
    assert rows[2][1:] == (False, "1", "problem")
    assert rows[4][1:] == (False, "2", "countermeasure")
    # the same items one to a line stay headings, each its own section
    rows = _rows(["一、存在的问题", "一是整改措施不具体。", "二是联系群众不经常。"])
    assert [(h, s) for _, h, s, _ in rows] == [(True, "1"), (True, "1.1"), (True, "1.2")]


def test_sequence_words_in_one_line_are_one_paragraph():
    line = "首先，要加强学习，解决思想问题；其次，要深入基层；最后，要严格自律。"
    rows = _rows([line, "要倾听群众呼声。"])
    assert [(h, r) for _, h, _, r in rows] == [(False, "other"), (False, "other")]


def test_circled_and_parenthesised_items_in_one_line_are_one_paragraph():
    lines = ["三、整改措施", "①加强学习；②深入基层；③严格自律。", "（1）建立台账；（2）限期整改。"]
    rows = _rows([*lines, "（1）建立台账。", "（2）限期整改。"])
    assert [(h, s) for _, h, s, _ in rows] == [
        (True, "3"), (False, "3"), (False, "3"), (True, "3.1"), (True, "3.2")]  # fmt: skip
    assert {r for *_, r in rows} == {"countermeasure"}


def test_topic_wenti_names_no_problem():
    assert classify_roles("五、关于解决群众反映问题的情况") == ()
    assert classify_roles("关于教育改革问题") == ()
    assert classify_roles("第二、讲肃反问题") == ()
    assert classify_role("(三)坚持把解决“三农”问题放在突出位置，巩固和加强农业基础地位") == (
        "countermeasure"
    )
    # problems announced stay problems, and a role named after the topic counts
    assert classify_role("一、关于当前干群关系中存在的问题") == "problem"
    assert classify_role("二、当前干群关系存在的根本问题") == "problem"
    assert classify_role("关于教育收费问题的整改措施") == "countermeasure"
    # problems still to be dealt with are problems
    for heading in ("三、亟待解决的问题", "四、需要研究解决的问题", "值得重视的问题"):
        assert classify_role(heading) == "problem", heading
    assert not announces_section("关于教育改革问题")


def test_topic_heading_section_is_not_a_problem_section():
    rows = _rows(
        [
            "四、关于解决群众反映问题的情况",
            "今年以来，共解决群众反映问题125件。",
        ]
    )
    assert [r for *_, r in rows] == ["other", "other"]


def test_academic_parts_and_forward_looking_parts():
    """An academic paper's 问题的提出 and 研究方法 are no problem or countermeasure sections; a
    对照检查材料's 努力方向 and a summary's 下一步打算 are countermeasures."""
    assert classify_roles("第一部分 问题的提出") == ()
    assert classify_roles("第二部分 研究方法") == ()
    assert classify_roles("三、研究设计与数据") == ()
    assert classify_role("四、今后的努力方向") == "countermeasure"
    assert classify_role("六、下一步工作打算") == "countermeasure"
    assert classify_role("改进工作方法") == "countermeasure"
