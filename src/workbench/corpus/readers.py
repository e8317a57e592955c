"""Find corpus files and turn them into text.

:func:`discover` expands files, folders, glob patterns and ``.zip`` archives into
:class:`SourceFile` objects; :func:`extract_text` turns one of them into plain text.
Plain-text files go through :func:`decode_text`, which never guesses blindly: after
byte-order marks and strict UTF-8 it tries the two legacy Chinese encodings, GB18030
(a superset of GBK and GB2312) and Big5, keeps a decoding only when the result looks
like Chinese, decodes a file with a few foreign lines line by line and reverses
double-encoded UTF-8, reporting every repaired line as a :class:`Repair`. Decoding is
owned by :mod:`workbench.decoding` (which the reader of users' CSV files uses too);
:func:`decode`, :func:`decode_text`, :class:`Decoded`, :class:`Dropped`,
:class:`Repair`, :func:`describe_repairs` and :class:`ReadError` are re-exported here.
:func:`read_text` also refuses files with no text or made mostly of replacement
characters, which decode cleanly but hold nothing to analyse.

HTML pages keep their main content only: page chrome named by tags and ARIA roles
(``<nav>``, ``<aside>``, the page's header and footer) goes first, then trafilatura
picks the main content among the remaining lines, so menus, breadcrumbs, share bars,
comment boxes, related articles and footers in plain ``<div>`` elements go too. The
page's own lines are kept, in order, headings and the ``<h1>`` title included; every
line left out is listed in :attr:`Decoded.dropped` with its rule, and when the
extractor finds too little (:data:`MIN_MAIN_CONTENT_SHARE`) every line is kept.

Word documents give their body as Word shows it (automatic list numbers, text boxes,
tracked insertions, content controls); footnotes, endnotes, comments, tracked deletions and
page headers and footers are listed in :attr:`Decoded.dropped`, not read as body text
(see :class:`_DocxReader`).

BeautifulSoup, trafilatura and python-docx (and charset-normalizer, in
:mod:`workbench.decoding`) are imported on first use, so importing this module stays
cheap.

Examples
--------
>>> from workbench.corpus.readers import decode_text
>>> decode_text("干群关系\\r\\n".encode("utf-8-sig"), "demo.txt")
('干群关系\\n', 'utf-8-sig')
"""

from __future__ import annotations

import contextlib
import copy
import glob
import hashlib
import io
import itertools
import logging
import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

# Decoding moved to workbench.decoding; its public names are re-exported here (__all__),
# so that ``from workbench.corpus.readers import decode, ReadError`` keeps working.
from workbench.decoding import (
    CJK_IDEOGRAPH,
    SKIP_ADVICE,
    Decoded,
    Dropped,
    ReadError,
    Repair,
    decode,
    decode_html,
    decode_text,
    describe_repairs,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # python-docx, BeautifulSoup and lxml are imported lazily at run time
    from configparser import ConfigParser

    from bs4 import BeautifulSoup, Tag
    from docx.document import Document
    from docx.table import Table, _Cell
    from lxml import html as lxml_html

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Decoded",
    "Dropped",
    "ReadError",
    "Repair",
    "SourceFile",
    "decode",
    "decode_text",
    "describe_repairs",
    "discover",
    "extract_text",
    "read_text",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".mhtml", ".mht", ".docx")
#: Files of other types passed over in a folder are named in a warning, this many at most.
MAX_PASSED_OVER_SHOWN = 5

#: Above this share of U+FFFD replacement characters among its non-space characters,
#: a file is refused as damaged text (:func:`read_text`). A few marked spans in a long
#: article stay far below it; a file whose Chinese was lost to an earlier lossy
#: conversion ("��� 1996 ���") is far above.
MAX_REPLACEMENT_SHARE = 0.1

#: Least share of an HTML page's ideographs (of its non-space characters, on a page
#: without any) that the main content found by the extractor must hold; below it the
#: extractor has probably missed the body (an unusual layout, a page of short items)
#: and the page keeps all its visible text less the chrome that tags and roles name.
#: An article page's body is most of its text (60-95 % on news and government pages),
#: its menus, lists of links and footer the rest; a fifth leaves room for pages heavy
#: with link lists while catching an extractor that kept one stray block.
MIN_MAIN_CONTENT_SHARE = 0.2

#: When the extractor's text is at least this share of the page's visible text (less
#: the chrome named by tags and roles), it chose nothing: trafilatura, finding no main
#: content, falls back to the whole page's text as one block ("baseline"); and on a
#: page that is all article, there is nothing to drop. Every line is kept then.
WHOLE_PAGE_SHARE = 0.95

#: A page line at least this many non-space characters long is main content when it
#: occurs anywhere in the extractor's text (which may join or split lines); a shorter
#: one ("微信", "首页") must be one of the extractor's blocks on its own.
MIN_SUBSTRING_CHARS = 8

#: A line between the main content's first and last lines that the extractor left out
#: is kept when it is prose: this many ideographs and a sentence end (。！？；). Menus,
#: share bars and link lists have neither; a paragraph the extractor kept only in part
#: (an inline element it cut) has both.
MIN_PROSE_IDEOGRAPHS = 20

#: Least length of a line taken for the title because the page's <title> holds it
#: (on a page without <h1>): shorter ones are column names ("新闻中心").
MIN_TITLE_CHARS = 6

#: A table with a cell at least this many non-space characters long lays out a page
#: (its cells are columns of the page, one of them the article), not a table of data.
LAYOUT_CELL_CHARS = 100

_GLOB_MAGIC = re.compile(r"[*?[]")
_WHITESPACE = re.compile(r"\s+")

