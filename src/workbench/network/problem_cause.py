"""Directed problem–cause and problem–countermeasure networks, as the corpus asserts them.

An article *asserts* ``cause → problem`` when it has a cause code in a cause
section and a problem code in a problem section, and ``problem →
countermeasure`` likewise with a countermeasure section. Only codes in a section
of their own role count: a problem word inside a countermeasure is not a problem
the article states.

Alignment. The essays often number problems and causes in parallel (problem 1.2
↔ cause 2.2). Each sentence gets an *item*: the ordinal of its second-level
section (``"2.3.1"`` → the third item of its role block) within the article's
block of that role. When an article's two blocks have the same number of items
(≥ 2) the numbering is taken as parallel and only sentences of the same item are
paired (sentences outside any item pair with the whole other block); otherwise
every sentence of one block pairs with every sentence of the other (the article
fallback). Each pair records which of the two applied (``alignment``).

Weight = the number of distinct articles asserting the link (de-duplicate the
segments first, :meth:`Corpus.analysis_segments`, so a reposted article does not
count twice); evidence = the sentence pairs, with their quotes.

Examples
--------
>>> import pandas as pd
>>> from workbench.coding.codebook import load_codebook
>>> seg = pd.DataFrame({
...     "segment_id": ["d/a1/p1/s1", "d/a1/p2/s1"], "doc_id": ["d/a1"] * 2,
...     "paragraph_id": ["d/a1/p1", "d/a1/p2"], "section": ["1.1", "2.1"],
...     "role": ["problem", "cause"], "is_heading": [False, False],
...     "text": ["联系群众工作监督弱化,考核不力。", "一些地方监督弱化,考核不力。"],
...     "text_orig": ["联系群众工作监督弱化,考核不力。", "一些地方监督弱化,考核不力。"]})
>>> pairs = assertions(seg, load_codebook())
>>> pairs[["source", "target", "relation", "alignment"]].values.tolist()
[['C_oversight', 'P_oversight', 'cause_of', 'article']]
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd

from workbench.coding.codebook import Codebook
from workbench.coding.coder import code_segments

#: (relation, source role, target role).
RELATIONS = {
    "cause_of": ("cause", "problem"),
    "addressed_by": ("problem", "countermeasure"),
}
PAIR_COLUMNS = [
    "doc_id", "source", "target", "relation", "alignment", "source_segment",
    "target_segment", "source_quote", "target_quote",
]  # fmt: skip
QUOTE_SEP = " | "


def _items(hits: pd.DataFrame) -> pd.Series:
    """Ordinal of each hit's second-level section within its article's role block."""
    parts = hits["section"].fillna("").astype(str).str.split(".")
    item = parts.map(lambda p: ".".join(p[:2]) if len(p) >= 2 else "")
    ordinal = pd.Series(np.nan, index=hits.index)
    for _, idx in hits.groupby(["doc_id", "role"], sort=False).groups.items():
        block = item.loc[idx]
        numbered = list(dict.fromkeys(x for x in block if x))
        rank = {x: i for i, x in enumerate(numbered)}
        ordinal.loc[idx] = block.map(lambda x, r=rank: r.get(x, np.nan))
    return ordinal


def coded_sentences(segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Sentence-level codes in sections of their own role, with their item ordinal.

    Returns
    -------
    DataFrame
        ``doc_id, segment_id, section, role, code, quote, item, n_items`` in corpus
        order; ``item`` is NaN outside numbered items, ``n_items`` the number of
        items of the article's block of that role.
    """
    seg = segments.reset_index(drop=True)
    coding = code_segments(seg, codebook, "sentence")
    hits = coding.long.merge(
        seg[["segment_id", "doc_id", "section", "role", "text", "text_orig"]],
        left_on="unit_id", right_on="segment_id", how="left",
    )  # fmt: skip
    hits = hits[hits["category"] == hits["role"]].reset_index(drop=True)
    quote = hits["text_orig"].where(hits["text_orig"].notna(), hits["text"])
    out = hits[["doc_id", "segment_id", "section", "role", "code"]].assign(quote=quote)
    # Items are counted over every sentence of the block, coded or not.
    all_items = _items(seg[seg["role"].isin(["problem", "cause", "countermeasure"])])
    seg_item = pd.Series(all_items.to_numpy(), index=seg.loc[all_items.index, "segment_id"])
    out["item"] = out["segment_id"].map(seg_item)
    n_items = (
        seg.loc[all_items.index].assign(item=all_items).dropna(subset=["item"])
        .groupby(["doc_id", "role"])["item"].nunique()
    )  # fmt: skip
    keys = pd.MultiIndex.from_frame(out[["doc_id", "role"]])
    out["n_items"] = n_items.reindex(keys).fillna(0).astype(int).to_numpy()
    return out


