"""The learned coder: training from sheets, combining with the rules, model files, CLI."""

from __future__ import annotations

import json
import runpy
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench import config
from workbench.cli import main
from workbench.coding.codebook import load_codebook
from workbench.coding.learn import (
    CodeLearner,
    ModelError,
    UnitTable,
    code_with_model,
    load_model,
    read_training_sheet,
    save_model,
    suggest_units,
    units_from_segments,
)
from workbench.coding.reliability import unit_agreement
from workbench.coding.sheets import SheetError, align_lines
from workbench.provenance import read_record, sha256_file

DEV = config.ROOT.parent / "shared" / "corpus" / "dev"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def trained(seeds, codebook):
    """A learner fitted on the seeds' gold sample (180 coded sentences)."""
    sheet = read_training_sheet(config.GOLD_SAMPLE, seeds.segments, codebook)
    units = units_from_segments(seeds.segments, codebook, sheet.members)
    learner = CodeLearner(n_splits=3).fit(units, sheet.labels, codebook)
    return learner, units, sheet


@pytest.fixture(scope="module")
def overriding(trained, codebook):
    """The same, with models allowed to take a code over from its rule."""
    _, units, sheet = trained
    return CodeLearner(n_splits=3, override_rules=True).fit(units, sheet.labels, codebook)


def test_sheet_units_are_found_by_segment_id(trained):
    _, units, sheet = trained
    assert sheet.how == "ids" and not sheet.unaligned
    assert len(units) == len(sheet.labels) == 180
    # A sentence unit is its own segment: same text as the gold file's text column.
    gold = pd.read_csv(config.GOLD_SAMPLE, encoding="utf-8-sig").set_index("unit_id")
    frame = units.frame.set_index("unit_id")
    assert (frame.loc[gold.index, "text"] == gold["text"]).all()


def test_codes_without_support_get_no_model(trained, codebook):
    learner, _, sheet = trained
    support = sheet.labels[codebook.ids].sum()
    modelled = {c for c in learner.labels_ if c in codebook.ids}
    assert modelled == set(support[support >= learner.min_support].index)
    assert {"problem", "cause", "countermeasure", "liaison"} <= set(learner.labels_)


def test_fit_is_deterministic(trained, codebook):
    learner, units, sheet = trained
    again = CodeLearner(n_splits=3).fit(units, sheet.labels, codebook)
    pd.testing.assert_frame_equal(learner.predict_proba(units), again.predict_proba(units))
    assert learner.threshold_ == again.threshold_ and learner.mode_ == again.mode_


def test_thresholds_never_do_worse_than_the_rules_out_of_fold(trained):
    learner, _, _ = trained
    for row in learner.cv_:
        assert row["value"] >= row["rules"] - 1e-9, row


def test_what_a_model_adds_was_right_often_enough_out_of_fold(trained, overriding, codebook):
    """Every threshold in use adds units that were right at least ``min_precision`` of
    the time out of fold (beyond the rule in union mode; all of them otherwise)."""
    _, units, sheet = trained
    rules = units.rules.toarray().astype(bool)
    lab = units.frame[["unit_id"]].merge(sheet.labels, on="unit_id", how="left").fillna(0)
    checked = 0
    for learner in (trained[0], overriding):
        for label, t in learner.threshold_.items():
            if label not in codebook.ids or not np.isfinite(t):
                continue
            j = codebook.ids.index(label)
            added = learner.oof_[label].to_numpy() >= t
            if learner.mode_[label] == "union":
                added &= ~rules[:, j]
            y = lab[label].to_numpy(bool)
            if added.any():
                checked += 1
                assert (y & added).sum() / added.sum() >= learner.min_precision - 1e-9, label
    assert checked  # some model in use adds units on the seeds' sample


def test_a_model_that_would_add_mostly_wrong_units_is_not_used(codebook):
    """A code whose F1-best threshold assigns it to every unit sharing a word, right one
    time in three, is left to the rules by default; with no precision floor it fires."""
    words = "一二三四五"
    texts = [f"{w}甲{w}" for w in words] * 6 + [f"{w}乙{w}" for w in words] * 6
    frame = pd.DataFrame({"unit_id": [f"u{i}" for i in range(60)],
                          "doc_id": [f"d{i % 5}" for i in range(60)], "text": texts})
    y = [int(i < 30 and i % 3 == 0) for i in range(60)]
    units = UnitTable.from_frame(frame, codebook)
    labels = pd.DataFrame({"unit_id": frame["unit_id"], "P_formalism": y})
    kw = dict(min_support=4, n_splits=5, min_df=1)
    floor = CodeLearner(**kw).fit(units, labels, codebook)
    none = CodeLearner(**kw, min_precision=0.0).fit(units, labels, codebook)
    assert not np.isfinite(floor.threshold_["P_formalism"])
    assert np.isfinite(none.threshold_["P_formalism"])
    new = UnitTable.from_frame(pd.DataFrame({"unit_id": ["n"], "text": ["六甲六"]}), codebook)
    assert floor.decide(new).codes["P_formalism"].tolist() == [0]
    assert none.decide(new).codes["P_formalism"].tolist() == [1]


def test_rules_keep_their_codes_unless_models_may_take_over(seeds, trained, overriding,
                                                           codebook):
    """By default every code's rule stands (models only add); with ``override_rules`` a
    model may take a code over where it did better out of fold, and the rule alone
    then assigns nothing."""
    assert set(trained[0].mode_.values()) == {"union"}
    over = overriding
    taken = [c for c, m in over.mode_.items() if m == "model"]
    assert taken  # on the seeds' sample some models beat their rules out of fold
    all_units = units_from_segments(seeds.segments, codebook, "sentence")
    dec = over.decide(all_units)
    proba = over.predict_proba(all_units)
    for c in taken:
        assert (dec.codes[c].to_numpy(bool) == (proba[c].to_numpy() >= over.threshold_[c])).all()


