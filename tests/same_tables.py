"""Whether a streamed build (Parquet parts) holds the same tables as the in-memory run.

A test helper, not part of the package: the tests (and ``benchmarks/run.py``) use it to
check that every mode of the one pipeline gives identical tables.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from workbench.stream import read_table


def _nulls_as_none(df: pd.DataFrame) -> pd.DataFrame:
    # Parquet gives None where an in-memory merge left NaN in object columns.
    return df.astype(object).where(df.notna(), None)


def differences(out_dir: str | os.PathLike, result: Any) -> list[str]:
    """Tables of a build that differ from an in-memory pipeline result (``[]``: none).

    Parameters
    ----------
    out_dir : path
        A folder written by :func:`workbench.stream.build_corpus`.
    result : workbench.pipeline.PipelineResult
        :func:`~workbench.pipeline.run_pipeline` on the same inputs and settings.

    Returns
    -------
    list of str
        Names of the tables (``"tokens"`` for the segments' tokens) whose rows,
        order or values differ; missing values compare equal whether NaN or None.

    Examples
    --------
    >>> import tempfile
    >>> from workbench.pipeline import run_pipeline
    >>> out = tempfile.mkdtemp()
    >>> from workbench.stream import build_corpus
    >>> _ = build_corpus(out_dir=out, unit="paragraph")
    >>> differences(out, run_pipeline(unit="paragraph"))
    []
    """
    segments = read_table(out_dir, "segments")
    tokens = [list(t) for t in segments.pop("tokens")]
    differing = [] if tokens == result.tokens.tolist() else ["tokens"]
    pairs = {
        "segments": (segments, result.corpus.segments),
        "documents": (read_table(out_dir, "documents"), result.corpus.documents),
        "duplicates": (read_table(out_dir, "duplicates"), result.corpus.duplicates),
        "files": (read_table(out_dir, "files"), result.corpus.files),
        "removed": (read_table(out_dir, "removed"), result.corpus.removed),
    }
    if result.coding is not None:
        pairs["codes"] = (read_table(out_dir, "codes"), result.coding.long)
        pairs["units"] = (read_table(out_dir, "units"), result.coding.units)
    for name, (got, want) in pairs.items():
        try:
            pd.testing.assert_frame_equal(_nulls_as_none(got), _nulls_as_none(want))
        except AssertionError:
            differing.append(name)
    if result.cooccurrence is not None:
        cooc = read_table(out_dir, "cooccurrence").set_index("code")
        same = cooc.index.tolist() == result.coding.codes and bool(
            (cooc.to_numpy() == result.cooccurrence.toarray()).all()
        )
        if not same:
            differing.append("cooccurrence")
    return differing
