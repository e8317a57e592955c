"""Apply a codebook to a corpus at a chosen unit.

Rules are matched sentence by sentence (each segment with its Simplified text,
section role and heading flag); a paragraph, section or article carries the codes of
its sentences. The result is a long table — one row per (unit, code) with the
matched ``terms`` and the ``spans`` (``segment_id:start-end`` in the Simplified
text) — and a sparse unit × code matrix, both traceable to quotes in either script
(:func:`evidence`).

Unit ids: ``sentence`` → ``segment_id``; ``paragraph`` → ``paragraph_id``;
``section`` → ``<doc_id>/§<section>`` (``§0`` before the first heading);
``article`` → ``doc_id``. :attr:`Coding.units` maps each unit to its segments.

Examples
--------
>>> import pandas as pd
>>> from workbench.coding.codebook import load_codebook
>>> seg = pd.DataFrame({
...     "segment_id": ["d/a1/p001/s01", "d/a1/p002/s01"], "doc_id": ["d/a1"] * 2,
...     "paragraph_id": ["d/a1/p001", "d/a1/p002"], "section": ["1", "2"],
...     "role": ["cause", "countermeasure"], "is_heading": [False, False],
...     "text": ["一些地方监督弱化,考核不力。", "切实加强监督考核。"],
...     "text_orig": ["一些地方監督弱化,考核不力。", "切實加強監督考核。"]})
>>> res = code_segments(seg, load_codebook())
>>> for row in res.long[["unit_id", "code", "terms"]].values.tolist():
...     print(*row)
d/a1/p001/s01 C_oversight 监督; 考核
d/a1/p002/s01 M_oversight 监督; 考核
>>> res.matrix.shape
(2, 50)
>>> evidence(res, seg).loc[0, "quote_orig"]
'監督; 考核'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.coding.codebook import Codebook
from workbench.coding.prefilter import Prefilter
from workbench.coding.rules import Sentence

UNITS = ("sentence", "paragraph", "section", "article")
LONG_COLUMNS = ["unit_id", "code", "category", "terms", "spans"]


@dataclass
class Coding:
    """The result of coding: long table, sparse matrix and the unit index.

    Attributes
    ----------
    long : DataFrame
        ``unit_id, code, category, terms, spans``; units in corpus order, codes in
        codebook order.
    matrix : scipy.sparse.csr_matrix
        Units × codes, 1 where the unit has the code (rows follow ``units``,
        columns ``codes``).
    units : DataFrame
        ``unit_id, doc_id, role, segment_ids, n_segments`` for every unit, coded or not.
    codes : list of str
        Code ids (matrix columns) in codebook order.
    unit : str
        The unit used.
    """

    long: pd.DataFrame
    matrix: sparse.csr_matrix
    units: pd.DataFrame
    codes: list[str]
    unit: str

    def frame(self) -> pd.DataFrame:
        """The matrix as a dense 0/1 DataFrame indexed by ``unit_id`` (small corpora)."""
        return pd.DataFrame(self.matrix.toarray(), index=self.units["unit_id"], columns=self.codes)

    def categories(self, codebook: Codebook) -> pd.DataFrame:
        """Units × categories: 1 where the unit has at least one code of the category."""
        dense = self.frame()
        out = pd.DataFrame(index=dense.index)
        for cat in codebook.categories:
            cols = [c.id for c in codebook.codes if c.category == cat]
            out[cat] = dense[cols].max(axis=1).astype("int64")
        return out


def unit_ids(segments: pd.DataFrame, unit: str) -> pd.Series:
    """The id of the ``unit`` each segment belongs to.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["d/a1/p001/s01"], "doc_id": ["d/a1"],
    ...                     "paragraph_id": ["d/a1/p001"], "section": [""]})
    >>> [unit_ids(seg, u)[0] for u in UNITS]
    ['d/a1/p001/s01', 'd/a1/p001', 'd/a1/§0', 'd/a1']
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, not {unit!r}")
    if unit == "sentence":
        return segments["segment_id"].astype(str)
    if unit == "paragraph":
        return segments["paragraph_id"].astype(str)
    if unit == "article":
        return segments["doc_id"].astype(str)
    section = segments["section"].fillna("").astype(str).replace("", "0")
    return segments["doc_id"].astype(str) + "/§" + section


def _sentence_hits(
    segments: pd.DataFrame, codebook: Codebook, prefilter: bool = True
) -> list[tuple[int, int, list]]:
    """(segment position, code index, spans) for every sentence-level match.

    With ``prefilter``, one Aho–Corasick scan per sentence picks the codes that can
    match (:class:`~workbench.coding.prefilter.Prefilter`); only their rules are
    evaluated. The hits are the same either way.
    """
    hits = []
    codes = codebook.codes
    every = range(len(codes))
    candidates = Prefilter(codebook).candidates if prefilter else None
    # Plain lists: iterating pandas' Arrow-backed string columns costs more per item.
    columns = zip(
        segments["text"].tolist(), segments["role"].tolist(), segments["is_heading"].tolist(),
        strict=True,
    )  # fmt: skip
    for pos, (text, role, heading) in enumerate(columns):
        if not isinstance(text, str) or not text:
            continue
        s = Sentence(text, str(role), bool(heading))
        for ci in candidates(text) if candidates is not None else every:
            spans = codes[ci].match(s)
            if spans is not None:
                hits.append((pos, ci, spans))
    return hits


