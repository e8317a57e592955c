"""A learned coder beside the rules: supervised models trained from coded sheets.

A researcher codes a sample of units (a sheet in the format of
``data/gold/gold_sample.csv``: ``unit_id`` and a ``codes`` column of ``;``-separated
code ids); :class:`CodeLearner` learns from it and then codes any corpus together with
the codebook's rules.

Features of a unit (a sentence, a paragraph, or any run of segments):

* character 1–3-grams of its Simplified text (TF-IDF, sublinear), so paraphrases that
  share no rule term still share most of their characters;
* the codebook's rule matches in the unit (one 0/1 column per code and per category),
  so a model can learn where a rule is reliable;
* its section role (problem / cause / countermeasure / other) and whether it is a
  heading.

One logistic regression per category and per code with at least ``min_support``
positive units. Probabilities are calibrated by Platt scaling on out-of-fold scores
from cross-validation *grouped by document* (``groups``: a unit never helps predict
another unit of its own document), and the decision threshold of each label is chosen
on those same out-of-fold probabilities: for a code, the threshold and whether the rule
is trusted on its own (``mode="union"``: rule fires *or* model confident) or only
through the model (``mode="model"``: the rule is a feature) that maximise F1; for a
category, the threshold that maximises Cohen's κ of "some code of the category, or the
category model confident". A category that the models assert without any of its codes
gets its residual code (``*_other``) when the codebook has one, as the gold coders'
convention does; a residual code is dropped where a specific code of its category
stands. Everything is seeded: the same sheets give the same model, byte for byte in its
predictions.

Examples
--------
>>> import pandas as pd
>>> from workbench.coding.codebook import load_codebook
>>> cb = load_codebook()
>>> texts = ["干部作风漂浮,脱离群众。", "要深入基层,倾听群众呼声。", "今年粮食增产。"] * 8
>>> units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(24)],
...                       "doc_id": [f"d{i % 6}" for i in range(24)],
...                       "text": texts, "role": "other", "is_heading": False})
>>> table = UnitTable.from_frame(units, cb)
>>> codes = pd.DataFrame({"unit_id": units["unit_id"],
...                       "P_detached": [1, 0, 0] * 8, "M_style": [0, 1, 0] * 8})
>>> learner = CodeLearner(min_support=4, n_splits=3).fit(table, codes, cb)
>>> learner.labels_
['P_detached', 'M_style', 'problem', 'countermeasure']
>>> decided = learner.decide(table)
>>> decided.codes.loc[:2, ["P_detached", "M_style"]].to_numpy().tolist()
[[1, 0], [0, 1], [0, 0]]
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.coding.codebook import Codebook
from workbench.coding.coder import Coding, code_segments, unit_ids
from workbench.coding.reliability import binary_f1, binary_kappa
from workbench.corpus.structure import ROLES  # in the order of the role features

log = logging.getLogger(__name__)

#: Thresholds tried for each label (calibrated probabilities).
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
#: What a model file holds besides the learner (checked by :func:`load_model`).
MODEL_FORMAT = "workbench.coding.learn/1"


class ModelError(ValueError):
    """A model file that cannot be used: wrong codebook, wrong format, unreadable."""


# --------------------------------------------------------------------------- units


@dataclass
class UnitTable:
    """Units to learn from or to code: their text, role, heading flag and rule matches.

    Attributes
    ----------
    frame : DataFrame
        ``unit_id, doc_id, file, text, role, is_heading, segment_ids`` (the unit's
        segments, space-separated, in corpus order; ``file`` is the document's file,
        the unit of grouped cross-validation).
    rules : scipy.sparse.csr_matrix
        Units × codes, 1 where a rule of the codebook matches in the unit.
    codes : list of str
        The codebook's code ids (columns of ``rules``).
    """

    frame: pd.DataFrame
    rules: sparse.csr_matrix
    codes: list[str]

    def __len__(self) -> int:
        return len(self.frame)

    def subset(self, rows: np.ndarray | Sequence[int]) -> UnitTable:
        """The units at positions ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        return UnitTable(self.frame.iloc[rows].reset_index(drop=True), self.rules[rows], self.codes)

    @staticmethod
    def concat(tables: Sequence[UnitTable]) -> UnitTable:
        """Units of several tables (same codebook), in order."""
        codes = tables[0].codes
        if any(t.codes != codes for t in tables):
            raise ValueError("unit tables matched with different codebooks cannot be joined")
        frame = pd.concat([t.frame for t in tables], ignore_index=True)
        return UnitTable(frame, sparse.vstack([t.rules for t in tables], format="csr"), codes)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, codebook: Codebook) -> UnitTable:
        """Units given directly (one row each); rules are matched on each unit's text.

        ``frame`` needs ``unit_id, text``; ``doc_id`` (default: the unit id), ``role``
        (default ``other``) and ``is_heading`` (default ``False``) are optional.
        """
        frame = frame.reset_index(drop=True)
        n = len(frame)
        seg = pd.DataFrame({
            "segment_id": frame["unit_id"].astype(str),
            "doc_id": frame.get("doc_id", frame["unit_id"]).astype(str),
            "file": frame.get("file", frame.get("doc_id", frame["unit_id"])).astype(str),
            "paragraph_id": frame["unit_id"].astype(str),
            "section": [""] * n,
            "role": frame.get("role", pd.Series(["other"] * n)).astype(str),
            "is_heading": frame.get("is_heading", pd.Series([False] * n)).astype(bool),
            "text": frame["text"].astype(str),
        })  # fmt: skip
        return units_from_segments(seg, codebook)


def sentence_rules(segments: pd.DataFrame, codebook: Codebook) -> Coding:
    """The rules' sentence-level coding of ``segments``, one unit per segment, in order.

    Compute it once and pass it as ``rules=`` to :func:`units_from_segments` when several
    unit tables are built from one corpus (a sheet's units, then the corpus's).
    """
    coding = code_segments(segments, codebook, "sentence")
    if len(coding.units) != len(segments):
        raise ValueError("segment ids must be unique to learn from or code segments")
    return coding


