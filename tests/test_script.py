"""Script detection and normalisation on the real seeds."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from workbench import config
from workbench.corpus.script import (
    _MEMO,
    CHECKED_OPENCC,
    PHRASE_ONLY,
    _changing_line,
    _char_class,
    _class_table,
    _computed_class_table,
    _converter,
    _stored_class_table,
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


def test_stored_class_table_is_the_one_opencc_gives():
    # The stored table stands for the computed one only with the OpenCC it was read from.
    import opencc

    if getattr(opencc, "__version__", None) != CHECKED_OPENCC:
        pytest.skip(f"the stored table is OpenCC {CHECKED_OPENCC}'s")
    assert (_stored_class_table() == _computed_class_table()).all()


def t2s_entries(tmp_path: Path) -> list[tuple[str, str]]:
    """(key, default value) of every entry of the dictionaries OpenCC's t2s reads,
    dumped as text by the ``opencc_dict`` tool shipped with OpenCC (skip without it)."""
    import opencc

    clib = Path(opencc.__file__).parent / "clib"
    tool, share = clib / "bin" / "opencc_dict", clib / "share" / "opencc"
    if opencc.__version__ != CHECKED_OPENCC or not tool.exists():
        pytest.skip("needs OpenCC's opencc_dict tool of the checked version")
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files = [step["dict"]["file"] for step in config["normalization"]]
    for step in config["conversion_chain"]:
        files += [d["file"] for d in step["dict"].get("dicts", [step["dict"]])]
    entries = []
    for name in files:
        out = tmp_path / f"{name}.txt"
        args = [str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"]
        subprocess.run(args, check=True, capture_output=True)
        for line in out.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            entries.append((key, values.split(" ")[0]))
    return entries


def test_changing_line_holds_every_character_a_dictionary_entry_replaces(tmp_path):
    # The premise of converting only texts with such a character: a text without one
    # is its own conversion (see _changing_line).
    pattern = _changing_line()
    entries = t2s_entries(tmp_path)
    assert len(entries) > 5000
    for key, value in entries:
        if len(value) != len(key):
            assert all(pattern.match(ch) for ch in key), key
        else:
            assert all(pattern.match(k) for k, v in zip(key, value, strict=True) if k != v), key


def test_changing_line_flags_what_t2s_changes_alone_and_nothing_else():
    pattern = _changing_line()
    table = _class_table()
    flagged = [c for c in range(0x10000) if pattern.match(chr(c))]
    alone = set(map(int, (table > 0).nonzero()[0]))
    assert set(flagged) == alone | {ord(ch) for ch in PHRASE_ONLY} | set(range(0xD800, 0xE000))
    assert pattern.match("\U00020000") and pattern.match("\U0010ffff")
    assert [m.span() for m in pattern.finditer("深沈\n什么\nab")] == [(1, 2), (4, 5)]


def test_unchanged_texts_are_their_own_conversion():
    lines = [
        line
        for name in sorted(SEED_SCRIPTS)
        for line in (config.SEEDS_DIR / name).read_text(encoding="utf-8").splitlines()
    ]
    lines += ["深沈", "打坏了", "英哩", "干部作风", "", "abc", "𠀀", "什么"]
    t2s = _converter("t2s")
    _MEMO.table.clear()
    assert to_simplified_many(lines) == [t2s.convert(line) for line in lines]
    _MEMO.table.clear()
    assert [to_simplified(line) for line in lines] == [t2s.convert(line) for line in lines]


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
