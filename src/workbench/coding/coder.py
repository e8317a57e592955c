"""Apply a codebook to a corpus at a chosen unit.

Rules are matched sentence by sentence (each segment with its Simplified text,
section role and heading flag); a paragraph, section or article carries the codes of
its sentences. The result is a long table — one row per (unit, code) with the
matched ``terms`` and the ``spans`` (``segment_id:start-end`` in the Simplified
text) — and a sparse unit × code matrix, both traceable to quotes in either script
(:func:`evidence`). All sentences are matched at once from one scan of their joined
texts (:class:`~workbench.coding.prefilter.Scan`), with the same result as matching
them one at a time (``prefilter=False``).

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

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from workbench.coding.codebook import Codebook
from workbench.coding.prefilter import Scan, unique
from workbench.coding.rules import PLAIN_KIND, Node, Sentence

UNITS = ("sentence", "paragraph", "section", "article")
#: The dtype pandas gives a column built from a list of str (Arrow-backed with pyarrow).
_STR = pd.Series(["x"]).dtype
LONG_COLUMNS = ["unit_id", "code", "category", "terms", "spans"]


@dataclass
class Coding:
    """The result of coding: long table, sparse matrix and the unit index.

    Attributes
    ----------
    long : DataFrame
        ``unit_id, code, category, terms, spans``; units in corpus order, codes in
        codebook order. ``terms`` and ``spans`` are ``""`` where the code's rule fired on
        conditions that quote nothing (``quote: false``: "a sentence of a cause section").
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

    def __repr__(self) -> str:
        """What a notebook shows for a coding: its size in counts, not three tables.

        Examples
        --------
        >>> m = sparse.csr_matrix(np.array([[1, 1], [0, 0], [0, 1]], dtype=np.int8))
        >>> Coding(None, m, None, ["P_a", "C_b"], "sentence")
        Coding: 3 sentence units x 2 codes, 2 units coded, 3 codes assigned
        """
        n_units, n_codes = self.matrix.shape
        coded = int((self.matrix.getnnz(axis=1) > 0).sum())
        return (
            f"Coding: {n_units} {self.unit} units x {n_codes} codes, {coded} units coded, "
            f"{self.matrix.nnz} codes assigned"
        )

    def frame(self) -> pd.DataFrame:
        """The matrix as a dense 0/1 DataFrame indexed by ``unit_id`` (small corpora)."""
        return pd.DataFrame(self.matrix.toarray(), index=self.units["unit_id"], columns=self.codes)

    def categories(self, codebook: Codebook) -> pd.DataFrame:
        """Units × categories: 1 where the unit has at least one code of the category.

        ``codebook`` is the one the coding was made with: its codes are looked up among
        the coding's (another codebook's failed with a pandas ``KeyError``).
        """
        check_codebook(codebook)
        other = [c.id for c in codebook.codes if c.id not in self.codes]
        if other:
            raise ValueError(
                f"the codebook has codes this coding lacks ({', '.join(other[:5])}"
                f"{' …' if len(other) > 5 else ''}): pass the codebook the coding was made with"
            )
        dense = self.frame()
        out = pd.DataFrame(index=dense.index)
        for cat in codebook.categories:
            cols = [c.id for c in codebook.codes if c.category == cat]
            # A category without codes (a starting codebook) is 0 everywhere, not NaN.
            out[cat] = dense[cols].max(axis=1).astype("int64") if cols else 0
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
        from workbench.names import suggest

        raise ValueError(
            f"unit must be one of {list(UNITS)}, not {unit!r} {suggest(str(unit), UNITS)}"
        )
    if unit == "sentence":
        return segments["segment_id"].astype(str)
    if unit == "paragraph":
        return segments["paragraph_id"].astype(str)
    if unit == "article":
        return segments["doc_id"].astype(str)
    section = segments["section"].fillna("").astype(str).replace("", "0")
    return segments["doc_id"].astype(str) + "/§" + section


@dataclass
class _Hits:
    """Sentence-level matches: one entry per (sentence, code), one per span.

    Spans are in corpus order: by sentence, then code, then the rule's own order.
    """

    pos: np.ndarray
    code: np.ndarray
    span_pos: np.ndarray
    span_code: np.ndarray
    span_start: np.ndarray
    span_end: np.ndarray


def _as_int(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64).reshape(-1)