def assertions(segments: pd.DataFrame, codebook: Codebook,
               relations: tuple[str, ...] = tuple(RELATIONS)) -> pd.DataFrame:  # fmt: skip
    """Every asserted sentence pair (one row per pair, :data:`PAIR_COLUMNS`).

    Sorted by relation, source, target, article and segments, so the table and
    the graphs built from it are deterministic.
    """
    sent = coded_sentences(segments, codebook)
    frames = []
    for rel in relations:
        src_role, tgt_role = RELATIONS[rel]
        src = sent[sent["role"] == src_role]
        tgt = sent[sent["role"] == tgt_role]
        pairs = src.merge(tgt, on="doc_id", suffixes=("_s", "_t"))
        parallel = (pairs["n_items_s"] == pairs["n_items_t"]) & (pairs["n_items_s"] >= 2)
        unnumbered = pairs["item_s"].isna() | pairs["item_t"].isna()
        keep = ~parallel | unnumbered | (pairs["item_s"] == pairs["item_t"])
        pairs = pairs[keep]
        frames.append(pd.DataFrame({
            "doc_id": pairs["doc_id"], "source": pairs["code_s"], "target": pairs["code_t"],
            "relation": rel, "alignment": np.where(parallel[keep], "item", "article"),
            "source_segment": pairs["segment_id_s"], "target_segment": pairs["segment_id_t"],
            "source_quote": pairs["quote_s"], "target_quote": pairs["quote_t"],
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PAIR_COLUMNS)
    order = ["relation", "source", "target", "doc_id", "source_segment", "target_segment"]
    return out.sort_values(order, kind="stable").drop_duplicates().reset_index(drop=True)


def edge_weights(pairs: pd.DataFrame, article_weights: Mapping[str, float] | None = None
                 ) -> pd.DataFrame:  # fmt: skip
    """Per edge: weight (distinct articles, or the sum of ``article_weights`` over them).

    Examples
    --------
    >>> p = pd.DataFrame({"doc_id": ["a", "a", "b"], "source": ["C"] * 3,
    ...                   "target": ["P"] * 3, "relation": ["cause_of"] * 3})
    >>> edge_weights(p)[["source", "target", "weight"]].values.tolist()
    [['C', 'P', 2]]
    >>> edge_weights(p, {"a": 3, "b": 0})["weight"].tolist()
    [3]
    """
    keys = ["source", "target", "relation"]
    per_doc = pairs[[*keys, "doc_id"]].drop_duplicates()
    if article_weights is not None:
        per_doc = per_doc.assign(w=per_doc["doc_id"].map(article_weights).fillna(0))
        out = per_doc.groupby(keys, sort=True)["w"].sum().round().astype(int)
    else:
        out = per_doc.groupby(keys, sort=True)["doc_id"].nunique()
    out = out.rename("weight").reset_index()
    return out[out["weight"] > 0].reset_index(drop=True)


def _edge_attrs(group: pd.DataFrame) -> dict[str, str | int]:
    align = sorted(set(group["alignment"]))
    return {
        "articles": "; ".join(sorted(set(group["doc_id"]))),
        "alignment": align[0] if len(align) == 1 else "mixed",
        "evidence": "; ".join(group["source_segment"] + " -> " + group["target_segment"]),
        "quotes": QUOTE_SEP.join(group["source_quote"] + " → " + group["target_quote"]),
        "n_pairs": len(group),
    }


def problem_cause_graph(
    pairs: pd.DataFrame,
    node_meta: Mapping[str, Mapping[str, str]] | None = None,
    *,
    min_articles: int = 1,
    article_weights: Mapping[str, float] | None = None,
    with_evidence: bool = True,
) -> nx.DiGraph:
    """The directed graph of :func:`assertions`.

    Node attributes ``label_zh, label_en, category, frequency`` (articles in which
    the code is on either end of an assertion). Edge attributes ``relation``
    (``cause_of`` or ``addressed_by``), ``weight`` (articles), ``articles``,
    ``alignment`` (``item``, ``article`` or ``mixed``), ``n_pairs``, ``evidence``
    (``source_segment -> target_segment`` pairs joined by ``"; "``) and ``quotes``
    (``source → target`` quote pairs joined by ``" | "``). Graph attributes
    ``kind="problem-cause"``, ``filter`` and ``filter_min_articles``.
    """
    w = edge_weights(pairs, article_weights)
    w = w[w["weight"] >= min_articles]
    g = nx.DiGraph(kind="problem-cause", filter=f"articles ≥ {min_articles}",
                   filter_min_articles=int(min_articles), measure="articles")  # fmt: skip
    ends = pd.concat([pairs[["doc_id", "source"]].set_axis(["doc_id", "code"], axis=1),
                      pairs[["doc_id", "target"]].set_axis(["doc_id", "code"], axis=1)])
    if article_weights is not None:
        ends = ends.drop_duplicates().assign(w=ends.drop_duplicates()["doc_id"]
                                             .map(article_weights).fillna(0))
        freq = ends.groupby("code")["w"].sum()
    else:
        freq = ends.drop_duplicates().groupby("code").size()
    groups = pairs.groupby(["source", "target", "relation"], sort=False) if with_evidence else {}
    for r in w.itertuples(index=False):
        for code in (r.source, r.target):
            if code not in g:
                info = (node_meta or {}).get(code, {})
                g.add_node(code, label_zh=str(info.get("label_zh", code)),
                           label_en=str(info.get("label_en", code)),
                           category=str(info.get("category", "")),
                           frequency=round(float(freq.get(code, 0))))  # fmt: skip
        attrs = _edge_attrs(groups.get_group((r.source, r.target, r.relation))) if with_evidence \
            else {}
        g.add_edge(r.source, r.target, relation=r.relation, weight=int(r.weight), **attrs)
    return g


def quote_pairs(g: nx.DiGraph, source: str, target: str) -> pd.DataFrame:
    """The quote pairs behind one edge: ``source_segment, target_segment, source_quote,
    target_quote``."""
    d = g.edges[source, target]
    ids = [e.split(" -> ") for e in d["evidence"].split("; ")]
    quotes = [q.split(" → ", 1) for q in d["quotes"].split(QUOTE_SEP)]
    return pd.DataFrame([{"source_segment": a, "target_segment": b, "source_quote": qa,
                          "target_quote": qb} for (a, b), (qa, qb) in zip(ids, quotes,
                                                                        strict=True)])  # fmt: skip
