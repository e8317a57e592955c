"""Draw code networks: deterministic layouts, colour by category, filter on every figure.

Node colour = code category, node size = frequency, edge width = weight; labels
in Chinese or English (``lang``). The categories of this field keep fixed colours
(:data:`CATEGORY_COLOURS`); a codebook's own categories take :data:`EXTRA_COLOURS` in
the order the codebook declares them, and their names from its labels — pass
``categories=codebook.categories`` (:func:`category_colours`, :func:`category_label`);
without it they are taken in sorted order and named by their ids.
:func:`draw_cooccurrence` uses a seeded spring layout (same graph and seed, same
picture) and prints the graph's ``filter`` under the figure.

:func:`draw_problem_cause` draws the cause → problem → countermeasure network in
three columns (:func:`layered_layout`: causes left, problems middle,
countermeasures right — with ``categories``, the categories playing those parts;
within a column nodes are spread evenly, the strongest — largest weighted degree,
then id — at the top). The figure is laid out in inches from the measured sizes of
its labels: rows are at least a label's height apart and columns at least the
widest label apart, so labels (left of the causes, right of the problems and
countermeasures) never overlap. Column headers and a caption stating the edge
filter (articles, and the significance filter when one was used) are in the
figure's language (:func:`layered_caption`). No new dependency, no randomness: same
graph, same file (:func:`workbench.plotting.savefig`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import networkx as nx
>>> g = nx.Graph(filter="support ≥ 1")
>>> g.add_node("a", label_zh="甲", label_en="A", category="problem", frequency=3)
>>> g.add_node("b", label_zh="乙", label_en="B", category="cause", frequency=1)
>>> g.add_edge("a", "b", weight=0.5)
>>> fig = draw_cooccurrence(g, lang="en")
>>> fig.texts[-1].get_text()
'Filter: support ≥ 1'
>>> bool(layered_layout(g)["b"][0] < layered_layout(g)["a"][0])
True
>>> layered_caption(nx.DiGraph(filter_min_articles=2, filter_alpha=0.05), "en")
'Edges: asserted by ≥ 2 articles, q ≤ .05 (one-sided hypergeometric test over articles, \
Benjamini–Hochberg). Width = articles; node size = articles naming the code.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from workbench import plotting
from workbench.corpus.structure import SECTION_ROLES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: A codebook's categories, as :attr:`workbench.coding.codebook.Codebook.categories`:
#: ``{id: {"label_zh", "label_en", "part", …}}`` in declaration order.
Categories = Mapping[str, Mapping[str, str]]

#: Fixed colours per category (colour-blind safe Okabe–Ito).
CATEGORY_COLOURS = {
    "cause": "#E69F00",
    "problem": "#D55E00",
    "countermeasure": "#009E73",
    "liaison": "#0072B2",
    "": "#999999",
}
#: Colours of the categories beyond :data:`CATEGORY_COLOURS`, given in the codebook's
#: order of declaration (then cycled): the rest of Okabe–Ito, then Tol's muted palette.
EXTRA_COLOURS = ("#CC79A7", "#56B4E9", "#F0E442", "#882255", "#44AA99", "#117733",
                 "#332288", "#AA4499", "#DDCC77", "#661100")  # fmt: skip
COLUMN_ORDER = ("cause", "problem", "countermeasure", "liaison", "")
#: The parts of the layered figure, left to right (cause → problem → countermeasure).
PART_ORDER = tuple(c for c in COLUMN_ORDER if c in SECTION_ROLES)
LAYOUT_SEED = 7
_CATEGORY_ZH = {"cause": "原因", "problem": "问题", "countermeasure": "对策", "liaison": "联系机制"}
_CATEGORY_EN = {"cause": "Cause", "problem": "Problem", "countermeasure": "Countermeasure",
                "liaison": "Liaison mechanism"}  # fmt: skip
_COLUMN_ZH = {"cause": "原因", "problem": "问题", "countermeasure": "对策", "liaison": "联系机制"}
_COLUMN_EN = {"cause": "Causes", "problem": "Problems", "countermeasure": "Countermeasures",
              "liaison": "Liaison mechanisms"}  # fmt: skip
#: Layered figure geometry, in inches and points.
LABEL_SIZE = 8.0
ROW_PITCH_MIN = 0.30
COLUMN_GAP_MIN = 1.8
#: Free width left for the edges between a column's labels and the next column.
EDGE_ROOM = 0.9
NODE_SIZES = (40.0, 260.0)
EDGE_WIDTHS = (0.6, 5.0)


def category_label(cat: str, lang: str, categories: Categories | None = None) -> str:
    """A category's name in a legend (``"problem"`` → 问题 / Problem).

    The codebook's label when ``categories`` declares it, else the built-in name of a
    default category, else the id.

    Examples
    --------
    >>> category_label("remedy", "en", {"remedy": {"label_zh": "补救", "label_en": "Remedy"}})
    'Remedy'
    >>> category_label("remedy", "zh"), category_label("cause", "zh")
    ('remedy', '原因')
    """
    declared = (categories or {}).get(cat, {}).get(f"label_{lang}")
    if declared:
        return str(declared)
    return (_CATEGORY_ZH if lang == "zh" else _CATEGORY_EN).get(cat, cat or "?")


def _graph_categories(g: nx.Graph) -> set[str]:
    return {str(d.get("category", "")) for _, d in g.nodes(data=True)}


def category_colours(categories: Iterable[str]) -> dict[str, str]:
    """Colour of each category: fixed for the default four, :data:`EXTRA_COLOURS` in
    order (cycled) for the others; ``""`` (no category) grey.

    Examples
    --------
    >>> category_colours(["grievance", "problem", "remedy"])
    {'grievance': '#CC79A7', 'problem': '#D55E00', 'remedy': '#56B4E9', '': '#999999'}
    """
    out: dict[str, str] = {}
    extra = 0
    for cat in categories:
        if cat in out:
            continue
        if cat in CATEGORY_COLOURS:
            out[cat] = CATEGORY_COLOURS[cat]
        else:
            out[cat] = EXTRA_COLOURS[extra % len(EXTRA_COLOURS)]
            extra += 1
    out.setdefault("", CATEGORY_COLOURS[""])
    return out


def graph_colours(g: nx.Graph, categories: Categories | None = None) -> dict[str, str]:
    """:func:`category_colours` for the categories of ``g``'s nodes: the declared ones in
    the order of ``categories``, then the others sorted."""
    declared = list(categories or ())
    return category_colours([*declared, *sorted(_graph_categories(g) - set(declared))])


def column_order(g: nx.Graph, categories: Categories | None = None) -> list[str]:
    """The categories of ``g``'s nodes in column (and legend) order.

    With ``categories``: the categories playing cause, problem and countermeasure
    (:data:`PART_ORDER`), then the others as declared. Without: the categories at
    the ends of a problem–cause graph's ``cause_of`` and ``addressed_by`` edges in the
    order of the parts those ends play, then :data:`COLUMN_ORDER`. Categories not
    covered follow, sorted.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from([("a", {"category": "remedy"}), ("b", {"category": "explanation"}),
    ...                   ("c", {"category": "grievance"})])
    >>> cats = {"grievance": {"part": "problem"}, "explanation": {"part": "cause"},
    ...         "remedy": {"part": "countermeasure"}}
    >>> column_order(g, cats), column_order(g)
    (['explanation', 'grievance', 'remedy'], ['explanation', 'grievance', 'remedy'])
    >>> h = nx.DiGraph([("w", "h", {"relation": "cause_of"}),
    ...                 ("h", "a", {"relation": "addressed_by"})])
    >>> nx.set_node_attributes(h, {"w": "why", "h": "harm", "a": "act"}, "category")
    >>> column_order(h)  # the parts their edges give them, not sorted
    ['why', 'harm', 'act']
    """
    if categories is None:
        order = [c for p, cats in _parts_from_relations(g).items() for c in sorted(cats)]
        order += COLUMN_ORDER
    else:
        part = {c: e.get("part", c if c in PART_ORDER else "") or "" for c, e in
                categories.items()}  # fmt: skip
        playing = {p: c for c, p in part.items() if p}
        order = [playing[p] for p in PART_ORDER if p in playing]
        order += [c for c in categories if c not in order] + [""]
    present = _graph_categories(g)
    cols = list(dict.fromkeys(c for c in order if c in present))
    return cols + sorted(present - set(cols))


def _parts_from_relations(g: nx.Graph) -> dict[str, set[str]]:
    """Part → the categories of the nodes at that end of a problem–cause edge, in
    :data:`PART_ORDER` (empty for a graph without ``relation`` edges)."""
    from workbench.network.problem_cause import RELATIONS

    found: dict[str, set[str]] = {p: set() for p in PART_ORDER}
    for u, v, rel in g.edges(data="relation"):
        if rel in RELATIONS:
            src, tgt = RELATIONS[rel]
            found[src].add(str(g.nodes[u].get("category", "")))
            found[tgt].add(str(g.nodes[v].get("category", "")))
    return {p: cats for p, cats in found.items() if cats}


def layered_layout(g: nx.Graph, weight: str = "weight",
                   categories: Categories | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """Columns by category (cause, problem, countermeasure, …), nodes spread evenly.

    ``x`` is the column index (:func:`column_order`: with ``categories``, the
    categories playing cause, problem and countermeasure, then the others);
    ``y`` runs from 1 (top) to -1, evenly spaced, in order of weighted degree
    (largest first, on the undirected edges), then id; a column of one node sits
    at 0. Deterministic: no seed, no solver.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from([("c1", {"category": "cause"}), ("p1", {"category": "problem"}),
    ...                   ("p2", {"category": "problem"})])
    >>> g.add_edge("c1", "p2", weight=3)
    >>> {n: xy.tolist() for n, xy in layered_layout(g).items()}
    {'c1': [0.0, 0.0], 'p2': [1.0, 1.0], 'p1': [1.0, -1.0]}
    """
    present = column_order(g, categories)
    strength = dict(g.degree(weight=weight))
    pos = {}
    for x, cat in enumerate(present):
        col = sorted((n for n, d in g.nodes(data=True) if d.get("category", "") == cat),
                     key=lambda n: (-float(strength.get(n, 0)), str(n)))  # fmt: skip
        ys = np.linspace(1, -1, len(col)) if len(col) > 1 else [0.0]
        for n, y in zip(col, ys, strict=True):
            pos[n] = np.array([float(x), float(y)])
    return pos


def layered_caption(g: nx.Graph, lang: str = "zh") -> str:
    """The caption of :func:`draw_problem_cause`: the edge filter, in ``lang``.

    Reads the graph attributes ``filter_min_articles`` and ``filter_alpha``
    (``""`` or absent: no significance filter).

    Examples
    --------
    >>> layered_caption(nx.DiGraph(filter_min_articles=3, filter_alpha=""), "zh")
    '边: 至少 3 篇文章断言该联系, 未做显著性筛选。线宽 = 文章数; 节点大小 = 提到该代码的文章数。'
    """
    k = g.graph.get("filter_min_articles", 1)
    alpha = g.graph.get("filter_alpha", "")
    has_alpha = alpha not in ("", None)
    if lang == "zh":
        sig = (f"q ≤ {float(alpha):g} (文章层面单侧超几何检验, Benjamini–Hochberg)" if has_alpha
               else "未做显著性筛选")  # fmt: skip
        return (f"边: 至少 {k} 篇文章断言该联系, {sig}。"
                "线宽 = 文章数; 节点大小 = 提到该代码的文章数。")
    a = f"{float(alpha):g}".removeprefix("0") if has_alpha else ""
    sig = (f"q ≤ {a} (one-sided hypergeometric test over articles, Benjamini–Hochberg)"
           if has_alpha else "no significance filter")  # fmt: skip
    return (f"Edges: asserted by ≥ {k} articles, {sig}. Width = articles; node size = "
            "articles naming the code.")


def _scale(values: list[float], low: float, high: float) -> list[float]:
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return []
    span = v.max() - v.min()
    return list(low + (high - low) * ((v - v.min()) / span if span > 0 else np.full_like(v, 0.5)))


def _draw(g: nx.Graph, pos: dict, ax, lang: str, arrows: bool,
          categories: Categories | None = None) -> None:  # fmt: skip
    nodes = list(g.nodes)
    palette = graph_colours(g, categories)
    colours = [palette.get(g.nodes[n].get("category", ""), "#999999") for n in nodes]
    sizes = _scale([g.nodes[n].get("frequency", 1) for n in nodes], 80, 900)
    widths = _scale([d.get("weight", 1.0) for _, _, d in g.edges(data=True)], 0.5, 5.0)
    kw = {"arrows": True, "arrowsize": 8, "connectionstyle": "arc3,rad=0.05"} if arrows else {}
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color="#777777", alpha=0.55,
                           node_size=sizes, **kw)  # fmt: skip
    nx.draw_networkx_nodes(g, pos, ax=ax, nodelist=nodes, node_color=colours, node_size=sizes,
                           linewidths=0.5, edgecolors="white")  # fmt: skip
    key = "label_zh" if lang == "zh" else "label_en"
    labels = {n: g.nodes[n].get(key, n) for n in nodes}
    nx.draw_networkx_labels(g, pos, labels, ax=ax, font_size=7,
                            font_family=plotting.setup_chinese())  # fmt: skip
    cats = column_order(g, categories)
    handles = [ax.scatter([], [], color=palette[c], label=category_label(c, lang, categories))
               for c in cats]  # fmt: skip
    if handles:
        # Below the plot, in one row: inside the axes it covered the top-left nodes.
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  ncol=len(handles), fontsize=8, frameon=False)  # fmt: skip
    ax.set_axis_off()


def _figure(g: nx.Graph, title: str | None, figsize: tuple[float, float], lang: str):
    import matplotlib.pyplot as plt

    plotting.setup_chinese()
    fig, ax = plt.subplots(figsize=figsize)
    if title:
        ax.set_title(title)
    word = "筛选条件" if lang == "zh" else "Filter"
    fig.text(0.01, 0.01, f"{word}: {filter_text(g, lang)}", fontsize=8, ha="left",
             va="bottom")  # fmt: skip
    return fig, ax


def filter_text(g: nx.Graph, lang: str = "zh") -> str:
    """The graph's edge filter in ``lang``, rebuilt from its ``filter_*`` attributes.

    Falls back to the stored ``filter`` string (English) when the attributes are
    missing, e.g. for a graph read from an older file.

    Examples
    --------
    >>> g = nx.Graph(filter="measure=jaccard; support ≥ 2 articles", filter_measure="jaccard",
    ...              filter_min_support=2, filter_threshold="", filter_alpha=0.05,
    ...              filter_top_n="", filter_support="articles")
    >>> filter_text(g, "zh")
    '度量=jaccard; 支持度 ≥ 2 篇文章; BH q ≤ 0.05 (单侧超几何检验)'
    """
    from workbench.network.graph import EdgeFilter
    from workbench.network.problem_cause import describe_links

    attrs = g.graph

    def opt(key: str):
        value = attrs.get(key, "")
        return None if value in ("", None) else value

    try:
        if attrs.get("kind") == "problem-cause" or ("filter_min_articles" in attrs
                                                     and "filter_measure" not in attrs):
            return describe_links(int(attrs["filter_min_articles"]), opt("filter_alpha"), lang)
        f = EdgeFilter(str(attrs["filter_measure"]), int(attrs["filter_min_support"]),
                       opt("filter_threshold"), opt("filter_alpha"), opt("filter_top_n"),
                       support=str(attrs.get("filter_support", "units")))  # fmt: skip
        return f.describe(lang)
    except (KeyError, ValueError, TypeError):
        return str(attrs.get("filter", "—"))


def draw_cooccurrence(g: nx.Graph, *, lang: str = "zh", title: str | None = None,
                      seed: int = LAYOUT_SEED, figsize: tuple[float, float] = (9, 7),
                      categories: Categories | None = None) -> Figure:  # fmt: skip
    """Co-occurrence graph with a seeded spring layout (weights pull nodes together).

    ``categories`` (``codebook.categories``) colours and names a codebook's own
    categories in its order (:func:`graph_colours`, :func:`category_label`).
    """
    fig, ax = _figure(g, title, figsize, lang)
    pos = nx.spring_layout(g, seed=seed, weight="weight") if len(g) else {}
    _draw(g, pos, ax, lang, arrows=False, categories=categories)
    return fig


def _column_header(cat: str, lang: str, categories: Categories | None = None) -> str:
    """A column's header: the plural of a default category under its built-in name,
    else the category's label."""
    name = category_label(cat, lang, categories)
    if cat in _COLUMN_ZH and name == category_label(cat, lang):
        return (_COLUMN_ZH if lang == "zh" else _COLUMN_EN)[cat]
    return name


