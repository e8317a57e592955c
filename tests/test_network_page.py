"""Tests for workbench.network.page: the explorable network page, in Python and in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.coding.codebook import load_codebook
from workbench.network.graph import EdgeFilter, codebook_meta, coding_graph, network_coding
from workbench.network.page import evidence_ids, evidence_texts, network_page, page_data
from workbench.network.problem_cause import assertions, problem_cause_graph

WORKBENCH = str(Path(sys.executable).with_name("workbench"))  # installed beside the interpreter


@pytest.fixture(scope="module")
def graphs(seeds):
    cb = load_codebook()
    meta = codebook_meta(cb)
    seg = seeds.segments
    co = coding_graph(network_coding(seg, cb, "paragraph"), EdgeFilter("jaccard", 2, alpha=0.05),
                      meta)  # fmt: skip
    pc = problem_cause_graph(assertions(seg, cb), meta, min_articles=3)
    return {"co": co, "pc": pc, "segments": seg}


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="wb-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_page_holds_every_node_and_edge_with_original_script_quotes(graphs):
    g, seg = graphs["co"], graphs["segments"]
    assert g.number_of_edges() > 5
    texts = evidence_texts(seg, sorted(evidence_ids(g)))
    data = page_data(g, texts)
    assert {n["id"] for n in data["nodes"]} == set(g.nodes)
    assert {tuple(sorted((e["from"], e["to"]))) for e in data["edges"]} == {
        tuple(sorted(e)) for e in g.edges
    }
    orig = dict(zip(seg["segment_id"], seg["text_orig"], strict=True))
    traditional = 0
    for e in data["edges"]:
        ev = g.edges[e["from"], e["to"]]["evidence"].split("; ")
        assert [q["id"] for q in e["quotes"]] == ev[: len(e["quotes"])]
        for q in e["quotes"]:
            # A paragraph's quote is its segments' original text, in order.
            parts = [t for s, t in orig.items() if s.startswith(q["id"] + "/")]
            assert parts and q["text"].rstrip("…") == "".join(parts)[: len(q["text"].rstrip("…"))]
            traditional += "關" in q["text"] or "幹" in q["text"]
    assert traditional, "the seeds' Traditional article should be quoted in its own script"
    # A node lists quotes of its own links, strongest first.
    for n in data["nodes"]:
        mine = {q["id"] for e in data["edges"] if n["id"] in (e["from"], e["to"])
                for q in e["quotes"]}  # fmt: skip
        assert n["quotes"] and {q["id"] for q in n["quotes"]} <= mine


def test_problem_cause_quotes_are_segment_pairs(graphs):
    g, seg = graphs["pc"], graphs["segments"]
    data = page_data(g, evidence_texts(seg, sorted(evidence_ids(g))), lang="en")
    assert data["directed"] and len(data["edges"]) == g.number_of_edges()
    first = data["edges"][0]
    a, b = first["quotes"][0]["id"].split(" → ")
    orig = dict(zip(seg["segment_id"], seg["text_orig"], strict=True))
    assert first["quotes"][0]["text"] == f"{orig[a]} → {orig[b]}"[: len(first["quotes"][0]["text"])]
    assert {c["label"] for c in data["legend"]} <= {"Cause", "Problem", "Countermeasure",
                                                     "Liaison mechanism"}  # fmt: skip


def test_page_is_self_contained_and_deterministic(graphs):
    g, seg = graphs["co"], graphs["segments"]
    texts = evidence_texts(seg, sorted(evidence_ids(g)))
    page = network_page(g, texts)
    assert page == network_page(g, texts)
    # Nothing is fetched: no external script, style, font or image.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "@font-face" in page and "data:font/otf;base64," in page
    assert _data(page)["edges"] and "vis.Network" in page
    # A quote with "</script>" in it cannot end the data block early.
    texts = {k: v + "</script><b>x</b>" for k, v in texts.items()}
    assert _data(network_page(g, texts))["edges"][0]["quotes"][0]["text"].endswith("</b>")


def test_cli_writes_the_page_with_provenance(tmp_path):
    out = tmp_path / "net.html"
    done = subprocess.run([WORKBENCH, "network", "--html", str(out),
                           "--json"], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["files"] == [str(out)]
    record = json.loads((tmp_path / "net.html.provenance.json").read_text(encoding="utf-8"))
    assert record["parameters"]["lang"] == "zh" and record["inputs"]
    assert len(_data(out.read_text(encoding="utf-8"))["edges"]) == payload["n_edges"]
    for bad, says in ((["--html", str(tmp_path / "net.png")], "PAGE.html"),
                      ([], "--out FILE.gexf|.graphml|.csv and/or --html PAGE.html")):  # fmt: skip
        done = subprocess.run([WORKBENCH, "network", *bad],
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- browser

_EDGE_TO_CLICK = """
const net = wbNetwork.network, box = document.getElementById("graph").getBoundingClientRect();
const pos = net.getPositions();
const dom = (p) => net.canvasToDOM(p);
let best = null;
for (const e of wbNetwork.data.edges) {
  const a = pos[e.from], b = pos[e.to];
  const m = dom({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2});
  // Far from every node, so that the click lands on the edge alone.
  const gap = Math.min(...Object.values(pos).map((p) => {
    const d = dom(p); return Math.hypot(d.x - m.x, d.y - m.y);
  }));
  if (m.x > 5 && m.y > 5 && m.x < box.width - 5 && m.y < box.height - 5 &&
      (best === null || gap > best.gap)) best = {id: e.id, x: m.x, y: m.y, gap: gap};
}
let node = null;
for (const n of wbNetwork.data.nodes) {
  const p = dom(pos[n.id]);
  const gap = Math.min(...Object.keys(pos).filter((k) => k !== n.id).map((k) => {
    const d = dom(pos[k]); return Math.hypot(d.x - p.x, d.y - p.y);
  }));
  if (p.x > 20 && p.y > 20 && p.x < box.width - 20 && p.y < box.height - 20 &&
      (node === null || gap > node.gap)) node = {id: n.id, x: p.x, y: p.y, gap: gap};
}
return {edge: best, node: node, width: box.width, height: box.height};
"""


def _click(browser, x: float, y: float) -> None:
    """A real mouse click at ``(x, y)`` in the graph's canvas (pixels from its corner)."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    box = browser.execute_script(
        "const b = document.getElementById('graph').getBoundingClientRect(); return [b.x, b.y]"
    )
    action = ActionBuilder(browser)
    action.pointer_action.move_to_location(round(box[0] + x), round(box[1] + y))
    action.pointer_action.click()
    action.perform()


