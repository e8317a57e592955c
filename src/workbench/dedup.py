"""Exact and near-duplicate detection over ordered text units.

Web-collected Chinese texts repeat themselves: a page may contain its own body
twice, and the same essay circulates in Simplified and Traditional script on
different sites. Units (paragraphs or whole articles) are compared after
:func:`normalise_for_matching`, which converts to Simplified script and keeps only
letters, so punctuation style, numbering and script do not hide a copy.

* **Exact** duplicates have equal normalised text (found by hashing).
* **Near** duplicates have a Jaccard similarity of character n-gram shingle sets
  of at least ``threshold``. Candidates come from an inverted index over a
  *prefix* of each unit's shingles (rarest first; the prefix-filtering principle
  guarantees that any pair reaching the threshold shares a prefix shingle), then
  every candidate is verified with the exact Jaccard, so no pair is missed and the
  cost stays far below comparing all pairs.

Units are in corpus order and the earliest unit of a group is *canonical*.
Matching is single-link: a unit that matches any earlier unit joins that unit's
group, and ``dup_of`` always names the group's canonical unit, never an
intermediate one.

Examples
--------
>>> import pandas as pd
>>> units = pd.DataFrame({
...     "id": ["a", "b", "c", "d"],
...     "text": ["密切联系群众是我们党的优良传统。",
...              "一、",
...              "密切聯繫群眾，是我們黨的優良傳統！",
...              "密切联系群众是我们党的优良作风。"],
... })
>>> find_duplicates(units, threshold=0.6)
  id dup_of   kind  similarity
0  c      a  exact      1.0000
1  d      a   near      0.6923
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

import pandas as pd

from workbench.script import to_simplified

#: Output columns of :func:`find_duplicates`, in order.
DUPLICATE_COLUMNS = ("id", "dup_of", "kind", "similarity")

# Enclosed numbers/ideographs and Roman numerals are list bullets (①, ㈠, Ⅲ). They
# go before NFKC, which would otherwise turn ㈠ into "(一)" and keep the 一.
_BULLETS = re.compile(r"[\u2160-\u217f\u2460-\u24ff\u2776-\u2793\u3220-\u3247\u3280-\u32b0]")

# After NFKC, anything that is not a word character, plus digits and underscore.
_NON_LETTERS = re.compile(r"[\W\d_]+")

# Guards ceil(threshold * n) against binary-fraction error (0.7 * 10 = 7.000000001),
# which would shorten the prefix and could drop a pair exactly at the threshold.
_EPS = 1e-9


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


def shingles(normalised: str, ngram: int = 5) -> frozenset[str]:
    """Set of character ``ngram``-grams of an already normalised text.

    A text shorter than ``ngram`` (but not empty) is its own single shingle, so
    short texts still compare equal to themselves.

    Examples
    --------
    >>> sorted(shingles("干群关系紧张", 5))
    ['干群关系紧', '群关系紧张']
    >>> shingles("干群", 5)
    frozenset({'干群'})
    >>> shingles("", 5)
    frozenset()
    """
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    if len(normalised) < ngram:
        return frozenset([normalised]) if normalised else frozenset()
    return frozenset(normalised[i : i + ngram] for i in range(len(normalised) - ngram + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets (0.0 when both are empty).

    Examples
    --------
    >>> jaccard(frozenset("abc"), frozenset("bcd"))
    0.5
    """
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: str, b: str, ngram: int = 5) -> float:
    """Share of ``a``'s shingles that also occur in ``b``.

    Unlike Jaccard this is asymmetric, so it detects an article quoted in full
    inside a longer one. Both texts are normalised with
    :func:`normalise_for_matching` first.

    Parameters
    ----------
    a, b : str
        Raw texts; ``a`` is the one whose coverage is measured.
    ngram : int, default 5
        Shingle length in characters.

    Returns
    -------
    float
        In [0, 1]; 0.0 when ``a`` has no letters.

    Examples
    --------
    >>> containment("干群关系紧张", "当前幹群關係緊張的原因")
    1.0
    >>> containment("当前干群关系紧张的原因", "干群关系紧张")
    0.2857
    """
    sa = shingles(normalise_for_matching(a), ngram)
    if not sa:
        return 0.0
    sb = shingles(normalise_for_matching(b), ngram)
    return round(len(sa & sb) / len(sa), 4)


def _prefix_length(size: int, threshold: float) -> int:
    """How many rarest shingles must be indexed so no pair at ``threshold`` is missed.

    If J(A, B) >= t then |A & B| >= t * max(|A|, |B|), so A and B share at least one
    of the first ``|A| - ceil(t * |A|) + 1`` shingles of each set under any fixed
    global order (prefix filtering, Chaudhuri et al. 2006).
    """
    return size - math.ceil(threshold * size - _EPS) + 1


def _document_frequencies(sets: Sequence[frozenset[str]]) -> Counter[str]:
    df: Counter[str] = Counter()
    for s in sets:
        df.update(s)
    return df


