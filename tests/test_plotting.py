"""Tests for workbench.plotting: CJK fonts, reproducible savefig, bilingual labels."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from workbench import config, plotting

TEXTS = {
    "simplified": ("干群关系 宗旨意识淡化", ["问题", "原因", "对策", "其他"]),
    "traditional": ("幹群關係 密切聯繫群眾", ["問題", "原因", "對策", "其他"]),
}
CJK_FAMILIES = set(plotting.SYSTEM_FONTS["simplified"]) | set(plotting.SYSTEM_FONTS["traditional"])


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with matplotlib.rc_context():
        yield
    plt.close("all")


@pytest.fixture
def figures_dir(tmp_path, monkeypatch):
    folder = tmp_path / "figures"
    monkeypatch.setattr(config, "FIGURES_DIR", folder)
    return folder


def _font_file(family: str):
    """The font file matplotlib resolves ``family`` to (no fallback to DejaVu)."""
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    return font_manager.get_font(path)


def _make_figure(script: str):
    title, categories = TEXTS[script]
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(categories, [5, -3, 4, 1], label=plotting.label("count"))
    ax.set_title(title)
    ax.set_xlabel(plotting.label("role"))
    ax.set_ylabel(f"{plotting.label('count')} ({plotting.label('count', 'en')})")
    ax.legend(title=plotting.label("share"))
    fig.suptitle(plotting.label(script))
    return fig, ax


def test_import_does_not_load_matplotlib(eager_imports):
    assert eager_imports("workbench.plotting", "matplotlib", "yaml") == set()


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_setup_chinese_configures_a_cjk_font(script):
    family = plotting.setup_chinese(script)
    assert family == plotting.cjk_font_family(script)
    assert family in CJK_FAMILIES
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["font.sans-serif"] == [family, "DejaVu Sans"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    # The family really resolves to a font with the glyphs of that script.
    font = _font_file(family)
    title, _ = TEXTS[script]
    for char in title.replace(" ", ""):
        assert font.get_char_index(ord(char)) != 0, (family, char)


def test_traditional_prefers_tc_face():
    family = plotting.setup_chinese("traditional")
    assert family in plotting.SYSTEM_FONTS["traditional"]
    if family == plotting.PACKAGED_FAMILIES["traditional"]:
        assert _font_file(family).family_name == "Noto Sans CJK TC"


def test_setup_chinese_is_idempotent():
    first = plotting.setup_chinese()
    n_fonts = len(font_manager.fontManager.ttflist)
    assert plotting.setup_chinese() == first
    assert plotting.setup_chinese("traditional")
    assert plotting.setup_chinese() == first
    assert len(font_manager.fontManager.ttflist) == n_fonts


def test_setup_chinese_rejects_unknown_script():
    with pytest.raises(ValueError, match="klingon"):
        plotting.setup_chinese("klingon")


def test_mixed_script_uses_simplified_face():
    assert plotting.cjk_font_family("mixed") == plotting.cjk_font_family("simplified")


def test_packaged_font_is_found():
    path = plotting.packaged_font_path()
    assert path is not None and path.name == "NotoSansCJK-Regular.ttc" and path.is_file()


def test_system_fonts_are_preferred(monkeypatch):
    monkeypatch.setattr(plotting, "_available_families", lambda: {"DejaVu Sans", "SimHei"})
    assert plotting.cjk_font_family("simplified") == "SimHei"
    # Traditional text: the packaged TC face beats a Simplified-style system font ...
    assert plotting.cjk_font_family("traditional") == "Noto Sans CJK TC"
    # ... which is used only when the package is missing.
    monkeypatch.setattr(plotting, "packaged_font_path", lambda: None)
    assert plotting.cjk_font_family("traditional") == "SimHei"
    monkeypatch.setattr(plotting, "_available_families", lambda: {"PingFang TC"})
    assert plotting.cjk_font_family("traditional") == "PingFang TC"
    monkeypatch.setattr(plotting, "_available_families", lambda: {"DejaVu Sans"})
    with pytest.raises(RuntimeError, match="noto-cjk-sans-otc"):
        plotting.cjk_font_family()


def test_missing_glyph_warning_is_detected_without_setup():
    """Control: the glyph check below is live -- DejaVu Sans alone must warn."""
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    fig, ax = plt.subplots()
    ax.set_title(TEXTS["simplified"][0])
    with pytest.warns(UserWarning, match="missing from font"):
        fig.canvas.draw()


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_render_chinese_without_missing_glyphs(script, figures_dir):
    plotting.setup_chinese(script)
    with warnings.catch_warnings():
        # Any warning -- in particular "Glyph ... missing from font(s)" -- fails.
        warnings.simplefilter("error")
        fig, _ = _make_figure(script)
        fig.canvas.draw()
        paths = plotting.savefig(fig, f"demo_{script}", formats=("png", "svg", "pdf"))
    assert [p.name for p in paths] == [f"demo_{script}.{ext}" for ext in ("png", "svg", "pdf")]
    assert all(p.parent == figures_dir and p.stat().st_size > 0 for p in paths)
    assert paths[0].read_bytes().startswith(b"\x89PNG")
    # Text was drawn with the CJK font (SVG text is stored as glyph paths named
    # after the font).
    family = matplotlib.rcParams["font.sans-serif"][0]
    svg = paths[1].read_text(encoding="utf-8")
    assert _font_file(family).postscript_name.split("-")[0] in svg


def test_simplified_and_traditional_faces_differ():
    sc = plotting.setup_chinese("simplified")
    tc = plotting.setup_chinese("traditional")
    if sc == tc:
        pytest.skip("same font for both scripts on this system")

    def pixels(family):
        fig = plt.figure(figsize=(1, 1), dpi=50)
        fig.text(0.1, 0.3, "骨", family=family, size=30)
        fig.canvas.draw()
        data = np.asarray(fig.canvas.buffer_rgba()).copy()
        plt.close(fig)
        return data

    assert not np.array_equal(pixels(sc), pixels(tc))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_savefig_is_byte_identical(fmt, tmp_path):
    plotting.setup_chinese()
    fig, _ = _make_figure("simplified")
    first = plotting.savefig(fig, "roles", formats=fmt, out_dir=tmp_path / "a")[0].read_bytes()
    second = plotting.savefig(fig, "roles", formats=fmt, out_dir=tmp_path / "b")[0].read_bytes()
    assert first == second
    plt.close(fig)
    # A freshly built identical figure gives the same bytes too.
    fig, _ = _make_figure("simplified")
    third = plotting.savefig(fig, "roles", formats=[fmt], out_dir=tmp_path / "c")[0].read_bytes()
    assert third == first
    if fmt == "png":
        assert b"Software" not in first
    if fmt == "svg":
        assert b"<dc:date>" not in first
    if fmt == "pdf":
        assert b"CreationDate" not in first and b"ModDate" not in first


def test_savefig_writes_a_sidecar_per_file_only_with_a_record(tmp_path):
    """The notebooks' figures carry their provenance: one identical sidecar beside each
    format's file, the same bytes on every save; none without a record."""
    from workbench.provenance import file_checksums, make_record, read_record

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    record = make_record(file_checksums([config.CODEBOOK]), {"notebook": "t", "lang": "zh"})
    paths = plotting.savefig(fig, "line", formats=("png", "svg"), out_dir=tmp_path / "a",
                             record=record)  # fmt: skip
    sides = [p.with_name(p.name + ".provenance.json") for p in paths]
    assert [read_record(p) for p in paths] == [record, record]
    again = plotting.savefig(fig, "line", out_dir=tmp_path / "b", record=record)[0]
    assert again.with_name("line.png.provenance.json").read_bytes() == sides[0].read_bytes()
    bare = plotting.savefig(fig, "line", out_dir=tmp_path / "c")[0]
    assert sorted(p.name for p in bare.parent.iterdir()) == ["line.png"]
    plt.close(fig)


