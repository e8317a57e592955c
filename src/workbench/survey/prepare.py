"""Select a model's columns, drop incomplete rows with a report, check clusters.

Nothing is dropped silently: :func:`model_frame` returns the complete rows and a
table saying how many rows were dropped for a missing value in which column.

Examples
--------
>>> import numpy as np, pandas as pd
>>> d = pd.DataFrame({"y": [1.0, np.nan, 3, 4], "x": [1, 2, np.nan, 4], "z": [0, 0, 0, 0]})
>>> frame, dropped = model_frame(d, "y ~ x")
>>> list(frame.index), dropped.values.tolist()
([0, 3], [['y', 'missing value', 1], ['x', 'missing value', 1]])
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import patsy

from workbench.survey.validate import (
    BLANKS,
    SingletonClusterError,
    SurveyValidationError,
    closest,
    format_names,
    format_rows,
    suggest,
)

#: A name in a formula: a Python identifier, so Chinese column names (走访次数) too, and
#: dotted names (``sat.overall``, ``np.log``).
_IDENT = re.compile(r"[^\W\d]\w*(?:\.\w+)*")

DROP_COLUMNS = ["column", "reason", "rows"]

FORMULA_GLOBALS = frozenset({*dir(builtins), *patsy.builtins.__all__, "np", "numpy"})
"""Bare names a formula may use that are not columns (``C``, ``I``, ``Sum``, ``True`` ...)."""


def formula_columns(formula: str, columns: Iterable[str]) -> list[str]:
    """Columns of the data named in ``formula``, in order of first mention.

    Examples
    --------
    >>> formula_columns("y ~ np.log(x) + a:b + C(g)", ["a", "b", "g", "x", "y", "q"])
    ['y', 'x', 'a', 'b', 'g']

    Chinese names and names quoted with ``Q`` are columns too:

    >>> formula_columns('满意度 ~ 走访次数 + Q("谈心 次数")', ["满意度", "走访次数", "谈心 次数"])
    ['满意度', '走访次数', '谈心 次数']
    """
    known = set(map(str, columns))
    named = [n for n in formula_names(formula) if n in known]  # Q("a b") included
    found = [tok for tok in _IDENT.findall(formula) if tok in known]
    return list(dict.fromkeys([*named, *found]))


def formula_names(formula: str) -> list[str]:
    """Variable names a model formula refers to, outcome first, in order of mention.

    Function names (``np.log``, ``C``, ``I``) are not variables; ``Q("a b")``
    refers to the column ``a b``.

    Raises
    ------
    SurveyValidationError
        When the formula cannot be parsed.

    Examples
    --------
    >>> formula_names('y ~ np.log(x) + a*b + C(g, Treatment(reference=2)) + Q("a b")')
    ['y', 'x', 'a', 'b', 'g', 'a b']
    """
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as err:
        raise SurveyValidationError(f"formula {formula!r} cannot be read: {err}") from None
    names: list[str] = []
    for term in [*desc.lhs_termlist, *desc.rhs_termlist]:
        for factor in term.factors:
            names += _code_names(factor.code)
    return list(dict.fromkeys(names))


def _code_names(code: str) -> list[str]:
    """Names used as values in one formula factor (``np.log(x)`` → ``x``)."""
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError:
        return []  # patsy reports it when the model is built
    not_values: set[int] = set()
    quoted: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            not_values.add(id(node.func))
            if (
                isinstance(node.func, ast.Name)
                and node.func.id == "Q"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                quoted.append(node.args[0].value)
        if isinstance(node, ast.Attribute):  # np.log, np.pi: a module, not a column
            not_values.add(id(node.value))
    names = [
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and id(node) not in not_values
    ]
    return [*names, *quoted]


def check_formula(formula: str, columns: Iterable[str]) -> None:
    """Refuse a formula naming a column that is not in the data, before any fitting.

    Raises
    ------
    SurveyValidationError
        Naming each unknown name with the closest column names, so a typo in the
        outcome or a predictor is one message rather than a patsy traceback.

    Examples
    --------
    >>> try:
    ...     check_formula("trust ~ vists + solved", ["trust", "visits", "solved"])
    ... except SurveyValidationError as err:
    ...     print(str(err)[:76])
    formula 'trust ~ vists + solved' names 'vists' (did you mean 'visits'?), not
    >>> try:
    ...     check_formula("年龄(岁) ~ visits", ["年龄(岁)", "visits"])
    ... except SurveyValidationError as err:
    ...     print(str(err)[-54:])
    brackets or signs as Q('…') (did you mean Q('年龄(岁)')?)
    """
    if "~" not in formula:
        raise SurveyValidationError(
            f"formula {formula!r} has no outcome; write it as 'outcome ~ predictors'"
        )
    known = [str(c) for c in columns]
    # patsy writes a factor's code with its own spacing (总体满意度(1 - 5)).
    bare = {"".join(c.split()): c for c in known}
    for code in _factor_codes(formula):
        # 总体满意度(1-5) reads as a call, 走访 次数 as nothing: a column whose name is no
        # Python name must be quoted, else no column is found and nothing said why.
        try:
            ast.parse(code, mode="eval")
            if code.isidentifier():
                continue  # a name: a column, or named as unknown below
            column = code if code in known else bare.get("".join(code.split()), "")
            if not column or column.isidentifier():
                continue
            code = column
            why = "is a column whose name a formula reads as arithmetic or a call"
        except SyntaxError:
            why = "is neither a column name nor an expression"
        raise SurveyValidationError(
            f"formula {formula!r}: {code!r} {why}; quote a column name with spaces, brackets "
            f"or signs as Q('…') {_suggest_term(code, known)}"
        )
    absent = [n for n in formula_names(formula) if n not in set(known) and n not in FORMULA_GLOBALS]
    if absent:
        raise SurveyValidationError(
            f"formula {formula!r} names "
            + ", ".join(f"{n!r} {_suggest_term(n, known)}" for n in absent)
            + f", not a column of the data; {format_names(known)}. Fix the formula, or "
            "give your columns these names with a mapping file (--mapping)"
        )


def _factor_codes(formula: str) -> list[str]:
    """The code of each factor of a formula (``np.log(x)``, ``a``), outcome first."""
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as err:
        raise SurveyValidationError(f"formula {formula!r} cannot be read: {err}") from None
    terms = [*desc.lhs_termlist, *desc.rhs_termlist]
    return list(dict.fromkeys(f.code for term in terms for f in term.factors))


def _suggest_term(name: str, columns: Sequence[str]) -> str:
    """``suggest`` for a formula: a close column as the formula must write it.

    A name that is no Python identifier (``Q5-1``, ``年龄(岁)``, ``信任 程度``) is read by
    a formula as arithmetic or a call; it must be quoted, ``Q('Q5-1')``.

    Examples
    --------
    >>> print(_suggest_term("Q5_1", ["Q5-1", "trust"]))
    (did you mean Q('Q5-1')?)
    >>> print(_suggest_term("tust", ["Q5-1", "trust"]))
    (did you mean 'trust'?)
    """
    found = closest(name, columns)
    if not found:
        return suggest(name, columns)
    shown = [repr(f) if f.isidentifier() else f"Q({f!r})" for f in found]
    return f"(did you mean {' or '.join(shown)}?)"


@dataclass(frozen=True)
class ReducedFormula:
    """A model formula cut down to the terms a survey has columns for; see :func:`reduce_formula`.

    Attributes
    ----------
    formula : str
        The formula to fit: the given one when nothing was left out, else its outcome and
        the kept terms.
    dropped : list of str
        Terms of the given formula left out (``visits:solved`` when ``solved`` is absent).
    absent : list of str
        Standard columns the formula (or ``required``) names that the data lack.
    runs : bool
        Whether the model can be fitted: the outcome and every required column are there,
        and at least one key variable is in a kept term.
    outcome, key, required : list of str
        What was asked for, for :meth:`note`.
    """

    formula: str
    dropped: list[str]
    absent: list[str]
    runs: bool
    outcome: list[str] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)

    def note(self, model: str, mapping: str) -> str | None:
        """One sentence on what ``model`` left out or why it is skipped; None when it is whole."""
        where = f"map your survey's columns to them in the mapping file ({mapping})"
        if not self.runs:
            lacking = [c for c in [*self.outcome, *self.required] if c in self.absent]
            what = (f"no column(s) {', '.join(lacking)}" if lacking
                    else f"none of the columns {', '.join(self.key)}")  # fmt: skip
            return f"{model} is skipped: the survey has {what} (standard names); {where}."
        if not self.dropped:
            return None
        return (
            f"{model} runs without the term(s) {', '.join(self.dropped)} of the standard "
            f"model, because the survey has no column(s) {', '.join(self.absent)} (standard "
            "names): its estimates adjust for less than the standard model's. If your survey "
            f"has these columns under other names, {where}."
        )


def reduce_formula(
    formula: str,
    columns: Iterable[object],
    key: Sequence[str] | None = None,
    required: Sequence[str] = (),
) -> ReducedFormula:
    """Cut a model formula down to the terms whose variables are columns of the data.

    A term is kept when every variable it names is a column: an interaction
    (``visits:solved``, from ``visits * solved``) goes when either side is absent, a
    ``C(g)`` or ``np.log(x)`` term when ``g`` or ``x`` is.

    Parameters
    ----------
    formula : str
        Patsy / statsmodels formula, ``outcome ~ terms``.
    columns : iterable
        The data's columns.
    key : sequence of str, optional
        Variables of which the model needs at least one among its kept terms (the
        liaison measures); default: any variable of the right-hand side.
    required : sequence of str
        Columns the model needs besides its formula (groups, clusters, the variable of a
        random slope); any of them absent means the model cannot run.

    Returns
    -------
    ReducedFormula
        The formula to fit, the terms left out, the absent columns and whether the
        model can run; :meth:`ReducedFormula.note` says it in one sentence.

    Raises
    ------
    SurveyValidationError
        When the formula has no outcome or cannot be read.

    Examples
    --------
    >>> r = reduce_formula("y ~ visits * solved + talk + C(county) + age", ["y", "visits", "talk"])
    >>> r.formula, r.dropped, r.absent, r.runs
    ('y ~ visits + talk', ['solved', 'visits:solved', 'C(county)', 'age'], ['solved', 'county', \
'age'], True)
    >>> print(r.note("The model 'OLS'", "my.yaml"))  # doctest: +NORMALIZE_WHITESPACE
    The model 'OLS' runs without the term(s) solved, visits:solved, C(county), age of the
    standard model, because the survey has no column(s) solved, county, age (standard names):
    its estimates adjust for less than the standard model's. If your survey has these columns
    under other names, map your survey's columns to them in the mapping file (my.yaml).

    With every column there the formula is the one given, and there is nothing to say:

    >>> whole = reduce_formula("y ~ visits * solved", ["y", "visits", "solved"])
    >>> whole.formula, whole.dropped, whole.note("m", "my.yaml")
    ('y ~ visits * solved', [], None)

    Without the outcome, or without any key variable, the model cannot run:

    >>> reduce_formula("y ~ visits + age", ["visits", "age"]).runs
    False
    >>> skipped = reduce_formula("y ~ visits + age", ["y", "age"], key=["visits"])
    >>> print(skipped.note("The model", "my.yaml"))  # doctest: +ELLIPSIS
    The model is skipped: the survey has none of the columns visits (standard names); map ...
    """
    if "~" not in formula:
        raise SurveyValidationError(
            f"formula {formula!r} has no outcome; write it as 'outcome ~ predictors'"
        )
    known = {str(c) for c in columns} | FORMULA_GLOBALS
    desc = patsy.ModelDesc.from_formula(formula)  # formula_names reports a bad formula
    lhs = [n for t in desc.lhs_termlist for f in t.factors for n in _code_names(f.code)]
    outcome = [n for n in dict.fromkeys(lhs) if n not in FORMULA_GLOBALS]
    kept, dropped, present = [], [], set()
    for term in desc.rhs_termlist:
        used = [n for f in term.factors for n in _code_names(f.code)]
        if all(n in known for n in used):
            kept.append(term)
            present.update(used)
        else:
            dropped.append(term.name())
    names = formula_names(formula)
    everything = [*names, *required]
    absent = list(dict.fromkeys(n for n in everything if n not in known))
    wanted = list(key) if key is not None else [n for n in names if n not in outcome]
    runs = not any(n in absent for n in [*outcome, *required]) and any(n in present for n in wanted)
    reduced = formula if not dropped else patsy.ModelDesc(desc.lhs_termlist, kept).describe()
    return ReducedFormula(reduced, dropped, absent, runs, outcome, list(wanted), list(required))


def _categorical_only(formula: str) -> set[str]:
    """Names that the formula uses only inside ``C(...)``: categories on purpose.

    Examples
    --------
    >>> sorted(_categorical_only("y ~ C(a) + b + C(b) + np.log(c)"))
    ['a']
    """
    desc = patsy.ModelDesc.from_formula(formula)
    inside: set[str] = set()
    bare: set[str] = set()
    for term in [*desc.lhs_termlist, *desc.rhs_termlist]:
        for factor in term.factors:
            wrapped = re.fullmatch(r"C\((.*)\)", factor.code.strip(), flags=re.S)
            (inside if wrapped else bare).update(_code_names(factor.code))
    return inside - bare


def check_numbers_as_text(frame: pd.DataFrame, formula: str) -> None:
    """Refuse a predictor of numbers with a few words among them ("3", "5", "无").

    Such a column is read as text, and a formula would make each of its values a
    category: ``走访次数[T.无]`` beside ``走访次数[T.3]``, no slope and no warning. A
    column that is mostly numbers (at least half of its distinct filled values) and
    used outside ``C(...)`` is an error naming the words and their rows.

    Raises
    ------
    SurveyValidationError
        Naming the column, its words and their rows, and what to do.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": ["0", "2", "无", "5"]}, index=range(1, 5))
    >>> check_numbers_as_text(d, "y ~ C(x)")  # categories on purpose
    >>> try:
    ...     check_numbers_as_text(d, "y ~ x")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:59])
    column 'x' holds numbers and text ('无' in row 3): a formula
    """
    skip = _categorical_only(formula)
    for col in formula_columns(formula, frame.columns):
        values = frame[col]
        if col in skip or pd.api.types.is_numeric_dtype(values):
            continue
        if isinstance(values.dtype, pd.CategoricalDtype):
            continue
        text = values.dropna().astype(str).str.strip()  # blanks are NaN (io._clean_text)
        filled = text[~text.isin(BLANKS)]
        is_number = pd.to_numeric(filled, errors="coerce").notna()
        distinct = filled.drop_duplicates()
        numbers = pd.to_numeric(distinct, errors="coerce").notna()
        if not len(distinct) or numbers.mean() < 0.5 or is_number.all():
            continue
        words = filled[~is_number]
        shown = "; ".join(
            f"{word!r} in {format_rows(words.index[words == word])}"
            for word in list(dict.fromkeys(words))[:5]
        )
        raise SurveyValidationError(
            f"column {col!r} holds numbers and text ({shown}): a formula would make each "
            "of its values a category. Leave a missing answer blank (its row is then left "
            "out and counted), give the text its number under 'values:' in a mapping file "
            f"(e.g. {col}: {{无: 0}} if it means none), "
            f"or write C({col}) if the values are categories"
        )


def check_many_levels(frame: pd.DataFrame, formula: str) -> None:
    """Refuse a text predictor, written bare, with nearly a value per row (free-text answers,
    times, names): a formula would give each value a dummy, a fit with no meaning.

    A column of more than 20 different values in more than half of the rows is refused;
    ``C(x)`` keeps it as categories on purpose, and an expression of it
    (``Q('x').str.contains('走访')``) is not a category of its values.

    Raises
    ------
    SurveyValidationError
        Naming the column, its number of values and what to do.

    Examples
    --------
    >>> d = pd.DataFrame({"y": range(30), "note": [f"意见{i}" for i in range(30)]})
    >>> check_many_levels(d, "y ~ C(note)")
    >>> try:
    ...     check_many_levels(d, "y ~ note")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:52])
    column 'note' holds text with 30 different values in
    """
    desc = patsy.ModelDesc.from_formula(formula)
    for term in desc.rhs_termlist:
        for factor in term.factors:
            code = factor.code.strip()
            quoted = re.fullmatch(r"Q\(\s*(['\"])(.*)\1\s*\)", code, flags=re.S)
            col = quoted.group(2) if quoted else code
            if col not in frame.columns or pd.api.types.is_numeric_dtype(frame[col]):
                continue
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                continue
            n_values = frame[col].nunique()
            if n_values > 20 and n_values * 2 > len(frame):
                raise SurveyValidationError(
                    f"column {col!r} holds text with {n_values} different values in "
                    f"{len(frame)} rows: a formula would give each value a dummy of its own, "
                    f"a fit with no meaning. If it holds numbers written with words, give "
                    f"them their numbers (a mapping's 'values:', or recode the file); write "
                    f"C({code}) if its values really are categories"
                )


def model_frame(
    data: pd.DataFrame, formula: str, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete rows of the formula's columns and ``extra`` columns, and a drop report.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey, missing values as NaN (see :func:`workbench.survey.io.load_survey`).
    formula : str
        A model formula; its data columns are found by name.
    extra : sequence of str
        Further columns needed (clusters, groups, weights).

    Returns
    -------
    frame : pandas.DataFrame
        The needed columns of the rows without a missing value in any of them
        (index kept).
    dropped : pandas.DataFrame
        ``column, reason, rows``: rows dropped, counted against the first needed
        column (in formula order) that is missing in them.

    Raises
    ------
    SurveyValidationError
        If the formula or ``extra`` names a column not in ``data`` (with the
        closest names), or no complete row is left.
    """
    check_formula(formula, data.columns)
    needed = list(dict.fromkeys([*formula_columns(formula, data.columns), *extra]))
    absent = [c for c in extra if c not in data.columns]
    if absent:
        raise SurveyValidationError(
            "column(s) "
            + ", ".join(f"{c!r} {suggest(c, data.columns)}" for c in absent)
            + f" not found; {format_names(data.columns)}"
        )
    if not needed:
        raise SurveyValidationError(
            f"formula {formula!r} names no column of the data; write it as 'outcome ~ "
            f"predictors' with column names; {format_names(data.columns)}"
        )
    sub = data[needed]
    missing = sub.isna()
    first = missing.idxmax(axis=1)[missing.any(axis=1)]
    counts = first.value_counts()
    dropped = pd.DataFrame(
        [
            {"column": c, "reason": "missing value", "rows": int(counts[c])}
            for c in needed
            if c in counts
        ],
        columns=DROP_COLUMNS,
    )
    frame = data.loc[~missing.any(axis=1), needed]
    if frame.empty:
        # Name the cause: a column empty in every row (an unanswered question, a mapping
        # to the wrong column) is the usual one, and "misses one of" hid which.
        empty = [c for c in needed if missing[c].all()]
        if empty:
            raise SurveyValidationError(
                f"no complete rows for {formula!r}: "
                + ", ".join(repr(c) for c in empty)
                + (" is" if len(empty) == 1 else " are")
                + f" empty (missing) in every one of the {len(data)} rows; leave "
                + ("it" if len(empty) == 1 else "them")
                + " out of the formula, or check the column (and its mapping)"
            )
        counts = ", ".join(f"{c!r} {int(missing[c].sum())}" for c in needed)
        raise SurveyValidationError(
            f"no complete rows for {formula!r}: every row misses one of {needed} "
            f"(rows missing each: {counts})"
        )
    return frame, dropped


