"""Load and validate a codebook (``data/codebook.yaml``).

A codebook declares its categories and its codes. Categories (``categories:``) are
any number of ids, each with Chinese and English labels, an optional definition and an
optional ``part``: the part it plays in the cause → problem → countermeasure network
and in matching codes to section roles — ``problem``, ``cause`` or ``countermeasure``
(:data:`PARTS`), or ``none``; at most one category plays each part. A category
without ``part:`` whose id is a part's name plays that part, so the bundled
codebook's four (:data:`DEFAULT_CATEGORIES`: ``problem``, ``cause``,
``countermeasure`` and ``liaison``, liaison mechanisms, which plays none) need no
``part:``. Codes each have an id, a declared category, Chinese and English labels, a
definition, inclusion and exclusion notes, rules (:mod:`workbench.coding.rules`) and,
optionally, example quotes from the corpus. The ``polarity`` section (cue words for
``polarity:`` in rules) and ``sets`` are optional too; a rule that uses polarity needs
the section. ``document_kinds`` (optional) declares kinds of document — a work report,
a regulation — told from how a document opens (:mod:`workbench.coding.kinds`), which
rules name with ``kinds: [...]``; a code's optional ``unless:`` rule vetoes it in any
sentence where that rule matches (codebook 2.4: no countermeasure in a work report's
sentence that names no cadre, mass or work-style matter). ``yields`` (optional) lets a
category give way to others in a sentence (:class:`Yield`; codebook 2.5: a sentence that
states a fault and makes no demand is not a countermeasure). Validation is strict and
complete: every unknown key, missing field, bad or duplicate id, undeclared category,
unknown part, part played by two categories and bad rule or regex is collected, and
loading stops with one :class:`CodebookError` listing them all, each naming the code
(or category) and the field.
``workbench codebook new OUT.yaml`` writes a commented starting file
(``resources/codebook_template.yaml``, :data:`TEMPLATE`).

Examples
--------
>>> cb = load_codebook()
>>> sorted(cb.categories)
['cause', 'countermeasure', 'liaison', 'problem']
>>> cb.category_for_part("cause"), cb.part_of("liaison")
('cause', None)
>>> cb.code("P_oversight").label_en
'Weak supervision and assessment'
>>> [c.id for c in cb.match("一些地方联系群众工作监督弱化,考核不力。", "problem")]
['P_oversight']
>>> [c.id for c in cb.match("切实加强监督考核。", "countermeasure")]
['M_oversight']
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from workbench import config
from workbench.coding.kinds import DocumentKind, kind_names, parse_kinds, segment_kinds
from workbench.coding.rules import (
    PLAIN_KIND,
    AllOf,
    Cues,
    Node,
    Not,
    RuleError,
    Sentence,
    Span,
    compile_rule,
    regex_patterns,
    traditional_chars,
)
from workbench.corpus.structure import ROLES, SECTION_ROLES
from workbench.names import closest
from workbench.regex_precheck import preload_plans
from workbench.yamlio import describe_error, safe_load

log = logging.getLogger(__name__)

#: The categories of this field (the bundled codebook's, and the default where one is
#: needed), in their order. The first three play the part of the same name.
DEFAULT_CATEGORIES = ("problem", "cause", "countermeasure", "liaison")
#: The parts a category can play: the section roles of
#: :data:`workbench.corpus.structure.SECTION_ROLES`. ``part: none`` (or no part) plays none.
PARTS = SECTION_ROLES
CATEGORY_KEYS = ("label_zh", "label_en", "definition", "part")
TOP_KEYS = (
    "version", "title", "description", "categories", "document_kinds", "polarity", "sets",
    "codes", "yields",
)  # fmt: skip
YIELD_KEYS = ("category", "to", "unless")
CODE_KEYS = (
    "id", "category", "label_zh", "label_en", "definition", "include", "exclude",
    "rules", "unless", "examples", "catch_all",
)  # fmt: skip
REQUIRED_CODE_KEYS = ("id", "category", "label_zh", "label_en", "definition", "rules")
TEXT_KEYS = ("label_zh", "label_en", "definition", "include", "exclude")
#: The commented starting file ``workbench codebook new`` writes.
TEMPLATE = config.RESOURCES_DIR / "codebook_template.yaml"


class CodebookError(ValueError):
    """A malformed codebook. The message names the file, the code and the field.

    Parameters
    ----------
    message : str
        The whole message.
    errors : sequence of str, optional
        Every error found, one line each (default: ``message`` alone).

    Attributes
    ----------
    errors : tuple of str
        Every error found, in the order of the file.
    """

    def __init__(self, message: str, errors: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.errors: tuple[str, ...] = tuple(errors) if errors else (message,)

    @classmethod
    def collect(cls, source: str, errors: Sequence[str]) -> CodebookError:
        """One error for all of ``errors``: a single one as it is, several as a numbered list.

        Parameters
        ----------
        source : str
            The codebook's name, which starts each message (left out of the list's lines).
        errors : sequence of str
            The messages, at least one.

        Returns
        -------
        CodebookError
            With ``errors`` set.
        """
        if len(errors) == 1:
            return cls(errors[0])
        lines = [e[len(source) :].lstrip(", ") if e.startswith(source) else e for e in errors]
        listed = "\n".join(f"  {i}. {line}" for i, line in enumerate(lines, 1))
        return cls(f"{source}: {len(errors)} errors in the codebook:\n{listed}", errors)


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
class Yield:
    """A category whose codes give way, in a sentence, to codes of other categories.

    In a sentence where a code of a category of ``to`` fires and ``unless`` does not
    match, the codes of ``category`` are dropped (``yields:`` in the codebook).
    """

    category: str
    to: frozenset[str]
    unless: Node | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: categories, codes in file order, polarity cues, term sets."""

    version: str
    title: str
    #: ``{id: {"label_zh", "label_en", "definition", "part"}}`` in declaration order;
    #: ``part`` is one of :data:`PARTS` or ``""`` (none).
    categories: dict[str, dict[str, str]]
    codes: tuple[Code, ...]
    cues: Cues
    sets: dict[str, tuple[str, ...]]
    path: str = ""
    #: Declared kinds of document, in order of precedence (:mod:`workbench.coding.kinds`).
    kinds: tuple[DocumentKind, ...] = ()
    #: Categories that give way to others in a sentence (:class:`Yield`), in file order.
    yields: tuple[Yield, ...] = ()

    def __repr__(self) -> str:
        """What a notebook shows for a codebook: title, version and size.

        The dataclass's default printed every category's definition and every code's
        rules (thousands of characters); the file's name, not its folder, so the text
        is the same on every machine.

        Examples
        --------
        >>> load_codebook()  # doctest: +ELLIPSIS
        Codebook 'codebook.yaml' version ...: ... categories, ... codes (干群关系编码表 ...)
        """
        name = Path(self.path).name if self.path else "(no file)"
        return (
            f"Codebook {name!r} version {self.version}: {len(self.categories)} categories, "
            f"{len(self.codes)} codes ({self.title})"
        )

    @property
    def file(self) -> Path | None:
        """The codebook's file on disk (``None`` for one parsed from a mapping).

        :attr:`path` shows a file inside the project relative to the project root and a
        path given relative to the working folder as given, so a relative path is taken
        from the working folder, else from the project root: the checksum a command
        records with its output was left out when it ran outside the project.

        Examples
        --------
        >>> load_codebook().file == config.CODEBOOK
        True
        """
        path = Path(self.path) if self.path else config.CODEBOOK
        if not path.is_absolute() and not path.is_file():
            path = config.ROOT / path
        return path.resolve() if path.is_file() else None

    @cached_property
    def _by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    @property
    def codes_version(self) -> str:
        """The version whose measurements hold for this codebook: the first two numbers.

        A third number (2.5.1) marks a change that codes nothing differently
        (``data/CODEBOOK_CHANGELOG.md``, "Version numbers").

        Examples
        --------
        >>> from dataclasses import replace
        >>> cb = load_codebook()
        >>> replace(cb, version="2.5.1").codes_version, replace(cb, version="3").codes_version
        ('2.5', '3')
        """
        return ".".join(self.version.split(".")[:2])

    @cached_property
    def scan_literals(self) -> list[str]:
        """Every literal the codes' rules and the ``unless`` rules of :attr:`yields` look up
        in a scan (:class:`workbench.coding.prefilter.Scan`), sorted.

        Walking the rule trees for them takes milliseconds, and a codebook and its
        compiled rules do not change, so it is done once per codebook.

        Examples
        --------
        >>> cb = load_codebook()
        >>> lits = cb.scan_literals
        >>> lits == sorted(set(lits)) and "群众" in lits, cb.scan_literals is lits
        (True, True)
        """
        rules = [c.rule for c in self.codes] + [y.unless for y in self.yields if y.unless]
        # The regexes' plans, which the walk needs, from the plan cache (a fresh process).
        preload_plans(regex_patterns(rules))
        return sorted(set().union(*(r.literals() for r in rules)))

    def code(self, code_id: str) -> Code:
        """The code with id ``code_id`` (``KeyError`` if unknown)."""
        return self._by_id[code_id]

    def part_of(self, category: str) -> str | None:
        """The part (:data:`PARTS`) ``category`` plays, or ``None``."""
        return self.categories.get(category, {}).get("part") or None

    def category_for_part(self, part: str) -> str | None:
        """The category playing ``part`` (one of :data:`PARTS`), or ``None`` if none does.

        Examples
        --------
        >>> load_codebook().category_for_part("countermeasure")
        'countermeasure'
        """
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}; use one of {list(PARTS)}")
        return next((c for c, e in self.categories.items() if e.get("part") == part), None)

    def category_label(self, category: str, lang: str = "zh") -> str:
        """A category's Chinese or English label (its id if it is not declared)."""
        return self.categories.get(category, {}).get(f"label_{lang}") or category

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

    def match(
        self, text: str, role: str = "other", is_heading: bool = False, kind: str = PLAIN_KIND
    ) -> list[Code]:
        """The codes whose rules match one Simplified sentence (in a document of ``kind``),
        after the categories that yield (:attr:`yields`) have given way."""
        s = Sentence(text, role, is_heading, kind)
        found = [c for c in self.codes if c.match(s) is not None]
        cats = {c.category for c in found}
        drop = {
            y.category for y in self.yields
            if cats & y.to and (y.unless is None or y.unless.match(s) is None)
        }  # fmt: skip
        return [c for c in found if c.category not in drop]

    def segment_kinds(self, segments: Any) -> list[str]:
        """The kind of document of each row of a segments table (``doc_id``, ``text``).

        See :func:`workbench.coding.kinds.segment_kinds`; ``text`` everywhere when the
        codebook declares no kinds.
        """
        return segment_kinds(segments, self.kinds)

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


