"""The package's layering, checked on its source (AST; no dependency needed).

(a) No module uses a private name (leading underscore) of another workbench module,
    whether imported (``from workbench.x import _y``) or reached as an attribute
    (``x._y`` after ``from workbench import x``). A module that needs another's
    private name makes it public in its owner, or moves it there.
(b) The corpus layer (reading, cleaning, structure, duplicates, the corpus tables) does
    not import ``workbench.coding``, ``workbench.network`` or ``workbench.survey`` at
    module level, directly or through another module; a package of the layer
    (``workbench.corpus``, with its subpackage ``dedup``) with every one of its submodules.
(c) Issue 15's other contracts, at module level: the survey modules import no text
    module, plotting imports no coding, network or survey module; and no library module
    imports a command-line module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import workbench

SRC = Path(workbench.__file__).parent

#: The corpus layer: everything ``load_corpus`` needs, nothing about codes or surveys.
#: ``corpus`` is the package ``workbench.corpus`` (readers, boilerplate, articles,
#: structure, script, tokens, metadata, dates, summary, duplicates, the tables in ``load``
#: and the package ``dedup``), checked with every one of its submodules. ``decoding`` (the one
#: byte decoder) and ``config`` are its lowest modules, which the survey may import too.
CORPUS_LAYER = ("corpus", "engine", "regex_precheck", "decoding", "config", "names")
#: What the corpus layer must not import at module level.
ABOVE_CORPUS = ("workbench.coding", "workbench.network", "workbench.survey")


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return out


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_named(node: ast.expr, aliases: dict[str, str], modules: set[str]) -> str | None:
    """The workbench module an expression names: an alias, or a submodule reached from one
    (``dedup.sketch`` after ``from workbench.corpus import dedup``)."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        parent = _module_named(node.value, aliases, modules)
        if parent is not None and f"{parent}.{node.attr}" in modules:
            return f"{parent}.{node.attr}"
    return None