def units_from_segments(
    segments: pd.DataFrame,
    codebook: Codebook,
    unit: str | Mapping[str, Sequence[str]] = "sentence",
    *,
    rules: Coding | None = None,
) -> UnitTable:
    """Build units from a segments table.

    Parameters
    ----------
    segments : DataFrame
        A corpus segments table (``segment_id, doc_id, paragraph_id, section, role,
        is_heading, text``), in corpus order.
    codebook : Codebook
    unit : {"sentence", "paragraph", "section", "article"} or mapping
        A unit of the coder, or explicit units: ``{unit_id: [segment_id, ...]}`` (a
        coded line that spans several sentences, say). Explicit units keep the
        mapping's order; their segments are taken in corpus order.
    rules : Coding, optional
        The sentence-level rule coding of ``segments`` when already computed.

    Returns
    -------
    UnitTable
        A unit's text is its segments' texts joined, its role and document those of
        its first segment, ``is_heading`` true when all its segments are headings, and
        its rule matches the union of its segments'.
    """
    seg = segments.reset_index(drop=True)
    coding = rules if rules is not None else sentence_rules(seg, codebook)
    n_seg = len(seg)
    sid = seg["segment_id"].astype(str).tolist()
    if isinstance(unit, str):
        ids = unit_ids(seg, unit)
        codes_of, uniques = pd.factorize(ids, sort=False)
        names = [str(u) for u in uniques]
        rows, cols = codes_of.astype(np.int64), np.arange(n_seg, dtype=np.int64)
    else:
        pos = {s: i for i, s in enumerate(sid)}
        names, rows_l, cols_l = [], [], []
        for u, members in unit.items():
            missing = [m for m in members if m not in pos]
            if missing:
                raise KeyError(f"unit {u!r}: unknown segment id(s) {missing[:3]}")
            for m in sorted({pos[m] for m in members}):
                rows_l.append(len(names))
                cols_l.append(m)
            names.append(str(u))
        rows, cols = np.array(rows_l, dtype=np.int64), np.array(cols_l, dtype=np.int64)
    n = len(names)
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_seg))
    matched = (member @ coding.matrix.astype(np.float64)) > 0
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(n + 1))
    text = seg["text"].fillna("").astype(str).tolist()
    role = seg["role"].fillna("other").astype(str).tolist()
    heading = seg["is_heading"].fillna(False).astype(bool).tolist()
    doc = seg["doc_id"].astype(str).tolist()
    files = seg["file"].astype(str).tolist() if "file" in seg.columns else doc
    frame_rows = []
    for i in range(n):
        m = cols[starts[i] : starts[i + 1]].tolist()
        frame_rows.append({
            "unit_id": names[i], "doc_id": doc[m[0]] if m else "",
            "file": files[m[0]] if m else "",
            "text": "".join(text[j] for j in m), "role": role[m[0]] if m else "other",
            "is_heading": bool(m) and all(heading[j] for j in m),
            "segment_ids": " ".join(sid[j] for j in m),
        })  # fmt: skip
    columns = ["unit_id", "doc_id", "file", "text", "role", "is_heading", "segment_ids"]
    frame = pd.DataFrame(frame_rows, columns=columns)
    return UnitTable(frame, sparse.csr_matrix(matched, dtype=np.int8), list(coding.codes))


# -------------------------------------------------------------------------- sheets


@dataclass
class Sheet:
    """A coded sheet resolved against a corpus.

    Attributes
    ----------
    members : dict
        ``{unit_id: [segment_id, ...]}`` for every unit found in the corpus.
    labels : DataFrame
        ``unit_id`` and 0/1 columns (code ids, and the category columns present).
    unaligned : list of str
        Units of the sheet found nowhere in the corpus (left out, reported).
    not_found : list of dict
        The same units with where they are and why: ``row`` (the sheet's row, the header
        being row 1; for a ``.jsonl`` sheet its line), ``unit_id`` and ``why`` (``"unknown
        file x.txt"``, ``"text not in x.txt"``, ``"not an id of the corpus"``...), so that a
        coder can correct them.
    how : str
        How units were found: ``"ids"`` (segment, paragraph, section or article ids),
        ``"segment_ids"`` (an explicit column) or ``"lines"`` (coded lines of the
        source files, :func:`workbench.coding.sheets.align_lines`).
    """

    members: dict[str, list[str]]
    labels: pd.DataFrame
    unaligned: list[str]
    how: str
    not_found: list[dict[str, Any]] = field(default_factory=list)


def read_training_sheet(
    path: str | os.PathLike, segments: pd.DataFrame, codebook: Codebook
) -> Sheet:
    """Read a coded sheet and find its units in ``segments``.

    The sheet is a ``.csv``, ``.xlsx`` or ``.jsonl`` (one JSON object per unit, ``codes`` a
    list or a ``;``-separated string) in the format of ``data/gold/gold_sample.csv``:
    ``unit_id`` and a ``codes`` column (``;``-separated code ids, blank = none) and/or
    0/1 columns named by the codebook's categories (the bundled codebook's ``problem,
    cause, countermeasure, liaison``; a codebook of one's own, its own). Beside a
    ``codes`` column a blank category cell is left missing (``NaN``), so that the
    category follows from the unit's codes; without one it is an error. Its units are
    found in this order: a ``segment_ids`` column (space-separated segment ids);
    ``unit_id`` values that are ids of the corpus's segments, paragraphs, sections or
    articles; or, for a sheet of coded source lines with ``file`` and ``text``
    columns, by :func:`workbench.coding.sheets.align_lines`.

    Raises
    ------
    workbench.coding.sheets.SheetError
        A malformed sheet (the message names the file, row and column), or one none of
        whose units is in the corpus.
    """
    from workbench.coding.coder import UNITS
    from workbench.coding.sheets import (
        CONTEXT_COLUMNS,
        SheetError,
        align_lines,
        close_column,
        read_code_list,
        read_raw_sheet,
        read_sheet,
    )

    path = Path(path)
    raw = read_raw_sheet(path)
    if "unit_id" not in raw.columns:
        raise SheetError(f"{path}: missing column 'unit_id'")
    cats = [c for c in codebook.categories if c in raw.columns]
    if "codes" not in raw.columns:
        # A renamed `codes` column ("code", "Codes") would otherwise surface as a blank
        # category cell, or the codes would be silently ignored: name the column instead.
        taken = [*CONTEXT_COLUMNS, "segment_ids", "notes", "unit", *codebook.categories,
                 *codebook.ids]  # fmt: skip
        near = close_column("codes", list(raw.columns), taken)
        if near is not None:
            raise SheetError(
                f"{path}: no 'codes' column; did you mean {near!r} → 'codes'? Rename the "
                "column to 'codes' (code ids separated by ';', blank = no code)"
            )
    if "codes" in raw.columns:
        named = {c.label(lang): c.id for c in codebook.codes for lang in ("zh", "en")}
        labels = read_code_list(path, codebook.ids, labels=named).drop(columns="split",
                                                                       errors="ignore")
        if cats:
            # Beside a `codes` column, a blank category cell is not "absent": it is what a
            # sheet of `workbench suggest` holds when the coder filled only `codes`, and the
            # categories then follow from the codes (CodeLearner.fit). A 0 or 1 stands.
            filled = read_sheet(path, cats, blank="absent")[["unit_id", *cats]]
            blank = raw[cats].astype(str).apply(lambda col: col.str.strip() == "")
            filled[cats] = filled[cats].astype("float64").mask(blank.to_numpy())
            labels = labels.merge(filled, on="unit_id")
            _warn_zero_beside_codes(path, raw, labels, codebook, cats)
    elif cats:
        labels = read_sheet(path, cats).drop(columns="split", errors="ignore")
    else:
        raise SheetError(
            f"{path}: no 'codes' column and none of the category columns "
            f"{sorted(codebook.categories)}"
        )
    seg = segments.reset_index(drop=True)
    if "segment_ids" in raw.columns:
        pairs = zip(raw["unit_id"], raw["segment_ids"], strict=True)
        members = {str(u): str(s).split() for u, s in pairs}
        how = "segment_ids"
    else:
        members, how = {}, "ids"
        for unit in UNITS:
            ids = unit_ids(seg, unit)
            groups = seg["segment_id"].astype(str).groupby(ids.to_numpy(), sort=False).agg(list)
            for u in raw["unit_id"].astype(str):
                if u not in members and u in groups.index:
                    members[u] = groups[u]
        if not members and {"file", "text"} <= set(raw.columns):
            members, how = align_lines(raw, seg), "lines"
    known = set(seg["segment_id"].astype(str))
    members = {u: [s for s in m if s in known] for u, m in members.items()}
    unaligned = [str(u) for u in raw["unit_id"] if not members.get(str(u))]
    not_found = _why_not_found(raw, seg, unaligned, how)
    members = {u: m for u, m in members.items() if m}
    if not members:
        raise SheetError(
            f"{path}: none of its {len(raw)} units is in the corpus; code units of this corpus "
            "(segment or paragraph ids from `workbench suggest`), or give `file` and `text` "
            "columns of coded lines"
        )
    labels = labels[labels["unit_id"].astype(str).isin(members)].reset_index(drop=True)
    return Sheet(members, labels, unaligned, how, not_found)