def _msg(where: str, field_: str, message: str) -> str:
    return f"{where}, field {field_!r}: {message}"


def _text(raw: dict[str, Any], key: str, where: str, required: bool, errors: list[str]) -> str:
    if required and key not in raw:  # a category without label_en said "got ''"
        errors.append(_msg(where, key, "missing"))
        return ""
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(_msg(where, key, f"needs a non-empty string, got {value!r}"))
        return ""
    return value.strip()


def _categories(raw: Any, where: str, errors: list[str]) -> dict[str, dict[str, str]] | None:
    """The declared categories, or ``None`` when the section is unusable (reported).

    Each is ``{"label_zh", "label_en", "definition", "part"}`` (``part`` ``""``: none).
    """
    if not isinstance(raw, dict) or not raw:
        example = ", ".join(DEFAULT_CATEGORIES)
        need = "needs a mapping of at least one category id to its label_zh and label_en"
        errors.append(_msg(where, "categories", f"{need} (e.g. {example}), got {raw!r}"))
        return None
    out: dict[str, dict[str, str]] = {}
    explicit: set[str] = set()  # the categories that name their part with `part:`
    for cat, entry in raw.items():
        at = f"{where} category {cat!r}"
        if not isinstance(cat, str) or not cat.isidentifier():
            errors.append(_msg(where, f"categories.{cat}",
                               "a category id must be an identifier such as problem or "
                               f"grievance, got {cat!r}"))  # fmt: skip
            continue
        if not isinstance(entry, dict):
            errors.append(_msg(at, "label_zh", "needs a mapping with label_zh and label_en"))
            out[cat] = {"label_zh": cat, "label_en": cat, "definition": "", "part": ""}
            continue
        for key in sorted(set(entry) - set(CATEGORY_KEYS), key=str):
            errors.append(_msg(at, key, f"unknown key; allowed: {list(CATEGORY_KEYS)}"))
        labels = {k: _text(entry, k, at, k != "definition", errors)
                  for k in ("label_zh", "label_en", "definition")}  # fmt: skip
        part = entry.get("part", cat if cat in PARTS else None)
        if part is None or part == "none":
            part = ""
        elif part not in PARTS:
            errors.append(_msg(at, "part", f"unknown part {part!r}; use one of "
                               f"{[*PARTS, 'none']}"))  # fmt: skip
            part = ""
        elif "part" in entry:
            explicit.add(cat)
        out[cat] = {**labels, "part": part}
    by_part: dict[str, list[str]] = {}
    for cat, entry in out.items():
        if entry["part"]:
            by_part.setdefault(entry["part"], []).append(cat)
    for part, cats in by_part.items():
        implicit = [c for c in cats if c not in explicit]
        hint = f"; give {implicit[0]!r} `part: none`" if implicit else ""
        for other in cats[1:]:
            errors.append(_msg(f"{where} category {other!r}", "part",
                               f"the part {part!r} is already played by category {cats[0]!r}; "
                               f"at most one category per part{hint}"))  # fmt: skip
    return out