def test_decision_keeps_trusted_rules_and_residuals_are_residual(seeds, trained, codebook):
    learner, _, _ = trained
    units = units_from_segments(seeds.segments, codebook, "sentence")
    dec = learner.decide(units)
    codes = dec.codes[codebook.ids].to_numpy(bool)
    rules = units.rules.toarray().astype(bool)
    for j, c in enumerate(codebook.ids):
        # Every rule's code stands, residual (*_other) ones included.
        if learner.mode_.get(c, "union") == "union":
            assert not (rules[:, j] & ~codes[:, j]).any(), c
    for cat in codebook.categories:
        cols = [j for j, c in enumerate(codebook.ids) if codebook.codes[j].category == cat]
        residual = [j for j in cols if codebook.ids[j].endswith("_other")]
        specific = [j for j in cols if j not in residual]
        for r in residual:
            # A residual no rule gave stands only where no specific code does.
            beside = codes[:, r] & codes[:, specific].any(axis=1) & ~rules[:, r]
            assert not beside.any(), codebook.ids[r]
    assert set(dec.long["source"]) <= {"rule", "model", "rule+model", "residual"}
    model_rows = dec.long[dec.long["source"] != "rule"]
    assert model_rows["score"].between(0, 1).all()


def test_learned_coder_alone_assigns_only_what_its_models_assert(seeds, trained, codebook):
    _, units_gold, sheet = trained
    alone = CodeLearner(n_splits=3, combine=False).fit(units_gold, sheet.labels, codebook)
    units = units_from_segments(seeds.segments, codebook, "sentence")
    dec = alone.decide(units)
    # No code comes from a rule firing by itself, and codes without a model of their own
    # appear only as their category's residual.
    assert set(dec.long["source"]) <= {"model", "residual"}
    no_model = set(codebook.ids) - set(alone.labels_)
    assert set(dec.long.loc[dec.long["code"].isin(no_model), "source"]) <= {"residual"}
    # The rules are still its features: the same model without them scores differently.
    text_only = CodeLearner(n_splits=3, use_rules=False).fit(units_gold, sheet.labels, codebook)
    assert not np.allclose(alone.predict_proba(units).to_numpy(),
                           text_only.predict_proba(units).to_numpy())
    # Its cross-validated rows report the rules beside it, as the combined coder's do.
    rules_f1 = {r["label"]: r["rules"] for r in alone.cv_}
    combined_f1 = {r["label"]: r["rules"] for r in trained[0].cv_}
    assert rules_f1 == combined_f1


def test_code_with_model_evidence(seeds, overriding, codebook):
    learner = overriding  # on the seeds' own sample only models that take over add codes
    coding = code_with_model(seeds.analysis_segments(), codebook, learner, "paragraph")
    assert {"source", "score"} <= set(coding.long.columns)
    assert coding.matrix.shape == (len(coding.units), len(codebook.ids))
    assert coding.matrix.sum() == len(coding.long)
    by_model = coding.long[coding.long["source"] == "model"]
    assert len(by_model)
    # Model-only codes point at their unit's whole segments.
    assert by_model["spans"].str.contains(r"/s\d\d:0-\d+").all()


def test_model_file_round_trip_and_codebook_check(tmp_path, trained, codebook):
    learner, units, _ = trained
    path = save_model(learner, tmp_path / "m.joblib", codebook=codebook,
                      sheets={"gold.csv": "abc"})  # fmt: skip
    again, meta = load_model(path, codebook)
    pd.testing.assert_frame_equal(again.predict_proba(units), learner.predict_proba(units))
    assert meta["codebook_version"] == codebook.version
    assert meta["sheets"] == {"gold.csv": "abc"} and len(meta["trained_units"]) == 180
    other = tmp_path / "codebook.yaml"
    other.write_text(config.CODEBOOK.read_text(encoding="utf-8") + "\n# edited\n", "utf-8")
    with pytest.raises(ModelError, match="trained with codebook version"):
        load_model(path, load_codebook(other))
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a workbench model"):
        load_model(tmp_path / "junk.joblib", codebook)


def test_model_loads_from_another_working_folder(tmp_path, monkeypatch, trained, codebook):
    # The bundled codebook's path is shown relative to the project root; a notebook runs
    # in notebooks/, where that relative path is not a file.
    learner, _, _ = trained
    path = save_model(learner, tmp_path / "m.joblib", codebook=codebook, sheets={})
    monkeypatch.chdir(tmp_path)
    again, meta = load_model(path, load_codebook())
    assert meta["codebook_sha256"] == sha256_file(config.CODEBOOK)
    assert again.labels_ == learner.labels_


def test_sheet_of_lines_and_of_segment_ids(tmp_path, seeds, codebook):
    seg = seeds.segments
    para = seg[seg["paragraph_id"] == seg["paragraph_id"].iloc[40]]
    line = "".join(para["text_orig"])  # a coded line = one whole paragraph
    sheet = pd.DataFrame({"unit_id": ["x:1", "x:2"], "file": [para["file"].iloc[0]] * 2,
                          "text": [line, "完全不在语料中的一行文字内容"],
                          "codes": ["M_style", ""]})  # fmt: skip
    sheet.to_csv(tmp_path / "lines.csv", index=False)
    s = read_training_sheet(tmp_path / "lines.csv", seg, codebook)
    assert s.how == "lines" and s.unaligned == ["x:2"]
    assert s.not_found == [{"row": 3, "unit_id": "x:2",
                            "why": f"text not in {para['file'].iloc[0]}"}]  # fmt: skip
    # Every segment of the paragraph, and (as the external check does) any other short
    # segment of the file whose text the line contains.
    assert set(para["segment_id"]) <= set(s.members["x:1"])
    explicit = pd.DataFrame({"unit_id": ["u"], "segment_ids": [" ".join(para["segment_id"])],
                             "codes": ["M_style"]})  # fmt: skip
    explicit.to_csv(tmp_path / "ids.csv", index=False)
    s2 = read_training_sheet(tmp_path / "ids.csv", seg, codebook)
    assert s2.how == "segment_ids" and s2.members == {"u": para["segment_id"].tolist()}
    pd.DataFrame({"unit_id": ["nowhere"], "codes": [""]}).to_csv(tmp_path / "no.csv", index=False)
    with pytest.raises(SheetError, match="none of its 1 units is in the corpus"):
        read_training_sheet(tmp_path / "no.csv", seg, codebook)
    pd.DataFrame({"unit_id": [para["segment_id"].iloc[0]], "codes": ["P_nonsense"]}).to_csv(
        tmp_path / "bad.csv", index=False
    )
    with pytest.raises(SheetError, match=r"bad\.csv: column 'codes' .* 'P_nonsense' in row 2"):
        read_training_sheet(tmp_path / "bad.csv", seg, codebook)