def _near_groups(sets: Sequence[frozenset[str]], threshold: float) -> list[int]:
    """Position of each set's canonical set (itself when it matches no earlier set).

    ``sets`` are the shingle sets of distinct normalised texts in first-occurrence
    order. A set joins the group of the earliest canonical among the earlier sets
    whose Jaccard with it reaches ``threshold`` (single-link).
    """
    df = _document_frequencies(sets)
    index: defaultdict[str, list[int]] = defaultdict(list)
    canon: list[int] = []
    for i, s in enumerate(sets):
        # One total order shared by all sets (prefix filtering needs that): rarest
        # shingles first, which keeps posting lists short; ties by the shingle itself.
        ordered = sorted(s, key=lambda sh: (df[sh], sh))
        prefix = ordered[: _prefix_length(len(s), threshold)]
        candidates: set[int] = set()
        for sh in prefix:
            candidates.update(index[sh])
        best = i
        for j in candidates:
            # Skip candidates that cannot improve on the best canonical so far, and
            # apply the length filter (J <= min/max size) before the set operation.
            if (
                canon[j] >= best
                or min(len(s), len(sets[j])) < threshold * max(len(s), len(sets[j])) - _EPS
            ):
                continue
            if jaccard(s, sets[j]) >= threshold - _EPS:
                best = canon[j]
        canon.append(best)
        for sh in prefix:
            index[sh].append(i)
    return canon


def _empty_result(ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ids.iloc[:0].reset_index(drop=True),
            "dup_of": ids.iloc[:0].reset_index(drop=True),
            "kind": pd.Series([], dtype="str"),
            "similarity": pd.Series([], dtype="float64"),
        }
    )


def find_duplicates(
    units: pd.DataFrame,
    *,
    id_col: str = "id",
    text_col: str = "text",
    threshold: float = 0.8,
    ngram: int = 5,
    min_chars: int = 12,
) -> pd.DataFrame:
    """Find exact and near-duplicate units; the earliest unit of a group is canonical.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit, in corpus order, with a unique ``id_col`` and a
        ``text_col`` in any script (missing text counts as empty).
    id_col, text_col : str
        Column names.
    threshold : float, default 0.8
        Minimum Jaccard similarity of shingle sets for a near duplicate, in (0, 1].
    ngram : int, default 5
        Shingle length in characters of normalised text.
    min_chars : int, default 12
        Units whose normalised text is shorter are never matched, so headings
        such as "一、" or "二、原因分析" are not reported as duplicates.

    Returns
    -------
    pandas.DataFrame
        One row per duplicate unit, in input order, with columns ``id``,
        ``dup_of`` (id of the canonical, i.e. earliest, unit of its group),
        ``kind`` (``"exact"`` when the normalised texts of ``id`` and ``dup_of``
        are equal, else ``"near"``) and ``similarity`` (Jaccard of the two units'
        shingle sets, rounded to 4 decimals; 1.0 for exact). Because matching is
        single-link, a unit linked to the canonical only through an intermediate
        near duplicate (a ≈ b ≈ c) can have a similarity below ``threshold``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        If ids are not unique or a parameter is out of range.

    Examples
    --------
    >>> units = pd.DataFrame({"id": [1, 2, 3],
    ...                       "text": ["干部要深入基层联系群众。", "其他内容完全不同的段落。",
    ...                                "幹部要深入基層聯繫群眾"]})
    >>> find_duplicates(units, min_chars=8)
       id  dup_of   kind  similarity
    0   3       1  exact         1.0
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    ids = units[id_col]
    if not ids.is_unique:
        raise ValueError(f"column {id_col!r} has repeated ids")
    texts = units[text_col].astype(object).where(units[text_col].notna(), "")
    norm = [normalise_for_matching(str(t)) for t in texts]

    # Exact step: each distinct long normalised text, in first-occurrence order.
    first_pos: dict[str, int] = {}
    for pos, text in enumerate(norm):
        if len(text) >= min_chars:
            first_pos.setdefault(text, pos)
    distinct = list(first_pos)
    sets = [shingles(t, ngram) for t in distinct]
    canon = _near_groups(sets, threshold)
    slot = {t: k for k, t in enumerate(distinct)}

    rows: list[tuple[int, int, str, float]] = []
    for pos, text in enumerate(norm):
        k = slot.get(text)
        if k is None:
            continue
        c = canon[k]
        canon_pos = first_pos[distinct[c]]
        if canon_pos == pos:
            continue
        if c == k:
            rows.append((pos, canon_pos, "exact", 1.0))
        else:
            rows.append((pos, canon_pos, "near", round(jaccard(sets[k], sets[c]), 4)))
    if not rows:
        return _empty_result(ids)
    pos_, canon_pos_, kind, similarity = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "id": ids.iloc[list(pos_)].reset_index(drop=True),
            "dup_of": ids.iloc[list(canon_pos_)].reset_index(drop=True),
            "kind": pd.Series(kind, dtype="str"),
            "similarity": pd.Series(similarity, dtype="float64"),
        }
    )
