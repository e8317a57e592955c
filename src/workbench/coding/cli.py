"""Bodies of ``workbench code`` and ``workbench codebook`` (registered in :mod:`workbench.cli`).

``workbench code [--corpus SEGMENTS.parquet] [--codebook YAML] [--unit U] --out CODES``
    Code a segments table (default: the bundled seeds, de-duplicated) and write the
    long table (``.parquet`` with provenance, or ``.csv``) and, beside it,
    ``<name>.matrix.npz`` (sparse unit × code) and ``<name>.units.csv``.
``workbench codebook lint [--codebook YAML] [--corpus SEGMENTS.parquet]``
    Print terms that never match — dead terms or typos (``unmatched``), and, for
    information, the declared variants absent from this corpus — and terms jieba
    splits (``--strict``: exit 1 if a term is ``unmatched``).
``workbench codebook show [--codebook YAML] [--lang zh|en]``
    Print the codes.

A malformed codebook exits with status 2 and a message naming the code and the field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from scipy import sparse

from workbench import config

EXIT_BAD_INPUT = 2


def add_code_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``code``."""
    p = sub.add_parser("code", help="code a corpus with a codebook")
    p.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    p.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    units = ("sentence", "paragraph", "section", "article")
    p.add_argument("--unit", choices=units, default="sentence")
    p.add_argument("--keep-duplicates", action="store_true", help="code duplicate segments too")
    p.add_argument("--out", type=Path, required=True, metavar="CODES.parquet|.csv")


def add_codebook_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``codebook lint`` and ``codebook show``."""
    p = sub.add_parser("codebook", help="check or show a codebook")
    csub = p.add_subparsers(dest="action", required=True)
    lint = csub.add_parser("lint", help="terms that never match, terms jieba splits")
    lint.add_argument("--codebook", type=Path, default=None)
    lint.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    lint.add_argument("--strict", action="store_true", help="exit 1 if a term never matches")
    show = csub.add_parser("show", help="print the codes")
    show.add_argument("--codebook", type=Path, default=None)
    show.add_argument("--lang", choices=("zh", "en"), default="zh")


def _segments(path: Path | None, dedup: bool = True) -> tuple[pd.DataFrame, dict[str, str]]:
    from workbench.corpus import load_corpus
    from workbench.provenance import read_record

    if path is None:
        corpus = load_corpus()
        return corpus.analysis_segments(dedup=dedup), corpus.checksums()
    seg = pd.read_parquet(path)
    if dedup and "dup_of" in seg.columns:
        # Article-level duplicates are not visible in a segments file alone; the
        # paragraph/sentence marks are, and are what analysis_segments also uses.
        seg = seg[seg["dup_of"].isna()].reset_index(drop=True)
    return seg, read_record(path).get("inputs", {}) if path.suffix == ".parquet" else {}


def run_code(args: argparse.Namespace) -> int:
    """``workbench code``."""
    from workbench.coding.codebook import CodebookError, load_codebook
    from workbench.coding.coder import code_segments
    from workbench.provenance import make_record, sha256_file, write_parquet, write_sidecar

    try:
        codebook = load_codebook(args.codebook)
        segments, inputs = _segments(args.corpus, dedup=not args.keep_duplicates)
    except (CodebookError, FileNotFoundError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    coding = code_segments(segments, codebook, args.unit)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    params = {
        "unit": args.unit, "codebook": codebook.path or config.display_path(config.CODEBOOK),
        "codebook_version": codebook.version, "dedup": not args.keep_duplicates,
    }  # fmt: skip
    book = Path(codebook.path) if codebook.path else config.CODEBOOK
    if book.exists():  # a derived file depends on the codebook as much as on the corpus
        inputs = {**inputs, config.display_path(book.resolve()): sha256_file(book)}
    record = make_record(inputs, params)
    stem = out.with_suffix("")
    matrix, units = Path(f"{stem}.matrix.npz"), Path(f"{stem}.units.csv")
    if out.suffix == ".csv":
        coding.long.to_csv(out, index=False, encoding="utf-8")
        write_sidecar(out, record)
    else:
        write_parquet(coding.long, out, record)
    sparse.save_npz(matrix, coding.matrix)
    coding.units.to_csv(units, index=False)
    for path in (matrix, units):  # formats without metadata get a sidecar
        write_sidecar(path, record)
    n_coded = coding.long["unit_id"].nunique()
    print(
        f"wrote {out}: {len(coding.long)} codes on {n_coded} of {len(coding.units)} "
        f"{args.unit} units; matrix {stem}.matrix.npz, units {stem}.units.csv",
        file=sys.stderr,
    )
    return 0


def run_codebook(args: argparse.Namespace) -> int:
    """``workbench codebook lint|show``."""
    from workbench.coding.codebook import CodebookError, load_codebook

    try:
        codebook = load_codebook(args.codebook)
    except (CodebookError, FileNotFoundError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.action == "show":
        print(pd.DataFrame(codebook.table(args.lang)).to_string(index=False))
        return 0
    from workbench.coding.lint import lint

    segments, _ = _segments(args.corpus, dedup=False)
    report = lint(codebook, segments["text"])
    dead = report[report["status"] == "unmatched"]
    variants = report[report["status"] == "variant"]
    split = report[report["jieba_split"] != ""]
    print(f"{len(codebook.codes)} codes, {len(report)} terms; {len(dead)} never match; "
          f"{len(variants)} declared variants absent from this corpus; "
          f"{len(split)} split by jieba (registered as whole words when coding)")  # fmt: skip
    for r in dead.itertuples(index=False):
        print(f"never matches: {r.code}: {r.term}")
    for r in variants.itertuples(index=False):
        print(f"variant, absent: {r.code}: {r.term}")
    for r in split.itertuples(index=False):
        print(f"jieba splits:  {r.code}: {r.term} -> {r.jieba_split}")
    return 1 if (args.strict and len(dead)) else 0