def test_suggest_spreads_over_documents_and_skips_trained_units(seeds, trained, codebook):
    learner, train_units, _ = trained
    units = units_from_segments(seeds.analysis_segments(), codebook, "sentence")
    picked = suggest_units(units, learner, 10)  # the learner knows what it was trained on
    assert len(picked) == 10
    assert not set(picked["unit_id"]) & set(train_units.frame["unit_id"])
    assert picked["file"].nunique() == 5  # five seed files take turns
    first_round = picked.head(5)
    assert first_round["file"].nunique() == 5
    # Paragraph units containing a coded sentence are not suggested either.
    paragraphs = units_from_segments(seeds.analysis_segments(), codebook, "paragraph")
    para = suggest_units(paragraphs, learner, 20)
    trained = set(train_units.frame["unit_id"])
    assert not any(set(m.split()) & trained for m in para["segment_ids"])


def test_from_frame_matches_rules_on_given_texts(codebook):
    units = UnitTable.from_frame(
        pd.DataFrame({"unit_id": ["a", "b"], "text": ["切实加强监督考核。", "今天天气很好。"],
                      "role": ["countermeasure", "other"]}), codebook)  # fmt: skip
    rules = dict(zip(codebook.ids, units.rules.toarray()[0], strict=True))
    assert rules["M_oversight"] == 1 and units.rules.toarray()[1].sum() == 0


