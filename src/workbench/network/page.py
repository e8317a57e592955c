"""An explorable network as one self-contained HTML page (works offline, no CDN).

:func:`network_page` turns a co-occurrence or problem–cause graph into a page that
draws it with vis-network (bundled in ``workbench/resources/js``, inlined in the
page) and the subset of the bundled CJK font its labels and quotes need: nodes
coloured by category and sized by frequency, edges as wide as their measure, a
slider that hides edges below a value, and a panel that lists the quotes behind a
clicked edge (its evidence units, with their ids and original-script text) or, for a
clicked node, the quotes of its strongest links. Node positions are computed here
(the layered layout for a problem–cause graph, a seeded spring layout otherwise),
so the same graph gives the same page, byte for byte.

Examples
--------
>>> import networkx as nx
>>> g = nx.Graph(filter="support ≥ 1 article")
>>> g.add_node("a", label_zh="形式主义", label_en="Formalism", category="problem", frequency=3)
>>> g.add_node("b", label_zh="宗旨意识", label_en="Purpose", category="cause", frequency=2)
>>> g.add_edge("a", "b", weight=0.5, count=2, articles=1, evidence="f/a1/p001; f/a1/p002")
>>> page = network_page(g, {"f/a1/p001": "學習體會從網上複製", "f/a1/p002": "交差了事"})
>>> page.startswith("<!DOCTYPE html>") and "vis-network" in page and "@font-face" in page
True
>>> data = page_data(g, {"f/a1/p001": "學習體會從網上複製"})
>>> [(e["from"], e["to"], [q["id"] for q in e["quotes"]]) for e in data["edges"]]
[('a', 'b', ['f/a1/p001', 'f/a1/p002'])]
>>> data["edges"][0]["quotes"][0]["text"]
'學習體會從網上複製'
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from workbench import config
from workbench.network.draw import (
    LAYOUT_SEED,
    Categories,
    category_label,
    filter_text,
    graph_colours,
    layered_layout,
)

VIS_NETWORK_VERSION = "10.1.2"
VIS_NETWORK_JS = config.RESOURCES_DIR / "js" / "vis-network.min.js"
#: Quotes listed for an edge, and for a node (from its strongest links).
MAX_EDGE_QUOTES = 30
MAX_NODE_QUOTES = 10
#: Characters of a quote shown; longer units are cut with "…".
QUOTE_CHARS = 400
_PAIR = " -> "  # problem–cause evidence: "source_segment -> target_segment"


def evidence_texts(segments: pd.DataFrame, ids: set[str] | list[str]) -> dict[str, str]:
    """Original-script text of each evidence id: a segment, or a unit made of segments.

    A unit id (paragraph, section or article) is the common prefix of its segments'
    ids, so a unit's text is the ``text_orig`` (else ``text``) of the segments whose id
    is the unit id or starts with it and ``/``, joined in corpus order.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["f/a1/p001/s01", "f/a1/p001/s02", "f/a1/p002/s01"],
    ...                     "text_orig": ["幹群關係。", "密切聯繫。", "走訪。"]})
    >>> evidence_texts(seg, ["f/a1/p001", "f/a1/p002/s01", "f/a9"])
    {'f/a1/p001': '幹群關係。密切聯繫。', 'f/a1/p002/s01': '走訪。'}
    """
    column = "text_orig" if "text_orig" in segments.columns else "text"
    sid = segments["segment_id"].astype(str).tolist()
    text = segments[column].fillna("").astype(str).tolist()
    wanted = set(ids)
    out: dict[str, list[str]] = {}
    for s, t in zip(sid, text, strict=True):
        parts = s.split("/")
        # The segment itself and every unit containing it (its id's prefixes).
        for k in range(1, len(parts) + 1):
            prefix = "/".join(parts[:k])
            if prefix in wanted:
                out.setdefault(prefix, []).append(t)
    # In the order the ids were given (a list scan per id would be quadratic).
    return {i: "".join(out[i]) for i in dict.fromkeys(ids) if i in out}


def evidence_ids(g: nx.Graph) -> set[str]:
    """Every unit or segment id named in the graph's edge evidence."""
    found: set[str] = set()
    for _, _, ev in g.edges(data="evidence", default=""):
        for item in _items(ev):
            found.update(item.split(_PAIR))
    return found


