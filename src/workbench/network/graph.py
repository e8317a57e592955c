"""Filter code pairs and build the co-occurrence graph, the filter recorded on it.

:class:`EdgeFilter` states which pairs become edges — minimum support (units with
both codes), a threshold on the chosen measure, a significance level on the BH
q-value of the one-sided hypergeometric test, and top-N by the measure — and
:meth:`EdgeFilter.describe` gives the sentence printed on every figure and stored
as the graph attribute ``filter``.

Node attributes: ``label_zh, label_en, category, frequency``; the node key is the
code id. Edge attributes: ``count``, ``weight`` (the chosen measure), every
measure by name, ``p``, ``q`` and ``evidence`` (the ids of the units carrying both
codes, joined by ``"; "`` — GEXF and GraphML cannot store lists; see
:mod:`workbench.network.export`).

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))
>>> g = cooccurrence_graph(X, ["a", "b", "c"], ["u1", "u2", "u3", "u4"],
...                        EdgeFilter(measure="jaccard", min_support=2))
>>> list(g.edges(data="evidence")), g.graph["filter"]
([('a', 'b', 'u1; u2')], 'measure=jaccard; support ≥ 2')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from workbench.network.measures import MEASURES, pair_table
from workbench.network.significance import add_significance

EVIDENCE_SEP = "; "


@dataclass(frozen=True)
class EdgeFilter:
    """Which code pairs become edges.

    Parameters
    ----------
    measure : {"count", "jaccard", "dice", "simpson", "npmi", "lift"}
        The edge weight, and what ``threshold`` and ``top_n`` apply to.
    min_support : int
        Minimum number of units carrying both codes.
    threshold : float, optional
        Keep pairs with ``measure >= threshold``.
    alpha : float, optional
        Keep pairs with BH q-value ``<= alpha``.
    top_n : int, optional
        After the other filters, keep the ``top_n`` strongest pairs (ties broken by
        count, then by code order, so the result is deterministic).
    """

    measure: str = "jaccard"
    min_support: int = 1
    threshold: float | None = None
    alpha: float | None = None
    top_n: int | None = None

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {list(MEASURES)}, not {self.measure!r}")

    def describe(self, lang: str = "en") -> str:
        """The filter as one line (for figures and the graph attribute).

        Examples
        --------
        >>> EdgeFilter("npmi", 2, 0.1, 0.05, 20).describe()
        'measure=npmi; support ≥ 2; npmi ≥ 0.1; BH q ≤ 0.05 (one-sided hypergeometric); top 20'
        >>> EdgeFilter().describe("zh")
        '度量=jaccard; 支持度 ≥ 1'
        """
        zh = lang == "zh"
        parts = [f"{'度量' if zh else 'measure'}={self.measure}",
                 f"{'支持度' if zh else 'support'} ≥ {self.min_support}"]  # fmt: skip
        if self.threshold is not None:
            parts.append(f"{self.measure} ≥ {self.threshold:g}")
        if self.alpha is not None:
            test = "单侧超几何检验" if zh else "one-sided hypergeometric"
            parts.append(f"BH q ≤ {self.alpha:g} ({test})")
        if self.top_n is not None:
            parts.append(f"{'前' if zh else 'top'} {self.top_n}")
        return "; ".join(parts)

    def apply(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The rows of a pair table (with ``p, q``) that pass, strongest first."""
        keep = pairs["count"] >= self.min_support
        if self.threshold is not None:
            keep &= pairs[self.measure] >= self.threshold
        if self.alpha is not None:
            keep &= pairs["q"] <= self.alpha
        out = pairs[keep].sort_values(
            [self.measure, "count", "source", "target"], ascending=[False, False, True, True],
            kind="stable",
        )  # fmt: skip
        if self.top_n is not None:
            out = out.head(self.top_n)
        return out.reset_index(drop=True)