def _warn_zero_beside_codes(
    path: Path, raw: pd.DataFrame, labels: pd.DataFrame, codebook: Codebook, cats: list[str]
) -> None:
    """Warn of a category cell written 0 beside a code of that category (problem 0 and
    P_detached in ``codes``): the 0 stands, so the unit trains the category as absent
    and its code as present, without a word."""
    from workbench.coding.sheets import row_numbers

    word, numbers = row_numbers(raw)
    row = {str(u): n for u, n in zip(raw["unit_id"], numbers, strict=True)}
    for cat in cats:
        ids = [c.id for c in codebook.codes if c.category == cat]
        clash = labels[(labels[cat] == 0) & (labels[ids].sum(axis=1) > 0)]
        if clash.empty:
            continue
        rows = ", ".join(str(row[str(u)]) for u in clash["unit_id"][:10])
        more = f" and {len(clash) - 10} more" if len(clash) > 10 else ""
        log.warning("%s: column %r is 0 in %s(s) %s%s, whose codes include one of its codes; "
                    "the 0 stands (the unit trains %s as absent): clear the cell to let the "
                    "codes decide, or correct the codes",
                    path, cat, word, rows, more, cat)  # fmt: skip


def _why_not_found(
    raw: pd.DataFrame, seg: pd.DataFrame, unaligned: Sequence[str], how: str
) -> list[dict[str, Any]]:
    """Row, id and reason of each sheet unit found nowhere in the corpus (``Sheet.not_found``).

    Rows are counted as in the sheet's own error messages (the header is row 1); a
    ``.jsonl`` sheet's rows are its lines (``raw.attrs["lines"]``).

    Examples
    --------
    >>> raw = pd.DataFrame({"unit_id": ["L1", "L2", "L3"], "file": ["a.txt", "b.txt", "a.txt"],
    ...                     "text": ["x", "y", "z"]})
    >>> seg = pd.DataFrame({"segment_id": ["a/p1/s1"], "file": ["a.txt"]})
    >>> [(r["row"], r["why"]) for r in _why_not_found(raw, seg, ["L2", "L3"], "lines")]
    [(3, 'unknown file b.txt'), (4, 'text not in a.txt')]
    """
    lost = set(unaligned)
    from workbench.coding.sheets import row_numbers

    _, rows = row_numbers(raw)
    files = set(seg["file"].astype(str)) if "file" in seg.columns else set()
    out = []
    for i, (_, rec) in enumerate(raw.iterrows()):
        uid = str(rec["unit_id"])
        if uid not in lost:
            continue
        if how == "lines":
            f = str(rec.get("file", ""))
            why = f"text not in {f}" if f in files else f"unknown file {f or '(blank)'}"
        elif how == "segment_ids":
            why = "none of its segment_ids is a segment of the corpus"
        else:
            why = "not a segment, paragraph, section or article id of the corpus"
        out.append({"row": int(rows[i]), "unit_id": uid, "why": why})
    return out


def describe_not_found(not_found: Sequence[Mapping[str, Any]], limit: int = 10) -> str:
    """``rows 6 (L6: unknown file x.txt), 7 (L7: text not in y.txt)``, the first ``limit``.

    Examples
    --------
    >>> describe_not_found([{"row": 6, "unit_id": "L6", "why": "unknown file x.txt"}])
    'row 6 (L6: unknown file x.txt)'
    >>> describe_not_found([{"row": r, "unit_id": f"u{r}", "why": "?"} for r in (2, 3, 4)], 2)
    'rows 2 (u2: ?), 3 (u3: ?) and 1 more'
    """
    shown = ", ".join(f"{r['row']} ({r['unit_id']}: {r['why']})" for r in not_found[:limit])
    more = f" and {len(not_found) - limit} more" if len(not_found) > limit else ""
    return ("row " if len(not_found) == 1 else "rows ") + shown + more


def written_examples(codebook: Codebook) -> tuple[UnitTable, Sheet]:
    """The bundled written examples as coded units: 84 original documents in seven
    genres, every line coded (:data:`workbench.config.SYNTHETIC_DIR`).

    They were written for training, in the wordings real texts use and the seeds do
    not (narrative, numbers, regulations' articles, villagers' sayings, demands without
    the stock verbs), so they teach the models wordings; being clear-cut, they must
    not set the models' thresholds: fit with ``train_only`` marking them
    (``workbench learn --synthetic``). How they were made and what they changed on
    held-out documents: data/gold/README.md.

    Returns
    -------
    (UnitTable, Sheet)
        The units, and the sheet that coded them (:func:`read_training_sheet`: its
        ``labels``, and the ``unaligned`` lines no segment holds: 13 date and byline
        lines the corpus reader leaves out of the text).

    Raises
    ------
    SheetError
        When ``codebook`` lacks codes the examples are coded with (a codebook of one's
        own), naming them.

    Examples
    --------
    >>> from workbench.coding.codebook import load_codebook
    >>> units, sheet = written_examples(load_codebook())
    >>> len(units) == len(sheet.labels) > 3000, int(sheet.labels["L_petition"].sum()) > 100
    (True, True)
    """
    import json

    from workbench import config
    from workbench.coding.sheets import SheetError
    from workbench.corpus import load_corpus

    # The examples are coded with the bundled codebook's codes. With a codebook of one's
    # own that lacks some, the sheet reader's message blamed the bundled file (listing a
    # hundred rows "to correct"); say what the user can do instead.
    coded = config.SYNTHETIC_DIR / "codes.jsonl"
    with open(coded, encoding="utf-8") as fh:
        used = {c for line in fh if line.strip() for c in json.loads(line).get("codes", [])}
    unknown = sorted(used - set(codebook.ids))
    if unknown:
        shown = ", ".join(unknown[:8]) + (f" and {len(unknown) - 8} more" if len(unknown) > 8
                                          else "")  # fmt: skip
        raise SheetError(
            f"--synthetic: the bundled written examples are coded with the bundled codebook's "
            f"codes, and {len(unknown)} of them are not in {codebook.path or 'this codebook'} "
            f"({shown}); leave out --synthetic with a codebook of your own, or keep those "
            "codes in it")
    files = sorted(str(p) for p in config.SYNTHETIC_DIR.glob("*.md"))
    segments = load_corpus(files).segments
    sheet = read_training_sheet(config.SYNTHETIC_DIR / "codes.jsonl", segments, codebook)
    rules = sentence_rules(segments, codebook)
    return units_from_segments(segments, codebook, sheet.members, rules=rules), sheet


