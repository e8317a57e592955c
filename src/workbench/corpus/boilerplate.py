"""Remove web-page and download-site boilerplate from raw corpus text.

The rules are data, not code: they live in ``resources/boilerplate.yaml`` (see the
header comment of that file for the fields). Three kinds exist:

``line_regex``
    drop a whole line that matches (``七一社区 注册``, ``(责编:…)``, the 阿拉题库 preface).
``inline_regex``
    delete the matching span inside a line (the xiexiebang.com footer, a ``?``
    bullet artefact at the start of a line); a line left empty is dropped.
``block_start``
    drop the matching line and everything after it up to an optional ``end``
    line or the end of the file (人民网 page tail: 扫一扫 … 热点关键词). Such a
    region never swallows a body: it stops before the first line of body text —
    a *content-dense* line (a long run of ideographs with sentence punctuation,
    defined under ``settings`` in the YAML file) or a section heading
    (:func:`workbench.corpus.structure.match_heading`: "一、存在的问题") — and never starts
    on a content-dense line; a ``max_lines`` guard keeps a stray marker from
    swallowing many short lines.

No rule removes a body unnoticed: :attr:`CleanText.removed_share` is the share of
the file's ideographs the rules removed (metadata lines, whose value is kept, do not
count), and :func:`describe_loss` names the rules responsible once that share is
above ``settings.max_removed_share``; :func:`workbench.corpus.load_file` logs it as
a warning and records the share in the files table.

Decisions
---------
* **Script.** Patterns are matched on :func:`workbench.corpus.script.to_simplified` of the
  line, so one rule covers 責編 and 责编; every returned text (kept lines, removed
  lines and spans) is in the original script. Inline spans are mapped back by
  position, which is exact because OpenCC ``t2s`` keeps the length of every seed
  line; if a conversion ever changes the length, the inline pattern is matched on
  the original text instead.
* **Whitespace.** Inside kept lines, runs of ASCII, no-break (U+00A0) and
  ideographic (U+3000) spaces collapse to **one ASCII space** and the ends are
  stripped; zero-width characters are deleted. Spaces between Chinese characters
  are *not* deleted: in these files a space is often the only separator between a
  run-in heading and its body (001 ``…政治导向 一是…``, 002 ``…主動性 站在…``) or
  between the names of a byline (003 ``徐 平 王书银``: a two-character name padded
  to three). :mod:`workbench.corpus.structure` and :mod:`workbench.corpus.articles` read those
  spaces; tokenisers can drop them later.
* **Line numbers** are 1-based positions in ``text.split("\\n")`` (a trailing
  ``\\r`` is dropped), i.e. what an editor shows. Blank lines are skipped silently.
* **Metadata lines** (``文章標題:…``, the 人民网 dateline) are removed like any
  boilerplate but their rule names a ``field``; :func:`extract_metadata` recovers
  the value.
* **Front matter.** A YAML front matter block opening a file (``---``, ``key: value``
  lines, ``---``: :func:`front_matter_end`) is metadata and markup, never text: each of its
  lines is removed, under the first rule naming it (``markdown_rule``,
  ``front_matter_title``, ``front_matter_date`` …; rules marked ``where: front_matter`` are
  tried there only) or as :data:`FRONT_MATTER_RULE`. :attr:`CleanText.front_matter` says
  where the block ends, so that :mod:`workbench.corpus.articles` takes its ``title:``.

Examples
--------
>>> clean = strip_boilerplate("七一社区\\u00a0\\u00a0注册\\n\\n干群關係  緊張。\\n(責編:趙娟)")
>>> clean.lines
[(3, '干群關係 緊張。')]
>>> [(r.line_no, r.rule) for r in clean.removed]
[(1, 'people_qiyi_register'), (4, 'people_editor')]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as _field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from workbench.config import RESOURCES_DIR
from workbench.corpus.script import to_simplified, to_simplified_many
from workbench.corpus.structure import match_heading
from workbench.regex_precheck import Precheck, needed_literals, screen
from workbench.yamlio import safe_load

#: The rule file shipped with the workbench: its ``settings`` also guard rule files
#: that have none (:func:`load_settings`).
BUNDLED_RULES_PATH = RESOURCES_DIR / "boilerplate.yaml"

#: Default rule file.
DEFAULT_RULES_PATH = BUNDLED_RULES_PATH

#: Rule kinds understood by :func:`strip_boilerplate`.
KINDS = ("line_regex", "inline_regex", "block_start")

_ALLOWED_FIELDS = {"id", "kind", "pattern", "description", "end", "max_lines", "field", "where"}

#: The rule id of a front matter line no rule names (``tags: [...]``, ``layout: post``):
#: markup, listed in ``Corpus.removed`` like the rest of the block (:func:`front_matter_end`).
FRONT_MATTER_RULE = "front_matter"
#: A front matter block closes within this many lines of its opening ``---``, or the
#: file has none (a ``---`` rule opening a text is no front matter).
FRONT_MATTER_MAX_LINES = 60
_FRONT_MATTER_KEY = re.compile(r"[A-Za-z_][\w.-]*\s*:(?:\s.*)?")
_ALLOWED_SETTINGS = {"content_dense", "max_removed_share"}
_ALLOWED_DENSE = {"min_ideographs", "punctuation"}
# Runs of CJK ideographs: Extension A, the URO, compatibility ideographs, the
# supplementary planes (runs: far fewer matches than single characters).
_IDEOGRAPHS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_SPACE_RUN = re.compile(r"\s+")  # str patterns: \s covers U+00A0, U+3000, U+2000-U+200A
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule, validated and compiled (see ``boilerplate.yaml``)."""

    id: str
    kind: str
    pattern: re.Pattern[str]
    description: str
    end: re.Pattern[str] | None = None
    max_lines: int | None = None
    field: str | None = None
    #: ``"front_matter"``: the rule is tried only on the lines of a YAML front matter
    #: block at the top of the file (``date: …``, ``author: …``), where a ``key: value``
    #: line is metadata; elsewhere the same line is text. ``None``: every line.
    where: str | None = None