def test_savefig_defaults_to_config_figures_dir(figures_dir):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    (path,) = plotting.savefig(fig, "line")
    assert path == figures_dir / "line.png"
    assert path.is_file()
    assert matplotlib.rcParams["svg.hashsalt"] is None  # restored after saving


@pytest.mark.parametrize("name", ["", "sub/fig", "../fig", "fig.png", "fig.SVG"])
def test_savefig_rejects_bad_names(name, tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError):
        plotting.savefig(fig, name, out_dir=tmp_path)


def test_savefig_rejects_unknown_format(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="jpg"):
        plotting.savefig(fig, "fig", formats=("png", "jpg"), out_dir=tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("key", "zh", "en"),
    [
        ("problem", "问题", "Problem"),
        ("cause", "原因", "Cause"),
        ("countermeasure", "对策", "Countermeasure"),
        ("other", "其他", "Other"),
        ("simplified", "简体", "Simplified"),
        ("traditional", "繁体", "Traditional"),
        ("mixed", "混合", "Mixed"),
        ("file", "文件", "File"),
        ("article", "文章", "Article"),
        ("segments", "句子数", "Segments"),
        ("characters", "字数", "Characters"),
        ("count", "频数", "Count"),
        ("role", "角色", "Role"),
        ("term", "词语", "Term"),
        ("share", "比例", "Share"),
        ("duplicate", "重复", "Duplicate"),
        ("boilerplate", "网页冗余", "Boilerplate"),
    ],
)
def test_label(key, zh, en):
    assert plotting.label(key) == zh
    assert plotting.label(key, "zh") == zh
    assert plotting.label(key, lang="en") == en


