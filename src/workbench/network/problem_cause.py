"""Directed problem–cause and problem–countermeasure networks, as the corpus asserts them.

An article *asserts* ``cause → problem`` when it has a cause code in a cause
section and a problem code in a problem section, and ``problem →
countermeasure`` likewise with a countermeasure section. Only codes in a section
of their own role count: a problem word inside a countermeasure is not a problem
the article states. A "cause code" is a code of the category that plays the part
``cause`` in the codebook (:meth:`Codebook.category_for_part`; in the bundled
codebook the category ``cause``), and so on: a codebook of one's own with categories
``grievance`` (part problem) and ``explanation`` (part cause) gets its
explanation → grievance links. A relation one of whose parts no category plays has
no links (:func:`missing_parts` says which).

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

What counts. Headings that only announce their section ("存在的主要问题", "原因分析":
:func:`workbench.corpus.structure.announces_section`) are not statements: their codes are
left out by default (``headings=True`` keeps them), though headings still number the
items used for alignment; numbered headings that state a problem or a cause count.
Catch-all codes (:attr:`Codebook.catch_alls`) are left out by default (``catch_alls=True``
keeps them).

Significance. Is a link asserted by more articles than chance? Among the ``N``
articles asserting any link of the relation, ``n_s`` have the source code on the
source side and ``n_t`` the target code on the target side; under independence
the number asserting both is hypergeometric, and ``p = P(X ≥ weight)``.
Benjamini–Hochberg runs over every (source, target) combination of codes present,
per relation, pooled. :func:`problem_cause_graph` keeps ``p`` and ``q`` on every
edge and filters on ``q ≤ alpha`` when asked.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from workbench.coding.codebook import Codebook
from workbench.coding.coder import code_segments
from workbench.corpus.structure import SECTION_ROLES, section_announcements
from workbench.network.graph import CodeDiGraph

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


def coded_sentences(segments: pd.DataFrame, codebook: Codebook, *, headings: bool = False,
                    catch_alls: bool = False) -> pd.DataFrame:  # fmt: skip
    """Sentence-level codes in sections of their own role, with their item ordinal.

    Heading sentences and catch-all codes are left out unless ``headings`` /
    ``catch_alls``; headings still count for the items.

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
    # A code counts in a section whose role is the part its category plays.
    part = {cat: codebook.part_of(cat) or "" for cat in codebook.categories}
    keep = hits["category"].map(part).fillna("").eq(hits["role"])
    if not headings:
        heads = set(seg.loc[section_announcements(seg), "segment_id"])
        keep &= ~hits["segment_id"].isin(heads)
    if not catch_alls:
        keep &= ~hits["code"].isin(codebook.catch_alls)
    hits = hits[keep].reset_index(drop=True)
    quote = hits["text_orig"].where(hits["text_orig"].notna(), hits["text"])
    out = hits[["doc_id", "segment_id", "section", "role", "code"]].assign(quote=quote)
    # Items are counted over every sentence of the block, coded or not.
    all_items = _items(seg[seg["role"].isin(SECTION_ROLES)])
    seg_item = pd.Series(all_items.to_numpy(), index=seg.loc[all_items.index, "segment_id"])
    out["item"] = out["segment_id"].map(seg_item)
    n_items = (
        seg.loc[all_items.index].assign(item=all_items).dropna(subset=["item"])
        .groupby(["doc_id", "role"])["item"].nunique()
    )  # fmt: skip
    keys = pd.MultiIndex.from_frame(out[["doc_id", "role"]])
    out["n_items"] = n_items.reindex(keys).fillna(0).astype(int).to_numpy()
    return out


def missing_parts(codebook: Codebook, relations: Sequence[str] = tuple(RELATIONS)
                  ) -> list[str]:  # fmt: skip
    """The parts of ``relations`` that no category of ``codebook`` plays (empty: none missing).

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> missing_parts(load_codebook())
    []
    """
    needed = dict.fromkeys(role for rel in relations for role in RELATIONS[rel])
    return [p for p in needed if codebook.category_for_part(p) is None]


def assertions(segments: pd.DataFrame, codebook: Codebook,
               relations: tuple[str, ...] = tuple(RELATIONS), *, headings: bool = False,
               catch_alls: bool = False) -> pd.DataFrame:  # fmt: skip
    """Every asserted sentence pair (one row per pair, :data:`PAIR_COLUMNS`).

    Sorted by relation, source, target, article and segments, so the table and
    the graphs built from it are deterministic.

    Parameters
    ----------
    segments : DataFrame
        The segments (de-duplicated: :meth:`Corpus.analysis_segments`).
    codebook : Codebook
    relations : tuple of str
        Keys of :data:`RELATIONS`.
    headings : bool
        Count codes in heading sentences (default: headings are not statements).
    catch_alls : bool
        Keep the catch-all codes (:attr:`Codebook.catch_alls`; default: left out).

    A relation with a part no category of the codebook plays has no pairs
    (:func:`missing_parts`).
    """
    sent = coded_sentences(segments, codebook, headings=headings, catch_alls=catch_alls)
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


