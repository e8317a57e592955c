"""Code prevalence over time: the share of articles asserting each code per year or period.

An article *asserts* a code when at least one of its units carries it, counted as
everywhere else in the workbench (:func:`workbench.coding.frequencies.article_shares`,
:func:`workbench.ca.code_table`, which this module uses): headings that only announce
their section (:func:`workbench.corpus.structure.section_announcements`) are not content and
the codebook's catch-all codes are left out, unless asked for. Every article of the
(de-duplicated) segments is in the denominator of its year or period, coded or not.

Time comes from ``documents.date`` (:mod:`workbench.corpus.dates`, or a ``date`` column of the
user's metadata), else a ``year`` column of the metadata (:func:`document_dates`). Articles
without a date are never placed anywhere: they are counted and listed
(:attr:`Prevalence.undated`). A date known only to the year or month is placed
when the whole of it falls in one period; an article whose date straddles a boundary
(``2013`` against a split at ``2013-06``) is counted and listed as well
(:attr:`Prevalence.straddling`), not guessed.

Intervals are percentile bootstraps over articles, resampled within each year or period
(each group keeps its size), with a seeded generator: the same call gives the same
numbers. The before/after comparison resamples the articles before and after the split
independently and reports the interval of the difference of shares. A bootstrap says
nothing where there is little to resample: a group of fewer than :data:`MIN_BOOTSTRAP_N`
articles, or a share of 0 or 1 (every resample is the same, and one article asserting a
code would read "1.000 [1.000, 1.000]"). There the interval is Wilson's score interval
for a binomial share, and for a difference Newcombe's hybrid score interval (built from
the two Wilson intervals); the table's ``interval`` column says which (``bootstrap``,
``wilson``, ``newcombe``). :func:`plot_prevalence` draws the shares with their intervals,
leaves a gap at a year or period without articles and shows each one's number of articles.

Examples
--------
>>> import pandas as pd
>>> seg = pd.DataFrame({"segment_id": [f"d{i}/a1/p001/s01" for i in range(4)],
...                     "doc_id": [f"d{i}/a1" for i in range(4)],
...                     "text": ["甲。", "乙。", "丙。", "丁。"], "is_heading": False})
>>> docs = pd.DataFrame({"doc_id": seg["doc_id"], "date": ["2012-05", "2012", "2014-01-02", ""]})
>>> codes = pd.DataFrame({"unit_id": ["d0/a1/p001/s01", "d2/a1/p001/s01"], "code": ["P_x", "P_x"]})
>>> p = prevalence(codes, seg, docs, n_boot=200)
>>> p.table[["period", "code", "articles", "n", "share"]].values.tolist()
[['2012', 'P_x', 1, 2, 0.5], ['2014', 'P_x', 1, 1, 1.0]]
>>> p.table[["lo", "hi"]].round(3).values.tolist()[1], p.table["interval"].tolist()
([0.207, 1.0], ['wilson', 'wilson'])
>>> p.undated
['d3/a1']
>>> c = compare(codes, seg, docs, split="2013-06", n_boot=200)
>>> c.table[["code", "before", "after", "difference"]].values.tolist()
[['P_x', 0.5, 1.0, 0.5]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as _date
from itertools import pairwise
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.groups import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.coding.codebook import Codebook

_ISO = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?")

#: The fewest articles of a year or period whose share gets a bootstrap interval; a smaller
#: group gets Wilson's score interval (a percentile bootstrap of a handful of articles
#: covers far less than it claims, and of one article is a single point).
MIN_BOOTSTRAP_N = 30


@dataclass
class Prevalence:
    """Shares of articles asserting each code per year or period.

    Attributes
    ----------
    table : DataFrame
        ``period, code (or category), label, articles, n, share, lo, hi, interval``:
        ``articles`` asserting the code among the ``n`` articles of the period, and how
        ``lo, hi`` were found (``bootstrap``; ``wilson`` where ``n`` is below
        :data:`MIN_BOOTSTRAP_N` or the share is 0 or 1; blank without an interval: no
        articles, or ``n_boot=0``); periods
        in time order, codes in codebook order. A period the user named that has no
        articles has rows with ``n`` 0 and blank shares; the open periods that boundaries
        imply (before the first, from the last) are left out when they have no articles
        (:func:`period_table`).
    periods : DataFrame
        ``period, start, end, n``: each period's first and last day and its articles.
    undated, straddling : list of str
        ``doc_id`` of the articles with no date, and of those whose date (a year or month)
        falls across a boundary; neither is in any period.
    n_articles : int
        All articles of the segments.
    outside : list of str
        ``doc_id`` of the articles dated in a gap between periods written out
        (``1949-1965,1978-``), or before or after all of them; in no period.
    """

    table: pd.DataFrame
    periods: pd.DataFrame
    undated: list[str] = field(default_factory=list)
    straddling: list[str] = field(default_factory=list)
    n_articles: int = 0
    outside: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """Before/after a split date: shares, their difference and its bootstrap interval.

    ``table`` holds ``code (or category), label, before_articles, before_n, before,
    after_articles, after_n, after, difference, lo, hi, interval``
    (``difference = after - before``; ``interval``: ``bootstrap``, or ``newcombe`` where
    a side has fewer than :data:`MIN_BOOTSTRAP_N` articles or both shares are 0 or 1).
    """

    table: pd.DataFrame
    split: str
    undated: list[str] = field(default_factory=list)
    straddling: list[str] = field(default_factory=list)
    n_articles: int = 0


def date_span(value: object) -> tuple[_date, _date] | None:
    """First and last day an ISO date of any precision covers; ``None`` when empty.

    Raises
    ------
    InputError
        If ``value`` is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Examples
    --------
    >>> date_span("2013")
    (datetime.date(2013, 1, 1), datetime.date(2013, 12, 31))
    >>> date_span("2013-02")[1]
    datetime.date(2013, 2, 28)
    >>> date_span("") is None
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    found = _ISO.fullmatch(text)
    try:
        if found is None:
            raise ValueError
        y = int(found["y"])
        if found["m"] is None:
            return _date(y, 1, 1), _date(y, 12, 31)
        m = int(found["m"])
        if found["d"] is None:
            last = (_date(y + (m == 12), m % 12 + 1, 1) - _date(y, m, 1)).days
            return _date(y, m, 1), _date(y, m, last)
        day = _date(y, m, int(found["d"]))
        return day, day
    except ValueError:
        raise InputError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None


