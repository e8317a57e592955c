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