@dataclass(frozen=True)
class Settings:
    """The guards of ``boilerplate.yaml`` (its ``settings`` mapping).

    Attributes
    ----------
    min_ideographs : int
        A line with at least this many ideographs ...
    punctuation : re.Pattern
        ... and a match of this pattern (sentence punctuation) is *content-dense*:
        body text, where a region (``block_start``) rule stops.
    max_removed_share : float
        A file losing more than this share of its ideographs to boilerplate is
        reported (:func:`describe_loss`).
    """

    min_ideographs: int
    punctuation: re.Pattern[str]
    max_removed_share: float

    def is_dense(self, line: str) -> bool:
        """True for a content-dense line (see the attributes).

        Examples
        --------
        >>> s = load_settings()
        >>> s.is_dense("微信扫一扫 ×"), s.is_dense("要" * 29 + "。"), s.is_dense("要" * 30 + "。")
        (False, False, True)
        """
        return (
            self.punctuation.search(line) is not None
            and count_ideographs(line) >= self.min_ideographs
        )


def count_ideographs(text: str) -> int:
    """Number of CJK ideographs in ``text``.

    Examples
    --------
    >>> count_ideographs("干群關係 2013年")
    5
    """
    return sum(map(len, _IDEOGRAPHS.findall(text)))


#: Rules of one kind, each with the cheap pre-check of its pattern (``regex_precheck``).
_Checked = list[tuple[Rule, Precheck]]


@dataclass(frozen=True)
class RemovedLine:
    """A removed line (or span, for inline rules) and the rule that removed it.

    ``line_no`` is 1-based; ``text`` is the original line as read (original script,
    whitespace untouched) or, for inline rules, the removed span.
    """

    line_no: int
    text: str
    rule: str


