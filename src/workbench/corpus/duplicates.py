"""Mark duplicate articles, paragraphs and sentences on a loaded corpus.

Detection itself lives in :mod:`workbench.corpus.dedup`; this module applies it to the
corpus tables. Matching runs on the Simplified text, so an essay reposted in the
other script is found. Nothing is deleted: duplicates get ``dup_of`` (the id of the
first occurrence in corpus order) and analyses filter them out by default
(:meth:`workbench.corpus.Corpus.analysis_segments`).

Segment ``dup_of`` is the matching sentence of the canonical paragraph when one
has the same normalised text, else the canonical paragraph's id (``…/pNNN``):
near-duplicate paragraphs need not align sentence by sentence.

The fast method (the default) splits into a per-partition part and a corpus-wide
part, so the expensive work can run in worker processes::

    # in each worker, on its partition's segments table (whole files, in order)
    part = sketch_segments(segments)              # small and picklable
    # in the parent, partitions in corpus order
    sketches = CorpusSketches.concat(parts)
    mark_duplicates(corpus, threshold, sketches=sketches)

``mark_duplicates(corpus, threshold)`` alone sketches in-process. Both give the
tables of ``method="exact"`` (the prefix-filtering search) unless LSH misses a
pair, which at the default threshold has probability about 5e-8 per pair
(:mod:`workbench.corpus.dedup`).

Examples
--------
>>> from workbench.corpus import load_corpus
>>> seeds = load_corpus()
>>> files = seeds.segments["file"]
>>> cut = int((files == files.iloc[600]).idxmax())  # partitions hold whole files
>>> parts = [sketch_segments(seeds.segments.iloc[:cut]), sketch_segments(seeds.segments.iloc[cut:])]
>>> CorpusSketches.concat(parts).equals(sketch_segments(seeds.segments))
True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.corpus import dedup
from workbench.corpus.dedup import (
    DUP_THRESHOLD,
    Method,
    Sketches,
    TextSource,
    check_sketches,
    concat_ranges,
    duplicates_from_sketches,
    find_duplicates,
    gather_texts,
    normalise_for_matching,
    normalise_many,
    offsets_from_lengths,
    position_hashes,
    result_table,
    sketch_arrays,
    sketch_params,
    splice_complex,
)

if TYPE_CHECKING:
    from workbench.corpus.load import Corpus

#: The dtype pandas gives a column built from a list of str (Arrow-backed with pyarrow).
_STR = pd.Series(["x"]).dtype
DUPLICATE_COLUMNS = ["level", "id", "of", "kind", "similarity", "file", "of_file"]

# The two unit levels and the segments column that names each unit.
_LEVELS = (("article", "doc_id"), ("paragraph", "paragraph_id"))


def _units(segments: pd.DataFrame, key: str) -> pd.DataFrame:
    # Plain dict over lists in first-appearance order, as groupby(sort=False) gives:
    # a groupby with a Python join per group was a large share of marking time.
    texts: dict[str, list[str]] = {}
    for unit, text in zip(segments[key].tolist(), segments["text"].tolist(), strict=True):
        texts.setdefault(str(unit), []).append(text)
    return pd.DataFrame({"id": list(texts), "text": ["".join(t) for t in texts.values()]})


@dataclass(frozen=True, eq=False)
class CorpusSketches:
    """Sketches of a segments table's articles and paragraphs (:func:`sketch_segments`)."""

    articles: Sketches
    paragraphs: Sketches

    @classmethod
    def concat(cls, parts: Sequence[CorpusSketches]) -> CorpusSketches:
        """Sketches of consecutive partitions (whole files each), in corpus order."""
        return cls(
            articles=Sketches.concat([p.articles for p in parts]),
            paragraphs=Sketches.concat([p.paragraphs for p in parts]),
        )

    def split(self, parts: Sequence[CorpusSketches]) -> list[CorpusSketches]:
        """These sketches cut as ``parts`` (of which they are the :meth:`concat`), as
        views of these arrays: the driver swaps each partition's own sketches for
        them, so that the sketches are held once (:meth:`Sketches.split`)."""
        arts = self.articles.split([len(p.articles) for p in parts])
        paras = self.paragraphs.split([len(p.paragraphs) for p in parts])
        return [CorpusSketches(a, p) for a, p in zip(arts, paras, strict=True)]

    def equals(self, other: CorpusSketches) -> bool:
        """Whether both levels hold the same units and sketches."""
        return self.articles.equals(other.articles) and self.paragraphs.equals(other.paragraphs)


