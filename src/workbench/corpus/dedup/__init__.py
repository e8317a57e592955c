"""Exact and near-duplicate detection over ordered text units.

Web-collected Chinese texts repeat themselves: a page may contain its own body
twice, and the same essay circulates in Simplified and Traditional script on
different sites. Units (paragraphs or whole articles) are compared after
:func:`normalise_for_matching`, which converts to Simplified script and keeps only
letters, so punctuation style, numbering and script do not hide a copy.

* **Exact** duplicates have equal normalised text (found by hashing).
* **Near** duplicates have a Jaccard similarity of character n-gram shingle sets
  of at least ``threshold``.

Units are in corpus order and the earliest unit of a group is *canonical*.
Matching is single-link: a unit that matches any earlier unit joins that unit's
group, and ``dup_of`` always names the group's canonical unit, never an
intermediate one.

The parts, one submodule each (the fast method runs normalise → sketch → verify, the
exact method normalise → exact; find runs either):

:mod:`~workbench.corpus.dedup.params`
    :data:`DUP_THRESHOLD`, the one default threshold, and the tolerance with which
    both methods compare to a threshold.
:mod:`~workbench.corpus.dedup.normalise`
    :func:`normalise_for_matching`, its vectorised form over many texts
    (:func:`normalise_many`, :func:`normalise_texts`) and the helpers on packed code
    points and offsets (:func:`offsets_from_lengths`, :func:`gather_texts`, …).
:mod:`~workbench.corpus.dedup.sketch`
    The fast method's per-unit sketches: shingle hashes, MinHash signatures, LSH
    band keys (:func:`sketch_units`, :class:`Sketches`, :func:`lsh_rows`,
    :func:`miss_probability`).
:mod:`~workbench.corpus.dedup.verify`
    The fast method's candidate pairs, their exact verification, single-link groups
    (:func:`find_fast`) and the fetching of the texts verification needs.
:mod:`~workbench.corpus.dedup.exact`
    Shingle sets and Jaccard as defined for both methods (:func:`shingles`,
    :func:`jaccard`, :func:`containment`) and the exact method (prefix filtering).
:mod:`~workbench.corpus.dedup.find`
    The entry points: :func:`find_duplicates` (its module notes compare the two
    methods), :func:`duplicates_from_sketches`, :func:`check_sketches`,
    :func:`result_table`.

The names other modules use are imported from here, each loaded on first use from its
submodule: importing the package for :data:`DUP_THRESHOLD` (as the command line does
while it builds its options) loads neither numpy nor pandas. A constant is read where it is
defined: the batch sizes of verification (``MAX_BATCH_PAIRS``, ``VERIFY_BATCH_CHARS``,
``VERIFY_THREADS``, ``FETCH_CHARS``) live in :mod:`workbench.corpus.dedup.verify` only, so
that a test changes them there (``monkeypatch.setattr(verify, "FETCH_CHARS", 300)``).

Examples
--------
>>> import pandas as pd
>>> from workbench.corpus.dedup import find_duplicates
>>> units = pd.DataFrame({
...     "id": ["a", "b", "c", "d"],
...     "text": ["密切联系群众是我们党的优良传统。",
...              "一、",
...              "密切聯繫群眾，是我們黨的優良傳統！",
...              "密切联系群众是我们党的优良作风。"],
... })
>>> find_duplicates(units, threshold=0.6)
  id dup_of   kind  similarity
0  c      a  exact      1.0000
1  d      a   near      0.6923
>>> find_duplicates(units, threshold=0.6, method="exact").equals(
...     find_duplicates(units, threshold=0.6))
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench.corpus.dedup.params import DUP_THRESHOLD

if TYPE_CHECKING:
    from workbench.corpus.dedup.exact import containment, jaccard, shingles
    from workbench.corpus.dedup.find import (
        DUPLICATE_COLUMNS,
        Method,
        check_sketches,
        duplicates_from_sketches,
        find_duplicates,
        result_table,
        take_ids,
    )
    from workbench.corpus.dedup.normalise import (
        concat_consuming,
        concat_ranges,
        gather_texts,
        normalise_for_matching,
        normalise_many,
        normalise_texts,
        offsets_from_lengths,
        splice_complex,
    )
    from workbench.corpus.dedup.sketch import (
        MAX_MISS,
        NUM_PERM,
        SEED,
        Sketches,
        SketchParams,
        id_array,
        lsh_rows,
        miss_probability,
        position_hashes,
        sketch_arrays,
        sketch_params,
        sketch_units,
    )
    from workbench.corpus.dedup.verify import Normaliser, TextSource, find_fast

#: Where each re-exported name lives (its submodule of this package).
_OWNERS = {
    "exact": ("containment", "jaccard", "shingles"),
    "find": ("DUPLICATE_COLUMNS", "Method", "check_sketches", "duplicates_from_sketches",
             "find_duplicates", "result_table", "take_ids"),
    "normalise": ("concat_consuming", "concat_ranges", "gather_texts", "normalise_for_matching",
                  "normalise_many", "normalise_texts", "offsets_from_lengths", "splice_complex"),
    "sketch": ("MAX_MISS", "NUM_PERM", "SEED", "Sketches", "SketchParams", "id_array",
               "lsh_rows", "miss_probability", "position_hashes", "sketch_arrays",
               "sketch_params", "sketch_units"),
    "verify": ("Normaliser", "TextSource", "find_fast"),
}  # fmt: skip
_OWNER_OF = {name: module for module, names in _OWNERS.items() for name in names}

__all__ = [
    "DUPLICATE_COLUMNS", "DUP_THRESHOLD", "MAX_MISS", "NUM_PERM", "SEED", "Method", "Normaliser",
    "SketchParams", "Sketches", "TextSource", "check_sketches", "concat_consuming",
    "concat_ranges", "containment", "duplicates_from_sketches", "find_duplicates", "find_fast",
    "gather_texts", "id_array", "jaccard", "lsh_rows", "miss_probability",
    "normalise_for_matching", "normalise_many", "normalise_texts", "offsets_from_lengths",
    "position_hashes", "result_table", "shingles", "sketch_arrays", "sketch_params",
    "sketch_units", "splice_complex", "take_ids",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _OWNER_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
