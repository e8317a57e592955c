"""Load and validate a codebook (``data/codebook.yaml``).

A codebook has four categories — ``problem``, ``cause``, ``countermeasure`` and
``liaison`` (liaison mechanisms) — and codes, each with an id, a category,
Chinese and English labels, a definition, inclusion and exclusion notes, rules
(:mod:`workbench.coding.rules`) and example quotes from the corpus. Validation is
strict: an unknown key, a duplicate id, a bad regex, an empty rule or an unknown
role stops loading with a :class:`CodebookError` naming the code and the field.

Examples
--------
>>> cb = load_codebook()
>>> sorted(cb.categories)
['cause', 'countermeasure', 'liaison', 'problem']
>>> cb.code("P_oversight").label_en
'Weak supervision and assessment'
>>> [c.id for c in cb.match("一些地方联系群众工作监督弱化,考核不力。", "problem")]
['P_oversight']
>>> [c.id for c in cb.match("切实加强监督考核。", "countermeasure")]
['M_oversight']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from workbench import config
from workbench.coding.rules import Cues, Node, RuleError, Sentence, Span, compile_rule

CATEGORIES = ("problem", "cause", "countermeasure", "liaison")
TOP_KEYS = ("version", "title", "description", "categories", "polarity", "sets", "codes")
CODE_KEYS = (
    "id", "category", "label_zh", "label_en", "definition", "include", "exclude",
    "rules", "examples", "catch_all",
)  # fmt: skip
REQUIRED_CODE_KEYS = ("id", "category", "label_zh", "label_en", "definition", "rules", "examples")


class CodebookError(ValueError):
    """A malformed codebook. The message names the file, the code and the field."""


@dataclass(frozen=True)
class Code:
    """One code: its metadata, its compiled rule and its example quotes."""

    id: str
    category: str
    label_zh: str
    label_en: str
    definition: str
    include: str
    exclude: str
    examples: tuple[str, ...]
    rule: Node = field(repr=False, compare=False)
    #: A catch-all (residual ``*_other``, or causal language without a named cause):
    #: kept in the coding, left out of rankings and networks by default.
    catch_all: bool = False
    raw_rules: tuple[Any, ...] = field(repr=False, compare=False, default=())

    def label(self, lang: str = "zh") -> str:
        """The Chinese or English label."""
        return self.label_zh if lang == "zh" else self.label_en

    def match(self, sentence: Sentence) -> list[Span] | None:
        """Spans justifying this code in ``sentence``, or ``None``."""
        return self.rule.match(sentence)

    def terms(self) -> list[str]:
        """The literal terms of the code's rules, deduplicated in rule order."""
        return list(dict.fromkeys(self.rule.terms()))


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: categories, codes in file order, polarity cues, term sets."""

    version: str
    title: str
    categories: dict[str, dict[str, str]]
    codes: tuple[Code, ...]
    cues: Cues
    sets: dict[str, tuple[str, ...]]
    path: str = ""

    @cached_property
    def _by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    def code(self, code_id: str) -> Code:
        """The code with id ``code_id`` (``KeyError`` if unknown)."""
        return self._by_id[code_id]

    @property
    def ids(self) -> list[str]:
        """Code ids in codebook order."""
        return [c.id for c in self.codes]

    @property
    def catch_alls(self) -> list[str]:
        """Ids of the catch-all codes (``catch_all: true``), in codebook order."""
        return [c.id for c in self.codes if c.catch_all]

    @property
    def specific_ids(self) -> list[str]:
        """Ids of the codes that are not catch-alls, in codebook order."""
        return [c.id for c in self.codes if not c.catch_all]

    def match(self, text: str, role: str = "other", is_heading: bool = False) -> list[Code]:
        """The codes whose rules match one Simplified sentence."""
        s = Sentence(text, role, is_heading)
        return [c for c in self.codes if c.match(s) is not None]

    def terms(self) -> list[str]:
        """Every literal term of every code, sets and polarity cues excluded, sorted."""
        return sorted({t for c in self.codes for t in c.terms()})

    def table(self, lang: str = "zh") -> list[dict[str, Any]]:
        """One row per code: id, category (labelled), label, definition, number of terms."""
        return [
            {
                "id": c.id,
                "category": self.categories[c.category][f"label_{lang}"],
                "label": c.label(lang),
                "definition": c.definition,
                "terms": len(c.terms()),
                "examples": len(c.examples),
            }
            for c in self.codes
        ]


def _fail(where: str, field_: str, message: str) -> CodebookError:
    return CodebookError(f"{where}, field {field_!r}: {message}")


def _text(raw: dict[str, Any], key: str, where: str, required: bool) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(where, key, f"needs a non-empty string, got {value!r}")
    return value.strip()


def _categories(raw: Any, where: str) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or sorted(raw) != sorted(CATEGORIES):
        got = sorted(raw) if isinstance(raw, dict) else raw
        raise _fail(where, "categories", f"needs exactly {list(CATEGORIES)}, got {got}")
    out = {}
    for cat, entry in raw.items():
        if not isinstance(entry, dict):
            raise _fail(f"{where} category {cat!r}", "label_zh", "needs a mapping")
        out[cat] = {
            k: _text(entry, k, f"{where} category {cat!r}", True)
            for k in ("label_zh", "label_en", "definition")
        }
    return out


def _term_list_ok(words: Any) -> bool:
    return isinstance(words, list) and bool(words) and all(isinstance(w, str) and w for w in words)


def _cues(raw: Any, where: str) -> Cues:
    if not isinstance(raw, dict):
        raise _fail(where, "polarity", "needs a mapping with window, negative, prescriptive")
    window = raw.get("window")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise _fail(where, "polarity.window", f"needs a positive integer, got {window!r}")
    lists = {}
    for key in ("negative", "prescriptive"):
        words = raw.get(key)
        if not _term_list_ok(words):
            raise _fail(where, f"polarity.{key}", "needs a non-empty list of terms")
        lists[key] = tuple(words)
    return Cues(negative=lists["negative"], prescriptive=lists["prescriptive"], window=window)


def _sets(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(where, "sets", "needs a mapping of name -> list of terms")
    for name, words in raw.items():
        if not _term_list_ok(words):
            raise _fail(where, f"sets.{name}", "needs a non-empty list of terms")
    return {name: tuple(words) for name, words in raw.items()}


def _flag(raw: dict[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise _fail(where, key, f"needs true or false, got {value!r}")
    return value


def _code(raw: Any, index: int, cues: Cues, sets: dict[str, tuple[str, ...]], src: str) -> Code:
    if not isinstance(raw, dict):
        raise _fail(f"{src} code #{index + 1}", "id", "a code must be a mapping")
    code_id = raw.get("id")
    where = f"{src} code {code_id!r}" if code_id else f"{src} code #{index + 1}"
    unknown = sorted(set(raw) - set(CODE_KEYS))
    if unknown:
        raise _fail(where, unknown[0], f"unknown key; allowed: {list(CODE_KEYS)}")
    for key in REQUIRED_CODE_KEYS:
        if key not in raw:
            raise _fail(where, key, "missing")
    if not isinstance(code_id, str) or not code_id.isidentifier():
        raise _fail(where, "id", f"needs an identifier such as P_oversight, got {code_id!r}")
    if raw["category"] not in CATEGORIES:
        cat = raw["category"]
        raise _fail(where, "category", f"unknown category {cat!r}; use {list(CATEGORIES)}")
    rules = raw["rules"]
    if not isinstance(rules, list) or not rules:
        raise _fail(where, "rules", "needs a non-empty list of rules")
    try:
        rule = compile_rule({"any": rules}, cues=cues, sets=sets, path="rules")
    except RuleError as err:
        raise _fail(where, err.path, err.message) from None
    examples = raw["examples"]
    if not _term_list_ok(examples):
        raise _fail(where, "examples", "needs a non-empty list of quotes from the corpus")
    return Code(
        id=code_id,
        category=raw["category"],
        label_zh=_text(raw, "label_zh", where, True),
        label_en=_text(raw, "label_en", where, True),
        definition=_text(raw, "definition", where, True),
        include=_text(raw, "include", where, False),
        exclude=_text(raw, "exclude", where, False),
        examples=tuple(examples),
        rule=rule,
        raw_rules=tuple(rules),
        catch_all=_flag(raw, "catch_all", where),
    )


def parse_codebook(raw: Any, source: str = "<codebook>") -> Codebook:
    """Validate a parsed YAML document and compile it into a :class:`Codebook`.

    Raises
    ------
    CodebookError
        Naming the source, the code (id or position) and the field at fault.

    Examples
    --------
    >>> parse_codebook({"codes": []}, "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.coding.codebook.CodebookError: x.yaml, field 'categories': needs exactly ...
    """
    if not isinstance(raw, dict):
        raise CodebookError(f"{source}: a codebook is a YAML mapping")
    unknown = sorted(set(raw) - set(TOP_KEYS))
    if unknown:
        raise _fail(source, unknown[0], f"unknown top-level key; allowed: {list(TOP_KEYS)}")
    categories = _categories(raw.get("categories"), source)
    cues = _cues(raw.get("polarity"), source)
    sets = _sets(raw.get("sets"), source)
    codes_raw = raw.get("codes")
    if not isinstance(codes_raw, list) or not codes_raw:
        raise _fail(source, "codes", "needs a non-empty list of codes")
    codes = [_code(c, i, cues, sets, source) for i, c in enumerate(codes_raw)]
    seen: set[str] = set()
    for c in codes:
        if c.id in seen:
            raise _fail(f"{source} code {c.id!r}", "id", "duplicate id")
        seen.add(c.id)
    return Codebook(
        version=str(raw.get("version", "")),
        title=str(raw.get("title", "")),
        categories=categories,
        codes=tuple(codes),
        cues=cues,
        sets=sets,
        path=source,
    )


def load_codebook(path: str | os.PathLike | None = None) -> Codebook:
    """Load, validate and compile a codebook (default :data:`workbench.config.CODEBOOK`).

    Raises
    ------
    CodebookError
        If the YAML is malformed or a code is invalid.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path or config.CODEBOOK)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CodebookError(f"{config.display_path(path)}: not valid YAML: {err}") from None
    return parse_codebook(raw, config.display_path(path))
