"""workbench.cli_output: what the commands share when they print or write results."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.cli_output import (
    check_suffix,
    check_writable,
    head,
    print_json,
    records,
    write_table,
)
from workbench.groups import InputError
from workbench.provenance import make_record, read_record


def test_records_are_plain_json_values(capsys):
    df = pd.DataFrame({"term": ["群众", "干部"], "n": np.array([3, 4], dtype=np.int64),
                       "q": [np.nan, 0.25]})  # fmt: skip
    rows = records(df)
    assert rows == [{"term": "群众", "n": 3, "q": None}, {"term": "干部", "n": 4, "q": 0.25}]
    print_json({"results": rows})
    assert json.loads(capsys.readouterr().out)["results"][0]["term"] == "群众"


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_tables_carry_their_record(tmp_path, capsys, name):
    record = make_record({}, {"window": 5})
    write_table(pd.DataFrame({"x": [1, 2]}), tmp_path / name, record)
    assert read_record(tmp_path / name)["parameters"] == {"window": 5}
    assert f"wrote {tmp_path / name} (2 rows)" in capsys.readouterr().err


def test_another_format_is_a_users_mistake_naming_the_file(tmp_path):
    with pytest.raises(InputError, match=r"t\.xlsx: unknown format '\.xlsx'"):
        check_suffix(tmp_path / "t.xlsx", (".csv", ".parquet"))
    check_suffix(None, (".csv",))  # no --out: nothing to check


def test_head_per_group_and_all():
    df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1, 2, 3, 4]})
    assert head(df, 1, by="g")["x"].tolist() == [1, 3]
    assert head(df, 0)["x"].tolist() == [1, 2, 3, 4]


def test_an_output_that_cannot_be_a_file_is_refused_before_any_work(tmp_path):
    # A folder that exists, or a path under a file: once found only when writing, after
    # the work, as FileExistsError (a traceback) or Arrow's "Is a directory".
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"is a folder, not a file to write; .*table\.csv"):
        check_suffix(tmp_path, (".csv", ".parquet"))
    with pytest.raises(InputError, match=r"notes\.txt is a file, not a folder"):
        check_suffix(tmp_path / "notes.txt" / "t.csv", (".csv",))
    check_suffix(tmp_path / "new" / "deeper" / "t.csv", (".csv",))  # folders to be made
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_folder_output_may_exist_but_not_be_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    check_writable(tmp_path, folder=True)
    with pytest.raises(InputError, match=r"is a file, not a folder to write into"):
        check_writable(tmp_path / "notes.txt", folder=True)


@pytest.mark.parametrize("argv", [
    ["corpus", "build", "{seeds}", "--out", "{d}"],
    ["corpus", "build", "{seeds}", "--out", "{d}/notes.txt/seg.parquet"],
    ["corpus", "build", "{seeds}", "--out", "{d}/seg.csv"],
    ["code", "--out", "{d}/codes.txt"],
    ["code", "--out", "{d}/notes.txt/codes.parquet"],
    ["kwic", "--term", "群众", "--out", "{d}/notes.txt/k.csv"],
    ["network", "--html", "{d}/notes.txt/page.html"],
    ["pipeline", "{seeds}", "--out", "{d}/notes.txt"],
])  # fmt: skip
def test_commands_refuse_such_outputs_with_exit_2(tmp_path, capsys, argv):
    from workbench import config
    from workbench.cli import main

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    seeds = sorted(config.SEEDS_DIR.glob("*.txt"))[0]
    args = [a.format(d=tmp_path, seeds=seeds) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(tmp_path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written


def test_every_csv_a_command_writes_opens_in_excel(tmp_path, capsys):
    """Analysis --out CSVs had no byte-order mark: Excel on a Chinese Windows read them in
    the legacy code page and showed mojibake when a researcher double-clicked one. Every
    CSV a command writes now starts with the UTF-8 BOM, and reads back unchanged."""
    from workbench.cli import main

    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "东县整改方案\n发布时间：2014-01-02\n一、存在的问题\n一些干部脱离群众，宗旨意识淡化，"
        "下乡走马观花。\n二、整改措施\n要密切联系群众，坚持走访入户。\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "西县调研报告\n发布时间：2016-05-02\n一、主要问题\n村务不公开，群众意见很大，干部作风"
        "粗暴。\n二、对策\n推行村务公开，开展谈心活动，倾听群众呼声。\n",
        encoding="utf-8",
    )
    seg = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(folder), "--out", str(seg)]) == 0
    codes = tmp_path / "codes.csv"
    assert main(["code", "--corpus", str(seg), "--out", str(codes)]) == 0
    runs = {
        "kwic.csv": ["kwic", "--corpus", str(seg), "--term", "群众"],
        "keyness.csv": ["keyness", "--corpus", str(seg), "--by", "file", "--min-count", "1"],
        "coll.csv": ["collocations", "--corpus", str(seg), "--term", "群众", "--min-count", "1"],
        "trends.csv": ["trends", "--codes", str(codes), "--corpus", str(seg), "--by", "year",
                       "--n-boot", "10"],
        "net.csv": ["network", "--corpus", str(seg), "--min-support", "1", "--alpha", "none"],
    }  # fmt: skip
    for name, argv in runs.items():
        assert main([*argv, "--out", str(tmp_path / name)]) == 0, name
    written = [
        codes,
        tmp_path / "codes.units.csv",
        tmp_path / "net.nodes.csv",
        tmp_path / "net.edges.csv",
        *(tmp_path / n for n in runs if n != "net.csv"),
    ]
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in data, path.name
        table = pd.read_csv(path)  # pandas (and readr, Stata) skip the mark
        assert not table.columns[0].startswith("\ufeff"), path.name
    assert "群众" in pd.read_csv(tmp_path / "kwic.csv")["match"].tolist()
    # The survey's tables too: they are written by provenance.write_table, as these are.
    from workbench import config

    fit = tmp_path / "fit.csv"
    argv = ["survey", "fit", str(config.SURVEY_DATA), "--formula", "trust ~ visits"]
    assert main([*argv, "--out", str(fit)]) == 0
    assert fit.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not pd.read_csv(fit).columns[0].startswith("\ufeff")
    capsys.readouterr()


@pytest.mark.parametrize(
    ("command", "said"),
    [("kwic", "hits printed"), ("collocations", "collocates printed"),
     ("keyness", "terms printed for each group")],
)  # fmt: skip
def test_each_command_says_what_its_top_counts(command, said):
    """kwic's and collocations' --top help said "(per group for keyness)"."""
    from workbench.cli import build_parser

    parser = build_parser(lazy=False)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    text = sub._option_string_actions["--top"].help
    assert text.startswith(said) and "keyness" not in text
