"""The literal pre-checks: never wrong on the rule patterns, seeds and random text."""

from __future__ import annotations

import random
import re

import pytest

from workbench import config
from workbench import regex_precheck as rp
from workbench.corpus.boilerplate import load_rules
from workbench.corpus.structure import load_structure_config
from workbench.regex_precheck import (
    Precheck,
    TailSearch,
    alternation,
    first_chars,
    needed_literals,
    screen,
    start_screen,
)


def rule_patterns() -> list[re.Pattern[str]]:
    """Every regex of the bundled rule files that a pre-check may guard."""
    cfg = load_structure_config()
    patterns = [r.pattern for r in load_rules()]
    patterns += [re.compile(m["pattern"]) for m in cfg.raw["articles"]["markers"]]
    patterns += [f.pattern for f in cfg.families]
    patterns += [rx for rx, _ in cfg.weak_patterns]
    return patterns


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^文章标题[:：]\s*(?P<value>.+)$", (("文章标题",),)),
        (r"^七一社区\s*(注册|登录)", (("七一社区", "注册"), ("七一社区", "登录"))),
        (
            r"《[^》]{1,80}》\s*来源于\s*xiexiebang\.com",
            (("《", "》", "来源于", "xiexiebang.com"),),
        ),
        (r"(?:ab){2}", (("ab",),)),  # a repeat that runs at least once needs its literal
        (r"x(?:ab)?y", (("x", "y"),)),  # an optional part needs nothing
        (r"(?=ab)\w+", None),  # a look-ahead is not counted
        (r"(?i)ab", None),  # case-insensitive literals are not counted
        (r"(?i:ab)c", (("c",),)),
        (r"a|\d", None),  # one alternative needs no literal
        (r"(a)\1", (("a",),)),
    ],
)
def test_needed_literals(pattern, expected):
    assert needed_literals(re.compile(pattern)) == expected


def random_texts(alphabet: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def test_precheck_never_rejects_a_match():
    seeds = [p.read_text(encoding="utf-8") for p in sorted(config.SEEDS_DIR.glob("*.txt"))]
    lines = [line for text in seeds for line in text.split("\n")]
    patterns = rule_patterns()
    literals = "".join(
        sorted({c for p in patterns for alt in needed_literals(p) or () for c in "".join(alt)})
    )
    texts = lines + random_texts(literals + "一二（）()、.：: 12甲", 3000, 1)
    for pattern in patterns:
        check = Precheck(pattern)
        for text in texts:
            if pattern.search(text):
                assert check.may_match(text), (pattern.pattern, text)


def test_screen_never_rejects_a_match():
    rules = [r.pattern for r in load_rules()]
    combined = screen(rules)
    assert combined is not None
    texts = random_texts("扫一责编相关专题热点关键词来源人民网分享到?：(（ ", 5000, 2)
    for text in texts:
        if any(p.search(text) for p in rules):
            assert combined.search(text), text


@pytest.mark.parametrize(
    "pattern",
    ["[，,、]$", r"[\u4e00-\u9fff\w]$", "(意义|指导思想|背景)$", r"(?<!甲)乙\Z", "^甲$", "a+$"],
)
def test_tail_search_equals_full_search(pattern):
    rx = re.compile(pattern)
    tail = TailSearch(rx)
    texts = random_texts("，,、甲乙a意义指导思想背景\n ", 3000, 3)
    for text in texts:
        full = rx.search(text)
        got = tail.search(text)
        assert (got and got.span()) == (full and full.span()), text


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?P<num>[一二]{1,3})、", "一二"),
        (r"[(（]\s*\d", "(（"),
        (r"问题|答案", "问答"),
        (r"(?:ab)+c", "a"),
        (r"[a-c]x", "abc"),
        (r"a?b", None),  # may start with b
        (r"\d+", None),  # a category
        (r"[^a]", None),
        (r"(?i)a", None),
        (r"^a", None),
    ],
)
def test_first_chars(pattern, expected):
    got = first_chars(re.compile(pattern))
    assert got == (None if expected is None else frozenset(expected))


def test_start_screen_equals_any_search():
    families = [f.pattern for f in load_structure_config().families]
    for group in (families[:2], families[10:11], [f for f in families if "问题" in f.pattern]):
        rx = start_screen(group)
        assert rx is not None
        texts = random_texts("一二三、．(（）)问题是 :：甲。12", 4000, 4)
        for text in texts:
            for pos in (0, 1, 4):
                expected = any(p.search(text, pos) for p in group)
                assert (rx.search(text, pos) is not None) == expected, (text, pos)


def test_alternation_keeps_branch_order_and_refuses_escaped_groups():
    rx = alternation([re.compile(r"(?P<n>\d)"), re.compile(r"(?P<n>\d+)x")], "_b")
    assert rx.match("12x").lastgroup == "_b0"  # the first branch that matches wins
    assert alternation([re.compile(r"\(?P<x>")]) is None  # "(?P<" that is not a group
    assert alternation([re.compile("a"), re.compile("b", re.I)]) is None


