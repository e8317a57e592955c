"""Keyness: the terms that distinguish one group of texts from the rest.

For each term, its count ``a`` in the target group (``c`` content tokens in all) and
``b`` in the reference (``d`` tokens) form the 2 × 2 table

=========  ======  =========
           target  reference
=========  ======  =========
term       a       b
not term   c − a   d − b
=========  ======  =========

whose log-likelihood ratio :math:`G^2 = 2 \\sum O \\ln(O/E)` (Dunning 1993) is
χ²-distributed with one degree of freedom under the null of equal relative
frequencies. ``formula="rayson"`` sums over the first row only, as Paul Rayson's
log-likelihood calculator (UCREL) does; the two differ by the non-term cells,
which are close to zero for rare terms. The effect size is Hardie's (2014) *log
ratio*, :math:`\\log_2` of the ratio of relative frequencies (1 = twice as frequent;
a zero count counts as 0.5, and never turns the ratio's sign against the counts), and
the p-values are adjusted for the number of terms
tested with Benjamini–Hochberg (:func:`workbench.network.significance.bh`).

Terms are the content tokens of :mod:`workbench.corpus.tokens` — jieba with the domain
dictionary, the project's stopword list, no punctuation or numbers — of the Simplified
``text`` (a pipeline table's ``tokens`` column is used when present). Analyses run on
de-duplicated segments (:meth:`workbench.corpus.Corpus.analysis_segments`), and headings
that only announce their section (存在的问题, 原因分析 …) are left out: their words say
which section follows, not what it says.

Examples
--------
>>> round(float(g2(10, 2, 1000, 1000)), 4), round(float(log_ratio(10, 2, 1000, 1000)), 4)
(5.8543, 2.3219)
>>> import pandas as pd
>>> seg = pd.DataFrame({"text": ["干部脱离群众。", "干部脱离群众,作风漂浮。", "坚持村务公开。",
...                              "坚持走访群众。"],
...                     "role": ["problem", "problem", "countermeasure", "countermeasure"]})
>>> keyness(seg, "role", target="problem", min_count=2)[["term", "count", "count_ref", "direction"]]
   term  count  count_ref direction
0    干部      2          0      over
1  脱离群众      2          0      over
2    坚持      0          2     under
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import xlogy

from workbench.groups import InputError, group_values, no_value_articles, no_value_note

#: Columns of :func:`keyness`, in order.
COLUMNS = [
    "group", "term", "count", "count_ref", "per_10k", "per_10k_ref",
    "g2", "p", "q", "log_ratio", "direction",
]  # fmt: skip

FORMULAS = ("dunning", "rayson")


def g2(a, b, c, d, *, formula: str = "dunning") -> np.ndarray:
    """Log-likelihood G² of a term's counts in two corpora.

    Parameters
    ----------
    a, b : array-like of int
        The term's count in the target and in the reference.
    c, d : array-like of int
        All (content) tokens in the target and in the reference.
    formula : {"dunning", "rayson"}
        ``"dunning"``: all four cells of the 2 × 2 table (equal to
        ``scipy.stats.chi2_contingency(..., lambda_="log-likelihood")`` without
        correction). ``"rayson"``: the term's two cells only, as Rayson's calculator.

    Returns
    -------
    ndarray of float
        G² (0 where the relative frequencies are equal); ``0 · ln 0`` counts as 0.

    Examples
    --------
    >>> round(float(g2(10, 2, 1000, 1000, formula="rayson")), 4)
    5.8221
    """
    if formula not in FORMULAS:
        raise ValueError(f"formula must be one of {FORMULAS}, not {formula!r}")
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    n = c + d
    e1, e2 = c * (a + b) / n, d * (a + b) / n
    out = xlogy(a, a / np.where(e1 > 0, e1, 1)) + xlogy(b, b / np.where(e2 > 0, e2, 1))
    if formula == "dunning":
        rest_a, rest_b = c - a, d - b
        e3, e4 = c * (n - a - b) / n, d * (n - a - b) / n
        out = out + xlogy(rest_a, rest_a / np.where(e3 > 0, e3, 1))
        out = out + xlogy(rest_b, rest_b / np.where(e4 > 0, e4, 1))
    return np.maximum(2.0 * out, 0.0)  # rounding can leave -1e-16 where G² is 0


def log_ratio(a, b, c, d, *, zero: float = 0.5) -> np.ndarray:
    """Hardie's log ratio: ``log2((a / c) / (b / d))``, a zero count replaced by ``zero``.

    The replaced zero is a bound, not a count: where the other side is smaller still (a
    term absent from a group of 40 tokens but seen 5 times in 3,000), it would give a term
    that never occurs in a group a positive log ratio. The ratio is then 0, so its sign
    never contradicts the counts (and :func:`compare`'s ``direction``).

    Examples
    --------
    >>> log_ratio([100, 100, 7], [50, 100, 0], 10_000, 10_000).tolist()
    [1.0, 0.0, 3.807354922057604]
    >>> log_ratio([0, 3], [5, 0], [40, 3_000], [3_000, 40]).tolist()  # 0.5/40 > 5/3000
    [0.0, 0.0]
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    ratio = np.log2((np.where(a > 0, a, zero) / c) / (np.where(b > 0, b, zero) / d))
    ratio = np.where(a > 0, ratio, np.minimum(ratio, 0.0))
    return np.where(b > 0, ratio, np.maximum(ratio, 0.0))


def segment_terms(
    segments: pd.DataFrame, *, stopwords: frozenset[str] | None = None, engine: str | None = None,
    whole: Sequence[str] = (),
) -> list[list[str]]:
    """The content tokens of each segment (stopwords, punctuation and numbers removed).

    Uses the table's ``tokens`` column when it has one (``workbench pipeline`` tables),
    else segments ``text`` with :func:`workbench.corpus.tokens.tokenize_many`. A phrase
    of ``whole`` that jieba cuts into consecutive tokens (民情日记 → 民情 / 日记) is one
    token again (:func:`join_phrases`), here only: the segmenter itself is not changed,
    so other analyses in the same process count as before.

    Examples
    --------
    >>> segment_terms(pd.DataFrame({"text": ["我们要坚持走群众路线!", ""]}))
    [['坚持', '走群众路线'], []]
    >>> segment_terms(pd.DataFrame({"tokens": [["推行", "民情", "日记", "制度"]]}),
    ...               whole=["民情日记"])
    [['推行', '民情日记', '制度']]
    """
    from workbench.corpus.tokens import is_content_token, load_stopwords, tokenize_many

    sw = load_stopwords() if stopwords is None else stopwords
    if "tokens" in segments.columns:
        lists = [list(t) if t is not None else [] for t in segments["tokens"]]
    else:
        lists = tokenize_many(segments["text"].fillna("").astype(str).tolist(), engine=engine)
    phrases = [p for p in dict.fromkeys(whole) if p]
    if phrases:
        lists = [join_phrases(toks, phrases) for toks in lists]
    return [[t for t in toks if is_content_token(t, sw)] for toks in lists]


def join_phrases(tokens: Sequence[str], phrases: Sequence[str]) -> list[str]:
    """``tokens`` with each run of consecutive tokens that spells one of ``phrases`` joined.

    Only runs whose boundaries are the phrase's: half a token is never taken, so
    ``情日`` is no phrase of ``民情 / 日记``. The first phrase that fits, left to right.

    Examples
    --------
    >>> join_phrases(["四", "议", "两", "公开", "制度"], ["四议两公开"])
    ['四议两公开', '制度']
    >>> join_phrases(["民情", "日记"], ["情日"])
    ['民情', '日记']
    """
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            j, spelt = i, ""
            while j < len(tokens) and len(spelt) < len(phrase) and \
                    phrase.startswith(spelt + tokens[j]):  # fmt: skip
                spelt += tokens[j]
                j += 1
            if spelt == phrase and j - i > 1:
                out.append(phrase)
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def content_mask(segments: pd.DataFrame, *, headings: bool = False) -> np.ndarray:
    """Which segments an analysis counts: all but headings that only announce their section.

    Parameters
    ----------
    segments : DataFrame
        Segments with ``text`` and ``is_heading`` (without ``is_heading``, all count).
    headings : bool, default False
        Count the announcing headings too (all True).

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["二、存在的问题", "干部脱离群众。"],
    ...                     "is_heading": [True, False]})
    >>> content_mask(seg).tolist()
    [False, True]
    """
    if headings:
        return np.ones(len(segments), dtype=bool)
    from workbench.corpus.structure import section_announcements

    return ~section_announcements(segments)


def content_segments(segments: pd.DataFrame, *, headings: bool = False) -> pd.DataFrame:
    """The rows of ``segments`` that :func:`content_mask` keeps."""
    return segments.loc[content_mask(segments, headings=headings)]


def _counts(terms: Sequence[list[str]], labels: np.ndarray) -> dict[object, Counter[str]]:
    out: dict[object, Counter[str]] = {}
    for toks, label in zip(terms, labels, strict=True):
        if pd.isna(label):
            continue
        out.setdefault(label, Counter()).update(toks)
    return out


def compare(
    target: Counter[str], reference: Counter[str], *, min_count: int = 5,
    formula: str = "dunning",
) -> pd.DataFrame:  # fmt: skip
    """Keyness of every term of two frequency lists (the ``group`` column left out).

    Parameters
    ----------
    target, reference : Counter
        Term counts of the target and of the reference corpus.
    min_count : int, default 5
        Terms with fewer occurrences in both together are not tested (nor counted
        in the BH adjustment).
    formula : {"dunning", "rayson"}
        See :func:`g2`.

    Returns
    -------
    DataFrame
        ``term, count, count_ref, per_10k, per_10k_ref, g2, p, q, log_ratio,
        direction`` (``over`` where the term is relatively more frequent in the target);
        terms over-used in the target first, by G² (largest first), then under-used ones
        by G² (smallest first); ties by term.

    Examples
    --------
    >>> t = compare(Counter({"群众": 30, "干部": 10}), Counter({"群众": 5, "干部": 20}))
    >>> t[["term", "direction"]].values.tolist()
    [['群众', 'over'], ['干部', 'under']]
    """
    from workbench.network.significance import bh

    c, d = sum(target.values()), sum(reference.values())
    terms = sorted(t for t in set(target) | set(reference)
                   if target.get(t, 0) + reference.get(t, 0) >= min_count)  # fmt: skip
    a = np.array([target.get(t, 0) for t in terms], dtype=np.int64)
    b = np.array([reference.get(t, 0) for t in terms], dtype=np.int64)
    if c == 0 or d == 0:
        terms, a, b = [], a[:0], b[:0]
    stat = g2(a, b, c, d, formula=formula)
    p = stats.chi2.sf(stat, 1)
    over = a * d >= b * c  # equal relative frequencies (G² = 0) count as over
    out = pd.DataFrame({
        "term": pd.Series(terms, dtype=object), "count": a, "count_ref": b,
        "per_10k": a / max(c, 1) * 1e4, "per_10k_ref": b / max(d, 1) * 1e4,
        "g2": stat, "p": p, "q": bh(p), "log_ratio": log_ratio(a, b, max(c, 1), max(d, 1)),
        "direction": np.where(over, "over", "under"),
    })  # fmt: skip
    signed = np.where(over, stat, -stat)
    out = out.assign(_s=-signed).sort_values(["_s", "term"], kind="stable").drop(columns="_s")
    return out.reset_index(drop=True)


def keyness(
    segments: pd.DataFrame,
    by: str | pd.Series,
    *,
    target: object | None = None,
    documents: pd.DataFrame | None = None,
    min_count: int = 5,
    formula: str = "dunning",
    headings: bool = False,
    terms: Sequence[list[str]] | None = None,
    too_few: str = "raise",
) -> pd.DataFrame:
    """Distinctive terms of each group (or of ``target``) against all other segments.

    Parameters
    ----------
    segments : DataFrame
        De-duplicated segments with ``text`` (or ``tokens``).
    by : str or Series
        A segments column (``role``, ``file``), a documents column (with ``documents``),
        or labels aligned with ``segments`` (e.g. :func:`workbench.groups.code_groups`).
        Segments with a missing label are left out.
    target : optional
        The group to describe; default every group in turn (sorted by value).
    documents : DataFrame, optional
        The documents table, for a documents or metadata column.
    min_count : int, default 5
        Minimum count of a term in target and reference together.
    formula : {"dunning", "rayson"}
        See :func:`g2`.
    headings : bool, default False
        Count headings that only announce their section.
    terms : list of list of str, optional
        Precomputed :func:`segment_terms` of ``segments`` (saves segmenting twice).
    too_few : {"raise", "note"}, default "raise"
        With fewer than two groups: raise :class:`InputError` (the command line), or
        return the empty table with the same message in ``.attrs["note"]`` (a report on a
        small corpus says what it cannot show instead of failing).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: for each group (sorted), the rows of :func:`compare` of the group
        against the rest. BH q is adjusted within each group's comparison.
        ``.attrs["left_out"]``: ``no_value``, the number of articles with no value of
        ``by`` (in no group; :func:`workbench.groups.no_value_articles`), their
        ``doc_ids``, and the ``articles`` with content segments in all;
        ``.attrs["top_term"]``: the commonest term of the groups and its ``count`` (what
        ``min_count`` is measured against), or ``None``; ``.attrs["note"]``: why there is
        no comparison (fewer than two groups, ``too_few="note"``), else ``None``.

    Raises
    ------
    InputError
        If the column is missing, ``target`` is not one of its values, or the column has
        fewer than two values (there would be nothing to compare with) and ``too_few`` is
        ``"raise"``.

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["群众很满意"], "role": ["other"], "is_heading": [False]})
    >>> table = keyness(seg, "role", too_few="note")
    >>> table.empty, table.attrs["note"].split(":")[0]
    (True, "column 'role' has one value among the content segments (other)")
    """
    if too_few not in ("raise", "note"):
        raise ValueError(f"too_few must be 'raise' or 'note', not {too_few!r}")
    labels = by if isinstance(by, pd.Series) else group_values(segments, by, documents)
    if len(labels) != len(segments):
        raise ValueError("the labels must be aligned with the segments")
    if terms is None:
        terms = segment_terms(segments)
    keep = content_mask(segments, headings=headings)
    terms = [t for t, k in zip(terms, keep, strict=True) if k]
    counts = _counts(terms, labels.to_numpy()[keep])
    groups = sorted(counts, key=str)
    # Articles with no value are in no group: counted, for the note every analysis gives.
    mask = np.asarray(keep, dtype=bool)
    content = segments.loc[mask]
    unvalued = no_value_articles(content, pd.Series(labels.to_numpy()[mask])) \
        if "doc_id" in segments else []  # fmt: skip
    total = int(content["doc_id"].nunique()) if "doc_id" in segments else 0
    left_out = {"no_value": len(unvalued), "doc_ids": unvalued, "articles": total}
    if target is not None:
        match = [g for g in groups if g == target or str(g) == str(target)]
        if not match:
            name = labels.name if labels.name is not None else "the grouping"
            raise InputError(f"no value {target!r} in column {name!r}; values: "
                             f"{', '.join(map(str, groups))}")  # fmt: skip
        groups = match
    if len(counts) < 2:
        # Against an empty reference every term would be "not distinctive": say so instead.
        name = labels.name if labels.name is not None else "the grouping"
        why = f" ({no_value_note(str(name), len(unvalued), left_out['articles'])})" \
            if unvalued else ""  # fmt: skip
        message = (f"column {name!r} has {'one value' if counts else 'no value'} among "
                   f"the content segments ({', '.join(map(str, groups)) or 'none'}){why}: "
                   "keyness compares a group with the rest, so it needs at least two "
                   "groups; choose another --by, or add texts")  # fmt: skip
        if too_few == "raise":
            raise InputError(message)
        table = pd.DataFrame({c: [] for c in COLUMNS})
        table.attrs.update(left_out=left_out, top_term=None, note=message)
        return table
    parts = []
    for g in groups:
        reference: Counter[str] = Counter()
        for other, cnt in counts.items():
            if other != g:
                reference.update(cnt)
        part = compare(counts[g], reference, min_count=min_count, formula=formula)
        part.insert(0, "group", g)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)[COLUMNS] if parts else \
        pd.DataFrame({c: [] for c in COLUMNS})  # fmt: skip
    table.attrs["left_out"] = left_out
    # The commonest term, for the message when no term reaches ``min_count``.
    total: Counter[str] = Counter()
    for cnt in counts.values():
        total.update(cnt)
    top = min(total.items(), key=lambda kv: (-kv[1], kv[0])) if total else None
    table.attrs["top_term"] = {"term": top[0], "count": int(top[1])} if top else None
    table.attrs["note"] = None
    return table


