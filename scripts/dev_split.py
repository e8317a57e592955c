"""Split the development corpus (``../shared/corpus/dev``) by document into tune and test parts.

Run once (2026-12-06) to write ``data/gold/dev_split.csv``; the file, not this script, is what
the project uses, so later sessions never redraw the split. Only file *names* are read and
written: the dev texts are third-party material and stay out of the repository.

Design
------
* Documents that are copies of one another are one group and fall on one side together:
  d39/d40 (one article, GBK and UTF-8) and d47/d48 (an article and its copy).
* Groups are stratified by genre (Mao-era texts d01–d22; government and congress reports
  d23–d32; regulations d33–d36; 1990s–2000s articles and reports d37–d56) and, within each
  genre, shuffled with a fixed seed; the first ``round(0.45 * n)`` groups are the test part.

Usage: ``python scripts/dev_split.py [DEV_DIR]`` (prints the table; ``--write`` saves it).
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

SEED = 20261206
TEST_SHARE = 0.45
ALIASES = {"d40": "d39", "d48": "d47"}  # copies: same group as the first


def genre(number: int) -> str:
    if number <= 22:
        return "mao_era"
    if number <= 32:
        return "work_reports"
    if number <= 36:
        return "regulations"
    return "articles_1990s_2000s"


def split(files: list[str]) -> list[dict[str, str]]:
    rows = []
    for f in sorted(files):
        doc = f[:3]
        rows.append({"file": f, "group": ALIASES.get(doc, doc), "genre": genre(int(doc[1:]))})
    rng = random.Random(SEED)
    test: set[str] = set()
    for g in sorted({r["genre"] for r in rows}):
        groups = sorted({r["group"] for r in rows if r["genre"] == g})
        rng.shuffle(groups)
        test.update(groups[: round(TEST_SHARE * len(groups))])
    for r in rows:
        r["part"] = "test" if r["group"] in test else "tune"
    return rows


def main() -> int:
    dev = Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "../shared/corpus/dev"))
    files = [p.name for p in dev.iterdir() if re.match(r"d\d\d_", p.name)]
    rows = split(files)
    out = Path(__file__).resolve().parents[1] / "data" / "gold" / "dev_split.csv"
    if "--write" in sys.argv:
        with open(out, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, ["file", "group", "genre", "part"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {out}")
    for r in rows:
        print(r["part"], r["file"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
