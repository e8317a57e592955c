"""Publication dates of articles, read from their datelines — never guessed.

The rule
--------
A date is taken only from a **dateline**: a line whose whole shape says "this text was
published / delivered / issued on …", and only at the **head or tail** of an article.
The shapes are the patterns of ``resources/dates.yaml`` (each matched against the whole
line, in Simplified script, NFKC-normalised):

* a line that is only a date, bare or in parentheses — "（一九三四年五月六日）",
  "(2018-05-13)", a signed "二〇一三年五月八日" at the end (``paren_date``);
* a title in 《》 followed by its date in parentheses — "《…》(2013年5月)" (``title_date``);
* a date with a clock time — "2013年09月18日09:32 来源:人民网-理论频道" (``date_time``);
* a labelled field — "发布时间/发表时间/时间/日期: 2016-05-03", "【发布日期】…"
  (``labelled``, ``labelled_rfc``), a source line ending in its date — "来源：… 2014-07-01"
  (``source_date``) — or a byline of labelled fields ending in it — "作者：王某  2018-03-09"
  (``byline_date``); a Markdown front matter's "date: 2021-03-02" (``front_matter_date``);
* a full date opening a short line that names the occasion or the act of issue —
  "1958年2月1日在…会议上", "2006年3月1日 某省人民政府令第12号公布" (``occasion_date``);
* a line saying when it was written or first published — "写于 1944 年",
  "原载《人民日报》2014年7月1日" (``written_in``);
* the 【原刊期号】 field of journal-index exports (``journal_issue``: eight digits are a
  newspaper's date; six are year + issue number, so only the year is taken);
* an organisation's signature and full date closing the text — "某某镇党委 2022年5月20日"
  (``signature_date``) — read only from the last non-blank line of an article's region
  and only when no other dateline was found (``where: last`` in the YAML): at the head the
  shape is an issuing line or heading, inside a text a sentence.

Dates inside sentences are events, not publication dates, and are never read:
"一九五九年三月二日关于…的报告" in a note, "1995年6月,某镇党委书记…调任县里" in the
body, "整改时限:2005年5月底前" in a plan. A date is reported with the precision the line
gives — ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` — and a range or list
("(一九五三年十月——一九五四年二月)") gives its first date. Impossible dates (2013-02-30)
and years outside ``settings.min_year``–``max_year`` are not dates.

Head and tail
-------------
An article's *region* runs from its first line (its marker, in a file of several) to
the line before the next article's first line: the lines after its last body line close
it, so a closing "来源：某某晚报 2015-07-01" or a signed date is its own, not the next
article's head (article 1 starts at the file's start, the last article ends at the file's
end; an article split off in the middle of a line starts after that line). It is taken
from the decoded file **before** boilerplate removal — the 人民网 dateline is page chrome
to :mod:`workbench.corpus.boilerplate` but it is where the date is. The head is the
region's first ``head_lines`` non-blank lines, the tail its last ``tail_lines`` (before the
line opening an official document's attachments, ``附件1``…, when it has them: its signature
and date precede them, and their tables' dates are deadlines); head lines
are tried first, top down, then tail lines; the first dateline wins. In the documents
table (:func:`workbench.corpus.load_corpus`) ``date`` is the ISO string and ``date_source``
that line verbatim, in the source's script; both are ``""`` for an article without one.

User metadata overrides all this: a ``date`` column in ``--metadata`` (see
:mod:`workbench.corpus.metadata`) replaces the extracted date, and ``date_source`` says
``"metadata"``.

Examples
--------
>>> hit = find_date(["关于县级机关党员干部联系和服务群众的调查与思考",
...                  "2013年09月18日09:32   来源:人民网-理论频道"])
>>> hit.date, hit.pattern, hit.line
('2013-09-18', 'date_time', 2)
>>> hit.source
'2013年09月18日09:32   来源:人民网-理论频道'
>>> find_date(["关于改进作风的讲话", "", "（一九三四年五月六日）"]).date
'1934-05-06'
>>> find_date(["〔2〕指某县委一九五九年三月二日关于某公社整顿工作的报告。"]) is None
True
>>> parse_date("2013/6/18"), parse_date("2013-06"), parse_date("二〇一三年六月")
('2013-06-18', '2013-06', '2013-06')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as _date
from functools import cache, cached_property
from typing import Any

from workbench.config import RESOURCES_DIR
from workbench.yamlio import safe_load

#: The bundled pattern file.
DATES_PATH = RESOURCES_DIR / "dates.yaml"

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
)}  # fmt: skip


@dataclass(frozen=True)
class DateMatch:
    """A dateline found: the ISO ``date``, the ``source`` line verbatim, the ``pattern`` id
    and the 1-based ``line`` among the lines searched."""

    date: str
    source: str
    pattern: str
    line: int


@dataclass(frozen=True)
class DatePattern:
    id: str
    regex: re.Pattern[str]
    description: str
    examples: dict[str, str]
    counterexamples: tuple[str, ...]
    #: ``"any"`` (head and tail lines) or ``"last"``: only the last non-blank line of an
    #: article's region, when no other pattern found a dateline (see :func:`article_dates`).
    where: str = "any"


@dataclass(frozen=True)
class DateRules:
    patterns: tuple[DatePattern, ...]
    head_lines: int
    tail_lines: int
    max_line_chars: int
    min_year: int
    max_year: int
    #: The line that opens an official document's attachments ("附件1", "附件2：统计表"):
    #: the article's tail, where its signature and date are, ends before it.
    attachment: re.Pattern[str] | None = None

    @cached_property
    def anywhere(self) -> tuple[DatePattern, ...]:
        """The patterns tried on any line of a head or tail (``where: any``), listed
        once rather than for every line tried."""
        return tuple(p for p in self.patterns if p.where == "any")


def _expand(template: str, parts: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError(f"dates.yaml: placeholders nest too deep in {template!r}")
    out = re.sub(r"\{([A-Z_]+)\}", lambda m: parts[m.group(1)], template)
    return out if out == template else _expand(out, parts, depth + 1)


@cache
def load_rules(path: str | None = None) -> DateRules:
    """The compiled patterns and settings of ``dates.yaml`` (the bundled file by default)."""
    with open(path or DATES_PATH, encoding="utf-8") as fh:
        raw: dict[str, Any] = safe_load(fh)
    parts = raw["parts"]
    patterns = []
    for p in raw["patterns"]:
        try:
            regex = re.compile(_expand(p["pattern"], parts))
        except (re.error, KeyError) as err:
            raise ValueError(f"dates.yaml: pattern {p['id']}: {err}") from None
        where = str(p.get("where", "any"))
        if where not in ("any", "last"):
            raise ValueError(f"dates.yaml: pattern {p['id']}: where must be 'any' or 'last', "
                             f"not {where!r}")  # fmt: skip
        patterns.append(DatePattern(
            p["id"], regex, " ".join(str(p.get("description", "")).split()),
            dict(p.get("examples") or {}), tuple(p.get("counterexamples") or ()), where,
        ))  # fmt: skip
    s = raw["settings"]
    attachment = re.compile(s["attachment_start"]) if s.get("attachment_start") else None
    return DateRules(tuple(patterns), int(s["head_lines"]), int(s["tail_lines"]),
                     int(s["max_line_chars"]), int(s["min_year"]), int(s["max_year"]),
                     attachment)  # fmt: skip


def _number(text: str) -> int:
    """An Arabic or Chinese-numeral number as written in a date (一九六〇, 十一, 二十三, 09)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:  # a year written digit by digit
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _iso(groups: dict[str, str | None], rules: DateRules) -> str | None:
    """The ISO string of a match's y/m/d groups, or ``None`` for an impossible date."""
    y = groups.get("y") or groups.get("iy") or groups.get("yy")
    m = groups.get("m") or groups.get("im")
    d = groups.get("d") or groups.get("id")
    if groups.get("mon"):
        m = str(_MONTHS[groups["mon"]])
    if y is None:
        return None
    year = _number(y)
    if not rules.min_year <= year <= rules.max_year:
        return None
    if m is None:
        return f"{year:04d}"
    month = _number(m)
    if d is None:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    try:
        return _date(year, month, _number(d)).isoformat()
    except ValueError:
        return None


