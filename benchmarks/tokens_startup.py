"""Time word segmentation start-up as a user meets it: whole processes, against plain jieba.

    .venv/bin/python benchmarks/tokens_startup.py [--repeat 5] [--json] [--before SRC]

Each round runs, one after the other (interleaved, so a slow moment of the machine
falls on every command alike), a fresh process of

- the baseline: ``import jieba; jieba.lcut(TEXT)`` (plain jieba, its own dictionary
  cache warm, what ``benchmarks/pipeline_process.py`` compares against);
- ``import workbench.corpus.tokens`` (the import alone: numpy, pyarrow, the config);
- ``tokenize(TEXT)`` with the default engine (jieba-rs), the prepared-dictionary cache
  warm, and again with an empty cache directory (``XDG_CACHE_HOME`` pointed at a fresh
  temporary directory: the cold path, which builds and writes the cache);
- ``tokenize(TEXT, engine="jieba")``;

and prints the median wall time of each and its ratio to the baseline's median.
``--before SRC`` also runs every workbench command, in the same rounds, with another
checkout's ``src`` first on ``PYTHONPATH`` (``git worktree add --detach /tmp/old COMMIT``,
then ``--before /tmp/old/src``) and reports each command's ratio to its earlier self.
Ratios, not absolute times, are what to compare.
"""

from __future__ import annotations

import sys

import cli_startup

TEXT = "部分党员干部脱离群众,干群关系紧张,落实1-2项措施。"
PY = sys.executable

#: name → (command line, whether XDG_CACHE_HOME is a fresh empty directory); the first
#: is the baseline.
COMMANDS: dict[str, cli_startup.Command] = {
    "baseline: jieba.lcut": (
        [PY, "-c", f"import jieba; jieba.setLogLevel(30); jieba.lcut({TEXT!r})"], False),
    "import workbench.corpus.tokens": ([PY, "-c", "import workbench.corpus.tokens"], False),
    "tokenize (rjieba, cache warm)": (
        [PY, "-c", f"from workbench.corpus.tokens import tokenize; tokenize({TEXT!r})"], False),
    "tokenize (rjieba, cache cold)": (
        [PY, "-c", f"from workbench.corpus.tokens import tokenize; tokenize({TEXT!r})"], True),
    "tokenize (jieba)": (
        [PY, "-c",
         f"from workbench.corpus.tokens import tokenize; tokenize({TEXT!r}, engine='jieba')"],
        False),
}  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    return cli_startup.main(argv, COMMANDS, __doc__)


if __name__ == "__main__":
    main()
