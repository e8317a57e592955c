"""Script detection and normalisation on the real seeds."""

from __future__ import annotations

from collections import Counter

import pytest

from workbench import config
from workbench.corpus.script import (
    _MEMO,
    _char_class,
    _class_table,
    _converter,
    detect_script,
    script_counts,
    to_simplified,
    to_simplified_many,
)

SEED_SCRIPTS = {
    "000_688e36ac7d55ccc2.txt": "traditional",
    "001_74e1782f8eca611a.txt": "simplified",
    "002_d96b58a24a94b0c4.txt": "traditional",
    "003_8128e1cef60075aa.txt": "simplified",
    "004_09331bca989b350a.txt": "simplified",
}


@pytest.mark.parametrize(("name", "script"), sorted(SEED_SCRIPTS.items()))
def test_seed_scripts(name, script):
    text = (config.SEEDS_DIR / name).read_text(encoding="utf-8")
    assert detect_script(text) == script


@pytest.mark.parametrize("name", [n for n, s in SEED_SCRIPTS.items() if s == "traditional"])
def test_traditional_seeds_normalise_to_simplified(name):
    text = (config.SEEDS_DIR / name).read_text(encoding="utf-8")
    simp = to_simplified(text)
    assert detect_script(simp) == "simplified"
    trad, _ = script_counts(simp)
    assert trad == 0
    assert len(simp) == len(text)  # t2s here is character for character: offsets survive


@pytest.mark.parametrize(
    ("trad", "simp"),
    [
        ("密切聯繫群眾", "密切联系群众"),
        ("幹群關係", "干群关系"),
        ("黨員領導幹部宗旨意識淡化", "党员领导干部宗旨意识淡化"),
        ("走馬觀花", "走马观花"),
        ("村務公開", "村务公开"),
    ],
)
def test_to_simplified_domain_terms(trad, simp):
    assert to_simplified(trad) == simp
    assert to_simplified(simp) == simp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "none"),
        ("2013年09月18日", "none"),
        ("部分 2013", "none"),  # characters common to both scripts: no evidence
        ("干群關系，領導幹部", "traditional"),  # seed 002's mix still reads as Traditional
        ("國家 国家 機關 机关", "mixed"),
    ],
)
def test_detect_script_edge_cases(text, expected):
    assert detect_script(text) == expected


def test_import_does_not_load_opencc(eager_imports):
    assert eager_imports("workbench.corpus.script", "opencc") == set()


def test_class_table_equals_char_class_for_every_ideograph():
    # The table converts all ideographs in one OpenCC call per direction; each must be
    # classified exactly as _char_class classifies it alone.
    table = _class_table()
    codes = [*range(0x3400, 0xA000), *range(0xF900, 0xFB00)]
    assert [int(table[c]) for c in codes] == [_char_class(chr(c)) for c in codes]
    assert not table[:0x3400].any() and not table[0xFB00:].any()


def reference_counts(text: str) -> tuple[int, int]:
    counts = Counter(text)
    trad = sum(n for ch, n in counts.items() if _char_class(ch) > 0)
    return trad, sum(n for ch, n in counts.items() if _char_class(ch) < 0)


@pytest.mark.parametrize("name", sorted(SEED_SCRIPTS))
def test_script_counts_equal_per_character_counts_on_seeds(name):
    text = (config.SEEDS_DIR / name).read_text(encoding="utf-8")
    for part in (text, text[:500], text.replace("\n", "")):
        assert script_counts(part) == reference_counts(part)


def test_script_counts_outside_the_ideograph_ranges():
    text = "𠀀𡃁 abc \ud800 國"  # astral ideographs, a lone surrogate: no evidence
    assert script_counts(text) == reference_counts(text) == (1, 0)


@pytest.mark.parametrize("name", sorted(SEED_SCRIPTS))
def test_remembered_conversions_equal_fresh_ones(name):
    lines = (config.SEEDS_DIR / name).read_text(encoding="utf-8").split("\n")
    fresh = [_converter("t2s").convert(line) if line else line for line in lines]
    assert to_simplified_many(lines, remember=True) == fresh
    assert [to_simplified(line) for line in lines] == fresh  # now from the memo
    assert to_simplified_many(lines) == fresh


def test_memo_is_bounded():
    before = _MEMO.max_chars
    try:
        _MEMO.max_chars = 10
        to_simplified_many(["幹部作風", "聯繫群眾", "黨員幹部"], remember=True)
        assert _MEMO.chars <= 10
        assert to_simplified("黨員幹部") == "党员干部"
    finally:
        _MEMO.max_chars = before