def draw_problem_cause(g: nx.DiGraph, *, lang: str = "zh", title: str | None = None,
                       note: str | None = None, weight: str = "weight",
                       categories: Categories | None = None) -> Figure:  # fmt: skip
    """The cause → problem → countermeasure network in three labelled columns.

    Parameters
    ----------
    g : networkx.DiGraph
        :func:`~workbench.network.problem_cause.problem_cause_graph`.
    lang : {"zh", "en"}
        Language of labels, column headers and caption; Chinese uses the bundled
        CJK font (:func:`workbench.plotting.setup_chinese`).
    title : str, optional
        Printed at the top.
    note : str, optional
        Appended to the caption (e.g. what was left out).
    weight : str
        Edge attribute for widths and the node order.
    categories : mapping, optional
        ``codebook.categories``: which category plays cause, problem and
        countermeasure (the columns), and the labels and colours of a codebook's own
        categories. Without it the default four are placed and named as built in.

    Returns
    -------
    matplotlib.figure.Figure
        Sized to its content (inches follow the number of rows and the label
        widths). Node labels are ``Text`` objects with gid ``"label:<code>"``,
        column headers ``"header:<category>"``, the caption ``"caption"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> g = nx.DiGraph(filter_min_articles=2, filter_alpha="")
    >>> g.add_node("c", label_zh="原因甲", label_en="Cause A", category="cause", frequency=2)
    >>> g.add_node("p", label_zh="问题乙", label_en="Problem B", category="problem", frequency=3)
    >>> g.add_node("m", label_zh="对策丙", label_en="Measure C", category="countermeasure",
    ...            frequency=2)
    >>> g.add_weighted_edges_from([("c", "p", 2), ("p", "m", 2)])
    >>> fig = draw_problem_cause(g, lang="en")
    >>> [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("header")]
    ['Causes', 'Problems', 'Countermeasures']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    family = plotting.setup_chinese()
    layout = layered_layout(g, weight, categories)
    palette = graph_colours(g, categories)
    cats: list[str] = []
    for n in sorted(layout, key=lambda n: layout[n][0]):
        cat = g.nodes[n].get("category", "")
        if cat not in cats:
            cats.append(cat)
    n_cols = max(len(cats), 1)
    key = "label_zh" if lang == "zh" else "label_en"
    nodes = list(g.nodes)
    sizes = dict(zip(nodes, _scale([g.nodes[n].get("frequency", 1) for n in nodes],
                                   *NODE_SIZES), strict=True))  # fmt: skip
    radius = {n: np.sqrt(sizes[n]) / 2 / 72 for n in nodes}  # marker radius, inches
    r_max = max(radius.values(), default=0.0)

    fig = plt.figure(figsize=(6, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer = fig.canvas.get_renderer()
    labels = {}
    for n in nodes:
        col = int(layout[n][0])
        middle = 0 < col < n_cols - 1
        labels[n] = ax.text(0, 0, str(g.nodes[n].get(key, n)), fontsize=LABEL_SIZE,
                            fontfamily=family, va="center", ha="right" if col == 0 else "left",
                            zorder=4, gid=f"label:{n}",
                            bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none",
                                  "alpha": 0.85} if middle else None)  # fmt: skip
    dpi = fig.dpi

    def size(t) -> tuple[float, float]:
        box = t.get_window_extent(renderer)
        # The white box of a middle label adds its pad (0.15 of the font size) all round.
        extra = 2 * 0.15 * LABEL_SIZE / 72 if t.get_bbox_patch() is not None else 0.0
        return box.width / dpi + extra, box.height / dpi + extra

    widths = {c: 0.0 for c in range(n_cols)}
    height = 0.0
    for n, t in labels.items():
        w, h = size(t)
        widths[int(layout[n][0])] = max(widths[int(layout[n][0])], w)
        height = max(height, h)
    pad, margin = 0.06, 0.25
    pitch = max(ROW_PITCH_MIN, height + 0.08, 2 * r_max + 0.04)
    rows = max((sum(1 for n in layout if int(layout[n][0]) == c) for c in range(n_cols)),
               default=1)  # fmt: skip
    # Column x in inches: left labels, then each gap wide enough for the labels it holds.
    xs = [margin + widths.get(0, 0.0) + r_max + pad]
    for c in range(1, n_cols):
        # Labels of column 0 sit left of it; those of later columns fill the gap to the right.
        held = widths[c - 1] + 2 * r_max + 3 * pad + EDGE_ROOM if c > 1 else 0.0
        xs.append(xs[-1] + max(COLUMN_GAP_MIN, held))
    right = xs[-1] + r_max + pad + (widths[n_cols - 1] if n_cols > 1 else 0.0) + margin
    width_in = max(right, 5.0)
    caption_h, header_h, title_h = 0.75, 0.35, (0.45 if title else 0.0)
    span = (rows - 1) * pitch
    height_in = caption_h + span + 2 * r_max + header_h + title_h + 0.3
    fig.set_size_inches(width_in, height_in)
    ax.set_xlim(0, width_in)
    ax.set_ylim(0, height_in)
    y0 = caption_h + r_max + 0.1  # lowest row
    shift = (width_in - right) / 2  # centre the columns when the minimum width applies

    def to_inches(xy: np.ndarray) -> tuple[float, float]:
        return xs[int(xy[0])] + shift, y0 + (xy[1] + 1) / 2 * span

    pos = {n: to_inches(layout[n]) for n in nodes}
    ws = [float(d) for *_, d in g.edges(data=weight, default=1.0)]
    lws = _scale(ws, *EDGE_WIDTHS)
    for (u, v), lw in zip(g.edges, lws, strict=True):
        ax.add_patch(FancyArrowPatch(
            pos[u], pos[v], arrowstyle="-|>", mutation_scale=8 + lw, linewidth=lw,
            color="#777777", alpha=0.55, shrinkA=radius[u] * 72 + 1, shrinkB=radius[v] * 72 + 1,
            zorder=1, connectionstyle="arc3,rad=0.0"))  # fmt: skip
    for n in nodes:
        x, y = pos[n]
        ax.scatter([x], [y], s=sizes[n], color=palette.get(
            g.nodes[n].get("category", ""), "#999999"), edgecolors="white", linewidths=0.5,
            zorder=3, gid=f"node:{n}")  # fmt: skip
        col = int(layout[n][0])
        off = radius[n] + pad
        labels[n].set_position((x - off, y) if col == 0 else (x + off, y))
    top = y0 + span + r_max + 0.12
    for c, cat in enumerate(cats):
        ax.text(xs[c] + shift, top, _column_header(cat, lang, categories), fontsize=11,
                fontfamily=family, ha="center", va="bottom", gid=f"header:{cat}",
                color=palette.get(cat, "#333333"))  # fmt: skip
    if title:
        ax.text(width_in / 2, height_in - 0.15, title, fontsize=12, fontfamily=family,
                ha="center", va="top", gid="title")  # fmt: skip
    caption = layered_caption(g, lang) + (f" {note}" if note else "")
    ax.text(margin, 0.12, caption, fontsize=8, fontfamily=family, ha="left", va="bottom",
            wrap=True, gid="caption")  # fmt: skip
    return fig
