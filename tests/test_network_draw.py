"""The layered cause → problem → countermeasure figure: columns, labels, caption, font."""

from __future__ import annotations

import itertools
import warnings

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx

from workbench import plotting
from workbench.coding.codebook import load_codebook
from workbench.network.draw import (
    draw_problem_cause,
    layered_caption,
    layered_layout,
)
from workbench.network.graph import codebook_meta
from workbench.network.problem_cause import assertions, problem_cause_graph

COLUMNS = {"cause": 0, "problem": 1, "countermeasure": 2}


@pytest.fixture(scope="module")
def pairs(seeds):
    return assertions(seeds.analysis_segments(), load_codebook())


@pytest.fixture(scope="module")
def meta():
    return codebook_meta(load_codebook())


def _by_gid(fig, prefix):
    ax = fig.axes[0]
    return {a.get_gid().split(":", 1)[1] if ":" in a.get_gid() else a.get_gid(): a
            for a in [*ax.texts, *ax.collections] if (a.get_gid() or "").startswith(prefix)}


def test_layout_puts_each_category_in_its_column_in_a_stable_order(pairs, meta):
    g = problem_cause_graph(pairs, meta, min_articles=2)
    pos = layered_layout(g)
    assert set(pos) == set(g.nodes)
    for n, (x, _) in pos.items():
        assert x == COLUMNS[g.nodes[n]["category"]]
    strength = dict(g.degree(weight="weight"))
    for col in COLUMNS.values():
        nodes = sorted((n for n in pos if pos[n][0] == col), key=lambda n: -pos[n][1])
        assert nodes == sorted(nodes, key=lambda n: (-strength[n], n))  # top = strongest
        ys = [pos[n][1] for n in nodes]
        gaps = [a - b for a, b in itertools.pairwise(ys)]
        assert gaps == pytest.approx([gaps[0]] * len(gaps))  # evenly spread
    assert {n: xy.tolist() for n, xy in layered_layout(g).items()} == {
        n: xy.tolist() for n, xy in pos.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("min_articles", [1, 2, 3])
def test_figure_columns_and_labels_do_not_overlap(pairs, meta, lang, min_articles):
    g = problem_cause_graph(pairs, meta, min_articles=min_articles)
    assert g.number_of_nodes() > 8
    fig = draw_problem_cause(g, lang=lang, title="原因→问题→对策" if lang == "zh" else "Title")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        nodes = _by_gid(fig, "node:")
        xs = {}
        for n, coll in nodes.items():
            (x, _), = coll.get_offsets()
            xs.setdefault(g.nodes[n]["category"], set()).add(round(float(x), 9))
        assert all(len(v) == 1 for v in xs.values())  # one x per category
        assert xs["cause"].pop() < xs["problem"].pop() < xs["countermeasure"].pop()
        labels = _by_gid(fig, "label:")
        assert set(labels) == set(g.nodes)
        key = "label_zh" if lang == "zh" else "label_en"
        assert all(t.get_text() == g.nodes[n][key] for n, t in labels.items())
        texts = [t for t in fig.axes[0].texts if t.get_text()]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
            assert not ba.overlaps(bb), (a, b)
        fig_box = fig.bbox
        assert all(fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 for _, b in boxes)  # none cut off
        caption = _by_gid(fig, "caption")["caption"].get_text()
        assert caption == layered_caption(g, lang)
        word = "篇文章" if lang == "zh" else "articles"
        assert f"{min_articles} {word}" in caption
    finally:
        plt.close(fig)


def test_caption_states_the_significance_filter_in_the_figure_language():
    g = nx.DiGraph(filter_min_articles=2, filter_alpha=0.05)
    assert layered_caption(g, "zh").startswith(
        "边: 至少 2 篇文章断言该联系, q ≤ 0.05 (文章层面单侧超几何检验, Benjamini–Hochberg)")
    assert layered_caption(g, "en").startswith(
        "Edges: asserted by ≥ 2 articles, q ≤ .05 (one-sided hypergeometric test over articles, "
        "Benjamini–Hochberg)")
    none = nx.DiGraph(filter_min_articles=3, filter_alpha="")
    assert "未做显著性筛选" in layered_caption(none, "zh")
    assert "no significance filter" in layered_caption(none, "en")
    g.add_node("c", category="cause", label_zh="原因", label_en="Cause", frequency=1)
    g.add_node("p", category="problem", label_zh="问题", label_en="Problem", frequency=1)
    g.add_edge("c", "p", weight=2)
    fig = draw_problem_cause(g, lang="en", note="Headings and catch-all codes left out.")
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert layered_caption(g, "en") + " Headings and catch-all codes left out." in texts
        assert {"Causes", "Problems"} <= set(texts)
    finally:
        plt.close(fig)


def test_chinese_renders_with_the_bundled_font_and_files_are_deterministic(pairs, meta, tmp_path):
    g = problem_cause_graph(pairs, meta, min_articles=3)
    family = plotting.setup_chinese()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would raise
        fig = draw_problem_cause(g, lang="zh", title="原因→问题→对策网络")
        fig.canvas.draw()
    try:
        labels = _by_gid(fig, "label:")
        assert {t.get_fontfamily()[0] for t in labels.values()} == {family}
        a = plotting.savefig(fig, "pc", formats=("png", "svg"), out_dir=tmp_path / "a")
        b = plotting.savefig(fig, "pc", formats=("png", "svg"), out_dir=tmp_path / "b")
    finally:
        plt.close(fig)
    again = draw_problem_cause(g, lang="zh", title="原因→问题→对策网络")
    try:
        c = plotting.savefig(again, "pc", formats=("png", "svg"), out_dir=tmp_path / "c")
    finally:
        plt.close(again)
    for x, y, z in zip(a, b, c, strict=True):
        assert x.read_bytes() == y.read_bytes() == z.read_bytes()


def test_cooccurrence_figure_states_its_filter_in_the_figure_language(seeds):
    from workbench.network.draw import draw_cooccurrence, filter_text
    from workbench.network.graph import EdgeFilter, coding_graph, network_coding

    cb = load_codebook()
    coding = network_coding(seeds.analysis_segments(), cb)
    g = coding_graph(coding, EdgeFilter("jaccard", 2, alpha=0.05), codebook_meta(cb))
    assert filter_text(g, "en") == g.graph["filter"]
    assert filter_text(g, "zh") == "度量=jaccard; 支持度 ≥ 2 篇文章; BH q ≤ 0.05 (单侧超几何检验)"
    pc = problem_cause_graph(assertions(seeds.analysis_segments(), cb), min_articles=3)
    assert filter_text(pc, "zh") == "文章数 ≥ 3" and filter_text(pc, "en") == pc.graph["filter"]
    fig = draw_cooccurrence(g, lang="zh")
    try:
        assert fig.texts[-1].get_text() == "筛选条件: " + filter_text(g, "zh")
    finally:
        plt.close(fig)


def test_a_codebook_of_ones_own_is_drawn_by_its_parts_labels_and_colours(seeds, tmp_path):
    from matplotlib.colors import to_hex
    from own_codebook import OWN_CODEBOOK, write_own_codebook

    from workbench.network.draw import (
        CATEGORY_COLOURS,
        EXTRA_COLOURS,
        draw_cooccurrence,
        graph_colours,
    )
    from workbench.network.graph import EdgeFilter, coding_graph, network_coding

    # `remedy` declared first: the columns follow the parts, the colours the declaration
    raw = yaml.safe_load(OWN_CODEBOOK)
    raw["categories"] = {"remedy": raw["categories"].pop("remedy"), **raw["categories"]}
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    own = load_codebook(write_own_codebook(tmp_path, text))
    assert list(own.categories) == ["remedy", "grievance", "explanation", "actor"]
    seg = seeds.analysis_segments()
    g = problem_cause_graph(assertions(seg, own), codebook_meta(own), min_articles=1)
    pos = layered_layout(g, categories=own.categories)
    column = {"explanation": 0, "grievance": 1, "remedy": 2}
    assert all(x == column[g.nodes[n]["category"]] for n, (x, _) in pos.items())
    # without the codebook (a graph read back from a file) the edges' relations give
    # the parts: categories whose names sort against the parts still get their columns
    renamed = g.copy()
    names = {"explanation": "z_why", "grievance": "m_harm", "remedy": "a_act"}
    for _, d in renamed.nodes(data=True):
        d["category"] = names[d["category"]]
    column_by_name = {names[c]: x for c, x in column.items()}
    assert all(x == column_by_name[renamed.nodes[n]["category"]]
               for n, (x, _) in layered_layout(renamed).items())  # fmt: skip
    palette = graph_colours(g, own.categories)
    assert [palette[c] for c in ("remedy", "grievance", "explanation")] == list(EXTRA_COLOURS[:3])
    for lang, headers in (("en", ["Explanation", "Grievance", "Remedy"]),
                          ("zh", ["解释", "诉求", "补救"])):  # fmt: skip
        fig = draw_problem_cause(g, lang=lang, categories=own.categories)
        try:
            texts = _by_gid(fig, "header")
            assert [texts[c].get_text() for c in column] == headers
            node = _by_gid(fig, "node")["R_educate"]
            assert to_hex(node.get_facecolor()[0]) == palette["remedy"].lower()
        finally:
            plt.close(fig)
    # the co-occurrence graph colours every category, actor (no part) too, and names
    # them in the legend by their labels
    co = coding_graph(network_coding(seg, own), EdgeFilter("count", 1), codebook_meta(own))
    assert {d["category"] for _, d in co.nodes(data=True)} >= {"actor", "grievance"}
    fig = draw_cooccurrence(co, lang="en", categories=own.categories)
    try:
        legend = {t.get_text(): to_hex(h.get_facecolor()[0]) for t, h in zip(
            fig.axes[0].get_legend().get_texts(), fig.axes[0].get_legend().legend_handles,
            strict=True)}  # fmt: skip
    finally:
        plt.close(fig)
    assert legend["Actor"] == EXTRA_COLOURS[3].lower() and legend["Grievance"] == (
        EXTRA_COLOURS[1].lower())
    assert not set(legend.values()) & set(CATEGORY_COLOURS.values())
    # without the codebook: the default four as built in, the others by id, sorted
    fig = draw_cooccurrence(co, lang="en")
    try:
        names = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    finally:
        plt.close(fig)
    assert names == sorted(names) and "actor" in names


def test_the_bundled_categories_draw_the_same_with_or_without_the_codebook(pairs, meta):
    cb = load_codebook()
    g = problem_cause_graph(pairs, meta, min_articles=2)
    a = {n: xy.tolist() for n, xy in layered_layout(g).items()}
    assert a == {n: xy.tolist() for n, xy in layered_layout(g, categories=cb.categories).items()}
    for lang in ("zh", "en"):
        figs = [draw_problem_cause(g, lang=lang), draw_problem_cause(g, lang=lang,
                                                                     categories=cb.categories)]
        try:
            heads = [[t.get_text() for t in _by_gid(f, "header").values()] for f in figs]
            assert heads[0] == heads[1]
            assert heads[0] == (["原因", "问题", "对策"] if lang == "zh" else
                                ["Causes", "Problems", "Countermeasures"])  # fmt: skip
        finally:
            for f in figs:
                plt.close(f)
