"""Centrality, communities and bootstrap stability of a code network.

* :func:`centrality` — degree, strength (sum of edge weights), weighted
  betweenness and eigenvector centrality. Betweenness reads weights as
  *distances*, while edge weights here are *strengths* (a higher Jaccard or more
  articles means closer), so it uses ``1 / weight`` as the distance. Eigenvector
  centrality is computed on the undirected graph (a cause → problem graph is
  bipartite and acyclic, where the directed version is zero everywhere), per
  connected component scaled by the component's share of nodes, so a graph in
  pieces still gets a value for every node.
* :func:`communities` — Louvain with a fixed seed; communities numbered by size,
  then by their first node, so the numbering is stable.
* :func:`bootstrap` — resample articles with replacement (seeded), rebuild the
  graph each time with the same filter, and report each edge's presence rate and
  each node's centrality interval.

Examples
--------
>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_weighted_edges_from([("a", "b", 2.0), ("b", "c", 1.0)])
>>> centrality(g)[["id", "degree", "strength", "betweenness"]].values.tolist()
[['b', 2, 3.0, 1.0], ['a', 1, 2.0, 0.0], ['c', 1, 1.0, 0.0]]
>>> communities(nx.union(nx.complete_graph(["x", "y"]), nx.complete_graph(["z", "w"])))
{'w': 0, 'z': 0, 'x': 1, 'y': 1}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

CENTRALITIES = ("degree", "strength", "betweenness", "eigenvector")


def _check_positive(g: nx.Graph, weight: str) -> None:
    bad = [(u, v) for u, v, w in g.edges(data=weight, default=1.0) if not w > 0]
    if bad:
        raise ValueError(f"centrality needs positive {weight!r} on every edge; not on {bad[:3]}")


def _eigenvector(g: nx.Graph, weight: str) -> dict[str, float]:
    und = g.to_undirected() if g.is_directed() else g
    out: dict[str, float] = {}
    n = max(und.number_of_nodes(), 1)
    for comp in nx.connected_components(und):
        sub = und.subgraph(comp)
        if sub.number_of_nodes() < 3:
            # A pair (or a single node) has equal centrality; skip the eigen solver.
            vals = dict.fromkeys(sub, 1 / np.sqrt(sub.number_of_nodes()))
        else:
            vals = nx.eigenvector_centrality_numpy(sub, weight=weight)
        out.update({k: abs(v) * len(comp) / n for k, v in vals.items()})
    return out


def centrality(g: nx.Graph, weight: str = "weight",
               measures: Sequence[str] = CENTRALITIES) -> pd.DataFrame:  # fmt: skip
    """Centrality table, most central first (by strength, then id).

    ``measures`` limits the costly ones (betweenness, eigenvector) to those asked
    for; the others are NaN.

    Returns
    -------
    DataFrame
        ``id, label_zh, label_en, category, degree, strength, betweenness,
        eigenvector`` (+ ``in_strength, out_strength`` for a directed graph).
        Betweenness is normalised (networkx default).
    """
    _check_positive(g, weight)
    btw: dict[str, float] = {}
    if "betweenness" in measures:
        dist = {(u, v): 1.0 / w for u, v, w in g.edges(data=weight, default=1.0)}
        h = g.copy()
        nx.set_edge_attributes(h, dist, "_distance")
        btw = nx.betweenness_centrality(h, weight="_distance")
    eig = _eigenvector(g, weight) if "eigenvector" in measures else {}
    rows = []
    for n, d in g.nodes(data=True):
        row = {"id": n, "label_zh": d.get("label_zh", n), "label_en": d.get("label_en", n),
               "category": d.get("category", ""), "degree": g.degree(n),
               "strength": float(g.degree(n, weight=weight)),
               "betweenness": btw.get(n, np.nan), "eigenvector": eig.get(n, np.nan)}  # fmt: skip
        if g.is_directed():
            row["in_strength"] = float(g.in_degree(n, weight=weight))
            row["out_strength"] = float(g.out_degree(n, weight=weight))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(["strength", "id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)  # fmt: skip


def communities(g: nx.Graph, seed: int = 0, resolution: float = 1.0,
                weight: str = "weight") -> dict[str, int]:  # fmt: skip
    """Louvain communities (on the undirected graph) as ``{node: community}``.

    Community 0 is the largest; ties go to the community whose first node (in
    sorted order) comes first. The dict is ordered by community, then node.
    """
    und = g.to_undirected() if g.is_directed() else g
    found = nx.community.louvain_communities(und, weight=weight, resolution=resolution,
                                             seed=seed)  # fmt: skip
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {n: i for i, comm in enumerate(ordered) for n in comm}


@dataclass
class Bootstrap:
    """Bootstrap result.

    Attributes
    ----------
    edges : DataFrame
        ``source, target, presence`` — share of resamples in which the edge
        passed the filter, for every edge seen at least once; the full-data graph's
        edges first, then by presence.
    centrality : DataFrame
        ``id, measure, estimate, low, high`` — the full-data value and the
        percentile interval (a node absent from a resample counts as 0).
    n_resamples : int
    seed : int
    """

    edges: pd.DataFrame
    centrality: pd.DataFrame
    n_resamples: int
    seed: int


def _edge_key(g: nx.Graph, u: str, v: str) -> tuple[str, str]:
    return (u, v) if g.is_directed() or u <= v else (v, u)


def bootstrap(
    build: Callable[[np.ndarray], nx.Graph],
    n_groups: int,
    *,
    n_resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
    weight: str = "weight",
    measures: Sequence[str] = CENTRALITIES,
) -> Bootstrap:
    """Resample ``n_groups`` articles with replacement and rebuild the graph each time.

    Parameters
    ----------
    build : callable
        ``build(multiplicity) -> graph``: the graph from article multiplicities
        (an int array of length ``n_groups``; all ones is the full data). See
        :func:`cooccurrence_builder` and :func:`problem_cause_builder`.
    n_groups : int
        Number of articles.
    n_resamples : int
        Resamples (≥ 200 for reported intervals).
    seed : int
        Seed of :func:`numpy.random.default_rng`; same seed, same result.
    level : float
        Coverage of the percentile interval.
    measures : sequence of str
        Centralities to resample (betweenness is the slow one).
    """
    rng = np.random.default_rng(seed)
    full = build(np.ones(n_groups, dtype=np.int64))
    full_cent = centrality(full, weight).set_index("id")
    nodes = list(full.nodes)
    seen: dict[tuple[str, str], int] = {}
    values = {m: np.zeros((n_resamples, len(nodes))) for m in measures}
    for b in range(n_resamples):
        mult = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        g = build(mult)
        for u, v in g.edges:
            key = _edge_key(g, u, v)
            seen[key] = seen.get(key, 0) + 1
        cent = centrality(g, weight, measures).set_index("id") if g.number_of_nodes() else None
        for m in measures:
            if cent is not None:
                values[m][b] = cent[m].reindex(nodes).fillna(0.0).to_numpy()
    full_keys = [_edge_key(full, u, v) for u, v in full.edges]
    edges = pd.DataFrame([{"source": s, "target": t, "presence": c / n_resamples,
                           "in_full": (s, t) in set(full_keys)}
                          for (s, t), c in seen.items()])  # fmt: skip
    for s, t in full_keys:
        if (s, t) not in seen:
            edges.loc[len(edges)] = {"source": s, "target": t, "presence": 0.0, "in_full": True}
    edges = edges.sort_values(["in_full", "presence", "source", "target"],
                              ascending=[False, False, True, True], kind="stable")
    tail = (1 - level) / 2 * 100
    rows = []
    for m in measures:
        low, high = np.percentile(values[m], [tail, 100 - tail], axis=0)
        for i, n in enumerate(nodes):
            rows.append({"id": n, "measure": m, "estimate": float(full_cent.at[n, m]),
                         "low": float(low[i]), "high": float(high[i])})  # fmt: skip
    return Bootstrap(edges=edges.reset_index(drop=True), centrality=pd.DataFrame(rows),
                     n_resamples=n_resamples, seed=seed)  # fmt: skip


def cooccurrence_builder(coding, edge_filter, node_meta=None, *,
                         catch_alls: bool = False) -> tuple[Callable, int]:  # fmt: skip
    """``(build, n_articles)`` for :func:`bootstrap` from a :class:`Coding`.

    Each unit is weighted by its article's multiplicity; articles are the
    ``doc_id`` of :attr:`Coding.units`, in order of first appearance (and are what
    article support counts). Catch-all codes in ``node_meta`` are left out unless
    ``catch_alls`` (as in :func:`~workbench.network.graph.cooccurrence_graph`).
    """
    from workbench.network.graph import cooccurrence_graph

    docs = pd.Index(pd.unique(coding.units["doc_id"]))
    unit_doc = docs.get_indexer(coding.units["doc_id"])
    ids = coding.units["unit_id"].astype(str).tolist()
    groups = coding.units["doc_id"].astype(str).tolist()

    def build(mult: np.ndarray) -> nx.Graph:
        return cooccurrence_graph(coding.matrix, coding.codes, ids, edge_filter, node_meta,
                                  unit=coding.unit, weights=mult[unit_doc],
                                  with_evidence=False, groups=groups,
                                  catch_alls=catch_alls)  # fmt: skip

    return build, len(docs)


def problem_cause_builder(pairs: pd.DataFrame, articles: Sequence[str], node_meta=None,
                          min_articles: int = 1,
                          alpha: float | None = None) -> tuple[Callable, int]:  # fmt: skip
    """``(build, n_articles)`` for :func:`bootstrap` from :func:`assertions` pairs.

    ``articles`` lists every article of the corpus (those asserting nothing are
    resampled too, so a resample can hold fewer asserting articles). Weights and
    the significance test (``alpha``, as in
    :func:`~workbench.network.problem_cause.problem_cause_graph`) come from
    article incidence matrices (:class:`~workbench.network.problem_cause.LinkIncidence`):
    a resample's counts are the multiplicities times those matrices, with no
    regrouping of the pairs.
    """
    from workbench.network.problem_cause import LinkIncidence, describe_links

    articles = list(articles)
    inc = LinkIncidence.from_pairs(pairs, articles)
    keys = ["source", "target", "relation"]
    per_doc = pairs[[*keys, "doc_id"]].drop_duplicates()
    ends = pd.concat([per_doc[["doc_id", "source"]].set_axis(["doc_id", "code"], axis=1),
                      per_doc[["doc_id", "target"]].set_axis(["doc_id", "code"], axis=1)]
                     ).drop_duplicates()  # fmt: skip
    doc_index = {a: i for i, a in enumerate(articles)}
    codes = sorted(set(ends["code"]))
    code_index = {c: i for i, c in enumerate(codes)}
    node_inc = np.zeros((len(articles), len(codes)))
    node_inc[ends["doc_id"].map(doc_index).to_numpy(), ends["code"].map(code_index).to_numpy()] = 1
    meta = node_meta or {}
    text = describe_links(min_articles, alpha)

    def build(mult: np.ndarray) -> nx.DiGraph:
        tests = inc.tests(mult)
        freq = mult @ node_inc
        keep = tests["weight"].to_numpy() >= max(min_articles, 1)
        if alpha is not None:
            keep &= tests["q"].to_numpy() <= alpha
        g = nx.DiGraph(kind="problem-cause", filter=text, filter_min_articles=int(min_articles),
                       filter_alpha="" if alpha is None else float(alpha),
                       measure="articles")  # fmt: skip
        for r in tests[keep].itertuples(index=False):
            for c in (r.source, r.target):
                if c not in g:
                    info = meta.get(c, {})
                    g.add_node(c, category=str(info.get("category", "")),
                               frequency=int(freq[code_index[c]]))  # fmt: skip
            g.add_edge(r.source, r.target, relation=r.relation, weight=int(r.weight),
                       p=float(r.p), q=float(r.q))  # fmt: skip
        return g

    return build, len(articles)