def boundary(value: object, what: str = "boundary") -> _date:
    """The first day of a boundary given as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Examples
    --------
    >>> boundary("2013-06")
    datetime.date(2013, 6, 1)
    """
    try:
        span = date_span(value)
    except InputError:
        span = None
    if span is None:
        raise InputError(f"{what} {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD "
                         "(e.g. 2013-06)")  # fmt: skip
    return span[0]


def parse_periods(spec: str | list[Any]) -> list[_date]:
    """Period boundaries from ``"1949,1978,2012"`` (or a list), strictly increasing.

    The last may end in a dash (``"1949,1978,2012-"``): the period from it on is open to
    the present, as the last period of boundaries always is.

    Examples
    --------
    >>> [b.isoformat() for b in parse_periods("1949,1978,2012-11")]
    ['1949-01-01', '1978-01-01', '2012-11-01']
    >>> [b.isoformat() for b in parse_periods("2012,2019-")]
    ['2012-01-01', '2019-01-01']
    """
    items = _period_items(spec)
    if items and _is_open_end(items[-1]):
        items[-1] = _RANGE.fullmatch(items[-1])["a"]
    bounds = [boundary(s, "period boundary") for s in items]
    if any(b >= a for b, a in pairwise(bounds)):
        raise InputError(f"periods must increase: {', '.join(map(str, items))}")
    return bounds


#: A period written out, ``2012-2015``, ``2012-06~2013``, ``2019-`` (open to the present),
#: ``-1948`` (open before): each end a date of any precision; the dash may be an en or em
#: dash, ``~``, ``至`` or ``到``, and an open end may say ``今``/``至今``/``now``.
_RANGE = re.compile(
    r"(?P<a>\d{4}(?:-\d{2}(?:-\d{2})?)?)?\s*(?:-|–|—|~|～|至|到)\s*"
    r"(?P<b>\d{4}(?:-\d{2}(?:-\d{2})?)?|今|现在|now|present|today)?",
    re.IGNORECASE,
)


def _period_items(spec: str | list[Any]) -> list[str]:
    """The items of a periods option, stripped, blanks left out (a trailing comma)."""
    items = spec.replace("，", ",").split(",") if isinstance(spec, str) else list(spec)
    items = [str(s).strip() for s in items if str(s).strip()]
    if not items:
        raise InputError("periods: give at least one boundary, e.g. 1949,1978,2012")
    return items


#: A year (and month) written in Chinese, 2014年 or 2014年3月, in --periods.
_CHINESE_DATE = re.compile(r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月)?")


def _is_date(item: str) -> bool:
    return _ISO.fullmatch(item) is not None


