"""Topics, lint and the command line."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import sparse

from workbench import config
from workbench.cli import main
from workbench.coding.codebook import load_codebook
from workbench.coding.lint import (
    declared_variants,
    jieba_splits,
    lint,
    matching_terms,
    register_terms,
)
from workbench.coding.topics import fit_topics, topic_code_table
from workbench.corpus.tokens import content_tokens, tokenize
from workbench.provenance import read_record, sha256_file


def test_lint_reports_dead_and_split_terms(seeds):
    cb = load_codebook()
    report = lint(cb, seeds.segments["text"])
    # Codebooks 2.0 and 2.3 add terms found in the dev corpus's tune texts, not in the seeds
    # (each declared as a variant, checked below): two thirds of the terms occur in the seeds
    # (1.1: over 90 %; 2.2: three quarters).
    assert (report["matches"] == 0).any() and (report["matches"] > 0).mean() > 0.65
    assert (report["jieba_split"] != "").any()
    assert jieba_splits("不相信群众") != ["不相信群众"]
    # Every term the seeds never contain is a decision recorded in the codebook
    # (a declared variant); a new dead term or typo shows up as "unmatched".
    assert set(report["status"]) == {"matched", "variant"}
    assert ((report["matches"] == 0) == (report["status"] == "variant")).all()


def test_lint_variants_are_declared_terms_and_only_information(tmp_path):
    cb = load_codebook()
    declared = declared_variants()
    assert len(declared) >= 10
    # every declaration names a term its code matches on (no stale declarations)
    for code, term in declared:
        assert term in matching_terms(cb.code(code)), (code, term)
    report = lint(cb, ["干部下基层"], variants={("L_grassroots", "蹲点")})
    status = report.set_index(["code", "term"])["status"]
    assert status[("L_grassroots", "下基层")] == "matched"
    assert status[("L_grassroots", "蹲点")] == "variant"
    assert status[("L_visit", "家访")] == "unmatched"  # not declared in this call
    other = tmp_path / "cb.yaml"
    other.write_text("# notes\n#   variant: L_visit 家访 — why\n#variant: x y\n", encoding="utf-8")
    assert declared_variants(other) == {("L_visit", "家访")}
    assert declared_variants(tmp_path / "missing.yaml") == set()


def test_lint_lists_matching_terms_not_exclusions():
    cb = load_codebook()
    # P_corruption excludes 反腐 in countermeasure sections; M_anticorruption matches on it.
    assert "反腐" in cb.code("P_corruption").terms()
    assert "反腐" not in matching_terms(cb.code("P_corruption"))
    assert "反腐" in matching_terms(cb.code("M_anticorruption"))
    # A residual code does not repeat the terms of the specific codes it excludes.
    residual = set(matching_terms(cb.code("P_other")))
    assert "存在的主要问题" in residual and "脱离群众" not in residual


def test_register_terms_adds_every_literal_term(monkeypatch):
    # Registration changes the process-wide tokenizer, so other tests' expected
    # segmentations would depend on test order; capture the call instead.
    import workbench.coding.lint as lint_mod

    seen: list[str] = []
    monkeypatch.setattr(lint_mod, "add_terms", seen.extend)
    cb = load_codebook()
    assert register_terms(cb) == len(cb.terms())
    assert "不相信群众" in seen and "监督" in seen


def test_registered_term_is_one_token():
    from workbench.corpus.tokens import add_terms

    add_terms(["不相信群众"])  # not a term any other test segments around
    assert "不相信群众" in tokenize("干部不相信群众")


def test_topics_are_deterministic_and_tabulated(seeds):
    para = seeds.analysis_segments().groupby("paragraph_id", sort=False)["text"].agg("".join)
    toks = [content_tokens(t) for t in para]
    m1 = fit_topics(toks, 4, seed=1)
    m2 = fit_topics(toks, 4, seed=1)
    assert m1.top_terms(8).equals(m2.top_terms(8))
    cats = pd.DataFrame({"problem": [1, 0] * (len(toks) // 2) + [0] * (len(toks) % 2)})
    table = topic_code_table(m1, cats, cats.rename(columns={"problem": "P_x"}))
    assert list(table["topic"]) == [0, 1, 2, 3]
    assert table["paragraphs"].sum() <= len(toks)


def test_cli_code_and_lint(tmp_path, capsys):
    out = tmp_path / "codes.parquet"
    assert main(["code", "--unit", "paragraph", "--out", str(out)]) == 0
    long = pd.read_parquet(out)
    assert list(long.columns) == ["unit_id", "code", "category", "terms", "spans"]
    assert long["unit_id"].str.fullmatch(r".+/a\d+/p\d{3}").all()
    matrix = sparse.load_npz(tmp_path / "codes.matrix.npz")
    units = pd.read_csv(tmp_path / "codes.units.csv")
    assert matrix.shape[0] == len(units) and matrix.nnz == len(long)
    rec = read_record(out)
    assert rec["parameters"]["unit"] == "paragraph"
    assert rec["inputs"]["data/codebook.yaml"] == sha256_file(config.CODEBOOK)
    assert len(rec["inputs"]) == 6  # the five seeds and the codebook
    for side in ("codes.matrix.npz", "codes.units.csv"):
        assert read_record(tmp_path / side) == rec
    capsys.readouterr()
    assert main(["codebook", "lint", "--strict"]) == 0  # absent terms are declared variants
    printed = capsys.readouterr().out
    assert " 0 never match;" in printed and "variant, absent: L_visit: 家访" in printed


def test_cli_code_json_prints_counts_and_the_files_provenance(tmp_path, capsys):
    import json

    out = tmp_path / "codes.csv"
    assert main(["code", "--unit", "paragraph", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["command"] == "code" and summary["unit"] == "paragraph"
    # The record printed is the one every written file carries.
    assert summary["files"] == [str(out), str(tmp_path / "codes.matrix.npz"),
                                str(tmp_path / "codes.units.csv")]  # fmt: skip
    for path in summary["files"]:
        assert read_record(path) == summary["provenance"]
    assert summary["provenance"]["parameters"]["unit"] == "paragraph"
    long = pd.read_csv(out)
    units = pd.read_csv(tmp_path / "codes.units.csv")
    assert summary["assignments"] == len(long) and summary["units"] == len(units)
    assert summary["coded_units"] == long["unit_id"].nunique()
    codes = pd.DataFrame(summary["codes"]).set_index("code")
    codebook = load_codebook()
    assert list(codes.index) == codebook.ids  # every code, in codebook order
    assert set(codes.index[codes["catch_all"]]) == set(codebook.catch_alls)
    # Hand count of one code: its paragraphs and their articles.
    mine = long[long["code"] == "P_formalism"].merge(units, on="unit_id")
    assert codes.loc["P_formalism", "units"] == mine["unit_id"].nunique() > 0
    assert codes.loc["P_formalism", "articles"] == mine["doc_id"].nunique()
    assert codes["units"].sum() == len(long)  # one row per (unit, code)
    # The seeds' 13 articles open like no declared kind of document.
    assert summary["document_kinds"] == {"text": units["doc_id"].nunique()} == {"text": 13}


def test_cli_code_records_the_bundled_codebook_when_run_outside_the_project(
    tmp_path, monkeypatch, capsys
):
    """Run from a folder of one's own, `workbench code` left the bundled codebook's
    checksum out of the record: its path, shown relative to the project root, was looked
    for in the working folder."""
    import json

    monkeypatch.chdir(tmp_path)
    assert main(["code", "--out", "codes.parquet", "--json"]) == 0
    inputs = json.loads(capsys.readouterr().out)["provenance"]["inputs"]
    assert inputs["data/codebook.yaml"] == sha256_file(config.CODEBOOK)
    assert read_record(tmp_path / "codes.parquet")["inputs"] == inputs


def test_cli_code_says_which_documents_it_told_as_which_kind(tmp_path, capsys):
    import json

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "report.txt").write_text(
        "各位代表：\n\n我代表县人民政府向大会报告工作。\n\n各级干部要密切联系群众。\n",
        encoding="utf-8",
    )
    (folder / "essay.txt").write_text("干部要密切联系群众，转变作风。\n", encoding="utf-8")
    seg = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(folder), "--out", str(seg)]) == 0
    capsys.readouterr()
    assert main(["code", "--corpus", str(seg), "--out", str(tmp_path / "c.parquet"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["document_kinds"] == {"report": 1, "text": 1}
    assert "documents by kind (codebook's document_kinds): report 1, text 1" in captured.err


def test_cli_code_leaves_out_duplicate_articles_unless_asked(tmp_path, capsys):
    # The same essay saved twice under two names: the segments table alone does not mark
    # the second copy's sentences, the documents table beside it does. `workbench code`
    # reads both, as the analysis commands do, so the copy is not counted twice.
    folder = tmp_path / "mine"
    folder.mkdir()
    essay = "干部要密切联系群众，转变作风。\n\n一些干部脱离群众，官僚主义严重。\n"
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(essay, encoding="utf-8")
    seg = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(folder), "--out", str(seg)]) == 0
    docs = pd.read_parquet(tmp_path / "seg.documents.parquet")
    assert docs["dup_of"].notna().sum() == 1
    out = tmp_path / "c.csv"
    assert main(["code", "--corpus", str(seg), "--out", str(out)]) == 0
    units = pd.read_csv(tmp_path / "c.units.csv")
    assert set(units["doc_id"]) == set(docs.loc[docs["dup_of"].isna(), "doc_id"])
    assert not pd.read_csv(out).empty
    assert main(["code", "--corpus", str(seg), "--out", str(out), "--keep-duplicates"]) == 0
    assert set(pd.read_csv(tmp_path / "c.units.csv")["doc_id"]) == set(docs["doc_id"])
    rec = read_record(out)
    assert rec["inputs"][config.display_path(seg.resolve())] == sha256_file(seg)
    capsys.readouterr()


def test_cli_lint_strict_fails_on_a_dead_term(tmp_path, capsys):
    text = config.CODEBOOK.read_text(encoding="utf-8")
    assert "走马观花, 蜻蜓点水" in text
    typo = tmp_path / "codebook.yaml"
    with_typo = text.replace("走马观花, 蜻蜓点水", "走马观花, 走马看花花, 蜻蜓点水")
    typo.write_text(with_typo, encoding="utf-8")
    assert main(["codebook", "lint", "--codebook", str(typo)]) == 0
    assert "never matches: P_formalism: 走马看花花" in capsys.readouterr().out
    assert main(["codebook", "lint", "--codebook", str(typo), "--strict"]) == 1


def test_cli_lint_says_how_to_write_a_list_typed_as_one_term(tmp_path, capsys):
    """[走马观花，蜻蜓点水] (a full-width comma, which YAML does not split on) is one term
    that no text holds; the lint said only 'never matches'."""
    text = config.CODEBOOK.read_text(encoding="utf-8")
    one = tmp_path / "codebook.yaml"
    one.write_text(text.replace("走马观花, 蜻蜓点水", "走马观花，蜻蜓点水"), encoding="utf-8")
    assert main(["codebook", "lint", "--codebook", str(one)]) == 0
    out = capsys.readouterr().out
    assert ("never matches: P_formalism: 走马观花，蜻蜓点水 (one term with '，' in it; for two "
            "terms write [走马观花, 蜻蜓点水] (ASCII commas))") in out


def test_cli_bad_codebook(tmp_path, capsys):
    bad = tmp_path / "cb.yaml"
    bad.write_text("codes: [1]\n", encoding="utf-8")
    assert main(["code", "--codebook", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert "field 'categories'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["code", "--unit", "chapter", "--out", "x.csv"])


def test_cli_bad_codebook_lists_every_error(tmp_path, capsys):
    text = config.CODEBOOK.read_text(encoding="utf-8")
    bad = tmp_path / "cb.yaml"
    three = (
        text.replace("  - id: P_ability\n", "  - id: P_ability\n    colour: red\n", 1)
        .replace("    category: problem\n    label_zh: 走马观花", "    category: idea\n"
                 "    label_zh: 走马观花", 1)
        .replace('{regex: "^\\\\s*第', '{regex: "((^\\\\s*第', 1)
    )  # fmt: skip
    assert three.count("colour") == 1 and "category: idea" in three and '"((^' in three
    bad.write_text(three, encoding="utf-8")
    assert main(["code", "--codebook", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "3 errors in the codebook" in err
    # the regex is a YAML anchor (reg_article) that every problem code reuses: one error
    assert "; the same error in codes 'P_ability', 'P_formalism'" in err
    for needle in (
        "code 'P_ability', field 'colour': unknown key",
        "code 'P_formalism', field 'category': unknown category 'idea'",
        "code 'P_purpose', field 'rules.any[0].all[1].not.regex': bad regular expression",
    ):
        assert needle in err, err
    assert main(["codebook", "show", "--codebook", str(bad)]) == 2
    assert "3 errors in the codebook" in capsys.readouterr().err


def test_cli_codebook_new_loads_codes_the_seeds_and_never_overwrites(tmp_path, capsys):
    from workbench.coding.codebook import TEMPLATE

    out = tmp_path / "mine" / "codebook.yaml"
    assert main(["codebook", "new", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# ") and "--codebook codebook.yaml" in written
    cb = load_codebook(out)
    assert len(cb.codes) == len(load_codebook(TEMPLATE).codes) >= 4
    codes = tmp_path / "codes.parquet"
    assert main(["code", "--codebook", str(out), "--out", str(codes)]) == 0
    long = pd.read_parquet(codes)
    # every code of the starting file codes something in the bundled seeds
    assert set(long["code"]) == set(cb.ids)
    assert set(long["category"]) == {"problem", "countermeasure"}
    assert read_record(codes)["parameters"]["codebook"].endswith("codebook.yaml")
    capsys.readouterr()
    out.write_text("# my edits\n", encoding="utf-8")
    assert main(["codebook", "new", str(out)]) == 2
    assert "exists; not overwriting" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# my edits\n"
    assert main(["codebook", "new", str(tmp_path / "codebook.txt")]) == 2
    assert not (tmp_path / "codebook.txt").exists()


def test_cli_codebook_new_under_a_file_is_a_users_mistake(tmp_path, capsys):
    # mkdir raised FileExistsError: a traceback asking for a bug report.
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["codebook", "new", str(tmp_path / "notes.txt" / "cb.yaml")]) == 2
    err = capsys.readouterr().err
    assert "notes.txt is a file, not a folder" in err and "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_cli_codebook_show_lists_the_categories_and_their_parts(tmp_path, capsys):
    from own_codebook import write_own_codebook

    path = write_own_codebook(tmp_path)
    assert main(["codebook", "show", "--codebook", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    head, codes = out.split("\n\n", 1)
    rows = [line.split() for line in head.splitlines()]
    assert rows[0] == ["category", "label", "part", "codes"]
    assert rows[1:] == [["grievance", "Grievance", "problem", "1"],
                        ["explanation", "Explanation", "cause", "1"],
                        ["remedy", "Remedy", "countermeasure", "2"],
                        ["actor", "Actor", "none", "1"]]  # fmt: skip
    assert "R_educate" in codes and "Remedy" in codes


def test_cli_codebook_show_and_lint_list_the_kinds_of_document(capsys):
    assert main(["codebook", "show"]) == 0
    blocks = capsys.readouterr().out.split("\n\n")
    kinds = [line.split()[:2] for line in blocks[1].splitlines()]
    assert kinds == [["kind", "head"], ["report", "12"], ["petition_rules", "3"],
                     ["openness_rules", "3"]]  # fmt: skip
    assert main(["codebook", "lint"]) == 0
    # the seeds, duplicates kept: 14 articles, none a report or a regulation
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "documents by kind: report 0, petition_rules 0, openness_rules 0, text 14"


def test_cli_lint_names_an_example_its_code_does_not_code(tmp_path, capsys):
    """A code's example quote its rules miss (a rule narrowed, a term mistyped) was not
    reported: the lint said nothing of examples."""
    from workbench.coding.codebook import TEMPLATE

    text = TEMPLATE.read_text(encoding="utf-8")
    assert 'examples: ["高高在上,疏远群众"]' in text
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace('examples: ["高高在上,疏远群众"]',
                                 'examples: ["高高在上,疏远群众", "群众对干部很满意"]'),
                    encoding="utf-8")  # fmt: skip
    assert main(["codebook", "lint", "--codebook", str(mine)]) == 0
    out = capsys.readouterr().out
    assert "; 1 example(s) their code does not code" in out.splitlines()[0]
    assert "example not coded: P_detached: 群众对干部很满意" in out
    assert main(["codebook", "lint", "--codebook", str(TEMPLATE)]) == 0
    assert "example" not in capsys.readouterr().out


def test_lint_reads_the_variants_of_a_codebook_given_relative_to_the_working_folder(
    tmp_path, monkeypatch, capsys
):
    """`workbench codebook lint --codebook mine.yaml` from the folder holding it: its
    declared variants were looked for under the project root, so each was 'never
    matches' and the summary said '0 declared variants absent'."""
    text = config.CODEBOOK.read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert ("L_visit", "家访") in declared_variants("mine.yaml")
    assert main(["codebook", "lint", "--codebook", "mine.yaml"]) == 0
    out = capsys.readouterr().out
    assert " 0 never match;" in out and "variant, absent: L_visit: 家访" in out


