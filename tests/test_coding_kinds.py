"""Kinds of document: told from a document's opening, named by rules, vetoing codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import config
from workbench.coding.codebook import CodebookError, load_codebook, parse_codebook
from workbench.coding.coder import code_segments
from workbench.coding.kinds import parse_kinds, segment_kinds
from workbench.coding.rules import RuleError, Sentence, compile_rule
from workbench.corpus import load_corpus
from workbench.yamlio import safe_load

DEV = config.ROOT.parent / "shared" / "corpus" / "dev"
REPORT = {"definition": "向代表大会所作的报告", "head": 3, "patterns": ["^各位代表[:：]?$"]}


def test_a_document_takes_the_first_kind_whose_cue_opens_it():
    kinds = parse_kinds(
        {"report": REPORT, "rule_text": {"definition": "条例", "head": 1, "patterns": ["条例$"]}},
        "cb.yaml",
        [],
    )
    seg = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b", "b", "c", "c", "c", "c"],
            "text": ["各位代表：", "要发展经济。", "条例", "信访条例", "第一条", "序", "一", "二",
                     "各位代表："],
        }
    )
    # a: the report cue in its first 3 rows (a later 条例 does not count: head 1);
    # b: its title; c: the cue comes after its first 3 rows, so it is plain text.
    assert segment_kinds(seg, kinds) == ["report"] * 3 + ["rule_text"] * 2 + ["text"] * 4
    assert segment_kinds(seg, ()) == ["text"] * 9
    assert segment_kinds(seg.iloc[:0], kinds) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"text": REPORT}, "an identifier other than 'text'"),
        ({"report": {**REPORT, "head": "3"}}, "needs a positive whole number"),
        ({"report": {**REPORT, "patterns": []}}, "needs a non-empty list of regexes"),
        ({"report": {**REPORT, "patterns": ["("]}}, "bad regular expression"),
        ({"report": {**REPORT, "cue": 1}}, "unknown key"),
        ([REPORT], "needs a mapping of kind names"),
    ],
)
def test_bad_kinds_are_named_in_the_errors(spec, message):
    errors: list[str] = []
    assert parse_kinds(spec, "cb.yaml", errors) == ()
    assert any(message in e and e.startswith("cb.yaml") for e in errors), errors


def test_rules_name_declared_kinds_only():
    rule = compile_rule({"any": ["要"], "kinds": ["report"]}, kinds=["report"])
    assert rule.match(Sentence("要发展经济", kind="report")) == [(0, 1, "要")]
    assert rule.match(Sentence("要发展经济")) is None
    plain = compile_rule({"any": ["要"], "kinds": ["text"]})
    assert plain.match(Sentence("要发展经济"))
    assert plain.match(Sentence("要", kind="report")) is None
    with pytest.raises(RuleError, match=r"rule\.kinds: unknown document kind\(s\) \['speech'\]"):
        compile_rule({"any": ["要"], "kinds": ["speech"]}, kinds=["report"])


def _mine() -> dict:
    """The template codebook with a report kind and a veto on its countermeasure codes."""
    from workbench.coding.codebook import TEMPLATE

    raw = safe_load(TEMPLATE.read_text(encoding="utf-8"))
    raw["document_kinds"] = {"report": REPORT}
    for code in raw["codes"]:
        if code["category"] == "countermeasure":
            code["unless"] = {"not": ["干部", "群众"], "kinds": ["report"]}
    return raw


def test_unless_vetoes_a_code_where_its_rule_matches():
    cb = parse_codebook(_mine(), "mine.yaml")
    demand = "必须加强监督。"
    assert [c.id for c in cb.match(demand)] == ["M_oversight"]
    assert cb.match(demand, kind="report") == []
    assert [c.id for c in cb.match("必须加强对干部的监督。", kind="report")] == ["M_oversight"]


def test_a_bad_unless_or_kind_is_a_clear_error():
    raw = _mine()
    raw["codes"][-1]["unless"] = {"not": ["干部"], "kinds": ["speech"]}
    with pytest.raises(CodebookError, match=r"field 'unless\.kinds': unknown document kind"):
        parse_codebook(raw, "mine.yaml")
    raw = _mine()
    raw["document_kinds"]["report"]["patterns"] = ["("]
    with pytest.raises(CodebookError) as err:
        parse_codebook(raw, "mine.yaml")
    # the bad cue is reported once; the rules naming its kind are not reported again
    assert len(err.value.errors) == 1 and "bad regular expression" in str(err.value)


def _report_file(tmp_path: Path) -> Path:
    """A short work report of the user's own: a salutation, macro policy, a cadre demand."""
    path = tmp_path / "my_report.txt"
    path.write_text(
        "各位代表：\n\n现在，我代表县人民政府，向大会报告工作，请予审议。\n\n"
        "今后五年，要深化行政审批制度改革，转变政府职能。\n\n"
        "各级干部要深入基层，密切联系群众，切实转变作风。\n",
        encoding="utf-8",
    )
    return path


