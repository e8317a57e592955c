"""Cheap, exact pre-checks before running a regex: the literal text it cannot match without.

Many rule regexes (boilerplate rules, article markers) are tried on every line and
almost never match. Python's regex engine cannot skip a line quickly when a pattern
starts with a look-behind, a lazy ``.*?`` or an alternation of anchored branches, so
such a pattern costs microseconds per line. But a pattern such as
``(?P<title>.*?)\\s*【第(?P<num>…)篇】`` can only match a text that contains ``【第``
and ``篇】``: checking that with ``in`` (a C substring search) first is far cheaper.

:func:`needed_literals` reads the pattern's parse tree and returns, per top-level
alternative, the literal strings every match of that alternative contains.
:class:`Precheck` wraps a compiled pattern: ``may_match(text)`` is ``False`` only when
no alternative's literals all occur in ``text``, in which case ``search``, ``match``
and ``fullmatch`` (on the whole text or any slice of it) all fail. Literals under a
repeat that may run zero times, inside classes, look-arounds or case-insensitive
parts are simply not required, so the check can only be too permissive, never wrong.

This module is the one place the package reads a regex's parse tree. The coder's
analyses live here too (:mod:`workbench.coding.rules` calls them): :func:`regex_triggers`
(literals one of which occurs in every match, for skipping rules) and
:func:`regex_plan` (how to find a regex's matches from an Aho–Corasick scan's literals).

Examples
--------
>>> check = Precheck(re.compile(r"(?P<title>.*?)\\s*【第(?P<num>\\d+)篇】"))
>>> check.literals
(('【第', '篇】'),)
>>> check.may_match("宗旨意识淡化原因个人剖析【第二篇】"), check.may_match("正文。")
(True, False)
>>> Precheck(re.compile("扫一扫|^[(（]责编[:：]|^相关专题$")).literals
(('扫一扫',), ('责编',), ('相关专题',))
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field, fields
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

from workbench import config

try:  # the parser behind ``re`` (Python 3.11+; ``sre_parse`` before)
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

#: At most this many alternatives are kept; beyond it a branch adds no requirement.
MAX_ALTERNATIVES = 16

Alternatives = list[tuple[str, ...]]  # any one tuple's literals must all occur

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


def _both(left: Alternatives, right: Alternatives) -> Alternatives:
    """Requirements of two consecutive parts: every pairing of their alternatives."""
    if len(left) * len(right) > MAX_ALTERNATIVES:  # too many: keep the left part's only
        return left
    return [a + b for a, b in product(left, right)]


def _sequence(items: list, ignore_case: bool) -> Alternatives:
    """Alternatives of literals a parsed sequence needs (``[()]``: none known)."""
    need: Alternatives = [()]
    run: list[str] = []  # consecutive literals form one substring

    def flush() -> None:
        nonlocal need
        if run:
            need = [(*alt, "".join(run)) for alt in need]
            run.clear()

    for op, av in items:
        if op is _c.LITERAL and not ignore_case:
            run.append(chr(av))
            continue
        flush()
        if op is _c.SUBPATTERN:
            add_flags, sub = av[1], av[3]
            need = _both(need, _sequence(list(sub), ignore_case or bool(add_flags & re.I)))
        elif op in _REPEATS and av[0] >= 1:  # runs at least once
            need = _both(need, _sequence(list(av[2]), ignore_case))
        elif op is _c.BRANCH:
            branches = [_sequence(list(b), ignore_case) for b in av[1]]
            either = [alt for b in branches for alt in b]
            need = _both(need, either) if len(either) <= MAX_ALTERNATIVES else need
        # Anything else (classes, anchors, look-arounds, back-references) needs nothing.
    flush()
    return need


def _parse(pattern: re.Pattern) -> Any:
    """The pattern's parse tree, or ``None`` for bytes patterns or when the private
    parser is not what this module knows (another Python): callers then skip the
    pre-check, which only ever saves time."""
    if not isinstance(pattern.pattern, str):
        return None
    try:
        return _p.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None


@lru_cache(maxsize=4096)
def needed_literals(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...] | None:
    """Per alternative, the literal strings every match of ``pattern`` contains.

    Remembered per pattern: a process loading its first file asks for the boilerplate
    rules' about three times each (their checks, screens and line finder), and parsing
    one costs as much as compiling it.

    ``None`` when nothing is known (some alternative needs no literal, or the
    pattern cannot be analysed), i.e. any text may match.

    Examples
    --------
    >>> needed_literals(re.compile(r"^文章标题[:：]\\s*(?P<value>.+)$"))
    (('文章标题',),)
    >>> needed_literals(re.compile(r"^七一社区\\s*(注册|登录)"))
    (('七一社区', '注册'), ('七一社区', '登录'))
    >>> needed_literals(re.compile(r"\\d+年")) is None, needed_literals(re.compile(r"(?i)ab"))
    (False, None)
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    need = _sequence(list(parsed), bool(pattern.flags & re.I))
    if not need or any(not alt for alt in need):
        return None
    # Repeated literals and alternatives (a branch that needs nothing leaves two
    # equal ones) are harmless but dropped to keep the check short.
    return tuple(dict.fromkeys(tuple(dict.fromkeys(alt)) for alt in need))


