"""Bodies of ``workbench keyness``, ``collocations`` and ``ca`` (registered in
:mod:`workbench.cli`).

``workbench keyness [--corpus SEG.parquet] --by COLUMN [--target VALUE] [--codes CODES]
[--min-count N] [--formula dunning|rayson] [--top N] [--out TABLE.csv|.parquet] [--json]``
    Distinctive terms of each value of ``COLUMN`` (a segments column such as ``role`` or
    ``file``, a documents or metadata column, or ``code:ID`` with ``--codes``: articles
    asserting the code against the rest) against all other segments
    (:func:`workbench.keyness.keyness`).
``workbench collocations [--corpus SEG.parquet] --term 群众 [--window 5] [--min-count N]
[--top N] [--out TABLE.csv|.parquet] [--json]``
    Collocates of a term (:func:`workbench.collocations.collocations`).
``workbench ca --codes CODES.parquet [--corpus SEG.parquet] --by COLUMN --out FIG.png
[--min-articles N] [--lang zh|en] [--json]``
    Correspondence analysis of codes × ``COLUMN`` and its biplot (:mod:`workbench.ca`).
``workbench trends --codes CODES.parquet [--corpus SEG.parquet] [--documents DOCS.parquet]
[--metadata CSV] --by year|period [--periods 1949,1978,2012] [--split 2013-06]
[--out TABLE.csv|.parquet] [--json]``
    Share of articles asserting each code per year or period with bootstrap intervals,
    and before/after a split date (:mod:`workbench.trends`); dates from ``documents.date``
    or the metadata's ``date`` column, else its ``year`` column. Its parser is declared by
    :func:`add_trends_parser`.

The corpus defaults to the bundled seeds, de-duplicated (``--keep-duplicates`` keeps the
repeats); ``--metadata CSV`` joins user metadata (a ``file`` column, then genre, year …) onto
the documents for ``--by``; headings that only announce their section are left out
(``--include-headings``).
Every output carries a provenance record (:func:`workbench.provenance.make_record`: the
workbench version, the inputs' checksums, the parameters): ``--json`` prints it under
``provenance``; a written table carries it in its Parquet metadata or a
``.provenance.json`` sidecar, a figure in its sidecar. A missing column, an unknown value
or a file that is not the expected table stops with a message naming it (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.cli_output import (
    TABLE_SUFFIXES,
    add_table_out,
    check_suffix,
    head,
    print_json,
    records,
    write_table,
)

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


#: What ``--metadata`` is for, per command (collocations groups nothing: it has none).
METADATA_USE = {
    "keyness": "for --by", "ca": "for --by",
    "trends": "whose 'date' or 'year' column dates the articles",
}  # fmt: skip


def _common(p: argparse.ArgumentParser, command: str) -> None:
    p.add_argument("--corpus", type=Path, metavar="SEG.parquet",
                   help="segments table of `workbench corpus build` (default: the bundled seeds)")
    if command in METADATA_USE:
        p.add_argument("--metadata", type=Path, metavar="CSV",
                       help="user metadata keyed by a 'file' column (genre, year …), "
                            + METADATA_USE[command])  # fmt: skip
    p.add_argument("--keep-duplicates", action="store_true", help="do not drop duplicates")
    p.add_argument("--include-headings", action="store_true",
                   help="count headings that only announce their section (default: left out)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``keyness``, ``collocations`` and ``ca``."""
    k = sub.add_parser("keyness", help="distinctive terms of groups of texts (G², log ratio)")
    _common(k, "keyness")
    k.add_argument("--by", required=True, metavar="COLUMN",
                   help="segments or documents column (role, file, a metadata column), "
                        "or code:ID with --codes")
    k.add_argument("--target", metavar="VALUE", help="the group to describe (default: each)")
    k.add_argument("--codes", type=Path, metavar="CODES.parquet",
                   help="output of `workbench code`, for --by code:ID")
    k.add_argument("--min-count", type=int, default=5,
                   help="minimum count of a term in both groups together (default 5)")
    k.add_argument("--formula", choices=("dunning", "rayson"), default="dunning",
                   help="G² over the whole 2×2 table (default) or the term's row only")
    add_table_out(k)
    c = sub.add_parser("collocations", help="collocates of a term (G², PMI)")
    _common(c, "collocations")
    c.add_argument("--term", required=True, help="the node term, e.g. 群众")
    c.add_argument("--window", type=int, default=5,
                   help="content tokens to each side, within the sentence (default 5)")
    c.add_argument("--min-count", type=int, default=2,
                   help="minimum co-occurrences of a collocate (default 2)")
    add_table_out(c)
    a = sub.add_parser("ca", help="correspondence analysis of codes × a document variable")
    _common(a, "ca")
    a.add_argument("--codes", type=Path, required=True, metavar="CODES.parquet",
                   help="output of `workbench code` (its .units.csv beside it)")
    a.add_argument("--by", required=True, metavar="COLUMN",
                   help="segments or documents column (role, file, a metadata column)")
    a.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    a.add_argument("--min-articles", type=int, default=2,
                   help="leave out codes asserted by fewer articles (default 2)")
    a.add_argument("--include-catch-alls", action="store_true",
                   help="keep the codebook's catch-all codes (default: left out)")
    a.add_argument("--lang", choices=("zh", "en"), default="zh", help="labels of the figure")
    a.add_argument("--out", type=Path, required=True, metavar="FIG.png|.svg|.pdf")


