"""Filter code pairs and build the co-occurrence graph, the filter recorded on it.

:class:`EdgeFilter` states which pairs become edges — minimum support, a threshold
on the chosen measure, a significance level on the BH q-value of the one-sided
hypergeometric test, and top-N by the measure — and :meth:`EdgeFilter.describe`
gives the sentence printed on every figure and stored as the graph attribute
``filter``.

What counts. Codes co-occur *within a unit* (a paragraph by default), and the
measures and the test compare units. Support — how many texts say it — counts
*articles* by default (``EdgeFilter(support="articles")``: the articles with at
least one unit carrying both codes), and so does a node's ``frequency`` (articles
with the code), so one long article with many paragraphs cannot make a pair or a
code look common; ``support="units"`` counts units as before. Heading segments
are left out of the coding the network is built from (:func:`network_coding`;
``headings=True`` keeps them) and catch-all codes (``catch_all: true`` in the
codebook, :attr:`Codebook.catch_alls`) are left out of the graph
(``catch_alls=True`` keeps them); the codes left out are named in the graph
attribute ``left_out``.

Node attributes: ``label_zh, label_en, category, frequency, units``; the node key
is the code id. Edge attributes: ``count`` (units with both codes), ``articles``,
``weight`` (the chosen measure), every measure by name, ``p``, ``q`` and
``evidence`` (the ids of the units carrying both codes, joined by ``"; "`` — GEXF
and GraphML cannot store lists; see :mod:`workbench.network.export`).

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]))
>>> units = ["d/a1/p1", "d/a1/p2", "d/a2/p1", "d/a2/p2"]
>>> g = cooccurrence_graph(X, ["a", "b", "c"], units, EdgeFilter("jaccard", min_support=1))
>>> sorted(g.edges(data="articles")), g.graph["filter"]
([('a', 'b', 1), ('a', 'c', 1), ('b', 'c', 1)], 'measure=jaccard; support ≥ 1 article')
>>> g.edges["a", "b"]["count"], g.nodes["a"]["frequency"], g.nodes["a"]["units"]
(2, 2, 3)

Two paragraphs of one article are one article: ``a``–``b`` has support 2 in units
but 1 in articles.

>>> [cooccurrence_graph(X, ["a", "b", "c"], units, EdgeFilter("count", 2, support=s)).edges
...  for s in ("units", "articles")]
[EdgeView([('a', 'b')]), EdgeView([])]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from workbench.corpus.structure import section_announcements
from workbench.groups import ARTICLE_ID
from workbench.network.measures import MEASURES, pair_table
from workbench.network.significance import add_significance

if TYPE_CHECKING:
    from workbench.coding.codebook import Codebook
    from workbench.coding.coder import Coding

EVIDENCE_SEP = "; "
SUPPORTS = ("articles", "units")


#: The values each measure takes (``None``: unbounded), for checking a threshold.
MEASURE_RANGES: dict[str, tuple[float, float | None]] = {
    "count": (0, None), "jaccard": (0, 1), "dice": (0, 1), "simpson": (0, 1),
    "npmi": (-1, 1), "lift": (0, None),
}  # fmt: skip


def network_summary(g: nx.Graph) -> str:
    """One line saying what a network of codes holds: kind, unit, size, filter, and why it
    has no edges when it has none.

    Examples
    --------
    >>> network_summary(nx.Graph([("a", "b")], kind="cooccurrence", unit="paragraph",
    ...                          filter="measure=jaccard; support ≥ 2 articles"))
    'cooccurrence network of codes (paragraph units): 2 codes, 1 edges; measure=jaccard; support ≥ 2 articles'
    """  # noqa: E501
    unit = f" ({g.graph['unit']} units)" if g.graph.get("unit") else ""
    said = f"{g.graph.get('kind', 'a')} network of codes{unit}: "
    said += f"{g.number_of_nodes()} codes, {g.number_of_edges()} edges"
    if g.graph.get("filter"):
        said += f"; {g.graph['filter']}"
    if g.graph.get("no_edges"):
        said += f"; no edges: {g.graph['no_edges']}"
    return said


class CodeGraph(nx.Graph):
    """A :class:`networkx.Graph` whose repr is :func:`network_summary` (a notebook showed
    ``<networkx.classes.graph.Graph object at 0x…>``, an address that changes every run)."""

    def __repr__(self) -> str:
        return network_summary(self)


class CodeDiGraph(nx.DiGraph):
    """A :class:`networkx.DiGraph` whose repr is :func:`network_summary`."""

    def __repr__(self) -> str:
        return network_summary(self)


def check_count(name: str, value: object) -> None:
    """A whole number of 1 or more (not a bool), or a ``TypeError``/``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number of 1 or more, not {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a whole number of 1 or more, not {value}")


def check_number(name: str, value: object, low: float, high: float | None, said: str) -> None:
    """A real number in [low, high] (``None``: open), or an error saying ``said``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be {said}, not {value!r}")
    outside = (low is not None and value < low) or (high is not None and value > high)
    if outside or value != value:  # NaN is no number in any range
        raise ValueError(f"{name} must be {said}, not {value}")


@dataclass(frozen=True)
class EdgeFilter:
    """Which code pairs become edges.

    Parameters
    ----------
    measure : {"count", "jaccard", "dice", "simpson", "npmi", "lift"}
        The edge weight, and what ``threshold`` and ``top_n`` apply to.
    min_support : int
        Minimum support: articles (``support="articles"``) or units with both codes.
    threshold : float, optional
        Keep pairs with ``measure >= threshold``.
    alpha : float, optional
        Keep pairs with BH q-value ``<= alpha``.
    top_n : int, optional
        After the other filters, keep the ``top_n`` strongest pairs (ties broken by
        count, then by code order, so the result is deterministic).
    support : {"articles", "units"}
        What ``min_support`` counts: articles with at least one unit carrying both
        codes (default; one long article counts once) or units.
    """

    measure: str = "jaccard"
    min_support: int = 1
    threshold: float | None = None
    alpha: float | None = None
    top_n: int | None = None
    support: str = "articles"

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {list(MEASURES)}, not {self.measure!r}")
        if self.support not in SUPPORTS:
            raise ValueError(f"support must be one of {list(SUPPORTS)}, not {self.support!r}")
        # Checked here, as the command line's options are: a count below one, an alpha
        # above one or a threshold outside the measure's range kept every pair or none
        # without a word, and a str failed inside pandas ("'>=' not supported").
        check_count("min_support", self.min_support)
        if self.top_n is not None:
            check_count("top_n", self.top_n)
        if self.alpha is not None:
            check_number("alpha", self.alpha, 0, 1, "a level in (0, 1], such as 0.05")
            if self.alpha == 0:
                raise ValueError("alpha must be a level in (0, 1], such as 0.05, not 0")
        if self.threshold is not None:
            low, high = MEASURE_RANGES[self.measure]
            top = "∞" if high is None else f"{high:g}"
            said = f"a {self.measure} value in [{low:g}, {top}]"
            check_number("threshold", self.threshold, low, high, said)

    def describe(self, lang: str = "en") -> str:
        """The filter as one line (for figures and the graph attribute).

        Examples
        --------
        >>> EdgeFilter("npmi", 2, 0.1, 0.05, 20).describe()  # doctest: +NORMALIZE_WHITESPACE
        'measure=npmi; support ≥ 2 articles; npmi ≥ 0.1; BH q ≤ 0.05 (one-sided
         hypergeometric); top 20'
        >>> EdgeFilter(support="units").describe("zh")
        '度量=jaccard; 支持度 ≥ 1 个单位'
        """
        zh = lang == "zh"
        if zh:
            what = "篇文章" if self.support == "articles" else "个单位"
        else:
            what = self.support[:-1] if self.min_support == 1 else self.support
        parts = [f"{'度量' if zh else 'measure'}={self.measure}",
                 f"{'支持度' if zh else 'support'} ≥ {self.min_support} {what}"]  # fmt: skip
        if self.threshold is not None:
            parts.append(f"{self.measure} ≥ {self.threshold:g}")
        if self.alpha is not None:
            test = "单侧超几何检验" if zh else "one-sided hypergeometric"
            parts.append(f"BH q ≤ {self.alpha:g} ({test})")
        if self.top_n is not None:
            parts.append(f"{'前' if zh else 'top'} {self.top_n}")
        return "; ".join(parts)

    def apply(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The rows of a pair table (with ``p, q``) that pass, strongest first.

        ``support="articles"`` needs an ``articles`` column (:func:`scored_pairs`
        with ``groups``).
        """
        column = "count" if self.support == "units" else "articles"
        if column not in pairs.columns:
            raise ValueError("support='articles' needs the article of every unit: pass groups= "
                             "(or EdgeFilter(support='units'))")
        keep = pairs[column] >= self.min_support
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

    def shortfall(self, pairs: pd.DataFrame, lang: str = "en") -> str:
        """Why no row of ``pairs`` (a scored pair table) passes: how many pairs each step
        of the filter leaves, and the options that would show them. A network of nothing
        otherwise said only "0 edges", which on a small corpus reads as "no codes met".
        The options named are all that must change together: a lower ``--min-support``
        alone shows nothing when the pairs it lets through then fail the BH test.
        ``lang="zh"`` says it in Chinese, for a Chinese page (the options stay as typed).

        Examples
        --------
        >>> pairs = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"], "count": [3, 1],
        ...                       "articles": [2, 1], "jaccard": [0.5, 0.2], "q": [0.06, 1.0]})
        >>> print(EdgeFilter("jaccard", 2, alpha=0.05).shortfall(pairs).replace("; ", ";\\n"))
        2 code pair(s) co-occur;
        1 in ≥ 2 articles;
        none of them has BH q ≤ 0.05 (smallest 0.06): --alpha none shows them
        >>> EdgeFilter("jaccard", 3).shortfall(pairs)
        '2 code pair(s) co-occur; none in ≥ 3 articles (at most 2): --min-support 2 shows them'
        >>> zh = EdgeFilter("jaccard", 3, alpha=0.05).shortfall(pairs, "zh")
        >>> print(zh.replace("：", "：\\n"))
        2 对编码共现；没有一对出现在 ≥ 3 篇文章中（最多 2）：
        用 --min-support 2 和 --alpha none 可显示
        """
        zh = lang == "zh"
        if pairs.empty or not (pairs["count"] > 0).any():
            return "没有两个编码在同一单位中共现" if zh else "no two codes co-occur in a unit"
        column = "count" if self.support == "units" else "articles"
        if zh:
            what = "篇文章" if self.support == "articles" else "个单位"
        else:
            what = self.support if self.min_support != 1 else self.support[:-1]
        n = int((pairs["count"] > 0).sum())
        steps = [f"{n} 对编码共现" if zh else f"{n} code pair(s) co-occur"]
        why, fixes = "", []  # the first step that leaves nothing; every option to change
        left = pairs[pairs[column] >= self.min_support]
        if left.empty:
            most = int(pairs[column].max())
            why = (f"没有一对出现在 ≥ {self.min_support} {what}中（最多 {most}）" if zh else
                   f"none in ≥ {self.min_support} {what} (at most {most})")  # fmt: skip
            fixes.append(f"--min-support {most}")
            left = pairs[pairs[column] >= most]
        else:
            steps.append(f"其中 {len(left)} 对出现在 ≥ {self.min_support} {what}中" if zh else
                         f"{len(left)} in ≥ {self.min_support} {what}")  # fmt: skip
        if self.threshold is not None:
            kept = left[left[self.measure] >= self.threshold]
            if kept.empty:
                best = float(left[self.measure].max())
                why = why or (f"没有一对的 {self.measure} ≥ {self.threshold:g}（最大 {best:.3g}）"
                              if zh else f"none of them has {self.measure} ≥ "
                              f"{self.threshold:g} (at most {best:.3g})")  # fmt: skip
                fixes.append(f"--threshold {best:.3g}" if zh else
                             f"a --threshold of at most {best:.3g}")  # fmt: skip
                kept = left[left[self.measure] >= best]
            left = kept
        if self.alpha is not None and not (left["q"] <= self.alpha).any():
            best = float(left["q"].min())
            why = why or (f"没有一对的 BH q ≤ {self.alpha:g}（最小 {best:.3g}）" if zh else
                          f"none of them has BH q ≤ {self.alpha:g} (smallest {best:.3g})")
            fixes.append("--alpha none")
        return said_shortfall(steps, why, fixes, zh)


