"""How well the coder transfers to texts it was not written from: the dev corpus's gold.

Reads ``../shared/corpus/dev`` (never bundled: third-party texts) and the committed split
``data/gold/dev_split.csv``. Trains the learned coder on the seeds' gold plus the gold of
the dev files of one part and measures rules alone, the learned coder alone and the two
combined on the files of another part, lines aligned to sentences the way
``../shared/tools/dev_agreement.py`` does, with bootstrap intervals over documents.

Usage::

    .venv/bin/python benchmarks/coding_transfer.py --design   # tune part only: 2-fold by document
    .venv/bin/python benchmarks/coding_transfer.py --report --extra   # frozen: transfer.json

``--write-sheet SHEET.csv`` writes the whole dev gold plus the extra coding as one sheet for
``workbench learn`` (the learned coder for checks on other texts, data/gold/README.md).

``--extra`` adds the extra coding of the tune part (``data/gold/dev_tune_extra.jsonl``: unit ids
and codes; the text comes from the dev corpus) to the training lines and the learning curve.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import config
from workbench.coding.codebook import load_codebook
from workbench.coding.learn import (
    CodeLearner,
    UnitTable,
    read_training_sheet,
    sentence_rules,
    units_from_segments,
    written_examples,
)
from workbench.coding.reliability import unit_agreement
from workbench.coding.sheets import align_lines
from workbench.corpus import load_corpus

DEV = config.ROOT.parent / "shared" / "corpus" / "dev"
#: Extra coded lines of the dev tune part (unit ids and codes, no text): data/gold/README.md.
EXTRA = config.GOLD_DIR / "dev_tune_extra.jsonl"
SPLIT = config.GOLD_DIR / "dev_split.csv"
CATCH_ALLS = ("P_other", "C_other", "M_other", "C_attribution")


def dev_gold() -> pd.DataFrame:
    with open(DEV / "gold.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    gold = pd.DataFrame(rows)
    gold["file"] = gold["unit"].str.rsplit(":", n=1).str[0]
    gold["unit_id"] = gold["unit"]
    gold["codes"] = gold["codes"].map(";".join)
    split = pd.read_csv(SPLIT)
    return gold.merge(split[["file", "part"]], on="file", how="left")


def dev_extra(gold: pd.DataFrame) -> pd.DataFrame:
    """The extra coding of the tune part (:data:`EXTRA`: unit ids and codes, no text),
    joined to its text from ``units.jsonl`` (the texts may not be redistributed).

    Lines of the gold are left out (the gold wins). Extra coding is for training and
    design on the tune part only: a line of a test-part file is an error.
    """
    text = {}
    with open(DEV / "units.jsonl", encoding="utf-8") as fh:
        for line in fh:
            u = json.loads(line)
            text[u["unit"]] = u["text"]
    with open(EXTRA, encoding="utf-8") as fh:
        extra = pd.DataFrame([json.loads(line) for line in fh if line.strip()])
    extra["file"] = extra["unit"].str.rsplit(":", n=1).str[0]
    extra["unit_id"] = extra["unit"]
    extra["text"] = extra["unit"].map(text)
    extra["codes"] = extra["codes"].map(";".join)
    split = pd.read_csv(SPLIT)
    extra = extra.merge(split[["file", "part"]], on="file", how="left")
    if (extra["part"] != "tune").any():
        raise SystemExit(f"{EXTRA}: extra coding may code tune-part files only")
    return extra[~extra["unit"].isin(set(gold["unit"]))].reset_index(drop=True)


def dev_segments() -> pd.DataFrame:
    files = sorted(str(p) for p in DEV.iterdir() if p.name[:1] == "d" and p.name[1:3].isdigit())
    return load_corpus(files, skip_bad=True).segments


def sheet_of(gold: pd.DataFrame, path: Path) -> Path:
    gold[["unit_id", "file", "text", "codes"]].to_csv(path, index=False, encoding="utf-8-sig")
    return path


def train_units(
    cb, seeds_seg, seeds_rules, dev_seg, dev_rules, dev_train: pd.DataFrame, tmp: Path,
    written=None,
):  # fmt: skip
    """Units and labels to train on, and which of them only train (``written``: the
    written examples, :func:`workbench.coding.learn.written_examples`, last)."""
    tables, labels = [], []
    s = read_training_sheet(config.GOLD_SAMPLE, seeds_seg, cb)
    tables.append(units_from_segments(seeds_seg, cb, s.members, rules=seeds_rules))
    labels.append(s.labels)
    if len(dev_train):
        d = read_training_sheet(sheet_of(dev_train, tmp / "dev_train.csv"), dev_seg, cb)
        tables.append(units_from_segments(dev_seg, cb, d.members, rules=dev_rules))
        labels.append(d.labels)
    n_coded = sum(len(t) for t in tables)
    if written is not None:
        tables.append(written[0])
        labels.append(written[1].labels)
    units = UnitTable.concat(tables)
    return units, pd.concat(labels, ignore_index=True), np.arange(len(units)) >= n_coded


def line_tables(gold: pd.DataFrame, seg: pd.DataFrame, seg_codes: dict[str, set[str]], cb):
    """Gold and predicted 0/1 tables per line (codes + category letters), as the tool."""
    aligned = align_lines(gold, seg)
    cat_letter = {c.id: c.id[0] for c in cb.codes}
    ref, pred = [], []
    for uid, codes in zip(gold["unit_id"], gold["codes"], strict=True):
        g = {c for c in codes.split(";") if c}
        p = set().union(*(seg_codes.get(s, set()) for s in aligned[uid])) if aligned[uid] else set()
        ref.append(
            {
                "unit_id": uid,
                **{c: int(c in g) for c in cb.ids},
                **{k: int(any(cat_letter[c] == k for c in g)) for k in "PCML"},
            }
        )
        pred.append(
            {
                "unit_id": uid,
                **{c: int(c in p) for c in cb.ids},
                **{k: int(any(cat_letter[c] == k for c in p)) for k in "PCML"},
            }
        )
    n_aligned = sum(bool(v) for v in aligned.values())
    return pd.DataFrame(ref), pd.DataFrame(pred), n_aligned


def codes_by_segment(long: pd.DataFrame, units: UnitTable) -> dict[str, set[str]]:
    members = dict(zip(units.frame["unit_id"], units.frame["segment_ids"].str.split(), strict=True))
    out: dict[str, set[str]] = {}
    for u, c in zip(long["unit_id"], long["code"], strict=True):
        for s in members[u]:
            out.setdefault(s, set()).add(c)
    return out


def rule_long(units: UnitTable) -> pd.DataFrame:
    r, c = units.rules.nonzero()
    return pd.DataFrame(
        {"unit_id": units.frame["unit_id"].to_numpy()[r], "code": np.asarray(units.codes)[c]}
    )


def agreement(ref: pd.DataFrame, pred: pd.DataFrame, groups, cb) -> dict:
    return unit_agreement(
        ref,
        pred,
        codes=cb.ids,
        categories=list("PCML"),
        groups=groups,
        catch_alls=CATCH_ALLS,
        n_boot=1000,
        seed=0,
    )


def evaluate_dev(cb, learners: dict, dev_seg, gold_eval, unit="sentence") -> dict:
    """Rules and each learner on the dev lines of ``gold_eval``, as the external check."""
    seg = dev_seg[dev_seg["file"].isin(set(gold_eval["file"]))].reset_index(drop=True)
    units = units_from_segments(seg, cb, unit)
    longs = {"rules": rule_long(units)}
    for name, learner in learners.items():
        longs[name] = learner.decide(units).long
    out = {}
    for name, long in longs.items():
        ref, pred, n_al = line_tables(gold_eval, seg, codes_by_segment(long, units), cb)
        out[name] = agreement(ref, pred, gold_eval["file"].to_numpy(), cb)
        out[name]["aligned"] = n_al
    return out


def evaluate_seeds(cb, learners: dict, seeds_seg, split: str = "heldout") -> dict:
    """Rules and each learner on the seeds' gold sentences of ``split``."""
    sheet = read_training_sheet(config.GOLD_SAMPLE, seeds_seg, cb)
    raw = pd.read_csv(config.GOLD_SAMPLE, encoding="utf-8-sig", usecols=["unit_id", "split"])
    keep = set(raw.loc[raw["split"] == split, "unit_id"])
    members = {u: m for u, m in sheet.members.items() if u in keep}
    units = units_from_segments(seeds_seg, cb, members)
    letters = {c.id: c.id[0] for c in cb.codes}

    def table(long):
        have = long.groupby("unit_id")["code"].agg(set)
        rows = []
        for u in units.frame["unit_id"]:
            got = have.get(u, set())
            rows.append(
                {
                    "unit_id": u,
                    **{c: int(c in got) for c in cb.ids},
                    **{k: int(any(letters[c] == k for c in got)) for k in "PCML"},
                }
            )
        return pd.DataFrame(rows)

    lab = sheet.labels.set_index("unit_id").loc[units.frame["unit_id"], cb.ids]
    gold_long = pd.DataFrame(
        [(u, c) for u, row in lab.iterrows() for c in cb.ids if row[c]], columns=["unit_id", "code"]
    )
    ref = table(gold_long)
    longs = {"rules": rule_long(units)} | {n: lr.decide(units).long for n, lr in learners.items()}
    groups = units.frame["file"].to_numpy()
    return {name: agreement(ref, table(long), groups, cb) for name, long in longs.items()}