# Form controls hold labels and prompts ("发表评论", "请输入评论内容"), never body text.
_HTML_DROP_TAGS = (
    "script", "style", "noscript", "head", "template", "button", "textarea", "select",
)  # fmt: skip
_HTML_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "thead", "tfoot", "tr", "ul",
)  # fmt: skip
_HTML_CELL_TAGS = ("td", "th")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: Form controls among the dropped tags: their labels are listed as dropped text.
_HTML_FORM_TAGS = ("button", "textarea", "select")
#: Inside a table, these make it a layout table (see _unwrap_layout_tables).
_LAYOUT_MARKERS = ("table", "p", "div", "ul", "ol", "dl", *_HTML_HEADINGS)
#: Containers whose <br>-separated text runs become paragraphs for the extractor.
_BR_CONTAINERS = (
    "article", "blockquote", "body", "center", "dd", "div", "font", "li", "main",
    "section", "td", "th",
)  # fmt: skip
_SENTENCE_END = re.compile("[。！？；!?;]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Characters lxml refuses in a tree (XML 1.0 excludes them): blanked for the extractor
#: and left out of the keys that match page lines to its text.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Page chrome the reader drops with everything in it: menus and side boxes ...
_HTML_NAV_TAGS = ("nav", "aside")
_HTML_NAV_ROLES = frozenset({"navigation", "complementary", "search"})
#: ... the page's footer, likewise ...
_HTML_FOOTER_ROLES = frozenset({"contentinfo"})
#: ... and the page's banner, whose headings (a page title wrapped in ``<header>``)
#: are kept when the rest of the page has no ``<h1>``.
_HTML_BANNER_ROLES = frozenset({"banner"})
#: A ``<header>``/``<footer>`` inside one of these belongs to it (HTML gives it no
#: banner/contentinfo role): an article's own header holds its title and byline.
_HTML_SECTIONING = ("article", "aside", "main", "nav", "section")
#: Elements that are a menu bar or a list of links when all their text is in two or more
#: links (an old site's ``<td>`` of 网站首页 政务公开 …, a ``<div>`` or ``<ul>`` of related links).
_HTML_LINK_BLOCKS = ("td", "th", "div", "p", "ul", "ol", "li", "span", "dd", "dl")
#: What may stand between a menu's links: spaces and separators (|, ·, 、, /, brackets).
_LINK_SEPARATORS = re.compile(r"[\s|｜·•、/\\\-–—【】\[\]()（）>»«<,，;；:：]*")


@dataclass(frozen=True)
class SourceFile:
    """The raw bytes of one corpus file.

    Attributes
    ----------
    name : str
        Base file name, e.g. ``"000_688e36ac7d55ccc2.txt"`` (for a zip member, the
        member's base name).
    path : str
        Display path: the path as given or found, e.g. ``"data/raw/seeds/000_x.txt"``,
        or ``"corpus.zip!sub/a.txt"`` for a zip member.
    data : bytes
        File content.

    Examples
    --------
    >>> src = SourceFile("a.TXT", "in/a.TXT", b"abc")
    >>> src.suffix, src.sha256[:12]
    ('.txt', 'ba7816bf8f01')
    """

    name: str
    path: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 digest of :attr:`data`."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        """Lower-case suffix of :attr:`name`, e.g. ``".txt"``; ``""`` if none."""
        return _suffix(self.name)


@dataclass(frozen=True)
class FileRef:
    """Where one corpus file is, without its bytes: what :func:`discover` gives with ``lazy=True``.

    A reference is small to hold and to send to another process, which reads the
    bytes itself with :meth:`load`; so a large corpus never sits in memory at once.

    Attributes
    ----------
    name, path : str
        As for :class:`SourceFile`.
    location : str
        The file on disk (for a zip member, the archive).
    member : str
        The member's name inside the archive as stored (``""`` for a plain file).
    size : int
        Bytes (uncompressed, for a zip member), used to balance partitions.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("干群关系", encoding="utf-8")
    ...     (ref,) = discover([tmp], lazy=True)
    ...     src = ref.load()
    >>> ref.name, ref.size, src.data.decode("utf-8")
    ('a.txt', 12, '干群关系')
    """

    name: str
    path: str
    location: str
    member: str
    size: int

    @property
    def suffix(self) -> str:
        """Lower-case suffix of :attr:`name`."""
        return _suffix(self.name)

    def load(self, archive: zipfile.ZipFile | None = None) -> SourceFile:
        """Read the bytes into a :class:`SourceFile`.

        Parameters
        ----------
        archive : zipfile.ZipFile, optional
            The member's archive, already open (see :func:`load_refs`); opened here
            when omitted.

        Raises
        ------
        ReadError
            When the file or archive member cannot be read (the message names it).
        """
        if not self.member:
            return SourceFile(self.name, self.path, _read_bytes(Path(self.location)))
        display = self.path.split("!", 1)[0]
        try:
            if archive is not None:
                data = archive.read(self.member)
            else:
                with zipfile.ZipFile(self.location) as zf:
                    data = zf.read(self.member)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
                KeyError) as exc:  # fmt: skip
            hint = "re-create the archive or pass --skip-bad"
            raise ReadError(display, f"cannot read zip archive ({exc})", hint) from exc
        except OSError as exc:
            raise _unreadable(Path(self.location), display, exc) from exc
        return SourceFile(self.name, self.path, data)


def load_refs(
    refs: Iterable[FileRef], errors: list[ReadError] | None = None
) -> Iterator[SourceFile]:
    """Load file references in order, opening each zip archive once for its run of members.

    Parameters
    ----------
    refs : iterable of FileRef
        As :func:`discover` gives them with ``lazy=True`` (an archive's members
        are consecutive there).
    errors : list, optional
        When given, a file that cannot be read is appended here and skipped;
        by default its :class:`ReadError` is raised.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with zipfile.ZipFile(Path(tmp) / "c.zip", "w") as zf:
    ...         zf.writestr("a.txt", "干群"); zf.writestr("b.txt", "关系")
    ...     refs = discover([Path(tmp) / "c.zip"], lazy=True)
    ...     [s.data.decode() for s in load_refs(refs)]
    ['干群', '关系']
    """
    with contextlib.ExitStack() as stack:
        location, archive = None, None
        for ref in refs:
            try:
                if ref.member and ref.location != location:
                    stack.close()
                    location, archive = ref.location, None
                    archive = stack.enter_context(zipfile.ZipFile(ref.location))
                yield ref.load(archive if ref.member else None)
            except (zipfile.BadZipFile, OSError) as exc:
                err = ReadError(ref.path.split("!", 1)[0], f"cannot read zip archive ({exc})",
                                "re-create the archive or pass --skip-bad")  # fmt: skip
                if errors is None:
                    raise err from exc
                errors.append(err)
            except ReadError as err:
                if errors is None:
                    raise
                errors.append(err)


# --- discovery -----------------------------------------------------------------------

_Found = tuple[tuple[str, ...], "SourceFile | FileRef"]


def discover(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    errors: list[ReadError] | None = None,
    lazy: bool = False,
) -> list[SourceFile] | list[FileRef]:
    """Expand files, folders, glob patterns and zip archives into source files.

    Parameters
    ----------
    inputs : iterable of str or path-like
        Each item is a file, a folder (searched recursively for
        :data:`SUPPORTED_SUFFIXES`, links to folders followed, each folder once; hidden
        files and folders, ``__MACOSX`` and Office ``~$`` lock files are skipped, and
        files of other types, ``.zip`` archives too, are passed over with a warning
        naming them), a glob pattern (``**`` recurses), or a
        ``.zip`` archive (its members with supported suffixes). A single path is also
        accepted.
    errors : list, optional
        When given, a file or archive that cannot be read is appended here as a
        :class:`ReadError` and discovery goes on (``--skip-bad``); by default the
        error is raised.
    lazy : bool
        Return :class:`FileRef` objects, which read their bytes only when loaded,
        instead of :class:`SourceFile` objects holding them (a zip archive's
        directory is still read here).

    Returns
    -------
    list of SourceFile or FileRef
        Sorted by display path; a file reached more than once (same resolved path or
        same zip member) appears once, under the display path first seen.

    Raises
    ------
    FileNotFoundError
        A path does not exist, or a glob pattern matches no supported file.
    ReadError
        A file named explicitly has an unsupported suffix, or a file or zip archive
        cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     (root / "sub").mkdir()
    ...     for rel in ("b.txt", "sub/a.md", ".hidden.txt", "notes.csv"):
    ...         _ = (root / rel).write_text("干群关系", encoding="utf-8")
    ...     found = discover([root, root / "b.txt"])
    ...     [Path(s.path).relative_to(root).as_posix() for s in found]
    ['b.txt', 'sub/a.md']
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    found: dict[tuple[str, ...], SourceFile | FileRef] = {}
    for item in inputs:
        for key, src in _expand(os.fspath(item), errors, lazy):
            found.setdefault(key, src)
    return sorted(found.values(), key=lambda src: src.path)


def _guarded(items: Iterator[_Found], errors: list[ReadError] | None) -> Iterator[_Found]:
    """Yield from ``items``; with an ``errors`` sink, record a ReadError and stop there."""
    if errors is None:
        yield from items
        return
    try:
        yield from items
    except ReadError as err:
        errors.append(err)


def _expand(spec: str, errors: list[ReadError] | None, lazy: bool) -> Iterator[_Found]:
    path = Path(spec).expanduser()
    if path.is_dir():
        found = _walk_folder(path, errors, lazy)
        yield from _guarded(_nonempty(found, path, _folder_contents), errors)
    elif path.is_file():
        found = _from_file(path, explicit=True, lazy=lazy)
        if path.suffix.lower() == ".zip":
            found = _nonempty(found, path, lambda _: "")
        yield from _guarded(found, errors)
    elif path.exists():
        err = ReadError(path.as_posix(), "not a regular file or folder", "name a file instead")
        if errors is None:
            raise err
        errors.append(err)
    elif _GLOB_MAGIC.search(spec):
        yield from _from_glob(spec, errors, lazy)
    else:
        raise FileNotFoundError(f"{spec}: no such file, folder or zip archive")


def _nonempty(
    items: Iterator[_Found], where: Path, contents: Callable[[Path], str]
) -> Iterator[_Found]:
    """Yield from ``items``, raising when a folder or archive named as input held no file.

    Silently loading nothing from a folder of .csv or .pdf files would end in an empty
    table and exit status 0, so it is reported like any unreadable input.
    """
    count = 0
    for item in items:
        count += 1
        yield item
    if not count and not (where.is_dir() and _has_supported_file(where)):
        kind = "folder" if where.is_dir() else "zip archive"
        names = sorted(_visible_names(where)) if where.is_dir() else []
        skipped, what = _not_documents(names)
        if (where / "manifest.json").is_file() and (where / "segments").is_dir():
            what = f"the tables of a workbench pipeline build ({len(names)} file(s))"
        if names and len(skipped) == len(names):
            # Nothing there to convert (a build's tables, figures): the wrong folder.
            raise ReadError(
                where.as_posix(), f"folder holds no documents, only {what}",
                "name the folder or files of your texts instead",
            )  # fmt: skip
        raise ReadError(
            where.as_posix(),
            f"{kind} contains no file ending in {', '.join(SUPPORTED_SUFFIXES)}{contents(where)}",
            "convert the documents to one of these formats (or name other inputs)"
            + (f" ({how})" if (how := _folder_advice(where)) else "") + SKIP_ADVICE,
        )


def _visible_names(folder: Path) -> Iterator[str]:
    """Names of the files a folder walk looks at (hidden files and folders left out, and
    the resource folders a browser saves beside a page)."""
    for _, dirnames, filenames in _walk(folder):
        resources = _page_resource_dirs(dirnames, filenames)
        dirnames[:] = [d for d in dirnames if not _is_skipped_name(d) and d not in resources]
        yield from (name for name in filenames if not _is_skipped_name(name))


def _walk(folder: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """:func:`os.walk` of ``folder``, following links to folders, each folder once.

    A corpus kept as links to the folders that hold the texts (``corpus/2016 ->
    /data/2016``) was read without them, and without a word: ``os.walk`` does not
    follow links by default. A link back to a folder already walked (a loop) or a
    second link to one is passed over. The caller may prune ``dirnames`` in place.
    """
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        yield dirpath, dirnames, filenames
        # Folders already walked are not entered again (a link loop would never end).
        dirnames[:] = [d for d in dirnames
                       if os.path.realpath(os.path.join(dirpath, d)) not in seen]  # fmt: skip


#: The endings of the folder a browser saves a page's images, scripts, ads and embedded
#: frames in beside the page ("网页, 全部": 某县新闻.html + 某县新闻_files/).
PAGE_RESOURCE_ENDINGS = ("_files", ".files")


def _page_resource_dirs(dirnames: Iterable[str], filenames: Iterable[str]) -> set[str]:
    """The sub-folders that hold the resources of a saved page beside them: ``X_files``
    (or ``X.files``) next to ``X.html`` or ``X.htm``. Their ``.htm`` files are ads, comment
    boxes and other frames of that page, not texts of the corpus.

    Examples
    --------
    >>> sorted(_page_resource_dirs(["某县新闻_files", "2015", "a_files"], ["某县新闻.html"]))
    ['某县新闻_files']
    """
    pages = {os.path.splitext(name)[0].casefold() for name in filenames
             if _suffix(name) in (".html", ".htm")}  # fmt: skip
    return {
        d for d in dirnames
        if any(d.casefold().endswith(end) and d[: -len(end)].casefold() in pages
               for end in PAGE_RESOURCE_ENDINGS)
    }  # fmt: skip


def _has_supported_file(folder: Path) -> bool:
    """Whether a walk of ``folder`` meets a supported file (one that could not be read)."""
    return any(_suffix(name) in SUPPORTED_SUFFIXES for name in _visible_names(folder))


def _folder_advice(where: Path) -> str:
    """:func:`conversion_advice` for the files of a folder (``""`` for an archive)."""
    if not where.is_dir():
        return ""
    return conversion_advice({_suffix(name) for name in _visible_names(where)})


def _folder_contents(folder: Path) -> str:
    """What a folder without supported files holds: ``" (found 3 other files: .csv, .pdf)"``."""
    suffixes = Counter(_suffix(name) or "(no suffix)" for name in _visible_names(folder))
    if not suffixes:
        return " (it is empty)"
    total = sum(suffixes.values())
    return f" (found {total} other file{'s' if total > 1 else ''}: {', '.join(sorted(suffixes))})"


def _from_glob(pattern: str, errors: list[ReadError] | None, lazy: bool) -> Iterator[_Found]:
    pattern = os.path.expanduser(pattern)
    matches = sorted(glob.glob(pattern, recursive=True))
    if not matches:
        raise FileNotFoundError(f"{pattern}: the pattern matches no file or folder")
    root = _literal_root(pattern)
    count = 0
    for match in matches:
        path = Path(match)
        # Wildcards skip what a folder walk skips (glob itself only skips dot files);
        # unsupported matches are passed over: a pattern names no file explicitly.
        if any(_is_skipped_name(part) for part in path.relative_to(root).parts):
            continue
        if path.is_dir():
            items = _walk_folder(path, errors, lazy)
        else:
            items = _guarded(_from_file(path, explicit=False, lazy=lazy), errors)
        for found in items:
            count += 1
            yield found
    if not count:
        raise FileNotFoundError(
            f"{pattern}: the pattern matches {len(matches)} path(s) but no file ending in "
            + ", ".join(SUPPORTED_SUFFIXES)
        )


def _literal_root(pattern: str) -> Path:
    """The leading folders of a glob pattern that contain no wildcard."""
    parts = Path(pattern).parts
    literal = list(itertools.takewhile(lambda part: not _GLOB_MAGIC.search(part), parts))
    return Path(*literal) if literal else Path()


def _walk_folder(
    folder: Path, errors: list[ReadError] | None = None, lazy: bool = False
) -> Iterator[_Found]:
    """The supported files under ``folder``.

    Files of other types and ``.zip`` archives (which a folder walk does not open: their
    members would clash with the same files unpacked beside them) are passed over, and
    named in one warning per folder, so that a ``.pdf`` or an archive left among the texts
    is not lost without a word. A saved page's resource folder (:func:`_page_resource_dirs`)
    is not walked, which a note says.
    """
    passed_over = []
    page_files: list[str] = []
    for dirpath, dirnames, filenames in _walk(folder):
        resources = _page_resource_dirs(dirnames, filenames)
        page_files += [Path(dirpath, d).relative_to(folder).as_posix() for d in sorted(resources)]
        dirnames[:] = sorted(d for d in dirnames if not _is_skipped_name(d) and d not in resources)
        real_dir = ""  # os.path.realpath(dirpath), once its first file is met
        for filename in sorted(filenames):
            if _is_skipped_name(filename):
                continue
            path = Path(dirpath, filename)
            if _suffix(filename) not in SUPPORTED_SUFFIXES:
                passed_over.append(path.relative_to(folder).as_posix())
                continue
            if lazy:
                real_dir = real_dir or os.path.realpath(dirpath)
                found = _walked_ref(path, real_dir)
            else:
                found = _from_file(path, explicit=False, lazy=lazy)
            yield from _guarded(found, errors)
    if passed_over:
        log.warning("%s", describe_passed_over(folder.as_posix(), passed_over))
    if page_files:
        shown = ", ".join(f"{d}/" for d in page_files[:MAX_PASSED_OVER_SHOWN])
        extra = len(page_files) - MAX_PASSED_OVER_SHOWN
        more = f" and {extra} more" if extra > 0 else ""
        log.warning(
            "%s: passed over %d folder(s) of the images, scripts and frames a browser saved "
            "with a page beside them: %s%s", folder.as_posix(), len(page_files), shown, more
        )


#: How to turn a document of another format into one the reader takes, by suffix: the
#: formats researchers' texts come in (old Word and WPS files, RTF, OpenDocument, PDF,
#: CNKI's CAJ, e-books). A bare "convert them" left a user guessing how.
_CONVERSION_ADVICE = (
    ((".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot", ".docm", ".pages"),
     "open in Word or WPS and save as .docx"),
    ((".pdf",), "export its text as .txt with pdftotext or a PDF reader, checking that "
                "two-column pages read in order"),
    ((".caj", ".kdh", ".nh"), "download the article from CNKI as PDF or HTML instead"),
    ((".epub", ".mobi", ".azw3"), "convert to .txt or .docx with an e-book tool such as Calibre"),
    ((".xhtml", ".shtml", ".xml"), "rename an .xhtml/.shtml page .html"),
)  # fmt: skip


def conversion_advice(suffixes: Iterable[str]) -> str:
    """How to convert files with these suffixes, ``""`` when none is a known document type.

    Examples
    --------
    >>> conversion_advice([".pdf", ".doc", ".csv", ".wps"])
    '.doc, .wps: open in Word or WPS and save as .docx; .pdf: export its text as .txt with \
pdftotext or a PDF reader, checking that two-column pages read in order'
    """
    present = set(suffixes)
    parts = []
    for known, advice in _CONVERSION_ADVICE:
        found = [suffix for suffix in known if suffix in present]
        if found:
            parts.append(f"{', '.join(found)}: {advice}")
    return "; ".join(parts)


#: Files that are clearly not documents, by suffix, and what to call them: passed over in
#: a folder, they are named as such, not told to be converted ("convert them to read them"
#: for a folder's Parquet tables, NumPy arrays and photographs).
_NOT_DOCUMENTS = {
    **dict.fromkeys(
        (".parquet", ".json", ".jsonl", ".csv", ".tsv", ".xlsx", ".xls", ".npz", ".npy",
         ".pkl", ".pickle", ".joblib", ".feather", ".arrow", ".h5", ".hdf5", ".dta", ".sav",
         ".sqlite", ".db", ".yaml", ".yml"),
        "data file",
    ),
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".ico",
         ".heic"),
        "image",
    ),
}  # fmt: skip


