"""Matplotlib helpers: Chinese fonts, reproducible figure files and bilingual labels.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so Chinese titles and
tick labels come out as empty boxes with a ``Glyph ... missing from font(s)``
warning.  :func:`setup_chinese` picks a CJK font and configures ``rcParams``:

* a CJK font installed on the system is used when there is one (Noto Sans CJK,
  Source Han Sans, PingFang, Microsoft YaHei/JhengHei, WenQuanYi, SimHei ...);
* otherwise the font shipped by the ``noto-cjk-sans-otc`` package (a dependency of
  the workbench) is registered with matplotlib, which loads every face of the
  collection: ``Noto Sans CJK SC`` for Simplified and ``Noto Sans CJK TC`` for
  Traditional text.

:func:`savefig` writes figures to :data:`workbench.config.FIGURES_DIR` without
timestamps, so re-running a notebook produces byte-identical files.  :func:`label`
translates the fixed vocabulary of the corpus tables (roles, scripts, axis words).

Matplotlib is imported only when a function needs it, so importing this module is
cheap.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from workbench import plotting
>>> family = plotting.setup_chinese()
>>> family in plotting.SYSTEM_FONTS["simplified"]
True
>>> plotting.label("countermeasure"), plotting.label("countermeasure", "en")
('对策', 'Countermeasure')
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import config

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "PACKAGED_FAMILIES",
    "SYSTEM_FONTS",
    "boxplot_by_group",
    "cjk_font_family",
    "label",
    "labels",
    "packaged_font_path",
    "savefig",
    "setup_chinese",
]

#: System CJK families, in order of preference, for each script.  Traditional
#: prefers Traditional-style faces (TC); Simplified prefers Simplified-style ones.
SYSTEM_FONTS: dict[str, tuple[str, ...]] = {
    "simplified": (
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "Source Han Sans CN",
        "Noto Sans SC",
        "PingFang SC",
        "Microsoft YaHei",
        "WenQuanYi Zen Hei",
        "WenQuanYi Micro Hei",
        "Heiti SC",
        "SimHei",
    ),
    "traditional": (
        "Noto Sans CJK TC",
        "Source Han Sans TC",
        "Source Han Sans TW",
        "Noto Sans TC",
        "PingFang TC",
        "Microsoft JhengHei",
        "Heiti TC",
        "Noto Sans CJK HK",
        "Source Han Sans HK",
    ),
}

#: Family of the packaged ``NotoSansCJK-Regular.ttc`` face used for each script.
PACKAGED_FAMILIES: dict[str, str] = {
    "simplified": "Noto Sans CJK SC",
    "traditional": "Noto Sans CJK TC",
}

#: Values of ``script`` accepted by :func:`setup_chinese`.  ``"mixed"`` and
#: ``"none"`` (see :func:`workbench.corpus.script.detect_script`) use the Simplified face.
_SCRIPTS = {
    "simplified": "simplified",
    "traditional": "traditional",
    "mixed": "simplified",
    "none": "simplified",
}

_FONT_PACKAGE = "noto_cjk_sans_otc"
_FONT_FILE = "NotoSansCJK-Regular.ttc"

#: Fixed salt for SVG element ids, so that SVG output is reproducible.
SVG_HASHSALT = "workbench"

#: Metadata passed to ``Figure.savefig`` per format: drop timestamps and the
#: version-dependent ``Software`` field.
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


def _normalise_script(script: str) -> str:
    try:
        return _SCRIPTS[script]
    except KeyError:
        known = ", ".join(repr(s) for s in _SCRIPTS)
        raise ValueError(f"script must be one of {known}, not {script!r}") from None


@functools.cache
def packaged_font_path() -> Path | None:
    """Path of ``NotoSansCJK-Regular.ttc`` from the ``noto-cjk-sans-otc`` package.

    Returns
    -------
    pathlib.Path or None
        The font file, or ``None`` when the package is not installed.

    Examples
    --------
    >>> packaged_font_path().name
    'NotoSansCJK-Regular.ttc'
    """
    from importlib.resources import files

    try:
        font = files(_FONT_PACKAGE).joinpath(_FONT_FILE)
    except ModuleNotFoundError:
        return None
    # A regular (non-zipped) installation: the resource is a real file on disk,
    # which is what FreeType needs.
    path = Path(os.fspath(font))
    return path if path.is_file() else None


def _available_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


@functools.cache
def _register_packaged_font() -> tuple[str, ...]:
    """Add every face of the packaged TTC to matplotlib (once); return their families."""
    from matplotlib import font_manager

    path = packaged_font_path()
    if path is None:
        return ()
    font_manager.fontManager.addfont(str(path))
    return tuple(
        dict.fromkeys(
            entry.name
            for entry in font_manager.fontManager.ttflist
            if Path(entry.fname).resolve() == path.resolve()
        )
    )


def cjk_font_family(script: str = "simplified") -> str:
    """Return the CJK font family :func:`setup_chinese` uses for ``script``.

    The first family of :data:`SYSTEM_FONTS` known to matplotlib wins; otherwise
    the face of the packaged Noto Sans CJK collection (:data:`PACKAGED_FAMILIES`).
    Nothing is registered or configured.

    Parameters
    ----------
    script : {"simplified", "traditional", "mixed", "none"}
        Script of the text to draw.  ``"traditional"`` prefers Traditional-style
        (TC) faces; the other values use Simplified-style (SC) faces.

    Returns
    -------
    str
        A font family name.

    Raises
    ------
    ValueError
        If ``script`` is not one of the accepted values.
    RuntimeError
        If there is neither a system CJK font nor the ``noto-cjk-sans-otc`` package.

    Examples
    --------
    >>> cjk_font_family("traditional") in SYSTEM_FONTS["traditional"]
    True
    """
    key = _normalise_script(script)
    available = _available_families()
    for family in SYSTEM_FONTS[key]:
        if family in available:
            return family
    if packaged_font_path() is not None:
        return PACKAGED_FAMILIES[key]
    other = "traditional" if key == "simplified" else "simplified"
    for family in SYSTEM_FONTS[other]:
        if family in available:
            return family
    raise RuntimeError(
        "no CJK font found for matplotlib: install the 'noto-cjk-sans-otc' package "
        "(a dependency of workbench) or a system font such as Noto Sans CJK"
    )


def setup_chinese(script: str = "simplified") -> str:
    """Configure matplotlib to draw Chinese text; return the font family used.

    Registers the packaged Noto Sans CJK collection with matplotlib when no system
    CJK font is available (once per process), then sets ``font.family`` to
    ``"sans-serif"``, ``font.sans-serif`` to ``[family, "DejaVu Sans"]`` and
    ``axes.unicode_minus`` to ``False``.  Calling it again is cheap and only
    updates ``rcParams`` (e.g. to switch between Simplified and Traditional).

    Parameters
    ----------
    script : {"simplified", "traditional", "mixed", "none"}
        Script of the text to draw; ``"traditional"`` selects a TC face.

    Returns
    -------
    str
        The CJK font family now first in ``font.sans-serif``.

    Raises
    ------
    ValueError
        If ``script`` is not one of the accepted values.
    RuntimeError
        If no CJK font is available at all.

    Examples
    --------
    >>> import matplotlib
    >>> family = setup_chinese("traditional")
    >>> matplotlib.rcParams["font.sans-serif"] == [family, "DejaVu Sans"]
    True
    >>> matplotlib.rcParams["axes.unicode_minus"]
    False
    >>> setup_chinese() == cjk_font_family("simplified")
    True
    """
    import matplotlib

    family = cjk_font_family(script)
    if family not in _available_families():
        registered = _register_packaged_font()
        if family not in registered and registered:
            # Older matplotlib loads only the first face of a collection.
            family = registered[0]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def savefig(
    fig: Figure,
    name: str,
    *,
    formats: str | Iterable[str] = ("png",),
    dpi: float = 150,
    out_dir: Path | None = None,
    record: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> list[Path]:
    """Save ``fig`` reproducibly as ``<out_dir>/<name>.<format>`` for each format.

    Timestamps and version strings are left out of the files (PNG ``Software``,
    SVG ``Date``, PDF ``CreationDate``/``ModDate``) and SVG element ids use a fixed
    salt, so saving the same figure twice gives byte-identical files.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    name : str
        File name without extension, e.g. ``"role_counts"`` (no folders).
    formats : str or iterable of str, default ("png",)
        Any of ``"png"``, ``"svg"`` and ``"pdf"``.
    dpi : float, default 150
        Resolution of raster output.
    out_dir : pathlib.Path, optional
        Folder to write to (created if needed); default
        :data:`workbench.config.FIGURES_DIR`.
    record : mapping, optional
        A provenance record (:func:`workbench.provenance.make_record`: version, input
        checksums, parameters), written beside each file as ``<file>.provenance.json``.
    **kwargs
        Passed on to :meth:`matplotlib.figure.Figure.savefig`
        (``bbox_inches`` defaults to ``"tight"``; ``metadata`` entries are merged).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ValueError
        If ``name`` is empty, contains a folder or ends with a figure extension,
        or if a format is not supported.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> _ = setup_chinese()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar([label("problem"), label("cause")], [3, 2])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = savefig(fig, "roles", formats=("png", "svg"), out_dir=Path(tmp))
    ...     [p.name for p in paths]
    ['roles.png', 'roles.svg']
    >>> from workbench.provenance import make_record, read_record
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (png,) = savefig(fig, "roles", out_dir=Path(tmp), record=make_record({}, {"k": 1}))
    ...     read_record(png)["parameters"], sorted(p.name for p in Path(tmp).iterdir())
    ({'k': 1}, ['roles.png', 'roles.png.provenance.json'])
    >>> plt.close(fig)
    """
    import matplotlib

    if isinstance(formats, str):
        formats = (formats,)
    formats = [fmt.lower().lstrip(".") for fmt in formats]
    unknown = [fmt for fmt in formats if fmt not in _METADATA]
    if unknown:
        raise ValueError(f"unsupported figure format(s) {unknown}; use {sorted(_METADATA)}")
    if not name or name in {".", ".."} or Path(name).name != name or "\\" in name:
        raise ValueError(f"figure name must be a plain file name without folders, not {name!r}")
    if Path(name).suffix.lower().lstrip(".") in _METADATA:
        raise ValueError(f"figure name {name!r} must not include the extension; use formats=")

    folder = Path(config.FIGURES_DIR if out_dir is None else out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    user_metadata: Mapping[str, Any] = kwargs.pop("metadata", None) or {}
    kwargs.setdefault("bbox_inches", "tight")

    paths = []
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            metadata = {**_METADATA[fmt], **user_metadata}
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata, **kwargs)
            paths.append(path)
    if record is not None:
        from workbench.provenance import write_sidecar

        for path in paths:
            write_sidecar(path, record)
    return paths


@functools.cache
def _load_labels() -> dict[str, dict[str, str]]:
    from workbench.yamlio import safe_load

    path = config.RESOURCES_DIR / "labels.yaml"
    with path.open(encoding="utf-8") as fh:
        table = safe_load(fh)
    for key, entry in table.items():
        if not (
            isinstance(key, str)
            and isinstance(entry, dict)
            and all(isinstance(entry.get(lang), str) for lang in ("zh", "en"))
        ):
            raise ValueError(f"{path}: entry {key!r} needs string 'zh' and 'en' labels")
    return table


def labels(lang: str = "zh") -> dict[str, str]:
    """Return the whole label table for ``lang`` as ``{key: label}``.

    Useful with :meth:`pandas.Series.map` or :meth:`pandas.DataFrame.rename`.

    Examples
    --------
    >>> labels("en")["simplified"]
    'Simplified'
    """
    _check_lang(lang)
    return {key: entry[lang] for key, entry in _load_labels().items()}


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")


def label(key: str, lang: str = "zh") -> str:
    """Return the Chinese or English label of a table value or axis word.

    The table lives in ``workbench/resources/labels.yaml``: segment roles
    (``problem``, ``cause``, ``countermeasure``, ``other``), scripts
    (``simplified``, ``traditional``, ``mixed``, ``none``) and axis words such as
    ``file``, ``article``, ``segments``, ``characters``, ``count``, ``role``,
    ``term``, ``share``, ``duplicate`` and ``boilerplate``.

    Parameters
    ----------
    key : str
        The vocabulary key.
    lang : {"zh", "en"}
        Chinese (Simplified) or English.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If ``key`` is unknown; the message lists the known keys.
    ValueError
        If ``lang`` is not ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> label("problem")
    '问题'
    >>> label("boilerplate", lang="en")
    'Boilerplate'
    >>> label("traditional")
    '繁体'
    """
    _check_lang(lang)
    table = _load_labels()
    try:
        return table[key][lang]
    except (KeyError, TypeError):
        known = ", ".join(sorted(table))
        raise KeyError(f"unknown label key {key!r}; known keys: {known}") from None


def boxplot_by_group(
    values: Any,
    groups: Any,
    order: Iterable[str],
    *,
    lang: str = "zh",
    xlabel: str | None = None,
    ylabel: str | None = None,
    figsize: tuple[float, float] = (7, 4),
) -> Figure | None:
    """Box plot of ``values`` per group, in ``order``, or ``None`` when there is nothing to draw.

    A group of ``order`` without values gets no box (an empty box is no statement), and
    when no group has any, there is no figure: the caller says so instead of drawing
    empty axes (matplotlib fails on an empty plot with labels).

    Parameters
    ----------
    values, groups : pandas.Series
        The numbers and the group of each, aligned.
    order : iterable of str
        Groups in the order of their boxes; their tick labels are :func:`label` (``lang``).
    lang : {"zh", "en"}
    xlabel, ylabel : str, optional
        Keys of :func:`label` for the axes.
    figsize : tuple of float

    Returns
    -------
    matplotlib.figure.Figure or None

    Examples
    --------
    >>> import pandas as pd
    >>> roles = pd.Series(["problem", "cause", "problem"])
    >>> fig = boxplot_by_group(pd.Series([10, 20, 30]), roles, ["problem", "cause", "other"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['问题', '原因']
    >>> boxplot_by_group(pd.Series([], dtype=float), pd.Series([], dtype=str), ["problem"]) is None
    True
    """
    import matplotlib.pyplot as plt

    present = [g for g in order if (groups == g).any()]
    if not present:
        return None
    fig, ax = plt.subplots(figsize=figsize)
    ax.boxplot([values[groups == g] for g in present],
               tick_labels=[label(g, lang) for g in present], showfliers=False)  # fmt: skip
    if ylabel:
        ax.set_ylabel(label(ylabel, lang))
    if xlabel:
        ax.set_xlabel(label(xlabel, lang))
    return fig
