"""Word segmentation with jieba and the workbench's domain dictionary.

Segmentation uses a private :class:`jieba.Tokenizer` (never jieba's global one, so
other code that uses jieba cannot change our results) in precise mode with HMM on,
with the domain terms of :data:`workbench.config.USER_DICT` loaded. jieba is
imported and its prefix dictionary built on the first call only, so importing this
module stays cheap, and jieba's progress messages are silenced.

Callers pass Simplified text (see :func:`workbench.corpus.script.to_simplified`); the
dictionary is Simplified.

Two engines give the same segmentation: ``engine="jieba"`` is jieba itself;
``engine="rjieba"`` (the default, :data:`DEFAULT_ENGINE`) is jieba-rs (the
``rjieba`` binding, about ten times faster) loaded with exactly the dictionary of
the jieba tokenizer — jieba's dictionary, the user dictionary and every
:func:`add_terms` term, with the frequencies jieba assigned and jieba's dictionary
total — and with jieba's splitting of Latin letters and digits inside unknown runs
(``1-2`` → ``1 - 2``) restored. :func:`agreement` measures how often the two agree:
1.0 on the seeds and on the generated benchmark corpora (``benchmarks/run.py``
reports it on every run). Pass ``engine="jieba"`` to reproduce plain jieba exactly.

Start-up: the jieba-rs engine does not need jieba itself. Its dictionary (every word
of jieba's with a non-zero frequency after the user dictionary, with that frequency,
and jieba's total) is prepared once and kept in a cache file in the workbench's cache
folder (:func:`workbench.config.cache_dir`), named by a checksum of its
inputs (jieba's dictionary and code, the user dictionary, the workbench version); a
process with a warm cache reads it instead of building jieba's prefix dictionary.
The cache is written atomically and is optional: where it cannot be read or written
the dictionary is built as before. jieba itself is built when first needed: by
``engine="jieba"``, :func:`add_terms` (jieba picks the frequency of an added term),
:func:`tokenizer`, or a text with ideographs only jieba-rs calls Han.

Examples
--------
>>> tokenize("干群关系紧张")
['干群关系', '紧张']
>>> content_tokens("部分党员干部脱离群众,高高在上。")
['部分', '党员干部', '脱离群众', '高高在上']
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import importlib.machinery
import importlib.util
import logging
import marshal
import os
import re
import sys
import tempfile
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import accumulate, pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa

from workbench import config
from workbench.corpus import collector

if TYPE_CHECKING:
    import jieba

#: Arrow type of a table's token lists (:func:`token_array`).
TOKENS_TYPE = pa.list_(pa.string())

#: Segmentation engines :func:`tokenize` accepts.
ENGINES = ("jieba", "rjieba")

#: The engine used when none is named: jieba-rs with jieba's dictionaries. Its
#: tokens equal jieba's on every sentence measured (see the module notes); it is
#: the fast path of the pipeline, the notebooks and the report.
DEFAULT_ENGINE = "rjieba"

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

# Texts jieba-rs needs no help with: without ASCII letters or digits it splits
# exactly like jieba. With them, jieba's HMM step splits an unknown run such as
# "1-2" into 1, -, 2 (jieba.finalseg.re_skip) where jieba-rs keeps it whole.
_ALNUM = re.compile(r"[a-zA-Z0-9]+")
# jieba's Han range (jieba.re_han_default): a token with one of these is not a
# Latin/digit run.
_JIEBA_HAN = re.compile(r"[\u4E00-\u9FD5]")
# Ideographs jieba-rs treats as Han but jieba does not (extension A and beyond,
# compatibility ideographs, U+9FD6..U+9FFF): texts with them go to jieba itself.
_RJIEBA_ONLY_HAN = re.compile(r"[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F]")
# _ALNUM, _JIEBA_HAN and _RJIEBA_ONLY_HAN as code point ranges, to test every character
# of many texts at once (a test checks them against the patterns).
_ALNUM_RANGES = ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A))
_JIEBA_HAN_RANGES = ((0x4E00, 0x9FD5),)
_RJIEBA_ONLY_HAN_RANGES = ((0x3400, 0x4DBF), (0x9FD6, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
# A word that never occurs in text, whose frequency makes jieba-rs's dictionary
# total equal jieba's (jieba adds an added word's frequency to its total without
# subtracting the old one; the total weighs every path of the segmentation DAG).
_PAD_WORD = "\U0010fffd"
# jieba.finalseg.re_skip: how jieba's HMM step splits a Latin/digit run (a test checks
# that the two are the same); copied so that the jieba-rs engine need not import jieba.
_RE_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Put between texts cut in one call (_RJieba.cut_joined): neither whitespace nor in
# jieba-rs's Han blocks, so jieba-rs gives it as a token of its own and cuts the text
# on either side as it would alone.
_JOIN = "\x00"
# Put between tokens to find where they start (_token_starts), where no text has it.
_MARK = "\x01"
# Largest offset of an Arrow string array (int32 offsets).
_MAX_INT32 = 2**31 - 1
# Version of the prepared-dictionary cache's content; part of its checksum (2: the
# words as one string, the frequencies as one buffer).
_CACHE_FORMAT = 2
# Prepared dictionaries kept in the cache directory (the most recently written).
_CACHE_KEEP = 4

_lock = threading.Lock()

#: Terms registered with :func:`add_terms`, in order: other processes replay them
#: (:func:`sync_terms`) so that they segment exactly like this one.
_added: list[str] = []


def import_jieba():
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
    global _pristine
    jieba = import_jieba()
    tk = jieba.Tokenizer()
    tk.initialize()
    # An open file, not a path: jieba never closes a file it opens (ResourceWarning).
    with open(config.USER_DICT, "rb") as f:
        tk.load_userdict(f)
    _pristine = tk
    return tk


# The tokenizer as tokenizer() built it, until add_terms() changes it: its dictionary
# is the prepared one (_prepared()), so a jieba-rs mirror of that can serve it.
_pristine: jieba.Tokenizer | None = None


def _jieba_dict_file() -> Path:
    """jieba's main dictionary (what ``jieba.Tokenizer().get_dict_file()`` opens),
    found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("jieba")
    return Path(spec.origin).with_name("dict.txt")


