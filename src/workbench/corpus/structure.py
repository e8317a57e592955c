"""Heading hierarchy, section roles and sentences of one article.

:func:`parse_structure` turns an article's body lines into :class:`Paragraph`
objects: which lines are headings, how deep each heading is, the dotted section
path, and the *role* of every paragraph in the problem → cause → countermeasure
scheme the corpus follows. All patterns and keyword lists live in
``resources/structure.yaml``; matching runs on :func:`workbench.corpus.script.to_simplified`
text, every returned string keeps the original script.

Decisions
---------
* **Headings.** A line (or a part of a line, see below) is a heading when it starts
  with a numbering marker of a *family* (``一、``, ``(一)``, ``1.``/``1、``/``1．``,
  ``(1)``, ``①``, ``第一个层面``, ``第一部分``, ``第一，``, ``一是``, ``一要``,
  ``问题一:``, ``首先/其次/再次/最后``) and its first clause — the text up to the
  first ``。；：！？`` or space — is at most ``max_chars`` long. The heading title is
  that clause without the marker and trailing punctuation. Text after the clause stays
  in the same :class:`Paragraph` ("heading runs into body"), except when it is itself
  a heading: ``第一个层面,…政治导向 一是政策制定…`` (001) yields a level-1 and a level-2
  paragraph with the same ``line_no``. ``其次/再次/最后`` are headings only while a
  ``首先`` list is open. A line holding two items of an enumeration
  (``一是…；二是…；三是…``, ``第一，…第二，…``, ``首先…其次…``, ``①…②…``, ``(1)…(2)…``:
  ``inline_list`` families)
  is one body paragraph of the current section, not item 1 as a heading that titles the
  other items and whatever follows them; an item alone on its line stays a heading.
  Unnumbered short labels holding a role keyword (004
  ``问题及原因``, ``对策建议``) are headings of their own family, at the top level —
  unless a later line continues a list that is open when the label comes (see
  sub-titles): then the label lies inside that list and nests one level below the
  innermost open heading (``一、存在的问题`` / ``具体表现在以下几个方面`` / … /
  ``二、原因分析``: the label is section 1.1, not a second top-level section 2 that
  ``二、`` then repeats). A label already open is a sibling of the innermost one.
* **Mid-line headings.** ``(二)``, ``一、`` and ``问题二:`` may start inside a line
  when the text before them ends a sentence (``。(二)提高…``) and the number is the
  next one of an open list or a new list's 1; ``(N)`` and ``问题N:`` may also follow
  unpunctuated text when they are the exact successor (004 ``整改时限:立即(三)、远期…``,
  ``完成时限:长期整改问题二:…``). The line is split into paragraphs there.
* **Levels** are inferred per article the way a reader does, from the order in which
  families appear, with a stack of open headings: a family already open closes
  everything below it and becomes a sibling (the sibling whose number it continues,
  if several are open); a new family nests one level deeper. Hence ``(一)`` under
  ``一、`` is level 2 and ``1.`` under ``(一)`` level 3; in 001 ``一是`` is level 2
  under ``第一个层面`` but level 3 under ``三要`` of ``第三个层面``. A number 1 right
  after a heading of the same family with no text in between restarts the list one
  level deeper (004: ``一、 存在的问题`` then ``一、对…``, ``二、…``); later the outer
  list resumes when its next number comes (``二、“四风”方面…``). Any other number 1
  restarts the innermost list of that family (000 repeats its whole body).
* **Section paths** use the written numbers (``(三)`` → 3, so a gap or a repeat in
  the source shows); unnumbered labels and 最后 count on from their sibling.
* **Sub-titles.** A short unnumbered line without punctuation (002
  ``筑牢干群關系的“信任基石”``) starts a new piece of a compilation: it closes all
  open sections and has role ``"other"`` — but only when no later line continues a
  list that is open when it comes, as a reader decides it: for each family on the
  stack, the first heading of that family at the start of a later line of the
  article is looked at; if one of them has the next number of an open heading of its
  family (``二、`` after an open ``一、``, ``(三)`` after ``(二)``), the open list goes
  on, and the line is a body paragraph of the current section with its role (a
  list item, a table row such as ``干部作风漂浮 120 20%``, a line the source cut
  before its full stop). When each of them is a ``1`` (a new list: 002's pieces
  each number from ``1.``/``(一)``) or a skipped or repeated number, or there is
  none, the line stays a sub-title. Headings inside a line (mid-line ``(二)``) are
  not looked at, so a list continued only mid-line does not keep the line inside.
* **Notes.** A line that is only a notes heading (``注释``, ``注：``, ``【参考文献】``,
  ``注释与参考文献``: ``headings.closing.notes``), or a numbered heading titled so
  (``四、参考文献``), opens a section of role ``"other"`` whose lines are notes: body
  paragraphs, never headings (``1.王某：农村干群关系问题研究`` is a reference, not a section
  with the role its words name). At the end of a text (no later line continues a list
  open before it, as for sub-titles) the notes close every open section and run to the
  end of the article, or to a short unpunctuated line that starts with no note mark (the
  next piece of a compilation). Inside an open list (a table's note, a chapter's notes)
  they nest below the innermost heading and hold the line after the heading and the lines
  that start with a note mark (``headings.closing.note_item``: ``[1]``, ``①``, ``1.``),
  up to the line where the list goes on at the latest, and so does a table's note
  (``注：``, ``headings.closing.table_notes``) wherever it stands: it closes no section.
  A line starting with a note mark is never joined to the line before.
* **Attachments.** A line starting with an attachments label (``附件：1.干群关系问题台账``,
  ``附件：`` alone; ``headings.closing.attachments``) opens an attachments section of role
  ``"other"`` (the heading is the label, the rest of the line its first item), and the
  lines that continue its numbered list (``2.整治情况统计表``) are attachment names, body
  of that section, not headings. At the end of a text it closes every open section, as
  notes do; inside a list that goes on after the attachment list, it nests below the
  innermost heading and ends with the list.
* **Broken lines** are joined first (:func:`join_broken_lines`): 002's heading
  ``(二)嚴肅工作紀律,制止“`` / ``走讀”現象`` becomes one line. Joining serves the
  structure (headings, roles); sentences are then cut again where the source broke
  the line (:func:`on_source_lines`), so every body segment lies on one line of its
  file — a quote points to exactly one line, and a researcher's line-by-line coding
  sheet lines up with segments. A file found hard-wrapped (its lines cut at a fixed
  width in mid-sentence) has its broken lines joined before it gets here
  (:mod:`workbench.corpus.wrapping`), so its sentences stay whole, each numbered by the
  line it starts on. ``cut_at_line_breaks: false`` under ``sentences`` in
  ``structure.yaml`` keeps whole sentences in every file instead.
* **Roles.** :func:`classify_roles` finds strong role keywords, longest phrase first
  (``问题产生的原因`` is a cause). Several roles linked by a conjunction make a
  *combined* heading (``问题及原因``, ``现状 成因及对策``); otherwise the last keyword
  wins, as the head of a Chinese noun phrase is at its end (``产生问题的原因分析``).
  A 问题 that names a topic rather than announcing shortcomings (``关于教育改革问题``,
  ``关于解决群众反映问题的情况``, ``坚持把解决“三农”问题放在突出位置``, ``…这个问题``) is
  no problem keyword (``roles.patterns.topic``); ``关于…存在的问题`` still is.
  Without a strong keyword, prescriptive wording (``要``, ``如何``, a heading that
  starts with 加强/健全/建立/…) marks a countermeasure, unless the heading ends in a
  neutral noun (``…的重要意义``, ``指导思想``). A heading with a role gives
  it to its section; a child heading takes its parent's role whenever the parent's
  role is not ``"other"`` (a countermeasure item "…的问题" stays countermeasure),
  except a nested role label, which names its own role (``整改措施`` under
  ``一、政治方面存在的问题`` is countermeasure); under a combined parent a child
  keeps its own role if that is one of the parent's. Inside a combined section each
  paragraph starts with the section's current role and a cue in its lead clause
  (``从环境因素分析,…`` → cause, ``整改措施及成效:…`` → countermeasure) switches it for
  that and later paragraphs.
  When a heading inside a combined section runs into text whose lead clause
  switches the role (004 ``问题六:….整改措施及成效:…``), that text becomes a
  paragraph of its own. Paragraphs before any heading are ``"other"``.

Examples
--------
>>> paras = parse_structure([
...     (1, "一、存在的主要问题"),
...     (2, "1.宗旨意识淡化。"),
...     (3, "二、对策建议"),
...     (4, "1.加强教育。要真心实意。"),
... ])
>>> for p in paras:
...     print(p.line_no, p.level, p.section, p.role)
1 1 1 problem
2 2 1.1 problem
3 1 2 countermeasure
4 2 2.1 countermeasure
>>> split_sentences("他说:“好。”然后走了!真的吗?")
['他说:“好。”', '然后走了!', '真的吗?']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from workbench.yamlio import safe_load

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

from workbench.config import RESOURCES_DIR
from workbench.corpus.script import to_simplified, to_simplified_many
from workbench.regex_precheck import Precheck, TailSearch, alternation, start_screen

#: Default structure resource.
DEFAULT_STRUCTURE_PATH = RESOURCES_DIR / "structure.yaml"

#: The roles a section can have, in the order a typical essay presents them.
SECTION_ROLES = ("problem", "cause", "countermeasure")
#: The role of everything outside such a section.
OTHER = "other"
#: Every value of the segments' ``role`` column: the one owner of the vocabulary (the
#: corpus tables, the codebook's role restrictions, the learned coder's features and the
#: summaries import it).
ROLES = (*SECTION_ROLES, OTHER)
#: The pseudo-role of ``roles.patterns.topic`` in ``structure.yaml``: a 问题 that names a
#: topic ("关于教育改革问题"). Its matches mask the keywords they span and name no role.
TOPIC = "topic"

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class Paragraph:
    """One paragraph (a line, or part of a line split at a heading).

    ``level`` is the level of the heading the paragraph opens (1 = top) or 0 for
    body text; ``section`` the dotted path of the enclosing section numbers ("" before
    any heading); ``section_title`` the title of the innermost enclosing heading;
    ``role`` one of ``problem``, ``cause``, ``countermeasure``, ``other``;
    ``heading_end`` how many leading characters of ``text`` are the heading itself
    (marker, title and its closing 。/：…), 0 for body paragraphs, so that body text
    run into a heading line can be told apart from the heading.
    """

    line_no: int
    text: str
    is_heading: bool
    level: int
    section: str
    section_title: str
    role: str
    heading_end: int = 0  # chars of ``text`` that are the heading (with its end mark)


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class Family:
    """A heading-numbering family from ``structure.yaml``."""

    id: str
    pattern: re.Pattern[str]
    ordinals: dict[str, int]
    continue_only: bool = False
    midline: str | None = None
    role: str | None = None
    inline_list: bool = False  # items are clauses: a line holding two is no heading


#: A role keyword or regex: the compiled pattern, its role, and the literal text the
#: pattern matches when it is a plain keyword (``None`` for a regex). A keyword that
#: does not occur in a text (``literal not in text``, a C substring search) cannot
#: match, so its pattern is not run at all.
Keyword = tuple[re.Pattern[str], str, str | None]


@dataclass(frozen=True)
class Keywords:
    """Role keywords and regexes in file order, indexed by the first character of each
    keyword so that a text is checked only against the keywords that can occur in it."""

    items: tuple[Keyword, ...]
    by_first: dict[str, tuple[int, ...]]  # first character -> indices of its keywords
    always: tuple[int, ...]  # regexes (and an empty keyword): always run
    # Every keyword, valued (its length, the indices of the items it is): see matches.
    automaton: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def build(cls, items: tuple[Keyword, ...]) -> Keywords:
        """Index ``items``.

        Examples
        --------
        >>> kw = Keywords.build(((re.compile("问题"), "problem", "问题"),))
        >>> kw.by_first, kw.candidates("存在的问题"), kw.candidates("对策")
        ({'问': (0,)}, [0], [])
        """
        by_first: dict[str, list[int]] = {}
        always: list[int] = []
        for i, (_, _, literal) in enumerate(items):
            if literal:
                by_first.setdefault(literal[0], []).append(i)
            else:
                always.append(i)
        of_literal: dict[str, list[int]] = {}
        for i, (_, _, literal) in enumerate(items):
            if literal:
                of_literal.setdefault(literal, []).append(i)
        automaton = None
        if of_literal:
            automaton = ahocorasick.Automaton()
            for literal, ix in of_literal.items():
                automaton.add_word(literal, (len(literal), tuple(ix)))
            automaton.make_automaton()
        by_first_ix = {c: tuple(ix) for c, ix in by_first.items()}
        return cls(items, by_first_ix, tuple(always), automaton)

    def candidates(self, text: str) -> list[int]:
        """Indices, in file order, of the items that may match ``text``."""
        found = list(self.always)
        for ch in self.by_first.keys() & set(text):
            found.extend(self.by_first[ch])
        found.sort()  # file order: ties between equal matches keep the YAML order
        return found

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every match of every item in ``text`` as ``(start, start - end, index)``.

        A keyword's matches are its non-overlapping occurrences from the left, as its
        pattern's ``finditer`` finds them, but all keywords are found in one
        Aho–Corasick scan of the text instead of a regex per keyword that may occur
        (half of classifying a heading). Regexes are run as before.

        Examples
        --------
        >>> kw = Keywords.build(((re.compile("问题"), "problem", "问题"),
        ...                      (re.compile("原因"), "cause", "原因")))
        >>> kw.matches("问题的原因和问题")
        [(0, -2, 0), (3, -2, 1), (6, -2, 0)]
        """
        found: list[tuple[int, int, int]] = []
        if self.automaton is not None and text:
            after: dict[int, int] = {}  # per item, where its last match ended
            for end, (length, indices) in self.automaton.iter(text):
                start = end + 1 - length
                for i in indices:
                    if start >= after.get(i, 0):  # overlapping its last match: finditer skips it
                        found.append((start, -length, i))
                        after[i] = end + 1
        for i in self.always:
            found.extend(
                (m.start(), m.start() - m.end(), i) for m in self.items[i][0].finditer(text)
            )
        return found