def _items(evidence: Any) -> list[str]:
    return [e for e in str(evidence or "").split("; ") if e]


def _cut(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _quote(item: str, texts: Mapping[str, str]) -> dict[str, str]:
    if _PAIR in item:
        a, b = item.split(_PAIR, 1)
        return {"id": f"{a} → {b}", "text": f"{_cut(texts.get(a, ''))} → {_cut(texts.get(b, ''))}"}
    return {"id": item, "text": _cut(texts.get(item, ""))}


#: The box (pixels) node positions are spread over: about the graph pane of the page,
#: so that the view fits at a zoom near 1 and 14 px labels stay readable.
LAYOUT_BOX = (560.0, 460.0)
#: Vertical pixels per node in a column of the layered (problem–cause) page.
ROW_PX = 72.0


def _positions(g: nx.Graph, categories: Categories | None = None
               ) -> dict[str, tuple[float, float]]:  # fmt: skip
    if not g.number_of_nodes():
        return {}
    if g.is_directed():
        pos = layered_layout(g, categories=categories)
    else:
        pos = nx.spring_layout(g, seed=LAYOUT_SEED, weight="weight")
    xy = np.array([pos[n] for n in pos], dtype=float)
    span = np.where(np.ptp(xy, axis=0) > 0, np.ptp(xy, axis=0), 1.0)
    box = np.array(LAYOUT_BOX)
    if g.is_directed():  # room for a label under each node of the fullest column
        column = np.unique(np.round(xy[:, 0], 6), return_counts=True)[1].max()
        box[1] = max(box[1], ROW_PX * (column - 1))
    scale = box / span
    if not g.is_directed():  # a spring layout keeps its proportions
        scale[:] = scale.min()
    # Screen y grows downwards; round so that the page does not depend on float noise.
    return {n: (round(float(p[0]) * scale[0], 1), round(-float(p[1]) * scale[1], 1))
            for n, p in pos.items()}  # fmt: skip


def page_data(g: nx.Graph, texts: Mapping[str, str], *, lang: str = "zh",
              categories: Categories | None = None) -> dict[str, Any]:  # fmt: skip
    """The nodes, edges, quotes and legend the page draws (plain JSON values).

    Parameters
    ----------
    g : networkx graph
        A co-occurrence graph (:func:`workbench.network.graph.coding_graph`) or a
        problem–cause graph (:func:`workbench.network.problem_cause.problem_cause_graph`).
    texts : mapping
        Evidence id → original-script text (:func:`evidence_texts`); ids without
        text are listed with their id only.
    lang : {"zh", "en"}
        Language of node labels, legend and captions.
    categories : mapping, optional
        ``codebook.categories``: the columns of a problem–cause graph (the categories
        playing each part), and the labels and colours of a codebook's own categories
        (:func:`workbench.network.draw.graph_colours`).
    """
    key = "label_zh" if lang == "zh" else "label_en"
    pos = _positions(g, categories)
    palette = graph_colours(g, categories)
    edges = []
    for i, (u, v, d) in enumerate(sorted(g.edges(data=True), key=lambda e: (e[0], e[1]))):
        items = _items(d.get("evidence"))
        edges.append({
            "id": f"e{i}", "from": str(u), "to": str(v),
            "value": float(d.get("weight", 1.0)),
            "count": int(d.get("count", d.get("n_pairs", len(items)))),
            "articles": d.get("articles", ""),
            "n_quotes": len(items),
            "quotes": [_quote(it, texts) for it in items[:MAX_EDGE_QUOTES]],
        })  # fmt: skip
    nodes = []
    for n in sorted(g.nodes):
        d = g.nodes[n]
        mine = sorted((e for e in edges if n in (e["from"], e["to"])),
                      key=lambda e: (-e["value"], e["id"]))  # fmt: skip
        quotes: list[dict[str, str]] = []
        for e in mine:
            for q in e["quotes"]:
                if q not in quotes and len(quotes) < MAX_NODE_QUOTES:
                    quotes.append(q)
        x, y = pos[n]
        cat = str(d.get("category", ""))
        nodes.append({
            "id": str(n), "label": str(d.get(key, n)), "category": cat,
            "category_label": category_label(cat, lang, categories),
            "color": palette.get(cat, "#999999"),
            "frequency": int(d.get("frequency", 1) or 1), "x": x, "y": y, "quotes": quotes,
        })  # fmt: skip
    # The legend lists the categories as the codebook declares them (graph_colours' order,
    # as the figures do), and the filter line speaks the page's language.
    present = {nd["category"] for nd in nodes}
    cats = [c for c in palette if c in present] + sorted(present - set(palette))
    why = no_edges_text(g, lang)
    return {
        "directed": g.is_directed(), "lang": lang,
        "filter": filter_text(g, lang), **({"no_edges": why} if why else {}),
        "legend": [{"category": c, "label": category_label(c, lang, categories),
                    "color": palette.get(c, "#999999")} for c in cats],
        "nodes": nodes, "edges": edges,
    }  # fmt: skip


def no_edges_text(g: nx.Graph, lang: str = "zh") -> str:
    """Why a graph has no edges, in ``lang``; ``""`` when it has edges.

    The graph's ``no_edges`` (English) and ``no_edges_zh`` say which filter emptied it and
    what would show links (:meth:`workbench.network.graph.EdgeFilter.shortfall`,
    :func:`workbench.network.problem_cause.links_shortfall`); a graph without them (read
    from an older file) gets the bare fact.

    Examples
    --------
    >>> g = nx.Graph(no_edges="2 code pair(s) co-occur", no_edges_zh="2 对编码共现")
    >>> no_edges_text(g), no_edges_text(g, "en")
    ('此网络没有边：2 对编码共现。', 'This network has no edges: 2 code pair(s) co-occur.')
    >>> no_edges_text(nx.Graph(), "en")
    'This network has no edges.'
    """
    if g.number_of_edges():
        return ""
    why = str(g.graph.get("no_edges_zh" if lang == "zh" else "no_edges", "") or "")
    if lang == "zh":
        return f"此网络没有边：{why}。" if why else "此网络没有边。"
    return f"This network has no edges: {why}." if why else "This network has no edges."


_TEXT = {
    "zh": {"min": "最小边权", "shown": "显示 {n} / {total} 条边",
           "click": "点击一条边或一个节点，查看其引文。", "quotes": "引文", "edge": "边",
           "node": "节点"},
    "en": {"min": "Minimum edge weight", "shown": "{n} of {total} edges shown",
           "click": "Click an edge or a node to list its quotes.", "quotes": "Quotes",
           "edge": "Edge", "node": "Node"},
}  # fmt: skip

_STYLE = """
body { margin: 0; font-family: FONT, sans-serif; color: #222; height: 100vh;
       display: flex; flex-direction: column; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header .filter { font-size: 12px; color: #555; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 6px;
            margin-right: 4px; vertical-align: -1px; }
main { display: flex; flex: 1; min-height: 0; }
#graph { flex: 3; border-right: 1px solid #ddd; }
#side { flex: 2; overflow-y: auto; padding: 8px 14px; font-size: 13px; }
#side li { margin-bottom: 8px; }
#side code { font-size: 11px; color: #666; }
.controls { font-size: 13px; margin-top: 4px; }
"""
#: The style of an empty network's line saying why (inline, so that a page with edges is
#: byte for byte what it was).
_EMPTY_STYLE = ("font-size: 15px; margin: 6px 0 2px 0; padding: 6px 10px; background: #fff4d6; "
                "border: 1px solid #e0c36a; border-radius: 4px")

_SCRIPT = """
(function () {
  const data = JSON.parse(document.getElementById("wb-data").textContent);
  const T = JSON.parse(document.getElementById("wb-text").textContent);
  const face = FONT;
  const maxFreq = Math.max(1, ...data.nodes.map((n) => n.frequency));
  const nodes = new vis.DataSet(data.nodes.map((n) => ({
    id: n.id, label: n.label, x: n.x, y: n.y, color: n.color,
    size: 6 + 14 * Math.sqrt(n.frequency / maxFreq),
    title: n.category_label + " · " + n.id + " · " + n.frequency,
    font: {face: face, size: 14},
  })));
  const edges = new vis.DataSet(data.edges.map((e) => ({
    id: e.id, from: e.from, to: e.to, value: e.value, hidden: false,
    title: e.value.toFixed(3) + " · " + e.count,
    arrows: data.directed ? "to" : undefined,
  })));
  const byEdge = new Map(data.edges.map((e) => [e.id, e]));
  const byNode = new Map(data.nodes.map((n) => [n.id, n]));
  const side = document.getElementById("side");
  function esc(s) {
    const d = document.createElement("div"); d.textContent = s; return d.innerHTML;
  }
  function list(heading, quotes, total) {
    let h = "<h2>" + esc(heading) + "</h2><p>" + esc(T.quotes) + ": " + quotes.length;
    if (total > quotes.length) h += " / " + total;
    h += "</p><ol class='quotes'>";
    for (const q of quotes) h += "<li><code>" + esc(q.id) + "</code><br>" + esc(q.text) + "</li>";
    side.innerHTML = h + "</ol>";
  }
  function showEdge(id) {
    const e = byEdge.get(id);
    const a = byNode.get(e.from).label, b = byNode.get(e.to).label;
    list(T.edge + ": " + a + (data.directed ? " → " : " — ") + b + " (" + e.value.toFixed(3) + ")",
         e.quotes, e.n_quotes);
  }
  function showNode(id) {
    const n = byNode.get(id);
    list(T.node + ": " + n.label + " (" + n.category_label + ")", n.quotes, n.quotes.length);
  }
  // The slider steps through the edges' distinct values, so each step is exact.
  const levels = [...new Set(data.edges.map((e) => e.value))].sort((a, b) => a - b);
  const slider = document.getElementById("min-weight");
  slider.max = String(Math.max(0, levels.length - 1));
  const shown = document.getElementById("shown");
  function filter() {
    const min = levels.length ? levels[parseInt(slider.value, 10)] : 0;
    document.getElementById("min-value").textContent = min.toFixed(3);
    const updates = data.edges.map((e) => ({id: e.id, hidden: e.value < min}));
    edges.update(updates);
    const n = updates.filter((u) => !u.hidden).length;
    shown.textContent = T.shown.replace("{n}", n).replace("{total}", data.edges.length);
    document.body.dataset.edgesShown = String(n);
  }
  slider.addEventListener("input", filter);
  function start() {
    const network = new vis.Network(document.getElementById("graph"), {nodes, edges}, {
      physics: false, interaction: {hover: true, tooltipDelay: 150},
      edges: {smooth: false, color: {color: "#888888", highlight: "#d62728"},
              scaling: {min: 1, max: 8}},
      nodes: {shape: "dot", borderWidth: 1},
    });
    // Fit, then zoom out a little so that labels at the border are not cut off.
    network.fit({animation: false});
    network.moveTo({scale: network.getScale() * 0.85, animation: false});
    network.on("click", (p) => {
      if (p.edges.length && !p.nodes.length) showEdge(p.edges[0]);
      else if (p.nodes.length) showNode(p.nodes[0]);
    });
    window.wbNetwork = {network, nodes, edges, data, showEdge, showNode};
    filter();
    document.body.dataset.nodes = String(nodes.length);
    document.body.dataset.edges = String(edges.length);
    document.body.dataset.ready = "true";
  }
  // Labels are drawn on a canvas: load the embedded face first, or they show as boxes.
  document.fonts.load("14px " + face, "干群").then(start, start);
})();
"""


def network_page(
    g: nx.Graph, texts: Mapping[str, str] | None = None, *, title: str | None = None,
    lang: str = "zh", categories: Categories | None = None,
) -> str:
    """The graph as a self-contained HTML page (vis-network and the CJK font inlined).

    Parameters
    ----------
    g : networkx graph
        A co-occurrence or problem–cause graph (node attributes ``label_zh``,
        ``label_en``, ``category``, ``frequency``; edge attributes ``weight`` and
        ``evidence``).
    texts : mapping, optional
        Evidence id → original-script text (:func:`evidence_texts`).
    title : str, optional
        Heading of the page; default from the kind of graph and ``lang``.
    lang : {"zh", "en"}
    categories : mapping, optional
        ``codebook.categories`` (:func:`page_data`).

    Returns
    -------
    str
        The page. Deterministic: the same graph and texts give the same page.
    """
    from workbench.report import EMBEDDED_FONT_FAMILY, embed_cjk_font

    if lang not in _TEXT:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    data = page_data(g, texts or {}, lang=lang, categories=categories)
    if title is None:
        title = {("zh", True): "原因 → 问题 → 对策网络", ("zh", False): "编码共现网络",
                 ("en", True): "Cause → problem → countermeasure network",
                 ("en", False): "Code co-occurrence network"}[(lang, g.is_directed())]  # fmt: skip
    t = _TEXT[lang]
    font = json.dumps(f'"{EMBEDDED_FONT_FAMILY}"')
    legend = "".join(f'<span><i style="background:{c["color"]}"></i>{html.escape(c["label"])}'
                     "</span>" for c in data["legend"])  # fmt: skip

    def as_json(value: Any) -> str:
        # "</" would end the <script> element early.
        return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")

    # An empty network says on the page why, and what would show links (it was a blank
    # page, the reason only on the command line).
    why = data.get("no_edges", "")  # only an empty network has it: other pages stay as they were
    empty = (f'<p class="empty" id="no-edges" style="{_EMPTY_STYLE}">{html.escape(why)}</p>'
             if why else "")  # fmt: skip
    side = html.escape(why or t["click"])
    js = VIS_NETWORK_JS.read_text(encoding="utf-8")
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{_STYLE.replace('FONT', font[1:-1].replace(chr(92), ''))}</style>\n"
        f"<!-- vis-network {VIS_NETWORK_VERSION}, MIT licence (see workbench/resources/js) -->\n"
        f"<script>{js}</script>\n"
        "</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>"
        f'<div class="filter">{html.escape(data["filter"])}</div>'
        f'<div class="legend">{legend}</div>'
        f'<div class="controls"><label for="min-weight">{html.escape(t["min"])}</label> '
        '<input type="range" id="min-weight" min="0" max="0" step="1" value="0"> '
        f'<span id="min-value"></span> · <span id="shown"></span></div>{empty}</header>\n'
        '<main><div id="graph"></div>'
        f'<div id="side"><p>{side}</p></div></main>\n'
        f'<script type="application/json" id="wb-data">{as_json(data)}</script>\n'
        f'<script type="application/json" id="wb-text">{as_json(t)}</script>\n'
        f"<script>{_SCRIPT.replace('FONT', font)}</script>\n"
        "</body>\n</html>\n"
    )
    return embed_cjk_font(page)


def show_page(path: str | Path, *, height: int = 620) -> Any:
    """Show a page written by :func:`network_page` inline in a notebook, with a link to it.

    The frame points at the file by a relative path: from the folder the report's
    pages are written to when :func:`workbench.report.build_report` runs the notebook
    (it sets ``WORKBENCH_PAGE_DIR``), else from the working folder (the notebook's, in
    JupyterLab). The static figure stays the record: nbval and readers without
    JavaScript see it.

    Examples
    --------
    >>> import os
    >>> shown = show_page(Path(os.getcwd()) / "reports" / "figures" / "net.html")
    >>> 'src="reports/figures/net.html"' in shown.data
    True
    """
    import os

    from IPython.display import HTML

    base = Path(os.environ.get("WORKBENCH_PAGE_DIR") or Path.cwd())
    rel = Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    src = html.escape(rel, quote=True)
    return HTML(
        f'<p><a href="{src}" target="_blank">{html.escape(Path(path).name)}</a></p>'
        f'<iframe src="{src}" width="100%" height="{int(height)}" '
        'style="border: 1px solid #ddd"></iframe>'
    )