def _open(browser, path) -> None:
    browser.get(path.resolve().as_uri())
    for _ in range(100):
        if browser.execute_script("return document.body.dataset.ready") == "true":
            return
        time.sleep(0.05)
    raise AssertionError(f"{path.name} did not finish drawing")


@pytest.mark.parametrize("kind", ["co", "pc"])
def test_page_in_chromium(graphs, browser, tmp_path, kind):
    """Loads with no console errors, draws every node and edge; clicks list the quotes."""
    from conftest import console_errors

    g, seg = graphs[kind], graphs["segments"]
    path = tmp_path / f"{kind}.html"
    path.write_text(network_page(g, evidence_texts(seg, sorted(evidence_ids(g)))),
                    encoding="utf-8")  # fmt: skip
    data = page_data(g, evidence_texts(seg, sorted(evidence_ids(g))))
    console_errors(browser)
    _open(browser, path)
    counts = browser.execute_script(
        "return [document.body.dataset.nodes, document.body.dataset.edges,"
        " document.body.dataset.edgesShown]"
    )
    n_edges = str(g.number_of_edges())
    assert counts == [str(g.number_of_nodes()), n_edges, n_edges]  # all edges shown at first
    assert browser.execute_script(
        "return document.fonts.check('14px \"Workbench Noto Sans CJK SC\"', '干群')"
    )

    where = browser.execute_script(_EDGE_TO_CLICK)
    edge = next(e for e in data["edges"] if e["id"] == where["edge"]["id"])
    _click(browser, where["edge"]["x"], where["edge"]["y"])
    side = browser.find_element("id", "side").text
    assert edge["quotes"][0]["id"] in side
    assert edge["quotes"][0]["text"][:20] in side

    node = next(n for n in data["nodes"] if n["id"] == where["node"]["id"])
    _click(browser, where["node"]["x"], where["node"]["y"])
    side = browser.find_element("id", "side").text
    assert node["label"] in side and node["quotes"][0]["id"] in side

    # The slider at its top keeps only the strongest edges.
    top = max(e["value"] for e in data["edges"])
    shown = browser.execute_script(
        "const s = document.getElementById('min-weight'); s.value = s.max;"
        " s.dispatchEvent(new Event('input')); return document.body.dataset.edgesShown"
    )
    assert shown == str(sum(e["value"] == top for e in data["edges"]))
    assert console_errors(browser) == []


NOTEBOOK = """\
import networkx as nx
from workbench import config
from workbench.network.export import write_page
from workbench.network.page import show_page
g = nx.Graph(filter="support ≥ 1 article")
g.add_node("P_formalism", label_zh="形式主义", label_en="Formalism", category="problem",
           frequency=3)
g.add_node("C_purpose", label_zh="宗旨意识淡化", label_en="Purpose", category="cause", frequency=2)
g.add_edge("P_formalism", "C_purpose", weight=0.5, count=2, evidence="f/a1/p001")
page = write_page(g, config.FIGURES_DIR / "demo-network.html", {"f/a1/p001": "走過場"}, {})
show_page(page)
"""


