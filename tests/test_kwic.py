"""Tests for workbench.kwic on sentences built from the seed corpus."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from workbench import config
from workbench.cli import main
from workbench.corpus.script import to_simplified
from workbench.kwic import KWIC_COLUMNS, Alignment, kwic
from workbench.provenance import read_record

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
    assert (first["left_orig"], first["match_orig"], first["right_orig"]) == (
        "第一篇:如何改善", "干群關系", "")


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
            "left_orig": "聯繫",
            "match_orig": "群眾",
            "right_orig": "",
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


# ------------------------------------------------------- context in the original script


def test_original_context_on_the_traditional_seed(segments):
    hits = kwic(segments, "群众", width=8)
    trad = hits[hits["segment_id"].str.startswith("002")]
    assert len(trad) > 10
    # The match and its context in the original script: 群眾, and Traditional context.
    assert (trad["match_orig"] == "群眾").all()
    assert trad["left_orig"].str.contains("|".join("當們為關實議論導")).any()
    assert (trad["left_orig"] != trad["left"]).any()
    for row in hits.itertuples(index=False):
        quote = row.left_orig + row.match_orig + row.right_orig
        assert quote in row.text_orig
        # t2s keeps lengths: each part as long as its Simplified twin, and the same text
        # once converted character by character.
        for simple, orig in ((row.left, row.left_orig), (row.match, row.match_orig),
                             (row.right, row.right_orig)):  # fmt: skip
            assert len(simple) == len(orig)
            assert "".join(to_simplified(c) for c in orig) == simple


def test_original_context_offsets_on_a_traditional_sentence():
    orig = "「幹群關係」是關鍵,聯繫群眾、服務群眾"
    seg = pd.DataFrame({"segment_id": ["t"], "text_orig": [orig], "text": [to_simplified(orig)]})
    hits = kwic(seg, "群众", width=3)
    assert hits[["left_orig", "match_orig", "right_orig"]].values.tolist() == [
        [",聯繫", "群眾", "、服務"], ["、服務", "群眾", ""]]
    quoted = kwic(seg, "干群关系", width=1)
    assert quoted[["left_orig", "match_orig", "right_orig"]].values.tolist() == [
        ["「", "幹群關係", "」"]]


def _length_changing() -> pd.DataFrame:
    """A Taiwan text and its Simplified form by OpenCC's ``tw2sp`` (記憶體 → 内存: 3 → 2)."""
    import opencc

    orig = "「提升電腦的記憶體」與群眾的聯繫"
    simple = opencc.OpenCC("tw2sp").convert(orig)
    assert simple == "「提升电脑的内存」与群众的联系"  # one character shorter
    return pd.DataFrame({"segment_id": ["tw"], "text": [simple], "text_orig": [orig]})


def _orig(row: pd.Series) -> tuple[str, str, str]:
    return row["left_orig"], row["match_orig"], row["right_orig"]


def test_original_context_when_the_conversion_changes_length():
    seg = _length_changing()
    hits = kwic(seg, "群众", width=4)
    row = hits.iloc[0]
    assert (row["left"], row["match"], row["right"]) == ("内存」与", "群众", "的联系")
    assert _orig(row) == ("記憶體」與", "群眾", "的聯繫")
    # A match on the changed phrase, or on a part of it, quotes the whole original phrase.
    whole = kwic(seg, "内存", width=3).iloc[0]
    assert _orig(whole) == ("電腦的", "記憶體", "」與群")
    part = kwic(seg, "存", width=0).iloc[0]
    assert _orig(part) == ("", "記憶體", "")
    # Context that starts inside the changed phrase takes all of it.
    inside = kwic(seg, "群众", width=3).iloc[0]
    assert inside["left"] == "存」与"
    assert inside["left_orig"] == "記憶體」與"


def test_original_characters_without_a_counterpart_go_to_the_context():
    # A Simplified text made by another tool, which dropped the enumeration comma.
    seg = pd.DataFrame({"segment_id": ["x"], "text": ["群众干部"], "text_orig": ["群眾、幹部"]})
    first, second = kwic(seg, re.compile("群众|干部"), width=2).itertuples(index=False)
    assert (first.match_orig, first.right_orig) == ("群眾", "、幹部")
    assert (second.left_orig, second.match_orig) == ("群眾、", "幹部")


