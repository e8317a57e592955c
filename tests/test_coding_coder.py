"""Coding the seeds at every unit; traceability; coverage; frequencies."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.coding.codebook import TEMPLATE, load_codebook
from workbench.coding.coder import UNITS, code_segments, evidence
from workbench.coding.coverage import coverage, uncoded
from workbench.coding.frequencies import frequencies


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def sentence_coding(seeds, cb):
    return code_segments(seeds.analysis_segments(), cb, "sentence")


def test_long_table_and_matrix_agree(sentence_coding, seeds):
    res = sentence_coding
    assert list(res.long.columns) == ["unit_id", "code", "category", "terms", "spans"]
    assert res.matrix.shape == (len(seeds.analysis_segments()), len(res.codes))
    assert res.matrix.nnz == len(res.long)
    assert set(res.long["unit_id"]) <= set(seeds.analysis_segments()["segment_id"])


def test_spans_point_at_the_terms(sentence_coding, seeds):
    text = seeds.segments.set_index("segment_id")["text"]
    for r in sentence_coding.long.head(200).itertuples():
        assert (r.spans == "") == (r.terms == "")  # a condition quotes nothing at all
        for span in filter(None, r.spans.split("; ")):
            sid, _, pos = span.rpartition(":")
            start, end = map(int, pos.split("-"))
            assert text[sid][start:end] in r.terms.split("; ")


def test_evidence_quotes_original_script(sentence_coding, seeds):
    ev = evidence(sentence_coding, seeds.analysis_segments())
    trad = ev[ev["segment_id"].str.startswith("000_")]
    assert len(trad) and trad["quote_orig"].str.contains("監督|幹部|聯繫|群眾").any()


@pytest.mark.parametrize("unit", UNITS[1:])
def test_coarse_units_union_their_sentences(seeds, cb, sentence_coding, unit):
    res = code_segments(seeds.analysis_segments(), cb, unit)
    seg_of = res.units.set_index("unit_id")["segment_ids"].str.split(" ")
    sent = sentence_coding.long.groupby("unit_id")["code"].agg(set)
    for uid, codes in res.long.groupby("unit_id")["code"].agg(set).items():
        expected = set().union(*(sent.get(s, set()) for s in seg_of[uid]))
        assert codes == expected
    assert len(res.units) < len(sentence_coding.units)


def test_category_without_codes_is_zero_not_an_error(seeds):
    # The starting codebook (`workbench codebook new`) declares categories it has no codes for.
    starter = load_codebook(TEMPLATE)
    empty = [cat for cat in starter.categories
             if not any(c.category == cat for c in starter.codes)]  # fmt: skip
    assert empty
    res = code_segments(seeds.analysis_segments(), starter, "sentence")
    cats = res.categories(starter)
    assert list(cats.columns) == list(starter.categories)
    assert (cats[empty] == 0).all().all() and cats.dtypes.eq("int64").all()
    assert set(coverage(res, seeds.analysis_segments(), starter)["role"]) == {
        "problem", "cause", "countermeasure"}


def test_heading_coverage_on_seeds(seeds, cb, sentence_coding):
    seg = seeds.analysis_segments()
    cov = coverage(sentence_coding, seg, cb, headings_only=True).set_index("role")
    assert cov.loc["problem", "share"] >= 0.9
    assert cov.loc["cause", "share"] >= 0.9
    left = uncoded(sentence_coding, seg, cb, headings_only=True)
    n_missing = (cov["units"] - cov["coded"]).sum()
    assert len(left) == n_missing  # every uncoded unit is listed, none dropped


def test_frequencies_by_role_and_file(seeds, cb, sentence_coding):
    f = frequencies(sentence_coding, cb, seeds.documents, by="role", level="category", lang="en")
    assert set(f["label"]) == {"Problem", "Cause", "Countermeasure", "Liaison mechanism"}
    assert f["units"].sum() == int(sentence_coding.categories(cb).to_numpy().sum())
    by_file = frequencies(sentence_coding, cb, seeds.documents, by="file")
    assert by_file["file"].nunique() == 5 and len(by_file) == 5 * len(cb.codes)
    with pytest.raises(KeyError):
        frequencies(sentence_coding, cb, seeds.documents, by="nope")


def test_deterministic(seeds, cb, sentence_coding):
    again = code_segments(seeds.analysis_segments(), cb)
    assert again.long.equals(sentence_coding.long)


def test_a_codebook_of_ones_own_codes_into_its_categories(seeds, tmp_path):
    import copy

    import yaml
    from own_codebook import OWN_CATEGORIES, OWN_CODEBOOK, write_own_codebook

    from workbench.coding.codebook import parse_codebook

    own = load_codebook(write_own_codebook(tmp_path))
    seg = seeds.analysis_segments()
    for unit in ("sentence", "paragraph"):
        res = code_segments(seg, own, unit)
        cats = res.categories(own)
        assert tuple(cats.columns) == OWN_CATEGORIES
        assert (cats.sum() > 0).all(), cats.sum()  # every category is coded in the seeds
        assert set(res.long["category"]) == set(OWN_CATEGORIES)
        of = {c.id: c.category for c in own.codes}
        assert (res.long["code"].map(of) == res.long["category"]).all()
    f = frequencies(res, own, seeds.documents, level="category", lang="en")
    assert set(f["category"]) == set(OWN_CATEGORIES) and "Grievance" in set(f["label"])
    # coverage: a section's matching category is the one playing its role
    sentences = code_segments(seg, own, "sentence")
    cov = coverage(sentences, seg, own).set_index("role")
    problem = seg.loc[seg["role"] == "problem", "segment_id"]
    assert cov.at["problem", "coded"] == int(sentences.categories(own).loc[problem,
                                                                          "grievance"].sum())
    assert set(uncoded(sentences, seg, own)["role"]) <= {"problem", "cause", "countermeasure"}
    # a codebook whose categories play no cause part: no share for cause sections
    raw = yaml.safe_load(OWN_CODEBOOK)
    raw["categories"]["explanation"]["part"] = "none"
    partless = parse_codebook(copy.deepcopy(raw), "partless.yaml")
    res = code_segments(seg, partless, "sentence")
    cov = coverage(res, seg, partless).set_index("role")
    assert cov.at["cause", "coded"] == 0 and cov["share"].isna()["cause"]
    assert cov.at["cause", "category"] == "" and cov.at["problem", "category"] == "grievance"
    assert cov["share"].notna()["problem"]
    assert "cause" not in set(uncoded(res, seg, partless)["role"])


def test_condition_rules_quote_nothing_as_evidence():
    # "Any sentence of a cause section" is a condition of C_attribution and C_other
    # (quote: false): the heading's evidence is its causal word, not each of its characters.
    cb = load_codebook()
    seg = pd.DataFrame({
        "segment_id": ["a/a1/p001/s01", "a/a1/p002/s01"], "doc_id": ["a/a1"] * 2,
        "paragraph_id": ["a/a1/p001", "a/a1/p002"], "section": ["2", "2"],
        "role": ["cause", "cause"], "is_heading": [True, False],
        "text": ["二、原因分析", "有的同志长期坐在机关里面。"],
        "text_orig": ["二、原因分析", "有的同志长期坐在机关里面。"],
    })  # fmt: skip
    coding = code_segments(seg, cb)
    terms = coding.long.set_index(["unit_id", "code"])["terms"].to_dict()
    assert terms[("a/a1/p001/s01", "C_attribution")] == "原因"
    # A body sentence of a cause section is a cause statement (C_other) with no term to quote:
    # coded, and left out of the evidence table rather than quoted character by character.
    assert terms[("a/a1/p002/s01", "C_other")] == ""
    ev = evidence(coding, seg)
    assert not ((ev["unit_id"] == "a/a1/p002/s01") & (ev["code"] == "C_other")).any()
    assert set(ev.loc[ev["code"] == "C_attribution", "quote"]) == {"原因"}


def test_coding_shows_counts_in_a_notebook_not_its_tables(sentence_coding, seeds, cb):
    # The dataclass's default repr printed the long table, the matrix and the units.
    res = sentence_coding
    coded = res.long["unit_id"].nunique()
    assert repr(res) == (
        f"Coding: {len(res.units)} sentence units x {len(cb.ids)} codes, {coded} units coded, "
        f"{len(res.long)} codes assigned"
    )
    paragraphs = code_segments(seeds.analysis_segments(), cb, "paragraph")
    assert repr(paragraphs).startswith(f"Coding: {len(paragraphs.units)} paragraph units x ")


def test_a_wrong_argument_to_the_coder_says_what_to_pass(seeds, cb, sentence_coding):
    # Each failed inside with an error naming nothing the user typed: "'str' object has
    # no attribute 'kinds'", KeyError 'segment_id', "'Coding' object has no attribute
    # 'set_index'", a pandas KeyError for another codebook's codes.
    segs = seeds.analysis_segments()
    with pytest.raises(TypeError, match=r"load it first, load_codebook\('my.yaml'\)"):
        code_segments(segs, "my.yaml")
    with pytest.raises(ValueError, match="segments lacks the columns segment_id, paragraph_id"):
        code_segments(seeds.documents, cb)
    with pytest.raises(ValueError, match=r"not 'paragraf' \(did you mean 'paragraph'\?\)"):
        code_segments(segs, cb, "paragraf")
    with pytest.raises(TypeError, match=r"coding must be a Coding .*not DataFrame"):
        evidence(segs, sentence_coding)
    with pytest.raises(TypeError, match="codebook must be a Codebook, not str"):
        sentence_coding.categories("codebook.yaml")
    with pytest.raises(ValueError, match="pass the codebook the coding was made with"):
        sentence_coding.categories(load_codebook(TEMPLATE))