def _builds(names: list[str]) -> list[str]:
    """The folders among ``names`` (paths relative to the folder walked) that hold a
    ``workbench pipeline`` build: a ``manifest.json`` beside a ``segments/`` folder."""
    prefixes = {name[: -len("manifest.json")] for name in names if name.endswith("manifest.json")}
    return sorted(
        prefix for prefix in prefixes
        if prefix in ("",) or prefix.endswith("/")
        if any(name.startswith(f"{prefix}segments/") for name in names)
    )  # fmt: skip


def _not_documents(names: list[str]) -> tuple[list[str], str]:
    """Of ``names`` passed over, those that are no documents, and how to say so:
    ``"3 data file(s) (.json, .parquet): ...; 1 image(s) (.png): ..."``, a pipeline's own
    build named as one folder."""
    builds = _builds(names)
    in_build = [n for n in names if any(n.startswith(b) for b in builds)]
    built = set(in_build)
    left = [n for n in names if n not in built]
    parts = [f"the workbench pipeline build {b or './'} ({sum(n.startswith(b) for n in in_build)}"
             " file(s))" for b in builds]  # fmt: skip
    kinds: dict[str, list[str]] = {}
    for name in left:
        kind = _NOT_DOCUMENTS.get(_suffix(PurePosixPath(name).name))
        if kind is not None:
            kinds.setdefault(kind, []).append(name)
    for kind in ("data file", "image"):
        found = kinds.get(kind, [])
        if found:
            suffixes = ", ".join(sorted({_suffix(PurePosixPath(n).name) for n in found}))
            more = len(found) - MAX_PASSED_OVER_SHOWN
            parts.append(
                f"{len(found)} {kind}(s) ({suffixes}): {', '.join(found[:MAX_PASSED_OVER_SHOWN])}"
                + (f" and {more} more" if more > 0 else "")
            )
    skipped = [*in_build, *(n for found in kinds.values() for n in found)]
    return skipped, "; ".join(parts)


def describe_passed_over(folder: str, names: list[str], in_archive: bool = False) -> str:
    """The warning for files a folder walk (or, ``in_archive``, the reading of a ``.zip``
    archive) passed over, saying how to read them.

    Documents of other formats are told how to be converted; files that are clearly not
    documents (data files, images, a ``workbench pipeline`` build) are counted and named
    for what they are (:data:`_NOT_DOCUMENTS`).

    Examples
    --------
    >>> message = describe_passed_over("texts", ["a.pdf", "old.zip"])
    >>> message[:89]
    'texts: passed over 2 file(s) that are not .txt, .md, .html, .htm, .mhtml, .mht or .docx: '
    >>> message[89:]  # doctest: +NORMALIZE_WHITESPACE
    'a.pdf, old.zip; name a .zip archive as an input of its own to read its texts,
     convert the other files to read them (.pdf: export its text as .txt with pdftotext or
     a PDF reader, checking that two-column pages read in order)'
    >>> describe_passed_over("texts", ["b.png", "a.parquet", "a.json"])
    'texts: skipped 3 file(s) that are not documents: 2 data file(s) (.json, .parquet): \
a.parquet, a.json; 1 image(s) (.png): b.png'
    """
    skipped, what = _not_documents(names)
    if skipped:
        named = set(skipped)
        rest = [n for n in names if n not in named]
        note = f"skipped {len(skipped)} file(s) that are not documents: {what}"
        if not rest:
            return f"{folder}: {note}"
        return f"{_describe_documents(folder, rest, in_archive)}. {note[0].upper()}{note[1:]}"
    return _describe_documents(folder, names, in_archive)


