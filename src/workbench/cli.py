"""The ``workbench`` command line.

Subcommands
-----------
``workbench corpus info [PATH ...] [--json]``
    Load the corpus (default: the bundled seeds) and print a per-file summary.
``workbench corpus build [PATH ...] --out FILE.parquet [--workers N] [--dask | --scheduler A]``
    Also write the segments table (and the documents table beside it) as Parquet
    with provenance metadata; files are processed in N local processes or on Dask
    (:mod:`workbench.pipeline`), with tables identical to a serial run.
``workbench pipeline [PATH ...] --out DIR [--metadata CSV] [--workers N] [--dask | --scheduler A]``
    The whole pipeline (load, clean, segment words, code, duplicates,
    co-occurrence) streamed into Parquet parts in ``DIR``, in memory bounded by
    the partition size (:mod:`workbench.stream`); prints a JSON summary. ``--metadata``
    is joined onto the documents as ``corpus build --metadata`` joins it.
``workbench reliability SHEET SHEET [SHEET ...] [--codebook YAML] [--out TABLE] [--json]``
    Intercoder agreement of filled coding sheets, per category and per code: Cohen's
    kappa (two coders) with a bootstrap interval, Krippendorff's alpha, percent agreement
    and counts (:mod:`workbench.coding.cli`).
``workbench network [--kind cooccurrence|problem-cause] ... --out FILE.gexf``
    Co-occurrence or problem–cause network of codes (:mod:`workbench.network.cli`).
``workbench keyness | collocations | ca | trends ...``
    Distinctive terms of groups of texts, collocates of a term, correspondence analysis
    of codes × a document variable, and code prevalence by year or period
    (:mod:`workbench.analysis_cli`).
``workbench kwic [--corpus SEG.parquet] --term 群众 [--window N] [--json] [--out TABLE]``
    Keyword in context, with the context in the original script (:mod:`workbench.kwic`).
``workbench report``
    Execute every notebook on a fresh kernel and write ``reports/<notebook>.html``.

A file that cannot be read makes ``corpus`` commands exit with status 2 and a
message naming it, unless ``--skip-bad`` is given: then it is reported and the rest
are processed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench import config

EXIT_BAD_INPUT = 2

#: What ``workbench --help`` says first (the module docstring's first line is for readers
#: of the code, and its ``markup`` showed as such).
DESCRIPTION = (
    "Research workbench for cadre–masses relations (干群关系) in Chinese texts and surveys: "
    "load and clean a corpus, code it, draw networks, fit survey models, write the report. "
    "'workbench COMMAND --help' describes each command; a mistake in your input exits "
    "with status 2 and a message saying what to do."
)


def _threshold(text: str) -> float:
    """``--dup-threshold``: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], not {text!r}")
    return value


def _add_dup_threshold(p: argparse.ArgumentParser) -> None:
    from workbench.corpus.dedup import DUP_THRESHOLD

    p.add_argument(
        "--dup-threshold", type=_threshold, default=DUP_THRESHOLD, metavar="J",
        help="Jaccard similarity of character 5-grams at which articles and paragraphs are "
        "near duplicates (default %(default)s; 1: only units with the same 5-grams)",
    )  # fmt: skip