@dataclass
class LinkIncidence:
    """Article incidences behind the links of :func:`assertions`, for weights and tests.

    Rows are ``articles``; ``edges`` (``source, target, relation``) index the
    columns of ``edge`` (the article asserts the link); ``source`` and ``target``
    (the article has the link's source code on the source side, its target code
    on the target side, of that relation) and ``relation`` (the article asserts
    any link of the relation) are aligned with ``edges`` too. ``source_keys`` and
    ``target_keys`` hold the (relation, code) incidences that count the tests.
    """

    articles: list[str]
    edges: pd.DataFrame
    edge: sparse.csc_matrix
    source: sparse.csc_matrix
    target: sparse.csc_matrix
    relation: sparse.csc_matrix
    source_keys: sparse.csc_matrix
    target_keys: sparse.csc_matrix
    source_key_relation: np.ndarray
    target_key_relation: np.ndarray

    @classmethod
    def from_pairs(cls, pairs: pd.DataFrame,
                   articles: Sequence[str] | None = None) -> LinkIncidence:  # fmt: skip
        """From :func:`assertions` pairs; ``articles`` default: those in ``pairs``."""
        keys = ["source", "target", "relation"]
        per_doc = pairs[[*keys, "doc_id"]].drop_duplicates()
        arts = sorted(set(per_doc["doc_id"])) if articles is None else list(articles)
        row = {a: i for i, a in enumerate(arts)}
        edges = per_doc[keys].drop_duplicates().sort_values(keys, kind="stable")
        edges = edges.reset_index(drop=True)

        def incidence(frame: pd.DataFrame, cols: list[str],
                      index: pd.DataFrame) -> sparse.csc_matrix:  # fmt: skip
            pos = pd.MultiIndex.from_frame(index[cols]).get_indexer(
                pd.MultiIndex.from_frame(frame[cols]))  # fmt: skip
            rows = frame["doc_id"].map(row).to_numpy(dtype=np.int64)
            out = sparse.csc_matrix((np.ones(len(rows)), (rows, pos)),
                                    shape=(len(arts), len(index)))  # fmt: skip
            out.data[:] = 1.0  # duplicates were summed: presence is 0/1
            return out

        edge = incidence(per_doc, keys, edges)
        skeys = per_doc[["relation", "source"]].drop_duplicates().sort_values(
            ["relation", "source"]).reset_index(drop=True)  # fmt: skip
        tkeys = per_doc[["relation", "target"]].drop_duplicates().sort_values(
            ["relation", "target"]).reset_index(drop=True)  # fmt: skip
        s_inc = incidence(per_doc, ["relation", "source"], skeys)
        t_inc = incidence(per_doc, ["relation", "target"], tkeys)
        rels = sorted(set(edges["relation"]))
        r_inc = incidence(per_doc.assign(r=per_doc["relation"]), ["r"],
                          pd.DataFrame({"r": rels}))  # fmt: skip
        s_of = pd.MultiIndex.from_frame(skeys).get_indexer(
            pd.MultiIndex.from_frame(edges[["relation", "source"]]))  # fmt: skip
        t_of = pd.MultiIndex.from_frame(tkeys).get_indexer(
            pd.MultiIndex.from_frame(edges[["relation", "target"]]))  # fmt: skip
        r_of = pd.Index(rels).get_indexer(edges["relation"])
        # Per article: the relation is asserted at all (any link), for every edge column.
        return cls(arts, edges, edge, s_inc[:, s_of], t_inc[:, t_of], r_inc[:, r_of],
                   s_inc, t_inc, skeys["relation"].to_numpy(),
                   tkeys["relation"].to_numpy())  # fmt: skip

    def tests(self, mult: np.ndarray | None = None) -> pd.DataFrame:
        """``source, target, relation, weight, n_source, n_target, n_articles, p, q``.

        ``mult`` weights the articles (the bootstrap's draws; default 1 each).
        """
        from scipy import stats

        from workbench.network.significance import bh

        m = np.ones(len(self.articles)) if mult is None else np.asarray(mult, dtype=float)
        out = self.edges.copy()
        out["weight"] = np.rint(m @ self.edge).astype(np.int64)
        out["n_source"] = np.rint(m @ self.source).astype(np.int64)
        out["n_target"] = np.rint(m @ self.target).astype(np.int64)
        out["n_articles"] = np.rint(m @ self.relation).astype(np.int64)
        live = out["weight"].to_numpy() > 0
        p = np.ones(len(out))
        if live.any():
            # P(X >= weight) with X hypergeometric(N articles, n_source, n_target).
            p[live] = stats.hypergeom.sf(out["weight"][live] - 1, out["n_articles"][live],
                                         out["n_source"][live], out["n_target"][live])
        s_live = (m @ self.source_keys) > 0
        t_live = (m @ self.target_keys) > 0
        n_tests = sum(int(s_live[self.source_key_relation == r].sum())
                      * int(t_live[self.target_key_relation == r].sum())
                      for r in set(self.source_key_relation))  # fmt: skip
        out["p"] = p
        out["q"] = np.ones(len(out))
        if live.any():
            out.loc[live, "q"] = bh(p[live], n_tests=max(n_tests, int(live.sum())))
        return out


