"""The rule language on small texts."""

from __future__ import annotations

import pytest

from workbench.coding.rules import Cues, RuleError, Sentence, compile_rule

CUES = Cues(negative=("不力", "缺乏"), prescriptive=("加强",), window=4)


def m(rule, text, role="other", heading=False):
    return compile_rule(rule, cues=CUES, sets={"liaison": ["走访", "谈心"]}).match(
        Sentence(text, role, heading)
    )


def test_any_all_not():
    assert m({"any": ["走访", "谈心"]}, "常走访") == [(1, 3, "走访")]
    assert m({"all": ["走访", "谈心"]}, "常走访") is None
    assert m({"all": ["走访", "谈心"]}, "走访谈心") == [(0, 2, "走访"), (2, 4, "谈心")]
    assert m({"all": [{"any": ["走访", "谈心"]}, {"not": "不"}]}, "走访") == [(0, 2, "走访")]
    assert m({"not": "走访"}, "走访") is None
    assert m(["走访", "谈心"], "谈心") == [(0, 2, "谈心")]


def test_traditional_terms_are_simplified():
    assert m("幹部", "干部联系群众") == [(0, 2, "干部")]


def test_regex_and_set():
    assert m({"regex": "问题[一二三]:"}, "问题二:文山会海") == [(0, 4, "问题二:")]
    assert m({"set": "liaison"}, "谈心") == [(0, 2, "谈心")]


def test_near_within_and_ordered():
    rule = {"near": ["干部", "群众"], "within": 2}
    assert m(rule, "干部联系群众") == [(0, 2, "干部"), (4, 6, "群众")]
    assert m(rule, "干部经常主动联系群众") is None
    ordered = {"near": ["群众", "干部"], "within": 5, "ordered": True}
    assert m(ordered, "干部联系群众") is None


def test_roles_heading_polarity():
    assert m({"any": ["监督"], "roles": ["problem"]}, "监督", role="cause") is None
    assert m({"any": ["监督"], "heading": True}, "监督", heading=False) is None
    neg = {"any": ["监督"], "polarity": "negative"}
    assert m(neg, "监督不力") and m(neg, "缺乏监督")
    assert m(neg, "加强监督") is None
    pre = {"any": ["监督"], "polarity": "prescriptive"}
    assert m(pre, "加强监督") and m(pre, "监督不力") is None


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"regex": "("}, "rule.regex"),
        ({"any": []}, "rule.any"),
        ({"near": ["a"], "within": 2}, "rule.near"),
        ({"near": ["a", "b"]}, "rule.within"),
        ({"any": ["a"], "polarity": "sad"}, "rule.polarity"),
        ({"any": ["a"], "roles": ["x"]}, "rule.roles"),
        ({"any": ["a"], "foo": 1}, "rule"),
        ({"any": ["a"], "all": ["b"]}, "rule"),
        ({"any": [""]}, "rule.any[0]"),
        ({"any": ["a"], "quote": "no"}, "rule.quote"),
    ],
)
def test_bad_rules_name_the_path(rule, path):
    with pytest.raises(RuleError) as err:
        compile_rule(rule)
    assert err.value.path == path
