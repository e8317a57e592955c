"""Time loading the bundled seeds against plain jieba on the same text, in one run.

    .venv/bin/python benchmarks/load_seeds.py [--repeat 5] [--json]

Prints the median wall time of (a) the baseline, plain ``jieba.lcut`` over every
line of the raw seed files, and (b) ``load_corpus()`` on the seeds (decode, clean,
split, structure, script normalisation, duplicates), both after jieba's dictionary
and OpenCC are loaded once, plus their ratio. Ratios, not absolute times, are what
to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from workbench import config
from workbench.corpus import load_corpus


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import jieba

    jieba.setLogLevel(60)
    texts = [p.read_text(encoding="utf-8") for p in sorted(config.SEEDS_DIR.glob("*.txt"))]
    lines = [ln for t in texts for ln in t.splitlines() if ln.strip()]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    jieba.lcut("预热")  # the first dictionary load is not what we measure
    load_corpus()  # warms OpenCC and the rule caches

    baseline = _median_seconds(lambda: [jieba.lcut(ln) for ln in lines], args.repeat)
    loading = _median_seconds(load_corpus, args.repeat)
    result = {
        "corpus_mb": round(mb, 3),
        "baseline_jieba_s": round(baseline, 4),
        "load_corpus_s": round(loading, 4),
        "load_over_baseline": round(loading / baseline, 2),
        "load_mb_per_s": round(mb / loading, 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:>22}: {v}")


if __name__ == "__main__":
    main()