def _give_way(
    hits: _Hits, codebook: Codebook, unless_ok: Callable[[Node, np.ndarray], np.ndarray]
) -> _Hits:
    """``hits`` without the codes of categories that yield (:attr:`Codebook.yields`).

    A yielding category's codes go in each sentence where a code of a category it yields
    to fired (among the rules' own codes, before anything gave way) and its ``unless``
    rule does not match: ``unless_ok(rule, sentences)`` says where it does.
    """
    if not codebook.yields or not len(hits.pos):
        return hits
    categories = [c.category for c in codebook.codes]
    keep = np.ones(len(hits.pos), dtype=bool)
    span_keep = np.ones(len(hits.span_pos), dtype=bool)
    for y in codebook.yields:
        # Per code, flags rather than category names: no comparisons of Python strings.
        yields = np.array([c == y.category for c in categories], dtype=bool)
        to = np.array([c in y.to for c in categories], dtype=bool)
        mine = yields[hits.code]
        fired = unique(hits.pos[to[hits.code]])
        both = unique(hits.pos[mine])
        both = both[np.isin(both, fired, assume_unique=True)]
        if y.unless is not None and len(both):
            both = both[~unless_ok(y.unless, both)]
        keep &= ~(mine & np.isin(hits.pos, both))
        span_keep &= ~(yields[hits.span_code] & np.isin(hits.span_pos, both))
    return _Hits(
        hits.pos[keep], hits.code[keep], hits.span_pos[span_keep], hits.span_code[span_keep],
        hits.span_start[span_keep], hits.span_end[span_keep],
    )  # fmt: skip


def _sentences(segments: pd.DataFrame) -> tuple[list[str], list[str], list[bool]]:
    """Texts (``""`` for a segment not to code), roles (``str``) and heading flags (``bool``).

    Plain lists: iterating pandas' Arrow-backed string columns costs more per item.
    """
    # Imported here: the duplicate marking it lives beside is not needed to code.
    from workbench.corpus.duplicates import segment_texts

    role, heading = segments["role"], segments["is_heading"]
    texts = segment_texts(segments)  # missing is not coded; converted once per partition
    if role.dtype == _STR and not role.hasnans:
        roles = role.tolist()
    else:
        roles = [str(r) for r in role.tolist()]
    if heading.dtype == bool:
        return texts, roles, heading.tolist()
    return texts, roles, [bool(h) for h in heading.tolist()]


def _plain_hits(
    texts: list[str], roles: list[str], headings: list[bool], kinds: list[str],
    codebook: Codebook,
) -> _Hits:  # fmt: skip
    """Every code's rule on every sentence, one sentence at a time (the reference)."""
    pos, code, span_pos, span_code, starts, ends = [], [], [], [], [], []
    rows = zip(texts, roles, headings, kinds, strict=True)
    for p, (text, role, heading, kind) in enumerate(rows):
        if not text:
            continue
        s = Sentence(text, role, heading, kind)
        for ci, c in enumerate(codebook.codes):
            spans = c.match(s)
            if spans is None:
                continue
            pos.append(p)
            code.append(ci)
            for start, end, _text in spans:
                span_pos.append(p)
                span_code.append(ci)
                starts.append(start)
                ends.append(end)
    hits = _Hits(*map(_as_int, (pos, code, span_pos, span_code, starts, ends)))

    def unless_ok(rule: Node, sentences: np.ndarray) -> np.ndarray:
        return np.array([
            rule.match(Sentence(texts[i], roles[i], headings[i], kinds[i])) is not None
            for i in sentences.tolist()
        ], dtype=bool)  # fmt: skip

    return _give_way(hits, codebook, unless_ok)


def _scan_hits(
    texts: list[str], roles: list[str], headings: list[bool], kinds: list[str],
    codebook: Codebook,
) -> _Hits:  # fmt: skip
    """Every code's rule on all sentences at once, from one scan of the joined text."""
    scan = Scan(texts, roles, headings, codebook.scan_literals, kinds)
    pos, code, keys, key_code = [], [], [], []
    for ci, c in enumerate(codebook.codes):
        m = c.rule.match_all(scan, scan.valid)
        found = np.flatnonzero(m.ok)
        pos.append(found)
        code.append(np.full(len(found), ci, dtype=np.int64))
        keys.append(m.keys)
        key_code.append(np.full(len(m.keys), ci, dtype=np.int64))
    span_key, span_code = np.concatenate(keys), np.concatenate(key_code)
    span_pos = scan.keys_sentence(span_key)
    order = np.lexsort((span_key, span_code, span_pos))
    start, end = divmod(span_key[order], scan.size)
    base = scan.starts[span_pos[order]]
    hits = _Hits(
        np.concatenate(pos), np.concatenate(code), span_pos[order], span_code[order],
        start - base, end - base,
    )  # fmt: skip
    return _give_way(hits, codebook, lambda rule, sents: rule.holds(scan, scan.mask(sents))[sents])