class _Level:
    """The units of one level: ids in first-appearance order and their sentence rows."""

    def __init__(self, segments: pd.DataFrame, key: str, texts: list[str]):
        # Ids are strings; NaN would become "nan" in _units, so it gets a code too.
        codes, uniques = pd.factorize(segments[key], use_na_sentinel=False)
        self.codes = codes.astype(np.int64)
        self.ids = [str(u) for u in uniques.tolist()]
        self.order = np.argsort(self.codes, kind="stable")  # rows grouped by unit
        self.grouped = bool((self.order == np.arange(len(self.order))).all())
        self.bounds = offsets_from_lengths(np.bincount(self.codes, minlength=len(self.ids)))
        self.texts = texts
        # Normalised code points and offsets of every unit, once sketched here.
        self.cache: tuple[np.ndarray, np.ndarray] | None = None
        self._slot: dict[str, int] | None = None

    def positions(self, ids: Sequence[str]) -> np.ndarray:
        """Positions of the units named ``ids``."""
        if self._slot is None:
            self._slot = {u: k for k, u in enumerate(self.ids)}
        slot = self._slot
        return np.array([slot[i] for i in ids], dtype=np.int64)

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """Rows of the units at ``positions``, in table order."""
        counts = np.diff(self.bounds)[positions]
        return np.sort(self.order[concat_ranges(self.bounds[positions], counts)])

    def first_rows(self) -> np.ndarray:
        """Each unit's first row."""
        return self.order[self.bounds[:-1]]

    def text(self, unit: int) -> str:
        """The unit's text: its sentences joined, as :func:`_units` builds it."""
        rows = self.order[self.bounds[unit] : self.bounds[unit + 1]].tolist()
        return "".join(self.texts[r] for r in rows)

    def normalised(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised code points of the units at ``positions`` (text taken as Simplified)."""
        if self.cache is not None:
            return gather_texts(*self.cache, positions)
        texts = [self.text(p) for p in positions.tolist()]
        cps, offsets, _ = normalise_many(texts, simplify=False)
        return cps, offsets

    def texts_at(self, positions: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`normalised` of the units at ``positions`` (a ``texts`` callback of
        :func:`workbench.corpus.dedup.duplicates_from_sketches`)."""
        return self.normalised(np.asarray(positions, dtype=np.int64))

    def arrays(
        self, cps: np.ndarray, offsets: np.ndarray, complex_: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Normalised code points of every unit from those of its sentences.

        Normalising is a per-character map for text without complex characters, so
        a unit's result is its sentences' results joined; a unit with a complex
        sentence is normalised whole by normalise_for_matching.
        """
        row_len = np.diff(offsets)
        n = len(self.ids)
        unit_len = np.bincount(self.codes, weights=row_len, minlength=n).astype(np.int64)
        if not self.grouped:
            cps, _ = gather_texts(cps, offsets, self.order)
        unit_offsets = offsets_from_lengths(unit_len)
        unit_complex = np.bincount(self.codes, weights=complex_, minlength=n) > 0
        if unit_complex.any():
            texts = {u: self.text(u) for u in np.flatnonzero(unit_complex).tolist()}
            cps, unit_offsets = splice_complex(cps, unit_offsets, unit_complex, texts)
        return cps, unit_offsets


#: The Arrow text column last converted by :func:`segment_texts` (a weak reference) and
#: its strings; the slot empties when the column is freed.
_converted: tuple[weakref.ref, list[str]] | None = None


def segment_texts(segments: pd.DataFrame) -> list[str]:
    """``segments["text"]`` as a list of str, ``""`` where missing; do not modify it.

    A partition's words, coding and sketches each need its texts as Python strings, and
    converting an Arrow column costs about 7 ms a partition of 22,000 sentences, so the
    last Arrow column converted is remembered: the same (immutable) Arrow array gives
    the same list. Other columns are converted every time.

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["干部", None]})
    >>> segment_texts(seg), segment_texts(seg) is segment_texts(seg.reset_index(drop=True))
    (['干部', ''], True)
    """
    global _converted
    column = segments["text"]
    values = column.array
    data = values.__arrow_array__() if isinstance(values, pd.arrays.ArrowStringArray) else None
    if data is not None and _converted is not None and _converted[0]() is data:
        return _converted[1]
    if column.dtype == _STR and not column.hasnans:
        texts = column.tolist()
    else:
        texts = [t if isinstance(t, str) else "" for t in column.tolist()]
    if data is not None:
        _converted = (weakref.ref(data, _forget), texts)
    return texts


def _forget(ref: weakref.ref) -> None:
    global _converted
    if _converted is not None and _converted[0] is ref:
        _converted = None


def sketch_segments(
    segments: pd.DataFrame,
    *,
    threshold: float = DUP_THRESHOLD,
    ngram: int = 5,
    min_chars: int = 12,
    num_perm: int = dedup.NUM_PERM,
) -> CorpusSketches:
    """Sketch the articles and paragraphs of a segments table for :func:`mark_duplicates`.

    The per-partition part of duplicate marking: normalises every sentence once
    (numpy over code points), joins the results into paragraphs and articles, and
    sketches both levels (:func:`workbench.corpus.dedup.sketch_units`). Run it in the
    worker on a partition's segments table — partitions must hold whole files, in
    corpus order, so that no article or paragraph is split — and concatenate the
    parts with :meth:`CorpusSketches.concat` in the parent.

    ``segments["text"]`` is taken as Simplified already (the corpus loader
    converts every article with OpenCC ``t2s``), so OpenCC is not run again; on
    the seeds and the generated 1 MB and 20 MB corpora converting again changes no
    unit, and the marks equal those of ``method="exact"``, which does convert.

    Parameters
    ----------
    segments : pandas.DataFrame
        With columns ``doc_id``, ``paragraph_id`` and ``text``, in corpus order.
    threshold, ngram, min_chars, num_perm
        As in :func:`workbench.corpus.dedup.sketch_units`.

    Returns
    -------
    CorpusSketches

    Examples
    --------
    >>> seg = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "paragraph_id": ["p1", "p2", "p3"],
    ...                     "text": ["干部要深入基层。", "联系群众了解实情。", "一、"]})
    >>> sk = sketch_segments(seg)
    >>> sk.articles.ids.to_pylist(), sk.paragraphs.n_chars.tolist(), sk.articles.sketched.tolist()
    (['d1', 'd2'], [7, 8, 1], [True, False])
    """
    params = sketch_params(threshold, ngram, min_chars, num_perm, False)
    texts = segment_texts(segments)
    return _sketch_levels(segments, texts, [_Level(segments, key, texts) for _, key in _LEVELS],
                          params)  # fmt: skip


def _sketch_levels(
    segments: pd.DataFrame, texts: list[str], levels: list[_Level], params
) -> CorpusSketches:
    cps, offsets, complex_ = normalise_many(texts, simplify=False)
    hashes = position_hashes(cps, params.ngram)
    out = []
    for units in levels:
        unit_cps, unit_offsets = units.arrays(cps, offsets, complex_)
        units.cache = (unit_cps, unit_offsets)
        # Shingle hashes are shared while the units' code points are the sentences'.
        shared = hashes if unit_cps is cps else None
        out.append(sketch_arrays(units.ids, unit_cps, unit_offsets, params, shared))
    return CorpusSketches(articles=out[0], paragraphs=out[1])


def _involved_keys(
    segments: pd.DataFrame,
    para_dups: pd.DataFrame,
    normalise: Callable[[list[str]], list],
    units: _Level,
) -> dict[str, list[tuple[str, Any]]]:
    """Sentence keys (:func:`sentence_keys`) of the duplicate and canonical paragraphs."""
    involved = units.positions(_named(para_dups))
    rows = units.rows(involved)
    ids = units.ids
    pids = [ids[c] for c in units.codes[rows].tolist()]
    sids = segments["segment_id"].iloc[rows].tolist()
    texts = [units.texts[r] for r in rows.tolist()]
    return _keys_by_paragraph(pids, sids, normalise(texts))


def sentence_keys(
    rows: pd.DataFrame, normalise: Callable[[list[str]], list] | None = None
) -> dict[str, list[tuple[str, Any]]]:
    """``{paragraph_id: [(segment_id, key), ...]}``: each sentence's matching key, in order.

    Keys are the normalised texts (Simplified text taken as is, compared as bytes);
    the streamed build (:mod:`workbench.stream`) collects them per partition.
    """
    pids, sids, texts = (rows[c].tolist() for c in ("paragraph_id", "segment_id", "text"))
    return _keys_by_paragraph(pids, sids, (normalise or _normalise_simplified)(texts))


def _keys_by_paragraph(
    pids: list[str], sids: list[str], keys: list[Any]
) -> dict[str, list[tuple[str, Any]]]:
    by_para: dict[str, list[tuple[str, Any]]] = {}
    for pid, sid, key in zip(pids, sids, keys, strict=True):
        by_para.setdefault(pid, []).append((sid, key))
    return by_para


def sentence_targets(
    para_dups: pd.DataFrame, by_para: dict[str, list[tuple[str, Any]]]
) -> pd.DataFrame:
    """``segment_id, dup_of, dup_kind`` for every sentence of the duplicate paragraphs.

    ``by_para`` (:func:`sentence_keys`) must hold both the duplicate and the
    canonical paragraphs. A sentence points at the canonical paragraph's first
    sentence with the same key, else at the canonical paragraph itself.
    """
    out = []
    columns = (para_dups[c].tolist() for c in ("id", "dup_of", "kind"))
    for dup, of, kind in zip(*columns, strict=True):
        lookup = {key: sid for sid, key in reversed(by_para[of])}  # first sentence wins
        out += [(sid, lookup.get(key, of), kind) for sid, key in by_para[dup]]
    return pd.DataFrame(out, columns=["segment_id", "dup_of", "dup_kind"])


def _normalise_exact(texts: list[str]) -> list[str]:
    return [normalise_for_matching(t) for t in texts]


def _normalise_simplified(texts: list[str]) -> list[bytes]:
    # Same equality as normalise_for_matching(t, simplify=False), compared as bytes.
    cps, offsets, _ = normalise_many(texts, simplify=False)
    raw = cps.tobytes()
    return [
        raw[4 * a : 4 * b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    ]


def duplicates_table(level: str, found: pd.DataFrame, file_of: dict[str, str]) -> pd.DataFrame:
    """``Corpus.duplicates`` rows of one level from :func:`find_duplicates`' table.

    Examples
    --------
    >>> found = pd.DataFrame({"id": ["f2/a1"], "dup_of": ["f1/a1"], "kind": ["exact"],
    ...                       "similarity": [1.0]})
    >>> t = duplicates_table("article", found, {"f1/a1": "f1.txt", "f2/a1": "f2.txt"})
    >>> t[["level", "id", "of", "file", "of_file"]].iloc[0].tolist()
    ['article', 'f2/a1', 'f1/a1', 'f2.txt', 'f1.txt']
    """
    out = found.rename(columns={"dup_of": "of"}).assign(level=level)
    # List lookups: Series.map would first turn the whole mapping into a Series.
    for col, key in (("file", "id"), ("of_file", "of")):
        files = [file_of[i] for i in out[key].tolist()]
        out[col] = pd.Series(files, index=out.index, dtype="str")
    return out.reindex(columns=DUPLICATE_COLUMNS)


def find_marks(
    sketches: CorpusSketches, texts: Sequence[TextSource], threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Article and paragraph duplicates of a whole corpus from its sketches: the one
    place duplicates are found by the fast method, for every way of building a corpus.

    Parameters
    ----------
    sketches : CorpusSketches
        Of every article and paragraph, in corpus order (:func:`sketch_segments` per
        partition, :meth:`CorpusSketches.concat`).
    texts : pair of callables
        The articles' and the paragraphs' ``texts(positions)``, as
        :func:`workbench.corpus.dedup.duplicates_from_sketches` takes them (a corpus in
        memory: :meth:`CorpusUnits.texts`; Parquet parts: read back from the parts).
    threshold : float
        Jaccard threshold of near duplicates.

    Returns
    -------
    (articles, paragraphs)
        :func:`workbench.corpus.dedup.find_duplicates`' table of each level; apply them with
        :meth:`CorpusUnits.apply` (in memory) or :func:`mark_documents` and
        :func:`mark_segments` (per partition).
    """
    levels = (sketches.articles, sketches.paragraphs)
    art, para = (_find_level(sk, fetch, threshold) for sk, fetch in zip(levels, texts, strict=True))
    return art, para


