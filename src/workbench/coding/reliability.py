"""Agreement between coders: precision, recall, F1, Cohen's kappa, Krippendorff's alpha.

Coders are tables with a ``unit_id`` column and one 0/1 column per category or
code (a human sheet read by :func:`workbench.coding.sheets.read_sheet`, or the rule
coder's :meth:`Coding.categories`). :func:`agreement` compares two coders column by
column, treating the first as the reference for precision and recall;
:func:`alpha` computes Krippendorff's alpha (nominal) across any number of coders
with the maintained ``krippendorff`` package. Cohen's kappa comes from
scikit-learn.

:func:`align_gold` re-attaches a stored gold sample to the current corpus: each
unit is matched by id *and* text, or, when a change in the corpus pipeline has
renumbered it, by identical text within the same article. Units that cannot be
found are returned in ``attrs["unmatched"]``, never dropped silently.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"unit_id": list("abcdef"), "x": [1, 1, 0, 0, 1, 0]})
>>> b = pd.DataFrame({"unit_id": list("abcdef"), "x": [1, 0, 0, 0, 1, 0]})
>>> agreement(a, b, ["x"]).round(3).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
{'column': 'x', 'n': 6, 'ref_pos': 3, 'other_pos': 2, 'both_pos': 2, 'precision': 1.0,
 'recall': 0.667, 'f1': 0.8, 'kappa': 0.667, 'percent_agreement': 0.833}
>>> round(alpha([a, b], "x"), 3)
0.686

:func:`code_table` restricts :func:`agreement` to columns the reference codes at
least ``min_support`` times and appends their macro average.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

AGREEMENT_COLUMNS = [
    "column", "n", "ref_pos", "other_pos", "both_pos", "precision", "recall", "f1", "kappa",
    "percent_agreement",
]  # fmt: skip


def _once(coders: Sequence[pd.DataFrame]) -> None:
    """Refuse a coder who coded a unit twice: which of the two codings counts is not
    known (``agreement`` said "differing: []", ``alpha`` kept the last without a word).

    Examples
    --------
    >>> _once([pd.DataFrame({"unit_id": ["u1", "u2", "u2"]})])
    Traceback (most recent call last):
    ...
    ValueError: coder 1 coded unit(s) twice: ['u2']; keep one coding of each unit
    """
    for i, coder in enumerate(coders, start=1):
        twice = coder["unit_id"][coder["unit_id"].duplicated()].unique().tolist()
        if twice:
            raise ValueError(f"coder {i} coded unit(s) twice: {twice[:5]}; keep one coding of "
                             "each unit")  # fmt: skip


def _same_units(ref: pd.DataFrame, other: pd.DataFrame) -> None:
    """Refuse two coders who did not code the same units, saying which coder lacks which
    units (a row deleted from one sheet). ``unit_agreement`` counted a unit the other
    coder never coded as coded with nothing, without a word.

    Examples
    --------
    >>> a = pd.DataFrame({"unit_id": ["u1", "u2", "u3"]})
    >>> _same_units(a, a.iloc[:2])
    Traceback (most recent call last):
    ...
    ValueError: coders must code the same units: 1 unit(s) only the reference (first) coder \