def test_plans_and_triggers_are_worked_out_once_per_pattern_text():
    from workbench.coding.codebook import load_codebook
    from workbench.coding.rules import Regex

    rp._PLANS.clear()
    rp._TRIGGERS.clear()
    cb = load_codebook()
    assert cb.scan_literals  # fills the memo as coding does
    patterns = {(n.pattern.pattern, n.pattern.flags): n.pattern for n in _regex_nodes(cb, Regex)}
    for p in patterns.values():  # a memo hit equals a fresh computation
        assert rp.regex_plan(p) == rp._plan_of(re.compile(p.pattern, p.flags))
        assert rp.regex_triggers(p) == rp._triggers_of(re.compile(p.pattern, p.flags))
    assert rp.regex_plan(re.compile("(要|以)")) is rp.regex_plan(re.compile("(要|以)"))
    assert rp.regex_plan(re.compile("(要|以)", re.I)).kind == "each"  # flags are in the key


def _regex_nodes(cb, kind):
    seen, stack = [], [c.rule for c in cb.codes] + [y.unless for y in cb.yields if y.unless]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            seen.append(node)
        for value in vars(node).values():
            items = value if isinstance(value, list | tuple) else [value]
            stack.extend(v for v in items if hasattr(v, "literals") and hasattr(v, "match"))
    return seen


# --- the plans' cache ---------------------------------------------------------------------


@pytest.fixture
def plan_cache(tmp_path, monkeypatch):
    """An empty cache folder (XDG_CACHE_HOME) and empty memos, as in a new process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    rp._PLANS.clear()
    yield config.cache_dir()
    rp._PLANS.clear()


def _codebook_patterns():
    from workbench.coding.codebook import load_codebook
    from workbench.coding.rules import regex_patterns

    cb = load_codebook()
    return regex_patterns([c.rule for c in cb.codes] + [y.unless for y in cb.yields if y.unless])


def _fresh_plans(patterns):
    return {(p.pattern, p.flags): rp._plan_of(re.compile(p.pattern, p.flags)) for p in patterns}


def test_plan_cache_round_trips_and_cold_equals_warm(plan_cache):
    patterns = _codebook_patterns()
    expected = _fresh_plans(patterns)
    rp.preload_plans(patterns)  # cold: worked out, file written
    cold = dict(rp._PLANS)
    files = list(plan_cache.iterdir())
    assert [p.name[:12] for p in files] == ["regex-plans-"]  # and no temporary file
    rp._PLANS.clear()
    rp.preload_plans(patterns)  # warm: read back
    assert cold == dict(rp._PLANS) == expected
    rp._PLANS.clear()
    keys = sorted(expected)
    assert rp._read_plans(files[0], keys) == [expected[k] for k in keys]
    assert [rp.regex_plan(p) for p in patterns] == [expected[p.pattern, p.flags] for p in patterns]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00garbage",
        b"",
        "marshal:not a tuple",
        "marshal:other format",
        "marshal:other keys",
        "marshal:bad row",
    ],
)
def test_corrupt_or_foreign_plan_cache_is_worked_out_again(plan_cache, content):
    import marshal

    patterns = [re.compile("(要|以.{1,12}为)"), re.compile("[一-鿿]{2,4}"), re.compile(".+由于")]
    keys = sorted((p.pattern, p.flags) for p in patterns)
    expected = _fresh_plans(patterns)
    rows = [tuple(vars(expected[k]).values()) for k in keys]
    stored = [list(k) for k in keys]
    content = {
        "marshal:not a tuple": marshal.dumps([1, 2, 3]),
        "marshal:other format": marshal.dumps((rp.PLAN_CACHE_FORMAT + 1, stored, rows)),
        "marshal:other keys": marshal.dumps((rp.PLAN_CACHE_FORMAT, stored[::-1], rows)),
        "marshal:bad row": marshal.dumps((rp.PLAN_CACHE_FORMAT, stored, [("x",)] * len(rows))),
    }.get(content, content)
    path = rp.plan_cache_file(keys)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert rp._read_plans(path, keys) is None
    rp.preload_plans(patterns)
    assert {k: rp._PLANS[k] for k in keys} == expected
    assert rp._read_plans(path, keys) == [expected[k] for k in keys]  # rewritten


def test_unwritable_plan_cache_still_gives_the_plans(plan_cache):
    plan_cache.parent.mkdir()
    plan_cache.write_text("not a directory")  # mkdir fails, even for root
    patterns = [re.compile("(不够|不能)"), re.compile("由于.{2,40}(使|导致)")]
    rp.preload_plans(patterns)
    assert [rp.regex_plan(p) for p in patterns] == list(_fresh_plans(patterns).values())
    assert plan_cache.read_text() == "not a directory"


def test_plan_cache_file_follows_patterns_and_flags():
    a = rp.plan_cache_file([("甲", re.U)])
    assert a.parent == config.cache_dir()
    assert a != rp.plan_cache_file([("甲", re.U | re.I)]) != rp.plan_cache_file([("乙", re.U)])
