"""Execute the notebooks on fresh kernels and export them as HTML reports.

:func:`build_report` runs every notebook of :data:`workbench.config.NOTEBOOKS_DIR`
(sorted by name) from top to bottom on a new kernel, in memory -- the ``.ipynb``
files are never rewritten -- and writes ``<stem>.html`` for each one, plus an
``index.html`` linking to them, into :data:`workbench.config.REPORTS_DIR`.
The notebooks save their own figures (see :func:`workbench.plotting.savefig`).

Every page, ``index.html`` included, carries its own font: :func:`embed_cjk_font`
adds a ``<style>`` with an ``@font-face`` rule whose ``data:`` URL holds the Simplified
Chinese face of the packaged Noto Sans CJK collection (the ``noto-cjk-sans-otc``
package, which the figures use too), cut down with fontTools to the characters the
page uses plus ASCII and CJK punctuation, so the reports show Chinese on a machine
without CJK fonts.  The subset is reproducible: the same page gives the same bytes.

Kernels are started from the ``python3`` kernelspec of the running environment
(``sys.prefix/share/jupyter/kernels/python3``, installed by ipykernel), whose
``python`` command jupyter_client resolves to the current interpreter, so the
notebooks run with the same packages as the caller.

**A report on your own data.** Each notebook declares its inputs in a cell tagged
``parameters`` (papermill's convention: ``CORPUS = None`` means the bundled seeds, and
so on; :data:`PARAMETERS` lists them). :func:`build_report` with ``parameters=`` runs
every notebook with a cell tagged ``injected-parameters`` inserted after that one
(:func:`parameterize`), so the same notebooks work with papermill too. With
``out_dir`` the kernels get ``WORKBENCH_OUTPUT`` (figures and tables the notebooks
write go there, see :mod:`workbench.config`) and ``WORKBENCH_PAGE_DIR`` (where the
pages will be read from, for frames that point at files the notebooks wrote).

nbclient and nbconvert are imported on first use, so importing this module is cheap.

Examples
--------
>>> from workbench.report import notebook_title
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 干群关系概览")])
>>> notebook_title(nb)
'干群关系概览'
"""

from __future__ import annotations

import base64
import functools
import html
import io
import os
import re
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import config

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from workbench.coding.codebook import Codebook

__all__ = [
    "BASE_CHARACTERS",
    "EMBEDDED_FONT_FAMILY",
    "PARAMETERS",
    "REPORT_MANIFEST",
    "NotebookExecutionError",
    "build_report",
    "bundled_figures_apply",
    "check_report_folder",
    "cjk_font_subset",
    "corpus_checksums",
    "embed_cjk_font",
    "execute_notebook",
    "find_notebooks",
    "notebook_title",
    "parameterize",
    "report_inputs",
]

_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: The inputs a notebook may declare in its ``parameters`` cell, with what ``None`` means.
PARAMETERS = {
    "CORPUS": "files, folders, globs or .zip archives of texts (None: the bundled seeds)",
    "METADATA": "CSV of document metadata keyed by file (None: none)",
    "CODEBOOK": "codebook YAML (None: data/codebook.yaml)",
    "MODEL": "a model written by `workbench learn` (None: the rules alone)",
    "SURVEY": "survey .csv, .dta or .sav (None: the bundled SIMULATED survey)",
    "MAPPING": "YAML mapping the survey's columns to the standard names",
    "PLACES": "CSV linking documents (doc_id) to the survey's places (None: the bundled, "
              "SIMULATED placement)",
}  # fmt: skip
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"

#: CSS family name of the CJK font embedded in every report page.  It differs from
#: the font's own name, so that an installed "Noto Sans CJK SC" is never confused
#: with the embedded subset.
EMBEDDED_FONT_FAMILY = "Workbench Noto Sans CJK SC"

#: Characters always kept in the subset besides those of the page: printable
#: ASCII, CJK symbols and punctuation (U+3000-U+303F), the general punctuation of
#: Chinese text (dashes, quotes, ellipsis, middle dot) and full-width punctuation.
BASE_CHARACTERS = "".join(
    [
        *map(chr, range(0x20, 0x7F)),
        *map(chr, range(0x3000, 0x3040)),
        "\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2027\u2e3a",
        *map(chr, range(0xFF01, 0xFF10)),
        *map(chr, range(0xFF1A, 0xFF21)),
        *map(chr, range(0xFF3B, 0xFF41)),
        *map(chr, range(0xFF5B, 0xFF66)),
    ]
)