def add_trends_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``trends``."""
    t = sub.add_parser("trends", help="share of articles asserting each code per year or period")
    _common(t, "trends")
    t.add_argument("--codes", type=Path, required=True, metavar="CODES.parquet",
                   help="output of `workbench code` (its .units.csv beside it)")
    t.add_argument("--documents", type=Path, metavar="DOCS.parquet",
                   help="documents table with a 'date' column (default: the one beside --corpus)")
    t.add_argument("--by", required=True, choices=("year", "period"),
                   help="one group per year, or per period cut at --periods")
    t.add_argument("--periods", metavar="Y1,Y2,…",
                   help="period boundaries for --by period, e.g. 1949,1978,2012 (YYYY[-MM[-DD]]), "
                        "or the periods written out, e.g. 1949-1977,1978-2011,2012- (one open "
                        "before its end starts with a dash: --periods=-1948,1949-1977)")
    t.add_argument("--split", metavar="DATE",
                   help="also compare the shares before and after this date, e.g. 2013-06")
    t.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    t.add_argument("--level", choices=("code", "category"), default="code",
                   help="shares of articles asserting each code (default) or any code of "
                        "each category")
    t.add_argument("--include-catch-alls", action="store_true",
                   help="keep the codebook's catch-all codes (default: left out)")
    t.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    t.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    t.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the labels")
    t.add_argument("--out", type=Path, metavar="TABLE.csv|.parquet",
                   help="also write the table (and <name>.split.<ext> with --split), "
                        "with provenance")


def _base_params(args: argparse.Namespace) -> dict[str, Any]:
    from workbench import config

    return {
        "corpus": config.display_path(args.corpus) if args.corpus else "bundled seeds",
        "metadata": config.display_path(args.metadata) if getattr(args, "metadata", None)
        else None,
        "dedup": not args.keep_duplicates, "headings": bool(args.include_headings),
    }  # fmt: skip


def _load(args: argparse.Namespace):
    """The segments (and documents, with ``--metadata`` joined) and the inputs' checksums."""
    from workbench import config
    from workbench.corpus.metadata import join_metadata
    from workbench.groups import read_segments
    from workbench.provenance import sha256_file

    data = read_segments(args.corpus, dedup=not args.keep_duplicates)
    if getattr(args, "metadata", None) is not None:  # collocations takes none
        docs = data.documents
        if docs is None:
            docs = data.segments[["doc_id", "file"]].drop_duplicates().reset_index(drop=True)
        cols = data.segments.columns  # a metadata 'role' would be hidden by the segments'
        data.documents = join_metadata(docs, args.metadata, segment_columns=cols)
        data.inputs[config.display_path(args.metadata.resolve())] = sha256_file(args.metadata)
    return data