def _is_open_end(item: str) -> bool:
    """``2019-``: a start and nothing after the dash."""
    found = None if _is_date(item) else _RANGE.fullmatch(item)
    return found is not None and found["a"] is not None and found["b"] is None


def period_table(spec: str | list[Any]) -> pd.DataFrame:
    """The periods a ``--periods`` option names, in time order.

    Two ways to write them. Boundaries (``1949,1978,2012``; the last may end in a dash,
    ``2012-``) cut time into periods before the first, between each pair and from the
    last; the two open ones are there for articles dated outside the boundaries and are
    left out by :func:`prevalence` when they have none (an empty ``–1948`` is no period a
    user asked for). Periods written out (``1949-1977,1978-2011,2012-``; a one-year period
    as ``2019-2019``) are exactly those; they must not overlap, and an article dated in a
    gap between them is in no period (:attr:`Prevalence.outside`).

    Returns
    -------
    DataFrame
        ``period, start, end, implied``: the period's name (``1949–1977``, ``2012–``),
        its first and last day (``date.min``/``date.max`` where open), and whether the
        boundaries implied it rather than the user naming it.

    Raises
    ------
    InputError
        For an item that is neither a date nor a period, periods out of order or
        overlapping, or boundaries mixed with periods written out; saying how to write them.

    Examples
    --------
    >>> period_table("2010,2015")["period"].tolist()
    ['–2009', '2010–2014', '2015–']
    >>> t = period_table("2010-2014, 2015-2019, 2020-")
    >>> t["period"].tolist(), t["implied"].tolist()
    (['2010–2014', '2015–2019', '2020–'], [False, False, False])
    >>> period_table("1949-1965,1978-")["end"].iloc[0].isoformat()
    '1965-12-31'
    """
    items = _period_items(spec)
    for item in items:
        if not (_is_date(item) or _RANGE.fullmatch(item)):
            # 2014年 or 2014年3月, as the metadata may write it: name the form to write
            found = _CHINESE_DATE.fullmatch(item)
            iso = found and found["y"] + (f"-{int(found['m']):02d}" if found["m"] else "")
            said = f"; write {iso}" if iso else ""
            raise InputError(f"periods: {item!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD) nor "
                             "a period (2012-2015, or 2012- open to the present)"
                             + said)  # fmt: skip
    if all(_is_date(s) for s in items[:-1]) and (_is_date(items[-1]) or _is_open_end(items[-1])):
        bounds = parse_periods(items)
        starts = [_date.min, *bounds]
        ends = [*(b.fromordinal(b.toordinal() - 1) for b in bounds), _date.max]
        implied = [True, *([False] * (len(bounds) - 1)), not _is_open_end(items[-1])]
        return pd.DataFrame({"period": [_name(s, e) for s, e in zip(starts, ends, strict=True)],
                             "start": starts, "end": ends, "implied": implied})  # fmt: skip
    how = ("write either boundaries (1949,1978,2012) or every period with its first and "
           "last year (1949-1977,1978-2011,2012- ; one year as 2019-2019)")  # fmt: skip
    spans = []
    for item in items:
        found = None if _is_date(item) else _RANGE.fullmatch(item)
        if found is None:
            raise InputError(f"periods: {item!r} mixes a single date with periods written "
                             f"out; {how}")  # fmt: skip
        start = boundary(found["a"], "period start") if found["a"] else _date.min
        end = _date.max
        if found["b"] and found["b"][0].isdigit():
            span = date_span(found["b"])
            assert span is not None
            end = span[1]
        if end < start:
            raise InputError(f"periods: {item!r} ends before it starts; {how}")
        spans.append((start, end))
    for (s0, e0), (s1, _), a, b in zip(spans, spans[1:], items, items[1:], strict=False):
        if s1 <= e0:
            said = "overlap" if s1 >= s0 else "are not in time order"
            raise InputError(f"periods: {a!r} and {b!r} {said}; give them in time order, "
                             "each starting after the one before ends")  # fmt: skip
    return pd.DataFrame({"period": [_name(s, e) for s, e in spans],
                         "start": [s for s, _ in spans], "end": [e for _, e in spans],
                         "implied": False})  # fmt: skip


def _name(start: _date, end: _date) -> str:
    """A period's shortest name: ``1949–1977``, ``2013-06–``, ``2012`` for one whole year.

    Examples
    --------
    >>> _name(_date(1949, 1, 1), _date(1977, 12, 31)), _name(_date(2012, 1, 1), _date(2012, 12, 31))
    ('1949–1977', '2012')
    >>> _name(_date.min, _date(2011, 5, 31)), _name(_date(2013, 6, 1), _date.max)
    ('–2011-05', '2013-06–')
    """
    left = "" if start == _date.min else _label(start)
    right = "" if end == _date.max else _label(end, end=True)
    return left if left == right else f"{left}–{right}"