_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_SANS = "system-ui, -apple-system, 'Segoe UI', helvetica, arial, sans-serif"
_MONO = "menlo, consolas, 'DejaVu Sans Mono', monospace"


class NotebookExecutionError(RuntimeError):
    """A notebook failed to execute.

    Attributes
    ----------
    path : pathlib.Path
        The notebook.
    cell_index : int or None
        0-based index of the failing cell in ``notebook.cells`` (``None`` when the
        kernel failed before any cell ran).
    notebook : nbformat.NotebookNode or None
        The partially executed notebook, with the outputs produced so far.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path,
        cell_index: int | None = None,
        notebook: NotebookNode | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.cell_index = cell_index
        self.notebook = notebook


@functools.cache
def _client_class() -> type:
    """nbclient's ``NotebookClient``, taking Ctrl-C as an interruption of the run.

    nbclient catches SIGINT while a notebook runs and shuts its kernel down gracefully
    under the cell being executed: the kernel printed a ZMQ traceback and the run went
    on to fail with an ``AssertionError`` "in cell N" and exit status 1 (Ctrl-C during
    ``workbench report``). This client kills the kernel at once instead and records
    that it was interrupted, which :func:`execute_notebook` raises as KeyboardInterrupt.
    """
    import asyncio
    import atexit
    import contextlib
    import signal

    from nbclient import NotebookClient

    class InterruptibleClient(NotebookClient):
        interrupted = False

        @contextlib.asynccontextmanager
        async def async_setup_kernel(self, **kwargs: Any) -> Any:
            async with super().async_setup_kernel(**kwargs):
                # In place of nbclient's handler, which the context removes on leaving.
                with contextlib.suppress(RuntimeError, NotImplementedError):  # not main thread
                    asyncio.get_event_loop().add_signal_handler(signal.SIGINT, self._interrupt)
                yield

        def _interrupt(self) -> None:
            self.interrupted = True
            self.shutdown_kernel = "immediate"  # nothing of the run is kept: no tidying
            self._async_cleanup_kernel_future = asyncio.ensure_future(self._async_cleanup_kernel())
            # As nbclient's handler does: the kernel is gone before the interpreter exits.
            atexit.unregister(self._cleanup_kernel)

    return InterruptibleClient


def _client_config() -> Any:
    """Traitlets config for the kernel manager: encrypt kernel traffic when possible."""
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    cfg = Config()
    # jupyter_client >= 8.10 can provision CurveZMQ keys for kernels that declare
    # support (ipykernel >= 7.4); otherwise the kernel warns about plain TCP.
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        cfg.KernelManager.transport_encryption = "auto"
    return cfg


def parameterize(nb: NotebookNode, parameters: dict[str, Any]) -> NotebookNode:
    """Insert a cell that sets ``parameters`` after the notebook's ``parameters`` cell.

    Papermill's convention: the new cell is tagged ``injected-parameters`` and goes
    right after the first cell tagged ``parameters`` (at the top when there is none);
    an earlier injected cell is replaced. Values are written with ``repr`` in sorted
    order, so the same parameters give the same notebook.

    Raises
    ------
    ValueError
        For a name that is not a Python identifier.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("CORPUS = None")
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("print(CORPUS)")])
    >>> out = parameterize(nb, {"CORPUS": ["/data/mine"]})
    >>> [c.source for c in out.cells][1]
    "# Parameters\\nCORPUS = ['/data/mine']"
    >>> out.cells[1].metadata["tags"]
    ['injected-parameters']
    """
    import copy

    import nbformat

    bad = [k for k in parameters if not str(k).isidentifier()]
    if bad:
        raise ValueError(f"parameter names must be Python names: {bad}")
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    source = "\n".join(["# Parameters", *(f"{k} = {parameters[k]!r}" for k in sorted(parameters))])
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [INJECTED_TAG]
    if "id" in cell:  # a fixed id instead of nbformat's random one: reproducible
        cell["id"] = INJECTED_TAG
    at = next((i + 1 for i, c in enumerate(nb.cells)
               if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), 0)  # fmt: skip
    nb.cells.insert(at, cell)
    return nb


def execute_notebook(
    path: Path,
    *,
    timeout: int = 600,
    kernel_name: str = "python3",
    parameters: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> NotebookNode:
    """Run a notebook top to bottom on a fresh kernel and return it with outputs.

    The file is read but never written.  The kernel's working folder is the
    notebook's folder, so relative paths in the notebook behave as in Jupyter.
    The kernel inherits the caller's environment except ``MPLBACKEND``, so that
    figures are captured as outputs by ipykernel's inline backend.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ipynb`` file.
    timeout : int, default 600
        Seconds allowed for each cell.
    kernel_name : str, default "python3"
        Kernelspec to start (overrides the notebook's own metadata).
    parameters : dict, optional
        Values for the notebook's ``parameters`` cell (:func:`parameterize`).
    env : dict, optional
        Extra environment variables for the kernel.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    NotebookExecutionError
        If the file cannot be read as a notebook, or a cell raises, times out or
        the kernel dies or cannot start; the message
        names the notebook, the failing cell (1-based number and source) and the
        error with its traceback.
    KeyboardInterrupt
        On Ctrl-C (SIGINT to this process): the kernel is killed at once, not reported as
        a failing cell.

    Examples
    --------
    >>> import tempfile
    >>> import nbformat
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nb_path = Path(tmp) / "demo.ipynb"
    ...     nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    ...     nbformat.write(nb, nb_path)
    ...     executed = execute_notebook(nb_path, timeout=60)
    >>> executed.cells[0].outputs[0].text
    '42\\n'
    """
    import nbformat

    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:  # missing file, invalid JSON or notebook
        raise NotebookExecutionError(
            f"notebook {path} could not be read: {type(exc).__name__}: {exc}", path=path
        ) from exc
    if parameters:
        nb = parameterize(nb, parameters)
    current: dict[str, int] = {}

    def on_cell_execute(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = _client_class()(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_cell_execute=on_cell_execute,
        config=_client_config(),
        # No wall-clock times in the cells' metadata: an executed notebook is the same
        # file each time it is run (committed notebooks, reports).
        record_timing=False,
    )
    # Let ipykernel pick its inline backend even if the caller set MPLBACKEND (e.g.
    # "Agg" in CI): figures then appear as outputs and end up in the HTML report.
    kernel_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | (env or {})
    try:
        client.execute(env=kernel_env)
    except Exception as exc:
        if client.interrupted:  # Ctrl-C: the cell failed because its kernel was stopped
            raise KeyboardInterrupt from None
        index = current.get("index")
        detail = _ANSI.sub("", str(exc)).strip() or type(exc).__name__
        source = ""
        if index is None:
            where = f"could not start kernel {kernel_name!r}"
            if type(exc).__name__ == "NoSuchKernel":
                detail += f" (available: {_kernel_names()}; see `jupyter kernelspec list`)"
        else:
            where = f"failed in cell {index + 1} of {len(nb.cells)}"
            cell_source = nb.cells[index].source
            if cell_source not in detail:  # nbclient usually quotes the cell already
                source = f"\n--- cell source ---\n{cell_source}"
        message = f"notebook {path} {where}: {_summary(exc)}{source}\n--- error ---\n{detail}"
        raise NotebookExecutionError(message, path=path, cell_index=index, notebook=nb) from exc
    if client.interrupted:  # after the last cell
        raise KeyboardInterrupt
    return nb


def _kernel_names() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "none"


def _summary(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:
        return f"{ename}: {getattr(exc, 'evalue', '')}"
    text = _ANSI.sub("", str(exc)).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def notebook_title(nb: NotebookNode, default: str = "") -> str:
    """Return the text of the first Markdown heading of ``nb`` (or ``default``).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("x = 1"),
    ...     nbformat.v4.new_markdown_cell("Intro\\n\\n## 1. 问题与对策 ##"),
    ... ])
    >>> notebook_title(nb)
    '1. 问题与对策'
    >>> notebook_title(nbformat.v4.new_notebook(), default="untitled")
    'untitled'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        match = _HEADING.search(cell.source)
        if match:
            return match["text"].strip()
    return default


