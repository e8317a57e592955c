"""Multi-pattern scans: candidate codes per sentence, and whole-corpus matching.

Every code's rule tree knows its *triggers* (:meth:`workbench.coding.rules.Node.triggers`):
literals at least one of which occurs in every sentence the rule matches — the terms
of an ``any``, the most selective requirement of an ``all`` or ``near``, the literal
parts of a regex where they are certain. A rule with no such set (a top-level
``not``, a regex without a required literal) has ``None`` and is always evaluated.

:class:`Prefilter` puts every trigger of the codebook into one Aho–Corasick automaton
(``pyahocorasick``), scans each sentence once, and returns the codes whose triggers
occur plus the always-evaluated ones. Their rules are then evaluated exactly as
before, so the result is identical to evaluating every code; skipped codes are
only those that cannot match.

Examples
--------
>>> from workbench.coding.codebook import load_codebook
>>> cb = load_codebook()
>>> pf = Prefilter(cb)
>>> ids = [cb.codes[i].id for i in pf.candidates("切实加强监督考核。")]
>>> "M_oversight" in ids and "P_corruption" not in ids
True
>>> set(pf.always) <= set(pf.candidates(""))
True

:class:`Scan` goes further and is what :func:`workbench.coding.coder.code_segments`
uses: the sentences are joined into one text (by a separator no literal contains, so
no literal can match across two sentences) and every occurrence of every literal the
rules use is found in one vectorised pass (:class:`Trie`); each rule node then
matches all sentences at once from those occurrences
(:meth:`workbench.coding.rules.Node.match_all`). Literal alternations (term lists
and regexes like ``(不够|不强)``) are resolved with numpy exactly as the regex engine
would resolve them (leftmost match, first alternative, no overlaps); other regexes
run only at the positions where their leading literal occurs and the literals they
need follow it in reach (or, failing such a literal, on the sentences containing one of
their triggers). Everything else —
``all``, ``not``, ``near``, roles, headings, polarity windows — is numpy on the spans.

>>> from workbench.coding.rules import compile_rule
>>> scan = Scan(["监督不力", "", "加强监督"], ["cause", "other", "countermeasure"],
...             [False, False, False], cb.codes[0].rule.literals() | {"监督"})
>>> m = compile_rule("监督").match_all(scan, scan.valid)
>>> m.ok.tolist(), scan.spans(m.keys)
([True, False, True], [(0, 0, 2, '监督'), (2, 2, 4, '监督')])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import ahocorasick
import numpy as np
import pandas as pd

from workbench.coding.codebook import Codebook
from workbench.coding.rules import PLAIN_KIND, Matches, RegexPlan

T = TypeVar("T")
SEPARATORS = "\n\x00\uffff"
#: A branch alternative's needed literals are checked only when it starts this often.
MIN_CHECKED = 16
#: :class:`Trie` takes its first two steps at once from a table of character pairs when
#: its literals use at most this many characters (the table: 16 MB at most).
MAX_PAIR_WIDTH = 2048


class Prefilter:
    """Candidate codes of a sentence from one Aho–Corasick scan of the codebook's literals.

    Attributes
    ----------
    always : list of int
        Indices of codes that cannot be prefiltered (always evaluated).
    literals : list of str
        Every trigger literal, sorted.
    """

    def __init__(self, codebook: Codebook) -> None:
        triggers = [c.rule.triggers() for c in codebook.codes]
        self.always = [i for i, t in enumerate(triggers) if t is None]
        self.literals = sorted({w for t in triggers if t is not None for w in t})
        index = {w: k for k, w in enumerate(self.literals)}
        codes_of: list[set[int]] = [set() for _ in self.literals]
        for ci, t in enumerate(triggers):
            for w in t or ():
                codes_of[index[w]].add(ci)
        self._codes_of = [frozenset(c) for c in codes_of]
        self._automaton: ahocorasick.Automaton | None = None
        if self.literals:
            automaton = ahocorasick.Automaton()
            for k, w in enumerate(self.literals):
                automaton.add_word(w, k)
            automaton.make_automaton()
            self._automaton = automaton
        self._always = frozenset(self.always)

    def found(self, text: str) -> set[int]:
        """Indices (into :attr:`literals`) of the literals occurring in ``text``."""
        if self._automaton is None or not text:
            return set()
        return {k for _end, k in self._automaton.iter(text)}

    def candidates(self, text: str) -> list[int]:
        """Indices of the codes that can match ``text``, in codebook order."""
        codes = set(self._always)
        for k in self.found(text):
            codes |= self._codes_of[k]
        return sorted(codes)


class Scan:
    """Sentences joined into one text, scanned once for a set of literals.

    Parameters
    ----------
    texts : sequence of str
        The Simplified sentences (``""`` for one that is not to be coded).
    roles, headings : sequence
        Each sentence's section role and heading flag.
    literals : iterable of str
        Every literal the rules will look up (:meth:`Node.literals
        <workbench.coding.rules.Node.literals>`), none of them empty.
    kinds : sequence of str, optional
        The kind of document each sentence is in (:mod:`workbench.coding.kinds`);
        default ``text`` for all.

    Attributes
    ----------
    valid : ndarray of bool
        Sentences with text.
    heading : ndarray of bool
    starts, ends : ndarray of int64
        Each sentence's offsets in the joined text.
    size : int
        A span ``(start, end)`` of the joined text is the key ``start * size + end``.

    Examples
    --------
    >>> scan = Scan(["干部联系群众", "群众"], ["other"] * 2, [False, True], ["群众", "联系"])
    >>> scan.hits("群众").tolist(), scan.starts.tolist()
    ([4, 7], [0, 7])
    >>> scan.spans(scan.alternation(("群众",), scan.heading).keys)
    [(1, 0, 2, '群众')]
    """

    def __init__(
        self,
        texts: Sequence[str],
        roles: Sequence[str],
        headings: Sequence[bool],
        literals: Iterable[str],
        kinds: Sequence[str] | None = None,
    ) -> None:
        words = _words(tuple(literals))
        self.literals = list(words.literals)
        self.texts = list(texts)
        self.heading = np.array(headings, dtype=bool).reshape(-1)
        self._roles, self._role_names = _factorized(roles)
        kinds = [PLAIN_KIND] * len(self.texts) if kinds is None else kinds
        self._kinds, self._kind_names = _factorized(kinds)
        lengths = np.fromiter(map(len, self.texts), dtype=np.int64, count=len(self.texts))
        self.valid = lengths > 0
        self.starts = np.cumsum(lengths + 1) - (lengths + 1)
        self.ends = self.starts + lengths
        # The sentence of every offset of the joined text (its separator included).
        self._sentence = np.repeat(np.arange(len(self.texts), dtype=np.int32), lengths + 1)
        self.text = words.separator.join(self.texts)
        self.size = len(self.text) + 1
        self.no_keys = np.zeros(0, dtype=np.int64)
        self._words = words
        self._found, offsets = self._scan() if self.literals else (self.no_keys, [0])
        self._offsets = np.asarray(offsets, dtype=np.int64)
        self._counts = np.diff(self._offsets)
        self._bounds = self._offsets.tolist()
        # Each literal's occurrences, cut from ``_found`` when first asked for: a rule
        # walk asks for a few hundred of the codebook's thousands.
        self._by_literal: dict[str, np.ndarray] = {}
        self._cache: dict[object, object] = {}

    def _scan(self) -> tuple[np.ndarray, np.ndarray]:
        """Start offsets of every literal's occurrences, grouped by literal."""
        n = len(self.literals)
        starts, ids = self._words.trie().find(self.text)
        # A literal's occurrences come out in order (all found at one step of the walk),
        # so a stable sort by literal is enough: a radix sort with 16-bit indices.
        order = np.argsort(ids.astype(np.int16 if n < 2**15 else np.int64), kind="stable")
        offsets = np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=n))])
        return starts.take(order), offsets.astype(np.int64)

    def hits(self, literal: str) -> np.ndarray:
        """Sorted start offsets (in the joined text) of every occurrence of ``literal``."""
        found = self._by_literal.get(literal)
        if found is None:
            k = self._words.index[literal]
            found = self._by_literal[literal] = self._found[self._bounds[k] : self._bounds[k + 1]]
        return found

    def _cached(self, key: object, make: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]  # type: ignore[return-value]

    # -- spans ------------------------------------------------------------------
    # Arrays are cut with ``take`` and ``compress`` rather than ``a[idx]`` and ``a[mask]``:
    # the same result, and on a partition's arrays numpy's indexing costs up to four
    # times as much (a boolean mask that keeps about half, the most).

    def sentence_of(self, positions: np.ndarray) -> np.ndarray:
        """The sentence each offset of the joined text falls in."""
        return self._sentence.take(positions)

    def keys_sentence(self, keys: np.ndarray) -> np.ndarray:
        """The sentence of each span key."""
        return self.sentence_of(keys // self.size)

    def spans(self, keys: np.ndarray) -> list[tuple[int, int, int, str]]:
        """``(sentence, start, end, text)`` of span keys, offsets within the sentence."""
        out = []
        for key, sid in zip(keys.tolist(), self.keys_sentence(keys).tolist(), strict=True):
            start, end = divmod(key, self.size)
            base = int(self.starts[sid])
            out.append((sid, start - base, end - base, self.text[start:end]))
        return out

    def union(self, keys: Iterable[np.ndarray]) -> np.ndarray:
        """The span keys of all of ``keys`` (each sorted and unique), sorted and unique."""
        found = [k for k in keys if len(k)]
        if len(found) == 1:  # mostly one side has spans: it is the union already
            return found[0]
        if not found:  # mostly so in a small partition
            return self.no_keys
        return unique(np.concatenate([self.no_keys, *found]))

    def mask(self, sentences: np.ndarray) -> np.ndarray:
        """A boolean mask of the given sentence indices."""
        out = np.zeros(len(self.texts), dtype=bool)
        out[sentences] = True
        return out

    def having(self, keys: np.ndarray) -> np.ndarray:
        """Sentences with at least one of the span ``keys``."""
        return self.mask(self.keys_sentence(keys))

    def nothing(self) -> Matches:
        """No sentence matched: what every rule gives where it looks at none.

        One read-only result for the scan: rule nodes give it by the hundred.
        """
        return self._cached("nothing", self._nothing)

    def _nothing(self) -> Matches:
        ok = np.zeros(len(self.texts), dtype=bool)
        ok.flags.writeable = False
        return Matches(ok, self.no_keys)

    def matches(self, keys: np.ndarray) -> Matches:
        """Matches made of spans only: a sentence matches when it has one."""
        if not len(keys):
            return self.nothing()
        return Matches(self.having(keys), keys)

    def within(self, keys: np.ndarray, where: np.ndarray) -> np.ndarray:
        """The span ``keys`` in sentences of the mask ``where``."""
        if not len(keys):
            return keys
        return keys.compress(where.take(self.keys_sentence(keys)))

    def role_mask(self, roles: Collection[str]) -> np.ndarray:
        """Sentences whose role is one of ``roles``."""
        return self._label_mask("roles", self._roles, self._role_names, roles)

    def kind_mask(self, kinds: Collection[str]) -> np.ndarray:
        """Sentences in documents of one of ``kinds``."""
        return self._label_mask("kinds", self._kinds, self._kind_names, kinds)

    def _label_mask(
        self, what: str, codes: np.ndarray, names: Sequence[str], wanted: Collection[str]
    ) -> np.ndarray:
        """Sentences whose label (factorised as ``codes`` of ``names``) is ``wanted``."""
        key = (what, frozenset(wanted))
        found = self._cache.get(key)
        if found is None:  # the names looked up once per scan, not at every rule node
            ids = [i for i, name in enumerate(names) if name in wanted]
            found = self._cache[key] = np.isin(codes, ids)
        return found  # type: ignore[return-value]

    # -- matching ---------------------------------------------------------------

    def alternation(self, alternatives: tuple[str, ...], where: np.ndarray) -> Matches:
        """What ``re.finditer("alt1|alt2|...")`` finds in each sentence of ``where``.

        At each position the first alternative (in the given order) that occurs there;
        scanning resumes after each match, so matches never overlap.

        Examples
        --------
        >>> scan = Scan(["宗旨意识淡化的宗旨"], ["other"], [False], ["宗旨", "宗旨意识", "意识"])
        >>> scan.spans(scan.alternation(("宗旨意识", "宗旨", "意识"), scan.valid).keys)
        [(0, 0, 4, '宗旨意识'), (0, 7, 9, '宗旨')]
        """
        if not np.count_nonzero(where):
            return self.nothing()
        keys, sids = self._cached(("alt", alternatives), lambda: self._alternation(alternatives))
        if not len(keys):  # none of the words occurs: mostly so in a small partition
            return self.nothing()
        keep = where.take(sids)
        return Matches(self.mask(sids.compress(keep)), keys.compress(keep))

    def _alternation(self, alternatives: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Span keys of the alternation's matches in every sentence, and their sentences."""
        starts, rank = self._by_start(alternatives)
        if not len(starts):
            return self.no_keys, self.no_keys
        ends = starts + _lengths(alternatives).take(rank)
        later = starts[1:] == starts[:-1]  # not the first alternative at its position
        if later.any():  # mostly no two alternatives start at one position
            first = np.concatenate([[True], ~later])
            starts, ends = starts.compress(first), ends.compress(first)
        keep = _leftmost(starts, ends)
        if not keep.all():
            starts, ends = starts.compress(keep), ends.compress(keep)
        return starts * self.size + ends, self.sentence_of(starts)

    def _by_start(self, literals: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence of ``literals``: starts, and the index of the literal found
        there, sorted by start, then by index."""
        n = len(literals)
        if not n:
            return self.no_keys, self.no_keys
        if n == 1:  # one literal's occurrences are sorted already
            found = self.hits(literals[0])
            return found, np.zeros(len(found), dtype=np.int64)
        # Which literals occur, from the counts: most of a long term list does not, and
        # looking each one up cost more than merging the others.
        ids = self._words.ids(literals)
        counts = self._counts.take(ids)
        present = counts.nonzero()[0]
        if not len(present):  # mostly none of them occurs in a small partition
            return self.no_keys, self.no_keys
        if len(present) == 1:  # often one literal occurs: nothing to merge
            k = int(present[0])
            found = self.hits(literals[k])
            which = np.empty(len(found), dtype=np.int64)
            which.fill(k)
            return found, which
        counts = counts[present]
        first = self._offsets[ids[present]]
        found = self._found
        # One sort of integer keys: cheaper than sorting the starts with their indices;
        # the index in the low bits (shifts, not a division, take the key apart), and
        # 32-bit keys where they fit (they sort twice as fast).
        bits = max(n - 1, 1).bit_length()
        small = self.size << bits < 2**31
        index = np.repeat(present.astype(np.int32 if small else np.int64), counts)
        runs = zip(first.tolist(), (first + counts).tolist(), strict=True)
        keys = np.concatenate([found[a:b] for a, b in runs]).astype(index.dtype, copy=False)
        keys = keys << bits | index
        keys.sort()
        starts, which = keys >> bits, keys & ((1 << bits) - 1)
        return starts.astype(np.int64, copy=False), which.astype(np.int64, copy=False)

    def branch(self, pattern: re.Pattern[str], plan: RegexPlan, where: np.ndarray) -> Matches:
        """``pattern``'s non-empty matches in each sentence of ``where``, by a ``branch`` plan.

        At each position the first alternative whose literal occurs there decides:
        a literal alternative is the match; an alternative that only starts with the
        literal makes the pattern itself be tried there (its match, if any, is the
        engine's). Then, as in ``finditer``, matches are taken left to right without
        overlaps.
        """
        if not np.count_nonzero(where):
            return self.nothing()
        starts, ends, sids = self._cached(("branch", pattern), lambda: self._branch_starts(plan))
        if not len(sids):  # it can match nowhere: mostly so in a small partition
            return self.nothing()
        keep = where.take(sids)
        if not np.count_nonzero(keep):
            return self.nothing()
        # The engine's answers are kept for the next rule node using the same pattern.
        todo = (keep & (ends < 0)).nonzero()[0]
        if len(todo):
            ends[todo] = self._match_at(pattern, starts[todo])
        tried = keep & (ends > starts)
        starts, ends, sids = starts.compress(tried), ends.compress(tried), sids.compress(tried)
        keep = _leftmost(starts, ends)
        if not keep.all():  # mostly no two matches overlap
            starts, ends, sids = starts.compress(keep), ends.compress(keep), sids.compress(keep)
        return Matches(self.mask(sids), starts * self.size + ends)

    def _branch_starts(self, plan: RegexPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where a ``branch`` plan's pattern may match, the end of its match there, and
        the sentence.

        The end is known for a literal alternative (its end); it is ``-1`` where the
        pattern must be tried. Starts where no alternative can match are left out.
        Matches never span two sentences, so this holds whatever sentences are looked at.
        """
        literals = plan.literals or ()
        # By start, then in the plan's order: alternatives, and within one the engine's.
        starts, which = self._by_start(literals)
        if not len(starts):
            return self.no_keys, self.no_keys, self.no_keys
        tables = _plan_tables(plan)
        first = _trues(len(starts))
        first[1:] = starts[1:] != starts[:-1]
        head = first.nonzero()[0]  # the first (in the plan's order) literal at each start
        if tables.checked:
            # The pattern can match at a start only by an alternative whose literal is
            # there and whose needed literals follow it: elsewhere it is not tried. Starts
            # where nothing can match are left out: fewer for every rule node to look at.
            may = tables.exact.take(which) | self._may_follow(starts, which, plan)
            head = head[np.logical_or.reduceat(may, head)]
        starts, which = starts.take(head), which.take(head)
        ends = np.where(tables.exact.take(which), starts + tables.lengths.take(which), -1)
        return starts, ends, self.sentence_of(starts)

    def _may_follow(self, starts: np.ndarray, which: np.ndarray, plan: RegexPlan) -> np.ndarray:
        """Per start of one of the plan's literals (``which``): each needed literal set
        (:attr:`RegexPlan.needs`) of the literal's alternative has one occurrence at or
        after the start that can end inside the match (within the alternative's width
        and the end of the sentence)."""
        out = _trues(len(starts))
        tables = _plan_tables(plan)
        # Mostly a plan has one alternative, or one with needed literals: a comparison
        # per such alternative is cheaper than ordering the starts by alternative.
        rank = tables.ranks.take(which) if len(plan.needs) > 1 else None
        for r, needs, width in tables.checked:
            # ``rows``: the starts of alternative ``r`` (``None``: all of them).
            rows = None if rank is None else (rank == r).nonzero()[0]
            at = starts if rows is None else starts.take(rows)
            # A few starts cost less to try than to check.
            if len(at) < MIN_CHECKED:
                continue
            end = self.ends.take(self.sentence_of(at))
            if width is not None:
                end = np.minimum(end, at + width)
            for i, (need, shortest) in enumerate(needs):
                found = self._cached(("union", need), lambda need=need: self._occurrences(need))
                # The first occurrence at or after the start: if it cannot end in time,
                # no later one can (shortest literal of the set).
                ok = found.take(np.searchsorted(found, at)) + shortest <= end
                out[~ok if rows is None else rows[~ok]] = False
                if i + 1 < len(needs):  # the next need is checked where this one was met
                    rows = ok.nonzero()[0] if rows is None else rows.compress(ok)
                    at, end = at.compress(ok), end.compress(ok)
        return out

    def _having(self, literals: tuple[str, ...]) -> np.ndarray:
        """Sentences containing one of ``literals``."""
        return self.mask(self.sentence_of(self._occurrences(literals)[:-1]))

    def _occurrences(self, literals: tuple[str, ...]) -> np.ndarray:
        """Sorted start offsets of every occurrence of any of ``literals``, then
        :attr:`size` (past every start: what follows the last occurrence)."""
        found = np.concatenate([self.no_keys, *(self.hits(w) for w in literals), [self.size]])
        if len(literals) == 1:  # one literal's occurrences are sorted already
            return found
        if self.size < 2**31:  # 32-bit offsets sort twice as fast
            return np.sort(found.astype(np.int32)).astype(np.int64)
        found.sort()
        return found

    def _match_at(self, pattern: re.Pattern[str], starts: np.ndarray) -> np.ndarray:
        """End of ``pattern``'s match at each start (the start itself when none)."""
        sids = self.sentence_of(starts)
        base = self.starts.take(sids)
        match, texts = pattern.match, self.texts
        # One list comprehension, no per-item numpy writes: a third less coding time.
        found = [
            -1 if (m := match(texts[s], p)) is None else m.end()
            for s, p in zip(sids.tolist(), (starts - base).tolist(), strict=True)
        ]
        ends = np.array(found, dtype=np.int64)
        return np.where(ends >= 0, base + ends, starts)

    def run(self, plan: RegexPlan, where: np.ndarray) -> Matches:
        """The matches of a ``run`` plan's pattern (a character class, perhaps repeated).

        ``finditer`` cuts each run of the class's characters into matches of the
        repeat's most characters (its least when lazy) from the left, the rest a match
        too when it is long enough; so the matches follow from where the runs are.

        Examples
        --------
        >>> from workbench.regex_precheck import regex_plan
        >>> scan = Scan(["干部ab群众x", "ab"], ["other"] * 2, [False] * 2, [])
        >>> scan.spans(scan.run(regex_plan(re.compile("[a-z]+")), scan.valid).keys)
        [(0, 2, 4, 'ab'), (0, 6, 7, 'x'), (1, 0, 2, 'ab')]
        >>> scan.spans(scan.run(regex_plan(re.compile("[一-鿿]{2}")), scan.valid).keys)
        [(0, 0, 2, '干部'), (0, 4, 6, '群众')]
        """
        sentences = where.nonzero()[0]
        if not len(sentences):
            return self.nothing()
        # Every character of those sentences and the separator after each, in a row.
        lengths = self.ends[sentences] - self.starts[sentences] + 1
        offsets = np.repeat(self.starts[sentences], lengths) + _ranks(lengths)
        points = self._cached("points", lambda: _code_points(self.text + "\n"))[offsets]
        inside = np.zeros(len(points) + 2, dtype=np.int8)  # a 0 either side ends every run
        for low, high in plan.chars:
            inside[1:-1] |= (points >= low) & (points <= high)
        if plan.negate:
            inside[1:-1] ^= 1
        inside[np.cumsum(lengths)] = 0  # separators: no match reaches into the next sentence
        edges = np.diff(inside)
        first, length = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        length -= first
        first = offsets[first]  # runs never span two sentences: offsets in the text
        least, most, lazy = plan.repeat
        if most is None and not lazy:  # greedy without a limit: each long enough run
            long = length >= least
            return self.matches(first[long] * self.size + (first + length)[long])
        piece = least if lazy or most is None else most
        # Whole pieces, then (greedy) what is left of a run when it is long enough.
        whole = length // piece
        pieces = np.repeat(first, whole) + piece * _ranks(whole)
        tail = length - whole * piece >= least  # never when lazy: the rest is too short
        starts = np.concatenate([pieces, (first + whole * piece)[tail]])
        ends = np.concatenate([pieces + piece, (first + length)[tail]])
        return self.matches(np.sort(starts * self.size + ends))

    def each(
        self,
        pattern: re.Pattern[str],
        triggers: Sequence[str] | None,
        where: np.ndarray,
        requires: Sequence[Sequence[str]] = (),
    ) -> Matches:
        """``pattern``'s non-empty matches, searched sentence by sentence.

        Only sentences of ``where`` containing one of ``triggers`` (literals every
        match contains) are searched; all of ``where`` when ``triggers`` is ``None``.
        ``requires``: more such sets, each of which the sentence must contain one of.
        """
        if not np.count_nonzero(where):
            return self.nothing()
        for need in ([triggers] if triggers is not None else []) + list(requires):
            need = tuple(need)
            where = where & self._cached(("having", need), lambda need=need: self._having(need))
        found = []
        for sid in where.nonzero()[0].tolist():
            base = int(self.starts[sid])
            for m in pattern.finditer(self.texts[sid]):
                if m.end() > m.start():
                    found.append((base + m.start()) * self.size + base + m.end())
        return self.matches(np.array(found, dtype=np.int64))

    def searched(self, pattern: re.Pattern[str], where: np.ndarray) -> np.ndarray:
        """Sentences of ``where`` in which ``pattern`` (which never matches empty) matches.

        Examples
        --------
        >>> scan = Scan(["干部ab", "ab", "群众"], ["other"] * 3, [False] * 3, [])
        >>> scan.searched(re.compile("[a-z]+"), np.array([True, False, True])).tolist()
        [True, False, False]
        """
        sentences = where.nonzero()[0]
        search, texts = pattern.search, self.texts
        found = [s for s in sentences.tolist() if search(texts[s]) is not None]
        return self.mask(np.array(found, dtype=np.int64))

    def near(self, left: np.ndarray, right: np.ndarray, within: int, ordered: bool) -> np.ndarray:
        """Span keys of every left–right pair of one sentence at most ``within`` apart.

        Examples
        --------
        >>> scan = Scan(["干部联系群众"], ["other"], [False], ["干部", "群众"])
        >>> a, b = (scan.alternation((w,), scan.valid).keys for w in ("干部", "群众"))
        >>> scan.spans(scan.near(a, b, 2, ordered=False)), scan.near(b, a, 2, ordered=True)
        ([(0, 0, 2, '干部'), (0, 4, 6, '群众')], array([], dtype=int64))
        """
        li, ri = _pairs(self.keys_sentence(left), self.keys_sentence(right))
        x, y = left[li], right[ri]
        (xs, xe), (ys, ye) = divmod(x, self.size), divmod(y, self.size)
        good = np.maximum(xs, ys) - np.minimum(xe, ye) <= within
        if ordered:
            good &= ys >= xe
        return unique(np.concatenate([x.compress(good), y.compress(good)]))

    def has_cue(
        self, keys: np.ndarray, cues: tuple[str, ...], window: int, *, after: bool
    ) -> np.ndarray:
        """For each span key: a cue lies within ``window`` characters before it (or after).

        A cue counts when it lies wholly inside the window and inside the sentence,
        as a regex search of the window's text would find it.

        Examples
        --------
        >>> words = ["监督", "缺乏", "不力"]
        >>> scan = Scan(["缺乏监督", "监督不力"], ["other"] * 2, [False] * 2, words)
        >>> keys = scan.alternation(("监督",), scan.valid).keys
        >>> scan.has_cue(keys, ("缺乏", "不力"), 4, after=False).tolist()
        [True, False]
        >>> scan.has_cue(keys, ("缺乏", "不力"), 4, after=True).tolist()
        [True, True]
        """
        if not len(keys):
            return np.zeros(0, dtype=bool)
        last, latest = self._cached(("cues", cues), lambda: self._cue_hits(cues))
        start, end = divmod(keys, self.size)
        sid = self.sentence_of(start)
        lo = np.maximum(self.starts.take(sid), start - window)
        found = _occurs_within(last, latest, lo, start)
        if after:
            hi = np.minimum(end + window, self.ends.take(sid))
            found |= _occurs_within(last, latest, end, hi)
        return found

    def _cue_hits(self, cues: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Ends of every cue occurrence, sorted, and the latest start among the first
        ``0, 1, …, n`` of them in that order (``-1`` for none; :func:`_occurs_within`)."""
        first = np.concatenate([self.no_keys, *(self.hits(c) for c in cues)])
        last = first + np.repeat([len(c) for c in cues], [len(self.hits(c)) for c in cues])
        order = np.argsort(last, kind="stable")
        return last[order], np.concatenate([[-1], np.maximum.accumulate(first[order])])


class Trie:
    """Every occurrence of a set of literals, found with numpy instead of a Python loop.

    The literals form a trie with a dense transition table over the characters they
    use. All positions of the text walk the trie together, one character per step;
    positions fall out as soon as no literal continues there, so after the first
    step or two few are left (the first two are one lookup in a table of character
    pairs, :data:`MAX_PAIR_WIDTH`). Each position that reaches a literal's node is an
    occurrence: overlapping and nested occurrences are all found, as with
    Aho–Corasick.

    Examples
    --------
    >>> starts, ids = Trie(["宗旨", "宗旨意识", "意识"]).find("强化宗旨意识")
    >>> sorted(zip(starts.tolist(), ids.tolist()))
    [(2, 0), (2, 1), (4, 2)]
    """

    def __init__(self, literals: Sequence[str]) -> None:
        self.literals = list(literals)
        alphabet = sorted(set().union(*map(set, self.literals)))
        self._char_id = np.zeros(0x110000, dtype=np.int32)  # 0: a character no literal uses
        self._char_id[[ord(ch) for ch in alphabet]] = np.arange(1, len(alphabet) + 1)
        # Built with Python ints (a dict, not numpy scalars) and the table filled at once:
        # the trie of a codebook's literals is built in every process.
        char_id = {ch: i for i, ch in enumerate(alphabet, 1)}
        children: list[dict[int, int]] = [{}]
        word: list[int] = [-1]
        for k, literal in enumerate(self.literals):
            node = 0
            for ch in literal:
                cid = char_id[ch]
                if cid not in children[node]:
                    children[node][cid] = len(children)
                    children.append({})
                    word.append(-1)
                node = children[node][cid]
            word[node] = k
        self._width = len(alphabet) + 1
        size = len(children) * self._width
        # Nodes as 16-bit numbers where they fit: half the table, walked faster.
        self._index = np.int32 if size < 2**31 else np.int64
        nodes = np.int16 if len(children) < 2**15 else self._index
        self._next = np.full(size, -1, dtype=nodes)
        at = [node * self._width + cid for node, kids in enumerate(children) for cid in kids]
        self._next[np.array(at, dtype=np.int64)] = [c for kids in children for c in kids.values()]
        self._word = np.array(word, dtype=np.int32)
        self._depth = max(map(len, self.literals), default=0)
        self._single, self._pair = self._first_two()

    def _first_two(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Per character, the literal it is on its own (or -1); per pair of characters,
        the node they lead to from the root (or -1) when that table is small enough."""
        root = self._next[: self._width]
        single = np.where(root >= 0, self._word[np.maximum(root, 0)], -1).astype(np.int32)
        if self._width > MAX_PAIR_WIDTH:
            return single, None
        pair = np.full((self._width, self._width), -1, dtype=self._next.dtype)
        first = np.flatnonzero(root >= 0)
        pair[first] = self._next.reshape(-1, self._width)[root[first]]  # their nodes' rows
        return single, pair.ravel()

    def find(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Start offsets and literal indices of every occurrence in ``text``.

        One literal's occurrences come out in the order of their starts.
        """
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        n = len(points)
        # Padded with "no literal" characters so every step can look ahead.
        pad = np.zeros(max(self._depth, 1), np.int32)
        chars = np.concatenate([self._char_id.take(points), pad])
        starts, ids = [], []
        if self._pair is None:
            # The first step reads only the root's row: about half the positions survive it.
            state, begin = self._next[: self._width].take(chars[:n]), 1
        else:
            # Two steps at once from a table of character pairs: two thirds of the positions
            # survive one step, a fifth two, and a step costs by the positions it walks.
            word = self._single.take(chars[:n])
            ends = np.flatnonzero(word >= 0)
            starts.append(ends)
            ids.append(word[ends])
            state, begin = self._pair.take(chars[:n] * self._width + chars[1 : n + 1]), 2
        pos = np.flatnonzero(state >= 0)
        state = state.take(pos)
        for step in range(begin, self._depth + 1):
            word = self._word.take(state)
            ends = np.flatnonzero(word >= 0)
            starts.append(pos.take(ends))
            ids.append(word.take(ends))
            at = state.astype(self._index) * self._width + chars.take(pos + step)
            state = self._next.take(at)
            alive = np.flatnonzero(state >= 0)
            if not len(alive):
                break
            pos, state = pos.take(alive), state.take(alive)
        return np.concatenate(starts).astype(np.int64), np.concatenate(ids).astype(np.int64)


@lru_cache(maxsize=8)
def _trie(literals: tuple[str, ...]) -> Trie:
    """The trie of a codebook's literals, built once per process."""
    return Trie(literals)


@dataclass(frozen=True)
class _PlanTables:
    """A ``branch`` plan's per-literal arrays and its alternatives with needed literals."""

    ranks: np.ndarray
    exact: np.ndarray
    lengths: np.ndarray
    #: ``(alternative, needs, width)`` of the alternatives that need literals; each need
    #: with the length of its shortest literal.
    checked: tuple[tuple[int, tuple[tuple[tuple[str, ...], int], ...], int | None], ...]


#: :class:`_PlanTables` by plan identity (each plan kept alive beside them): built once
#: per process rather than for every partition's scan.
_PLAN_TABLES: dict[int, tuple[RegexPlan, _PlanTables]] = {}


def _plan_tables(plan: RegexPlan) -> _PlanTables:
    """The :class:`_PlanTables` of ``plan`` (a ``branch`` plan)."""
    known = _PLAN_TABLES.get(id(plan))
    if known is not None and known[0] is plan:
        return known[1]
    literals = plan.literals or ()
    tables = _PlanTables(
        np.array(plan.ranks, dtype=np.int64),
        np.array(plan.exact, dtype=bool), np.array([len(w) for w in literals], dtype=np.int64),
        tuple((r, tuple((need, min(map(len, need))) for need in needs), width)
              for r, (needs, width) in enumerate(zip(plan.needs, plan.widths, strict=True))
              if needs),
    )  # fmt: skip
    _PLAN_TABLES[id(plan)] = (plan, tables)
    return tables


@dataclass(frozen=True)
class _Words:
    """A scan's literals, sorted and unique, with what every scan of them needs."""

    literals: tuple[str, ...]
    separator: str
    index: dict[str, int]
    _ids: dict[int, tuple[tuple[str, ...], np.ndarray]] = field(default_factory=dict)

    def trie(self) -> Trie:
        return _trie(self.literals)

    def ids(self, literals: tuple[str, ...]) -> np.ndarray:
        """The index of each of ``literals`` (a rule's, kept alive by it) in
        :attr:`literals`, once per process; read-only."""
        known = self._ids.get(id(literals))
        if known is not None and known[0] is literals:
            return known[1]
        out = np.array([self.index[w] for w in literals], dtype=np.int64)
        out.flags.writeable = False
        # Keyed by identity (the tuple kept beside it): hashing a long tuple of terms
        # at every lookup cost more than the lookup.
        self._ids[id(literals)] = (literals, out)
        return out


@lru_cache(maxsize=8)
def _words(literals: tuple[str, ...]) -> _Words:
    """:class:`_Words` of ``literals``, once per process: sorting and indexing a
    codebook's literals for every partition cost 2 ms each."""
    words = tuple(sorted(set(literals)))
    if not all(words):
        raise ValueError("an empty literal cannot be scanned for")
    return _Words(words, _separator(words), {w: k for k, w in enumerate(words)})


def _separator(literals: Sequence[str]) -> str:
    """A character no literal contains, so no literal can match across two sentences."""
    for sep in SEPARATORS:
        if not any(sep in w for w in literals):
            return sep
    raise ValueError("every separator character occurs in a literal")


def _factorized(values: Sequence[str]) -> tuple[np.ndarray, Sequence[str]]:
    """Codes and names of ``values``, as :func:`pandas.factorize` gives them.

    One name everywhere (mostly every document is of one kind) is told without
    hashing every value.

    Examples
    --------
    >>> [(c.tolist(), list(names)) for c, names in map(_factorized, (["a"] * 2, ["b", "a"]))]
    [([0, 0], ['a']), ([0, 1], ['b', 'a'])]
    """
    if isinstance(values, list) and values and values.count(values[0]) == len(values):
        return np.zeros(len(values), dtype=np.intp), [values[0]]
    return pd.factorize(np.asarray(values, dtype=object))


def unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys)`` of a 1-d array, by sorting.

    numpy's ``unique`` hashes integers: here several times slower (0.1 ms even on an
    empty array, which rule nodes produce by the thousand).

    Examples
    --------
    >>> unique(np.array([3, 1, 3, 2])).tolist(), unique(np.zeros(0, dtype=np.int64)).dtype
    ([1, 2, 3], dtype('int64'))
    """
    out = np.sort(keys)
    keep = _trues(len(out))
    keep[1:] = out[1:] != out[:-1]
    return out.compress(keep)


@lru_cache(maxsize=4096)
def _lengths(words: tuple[str, ...]) -> np.ndarray:
    """The lengths of ``words`` (a rule's alternatives), once per process; read-only."""
    out = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    out.flags.writeable = False
    return out


def _trues(n: int) -> np.ndarray:
    """``np.ones(n, dtype=bool)`` without its Python wrapper (a rule walk makes hundreds)."""
    out = np.empty(n, dtype=bool)
    out.fill(True)
    return out


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``, one per character (offsets as Python counts them)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _ranks(counts: np.ndarray) -> np.ndarray:
    """``0, 1, …, count - 1`` for each count, concatenated."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def _leftmost(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which of the candidate matches (sorted by start) a left-to-right scan keeps.

    A candidate is kept when it starts at or after the end of the last kept one.
    Candidates that start after every earlier candidate's end are kept outright;
    only the rare overlapping ones are walked in Python.
    """
    sure = _trues(len(starts))
    if len(starts) < 2:
        return sure
    sure[1:] = starts[1:] >= np.maximum.accumulate(ends)[:-1]
    if sure.all():  # mostly no candidate overlaps another: nothing to walk
        return sure
    walk = (~sure).nonzero()[0]
    # Python ints, not numpy scalars: the walk is a plain loop.
    after_sure, sure_end = sure[walk - 1].tolist(), ends[walk - 1].tolist()
    kept, end = [], 0
    for fresh, fresh_end, start, stop in zip(
        after_sure, sure_end, starts[walk].tolist(), ends[walk].tolist(), strict=True
    ):
        if fresh:  # after a kept one that ends after everything before it
            end = fresh_end
        kept.append(start >= end)
        if start >= end:
            end = stop
    keep = sure.copy()
    keep[walk] = kept
    return keep


def _pairs(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` with ``left[i] == right[j]``; both arrays sorted."""
    lo = np.searchsorted(right, left, side="left")
    counts = np.searchsorted(right, left, side="right") - lo
    li = np.repeat(np.arange(len(left)), counts)
    offset = np.arange(len(li)) - np.repeat(np.cumsum(counts) - counts, counts)
    return li, np.repeat(lo, counts) + offset


def _occurs_within(
    last: np.ndarray, latest: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """For each window ``[lo, hi)``: an occurrence ``[first, last)`` lies inside it.

    ``last`` is sorted and ``latest[i]`` is the latest ``first`` of the first ``i``
    occurrences in that order (``latest[0]`` is ``-1``): of the occurrences ending by
    ``hi``, the one starting latest is inside the window if any is.

    Examples
    --------
    >>> last, latest = np.array([3, 5, 9]), np.array([-1, 1, 3, 7])  # [1, 3), [3, 5), [7, 9)
    >>> _occurs_within(last, latest, np.array([0, 2, 4, 6, 0]), np.array([3, 4, 8, 9, 2])).tolist()
    [True, False, False, True, False]
    """
    return latest.take(np.searchsorted(last, hi, side="right")) >= lo