def test_alignment_spans_cover_the_original_in_order():
    seg = _length_changing()
    orig, simple = seg.at[0, "text_orig"], seg.at[0, "text"]
    align = Alignment(orig, simple)
    starts = [align.span(k, k + 1)[0] for k in range(len(simple))]
    ends = [align.span(k, k + 1)[1] for k in range(len(simple))]
    assert starts == sorted(starts) and ends == sorted(ends)
    assert starts[0] == 0 and ends[-1] == len(orig)
    assert Alignment("幹部", "干部").identity


def test_missing_original_text_gives_missing_original_context():
    seg = pd.DataFrame({"segment_id": ["a"], "text": ["联系群众"], "text_orig": [None]})
    hits = kwic(seg, "群众")
    assert hits[["left_orig", "match_orig", "right_orig"]].isna().all().all()
    assert hits.at[0, "left"] == "联系"


# ------------------------------------------------------------------ workbench kwic


def _segments_table(tmp_path) -> Path:
    """A segments table as `workbench corpus build` writes it, of one Traditional text."""
    from workbench.corpus import load_corpus
    from workbench.provenance import make_record, write_parquet

    src = tmp_path / "trad.txt"
    text = "「幹群關係」是關鍵,要聯繫群眾、服務群眾。\n密切聯繫群眾是黨的優良作風。\n"
    src.write_text(text, encoding="utf-8")
    corpus = load_corpus([str(src)])
    out = tmp_path / "seg.parquet"
    write_parquet(corpus.segments, out, make_record(corpus.checksums(), {}))
    return out


