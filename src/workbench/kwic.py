"""Keyword in context (concordance) over a table of sentences.

Searching runs on the Simplified text of each segment, so one Simplified query
finds a term in texts of either script, and a Traditional query is converted
first (幹群關係 finds 干群关系). Each hit gives its context twice: ``left``,
``match`` and ``right`` in the Simplified text searched, and ``left_orig``,
``match_orig`` and ``right_orig``, the same stretches of the segment's
original-script sentence ``text_orig``, for quoting. The two texts are aligned
character by character (:class:`Alignment`), so the original-script columns are
right even where a conversion changed the length of a phrase.

Examples
--------
>>> import pandas as pd
>>> segments = pd.DataFrame({
...     "segment_id": ["s1", "s2"],
...     "text": ["如何改善干群关系", "干群关系紧张,干群矛盾突出"],
...     "text_orig": ["如何改善干群關系", "干群关系紧张,干群矛盾突出"],
... })
>>> hits = kwic(segments, "幹群關係", width=4)
>>> hits[["left", "match", "right", "segment_id"]].values.tolist()
[['如何改善', '干群关系', '', 's1'], ['', '干群关系', '紧张,干', 's2']]
>>> hits[["left_orig", "match_orig", "right_orig"]].values.tolist()
[['如何改善', '干群關系', ''], ['', '干群关系', '紧张,干']]
>>> hits["text_orig"].tolist()
['如何改善干群關系', '干群关系紧张,干群矛盾突出']
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pandas as pd

from workbench.corpus.script import to_simplified

#: Output columns of :func:`kwic`, in order.
KWIC_COLUMNS = (
    "term", "left", "match", "right", "segment_id", "text_orig",
    "left_orig", "match_orig", "right_orig",
)  # fmt: skip

_ORIG_COLUMNS = ("left_orig", "match_orig", "right_orig")


class Alignment:
    """Character-level map from positions in a Simplified text to its original.

    ``simple`` is normally ``to_simplified(orig)``. OpenCC's ``t2s`` keeps the
    length of what it converts, and then position *k* of one text is position *k*
    of the other. Where the two lengths differ (a phrase converted to one of
    another length, as ``tw2sp`` turns 記憶體 into 内存, or a Simplified text made
    by another tool), ``orig`` is converted character by character
    (:func:`workbench.corpus.structure.simplified_aligned`, which keeps its length) and
    matched to ``simple`` (:class:`difflib.SequenceMatcher`); a changed stretch maps
    as a whole, so a match inside it takes the whole original stretch, and
    characters with no counterpart go to the context, not to the match.

    Parameters
    ----------
    orig, simple : str
        The original-script text and its Simplified form.

    Examples
    --------
    >>> a = Alignment("記憶體與群眾", "内存与群众")
    >>> a.span(3, 5)
    (4, 6)
    >>> a.span(0, 1)  # 内 is half of 内存, which stands for 記憶體
    (0, 3)
    >>> Alignment("幹群關係", "干群关系").span(1, 3)
    (1, 3)
    """

    def __init__(self, orig: str, simple: str) -> None:
        self.n_orig, self.n_simple = len(orig), len(simple)
        self.identity = self.n_orig == self.n_simple
        if self.identity:
            return
        from workbench.corpus.structure import simplified_aligned

        n = self.n_simple
        # Per boundary k of ``simple`` (0..n): the least and greatest original boundary
        # it can stand for, and, strictly inside a changed stretch, that stretch's ends.
        lo = [self.n_orig] * (n + 1)
        hi = [0] * (n + 1)
        self.inside: dict[int, tuple[int, int]] = {}
        matcher = SequenceMatcher(None, simple, simplified_aligned(orig), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for t in range(i2 - i1 + 1):
                    lo[i1 + t] = min(lo[i1 + t], j1 + t)
                    hi[i1 + t] = max(hi[i1 + t], j1 + t)
                continue
            for k, j in ((i1, j1), (i2, j2)):
                lo[k], hi[k] = min(lo[k], j), max(hi[k], j)
            for k in range(i1 + 1, i2):
                self.inside[k] = (j1, j2)
        self.lo, self.hi = lo, hi

    def _at(self, k: int, outer: bool, start: bool) -> int:
        if self.identity:
            return k
        if k in self.inside:
            j1, j2 = self.inside[k]
            return j1 if start else j2
        # At a boundary, original characters without a counterpart (lo..hi) belong to
        # the context: a start of the match or an end of the context takes the far side.
        return self.lo[k] if outer == start else self.hi[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-script span of the Simplified match ``simple[start:end]``."""
        return self._at(start, False, True), self._at(end, False, False)

    def context(self, start: int, end: int, width: int) -> tuple[int, int]:
        """Original-script starts of the left context and ends of the right context.

        For a match ``simple[start:end]`` with ``width`` characters of context on each
        side of the Simplified text: ``orig[a:s]`` is the left context and
        ``orig[e:b]`` the right one, where ``(s, e) = span(start, end)``.
        """
        if width == 0:
            return self.span(start, end)
        left = max(0, start - width)
        right = min(self.n_simple, end + width)
        a = 0 if left == 0 else self._at(left, True, True)
        b = self.n_orig if right == self.n_simple else self._at(right, True, False)
        return a, b


