"""Body of ``workbench network`` (registered in :mod:`workbench.cli`).

``workbench network [--kind cooccurrence] [--codes CODES.parquet] [--unit U]
[--measure M] [--min-support K] [--support articles|units] [--threshold X]
[--alpha A|none] [--top N] [--include-headings] [--include-catch-alls] --out FILE
[--html PAGE.html [--lang zh|en]]``
    The co-occurrence network. ``--codes`` takes the output of ``workbench code``
    (the long table; its ``<name>.matrix.npz`` and ``<name>.units.csv`` must sit
    beside it, and its unit is used; headings are then as that coding had them).
    Without ``--codes`` the corpus (default: the bundled seeds, de-duplicated
    unless ``--keep-duplicates``) is coded at ``--unit`` with ``--codebook``.
``workbench network --kind problem-cause [--corpus SEGMENTS.parquet] [--min-articles K]
[--alpha A|none] [--include-headings] [--include-catch-alls] --out FILE``
    The directed cause → problem and problem → countermeasure network (codes the
    corpus at sentence level; ``--codes`` does not apply). An option of the other kind
    (``--min-articles`` with co-occurrence; ``--codes``, ``--unit``, ``--measure``,
    ``--min-support``, ``--support``, ``--threshold``, ``--top`` with problem-cause) is
    refused (exit 2), not ignored.

Defaults are notebook 03's: co-occurrence within paragraphs, Jaccard, support ≥ 2
articles, BH q ≤ 0.05; problem–cause links asserted by ≥ 3 articles, no
significance filter (``--alpha`` filters them too). Heading segments are not
content and catch-all codes (``catch_all: true`` in the codebook) are left out
unless ``--include-headings`` / ``--include-catch-alls``.

``FILE`` ends in ``.gexf``, ``.graphml`` or ``.csv`` (→ ``<stem>.nodes.csv`` and
``<stem>.edges.csv``); every file gets a ``.provenance.json`` sidecar.
``--html PAGE.html`` (with or without ``--out``) writes the same network as one
self-contained page that works offline (:mod:`workbench.network.page`): click an
edge for its quotes in the original script. ``--json``
prints the network as JSON: the provenance record written beside it (version, input
checksums, parameters and the graph's filter), the files, and its nodes and edges with
every attribute (evidence and quotes as in the files, joined into strings).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from scipy import sparse

from workbench import config

EXIT_BAD_INPUT = 2
#: Defaults shared with notebook 03.
DEFAULT_MIN_SUPPORT = 2
DEFAULT_ALPHA = {"cooccurrence": 0.05, "problem-cause": None}
DEFAULT_MIN_ARTICLES = 3


def _alpha(text: str) -> float | str:
    """``--alpha``: a level in (0, 1], or ``"none"`` (no significance filter)."""
    if text.lower() == "none":
        return "none"
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"alpha must be in (0, 1] or 'none', not {text}")
    return value


def _count(text: str) -> int:
    """``--min-support``, ``--min-articles``, ``--top``: a whole number, 1 or more.

    ``--top 0`` or ``-1`` kept no edge and ``--min-support 0`` wrote "support ≥ 0" into
    the provenance record, each without a word: a count below one is a typing mistake.
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"give a whole number of 1 or more, not {text}")
    return value