def test_label_unknown_key_lists_known_keys():
    with pytest.raises(KeyError, match="no_such_key") as excinfo:
        plotting.label("no_such_key")
    message = str(excinfo.value)
    assert "problem" in message and "boilerplate" in message


def test_label_rejects_unknown_language():
    with pytest.raises(ValueError, match="'fr'"):
        plotting.label("problem", "fr")
    with pytest.raises(ValueError):
        plotting.labels("zh-TW")


def test_label_table_is_complete():
    zh, en = plotting.labels("zh"), plotting.labels("en")
    assert zh.keys() == en.keys()
    assert all(isinstance(v, str) and v for v in (*zh.values(), *en.values()))
    assert len(set(zh.values())) == len(zh)  # no two keys share a Chinese label


def _body_lengths(folder):
    from workbench.corpus import load_corpus

    seg = load_corpus([str(folder)]).analysis_segments()
    body = seg[~seg["is_heading"]]
    return body["text"].str.len(), body["role"]


def test_boxplot_by_group_has_a_box_per_role_with_sentences(tmp_path):
    (tmp_path / "报告.txt").write_text(
        "关于干群关系的调查\n一、存在的问题\n有的干部很少到村里去，群众有事找不到人。\n"
        "二、原因分析\n有的干部怕麻烦。\n三、对策建议\n干部要常到村里走一走，多听群众说话。\n",
        encoding="utf-8",
    )
    lengths, roles = _body_lengths(tmp_path)
    order = ["problem", "cause", "countermeasure", "other"]
    fig = plotting.boxplot_by_group(lengths, roles, order, lang="en", ylabel="characters")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == [plotting.label(r, "en") for r in ("problem", "cause", "countermeasure")]
    assert fig.axes[0].get_ylabel() == plotting.label("characters", "en")
    plt.close(fig)


def test_boxplot_by_group_draws_nothing_for_a_one_line_file(tmp_path):
    (tmp_path / "a.txt").write_text("hi\n", encoding="utf-8")
    lengths, roles = _body_lengths(tmp_path)
    before = plt.get_fignums()
    assert plotting.boxplot_by_group(lengths, roles, ["problem", "other"]) is None
    assert plt.get_fignums() == before  # no empty figure left open either