def _compile(term: str | re.Pattern[str]) -> tuple[str, re.Pattern[str]]:
    """Return the label shown in the ``term`` column and the pattern to search with."""
    if isinstance(term, re.Pattern):
        return term.pattern, term
    if not isinstance(term, str) or not term:
        raise ValueError("term must be a non-empty string or a compiled pattern")
    simplified = to_simplified(term)
    return simplified, re.compile(re.escape(simplified))


def kwic(
    segments: pd.DataFrame,
    term: str | re.Pattern[str],
    *,
    width: int = 15,
    text_col: str = "text",
    orig_col: str = "text_orig",
    id_col: str = "segment_id",
) -> pd.DataFrame:
    """Find every occurrence of ``term`` with up to ``width`` characters of context.

    Parameters
    ----------
    segments : pandas.DataFrame
        One row per sentence, in corpus order, with ``id_col``, ``text_col``
        (Simplified) and ``orig_col`` (original script). Missing text never matches.
    term : str or re.Pattern
        A literal term, converted to Simplified with
        :func:`workbench.corpus.script.to_simplified`, or a compiled regular expression
        used as given (write it in Simplified). Empty matches are skipped.
    width : int, default 15
        Maximum characters of context on each side, taken from the same sentence.
    text_col, orig_col, id_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per non-overlapping match, ordered by segment then position, with
        columns ``term`` (the Simplified term, or the pattern's source), ``left``,
        ``match``, ``right`` (Simplified), ``segment_id``, ``text_orig`` (the whole
        original-script sentence) and ``left_orig``, ``match_orig``, ``right_orig``:
        the same context in the original script, aligned to the Simplified match by
        :class:`Alignment` (``left_orig + match_orig + right_orig`` is a stretch of
        ``text_orig``; missing where ``text_orig`` is). With no match the frame is
        empty but has the same columns.

    Raises
    ------
    ValueError
        If ``term`` is empty or ``width`` is negative.

    Examples
    --------
    >>> segments = pd.DataFrame({"segment_id": [1], "text": ["反对形式主义和官僚主义"],
    ...                          "text_orig": ["反對形式主義和官僚主義"]})
    >>> hits = kwic(segments, re.compile("(形式|官僚)主义"), width=2)
    >>> hits[["term", "left", "match", "right"]].values.tolist()
    [['(形式|官僚)主义', '反对', '形式主义', '和官'], ['(形式|官僚)主义', '义和', '官僚主义', '']]
    >>> hits[["left_orig", "match_orig", "right_orig"]].values.tolist()
    [['反對', '形式主義', '和官'], ['義和', '官僚主義', '']]
    >>> kwic(segments, "群众").empty
    True
    """
    if width < 0:
        raise ValueError(f"width must be >= 0, got {width}")
    label, pattern = _compile(term)
    rows: list[int] = []
    cols: dict[str, list[str | None]] = {c: [] for c in
                                         ("left", "match", "right", *_ORIG_COLUMNS)}  # fmt: skip
    for pos, (text, orig) in enumerate(zip(segments[text_col], segments[orig_col], strict=True)):
        if not isinstance(text, str):
            continue
        align = None
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            rows.append(pos)
            cols["left"].append(text[max(0, start - width) : start])
            cols["match"].append(m.group())
            cols["right"].append(text[end : end + width])
            if not isinstance(orig, str):
                for c in _ORIG_COLUMNS:
                    cols[c].append(None)
                continue
            align = align or Alignment(orig, text)
            (s, e), (a, b) = align.span(start, end), align.context(start, end, width)
            cols["left_orig"].append(orig[a:s])
            cols["match_orig"].append(orig[s:e])
            cols["right_orig"].append(orig[e:b])
    picked = segments.iloc[rows]
    out = {"term": pd.Series([label] * len(rows), dtype="str")}
    out.update({c: pd.Series(cols[c], dtype="str") for c in ("left", "match", "right")})
    out["segment_id"] = picked[id_col].reset_index(drop=True)
    out["text_orig"] = picked[orig_col].reset_index(drop=True)
    out.update({c: pd.Series(cols[c], dtype="str") for c in _ORIG_COLUMNS})
    return pd.DataFrame(out)


