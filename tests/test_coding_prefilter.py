"""The multi-pattern scan changes nothing: same tables as matching one sentence at a time."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import config
from workbench.coding import codebook as codebook_module
from workbench.coding import prefilter
from workbench.coding.codebook import load_codebook, parse_codebook
from workbench.coding.coder import UNITS, code_segments
from workbench.coding.prefilter import Prefilter, Scan, Trie
from workbench.coding.rules import (
    ROLES,
    Cues,
    Sentence,
    compile_rule,
    regex_plan,
    regex_triggers,
)


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.mark.parametrize("unit", UNITS)
def test_seeds_coded_identically_with_and_without_prefilter(seeds, cb, unit):
    seg = seeds.analysis_segments()
    fast = code_segments(seg, cb, unit)
    slow = code_segments(seg, cb, unit, prefilter=False)
    assert len(slow.long) > 0
    # Byte for byte: the same CSV text, and the same frames, matrix and units.
    assert fast.long.to_csv(index=False) == slow.long.to_csv(index=False)
    pd.testing.assert_frame_equal(fast.long, slow.long)
    pd.testing.assert_frame_equal(fast.units, slow.units)
    assert fast.matrix.shape == slow.matrix.shape
    assert (fast.matrix != slow.matrix).nnz == 0
    assert fast.matrix.dtype == slow.matrix.dtype and fast.codes == slow.codes


def test_every_matching_code_is_a_candidate_in_every_role(seeds, cb):
    pf = Prefilter(cb)
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()
    assert len(texts) > 1000
    for text in texts:
        cand = set(pf.candidates(text))
        for role in ROLES:
            for heading in (False, True):
                s = Sentence(text, role, heading)
                for ci, code in enumerate(cb.codes):
                    if ci not in cand:
                        assert code.match(s) is None, (code.id, role, text)


CUES = Cues(negative=("不力", "缺乏"), prescriptive=("加强",), window=4)
RULES = [
    ({"not": "腐败"}, None),  # matches where the term is absent: always evaluate
    ({"any": ["干部", {"not": "群众"}]}, None),
    ({"all": ["干部", {"not": "群众"}]}, {"干部"}),
    ({"all": [["干部", "党员"], "群众"]}, {"群众"}),  # the most selective part
    ({"near": ["监督", "考核"], "within": 3}, {"监督"}),  # either side is needed
    ({"any": ["监督"], "polarity": "negative", "roles": ["cause"]}, {"监督"}),
    ({"regex": "(?<!工作)座谈会"}, {"座谈会"}),
    ({"regex": "由于.{2,40}(使|导致)"}, {"由于"}),
    ({"regex": "(不够|缺乏)"}, {"不够", "缺乏"}),
    ({"regex": "[监考]督?"}, {"监", "考"}),
    ({"regex": "问题[一二三]+[:：]"}, {"问题"}),
    ({"regex": "(?i)ab"}, None),
    ({"regex": "(?i:ab)c"}, None),  # scoped flags: not looked into
    ({"regex": "x?.+"}, None),
    ({"regex": "[^监]督"}, {"督"}),
    ({"regex": "(a|)b"}, {"b"}),
    ({"regex": "(a|)"}, None),
    ({"regex": r"\d+"}, None),
]


@pytest.mark.parametrize(("raw", "expected"), RULES)
def test_rule_triggers(raw, expected):
    got = compile_rule(raw, cues=CUES).triggers()
    assert (got if got is None else set(got)) == (expected if expected is None else set(expected))


@pytest.mark.parametrize(("raw", "_expected"), RULES)
def test_triggers_are_necessary(seeds, raw, _expected):
    """Whenever a rule matches a seed sentence, one of its triggers occurs in it."""
    rule = compile_rule(raw, cues=CUES)
    trig = rule.triggers()
    if trig is None:
        return
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()
    texts += ["监督考核不力", "由于干部缺乏培训导致", "工作座谈会", "座谈会", "ab", "ABc", "b"]
    for text in texts:
        for role in ("cause", "other"):
            if rule.match(Sentence(text, role)) is not None:
                assert any(t in text for t in trig), (raw, text)


def test_regex_triggers_of_codebook_regexes_are_literals_of_the_pattern(cb):
    for code in cb.codes:
        for t in code.rule.triggers() or ():
            assert t and isinstance(t, str)
    assert regex_triggers(re.compile("如果没有")) == frozenset({"如果没有"})


# -- matching all sentences at once (Scan, Node.match_all) -----------------------------

ROLE_HEADING = [(role, heading) for role in ROLES for heading in (False, True)]

# Neighbouring sentences are joined for the scan: nothing may match across them.
EDGE_TEXTS = [
    "开展工作", "座谈会召开",  # look-behind at a sentence start
    "干", "部联系群众",  # a term split over two sentences
    "监督不", "力",  # a cue split over two sentences
    "加强", "监督",  # a prescriptive cue only in the sentence before
    "监督", "不力",  # a negative cue only in the sentence after
    "为人民服务的宗旨意识淡化",  # nested and overlapping terms
    "不能坚持原则的问题。", "abc", "abbc", "ababcbc",
    "", "𠀀干部联系群众𠀀",  # outside the Basic Multilingual Plane
    "干部\n群众", "要以人民为中心,以上率下为要",
    "影响群众。影响了干群关系", "由于缺乏监督导致问题",
]  # fmt: skip
EDGE_RULES = [
    "干部",
    ["干部", "群众"],
    {"all": ["干部", {"not": "群众"}]},
    {"not": "干部"},
    {"any": ["宗旨", "宗旨意识", "为人民服务的宗旨", "意识", "服务"]},
    {"regex": "(不能|不能坚持原则)"},
    {"regex": "(不能坚持原则|不能)"},
    {"regex": "(a|ab)(c|bc)"},
    {"regex": "[监考]督?"},
    {"regex": "(?<!工作)座谈会"},
    {"regex": "的问题[。;]?$"},
    {"regex": "^干部"},
    {"regex": "(要|以.{1,3}为)"},
    {"regex": "(以.{1,3}为|要)"},
    {"regex": "(影响|损害)[^。]{0,10}(群众|干群关系)"},
    {"regex": "由于.{2,40}(导致|造成)"},
    {"regex": "x?.+"},
    {"regex": "(a|)"},
    {"regex": "(?i)AB"},
    {"near": ["干部", "群众"], "within": 2},
    {"near": ["群众", "干部"], "within": 5, "ordered": True},
    {"near": [{"regex": "(a|ab)"}, "c"], "within": 0},
    {"near": [{"not": "监督"}, "干部"], "within": 3},  # no span on one side: no match
    {"not": "干部", "polarity": "negative"},  # a polarity needs a span
    {"any": ["监督"], "polarity": "negative"},
    {"any": ["监督"], "polarity": "prescriptive", "roles": ["countermeasure", "other"]},
    {"all": [{"any": ["监督", "干部"], "polarity": "negative"}, {"not": "加强"}], "heading": False},
    {"regex": "[一-龥]", "roles": ["cause"], "quote": False},  # a condition: no span
    {"all": ["监督", {"regex": "[一-龥]{4}", "quote": False}]},
    {"any": [{"any": ["监督"], "polarity": "negative", "quote": False}, "干部"]},
    {"near": [{"any": ["干部"], "quote": False}, "群众"], "within": 5},  # no span: no match
]


def _one_by_one(rule, texts, roles, headings):
    return [
        rule.match(Sentence(t, r, h)) if t else None
        for t, r, h in zip(texts, roles, headings, strict=True)
    ]


def _all_at_once(rule, texts, roles, headings):
    scan = Scan(texts, roles, headings, rule.literals())
    m = rule.match_all(scan, scan.valid)
    out = [[] if ok else None for ok in m.ok.tolist()]
    for sid, start, end, text in scan.spans(m.keys):
        out[sid].append((start, end, text))
    return out


def _frame(texts):
    rows = [(t, r, h) for t in texts for r, h in ROLE_HEADING]
    return [list(x) for x in zip(*rows, strict=True)]


@pytest.mark.parametrize("raw", EDGE_RULES)
def test_match_all_equals_match_one_sentence_at_a_time(raw):
    rule = compile_rule(raw, cues=CUES)
    texts, roles, headings = _frame(EDGE_TEXTS)
    assert _all_at_once(rule, texts, roles, headings) == _one_by_one(rule, texts, roles, headings)


def test_nothing_matches_across_sentences():
    texts, roles, headings = ["干", "部", "干部"], ["other"] * 3, [False] * 3
    assert _all_at_once(compile_rule("干部"), texts, roles, headings) == [
        None,
        None,
        [(0, 2, "干部")],
    ]
    neg = compile_rule({"any": ["监督"], "polarity": "negative"}, cues=CUES)
    texts = ["缺乏", "监督", "不力", "监督不力"]
    got = _all_at_once(neg, texts, ["other"] * 4, [False] * 4)
    assert got == [None, None, None, [(0, 2, "监督")]]


def test_overlapping_terms_resolve_as_the_regex_engine():
    rule = compile_rule({"any": ["宗旨", "宗旨意识", "为人民服务的宗旨", "意识"]})
    got = _all_at_once(rule, ["为人民服务的宗旨意识淡化"], ["other"], [False])
    assert got == [[(0, 8, "为人民服务的宗旨"), (8, 10, "意识")]]


@pytest.mark.parametrize("raw", [c for c in RULES if c[0] not in ({"regex": "(a|)"},)])
def test_match_all_equals_match_on_seed_sentences(seeds, raw):
    rule = compile_rule(raw[0], cues=CUES)
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()[::4] + EDGE_TEXTS
    texts, roles, headings = _frame(texts)
    assert _all_at_once(rule, texts, roles, headings) == _one_by_one(rule, texts, roles, headings)


def test_every_code_matches_all_at_once_as_one_by_one_in_every_role(seeds, cb):
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()[::3] + EDGE_TEXTS
    texts, roles, headings = _frame(texts)
    for code in cb.codes:
        assert _all_at_once(code.rule, texts, roles, headings) == _one_by_one(
            code.rule, texts, roles, headings
        ), code.id


def test_trie_finds_every_occurrence_as_aho_corasick(seeds, cb):
    import ahocorasick

    literals = sorted(set().union(*(c.rule.literals() for c in cb.codes)))
    text = "\n".join(seeds.segments["text"].dropna()) + "𠀀不够"
    starts, ids = Trie(literals).find(text)
    automaton = ahocorasick.Automaton()
    for k, w in enumerate(literals):
        automaton.add_word(w, k)
    automaton.make_automaton()
    expected = sorted((end - len(literals[k]) + 1, k) for end, k in automaton.iter(text))
    assert sorted(zip(starts.tolist(), ids.tolist(), strict=True)) == expected
    # Each literal's occurrences in order of their starts (the scan relies on it).
    by_literal = sorted(range(len(ids)), key=lambda i: ids[i])  # stable
    assert by_literal == sorted(range(len(ids)), key=lambda i: (ids[i], starts[i]))


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("(不够|不强|不能坚持原则)", "literal"),
        ("问题[一二三]", "literal"),
        ("(要|以.{1,12}为)", "branch"),
        ("(?<!工作)座谈会", "branch"),
        ("(影响|损害)[^。]{0,10}(干群关系)", "branch"),
        ("[^监]督", "each"),
        ("(?i)ab", "each"),
    ],
)
def test_regex_plans(pattern, kind):
    assert regex_plan(re.compile(pattern)).kind == kind


# -- the coder's two paths on crafted segments -------------------------------------------


def _codebook(rules: dict[str, list]):
    raw = yaml.safe_load(Path(config.CODEBOOK).read_text(encoding="utf-8"))
    raw["codes"] = [
        {"id": cid, "category": "problem", "label_zh": cid, "label_en": cid,
         "definition": cid, "rules": r, "examples": ["x"]}
        for cid, r in rules.items()
    ]  # fmt: skip
    # The crafted rules include one that is only a `not:`, which a codebook file may not
    # hold any more (it codes every sentence); the coder still evaluates such a node (a
    # veto, a role-restricted `not:`), so the prefilter must still code it alike.
    with mock.patch.object(codebook_module, "_codes_every_sentence", lambda rule: False):
        return parse_codebook(raw)


def _segments(texts, originals=None):
    n = len(texts)
    return pd.DataFrame({
        "segment_id": [f"d{i // 4}/a1/p{i // 2:03d}/s{i % 2 + 1:02d}" for i in range(n)],
        "doc_id": [f"d{i // 4}/a1" for i in range(n)],
        "paragraph_id": [f"d{i // 4}/a1/p{i // 2:03d}" for i in range(n)],
        "section": [str(i // 3) for i in range(n)],
        "role": [ROLES[i % 4] for i in range(n)],
        "is_heading": [i % 5 == 0 for i in range(n)],
        "text": texts,
        "text_orig": originals if originals is not None else texts,
    })  # fmt: skip


def _same(fast, slow):
    assert fast.long.to_csv(index=False) == slow.long.to_csv(index=False)
    pd.testing.assert_frame_equal(fast.long, slow.long)
    assert fast.units.equals(slow.units)
    assert (fast.matrix != slow.matrix).nnz == 0 and fast.matrix.shape == slow.matrix.shape


@pytest.mark.parametrize("unit", UNITS)
def test_crafted_segments_coded_identically(unit):
    cb = _codebook({f"X{i}": [raw] for i, raw in enumerate(EDGE_RULES)})
    texts = [*EDGE_TEXTS, None, float("nan"), "干部"]
    seg = _segments(texts)
    fast, slow = code_segments(seg, cb, unit), code_segments(seg, cb, unit, prefilter=False)
    _same(fast, slow)
    # A rule that is only a "not" codes units without terms or spans...
    not_only = fast.long[fast.long["code"] == "X3"]
    assert len(not_only) and (not_only["terms"] == "").all() and (not_only["spans"] == "").all()
    # ... but missing or empty text is never coded.
    if unit == "sentence":
        blank = seg["segment_id"][[EDGE_TEXTS.index(""), len(EDGE_TEXTS), len(EDGE_TEXTS) + 1]]
        assert set(blank).isdisjoint(fast.long["unit_id"])


def test_traditional_segments_are_coded_on_their_simplified_text(cb):
    originals = ["一些地方監督弱化,考核不力。", "切實加強監督考核。", "幹部聯繫群眾"]
    simplified = ["一些地方监督弱化,考核不力。", "切实加强监督考核。", "干部联系群众"]
    seg = _segments(simplified, originals)
    fast = code_segments(seg, cb)
    _same(fast, code_segments(seg, cb, prefilter=False))
    assert len(fast.long) and not fast.long["terms"].str.contains("監|幹|聯|眾").any()
    # The Traditional column alone is not matched.
    only_orig = _segments(["", "", ""], originals)
    assert code_segments(only_orig, cb).long.empty


@pytest.mark.parametrize("unit", ["sentence", "article"])
def test_seed_sentences_in_every_role_coded_identically(seeds, cb, unit):
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()[::3]
    texts, roles, headings = _frame(texts)
    seg = _segments(texts)
    seg["role"], seg["is_heading"] = roles, headings
    _same(code_segments(seg, cb, unit), code_segments(seg, cb, unit, prefilter=False))


def test_chunked_arrow_columns(seeds, cb):
    """Concatenated (or Parquet-read) frames hold Arrow columns in several chunks."""
    seg = seeds.analysis_segments()
    two = pd.concat([seg.iloc[:500], seg.iloc[500:]], ignore_index=True)
    for unit in ("sentence", "paragraph"):
        fast = code_segments(two, cb, unit)
        _same(fast, code_segments(two, cb, unit, prefilter=False))
        _same(fast, code_segments(seg, cb, unit))


# -- shortcuts of the scan: they must change nothing -------------------------------------

#: Branch patterns whose later literals rule out starts, and texts where they follow a
#: start too far, before it, in the next sentence or not at all.
NEEDS_RULES = [
    {"regex": "(同|与|和)[^。]{0,3}(现象|风)?斗争"},
    {"regex": "(同|与|和)[^。]{0,3}(现象|风)[^。]{0,2}斗争|和平"},
    {"regex": "(要|以.{1,3}为)"},
    {"regex": "对.{1,4}(进行)?监督|监督"},
    {"regex": "(?<!不)(解决|纠正)(?![^。]{0,4}问题)"},
    {"regex": "(对|和).*斗争"},
    {"regex": "^[（(][一二]+[）)][^。]{0,8}的"},  # searched where all its parts occur
]
NEEDS_TEXTS = [
    "和他斗争", "斗争和他", "和他们的那些斗争", "和", "斗争", "和。斗争", "同风斗争和与斗争",
    "和平与风气斗争", "以人为本以为", "以为", "对干部监督", "对干部的那些监督", "监督对",
    "不解决问题", "解决了这个问题", "纠正", "和他们一直以来的斗争", "同现象作斗争",
    "（一）干部的", "(二)的", "一的", "（的", "（一）干部", "的（一）", "（一二)作风的问题",
]  # fmt: skip


def test_branch_plans_know_what_follows_a_start():
    plan = regex_plan(re.compile("(同|与|和)[^。]{0,3}(现象|风)?斗争"))
    assert plan.kind == "branch" and plan.needs == ((("斗争",),),) and plan.widths == (8,)
    plan = regex_plan(re.compile("(要|以.{1,3}为)"))
    assert plan.needs == ((), (("为",),)) and plan.widths == (1, 5)
    assert regex_plan(re.compile("(对|和).*斗争")).widths == (None,)
    plan = regex_plan(re.compile("^[（(][一二]+[）)].*的"))
    assert plan.kind == "each" and plan.literals == ("的",)
    assert plan.requires == (("(", "（"), (")", "）"), ("一", "二"))


@pytest.mark.parametrize("checked", [0, prefilter.MIN_CHECKED])
@pytest.mark.parametrize("raw", NEEDS_RULES)
def test_branch_shortcuts_match_as_the_regex_engine(raw, checked, monkeypatch):
    monkeypatch.setattr(prefilter, "MIN_CHECKED", checked)  # 0: every start is checked
    rule = compile_rule(raw, cues=CUES)
    texts, roles, headings = _frame(NEEDS_TEXTS + EDGE_TEXTS)
    assert _all_at_once(rule, texts, roles, headings) == _one_by_one(rule, texts, roles, headings)


CHECKED = prefilter.MIN_CHECKED
RUN_PATTERNS = [".", "[一-鿿]", "[一-鿿]{4}", "[一-鿿]{2,3}", "[^。a]{2,}", "[ab]+?", "a{2,3}?",
                "[a-c一]{1,}", "[^干]", "x"]  # fmt: skip


@pytest.mark.parametrize("pattern", RUN_PATTERNS)
def test_class_runs_match_as_the_regex_engine(pattern):
    rule = compile_rule({"regex": pattern})
    texts = [*EDGE_TEXTS, "aaaaaaa", "干部群众a干部\n群众。干群关系", "。。a", "ab一二三四五六七"]
    texts, roles, headings = _frame(texts)
    assert _all_at_once(rule, texts, roles, headings) == _one_by_one(rule, texts, roles, headings)


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="和与斗争以为要a。\n一干𠀀（)的", max_size=14), max_size=6),
    pattern=st.sampled_from([r["regex"] for r in NEEDS_RULES] + RUN_PATTERNS),
)
def test_shortcuts_match_as_the_regex_engine_on_any_text(texts, pattern):
    prefilter.MIN_CHECKED = 0  # check every start, however few (restored below)
    rule = compile_rule({"regex": pattern})
    roles, headings = ["other"] * len(texts), [False] * len(texts)
    try:
        assert _all_at_once(rule, texts, roles, headings) == _one_by_one(
            rule, texts, roles, headings
        )
    finally:
        prefilter.MIN_CHECKED = CHECKED


def _holds_where_it_matches(rule, texts, roles, headings):
    """``holds`` (on a fresh scan: nothing cached) is ``match_all``'s ``ok``, also on a
    part of the sentences."""
    for part in (None, 3):
        scans = [Scan(texts, roles, headings, rule.literals()) for _ in range(2)]
        where = [s.valid if part is None else s.valid & (np.arange(len(texts)) % part != 1)
                 for s in scans]  # fmt: skip
        held = rule.holds(scans[0], where[0])
        assert held.tolist() == rule.match_all(scans[1], where[1]).ok.tolist()


@pytest.mark.parametrize(
    "raw", [*EDGE_RULES, *({"regex": p} for p in RUN_PATTERNS), *({"not": r} for r in EDGE_RULES)]
)
def test_holds_where_match_all_matches(raw):
    texts = [*EDGE_TEXTS, "aaaaaaa", "干部群众a干部\n群众。干群关系", "。。a"]
    _holds_where_it_matches(compile_rule(raw, cues=CUES), *_frame(texts))


def test_every_code_holds_where_it_matches(seeds, cb):
    texts = seeds.segments["text"].dropna().drop_duplicates().tolist()[::3] + EDGE_TEXTS
    texts, roles, headings = _frame(texts)
    for rule in [c.rule for c in cb.codes] + [y.unless for y in cb.yields if y.unless]:
        _holds_where_it_matches(rule, texts, roles, headings)