def add_network_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``network``."""
    from workbench.network.measures import MEASURES

    p = sub.add_parser("network", help="co-occurrence or problem–cause network of codes")
    p.add_argument("--kind", choices=("cooccurrence", "problem-cause"), default="cooccurrence")
    p.add_argument("--codes", type=Path, help="output of `workbench code` (co-occurrence only)")
    p.add_argument("--corpus", type=Path, help="segments .parquet (default: the bundled seeds)")
    p.add_argument("--codebook", type=Path, default=None, help="default: data/codebook.yaml")
    # Co-occurrence options default to None here (filled in by run_network), so that
    # one given with --kind problem-cause, where it does not apply, is told, not ignored.
    p.add_argument("--unit", choices=("sentence", "paragraph", "section", "article"),
                   help="co-occurrence: the unit codes co-occur in; default paragraph")
    p.add_argument("--measure", choices=MEASURES, help="co-occurrence: default jaccard")
    p.add_argument("--min-support", type=_count,
                   help="articles (or units, --support units) with both codes; default 2")
    p.add_argument("--support", choices=("articles", "units"),
                   help="what --min-support counts (default: articles)")
    p.add_argument("--threshold", type=float, default=None, help="minimum of the measure")
    p.add_argument("--alpha", type=_alpha, default=None, metavar="A|none",
                   help="maximum BH q-value; default 0.05 for co-occurrence, none for "
                        "problem-cause")
    p.add_argument("--top", type=_count, default=None, help="keep the N strongest edges")
    p.add_argument("--min-articles", type=_count,
                   help="problem-cause: minimum weight (articles); default 3")
    p.add_argument("--include-headings", action="store_true",
                   help="count heading segments as content (default: left out)")
    p.add_argument("--include-catch-alls", action="store_true",
                   help="keep the codebook's catch-all codes (default: left out)")
    p.add_argument("--keep-duplicates", action="store_true", help="do not drop duplicates")
    p.add_argument("--out", type=Path, metavar="FILE.gexf|.graphml|.csv")
    p.add_argument("--html", type=Path, metavar="PAGE.html",
                   help="also write an explorable page (offline; click an edge for its quotes)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="labels of the --html page (default zh)")
    p.add_argument("--json", action="store_true",
                   help="print the nodes, edges and provenance record as JSON")


def _coding_from_file(path: Path, codebook):
    from workbench.coding.coder import Coding
    from workbench.groups import pipeline_folder, read_csv_table
    from workbench.provenance import read_record

    if pipeline_folder(path) is not None:
        raise ValueError(
            f"{path}: a folder of `workbench pipeline`; give it as --corpus "
            "(the network is then coded from its segments), not as --codes"
        )
    stem = path.with_suffix("")
    for need, what in (
        (path, "codes table of `workbench code --out`"),
        (Path(f"{stem}.matrix.npz"), "matrix `workbench code` writes beside it"),
        (Path(f"{stem}.units.csv"), "units `workbench code` writes beside it"),
    ):
        if not need.is_file():
            raise FileNotFoundError(
                f"{need}: no such file (the {what}); give the CODES.parquet of "
                "`workbench code --out CODES.parquet`, with its .matrix.npz and .units.csv "
                "beside it"
            )
    # CSVs as groups reads them: one saved again by Excel (GBK) is read, or named
    long = (pd.read_parquet(path) if path.suffix == ".parquet"
            else read_csv_table(path, "codes table"))  # fmt: skip
    matrix = sparse.load_npz(f"{stem}.matrix.npz").tocsr()
    units = read_csv_table(Path(f"{stem}.units.csv"), "units table")
    record = read_record(path) if path.suffix == ".parquet" else {}
    unit = record.get("parameters", {}).get("unit", "")
    if matrix.shape[1] != len(codebook.codes):
        raise ValueError(f"{path}: matrix has {matrix.shape[1]} columns, the codebook "
                         f"{len(codebook.codes)} codes; pass the codebook it was coded with")
    coding = Coding(long=long, matrix=matrix, units=units, codes=codebook.ids, unit=unit)
    return coding, record.get("inputs", {})


#: The options of one kind of network only, with their defaults.
COOCCURRENCE_OPTIONS = {"codes": None, "unit": "paragraph", "measure": "jaccard",
                        "min_support": DEFAULT_MIN_SUPPORT, "support": "articles",
                        "threshold": None, "top": None}  # fmt: skip
PROBLEM_CAUSE_OPTIONS = {"min_articles": DEFAULT_MIN_ARTICLES}


def _stray_options(args: argparse.Namespace) -> str:
    """Refuse an option of the other kind of network; fill in the defaults of this one.

    ``--min-articles 10`` on a co-occurrence network, or ``--measure``/``--top``/``--codes``
    on a problem-cause one, were ignored without a word: the network drawn was not the
    one asked for.

    Returns
    -------
    str
        The message for a stray option (naming it and what to use), ``""`` when none.
    """
    mine, other = ((COOCCURRENCE_OPTIONS, PROBLEM_CAUSE_OPTIONS) if args.kind == "cooccurrence"
                   else (PROBLEM_CAUSE_OPTIONS, COOCCURRENCE_OPTIONS))  # fmt: skip
    given = [f"--{name.replace('_', '-')}" for name in other if getattr(args, name, None)
             is not None]  # fmt: skip
    if given:
        if args.kind == "cooccurrence":
            return (f"{', '.join(given)} applies to --kind problem-cause only; a co-occurrence "
                    "network's minimum is --min-support N (articles with both codes)")
        return (f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to the "
                "co-occurrence network only; a problem-cause network codes the corpus by "
                "sentence itself and keeps links asserted in --min-articles N articles")
    for name, default in mine.items():
        if getattr(args, name, None) is None:
            setattr(args, name, default)
    for name in other:  # not given: the other kind's options stay unset
        setattr(args, name, getattr(args, name, None))
    return ""


def run_network(args: argparse.Namespace) -> int:
    """``workbench network``."""
    from workbench.cli_output import check_writable
    from workbench.coding.codebook import CodebookError, load_codebook
    from workbench.groups import check_codes_corpus, read_segments, unit_articles
    from workbench.network.export import FORMATS, write_graph
    from workbench.network.graph import codebook_meta

    if args.out is None and args.html is None:
        # --json alone was refused with no word on why: it prints the network written
        said = " (--json prints the network written there)" if args.json else ""
        print(f"workbench: give --out FILE.gexf|.graphml|.csv and/or --html PAGE.html{said}",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    if stray := _stray_options(args):
        print(f"workbench: {stray}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path, suffix in ((args.out, ".gexf"), (args.html, ".html")):
        if path is not None:
            check_writable(path, suffix)
    if args.html is not None and args.html.suffix.lower() not in (".html", ".htm"):
        print(f"workbench: --html writes an HTML page; name it PAGE.html, not {args.html}",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    if args.out is not None and args.out.suffix not in FORMATS:
        print(f"workbench: unknown graph format {args.out.suffix!r}; use one of {list(FORMATS)}",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    try:
        codebook = load_codebook(args.codebook)
        quotes = None  # with --codes: the segments the --html page quotes
        if args.kind == "cooccurrence" and args.codes is not None:
            coding, inputs = _coding_from_file(args.codes, codebook)
            segments = None
            if args.corpus is not None or args.html is not None:
                # The codes must be this corpus's: codes of another one drew that other
                # corpus's network under this corpus's name (groups.check_codes_corpus).
                data = read_segments(args.corpus, dedup=not args.keep_duplicates)
                check_codes_corpus(unit_articles(coding.units), data, args.codes)
                quotes = data.segments
        else:
            data = read_segments(args.corpus, dedup=not args.keep_duplicates)
            segments, inputs = data.segments, data.inputs
    except (CodebookError, FileNotFoundError, ValueError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    meta = codebook_meta(codebook)
    alpha = DEFAULT_ALPHA[args.kind] if args.alpha is None else args.alpha
    alpha = None if alpha == "none" else alpha
    params = {"kind": args.kind, "codebook_version": codebook.version,
              "dedup": not args.keep_duplicates,
              "codebook": codebook.path or config.display_path(config.CODEBOOK),
              "headings": bool(args.include_headings),
              "catch_alls": bool(args.include_catch_alls)}  # fmt: skip
    if args.kind == "problem-cause":
        from workbench.network.problem_cause import (
            RELATIONS,
            assertions,
            missing_parts,
            problem_cause_graph,
        )

        for rel, (src, tgt) in RELATIONS.items():
            if missing := missing_parts(codebook, (rel,)):
                print(f"workbench: note: no category of {codebook.path or 'the codebook'} "
                      f"plays the part {' or '.join(map(repr, missing))} (`part:` under "
                      f"`categories:`), so the network has no {src} → {tgt} links ({rel})",
                      file=sys.stderr)  # fmt: skip
        pairs = assertions(segments, codebook, headings=args.include_headings,
                           catch_alls=args.include_catch_alls)  # fmt: skip
        g = problem_cause_graph(pairs, meta, min_articles=args.min_articles, alpha=alpha)
    else:
        from workbench.network.graph import EdgeFilter, coding_graph, network_coding

        if segments is not None:
            coding = network_coding(segments, codebook, args.unit,
                                    headings=args.include_headings)  # fmt: skip
        else:
            if coding.unit and coding.unit != args.unit:
                print(f"workbench: note: using the unit of {args.codes} ({coding.unit})",
                      file=sys.stderr)  # fmt: skip
            if not args.include_headings:
                print(f"workbench: note: headings are as coded in {args.codes}; code the "
                      "corpus here (without --codes) to leave them out", file=sys.stderr)
            params["headings"] = "as coded"
        try:
            f = EdgeFilter(args.measure, args.min_support, args.threshold, alpha, args.top,
                           support=args.support)  # fmt: skip
            g = coding_graph(coding, f, meta, catch_alls=args.include_catch_alls)
        except ValueError as err:
            print(f"workbench: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if args.codes is not None:
            params["codes"] = config.display_path(args.codes)
    written = []
    if args.out is not None:
        written.append(write_graph(g, args.out, inputs, params))
    if args.html is not None:
        from workbench.network.export import write_page
        from workbench.network.page import evidence_ids, evidence_texts

        if segments is None:  # --codes: the quotes come from the corpus it was coded from
            segments = quotes
        texts = evidence_texts(segments, sorted(evidence_ids(g)))
        written.append(write_page(g, args.html, texts, inputs, params, lang=args.lang,
                                  categories=codebook.categories))  # fmt: skip
    for out in written:
        print(f"wrote {out}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges; "
              f"filter: {g.graph['filter']}", file=sys.stderr)  # fmt: skip
    if "no_edges" in g.graph:  # say why the network is empty, and what would fill it
        print(f"workbench: note: no edge: {g.graph['no_edges']}", file=sys.stderr)
    if args.json:
        _print_network(g, args, written[0])
    return 0


def _print_network(g, args: argparse.Namespace, out: Path) -> None:
    """``--json``: the record written beside the graph, its files, nodes and edges."""
    import json

    from workbench.cli_output import records
    from workbench.coding.cli import finite
    from workbench.network.export import csv_paths
    from workbench.network.graph import edge_table, node_table
    from workbench.provenance import read_record

    if args.out is not None and args.out.suffix == ".csv":
        files = [str(p) for p in csv_paths(args.out)]
    else:
        files = [str(p) for p in (args.out, args.html) if p is not None]
    nodes, edges = node_table(g), edge_table(g)
    payload = {
        "command": "network", "kind": args.kind, "provenance": read_record(out),
        "files": files, "filter": g.graph.get("filter", ""),
        "n_nodes": g.number_of_nodes(), "n_edges": g.number_of_edges(),
        **({"no_edges": g.graph["no_edges"]} if "no_edges" in g.graph else {}),
        "nodes": records(nodes), "edges": records(edges),
    }  # fmt: skip
    print(json.dumps(finite(payload), ensure_ascii=False, indent=1, allow_nan=False))