def _find_level(sk: Sketches, fetch: TextSource, threshold: float) -> pd.DataFrame:
    # min_chars: find_duplicates' default, which the exact method uses.
    return duplicates_from_sketches(sk, fetch, threshold=threshold, min_chars=12)


def mark_documents(documents: pd.DataFrame, art: pd.DataFrame) -> pd.DataFrame:
    """``documents`` with ``dup_of`` and ``dup_similarity`` from the article duplicates
    ``art`` (:func:`find_marks`); row order kept."""
    if art.empty and len(documents):  # most partitions have no duplicate article
        marks = {"dup_of": art["dup_of"], "dup_similarity": art["similarity"]}
        return _none_matched(documents, marks)
    documents = documents.drop(columns=["dup_of", "dup_similarity"], errors="ignore")
    return documents.merge(
        art[["id", "dup_of", "similarity"]].rename(
            columns={"id": "doc_id", "similarity": "dup_similarity"}
        ),
        on="doc_id", how="left",
    )  # fmt: skip


def mark_segments(
    segments: pd.DataFrame, para: pd.DataFrame, by_para: dict[str, list[tuple[str, Any]]]
) -> pd.DataFrame:
    """``segments`` with ``dup_of`` and ``dup_kind`` of the sentences of the duplicate
    paragraphs ``para`` (:func:`find_marks`); ``by_para`` as :func:`sentence_targets`
    takes it. Row order kept."""
    targets = _NO_TARGETS if para.empty else sentence_targets(para, by_para)
    if targets.empty and len(segments):  # every partition's, staged before marks are known
        return _none_matched(segments, {c: targets[c] for c in ("dup_of", "dup_kind")})
    segments = segments.drop(columns=["dup_of", "dup_kind"], errors="ignore")
    return segments.merge(targets, on="segment_id", how="left")


