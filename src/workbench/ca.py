"""Correspondence analysis of codes × a document variable, and its biplot.

KH Coder's signature map: which codes go with which groups of texts (files, genres,
years, section roles). The table counts, for each code and each value of the variable,
the *articles* that assert the code there (an article counts once however many
sentences carry the code), leaving out the codebook's catch-all codes and headings that
only announce their section, as rankings and networks do.

Correspondence analysis is the SVD of the standardised residuals
:math:`S = D_r^{-1/2}(P - r c^\\top) D_c^{-1/2}` of the correspondence matrix
:math:`P = N / n` with row and column masses ``r`` and ``c`` (Greenacre 2017,
*Correspondence Analysis in Practice*, ch. 4 and the computational appendix). The
principal inertias are the squared singular values; they sum to the total inertia
:math:`\\chi^2 / n`. Principal coordinates are :math:`D_r^{-1/2} U \\Sigma` for rows and
:math:`D_c^{-1/2} V \\Sigma` for columns; the biplot is the symmetric map (both in
principal coordinates). Each axis's sign is fixed so that the column with the largest
absolute standard coordinate is positive (ties: the first), so results repeat exactly.
The implementation is checked against Greenacre's smoking data (tests).

Examples
--------
>>> import pandas as pd
>>> smoke = pd.DataFrame([[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13],
...                       [10, 6, 7, 2]], index=["SM", "JM", "SE", "JE", "SC"],
...                      columns=["none", "light", "medium", "heavy"])
>>> res = correspondence_analysis(smoke)
>>> res.inertia_table()[["inertia", "share"]].round(4).values.tolist()
[[0.0748, 0.8776], [0.01, 0.1176], [0.0004, 0.0049]]
>>> round(res.total_inertia, 5)
0.08519
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.groups import InputError, group_values, no_value_articles

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.coding.codebook import Codebook


@dataclass
class CAResult:
    """A correspondence analysis.

    Attributes
    ----------
    table : DataFrame
        The contingency table analysed (rows × columns, counts).
    eigenvalues : ndarray
        Principal inertias, one per dimension (``min(I, J) - 1`` of them), largest first.
    total_inertia : float
        Their sum, :math:`\\chi^2 / n`.
    row_coords, col_coords : DataFrame
        Principal coordinates (columns ``dim1``, ``dim2`` …).
    row_mass, col_mass : Series
        Row and column masses.
    """

    table: pd.DataFrame
    eigenvalues: np.ndarray
    total_inertia: float
    row_coords: pd.DataFrame
    col_coords: pd.DataFrame
    row_mass: pd.Series
    col_mass: pd.Series

    def inertia_table(self) -> pd.DataFrame:
        """Inertia per dimension: ``dim`` (1-based), ``inertia``, ``share``, ``cumulative``."""
        share = self.eigenvalues / self.total_inertia if self.total_inertia else self.eigenvalues
        return pd.DataFrame({
            "dim": np.arange(1, len(self.eigenvalues) + 1), "inertia": self.eigenvalues,
            "share": share, "cumulative": np.cumsum(share),
        })  # fmt: skip


def correspondence_analysis(table: pd.DataFrame) -> CAResult:
    """Correspondence analysis of a table of non-negative counts.

    Parameters
    ----------
    table : DataFrame
        Rows × columns of counts; every row and column must have a positive total, and
        there must be at least two of each.

    Returns
    -------
    CAResult

    Raises
    ------
    InputError
        If the table is smaller than 2 × 2 or has an empty row or column, or negative counts.
    """
    n_mat = table.to_numpy(dtype=np.float64)
    if n_mat.ndim != 2 or min(n_mat.shape) < 2:
        rows, cols = table.index.name or "rows", table.columns.name or "columns"
        raise InputError(f"correspondence analysis needs at least 2 rows and 2 columns with "
                         f"counts; the table is {n_mat.shape[0]} {rows} × {n_mat.shape[1]} "
                         f"{cols}: group by a variable with at least two values that have "
                         "codes")  # fmt: skip
    if (n_mat < 0).any():
        raise InputError("correspondence analysis needs counts; the table has negative values")
    if (n_mat.sum(axis=1) == 0).any() or (n_mat.sum(axis=0) == 0).any():
        raise InputError("correspondence analysis needs every row and column to have a count; "
                         "drop the empty ones first")
    p = n_mat / n_mat.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s, full_matrices=False)
    k = min(n_mat.shape) - 1
    u, sv, v = u[:, :k], sv[:k], vt[:k].T
    # Fix each axis's sign: the column with the largest |standard coordinate| is positive.
    std_cols = v / np.sqrt(c)[:, None]
    sign = np.sign(std_cols[np.argmax(np.abs(std_cols), axis=0), np.arange(k)])
    sign[sign == 0] = 1.0
    u, v = u * sign, v * sign
    dims = [f"dim{i}" for i in range(1, k + 1)]
    rows = pd.DataFrame(u / np.sqrt(r)[:, None] * sv, index=table.index, columns=dims)
    cols = pd.DataFrame(v / np.sqrt(c)[:, None] * sv, index=table.columns, columns=dims)
    return CAResult(
        table=table, eigenvalues=sv**2, total_inertia=float((s**2).sum()),
        row_coords=rows, col_coords=cols,
        row_mass=pd.Series(r, index=table.index), col_mass=pd.Series(c, index=table.columns),
    )  # fmt: skip


def code_table(
    codes: pd.DataFrame,
    segments: pd.DataFrame,
    by: str,
    *,
    documents: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    catch_alls: bool = False,
    headings: bool = False,
    min_articles: int = 1,
) -> pd.DataFrame:
    """Codes × values of ``by``: the articles asserting each code in each group.

    Parameters
    ----------
    codes : DataFrame
        ``unit_id, code`` and, when the units file was there, ``segment_ids``
        (:func:`workbench.groups.read_codes`); without ``segment_ids`` the unit ids
        must be segment ids (a sentence-level coding).
    segments : DataFrame
        The (de-duplicated) segments the codes were made from.
    by : str
        A segments column (``role``, ``file``) or a documents column.
    documents : DataFrame, optional
        For a documents or metadata column.
    codebook : Codebook, optional
        Orders the rows and tells the catch-all codes.
    catch_alls, headings : bool
        Keep the catch-all codes; count headings that only announce their section.
    min_articles : int, default 1
        Codes asserted by fewer articles in all are left out.

    Returns
    -------
    DataFrame
        Counts, codes (codebook order, else sorted) × values (sorted); empty rows and
        columns dropped. What was left out is in ``.attrs["left_out"]``: ``values`` of
        ``by`` whose articles assert no code counted here, ``codes`` asserted by fewer
        than ``min_articles`` articles (with their articles), and ``no_value``, the
        number of articles with no value of ``by`` (a blank or missing metadata cell;
        :func:`workbench.groups.no_value_articles`) of the ``articles`` counted.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["a/a1/p001/s01", "a/a1/p001/s02", "b/a1/p001/s01"],
    ...                     "doc_id": ["a/a1", "a/a1", "b/a1"], "text": ["x", "y", "z"],
    ...                     "role": ["problem", "cause", "problem"]})
    >>> codes = pd.DataFrame({"unit_id": ["a/a1/p001/s01", "a/a1/p001/s02", "b/a1/p001/s01"],
    ...                       "code": ["P_a", "P_a", "P_b"]})
    >>> t = code_table(codes, seg, "role")
    >>> t.index.tolist(), t.columns.tolist(), t.values.tolist()
    (['P_a', 'P_b'], ['cause', 'problem'], [[1, 1], [0, 1]])
    """
    from workbench.keyness import content_segments

    groups = group_values(segments, by, documents)  # a blank cell: no value
    seg = segments.assign(_group=groups.to_numpy())
    seg = content_segments(seg, headings=headings)
    if "segment_ids" in codes.columns:
        pairs = codes[["code"]].assign(
            segment_id=codes["segment_ids"].fillna("").astype(str).str.split()
        ).explode("segment_id")
    else:
        pairs = codes[["code"]].assign(segment_id=codes["unit_id"])
    if codebook is not None:
        unknown = sorted(set(pairs["code"]) - set(codebook.ids))
        if unknown:
            raise InputError(f"codes not in codebook {codebook.path or codebook.title!r}: "
                             f"{', '.join(unknown[:10])}; pass the codebook they were coded "
                             "with")  # fmt: skip
        keep = set(codebook.ids if catch_alls else codebook.specific_ids)
        pairs = pairs[pairs["code"].isin(keep)]
    merged = pairs.merge(seg[["segment_id", "doc_id", "_group"]], on="segment_id", how="inner")
    if len(pairs) and merged.empty:
        raise InputError("no unit of the codes table is a segment of the corpus: give the "
                         "segments table the codes were made from (and its .units.csv beside "
                         "the codes)")
    merged = merged.dropna(subset=["_group"]).drop_duplicates(["doc_id", "_group", "code"])
    table = pd.crosstab(merged["code"], merged["_group"])
    articles = merged.drop_duplicates(["doc_id", "code"]).groupby("code").size()
    table = table.loc[articles.reindex(table.index).fillna(0) >= min_articles]
    if (articles >= min_articles).sum() < 2 <= (articles > 0).sum():
        # The analysis's own "needs 2 rows" message blamed the grouping variable, when it
        # was the minimum that left fewer than two codes.
        enough = int(articles.nlargest(2).iloc[-1])
        raise InputError(f"fewer than two codes are asserted by at least {min_articles} articles "
                         f"(min_articles; the codes of this corpus are in at most "
                         f"{int(articles.max())}): lower it to {enough} or less "
                         f"(--min-articles {enough})")  # fmt: skip
    order = codebook.ids if codebook is not None else sorted(table.index)
    table = table.reindex([c for c in order if c in table.index])
    table = table.reindex(sorted(table.columns, key=str), axis=1)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    table.index.name, table.columns.name = "code", by
    table = table.astype("int64")
    valued = seg["_group"].notna()
    rare = articles[(articles > 0) & (articles < min_articles)]
    shown = set(map(str, table.columns))
    table.attrs["left_out"] = {
        "values": sorted({str(v) for v in seg.loc[valued, "_group"]} - shown),
        "codes": {str(c): int(n) for c, n in rare.items()},
        "no_value": len(no_value_articles(seg, seg["_group"])),
        "articles": int(seg["doc_id"].nunique()),
    }
    return table


def plot_ca(
    result: CAResult,
    *,
    row_labels: dict[str, str] | None = None,
    col_labels: dict[str, str] | None = None,
    dims: tuple[int, int] = (1, 2),
    lang: str = "zh",
    figsize: tuple[float, float] = (9, 7.5),
    adjust: bool = True,
    dpi: float = 150,
) -> Figure:
    """The symmetric biplot: rows (codes) and columns (groups) in principal coordinates.

    Labels use the CJK font of :func:`workbench.plotting.setup_chinese`; with ``adjust``
    they are first moved apart with ``adjustText``, then :func:`separate_labels` moves any
    that still overlap to the nearest free spot, so that none overlaps another; a label away
    from its point is joined to it by a thin line.

    Parameters
    ----------
    result : CAResult
    row_labels, col_labels : dict, optional
        Display label of each row (e.g. the codebook's Chinese labels) and column (e.g.
        :func:`workbench.plotting.label` of a role); default the index.
    dims : (int, int), default (1, 2)
        The dimensions on the x and y axes (1-based). A one-dimensional solution is
        drawn against zero.
    lang : {"zh", "en"}
        Language of the axis labels.
    figsize : (float, float)
    adjust : bool, default True
        Move labels apart (``adjustText``, then :func:`separate_labels`).
    dpi : float, default 150
        The resolution the figure is laid out at: save it at the same.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame([[5, 1, 1], [1, 5, 1], [1, 1, 5]], index=["干部", "群众", "制度"],
    ...                  columns=["问题", "原因", "对策"])
    >>> fig = plot_ca(correspondence_analysis(t))
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['制度', '原因', '对策', '干部', '群众', '问题']
    """
    import matplotlib.pyplot as plt

    from workbench import plotting

    plotting.setup_chinese()
    x_dim, y_dim = dims
    share = result.inertia_table().set_index("dim")["share"]
    # Laid out at the resolution it is saved at (plotting.savefig's default), so the labels
    # placed apart here stay apart in the file.
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)

    def coord(frame: pd.DataFrame, d: int) -> np.ndarray:
        col = f"dim{d}"
        return frame[col].to_numpy() if col in frame else np.zeros(len(frame))

    rx, ry = coord(result.row_coords, x_dim), coord(result.row_coords, y_dim)
    cx, cy = coord(result.col_coords, x_dim), coord(result.col_coords, y_dim)
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.scatter(rx, ry, s=22, color="tab:blue", zorder=2)
    ax.scatter(cx, cy, s=60, marker="s", color="tab:red", zorder=3)
    names = row_labels or {}
    texts = [ax.text(x, y, names.get(k, str(k)), fontsize=9, color="tab:blue")
             for k, x, y in zip(result.row_coords.index, rx, ry, strict=True)]  # fmt: skip
    cnames = col_labels or {}
    texts += [ax.text(x, y, cnames.get(k, str(k)), fontsize=12, color="tab:red")
              for k, x, y in zip(result.col_coords.index, cx, cy, strict=True)]  # fmt: skip
    word = "维度" if lang == "zh" else "Dimension"
    for setter, d in ((ax.set_xlabel, x_dim), (ax.set_ylabel, y_dim)):
        pct = f" ({share[d]:.1%})" if d in share.index else ""
        setter(f"{word} {d}{pct}")
    points = np.column_stack([np.concatenate([rx, cx]), np.concatenate([ry, cy])])
    if adjust and texts:
        from adjustText import adjust_text

        # A fixed number of iterations, not adjustText's default time limit: same result on
        # any machine.
        adjust_text(texts, x=points[:, 0], y=points[:, 1], ax=ax, expand=(1.1, 1.25),
                    ensure_inside_axes=True, iter_lim=ADJUST_ITERATIONS)  # fmt: skip
    fig.tight_layout()
    separate_labels(ax, texts, points=points)
    _leader_lines(ax, texts, points)
    return fig


#: Iterations of adjustText (a fixed number, so that figures repeat exactly).
ADJUST_ITERATIONS = 100


def separate_labels(
    ax, texts: list, *, points: np.ndarray | None = None, pad: float = 2.0,
    marker_px: float = 5.0, max_steps: int = 80,
) -> None:  # fmt: skip
    """Move labels so that no two overlap: each, top to bottom, goes to the nearest free spot.

    A deterministic last pass after ``adjustText`` (which reduces overlaps but does not
    promise none): labels are placed one at a time, from the top of the plot down (ties by
    x, then text); a label that overlaps one already placed moves to the nearest position
    on a grid of half its height and a quarter of its width that is free, preferring
    positions inside the axes. The axes limits are frozen first.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    texts : list of matplotlib.text.Text
    points : ndarray, optional
        Data coordinates of the plotted points (n × 2): labels keep off them too.
    pad : float, default 2.0
        Minimum gap between labels, in pixels.
    marker_px : float, default 5.0
        Half the side of the square kept free around each point, in pixels.
    max_steps : int, default 80
        Grid steps searched in each direction.
    """
    if not texts:
        return
    fig = ax.figure
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in texts]
    order = sorted(range(len(texts)),
                   key=lambda i: (-boxes[i].y0, boxes[i].x0, texts[i].get_text()))  # fmt: skip
    # Boxes kept free, as rows of (x0, y0, x1, y1) in pixels: the points, then each label placed.
    placed = np.empty((0, 4))
    if points is not None and len(points):
        xy = ax.transData.transform(points)
        placed = np.column_stack([xy - marker_px, xy + marker_px])
    a, b = np.meshgrid(np.arange(-max_steps, max_steps + 1),
                       np.arange(-(max_steps // 4), max_steps // 4 + 1), indexing="ij")  # fmt: skip
    a, b = a.ravel(), b.ravel()
    half = pad / 2
    for i in order:
        box = boxes[i]
        dy, dx = (box.height + pad) / 2, (box.width + pad) / 4
        # Nearest first; ties: up before down, left before right.
        steps = np.lexsort((b, -a, (b * dx) ** 2 + (a * dy) ** 2))
        choice = fallback = None
        for k in steps:
            ox, oy = float(b[k] * dx), float(a[k] * dy)
            x0, y0, x1, y1 = box.x0 + ox, box.y0 + oy, box.x1 + ox, box.y1 + oy
            hit = ((x0 - half < placed[:, 2]) & (x1 + half > placed[:, 0])
                   & (y0 - half < placed[:, 3]) & (y1 + half > placed[:, 1]))  # fmt: skip
            if hit.any():
                continue
            if fallback is None:
                fallback = (x0, y0, x1, y1, ox, oy)
            if inside.x0 <= x0 and x1 <= inside.x1 and inside.y0 <= y0 and y1 <= inside.y1:
                choice = (x0, y0, x1, y1, ox, oy)
                break
        x0, y0, x1, y1, ox, oy = choice or fallback or (box.x0, box.y0, box.x1, box.y1, 0, 0)
        if ox or oy:
            x, y = ax.transData.transform(texts[i].get_position())
            texts[i].set_position(ax.transData.inverted().transform((x + ox, y + oy)))
        placed = np.vstack([placed, [x0 - half, y0 - half, x1 + half, y1 + half]])


def _leader_lines(ax, texts: list, points: np.ndarray, min_px: float = 6.0) -> None:
    """A thin line from each point to its label where the label moved away from it."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    for text, (px, py) in zip(texts, points, strict=True):
        box = text.get_window_extent(renderer)
        x, y = ax.transData.transform((px, py))
        cx, cy = min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1)
        if np.hypot(cx - x, cy - y) > min_px:
            (x0, y0), (x1, y1) = to_data.transform([(x, y), (cx, cy)])
            ax.plot([x0, x1], [y0, y1], color="0.65", lw=0.5, zorder=1)


def overlapping_labels(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of text labels on ``fig``'s first axes whose drawn boxes overlap.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.text(0.5, 0.5, "cadres"), ax.text(0.5, 0.5, "masses"), ax.text(0.1, 0.1, "rules")
    >>> overlapping_labels(fig)
    [('cadres', 'masses')]
    >>> plt.close(fig)
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = fig.axes[0].texts
    boxes = [t.get_window_extent(renderer) for t in texts]
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if boxes[i].overlaps(boxes[j]):
                out.append((texts[i].get_text(), texts[j].get_text()))
    return out


__all__ = ["CAResult", "code_table", "correspondence_analysis", "overlapping_labels", "plot_ca"]
