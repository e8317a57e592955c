"""Validation errors that name the file, the column, the rows and what to do.

Examples
--------
>>> format_rows([3, 9, 12])
'rows 3, 9, 12'
>>> format_rows(range(1, 30))
'rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 19 more'
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_ROWS_SHOWN = 10


class SurveyValidationError(ValueError):
    """A survey (or a mapping file) cannot be used as it is; the message says why."""


def format_rows(rows: Sequence[object], only_more: bool = False) -> str:
    """``"rows 3, 9"`` with at most :data:`MAX_ROWS_SHOWN` listed (or just the rest count)."""
    rows = list(rows)
    more = len(rows) - MAX_ROWS_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    if only_more:
        return tail
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {', '.join(str(r) for r in rows[:MAX_ROWS_SHOWN])}{tail}"
