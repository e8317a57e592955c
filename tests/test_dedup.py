"""Tests for workbench.corpus.dedup on the seed corpus and on synthetic units (both methods)."""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from workbench import config
from workbench.corpus import dedup
from workbench.corpus.dedup import (
    MAX_MISS,
    NUM_PERM,
    Sketches,
    containment,
    duplicates_from_sketches,
    find_duplicates,
    jaccard,
    lsh_rows,
    miss_probability,
    normalise_for_matching,
    normalise_many,
    normalise_texts,
    shingles,
    sketch_units,
    verify,
)
from workbench.corpus.dedup.sketch import _bands
from workbench.corpus.script import to_simplified

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


def random_texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = [chr(0x4E00 + k) for k in range(3000)]
    return ["".join(rng.choice(alphabet, size=int(rng.integers(30, 80)))) for _ in range(n)]


def test_candidate_generation_is_not_all_pairs(monkeypatch):
    """2,000 unrelated units plus 3 planted copies: few exact Jaccard checks."""
    texts = random_texts(2000, 0)
    texts += [texts[5], replace_at(texts[17], 3, "〇"), texts[1999]]
    calls = 0
    real = dedup.exact.jaccard

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(dedup.exact, "jaccard", counting)
    dups = find_duplicates(frame(*texts), method="exact")
    assert dups["dup_of"].tolist() == ["u5", "u17", "u1999"]
    assert 0 < calls < 200  # all pairs would be ~2,000,000


def test_fast_method_verifies_few_candidates(monkeypatch):
    """The same for the fast method: LSH proposes a handful of pairs, not all pairs."""
    texts = random_texts(2000, 0)
    texts += [texts[5], replace_at(texts[17], 3, "〇"), texts[1999]]
    verified = []
    real = verify._Sets.intersections

    def counting(self, a, b):
        verified.append(len(a))
        return real(self, a, b)

    monkeypatch.setattr(verify._Sets, "intersections", counting)
    dups = find_duplicates(frame(*texts))
    assert dups["dup_of"].tolist() == ["u5", "u17", "u1999"]
    assert dups["kind"].tolist() == ["exact", "near", "exact"]
    assert 1 <= sum(verified) < 50


# --- the fast method: same results as the exact one ---------------------------------


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0])
def test_fast_equals_exact_on_seed_lines(threshold):
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    fast = find_duplicates(units, threshold=threshold)
    pd.testing.assert_frame_equal(fast, find_duplicates(units, threshold=threshold, method="exact"))
    if threshold == 0.8:
        assert (fast["kind"] == "near").sum() >= 5 and (fast["kind"] == "exact").sum() >= 50


