"""One multi-pattern pass per sentence to find the codes that can possibly match.

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
"""

from __future__ import annotations

import ahocorasick

from workbench.coding.codebook import Codebook


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