def describe_links(min_articles: int, alpha: float | None = None, lang: str = "en") -> str:
    """The problem–cause filter as one line (graph attribute ``filter``, figure captions).

    Examples
    --------
    >>> describe_links(2, 0.05)
    'articles ≥ 2; BH q ≤ 0.05 (one-sided hypergeometric over articles)'
    >>> describe_links(3, lang="zh")
    '文章数 ≥ 3'
    """
    zh = lang == "zh"
    parts = [f"{'文章数' if zh else 'articles'} ≥ {min_articles}"]
    if alpha is not None:
        test = "文章层面单侧超几何检验" if zh else "one-sided hypergeometric over articles"
        parts.append(f"BH q ≤ {alpha:g} ({test})")
    return "; ".join(parts)


def links_shortfall(tests: pd.DataFrame, min_articles: int, alpha: float | None = None,
                    lang: str = "en") -> str:  # fmt: skip
    """Why no link of ``tests`` (:meth:`LinkIncidence.tests`) passes the filter, and the
    options that together would show them (graph attributes ``no_edges``, and
    ``no_edges_zh`` from ``lang="zh"`` for a Chinese page).

    Examples
    --------
    >>> t = pd.DataFrame({"weight": [2, 1, 0], "q": [0.2, 1.0, 1.0]})
    >>> links_shortfall(t, 3)
    '2 link(s) asserted; none in ≥ 3 articles (at most 2): --min-articles 2 shows them'
    >>> print(links_shortfall(t, 1, 0.05).replace("; ", ";\\n"))
    2 link(s) asserted;
    2 in ≥ 1 articles;
    none of them has BH q ≤ 0.05 (smallest 0.2): --alpha none shows them
    >>> print(links_shortfall(t, 3, 0.05, lang="zh").replace("：", "：\\n"))
    文中断言 2 条关联；没有一条出现在 ≥ 3 篇文章中（最多 2）：
    用 --min-articles 2 和 --alpha none 可显示
    """
    from workbench.network.graph import said_shortfall

    zh = lang == "zh"
    live = tests[tests["weight"] > 0]
    if live.empty:
        return ("没有文章断言任何关联（没有与问题并列陈述的原因或对策）" if zh else
                "no article asserts a link (no cause or countermeasure stated beside a problem)")
    steps = [f"文中断言 {len(live)} 条关联" if zh else f"{len(live)} link(s) asserted"]
    why, fixes = "", []
    most = int(live["weight"].max())
    left = live[live["weight"] >= min_articles]
    if left.empty:
        why = (f"没有一条出现在 ≥ {min_articles} 篇文章中（最多 {most}）" if zh else
               f"none in ≥ {min_articles} articles (at most {most})")  # fmt: skip
        fixes.append(f"--min-articles {most}")
        left = live[live["weight"] >= most]
    else:
        steps.append(f"其中 {len(left)} 条出现在 ≥ {min_articles} 篇文章中" if zh else
                     f"{len(left)} in ≥ {min_articles} articles")  # fmt: skip
    if alpha is not None and not (left["q"] <= alpha).any():
        best = float(left["q"].min())
        why = why or (f"没有一条的 BH q ≤ {alpha:g}（最小 {best:.3g}）" if zh else
                      f"none of them has BH q ≤ {alpha:g} (smallest {best:.3g})")
        fixes.append("--alpha none")
    return said_shortfall(steps, why, fixes, zh)