def term_hits(segments: pd.DataFrame, terms: list[str], *, text_col: str = "text") -> pd.Series:
    """Non-overlapping occurrences of each term in the Simplified ``text_col``, as
    :func:`kwic` counts its hits (a term is converted to Simplified first).

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["干群关系紧张,干群矛盾突出", None]})
    >>> term_hits(seg, ["干群", "幹群關係", "走过场"]).tolist()
    [2, 1, 0]
    """
    texts = [t for t in segments[text_col] if isinstance(t, str)]
    # Sentences joined by a character no term holds, so a match never spans two of them.
    joined = "\n".join(texts)
    return pd.Series([joined.count(to_simplified(t)) if t else 0 for t in terms],
                     index=terms, dtype="int64")  # fmt: skip


def choose_term(
    segments: pd.DataFrame,
    preferred: str,
    candidates: list[str],
    *,
    min_chars: int = 2,
    text_col: str = "text",
) -> tuple[str | None, str]:
    """The term to show in context on this corpus, and a sentence saying how it was chosen.

    ``preferred`` when the corpus has it; otherwise the candidate (e.g. the codebook's
    literal terms, :meth:`workbench.coding.codebook.Codebook.terms`) of at least
    ``min_chars`` characters with the most hits (:func:`term_hits`), ties broken by the
    term's own order (sorted), so the choice is the same each run. Single characters are
    left out: 要 or 党 occur everywhere and show nothing in context.

    Returns
    -------
    tuple of (str or None, str)
        The term (``None`` when neither ``preferred`` nor any candidate occurs) and the
        sentence for the reader.

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["干部下基层走过场", "要走访群众,走访贫困户", "要"]})
    >>> choose_term(seg, "走过场", ["走访", "要"])
    ('走过场', '走过场: 1 hit(s) in this corpus.')
    >>> choose_term(seg, "走马观花", ["走访", "群众", "要"])[0]
    '走访'
    >>> choose_term(seg, "走马观花", ["要"])[0] is None
    True
    """
    preferred = to_simplified(preferred)
    n = int(term_hits(segments, [preferred], text_col=text_col).iloc[0])
    if n:
        return preferred, f"{preferred}: {n} hit(s) in this corpus."
    pool = sorted({to_simplified(t) for t in candidates if len(t) >= min_chars})
    hits = term_hits(segments, pool, text_col=text_col)
    hits = hits[hits > 0].sort_values(ascending=False, kind="stable")  # ties: sorted term
    if hits.empty:
        return None, (
            f"{preferred} does not occur in this corpus, nor does any codebook term "
            f"of {min_chars} or more characters: no keyword in context to show."
        )
    term, n = str(hits.index[0]), int(hits.iloc[0])
    return term, (f"{preferred} does not occur in this corpus; shown instead: {term}, the "
                  f"codebook term of {min_chars} or more characters with the most hits here "
                  f"({n} hit(s); ties go to the first in sorted order).")  # fmt: skip


# ------------------------------------------------------------------ command line


def add_parser(sub) -> None:
    """Register ``workbench kwic`` (:mod:`workbench.cli` declares it lazily)."""
    from workbench.cli_output import add_table_out

    p = sub.add_parser("kwic", help="keyword in context, in the original script")
    p.add_argument("--corpus", type=Path, metavar="SEG.parquet",
                   help="segments table of `workbench corpus build` (default: the bundled seeds)")
    p.add_argument("--term", required=True,
                   help="the term, in either script (幹群關係 finds 干群关系), e.g. 群众")
    p.add_argument("--regex", action="store_true",
                   help="--term is a regular expression over the Simplified text")
    p.add_argument("--window", type=int, default=15,
                   help="characters of context on each side (default 15)")
    p.add_argument("--keep-duplicates", action="store_true", help="do not drop duplicates")
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    add_table_out(p)


