"""Coding sheets: a stratified, seeded sample of units for human coders, and back.

A sheet has one row per unit with its context (file, role, section title, the
Simplified text and the original-script text) and one empty column per category
(or code) for the coder to fill with ``1`` (present) or ``0`` (absent). Sheets are
written as CSV (UTF-8 with BOM, so spreadsheet programs show the Chinese) or XLSX.

Importing checks every cell: a value other than 0/1/yes/no/x/√/是/否/blank, an unknown
unit or a duplicate row raises :class:`SheetError` naming the row and column.
Blank cells are *not* read as 0 silently: they are reported, and the default
``blank="error"`` refuses them (``blank="absent"`` reads them as 0, which is how a
coder who only ticks present categories works).

A coder working at the code level may instead fill a single ``codes`` column with
``;``-separated code ids (blank = no code); :func:`read_code_list` expands it into one
0/1 column per code, refusing unknown ids.

Examples
--------
>>> import pandas as pd
>>> units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(6)],
...                       "file": list("aaabbb"), "role": ["problem"] * 6,
...                       "text": ["文本"] * 6})
>>> sample = sample_units(units, 4, by=["file"], seed=1)
>>> sample.groupby("file").size().tolist()
[2, 2]
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: Context columns written before the coding columns (those present in the units).
CONTEXT_COLUMNS = ("unit_id", "split", "file", "role", "section_title", "text", "text_orig")

_SPACE = re.compile(r"\s+")
# A tick (√, typed from a Chinese input method, or ✓ ✔) marks a category as 是 does.
_TRUE = {"1", "1.0", "y", "yes", "x", "true", "是", "√", "✓", "✔"}
_FALSE = {"0", "0.0", "n", "no", "false", "否"}


class SheetError(ValueError):
    """A coding sheet that cannot be read back; the message names row and column."""


def allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Split ``n`` draws over strata as evenly as their sizes allow (water-filling).

    Each stratum gets the same quota unless it is smaller, in which case it gives all
    it has and the rest is shared among the others. Ties for the last draws go to the
    strata first in index order, so the result is deterministic.

    Examples
    --------
    >>> allocate(pd.Series({"a": 2, "b": 10, "c": 10}), 12).tolist()
    [2, 5, 5]
    >>> allocate(pd.Series({"a": 3, "b": 3}), 10).tolist()
    [3, 3]
    """
    quota = pd.Series(0, index=sizes.index)
    left = min(n, int(sizes.sum()))
    while left > 0:
        open_ = sizes.index[quota < sizes]
        share = max(left // len(open_), 1)
        for key in open_:
            take = min(share, int(sizes[key] - quota[key]), left)
            quota[key] += take
            left -= take
            if left == 0:
                break
    return quota


def sample_units(
    units: pd.DataFrame,
    n: int,
    *,
    by: Sequence[str] = ("file", "role"),
    seed: int = 0,
    id_col: str = "unit_id",
) -> pd.DataFrame:
    """Draw a stratified random sample of ``n`` units, seeded and in a stable order.

    Parameters
    ----------
    units : DataFrame
        One row per unit with ``id_col`` and the ``by`` columns.
    n : int
        Sample size (capped at the number of units).
    by : sequence of str
        Stratum columns; draws are spread evenly over strata (see :func:`allocate`).
    seed : int
        Seed of the random generator; the same seed gives the same sample.

    Returns
    -------
    DataFrame
        The sampled rows, sorted by ``by`` then ``id_col``, index reset.
    """
    rng = np.random.default_rng(seed)
    ordered = units.sort_values([*by, id_col], kind="stable")
    groups = ordered.groupby(list(by), sort=True)
    quota = allocate(groups.size(), n)
    picked = []
    # groupby iterates in the same sorted order as size(), so quotas align by position.
    for k, (_, grp) in zip(quota.astype(int).tolist(), groups, strict=True):
        idx = np.sort(rng.choice(len(grp), size=k, replace=False)) if k else []
        picked.append(grp.iloc[idx])
    return pd.concat(picked).reset_index(drop=True)


def assign_split(
    sample: pd.DataFrame, held_out: float, *, by: Sequence[str] = ("file", "role"), seed: int = 0
) -> pd.Series:
    """Mark a seeded share of each stratum ``"heldout"``, the rest ``"tune"``.

    Examples
    --------
    >>> s = pd.DataFrame({"file": ["a"] * 4, "role": ["x"] * 4})
    >>> assign_split(s, 0.5, seed=3).value_counts().sort_index().tolist()
    [2, 2]
    """
    rng = np.random.default_rng(seed)
    split = pd.Series("tune", index=sample.index, dtype="str")
    for _, grp in sample.groupby(list(by), sort=True):
        k = round(len(grp) * held_out)
        chosen = rng.choice(grp.index.to_numpy(), size=k, replace=False)
        split[chosen] = "heldout"
    return split


def blank_sheet(sample: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The sample's context columns plus an empty column per category or code, and ``notes``."""
    ctx = [c for c in CONTEXT_COLUMNS if c in sample.columns]
    sheet = sample[ctx].copy()
    for col in [*columns, "notes"]:
        sheet[col] = ""
    return sheet


def write_sheet(sheet: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a sheet as ``.csv`` (UTF-8 with BOM) or ``.xlsx``, chosen by the suffix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import io

        buffer = io.BytesIO()
        sheet.to_excel(buffer, index=False, sheet_name="coding", engine="openpyxl")
        path.write_bytes(_without_clock(buffer.getvalue()))
    elif path.suffix.lower() == ".csv":
        from workbench.csvio import write_csv

        write_csv(sheet, path)  # with a byte-order mark, as Excel needs
    else:
        raise ValueError(f"{path}: coding sheets are .csv or .xlsx")
    return path


#: The time an ``.xlsx`` records as made and saved (its properties and each zip member):
#: the same sheet is the same bytes on every run.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def _without_clock(xlsx: bytes) -> bytes:
    """``xlsx`` with the wall-clock time openpyxl writes (its core properties' created and
    modified times, each zip member's date) replaced by :data:`_FIXED_TIME`."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:  # fmt: skip
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(r"\g<1>1980-01-01T00:00:00Z\g<2>", data.decode("utf-8"))
                data = data.encode("utf-8")
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, data)
    return out.getvalue()


def _read_jsonl(path: Path) -> pd.DataFrame:
    """A JSON Lines sheet: one object per coded unit (``unit_id`` or ``unit``, ``codes``)."""
    import json

    rows, numbers = [], []
    with path.open(encoding="utf-8-sig") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            numbers.append(i)  # so that a unit not found is named by its line
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise SheetError(f"{path}: line {i} is not JSON ({err.msg})") from None
            if not isinstance(rec, dict) or not ({"unit_id", "unit"} & set(rec)):
                raise SheetError(f"{path}: line {i} needs a 'unit_id' (or 'unit') field")
            uid = str(rec.get("unit_id", rec.get("unit")))
            codes = rec.get("codes", "")
            row = {k: "" if v is None else str(v) for k, v in rec.items()
                   if not isinstance(v, list | dict)}  # fmt: skip
            row["unit_id"] = uid
            row.pop("unit", None)
            row["codes"] = ";".join(map(str, codes)) if isinstance(codes, list) else str(codes)
            # "file:line" ids of coded source lines name their file.
            if "file" not in row and ":" in uid:
                row["file"] = uid.rsplit(":", 1)[0]
            rows.append(row)
    if not rows:
        raise SheetError(f"{path}: no coded units")
    out = pd.DataFrame(rows).fillna("")
    out.attrs["lines"] = numbers
    return out


def read_raw_sheet(path: Path) -> pd.DataFrame:
    """A coding sheet's rows as read (.csv, .xlsx or .jsonl), every cell a string, before
    any check; :func:`read_sheet` validates them."""
    if path.suffix.lower() == ".jsonl":
        return _read_jsonl(path)
    from workbench.csvio import CsvError, read_user_csv, read_user_xlsx

    try:
        # Rows indexed as the spreadsheet numbers them (the header row 1, blank rows
        # counted), so that a message names the row a coder finds (:func:`row_numbers`).
        if path.suffix.lower() == ".xlsx":
            raw = read_user_xlsx(path, sheet_rows=True)
        else:
            # Filled in Excel or WPS and saved as CSV: GBK or UTF-8, comma or semicolon.
            raw = read_user_csv(path, sheet_rows=True)
    except CsvError as err:
        raise SheetError(str(err)) from None
    # A row left empty between units (",,," as Excel saves it) is no unit.
    return raw[raw.astype(str).apply(lambda col: col.str.strip() != "").any(axis=1)]


def row_numbers(raw: pd.DataFrame) -> tuple[str, list[int]]:
    """What a message names each row of a sheet :func:`read_raw_sheet` read by: the
    spreadsheet's row numbers, or a JSON Lines sheet's line numbers.

    A table made otherwise (not indexed by ``csvio.ROW``) is taken as a sheet without
    blank rows: the header row 1, the first unit row 2.

    Examples
    --------
    >>> from workbench.csvio import ROW
    >>> row_numbers(pd.DataFrame({"unit_id": ["a", "b"]}, index=pd.Index([2, 4], name=ROW)))
    ('row', [2, 4])
    >>> row_numbers(pd.DataFrame({"unit_id": ["a", "b"]}))
    ('row', [2, 3])
    """
    from workbench.csvio import ROW

    if "lines" in raw.attrs:
        return "line", [int(n) for n in raw.attrs["lines"]]
    if raw.index.name == ROW:
        return "row", [int(n) for n in raw.index]
    return "row", list(range(2, len(raw) + 2))


def close_column(name: str, columns: Sequence[str], taken: Sequence[str] = ()) -> str | None:
    """The sheet column that looks like a misspelt ``name`` (``code``, ``Codes``), or None.

    Columns in ``taken`` (those the sheet uses for something else) are never proposed.

    Examples
    --------
    >>> close_column("codes", ["unit_id", "text", "code", "notes"], ["unit_id", "text", "notes"])
    'code'
    >>> close_column("codes", ["unit_id", "coder", "notes"], ["unit_id", "notes"]) is None
    True
    """
    import difflib

    free = [str(c) for c in columns if c not in set(taken)]
    by_lower = {c.strip().lower(): c for c in free}
    if name in by_lower:  # only case or white space differs
        return by_lower[name]
    # 0.85: "code" (0.89) or "cods" are misspellings; "coder" (0.8, who coded) is not.
    close = difflib.get_close_matches(name, list(by_lower), n=1, cutoff=0.85)
    return by_lower[close[0]] if close else None


def _cell(value: str, row: str, col: str, blank: str) -> int:
    """A coding cell as 0/1; ``row`` ("row 5", "line 3") names it in an error."""
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    if not text:
        if blank == "absent":
            return 0
        raise SheetError(f"{row}, column {col!r}: blank cell (use 0/1, or blank='absent')")
    raise SheetError(f"{row}, column {col!r}: {value!r} is not 0/1/yes/no/x/√/是/否 (or blank)")


def read_sheet(
    path: str | os.PathLike,
    columns: Sequence[str],
    *,
    blank: str = "error",
    units: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a filled coding sheet back as integers 0/1.

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.xlsx`` sheet made by :func:`write_sheet`.
    columns : sequence of str
        The coding columns to read; each must be present.
    blank : {"error", "absent"}
        What a blank coding cell means.
    units : sequence of str, optional
        Known unit ids; a row with any other id is an error.

    Returns
    -------
    DataFrame
        ``unit_id`` (plus ``split`` when present) and one 0/1 column per coding column,
        in sheet order. The number of blanks read as absent is in ``.attrs["blanks"]``.
    """
    if blank not in ("error", "absent"):
        raise ValueError(f"blank must be 'error' or 'absent', not {blank!r}")
    path = Path(path)
    raw = read_raw_sheet(path)
    missing = [c for c in ("unit_id", *columns) if c not in raw.columns]
    if missing:
        raise SheetError(f"{path}: missing column(s) {missing}")
    dup = raw["unit_id"][raw["unit_id"].duplicated()].tolist()
    if dup:
        raise SheetError(f"{path}: unit(s) coded twice: {dup}")
    known = None if units is None else set(units)
    out = raw[[c for c in ("unit_id", "split") if c in raw.columns]].copy()
    word, numbers = row_numbers(raw)
    blanks = 0
    for col in columns:
        values = []
        for n, v in zip(numbers, raw[col], strict=True):
            blanks += not str(v).strip()
            values.append(_cell(v, f"{word} {n}", col, blank))
        out[col] = pd.Series(values, index=raw.index, dtype="int64")
    out = out.reset_index(drop=True)
    if known is not None:
        unknown = [u for u in out["unit_id"] if u not in known]
        if unknown:
            raise SheetError(f"{path}: unknown unit id(s) {unknown[:5]}")
    out.attrs["blanks"] = blanks
    return out


#: What separates code ids in a sheet's ``codes`` cell: ``;`` as documented, and what a
#: coder types in Excel with a Chinese input method (``；``, ``，``, ``、``), a comma, or a
#: line break (Alt+Enter). Code ids are identifiers, so none of these is part of one.
CODE_SEPARATORS = re.compile(r"[;；,，、\s]+")


def split_codes(cell: object) -> list[str]:
    """The code ids a ``codes`` cell lists, in order.

    Examples
    --------
    >>> split_codes("P_trust；L_visit、M_system, L_talk\\nP_rough ")
    ['P_trust', 'L_visit', 'M_system', 'L_talk', 'P_rough']
    >>> split_codes("")
    []
    """
    return [c for c in CODE_SEPARATORS.split(str(cell)) if c]


def read_code_list(
    path: str | os.PathLike,
    code_ids: Sequence[str],
    *,
    column: str = "codes",
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a sheet whose ``column`` lists code ids (``"P_trust;L_visit"``) per unit.

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.xlsx`` sheet with ``unit_id`` and ``column``.
    code_ids : sequence of str
        The codebook's code ids; the output has one 0/1 column for each, in this order.
    column : str
        Name of the code-list column. Its ids are separated by ``;`` or any of
        :data:`CODE_SEPARATORS`; an id in another case (``p_trust``) is read as the one
        id it can be.
    labels : mapping, optional
        A code's label (Chinese or English) → its id, so that a label written in place
        of the id is named in the error with the id to write.

    Returns
    -------
    DataFrame
        ``unit_id`` (plus ``split`` when present) and one 0/1 column per code id. A
        blank cell means the unit has no code; an unknown id raises :class:`SheetError`.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> p = write_sheet(pd.DataFrame({"unit_id": ["a", "b"], "codes": ["X； y", ""]}),
    ...                 Path(d) / "s.csv")
    >>> read_code_list(p, ["X", "Y", "Z"])[["X", "Y", "Z"]].to_numpy().tolist()
    [[1, 1, 0], [0, 0, 0]]
    """
    path = Path(path)
    raw = read_raw_sheet(path)
    missing = [c for c in ("unit_id", column) if c not in raw.columns]
    if missing:
        raise SheetError(f"{path}: missing column(s) {missing}")
    dup = raw["unit_id"][raw["unit_id"].duplicated()].tolist()
    if dup:
        raise SheetError(f"{path}: unit(s) coded twice: {dup}")
    known = list(code_ids)
    out = raw[[c for c in ("unit_id", "split") if c in raw.columns]].copy()
    matrix = np.zeros((len(raw), len(known)), dtype="int64")
    pos = {c: j for j, c in enumerate(known)}
    folded: dict[str, list[str]] = {}
    for c in known:
        folded.setdefault(c.casefold(), []).append(c)
    word, numbers = row_numbers(raw)
    unknown: dict[str, list[int]] = {}
    for i, (n, cell) in enumerate(zip(numbers, raw[column], strict=True)):
        if labels and str(cell).strip() in labels:  # a label, which may hold a 、 itself
            unknown.setdefault(str(cell).strip(), []).append(n)
            continue
        for code in split_codes(cell):
            if code not in pos and len(folded.get(code.casefold(), [])) == 1:
                code = folded[code.casefold()][0]  # p_trust: the one id it can be
            if code not in pos:
                unknown.setdefault(code, []).append(n)
                continue
            matrix[i, pos[code]] = 1
    if unknown:
        raise SheetError(f"{path}: column {column!r} has code(s) the codebook does not have: "
                         + "; ".join(_unknown_code(c, rows, known, labels, word)
                                     for c, rows in unknown.items())
                         + ". Correct them (ids separated by ';'), or add the codes to "
                         "the codebook")  # fmt: skip
    return pd.concat(
        [out, pd.DataFrame(matrix, columns=known, index=raw.index)], axis=1
    ).reset_index(drop=True)


def _unknown_code(code: str, rows: list[int], known: Sequence[str],
                  labels: Mapping[str, str] | None = None, word: str = "row") -> str:  # fmt: skip
    """``'P_detachd' in row 2 (did you mean 'P_detached'?)``.

    Examples
    --------
    >>> _unknown_code("P_detachd", [2, 5], ["P_detached", "L_visit"])
    "'P_detachd' in rows 2, 5 (did you mean 'P_detached'?)"
    >>> _unknown_code("问题", [3], ["P_detached"])
    "'问题' in row 3"
    >>> _unknown_code("脱离群众", [3], ["P_detached"], {"脱离群众": "P_detached"})
    "'脱离群众' in row 3 (the label of 'P_detached': write the id)"
    """
    import difflib

    where = f"{word} {rows[0]}" if len(rows) == 1 else f"{word}s " + ", ".join(map(str, rows[:10]))
    where += f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    if labels and code in labels:
        return f"{code!r} in {where} (the label of {labels[code]!r}: write the id)"
    close = difflib.get_close_matches(code, known, n=1, cutoff=0.6)
    return f"{code!r} in {where}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _norm_line(text: str) -> str:
    return unicodedata.normalize("NFKC", _SPACE.sub("", str(text)))


def align_lines(lines: pd.DataFrame, segments: pd.DataFrame) -> dict[str, list[str]]:
    """Map units coded as physical lines of the source files to the corpus's segments.

    A coder working from the raw files codes lines, not the workbench's sentences. A line
    is aligned to every segment of the same file whose original-script text it contains,
    or — for a line that is a fragment of a hard-wrapped sentence — to the segment that
    contains it (lines of at least 6 characters). Texts are compared after removing white
    space and NFKC normalisation. This is how the project's coding is checked against
    independently coded lines, so a model trained on such lines sees the same units.

    Parameters
    ----------
    lines : DataFrame
        ``unit_id``, ``file`` (the file name, as in ``segments["file"]``) and ``text``.
    segments : DataFrame
        ``segment_id``, ``file`` and ``text_orig``.

    Returns
    -------
    dict
        ``{unit_id: [segment_id, ...]}`` in corpus order; a line that aligns to no segment
        maps to ``[]`` (its count is what a caller reports).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["a/p1/s1", "a/p1/s2", "a/p2/s1"],
    ...                     "file": ["a.txt"] * 3,
    ...                     "text_orig": ["干部要下基层。", "要听群众意见。",
    ...                                   "这是一个很长的句子的开头和结尾。"]})
    >>> lines = pd.DataFrame({"unit_id": ["a.txt:1", "a.txt:2"], "file": ["a.txt"] * 2,
    ...                       "text": ["干部要下基层。 要听群众意见。", "很长的句子的开头"]})
    >>> align_lines(lines, seg)
    {'a.txt:1': ['a/p1/s1', 'a/p1/s2'], 'a.txt:2': ['a/p2/s1']}
    """
    by_file: dict[str, list[tuple[str, str]]] = {}
    for sid, f, t in zip(segments["segment_id"], segments["file"], segments["text_orig"],
                         strict=True):  # fmt: skip
        by_file.setdefault(str(f), []).append((str(sid), _norm_line(t)))
    out: dict[str, list[str]] = {}
    for uid, f, text in zip(lines["unit_id"], lines["file"], lines["text"], strict=True):
        ut = _norm_line(text)
        out[str(uid)] = [
            s for s, t in by_file.get(str(f), [])
            if len(t) >= 2 and (t in ut or (len(ut) >= 6 and ut in t))
        ]  # fmt: skip
    return out