def said_shortfall(steps: list[str], why: str, fixes: list[str], zh: bool) -> str:
    """A shortfall as one line: the steps that left something, the one that left nothing,
    and the options that together would show edges.

    Examples
    --------
    >>> said_shortfall(["2 pairs"], "none in ≥ 3", ["--min-support 2", "--alpha none"], False)
    '2 pairs; none in ≥ 3: --min-support 2 and --alpha none show them'
    """
    if not why:
        return ("；" if zh else "; ").join(steps)
    if zh:
        return "；".join([*steps, why]) + f"：用 {' 和 '.join(fixes)} 可显示"
    verb = "shows" if len(fixes) == 1 else "show"
    return "; ".join([*steps, why]) + f": {' and '.join(fixes)} {verb} them"


def article_ids(unit_ids: Sequence[str]) -> np.ndarray:
    """The article id (``<file>/a<k>``) each workbench unit id starts with.

    Raises
    ------
    ValueError
        When an id is not a workbench unit id (pass the articles as ``groups=``).

    Examples
    --------
    >>> article_ids(["f/a1/p003", "f/a2", "f/a1/§2", "f/a1/p003/s01"]).tolist()
    ['f/a1', 'f/a2', 'f/a1', 'f/a1']
    """
    out = []
    for uid in unit_ids:
        m = ARTICLE_ID.match(str(uid))
        if m is None:
            raise ValueError(f"unit id {uid!r} does not name its article (<file>/a<k>/...): "
                             "pass groups= (the article of every unit) or "
                             "EdgeFilter(support='units')")  # fmt: skip
        out.append(m.group(1))
    return np.asarray(out, dtype=object)