def run_kwic(args) -> int:
    """``workbench kwic``: the hits of a term with their context, in the original script.

    The printed lines and ``--json`` show the first ``--top`` hits (0: all); ``--out``
    writes them all, every column, with the provenance record (Parquet metadata or a
    ``.provenance.json`` sidecar), which ``--json`` prints too.
    """
    import sys

    from workbench import config
    from workbench.cli_output import (
        TABLE_SUFFIXES,
        check_suffix,
        head,
        print_json,
        records,
        write_table,
    )
    from workbench.groups import InputError, read_segments
    from workbench.provenance import make_record

    check_suffix(args.out, TABLE_SUFFIXES)
    if args.window < 0:
        raise InputError(f"--window must be 0 or more, not {args.window}")
    if not args.term.strip():  # " " (a quoted blank) found nothing, and said only that
        raise InputError("--term is empty; give the term to find, e.g. --term 群众")
    term: str | re.Pattern[str] = args.term
    if args.regex:
        try:
            term = re.compile(args.term)
        except re.error as err:
            raise InputError(f"--term {args.term!r} is not a regular expression: {err}") from None
        from workbench.coding.rules import traditional_chars

        # A literal term is converted to Simplified, a regex is not: its Traditional
        # characters would never match the Simplified text, and nothing said so.
        if found := traditional_chars(args.term):
            chars = ", ".join(f"{t} → {s}" for t, s in found)
            print(f"workbench: note: --regex {args.term!r} has Traditional characters ({chars}); "
                  "the text searched is Simplified, so they match nothing: write the regex in "
                  "Simplified (hits are still shown in the original script)", file=sys.stderr)
    data = read_segments(args.corpus, dedup=not args.keep_duplicates)
    missing = {"segment_id", "text", "text_orig"} - set(data.segments.columns)
    if missing:
        raise InputError(f"{args.corpus}: no {', '.join(sorted(missing))} column; give the "
                         ".parquet that `workbench corpus build` writes")  # fmt: skip
    table = kwic(data.segments, term, width=args.window)
    params = {
        "corpus": config.display_path(args.corpus) if args.corpus else "bundled seeds",
        "dedup": not args.keep_duplicates, "term": args.term, "regex": bool(args.regex),
        "window": args.window,
    }  # fmt: skip
    record = make_record(data.inputs, params)
    if args.out is not None:
        write_table(table, args.out, record)
    shown = head(table, args.top)
    if args.json:
        print_json({"command": "kwic", "provenance": record, "rows": len(table),
                     "results": records(shown)})  # fmt: skip
        return 0
    if table.empty:
        print(f"workbench: note: {nowhere_note(data.segments, term)}", file=sys.stderr)
        return 0
    lines = [(r.left_orig, r.match_orig, r.right_orig, r.segment_id)
             if isinstance(r.match_orig, str) else (r.left, r.match, r.right, r.segment_id)
             for r in shown.itertuples(index=False)]  # fmt: skip
    pad = max(_display_width(left) for left, *_ in lines)
    for left, match, right, segment_id in lines:  # left contexts right-aligned on screen
        print(f"{' ' * (pad - _display_width(left))}{left}【{match}】{right}\t{segment_id}")
    if len(shown) < len(table):
        print(f"({len(shown)} of {len(table)} hits; --top 0 prints all)", file=sys.stderr)
    return 0


def nowhere_note(segments: pd.DataFrame, term: str | re.Pattern[str]) -> str:
    """Why ``term`` has no hit, for a search that found none: it occurs nowhere, or only
    in another case (Interviewer for interviewer), or the regex matches only empty
    stretches (``x*``), which are skipped.

    Examples
    --------
    >>> seg = pd.DataFrame({"text": ["Interviewer: 你觉得村干部怎么样？"]})
    >>> print(nowhere_note(seg, "interviewer").replace(": ", ":\\n"))
    'interviewer' occurs nowhere as written, but 1 time(s) in another case ('Interviewer'):
    a term matches case by case
    >>> print(nowhere_note(seg, re.compile("x*")).replace(": ", ":\\n"))
    --regex 'x*' matches only empty stretches here (every hit is skipped):
    '*' and '?' also match nothing, so write + where one or more is meant, e.g. x+
    >>> nowhere_note(seg, "群众")
    "'群众' occurs nowhere in the corpus"
    """
    label, pattern = _compile(term)
    texts = [t for t in segments["text"] if isinstance(t, str)]
    # A pattern that may match nothing (x*) found only empty stretches, which are skipped.
    if isinstance(term, re.Pattern) and pattern.search("") is not None and not any(
            m.end() > m.start() for t in texts for m in pattern.finditer(t)):  # fmt: skip
        return (f"--regex {label!r} matches only empty stretches here (every hit is "
                "skipped): '*' and '?' also match nothing, so write + where one or more "
                f"is meant, e.g. {label.replace('*', '+')}")  # fmt: skip
    folded = re.compile(pattern.pattern, pattern.flags | re.IGNORECASE)
    other = [m.group() for t in texts for m in folded.finditer(t) if m.end() > m.start()]
    if other:
        return (f"{label!r} occurs nowhere as written, but {len(other)} time(s) in another "
                f"case ({other[0]!r}): a term matches case by case")  # fmt: skip
    return f"{label!r} occurs nowhere in the corpus"


def _display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters count two.

    Examples
    --------
    >>> _display_width("干群,ab")
    7
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
