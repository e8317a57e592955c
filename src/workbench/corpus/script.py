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
>>> from workbench.corpus.script import detect_script, to_simplified
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

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import compress, repeat
from operator import is_
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # numpy is imported on first use: importing the package stays cheap
    import numpy as np

Script = Literal["simplified", "traditional", "mixed", "none"]

#: Share of script-specific characters above which a text counts as one script.
DOMINANT_SHARE = 0.8


@cache
def _converter(config: str):
    import opencc  # deferred: loading dictionaries costs time at import

    return opencc.OpenCC(config)


class _Memo:
    """Recent ``to_simplified`` results, so a line is converted once per file, not per step.

    Boilerplate removal, article splitting and the structure parser each need the
    Simplified form of the same lines; remembering them makes the later requests
    dictionary look-ups. Bounded by the characters held: when full it starts afresh
    (the hits come from the file being processed, so recency is all that matters).
    """

    max_chars = 4_000_000  # ~16 MB of keys and values at most
    max_text = 20_000  # longer texts (whole files) are not worth remembering

    def __init__(self) -> None:
        self.table: dict[str, str] = {}
        self.chars = 0

    def put(self, text: str, simple: str) -> None:
        if len(text) > self.max_text:
            return
        if self.chars + len(text) > self.max_chars:
            self.table.clear()
            self.chars = 0
        self.table[text] = simple
        self.chars += len(text)

    def put_many(self, texts: list[str], simple: list[str]) -> None:
        """:meth:`put` of each text and its conversion, in one go when all fit."""
        sizes = list(map(len, texts))
        if max(sizes, default=0) > self.max_text or self.chars + sum(sizes) > self.max_chars:
            for text, converted in zip(texts, simple, strict=True):
                self.put(text, converted)  # one by one: some are skipped or the table restarts
            return
        self.table.update(zip(texts, simple, strict=True))
        self.chars += sum(sizes)


_MEMO = _Memo()


def to_simplified(text: str) -> str:
    """Convert ``text`` to Simplified script with OpenCC's phrase-aware ``t2s``.

    Results are remembered (see :class:`_Memo`): converting a text again is a
    dictionary look-up. A text holding no character ``t2s`` can replace
    (:func:`_changing_line`) is its own conversion, returned without calling OpenCC.

    Examples
    --------
    >>> to_simplified("幹部作風"), to_simplified("干部作风")
    ('干部作风', '干部作风')
    """
    if not text:
        return text
    simple = _MEMO.table.get(text)
    if simple is None:
        pattern = _changing_line()
        if pattern is not None and pattern.search(text) is None:
            return text
        simple = _converter("t2s").convert(text)
        _MEMO.put(text, simple)
    return simple


def to_simplified_many(texts: Sequence[str], *, remember: bool = False) -> list[str]:
    """:func:`to_simplified` of each text, in one OpenCC call when none has a newline.

    OpenCC's dictionary phrases never contain a newline, so converting the texts
    joined by newlines and splitting again gives exactly the per-text results while
    paying OpenCC's per-call cost once. Texts converted before are looked up, not
    converted again; with ``remember`` the new results are remembered too (for
    lines that later steps convert again; sentences are converted once and are not).

    Examples
    --------
    >>> to_simplified_many(["幹部作風", "", "聯繫群眾"])
    ['干部作风', '', '联系群众']
    """
    if not texts:
        return []
    out = list(map(_MEMO.table.get, texts))  # looked up in C, not per item
    if None not in out:
        return out  # type: ignore[return-value]  # every entry was found
    # Each text once: an article's section titles repeat for every paragraph of a section.
    todo = list(dict.fromkeys(compress(texts, map(is_, out, repeat(None)))))
    done = _convert_batch(todo)
    if remember:
        _MEMO.put_many(todo, done)
    fresh = dict(zip(todo, done, strict=True))
    # A text not found before is in ``fresh``; any other keeps what was found (in C).
    return list(map(fresh.get, texts, out))


