"""The per-file corpus summary printed by ``workbench corpus info`` and ``build``.

Each article is listed with its ``doc_id`` (the key of a places table or metadata CSV), title,
sentences per role and length.

Examples
--------
>>> from workbench.corpus import load_corpus
>>> info = load_corpus().summary()
>>> [f["path"].split("/")[-1][:3] for f in info]
['000', '001', '002', '003', '004']
>>> sorted(info[0])
['articles', 'boilerplate_removed', 'duplicates', 'encoding', 'path', 'removed_by_rule', 'script']
>>> info[1]["removed_by_rule"]  # every line not in the body, by rule (Corpus.removed)
{'byline': 1}
>>> info[0]["articles"][0]["doc_id"]
'000_688e36ac7d55ccc2/a1'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.corpus.structure import ROLES

if TYPE_CHECKING:
    from workbench.corpus.load import Corpus

ROLE_ORDER = ROLES

#: What ``corpus info`` says of a file found hard-wrapped whose lines were not joined.
WRAPPED_NOT_JOINED = (
    "lines read as they are: a sentence broken over a line end is two segments; "
    "to read whole sentences set join: true in src/workbench/resources/wrapping.yaml "
    "(the coder's agreement was measured on lines kept, see data/gold/README.md)"
)


def _articles(corpus: Corpus, file: str) -> list[dict[str, Any]]:
    docs = corpus.documents[corpus.documents["file"] == file]
    segs = corpus.segments[corpus.segments["file"] == file]
    counts = segs.groupby(["doc_id", "role"]).size()
    out = []
    for doc_id, title, n_chars in docs[["doc_id", "title", "n_chars"]].itertuples(index=False):
        roles = {r: int(counts.get((doc_id, r), 0)) for r in ROLE_ORDER}
        # doc_id first: it is what a places table or a metadata CSV is keyed on.
        out.append({"doc_id": doc_id, "title": title, "roles": roles, "n_chars": int(n_chars)})
    return out


def _duplicates(corpus: Corpus, file: str) -> list[dict[str, Any]]:
    d = corpus.duplicates
    d = d[d["file"] == file]
    return [
        {"id": i, "of": of, "kind": kind, "similarity": float(sim)}
        for i, of, kind, sim in d[["id", "of", "kind", "similarity"]].itertuples(index=False)
    ]


def _removed_by_rule(corpus: Corpus) -> dict[str, dict[str, int]]:
    """Lines taken out of the body per file and rule (rules in name order): boilerplate,
    and the article markers, bylines and titles read as metadata. A rule that took lines
    a researcher needs shows here, without opening ``Corpus.removed``."""
    counts = corpus.removed.groupby(["file", "rule"], sort=True).size()
    out: dict[str, dict[str, int]] = {}
    for (file, rule), n in counts.items():
        out.setdefault(str(file), {})[str(rule)] = int(n)
    return out


def summarise(corpus: Corpus) -> list[dict[str, Any]]:
    """One JSON-ready dict per input file, in input order."""
    by_rule = _removed_by_rule(corpus)
    out = []
    for row in corpus.files.itertuples(index=False):
        entry: dict[str, Any] = {
            "path": row.path,
            "encoding": row.encoding,
            "script": row.script,
            "articles": _articles(corpus, row.file),
            "boilerplate_removed": int(row.boilerplate_removed),
            "removed_by_rule": by_rule.get(row.file, {}),
            "duplicates": _duplicates(corpus, row.file),
        }
        if row.status != "ok":
            entry["error"] = row.error
        if row.repaired:  # only when there is something to check, like "error"
            entry["repaired"] = row.repaired
        # Likewise a hard-wrapped file's joined lines (a corpus built before the columns
        # existed has none).
        if getattr(row, "wrap_width", ""):
            wrapped = {"width": row.wrap_width, "lines_joined": int(row.lines_joined)}
            if not row.lines_joined:  # found, read as it is (wrapping.yaml's join: false)
                wrapped["note"] = WRAPPED_NOT_JOINED
            entry["hard_wrapped"] = wrapped
        out.append(entry)
    return out