@dataclass(frozen=True)
class SentenceRules:
    """The ``sentences`` section of ``structure.yaml``, compiled for :func:`split_sentences`.

    ``boundary`` finds, in one pass, every newline and every run of terminators
    (group ``run``) with the closing quotes/brackets after it; ``pair_chars`` finds
    the characters of the quote/bracket pairs, the only ones the depth check reads.
    """

    boundary: re.Pattern[str]
    ellipsis: frozenset[str]
    pair_chars: re.Pattern[str]
    piece: re.Pattern[str]  # a sentence up to and with its terminator run and closers
    mark: re.Pattern[str]  # a terminator or ellipsis
    special: re.Pattern[str]  # an ellipsis or a pair character: the cases to look into
    ellipsis_re: re.Pattern[str] | None
    # Whether no opener is also a terminator or closer, which the one-findall path of
    # split_sentences relies on (a run cannot then end inside a pair without a
    # terminator inside it).
    disjoint: bool
    # A terminator between two pair characters (a pair character, a terminator, a pair
    # character, in this order): where it finds none, no matched pair holds a terminator,
    # without matching the pairs. None when that shortcut does not hold (not disjoint,
    # or a pair character that is also a terminator). Used with ``match``: it goes from
    # the first pair character to the first terminator after it (possessively, so that
    # no start is tried twice) and then looks for any pair character after that.
    mark_span: re.Pattern[str] | None
    openers: dict[str, str]  # opener -> closer
    closer_of: dict[str, str]  # closer -> opener
    max_chars: int = 0  # a longer sentence is cut (0: never)
    cut_at: str = ""  # where, before the limit: the last of these characters


@dataclass(frozen=True)
class StructureConfig:
    """``structure.yaml``, compiled. ``raw`` keeps the parsed YAML for other sections.

    ``heading_start`` is every family pattern in one alternation, each inside a group
    ``_h<index>`` (the families' own group names removed): one ``match`` tells whether
    any family, and which one first, matches the start of a text; ``None`` when the
    patterns cannot be combined (then each family is tried in turn).
    """

    raw: dict[str, Any]
    families: tuple[Family, ...]
    clause_end: re.Pattern[str]
    max_chars: int
    role_patterns: Keywords
    weak_patterns: tuple[tuple[re.Pattern[str], str], ...]
    conjunction: re.Pattern[str]
    neutral: re.Pattern[str]
    cue_patterns: Keywords
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    heading_start: re.Pattern[str] | None = None
    sentences: SentenceRules | None = None
    tails: dict[str, TailSearch] = field(default_factory=dict)  # end-anchored join rules


def _family(raw: dict[str, Any]) -> Family:
    return Family(
        id=raw["id"],
        pattern=re.compile(raw["pattern"]),
        ordinals=dict(raw.get("ordinals", {})),
        continue_only=bool(raw.get("continue_only", False)),
        midline=raw.get("midline"),
        role=raw.get("role"),
        inline_list=bool(raw.get("inline_list", False)),
    )


def _keyword_patterns(section: dict[str, Any]) -> Keywords:
    out: list[Keyword] = []
    for role, words in section.get("keywords", {}).items():
        out.extend((re.compile(re.escape(w)), role, w) for w in words)
    for role, regexes in section.get("patterns", {}).items():
        out.extend((re.compile(rx), role, None) for rx in regexes)
    return Keywords.build(tuple(out))


def _sentence_rules(raw: dict[str, Any]) -> SentenceRules:
    marks = re.escape(raw["terminators"] + raw["ellipsis"])
    closers = re.escape(raw["closers"])
    # Note marks after a sentence's end stay with it (optional: a user's file may lack them).
    notes = f"(?:{raw['note_marks']})*" if raw.get("note_marks") else ""
    pair_chars = re.escape("".join(raw["pairs"]))
    openers = {p[0] for p in raw["pairs"]}
    special = re.escape(raw["ellipsis"]) + pair_chars
    disjoint = openers.isdisjoint(raw["terminators"] + raw["ellipsis"] + raw["closers"])
    spans = (
        disjoint
        and pair_chars
        and marks
        and set("".join(raw["pairs"])).isdisjoint(raw["terminators"] + raw["ellipsis"])
    )
    return SentenceRules(
        boundary=re.compile(f"\n|(?P<run>[{marks}]+)[{closers}]*{notes}"),
        ellipsis=frozenset(raw["ellipsis"]),
        pair_chars=re.compile(f"[{pair_chars}]"),
        piece=re.compile(f"[^{marks}\n]*(?:[{marks}]+[{closers}]*{notes})?"),
        mark=re.compile(f"[{marks}]"),
        special=re.compile(f"[{special}]" if special else "(?!)"),  # (?!) never matches
        ellipsis_re=re.compile(f"[{re.escape(raw['ellipsis'])}]") if raw["ellipsis"] else None,
        disjoint=disjoint,
        mark_span=re.compile(
            f"(?s)[^{pair_chars}]*+[{pair_chars}][^{marks}]*+[{marks}].*[{pair_chars}]"
        )
        if spans
        else None,
        openers={p[0]: p[1] for p in raw["pairs"]},
        closer_of={p[1]: p[0] for p in raw["pairs"]},
        max_chars=int(raw.get("max_chars") or 0),
        cut_at=str(raw.get("cut_at") or ""),
    )


@cache
def load_structure_config(path: str | None = None) -> StructureConfig:
    """Load and compile ``structure.yaml`` (cached).

    Examples
    --------
    >>> cfg = load_structure_config()
    >>> [f.id for f in cfg.families][:3]
    ['cn_dun', 'paren_cn', 'arabic']
    """
    raw = safe_load(Path(path or DEFAULT_STRUCTURE_PATH).read_text(encoding="utf-8"))
    head, roles, join = raw["headings"], raw["roles"], raw["headings"]["join"]
    weak = {"weak": roles.get("weak", {})}
    families = tuple(_family(f) for f in head["families"])
    return StructureConfig(
        raw=raw,
        families=families,
        clause_end=re.compile(head["clause_end"]),
        max_chars=int(head["max_chars"]),
        role_patterns=_keyword_patterns(roles),
        weak_patterns=tuple(
            (re.compile(rx), role) for role, rxs in weak["weak"].items() for rx in rxs
        ),
        conjunction=re.compile(roles["conjunction"]),
        neutral=re.compile(roles["neutral"]),
        cue_patterns=_keyword_patterns({"keywords": roles["cues"]}),
        patterns={
            "label_forbidden": re.compile(head["label"]["forbidden"]),
            "subtitle_forbidden": re.compile(head["subtitle"]["forbidden"]),
            "lead_end": re.compile(roles["lead_end"]),
            "sentence_end": re.compile(join["sentence_end"]),
        },
        tails={
            name: TailSearch(re.compile(join[name])) for name in ("continuation_end", "bare_end")
        },
        heading_start=alternation([f.pattern for f in families], "_h"),
        sentences=_sentence_rules(raw["sentences"]),
    )


# -------------------------------------------------------------------------- helpers


def simplified_aligned(text: str) -> str:
    """``to_simplified(text)`` with the same length as ``text`` (character-wise fallback).

    Positions found in the Simplified text then index the original text.

    Examples
    --------
    >>> simplified_aligned("幹群關係")
    '干群关系'
    """
    simple = to_simplified(text)
    if len(simple) == len(text):
        return simple
    chars = (to_simplified(c) for c in text)
    return "".join(s if len(s) == 1 else c for s, c in zip(chars, text, strict=True))


def cn_to_int(numeral: str) -> int | None:
    """Value of a Chinese (一…九十) or Arabic numeral up to 999; ``None`` if not one.

    Examples
    --------
    >>> [cn_to_int(s) for s in ("一", "十", "十二", "二十一", "12", "甲")]
    [1, 10, 12, 21, 12, None]
    """
    if numeral.isdigit():
        return int(numeral)
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return total + current


