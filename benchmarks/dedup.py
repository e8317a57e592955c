"""Near-duplicate detection: the fast method (MinHash + LSH) against the exact one.

    .venv/bin/python benchmarks/dedup.py [--n 100000] [--sample 20000] [--exact-all] [--json]

Takes ``--n`` paragraphs (default 100,000) from generated corpora: the paragraphs
of ``load_corpus`` on the ``--size`` corpus (default 20 MB, seed 0, cached in
``data/processed/bench/`` as ``run.py`` caches it), then of corpora with seeds 1,
2, … of the same size until there are enough. Prints, in one run:

* both methods of :func:`workbench.corpus.dedup.find_duplicates` on the first
  ``--sample`` paragraphs (where the exact method runs in reasonable time):
  seconds, paragraphs/s, the ratio, and whether both found the same duplicates
  (identical tables: ids, canonical ids, kinds and similarities);
* the fast method on all ``--n`` paragraphs, split into the per-partition part
  (:func:`workbench.corpus.dedup.sketch_units`, which includes OpenCC ``t2s``; its share
  is timed apart, and so is the sketch proper, :func:`workbench.corpus.dedup.sketch_arrays`
  on the normalised code points: shingle hashes, MinHash signatures and LSH band
  keys) and the corpus-wide search, and, with
  ``--exact-all``, the exact method on all of them too;
* the LSH banding and its miss probability at the threshold.

Timings are wall-clock in one process; compare the ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run.py, beside this file

from run import cached_corpus  # the same cache of generated corpora

from workbench import config
from workbench.corpus.dedup import (
    DUP_THRESHOLD,
    NUM_PERM,
    find_duplicates,
    lsh_rows,
    miss_probability,
    normalise_many,
    sketch_arrays,
    sketch_params,
    sketch_units,
)
from workbench.corpus.dedup.sketch import _bands
from workbench.corpus.script import to_simplified_many

THRESHOLD = DUP_THRESHOLD


def paragraphs(n: int, size: str, cache_dir: Path) -> pd.DataFrame:
    """``n`` paragraph units (id, text) from generated corpora, in corpus order."""
    from workbench.corpus import load_corpus
    from workbench.corpus.duplicates import _units

    frames, have, seed = [], 0, 0
    while have < n:
        corpus = load_corpus([cached_corpus(size, seed, cache_dir, False)], progress=False)
        units = _units(corpus.segments, "paragraph_id")
        units["id"] = f"s{seed}:" + units["id"]
        frames.append(units)
        have += len(units)
        seed += 1
    return pd.concat(frames, ignore_index=True).iloc[:n].reset_index(drop=True)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def time_sketch_arrays(ids: list, texts: list[str], expected) -> float:
    """Seconds of the sketch proper (:func:`workbench.corpus.dedup.sketch_arrays`: shingle
    hashes, MinHash signatures, LSH band keys), apart from normalisation and OpenCC.

    Run before the search: after it, the same call measured about twice as long.
    """
    cps, offsets, _ = normalise_many(texts, simplify=True)
    params = sketch_params(THRESHOLD, 5, 12, NUM_PERM, True)  # sketch_units' defaults
    t, again = timed(lambda: sketch_arrays(ids, cps, offsets, params))
    if not again.equals(expected):
        raise AssertionError("sketch_arrays differs from sketch_units")
    return t


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="paragraphs (default 100,000)")
    ap.add_argument("--sample", type=int, default=20_000, help="paragraphs both methods run on")
    ap.add_argument("--size", default="20MB", help="size of each generated corpus")
    ap.add_argument("--cache-dir", type=Path, default=config.PROCESSED_DIR / "bench")
    ap.add_argument("--exact-all", action="store_true", help="also run exact on all --n")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    units = paragraphs(args.n, args.size, args.cache_dir)
    mb = units["text"].str.len().sum() * 3 / 1e6  # ~UTF-8 bytes of CJK text
    sample = units.iloc[: args.sample]
    find_duplicates(sample.iloc[:50])  # warm OpenCC and the normalisation table
    rec: dict = {"paragraphs": len(units), "approx_mb": round(mb, 2), "threshold": THRESHOLD}

    t_exact, exact = timed(lambda: find_duplicates(sample, threshold=THRESHOLD, method="exact"))
    t_fast, fast = timed(lambda: find_duplicates(sample, threshold=THRESHOLD))
    rec["sample"] = {
        "paragraphs": len(sample),
        "exact_s": round(t_exact, 3),
        "fast_s": round(t_fast, 3),
        "exact_over_fast": round(t_exact / t_fast, 1),
        "identical": exact.equals(fast),
        "duplicates": len(fast),
        "near": int((fast["kind"] == "near").sum()),
    }
    texts = units["text"].tolist()
    t_t2s, _ = timed(lambda: to_simplified_many(texts))  # the OpenCC share of sketching
    t_sketch, sketches = timed(lambda: sketch_units(units["id"].tolist(), texts))
    t_arrays = time_sketch_arrays(units["id"].tolist(), texts, sketches)
    t_search, found = timed(lambda: find_duplicates(units, sketches=sketches))
    rec["fast_all"] = {
        "sketch_s": round(t_sketch, 3),
        "of_which_opencc_s": round(t_t2s, 3),
        "of_which_hash_minhash_bands_s": round(t_arrays, 3),
        "search_s": round(t_search, 3),
        "total_s": round(t_sketch + t_search, 3),
        "paragraphs_per_s": round(len(units) / (t_sketch + t_search)),
        "duplicates": len(found),
        "near": int((found["kind"] == "near").sum()),
    }
    if args.exact_all:
        t_all, exact_all = timed(lambda: find_duplicates(units, method="exact"))
        rec["exact_all"] = {
            "total_s": round(t_all, 3),
            "identical": exact_all.equals(found),
            "exact_over_fast": round(t_all / (t_sketch + t_search), 1),
        }
    rows = lsh_rows(THRESHOLD)
    rec["lsh"] = {
        "bins": NUM_PERM,
        "bands": _bands(NUM_PERM, rows),
        "rows": rows,
        "miss_at_threshold": miss_probability(THRESHOLD, rows, _bands(NUM_PERM, rows)),
    }

    if args.json:
        print(json.dumps(rec, indent=2))
        return rec
    s, f = rec["sample"], rec["fast_all"]
    print(f"{rec['paragraphs']:,} paragraphs (~{rec['approx_mb']} MB), threshold {THRESHOLD}")
    print(f"sample of {s['paragraphs']:,}: exact {s['exact_s']:.2f} s "
          f"({s['paragraphs'] / s['exact_s']:,.0f}/s), fast {s['fast_s']:.2f} s "
          f"({s['paragraphs'] / s['fast_s']:,.0f}/s), exact/fast {s['exact_over_fast']}x; "
          f"same duplicates: {s['identical']} "
          f"({s['duplicates']} found, {s['near']} near)")  # fmt: skip
    print(f"fast on all {rec['paragraphs']:,}: sketch {f['sketch_s']:.2f} s (OpenCC "
          f"{f['of_which_opencc_s']:.2f} s, shingle hashes + MinHash + band keys "
          f"{f['of_which_hash_minhash_bands_s']:.2f} s of it) + search "
          f"{f['search_s']:.2f} s = {f['total_s']:.2f} s ({f['paragraphs_per_s']:,}/s); "
          f"{f['duplicates']} duplicates, {f['near']} near")  # fmt: skip
    if args.exact_all:
        e = rec["exact_all"]
        print(f"exact on all: {e['total_s']:.2f} s, exact/fast {e['exact_over_fast']}x; "
              f"same duplicates: {e['identical']}")  # fmt: skip
    lsh = rec["lsh"]
    print(f"LSH: {lsh['bins']} bins, {lsh['bands']} bands x {lsh['rows']} rows; "
          f"miss probability at J={THRESHOLD}: {lsh['miss_at_threshold']:.1e}")  # fmt: skip
    return rec


if __name__ == "__main__":
    main()
