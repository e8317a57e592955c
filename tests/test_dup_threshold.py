"""The near-duplicate threshold has one owner (``workbench.corpus.dedup.DUP_THRESHOLD``) and is a
parameter of every way to build a corpus: ``load_corpus``, ``run_pipeline``,
``build_corpus`` and the ``--dup-threshold`` option of ``workbench corpus`` and
``workbench pipeline``."""

from __future__ import annotations

import inspect
import json

import pytest
from same_tables import differences

from workbench.cli import build_parser, main
from workbench.corpus import dedup, duplicates, load_corpus
from workbench.corpus.dedup import DUP_THRESHOLD
from workbench.pipeline import run_pipeline
from workbench.stream import build_corpus, read_table


def _kinds(corpus) -> dict[tuple[str, str], int]:
    return corpus.duplicates.groupby(["level", "kind"]).size().to_dict()


@pytest.fixture(scope="module")
def by_threshold(generated):
    return {t: load_corpus([generated], dup_threshold=t) for t in (0.5, dedup.DUP_THRESHOLD, 1.0)}


def test_every_default_is_the_one_constant():
    for fn in (dedup.sketch_units, dedup.find_duplicates, dedup.duplicates_from_sketches,
               duplicates.sketch_segments):  # fmt: skip
        assert inspect.signature(fn).parameters["threshold"].default is dedup.DUP_THRESHOLD
    for fn in (load_corpus, run_pipeline, build_corpus):
        assert inspect.signature(fn).parameters["dup_threshold"].default is dedup.DUP_THRESHOLD
    assert build_parser().parse_args(["corpus", "info"]).dup_threshold == dedup.DUP_THRESHOLD


def test_changing_the_threshold_changes_what_is_marked(by_threshold):
    low, default, exact = (by_threshold[t] for t in (0.5, dedup.DUP_THRESHOLD, 1.0))
    assert default.parameters["dup_threshold"] == dedup.DUP_THRESHOLD
    assert exact.parameters["dup_threshold"] == 1.0
    # The generated near copies (one long line rewritten) fall below 1 but not below 0.8 …
    assert _kinds(default).get(("article", "near"), 0) > 0
    assert _kinds(exact).get(("article", "near"), 0) == 0
    assert exact.documents["dup_of"].notna().sum() < default.documents["dup_of"].notna().sum()
    # … a lower threshold keeps every mark of a higher one …
    by_t = ((0.5, low), (0.8, default), (1.0, exact))
    docs = {t: set(c.documents.loc[c.documents["dup_of"].notna(), "doc_id"]) for t, c in by_t}
    segs = {t: set(c.segments.loc[c.segments["dup_of"].notna(), "segment_id"]) for t, c in by_t}
    assert docs[0.5] >= docs[0.8] > docs[1.0]
    assert segs[0.5] >= segs[0.8] >= segs[1.0]
    # … and exact copies are copies at any threshold.
    assert _kinds(exact)[("paragraph", "exact")] == _kinds(default)[("paragraph", "exact")]


def test_a_pair_between_two_thresholds(tmp_path):
    # One paragraph and a copy with 14 of its 80 characters rewritten: Jaccard 0.62 of
    # their 5-grams, a near duplicate at 0.5 and not at the default 0.8.
    text = ("各级领导干部要经常深入基层走访群众倾听意见建议及时解决群众反映强烈的突出问题"
            "切实改进工作作风密切党群干群关系不断增强群众的获得感幸福感安全感推动各项工作落到实处")
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(text[:40] + "认真开展调查研究真正摸清底数" + text[54:] + "\n",
                                    encoding="utf-8")  # fmt: skip
    low = load_corpus([tmp_path], dup_threshold=0.5)
    assert set(_kinds(low)) == {("article", "near"), ("paragraph", "near")}
    assert low.documents["dup_of"].tolist()[1] == low.documents["doc_id"].tolist()[0]
    assert 0.5 <= low.duplicates["similarity"].min() < DUP_THRESHOLD
    assert load_corpus([tmp_path]).duplicates.empty


def test_the_pipelines_pass_it_through(generated, by_threshold, tmp_path):
    result = run_pipeline([generated], unit=None, tokens=False, dup_threshold=1.0)
    assert result.corpus.duplicates.equals(by_threshold[1.0].duplicates)
    summary = build_corpus([generated], tmp_path / "out", unit=None, dup_threshold=1.0)
    assert summary.parameters["dup_threshold"] == 1.0
    assert summary.duplicates == len(by_threshold[1.0].duplicates)
    assert set(read_table(tmp_path / "out", "duplicates")["kind"]) == {"exact"}
    result = run_pipeline([generated], unit=None, dup_threshold=1.0)
    assert differences(tmp_path / "out", result) == []


def test_the_cli_passes_it_through(generated, by_threshold, tmp_path, capsys):
    assert main(["corpus", "info", str(generated), "--json", "--dup-threshold", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert sum(len(f["duplicates"]) for f in summary) == len(by_threshold[1.0].duplicates)
    out = tmp_path / "stream"
    argv = ["pipeline", str(generated), "--out", str(out), "--dup-threshold", "0.5"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["parameters"]["dup_threshold"] == 0.5
    assert len(read_table(out, "duplicates")) == len(by_threshold[0.5].duplicates)


@pytest.mark.parametrize("value", ["0", "1.5", "nan", "x"])
def test_a_threshold_outside_0_1_is_refused(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["corpus", "info", "--dup-threshold", value])
    assert exit_.value.code == 2
    assert "must be a number in (0, 1]" in capsys.readouterr().err