def _term_list_ok(words: Any) -> bool:
    return isinstance(words, list) and bool(words) and all(isinstance(w, str) and w for w in words)


def _cues(raw: Any, where: str, errors: list[str]) -> Cues | None:
    """The polarity cues, or ``None`` when the codebook has no ``polarity`` section."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append(
            _msg(where, "polarity", "needs a mapping with window, negative, prescriptive")
        )
        return Cues()
    unknown = sorted(set(raw) - {"window", "negative", "prescriptive"}, key=str)
    if unknown:
        allowed = ["window", "negative", "prescriptive"]
        errors.append(_msg(where, f"polarity.{unknown[0]}", f"unknown key; allowed: {allowed}"))
    window = raw.get("window")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        errors.append(_msg(where, "polarity.window", f"needs a positive integer, got {window!r}"))
        window = 6
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("negative", "prescriptive"):
        words = raw.get(key)
        if not _term_list_ok(words):
            errors.append(_msg(where, f"polarity.{key}", "needs a non-empty list of terms"))
            words = []
        lists[key] = tuple(words)
    return Cues(negative=lists["negative"], prescriptive=lists["prescriptive"], window=window)


def _sets(raw: Any, where: str, errors: list[str]) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """The valid term sets, and the names of the invalid ones (already reported)."""
    if raw is None:
        return {}, set()
    if not isinstance(raw, dict):
        errors.append(_msg(where, "sets", "needs a mapping of name -> list of terms"))
        return {}, set()
    good, bad = {}, set()
    for name, words in raw.items():
        if _term_list_ok(words):
            good[name] = tuple(words)
        else:
            errors.append(_msg(where, f"sets.{name}", "needs a non-empty list of terms"))
            bad.add(name)
    return good, bad


def _flag(raw: dict[str, Any], key: str, where: str, errors: list[str]) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        errors.append(_msg(where, key, f"needs true or false, got {value!r}"))
        return False
    return value


def _polarity_path(raw: Any, path: str) -> str | None:
    """Where a rule first uses ``polarity`` (a path as :func:`compile_rule` writes it)."""
    if isinstance(raw, list):  # a bare list is any: [...]
        for i, item in enumerate(raw):
            if found := _polarity_path(item, f"{path}.any[{i}]"):
                return found
        return None
    if not isinstance(raw, dict):
        return None
    if "polarity" in raw:
        return f"{path}.polarity"
    for key in ("any", "all", "near"):
        if isinstance(raw.get(key), list):
            for i, item in enumerate(raw[key]):
                if found := _polarity_path(item, f"{path}.{key}[{i}]"):
                    return found
    return _polarity_path(raw["not"], f"{path}.not") if "not" in raw else None


@dataclass
class _RuleContext:
    """What rules compile against, and the rule errors reported so far."""

    cues: Cues | None
    sets: dict[str, tuple[str, ...]]
    kinds: tuple[str, ...] = ()
    #: message -> (index of the reported error, its field, the codes with it since and
    #: their fields). A rule shared through a YAML alias fails in every code using it,
    #: and is reported once.
    seen: dict[str, tuple[int, str, list[tuple[str, str]]]] = field(default_factory=dict)

    def report(self, where: str, path: str, message: str, errors: list[str]) -> None:
        """Add one rule error, or note the code beside the same error reported earlier."""
        if message in self.seen:
            self.seen[message][2].append((where, path))
            return
        self.seen[message] = (len(errors), path, [])
        errors.append(_msg(where, path, message))

    def annotate(self, errors: list[str], source: str) -> None:
        """Name, after each rule error, the other codes where it recurs."""
        for index, path, others in self.seen.values():
            if not others:
                continue
            names = [
                where[len(source) :].strip().removeprefix("code ")
                + ("" if other == path else f" ({other!r})")
                for where, other in others
            ]
            codes = "codes" if len(names) > 1 else "code"
            errors[index] += f"; the same error in {codes} {', '.join(names)}"


def _warn_traditional(where: str, nodes: Sequence[Node]) -> None:
    """Warn of a regex written with Traditional characters: terms are converted to
    Simplified, but a regex is matched as written against the Simplified text, so such a
    rule never matched and nothing said so (:func:`workbench.coding.rules.traditional_chars`)."""
    for pattern in dict.fromkeys(p.pattern for p in regex_patterns(nodes)):
        if found := traditional_chars(pattern):
            chars = ", ".join(f"{t} → {s}" for t, s in found)
            log.warning("%s: regex %r has Traditional characters (%s); texts are matched in "
                        "Simplified, so it never matches them: write the regex in Simplified "
                        "(terms outside a regex are converted for you)", where, pattern, chars)


def _rule(
    rules: Any, where: str, ctx: _RuleContext, errors: list[str], unless: Any = None
) -> Node | None:
    """Compile a code's rules (vetoed by ``unless``); report the first error of each rule
    that fails."""
    if not isinstance(rules, list) or not rules:
        errors.append(_msg(where, "rules", "needs a non-empty list of rules"))
        return None
    if ctx.cues is None and (
        path := _polarity_path(rules, "rules") or _polarity_path(unless, "unless")
    ):
        no_cues = "uses polarity, but the codebook has no `polarity` section (window, cue lists)"
        ctx.report(where, path, no_cues, errors)
    options = dict(cues=ctx.cues, sets=ctx.sets, kinds=ctx.kinds)
    veto = None
    if unless is not None:
        try:
            veto = compile_rule(unless, path="unless", **options)
        except RuleError as err:
            ctx.report(where, err.path, err.message, errors)
            return None
    try:
        rule = compile_rule({"any": rules}, path="rules", **options)
    except RuleError as err:
        first = err
    else:
        if _codes_every_sentence(rule):
            errors.append(_msg(where, _every_sentence_path(rules, options), EVERY_SENTENCE))
            return None
        _warn_traditional(where, [rule] if veto is None else [rule, veto])
        return rule if veto is None else AllOf([rule, Not(veto)])
    found = []
    for i, item in enumerate(rules):  # each rule on its own, to report every bad one
        try:
            compile_rule(item, path=f"rules.any[{i}]", **options)
        except RuleError as err:
            found.append(err)
    for e in found or [first]:
        ctx.report(where, e.path, e.message, errors)
    return None


#: A code whose rules match a sentence with no words at all.
EVERY_SENTENCE = (
    "codes every sentence (a rule that is only `not: …` matches any sentence without its "
    "terms); say what the code must find and what it must not, e.g. "
    "{all: [干部, {not: 官僚}]}"
)


def _codes_every_sentence(rule: Node) -> bool:
    """Whether ``rule`` matches a sentence with no words, whatever its section role: a
    rule such as ``{not: 官僚}`` alone, which coded 120 of 123 sentences without a word.
    A rule restricted to some roles (any cause sentence) is a condition a code may mean.

    Examples
    --------
    >>> from workbench.coding.rules import compile_rule
    >>> _codes_every_sentence(compile_rule({"not": "官僚"}))
    True
    >>> _codes_every_sentence(compile_rule({"all": ["干部", {"not": "官僚"}]}))
    False
    >>> _codes_every_sentence(compile_rule({"not": "官僚", "roles": ["cause"]}))
    False
    """
    return all(rule.match(Sentence("", role, heading)) is not None
               for role in ROLES for heading in (False, True))  # fmt: skip


def _every_sentence_path(rules: list[Any], options: dict[str, Any]) -> str:
    """The field of the first of ``rules`` that codes every sentence (``rules`` when it
    takes them together)."""
    for i, item in enumerate(rules):
        if _codes_every_sentence(compile_rule(item, path=f"rules.any[{i}]", **options)):
            return f"rules.any[{i}]"
    return "rules"


def _code(
    raw: Any,
    index: int,
    ctx: _RuleContext,
    src: str,
    errors: list[str],
    categories: dict[str, dict[str, str]] | None = None,
) -> Code | None:
    """One code, or ``None`` after reporting everything wrong with it."""
    if not isinstance(raw, dict):
        errors.append(_msg(f"{src} code #{index + 1}", "id", "a code must be a mapping"))
        return None
    before = len(errors)
    code_id = raw.get("id")
    where = f"{src} code {code_id!r}" if code_id else f"{src} code #{index + 1}"
    for key in sorted(set(raw) - set(CODE_KEYS), key=str):  # YAML reads `on:` as True
        meant = closest(str(key), CODE_KEYS, n=1)  # defintion: for definition:
        hint = f" (did you mean {meant[0]!r}?)" if meant else ""
        errors.append(_msg(where, key, f"unknown key{hint}; allowed: {list(CODE_KEYS)}"))
    for key in REQUIRED_CODE_KEYS:
        if key not in raw:
            errors.append(_msg(where, key, "missing"))
    if "id" in raw and (not isinstance(code_id, str) or not code_id.isidentifier()):
        errors.append(
            _msg(where, "id", f"needs an identifier such as P_oversight, got {code_id!r}")
        )
    category = raw.get("category")
    # Undeclared categories are reported once the categories could be read at all.
    if "category" in raw and categories is not None and category not in categories:
        unknown_cat = (f"unknown category {category!r}: not declared under `categories:`; "
                       f"declared: {list(categories)}")  # fmt: skip
        errors.append(_msg(where, "category", unknown_cat))
    rule = _rule(raw["rules"], where, ctx, errors, raw.get("unless")) if "rules" in raw else None
    examples = raw.get("examples")
    if examples is None or examples == []:
        examples = []
    elif not _term_list_ok(examples):
        errors.append(_msg(where, "examples", "needs a list of quotes from the corpus"))
    labels = {
        k: _text(raw, k, where, k in REQUIRED_CODE_KEYS, errors) for k in TEXT_KEYS if k in raw
    }
    catch_all = _flag(raw, "catch_all", where, errors)
    if len(errors) > before or rule is None:
        return None
    return Code(
        id=code_id,
        category=category,
        label_zh=labels["label_zh"],
        label_en=labels["label_en"],
        definition=labels["definition"],
        include=labels.get("include", ""),
        exclude=labels.get("exclude", ""),
        examples=tuple(examples),
        rule=rule,
        raw_rules=tuple(raw["rules"]),
        catch_all=catch_all,
    )


def _yields(
    raw: Any, categories: dict[str, Any] | None, ctx: _RuleContext, src: str, errors: list[str]
) -> tuple[Yield, ...]:
    """The ``yields:`` section: ``- {category: C, to: [A, B], unless: RULE}``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(_msg(src, "yields", "needs a list of {category, to, unless} entries"))
        return ()
    known = list(categories or ())  # in declaration order, for a stable message
    out = []
    for i, entry in enumerate(raw):
        at = f"yields[{i}]"
        if not isinstance(entry, dict):
            errors.append(_msg(src, at, "needs a mapping with category, to and unless"))
            continue
        before = len(errors)
        for key in sorted(set(entry) - set(YIELD_KEYS), key=str):
            errors.append(_msg(src, f"{at}.{key}", f"unknown key; allowed: {list(YIELD_KEYS)}"))
        cat, to = entry.get("category"), entry.get("to")
        if categories is not None and cat not in known:
            errors.append(_msg(src, f"{at}.category", f"unknown category {cat!r}; declared: "
                               f"{list(known)}"))  # fmt: skip
        if not isinstance(to, list) or not to or (categories is not None and set(to) - set(known)):
            errors.append(_msg(src, f"{at}.to", f"needs a list of declared categories, got {to!r}"))
        unless = None
        if "unless" in entry:
            try:
                unless = compile_rule(entry["unless"], cues=ctx.cues, sets=ctx.sets,
                                      kinds=ctx.kinds, path=f"{at}.unless")  # fmt: skip
                _warn_traditional(f"{src} {at}.unless", [unless])
            except RuleError as err:
                errors.append(_msg(src, err.path, err.message))
        if len(errors) == before:
            out.append(Yield(cat, frozenset(to), unless))
    return tuple(out)


