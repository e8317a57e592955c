"""``workbench keyness``, ``collocations`` and ``ca``: JSON, provenance, user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench import config
from workbench.cli import main
from workbench.provenance import read_record, sha256_file


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    """The seeds built and coded by the CLI itself: seg.parquet and codes.parquet."""
    d = tmp_path_factory.mktemp("analysis")
    assert main(["corpus", "build", "--out", str(d / "seg.parquet")]) == 0
    assert main(["code", "--corpus", str(d / "seg.parquet"), "--out",
                 str(d / "codes.parquet")]) == 0  # fmt: skip
    return d


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_keyness_json_with_provenance(tables, capsys):
    seg = tables / "seg.parquet"
    args = ["keyness", "--corpus", str(seg), "--by", "role", "--target", "problem", "--json"]
    assert main(args) == 0
    out = _json(capsys)
    assert out["command"] == "keyness" and len(out["results"]) == 20
    first = out["results"][0]
    assert first["group"] == "problem" and first["direction"] == "over"
    assert set(first) == {"group", "term", "count", "count_ref", "per_10k", "per_10k_ref",
                          "g2", "p", "q", "log_ratio", "direction"}  # fmt: skip
    rec = out["provenance"]
    assert rec["inputs"][str(seg)] == sha256_file(seg)
    assert any(k.startswith("data/raw/seeds/") for k in rec["inputs"])
    assert rec["parameters"]["by"] == "role" and rec["parameters"]["target"] == "problem"
    assert rec["workbench_version"]


def test_keyness_by_file_writes_the_whole_table(tables, capsys):
    out = tables / "keyness.parquet"
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--by", "file",
                 "--top", "3", "--out", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert text.count("== file = ") == 5
    table = pd.read_parquet(out)
    assert table["group"].nunique() == 5 and len(table) > 15
    assert read_record(out)["parameters"]["by"] == "file"


def test_keyness_by_a_code(tables, capsys):
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--by", "code:P_detached",
                 "--codes", str(tables / "codes.parquet"), "--target", "present",
                 "--json"]) == 0  # fmt: skip
    out = _json(capsys)
    assert {r["group"] for r in out["results"]} == {"present"}
    assert any(k.endswith("codes.parquet") for k in out["provenance"]["inputs"])


def test_keyness_and_ca_by_a_metadata_column(tables, capsys):
    meta = tables / "meta.csv"
    files = sorted(p.name for p in config.SEEDS_DIR.iterdir())
    genres = ["essay", "essay", "report", "report", "self-criticism"]
    pd.DataFrame({"file": files, "genre": genres}).to_csv(meta, index=False)
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--metadata", str(meta),
                 "--by", "genre", "--target", "self-criticism", "--json"]) == 0  # fmt: skip
    out = _json(capsys)
    assert out["results"][0]["term"] == "学习"  # the self-criticisms are study reports
    assert out["provenance"]["inputs"][str(meta)] == sha256_file(meta)
    fig = tables / "ca_genre.png"
    assert main(["ca", "--codes", str(tables / "codes.parquet"), "--corpus",
                 str(tables / "seg.parquet"), "--metadata", str(meta), "--by", "genre",
                 "--out", str(fig), "--json"]) == 0  # fmt: skip
    assert _json(capsys)["table"]["columns"] == ["essay", "report", "self-criticism"]
    assert read_record(fig)["parameters"]["metadata"] == str(meta)
    # A file without a genre (a blank cell) is in no column, and the note says so.
    pd.DataFrame({"file": files, "genre": [*genres[:4], ""]}).to_csv(meta, index=False)
    assert main(["ca", "--codes", str(tables / "codes.parquet"), "--corpus",
                 str(tables / "seg.parquet"), "--metadata", str(meta), "--by", "genre",
                 "--out", str(fig), "--json"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    res = json.loads(captured.out)
    assert res["table"]["columns"] == ["essay", "report"]
    docs = pd.read_parquet(tables / "seg.documents.parquet")
    n = res["left_out"]["no_value"]  # that file's articles (a duplicate one is not counted)
    assert 0 < n <= (docs["file"] == files[4]).sum() and "" not in res["left_out"]["values"]
    total = res["left_out"]["articles"]
    assert f"{n} of {total} article(s) have no value of genre and are in no group" in captured.err
    rare = res["left_out"]["codes"]
    assert rare and all(n < 2 for n in rare.values())
    assert "fewer than 2 articles (--min-articles): " + ", ".join(rare) in captured.err


def test_keyness_says_which_articles_have_no_value_as_ca_does(tables, capsys):
    # The tester's m_src.csv: most files have no source; keyness left them out silently.
    meta = tables / "source.csv"
    files = sorted(p.name for p in config.SEEDS_DIR.iterdir())
    pd.DataFrame({"file": files[:3], "source": ["官方", "官方", " "]}).to_csv(meta, index=False)
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--metadata", str(meta),
                 "--by", "source", "--json"]) == 2  # fmt: skip
    err = capsys.readouterr().err  # one value left (a blank cell is no value): said why
    assert "has one value among the content segments (官方) (" in err
    assert "article(s) have no value of source and are in no group (left out)" in err
    pd.DataFrame({"file": files[:3], "source": ["官方", "官方", "民间"]}).to_csv(meta, index=False)
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--metadata", str(meta),
                 "--by", "source", "--json"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    left = json.loads(captured.out)["left_out"]
    docs = pd.read_parquet(tables / "seg.documents.parquet")
    assert set(left["doc_ids"]) <= set(docs.loc[docs["file"].isin(files[3:]), "doc_id"])
    assert left["no_value"] == len(left["doc_ids"]) > 0
    note = (f"workbench: note: {left['no_value']} of {left['articles']} article(s) have no value "
            "of source and are in no group (left out)")
    assert note in captured.err


def test_collocations_json_and_csv_with_sidecar(tables, capsys):
    out = tables / "coll.csv"
    assert main(["collocations", "--corpus", str(tables / "seg.parquet"), "--term", "群众",
                 "--window", "5", "--out", str(out), "--json"]) == 0  # fmt: skip
    res = _json(capsys)
    assert res["results"][0]["term"] == "干部"
    assert res["provenance"]["parameters"]["term"] == "群众"
    assert len(pd.read_csv(out)) == res["rows"]
    assert read_record(out)["parameters"]["window"] == 5


def test_ca_writes_a_figure_with_provenance_and_json(tables, capsys):
    fig = tables / "ca_role.png"
    assert main(["ca", "--codes", str(tables / "codes.parquet"), "--corpus",
                 str(tables / "seg.parquet"), "--by", "role", "--out", str(fig),
                 "--json"]) == 0  # fmt: skip
    res = _json(capsys)
    assert fig.read_bytes()[:4] == b"\x89PNG"
    rec = read_record(fig)
    assert rec == res["provenance"] and rec["parameters"]["by"] == "role"
    assert any(k.endswith("codebook.yaml") for k in rec["inputs"])
    shares = [d["share"] for d in res["inertia"]]
    assert len(shares) == 3 and sum(shares) == pytest.approx(1.0)
    assert sum(d["inertia"] for d in res["inertia"]) == pytest.approx(res["total_inertia"])
    assert res["table"]["columns"] == ["cause", "countermeasure", "other", "problem"]
    assert {r["code"] for r in res["rows"]} == set(res["table"]["index"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["keyness", "--corpus", "{seg}", "--by", "genre"], "no column 'genre'"),
        (["keyness", "--corpus", "{seg}", "--by", "role", "--target", "problems"],
         "no value 'problems' in column 'role'"),
        (["keyness", "--corpus", "{d}/missing.parquet", "--by", "role"],
         "missing.parquet: no such file"),
        (["keyness", "--corpus", "{d}/codes.units.csv", "--by", "role"],
         "codes.units.csv: cannot be read as a segments table"),
        (["keyness", "--corpus", "{seg}", "--by", "code:P_detached"], "needs --codes"),
        (["keyness", "--corpus", "{seg}", "--by", "genre", "--metadata", "{d}/none.csv"],
         "none.csv: metadata file not found"),
        (["collocations", "--corpus", "{seg}", "--term", "群众", "--window", "0"],
         "--window must be at least 1"),
        # a blank term was looked for, and said to occur nowhere
        (["collocations", "--corpus", "{seg}", "--term", ""], "--term is empty"),
        (["kwic", "--corpus", "{seg}", "--term", " "], "--term is empty"),
        (["ca", "--codes", "{seg}", "--corpus", "{seg}", "--by", "role", "--out", "{d}/x.png"],
         "seg.parquet: not a codes table"),
        # (year is the year of the articles' dates since --by year was made to work)
        (["ca", "--codes", "{d}/codes.parquet", "--corpus", "{seg}", "--by", "decade",
          "--out", "{d}/x.png"], "no column 'decade'"),
        (["ca", "--codes", "{d}/codes.parquet", "--corpus", "{seg}", "--by", "role",
          "--out", "{d}/x.jpg"], "unknown format '.jpg'"),
    ],
)  # fmt: skip
def test_user_mistakes_exit_2_naming_the_file_or_column(tables, capsys, args, message):
    args = [a.format(seg=tables / "seg.parquet", d=tables) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "bug" not in err


def test_a_metadata_column_named_role_is_refused_not_passed_over(tables, capsys):
    meta = tables / "m_role.csv"
    files = sorted(p.name for p in config.SEEDS_DIR.iterdir())
    pd.DataFrame({"file": files, "role": ["官方", "民间"] * 2 + ["官方"]}).to_csv(meta, index=False)
    assert main(["keyness", "--corpus", str(tables / "seg.parquet"), "--metadata", str(meta),
                 "--by", "role"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "m_role.csv: column(s) role have the name of a segments column" in err


def test_keyness_says_when_no_term_reaches_min_count_and_names_a_close_column(tables, capsys):
    seg = str(tables / "seg.parquet")
    assert main(["keyness", "--corpus", seg, "--by", "role", "--min-count", "100000"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no term occurs --min-count 100000 times or more" in captured.err
    assert "the commonest, " in captured.err and "lower --min-count" in captured.err
    for command in (["keyness"], ["ca", "--codes", str(tables / "codes.parquet"),
                                  "--out", str(tables / "x.png")]):  # fmt: skip
        assert main([*command, "--corpus", seg, "--by", "rloe"]) == 2
        assert "no column 'rloe' in the segments or documents table (did you mean 'role'?)" \
            in capsys.readouterr().err  # fmt: skip


@pytest.mark.parametrize("command, metadata", [
    ("collocations", None), ("keyness", "for --by"), ("ca", "for --by"),
    ("trends", "whose 'date' or 'year' column dates the articles"),
])  # fmt: skip
def test_help_says_what_metadata_is_for_and_the_defaults(command, metadata, capsys):
    """collocations offered --metadata 'for --by' and has no --by (the metadata changed
    nothing); trends' --metadata dates articles; --window and --min-count gave no default."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    if metadata is None:
        assert "--metadata" not in text
        assert "each side, within the sentence (default 5)" in text
        assert "co-occurrences of a collocate (default 2)" in text
    else:
        assert f"user metadata keyed by a 'file' column (genre, year …), {metadata}" in text