def normalize_line(line: str) -> str:
    """The form patterns are matched on: Simplified, NFKC, spaces collapsed, stripped.

    Examples
    --------
    >>> normalize_line("  發布時間：２０１６-05-03 ")
    '发布时间:2016-05-03'
    """
    from workbench.corpus.script import to_simplified

    text = unicodedata.normalize("NFKC", to_simplified(line))
    return " ".join(text.split())


def match_line(
    line: str, rules: DateRules | None = None, patterns: Sequence[DatePattern] | None = None
) -> tuple[str, str] | None:
    """``(iso_date, pattern_id)`` if ``line`` is a dateline, else ``None``.

    ``patterns`` are those tried, by default every pattern of ``rules`` that may match
    anywhere in the head or tail (``where: any``); the closing-line ones (``where:
    last``) are tried by :func:`article_dates` on an article's last line only.

    Examples
    --------
    >>> match_line("发布时间：2016-05-03")
    ('2016-05-03', 'labelled')
    >>> match_line("整改时限:2005年5月底前做好今年的调研计划") is None
    True
    """
    rules = rules or load_rules()
    text = normalize_line(line)
    if not text or len(text) > rules.max_line_chars or not _DATE_CHAR.search(text):
        return None
    if patterns is None:
        patterns = rules.anywhere
    for pattern in patterns:
        found = pattern.regex.fullmatch(text)
        if found is None:
            continue
        iso = _iso(found.groupdict(), rules)
        if iso is not None:
            return iso, pattern.id
    return None


