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
  weight interval and each node's centrality intervals.

Intervals. Centralities and edge weights are bounded (≥ 0; eigenvector ≤ 1) and
their bootstrap distributions skewed, with a mass at 0 where a resample drops the
node or the edge, so a plain percentile interval can miss its own estimate. The
default intervals are BCa — bias-corrected and accelerated (Efron 1987; Efron &
Tibshirani 1993, ch. 14): the bias correction ``z0`` is the normal quantile of
the share of resamples below the estimate (ties count half, as in
:func:`scipy.stats.bootstrap`), the acceleration ``a`` comes from a jackknife over
articles (each article left out once), and the interval is the pair of bootstrap
quantiles ``Φ(z0 + (z0 ± z)/(1 − a(z0 ± z)))`` (:func:`bca_interval`). Where BCa
is undefined — every resample equal, the estimate above or below every resample,
or a jackknife without variance — the interval falls back to the percentile
interval and the ``method`` column says so. BCa corrects for *median bias*: when
most resamples fall on one side of the estimate it moves the interval further
that way, so an estimate can still lie outside or at the edge of its interval;
the ``absent``, ``zero`` and ``note`` columns say why (e.g. "absent from 38% of
resamples; interval not reliable").

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
from scipy import special

CENTRALITIES = ("degree", "strength", "betweenness", "eigenvector")
INTERVALS = ("bca", "percentile")
#: Share of resamples without the node/edge from which its interval is called unreliable.
UNRELIABLE_ABSENT = 0.1


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
    columns = ["id", "label_zh", "label_en", "category", "degree", "strength", "betweenness",
               "eigenvector", *(["in_strength", "out_strength"] if g.is_directed() else [])]
    table = pd.DataFrame(rows, columns=columns)  # the columns even for a graph without nodes
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


def bca_interval(
    estimate: np.ndarray,
    resamples: np.ndarray,
    jackknife: np.ndarray | None,
    level: float = 0.95,
) -> pd.DataFrame:
    """BCa intervals, column by column, with the percentile interval as fallback.

    Parameters
    ----------
    estimate : ndarray, shape (k,)
        The statistics on the full data.
    resamples : ndarray, shape (B, k)
        The statistics on ``B`` bootstrap resamples.
    jackknife : ndarray, shape (n, k), optional
        The statistics with each of the ``n`` resampled units (articles) left out
        once; ``None`` gives percentile intervals.
    level : float
        Coverage.

    Returns
    -------
    DataFrame
        One row per column: ``low, high, method, z0, acceleration``. ``method`` is
        ``"BCa"``, ``"percentile"`` (no jackknife) or ``"percentile (BCa
        undefined: …)"`` with the reason.

    Notes
    -----
    ``z0 = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B)``; with the jackknife values
    ``θ₍ᵢ₎`` and their mean ``θ₍·₎``, ``a = Σ(θ₍·₎ − θ₍ᵢ₎)³ / (6 [Σ(θ₍·₎ −
    θ₍ᵢ₎)²]^{3/2})``; the interval is the ``α₁, α₂`` quantiles (linear
    interpolation) of the resamples, ``αⱼ = Φ(z0 + (z0 + zⱼ)/(1 − a (z0 + zⱼ)))``
    with ``z₁, z₂ = ∓Φ⁻¹((1 + level)/2)``. The same as
    ``scipy.stats.bootstrap(method="BCa")`` for the same resamples.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.exponential(size=30)
    >>> idx = rng.integers(0, 30, (2000, 30))
    >>> jack = np.array([np.delete(x, i).mean() for i in range(30)])
    >>> t = bca_interval(np.array([x.mean()]), x[idx].mean(axis=1)[:, None], jack[:, None])
    >>> t["method"].tolist(), bool(t.at[0, "low"] < x.mean() < t.at[0, "high"])
    (['BCa'], True)
    """
    columns = ["low", "high", "method", "z0", "acceleration"]
    est = np.asarray(estimate, dtype=float).reshape(-1)
    if est.size == 0:  # no statistic (a graph without edges): no rows
        return pd.DataFrame(columns=columns)
    boot = np.asarray(resamples, dtype=float).reshape(-1, est.size)
    z = special.ndtri((1 + level) / 2)
    tail = (1 - level) / 2
    rows = []
    for k in range(est.size):
        b, t = boot[:, k], est[k]
        # Values within rounding of each other are ties (a graph statistic recomputed
        # on the same graph can differ in the last bit).
        tol = 1e-9 * max(1.0, abs(t))
        why = ""
        z0 = acc = np.nan
        if jackknife is None:
            why = "percentile"
        elif np.ptp(b) <= tol:
            why = "percentile (BCa undefined: every resample equal)"
        else:
            share = (np.count_nonzero(b < t - tol) + np.count_nonzero(b <= t + tol)) / (2 * len(b))
            if share <= 0 or share >= 1:
                side = "below" if share <= 0 else "above"
                why = f"percentile (BCa undefined: estimate {side} every resample)"
            else:
                z0 = float(special.ndtri(share))
                jk = np.asarray(jackknife, dtype=float).reshape(-1, est.size)[:, k]
                u = jk.mean() - jk
                den = float(np.sum(u**2))
                if den <= (tol * len(u)) ** 2:
                    why = "percentile (BCa undefined: jackknife without variance)"
                else:
                    acc = float(np.sum(u**3) / (6 * den**1.5))
        if why:
            low, high = np.quantile(b, [tail, 1 - tail])
        else:
            ends = [z0 + (z0 + zj) / (1 - acc * (z0 + zj)) for zj in (-z, z)]
            alphas = special.ndtr(ends)
            low, high = np.quantile(b, alphas)
        rows.append({"low": float(low), "high": float(high), "method": why or "BCa",
                     "z0": z0, "acceleration": acc})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def interval_note(estimate: float, low: float, high: float, absent: float, zero: float,
                  method: str = "BCa", z0: float = float("nan")) -> str:  # fmt: skip
    """A short English note on an interval that needs one (``""`` otherwise).

    Says how often the node/edge is absent from a resample (``absent``) or its
    statistic 0 (``zero``), whether the estimate lies outside or at the edge of
    ``[low, high]``, why BCa fell back to percentile, and — when the BCa bias
    correction ``z0`` is large (the estimate above or below 90 % of the resamples)
    — that share, since such intervals come from the far tail of the resamples.
    Adds "interval not reliable" when the estimate is outside or the node/edge is
    absent from at least :data:`UNRELIABLE_ABSENT` of the resamples.

    Examples
    --------
    >>> interval_note(0.549, 0.0, 0.485, absent=0.38, zero=0.38)
    'absent from 38% of resamples; estimate above its interval; interval not reliable'
    >>> interval_note(2.0, 1.0, 3.0, absent=0.0, zero=0.0)
    ''
    """
    def pct(x: float) -> str:
        return "<1%" if 0 < x < 0.005 else f"{x:.0%}"

    parts = []
    if absent > 0:
        parts.append(f"absent from {pct(absent)} of resamples")
    if zero > absent + 1e-9 and estimate != 0:
        parts.append(f"0 in {pct(zero)} of resamples")
    outside = estimate < low or estimate > high
    if outside:
        parts.append(f"estimate {'above' if estimate > high else 'below'} its interval")
    elif low < high and estimate in (low, high):
        parts.append("estimate at the edge of its interval")
    if method.startswith("percentile ("):
        parts.append(method[len("percentile ("):-1])
    share = float(special.ndtr(z0)) if np.isfinite(z0) else np.nan
    if share >= 0.9 or share <= 0.1:
        side = "above" if share >= 0.9 else "below"
        parts.append(f"estimate {side} {max(share, 1 - share):.0%} of resamples")
    if parts and (outside or absent >= UNRELIABLE_ABSENT):
        parts.append("interval not reliable")
    return "; ".join(parts)


@dataclass
class Bootstrap:
    """Bootstrap result.

    Attributes
    ----------
    edges : DataFrame
        ``source, target, presence, in_full, estimate, low, high, method, absent,
        note`` — ``presence`` is the share of resamples in which the edge passed
        the filter (``absent = 1 − presence``), for every edge seen at least once;
        ``estimate`` the full-data weight and ``low, high`` its interval (an edge
        filtered out of a resample weighs 0; intervals only for the full-data
        graph's edges); the full-data graph's edges first, then by presence.
    centrality : DataFrame
        ``id, measure, estimate, low, high, method, absent, zero, z0,
        acceleration, note`` — the full-data value, its interval (BCa unless
        ``method`` says otherwise; a node absent from a resample counts as 0), the
        share of resamples without the node (``absent``) or with the statistic 0
        (``zero``, absent included), and a note where the interval needs one.
    n_resamples : int
    seed : int
    interval : str
        ``"bca"`` or ``"percentile"`` (what was asked; ``method`` per row says
        what was done).
    """

    edges: pd.DataFrame
    centrality: pd.DataFrame
    n_resamples: int
    seed: int
    interval: str = "bca"


def _edge_key(g: nx.Graph, u: str, v: str) -> tuple[str, str]:
    return (u, v) if g.is_directed() or u <= v else (v, u)


def _stats(
    g: nx.Graph, nodes: list[str], edge_keys: list[tuple[str, str]], weight: str,
    measures: Sequence[str],
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:  # fmt: skip
    """Centralities of ``nodes`` (0 when absent), node presence, weights of ``edge_keys``."""
    cent = centrality(g, weight, measures).set_index("id") if g.number_of_nodes() else None
    values = {m: (cent[m].reindex(nodes).fillna(0.0).to_numpy() if cent is not None
                  else np.zeros(len(nodes))) for m in measures}  # fmt: skip
    present = np.array([n in g for n in nodes], dtype=bool)
    w = {_edge_key(g, u, v): d for u, v, d in g.edges(data=weight, default=1.0)}
    weights = np.array([float(w.get(k, 0.0)) for k in edge_keys])
    return values, present, weights


def bootstrap(
    build: Callable[[np.ndarray], nx.Graph],
    n_groups: int,
    *,
    n_resamples: int = 200,
    seed: int = 0,
    level: float = 0.95,
    weight: str = "weight",
    measures: Sequence[str] = CENTRALITIES,
    interval: str = "bca",
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
        Resamples (≥ 200 for reported intervals; BCa wants ≥ 1000 for its tails).
    seed : int
        Seed of :func:`numpy.random.default_rng`; same seed, same result.
    level : float
        Coverage of the intervals.
    measures : sequence of str
        Centralities to resample (betweenness is the slow one).
    interval : {"bca", "percentile"}
        BCa intervals (default; ``n_groups`` more builds for the jackknife, each
        article left out once) or percentile intervals. See the module docstring.

    Returns
    -------
    Bootstrap

    Examples
    --------
    >>> def build(mult):  # a star whose spokes are articles
    ...     g = nx.Graph()
    ...     g.add_weighted_edges_from((f"x{i}", "hub", float(m)) for i, m in enumerate(mult) if m)
    ...     return g
    >>> res = bootstrap(build, 6, n_resamples=50, seed=1, measures=("degree",))
    >>> t = res.centrality.set_index("id")

    A spoke is missing from about a third of the resamples, so its degree interval
    reaches 0; the hub's degree (6, every article) is above every resample, where
    BCa is undefined:

    >>> t.loc["x1", ["estimate", "low", "high", "absent"]].astype(float).tolist()
    [1.0, 0.0, 1.0, 0.38]
    >>> t.loc["x1", "method"]
    'BCa'
    >>> t.loc["x1", "note"]
    'absent from 38% of resamples; estimate at the edge of its interval; interval not reliable'
    >>> t.loc["hub", "method"]
    'percentile (BCa undefined: estimate above every resample)'
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {list(INTERVALS)}, not {interval!r}")
    rng = np.random.default_rng(seed)
    full = build(np.ones(n_groups, dtype=np.int64))
    full_cent = centrality(full, weight).set_index("id")
    nodes = list(full.nodes)
    full_keys = [_edge_key(full, u, v) for u, v in full.edges]
    full_w = np.array([float(d) for *_, d in full.edges(data=weight, default=1.0)])
    seen: dict[tuple[str, str], int] = {}
    values = {m: np.zeros((n_resamples, len(nodes))) for m in measures}
    present = np.zeros((n_resamples, len(nodes)), dtype=bool)
    edge_w = np.zeros((n_resamples, len(full_keys)))
    for b in range(n_resamples):
        mult = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        g = build(mult)
        for u, v in g.edges:
            key = _edge_key(g, u, v)
            seen[key] = seen.get(key, 0) + 1
        vals, present[b], edge_w[b] = _stats(g, nodes, full_keys, weight, measures)
        for m in measures:
            values[m][b] = vals[m]
    jack_vals: dict[str, np.ndarray] | None = None
    jack_w = None
    if interval == "bca":
        jack_vals = {m: np.zeros((n_groups, len(nodes))) for m in measures}
        jack_w = np.zeros((n_groups, len(full_keys)))
        for i in range(n_groups):
            mult = np.ones(n_groups, dtype=np.int64)
            mult[i] = 0
            vals, _, jack_w[i] = _stats(build(mult), nodes, full_keys, weight, measures)
            for m in measures:
                jack_vals[m][i] = vals[m]
    rows = []
    absent = (~present).mean(axis=0) if n_resamples else np.zeros(len(nodes))
    for m in measures:
        est = np.array([float(full_cent.at[n, m]) for n in nodes])
        ints = bca_interval(est, values[m], None if jack_vals is None else jack_vals[m], level)
        zero = (values[m] == 0).mean(axis=0)
        for i, n in enumerate(nodes):
            r = ints.iloc[i]
            rows.append({"id": n, "measure": m, "estimate": est[i], "low": r["low"],
                         "high": r["high"], "method": r["method"], "absent": float(absent[i]),
                         "zero": float(zero[i]), "z0": r["z0"], "acceleration": r["acceleration"],
                         "note": interval_note(est[i], r["low"], r["high"], float(absent[i]),
                                               float(zero[i]), r["method"], r["z0"])})  # fmt: skip
    edge_ints = bca_interval(full_w, edge_w, jack_w, level)
    full_index = {k: i for i, k in enumerate(full_keys)}
    edge_rows = []
    for s, t in dict.fromkeys([*full_keys, *seen]):
        presence = seen.get((s, t), 0) / n_resamples
        absent_e = (n_resamples - seen.get((s, t), 0)) / n_resamples
        row = {"source": s, "target": t, "presence": presence, "in_full": (s, t) in full_index,
               "estimate": np.nan, "low": np.nan, "high": np.nan, "method": "",
               "absent": absent_e, "note": ""}  # fmt: skip
        if (s, t) in full_index:
            k = full_index[(s, t)]
            r = edge_ints.iloc[k]
            row.update(estimate=full_w[k], low=r["low"], high=r["high"], method=r["method"],
                       note=interval_note(full_w[k], r["low"], r["high"], absent_e,
                                          float((edge_w[:, k] == 0).mean()), r["method"],
                                          r["z0"]))
        edge_rows.append(row)
    edges = pd.DataFrame(edge_rows, columns=["source", "target", "presence", "in_full",
                                             "estimate", "low", "high", "method", "absent",
                                             "note"])  # fmt: skip
    edges = edges.sort_values(["in_full", "presence", "source", "target"],
                              ascending=[False, False, True, True], kind="stable")
    cent_columns = ["id", "measure", "estimate", "low", "high", "method", "absent", "zero",
                    "z0", "acceleration", "note"]
    return Bootstrap(edges=edges.reset_index(drop=True),
                     centrality=pd.DataFrame(rows, columns=cent_columns),
                     n_resamples=n_resamples, seed=seed, interval=interval)  # fmt: skip


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