def _edge_attrs(group: pd.DataFrame) -> dict[str, str | int]:
    align = sorted(set(group["alignment"]))
    return {
        "articles": "; ".join(sorted(set(group["doc_id"]))),
        "alignment": align[0] if len(align) == 1 else "mixed",
        "evidence": "; ".join(group["source_segment"] + " -> " + group["target_segment"]),
        "quotes": QUOTE_SEP.join(group["source_quote"] + " → " + group["target_quote"]),
        "n_pairs": len(group),
    }


def _check_arguments(pairs: object, node_meta: object, min_articles: object,
                     alpha: object) -> None:  # fmt: skip
    """:func:`problem_cause_graph`'s arguments, as :class:`~workbench.network.graph.EdgeFilter`
    checks its own."""
    from workbench.network.graph import check_count, check_node_meta, check_number

    if not isinstance(pairs, pd.DataFrame):
        raise TypeError(f"pairs must be assertions(segments, codebook), not {type(pairs).__name__}")
    missing = [c for c in ("doc_id", "source", "target", "relation") if c not in pairs.columns]
    if missing:
        raise ValueError(
            f"pairs lacks the columns {', '.join(missing)}: pass assertions(segments, codebook), "
            f"not the segments themselves"
        )
    check_node_meta(node_meta)
    check_count("min_articles", min_articles)
    if alpha is not None:
        check_number("alpha", alpha, 0, 1, "a level in (0, 1], such as 0.05")
        if alpha == 0:
            raise ValueError("alpha must be a level in (0, 1], such as 0.05, not 0")


def problem_cause_graph(
    pairs: pd.DataFrame,
    node_meta: Mapping[str, Mapping[str, str]] | None = None,
    *,
    min_articles: int = 1,
    alpha: float | None = None,
    article_weights: Mapping[str, float] | None = None,
    with_evidence: bool = True,
) -> nx.DiGraph:
    """The directed graph of :func:`assertions`.

    Parameters
    ----------
    pairs : DataFrame
        :func:`assertions`.
    node_meta : mapping, optional
        :func:`~workbench.network.graph.codebook_meta`.
    min_articles : int
        Keep links asserted by at least this many articles.
    alpha : float, optional
        Also keep only links with BH ``q ≤ alpha`` (one-sided hypergeometric test
        over articles; see the module docstring). ``p`` and ``q`` are on every
        edge either way.
    article_weights : mapping, optional
        ``{doc_id: weight}`` (the bootstrap's draws); default 1 each.
    with_evidence : bool
        Attach the sentence pairs and quotes.

    Returns
    -------
    networkx.DiGraph
        Node attributes ``label_zh, label_en, category, frequency`` (articles in
        which the code is on either end of an assertion). Edge attributes
        ``relation`` (``cause_of`` or ``addressed_by``), ``weight`` (articles),
        ``p``, ``q``, ``articles``, ``alignment`` (``item``, ``article`` or
        ``mixed``), ``n_pairs``, ``evidence`` (``source_segment ->
        target_segment`` pairs joined by ``"; "``) and ``quotes`` (``source →
        target`` quote pairs joined by ``" | "``). Graph attributes
        ``kind="problem-cause"``, ``filter`` (:func:`describe_links`),
        ``filter_min_articles`` and ``filter_alpha`` (``""`` for none); a graph
        without edges also has ``no_edges`` (:func:`links_shortfall`: why) and
        ``no_edges_zh`` (the same in Chinese).

    Raises
    ------
    TypeError, ValueError
        ``pairs`` is not a table of :func:`assertions` (a segments table passed as it
        is failed with a pandas ``KeyError``), ``node_meta`` not a mapping,
        ``min_articles`` below 1 or ``alpha`` outside (0, 1].
    """
    _check_arguments(pairs, node_meta, min_articles, alpha)
    inc = LinkIncidence.from_pairs(pairs)
    mult = None
    if article_weights is not None:
        mult = np.array([float(article_weights.get(a, 0)) for a in inc.articles])
    w = inc.tests(mult)
    keep = (w["weight"] >= min_articles) & (w["weight"] > 0)
    if alpha is not None:
        keep &= w["q"] <= alpha
    g = CodeDiGraph(kind="problem-cause", filter=describe_links(min_articles, alpha),
                   filter_min_articles=int(min_articles),
                   filter_alpha="" if alpha is None else float(alpha),
                   measure="articles")  # fmt: skip
    if not keep.any():  # only then: a graph with edges keeps the attributes it always had
        g.graph["no_edges"] = links_shortfall(w, min_articles, alpha)
        g.graph["no_edges_zh"] = links_shortfall(w, min_articles, alpha, "zh")
    w = w[keep]
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
        g.add_edge(r.source, r.target, relation=r.relation, weight=int(r.weight),
                   p=float(r.p), q=float(r.q), **attrs)  # fmt: skip
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
