"""Boilerplate removal on the real seeds and on small synthetic texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import config
from workbench.corpus.boilerplate import (
    CleanText,
    _normalize_lines,
    _screens,
    describe_loss,
    extract_metadata,
    load_rules,
    load_settings,
    normalize_spaces,
    strip_boilerplate,
)
from workbench.corpus.script import to_simplified
from workbench.regex_precheck import Precheck

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
    monkeypatch.setattr("workbench.corpus.boilerplate._may_match", lambda screen, text: True)
    monkeypatch.setattr(Precheck, "may_match", lambda self, text: True)
    assert [strip_boilerplate(t) for t in texts] == fast


# ------------------------------------- a party-website article: chrome around a body
# Written for these tests (no real page copied): the chrome of a typical party
# website around a short article whose body is fewer lines than people_page_tail's
# max_lines, so a marker at the top used to swallow all of it.

PARTY_BODY = [
    "一、存在的问题",
    "少数干部下基层走马观花，听汇报多、进农户少，群众反映的困难得不到及时解决，干群之间的距离越拉越远。",
    "二、原因分析",
    "一些干部宗旨意识淡薄，把为群众办事当成额外负担，考核导向也偏重看得见的政绩而忽视群众的真实感受。",
    "三、对策建议",
    "要建立干部定期驻村走访制度，把群众满意度纳入年度考核，让群众的评价真正成为衡量干部作风的重要标尺。",
    "同时要畅通群众反映问题的渠道，对群众提出的合理诉求限时办结并公开结果，做到件件有回音、事事有着落。",
]

PARTY_PAGE = "\n".join(
    [
        "共产党员网 打印 纠错",
        "以优良作风密切党群干群关系",
        "2023年05月10日 09:15 来源：共产党员网",
        "微信扫一扫 ×",
        "收听本文 00:00/00:00",
        "1 1 1",
        *PARTY_BODY,
        "（责编：王明）",
        "相关专题",
        "· 干部作风建设",
        "热点关键词",
    ]
)


def test_page_tail_marker_above_the_body_keeps_the_body():
    clean = strip_boilerplate(PARTY_PAGE)
    kept = [text for _, text in clean.lines]
    assert kept == ["以优良作风密切党群干群关系", *PARTY_BODY]
    rules = {r.text: r.rule for r in clean.removed}
    assert rules["共产党员网 打印 纠错"] == "print_correct_bar"
    assert rules["微信扫一扫 ×"] == "people_share_scan"
    assert rules["收听本文 00:00/00:00"] == "audio_player"
    assert rules["1 1 1"] == "digit_run"
    assert rules["· 干部作风建设"] == "people_page_tail"  # the real tail still goes
    assert clean.removed_share < 0.5
    assert describe_loss(clean) == ""


def test_region_stops_at_the_first_content_dense_line_or_heading(tmp_path):
    path = _write_rules(
        tmp_path,
        """
rules:
  - id: tail
    kind: block_start
    pattern: '^以下为页尾$'
    description: a tail marker
""",
    )
    dense = PARTY_BODY[1]
    text = "\n".join(
        [
            "以下为页尾",
            "相关链接",
            dense,
            "返回",
            "以下为页尾",
            "短行",
            "以下为页尾",
            "二、原因分析",
        ]
    )
    clean = strip_boilerplate(text, load_rules(path))
    assert clean.lines == [(3, dense), (4, "返回"), (8, "二、原因分析")]
    assert [(r.line_no, r.rule) for r in clean.removed] == [
        (1, "tail"), (2, "tail"), (5, "tail"), (6, "tail"), (7, "tail"),
    ]  # fmt: skip


def test_region_never_starts_on_a_content_dense_line(tmp_path):
    path = _write_rules(
        tmp_path,
        """
rules:
  - id: tail
    kind: block_start
    pattern: '相关专题'
    description: a tail marker