def fit_pair(cb, X, y, params, ablation: bool = True, train_only=None) -> dict:
    """The combined coder and the learned coder alone (and the text-only ablation)."""
    out = {
        "combined": CodeLearner(**params).fit(X, y, cb, train_only=train_only),
        "learned": CodeLearner(**params, combine=False).fit(X, y, cb, train_only=train_only),
    }
    if ablation:
        out["text_only"] = CodeLearner(**params, use_rules=False).fit(
            X, y, cb, train_only=train_only
        )
    return out


def brief(r: dict) -> dict:
    keys = ("kappa_P", "kappa_C", "kappa_M", "kappa_L", "macro_f1_specific")
    return {k: round(r[k], 3) for k in keys} | {k + "_ci": r[k + "_ci"] for k in keys}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--design", action="store_true", help="tune part only: 2-fold by document")
    ap.add_argument(
        "--report",
        action="store_true",
        help="freeze: train on tune, test once on test; transfer; learning curve",
    )
    ap.add_argument("--unit", default="sentence")
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--min-support", type=int, default=5)
    ap.add_argument("--rule-weight", type=float, default=1.0)
    ap.add_argument("--ngram", default="1,3")
    ap.add_argument("--words", action="store_true")
    ap.add_argument("--out", type=Path, default=config.GOLD_DIR / "transfer.json")
    ap.add_argument("--codebook", type=Path, help="another codebook (e.g. an earlier version)")
    ap.add_argument(
        "--extra",
        action="store_true",
        help=f"train also on the extra coded tune lines of {EXTRA.name}",
    )
    ap.add_argument(
        "--synthetic",
        action="store_true",
        help="train also on the written examples (data/gold/synthetic), as train-only units",
    )
    ap.add_argument(
        "--ablation", action="store_true", help="with --design: also the text-only learner (slow)"
    )
    ap.add_argument(
        "--eval-extra",
        action="store_true",
        help="with --design: also score against the held-out fold's extra lines",
    )
    ap.add_argument(
        "--rules-only",
        action="store_true",
        help="with --report: only the rules on the test part (a baseline)",
    )
    ap.add_argument(
        "--write-sheet",
        type=Path,
        metavar="SHEET.csv",
        help="write the whole dev gold (both parts) plus the extra coding as one coding sheet "
        "with text, for `workbench learn` (keep it outside the repository: the texts may not "
        "be redistributed), and stop",
    )
    a = ap.parse_args()
    if not DEV.exists():
        print(f"skipped: {DEV} not found")
        return 0
    if a.write_sheet:
        gold = dev_gold()
        if a.write_sheet.resolve().is_relative_to(config.ROOT):
            raise SystemExit(f"{a.write_sheet}: write the sheet outside the repository")
        sheet_of(pd.concat([gold, dev_extra(gold)], ignore_index=True), a.write_sheet)
        print(f"wrote {a.write_sheet}")
        return 0
    tmp = Path("/tmp/coding_transfer")
    tmp.mkdir(exist_ok=True)
    cb = load_codebook(a.codebook)
    seeds_seg = load_corpus().segments
    seeds_rules = sentence_rules(seeds_seg, cb)
    dev_seg = dev_segments()
    dev_rules = sentence_rules(dev_seg, cb)
    gold = dev_gold()
    params = dict(
        C=a.C,
        min_support=a.min_support,
        rule_weight=a.rule_weight,
        words=a.words,
        ngram_range=tuple(int(x) for x in a.ngram.split(",")),
    )
    tune, test = gold[gold["part"] == "tune"], gold[gold["part"] == "test"]
    extra = dev_extra(gold) if a.extra else gold.iloc[:0]
    written = written_examples(cb) if a.synthetic else None
    if len(extra):
        print(f"extra coded tune lines: {len(extra)} from {extra['file'].nunique()} files")
    if a.design:
        files = sorted(tune["file"].unique())
        half = set(np.random.default_rng(7).permutation(files)[: len(files) // 2])
        for i, ev_half in enumerate((True, False)):
            ev = tune[tune["file"].isin(half) == ev_half]
            tr = tune[tune["file"].isin(half) != ev_half]
            tr = pd.concat([tr, extra[extra["file"].isin(half) != ev_half]])
            X, y, only = train_units(
                cb, seeds_seg, seeds_rules, dev_seg, dev_rules, tr, tmp, written
            )
            learners = fit_pair(cb, X, y, params, ablation=a.ablation, train_only=only)
            res = evaluate_dev(cb, learners, dev_seg, ev, a.unit)
            for name, r in res.items():
                print(f"fold{i}", name, brief(r) | {"aligned": r["aligned"]})
            if a.eval_extra:
                ev_x = extra[extra["file"].isin(half) == ev_half]
                for name, r in evaluate_dev(cb, learners, dev_seg, ev_x, a.unit).items():
                    print(f"fold{i} extra", name, brief(r) | {"lines": len(ev_x)})
        return 0
    if not a.report:
        ap.print_help()
        return 2
    report: dict = {
        "what": "agreement with the dev gold (../shared/corpus/dev), lines aligned to sentences "
        "as ../shared/tools/dev_agreement.py; 95% percentile bootstrap intervals over "
        "documents (1000 resamples, seed 0); see data/gold/README.md",
        "codebook_version": cb.version,
        "split": "data/gold/dev_split.csv",
        "parameters": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "learner_defaults": {
            "min_precision": CodeLearner.min_precision,
            "override_rules": CodeLearner.override_rules,
        },
        "unit": a.unit,
    }
    if a.rules_only:
        res = evaluate_dev(cb, {}, dev_seg, test, a.unit)["rules"]
        print(json.dumps({"codebook_version": cb.version, "rules": brief(res)}, ensure_ascii=False))
        return 0
    # 1. Frozen: trained on dev tune + seeds' gold, tested once on the dev test part.
    train = pd.concat([tune, extra])
    X, y, only = train_units(cb, seeds_seg, seeds_rules, dev_seg, dev_rules, train, tmp, written)
    report["train_units"] = len(X)
    report["train_dev_lines"] = {"gold": len(tune), "extra": len(extra)}
    report["train_only_written_examples"] = int(only.sum())
    report["test"] = evaluate_dev(
        cb, fit_pair(cb, X, y, params, train_only=only), dev_seg, test, a.unit
    )
    print("test", {k: brief(v) for k, v in report["test"].items()})
    # 2. Transfer: seeds' gold only -> dev test; dev tune only -> seeds' held-out gold.
    Xs, ys, _ = train_units(cb, seeds_seg, seeds_rules, dev_seg, dev_rules, tune.iloc[:0], tmp)
    report["seeds_to_dev_test"] = evaluate_dev(
        cb, fit_pair(cb, Xs, ys, params), dev_seg, test, a.unit
    )
    d = read_training_sheet(sheet_of(train, tmp / "tune.csv"), dev_seg, cb)
    Xd = units_from_segments(dev_seg, cb, d.members, rules=dev_rules)
    report["dev_tune_to_seeds_heldout"] = evaluate_seeds(
        cb, fit_pair(cb, Xd, d.labels, params), seeds_seg
    )
    # 3. Learning curve: the seeds' gold plus n coded dev tune lines — the human gold's lines
    # first (random order, seeded), then the extra coding's (random order, seeded).
    curve = []
    pool = pd.concat(
        [
            tune.iloc[np.random.default_rng(11).permutation(len(tune))],
            extra.iloc[np.random.default_rng(12).permutation(len(extra))],
        ]
    )
    steps = [0, 100, len(tune)] + [len(tune) + k for k in (500, 1000) if k < len(extra)]
    for n in dict.fromkeys([*steps, len(pool)]):
        sub = pool.iloc[:n]
        Xn, yn, only = train_units(
            cb, seeds_seg, seeds_rules, dev_seg, dev_rules, sub, tmp, written
        )
        res = evaluate_dev(
            cb, fit_pair(cb, Xn, yn, params, train_only=only), dev_seg, test, a.unit
        )
        for name, r in res.items():
            curve.append({"dev_lines": n, "train_units": len(Xn), "coder": name} | brief(r))
        print("curve", n, {k: brief(v)["kappa_M"] for k, v in res.items()})
    report["learning_curve"] = curve
    a.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
