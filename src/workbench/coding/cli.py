"""Bodies of ``workbench code`` and ``workbench codebook`` (registered in :mod:`workbench.cli`).

``workbench code [--corpus SEGMENTS.parquet] [--codebook YAML] [--unit U] --out CODES [--json]``
    Code a segments table (default: the bundled seeds, de-duplicated) and write the
    long table (``.parquet`` with provenance, or ``.csv``) and, beside it,
    ``<name>.matrix.npz`` (sparse unit × code) and ``<name>.units.csv``. Every file
    carries the provenance record (Parquet metadata, or a ``.provenance.json``
    sidecar); ``--json`` prints it with the units and articles of each code.
``workbench learn --sheet SHEET [--sheet ...] --out MODEL.joblib [--json]``
    Train the learned coder; the model records its provenance and gets a
    ``.provenance.json`` sidecar; ``--json`` prints the summary with that record.
``workbench reliability SHEET SHEET [SHEET ...] [--codebook YAML] [--out TABLE] [--json]``
    Agreement of coders' filled sheets per category and per code used: counts, percent
    agreement, Cohen's kappa (two coders) with a seeded bootstrap interval over documents,
    Krippendorff's alpha (:func:`reliability_table`).
``workbench codebook new OUT.yaml``
    Write a commented starting codebook (a few problem and countermeasure codes, every
    field, the rule language, polarity, sets, catch-alls explained) that loads as it is;
    an existing file is never overwritten (exit 2).
``workbench codebook lint [--codebook YAML] [--corpus SEGMENTS.parquet]``
    Print terms that never match — dead terms or typos (``unmatched``), and, for
    information, the declared variants absent from this corpus — and terms jieba
    splits (``--strict``: exit 1 if a term is ``unmatched``).
``workbench codebook show [--codebook YAML] [--lang zh|en]``
    Print the categories (label, the part each plays, number of codes), then the codes.

A malformed codebook exits with status 2 and a message listing every error, each naming
the code and the field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import config

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from workbench.coding.codebook import Codebook

# pandas and scipy are imported where a command runs, not here: declaring the commands'
# arguments (``workbench --help``, ``workbench code --help``) must stay light
# (tests/test_cli_imports.py).

EXIT_BAD_INPUT = 2


def _how_many(text: str) -> int:
    """``suggest --n``: a whole number, 1 or more.

    ``--n 0`` wrote an empty sheet and exited 0: a sheet of no units is a typing mistake.

    Examples
    --------
    >>> _how_many("7")
    7
    >>> _how_many("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: give the number of units to put on the sheet, 1 or more, not 0
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"give the number of units to put on the sheet, 1 or more, not {text}"
        )
    return value


def add_code_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``code``."""
    p = sub.add_parser("code", help="code a corpus with a codebook")
    p.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    p.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    units = ("sentence", "paragraph", "section", "article")
    p.add_argument("--unit", choices=units, default="sentence")
    p.add_argument("--keep-duplicates", action="store_true", help="code duplicate segments too")
    p.add_argument(
        "--model",
        type=Path,
        metavar="MODEL.joblib",
        help="a model from `workbench learn`: rules and model combined, or the "
        "models alone if it was learned with --alone",
    )
    p.add_argument("--out", type=Path, required=True, metavar="CODES.parquet|.csv")
    p.add_argument(
        "--json",
        action="store_true",
        help="print a summary (codes, units, articles, provenance) as JSON",
    )


def add_learn_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``learn`` and ``suggest``."""
    p = sub.add_parser("learn", help="train a coder from coded sheets")
    p.add_argument(
        "--corpus",
        type=Path,
        action="append",
        metavar="SEGMENTS.parquet",
        help="the corpus the sheets code (repeat for several; default: the seeds)",
    )
    p.add_argument(
        "--seeds",
        action="store_true",
        help="also the bundled seeds (for data/gold/gold_sample.csv beside your sheets)",
    )
    p.add_argument(
        "--sheet",
        type=Path,
        action="append",
        required=True,
        metavar="SHEET.csv|.xlsx|.jsonl",
        help="a coded sheet (repeat for several)",
    )
    p.add_argument(
        "--synthetic",
        action="store_true",
        help="also the bundled written examples (data/gold/synthetic/: 84 documents "
        "made for training); they train the models but never set thresholds",
    )
    p.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    p.add_argument(
        "--min-support",
        type=int,
        default=5,
        help="positive units a code needs for a model of its own (default 5)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--alone",
        action="store_true",
        help="the learned coder alone: codes only where a model asserts them (the "
        "rules' matches stay features; a rule firing assigns nothing by itself)",
    )
    p.add_argument(
        "--override-rules",
        action="store_true",
        help="let a model take a code over from its rule where it did better in "
        "cross-validation (default: rules always assign, models only add)",
    )
    p.add_argument("--out", type=Path, required=True, metavar="MODEL.joblib")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    s = sub.add_parser("suggest", help="write the next coding sheet (most uncertain units)")
    s.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    s.add_argument(
        "--model",
        type=Path,
        metavar="MODEL.joblib",
        help="without one: a first sheet, a random sample stratified by file and role",
    )
    s.add_argument("--seed", type=int, default=0, help="seed of the first, random sheet")
    s.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    s.add_argument("--unit", choices=("sentence", "paragraph"), default="sentence")
    s.add_argument("--n", type=_how_many, default=50, help="units on the sheet (default 50)")
    s.add_argument("--out", type=Path, required=True, metavar="NEXT.csv|.xlsx")