""",
    )
    marker_in_body = (
        "本网站开设的相关专题集中报道了各地干部深入基层、倾听群众呼声、解决实际问题的经验。"
    )
    text = "\n".join([marker_in_body, "短行", PARTY_BODY[1]])
    assert strip_boilerplate(text, load_rules(path)).removed == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("共产党员网 打印 纠错", "print_correct_bar"),
        ("字号：大 中 小 打印 关闭", "print_correct_bar"),
        ("【打印本页】 【关闭窗口】", "print_correct_bar"),
        ("收听本文 00:00/00:00", "audio_player"),
        ("00:00 / 03:12", "audio_player"),
        ("1 1 1", "digit_run"),
        ("12 3 45 0", "digit_run"),
        ("微信 微博 QQ空间", "share_bar"),
        ("分享：微信 朋友圈", "share_bar"),
        ("首页 | 新闻中心 | 登录 | 注册", "nav_menu"),
        ("首頁｜新聞中心｜登錄", "nav_menu"),
        ("当前位置：首页 > 理论 > 正文", "breadcrumb"),
        ("首页 >> 党建 >> 干部工作", "breadcrumb"),
    ],
)
def test_generic_chrome_lines(line, rule):
    assert [r.rule for r in strip_boilerplate(line).removed] == [rule]


@pytest.mark.parametrize(
    "line",
    [
        "2013 年",
        "第 1 2 页",
        "一、存在的问题",
        "作者：张三 | 来源：人民日报 | 编辑：李四",  # a byline, not a menu (dated: a dateline)
        "会后要打印纠错表并及时关闭窗口期。",
        "首页的设计要方便群众查询办事指南，不要层层点击。",
        "群众来信 12 件 办结 12 件",
    ],
)
def test_generic_chrome_rules_leave_text_alone(line):
    assert strip_boilerplate(line).removed == []


def test_content_dense_is_defined_in_the_yaml(tmp_path):
    settings = load_settings()
    assert (settings.min_ideographs, settings.max_removed_share) == (30, 0.5)
    assert settings.is_dense(PARTY_BODY[1]) and not settings.is_dense(PARTY_BODY[0])
    assert not settings.is_dense("要" * 40)  # no sentence punctuation
    text = Path(config.RESOURCES_DIR / "boilerplate.yaml").read_text(encoding="utf-8")
    own = text.replace("min_ideographs: 30", "min_ideographs: 5")
    assert own != text
    assert load_settings(_write_rules(tmp_path, own)).min_ideographs == 5
    # a user's rule file without settings gets the bundled guards
    bare = tmp_path / "bare.yaml"
    bare.write_text("rules: []\n", encoding="utf-8")
    assert load_settings(bare) == settings


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ("settings: {max_removed_share: 0.5}", "content_dense"),
        (
            "settings: {content_dense: {min_ideographs: 0, punctuation: '。'}, "
            "max_removed_share: 0.5}",
            "min_ideographs",
        ),
        (
            "settings: {content_dense: {min_ideographs: 30, punctuation: '['}, "
            "max_removed_share: 0.5}",
            "punctuation",
        ),
        (
            "settings: {content_dense: {min_ideographs: 30, punctuation: '。'}, "
            "max_removed_share: 2}",
            "max_removed_share",
        ),
        ("settings: {max_share: 0.5}", "max_share"),
    ],
)
def test_malformed_settings_raise(tmp_path, settings, fragment):
    path = _write_rules(tmp_path, settings + "\nrules: []\n")
    with pytest.raises(ValueError, match=fragment):
        load_settings(path)


def test_a_rule_that_removes_a_body_is_named(tmp_path):
    path = _write_rules(
        tmp_path,
        """
rules:
  - id: greedy
    kind: line_regex
    pattern: '干部'
    description: a careless rule that matches body text
  - id: menu
    kind: line_regex
    pattern: '^首页$'
    description: a menu