@pytest.mark.parametrize(("seed", "max_pairs"), [(0, 1), (1, 7), (2, 10_000)])
def test_candidate_batches_hold_each_pair_of_rows_equal_on_some_band_once(seed, max_pairs):
    rng = np.random.default_rng(seed)
    bands = rng.integers(0, 6, size=(40, 5)).astype(np.uint32)  # many collisions
    expected = sorted(
        (i, j) for i in range(40) for j in range(i + 1, 40) if (bands[i] == bands[j]).any()
    )
    batches = list(verify._candidate_batches(bands, max_pairs))
    found = [(i, j) for a, b in batches for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    assert sorted(found) == expected and len(found) == len(expected)  # no pair twice
    assert max(len(a) for a, _ in batches) <= max(max_pairs, 39)  # one member's pairs at most


def test_in_buckets_marks_the_rows_of_some_candidate_pair():
    bands = np.random.default_rng(3).integers(0, 400, size=(60, 3)).astype(np.uint32)
    paired = {i for a, b in verify._candidate_batches(bands) for i in [*a.tolist(), *b.tolist()]}
    assert np.flatnonzero(verify._in_buckets(bands)).tolist() == sorted(paired)
    assert 0 < len(paired) < 60


@pytest.mark.parametrize("max_pairs", [1, 10_000])
def test_pairs_and_buckets_of_some_rows_read_in_place_equal_those_of_a_copy(max_pairs):
    rng = np.random.default_rng(5)
    bands = rng.integers(0, 8, size=(80, 4)).astype(np.uint32)
    rows = np.sort(rng.choice(80, size=50, replace=False))
    copied = list(verify._candidate_batches(bands[rows], max_pairs))
    in_place = list(verify._candidate_batches(bands, max_pairs, rows=rows))
    assert len(copied) == len(in_place) > 0
    for (a, b), (c, d) in zip(copied, in_place, strict=True):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist()
    assert verify._in_buckets(bands, rows=rows).tolist() == verify._in_buckets(bands[rows]).tolist()


def test_small_candidate_batches_give_the_same_duplicates(monkeypatch):
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    whole = find_duplicates(units)
    monkeypatch.setattr(verify, "MAX_BATCH_PAIRS", 3)
    pd.testing.assert_frame_equal(find_duplicates(units), whole)
    assert (whole["kind"] == "near").sum() >= 5


def test_verification_in_small_batches_gives_the_same_pairs(monkeypatch):
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    whole = find_duplicates(units)
    monkeypatch.setattr(verify, "VERIFY_BATCH_CHARS", 50)  # about one pair per batch
    pd.testing.assert_frame_equal(find_duplicates(units), whole)
    assert (whole["kind"] == "near").sum() >= 5


@pytest.mark.parametrize("batch", [50, 2_000_000])
def test_equal_text_hashes_are_confirmed_on_the_text(monkeypatch, batch):
    import dataclasses

    units = units_for(ESSAY)
    sk = sketch_units(units["id"].tolist(), units["text"].tolist())
    collide = dataclasses.replace(sk, text_hash=np.zeros_like(sk.text_hash))  # all "equal"
    monkeypatch.setattr(verify, "VERIFY_BATCH_CHARS", batch)
    found = find_duplicates(units, sketches=collide)
    pd.testing.assert_frame_equal(found, find_duplicates(units, method="exact"))
    assert (found["kind"] == "exact").sum() >= 20


@pytest.mark.parametrize("collide", [False, True])
def test_from_sketches_pairs_only_units_in_lsh_buckets_and_finds_the_same(monkeypatch, collide):
    import dataclasses

    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    simplified = [to_simplified(t) for t in units["text"]]
    sk = sketch_units(units["id"].tolist(), simplified, simplify=False)
    if collide:  # every text hash equal: the exact step splits them, LSH pairs them all
        sk = dataclasses.replace(sk, text_hash=np.zeros_like(sk.text_hash))
    rows: list[int] = []
    real = verify._candidate_batches

    def counting(bands, **kw):
        rows.append(len(kw["rows"]))
        return real(bands, **kw)

    monkeypatch.setattr(verify, "_candidate_batches", counting)
    found = duplicates_from_sketches(sk, lambda pos: [simplified[p] for p in pos])
    expected = find_duplicates(units, method="exact")
    pd.testing.assert_frame_equal(found, expected.astype({"id": object, "dup_of": object}))
    has_sets, paired = verify.lsh_paired(sk, 12)
    if collide:  # the split made other units distinct: every one of them is paired
        assert len(rows) == 1 and rows[0] > len(has_sets)
    else:
        assert rows == [len(paired)] and 0 < len(paired) < len(has_sets)


def test_text_hash_mismatches_are_found_in_every_batch(monkeypatch):
    same, other = "干部要深入基层联系群众了解实情。", "干部要深入基层联系群众了解实际。"
    texts = [same, other, "一二三四五六七八九十", same] * 5
    sk = sketch_units(list(range(len(texts))), texts, simplify=False)
    cps, offsets, _ = dedup.normalise_many(texts, simplify=False)

    def normalised(pos):
        return dedup.gather_texts(cps, offsets, pos)

    dup = np.arange(1, len(texts))
    rep = np.zeros(len(dup), dtype=np.int64)  # all claimed copies of text 0
    expected = [p for p in dup.tolist() if texts[p] != texts[0]]
    for batch in (1, 40, 10_000):
        monkeypatch.setattr(verify, "VERIFY_BATCH_CHARS", batch)
        assert verify._hash_mismatches(dup, rep, sk, normalised) == expected


def test_verification_is_exact_when_shingle_hashes_collide(monkeypatch):
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    expected = find_duplicates(units, threshold=0.6)
    texts = ["干部要深入基层联系群众。", "干部", "一二三四五六七八九十"]
    cps, offsets, _ = dedup.normalise_many(texts, simplify=False)

    def colliding(ext, ngram):  # every window of verification hashes alike
        return np.zeros(max(len(ext) - ngram + 1, 0), dtype=np.uint64)

    monkeypatch.setattr(verify, "position_hashes", colliding)
    pd.testing.assert_frame_equal(find_duplicates(units, threshold=0.6), expected)
    unit, ids = verify._exact_token_ids(cps, offsets, 5)
    assert unit.tolist() == [0] * 7 + [2] * 6 + [1]  # the padded window comes last
    assert len(set(ids.tolist())) == 14  # every n-gram differs


def test_copies_are_paired_once_per_text_not_with_each_other(monkeypatch):
    texts = ["干部要深入基层联系群众了解实情。"] * 500 + ["其他内容完全不同的一个段落啊。"] * 500
    sk = sketch_units(list(range(1000)), texts, simplify=False)
    rows: list[int] = []
    real = verify._candidate_batches
    def counting(bands, **kw):
        rows.append(len(kw["rows"]))  # units entering the LSH step
        return real(bands, **kw)

    monkeypatch.setattr(verify, "_candidate_batches", counting)
    found = duplicates_from_sketches(sk, lambda pos: [texts[p] for p in pos])
    assert len(found) == 998 and set(found["dup_of"]) == {0, 500}
    assert rows and max(rows) <= 2  # one unit per distinct text enters the LSH step


def test_from_sketches_fetches_only_the_texts_it_verifies():
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    simplified = [to_simplified(t) for t in units["text"]]
    sk = sketch_units(units["id"].tolist(), simplified, simplify=False)
    asked: list[int] = []

    def texts(positions: list[int]) -> list[str]:
        asked.extend(positions)
        return [simplified[p] for p in positions]

    found = duplicates_from_sketches(sk, texts)
    expected = find_duplicates(units, method="exact")
    pd.testing.assert_frame_equal(found, expected.astype({"id": object, "dup_of": object}))
    assert len(found) >= 50 and 0 < len(set(asked)) < len(units) / 2


def test_from_sketches_takes_texts_normalised_by_the_caller():
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    simplified = [to_simplified(t) for t in units["text"]]
    sk = sketch_units(units["id"].tolist(), simplified, simplify=False)
    as_strings = duplicates_from_sketches(sk, lambda pos: [simplified[p] for p in pos])
    normalised = duplicates_from_sketches(
        sk, lambda pos: normalise_texts([simplified[p] for p in pos])
    )
    pd.testing.assert_frame_equal(normalised, as_strings)
    assert len(as_strings) >= 50


def test_from_sketches_names_a_caller_that_gives_too_few_texts():
    texts = ["干部要深入基层联系群众了解实情。"] * 3
    sk = sketch_units([0, 1, 2], texts, simplify=False)
    with pytest.raises(ValueError, match="gave 1 normalised texts for 3 units"):
        duplicates_from_sketches(sk, lambda pos: normalise_texts(texts[:1]))


@pytest.mark.parametrize(
    "texts",
    [["干部，群众", "", "A-1 乙"], ["𠀀字，外", "密切聯繫群眾"], []],
    ids=["bmp", "astral", "none"],
)
def test_normalise_texts_packs_what_normalise_for_matching_gives(texts):
    cps, offsets = normalise_texts(texts)
    got = ["".join(map(chr, cps[a:b].tolist())) for a, b in itertools.pairwise(offsets.tolist())]
    assert got == [normalise_for_matching(t, simplify=False) for t in texts]
    assert cps.dtype == (np.uint32 if any(ord(c) > 0xFFFF for t in texts for c in t) else np.uint16)


@pytest.mark.parametrize("fetch", [300, 20_000_000])
def test_from_sketches_fetches_each_text_once_in_runs_in_corpus_order(monkeypatch, fetch):
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    simplified = [to_simplified(t) for t in units["text"]]
    sk = sketch_units(units["id"].tolist(), simplified, simplify=False)
    calls: list[list[int]] = []

    def texts(positions: list[int]) -> list[str]:
        calls.append(positions)
        return [simplified[p] for p in positions]

    monkeypatch.setattr(verify, "FETCH_CHARS", fetch)
    found = duplicates_from_sketches(sk, texts)
    expected = find_duplicates(units, method="exact")
    pd.testing.assert_frame_equal(found, expected.astype({"id": object, "dup_of": object}))
    asked = [p for call in calls for p in call]
    assert asked == sorted(set(asked))  # each once, in corpus order
    chars = [int(sk.n_chars[call].sum()) for call in calls]
    assert all(c <= fetch or len(call) == 1 for c, call in zip(chars, calls, strict=True))
    assert (len(calls) > 5) == (fetch == 300)


def test_fetched_texts_are_packed_and_a_missing_one_is_fetched_on_demand():
    texts = ["干部要深入基层。", "联系群众𠀋了解实情", "其他内容", "第四段文字"]
    sk = sketch_units(list(range(4)), texts, simplify=False, min_chars=1)
    asked: list[list[int]] = []

    def fetch(positions: list[int]) -> list[str]:
        asked.append(positions)
        return [texts[p] for p in positions]

    store = verify.Fetched(np.array([0, 2]), fetch, sk)
    assert store.cps.dtype == np.uint16 and asked == [[0, 2]]
    cps, offsets = store(np.array([3, 1, 0]))  # 1 and 3 were not fetched
    assert asked[1:] == [[1, 3]] and cps.dtype == np.uint32
    expected = [dedup.normalise_for_matching(texts[p], simplify=False) for p in (3, 1, 0)]
    got = ["".join(map(chr, cps[a:b])) for a, b in itertools.pairwise(offsets)]
    assert got == expected and store.positions.tolist() == [0, 1, 2, 3]


def edited(text: str, rng: np.random.Generator, edits: int) -> str:
    """``text`` with ``edits`` random substitutions, insertions or deletions."""
    chars = list(text)
    for _ in range(edits):
        pos = int(rng.integers(0, len(chars)))
        op = int(rng.integers(0, 3))
        new = chr(0x4E00 + int(rng.integers(0, 300)))
        if op == 0:
            chars[pos] = new
        elif op == 1:
            chars.insert(pos, new)
        elif len(chars) > 1:
            del chars[pos]
    return "".join(chars)


def near_duplicate_frame(seed: int) -> pd.DataFrame:
    """Families of near copies (1-12 edits) of random texts of 12-300 letters.

    A small alphabet makes unrelated texts share shingles too, and chains of edits
    make single-link groups whose members are not all similar to the canonical.
    """
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(60):
        base = "".join(
            chr(0x4E00 + int(k)) for k in rng.integers(0, 300, int(rng.integers(12, 300)))
        )
        family = [base]
        for _ in range(int(rng.integers(1, 6))):
            family.append(
                edited(family[int(rng.integers(0, len(family)))], rng, int(rng.integers(1, 13)))
            )
        texts += family
    order = rng.permutation(len(texts))
    return frame(*[texts[k] for k in order])


def exact_similarities(units: pd.DataFrame) -> list[float]:
    """Jaccard of every pair of units (for thresholds right at a pair's similarity)."""
    sets = [shingles(normalise_for_matching(t)) for t in units["text"]]
    return sorted({jaccard(a, b) for k, a in enumerate(sets) for b in sets[:k]})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_equals_exact_at_thresholds_around_the_boundary(seed):
    units = near_duplicate_frame(seed)
    values = [j for j in exact_similarities(units) if 0.5 <= j < 1.0]
    rng = np.random.default_rng(seed)
    picked = rng.choice(values, size=6, replace=False)
    # Exactly at a pair's similarity, just above it, and fixed thresholds.
    thresholds = [*picked, *(np.nextafter(picked[:2], 2.0) + 1e-8), 0.8, 0.9]
    found_near = 0
    for threshold in thresholds:
        threshold = float(min(threshold, 1.0))
        fast = find_duplicates(units, threshold=threshold)
        exact = find_duplicates(units, threshold=threshold, method="exact")
        pd.testing.assert_frame_equal(fast, exact)
        found_near += int((fast["kind"] == "near").sum())
    assert found_near >= 20  # the families really produce near duplicates


def test_fast_keeps_single_link_to_the_earliest_canonical():
    a = distinct_text(60)
    b = replace_at(a, 20, "党")
    c = replace_at(b, 40, "群")
    units = frame(a, b, c, b, "无关的另一段文字内容在这里出现。")
    fast = find_duplicates(units)
    pd.testing.assert_frame_equal(fast, find_duplicates(units, method="exact"))
    assert fast["dup_of"].tolist() == ["u0", "u0", "u0"]


@pytest.mark.parametrize("min_chars", [0, 1, 3, 12])
def test_fast_equals_exact_with_short_units(min_chars):
    # Units shorter than the shingle length are one padded shingle each.
    units = frame(
        "一、", "一、", "党", "二原因", "二原因分", "二原因分析", "二原因分析", "", "", "党"
    )
    pd.testing.assert_frame_equal(
        find_duplicates(units, min_chars=min_chars, ngram=5),
        find_duplicates(units, min_chars=min_chars, ngram=5, method="exact"),
    )


def test_fast_is_deterministic_across_hash_seeds():
    """Sketches depend on fixed seeds only, never on PYTHONHASHSEED."""
    code = (
        "import hashlib, pickle; from workbench.corpus.dedup import sketch_units; "
        "sk = sketch_units(['a', 'b'], "
        "['干部要深入基层联系群众了解实情', '幹部要深入基層聯繫群眾瞭解實情']); "
        "print(hashlib.sha256(sk.text_hash.tobytes() + sk.bands.tobytes()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_sketches_pickle_and_concatenate_to_the_one_shot_sketches():
    names = sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
    units = units_for(*names)
    ids, texts = units["id"].tolist(), units["text"].tolist()
    whole = sketch_units(ids, texts)
    cuts = [0, 7, 300, 301, len(ids)]
    parts = [sketch_units(ids[a:b], texts[a:b]) for a, b in itertools.pairwise(cuts)]
    joined = Sketches.concat([pickle.loads(pickle.dumps(p)) for p in parts])
    assert joined.equals(whole)
    assert whole.equals(sketch_units(ids, texts))  # deterministic
    assert whole.sketched.sum() > 0 and whole.bands.shape == (whole.sketched.sum(), 32)
    pd.testing.assert_frame_equal(
        find_duplicates(units, sketches=joined), find_duplicates(units, method="exact")
    )


def test_sketch_ids_are_one_arrow_array_across_empty_and_non_string_parts():
    # Ids are held as Arrow (half the memory of Python strings at a million units);
    # an empty part must not change the type, and the table still names the ids.
    texts = ["干部要深入基层联系群众了解实情", "干部要深入基层联系群众了解实际"]
    empty = sketch_units([], [])
    parts = [empty, sketch_units([10], texts[:1]), empty, sketch_units([11], texts[1:])]
    joined = Sketches.concat(parts)
    assert joined.ids.type == pa.int64() and joined.ids.to_pylist() == [10, 11]
    assert joined.equals(sketch_units([10, 11], texts))
    named = Sketches.concat([empty, sketch_units(["a", "b"], texts)])
    assert named.ids.type == pa.large_string()
    found = duplicates_from_sketches(named, lambda pos: [texts[p] for p in pos])
    assert found[["id", "dup_of"]].to_numpy().tolist() == [["b", "a"]]
    assert found["id"].dtype == object


def test_precomputed_sketches_must_fit():
    units = frame("干部要深入基层联系群众了解实情", "干部要深入基层联系群众了解实际")
    sk = sketch_units(units["id"], units["text"])
    with pytest.raises(ValueError, match="not of these units"):
        find_duplicates(units.iloc[::-1], sketches=sk)
    with pytest.raises(ValueError, match="ngram"):
        find_duplicates(units, sketches=sk, ngram=4)
    with pytest.raises(ValueError, match="skip units"):
        find_duplicates(units, sketches=sk, min_chars=5)
    with pytest.raises(ValueError, match="would miss"):
        find_duplicates(units, sketches=sk, threshold=0.5)
    with pytest.raises(ValueError, match="different parameters"):
        Sketches.concat([sk, sketch_units(["x"], ["y"], ngram=4)])
    with pytest.raises(ValueError, match="method"):
        find_duplicates(units, method="minhash")
    # A sketch made for a lower threshold serves a higher one.
    low = sketch_units(units["id"], units["text"], threshold=0.6)
    assert find_duplicates(units, sketches=low).equals(find_duplicates(units))


def test_lsh_banding_misses_pairs_at_the_threshold_rarely():
    assert (lsh_rows(0.8), _bands(NUM_PERM, lsh_rows(0.8))) == (4, 32)
    assert miss_probability(0.8, 4, 32) < 1e-7
    assert miss_probability(0.9, 4, 32) < 1e-14
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        r = lsh_rows(threshold)
        assert miss_probability(threshold, r, _bands(NUM_PERM, r)) <= MAX_MISS


# --- the vectorised normalisation ---------------------------------------------------

TRICKY = [
    "1.密切聯繫群眾，「怎麼聯繫」? ①ＡＢＣ 2013年",
    "① 一、Ｃadre  Ｍasses！",
    "e\u0301 café ﬁne ㍻ ㈱ ½ Σίσυφος ΣΑΣ İstanbul ß",
    "\u1100\u1161\u11a8 한국어 \u3131\u314f ｶﾞｷﾞ",
    "𠀀𠀁𡃁 CJK extension B 𪚥 and 😀",
    "   \n\t",
    "",
    "ǅ ǈ ᾈ Ⅻ ⅻ ⑴ ⒈ ㊀",
]


def test_vectorised_normalisation_equals_normalise_for_matching():
    texts = TRICKY + [text for name in sorted(p.name for p in config.SEEDS_DIR.glob("*.txt"))
                      for _, text in seed_lines(name)]  # fmt: skip
    for simplify in (False, True):
        cps, offsets, complex_ = normalise_many(texts, simplify=simplify)
        got = [cps[a:b].tobytes().decode("utf-32-le") for a, b in itertools.pairwise(offsets)]
        assert got == [normalise_for_matching(t, simplify=simplify) for t in texts]
    # The tricky texts with combining marks, Hangul jamo, Σ or ligatures take the
    # exact path; plain Chinese lines do not.
    assert complex_[2:4].all() and not complex_[len(TRICKY) :].any()


def test_vectorised_normalisation_with_a_lone_surrogate():
    texts = ["干部\ud800群众", "干群关系"]
    cps, offsets, _ = normalise_many(texts, simplify=False)
    assert cps[offsets[1] : offsets[2]].tobytes().decode("utf-32-le") == "干群关系"
    assert offsets[1] == len(normalise_for_matching(texts[0], simplify=False))