def _first_valid(current: object, value: object) -> object:
    """Keep the first non-missing value, as ``groupby().first()`` does."""
    return value if current is None and not pd.isna(value) else current


def _unit_table(segments: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    # One pass over plain lists in first-appearance order (what groupby(sort=False)
    # gives): a pandas groupby with a Python join per group dominated coding time.
    units: dict[str, list] = {}
    columns = zip(
        ids.tolist(), segments["doc_id"].tolist(), segments["role"].tolist(),
        segments["segment_id"].tolist(), strict=True,
    )  # fmt: skip
    for uid, doc, role, sid in columns:
        u = units.setdefault(uid, [None, None, []])
        u[0], u[1] = _first_valid(u[0], doc), _first_valid(u[1], role)
        u[2].append(sid)
    return pd.DataFrame({
        "unit_id": list(units),
        "doc_id": [u[0] for u in units.values()],
        # A section or article can mix roles; the first sentence's role stands for it.
        "role": [u[1] for u in units.values()],
        "segment_ids": [" ".join(u[2]) for u in units.values()],
        "n_segments": np.array([len(u[2]) for u in units.values()], dtype=np.int64),
    })  # fmt: skip


def code_segments(
    segments: pd.DataFrame, codebook: Codebook, unit: str = "sentence", *, prefilter: bool = True
) -> Coding:
    """Code ``segments`` with ``codebook`` at ``unit``.

    Parameters
    ----------
    segments : DataFrame
        The corpus segments table (or :meth:`Corpus.analysis_segments`), in corpus
        order, with ``segment_id, doc_id, paragraph_id, section, role, is_heading,
        text``.
    codebook : Codebook
    unit : {"sentence", "paragraph", "section", "article"}
    prefilter : bool
        Evaluate only the codes whose literals occur in a sentence, found by one
        multi-pattern scan (:mod:`workbench.coding.prefilter`); ``False`` evaluates
        every code on every sentence. The result is identical.

    Returns
    -------
    Coding
    """
    segments = segments.reset_index(drop=True)
    ids = unit_ids(segments, unit)
    units = _unit_table(segments, ids)
    unit_list = units["unit_id"].tolist()
    row_of = {u: i for i, u in enumerate(unit_list)}
    seg_ids = segments["segment_id"].astype(str).tolist()
    id_list = ids.tolist()
    cells: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
    for pos, ci, spans in _sentence_hits(segments, codebook, prefilter):
        key = (row_of[id_list[pos]], ci)
        terms, where = cells.setdefault(key, ([], []))
        for start, end, text in spans:
            terms.append(text)
            where.append(f"{seg_ids[pos]}:{start}-{end}")
    keys = sorted(cells)
    long = pd.DataFrame(
        [
            {
                "unit_id": unit_list[r],
                "code": codebook.codes[c].id,
                "category": codebook.codes[c].category,
                "terms": "; ".join(dict.fromkeys(cells[(r, c)][0])),
                "spans": "; ".join(cells[(r, c)][1]),
            }
            for r, c in keys
        ],
        columns=LONG_COLUMNS,
    )
    rows = np.array([r for r, _ in keys], dtype=np.int64)
    cols = np.array([c for _, c in keys], dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(keys), dtype=np.int8), (rows, cols)), shape=(len(units), len(codebook.codes))
    )
    return Coding(long=long, matrix=matrix, units=units, codes=codebook.ids, unit=unit)


def evidence(coding: Coding, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per span of the long table, with its quote in both scripts.

    Returns
    -------
    DataFrame
        ``unit_id, code, segment_id, start, end, quote, quote_orig, text_orig``.
        ``quote_orig`` is cut from ``text_orig`` at the same offsets when the two
        scripts have the same length (OpenCC maps character for character), and is
        the whole original sentence otherwise.
    """
    seg = segments.set_index("segment_id")
    rows = []
    for r in coding.long.itertuples(index=False):
        for span in r.spans.split("; "):
            sid, _, pos = span.rpartition(":")
            start, end = (int(x) for x in pos.split("-"))
            text, orig = seg.at[sid, "text"], seg.at[sid, "text_orig"]
            same = isinstance(orig, str) and len(orig) == len(text)
            rows.append({
                "unit_id": r.unit_id, "code": r.code, "segment_id": sid, "start": start,
                "end": end, "quote": text[start:end],
                "quote_orig": orig[start:end] if same else orig, "text_orig": orig,
            })  # fmt: skip
    out = pd.DataFrame(rows)
    # Collapse to one row per (unit, code, segment) so a code's quotes read together.
    if out.empty:
        return out
    keys = ["unit_id", "code", "segment_id"]
    return (
        out.groupby(keys, sort=False)
        .agg(start=("start", "min"), end=("end", "max"), quote=("quote", "; ".join),
             quote_orig=("quote_orig", "; ".join), text_orig=("text_orig", "first"))
        .reset_index()
    )  # fmt: skip