""",
    )
    clean = strip_boilerplate("首页\n" + "\n".join(PARTY_BODY), load_rules(path))
    assert clean.removed_share > 0.5
    message = describe_loss(clean)
    assert "greedy" in message and "more than 50%" in message
    assert message.index("greedy") < message.index("menu")
    # metadata lines (their value is kept) are not a loss
    meta = strip_boilerplate("文章标题：以优良作风密切党群干群关系\n正文。")
    assert meta.removed and meta.removed_share == 0.0


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seeds_lose_little(cleaned, seed):
    assert describe_loss(cleaned[seed]) == ""
    assert cleaned[seed].removed_share < 0.1


def test_load_corpus_warns_when_rules_remove_a_body(tmp_path, monkeypatch, caplog):
    from workbench.corpus import load_corpus

    rules = tmp_path / "greedy.yaml"
    rules.write_text(
        "rules:\n  - id: greedy_tail\n    kind: line_regex\n    pattern: '群众'\n"
        "    description: a careless site rule\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("workbench.corpus.boilerplate.DEFAULT_RULES_PATH", rules)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "party.txt").write_text(PARTY_PAGE, encoding="utf-8")
    (tmp_path / "in" / "other.txt").write_text("干部作风建设。", encoding="utf-8")
    with caplog.at_level("WARNING", logger="workbench.corpus.load"):
        corpus = load_corpus([tmp_path / "in"])
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "party.txt" in warnings[0] and "greedy_tail" in warnings[0]
    share = corpus.files.set_index("file")["boilerplate_share"]
    assert share["party.txt"] > 0.5 and share["other.txt"] == 0.0
    assert set(corpus.removed["rule"]) == {"greedy_tail"}


def test_a_page_that_is_all_chrome_is_reported(tmp_path, caplog):
    from workbench.corpus import load_corpus

    page = "\n".join(
        [
            "首页 | 新闻中心 | 登录 | 注册",
            "当前位置：首页 > 理论 > 正文",
            "共产党员网 打印 纠错",
            "微信扫一扫 ×",
            "收听本文 00:00/00:00",
            "本文暂无内容。",
        ]
    )
    (tmp_path / "chrome.txt").write_text(page, encoding="utf-8")
    with caplog.at_level("WARNING", logger="workbench.corpus.load"):
        corpus = load_corpus([tmp_path / "chrome.txt"])
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith(f"{tmp_path / 'chrome.txt'}: boilerplate rules removed")
    for rule in ("nav_menu", "breadcrumb", "print_correct_bar", "people_share_scan"):
        assert rule in warning
    assert corpus.files.loc[0, "boilerplate_share"] > 0.5


def test_date_lines_are_metadata_not_body():
    from workbench.corpus.boilerplate import extract_metadata, strip_boilerplate

    text = ("关于某事的讲话\n（一九三四年五月六日）\n发布时间：2016-05-03 10:21\n"
            "正文第一句话在这里。时间：很紧。\n时间：立即整改\n(2018-05-13)\n")
    clean = strip_boilerplate(text)
    assert [n for n, _ in clean.lines] == [1, 4, 5]  # 时间：立即整改 is a deadline, body text
    assert [(r.line_no, r.rule) for r in clean.removed] == [
        (2, "bare_date_line"), (3, "labelled_date"), (6, "bare_date_line")]
    assert [v for _, f, v in extract_metadata(clean)] == ["一九三四年五月六日", "2016-05-03",
                                                          "2018-05-13"]


def test_bare_dates_on_their_own_line_are_metadata_as_in_parentheses():
    """A date alone on its line without parentheses (a dateline under the title, a date
    signed at the end) was read as the article's date but stayed a body sentence."""
    from workbench.corpus.boilerplate import strip_boilerplate

    dates = ["2019/3/5", "2021.08.15", "二〇一七年十二月", "2009年10月1日", " 2018-05-13 ",
             "一九五八年七月三日", "二○一三年五月八日",
             "——2019年3月8日", "—（2020年1月2日）"]  # a speech's dash dateline  # fmt: skip
    kept = ["2019年", "2019年3月5日召开会议", "2019/3", "第2019号", "1.2.3", "——2019年3月8日讲话"]
    clean = strip_boilerplate("\n".join(["标题", *dates, *kept]) + "\n")
    assert [r.rule for r in clean.removed] == ["bare_date_line"] * len(dates)
    assert [t for _, t in clean.lines] == ["标题", *kept]