def test_the_bundled_codebook_leaves_a_reports_macro_policy_uncoded(tmp_path):
    cb = load_codebook()
    corpus = load_corpus([str(_report_file(tmp_path))])
    seg = corpus.segments
    assert set(cb.segment_kinds(seg)) == {"report"}
    codes = code_segments(seg, cb).long.merge(
        seg[["segment_id", "text"]], left_on="unit_id", right_on="segment_id"
    )
    coded = codes.groupby("text")["code"].agg(set)
    assert not any(t.startswith("今后五年") for t in coded.index)  # macro policy
    assert {"M_style"} <= coded["各级干部要深入基层，密切联系群众，切实转变作风。"]
    # The same sentences in a text of no declared kind: the demand is coded.
    plain = code_segments(seg, cb, kinds=["text"] * len(seg)).long.merge(
        seg[["segment_id", "text"]], left_on="unit_id", right_on="segment_id"
    )
    assert any(t.startswith("今后五年") for t in plain["text"])
    with pytest.raises(ValueError, match="kinds: 1 values for"):
        code_segments(seg, cb, kinds=["text"])


def test_scan_and_sentence_by_sentence_agree_with_kinds(tmp_path):
    cb = load_codebook()
    seg = load_corpus([str(_report_file(tmp_path))]).segments
    fast = code_segments(seg, cb).long
    slow = code_segments(seg, cb, prefilter=False).long
    pd.testing.assert_frame_equal(fast, slow)


def test_the_seeds_are_plain_text_and_the_report_veto_only_removes_countermeasures(seeds):
    cb = load_codebook()
    seg = seeds.analysis_segments()
    assert set(cb.segment_kinds(seg)) == {"text"}
    assert [k.name for k in cb.kinds] == ["report", "petition_rules", "openness_rules"]
    with_kinds = code_segments(seg, cb).long
    as_reports = code_segments(seg, cb, kinds=["report"] * len(seg)).long
    # The veto only ever removes countermeasure codes, and only in reports.
    assert len(as_reports) < len(with_kinds)
    removed = with_kinds.merge(as_reports, how="left", indicator=True)
    assert set(removed.loc[removed["_merge"] == "left_only", "code"].str[0]) == {"M"}


@pytest.mark.skipif(not DEV.exists(), reason="../shared/corpus/dev not present")
def test_the_tune_parts_reports_and_regulations_are_told_by_their_openings():
    # The cues were written from the dev corpus's tune part only (data/gold/README.md).
    split = pd.read_csv(config.GOLD_DIR / "dev_split.csv")
    tune = split[split["part"] == "tune"]
    seg = load_corpus([str(DEV / f) for f in tune["file"]], skip_bad=True).segments
    seg["kind"] = load_codebook().segment_kinds(seg)
    kinds = seg.groupby("file")["kind"].agg(set)
    assert (kinds.map(len) == 1).all()
    told = kinds.map(min)
    assert sorted(told[told == "report"].index) == sorted(
        tune.loc[tune["genre"] == "work_reports", "file"]
    )
    assert told[told.str.endswith("_rules")].to_dict() == {
        "d34_reg2005_xinfang.md": "petition_rules",
        "d36_reg2018_shandong_village_affairs.md": "openness_rules",
    }


