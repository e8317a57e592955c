"""The search parameters that more than one part of :mod:`workbench.corpus.dedup` reads."""

from __future__ import annotations

#: Jaccard similarity of shingle sets at or above which two units are near duplicates:
#: the one default of every function of :mod:`workbench.corpus.dedup` and
#: :mod:`workbench.corpus.duplicates`, and of ``load_corpus(dup_threshold=...)``,
#: ``run_pipeline``, ``build_corpus`` and the ``--dup-threshold`` option of
#: ``workbench corpus`` and ``workbench pipeline``.
DUP_THRESHOLD = 0.8

#: Tolerance of every comparison with the threshold: guards ceil(threshold * n) against
#: binary-fraction error (0.7 * 10 = 7.000000001), which would shorten the prefix and
#: could drop a pair exactly at the threshold.
EPS = 1e-9