def test_source_and_byline_lines_with_a_date_are_metadata():
    """A "来源：<outlet> <date>" line gave the article its date but stayed a body sentence."""
    from workbench.corpus.boilerplate import extract_metadata, strip_boilerplate

    text = ("干部作风的观察\n来源：某某日报 2016-05-03\n作者：张三 | 来源：人民日报 | 2023-05-01\n"
            "一些干部脱离群众。\n来源于群众的意见要认真听取，2016年收集了三百条。\n")
    clean = strip_boilerplate(text)
    assert [n for n, _ in clean.lines] == [1, 4, 5]  # a sentence that starts 来源 stays
    assert [(r.line_no, r.rule) for r in clean.removed] == [
        (2, "labelled_source_date"), (3, "labelled_source_date")]
    assert [v for _, f, v in extract_metadata(clean)] == ["2016-05-03", "2023-05-01"]


def test_front_matter_block_is_removed_line_by_line():
    text = "---\ntitle: 甲\ndate: 2021-03-02\nlayout: post\n---\n正文。\n---\ndate: 2021-03-02\n"
    clean = strip_boilerplate(text)
    assert clean.front_matter == 5
    assert [(r.line_no, r.rule) for r in clean.removed] == [
        (1, "markdown_rule"), (2, "front_matter_title"), (3, "front_matter_date"),
        (4, "front_matter"), (5, "markdown_rule"), (7, "markdown_rule"),
    ]  # fmt: skip
    # After the front matter "date: …" is text: the front matter rules are not tried there.
    assert clean.lines == [(6, "正文。"), (8, "date: 2021-03-02")]
    assert extract_metadata(clean) == [(2, "title", "甲"), (3, "date", "2021-03-02")]
    assert clean.removed_share == 0.0


@pytest.mark.parametrize("text", [
    "---\n正文。\n---\n",                # a rule opening a text, no key: value
    "正文。\n---\ndate: 2021-03-02\n---\n",  # not at the top of the file
    "---\ndate: 2021-03-02\n正文。\n",       # never closed
])  # fmt: skip
def test_no_front_matter_without_its_shape(text):
    clean = strip_boilerplate(text)
    assert clean.front_matter == 0
    assert "front_matter_date" not in clean.removed_counts()


def test_where_front_matter_only_on_line_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - id: x\n    kind: inline_regex\n    where: front_matter\n"
        "    pattern: 'a'\n    description: d\n", encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ValueError, match="where"):
        load_rules(path)


def test_government_page_credits_and_tools_are_chrome():
    """Tester 20: a page copied from a county website kept its 信息来源/发布时间 line, 责任编辑,
    审核, 来源, a lone 打印本页 and 上一篇/下一篇 (another article's title) as body sentences; in
    a section they took its role and were coded."""
    from workbench.corpus.boilerplate import extract_metadata

    text = (
        "某县开展“干部下基层”活动\n"
        "信息来源：某县委组织部　　作者：王五　　发布时间：2022-03-15　　浏览次数：326\n"
        "【字体：大 中 小】\n"
        "一、主要做法\n"
        "干部们走村入户，倾听群众意见。\n"
        "打印本页\n关闭窗口\n责任编辑：赵六\n编辑：钱七 审核：孙八\n来源：某县委组织部\n"
        "（责任编辑：韩某）（责任校对：罗某）\n"
        "上一篇：县委书记深入基层走访慰问困难群众\n下一篇：全县春耕生产现场会召开\n相关阅读\n"
    )
    clean = strip_boilerplate(text)
    assert [n for n, _ in clean.lines] == [1, 4, 5]
    assert [r.rule for r in clean.removed] == [
        "labelled_source_date", "page_tool", "page_tool", "page_tool", "credit_line",
        "credit_line", "credit_line", "credit_line", "prev_next", "prev_next", "prev_next",
    ]  # fmt: skip
    assert [v for _, f, v in extract_metadata(clean) if f == "date"] == ["2022-03-15"]


