"""Boilerplate removal on the real seeds and on small synthetic texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import config
from workbench.boilerplate import (
    CleanText,
    _normalize_lines,
    _screens,
    extract_metadata,
    load_rules,
    normalize_spaces,
    strip_boilerplate,
)
from workbench.regex_precheck import Precheck
from workbench.script import to_simplified

SEEDS = {p.name[:3]: p for p in sorted(config.SEEDS_DIR.glob("*.txt"))}


@pytest.fixture(scope="module")
def raw() -> dict[str, list[str]]:
    return {k: p.read_text(encoding="utf-8").split("\n") for k, p in SEEDS.items()}


@pytest.fixture(scope="module")
def cleaned() -> dict[str, CleanText]:
    return {k: strip_boilerplate(p.read_text(encoding="utf-8")) for k, p in SEEDS.items()}


def test_five_seeds_present():
    assert sorted(SEEDS) == ["000", "001", "002", "003", "004"]


# ------------------------------------------------------------------ counts per seed

EXPECTED_COUNTS = {
    "000": {},
    "001": {},
    "002": {"title_metadata": 1, "xiexiebang_footer": 1, "bullet_artefact": 5},
    "003": {
        "people_qiyi_register": 1,
        "people_dateline_source": 1,
        "people_share_scan": 1,
        "people_editor": 1,
        "people_related_topics": 1,
        "people_page_tail": 1,
        "people_comments": 3,
        "people_hot_keywords": 1,
    },
    "004": {"alatiku_preface": 1},
}


@pytest.mark.parametrize("seed", sorted(EXPECTED_COUNTS))
def test_removed_counts(cleaned, seed):
    assert cleaned[seed].removed_counts() == EXPECTED_COUNTS[seed]


EXPECTED_REMOVED = [
    ("002", 2, "title_metadata", "文章標題:如何改善干群關系"),
    (
        "002",
        41,
        "xiexiebang_footer",
        "《如何改善干群關系》來源于xiexiebang.com,歡迎閱讀如何改善干群關系。",
    ),
    ("002", 43, "bullet_artefact", "? "),
    ("002", 78, "bullet_artefact", "? "),
    ("003", 1, "people_qiyi_register", "七一社区\xa0\xa0\xa0\xa0\xa0\xa0\xa0\xa0注册"),
    ("003", 7, "people_dateline_source", "2013年09月18日09:32\xa0\xa0\xa0来源:人民网-理论频道"),
    ("003", 38, "people_share_scan", "使用微信“扫一扫”功能添加“学习微平台”"),
    ("003", 39, "people_editor", "(责编:赵娟、谢磊)"),
    ("003", 40, "people_related_topics", "相关专题"),
    ("003", 41, "people_page_tail", "· 工作交流"),
    ("003", 42, "people_comments", "  • 最新评论"),
    ("003", 44, "people_comments", "查看全部留言"),
    ("003", 46, "people_hot_keywords", "热点关键词"),
]


@pytest.mark.parametrize(("seed", "line_no", "rule", "text"), EXPECTED_REMOVED)
def test_specific_removals(cleaned, seed, line_no, rule, text):
    hits = [r for r in cleaned[seed].removed if r.line_no == line_no]
    assert [(r.rule, r.text) for r in hits] == [(rule, text)]


def test_004_preface_removed_title_kept(cleaned):
    removed = cleaned["004"].removed
    assert [(r.line_no, r.rule) for r in removed] == [(2, "alatiku_preface")]
    assert removed[0].text.startswith("【参考】此例优秀的办公资料")
    assert removed[0].text.endswith("喜欢就复制下载吧!")
    assert cleaned["004"].lines[0] == (1, "宗旨意识淡化原因个人剖析【精编5篇】")


def test_003_body_kept(cleaned):
    lines = dict(cleaned["003"].lines)
    assert lines[3] == "关于县级机关党员干部联系和服务群众的调查与思考"
    assert lines[5] == "湖北省兴山县委县直机关工委 徐 平 王书银"  # spaces collapsed, not deleted
    assert lines[9].startswith("中共中央政治局4月19日召开会议")
    assert lines[35].startswith("(四)统筹城乡党建")
    assert max(lines) == 35  # nothing of the page tail survives


def test_002_bullets_stripped_inline(cleaned):
    lines = dict(cleaned["002"].lines)
    assert lines[43] == "打造和諧干群關系"
    assert lines[68] == "在具體措施上,我認為應從以下四個方面入手。"
    assert 41 not in lines  # the footer was the whole line
    # a "?" inside a line is punctuation (or a lost character), never removed
    assert "魚水關系?密切干群關系" in lines[122]
    assert "為?官?一任" in lines[146]


# ------------------------------------------------------------- nothing real is lost


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_line_kept_or_accounted_for(raw, cleaned, seed):
    clean = cleaned[seed]
    kept = {n for n, _ in clean.lines}
    whole = {r.line_no for r in clean.removed if r.rule not in ("bullet_artefact",)}
    non_empty = {i for i, line in enumerate(raw[seed], 1) if line.strip()}
    assert kept | whole == non_empty
    assert not (kept & {r.line_no for r in clean.removed if r.rule == "people_page_tail"})


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_lines_about_the_masses_survive(raw, cleaned, seed):
    kept = dict(cleaned[seed].lines)
    mentions = [i for i, line in enumerate(raw[seed], 1) if "群众" in to_simplified(line)]
    assert mentions
    for line_no in mentions:
        assert line_no in kept
        assert normalize_spaces(raw[seed][line_no - 1]).endswith(kept[line_no])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_kept_lines_are_normalised_original_script(raw, cleaned, seed):
    for line_no, text in cleaned[seed].lines:
        assert text == text.strip() and text
        assert "  " not in text and "\xa0" not in text and "\u3000" not in text
        assert text in normalize_spaces(raw[seed][line_no - 1])


def test_metadata(cleaned):
    assert extract_metadata(cleaned["002"]) == [(2, "title", "如何改善干群關系")]
    assert extract_metadata(cleaned["003"]) == [(7, "date", "2013年09月18日")]
    assert extract_metadata(cleaned["000"]) == []


# ------------------------------------------------------------------------ synthetic


def test_traditional_chrome_matched_via_simplified():
    clean = strip_boilerplate("正文。\n（責編：趙娟）\n相關專題")
    assert clean.lines == [(1, "正文。")]
    assert [r.rule for r in clean.removed] == ["people_editor", "people_related_topics"]


def test_footer_glued_to_text():
    clean = strip_boilerplate("正文。《甲》來源于xiexiebang.com,歡迎閱讀甲。後文。")
    assert clean.lines == [(1, "正文。後文。")]
    assert clean.removed[0].text == "《甲》來源于xiexiebang.com,歡迎閱讀甲。"


def test_page_tail_guard_keeps_long_bodies():
    body = "\n".join(f"第{i}段正文。" for i in range(30))
    clean = strip_boilerplate("前言。\n使用微信“扫一扫”功能\n" + body)
    # the block would swallow 31 lines (> max_lines): only the marker line goes
    assert [r.rule for r in clean.removed] == ["people_share_scan"]
    assert len(clean.lines) == 31


def test_crlf_and_blank_lines():
    clean = strip_boilerplate("甲\r\n\r\n\u3000乙\u3000\u3000丙 \r\n")
    assert clean.lines == [(1, "甲"), (3, "乙 丙")]
    assert clean.text == "甲\n乙 丙"


def _write_rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_custom_rules_block_with_end(tmp_path):
    path = _write_rules(
        tmp_path,
        """
