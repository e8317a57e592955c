"""One owner per constant: the section-role vocabulary lives in ``workbench.corpus.structure``,
the duplicate threshold in ``workbench.corpus.dedup`` (defined in its ``params`` module, re-exported
by the package); other modules import them. Byte decoding likewise has one owner,
``workbench.decoding``. Checked on the source (AST), so a new copy fails here instead of
drifting silently."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import workbench
from workbench.corpus import dedup, structure
from workbench.corpus.dedup import params

SRC = Path(workbench.__file__).parent


def _modules() -> dict[str, ast.Module]:
    return {
        str(p.relative_to(SRC.parent)): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(SRC.rglob("*.py"))
    }


def test_the_roles_are_defined_once():
    roles = set(structure.ROLES)
    copies = []
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set):
                continue
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) >= 3 and set(values) <= roles:
                copies.append(f"{path}:{node.lineno}")
    # structure.py spells the section roles once (SECTION_ROLES); ROLES adds OTHER to them.
    assert len(copies) == 1 and copies[0].startswith("workbench/corpus/structure.py:"), copies
    assert (*structure.SECTION_ROLES, structure.OTHER) == structure.ROLES


#: The modules that find or mark duplicates, or pass the threshold on (a package,
#: corpus/dedup, with all of its submodules), as paths under ``workbench/``.
DUPLICATE_MODULES = (
    "corpus/dedup", "corpus/duplicates", "corpus/load", "pipeline", "stream", "cli",
)  # fmt: skip


def _duplicate_modules() -> dict[str, ast.Module]:
    modules = _modules()
    found = {path: tree for path, tree in modules.items()
             if any(path == f"workbench/{m}.py" or path.startswith(f"workbench/{m}/")
                    for m in DUPLICATE_MODULES)}  # fmt: skip
    for m in DUPLICATE_MODULES:  # each is a module or a package, none is missing
        assert any(p == f"workbench/{m}.py" or p.startswith(f"workbench/{m}/") for p in found), m
    return found


def test_the_duplicate_threshold_is_no_literal_default():
    literal = []
    modules = _duplicate_modules()
    assert "workbench/corpus/dedup/find.py" in modules  # the package's submodules are checked
    for path, tree in modules.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            args = node.args
            pairs = [*zip(args.args[::-1], args.defaults[::-1], strict=False),
                     *zip(args.kwonlyargs, args.kw_defaults, strict=True)]  # fmt: skip
            for arg, default in pairs:
                if arg.arg in ("threshold", "dup_threshold") and isinstance(
                    default, ast.Constant
                ):
                    literal.append(f"{path}:{node.lineno} {node.name}({arg.arg}={default.value})")
    assert literal == [], "use workbench.corpus.dedup.DUP_THRESHOLD: " + "; ".join(literal)
    assert dedup.DUP_THRESHOLD == 0.8


def test_the_duplicate_threshold_is_assigned_once():
    # Once in the whole package source, in workbench.corpus.dedup.params;
    # workbench.corpus.dedup and its submodules import that one object.
    assigned = [
        f"{path}:{node.lineno}"
        for path, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id == "DUP_THRESHOLD"
    ]
    assert len(assigned) == 1, assigned
    assert assigned[0].startswith("workbench/corpus/dedup/params.py:"), assigned
    assert dedup.DUP_THRESHOLD is params.DUP_THRESHOLD
    # The package loads its submodules on first use: imported here, not assumed loaded.
    from workbench.corpus.dedup import find, sketch

    assert sketch.DUP_THRESHOLD is find.DUP_THRESHOLD is params.DUP_THRESHOLD


#: Modules with a transposed matrix product that is not a co-occurrence count, and why.
OTHER_GRAM_PRODUCTS = {
    "workbench/survey/rank.py": "the mixed model's normal equations (aᵀa, aᵀr), not codes",
}


def _transposed_products(tree: ast.Module) -> list[int]:
    """Lines of ``x.T @ y`` (or ``x.transpose() @ y``) products."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            left = node.left
            while isinstance(left, ast.BinOp) and isinstance(left.op, ast.MatMult):
                left = left.left  # x.T @ w @ x
            if isinstance(left, ast.Call):
                left = left.func
            if isinstance(left, ast.Attribute) and left.attr in ("T", "transpose"):
                lines.append(node.lineno)
    return lines


