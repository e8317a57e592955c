"""Kinds of document (a work report, a regulation …), told from how a document opens.

The same sentence means different things in different kinds of text. "必须加快经济体制
改革" in a government work report is macro policy, which the coding conventions leave
uncoded; in an essay on cadres' work style a demand in the same form is a countermeasure.
A codebook declares the kinds it needs under ``document_kinds:`` and its rules refer to
them with the ``kinds:`` modifier (:mod:`workbench.coding.rules`)::

    document_kinds:
      report:
        definition: 政府工作报告、党代会报告等向代表大会所作的报告
        head: 12
        patterns: ["^各位代表[:：!！]?$", "向.{0,12}大会.{0,4}作?.{0,8}报告"]

A document is of the first declared kind one of whose ``patterns`` (regular expressions
on the Simplified text) matches one of its first ``head`` segments; a document no kind
describes is of kind ``text``. Documents are the corpus's articles (``doc_id``), and
their first segments are the first rows of the table given, in its order: code a whole
document's segments together, headings included, as ``workbench code`` does. Where
duplicate paragraphs are left out first (``workbench code`` without
``--keep-duplicates``), a cue line repeated from another document goes with them; the
salutations and titles the bundled kinds look for are shorter than the 12 characters a
paragraph needs to be marked a near copy, but an exact copy of a long opening line is
marked, so keep such cues short.

Examples
--------
>>> import pandas as pd
>>> kinds = parse_kinds({"report": {"definition": "报告", "head": 3,
...                                 "patterns": ["^各位代表[:：]?$"]}}, "cb.yaml", [])
>>> seg = pd.DataFrame({"doc_id": ["a", "a", "b"],
...                     "text": ["各位代表：", "要加强领导。", "要加强领导。"]})
>>> segment_kinds(seg, kinds)
['report', 'report', 'text']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from workbench.coding.rules import PLAIN_KIND, term_pattern, traditional_chars
from workbench.regex_precheck import matches_empty, regex_triggers

log = logging.getLogger(__name__)

KIND_KEYS = ("definition", "head", "patterns")


@dataclass(frozen=True)
class DocumentKind:
    """One declared kind of document and the cues that tell it."""

    name: str
    definition: str
    #: How many of a document's first segments are searched for the cues.
    head: int
    pattern: re.Pattern[str]

    @cached_property
    def found(self) -> re.Pattern[str] | None:
        """Literals one of which every match of :attr:`pattern` contains, as one search
        (``None`` when not known): most segments lack them, and searching for literals
        is faster than trying the cues at every character.

        Examples
        --------
        >>> kind = DocumentKind("report", "报告", 3, re.compile("向.{0,12}大会|^各位代表$"))
        >>> kind.found.pattern
        '各位代表|大会'
        >>> DocumentKind("x", "x", 3, re.compile("(代表)?")).found is None  # matches empty
        True
        """
        triggers = regex_triggers(self.pattern)
        # The triggers are in every non-empty match; a pattern that can match empty
        # matches without them.
        if not triggers or matches_empty(self.pattern):
            return None
        return term_pattern(sorted(triggers))


def kind_names(raw: Any) -> tuple[str, ...]:
    """The names a ``document_kinds:`` section declares, valid or not.

    Examples
    --------
    >>> kind_names({"report": {}, "rules": None}), kind_names(None)
    (('report', 'rules'), ())
    """
    return tuple(k for k in raw if isinstance(k, str)) if isinstance(raw, dict) else ()


def parse_kinds(raw: Any, source: str, errors: list[str]) -> tuple[DocumentKind, ...]:
    """Validate a codebook's ``document_kinds:`` section; errors are appended, not raised.

    Examples
    --------
    >>> errors = []
    >>> parse_kinds({"report": {"head": 0, "patterns": ["("]}}, "cb.yaml", errors)
    ()
    >>> print("\\n".join(errors))  # doctest: +ELLIPSIS
    cb.yaml, document kind 'report', field 'definition': missing
    cb.yaml, document kind 'report', field 'head': needs a positive whole number, got 0
    cb.yaml, document kind 'report', field 'patterns': bad regular expression '(': ...
    """
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        errors.append(f"{source}, field 'document_kinds': needs a mapping of kind names")
        return ()
    kinds = []
    for name, spec in raw.items():
        where = f"{source}, document kind {name!r}"
        if not isinstance(name, str) or not name.isidentifier() or name == PLAIN_KIND:
            errors.append(f"{where}: a kind needs an identifier other than {PLAIN_KIND!r}")
            continue
        if not isinstance(spec, dict):
            errors.append(f"{where}: needs a mapping with {list(KIND_KEYS)}")
            continue
        before = len(errors)
        for key in sorted(set(spec) - set(KIND_KEYS), key=str):
            errors.append(f"{where}, field {key!r}: unknown key; allowed: {list(KIND_KEYS)}")
        definition = spec.get("definition")
        if not isinstance(definition, str) or not definition.strip():
            errors.append(f"{where}, field 'definition': missing")
        head = spec.get("head")
        if not isinstance(head, int) or isinstance(head, bool) or head < 1:
            errors.append(f"{where}, field 'head': needs a positive whole number, got {head!r}")
        patterns = spec.get("patterns")
        pattern = None
        if not isinstance(patterns, list) or not patterns or not all(
            isinstance(p, str) and p for p in patterns
        ):
            errors.append(f"{where}, field 'patterns': needs a non-empty list of regexes")
        else:
            for p in patterns:
                try:
                    re.compile(p)
                except re.error as err:
                    errors.append(f"{where}, field 'patterns': bad regular expression {p!r}: {err}")
            if len(errors) == before:
                pattern = re.compile("|".join(f"(?:{p})" for p in patterns))
                for p in patterns:  # matched as written against Simplified text
                    if found := traditional_chars(p):
                        chars = ", ".join(f"{t} → {s}" for t, s in found)
                        log.warning("%s, field 'patterns': regex %r has Traditional characters "
                                    "(%s); texts are matched in Simplified, so it never matches "
                                    "them: write it in Simplified", where, p, chars)
        if len(errors) == before and pattern is not None:
            kinds.append(DocumentKind(name, definition.strip(), head, pattern))
    return tuple(kinds)


def segment_kinds(segments: pd.DataFrame, kinds: Sequence[DocumentKind]) -> list[str]:
    """The kind of document each segment is in, in the table's order.

    Parameters
    ----------
    segments : DataFrame
        ``doc_id`` and Simplified ``text``, each document's segments in order.
    kinds : sequence of DocumentKind
        In order of precedence (the codebook's order).

    Returns
    -------
    list of str
        One kind name per row; ``text`` where no kind's cues are found (and for every
        row when ``kinds`` is empty).
    """
    n = len(segments)
    if not kinds or n == 0:
        return [PLAIN_KIND] * n
    # Imported here: the texts as the partition's coding takes them (converted once).
    from workbench.corpus.duplicates import segment_texts

    # Documents as numbers, and each row's rank within its document (numpy, not a
    # pandas groupby and masks: a few ms a partition).
    codes, docs = pd.factorize(segments["doc_id"].astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(docs))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    texts = segment_texts(segments)
    kind_of = np.full(len(docs), -1, dtype=np.int64)
    for k, kind in enumerate(kinds):
        head = (rank < kind.head).nonzero()[0].tolist()
        search, found = kind.pattern.search, kind.found
        if found is not None:  # only segments with one of the literals can match
            head = [i for i in head if found.search(texts[i]) is not None]
        hit = [i for i in head if search(texts[i]) is not None]
        found = codes[hit]
        # Earlier kinds win: a document keeps the first kind found.
        kind_of[found[kind_of[found] < 0]] = k
    if not (kind_of >= 0).any():
        return [PLAIN_KIND] * n
    names = np.array([kind.name for kind in kinds] + [PLAIN_KIND], dtype=object)
    return names[kind_of[codes]].tolist()
