"""Script detection and normalisation on the real seeds."""

from __future__ import annotations

import pytest

from workbench import config
from workbench.script import detect_script, script_counts, to_simplified

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
    assert eager_imports("workbench.script", "opencc") == set()