def find_notebooks(folder: Path | None = None) -> list[Path]:
    """Return the ``*.ipynb`` files of ``folder`` (default ``config.NOTEBOOKS_DIR``), sorted.

    Jupyter checkpoint copies (``*-checkpoint.ipynb``) are skipped.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("b.ipynb", "a.ipynb", "a-checkpoint.ipynb", "notes.md"):
    ...         _ = (Path(tmp) / name).write_text("{}")
    ...     [p.name for p in find_notebooks(Path(tmp))]
    ['a.ipynb', 'b.ipynb']
    """
    folder = Path(config.NOTEBOOKS_DIR if folder is None else folder)
    return sorted(
        p
        for p in folder.glob("*.ipynb")
        if p.is_file() and not p.name.endswith("-checkpoint.ipynb")
    )


def _export_html(nb: NotebookNode, path: Path, title: str) -> str:
    from nbconvert import HTMLExporter

    # "offline": nbconvert's lab template minus the require.js and MathJax it loads
    # from CDNs, which fail (console errors) on a machine without internet.
    exporter = HTMLExporter(
        embed_images=True,
        extra_template_basedirs=[str(config.RESOURCES_DIR / "nbconvert")],
        template_name="offline",
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title, "path": str(path.resolve().parent)}}
    )
    return body