def _add_corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files, folders, globs or .zip archives (default: the bundled seeds)",
    )  # fmt: skip
    p.add_argument("--skip-bad", action="store_true", help="report unreadable files and go on")
    p.add_argument("--metadata", metavar="CSV", help="user metadata keyed by a 'file' column")
    _add_dup_threshold(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def _workers(text: str) -> int:
    """``--workers``: a whole number of processes, 1 or more (0 or -2 ran serially)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more, "
                                         f"not {text!r}")  # fmt: skip
    return value


def _add_parallel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=_workers, metavar="N",
        help="local processes that run partitions, this one included (default: 1)",
    )  # fmt: skip
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler")


def _scheduler(args: argparse.Namespace) -> str | None:
    """Dask scheduler named by ``--dask`` / ``--scheduler`` (``None``: no Dask)."""
    if getattr(args, "scheduler", None):
        return args.scheduler
    return "local" if getattr(args, "dask", False) else None


#: Every command: name → (``module:function`` that declares its arguments, the one-line
#: help ``workbench --help`` lists). The function (and its module) runs only when its
#: command is parsed or its help printed, so ``workbench --help`` and ``workbench corpus
#: info`` never load pandas, scipy, statsmodels or scikit-learn for arguments they do not
#: have. The help strings repeat the modules' own (a test keeps them equal); a function
#: that declares several commands (``learn`` and ``suggest``) runs once.
COMMANDS: dict[str, tuple[str, str]] = {
    "corpus": ("workbench.cli:add_corpus_parser", "load and inspect a corpus"),
    "pipeline": ("workbench.cli:add_pipeline_parser",
                 "stream the whole pipeline into Parquet parts"),
    "report": ("workbench.cli:add_report_parser",
               "run the notebooks on the bundled data or yours into an HTML report"),
    "survey": ("workbench.survey.cli:add_parser", "simulate a survey or fit survey models"),
    "code": ("workbench.coding.cli:add_code_parser", "code a corpus with a codebook"),
    "codebook": ("workbench.coding.cli:add_codebook_parser", "start, check or show a codebook"),
    "learn": ("workbench.coding.cli:add_learn_parsers", "train a coder from coded sheets"),
    "suggest": ("workbench.coding.cli:add_learn_parsers",
                "write the next coding sheet (most uncertain units)"),
    "reliability": ("workbench.coding.cli:add_reliability_parser",
                    "agreement of two or more coders' sheets (kappa, alpha)"),
    "network": ("workbench.network.cli:add_network_parser",
                "co-occurrence or problem–cause network of codes"),
    "keyness": ("workbench.analysis_cli:add_parsers",
                "distinctive terms of groups of texts (G², log ratio)"),
    "collocations": ("workbench.analysis_cli:add_parsers", "collocates of a term (G², PMI)"),
    "ca": ("workbench.analysis_cli:add_parsers",
           "correspondence analysis of codes × a document variable"),
    "kwic": ("workbench.kwic:add_parser", "keyword in context, in the original script"),
    "trends": ("workbench.analysis_cli:add_trends_parser",
               "share of articles asserting each code per year or period"),
}  # fmt: skip


class _LazyParser(argparse.ArgumentParser):
    """A parser whose arguments are declared the first time it parses or prints help."""

    _declare = None  # set on the placeholders of COMMANDS; None once declared

    def complete(self) -> None:
        declare, self._declare = self._declare, None
        if declare is not None:
            declare()

    def parse_known_args(self, args=None, namespace=None):
        self.complete()
        # What this (sub)command was given, for error() to name an option it does not have.
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        """Arguments no command takes are reported by the command they were given to,
        with its usage: argparse reported them with ``workbench``'s usage, which lists
        the commands and none of their options."""
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:
            _innermost(self, namespace).error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace

    def error(self, message: str):
        """argparse's error (usage, message, exit 2), naming the options given that this
        (sub)command does not have, each with the closest it has: ``workbench kwic --trem
        干部`` said only that --term is required."""
        super().error(message + _unknown_options(self, getattr(self, "_given", [])))

    def format_help(self) -> str:
        self.complete()
        return super().format_help()

    def format_usage(self) -> str:
        self.complete()
        return super().format_usage()


def _innermost(parser: argparse.ArgumentParser, namespace: argparse.Namespace):
    """The (sub)command parser that parsed last: ``workbench corpus info`` → ``info``'s."""
    while True:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        name = getattr(namespace, subs[0].dest, None) if subs else None
        if name not in (subs[0].choices if subs else {}):
            return parser
        parser = subs[0].choices[name]


def _unknown_options(parser: argparse.ArgumentParser, given: Sequence[str]) -> str:
    """``"; unknown option --trem (did you mean --term?)"`` for each option in ``given``
    that ``parser`` does not have (a prefix of one of its options is one: argparse takes
    it), or ``""``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="workbench kwic")
    >>> _ = p.add_argument("--term"), p.add_argument("--window")
    >>> _unknown_options(p, ["--trem", "干部", "--win", "3", "-5", "--", "--x"])
    '; --trem is not an option of workbench kwic (did you mean --term?)'
    """
    from workbench.names import closest

    known = [o for o in parser._option_string_actions if o.startswith("-")]
    # A parser of commands reads options only before the command's name (the rest is
    # the command's, or a command's name misspelt).
    commands = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    said = []
    for token in given:
        if token == "--" or (commands and not token.startswith("-")):
            break
        option = token.split("=", 1)[0]
        if (
            not option.startswith("-")
            or option == "-"
            or option.lstrip("-").replace(".", "", 1).isdigit()
        ):
            continue  # a value, or a negative number
        if option in known or (option.startswith("--") and any(
            k.startswith(option) for k in known
        )):  # fmt: skip
            continue
        near = closest(option, [k for k in known if k.startswith("--")], n=1)
        hint = f"did you mean {near[0]}?" if near else f"see {parser.prog} --help"
        said.append(f"{option} is not an option of {parser.prog} ({hint})")
    return "".join(f"; {s}" for s in dict.fromkeys(said))


class _Placeholders:
    """Stands for the subparsers action while a module declares its commands: its
    ``add_parser(name, help=...)`` hands back the placeholder already listed under ``name``."""

    def __init__(self, parsers: dict[str, _LazyParser], declared: dict[str, str]) -> None:
        self._parsers = parsers
        self.declared = declared  # name → the help the module gave (compared in the tests)

    def add_parser(self, name: str, *, help: str | None = None, **kwargs) -> _LazyParser:
        if name not in self._parsers:
            raise ValueError(f"command {name!r} is not in workbench.cli.COMMANDS")
        parser = self._parsers[name]
        for key, value in kwargs.items():  # description, epilog, formatter_class ...
            setattr(parser, key, value)
        self.declared[name] = help or ""
        return parser


def _declarer(spec: str, names: list[str], parsers: dict[str, _LazyParser],
              declared: dict[str, str]):  # fmt: skip
    def declare() -> None:
        import importlib

        for name in names:  # the function declares them all at once
            parsers[name]._declare = None
        module, function = spec.split(":")
        getattr(importlib.import_module(module), function)(_Placeholders(parsers, declared))
        missing = [n for n in names if n not in declared]
        if missing:
            raise ValueError(f"{spec} did not declare {missing}")

    return declare


def add_corpus_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``corpus info`` and ``corpus build``."""
    corpus = sub.add_parser("corpus", help=COMMANDS["corpus"][1])
    csub = corpus.add_subparsers(dest="action", required=True)
    _add_corpus_args(csub.add_parser("info", help="print a per-file summary"))
    build = csub.add_parser("build", help="write the segments table as Parquet")
    _add_corpus_args(build)
    build.add_argument(
        "--out", required=True, type=Path, metavar="FILE.parquet",
        help="the segments table; beside it FILE.documents.parquet, FILE.removed.parquet, "
        "FILE.files.parquet and FILE.duplicates.parquet",
    )  # fmt: skip
    _add_parallel_args(build)


def add_pipeline_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``pipeline``."""
    pipe = sub.add_parser(
        "pipeline", help=COMMANDS["pipeline"][1],
        description="Read, clean, segment and code a corpus of any size partition by "
        "partition, find its duplicates and code co-occurrence, and write every table as "
        "Parquet parts in DIR (segments/, documents/, removed/, codes/, units/, "
        "files.parquet, duplicates.parquet, cooccurrence.parquet, manifest.json); prints a "
        "JSON summary. The analysis commands take DIR where they take a segments or codes "
        "table (workbench kwic --corpus DIR).",
    )  # fmt: skip
    pipe.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files, folders, globs or .zip archives (default: the bundled seeds)",
    )  # fmt: skip
    pipe.add_argument(
        "--out", required=True, type=Path, metavar="DIR",
        help="output folder: new, empty or an earlier build, which is replaced once the new "
        "one is complete (a build that fails or is interrupted leaves DIR as it was); "
        "another folder is refused",
    )  # fmt: skip
    pipe.add_argument("--skip-bad", action="store_true", help="report unreadable files and go on")
    pipe.add_argument(
        "--metadata", type=Path, metavar="CSV",
        help="user metadata keyed by a 'file' column, joined onto the documents table",
    )  # fmt: skip
    pipe.add_argument(
        "--codebook", type=Path, default=None, metavar="YAML",
        help="codebook to code with (default: data/codebook.yaml)",
    )  # fmt: skip
    pipe.add_argument(
        "--unit", default="sentence", choices=["sentence", "paragraph", "section", "article"],
        help="coding unit, also the unit of code co-occurrence (default: %(default)s)",
    )  # fmt: skip
    pipe.add_argument(
        "--engine",
        default=None,
        choices=["rjieba", "jieba"],
        help="word segmentation engine (default: rjieba, same tokens as jieba)",
    )
    _add_dup_threshold(pipe)
    _add_parallel_args(pipe)


