"""Provenance records for every derived file.

A derived file (Parquet table, later GEXF graphs and CSV tables) records which
workbench version made it, the SHA-256 checksums of its input files and the
parameters used. Parquet keeps the record in its key-value metadata under the key
``workbench``; formats without metadata get a sidecar ``<file>.provenance.json``.

Examples
--------
>>> rec = make_record({"a.txt": "ab12"}, {"threshold": 0.8})
>>> sorted(rec)
['inputs', 'parameters', 'workbench_version']
>>> rec["inputs"]
{'a.txt': 'ab12'}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import __version__

METADATA_KEY = b"workbench"
SIDECAR_SUFFIX = ".provenance.json"


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``.

    Examples
    --------
    >>> sha256_bytes(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_checksums(paths: Iterable[str | Path | None]) -> dict[str, str]:
    """SHA-256 of each file in ``paths``, keyed by its display path
    (:func:`workbench.config.display_path`, as :meth:`workbench.corpus.Corpus.checksums`
    keys the corpus files); ``None`` entries (an input not given) are skipped.

    Examples
    --------
    >>> from workbench import config
    >>> sums = file_checksums([config.CODEBOOK, None])
    >>> list(sums) == ["data/codebook.yaml"] and len(sums["data/codebook.yaml"]) == 64
    True
    """
    from workbench.config import display_path

    return {display_path(p): sha256_file(p) for p in paths if p is not None}


def make_record(inputs: Mapping[str, str], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Build a provenance record: version, input checksums (sorted) and parameters."""
    return {
        "workbench_version": __version__,
        "inputs": dict(sorted(inputs.items())),
        "parameters": json.loads(json.dumps(dict(parameters), sort_keys=True, default=str)),
    }


def write_parquet(df: pd.DataFrame, path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``df`` to Parquet with ``record`` in the file's key-value metadata.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> d = Path(tempfile.mkdtemp())
    >>> p = write_parquet(pd.DataFrame({"x": [1]}), d / "t.parquet", make_record({}, {"k": 1}))
    >>> read_record(p)["parameters"]
    {'k': 1}
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[METADATA_KEY] = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


def write_sidecar(path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``record`` beside ``path`` as ``<path>.provenance.json``."""
    side = Path(str(path) + SIDECAR_SUFFIX)
    side.write_text(
        json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2) + "\n", encoding="utf-8"
    )
    return side


#: The table formats derived tables are written in.
TABLE_SUFFIXES = (".csv", ".parquet")


def write_table(df: pd.DataFrame, path: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``df`` as Parquet (``record`` in its metadata) or CSV (``record`` beside it).

    A CSV is written by :func:`workbench.csvio.write_csv`, UTF-8 with a byte-order mark,
    so that Excel on a Chinese Windows shows the Chinese when the file is double-clicked.

    Raises
    ------
    ValueError
        For a suffix not in :data:`TABLE_SUFFIXES`.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> d = Path(tempfile.mkdtemp())
    >>> p = write_table(pd.DataFrame({"x": [1]}), d / "t.csv", make_record({}, {"k": 2}))
    >>> read_record(p)["parameters"]
    {'k': 2}
    """
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValueError(
            f"{path}: unknown table format {path.suffix!r}; use {list(TABLE_SUFFIXES)}"
        )
    if path.suffix.lower() == ".parquet":
        return write_parquet(df, path, record)
    from workbench.csvio import write_csv

    write_csv(df, path)
    write_sidecar(path, record)
    return path


def read_record(path: str | Path) -> dict[str, Any]:
    """Read the provenance record of a derived file (Parquet metadata or sidecar).

    Raises
    ------
    FileNotFoundError
        When the file carries no record and has no sidecar.
    """
    path = Path(path)
    side = Path(str(path) + SIDECAR_SUFFIX)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
        if METADATA_KEY in meta:
            return json.loads(meta[METADATA_KEY].decode("utf-8"))
    if side.exists():
        return json.loads(side.read_text(encoding="utf-8"))
    raise FileNotFoundError(
        f"{path}: no workbench provenance record (neither Parquet metadata nor {side.name}); "
        "was it written by workbench?"
    )