@functools.cache
def _face_number(path: Path, family: str) -> int:
    """Index of the face called ``family`` in the font collection ``path``."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        names = [face["name"].getBestFamilyName() for face in collection.fonts]
    finally:
        collection.close()
    if family not in names:
        raise LookupError(f"{path} has no face {family!r} (faces: {', '.join(map(str, names))})")
    return names.index(family)


def cjk_font_subset(text: Iterable[str], font_path: Path | None = None) -> bytes:
    """Return the Noto Sans CJK SC face cut down to the characters of ``text``.

    The subset keeps the glyphs of ``text`` and of :data:`BASE_CHARACTERS` that the
    font has (others are ignored), without hinting, OpenType layout features or
    vertical metrics, and with the copyright and licence names (the font is under
    the SIL Open Font License).  It is reproducible: the ``head`` table keeps the
    source font's dates instead of the time of the call, so the same characters give
    the same bytes.

    Parameters
    ----------
    text : iterable of str
        Characters to keep (a string, or any strings; order and repeats do not matter).
    font_path : pathlib.Path, optional
        A font collection holding a face whose family is
        ``workbench.plotting.PACKAGED_FAMILIES["simplified"]``; default the file of
        the ``noto-cjk-sans-otc`` package (:func:`workbench.plotting.packaged_font_path`).

    Returns
    -------
    bytes
        An OpenType (CFF) font.

    Raises
    ------
    FileNotFoundError
        If no ``font_path`` is given and the ``noto-cjk-sans-otc`` package is not installed.
    LookupError
        If the collection has no Simplified Chinese (SC) face.

    Examples
    --------
    >>> import io
    >>> from fontTools.ttLib import TTFont
    >>> font = TTFont(io.BytesIO(cjk_font_subset("干群关系")))
    >>> all(ord(c) in font.getBestCmap() for c in "干群关系，。abc")
    True
    >>> cjk_font_subset("干群关系") == cjk_font_subset(["系关", "群干"])
    True
    """
    from fontTools import subset

    from workbench import plotting

    if font_path is None:
        font_path = plotting.packaged_font_path()
        if font_path is None:
            raise FileNotFoundError(
                "the 'noto-cjk-sans-otc' package (the bundled CJK font) is not installed"
            )
    chars = {c for chunk in text for c in chunk} | set(BASE_CHARACTERS)
    codepoints = sorted(cp for cp in map(ord, chars) if cp >= 0x20 and not 0xD800 <= cp <= 0xDFFF)
    options = subset.Options()
    options.font_number = _face_number(Path(font_path), plotting.PACKAGED_FAMILIES["simplified"])
    options.recalc_timestamp = False  # keep the source's head.modified: reproducible bytes
    options.hinting = False
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # with copyright and licence
    options.drop_tables = [*options.drop_tables, "BASE", "VORG", "vhea", "vmtx"]
    font = subset.load_font(str(font_path), options, dontLoadGlyphNames=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        buffer = io.BytesIO()
        subset.save_font(font, buffer, options)
    finally:
        font.close()
    return buffer.getvalue()


def _page_characters(page: str) -> set[str]:
    """Characters a browser may show for ``page``: literal, entity and ``\\uXXXX``."""
    chars = set(page) | set(html.unescape(page))
    chars.update(chr(int(code, 16)) for code in _JS_ESCAPE.findall(page))
    return chars


def _font_style(font: bytes) -> str:
    """A ``<style>`` declaring ``font`` as :data:`EMBEDDED_FONT_FAMILY` and using it."""
    family = f'"{EMBEDDED_FONT_FAMILY}"'
    sans = f"{family}, {_SANS}"
    # Code keeps its monospace fonts for Latin; they have no CJK glyphs, so the
    # browser takes Chinese from the embedded face before any system fallback.
    mono = f"{_MONO}, {family}"
    data = base64.b64encode(font).decode("ascii")
    return (
        '<style type="text/css">\n'
        "/* Subset of Noto Sans CJK SC (noto-cjk-sans-otc), SIL Open Font License 1.1,\n"
        "   embedded so that the page shows Chinese without installed CJK fonts. */\n"
        "@font-face {\n"
        f"  font-family: {family};\n"
        f'  src: url("data:font/otf;base64,{data}") format("opentype");\n'
        "  font-style: normal;\n"
        "  font-weight: normal;\n"
        "  font-display: block;\n"
        "}\n"
        ":root {\n"
        f"  --jp-ui-font-family: {sans};\n"
        f"  --jp-content-font-family: {sans};\n"
        f"  --jp-code-font-family-default: {mono};\n"
        f"  --jp-code-font-family: {mono};\n"
        f"  --jp-cell-prompt-font-family: {mono};\n"
        "}\n"
        f"body, h1, h2, h3, h4, h5, h6, table, th, td, caption {{ font-family: {sans}; }}\n"
        f"pre, code, kbd, samp {{ font-family: {mono}; }}\n"
        "</style>\n"
    )


def embed_cjk_font(page: str, font_path: Path | None = None) -> str:
    """Return the HTML ``page`` with the CJK font it needs embedded.

    A ``<style>`` is inserted before ``</head>`` (at the start of the page when
    there is none), after the page's own styles: an ``@font-face`` rule for
    :data:`EMBEDDED_FONT_FAMILY` whose source is a base64 ``data:`` URL of
    :func:`cjk_font_subset` for the characters of the page (as written, as HTML
    entities or as ``\\uXXXX`` escapes), and rules putting that family first for
    body text, headings and tables (with the Jupyter font variables).  Code and
    text outputs keep monospace fonts for Latin letters and take Chinese from the
    embedded family, which follows them.  Deterministic: the same page gives the
    same result.

    Parameters
    ----------
    page : str
        A complete HTML document.
    font_path : pathlib.Path, optional
        Font collection, as for :func:`cjk_font_subset`.

    Returns
    -------
    str
        The page with the font; the page unchanged, with a warning, when the
        ``noto-cjk-sans-otc`` package is not installed.

    Examples
    --------
    >>> page = embed_cjk_font("<html><head></head><body>干群关系</body></html>")
    >>> "@font-face" in page and "data:font/otf;base64," in page
    True
    >>> page.index("@font-face") < page.index("</head>") < page.index("干群关系")
    True
    """
    try:
        font = cjk_font_subset(_page_characters(page), font_path)
    except FileNotFoundError as exc:
        warnings.warn(f"report pages may show Chinese as boxes: {exc}", stacklevel=2)
        return page
    style = _font_style(font)
    match = _HEAD_END.search(page)
    at = match.start() if match else 0
    return page[:at] + style + page[at:]


def _not_given(name: str) -> str:
    """What a notebook uses for parameter ``name`` when it is not given, from
    :data:`PARAMETERS` (its "(None: …)" part).

    Examples
    --------
    >>> _not_given("CORPUS"), _not_given("MAPPING")
    ('the bundled seeds', 'none')
    """
    text = PARAMETERS.get(name, "")
    return text.split("(None: ", 1)[1].rstrip(")") if "(None: " in text else "none"


def corpus_checksums(corpus: Any) -> dict[str, str]:
    """SHA-256 of each file of ``corpus`` (paths, as ``CORPUS``), found as
    :func:`workbench.corpus.gather_sources` finds them and keyed by path as
    :meth:`workbench.corpus.Corpus.checksums` keys them; ``{}`` for ``None``."""
    if not corpus:
        return {}
    from workbench.corpus import gather_sources
    from workbench.decoding import ReadError
    from workbench.provenance import sha256_bytes

    try:
        refs = gather_sources(corpus, progress=False).files
    except (OSError, ReadError):
        # Nothing there to record (`workbench report` checks its inputs before it runs; a
        # caller of build_report may pass what its notebooks never read).
        return {}
    return {ref.path: sha256_bytes(ref.load().data) for ref in refs}


def report_inputs(parameters: dict[str, Any] | None) -> dict[str, str]:
    """SHA-256 of every file a report on ``parameters`` reads from the user: each file of
    ``CORPUS`` (:func:`corpus_checksums`) and each other input file, by display path. The
    bundled data (parameters not given) is left out: its checksums are in
    ``data/raw/SHA256SUMS``.

    Examples
    --------
    >>> from workbench import config
    >>> sums = report_inputs({"CODEBOOK": str(config.CODEBOOK)})
    >>> list(sums), len(sums["data/codebook.yaml"])
    (['data/codebook.yaml'], 64)
    >>> report_inputs(None)
    {}
    """
    from workbench.provenance import file_checksums

    params = parameters or {}
    files = [v for k, v in sorted(params.items())
             if k != "CORPUS" and v is not None and Path(v).is_file()]  # fmt: skip
    sums = {**corpus_checksums(params.get("CORPUS")), **file_checksums(files)}
    return dict(sorted(sums.items()))


def _inputs_html(parameters: dict[str, Any] | None, inputs: dict[str, str]) -> str:
    """The index's "Data" block: each input the notebooks declare, as given (with its
    checksum, or the number of files of a corpus) or what stands for it when not given."""
    from workbench import __version__
    from workbench.config import display_path

    params = parameters or {}
    # The corpus's files are the inputs that are not another parameter's file (those are
    # CSV, YAML, joblib or survey files, which a corpus never holds).
    others = {display_path(v) for k, v in params.items() if k != "CORPUS" and v is not None}
    n_files = len(set(inputs) - others)
    rows = []
    for name in PARAMETERS:
        value = params.get(name)
        if value is None:
            used = f"not given: {_not_given(name)}"
        elif name == "CORPUS":
            used = f"{', '.join(display_path(v) for v in value)} ({n_files} file(s))"
        elif display_path(value) in inputs:
            used = f"{display_path(value)} (SHA-256 {inputs[display_path(value)][:12]})"
        else:
            used = f"{display_path(value)} (not found)"
        rows.append(f"    <tr><td><code>{name}</code></td><td>{html.escape(used)}</td></tr>")
    return (
        "  <h2>Data</h2>\n"
        f"  <p>Run with workbench {html.escape(__version__)} on these inputs (the notebooks' "
        "parameters). The checksum of every file of yours it read is in "
        '<a href="index.html.provenance.json">index.html.provenance.json</a>, those of the '
        "bundled data in <code>data/raw/SHA256SUMS</code>.</p>\n"
        "  <table>\n" + "\n".join(rows) + "\n  </table>\n"
    )


def _index_html(entries: Sequence[tuple[str, str, str]], data: str = "") -> str:
    items = "\n".join(
        f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        f" <small>({html.escape(source)})</small></li>"
        for href, title, source in entries
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        "  <title>Workbench reports</title>\n"
        "</head>\n"
        "<body>\n"
        "  <h1>Workbench reports</h1>\n"
        "  <ul>\n"
        f"{items}\n"
        "  </ul>\n"
        f"{data}"
        "</body>\n"
        "</html>\n"
    )


def bundled_figures_apply(codebook: Codebook, measured_version: str) -> tuple[bool, str]:
    """Whether figures measured with the bundled codebook hold for ``codebook``.

    The agreement figures of ``data/gold/transfer.json`` were measured with the bundled
    codebook (``data/codebook.yaml``). They hold for a codebook that *is* that file,
    byte for byte (the same SHA-256 checksum, wherever the copy lies), and whose
    version still measures as ``measured_version``
    (:attr:`~workbench.coding.codebook.Codebook.codes_version`: a third number codes
    nothing differently). The version text alone is not enough: an edited copy keeps
    the version it was copied with, yet one ``unless:`` can change what its rules code
    -- the same reason a model trained with another codebook file is refused
    (:func:`workbench.coding.learn.load_model`).

    Parameters
    ----------
    codebook : Codebook
        The codebook in use; its :attr:`~workbench.coding.codebook.Codebook.path`
        (relative paths are tried from the working folder, then from the project root)
        is the file compared.
    measured_version : str
        The codebook version the figures were measured for (``codebook_version`` of
        ``transfer.json``).

    Returns
    -------
    tuple of (bool, str)
        Whether they hold, and if not, a sentence saying why, for a report to print.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> bundled_figures_apply(load_codebook(), load_codebook().codes_version)
    (True, '')
    """
    from workbench.provenance import sha256_file

    where = codebook.path or "a codebook without a file"
    if codebook.codes_version != measured_version:
        return False, (f"these figures were measured for codebook {measured_version} (the "
                       f"bundled one); the codebook in use ({where}) is version "
                       f"{codebook.version}, so they say nothing about it.")  # fmt: skip
    path = Path(codebook.path) if codebook.path else None
    if path is not None and not path.is_absolute() and not path.is_file():
        path = config.ROOT / path  # Codebook.path shows a project file relative to the root
    if path is None or not path.is_file():
        return False, (f"these figures were measured with the bundled codebook "
                       f"({config.display_path(config.CODEBOOK)}), and the file of the "
                       f"codebook in use ({where}) cannot be compared with it.")  # fmt: skip
    mine, bundled = sha256_file(path), sha256_file(config.CODEBOOK)
    if mine != bundled:
        return False, (f"these figures were measured with the bundled codebook "
                       f"({config.display_path(config.CODEBOOK)}, sha256 {bundled[:12]}); "
                       f"the codebook in use ({where}, sha256 {mine[:12]}) says version "
                       f"{codebook.version} too but is another file: its rules may code "
                       "differently, so they say nothing about it.")  # fmt: skip
    return True, ""


#: The file in a report's folder that lists what the report wrote there (hidden, JSON):
#: ``written``, the pages, figures and tables of the last run (and of a run that failed
#: after it), whose stale ones the next run removes; ``kept``, files found there that
#: no report is known to have written, never removed.
REPORT_MANIFEST = ".workbench-report.json"


def _snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every visible file under ``out`` (relative POSIX path) with its mtime and size;
    hidden files and folders (the manifest, ``.gitkeep``, ``.DS_Store``) left out."""
    found = {}
    for path in out.rglob("*") if out.is_dir() else ():
        rel = path.relative_to(out).as_posix()
        if not any(part.startswith(".") for part in rel.split("/")) and path.is_file():
            info = path.stat()
            found[rel] = (info.st_mtime_ns, info.st_size)
    return found


