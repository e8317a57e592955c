"""Join the lines of hard-wrapped plain text.

Text extracted from PDFs (pdftotext, CNKI CAJ → PDF → TXT, OCR) or saved from old e-mail
and BBS archives breaks its lines at a fixed width, in the middle of sentences: every 30–60
ideographs a newline, paragraphs marked by an indent or a blank line, page numbers between
the pages. Read line by line, each physical line would be a paragraph or the pieces of
sentences cut where the line ends, and coding, which works per sentence, would see half
sentences. :func:`unwrap` finds such a file and can join its broken lines before anything
else reads it; every other file comes back unchanged. The patterns and limits are in
``resources/wrapping.yaml``.

**As shipped, a file found hard-wrapped is reported, not joined** (``join: false``): the
files table gives its ``wrap_width`` and ``corpus info`` lists it as ``hard_wrapped``, and
its lines are read as they are, so no segment crosses a line of the file. The coder's
agreement is measured against human coding of lines; on the dev corpus's 18 hard-wrapped
files joining lowered the problem and cause kappas and left 48 of their 156 coded lines
without a segment to align to (``wrapping.yaml`` gives the numbers). ``join: true`` reads
such files as whole sentences.

Decisions
---------
* **Detection, per file.** Widths are measured in display columns (an ideograph 2, ASCII
  1) and in characters. Among the long lines (``detect.min_columns``), of the widths that
  at most ``max_over_share`` of them exceed, the one whose band (the width and up to
  ``tolerance_*`` below it) holds most lines is the file's width; the file is
  hard-wrapped when the band holds at least ``min_band_share`` of the long lines and at
  least ``min_open_share`` of the lines in the band do not end a sentence. Of the two measures
  the one with the larger band share is used. A file of paragraphs, one a line, spreads
  its lengths widely (on the seeds and the dev corpus's paragraph files at most a sixth
  of the long lines share a band and a third to nine tenths are longer), so it is left as
  it is; for most of them a sort of the line lengths settles it (:func:`_spread_out`).
* **Joining.** In a hard-wrapped file a line is joined to the next when it reaches the
  band, does not end a sentence (``sentence_end``: a line ending at a full stop is left
  a paragraph end, conservatively) and holds no run of two spaces (a table row); and the
  next line is not blank, not indented deeper than the file's continuation lines, no
  list item, bullet or Markdown block (``block_start``) and no numbered heading
  (:func:`workbench.corpus.structure.match_heading`). Headings, list items, paragraphs
  opened by an indent or a blank line and the short last lines of paragraphs stay breaks.
* **Line numbers stay.** The joined text goes on the first line of the run; the lines
  joined to it become empty lines, so every later line keeps its number and the
  boilerplate, article and structure steps read the file as if it had been written with
  one paragraph a line. :attr:`Unwrapped.starts` keeps where each physical line starts in
  a joined line, so a sentence is placed on the line it starts on
  (:func:`physical_line`).
* **Spaces.** Chinese joins with nothing between; a Latin word (or a number and a word)
  across the break gets one space, and a word hyphenated at the break (a lower-case
  letter, ``-``, a lower-case letter) loses its hyphen. Digits across a break join with
  nothing (``199`` / ``6年``).
* **Page numbers.** In a hard-wrapped file only, a line that is only a page number
  (``page_number``: ``- 12 -``, ``第 3 页``, ``3/10``) is removed (rule ``page_number``,
  listed in ``Corpus.removed``), with the blank lines around it, and the lines on either
  side are joined as if it were not there. A bare number (``12``) is one only inside a
  paragraph (the line before it goes on, the line after it continues): between
  paragraphs it may be a section's number, centred as a page number is (the dev
  corpus's journal records number their parts so). Boilerplate leaves a lone number
  alone in every file.
* **Markdown.** ``.md`` files are treated like ``.txt``: a Markdown paragraph's lines are
  one paragraph when rendered, so joining them is Markdown's own reading; headings,
  lists, quotes, tables and code fences are ``block_start`` breaks, and lines inside a
  fenced code block are never joined. Chinese Markdown is rarely hard-wrapped, and none
  of the dev corpus's files is found so. HTML and Word files are never unwrapped: their
  lines are the page's blocks.

Examples
--------
>>> para = "干部要经常深入基层，倾听群众的意见和建议，" * 9 + "把问题解决在萌芽状态。"
>>> lines = [para[i : i + 20] for i in range(0, len(para), 20)]
>>> u = unwrap("\\n".join(lines), join=True)
>>> len(lines), u.width, u.unit, u.joined, u.text.split("\\n")[0] == para
(10, 40, 'columns', 9, True)
>>> found = unwrap("\\n".join(lines))   # as shipped: found and reported, not joined
>>> found.describe(), found.joined, found.text == "\\n".join(lines)
('40 columns', 0, True)
>>> unwrap("一段话。\\n另一段话。").width
0
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import add, methodcaller
from pathlib import Path
from typing import Any, NamedTuple

from workbench.config import RESOURCES_DIR
from workbench.corpus.boilerplate import RemovedLine, normalize_spaces
from workbench.corpus.script import to_simplified
from workbench.corpus.structure import match_heading
from workbench.yamlio import safe_load

WRAPPING_PATH = RESOURCES_DIR / "wrapping.yaml"

#: The rule id of a removed page number line (``Corpus.removed``).
PAGE_NUMBER_RULE = "page_number"

_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_DOUBLE_SPACE = re.compile(r"\S\s{2,}\S")
_FENCE = re.compile(r"\s*(?:```|~~~)")


@dataclass(frozen=True)
class _Settings:
    join: bool
    min_columns: int
    min_lines: int
    tolerance_columns: int
    tolerance_chars: int
    min_band_share: float
    max_over_share: float
    min_open_share: float
    sentence_end: re.Pattern[str]
    block_start: re.Pattern[str]
    page_number: re.Pattern[str]


@cache
def _settings(path: str = str(WRAPPING_PATH)) -> _Settings:
    with Path(path).open(encoding="utf-8") as fh:
        raw: dict[str, Any] = safe_load(fh)
    detect = raw["detect"]
    return _Settings(
        join=bool(raw.get("join", False)),
        min_columns=int(detect["min_columns"]),
        min_lines=int(detect["min_lines"]),
        tolerance_columns=int(detect["tolerance_columns"]),
        tolerance_chars=int(detect["tolerance_chars"]),
        min_band_share=float(detect["min_band_share"]),
        max_over_share=float(detect["max_over_share"]),
        min_open_share=float(detect["min_open_share"]),
        sentence_end=re.compile(raw["sentence_end"]),
        block_start=re.compile(raw["block_start"]),
        page_number=re.compile(raw["page_number"]),
    )


@dataclass(frozen=True)
class Layout:
    """How a hard-wrapped file is wrapped: its ``width`` in ``unit`` (``"columns"`` or
    ``"chars"``) and the ``tolerance`` below it that still counts as reaching it."""

    width: int
    unit: str
    tolerance: int


class Joined(NamedTuple):
    """A joined line: its whitespace-normalised ``text`` (as boilerplate removal leaves
    it), the ``offsets`` at which its physical lines start in it and their ``numbers``."""

    text: str
    offsets: list[int]
    numbers: list[int]


@dataclass
class Unwrapped:
    """A file's text with its broken lines joined (see the module's decisions).

    ``text`` has as many lines as the input; ``width`` is the wrap width (0: the file is
    not hard-wrapped, and ``text`` is the input), in ``unit``; ``joined`` the number of
    lines joined to the line before; ``removed`` the page number lines taken out;
    ``starts`` per joined line (by its 1-based number) its :class:`Joined` pieces.
    """

    text: str
    width: int = 0
    unit: str = ""
    joined: int = 0
    removed: list[RemovedLine] = field(default_factory=list)
    starts: dict[int, Joined] = field(default_factory=dict)

    def describe(self) -> str:
        """The wrap width as the files table shows it, ``""`` for a file not hard-wrapped.

        Examples
        --------
        >>> Unwrapped("", 63, "columns").describe(), Unwrapped("").describe()
        ('63 columns', '')
        """
        return f"{self.width} {self.unit}" if self.width else ""


def _band(lengths: Sequence[int], tolerance: int, floor: int, max_over: float) -> tuple[int, float]:
    """(width, share of the long lines in its band) of ``lengths``, long lines being those
    of at least ``floor``: the width with at most ``max_over`` of the long lines longer than
    it whose band holds most of them.

    Such a width is at least the length that ``max_over`` of the long lines exceed, and a
    band further right than ``tolerance`` above it holds fewer lines than that band: a
    sort and a few bisections, whatever the spread of lengths (a file of paragraphs
    has hundreds of distinct ones).

    Examples
    --------
    >>> _band([60] * 8 + [59, 30, 100], 1, 40, 0.1)
    (60, 0.9)
    """
    long = sorted(n for n in lengths if n >= floor)
    n = len(long)
    allowed = int(max_over * n)  # lines that may be longer than the width
    lowest = long[n - 1 - allowed]
    best, width = -1, lowest
    for w in range(lowest, lowest + tolerance + 1):
        inside = bisect_right(long, w) - bisect_left(long, w - tolerance)
        if inside > best:
            best, width = inside, w
    return width, best / n


def _spread_out(lines: Sequence[str], s: _Settings) -> bool:
    """Whether the lengths of ``lines`` rule out a wrap width at once: too few long lines,
    or the longest of them (all but ``max_over_share``) over twice as long as the median.

    A necessary condition, in characters and C loops only (a sort), so that a file of
    paragraphs costs next to nothing: a band line of a file wrapped at ``W`` columns has
    between ``W/2`` characters (all ideographs) and ``W`` (all ASCII), so in a wrapped file
    the long lines' median is at least about half the width and few are longer than it.
    On the dev corpus the wrapped files' ratio is 1.03-1.06; most paragraph files are
    above 2.
    """
    lengths = sorted(map(len, lines))
    long = lengths[bisect_left(lengths, s.min_columns // 2) :]
    n = len(long)
    if n < s.min_lines:
        return True
    highest = long[n - 1 - int(s.max_over_share * n)]
    return highest > 2 * long[n // 2] + 2 * s.tolerance_columns + 2


def measure(lines: Sequence[str]) -> Layout | None:
    """The wrap :class:`Layout` of a file's ``lines``, ``None`` when the file is not
    hard-wrapped (see the module's decisions).

    Examples
    --------
    >>> text = "为民务实清廉，密切联系群众，是党的优良传统和作风"
    >>> lines = [text[:20]] * 9 + ["短行。"]
    >>> measure(lines)
    Layout(width=40, unit='columns', tolerance=3)
    >>> measure([text[:20] + "。"] * 9) is None  # every line ends a sentence
    True
    """
    s = _settings()
    if _spread_out(lines, s):
        return None
    lines = [line.rstrip() for line in lines]
    chars = list(map(len, lines))
    # Twice the display width: a UTF-8 byte count plus the characters makes an ASCII
    # character 2 and an ideograph or a full-width mark 4, in C (no per-character test).
    doubled = list(map(add, map(len, map(_ENCODE, lines)), chars))
    floor = 2 * s.min_columns
    n_long = sum(n >= floor for n in doubled)
    if n_long < s.min_lines:
        return None
    candidates = []
    for unit, lengths, tolerance, low in (
        ("columns", doubled, 2 * s.tolerance_columns, floor),
        ("chars", chars, s.tolerance_chars, s.min_columns // 2),
    ):
        width, share = _band(lengths, tolerance, low, s.max_over_share)
        if share >= s.min_band_share:
            candidates.append((share, unit, width, tolerance, lengths))
    if not candidates:
        return None
    _, unit, width, tolerance, lengths = max(candidates, key=lambda c: c[0])
    band = [i for i, n in enumerate(lengths) if width - tolerance <= n <= width]
    open_lines = sum(s.sentence_end.search(lines[i]) is None for i in band)
    if open_lines < s.min_open_share * len(band):
        return None
    if unit == "columns":
        return Layout(width // 2, unit, tolerance // 2)
    return Layout(width, unit, tolerance)


def _length(line: str, unit: str) -> int:
    """A line's length in ``unit`` (display columns or characters)."""
    if unit == "chars":
        return len(line)
    return (len(_ENCODE(line)) + len(line)) // 2


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_latin(ch: str) -> bool:
    """A letter or digit of an alphabetic script, or ASCII punctuation (no ideograph)."""
    return (ch.isascii() and not ch.isspace()) or (ch.isalpha() and ord(ch) < 0x2E80)


def join_pieces(head: str, tail: str) -> str:
    """``head`` and the line ``tail`` that continues it, joined: Chinese with nothing
    between, a word across the break with a space, a hyphenated word without its hyphen.

    Examples
    --------
    >>> join_pieces("加强干部", "作风建设"), join_pieces("the mass", "line")
    ('加强干部作风建设', 'the mass line')
    >>> join_pieces("199", "6年")
    '1996年'
    >>> join_pieces("bureau-", "cratism"), join_pieces("干部GDP", "考核")
    ('bureaucratism', '干部GDP考核')
    """
    last, first = head[-1], tail[0]
    if last == "-" and len(head) > 1 and head[-2].isalpha() and first.islower():
        return head[:-1] + tail
    if _is_latin(last) and _is_latin(first) and not (last.isdigit() and first.isdigit()):
        return head + " " + tail
    return head + tail


class _Joiner:
    """The joining pass over the lines of a file found hard-wrapped."""

    def __init__(self, lines: list[str], stripped: list[str], layout: Layout) -> None:
        self.s = _settings()
        self.lines, self.stripped, self.layout = lines, stripped, layout
        reach = layout.width - layout.tolerance
        self.reaches = [_length(line, layout.unit) >= reach for line in stripped]
        # The indentation of continuation lines (lines that follow a line at the width):
        # a margin some files give every line; deeper opens a paragraph.
        follow = Counter(
            _indent(stripped[i + 1])
            for i in range(len(stripped) - 1)
            if self.reaches[i] and stripped[i + 1]
        )
        self.margin = follow.most_common(1)[0][0] if follow else 0

    def ends(self, i: int) -> bool:
        """Whether line ``i`` ends its paragraph whatever follows."""
        line = self.stripped[i]
        return (
            not self.reaches[i]
            or self.s.sentence_end.search(line) is not None
            or _DOUBLE_SPACE.search(line.lstrip()) is not None
        )

    def starts(self, i: int) -> bool:
        """Whether line ``i`` starts something of its own (never continues a line)."""
        line = self.stripped[i]
        if _indent(line) > self.margin:
            return True
        body = line.strip()
        return (
            self.s.block_start.match(body) is not None
            or match_heading(" ".join(to_simplified(body).split())) is not None
        )

    def furniture(self) -> list[bool]:
        """Per line: a page number, or a blank line next to one (through blanks).

        A bare number ("12") is a page number only inside a paragraph, between a line
        that goes on and its continuation: at a paragraph's end it may be a section's
        number, centred on its line as a page number is.
        """
        page = self.s.page_number
        stripped = self.stripped
        is_page = [bool(t) and page.fullmatch(t.strip()) is not None for t in stripped]
        if not any(is_page):
            return is_page
        n = len(stripped)
        for i in range(n):
            if is_page[i] and stripped[i].strip().isdigit() and not self.inside(i):
                is_page[i] = False
        out = list(is_page)
        for i in range(n):
            if not is_page[i]:
                continue
            for step in (-1, 1):
                j = i + step
                while 0 <= j < n and not self.stripped[j].strip():
                    out[j] = True
                    j += step
        return out

    def inside(self, i: int) -> bool:
        """Whether line ``i`` stands inside a paragraph: the nearest line of text before
        it goes on, the nearest after it continues (blank lines passed over)."""
        stripped, n = self.stripped, len(self.stripped)
        before = next((j for j in range(i - 1, -1, -1) if stripped[j].strip()), None)
        after = next((j for j in range(i + 1, n) if stripped[j].strip()), None)
        return (
            before is not None
            and after is not None
            and not self.ends(before)
            and not self.starts(after)
        )

    def run(self) -> Unwrapped:
        lines, stripped = list(self.lines), self.stripped
        furniture = self.furniture()
        removed: list[RemovedLine] = []
        starts: dict[int, Joined] = {}
        joined = 0
        head: int | None = None  # the line the current run of lines is joined onto
        last: int | None = None  # the run's last physical line
        text = ""
        offsets: list[int] = []
        numbers: list[int] = []
        fenced = False

        def close() -> None:
            if head is not None and len(numbers) > 1:
                lead = stripped[head][: _indent(stripped[head])]
                lines[head] = lead + text
                starts[head + 1] = Joined(text, offsets, numbers)

        for i, line in enumerate(stripped):
            if _FENCE.match(line):
                fenced = not fenced
            if furniture[i]:
                if line.strip():
                    removed.append(RemovedLine(i + 1, self.lines[i].rstrip("\r"), PAGE_NUMBER_RULE))
                lines[i] = ""
                continue
            if not line.strip():
                close()
                head = last = None
                continue
            piece = normalize_spaces(line)
            if (
                head is not None
                and last is not None
                and not fenced
                and not self.ends(last)
                and not self.starts(i)
            ):
                joined_text = join_pieces(text, piece)
                offsets.append(len(joined_text) - len(piece))
                numbers.append(i + 1)
                text = joined_text
                lines[i] = ""
                joined += 1
                last = i
                continue
            close()
            head = last = i
            text, offsets, numbers = piece, [0], [i + 1]
        close()
        return Unwrapped(
            "\n".join(lines), self.layout.width, self.layout.unit, joined, removed, starts
        )


def unwrap(text: str, join: bool | None = None) -> Unwrapped:
    """``text`` with the lines of a hard-wrapped file joined (see the module's decisions);
    any other text comes back as it is, with ``width`` 0.

    Parameters
    ----------
    text : str
        A file's decoded text.
    join : bool, optional
        Join the broken lines of a file found hard-wrapped; if false, such a file comes
        back as it is with its ``width`` and ``unit`` set (found, not joined). Default:
        ``join`` of ``resources/wrapping.yaml``, false as shipped (it says why).

    Examples
    --------
    >>> row = "我们要始终坚持全心全意为人民服务的根本宗旨"
    >>> lines = [row] * 8 + ["- 2 -", "", row[:10] + "。"]
    >>> u = unwrap("\\n".join(lines), join=True)
    >>> u.joined, [(r.line_no, r.rule) for r in u.removed], u.text.count("\\n")
    (8, [(9, 'page_number')], 10)
    >>> u.starts[1].numbers
    [1, 2, 3, 4, 5, 6, 7, 8, 11]
    """
    s = _settings()
    lines = text.split("\n")
    if len(lines) < s.min_lines:
        return Unwrapped(text)
    layout = measure(lines)
    if layout is None:
        return Unwrapped(text)
    if not (s.join if join is None else join):
        # Found and reported, read as it is (``join`` in wrapping.yaml says why).
        return Unwrapped(text, layout.width, layout.unit)
    return _Joiner(lines, [line.rstrip() for line in lines], layout).run()


def physical_line(joined: Joined, position: int) -> int:
    """The number of the physical line on which ``position`` of a joined line lies.

    Examples
    --------
    >>> physical_line(Joined("", [0, 20, 40], [3, 4, 6]), 25)
    4
    """
    return joined.numbers[max(bisect_right(joined.offsets, position) - 1, 0)]
