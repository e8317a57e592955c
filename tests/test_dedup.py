"""Tests for workbench.dedup on the seed corpus and on synthetic units."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import config, dedup
from workbench.dedup import containment, find_duplicates, normalise_for_matching
from workbench.script import to_simplified

ESSAY = "000_688e36ac7d55ccc2.txt"  # Traditional; body (lines 2-30) repeated as lines 31-59
COMPILATION = "004_09331bca989b350a.txt"  # Simplified; piece 5 (lines 150-179) is ESSAY
PIECE5_MARKER = "【第五篇】"


def seed_lines(name: str) -> list[tuple[int, str]]:
    """(1-based line number, text) for the non-blank lines of a seed file."""
    lines = (config.SEEDS_DIR / name).read_text(encoding="utf-8").split("\n")
    return [(n, line) for n, line in enumerate(lines, 1) if line.strip()]


def units_for(*names: str) -> pd.DataFrame:
    rows = [(f"{name[:3]}:{n:03d}", text) for name in names for n, text in seed_lines(name)]
    return pd.DataFrame(rows, columns=["id", "text"])


def line_no(unit_id: str) -> int:
    return int(unit_id.split(":")[1])


def piece5_start() -> int:
    """Line number of the first line after the 【第五篇】 heading in 004."""
    (marker,) = [n for n, text in seed_lines(COMPILATION) if PIECE5_MARKER in text]
    return marker + 1


def long_enough(text: str) -> bool:
    return len(normalise_for_matching(text)) >= 12


# --- normalisation and containment -------------------------------------------------


def test_normalise_drops_punctuation_digits_bullets_and_unifies_script():
    assert normalise_for_matching("1.密切聯繫群眾，「怎麼聯繫」?") == "密切联系群众怎么联系"
    assert normalise_for_matching("① 一、Ｃadre  Ｍasses！") == "一cadremasses"
    assert normalise_for_matching("   \n") == ""


def test_normalise_traditional_equals_simplified_on_seed_heading():
    trad = dict(seed_lines(ESSAY))[2]  # 一、當前密切聯繫群眾工作存在的主要問題
    simp = dict(seed_lines(COMPILATION))[piece5_start() + 1]
    assert normalise_for_matching(trad) == normalise_for_matching(simp)


def test_containment_piece_inside_longer_text():
    essay = "\n".join(text for _, text in seed_lines(ESSAY))
    piece5 = "\n".join(text for n, text in seed_lines(COMPILATION) if n >= piece5_start())
    whole_004 = "\n".join(text for _, text in seed_lines(COMPILATION))
    assert containment(piece5, essay) >= 0.98
    # Most of 004 is other pieces, so little of it is found in the essay ...
    assert containment(whole_004, essay) < 0.5
    # ... while the essay is almost entirely found inside 004.
    assert containment(essay, whole_004) >= 0.98
    assert containment("", essay) == 0.0


# --- seeds -----------------------------------------------------------------------


def test_internal_repeat_in_000_is_found_as_exact_duplicates():
    dups = find_duplicates(units_for(ESSAY))
    # Lines 31-59 repeat lines 2-30; line 40 "二、原因和難點分析" (8 letters) is too
    # short to match, so 28 of the 29 repeated lines are reported.
    assert len(dups) == 28
    assert set(dups["kind"]) == {"exact"}
    assert (dups["similarity"] == 1.0).all()
    assert [line_no(i) for i in dups["id"]] == [n for n in range(31, 60) if n != 40]
    assert all(
        line_no(i) - line_no(d) == 29 for i, d in zip(dups["id"], dups["dup_of"], strict=True)
    )


def test_piece5_of_004_matches_000_across_scripts():
    units = units_for(ESSAY, COMPILATION)
    dups = find_duplicates(units)
    start = piece5_start()
    piece = [(n, text) for n, text in seed_lines(COMPILATION) if n >= start]
    long_ids = {f"004:{n:03d}" for n, text in piece if long_enough(text)}
    assert len(piece) == 30 and len(long_ids) == 29

    hits = dups[dups["id"].isin(long_ids)]
    assert len(hits) / len(long_ids) >= 0.9
    # Verified by reading: every long paragraph matches, pointing to the *first*
    # copy in 000 (line offset 149), never to the repeat at lines 31-59.
    assert len(hits) == 29
    assert all(d.startswith("000:") for d in hits["dup_of"])
    assert all(
        line_no(i) - line_no(d) == 149 for i, d in zip(hits["id"], hits["dup_of"], strict=True)
    )
    # 24 are exact after normalisation; 5 differ slightly (著/着 kept apart by
    # OpenCC, and words such as 实践 or 改革 added in the 004 copy).
    assert (hits["kind"] == "exact").sum() == 24
    near = hits[hits["kind"] == "near"]
    assert len(near) == 5
    assert near["similarity"].between(0.9, 1.0, inclusive="left").all()


def test_piece5_matches_after_explicit_to_simplified():
    units = units_for(ESSAY, COMPILATION)
    units["text"] = units["text"].map(to_simplified)
    dups = find_duplicates(units)
    start = piece5_start()
    ids = dups["id"].map(line_no)
    assert ((dups["id"].str.startswith("004:")) & (ids >= start)).sum() == 29


def test_no_false_positives_in_distinct_seeds():
    dups = find_duplicates(units_for("001_74e1782f8eca611a.txt", "003_8128e1cef60075aa.txt"))
    assert dups.empty
    assert list(dups.columns) == list(dedup.DUPLICATE_COLUMNS)


def test_output_sorted_by_input_order_on_whole_seed_corpus():
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    dups = find_duplicates(units)
    order = {uid: k for k, uid in enumerate(units["id"])}
    positions = [order[i] for i in dups["id"]]
    assert positions == sorted(positions)
    assert all(order[d] < order[i] for i, d in zip(dups["id"], dups["dup_of"], strict=True))
    # Determinism: same input, same output.
    pd.testing.assert_frame_equal(dups, find_duplicates(units))


# --- synthetic cases -------------------------------------------------------------


def distinct_text(length: int, offset: int = 0) -> str:
    """CJK text of ``length`` distinct characters (so every 5-gram is unique)."""
    return "".join(chr(0x4E00 + offset + 37 * i) for i in range(length))


def replace_at(text: str, pos: int, char: str = "〇") -> str:
    return text[:pos] + char + text[pos + 1 :]


def frame(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"u{k}" for k in range(len(texts))], "text": list(texts)})


def test_near_duplicate_with_a_few_chars_changed():
    a = distinct_text(60)
    b = replace_at(a, 20, "党")  # one substitution changes 5 shingles on each side
    dups = find_duplicates(frame(a, b))
    assert dups.to_dict("records") == [
        {"id": "u1", "dup_of": "u0", "kind": "near", "similarity": round(51 / 61, 4)}
    ]
    assert 0.8 <= dups["similarity"].iloc[0] < 1.0


def test_below_threshold_is_not_a_duplicate():
    a = distinct_text(60)
    b = replace_at(replace_at(a, 20, "党"), 40, "群")  # J = 46 / 66 ≈ 0.70
    assert find_duplicates(frame(a, b)).empty
    assert len(find_duplicates(frame(a, b), threshold=0.65)) == 1


def test_short_units_are_never_matched():
    dups = find_duplicates(frame("一、", "一、", "二、原因分析", "二、原因分析", "第一篇"))
    assert dups.empty
    # The same two short units do match once min_chars allows them.
    assert len(find_duplicates(frame("二、原因分析", "二、原因分析"), min_chars=5)) == 1


def test_chain_points_to_earliest_canonical():
    a = distinct_text(60)
    b = replace_at(a, 20, "党")  # a ≈ b
    c = replace_at(b, 40, "群")  # b ≈ c, but J(a, c) ≈ 0.70 < 0.8
    d = b  # exact copy of a near duplicate
    dups = find_duplicates(frame(a, b, c, d))
    assert dups["id"].tolist() == ["u1", "u2", "u3"]
    assert dups["dup_of"].tolist() == ["u0", "u0", "u0"]
    assert dups["kind"].tolist() == ["near", "near", "near"]
    # Similarity is always to dup_of; for the chained unit it is below threshold.
    assert dups["similarity"].tolist() == [round(51 / 61, 4), round(46 / 66, 4), round(51 / 61, 4)]


def test_exact_duplicates_across_scripts():
    simp = "党员领导干部要密切联系群众，全心全意为人民服务。"
    trad = "黨員領導幹部要密切聯繫群眾,全心全意為人民服務!"
    dups = find_duplicates(frame(trad, "无关的另一段文字内容在这里出现。", simp))
    assert dups.to_dict("records") == [
        {"id": "u2", "dup_of": "u0", "kind": "exact", "similarity": 1.0}
    ]


def test_custom_columns_and_integer_ids_keep_dtype():
    units = pd.DataFrame(
        {
            "pid": [10, 20, 30],
            "body": ["甲乙丙丁戊己庚辛壬癸子丑寅", None, "甲乙丙丁戊己庚辛壬癸子丑寅"],
        }
    )
    dups = find_duplicates(units, id_col="pid", text_col="body")
    assert dups["id"].tolist() == [30] and dups["dup_of"].tolist() == [10]
    assert dups["id"].dtype == units["pid"].dtype


def test_empty_input_and_validation():
    empty = find_duplicates(pd.DataFrame({"id": [], "text": []}))
    assert empty.empty and list(empty.columns) == list(dedup.DUPLICATE_COLUMNS)
    with pytest.raises(ValueError, match="repeated ids"):
        find_duplicates(pd.DataFrame({"id": ["a", "a"], "text": ["x", "y"]}))
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates(frame("x"), threshold=0)
    with pytest.raises(KeyError):
        find_duplicates(frame("x"), text_col="missing")


def test_candidate_generation_is_not_all_pairs(monkeypatch):
    """2,000 unrelated units plus 3 planted copies: few exact Jaccard checks."""
    import numpy as np

    rng = np.random.default_rng(0)
    alphabet = [chr(0x4E00 + k) for k in range(3000)]
    texts = ["".join(rng.choice(alphabet, size=int(rng.integers(30, 80)))) for _ in range(2000)]
    texts += [texts[5], replace_at(texts[17], 3, "〇"), texts[1999]]
    calls = 0
    real = dedup.jaccard

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(dedup, "jaccard", counting)
    dups = find_duplicates(frame(*texts))
    assert dups["dup_of"].tolist() == ["u5", "u17", "u1999"]
    assert calls < 200  # all pairs would be ~2,000,000