# ------------------------------------------------------------------------ features


def _category_of(codebook: Codebook) -> dict[str, str]:
    return {c.id: c.category for c in codebook.codes}


def _residual(codebook: Codebook) -> dict[str, str]:
    """The residual (catch-all) code of each category that has one: ``*_other``."""
    return {c.category: c.id for c in codebook.codes if c.id.endswith("_other")}


def _words(text: str) -> list[str]:
    """Word unigrams and bigrams (jieba's dictionary plus the domain dictionary)."""
    from workbench.corpus.tokens import tokenize

    tokens = [t for t in tokenize(text) if t.strip()]
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


class _Features:
    """Character n-grams (+ words) + rule matches (codes and categories) + role + heading."""

    def __init__(
        self, ngram_range: tuple[int, int], min_df: int, rule_weight: float, words: bool = False
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        chars = TfidfVectorizer(
            analyzer="char", ngram_range=ngram_range, min_df=min_df, sublinear_tf=True,
            dtype=np.float64,
        )  # fmt: skip
        parts = [("chars", chars)]
        if words:
            parts.append(("words", TfidfVectorizer(analyzer=_words, min_df=min_df,
                                                   sublinear_tf=True, dtype=np.float64)))
        self.vectorizer = FeatureUnion(parts)
        self.rule_weight = rule_weight
        self.codes: list[str] = []
        self.categories: list[str] = []
        self.cat_index: np.ndarray = np.zeros(0, dtype=np.int64)

    def fit(self, units: UnitTable, category_of: Mapping[str, str]) -> _Features:
        self.vectorizer.fit(units.frame["text"].tolist())
        self.codes = list(units.codes)
        self.categories = sorted(set(category_of.values()))
        self.cat_index = np.array(
            [self.categories.index(category_of[c]) for c in units.codes], dtype=np.int64
        )
        return self

    def names(self) -> list[str]:
        return [
            *(n.split("__", 1)[1] for n in self.vectorizer.get_feature_names_out().tolist()),
            *(f"rule:{c}" for c in self.codes), *(f"rule:{c}" for c in self.categories),
            *(f"role:{r}" for r in ROLES), "heading",
        ]  # fmt: skip

    def transform(self, units: UnitTable) -> sparse.csr_matrix:
        text = self.vectorizer.transform(units.frame["text"].tolist())
        rules = units.rules.astype(np.float64)
        cat = sparse.csr_matrix(
            (np.ones(len(self.cat_index)), (np.arange(len(self.cat_index)), self.cat_index)),
            shape=(len(self.cat_index), len(self.categories)),
        )
        cats = ((rules @ cat) > 0).astype(np.float64)
        role = units.frame["role"].astype(str).to_numpy()
        roles = np.column_stack([role == r for r in ROLES]).astype(np.float64)
        heading = units.frame["is_heading"].astype(bool).to_numpy(np.float64)[:, None]
        w = self.rule_weight
        return sparse.hstack(
            [text, rules * w, cats * w, sparse.csr_matrix(roles), sparse.csr_matrix(heading)],
            format="csr",
        )


# ------------------------------------------------------------------------- learner


@dataclass
class Decision:
    """What the combined coder decided for each unit.

    Attributes
    ----------
    codes : DataFrame
        ``unit_id`` and one 0/1 column per code (codebook order).
    categories : DataFrame
        ``unit_id`` and one 0/1 column per category.
    long : DataFrame
        One row per assigned (unit, code): ``unit_id, code, category, source``
        (``rule``, ``model``, ``rule+model`` or ``residual``: the category was
        asserted without a specific code) and ``score`` (the model's calibrated
        probability for the code, or for its category for a residual; ``NaN`` where
        no model exists).
    proba : DataFrame
        Calibrated probabilities of every modelled label.
    """

    codes: pd.DataFrame
    categories: pd.DataFrame
    long: pd.DataFrame
    proba: pd.DataFrame


@dataclass
class CodeLearner:
    """Learn codes and categories from coded units, beside a codebook's rules.

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram lengths of the text features.
    min_df : int
        Minimum number of units an n-gram must occur in.
    C : float
        Inverse regularisation strength of each logistic regression.
    min_support : int
        Minimum number of positive units for a code to get a model of its own.
    n_splits : int
        Folds of the grouped cross-validation (fewer when there are fewer groups).
    rule_weight : float
        Scale of the rule-match features relative to the TF-IDF text features.
    words : bool
        Add word unigrams and bigrams (jieba with the domain dictionary) to the
        character n-grams.
    use_rules : bool
        ``False`` drops the rule matches from the features too (text, role and heading
        only): an ablation, to see what the text alone teaches.
    min_precision : float
        The least cross-validated precision of what a model adds: a threshold is
        considered only where the units the model assigns (beyond the rule, in union
        mode; all of them, where the rule is only a feature) were right at least this
        often out of fold. Without it, a weak model's F1-best threshold can sit at the
        grid's floor and, on documents unlike the training ones, assign its code to
        half the corpus (seen on the dev tune part: ``C_system`` at p >= 0.05).
    override_rules : bool
        ``False`` (default): a code's rule always assigns it in the combined coder and
        its model can only add units. ``True``: where it did better out of fold, a model
        may take over its code's decision, the rule then only a feature. On the dev tune
        part's design folds (held-out documents) taking over lost more than it gained —
        cause κ .81 → .73 and .41 → .32 against the held-out half's extra coding, via
        ``C_attribution`` — so it is off unless asked for.
    combine : bool
        ``True`` (the combined coder): a code is assigned when its rule fires or its
        model is confident. ``False`` (the learned coder alone): only the models
        decide — the rule matches are still features, but a rule firing assigns
        nothing by itself, and a code without a model of its own is assigned only
        as its category's residual.
    seed : int
        Seed of the fold assignment; the fits themselves are deterministic.
    """

    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = 2
    C: float = 4.0
    min_support: int = 5
    n_splits: int = 5
    rule_weight: float = 1.0
    words: bool = False
    use_rules: bool = True
    combine: bool = True
    min_precision: float = 0.5
    override_rules: bool = False
    seed: int = 0
    # Fitted state (set by fit).
    labels_: list[str] = field(default_factory=list, repr=False)
    estimators_: dict[str, Any] = field(default_factory=dict, repr=False)
    platt_: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    threshold_: dict[str, float] = field(default_factory=dict, repr=False)
    mode_: dict[str, str] = field(default_factory=dict, repr=False)
    oof_: pd.DataFrame | None = field(default=None, repr=False)
    trained_units_: list[str] = field(default_factory=list, repr=False)
    cv_: list[dict[str, Any]] = field(default_factory=list, repr=False)
    trained_segments_: list[str] = field(default_factory=list, repr=False)
    codes_: list[str] = field(default_factory=list, repr=False)
    # Positive units of every code and category in the labels (modelled or not).
    support_: dict[str, int] = field(default_factory=dict, repr=False)
    category_of_: dict[str, str] = field(default_factory=dict, repr=False)
    residual_: dict[str, str] = field(default_factory=dict, repr=False)
    features_: _Features | None = field(default=None, repr=False)

    # -- fitting

    def _splits(self, y: np.ndarray, groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        from sklearn.model_selection import StratifiedGroupKFold

        k = min(self.n_splits, len(np.unique(groups)))
        if k < 2:
            only = f" (all {len(groups)} are in {str(groups[0])!r})" if len(groups) else ""
            raise ValueError(f"cross-validation needs coded units from at least two "
                             f"documents{only}; code units of other documents too "
                             "(`workbench suggest` spreads them over documents)")  # fmt: skip
        # StratifiedGroupKFold refuses more folds than the largest stratum has units ("n_splits
        # cannot be greater than the number of members in each class"): with a handful of
        # coded units, fewer folds are made instead.
        largest = int(np.unique(y, return_counts=True)[1].max()) if len(y) else 0
        if largest < 2:
            raise ValueError(f"cross-validation needs at least two coded units with the same "
                             f"codes; the {len(y)} coded unit(s) all differ: code more units "
                             "(`workbench suggest` writes a sheet of them)")  # fmt: skip
        k = min(k, largest)
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=self.seed)
        with warnings.catch_warnings():
            # A stratum rarer than the folds is expected with few coded units; the
            # folds are still grouped by document, which is what matters.
            warnings.filterwarnings("ignore", message="The least populated class")
            return list(cv.split(np.zeros(len(y)), y, groups))

    def _fit_one(self, X: sparse.csr_matrix, y: np.ndarray) -> Any:
        from sklearn.linear_model import LogisticRegression

        if y.min() == y.max():
            return float(y[0])  # one class only: a constant
        model = LogisticRegression(
            C=self.C, class_weight="balanced", solver="liblinear", max_iter=1000,
            random_state=self.seed,
        )  # fmt: skip
        return model.fit(X, y)

    @staticmethod
    def _score(model: Any, X: sparse.csr_matrix) -> np.ndarray:
        if isinstance(model, float):
            return np.full(X.shape[0], 20.0 if model else -20.0)
        return model.decision_function(X)

    @staticmethod
    def _platt(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        from sklearn.linear_model import LogisticRegression

        if y.min() == y.max():
            return 0.0, (20.0 if y[0] else -20.0)
        lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(score[:, None], y)
        if lr.coef_[0, 0] <= 0:
            # Out-of-fold scores that do not rank positives higher (e.g. a fold whose
            # training documents had no positive): the model is not used.
            return 0.0, -20.0
        return float(lr.coef_[0, 0]), float(lr.intercept_[0])

    @staticmethod
    def _apply_platt(score: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(ab[0] * score + ab[1])))

    def fit(
        self,
        units: UnitTable,
        labels: pd.DataFrame,
        codebook: Codebook,
        groups: Sequence[str] | None = None,
        train_only: Sequence[bool] | None = None,
    ) -> CodeLearner:
        """Learn from coded units.

        Parameters
        ----------
        units : UnitTable
            The coded units (features).
        labels : DataFrame
            ``unit_id`` and 0/1 columns: code ids and/or category names. Categories
            missing from ``labels`` are derived from its codes.
        codebook : Codebook
        groups : sequence of str, optional
            The document of each unit, for grouped cross-validation (default:
            ``units.frame["file"]``: all articles of a file fall in one fold).
        train_only : sequence of bool, optional
            Units that train every model, in every fold, but are never held out: the
            out-of-fold scores, their calibration and the thresholds come from the other
            units only. For material unlike the texts the coder will meet, such as
            written examples (``data/gold/synthetic``): it may teach wordings, but its
            easy, clear-cut lines must not set how confident a model has to be on real
            documents.

        Returns
        -------
        CodeLearner
            ``self``, fitted.
        """
        units = self._without_rules(units)
        frame = units.frame
        self.trained_segments_ = sorted({s for m in frame["segment_ids"] for s in str(m).split()})
        self.trained_units_ = [str(u) for u in frame["unit_id"]]
        aug = np.asarray(np.zeros(len(frame)) if train_only is None else train_only, dtype=bool)
        if aug.shape != (len(frame),):
            raise ValueError(f"train_only has {aug.size} values for {len(frame)} units")
        real, added = np.flatnonzero(~aug), np.flatnonzero(aug)
        lab = frame[["unit_id"]].merge(labels, on="unit_id", how="left", validate="1:1")
        if lab.drop(columns="unit_id").isna().all(axis=1).any():
            missing = lab.loc[lab.drop(columns="unit_id").isna().all(axis=1), "unit_id"]
            raise ValueError(f"no labels for unit(s) {missing.tolist()[:5]}")
        self.codes_ = codebook.ids
        self.category_of_ = _category_of(codebook)
        self.residual_ = _residual(codebook)
        for cat in codebook.categories:
            # A unit coded by codes only gets its categories from them; a category
            # column, where a sheet has one, stands.
            cols = [c for c in self.codes_ if self.category_of_[c] == cat and c in lab.columns]
            if cols:
                derived = lab[cols].max(axis=1)
                lab[cat] = lab[cat].fillna(derived) if cat in lab.columns else derived
        lab = lab.fillna(0)
        groups_a = np.asarray(frame["file"] if groups is None else groups, dtype=str)
        code_labels = [
            c for c in self.codes_ if c in lab.columns and lab[c].sum() >= self.min_support
        ]
        cat_labels = [
            c for c in codebook.categories if c in lab.columns and lab[c].sum() >= self.min_support
        ]
        self.labels_ = code_labels + cat_labels
        self.support_ = {
            c: int(lab[c].sum()) for c in [*self.codes_, *codebook.categories] if c in lab.columns
        }
        self.features_ = _Features(self.ngram_range, self.min_df, self.rule_weight, self.words)
        # Out-of-fold scores: features are refitted inside each fold, so no n-gram seen
        # only in the held-out documents informs their scores.
        # One set of folds for every label, stratified by the unit's combination of
        # categories (so each category's positives spread over the folds), so each
        # fold's features are built once.
        cats_present = [c for c in codebook.categories if c in lab.columns]
        bits = lab[cats_present].to_numpy(np.int64)
        strata = (bits * (2 ** np.arange(len(cats_present)))).sum(axis=1)
        oof_score = {label: np.zeros(len(real)) for label in self.labels_}
        for train_r, test_r in self._splits(strata[real], groups_a[real]):
            train = np.sort(np.concatenate([real[train_r], added]))
            test = real[test_r]
            sub_f = _Features(self.ngram_range, self.min_df, self.rule_weight, self.words)
            sub_f.fit(units.subset(train), self.category_of_)
            X_train = sub_f.transform(units.subset(train))
            X_test = sub_f.transform(units.subset(test))
            for label in self.labels_:
                y = lab[label].to_numpy(np.int64)
                model = self._fit_one(X_train, y[train])
                oof_score[label][test_r] = self._score(model, X_test)
        self.features_.fit(units, self.category_of_)
        X = self.features_.transform(units)
        oof = {}
        for label in self.labels_:
            y = lab[label].to_numpy(np.int64)
            self.estimators_[label] = self._fit_one(X, y)
            self.platt_[label] = self._platt(oof_score[label], y[real])
            oof[label] = self._apply_platt(oof_score[label], self.platt_[label])
        self.oof_ = pd.DataFrame(oof, index=frame["unit_id"].to_numpy()[real])
        self._choose_thresholds(units.subset(real), lab.iloc[real].reset_index(drop=True))
        return self

    def _decision_rules(self, units: UnitTable) -> np.ndarray:
        """The rule matches that assign codes by themselves (none without ``combine``)."""
        rules = units.rules.toarray().astype(bool)
        return rules if self.combine else np.zeros_like(rules)

    def _choose_thresholds(self, units: UnitTable, lab: pd.DataFrame) -> None:
        rules = self._decision_rules(units)
        actual = units.rules.toarray().astype(bool)  # reported beside the model, always
        decided = rules.copy()
        self.cv_ = []
        for label in self.labels_:
            if label not in self.category_of_:
                continue
            j = self.codes_.index(label)
            y = lab[label].to_numpy(bool)
            p = self.oof_[label].to_numpy()
            best = (-1.0, "union", 1.0)
            for mode in ("union", "model") if self.override_rules else ("union",):
                # What the rule assigns by itself in this mode (nothing where the model decides).
                kept = rules[:, j] if mode == "union" else np.zeros(len(p), dtype=bool)
                for t in THRESHOLDS:
                    fired = p >= t
                    if not self._precise(y, fired & ~kept):
                        continue
                    f = binary_f1(y, fired | kept)
                    if f > best[0] + 1e-12:
                        best = (f, mode, float(t))
            # A model that never beats the rule alone stays out of the decision.
            rule_f1 = binary_f1(y, rules[:, j])
            if best[0] <= rule_f1 + 1e-12:
                best = (rule_f1, "union", float("inf"))
            _, self.mode_[label], self.threshold_[label] = best
            decided[:, j] = (p >= best[2]) | (rules[:, j] if best[1] == "union" else False)
            self.cv_.append(self._cv_row(label, y, "f1", best[0], binary_f1(y, actual[:, j])))
        for cat in [label for label in self.labels_ if label not in self.category_of_]:
            cols = [j for j, c in enumerate(self.codes_) if self.category_of_[c] == cat]
            y = lab[cat].to_numpy(bool)
            base = decided[:, cols].any(axis=1)
            p = self.oof_[cat].to_numpy()
            best = (binary_kappa(y, base), float("inf"))
            for t in THRESHOLDS:
                if not self._precise(y, (p >= t) & ~base):
                    continue
                k = binary_kappa(y, base | (p >= t))
                if k > best[0] + 1e-12:
                    best = (k, float(t))
            self.threshold_[cat], self.mode_[cat] = best[1], "union"
            rules_k = binary_kappa(y, actual[:, cols].any(axis=1))
            self.cv_.append(self._cv_row(cat, y, "kappa", best[0], rules_k))

    def _precise(self, y: np.ndarray, added: np.ndarray) -> bool:
        """Whether the units a model would add were right often enough out of fold
        (:attr:`min_precision`); adding none is always allowed."""
        n = int(added.sum())
        return n == 0 or float((y & added).sum()) / n >= self.min_precision - 1e-12

    def _cv_row(self, label: str, y: np.ndarray, metric: str, value: float, rules: float) -> dict:
        t, mode = self.threshold_[label], self.mode_[label]
        unused = ("rules only (the model did not help)" if self.combine
                  else "never assigned (the model did not beat assigning none)")
        decision = (
            unused if not np.isfinite(t)
            else f"model p >= {t:.3f}" + (" or rule" if mode == "union" else ", rule as a feature")
        )  # fmt: skip
        return {"label": label, "n": int(y.sum()), "metric": metric, "value": round(value, 4),
                "rules": round(rules, 4), "threshold": t, "mode": mode,
                "decision": decision}  # fmt: skip

    def _without_rules(self, units: UnitTable) -> UnitTable:
        if self.use_rules:
            return units
        return UnitTable(units.frame, sparse.csr_matrix(units.rules.shape, dtype=np.int8),
                         units.codes)  # fmt: skip

    # -- predicting

    def _check(self) -> None:
        if self.features_ is None:
            raise ValueError("this CodeLearner is not fitted yet: call fit() first")

    def predict_proba(self, units: UnitTable) -> pd.DataFrame:
        """Calibrated probabilities, units × modelled labels (``labels_``)."""
        self._check()
        assert self.features_ is not None
        if units.codes != self.codes_:
            raise ModelError("the units were matched with another codebook than the model's")
        X = self.features_.transform(self._without_rules(units))
        out = {
            label: self._apply_platt(self._score(self.estimators_[label], X), self.platt_[label])
            for label in self.labels_
        }
        return pd.DataFrame(out, index=units.frame["unit_id"].to_numpy(), columns=self.labels_)

    def decide(self, units: UnitTable) -> Decision:
        """Combine rules and models into codes and categories for every unit.

        A code its rule assigns stands (unless the model took that code over,
        ``override_rules``); a model adds codes where it is confident. A residual
        (``*_other``) code the model gives, or adds for a category it asserts without a
        specific code, is dropped where a specific code of its category stands; one its
        rule gives is kept like any rule's code.
        """
        proba = self.predict_proba(units)
        units = self._without_rules(units)
        rules = self._decision_rules(units)
        codes = rules.copy()
        src_model = np.zeros_like(codes)
        for label in self.labels_:
            if label in self.category_of_:
                j = self.codes_.index(label)
                fired = proba[label].to_numpy() >= self.threshold_[label]
                src_model[:, j] = fired
                codes[:, j] = fired | (rules[:, j] if self.mode_[label] == "union" else False)
        residual_added = np.zeros_like(codes)
        cats = sorted({self.category_of_[c] for c in self.codes_})
        cat_cols = {k: [j for j, c in enumerate(self.codes_) if self.category_of_[c] == k]
                    for k in cats}  # fmt: skip
        for cat in cats:
            cols = cat_cols[cat]
            res = self.residual_.get(cat)
            rj = self.codes_.index(res) if res else None
            specific = [j for j in cols if j != rj]
            has_specific = codes[:, specific].any(axis=1)
            if rj is not None:
                # A residual code the model gave only where no specific code of its
                # category stands. One its rule gave stands whatever else is assigned
                # (a rule's code always stands): the codebook's residual rules decide
                # themselves what excludes them (C_other's rule fires beside
                # C_attribution, e.g. on a heading "二、问题产生的原因"), and a code the
                # model adds must not take a rule's code away.
                by_rule = rules[:, rj] & (self.mode_.get(self.codes_[rj], "union") == "union")
                codes[:, rj] &= ~has_specific | by_rule
            if cat in self.labels_:
                asserted = proba[cat].to_numpy() >= self.threshold_[cat]
                lacking = asserted & ~codes[:, cols].any(axis=1)
                if rj is not None:
                    residual_added[:, rj] = lacking
                    codes[:, rj] |= lacking
        ids = units.frame["unit_id"].to_numpy()
        code_frame = pd.DataFrame(codes.astype(np.int64), columns=self.codes_)
        code_frame.insert(0, "unit_id", ids)
        cat_frame = pd.DataFrame({"unit_id": ids})
        for cat in cats:
            cat_frame[cat] = codes[:, cat_cols[cat]].any(axis=1).astype(np.int64)
        r, c = np.nonzero(codes)
        p = proba.to_numpy()
        col = {label: k for k, label in enumerate(proba.columns)}
        rows = []
        for i, j in zip(r.tolist(), c.tolist(), strict=True):
            code = self.codes_[j]
            if residual_added[i, j]:
                source, score = "residual", float(p[i, col[self.category_of_[code]]])
            else:
                by_rule = bool(rules[i, j]) and self.mode_.get(code, "union") == "union"
                by_model = bool(src_model[i, j])
                source = "rule+model" if by_rule and by_model else "model" if by_model else "rule"
                score = float(p[i, col[code]]) if code in col else float("nan")
            rows.append((ids[i], code, self.category_of_[code], source, score))
        long = pd.DataFrame(rows, columns=["unit_id", "code", "category", "source", "score"])
        return Decision(code_frame, cat_frame, long, proba.reset_index(drop=True))

    def top_features(self, units: UnitTable, unit: int, label: str, n: int = 3) -> list[str]:
        """The ``n`` features that raise ``label``'s score most for the unit at ``unit``."""
        self._check()
        assert self.features_ is not None
        model = self.estimators_[label]
        if isinstance(model, float):
            return []
        x = self.features_.transform(self._without_rules(units).subset([unit]))
        contrib = x.multiply(model.coef_[0]).tocsr()
        order = np.argsort(-contrib.data, kind="stable")[:n]
        names = self.features_.names()
        return [names[contrib.indices[k]] for k in order if contrib.data[k] > 0]


# --------------------------------------------------------------------- model files


def _codebook_sha256(codebook: Codebook) -> str:
    """Checksum of the codebook's file ("" without one).

    :attr:`Codebook.path` shows a file inside the project relative to the project root,
    so such a path is found from the root when it is not a file from the working folder
    (a notebook runs in ``notebooks/``).
    """
    from workbench import config
    from workbench.provenance import sha256_file

    if not codebook.path:
        return ""
    path = Path(codebook.path)
    if not path.is_absolute() and not path.is_file():
        path = config.ROOT / path
    return sha256_file(path)


def save_model(
    learner: CodeLearner, path: str | os.PathLike, *, codebook: Codebook,
    sheets: Mapping[str, str], parameters: Mapping[str, Any] | None = None,
) -> Path:  # fmt: skip
    """Write a fitted learner with its provenance (``joblib``).

    The file records the workbench version, the checksums of the sheets it was trained
    on and of the codebook, and the codebook's version; :func:`load_model` refuses it
    with another codebook.
    """
    import joblib

    from workbench import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": MODEL_FORMAT,
        "workbench_version": __version__,
        "codebook_version": codebook.version,
        "codebook_sha256": _codebook_sha256(codebook),
        "codes": list(codebook.ids),
        "sheets": dict(sorted(sheets.items())),
        "parameters": dict(parameters or {}),
        "trained_units": list(learner.trained_units_),
        "learner": learner,
    }
    joblib.dump(payload, path, compress=3)
    return path


