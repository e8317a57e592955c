"""Keyword in context (concordance) over a table of sentences.

Searching runs on the Simplified text of each segment, so one Simplified query
finds a term in texts of either script, and a Traditional query is converted
first (幹群關係 finds 干群关系). Each hit keeps the segment's original-script
sentence for quoting.

Examples
--------
>>> import pandas as pd
>>> segments = pd.DataFrame({
...     "segment_id": ["s1", "s2"],
...     "text": ["如何改善干群关系", "干群关系紧张,干群矛盾突出"],
...     "text_orig": ["如何改善干群關系", "干群关系紧张,干群矛盾突出"],
... })
>>> hits = kwic(segments, "幹群關係", width=4)
>>> hits[["left", "match", "right", "segment_id"]].values.tolist()
[['如何改善', '干群关系', '', 's1'], ['', '干群关系', '紧张,干', 's2']]
>>> hits["text_orig"].tolist()
['如何改善干群關系', '干群关系紧张,干群矛盾突出']
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.script import to_simplified

#: Output columns of :func:`kwic`, in order.
KWIC_COLUMNS = ("term", "left", "match", "right", "segment_id", "text_orig")


def _compile(term: str | re.Pattern[str]) -> tuple[str, re.Pattern[str]]:
    """Return the label shown in the ``term`` column and the pattern to search with."""
    if isinstance(term, re.Pattern):
        return term.pattern, term
    if not isinstance(term, str) or not term:
        raise ValueError("term must be a non-empty string or a compiled pattern")
    simplified = to_simplified(term)
    return simplified, re.compile(re.escape(simplified))


def kwic(
    segments: pd.DataFrame,
    term: str | re.Pattern[str],
    *,
    width: int = 15,
    text_col: str = "text",
    orig_col: str = "text_orig",
    id_col: str = "segment_id",
) -> pd.DataFrame:
    """Find every occurrence of ``term`` with up to ``width`` characters of context.

    Parameters
    ----------
    segments : pandas.DataFrame
        One row per sentence, in corpus order, with ``id_col``, ``text_col``
        (Simplified) and ``orig_col`` (original script). Missing text never matches.
    term : str or re.Pattern
        A literal term, converted to Simplified with
        :func:`workbench.script.to_simplified`, or a compiled regular expression
        used as given (write it in Simplified). Empty matches are skipped.
    width : int, default 15
        Maximum characters of context on each side, taken from the same sentence.
    text_col, orig_col, id_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per non-overlapping match, ordered by segment then position, with
        columns ``term`` (the Simplified term, or the pattern's source), ``left``,
        ``match``, ``right``, ``segment_id`` and ``text_orig``. With no match the
        frame is empty but has the same columns.

    Raises
    ------
    ValueError
        If ``term`` is empty or ``width`` is negative.

    Examples
    --------
    >>> segments = pd.DataFrame({"segment_id": [1], "text": ["反对形式主义和官僚主义"],
    ...                          "text_orig": ["反對形式主義和官僚主義"]})
    >>> hits = kwic(segments, re.compile("(形式|官僚)主义"), width=2)
    >>> hits[["term", "left", "match", "right"]].values.tolist()
    [['(形式|官僚)主义', '反对', '形式主义', '和官'], ['(形式|官僚)主义', '义和', '官僚主义', '']]
    >>> kwic(segments, "群众").empty
    True
    """
    if width < 0:
        raise ValueError(f"width must be >= 0, got {width}")
    label, pattern = _compile(term)
    rows: list[int] = []
    left: list[str] = []
    match: list[str] = []
    right: list[str] = []
    for pos, text in enumerate(segments[text_col]):
        if not isinstance(text, str):
            continue
        for m in pattern.finditer(text):
            if m.start() == m.end():
                continue
            rows.append(pos)
            left.append(text[max(0, m.start() - width) : m.start()])
            match.append(m.group())
            right.append(text[m.end() : m.end() + width])
    picked = segments.iloc[rows]
    return pd.DataFrame(
        {
            "term": pd.Series([label] * len(rows), dtype="str"),
            "left": pd.Series(left, dtype="str"),
            "match": pd.Series(match, dtype="str"),
            "right": pd.Series(right, dtype="str"),
            "segment_id": picked[id_col].reset_index(drop=True),
            "text_orig": picked[orig_col].reset_index(drop=True),
        }
    )