def scored_pairs(
    matrix: sparse.spmatrix, codes: Sequence[str], weights: np.ndarray | None = None
) -> pd.DataFrame:
    """:func:`~workbench.network.measures.pair_table` with ``p`` and ``q`` added."""
    pairs = pair_table(matrix, codes, weights)
    w = np.ones(matrix.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    present = int(np.count_nonzero(w @ (sparse.csr_matrix(matrix) != 0).astype(float).toarray()))
    return add_significance(pairs, present)


def pair_evidence(matrix: sparse.spmatrix, codes: Sequence[str], unit_ids: Sequence[str],
                  pairs: pd.DataFrame) -> list[str]:  # fmt: skip
    """For each row of ``pairs``, the ids of the units carrying both codes, joined."""
    x = (sparse.csc_matrix(matrix) != 0).astype(np.int8).tocsc()
    col = {c: i for i, c in enumerate(codes)}
    ids = np.asarray(list(unit_ids), dtype=object)
    out = []
    # One loop over the *kept* edges only (tens), never over all pairs.
    for s, t in zip(pairs["source"], pairs["target"], strict=True):
        both = x[:, col[s]].multiply(x[:, col[t]]).nonzero()[0]
        out.append(EVIDENCE_SEP.join(ids[np.sort(both)]))
    return out


def _node_attrs(code: str, meta: Mapping[str, Mapping[str, str]] | None) -> dict[str, str]:
    info = (meta or {}).get(code, {})
    return {
        "label_zh": str(info.get("label_zh", code)),
        "label_en": str(info.get("label_en", code)),
        "category": str(info.get("category", "")),
    }


def cooccurrence_graph(
    matrix: sparse.spmatrix,
    codes: Sequence[str],
    unit_ids: Sequence[str],
    edge_filter: EdgeFilter | None = None,
    node_meta: Mapping[str, Mapping[str, str]] | None = None,
    *,
    unit: str = "",
    keep_isolates: bool = False,
    weights: np.ndarray | None = None,
    with_evidence: bool = True,
) -> nx.Graph:
    """The filtered co-occurrence graph.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes.
    codes, unit_ids : sequence of str
        Column and row names.
    edge_filter : EdgeFilter, optional
        Default ``EdgeFilter()`` (Jaccard, every co-occurring pair).
    node_meta : mapping, optional
        ``{code: {"label_zh", "label_en", "category"}}`` (see :func:`codebook_meta`).
    unit : str
        The coding unit, recorded as a graph attribute.
    keep_isolates : bool
        Keep codes that occur but have no edge after filtering.
    weights : ndarray, optional
        Unit weights (the bootstrap's article draws); frequencies and counts are
        weighted.
    with_evidence : bool
        Collect the unit ids of every edge (the bootstrap skips it for speed).

    Returns
    -------
    networkx.Graph
        Graph attributes ``kind="cooccurrence"``, ``unit``, ``measure``,
        ``filter`` (:meth:`EdgeFilter.describe`), ``n_units`` and the filter
        fields prefixed ``filter_``.
    """
    f = edge_filter or EdgeFilter()
    pairs = f.apply(scored_pairs(matrix, codes, weights))
    w = np.ones(matrix.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    freq = np.rint(w @ (sparse.csr_matrix(matrix) != 0).astype(float).toarray()).astype(int)
    if weights is not None:
        matrix = sparse.csr_matrix(matrix)[w > 0]
        unit_ids = np.asarray(list(unit_ids), dtype=object)[w > 0]
    g = nx.Graph(kind="cooccurrence", unit=unit, measure=f.measure, filter=f.describe(),
                 n_units=round(float(w.sum())))  # fmt: skip
    for k, v in asdict(f).items():
        # GraphML cannot store None; "" reads back as "no such filter".
        g.graph[f"filter_{k}"] = "" if v is None else v
    in_edges = set(pairs["source"]) | set(pairs["target"])
    for code, n in zip(codes, freq, strict=True):
        if n > 0 and (keep_isolates or code in in_edges):
            g.add_node(code, frequency=int(n), **_node_attrs(code, node_meta))
    evidence = (pair_evidence(matrix, codes, unit_ids, pairs) if with_evidence
                else [""] * len(pairs))  # fmt: skip
    for row, ev in zip(pairs.itertuples(index=False), evidence, strict=True):
        attrs = {m: float(getattr(row, m)) for m in MEASURES if m != "count"}
        g.add_edge(row.source, row.target, count=int(row.count),
                   weight=float(getattr(row, f.measure)), p=float(row.p), q=float(row.q),
                   evidence=ev, **attrs)  # fmt: skip
    return g


def codebook_meta(codebook) -> dict[str, dict[str, str]]:
    """Node metadata ``{code: {label_zh, label_en, category}}`` from a codebook.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> codebook_meta(load_codebook())["P_oversight"]["category"]
    'problem'
    """
    return {c.id: {"label_zh": c.label_zh, "label_en": c.label_en, "category": c.category}
            for c in codebook.codes}  # fmt: skip


def edge_table(g: nx.Graph) -> pd.DataFrame:
    """The edges with every attribute, one row each, in graph order."""
    return pd.DataFrame([{"source": u, "target": v, **d} for u, v, d in g.edges(data=True)])


def node_table(g: nx.Graph) -> pd.DataFrame:
    """The nodes with every attribute, one row each, in graph order."""
    return pd.DataFrame([{"id": n, **d} for n, d in g.nodes(data=True)])
