"""Time word segmentation start-up as a user meets it: whole processes, against plain jieba.

    .venv/bin/python benchmarks/tokens_startup.py [--repeat 5] [--json] [--before SRC]

Each round runs, one after the other (interleaved, so a slow moment of the machine
falls on every command alike), a fresh process of

- the baseline: ``import jieba; jieba.lcut(TEXT)`` (plain jieba, its own dictionary
  cache warm, what ``benchmarks/pipeline_process.py`` compares against);
- ``import workbench.tokens`` (the import alone: numpy, pyarrow, the config);
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

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = "部分党员干部脱离群众,干群关系紧张,落实1-2项措施。"
PY = sys.executable

#: name → (command line, whether XDG_CACHE_HOME is a fresh empty directory); the first
#: is the baseline.
COMMANDS: dict[str, tuple[list[str], bool]] = {
    "baseline: jieba.lcut": (
        [PY, "-c", f"import jieba; jieba.setLogLevel(30); jieba.lcut({TEXT!r})"], False),
    "import workbench.tokens": ([PY, "-c", "import workbench.tokens"], False),
    "tokenize (rjieba, cache warm)": (
        [PY, "-c", f"from workbench.tokens import tokenize; tokenize({TEXT!r})"], False),
    "tokenize (rjieba, cache cold)": (
        [PY, "-c", f"from workbench.tokens import tokenize; tokenize({TEXT!r})"], True),
    "tokenize (jieba)": (
        [PY, "-c", f"from workbench.tokens import tokenize; tokenize({TEXT!r}, engine='jieba')"],
        False),
}  # fmt: skip


def _seconds(argv: list[str], env: dict[str, str], cold: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        if cold:
            env = {**env, "XDG_CACHE_HOME": tmp}
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0


def _env(src: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    return env


def measure(repeat: int, before: Path | None = None) -> dict:
    runs = {}  # each command next to its earlier self, so both meet the same moment
    for i, (name, (argv, cold)) in enumerate(COMMANDS.items()):
        runs[name] = (argv, _env(None), cold)
        if before is not None and i > 0:
            runs[f"{name} (before)"] = (argv, _env(before), cold)
    for argv, env, cold in runs.values():  # one unmeasured run each: disk caches, .pyc files
        _seconds(argv, env, cold)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, (argv, env, cold) in runs.items():
            samples[name].append(_seconds(argv, env, cold))
    median = {name: statistics.median(s) for name, s in samples.items()}
    base = next(iter(median.values()))
    figures = {
        name: {
            "s": round(median[name], 3),
            "min": round(min(s), 3),
            "max": round(max(s), 3),
            "x_baseline": round(median[name] / base, 2),
        }
        for name, s in samples.items()
    }
    if before is not None:
        for name in list(COMMANDS)[1:]:
            figures[name]["x_before"] = round(median[name] / median[f"{name} (before)"], 2)
    return {
        "repeat": repeat,
        "before": str(before) if before else None,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "figures": figures,
        "samples": {name: [round(x, 3) for x in s] for name, s in samples.items()},
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument(
        "--before",
        type=Path,
        default=None,
        metavar="SRC",
        help="also time the commands with this src/ directory first on the path",
    )
    ap.add_argument("--json", action="store_true", help="print the record as JSON")
    args = ap.parse_args(argv)
    rec = measure(args.repeat, args.before)
    if args.json:
        print(json.dumps(rec, indent=2))
        return rec
    print(f"medians of {rec['repeat']} interleaved rounds, whole processes"
          + (f"; (before): code from {rec['before']}" if rec["before"] else ""))  # fmt: skip
    for name, f in rec["figures"].items():
        before = f"  {f['x_before']:5.2f} x before" if "x_before" in f else ""
        print(f"{name:<40} {f['s']:7.3f} s ({f['min']:.3f}–{f['max']:.3f})  "
              f"{f['x_baseline']:5.2f} x baseline{before}")  # fmt: skip
    return rec


if __name__ == "__main__":
    main()
