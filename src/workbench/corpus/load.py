"""Load a corpus into two tidy tables: ``documents`` and ``segments``.

The pipeline per input file is: read bytes → detect the encoding and decode
(:mod:`workbench.corpus.readers`) → join the broken lines of a hard-wrapped plain-text file
(:mod:`workbench.corpus.wrapping`) → strip web boilerplate (:mod:`workbench.corpus.boilerplate`)
→ split multi-article files (:mod:`workbench.corpus.articles`) → find headings and
section roles (:mod:`workbench.corpus.structure`) → split sentences and normalise the
script to Simplified (:mod:`workbench.corpus.script`). Duplicates are then marked across
the whole corpus (:mod:`workbench.corpus.dedup`), never deleted.

Ids are stable and readable, so any later result can be traced to a quote:
``doc_id`` is ``<file stem>/a<article>`` (whitespace in the stem made ``_``:
:func:`id_stem`), a paragraph is ``<doc_id>/p<NNN>`` and a ``segment_id`` is
``<doc_id>/p<NNN>/s<NN>``.

Examples
--------
>>> from workbench.corpus import load_corpus
>>> c = load_corpus()                      # the bundled seeds
>>> c.documents[["file", "article"]].groupby("file").size().tolist()
[1, 1, 5, 1, 6]
>>> c.segments.loc[0, "segment_id"]
'000_688e36ac7d55ccc2/a1/p001/s01'
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, repeat
from operator import add, gt, itemgetter, lt, mul
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench import config
from workbench.corpus import collector
from workbench.corpus.articles import (
    ArticleText,
    Lines,
    split_articles,
    title_label,
    title_segment_rules,
)
from workbench.corpus.boilerplate import describe_loss, strip_boilerplate
from workbench.corpus.dates import DateMatch, article_dates
from workbench.corpus.dedup import DUP_THRESHOLD
from workbench.corpus.metadata import join_metadata
from workbench.corpus.readers import (
    FileRef,
    ReadError,
    SourceFile,
    describe_repairs,
    discover,
    load_refs,
    read_text,
)
from workbench.corpus.script import detect_script, to_simplified_fresh
from workbench.corpus.structure import ROLES as ROLES  # segments.role's values, owned there
from workbench.corpus.structure import Paragraph, on_source_lines, parse_structure, split_sentences
from workbench.corpus.summary import summarise
from workbench.corpus.wrapping import Joined, Unwrapped, physical_line, unwrap

Piece = tuple[int, str, bool]  # a segment of a paragraph: (line_no, text, is_heading)

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = [
    "doc_id", "file", "path", "article", "title", "author", "date", "date_source", "script",
    "encoding", "n_chars", "n_paragraphs", "n_segments", "dup_of", "dup_similarity",
]  # fmt: skip
SEGMENT_COLUMNS = [
    "segment_id", "doc_id", "file", "article", "section", "section_title",
    "section_title_orig", "role", "paragraph", "paragraph_id", "is_heading", "heading_level",
    "line_no", "sentence",
    "text", "text_orig", "dup_of", "dup_kind",
]  # fmt: skip
FILE_COLUMNS = [
    "file", "path", "sha256", "encoding", "script", "n_articles", "boilerplate_removed",
    "boilerplate_share", "status", "error", "repaired", "wrap_width", "lines_joined",
]  # fmt: skip

#: The suffixes of files that may be hard-wrapped plain text (:mod:`workbench.corpus.wrapping`):
#: an HTML page's or a Word file's lines are its blocks.
UNWRAPPED_SUFFIXES = (".txt", ".md")

#: Below this many files no progress bar is shown: small corpora load in a blink,
#: and a bar in a notebook's stored output would break strict nbval comparisons.
PROGRESS_MIN_FILES = 20


def duplicate_mask(segments: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """True for each segment in a duplicate paragraph or a duplicate article."""
    dup_docs = documents.loc[documents["dup_of"].notna(), "doc_id"]
    return segments["dup_of"].notna() | segments["doc_id"].isin(set(dup_docs))


@dataclass
class Corpus:
    """A loaded corpus: tidy tables plus everything the cleaning steps removed.

    Attributes
    ----------
    documents : DataFrame
        One row per article (columns :data:`DOCUMENT_COLUMNS` plus user metadata).
    segments : DataFrame
        One row per sentence (columns :data:`SEGMENT_COLUMNS`). ``text`` and
        ``section_title`` are Simplified (what matching and counting read),
        ``text_orig`` and ``section_title_orig`` in the source's script (what quotes use).
    files : DataFrame
        One row per input file, including files skipped with ``skip_bad``;
        ``repaired`` lists the lines decoded outside the file's main encoding or
        marked as undecodable, with their line numbers (``""`` for a clean file);
        ``wrap_width`` is the width at which a hard-wrapped plain-text file broke its
        lines (``"63 columns"``, an ideograph 2 columns; ``"35 chars"``; ``""`` for a file
        that is not hard-wrapped) and ``lines_joined`` the number of its lines joined to
        the line before (:mod:`workbench.corpus.wrapping`);
        ``boilerplate_share`` is the share of the file's ideographs removed as
        boilerplate (a warning names the rules when it is above the limit of
        ``boilerplate.yaml``, see :func:`workbench.corpus.boilerplate.describe_loss`).
        The share is the cleaning rules' alone: an HTML page's chrome and a Word file's
        notes and comments, left out by the reader, are counted in ``boilerplate_removed``
        and listed in ``removed`` (rules ``html_*``, ``docx_*``) but not in the share,
        since a news or archive page routinely carries more related-article lists than
        article (one real page: 63 %), a scholarly Word file may carry more notes than
        text, and the warning is there to catch rules that remove a body.
    removed : DataFrame
        Every line or span removed as boilerplate, and every line read as a file
        title, an article marker or a byline (rules ``file_title``,
        ``article_marker``, ``byline``): ``file, line_no, rule, text``, in line order.
        What the reader left out of the text comes first (see
        :class:`workbench.corpus.readers.Dropped`): an HTML page's chrome (rules
        ``html_nav``, ``html_footer``, ``html_banner``, ``html_form``,
        ``html_boilerplate``), numbered by line of the page source, and a Word file's
        notes, comments, deletions and page furniture (rules ``docx_footnote``,
        ``docx_endnote``, ``docx_comment``, ``docx_deleted`` at the line they are
        anchored to, ``docx_header``, ``docx_footer`` at line 0, ``docx_altchunk`` where
        the chunk stands), numbered by line of the text. A hard-wrapped file's page
        numbers are rule ``page_number`` (:mod:`workbench.corpus.wrapping`).
    duplicates : DataFrame
        Every duplicate found: ``level`` (article/paragraph), ``id``, ``of``,
        ``kind`` (exact/near), ``similarity``.
    parameters : dict
        The parameters used, recorded in every derived file's provenance.
    """

    documents: pd.DataFrame
    segments: pd.DataFrame
    files: pd.DataFrame
    removed: pd.DataFrame
    duplicates: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        """What a notebook shows for the corpus: its size in counts, not five tables.

        The dataclass's default printed every table (pages of truncated frames in one
        cell's output); the tables are a tab away (``corpus.documents`` …).

        Examples
        --------
        >>> empty = pd.DataFrame({"status": [], "dup_of": [], "doc_id": []})
        >>> Corpus(empty, empty, empty, empty, empty)  # doctest: +NORMALIZE_WHITESPACE
        Corpus: 0 files (0 skipped),
        0 articles (0 duplicate), 0 segments (0 duplicate), 0 lines removed
        """
        files, docs, segs = self.files, self.documents, self.segments
        skipped = int((files["status"] != "ok").sum())
        dup_docs = int(docs["dup_of"].notna().sum())
        dup_segs = int(self.duplicate_mask().sum())
        return (
            f"Corpus: {len(files)} files ({skipped} skipped), {len(docs)} articles "
            f"({dup_docs} duplicate), {len(segs)} segments ({dup_segs} duplicate), "
            f"{len(self.removed)} lines removed"
        )

    def duplicate_mask(self) -> pd.Series:
        """True for each segment that repeats earlier text.

        A segment is a duplicate when it lies in a duplicate paragraph or in a
        duplicate article; the first occurrence in corpus order is not.
        """
        return duplicate_mask(self.segments, self.documents)

    def analysis_segments(self, dedup: bool = True) -> pd.DataFrame:
        """Segments for analysis: by default without duplicates (:meth:`duplicate_mask`)."""
        if not dedup:
            return self.segments
        return self.segments.loc[~self.duplicate_mask()].reset_index(drop=True)

    def checksums(self) -> dict[str, str]:
        """Checksums of the files that were loaded, keyed by display path (for provenance)."""
        ok = self.files[self.files["status"] == "ok"]
        return dict(zip(ok["path"], ok["sha256"], strict=True))

    def summary(self) -> list[dict[str, Any]]:
        """Per-file summary, the JSON printed by ``workbench corpus info``."""
        return summarise(self)


@dataclass
class _FileResult:
    """What one input file contributes; built per file so files can run in parallel."""

    info: dict[str, Any]
    documents: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, list[Any]]] = field(default_factory=list)  # columns per article
    removed: list[dict[str, Any]] = field(default_factory=list)


def _sentences(para: Paragraph) -> list[tuple[str, bool]]:
    """A paragraph's sentences, flagged when they are the heading itself.

    Body text run into a heading line becomes sentences of its own, so a heading
    sentence holds the heading only.
    """
    if not para.is_heading:
        return [(s, False) for s in split_sentences(para.text)]
    head, rest = para.text[: para.heading_end].strip(), para.text[para.heading_end :]
    return [(head, True)] + [(s, False) for s in split_sentences(rest)]


def _on_its_line(para: Paragraph, texts: list[str], heads: list[bool]) -> int:
    """Add the segments of a paragraph of one source line (:func:`_sentences`, all on
    its line) to the columns ``texts`` and ``heads``; return how many there are."""
    if not para.is_heading:
        sentences = split_sentences(para.text)
        texts += sentences
        heads += [False] * len(sentences)
        return len(sentences)
    texts.append(para.text[: para.heading_end].strip())
    heads.append(True)
    if para.heading_end >= len(para.text):  # the whole line is the heading (most are)
        return 1
    rest = split_sentences(para.text[para.heading_end :])
    texts += rest
    heads += [False] * len(rest)
    return 1 + len(rest)


def _segments_of(paragraphs: list[Paragraph], lines: Lines) -> list[list[Piece]]:
    """Per paragraph its segments: its sentences (:func:`_sentences`), a sentence that
    crosses a line break of the source cut into one segment per line
    (:func:`workbench.corpus.structure.on_source_lines`).

    Only a line the parser joined to the next (a broken line,
    :func:`workbench.corpus.structure.join_broken_lines`) makes paragraphs that cross a
    line break; every other paragraph is a stripped part of its own line, and so is each
    of its sentences, which is then one segment on that line. Only the joined lines go
    through ``on_source_lines``, which placed every sentence of an article by searching
    for it (a fifth of building the segments). Each sentence is found where it lies in
    either case (the text between two sentences is whitespace), so the segments are the
    same.

    Examples
    --------
    >>> from workbench.corpus.structure import parse_structure
    >>> lines = [(3, "干部要走访困难家庭，"), (4, "倾听群众意见。要定期。"), (6, "二、改进作风")]
    >>> for segments in _segments_of(parse_structure(lines), lines):
    ...     print(segments)
    [(3, '干部要走访困难家庭，', False), (4, '倾听群众意见。', False), (4, '要定期。', False)]
    [(6, '二、改进作风', True)]
    """
    line_nos, texts, heads, sizes = _segment_columns(paragraphs, lines)
    pieces = list(zip(line_nos, texts, heads, strict=True))
    ends = list(accumulate(sizes))
    return [pieces[end - size : end] for end, size in zip(ends, sizes, strict=True)]


def _joined_lines(paragraphs: list[Paragraph], lines: Lines) -> dict[int, Lines] | None:
    """The source lines of each paragraph line that is several lines joined, by the
    line number paragraphs carry (its first line's); ``None`` unless every paragraph's
    line is one of ``lines`` and line numbers increase (as the parser leaves them)."""
    numbers = [para.line_no for para in paragraphs]
    if any(map(gt, numbers, numbers[1:])):
        return None
    starts = set(numbers)
    line_numbers = [line_no for line_no, _ in lines]
    if len(starts) == len(line_numbers) and starts.issuperset(line_numbers):
        # Every line starts a paragraph: none is joined, if the lines are in order.
        return {} if all(map(lt, line_numbers, line_numbers[1:])) else None
    groups: dict[int, Lines] = {}
    current: Lines | None = None
    previous = None
    for line_no, text in lines:
        if previous is not None and line_no <= previous:
            return None
        previous = line_no
        if line_no in starts:
            current = groups[line_no] = [(line_no, text)]
        elif current is None:
            return None  # a line before the first paragraph's: leave it to the search
        else:
            current.append((line_no, text))  # a line joined to the one before
    if not starts.issubset(groups):
        return None
    return {line_no: group for line_no, group in groups.items() if len(group) > 1}


def _placed(
    paragraphs: list[Paragraph], sentences: list[list[tuple[str, bool]]], lines: Lines
) -> list[list[Piece]]:
    """Segments of paragraphs of ``lines`` placed by :func:`on_source_lines` (a sentence
    not found stays whole, on its paragraph's line)."""
    flat = [sent for sents in sentences for sent in sents]
    placed = iter(on_source_lines([s for s, _ in flat], lines, [h for _, h in flat]))
    return [
        [
            (para.line_no if n is None else n, piece, is_head)
            for _, is_head in sents
            for n, piece in next(placed)
        ]
        for para, sents in zip(paragraphs, sentences, strict=True)
    ]


def _segment_columns(
    paragraphs: list[Paragraph], lines: Lines
) -> tuple[list[int], list[str], list[bool], list[int]]:
    """The segments of :func:`_segments_of` as columns: line numbers, texts and heading
    flags, and the number of segments of each paragraph.

    Each paragraph of one line has its segments built straight into the columns
    (:func:`_on_its_line`), without a tuple per segment; only the paragraphs of a
    joined line are placed by search (:func:`_placed`).

    Examples
    --------
    >>> from workbench.corpus.structure import parse_structure
    >>> lines = [(3, "干部要走访困难家庭，"), (4, "倾听群众意见。要定期。"), (6, "二、改进作风")]
    >>> _segment_columns(parse_structure(lines), lines)[3]
    [3, 1]
    >>> lines = [(3, "二、改进作风"), (5, "要走访。要倾听。")]
    >>> _segment_columns(parse_structure(lines), lines)
    ([3, 5, 5], ['二、改进作风', '要走访。', '要倾听。'], [True, False, False], [1, 2])
    """
    joined = _joined_lines(paragraphs, lines)
    if joined is None:  # not the parser's usual output: place every sentence by search
        placed = _placed(paragraphs, [_sentences(para) for para in paragraphs], lines)
        return (*_transposed(chain.from_iterable(placed)), list(map(len, placed)))
    line_nos: list[int] = []
    texts: list[str] = []
    heads: list[bool] = []
    sizes: list[int] = []
    start = 0
    while start < len(paragraphs):
        line_no = paragraphs[start].line_no
        group = joined.get(line_no) if joined else None
        if group is None:  # a paragraph of one line: its sentences lie on it
            size = _on_its_line(paragraphs[start], texts, heads)
            line_nos += [line_no] * size
            sizes.append(size)
            start += 1
            continue
        stop = start + 1  # all paragraphs of the joined line (a heading splits a line)
        while stop < len(paragraphs) and paragraphs[stop].line_no == line_no:
            stop += 1
        group_paragraphs = paragraphs[start:stop]
        sentences = [_sentences(para) for para in group_paragraphs]
        for pieces in _placed(group_paragraphs, sentences, group):
            line_nos += map(_FIRST, pieces)
            texts += map(_SECOND, pieces)
            heads += map(_THIRD, pieces)
            sizes.append(len(pieces))
        start = stop
    return line_nos, texts, heads, sizes


def _transposed(pieces: Iterable[Piece]) -> tuple[list[int], list[str], list[bool]]:
    """The line numbers, texts and heading flags of ``pieces`` as three lists.

    Examples
    --------
    >>> _transposed([(3, "甲。", False), (4, "乙", True)]), _transposed([])
    (([3, 4], ['甲。', '乙'], [False, True]), ([], [], []))
    """
    # One pass per column in C. ``zip(*pieces)`` made an iterator per piece, objects the
    # garbage collector counts: its collections, run at those moments, took longer than
    # the transposing.
    pieces = list(pieces)
    return list(map(_FIRST, pieces)), list(map(_SECOND, pieces)), list(map(_THIRD, pieces))


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def _spreader(owner: list[int]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function from per-paragraph values to per-segment ones, ``owner`` holding each
    segment's paragraph index: one ``itemgetter`` call per column.

    Examples
    --------
    >>> spread = _spreader([0, 0, 1, 2, 2])
    >>> spread(["a", "b", "c"]), _spreader([1])(["a", "b"]), _spreader([])(["a"])
    (['a', 'a', 'b', 'c', 'c'], ['b'], [])
    """
    if len(owner) < 2:  # itemgetter needs an index, and of one it returns no tuple
        return lambda values: [values[i] for i in owner]
    getter = itemgetter(*owner)
    return lambda values: list(getter(values))


#: Numbered id parts built so far, by (prefix, width): see :func:`_numbered`.
_NUMBERED: dict[tuple[str, int], list[str]] = {}


def _numbered(prefix: str, width: int, n: int) -> list[str]:
    """``[f"{prefix}{k:0{width}d}" for k in range(n + 1)]``, the parts of ids such as
    ``/p001`` and ``/s01``, formatted once per process rather than once per segment.

    Examples
    --------
    >>> _numbered("/s", 2, 3), _numbered("/p", 3, 1)
    (['/s00', '/s01', '/s02', '/s03'], ['/p000', '/p001'])
    >>> _numbered("/s", 2, 100)[100]
    '/s100'
    """
    have = _NUMBERED.get((prefix, width), [])
    if len(have) <= n:  # a new list, assigned at once: safe with threads reading the old one
        have = [f"{prefix}{k:0{width}d}" for k in range(max(n + 1, 2 * len(have), 128))]
        _NUMBERED[(prefix, width)] = have
    return have[: n + 1]


def _on_physical_lines(
    line_nos: list[int], texts: list[str], lines: Lines, starts: dict[int, Joined]
) -> list[int]:
    """``line_nos`` with each segment of a joined line of a hard-wrapped file placed on the
    physical line it starts on (:attr:`workbench.corpus.wrapping.Unwrapped.starts`).

    A joined line whose text boilerplate removal or an article marker changed keeps its
    segments on its first line (the offsets no longer fit), as does a segment not found.

    Examples
    --------
    >>> from workbench.corpus.wrapping import Joined
    >>> starts = {3: Joined("甲乙。丙丁。", [0, 3], [3, 4])}
    >>> _on_physical_lines([3, 3, 6], ["甲乙。", "丙丁。", "戊。"], [(3, "甲乙。丙丁。")], starts)
    [3, 4, 6]
    """
    texts_of = {n: t for n, t in lines if n in starts and starts[n].text == t}
    if not texts_of:
        return line_nos
    cursors = dict.fromkeys(texts_of, 0)
    out = list(line_nos)
    for k, (line_no, piece) in enumerate(zip(line_nos, texts, strict=True)):
        text = texts_of.get(line_no)
        if text is None:
            continue
        pos = text.find(piece, cursors[line_no])
        if pos >= 0:
            cursors[line_no] = pos + len(piece)
            out[k] = physical_line(starts[line_no], pos)
    return out


def _article_columns(
    src: SourceFile, art: ArticleText, encoding: str, path: str | None = None,
    dated: DateMatch | None = None, starts: dict[int, Joined] | None = None,
) -> tuple[dict, dict[str, list[Any]]]:  # fmt: skip
    """The document row and the segment columns (``SEGMENT_COLUMNS[:-2]``) of one article.

    Built column by column: most columns repeat a value per article or per paragraph,
    so they are lists multiplied out instead of one dict per segment (which took about
    a fifth of loading a file of short articles).

    ``path`` is ``config.display_path(src.path)``, computed once per file by the
    caller (it resolves the path on disk); computed here when not given. ``dated`` is
    the article's dateline (:func:`workbench.corpus.dates.article_dates`, which needs the whole
    file): ``date`` and ``date_source`` are ``""`` without one, as ``title`` and ``author``
    are (a string column in every Parquet part). ``starts`` are the joined lines of a
    hard-wrapped file (:attr:`workbench.corpus.wrapping.Unwrapped.starts`): a segment of
    one is numbered by the physical line it starts on.
    """
    stem, name, index = id_stem(src.name), src.name, art.index
    doc_id = f"{stem}/a{index}"
    paragraphs = parse_structure(art.lines, dict(art.markdown))
    line_nos, texts, heads, sizes = _segment_columns(paragraphs, art.lines)
    if starts:
        line_nos = _on_physical_lines(line_nos, texts, art.lines, starts)
    # The title, where a line of the body gave it, is a heading segment of its own
    # (paragraph 0, so the ids of the body's segments do not depend on it).
    title = [(art.title_line, art.title)] if art.title and art.title_line else []
    t_rows = len(title)  # 0 or 1: the title row comes first
    # The body's segments come as columns; each paragraph's values are repeated per
    # segment of it in C (a comprehension per column and segment took a sixth of
    # building them).
    texts_orig = [t for _, t in title] + texts
    n_texts = len(texts_orig)
    # One OpenCC call per article instead of one per sentence (same result); section
    # titles too, so that they are Simplified like the text (the original is kept).
    # Sentences are new texts, not looked up; each title once (it repeats per paragraph).
    simplified = to_simplified_fresh(texts_orig)
    titles = [para.section_title for para in paragraphs]
    distinct = list(dict.fromkeys(titles))
    simple_title = dict(zip(distinct, to_simplified_fresh(distinct), strict=True))
    section_titles = list(map(simple_title.__getitem__, titles))

    spread = _spreader(list(chain.from_iterable(map(repeat, range(len(sizes)), sizes))))

    def per_paragraph(head: Any, values: Sequence[Any]) -> list[Any]:
        # Each paragraph's value once per segment of it (picked in C, not per item).
        return [head] * t_rows + spread(values)

    p_ids = list(map(add, repeat(doc_id), _numbered("/p", 3, len(sizes))[1:]))
    paragraph_ids = per_paragraph(f"{doc_id}/p000", p_ids)
    sentence = list(chain.from_iterable(map(range, repeat(1), [n + 1 for n in sizes])))
    s_ids = _numbered("/s", 2, max(sizes, default=0))
    columns: dict[str, list[Any]] = {
        "segment_id": [f"{doc_id}/p000/s01"] * t_rows
        + list(map(add, paragraph_ids[t_rows:], map(s_ids.__getitem__, sentence))),
        "doc_id": [doc_id] * n_texts,
        "file": [name] * n_texts,
        "article": [index] * n_texts,
        "section": per_paragraph("", [para.section for para in paragraphs]),
        "section_title": per_paragraph("", section_titles),
        "section_title_orig": per_paragraph("", [para.section_title for para in paragraphs]),
        "role": per_paragraph("other", [para.role for para in paragraphs]),
        "paragraph": per_paragraph(0, range(1, len(sizes) + 1)),
        "paragraph_id": paragraph_ids,
        "is_heading": [True] * t_rows + heads,
        # A heading segment has its paragraph's level (bool times int is an int), others 0.
        "heading_level": [0] * t_rows
        + list(map(mul, heads, per_paragraph(0, [para.level for para in paragraphs])[t_rows:])),
        "line_no": [n for n, _ in title] + line_nos,
        "sentence": [1] * t_rows + sentence,
        "text": simplified,
        "text_orig": texts_orig,
    }
    lines = [text for _, text in art.lines]
    body = "\n".join(lines)
    doc = {
        "doc_id": doc_id, "file": src.name,
        "path": config.display_path(src.path) if path is None else path,
        "article": art.index,
        "title": art.title, "author": art.author,
        "date": dated.date if dated else "", "date_source": dated.source if dated else "",
        "script": detect_script(body),
        "encoding": encoding, "n_chars": len(body) - len(lines) + 1 if lines else 0,
        "n_paragraphs": len(paragraphs), "n_segments": n_texts,
    }  # fmt: skip
    return doc, columns


#: A folder whose files' display paths are resolved one by one (see display_path_in).
_EACH = "\0"


def display_path_in(path: str, folders: dict[str, str | None]) -> str:
    """:func:`workbench.config.display_path` of a file's ``path``, its folder resolved
    once per run of files (``folders`` remembers how each folder's files are shown).

    ``Path.resolve`` costs a system call per component of the path, and building and
    comparing paths costs more than that: together a twentieth of loading a corpus of
    small files, where every file of a folder repeats its folder's work. Resolving a
    path follows the folder's links and then the file's name, which only changes the
    result when the name is itself a link. So a file in a normalised absolute path
    whose name is no link is shown as its folder's display path and its name (inside
    the project), or as given (outside it); anything else (a linked name, a relative
    or unnormalised path, a zip member's archive path) is left to ``display_path``.

    Examples
    --------
    >>> path = str(config.SEEDS_DIR / "a.txt")
    >>> display_path_in(path, {}) == config.display_path(path) == "data/raw/seeds/a.txt"
    True
    """
    head, sep, _ = os.fspath(path).partition("!")
    if sep or not os.path.isabs(head) or os.path.normpath(head) != head:
        return config.display_path(path)
    folder, name = os.path.split(head)
    if not name or os.path.islink(head):
        return config.display_path(path)
    if folder not in folders:
        folders[folder] = _shown_folder(folder)
    shown = folders[folder]
    if shown is None:
        return head  # outside the project: shown as given
    if shown == _EACH:
        return config.display_path(path)
    return shown + name


def _shown_folder(folder: str) -> str | None:
    """How the files of ``folder`` are shown: the prefix of their display paths (inside
    the project), ``None`` (outside it: as given) or :data:`_EACH` when a file's path
    could be the project itself (its folder resolves to the project's parent)."""
    real = Path(os.path.realpath(folder))
    if real.is_relative_to(config.ROOT):
        relative = real.relative_to(config.ROOT).as_posix()
        return "" if relative == "." else relative + "/"
    return _EACH if real == config.ROOT.parent else None


def load_file(src: SourceFile, *, folders: dict[str, str | None] | None = None) -> _FileResult:
    """Run the per-file pipeline on one source file.

    ``folders`` remembers resolved folders across the files of a run
    (:func:`display_path_in`); without it the file's path is resolved on its own.

    Raises
    ------
    ReadError
        When the file cannot be decoded or parsed; the message names the file.
    """
    decoded = read_text(src)
    encoding = decoded.encoding
    # A hard-wrapped file's broken lines are joined first; line numbers stay those of the
    # file (the lines joined to another are left empty).
    wrapped = unwrap(decoded.text) if src.suffix in UNWRAPPED_SUFFIXES else Unwrapped(decoded.text)
    text = wrapped.text
    clean = strip_boilerplate(text)
    articles = split_articles(clean)
    path = config.display_path(src.path) if folders is None else display_path_in(src.path, folders)
    repaired = describe_repairs(decoded.repairs)
    if repaired:
        # Repaired text is kept, so the run goes on; the warning makes sure a user
        # sees which lines to check against the original.
        log.warning("%s: %s", src.path, repaired)
    lost = describe_loss(clean)
    if lost:
        # Likewise: the text is kept as cleaned, but rules that removed most of a file
        # have probably removed its body.
        log.warning("%s: %s", src.path, lost)
    result = _FileResult(info={
        "file": src.name, "path": path, "sha256": src.sha256,
        "encoding": encoding,
        "script": detect_script(text), "n_articles": len(articles),
        "boilerplate_removed": len(clean.removed) + len(decoded.dropped) + len(wrapped.removed),
        "boilerplate_share": round(clean.removed_share, 4), "status": "ok", "error": "",
        "repaired": repaired, "wrap_width": wrapped.describe(), "lines_joined": wrapped.joined,
    })  # fmt: skip
    # Lines read as a file title, an article marker or a byline are listed beside the
    # boilerplate (rules file_title, article_marker, byline): every line is accounted for.
    consumed = [(n, what, t) for art in articles for n, t, what in art.consumed]
    # An HTML page's chrome, left out by the reader (rules html_*), comes first: its
    # line_no counts lines of the page source, the other rows' lines of the decoded text.
    # A journal record's labelled title that is a heading segment (its line the article's
    # title_line) leaves only its label removed: each character is listed once.
    titled = {art.title_line: art.title for art in articles if art.title_line}
    labelled = title_segment_rules() if titled else frozenset()
    result.removed = [
        {"file": src.name, "line_no": d.line_no, "rule": d.rule, "text": d.text}
        for d in decoded.dropped
    ] + sorted(
        [{"file": src.name, "line_no": r.line_no, "rule": r.rule,
          "text": title_label(r.text, titled[r.line_no])
          if r.rule in labelled and r.line_no in titled else r.text}
         for r in chain(clean.removed, wrapped.removed)]
        + [{"file": src.name, "line_no": n, "rule": what, "text": t} for n, what, t in consumed],
        key=lambda row: row["line_no"],
    )  # fmt: skip
    # Datelines are read from the file as decoded, before boilerplate removal: the 人民网
    # dateline is page chrome to the cleaner but it is where the date is.
    for art, dated in zip(articles, article_dates(text, articles), strict=True):
        doc, columns = _article_columns(src, art, encoding, path, dated, wrapped.starts)
        result.documents.append(doc)
        result.segments.append(columns)
    return result


def progress_enabled(progress: bool | None, n_files: int) -> bool:
    """Whether to show a progress bar over ``n_files`` files.

    ``progress`` decides when given; by default a bar is shown only on an interactive
    terminal or in Jupyter, for at least :data:`PROGRESS_MIN_FILES` files, and never
    under CI or with ``WORKBENCH_PROGRESS=0``.

    Examples
    --------
    >>> progress_enabled(True, 1), progress_enabled(False, 10_000)
    (True, False)
    """
    if progress is not None:
        return progress
    if os.environ.get("CI") or os.environ.get("WORKBENCH_PROGRESS") == "0":
        return False
    return (sys.stderr.isatty() or _in_jupyter()) and n_files >= PROGRESS_MIN_FILES


def _in_jupyter() -> bool:
    if "IPython" not in sys.modules:  # never import IPython just to ask
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def unreadable_result(err: ReadError) -> _FileResult:
    """The ``files`` row of a file or archive that could not even be read, skipped with
    ``skip_bad`` (status ``skipped``; logged once, as a warning naming the file).

    Used for the errors of discovery (:attr:`Sources.unreadable`) and of reading
    lazily discovered files later (:func:`workbench.corpus.readers.load_refs`).
    """
    # The one place a skip is reported (the message names the file); the CLI only
    # counts skips. No "pass --skip-bad" advice: it was passed.
    message = err.skipped_message()
    log.warning("skipped %s", message)
    name = PurePosixPath(err.path.split("!")[0]).name
    return _FileResult(info={
        "file": name, "path": config.display_path(err.path), "sha256": "", "encoding": "",
        "script": "", "n_articles": 0, "boilerplate_removed": 0,
        "boilerplate_share": 0.0, "status": "skipped",
        "error": message, "repaired": "", "wrap_width": "", "lines_joined": 0,
    })  # fmt: skip


def _skipped(src: SourceFile, err: ReadError) -> _FileResult:
    # As in unreadable_result: reported once, without the advice to pass --skip-bad.
    message = err.skipped_message()
    log.warning("skipped %s", message)
    return _FileResult(info={
        "file": src.name, "path": config.display_path(src.path), "sha256": src.sha256,
        "encoding": "",
        "script": "", "n_articles": 0, "boilerplate_removed": 0,
        "boilerplate_share": 0.0, "status": "skipped",
        "error": message, "repaired": "", "wrap_width": "", "lines_joined": 0,
    })  # fmt: skip


class NameClashError(ValueError):
    """Two input files share a name without suffix: a user's mistake (rename one)."""


_WHITESPACE = re.compile(r"\s+")


def id_stem(name: str) -> str:
    """The part of every id made from a file's name: the name without its suffix, each
    run of whitespace (and the ``/`` of a name that carries its folders) made one ``_``.

    Ids carry no whitespace because lists of them are written joined by spaces (a coded
    unit's ``segment_ids``); a file saved as "网页 评论.html" would otherwise give ids
    that split in two. ``documents.file`` keeps the real name. A name carries its
    folders only when files in two folders share a name (:func:`_unique_names`).

    Examples
    --------
    >>> id_stem("网页 评论.html"), id_stem("调研报告\u3000 2015.txt"), id_stem("a.b.txt")
    ('网页_评论', '调研报告_2015', 'a.b')
    >>> id_stem("2015/1.txt")
    '2015_1'
    """
    if "/" not in name:  # most names: PurePosixPath(name).stem, without building a path
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else ("" if name == "." else name)
        return _WHITESPACE.sub("_", stem)
    path = PurePosixPath(name)
    return _WHITESPACE.sub("_", "_".join((*path.parent.parts, path.stem)))


def _unique_names(sources: Sequence[FileRef]) -> list[FileRef]:
    """``sources``, each file whose name another file shares named by its folders too.

    Archives sorted into folders by year or place often reuse names (``2015/1.txt``,
    ``2016/1.txt``); such files are named by their path below the folder the files that
    share the name have in common, so that ids stay unique (``2015_1/a1``) and
    ``documents.file`` says which is which. Files with a name of their own keep it, so a
    corpus without shared names loads exactly as before.

    Raises
    ------
    NameClashError
        When names stay the same even so: one folder holding ``报告.txt`` and ``报告.docx``,
        or ``a b.txt`` and ``a_b.md`` (:func:`id_stem` makes both ``a_b``).
    """
    by_stem: dict[str, list[int]] = {}
    for i, src in enumerate(sources):
        by_stem.setdefault(id_stem(src.name), []).append(i)
    if len(by_stem) == len(sources):  # every stem is a file's own: none to rename or check
        return list(sources)
    named = list(sources)
    for positions in by_stem.values():
        if len(positions) < 2:
            continue
        # A zip member's display path is "archive.zip!folder/name": its folders count too.
        paths = [PurePosixPath(sources[i].path.replace("!", "/")) for i in positions]
        common = PurePosixPath(os.path.commonpath([p.parent.as_posix() for p in paths]))
        for i, path in zip(positions, paths, strict=True):
            named[i] = replace(sources[i], name=path.relative_to(common).as_posix())
    _check_unique_names(named)
    return named


def _check_unique_names(sources: Sequence[FileRef]) -> None:
    """Ids derive from file names without suffix, so two inputs may not share one
    (:func:`id_stem`: "a b.txt" and "a_b.md" share ``a_b``)."""
    seen: dict[str, tuple[str, str]] = {}
    for src in sources:
        stem, raw = id_stem(src.name), str(PurePosixPath(src.name).with_suffix(""))
        if stem in seen:
            path, other = seen[stem]
            same = "both named" if raw == other else "both give the id"
            raise NameClashError(
                f"two input files are {same} {stem!r} ({path} and {src.path}); "
                "ids are built from file names without suffix (spaces made _), so rename "
                "one of them"
            )
        seen[stem] = (src.path, raw)


@dataclass
class Sources:
    """A corpus's input files, found once for every entry point (:func:`gather_sources`).

    Attributes
    ----------
    files : list of FileRef
        The files in corpus order (sorted by display path), with unique stems: references
        whose bytes are read when each is loaded (by the worker that loads it).
    unreadable : list of ReadError
        Files or archives that could not be read while discovering them (only with
        ``skip_bad``; without it discovery raised). Each becomes a ``skipped`` row of
        ``Corpus.files``: :meth:`skipped`.
    progress : bool
        Whether the per-file stage shows a progress bar (:func:`progress_enabled`).
    """

    files: list[FileRef]
    unreadable: list[ReadError] = field(default_factory=list)
    progress: bool = False

    def skipped(self) -> list[_FileResult]:
        """The ``skipped`` results of :attr:`unreadable`, in discovery order.

        Each skip is logged when its result is made (:func:`unreadable_result`), so a
        run calls this once.
        """
        return [unreadable_result(err) for err in self.unreadable]


_PATHS = "a path or a list of paths (files, folders, glob patterns or .zip archives)"


def _input_list(inputs: Any) -> list[str | os.PathLike]:
    """``inputs`` as a list, each item checked to be a path.

    A number or ``None`` among the paths failed deep in the readers ("expected str,
    bytes or os.PathLike object"), naming neither the argument nor the item.

    Examples
    --------
    >>> _input_list(("a", Path("b")))
    ['a', PosixPath('b')]
    >>> _input_list(3)
    Traceback (most recent call last):
    ...
    TypeError: inputs must be a path or a list of paths (files, folders, glob patterns or .zip archives), not int
    >>> _input_list(["a", None])
    Traceback (most recent call last):
    ...
    TypeError: inputs[1] is None, not a path: inputs must be a path or a list of paths (files, folders, glob patterns or .zip archives)
    """  # noqa: E501
    try:
        items = list(inputs)
    except TypeError:
        raise TypeError(f"inputs must be {_PATHS}, not {type(inputs).__name__}") from None
    for i, item in enumerate(items):
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"inputs[{i}] is {item!r}, not a path: inputs must be {_PATHS}")
    return items


def check_options(
    *, workers: Any = None, dup_threshold: Any = DUP_THRESHOLD, metadata: Any = None
) -> None:
    """Refuse options of :func:`load_corpus` and :func:`workbench.pipeline.run_pipeline`
    that cannot work, naming the argument, before any file is read.

    Each failed later: a threshold outside (0, 1] after every file was read, as
    "threshold must be in (0, 1]" without saying which; a str where a number is
    expected, or a number as metadata, with a comparison or path error from deep inside.

    Raises
    ------
    TypeError
        ``workers`` is not a whole number, ``dup_threshold`` not a number, ``metadata``
        neither a path nor a DataFrame.
    ValueError
        ``workers`` is below 1, ``dup_threshold`` outside (0, 1].

    Examples
    --------
    >>> check_options(workers=2, dup_threshold=0.9, metadata="meta.csv")
    >>> check_options(dup_threshold=80)
    Traceback (most recent call last):
    ...
    ValueError: dup_threshold must be a Jaccard similarity in (0, 1], such as 0.8, not 80
    >>> check_options(workers="2")
    Traceback (most recent call last):
    ...
    TypeError: workers must be a whole number of processes (1 or more) or None, not '2'
    """
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer))
    ):
        raise TypeError(
            f"workers must be a whole number of processes (1 or more) or None, not {workers!r}"
        )
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more (None or 1: serial), not {workers}")
    if isinstance(dup_threshold, bool) or not isinstance(
        dup_threshold, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"dup_threshold must be a number in (0, 1], such as 0.8, not {dup_threshold!r}"
        )
    if not 0 < dup_threshold <= 1:  # NaN fails this too
        raise ValueError(
            f"dup_threshold must be a Jaccard similarity in (0, 1], such as 0.8, "
            f"not {dup_threshold}"
        )
    if metadata is not None and not isinstance(metadata, (str, os.PathLike, pd.DataFrame)):
        raise TypeError(
            f"metadata must be the path of a CSV or Excel table, or a DataFrame, "
            f"not {type(metadata).__name__}"
        )