#: What every dateline holds: a digit or 年 (:func:`match_line` tries no pattern without).
_DATE_CHAR = re.compile(r"\d|年")


def find_date(lines: Sequence[str], rules: DateRules | None = None) -> DateMatch | None:
    """The first dateline among ``lines`` (tried in order), or ``None``.

    ``lines`` are raw lines; the returned ``source`` is the matching one unchanged and
    ``line`` its 1-based position in ``lines``.
    """
    rules = rules or load_rules()
    for number, line in enumerate(lines, start=1):
        hit = match_line(line, rules)
        if hit is not None:
            return DateMatch(hit[0], line, hit[1], number)
    return None


def region_lines(
    raw_lines: Sequence[str], start: int, end: int, rules: DateRules | None = None
) -> list[tuple[int, str]]:
    """Head then tail lines ``(line_no, text)`` of the region ``start..end`` (1-based, inclusive).

    Examples
    --------
    >>> lines = ["t", "", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
    >>> [n for n, _ in region_lines(lines, 1, 13)]
    [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]
    """
    rules = rules or load_rules()
    numbers = range(max(start, 1), min(end, len(raw_lines)) + 1)
    if rules.head_lines < 0 or rules.tail_lines < 0:  # slices from the end: list them all
        filled = _filled(raw_lines, numbers, len(numbers))
        head = filled[: rules.head_lines]
        tail = [x for x in filled[-rules.tail_lines :] if x not in head] if rules.tail_lines else []
        return head + tail
    # Only the first and the last few non-blank lines are read: scan from either end
    # instead of listing every line of the region (an article's lines, most of a file).
    head = _filled(raw_lines, numbers, rules.head_lines)
    if not rules.tail_lines:
        return head
    tail = _filled(raw_lines, reversed(numbers), rules.tail_lines)[::-1]
    return head + [x for x in tail if x not in head]


def _filled(raw_lines: Sequence[str], numbers: Iterable[int], n: int) -> list[tuple[int, str]]:
    """The first ``n`` non-blank ``(line_no, text)`` of ``raw_lines``, in ``numbers`` order."""
    out: list[tuple[int, str]] = []
    for number in numbers:
        if len(out) >= n:
            break
        if raw_lines[number - 1].strip():
            out.append((number, raw_lines[number - 1]))
    return out


def article_dates(text: str, articles: Sequence[Any]) -> list[DateMatch | None]:
    """The dateline of each article of a file, or ``None`` (see the module's rule).

    Parameters
    ----------
    text : str
        The decoded file, before boilerplate removal (its lines are the line numbers of
        :mod:`workbench.corpus.boilerplate`).
    articles : sequence of ArticleText
        The file's articles in order (:func:`workbench.corpus.articles.split_articles`); their
        ``lines``, ``title_line`` and ``consumed`` lines place them in the file.

    Returns
    -------
    list
        One :class:`DateMatch` (``line`` is the line number in the file) or ``None`` per
        article.

    Examples
    --------
    >>> from workbench.corpus.articles import split_articles
    >>> from workbench.corpus.boilerplate import strip_boilerplate
    >>> text = "第一篇:甲\\n(2013-05-08)\\n正文一。\\n第二篇:乙\\n正文二。"
    >>> arts = split_articles(strip_boilerplate(text))
    >>> [m and (m.date, m.line) for m in article_dates(text, arts)]
    [('2013-05-08', 2), None]

    A dateline closing an article, after its last body line and before the next
    article's marker, is that article's, not the next one's:

    >>> text = "第一篇:甲\\n正文一。\\n来源:某报 2015-07-01\\n第二篇:乙\\n正文二。\\n2020.11.5"
    >>> arts = split_articles(strip_boilerplate(text))
    >>> [m and (m.date, m.line) for m in article_dates(text, arts)]
    [('2015-07-01', 3), ('2020-11-05', 6)]
    """
    rules = load_rules()
    # Lines as split; the \r of a CRLF file is taken off the few lines read (blank
    # either way), not off every line of the file.
    raw = text.split("\n")
    out: list[DateMatch | None] = []
    starts = [_first_line(art) for art in articles]
    previous_end = 0
    for k, art in enumerate(articles):
        numbers = [n for n, _ in art.lines] + ([art.title_line] if art.title_line else [])
        if k == len(articles) - 1:
            end = len(raw)
        else:
            # The lines after an article's last body line up to the next article's first
            # line (its marker) close this article: a trailing "来源：… 2015-07-01" or a
            # signed date belongs to the article above it, not to the next one's head.
            following = starts[k + 1]
            end = max([*numbers, previous_end] + ([following - 1] if following else []))
        # An official document's attachments (附件1 …, tables with deadlines) follow its
        # signature and date: its tail is the lines before them.
        last = _before_attachments(raw, previous_end + 1, end, rules)
        lines = [(n, t.rstrip("\r")) for n, t in region_lines(raw, previous_end + 1, last, rules)]
        hit = _find_in_region(lines, rules)
        out.append(hit)
        previous_end = max(end, previous_end)
    return out


