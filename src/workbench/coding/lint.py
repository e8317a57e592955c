"""Codebook lint: terms that never match the corpus, terms jieba splits, and example
quotes their own code does not code (:func:`uncoded_examples`).

Every literal codebook term is registered with the workbench segmenter
(:func:`register_terms`) so that topic models and frequency tables see codebook
concepts as single tokens. The lint tells the researcher which terms the corpus
never contains (dead rules, or typos) and which ones jieba would split without
registration (candidates for ``data/lexicon/userdict.txt``).

A term that never matches the bundled seeds is not necessarily a problem: the
codebook is meant for larger corpora, and some terms are deliberate variants of
what the seeds say (形象工程 beside 政绩工程). Such terms are declared in a comment
block of the codebook file, one per line, as ``#   variant: <code> <term> — why``
(:func:`declared_variants`); the lint then gives them the status ``variant`` — for
information — instead of ``unmatched``, which still flags dead terms and typos.

Terms under a ``not:`` are exclusions, not what a code matches on; the lint lists a
code's *matching* terms only (:func:`matching_terms`), so a residual code such as
``P_other`` (whose rule excludes every specific problem code) does not repeat the
terms of the codes it excludes.

Examples
--------
>>> from workbench.coding.codebook import load_codebook
>>> report = lint(load_codebook(), ["干部脱离群众", "走访"])
>>> sorted(report.columns)
['code', 'jieba_split', 'matches', 'status', 'term']
>>> row = report.set_index(["code", "term"]).loc[("P_detached", "脱离群众")]
>>> int(row["matches"]), row["status"]
(1, 'matched')
>>> report.loc[report["term"] == "形象工程", "status"].iloc[0]
'variant'
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from workbench import config
from workbench.coding.codebook import Code, Codebook
from workbench.coding.rules import Node, Not
from workbench.corpus.tokens import add_terms, import_jieba

#: Status of a lint row: found in the texts; declared variant absent from them; absent.
STATUSES = ("matched", "variant", "unmatched")

_VARIANT = re.compile(r"^#\s+variant:\s+(\S+)\s+(\S+)")


@cache
def _plain_tokenizer():
    """A jieba tokenizer with the lexicon but *without* codebook terms (the lint's baseline)."""
    tk = import_jieba().Tokenizer()
    tk.initialize()
    tk.load_userdict(str(config.USER_DICT))
    return tk


def jieba_splits(term: str) -> list[str]:
    """How jieba (with the lexicon, without codebook terms) segments ``term``.

    Examples
    --------
    >>> jieba_splits("干群关系")
    ['干群关系']
    """
    return _plain_tokenizer().lcut(term, cut_all=False, HMM=True)


#: Marks that, inside one term, mostly mean the researcher wrote a list as one string
#: (``[走访，入户]``, ``"走访、入户"``) or a regex as a term (``走访|入户``).
_LIST_MARKS = re.compile(r"[，,、；;|/／]")


def list_hint(term: str) -> str:
    """For a term that never matches: how to write it when it holds a list mark (or a
    regular expression's marks).

    A term is matched as written, mark included: ``[走访，入户]`` (a full-width comma, which
    YAML does not split on) is one term that only text with that comma matches, and
    ``走访|入户`` is a literal bar outside a ``regex:``. ``""`` when the term holds none.

    Examples
    --------
    >>> list_hint("走访，入户")
    "one term with '，' in it; for two terms write [走访, 入户] (ASCII commas)"
    >>> list_hint("走访|入户")
    "one term with '|' in it; for two terms write [走访, 入户] (ASCII commas)"
    >>> list_hint("走访入户")
    ''

    A term holding a regular expression's marks (``[村务]公开``, ``干部.*不作为``) is
    matched as written too, marks and all:

    >>> print(list_hint("[村务]公开").replace("; ", ";\\n"))
    a term is matched as written, '[' and ']' included;
    for a regular expression write {regex: "[村务]公开"}
    """
    marks = list(dict.fromkeys(_LIST_MARKS.findall(term)))
    parts = [p.strip() for p in _LIST_MARKS.split(term) if p.strip()]
    if not marks or len(parts) < 2:
        return _regex_hint(term)
    said = ", ".join(repr(m) for m in marks)
    return (f"one term with {said} in it; for {len(parts) if len(parts) > 2 else 'two'} terms "
            f"write [{', '.join(parts)}] (ASCII commas)")


#: A regular expression's marks, which a literal term matches as letters.
_REGEX_MARKS = re.compile(r"[\[\]().*+?^$\\{}]")


def _regex_hint(term: str) -> str:
    """For a term holding a regular expression's marks: that it is no regex, and how to
    write one (``""`` when it holds none)."""
    marks = list(dict.fromkeys(_REGEX_MARKS.findall(term)))
    if not marks:
        return ""
    said = " and ".join(repr(m) for m in marks[:3]) if len(marks) <= 3 else "its marks"
    regex = term.replace("\\", "\\\\").replace('"', '\\"')
    return (f"a term is matched as written, {said} included; for a regular expression write "
            f'{{regex: "{regex}"}}')  # fmt: skip


def register_terms(codebook: Codebook) -> int:
    """Register every literal codebook term with the workbench tokenizer; return how many."""
    terms = codebook.terms()
    add_terms(terms)
    return len(terms)


def _positive_terms(node: Node) -> list[str]:
    if isinstance(node, Not):
        return []
    kids = []
    for f in dataclasses.fields(node) if dataclasses.is_dataclass(node) else ():
        value = getattr(node, f.name)
        if isinstance(value, Node):
            kids.append(value)
        elif isinstance(value, list | tuple):
            kids.extend(v for v in value if isinstance(v, Node))
    if not kids:
        return node.terms()
    return [t for k in kids for t in _positive_terms(k)]


def matching_terms(code: Code) -> list[str]:
    """The literal terms ``code`` matches on: its terms outside any ``not:``, deduplicated.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> cb = load_codebook()
    >>> len(matching_terms(cb.code("P_other"))) < len(cb.code("P_other").terms())
    True
    >>> "反腐" in matching_terms(cb.code("P_corruption"))  # only excluded there
    False
    """
    return list(dict.fromkeys(_positive_terms(code.rule)))


def uncoded_examples(codebook: Codebook) -> list[tuple[str, str]]:
    """``(code, example)`` for each example quote its own code's rules do not code, in any
    section role, as a heading or not, in any document kind.

    A code's ``examples`` are the quotes it should match; an example its rules miss (a
    rule edited, a typo in a term) said nothing. The quote is coded as one sentence
    (converted to Simplified, as texts are), with the codebook's ``yields`` applied.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook, parse_codebook
    >>> uncoded_examples(load_codebook())
    []
    >>> raw = {"categories": {"liaison": {"label_zh": "联系", "label_en": "Liaison"}},
    ...        "codes": [{"id": "L_visit", "category": "liaison", "label_zh": "走访",
    ...                   "label_en": "Visits", "definition": "走访。", "rules": [["走访"]],
    ...                   "examples": ["干部走訪農戶", "干部入户了解情况"]}]}
    >>> uncoded_examples(parse_codebook(raw))
    [('L_visit', '干部入户了解情况')]
    """
    from workbench.coding.rules import PLAIN_KIND
    from workbench.corpus.script import to_simplified
    from workbench.corpus.structure import ROLES

    kinds = [PLAIN_KIND, *(k.name for k in codebook.kinds)]
    out = []
    for code in codebook.codes:
        for example in code.examples:
            text = to_simplified(example)
            if not any(code in codebook.match(text, role, heading, kind)
                       for role in ROLES for heading in (False, True) for kind in kinds):
                out.append((code.id, example))  # fmt: skip
    return out


def declared_variants(path: str | os.PathLike | None = None) -> set[tuple[str, str]]:
    """``(code, term)`` pairs declared as variants in the codebook file's comments.

    Parameters
    ----------
    path : path, optional
        The codebook YAML (default: the bundled ``data/codebook.yaml``); a relative
        path is taken from the working folder (``--codebook mine.yaml`` as given), else
        from the project root (:attr:`Codebook.path` shows a file inside the project
        relative to it). A missing file or one without declarations gives an empty set.

    Examples
    --------
    >>> ("L_visit", "家访") in declared_variants()
    True
    """
    path = Path(path) if path else config.CODEBOOK
    if not path.is_absolute() and not path.is_file():
        # Codebook.path shows a file inside the project relative to the project root; a
        # user's own codebook given relative to the working folder is as given (its
        # declarations were looked for under the project root and never found).
        path = config.ROOT / path
    if not path.is_file():
        return set()
    found = (_VARIANT.match(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {(m.group(1), m.group(2)) for m in found if m}


def lint(
    codebook: Codebook,
    texts: Iterable[str],
    *,
    variants: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per (code, matching term): occurrences in ``texts``, status, jieba's split.

    Parameters
    ----------
    codebook : Codebook
        The codebook; its terms come from :func:`matching_terms`.
    texts : iterable of str
        The corpus (Simplified text).
    variants : set of (code, term), optional
        Terms expected to be absent; default :func:`declared_variants` of the
        codebook's file.

    Returns
    -------
    DataFrame
        ``code, term, matches, status, jieba_split`` in codebook order. ``status`` is
        ``matched`` (occurs), ``variant`` (absent but declared: information) or
        ``unmatched`` (absent and undeclared: a dead term or a typo); ``jieba_split``
        is ``""`` when jieba keeps the term whole.
    """
    if variants is None:
        variants = declared_variants(codebook.path or None)
    corpus = "\n".join(t for t in texts if isinstance(t, str))
    rows = []
    for code in codebook.codes:
        for term in matching_terms(code):
            parts = jieba_splits(term)
            n = corpus.count(term)
            status = "matched" if n else ("variant" if (code.id, term) in variants else "unmatched")
            rows.append({
                "code": code.id, "term": term, "matches": n, "status": status,
                "jieba_split": "" if len(parts) == 1 else " / ".join(parts),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["code", "term", "matches", "status", "jieba_split"])