def _ordinal(match: re.Match[str], family: Family) -> int | None:
    groups = match.groupdict()
    if groups.get("num"):
        return cn_to_int(groups["num"])
    return family.ordinals.get(groups.get("word") or "")


# --------------------------------------------------------------------------- roles


def _role_matches(text: str, patterns: Keywords) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, role) matches, longest first at each position."""
    items = patterns.items
    # By position, longest first, then in pattern order (file order breaks ties).
    found = sorted(patterns.matches(text))
    chosen: list[tuple[int, int, str]] = []
    for start, minus_length, i in found:
        end = start - minus_length
        if start >= end or (chosen and start < chosen[-1][1]):
            continue
        chosen.append((start, end, items[i][1]))
    return chosen


def _named_roles(text: str, patterns: Keywords) -> list[tuple[int, int, str]]:
    """:func:`_role_matches` without the topic matches: the roles a text names.

    Examples
    --------
    >>> cfg = load_structure_config()
    >>> [r for *_, r in _named_roles("关于教育收费问题的整改措施", cfg.role_patterns)]
    ['countermeasure']
    """
    return [m for m in _role_matches(text, patterns) if m[2] != TOPIC]


def _family_match(text: str, cfg: StructureConfig) -> tuple[Family, re.Match[str]] | None:
    """The first family whose pattern matches the start of ``text``, and its match."""
    if cfg.heading_start is not None:
        m = cfg.heading_start.match(text)
        if m is None:  # most lines: no family can match, one regex call says so
            return None
        family = cfg.families[int(m.lastgroup[2:])]  # type: ignore[index]  # a branch matched
        return family, family.pattern.match(text)  # type: ignore[return-value]  # same match
    for family in cfg.families:
        m = family.pattern.match(text)
        if m:
            return family, m
    return None


def _strip_marker(text: str, cfg: StructureConfig) -> tuple[str, Family | None]:
    found = _family_match(text, cfg)
    if found is None:
        return text, None
    family, m = found
    return text[m.end() :], family


@lru_cache(maxsize=65536)  # headings repeat (numbering lists, compilations of one template)
def classify_roles(heading_simplified: str) -> tuple[str, ...]:
    """All roles a heading names, in reading order; ``()`` if it names none.

    More than one role means a combined heading ("问题及原因"). A leading numbering
    marker is ignored unless its family names a role (``问题一:``). See the module
    notes for the rules.

    Parameters
    ----------
    heading_simplified
        Heading text in Simplified script, with or without its numbering marker.

    Returns
    -------
    tuple of str
        Roles among ``problem``, ``cause``, ``countermeasure``.

    Examples
    --------
    >>> classify_roles("问题及原因")
    ('problem', 'cause')
    >>> classify_roles("三、产生问题的原因分析")
    ('cause',)
    >>> classify_roles("转变干部作风的重要意义")
    ()
    >>> classify_roles("问题一:政治坚定性不强")
    ('problem',)

    A 问题 that names a topic is no problem (``roles.patterns.topic``):

    >>> classify_roles("关于解决群众反映问题的情况"), classify_roles("关于教育改革问题")
    ((), ())
    >>> classify_roles("(三)坚持把解决“三农”问题放在突出位置")
    ('countermeasure',)
    >>> classify_roles("关于当前存在的问题"), classify_roles("关于存在问题的整改措施")
    (('problem',), ('countermeasure',))
    """
    cfg = load_structure_config()
    text, family = _strip_marker(heading_simplified.strip(), cfg)
    chosen = _named_roles(text, cfg.role_patterns)
    if not chosen and family is not None and family.role:
        return (family.role,)
    if not chosen:
        if cfg.neutral.search(text.rstrip("。；;：:，, ")):
            return ()
        weak = next((role for check, role in _weak_checks() if check.search(text)), None)
        return () if weak is None else (weak,)
    roles = [chosen[0][2]]
    combined = True
    for (_, end, role), (start, _, next_role) in pairwise(chosen):
        if next_role != role and not cfg.conjunction.match(text[end:start]):
            combined = False
        if next_role not in roles:
            roles.append(next_role)
    return tuple(roles) if combined else (chosen[-1][2],)


@dataclass(frozen=True)
class _Checked:
    """A regex searched only in texts holding the literals it needs (:class:`Precheck`)."""

    precheck: Precheck

    def search(self, text: str) -> bool:
        """Whether ``pattern.search(text)`` finds something."""
        return self.precheck.may_match(text) and self.precheck.pattern.search(text) is not None


@cache
def _weak_checks() -> tuple[tuple[_Checked, str], ...]:
    """The weak role patterns with their pre-checks: most headings hold no ``要``, and the
    look-behind before it makes the regex engine try every position of the text."""
    return tuple(
        (_Checked(Precheck(rx)), role) for rx, role in load_structure_config().weak_patterns
    )


@lru_cache(maxsize=65536)
def announces_section(heading_simplified: str) -> bool:
    """Whether a heading only announces its section rather than stating something.

    "存在的主要问题", "三、产生问题的原因分析" and "对策建议" announce (their role is in the
    section's ``role``); "1.一些党员领导干部宗旨意识淡化…", "一是加强监督" and "问题一:政治坚定性
    不强" state a problem or a requirement, and the gold coders' convention codes such
    headings like sentences. A heading announces when, its numbering marker removed, it
    is no longer than a section label (``headings.label.max_chars`` in the structure
    resource) and names a role.

    Examples
    --------
    >>> [announces_section(h) for h in ("存在的主要问题", "三、产生问题的原因分析", "对策建议")]
    [True, True, True]
    >>> [announces_section(h) for h in ("一是加强监督", "问题一:政治坚定性不强",
    ...                                  "1.一些党员领导干部宗旨意识淡化,对群众缺乏感情")]
    [False, False, False]
    """
    cfg = load_structure_config()
    text, _family = _strip_marker(heading_simplified.strip(), cfg)
    text = text.strip(" \t。；;：:，,、.．")
    if not text or len(text) > cfg.raw["headings"]["label"]["max_chars"]:
        return False
    return bool(_named_roles(text, cfg.role_patterns))


def section_announcements(segments: pd.DataFrame) -> np.ndarray:
    """Which segments are headings that only announce their section (:func:`announces_section`).

    These are left out when codes are counted as content (rankings, networks); every other
    segment — body text and headings that state something — counts.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"text": ["二、存在的问题", "一是加强监督。", "要加强监督。"],
    ...                     "is_heading": [True, True, False]})
    >>> section_announcements(seg).tolist()
    [True, False, False]
    """
    import numpy as np  # here, not at import: the parser itself works on plain str

    if "is_heading" not in segments.columns:
        return np.zeros(len(segments), dtype=bool)
    heading = segments["is_heading"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    text = segments["text"].fillna("").astype(str).to_numpy()
    return np.array([h and announces_section(t) for h, t in zip(heading, text, strict=True)],
                    dtype=bool)  # fmt: skip


def classify_role(heading_simplified: str) -> str | None:
    """The role a heading names (the first one for a combined heading), else ``None``.

    Parameters
    ----------
    heading_simplified
        Heading text in Simplified script (see :func:`classify_roles`).

    Returns
    -------
    str or None
        ``problem``, ``cause``, ``countermeasure``, or ``None`` if no role is named.

    Examples
    --------
    >>> classify_role("一、当前密切联系群众工作存在的主要问题")
    'problem'
    >>> classify_role("二、原因和难点分析")
    'cause'
    >>> classify_role("三、进一步加强党员领导干部密切联系群众的对策建议")
    'countermeasure'
    >>> classify_role("第一个层面,在宏观决策上要把好方向")
    'countermeasure'
    >>> classify_role("一、指导思想") is None
    True
    """
    roles = classify_roles(heading_simplified)
    return roles[0] if roles else None


def paragraph_cue(text_simplified: str, roles: tuple[str, ...]) -> str | None:
    """Role signalled by a paragraph's lead clause, if it is one of ``roles``.

    Examples
    --------
    >>> paragraph_cue("从环境因素分析,主要是社会生活的变革", ("problem", "cause"))
    'cause'
    >>> paragraph_cue("当前,少数党员理想信念动摇", ("problem", "cause")) is None
    True
    """
    cfg = load_structure_config()
    lead = cfg.patterns["lead_end"].split(text_simplified, maxsplit=1)[0]
    hits = [role for _, _, role in _role_matches(lead, cfg.cue_patterns) if role in roles]
    return hits[-1] if hits else None


# ------------------------------------------------------------------------ headings


class HeadingMatch(NamedTuple):
    """A heading at the start of a text: family, number, marker end, clause end.

    Immutable (:func:`match_heading` caches and shares them); a named tuple, made in
    half the time of a frozen dataclass, as one is made for about every other line.
    """

    family: Family
    num: int | None
    marker_end: int
    clause_end: int
    #: It opens notes or attachments (:func:`closing_heading`, or a numbered heading
    #: titled so: "四、参考文献"), which :meth:`_Parser.place` reads apart.
    closing: bool = False


_LABEL = Family("label", re.compile(""), {})
#: The headings of sections that close a text without arguing (``headings.closing`` in
#: ``structure.yaml``): notes ("注释", "参考文献") and a 通知's attachments ("附件：1.…").
_NOTES = Family("notes", re.compile(""), {})
_ATTACHMENTS = Family("attachments", re.compile(""), {})
_CLOSING_FAMILIES = frozenset({_NOTES.id, _ATTACHMENTS.id})
# Marks that close a heading and belong to it (a space also ends one but is dropped).
_HEADING_END_MARKS = frozenset("。；;：:！？!?")


def _clause_end(simple: str, start: int, cfg: StructureConfig) -> int:
    m = cfg.clause_end.search(simple, start)
    return m.start() if m else len(simple)


def is_label(simple: str) -> bool:
    """Whether a whole line is an unnumbered section label such as "问题及原因".

    Examples
    --------
    >>> is_label("问题及原因"), is_label("对策建议"), is_label("干群关系")
    (True, True, False)
    """
    cfg = load_structure_config()
    label = cfg.raw["headings"]["label"]
    if not simple or len(simple) > label["max_chars"]:
        return False
    if cfg.patterns["label_forbidden"].search(simple):
        return False
    return bool(_role_matches(simple, cfg.role_patterns))


class _ClosingRules(NamedTuple):
    """``headings.closing`` of ``structure.yaml``, compiled (see :func:`_closing_rules`)."""

    first: frozenset[str]  # the characters a notes or attachments heading can start with
    longest: int  # no notes heading is longer (each character spaced, brackets, a colon)
    notes: re.Pattern[str]  # fullmatch: a whole line (or a heading's title) that heads notes
    attachments: re.Pattern[str]  # match: the label opening an attachments line, to its colon
    item: re.Pattern[str]  # match: the mark that starts a note ("[1]", "①", "1.")
    brief: frozenset[str]  # table_notes: headings of a note or two ("注"), closing no section


def _spaced(word: str) -> str:
    """A regex of ``word`` with any spaces between its characters ("附  件"), as a label
    spaced out to a common width is written."""
    return r"\s*".join(map(re.escape, word))


@cache
def _closing_rules() -> _ClosingRules:
    """The notes and attachments headings (``headings.closing``; none when a user's file
    has no such section)."""
    raw = load_structure_config().raw["headings"].get("closing") or {}
    brief = list(raw.get("table_notes") or [])
    notes = sorted([*(raw.get("notes") or []), *brief], key=len, reverse=True)  # longest first
    attachments = sorted(raw.get("attachments") or [], key=len, reverse=True)
    never = re.compile("(?!)")
    brackets = "【[［(（"
    return _ClosingRules(
        first=frozenset(brackets if notes else "") | {w[0] for w in notes + attachments if w},
        longest=2 * max(map(len, notes), default=0) + 3,
        notes=re.compile(
            f"[{re.escape(brackets)}]?\\s*(?:{'|'.join(map(_spaced, notes))})\\s*"
            "[】\\]］)）]?\\s*[:：]?"
        )
        if notes
        else never,
        attachments=re.compile(f"(?:{'|'.join(map(_spaced, attachments))})\\s*[:：]")
        if attachments
        else never,
        item=re.compile(raw["note_item"]) if raw.get("note_item") else never,
        brief=frozenset(brief),
    )


def _ideographs(text: str) -> str:
    """The ideographs of ``text`` ("【 注 】：" -> "注"): a notes heading's word."""
    return "".join(ch for ch in text if "\u3400" <= ch <= "\u9fff")