def test_cli_learn_code_suggest(tmp_path, capsys):
    model = tmp_path / "m.joblib"
    # Models may take codes over: on the seeds' own sample they add nothing otherwise.
    assert main(["learn", "--sheet", str(config.GOLD_SAMPLE), "--out", str(model), "--json",
                 "--override-rules"]) == 0
    out = capsys.readouterr().out
    assert '"units": 180' in out and '"cross_validated"' in out
    # Strict JSON (no Infinity), with the record also written beside the model.
    summary = json.loads(out, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    record = summary["provenance"]
    assert next(iter(summary)) == "command" and summary["command"] == "learn"  # as the others
    assert read_record(model) == record
    assert record["inputs"]["data/gold/gold_sample.csv"] == sha256_file(config.GOLD_SAMPLE)
    assert record["inputs"]["data/codebook.yaml"] == sha256_file(config.CODEBOOK)
    assert len(record["inputs"]) == 7  # the sheet, the codebook and the five seeds
    assert record["parameters"]["corpus"] == ["bundled seeds"]
    codes = tmp_path / "codes.parquet"
    assert main(["code", "--model", str(model), "--out", str(codes)]) == 0
    table = pd.read_parquet(codes)
    assert {"source", "score"} <= set(table.columns) and (table["source"] == "model").any()
    nxt = tmp_path / "next.csv"
    assert main(["suggest", "--model", str(model), "--n", "7", "--out", str(nxt)]) == 0
    sheet = pd.read_csv(nxt, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(sheet) == 7 and {"unit_id", "codes", "problem", "text"} <= set(sheet.columns)
    drawn = read_record(nxt)
    assert drawn["inputs"][config.display_path(model)] == sha256_file(model)
    assert drawn["parameters"]["how"] == "most uncertain"
    # A filled-in suggestion sheet trains together with the first one.
    sheet["codes"] = ["M_style"] + [""] * 6
    sheet.to_csv(nxt, index=False, encoding="utf-8-sig")
    model2 = tmp_path / "m2.joblib"
    args = ["learn", "--sheet", str(config.GOLD_SAMPLE), "--sheet", str(nxt), "--out", str(model2)]
    assert main(args) == 0
    capsys.readouterr()
    # The same sheet twice is a user's mistake: a message, exit 2, no traceback.
    args = ["learn", "--sheet", str(nxt), "--sheet", str(nxt), "--out", str(model2)]
    assert main(args) == 2
    assert "coded in more than one sheet" in capsys.readouterr().err
    # A model used with another codebook is refused with a message.
    book = tmp_path / "cb.yaml"
    shutil.copy(config.CODEBOOK, book)
    book.write_text(book.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    args = ["code", "--model", str(model), "--codebook", str(book), "--out", str(codes)]
    assert main(args) == 2
    assert "trained with codebook version" in capsys.readouterr().err


def test_a_renamed_codes_column_is_named_not_read_as_blank_categories(tmp_path, seeds, codebook):
    # The tester's sheet: a `workbench suggest` sheet whose `codes` column became `code`;
    # it was reported as "row 2, column 'problem': blank cell".
    uid = seeds.segments["segment_id"].iloc[0]
    path = tmp_path / "sheet_badcol.csv"
    pd.DataFrame({"unit_id": [uid], "text": ["x"], "problem": [""], "cause": [""],
                  "countermeasure": [""], "liaison": [""], "code": ["P_formalism"],
                  "notes": [""]}).to_csv(path, index=False)  # fmt: skip
    with pytest.raises(SheetError, match=r"sheet_badcol\.csv: no 'codes' column; did you mean "
                                         r"'code' → 'codes'\?"):  # fmt: skip
        read_training_sheet(path, seeds.segments, codebook)
    assert main(["learn", "--sheet", str(path), "--out", str(tmp_path / "m.joblib")]) == 2
    # A `coder` column (who coded) beside category columns is no misspelling.
    ok = pd.DataFrame({"unit_id": [uid], "problem": [1], "coder": ["A"]})
    ok.to_csv(path, index=False)
    assert read_training_sheet(path, seeds.segments, codebook).labels["problem"].tolist() == [1]


def test_cli_learn_names_the_sheet_rows_not_found(tmp_path, seeds, capsys):
    seg = seeds.segments
    para = seg[seg["paragraph_id"] == seg["paragraph_id"].iloc[40]]
    f = para["file"].iloc[0]
    lines = tmp_path / "lines.csv"
    sheet = pd.DataFrame({"unit_id": ["L1", "L2", "L3"], "file": [f, "不存在.txt", f],
                          "text": ["".join(para["text_orig"]), "某句话。", "这一行不在文件里。"],
                          "codes": ["M_style", "P_other", "P_other"]})  # fmt: skip
    sheet.to_csv(lines, index=False)
    args = ["learn", "--sheet", str(config.GOLD_SAMPLE), "--sheet", str(lines), "--alone",
            "--out", str(tmp_path / "m.joblib")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (f"lines.csv: 1 units found (lines), 2 not found in the corpus: rows 3 "
            f"(L2: unknown file 不存在.txt), 4 (L3: text not in {f})") in out
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["sheets"][1]
    assert report["not_found"] == 2 and report["not_found_rows"] == [
        {"row": 3, "unit_id": "L2", "why": "unknown file 不存在.txt"},
        {"row": 4, "unit_id": "L3", "why": f"text not in {f}"},
    ]


@pytest.mark.parametrize("n", ["0", "-3"])
def test_suggest_refuses_a_sheet_of_no_units(tmp_path, capsys, n):
    out = tmp_path / "next.csv"
    with pytest.raises(SystemExit) as exit_:
        main(["suggest", "--n", n, "--out", str(out)])
    assert exit_.value.code == 2 and not out.exists()
    assert f"--n: give the number of units to put on the sheet, 1 or more, not {n}" in (
        capsys.readouterr().err
    )


def test_cli_learn_alone(tmp_path, capsys):
    model = tmp_path / "alone.joblib"
    args = ["learn", "--sheet", str(config.GOLD_SAMPLE), "--alone", "--out", str(model)]
    assert main(args) == 0
    assert "the models alone" in capsys.readouterr().out
    codes = tmp_path / "codes.parquet"
    assert main(["code", "--model", str(model), "--out", str(codes)]) == 0
    table = pd.read_parquet(codes)
    assert len(table) and set(table["source"]) <= {"model", "residual"}


def test_cli_learn_with_the_written_examples(tmp_path, capsys):
    model = tmp_path / "written.joblib"
    args = ["learn", "--sheet", str(config.GOLD_SAMPLE), "--synthetic", "--json",
            "--out", str(model)]  # fmt: skip
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    written = summary["sheets"][-1]
    assert written["sheet"] == "written examples (--synthetic)" and written["found_by"] == "lines"
    # Not found: the lines that are metadata, not sentences: dates alone on their line (bare
    # or in parentheses), a signature, a speaker's line under a speech's title (its byline),
    # an editor's credit, and a 公文's closing notes (（此件…）, 抄送：…).
    assert written["units"] > 3000 and 0 < written["not_found"] < 60
    lost = {r["unit_id"] for r in written["not_found_rows"]}
    assert {"speech05.md:2", "acad02.md:33", "reg02.md:36", "selfcrit07.md:52"} <= lost
    assert summary["units"] == 180 + written["units"]
    learner, meta = load_model(model, load_codebook())
    # The examples trained the models; the seeds' gold alone set the thresholds.
    assert len(learner.oof_) == 180 and len(meta["trained_units"]) == summary["units"]
    assert meta["parameters"]["synthetic"] is True
    record = read_record(model)
    assert any(k.endswith("data/gold/synthetic/codes.jsonl") for k in record["inputs"])


@pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/corpus/dev")
def test_written_examples_copy_no_dev_text():
    """The examples are the project's own: no stretch of 14 ideographs is shared with
    the dev corpus (third-party texts that may not be redistributed); set phrases
    such as 党的群众路线教育实践活动 (12) stay below that."""
    import re

    n = 14
    dev = set()
    for f in DEV.glob("d[0-9]*"):
        raw = f.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        for run in re.findall(rf"[\u4e00-\u9fff]{{{n},}}", text):
            dev.update(run[i : i + n] for i in range(len(run) - n + 1))
    shared = [
        (f.name, run[i : i + n])
        for f in sorted(config.SYNTHETIC_DIR.glob("*.md"))
        for run in re.findall(rf"[\u4e00-\u9fff]{{{n},}}", f.read_text(encoding="utf-8"))
        for i in range(len(run) - n + 1)
        if run[i : i + n] in dev
    ]
    assert shared == []


def test_unit_agreement_point_estimates_and_intervals():
    rng = np.random.default_rng(3)
    n = 120
    ref = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                        "A": rng.integers(0, 2, n), "cat": rng.integers(0, 2, n)})  # fmt: skip
    flip = rng.random(n) < 0.2
    oth = ref.assign(A=np.where(flip, 1 - ref["A"], ref["A"]), cat=ref["cat"])
    groups = [f"d{i // 10}" for i in range(n)]
    r = unit_agreement(ref, oth, codes=["A"], categories=["cat"], groups=groups, n_boot=300)
    assert r["kappa_cat"] == 1.0
    tp = int(((ref["A"] == 1) & (oth["A"] == 1)).sum())
    f1 = 2 * tp / (ref["A"].sum() + oth["A"].sum())
    assert r["codes"]["A"]["f1"] == round(f1, 3)
    lo, hi = r["codes"]["A"]["f1_ci"]
    assert lo <= f1 <= hi and hi - lo > 0.01
    r2 = unit_agreement(ref, oth, codes=[], categories=["A"], groups=groups, n_boot=10)
    assert r2["kappa_A"] == pytest.approx(cohen_kappa_score(ref["A"], oth["A"]))
    # Same seed, same intervals.
    assert unit_agreement(ref, oth, codes=["A"], categories=["cat"], groups=groups,
                          n_boot=300) == r  # fmt: skip


@pytest.mark.skipif(not DEV.exists(), reason="../shared/corpus/dev not present")
def test_align_lines_aligns_as_the_external_check_does():
    """Lines of the dev gold aligned to segments exactly as ../shared/tools/dev_agreement.py."""
    import json

    from workbench.corpus import load_corpus

    files = sorted(str(p) for p in DEV.iterdir() if p.name[:1] == "d" and p.name[1:3].isdigit())
    seg = load_corpus(files[:12], skip_bad=True).segments
    with open(DEV / "gold.jsonl", encoding="utf-8") as fh:
        gold = pd.DataFrame([json.loads(line) for line in fh])
    gold["file"] = gold["unit"].str.rsplit(":", n=1).str[0]
    gold = gold[gold["file"].isin(set(seg["file"]))].rename(columns={"unit": "unit_id"})
    tool = runpy.run_path(str(DEV.parents[1] / "tools" / "dev_agreement.py"))
    norm = tool["norm"]
    ours = align_lines(gold, seg)
    by_file = {f: list(zip(g["segment_id"], g["text_orig"].map(norm), strict=True))
               for f, g in seg.groupby("file")}  # fmt: skip
    for uid, f, text in zip(gold["unit_id"], gold["file"], gold["text"], strict=True):
        ut = norm(text)
        theirs = [s for s, t in by_file.get(f, [])
                  if len(t) >= 2 and (t in ut or (len(ut) >= 6 and ut in t))]  # fmt: skip
        assert ours[uid] == theirs, uid
    assert sum(bool(v) for v in ours.values()) > 0.8 * len(gold)


def test_learner_needs_two_documents(codebook):
    frame = pd.DataFrame({"unit_id": list("abcdef"), "doc_id": ["d"] * 6,
                          "text": ["要加强监督。"] * 6})
    units = UnitTable.from_frame(frame, codebook)
    labels = pd.DataFrame({"unit_id": list("abcdef"), "M_oversight": [1, 0] * 3})
    with pytest.raises(ValueError, match=r"at least two documents \(all 6 are in 'd'\)"):
        CodeLearner(min_support=2).fit(units, labels, codebook)


def test_learner_reports_units_without_labels(codebook):
    units = UnitTable.from_frame(pd.DataFrame({"unit_id": ["a", "b"], "text": ["一", "二"]}),
                                 codebook)  # fmt: skip
    with pytest.raises(ValueError, match=r"no labels for unit\(s\) \['b'\]"):
        CodeLearner().fit(units, pd.DataFrame({"unit_id": ["a"], "M_style": [1]}), codebook)


def test_model_codes_what_no_rule_matches(codebook):
    """Trained on units sharing character n-grams, the model codes a new unit no rule matches."""
    pos = [f"{w}甲乙丙丁戊己庚辛{w}" for w in "一二三四五六"]
    neg = [f"{w}子丑寅卯辰巳午未{w}" for w in "一二三四五六"]
    frame = pd.DataFrame({"unit_id": [f"u{i}" for i in range(12)],
                          "doc_id": [f"d{i % 4}" for i in range(12)], "text": pos + neg})
    units = UnitTable.from_frame(frame, codebook)
    labels = pd.DataFrame({"unit_id": frame["unit_id"], "P_formalism": [1] * 6 + [0] * 6})
    learner = CodeLearner(min_support=4, n_splits=2, min_df=1).fit(units, labels, codebook)
    new = UnitTable.from_frame(pd.DataFrame({"unit_id": ["n", "m"],
                                             "text": ["七丙丁戊己庚八", "七寅卯辰巳八"]}), codebook)
    assert new.rules.toarray().sum() == 0
    assert learner.decide(new).codes["P_formalism"].tolist() == [1, 0]


def test_jsonl_sheet_of_coded_lines(tmp_path, seeds, codebook):
    """The dev gold's format: one JSON object per line, ``unit`` = ``file:line``, codes a list."""
    seg = seeds.segments
    para = seg[seg["paragraph_id"] == seg["paragraph_id"].iloc[40]]
    f = para["file"].iloc[0]
    lines = [
        {"unit": f"{f}:7", "text": "".join(para["text_orig"]), "codes": ["M_style", "L_visit"]},
        {"unit": f"{f}:9", "text": "完全不在语料中的一行文字内容", "codes": []},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    s = read_training_sheet(path, seg, codebook)
    assert s.how == "lines" and s.unaligned == [f"{f}:9"]
    assert [r["row"] for r in s.not_found] == [2]  # a .jsonl sheet's rows are its lines
    row = s.labels.set_index("unit_id").loc[f"{f}:7"]
    assert row["M_style"] == 1 and row["L_visit"] == 1 and row[codebook.ids].sum() == 2
    path.write_text('{"unit": "a:1", "codes": []}\nnot json\n', "utf-8")
    with pytest.raises(SheetError, match="line 2 is not JSON"):
        read_training_sheet(path, seg, codebook)


def test_cli_learn_on_two_corpora(tmp_path, capsys):
    """Sheets of a user's corpus and the seeds' gold train one model (--corpus + --seeds)."""
    src = tmp_path / "texts"
    src.mkdir()
    body = ("一、存在的问题\n有的干部作风漂浮,脱离群众,群众意见很大。\n"
            "二、对策\n要深入基层,定期走访农户,倾听群众呼声。\n")  # fmt: skip
    for i in range(3):
        (src / f"r{i}.txt").write_text(f"调查报告{i}\n" + body, encoding="utf-8")
    seg_path = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(src), "--out", str(seg_path)]) == 0
    capsys.readouterr()
    segments = pd.read_parquet(seg_path)
    assert segments["doc_id"].nunique() == 3
    units = segments.loc[~segments["is_heading"].astype(bool), "segment_id"]
    sheet = pd.DataFrame({"unit_id": units, "codes": ["P_detached", "L_visit"] * 3})
    sheet.to_csv(tmp_path / "mine.csv", index=False)
    model = tmp_path / "m.joblib"
    args = ["learn", "--corpus", str(seg_path), "--seeds", "--sheet", str(tmp_path / "mine.csv"),
            "--sheet", str(config.GOLD_SAMPLE), "--out", str(model), "--json"]  # fmt: skip
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["units"] == 186 and [r["units"] for r in out["sheets"]] == [6, 180]
    # Without --seeds the gold sample's units are not in the corpus: a message, exit 2.
    args = ["learn", "--corpus", str(seg_path), "--sheet", str(config.GOLD_SAMPLE),
            "--out", str(model)]  # fmt: skip
    assert main(args) == 2
    assert "none of its 180 units is in the corpus" in capsys.readouterr().err


def test_cli_first_sheet_without_a_model(tmp_path, capsys):
    """The loop starts without a model: a stratified random sheet, reproducible by seed."""
    out = tmp_path / "first.csv"
    assert main(["suggest", "--n", "10", "--out", str(out)]) == 0
    assert "random sample stratified by file and section role" in capsys.readouterr().err
    sheet = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(sheet) == 10 and sheet["file"].nunique() == 5 and "margin" not in sheet.columns
    again = tmp_path / "again.csv"
    assert main(["suggest", "--n", "10", "--out", str(again)]) == 0
    assert out.read_bytes() == again.read_bytes()
    other = tmp_path / "other.csv"
    assert main(["suggest", "--n", "10", "--seed", "3", "--out", str(other)]) == 0
    assert out.read_bytes() != other.read_bytes()
    # Each sheet says what it was drawn from and how (a sidecar: spreadsheets drop metadata).
    from workbench.provenance import read_record

    record = read_record(out)
    assert record["inputs"] and all(len(v) == 64 for v in record["inputs"].values())
    assert record["parameters"]["seed"] == 0 and record["parameters"]["model"] is None
    assert record["parameters"]["how"] == "stratified random" and record["parameters"]["n"] == 10
    assert read_record(other)["parameters"]["seed"] == 3


def test_sheet_and_learner_of_a_codebook_of_ones_own(tmp_path, seeds):
    from own_codebook import OWN_CATEGORIES, write_own_codebook

    from workbench.coding.coder import code_segments
    from workbench.coding.sheets import blank_sheet

    own = load_codebook(write_own_codebook(tmp_path))
    seg = seeds.analysis_segments()
    seg = seg[~seg["is_heading"]].groupby("doc_id").head(12)  # a few sentences per article
    cats = code_segments(seg, own).categories(own)
    # a blank sheet has the codebook's category columns; a coder fills them in
    sheet = blank_sheet(seg[["segment_id", "text"]].rename(columns={"segment_id": "unit_id"}),
                        [*own.categories, "codes"])  # fmt: skip
    assert [c for c in sheet.columns if c in OWN_CATEGORIES] == list(OWN_CATEGORIES)
    for cat in OWN_CATEGORIES:
        sheet[cat] = cats.loc[sheet["unit_id"], cat].to_numpy()
    sheet = sheet.drop(columns="codes")
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    read = read_training_sheet(tmp_path / "sheet.csv", seeds.segments, own)
    assert list(read.labels.columns) == ["unit_id", *OWN_CATEGORIES]
    assert read.labels[list(OWN_CATEGORIES)].sum().min() >= 2
    units = units_from_segments(seeds.segments, own, read.members)
    learner = CodeLearner(min_support=2, n_splits=2).fit(units, read.labels, own)
    assert set(learner.labels_) >= {"grievance", "remedy"}
    decision = learner.decide(units)
    assert set(decision.categories.columns) - {"unit_id"} == set(OWN_CATEGORIES)
    assert set(decision.long["category"]) <= set(OWN_CATEGORIES)
    # a sheet naming none of the codebook's categories says which they are
    pd.DataFrame({"unit_id": ["x"], "problem": [1]}).to_csv(tmp_path / "four.csv", index=False)
    with pytest.raises(SheetError, match=r"none of the category columns.*grievance"):
        read_training_sheet(tmp_path / "four.csv", seeds.segments, own)


def test_train_only_units_train_but_never_set_calibration_or_thresholds(trained, codebook):
    learner, units, sheet = trained
    # Nothing marked: exactly the plain fit.
    none = CodeLearner(n_splits=3).fit(
        units, sheet.labels, codebook, train_only=np.zeros(len(units), bool)
    )
    assert none.threshold_ == learner.threshold_ and none.platt_ == learner.platt_
    # One seed text's units only train: they get no out-of-fold score, so the
    # calibration and thresholds come from the other texts, yet the final models
    # learnt from them (predictions differ from a fit on the other texts alone).
    files = units.frame["file"].to_numpy()
    aug = files == sorted(set(files))[0]
    assert 0 < aug.sum() < len(units)
    fit = CodeLearner(n_splits=3).fit(units, sheet.labels, codebook, train_only=aug)
    assert list(fit.oof_.index) == units.frame["unit_id"][~aug].tolist()
    assert fit.trained_units_ == units.frame["unit_id"].tolist()
    rest = np.flatnonzero(~aug)
    alone = CodeLearner(n_splits=3).fit(units.subset(rest), sheet.labels, codebook)
    cats = ["problem", "cause", "countermeasure", "liaison"]
    assert not np.allclose(
        fit.predict_proba(units)[cats].to_numpy(), alone.predict_proba(units)[cats].to_numpy()
    )
    with pytest.raises(ValueError, match="train_only has 3 values for 180 units"):
        CodeLearner(n_splits=3).fit(units, sheet.labels, codebook, train_only=[True] * 3)


def test_a_suggested_sheet_filled_in_codes_only_trains_the_categories(tmp_path, seeds, capsys):
    """`suggest` writes blank category columns; a coder who fills only `codes` (as the README
    says) gets category models from those codes, not categories read as absent everywhere;
    and the codes too rare for a model are listed, not passed over."""
    from own_codebook import OWN_CATEGORIES, write_own_codebook

    from workbench.coding.coder import code_segments

    book = write_own_codebook(tmp_path)
    own = load_codebook(book)
    sheet_path = tmp_path / "first.csv"
    argv = ["suggest", "--codebook", str(book), "--n", "60", "--out", str(sheet_path)]
    assert main(argv) == 0
    sheet = pd.read_csv(sheet_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert (sheet[list(OWN_CATEGORIES)] == "").all().all()  # left for the coder
    long = code_segments(seeds.segments, own).long
    coded = long.groupby("unit_id")["code"].agg(";".join)
    sheet["codes"] = sheet["unit_id"].map(coded).fillna("")
    sheet.loc[sheet["codes"].str.contains("R_strengthen"), "remedy"] = "0"  # the coder's word
    sheet.to_csv(sheet_path, index=False, encoding="utf-8-sig")
    read = read_training_sheet(sheet_path, seeds.segments, own)
    labels = read.labels.set_index("unit_id")
    assert labels["grievance"].isna().all()  # blank: follows from the codes
    assert (labels.loc[labels["R_strengthen"] == 1, "remedy"] == 0).all()  # a 0 stands
    units = units_from_segments(seeds.segments, own, read.members)
    learner = CodeLearner(min_support=3, n_splits=2).fit(units, read.labels, own)
    g_codes = [c.id for c in own.codes if c.category == "grievance"]
    assert learner.support_["grievance"] == int(labels[g_codes].max(axis=1).sum()) >= 3
    assert "grievance" in learner.labels_
    out = tmp_path / "m.joblib"
    argv = ["learn", "--codebook", str(book), "--sheet", str(sheet_path), "--out", str(out),
            "--min-support", "1000", "--json"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["labels"] == [] and summary["min_support"] == 1000
    rare = {r["label"]: r["n"] for r in summary["too_few"]}
    assert rare["grievance"] == learner.support_["grievance"]
    assert set(rare) == {k for k, n in learner.support_.items() if n > 0}
    argv = argv[:-1]
    assert main(argv) == 0
    assert "not modelled, coded in fewer than 1000 units" in capsys.readouterr().out


# ------------------------------------------ combining: every rule code stands (session 18)


def test_combined_coding_keeps_every_rule_code_including_residuals(tmp_path, capsys):
    """A residual code its rule gives stands beside another rule code of its category.

    Found by a tester: on cause headings ("二、问题产生的原因") C_other's rule fires beside
    C_attribution (which it does not give way to); the combined coder dropped C_other there
    as if the model had given it, though the README says a rule's code always stands.
    """
    src = tmp_path / "texts"
    src.mkdir()
    # Four documents, each line worded differently (the coder drops duplicate sentences).
    headings = ["三、原因分析", "二、问题产生的原因", "二、产生问题的根源", "三、问题产生的原因"]
    problems = ["有的干部作风漂浮,脱离群众。", "少数干部脱离群众,群众意见很大。",
                "个别干部高高在上,脱离群众。", "一些干部作风不实,脱离群众。"]
    causes = ["一些干部宗旨意识淡薄。", "有的干部宗旨意识不强。", "少数干部宗旨意识淡化。",
              "个别干部宗旨观念淡薄。"]
    visits = ["要深入基层,定期走访农户。", "要经常走访农户,倾听群众呼声。",
              "干部要定期走访农户,了解民情。", "坚持走访农户,问计于民。"]  # fmt: skip
    for i, lines in enumerate(zip(problems, headings, causes, visits, strict=True)):
        body = "\n".join(["一、存在的问题", lines[0], lines[1], lines[2], "四、对策", lines[3]])
        (src / f"r{i}.txt").write_text(f"调查报告{i}\n{body}\n", encoding="utf-8")
    seg_path = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(src), "--out", str(seg_path)]) == 0
    segments = pd.read_parquet(seg_path)
    heading = segments.loc[segments["text"].isin(headings), "segment_id"].tolist()
    assert len(heading) == 4
    rules_path = tmp_path / "rules.parquet"
    assert main(["code", "--corpus", str(seg_path), "--out", str(rules_path)]) == 0
    by_rule = pd.read_parquet(rules_path)
    on_heading = by_rule[by_rule["unit_id"].isin(heading)]
    # The situation of the defect: the rules give the headings C_other and C_attribution.
    assert set(on_heading["code"]) >= {"C_other", "C_attribution"}
    assert (on_heading["code"] == "C_other").sum() == 4
    # A sheet coding the headings C_other (as the tester's did) and the other lines.
    codes = {**dict.fromkeys(problems, "P_detached"), **dict.fromkeys(causes, "C_ideology"),
             **dict.fromkeys(headings, "C_other"), **dict.fromkeys(visits, "L_visit")}
    sheet = segments.loc[segments["text"].isin(list(codes)), ["segment_id", "text"]]
    sheet = pd.DataFrame({"unit_id": sheet["segment_id"], "codes": sheet["text"].map(codes)})
    assert len(sheet) == 16
    sheet.to_csv(tmp_path / "sheet.csv", index=False)
    model = tmp_path / "m.joblib"
    args = ["learn", "--corpus", str(seg_path), "--sheet", str(tmp_path / "sheet.csv"),
            "--out", str(model), "--min-support", "3"]  # fmt: skip
    assert main(args) == 0
    combined_path = tmp_path / "combined.parquet"
    args = ["code", "--corpus", str(seg_path), "--model", str(model), "--out", str(combined_path)]
    assert main(args) == 0
    capsys.readouterr()
    combined = pd.read_parquet(combined_path)
    key = ["unit_id", "code"]
    lost = set(map(tuple, by_rule[key].to_numpy())) - set(map(tuple, combined[key].to_numpy()))
    assert not lost
    kept = combined[combined["unit_id"].isin(heading) & (combined["code"] == "C_other")]
    assert len(kept) == 4 and set(kept["source"]) <= {"rule", "rule+model"}


def test_a_handful_of_coded_units_gets_fewer_folds_not_a_library_error():
    """Five coded units whose code combinations are mostly unique: scikit-learn's
    StratifiedGroupKFold refused three folds ("n_splits=3 cannot be greater than the
    number of members in each class"); two folds are made instead."""
    learner = CodeLearner(n_splits=3)
    y = np.array([0, 0, 1, 2, 3])
    folds = learner._splits(y, np.array(["a", "b", "c", "d", "e"]))
    assert len(folds) == 2
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="all differ: code more units"):
        learner._splits(np.array([0, 1, 2]), np.array(["a", "b", "c"]))