def _cache_file() -> Path:
    """The prepared dictionary's cache file, named by a checksum of everything its
    content follows from."""
    import workbench

    jieba_dict = _jieba_dict_file()
    h = hashlib.sha256()
    h.update(f"{_CACHE_FORMAT} {marshal.version} {sys.implementation.cache_tag} ".encode())
    h.update(f"{workbench.__version__} {_PAD_WORD}".encode())
    for path in (jieba_dict, jieba_dict.with_name("__init__.py"), Path(config.USER_DICT)):
        data = path.read_bytes()
        h.update(f"\0{len(data)}\0".encode())
        h.update(data)
    return config.cache_dir() / f"jieba-dict-{h.hexdigest()[:32]}.marshal"


def _dictionary_of(tk: jieba.Tokenizer) -> tuple[list[str], list[int], int]:
    """jieba's words (non-zero frequency), their frequencies and jieba's total."""
    # 0 marks a prefix only (or a force-split word): not a word for jieba
    words = [w for w, f in tk.FREQ.items() if f]
    return words, [tk.FREQ[w] for w in words], tk.total


def _read_prepared(path: Path) -> tuple[list[str], list[int], int] | None:
    try:
        fmt, words, freqs, total = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        fmt != _CACHE_FORMAT
        or not isinstance(words, str)
        or not isinstance(freqs, bytes)
        or not isinstance(total, int)
    ):
        return None
    words = words.split("\n") if words else []
    numbers = array.array("q")
    try:
        numbers.frombytes(freqs)
    except ValueError:  # not a whole number of items
        return None
    if len(words) != len(numbers):
        return None
    return words, numbers.tolist(), total