def closing_heading(simple: str) -> HeadingMatch | None:
    """The notes or attachments heading at the start of a Simplified line, else ``None``.

    A notes heading is the whole line ("注释", "【参考文献】", "注："); an attachments
    heading is the label up to its colon ("附件：1.干群关系问题台账": the rest of the line
    is the list's first item). See ``headings.closing`` in ``structure.yaml``.

    Examples
    --------
    >>> [closing_heading(t).family.id for t in ("注释：", "【参考文献】", "附件：1.台账")]
    ['notes', 'notes', 'attachments']
    >>> closing_heading("注意：本表数据来自县统计局。") is None
    True
    """
    rules = _closing_rules()
    if simple[:1] not in rules.first:
        return None
    if rules.notes.fullmatch(simple):
        return HeadingMatch(_NOTES, None, 0, len(simple), True)
    m = rules.attachments.match(simple)
    if m is not None:  # the heading is the label, the colon closes it (a heading end mark)
        return HeadingMatch(_ATTACHMENTS, None, 0, m.end() - 1, True)
    return None


class _HeadingRules(NamedTuple):
    """What :func:`match_heading` reads for every line, looked up once (it runs on
    about every line of a corpus, so its calls and look-ups add up)."""

    start: re.Pattern[str] | None  # StructureConfig.heading_start
    family_of: dict[str, Family]  # its branch group (``_h<index>``) -> that family
    # Per family: the ``num`` and ``word`` group numbers, 0 if it has none (see _ordinal).
    groups: dict[str, tuple[int, int]]
    clause_end: Any  # StructureConfig.clause_end.search
    max_chars: int
    label_max: int  # headings.label.max_chars: a longer text is no label
    closing_first: frozenset[str]  # _ClosingRules.first: only such a line may head notes
    notes_max: int  # _ClosingRules.longest: a longer heading title names no notes


@cache
def _heading_rules() -> _HeadingRules:
    cfg = load_structure_config()
    return _HeadingRules(
        start=cfg.heading_start,
        family_of={f"_h{i}": family for i, family in enumerate(cfg.families)},
        groups={
            f.id: (f.pattern.groupindex.get("num", 0), f.pattern.groupindex.get("word", 0))
            for f in cfg.families
        },
        clause_end=cfg.clause_end.search,
        max_chars=cfg.max_chars,
        label_max=cfg.raw["headings"]["label"]["max_chars"],
        closing_first=_closing_rules().first,
        notes_max=_closing_rules().longest,
    )


@lru_cache(maxsize=1024)
def _numeral(numeral: str) -> int | None:
    """:func:`cn_to_int`, remembered (a list's few numerals recur on every heading)."""
    return cn_to_int(numeral)


@lru_cache(maxsize=8192)  # each line is asked for several times (joining, parsing, titles)
def match_heading(simple: str) -> HeadingMatch | None:
    """The heading at the start of a Simplified text, ignoring list state.

    Examples
    --------
    >>> h = match_heading("(一)县直机关党组织需进一步深化创新。从机关服务的内容上看")
    >>> h.family.id, h.num, h.marker_end, h.clause_end
    ('paren_cn', 1, 3, 18)
    >>> match_heading("2013年09月18日") is None
    True
    """
    rules = _heading_rules()
    if rules.start is None:  # the families could not be combined: try each in turn
        found = _family_match(simple, load_structure_config())
    else:  # _family_match inlined: most lines match no family
        m = rules.start.match(simple)
        family = None if m is None else rules.family_of[m.lastgroup]  # type: ignore[index]
        found = None if family is None else (family, family.pattern.match(simple))
    if found is not None:
        family, m = found
        marker_end = m.end()
        clause = rules.clause_end(simple, marker_end)
        end = clause.start() if clause else len(simple)  # _clause_end
        if end - marker_end > rules.max_chars:
            return None
        # _ordinal, without building the match's group dict
        num_group, word_group = rules.groups[family.id]
        numeral = m.group(num_group) if num_group else None
        if numeral:
            num = _numeral(numeral)
        else:
            num = family.ordinals.get((m.group(word_group) if word_group else None) or "")
        if end - marker_end > rules.notes_max or num is None:  # most headings
            return HeadingMatch(family, num, marker_end, end)
        # A numbered heading titled as notes ("四、参考文献") opens notes too.
        closing = (
            simple[marker_end : marker_end + 1] in rules.closing_first
            and _closing_rules().notes.fullmatch(simple, marker_end, end) is not None
        )
        return HeadingMatch(family, num, marker_end, end, closing)
    if simple[:1] in rules.closing_first:  # most lines: not a notes or attachments heading
        closing = closing_heading(simple)
        if closing is not None:
            return closing
    if simple and len(simple) <= rules.label_max and is_label(simple):  # else no label
        return HeadingMatch(_LABEL, None, 0, len(simple))
    return None


def is_subtitle(simple: str) -> bool:
    """Whether a whole line has the form of a sub-title: short, unnumbered, without
    punctuation (see module notes). It is one only when no later line continues an
    open list (:meth:`_Parser.continued`); else it is a body line.

    Examples
    --------
    >>> is_subtitle("筑牢干群关系的“信任基石”"), is_subtitle("完成时限:长期整改")
    (True, False)
    """
    cfg = load_structure_config()
    sub = cfg.raw["headings"]["subtitle"]
    return (
        0 < len(simple) <= sub["max_chars"]
        and not cfg.patterns["subtitle_forbidden"].search(simple)
        and match_heading(simple) is None
    )


# --------------------------------------------------------------------- broken lines


#: A Markdown file's heading (``headings.markdown``), placed by its level.
_MARKDOWN = Family("markdown", re.compile(""), {})
_NEVER = re.compile("(?!)")  # a rule a user's file leaves out matches nothing


class _MarkdownRules(NamedTuple):
    """``headings.markdown`` and ``roles.english`` of ``structure.yaml``, compiled."""

    list_item: re.Pattern[str]  # match: a Markdown ordered-list item ("1. …")
    english: tuple[tuple[re.Pattern[str], str], ...]  # whole English role words, any case


@cache
def _markdown_rules() -> _MarkdownRules:
    """The Markdown heading rules (none when a user's file has no such section)."""
    raw = load_structure_config().raw
    markdown = raw["headings"].get("markdown") or {}
    english = raw["roles"].get("english") or {}
    return _MarkdownRules(
        list_item=re.compile(markdown["list_item"]) if markdown.get("list_item") else _NEVER,
        english=tuple(
            (re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE), role)
            for role, words in english.items()
            if words
        ),
    )


def markdown_heading_roles(simple: str) -> tuple[str, ...]:
    """The roles a Markdown heading's Simplified text names: its Chinese role words
    (:func:`classify_roles`), else its English ones (``roles.english``), in the order
    they come.

    Examples
    --------
    >>> markdown_heading_roles("Causes 原因"), markdown_heading_roles("Countermeasures")
    (('cause',), ('countermeasure',))
    >>> markdown_heading_roles("Problems and Causes"), markdown_heading_roles("Background")
    (('problem', 'cause'), ())
    """
    roles = classify_roles(simple)
    if roles:
        return roles
    found = sorted(
        (m.start(), role)
        for rx, role in _markdown_rules().english
        for m in [rx.search(simple)]
        if m is not None
    )
    return tuple(dict.fromkeys(role for _, role in found))