@pytest.mark.parametrize(
    "line",
    [
        "来源：群众来信反映，村干部优亲厚友。",  # a sentence: punctuation
        "资金来源：县财政拨款200万元",  # not the label at the start
        "要及时打印本页材料并关闭窗口。",
        "上一篇文章谈了干部作风问题。",
        "编辑部的同志要深入基层",  # no colon
    ],
)
def test_credit_and_tool_rules_leave_text_alone(line):
    assert strip_boilerplate(line).removed == []


def test_official_document_notes_are_not_body():
    """Tester 20: a 公文's closing notes (此件公开发布, 联系人, 抄送, 印发) were body sentences."""
    text = (
        "二、健全工作机制\n要建立干部联系群众制度。此件抄送县委组织部备案。\n（此件公开发布）\n"
        "（联系人：张某，电话：0731-1234567）\n抄送：县人大常委会办公室，县政府办公室。\n"
        "中共某县委办公室 2021年6月10日印发\n"
    )
    clean = strip_boilerplate(text)
    assert [n for n, _ in clean.lines] == [1, 2]  # 此件 and 抄送 inside a sentence stay
    assert {r.rule for r in clean.removed} == {"official_document_note"}
    assert len(clean.removed) == 4


@pytest.mark.parametrize(
    "line", ["2022-08-03 18:30", "2022年08月03日 18:30:05", "（2019年5月6日 09:00）"]
)
def test_a_date_with_its_time_alone_on_a_line_is_metadata(line):
    """Tester 20: a WeChat article's "2022-08-03 18:30" gave the date but stayed a sentence."""
    assert [r.rule for r in strip_boilerplate(line).removed] == ["bare_date_line"]


def test_list_bullets_are_markup_not_text():
    """Tester 20: Markdown list items kept their "- " in the text (and in kwic quotes)."""
    text = "- 群众对村干部**评价不高**。\n• 走访农户\n** 参加了会议\n-2℃的天气\n"
    clean = strip_boilerplate(text)
    assert [text for _, text in clean.lines] == [
        "群众对村干部**评价不高**。", "走访农户", "** 参加了会议", "-2℃的天气"]  # fmt: skip
    assert [r.rule for r in clean.removed] == ["markdown_list_marker"] * 2


@pytest.mark.parametrize(
    ("line", "rule", "date"),
    [
        ("2021年6月5日 来源：新华网", "dateline_source", "2021-06-05"),
        ("2021-06-05 09:00:00 来源：县政府办", "dateline_source", "2021-06-05"),
        ("【发布时间：2021-06-05】", "labelled_date", "2021-06-05"),
        ("成文日期：2021年6月5日", "labelled_date", "2021-06-05"),
        ("发表于 2021-06-05 10:21", "published_at", "2021-06-05"),
        ("[2021-06-05]", "bare_date_line", "2021-06-05"),
    ],
)
def test_more_dateline_forms_are_metadata_and_date_the_article(tmp_path, line, rule, date):
    """Tester 20: these datelines stayed body sentences, and some gave no date at all."""
    from workbench.corpus import load_corpus

    assert [r.rule for r in strip_boilerplate(line).removed] == [rule]
    path = tmp_path / "a.txt"
    path.write_text("标题\n" + line + "\n干部要深入群众，倾听群众呼声。\n", encoding="utf-8")
    corpus = load_corpus([path])
    assert corpus.documents["date"].tolist() == [date]
    assert corpus.segments["text"].tolist() == ["标题", "干部要深入群众，倾听群众呼声。"]