def _write_prepared(path: Path, prepared: tuple[list[str], list[int], int]) -> None:
    """Write atomically (a temporary file, then os.replace): a reader sees the whole
    file or none, and two processes racing write the same content. Best effort.

    The words are one string, one a line, and the frequencies one buffer of 64-bit
    integers: read back in a third of the time lists of 349,000 objects take."""
    words, freqs, total = prepared
    joined = "\n".join(words)
    if any("\n" in w for w in words) or (words == [""]):  # never in jieba's dictionary
        return
    try:
        numbers = array.array("q", freqs).tobytes()
    except OverflowError:
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".marshal")
        with os.fdopen(fd, "wb") as f:
            marshal.dump((_CACHE_FORMAT, joined, numbers, total), f)
        os.replace(tmp, path)
        tmp = None
        old = sorted(path.parent.glob("jieba-dict-*.marshal"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-_CACHE_KEEP]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prepared() -> tuple[tuple[list[str], list[int], int], jieba.Tokenizer | None]:
    """The dictionary of a fresh :func:`tokenizer` (words, frequencies, total), from
    the cache where it holds it, else from the tokenizer (built here, and returned
    too), writing the cache."""
    try:
        path = _cache_file()
    except OSError:
        path = None
    if path is not None:
        prepared = _read_prepared(path)
        if prepared is not None:
            return prepared, None
    tk = tokenizer()
    prepared = _dictionary_of(tk)
    if path is not None:
        _write_prepared(path, prepared)
    return prepared, tk


def _jieba_rs() -> type:
    """``rjieba.Jieba``, loaded without running ``rjieba/__init__.py``, which builds a
    default instance with jieba-rs's own dictionary (about 0.15 s, never used here).

    The extension module is registered as ``rjieba.rjieba``, where the package's
    ``from .rjieba import Jieba`` finds it, so a later ``import rjieba`` works and
    shares the class. Where the layout differs, a plain ``import rjieba``.
    """
    mod = sys.modules.get("rjieba.rjieba")
    if mod is None:
        try:
            spec = importlib.util.find_spec("rjieba")
            where = Path(next(iter(spec.submodule_search_locations)))  # type: ignore[union-attr]
            suffixes = importlib.machinery.EXTENSION_SUFFIXES
            path = next(p for s in suffixes if (p := where / f"rjieba{s}").is_file())
            loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path))
            spec = importlib.util.spec_from_file_location("rjieba.rjieba", path, loader=loader)
            mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            sys.modules["rjieba.rjieba"] = mod
            loader.exec_module(mod)
            return mod.Jieba
        except Exception:  # any surprise in the layout: the package's own way
            sys.modules.pop("rjieba.rjieba", None)
            import rjieba

            return rjieba.Jieba
    return mod.Jieba