def private_uses(name: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """``"name -> owner.attr"`` for each private name of another workbench module used."""
    found, aliases = set(), {}  # aliases: local name → workbench module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("workbench"):
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:  # from workbench.corpus import dedup
                    aliases[alias.asname or alias.name] = full
                elif _private(alias.name) and node.module != name:
                    found.add(f"{name} -> {full}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules and alias.asname:
                    aliases[alias.asname] = alias.name
                elif alias.name.startswith("workbench") and not alias.asname:
                    aliases["workbench"] = "workbench"  # import workbench.corpus.dedup.sketch
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _module_named(node.value, aliases, modules)
            if owner is not None and owner != name:
                found.add(f"{name} -> {owner}.{node.attr}")
    return found


def _all_private_uses() -> set[str]:
    modules = _modules()
    return {use for name, tree in modules.items() for use in private_uses(name, tree, set(modules))}


def test_no_private_name_crosses_a_module_boundary():
    used = _all_private_uses()
    assert not used, (
        "private names of other modules used (make them public in their owner): "
        + ", ".join(sorted(used))
    )


def test_the_checker_sees_both_forms():
    tree = ast.parse(
        "from workbench.corpus.dedup import _bands, find_duplicates\n"
        "from workbench.corpus import dedup, load\nimport workbench.stream as st\n"
        "import workbench.corpus.dedup.verify\n"
        "def f():\n    return load._unreadable, st._PART, load.load_corpus, __name__\n"
        "def g():\n    return (dedup.sketch._fmix, workbench.corpus.dedup.verify._Sets,\n"
        "            dedup.x._y)\n"
    )
    mods = {"workbench", "workbench.corpus", "workbench.corpus.dedup",
            "workbench.corpus.dedup.sketch", "workbench.corpus.dedup.verify",
            "workbench.corpus.load", "workbench.stream", "workbench.x"}  # fmt: skip
    assert private_uses("workbench.x", tree, mods) == {
        "workbench.x -> workbench.corpus.dedup._bands",
        "workbench.x -> workbench.corpus.load._unreadable",
        "workbench.x -> workbench.stream._PART",
        "workbench.x -> workbench.corpus.dedup.sketch._fmix",  # a submodule, from its package
        "workbench.x -> workbench.corpus.dedup.verify._Sets",
    }


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports run when the module is imported (not in functions, not under TYPE_CHECKING)."""
    out: list[tuple[int, str]] = []

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                out.extend((node.lineno, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try | ast.With):
                visit(node.body)
                for h in getattr(node, "handlers", []):
                    visit(h.body)

    visit(tree.body)
    return out


def _corpus_layer_modules() -> dict[str, ast.Module]:
    """The modules of the corpus layer, a package's (``workbench.corpus``) with all of its
    submodules."""
    layer = tuple(f"workbench.{m}" for m in CORPUS_LAYER)
    return {name: tree for name, tree in _modules().items()
            if name in layer or name.startswith(tuple(f"{m}." for m in layer))}  # fmt: skip


def test_the_corpus_layer_imports_nothing_above_it():
    modules = _corpus_layer_modules()
    assert {f"workbench.{m}" for m in CORPUS_LAYER} <= set(modules)
    # the submodules are checked, not skipped, down to the subpackage's
    assert {"workbench.corpus.load", "workbench.corpus.dedup.sketch"} <= set(modules)
    bad = [
        f"{name}:{line} imports {target}"
        for name, tree in modules.items()
        for line, target in _module_level_imports(tree)
        if target.startswith(ABOVE_CORPUS)
    ]
    assert bad == []


#: Further contracts of issue 15's layout, at module level: (importers, forbidden targets).
#: The text modules are the corpus layer's but its two lowest, decoding and config.
TEXT_MODULES = tuple(
    f"workbench.{m}" for m in (*CORPUS_LAYER[:-2], "pipeline", "stream", "kwic", "keyness",
                               "collocations", "termfreq", "coding", "network")
)  # fmt: skip
CONTRACTS = {
    "survey does not import text modules": (("workbench.survey",), TEXT_MODULES),
    "plotting does not import coding, network or survey": (("workbench.plotting",), ABOVE_CORPUS),
}
#: The command-line modules: nothing else imports them, at any level.
CLI_MODULES = (
    "workbench.cli", "workbench.analysis_cli", "workbench.coding.cli", "workbench.network.cli",
    "workbench.survey.cli",
)  # fmt: skip


def test_the_other_layering_contracts_hold():
    modules = _modules()
    bad = [
        f"{contract}: {name}:{line} imports {target}"
        for contract, (importers, forbidden) in CONTRACTS.items()
        for name, tree in modules.items()
        if name.startswith(importers)
        for line, target in _module_level_imports(tree)
        if target.startswith(forbidden)
    ]
    assert bad == []


def test_nothing_imports_the_command_line_modules():
    importers = set()
    for name, tree in _modules().items():
        if name in CLI_MODULES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            if any(t in CLI_MODULES for t in targets):
                importers.add(name)
    assert not importers, "library modules importing a command-line module: " + ", ".join(
        sorted(importers))


def test_importing_the_corpus_layer_loads_nothing_above_it():
    # Transitively, in a fresh interpreter: a corpus module importing, say, pipeline
    # (which imports the coder) would pass the direct check above but not this one.
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in sorted(_corpus_layer_modules()))
        + f"print(sorted(m for m in sys.modules if m.startswith({ABOVE_CORPUS!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ast.literal_eval(done.stdout.strip()) == []


# --- The same contracts with import-linter (issue 15), which also follows imports made
# inside functions and through other modules; its configuration is in pyproject.toml.

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _importlinter_contracts() -> list[dict]:
    import tomllib

    with open(PYPROJECT, "rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]["contracts"]


def test_import_linter_contracts_are_kept():
    # lint-imports exits 1 when a contract is broken and prints the import chain.
    exe = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(exe), "--config", str(PYPROJECT)], capture_output=True, text=True,
        cwd=PYPROJECT.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 4 kept, 0 broken." in done.stdout


def test_the_import_linter_contracts_cover_every_module():
    # A new module must be placed in the contracts: the "no command-line import" contract
    # lists every library module (packages' __init__ are covered by the AST test above,
    # since import-linter would read a package as all of its modules). The corpus layer's
    # contract names the package workbench.corpus, which import-linter reads as all of its
    # submodules (workbench.corpus.dedup's among them).
    contracts = {c["name"]: c for c in _importlinter_contracts()}
    no_cli = contracts["no library module imports a command-line module"]
    assert set(no_cli["forbidden_modules"]) == set(CLI_MODULES)
    packages = {"workbench", "workbench.coding", "workbench.corpus", "workbench.corpus.dedup",
                "workbench.network", "workbench.survey"}  # fmt: skip
    library = set(_modules()) - set(CLI_MODULES) - packages
    assert set(no_cli["source_modules"]) == library
    corpus = contracts["the corpus layer does not import coding, network or survey"]
    assert corpus["source_modules"] == [f"workbench.{m}" for m in CORPUS_LAYER]


def test_import_linter_exceptions_only_shrink():
    ignored = sorted(i for c in _importlinter_contracts() for i in c.get("ignore_imports", []))
    assert ignored == ["workbench.survey.cli -> workbench.cli_output"]