rules:
  - id: ad_block
    kind: block_start
    pattern: '^广告开始$'
    end: '^广告结束$'
    description: an ad block
""",
    )
    rules = load_rules(path)
    clean = strip_boilerplate("甲。\n廣告開始\n買！\n廣告結束\n乙。", rules)
    assert clean.lines == [(1, "甲。"), (5, "乙。")]
    assert [(r.line_no, r.rule) for r in clean.removed] == [
        (2, "ad_block"),
        (3, "ad_block"),
        (4, "ad_block"),
    ]


def test_bundled_rules_loaded_and_cached():
    rules = load_rules()
    assert rules == load_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert all(r.description for r in rules)


MALFORMED = [
    ("rules:\n  - kind: line_regex\n    pattern: 'x'\n    description: d\n", ["#1", "'id'"]),
    (
        "rules:\n  - id: ok\n    kind: line_regex\n    pattern: 'x'\n    description: d\n"
        "  - id: ''\n    kind: line_regex\n    pattern: 'y'\n    description: d\n",
        ["#2", "'id'"],
    ),
    (
        "rules:\n  - id: bad_kind\n    kind: delete_line\n    pattern: 'x'\n    description: d\n",
        ["'bad_kind'", "'kind'", "delete_line"],
    ),
    (
        "rules:\n  - id: bad_regex\n    kind: line_regex\n    pattern: '(unclosed'\n"
        "    description: d\n",
        ["'bad_regex'", "'pattern'", "not a valid regex"],
    ),
    (
        "rules:\n  - id: no_pattern\n    kind: line_regex\n    description: d\n",
        ["'no_pattern'", "'pattern'"],
    ),
    (
        "rules:\n  - id: no_desc\n    kind: line_regex\n    pattern: 'x'\n",
        ["'no_desc'", "'description'"],
    ),
    (
        "rules:\n  - id: typo\n    kind: line_regex\n    patern: 'x'\n    pattern: 'x'\n"
        "    description: d\n",
        ["'typo'", "'patern'"],
    ),
    (
        "rules:\n  - id: meta\n    kind: line_regex\n    pattern: 'x'\n    field: title\n"
        "    description: d\n",
        ["'meta'", "'pattern'", "value"],
    ),
    (
        "rules:\n  - id: end_on_line\n    kind: line_regex\n    pattern: 'x'\n    end: 'y'\n"
        "    description: d\n",
        ["'end_on_line'", "'end'"],
    ),
    (
        "rules:\n  - id: dup\n    kind: line_regex\n    pattern: 'x'\n    description: d\n"
        "  - id: dup\n    kind: line_regex\n    pattern: 'y'\n    description: d\n",
        ["'dup'", "duplicated"],
    ),
    ("rules: {not: a list}\n", ["'rules' list"]),
    ("rules: [\n", ["not valid YAML"]),
]


@pytest.mark.parametrize(("body", "fragments"), MALFORMED)
def test_malformed_rules_raise(tmp_path, body, fragments):
    path = _write_rules(tmp_path, body)
    with pytest.raises(ValueError) as info:
        load_rules(path)
    for fragment in fragments:
        assert fragment in str(info.value)


# --------------------------------------------------- shortcuts against the plain algorithm


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_normalize_lines_equals_per_line_normalisation(seed):
    text = SEEDS[seed].read_text(encoding="utf-8")
    text += "\r\n\u3000甲\u00a0 乙\u200b\r\n\x1c丙\x1f\n \n"  # CR, odd spaces, zero widths
    # Every character Python counts as whitespace, between and around words.
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c) != "\n"]
    text += "\n" + "甲".join(spaces) + "\n" + "".join(spaces) + "乙\ufeff" + "".join(spaces)
    expected = [normalize_spaces(line.rstrip("\r")) for line in text.split("\n")]
    assert _normalize_lines(text) == expected


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_screens_and_prechecks_never_skip_a_matching_line(raw, seed):
    # Every rule that matches a seed line (or its removed chrome) passes both shortcuts.
    rules = load_rules()
    screens = _screens(tuple(rules))
    lines = [to_simplified(normalize_spaces(line)) for line in raw[seed]]
    hits = 0
    for rule in rules:
        check = Precheck(rule.pattern)
        for line in lines:
            if rule.pattern.search(line):
                hits += 1
                assert check.may_match(line), (rule.id, line)
                assert screens[rule.kind] is None or screens[rule.kind].search(line), rule.id
    assert hits > 0 or seed in {"000", "001"}  # 000 and 001 have no chrome


def test_strip_boilerplate_without_shortcuts_is_identical(monkeypatch):
    # The same cleaning with the screens and prechecks switched off.
    texts = [p.read_text(encoding="utf-8") for p in SEEDS.values()]
    fast = [strip_boilerplate(t) for t in texts]
    monkeypatch.setattr("workbench.boilerplate._may_match", lambda screen, text: True)
    monkeypatch.setattr(Precheck, "may_match", lambda self, text: True)
    assert [strip_boilerplate(t) for t in texts] == fast