def _describe_documents(folder: str, names: list[str], in_archive: bool) -> str:
    """:func:`describe_passed_over` of files that may be documents: how to read them."""
    shown = ", ".join(names[:MAX_PASSED_OVER_SHOWN])
    more = len(names) - MAX_PASSED_OVER_SHOWN
    kinds = ", ".join(SUPPORTED_SUFFIXES[:-1]) + f" or {SUPPORTED_SUFFIXES[-1]}"
    zips = any(_suffix(name) == ".zip" for name in names)
    others = any(_suffix(name) != ".zip" for name in names)
    # An archive inside an archive cannot be named as an input: it must be unpacked.
    read_zip = ("unpack the .zip inside the archive and name it as an input to read its texts"
                if in_archive else "name a .zip archive as an input of its own to read its texts")
    advice = [
        *([read_zip] if zips else []),
        *(["convert the other files to read them" if zips else "convert them to read them"]
          if others else []),
    ]  # fmt: skip
    how = conversion_advice(_suffix(PurePosixPath(name).name) for name in names)
    return (
        f"{folder}: passed over {len(names)} file(s) that are not {kinds}: {shown}"
        + (f" and {more} more" if more > 0 else "")
        + "; "
        + ", ".join(advice)
        + (f" ({how})" if how else "")
    )


def _from_file(path: Path, *, explicit: bool, lazy: bool = False) -> Iterator[_Found]:
    suffix = _suffix(path.name)
    if suffix == ".zip":
        yield from _zip_members(path, lazy)
    elif suffix in SUPPORTED_SUFFIXES:
        key = ("file", os.path.realpath(path))
        if lazy:
            yield key, FileRef(path.name, path.as_posix(), str(path), "", _file_size(path))
        else:
            yield key, SourceFile(path.name, path.as_posix(), _read_bytes(path))
    elif explicit:
        how = conversion_advice([suffix])
        raise ReadError(
            path.as_posix(),
            f"unsupported file type {suffix or '(no suffix)'!r}",
            (f"{how}; " if how else "") + "supported: " + ", ".join((*SUPPORTED_SUFFIXES, ".zip")),
        )


def _walked_ref(path: Path, real_dir: str) -> Iterator[_Found]:
    """:func:`_from_file` of a supported file a folder walk met, ``lazy``, with
    ``real_dir`` the resolved folder.

    Resolving a path costs a system call per component of it: for a file whose name is
    no link, the resolved path is the folder's, resolved once, and its name. One
    ``lstat`` tells that and gives the size (a link is resolved and its target's size
    read as before).
    """
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise _unreadable(path, path.as_posix(), exc) from exc
    if stat.S_ISLNK(info.st_mode):
        yield from _from_file(path, explicit=False, lazy=True)
        return
    key = ("file", os.path.join(real_dir, path.name))
    yield key, FileRef(path.name, path.as_posix(), str(path), "", info.st_size)


def _unreadable(path: Path, display: str, exc: OSError) -> ReadError:
    """The error for a file the system would not read, saying why and what to do (the
    default advice, "convert it to UTF-8", is for text that does not decode)."""
    if path.is_symlink() and not path.exists():
        return ReadError(display, f"is a link to {os.readlink(path)}, which does not exist",
                         "remove the link or restore its target" + SKIP_ADVICE)  # fmt: skip
    if isinstance(exc, PermissionError):
        return ReadError(display, f"cannot read file ({exc.strerror})",
                         "give yourself permission to read it" + SKIP_ADVICE)  # fmt: skip
    return ReadError(display, f"cannot read file ({exc.strerror})",
                     "check that it exists and can be read" + SKIP_ADVICE)  # fmt: skip


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, path.as_posix(), exc) from exc


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, path.as_posix(), exc) from exc


def _zip_members(archive: Path, lazy: bool = False) -> Iterator[_Found]:
    """The supported members of ``archive``; the others (a ``.pdf``, a ``.zip`` inside
    it) are named in one warning, as a folder walk names what it passes over."""
    display = archive.as_posix()
    real = os.path.realpath(archive)
    passed_over = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                member = _member_name(info)
                if info.is_dir() or _is_skipped_member(member):
                    if not info.is_dir() and not _is_hidden_member(member):
                        passed_over.append(member)
                    continue
                name, path = PurePosixPath(member).name, f"{display}!{member}"
                if lazy:
                    src = FileRef(name, path, str(archive), info.filename, info.file_size)
                else:
                    src = SourceFile(name, path, zf.read(info))
                yield ("zip", real, member), src
    # Encrypted members raise RuntimeError, deflate64 NotImplementedError, damaged
    # streams zlib.error or EOFError: all mean "cannot read this archive".
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        hint = "re-create the archive or pass --skip-bad"
        raise ReadError(display, f"cannot read zip archive ({exc})", hint) from exc
    except OSError as exc:
        raise _unreadable(archive, display, exc) from exc
    if passed_over:
        log.warning("%s", describe_passed_over(display, passed_over, in_archive=True))


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # the archiver marked the name as UTF-8
        return info.filename
    # zipfile decodes unmarked names as cp437, but archives made on Chinese Windows
    # store GBK names: undo cp437 (it is a bijection) and retry.
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_skipped_member(member: str) -> bool:
    return _is_hidden_member(member) or _suffix(member) not in SUPPORTED_SUFFIXES


def _is_hidden_member(member: str) -> bool:
    """A member no one means as a text (``__MACOSX/``, ``.DS_Store``): skipped unnamed."""
    return any(_is_skipped_name(part) for part in PurePosixPath(member).parts)


