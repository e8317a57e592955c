"""Codebook lint: terms that never match the corpus and terms jieba splits.

Every literal codebook term is registered with the workbench segmenter
(:func:`register_terms`) so that topic models and frequency tables see codebook
concepts as single tokens. The lint tells the researcher which terms the corpus
never contains (dead rules, or typos) and which ones jieba would split without
registration (candidates for ``data/lexicon/userdict.txt``).

Examples
--------
>>> from workbench.coding.codebook import load_codebook
>>> report = lint(load_codebook(), ["干部脱离群众", "走访"])
>>> sorted(report.columns)
['code', 'jieba_split', 'matches', 'term']
>>> bool(report.loc[report["term"] == "脱离群众", "matches"].iloc[0] > 0)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pandas as pd

from workbench import config
from workbench.coding.codebook import Codebook
from workbench.tokens import _import_jieba, add_terms


@cache
def _plain_tokenizer():
    """A jieba tokenizer with the lexicon but *without* codebook terms (the lint's baseline)."""
    tk = _import_jieba().Tokenizer()
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


def register_terms(codebook: Codebook) -> int:
    """Register every literal codebook term with the workbench tokenizer; return how many."""
    terms = codebook.terms()
    add_terms(terms)
    return len(terms)


def lint(codebook: Codebook, texts: Iterable[str]) -> pd.DataFrame:
    """One row per (code, term): occurrences in ``texts`` and jieba's split (``""`` if whole).

    Returns
    -------
    DataFrame
        ``code, term, matches, jieba_split``, in codebook order.
    """
    corpus = "\n".join(t for t in texts if isinstance(t, str))
    rows = []
    for code in codebook.codes:
        for term in code.terms():
            parts = jieba_splits(term)
            rows.append({
                "code": code.id, "term": term, "matches": corpus.count(term),
                "jieba_split": "" if len(parts) == 1 else " / ".join(parts),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["code", "term", "matches", "jieba_split"])