def test_a_table_of_contents_is_not_read_as_sections():
    """Tester 20: a report's 目录 with dot leaders opened empty sections, and the real
    "一、存在的问题" nested under "二、原因分析……5" as section 2.1, role cause ("目  录" was
    read as a byline naming the author 目录)."""
    from workbench.corpus.structure import parse_structure

    text = ("某县干群关系调研报告\n目  录\n一、存在的问题……………………3\n二、原因分析........5\n"
            "一、存在的问题\n干部作风漂浮。\n二、原因分析\n宗旨意识淡薄。\n他说……我们要……12\n")
    clean = strip_boilerplate(text)
    assert [r.rule for r in clean.removed] == ["table_of_contents"] * 3
    paragraphs = parse_structure(clean.lines[1:])
    assert [(p.section, p.role) for p in paragraphs][:2] == [("1", "problem"), ("1", "problem")]


def test_audience_reactions_in_a_speech_are_removed_and_counted(tmp_path):
    """Tester 21: "（掌声）", "（笑声）" … in a speech each became a sentence of their own."""
    from workbench.corpus import load_corpus

    text = ("同志们：\n这股风是从防空洞里跑出来的。（笑声）但是党内还有一种风。\n"
            "我们靠昆仑山（笑），灭不了。\n谢谢大家！（长时间热烈掌声）\n（热烈掌聲）\n"
            "（全场起立，热烈鼓掌）他（笑着说）：这很（可笑）。\n")
    path = tmp_path / "讲话.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([path])
    assert corpus.segments["text_orig"].tolist() == [
        "同志们：", "这股风是从防空洞里跑出来的。", "但是党内还有一种风。",
        "我们靠昆仑山，灭不了。", "谢谢大家！", "他（笑着说）：这很（可笑）。"]  # fmt: skip
    removed = corpus.removed
    assert removed["rule"].tolist() == ["speech_reaction"] * 5
    assert removed["text"].tolist() == [
        "（笑声）", "（笑）", "（长时间热烈掌声）", "（热烈掌聲）",
        "（全场起立，热烈鼓掌）"]  # fmt: skip
    assert corpus.files["boilerplate_removed"].tolist() == [5]


def test_markdown_footnotes_are_notes_not_body(tmp_path):
    """Tester 21: "[^1]: 数据来源…" stayed body text with the role of the last section
    (countermeasure), and the "[^1]" mark stayed in the sentence."""
    from workbench.corpus import load_corpus

    text = ("# 某县干群关系调研报告\n\n## 一、存在的问题\n\n干部作风漂浮[^1]。\n\n"
            "## 二、对策建议\n\n要加强制度建设[^note]，防止制度执行不力。\n\n"
            "[^1]: 数据来源：县统计局。\n[^note]: 见《某县志》。\n")
    path = tmp_path / "报告.md"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([path])
    segments = corpus.segments
    assert segments["text_orig"].tolist() == [
        "某县干群关系调研报告", "一、存在的问题", "干部作风漂浮。", "二、对策建议",
        "要加强制度建设，防止制度执行不力。"]  # fmt: skip
    assert segments["role"].tolist()[-1] == "countermeasure"
    removed = corpus.removed[corpus.removed["rule"].str.startswith("markdown_footnote")]
    assert removed[["line_no", "rule", "text"]].values.tolist() == [
        [5, "markdown_footnote_mark", "[^1]"], [9, "markdown_footnote_mark", "[^note]"],
        [11, "markdown_footnote", "[^1]: 数据来源：县统计局。"],
        [12, "markdown_footnote", "[^note]: 见《某县志》。"]]  # fmt: skip
    # Notes are no body lost to boilerplate: the share warning is for rules removing text.
    assert corpus.files["boilerplate_share"].tolist() == [0.0]


