"""Coverage: the share of units in problem/cause/countermeasure sections coded with their category.

A section's matching category is the one the codebook has play the section's role
(:meth:`Codebook.category_for_part`; in the bundled codebook the category of the same
name). A role no category plays has ``category`` ``""``, ``coded`` 0 and ``share`` NaN (no
category of the codebook could cover it), and no uncoded units.

Examples
--------
>>> from workbench.corpus import load_corpus
>>> from workbench.coding.codebook import load_codebook
>>> from workbench.coding.coder import code_segments
>>> seg = load_corpus().analysis_segments()
>>> cb = load_codebook()
>>> cov = coverage(code_segments(seg, cb), seg, cb, headings_only=True)
>>> bool((cov.set_index("role").loc[["problem", "cause"], "share"] >= 0.9).all())
True
"""

from __future__ import annotations

import pandas as pd

from workbench.coding.codebook import Codebook
from workbench.coding.coder import Coding
from workbench.corpus.structure import SECTION_ROLES


def _role_units(coding: Coding, segments: pd.DataFrame, headings_only: bool) -> pd.DataFrame:
    units = coding.units[["unit_id", "role"]]
    if not headings_only:
        return units
    if coding.unit != "sentence":
        raise ValueError("headings_only needs a sentence-level coding")
    # A heading paragraph's first sentence is the heading; later ones are body run-in.
    first = segments.loc[segments["is_heading"] & (segments["sentence"] == 1), "segment_id"]
    return units[units["unit_id"].isin(set(first))]


def coverage(
    coding: Coding, segments: pd.DataFrame, codebook: Codebook, *, headings_only: bool = False
) -> pd.DataFrame:
    """Share of units per section role that carry a code of the matching category.

    Returns
    -------
    DataFrame
        ``role, category, units, coded, share`` for problem, cause and countermeasure;
        ``category`` is the category playing the role (``""``: none, ``share`` NaN).
    """
    units = _role_units(coding, segments, headings_only)
    cats = coding.categories(codebook)
    rows = []
    for role in SECTION_ROLES:
        ids = units.loc[units["role"] == role, "unit_id"]
        cat = codebook.category_for_part(role)
        coded = int(cats.loc[ids, cat].sum()) if len(ids) and cat else 0
        share = coded / len(ids) if len(ids) and cat else float("nan")
        rows.append({"role": role, "category": cat or "", "units": len(ids), "coded": coded,
                     "share": share})  # fmt: skip
    return pd.DataFrame(rows)


def uncoded(
    coding: Coding, segments: pd.DataFrame, codebook: Codebook, *, headings_only: bool = False
) -> pd.DataFrame:
    """The units of each role without a code of the matching category, for review.

    Returns
    -------
    DataFrame
        ``role, unit_id, text`` (the unit's sentences joined), in corpus order.
    """
    units = _role_units(coding, segments, headings_only)
    cats = coding.categories(codebook)
    part = {role: codebook.category_for_part(role) for role in SECTION_ROLES}
    text = segments.set_index("segment_id")["text"]
    rows = []
    for u in units.itertuples(index=False):
        if part.get(u.role) and not cats.at[u.unit_id, part[u.role]]:
            seg_ids = coding.units.set_index("unit_id").at[u.unit_id, "segment_ids"].split(" ")
            rows.append({"role": u.role, "unit_id": u.unit_id, "text": "".join(text[seg_ids])})
    return pd.DataFrame(rows, columns=["role", "unit_id", "text"])