def test_synthetic_with_a_codebook_of_ones_own_says_what_to_do(tmp_path):
    """`learn --synthetic --codebook mine.yaml` listed a hundred rows of the bundled
    examples "to correct"; it now says that the examples need the bundled codes."""
    from own_codebook import write_own_codebook

    from workbench.coding.codebook import load_codebook
    from workbench.coding.learn import written_examples
    from workbench.coding.sheets import SheetError

    own = load_codebook(write_own_codebook(tmp_path))
    with pytest.raises(SheetError, match=r"--synthetic: the bundled written examples are coded "
                       r"with the bundled codebook's codes, and \d+ of them are not in "
                       r".*leave out --synthetic"):  # fmt: skip
        written_examples(own)


def test_a_codes_cell_typed_in_excel_with_a_chinese_input_method(tmp_path):
    """A coder filling `codes` in Excel with a Chinese input method types ；，、 or a line
    break between ids, or p_trust: each was refused as an unknown code. A label typed for
    the id (which may hold a 、 itself) is named with the id to write."""
    from workbench.coding.sheets import read_code_list

    sheet = tmp_path / "s.csv"
    pd.DataFrame({"unit_id": ["a", "b", "c", "d"],
                  "codes": ["P_trust；L_visit", "m_system、L_talk，P_rough", "L_visit\nP_trust",
                            ""]}).to_csv(sheet, index=False, encoding="gbk")  # fmt: skip
    ids = ["P_trust", "P_rough", "M_system", "L_visit", "L_talk"]
    got = read_code_list(sheet, ids)
    assert got[ids].to_numpy().tolist() == [[1, 0, 0, 1, 0], [0, 1, 1, 0, 1], [1, 0, 0, 1, 0],
                                            [0, 0, 0, 0, 0]]  # fmt: skip
    pd.DataFrame({"unit_id": ["a"], "codes": ["走马观花、形式主义"]}).to_csv(sheet, index=False)
    cb = load_codebook()
    named = {c.label(lang): c.id for c in cb.codes for lang in ("zh", "en")}
    with pytest.raises(SheetError, match="'走马观花、形式主义' in row 2 \\(the label of "
                                         "'P_formalism': write the id\\)"):
        read_code_list(sheet, cb.ids, labels=named)