def gather_sources(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike | None = None,
    *,
    skip_bad: bool = False,
    progress: bool | None = None,
) -> Sources:
    """Find a corpus's files: the front end shared by every way of building a corpus.

    :func:`load_corpus`, :func:`workbench.pipeline.run_pipeline` and
    :func:`workbench.stream.build_corpus` all start here, so that they find the same
    files in the same order, refuse the same inputs and skip the same files: discover
    (:func:`workbench.corpus.readers.discover`), check that no two files share a stem (ids are
    built from it), collect what could not be read with ``skip_bad``, and decide on a
    progress bar.

    Files are found as :class:`~workbench.corpus.readers.FileRef` objects, never with their
    bytes: every entry point reads a file when it loads it (a worker process or a Dask
    worker reads its own), so a corpus never sits in memory at once. An eager mode
    (:class:`~workbench.corpus.readers.SourceFile` objects with bytes read here) had no caller
    outside its own test and was removed; :func:`workbench.corpus.readers.discover` still
    reads eagerly for callers that want bytes at once.

    Parameters
    ----------
    inputs : iterable of paths, optional
        Files, folders, glob patterns or ``.zip`` archives; defaults to the
        bundled seeds (:data:`workbench.config.SEEDS_DIR`).
    skip_bad : bool
        Record files or archives that cannot be read in :attr:`Sources.unreadable`
        instead of raising :class:`~workbench.corpus.readers.ReadError`.
    progress : bool, optional
        As for :func:`progress_enabled`, over the files found.

    Raises
    ------
    FileNotFoundError
        An input does not exist, or names no supported file.
    ReadError
        Without ``skip_bad``: an input cannot be used (a file of unsupported type named
        explicitly, a folder without texts, a zip archive whose directory cannot be
        read). A file whose bytes cannot be read fails later, when it is loaded.
    ValueError
        Two files share a name without suffix, or ``inputs`` is empty (an empty list
        names nothing; ``None`` means the bundled seeds).

    Examples
    --------
    >>> found = gather_sources(progress=False)      # the bundled seeds
    >>> len(found.files), found.unreadable, found.progress
    (5, [], False)
    >>> gather_sources([])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no inputs given: name files, folders, glob patterns or .zip archives ...
    """
    unreadable: list[ReadError] = []
    if inputs is not None and not isinstance(inputs, (str, os.PathLike)):
        inputs = _input_list(inputs)
        if not inputs:  # else a bare "no sketches to concatenate" from deep in the dedup
            raise ValueError(
                "no inputs given: name files, folders, glob patterns or .zip archives "
                "(None loads the bundled seeds)"
            )
    files = discover(
        [config.SEEDS_DIR] if inputs is None else inputs,
        errors=unreadable if skip_bad else None, lazy=True,
    )  # fmt: skip
    files = _unique_names(files)
    return Sources(files, unreadable, progress_enabled(progress, len(files)))