def add_codebook_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``codebook new``, ``codebook lint`` and ``codebook show``."""
    p = sub.add_parser("codebook", help="start, check or show a codebook")
    csub = p.add_subparsers(dest="action", required=True)
    new = csub.add_parser("new", help="write a commented starting codebook to edit")
    new.add_argument("out", type=Path, metavar="OUT.yaml", help="file to write (never overwritten)")
    lint = csub.add_parser("lint", help="terms that never match, terms jieba splits")
    lint.add_argument("--codebook", type=Path, default=None)
    lint.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    lint.add_argument("--strict", action="store_true", help="exit 1 if a term never matches")
    show = csub.add_parser("show", help="print the codes")
    show.add_argument("--codebook", type=Path, default=None)
    show.add_argument("--lang", choices=("zh", "en"), default="zh")


def run_code(args: argparse.Namespace) -> int:
    """``workbench code``."""
    from scipy import sparse

    from workbench.cli_output import check_suffix
    from workbench.coding.codebook import CodebookError, load_codebook
    from workbench.coding.coder import code_segments
    from workbench.csvio import write_csv
    from workbench.groups import read_segments
    from workbench.provenance import make_record, sha256_file, write_parquet, write_sidecar

    # A .txt or folder --out would be found only after the coding (or written as Parquet
    # under a name `workbench network --codes` then reads as CSV).
    check_suffix(args.out, (".parquet", ".csv"))
    try:
        codebook = load_codebook(args.codebook)
        data = read_segments(args.corpus, dedup=not args.keep_duplicates)
        segments, inputs = data.segments, data.inputs
    except (CodebookError, FileNotFoundError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # Told once: the rules use it and the summary reports it.
    seg_kinds = codebook.segment_kinds(segments)
    if args.model is not None:
        from workbench.coding.learn import code_with_model, load_model

        # A ModelError (wrong codebook, not a model) reaches the CLI's one handler: exit 2.
        learner, _meta = load_model(args.model, codebook)
        coding = code_with_model(segments, codebook, learner, args.unit)
        inputs = {**inputs, config.display_path(args.model.resolve()): sha256_file(args.model)}
    else:
        coding = code_segments(segments, codebook, args.unit, kinds=seg_kinds)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    params = {
        "unit": args.unit, "codebook": codebook.path or config.display_path(config.CODEBOOK),
        "codebook_version": codebook.version, "dedup": not args.keep_duplicates,
        **({"model": config.display_path(args.model)} if args.model is not None else {}),
    }  # fmt: skip
    if (book := codebook.file) is not None:  # a derived file depends on the codebook too
        inputs = {**inputs, config.display_path(book): sha256_file(book)}
    record = make_record(inputs, params)
    stem = out.with_suffix("")
    matrix, units = Path(f"{stem}.matrix.npz"), Path(f"{stem}.units.csv")
    if out.suffix == ".csv":
        write_csv(coding.long, out)
        write_sidecar(out, record)
    else:
        write_parquet(coding.long, out, record)
    sparse.save_npz(matrix, coding.matrix)
    write_csv(coding.units, units)
    for path in (matrix, units):  # formats without metadata get a sidecar
        write_sidecar(path, record)
    n_coded = coding.long["unit_id"].nunique()
    print(
        f"wrote {out}: {len(coding.long)} codes on {n_coded} of {len(coding.units)} "
        f"{args.unit} units; matrix {stem}.matrix.npz, units {stem}.units.csv",
        file=sys.stderr,
    )
    kinds = document_kinds(segments, codebook, seg_kinds)
    if codebook.kinds:  # rules that depend on the kind of document: say what was told
        told = ", ".join(f"{k} {n}" for k, n in kinds.items())
        print(f"documents by kind (codebook's document_kinds): {told}", file=sys.stderr)
    if args.json:
        from workbench.cli_output import print_json, records

        print_json({
            "command": "code", "provenance": record,
            "files": [str(out), str(matrix), str(units)], "unit": args.unit,
            "units": len(coding.units), "coded_units": n_coded,
            "assignments": len(coding.long), "codes": records(code_counts(coding, codebook)),
            "document_kinds": kinds,
        })  # fmt: skip
    return 0


def document_kinds(
    segments: pd.DataFrame, codebook: Codebook, kinds: Sequence[str] | None = None
) -> dict[str, int]:
    """How many documents (``doc_id``) the codebook's ``document_kinds`` tell as each kind,
    in the codebook's order, ``text`` (no declared kind) last; kinds with none left out.
    ``kinds``: each segment's kind when already told (:meth:`Codebook.segment_kinds`).

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.coding.codebook import load_codebook
    >>> seg = pd.DataFrame({"doc_id": ["a", "a", "b"],
    ...                     "text": ["各位代表：", "要加强领导。", "要加强领导。"]})
    >>> document_kinds(seg, load_codebook())
    {'report': 1, 'text': 1}
    """
    import pandas as pd

    from workbench.coding.rules import PLAIN_KIND

    if kinds is None:
        kinds = codebook.segment_kinds(segments)
    kind = pd.Series(list(kinds), index=segments.index, dtype=object)
    per_doc = kind.groupby(segments["doc_id"].astype(str).to_numpy(), sort=False).first()
    counts = per_doc.value_counts()
    order = [k.name for k in codebook.kinds] + [PLAIN_KIND]
    return {k: int(counts[k]) for k in order if k in counts.index}


def finite(value):
    """``value`` with every NaN or infinite float (nested in dicts and lists) made ``None``.

    JSON has no NaN or Infinity; a strict reader (``jq``, JavaScript) refuses them.

    Examples
    --------
    >>> finite({"threshold": float("inf"), "rows": [1.5, float("nan")]})
    {'threshold': None, 'rows': [1.5, None]}
    """
    import math

    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def code_counts(coding, codebook) -> pd.DataFrame:
    """Units and articles per code of a coding, every code of the codebook in its order.

    Parameters
    ----------
    coding : workbench.coding.coder.Coding
        ``long`` (``unit_id, code, …``, with ``source`` when a model took part) and
        ``units`` (``unit_id, doc_id, …``).
    codebook : workbench.coding.codebook.Codebook

    Returns
    -------
    pandas.DataFrame
        ``code, category, catch_all, units, articles`` (codes never assigned have 0), and, when
        the coding has a ``source`` column, one column of units per source
        (``rule``, ``model`` …).
    """
    import pandas as pd

    long = coding.long.merge(coding.units[["unit_id", "doc_id"]], on="unit_id", how="left")
    table = pd.DataFrame({"code": [c.id for c in codebook.codes],
                          "category": [c.category for c in codebook.codes],
                          "catch_all": [bool(c.catch_all) for c in codebook.codes]})  # fmt: skip
    grouped = long.groupby("code")
    table["units"] = table["code"].map(grouped["unit_id"].nunique()).fillna(0).astype(int)
    table["articles"] = table["code"].map(grouped["doc_id"].nunique()).fillna(0).astype(int)
    if "source" in long.columns:
        by_source = long.groupby(["code", "source"])["unit_id"].nunique().unstack(fill_value=0)
        for source in sorted(by_source.columns):
            table[source] = table["code"].map(by_source[source]).fillna(0).astype(int)
    return table


def _new_codebook(out: Path) -> int:
    """``workbench codebook new OUT.yaml``: copy the commented template, never over a file.

    Parameters
    ----------
    out : Path
        The ``.yaml`` file to write; its folder is created if missing.

    Returns
    -------
    int
        0, or 2 (:data:`EXIT_BAD_INPUT`) if ``out`` exists or is not a ``.yaml`` file.
    """
    from workbench.cli_output import check_writable
    from workbench.coding.codebook import TEMPLATE, load_codebook

    if out.exists() or out.is_symlink():
        print(f"workbench: {out} exists; not overwriting it — give a new file name, "
              "or move the file away first", file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    if out.suffix.lower() not in (".yaml", ".yml"):
        print(f"workbench: {out}: a codebook is a .yaml (or .yml) file", file=sys.stderr)
        return EXIT_BAD_INPUT
    check_writable(out, ".yaml")  # not under a file (mkdir's FileExistsError, a traceback)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text(encoding="utf-8").replace("THIS.yaml", out.name)
    try:
        with out.open("x", encoding="utf-8") as fh:  # "x": a file created meanwhile stays
            fh.write(text)
    except FileExistsError:
        print(f"workbench: {out} exists; not overwriting it", file=sys.stderr)
        return EXIT_BAD_INPUT
    codebook = load_codebook(out)
    cats = sorted({c.category for c in codebook.codes})
    print(f"wrote {out}: {len(codebook.codes)} example codes ({', '.join(cats)}), commented; "
          f"edit it, then `workbench codebook lint --codebook {out}` and "
          f"`workbench code --codebook {out} --out CODES.parquet`", file=sys.stderr)  # fmt: skip
    return 0


def run_codebook(args: argparse.Namespace) -> int:
    """``workbench codebook new|lint|show``."""
    import pandas as pd

    from workbench.coding.codebook import CodebookError, load_codebook

    if args.action == "new":
        return _new_codebook(args.out)
    try:
        codebook = load_codebook(args.codebook)
    except (CodebookError, FileNotFoundError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.action == "show":
        cats = pd.DataFrame([{"category": c, "label": codebook.category_label(c, args.lang),
                              "part": codebook.part_of(c) or "none",
                              "codes": sum(x.category == c for x in codebook.codes)}
                             for c in codebook.categories])  # fmt: skip
        print(cats.to_string(index=False), end="\n\n")
        if codebook.kinds:  # what rules' `kinds:` refer to, and how each kind is told
            kinds = pd.DataFrame([{"kind": k.name, "head": k.head, "definition": k.definition}
                                  for k in codebook.kinds])  # fmt: skip
            print(kinds.to_string(index=False), end="\n\n")
        print(pd.DataFrame(codebook.table(args.lang)).to_string(index=False))
        return 0
    from workbench.coding.lint import lint, list_hint, uncoded_examples
    from workbench.groups import read_segments

    segments = read_segments(args.corpus, dedup=False).segments
    report = lint(codebook, segments["text"])
    missed = uncoded_examples(codebook)
    dead = report[report["status"] == "unmatched"]
    variants = report[report["status"] == "variant"]
    split = report[report["jieba_split"] != ""]
    print(f"{len(codebook.codes)} codes, {len(report)} terms; {len(dead)} never match; "
          f"{len(variants)} declared variants absent from this corpus; "
          f"{len(split)} split by jieba (registered as whole words when coding)"
          + (f"; {len(missed)} example(s) their code does not code" if missed else ""))  # fmt: skip
    for r in dead.itertuples(index=False):
        hint = list_hint(r.term)  # a list written as one term: say how to write it
        print(f"never matches: {r.code}: {r.term}" + (f" ({hint})" if hint else ""))
    for r in variants.itertuples(index=False):
        print(f"variant, absent: {r.code}: {r.term}")
    for r in split.itertuples(index=False):
        print(f"jieba splits:  {r.code}: {r.term} -> {r.jieba_split}")
    for code, example in missed:  # the code's own example quote, which its rules miss
        print(f"example not coded: {code}: {example}")
    if codebook.kinds:
        told = document_kinds(segments, codebook)
        print(
            "documents by kind: "
            + ", ".join(
                f"{k} {told.get(k, 0)}" for k in [*(k.name for k in codebook.kinds), "text"]
            )
        )
    return 1 if (args.strict and len(dead)) else 0


def _defaults_read(args: argparse.Namespace) -> str:
    """For a sheet that does not fit: the bundled corpus or codebook read in place of the
    user's, when ``--corpus`` or ``--codebook`` was left out ("none of its 20 units is in
    the corpus" and "codes the codebook does not have" did not say which ones)."""
    used = []
    if not args.corpus:
        used.append("the corpus read was the bundled seeds (give yours with --corpus "
                    "SEG.parquet)")  # fmt: skip
    if args.codebook is None:
        used.append(f"the codebook read was {config.display_path(config.CODEBOOK)} (give "
                    "yours with --codebook)")  # fmt: skip
    return f"; {' and '.join(used)}" if used else ""