def _column(values: pd.Series | pd.Index, take: np.ndarray) -> object:
    """``values`` at positions ``take`` (``-1``: missing), as a DataFrame column.

    Equal to building the column from the Python list (missing as ``None``): when
    pandas would infer the values' own string dtype from that list, the values are
    taken without leaving Arrow; otherwise the list is built.
    """
    picked = take >= 0
    if values.dtype == _STR and picked.any() and not values.isna().any():
        return values.array.take(take, allow_fill=True)
    items = values.tolist()
    return [items[i] if ok else None for i, ok in zip(take.tolist(), picked.tolist(), strict=True)]


def _first_valid(column: pd.Series, rows: np.ndarray, n: int) -> np.ndarray:
    """Per unit, the position of the first non-missing value of ``column`` (or -1)."""
    valid = np.flatnonzero(~column.isna().to_numpy())
    units, first = np.unique(rows[valid], return_index=True)
    out = np.full(n, -1, dtype=np.int64)
    out[units] = valid[first]
    return out


def _unit_table(segments: pd.DataFrame, ids: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """The units in first-appearance order, and each segment's unit (row) number."""
    rows, uniques = pd.factorize(ids, sort=False, use_na_sentinel=False)
    rows = rows.astype(np.int64)
    n = len(uniques)
    sizes = np.bincount(rows, minlength=n).astype(np.int64)
    order = np.argsort(rows, kind="stable")
    sid = segments["segment_id"]
    if n and sizes.max() == 1 and sid.dtype == _STR and not sid.hasnans:
        joined: object = sid.array.take(order)  # one segment per unit: its id
    else:
        segment_ids = sid.tolist()
        sids = [segment_ids[i] for i in order.tolist()]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        joined = [" ".join(sids[a:b]) for a, b in pairwise(bounds)]
    units = pd.DataFrame({
        "unit_id": _column(uniques, np.arange(n)),
        "doc_id": _column(segments["doc_id"], _first_valid(segments["doc_id"], rows, n)),
        # A section or article can mix roles; the first sentence's role stands for it.
        "role": _column(segments["role"], _first_valid(segments["role"], rows, n)),
        "segment_ids": joined,
        "n_segments": sizes,
    })  # fmt: skip
    return units, rows


def _arrow_column(values: pa.Array) -> object:
    """An Arrow string array as the column pandas would build from its Python list."""
    if getattr(_STR, "storage", None) == "pyarrow":
        return pd.array(values, dtype=_STR)
    return values.to_pylist()


def _joined(values: pa.Array, offsets: np.ndarray, keep: np.ndarray | None = None) -> pa.Array:
    """``"; ".join`` of each run ``values[offsets[i]:offsets[i + 1]]`` (``keep``: a subset)."""
    if keep is not None:
        runs = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        kept = np.bincount(runs[keep], minlength=len(offsets) - 1)
        values, offsets = values.filter(pa.array(keep)), np.concatenate([[0], np.cumsum(kept)])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), values)
    return pc.binary_join(lists, pa.scalar("; ", pa.large_string()))


def _first_of_run(values: pa.Array, offsets: np.ndarray) -> np.ndarray:
    """Which values are the first of their run equal to them (``dict.fromkeys`` order)."""
    codes = pc.dictionary_encode(values).indices.to_numpy().astype(np.int64)
    runs = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    _, first = np.unique(runs * (codes.max(initial=0) + 1) + codes, return_index=True)
    keep = np.zeros(len(values), dtype=bool)
    keep[first] = True
    return keep


def _span_labels(
    segments: pd.DataFrame, pos: np.ndarray, start: np.ndarray, end: np.ndarray
) -> pa.Array:
    """``segment_id:start-end`` of each span (a missing id reads ``nan``, as formatted)."""
    ids = pa.array(segments["segment_id"].astype(str), type=pa.large_string())
    if isinstance(ids, pa.ChunkedArray):  # a column read from Parquet can come in chunks
        ids = ids.combine_chunks()
    ids = pc.fill_null(ids.take(pa.array(pos)), "nan")
    start_s, end_s = (pc.cast(pa.array(x), pa.large_string()) for x in (start, end))
    colon, dash = pa.scalar(":", pa.large_string()), pa.scalar("-", pa.large_string())
    where = pc.binary_join_element_wise(ids, start_s, colon)
    return pc.binary_join_element_wise(where, end_s, dash)


