"""Text linked to survey: code prevalence per place, joined to the survey's units.

A *places* table says where each document comes from or is about — ``doc_id`` and
one or more place columns named like the survey's (``county``, ``township``,
``village``).  :func:`code_prevalence` counts, per place, the documents and those
asserting each code (a document asserts a code when any of its coded units carries
it); :func:`join_places` puts these text-derived covariates beside the survey's
respondents, so a multilevel model can use "this township's reports name formalism"
next to the liaison measures.  Places without documents get missing covariates
and are reported (the models then leave their respondents out, and say so).

The bundled example is **SIMULATED**: ``data/raw/survey_link/places.csv`` places
the seed articles in townships of the simulated survey at random
(:func:`simulate_placement`, seed in ``data/raw/survey_link/dgp.yaml``) — the
articles were not written about those places — and :func:`linked_outcome` adds the
documented effect of the text covariate to trust, so a model can be checked against
a known truth.  Nothing in it is evidence about China.

Examples
--------
>>> import pandas as pd
>>> asserted = pd.DataFrame({"doc_id": ["a", "b", "c"], "P_formalism": [True, False, True]})
>>> places = pd.DataFrame({"doc_id": ["a", "b", "c"], "township": [1, 1, 2]})
>>> code_prevalence(asserted, places, "township").to_dict("records")
[{'township': 1, 'n_docs': 2, 'P_formalism_docs': 1, 'P_formalism_share': 0.5, \
'P_formalism_any': 1}, {'township': 2, 'n_docs': 1, 'P_formalism_docs': 1, \
'P_formalism_share': 1.0, 'P_formalism_any': 1}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench import config
from workbench.survey.validate import (
    SurveyValidationError,
    closest,
    format_names,
    format_rows,
    suggest,
)
from workbench.yamlio import safe_load

if TYPE_CHECKING:
    from workbench.coding.coder import Coding

LINK_DIR = config.RAW_DIR / "survey_link"
PLACES = LINK_DIR / "places.csv"
LINK_DGP = LINK_DIR / "dgp.yaml"
LEVELS = ("county", "township", "village")


def places_word(level: str, n: int = 2) -> str:
    """The place level as an English noun for ``n`` places: ``county``, ``counties`` ….

    Examples
    --------
    >>> places_word("county"), places_word("county", 1), places_word("township")
    ('counties', 'county', 'townships')
    """
    if n == 1:
        return level
    if level.endswith("y") and level[-2:-1] not in "aeiou":
        return level[:-1] + "ies"
    return level + "s"


def load_link_dgp(path: str | Path | None = None) -> dict[str, Any]:
    """The bundled link's documented process (``data/raw/survey_link/dgp.yaml``).

    Examples
    --------
    >>> dgp = load_link_dgp()
    >>> dgp["placement"]["level"], dgp["outcome"]["name"]
    ('township', 'trust_linked')
    """
    return safe_load(Path(path or LINK_DGP).read_text(encoding="utf-8"))


def simulate_placement(
    doc_ids: Sequence[str], survey: pd.DataFrame, level: str, seed: int
) -> pd.DataFrame:
    """SIMULATED places: each document in a different ``level`` unit, drawn at random.

    The units are drawn without replacement from those of ``survey`` (seeded), and
    the coarser levels above them (county for a township) are copied from the
    survey, so the places exist in it.

    Examples
    --------
    >>> from workbench.survey.io import load_survey
    >>> p = simulate_placement(["a", "b"], load_survey().frame, "township", seed=1)
    >>> list(p.columns), p["township"].nunique()
    (['doc_id', 'county', 'township'], 2)
    """
    _check_level(level, survey.columns, "the survey")
    units = np.sort(survey[level].dropna().unique())
    if len(doc_ids) > len(units):
        raise ValueError(f"{len(doc_ids)} documents but only {len(units)} {level} units")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(units, size=len(doc_ids), replace=False)
    above = [c for c in LEVELS[: LEVELS.index(level)] if c in survey.columns]
    lookup = survey.drop_duplicates(level).set_index(level)
    out = pd.DataFrame({"doc_id": list(doc_ids), level: chosen})
    for col in above:
        out.insert(len(out.columns) - 1, col, out[level].map(lookup[col]).to_numpy())
    return out


def _check_level(level: str, columns: Sequence[object], where: str) -> None:
    if level not in columns:
        raise SurveyValidationError(
            f"{where} has no column {level!r} {suggest(level, columns)}; {format_names(columns)}"
        )


def load_places(path: str | Path | None = None) -> pd.DataFrame:
    """Read a places table (CSV or Excel workbook: ``doc_id`` and place columns); default
    the bundled one.

    Raises
    ------
    SurveyValidationError
        Naming the file when ``doc_id`` is missing or listed twice.

    Examples
    --------
    >>> places = load_places()  # the bundled, SIMULATED placement
    >>> list(places.columns), len(places)
    (['doc_id', 'county', 'township'], 13)
    """
    from workbench.csvio import CsvError, read_user_table
    from workbench.survey.io import long_codes, numeric_column

    path = Path(path or PLACES)
    where = config.display_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{where}: no such places file")
    try:
        # As survey and metadata CSVs are read: UTF-8, GBK or UTF-16, whatever Excel saved
        # (or the workbook itself); rows numbered as Excel shows them, as the survey's are.
        places = read_user_table(path, where, sheet_rows=True)
    except CsvError as err:
        raise SurveyValidationError(str(err)) from None
    places.columns = [str(c).strip() for c in places.columns]
    if "doc_id" not in places.columns:
        raise SurveyValidationError(f"{where}: needs a 'doc_id' column; {format_names(places)}")
    places["doc_id"] = places["doc_id"].str.strip()
    blank = places.index[places["doc_id"] == ""]
    if len(blank):
        raise SurveyValidationError(
            f"{where}: blank doc_id in {format_rows(blank)}; give each row the doc_id of "
            "a document (`workbench corpus info` lists them) or delete the row"
        )
    twice = places["doc_id"][places["doc_id"].duplicated()].tolist()
    if twice:
        raise SurveyValidationError(f"{where}: documents listed twice: {twice[:10]}")
    for col in places.columns.drop("doc_id"):
        # Place codes written as numbers join the survey's numeric columns; names stay text.
        # Codes of more than 15 digits stay text, as the survey keeps them (floats merge them).
        numbers = None if long_codes(places[col]) else numeric_column(
            places, col, where, strict=False)  # fmt: skip
        places[col] = numbers if numbers is not None else places[col].str.strip()
    return places.reset_index(drop=True)


def asserted_codes(coding: Coding, codes: Sequence[str]) -> pd.DataFrame:
    """``doc_id`` × ``codes``: whether any coded unit of each document carries the code.

    Every document of ``coding.units`` has a row, coded or not.

    Raises
    ------
    ValueError
        For a code the coding does not have.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> coding = SimpleNamespace(
    ...     units=pd.DataFrame({"unit_id": ["a/1", "a/2", "b/1"], "doc_id": ["a", "a", "b"]}),
    ...     long=pd.DataFrame({"unit_id": ["a/2"], "code": ["X"]}),
    ...     codes=["X"],
    ... )
    >>> asserted_codes(coding, ["X"]).to_dict("list")
    {'doc_id': ['a', 'b'], 'X': [True, False]}
    """
    unknown = [c for c in codes if c not in coding.codes]
    if unknown:
        raise ValueError(f"codes {unknown} are not in the coding (it has {len(coding.codes)})")
    docs = coding.units[["unit_id", "doc_id"]]
    hits = coding.long[coding.long["code"].isin(codes)].merge(docs, on="unit_id")
    table = pd.DataFrame({"doc_id": pd.unique(docs["doc_id"])})
    for code in codes:
        table[code] = table["doc_id"].isin(hits.loc[hits["code"] == code, "doc_id"])
    return table


def code_prevalence(asserted: pd.DataFrame, places: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per place at ``level``: documents, documents asserting each code, share and any.

    Parameters
    ----------
    asserted : pandas.DataFrame
        ``doc_id`` and one boolean column per code (:func:`asserted_codes`).
    places : pandas.DataFrame
        ``doc_id`` and the ``level`` column (:func:`load_places`).
    level : str
        The place column to aggregate to (``"township"`` …).

    Returns
    -------
    pandas.DataFrame
        ``level, n_docs`` and for each code ``<code>_docs, <code>_share, <code>_any``
        (``_any`` is 1 when at least one document of the place asserts the code),
        one row per place with documents, sorted by place.

    Raises
    ------
    SurveyValidationError
        When ``places`` names documents that were not coded (duplicates are left
        out of analyses), or has no ``level`` column.
    """
    _check_level(level, places.columns, "the places table")
    absent = sorted(set(places["doc_id"]) - set(asserted["doc_id"]))
    if absent:
        raise SurveyValidationError(
            f"the places table names {len(absent)} document(s) not in the coded corpus: "
            f"{absent[:10]}; use the doc_id of documents.parquet (duplicates are left out "
            "of analyses)"
        )
    codes = [c for c in asserted.columns if c != "doc_id"]
    joined = places[["doc_id", level]].merge(asserted, on="doc_id")
    grouped = joined.groupby(level, sort=True)
    out = grouped.size().rename("n_docs").to_frame()
    for code in codes:
        out[f"{code}_docs"] = grouped[code].sum().astype(int)
        out[f"{code}_share"] = out[f"{code}_docs"] / out["n_docs"]
        out[f"{code}_any"] = (out[f"{code}_docs"] > 0).astype(int)
    return out.reset_index()


