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
    assert not announces_section("关于教育改革问题")


def test_topic_heading_section_is_not_a_problem_section():
    rows = _rows(
        [
            "四、关于解决群众反映问题的情况",
            "今年以来，共解决群众反映问题125件。",
        ]
    )
    assert [r for *_, r in rows] == ["other", "other"]