class _RJieba:
    """jieba-rs loaded with a jieba tokenizer's dictionary (use under ``_lock``).

    ``tk`` is the tokenizer mirrored; None while that is a fresh :func:`tokenizer`
    not built yet (the dictionary came from the cache); it is bound when needed.
    """

    def __init__(
        self, words: list[str], freqs: list[int], total: int, tk: jieba.Tokenizer | None
    ) -> None:
        self.tk = tk
        if len(words) != len(freqs):
            raise ValueError(f"{len(words)} words but {len(freqs)} frequencies")
        self.rs = _jieba_rs().empty()
        # map() calls add_word from C: a third less than a Python loop over 349,000 words.
        deque(map(self.rs.add_word, words, freqs, repeat(None)), maxlen=0)
        self.sum = sum(freqs)  # sum of the frequencies given to jieba-rs (pad word excluded)
        self._pad(total)

    def _pad(self, total: int) -> None:
        pad = total - self.sum
        if pad > 0:
            self.rs.add_word(_PAD_WORD, pad, None)

    def jieba(self) -> jieba.Tokenizer:
        """The tokenizer mirrored, built if it is not yet."""
        if self.tk is None:
            self.tk = tokenizer()
        return self.tk

    def add(self, word: str, old_freq: int) -> None:
        """Mirror jieba's ``add_word(word)`` (``old_freq``: FREQ before it)."""
        tk = self.jieba()
        freq = tk.FREQ.get(word, 0)
        if freq:
            self.rs.add_word(word, freq, None)
            self.sum += freq - old_freq
        self._pad(tk.total)

    def cut_one(self, text: str) -> list[str]:
        """jieba's tokens of ``text``, as :meth:`cut_joined` gives them, screened with
        the patterns: for one short text numpy's set-up costs more than the cut."""
        if _RJIEBA_ONLY_HAN.search(text):
            return self.jieba().lcut(text, cut_all=False, HMM=True)
        tokens = self.rs.cut(text, True) if text else []
        if not _ALNUM.search(text):
            return tokens
        return [
            piece
            for token in tokens
            for piece in (
                self._pieces(token)
                if len(token) > 1 and _ALNUM.search(token) and not _JIEBA_HAN.search(token)
                else (token,)
            )
        ]

    def _pieces(self, run: str) -> list[str]:
        """A token with a Latin letter or digit and none of jieba's Han, split as jieba
        splits an unknown run (``1-2`` → ``1 - 2``); most (2013, 3.5%) stay whole."""
        # jieba-rs holds exactly jieba's words of non-zero frequency (and the pad word,
        # which has no Latin letter or digit): has_word is jieba's FREQ.get.
        if self.rs.has_word(run):
            return [run]
        return [x for x in _RE_SKIP.split(run) if x]

    def cut_many(self, texts: list[str]) -> list[list[str]]:
        """jieba's tokens of each text (see :meth:`cut_joined`)."""
        return self.cut_joined(texts).lists() if texts else []

    def cut_joined(self, texts: list[str]) -> _Cut:
        """jieba's tokens of ``texts`` (one or more), cut as one text.

        jieba-rs cuts the texts joined by :data:`_JOIN` in one call (a call per text
        costs a third more), except that texts with ideographs only jieba-rs calls Han
        go to jieba itself, and texts with Latin letters or digits have their unknown
        runs split as jieba does. The tokens are told by where they start, so the two
        screens and the runs to split are found for all texts at once.
        """
        joined = _JOIN.join(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        text_starts = np.cumsum(lengths + 1) - (lengths + 1)
        tokens, token_starts = self._cut(texts, joined, text_starts)
        points = _code_points(joined)
        # The separators are in none of the screens' ranges.
        only_han = _any_in(_in_ranges(points, _RJIEBA_ONLY_HAN_RANGES), text_starts)
        alnum = _in_ranges(points, _ALNUM_RANGES)
        owners = _owners(token_starts, text_starts[1:] - 1)
        fixes = [self._resplit(tokens, token_starts, points, alnum, ~only_han[owners])]
        changed = set(np.searchsorted(text_starts, fixes[0], side="right") - 1)
        drop = np.zeros(len(tokens), dtype=bool)
        for i in np.flatnonzero(only_han).tolist():
            words = self.jieba().lcut(texts[i], cut_all=False, HMM=True)
            fixes.append(text_starts[i] + np.cumsum([0, *map(len, words[:-1])]))
            span = np.searchsorted(token_starts, [text_starts[i], text_starts[i] + lengths[i]])
            drop[span[0] : span[1]] = True  # jieba-rs's tokens of the text
            changed.add(i)
        starts = token_starts
        if changed:
            starts = np.sort(np.concatenate([token_starts[~drop], *fixes]), kind="stable")
        return _Cut(texts, joined, points, text_starts, lengths, tokens, token_starts, starts,
                    sorted(map(int, changed)))  # fmt: skip

    def _cut(
        self, texts: list[str], joined: str, text_starts: np.ndarray
    ) -> tuple[list[str], np.ndarray]:
        """jieba-rs's tokens of ``joined`` (``texts`` joined by :data:`_JOIN`, which
        start at ``text_starts``) as if each text were cut alone, each :data:`_JOIN`
        between two a token of its own, and where each token starts in ``joined``."""
        cut = self.rs.cut
        if joined.count(_JOIN) == len(texts) - 1:  # no text holds it: one call
            tokens = cut(joined, True) if joined else []
            starts = _token_starts(tokens, joined)
            # always so: _JOIN is in no block jieba-rs cuts, and is no whitespace
            if _alone(text_starts[1:] - 1, starts, len(joined)):
                return tokens, starts
        tokens = []
        for i, text in enumerate(texts):
            if i:
                tokens.append(_JOIN)
            tokens += cut(text, True) if text else []
        return tokens, _token_starts(tokens, joined)

    def _resplit(
        self,
        tokens: list[str],
        starts: np.ndarray,
        points: np.ndarray,
        alnum: np.ndarray,
        allowed: np.ndarray,
    ) -> np.ndarray:
        """Where unknown Latin/digit runs among ``tokens`` (which start at ``starts`` in
        the text of code points ``points``; ``alnum``: which points are Latin letters or
        digits) split as jieba splits them (``1-2`` → ``1 - 2``): the new token starts,
        sorted. Only tokens where ``allowed`` holds are looked at."""
        # The tokens that can be such a run: of two characters or more, with a Latin
        # letter or digit and none of jieba's Han; found for all tokens at once.
        ends = np.append(starts[1:], len(points))
        maybe = np.flatnonzero((ends - starts > 1) & allowed & _any_between(alnum, starts, ends))
        han = _any_between(_in_ranges(points, _JIEBA_HAN_RANGES), starts[maybe], ends[maybe])
        maybe = maybe[~han]
        new: list[int] = []
        for k in maybe.tolist():
            pieces = self._pieces(tokens[k])
            # where the second piece and those after start
            new += list(accumulate(map(len, pieces[:-1]), initial=int(starts[k])))[1:]
        return np.array(new, dtype=np.int64)


class _Cut(NamedTuple):
    """Texts cut as one (:meth:`_RJieba.cut_joined`), told by where tokens start."""

    texts: list[str]  #: the texts
    joined: str  #: the texts joined by _JOIN
    points: np.ndarray  #: the code points of joined
    text_starts: np.ndarray  #: where each text starts in joined
    lengths: np.ndarray  #: each text's length
    tokens: list[str]  #: jieba-rs's tokens of joined, each _JOIN between texts one
    token_starts: np.ndarray  #: where each of tokens starts in joined
    starts: np.ndarray  #: where each final token starts (the _JOINs too), sorted
    changed: list[int]  #: the texts whose final tokens are not jieba-rs's

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each final token's start and end in ``joined`` and its text, the
        separators left out."""
        starts, seps = self.starts, self.text_starts[1:] - 1
        keep = np.ones(len(starts), dtype=bool)
        keep[np.searchsorted(starts, seps)] = False
        ends = np.append(starts[1:], len(self.joined))
        return starts[keep], ends[keep], _owners(starts, seps)[keep]

    def lists(self) -> list[list[str]]:
        """Each text's tokens: jieba-rs's own strings where they stand."""
        firsts = np.searchsorted(self.token_starts, self.text_starts)
        stops = np.searchsorted(self.token_starts, self.text_starts + self.lengths)
        out = [self.tokens[a:b] for a, b in zip(firsts.tolist(), stops.tolist(), strict=True)]
        joined, starts = self.joined, self.starts
        for i in self.changed:
            begin, end = int(self.text_starts[i]), int(self.text_starts[i] + self.lengths[i])
            bounds = starts[np.searchsorted(starts, begin) : np.searchsorted(starts, end)]
            out[i] = [joined[a:b] for a, b in pairwise([*bounds.tolist(), end])]
        return out

    def array(self) -> pa.Array | pa.ChunkedArray:
        """The tokens as :func:`token_array` gives them. A text's tokens make it up, so
        the strings' bytes are the texts' own, encoded at once: converting half a million
        strings one by one (``pa.array``) took about three times as long."""
        data = None
        with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate
            data = "".join(self.texts).encode("utf-8")
        if data is None or len(data) > _MAX_INT32:  # as pyarrow says or chunks it
            return token_array(self.lists())
        starts, _, owners = self.layout()
        points = self.points
        # UTF-8 bytes of each character, and where each starts in joined's encoding;
        # each separator before a token is one byte less in the texts' own
        sizes = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
        at = np.zeros(len(points) + 1, dtype=np.int64)
        np.cumsum(sizes, out=at[1:])
        value_offsets = np.append(at[starts] - owners, len(data)).astype(np.int32)
        values = pa.StringArray.from_buffers(
            len(starts), pa.py_buffer(value_offsets), pa.py_buffer(data), null_count=0
        )
        counts = np.bincount(owners, minlength=len(self.text_starts))
        offsets = np.zeros(len(counts) + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets), values)


def _owners(starts: np.ndarray, seps: np.ndarray) -> np.ndarray:
    """Which text each token is in (tokens start at ``starts``; a token of its own
    starts at each of ``seps``, the separators between texts, each counted with the
    text before it)."""
    steps = np.zeros(len(starts) + 1, dtype=np.int64)
    steps[np.searchsorted(starts, seps) + 1] = 1  # the next text begins after one
    return np.cumsum(steps[:-1])


def _any_between(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether ``mask`` holds anywhere in ``mask[starts[i]:ends[i]]``, for each ``i``."""
    seen = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=seen[1:])
    return seen[ends] > seen[starts]