def test_cli_kwic_json_out_and_provenance(tmp_path, capsys):
    seg = _segments_table(tmp_path)
    out = tmp_path / "hits.csv"
    argv = ["kwic", "--corpus", str(seg), "--term", "群眾", "--window", "3", "--json",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["command"] == "kwic" and summary["rows"] == 3
    record = summary["provenance"]
    assert record == read_record(out)
    assert record["parameters"] == {"corpus": config.display_path(seg), "dedup": True,
                                    "regex": False, "term": "群眾", "window": 3}  # fmt: skip
    assert config.display_path(seg.resolve()) in record["inputs"]
    rows = [(r["left_orig"], r["match_orig"], r["right_orig"]) for r in summary["results"]]
    assert rows == [("要聯繫", "群眾", "、服務"), ("、服務", "群眾", "。"),
                    ("切聯繫", "群眾", "是黨的")]  # fmt: skip
    assert all(r["match"] == "群众" and r["term"] == "群众" for r in summary["results"])
    table = pd.read_csv(out)
    assert tuple(table.columns) == KWIC_COLUMNS and len(table) == 3


def test_cli_kwic_prints_the_original_script(tmp_path, capsys):
    seg = _segments_table(tmp_path)
    assert main(["kwic", "--corpus", str(seg), "--term", "干群关系", "--window", "2"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("「【幹群關係】」是\t") and line.endswith("/p001/s01")
    assert main(["kwic", "--corpus", str(seg), "--term", "(干群|党群)关系", "--regex",
                 "--json", "--top", "1"]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 1 and summary["results"][0]["match_orig"] == "幹群關係"


def test_cli_kwic_user_mistakes_exit_2(tmp_path, capsys):
    seg = _segments_table(tmp_path)
    for argv, message in [
        (["kwic", "--corpus", str(seg), "--term", "群众", "--window", "-1"], "--window"),
        (["kwic", "--corpus", str(seg), "--term", "(群众", "--regex"], "not a regular expression"),
        (["kwic", "--corpus", str(tmp_path / "none.parquet"), "--term", "群众"], "none.parquet"),
        (["kwic", "--term", "群众", "--out", str(tmp_path / "x.xlsx")], "unknown format"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_cli_kwic_regex_in_traditional_is_noted(tmp_path, capsys):
    """A literal term is converted, a regex is not: 幹群關係 as a regex found nothing,
    and the note only said the term occurs nowhere."""
    seg = _segments_table(tmp_path)
    assert main(["kwic", "--corpus", str(seg), "--term", "幹群關[系係]", "--regex"]) == 0
    err = capsys.readouterr().err
    assert "has Traditional characters (幹 → 干, 關 → 关)" in err and "write the regex" in err
    assert main(["kwic", "--corpus", str(seg), "--term", "干群关[系係]", "--regex"]) == 0
    out = capsys.readouterr()
    assert "Traditional" not in out.err and "【幹群關係】" in out.out


def test_cli_kwic_says_why_a_term_has_no_hit(tmp_path, capsys):
    """'interviewer' in a corpus that writes Interviewer, and the regex 'x*' (which
    matches only empty stretches, all skipped): both were 'occurs nowhere in the corpus'."""
    from workbench.corpus import load_corpus
    from workbench.provenance import make_record, write_parquet

    src = tmp_path / "interview.txt"
    src.write_text("Interviewer: 你觉得村干部怎么样？\nInterviewer: 你去信访过吗？\n",
                   encoding="utf-8")  # fmt: skip
    corpus = load_corpus([str(src)])
    seg = tmp_path / "seg.parquet"
    write_parquet(corpus.segments, seg, make_record(corpus.checksums(), {}))
    assert main(["kwic", "--corpus", str(seg), "--term", "interviewer"]) == 0
    err = capsys.readouterr().err
    assert ("'interviewer' occurs nowhere as written, but 2 time(s) in another case "
            "('Interviewer'): a term matches case by case") in err
    assert main(["kwic", "--corpus", str(seg), "--term", "干部x*", "--regex"]) == 0
    out = capsys.readouterr()
    assert "【干部】" in out.out  # a pattern that matches text is unaffected
    assert main(["kwic", "--corpus", str(seg), "--term", "x*", "--regex"]) == 0
    err = capsys.readouterr().err
    assert "--regex 'x*' matches only empty stretches here" in err and "e.g. x+" in err
    assert main(["kwic", "--corpus", str(seg), "--term", "群众"]) == 0
    assert "'群众' occurs nowhere in the corpus" in capsys.readouterr().err


def test_choose_term_keeps_the_preferred_term_where_the_corpus_has_it(seeds):
    from workbench.coding.codebook import load_codebook
    from workbench.kwic import choose_term, term_hits

    seg = seeds.analysis_segments()
    term, how = choose_term(seg, "走马观花", load_codebook().terms())
    assert (
        term == "走马观花"
        and how == f"走马观花: {len(kwic(seg, '走马观花'))} hit(s) in this corpus."
    )
    # hits are counted as kwic counts them, whichever script the term is written in
    for t in ("群众", "幹群關係", "村务公开"):
        assert term_hits(seg, [t]).iloc[0] == len(kwic(seg, t))


def test_choose_term_takes_the_codebook_term_a_corpus_has_most(tmp_path):
    from workbench.coding.codebook import load_codebook
    from workbench.corpus import load_corpus
    from workbench.kwic import choose_term

    (tmp_path / "笔记.txt").write_text(
        "村里推行村务公开已经三年。\n村务公开栏每月更新一次。\n干部要多听群众意见，村务公开要落到实处。\n",
        encoding="utf-8",
    )
    seg = load_corpus([str(tmp_path)]).analysis_segments()
    terms = load_codebook().terms()
    term, how = choose_term(seg, "走马观花", terms)
    assert term == "村务公开" and len(kwic(seg, term)) == 3
    assert how.startswith("走马观花 does not occur in this corpus; shown instead: 村务公开")
    assert choose_term(seg, "走马观花", terms) == (term, how)  # the same each run

    (tmp_path / "笔记.txt").write_text("hi\n", encoding="utf-8")
    none, why = choose_term(load_corpus([str(tmp_path)]).analysis_segments(), "走马观花", terms)
    assert none is None and "no keyword in context to show" in why