def test_cli_lint_says_a_term_with_regex_marks_is_no_regex(tmp_path, capsys):
    """A researcher writes [村务]公开 among a code's terms, meaning a regular expression;
    it is one literal term no text holds, and the lint said only 'never matches'."""
    text = config.CODEBOOK.read_text(encoding="utf-8")
    mine = tmp_path / "codebook.yaml"
    mine.write_text(text.replace("走马观花, 蜻蜓点水", "走马观花, 干部.*不作为, 蜻蜓点水"),
                    encoding="utf-8")  # fmt: skip
    assert main(["codebook", "lint", "--codebook", str(mine)]) == 0
    out = capsys.readouterr().out
    assert ("never matches: P_formalism: 干部.*不作为 (a term is matched as written, '.' and "
            """'*' included; for a regular expression write {regex: "干部.*不作为"})""") in out


def test_cli_learn_says_it_read_the_bundled_corpus_and_codebook(tmp_path, capsys):
    """A researcher forgets --corpus (or --codebook): 'none of its 2 units is in the
    corpus' and 'code(s) the codebook does not have' did not say that the bundled seeds
    and codebook were read in place of theirs."""
    sheet = tmp_path / "coded.csv"
    pd.DataFrame({"unit_id": ["mine/a1/p001/s01", "mine/a1/p002/s01"],
                  "codes": ["P_detached", ""]}).to_csv(sheet, index=False)  # fmt: skip
    out = tmp_path / "m.joblib"
    assert main(["learn", "--sheet", str(sheet), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "none of its 2 units is in the corpus" in err
    assert ("the corpus read was the bundled seeds (give yours with --corpus SEG.parquet) and "
            "the codebook read was data/codebook.yaml (give yours with --codebook)") in err
    seeds_unit = pd.read_csv(config.GOLD_SAMPLE, encoding="utf-8-sig")["unit_id"].iloc[0]
    pd.DataFrame({"unit_id": [seeds_unit], "codes": ["G_land"]}).to_csv(sheet, index=False)
    mine = tmp_path / "mine.yaml"
    mine.write_text(config.CODEBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["learn", "--sheet", str(sheet), "--codebook", str(mine), "--out",
                 str(out)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "'G_land' in row 2" in err and "the corpus read was the bundled seeds" in err
    assert "codebook read" not in err and not out.exists()
