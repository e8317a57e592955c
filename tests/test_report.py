"""Tests for workbench.report: execute notebooks on a kernel and export HTML."""

from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys

import nbformat
import pytest

from workbench import config, report

TITLE = "干群关系测试报告"
PRINTED = "密切联系群众，幹群關係"

CODE = """\
import warnings
warnings.simplefilter("error")  # a missing CJK glyph would fail the notebook
import matplotlib.pyplot as plt
from workbench import plotting
plotting.setup_chinese()
print("{printed}")
fig, ax = plt.subplots(figsize=(3, 2))
ax.bar([plotting.label("problem"), plotting.label("countermeasure")], [3, 2])
ax.set_title("干群关系 宗旨意识淡化")
paths = plotting.savefig(fig, "demo_roles")
print([p.name for p in paths])
"""


def _write_notebook(path, cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_import_does_not_load_nbclient(eager_imports):
    assert eager_imports("workbench.report", "nbclient", "nbconvert", "nbformat", "tqdm") == set()


def test_build_report(workspace, capsys):
    nb_path = _write_notebook(
        config.NOTEBOOKS_DIR / "01_demo.ipynb",
        [
            nbformat.v4.new_markdown_cell(f"# {TITLE}\n\nSome introduction."),
            nbformat.v4.new_code_cell(CODE.format(printed=PRINTED)),
        ],
    )
    # Jupyter checkpoints are not reports.
    checkpoints = config.NOTEBOOKS_DIR / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "01_demo-checkpoint.ipynb").write_bytes(nb_path.read_bytes())
    original = nb_path.read_bytes()

    paths = report.build_report(progress=True)

    out = config.REPORTS_DIR
    assert paths == [out / "01_demo.html"]
    page = paths[0].read_text(encoding="utf-8")
    assert PRINTED in page
    assert f"<title>{TITLE}</title>" in page
    assert "data:image/png;base64," in page  # the inline figure is embedded
    assert "demo_roles.png" in page  # printed by the notebook
    # The notebook saved its figure through plotting.savefig into the workspace.
    assert (config.FIGURES_DIR / "demo_roles.png").is_file()
    # The notebook file is untouched (executed in memory only).
    assert nb_path.read_bytes() == original

    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01_demo.html"' in index
    assert TITLE in index
    assert "checkpoint" not in index

    assert "1/1" in capsys.readouterr().err  # progress=True shows a bar


def test_failing_notebook_names_notebook_and_cell(workspace, capsys):
    nb_path = _write_notebook(
        workspace / "notebooks" / "02_broken.ipynb",
        [
            nbformat.v4.new_markdown_cell("# Broken"),
            nbformat.v4.new_code_cell("print('before')"),
            nbformat.v4.new_code_cell("answer = 1 / 0"),
            nbformat.v4.new_code_cell("print('never')"),
        ],
    )
    with pytest.raises(report.NotebookExecutionError) as excinfo:
        report.build_report([nb_path], workspace / "out")
    err = excinfo.value
    message = str(err)
    assert "02_broken.ipynb" in message
    assert "cell 3 of 4" in message
    assert "ZeroDivisionError" in message
    assert "answer = 1 / 0" in message
    assert err.path == nb_path and err.cell_index == 2
    assert err.notebook.cells[1].outputs[0].text == "before\n"
    assert not (workspace / "out" / "02_broken.html").exists()
    # Not a terminal and progress=None: no progress bar.
    assert "02_broken" not in capsys.readouterr().err


def test_duplicate_stems_are_rejected(tmp_path):
    a = tmp_path / "a" / "same.ipynb"
    b = tmp_path / "b" / "same.ipynb"
    with pytest.raises(ValueError, match="same"):
        report.build_report([a, b], tmp_path / "out")
    with pytest.raises(ValueError, match="index"):
        report.build_report([tmp_path / "index.ipynb"], tmp_path / "out")


def test_no_notebooks_writes_empty_index(workspace):
    assert report.build_report() == []
    assert (config.REPORTS_DIR / "index.html").is_file()