def _none_matched(left: pd.DataFrame, marks: dict[str, pd.Series]) -> pd.DataFrame:
    """``left`` (without columns named as ``marks``) merged on the left with a frame of
    no rows, whose columns ``marks`` are: ``left`` (index reset) with those columns, all
    missing, typed as the merge types them. ``left`` must have rows (else the merge
    retypes its key).

    Without the merge, its frame and the dropping of columns not there: their fixed
    cost (2 to 3 ms) was paid twice per partition by :mod:`workbench.stream`, to mark
    nothing.

    Examples
    --------
    >>> left = pd.DataFrame({"k": ["a", "b"], "v": [1.0, 2.0]}, index=[5, 6])
    >>> right = pd.DataFrame({"k": ["x"], "v": [0.5], "w": ["y"]}).iloc[:0]
    >>> out = _none_matched(left, {"v": right["v"], "w": right["w"]})
    >>> out.equals(left.drop(columns="v").merge(right, on="k", how="left"))
    True
    >>> out.index.tolist(), bool(out["v"].isna().all())
    ([0, 1], True)
    """
    there = [c for c in marks if c in left.columns]
    out = (left.drop(columns=there) if there else left).reset_index(drop=True)
    for column, empty in marks.items():
        # Reindexing no rows to every row fills and types the values as the merge does.
        out[column] = empty.reset_index(drop=True).reindex(out.index)
    return out


