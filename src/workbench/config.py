"""Every path the workbench uses, in one place.

Notebooks and modules import paths from here instead of spelling them out, so a
clone can be moved anywhere and a user can point the workbench at another project
root with the ``WORKBENCH_ROOT`` environment variable.

Examples
--------
>>> from workbench import config
>>> config.SEEDS_DIR.relative_to(config.ROOT).as_posix()
'data/raw/seeds'
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env).resolve()
    # src/workbench/config.py -> repository root (the workbench runs from a clone).
    return Path(__file__).resolve().parents[2]


ROOT: Path = _find_root()

DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
SEEDS_DIR = RAW_DIR / "seeds"
SEEDS_CHECKSUMS = RAW_DIR / "SHA256SUMS"
#: ``WORKBENCH_OUTPUT`` (set by ``workbench report --out DIR`` for the notebooks' kernels)
#: puts what the notebooks write — figures, processed tables, networks — under that
#: folder, so a report on a user's data never overwrites the bundled report's files.
OUTPUT_DIR: Path | None = (
    Path(os.environ["WORKBENCH_OUTPUT"]).resolve() if os.environ.get("WORKBENCH_OUTPUT") else None
)
PROCESSED_DIR = OUTPUT_DIR / "processed" if OUTPUT_DIR else DATA_DIR / "processed"
LEXICON_DIR = DATA_DIR / "lexicon"
USER_DICT = LEXICON_DIR / "userdict.txt"
STOPWORDS = LEXICON_DIR / "stopwords.txt"
CODEBOOK = DATA_DIR / "codebook.yaml"
GOLD_DIR = DATA_DIR / "gold"
GOLD_SAMPLE = GOLD_DIR / "gold_sample.csv"
#: Written examples: original documents made for training, and their coding sheet
#: (data/gold/README.md, "Written examples"); never part of a corpus analysed.
SYNTHETIC_DIR = GOLD_DIR / "synthetic"
SURVEY_DIR = DATA_DIR / "survey"
SURVEY_DATA = SURVEY_DIR / "survey.csv"
SURVEY_CODEBOOK = SURVEY_DIR / "codebook.yaml"
SURVEY_DGP = SURVEY_DIR / "dgp.yaml"
NETWORKS_DIR = PROCESSED_DIR / "networks"

NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = OUTPUT_DIR or ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"


def cache_dir() -> Path:
    """Where the workbench keeps what it can work out again (prepared dictionaries,
    regex plans): ``$XDG_CACHE_HOME/workbench``, else ``~/.cache/workbench``.

    Examples
    --------
    >>> cache_dir().name
    'workbench'
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "workbench"


def ensure_output_dirs() -> None:
    """Create the writable output folders (never ``data/raw``)."""
    for d in (PROCESSED_DIR, REPORTS_DIR, FIGURES_DIR):
        d.mkdir(parents=True, exist_ok=True)


def display_path(path: str | os.PathLike[str]) -> str:
    """Path for tables and messages: relative to :data:`ROOT` when inside it.

    Keeps outputs identical across clones in different folders. A zip member
    (``archive.zip!member``) keeps its member part.

    Examples
    --------
    >>> display_path(SEEDS_DIR / "a.txt")
    'data/raw/seeds/a.txt'
    >>> display_path("/elsewhere/b.zip!x/c.txt")
    '/elsewhere/b.zip!x/c.txt'
    """
    text = os.fspath(path)
    head, sep, member = text.partition("!")
    p = Path(head)
    if p.is_absolute():
        resolved = p.resolve()  # once: each resolve is a system call per path component
        if resolved.is_relative_to(ROOT):
            head = resolved.relative_to(ROOT).as_posix()
    return head + sep + member
