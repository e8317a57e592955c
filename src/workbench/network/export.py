"""Write graphs as GEXF, GraphML and CSV node/edge lists, each with a provenance sidecar.

GEXF and GraphML cannot store lists, so list-valued evidence is stored as one
string: unit ids joined by ``"; "`` (co-occurrence ``evidence``), segment pairs
``"a -> b"`` joined by ``"; "`` (problem–cause ``evidence``) and quote pairs
``"a → b"`` joined by ``" | "`` (``quotes``); split on the separator to get the
list back. GraphML keeps graph attributes (the filter in force); networkx's GEXF
writer drops them, so :func:`write_graph` also puts them in the sidecar
``<file>.provenance.json`` and :func:`read_graph` restores them from it.

Examples
--------
>>> import tempfile, networkx as nx
>>> g = nx.Graph(filter="support ≥ 2")
>>> g.add_node("a", label_zh="甲", category="problem", frequency=3)
>>> g.add_node("b", label_zh="乙", category="cause", frequency=2)
>>> g.add_edge("a", "b", count=2, weight=0.5, evidence="u1; u2")
>>> d = Path(tempfile.mkdtemp())
>>> h = read_graph(write_graph(g, d / "g.gexf", {}))
>>> h.graph["filter"], h.edges["a", "b"]["evidence"], h.nodes["a"]["frequency"]
('support ≥ 2', 'u1; u2', 3)
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from workbench.network.graph import CodeDiGraph, CodeGraph, edge_table, node_table
from workbench.provenance import make_record, read_record, write_sidecar

FORMATS = (".gexf", ".graphml", ".csv")


def _record(g: nx.Graph, inputs: Mapping[str, str], parameters: Mapping[str, Any] | None):
    params = {**(parameters or {}), "graph": dict(g.graph)}
    return make_record(inputs, params)


def write_graph(g: nx.Graph, path: str | Path, inputs: Mapping[str, str],
                parameters: Mapping[str, Any] | None = None) -> Path:  # fmt: skip
    """Write ``g`` as ``.gexf`` or ``.graphml`` (or CSV, see :func:`write_csv`) + sidecar.

    Parameters
    ----------
    g : networkx graph
    path : path
        The suffix picks the format.
    inputs : mapping
        Input file → SHA-256 (e.g. ``Corpus.checksums()``).
    parameters : mapping, optional
        Extra parameters for the provenance record; the graph attributes are
        always recorded under ``graph``.

    Returns
    -------
    Path
        The graph file (for CSV the edge list).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gexf":
        nx.write_gexf(g, path)
    elif path.suffix == ".graphml":
        nx.write_graphml(g, path)
    elif path.suffix == ".csv":
        return write_csv(g, path, inputs, parameters)[1]
    else:
        raise ValueError(f"unknown graph format {path.suffix!r}; use one of {list(FORMATS)}")
    write_sidecar(path, _record(g, inputs, parameters))
    return path


def write_page(g: nx.Graph, path: str | Path, texts: Mapping[str, str],
               inputs: Mapping[str, str], parameters: Mapping[str, Any] | None = None,
               lang: str = "zh",
               categories: Mapping[str, Mapping[str, str]] | None = None) -> Path:  # fmt: skip
    """Write ``g`` as an explorable HTML page (:func:`workbench.network.page.network_page`)
    with its provenance sidecar; ``texts`` maps evidence ids to their quotes,
    ``categories`` is the codebook's (``codebook.categories``)."""
    from workbench.network.page import network_page

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(network_page(g, texts, lang=lang, categories=categories), encoding="utf-8")
    write_sidecar(path, _record(g, inputs, {**(parameters or {}), "lang": lang}))
    return path


def csv_paths(path: str | Path) -> tuple[Path, Path]:
    """``(<stem>.nodes.csv, <stem>.edges.csv)`` for ``path``.

    Examples
    --------
    >>> [p.name for p in csv_paths("out/net.csv")]
    ['net.nodes.csv', 'net.edges.csv']
    """
    path = Path(path)
    stem = path.with_suffix("")
    return Path(f"{stem}.nodes.csv"), Path(f"{stem}.edges.csv")


def write_csv(g: nx.Graph, path: str | Path, inputs: Mapping[str, str],
              parameters: Mapping[str, Any] | None = None) -> tuple[Path, Path]:  # fmt: skip
    """Node and edge lists (evidence column included), each with a sidecar; UTF-8 with a
    byte-order mark, as every CSV the workbench writes (:func:`workbench.csvio.write_csv`)."""
    from workbench.csvio import write_csv

    nodes_path, edges_path = csv_paths(path)
    record = _record(g, inputs, parameters)
    write_csv(node_table(g), nodes_path)
    write_csv(edge_table(g), edges_path)
    write_sidecar(nodes_path, record)
    write_sidecar(edges_path, record)
    return nodes_path, edges_path


def read_graph(path: str | Path) -> nx.Graph:
    """Read a graph written by :func:`write_graph`, graph attributes included.

    The graph is a :class:`~workbench.network.graph.CodeGraph` (or ``CodeDiGraph``), as
    written, so a notebook shows what it holds rather than an object address.
    """
    path = Path(path)
    if path.suffix == ".gexf":
        g = nx.read_gexf(path)
        # A GEXF without its sidecar still reads; it just has no graph attributes.
        with contextlib.suppress(FileNotFoundError):
            g.graph.update(read_record(path)["parameters"].get("graph", {}))
        return _as_code_graph(g)
    if path.suffix == ".graphml":
        return _as_code_graph(nx.read_graphml(path))
    raise ValueError(f"read_graph reads .gexf or .graphml, not {path.suffix!r}")


def _as_code_graph(g: nx.Graph) -> nx.Graph:
    """``g`` as a :class:`CodeGraph` or :class:`CodeDiGraph` (the same nodes, edges and
    attributes)."""
    out = (CodeDiGraph if g.is_directed() else CodeGraph)()
    out.graph.update(g.graph)
    out.add_nodes_from(g.nodes(data=True))
    out.add_edges_from(g.edges(data=True))
    return out


def read_csv(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The node and edge lists written by :func:`write_csv`."""
    nodes_path, edges_path = csv_paths(path)
    return pd.read_csv(nodes_path), pd.read_csv(edges_path)
