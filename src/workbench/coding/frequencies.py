"""Code frequencies by article, file, role or any user metadata column, with zh/en labels.

Examples
--------
>>> from workbench.corpus import load_corpus
>>> from workbench.coding.codebook import load_codebook
>>> from workbench.coding.coder import code_segments
>>> c = load_corpus()
>>> seg = c.analysis_segments()
>>> cb = load_codebook()
>>> f = frequencies(code_segments(seg, cb), cb, c.documents, by="role", level="category")
>>> list(f.columns)
['role', 'category', 'label', 'units']
"""

from __future__ import annotations

import pandas as pd

from workbench.coding.codebook import Codebook
from workbench.coding.coder import Coding


def frequencies(
    coding: Coding,
    codebook: Codebook,
    documents: pd.DataFrame,
    *,
    by: str = "role",
    level: str = "code",
    lang: str = "zh",
) -> pd.DataFrame:
    """Number of units carrying each code (or category) per group.

    Parameters
    ----------
    coding : Coding
    codebook : Codebook
    documents : DataFrame
        The corpus documents table (with any joined user metadata).
    by : str
        ``role``, ``doc_id`` (article) or any column of ``documents`` (``file``,
        ``title``, metadata such as ``year``).
    level : {"code", "category"}
    lang : {"zh", "en"}
        Language of the ``label`` column.

    Returns
    -------
    DataFrame
        ``<by>, code|category, label, units``; zero counts are kept, rows sorted by
        group then codebook order.
    """
    if level not in ("code", "category"):
        raise ValueError(f"level must be 'code' or 'category', not {level!r}")
    units = coding.units[["unit_id", "doc_id", "role"]]
    if by not in units.columns:
        if by not in documents.columns:
            raise KeyError(f"unknown grouping column {by!r}")
        units = units.merge(documents[["doc_id", by]], on="doc_id", how="left")
    if level == "code":
        wide = coding.frame()
        keys = codebook.ids
        labels = {c.id: c.label(lang) for c in codebook.codes}
    else:
        wide = coding.categories(codebook)
        keys = list(codebook.categories)
        labels = {k: v[f"label_{lang}"] for k, v in codebook.categories.items()}
    wide = wide.reset_index(drop=True)
    wide[by] = units[by].to_numpy()
    counts = wide.groupby(by, sort=True)[keys].sum()
    long = counts.reset_index().melt(id_vars=by, var_name=level, value_name="units")
    order = {k: i for i, k in enumerate(keys)}
    long = long.assign(_o=long[level].map(order)).sort_values([by, "_o"], kind="stable")
    long.insert(2, "label", long[level].map(labels))
    return long.drop(columns="_o").reset_index(drop=True).astype({"units": "int64"})