def article_counts(
    matrix: sparse.spmatrix, groups: Sequence[str], weights: np.ndarray | None = None
) -> tuple[sparse.csr_matrix, np.ndarray, float]:
    """Article-level counts: per pair of codes, the articles with a unit carrying both.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes.
    groups : sequence of str
        The article of every unit.
    weights : ndarray, optional
        Unit weights; an article counts with the weight of its units (the
        bootstrap's multiplicity, equal for every unit of an article).

    Returns
    -------
    pairs : csr_matrix
        Codes × codes, upper triangle: weighted articles with a unit carrying both
        codes.
    freq : ndarray
        Weighted articles carrying each code.
    n_articles : float
        Weighted number of articles.

    Examples
    --------
    >>> X = sparse.csr_matrix(np.array([[1, 1], [1, 1], [1, 0]]))
    >>> P, n, N = article_counts(X, ["d1", "d1", "d2"])
    >>> P.toarray().tolist(), n.tolist(), N
    ([[0.0, 1.0], [0.0, 0.0]], [2.0, 1.0], 2.0)
    """
    x = (sparse.csr_matrix(matrix) != 0).tocsr()
    x.sort_indices()
    k = x.shape[1]
    names, g = np.unique(np.asarray(list(groups), dtype=object).astype(str), return_inverse=True)
    w_unit = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    w_art = np.zeros(len(names))
    np.maximum.at(w_art, g, w_unit)
    per_row = np.diff(x.indptr)
    row_of = np.repeat(np.arange(x.shape[0]), per_row)
    # Every pair of non-zeros in the same row: left repeats each non-zero k_row times.
    left = np.repeat(np.arange(x.nnz), per_row[row_of])
    first = np.cumsum(per_row[row_of]) - per_row[row_of]
    partner = x.indptr[row_of[left]] + np.arange(len(left)) - first[left]
    ci, cj = x.indices[left], x.indices[partner]
    keep = ci < cj
    keys = np.unique((g[row_of[left][keep]] * k + ci[keep]) * k + cj[keep])
    art, pair = np.divmod(keys, k * k)
    counts = np.bincount(pair, weights=w_art[art], minlength=k * k).reshape(k, k)
    code_keys = np.unique(g[row_of] * k + x.indices)
    freq = np.bincount(code_keys % k, weights=w_art[code_keys // k], minlength=k)
    return sparse.csr_matrix(counts), freq.astype(float), float(w_art.sum())


def scored_pairs(
    matrix: sparse.spmatrix, codes: Sequence[str], weights: np.ndarray | None = None,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`~workbench.network.measures.pair_table` with ``p`` and ``q`` added.

    With ``groups`` (the article of every unit) an ``articles`` column gives the
    articles in which the pair co-occurs in a unit.
    """
    pairs = pair_table(matrix, codes, weights)
    w = np.ones(matrix.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    present = int(np.count_nonzero(w @ (sparse.csr_matrix(matrix) != 0).astype(float).toarray()))
    out = add_significance(pairs, present)
    if groups is not None:
        counts, _, _ = article_counts(matrix, groups, weights)
        col = {c: i for i, c in enumerate(codes)}
        i = out["source"].map(col).to_numpy(dtype=np.int64)
        j = out["target"].map(col).to_numpy(dtype=np.int64)
        arts = np.asarray(counts[i, j]).ravel() if len(out) else np.zeros(0)
        out.insert(out.columns.get_loc("count") + 1, "articles", np.rint(arts).astype(np.int64))
    return out


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


def catch_all_codes(codes: Sequence[str], node_meta: Mapping[str, Mapping] | None) -> list[str]:
    """The codes of ``codes`` that ``node_meta`` (:func:`codebook_meta`) marks catch-all.

    Examples
    --------
    >>> catch_all_codes(["a", "b"], {"a": {"catch_all": False}, "b": {"catch_all": True}})
    ['b']
    """
    meta = node_meta or {}
    return [c for c in codes if bool(meta.get(c, {}).get("catch_all", False))]


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
    groups: Sequence[str] | None = None,
    catch_alls: bool = False,
) -> nx.Graph:
    """The filtered co-occurrence graph.

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Units × codes (build it without headings: :func:`network_coding`).
    codes, unit_ids : sequence of str
        Column and row names.
    edge_filter : EdgeFilter, optional
        Default ``EdgeFilter()`` (Jaccard, every pair met in at least one article).
    node_meta : mapping, optional
        ``{code: {"label_zh", "label_en", "category", "catch_all"}}`` (see
        :func:`codebook_meta`).
    unit : str
        The coding unit, recorded as a graph attribute.
    keep_isolates : bool
        Keep codes that occur but have no edge after filtering.
    weights : ndarray, optional
        Unit weights (the bootstrap's article draws); frequencies and counts are
        weighted.
    with_evidence : bool
        Collect the unit ids of every edge (the bootstrap skips it for speed).
    groups : sequence of str, optional
        The article of every unit (``Coding.units["doc_id"]``); by default read
        from workbench unit ids (:func:`article_ids`). Needed for article support
        and article frequencies; not used when the filter counts units and
        ``groups`` is not given.
    catch_alls : bool
        Keep the codes ``node_meta`` marks ``catch_all`` (default: left out before
        scoring, so they are not tests in the BH correction either).

    Returns
    -------
    networkx.Graph
        Graph attributes ``kind="cooccurrence"``, ``unit``, ``measure``,
        ``filter`` (:meth:`EdgeFilter.describe`), ``n_units``, ``n_articles``
        (when articles are known), ``left_out`` (catch-all codes left out, joined
        by ``"; "``) and the filter fields prefixed ``filter_``; a graph without
        edges also has ``no_edges`` (:meth:`EdgeFilter.shortfall`: why) and
        ``no_edges_zh`` (the same in Chinese). Node
        ``frequency`` counts articles when articles are known, units otherwise;
        ``units`` always counts units.
    """
    f = edge_filter or EdgeFilter()
    codes = list(codes)
    left_out = [] if catch_alls else catch_all_codes(codes, node_meta)
    if left_out:
        keep_cols = [i for i, c in enumerate(codes) if c not in set(left_out)]
        matrix = sparse.csr_matrix(matrix)[:, keep_cols]
        codes = [codes[i] for i in keep_cols]
    if groups is None and f.support == "articles":
        groups = article_ids(unit_ids)
    scored = scored_pairs(matrix, codes, weights, groups)
    pairs = f.apply(scored)
    w = np.ones(matrix.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    unit_freq = np.rint(w @ (sparse.csr_matrix(matrix) != 0).astype(float).toarray()).astype(int)
    n_articles = None
    freq = unit_freq
    if groups is not None:
        _, art_freq, n_art = article_counts(matrix, groups, weights)
        freq, n_articles = np.rint(art_freq).astype(int), round(n_art)
    if weights is not None:
        matrix = sparse.csr_matrix(matrix)[w > 0]
        unit_ids = np.asarray(list(unit_ids), dtype=object)[w > 0]
    g = CodeGraph(kind="cooccurrence", unit=unit, measure=f.measure, filter=f.describe(),
                 n_units=round(float(w.sum())), left_out=EVIDENCE_SEP.join(left_out))  # fmt: skip
    if n_articles is not None:
        g.graph["n_articles"] = n_articles
    if pairs.empty:  # only then: a graph with edges keeps the attributes it always had
        g.graph["no_edges"] = f.shortfall(scored)
        g.graph["no_edges_zh"] = f.shortfall(scored, "zh")  # for a Chinese page
    for k, v in asdict(f).items():
        # GraphML cannot store None; "" reads back as "no such filter".
        g.graph[f"filter_{k}"] = "" if v is None else v
    in_edges = set(pairs["source"]) | set(pairs["target"])
    for code, n, nu in zip(codes, freq, unit_freq, strict=True):
        if nu > 0 and (keep_isolates or code in in_edges):
            g.add_node(code, frequency=int(n), units=int(nu), **_node_attrs(code, node_meta))
    evidence = (pair_evidence(matrix, codes, unit_ids, pairs) if with_evidence
                else [""] * len(pairs))  # fmt: skip
    for row, ev in zip(pairs.itertuples(index=False), evidence, strict=True):
        attrs = {m: float(getattr(row, m)) for m in MEASURES if m != "count"}
        if "articles" in pairs.columns:
            attrs["articles"] = int(row.articles)
        g.add_edge(row.source, row.target, count=int(row.count),
                   weight=float(getattr(row, f.measure)), p=float(row.p), q=float(row.q),
                   evidence=ev, **attrs)  # fmt: skip
    return g


def content_segments(segments: pd.DataFrame, *, headings: bool = False) -> pd.DataFrame:
    """The segments a network counts as content: without section announcements.

    Headings that only announce their section ("存在的主要问题", "三、原因分析":
    :func:`workbench.corpus.structure.announces_section`) are not statements of the text —
    their role and numbering stay in the other segments' ``section`` and ``role``;
    headings that state something ("1.一些干部宗旨意识淡化…") count, as the gold coders
    code them. ``headings=True`` returns every segment.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["h", "i", "s"], "is_heading": [True, True, False],
    ...                     "text": ["二、存在的问题", "一是宗旨意识淡化", "要加强监督。"]})
    >>> content_segments(seg)["segment_id"].tolist()
    ['i', 's']
    """
    if headings or "is_heading" not in segments.columns:
        return segments
    return segments[~section_announcements(segments)].reset_index(drop=True)


def network_coding(segments: pd.DataFrame, codebook: Codebook, unit: str = "paragraph", *,
                   headings: bool = False) -> Coding:  # fmt: skip
    """Code ``segments`` at ``unit`` for a network: section announcements left out by default.

    A unit made of an announcing heading alone (:func:`content_segments`) disappears; a
    paragraph that opens with one keeps its other sentences. ``headings=True`` codes every segment
    (the same as :func:`workbench.coding.coder.code_segments`).

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> seg = pd.DataFrame({
    ...     "segment_id": ["d/a1/p1/s1", "d/a1/p2/s1"], "doc_id": ["d/a1"] * 2,
    ...     "paragraph_id": ["d/a1/p1", "d/a1/p2"], "section": ["1", "1"],
    ...     "role": ["cause"] * 2, "is_heading": [True, False],
    ...     "text": ["二、原因分析", "一些地方监督弱化,考核不力。"],
    ...     "text_orig": ["二、原因分析", "一些地方监督弱化,考核不力。"]})
    >>> network_coding(seg, load_codebook()).units["unit_id"].tolist()
    ['d/a1/p2']
    """
    from workbench.coding.coder import code_segments

    return code_segments(content_segments(segments, headings=headings), codebook, unit)


def check_node_meta(node_meta: object) -> None:
    """Refuse node metadata that is not a mapping of codes (a :class:`Codebook` passed
    as it is failed with "'Codebook' object has no attribute 'get'")."""
    if node_meta is not None and not isinstance(node_meta, Mapping):
        raise TypeError(
            f"node_meta must be a mapping {{code: {{label_zh, label_en, category}}}}, "
            f"codebook_meta(codebook), not {type(node_meta).__name__}"
        )


def coding_graph(coding: Coding, edge_filter: EdgeFilter | None = None,
                 node_meta: Mapping[str, Mapping[str, str]] | None = None, *,
                 catch_alls: bool = False, keep_isolates: bool = False,
                 with_evidence: bool = True) -> nx.Graph:  # fmt: skip
    """:func:`cooccurrence_graph` of a :class:`~workbench.coding.coder.Coding`.

    Articles come from ``coding.units["doc_id"]``, the unit from ``coding.unit``.
    """
    from workbench.coding.coder import Coding  # not at import: the coder is heavy

    if not isinstance(coding, Coding):
        raise TypeError(
            f"coding must be a Coding (network_coding(segments, codebook) or "
            f"code_segments), not {type(coding).__name__}"
        )
    if edge_filter is not None and not isinstance(edge_filter, EdgeFilter):
        raise TypeError(f"edge_filter must be an EdgeFilter, not {type(edge_filter).__name__}")
    check_node_meta(node_meta)
    return cooccurrence_graph(coding.matrix, coding.codes, coding.units["unit_id"].astype(str),
                              edge_filter, node_meta, unit=coding.unit,
                              keep_isolates=keep_isolates, with_evidence=with_evidence,
                              groups=coding.units["doc_id"].astype(str).tolist(),
                              catch_alls=catch_alls)  # fmt: skip


def codebook_meta(codebook) -> dict[str, dict[str, str]]:
    """Node metadata ``{code: {label_zh, label_en, category, catch_all}}`` from a codebook.

    ``catch_all`` comes from :attr:`Codebook.catch_alls`, the one place that says
    which codes networks leave out by default.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> codebook_meta(load_codebook())["P_oversight"]["category"]
    'problem'
    """
    catch = set(codebook.catch_alls)
    return {c.id: {"label_zh": c.label_zh, "label_en": c.label_en, "category": c.category,
                   "catch_all": c.id in catch} for c in codebook.codes}  # fmt: skip


def edge_table(g: nx.Graph) -> pd.DataFrame:
    """The edges with every attribute, one row each, in graph order."""
    return pd.DataFrame([{"source": u, "target": v, **d} for u, v, d in g.edges(data=True)])


def node_table(g: nx.Graph) -> pd.DataFrame:
    """The nodes with every attribute, one row each, in graph order."""
    return pd.DataFrame([{"id": n, **d} for n, d in g.nodes(data=True)])