coded: ['u3']; code them on both sheets or leave them out of both
    """
    _once([ref, other])
    only_ref = sorted(set(ref["unit_id"]) - set(other["unit_id"]), key=str)
    only_other = sorted(set(other["unit_id"]) - set(ref["unit_id"]), key=str)
    said = [f"{len(ids)} unit(s) only the {who} coder coded: {ids[:5]}"
            + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            for who, ids in (("reference (first)", only_ref), ("other (second)", only_other))
            if ids]  # fmt: skip
    if said:
        raise ValueError(f"coders must code the same units: {'; '.join(said)}; code them on "
                         "both sheets or leave them out of both")  # fmt: skip


def _paired(ref: pd.DataFrame, other: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    _same_units(ref, other)
    merged = ref[["unit_id", column]].merge(
        other[["unit_id", column]], on="unit_id", how="inner", suffixes=("_ref", "_other")
    )
    return merged[f"{column}_ref"].to_numpy(int), merged[f"{column}_other"].to_numpy(int)


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def agreement(ref: pd.DataFrame, other: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per-column agreement of ``other`` with the reference coder ``ref``.

    Parameters
    ----------
    ref, other : DataFrame
        ``unit_id`` plus 0/1 columns; both must cover the same units.
    columns : sequence of str
        Columns (categories or codes) to compare.

    Returns
    -------
    DataFrame
        One row per column: ``n``, positives of each coder and of both,
        ``precision`` and ``recall`` of ``other`` against ``ref``, ``f1``,
        Cohen's ``kappa`` and ``percent_agreement``. Kappa is NaN when both coders
        use a single value (kappa is undefined there).
    """
    rows = []
    for col in columns:
        y_ref, y_other = _paired(ref, other, col)
        both = int(((y_ref == 1) & (y_other == 1)).sum())
        precision = _ratio(both, int(y_other.sum()))
        recall = _ratio(both, int(y_ref.sum()))
        f1 = _ratio(2 * both, int(y_other.sum() + y_ref.sum()))
        defined = len(set(y_ref) | set(y_other)) > 1
        kappa = float(cohen_kappa_score(y_ref, y_other)) if defined else float("nan")
        rows.append({
            "column": col, "n": len(y_ref), "ref_pos": int(y_ref.sum()),
            "other_pos": int(y_other.sum()), "both_pos": both, "precision": precision,
            "recall": recall, "f1": f1, "kappa": kappa,
            "percent_agreement": float((y_ref == y_other).mean()),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def code_table(
    ref: pd.DataFrame, other: pd.DataFrame, columns: Sequence[str], *, min_support: int = 3
) -> pd.DataFrame:
    """Per-code agreement for codes with ``ref_pos >= min_support``, plus a macro row.

    Rows are sorted by column name; the last row, ``column == "macro"``, holds the
    unweighted means of ``precision``, ``recall``, ``f1`` and ``kappa`` over those rows
    (a precision left undefined because ``other`` never used the code counts as 0);
    its ``ref_pos``, ``other_pos`` and ``both_pos`` are sums over those rows.

    Examples
    --------
    >>> a = pd.DataFrame({"unit_id": list("abcd"), "x": [1, 1, 1, 0], "y": [1, 0, 0, 0]})
    >>> b = pd.DataFrame({"unit_id": list("abcd"), "x": [1, 1, 0, 0], "y": [0, 0, 0, 0]})
    >>> t = code_table(a, b, ["y", "x"])
    >>> t["column"].tolist(), round(float(t["f1"].iloc[-1]), 3)
    (['x', 'macro'], 0.8)
    """
    table = agreement(ref, other, columns)
    table = table[table["ref_pos"] >= min_support].sort_values("column", kind="stable")
    macro = {"column": "macro", "n": int(table["n"].max()) if len(table) else 0}
    for col in ("ref_pos", "other_pos", "both_pos"):
        macro[col] = int(table[col].sum())
    macro["precision"] = float(table["precision"].fillna(0.0).mean())
    for col in ("recall", "f1", "kappa", "percent_agreement"):
        macro[col] = float(table[col].mean())
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)[AGREEMENT_COLUMNS]


def alpha(coders: Sequence[pd.DataFrame], column: str) -> float:
    """Krippendorff's alpha (nominal) for ``column`` across two or more coders.

    Units a coder left out count as missing, as Krippendorff's alpha allows. Where every
    coder gave every unit the same value (a code no one used), alpha is undefined: NaN, as
    :func:`agreement`'s kappa is (the ``krippendorff`` package raised "There has to be
    more than one value in the domain").

    Examples
    --------
    >>> a = pd.DataFrame({"unit_id": ["u1", "u2"], "P_x": [0, 0]})
    >>> alpha([a, a], "P_x")
    nan
    """
    if len(coders) < 2:
        raise ValueError("alpha needs at least two coders")
    _once(coders)
    units = sorted(set().union(*(set(c["unit_id"]) for c in coders)))
    data = np.full((len(coders), len(units)), np.nan)
    pos = {u: i for i, u in enumerate(units)}
    for row, coder in enumerate(coders):
        for u, v in zip(coder["unit_id"], coder[column], strict=True):
            data[row, pos[u]] = v
    if len(np.unique(data[~np.isnan(data)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def align_gold(gold: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Map gold units (sentence level) to the current corpus's segment ids.

    Parameters
    ----------
    gold : DataFrame
        With ``unit_id`` (a segment id when coded) and ``text``.
    segments : DataFrame
        The current corpus segments.

    Returns
    -------
    DataFrame
        ``gold`` with ``unit_id`` replaced by the current id and the original kept as
        ``gold_unit_id``; rows that cannot be found are left out and listed in
        ``attrs["unmatched"]``; ``attrs["remapped"]`` counts renumbered units.
    """
    seg = segments[["segment_id", "doc_id", "text"]]
    by_id = dict(zip(seg["segment_id"], seg["text"], strict=True))
    by_doc_text: dict[tuple[str, str], list[str]] = {}
    for sid, doc, text in seg.itertuples(index=False):
        by_doc_text.setdefault((doc, text), []).append(sid)
    used: set[str] = set()
    new_ids: list[str | None] = []
    for uid, text in zip(gold["unit_id"], gold["text"], strict=True):
        if by_id.get(uid) == text and uid not in used:
            new_ids.append(uid)
        else:
            doc = uid.rsplit("/", 2)[0]
            cands = [s for s in by_doc_text.get((doc, text), []) if s not in used]
            new_ids.append(cands[0] if cands else None)
        if new_ids[-1]:
            used.add(new_ids[-1])
    out = gold.assign(gold_unit_id=gold["unit_id"], unit_id=new_ids)
    unmatched = out.loc[out["unit_id"].isna(), "gold_unit_id"].tolist()
    out = out.loc[out["unit_id"].notna()].reset_index(drop=True)
    out.attrs["unmatched"] = unmatched
    out.attrs["remapped"] = int((out["unit_id"] != out["gold_unit_id"]).sum())
    return out


def _kappa_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray) -> np.ndarray:
    n = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (tp + tn) / n
        pa, pb = (tp + fn) / n, (tp + fp) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        k = (po - pe) / (1 - pe)
    return np.where(pe == 1, 1.0, k)


def _f1_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    den = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 2 * tp / den, 0.0)


def binary_kappa(ref: np.ndarray, other: np.ndarray) -> float:
    """Cohen's κ of two 0/1 codings (1.0 when both are constant and equal; 0.0 without units).

    Examples
    --------
    >>> round(binary_kappa(np.array([1, 1, 0, 0, 1, 0]), np.array([1, 0, 0, 0, 1, 0])), 3)
    0.667
    """
    r, o = np.asarray(ref, dtype=bool), np.asarray(other, dtype=bool)
    if not len(r):
        return 0.0
    counts = (np.sum(r & o), np.sum(~r & o), np.sum(r & ~o), np.sum(~r & ~o))
    return float(_kappa_counts(*(np.float64(c) for c in counts)))


def binary_f1(ref: np.ndarray, other: np.ndarray) -> float:
    """F1 of ``other`` against the reference ``ref`` (0/1 arrays; 0.0 when neither has a 1)."""
    r, o = np.asarray(ref, dtype=bool), np.asarray(other, dtype=bool)
    return float(_f1_counts(np.float64(np.sum(r & o)), np.float64(np.sum(~r & o)),
                            np.float64(np.sum(r & ~o))))  # fmt: skip


def unit_agreement(
    ref: pd.DataFrame,
    other: pd.DataFrame,
    *,
    codes: Sequence[str],
    categories: Sequence[str],
    groups: Sequence[str],
    catch_alls: Sequence[str] = (),
    min_support: int = 3,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict:
    """Agreement of ``other`` with the reference ``ref``, with bootstrap intervals over groups.

    Units are resampled by *group* (document): units of one document are not independent,
    so an interval from resampling units would be too narrow. Intervals are percentile
    intervals of ``n_boot`` resamples of the groups, with replacement, seeded.

    Parameters
    ----------
    ref, other : DataFrame
        ``unit_id`` and 0/1 columns for every code and category, the same units (else
        :class:`ValueError`, naming the units one coder lacks).
    codes, categories : sequence of str
        The code and category columns.
    groups : sequence of str
        The group (document) of each unit of ``ref``, in its row order.
    catch_alls : sequence of str
        Catch-all codes, left out of ``macro_f1_specific``.
    min_support : int
        Codes enter the macro averages when ``ref`` has at least this many positives.
    n_boot, seed, level
        Bootstrap resamples, their seed and the interval's coverage.

    Returns
    -------
    dict
        ``n`` units; ``kappa_<category>`` and its ``[lo, hi]`` in
        ``kappa_<category>_ci``; ``macro_f1`` and ``macro_f1_specific`` with ``_ci``;
        ``codes``: per code ``n, precision, recall, f1, f1_ci``.

    Examples
    --------
    >>> ref = pd.DataFrame({"unit_id": list("abcdef"), "X": [1, 1, 0, 0, 1, 0],
    ...                     "x": [1, 1, 0, 0, 1, 0]})
    >>> oth = pd.DataFrame({"unit_id": list("abcdef"), "X": [1, 0, 0, 0, 1, 0],
    ...                     "x": [1, 0, 0, 0, 1, 0]})
    >>> r = unit_agreement(ref, oth, codes=["X"], categories=["x"], groups=list("aabbcc"),
    ...                    n_boot=200)
    >>> round(r["kappa_x"], 3), round(r["codes"]["X"]["f1"], 3)
    (0.667, 0.8)
    """
    _same_units(ref, other)
    cols = [*codes, *categories]
    o = ref[["unit_id"]].merge(other, on="unit_id", how="left").fillna(0)
    R = ref[cols].to_numpy(bool)
    P = o[cols].to_numpy(bool)
    g_codes, g_index = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    G = len(g_codes)
    onehot = np.zeros((G, len(R)))
    onehot[g_index, np.arange(len(R))] = 1.0
    counts = {
        "tp": onehot @ (R & P), "fp": onehot @ (~R & P),
        "fn": onehot @ (R & ~P), "tn": onehot @ (~R & ~P),
    }  # fmt: skip
    rng = np.random.default_rng(seed)
    weights = np.vstack([np.ones(G), rng.multinomial(G, np.full(G, 1.0 / G), size=n_boot)])
    tp, fp, fn, tn = (weights @ counts[k] for k in ("tp", "fp", "fn", "tn"))
    kappa = _kappa_counts(tp, fp, fn, tn)
    f1 = _f1_counts(tp, fp, fn)
    support = R.sum(axis=0)
    nc = len(codes)
    sup = [j for j in range(nc) if support[j] >= min_support]
    spec = [j for j in sup if codes[j] not in set(catch_alls)]
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2

    def summary(values: np.ndarray) -> tuple[float, list[float]]:
        boot = values[1:][np.isfinite(values[1:])]
        ci = [float(np.quantile(boot, lo_q)), float(np.quantile(boot, hi_q))] if len(boot) else []
        return float(values[0]), [round(x, 3) for x in ci]

    def macro(idx: list[int]) -> np.ndarray:
        if not idx:
            return np.full(len(weights), np.nan)
        present = (tp[:, idx] + fn[:, idx]) > 0  # a resample without the code: not averaged
        vals = np.where(present, f1[:, idx], np.nan)
        with warnings.catch_warnings():  # a resample with none of the codes: NaN, skipped
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(vals, axis=1)

    out: dict = {"n": len(R), "groups": G}
    for i, cat in enumerate(categories):
        out[f"kappa_{cat}"], out[f"kappa_{cat}_ci"] = summary(kappa[:, nc + i])
    out["macro_f1"], out["macro_f1_ci"] = summary(macro(sup))
    out["macro_f1_specific"], out["macro_f1_specific_ci"] = summary(macro(spec))
    out["n_codes"], out["n_codes_specific"] = len(sup), len(spec)
    per = {}
    for j, c in enumerate(codes):
        if not support[j] and not P[:, j].any():
            continue
        t, f_p = float(tp[0, j]), float(fp[0, j])
        per[c] = {
            "n": int(support[j]), "predicted": int(P[:, j].sum()),
            "precision": round(t / (t + f_p), 3) if t + f_p else 0.0,
            "recall": round(t / support[j], 3) if support[j] else 0.0,
            "f1": round(float(f1[0, j]), 3), "f1_ci": summary(f1[:, j])[1],
        }  # fmt: skip
    out["codes"] = per
    return out