def _read_manifest(out: Path) -> dict[str, list[str]] | None:
    import json

    try:
        data = json.loads((out / REPORT_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {key: [str(f) for f in data.get(key, [])] for key in ("written", "kept")}


def _write_manifest(out: Path, written: Iterable[str], kept: Iterable[str]) -> None:
    import json

    data = {"kept": sorted(set(kept)), "written": sorted(set(written))}
    (out / REPORT_MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def check_report_folder(out: Path, strict: bool = True) -> tuple[set[str], set[str]]:
    """What a report's folder holds of earlier reports: the files their manifest
    (:data:`REPORT_MANIFEST`) lists as written, and as kept.

    Parameters
    ----------
    out : pathlib.Path
        The folder (it may not exist yet).
    strict : bool
        Refuse a folder holding visible files that no report wrote (``--out`` given);
        the default ``reports/`` folder also holds the figures of notebooks run in
        Jupyter, which are kept.

    Raises
    ------
    FileExistsError
        ``strict`` and ``out`` holds such files, or ``out`` is a file.
    """
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: is a file, not a folder; choose a folder for the report")
    manifest = _read_manifest(out)
    files = set(_snapshot(out))
    if manifest is None:
        # A report written before reports listed their files: its pages stay, unlisted.
        legacy = (out / "index.html.provenance.json").is_file()
        if files and strict and not legacy:
            shown = ", ".join(sorted(files)[:5]) + (" ..." if len(files) > 5 else "")
            raise FileExistsError(
                f"{out}: folder exists and holds files that are not from a workbench report "
                f"({shown}); choose an empty or new folder"
            )
        return set(), files
    written, kept = set(manifest["written"]), set(manifest["kept"])
    foreign = sorted(files - written - kept)
    if foreign and strict:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise FileExistsError(
            f"{out}: holds files that this folder's earlier reports did not write ({shown}); "
            "move them out, or choose an empty or new folder"
        )
    return written, kept | set(foreign)


def _remove_stale(out: Path, stale: Iterable[str]) -> None:
    """Remove files an earlier report wrote that this one did not rewrite, and the
    folders they leave empty (never ``out`` itself)."""
    root = out.resolve()
    for rel in sorted(stale):
        path = out / rel
        if path.is_file() and not path.is_symlink():
            path.unlink()
        parent = path.parent
        while parent.resolve() != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def build_report(
    notebooks: Sequence[Path] | None = None,
    out_dir: Path | None = None,
    *,
    progress: bool | None = None,
    timeout: int = 600,
    kernel_name: str = "python3",
    parameters: dict[str, Any] | None = None,
) -> list[Path]:
    """Execute notebooks on fresh kernels and write one HTML report per notebook.

    Each notebook is executed in memory (the ``.ipynb`` files are left untouched)
    with :func:`execute_notebook` and exported with nbconvert's ``HTMLExporter``
    (images embedded).  ``out_dir/index.html`` links to every report under the
    notebook's title (its first Markdown heading, else its file name).  Every
    page embeds the subset of the bundled CJK font it needs (:func:`embed_cjk_font`).
    Execution stops at the first notebook that fails.

    The report tells its own files from others in ``out_dir`` by a manifest,
    :data:`REPORT_MANIFEST`: after a complete run, the pages, figures and tables an
    earlier run wrote and this one did not rewrite (a survey page from a run with
    ``--survey``, then one without) are removed; a file no report wrote is never
    removed, and an ``out_dir`` holding one is refused (:func:`check_report_folder`).

    Parameters
    ----------
    notebooks : sequence of pathlib.Path, optional
        Notebooks to run, in order; default :func:`find_notebooks` (every notebook
        of ``config.NOTEBOOKS_DIR``, sorted by name).
    out_dir : pathlib.Path, optional
        Output folder (created if needed); default ``config.REPORTS_DIR``.
    progress : bool, optional
        Show a tqdm progress bar; by default only when stderr is a terminal.
    timeout : int, default 600
        Seconds allowed for each cell.
    kernel_name : str, default "python3"
        Kernelspec to run the notebooks with.
    parameters : dict, optional
        Inputs for every notebook's ``parameters`` cell (see :data:`PARAMETERS`),
        e.g. ``{"CORPUS": ["/data/my_texts"]}``; each notebook uses those it declares.

    Returns
    -------
    list of pathlib.Path
        The ``<stem>.html`` reports, in notebook order (``index.html`` not included).

    Raises
    ------
    NotebookExecutionError
        If a notebook fails (see :func:`execute_notebook`).
    ValueError
        If two notebooks share a file stem or a notebook is called ``index``.
    FileExistsError
        If ``out_dir`` is given and holds files that are not a report's, before any
        notebook runs.
    """
    notebooks = find_notebooks() if notebooks is None else [Path(p) for p in notebooks]
    stems = [p.stem for p in notebooks]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise ValueError(f"notebooks with the same name would overwrite each other: {duplicates}")
    if "index" in stems:
        raise ValueError("a notebook named 'index' would clash with the report's index.html")

    config.ensure_output_dirs()
    out = Path(config.REPORTS_DIR if out_dir is None else out_dir)
    # Before any notebook runs: an --out holding files of the user's is refused.
    earlier, kept = check_report_folder(out, strict=out_dir is not None)
    out.mkdir(parents=True, exist_ok=True)
    before = _snapshot(out)
    # Frames in a page point at files the notebook wrote, relative to where the page is.
    env = {"WORKBENCH_PAGE_DIR": str(out.resolve())}
    if out_dir is not None:  # the notebooks' figures and tables go beside the pages
        env["WORKBENCH_OUTPUT"] = str(out.resolve())

    if progress is None:
        progress = bool(notebooks) and sys.stderr is not None and sys.stderr.isatty()
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(notebooks), desc="notebooks", unit="nb")

    written: list[Path] = []
    entries: list[tuple[str, str, str]] = []
    done = False
    try:
        for nb_path in notebooks:
            if bar is not None:
                bar.set_postfix_str(nb_path.name)
            nb = execute_notebook(nb_path, timeout=timeout, kernel_name=kernel_name,
                                  parameters=parameters, env=env)  # fmt: skip
            title = notebook_title(nb, default=nb_path.stem)
            target = out / f"{nb_path.stem}.html"
            page = embed_cjk_font(_export_html(nb, nb_path, title))
            target.write_text(page, encoding="utf-8")
            written.append(target)
            entries.append((target.name, title, nb_path.name))
            if bar is not None:
                bar.update()

        # What the report was run on, on its first page and beside it: a report on a
        # user's data named none of its inputs outside the notebooks' code cells.
        from workbench.provenance import make_record, write_sidecar

        inputs = report_inputs(parameters)
        index = out / "index.html"
        index.write_text(embed_cjk_font(_index_html(entries, _inputs_html(parameters, inputs))),
                         encoding="utf-8")  # fmt: skip
        params = {**(parameters or {}), "notebooks": [n for _, _, n in entries]}
        write_sidecar(index, make_record(inputs, params))
        done = True
    finally:
        if bar is not None:
            bar.close()
        # This run's files: new or rewritten since it began (pages, the notebooks'
        # figures and tables, the index). A run that stopped keeps the earlier ones listed.
        now = _snapshot(out)
        ours = {rel for rel, stat in now.items() if before.get(rel) != stat}
        if done:
            _remove_stale(out, earlier - ours)
            _write_manifest(out, ours, kept - ours)
        else:
            _write_manifest(out, earlier | ours, kept - ours)
    return written