def test_page_shown_inline_in_the_report(browser, workspace):
    """A notebook shows the page in a frame; in the HTML report the frame draws it."""
    import nbformat
    from conftest import console_errors

    from workbench import config, report

    root = workspace
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 网络"),
                                         nbformat.v4.new_code_cell(NOTEBOOK)])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nbformat.write(nb, config.NOTEBOOKS_DIR / "01_net.ipynb")
    page = report.build_report()[0]
    assert page.parent == root / "reports"
    console_errors(browser)
    browser.get(page.resolve().as_uri())
    frame = browser.find_element("tag name", "iframe")
    browser.switch_to.frame(frame)
    try:
        for _ in range(100):
            if browser.execute_script("return document.body.dataset.ready") == "true":
                break
            time.sleep(0.05)
        assert browser.execute_script("return document.body.dataset.edges") == "1"
    finally:
        browser.switch_to.default_content()
    assert console_errors(browser) == []


def test_page_of_a_codebook_of_ones_own_names_and_colours_its_categories(seeds, tmp_path):
    from own_codebook import write_own_codebook

    from workbench.cli import main
    from workbench.network.draw import EXTRA_COLOURS

    path = write_own_codebook(tmp_path)
    own = load_codebook(path)
    pc = problem_cause_graph(assertions(seeds.segments, own), codebook_meta(own))
    data = page_data(pc, {}, lang="en", categories=own.categories)
    legend = {c["category"]: (c["label"], c["color"]) for c in data["legend"]}
    assert legend == {"grievance": ("Grievance", EXTRA_COLOURS[0]),
                      "explanation": ("Explanation", EXTRA_COLOURS[1]),
                      "remedy": ("Remedy", EXTRA_COLOURS[2])}  # fmt: skip
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x["E_thought"] < x["G_style"] < x["R_educate"]  # cause, problem, countermeasure
    page = tmp_path / "pc.html"
    assert main(["network", "--kind", "problem-cause", "--codebook", str(path),
                 "--min-articles", "1", "--html", str(page), "--lang", "zh"]) == 0  # fmt: skip
    legend = {c["category"]: c["label"] for c in _data(page.read_text(encoding="utf-8"))["legend"]}
    assert legend == {"grievance": "诉求", "explanation": "解释", "remedy": "补救"}


def test_page_speaks_its_language_and_lists_categories_as_declared(graphs):
    """The filter line was the stored English string on a Chinese page, and the legend
    listed the categories alphabetically (actor before problem) whatever the codebook said."""
    import networkx as nx

    co = graphs["co"]
    zh = page_data(co, {}, lang="zh")["filter"]
    assert zh.startswith("度量=jaccard; 支持度 ≥ 2 篇文章") and "单侧超几何检验" in zh
    assert page_data(co, {}, lang="en")["filter"] == co.graph["filter"]
    g = nx.Graph(filter="support ≥ 1 article")
    for n, cat in (("A", "actor"), ("P", "problem"), ("M", "countermeasure")):
        g.add_node(n, label_zh=n, label_en=n, category=cat, frequency=1)
    g.add_edge("A", "P", weight=1.0, count=1, evidence="")
    g.add_edge("A", "M", weight=1.0, count=1, evidence="")
    declared = {c: {"label_zh": c, "label_en": c} for c in ("problem", "countermeasure", "actor")}
    legend = [c["category"] for c in page_data(g, {}, categories=declared)["legend"]]
    assert legend == ["problem", "countermeasure", "actor"]
    # without the codebook's categories: sorted, as before; an old graph keeps its filter string
    assert [c["category"] for c in page_data(g, {})["legend"]] == ["actor", "countermeasure",
                                                                    "problem"]  # fmt: skip
    assert page_data(g, {})["filter"] == "support ≥ 1 article"


def test_an_empty_network_says_why_on_the_page_in_its_language(graphs):
    """An empty network's page was blank: which filter emptied it, and what would show
    links, was only on the command line and in --json."""
    seg, cb = graphs["segments"], load_codebook()
    meta = codebook_meta(cb)
    co = coding_graph(network_coding(seg, cb, "paragraph"), EdgeFilter("jaccard", 99), meta)
    pc = problem_cause_graph(assertions(seg, cb), meta, min_articles=99)
    for g, option in ((co, "--min-support"), (pc, "--min-articles")):
        assert g.number_of_edges() == 0
        zh, en = network_page(g, lang="zh"), network_page(g, lang="en")
        said_zh = re.search(r'<p class="empty" id="no-edges"[^>]*>(.*?)</p>', zh).group(1)
        said_en = re.search(r'<p class="empty" id="no-edges"[^>]*>(.*?)</p>', en).group(1)
        assert said_zh.startswith("此网络没有边：") and f"用 {option} " in said_zh
        assert "可显示" in said_zh and "shows" not in said_zh
        assert said_en == f"This network has no edges: {g.graph['no_edges']}."
        assert f"{option} " in said_en
        assert _data(zh)["no_edges"] == said_zh  # the side panel says it too
        assert zh.count(said_zh) >= 2
    # a network with edges has no such line
    assert 'id="no-edges"' not in network_page(graphs["co"])