def load_corpus(
    inputs: Iterable[str | os.PathLike] | str | os.PathLike | None = None,
    *,
    metadata: str | os.PathLike | pd.DataFrame | None = None,
    skip_bad: bool = False,
    progress: bool | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    dup_threshold: float = DUP_THRESHOLD,
) -> Corpus:
    """Load files, folders, globs or zips into a :class:`Corpus`.

    Parameters
    ----------
    inputs : path or iterable of paths, optional
        Files, folders, glob patterns or ``.zip`` archives (one path, ``"texts/"``, is
        the same as ``["texts/"]``); defaults to the bundled seeds
        (:data:`workbench.config.SEEDS_DIR`).
    metadata : path or DataFrame, optional
        User metadata keyed by ``file`` (see :func:`workbench.corpus.metadata.join_metadata`).
    skip_bad : bool
        Skip files that cannot be read, recording why in ``Corpus.files``,
        instead of raising :class:`~workbench.corpus.readers.ReadError`.
    progress : bool, optional
        Show a progress bar (over partitions of files); by default only for large
        corpora on an interactive terminal or Jupyter, never under CI.
    workers : int, optional
        Run the per-file stage in a local pool of this many processes
        (:func:`workbench.engine.drive`, as :func:`workbench.pipeline.run_pipeline`
        without word segmentation and coding); the tables are identical to a serial run.
    scheduler : str or distributed.Client, optional
        Run the per-file stage on Dask: ``"local"`` starts a LocalCluster of
        ``workers`` processes on 127.0.0.1, any other string is a scheduler address
        (``"tcp://host:8786"``), or pass a connected ``Client``.
    dup_threshold : float, default :data:`workbench.corpus.dedup.DUP_THRESHOLD`
        Jaccard similarity at which articles and paragraphs are near duplicates.

    Returns
    -------
    Corpus
        Its repr gives the counts; the tables are its attributes.

    Raises
    ------
    TypeError, ValueError
        An argument that cannot work (:func:`check_options`; an input that is not a
        path), before any file is read.
    FileNotFoundError, ReadError, ValueError
        As for :func:`gather_sources`; a file that cannot be read (without ``skip_bad``).
    workbench.corpus.metadata.MetadataError
        ``metadata`` cannot be read or joined.

    Examples
    --------
    >>> corpus = load_corpus()                      # the bundled seeds
    >>> corpus  # doctest: +ELLIPSIS
    Corpus: 5 files (0 skipped), 14 articles (... duplicate), ... segments (... duplicate), ...
    >>> load_corpus(dup_threshold=85)
    Traceback (most recent call last):
    ...
    ValueError: dup_threshold must be a Jaccard similarity in (0, 1], such as 0.8, not 85
    """
    # One driver builds every corpus; here without words or codes. Imported here: the
    # engine imports this module.
    from workbench.engine import CorpusSink, drive

    check_options(workers=workers, dup_threshold=dup_threshold, metadata=metadata)
    found = gather_sources(inputs, skip_bad=skip_bad, progress=progress)
    corpus = drive(
        found, CorpusSink(skip_bad=skip_bad, dup_threshold=dup_threshold), workers=workers,
        scheduler=scheduler, skip_bad=skip_bad, dup_threshold=dup_threshold,
        desc="loading corpus",
    )  # fmt: skip
    if metadata is not None:
        # The segments' columns too: a metadata column named like one (role, section)
        # would be shadowed by it in every analysis, so it is refused here as the
        # analysis commands refuse it.
        corpus.documents = join_metadata(
            corpus.documents, metadata, segment_columns=corpus.segments.columns
        )
    return corpus