def check_singletons(
    frame: pd.DataFrame, column: str, policy: str = "error"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Find clusters with one respondent; raise (``"error"``), drop and report them, or keep them.

    ``"keep"`` suits the groups of a mixed model, where a group of one is legitimate
    (its BLUP is shrunk strongly towards zero; lme4 and Stata keep it).

    Examples
    --------
    >>> d = pd.DataFrame({"g": [1, 1, 2, 3, 3]})
    >>> try:
    ...     check_singletons(d, "g", "error")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:52])
    column 'g': 1 cluster(s) with one respondent: 2 (row
    >>> kept, report = check_singletons(d, "g", "drop")
    >>> len(kept), report["rows"].tolist()
    (4, [1])
    """
    if policy not in ("error", "drop", "keep"):
        raise ValueError(f"singletons must be 'error', 'drop' or 'keep', not {policy!r}")
    if policy == "keep":
        return frame, pd.DataFrame(columns=DROP_COLUMNS)
    sizes = frame[column].map(frame[column].value_counts())
    single = frame.index[sizes.to_numpy() == 1]
    if len(single) == 0:
        return frame, pd.DataFrame(columns=DROP_COLUMNS)
    if policy == "error":
        ids = ", ".join(f"{frame.at[i, column]} (row {i})" for i in single[:10])
        raise SingletonClusterError(
            column,
            f"{len(single)} cluster(s) with one respondent: {ids}"
            f"{format_rows(single, only_more=True)}",
        )
    report = pd.DataFrame(
        [{"column": column, "reason": "cluster with one respondent", "rows": len(single)}],
        columns=DROP_COLUMNS,
    )
    return frame.drop(index=single), report


def check_several(frame: pd.DataFrame, column: str, role: str) -> None:
    """Refuse a cluster or grouping column with one value in the rows a model uses.

    With one cluster the cluster-robust variance divides by zero (a crash inside
    statsmodels); with one group a mixed model still "fits", splitting the variance
    between the group and the residual arbitrarily, and a ranking ranks one group.
    Either is a column the user chose by mistake, or one left with a value after the
    rows with missing values were dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The model frame (complete rows, singletons handled).
    column : str
        The cluster or grouping column.
    role : {"cluster", "groups"}
        What the column is for, to say what needs two values.

    Examples
    --------
    >>> try:
    ...     check_several(pd.DataFrame({"county": [1, 1, 1]}), "county", "cluster")
    ... except SurveyValidationError as err:
    ...     print(str(err)[:63])
    column 'county' has one value (1) in all 3 rows the model uses;
    """
    values = frame[column].dropna().unique()
    if len(values) >= 2:
        return
    shown = f"one value ({values[0]})" if len(values) else "no value"
    need = {
        "cluster": "cluster-robust standard errors need at least two clusters (dozens to be "
        "trusted); cluster by a column with several values, or leave clustering out",
        "groups": "a mixed model and a ranking need at least two groups; group by a column "
        "with several values, or fit a model without groups (ols)",
    }[role]
    raise SurveyValidationError(
        f"column {column!r} has {shown} in all {len(frame)} rows the model uses; {need}"
    )