def _is_skipped_name(name: str) -> bool:
    # "~$" files are Office lock files left beside open documents, not documents.
    return name.startswith((".", "~$")) or name == "__MACOSX"


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix.lower()``, for a name without ``/`` (most) without
    building a path: a twentieth of a millisecond per file where every file is asked.

    Examples
    --------
    >>> [_suffix(n) for n in ("a.TXT", "b.tar.gz", ".txt", "a.", "..", "x/y.md", "c")]
    ['.txt', '.gz', '', '', '', '.md', '']
    """
    if "/" in name:
        return PurePosixPath(name).suffix.lower()
    dot = name.rfind(".")  # PurePosixPath.suffix: after the last dot, none first or last
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


# --- extraction ----------------------------------------------------------------------


def extract_text(src: SourceFile) -> tuple[str, str]:
    """Plain text of a source file.

    Parameters
    ----------
    src : SourceFile
        A file from :func:`discover`.

    Returns
    -------
    text : str
        ``.txt``/``.md``: the decoded file. ``.html``/``.htm``: the visible text of
        the main content (see :func:`read_text` for what is left out), one line per
        block element, whitespace collapsed, no empty lines. ``.docx``: the
        paragraphs of the body in document order, one per line (tracked insertions,
        content controls and fields as Word shows them; tracked deletions, footnotes,
        endnotes, comments and page headers and footers left out, and listed by
        :func:`read_text`), and a table of data one line per row (cells joined by a
        space, as on a web page); a table that lays out the page gives its cells'
        paragraphs one per line.
    encoding : str
        As for :func:`decode_text`; ``"docx"`` for Word documents.

    Raises
    ------
    ReadError
        The file cannot be decoded, is a corrupt ``.docx``, has an unsupported
        suffix, holds no text, or is mostly replacement characters.

    See Also
    --------
    read_text : The same, with the lines repaired while decoding.

    Examples
    --------
    >>> page = "<p>群众路线</p><script>x()</script><p>为民务实</p>".encode("gbk")
    >>> extract_text(SourceFile("a.html", "a.html", page))
    ('群众路线\\n为民务实', 'gb18030')
    """
    decoded = read_text(src)
    return decoded.text, decoded.encoding


def read_text(src: SourceFile) -> Decoded:
    """Plain text of a source file, with the lines repaired while decoding it.

    The text and encoding are those of :func:`extract_text`; :attr:`Decoded.repairs`
    lists the lines :func:`decode` repaired (none for ``.docx``), and
    :attr:`Decoded.dropped` the lines of an HTML page's visible text left out as page
    chrome, and a Word document's footnotes, endnotes, comments, tracked deletions and
    page headers and footers, each with its rule (see :class:`Dropped` and
    :class:`_DocxReader`).

    Raises
    ------
    ReadError
        As :func:`extract_text`. Text that decodes but holds nothing to analyse is
        refused too, naming the file: an empty file, one of whitespace only (or an
        HTML page with no visible text), and one whose characters are more than
        :data:`MAX_REPLACEMENT_SHARE` U+FFFD replacement characters.

    Examples
    --------
    >>> data = "第一章\\n".encode("big5") + "密切联系群众。\\n".encode("utf-8")
    >>> read_text(SourceFile("a.txt", "a.txt", data)).repairs
    (Repair(line_no=1, how='big5'),)
    >>> read_text(SourceFile("e.txt", "in/e.txt", b""))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.decoding.ReadError: in/e.txt: is empty (0 bytes); ...
    """
    if src.suffix in (".txt", ".md"):
        decoded = decode(src.data, src.path)
    elif src.suffix in (".html", ".htm", ".mhtml", ".mht"):
        data = src.data if src.suffix in (".html", ".htm") else _mhtml_page(src.data, src.path)
        page = decode_html(data, src.path)
        text, dropped = _html_text(page.text)
        decoded = Decoded(text, page.encoding, page.repairs, dropped)
    elif src.suffix == ".docx":
        decoded = _docx_text(src.data, src.path)
    else:
        raise ReadError(
            src.path,
            f"unsupported file type {src.suffix or '(no suffix)'!r}",
            "supported: " + ", ".join(SUPPORTED_SUFFIXES),
        )
    _check_content(decoded.text, src)
    return decoded


#: Advice for a file with nothing in it to analyse.
_EMPTY_HINT = "remove it from the corpus or replace it with the full text" + SKIP_ADVICE


def _mhtml_page(data: bytes, path: str) -> bytes:
    """The page of a web archive (``.mhtml``/``.mht``, a browser's "save as a single file"):
    its first ``text/html`` part, the document itself (later ones are its frames: ads,
    comment boxes), with the charset its MIME header declares written into it as a
    ``<meta>`` when the page itself declares none (``tests/test_readers.py`` makes one).
    """
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset()
        if charset and not re.search(rb"<meta[^>]+charset", payload[:4096], re.IGNORECASE):
            payload = f'<meta charset="{charset}">'.encode("ascii", "ignore") + payload
        return payload
    raise ReadError(
        path,
        "is not a web archive with a page in it (no text/html part)",
        "save the page again as .html or .mhtml" + SKIP_ADVICE,
    )


def _check_content(text: str, src: SourceFile) -> None:
    """Refuse text that decoded cleanly but holds nothing to analyse (see :func:`read_text`)."""
    if not src.data:
        raise ReadError(src.path, "is empty (0 bytes)", _EMPTY_HINT)
    if "\ufffd" not in text and text and not text.isspace():
        return  # some text and nothing replaced (most files): no count needed
    # str.split() drops exactly the characters for which str.isspace() is true, in C:
    # counting them one by one in a generator took a tenth of a small file's load time.
    chars = sum(map(len, text.split()))
    if not chars:
        what = "visible text (only markup)" if src.suffix in (".html", ".htm") else "text"
        raise ReadError(src.path, f"has no {what}", _EMPTY_HINT)
    replaced = text.count("\ufffd")
    if replaced > MAX_REPLACEMENT_SHARE * chars:
        raise ReadError(
            src.path,
            f"{replaced} of its {chars} characters are U+FFFD replacement characters (\ufffd): "
            "the text was lost in an earlier conversion or cannot be decoded",
            "get an undamaged copy of the original file" + SKIP_ADVICE,
        )


def _html_roles(tag: Tag) -> frozenset[str]:
    """The ARIA roles of an element (``role`` may list several, space-separated)."""
    role = tag.get("role")
    return frozenset((role if isinstance(role, str) else " ".join(role or ())).lower().split())


def _html_chrome_kind(tag: Tag) -> str | None:
    """``"nav"`` (menus, side boxes), ``"footer"`` or ``"banner"`` (the page's own)."""
    roles = _html_roles(tag)
    if tag.name in _HTML_NAV_TAGS or roles & _HTML_NAV_ROLES:
        return "nav"
    if roles & _HTML_FOOTER_ROLES:
        return "footer"
    if roles & _HTML_BANNER_ROLES:
        return "banner"
    if tag.name in ("header", "footer") and tag.find_parent(_HTML_SECTIONING) is None:
        return "banner" if tag.name == "header" else "footer"
    if tag.name in _HTML_LINK_BLOCKS and _links_only(tag):
        return "nav"
    return None


def _links_only(tag: Tag) -> bool:
    """Whether all of an element's visible text is in two or more links, with nothing but
    separators between them, and it holds no heading: a menu bar or a list of links
    (``<td><a>网站首页</a> <a>政务公开</a></td>``), which no article's text is."""
    links = tag.find_all("a", limit=2)
    if len(links) < 2 or tag.find(_HTML_HEADINGS) is not None:
        return False
    from bs4 import NavigableString

    outside = "".join(
        str(string) for string in tag.find_all(string=True)
        if type(string) is NavigableString and string.find_parent("a") is None
    )  # fmt: skip
    return _LINK_SEPARATORS.fullmatch(outside) is not None


def _drop_html_chrome(soup: BeautifulSoup) -> list[tuple[Tag, str]]:
    """Find navigation, side boxes and the page's header and footer; keep headings.

    ``<nav>``, ``<aside>``, the page's own ``<footer>`` (not inside an ``<article>``,
    ``<section>``, ``<main>`` …) and elements with role navigation, complementary,
    search or contentinfo go with everything in them. The page's own ``<header>``
    and role banner go too, but their ``<h1>``–``<h6>`` (outside a menu) are moved
    out in front of them when the rest of the page has no ``<h1>``: then the header
    holds the page's title (``<header><h1>Title</h1>``), not a site logo beside the
    real title. An article's own ``<header>`` and ``<footer>`` are kept whole
    (title, byline, editor: line rules deal with the rest).

    Returns the outermost chrome elements with their kind (``"nav"``, ``"footer"``,
    ``"banner"``), still in the tree: the caller lists their lines, then removes them.
    """
    chrome: dict[int, tuple[Tag, str]] = {}
    for tag in soup.find_all(True):
        kind = _html_chrome_kind(tag)
        if kind is not None and not any(id(parent) in chrome for parent in tag.parents):
            chrome[id(tag)] = (tag, kind)
    if not chrome:
        return []

    def in_chrome(tag: Tag) -> bool:
        return any(id(parent) in chrome for parent in tag.parents)

    title_elsewhere = any(not in_chrome(h1) for h1 in soup.find_all("h1"))
    for tag, kind in chrome.values():
        if kind == "banner" and not title_elsewhere:
            for heading in _banner_headings(tag):
                tag.insert_before(heading.extract())
    return list(chrome.values())


def _banner_headings(banner: Tag) -> list[Tag]:
    """The outermost headings of a banner that are not in a menu inside it."""
    found = []
    for heading in banner.find_all(list(_HTML_HEADINGS)):
        between = list(itertools.takewhile(lambda p: p is not banner, heading.parents))
        if not any(p.name in _HTML_HEADINGS or _html_chrome_kind(p) == "nav" for p in between):
            found.append(heading)
    return found


@dataclass(frozen=True)
class _HtmlLine:
    """One line of a page's visible text: its text, source line and heading level."""

    text: str
    line_no: int
    level: int  # 1-6 inside <h1>-<h6>, else 0


def _html_lines(root: Tag) -> list[_HtmlLine]:
    """The non-empty lines of the plain strings under ``root``, whitespace collapsed.

    Each line is named by the page-source line of the element holding its first
    visible character (``sourceline`` of BeautifulSoup's ``html.parser``).
    """
    from bs4 import NavigableString

    lines: list[_HtmlLine] = []
    buf: list[str] = []
    owner: Tag | None = None

    def flush() -> None:
        text = _WHITESPACE.sub(" ", "".join(buf)).strip()
        if text and owner is not None:
            level = next(
                (int(p.name[1]) for p in itertools.chain([owner], owner.parents)
                 if p.name in _HTML_HEADINGS),
                0,
            )  # fmt: skip
            lines.append(_HtmlLine(text, getattr(owner, "sourceline", None) or 1, level))

    # Only plain strings are visible: comments, doctypes and CDATA are subclasses.
    for string in root.descendants:
        if type(string) is not NavigableString:
            continue
        for i, part in enumerate(string.split("\n")):
            if i:
                flush()
                buf, owner = [], None
            buf.append(part)
            if owner is None and part.strip():
                owner = string.parent
    flush()
    return lines


def _html_text(markup: str) -> tuple[str, tuple[Dropped, ...]]:
    """The visible text of a page's main content, and the lines left out as chrome.

    Scripts, styles, ``<head>`` and form controls go first (a control's label,
    "发表评论", is listed with rule ``html_form``); then the page chrome that tags
    and ARIA roles name, and blocks made of links alone (:func:`_drop_html_chrome`:
    rules ``html_nav``, ``html_footer``, ``html_banner``); what remains is cut into
    lines, one per block element and ``<br>``, whitespace collapsed, and
    :func:`_main_content` picks the lines of the main content from it (the rest: rule
    ``html_boilerplate``).
    """
    from bs4 import BeautifulSoup  # deferred: slow to import

    soup = BeautifulSoup(markup, "html.parser")
    head_title = soup.find("title")
    page_title = _key(head_title.get_text()) if head_title is not None else ""
    dropped: list[Dropped] = []
    for tag in soup.find_all(list(_HTML_DROP_TAGS)):
        if tag.name in _HTML_FORM_TAGS and not tag.find_parent(_HTML_DROP_TAGS):
            text = _WHITESPACE.sub(" ", tag.get_text(" ")).strip()
            if text:
                dropped.append(Dropped(tag.sourceline or 1, "html_form", text))
        tag.decompose()
    chrome = _drop_html_chrome(soup)
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(list(_HTML_BLOCK_TAGS)):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in soup.find_all(list(_HTML_CELL_TAGS)):
        tag.insert_after(" ")
    for tag, kind in chrome:
        dropped += [Dropped(line.line_no, f"html_{kind}", line.text) for line in _html_lines(tag)]
        tag.decompose()
    lines = _html_lines(soup)
    keep = _main_content(markup, lines, page_title)
    dropped += [
        Dropped(line.line_no, "html_boilerplate", line.text)
        for line, kept in zip(lines, keep, strict=True)
        if not kept
    ]
    dropped.sort(key=lambda d: d.line_no)  # stable: document order within a line
    text = "\n".join(line.text for line, kept in zip(lines, keep, strict=True) if kept)
    return text, tuple(dropped)


def _main_content(markup: str, lines: list[_HtmlLine], page_title: str = "") -> list[bool]:
    """Which of a page's lines are its main content (all of them when in doubt).

    trafilatura finds the main content (:func:`_extractor_blocks`); a line is in it
    when its text, whitespace ignored, is one or more whole blocks of the extractor's
    or, from :data:`MIN_SUBSTRING_CHARS` characters on, any part of its text. Lines, not the
    extractor's text, are returned, so the page's own order and line breaks stay
    and a heading stays a line of its own. Lines the extractor leaves out stay when
    they are headings (``<h1>``–``<h6>``) or prose (:data:`MIN_PROSE_IDEOGRAPHS`)
    between the main content's first and last lines, or headings right above it;
    the title, the ``<h1>`` nearest before the main content (on a page without one,
    the nearest line before it that the page's ``<title>`` holds, of at least
    :data:`MIN_TITLE_CHARS` characters: "标题_某某县人民政府"); or datelines between
    the title and the main content's last line (:func:`workbench.corpus.dates.match_line`),
    where :mod:`workbench.corpus.dates` reads the date, and bylines of labelled fields
    there ("作者：王五", :func:`workbench.corpus.articles.labelled_byline`), where the author is.

    Every line is kept when the extractor finds nothing, less than
    :data:`MIN_MAIN_CONTENT_SHARE` of the page's ideographs (of its non-space
    characters on a page without any), or :data:`WHOLE_PAGE_SHARE` of its text or
    more: the page's text is then its visible text less the chrome named by tags
    and roles, as before the extractor.
    """
    everything = [True] * len(lines)
    blocks = _extractor_blocks(markup) if lines else []
    if not blocks:
        return everything
    joined = "".join(blocks)
    if len(joined) >= WHOLE_PAGE_SHARE * sum(len(_key(line.text)) for line in lines):
        return everything  # the whole page, not a choice (see WHOLE_PAGE_SHARE)
    bounds = set(itertools.accumulate(len(block) for block in blocks)) | {0}
    keep = [_in_blocks(_key(line.text), joined, bounds) for line in lines]
    if not any(keep):
        return everything
    first = keep.index(True)
    last = len(keep) - 1 - keep[::-1].index(True)
    # Headings inside the main content, and those right above it, belong to it; so
    # does prose inside it that the extractor cut (a paragraph it kept in part).
    for i in range(first, last):
        keep[i] = keep[i] or lines[i].level > 0 or _is_prose(lines[i].text)
    while first > 0 and lines[first - 1].level > 0:
        first -= 1
        keep[first] = True
    title = next((i for i in range(first - 1, -1, -1) if lines[i].level == 1), None)
    if title is None and page_title:  # no <h1>: the line the page's <title> names
        title = next(
            (i for i in range(first - 1, -1, -1)
             if len(key := _key(lines[i].text)) >= MIN_TITLE_CHARS and key in page_title),
            None,
        )  # fmt: skip
    if title is not None:
        keep[title] = True
    from workbench.corpus.articles import labelled_byline  # deferred: loads its rules
    from workbench.corpus.dates import match_line

    # Datelines and bylines between the title and the end of the main content are the
    # article's (a WeChat page's "作者：王五" sits in its meta bar, outside the content
    # the extractor finds): the cleaning and the article splitter read them as metadata.
    for i in range(first if title is None else title, last):
        if not keep[i] and (match_line(lines[i].text) is not None
                            or labelled_byline(lines[i].text) is not None):  # fmt: skip
            keep[i] = True

    kept_text = "".join(line.text for line, k in zip(lines, keep, strict=True) if k)
    all_text = "".join(line.text for line in lines)
    total, kept = len(CJK_IDEOGRAPH.findall(all_text)), len(CJK_IDEOGRAPH.findall(kept_text))
    if not total:  # a page without ideographs: count its non-space characters
        total, kept = len(_WHITESPACE.sub("", all_text)), len(_WHITESPACE.sub("", kept_text))
    return keep if kept >= MIN_MAIN_CONTENT_SHARE * total else everything


def _is_prose(text: str) -> bool:
    """A line of running text: :data:`MIN_PROSE_IDEOGRAPHS` ideographs and a sentence end."""
    dense = len(CJK_IDEOGRAPH.findall(text)) >= MIN_PROSE_IDEOGRAPHS
    return dense and _SENTENCE_END.search(text) is not None


def _key(text: str) -> str:
    """Text as compared with the extractor's: no whitespace, nothing lxml refuses."""
    return _XML_INCOMPATIBLE.sub("", _WHITESPACE.sub("", text))


def _in_blocks(key: str, joined: str, bounds: set[int]) -> bool:
    """Whether ``key`` is in the extractor's text: anywhere from
    :data:`MIN_SUBSTRING_CHARS` characters on, else as whole blocks (one block, or
    consecutive ones: the cells of a table row), ``bounds`` being where blocks start.
    """
    if len(key) >= MIN_SUBSTRING_CHARS:
        return key in joined
    start = joined.find(key)
    while start >= 0:
        if start in bounds and start + len(key) in bounds:
            return True
        start = joined.find(key, start + 1)
    return False


def _extractor_blocks(markup: str) -> list[str]:
    """The main content's blocks as trafilatura finds it, whitespace removed; ``[]`` if none.

    Before extraction, tables that lay out the page (:func:`_unwrap_layout_tables`)
    become ``<div>`` elements, and text runs between ``<br>`` become paragraphs
    (:func:`_split_br_runs`): trafilatura keeps a table as one piece of content and
    reads a ``<br>``-broken ``<div>`` as one paragraph, which on pages of old
    government sites keeps the whole page or mixes the title and page chrome into
    the article. trafilatura reads only the markup given: it fetches nothing.
    """
    import trafilatura  # deferred: slow to import
    from lxml import etree
    from lxml import html as lxml_html

    try:
        # lxml refuses a str that still declares its encoding.
        markup = _XML_INCOMPATIBLE.sub(" ", _XML_DECLARATION.sub("", markup, count=1))
        tree = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return []
    # Dropped as in the page's lines, keeping the text after them (their "tail"), which
    # trafilatura would drop with them: "正文<!-- x -->续" is one paragraph.
    etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, *_HTML_DROP_TAGS,
                         with_tail=False)  # fmt: skip
    _unwrap_layout_tables(tree)
    _split_br_runs(tree)
    # First without trafilatura's rescues for short results: below MIN_EXTRACTED_SIZE
    # characters (250: a short Chinese news item has fewer) it takes the whole page's
    # or the whole <article>'s text, share bar and all, which tells nothing. Only when
    # its main extractor finds nothing are the rescues tried (a rescue that returns
    # the whole page is caught by WHOLE_PAGE_SHARE).
    result = None
    for settings in (_trafilatura_config(), None):
        result = trafilatura.extract(
            copy.deepcopy(tree), output_format="xml", fast=True, include_comments=False,
            include_tables=True, include_images=False, include_links=False,
            include_formatting=False, deduplicate=False, with_metadata=False,
            **({"config": settings} if settings is not None else {}),
        )  # fmt: skip
        if result:
            break
    if not result:
        return []
    main = etree.fromstring(result).find("main")
    if main is None:
        return []
    for element in main.iter():
        if element is not main:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    blocks = (_key(part) for part in "".join(main.itertext()).split("\n"))
    return [block for block in blocks if block]


@cache
def _trafilatura_config() -> ConfigParser:
    """trafilatura's defaults without its rescues of short results (``MIN_EXTRACTED_SIZE = 0``)."""
    from trafilatura.settings import use_config  # reads its bundled settings.cfg

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "0")
    return config


