"""Normalisation for matching: the letters that decide whether two units are copies.

:func:`normalise_for_matching` reduces one text; :func:`normalise_many` and
:func:`normalise_texts` give the same for many texts at once, as one array of code
points (one table lookup per code point, with the few texts that hold a complex
character normalised by :func:`normalise_for_matching` itself and spliced in,
:func:`splice_complex`). The helpers on such packed code points and offsets
(:func:`offsets_from_lengths`, :func:`concat_consuming`, :func:`concat_ranges`,
:func:`gather_texts`) serve every part of the package.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from workbench.corpus.script import to_simplified, to_simplified_many

# Enclosed numbers/ideographs and Roman numerals are list bullets (①, ㈠, Ⅲ). They
# go before NFKC, which would otherwise turn ㈠ into "(一)" and keep the 一.
_BULLETS = re.compile(r"[\u2160-\u217f\u2460-\u24ff\u2776-\u2793\u3220-\u3247\u3280-\u32b0]")

# After NFKC, anything that is not a word character, plus digits and underscore.
_NON_LETTERS = re.compile(r"[\W\d_]+")


def normalise_for_matching(text: str, *, simplify: bool = True) -> str:
    """Reduce ``text`` to the letters that decide whether two units are copies.

    Steps: convert to Simplified script (OpenCC ``t2s``, skipped when
    ``simplify=False``), drop list bullets, apply NFKC (full-width letters become
    ASCII), drop whitespace, punctuation, digits and symbols, and lower-case.
    CJK characters, including numerals such as 一 and 二, are letters and stay.

    Parameters
    ----------
    text : str
        Raw unit text in any script.
    simplify : bool, default True
        Convert Traditional script to Simplified first.

    Returns
    -------
    str
        The normalised text, possibly empty.

    Examples
    --------
    >>> normalise_for_matching("1.密切聯繫群眾，「怎麼聯繫」? ①ＡＢＣ 2013年")
    '密切联系群众怎么联系abc年'
    >>> normalise_for_matching("一、")
    '一'
    """
    if not text:
        return ""
    if simplify:
        text = to_simplified(text)
    text = unicodedata.normalize("NFKC", _BULLETS.sub("", text))
    text = _NON_LETTERS.sub("", text)
    if not text.isalpha():
        # \w also admits numeric symbols that are not decimal digits (e.g. ½).
        text = "".join(ch for ch in text if ch.isalpha())
    return text.lower()


# --- the fast method: vectorised normalisation --------------------------------------
#
# normalise_for_matching is, for almost every character, a map of single characters
# (drop a bullet, NFKC, keep letters, lower-case), so over a whole corpus it is one
# table lookup per code point. A character is *complex* when it may interact with
# its neighbours or maps to several characters: its decomposition starts with a
# combining mark or a character that composes with a preceding one (Hangul jamo,
# some Indic vowel signs), it yields Σ (whose lower case depends on the context,
# Final_Sigma) or several letters (ﬁ, ㍻). A text with a complex character is
# normalised by normalise_for_matching itself, so the result is always identical.

_DROP = 0  # table value: character removed (NUL itself is not a letter)
_COMPLEX = 0xFFFFFFFF  # table value: text must take the exact Python path
_UNKNOWN = 0xFFFFFFFE  # table value: not classified yet
_BMP_TABLE = np.full(0x10000, _UNKNOWN, dtype=np.uint32)
_ASTRAL: dict[int, int] = {}  # the same for code points beyond the BMP (rare)


@cache
def _composition_seconds() -> frozenset[int]:
    """Starters that canonically compose with a preceding character."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V, T
    for cp in range(0x30000):  # no canonical decomposition lies above U+2FFFF
        dec = unicodedata.decomposition(chr(cp))
        if dec and not dec.startswith("<"):
            parts = dec.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    return frozenset(seconds)


def _char_map(cp: int) -> int:
    """Table value of one code point: its normalised letter, _DROP or _COMPLEX."""
    if 0xD800 <= cp <= 0xDFFF:
        return _COMPLEX
    ch = chr(cp)
    if _BULLETS.match(ch):
        return _DROP
    first = unicodedata.normalize("NFKD", ch)[0]
    if unicodedata.combining(first) or ord(first) in _composition_seconds():
        return _COMPLEX
    out = "".join(c for c in unicodedata.normalize("NFKC", ch) if c.isalpha())
    if "\u03a3" in out:
        return _COMPLEX
    out = out.lower()
    if len(out) > 1:
        return _COMPLEX
    return ord(out) if out else _DROP


def _map_code_points(raw: np.ndarray) -> np.ndarray:
    """Table values of an array of code points, classifying unseen ones on the way."""
    bmp = raw < 0x10000
    all_bmp = bool(bmp.all())
    idx = raw if all_bmp else np.where(bmp, raw, 0)
    mapped = _BMP_TABLE[idx]
    unknown = mapped == _UNKNOWN
    if unknown.any():
        for cp in np.unique(idx[unknown]).tolist():
            _BMP_TABLE[cp] = _char_map(cp)
        mapped[unknown] = _BMP_TABLE[idx[unknown]]
    if not all_bmp:
        astral = raw[~bmp]
        values = np.unique(astral)
        for cp in values.tolist():
            if cp not in _ASTRAL:
                _ASTRAL[cp] = _char_map(cp)
        table = np.array([_ASTRAL[cp] for cp in values.tolist()], dtype=np.uint32)
        mapped[~bmp] = table[np.searchsorted(values, astral)]
    return mapped