def load_model(path: str | os.PathLike, codebook: Codebook) -> tuple[CodeLearner, dict[str, Any]]:
    """Read a model written by :func:`save_model` and check it fits ``codebook``.

    Raises
    ------
    ModelError
        The file is not a workbench model, or it was trained with another codebook
        (different file checksum or different codes).
    """
    import joblib

    path = Path(path)
    try:
        payload = joblib.load(path)
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except Exception as err:  # joblib/pickle raise many types for a file that is not a model
        raise ModelError(f"{path}: not a workbench model file ({type(err).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelError(f"{path}: not a workbench model file (train one with `workbench learn`)")
    checksum = _codebook_sha256(codebook)
    if payload["codes"] != list(codebook.ids) or (
        payload["codebook_sha256"] and checksum and payload["codebook_sha256"] != checksum
    ):
        raise ModelError(
            f"{path} was trained with codebook version {payload['codebook_version']} "
            f"(sha256 {payload['codebook_sha256'][:12]}), not with {codebook.path or 'this one'} "
            f"(version {codebook.version}, sha256 {checksum[:12]}): retrain it with "
            "`workbench learn --codebook ...` or pass the codebook it was trained with"
        )
    meta = {k: v for k, v in payload.items() if k != "learner"}
    return payload["learner"], meta


def too_few(learner: CodeLearner) -> list[dict[str, Any]]:
    """The codes and categories coded in the sheets but too rarely for a model of their own.

    Each with ``label``, ``n`` (its positive units) and ``kind`` (``code`` or
    ``category``), codes first, in codebook order; those with no positive unit at all
    are left out (they were not coded). The rules still assign them.

    Examples
    --------
    >>> learner = CodeLearner(min_support=5)
    >>> learner.support_ = {"P_a": 7, "P_b": 1, "P_c": 0, "problem": 3}
    >>> learner.labels_, learner.category_of_ = ["P_a"], {"P_a": "problem", "P_b": "problem"}
    >>> too_few(learner)
    [{'label': 'P_b', 'n': 1, 'kind': 'code'}, {'label': 'problem', 'n': 3, 'kind': 'category'}]
    """
    return [
        {"label": label, "n": n, "kind": "code" if label in learner.category_of_ else "category"}
        for label, n in learner.support_.items()
        if n > 0 and label not in learner.labels_
    ]


def cv_summary(learner: CodeLearner) -> list[dict[str, Any]]:
    """Cross-validated quality of each modelled label (out-of-fold, grouped by document).

    One row per label: ``label, n`` (positive units), ``metric`` (F1 for a code, Cohen's
    κ for a category) of the combined decision, the same for the rules alone, the
    threshold and how the decision is made. These are the figures the thresholds were
    chosen on, so they are optimistic for the chosen threshold; report agreement on
    documents the model never saw for a claim about validity.
    """
    return list(learner.cv_)


# ------------------------------------------------------------- coding with a model


def code_with_model(
    segments: pd.DataFrame, codebook: Codebook, learner: CodeLearner, unit: str = "sentence"
) -> Coding:
    """Code ``segments`` at ``unit`` with the rules and a learned model combined.

    Returns
    -------
    Coding
        As :func:`workbench.coding.coder.code_segments`, with two more columns in
        ``long``: ``source`` (``rule``, ``model``, ``rule+model``, ``residual``) and
        ``score`` (the model's calibrated probability, ``NaN`` without a model). A code
        the rule gave keeps its ``terms`` and ``spans``; a code only the model gave has
        as ``terms`` the n-grams that raised its score most and as ``spans`` the unit's
        segments (``segment_id:0-<length>``).
    """
    seg = segments.reset_index(drop=True)
    rule_coding = code_segments(seg, codebook, unit)
    by_sentence = rule_coding if unit == "sentence" else sentence_rules(seg, codebook)
    units = units_from_segments(seg, codebook, unit, rules=by_sentence)
    decision = learner.decide(units)
    keyed = rule_coding.long.set_index(["unit_id", "code"])
    pos = {u: i for i, u in enumerate(units.frame["unit_id"])}
    lengths = dict(zip(seg["segment_id"].astype(str), seg["text"].fillna("").str.len(),
                       strict=True))  # fmt: skip
    rows = []
    for r in decision.long.itertuples(index=False):
        if (r.unit_id, r.code) in keyed.index and r.source in ("rule", "rule+model"):
            hit = keyed.loc[(r.unit_id, r.code)]
            terms, spans = hit["terms"], hit["spans"]
        else:
            label = r.code if r.source != "residual" else learner.category_of_[r.code]
            modelled = label in learner.labels_
            top = learner.top_features(units, pos[r.unit_id], label) if modelled else []
            terms = "; ".join(top)
            members = units.frame.at[pos[r.unit_id], "segment_ids"].split()
            spans = "; ".join(f"{s}:0-{lengths[s]}" for s in members)
        rows.append((r.unit_id, r.code, r.category, terms, spans, r.source, r.score))
    long = pd.DataFrame(rows, columns=[*rule_coding.long.columns, "source", "score"])
    matrix = sparse.csr_matrix(decision.codes[codebook.ids].to_numpy(np.int8))
    return Coding(long=long, matrix=matrix, units=rule_coding.units, codes=codebook.ids, unit=unit)


def suggest_units(
    units: UnitTable, learner: CodeLearner, n: int, *, exclude: Sequence[str] = ()
) -> pd.DataFrame:
    """The next units to code: the most uncertain, spread over documents (active learning).

    Units the learner was trained on (by id or by any of their segments) and ``exclude``
    are never suggested.

    A unit's uncertainty is how close its calibrated probabilities come to their decision
    thresholds: the smallest distance, over the modelled labels, between the log-odds of
    the probability and of the threshold. Units are ranked within their document, and
    documents take turns (each document's most uncertain unit first, then each one's
    second …), so one long document cannot fill the sheet. Ties go by unit id.

    Returns
    -------
    DataFrame
        The chosen units of ``units.frame`` with a ``margin`` column, most uncertain first.
    """
    proba = learner.predict_proba(units)
    eps = 1e-6
    logit = np.log((proba.to_numpy() + eps) / (1 - proba.to_numpy() + eps))
    thresholds = np.array([min(learner.threshold_[lab], 0.999) for lab in learner.labels_])
    t_logit = np.log((thresholds + eps) / (1 - thresholds + eps))
    margin = np.abs(logit - t_logit).min(axis=1) if len(learner.labels_) else np.zeros(len(units))
    frame = units.frame.assign(margin=np.round(margin, 6))
    # A unit is already coded when its id, or any of its segments, was in a sheet.
    seen = set(exclude) | set(learner.trained_segments_)
    coded = [u in seen or any(s in seen for s in str(m).split())
             for u, m in zip(frame["unit_id"], frame["segment_ids"], strict=True)]  # fmt: skip
    frame = frame[~np.asarray(coded, dtype=bool) & (frame["text"].str.len() > 0)]
    frame = frame.sort_values(["margin", "unit_id"], kind="stable")
    frame = frame.assign(_turn=frame.groupby("file", sort=False).cumcount())
    frame = frame.sort_values(["_turn", "margin", "unit_id"], kind="stable")
    return frame.head(n).drop(columns="_turn").reset_index(drop=True)


def first_sheet_units(units: UnitTable, n: int, *, seed: int = 0) -> pd.DataFrame:
    """A first sheet before any model: ``n`` units drawn at random, stratified by file and role.

    Strata are spread evenly (:func:`workbench.coding.sheets.sample_units`), so every document
    and every section role is represented; with fewer units than file × role strata, by file
    only. Units without text are not drawn.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.coding.codebook import load_codebook
    >>> frame = pd.DataFrame({"unit_id": [f"u{i}" for i in range(12)],
    ...                       "doc_id": [f"d{i % 3}" for i in range(12)], "text": ["文本"] * 12})
    >>> first_sheet_units(UnitTable.from_frame(frame, load_codebook()), 6)["file"].tolist()
    ['d0', 'd0', 'd1', 'd1', 'd2', 'd2']
    """
    from workbench.coding.sheets import sample_units

    frame = units.frame[units.frame["text"].str.len() > 0]
    # Fewer units than file × role strata: spread over files first (roles fall at random),
    # so no document is left out of the first sheet.
    by = ("file", "role") if n >= len(frame.groupby(["file", "role"])) else ("file",)
    return sample_units(frame, n, by=by, seed=seed)
