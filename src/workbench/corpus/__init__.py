"""The corpus layer: from files on disk to the ``documents`` and ``segments`` tables.

One submodule per step, in the order a file goes through them:

- :mod:`~workbench.corpus.readers`: find files (folders, globs, zip members), read the
  bytes, detect the encoding and decode, extract the text of HTML pages;
- :mod:`~workbench.corpus.boilerplate`: strip web chrome (rules in
  ``resources/boilerplate.yaml``), keeping every removed line;
- :mod:`~workbench.corpus.articles`: split a file holding several articles;
- :mod:`~workbench.corpus.structure`: headings, section roles (``ROLES``), paragraphs
  and sentences;
- :mod:`~workbench.corpus.script`: detect the script and convert to Simplified (OpenCC);
- :mod:`~workbench.corpus.dates`, :mod:`~workbench.corpus.metadata`: an article's
  publication date, from its text or from the user's metadata table;
- :mod:`~workbench.corpus.dedup` (a package) and :mod:`~workbench.corpus.duplicates`:
  find exact and near duplicates, and mark them in the tables (never delete them);
- :mod:`~workbench.corpus.tokens`: word segmentation (jieba), stopwords, content tokens;
- :mod:`~workbench.corpus.summary`: the per-file summary of ``workbench corpus info``;
- :mod:`~workbench.corpus.load`: :func:`load_corpus`, the :class:`Corpus` tables and
  their columns, the per-file loading that the engine (:mod:`workbench.engine`) runs.

The names below are re-exported from :mod:`~workbench.corpus.load`, so that
``from workbench.corpus import load_corpus`` works. They are loaded on first use:
importing the package, or one of its light submodules (``workbench.corpus.dedup`` for
its threshold), does not load the readers, the rules and the tables.

>>> from workbench.corpus import load, load_corpus
>>> load_corpus is load.load_corpus
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.corpus.load import (
        DOCUMENT_COLUMNS,
        FILE_COLUMNS,
        REMOVED_COLUMNS,
        SEGMENT_COLUMNS,
        Corpus,
        FileTables,
        NameClashError,
        Sources,
        duplicate_mask,
        gather_sources,
        id_stem,
        load_corpus,
        load_file,
        load_files,
        load_refs_results,
        unmarked,
        unreadable_result,
    )

#: Re-exported names, each from :mod:`workbench.corpus.load`.
__all__ = [
    "DOCUMENT_COLUMNS", "FILE_COLUMNS", "REMOVED_COLUMNS", "SEGMENT_COLUMNS", "Corpus",
    "FileTables", "NameClashError", "Sources", "duplicate_mask", "gather_sources", "id_stem",
    "load_corpus", "load_file", "load_files", "load_refs_results", "unmarked",
    "unreadable_result",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in __all__:
        from workbench.corpus import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
