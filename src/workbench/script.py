"""Chinese script: detect Traditional vs Simplified and normalise to Simplified.

Conversion uses OpenCC (phrase-aware ``t2s``), loaded on first use so that importing
the package stays cheap. Detection counts characters that exist in only one script:
a character is *Traditional-only* when OpenCC's ``t2s`` changes it, and
*Simplified-only* when ``s2tw`` changes it (Taiwan standard, so that variant
mappings such as 群→羣 are not counted). Forms that Traditional texts also use but
OpenCC maps anyway (干→幹, 于→於, 里→裏) therefore count as Simplified evidence;
machine-converted Traditional web pages keep many of them (seed 002 writes
干群關系), which is why a dominant share of :data:`DOMINANT_SHARE`, not unanimity,
decides.

Examples
--------
>>> from workbench.script import detect_script, to_simplified
>>> to_simplified("密切聯繫群眾")
'密切联系群众'
>>> detect_script("密切聯繫群眾，幹群關係")
'traditional'
>>> detect_script("密切联系群众")
'simplified'
>>> detect_script("abc")
'none'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Literal

Script = Literal["simplified", "traditional", "mixed", "none"]

#: Share of script-specific characters above which a text counts as one script.
DOMINANT_SHARE = 0.8


@cache
def _converter(config: str):
    import opencc  # deferred: loading dictionaries costs time at import

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Convert ``text`` to Simplified script with OpenCC's phrase-aware ``t2s``.

    Examples
    --------
    >>> to_simplified("幹部作風")
    '干部作风'
    """
    if not text:
        return text
    return _converter("t2s").convert(text)


def to_simplified_many(texts: Sequence[str]) -> list[str]:
    """:func:`to_simplified` of each text, in one OpenCC call when none has a newline.

    OpenCC's dictionary phrases never contain a newline, so converting the texts
    joined by newlines and splitting again gives exactly the per-text results while
    paying OpenCC's per-call cost once.

    Examples
    --------
    >>> to_simplified_many(["幹部作風", "", "聯繫群眾"])
    ['干部作风', '', '联系群众']
    """
    if not texts:
        return []
    if any("\n" in t for t in texts):
        return [to_simplified(t) for t in texts]
    out = _converter("t2s").convert("\n".join(texts)).split("\n")
    if len(out) != len(texts):  # never expected; stay correct rather than fast
        return [to_simplified(t) for t in texts]
    return out


@lru_cache(maxsize=65536)
def _char_class(ch: str) -> int:
    """+1 for a Traditional-only character, -1 for Simplified-only, 0 otherwise."""
    if not ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"):
        return 0
    if _converter("t2s").convert(ch) != ch:
        return 1
    if _converter("s2tw").convert(ch) != ch:
        return -1
    return 0


def script_counts(text: str) -> tuple[int, int]:
    """Count (Traditional-only, Simplified-only) characters in ``text``.

    Examples
    --------
    >>> script_counts("國家 国家")
    (1, 1)
    """
    trad = simp = 0
    # Classify each distinct character once; counting them is C code (Counter).
    for ch, n in Counter(text).items():
        c = _char_class(ch)
        if c > 0:
            trad += n
        elif c < 0:
            simp += n
    return trad, simp


def detect_script(text: str) -> Script:
    """Classify ``text`` as ``simplified``, ``traditional``, ``mixed`` or ``none``.

    ``none`` means the text has no character that belongs to one script only.
    A text is one script when at least :data:`DOMINANT_SHARE` of its
    script-specific characters belong to it; otherwise it is ``mixed``.
    """
    trad, simp = script_counts(text)
    total = trad + simp
    if total == 0:
        return "none"
    share = trad / total
    if share >= DOMINANT_SHARE:
        return "traditional"
    if share <= 1 - DOMINANT_SHARE:
        return "simplified"
    return "mixed"
