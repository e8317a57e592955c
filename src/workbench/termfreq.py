"""Term frequencies over segments, overall or by a grouping column.

Terms are :func:`workbench.corpus.tokens.content_tokens` of the Simplified ``text``
(stopwords, punctuation and numbers removed). Ties are broken by the term itself,
so tables are identical from run to run.

Examples
--------
>>> import pandas as pd
>>> segs = pd.DataFrame({
...     "role": ["problem", "problem", "countermeasure"],
...     "text": ["干部脱离群众。", "脱离群众,走马观花。", "坚持村务公开。"],
... })
>>> term_frequencies(segs, by="role", top=2)
             role  term  count  share
0  countermeasure    坚持      1   0.50
1  countermeasure  村务公开      1   0.50
2         problem  脱离群众      2   0.50
3         problem    干部      1   0.25
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from workbench.corpus.tokens import content_tokens

COLUMNS = ["term", "count", "share"]


def _count(texts: pd.Series) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        if isinstance(text, str):  # a missing text has no terms (it raised a TypeError)
            counts.update(content_tokens(text))
    return counts


def _top(counts: Counter[str], top: int) -> pd.DataFrame:
    total = sum(counts.values())
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    df = pd.DataFrame(rows, columns=["term", "count"])
    df["share"] = (df["count"] / total).round(4) if total else 0.0
    return df


def term_frequencies(
    segments: pd.DataFrame, *, by: str | None = None, top: int = 20, text_col: str = "text",
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Top ``top`` content terms, overall or within each value of column ``by``.

    ``share`` is the term's count over all content tokens of its group. Groups are
    sorted by their value; segments without a value of ``by`` are a group of their own
    (a missing value, last), not left out. ``by`` is a segments column or, as keyness
    reads it (:func:`workbench.groups.group_values`), a column of ``documents`` (a
    metadata ``genre``) or ``year``; a column neither table has raises
    :class:`workbench.groups.InputError` naming the columns there are (it was a KeyError).

    Examples
    --------
    >>> segs = pd.DataFrame({"role": ["problem", None], "text": ["脱离群众。", "村务公开。"]})
    >>> term_frequencies(segs, by="role")[["role", "term", "count"]].to_dict("list")
    {'role': ['problem', nan], 'term': ['脱离群众', '村务公开'], 'count': [1, 1]}
    >>> segs["doc_id"] = ["a/a1", "b/a1"]
    >>> docs = pd.DataFrame({"doc_id": ["a/a1", "b/a1"], "genre": ["report", "news"]})
    >>> term_frequencies(segs, by="genre", documents=docs)[["genre", "term"]].to_dict("list")
    {'genre': ['news', 'report'], 'term': ['村务公开', '脱离群众']}
    """
    if by is None:
        return _top(_count(segments[text_col]), top)
    from workbench.groups import group_values

    values = group_values(segments, by, documents).rename(by)
    parts = []
    for key, grp in segments.groupby(values, sort=True, dropna=False):
        part = _top(_count(grp[text_col]), top)
        part.insert(0, by, key)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[by, *COLUMNS])
    return pd.concat(parts, ignore_index=True)