@dataclass
class CleanText:
    """Kept lines ``(line_no, text)`` and the removals, both in original script.

    Kept lines are non-empty with whitespace normalised (see module notes).
    ``ideographs`` is the number of ideographs in the whole input and ``lost`` the
    number each rule removed, metadata rules (with a ``field``) left out; both are
    filled only when something was removed.
    """

    lines: list[tuple[int, str]]
    removed: list[RemovedLine]
    ideographs: int = 0
    lost: dict[str, int] = _field(default_factory=dict)
    #: The line number of the closing ``---`` of a YAML front matter block at the top of
    #: the file (lines 1 to it are front matter, all removed), 0 when there is none.
    front_matter: int = 0

    @property
    def removed_share(self) -> float:
        """Share of the input's ideographs removed as boilerplate (metadata lines excluded).

        Examples
        --------
        >>> strip_boilerplate("正文正文。\\n相关专题").removed_share
        0.5
        """
        return sum(self.lost.values()) / self.ideographs if self.ideographs else 0.0

    def removed_counts(self) -> dict[str, int]:
        """Number of removals per rule id.

        Examples
        --------
        >>> strip_boilerplate("? 甲\\n? 乙").removed_counts()
        {'bullet_artefact': 2}
        """
        return dict(Counter(r.rule for r in self.removed))

    @property
    def text(self) -> str:
        """The kept lines joined with newlines.

        Examples
        --------
        >>> strip_boilerplate("甲\\n\\n乙").text
        '甲\\n乙'
        """
        return "\n".join(t for _, t in self.lines)


# --------------------------------------------------------------------------- loading


def _fail(rule_name: str, field: str, problem: str) -> ValueError:
    return ValueError(f"boilerplate rule {rule_name}: field {field!r} {problem}")