#: :func:`sentence_targets` of no duplicate paragraphs.
_NO_TARGETS = pd.DataFrame([], columns=["segment_id", "dup_of", "dup_kind"])


def mark_segments_table(
    table: pa.Table, para: pd.DataFrame, by_para: dict[str, list[tuple[str, Any]]]
) -> pa.Table:
    """:func:`mark_segments` over an Arrow table that already has ``dup_of`` and
    ``dup_kind`` columns (e.g. empty, as a Parquet part is written before duplicates are
    found): those two are replaced, typed as the ``text`` column, in place; every other
    column is left as it is, untouched by a trip through pandas. Row order kept.

    Examples
    --------
    >>> table = pa.table({"segment_id": ["a/p1/s1", "b/p1/s1", "b/p1/s2"],
    ...                   "text": ["干部", "干部", "群众"],
    ...                   "dup_of": pa.nulls(3), "dup_kind": pa.nulls(3)})
    >>> para = pd.DataFrame({"id": ["b/p1"], "dup_of": ["a/p1"], "kind": ["near"]})
    >>> by_para = {"a/p1": [("a/p1/s1", "干部")],
    ...            "b/p1": [("b/p1/s1", "干部"), ("b/p1/s2", "群众")]}
    >>> mark_segments_table(table, para, by_para).column("dup_of").to_pylist()
    [None, 'a/p1/s1', 'a/p1']
    """
    targets = sentence_targets(para, by_para)
    str_type = table.schema.field("text").type
    sids = pa.array(targets["segment_id"].tolist(), str_type)
    if len(pc.unique(sids)) != len(sids):  # a merge would repeat rows: never expected
        raise ValueError("a segment id repeats among the duplicate paragraphs' sentences")
    row_of = pc.index_in(table["segment_id"], value_set=sids)  # null: not a duplicate
    for column, values in (("dup_of", "dup_of"), ("dup_kind", "dup_kind")):
        marks = pa.array(targets[values].tolist(), str_type).take(row_of)
        i = table.schema.get_field_index(column)
        table = table.set_column(i, pa.field(column, str_type), marks)
    return table


