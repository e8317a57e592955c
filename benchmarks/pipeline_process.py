"""Time ``workbench pipeline`` as a user runs it: whole processes, against plain jieba.

    .venv/bin/python benchmarks/pipeline_process.py [--size 20MB] [--repeat 3] [--workers 2]
        [--json] [--out benchmarks/results/pipeline-process.json]

Issue 15's measurement. Two generated corpora of the same total size (``generate.py``,
seeded): one of ~8 KB files (one article each, as news or document archives come) and
one of ~100 KB files (the in-process benchmark's corpus). For each, every round runs,
one after the other (interleaved, so a slow moment of the machine falls on every command
alike), a fresh process of

- the baseline: a script that reads every file (UTF-8) and runs plain ``jieba.lcut`` on
  each line — the least any pipeline that segments Chinese does;
- ``workbench pipeline DIR --out OUT`` in one process (``--workers 1``);
- the same with ``--workers N``;

and reports each command's median wall time over the rounds, its ratio to the
baseline's median in the same run, and its ratio to the baseline round by round. Ratios,
not absolute seconds, are what to compare across machines; the machine, its load and the
library versions are recorded. The package is byte-compiled first (:func:`byte_compile`).

This module owns the whole-process measurement: ``benchmarks/run.py`` calls
:func:`report` and :func:`print_report` for its headline figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = str(Path(sys.executable).with_name("workbench"))

#: The baseline: what "segmenting a corpus with jieba" costs in a process of its own.
PLAIN_JIEBA = """
import sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
n = 0
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    for line in path.read_text(encoding="utf-8").splitlines():
        n += len(jieba.lcut(line))
print(n)
"""


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" /
                                                  "generate.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def _seconds(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - t0


def measure(size: str, repeat: int, workers: int, tmp: Path) -> dict:
    gen = _generator()
    script = tmp / "plain_jieba.py"
    script.write_text(PLAIN_JIEBA, encoding="utf-8")
    corpora = {}
    for name, file_bytes in (("8KB files", 8_000), ("100KB files", 100_000)):
        folder = tmp / name.replace(" ", "_")
        # Plain generated articles: no copies, one script and encoding, so the baseline
        # reads every file as it is (the pipeline's extra work is then its own).
        shares = gen.Shares(exact=0.0, near=0.0, traditional=0.0, gb18030_files=0.0)
        stats = gen.generate(folder, size=size, seed=1, file_bytes=file_bytes, shares=shares)
        corpora[name] = (folder, stats)
    results = {}
    for name, (folder, stats) in corpora.items():
        out = tmp / "out"
        commands = {
            "baseline: plain jieba.lcut per line": [sys.executable, str(script), str(folder)],
            "workbench pipeline --workers 1": [WORKBENCH, "pipeline", str(folder), "--out",
                                               str(out), "--workers", "1"],
            f"workbench pipeline --workers {workers}": [WORKBENCH, "pipeline", str(folder),
                                                        "--out", str(out), "--workers",
                                                        str(workers)],
        }  # fmt: skip
        times: dict[str, list[float]] = {c: [] for c in commands}
        for _ in range(repeat):
            for label, argv in commands.items():
                shutil.rmtree(out, ignore_errors=True)
                times[label].append(_seconds(argv))
        base_runs = next(iter(times.values()))
        base = statistics.median(base_runs)
        results[name] = {
            "files": stats.files, "bytes": stats.bytes,
            "commands": {label: {"median_s": round(statistics.median(t), 2),
                                 "ratio_to_baseline": round(statistics.median(t) / base, 2),
                                 "runs_s": [round(x, 2) for x in t],
                                 "ratios_per_round": [round(x / b, 2) for x, b
                                                      in zip(t, base_runs, strict=True)]}
                         for label, t in times.items()},
        }  # fmt: skip
    return results


def byte_compile() -> bool:
    """Byte-compile the workbench package, as pip does when it installs a package.

    An editable install leaves compiling to the first import, which writes nothing under
    ``PYTHONDONTWRITEBYTECODE`` (set on the CI machine): every process, pool workers
    included, would then compile the package's ~40 modules again, a cost no installed
    copy has (``./run setup`` compiles too). The baseline's jieba is compiled by pip.
    Returns whether every module compiled.
    """
    import compileall

    import workbench

    return bool(compileall.compile_dir(Path(workbench.__file__).parent, quiet=1))


def report(size: str, repeat: int, workers: int) -> dict:
    """:func:`measure` in a temporary folder, with the machine and library versions."""
    import jieba

    import workbench

    compiled = byte_compile()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(size, repeat, workers, Path(tmp))
    return {
        "what": "whole-process wall time, medians over interleaved rounds; ratio to plain "
                "jieba.lcut per line in the same run (benchmarks/pipeline_process.py)",
        "size": size, "repeat": repeat, "workers": workers, "byte_compiled": compiled,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "load_before": load_before},
        "versions": {"workbench": workbench.__version__, "jieba": jieba.__version__},
        "corpora": results,
    }  # fmt: skip


def print_report(rep: dict) -> None:
    """Each corpus's commands: median seconds, ratio to the baseline, ratios per round."""
    for name, r in rep["corpora"].items():
        print(f"{name}: {r['files']} files, {r['bytes'] / 1e6:.1f} MB")
        for label, c in r["commands"].items():
            rounds = ", ".join(f"{x:.2f}" for x in c["ratios_per_round"])
            print(f"  {label:45s} {c['median_s']:7.2f} s  × {c['ratio_to_baseline']:.2f}"
                  f"  (per round: {rounds})")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="20MB")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    a = ap.parse_args()
    rep = report(a.size, a.repeat, a.workers)
    if a.out:
        a.out.write_text(json.dumps(rep, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if a.json:
        print(json.dumps(rep, ensure_ascii=False, indent=1))
    else:
        print_report(rep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