def to_simplified_fresh(texts: Sequence[str]) -> list[str]:
    """:func:`to_simplified` of each text, none looked up or remembered (:class:`_Memo`):
    for texts met once, such as an article's sentences.

    The same results as :func:`to_simplified_many`, cheaper for such texts: looking
    each up in the memo of a file's lines found few and cost more than the one search
    that finds the texts OpenCC could change (most of a Simplified corpus's are not).

    Examples
    --------
    >>> to_simplified_fresh(["幹部作風。", "", "干部。"])
    ['干部作风。', '', '干部。']
    """
    return _convert_batch(list(texts)) if texts else []


def _convert_batch(texts: list[str]) -> list[str]:
    """OpenCC ``t2s`` of each text, in one call (see :func:`to_simplified_many`).

    Only the texts OpenCC could change (:func:`_changeable`) are converted: the others,
    most lines of a Simplified corpus, are their own conversion.
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # some text holds a newline
        return [_converter("t2s").convert(t) if t else t for t in texts]
    which = _changeable(joined)
    if which is None:  # not known which texts OpenCC leaves alone: convert them all
        return _convert_joined(texts, joined)
    out = list(texts)
    todo = [texts[i] for i in which]
    for i, simple in zip(which, _convert_joined(todo, "\n".join(todo)), strict=True):
        out[i] = simple
    return out


def _convert_joined(texts: list[str], joined: str) -> list[str]:
    """OpenCC ``t2s`` of each of ``texts`` (none with a newline) from one call on
    ``joined``, the texts joined by newlines."""
    if not texts:
        return []
    out = _converter("t2s").convert(joined).split("\n")
    if len(out) != len(texts):  # never expected; stay correct rather than fast
        return [_converter("t2s").convert(t) if t else t for t in texts]
    return out


#: The OpenCC version whose ``t2s`` dictionaries :data:`PHRASE_ONLY` was read from.
CHECKED_OPENCC = "1.4.2"

#: Characters that OpenCC's ``t2s`` leaves alone on their own but replaces inside a
#: phrase of its dictionaries (深沈 → 深沉, 打坏 → 打坯, 英哩 → 英里, 么麼 → 幺麽): with the
#: characters ``t2s`` changes alone, every character that a dictionary entry's default
#: value replaces. Read from the dictionaries of :data:`CHECKED_OPENCC`
#: (``tests/test_script.py`` checks them when OpenCC's ``opencc_dict`` tool is at hand);
#: unknown for any other version.
PHRASE_ONLY = "么俱哩坏彷沈甦瞭藉衹覆"


@cache
def _changing_line() -> re.Pattern[str] | None:
    """A line holding a character a ``t2s`` conversion may replace (the match runs to
    the end of the line, so a search over many lines finds each such line once);
    ``None`` for an OpenCC version other than :data:`CHECKED_OPENCC`.

    OpenCC converts a text by replacing, left to right, the longest dictionary key
    (phrase or character) found at each position with its default value, and copies
    a character no key starts with. A text that holds no character a key's value
    replaces is therefore its own conversion. Those characters are the ones ``t2s``
    changes alone (:func:`_class_table`; every key of the BMP lies in its two ranges),
    :data:`PHRASE_ONLY`, and, to be safe, everything outside the BMP (the dictionaries'
    extension ideographs) and lone surrogates (which OpenCC refuses: they must reach it
    to raise as before).
    """
    import numpy as np
    import opencc

    if getattr(opencc, "__version__", None) != CHECKED_OPENCC:
        return None
    table = _class_table() > 0
    table[[ord(ch) for ch in PHRASE_ONLY]] = True
    table[0xD800:0xE000] = True
    table[0x10000:] = True
    # Runs of flagged code points as a character class, each end the character itself,
    # escaped (no code point of the pattern's syntax can slip in): the regex compiler
    # parsed \U escapes of them three times slower, in every process.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], table, [False])).astype(np.int8)))
    ranges = "".join(
        re.escape(chr(a)) if a == b - 1 else f"{re.escape(chr(a))}-{re.escape(chr(b - 1))}"
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)
    )
    return re.compile(f"[{ranges}][^\\n]*")


def _changeable(joined: str) -> list[int] | None:
    """Indices of the lines of ``joined`` (split at newlines) that ``t2s`` may change,
    found in one search over the whole text; ``None`` when that is not known
    (:func:`_changing_line`)."""
    pattern = _changing_line()
    if pattern is None:
        return None
    which: list[int] = []
    line, searched = 0, 0
    for match in pattern.finditer(joined):  # at most one match per line
        line += joined.count("\n", searched, match.start())
        searched = match.start()
        which.append(line)
    return which


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


#: The code points :func:`_char_class` may class other than 0, in order (the two ranges).
_CLASSED = ((0x3400, 0xA000), (0xF900, 0xFB00))

#: :func:`_computed_class_table` as OpenCC :data:`CHECKED_OPENCC` gives it, stored as a
#: resource: each class of :data:`_CLASSED` plus one in two bits, four to a byte (the first
#: in the low bits), zlib-compressed. Computing it loaded OpenCC's ``s2tw`` dictionaries
#: and converted every ideograph twice, a sixth of a second in every process that loads
#: texts; ``tests/test_script.py`` checks it against OpenCC.
STORED_CLASSES = f"opencc-{CHECKED_OPENCC}-classes.zlib"


@cache
def _class_table() -> np.ndarray:
    """:func:`_char_class` of every code point, as an ``int8`` look-up table.

    The stored table (:data:`STORED_CLASSES`) with OpenCC :data:`CHECKED_OPENCC`,
    else computed (:func:`_computed_class_table`); ``tests/test_script.py`` checks
    the table against :func:`_char_class` for every character.
    """
    import opencc

    if getattr(opencc, "__version__", None) == CHECKED_OPENCC:
        return _stored_class_table()
    return _computed_class_table()


def _stored_class_table() -> np.ndarray:
    """The look-up table of :func:`_class_table` unpacked from :data:`STORED_CLASSES`."""
    import zlib

    import numpy as np

    from workbench.config import RESOURCES_DIR

    stored = (RESOURCES_DIR / STORED_CLASSES).read_bytes()
    packed = np.frombuffer(zlib.decompress(stored), np.uint8)
    two_bits = np.stack([(packed >> shift) & 3 for shift in (0, 2, 4, 6)], axis=1).reshape(-1)
    codes = np.concatenate([np.arange(a, b) for a, b in _CLASSED])
    table = np.zeros(0x110000, dtype=np.int8)
    table[codes] = two_bits[: len(codes)].astype(np.int8) - 1
    return table


def _computed_class_table() -> np.ndarray:
    """The look-up table of :func:`_class_table` computed with OpenCC.

    Built with one OpenCC call per direction over all ideographs of the two ranges
    joined by newlines, which converts each one exactly as alone (no dictionary
    phrase holds a newline).
    """
    import numpy as np

    table = np.zeros(0x110000, dtype=np.int8)
    codes = [code for a, b in _CLASSED for code in range(a, b)]
    chars = [chr(c) for c in codes]
    t2s = _converter("t2s").convert("\n".join(chars)).split("\n")
    s2tw = _converter("s2tw").convert("\n".join(chars)).split("\n")
    if not len(t2s) == len(s2tw) == len(chars):  # never expected; fall back to one by one
        t2s = [_converter("t2s").convert(c) for c in chars]
        s2tw = [_converter("s2tw").convert(c) for c in chars]
    for code, ch, trad, simp in zip(codes, chars, t2s, s2tw, strict=True):
        table[code] = 1 if trad != ch else (-1 if simp != ch else 0)
    return table


def script_counts(text: str) -> tuple[int, int]:
    """Count (Traditional-only, Simplified-only) characters in ``text``.

    Examples
    --------
    >>> script_counts("國家 国家")
    (1, 1)
    """
    if not text:
        return 0, 0
    import numpy as np

    # Classify all code points at once through the look-up table (C speed, no per-char
    # Python objects); UTF-32 gives one fixed-width code per character.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _class_table().take(codes)  # as table[codes], faster (np.take: a wrapper more)
    # Classes are +1 and -1 only: how many there are and their sum give both counts, in
    # two passes without the two comparison arrays (a fixed 22 -> 10 us a text).
    either = int(np.count_nonzero(classes))
    if not either:
        return 0, 0
    balance = int(classes.sum(dtype=np.int64))
    return (either + balance) // 2, (either - balance) // 2


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