def _unwrap_layout_tables(tree: lxml_html.HtmlElement) -> None:
    """Turn tables that lay out a page (not tables of data) into ``<div>`` elements.

    A table lays out the page when it holds another table, a paragraph, heading,
    list or ``<div>``, or a cell of :data:`LAYOUT_CELL_CHARS` characters or more:
    old Chinese government sites set the whole page, article included, in nested
    tables. Its rows and cells become ``<div>`` too; tables inside it are judged on
    their own.
    """
    layout = [
        table for table in tree.iter("table")
        if next(table.iterdescendants(*_LAYOUT_MARKERS), None) is not None
        or any(len(_WHITESPACE.sub("", cell.text_content())) >= LAYOUT_CELL_CHARS
               for cell in table.iter("td", "th"))
    ]  # fmt: skip
    if not layout:
        return
    ids = {id(table) for table in layout}
    parts = [
        part for part in tree.iter("caption", "thead", "tbody", "tfoot", "tr", "td", "th")
        if id(next(part.iterancestors("table"), None)) in ids
    ]  # fmt: skip
    for element in layout + parts:
        element.tag = "div"


def _split_br_runs(tree: lxml_html.HtmlElement) -> None:
    """Wrap each run of text between ``<br>`` elements of a container in a ``<p>``."""
    from lxml import html as lxml_html

    def paragraph(text: str | None) -> lxml_html.HtmlElement:
        element = lxml_html.Element("p")
        element.text = text
        return element

    for container in list(tree.iter(*_BR_CONTAINERS)):
        children = list(container)
        if not any(child.tag == "br" for child in children):
            continue
        pieces = []
        run = paragraph(container.text)
        container.text = None
        for child in children:
            container.remove(child)  # its tail goes with it
            if child.tag == "br":
                pieces.append(run)
                run = paragraph(child.tail)
            elif child.tag in _HTML_BLOCK_TAGS or child.tag in _HTML_CELL_TAGS:
                pieces.append(run)
                run = paragraph(child.tail)
                child.tail = None
                pieces.append(child)
            else:
                run.append(child)
        pieces.append(run)
        for piece in pieces:
            if piece.tag != "p" or len(piece) or (piece.text or "").strip():
                container.append(piece)


def _docx_text(data: bytes, path: str) -> Decoded:
    """A Word document's text and what was left out of it (see :class:`_DocxReader`)."""
    import docx  # deferred: slow to import
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx surfaces a damaged package as any of these, depending on which part
    # is broken (zip container, content types, XML).
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        hint = "re-save it as .docx or pass --skip-bad"
        if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and _ENCRYPTED in data:
            # Word stores a password-protected .docx encrypted inside an OLE container,
            # which starts as an old .doc does: "renamed .doc" sent users the wrong way.
            hint = ("it is protected by a password: open it in Word or WPS, remove the password "
                    "(文件 > 信息 > 保护文档 > 用密码进行加密) and save it, or pass --skip-bad")
        elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an old .doc renamed
            hint = "it is an old Word .doc file renamed .docx: open it in Word or WPS and " + hint
        elif not data.startswith(b"PK"):
            with contextlib.suppress(ReadError):
                decode(data, path)  # it reads as text: a text file named .docx
                hint = "it is a plain-text file: rename it .txt" + SKIP_ADVICE
        raise ReadError(path, f"not a readable Word document ({exc})", hint) from exc
    return _DocxReader.of(document).read(document)


