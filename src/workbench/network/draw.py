"""Draw code networks: deterministic layouts, colour by category, filter on every figure.

Node colour = code category, node size = frequency, edge width = weight; labels
in Chinese or English (``lang``). :func:`draw_cooccurrence` uses a seeded spring
layout (same graph and seed, same picture); :func:`draw_problem_cause` puts
causes, problems and countermeasures in columns (a layered bipartite layout,
nodes ordered by category then id). The graph's ``filter`` attribute is printed
under every figure.

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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from workbench import plotting

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Fixed colours per category (colour-blind safe Okabe–Ito).
CATEGORY_COLOURS = {
    "cause": "#E69F00",
    "problem": "#D55E00",
    "countermeasure": "#009E73",
    "liaison": "#0072B2",
    "": "#999999",
}
COLUMN_ORDER = ("cause", "problem", "countermeasure", "liaison", "")
LAYOUT_SEED = 7
_CATEGORY_ZH = {"cause": "原因", "problem": "问题", "countermeasure": "对策", "liaison": "联系机制"}
_CATEGORY_EN = {"cause": "Cause", "problem": "Problem", "countermeasure": "Countermeasure",
                "liaison": "Liaison mechanism"}  # fmt: skip


def _category_label(cat: str, lang: str) -> str:
    return (_CATEGORY_ZH if lang == "zh" else _CATEGORY_EN).get(cat, cat or "?")


def layered_layout(g: nx.Graph) -> dict[str, np.ndarray]:
    """Columns by category (cause, problem, countermeasure, …), rows by node id."""
    present = [c for c in COLUMN_ORDER if any(d.get("category", "") == c
                                              for _, d in g.nodes(data=True))]  # fmt: skip
    pos = {}
    for x, cat in enumerate(present):
        col = sorted(n for n, d in g.nodes(data=True) if d.get("category", "") == cat)
        ys = np.linspace(1, -1, len(col)) if len(col) > 1 else [0.0]
        for n, y in zip(col, ys, strict=True):
            pos[n] = np.array([float(x), float(y)])
    return pos


def _scale(values: list[float], low: float, high: float) -> list[float]:
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return []
    span = v.max() - v.min()
    return list(low + (high - low) * ((v - v.min()) / span if span > 0 else np.full_like(v, 0.5)))


def _draw(g: nx.Graph, pos: dict, ax, lang: str, arrows: bool) -> None:
    nodes = list(g.nodes)
    colours = [CATEGORY_COLOURS.get(g.nodes[n].get("category", ""), "#999999") for n in nodes]
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
    cats = [c for c in COLUMN_ORDER if c in {g.nodes[n].get("category", "") for n in nodes}]
    handles = [ax.scatter([], [], color=CATEGORY_COLOURS[c], label=_category_label(c, lang))
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
    fig.text(0.01, 0.01, f"{word}: {g.graph.get('filter', '—')}", fontsize=8, ha="left",
             va="bottom")  # fmt: skip
    return fig, ax


def draw_cooccurrence(g: nx.Graph, *, lang: str = "zh", title: str | None = None,
                      seed: int = LAYOUT_SEED, figsize: tuple[float, float] = (9, 7)
                      ) -> Figure:  # fmt: skip
    """Co-occurrence graph with a seeded spring layout (weights pull nodes together)."""
    fig, ax = _figure(g, title, figsize, lang)
    pos = nx.spring_layout(g, seed=seed, weight="weight") if len(g) else {}
    _draw(g, pos, ax, lang, arrows=False)
    return fig


def draw_problem_cause(g: nx.DiGraph, *, lang: str = "zh", title: str | None = None,
                       figsize: tuple[float, float] = (10, 8)) -> Figure:  # fmt: skip
    """Directed graph in columns: causes → problems → countermeasures."""
    fig, ax = _figure(g, title, figsize, lang)
    _draw(g, layered_layout(g), ax, lang, arrows=True)
    return fig
