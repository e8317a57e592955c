"""Word segmentation with jieba and the workbench's domain dictionary.

Segmentation uses a private :class:`jieba.Tokenizer` (never jieba's global one, so
other code that uses jieba cannot change our results) in precise mode with HMM on,
with the domain terms of :data:`workbench.config.USER_DICT` loaded. jieba is
imported and its prefix dictionary built on the first call only, so importing this
module stays cheap, and jieba's progress messages are silenced.

Callers pass Simplified text (see :func:`workbench.script.to_simplified`); the
dictionary is Simplified.

Examples
--------
>>> tokenize("干群关系紧张")
['干群关系', '紧张']
>>> content_tokens("部分党员干部脱离群众,高高在上。")
['部分', '党员干部', '脱离群众', '高高在上']
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import config

if TYPE_CHECKING:
    import jieba

# Tokens made only of punctuation, symbols, whitespace or underscores.
_NON_WORD = re.compile(r"[\W_]+")
# Arabic numbers in any width and notation (2013, １２, 3.5, 50%, 1-2). Chinese
# numerals are left alone: they carry meaning in set phrases such as 四风 or 三个代表.
_NUMBER = re.compile(r"[\d.,%％\-+/]*\d[\d.,%％\-+/]*")
# Chinese numerals standing alone: list markers of headings (一、 (二) 问题三:),
# not content. Numerals inside words (四风, 三个代表) are whole tokens and stay.
_CN_NUMERAL = re.compile(r"[一二三四五六七八九十百千万零两]+")
# One CJK ideograph (basic block, extension A, compatibility ideographs).
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_lock = threading.Lock()

#: Terms registered with :func:`add_terms`, in order: other processes replay them
#: (:func:`sync_terms`) so that they segment exactly like this one.
_added: list[str] = []


def _import_jieba():
    """Import jieba quietly.

    jieba 0.42.1 contains regex literals with invalid escapes, which newer Pythons
    report as SyntaxWarning when the module is compiled; and it attaches a DEBUG
    stream handler to its logger, which would print "Building prefix dict ..." to
    stderr (noise in notebooks checked by nbval).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba


@cache
def tokenizer() -> jieba.Tokenizer:
    """The workbench's jieba tokenizer, built once with the user dictionary loaded.

    Returns
    -------
    jieba.Tokenizer
        A private instance; terms registered with :func:`add_terms` live here.

    Examples
    --------
    >>> tokenizer() is tokenizer()
    True
    """
    jieba = _import_jieba()
    tk = jieba.Tokenizer()
    tk.initialize()
    # An open file, not a path: jieba never closes a file it opens (ResourceWarning).
    with open(config.USER_DICT, "rb") as f:
        tk.load_userdict(f)
    return tk


def tokenize(text: str) -> list[str]:
    """Segment ``text`` with jieba precise mode (HMM on), keeping every token.

    Parameters
    ----------
    text : str
        Simplified Chinese text, as given (not normalised further).

    Returns
    -------
    list of str
        Tokens whose concatenation is ``text``; whitespace and punctuation included.

    Examples
    --------
    >>> tokenize("坚持群众路线")
    ['坚持', '群众路线']
    >>> tokenize("")
    []
    """
    if not text:
        return []
    tk = tokenizer()
    # add_terms() mutates the tokenizer's dictionary; the lock keeps a cut in
    # another thread from seeing a half-registered term.
    with _lock:
        return tk.lcut(text, cut_all=False, HMM=True)


def is_content_token(token: str, stopwords: frozenset[str]) -> bool:
    """Whether ``token`` carries content: not a stopword, punctuation, number or lone symbol.

    Lone Chinese numerals (heading markers such as the 一 of 一、) are numbers too.

    Examples
    --------
    >>> sw = frozenset({"的"})
    >>> toks = ["的", "群众", "，", " ", "2013", "a", "干", "一", "四风"]
    >>> [t for t in toks if is_content_token(t, sw)]
    ['群众', '干', '四风']
    """
    token = token.strip()
    if not token or token in stopwords:
        return False
    if _NON_WORD.fullmatch(token) or _NUMBER.fullmatch(token) or _CN_NUMERAL.fullmatch(token):
        return False
    return not (len(token) == 1 and not _CJK_CHAR.match(token))


def content_tokens(text: str) -> list[str]:
    """Tokens of ``text`` minus stopwords, punctuation, whitespace, numbers and lone non-CJK chars.

    Examples
    --------
    >>> content_tokens("2013年,我们要坚持走群众路线!")
    ['坚持', '走群众路线']
    """
    stopwords = load_stopwords()
    return [t for t in tokenize(text) if is_content_token(t, stopwords)]


def add_terms(terms: Iterable[str]) -> None:
    """Register extra terms (e.g. codebook terms) with the workbench tokenizer.

    jieba picks each term's frequency so that the term is kept whole where it
    occurs on its own. The change lasts for the process and affects every later
    :func:`tokenize` call.

    Parameters
    ----------
    terms : iterable of str
        Terms to add; blanks are ignored and surrounding whitespace is stripped.

    Examples
    --------
    >>> add_terms(["民情恳谈会"])
    >>> tokenize("召开民情恳谈会")
    ['召开', '民情恳谈会']
    """
    tk = tokenizer()
    with _lock:
        for term in terms:
            term = term.strip()
            if term:
                tk.add_word(term)
                _added.append(term)


def added_terms() -> list[str]:
    """Terms registered with :func:`add_terms` in this process so far, in order.

    Examples
    --------
    >>> add_terms(["村民说事会"])
    >>> added_terms()[-1]
    '村民说事会'
    """
    return list(_added)


def sync_terms(terms: Sequence[str]) -> None:
    """Make this process's tokenizer hold exactly ``terms`` on top of the user dictionary.

    jieba picks an added term's frequency from the dictionary as it stands, so
    the same terms added in the same order give the same segmentation. A worker
    process (of :mod:`workbench.pipeline`) calls this with the submitting
    process's :func:`added_terms`; when its own history differs, the tokenizer is
    rebuilt and the terms replayed.

    Examples
    --------
    >>> before = added_terms()
    >>> sync_terms(before)                 # already in sync: nothing changes
    >>> added_terms() == before
    True
    """
    terms = list(terms)
    if _added == terms:
        return
    if _added != terms[: len(_added)]:
        with _lock:
            tokenizer.cache_clear()
            _added.clear()
    add_terms(terms[len(_added) :])


def _read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


@cache
def _stopwords_at(path: Path) -> frozenset[str]:
    return frozenset(_read_lines(path))


def load_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """Stopwords, one per line, from ``path`` (default :data:`workbench.config.STOPWORDS`).

    Examples
    --------
    >>> sw = load_stopwords()
    >>> "的" in sw, "群众" in sw
    (True, False)
    """
    return _stopwords_at(Path(path or config.STOPWORDS).resolve())


def user_terms(path: str | Path | None = None) -> list[str]:
    """Terms of a jieba user dictionary (default :data:`workbench.config.USER_DICT`), in file order.

    Each line is ``word [freq] [tag]``; only the word is returned.

    Examples
    --------
    >>> terms = user_terms()
    >>> "干群关系" in terms and terms == sorted(terms)
    True
    """
    return [line.split()[0] for line in _read_lines(Path(path or config.USER_DICT))]
