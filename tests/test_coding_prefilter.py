"""The multi-pattern prefilter changes nothing: same tables with and without it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from workbench.coding.codebook import load_codebook
from workbench.coding.coder import UNITS, code_segments
from workbench.coding.prefilter import Prefilter
from workbench.coding.rules import ROLES, Cues, Sentence, compile_rule, regex_triggers


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