def load_files(sources: Sequence[SourceFile], *, skip_bad: bool = False) -> list[_FileResult]:
    """Run :func:`load_file` on each source in order; the unit of work of a partition.

    With ``skip_bad`` an unreadable file becomes a ``skipped`` result instead of
    raising :class:`~workbench.corpus.readers.ReadError`.

    Examples
    --------
    >>> from workbench.corpus.readers import SourceFile
    >>> [r.info["status"] for r in load_files([SourceFile("a.txt", "a.txt", "干群".encode())])]
    ['ok']
    """
    results = []
    folders: dict[str, str | None] = {}  # resolved once per folder in this run of files
    with collector.paused():
        for src in sources:
            try:
                results.append(load_file(src, folders=folders))
            except ReadError as err:
                if not skip_bad:
                    raise
                results.append(_skipped(src, err))
    return results


def load_refs_results(refs: Sequence[FileRef], *, skip_bad: bool = False) -> list[_FileResult]:
    """Read file references (:attr:`Sources.files` found lazily) and run :func:`load_file`
    on each, in order: the loading of one partition.

    With ``skip_bad`` a file that cannot be read or decoded becomes a ``skipped``
    result (those that could not be read first) instead of raising
    :class:`~workbench.corpus.readers.ReadError`.

    Examples
    --------
    >>> results = load_refs_results(gather_sources().files)
    >>> len(results), {r.info["status"] for r in results}
    (5, {'ok'})
    """
    unreadable: list[ReadError] = []
    sources = list(load_refs(refs, unreadable if skip_bad else None))
    results = [unreadable_result(err) for err in unreadable]
    return results + load_files(sources, skip_bad=skip_bad)