def _quotes(texts: list[str], pos: np.ndarray, start: np.ndarray, end: np.ndarray) -> pa.Array:
    """``texts[p][a:b]`` of each span ``(p, a, b)``, as an Arrow string array.

    Cut from the code points of the joined texts with numpy (one slice per span in
    Python cost more than the rest of the long table).

    Examples
    --------
    >>> pos, start, end = np.array([0, 2, 2]), np.array([1, 0, 2]), np.array([3, 2, 4])
    >>> _quotes(["干部ab", "", "群众𠀀x"], pos, start, end).tolist()
    ['部a', '群众', '𠀀x']
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    base = np.cumsum(lengths) - lengths
    # A lone surrogate outside the quotes must not fail (inside one, Arrow refuses it).
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    size = (end - start).astype(np.int64)
    # Each span's characters: its first offset repeated, plus 0, 1, 2, ...
    first = base[pos] + start - (np.cumsum(size) - size)
    picked = points[np.repeat(first, size) + np.arange(int(size.sum()))]
    data = picked.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8")
    # The UTF-8 length of each character, summed up to each quote's first one.
    width = 1 + (picked >= 0x80) + (picked >= 0x800) + (picked >= 0x10000)
    offsets = np.concatenate([[0], np.cumsum(width, dtype=np.int64)])
    bounds = offsets[np.concatenate([[0], np.cumsum(size)])]
    return pa.LargeStringArray.from_buffers(len(size), pa.py_buffer(bounds), pa.py_buffer(data))


def _long_table(
    hits: _Hits, rows: np.ndarray, units: pd.DataFrame, texts: list[str],
    segments: pd.DataFrame, codebook: Codebook,
) -> tuple[pd.DataFrame, np.ndarray]:  # fmt: skip
    """The long table and its sorted cell keys ``row * n_codes + code``."""
    n_codes = len(codebook.codes)
    cells = unique(rows[hits.pos] * n_codes + hits.code)
    if not len(cells):
        return pd.DataFrame([], columns=LONG_COLUMNS), cells
    span_cell = rows[hits.span_pos] * n_codes + hits.span_code
    # Stable: within a cell, spans keep corpus order (sentence, then the rule's order).
    order = np.argsort(span_cell, kind="stable")
    # Every span belongs to a cell, so each cell's spans are one run of the sorted spans.
    offsets = np.append(np.searchsorted(span_cell[order], cells), len(order))
    pos, start, end = hits.span_pos[order], hits.span_start[order], hits.span_end[order]
    quotes = _quotes(texts, pos, start, end)
    r, c = np.divmod(cells, n_codes)
    columns = {
        "unit_id": _column(units["unit_id"], r),
        "code": _column(pd.Series(codebook.ids), c),
        "category": _column(pd.Series([x.category for x in codebook.codes]), c),
        "terms": _arrow_column(_joined(quotes, offsets, _first_of_run(quotes, offsets))),
        "spans": _arrow_column(_joined(_span_labels(segments, pos, start, end), offsets)),
    }
    return pd.DataFrame(columns, columns=LONG_COLUMNS), cells


#: The columns :func:`code_segments` reads from a segments table.
SEGMENT_INPUT = ["segment_id", "doc_id", "paragraph_id", "section", "role", "is_heading", "text"]


def check_codebook(codebook: object, argument: str = "codebook") -> None:
    """Refuse anything but a loaded :class:`Codebook`, saying how to load one.

    A path passed where a codebook is expected failed with "'str' object has no
    attribute 'kinds'".

    Examples
    --------
    >>> check_codebook("my.yaml")
    Traceback (most recent call last):
    ...
    TypeError: codebook must be a Codebook, not str: load it first, load_codebook('my.yaml') (from workbench.coding.codebook)
    """  # noqa: E501
    if not isinstance(codebook, Codebook):
        load = f"load_codebook({str(codebook)!r})" if isinstance(codebook, str | os.PathLike) else (
            "load_codebook(path)")  # fmt: skip
        raise TypeError(
            f"{argument} must be a Codebook, not {type(codebook).__name__}: load it first, "
            f"{load} (from workbench.coding.codebook)"
        )


def check_segments(segments: object, argument: str = "segments") -> None:
    """Refuse a table that is not a segments table, naming the columns it lacks.

    ``corpus.documents`` passed for ``corpus.segments`` failed with ``KeyError:
    'segment_id'`` from inside pandas.

    Examples
    --------
    >>> check_segments(pd.DataFrame({"doc_id": ["a/a1"], "text": ["干群"]}))
    Traceback (most recent call last):
    ...
    ValueError: segments lacks the columns segment_id, paragraph_id, section, role, is_heading: pass corpus.segments (one row per sentence) or corpus.analysis_segments()
    """  # noqa: E501
    if not isinstance(segments, pd.DataFrame):
        raise TypeError(
            f"{argument} must be a DataFrame (corpus.segments), not {type(segments).__name__}"
        )
    missing = [c for c in SEGMENT_INPUT if c not in segments.columns]
    if missing:
        raise ValueError(
            f"{argument} lacks the columns {', '.join(missing)}: pass corpus.segments "
            f"(one row per sentence) or corpus.analysis_segments()"
        )


def code_segments(
    segments: pd.DataFrame,
    codebook: Codebook,
    unit: str = "sentence",
    *,
    prefilter: bool = True,
    kinds: Sequence[str] | None = None,
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
        Match every rule on all sentences at once from one multi-pattern scan of
        the joined texts (:class:`workbench.coding.prefilter.Scan`); ``False``
        evaluates every code on every sentence, one sentence at a time (the
        reference: slower, same result).
    kinds : sequence of str, optional
        The kind of document of each segment (:meth:`Codebook.segment_kinds`); by
        default told from the first segments of each document in ``segments``. Pass it
        when ``segments`` leaves out a document's opening (a filtered table).

    Returns
    -------
    Coding

    Raises
    ------
    TypeError, ValueError
        ``segments`` is not a segments table, ``codebook`` not a :class:`Codebook`,
        ``unit`` not one of the four.
    """
    check_segments(segments)
    check_codebook(codebook)
    segments = segments.reset_index(drop=True)
    ids = unit_ids(segments, unit)
    units, rows = _unit_table(segments, ids)
    texts, roles, headings = _sentences(segments)
    if kinds is None:
        kinds = codebook.segment_kinds(segments) if codebook.kinds else None
    kinds = [PLAIN_KIND] * len(texts) if kinds is None else list(kinds)
    if len(kinds) != len(texts):
        raise ValueError(f"kinds: {len(kinds)} values for {len(texts)} segments")
    hits = (_scan_hits if prefilter else _plain_hits)(texts, roles, headings, kinds, codebook)
    long, cells = _long_table(hits, rows, units, texts, segments, codebook)
    n_codes = len(codebook.codes)
    matrix = sparse.csr_matrix(
        (np.ones(len(cells), dtype=np.int8), (cells // n_codes, cells % n_codes)),
        shape=(len(units), n_codes),
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
        the whole original sentence otherwise. A code whose rule quotes nothing (it fired
        on conditions only, ``quote: false``; :mod:`workbench.coding.rules`) has no row.
    """
    if not isinstance(coding, Coding):
        raise TypeError(
            f"coding must be a Coding (what code_segments returns), not "
            f"{type(coding).__name__}: evidence(coding, segments)"
        )
    check_segments(segments)
    seg = segments.set_index("segment_id")
    rows = []
    for r in coding.long.itertuples(index=False):
        for span in filter(None, r.spans.split("; ")):
            sid, _, pos = span.rpartition(":")
            start, end = (int(x) for x in pos.split("-"))
            text, orig = seg.at[sid, "text"], seg.at[sid, "text_orig"]
            same = isinstance(orig, str) and len(orig) == len(text)
            rows.append({
                "unit_id": r.unit_id, "code": r.code, "segment_id": sid, "start": start,
                "end": end, "quote": text[start:end],
                "quote_orig": orig[start:end] if same else orig, "text_orig": orig,
            })  # fmt: skip
    columns = ["unit_id", "code", "segment_id", "start", "end", "quote", "quote_orig",
               "text_orig"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    # Collapse to one row per (unit, code, segment) so a code's quotes read together.
    if out.empty:  # nothing coded (a tiny corpus): the same columns, so callers can select
        return out
    keys = ["unit_id", "code", "segment_id"]
    return (
        out.groupby(keys, sort=False)
        .agg(start=("start", "min"), end=("end", "max"), quote=("quote", "; ".join),
             quote_orig=("quote_orig", "; ".join), text_orig=("text_orig", "first"))
        .reset_index()
    )  # fmt: skip