def parse_codebook(raw: Any, source: str = "<codebook>") -> Codebook:
    """Validate a parsed YAML document and compile it into a :class:`Codebook`.

    Every error is collected before anything is raised, so one run lists them all.

    Parameters
    ----------
    raw : Any
        The parsed YAML document.
    source : str
        The file's name, used in the messages.

    Returns
    -------
    Codebook
        The validated, compiled codebook.

    Raises
    ------
    CodebookError
        Naming the source, the code (id or position) and the field at fault — one
        error as one line, several as a count and one line each (all in ``errors``).

    Examples
    --------
    >>> parse_codebook({"codes": [{"id": "P_x"}]}, "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.coding.codebook.CodebookError: x.yaml: 6 errors in the codebook:
      1. field 'categories': needs a mapping of at least one category id ...
      2. code 'P_x', field 'category': missing
    ...
    """
    if not isinstance(raw, dict):
        raise CodebookError(f"{source}: a codebook is a YAML mapping")
    errors: list[str] = []
    for key in sorted(set(raw) - set(TOP_KEYS), key=str):
        errors.append(_msg(source, key, f"unknown top-level key; allowed: {list(TOP_KEYS)}"))
    categories = _categories(raw.get("categories"), source, errors)
    kinds = parse_kinds(raw.get("document_kinds"), source, errors)
    cues = _cues(raw.get("polarity"), source, errors)
    sets, bad_sets = _sets(raw.get("sets"), source, errors)
    # A set already reported as malformed is not reported again by every rule using it.
    # Every declared kind's name: a kind with a bad cue is not reported again by its rules.
    ctx = _RuleContext(
        cues,
        {**sets, **{name: ("\ufffd",) for name in bad_sets}},
        kind_names(raw.get("document_kinds")),
    )
    codes_raw = raw.get("codes")
    codes: list[Code | None] = []
    if not isinstance(codes_raw, list) or not codes_raw:
        errors.append(_msg(source, "codes", "needs a non-empty list of codes"))
        codes_raw = []
    seen: set[str] = set()
    for i, c in enumerate(codes_raw):
        codes.append(_code(c, i, ctx, source, errors, categories))
        code_id = c.get("id") if isinstance(c, dict) else None
        if isinstance(code_id, str) and code_id.isidentifier():
            if code_id in seen:
                errors.append(_msg(f"{source} code {code_id!r}", "id", "duplicate id"))
            seen.add(code_id)
    yields = _yields(raw.get("yields"), categories, ctx, source, errors)
    if errors:
        ctx.annotate(errors, source)
        raise CodebookError.collect(source, errors)
    if isinstance(raw.get("version"), float):
        # YAML reads an unquoted 2.10 as the number 2.1: the version recorded with every
        # coding would not be the one written.
        log.warning("%s, field 'version': read as the number %r (YAML reads an unquoted 2.10 "
                    'as 2.1); put it in quotes, e.g. version: "2.10", so that it is recorded as '
                    "written", source, raw["version"])  # fmt: skip
    return Codebook(
        version=str(raw.get("version", "")),
        title=str(raw.get("title", "")),
        categories=categories or {},
        codes=tuple(c for c in codes if c is not None),
        cues=cues or Cues(),
        sets=sets,
        path=source,
        kinds=kinds,
        yields=yields,
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
    where = config.display_path(path)
    if not path.is_file():
        # open()'s "[Errno 2] No such file or directory" named neither the option nor a way on.
        what = "is a folder, not a codebook file" if path.is_dir() else "no such codebook"
        raise FileNotFoundError(
            f"{where}: {what}; give the path of your codebook YAML (--codebook), or start "
            "one with `workbench codebook new my_codebook.yaml`"
        )
    text = ""
    try:
        text = path.read_text(encoding="utf-8")
        raw = safe_load(text)
    except UnicodeDecodeError as err:
        # An editor on Chinese Windows saves GBK unless told otherwise; say which line.
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise CodebookError(
            f"{config.display_path(path)}: line {line} is not UTF-8 (byte {err.start}); "
            "save the codebook as UTF-8 (in Notepad: Save As, Encoding UTF-8)"
        ) from None
    except yaml.YAMLError as err:
        said = describe_error(err, text)
        if hint := _alias_hint(err, text):  # the generic hint spoke of indentation
            said = said.rsplit("\n", 1)[0] + "\n" + hint
        raise CodebookError(f"{where}: not valid YAML: {said}") from None
    return parse_codebook(raw, where)


#: A reference to named rules (``*r_P_trust``) where YAML stopped.
_ALIAS = re.compile(r"\*([^\s,\]\}]+)")


def _alias_hint(err: yaml.YAMLError, text: str) -> str:
    """What to do about a reference to named rules (a YAML alias) that YAML refused.

    A codebook names a code's rules (``rules: &r_P_trust``) and refers to them elsewhere
    (``*r_P_trust`` in a catch-all's list of the codes it excludes). A code removed,
    renamed or moved below the reference leaves an alias nothing defines, and a term
    written with a leading ``*`` (``*号``) is read as an alias too; YAML says "found
    undefined alias" or "did not find expected alphabetic or numeric character".
    ``""`` for any other error.

    Examples
    --------
    >>> from workbench.yamlio import safe_load
    >>> text = "codes: [*r_P_trust, x]"
    >>> try:
    ...     safe_load(text)
    ... except yaml.YAMLError as err:
    ...     print(_alias_hint(err, text).split(",")[0])
    *r_P_trust refers to the rules named &r_P_trust
    """
    problem = str(getattr(err, "problem", "") or "")
    context = str(getattr(err, "context", "") or "")
    mark = getattr(err, "problem_mark", None)
    if "undefined alias" in problem and mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        found = _ALIAS.match(line, mark.column) or _ALIAS.search(line)
        name = found.group(1) if found else "name"
        return (f"*{name} refers to the rules named &{name}, and no &{name} is written above "
                f"it: was the code with `rules: &{name}` removed, renamed or moved below this "
                f"line? Delete *{name} here (a catch-all lists every code it excludes), or "
                f"write `rules: &{name}` on a code above it; a term that starts with * is "
                f"written in quotes ('*{name}')")  # fmt: skip
    if "alias" in context or "anchor" in context:
        return ("a term that starts with * or & is read as a reference to named rules "
                "(*name, &name): put the term in quotes, e.g. ['*号', 公开]")  # fmt: skip
    return ""