def _before_attachments(raw: Sequence[str], start: int, end: int, rules: DateRules) -> int:
    """The last line of region ``start..end`` before the line opening its attachments
    (``settings.attachment_start``), ``end`` when there is none. The region's first
    non-blank line is its head, never an attachment's start.

    Examples
    --------
    >>> lines = ["关于某事的通知", "正文。", "某县委办公室", "2023年5月10日", "附件1", "表格"]
    >>> rules = load_rules()
    >>> _before_attachments(lines, 1, 6, rules), _before_attachments(lines, 1, 4, rules)
    (4, 4)
    """
    if rules.attachment is None:
        return end
    head_seen = False
    for number in range(max(start, 1), min(end, len(raw)) + 1):
        line = raw[number - 1]
        if not line.strip():
            continue
        if head_seen and "附件" in line and rules.attachment.fullmatch(normalize_line(line)):
            return number - 1
        head_seen = True
    return end


def _first_line(article: Any) -> int:
    """The first line an article owns (marker, title, byline or body), 0 if none; the
    preamble's file title (rule ``file_title``) is the file's, not the article's."""
    numbers = [n for n, _ in article.lines]
    numbers += [n for n, _, what in getattr(article, "consumed", ()) if what != "file_title"]
    if article.title_line:
        numbers.append(article.title_line)
    return min(numbers, default=0)


def _find_in_region(lines: list[tuple[int, str]], rules: DateRules) -> DateMatch | None:
    """The first dateline among a region's head and tail ``lines`` (:func:`region_lines`),
    its ``line`` the number in the file.

    A pattern marked ``where: last`` in ``dates.yaml`` (an organisation's signature and
    date, ``signature_date``) is tried on the region's last non-blank line only, after
    every other pattern found nothing: the same shape at the head or inside a text is a
    sentence or a heading, not the text's date.
    """
    hit = find_date([t for _, t in lines], rules)
    if hit is not None:
        return DateMatch(hit.date, hit.source, hit.pattern, lines[hit.line - 1][0])
    closing = [p for p in rules.patterns if p.where == "last"]
    if not closing or not lines:
        return None
    number, line = max(lines)
    found = match_line(line, rules, closing)
    return None if found is None else DateMatch(found[0], line, found[1], number)


def parse_date(value: str) -> str:
    """A user's date (metadata) as ISO ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Accepts ``2013``, ``2013-06``, ``2013-06-18``, ``/`` or ``.`` for ``-``,
    ``2013年``, ``2013年6月`` and ``2013年6月18日`` (the last with Arabic or Chinese numerals).

    Raises
    ------
    ValueError
        If ``value`` is not such a date or names an impossible one.

    Examples
    --------
    >>> parse_date("2013.6"), parse_date("2013年"), parse_date("2013年6月")
    ('2013-06', '2013', '2013-06')
    >>> parse_date("2013-02-30")
    Traceback (most recent call last):
    ...
    ValueError: '2013-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)
    """
    rules = load_rules()
    text = normalize_line(str(value))
    found = re.fullmatch(r"(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?)?", text)
    # A year or a month as a spreadsheet's Chinese cell writes it: 2015年, 2015年3月.
    found = found or re.fullmatch(r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月份?)?", text)
    groups = found.groupdict() if found else None
    if groups is None:
        hit = match_line(text, rules)
        if hit is not None and hit[1] == "paren_date":
            return hit[0]
    iso = None if groups is None else _iso(groups, rules)
    if iso is None:
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return iso
