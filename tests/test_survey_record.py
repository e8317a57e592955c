"""Provenance of survey results: ``--json``, ``--out`` tables and ``--figure`` plots."""

from __future__ import annotations

import json

import pytest

from workbench import __version__, config
from workbench.cli import main
from workbench.provenance import read_record, sha256_file
from workbench.survey.io import load_survey

DGP = config.display_path(config.SURVEY_DATA.parent / "dgp.yaml")
DATA = config.display_path(config.SURVEY_DATA)


def _run(capsys, *args):
    status = main(["survey", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured


def test_loaded_survey_records_its_checksum_and_its_dgp():
    inputs = load_survey().inputs
    assert inputs[DATA] == sha256_file(config.SURVEY_DATA)
    assert inputs[DGP] == sha256_file(config.SURVEY_DATA.parent / "dgp.yaml")


def test_fit_json_and_table_carry_provenance(tmp_path, capsys):
    out = tmp_path / "fit.csv"
    args = ["fit", config.SURVEY_DATA, "--model", "ologit", "--formula", "sat_overall ~ visits"]
    status, captured = _run(capsys, *args, "--cluster", "village", "--json", "--out", out)
    assert status == 0, captured.err
    record = json.loads(captured.out)["provenance"]
    assert record["workbench_version"] == __version__
    assert record["inputs"][DATA] == sha256_file(config.SURVEY_DATA)
    params = record["parameters"]
    assert params["command"] == "survey fit" and params["model"] == "ologit"
    assert params["cov_type"] == "cluster(village)" and params["simulated"] is True
    assert read_record(out) == record  # the CSV's sidecar holds the same record
    # UTF-8 with a byte-order mark, as every CSV for people (csvio.write_csv)
    assert out.read_text(encoding="utf-8").startswith("\ufeffterm,kind,estimate")
    status, captured = _run(capsys, *args)
    last = captured.out.rstrip().splitlines()[-1]
    assert last.startswith(f"workbench {__version__}; inputs: ") and DATA in last


def test_rank_json_table_and_figures_carry_provenance(tmp_path, capsys):
    table, figure = tmp_path / "groups.parquet", tmp_path / "ranks.svg"
    args = ["rank", config.SURVEY_DATA, "--formula", "trust ~ visits", "--groups", "village"]
    status, captured = _run(
        capsys, *args, "--n-sim", "50", "--seed", "3", "--at", "visits=2", "--json",
        "--out", table, "--figure", figure, "--lang", "en",
    )  # fmt: skip
    assert status == 0, captured.err
    record = json.loads(captured.out)["provenance"]
    params = record["parameters"]
    assert (params["seed"], params["n_sim"], params["at"]) == (3, 50, {"visits": "2"})
    assert params["groups"] == "village" and params["command"] == "survey rank"
    assert read_record(table) == record  # Parquet metadata
    caterpillar = tmp_path / "ranks-caterpillar.svg"
    for path in (figure, caterpillar):
        assert read_record(path) == record  # sidecars
        assert "SIMULATED data" in path.read_text()
    assert f"wrote {figure}" in captured.err


def test_mapping_file_is_an_input(tmp_path, capsys):
    data = tmp_path / "my.csv"
    data.write_text("y,x\n" + "".join(f"{i % 3},{i}\n" for i in range(12)))
    mapping = tmp_path / "map.yaml"
    mapping.write_text("missing: {x: [99]}\n")
    status, captured = _run(capsys, "fit", data, "--formula", "y ~ x", "--mapping", mapping,
                            "--json")  # fmt: skip
    assert status == 0, captured.err
    inputs = json.loads(captured.out)["provenance"]["inputs"]
    assert set(inputs.values()) == {sha256_file(data), sha256_file(mapping)}


@pytest.mark.parametrize(("flag", "value"), [("--out", "groups.xlsx"), ("--figure", "ranks.jpg")])
def test_unknown_output_formats_exit_2(tmp_path, capsys, flag, value):
    args = ["rank", config.SURVEY_DATA, "--formula", "trust ~ visits", "--groups", "village"]
    status, captured = _run(capsys, *args, flag, tmp_path / value)
    assert status == 2 and "unknown format" in captured.err and value in captured.err
    assert not (tmp_path / value).exists()


def _own_survey(tmp_path):
    """A small survey of the test's own, trust on a 0–10 scale, with its mapping."""
    rows = ["编号,村,信任,走访次数"]
    rows += [f"{i},{'东村' if i % 2 else '西村'},{i % 11},{i % 4}" for i in range(1, 41)]
    (tmp_path / "mine.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "columns:\n  resp_id: 编号\n  village: 村\n  trust: 信任\n  visits: 走访次数\n"
        "ranges:\n  trust: [0, 10]\n",
        encoding="utf-8",
    )
    return tmp_path / "mine.csv", tmp_path / "mine.yaml"


def test_labels_come_from_the_mapping_used_not_the_bundled_survey(tmp_path):
    from workbench.survey.codebook import load_codebook
    from workbench.survey.io import load_mapping
    from workbench.survey.record import variable_label

    data, mapping_file = _own_survey(tmp_path)
    survey = load_survey(data, mapping_file)
    assert survey.frame["trust"].max() == 10  # answers up to 10 are kept as answers
    cb, mapping = load_codebook(), load_mapping(mapping_file)
    assert variable_label("trust", cb, mapping) == "Trust in village cadres (0–10)"
    assert variable_label("trust", cb) == "Trust in village cadres (0–100)"  # bundled
    assert variable_label("visits", cb, mapping) == variable_label("visits", cb)  # not declared


def test_command_line_names_the_survey_and_mapping_used(tmp_path):
    from workbench.survey.record import command_line

    data, mapping_file = _own_survey(tmp_path)
    survey = load_survey(data, mapping_file)
    line = command_line(["workbench", "survey", "rank", survey.source, "--mapping",
                         str(mapping_file), "--formula", "trust ~ visits", "--json"])  # fmt: skip
    assert line == (f"workbench survey rank {survey.source} --mapping {mapping_file} "
                    "--formula 'trust ~ visits' --json")  # fmt: skip
    assert "data/survey/survey.csv" not in line
    bundled = command_line(["workbench", "survey", "rank", load_survey().source,
                            "--mapping", None, "--json"])  # fmt: skip
    assert bundled == "workbench survey rank data/survey/survey.csv --json"


def test_a_record_lists_every_input_and_the_note_names_the_corpus(tmp_path):
    from workbench.corpus import load_corpus
    from workbench.provenance import file_checksums
    from workbench.survey.record import provenance_note, survey_record

    data, mapping_file = _own_survey(tmp_path)
    texts = tmp_path / "texts"
    texts.mkdir()
    for name in ("一.txt", "二.txt"):
        (texts / name).write_text("村干部常到村里走访群众。\n", encoding="utf-8")
    corpus = load_corpus([str(texts)])
    places = tmp_path / "places.csv"
    places.write_text("doc_id,village\n一/a1,东村\n", encoding="utf-8")
    survey = load_survey(data, mapping_file)
    extra = {**corpus.checksums(), **file_checksums([config.CODEBOOK, places])}
    record = survey_record(survey, {"notebook": "x"}, inputs=extra)
    assert set(record["inputs"]) == set(survey.inputs) | set(extra)
    assert len(corpus.checksums()) == 2
    note = provenance_note(record, corpus=corpus.checksums())
    assert f"corpus {texts} (2 files)" in note
    for name in (config.display_path(places), "data/codebook.yaml", survey.source,
                 config.display_path(mapping_file)):  # fmt: skip
        assert name in note
    assert "一.txt" not in note  # the corpus is named once, not file by file