#: The stream holding a password-protected Office file's encrypted package (its name in
#: the OLE directory, UTF-16).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
#: Elements wrapping runs (or blocks) whose text is the document's: tracked insertions and
#: moves, content controls, smart tags, custom XML, simple fields (their shown result),
#: bidirectional runs. python-docx reads only a paragraph's direct runs and hyperlinks, so
#: the text inside these was lost without a word (an inserted clause, a form's filled-in
#: content control).
_DOCX_WRAPPERS = frozenset(_W_NS + tag for tag in (
    "hyperlink", "ins", "moveTo", "sdt", "sdtContent", "smartTag", "customXml", "fldSimple",
    "dir", "bdo",
))  # fmt: skip
#: Tracked deletions and the source of a tracked move: text the author took out, never body.
_DOCX_DELETED = frozenset(_W_NS + tag for tag in ("del", "moveFrom"))
#: Reference marks in a run: the note or comment they point to is listed at their line.
_DOCX_REFERENCES = {
    _W_NS + "footnoteReference": "docx_footnote",
    _W_NS + "endnoteReference": "docx_endnote",
    _W_NS + "commentReference": "docx_comment",
}
_DOCX_PARTS = {  # relationship type (its last part) -> rule of the part's items
    "footnotes": "docx_footnote", "endnotes": "docx_endnote", "comments": "docx_comment",
}  # fmt: skip


@dataclass
class _DocxReader:
    """Reads a Word document's body, and lists what is not body text as :class:`Dropped`.

    The body is the main text: paragraphs in document order, the text of tracked
    insertions, content controls and fields (as Word shows them) included, the text of
    tracked deletions not. What is printed around or beside the body is not read into
    the text but listed in :attr:`Decoded.dropped` (and so in ``Corpus.removed`` and
    ``workbench corpus info``), one row each, with its rule:

    - ``docx_footnote``, ``docx_endnote``: a footnote's or endnote's text (sources and
      asides, which would otherwise join the last section of the body and its role),
      at the line holding its reference mark;
    - ``docx_comment``: a reviewer's comment, at the line it is attached to;
    - ``docx_deleted``: the text of a tracked deletion (or the old place of a moved
      passage), at its paragraph's line;
    - ``docx_header``, ``docx_footer``: each line of a page header or footer (running
      heads, page numbers), at line 0: they belong to every page, no line of the text;
    - ``docx_altchunk``: an imported chunk of a format other than HTML or plain text,
      not read (an HTML chunk, as some "export to Word" tools write the whole body, is
      read as a page is, see :meth:`alt_chunk`).

    A note or comment that no reference in the body points to is listed at the last line.
    """

    numbering: _DocxNumbering
    #: (rule, id) -> the note's or comment's text
    items: dict[tuple[str, str], str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    #: (index in :attr:`lines` of the block it is anchored at, rule, text)
    anchored: list[tuple[int, str, str]] = field(default_factory=list)
    listed: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, document: Document) -> _DocxReader:
        from docx.oxml import parse_xml

        reader = cls(_DocxNumbering.of(document))
        for rel in sorted(document.part.rels.values(), key=lambda r: r.rId):
            rule = _DOCX_PARTS.get(rel.reltype.rsplit("/", 1)[-1])
            if rule is None or rel.is_external:
                continue
            root = parse_xml(rel.target_part.blob)
            for item in root:
                # Word's separator "notes" (types separator, continuationSeparator) hold
                # the line drawn above the notes, no text.
                if item.get(_W_NS + "type") not in (None, "normal"):
                    continue
                text = " ".join(reader.text_of(p, None) for p in item.iter(_W_NS + "p"))
                reader.items[rule, item.get(_W_NS + "id", "")] = _WHITESPACE.sub(" ", text).strip()
        return reader

    def read(self, document: Document) -> Decoded:
        for line in self.blocks(document):
            self.lines.append(line)
        starts, line_no = [], 1  # a block's first line in the text (blocks may hold "\n")
        for block in self.lines:
            starts.append(line_no)
            line_no += block.count("\n") + 1
        last = max(line_no - 1, 1)
        dropped = [Dropped(0, rule, text) for rule, text in self.page_lines(document)]
        dropped += [Dropped(starts[i] if i < len(starts) else last, rule, text)
                    for i, rule, text in self.anchored]  # fmt: skip
        # Unreferenced notes and comments, in the order of their parts (deterministic).
        dropped += [Dropped(last, key[0], text) for key, text in self.items.items()
                    if key not in self.listed and text]  # fmt: skip
        return Decoded("\n".join(self.lines), "docx", dropped=tuple(dropped))

    def page_lines(self, document: Document) -> Iterator[tuple[str, str]]:
        """Each line of the page headers and footers, every part once, section by section."""
        seen: set[int] = set()
        for section in document.sections:
            for rule, parts in (
                ("docx_header", (section.first_page_header, section.header,
                                 section.even_page_header)),
                ("docx_footer", (section.first_page_footer, section.footer,
                                 section.even_page_footer)),
            ):  # fmt: skip
                for part in parts:
                    if part.is_linked_to_previous:
                        continue  # no part of its own: the previous section's, listed there
                    element = part._element
                    if id(element) in seen:
                        continue
                    seen.add(id(element))
                    for p in element.iter(_W_NS + "p"):
                        text = _WHITESPACE.sub(" ", self.text_of(p, None)).strip()
                        if text:
                            yield rule, text

    def blocks(self, container: Document | _Cell) -> Iterator[str]:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        parent = container._body if hasattr(container, "_body") else container
        element = parent._element
        for child in _docx_block_elements(element):
            if child.tag == _W_NS + "tbl":
                yield from self.table(Table(child, parent))
                continue
            if child.tag == _W_NS + "altChunk":
                yield from self.alt_chunk(child, parent.part)
                continue
            block = Paragraph(child, parent)
            text = self.text_of(child, len(self.lines))
            if text.strip():
                if _is_toc(block):  # Word draws the tab before the page number as dot leaders
                    text = _TOC_TAB.sub("…………", text)
                yield self.numbering.label(child) + text
            yield from _docx_text_boxes(child)

    def alt_chunk(self, chunk: object, part: object) -> Iterator[str]:
        """The lines of an imported chunk (``w:altChunk``): a web page or text that the
        program writing the file (an office system's "export to Word", an HTML-to-Word
        converter) put in whole, for Word to convert on opening. Its HTML is read as a
        page is (the lines the extractor leaves out listed, as on a page); a chunk of
        another format (RTF, another document) is listed as ``docx_altchunk``, not read.
        """
        rid = chunk.get(_R_ID)  # type: ignore[attr-defined]
        target = part.related_parts.get(rid) if rid else None  # type: ignore[attr-defined]
        if target is None:
            return
        kind = (target.content_type or "").lower()
        name = str(target.partname).lower()
        if "html" in kind or name.endswith((".htm", ".html", ".xhtml")):
            page = decode_html(target.blob, name)
            text, dropped = _html_text(page.text)
            anchor = len(self.lines)
            self.anchored += [(anchor, d.rule, d.text) for d in dropped]
            yield from (line for line in text.split("\n") if line.strip())
        elif kind.startswith("text/plain") or name.endswith(".txt"):
            yield from (line for line in decode(target.blob, name).text.split("\n")
                        if line.strip())  # fmt: skip
        else:
            self.anchored.append((len(self.lines), "docx_altchunk",
                                  f"{name} ({kind or 'unknown type'}): not read"))

    def text_of(self, p: object, anchor: int | None) -> str:
        """The text of paragraph ``p`` as Word shows it, tracked deletions left out.

        With an ``anchor`` (the index its block will have in :attr:`lines`), the
        deletions and the notes and comments it refers to are listed there.
        """
        parts: list[str] = []

        def walk(element: object) -> None:
            for child in element:  # type: ignore[attr-defined]
                tag = child.tag
                if tag == _W_NS + "r":
                    parts.append(child.text)  # python-docx's run text: w:t, tabs, breaks
                    if anchor is not None:
                        for mark in child:
                            rule = _DOCX_REFERENCES.get(mark.tag)
                            if rule is not None:
                                self.refer(anchor, rule, mark.get(_W_NS + "id", ""))
                elif tag in _DOCX_WRAPPERS:
                    walk(child)
                elif tag in _DOCX_DELETED and anchor is not None:
                    gone = "".join(t.text or "" for t in child.iter(_W_NS + "delText", _W_NS + "t"))
                    if gone.strip():
                        self.anchored.append((anchor, "docx_deleted", gone.strip()))

        walk(p)
        return "".join(parts)

    def refer(self, anchor: int, rule: str, item_id: str) -> None:
        key = (rule, item_id)
        if key in self.listed or key not in self.items:
            return
        self.listed.add(key)
        if self.items[key]:
            self.anchored.append((anchor, rule, self.items[key]))

    def table(self, table: Table) -> Iterator[str]:
        """A table's text: one line per row for a table of data, as a web page's table
        reads (cells joined by a space, so a column heading such as 问题 is no section
        heading and a row is read as one statement); one line per block of each cell for
        a table that lays out the page (:func:`_docx_lays_out`)."""
        # python-docx returns a merged cell once per grid column and row it spans; its
        # XML element identifies it (holding the elements keeps their proxies unique).
        seen: set[object] = set()
        rows = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    cells.append(cell)
            rows.append(cells)
        cell_texts = {id(cell): [self.text_of(p, None) for p in _docx_cell_paragraphs(cell)]
                      for cells in rows for cell in cells}  # fmt: skip
        if _docx_lays_out([cell for cells in rows for cell in cells], cell_texts):
            for cells in rows:
                for cell in cells:
                    yield from self.blocks(cell)
            return
        for cells in rows:
            anchor = len(self.lines)
            for cell in cells:  # list the row's notes, comments and deletions at its line
                for p in _docx_cell_paragraphs(cell):
                    self.text_of(p, anchor)
            line = " ".join(
                text for cell in cells
                if (text := _WHITESPACE.sub(" ", "\n".join(cell_texts[id(cell)])).strip())
            )  # fmt: skip
            if line:
                yield line