def _alone(where: np.ndarray, starts: np.ndarray, end: int) -> bool:
    """Whether a token of one character starts at each of ``where`` (tokens start at
    ``starts``, sorted, and the last ends at ``end``)."""
    at = np.searchsorted(starts, where)
    if (at >= len(starts)).any():
        return False
    ends = np.append(starts[1:], end)
    return bool((starts[at] == where).all() and (ends[at] == where + 1).all())


def _token_starts(tokens: list[str], joined: str) -> np.ndarray:
    """Where each of ``tokens`` (which make up ``joined``) starts in ``joined``."""
    if _MARK in joined:
        sizes = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        return np.cumsum(sizes) - sizes
    # one string with a mark between two tokens: the marks are found at once, where
    # asking each token its length takes half as long again
    marks = np.flatnonzero(_code_points(_MARK.join(tokens)) == ord(_MARK))
    return np.append(0, marks + 1 - np.arange(1, len(marks) + 1)) if tokens else marks


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``, one per character (a lone surrogate is one too)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _in_ranges(points: np.ndarray, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
    """Which ``points`` fall in one of the inclusive ``ranges``."""
    out = np.zeros(len(points), dtype=bool)
    for low, high in ranges:
        out |= (points >= low) & (points <= high)
    return out


def _any_in(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Whether ``mask`` holds anywhere in each stretch that starts at ``starts`` (sorted;
    each stretch ends where the next starts; ``mask`` is false between stretches).

    Looks only at the positions where ``mask`` holds: a few in a long text.
    """
    out = np.zeros(len(starts), dtype=bool)
    out[np.searchsorted(starts, np.flatnonzero(mask), side="right") - 1] = True
    return out


_mirror: _RJieba | None = None  # the jieba-rs engine


def _adopted(tk: jieba.Tokenizer | None) -> _RJieba | None:
    """The jieba-rs engine, bound to ``tk`` where the engine's dictionary came from the
    cache (no tokenizer yet) and ``tk`` is a fresh :func:`tokenizer`, unchanged since:
    both then hold the same dictionary (call under ``_lock``)."""
    rs = _mirror
    if rs is not None and rs.tk is None and tk is not None and tk is _pristine:
        rs.tk = tk
    return rs


def _rjieba_engine() -> _RJieba:
    """The jieba-rs engine, consistent with :func:`tokenizer` (call under ``_lock``)."""
    global _mirror
    tk = tokenizer() if tokenizer.cache_info().currsize else None  # built already?
    rs = _adopted(tk)
    if rs is None or rs.tk is not tk:
        if tk is None or tk is _pristine:
            (words, freqs, total), built = _prepared()
            rs = _RJieba(words, freqs, total, tk or built)
        else:  # terms were added before the engine was first used
            rs = _RJieba(*_dictionary_of(tk), tk)
        _mirror = rs
    return rs


def tokenize(text: str, engine: str | None = None) -> list[str]:
    """Segment ``text`` with jieba precise mode (HMM on), keeping every token.

    Parameters
    ----------
    text : str
        Simplified Chinese text, as given (not normalised further).
    engine : {"rjieba", "jieba"}, optional
        ``"jieba"``: jieba itself. ``"rjieba"`` (default, :data:`DEFAULT_ENGINE`):
        jieba-rs with the same dictionary, user dictionary and added terms (see the
        module notes); loaded on first use.

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
    >>> tokenize("坚持群众路线,落实1-2项", engine="rjieba")
    ['坚持', '群众路线', ',', '落实', '1', '-', '2', '项']
    """
    engine = _engine(engine)
    if not text:
        return []
    if engine == "rjieba":
        with _lock:
            return _rjieba_engine().cut_one(text)
    tk = tokenizer()
    # add_terms() mutates the tokenizer's dictionary; the lock keeps a cut in
    # another thread from seeing a half-registered term.
    with _lock:
        return tk.lcut(text, cut_all=False, HMM=True)


def _engine(engine: str | None) -> str:
    if engine is None:
        return DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    return engine


def tokenize_many(texts: Iterable[str], engine: str | None = None) -> list[list[str]]:
    """:func:`tokenize` each of ``texts``, taking the engine and its lock once.

    Parameters
    ----------
    texts : iterable of str
        Simplified Chinese texts.
    engine : {"rjieba", "jieba"}, optional
        As for :func:`tokenize`.

    Returns
    -------
    list of list of str
        One token list per text, equal to ``[tokenize(t, engine) for t in texts]``.

    Examples
    --------
    >>> tokenize_many(["干群关系紧张", "", "落实1-2项"])
    [['干群关系', '紧张'], [], ['落实', '1', '-', '2', '项']]
    """
    engine = _engine(engine)
    if engine == "rjieba":
        texts = list(texts)
        with _lock, collector.paused():
            return _rjieba_engine().cut_many(texts)
    tk = tokenizer()
    with _lock, collector.paused():
        return [tk.lcut(t, cut_all=False, HMM=True) if t else [] for t in texts]


def token_array(lists: Sequence[list[str]]) -> pa.Array | pa.ChunkedArray:
    """Token lists as one Arrow ``list<string>`` array (:data:`TOKENS_TYPE`).

    A few buffers instead of a Python object per token: they pickle from a worker
    process to the parent in milliseconds instead of seconds, take about a tenth of
    the memory, and go to Parquet as they are. pyarrow returns a chunked array when
    the text passes its 2 GB limit per array.

    Examples
    --------
    >>> arr = token_array([["干群关系", "紧张"], []])
    >>> arr.type == TOKENS_TYPE, arr.to_pylist()
    (True, [['干群关系', '紧张'], []])
    """
    return pa.array(lists, type=TOKENS_TYPE)


def tokenize_to_array(
    texts: Iterable[str], engine: str | None = None
) -> pa.Array | pa.ChunkedArray:
    """``token_array(tokenize_many(texts, engine))``, with the cyclic garbage collector
    paused until the token lists are gone.

    With the jieba-rs engine the texts are cut as one (:meth:`_RJieba.cut_joined`) and
    the array is made from the texts and where their tokens start, without a list per
    text or a conversion per token.

    The collector paused only while segmenting (:func:`tokenize_many`) found, once
    resumed, every token list of the partition among its young objects and walked
    them all, and again as they aged, until they were freed (about 17 ms a partition
    of 22,000 sentences); converted to Arrow first, they are freed unseen.

    Examples
    --------
    >>> tokenize_to_array(["干群关系紧张", ""]).to_pylist()
    [['干群关系', '紧张'], []]
    """
    with collector.paused():
        if _engine(engine) != "rjieba":
            return token_array(tokenize_many(texts, engine))
        texts = list(texts)
        if not texts:
            return token_array([])
        with _lock:
            return _rjieba_engine().cut_joined(texts).array()


def agreement(texts: Iterable[str], a: str = "jieba", b: str = "rjieba") -> float:
    """Share of ``texts`` that engines ``a`` and ``b`` tokenize identically (1.0 if none).

    Examples
    --------
    >>> agreement(["干群关系紧张", "落实1-2项措施"])
    1.0
    """
    texts = list(texts)
    if not texts:
        return 1.0
    same = sum(tokenize(t, engine=a) == tokenize(t, engine=b) for t in texts)
    return same / len(texts)


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


def content_tokens(text: str, engine: str | None = None) -> list[str]:
    """Tokens of ``text`` minus stopwords, punctuation, whitespace, numbers and lone non-CJK chars.

    ``engine`` as for :func:`tokenize`.

    Examples
    --------
    >>> content_tokens("2013年,我们要坚持走群众路线!")
    ['坚持', '走群众路线']
    """
    stopwords = load_stopwords()
    return [t for t in tokenize(text, engine) if is_content_token(t, stopwords)]


def add_terms(terms: Iterable[str]) -> None:
    """Register extra terms (e.g. codebook terms) with the workbench tokenizer.

    jieba picks each term's frequency so that the term is kept whole where it
    occurs on its own. The change lasts for the process and affects every later
    :func:`tokenize` call, with either engine (jieba-rs gets the frequency jieba chose).

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
    global _pristine
    tk = tokenizer()
    with _lock:
        rs = _adopted(tk)
        rs = rs if rs is not None and rs.tk is tk else None
        for term in terms:
            term = term.strip()
            if term:
                old = tk.FREQ.get(term, 0)
                tk.add_word(term)
                if tk is _pristine:
                    _pristine = None
                if rs is not None:
                    rs.add(term, old)
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
    global _mirror
    terms = list(terms)
    if _added == terms:
        return
    if _added != terms[: len(_added)]:
        with _lock:
            tokenizer.cache_clear()
            _mirror = None
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
