"""What the command-line tools share when they print or write results.

One owner for the JSON they print (plain Python values, NaN as ``null``), the tables
they write with a provenance record (:func:`workbench.provenance.write_table`), the
``--top``/``--out`` options and the check of an output file's format. Used by
``analysis_cli`` (keyness, collocations, ca, trends), ``kwic``, ``coding.cli`` and
``network.cli``.

Examples
--------
>>> import pandas as pd
>>> records(pd.DataFrame({"term": ["群众"], "g2": [float("nan")]}))
[{'term': '群众', 'g2': None}]
>>> head(pd.DataFrame({"g": ["a", "a", "b"], "x": [1, 2, 3]}), 1, by="g")["x"].tolist()
[1, 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.provenance import TABLE_SUFFIXES

__all__ = [
    "TABLE_SUFFIXES",
    "TOP_COUNTS",
    "add_table_out",
    "check_suffix",
    "check_writable",
    "head",
    "jsonable",
    "print_json",
    "records",
    "write_table",
]


def jsonable(value: Any) -> Any:
    """A JSON value for a table cell: numpy scalars as Python numbers, NaN as null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (full float precision)."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]


def print_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as indented JSON, Chinese as is."""
    print(json.dumps(payload, ensure_ascii=False, indent=1, default=jsonable))


def check_suffix(path: Path | None, allowed: tuple[str, ...]) -> None:
    """Refuse an output file that cannot be written, before any work is done.

    An output file of another format is refused, and so is one that cannot be a file: a
    folder that exists (``--out results``), or a path under a file (``--out
    notes.txt/t.csv``). Found only when writing, after minutes of work, these surfaced as
    an error of the disk rather than of the option.

    Raises
    ------
    workbench.groups.InputError
        Naming the file and what to give instead (a user's mistake: exit 2).
    """
    from workbench.groups import InputError

    if path is None:
        return
    check_writable(path, allowed[0])
    if path.suffix.lower() not in allowed:
        raise InputError(f"{path}: unknown format {path.suffix!r}; use one of {list(allowed)}")


def check_writable(path: Path, suffix: str = "", folder: bool = False) -> None:
    """Refuse an output path that is in the way of what a command writes, or under a file.

    Parameters
    ----------
    path : Path
        The file (or, with ``folder``, the folder) a command is to write.
    suffix : str
        The format to suggest for a file in ``path`` when ``path`` is a folder.
    folder : bool
        ``path`` is a folder to write into (``workbench pipeline --out DIR``): a file of
        that name is in the way, a folder is not.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     try:
    ...         check_writable(Path(tmp), ".csv")
    ...     except ValueError as err:
    ...         print(str(err).endswith(f"name a file in it, e.g. {Path(tmp) / 'table.csv'}"))
    True

    Raises
    ------
    workbench.groups.InputError
        Saying what is in the way.
    """
    from workbench.groups import InputError

    if path.is_dir() and not folder:
        raise InputError(
            f"{path}: is a folder, not a file to write; name a file in it, "
            f"e.g. {path / ('table' + suffix)}"
        )
    if path.exists() and not path.is_dir() and folder:
        raise InputError(f"{path}: is a file, not a folder to write into; name a new folder")
    # The nearest part of the path that exists must be a folder for the output to go in it.
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"{path}: cannot be written, {parent} is a file, not a folder; "
                    "choose another folder for the output"
                )
            return


def write_table(df: pd.DataFrame, path: Path, record: dict[str, Any]) -> None:
    """Write ``df`` with its provenance record (:func:`workbench.provenance.write_table`:
    Parquet with the record in its metadata, or a CSV for Excel with the record beside
    it) and say so on stderr."""
    from workbench.provenance import write_table as write

    write(df, path, record)
    print(f"wrote {path} ({len(df)} rows)", file=sys.stderr)


#: What ``--top`` counts, by command: its help said "(per group for keyness)" on every
#: command, kwic's and collocations' too.
TOP_COUNTS = {
    "keyness": "terms printed for each group",
    "collocations": "collocates printed",
    "kwic": "hits printed",
}


def add_table_out(p: argparse.ArgumentParser, counts: str | None = None) -> None:
    """The ``--top`` and ``--out`` options of a command that prints a table.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The command's parser.
    counts : str, optional
        What ``--top`` counts ("hits printed"); by default the command's entry of
        :data:`TOP_COUNTS` (the last word of ``p.prog``), else "rows printed".

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="workbench kwic")
    >>> add_table_out(p)
    >>> p._option_string_actions["--top"].help
    'hits printed (with --json too); 0 = all (default 20)'
    """
    what = counts or TOP_COUNTS.get(p.prog.split()[-1], "rows printed")
    p.add_argument(
        "--top", type=int, default=20, metavar="N",
        help=f"{what} (with --json too); 0 = all (default 20)",
    )  # fmt: skip
    p.add_argument(
        "--out", type=Path, metavar="TABLE.csv|.parquet",
        help="also write the whole table, with provenance",
    )  # fmt: skip


def head(df: pd.DataFrame, top: int, by: str | None = None) -> pd.DataFrame:
    """The first ``top`` rows (per ``by`` group); all of them when ``top`` <= 0."""
    if top <= 0:
        return df
    if by is None:
        return df.head(top)
    return df.groupby(by, sort=False).head(top).reset_index(drop=True)