def run_learn(args: argparse.Namespace) -> int:
    """``workbench learn``: fit a :class:`~workbench.coding.learn.CodeLearner` on sheets."""
    import json

    import pandas as pd

    from workbench.coding.codebook import CodebookError, load_codebook
    from workbench.coding.learn import (
        CodeLearner,
        UnitTable,
        cv_summary,
        describe_not_found,
        read_training_sheet,
        save_model,
        sentence_rules,
        too_few,
        units_from_segments,
        written_examples,
    )  # fmt: skip
    from workbench.coding.sheets import SheetError
    from workbench.groups import read_segments
    from workbench.provenance import make_record, sha256_file, write_sidecar

    try:
        codebook = load_codebook(args.codebook)
        paths = list(args.corpus or [])
        parts, inputs = [], {}
        for path in [*paths, *([None] if args.seeds or not paths else [])]:
            data = read_segments(path, dedup=False)
            parts.append(data.segments)
            inputs.update(data.inputs)  # the table itself and the sources its record names
        segments = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if segments["segment_id"].duplicated().any():
            raise ValueError("the corpora share segment ids: give each corpus once")
        by_sentence = sentence_rules(segments.reset_index(drop=True), codebook)
        tables, labels, report = [], [], []
        for path in args.sheet:
            sheet = read_training_sheet(path, segments, codebook)
            tables.append(units_from_segments(segments, codebook, sheet.members,
                                              rules=by_sentence))  # fmt: skip
            labels.append(sheet.labels)
            report.append({"sheet": str(path), "units": len(sheet.members),
                           "not_found": len(sheet.unaligned), "found_by": sheet.how,
                           "not_found_rows": sheet.not_found})  # fmt: skip
        n_coded = sum(len(t) for t in tables)
        coded = pd.concat(labels, ignore_index=True).select_dtypes("number").fillna(0)
        if not (coded > 0).any().any():
            # A sheet as `suggest` wrote it, not filled in: it trained "0 labels" and wrote
            # a model that adds nothing to the rules, without a word.
            raise SheetError(f"no unit of {', '.join(map(str, args.sheet))} carries a code or a "
                             "category: fill the `codes` column (code ids separated by ';') "
                             "of the units that have codes, then learn again")  # fmt: skip
        if args.synthetic:
            examples, written = written_examples(codebook)
            tables.append(examples)
            labels.append(written.labels)
            inputs[config.display_path(config.SYNTHETIC_DIR / "codes.jsonl")] = sha256_file(
                config.SYNTHETIC_DIR / "codes.jsonl"
            )
            report.append({"sheet": "written examples (--synthetic)", "units": len(examples),
                           "not_found": len(written.unaligned),
                           "found_by": written.how,
                           "not_found_rows": written.not_found})  # fmt: skip
        units = UnitTable.concat(tables)
        all_labels = pd.concat(labels, ignore_index=True)
        dup = all_labels["unit_id"][all_labels["unit_id"].duplicated()].tolist()
        if dup:
            raise SheetError(f"unit(s) coded in more than one sheet: {dup[:5]}")
        learner = CodeLearner(
            min_support=args.min_support,
            seed=args.seed,
            combine=not args.alone,
            override_rules=args.override_rules,
        )
        train_only = [i >= n_coded for i in range(len(units))]
        learner.fit(units, all_labels, codebook, train_only=train_only)
    except (CodebookError, SheetError, FileNotFoundError, ValueError) as err:
        # The sheets are named: a message from fitting (too few documents) is about them.
        named = ", ".join(config.display_path(Path(p)) for p in args.sheet)
        print(f"workbench: {err}" + ("" if named in str(err) else f" [sheets: {named}]")
              + (_defaults_read(args) if isinstance(err, SheetError) else ""),
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    sheets = {config.display_path(Path(p).resolve()): sha256_file(p) for p in args.sheet}
    params = {
        "min_support": args.min_support,
        "seed": args.seed,
        "combine": not args.alone,
        "override_rules": args.override_rules,
        "synthetic": args.synthetic,
    }
    save_model(learner, args.out, codebook=codebook, sheets=sheets, parameters=params)
    if (book := codebook.file) is not None:
        inputs[config.display_path(book)] = sha256_file(book)
    record = make_record({**inputs, **sheets}, {
        **params, "codebook_version": codebook.version,
        "corpus": [config.display_path(p) for p in paths] + (
            ["bundled seeds"] if args.seeds or not paths else []),
    })  # fmt: skip
    write_sidecar(args.out, record)
    # "command" first, as every other command's --json has it.
    summary = {"command": "learn", "model": str(args.out), "sheets": report, "units": len(units),
               "labels": learner.labels_, "cross_validated": cv_summary(learner),
               "too_few": too_few(learner), "min_support": args.min_support,
               "provenance": record}  # fmt: skip
    if args.json:  # strict JSON: a threshold never reached (inf) is null
        print(json.dumps(finite(summary), ensure_ascii=False, indent=1, allow_nan=False))
    else:
        for r in report:
            # Name the rows left out, so a coder can correct them (--json lists them all).
            lost = f": {describe_not_found(r['not_found_rows'])}" if r["not_found"] else ""
            print(f"{r['sheet']}: {r['units']} units found ({r['found_by']}), "
                  f"{r['not_found']} not found in the corpus{lost}")  # fmt: skip
        print(
            f"{len(learner.labels_)} labels modelled from {len(units)} units; "
            "cross-validated by document (out-of-fold, "
            + ("the models alone" if args.alone else "combined with the rules")
            + "):"
        )
        for row in summary["cross_validated"]:
            # round(x, 3) + 0.0: a κ of -0.0001 printed "-0.000", as if worse than chance
            value, rules = (round(row[k], 3) + 0.0 for k in ("value", "rules"))
            print(
                f"  {row['label']:18s} n={row['n']:4d} {row['metric']}={value:.3f} "
                f"(rules alone {rules:.3f}; {row['decision']})"
            )
        if summary["too_few"]:
            listed = ", ".join(f"{r['label']} {r['n']}" for r in summary["too_few"])
            then = ("only as their category's residual" if args.alone
                    else "the rules alone assign them")  # fmt: skip
            print(f"not modelled, coded in fewer than {args.min_support} units (--min-support; "
                  f"{then}): {listed}")  # fmt: skip
        print(f"wrote {args.out} and its .provenance.json", file=sys.stderr)
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    """``workbench suggest``: the next coding sheet (most uncertain first), or a first one."""
    import pandas as pd

    from workbench.cli_output import check_suffix
    from workbench.coding.codebook import load_codebook
    from workbench.coding.learn import (
        first_sheet_units,
        load_model,
        suggest_units,
        units_from_segments,
    )  # fmt: skip
    from workbench.coding.sheets import blank_sheet, write_sheet
    from workbench.groups import read_segments

    # Before any work: --out s.xls failed at the end as "a bug" (write_sheet's ValueError).
    check_suffix(args.out, (".csv", ".xlsx"))
    # Bad codebooks, models and corpora are user errors for the CLI's one handler (exit 2).
    codebook = load_codebook(args.codebook)
    learner, meta = load_model(args.model, codebook) if args.model else (None, {})
    data = read_segments(args.corpus)
    segments, inputs = data.segments, data.inputs
    units = units_from_segments(segments, codebook, args.unit)
    if learner is None:
        picked = first_sheet_units(units, args.n, seed=args.seed)
    else:
        picked = suggest_units(units, learner, args.n, exclude=meta.get("trained_units", []))
    by_id = segments.set_index("segment_id")
    title = by_id["section_title"] if "section_title" in by_id else pd.Series("", index=by_id.index)
    context = picked.assign(
        text_orig=["".join(by_id.loc[s.split(), "text_orig"].astype(str))
                   for s in picked["segment_ids"]],
        section_title=[title.get(s.split()[0], "") for s in picked["segment_ids"]],
    )  # fmt: skip
    sheet = blank_sheet(context, [*codebook.categories, "codes"])
    sheet.insert(1, "segment_ids", picked["segment_ids"].to_numpy())
    if "margin" in picked.columns:
        sheet["margin"] = picked["margin"].to_numpy()
    write_sheet(sheet, args.out)
    # The sheet's provenance beside it (a sheet is filled in a spreadsheet program, which
    # would drop metadata inside the file): what it was drawn from and how.
    from workbench.provenance import make_record, sha256_file, write_sidecar

    if args.model is not None:
        inputs = {**inputs, config.display_path(args.model): sha256_file(args.model)}
    write_sidecar(args.out, make_record(inputs, {
        "command": "suggest", "codebook_version": codebook.version,
        "codebook": codebook.path or config.display_path(config.CODEBOOK),
        "model": config.display_path(args.model) if args.model else None,
        "unit": args.unit, "n": args.n, "seed": args.seed if learner is None else None,
        "how": "most uncertain" if learner is not None else "stratified random",
    }))  # fmt: skip
    how = ("most uncertain first" if learner is not None
           else "a random sample stratified by file and section role")  # fmt: skip
    print(
        f"wrote {args.out}: {len(sheet)} units from {picked['file'].nunique()} documents, "
        f"{how}; fill `codes` (and the category columns), then "
        "`workbench learn --sheet` it with the earlier sheets",
        file=sys.stderr,
    )
    return 0


# ------------------------------------------------------------------ reliability

#: Bootstrap resamples behind ``workbench reliability``'s intervals (seeded: the same
#: sheets give the same intervals).
RELIABILITY_BOOT = 1000


def add_reliability_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``reliability``."""
    p = sub.add_parser(
        "reliability", help="agreement of two or more coders' sheets (kappa, alpha)",
        description="Compare coding sheets that two or more coders filled for the same units "
        "(sheets of `workbench suggest`: a `codes` column of code ids separated by ';', and "
        "category columns of 0/1, a blank category following from the codes). Prints, per "
        "category and per code that a coder used: units, each coder's positives, units all "
        "coded 1, percent agreement, Cohen's kappa (two coders) with a bootstrap interval "
        "resampling documents (the sheets' `file` column; without it, units), and "
        "Krippendorff's alpha (nominal). Every coder must have coded the same units.",
    )  # fmt: skip
    p.add_argument(
        "sheets",
        nargs="+",
        type=Path,
        metavar="SHEET.csv|.xlsx|.jsonl",
        help="the filled sheets, one per coder (two or more); the first is the "
        "reference for the interval's resampling order",
    )
    p.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    p.add_argument(
        "--n-boot",
        type=int,
        default=RELIABILITY_BOOT,
        metavar="N",
        help="bootstrap resamples for the intervals (default %(default)s; 0: none)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="TABLE.csv|.parquet",
        help="also write the table, with provenance",
    )
    p.add_argument("--json", action="store_true", help="print the table and counts as JSON")


def read_coder_sheet(path: Path, codebook: Codebook) -> pd.DataFrame:
    """One coder's filled sheet as ``unit_id``, ``file`` and a 0/1 column per category and code.

    A sheet with a ``codes`` column gives every code; a category cell left blank beside it
    follows from the codes (1 when the unit has a code of that category), as ``workbench
    learn`` reads it, and a 0 or 1 stands. A sheet of category columns only gives the
    categories (its codes are all 0, and no code row is printed for it).

    Raises
    ------
    workbench.coding.sheets.SheetError
        Naming the file, row and column.
    """
    import pandas as pd

    from workbench.coding.sheets import SheetError, read_code_list, read_raw_sheet, read_sheet

    raw = read_raw_sheet(path)
    if "unit_id" not in raw.columns:
        raise SheetError(f"{path}: missing column 'unit_id'")
    cats = list(codebook.categories)
    present = [c for c in cats if c in raw.columns]
    if "codes" not in raw.columns and not present:
        raise SheetError(f"{path}: no 'codes' column and none of the category columns {cats}")
    if "codes" in raw.columns:
        named = {c.label(lang): c.id for c in codebook.codes for lang in ("zh", "en")}
        out = read_code_list(path, codebook.ids, labels=named)[["unit_id", *codebook.ids]]
    else:
        out = read_sheet(path, present)[["unit_id"]]
        for code in codebook.ids:
            out[code] = 0
    from_codes = {c: out[[k.id for k in codebook.codes if k.category == c]].max(axis=1)
                  if any(k.category == c for k in codebook.codes) else 0 for c in cats}  # fmt: skip
    filled = (read_sheet(path, present, blank="absent")[present] if present
              else pd.DataFrame(index=out.index))  # fmt: skip
    for c in cats:
        if c in present:
            blank = raw[c].astype(str).str.strip().eq("").to_numpy()
            value = filled[c].where(~blank, from_codes[c] if "codes" in raw.columns else 0)
        else:
            value = from_codes[c]
        out[c] = pd.Series(value, index=out.index).astype("int64")
    out.insert(1, "file", raw["file"].astype(str).to_numpy() if "file" in raw.columns else "")
    return out


def _check_same_units(coders: dict[str, pd.DataFrame]) -> None:
    """Refuse sheets that do not code the same units, naming each sheet's missing units
    (Krippendorff's alpha would take them as missing and Cohen's kappa cannot)."""
    from workbench.coding.sheets import SheetError

    every = sorted(set().union(*(set(df["unit_id"]) for df in coders.values())), key=str)
    said = []
    for name, df in coders.items():
        lacks = [u for u in every if u not in set(df["unit_id"])]
        if lacks:
            more = f" and {len(lacks) - 5} more" if len(lacks) > 5 else ""
            said.append(f"{name} lacks {len(lacks)} unit(s) the others coded: {lacks[:5]}{more}")
    if said:
        raise SheetError("the sheets must code the same units: " + "; ".join(said)
                         + "; code them on every sheet or leave them out of all")  # fmt: skip


def reliability_table(
    coders: Sequence[pd.DataFrame], codebook: Codebook, *, n_boot: int, seed: int
) -> pd.DataFrame:
    """Agreement per category and per code of ``coders`` (from :func:`read_coder_sheet`).

    Rows: every category, then every code some coder used, in the codebook's order.
    Columns: ``level, id, category, n, pos_1 … pos_k`` (each coder's positives),
    ``all_pos`` (units every coder coded 1), ``percent_agreement`` (units on which all
    coders agree), ``kappa`` with ``kappa_lo``/``kappa_hi`` (two coders only; the
    percentile interval of :func:`workbench.coding.reliability.unit_agreement`, resampling
    the ``file`` groups) and ``alpha`` (Krippendorff, nominal). Kappa and alpha are empty
    where undefined (every coder gave every unit one value).
    """
    import numpy as np
    import pandas as pd

    from workbench.coding.reliability import agreement, alpha, unit_agreement

    coders = [c.sort_values("unit_id", kind="stable").reset_index(drop=True) for c in coders]
    used = [c.id for c in codebook.codes if any(df[c.id].any() for df in coders)]
    rows = [("category", c, c) for c in codebook.categories]
    rows += [("code", c, codebook.code(c).category) for c in used]
    columns = [r[1] for r in rows]
    ci: dict[str, list[float]] = {}
    if len(coders) == 2:
        kappas = agreement(coders[0], coders[1], columns).set_index("column")["kappa"]
        if n_boot > 0:
            groups = coders[0]["file"].where(coders[0]["file"] != "", coders[0]["unit_id"])
            boot = unit_agreement(coders[0], coders[1], codes=[], categories=columns,
                                  groups=groups.tolist(), n_boot=n_boot, seed=seed)  # fmt: skip
            ci = {c: boot[f"kappa_{c}_ci"] for c in columns}
    table = []
    for level, col, category in rows:
        values = np.column_stack([df[col].to_numpy(int) for df in coders])
        row = {"level": level, "id": col, "category": category, "n": len(values)}
        row.update({f"pos_{i}": int(values[:, i - 1].sum()) for i in range(1, len(coders) + 1)})
        row["all_pos"] = int(values.all(axis=1).sum())
        row["percent_agreement"] = float((values == values[:, :1]).all(axis=1).mean())
        kappa = float(kappas[col]) if len(coders) == 2 else float("nan")
        lo_hi = ci.get(col, []) if kappa == kappa else []  # no interval for an undefined kappa
        row["kappa"] = kappa
        row["kappa_lo"], row["kappa_hi"] = lo_hi if lo_hi else [float("nan")] * 2
        row["alpha"] = alpha(coders, col)
        table.append(row)
    return pd.DataFrame(table)


def _fmt(value: float) -> str:
    """A statistic to three decimals, ``-`` where undefined (no -0.000)."""
    return "-" if value != value else f"{round(value, 3) + 0.0:.3f}"


def _print_reliability(table: pd.DataFrame, names: list[str], groups: str) -> None:
    """The table as text: one line per category, then per code."""
    k = len(names)
    for i, name in enumerate(names, start=1):
        print(f"coder {i}: {name}")
    print(f"{int(table['n'].iloc[0]) if len(table) else 0} units; kappa interval: {groups}")
    pos = " ".join(f"{'pos_' + str(i):>6s}" for i in range(1, k + 1))
    print(f"{'level':8s} {'id':24s} {'n':>5s} {pos} {'all':>5s} {'agree':>6s} "
          f"{'kappa':>6s} {'95% interval':>16s} {'alpha':>6s}")  # fmt: skip
    for r in table.to_dict("records"):
        counts = " ".join(f"{r[f'pos_{i}']:6d}" for i in range(1, k + 1))
        interval = ("" if r["kappa_lo"] != r["kappa_lo"]
                    else f"[{_fmt(r['kappa_lo'])}, {_fmt(r['kappa_hi'])}]")  # fmt: skip
        print(f"{r['level']:8s} {r['id']:24s} {r['n']:5d} {counts} {r['all_pos']:5d} "
              f"{_fmt(r['percent_agreement']):>6s} {_fmt(r['kappa']):>6s} {interval:>16s} "
              f"{_fmt(r['alpha']):>6s}")  # fmt: skip


def run_reliability(args: argparse.Namespace) -> int:
    """``workbench reliability``: agreement of coders' sheets, per category and per code."""
    from workbench.cli_output import TABLE_SUFFIXES, check_suffix, print_json, records
    from workbench.coding.codebook import load_codebook
    from workbench.groups import InputError
    from workbench.provenance import make_record, sha256_file

    if len(args.sheets) < 2:
        raise InputError("give two or more filled sheets, one per coder")
    if len({p.resolve() for p in args.sheets}) < len(args.sheets):
        raise InputError("a sheet is given twice: give each coder's sheet once")
    if args.n_boot < 0:
        raise InputError(f"--n-boot {args.n_boot}: give 0 (no interval) or more resamples")
    check_suffix(args.out, TABLE_SUFFIXES)
    codebook = load_codebook(args.codebook)
    names = [config.display_path(Path(p)) for p in args.sheets]
    coders = {name: read_coder_sheet(Path(p), codebook) for name, p in zip(names, args.sheets,
                                                                         strict=True)}  # fmt: skip
    _check_same_units(coders)
    for name, coder in coders.items():
        if not coder[[*codebook.categories, *codebook.ids]].to_numpy().any():
            # A sheet as `suggest` wrote it: its "agreement" would be that of a blank page.
            print(f"workbench: note: {name}: no unit carries a code or a category; is it the "
                  "filled sheet?", file=sys.stderr)  # fmt: skip
    table = reliability_table(list(coders.values()), codebook, n_boot=args.n_boot,
                              seed=args.seed)  # fmt: skip
    first = next(iter(coders.values()))
    by_file = bool((first["file"] != "").all())
    n_groups = first["file"].nunique() if by_file else len(first)
    if len(coders) > 2:
        groups = "none (Cohen's kappa compares two coders)"
    elif args.n_boot == 0:
        groups = "none (--n-boot 0)"
    else:
        groups = (f"{args.n_boot} resamples of the {n_groups} "
                  + ("documents (file column)" if by_file else "units (no file column)")
                  + f", seed {args.seed}")  # fmt: skip
    unused = len(codebook.ids) - int((table["level"] == "code").sum())
    inputs = {config.display_path(Path(p).resolve()): sha256_file(p) for p in args.sheets}
    if (book := codebook.file) is not None:
        inputs[config.display_path(book)] = sha256_file(book)
    record = make_record(inputs, {
        "command": "reliability", "coders": names, "n_boot": args.n_boot, "seed": args.seed,
        "codebook": codebook.path or config.display_path(config.CODEBOOK),
        "codebook_version": codebook.version,
    })  # fmt: skip
    if args.out is not None:
        from workbench.cli_output import write_table

        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, args.out, record)
    if args.json:
        print_json({"command": "reliability", "coders": names, "units": len(first),
                    "interval": groups, "codes_no_coder_used": unused,
                    "rows": records(table), "provenance": record})  # fmt: skip
        return 0
    _print_reliability(table, names, groups)
    if unused:
        print(f"{unused} code(s) of the codebook no coder used: not listed")
    return 0
