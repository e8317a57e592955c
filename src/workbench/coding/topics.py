"""Exploratory topics: NMF on jieba tokens of the de-duplicated corpus, against the codebook.

Paragraphs are the documents (sentences are too short for a topic model);
tokens are :func:`workbench.corpus.tokens.content_tokens` after the codebook terms are
registered with jieba. TF-IDF weights go into scikit-learn's NMF with
``init="nndsvda"`` and a fixed ``random_state``, so the topics are deterministic.
:func:`topic_code_table` shows, for each topic, the share of its paragraphs
(those where it is the strongest topic) that carry each category and the codes it
tracks best; topics with little coding are what the codebook misses.

Examples
--------
>>> import pandas as pd
>>> docs = pd.Series(["监督 考核 问责"] * 3 + ["走访 谈心 群众"] * 3)
>>> model = fit_topics(docs.str.split(), n_topics=2, seed=0, min_df=1)
>>> sorted(model.top_terms(3)["terms"].str.split(" / ").map(sorted).map(tuple))
[('监督', '考核', '问责'), ('群众', '谈心', '走访')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass
class TopicModel:
    """A fitted topic model: document-topic weights and topic-term weights."""

    doc_topic: np.ndarray
    topic_term: np.ndarray
    vocabulary: np.ndarray

    def top_terms(self, n: int = 10) -> pd.DataFrame:
        """``topic, terms`` (the ``n`` heaviest terms, ties broken alphabetically)."""
        rows = []
        for k, weights in enumerate(self.topic_term):
            order = np.lexsort((self.vocabulary, -weights))[:n]
            rows.append({"topic": k, "terms": " / ".join(self.vocabulary[order])})
        return pd.DataFrame(rows)

    def dominant(self) -> np.ndarray:
        """The strongest topic of each document (-1 when all weights are zero)."""
        best = self.doc_topic.argmax(axis=1)
        return np.where(self.doc_topic.max(axis=1) > 0, best, -1)


def fit_topics(
    token_lists: Sequence[Sequence[str]], n_topics: int = 8, *, seed: int = 0, min_df: int = 2
) -> TopicModel:
    """Fit NMF on TF-IDF of pre-tokenised documents.

    Parameters
    ----------
    token_lists : sequence of token lists
    n_topics : int
    seed : int
        ``random_state`` of NMF (with ``nndsvda`` initialisation the fit is deterministic).
    min_df : int
        Minimum document frequency of a term.
    """
    vec = TfidfVectorizer(analyzer=lambda toks: list(toks), min_df=min_df)
    x = vec.fit_transform(token_lists)
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=1000)
    w = nmf.fit_transform(x)
    return TopicModel(w, nmf.components_, vec.get_feature_names_out())


def topic_code_table(
    model: TopicModel, categories: pd.DataFrame, codes: pd.DataFrame, *, top: int = 3
) -> pd.DataFrame:
    """Per topic: paragraphs it dominates, share with each category, the codes it tracks.

    Parameters
    ----------
    model : TopicModel
    categories : DataFrame
        Units × categories (0/1), rows aligned with the model's documents.
    codes : DataFrame
        Units × codes (0/1), same rows.
    top : int
        How many codes to list per topic (by share of the topic's paragraphs).

    Returns
    -------
    DataFrame
        ``topic, paragraphs, <category shares>, any_code, top_codes``.
    """
    dom = model.dominant()
    cats, code_arr = categories.to_numpy(), codes.to_numpy()
    names = np.array(codes.columns)
    rows = []
    for k in range(model.topic_term.shape[0]):
        mask = dom == k
        # An empty topic gets zero shares rather than NaN (the mean of nothing).
        cat_share = cats[mask].mean(axis=0) if mask.any() else np.zeros(cats.shape[1])
        shares = code_arr[mask].mean(axis=0) if mask.any() else np.zeros(code_arr.shape[1])
        row: dict[str, object] = {"topic": k, "paragraphs": int(mask.sum())}
        row.update({c: float(v) for c, v in zip(categories.columns, cat_share, strict=True)})
        row["any_code"] = float(cats[mask].max(axis=1).mean()) if mask.any() else 0.0
        order = np.lexsort((names, -shares))[:top]
        tracked = [f"{names[i]} ({shares[i]:.0%})" for i in order if shares[i] > 0]
        row["top_codes"] = ", ".join(tracked)
        rows.append(row)
    return pd.DataFrame(rows)
