"""The workbench command line, run in-process and as the installed script."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench import config
from workbench.cli import EXIT_BAD_INPUT, main
from workbench.corpus import load_corpus
from workbench.provenance import read_record, sha256_file

SEED = config.SEEDS_DIR / "002_d96b58a24a94b0c4.txt"


def test_info_json_contract(capsys):
    assert main(["corpus", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [Path(f["path"]).name for f in info] == sorted(
        p.name for p in config.SEEDS_DIR.iterdir()
    )
    for f in info:
        assert set(f) == {
            "path",
            "encoding",
            "script",
            "articles",
            "boilerplate_removed",
            "removed_by_rule",
            "duplicates",
        }
        assert sum(f["removed_by_rule"].values()) >= f["boilerplate_removed"]
        assert f["script"] in {"simplified", "traditional", "mixed"}
        for a in f["articles"]:
            assert set(a) == {"doc_id", "title", "roles", "n_chars"}
            assert set(a["roles"]) == {"problem", "cause", "countermeasure", "other"}
    by_name = {Path(f["path"]).name[:3]: f for f in info}
    assert len(by_name["002"]["articles"]) == 5
    assert by_name["002"]["script"] == "traditional"
    assert by_name["003"]["boilerplate_removed"] == 10
    assert by_name["003"]["removed_by_rule"]["people_comments"] == 3
    cross = [d for d in by_name["004"]["duplicates"] if d["of"] == "000_688e36ac7d55ccc2/a1"]
    assert cross and cross[0]["kind"] == "near" and cross[0]["similarity"] >= 0.9
    internal = by_name["000"]["duplicates"]
    assert internal and all(d["kind"] in {"exact", "near"} for d in internal)


def test_info_accepts_globs_and_prints_text(capsys):
    assert main(["corpus", "info", str(config.SEEDS_DIR / "00[23]*.txt")]) == 0
    out = capsys.readouterr().out
    assert "002_d96b58a24a94b0c4.txt: utf-8, traditional, 5 article(s)" in out
    assert "003_8128e1cef60075aa.txt" in out and "000_" not in out


def test_info_lists_doc_ids(capsys):
    # README: "workbench corpus info lists the doc_ids" (the key of a places table).
    assert main(["corpus", "info", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "    002_d96b58a24a94b0c4/a1  " in out and "002_d96b58a24a94b0c4/a5  " in out
    assert main(["corpus", "info", str(SEED), "--json"]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    ids = [a["doc_id"] for a in info["articles"]]
    assert ids == [f"002_d96b58a24a94b0c4/a{i}" for i in range(1, 6)]


def test_build_writes_parquet_with_provenance(tmp_path, capsys):
    out = tmp_path / "segments.parquet"
    assert main(["corpus", "build", str(SEED), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert len(summary) == 1
    segs = pd.read_parquet(out)
    assert segs["doc_id"].nunique() == 5
    assert {"segment_id", "text", "text_orig", "role", "dup_of"} <= set(segs.columns)
    rec = read_record(out)
    assert rec["inputs"] == {config.display_path(SEED): sha256_file(SEED)}
    assert rec["parameters"]["paths"] == [str(SEED)]
    docs = tmp_path / "segments.documents.parquet"
    assert pd.read_parquet(docs)["doc_id"].tolist() == sorted(segs["doc_id"].unique())
    assert read_record(docs) == rec
    # What the segments leave out is written beside them: nothing dropped goes unseen.
    corpus = load_corpus([SEED])
    for name in ("removed", "files", "duplicates"):
        path = tmp_path / f"segments.{name}.parquet"
        assert read_record(path) == rec
        expected = getattr(corpus, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.read_parquet(path), expected)
    assert len(pd.read_parquet(tmp_path / "segments.removed.parquet")) > 0


def test_build_records_the_metadata_file_among_its_inputs(tmp_path, capsys):
    # Its columns are in the documents table: the record names it and its checksum, as
    # the pipeline's manifest does.
    meta = tmp_path / "meta.csv"
    meta.write_text(f"file,genre\n{SEED.name},报告\n", encoding="utf-8")
    out = tmp_path / "segments.parquet"
    assert main(["corpus", "build", str(SEED), "--metadata", str(meta), "--out", str(out)]) == 0
    capsys.readouterr()
    rec = read_record(tmp_path / "segments.documents.parquet")
    assert rec["inputs"] == {
        config.display_path(SEED): sha256_file(SEED),
        config.display_path(meta): sha256_file(meta),
    }
    assert pd.read_parquet(tmp_path / "segments.documents.parquet")["genre"].eq("报告").all()


def _folder_with_bad_file(tmp_path: Path) -> Path:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00" * 50)
    return tmp_path


def test_unreadable_file_exits_non_zero_naming_it(tmp_path, capsys):
    folder = _folder_with_bad_file(tmp_path)
    assert main(["corpus", "info", str(folder)]) == EXIT_BAD_INPUT
    assert "broken.txt" in capsys.readouterr().err


def test_skip_bad_reports_and_continues(tmp_path, capsys):
    folder = _folder_with_bad_file(tmp_path)
    assert main(["corpus", "info", str(folder), "--skip-bad", "--json"]) == 0
    captured = capsys.readouterr()
    info = json.loads(captured.out)
    assert [Path(f["path"]).name for f in info] == ["002_d96b58a24a94b0c4.txt", "broken.txt"]
    assert "broken.txt" in info[1]["error"]
    assert "skipped" in captured.err and "broken.txt" in captured.err


def test_missing_path_is_a_clear_error(tmp_path, capsys):
    assert main(["corpus", "info", str(tmp_path / "nope")]) == EXIT_BAD_INPUT
    assert "nope" in capsys.readouterr().err


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("workbench")  # installed beside this interpreter
    assert script.exists(), f"{script} missing: install the package (pip install -e .)"
    done = subprocess.run(
        [str(script), "corpus", "info", str(SEED)], capture_output=True, text=True, check=True
    )
    assert "5 article(s)" in done.stdout


def test_console_script_pipeline_exits_at_once_with_its_output_whole(tmp_path):
    """After ``pipeline`` the script skips interpreter teardown: its JSON summary (piped,
    so buffered) is flushed whole, the tables are complete and the status is kept."""
    script = Path(sys.executable).with_name("workbench")
    out = tmp_path / "out"
    done = subprocess.run([str(script), "pipeline", str(SEED), "--out", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] == len(pd.read_parquet(out / "documents"))
    assert (out / "manifest.json").exists() and not (out / ".staging").exists()
    bad = subprocess.run([str(script), "pipeline", str(tmp_path / "nope"), "--out", str(out)],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == EXIT_BAD_INPUT and "nope" in bad.stderr


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    """Inputs that decode but hold nothing to analyse (issue 14), beside a good file."""
    paths = {
        "empty": tmp_path / "in" / "empty.txt",
        "replacement": tmp_path / "in" / "lost.txt",
        "folder": tmp_path / "scans",
    }
    paths["empty"].parent.mkdir()
    paths["empty"].write_bytes(b"")
    paths["replacement"].write_text("\ufffd\ufffd\ufffd\ufffd 1996 \ufffd\ufffd\n" * 20, "utf-8")
    paths["folder"].mkdir()
    (paths["folder"] / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (paths["folder"] / "scan.pdf").write_bytes(b"%PDF-1.4")
    return paths


def test_empty_damaged_and_unsupported_inputs_exit_2_naming_them(tmp_path, capsys):
    paths = _bad_inputs(tmp_path)
    for key, what in [("empty", "is empty"), ("replacement", "U+FFFD"), ("folder", ".csv")]:
        assert main(["corpus", "info", str(paths[key])]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert str(paths[key].as_posix()) in err and what in err and "--skip-bad" in err
    out = tmp_path / "segments.parquet"
    assert main(["corpus", "build", str(paths["folder"]), "--out", str(out)]) == EXIT_BAD_INPUT
    assert not out.exists()


def test_skip_bad_reports_each_skip_once_without_the_skip_advice(tmp_path, capsys, caplog):
    paths = _bad_inputs(tmp_path)
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    argv = ["corpus", "info", str(tmp_path / "in"), str(paths["folder"]), "--skip-bad"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    # The library logs each skip (in a terminal, on stderr); the CLI only counts them.
    printed = captured.out + captured.err + caplog.text
    reasons = {"empty": "is empty", "replacement": "U+FFFD", "folder": "folder contains"}
    for key, reason in reasons.items():
        line = rf"{re.escape(paths[key].as_posix())}: [^\n]*{re.escape(reason)}"
        assert len(re.findall(line, printed)) == 1, key
    assert "pass --skip-bad" not in printed
    assert "skipped 3 of 4 input(s)" in captured.err
    assert f"{paths['empty'].as_posix()}: skipped" in captured.out


def test_code_on_a_corpus_instead_of_its_table_is_a_clear_error(tmp_path, capsys):
    import zipfile

    archive = tmp_path / "my.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "干部要深入基层。")
    assert main(["code", "--corpus", str(archive), "--out", str(tmp_path / "c.parquet")]) == 2
    err = capsys.readouterr().err
    assert f"{archive}: cannot be read as a segments table" in err
    assert "workbench corpus build CORPUS --out SEG.parquet" in err and "not the corpus" in err
    assert "Traceback" not in err


def test_unexpected_errors_keep_their_traceback_and_ask_for_a_report(monkeypatch, capsys):
    import workbench.cli as cli

    def boom(args):
        raise RuntimeError("internal invariant broken")

    monkeypatch.setattr(cli, "_dispatch", boom)
    assert cli.main(["codebook", "show"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "internal invariant broken" in err
    assert "please report it" in err


def test_user_errors_from_any_command_exit_2(monkeypatch, capsys):
    import workbench.cli as cli
    from workbench.coding.sheets import SheetError

    def bad(args):
        raise SheetError("sheet.csv: row 3, column 'codes': unknown code 'X'")

    monkeypatch.setattr(cli, "_dispatch", bad)
    assert cli.main(["codebook", "show"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "workbench: sheet.csv: row 3, column 'codes': unknown code 'X'"


def test_two_inputs_with_one_name_are_a_users_mistake(tmp_path, capsys):
    """Two files both named x (x.txt and x.md in one folder) exit 2 with the paths, from
    any command (in two folders, the folders tell them apart: test_corpus)."""
    from workbench.cli import main

    (tmp_path / "a").mkdir()
    for suffix in (".txt", ".md"):
        (tmp_path / "a" / f"x{suffix}").write_text("干部作风漂浮，脱离群众。\n", encoding="utf-8")
    for argv in (["corpus", "build", str(tmp_path / "a"), "--out", str(tmp_path / "seg.parquet")],
                 ["report", "--corpus", str(tmp_path / "a")]):  # fmt: skip
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "both named 'x'" in err and "rename one" in err and "Traceback" not in err


def test_info_text_counts_what_is_not_in_the_body_without_calling_notes_boilerplate(
    tmp_path, capsys
):
    """Tester 21: ``corpus info`` called a file's notes and comments "boilerplate line(s)
    removed"; the count is of every line or span not in the body, which the rules name."""
    path = tmp_path / "报告.md"
    path.write_text("# 某县调研报告\n\n作者：王某\n\n干部作风漂浮[^1]。（笑声）\n\n"
                    "[^1]: 数据来源：县统计局。\n\n责任编辑：李四\n", encoding="utf-8")  # fmt: skip
    assert main(["corpus", "info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "boilerplate" not in out
    assert (
        "1 article(s), 6 line(s) or span(s) not in the body, 0 duplicate(s); by rule: "
        "credit_line 1, labelled_author 1, markdown_footnote 1, markdown_footnote_mark 1, "
        "markdown_heading_marker 1, speech_reaction 1"
    ) in out


def _subparser(parser, *names):
    for name in names:
        action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = action.choices[name]
    return parser


def test_help_of_the_commands_cli_declares_explains_every_option():
    """`pipeline --help` listed --out DIR and --unit with no word of what they do (nor
    that an earlier build in DIR is replaced), `report --help` said the notebooks go
    into reports/*.html whatever --out said, and `workbench --help` opened with the
    docstring's markup: "The ``workbench`` command line."."""
    from workbench.cli import build_parser

    parser = build_parser(lazy=False)
    top = parser.format_help()
    assert "``" not in top and "干群关系" in top and "COMMAND --help" in top
    for names in (("corpus", "info"), ("corpus", "build"), ("pipeline",), ("report",)):
        sub = _subparser(parser, *names)
        bare = [a.option_strings or [a.dest] for a in sub._actions if not a.help]
        assert bare == [], (names, bare)
    pipeline = _subparser(parser, "pipeline")
    assert pipeline.description and "manifest.json" in pipeline.description
    out = next(a for a in pipeline._actions if "--out" in a.option_strings)
    assert "earlier build" in out.help and "interrupted leaves DIR as it was" in out.help
    report = _subparser(parser, "report")
    assert "reports/*.html" not in report.format_help() and "--out" in report.description


def test_workers_must_be_one_or_more(tmp_path, capsys):
    # --workers 0 and -2 ran serially without a word.
    for command in (["pipeline", "--out", str(tmp_path / "out")],
                    ["corpus", "build", "--out", str(tmp_path / "s.parquet")]):  # fmt: skip
        for value in ("0", "-2", "two"):
            try:
                main([*command, "--workers", value])
            except SystemExit as exit_:
                assert exit_.code == 2
            else:
                raise AssertionError(f"--workers {value} accepted")
            assert f"1 or more, not '{value}'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_pipeline_out_that_cannot_be_written_is_named_as_given(tmp_path, capsys, monkeypatch):
    # A folder the user may not write in: the message named the hidden working folder.
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    out = tmp_path / "out"
    assert main(["pipeline", str(SEED), "--out", str(out)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{out}: the output folder cannot be written there (Permission denied)" in err
    assert ".partial" not in err and "Traceback" not in err


def test_out_inside_the_corpus_folder_is_refused(tmp_path, capsys):
    # Written there, a build's Parquet files were passed over at the next reading of the
    # folder with the advice to convert them; a report's pages would be read as texts.
    texts = tmp_path / "文本"
    texts.mkdir()
    shutil.copy(SEED, texts / "报告 一.txt")
    for argv in (["pipeline", str(texts), "--out", str(texts / "build")],
                 ["corpus", "build", str(texts), "--out", str(texts / "seg.parquet")]):  # fmt: skip
        assert main(argv) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert f"--out {argv[-1]}: inside the corpus folder {texts}" in err, err
    assert sorted(p.name for p in texts.iterdir()) == ["报告 一.txt"]
    # A file of that folder named alone is no folder to write into.
    assert main(["pipeline", str(texts / "报告 一.txt"), "--out", str(texts / "b")]) == 0


@pytest.mark.parametrize("delay", [0.3, 0.6, 1.2])
def test_ctrl_c_while_the_workers_start_says_one_line(tmp_path, delay):
    import os
    import signal
    import time

    # The seeds, read ten times over, keep a two-worker build busy for a few seconds.
    texts = tmp_path / "texts"
    texts.mkdir()
    for k in range(10):
        for seed in sorted(config.SEEDS_DIR.iterdir()):
            shutil.copyfile(seed, texts / f"{k}_{seed.name}")
    out = tmp_path / "build"
    cmd = [sys.executable, "-c", "from workbench.cli import run; run()", "pipeline",
           str(texts), "--out", str(out), "--workers", "2"]  # fmt: skip
    # A session of its own, so that SIGINT reaches every process of it, as Ctrl-C does.
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    # A worker still starting printed a KeyboardInterrupt traceback of its imports.
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        f"workbench: interrupted; {out} was not created (no part of this build is kept)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts"]


def test_a_failed_build_names_every_file_that_cannot_be_read(tmp_path, capsys):
    # Fixing a folder took one run per bad file: only the first was named.
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("干部进村走访群众。\n", encoding="utf-8")
    (texts / "b.txt").write_bytes(b"\x00\x01binary\x00" * 40)
    (texts / "c.docx").write_bytes(b"PK\x03\x04broken")
    (texts / "d.txt").write_bytes(b"\xff\xfe\x00\xd8bad")
    pipeline = ["pipeline", str(texts), "--out", str(tmp_path / "b")]
    build = ["corpus", "build", str(texts), "--out", str(tmp_path / "c.parquet")]
    for argv in (pipeline, build):
        assert main(argv) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        first, more = err.strip().splitlines()
        assert more.startswith("workbench: 2 more of the 4 file(s) cannot be read either: ")
        assert more.endswith("; --skip-bad leaves every unreadable file out and lists it")
        for name in ("b.txt", "c.docx", "d.txt"):
            assert (name in first) != (name in more)  # each named once
        assert "a.txt" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts"]


def test_an_unknown_option_is_named_with_the_command_usage_and_the_closest_option(capsys):
    """`workbench kwic --trem 干部` said only that --term was required, and an option no
    command has (`--widow 3`) was reported with the top-level usage, which lists the
    commands and none of kwic's options."""
    from workbench.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["kwic", "--trem", "干部"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: workbench kwic ")
    assert "--trem is not an option of workbench kwic (did you mean --term?)" in err
    with pytest.raises(SystemExit):
        main(["kwic", "--term", "干部", "--widow", "3"])
    err = capsys.readouterr().err
    assert err.startswith("usage: workbench kwic ") and "{corpus," not in err
    assert "unrecognized arguments: --widow 3" in err
    assert "--widow is not an option of workbench kwic (did you mean --window?)" in err
    with pytest.raises(SystemExit):  # a command of a command: its own usage too
        main(["corpus", "info", "--jsn"])
    err = capsys.readouterr().err
    assert err.startswith("usage: workbench corpus info ") and "(did you mean --json?)" in err
    with pytest.raises(SystemExit):  # a misspelt command: its options are not blamed
        main(["kwci", "--term", "干部"])
    assert "not an option" not in capsys.readouterr().err