class CorpusUnits:
    """The articles and paragraphs of a segments table in memory, for finding and
    marking their duplicates (:func:`find_marks`, :meth:`apply`)."""

    def __init__(self, segments: pd.DataFrame) -> None:
        self.segments = segments
        self.texts_ = segment_texts(segments)
        self.levels = [_Level(segments, key, self.texts_) for _, key in _LEVELS]

    def sketch(self, threshold: float) -> CorpusSketches:
        """:func:`sketch_segments` of the table, keeping the normalised units for
        verification."""
        params = sketch_params(threshold, 5, 12, dedup.NUM_PERM, False)
        return _sketch_levels(self.segments, self.texts_, self.levels, params)

    def texts(self, sketches: CorpusSketches, threshold: float) -> tuple[TextSource, TextSource]:
        """Each level's ``texts(positions)`` for :func:`find_marks`, after checking that
        ``sketches`` are of these units with settings that can find ``threshold``."""
        min_chars, ngram = 12, 5  # find_duplicates' defaults, which the exact method uses
        out = []
        for units, sk in zip(self.levels, (sketches.articles, sketches.paragraphs), strict=True):
            check_sketches(sk, units.ids, threshold=threshold, ngram=ngram, min_chars=min_chars)
            out.append(units.texts_at)
        return out[0], out[1]

    def apply(
        self,
        corpus: Corpus,
        art: pd.DataFrame,
        para: pd.DataFrame,
        normalise: Callable[[list[str]], list] | None = None,
    ) -> None:
        """Mark ``corpus`` (whose segments these are) with the duplicates found."""
        segs, levels = self.segments, self.levels
        art, para = (_on_ids(u, found) for u, found in zip(levels, (art, para), strict=True))
        docs = mark_documents(corpus.documents, art)
        by_para = _involved_keys(segs, para, normalise or _normalise_simplified, levels[1])
        file_of = _files_of(segs, [(levels[0], art), (levels[1], para)])
        corpus.segments = mark_segments(segs, para, by_para)
        corpus.documents = docs
        corpus.duplicates = pd.concat(
            [duplicates_table("article", art, file_of),
             duplicates_table("paragraph", para, file_of)],
            ignore_index=True,
        )  # fmt: skip