def _label(day: _date, end: bool = False) -> str:
    """A boundary's shortest label: ``1978`` for 1978-01-01 (1977-12-31 at an end),
    ``2013-06`` for 2013-06-01 (2013-06-30 at an end), else the day."""
    if (day.month, day.day) == ((12, 31) if end else (1, 1)):
        return f"{day.year}"
    last = day.fromordinal(day.toordinal() + 1).day == 1
    if (last if end else day.day == 1):
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def _codes_frame(codes: Any) -> pd.DataFrame:
    """A codes table (``unit_id, code[, segment_ids]``) from a table or a Coding."""
    if hasattr(codes, "long") and hasattr(codes, "units"):
        units = codes.units[["unit_id", "segment_ids"]]
        return codes.long[["unit_id", "code"]].merge(units, on="unit_id", how="left")
    missing = {"unit_id", "code"} - set(codes.columns)
    if missing:
        raise InputError(f"the codes table has no {', '.join(sorted(missing))} column; give "
                         "the table `workbench code` writes")  # fmt: skip
    return codes


def asserted(
    codes: Any,
    segments: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    level: str = "code",
    catch_alls: bool = False,
    headings: bool = False,
) -> pd.DataFrame:
    """Articles × codes (or categories): 1 where the article asserts it.

    Every article of ``segments`` is a row, coded or not; columns in codebook order. The
    counting is :func:`workbench.ca.code_table`'s (announcing headings and catch-alls out by
    default).
    """
    from workbench.ca import code_table

    if level not in ("code", "category"):
        raise InputError(f"level must be 'code' or 'category', not {level!r}")
    if level == "category" and codebook is None:
        raise InputError("level 'category' needs the codebook")
    table = code_table(_codes_frame(codes), segments, "doc_id", codebook=codebook,
                       catch_alls=catch_alls, headings=headings)  # fmt: skip
    articles = pd.Index(pd.unique(segments["doc_id"]), name="doc_id")
    wide = (table.T > 0).astype("int64").reindex(articles, fill_value=0)
    if codebook is not None:
        keep = codebook.ids if catch_alls else codebook.specific_ids
        wide = wide.reindex(columns=[c for c in codebook.ids if c in set(keep)], fill_value=0)
    if level == "category":
        of = {c.id: c.category for c in codebook.codes}
        wide = wide.T.groupby(wide.columns.map(of)).max().T
        wide = wide.reindex(columns=list(codebook.categories), fill_value=0)
    wide.columns.name = level
    return wide


def document_dates(documents: pd.DataFrame | None) -> pd.Series:
    """Each article's date as the trends read it: ``date``, else a ``year`` column's value.

    A user's metadata often gives only the year, which is a date of year precision; a
    date (from a dateline or the metadata's ``date`` column) wins over it. Notebooks and
    commands that say which articles are dated use this, so that they count what
    :func:`prevalence` and :func:`compare` place.

    Parameters
    ----------
    documents : DataFrame
        The documents table: ``doc_id`` and ``date`` or ``year`` (or both).

    Returns
    -------
    Series
        ISO date strings (any precision) indexed by ``doc_id``, ``""`` where unknown.

    Raises
    ------
    InputError
        If there is no table, or it has neither a ``date`` nor a ``year`` column, or a
        ``year`` the articles need is not a year (``2014``, ``2014年`` and ``2014.0`` are).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "date": ["2012-05", "", None, ""],
    ...                      "year": ["2010", "2013", " ", "2015年"]})
    >>> document_dates(docs).to_dict()
    {'a': '2012-05', 'b': '2013', 'c': '', 'd': '2015'}
    """
    columns = set() if documents is None else set(documents.columns)
    if not columns & {"date", "year"}:
        raise InputError("the documents table has no 'date' column: build the corpus with "
                         "this version of the workbench (documents.date from datelines), or "
                         "give --metadata with a 'date' or 'year' column")  # fmt: skip
    assert documents is not None
    by_doc = documents.drop_duplicates("doc_id").set_index("doc_id")
    dates = _text(by_doc["date"]) if "date" in columns else pd.Series("", index=by_doc.index)
    if "year" in columns:
        years = _text(by_doc["year"])
        wanted = (dates == "") & (years != "")
        dates = dates.where(~wanted, years.map(_year_text))
        bad = dates[wanted & (dates == "")]
        if len(bad):
            said = ", ".join(f"{d} ({years[d]!r})" for d in bad.index[:5])
            raise InputError(f"the 'year' column (of --metadata) has values that are not a "
                             f"year: {said}{' and more' if len(bad) > 5 else ''}; write the "
                             "year as 2014, or leave the cell empty")  # fmt: skip
    return dates


