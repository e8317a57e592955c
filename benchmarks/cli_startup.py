"""Time the ``workbench`` command as a user runs it: whole processes, against a baseline.

    .venv/bin/python benchmarks/cli_startup.py [--repeat 5] [--json] [--before DIR]

Each round runs, one after the other (interleaved, so a slow moment of the machine
falls on every command alike), a fresh process of

- the baseline ``python -c "import workbench"`` (the interpreter and the package);
- ``workbench --help``;
- ``workbench corpus info data/raw/seeds`` (loading the five seeds and printing them);
- ``workbench code --help`` and ``workbench survey fit --help`` (a command that
  imports its own module);

and prints the median wall time of each over the rounds and its ratio to the
baseline's median. ``--before DIR`` also runs every workbench command, in the same
rounds, with another checkout's ``src`` first on ``PYTHONPATH`` (e.g. a ``git worktree``
of an older commit: ``git worktree add --detach /tmp/old COMMIT``, then ``--before
/tmp/old/src``), with the same interpreter and libraries, and reports the ratio of each
command to its earlier self. Ratios, not absolute times, are what to compare.
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
WORKBENCH = str(Path(sys.executable).with_name("workbench"))

#: name → command line; the first is the baseline.
COMMANDS: dict[str, list[str]] = {
    "baseline: python -c 'import workbench'": [sys.executable, "-c", "import workbench"],
    "workbench --help": [WORKBENCH, "--help"],
    "workbench corpus info data/raw/seeds": [WORKBENCH, "corpus", "info", "data/raw/seeds"],
    "workbench code --help": [WORKBENCH, "code", "--help"],
    "workbench survey fit --help": [WORKBENCH, "survey", "fit", "--help"],
}


def _seconds(argv: list[str], env: dict[str, str], cold: bool = False) -> float:
    """Wall time of one process; ``cold``: with ``XDG_CACHE_HOME`` a fresh empty directory."""
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


#: A command line, or a command line and whether its cache directory starts empty.
Command = list[str] | tuple[list[str], bool]


def measure(
    repeat: int, before: Path | None = None, commands: dict[str, Command] | None = None
) -> dict:
    """Medians of ``repeat`` interleaved rounds of ``commands`` (default :data:`COMMANDS`;
    the first is the baseline), each also with ``before``'s ``src`` where given."""
    commands = COMMANDS if commands is None else commands
    runs = {}  # each command next to its earlier self, so both meet the same moment
    for i, (name, cmd) in enumerate(commands.items()):
        argv, cold = cmd if isinstance(cmd, tuple) else (cmd, False)
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
        for name in list(commands)[1:]:
            figures[name]["x_before"] = round(median[name] / median[f"{name} (before)"], 2)
    return {
        "repeat": repeat,
        "before": str(before) if before else None,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "figures": figures,
        "samples": {name: [round(x, 3) for x in s] for name, s in samples.items()},
    }


def main(
    argv: list[str] | None = None, commands: dict[str, Command] | None = None, doc: str = __doc__
) -> dict:
    """The command line of this script, and of others that time other ``commands``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--before", type=Path, default=None, metavar="SRC",
                    help="also time the commands with this src/ directory first on the path")
    ap.add_argument("--json", action="store_true", help="print the record as JSON")
    args = ap.parse_args(argv)
    rec = measure(args.repeat, args.before, commands)
    if args.json:
        print(json.dumps(rec, indent=2))
        return rec
    print(f"medians of {rec['repeat']} interleaved rounds, whole processes"
          + (f"; (before): code from {rec['before']}" if rec["before"] else ""))  # fmt: skip
    for name, f in rec["figures"].items():
        before = f"  {f['x_before']:5.2f} x before" if "x_before" in f else ""
        print(f"{name:<49} {f['s']:7.3f} s ({f['min']:.3f}–{f['max']:.3f})  "
              f"{f['x_baseline']:5.2f} x baseline{before}")  # fmt: skip
    return rec


if __name__ == "__main__":
    main()
