"""Decode the bytes of a text file: the encoding detected, never guessed blindly.

:func:`decode_text` (and :func:`decode`, which also reports the lines it repaired) never
guesses blindly: after byte-order marks and strict UTF-8 it tries the two legacy Chinese
encodings, GB18030 (a superset of GBK and GB2312) and Big5, and keeps a decoding only
when the result looks like Chinese — GB bytes often decode "successfully" as Big5 (and
vice versa) into mojibake, which a share-of-common-characters score tells apart.
Anything that is neither UTF-8 nor plausible Chinese raises :class:`ReadError` rather
than return garbage.

One foreign line does not cost a whole document: when neither a UTF-8 nor a legacy
decoding of the whole file works, each line is decoded on its own. The encoding
most of the text decodes in is the file's; a line in another candidate encoding (a
GBK heading pasted into a UTF-8 article) is decoded in that one when it reads as
Chinese there, and otherwise its undecodable bytes are marked with U+FFFD. Lines of
UTF-8 text that had been misread as Latin-1/Windows-1252 and saved again as UTF-8
("å¹²ç¾¤…" mojibake) are reversed when the reversal is exact and reads as Chinese.
Every such line is reported as a :class:`Repair` with its line number
(:attr:`Decoded.repairs`). :func:`decode_html` decodes an HTML page in the charset it
declares when that fits its bytes.

This is the one owner of byte decoding in the workbench: the corpus reader
(:mod:`workbench.corpus.readers`, which re-exports these names) and the reader of users'
CSV files (:mod:`workbench.csvio`: metadata, survey files, coding sheets) both call it.
It imports nothing of the workbench but :mod:`workbench.config`, so that every layer
may use it; charset-normalizer is imported on first use, so importing it stays cheap.

Examples
--------
>>> from workbench.decoding import decode_text
>>> decode_text("干群关系\\r\\n".encode("utf-8-sig"), "demo.txt")
('干群关系\\n', 'utf-8-sig')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from workbench import config

__all__ = [
    "CJK_IDEOGRAPH",
    "SKIP_ADVICE",
    "SKIP_HINT",
    "Decoded",
    "Dropped",
    "ReadError",
    "Repair",
    "decode",
    "decode_html",
    "decode_text",
    "describe_repairs",
]

#: The part of a hint that offers ``--skip-bad``; dropped once the file was skipped.
SKIP_ADVICE = " or pass --skip-bad"

#: Default advice appended to every :class:`ReadError` message.
SKIP_HINT = "convert it to UTF-8" + SKIP_ADVICE

#: Least share of a file's non-ASCII bytes its main encoding must decode before the
#: remaining lines are repaired one by one (see :func:`decode`); below it the file is
#: not "mostly one encoding" and is refused as before.
MIN_MAIN_SHARE = 0.5

#: A text with no CJK character at all whose non-space characters are at least this
#: share runs of Latin-1/Windows-1252 letters is taken for double-encoded mojibake
#: (French or German prose has a few per cent of accented letters, mostly alone;
#: mojibake of Chinese is nearly all runs).
MIN_MOJIBAKE_SHARE = 0.3

#: Lowest plausibility score (see :func:`_plausibility`) a GB18030/Big5 decoding
#: needs. Real prose scores about 0.95; GB↔Big5 mojibake about 0.2 or less.
MIN_PLAUSIBILITY = 0.5

#: Score a legacy decoding needs to override a chance-valid UTF-8 reading.
CONFIDENT_PLAUSIBILITY = 0.9

#: Bonus given to charset-normalizer's own pick, enough to break a near tie only.
NORMALIZER_BONUS = 0.05

#: Shorter inputs are not shown to charset-normalizer (its guesses there are poor).
MIN_NORMALIZER_BYTES = 16

#: Above this share of control characters, decoded "text" is taken for binary data.
MAX_CONTROL_SHARE = 0.01

#: How many leading bytes of an HTML file are searched for a declared charset.
HTML_PRESCAN_BYTES = 8192

#: Frequency-ranked Chinese characters in both scripts, in weighted sections.
COMMON_HANZI_FILE = config.RESOURCES_DIR / "common_hanzi.txt"

#: Plausibility weight of a character in the ``[common]`` section (the 1,000 most
#: frequent characters and their Traditional forms) and in ``[less-common]`` (ranks
#: 1,001-3,000): together they cover about 99% of the characters in modern prose.
COMMON_WEIGHT = 1.0
LESS_COMMON_WEIGHT = 0.5
_SECTION_WEIGHTS = {"common": COMMON_WEIGHT, "less-common": LESS_COMMON_WEIGHT}

# Ordered so that the UTF-32 marks are seen before the UTF-16 marks they start with.
_BOMS: tuple[tuple[bytes, str | None], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", None),
    (b"\x00\x00\xfe\xff", None),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

#: Codecs tried, in order, for each reported encoding family. cp950 and Big5-HKSCS
#: add characters real "Big5" files from Windows and Hong Kong contain (e.g. 碁, 銹).
_FAMILY_CODECS: dict[str, tuple[str, ...]] = {
    "utf-8": ("utf-8",),
    "gb18030": ("gb18030",),
    "big5": ("big5", "cp950", "big5hkscs"),
}

_FAMILY_LABELS = {"gb18030": "GB18030", "big5": "Big5"}

#: Charset labels (HTML ``<meta>``, charset-normalizer) mapped to a family above.
_CHARSET_FAMILIES: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb2312": "gb18030",
    "gb-2312-80": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "windows-936": "gb18030",
    "big5": "big5",
    "x-x-big5": "big5",
    "big5-hkscs": "big5",
    "big5hkscs": "big5",
    "cp950": "big5",
    "windows-950": "big5",
}

# Controls other than \t \n \v \f \r; C1 controls appear when bytes are misread.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HTML_CHARSET = re.compile(
    rb"""(?:<meta[^>]*?charset|<\?xml[^>]*?encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# ASCII letters, or anything from U+0800 on (where CJK and all 3-byte UTF-8 start).
_LETTER_OR_CJK = re.compile(r"[A-Za-z\u0800-\U0010ffff]")

#: Punctuation and full-width forms of ordinary Chinese prose; they score like
#: common characters, while mojibake rarely lands on them.
_COMMON_PUNCTUATION = frozenset(
    "，。、；：？！“”‘’《》〈〉（）【】「」『』〔〕…—－～·・％０１２３４５６７８９"
)

#: Character -> byte for text that was misread as Windows-1252 (or as Latin-1, which
#: gives C1 controls for the five bytes cp1252 leaves undefined): one-to-one, so the
#: original bytes come back exactly.
_MOJIBAKE_BYTES: dict[str, int] = {chr(b): b for b in range(256)} | {
    char: b for b in range(0x80, 0xA0) if (char := bytes([b]).decode("cp1252", errors="ignore"))
}
# Characters only mojibake of multi-byte text starts with: U+0080-U+00FF and the
# cp1252 punctuation; a text without one needs no mojibake check.
_MOJIBAKE_CHAR = re.compile("[" + "".join(sorted(c for c in _MOJIBAKE_BYTES if c >= "\x80")) + "]")
_MOJIBAKE_RUN = re.compile(_MOJIBAKE_CHAR.pattern + "{2,}")
# Every misread multi-byte UTF-8 character starts with its lead byte read as a Latin-1
# letter (C2-F4); a run of cp1252 punctuation alone ("……——", Chinese ellipsis and dash)
# is real punctuation, not mojibake.
_LATIN1_LETTER = re.compile("[\u00c0-\u00ff]")
# A UTF-8 lead byte (C2-F4) read as a letter, then a continuation byte (80-BF) read as
# a character: how every misread multi-byte UTF-8 character starts. Real text, even
# with ““……—” punctuation, almost never has it, so most files skip the line check.
_UTF8_MOJIBAKE_START = re.compile(
    "[\u00c2-\u00f4][" + "".join(c for c, b in _MOJIBAKE_BYTES.items() if 0x80 <= b <= 0xBF) + "]"
)
#: One CJK ideograph (the unified blocks, their extensions, the compatibility ideographs).
CJK_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


# ReadError lives here rather than in workbench.corpus.readers, which raises it too (for
# files it cannot find, open or extract): decode raises it, and the corpus reader and its
# callers catch one class for every file that cannot be read, whether its bytes or its
# container are at fault. workbench.corpus.readers re-exports it with SKIP_ADVICE.


#: Documents of other formats by their first bytes, as a file named ``.txt`` may be one (a
#: ``.docx`` or an old ``.doc`` renamed, a PDF saved with the wrong suffix): what it is, and
#: what to do. Without them the message was "looks like a binary file (contains NUL bytes)".
_OTHER_FORMATS = (
    (b"PK\x03\x04", "a zip container (a .docx Word document, an .xlsx sheet or a .zip archive)",
     "give it its real suffix (.docx, .xlsx or .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc, .wps or .xls)",
     "open it in Word or WPS and save it as .docx"),
    (b"%PDF", "a PDF", "save its text as .txt or .docx (a PDF is not read)"),
    (b"{\\rtf", "an RTF document", "open it in Word or WPS and save it as .docx"),
)  # fmt: skip


class ReadError(Exception):
    """A file that cannot be read or decoded.

    Parameters
    ----------
    path : str
        Display path of the file (see
        :attr:`workbench.corpus.readers.SourceFile.path`).
    reason : str
        What went wrong.
    hint : str, optional
        What the user can do about it.

    Examples
    --------
    >>> str(ReadError("data/a.txt", "looks like a binary file"))
    'data/a.txt: looks like a binary file; convert it to UTF-8 or pass --skip-bad'
    """

    def __init__(self, path: str, reason: str, hint: str = SKIP_HINT) -> None:
        # Passing every field to Exception keeps the error picklable across processes.
        super().__init__(path, reason, hint)
        self.path = path
        self.reason = reason
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}; {self.hint}"

    def skipped_message(self) -> str:
        """The message for a file already skipped: without the advice to pass ``--skip-bad``.

        Examples
        --------
        >>> ReadError("a.txt", "looks like a binary file").skipped_message()
        'a.txt: looks like a binary file; convert it to UTF-8'
        >>> ReadError("a.txt", "not a regular file", "name a file instead").skipped_message()
        'a.txt: not a regular file; name a file instead'
        """
        hint = self.hint.removesuffix(SKIP_ADVICE)
        return f"{self.path}: {self.reason}" + (f"; {hint}" if hint else "")