def test_a_petition_regulations_provisions_are_the_petition_system(tmp_path):
    path = tmp_path / "rules.md"
    path.write_text(
        "# 某市信访工作办法\n\n2020年3月1日 市人民政府常务会议通过\n\n"
        "第一章 总则\n\n第一条 为了规范本市工作，制定本办法。\n\n"
        "第二条 下列人员适用本办法：\n\n（一）行政机关及其工作人员；\n\n"
        "第三条 本办法自2020年5月1日起施行。\n",
        encoding="utf-8",
    )
    cb = load_codebook()
    seg = load_corpus([str(path)]).segments
    assert set(cb.segment_kinds(seg)) == {"petition_rules"}
    coded = code_segments(seg, cb).long.merge(
        seg[["segment_id", "text"]], left_on="unit_id", right_on="segment_id"
    ).groupby("text")["code"].agg(set)
    # Provisions that name no mechanism are coded from the regulation's subject ...
    assert {"M_system", "L_petition"} <= coded["（一）行政机关及其工作人员；"]
    # ... but not its title's line of adoption, chapter headings or commencement clause.
    assert not any(t.startswith(("2020年", "第一章", "第三条")) for t in coded.index)


def test_a_category_yields_to_others_in_a_sentence_without_its_cue():
    cb = load_codebook()
    [y] = cb.yields
    assert (y.category, y.to) == ("countermeasure", frozenset({"problem", "cause"}))
    # A stated fault whose topic is a countermeasure term: no countermeasure.
    fault = "一些干部学风不正，理论联系实际流于形式。"
    assert {c.category for c in cb.match(fault)} == {"problem"}
    # The same fault with a demand: both.
    demand = "一些干部学风不正，必须切实转变作风。"
    assert {"problem", "countermeasure"} <= {c.category for c in cb.match(demand)}


def test_yields_agree_sentence_by_sentence_and_scanned(tmp_path):
    path = tmp_path / "essay.txt"
    path.write_text(
        "一些干部学风不正，理论联系实际流于形式。\n\n一些干部学风不正，必须切实转变作风。\n\n"
        "要加强民主监督。\n",
        encoding="utf-8",
    )
    seg = load_corpus([str(path)]).segments
    cb = load_codebook()
    fast = code_segments(seg, cb).long
    pd.testing.assert_frame_equal(fast, code_segments(seg, cb, prefilter=False).long)
    by_text = fast.merge(seg[["segment_id", "text"]], left_on="unit_id", right_on="segment_id")
    cats = by_text.groupby("text")["category"].agg(set)
    assert cats["一些干部学风不正，理论联系实际流于形式。"] == {"problem"}
    assert cats["一些干部学风不正，必须切实转变作风。"] >= {"problem", "countermeasure"}
    assert cats["要加强民主监督。"] == {"countermeasure"}


def test_a_bad_yield_is_a_clear_error():
    raw = _mine()
    raw["yields"] = [{"category": "remedy", "to": ["problem"], "unless": {"regex": "("}}]
    with pytest.raises(CodebookError) as err:
        parse_codebook(raw, "mine.yaml")
    text = str(err.value)
    assert "yields[0].category': unknown category 'remedy'" in text
    assert "yields[0].unless.regex': bad regular expression" in text


def test_literal_search_never_skips_a_cue():
    texts = [
        *load_corpus().segments["text"].dropna().tolist(),
        "各位代表：", "向大会作报告", "2024年政府工作报告", "在第十次代表大会上的报告",
        "某市信访工作条例", "村务公开暂行办法", "各位代表", "大会",
    ]  # fmt: skip
    for kind in load_codebook().kinds:
        assert kind.found is not None, kind.name
        for t in texts:
            if kind.pattern.search(t):
                assert kind.found.search(t), (kind.name, t)
