"""The coding-rule language: term sets, regex, any/all/not, proximity, roles, polarity.

A rule is a small tree written in YAML (see ``data/codebook.yaml``) and compiled
once into :class:`Node` objects. Every node is matched against one *sentence* (the
Simplified ``text`` of a segment, with its section ``role`` and ``is_heading``
flag) and returns the character spans that justify the match, so each code can be
traced to its quote. Coarser units (paragraph, section, article) inherit the codes
of their sentences (:mod:`workbench.coding.coder`), which keeps "same sentence"
proximity meaningful at every unit.

Rule forms
----------
``"加强监督"``
    A literal term, converted to Simplified. A bare list ``[t1, t2]`` is
    shorthand for ``{any: [t1, t2]}``.
``{any: [t1, t2, ...]}``
    Any of the terms or nested rules.
``{all: [r1, r2, ...]}``
    Every nested rule matches in the same sentence.
``{not: r}``
    ``r`` does not match; contributes no span.
``{regex: "..."}``
    A regular expression on the Simplified text.
``{set: name}``
    A named term set from the codebook's ``sets``.
``{near: [r1, r2], within: N}``
    ``r1`` and ``r2`` match with at most ``N`` characters between them
    (``ordered: true``: ``r1`` first).

Modifiers, allowed on any mapping: ``roles: [problem, cause, ...]`` (the sentence's
section role must be one of them), ``heading: true|false`` and ``polarity:
negative|prescriptive`` — a span counts only with a cue of that polarity from the
codebook's ``polarity`` lists within ``window`` characters (negative cues before
or after: 监督**不力**, **缺乏**监督; prescriptive cues before: **加强**监督).

Examples
--------
>>> cues = Cues(negative=("不力", "弱化"), prescriptive=("加强", "完善"), window=4)
>>> rule = compile_rule({"any": ["监督"], "polarity": "negative"}, cues=cues)
>>> rule.match(Sentence("一些地方监督不力。", "cause")) is not None
True
>>> rule.match(Sentence("切实加强监督考核。", "countermeasure")) is None
True
>>> near = compile_rule({"near": ["干部", "群众"], "within": 3}, cues=cues)
>>> near.match(Sentence("干部联系群众", "other"))
[(0, 2, '干部'), (4, 6, '群众')]

Every node can also match all sentences of a corpus at once (:meth:`Node.match_all`,
on a :class:`~workbench.coding.prefilter.Scan`): the same spans, computed with numpy
from one multi-pattern pass over the whole text instead of regex searches sentence by
sentence. :func:`workbench.coding.coder.code_segments` uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.script import to_simplified
from workbench.structure import ROLES

if TYPE_CHECKING:  # the scan lives beside the automaton; it only calls back into nodes
    from workbench.coding.prefilter import Scan

#: A matched span: start, end, matched text.
Span = tuple[int, int, str]

POLARITIES = ("negative", "prescriptive")
OPERATORS = ("any", "all", "not", "regex", "near", "set")
MODIFIERS = ("roles", "heading", "polarity")
NEAR_OPTIONS = ("within", "ordered")


class RuleError(ValueError):
    """A rule that cannot be compiled; ``path`` says where (``rules[2].near[0]``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Sentence:
    """What a rule sees: Simplified text, section role, heading flag."""

    text: str
    role: str = "other"
    is_heading: bool = False


@dataclass(frozen=True)
class Cues:
    """Polarity cue words and the window (in characters) they must fall within."""

    negative: tuple[str, ...] = ()
    prescriptive: tuple[str, ...] = ()
    window: int = 6
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    def pattern(self, polarity: str) -> re.Pattern[str]:
        """One alternation of the cue words of ``polarity`` (compiled once)."""
        if polarity not in self._patterns:
            self._patterns[polarity] = term_pattern(getattr(self, polarity))
        return self._patterns[polarity]


def term_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """Compile terms into one alternation, longest first so the longest term wins.

    Examples
    --------
    >>> term_pattern(["监督", "监督不力"]).findall("监督不力")
    ['监督不力']
    """
    ordered = sorted(set(terms), key=lambda t: (-len(t), t))
    return re.compile("|".join(re.escape(t) for t in ordered) or r"(?!x)x")


@dataclass(frozen=True)
class Matches:
    """What a rule matches in every sentence of a :class:`~workbench.coding.prefilter.Scan`.

    Attributes
    ----------
    ok : ndarray of bool
        Per sentence: the rule matched (:meth:`Node.match` is not ``None``).
    keys : ndarray of int64
        The spans, sorted and unique, each ``start * scan.size + end`` in offsets of the
        scan's joined text (:meth:`~workbench.coding.prefilter.Scan.spans` decodes
        them). A sentence's keys, in order, are :meth:`Node.match`'s spans; only
        sentences with ``ok`` have keys (``ok`` without keys is ``[]``: a ``not``).
    """

    ok: np.ndarray
    keys: np.ndarray


class Node:
    """A compiled rule. :meth:`match` returns spans, ``[]`` (matched, no span) or ``None``."""

    def match(self, s: Sentence) -> list[Span] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:  # pragma: no cover
        """:meth:`match` on every sentence of ``scan`` at once, looking only at ``where``.

        Sentences outside the boolean mask ``where`` come out unmatched; inside it
        the result equals :meth:`match` sentence by sentence.
        """
        raise NotImplementedError

    def literals(self) -> set[str]:
        """Literals :meth:`match_all` looks up in the scan (the scan must look for them)."""
        return set()

    def terms(self) -> list[str]:
        """Literal terms used by this rule (for segmenter registration and lint)."""
        return []

    def triggers(self) -> frozenset[str] | None:
        """Literals of which at least one occurs in every sentence this rule matches.

        ``None`` when no such set is known (the rule must always be evaluated). Used by
        :mod:`workbench.coding.prefilter` to skip rules that cannot match.
        """
        return None


@dataclass
class Terms(Node):
    """Any of a set of literal terms."""

    words: tuple[str, ...]
    pattern: re.Pattern[str]

    def match(self, s: Sentence) -> list[Span] | None:
        spans = [(m.start(), m.end(), m.group()) for m in self.pattern.finditer(s.text)]
        return spans or None

    def terms(self) -> list[str]:
        return list(self.words)

    def triggers(self) -> frozenset[str] | None:
        return frozenset(self.words) if all(self.words) else None

    @cached_property
    def alternatives(self) -> tuple[str, ...]:
        """The words in the order :func:`term_pattern` tries them (longest first)."""
        return tuple(sorted(set(self.words), key=lambda t: (-len(t), t)))

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        # Leftmost, then the first alternative of the pattern: what finditer returns.
        return scan.alternation(self.alternatives, where)

    def literals(self) -> set[str]:
        return set(self.words)


@dataclass
class Regex(Node):
    """A regular expression; empty matches are ignored."""

    pattern: re.Pattern[str]

    def match(self, s: Sentence) -> list[Span] | None:
        found = self.pattern.finditer(s.text)
        spans = [(m.start(), m.end(), m.group()) for m in found if m.end() > m.start()]
        return spans or None

    def triggers(self) -> frozenset[str] | None:
        return regex_triggers(self.pattern)

    @cached_property
    def plan(self) -> RegexPlan:
        """How :meth:`match_all` finds the matches (see :func:`regex_plan`)."""
        return regex_plan(self.pattern)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        plan = self.plan
        if plan.kind == "literal":
            return scan.alternation(plan.literals or (), where)
        if plan.kind == "branch":
            return scan.branch(self.pattern, plan, where)
        return scan.each(self.pattern, plan.literals, where)

    def literals(self) -> set[str]:
        return set(self.plan.literals or ())


@dataclass
class AnyOf(Node):
    """Any child matches; spans of all matching children."""

    children: list[Node]

    def match(self, s: Sentence) -> list[Span] | None:
        hits = [m for m in (c.match(s) for c in self.children) if m is not None]
        return sorted({x for m in hits for x in m}) if hits else None

    def terms(self) -> list[str]:
        return [t for c in self.children for t in c.terms()]

    def triggers(self) -> frozenset[str] | None:
        return _union(c.triggers() for c in self.children)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        found = [c.match_all(scan, where) for c in self.children]
        ok = np.logical_or.reduce([m.ok for m in found])
        return Matches(ok, np.unique(np.concatenate([m.keys for m in found])))

    def literals(self) -> set[str]:
        return set().union(*(c.literals() for c in self.children))


@dataclass
class AllOf(Node):
    """Every child matches in the sentence."""

    children: list[Node]

    def match(self, s: Sentence) -> list[Span] | None:
        spans: set[Span] = set()
        for child in self.children:
            m = child.match(s)
            if m is None:
                return None
            spans.update(m)
        return sorted(spans)

    def terms(self) -> list[str]:
        return [t for c in self.children for t in c.terms()]

    def triggers(self) -> frozenset[str] | None:
        return _best(c.triggers() for c in self.children)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        ok, keys = where, []
        for child in self.children:
            # Each requirement is looked for only where the earlier ones held.
            m = child.match_all(scan, ok)
            ok = m.ok
            keys.append(m.keys)
        return Matches(ok, scan.within(np.unique(np.concatenate(keys)), ok))

    def literals(self) -> set[str]:
        return set().union(*(c.literals() for c in self.children))


@dataclass
class Not(Node):
    """The child does not match."""

    child: Node

    def match(self, s: Sentence) -> list[Span] | None:
        return [] if self.child.match(s) is None else None

    def terms(self) -> list[str]:
        return self.child.terms()

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        return Matches(where & ~self.child.match_all(scan, where).ok, scan.no_keys)

    def literals(self) -> set[str]:
        return self.child.literals()


@dataclass
class Near(Node):
    """Two children match with at most ``within`` characters between their spans."""

    left: Node
    right: Node
    within: int
    ordered: bool = False

    def match(self, s: Sentence) -> list[Span] | None:
        a, b = self.left.match(s), self.right.match(s)
        if not a or not b:
            return None
        keep: set[Span] = set()
        for x in a:
            for y in b:
                if self.ordered and y[0] < x[1]:
                    continue
                gap = max(x[0], y[0]) - min(x[1], y[1])
                if gap <= self.within:
                    keep.update((x, y))
        return sorted(keep) or None

    def terms(self) -> list[str]:
        return self.left.terms() + self.right.terms()

    def triggers(self) -> frozenset[str] | None:
        return _best([self.left.triggers(), self.right.triggers()])

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        a = self.left.match_all(scan, where)
        # Both sides need spans (``not a`` is true for ``[]`` too).
        b = self.right.match_all(scan, scan.having(a.keys) & where)
        return scan.matches(scan.near(a.keys, b.keys, self.within, self.ordered))

    def literals(self) -> set[str]:
        return self.left.literals() | self.right.literals()


@dataclass
class Filtered(Node):
    """A child restricted by section role, heading flag and span polarity."""

    child: Node
    roles: frozenset[str] | None = None
    heading: bool | None = None
    polarity: str | None = None
    cues: Cues | None = None

    def match(self, s: Sentence) -> list[Span] | None:
        if self.roles is not None and s.role not in self.roles:
            return None
        if self.heading is not None and s.is_heading != self.heading:
            return None
        spans = self.child.match(s)
        if spans is None or self.polarity is None:
            return spans
        kept = [sp for sp in spans if self._has_cue(s.text, sp)]
        return kept or None

    def _has_cue(self, text: str, span: Span) -> bool:
        assert self.cues is not None
        w = self.cues.window
        pat = self.cues.pattern(self.polarity)
        before = text[max(0, span[0] - w) : span[0]]
        if pat.search(before):
            return True
        # Negative cues also follow the term (监督不力); prescriptive ones precede it.
        return self.polarity == "negative" and bool(pat.search(text[span[1] : span[1] + w]))

    def terms(self) -> list[str]:
        return self.child.terms()

    def triggers(self) -> frozenset[str] | None:
        # Roles, heading and polarity only narrow what the child matches.
        return self.child.triggers()

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        if self.roles is not None:
            where = where & scan.role_mask(self.roles)
        if self.heading is not None:
            where = where & (scan.heading == self.heading)
        m = self.child.match_all(scan, where)
        if self.polarity is None:
            return m
        assert self.cues is not None
        cue = scan.has_cue(
            m.keys, self._cue_words, self.cues.window, after=self.polarity == "negative"
        )
        return scan.matches(m.keys[cue])

    @property
    def _cue_words(self) -> tuple[str, ...]:
        return tuple(getattr(self.cues, self.polarity or "", ()))

    def literals(self) -> set[str]:
        return self.child.literals() | set(self._cue_words)


def _union(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Triggers of a disjunction: every alternative's, or ``None`` if one is unknown."""
    out: set[str] = set()
    for t in sets:
        if t is None:
            return None
        out |= t
    return frozenset(out)


def _best(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Triggers of a conjunction: any one requirement will do; take the most selective."""
    known = [t for t in sets if t is not None]
    return min(known, key=lambda t: (-min(map(len, t), default=0), len(t), sorted(t)), default=None)


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
    if not isinstance(pattern.pattern, str) or pattern.flags != re.UNICODE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern.pattern)
        if parsed.state.flags != re.UNICODE:
            return None
        return _seq_triggers(list(parsed), _parser)
    except Exception:  # any surprise means "cannot prefilter"
        return None


#: Literal alternations longer than this are left to the regex engine.
MAX_ALTERNATIVES = 4096


@dataclass(frozen=True)
class RegexPlan:
    """How :meth:`Regex.match_all` finds a pattern's matches from a scan's literals.

    Attributes
    ----------
    kind : {"literal", "branch", "each"}
        ``literal``: the pattern is an alternation of literals (also groups and
        sequences of them, or a set of plain characters) and ``literals`` are its
        alternatives in the order the regex engine tries them. ``branch``: a
        top-level alternation whose alternatives are literals (``exact``) or
        patterns starting with one of ``literals``; where such a start is the
        first alternative that can match, the pattern itself is tried there.
        ``each``: the pattern is searched in every sentence containing one of
        ``literals`` (:func:`regex_triggers`; every sentence when ``None``).
    literals : tuple of str, optional
    ranks : tuple of int
        ``branch``: the alternative each literal belongs to.
    exact : tuple of bool
        ``branch``: the literal is its whole alternative (else it only starts it).
    """

    kind: str
    literals: tuple[str, ...] | None
    ranks: tuple[int, ...] = ()
    exact: tuple[bool, ...] = ()


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
    """
    parsed = _parse(pattern)
    if parsed is None:
        return RegexPlan("each", None)
    items, c = parsed
    alternatives = _literal_alternatives(items, c)
    if alternatives and all(alternatives):
        return RegexPlan("literal", tuple(dict.fromkeys(alternatives)))
    branch = _branch(items, c)
    if branch is not None:
        return branch
    triggers = regex_triggers(pattern)
    return RegexPlan("each", tuple(sorted(triggers)) if triggers else None)


def _branch(items: list[Any], c: Any) -> RegexPlan | None:
    """The ``branch`` plan of a pattern, if each top-level alternative allows one."""
    if len(items) == 1 and items[0][0] is c.SUBPATTERN and not (items[0][1][1] or items[0][1][2]):
        items = list(items[0][1][3])
    alts = items[0][1][1] if len(items) == 1 and items[0][0] is c.BRANCH else [items]
    literals, ranks, exact = [], [], []
    for rank, alt in enumerate(alts):
        words = _literal_alternatives(list(alt), c)
        starts = words if words and all(words) else _prefixes(list(alt), c)
        if not starts or not all(starts):
            return None
        # A literal alternative's strings keep the engine's order; a prefix set has none.
        for w in words if starts is words else sorted(starts):
            literals.append(w)
            ranks.append(rank)
            exact.append(starts is words)
    return RegexPlan("branch", tuple(literals), tuple(ranks), tuple(exact))


def _parse(pattern: re.Pattern[str]) -> tuple[list[Any], Any] | None:
    """The parsed items of a pattern with default flags, and the parser module."""
    if not isinstance(pattern.pattern, str) or pattern.flags != re.UNICODE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern.pattern)
    except Exception:  # any surprise: the caller falls back to the regex engine
        return None
    return (list(parsed), _parser) if parsed.state.flags == re.UNICODE else None


def _literal_alternatives(items: list[Any], c: Any) -> list[str] | None:
    """The literals a sequence of literals, groups, alternations and sets stands for.

    In the order the regex engine tries them (a sequence's choices left to right,
    each in its own order), so at any one position the first alternative that
    occurs is the one the engine matches. ``None`` for anything else.
    """
    out = [""]
    for op, av in items:
        if op is c.LITERAL:
            alts: list[str] | None = [chr(av)]
        elif op is c.SUBPATTERN:
            alts = None if av[1] or av[2] else _literal_alternatives(list(av[3]), c)
        elif op is c.BRANCH:
            subs = [_literal_alternatives(list(alt), c) for alt in av[1]]
            alts = None if any(x is None for x in subs) else [a for x in subs for a in x or ()]
        elif op is c.IN and av and all(o is c.LITERAL for o, _ in av):
            alts = [chr(v) for _, v in av]  # one character: at most one occurs at a position
        else:
            return None
        if alts is None or len(out) * len(alts) > MAX_ALTERNATIVES:
            return None
        out = [a + b for a in out for b in alts]
    return out


def _prefixes(items: list[Any], c: Any) -> frozenset[str] | None:
    """Literals one of which every match of the sequence ``items`` starts with."""
    i = 0
    while i < len(items) and items[i][0] in (c.ASSERT, c.ASSERT_NOT):
        i += 1  # look-arounds take no characters: the match starts with what follows
    if i == len(items):
        return None
    op, av = items[i]
    if op is c.LITERAL:
        run = []
        while i < len(items) and items[i][0] is c.LITERAL:
            run.append(chr(items[i][1]))
            i += 1
        return frozenset(["".join(run)])
    if op is c.SUBPATTERN:
        return None if av[1] or av[2] else _prefixes(list(av[3]), c)
    if op is c.BRANCH:
        return _union(_prefixes(list(alt), c) for alt in av[1])
    if op is c.IN and av and all(o is c.LITERAL for o, _ in av):
        return frozenset(chr(v) for _, v in av)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
        return _prefixes(list(av[2]), c)
    return None


def _seq_triggers(items: list[Any], _parser: Any) -> frozenset[str] | None:
    """Triggers of a sequence of parsed regex items (consecutive literals form one run)."""
    c = _parser  # re._parser re-exports the opcodes of re._constants
    found: list[frozenset[str] | None] = []
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset(["".join(run)]))
            run = []
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return None  # scoped flags (?i:...) change what a literal matches
            found.append(_seq_triggers(list(sub), _parser))
        elif op is c.BRANCH:
            found.append(_union(_seq_triggers(list(alt), _parser) for alt in av[1]))
        elif op is c.IN:
            if av and all(o is c.LITERAL for o, _ in av):
                found.append(frozenset(chr(v) for _, v in av))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found.append(_seq_triggers(list(av[2]), _parser))
        # Anything else (any character, classes, anchors, look-arounds, ...)
        # requires no literal of its own.
    if run:
        found.append(frozenset(["".join(run)]))
    return _best(found)


def _term_list(value: Any, path: str) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(path, f"a term must be a non-empty string, got {value!r}")
    return [to_simplified(value.strip())]


def _children(value: Any, path: str, key: str, ctx: _Context) -> list[Node]:
    if not isinstance(value, list) or not value:
        raise RuleError(f"{path}.{key}", "needs a non-empty list")
    words: list[str] = []
    nodes: list[Node] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and key == "any":
            # Literal alternatives share one compiled alternation.
            words.extend(_term_list(item, f"{path}.{key}[{i}]"))
        else:
            # Under all:, each literal is a requirement of its own.
            nodes.append(_compile(item, f"{path}.{key}[{i}]", ctx))
    if words:
        nodes.insert(0, Terms(tuple(words), term_pattern(words)))
    return nodes


@dataclass
class _Context:
    cues: Cues
    sets: Mapping[str, Sequence[str]]


def _operator(raw: Mapping[str, Any], path: str, ctx: _Context) -> Node:
    ops = [k for k in raw if k in OPERATORS]
    if len(ops) != 1:
        raise RuleError(path, f"needs exactly one of {', '.join(OPERATORS)}; got {ops or 'none'}")
    op = ops[0]
    value = raw[op]
    if op in ("any", "all"):
        kids = _children(value, path, op, ctx)
        if op == "any":
            return kids[0] if len(kids) == 1 else AnyOf(kids)
        return AllOf(kids)
    if op == "not":
        return Not(_compile(value, f"{path}.not", ctx))
    if op == "regex":
        if not isinstance(value, str) or not value:
            raise RuleError(f"{path}.regex", "needs a non-empty pattern")
        try:
            return Regex(re.compile(value))
        except re.error as err:
            raise RuleError(f"{path}.regex", f"bad regular expression {value!r}: {err}") from None
    if op == "set":
        if value not in ctx.sets:
            known = ", ".join(sorted(ctx.sets)) or "none"
            raise RuleError(f"{path}.set", f"unknown term set {value!r} (known: {known})")
        words = [w for t in ctx.sets[value] for w in _term_list(t, f"sets.{value}")]
        return Terms(tuple(words), term_pattern(words))
    return _near(raw, value, path, ctx)


def _near(raw: Mapping[str, Any], value: Any, path: str, ctx: _Context) -> Node:
    if not isinstance(value, list) or len(value) != 2:
        raise RuleError(f"{path}.near", "needs a list of exactly two rules")
    within = raw.get("within")
    if not isinstance(within, int) or isinstance(within, bool) or within < 0:
        raise RuleError(f"{path}.within", f"needs a non-negative integer, got {within!r}")
    left, right = (
        _compile({"any": [v]} if isinstance(v, str) else v, f"{path}.near[{i}]", ctx)
        for i, v in enumerate(value)
    )
    return Near(left, right, within, bool(raw.get("ordered", False)))


def _compile(raw: Any, path: str, ctx: _Context) -> Node:
    if isinstance(raw, str):
        words = _term_list(raw, path)
        return Terms(tuple(words), term_pattern(words))
    if isinstance(raw, list):  # a bare list is shorthand for any: [...]
        return _compile({"any": raw}, path, ctx)
    if not isinstance(raw, Mapping):
        raise RuleError(path, f"a rule is a term or a mapping, got {type(raw).__name__}")
    allowed = {*OPERATORS, *MODIFIERS, *(NEAR_OPTIONS if "near" in raw else ())}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RuleError(path, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    node = _operator(raw, path, ctx)
    roles = raw.get("roles")
    if roles is not None:
        bad = [r for r in roles if r not in ROLES] if isinstance(roles, list) else roles
        if not isinstance(roles, list) or not roles or bad:
            raise RuleError(f"{path}.roles", f"unknown role(s) {bad or roles!r}; use {list(ROLES)}")
    polarity = raw.get("polarity")
    if polarity is not None and polarity not in POLARITIES:
        raise RuleError(f"{path}.polarity", f"unknown polarity {polarity!r}; use {POLARITIES}")
    heading = raw.get("heading")
    if heading is not None and not isinstance(heading, bool):
        raise RuleError(f"{path}.heading", f"needs true or false, got {heading!r}")
    if roles is None and polarity is None and heading is None:
        return node
    return Filtered(node, frozenset(roles) if roles else None, heading, polarity, ctx.cues)


def compile_rule(
    raw: Any,
    *,
    cues: Cues | None = None,
    sets: Mapping[str, Sequence[str]] | None = None,
    path: str = "rule",
) -> Node:
    """Compile one rule from its YAML form.

    Parameters
    ----------
    raw : str or mapping
        The rule (see the module docstring).
    cues : Cues, optional
        Polarity cues; needed when the rule uses ``polarity``.
    sets : mapping, optional
        Named term sets referred to by ``{set: name}``.
    path : str
        Where the rule sits, used in error messages.

    Raises
    ------
    RuleError
        On an unknown key, an empty list or term, a bad regex, an unknown role,
        polarity or set, or a malformed ``near``.

    Examples
    --------
    >>> compile_rule({"all": ["干部", "群众"]}).match(Sentence("干部和群众"))
    [(0, 2, '干部'), (3, 5, '群众')]
    >>> compile_rule({"regex": "("})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.coding.rules.RuleError: rule.regex: bad regular expression '(': missing ), ...
    """
    return _compile(raw, path, _Context(cues or Cues(), sets or {}))