@dataclass(frozen=True)
class Repair:
    """One line of a file that was not in the file's main encoding, and what was done.

    Attributes
    ----------
    line_no : int
        1-based line of the decoded text (for ``.txt``/``.md`` files the file's own
        line, the ``line_no`` of ``segments`` and ``removed``; for HTML the line of
        the page source).
    how : str
        ``"gb18030"``, ``"big5"`` or ``"utf-8"``: the line was decoded in that
        encoding instead; ``"mojibake"``: UTF-8 text misread as Latin-1/Windows-1252
        and saved again, reversed; ``"marked"``: bytes no candidate encoding
        decodes were replaced by U+FFFD; ``"nul"``: stray NUL bytes were removed
        (on the last line when they padded the file's end).
    """

    line_no: int
    how: str


#: How :func:`describe_repairs` names each kind of :class:`Repair`.
_REPAIR_LABELS = {
    "utf-8": "decoded as UTF-8",
    "gb18030": "decoded as GB18030",
    "big5": "decoded as Big5",
    "mojibake": "double-encoded UTF-8 (mojibake) reversed",
    "marked": "undecodable bytes marked U+FFFD",
    "nul": "NUL bytes removed",
}


def describe_repairs(repairs: Iterable[Repair]) -> str:
    """One readable line listing repaired lines by kind; ``""`` when there are none.

    Examples
    --------
    >>> describe_repairs([Repair(3, "gb18030"), Repair(9, "gb18030"), Repair(12, "marked")])
    'lines 3, 9 decoded as GB18030; line 12 undecodable bytes marked U+FFFD'
    """
    by_how: dict[str, list[int]] = {}
    for repair in repairs:
        by_how.setdefault(repair.how, []).append(repair.line_no)
    parts = []
    for how, lines in by_how.items():
        noun = "line" if len(lines) == 1 else "lines"
        parts.append(f"{noun} {', '.join(map(str, lines))} {_REPAIR_LABELS.get(how, how)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Dropped:
    """One line of an HTML page's visible text left out as page chrome, or one item of a
    Word document that is not body text (a note, a comment, deleted text, a page header).

    Attributes
    ----------
    line_no : int
        HTML: 1-based line of the page source where the line's text starts. Word: the
        line of the extracted text the item is anchored at (its reference mark, its
        paragraph); 0 for a page header or footer.
    rule : str
        Why it was left out: ``"html_nav"`` (``<nav>``, ``<aside>``, role
        navigation, complementary or search), ``"html_footer"`` (the page's
        ``<footer>``, role contentinfo), ``"html_banner"`` (the page's ``<header>``,
        role banner), ``"html_form"`` (a button's or a form field's label) — chrome
        by tag or role — or ``"html_boilerplate"``: outside the main content that
        the extractor found (menus, breadcrumbs, share bars, comment boxes, related
        articles and footers in plain ``<div>`` elements). Word documents:
        ``"docx_footnote"``, ``"docx_endnote"``, ``"docx_comment"``, ``"docx_deleted"``
        (a tracked deletion), ``"docx_header"``, ``"docx_footer"`` (see
        :class:`workbench.corpus.readers._DocxReader`).
    text : str
        The line, whitespace collapsed.
    """

    line_no: int
    rule: str
    text: str


@dataclass(frozen=True)
class Decoded:
    """Text decoded from a file, its encoding, and the lines repaired on the way.

    Attributes
    ----------
    text : str
        The text, newlines as ``"\\n"``.
    encoding : str
        The file's main encoding (see :func:`decode_text`).
    repairs : tuple of Repair
        Lines not in the main encoding, in line order; empty for a clean file.
    dropped : tuple of Dropped
        Lines of an HTML page's visible text left out of :attr:`text` as page
        chrome, in page order (with :attr:`text` they hold every line of the page's
        visible text exactly once); a Word document's notes, comments, tracked
        deletions and page headers and footers; empty for other files.
    """

    text: str
    encoding: str
    repairs: tuple[Repair, ...] = ()
    dropped: tuple[Dropped, ...] = ()


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode the bytes of a plain-text file, detecting the encoding.

    Byte-order marks are honoured first, then strict UTF-8. Otherwise the data is
    decoded strictly as GB18030 and as Big5 (with cp950/Big5-HKSCS extensions), and the
    decoding that looks most like Chinese text wins — charset-normalizer's pick is
    consulted to break near ties. When no decoding of the whole file works, lines are
    decoded one by one (see :func:`decode`). Newlines come out as ``"\\n"`` and a
    leading BOM character is dropped.

    Parameters
    ----------
    data : bytes
        File content.
    path : str
        Display path, used only in error messages.

    Returns
    -------
    text : str
        The decoded text.
    encoding : str
        One of ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"`` (with BOM, either byte
        order), ``"gb18030"`` (also for GBK and GB2312 files) or ``"big5"``.

    Raises
    ------
    ReadError
        The data looks binary (NUL bytes outside UTF-16, many control characters), is
        UTF-32, is double-encoded UTF-8 that cannot be reversed, or decodes to nothing
        that is plausibly Chinese text.

    See Also
    --------
    decode : The same, with the lines repaired along the way.

    Examples
    --------
    >>> text = "密切联系群众，始终保持党同人民群众的血肉联系。"
    >>> decode_text(text.encode("gbk"), "a.txt") == (text, "gb18030")
    True
    >>> decode_text("密切聯繫群眾。".encode("big5"), "b.txt")
    ('密切聯繫群眾。', 'big5')
    >>> decode_text("第一行\\r\\n第二行\\r".encode("utf-16"), "c.txt")
    ('第一行\\n第二行\\n', 'utf-16')
    >>> decode_text(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00", "d.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.decoding.ReadError: d.txt: looks like a binary file (contains NUL bytes); ...
    """
    decoded = decode(data, path)
    return decoded.text, decoded.encoding


def decode(data: bytes, path: str) -> Decoded:
    """Decode the bytes of a plain-text file, repairing lines in a foreign encoding.

    As :func:`decode_text`, plus two repairs, each recorded in
    :attr:`Decoded.repairs` with its line number:

    * When the file decodes neither as UTF-8 nor as one legacy encoding, but most of
      its non-ASCII bytes (:data:`MIN_MAIN_SHARE`) decode line by line in one of
      them, that is the file's encoding; each other line is decoded in the other
      candidate encoding where it reads as Chinese there (a GBK heading in a UTF-8
      article), else its undecodable bytes become U+FFFD.
    * In valid UTF-8, a line made only of Latin-1/Windows-1252 characters that
      turns back into UTF-8 Chinese when re-encoded as those bytes is double-encoded
      mojibake ("å¹²ç¾¤å…³ç³»" for "干群关系") and is reversed. Mojibake that cannot
      be reversed exactly is refused with a message saying what it is.

    Parameters
    ----------
    data : bytes
        File content.
    path : str
        Display path, used only in error messages.

    Returns
    -------
    Decoded

    Raises
    ------
    ReadError
        As :func:`decode_text`.

    Examples
    --------
    >>> data = "一、标题\\n".encode("gbk") + "正文是UTF-8。\\n".encode("utf-8")
    >>> d = decode(data, "mixed.txt")
    >>> d.text, d.encoding, d.repairs
    ('一、标题\\n正文是UTF-8。\\n', 'utf-8', (Repair(line_no=1, how='gb18030'),))
    >>> decode("干群关系".encode("utf-8").decode("cp1252").encode("utf-8"), "m.txt")
    ... # doctest: +NORMALIZE_WHITESPACE
    Decoded(text='干群关系', encoding='utf-8', repairs=(Repair(line_no=1, how='mojibake'),),
            dropped=())
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(*_decode_bom(data, path, encoding))
    for magic, what, hint in _OTHER_FORMATS:
        if data.startswith(magic):  # a document saved or renamed with a text suffix
            raise ReadError(path, f"is {what}, not a text file", hint + SKIP_ADVICE)
    if b"\x00" in data:
        if (utf16 := _utf16_without_bom(data)) is not None:
            return Decoded(_finish(utf16[1], path), utf16[0])
        if (stray := _stray_nuls(data, path)) is not None:
            return stray
        raise ReadError(path, "looks like a binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _decode_legacy(data, path, exc)
    # Checked before the legacy fallback below: mojibake has no CJK and no letters
    # beyond Latin-1, which that fallback would otherwise take for GB or Big5 bytes.
    if _UTF8_MOJIBAKE_START.search(text) and (fixed := _undo_mojibake(text, path)):
        return fixed
    if _MOJIBAKE_CHAR.search(text) and _looks_like_mojibake(text):
        raise ReadError(path, _mojibake_reason(text), _MOJIBAKE_HINT)
    if not text.isascii() and not _LETTER_OR_CJK.search(text):
        # A few GB/Big5 characters can form valid UTF-8 by chance ("一些" in GBK reads
        # as Cyrillic "һЩ"): text with no CJK and no ASCII letters at all that reads
        # as confident Chinese in a legacy encoding is taken to be that encoding.
        ranked = _rank_legacy(data)
        if ranked and ranked[0][0] >= CONFIDENT_PLAUSIBILITY:
            return Decoded(_finish(ranked[0][2], path), ranked[0][1])
    return Decoded(_finish(text, path), "utf-8")


def _stray_nuls(data: bytes, path: str) -> Decoded | None:
    """The text of a file with a few stray NUL bytes, removed and reported, else ``None``.

    A text file padded with NULs at its end (a copy interrupted or preallocated, a
    database export) or with a stray NUL in a line decoded as anything else would be
    refused whole as binary. When the NULs are all at the end or at most
    :data:`MAX_CONTROL_SHARE` of the bytes (one at least), and the rest decodes, they
    are removed and each line that held one is reported (``Repair(line_no, "nul")``);
    a binary file, full of NULs, is still refused.

    Examples
    --------
    >>> d = _stray_nuls("一、存在的问题\\n干部脱离群众。\\n".encode() + b"\\x00" * 40, "a.txt")
    >>> d.text, d.repairs
    ('一、存在的问题\\n干部脱离群众。\\n', (Repair(line_no=2, how='nul'),))
    >>> _stray_nuls(b"\\x89PNG\\x00\\x00\\x01\\x00\\x00", "p.txt") is None
    True
    """
    nuls = data.count(b"\x00")
    trailing = len(data) - len(data.rstrip(b"\x00"))
    if nuls != trailing and nuls > max(1.0, MAX_CONTROL_SHARE * len(data)):
        return None
    try:
        decoded = decode(data.replace(b"\x00", b""), path)
    except ReadError:
        return None
    # NULs padding the end after the last newline are reported on the last line.
    last = decoded.text.rstrip("\n").count("\n") + 1
    lines = {min(data.count(b"\n", 0, m.start()) + 1, last) for m in re.finditer(b"\x00+", data)}
    repairs = sorted({*decoded.repairs, *(Repair(n, "nul") for n in lines)},
                     key=lambda r: (r.line_no, r.how))  # fmt: skip
    return Decoded(decoded.text, decoded.encoding, tuple(repairs))


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """``(encoding, text)`` of UTF-16 saved without a byte-order mark, else ``None``.

    Some editors save "UCS-2"/"UTF-16 without BOM"; its ASCII characters carry a NUL
    byte each, which would otherwise make the file look binary. Both byte orders are
    tried and kept only when the text reads as plausible prose with no control
    characters, so a binary file full of NULs is still refused as binary.
    """
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARS.search(text):
            continue
        score = _plausibility(text)
        if score >= CONFIDENT_PLAUSIBILITY and (best is None or score > best[0]):
            best = (score, encoding, text)
    return None if best is None else (best[1], best[2])


def _decode_bom(data: bytes, path: str, encoding: str | None) -> tuple[str, str]:
    if encoding is None:
        raise ReadError(path, "is UTF-32 encoded, which is not supported")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(path, _bom_mismatch(data, encoding, exc)) from exc
    return _finish(text, path), encoding


def _bom_mismatch(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    """Why a file with a byte-order mark does not decode: where (line and byte of the
    file, the mark counted), and what the text is when it reads as a legacy encoding (a
    GBK file given a UTF-8 mark by an editor or a script), with what to do.

    Examples
    --------
    >>> data = b"\\xef\\xbb\\xbf" + "村,满意\\n东村,5\\n".encode("gbk")
    >>> print(_bom_mismatch(data, "utf-8-sig", _utf8_error(data[3:])))
    has a UTF-8 byte-order mark but is not UTF-8 (invalid start byte at line 1, byte 3 of \
the file); its text reads as GB18030/GBK: delete its first three bytes, or save it again as UTF-8
    """
    skip = 3 if encoding == "utf-8-sig" else 2  # the mark's bytes, which decode() consumed
    at = exc.start + (skip if encoding == "utf-8-sig" else 0)
    line = data.count(b"\n", 0, at) + 1
    name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
    reason = f"has a {name} byte-order mark but is not {name} ({exc.reason} at line {line}, " \
        f"byte {at} of the file)"
    if encoding == "utf-8-sig":
        ranked = _rank_legacy(data[skip:])
        if ranked and ranked[0][0] >= MIN_PLAUSIBILITY:
            family = "GB18030/GBK" if ranked[0][1] == "gb18030" else ranked[0][1]
            return (f"{reason}; its text reads as {family}: delete its first three bytes, "
                    "or save it again as UTF-8")
    return reason


def _utf8_error(data: bytes) -> UnicodeDecodeError:
    """The error strict UTF-8 decoding of ``data`` raises (for the examples)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    raise ValueError("data decodes as UTF-8")


def _decode_legacy(data: bytes, path: str, utf8_error: UnicodeDecodeError) -> Decoded:
    ranked = _rank_legacy(data)
    if ranked and ranked[0][0] >= MIN_PLAUSIBILITY:
        _, family, text = ranked[0]
        return Decoded(_finish(text, path), family)
    # Only files no whole-file decoding accepts are decoded line by line, so every
    # file that read before reads exactly as before.
    if (mixed := _decode_mixed(data, path)) is not None:
        return mixed
    raise ReadError(path, _undecodable_reason(data, utf8_error, ranked))


def _split_lines(data: bytes) -> list[bytes]:
    """Lines of ``data``, each with its ending (LF, CRLF or CR, as ``_finish`` counts lines).

    0x0A and 0x0D never occur inside a UTF-8, GB18030 or Big5 character, so the
    split never cuts one.
    """
    return data.splitlines(keepends=True)


def _decode_mixed(data: bytes, path: str) -> Decoded | None:
    """Decode line by line in the file's main encoding, repairing the other lines.

    ``None`` when no encoding decodes :data:`MIN_MAIN_SHARE` of the non-ASCII bytes
    (as plausible Chinese, for the legacy ones): then the file is not one encoding
    with a few foreign lines but something else, and is refused.
    """
    lines = _split_lines(data)
    non_ascii = [i for i, line in enumerate(lines) if not line.isascii()]
    total = sum(len(lines[i]) for i in non_ascii)
    utf8 = {i: t for i in non_ascii if (t := _strict_decode(lines[i], "utf-8")) is not None}
    main, decoded = "", {}
    if sum(len(lines[i]) for i in utf8) >= MIN_MAIN_SHARE * total:
        main, decoded = "utf-8", utf8
    else:
        best = MIN_PLAUSIBILITY
        for family in ("gb18030", "big5"):
            # A line that reads as Chinese in UTF-8 is UTF-8, even where the legacy
            # codec also accepts its bytes (as mojibake).
            ok = {
                i: t
                for i in non_ascii
                if i not in utf8 or _plausibility(utf8[i]) < MIN_PLAUSIBILITY
                if (t := _strict_decode(lines[i], family)) is not None
            }
            covered = sum(len(lines[i]) for i in ok)
            score = _plausibility("".join(ok.values()))
            if ok and covered >= MIN_MAIN_SHARE * total and score >= best:
                main, decoded, best = family, ok, score
    if not main:
        return None
    pieces = []
    for i, line in enumerate(lines):
        if line.isascii():
            pieces.append((line.decode("ascii"), ""))
        elif i in decoded:
            pieces.append((decoded[i], ""))
        else:
            pieces.append(_repair_line(line, main))
    return _assemble(pieces, main, path)


def _repair_line(line: bytes, main: str) -> tuple[str, str]:
    """``(text, how)`` for a line its file's main encoding does not decode.

    The line is decoded in another candidate encoding when it reads as Chinese
    there (UTF-8 needs no such check when it is valid: chance-valid UTF-8 is rare
    in a whole line); otherwise the main encoding's decoder replaces the bytes it
    cannot read with U+FFFD and keeps the rest.
    """
    text = None if main == "utf-8" else _strict_decode(line, "utf-8")
    if text is not None and _plausibility(text) >= MIN_PLAUSIBILITY:
        return text, "utf-8"
    ranked = [item for item in _rank_legacy(line) if item[1] != main]
    if ranked and ranked[0][0] >= MIN_PLAUSIBILITY:
        return ranked[0][2], ranked[0][1]
    # The broadest codec of the family marks the fewest bytes.
    return line.decode(_FAMILY_CODECS[main][-1], errors="replace"), "marked"


def _assemble(pieces: list[tuple[str, str]], encoding: str, path: str) -> Decoded:
    """Join decoded lines ``(text, how)``, numbering the repaired ones as the text counts them."""
    text = "".join(piece for piece, _ in pieces)
    repairs, line_no = [], 1
    for piece, how in pieces:
        if how:
            repairs.append(Repair(line_no, how))
        # Newlines are normalised later on the whole text; count them as they will be.
        line_no += piece.count("\n") + piece.count("\r") - piece.count("\r\n")
    return Decoded(_finish(text, path), encoding, tuple(repairs))


#: Advice for double-encoded text that cannot be reversed exactly.
_MOJIBAKE_HINT = (
    "open the original file and save it again as UTF-8 (or export the text again from "
    "its source)" + SKIP_ADVICE
)


def _unmojibake(line: str) -> str | None:
    """The UTF-8 text ``line`` was before it was misread as cp1252/Latin-1, if it is that."""
    if line.isascii() or not all(char in _MOJIBAKE_BYTES for char in line):
        return None
    raw = bytes(_MOJIBAKE_BYTES[char] for char in line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Exact and valid is not yet safe: "Ã©" in a French line would pass. Only a
    # reversal that reads as Chinese is taken.
    return text if _plausibility(text) >= MIN_PLAUSIBILITY else None


def _undo_mojibake(text: str, path: str) -> Decoded | None:
    """``text`` with its double-encoded lines reversed; ``None`` when there are none."""
    pieces = []
    for line in _lf_lines(text):
        fixed = _unmojibake(line)
        pieces.append((line, "") if fixed is None else (fixed, "mojibake"))
    if not any(how for _, how in pieces):
        return None
    return _assemble(pieces, "utf-8", path)


def _lf_lines(text: str) -> list[str]:
    """Lines split at LF/CR only (``str.splitlines`` also splits at U+0085 and others)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _looks_like_mojibake(text: str) -> bool:
    """True for text without CJK that is mostly runs of Latin-1/cp1252 letters.

    Each character of misread multi-byte text becomes a run of two or three such
    letters ("å¹²"); accented letters of real European prose stand alone ("côte"), and
    runs of punctuation only ("……——" in a Chinese text) do not count.
    See :data:`MIN_MOJIBAKE_SHARE`.
    """
    if CJK_IDEOGRAPH.search(text):
        return False
    chars = len(text) - sum(1 for c in text if c.isspace())
    in_runs = sum(len(run) for run in _MOJIBAKE_RUN.findall(text) if _LATIN1_LETTER.search(run))
    return chars > 0 and in_runs >= MIN_MOJIBAKE_SHARE * chars


def _mojibake_reason(text: str) -> str:
    """Say what double-encoded text is, and what it was, when the bytes tell."""
    reason = (
        "is UTF-8, but its text is mojibake: it was decoded with the wrong encoding "
        "(Latin-1/Windows-1252) and saved again as UTF-8 (double-encoded)"
    )
    if all(c in _MOJIBAKE_BYTES for c in text):
        raw = bytes(_MOJIBAKE_BYTES[c] for c in text)
        ranked = _rank_legacy(raw)
        if ranked and ranked[0][0] >= MIN_PLAUSIBILITY:
            reason += f"; the original was {_FAMILY_LABELS[ranked[0][1]]} Chinese"
    return reason


def _rank_legacy(data: bytes) -> list[tuple[float, str, str]]:
    """``(score, family, text)`` for each legacy family that decodes ``data``, best first.

    On equal scores GB18030 wins: mainland sources dominate the corpus.
    """
    candidates = [
        (family, text)
        for family in ("gb18030", "big5")
        if (text := _strict_decode(data, family)) is not None
    ]
    # charset-normalizer guesses wrong on a handful of characters (it favours Big5),
    # so it only breaks near ties for longer inputs.
    guess = None
    if len(candidates) > 1 and len(data) >= MIN_NORMALIZER_BYTES:
        guess = _normalizer_guess(data)
    scored = [
        (_plausibility(text) + (NORMALIZER_BONUS if family == guess else 0.0), family, text)
        for family, text in candidates
    ]
    return sorted(scored, key=lambda item: -item[0])


def _strict_decode(data: bytes, family: str) -> str | None:
    for codec in _FAMILY_CODECS[family]:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _normalizer_guess(data: bytes) -> str | None:
    """Family charset-normalizer prefers among the Chinese codecs, if any."""
    from charset_normalizer import from_bytes  # deferred: slow to import

    codecs = [codec for family in ("gb18030", "big5") for codec in _FAMILY_CODECS[family]]
    best = from_bytes(data, cp_isolation=codecs).best()
    return None if best is None else _charset_family(best.encoding)


def _undecodable_reason(
    data: bytes, utf8_error: UnicodeDecodeError, ranked: list[tuple[float, str, str]]
) -> str:
    where = f"not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start})"
    if not ranked:
        return f"cannot detect the encoding: {where}, nor GB18030 or Big5"
    tried = " or ".join(_FAMILY_LABELS[family] for _, family, _ in ranked)
    return f"cannot detect the encoding: {where}, and as {tried} it reads as garbled text"


def _finish(text: str, path: str) -> str:
    """Reject binary-looking text and normalise newlines and a leading BOM."""
    controls = len(_CONTROL_CHARS.findall(text))
    if controls and controls > MAX_CONTROL_SHARE * len(text):
        raise ReadError(path, f"looks like a binary file ({controls} control characters)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.removeprefix("\ufeff")


def _plausibility(text: str) -> float:
    """Mean per-character weight of the non-ASCII, non-space characters in ``text``.

    Weights: frequent characters and Chinese punctuation 1, less frequent ones
    :data:`LESS_COMMON_WEIGHT`, other CJK characters 0, rare-block ideographs -1,
    private-use, replacement and control characters -3. Text without such characters
    scores 1.
    """
    weights = _hanzi_weights()
    total = 0
    score = 0.0
    for char, count in Counter(text).items():
        if char.isspace() or (char.isascii() and char.isprintable()):
            continue
        total += count
        score += count * _char_weight(char, weights)
    return score / total if total else 1.0


def _char_weight(char: str, weights: dict[str, float]) -> float:
    if (weight := weights.get(char)) is not None:
        return weight
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF:
        return 0.0
    if 0xE000 <= code <= 0xF8FF or code == 0xFFFD or _CONTROL_CHARS.match(char):
        return -3.0
    # Extension A, compatibility ideographs and the supplementary planes hold
    # ideographs modern prose almost never uses, but GB18030 four-byte mojibake does.
    if 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code > 0xFFFF:
        return -1.0
    return 0.0


@cache
def _hanzi_weights() -> dict[str, float]:
    """Character -> weight, from :data:`COMMON_HANZI_FILE` and the punctuation set."""
    weights = dict.fromkeys(_COMMON_PUNCTUATION, COMMON_WEIGHT)
    section_weight = COMMON_WEIGHT
    for line in COMMON_HANZI_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section_weight = _SECTION_WEIGHTS[line[1:-1]]
        elif not line.startswith("#"):
            for char in line:
                weights.setdefault(char, section_weight)
    return weights


def _charset_family(label: str) -> str | None:
    return _CHARSET_FAMILIES.get(label.strip().lower().replace("_", "-"))


def decode_html(data: bytes, path: str) -> Decoded:
    """Decode an HTML page with the charset it declares when that fits the bytes, else
    detect the encoding (:func:`decode`).

    The first :data:`HTML_PRESCAN_BYTES` bytes are searched for ``<meta charset>``,
    ``<meta http-equiv ... charset=>`` or an XML declaration's ``encoding``.

    Examples
    --------
    >>> page = '<meta charset="gb2312"><p>群众路线</p>'.encode("gbk")
    >>> decode_html(page, "a.html").encoding
    'gb18030'
    """
    match = _HTML_CHARSET.search(data, 0, HTML_PRESCAN_BYTES)
    family = _charset_family(match.group(1).decode("ascii")) if match else None
    # A BOM outranks <meta> (as in browsers); a legacy decoding must also look like
    # Chinese, because pages often declare gb2312 while being served as UTF-8.
    if family and not data.startswith(tuple(bom for bom, _ in _BOMS)):
        text = _strict_decode(data, family)
        if text is not None and (family == "utf-8" or _plausibility(text) >= MIN_PLAUSIBILITY):
            return Decoded(_finish(text, path), family)
    return decode(data, path)