def test_cli_a_sheet_not_filled_in_and_an_unknown_sheet_format(tmp_path, capsys):
    """learn on a sheet as suggest wrote it (nothing filled in) trained "0 labels" and wrote
    a model that adds nothing, without a word; suggest --out s.xls did all its work, then
    failed as "a bug" with a traceback."""
    sheet = tmp_path / "next.csv"
    assert main(["suggest", "--n", "12", "--out", str(sheet)]) == 0
    capsys.readouterr()
    out = tmp_path / "m.joblib"
    assert main(["learn", "--sheet", str(sheet), "--out", str(out)]) == 2
    assert "carries a code or a category: fill the `codes` column" in capsys.readouterr().err
    assert not out.exists()
    assert main(["suggest", "--n", "12", "--out", str(tmp_path / "s.xls")]) == 2
    err = capsys.readouterr().err
    assert "s.xls: unknown format '.xls'" in err and "bug" not in err


def test_a_category_written_0_beside_one_of_its_codes_is_warned_of(tmp_path, seeds, codebook,
                                                                    caplog):  # fmt: skip
    """A coder types P_detached in `codes` and 0 under `problem`: the 0 stands, so the
    unit trained problem as absent and P_detached as present, without a word."""
    gold = pd.read_csv(config.GOLD_SAMPLE, dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")  # fmt: skip
    first = gold.index[gold["codes"].str.contains("P_")][0]
    gold.loc[first, "problem"] = "0"
    path = tmp_path / "sheet.csv"
    gold.to_csv(path, index=False, encoding="utf-8-sig")
    with caplog.at_level("WARNING", logger="workbench.coding.learn"):
        sheet = read_training_sheet(path, seeds.segments, codebook)
    assert (f"column 'problem' is 0 in row(s) {first + 2}, whose codes include one of its "
            "codes; the 0 stands") in caplog.text
    assert sheet.labels.set_index("unit_id").loc[gold.loc[first, "unit_id"], "problem"] == 0
    caplog.clear()
    with caplog.at_level("WARNING", logger="workbench.coding.learn"):
        read_training_sheet(config.GOLD_SAMPLE, seeds.segments, codebook)
    assert "the 0 stands" not in caplog.text  # the bundled gold has no such cell
