"""The survey codebook: standard variable names, zh/en labels, ranges, missing codes.

The codebook lives in ``data/survey/codebook.yaml`` (:data:`workbench.config.SURVEY_CODEBOOK`).
Model terms such as ``visits:solved`` are labelled by joining the labels of their
parts with ``×``.

Examples
--------
>>> cb = load_codebook()
>>> cb.label("visits"), cb.label("visits", "en")
('干部走访次数', 'Cadre home visits (走访)')
>>> cb.label("visits:solved")
'干部走访次数 × 问题得到解决'
>>> cb.missing_codes("sat_overall")
(8, 9)
>>> cb.scale_items("satisfaction")[:2]
['sat_support', 'sat_approve']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import config
from workbench.yamlio import safe_load

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Codebook:
    """Parsed codebook.

    Attributes
    ----------
    variables : dict
        ``{name: entry}`` with keys ``zh``, ``en``, ``type`` and optionally
        ``range``, ``missing``, ``value_labels``, ``scale``, ``reverse``.
    value_labels : dict
        Named sets ``{set: {code: {"zh": ..., "en": ...}}}``.
    terms : dict
        Labels of model terms that are not variables (``Intercept`` ...).
    dataset : dict
        The dataset's zh/en name.
    path : pathlib.Path
        The file read.
    """

    variables: dict[str, dict[str, Any]]
    value_labels: dict[str, dict[int, dict[str, str]]]
    terms: dict[str, dict[str, str]]
    dataset: dict[str, str]
    path: Path

    def entry(self, name: str) -> dict[str, Any]:
        """The codebook entry of ``name`` (``KeyError`` naming the codebook if unknown)."""
        try:
            return self.variables[name]
        except KeyError:
            raise KeyError(
                f"{name!r} is not in the codebook {config.display_path(self.path)}"
            ) from None

    def label(self, term: str, lang: str = "zh") -> str:
        """Label of a variable or model term; unknown names are returned as they are.

        ``C(x)[T.2]``-style and transformed terms keep their text, so a plot never
        fails on a term the codebook does not know.
        """
        if lang not in LANGS:
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        if ":" in term:
            return " × ".join(self.label(part, lang) for part in term.split(":"))
        entry = self.variables.get(term) or self.terms.get(term)
        return entry[lang] if entry else term

    def missing_codes(self, name: str) -> tuple[int, ...]:
        """Missing-value codes of ``name`` (empty when it has none)."""
        return tuple(self.entry(name).get("missing", ()))

    def valid_range(self, name: str) -> tuple[float, float] | None:
        """``(low, high)`` valid values of ``name``, or ``None`` when unrestricted."""
        rng = self.entry(name).get("range")
        return (rng[0], rng[1]) if rng else None

    def scale_items(self, scale: str) -> list[str]:
        """Items of ``scale`` in codebook order."""
        return [n for n, e in self.variables.items() if e.get("scale") == scale]

    def reversed_items(self, scale: str) -> list[str]:
        """Reverse-worded items of ``scale``."""
        return [n for n in self.scale_items(scale) if self.variables[n].get("reverse")]

    def value_label(self, name: str, code: int, lang: str = "zh") -> str:
        """Label of value ``code`` of ``name`` (the code as text when unlabelled)."""
        labels = self.value_labels.get(self.entry(name).get("value_labels", ""), {})
        return labels[code][lang] if code in labels else str(code)


#: ``frame.attrs`` key of a cleaned survey: ``{column: [codes]}``, the codebook's missing-value
#: codes that are answers in this survey (inside the range its mapping declares), left as
#: values (set by :func:`workbench.survey.io.clean_codes`, honoured by
#: :func:`workbench.survey.models.check_no_missing_codes`).
VALID_CODES = "valid_codes"


def _check(table: dict[str, Any], path: Path) -> None:
    where = config.display_path(path)
    for section in ("variables", "value_labels", "dataset"):
        if not isinstance(table.get(section), dict):
            raise ValueError(f"{where}: the codebook needs a '{section}' mapping")
    for name, entry in {**table["variables"], **table.get("terms", {})}.items():
        if not all(isinstance(entry.get(lang), str) for lang in LANGS):
            raise ValueError(f"{where}: entry {name!r} needs string 'zh' and 'en' labels")
    for name, entry in table["variables"].items():
        vl = entry.get("value_labels")
        if vl is not None and vl not in table["value_labels"]:
            raise ValueError(f"{where}: {name!r} uses unknown value_labels {vl!r}")


@functools.cache
def load_codebook(path: Path | None = None) -> Codebook:
    """Read and check a codebook (default :data:`workbench.config.SURVEY_CODEBOOK`).

    Raises
    ------
    ValueError
        When an entry lacks its zh/en labels or names an unknown value-label set.
    """
    path = Path(path or config.SURVEY_CODEBOOK)
    with path.open(encoding="utf-8") as fh:
        table = safe_load(fh)
    _check(table, path)
    return Codebook(
        variables=table["variables"],
        value_labels=table["value_labels"],
        terms=table.get("terms", {}),
        dataset=table["dataset"],
        path=path,
    )