def add_report_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``report``."""
    report = sub.add_parser(
        "report", help=COMMANDS["report"][1],
        description="Execute the notebooks (each on a fresh kernel; minutes) on the bundled "
        "data, or on the inputs you give, and write one HTML page per notebook, index.html "
        "(naming the data used) and the figures and tables into --out. Your inputs are "
        "checked, and every corpus file read, before any notebook runs.",
    )  # fmt: skip
    report.add_argument("notebooks", nargs="*", type=Path,
                        help="the notebooks to run (default: notebooks/*.ipynb)")  # fmt: skip
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of the pages, figures and tables (default: reports/)",
    )
    inputs = report.add_argument_group(
        "your data (each notebook uses what it needs; without them, the bundled data)"
    )
    inputs.add_argument(
        "--corpus",
        nargs="+",
        metavar="PATH",
        help="files, folders, globs or .zip archives of texts",
    )
    inputs.add_argument("--metadata", type=Path, metavar="CSV", help="document metadata by file")
    inputs.add_argument("--codebook", type=Path, metavar="YAML", help="your codebook")
    inputs.add_argument(
        "--model",
        type=Path,
        metavar="JOBLIB",
        help="a model from `workbench learn` (made with the same codebook)",
    )
    inputs.add_argument("--survey", type=Path, metavar="FILE", help="survey .csv, .dta or .sav")
    inputs.add_argument(
        "--mapping", type=Path, metavar="YAML", help="your survey's columns → the standard names"
    )
    inputs.add_argument(
        "--places",
        type=Path,
        metavar="CSV",
        help="doc_id → place columns, linking texts to the survey (notebook 05)",
    )


def build_parser(lazy: bool = True) -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation).

    Each command of :data:`COMMANDS` is declared by its module's function, imported and
    run when the command is parsed or its help printed; ``lazy=False`` declares them all
    now.
    """
    parser = _LazyParser(prog="workbench", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    parsers = {name: sub.add_parser(name, help=text) for name, (_, text) in COMMANDS.items()}
    declared: dict[str, str] = {}
    for spec in dict.fromkeys(s for s, _ in COMMANDS.values()):
        names = [n for n, (s, _) in COMMANDS.items() if s == spec]
        declare = _declarer(spec, names, parsers, declared)
        for name in names:
            parsers[name]._declare = declare
    parser.declared_help = declared  # what each module's own add_parser call said
    if not lazy:
        for p in parsers.values():
            p.complete()
    return parser


def _print_summary(summary: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for f in summary:
        if "error" in f:  # the reason was logged once, when the file was skipped
            print(f"{f['path']}: skipped")
            continue
        by_rule = f.get("removed_by_rule", {})
        rules = ", ".join(f"{r} {n}" for r, n in by_rule.items())
        # Every line or span not in the body, whatever took it out: boilerplate and markup
        # rules, a Word file's notes and comments, a page's chrome (the reader's html_* and
        # docx_* rules), the title, byline and article marker lines. Not "boilerplate": a
        # footnote or a reviewer's comment is none, and the rules say which is which.
        print(
            f"{f['path']}: {f['encoding'] or '-'}, {f['script'] or '-'}, "
            f"{len(f['articles'])} article(s), {sum(by_rule.values())} line(s) or span(s) "
            f"not in the body, {len(f['duplicates'])} duplicate(s)"
            + (f"; by rule: {rules}" if rules else "")
        )
        for a in f["articles"]:
            roles = ", ".join(f"{k} {v}" for k, v in a["roles"].items())
            print(
                f"    {a['doc_id']}  {a['title'] or '(untitled)'} — {a['n_chars']} chars; "
                f"sentences: {roles}"
            )


#: The corpus tables ``corpus build`` writes beside the segments, as ``<name>.<table>.parquet``.
CORPUS_TABLES = ("documents", "removed", "files", "duplicates")


def _corpus(args: argparse.Namespace) -> int:
    from workbench.corpus import load_corpus
    from workbench.corpus.metadata import MetadataError
    from workbench.corpus.readers import ReadError
    from workbench.provenance import file_checksums, make_record, write_parquet

    if args.action == "build":
        from workbench.cli_output import check_suffix

        # Before the corpus is read: the tables beside it are named <stem>.<table>.parquet.
        check_suffix(args.out, (".parquet",))
        check_out_outside(args.paths, args.out)
    try:
        corpus = load_corpus(
            args.paths or None, metadata=args.metadata, skip_bad=args.skip_bad,
            workers=getattr(args, "workers", None), scheduler=_scheduler(args),
            dup_threshold=args.dup_threshold,
        )  # fmt: skip
    except (ReadError, FileNotFoundError, MetadataError) as err:
        print(f"workbench: {err}", file=sys.stderr)
        if isinstance(err, ReadError):
            _say_other_unreadable(args.paths, err)
        return EXIT_BAD_INPUT
    summary = corpus.summary()
    if args.action == "build":
        params = {**corpus.parameters, "paths": args.paths or [str(config.SEEDS_DIR)]}
        # The metadata file is an input as the corpus files are: the tables hold its columns.
        record = make_record({**corpus.checksums(), **file_checksums([args.metadata])}, params)
        write_parquet(corpus.segments, args.out, record)
        # Beside it, what the segments leave out: the articles, and what was dropped on the
        # way (boilerplate, per-file status, duplicates), so that nothing is lost unseen.
        beside = {name: args.out.with_name(f"{args.out.stem}.{name}.parquet")
                  for name in CORPUS_TABLES}  # fmt: skip
        for name, path in beside.items():
            write_parquet(getattr(corpus, name), path, record)
        print(
            f"wrote {args.out} ({len(corpus.segments)} segments) and, beside it, "
            f"{beside['documents'].name}, {beside['removed'].name} "
            f"({len(corpus.removed)} line(s) removed), {beside['files'].name} and "
            f"{beside['duplicates'].name} ({len(corpus.duplicates)} duplicate(s))",
            file=sys.stderr,
        )
    _print_summary(summary, args.json)
    # Each skip and its reason was logged once as it happened; here they are counted.
    skipped = [Path(f["path"]).name for f in summary if "error" in f]
    if skipped:
        print(
            f"workbench: skipped {len(skipped)} of {len(summary)} input(s) (--skip-bad): "
            + ", ".join(skipped),
            file=sys.stderr,
        )
    return 0


def _pipeline(args: argparse.Namespace) -> int:
    existed = args.out.exists()
    try:
        return _run_pipeline(args)
    except KeyboardInterrupt:
        stream = sys.modules.get("workbench.stream")  # not imported yet: nothing written
        if stream is not None:
            import shutil

            # build_corpus removed what it had written; again now that the workers are gone
            # (one may have been writing a part then).
            shutil.rmtree(stream.partial_dir(args.out), ignore_errors=True)
        # Said, rather than leave the user to wonder whether OUT holds half a build.
        state = "is as it was" if existed else "was not created"
        print(f"workbench: interrupted; {args.out} {state} (no part of this build is kept)",
              file=sys.stderr)  # fmt: skip
        return 130


def _run_pipeline(args: argparse.Namespace) -> int:
    import contextlib
    from dataclasses import asdict

    with contextlib.ExitStack() as stack:
        pool = None
        if (args.workers or 1) > 1 and _scheduler(args) is None:
            # Spawned first: the workers import and warm up (about a second) while this
            # process imports the pipeline's modules, instead of after.
            from workbench.engine import spawn_workers

            pool = stack.enter_context(spawn_workers(args.workers - 1, _warm_up_pipeline))
        from workbench.cli_output import check_writable
        from workbench.corpus.metadata import MetadataError
        from workbench.corpus.readers import ReadError
        from workbench.stream import build_corpus

        check_writable(args.out, folder=True)
        check_out_outside(args.paths, args.out)
        try:
            summary = build_corpus(
                args.paths or None, args.out, workers=args.workers, scheduler=_scheduler(args),
                codebook=args.codebook, unit=args.unit, engine=args.engine,
                skip_bad=args.skip_bad, dup_threshold=args.dup_threshold, pool=pool,
                metadata=args.metadata,
            )  # fmt: skip
        except (ReadError, FileNotFoundError, FileExistsError, MetadataError) as err:
            print(f"workbench: {err}", file=sys.stderr)
            if isinstance(err, ReadError):
                _say_other_unreadable(args.paths, err)
            return EXIT_BAD_INPUT
    print(json.dumps(asdict(summary), ensure_ascii=False, indent=2))
    _say_skipped(args.out)
    global _exit_at_once
    _exit_at_once = True  # every table is written and closed, the workers are gone
    return 0


#: Files that cannot be read named after the first, at most (:func:`_say_other_unreadable`).
MAX_UNREADABLE_SHOWN = 20


def _say_other_unreadable(paths: list[str], first: Exception) -> None:
    """After ``pipeline`` or ``corpus build`` stopped at an unreadable file (without
    ``--skip-bad``), name every other file that cannot be read, so that one run tells
    all there is to fix: the first was named alone, and fixing a folder took a run per
    bad file.

    Every file is read and decoded only now, once the run has failed, as ``report``
    checks its corpus (:func:`workbench.corpus.readers.read_text`). Checking them all
    before every build instead would cost the same on every run that has nothing to
    fix: 0.14 s of CPU for the 852 files (12 MB) of the 8 KB benchmark corpus, 2 % of
    its 7 s two-worker ``pipeline`` run, on the hot path. After a failure it costs about
    as much, a small part of the run that failed.
    """
    from workbench.corpus import gather_sources
    from workbench.corpus.readers import ReadError, read_text

    try:
        found = gather_sources(paths or None, progress=False)
    except (ReadError, OSError):  # the inputs themselves: said already
        return
    bad = []
    for ref in found.files:
        try:
            read_text(ref.load())
        except ReadError as err:
            if err.path != getattr(first, "path", None):
                bad.append(err)
        except OSError as err:
            bad.append(err)
    if not bad:
        return
    listed = "; ".join(str(getattr(err, "path", "")) + ": " + str(getattr(err, "reason", err))
                       for err in bad[:MAX_UNREADABLE_SHOWN])  # fmt: skip
    more = len(bad) - MAX_UNREADABLE_SHOWN
    listed += f" and {more} more" if more > 0 else ""
    print(f"workbench: {len(bad)} more of the {len(found.files)} file(s) cannot be read "
          f"either: {listed}; --skip-bad leaves every unreadable file out and lists it",
          file=sys.stderr)  # fmt: skip


def _say_skipped(out: Path) -> None:
    """Count the files a ``--skip-bad`` build skipped, as ``corpus build`` does, and say so
    when no document was read at all: such a build exited 0 with the skips scrolled past
    and an empty corpus behind them."""
    import pandas as pd

    files = pd.read_parquet(out / "files.parquet", columns=["file", "status"])
    skipped = files.loc[files["status"] == "skipped", "file"].tolist()
    if not skipped:
        return
    print(f"workbench: skipped {len(skipped)} of {len(files)} file(s) (--skip-bad): "
          + ", ".join(skipped[:10]) + (f" and {len(skipped) - 10} more" if len(skipped) > 10
                                       else ""), file=sys.stderr)  # fmt: skip
    if len(skipped) == len(files):
        print(f"workbench: no file could be read: {out} holds empty tables", file=sys.stderr)


#: Set by a command after which the console script may skip interpreter teardown (:func:`run`).
_exit_at_once = False


def run() -> None:
    """The ``workbench`` console script: :func:`main`, then exit with its status.

    After ``workbench pipeline`` has written and closed every table and its workers are
    gone, the process ends without tearing the interpreter down (freeing each of the
    millions of objects of a large run one by one, and every module: about 0.2 s on 20 MB
    of text, 2 % of the run) once its output is flushed. Every other command, and
    :func:`main` called from Python, exits the usual way. Ctrl-C while the command line
    is still being parsed (before :func:`main`'s own handler) says so in one line too.
    """
    try:
        status = main()
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        status = 130
    if _exit_at_once:
        import logging
        import os

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def _warm_up_pipeline() -> int:
    """A pipeline worker's warm-up (:func:`workbench.pipeline.warm_up`), named here so
    that the process starting the workers need not import the pipeline first.

    Ctrl-C reaches every process of the terminal's group, but a pool worker ignores it
    (:func:`workbench.engine.spawn_workers`): the driving process says that the run was
    interrupted and stops the workers.
    """
    from workbench.pipeline import warm_up

    return warm_up()


def report_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The notebooks' parameters from ``workbench report``'s options, checked first.

    Paths become absolute (the notebooks run in ``notebooks/``). The inputs are checked
    before any notebook runs — files exist, the corpus names something readable, the
    codebook and the survey (with its mapping) load, a model fits the codebook — so a
    mistake is reported in a second, as a user error, not after minutes of execution.
    """
    from workbench.coding.codebook import load_codebook

    params: dict[str, Any] = {}
    for name in ("metadata", "codebook", "model", "survey", "mapping", "places"):
        path = getattr(args, name)
        if path is None:
            continue
        if not Path(path).is_file():
            raise FileNotFoundError(f"--{name} {path}: no such file")
        params[name.upper()] = str(Path(path).resolve())
    if args.mapping is not None and args.survey is None:
        raise FileNotFoundError("--mapping needs --survey (the survey it maps)")
    from workbench.corpus import gather_sources

    if args.out is not None:
        from workbench.cli_output import check_writable

        check_writable(args.out, folder=True)  # a file of that name: it failed at the end
    specs = None
    if args.corpus:
        specs = [str(Path(p).resolve()) if Path(p).exists() else p for p in args.corpus]
        _check_report_corpus(specs, args.out)
        params["CORPUS"] = specs
    if args.metadata is not None:
        _check_metadata(args.metadata, [f.name for f in gather_sources(specs).files])
    codebook = load_codebook(args.codebook)  # CodebookError lists every problem
    if args.model is not None:
        from workbench.coding.learn import load_model

        load_model(args.model, codebook)  # ModelError when made with another codebook
    survey = None
    if args.survey is not None:
        from workbench.survey.io import load_survey

        survey = load_survey(args.survey, args.mapping)  # SurveyValidationError names the file
    if args.places is not None:
        from workbench.survey.io import load_survey
        from workbench.survey.link import check_places, load_places

        # Read as any CSV of the user's (GBK too), and linkable to the survey notebook 05
        # uses (the bundled one without --survey): a mistake here surfaced only after
        # notebooks 01-04 had run.
        frame = (survey or load_survey(None)).frame
        check_places(load_places(args.places), frame, f"--places {args.places}")
    return params


#: What the report says of a corpus file it cannot read, instead of the loader's advice
#: to pass --skip-bad: the notebooks read every file, and ``report`` has no such option.
_REPORT_READ_HINT = ("convert or remove them (the notebooks read every file of --corpus; "
                     "`workbench corpus info --skip-bad` lists them all)")  # fmt: skip


def check_out_outside(paths: Sequence[str] | None, out: Path | None, flag: str = "PATH") -> None:
    """Refuse an output (``--out``) inside a folder of the corpus read: the next reading of
    that folder would meet it (a report's pages read as texts; a build's Parquet files
    passed over with the advice to convert them).

    Raises
    ------
    workbench.groups.InputError
        Naming both and what to do.
    """
    from workbench.groups import InputError

    if out is None:
        return
    where = out.resolve()
    for path in paths or ():
        folder = Path(path).resolve()
        if Path(path).is_dir() and where.is_relative_to(folder):
            raise InputError(
                f"--out {out}: inside the corpus folder {path} ({flag}), whose next reading "
                "would meet it; write it outside that folder"
            )


def _check_report_corpus(specs: list[str], out: Path | None) -> None:
    """Check ``workbench report --corpus`` before any notebook runs: not a folder that
    ``workbench pipeline`` wrote, not holding ``--out``, and every file read as the
    notebooks will read it.

    A file that cannot be read stopped notebook 01 after its kernel had started, with
    exit status 1 and a page of traceback; a pipeline build given for its texts was
    refused with the advice to convert its Parquet files or pass ``--skip-bad``, which
    ``report`` does not have. Reading every file costs a fraction of a notebook's run.
    """
    from workbench.corpus import gather_sources
    from workbench.corpus.readers import read_text
    from workbench.decoding import SKIP_ADVICE, ReadError
    from workbench.groups import InputError

    check_out_outside(specs, out, "--corpus")
    for spec in specs:
        if (Path(spec) / "manifest.json").is_file() and (Path(spec) / "segments").is_dir():
            raise InputError(
                f"--corpus {spec}: a folder `workbench pipeline` wrote (Parquet tables, not "
                "texts); give the folder of texts it was built from"
            )
    try:
        # NameClashError names two files of one name.
        found = gather_sources(specs, progress=False)
    except ReadError as err:  # a folder without texts, an archive that cannot be read
        raise ReadError(err.path, err.reason, err.hint.removesuffix(SKIP_ADVICE)) from None
    if not found.files:
        raise FileNotFoundError(f"--corpus {' '.join(specs)}: no .txt, .md, .html or .docx "
                                "files there")  # fmt: skip
    bad = []
    for ref in found.files:
        try:
            read_text(ref.load())
        except ReadError as err:
            bad.append(err)
    if bad:
        listed = "; ".join(f"{err.path}: {err.reason}" for err in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise InputError(f"--corpus: {len(bad)} of {len(found.files)} file(s) cannot be "
                         f"read: {listed}{more}; {_REPORT_READ_HINT}")  # fmt: skip


def _check_metadata(path: Path, files: list[str]) -> None:
    """Join ``--metadata`` onto the corpus's file names as the notebooks will, so that a
    mistake in it (no file column, a file listed twice, a column named as a corpus or
    segments column, a date that is not one) is a user error in a second: it surfaced
    while notebook 01 ran, as a failed cell and exit status 1. Names that match no file
    are logged here already, with the closest file's name."""
    import pandas as pd

    from workbench.corpus import DOCUMENT_COLUMNS, SEGMENT_COLUMNS
    from workbench.corpus.metadata import check_metadata

    # Column names only, not filled in (joined=False): a blank 'title' in the stand-in
    # must not make a metadata 'title' look joined already, and so let it through.
    documents = pd.DataFrame({"file": files}).reindex(columns=DOCUMENT_COLUMNS, fill_value="")
    check_metadata(documents=documents, source=path, segment_columns=SEGMENT_COLUMNS, joined=False)


def _report(args: argparse.Namespace) -> int:
    from workbench.report import NotebookExecutionError, build_report

    params = report_parameters(args)
    out = args.out if args.out is not None else config.REPORTS_DIR
    # Executing the notebooks takes a while; say so, and where the result will be.
    what = "your data" if params else "the bundled data"
    print(f"workbench report: executing the notebooks on {what} into {out} ...",
          file=sys.stderr, flush=True)  # fmt: skip
    try:
        paths = build_report(args.notebooks or None, args.out, parameters=params or None)
    except NotebookExecutionError as err:
        print(f"workbench: {err}", file=sys.stderr)
        return 1
    except FileExistsError as err:  # an --out holding files that are not a report's
        print(f"workbench: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Pages of the notebooks run so far are written; index.html is written last.
        print(f"workbench: interrupted; the report in {out} is incomplete (its index.html "
              "was not rewritten): run it again", file=sys.stderr)  # fmt: skip
        return 130
    for p in paths:
        print(p)
    print(f"workbench report: open {Path(out) / 'index.html'}", file=sys.stderr)
    return 0


#: A user's mistakes: exit status 2 and the message, no traceback. Named by module so that
#: the handler imports nothing (a command that never loaded a module cannot raise its error).
_USER_ERRORS = (
    "workbench.decoding:ReadError", "workbench.corpus.metadata:MetadataError",
    "workbench.coding.codebook:CodebookError", "workbench.coding.sheets:SheetError",
    "workbench.coding.learn:ModelError", "workbench.survey.validate:SurveyValidationError",
    "workbench.groups:InputError", "workbench.corpus.load:NameClashError",
    "workbench.csvio:CsvError",
)  # fmt: skip


def _is_user_error(err: BaseException) -> bool:
    if isinstance(err, FileNotFoundError | IsADirectoryError | NotADirectoryError
                  | PermissionError):  # fmt: skip
        return True
    for spec in _USER_ERRORS:
        module, name = spec.split(":")
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(err, getattr(loaded, name)):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """The ``workbench`` command line (the console script runs it through :func:`run`).

    One handler for every command: a user's mistake (a file that cannot be read, a bad
    codebook, sheet, model, metadata or survey file) prints its message and exits 2; output
    into a closed pipe (``… | head``) stops quietly with 141, as Unix tools do; anything else
    keeps its traceback and asks to be reported (exit 1).
    """
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if _is_user_error(err):
            print(f"workbench: {err}", file=sys.stderr)
            return 2
        import traceback

        traceback.print_exc()
        print(f"workbench: unexpected error ({type(err).__name__}). This is a bug, not your "
              "mistake: please report it with the command you ran and the traceback above.",
              file=sys.stderr)  # fmt: skip
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "corpus":
        return _corpus(args)
    if args.command == "survey":
        from workbench.survey.cli import run as run_survey

        return run_survey(args)
    if args.command in ("code", "codebook"):
        from workbench.coding.cli import run_code, run_codebook

        return run_code(args) if args.command == "code" else run_codebook(args)
    if args.command in ("learn", "suggest"):
        from workbench.coding.cli import run_learn, run_suggest

        return run_learn(args) if args.command == "learn" else run_suggest(args)
    if args.command == "reliability":
        from workbench.coding.cli import run_reliability

        return run_reliability(args)
    if args.command == "network":
        from workbench.network.cli import run_network

        return run_network(args)
    if args.command == "kwic":
        from workbench.kwic import run_kwic

        return run_kwic(args)
    if args.command in ("keyness", "collocations", "ca", "trends"):
        from workbench import analysis_cli

        return getattr(analysis_cli, f"run_{args.command}")(args)
    if args.command == "pipeline":
        return _pipeline(args)
    return _report(args)


if __name__ == "__main__":
    run()