_YEAR = re.compile(r"(\d{4})(?:\.0+)?\s*年?")


def _year_text(value: str) -> str:
    """A metadata year as :func:`date_span` reads it: ``2014`` from ``2014``, ``2014年``
    (as Chinese spreadsheets write it) or ``2014.0`` (a numeric column with blanks read
    as floats); ``""`` for anything else.

    Examples
    --------
    >>> [_year_text(v) for v in ("2014", "2014年", "2014.0", "", "14年", "2014-2015")]
    ['2014', '2014', '2014', '', '', '']
    """
    found = _YEAR.fullmatch(value.strip())
    return found[1] if found else ""


def _dates(documents: pd.DataFrame | None, articles: pd.Index) -> pd.Series:
    """:func:`document_dates` of ``articles``, in their order."""
    return document_dates(documents).reindex(articles)


def _text(values: pd.Series) -> pd.Series:
    """``values`` as stripped strings, a missing value as ``""``."""
    return values.astype("string").fillna("").str.strip().astype(object)


def _spans(dates: pd.Series) -> list[tuple[_date, _date] | None]:
    out = []
    for doc_id, value in dates.items():
        try:
            out.append(date_span(value))
        except InputError as err:
            raise InputError(f"documents.date of {doc_id}: {err}") from None
    return out


def _boot(matrix: np.ndarray, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    """Bootstrap shares (n_boot × codes) of the rows of ``matrix``, resampled with replacement."""
    n = len(matrix)
    if n == 0:
        return np.full((n_boot, matrix.shape[1]), np.nan)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)
    return weights @ matrix / n


