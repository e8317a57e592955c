"""Collocations of a term: the words found near it more often than chance.

Windows are counted on the content tokens of each segment (:func:`workbench.keyness.
segment_terms`: jieba with the domain dictionary, stopwords, punctuation and numbers
removed), ``window`` tokens to each side of every occurrence of the node term, within
its sentence. A position near two occurrences counts once, so the window positions
``W`` are a set, and for a collocate with ``f`` occurrences in the ``N`` content
tokens of the corpus, ``O`` of them in the window, the 2 × 2 table is

============  ======  ===============
              in W    elsewhere
============  ======  ===============
collocate     O       f − O
other tokens  W − O   N − W − f + O
============  ======  ===============

with expected count :math:`E = W f / N`. The statistics are its log-likelihood G²
(:func:`workbench.keyness.g2`, Dunning 1993), the one-sided direction (``O > E``
only, attraction), and pointwise mutual information :math:`\\log_2(O / E)` (Church and
Hanks 1990, with the window's span in ``E``, as Evert 2008 recommends for surface
co-occurrence). The node's own positions are neither window nor collocate.

Examples
--------
>>> import pandas as pd
>>> seg = pd.DataFrame({"tokens": [["干部", "深入", "基层", "联系", "群众"],
...                                ["群众", "路线", "走访", "群众"], ["干部", "走访", "基层"]]})
>>> collocations(seg, "群众", window=2, min_count=1)[["term", "count", "freq", "expected"]]
  term  count  freq  expected
0   联系      1     1  0.333333
1   路线      1     1  0.333333
2   基层      1     2  0.666667
3   走访      1     2  0.666667
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: Columns of :func:`collocations`, in order.
COLUMNS = ["term", "count", "freq", "expected", "g2", "p", "q", "pmi"]


def window_counts(
    terms: Sequence[Sequence[str]], node: str, window: int
) -> tuple[Counter[str], int, int]:
    """Collocate counts in the windows around ``node``.

    Parameters
    ----------
    terms : list of list of str
        Content tokens of each segment.
    node : str
        The node term (a token).
    window : int
        Tokens to each side.

    Returns
    -------
    counts : Counter
        Occurrences of each token in the window positions.
    positions : int
        Window positions ``W`` (each counted once).
    nodes : int
        Occurrences of the node.

    Examples
    --------
    >>> c, w, n = window_counts([["a", "x", "b", "x", "c", "d"]], "x", 1)
    >>> sorted(c.items()), w, n
    ([('a', 1), ('b', 1), ('c', 1)], 3, 2)
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    counts: Counter[str] = Counter()
    positions = nodes = 0
    for toks in terms:
        at = [i for i, t in enumerate(toks) if t == node]
        if not at:
            continue
        nodes += len(at)
        near: set[int] = set()
        for i in at:
            near.update(range(max(0, i - window), min(len(toks), i + window + 1)))
        near.difference_update(at)
        positions += len(near)
        counts.update(toks[i] for i in near)
    return counts, positions, nodes


def collocations(
    segments: pd.DataFrame,
    term: str,
    *,
    window: int = 5,
    min_count: int = 2,
    headings: bool = False,
    terms: Sequence[list[str]] | None = None,
) -> pd.DataFrame:
    """The collocates of ``term``, strongest first.

    Parameters
    ----------
    segments : DataFrame
        De-duplicated segments with ``text`` (or ``tokens``).
    term : str
        The node, in either script (a Traditional term is converted to Simplified): a
        jieba token of the corpus (群众), or consecutive tokens that spell it (民情日记, cut
        民情 / 日记, is then one token; :func:`workbench.keyness.join_phrases`), never half
        a token.
    window : int, default 5
        Content tokens to each side, within the sentence.
    min_count : int, default 2
        Minimum co-occurrences of a collocate.
    headings : bool, default False
        Count headings that only announce their section.
    terms : list of list of str, optional
        Precomputed :func:`workbench.keyness.segment_terms` of ``segments``.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``count`` (in the windows), ``freq`` (in the corpus), ``expected``,
        ``g2`` (0 for collocates found less often than expected), its ``p`` and BH ``q``
        over the collocates reported, ``pmi``; sorted by G² (largest first), then term.
        Empty when the term never occurs. ``.attrs``: ``term`` (Simplified),
        ``occurrences`` (as a token), ``inside`` (the longer tokens holding it, e.g.
        脱离群众, with their counts: not counted here), ``top_collocate`` (the most frequent
        one with its ``count``, whatever ``min_count``; ``None`` when there is none).

    Examples
    --------
    >>> seg = pd.DataFrame({"tokens": [["干部", "联系", "群众"], ["干部", "脱离群众"]]})
    >>> t = collocations(seg, "群众", window=2, min_count=1)
    >>> t.attrs["occurrences"], t.attrs["inside"], t.attrs["top_collocate"]
    (1, {'脱离群众': 1}, {'term': '干部', 'count': 1})
    """
    from workbench.corpus.script import to_simplified
    from workbench.keyness import content_mask, g2, segment_terms
    from workbench.network.significance import bh

    node = to_simplified(term.strip())
    if terms is None:
        # A term jieba cuts (民情日记 → 民情 / 日记) is the node wherever its tokens spell it.
        terms = segment_terms(segments, whole=[node])
    if not headings:
        keep = content_mask(segments)
        terms = [t for t, k in zip(terms, keep, strict=True) if k]
    counts, w, nodes = window_counts(terms, node, window)
    freq: Counter[str] = Counter()
    for toks in terms:
        freq.update(toks)
    # The node inside longer tokens (脱离群众 for 群众): kwic finds them, the windows do not.
    inside = Counter({t: c for t, c in freq.items() if node and node in t and t != node})
    n = sum(freq.values())
    rows = sorted((t, c) for t, c in counts.items() if c >= min_count and t != node)
    words = [t for t, _ in rows]
    o = np.array([c for _, c in rows], dtype=np.float64)
    f = np.array([freq[t] for t in words], dtype=np.float64)
    e = w * f / n if n else f
    # The 2 × 2 table as keyness sees it: "target" = window positions, "reference" = the rest.
    stat = g2(o, f - o, w, n - w) if len(o) else o
    stat = np.where(o > e, stat, 0.0)
    p = np.where(o > e, stats.chi2.sf(stat, 1), 1.0)
    out = pd.DataFrame({
        "term": pd.Series(words, dtype=object), "count": o.astype(np.int64),
        "freq": f.astype(np.int64), "expected": e, "g2": stat, "p": p, "q": bh(p),
        "pmi": np.log2(o / e) if len(o) else o,
    })  # fmt: skip
    out = out.assign(_g=-out["g2"]).sort_values(["_g", "term"], kind="stable")
    out = out.drop(columns="_g").reset_index(drop=True)
    top = min(counts.items(), key=lambda kv: (-kv[1], kv[0])) if counts else None
    out.attrs.update({
        "term": node, "occurrences": nodes,
        "inside": {t: int(c) for t, c in sorted(inside.items(), key=lambda kv: (-kv[1], kv[0]))},
        "top_collocate": {"term": top[0], "count": int(top[1])} if top else None,
    })  # fmt: skip
    return out


__all__ = ["COLUMNS", "collocations", "window_counts"]
