"""Markdown ATX headings: headings of their level whose words (Chinese or English) set the
section role, with the ordered-list items under them as body lines (tester report)."""

from __future__ import annotations

from workbench.corpus.articles import markdown_headings, split_articles
from workbench.corpus.boilerplate import strip_boilerplate
from workbench.corpus.structure import parse_structure

MARKDOWN = """# 关于某乡干群关系的调查

## Problems 问题

1. 有的干部很少进村入户，群众有话没处说。
2. 办一件事要跑好几趟。

## Causes 原因

1. 个别干部宗旨意识淡薄。
2. 考核只看材料不看实效。

### 对策

干部每月至少住村两天。

## Countermeasures

1. 建立驻村联系制度。
"""


def _paragraphs(text: str) -> list[tuple[str, str, bool, int, str]]:
    (art,) = split_articles(strip_boilerplate(text))
    return [
        (p.section, p.role, p.is_heading, p.level, p.text)
        for p in parse_structure(art.lines, dict(art.markdown))
    ]


def test_markdown_headings_set_roles_and_items_are_body() -> None:
    got = _paragraphs(MARKDOWN)
    assert got == [
        ("1", "problem", True, 1, "Problems 问题"),
        ("1", "problem", False, 0, "1. 有的干部很少进村入户，群众有话没处说。"),
        ("1", "problem", False, 0, "2. 办一件事要跑好几趟。"),
        ("2", "cause", True, 1, "Causes 原因"),
        ("2", "cause", False, 0, "1. 个别干部宗旨意识淡薄。"),
        ("2", "cause", False, 0, "2. 考核只看材料不看实效。"),
        ("2.1", "countermeasure", True, 2, "对策"),
        ("2.1", "countermeasure", False, 0, "干部每月至少住村两天。"),
        ("3", "countermeasure", True, 1, "Countermeasures"),
        ("3", "countermeasure", False, 0, "1. 建立驻村联系制度。"),
    ]


def test_markdown_heading_levels_come_from_the_marker() -> None:
    clean = strip_boilerplate(MARKDOWN)
    assert markdown_headings(clean) == {1: 1, 3: 2, 8: 2, 13: 3, 17: 2}


def test_markdown_heading_without_role_words_takes_its_parents_role() -> None:
    got = _paragraphs(
        "# 某村调查\n\n## 存在的问题\n\n### 作风方面\n\n1. 门难进脸难看。\n\n"
        "## Background\n\n正文。\n"
    )
    assert [(s, r, h) for s, r, h, _, _ in got] == [
        ("1", "problem", True),
        ("1.1", "problem", True),
        ("1.1", "problem", False),
        ("2", "other", True),
        ("2", "other", False),
    ]


def test_numbered_markdown_heading_reads_as_in_plain_text() -> None:
    got = _paragraphs(
        "# 某村调查\n\n## 一、存在的问题\n\n1.宗旨意识淡化。\n\n## 二、对策建议\n\n1.加强教育。\n"
    )
    assert [(s, r, h) for s, r, h, _, _ in got] == [
        ("1", "problem", True),
        ("1.1", "problem", True),
        ("2", "countermeasure", True),
        ("2.1", "countermeasure", True),
    ]


def test_plain_text_keeps_its_rules() -> None:
    # Without Markdown markers the same words are no headings, and "1." items are.
    plain = "某村调查\n\nProblems 问题\n\n1. 有的干部很少进村入户。\n\n2. 办一件事要跑好几趟。\n"
    (art,) = split_articles(strip_boilerplate(plain))
    assert art.markdown == ()
    paras = parse_structure(art.lines, dict(art.markdown))
    assert [p.is_heading for p in paras] == [False, True, True]


def test_list_items_under_a_numbered_markdown_heading_are_body() -> None:
    got = _paragraphs(
        "# 某村调查\n\n## 一、存在的问题\n\n1. 门难进。\n\n2. 脸难看。\n\n"
        "### 原因\n\n1. 考核不实。\n\n## 二、对策建议\n\n1. 加强教育。\n"
    )
    assert [(s, r, h) for s, r, h, _, _ in got] == [
        ("1", "problem", True),
        ("1", "problem", False),
        ("1", "problem", False),
        ("1.1", "cause", True),
        ("1.1", "cause", False),
        ("2", "countermeasure", True),
        ("2", "countermeasure", False),
    ]