def _to_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def offsets_from_lengths(lengths: np.ndarray) -> np.ndarray:
    """Offsets of packed items of these lengths: item ``k`` is ``[out[k], out[k + 1])``.

    Examples
    --------
    >>> offsets_from_lengths(np.array([2, 0, 3])).tolist()
    [0, 2, 2, 5]
    """
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def concat_consuming(pieces: list[np.ndarray], dtype: Any = np.uint16) -> np.ndarray:
    """``np.concatenate`` of ``pieces`` (at least ``dtype``), emptying the list as it goes.

    ``np.concatenate`` holds every piece and the whole at once: twice the data. Here
    each piece is freed once copied, and the result's pages are only touched as they
    are filled, so the peak is the data once plus one piece (at 1 GB, the texts the
    article search verifies are 400 MB).

    Examples
    --------
    >>> pieces = [np.array([1, 2], dtype=np.uint16), np.array([3], dtype=np.uint32)]
    >>> out = concat_consuming(pieces)
    >>> out.tolist(), out.dtype.name, pieces
    ([1, 2, 3], 'uint32', [])
    """
    out = np.empty(sum(len(p) for p in pieces), dtype=np.result_type(dtype, *pieces))
    at = 0
    pieces.reverse()
    while pieces:
        piece = pieces.pop()
        out[at : at + len(piece)] = piece
        at += len(piece)
        del piece
    return out


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[k] .. starts[k] + lengths[k] - 1`` of every k, concatenated.

    Examples
    --------
    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    first = offsets_from_lengths(lengths)[:-1]
    return np.repeat(starts - first, lengths) + np.arange(lengths.sum())


def gather_texts(cps: np.ndarray, offsets: np.ndarray, idx: np.ndarray):
    """Code points and offsets of the texts ``idx`` of a packed (cps, offsets)."""
    lens = offsets[idx + 1] - offsets[idx]
    return cps[concat_ranges(offsets[idx], lens)], offsets_from_lengths(lens)


def normalise_many(
    texts: Sequence[str], *, simplify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`normalise_for_matching` of every text, as one array of code points.

    Returns ``(cps, offsets, complex_)``: text ``i`` normalises to
    ``cps[offsets[i]:offsets[i + 1]]`` (uint32 code points), exactly as
    ``normalise_for_matching(texts[i], simplify=simplify)``; ``complex_[i]`` says
    the text holds a complex character (it was normalised in Python, and a
    concatenation of it with other texts must be too).
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if simplify:
        texts = to_simplified_many(texts)  # one OpenCC call, same as per text
    n = len(texts)
    bounds = offsets_from_lengths(np.fromiter(map(len, texts), dtype=np.int64, count=n))
    try:
        raw = _to_array("".join(texts))
    except UnicodeEncodeError:  # a lone surrogate: every text on the exact path
        return _from_strings([normalise_for_matching(t, simplify=False) for t in texts], True)
    mapped = _map_code_points(raw)
    bad = mapped == _COMPLEX
    any_bad = bool(bad.any())
    keep = mapped != _DROP
    if any_bad:
        keep &= ~bad
    kept = np.flatnonzero(keep)
    offsets = np.searchsorted(kept, bounds)  # kept characters before each text
    cps = mapped[kept]
    complex_ = np.zeros(n, dtype=bool)
    if any_bad:
        complex_ = np.diff(np.searchsorted(np.flatnonzero(bad), bounds)) > 0
        cps, offsets = splice_complex(cps, offsets, complex_, texts)
    return cps, offsets, complex_


def normalise_texts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`normalise_for_matching` (without OpenCC) of every text, packed.

    What a ``texts`` callback of :func:`duplicates_from_sketches` may return
    instead of the texts: a process that reads the texts can normalise them too,
    and send two arrays instead of the strings.

    Returns
    -------
    (cps, offsets)
        Text ``i`` normalises to ``cps[offsets[i]:offsets[i + 1]]``; ``cps`` is
        ``uint16`` when every code point is in the BMP, else ``uint32``.

    Examples
    --------
    >>> cps, offsets = normalise_texts(["干部，群众", "", "A-1"])
    >>> offsets.tolist(), "".join(map(chr, cps.tolist()))
    ([0, 4, 4, 5], '干部群众a')
    """
    cps, offsets, _ = normalise_many(texts, simplify=False)
    if not len(cps) or cps.max() < 0x10000:
        cps = cps.astype(np.uint16)
    return cps, offsets


def _from_strings(norm: list[str], complex_: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bounds = offsets_from_lengths(np.fromiter(map(len, norm), dtype=np.int64, count=len(norm)))
    return _to_array("".join(norm)), bounds, np.full(len(norm), complex_)


def splice_complex(
    cps: np.ndarray,
    offsets: np.ndarray,
    complex_: np.ndarray,
    texts: Sequence[str] | Mapping[int, str],
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the complex texts' table results by normalise_for_matching's.

    ``texts[i]`` is needed only for the complex texts ``i``.
    """
    pieces, lengths, done = [], np.diff(offsets), 0
    for i in np.flatnonzero(complex_).tolist():
        pieces.append(cps[offsets[done] : offsets[i]])
        exact = _to_array(normalise_for_matching(texts[i], simplify=False))
        pieces.append(exact)
        lengths[i] = len(exact)
        done = i + 1
    pieces.append(cps[offsets[done] :])
    return np.concatenate(pieces), offsets_from_lengths(lengths)