def join_places(
    frame: pd.DataFrame, prevalence: pd.DataFrame, level: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put the place covariates beside each respondent of ``frame``.

    Returns
    -------
    linked : pandas.DataFrame
        ``frame`` (same rows, same index) with the prevalence columns; ``n_docs``
        is 0 and the code columns are missing for places without documents.
    report : pandas.DataFrame
        ``places, respondents`` with and without documents, as rows ``"with
        documents"`` and ``"without documents"``.

    Raises
    ------
    SurveyValidationError
        When ``frame`` or ``prevalence`` has no ``level`` column, ``prevalence`` no
        ``n_docs`` (it is not a table of :func:`code_prevalence`) or a place on two rows,
        or no place of the prevalence table is in the survey.

    Examples
    --------
    >>> survey = pd.DataFrame({"township": [1, 1, 2], "trust": [50, 60, 70]})
    >>> prev = pd.DataFrame({"township": [1], "n_docs": [2], "X_any": [1]})
    >>> linked, report = join_places(survey, prev, "township")
    >>> linked["X_any"].tolist(), report["respondents"].tolist()
    ([1.0, 1.0, nan], [2, 1])
    """
    _check_level(level, frame.columns, "the survey")
    _check_level(level, prevalence.columns, "the prevalence table")
    if "n_docs" not in prevalence.columns:
        # A table of village covariates (人口, 距离) passed here failed with KeyError 'n_docs'.
        raise SurveyValidationError(
            f"join_places joins a table of code_prevalence (with n_docs per {level}), not "
            f"this one: {format_names(prevalence.columns)}. To put other {level} data beside "
            f"the respondents, use pandas: frame.join(table.set_index({level!r}), on={level!r})"
        )
    twice = prevalence[level][prevalence[level].duplicated()].tolist()
    if twice:
        # Joined, a place of two rows would give each of its respondents two rows.
        raise SurveyValidationError(
            f"the prevalence table has {level} {twice[:10]} on two or more rows; one row per "
            f"{level}, or each of its respondents would be counted once per row"
        )
    cols = [c for c in prevalence.columns if c != level]
    linked = frame.join(prevalence.set_index(level)[cols], on=level)
    linked["n_docs"] = linked["n_docs"].fillna(0).astype(int)
    has = linked["n_docs"] > 0
    if not has.any():
        raise SurveyValidationError(
            f"no {level} of the places table is in the survey: the places table has "
            f"{sorted(prevalence[level].tolist())[:10]}, the survey "
            f"{sorted(frame[level].dropna().unique().tolist())[:10]}"
        )
    report = pd.DataFrame(
        {
            "places": [linked.loc[has, level].nunique(), linked.loc[~has, level].nunique()],
            "respondents": [int(has.sum()), int((~has).sum())],
        },
        index=pd.Index(["with documents", "without documents"], name=level),
    )
    return linked, report


def linked_outcome(linked: pd.DataFrame, dgp: dict[str, Any] | None = None) -> pd.Series:
    """The SIMULATED outcome of the link's DGP: ``from + Σ effect · covariate``.

    Places without documents have no text covariate and get no effect (their
    respondents keep the original outcome).

    Examples
    --------
    >>> d = pd.DataFrame({"trust": [50.0, 60.0], "P_formalism_any": [1.0, np.nan]})
    >>> dgp = {"outcome": {"name": "t2", "from": "trust", "effects": {"P_formalism_any": -6}}}
    >>> linked_outcome(d, dgp).tolist()
    [44.0, 60.0]
    """
    spec = (dgp or load_link_dgp())["outcome"]
    value = linked[spec["from"]].astype(float).copy()
    for column, effect in spec["effects"].items():
        value += float(effect) * linked[column].fillna(0).astype(float)
    return value.rename(spec["name"])


@dataclass
class LinkPlan:
    """What a text–survey link can be modelled with, or why it cannot.

    Attributes
    ----------
    places : DataFrame or None
        The places table, less rows naming documents that were not analysed.
    level : str or None
        The place column the link is made at.
    outcomes : list of str
        The survey outcomes to model.
    covariate : str or None
        The text covariate: ``<code>_any``, or ``<code>_share`` when "any" is the same in
        every place with documents.
    prevalence, linked, join_report : DataFrame or None
        :func:`code_prevalence`, and :func:`join_places`'s two tables.
    problem : str or None
        One sentence saying why the model cannot be fitted (``None`` when it can).
    notes : list of str
        What was changed on the way (rows left out, the covariate switched), to print.
    """

    places: pd.DataFrame | None = None
    level: str | None = None
    outcomes: list[str] = field(default_factory=list)
    covariate: str | None = None
    prevalence: pd.DataFrame | None = None
    linked: pd.DataFrame | None = None
    join_report: pd.DataFrame | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


#: Outcomes a user's survey is linked on, in order of preference.
LINK_OUTCOMES = ("trust", "sat_overall")


def place_level(places: pd.DataFrame, frame: pd.DataFrame) -> str | None:
    """The finest place column (:data:`LEVELS`) both the places table and the survey have.

    Examples
    --------
    >>> place_level(pd.DataFrame(columns=["doc_id", "county", "township"]),
    ...             pd.DataFrame(columns=["county", "township", "village", "trust"]))
    'township'
    >>> place_level(pd.DataFrame(columns=["doc_id", "地点"]), pd.DataFrame(columns=["village"]))
    """
    shared = [c for c in LEVELS if c in places.columns and c in frame.columns]
    return shared[-1] if shared else None


def check_places(places: pd.DataFrame, frame: pd.DataFrame, where: str) -> None:
    """Refuse a places table that cannot be linked to the survey ``frame`` at all: no
    place column named as a survey column, or none of its places in the survey.

    ``workbench report`` checks ``--places`` with it before any notebook runs; notebook
    05 (:func:`plan_link`) says the same and skips the link.

    Raises
    ------
    SurveyValidationError
        Naming the file, its columns or places, and what to do.

    Examples
    --------
    >>> survey = pd.DataFrame({"village": ["东村", "西村"], "trust": [60, 70]})
    >>> check_places(pd.DataFrame({"doc_id": ["a/a1"], "village": ["东村"]}), survey, "p.csv")
    >>> try:
    ...     check_places(pd.DataFrame({"doc_id": ["a/a1"], "地点": ["东村"]}), survey, "p.csv")
    ... except SurveyValidationError as err:
    ...     print(str(err).split(" (")[0])
    p.csv: no place column named as a survey column
    """
    level = place_level(places, frame)
    if level is None:
        has = [c for c in LEVELS if c in frame.columns]
        raise SurveyValidationError(
            f"{where}: no place column named as a survey column ({', '.join(LEVELS[:-1])} or "
            f"{LEVELS[-1]}; the survey has {', '.join(has) or 'none of them'}); its columns "
            f"are {', '.join(map(str, places.columns))}: rename the place column as the survey's"
        )
    mine = places[level].dropna()
    if len(mine) and not mine.isin(frame[level].dropna()).any():
        raise SurveyValidationError(
            f"{where}: none of its {level} values {sorted(map(str, mine.unique()))[:5]} is a "
            f"{level} of the survey (it has {sorted(map(str, frame[level].dropna().unique()))[:5]}"
            f" …): write the places as the survey writes them"
        )


def place_notes(places: pd.DataFrame, frame: pd.DataFrame, level: str) -> list[str]:
    """What the link at ``level`` would get wrong without a word: documents placed in places
    the survey does not have (a spelling variant, 柳林 for 柳林村, is no match), named with
    the survey's closest name; and places of one name in two places of the level above
    (two villages 东村), whose documents and respondents are counted as one place.

    Examples
    --------
    >>> survey = pd.DataFrame({"township": ["城关镇", "河口乡", "河口乡"],
    ...                        "village": ["东村", "东村", "柳林村"]})
    >>> places = pd.DataFrame({"doc_id": ["a", "b"], "village": ["东村", "柳林"]})
    >>> for note in place_notes(places, survey, "village"):
    ...     print(note.split(":")[0])
    1 document(s) are placed in a village the survey does not have, so they count for no place
    the village 东村 is in 城关镇 and 河口乡 of the survey
    """
    from workbench.survey.io import repeated_places

    notes = []
    have = frame[level].dropna()
    placed = places[level].dropna()
    absent = sorted(set(placed[~placed.isin(have)]), key=str)
    if absent:
        names = [str(v) for v in pd.unique(have)]
        shown = []
        for name in absent[:10]:
            close = closest(str(name), names, n=1)
            shown.append(f"{name!r}" + (f" (the survey has {close[0]!r})" if close else ""))
        n_docs = int((~placed.isin(have)).sum())
        where = places_word(level, len(absent)) if len(absent) > 1 else f"a {level}"
        notes.append(
            f"{n_docs} document(s) are placed in {where} "
            f"the survey does not have, so they count for no place: {', '.join(shown)}"
            f"{' and more' if len(absent) > 10 else ''}; write the places as the survey writes "
            "them"
        )
    for name, parents in list(repeated_places(frame, level).items())[:5]:
        notes.append(
            f"the {level} {name} is in {' and '.join(map(str, parents))} of the survey: linked "
            f"by {level} alone, the documents and respondents of each are counted as one "
            f"{level}; if they are different places, give them different names in the survey "
            "and the places table alike"
        )
    return notes


def plan_link(
    asserted: pd.DataFrame,
    places: pd.DataFrame,
    frame: pd.DataFrame,
    code: str,
    *,
    level: str | None = None,
    outcomes: Sequence[str] | None = None,
    needed: Sequence[str] = (),
    mapping: str = "the mapping file",
) -> LinkPlan:
    """Check a corpus's coding, a places table and a survey against each other for the link.

    Parameters
    ----------
    asserted : DataFrame
        :func:`asserted_codes` of the analysed documents.
    places : DataFrame
        ``doc_id`` and place columns (:func:`load_places`).
    frame : DataFrame
        The survey's respondents (standard names).
    code : str
        The code whose prevalence is the covariate.
    level : str, optional
        The place column; default the finest of :data:`LEVELS` both tables have.
    outcomes : sequence of str, optional
        Default: the first of :data:`LINK_OUTCOMES` the survey has.
    needed : sequence of str
        Survey columns the model also uses (the liaison measures).
    mapping : str
        How to name the mapping file in a message.

    Returns
    -------
    LinkPlan
        With ``problem`` set (and the model to be skipped) when the places name no analysed
        document, share no place column with the survey, the survey lacks ``needed`` or an
        outcome, no place of the places table is in the survey, or the covariate does not
        vary over the places with documents.

    Examples
    --------
    >>> asserted = pd.DataFrame({"doc_id": ["a", "b", "c"], "P_x": [True, False, True]})
    >>> places = pd.DataFrame({"doc_id": ["a", "b", "c", "z"], "township": [1, 2, 2, 3]})
    >>> frame = pd.DataFrame({"township": [1, 1, 2, 2, 4], "trust": [50, 60, 70, 65, 55]})
    >>> plan = plan_link(asserted, places, frame, "P_x")
    >>> plan.level, plan.outcomes, plan.covariate, plan.problem
    ('township', ['trust'], 'P_x_share', None)
    >>> plan.notes[0][:58]
    '1 doc_id(s) of the places table are not among the analysed'
    >>> plan_link(asserted, places, frame.drop(columns="trust"), "P_x").problem[:45]
    'The model is skipped: the survey has no colum'
    """
    plan = LinkPlan()
    unknown = sorted(set(places["doc_id"]) - set(asserted["doc_id"]))
    if unknown:
        plan.notes.append(
            f"{len(unknown)} doc_id(s) of the places table are not among the analysed documents "
            f"and are left out: {unknown[:5]} (duplicates are left out of analyses; "
            "`workbench corpus info` lists the doc_ids)"
        )
        places = places[~places["doc_id"].isin(unknown)]
    plan.places = places
    if level is None:
        level = place_level(places, frame)
    plan.level = level
    plan.outcomes = (list(outcomes) if outcomes is not None
                     else [c for c in LINK_OUTCOMES if c in frame.columns][:1])  # fmt: skip
    absent = [c for c in needed if c not in frame.columns]
    if places.empty:
        plan.problem = (
            "The link is skipped: no doc_id of the places table is a document of "
            "the corpus; use the doc_ids that `workbench corpus info` lists."
        )
        return plan
    if level is None:
        plan.problem = (
            "The link is skipped: the places table has no place column named like a survey "
            f"column (one of {', '.join(LEVELS)}); its columns are {list(places.columns)}."
        )
        return plan
    plan.prevalence = code_prevalence(asserted, places, level)
    plan.notes += place_notes(places, frame, level)
    if not plan.outcomes or absent:
        missing = [*absent, *([] if plan.outcomes else [" (or ".join(LINK_OUTCOMES) + ")"])]
        plan.problem = (
            f"The model is skipped: the survey has no column(s) {', '.join(missing)} "
            f"(standard names); map them in {mapping}."
        )
        return plan
    try:
        plan.linked, plan.join_report = join_places(frame, plan.prevalence, level)
    except SurveyValidationError as err:
        plan.problem = f"The link is skipped: {err}"
        return plan
    # Only places the survey has can be compared: the others have no respondents.
    here = plan.prevalence[plan.prevalence[level].isin(frame[level].dropna())]
    if len(here) < 2:
        plan.problem = (
            f"The model is skipped: only {len(here)} {places_word(level, len(here))} of the "
            f"survey {'has' if len(here) == 1 else 'have'} documents "
            f"({', '.join(map(str, here[level])) or 'none'}), and a model comparing "
            f"{places_word(level)} needs at least two with documents (dozens, to be trusted); "
            f"place more documents in the survey's {places_word(level)}."
        )
        return plan
    # Whether any report asserts the code; when that is the same everywhere, the share.
    any_, share = f"{code}_any", f"{code}_share"
    varying = [c for c in (any_, share) if here[c].nunique() > 1]
    if not varying:
        plan.problem = (
            f"The model is skipped: {code} is asserted by the same share of documents in "
            f"every {level} with documents ({len(here)}), so there is nothing to "
            f"compare; it needs {places_word(level)} whose documents assert it and others "
            "whose documents do not."
        )
        return plan
    if varying[0] != any_:
        plan.notes.append(
            f"{any_} is {here[any_].iloc[0]} in every {level} with documents; the "
            f"model uses {varying[0]}, the share of each {level}'s documents asserting it"
        )
    plan.covariate = varying[0]
    return plan
