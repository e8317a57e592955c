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
section role must be one of them), ``kinds: [report, ...]`` (the kind of document the
sentence is in must be one of them: the codebook's ``document_kinds``, or ``text`` for a
document of no declared kind; :mod:`workbench.coding.kinds`), ``heading: true|false``
and ``polarity: negative|prescriptive`` — a span counts only with a cue of that polarity from the
codebook's ``polarity`` lists within ``window`` characters (negative cues before
or after: 监督**不力**, **缺乏**监督; prescriptive cues before: **加强**监督). ``quote:
false`` makes a rule a condition only: it must hold, but what it matched is not quoted
as evidence (``{regex: "[一-龥]", roles: [cause]}``, "any sentence of a cause section",
would otherwise quote every character); such a rule cannot be a side of ``near``,
which measures the distance between quoted spans.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.corpus.script import to_simplified
from workbench.corpus.structure import ROLES
from workbench.regex_precheck import (
    RegexPlan,
    most_selective,
    regex_plan,
    regex_triggers,
    union_of,
)

if TYPE_CHECKING:  # the scan lives beside the automaton; it only calls back into nodes
    from workbench.coding.prefilter import Scan

#: A matched span: start, end, matched text.
Span = tuple[int, int, str]

POLARITIES = ("negative", "prescriptive")
OPERATORS = ("any", "all", "not", "regex", "near", "set")
MODIFIERS = ("roles", "kinds", "heading", "polarity", "quote")
#: The kind of a document that no declared kind describes.
PLAIN_KIND = "text"
NEAR_OPTIONS = ("within", "ordered")


class RuleError(ValueError):
    """A rule that cannot be compiled; ``path`` says where (``rules[2].near[0]``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Sentence:
    """What a rule sees: Simplified text, section role, heading flag, document kind."""

    text: str
    role: str = "other"
    is_heading: bool = False
    kind: str = PLAIN_KIND


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

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        """:meth:`match_all`'s ``ok`` alone, for where the spans are not needed (under
        ``not``, in a ``quote: false`` condition, for an ``unless`` veto).

        Nodes that can tell where they match for less than finding their spans do so.
        """
        return self.match_all(scan, where).ok

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

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The words as one alternation (:func:`term_pattern`), compiled on first use:
        :meth:`match_all` needs none, and compiling every term set of a codebook was a
        fifth of loading it."""
        return term_pattern(self.words)

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
        if plan.kind == "run":
            return scan.run(plan, where)
        return scan.each(self.pattern, plan.literals, where, plan.requires)

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        if self.plan.kind == "run":
            # A character class matches one character or more: one search a sentence,
            # which stops at the first match, not every match cut from every run.
            return scan.searched(self.pattern, where)
        return self.match_all(scan, where).ok

    def literals(self) -> set[str]:
        needs = {w for alt in self.plan.needs for need in alt for w in need}
        requires = {w for need in self.plan.requires for w in need}
        return set(self.plan.literals or ()) | needs | requires


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
        return union_of(c.triggers() for c in self.children)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        if not np.count_nonzero(where):  # nothing to look at: skip the children
            return scan.nothing()
        found = [c.match_all(scan, where) for c in self.children]
        ok = found[0].ok.copy()
        for m in found[1:]:  # in place: ``logical_or.reduce`` stacked the masks first
            ok |= m.ok
        return Matches(ok, scan.union(m.keys for m in found))

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        ok = None
        for child in self.children:
            # Each child is looked for only where no earlier one matched.
            rest = where if ok is None else where & ~ok
            if not np.count_nonzero(rest):
                break
            found = child.holds(scan, rest)
            ok = found.copy() if ok is None else ok | found
        return scan.nothing().ok if ok is None else ok

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
        return most_selective(c.triggers() for c in self.children)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        ok, keys = where, []
        for child in self.children:
            # Each requirement is looked for only where the earlier ones held.
            if not np.count_nonzero(ok):  # a requirement failed everywhere: so do the rest
                return scan.nothing()
            m = child.match_all(scan, ok)
            ok = m.ok
            keys.append(m.keys)
        return Matches(ok, scan.within(scan.union(keys), ok))

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        ok = where
        for child in self.children:
            if not np.count_nonzero(ok):
                return scan.nothing().ok
            ok = child.holds(scan, ok)
        return ok

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
        return Matches(self.holds(scan, where), scan.no_keys)

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        return where & ~self.child.holds(scan, where)

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
        return most_selective([self.left.triggers(), self.right.triggers()])

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        a = self.left.match_all(scan, where)
        # Both sides need spans (``not a`` is true for ``[]`` too).
        b = self.right.match_all(scan, scan.having(a.keys) & where)
        return scan.matches(scan.near(a.keys, b.keys, self.within, self.ordered))

    def literals(self) -> set[str]:
        return self.left.literals() | self.right.literals()


