"""Close matches of a misspelt name, for messages that say which name was meant.

Every layer uses it: survey columns and mapping names, codes given on the command line,
file names in a metadata table. It imports nothing of the workbench.

Examples
--------
>>> closest("sat_overal", ["sat_overall", "sat_approve", "trust"])
['sat_overall', 'sat_approve']
>>> suggest("tust", ["sat_overall", "trust"]), suggest("zzz", ["trust"])
("(did you mean 'trust'?)", '(no similar name)')
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[object], n: int = 3) -> list[str]:
    """Up to ``n`` of ``candidates`` closest to ``name`` (:func:`difflib.get_close_matches`)."""
    pool = [str(c) for c in candidates]
    # Case differences ("Trust" for "trust") are the commonest slip, so they are compared too.
    found = difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
    lower = {c.lower(): c for c in pool}
    found += [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower), n=n)]
    return list(dict.fromkeys(found))[:n]


def suggest(name: str, candidates: Iterable[object]) -> str:
    """``"(did you mean 'x' or 'y'?)"`` for the close matches of ``name``, or say there are none."""
    found = closest(name, candidates)
    if not found:
        return "(no similar name)"
    return f"(did you mean {' or '.join(repr(f) for f in found)}?)"
