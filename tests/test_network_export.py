"""GEXF / GraphML / CSV round trips keep every attribute; the CLI writes them."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.cli import main
from workbench.coding.codebook import load_codebook
from workbench.coding.coder import code_segments
from workbench.network.export import read_csv, read_graph, write_graph
from workbench.network.graph import (
    EdgeFilter,
    codebook_meta,
    coding_graph,
    cooccurrence_graph,
    network_coding,
)
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
    assert g.graph["unit"] == "paragraph"
    assert g.graph["filter"] == ("measure=jaccard; support ≥ 2 articles; BH q ≤ 0.05 "
                                 "(one-sided hypergeometric)")  # fmt: skip
    assert all(d["articles"] >= 2 and d["q"] <= 0.05 for *_, d in g.edges(data=True))
    assert "headings are as coded" in capsys.readouterr().err
    pc = tmp_path / "pc.graphml"
    assert main(["network", "--kind", "problem-cause", "--min-articles", "2",
                 "--out", str(pc)]) == 0  # fmt: skip
    assert read_graph(pc).graph["kind"] == "problem-cause"
    assert "nodes" in capsys.readouterr().err
    assert main(["network", "--out", str(tmp_path / "x.dot")]) == 2
    assert "unknown graph format" in capsys.readouterr().err


def test_cli_codes_that_are_missing_or_a_pipeline_folder_say_what_to_give(tmp_path, capsys):
    out = tmp_path / "net.gexf"
    assert main(["network", "--codes", str(tmp_path / "nope.parquet"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nope.parquet: no such file (the codes table" in err and "CODES.parquet" in err
    codes = tmp_path / "codes.parquet"
    assert main(["code", "--out", str(codes)]) == 0
    units = tmp_path / "codes.units.csv"  # the units file given for the codes
    assert main(["network", "--codes", str(units), "--out", str(out)]) == 2
    assert "codes.units.matrix.npz: no such file (the matrix" in capsys.readouterr().err
    pipe = tmp_path / "pipe"
    (pipe / "codes").mkdir(parents=True)
    (pipe / "manifest.json").write_text("{}", encoding="utf-8")
    for given in (pipe, pipe / "codes"):
        assert main(["network", "--codes", str(given), "--out", str(out)]) == 2
        assert "a folder of `workbench pipeline`; give it as --corpus" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["cooccurrence", "problem-cause"])
def test_cli_json_prints_the_network_and_its_record(kind, tmp_path, capsys):
    import json

    out = tmp_path / "net.csv"
    assert main(["network", "--kind", kind, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)  # strict JSON: no NaN, no Infinity
    assert summary["command"] == "network" and summary["kind"] == kind
    nodes, edges = read_csv(out)
    assert summary["files"] == [str(tmp_path / "net.nodes.csv"), str(tmp_path / "net.edges.csv")]
    for path in summary["files"]:
        assert read_record(path) == summary["provenance"]
    assert summary["provenance"]["parameters"]["kind"] == kind
    assert summary["filter"] == summary["provenance"]["parameters"]["graph"]["filter"]
    assert summary["n_nodes"] == len(nodes) == len(summary["nodes"])
    assert summary["n_edges"] == len(edges) == len(summary["edges"]) > 0
    first = summary["edges"][0]
    assert (first["source"], first["target"]) == (edges.at[0, "source"], edges.at[0, "target"])
    assert first["evidence"] == edges.at[0, "evidence"]
    assert [n["id"] for n in summary["nodes"]] == nodes["id"].tolist()


def test_cli_json_on_gexf_reads_back_the_sidecar(tmp_path, capsys):
    import json

    out = tmp_path / "net.gexf"
    assert main(["network", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == [str(out)] and read_record(out) == summary["provenance"]
    assert summary["n_edges"] == read_graph(out).number_of_edges()


def _notebook_cells():
    import json

    from workbench import config

    nb = json.loads((config.ROOT / "notebooks" / "03-problem-cause-networks.ipynb").read_text(
        encoding="utf-8"))  # fmt: skip
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_cli_defaults_are_the_notebooks(tmp_path, capsys, seeds):
    import re

    from workbench.network.cli import DEFAULT_ALPHA, DEFAULT_MIN_ARTICLES, DEFAULT_MIN_SUPPORT

    code = _notebook_cells()
    # Notebook 03: EdgeFilter(measure="jaccard", min_support=2, alpha=0.05); MIN_ARTICLES = 3.
    nb_filter = re.search(r"co_filter = EdgeFilter\((.*?)\)", code).group(1)
    assert f"min_support={DEFAULT_MIN_SUPPORT}" in nb_filter
    assert f"alpha={DEFAULT_ALPHA['cooccurrence']}" in nb_filter and '"jaccard"' in nb_filter
    assert f"MIN_ARTICLES = {DEFAULT_MIN_ARTICLES}" in code
    co, pc = tmp_path / "co.graphml", tmp_path / "pc.graphml"
    assert main(["network", "--out", str(co)]) == 0
    assert main(["network", "--kind", "problem-cause", "--out", str(pc)]) == 0
    g, h = read_graph(co), read_graph(pc)
    cb = load_codebook()
    coding = network_coding(seeds.analysis_segments(), cb, "paragraph")
    want = coding_graph(coding, EdgeFilter("jaccard", 2, alpha=0.05), codebook_meta(cb))
    assert set(g.edges) == set(want.edges) and g.graph["filter"] == want.graph["filter"]
    assert g.graph["filter_alpha"] == 0.05 and g.graph["filter_min_support"] == 2
    pairs = assertions(seeds.analysis_segments(), cb)
    assert set(h.edges) == set(problem_cause_graph(pairs, codebook_meta(cb), min_articles=3).edges)
    assert h.graph["filter"] == "articles ≥ 3"
    record = read_record(co)["parameters"]
    assert record["headings"] is False and record["catch_alls"] is False
    capsys.readouterr()


def test_cli_flags_include_headings_and_catch_alls(tmp_path, capsys, seeds):
    import yaml

    from workbench import config

    raw = yaml.safe_load(config.CODEBOOK.read_text(encoding="utf-8"))
    catch = {"P_other", "C_other", "M_other", "C_attribution"}
    for code in raw["codes"]:
        code["catch_all"] = code["id"] in catch
    book = tmp_path / "codebook.yaml"
    book.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    base = ["network", "--codebook", str(book), "--alpha", "none", "--min-support", "1"]
    runs = {}
    for name, extra in {"default": [], "heads": ["--include-headings"],
                        "catch": ["--include-catch-alls"]}.items():  # fmt: skip
        out = tmp_path / f"{name}.graphml"
        assert main([*base, *extra, "--out", str(out)]) == 0
        runs[name] = read_graph(out)
    assert not set(runs["default"].nodes) & catch and set(runs["catch"].nodes) & catch
    assert runs["default"].graph["left_out"] and runs["catch"].graph["left_out"] == ""
    assert "BH" not in runs["default"].graph["filter"]  # --alpha none
    # Headings add paragraphs and codes: the graph with them has more support somewhere.
    d, h = runs["default"], runs["heads"]
    assert sum(d.nodes[n]["units"] for n in d) < sum(h.nodes[n]["units"] for n in h)
    pc = tmp_path / "pc.graphml"
    pc_heads = tmp_path / "pc_heads.graphml"
    assert main(["network", "--kind", "problem-cause", "--min-articles", "1", "--out",
                 str(pc)]) == 0  # fmt: skip
    assert main(["network", "--kind", "problem-cause", "--min-articles", "1",
                 "--include-headings", "--out", str(pc_heads)]) == 0  # fmt: skip
    assert read_graph(pc).number_of_edges() < read_graph(pc_heads).number_of_edges()
    with pytest.raises(SystemExit) as bad:
        main(["network", "--alpha", "2", "--out", str(tmp_path / "x.gexf")])
    assert bad.value.code == 2 and "alpha must be in (0, 1]" in capsys.readouterr().err
    assert main(["network", "--support", "units", "--out", str(tmp_path / "u.gexf")]) == 0
    assert "support ≥ 2 units" in read_graph(tmp_path / "u.gexf").graph["filter"]
    capsys.readouterr()


@pytest.mark.parametrize("flag", ["--top", "--min-support", "--min-articles"])
@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_cli_counts_below_one_are_refused_not_an_empty_network(tmp_path, capsys, flag, value):
    # --top 0 and -1 kept no edge, --min-support 0 was recorded as "support ≥ 0": silently.
    out = tmp_path / "net.gexf"
    with pytest.raises(SystemExit) as exit_:
        main(["network", flag, value, "--out", str(out)])
    assert exit_.value.code == 2 and not out.exists()
    assert f"argument {flag}: give a whole number of 1 or more, not {value}" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(("argv", "said"), [
    (["--min-articles", "10"], "--min-articles applies to --kind problem-cause only"),
    (["--kind", "problem-cause", "--measure", "npmi", "--top", "3"],
     "--measure, --top apply to the co-occurrence network only"),
    (["--kind", "problem-cause", "--min-support", "4"], "--min-support applies to the co-occ"),
])
def test_cli_an_option_of_the_other_kind_is_refused_not_ignored(tmp_path, capsys, argv, said):
    """--min-articles 10 on a co-occurrence network (or --measure, --top on a problem-cause
    one) was ignored without a word: the network drawn was not the one asked for."""
    from workbench.cli import main

    assert main(["network", *argv, "--out", str(tmp_path / "n.graphml")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "n.graphml").exists()


def test_cli_codes_csv_saved_again_by_excel_is_read(tmp_path, capsys):
    """A codes CSV opened and saved in Excel on a Chinese Windows (GBK, or ';' in a European
    locale) stopped network with "'utf-8' codec can't decode byte 0xcf", naming no file."""
    from workbench.cli import main

    codes = tmp_path / "codes.csv"
    assert main(["code", "--unit", "paragraph", "--out", str(codes)]) == 0
    assert main(["network", "--codes", str(codes), "--out", str(tmp_path / "a.gexf")]) == 0
    expected = read_graph(tmp_path / "a.gexf")
    for name in ("codes.csv", "codes.units.csv"):
        table = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        table.to_csv(tmp_path / name, index=False, encoding="gbk", sep=";")
    capsys.readouterr()
    assert main(["network", "--codes", str(codes), "--out", str(tmp_path / "b.gexf")]) == 0
    again = read_graph(tmp_path / "b.gexf")
    assert sorted(again.edges) == sorted(expected.edges)
    (tmp_path / "codes.csv").write_bytes(b"\x00\x01binary")
    assert main(["network", "--codes", str(codes), "--out", str(tmp_path / "c.gexf")]) == 2
    err = capsys.readouterr().err
    assert "codes.csv: looks like a binary file" in err and "(a codes table)" in err


def test_cli_json_without_a_file_to_write_says_what_to_give(capsys):
    """`workbench network --json` alone was refused with 'give --out FILE and/or --html
    PAGE.html', not saying that --json prints the network written there."""
    assert main(["network", "--json"]) == 2
    err = capsys.readouterr().err
    assert ("give --out FILE.gexf|.graphml|.csv and/or --html PAGE.html (--json prints the "
            "network written there)") in err
    assert main(["network"]) == 2
    assert "--json" not in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["cooccurrence", "problem-cause"])
def test_a_network_shows_what_it_holds_not_an_address(graphs, kind, tmp_path, seeds):
    # A notebook cell ending in a graph showed "<networkx.classes.graph.Graph object at
    # 0x7f…>": nothing of the network, and text that changes on every run.
    g = graphs[kind]
    shown = repr(g)
    assert " at 0x" not in shown
    assert shown.startswith(f"{kind} network of codes")
    assert f": {g.number_of_nodes()} codes, {g.number_of_edges()} edges; " in shown
    assert shown.endswith(g.graph["filter"])
    back = read_graph(write_graph(g, tmp_path / "g.graphml", seeds.checksums(), {}))
    assert repr(back) == shown and back.is_directed() == g.is_directed()
    assert list(back.nodes) == list(g.nodes)  # in the order written
