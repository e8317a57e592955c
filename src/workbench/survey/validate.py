"""Validation errors that name the file, the column, the rows and what to do.

Examples
--------
>>> format_rows([3, 9, 12])
'rows 3, 9, 12'
>>> format_rows(range(1, 30))
'rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 19 more'
>>> closest("sat_overal", ["sat_overall", "sat_approve", "trust"])
['sat_overall', 'sat_approve']
>>> suggest("tust", ["sat_overall", "trust"]), suggest("zzz", ["trust"])
("(did you mean 'trust'?)", '(no similar name)')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real

from workbench.names import closest as closest  # re-exported: the survey modules name them here
from workbench.names import suggest as suggest

MAX_ROWS_SHOWN = 10
MAX_NAMES_SHOWN = 40
"""Name lists longer than this (a CGSS extract has hundreds of columns) are counted, not listed."""

#: Cells a CSV leaves for a missing answer: read as missing in a column of numbers.
BLANKS = ("", "NA", "NaN", ".")


class SurveyValidationError(ValueError):
    """A survey (or a mapping file) cannot be used as it is; the message says why."""


class SingletonClusterError(SurveyValidationError):
    """Clusters or groups with one respondent.

    ``str(err)`` tells a Python user to pass ``singletons='drop'``; :meth:`message`
    lets the command line name its own flag (``--singletons drop``) and the file,
    so that each user is told what to type where they are.

    Examples
    --------
    >>> err = SingletonClusterError("village", "1 cluster(s) with one respondent: 9 (row 4)")
    >>> str(err).endswith("drop them with singletons='drop' (reported)")
    True
    >>> err.message("--singletons drop", where="my.csv")[:54]
    "my.csv: column 'village': 1 cluster(s) with one respon"
    """

    def __init__(self, column: str, detail: str) -> None:
        self.column = column
        self.detail = detail
        super().__init__(self.message())

    def message(self, drop: str = "singletons='drop'", where: str = "") -> str:
        """The message, with ``drop`` as the way to drop them and ``where`` (a file) first."""
        prefix = f"{where}: " if where else ""
        return (
            f"{prefix}column {self.column!r}: {self.detail}; merge them with a neighbouring "
            f"cluster, or drop them with {drop} (reported)"
        )


def format_rows(rows: Sequence[object], only_more: bool = False) -> str:
    """``"rows 3, 9"`` with at most :data:`MAX_ROWS_SHOWN` listed (or just the rest count)."""
    rows = list(rows)
    more = len(rows) - MAX_ROWS_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    if only_more:
        return tail
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {', '.join(str(r) for r in rows[:MAX_ROWS_SHOWN])}{tail}"




def number_text(value: object) -> str:
    """A value as a questionnaire or a command line writes it: ``1`` for the 1.0 a Stata or
    SPSS file gives, anything else as ``str`` does.

    >>> number_text(1.0), number_text(2.5), number_text(3), number_text("东村")
    ('1', '2.5', '3', '东村')
    """
    # numbers.Real covers numpy's floats too; integers print as they are already
    whole = isinstance(value, Real) and not isinstance(value, Integral | bool)
    return str(int(value)) if whole and float(value).is_integer() else str(value)


def is_number(value: object) -> bool:
    """Whether ``float(value)`` reads a number: a number, or text of one (full-width digits
    as a Chinese input method writes them too).

    >>> is_number(3), is_number("63"), is_number("６３"), is_number("东村"), is_number(None)
    (True, True, True, False, False)
    """
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def format_names(names: Iterable[object], what: str = "columns") -> str:
    """``"its columns are ['a', 'b']"``, or just their number when there are very many."""
    listed = sorted(map(str, names))
    if len(listed) > MAX_NAMES_SHOWN:
        return f"it has {len(listed)} {what}"
    return f"its {what} are {listed}"


def missing_columns(
    columns: Iterable[object], needed: Sequence[str], section: str, mapping: str
) -> str | None:
    """One sentence saying ``section`` is skipped for the standard columns it lacks, or None.

    Examples
    --------
    >>> print(missing_columns(["trust", "village"], ["trust", "visits"], "Section 0", "my.yaml"))
    ... # doctest: +ELLIPSIS
    Section 0 is skipped: the survey has no column(s) visits (standard names); map ... (my.yaml).
    >>> missing_columns(["trust"], ["trust"], "Section 0", "my.yaml") is None
    True
    """
    have = set(columns)
    absent = [c for c in needed if c not in have]
    if not absent:
        return None
    return (f"{section} is skipped: the survey has no column(s) {', '.join(absent)} (standard "
            f"names); map your survey's columns to them in the mapping file ({mapping}).")