@dataclass(frozen=True)
class Precheck:
    """A compiled pattern with the literals it needs (see the module notes)."""

    pattern: re.Pattern[str]
    literals: tuple[tuple[str, ...], ...] | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "literals", needed_literals(self.pattern))

    def may_match(self, text: str) -> bool:
        """False only when ``pattern`` cannot match ``text`` or any part of it."""
        literals = self.literals
        if literals is None:
            return True
        for alt in literals:  # plain loops: this runs per line and rule, generators cost more
            for lit in alt:
                if lit not in text:
                    break
            else:
                return True
        return False


def screen(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex found in every text that any of ``patterns`` can match.

    An alternation of the longest needed literal of each pattern's alternatives: a
    text where it finds nothing lacks a literal of every alternative of every
    pattern, so none of them can match. One such search per line (the regex engine
    skips ahead to the literals' first characters) replaces a search per pattern.
    ``None`` when some pattern needs no literal (then nothing can be screened).

    Examples
    --------
    >>> rx = screen([re.compile("^相关专题$"), re.compile("扫一扫|^[(（]责编")])
    >>> rx.search("使用微信扫一扫") is not None, rx.search("干群关系") is None
    (True, True)
    >>> screen([re.compile("相关"), re.compile(r"\\d+")]) is None
    True
    """
    keys: set[str] = set()
    for pattern in patterns:
        literals = needed_literals(pattern)
        if literals is None:
            return None
        keys.update(max(alt, key=len) for alt in literals)
    if not keys:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=lambda k: (-len(k), k))))


def end_anchored_width(pattern: re.Pattern[str]) -> int | None:
    """The longest match of a pattern anchored at the end (``…$``), else ``None``.

    Such a match ends at the end of the text (or before a final newline), so it starts
    at most ``width + 1`` characters before the end: :class:`TailSearch` searches
    there only instead of trying every position of a long text.

    Examples
    --------
    >>> end_anchored_width(re.compile("[，,、]$")), end_anchored_width(re.compile("(意义|背景)$"))
    (1, 2)
    >>> end_anchored_width(re.compile("a+$")) is None, end_anchored_width(re.compile("(?m)a$"))
    (True, None)
    """
    parsed = None if pattern.flags & re.M else _parse(pattern)
    if parsed is None:
        return None
    items = list(parsed)
    if not items or items[-1] not in ((_c.AT, _c.AT_END), (_c.AT, _c.AT_END_STRING)):
        return None
    width = parsed.getwidth()[1]
    return width if width < _c.MAXREPEAT else None


def matches_empty(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` can match the empty string (its shortest match has no
    characters), so that no literal is needed by every match; ``True`` when the pattern
    cannot be analysed.

    Examples
    --------
    >>> matches_empty(re.compile("(代表)?")), matches_empty(re.compile("向.{0,12}大会"))
    (True, False)
    """
    parsed = _parse(pattern)
    return parsed is None or parsed.getwidth()[0] < 1


@dataclass(frozen=True)
class TailSearch:
    """``pattern.search`` that, for an end-anchored pattern, starts near the end.

    Searching from a later ``pos`` keeps the whole text as context (anchors and
    look-behinds still see the real start), so the result is that of a full search.

    Examples
    --------
    >>> tail = TailSearch(re.compile("[，,、]$"))
    >>> tail.width, tail.search("甲，乙，") is not None, tail.search("甲，乙") is None
    (1, True, True)
    """

    pattern: re.Pattern[str]
    width: int | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", end_anchored_width(self.pattern))

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``."""
        if self.width is None:
            return self.pattern.search(text)
        return self.pattern.search(text, max(0, len(text) - self.width - 1))


_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_BACKREFERENCE = re.compile(r"\(\?P=|\\\d")


def alternation(
    patterns: list[re.Pattern[str]], prefix: str = "_p", capture: bool = True
) -> re.Pattern[str] | None:
    r"""``patterns`` as one alternation, branch ``i`` in a group ``<prefix><i>``.

    One ``match``/``search`` of the alternation tells whether any pattern matches
    (a cheap pre-check before trying them one by one), and on ``match`` which one
    first: an alternation tries its branches in order and keeps the first that
    matches, and ``lastgroup`` names that branch. The patterns' own group names are
    removed; with ``capture=False`` the branches are plain ``(?:…)`` (capturing costs
    time at every position a ``search`` tries, when only *whether* matters). ``None``
    when the patterns cannot be combined exactly (back-references, global inline flags
    or differing flags); callers then try each pattern.

    Examples
    --------
    >>> rx = alternation([re.compile(r"(?P<num>\d+)\."), re.compile(r"[(](?P<num>\d+)[)]")])
    >>> rx.match("(2)甲").lastgroup, rx.search("甲乙") is None
    ('_p1', True)
    """
    sources = [p.pattern for p in patterns]
    if not sources or len({p.flags for p in patterns}) > 1:
        return None
    if any(_BACKREFERENCE.search(src) for src in sources):
        return None
    plain = []
    for pattern, src in zip(patterns, sources, strict=True):
        stripped, renamed = _GROUP_NAME.subn("(?:", src)
        if renamed != len(pattern.groupindex):  # e.g. an escaped "\\(?P<": do not guess
            return None
        plain.append(stripped)
    branches = (f"{f'(?P<{prefix}{i}>' if capture else '(?:'}{src})" for i, src in enumerate(plain))
    try:
        return re.compile("|".join(branches), patterns[0].flags)
    except re.error:  # e.g. a pattern with global inline flags: no shortcut
        return None


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with; ``None`` if not known.

    Known when the pattern starts with a literal, a class of literals and small
    ranges, a non-empty group or a repeat that runs at least once of those, or a
    branch of such; not for case-insensitive patterns, anchors, look-arounds or
    categories (``\\d``, ``\\w``).

    Examples
    --------
    >>> sorted(first_chars(re.compile(r"(?P<num>[一二三]{1,3})、|问题|[(（]")))
    ['(', '一', '三', '二', '问', '（']
    >>> first_chars(re.compile(r"\\d+")) is None, first_chars(re.compile(r"a?b")) is None
    (True, True)
    """
    parsed = None if pattern.flags & re.I else _parse(pattern)
    return None if parsed is None else _first(parsed)


def _first(sub: Any) -> frozenset[str] | None:  # sub: a re._parser.SubPattern
    """First characters of a parsed sequence (see :func:`first_chars`)."""
    items = list(sub)
    if not items or sub.getwidth()[0] == 0:
        return None
    op, av = items[0]
    if op == _c.LITERAL:
        return frozenset(chr(av))
    if op == _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind == _c.LITERAL:
                chars.add(chr(value))
            elif kind == _c.RANGE and value[1] - value[0] < 4096:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:  # a negated class or a category: too many to list
                return None
        return frozenset(chars)
    if op == _c.SUBPATTERN:
        return None if av[1] & re.I else _first(av[3])
    if op in _REPEATS:
        return _first(av[2]) if av[0] >= 1 else None
    if op == _c.BRANCH:
        firsts = [_first(b) for b in av[1]]
        return None if any(f is None for f in firsts) else frozenset().union(*firsts)
    return None


def start_screen(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """A regex whose ``search(text, pos)`` finds something exactly when one of
    ``patterns`` matches somewhere at or after ``pos``, but fast.

    A plain alternation tries every branch at every position. This one starts with a
    class of the patterns' first characters, which lets the regex engine skip ahead
    to those characters in C, and checks the alternation only there (a look-ahead
    inside a one-character look-behind, so it runs at the character just consumed).
    ``None`` when the first characters are not known (:func:`first_chars`).

    Examples
    --------
    >>> rx = start_screen([re.compile(r"(?P<num>[一二三]{1,3})、"), re.compile("问题[一二]")])
    >>> rx.search("甲。二、乙", 1) is not None, rx.search("一是甲问题", 1) is None
    (True, True)
    """
    firsts = [first_chars(p) for p in patterns]
    combined = alternation(patterns, capture=False)
    if combined is None or not firsts or any(f is None for f in firsts):
        return None
    chars = "".join(re.escape(c) for c in sorted(frozenset().union(*firsts)))  # type: ignore[arg-type]
    try:
        return re.compile(f"[{chars}](?<=(?={combined.pattern})[\\s\\S])", combined.flags)
    except re.error:  # a look-ahead the engine refuses inside a look-behind
        return None


# --- the coder's analyses: triggers and match plans of a codebook regex ----------------
#
# ``workbench.coding.rules`` calls these for its ``regex`` rules (they were a second
# parse-tree walker there). They look only into patterns with default flags (a flag
# changes what a literal matches), and answer with *one-of* sets (one of the literals
# occurs in every match) and exact literal alternatives for an Aho–Corasick scan, where
# :func:`needed_literals` answers with all-of tuples for ``in`` checks on one line.
#
# Two limits, on purpose, because they bound different costs: :data:`MAX_ALTERNATIVES`
# (16) caps the tuples :meth:`Precheck.may_match` tries with ``in`` on every line, so
# each costs time per line; :data:`MAX_LITERAL_ALTERNATIVES` (4096) caps the strings a
# regex adds to the coder's automaton, which finds any number of them in one pass. In the
# bundled codebook 14 of the 76 regexes have more than 16 literals (up to 46): one limit
# of 16 would cost them their literal plans (more regex searches, same matches), and one
# of 4096 would let a line's pre-check try thousands of tuples.

#: Literal alternations longer than this are left to the regex engine (see above).
MAX_LITERAL_ALTERNATIVES = 4096


def union_of(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Triggers of a disjunction: every alternative's, or ``None`` if one is unknown.

    Examples
    --------
    >>> sorted(union_of([frozenset({"甲"}), frozenset({"乙"})])), union_of([None, frozenset()])
    (['乙', '甲'], None)
    """
    out: set[str] = set()
    for t in sets:
        if t is None:
            return None
        out |= t
    return frozenset(out)


def most_selective(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Triggers of a conjunction: any one requirement will do; take the most selective
    (longest shortest literal, then fewest literals), ``None`` if none is known.

    Examples
    --------
    >>> sorted(most_selective([frozenset({"使", "导致"}), None, frozenset({"由于"})]))
    ['由于']
    """
    known = [t for t in sets if t is not None]
    return min(known, key=lambda t: (-min(map(len, t), default=0), len(t), sorted(t)), default=None)


def _plain(pattern: re.Pattern[str]) -> list[Any] | None:
    """The parsed items of a str pattern with default flags only (none inline either)."""
    if not isinstance(pattern.pattern, str) or pattern.flags != re.UNICODE:
        return None
    parsed = _parse(pattern)
    return list(parsed) if parsed is not None and parsed.state.flags == re.UNICODE else None


def regex_triggers(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literals one of which occurs in every non-empty match of ``pattern``, if any.

    Conservative: only literal runs, groups, alternations, character sets of plain
    characters and repeats of at least one are looked into; flags other than the
    default, or anything not understood, give ``None`` (always evaluate).

    Examples
    --------
    >>> sorted(regex_triggers(re.compile("(?<!工作)座谈会")))
    ['座谈会']
    >>> sorted(regex_triggers(re.compile("由于.{2,40}(使|导致)")))
    ['由于']
    >>> sorted(regex_triggers(re.compile("(必须|务必)")))
    ['务必', '必须']
    >>> regex_triggers(re.compile("(?i)abc")) is None
    True
    >>> regex_triggers(re.compile("x?.+")) is None
    True
    """
    return _memo(_TRIGGERS, pattern, _triggers_of)


def _triggers_of(pattern: re.Pattern[str]) -> frozenset[str] | None:
    items = _plain(pattern)
    if items is None:
        return None
    try:
        return _seq_triggers(items)
    except Exception:  # any surprise means "cannot prefilter"
        return None


# --- memos: a codebook repeats its regexes ------------------------------------------------
#
# A codebook's rules repeat patterns (a sub-rule used by several codes, a code's rule
# in a yield's ``unless``): the bundled codebook compiles 614 regex rules from 187
# distinct patterns. Plans and triggers follow from a pattern's text and flags alone
# and are immutable, so each is worked out once per process and shared.

#: A memo holds at most this many patterns; beyond it, it starts over (never stale).
MEMO_SIZE = 4096

_T = TypeVar("_T")
_PLANS: dict[tuple[str | bytes, int], RegexPlan] = {}
_TRIGGERS: dict[tuple[str | bytes, int], frozenset[str] | None] = {}


def _memo(
    memo: dict[tuple[str | bytes, int], _T],
    pattern: re.Pattern[str],
    compute: Callable[[re.Pattern[str]], _T],
) -> _T:
    """``compute(pattern)``, once per pattern text and flags (kept in ``memo``)."""
    key = (pattern.pattern, pattern.flags)
    try:
        return memo[key]
    except KeyError:
        pass
    value = compute(pattern)
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


@dataclass(frozen=True)
class RegexPlan:
    """How the coder finds a pattern's matches from a scan's literals
    (:meth:`workbench.coding.rules.Regex.match_all`).

    Attributes
    ----------
    kind : {"literal", "branch", "run", "each"}
        ``literal``: the pattern is an alternation of literals (also groups and
        sequences of them, or a set of plain characters) and ``literals`` are its
        alternatives in the order the regex engine tries them. ``branch``: a
        top-level alternation whose alternatives are literals (``exact``) or
        patterns starting with one of ``literals``; where such a start is the
        first alternative that can match, the pattern itself is tried there.
        ``run``: the pattern is one character class (``chars``, ``negate``),
        perhaps repeated (``repeat``), so its matches cut runs of the class's
        characters into pieces; no regex search is needed. ``each``: the pattern
        is searched in every sentence containing one of ``literals``
        (:func:`regex_triggers`; every sentence when ``None``).
    literals : tuple of str, optional
    ranks : tuple of int
        ``branch``: the alternative each literal belongs to.
    exact : tuple of bool
        ``branch``: the literal is its whole alternative (else it only starts it).
    needs : tuple of tuple of tuple of str
        ``branch``: per alternative, sets of literals of which every match of that
        alternative contains one of each (besides its starting literal); where none
        of a set occurs in a sentence at or after a start, the pattern cannot match
        there by that alternative, and need not be tried (see ``widths``).
    widths : tuple of int or None
        ``branch``: per alternative, the longest match it can make (``None``:
        unbounded), so a needed literal must start within that many characters.
    requires : tuple of tuple of str
        ``each``: more sets of literals of which every match contains one of each
        (besides ``literals``): a sentence lacking one is not searched.
    chars : tuple of (int, int)
        ``run``: ranges of code points (both ends included) of the class.
    negate : bool
        ``run``: the class is every character outside ``chars``.
    repeat : (int, int or None, bool)
        ``run``: least and most characters a match takes (``None``: no most), and
        whether the repeat is lazy.
    """

    kind: str
    literals: tuple[str, ...] | None
    ranks: tuple[int, ...] = ()
    exact: tuple[bool, ...] = ()
    needs: tuple[tuple[tuple[str, ...], ...], ...] = field(default=(), repr=False)
    widths: tuple[int | None, ...] = field(default=(), repr=False)
    requires: tuple[tuple[str, ...], ...] = field(default=(), repr=False)
    chars: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    negate: bool = field(default=False, repr=False)
    repeat: tuple[int, int | None, bool] = field(default=(1, 1, False), repr=False)


def regex_plan(pattern: re.Pattern[str]) -> RegexPlan:
    """How to find ``pattern``'s matches from the literals found by a scan.

    Examples
    --------
    >>> regex_plan(re.compile("(不够|不能|不能坚持原则)"))
    RegexPlan(kind='literal', literals=('不够', '不能', '不能坚持原则'), ranks=(), exact=())
    >>> regex_plan(re.compile("(要|以.{1,12}为)"))
    RegexPlan(kind='branch', literals=('要', '以'), ranks=(0, 1), exact=(True, False))
    >>> regex_plan(re.compile("(?<!工作)座谈会")).literals
    ('座谈会',)
    >>> regex_plan(re.compile(".+由于"))
    RegexPlan(kind='each', literals=('由于',), ranks=(), exact=())
    >>> run = regex_plan(re.compile("[一-鿿]{2,4}"))
    >>> run.kind, run.chars, run.negate, run.repeat
    ('run', ((19968, 40959),), False, (2, 4, False))
    >>> dot = regex_plan(re.compile("."))
    >>> dot.kind, dot.chars, dot.negate
    ('run', ((10, 10),), True)
    >>> regex_plan(re.compile("(要|以)")) is regex_plan(re.compile("(要|以)"))  # once per text
    True
    """
    return _memo(_PLANS, pattern, _plan_of)


def _plan_of(pattern: re.Pattern[str]) -> RegexPlan:
    items = _plain(pattern)
    if items is None:
        return RegexPlan("each", None)
    alternatives = _literal_alternatives(items)
    if alternatives and all(alternatives):
        return RegexPlan("literal", tuple(dict.fromkeys(alternatives)))
    run = _run(items)
    if run is not None:
        return run
    branch = _branch(items)
    if branch is not None:
        return branch
    triggers = regex_triggers(pattern)
    requires = _needs(items, triggers or frozenset()) if triggers else ()
    return RegexPlan("each", tuple(sorted(triggers)) if triggers else None, requires=requires)


def _run(items: list[Any]) -> RegexPlan | None:
    """The ``run`` plan of a pattern that is one character class, perhaps repeated."""
    if len(items) != 1:
        return None
    (op, av), repeat = items[0], (1, 1, False)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, sub = av
        if low < 1 or len(sub) != 1:  # a repeat that may take nothing matches empty
            return None
        repeat = (low, None if high == _c.MAXREPEAT else high, op is _c.MIN_REPEAT)
        op, av = next(iter(sub))
    found = _class(op, av)
    if found is None:
        return None
    chars, negate = found
    return RegexPlan("run", None, chars=chars, negate=negate, repeat=repeat)


def _class(op: Any, av: Any) -> tuple[tuple[tuple[int, int], ...], bool] | None:
    """Code point ranges of a one-character item, and whether they are negated.

    Only literals, ranges and ``.`` (default flags: any character but a newline);
    categories (``\\d``, ``\\w``) follow Unicode tables and are left to the engine.
    """
    if op is _c.LITERAL or op is _c.NOT_LITERAL:
        return ((av, av),), op is _c.NOT_LITERAL
    if op is _c.ANY:
        return ((ord("\n"), ord("\n")),), True
    if op is not _c.IN or not av:
        return None
    negate = av[0][0] is _c.NEGATE
    ranges = []
    for kind, value in av[1:] if negate else av:
        if kind is _c.LITERAL:
            ranges.append((value, value))
        elif kind is _c.RANGE:
            ranges.append(tuple(value))
        else:
            return None
    return tuple(ranges), negate


def _branch(items: list[Any]) -> RegexPlan | None:
    """The ``branch`` plan of a pattern, if each top-level alternative allows one."""
    if len(items) == 1 and items[0][0] is _c.SUBPATTERN and not (items[0][1][1] or items[0][1][2]):
        items = list(items[0][1][3])
    alts = items[0][1][1] if len(items) == 1 and items[0][0] is _c.BRANCH else [items]
    literals, ranks, exact, needs, widths = [], [], [], [], []
    for rank, alt in enumerate(alts):
        words = _literal_alternatives(list(alt))
        starts = words if words and all(words) else _prefixes(list(alt))
        if not starts or not all(starts):
            return None
        # A literal alternative's strings keep the engine's order; a prefix set has none.
        for w in words if starts is words else sorted(starts):
            literals.append(w)
            ranks.append(rank)
            exact.append(starts is words)
        needs.append(() if starts is words else _needs(list(alt), frozenset(starts)))
        widths.append(_max_width(alt))
    return RegexPlan(
        "branch", tuple(literals), tuple(ranks), tuple(exact), tuple(needs), tuple(widths)
    )


#: At most this many sets of needed literals are checked per alternative of a ``branch``.
MAX_NEEDS = 3


def _needs(items: list[Any], starts: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """Sets of literals every match of the sequence ``items`` contains one of each of.

    The most selective first (:func:`most_selective`'s order), at most
    :data:`MAX_NEEDS`; sets sharing a literal with ``starts`` (which the match begins
    with anyway) are left out, as are all when the sequence is not understood.
    """
    try:
        found = _requirements(items)
    except Exception:  # any surprise: no needs, the pattern is tried at every start
        return ()
    sets = {t for t in found or () if t is not None and t and not t & starts}
    ordered = sorted(sets, key=lambda t: (-min(map(len, t)), len(t), sorted(t)))
    return tuple(tuple(sorted(t)) for t in ordered[:MAX_NEEDS])


def _max_width(sub: Any) -> int | None:
    """The longest match of a parsed sequence (a list is wrapped), ``None``: unbounded."""
    try:
        if isinstance(sub, list):
            sub = _p.SubPattern(_p.State(), sub)
        width = sub.getwidth()[1]
    except Exception:  # e.g. a back-reference to a group of the whole pattern
        return None
    return width if width < _c.MAXREPEAT else None


def _literal_alternatives(items: list[Any]) -> list[str] | None:
    """The literals a sequence of literals, groups, alternations and sets stands for.

    In the order the regex engine tries them (a sequence's choices left to right,
    each in its own order), so at any one position the first alternative that
    occurs is the one the engine matches. ``None`` for anything else.
    """
    out = [""]
    for op, av in items:
        if op is _c.LITERAL:
            alts: list[str] | None = [chr(av)]
        elif op is _c.SUBPATTERN:
            alts = None if av[1] or av[2] else _literal_alternatives(list(av[3]))
        elif op is _c.BRANCH:
            subs = [_literal_alternatives(list(alt)) for alt in av[1]]
            alts = None if any(x is None for x in subs) else [a for x in subs for a in x or ()]
        elif op is _c.IN and av and all(o is _c.LITERAL for o, _ in av):
            alts = [chr(v) for _, v in av]  # one character: at most one occurs at a position
        else:
            return None
        if alts is None or len(out) * len(alts) > MAX_LITERAL_ALTERNATIVES:
            return None
        out = [a + b for a in out for b in alts]
    return out


def _prefixes(items: list[Any]) -> frozenset[str] | None:
    """Literals one of which every match of the sequence ``items`` starts with."""
    i = 0
    while i < len(items) and items[i][0] in (_c.ASSERT, _c.ASSERT_NOT):
        i += 1  # look-arounds take no characters: the match starts with what follows
    if i == len(items):
        return None
    op, av = items[i]
    if op is _c.LITERAL:
        run = []
        while i < len(items) and items[i][0] is _c.LITERAL:
            run.append(chr(items[i][1]))
            i += 1
        return frozenset(["".join(run)])
    if op is _c.SUBPATTERN:
        return None if av[1] or av[2] else _prefixes(list(av[3]))
    if op is _c.BRANCH:
        return union_of(_prefixes(list(alt)) for alt in av[1])
    if op is _c.IN and av and all(o is _c.LITERAL for o, _ in av):
        return frozenset(chr(v) for _, v in av)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _prefixes(list(av[2]))
    return None


def _seq_triggers(items: list[Any]) -> frozenset[str] | None:
    """Triggers of a sequence of parsed regex items (consecutive literals form one run)."""
    found = _requirements(items)
    return None if found is None else most_selective(found)


def _requirements(items: list[Any]) -> list[frozenset[str] | None] | None:
    """Per part of a sequence, literals one of which every match contains (``None``:
    that part needs none known); ``None`` for scoped flags, which change literals."""
    found: list[frozenset[str] | None] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset(["".join(run)]))
            run = []
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return None  # scoped flags (?i:...) change what a literal matches
            found.append(_seq_triggers(list(sub)))
        elif op is _c.BRANCH:
            found.append(union_of(_seq_triggers(list(alt)) for alt in av[1]))
        elif op is _c.IN:
            if av and all(o is _c.LITERAL for o, _ in av):
                found.append(frozenset(chr(v) for _, v in av))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            found.append(_seq_triggers(list(av[2])))
        # Anything else (any character, classes, anchors, look-arounds, ...)
        # requires no literal of its own.
    if run:
        found.append(frozenset(["".join(run)]))
    return found


# --- the plans' cache: a fresh process reads them instead of working them out ------------
#
# Every process that codes (each worker of ``workbench pipeline``) needs the plans of
# all of a codebook's regexes before its first partition: some 50 ms of parsing for
# the bundled codebook. :func:`preload_plans` keeps them in one file per set of
# patterns in the workbench's cache folder (:func:`workbench.config.cache_dir`), named
# by a checksum of everything the plans follow from (the patterns and flags, this
# module's source, the file format and the Python version), written atomically. Best
# effort: a file that cannot be read or written, or does not hold what its name
# promises, only means the plans are worked out again.

#: Version of the plan cache file's layout.
PLAN_CACHE_FORMAT = 1
#: Plan cache files kept (one per codebook used lately); older ones are removed.
PLAN_CACHE_KEEP = 8

_PLAN_FIELDS = len(fields(RegexPlan))
_PLAN_KINDS = frozenset({"literal", "branch", "run", "each"})


def plan_cache_file(keys: Iterable[tuple[str, int]]) -> Path:
    """The cache file of the plans of ``keys`` (pattern text and flags, sorted).

    Examples
    --------
    >>> a = plan_cache_file([("甲", 32), ("乙", 32)])
    >>> a.name.startswith("regex-plans-"), a == plan_cache_file([("甲", 32), ("乙", 32)])
    (True, True)
    >>> a == plan_cache_file([("甲", 32)]) or a == plan_cache_file([("甲", 32), ("乙", 2)])
    False
    """
    import workbench

    h = hashlib.sha256()
    versions = f"{PLAN_CACHE_FORMAT} {marshal.version} {sys.version} {workbench.__version__}"
    h.update(versions.encode())
    source = Path(__file__).read_bytes()  # the plans follow from this module's code
    h.update(f"\0{len(source)}\0".encode() + source)
    h.update(marshal.dumps([(text, int(flags)) for text, flags in keys]))
    return config.cache_dir() / f"regex-plans-{h.hexdigest()[:32]}.marshal"


def preload_plans(patterns: Iterable[re.Pattern[str]]) -> None:
    """Make :func:`regex_plan` of each of ``patterns`` a memo hit: from the cache
    file of this set of patterns where it holds them, else worked out (and the file
    written). The plans are the same either way.

    Examples
    --------
    >>> preload_plans([re.compile("(不够|不能)")])
    >>> regex_plan(re.compile("(不够|不能)")).literals
    ('不够', '不能')
    """
    found = {(p.pattern, p.flags): p for p in patterns if isinstance(p.pattern, str)}
    if all(key in _PLANS for key in found):
        return
    keys = sorted(found)
    try:
        path = plan_cache_file(keys)
    except (OSError, ValueError):
        path = None
    plans = None if path is None else _read_plans(path, keys)
    if plans is not None:
        if len(_PLANS) + len(plans) > MEMO_SIZE:
            _PLANS.clear()
        for key, plan in zip(keys, plans, strict=True):
            _PLANS.setdefault(key, plan)
        return
    computed = [regex_plan(found[key]) for key in keys]
    if path is not None:
        _write_plans(path, keys, computed)


def _read_plans(path: Path, keys: list[tuple[str, int]]) -> list[RegexPlan] | None:
    """The plans of ``keys`` from ``path``; ``None`` if it does not hold exactly them."""
    try:
        fmt, stored, rows = marshal.loads(path.read_bytes())
        if fmt != PLAN_CACHE_FORMAT or stored != [list(k) for k in keys] or len(rows) != len(keys):
            return None
        plans = []
        for row in rows:
            if not isinstance(row, tuple) or len(row) != _PLAN_FIELDS or row[0] not in _PLAN_KINDS:
                return None
            plans.append(RegexPlan(*row))
        return plans
    except Exception:  # unreadable, not marshal data, another layout: work them out
        return None


def _write_plans(path: Path, keys: list[tuple[str, int]], plans: list[RegexPlan]) -> None:
    """Write atomically (a temporary file, then ``os.replace``): a reader sees the whole
    file or none, and processes racing write the same content. Best effort."""
    rows = [astuple(plan) for plan in plans]
    tmp = None
    try:
        data = marshal.dumps((PLAN_CACHE_FORMAT, [list(k) for k in keys], rows))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".marshal")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
        old = sorted(path.parent.glob("regex-plans-*.marshal"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-PLAN_CACHE_KEEP]:
            stale.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