@lru_cache(maxsize=16)
def _pair_scanner(
    pairs: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    """(regex of the pair characters, opener -> closer, closer -> opener) of ``pairs``."""
    chars = re.compile(f"[{re.escape(''.join(pairs))}]")
    return chars, {p[0]: p[1] for p in pairs}, {p[1]: p[0] for p in pairs}


def _unclosed(
    text: str,
    pairs: list[str],
    scanner: tuple[re.Pattern[str], dict[str, str], dict[str, str]] | None = None,
) -> str | None:
    """The closer of the last unclosed opening quote/bracket in ``text``, if any;
    ``scanner`` is ``_pair_scanner(tuple(pairs))`` when the caller has it.

    Examples
    --------
    >>> _unclosed("制止“走", ["“”", "()"]), _unclosed("“甲”(乙)", ["“”", "()"])
    ('”', None)
    """
    stack: list[str] = []
    chars, openers, closers = scanner or _pair_scanner(tuple(pairs))
    # Only the pair characters matter: let the regex engine skip the rest.
    for ch in chars.findall(text):
        if ch in openers:
            stack.append(ch)
        elif ch in closers and stack and stack[-1] == closers[ch]:
            stack.pop()
    return openers[stack[-1]] if stack else None


@dataclass(frozen=True)
class _JoinRules:
    """``headings.join`` of ``structure.yaml`` as :func:`_continues` reads it per line."""

    pairs: list[str]
    closer: re.Pattern[str]  # any closing character of a pair
    opener: re.Pattern[str]  # any opening character of a pair
    continuation_end: re.Pattern[str]
    bare_end: re.Pattern[str]
    # How far before the end each of the two is searched (TailSearch, inlined: it runs
    # twice per line); 0 searches the whole line.
    continuation_back: int
    bare_back: int
    sentence_end: re.Pattern[str]
    scanner: tuple[re.Pattern[str], dict[str, str], dict[str, str]]  # _pair_scanner(pairs)
    # A note mark (sentences.note_marks) at the start of a line: "〔14〕…" starts a note of
    # its own, and joined to the line before, its mark would be cut off (it stays with the
    # sentence before it, on the earlier line).
    note_start: re.Pattern[str]


def _back(tail: TailSearch) -> int:
    """Characters before the end where ``tail.search`` starts, 0 for a whole search."""
    return 0 if tail.width is None else tail.width + 1


@cache
def _join_rules() -> _JoinRules:
    structure = load_structure_config()
    pairs = structure.raw["headings"]["join"]["pairs"]
    closers = "".join(pair[1] for pair in pairs)
    openers = "".join(pair[0] for pair in pairs)
    return _JoinRules(
        pairs=pairs,
        closer=re.compile(f"[{re.escape(closers)}]" if closers else "(?!)"),  # (?!): never
        opener=re.compile(f"[{re.escape(openers)}]" if openers else "(?!)"),
        continuation_end=structure.tails["continuation_end"].pattern,
        bare_end=structure.tails["bare_end"].pattern,
        continuation_back=_back(structure.tails["continuation_end"]),
        bare_back=_back(structure.tails["bare_end"]),
        sentence_end=structure.patterns["sentence_end"],
        scanner=_pair_scanner(tuple(pairs)),
        note_start=re.compile(structure.raw["sentences"].get("note_marks") or "(?!)"),
    )


def _opens(nxt: str, rules: _JoinRules) -> bool:
    """Whether Simplified line ``nxt`` starts something of its own: a heading or a note
    (its mark first, "〔14〕…"); such a line continues no other."""
    return match_heading(nxt) is not None or rules.note_start.match(nxt) is not None


def _continues(prev: str, nxt: str, rules: _JoinRules | None = None) -> bool:
    """Whether Simplified line ``nxt`` continues line ``prev`` (see :func:`join_broken_lines`).

    ``nxt`` never continues when it is a heading or starts with a note mark (:func:`_opens`);
    that is asked last, when ``prev`` would be continued, as most lines end a sentence and
    are not continued at all.
    ``rules`` is :func:`_join_rules` when the caller has it (asked for every line).
    """
    if rules is None:
        rules = _join_rules()
    # Only a closer that occurs in ``nxt`` can join; most lines hold none of them, and
    # then scanning ``prev`` for unclosed quotes is not needed.
    # And only an opener in ``prev`` can be unclosed.
    if rules.closer.search(nxt) is not None and rules.opener.search(prev) is not None:
        closer = _unclosed(prev, rules.pairs, rules.scanner)
        if closer is not None and closer in nxt:
            return not _opens(nxt, rules)
    # Where the tails are searched from: TailSearch.search, inlined (0: everywhere).
    end = len(prev)
    back = rules.continuation_back
    if rules.continuation_end.search(prev, end - back if 0 < back < end else 0):
        return not _opens(nxt, rules)
    back = rules.bare_back
    if not rules.bare_end.search(prev, end - back if 0 < back < end else 0):
        return False
    sentences = rules.sentence_end.split(prev)
    return (
        len(sentences) > 1
        and match_heading(sentences[-1].strip()) is None
        and not _opens(nxt, rules)
    )


def join_broken_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join lines the source broke in the middle of a heading or sentence.

    A line is joined to the previous one (keeping the first line number) when it is
    not a heading nor a note that starts with its mark ("〔14〕…", ``sentences.note_marks``)
    and the previous line has an opening quote closed on this line,
    ends with a comma, or ends without punctuation after a complete sentence whose
    trailing fragment is not a heading.

    Examples
    --------
    >>> join_broken_lines([(22, "(二)嚴肅工作紀律,制止“"), (23, "走讀”現象"), (24, "自覺遵守。")])
    [(22, '(二)嚴肅工作紀律,制止“走讀”現象'), (24, '自覺遵守。')]
    >>> join_broken_lines([(1, "一、存在的问题"), (2, "干部作风不实。")])
    [(1, '一、存在的问题'), (2, '干部作风不实。')]
    """
    return [(line_no, text) for line_no, text, _ in _join_lines(lines)]


def _join_lines(
    lines: list[tuple[int, str]], keep: Container[int] = ()
) -> list[tuple[int, str, str | None]]:
    """:func:`join_broken_lines`, with each line's :func:`simplified_aligned` text, or
    ``None`` for a joined line (converting the joined text may differ from joining the
    converted parts, at a phrase across the break). A line numbered in ``keep`` (a
    Markdown heading: its line is the heading, whatever it ends in) is joined to
    neither neighbour."""
    out: list[tuple[int, str, str | None]] = []
    prev_simple = ""
    texts = [text for _, text in lines]
    # One look-up call for the article's lines (boilerplate removal remembered them);
    # a conversion that changed a line's length is aligned character by character.
    converted = to_simplified_many(texts)
    rules = _join_rules()
    for (line_no, text), simple in zip(lines, converted, strict=True):
        if len(simple) != len(text):
            simple = simplified_aligned(text)
        if (
            out
            and line_no not in keep
            and out[-1][0] not in keep
            and _continues(prev_simple, simple, rules)
        ):
            out[-1] = (out[-1][0], out[-1][1] + text, None)
            prev_simple += simple
        else:
            out.append((line_no, text, simple))
            prev_simple = simple
    return out


# -------------------------------------------------------------------------- parsing


@dataclass(slots=True)  # made for every heading: slots make that and each look-up cheaper
class _Open:
    """An open section on the heading stack."""

    family: str
    num: int | None
    path_num: int
    title: str
    roles: tuple[str, ...]
    current: str
    has_body: bool = False
    path: str = ""  # the dotted section path down to this entry (see _Parser._section)
    atx: int = 0  # a Markdown heading's level (its count of "#"), 0 for any other heading


def _title(text: str, match: HeadingMatch) -> str:
    return text[match.marker_end : match.clause_end].strip().rstrip("，,、:：。；;")


@cache
def _midline_screen() -> re.Pattern[str] | None:
    """The families that may start mid-line as one alternation: where it finds nothing,
    :meth:`_Parser.find_midline` cannot either (``None``: no screen)."""
    families = load_structure_config().families
    return start_screen([f.pattern for f in families if f.midline])


class _Ahead(NamedTuple):
    """The numbered headings at the start of an article's lines, for the look-ahead of
    :meth:`_Parser.continued` (built on its first call: most articles never ask)."""

    index: dict[int, int]  # line_no -> position of the line in the article
    at: list[int]  # positions of the lines that start with a numbered heading, ascending
    family: list[str]  # and each one's family
    num: list[int]  # and its number

    @classmethod
    def of(cls, lines: list[tuple[int, str, str | None]]) -> _Ahead:
        index: dict[int, int] = {}
        at: list[int] = []
        family: list[str] = []
        num: list[int] = []
        for i, (line_no, text, simple) in enumerate(lines):
            index.setdefault(line_no, i)
            # match_heading is cached: the parse asks for most of these lines anyway
            h = match_heading((simplified_aligned(text) if simple is None else simple).strip())
            if h is not None and h.num is not None:
                at.append(i)
                family.append(h.family.id)
                num.append(h.num)
        return cls(index, at, family, num)


@dataclass(slots=True)
class _Closing:
    """A notes or attachments section being read: its lines are body paragraphs of role
    ``other``, never headings (:meth:`_Parser.closing_line`)."""

    nested: bool  # inside a list that goes on later: the entry goes when the section ends
    until: int | None  # the line that continues that list ends it (None: no such line)
    items_only: bool  # notes inside a list: only lines that start with a note mark
    entry: _Open | None = None  # the section's entry, the top of the stack while it is read
    attachments: bool = False
    family: str | None = None  # attachments: the family of the list's items, once known
    next_num: int | None = None  # attachments: the next item's number (None: no list)
    first: bool = True  # no line read yet (the first line after a notes heading is a note)


class _ParserSettings(NamedTuple):
    """What every :class:`_Parser` reads from ``structure.yaml``."""

    cfg: StructureConfig
    sentence_end: frozenset[str]  # the sentence terminators and a space
    midline_families: list[Family]
    midline_screen: re.Pattern[str] | None
    subtitle_max: int
    subtitle_forbidden: re.Pattern[str]
    closing_rules: _ClosingRules


@cache
def _parser_settings() -> _ParserSettings:
    """:class:`_ParserSettings` of the bundled ``structure.yaml``, derived once: a parser
    is made for every article (deriving them each time cost 7 us an article)."""
    cfg = load_structure_config()
    subtitle = cfg.raw["headings"]["subtitle"]
    return _ParserSettings(
        cfg,
        frozenset(cfg.raw["sentences"]["terminators"]) | {" "},
        [f for f in cfg.families if f.midline],
        _midline_screen(),
        subtitle["max_chars"],
        cfg.patterns["subtitle_forbidden"],
        _closing_rules(),
    )


class _Parser:
    """Stateful heading-stack parser for one article.

    ``lines`` are the article's joined lines (:func:`_join_lines`), read ahead by
    :meth:`continued`; :meth:`parse` sets them.
    """

    def __init__(
        self,
        lines: list[tuple[int, str, str | None]] | None = None,
        markdown: Mapping[int, int] | None = None,
    ) -> None:
        settings = _parser_settings()
        self.markdown = dict(markdown or {})  # Markdown heading lines: line_no -> level
        self.cfg = settings.cfg
        self.stack: list[_Open] = []
        self.lines = lines or []
        self._ahead: _Ahead | None = None
        self.sentence_end = settings.sentence_end
        self.midline_families = settings.midline_families
        self.midline_screen = settings.midline_screen
        self.subtitle_max: int = settings.subtitle_max
        self.subtitle_forbidden = settings.subtitle_forbidden
        self.closing: _Closing | None = None  # a notes or attachments section being read
        self.closing_rules = settings.closing_rules

    # -- list state
    def _is_open(self, family_id: str) -> bool:
        return any(e.family == family_id for e in self.stack)

    def _is_successor(self, family_id: str, num: int | None) -> bool:
        return num is not None and any(
            e.family == family_id and e.num == num - 1 for e in self.stack
        )

    def continued(self, line_no: int) -> bool:
        """Whether a later line continues a list that is open now: for some family on the
        stack, the first heading of that family at the start of a line after ``line_no``
        has the next number of an open heading of the family (``二、`` after an open
        ``一、``; a ``1`` or any other number restarts or skips, and does not count).

        Then a short unpunctuated line at ``line_no`` lies inside the current section,
        not at the start of a new piece of a compilation (see the module notes on
        sub-titles), and a role label there nests below the innermost open heading.

        Examples
        --------
        >>> lines = _join_lines([(1, "一、存在的问题"), (2, "干部作风漂浮"), (3, "二、原因")])
        >>> parser = _Parser(lines)
        >>> _ = parser.heading_paragraph(1, "一、存在的问题", match_heading("一、存在的问题"),
        ...                              "一、存在的问题")
        >>> parser.continued(2), parser.continued(3)
        (True, False)
        """
        return self.continuing_line(line_no) is not None

    def continuing_line(self, line_no: int) -> int | None:
        """The number of the line that continues a list open now (see :meth:`continued`),
        ``None`` when no later line does."""
        stack = self.stack
        if not stack:
            return None
        ahead = self._ahead
        if ahead is None:
            ahead = self._ahead = _Ahead.of(self.lines)
        here = ahead.index.get(line_no)
        if here is None:
            return None
        undecided = {e.family for e in stack if e.num is not None}
        families, nums = ahead.family, ahead.num
        for j in range(bisect_right(ahead.at, here), len(ahead.at)):
            if not undecided:
                break
            family = families[j]
            if family in undecided:
                before = nums[j] - 1
                if any(e.family == family and e.num == before for e in stack):
                    return self.lines[ahead.at[j]][0]
                undecided.discard(family)  # its list restarts or skips: not continued
        return None

    def _list_end(self, line_no: int, family: str | None, num: int) -> int:
        """The last line of the numbered list whose item ``num`` (of ``family``; ``None``:
        any) the line after ``line_no`` may start: each next line holding the next item;
        ``line_no`` itself when the list has no such line."""
        ahead = self._ahead
        if ahead is None:
            ahead = self._ahead = _Ahead.of(self.lines)
        here = ahead.index.get(line_no)
        last = line_no
        if here is None:
            return last
        for next_no, text, simple in self.lines[here + 1 :]:
            h = match_heading((simplified_aligned(text) if simple is None else simple).strip())
            if h is None or h.num != num or (family is not None and h.family.id != family):
                break
            family, num, last = h.family.id, num + 1, next_no
        return last

    def accepts(self, h: HeadingMatch, simple: str | None = None) -> bool:
        """Whether a stateless heading match (at the start of ``simple``, when given) is a
        heading in the current list state."""
        if h.family.continue_only and h.num != 1:
            return self._is_open(h.family.id)
        return simple is None or not self.inline_list(h, simple)

    def inline_list(self, h: HeadingMatch, simple: str) -> bool:
        """Whether ``simple``, starting with item ``h`` of an ``inline_list`` family whose
        list is not open as headings, holds the next item too ("一是…；二是…"): then it is
        one enumerating paragraph of the current section. As a heading, item 1 would
        title a section holding items 2 and 3 and every paragraph after them, and at the
        top level give them all its own role.

        Examples
        --------
        >>> parser = _Parser()
        >>> text = "一是学习不深入；二是联系群众不经常。"
        >>> parser.inline_list(match_heading(text), text)
        True
        >>> text = "一是学习不深入，满足于读文件。"
        >>> parser.inline_list(match_heading(text), text)
        False
        """
        family = h.family
        if not family.inline_list or h.num is None or self._is_open(family.id):
            return False
        after = h.num + 1
        later = family.pattern.finditer(simple, h.clause_end)
        return any(_ordinal(m, family) == after for m in later)

    def _depth(self, h: HeadingMatch, line_no: int | None = None) -> int:
        """Where heading ``h`` (on line ``line_no``) goes on the stack (see the module
        notes on levels).

        In order: the innermost open heading it is the successor of; an unopened label
        at the top level (one level deeper when a later line continues an open list,
        :meth:`continued`; not asked without ``line_no``), any other unopened family
        one level deeper; a number 1 right after a heading of its family without text
        in between one level deeper; else the innermost open heading of its family.
        One pass down the stack finds both the successor and the innermost entry of
        the family.
        """
        fam, num = h.family.id, h.num
        stack = self.stack
        before = None if num is None else num - 1
        innermost = -1  # of the family
        for depth in range(len(stack) - 1, -1, -1):
            entry = stack[depth]
            if entry.family == fam:
                if before is not None and entry.num == before:
                    return depth
                if innermost < 0:
                    innermost = depth
        if innermost < 0:
            if fam != _LABEL.id:
                return len(stack)
            return len(stack) if line_no is not None and self.continued(line_no) else 0
        top = stack[-1]
        if num == 1 and top.family == fam and not top.has_body:
            return len(stack)
        return innermost

    def _roles(self, depth: int, h: HeadingMatch, simple: str) -> tuple[tuple[str, ...], str]:
        parent = self.stack[depth - 1] if depth > 0 else None
        label = h.family is _LABEL  # a role label names its own role, also when nested
        single = parent is not None and parent.roles != (OTHER,) and len(parent.roles) == 1
        if single and not label:
            # The parent's one role is the child's whatever it names: not classified (most
            # sub-headings; classifying was a third of placing a heading).
            return parent.roles, parent.roles[0]  # type: ignore[union-attr]  # single: a parent
        own = (h.family.role,) if h.family.role else classify_roles(simple[: h.clause_end])
        if parent is None or parent.roles == (OTHER,) or (single and own):
            roles = own or (OTHER,)
            return roles, roles[0]
        mine = next((r for r in own if r in parent.roles), None)
        return parent.roles, mine or parent.current

    def place(self, h: HeadingMatch, text: str, simple: str, line_no: int | None = None) -> _Open:
        """Put a heading (on line ``line_no``) on the stack and return its entry.

        A notes or attachments heading (:func:`closing_heading`, or a numbered heading
        titled "参考文献") also starts reading its section (:attr:`closing`).
        """
        stack = self.stack
        closing = None
        if not h.closing:  # most headings
            depth = self._depth(h, line_no)
            roles, current = self._roles(depth, h, simple)
        elif h.family.id in _CLOSING_FAMILIES:
            depth, closing = self._closing_depth(h, simple, line_no)
            roles, current = (OTHER,), OTHER
        else:  # "四、参考文献": a section of notes, placed as its number says
            depth = self._depth(h, line_no)
            roles, current = (OTHER,), OTHER
            closing = _Closing(False, None, False)  # until: set once the heading is placed
        num = h.num
        if num is not None:
            path_num = num
        else:  # unnumbered: count on from the sibling it replaces
            path_num = stack[depth].path_num + 1 if depth < len(stack) else 1
        # The entries below ``depth`` stay, so the parent's path is final: extend it.
        path = f"{stack[depth - 1].path}.{path_num}" if depth > 0 else str(path_num)
        entry = _Open(h.family.id, num, path_num, _title(text, h), roles, current, False, path)
        del stack[depth:]
        stack.append(entry)
        if closing is not None:
            closing.entry = entry
            if num is not None and line_no is not None:
                # A numbered notes section ends where its list goes on ("五、" after "四、").
                closing.until = self.continuing_line(line_no)
            self.closing = closing
        return entry

    def _closing_depth(
        self, h: HeadingMatch, simple: str, line_no: int | None
    ) -> tuple[int, _Closing]:
        """Where a notes or attachments heading goes on the stack, and how its section is
        read. At the top level, closing every open section, unless a later line continues
        a list open now (after the attachments list, for attachments): then one level
        below the innermost open heading, up to that line. A table note ("注：",
        ``table_notes``) always nests, holding only note lines."""
        depth = len(self.stack)
        if h.family is _ATTACHMENTS:
            rest = simple[h.clause_end + 1 :].strip()  # after the label's colon
            first = match_heading(rest) if rest else None
            if not rest:  # "附件：" alone: the list's items follow, from 1
                family, next_num = None, 1
            elif first is not None and first.num == 1:  # "附件：1.台账": item 2 follows
                family, next_num = first.family.id, 2
            else:  # one attachment named, no list
                family, next_num = None, None
            last = line_no
            if line_no is not None and next_num is not None:
                last = self._list_end(line_no, family, next_num)
            until = None if last is None else self.continuing_line(last)
            closing = _Closing(until is not None, until, False, None, True, family, next_num)
        else:
            until = None if line_no is None else self.continuing_line(line_no)
            if _ideographs(simple) in self.closing_rules.brief:  # a note or two: nested
                closing = _Closing(True, until, True)
            else:
                closing = _Closing(until is not None, until, until is not None)
        return (depth if closing.nested else 0), closing

    def closing_line(self, line_no: int, text: str, simple: str | None) -> Paragraph | None:
        """The paragraph of a line of the notes or attachments section being read, or
        ``None`` when the section has ended before this line (which is then parsed as
        usual).

        Notes end at the line continuing an open list (:attr:`_Closing.until`), at a
        notes or attachments heading, and at a short line of sub-title form (or a role
        label) that starts with no note mark (the next piece of a compilation, its title
        such as "干部作风建设的思考"); notes inside an open list
        also at the first line, after their first, that starts with no note mark. An
        attachments list ends at the first line that is not its next item.
        """
        closing = self.closing
        assert closing is not None
        simple = (simplified_aligned(text) if simple is None else simple).strip()
        keep = False
        if closing.until is None or line_no < closing.until:
            h = match_heading(simple)
            if closing.attachments:
                keep = (
                    h is not None
                    and closing.next_num is not None
                    and h.num == closing.next_num
                    and closing.family in (None, h.family.id)
                )
                if keep and h is not None and closing.next_num is not None:
                    closing.family, closing.next_num = h.family.id, closing.next_num + 1
            elif h is None or h.family.id not in _CLOSING_FAMILIES:
                item = self.closing_rules.item.match(simple) is not None
                if closing.items_only:
                    keep = item or closing.first
                else:  # a sub-title or a role label: the next piece's title ("…的思考")
                    keep = item or not (
                        0 < len(simple) <= self.subtitle_max
                        and self.subtitle_forbidden.search(simple) is None
                        and (h is None or h.family is _LABEL)
                    )
        closing.first = False
        if not keep:
            self.closing = None
            if closing.nested and self.stack and self.stack[-1] is closing.entry:
                self.stack.pop()  # the list it interrupted goes on
            return None
        body = text.strip()
        return self.body_paragraph(line_no, body, simple)

    # -- paragraphs
    def _section(self) -> tuple[str, str]:
        if not self.stack:
            return "", ""
        top = self.stack[-1]
        return top.path, top.title  # == ".".join(str(e.path_num) for e in self.stack)

    def heading_paragraph(self, line_no: int, text: str, h: HeadingMatch, simple: str) -> Paragraph:
        entry = self.place(h, text, simple, line_no)  # now the top of the stack: the section
        clause_end = h.clause_end
        if simple[clause_end:].strip(" 。；;：:！？!?"):
            entry.has_body = True
        end = clause_end + (simple[clause_end : clause_end + 1] in _HEADING_END_MARKS)
        level = len(self.stack)
        return Paragraph(line_no, text, True, level, entry.path, entry.title, entry.current, end)

    def body_paragraph(self, line_no: int, text: str, simple: str) -> Paragraph:
        if not self.stack:
            return Paragraph(line_no, text, False, 0, "", "", OTHER)
        top = self.stack[-1]
        top.has_body = True
        if len(top.roles) > 1:
            top.current = paragraph_cue(simple, top.roles) or top.current
        section, title = self._section()
        return Paragraph(line_no, text, False, 0, section, title, top.current)

    def subtitle_paragraph(self, line_no: int, text: str) -> Paragraph:
        """A sub-title: closes every open section (the caller checked :meth:`continued`)."""
        self.stack.clear()
        return Paragraph(line_no, text, False, 0, "", "", OTHER)

    # -- splitting a line
    def _midline_ok(self, simple: str, pos: int, family: Family, num: int | None) -> bool:
        successor = self._is_successor(family.id, num)
        fresh = num == 1 and not self._is_open(family.id)
        after_sentence = simple[pos - 1] in self.sentence_end
        if after_sentence and (successor or fresh):
            return True
        return family.midline == "successor" and successor

    def find_midline(self, simple: str, start: int) -> int | None:
        """Earliest position after ``start`` where a mid-line heading begins."""
        screen = self.midline_screen
        if screen is not None and screen.search(simple, max(start, 1)) is None:
            return None  # most paragraphs: no family that may start mid-line occurs at all
        best: int | None = None
        for family in self.midline_families:
            for m in family.pattern.finditer(simple, max(start, 1)):
                if best is not None and m.start() >= best:
                    break
                num = _ordinal(m, family)
                if self._midline_ok(simple, m.start(), family, num):
                    best = m.start()
                    break
        return best

    def run_in_split(self, simple: str, h: HeadingMatch) -> int | None:
        """Split point when a heading clause ends in a space followed by a heading."""
        if h.clause_end >= len(simple) or simple[h.clause_end] != " ":
            return None
        rest = simple[h.clause_end + 1 :]
        nxt = match_heading(rest)
        return h.clause_end if nxt is not None and self.accepts(nxt, rest) else None

    def _pieces(
        self, line_no: int, rest: str, simple: str | None, out: list[Paragraph], whole: bool = True
    ) -> None:
        """Append the paragraphs of ``rest`` to ``out``, cutting it at each heading: the
        general case of a line. ``whole``: ``rest`` is the whole line (only a whole
        line can be a sub-title); ``simple`` is used for a whole line only."""
        while rest:
            if not whole or simple is None:
                simple = simplified_aligned(rest)
            h = match_heading(simple)
            h = h if h is not None and self.accepts(h, simple) else None
            split = self._split_point(simple, h)
            if (
                h is None
                and split is None
                and whole
                and is_subtitle(simple)
                and not self.continued(line_no)
            ):
                out.append(self.subtitle_paragraph(line_no, rest))
                break
            end = split or len(rest)
            body = rest[:end].strip()
            paragraph = self._paragraph(line_no, body, h, simple if body == rest else None)
            cut = None
            if h is not None and len(self.stack[-1].roles) > 1:  # else no cue can cut
                cut = self._cue_cut(simple[:end], h)
            if cut is not None:
                paragraph.text, end = rest[:cut].strip(), cut
            out.append(paragraph)
            rest, whole = rest[end:].strip(), False

    def parse(self, lines: list[tuple[int, str, str | None]]) -> list[Paragraph]:
        """The paragraphs of each ``(line_no, text, simple)`` line (:func:`_join_lines`).

        Nearly every line is either body text without a heading at its start or inside
        it, or one whole heading; both are made here as :meth:`_pieces` makes them,
        without its loop and its calls per step. Any other line goes through
        :meth:`_pieces` (``tests/test_structure.py`` checks the two agree).
        """
        out: list[Paragraph] = []
        self.lines, self._ahead, self.closing = lines, None, None
        screen = self.midline_screen
        subtitle_max, subtitle_forbidden = self.subtitle_max, self.subtitle_forbidden.search
        for line_no, text, simple in lines:
            if self.markdown:  # a Markdown file with headings: they and their lists first
                paragraph = self._markdown_line(line_no, text, simple)
                if paragraph is not None:
                    out.append(paragraph)
                    continue
            if self.closing is not None:  # notes or attachments: no headings inside
                paragraph = self.closing_line(line_no, text, simple)
                if paragraph is not None:
                    out.append(paragraph)
                    continue
            if simple is None:  # a joined line: its Simplified text is converted whole
                self._pieces(line_no, text, None, out)
                continue
            h = match_heading(simple)
            if h is None:
                if (screen is None or screen.search(simple, 1) is not None) and self.find_midline(
                    simple, 0
                ) is not None:
                    self._pieces(line_no, text, simple, out)  # a heading starts inside
                elif (
                    0 < len(simple) <= subtitle_max
                    and subtitle_forbidden(simple) is None  # is_subtitle
                    and not self.continued(line_no)  # else a short body line
                ):
                    out.append(self.subtitle_paragraph(line_no, text))
                elif text[:1].isspace() or text[-1:].isspace():  # rare: strip and convert
                    out.append(self._body_line(line_no, text, simple))  # type: ignore[arg-type]
                else:
                    out.append(self._body(line_no, text, simple))
            elif self._whole_heading(h, text, simple):
                self._heading_line(line_no, text, simple, h, out)
            else:
                self._pieces(line_no, text, simple, out)
        return out

    def _markdown_line(self, line_no: int, text: str, simple: str | None) -> Paragraph | None:
        """The paragraph of a Markdown heading line, or of an ordered-list item under one
        (a body line of its section, not a numbered heading); ``None`` for any other line.

        A numbered Markdown heading (``## 一、存在的问题``) is placed as its number says,
        below the Markdown headings of a lower level, and is one heading, whatever its line
        holds; a notes heading (``## 注释``, ``## 四、参考文献``) is read as in plain text."""
        simple = simplified_aligned(text) if simple is None else simple
        level = self.markdown.get(line_no)
        if level is None:
            if not any(e.atx for e in self.stack) or not _markdown_rules().list_item.match(
                simple.lstrip()
            ):
                return None
            body = text.strip()
            return self.body_paragraph(
                line_no, body, simple if body == text else simplified_aligned(body)
            )
        text, simple = text.strip(), simple.strip()  # aligned: the same characters go
        h = match_heading(simple)
        if h is None or h.family is _LABEL:
            return self.markdown_heading(line_no, text, simple, level)
        if h.closing:
            return None
        del self.stack[self._markdown_depth(level) :]
        paragraph = self.heading_paragraph(line_no, text, h, simple)
        self.stack[-1].atx = level
        return paragraph

    def _markdown_depth(self, level: int) -> int:
        """Where a Markdown heading of ``level`` goes: below the innermost open Markdown
        heading of a lower level (the top level when there is none)."""
        stack = self.stack
        return next((i + 1 for i in range(len(stack) - 1, -1, -1) if 0 < stack[i].atx < level), 0)

    def markdown_heading(self, line_no: int, text: str, simple: str, level: int) -> Paragraph:
        """A Markdown heading of ``level`` (its count of "#"): it closes the open headings
        of its level and below and names its role (:func:`markdown_heading_roles`), else
        takes its parent's; a notes section open before it ends.

        Examples
        --------
        >>> parser = _Parser(markdown={1: 2, 3: 2})
        >>> for p in parser.parse([
        ...     (1, "Problems 问题", "Problems 问题"), (2, "1. 不深入。", "1. 不深入。"),
        ...     (3, "Causes", "Causes"), (4, "1. 意识淡薄。", "1. 意识淡薄。")]):
        ...     print(p.section, p.role, p.is_heading)
        1 problem True
        1 problem False
        2 cause True
        2 cause False
        """
        stack = self.stack
        depth = self._markdown_depth(level)
        parent = stack[depth - 1] if depth else None
        roles = markdown_heading_roles(simple)
        if roles:
            current = roles[0]
        elif parent is not None:
            roles, current = parent.roles, parent.current
        else:
            roles, current = (OTHER,), OTHER
        path_num = stack[depth].path_num + 1 if depth < len(stack) else 1
        path = f"{parent.path}.{path_num}" if parent is not None else str(path_num)
        title = text.rstrip("，,、:：。；;")
        del stack[depth:]
        stack.append(_Open(_MARKDOWN.id, None, path_num, title, roles, current, False, path, level))
        self.closing = None
        return Paragraph(line_no, text, True, depth + 1, path, title, current, len(text))

    def _body(self, line_no: int, text: str, simple: str) -> Paragraph:
        """:meth:`body_paragraph` inlined (the paragraph of most lines)."""
        stack = self.stack
        if not stack:
            return Paragraph(line_no, text, False, 0, "", "", OTHER)
        top = stack[-1]
        top.has_body = True
        if len(top.roles) > 1:
            top.current = paragraph_cue(simple, top.roles) or top.current
        return Paragraph(line_no, text, False, 0, top.path, top.title, top.current)

    def _whole_heading(self, h: HeadingMatch, text: str, simple: str) -> bool:
        """Whether a line whose start is heading ``h`` is that heading only, with the
        body text it runs into (no heading after it, nothing to strip): then
        :meth:`_pieces` makes one heading paragraph of it (or two, at a role cue)."""
        family = h.family
        if family.continue_only and h.num != 1 and not self._is_open(family.id):
            return False  # not accepted: body text
        if family.inline_list and self.inline_list(h, simple):
            return False  # not accepted: body text
        if text[:1].isspace() or text[-1:].isspace():
            return False
        end = h.clause_end
        if end < len(simple) and simple[end] == " " and self.run_in_split(simple, h):
            return False
        screen = self.midline_screen
        if screen is not None and screen.search(simple, max(end, 1)) is None:
            return True
        return not self.find_midline_after(simple, h)

    def _heading_line(
        self, line_no: int, text: str, simple: str, h: HeadingMatch, out: list[Paragraph]
    ) -> None:
        """The paragraphs :meth:`_pieces` makes of a line :meth:`_whole_heading` accepts."""
        paragraph = self.heading_paragraph(line_no, text, h, simple)
        out.append(paragraph)
        if len(self.stack[-1].roles) > 1:  # else no cue can cut
            cut = self._cue_cut(simple, h)
            if cut is not None:
                paragraph.text = text[:cut].strip()
                self._pieces(line_no, text[cut:].strip(), None, out, whole=False)

    def _body_line(self, line_no: int, text: str, simple: str) -> Paragraph | None:
        """The one paragraph of a whole line without a heading, when no heading starts
        inside it and it is no sub-title (most lines; what :meth:`_pieces` makes of
        them); ``None`` for any other line."""
        if self.find_midline(simple, 0) is not None or (
            is_subtitle(simple) and not self.continued(line_no)
        ):
            return None
        body = text.strip()
        return self.body_paragraph(
            line_no, body, simple if body == text else simplified_aligned(body)
        )

    def _cue_cut(self, simple: str, h: HeadingMatch) -> int | None:
        """Start of run-in text that switches role inside a combined section."""
        top = self.stack[-1]
        if len(top.roles) < 2:
            return None
        pos = h.clause_end
        while pos < len(simple) and simple[pos] in self.sentence_end | {"：", ":"}:
            pos += 1
        cue = paragraph_cue(simple[pos:], top.roles) if pos < len(simple) else None
        return pos if cue is not None and cue != top.current else None

    def _split_point(self, simple: str, h: HeadingMatch | None) -> int | None:
        if h is None:
            return self.find_midline(simple, 0)
        # The heading must be on the stack before looking for its successors.
        return self.run_in_split(simple, h) or self.find_midline_after(simple, h)

    def find_midline_after(self, simple: str, h: HeadingMatch) -> int | None:
        """Mid-line heading after heading ``h`` (whose number then counts as open)."""
        screen = self.midline_screen
        if screen is not None and screen.search(simple, max(h.clause_end, 1)) is None:
            return None  # nothing to find: skip building the trial stack
        saved = list(self.stack)
        entry = _Open(h.family.id, h.num, 0, "", (OTHER,), OTHER)
        self.stack = [*self.stack[: self._depth(h)], entry]
        try:
            return self.find_midline(simple, h.clause_end)
        finally:
            self.stack = saved

    def _paragraph(
        self, line_no: int, text: str, h: HeadingMatch | None, simple: str | None = None
    ) -> Paragraph:
        simple = simplified_aligned(text) if simple is None else simple
        if h is not None:
            return self.heading_paragraph(line_no, text, h, simple)
        return self.body_paragraph(line_no, text, simple)


def parse_structure(
    lines: list[tuple[int, str]], markdown: Mapping[int, int] | None = None
) -> list[Paragraph]:
    """Headings, levels, sections and roles for an article's body lines.

    Parameters
    ----------
    lines
        ``(line_no, text)`` pairs, e.g. :attr:`workbench.corpus.articles.ArticleText.lines`.
    markdown
        The lines that are Markdown headings, line number to level (the count of "#";
        :attr:`workbench.corpus.articles.ArticleText.markdown`): each is a heading of that
        level, and an ordered-list item under one a body line (``headings.markdown``).

    Returns
    -------
    list of Paragraph
        One per line, more when a line holds several headings (split at each);
        broken lines are joined first and keep the first line's number.

    Examples
    --------
    >>> paras = parse_structure([
    ...     (6, "第一个层面,在宏观决策上要把好方向 一是政策制定要标本兼治。"),
    ...     (7, "要立足当前。"),
    ... ])
    >>> for p in paras:
    ...     print(p.line_no, p.text, p.level, p.section, p.section_title)
    6 第一个层面,在宏观决策上要把好方向 1 1 在宏观决策上要把好方向
    6 一是政策制定要标本兼治。 2 1.1 政策制定要标本兼治
    7 要立足当前。 0 1.1 政策制定要标本兼治
    """
    return _Parser(markdown=markdown).parse(_join_lines(lines, markdown or ()))


# ------------------------------------------------------------------------ sentences


def on_source_lines(
    sentences: Sequence[str], lines: Sequence[tuple[int, str]], whole: Sequence[bool]
) -> list[list[tuple[int | None, str]]]:
    """Place sentences on the source lines they came from, cut where a line ends.

    ``sentences`` are the sentences of an article in order, each a verbatim piece of
    the concatenated ``lines`` (as :func:`parse_structure` and :func:`split_sentences`
    leave them); a sentence that crosses the end of a line becomes one piece per line
    (stripped, empty pieces dropped), unless ``whole`` says to keep it (headings). A
    sentence not found in order in the lines is kept whole with line ``None``.
    With ``cut_at_line_breaks: false`` in ``structure.yaml`` no sentence is cut.

    Parameters
    ----------
    sentences : sequence of str
    lines : sequence of (int, str)
        The article's ``(line_no, text)`` body lines.
    whole : sequence of bool
        Per sentence: keep it whole (on the line it starts on).

    Returns
    -------
    list of list of (int or None, str)
        Per sentence, its ``(line_no, piece)`` pieces.

    Examples
    --------
    >>> lines = [(3, "干部要定期走访困难家庭，倾听群"), (4, "众意见。每月的接待日都要")]
    >>> on_source_lines(["干部要定期走访困难家庭，倾听群众意见。", "每月的接待日都要"],
    ...                 lines, [False, False])
    [[(3, '干部要定期走访困难家庭，倾听群'), (4, '众意见。')], [(4, '每月的接待日都要')]]
    """
    cut = load_structure_config().raw["sentences"].get("cut_at_line_breaks", True)
    stream = "".join(text for _, text in lines)
    starts = [0, *accumulate(len(text) for _, text in lines)]
    numbers = [n for n, _ in lines]
    out: list[list[tuple[int | None, str]]] = []
    cursor = 0
    for sentence, keep in zip(sentences, whole, strict=True):
        pos = stream.find(sentence, cursor) if sentence else -1
        if pos < 0:
            out.append([(None, sentence)])
            continue
        end = pos + len(sentence)
        cursor = end
        i = bisect_right(starts, pos) - 1
        if keep or not cut:
            out.append([(numbers[i], sentence)])
            continue
        pieces: list[tuple[int | None, str]] = []
        a = pos
        while a < end:
            b = min(end, starts[i + 1])
            piece = stream[a:b].strip()
            if piece:
                pieces.append((numbers[i], piece))
            a, i = b, i + 1
        out.append(pieces or [(numbers[bisect_right(starts, pos) - 1], sentence)])
    return out


def _matched_pairs(text: str, rules: SentenceRules) -> list[tuple[int, int]]:
    """(opener, closer) positions of the matched quote/bracket pairs in ``text``.

    A closer matches the innermost open opener of its kind and closes everything
    opened after it; unmatched closers and openers are ignored.
    """
    openers, closer_of = rules.openers, rules.closer_of
    stack: list[int] = []  # positions of the open openers
    kinds: list[str] = []  # and the openers themselves
    matched: list[tuple[int, int]] = []
    for m in rules.pair_chars.finditer(text):  # only the pair characters matter
        i = m.start()
        ch = text[i]
        if ch in openers:
            stack.append(i)
            kinds.append(ch)
        elif ch in closer_of:
            opener = closer_of[ch]
            for k in range(len(stack) - 1, -1, -1):
                if kinds[k] == opener:
                    matched.append((stack[k], i))
                    del stack[k:], kinds[k:]
                    break
    return matched


def split_sentences(text: str, max_chars: int | None = None) -> list[str]:
    """Split Chinese text into sentences.

    Sentences end at ``。！？!?；;`` and at an ellipsis ``…`` that ends a line; a run of
    terminators and the closing quotes/brackets after it (``”’」』）)》】``) stay with
    the sentence, and so do the note marks after those (``…执行不力。[2]``, ``［2］``,
    ``[^1]``, superscript digits, a circled ``①`` that ends the text — elsewhere ``①``
    opens a list item; ``sentences.note_marks`` in ``structure.yaml``). A terminator
    inside a matched pair of quotes or brackets does not split
    (``“事出公心,民则顺之;事出私心,民则逆之”。`` is one sentence)
    unless a closer follows it directly (``…群众工作。”黨的…`` splits after ``”``);
    unmatched quotes are ignored. A newline always ends a sentence. A sentence longer
    than ``sentences.max_chars`` of ``structure.yaml`` (1,000 characters: a run-on line
    without punctuation) is cut at the last space or comma (``sentences.cut_at``) before
    that length, the comma staying with the piece before it, or at the length when it
    holds none. Sentences are stripped, none is empty, and ``"".join(result)`` equals
    ``text`` with the whitespace at sentence boundaries removed.

    Parameters
    ----------
    text
        Any text, typically :attr:`Paragraph.text` (original script is fine).
    max_chars
        The longest sentence; by default ``sentences.max_chars`` of ``structure.yaml``,
        0 for no limit.

    Returns
    -------
    list of str
        The sentences, in order.

    Examples
    --------
    >>> split_sentences("古人常讲“事出公心,民则顺之;事出私心,民则逆之”。要掌握好")
    ['古人常讲“事出公心,民则顺之;事出私心,民则逆之”。', '要掌握好']
    >>> split_sentences("真的吗?!好…… 下一句……")
    ['真的吗?!', '好…… 下一句……']
    >>> split_sentences("制度执行不力。[2]要加强监督。①")
    ['制度执行不力。[2]', '要加强监督。①']
    >>> split_sentences("  ")
    []
    >>> [len(s) for s in split_sentences("干部要深入群众 " * 300)]
    [999, 999, 399]
    """
    rules = load_structure_config().sentences
    assert rules is not None  # always built by load_structure_config
    limit = rules.max_chars if max_chars is None else max_chars
    if 0 < limit < len(text):  # only a text this long can hold a longer sentence
        return _capped(split_sentences(text, 0), limit, rules.cut_at)
    # Without an ellipsis and without a terminator inside quotes every terminator run
    # ends a sentence, so one findall cuts them all (and skips each newline).
    if rules.special.search(text) is None:  # no ellipsis, quote or bracket at all
        return [s for s in map(str.strip, rules.piece.findall(text)) if s]
    if (
        rules.mark_span is not None  # only when the pairs and marks are disjoint
        and (rules.ellipsis_re is None or rules.ellipsis_re.search(text) is None)
        and rules.mark_span.match(text) is None
    ):  # no terminator from the first pair character to the last: none inside a pair
        return [s for s in map(str.strip, rules.piece.findall(text)) if s]
    pairs = _matched_pairs(text, rules) if rules.pair_chars.search(text) else []
    if (
        rules.disjoint
        and (rules.ellipsis_re is None or rules.ellipsis_re.search(text) is None)
        and not any(rules.mark.search(text, a, b) for a, b in pairs)
    ):
        return [s for s in map(str.strip, rules.piece.findall(text)) if s]
    return _split_at_boundaries(text, rules, pairs)


def _capped(sentences: list[str], limit: int, cut_at: str) -> list[str]:
    """``sentences``, each longer than ``limit`` cut at the last of the characters
    ``cut_at`` before that length (kept with the piece before it), or at the length.

    Examples
    --------
    >>> _capped(["甲乙，丙丁戊己庚", "甲乙丙丁戊己", "甲乙"], 5, " ，")
    ['甲乙，', '丙丁戊己庚', '甲乙丙丁戊', '己', '甲乙']
    """
    out: list[str] = []
    for sentence in sentences:
        while len(sentence) > limit:
            cut = max(sentence.rfind(c, 0, limit) for c in cut_at) + 1 if cut_at else 0
            cut = cut or limit  # none of them before the limit (rfind -1, plus 1: 0)
            piece, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if piece:
                out.append(piece)
        if sentence:
            out.append(sentence)
    return out


def _outermost(pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Starts and ends of the union of the ``[a, b)`` spans of ``pairs``, as disjoint
    spans in order: a position lies in some pair's span exactly when it lies in one of
    these, which bisection finds (matched pairs nest or are disjoint; any spans work).

    Examples
    --------
    >>> _outermost([(5, 9), (0, 3), (6, 7), (2, 4)])
    ([0, 5], [4, 9])
    """
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(pairs):
        if a >= b:
            continue  # an empty span holds no position
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _split_at_boundaries(
    text: str, rules: SentenceRules, pairs: list[tuple[int, int]]
) -> list[str]:
    """:func:`split_sentences` checking each terminator run (ellipses, quotes)."""
    sentences: list[str] = []
    start = 0
    starts, ends = _outermost(pairs)
    for m in rules.boundary.finditer(text):
        run = m.group("run")
        if run is None:  # a newline always ends a sentence, and is dropped
            end, start_next = m.start(), m.end()
        else:  # a terminator run with its closers
            end = start_next = m.end()
            if rules.ellipsis.issuperset(run) and end < len(text) and text[end] != "\n":
                continue  # an ellipsis ends a sentence only at the end of a line
            k = bisect_right(starts, end - 1) - 1  # any(a <= end - 1 < b for a, b in pairs)
            if k >= 0 and end - 1 < ends[k]:
                continue  # inside quotes/brackets (a closer right after it is outside)
        sentences.append(text[start:end].strip())
        start = start_next
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]
