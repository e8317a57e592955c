"""GEXF / GraphML / CSV round trips keep every attribute; the CLI writes them."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.coding.codebook import load_codebook
from workbench.coding.coder import code_segments
from workbench.network.export import read_csv, read_graph, write_graph
from workbench.network.graph import EdgeFilter, codebook_meta, cooccurrence_graph
from workbench.network.problem_cause import assertions, problem_cause_graph
from workbench.provenance import read_record


@pytest.fixture(scope="module")
def graphs(seeds):
    cb = load_codebook()
    coding = code_segments(seeds.analysis_segments(), cb, "paragraph")
    co = cooccurrence_graph(coding.matrix, coding.codes, coding.units["unit_id"],
                            EdgeFilter("npmi", 2, alpha=0.05), codebook_meta(cb),
                            unit="paragraph")  # fmt: skip
    pc = problem_cause_graph(assertions(seeds.analysis_segments(), cb), codebook_meta(cb),
                             min_articles=2)  # fmt: skip
    return {"cooccurrence": co, "problem-cause": pc}


def _same(a, b):
    assert set(a.nodes) == set(b.nodes) and set(a.edges) == set(b.edges)
    assert a.is_directed() == b.is_directed()
    for n, d in a.nodes(data=True):
        for k, v in d.items():
            assert b.nodes[n][k] == pytest.approx(v) if isinstance(v, float) else b.nodes[n][k] == v
    for u, v, d in a.edges(data=True):
        for k, val in d.items():
            got = b.edges[u, v][k]
            assert got == pytest.approx(val) if isinstance(val, float) else got == val, (u, v, k)
    for k, v in a.graph.items():
        assert b.graph[k] == v, k


@pytest.mark.parametrize("kind", ["cooccurrence", "problem-cause"])
@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_round_trip_keeps_every_attribute(graphs, kind, suffix, tmp_path, seeds):
    g = graphs[kind]
    path = write_graph(g, tmp_path / f"g{suffix}", seeds.checksums(), {"kind": kind})
    _same(g, read_graph(path))
    record = read_record(path)
    assert record["inputs"] == dict(sorted(seeds.checksums().items()))
    assert record["parameters"]["graph"]["filter"] == g.graph["filter"]


def test_csv_lists_have_evidence_and_sidecars(graphs, tmp_path):
    g = graphs["cooccurrence"]
    write_graph(g, tmp_path / "net.csv", {}, {})
    nodes, edges = read_csv(tmp_path / "net.csv")
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    assert {"label_zh", "label_en", "category", "frequency"} <= set(nodes.columns)
    row = edges.iloc[0]
    assert row["evidence"] == g.edges[row["source"], row["target"]]["evidence"]
    assert (tmp_path / "net.edges.csv.provenance.json").exists()
    assert (tmp_path / "net.nodes.csv.provenance.json").exists()


def test_cli_cooccurrence_from_codes_and_problem_cause(tmp_path, capsys):
    codes = tmp_path / "codes.parquet"
    assert main(["code", "--unit", "paragraph", "--out", str(codes)]) == 0
    out = tmp_path / "net.gexf"
    argv = ["network", "--codes", str(codes), "--unit", "paragraph", "--measure", "jaccard",
            "--min-support", "2", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    g = read_graph(out)
    assert g.graph["unit"] == "paragraph" and g.graph["filter"] == "measure=jaccard; support ≥ 2"
    assert all(d["count"] >= 2 for *_, d in g.edges(data=True))
    pc = tmp_path / "pc.graphml"
    assert main(["network", "--kind", "problem-cause", "--min-articles", "2",
                 "--out", str(pc)]) == 0  # fmt: skip
    assert read_graph(pc).graph["kind"] == "problem-cause"
    assert "nodes" in capsys.readouterr().err
    assert main(["network", "--out", str(tmp_path / "x.dot")]) == 2
    assert "unknown graph format" in capsys.readouterr().err