def _on_ids(units: _Level, found: pd.DataFrame) -> pd.DataFrame:
    """``found`` with its ids taken from the units' id column as the loader's tables
    infer it (``str``), whichever search found them."""
    ids = pd.DataFrame({"id": units.ids})["id"]  # the id column _units would build
    rows = zip(
        units.positions(found["id"].tolist()).tolist(),
        units.positions(found["dup_of"].tolist()).tolist(),
        found["kind"].tolist(), found["similarity"].tolist(), strict=True,
    )  # fmt: skip
    return result_table(ids, list(rows))


def mark_empty(corpus: Corpus) -> None:
    """The duplicate columns and table of a corpus without segments."""
    segs, docs = corpus.segments, corpus.documents
    docs["dup_of"], docs["dup_similarity"] = pd.NA, pd.NA
    segs["dup_of"], segs["dup_kind"] = pd.NA, pd.NA
    corpus.duplicates = pd.DataFrame(columns=DUPLICATE_COLUMNS)


def mark_duplicates(
    corpus: Corpus,
    threshold: float,
    *,
    method: Method = "fast",
    sketches: CorpusSketches | None = None,
) -> None:
    """Fill ``dup_of`` on documents and segments and build ``corpus.duplicates``.

    Parameters
    ----------
    corpus : Corpus
        Loaded corpus; its tables are replaced.
    threshold : float
        Jaccard threshold of near duplicates.
    method : {"fast", "exact"}, default "fast"
        As in :func:`workbench.corpus.dedup.find_duplicates`.
    sketches : CorpusSketches, optional
        :func:`sketch_segments` of ``corpus.segments`` (e.g. concatenated from the
        workers' partitions) for the fast method; computed here when omitted.
    """
    segs = corpus.segments
    if segs.empty:
        mark_empty(corpus)
        return
    units = CorpusUnits(segs)
    if method == "exact":
        art = find_duplicates(_units(segs, "doc_id"), threshold=threshold, method="exact")
        para = find_duplicates(_units(segs, "paragraph_id"), threshold=threshold, method="exact")
        units.apply(corpus, art, para, _normalise_exact)
        return
    if method != "fast":
        raise ValueError(f"method must be 'fast' or 'exact', got {method!r}")
    if sketches is None:
        sketches = units.sketch(threshold)
    art, para = find_marks(sketches, units.texts(sketches, threshold), threshold)
    units.apply(corpus, art, para)


def _named(dups: pd.DataFrame) -> list[str]:
    """The unit ids a duplicates table names (``id`` and ``dup_of``), sorted."""
    return sorted(set(dups["id"].tolist()) | set(dups["dup_of"].tolist()))


def _files_of(segments: pd.DataFrame, found: list[tuple[_Level, pd.DataFrame]]) -> dict[str, str]:
    """``{unit id: file}`` of the units named in each level's duplicates table."""
    files = segments["file"]
    out: dict[str, str] = {}
    for units, dups in found:
        ids = _named(dups)
        rows = units.first_rows()[units.positions(ids)]
        out.update(zip(ids, files.iloc[rows].tolist(), strict=True))
    return out
