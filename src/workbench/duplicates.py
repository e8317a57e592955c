"""Mark duplicate articles, paragraphs and sentences on a loaded corpus.

Detection itself lives in :mod:`workbench.dedup`; this module applies it to the
corpus tables. Matching runs on the Simplified text, so an essay reposted in the
other script is found. Nothing is deleted: duplicates get ``dup_of`` (the id of the
first occurrence in corpus order) and analyses filter them out by default
(:meth:`workbench.corpus.Corpus.analysis_segments`).

Segment ``dup_of`` is the matching sentence of the canonical paragraph when one
has the same normalised text, else the canonical paragraph's id (``…/pNNN``):
near-duplicate paragraphs need not align sentence by sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.dedup import find_duplicates, normalise_for_matching

if TYPE_CHECKING:
    from workbench.corpus import Corpus

DUPLICATE_COLUMNS = ["level", "id", "of", "kind", "similarity", "file", "of_file"]


def _units(segments: pd.DataFrame, key: str) -> pd.DataFrame:
    # Plain dict over lists in first-appearance order, as groupby(sort=False) gives:
    # a groupby with a Python join per group was a large share of marking time.
    texts: dict[str, list[str]] = {}
    for unit, text in zip(segments[key].tolist(), segments["text"].tolist(), strict=True):
        texts.setdefault(str(unit), []).append(text)
    return pd.DataFrame({"id": list(texts), "text": ["".join(t) for t in texts.values()]})


def _segment_targets(segments: pd.DataFrame, para_dups: pd.DataFrame) -> pd.DataFrame:
    """Map each sentence of a duplicate paragraph to its canonical counterpart."""
    involved = set(para_dups["id"]) | set(para_dups["dup_of"])
    rows = segments.loc[segments["paragraph_id"].isin(involved)]
    by_para: dict[str, list[tuple[str, str]]] = {}
    for pid, sid, text in rows[["paragraph_id", "segment_id", "text"]].itertuples(index=False):
        by_para.setdefault(pid, []).append((sid, normalise_for_matching(text)))
    out = []
    for dup, of, kind in para_dups[["id", "dup_of", "kind"]].itertuples(index=False):
        lookup = {key: sid for sid, key in reversed(by_para[of])}  # first sentence wins
        out += [(sid, lookup.get(key, of), kind) for sid, key in by_para[dup]]
    return pd.DataFrame(out, columns=["segment_id", "dup_of", "dup_kind"])


def _table(level: str, found: pd.DataFrame, file_of: dict[str, str]) -> pd.DataFrame:
    out = found.rename(columns={"dup_of": "of"}).assign(level=level)
    out["file"] = out["id"].map(file_of)
    out["of_file"] = out["of"].map(file_of)
    return out.reindex(columns=DUPLICATE_COLUMNS)


def mark_duplicates(corpus: Corpus, threshold: float) -> None:
    """Fill ``dup_of`` on documents and segments and build ``corpus.duplicates``."""
    segs, docs = corpus.segments, corpus.documents
    if segs.empty:
        docs["dup_of"], docs["dup_similarity"] = pd.NA, pd.NA
        segs["dup_of"], segs["dup_kind"] = pd.NA, pd.NA
        corpus.duplicates = pd.DataFrame(columns=DUPLICATE_COLUMNS)
        return
    art = find_duplicates(_units(segs, "doc_id"), threshold=threshold)
    para = find_duplicates(_units(segs, "paragraph_id"), threshold=threshold)
    docs = docs.drop(columns=["dup_of", "dup_similarity"], errors="ignore")
    docs = docs.merge(
        art[["id", "dup_of", "similarity"]].rename(
            columns={"id": "doc_id", "similarity": "dup_similarity"}
        ),
        on="doc_id", how="left",
    )  # fmt: skip
    targets = _segment_targets(segs, para)
    segs = segs.drop(columns=["dup_of", "dup_kind"], errors="ignore")
    corpus.segments = segs.merge(targets, on="segment_id", how="left")
    corpus.documents = docs
    file_of = dict(zip(segs["doc_id"], segs["file"], strict=False))
    file_of.update(zip(segs["paragraph_id"], segs["file"], strict=False))
    corpus.duplicates = pd.concat(
        [_table("article", art, file_of), _table("paragraph", para, file_of)], ignore_index=True
    )