def test_a_journal_record_header_is_metadata(tmp_path):
    """Tester 21: a record exported from a journal database (人大复印报刊资料) kept its
    labelled fields as body segments, and "【 文献号 】1-5996" became the title."""
    from workbench.corpus import load_corpus

    text = ("【 文献号 】1-5996\n【原文出处】天津社会科学\n【原刊期号】199706\n【分 类 号】D4\n"
            "【 作  者 】何增科\n【复印期号】199712\n"
            "【 标  題 】縣級政治中存在的問題、成因及解決對策\n"
            "【内容提要】本文考察了县级政治的现状，分析了问题的成因。\n"
            "【关 键 词】县级政治/干群关系\n"
            "【 正  文 】\n    县级政治在我国政治体系中居于重要地位。\n    一、存在的问题\n"
            "    干群关系紧张。\n")
    path = tmp_path / "record.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([path])
    doc = corpus.documents.iloc[0]
    assert (doc["title"], doc["author"]) == ("縣級政治中存在的問題、成因及解決對策", "何增科")
    # The labelled title is a line of the record's text: a heading segment on its line, as a
    # title read from a body line is (a coder of lines codes it).
    assert corpus.segments["text_orig"].tolist() == [
        "縣級政治中存在的問題、成因及解決對策",
        "本文考察了县级政治的现状，分析了问题的成因。", "县级政治在我国政治体系中居于重要地位。",
        "一、存在的问题", "干群关系紧张。"]  # fmt: skip
    assert corpus.segments["role"].tolist() == ["other", "other", "other", "problem", "problem"]
    title = corpus.segments.iloc[0][["segment_id", "line_no", "is_heading"]].tolist()
    assert title == ["record/a1/p000/s01", 7, True]
    removed = corpus.removed
    # Only its label stays listed as removed: each character once.
    assert removed.loc[removed["line_no"] == 7, "text"].tolist() == ["【 标  題 】"]
    assert removed["rule"].tolist() == [
        "journal_record_field", "journal_record_field", "journal_record_field",
        "journal_record_field", "journal_record_author", "journal_record_field",
        "journal_record_title", "journal_record_label", "journal_record_field",
        "journal_record_label"]  # fmt: skip
    assert corpus.files["boilerplate_removed"].tolist() == [10]
    # Metadata, no body lost to boilerplate: only the labels' ideographs (内容提要, 正文) count.
    from workbench.corpus.boilerplate import count_ideographs

    assert corpus.files["boilerplate_share"].iloc[0] == round(6 / count_ideographs(text), 4)


@pytest.mark.parametrize("label", ["【 标  题 】", "文章标题："])
def test_a_labelled_title_wins_over_a_title_like_first_line(tmp_path, label):
    """The record's subtitle or a speech's occasion under 【 正  文 】 ("——在全县干部大会上
    的讲话", "（中共浙江省委书记 李泽民）") was taken as the title over the labelled one."""
    from workbench.corpus import load_corpus

    path = tmp_path / "record.txt"
    path.write_text(f"{label}县级政治中存在的问题\n\n——在全县干部大会上的讲话\n"
                    "县级政治在我国政治体系中居于重要地位。\n", encoding="utf-8")  # fmt: skip
    corpus = load_corpus([path])
    assert corpus.documents["title"].tolist() == ["县级政治中存在的问题"]
    # A journal record's title is a heading segment of its own line; a 文章标题： line (a
    # download page's metadata repeating its heading) gives the title only.
    heading = ["县级政治中存在的问题"] if label.startswith("【") else []
    assert corpus.segments["text_orig"].tolist() == [
        *heading, "——在全县干部大会上的讲话", "县级政治在我国政治体系中居于重要地位。"]  # fmt: skip
    assert corpus.segments["is_heading"].tolist() == [True] * len(heading) + [False, False]


@pytest.mark.parametrize(
    "line", ["【参考文献】", "【注释】", "【编者按】本文是作者在县委全会上的讲话。"]
)
def test_journal_record_rules_leave_other_bracketed_lines_alone(line):
    assert strip_boilerplate(line).removed == []
