"""workbench.cli_output: what the commands share when they print or write results."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.cli_output import check_suffix, head, print_json, records, write_table
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
