"""The near-duplicate threshold has one owner (``workbench.dedup.DUP_THRESHOLD``) and is a
parameter of every way to build a corpus: ``load_corpus``, ``run_pipeline``,
``build_corpus`` and the ``--dup-threshold`` option of ``workbench corpus`` and
``workbench pipeline``."""

from __future__ import annotations

import inspect
import json

import pytest

from workbench import dedup, duplicates
from workbench.cli import build_parser, main
from workbench.corpus import load_corpus
from workbench.pipeline import run_pipeline
from workbench.stream import build_corpus, differences, read_table


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
    # … and a lower threshold finds near-duplicate paragraphs the default does not.
    assert _kinds(low).get(("paragraph", "near"), 0) > _kinds(default).get(("paragraph", "near"), 0)
    assert low.segments["dup_of"].notna().sum() > default.segments["dup_of"].notna().sum()
    # Exact copies are copies at any threshold.
    assert _kinds(exact)[("paragraph", "exact")] == _kinds(default)[("paragraph", "exact")]


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