def top_terms(table: pd.DataFrame, n: int = 10, *, alpha: float | None = 0.05) -> pd.DataFrame:
    """The ``n`` most distinctive over-used terms of each group (q ≤ ``alpha`` if given).

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "a", "a"], "term": ["x", "y", "z"],
    ...                   "direction": ["over", "over", "under"], "q": [0.01, 0.2, 0.01]})
    >>> top_terms(t, 5)["term"].tolist()
    ['x']
    """
    keep = table["direction"] == "over"
    if alpha is not None:
        keep &= table["q"] <= alpha
    return table[keep].groupby("group", sort=False).head(n).reset_index(drop=True)


def terms_by_rank(terms: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame | None:
    """Side by side, each group's terms in their order: rank × group, ``""`` where none.

    For the tables that set the roles' terms next to each other (notebook 01): a group
    with fewer terms than another, or none at all (a role without a distinctive term),
    shows empty cells, not missing values.

    Parameters
    ----------
    terms : DataFrame
        ``group`` and ``term``, each group's rows in rank order (as :func:`top_terms`
        returns them).
    groups : sequence of str
        The columns, in order; groups of ``terms`` not named are left out.

    Returns
    -------
    DataFrame or None
        Indexed by ``rank`` (from 1), one column per group of ``groups``; ``None`` when
        ``terms`` is empty (no table to show).

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "a", "b"], "term": ["x", "y", "z"]})
    >>> terms_by_rank(t, ["a", "b", "c"]).to_dict("list")
    {'a': ['x', 'y'], 'b': ['z', ''], 'c': ['', '']}
    >>> terms_by_rank(t.iloc[:0], ["a"]) is None
    True
    """
    if terms.empty:
        return None
    ranked = terms.assign(rank=terms.groupby("group", sort=False).cumcount() + 1)
    table = ranked.pivot(index="rank", columns="group", values="term")
    table = table.reindex(columns=list(groups)).astype(object)
    return table.where(table.notna(), "")


__all__ = [
    "COLUMNS", "InputError", "compare", "content_mask", "content_segments", "g2", "keyness",
    "log_ratio", "segment_terms", "terms_by_rank", "top_terms",
]  # fmt: skip