@dataclass
class Filtered(Node):
    """A child restricted by section role, document kind, heading flag and span polarity,
    and, with ``quote=False``, a condition whose spans are not evidence."""

    child: Node
    roles: frozenset[str] | None = None
    heading: bool | None = None
    polarity: str | None = None
    cues: Cues | None = None
    kinds: frozenset[str] | None = None
    quote: bool = True

    def match(self, s: Sentence) -> list[Span] | None:
        if self.roles is not None and s.role not in self.roles:
            return None
        if self.kinds is not None and s.kind not in self.kinds:
            return None
        if self.heading is not None and s.is_heading != self.heading:
            return None
        spans = self.child.match(s)
        if spans is not None and self.polarity is not None:
            spans = [sp for sp in spans if self._has_cue(s.text, sp)] or None
        return spans if spans is None or self.quote else []

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
        # Roles, kinds, heading and polarity only narrow what the child matches.
        return self.child.triggers()

    def _narrowed(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        """``where`` without the sentences of other roles, kinds or heading flags."""
        if self.roles is not None:
            where = where & scan.role_mask(self.roles)
        if self.kinds is not None:
            where = where & scan.kind_mask(self.kinds)
        if self.heading is not None:
            where = where & (scan.heading == self.heading)
        return where

    def holds(self, scan: Scan, where: np.ndarray) -> np.ndarray:
        if self.polarity is not None:  # the cues are looked for around the spans
            return self.match_all(scan, where).ok
        where = self._narrowed(scan, where)
        if not np.count_nonzero(where):
            return scan.nothing().ok
        return self.child.holds(scan, where)

    def match_all(self, scan: Scan, where: np.ndarray) -> Matches:
        where = self._narrowed(scan, where)
        if not np.count_nonzero(where):
            return scan.nothing()
        if not self.quote and self.polarity is None:  # a condition: where it holds
            return Matches(self.child.holds(scan, where), scan.no_keys)
        m = self.child.match_all(scan, where)
        if self.polarity is not None:
            assert self.cues is not None
            cue = scan.has_cue(
                m.keys, self._cue_words, self.cues.window, after=self.polarity == "negative"
            )
            m = scan.matches(m.keys.compress(cue))
        return m if self.quote else Matches(m.ok, scan.no_keys)

    @property
    def _cue_words(self) -> tuple[str, ...]:
        return tuple(getattr(self.cues, self.polarity or "", ()))

    def literals(self) -> set[str]:
        return self.child.literals() | set(self._cue_words)


def regex_patterns(rules: Sequence[Node]) -> list[re.Pattern[str]]:
    """The patterns of every :class:`Regex` in the rule trees ``rules``, in tree order.

    Examples
    --------
    >>> rule = compile_rule({"all": [{"regex": "由于.+"}, {"not": {"regex": "[0-9]"}}]})
    >>> [p.pattern for p in regex_patterns([rule])]
    ['由于.+', '[0-9]']
    """
    out: list[re.Pattern[str]] = []
    stack = list(reversed(rules))
    while stack:
        node = stack.pop()
        if isinstance(node, Regex):
            out.append(node.pattern)
            continue
        kids: list[Node] = []
        for name in _field_names(type(node)):
            value = getattr(node, name)
            if isinstance(value, list):
                kids.extend(v for v in value if isinstance(v, Node))
            elif isinstance(value, Node):
                kids.append(value)
        stack.extend(reversed(kids))
    return out


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The fields of a rule node's class (a dataclass), asked once per class: the
    codebook's trees are walked for their regexes in every process (codes and their
    lint), and ``dataclasses.fields`` per node was most of the walk."""
    return tuple(f.name for f in fields(cls))


def traditional_chars(pattern: str) -> list[tuple[str, str]]:
    """The characters of a regular expression that Simplified text writes otherwise
    (``熱`` → ``热``), with their Simplified form, in order of first use.

    Terms are converted to Simplified, but a regex is matched as written, against the
    Simplified text: a Traditional character in it (便民熱線) never matches, silently.
    A character whose Simplified form is in the pattern too (``[线線]``) is left out,
    and so is one that Simplified text keeps in some words (乾 of 乾隆, which the
    converter keeps whole): only a character the converter changes on its own *and* in
    the pattern's own wording is listed.

    Examples
    --------
    >>> traditional_chars("便民熱線|市長熱線")
    [('熱', '热'), ('線', '线'), ('長', '长')]
    >>> traditional_chars("[线線]路|乾隆|干部"), traditional_chars("")
    ([], [])
    """
    simple = to_simplified(pattern)
    if simple == pattern:
        # Every character is in ``simple``, so none is listed: no conversion per
        # character (a codebook's hundreds of patterns cost 20 ms a process).
        return []
    out: dict[str, str] = {}
    for ch in dict.fromkeys(pattern):
        if not ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"):
            continue
        to = to_simplified(ch)
        if to != ch and to not in pattern and ch not in simple:
            out[ch] = to
    return list(out.items())


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
        nodes.insert(0, Terms(tuple(words)))
    return nodes


@dataclass
class _Context:
    cues: Cues
    sets: Mapping[str, Sequence[str]]
    #: Declared document kinds (``text``, the kind of every other document, is implied).
    kinds: frozenset[str] = frozenset()


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
        return Terms(tuple(words))
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
        return Terms(tuple(words))
    if isinstance(raw, list):  # a bare list is shorthand for any: [...]
        return _compile({"any": raw}, path, ctx)
    if not isinstance(raw, Mapping):
        raise RuleError(path, f"a rule is a term or a mapping, got {type(raw).__name__}")
    allowed = {*OPERATORS, *MODIFIERS, *(NEAR_OPTIONS if "near" in raw else ())}
    unknown = sorted(set(raw) - allowed, key=str)
    if unknown:
        from workbench.names import closest

        # rols: for roles:, regx: for regex: name the key meant
        meant = [f"{k!r} → {m[0]!r}" for k in unknown if (m := closest(str(k), allowed, n=1))]
        hint = f" (did you mean {', '.join(meant)}?)" if meant else ""
        raise RuleError(path, f"unknown key(s) {unknown}{hint}; allowed: {sorted(allowed)}")
    node = _operator(raw, path, ctx)
    roles = raw.get("roles")
    if isinstance(roles, str) and roles in ROLES:  # roles: problem, for roles: [problem]
        raise RuleError(f"{path}.roles", f"needs a list of roles: write roles: [{roles}]")
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
    kinds = raw.get("kinds")
    if isinstance(kinds, str) and kinds in {*ctx.kinds, PLAIN_KIND}:
        raise RuleError(f"{path}.kinds", f"needs a list of kinds: write kinds: [{kinds}]")
    if kinds is not None:
        known = {*ctx.kinds, PLAIN_KIND}
        bad = [k for k in kinds if k not in known] if isinstance(kinds, list) else kinds
        if not isinstance(kinds, list) or not kinds or bad:
            raise RuleError(
                f"{path}.kinds",
                f"unknown document kind(s) {bad or kinds!r}; declared under "
                f"`document_kinds:`: {sorted(known)}",
            )
    quote = raw.get("quote", True)
    if not isinstance(quote, bool):
        raise RuleError(f"{path}.quote", f"needs true or false, got {quote!r}")
    if roles is None and polarity is None and heading is None and kinds is None and quote:
        return node
    return Filtered(
        node,
        frozenset(roles) if roles else None,
        heading,
        polarity,
        ctx.cues,
        frozenset(kinds) if kinds else None,
        quote,
    )


def compile_rule(
    raw: Any,
    *,
    cues: Cues | None = None,
    sets: Mapping[str, Sequence[str]] | None = None,
    path: str = "rule",
    kinds: Sequence[str] = (),
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
    kinds : sequence of str
        Document kinds that ``kinds:`` may name besides ``text``.

    Raises
    ------
    RuleError
        On an unknown key, an empty list or term, a bad regex, an unknown role,
        document kind, polarity or set, or a malformed ``near``.

    Examples
    --------
    >>> compile_rule({"all": ["干部", "群众"]}).match(Sentence("干部和群众"))
    [(0, 2, '干部'), (3, 5, '群众')]
    >>> in_reports = compile_rule({"any": ["要"], "kinds": ["report"]}, kinds=["report"])
    >>> in_reports.match(Sentence("要加强领导", kind="report"))
    [(0, 1, '要')]
    >>> in_reports.match(Sentence("要加强领导")) is None
    True
    >>> condition = compile_rule({"all": ["监督", {"regex": "[一-龥]", "roles": ["cause"],
    ...                                           "quote": False}]})
    >>> condition.match(Sentence("监督不力", "cause")), condition.match(Sentence("监督不力"))
    ([(0, 2, '监督')], None)
    >>> compile_rule({"regex": "("})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.coding.rules.RuleError: rule.regex: bad regular expression '(': missing ), ...
    """
    return _compile(raw, path, _Context(cues or Cues(), sets or {}, frozenset(kinds)))