def _compile(rule_name: str, field: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise _fail(rule_name, field, "must be a non-empty regex string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise _fail(rule_name, field, f"is not a valid regex: {exc}") from exc


def _rule_id(raw: Any, index: int) -> str:
    if not isinstance(raw, dict):
        raise _fail(f"#{index}", "id", "missing: the rule is not a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise _fail(f"#{index}", "id", "is missing or empty")
    return rid


def _parse_rule(raw: dict[str, Any], rid: str) -> Rule:
    name = repr(rid)
    unknown = sorted(set(raw) - _ALLOWED_FIELDS)
    if unknown:
        raise _fail(name, unknown[0], "is not a known field")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(name, "kind", f"must be one of {', '.join(KINDS)}; got {kind!r}")
    pattern = _compile(name, "pattern", raw.get("pattern"))
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail(name, "description", "is missing or empty")
    if kind != "block_start" and ("end" in raw or "max_lines" in raw):
        bad = "end" if "end" in raw else "max_lines"
        raise _fail(name, bad, "is only allowed for kind block_start")
    end = _compile(name, "end", raw["end"]) if raw.get("end") is not None else None
    max_lines = raw.get("max_lines")
    if max_lines is not None and (not isinstance(max_lines, int) or max_lines < 1):
        raise _fail(name, "max_lines", f"must be a positive integer; got {max_lines!r}")
    field = raw.get("field")
    if field is not None:
        if not isinstance(field, str) or not field:
            raise _fail(name, "field", "must be a non-empty string")
        if "value" not in pattern.groupindex:
            raise _fail(name, "pattern", "needs a (?P<value>...) group because 'field' is set")
    where = raw.get("where")
    if where is not None and (where != "front_matter" or kind != "line_regex"):
        raise _fail(name, "where", f"must be 'front_matter' on a line_regex rule; got {where!r}")
    return Rule(rid, kind, pattern, description.strip(), end, max_lines, field, where)


def _parse_settings(raw: Any, path: str) -> Settings | None:
    """The ``settings`` mapping of a rule file; ``None`` when the file has none."""
    if raw is None:
        return None

    def fail(key: str, problem: str) -> ValueError:
        return ValueError(f"boilerplate rules {path}: setting {key!r} {problem}")

    if not isinstance(raw, dict):
        raise fail("settings", "must be a mapping")
    unknown = sorted(set(raw) - _ALLOWED_SETTINGS)
    if unknown:
        raise fail(unknown[0], f"is not a known setting ({', '.join(sorted(_ALLOWED_SETTINGS))})")
    dense = raw.get("content_dense")
    if not isinstance(dense, dict) or set(dense) != _ALLOWED_DENSE:
        raise fail("content_dense", "must map exactly " + " and ".join(sorted(_ALLOWED_DENSE)))
    minimum = dense["min_ideographs"]
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
        raise fail("content_dense.min_ideographs", f"must be a positive integer; got {minimum!r}")
    try:
        punctuation = re.compile(str(dense["punctuation"]))
    except re.error as exc:
        raise fail("content_dense.punctuation", f"is not a valid regex: {exc}") from exc
    share = raw.get("max_removed_share")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise fail("max_removed_share", f"must be a number in (0, 1]; got {share!r}")
    return Settings(minimum, punctuation, float(share))


@lru_cache(maxsize=16)
def _load_cached(path: str) -> tuple[tuple[Rule, ...], Settings | None]:
    try:
        data = safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"boilerplate rules {path}: not valid YAML: {exc}") from exc
    raw_rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(raw_rules, list):
        raise ValueError(f"boilerplate rules {path}: expected a top-level 'rules' list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules, start=1):
        rid = _rule_id(raw, index)
        if rid in seen:
            raise _fail(repr(rid), "id", "is duplicated")
        seen.add(rid)
        rules.append(_parse_rule(raw, rid))
    settings = _parse_settings(data.get("settings") if isinstance(data, dict) else None, path)
    return tuple(rules), settings


@lru_cache(maxsize=64)
def _resolve(path: str) -> str:
    # Cached: the rules are looked up for every file loaded, and resolving a path
    # costs a system call per component (the contents are cached by _load_cached).
    return str(Path(path).resolve())


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """Load, validate and compile the boilerplate rules (cached per file).

    Parameters
    ----------
    path
        A YAML rule file; defaults to ``resources/boilerplate.yaml``.

    Returns
    -------
    list of Rule
        In file order.

    Raises
    ------
    ValueError
        If the file is not valid YAML or a rule is malformed (missing ``id``,
        unknown ``kind``, bad regex, ...). The message names the rule id (or its
        position when the id itself is missing) and the offending field.

    Examples
    --------
    >>> rules = load_rules()
    >>> sorted({r.kind for r in rules})
    ['block_start', 'inline_regex', 'line_regex']
    >>> next(r for r in rules if r.id == "people_editor").pattern.search("(责编:赵娟)") is not None
    True
    """
    resolved = Path(path) if path is not None else DEFAULT_RULES_PATH
    return list(_load_cached(_resolve(str(resolved)))[0])


def load_settings(path: str | Path | None = None) -> Settings:
    """The ``settings`` of a rule file (cached per file).

    A rule file without a ``settings`` mapping uses those of the bundled file, so a
    user's own rules get the same guards.

    Raises
    ------
    ValueError
        As :func:`load_rules`, or when a setting is unknown or out of range.

    Examples
    --------
    >>> s = load_settings()
    >>> s.min_ideographs, s.max_removed_share
    (30, 0.5)
    """
    resolved = Path(path) if path is not None else DEFAULT_RULES_PATH
    settings = _load_cached(_resolve(str(resolved)))[1]
    if settings is not None:
        return settings
    bundled = _load_cached(_resolve(str(BUNDLED_RULES_PATH)))[1]
    if bundled is None:
        raise ValueError(f"boilerplate rules {BUNDLED_RULES_PATH}: no 'settings' mapping")
    return bundled


# ------------------------------------------------------------------------- cleaning


def normalize_spaces(line: str) -> str:
    """Collapse whitespace runs to one ASCII space, drop zero-width characters, strip.

    Examples
    --------
    >>> normalize_spaces("\\u3000徐\\u00a0平\\u00a0\\u00a0王书银\\u200b ")
    '徐 平 王书银'
    """
    return _SPACE_RUN.sub(" ", _ZERO_WIDTH.sub("", line)).strip()


def _normalize_lines(text: str) -> list[str]:
    """:func:`normalize_spaces` of each line of ``text`` (split at ``\\n``).

    ``str.split()`` splits at the same whitespace as the regex ``\\s`` (both use
    Python's ``isspace``) and drops it at the ends, so joining its parts by one space
    is the substitution plus ``strip``, without a regex pass over every character.
    """
    # A substring test per character finds them several times faster than the regex.
    if any(ch in text for ch in _ZERO_WIDTH_CHARS):
        text = _ZERO_WIDTH.sub("", text)
    return [" ".join(line.split()) for line in text.split("\n")]


def _inline_spans(rule: Rule, simplified: str, original: str) -> list[tuple[int, int]]:
    """Spans of ``original`` to delete; positions come from the Simplified text."""
    haystack = simplified if len(simplified) == len(original) else original
    return [m.span() for m in rule.pattern.finditer(haystack) if m.end() > m.start()]


def _apply_inline(
    line_no: int, text: str, simplified: str, rules: _Checked, removed: list[RemovedLine]
) -> tuple[str, str]:
    """Delete inline spans rule by rule; return the new (original, simplified) text."""
    for rule, check in rules:
        if not check.may_match(simplified if len(simplified) == len(text) else text):
            continue  # the rule's literals are not in the line: no span to delete
        spans = _inline_spans(rule, simplified, text)
        if not spans:
            continue
        for start, end in reversed(spans):
            removed.append(RemovedLine(line_no, text[start:end], rule.id))
            text = text[:start] + text[end:]
            if len(simplified) >= end:
                simplified = simplified[:start] + simplified[end:]
        text = normalize_spaces(text)
        simplified = to_simplified(text)
    return text, simplified


def _is_body(simple: str, settings: Settings) -> bool:
    """A line no region may cover: content-dense, or a section heading ("一、存在的问题",
    "对策建议", see :func:`workbench.corpus.structure.match_heading`), which is short but body."""
    return settings.is_dense(simple) or match_heading(simple) is not None


def _block_size(
    rule: Rule, simplified: list[str], start: int, settings: Settings
) -> tuple[int, int]:
    """(index after the block, number of non-empty lines in it) for a block at ``start``.

    The block ends after its ``end`` line, or just before the first line of body
    text (:func:`_is_body`), whichever comes first; else at the end of the file.
    """
    stop = len(simplified)
    for j in range(start + 1, len(simplified)):
        if simplified[j] and _is_body(simplified[j], settings):
            stop = j
            break
        if rule.end is not None and rule.end.search(simplified[j]):
            stop = j + 1
            break
    return stop, sum(1 for s in simplified[start:stop] if s)


def _open_block(
    rules: _Checked, simplified: list[str], index: int, settings: Settings
) -> tuple[Rule, int] | None:
    """The first block rule starting at ``index`` whose block passes ``max_lines``.

    No block starts on a content-dense line: a marker inside body text is body text.
    """
    line = simplified[index]
    for rule, check in rules:
        if check.may_match(line) and rule.pattern.search(line):
            if settings.is_dense(line):
                return None
            stop, size = _block_size(rule, simplified, index, settings)
            if rule.max_lines is None or size <= rule.max_lines:
                return rule, stop
    return None


_second = itemgetter(1)  # the literal of an Aho–Corasick hit (end, literal)


class RuleFinder:
    """The first of a list of rules whose pattern is found in a line, trying only the
    rules whose needed literals (:func:`workbench.regex_precheck.needed_literals`) all
    occur in it.

    Which literals occur is learned from one Aho–Corasick scan of the line instead of
    a substring test per rule and literal: lines that pass a kind's screen (any line
    with a space, a colon or 年 for the line rules) usually hold the literals of one rule
    or none, and testing each of the twenty rules cost more than the rest of cleaning.

    Examples
    --------
    >>> rules = [r for r in load_rules() if r.kind == "line_regex"]
    >>> finder = RuleFinder(tuple(rules))
    >>> finder.first("(责编:赵娟)").id, finder.first("干部作风不实。") is None
    ('people_editor', True)
    """

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        # Per rule: alternatives of literals one of which must all occur (None: any line).
        self.needs = [needed_literals(r.pattern) for r in rules]
        self.always = frozenset(i for i, need in enumerate(self.needs) if need is None)
        rules_of: dict[str, set[int]] = {}
        for i, need in enumerate(self.needs):
            for literal in {lit for alt in need or () for lit in alt}:
                rules_of.setdefault(literal, set()).add(i)
        self.rules_of = {lit: frozenset(ix) for lit, ix in rules_of.items()}
        self.automaton: Any = None
        if rules_of:
            self.automaton = ahocorasick.Automaton()
            for literal in rules_of:
                self.automaton.add_word(literal, literal)
            self.automaton.make_automaton()
        # The rules to try for each set of found literals: lines repeat a few sets (":"
        # alone, "年" alone, ...), most of which let no rule match.
        self._tried: dict[frozenset[str], tuple[Rule, ...]] = {}

    def found(self, text: str) -> frozenset[str]:
        """The needed literals that occur in ``text`` (overlapping ones too)."""
        if self.automaton is None or not text:
            return frozenset()
        return frozenset(map(_second, self.automaton.iter(text)))  # picked in C

    def tried(self, found: frozenset[str]) -> tuple[Rule, ...]:
        """The rules, in list order, whose needed literals are all in ``found`` for
        some alternative (or that need none): the only ones that can match."""
        rules = self._tried.get(found)
        if rules is None:
            candidates = set(self.always)
            for literal in found:
                candidates |= self.rules_of[literal]
            rules = tuple(
                self.rules[i]
                for i in sorted(candidates)
                if self.needs[i] is None or any(found.issuperset(alt) for alt in self.needs[i])
            )
            if len(self._tried) >= 4096:  # never grow unbounded
                self._tried.clear()
            self._tried[found] = rules
        return rules

    def first(self, text: str) -> Rule | None:
        """The first rule, in list order, whose pattern ``search`` finds in ``text``."""
        found = self.found(text)
        for rule in self.tried(found):
            if rule.pattern.search(text):
                return rule
        return None


@lru_cache(maxsize=16)
def _line_finder(rules: tuple[Rule, ...]) -> RuleFinder:
    """The :class:`RuleFinder` of the line rules of ``rules`` tried on every line (built
    once per rule set)."""
    return RuleFinder(tuple(r for r in rules if r.kind == "line_regex" and r.where is None))


def _front_rules(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The rules tried only inside a front matter block (``where: front_matter``)."""
    return tuple(r for r in rules if r.where == "front_matter")


def front_matter_end(lines: list[str]) -> int:
    """The index of the line closing a YAML front matter block that opens the file, else 0.

    ``lines`` are the file's lines, whitespace normalised. A block opens on the first line
    (``---``), holds ``key: value`` lines (its first non-blank line is one; YAML lists and
    continued values may follow) and closes on ``---`` or ``...`` within
    :data:`FRONT_MATTER_MAX_LINES` lines; anything else is no front matter (a text may
    open with a ``---`` rule).

    Examples
    --------
    >>> front_matter_end(["---", "title: 甲", "date: 2021-03-02", "---", "正文。"])
    3
    >>> front_matter_end(["---", "正文。", "---"]), front_matter_end(["title: 甲", "---"])
    (0, 0)
    """
    if not lines or lines[0] != "---":
        return 0
    inside = lines[1 : FRONT_MATTER_MAX_LINES + 1]
    for offset, line in enumerate(inside, start=1):
        if line in ("---", "..."):
            filled = [x for x in inside[: offset - 1] if x]
            return offset if filled and _FRONT_MATTER_KEY.fullmatch(filled[0]) else 0
    return 0


@lru_cache(maxsize=16)
def _by_kind(rules: tuple[Rule, ...]) -> dict[str, _Checked]:
    """Rules per kind, in file order, each with its :class:`Precheck` (built once)."""
    return {kind: [(r, Precheck(r.pattern)) for r in rules if r.kind == kind] for kind in KINDS}


@lru_cache(maxsize=16)
def _screens(rules: tuple[Rule, ...]) -> dict[str, re.Pattern[str] | None]:
    """Per kind, a regex found in every line a rule of that kind can match (see
    :func:`workbench.regex_precheck.screen`); ``None`` for a kind that cannot be screened."""
    # Front matter rules are tried on the front matter's lines only, never screened.
    rules = tuple(r for r in rules if r.where is None)
    screens = {kind: screen([r.pattern for r in rules if r.kind == kind]) for kind in KINDS}
    screens["any"] = screen([r.pattern for r in rules])  # lines no rule of any kind can match
    return screens


def _may_match(screen_rx: re.Pattern[str] | None, text: str) -> bool:
    """False when no rule of a kind can match ``text`` (one search for all of them)."""
    return screen_rx is None or screen_rx.search(text) is not None


@dataclass(frozen=True)
class _Prepared:
    """What :func:`strip_boilerplate` builds once per rule set (see :func:`_prepare`)."""

    kinds: dict[str, _Checked]
    screens: dict[str, re.Pattern[str] | None]
    line_rules: RuleFinder


#: Prepared rule sets by the identities of their rules (see :func:`_prepare`).
_PREPARED: dict[tuple[int, ...], tuple[tuple[Rule, ...], _Prepared]] = {}
#: The rule set :func:`_prepare` was last asked for, held with what was built for it.
_LAST_PREPARED: tuple[tuple[Rule, ...], _Prepared] | None = None


def _rule_set(rules: list[Rule] | None) -> tuple[Rule, ...]:
    """``tuple(rules)``; for ``None`` the bundled rules as :func:`load_rules` reads them,
    the cached tuple itself, the same object file after file (see :func:`_prepare`)."""
    if rules is None:
        return _load_cached(_resolve(str(DEFAULT_RULES_PATH)))[0]
    return tuple(rules)


def _prepare(rules: tuple[Rule, ...]) -> _Prepared:
    """The per-kind rules, screens and finders of ``rules``, built once per rule set.

    Looked up by the rules' identities: the ``lru_cache`` of :func:`_by_kind` and the
    others hashes every field of every rule, which cost a twentieth of loading a corpus
    of small files. The rules are held with their entry, so an identity cannot be reused
    by another rule while the entry lives. The tuple asked for last is recognised by its
    own identity (the bundled rules' tuple, :func:`_rule_set`), without the key's
    identity per rule.
    """
    global _LAST_PREPARED
    last = _LAST_PREPARED
    if last is not None and last[0] is rules:
        return last[1]
    key = tuple(map(id, rules))
    found = _PREPARED.get(key)
    if found is None:
        found = (rules, _Prepared(_by_kind(rules), _screens(rules), _line_finder(rules)))
        if len(_PREPARED) >= 16:  # a few rule sets per process at most; never grow unbounded
            _PREPARED.clear()
        _PREPARED[key] = found
    _LAST_PREPARED = (rules, found[1])  # held: its identity cannot be reused meanwhile
    return found[1]


def strip_boilerplate(
    text: str, rules: list[Rule] | None = None, settings: Settings | None = None
) -> CleanText:
    """Remove boilerplate lines and spans from ``text``.

    Parameters
    ----------
    text
        The whole file as a string.
    rules
        Rules from :func:`load_rules`; the bundled rules by default.
    settings
        Guards from :func:`load_settings`; the bundled ones by default.

    Returns
    -------
    CleanText
        Kept lines (1-based line numbers, normalised whitespace, original script)
        and every removal with the id of the rule responsible.

    Examples
    --------
    >>> text = "? 打造和諧干群關係\\n正文。《甲》來源于xiexiebang.com,歡迎閱讀甲。"
    >>> clean = strip_boilerplate(text)
    >>> clean.lines
    [(1, '打造和諧干群關係'), (2, '正文。')]
    >>> for r in clean.removed:
    ...     print(r.line_no, repr(r.text), r.rule)
    1 '? ' bullet_artefact
    2 '《甲》來源于xiexiebang.com,歡迎閱讀甲。' xiexiebang_footer
    """
    rule_set = _rule_set(rules)
    settings = load_settings() if settings is None else settings
    prepared = _prepare(rule_set)
    kinds, screens, line_rules = prepared.kinds, prepared.screens, prepared.line_rules
    raw_lines = text.split("\n")  # a removed line is listed as read, less a trailing \r
    normal = _normalize_lines(text)
    # One OpenCC call for the file; remembered, as articles and structure convert the
    # same lines again.
    simplified = to_simplified_many(normal, remember=True)
    kept: list[tuple[int, str]] = []
    removed: list[RemovedLine] = []
    block: Rule | None = None
    block_stop = 0
    # A YAML front matter block (Markdown) is metadata and markup, never text: each of its
    # lines is removed under the first rule naming it (markdown_rule, front_matter_title,
    # the where: front_matter rules such as front_matter_date), else as front_matter.
    front = front_matter_end(normal)
    front_rules = _front_rules(rule_set) if front else ()
    for index, (raw, line, simple) in enumerate(zip(raw_lines, normal, simplified, strict=True)):
        line_no = index + 1
        if block is not None and index >= block_stop:
            block = None
        if not line:
            continue
        if index <= front and front:
            named = line_rules.first(simple) or next(
                (r for r in front_rules if r.pattern.search(simple)), None
            )
            removed.append(RemovedLine(line_no, raw.rstrip("\r"),
                                       named.id if named else FRONT_MATTER_RULE))  # fmt: skip
            continue
        if block is not None:
            rule = line_rules.first(simple) or block
            removed.append(RemovedLine(line_no, raw.rstrip("\r"), rule.id))
            continue
        # The screens settle most lines with one search instead of one per rule. (Inline
        # rules search the original line when the Simplified one differs in length.)
        haystack = simple if len(simple) == len(line) else line
        if not _may_match(screens["any"], simple) and (
            haystack is simple or not _may_match(screens["any"], haystack)
        ):  # the same search again only for a line whose conversion changed its length
            kept.append((line_no, line))
            continue
        if _may_match(screens["inline_regex"], haystack):
            line, simple = _apply_inline(line_no, line, simple, kinds["inline_regex"], removed)
            if not line:
                continue
        # Not screened: the line rules' screen let through nearly every line the "any"
        # one did, and the finder tries only the rules whose literals the line holds.
        line_rule = line_rules.first(simple)
        opened = None
        if _may_match(screens["block_start"], simplified[index]):
            opened = _open_block(kinds["block_start"], simplified, index, settings)
        if opened is not None:
            block, block_stop = opened
        culprit = line_rule if line_rule is not None else (opened[0] if opened else None)
        if culprit is not None:
            removed.append(RemovedLine(line_no, raw.rstrip("\r"), culprit.id))
            continue
        kept.append((line_no, line))
    if not removed:
        return CleanText(kept, removed)
    # Front matter is metadata too: a long description: field is not a lost body.
    metadata = {r.id for r in rule_set if r.field is not None} | {FRONT_MATTER_RULE}
    lost: Counter[str] = Counter()
    for r in removed:
        if r.rule not in metadata:
            lost[r.rule] += count_ideographs(r.text)
    return CleanText(kept, removed, count_ideographs(text),
                     {k: v for k, v in lost.items() if v}, front and front + 1)  # fmt: skip


def describe_loss(clean: CleanText, settings: Settings | None = None) -> str:
    """Say which rules removed the body, when a file lost too much; ``""`` otherwise.

    "Too much" is more than ``max_removed_share`` of the file's ideographs (see
    :class:`Settings`); the rules are named with the ideographs each removed, most
    first.

    Examples
    --------
    >>> print(describe_loss(strip_boilerplate("正文。\\n相关专题\\n热点关键词")))
    ... # doctest: +NORMALIZE_WHITESPACE
    boilerplate rules removed 9 of its 11 ideographs (82%, more than 50%):
    people_hot_keywords 5, people_related_topics 4; check that these rules match only
    page chrome
    >>> describe_loss(strip_boilerplate("很长的正文。\\n相关专题"))
    ''
    """
    settings = load_settings() if settings is None else settings
    share = clean.removed_share
    if share <= settings.max_removed_share:
        return ""
    rules = sorted(clean.lost.items(), key=lambda item: (-item[1], item[0]))
    return (
        f"boilerplate rules removed {sum(clean.lost.values())} of its {clean.ideographs} "
        f"ideographs ({share:.0%}, more than {settings.max_removed_share:.0%}): "
        + ", ".join(f"{rule} {n}" for rule, n in rules)
        + "; check that these rules match only page chrome"
    )


def extract_metadata(
    clean: CleanText, rules: list[Rule] | None = None
) -> list[tuple[int, str, str]]:
    """Values of removed metadata lines, as ``(line_no, field, value)``.

    A rule with a ``field`` (e.g. ``title_metadata`` -> ``title``) marks the removed
    line as metadata; the value is its ``(?P<value>...)`` group, in original script.

    Examples
    --------
    >>> extract_metadata(strip_boilerplate("文章標題:如何改善干群關係\\n正文。"))
    [(1, 'title', '如何改善干群關係')]
    """
    by_id = {r.id: r for r in (load_rules() if rules is None else rules)}
    found: list[tuple[int, str, str]] = []
    for removed in clean.removed:
        rule = by_id.get(removed.rule)
        if rule is None or rule.field is None:
            continue
        original = normalize_spaces(removed.text)
        simple = to_simplified(original)
        match = rule.pattern.search(simple)
        if match is None:
            continue
        start, end = match.span("value")
        value = original[start:end] if len(simple) == len(original) else match["value"]
        found.append((removed.line_no, rule.field, value))
    return found