def test_cooccurrence_is_counted_in_network_measures_only():
    # pipeline.py and stream.py once each had their own ``(m.T @ m).tocsr()``; both now
    # call workbench.network.measures.cooccurrence_counts, the single owner.
    found = {path: lines for path, tree in _modules().items()
             if (lines := _transposed_products(tree))}  # fmt: skip
    assert "workbench/network/measures.py" in found
    others = {p: lines for p, lines in found.items() if p != "workbench/network/measures.py"}
    assert set(others) == set(OTHER_GRAM_PRODUCTS), others
    for module in ("pipeline", "stream"):
        source = (SRC / f"{module}.py").read_text(encoding="utf-8")
        assert "cooccurrence_counts(" in source, module


#: The modules of the standard library that expose a regex's parse tree.
REGEX_PARSER_MODULES = {"re._parser", "re._constants", "sre_parse", "sre_constants"}


def _reads_regex_parse_trees(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            continue
        if REGEX_PARSER_MODULES & set(names):
            lines.append(node.lineno)
    return lines


def test_regex_literals_are_analysed_in_regex_precheck_only():
    # coding/rules.py once had its own parse-tree walker (regex_triggers, regex_plan and
    # helpers, with another MAX_ALTERNATIVES); it now calls workbench.regex_precheck.
    from workbench import regex_precheck
    from workbench.coding import prefilter, rules

    found = {path: lines for path, tree in _modules().items()
             if (lines := _reads_regex_parse_trees(tree))}  # fmt: skip
    assert list(found) == ["workbench/regex_precheck.py"], found
    assert rules.regex_triggers is regex_precheck.regex_triggers
    assert rules.regex_plan is regex_precheck.regex_plan
    assert prefilter.RegexPlan is regex_precheck.RegexPlan
    defined = {n.name for n in ast.walk(_modules()["workbench/coding/rules.py"])
               if isinstance(n, ast.FunctionDef | ast.ClassDef)}  # fmt: skip
    assert not defined & {"regex_triggers", "regex_plan", "RegexPlan", "_seq_triggers",
                          "_literal_alternatives", "_prefixes", "_parse"}  # fmt: skip


#: Calls of ``readers.discover`` outside the corpus front end, and why each may stay.
OTHER_DISCOVER_CALLS: dict[str, str] = {}


def _calls_of(tree: ast.Module, name: str) -> list[str]:
    """``function`` (or ``<module>``) for each call of ``name`` or ``x.name`` in ``tree``."""
    found = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef) else where
            if isinstance(child, ast.Call):
                func = child.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append(where)
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_the_corpus_is_discovered_in_gather_sources_only():
    # load_corpus, run_pipeline and build_corpus each once had their own discover → check
    # names → collect unreadable files → progress; all three now call
    # workbench.corpus.gather_sources, the single owner of that front end (issue 15).
    from workbench import corpus, pipeline, stream

    calls = {f"{path}:{where}" for path, tree in _modules().items()
             for where in _calls_of(tree, "discover")}  # fmt: skip
    assert calls == {"workbench/corpus/load.py:gather_sources", *OTHER_DISCOVER_CALLS}, calls
    for fn in (corpus.load_corpus, pipeline.run_pipeline, stream.build_corpus):
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        assert _calls_of(tree, "gather_sources"), fn.__qualname__


#: What finds and applies duplicate marks, and the one module that may call it.
DUPLICATE_OWNERS = {
    "duplicates_from_sketches": "workbench/corpus/duplicates.py",
    "find_duplicates": "workbench/corpus/duplicates.py",
    "sentence_targets": "workbench/corpus/duplicates.py",
}


def test_duplicates_are_found_and_applied_in_duplicates_only():
    # The in-memory corpus (duplicates.mark_duplicates) and the Parquet build (stream) once
    # each had their own search from sketches and their own merge of the marks; both now go
    # through duplicates.find_marks (finding; called by the driver, engine.drive, for every
    # sink) and mark_documents / mark_segments (applying).
    calls = {name: {f"{path}:{where}" for path, tree in _modules().items()
                    for where in _calls_of(tree, name)} for name in DUPLICATE_OWNERS}  # fmt: skip
    for name, owner in DUPLICATE_OWNERS.items():
        outside = {c for c in calls[name] if not c.startswith(f"{owner}:")}
        assert not outside, (name, outside)
    finds = {f"{path}:{where}" for path, tree in _modules().items()
             for where in _calls_of(tree, "find_marks")}  # fmt: skip
    assert finds == {"workbench/corpus/duplicates.py:mark_duplicates", "workbench/engine.py:drive"}
    for module in ("corpus/duplicates", "stream"):
        tree = _modules()[f"workbench/{module}.py"]
        assert _calls_of(tree, "mark_segments") and _calls_of(tree, "mark_documents"), module