def run_keyness(args: argparse.Namespace) -> int:
    """``workbench keyness``."""
    from workbench.groups import InputError, code_groups, no_value_note, read_codes
    from workbench.keyness import keyness
    from workbench.provenance import make_record

    check_suffix(args.out, TABLE_SUFFIXES)
    data = _load(args)
    inputs = dict(data.inputs)
    by: str | pd.Series = args.by
    if args.by.startswith("code:"):
        if args.codes is None:
            raise InputError(f"--by {args.by} needs --codes CODES.parquet (from `workbench code`)")
        codes, code_inputs = read_codes(args.codes, data)
        inputs.update(code_inputs)
        by = code_groups(data.segments, codes, args.by.removeprefix("code:"))
    table = keyness(data.segments, by, target=args.target, documents=data.documents,
                    min_count=args.min_count, formula=args.formula,
                    headings=args.include_headings)  # fmt: skip
    params = {**_base_params(args), "by": args.by, "target": args.target,
              "min_count": args.min_count, "formula": args.formula}  # fmt: skip
    record = make_record(inputs, params)
    left_out = table.attrs.get("left_out", {})
    if left_out.get("no_value"):
        note = no_value_note(args.by, left_out["no_value"], left_out["articles"])
        print(f"workbench: note: {note}", file=sys.stderr)
    if table.empty:  # it printed nothing and exited 0: say why
        top = table.attrs.get("top_term")
        most = f"; the commonest, {top['term']!r}, occurs {top['count']} times" if top else ""
        print(f"workbench: note: no term occurs --min-count {args.min_count} times or more in a "
              f"group and the rest together{most}; lower --min-count", file=sys.stderr)  # fmt: skip
    if args.out is not None:
        write_table(table, args.out, record)
    shown = head(table, args.top, "group")
    if args.json:
        print_json({"command": "keyness", "provenance": record, "rows": len(table),
                     "results": records(shown), "left_out": left_out})  # fmt: skip
        return 0
    for group, part in shown.groupby("group", sort=False):
        print(f"== {args.by} = {group} (against the rest)")
        print(part.drop(columns="group").to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    return 0


def run_collocations(args: argparse.Namespace) -> int:
    """``workbench collocations``."""
    from workbench.collocations import collocations
    from workbench.groups import InputError
    from workbench.provenance import make_record

    check_suffix(args.out, TABLE_SUFFIXES)
    if args.window < 1:
        raise InputError(f"--window must be at least 1, not {args.window}")
    if not args.term.strip():  # it read the corpus, then said '' never occurs as a word
        raise InputError("--term is empty; give the word whose collocates to find, "
                         "e.g. --term 群众")  # fmt: skip
    data = _load(args)
    table = collocations(data.segments, args.term, window=args.window,
                         min_count=args.min_count, headings=args.include_headings)  # fmt: skip
    params = {**_base_params(args), "term": args.term, "window": args.window,
              "min_count": args.min_count}  # fmt: skip
    record = make_record(data.inputs, params)
    for note in collocation_notes(table, args.term, args.min_count):
        print(f"workbench: note: {note}", file=sys.stderr)
    if args.out is not None:
        write_table(table, args.out, record)
    shown = head(table, args.top)
    if args.json:
        print_json({"command": "collocations", "provenance": record, "rows": len(table),
                     "results": records(shown)})  # fmt: skip
        return 0
    if not shown.empty:
        print(shown.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    return 0


def collocation_notes(table: pd.DataFrame, term: str, min_count: int) -> list[str]:
    """What a collocation table does not say: where the term is inside longer words (kwic
    finds those occurrences, the windows do not), and why no collocate was reported.

    Examples
    --------
    >>> t = pd.DataFrame({"term": []})
    >>> t.attrs = {"occurrences": 18, "inside": {"脱离群众": 3},
    ...            "top_collocate": {"term": "群众", "count": 5}}
    >>> for note in collocation_notes(t, "干部", 50):
    ...     print(note.replace(", which", ",\\nwhich").replace(" or more", " or more\\n"))
    '干部' occurs 18 times as a word, and 3 more inside longer words (脱离群众 3),
    which are not counted here (kwic shows them)
    '干部' occurs 18 times, but no collocate co-occurs with it --min-count 50 times or more
     (the most: '群众', 5 times); lower --min-count
    """
    notes = []
    n, inside = table.attrs.get("occurrences", 0), table.attrs.get("inside", {})
    if inside:
        shown = ", ".join(f"{w} {c}" for w, c in list(inside.items())[:5])
        more = f" and {len(inside) - 5} more word(s)" if len(inside) > 5 else ""
        notes.append(f"{term!r} occurs {n} times as a word, and {sum(inside.values())} more "
                     f"inside longer words ({shown}{more}), which are not counted here (kwic "
                     "shows them)")  # fmt: skip
    if table.empty and not n:
        notes.append(f"{term!r} never occurs as a word of the corpus as jieba splits it, so it "
                     "has no collocate; give a whole word (kwic finds any string)")  # fmt: skip
    elif table.empty:
        top = table.attrs.get("top_collocate")
        most = f" (the most: {top['term']!r}, {top['count']} times)" if top else ""
        notes.append(f"{term!r} occurs {n} times, but no collocate co-occurs with it "
                     f"--min-count {min_count} times or more{most}; lower --min-count")  # fmt: skip
    return notes


def run_ca(args: argparse.Namespace) -> int:
    """``workbench ca``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench import config, plotting
    from workbench.ca import code_table, correspondence_analysis, plot_ca
    from workbench.coding.codebook import load_codebook
    from workbench.groups import no_value_note, read_codes
    from workbench.provenance import make_record, sha256_file, write_sidecar

    check_suffix(args.out, FIGURE_SUFFIXES)
    codebook = load_codebook(args.codebook)
    data = _load(args)
    codes, code_inputs = read_codes(args.codes, data)
    table = code_table(codes, data.segments, args.by, documents=data.documents,
                       codebook=codebook, catch_alls=args.include_catch_alls,
                       headings=args.include_headings, min_articles=args.min_articles)
    result = correspondence_analysis(table)
    names = {c.id: c.label(args.lang) for c in codebook.codes}
    cols = ({v: plotting.label(str(v), args.lang) for v in table.columns}
            if args.by == "role" else None)  # fmt: skip
    fig = plot_ca(result, row_labels=names, col_labels=cols, lang=args.lang)
    inputs = {**data.inputs, **code_inputs}
    if (book := codebook.file) is not None:  # the figure depends on its labels, catch-alls
        inputs[config.display_path(book)] = sha256_file(book)
    params = {**_base_params(args), "by": args.by, "codes": config.display_path(args.codes),
              "codebook_version": codebook.version, "min_articles": args.min_articles,
              "catch_alls": bool(args.include_catch_alls), "lang": args.lang}  # fmt: skip
    record = make_record(inputs, params)
    out: Path = args.out
    plotting.savefig(fig, out.stem, formats=(out.suffix.lower(),), out_dir=out.parent or Path("."))
    plt.close(fig)
    write_sidecar(out, record)
    inertia = result.inertia_table()
    print(f"wrote {out} ({len(table)} codes × {len(table.columns)} values of {args.by}) and "
          f"its .provenance.json", file=sys.stderr)  # fmt: skip
    left_out = table.attrs.get("left_out", {})
    if left_out.get("values"):
        print(f"workbench: note: left out, no code in their articles: {args.by} = "
              f"{', '.join(left_out['values'])}", file=sys.stderr)  # fmt: skip
    if left_out.get("codes"):
        print(f"workbench: note: left out, asserted by fewer than {args.min_articles} articles "
              f"(--min-articles): {', '.join(left_out['codes'])}", file=sys.stderr)  # fmt: skip
    if left_out.get("no_value"):
        note = no_value_note(args.by, left_out["no_value"], left_out["articles"])
        print(f"workbench: note: {note}", file=sys.stderr)
    rows = result.row_coords.iloc[:, :2].assign(label=[names.get(c, c) for c in table.index],
                                                mass=result.row_mass)  # fmt: skip
    columns = result.col_coords.iloc[:, :2].assign(mass=result.col_mass)
    if args.json:
        print_json({
            "command": "ca", "provenance": record, "figure": str(out),
            "total_inertia": result.total_inertia, "inertia": records(inertia),
            "rows": records(rows.rename_axis("code").reset_index()),
            "columns": records(columns.rename_axis(args.by).reset_index()),
            "table": {"index": table.index.tolist(), "columns": table.columns.tolist(),
                      "counts": table.to_numpy().tolist()},
            "left_out": left_out,
        })  # fmt: skip
        return 0
    print(f"total inertia {result.total_inertia:.4f}")
    print(inertia.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return 0


def run_trends(args: argparse.Namespace) -> int:
    """``workbench trends``."""
    from workbench import config
    from workbench.coding.codebook import load_codebook
    from workbench.corpus.metadata import join_metadata
    from workbench.groups import InputError, read_codes, read_documents, read_segments
    from workbench.provenance import make_record, sha256_file
    from workbench.trends import compare, document_dates, prevalence

    check_suffix(args.out, TABLE_SUFFIXES)
    if args.by == "period" and not args.periods:
        raise InputError("--by period needs --periods, e.g. --periods 1949,1978,2012")
    if args.by == "year" and args.periods:
        raise InputError("--periods goes with --by period (--by year makes one group a year)")
    if args.n_boot < 1:
        raise InputError(f"--n-boot must be at least 1, not {args.n_boot}")
    codebook = load_codebook(args.codebook)
    data = read_segments(args.corpus, dedup=not args.keep_duplicates)
    inputs = dict(data.inputs)
    if args.documents is not None:
        data.documents = read_documents(args.documents)
        inputs[config.display_path(args.documents.resolve())] = sha256_file(args.documents)
    if data.documents is None and args.metadata is None:
        raise InputError(f"{args.corpus}: no documents table beside it (dates are in "
                         "documents.date); give --documents DOCS.parquet or --metadata CSV "
                         "with a 'date' or 'year' column")  # fmt: skip
    if args.metadata is not None:
        docs = data.documents
        if docs is None:
            docs = data.segments[["doc_id", "file"]].drop_duplicates().reset_index(drop=True)
        cols = data.segments.columns  # a metadata 'role' would be hidden by the segments'
        data.documents = join_metadata(docs, args.metadata, segment_columns=cols)
        inputs[config.display_path(args.metadata.resolve())] = sha256_file(args.metadata)
    codes, code_inputs = read_codes(args.codes, data)
    inputs.update(code_inputs)
    options = {"codebook": codebook, "level": args.level, "catch_alls": args.include_catch_alls,
               "headings": args.include_headings, "n_boot": args.n_boot, "seed": args.seed,
               "lang": args.lang}  # fmt: skip
    result = prevalence(codes, data.segments, data.documents, by=args.by,
                        periods=args.periods, **options)  # fmt: skip
    split = compare(codes, data.segments, data.documents, split=args.split, **options) \
        if args.split else None  # fmt: skip
    params = {**_base_params(args), "codes": config.display_path(args.codes),
              "documents": config.display_path(args.documents) if args.documents else None,
              "codebook_version": codebook.version, "by": args.by, "periods": args.periods,
              "split": split.split if split else None, "level": args.level,
              "catch_alls": bool(args.include_catch_alls), "n_boot": args.n_boot,
              "seed": args.seed, "ci": 0.95}  # fmt: skip
    record = make_record(inputs, params)
    if args.out is not None:
        write_table(result.table, args.out, record)
        if split is not None:
            write_table(split.table, args.out.with_name(f"{args.out.stem}.split{args.out.suffix}"),
                         record)  # fmt: skip
    undated, straddling, outside = result.undated, result.straddling, result.outside
    if undated or straddling or outside:
        gaps = f", {len(outside)} a date outside every period" if outside else ""
        print(f"workbench: note: {len(undated)} of {result.n_articles} articles have no date"
              f"{gaps} and {len(straddling)} a date across a period boundary; they are in no "
              "period (dates come from datelines or --metadata's 'date' or 'year' column)",
              file=sys.stderr)  # fmt: skip
    if split is not None and len(split.table):
        side = [name for name, col in (("before", "before_n"), ("on or after", "after_n"))
                if int(split.table[col].iloc[0]) == 0]  # fmt: skip
        if side:
            dates = document_dates(data.documents)
            dated = sorted(dates[dates.index.isin(data.segments["doc_id"]) & (dates != "")])
            span = f" (the articles are dated {dated[0]} to {dated[-1]})" if dated else ""
            print(f"workbench: note: no dated article falls {' or '.join(side)} the split "
                  f"{split.split}{span}, so there is nothing to compare: the before/after "
                  "table is blank; choose a split inside the dates", file=sys.stderr)
    empty = result.periods.loc[result.periods["n"] == 0, "period"].tolist()
    if empty:
        print(f"workbench: note: no dated article falls in {', '.join(empty)}: "
              f"{'its' if len(empty) == 1 else 'their'} shares are blank (n = 0)",
              file=sys.stderr)  # fmt: skip
    if args.json:
        payload: dict[str, Any] = {
            "command": "trends", "provenance": record, "by": args.by,
            "articles": result.n_articles,
            "undated": {"articles": len(undated), "doc_ids": undated},
            "straddling": {"articles": len(straddling), "doc_ids": straddling},
            "outside": {"articles": len(outside), "doc_ids": outside},
            "periods": records(result.periods), "rows": len(result.table),
            "results": records(result.table),
        }  # fmt: skip
        if split is not None:
            payload["split"] = {
                "date": split.split, "undated": len(split.undated),
                "straddling": {"articles": len(split.straddling), "doc_ids": split.straddling},
                "results": records(split.table),
            }  # fmt: skip
        print_json(payload)
        return 0
    fmt = lambda x: f"{x:.3f}"  # noqa: E731
    print(result.periods.to_string(index=False))
    print(result.table.to_string(index=False, float_format=fmt))
    if split is not None:
        print(f"== before / after {split.split}")
        print(split.table.to_string(index=False, float_format=fmt))
    return 0