def _docx_block_elements(element: object) -> Iterator[object]:
    """The paragraphs (``w:p``) and tables (``w:tbl``) of a body or cell, in order, those
    inside content controls (``w:sdt``) and custom XML included (python-docx reads only
    direct ones: a form's or template's filled-in blocks were lost)."""
    for child in element:  # type: ignore[attr-defined]
        if child.tag in (_W_NS + "p", _W_NS + "tbl", _W_NS + "altChunk"):
            yield child
        elif child.tag in (_W_NS + "sdt", _W_NS + "sdtContent", _W_NS + "customXml"):
            yield from _docx_block_elements(child)


def _docx_cell_paragraphs(cell: _Cell) -> list[object]:
    """A cell's paragraphs (``w:p``), those in content controls included; not those of a
    table inside it (such a cell lays out the page and is read block by block)."""
    return [el for el in _docx_block_elements(cell._tc) if el.tag == _W_NS + "p"]


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_text_boxes(p: object) -> Iterator[str]:
    """The paragraphs of the text boxes anchored in paragraph ``p`` (a ``w:p``), after it.

    python-docx reads a paragraph's runs only, so a text box's text (a title or a note
    laid out in a box) was lost without a word. Word stores a box twice, as a drawing and
    as a VML fallback (``mc:Fallback``); the fallback copy is left out.
    """
    from docx.oxml.ns import qn

    boxes = [box for box in p.iter(qn("w:txbxContent"))  # type: ignore[attr-defined]
             if not any(a.tag == _MC_FALLBACK for a in box.iterancestors())]  # fmt: skip
    for box in boxes:
        if any(a.tag == qn("w:txbxContent") for a in box.iterancestors()):
            continue  # a box inside a box: its paragraphs are read with the outer box's
        for para in box.iter(qn("w:p")):
            text = "".join(node.text or "" for node in para.iter(qn("w:t")))
            if text.strip():
                yield text


#: The tab(s) before a table-of-contents entry's page number.
_TOC_TAB = re.compile(r"\s*\t\s*(?=\d{1,4}\s*$)")


def _is_toc(paragraph: object) -> bool:
    """Whether a Word paragraph is a table-of-contents entry (style "toc 1" … "toc 9").

    Its text is the heading, a tab and the page number; written with the dot leaders Word
    shows there, boilerplate's ``table_of_contents`` rule removes it (read as a heading it
    opened an empty section that the real heading then nested under).
    """
    style = getattr(paragraph, "style", None)
    name = getattr(style, "name", "") or ""
    return name.casefold().startswith("toc ")


#: Word's number formats (``w:numFmt``) written as the text shows them; any other format
#: is written in Arabic digits, and ``bullet`` and ``none`` show no number.
_CN_NUMERALS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _cn_counting(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word's chineseCounting)."""
    if n < 10:
        return _CN_NUMERALS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _CN_NUMERALS[tens]
        return head + "十" + (_CN_NUMERALS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if not rest:
        return _CN_NUMERALS[hundreds] + "百"
    return _CN_NUMERALS[hundreds] + "百" + ("零" if rest < 10 else "") + (
        _CN_NUMERALS[rest] if rest < 10 else ("一" if rest < 20 else "") + _cn_counting(rest)
    )


def _word_number(n: int, fmt: str) -> str:
    """Number ``n`` in Word's format ``fmt``.

    Examples
    --------
    >>> [_word_number(n, "chineseCounting") for n in (1, 10, 11, 20, 23, 105)]
    ['一', '十', '十一', '二十', '二十三', '一百零五']
    >>> _word_number(3, "decimalEnclosedCircle"), _word_number(2, "ideographTraditional")
    ('③', '乙')
    >>> _word_number(4, "upperRoman"), _word_number(28, "lowerLetter"), _word_number(7, "bullet")
    ('IV', 'bb', '')
    """
    if fmt in ("bullet", "none"):
        return ""
    if fmt.startswith(("chineseCounting", "japaneseCounting", "taiwaneseCounting",
                       "ideographDigital", "koreanCounting")):  # fmt: skip
        return _cn_counting(n)
    if fmt.startswith(("decimalEnclosedCircle", "decimalEnclosed")) and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("ideographTraditional", "ideographZodiac") and 0 < n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt in ("upperLetter", "lowerLetter") and n > 0:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        roman = ""
        for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                              (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                              (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
            count, n = divmod(n, value)
            roman += digits * count
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return str(n)


@dataclass
class _DocxNumbering:
    """The numbers Word draws in front of list paragraphs, which are not in their text.

    Word turns a typed "一、" or "（一）" at the start of a paragraph into an automatic list
    by default, so a Word file's headings often hold no numbering marker of their own: read
    as the paragraph's text alone, "一、存在的问题" / "（一）宗旨意识方面" lose the
    hierarchy the structure parser reads from markers, and a sub-heading without one closes
    its section as a sub-title. :meth:`label` gives the marker as Word shows it (numbering
    definitions of the paragraph or of its style, counted per list and level in document
    order; a deeper level restarts when a shallower one counts on).
    """

    levels: dict[str, dict[int, tuple[str, str, int]]]  # numId -> ilvl -> (fmt, text, start)
    styles: dict[str, tuple[str | None, str | None, str | None]]  # id -> numId, ilvl, basedOn
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Document) -> _DocxNumbering:
        from docx.oxml.ns import qn

        def val(el: object, tag: str) -> str | None:
            child = el.find(qn(tag)) if el is not None else None  # type: ignore[attr-defined]
            return None if child is None else child.get(qn("w:val"))

        levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None  # no numbering part: no list in the document
        if root is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in root.findall(qn("w:abstractNum")):
                lv = {}
                for lvl in an.findall(qn("w:lvl")):
                    start = val(lvl, "w:start")
                    lv[int(lvl.get(qn("w:ilvl"), "0"))] = (
                        val(lvl, "w:numFmt") or "decimal",
                        val(lvl, "w:lvlText") or "",
                        int(start) if start and start.lstrip("-").isdigit() else 1,
                    )
                abstract[an.get(qn("w:abstractNumId"))] = lv
            for num in root.findall(qn("w:num")):
                lv = dict(abstract.get(val(num, "w:abstractNumId") or "", {}))
                for override in num.findall(qn("w:lvlOverride")):
                    ilvl = int(override.get(qn("w:ilvl"), "0"))
                    start = val(override, "w:startOverride")
                    if ilvl in lv and start and start.isdigit():
                        lv[ilvl] = (*lv[ilvl][:2], int(start))
                levels[num.get(qn("w:numId"))] = lv
        styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        if levels:
            for style in document.styles.element.findall(qn("w:style")):
                ppr = style.find(qn("w:pPr"))
                numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
                styles[style.get(qn("w:styleId"))] = (
                    val(numpr, "w:numId"), val(numpr, "w:ilvl"), val(style, "w:basedOn"))
        return cls(levels, styles)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen = set()
        while style_id and style_id not in seen:  # basedOn chain, guarded against loops
            seen.add(style_id)
            num_id, ilvl, based_on = self.styles.get(style_id, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style_id = based_on
        return None, None

    def label(self, p: object) -> str:
        """The number Word shows before paragraph ``p`` (a ``w:p`` element), else ``""``."""
        if not self.levels:
            return ""
        from docx.oxml.ns import qn

        ppr = p.find(qn("w:pPr"))  # type: ignore[attr-defined]
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id = ilvl = None
        if numpr is not None:
            num_el, lvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
            num_id = None if num_el is None else num_el.get(qn("w:val"))
            ilvl = None if lvl_el is None else lvl_el.get(qn("w:val"))
        if num_id is None and ppr is not None:
            style = ppr.find(qn("w:pStyle"))
            style_num, style_lvl = self._style_numbering(
                None if style is None else style.get(qn("w:val")))
            num_id, ilvl = style_num, ilvl if ilvl is not None else style_lvl
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        level = int(ilvl) if ilvl and ilvl.isdigit() else 0
        defs = self.levels[num_id]
        if level not in defs:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[level] = counts.get(level, defs[level][2] - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]  # a deeper list restarts under the next item
        fmt, text, _ = defs[level]
        if fmt in ("bullet", "none"):
            return ""

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in defs:
                return ""
            return _word_number(counts.get(k, defs[k][2]), defs[k][0])

        return re.sub(r"%([1-9])", number, text)


def _docx_lays_out(cells: list[_Cell], texts: dict[int, list[str]]) -> bool:
    """Whether a Word table lays out the page rather than holding data: a cell holds a
    table, more than one paragraph of text, or :data:`LAYOUT_CELL_CHARS` characters
    (``texts``: each cell's paragraphs' text by ``id`` of the cell)."""
    for cell in cells:
        if cell.tables:
            return True
        paragraphs = [t for t in texts[id(cell)] if t.strip()]
        if len(paragraphs) > 1 or sum(len(t.strip()) for t in paragraphs) >= LAYOUT_CELL_CHARS:
            return True
    return False
