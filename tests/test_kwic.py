"""Tests for workbench.kwic on sentences built from the seed corpus."""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pytest

from workbench import config
from workbench.kwic import KWIC_COLUMNS, kwic
from workbench.script import to_simplified

# Split after a sentence-final mark, keeping the mark with its sentence.
SENTENCE_END = re.compile(r"(?<=[。！？])")


@cache
def _segments() -> pd.DataFrame:
    rows = []
    for path in sorted(config.SEEDS_DIR.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for line_no, line in enumerate(lines, 1):
            sentences = [s for s in SENTENCE_END.split(line) if s.strip()]
            for k, orig in enumerate(sentences, 1):
                rows.append((f"{path.name[:3]}:{line_no:03d}:{k:02d}", orig))
    seg = pd.DataFrame(rows, columns=["segment_id", "text_orig"])
    seg["text"] = seg["text_orig"].map(to_simplified)
    return seg


@pytest.fixture
def segments() -> pd.DataFrame:
    return _segments().copy()


def test_columns_and_order(segments):
    hits = kwic(segments, "干群关系")
    assert tuple(hits.columns) == KWIC_COLUMNS
    order = {sid: k for k, sid in enumerate(segments["segment_id"])}
    positions = [order[s] for s in hits["segment_id"]]
    assert positions == sorted(positions)  # within-segment order: see below
    assert (hits["match"] == "干群关系").all()
    assert (hits["term"] == "干群关系").all()


def test_finds_term_in_traditional_and_simplified_seeds(segments):
    hits = kwic(segments, "干群关系")
    files = hits["segment_id"].str[:3]
    assert {"002", "004"} <= set(files)
    # 002 is Traditional: the quoted sentence keeps its original script.
    trad = hits[files == "002"]
    assert trad["text_orig"].str.contains("干群關系").any()
    assert not trad["text_orig"].str.contains("干群关系").any()
    first = trad.iloc[0]
    assert first["segment_id"] == "002:001:01"
    assert first["text_orig"] == "第一篇:如何改善干群關系"
    assert (first["left"], first["right"]) == ("第一篇:如何改善", "")


def test_every_match_is_in_its_sentence(segments):
    hits = kwic(segments, "干群关系", width=6)
    text = segments.set_index("segment_id")["text"]
    for row in hits.itertuples(index=False):
        assert row.left + row.match + row.right in text[row.segment_id]
    # Total equals a plain count over the Simplified sentences.
    assert len(hits) == segments["text"].str.count("干群关系").sum()


def test_traditional_query_is_converted(segments):
    simp = kwic(segments, "干群关系")
    trad = kwic(segments, "幹群關係")
    pd.testing.assert_frame_equal(simp, trad)


def test_context_width(segments):
    for width in (0, 3, 15):
        hits = kwic(segments, "干群关系", width=width)
        assert hits["left"].str.len().max() == width
        assert hits["right"].str.len().max() == width
    narrow = kwic(segments, "干群关系", width=3)
    wide = kwic(segments, "干群关系", width=15)
    assert all(w.endswith(n) for n, w in zip(narrow["left"], wide["left"], strict=True))
    assert all(w.startswith(n) for n, w in zip(narrow["right"], wide["right"], strict=True))


def test_positions_within_segment_ascend():
    seg = pd.DataFrame(
        {"segment_id": ["x"], "text": ["干群关系好,党群关系好,干群关系"], "text_orig": ["原文"]}
    )
    hits = kwic(seg, re.compile("(干群|党群)关系"), width=2)
    assert hits["match"].tolist() == ["干群关系", "党群关系", "干群关系"]
    assert hits["left"].tolist() == ["", "好,", "好,"]
    assert hits["right"].tolist() == ["好,", "好,", ""]
    assert hits["term"].unique().tolist() == ["(干群|党群)关系"]


def test_regex_on_seeds(segments):
    hits = kwic(segments, re.compile("(党群|干群)关系"))
    assert set(hits["match"]) == {"党群关系", "干群关系"}
    plain = len(kwic(segments, "干群关系")) + len(kwic(segments, "党群关系"))
    assert len(hits) == plain


def test_no_match_gives_empty_frame_with_columns(segments):
    hits = kwic(segments, "不存在的词语")
    assert hits.empty
    assert tuple(hits.columns) == KWIC_COLUMNS
    assert hits["segment_id"].dtype == segments["segment_id"].dtype


def test_custom_columns_and_missing_text():
    seg = pd.DataFrame({"sid": [1, 2], "body": ["联系群众", None], "orig": ["聯繫群眾", None]})
    hits = kwic(seg, "群众", text_col="body", orig_col="orig", id_col="sid", width=2)
    assert hits.to_dict("records") == [
        {
            "term": "群众",
            "left": "联系",
            "match": "群众",
            "right": "",
            "segment_id": 1,
            "text_orig": "聯繫群眾",
        }
    ]


def test_zero_width_matches_are_skipped():
    seg = pd.DataFrame({"segment_id": ["a"], "text": ["群众"], "text_orig": ["群眾"]})
    assert kwic(seg, re.compile("x*")).empty


def test_invalid_arguments(segments):
    with pytest.raises(ValueError):
        kwic(segments, "")
    with pytest.raises(ValueError):
        kwic(segments, "干群关系", width=-1)