def _names_used(tree: ast.Module, name: str) -> list[str]:
    """``function`` (or ``<module>``) for each use of the name ``name`` other than its
    definition (a call, or the function passed on)."""
    found = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.ClassDef) else where
            named = child.id if isinstance(child, ast.Name) else getattr(child, "attr", None)
            if named == name and isinstance(child, ast.Name | ast.Attribute):
                found.append(where)
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_only_the_driver_runs_the_per_partition_stage():
    # run_pipeline (pipeline.analyse_files) and build_corpus (stream.analyse_part) once each
    # had their own per-partition stage and their own loop over partitions; both, and
    # load_corpus, are now calls of engine.drive, which alone runs engine.load_partition
    # and hands each partition's tables to a sink (engine.CorpusSink, pipeline.MemorySink,
    # stream.ParquetSink). The pipeline's words and codes per partition are one function,
    # pipeline.analyse_segments, which both pipelines pass through words_and_codes.
    from workbench import corpus, pipeline, stream

    modules = _modules()
    uses = {f"{path}:{where}" for path, tree in modules.items()
            for where in _names_used(tree, "load_partition")}  # fmt: skip
    assert uses == {"workbench/engine.py:drive"}, uses
    loads = {f"{path}:{where}" for path, tree in modules.items()
             for where in _calls_of(tree, "load_refs_results")}  # fmt: skip
    assert loads == {"workbench/engine.py:load_partition"}, loads
    analyses = {f"{path}:{where}" for path, tree in modules.items()
                for where in _names_used(tree, "analyse_segments")}  # fmt: skip
    assert analyses == {"workbench/pipeline.py:words_and_codes"}, analyses
    # Co-occurrence: counted per partition (network.measures), summed by the two sinks
    # that code (their result, which knows the codebook).
    sums = {f"{path}:{where}" for path, tree in modules.items()
            for where in _calls_of(tree, "sum_counts")}  # fmt: skip
    assert sums == {"workbench/pipeline.py:result", "workbench/stream.py:result"}, sums
    for fn in (corpus.load_corpus, pipeline.run_pipeline, stream.build_corpus):
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        assert _calls_of(tree, "drive"), fn.__qualname__
    for gone in ("analyse_files", "analyse_part", "analyse_partition", "map_partitions",
                 "assemble"):  # fmt: skip
        assert not any(_names_used(tree, gone) for path, tree in modules.items()
                       if path != "workbench/engine.py"), gone  # fmt: skip
    assert _names_used(modules["workbench/corpus/load.py"], "load_files") == ["load_refs_results"]


#: The legacy Chinese codecs, by the names Python and charset declarations give them.
LEGACY_CODECS = frozenset({
    "gb18030", "gbk", "gb2312", "cp936", "euc-cn", "hz", "big5", "cp950", "big5hkscs",
    "big5-hkscs",
})  # fmt: skip
#: Modules other than workbench/decoding.py that name a legacy codec, and why each may.
OTHER_LEGACY_CODEC_USES = {
    "workbench/corpus/readers.py": "zip member names (file names, not text) stored in GBK",
}


def _string_constants(tree: ast.Module) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}  # fmt: skip


def test_bytes_are_decoded_in_decoding_only():
    # workbench.csvio once had its own GB18030/Big5 guess (LEGACY, _common_share, a second
    # reader of common_hanzi.txt) beside the corpus reader's; csvio and corpus.readers now
    # both call workbench.decoding, the one owner of byte decoding (readers re-exports it).
    from workbench import csvio, decoding
    from workbench.corpus import readers

    codecs, hanzi = {}, []
    for path, tree in _modules().items():
        strings = {s.lower() for s in _string_constants(tree)}
        if found := strings & LEGACY_CODECS:
            codecs[path] = found
        if "common_hanzi.txt" in strings:
            hanzi.append(path)
    assert hanzi == ["workbench/decoding.py"], hanzi
    assert "workbench/decoding.py" in codecs
    others = set(codecs) - {"workbench/decoding.py"}
    assert others == set(OTHER_LEGACY_CODEC_USES), {p: codecs[p] for p in others}
    for name in ("decode", "decode_text", "Decoded", "Repair", "describe_repairs", "ReadError"):
        assert getattr(readers, name) is getattr(decoding, name), name
    assert csvio.decode is decoding.decode
    for gone in ("LEGACY", "COMMON_HANZI", "_common_share", "_common_characters"):
        assert not hasattr(csvio, gone), gone