def test_unreadable_notebook_is_named(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(report.NotebookExecutionError, match=r"bad\.ipynb could not be read"):
        report.execute_notebook(bad)


def test_cli_report_says_where_the_report_is(workspace, capsys):
    from workbench.cli import main

    _write_notebook(config.NOTEBOOKS_DIR / "01_demo.ipynb",
                    [nbformat.v4.new_markdown_cell(f"# {TITLE}")])  # fmt: skip
    assert main(["report"]) == 0
    captured = capsys.readouterr()
    assert "executing the notebooks" in captured.err
    assert f"open {config.REPORTS_DIR / 'index.html'}" in captured.err
    assert str(config.REPORTS_DIR / "01_demo.html") in captured.out


# --- the embedded CJK font -------------------------------------------------------

_FONT_FACE = re.compile(
    r"@font-face\s*\{[^}]*font-family:\s*\"(?P<family>[^\"]+)\";[^}]*"
    r"src:\s*url\(\"data:font/otf;base64,(?P<data>[A-Za-z0-9+/=]+)\"\)"
)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _embedded_font(page):
    """The family and the decoded font of the page's @font-face rule."""
    from fontTools.ttLib import TTFont

    faces = _FONT_FACE.findall(page)
    assert len(faces) == 1, "one @font-face rule with a data: URL"
    family, data = faces[0]
    return family, TTFont(io.BytesIO(base64.b64decode(data)))


def _assert_page_has_its_font(page):
    family, font = _embedded_font(page)
    assert family == report.EMBEDDED_FONT_FAMILY
    head_end = page.index("</head>")
    assert page.index("@font-face") < head_end  # in the head, after the page's styles
    # The family comes first for body text, headings and tables, also through the
    # Jupyter theme's variables, and is a fallback of the code fonts.
    first = re.escape(f'font-family: "{family}",')
    assert re.search(r"\nbody, h1, h2, h3, h4, h5, h6, table, th, td[^{]*\{ " + first, page)
    assert re.search(r"--jp-content-font-family: " + re.escape(f'"{family}",'), page)
    assert re.search(r"\npre, code[^{]*\{ font-family: [^}]*" + re.escape(f'"{family}"'), page)
    # The Simplified Chinese face of the bundled collection, not JP/KR/TC.
    assert font["name"].getBestFamilyName() == "Noto Sans CJK SC"
    # A glyph for every CJK character of the page, ASCII and CJK punctuation.
    cmap = font.getBestCmap()
    shown = set(_CJK.findall(html.unescape(page[head_end:])))
    assert shown and not {c for c in shown if ord(c) not in cmap}
    assert all(ord(c) in cmap for c in "azAZ09，。、“”《》（）：")
    return font


def test_report_pages_embed_the_cjk_font(workspace):
    _write_notebook(
        config.NOTEBOOKS_DIR / "01_font.ipynb",
        [
            nbformat.v4.new_markdown_cell(
                f"# {TITLE}\n\n## 问题与对策\n\n密切联系群众，**宗旨意识**淡化。"
            ),
            nbformat.v4.new_code_cell(
                "import pandas as pd\n"
                f'print("{PRINTED}")\n'
                'pd.DataFrame({"角色": ["问题", "对策"], "篇数": [3, 2]})'
            ),
        ],
    )
    first = report.build_report(out_dir=workspace / "one")[0]
    page = first.read_text(encoding="utf-8")
    assert PRINTED in page and "<table" in page and "角色" in page
    _assert_page_has_its_font(page)
    index = (workspace / "one" / "index.html").read_text(encoding="utf-8")
    _assert_page_has_its_font(index)
    # Each page has the characters it uses, not those of the other pages.
    index_cmap = _embedded_font(index)[1].getBestCmap()
    assert ord(TITLE[0]) in index_cmap and ord("角") not in index_cmap

    # Reproducible: a second build gives the same bytes.
    report.build_report(out_dir=workspace / "two")
    for name in ("01_font.html", "index.html"):
        assert (workspace / "one" / name).read_bytes() == (workspace / "two" / name).read_bytes()


def test_font_subset_is_reproducible_across_processes():
    text = "干群关系，宗旨意识淡化。幹群關係"
    here = report.cjk_font_subset(text)
    script = (
        "import sys\nfrom workbench.report import cjk_font_subset\n"
        f"sys.stdout.buffer.write(cjk_font_subset({text!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, env=env
    ).stdout
    assert here == there
    # No timestamp of the call: the subset keeps the source face's dates.
    from fontTools.ttLib import TTFont

    assert TTFont(io.BytesIO(here))["head"].modified == TTFont(
        io.BytesIO(report.cjk_font_subset("")))["head"].modified  # fmt: skip
    # Small: a page's handful of characters costs tens of kilobytes, not megabytes.
    assert len(here) < 40_000


def test_embedded_font_covers_entities_and_script_escapes():
    page = (
        "<!DOCTYPE html><html><head><title>t</title></head>"
        "<body><p>&#24178;&#x90E8;群</p><script>var s = '\\u5173\\u7cfb';</script></body></html>"
    )
    embedded = report.embed_cjk_font(page)
    assert embedded.endswith(page[page.index("</head>") :])
    cmap = _embedded_font(embedded)[1].getBestCmap()
    assert all(ord(c) in cmap for c in "干部群关系")
    assert report.embed_cjk_font(page) == embedded


def test_missing_font_package_leaves_pages_readable(monkeypatch):
    from workbench import plotting

    monkeypatch.setattr(plotting, "packaged_font_path", lambda: None)
    page = "<html><head></head><body>干群关系</body></html>"
    with pytest.warns(UserWarning, match="noto-cjk-sans-otc"):
        assert report.embed_cjk_font(page) == page


# What a browser shows: the embedded face is loaded and used for the Chinese text.
_FONT_STATE = """
const done = arguments[arguments.length - 1];
const family = arguments[0];
document.fonts.load(`16px "${family}"`, "干群").then((faces) => {
  const body = getComputedStyle(document.body).fontFamily;
  done({
    loaded: faces.filter((f) => f.status === "loaded").length,
    check: document.fonts.check(`16px "${family}"`, "干群关系"),
    body: body,
    ready: document.readyState,
  });
}, (err) => done({error: String(err)}));
"""


def test_report_pages_render_chinese_in_chromium(workspace, browser):
    """index.html and a notebook page load with no console errors and use the embedded font."""
    from conftest import console_errors

    _write_notebook(
        config.NOTEBOOKS_DIR / "01_browser.ipynb",
        [
            nbformat.v4.new_markdown_cell(f"# {TITLE}\n\n密切联系群众，**宗旨意识**淡化。"),
            nbformat.v4.new_code_cell(CODE.format(printed=PRINTED)),
            nbformat.v4.new_code_cell(
                'import pandas as pd\npd.DataFrame({"角色": ["问题", "对策"], "篇数": [3, 2]})'
            ),
        ],
    )
    out = workspace / "site"
    page = report.build_report(out_dir=out)[0]
    console_errors(browser)  # drop whatever an earlier test left
    for path in (out / "index.html", page):
        browser.get(path.resolve().as_uri())
        state = browser.execute_async_script(_FONT_STATE, report.EMBEDDED_FONT_FAMILY)
        assert state.get("error") is None, (path.name, state)
        assert state["loaded"] >= 1 and state["check"], (path.name, state)
        assert state["body"].startswith(f'"{report.EMBEDDED_FONT_FAMILY}"'), (path.name, state)
        text = browser.find_element("tag name", "body").text
        assert TITLE in text
        assert console_errors(browser) == [], path.name
    assert "角色" in browser.find_element("tag name", "body").text


# --- a report on the user's data: parameters ------------------------------------------


def _parameters_notebook():
    params = nbformat.v4.new_code_cell('CORPUS = None  # the bundled seeds\nLANG = "zh"')
    params.metadata["tags"] = ["parameters"]
    return [
        nbformat.v4.new_markdown_cell(f"# {TITLE}"),
        params,
        nbformat.v4.new_code_cell(
            "from workbench import config\n"
            "print('corpus:', CORPUS)\n"
            "print('figures:', config.FIGURES_DIR)"
        ),
    ]


def test_parameters_reach_the_notebooks_and_outputs_stay_in_out(workspace):
    _write_notebook(config.NOTEBOOKS_DIR / "01_params.ipynb", _parameters_notebook())
    out = workspace / "mine"
    page = report.build_report(out_dir=out, parameters={"CORPUS": ["/data/我的语料"]})[0]
    text = page.read_text(encoding="utf-8")
    assert "corpus: [&#39;/data/我的语料&#39;]" in text or "corpus: ['/data/我的语料']" in text
    # The notebook's figures go beside the pages, not into the bundled report's folder.
    assert f"figures: {out.resolve() / 'figures'}" in text
    # Without parameters the notebook's own defaults hold.
    text = report.build_report(out_dir=workspace / "plain")[0].read_text(encoding="utf-8")
    assert "corpus: None" in text


def test_parameterize_replaces_an_earlier_injection_and_is_reproducible():
    nb = nbformat.v4.new_notebook(cells=_parameters_notebook())
    once = report.parameterize(nb, {"CORPUS": ["a"], "CODEBOOK": "/c.yaml"})
    twice = report.parameterize(once, {"CORPUS": ["b"]})
    injected = [c for c in twice.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].source == "# Parameters\nCORPUS = ['b']"
    assert twice.cells.index(injected[0]) == 2  # right after the parameters cell
    assert report.parameterize(nb, {"CORPUS": ["a"], "CODEBOOK": "/c.yaml"}) == once
    assert len(nb.cells) == 3  # the input notebook is not changed
    with pytest.raises(ValueError, match="Python names"):
        report.parameterize(nb, {"not a name": 1})


def _places(path, text: str, encoding: str = "gbk"):
    path.write_bytes(text.encode(encoding))
    return path


def test_cli_report_checks_the_inputs_before_running(workspace, tmp_path, capsys):
    from workbench.cli import main

    _write_notebook(config.NOTEBOOKS_DIR / "01_params.ipynb", _parameters_notebook())
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("一、存在的问题\n干部作风漂浮，脱离群众。\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    bad_survey = tmp_path / "s.csv"
    bad_survey.write_text("x,y\n1,2\n", encoding="utf-8")
    for argv, says in (
        (["--corpus", str(tmp_path / "missing")], "no such file"),
        (["--corpus", str(tmp_path / "empty")], "empty"),
        (["--codebook", str(tmp_path / "cb.yaml")], "--codebook"),
        (["--mapping", str(bad_survey)], "--mapping needs --survey"),
        # A places table notebook 05 could not link to the (bundled) survey: refused before
        # notebooks 01-04 run, also when saved in GBK (it was a UnicodeDecodeError).
        (["--places", str(_places(tmp_path / "p1.csv", "doc_id,地点\na/a1,东村\n"))],
         "no place column named as a survey column"),
        (["--places", str(_places(tmp_path / "p2.csv", "doc_id,village\na/a1,东村\n"))],
         "none of its village values ['东村']"),
        # Metadata the notebooks could not join: it failed notebook 01's first cell, exit 1.
        (["--corpus", str(texts), "--metadata", str(_places(tmp_path / "m1.csv",
                                                            "name,date\na.txt,2020\n"))],
         "no 'file' column"),
        (["--corpus", str(texts), "--metadata", str(_places(tmp_path / "m2.csv",
                                                            "文件名,日期\na.txt,去年\n"))],
         "row 2 (a.txt: '去年')"),
        (["--corpus", str(texts), "--metadata", str(_places(tmp_path / "m3.csv",
                                                            "file,role\na.txt,县长\n"))],
         "the name of a segments column"),
        # A documents column: the notebooks join it onto extracted titles, and refuse it.
        (["--corpus", str(texts), "--metadata", str(_places(tmp_path / "m4.csv",
                                                            "file,title\na.txt,某报告\n"))],
         "would overwrite"),
    ):
        assert main(["report", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, (argv, err)
    assert not (config.REPORTS_DIR / "index.html").exists()  # nothing ran

    out = tmp_path / "report"
    assert main(["report", "--corpus", str(texts), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "on your data" in captured.err
    page = (out / "01_params.html").read_text(encoding="utf-8")
    assert str(texts.resolve()) in page


def test_executed_notebooks_carry_no_wall_clock(tmp_path):
    """No execution timestamps in cell metadata: the committed notebooks and the reports are
    the same bytes however often they are run."""
    from pathlib import Path

    nb_path = _write_notebook(tmp_path / "t.ipynb", [nbformat.v4.new_code_cell("1 + 1")])
    executed = report.execute_notebook(nb_path, timeout=60)
    assert all("execution" not in c.metadata for c in executed.cells)
    for path in sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert not [i for i, c in enumerate(nb.cells) if "execution" in c.metadata], path.name


# ----------------------------- whether the bundled agreement figures apply (session 18)


def test_bundled_figures_apply_by_the_codebook_file_not_its_version(tmp_path):
    """An edited copy of the bundled codebook keeps its version text but not its figures.

    Found by a tester: ``workbench report --codebook cb_edited.yaml`` (the bundled codebook
    with an ``unless:`` added to one code, still version 2.5.1) printed the agreement
    measured with the bundled codebook as if it applied.
    """
    from workbench.coding.codebook import load_codebook

    bundled = load_codebook()
    measured = bundled.codes_version
    assert report.bundled_figures_apply(bundled, measured) == (True, "")
    # A byte-for-byte copy elsewhere is the same codebook.
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(config.CODEBOOK.read_bytes())
    assert report.bundled_figures_apply(load_codebook(copy), measured) == (True, "")
    # The tester's edit: one code gets an `unless:`; the version stays.
    text = config.CODEBOOK.read_text(encoding="utf-8")
    anchor = "  - id: P_formalism\n"
    assert text.count(anchor) == 1
    edited = tmp_path / "cb_edited.yaml"
    at = text.index("    examples:", text.index(anchor))
    edited.write_text(text[:at] + '    unless: {regex: "."}\n' + text[at:], encoding="utf-8")
    mine = load_codebook(edited)
    assert mine.version == bundled.version
    ok, why = report.bundled_figures_apply(mine, measured)
    assert not ok
    assert str(edited) in why and f"version {bundled.version} too but is another file" in why
    # Another version is refused by its version, as before.
    ok, why = report.bundled_figures_apply(bundled, "1.0")
    assert not ok and f"is version {bundled.version}" in why


def test_index_names_the_data_the_report_ran_on(workspace):
    """A report on a user's data named its inputs only in the notebooks' code cells: its
    first page said nothing of which corpus, metadata or survey it was run on."""
    from workbench.provenance import read_record, sha256_file

    nb_path = _write_notebook(
        config.NOTEBOOKS_DIR / "01_data.ipynb",
        [nbformat.v4.new_markdown_cell(f"# {TITLE}"), nbformat.v4.new_code_cell("print(1)")],
    )
    texts = workspace.parent / "我的 文本"
    (texts / "子目录").mkdir(parents=True)
    (texts / "报告 一.txt").write_text("干部下村走访，群众反映问题。\n", encoding="utf-8")
    (texts / "子目录" / "日记.txt").write_bytes("今天到村里听取意见。\n".encode("gbk"))
    meta = workspace.parent / "meta.csv"
    meta.write_text("file,genre\n报告 一.txt,报告\n", encoding="utf-8")
    params = {"CORPUS": [str(texts)], "METADATA": str(meta)}
    report.build_report([nb_path], workspace / "out", parameters=params)
    index = (workspace / "out" / "index.html").read_text(encoding="utf-8")
    cells = dict(re.findall(r"<tr><td><code>(\w+)</code></td><td>([^<]*)</td></tr>", index))
    assert list(cells) == list(report.PARAMETERS)
    assert cells["CORPUS"] == f"{texts} (2 file(s))"
    assert cells["METADATA"] == f"{meta} (SHA-256 {sha256_file(meta)[:12]})"
    assert cells["SURVEY"] == "not given: the bundled SIMULATED survey"
    assert 'href="index.html.provenance.json"' in index
    record = read_record(workspace / "out" / "index.html")
    assert record["inputs"] == {
        str(texts / "报告 一.txt"): sha256_file(texts / "报告 一.txt"),
        str(texts / "子目录" / "日记.txt"): sha256_file(texts / "子目录" / "日记.txt"),
        str(meta): sha256_file(meta),
    }
    assert record["parameters"] == {**params, "notebooks": ["01_data.ipynb"]}
    # On the bundled data it says so, and lists no file of the user's.
    report.build_report([nb_path], workspace / "bundled")
    index = (workspace / "bundled" / "index.html").read_text(encoding="utf-8")
    assert "<td>not given: the bundled seeds</td>" in index
    assert read_record(workspace / "bundled" / "index.html")["inputs"] == {}


def test_cli_report_refuses_a_corpus_it_cannot_read_before_any_notebook(
    workspace, tmp_path, capsys
):
    """Each of these ran the notebooks (an unreadable file failed notebook 01 with exit 1 and
    a page of traceback; --out naming a file failed after every notebook had run) or was
    refused with the advice to pass --skip-bad, which `report` does not have."""
    from workbench.cli import main
    from workbench.stream import build_corpus

    _write_notebook(config.NOTEBOOKS_DIR / "01_params.ipynb", _parameters_notebook())
    texts = tmp_path / "我的文本"
    texts.mkdir()
    (texts / "报告.txt").write_text("一、存在的问题\n干部作风漂浮。\n", encoding="utf-8")
    (texts / "坏 文件.txt").write_bytes(bytes(range(256)) * 4)
    (texts / "空.txt").write_bytes(b"")
    (tmp_path / "empty").mkdir()
    good = tmp_path / "good"
    good.mkdir()
    (good / "报告.txt").write_text("一、存在的问题\n干部作风漂浮。\n", encoding="utf-8")
    build = tmp_path / "build"
    build_corpus([texts / "报告.txt"], build, unit=None)
    (tmp_path / "page.html").write_text("<html></html>", encoding="utf-8")
    for argv, says in (
        (["--corpus", str(texts)], "2 of 3 file(s) cannot be read: "),
        (["--corpus", str(build)], "a folder `workbench pipeline` wrote"),
        (
            ["--corpus", str(texts / "报告.txt"), "--out", str(tmp_path / "page.html")],
            "is a file, not a folder",
        ),
        (["--corpus", str(good), "--out", str(good / "report")], "inside the corpus folder"),
        (["--corpus", str(tmp_path / "empty")], "it is empty"),
    ):
        assert main(["report", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err and "pass --skip-bad" not in err, (argv, err)
    # Every unreadable file is named at once, with what to do.
    assert main(["report", "--corpus", str(texts)]) == 2
    err = capsys.readouterr().err
    assert "坏 文件.txt: looks like a binary file" in err and "空.txt: is empty" in err
    assert "convert or remove them" in err
    assert not (config.REPORTS_DIR / "index.html").exists()  # nothing ran
    assert not (good / "report").exists()


def test_ctrl_c_during_a_notebook_stops_the_report_in_one_line(tmp_path):
    import time

    # The cell presses Ctrl-C for the user: SIGINT to the process running the report.
    nb_path = _write_notebook(
        tmp_path / "01_long.ipynb",
        [
            nbformat.v4.new_code_cell(
                "import os, signal, time\n"
                "os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGINT)\n"
                "time.sleep(60)"
            )
        ],
    )
    out = tmp_path / "out"
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from workbench.cli import run; run()", "report", str(nb_path),
         "--out", str(out)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    # It was a failure "in cell 1 of 1: AssertionError" (exit 1), after the kernel's
    # ZMQ traceback, once the cell had slept its minute.
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines()[1:] == [
        f"workbench: interrupted; the report in {out} is incomplete (its index.html was not "
        "rewritten): run it again"
    ]
    assert time.perf_counter() - began < 50
    assert not (out / "index.html").exists()


def _writing_notebook(name: str) -> list:
    # Writes a figure and a table where the report's figures go, as the notebooks do.
    return [
        nbformat.v4.new_markdown_cell(f"# {name}"),
        nbformat.v4.new_code_cell(
            "import os, pathlib\n"
            "out = pathlib.Path(os.environ['WORKBENCH_OUTPUT'])\n"
            "(out / 'figures').mkdir(exist_ok=True)\n"
            f"(out / 'figures' / '{name}.svg').write_text('<svg/>')\n"
            f"(out / '{name}_table.csv').write_text('a\\n1\\n')"
        ),
    ]


def test_a_second_report_removes_its_stale_files_and_never_the_users(tmp_path):
    one = _write_notebook(tmp_path / "01_texts.ipynb", _writing_notebook("texts"))
    two = _write_notebook(tmp_path / "05_survey.ipynb", _writing_notebook("survey"))
    out = tmp_path / "out"
    report.build_report([one, two], out)
    assert (out / "05_survey.html").exists() and (out / "figures" / "survey.svg").exists()
    # Without the survey: its page, figure and table were left, linked from nowhere.
    report.build_report([one], out)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        ".workbench-report.json", "01_texts.html", "figures/texts.svg", "index.html",
        "index.html.provenance.json", "texts_table.csv",
    ]  # fmt: skip
    # A file of the user's there: the folder is refused before any notebook runs, and
    # nothing of it is removed.
    (out / "my notes.txt").write_text("留着", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"did not write \(my notes\.txt\)"):
        report.build_report([two], out)
    assert sorted(p.name for p in out.iterdir())[-1] == "texts_table.csv"
    assert (out / "01_texts.html").exists() and not (out / "05_survey.html").exists()
    # Nor is a folder that holds no report at all written into.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("a\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not from a workbench report"):
        report.build_report([one], mine)
    assert [p.name for p in mine.iterdir()] == ["data.csv"]