#: Columns of ``Corpus.removed``.
REMOVED_COLUMNS = ["file", "line_no", "rule", "text"]


@dataclass
class FileTables:
    """Per-file results of a run of files as tables, in corpus order.

    What a partition sends back: a few columns pickle far faster than one dict per
    row, and the parent concatenates tables instead of building them row by row.
    """

    files: list[dict[str, Any]]
    documents: pd.DataFrame
    segments: pd.DataFrame
    removed: pd.DataFrame

    @classmethod
    def of(cls, results: Sequence[_FileResult]) -> FileTables:
        """Tables of ``results`` (columns as in :class:`Corpus`, before duplicate marks).

        Examples
        --------
        >>> t = FileTables.of(load_refs_results(gather_sources().files))
        >>> len(t.files), len(t.documents), t.segments.shape[1] == len(SEGMENT_COLUMNS) - 2
        (5, 14, True)
        """
        return cls(
            files=[r.info for r in results],
            documents=_frame([d for r in results for d in r.documents], DOCUMENT_COLUMNS[:-2]),
            segments=_column_frame([c for r in results for c in r.segments], SEGMENT_COLUMNS[:-2]),
            removed=_frame([x for r in results for x in r.removed], REMOVED_COLUMNS),
        )

    @classmethod
    def concat(cls, parts: Sequence[FileTables]) -> FileTables:
        """One table per kind from consecutive runs of files (dtypes as if built at once)."""
        whole = cls.of([])
        return cls(
            files=[f for p in parts for f in p.files],
            **{
                name: _concat([getattr(p, name) for p in parts], getattr(whole, name))
                for name in ("documents", "segments", "removed")
            },
        )


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` (same values and dtypes), built column by
    column: pandas turns a list of dicts into one 2-D object array first, which took
    half as long as building the rows themselves."""
    if not rows:  # keeps the empty frame's dtypes exactly as before
        return pd.DataFrame(rows, columns=columns)
    return pd.DataFrame({c: [row[c] for row in rows] for c in columns}, columns=columns)


#: Columns of the segments table that :func:`_article_columns` fills with ``int`` values
#: only (``is_heading`` with ``bool`` values only); every other column holds ``str`` values.
_INT_SEGMENT_COLUMNS = frozenset({"article", "paragraph", "heading_level", "line_no", "sentence"})
_BOOL_SEGMENT_COLUMNS = frozenset({"is_heading"})


def _column_frame(blocks: list[dict[str, list[Any]]], columns: Sequence[str]) -> pd.DataFrame:
    """:func:`_frame` of the rows of consecutive column blocks (same values and dtypes).

    Each column is built as the array pandas would infer from its values (``int64``,
    ``bool`` or the string dtype), without pandas inspecting every value to infer it:
    inference took most of the time of building a partition's segments table.

    Examples
    --------
    >>> blocks = [{"doc_id": ["a/a1"], "line_no": [3], "is_heading": [True]},
    ...           {"doc_id": ["b/a1", "b/a1"], "line_no": [1, 2], "is_heading": [False, False]}]
    >>> _column_frame(blocks, ["doc_id", "line_no", "is_heading"]).dtypes.astype(str).tolist()
    ['str', 'int64', 'bool']
    """
    if not any(block[columns[0]] for block in blocks):  # the empty frame, as _frame builds it
        return pd.DataFrame([], columns=columns)
    text = _string_dtype()  # once per table: asking pandas cost 0.15 ms a column
    return pd.DataFrame(
        {c: _column(c, list(chain.from_iterable(b[c] for b in blocks)), text) for c in columns},
        columns=columns,
    )


def _column(name: str, values: list[Any], dtype: Any) -> Any:
    """The array pandas infers from ``values`` of segment column ``name`` (see
    :data:`_INT_SEGMENT_COLUMNS`), built directly; the plain list when unsure. ``dtype``:
    :func:`_string_dtype`."""
    if name in _INT_SEGMENT_COLUMNS:
        return np.array(values, dtype=np.int64)
    if name in _BOOL_SEGMENT_COLUMNS:
        return np.array(values, dtype=bool)
    if dtype is None:
        return values
    return pd.array(pa.array(values, pa.large_string()), dtype=dtype)


def _string_dtype() -> Any:
    """The dtype pandas infers for a list of ``str`` when Arrow stores it (pandas 3 with
    pyarrow, the default), else ``None`` (lists are then left to pandas). Asked for each
    table: pandas options can change it."""
    dtype = pd.Series(["a"]).dtype
    if getattr(dtype, "storage", None) != "pyarrow":
        return None
    return dtype


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    # Empty parts are left out: their object columns would turn numbers into objects.
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def unmarked(tables: FileTables, *, skip_bad: bool, dup_threshold: float) -> Corpus:
    """The corpus of per-file tables (in corpus order) before duplicates are marked:
    files sorted by path, ``duplicates`` empty, the parameters recorded.

    Duplicates are marked afterwards over the whole corpus, never per file or
    partition (:func:`workbench.engine.drive` with
    :func:`workbench.corpus.duplicates.find_marks`), so a parallel run marks exactly what a
    serial run does.
    """
    return Corpus(
        documents=tables.documents,
        segments=tables.segments,  # dup_of and friends are added when marking duplicates
        files=pd.DataFrame(tables.files, columns=FILE_COLUMNS)
        .sort_values("path", kind="stable")
        .reset_index(drop=True),
        removed=tables.removed,
        duplicates=pd.DataFrame(),
        parameters={"dup_threshold": dup_threshold, "skip_bad": skip_bad},
    )