def wilson(articles: np.ndarray, n: int, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of the shares ``articles / n`` (NaN where ``n`` is 0).

    Unlike a bootstrap or the normal approximation it does not shrink to a point at a
    share of 0 or 1, and it stays inside [0, 1].

    Examples
    --------
    >>> lo, hi = wilson(np.array([1, 0, 5]), 10)
    >>> np.round(lo, 3).tolist(), np.round(hi, 3).tolist()
    ([0.018, 0.0, 0.237], [0.404, 0.278, 0.763])
    >>> np.round(wilson(np.array([1]), 1)[0], 3).tolist()
    [0.207]
    """
    k = np.asarray(articles, dtype=np.float64)
    if n == 0:
        return np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    z = NormalDist().inv_cdf(1 - (1 - ci) / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # Exact at the ends (the formula gives 0 and 1 up to rounding).
    lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    hi = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return lo, hi


def share_intervals(
    part: np.ndarray, rng: np.random.Generator, n_boot: int = 1000, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Share of the rows (articles) asserting each column (code), with its interval.

    The one rule for an interval of a share of articles, here and in
    :func:`workbench.coding.frequencies.article_shares`: a percentile bootstrap over the
    rows (``n_boot`` resamples drawn from ``rng``), or Wilson's score interval where a
    bootstrap says nothing (fewer than :data:`MIN_BOOTSTRAP_N` rows, or a share of 0 or
    1, where every resample is the same).

    Parameters
    ----------
    part : ndarray
        Rows × columns of 0/1 (an article asserts a code).
    rng : numpy.random.Generator
        Drawn from whenever there are rows and ``n_boot``, used or not, so that the
        stream (and every later bootstrap interval) does not depend on which columns get
        Wilson's interval.
    n_boot : int
        Resamples; 0 gives no interval.
    ci : float
        Coverage.

    Returns
    -------
    share, lo, hi : ndarray
        NaN where there are no rows (``lo, hi`` also with ``n_boot=0``).
    how : ndarray of str
        ``bootstrap``, ``wilson`` or ``""`` (no interval).

    Examples
    --------
    >>> part = np.array([[1, 0], [0, 0], [1, 0], [0, 0]], dtype=float)
    >>> share, lo, hi, how = share_intervals(part, np.random.default_rng(0), 200)
    >>> share.tolist(), np.round(lo, 3).tolist(), how.tolist()
    ([0.5, 0.0], [0.15, 0.0], ['wilson', 'wilson'])
    """
    n, k = part.shape
    share = part.mean(axis=0) if n else np.full(k, np.nan)
    lo = hi = np.full(k, np.nan)
    how = np.full(k, "", dtype=object)
    if n and n_boot:
        q = (1 - ci) / 2
        boot = _boot(part, rng, n_boot)
        lo, hi = np.quantile(boot, q, axis=0), np.quantile(boot, 1 - q, axis=0)
        how[:] = "bootstrap"
        small = _small(n, share)
        w_lo, w_hi = wilson(part.sum(axis=0), n, ci)
        lo, hi = np.where(small, w_lo, lo), np.where(small, w_hi, hi)
        how[small] = "wilson"
    return share, lo, hi, how


def _small(n: int, share: np.ndarray) -> np.ndarray:
    """Where a bootstrap interval says nothing: few articles, or a share of 0 or 1."""
    return (n < MIN_BOOTSTRAP_N) | (share == 0.0) | (share == 1.0)


def _labels(keys: list[str], codebook: Codebook | None, level: str, lang: str) -> list[str]:
    if codebook is None:
        return list(keys)
    if level == "code":
        names = {c.id: c.label(lang) for c in codebook.codes}
    else:
        names = {k: v[f"label_{lang}"] for k, v in codebook.categories.items()}
    return [names.get(k, k) for k in keys]


def prevalence(
    codes: Any,
    segments: pd.DataFrame,
    documents: pd.DataFrame | None,
    *,
    by: str = "year",
    periods: str | list[Any] | None = None,
    codebook: Codebook | None = None,
    level: str = "code",
    catch_alls: bool = False,
    headings: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    lang: str = "zh",
) -> Prevalence:
    """Share of articles asserting each code per year or per period, with bootstrap intervals.

    Parameters
    ----------
    codes : DataFrame or Coding
        A codes table of ``workbench code`` (:func:`workbench.groups.read_codes`:
        ``unit_id, code`` and ``segment_ids`` from its units file) or a
        :class:`~workbench.coding.coder.Coding`.
    segments : DataFrame
        The (de-duplicated) segments the codes were made from; all their articles count.
    documents : DataFrame
        With ``doc_id`` and ``date`` (ISO, any precision; ``""`` when unknown) or ``year``
        (a metadata column: the date where ``date`` is blank).
    by : {"year", "period"}
        One group per calendar year, or per period cut at ``periods``.
    periods : str or list
        Boundaries (``"1949,1978,2012"``, each ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; the
        last may be written ``2012-``): the periods are before the first, between
        consecutive ones, and from the last. Or the periods written out
        (``"1949-1977,1978-2011,2012-"``), exactly those (:func:`period_table`).
    codebook : Codebook, optional
        Orders and labels the codes and tells the catch-alls (without it every code counts).
    level : {"code", "category"}
    catch_alls, headings : bool
        Keep the catch-all codes; count headings that only announce their section.
    n_boot, seed, ci
        Bootstrap resamples (within each group), their seed, the interval's coverage.
        A group of fewer than :data:`MIN_BOOTSTRAP_N` articles, and a share of 0 or 1,
        get Wilson's score interval instead (``interval`` column).
    lang : {"zh", "en"}

    Returns
    -------
    Prevalence
    """
    if by not in ("year", "period"):
        raise InputError(f"by must be 'year' or 'period', not {by!r}")
    if by == "period" and periods is None:
        raise InputError("by 'period' needs the period boundaries, e.g. 1949,1978,2012")
    if by == "year" and periods is not None:
        raise InputError("periods are given with by 'period' only")
    wide = asserted(codes, segments, codebook=codebook, level=level, catch_alls=catch_alls,
                    headings=headings)  # fmt: skip
    spans = _spans(_dates(documents, wide.index))
    undated = [d for d, s in zip(wide.index, spans, strict=True) if s is None]
    if len(wide) and len(undated) == len(wide):
        raise InputError(f"none of the {len(wide)} articles has a date, so there is no year "
                         "or period to count them in: give --metadata CSV with a 'file' "
                         "column and a 'date' (2014-03) or 'year' (2014) column")  # fmt: skip
    if by == "year":
        years = sorted({s[0].year for s in spans if s is not None})
        table = pd.DataFrame({"period": [str(y) for y in years],
                              "start": [_date(y, 1, 1) for y in years],
                              "end": [_date(y, 12, 31) for y in years]})  # fmt: skip
    else:
        table = period_table(periods)
    group = np.full(len(wide), -1)
    straddling, outside = [], []
    for i, (doc_id, span) in enumerate(zip(wide.index, spans, strict=True)):
        if span is None:
            continue
        inside = np.flatnonzero((table["start"] <= span[0]) & (span[1] <= table["end"]))
        if len(inside):
            group[i] = inside[0]
        elif ((table["start"] <= span[1]) & (span[0] <= table["end"])).any():
            straddling.append(doc_id)
        else:  # in a gap between periods written out, or before or after all of them
            outside.append(doc_id)
    table["n"] = np.bincount(group[group >= 0], minlength=len(table)).astype("int64")
    if "implied" in table:
        # The open periods that boundaries imply (before the first, from the last) hold
        # the articles dated outside them; without any they are no period of the user's,
        # and their rows would be nothing but blanks.
        keep = ~(table["implied"] & (table["n"] == 0))
        group = _renumber(group, keep.to_numpy())
        table = table[keep].drop(columns="implied").reset_index(drop=True)
    keys = list(wide.columns)
    labels = _labels(keys, codebook, level, lang)
    matrix = wide.to_numpy(dtype=np.float64)
    rng = np.random.default_rng(seed)
    rows = []
    for g, period in enumerate(table["period"]):
        part = matrix[group == g]
        n = len(part)
        share, lo, hi, how = share_intervals(part, rng, n_boot, ci)
        for j, key in enumerate(keys):
            rows.append((period, key, labels[j], int(part[:, j].sum()), n, share[j], lo[j],
                         hi[j], how[j]))  # fmt: skip
    out = pd.DataFrame(rows, columns=["period", level, "label", "articles", "n", "share",
                                      "lo", "hi", "interval"])  # fmt: skip
    out = out.astype({"articles": "int64", "n": "int64"})
    periods_out = table.assign(start=table["start"].map(_iso_or_blank),
                               end=table["end"].map(_iso_or_blank))  # fmt: skip
    return Prevalence(out, periods_out, undated, straddling, len(wide), outside)


def _renumber(group: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Group numbers after the groups not in ``keep`` (which hold no member) are left out.

    Examples
    --------
    >>> _renumber(np.array([1, -1, 3, 1]), np.array([False, True, False, True])).tolist()
    [0, -1, 1, 0]
    """
    new = np.cumsum(keep) - 1
    return np.where(group >= 0, new[np.maximum(group, 0)], -1)


def _iso_or_blank(day: _date) -> str:
    return "" if day in (_date.min, _date.max) else day.isoformat()


def compare(
    codes: Any,
    segments: pd.DataFrame,
    documents: pd.DataFrame | None,
    *,
    split: str,
    codebook: Codebook | None = None,
    level: str = "code",
    catch_alls: bool = False,
    headings: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    lang: str = "zh",
) -> Comparison:
    """Shares before and after ``split`` (e.g. ``"2013-06"``) and their difference.

    Articles dated before the split's first day are *before*, from it on *after*; undated
    articles and those whose date straddles the split are left out and listed. The interval
    of ``difference = after - before`` is a percentile bootstrap resampling the two groups'
    articles independently (seeded), or Newcombe's hybrid score interval where a side has
    fewer than :data:`MIN_BOOTSTRAP_N` articles or both shares are 0 or 1 (``interval``
    column). Parameters as :func:`prevalence`.
    """
    day = boundary(split, "split")
    wide = asserted(codes, segments, codebook=codebook, level=level, catch_alls=catch_alls,
                    headings=headings)  # fmt: skip
    spans = _spans(_dates(documents, wide.index))
    matrix = wide.to_numpy(dtype=np.float64)
    before = np.array([s is not None and s[1] < day for s in spans], dtype=bool)
    after = np.array([s is not None and s[0] >= day for s in spans], dtype=bool)
    undated = [d for d, s in zip(wide.index, spans, strict=True) if s is None]
    straddling = [d for d, s, b, a in zip(wide.index, spans, before, after, strict=True)
                  if s is not None and not (b or a)]  # fmt: skip
    keys = list(wide.columns)
    lo = hi = np.full(len(keys), np.nan)
    how = np.full(len(keys), "", dtype=object)
    b_share = matrix[before].mean(axis=0) if before.any() else np.full(len(keys), np.nan)
    a_share = matrix[after].mean(axis=0) if after.any() else np.full(len(keys), np.nan)
    if n_boot and before.any() and after.any():
        rng = np.random.default_rng(seed)
        diff = _boot(matrix[after], rng, n_boot) - _boot(matrix[before], rng, n_boot)
        q = (1 - ci) / 2
        lo, hi = np.quantile(diff, q, axis=0), np.quantile(diff, 1 - q, axis=0)
        how[:] = "bootstrap"
        # Newcombe's hybrid score interval where a bootstrap has too little to resample:
        # a side with few articles, or both shares at 0 or 1 (every resample the same).
        n_b, n_a = int(before.sum()), int(after.sum())
        small = (min(n_b, n_a) < MIN_BOOTSTRAP_N) | (_small(n_b, b_share) & _small(n_a, a_share))
        b_lo, b_hi = wilson(matrix[before].sum(axis=0), n_b, ci)
        a_lo, a_hi = wilson(matrix[after].sum(axis=0), n_a, ci)
        d = a_share - b_share
        n_lo = d - np.sqrt((a_share - a_lo) ** 2 + (b_hi - b_share) ** 2)
        n_hi = d + np.sqrt((a_hi - a_share) ** 2 + (b_share - b_lo) ** 2)
        lo, hi = np.where(small, n_lo, lo), np.where(small, n_hi, hi)
        how[small] = "newcombe"
    table = pd.DataFrame({
        level: keys, "label": _labels(keys, codebook, level, lang),
        "before_articles": matrix[before].sum(axis=0).astype("int64"),
        "before_n": int(before.sum()), "before": b_share,
        "after_articles": matrix[after].sum(axis=0).astype("int64"),
        "after_n": int(after.sum()), "after": a_share,
        "difference": a_share - b_share,
        "lo": lo, "hi": hi, "interval": how,
    })  # fmt: skip
    return Comparison(table, day.isoformat(), undated, straddling, len(wide))


def plot_prevalence(
    result: Prevalence,
    *,
    by: str = "year",
    lang: str = "zh",
    figsize: tuple[float, float] = (7, 3.6),
) -> Figure:
    """Shares per year or period with their intervals, one line per code or category.

    A line joins only neighbouring years (periods) that both have articles: a year
    between two dated ones with no article of its own is a gap, not a line drawn across
    it, and a year or period without articles has no point. Each point carries its
    interval as an error bar (the interval of the table's ``interval`` column: with one
    article it spans most of [0, 1]), and every tick says how many articles its year or
    period has (``n=``).

    Parameters
    ----------
    result : Prevalence
        Of :func:`prevalence`.
    by : {"year", "period"}
        As given to :func:`prevalence`: years are placed on a calendar axis (a missing
        year is a gap), periods side by side in time order.
    lang : {"zh", "en"}
        Language of the axis labels.
    figsize : (float, float)

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from workbench import plotting

    if by not in ("year", "period"):
        raise InputError(f"by must be 'year' or 'period', not {by!r}")
    plotting.setup_chinese()  # the codebook's labels are Chinese in either language
    table = result.table
    key = "code" if "code" in table.columns else "category"
    counts = dict(zip(result.periods["period"], result.periods["n"].astype(int), strict=True))
    if by == "year":
        years = [int(p) for p in result.periods["period"]]
        # Every calendar year from the first to the last: one without articles is a gap.
        names = [str(y) for y in range(min(years), max(years) + 1)] if years else []
        xs = [int(name) for name in names]
    else:
        names = list(result.periods["period"])
        xs = list(range(len(names)))
    n_of = [counts.get(name, 0) for name in names]
    fig, ax = plt.subplots(figsize=figsize)
    for j, (_, part) in enumerate(table.groupby(key, sort=False)):
        part = part.set_index("period").reindex(names)
        # No articles: no share, so NaN, where matplotlib breaks the line.
        share = part["share"].where(np.asarray(n_of) > 0).to_numpy(np.float64)
        lo = part["lo"].to_numpy(np.float64)
        hi = part["hi"].to_numpy(np.float64)
        err = np.vstack([share - lo, hi - share])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(np.asarray(xs) + (j - 0.5 * (table[key].nunique() - 1)) * 0.06,
                    share, yerr=err, marker="o", markersize=4, capsize=2, linewidth=1.2,
                    elinewidth=0.8, label=str(part["label"].dropna().iloc[0]))  # fmt: skip
    ticks = [f"{name}\nn={n}" for name, n in zip(names, n_of, strict=True)]
    if len(xs) > 20:  # a long run of years: label a readable subset of them
        step = int(np.ceil(len(xs) / 20))
        keep = [i for i in range(len(xs)) if i % step == 0 or n_of[i]]
        keep = keep[:: max(1, int(np.ceil(len(keep) / 20)))]
        ax.set_xticks([xs[i] for i in keep], [ticks[i] for i in keep], fontsize=7)
    else:
        ax.set_xticks(xs, ticks, fontsize=8)
    ax.set_xlabel(plotting.label("year" if by == "year" else "date", lang))
    ax.set_ylabel(plotting.label("share", lang))
    ax.set_ylim(-0.02, 1.05)
    if len(table):
        ax.legend(fontsize=8, ncols=2)
    fig.tight_layout()
    return fig
