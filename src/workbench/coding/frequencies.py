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

import numpy as np
import pandas as pd

from workbench.coding.codebook import Codebook
from workbench.coding.coder import Coding
from workbench.corpus.structure import section_announcements


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


def article_shares(
    coding: Coding,
    segments: pd.DataFrame,
    codebook: Codebook,
    *,
    level: str = "code",
    headings: bool = False,
    catch_alls: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    lang: str = "zh",
) -> pd.DataFrame:
    """Share of articles asserting each code (or category), with bootstrap intervals.

    An article *asserts* a code when at least one of its sentences carries it, so one long
    article counts once, like a short one. By default headings that only announce their
    section ("存在的主要问题", "原因分析": :func:`workbench.corpus.structure.announces_section`)
    are not content (``headings=True`` counts them; headings that state something always
    count) and catch-all codes
    (:attr:`Codebook.catch_alls`) are left out (``catch_alls=True`` keeps them). The
    interval is a percentile bootstrap over articles (``n_boot`` resamples with
    replacement, seeded): the articles, not the sentences, are the sampled units; below
    :data:`workbench.trends.MIN_BOOTSTRAP_N` articles, or at a share of 0 or 1, it is
    Wilson's score interval (:func:`workbench.trends.share_intervals`, as the trends have
    it): a bootstrap of 13 articles put 3 of them at "[0.000, 0.462]", and a code no
    article asserts at "[0.000, 0.000]", as if certain.

    Parameters
    ----------
    coding : Coding
        A sentence-level coding (``unit="sentence"``) of ``segments``.
    segments : DataFrame
        The coded segments (``segment_id, doc_id, is_heading, text_orig``); every
        article in it is in the denominator, coded or not.
    codebook : Codebook
    level : {"code", "category"}
    headings, catch_alls : bool
        Count headings as content; keep the catch-all codes.
    n_boot, seed, ci
        Bootstrap resamples, their seed and the interval's coverage.
    lang : {"zh", "en"}
        Language of the ``label`` column.

    Returns
    -------
    DataFrame
        ``code`` (or ``category``), ``label``, ``category`` (code level), ``articles``
        (asserting it), ``share``, ``lo``, ``hi``, ``interval`` (``bootstrap`` or
        ``wilson``: which one ``lo, hi`` is) and a verbatim ``quote`` in the source's
        script with its ``segment_id`` (the shortest non-heading sentence of at least 12
        characters carrying the code; ties by id; a code found only in shorter sentences or
        only in headings is quoted with the reason first: ``only in a heading: 「…」``);
        sorted by category, then share (largest first), then id. Codes no article asserts
        are kept with share 0.

    Examples
    --------
    >>> from workbench.corpus import load_corpus
    >>> from workbench.coding.codebook import load_codebook
    >>> from workbench.coding.coder import code_segments
    >>> seg = load_corpus().analysis_segments()
    >>> cb = load_codebook()
    >>> t = article_shares(code_segments(seg, cb), seg, cb, level="category", n_boot=200)
    >>> t.columns.tolist()
    ['category', 'label', 'articles', 'share', 'lo', 'hi', 'interval', 'quote', 'segment_id']
    >>> bool((t["lo"] <= t["share"]).all() and (t["share"] <= t["hi"]).all())
    True
    """

    from workbench.trends import share_intervals

    if coding.unit != "sentence":
        raise ValueError(
            "article_shares needs a sentence-level coding (code_segments(..., 'sentence'))"
        )
    if level not in ("code", "category"):
        raise ValueError(f"level must be 'code' or 'category', not {level!r}")
    seg = segments[["segment_id", "doc_id", "is_heading", "text_orig"]].copy()
    seg["is_heading"] = seg["is_heading"].fillna(False).astype(bool)
    seg["announces"] = section_announcements(segments)
    long = coding.long[["unit_id", "code"]].merge(
        seg, left_on="unit_id", right_on="segment_id", how="inner"
    )
    if not headings:
        long = long[~long["announces"]]
    keep = set(codebook.ids if catch_alls else codebook.specific_ids)
    long = long[long["code"].isin(keep)]
    category_of = {c.id: c.category for c in codebook.codes}
    if level == "code":
        keys = [c for c in codebook.ids if c in keep]
        labels = {c.id: c.label(lang) for c in codebook.codes}
        long = long.assign(key=long["code"])
    else:
        keys = list(codebook.categories)
        labels = {k: v[f"label_{lang}"] for k, v in codebook.categories.items()}
        long = long.assign(key=long["code"].map(category_of))
    articles = pd.Index(pd.unique(seg["doc_id"]))
    A = np.zeros((len(articles), len(keys)))
    col = {k: j for j, k in enumerate(keys)}
    pairs = long[["doc_id", "key"]].drop_duplicates()
    A[articles.get_indexer(pairs["doc_id"]), pairs["key"].map(col).to_numpy(dtype="int64")] = 1.0
    n = len(articles)
    # The interval rule of every share of articles (trends' too): a bootstrap over
    # articles, or Wilson's where it says nothing (few articles, a share of 0 or 1).
    share, lo, hi, how = share_intervals(A, np.random.default_rng(seed), n_boot, ci)
    first = _quotes(long)
    out = pd.DataFrame({
        level: keys, "label": [labels[k] for k in keys],
        "articles": A.sum(axis=0).astype("int64"),
        "share": share if n else np.zeros(len(keys)),
        "lo": lo if n else np.zeros(len(keys)),
        "hi": hi if n else np.zeros(len(keys)),
        "interval": how,
        "quote": [first["quote"].get(k, "") for k in keys],
        "segment_id": [first["segment_id"].get(k, "") for k in keys],
    })  # fmt: skip
    if level == "code":
        out.insert(2, "category", out["code"].map(category_of))
        cat_order = {k: i for i, k in enumerate(codebook.categories)}
        out = out.assign(_c=out["category"].map(cat_order))
        out = out.sort_values(["_c", "share", "code"], ascending=[True, False, True],
                              kind="stable").drop(columns="_c")  # fmt: skip
    return out.reset_index(drop=True)


#: Fewest characters of a sentence quoted as a code's evidence (shorter ones say little).
MIN_QUOTE_CHARS = 12


def _quotes(long: pd.DataFrame) -> pd.DataFrame:
    """Each key's quote and its ``segment_id``, indexed by ``key``.

    The shortest body sentence of at least :data:`MIN_QUOTE_CHARS` characters carrying the
    key (ties by id), verbatim. A key found only in headings or in shorter sentences is
    quoted anyway, with the reason in front (``only in a heading: 「…」``), so that an
    asserted code never shows an empty quote cell without a word of why.
    """
    quotes = long.assign(length=long["text_orig"].astype(str).str.len(),
                         text=long["text_orig"].astype(str))  # fmt: skip
    # 0: a full quote; 1: a short body sentence; 2: a heading (a code's weakest evidence).
    rank = np.where(quotes["is_heading"], 2, np.where(quotes["length"] >= MIN_QUOTE_CHARS, 0, 1))
    quotes = quotes.assign(rank=rank).sort_values(["key", "rank", "length", "segment_id"],
                                                  kind="stable")  # fmt: skip
    first = quotes.drop_duplicates("key").set_index("key")
    why = {1: f"only in sentences under {MIN_QUOTE_CHARS} characters: ",
           2: "only in a heading: "}  # fmt: skip
    text = [t if r == 0 else f"{why[r]}「{t}」" for t, r in zip(first["text"], first["rank"],
                                                             strict=True)]  # fmt: skip
    return pd.DataFrame({"quote": text, "segment_id": first["segment_id"]}, index=first.index)
