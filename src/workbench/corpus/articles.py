"""Split a cleaned file into articles, with titles and authors.

Article markers are regexes in ``resources/structure.yaml`` (``articles.markers``),
matched on Simplified text: ``第一篇:…`` at the start of a line (002), a title line
ending in ``【第一篇】`` (004) and the nested ``篇2:`` that may start in the middle of
a line (004 ``…脱离实际。篇2:整改措施文档``: the line is split; the text before the
marker ends the previous article, the text after it is the new article's title).

Decisions
---------
* **Titles.** The text after ``第N篇:`` / ``篇N:``, or before ``【第N篇】``. A first
  body line repeating the title (002 ``干群關系`` under ``第三篇:干群關系``) is
  dropped. An article without a marker title takes the value of a labelled title line
  removed as metadata inside it (``文章標題:``, a journal record's ``【 标  题 】``);
  a title-like first line under it is then a subtitle or a speech's occasion and
  stays body text. A journal record's labelled title is a line of its text: like a title
  read from a body line it gets a heading segment, on its line (``title_line``; rules
  ``articles.title_segment_rules`` of ``structure.yaml``), and only its label stays
  listed in ``Corpus.removed`` (:func:`title_label`). Else it takes its first line as
  title when that line is *title-like* (at most 40 characters, no sentence punctuation,
  not a heading: 003 after boilerplate removal). When the title runs into the author
  and the first sentence (001 ``关于做好新时期群众工作的几点体会刘长江现在有…``), a
  ``关于…(体会|思考|调查|…)`` prefix followed by a 2–3 character name (a known surname
  plus one or two characters) is split off: the rest of the line stays as body.
  Otherwise the title is ``""`` (000 has no title line: callers fall back to the file
  name).
* **Authors.** From the ``关于…`` split above or from a byline directly under the
  title: an optional organisation, then names separated by spaces (003
  ``湖北省兴山县委县直机关工委 徐 平 王书银`` → ``徐平、王书银``; single characters
  are re-joined in pairs because a two-character name is padded to three). The
  byline line is removed from the body; the organisation is not kept. Else a
  labelled byline of its own that boilerplate removal read as metadata (rule
  ``labelled_author``: ``作者：王某`` or ``作者：王某  2018-03-09``) or a front matter
  ``author:`` in the article's lines. Else the ``作者：`` field of a line of labelled
  fields: one removed as metadata or a credit (``来源：人民网 作者：王五 发布时间：…``), or
  one left in the body as the first or last line of the article (``作者：王五　编辑：李四``,
  ``文/王五 图/李四``, ``（本文作者：何某  某大学教授）``), which is then read as the byline
  (:func:`labelled_byline`). ``""`` when none is found.
* **Front matter.** In a file without article markers, the ``title:`` of a YAML front
  matter block (:func:`workbench.corpus.boilerplate.front_matter_end`) is the title, before
  any title-like first line: under it a Markdown file often opens with a salutation or a
  heading (``## 同志们：``). A first line repeating it is the title line, as under a marker.
* **Preamble.** Title-like lines before the first marker are the file's title
  (004 ``宗旨意识淡化原因个人剖析【精编5篇】``; see :func:`file_title`), not an
  article. Other preamble lines are real text and are prepended to article 1, so
  ``index`` stays equal to the 第N篇 number. A file without markers is one article.

Examples
--------
>>> from workbench.corpus.boilerplate import CleanText
>>> lines = [(1, "第一篇:甲"), (2, "正文一。"), (3, "第二篇:乙"), (4, "乙"), (5, "正文二。")]
>>> clean = CleanText(lines, [])
>>> [(a.index, a.title, a.lines) for a in split_articles(clean)]
[(1, '甲', [(2, '正文一。')]), (2, '乙', [(5, '正文二。')])]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from workbench.corpus import boilerplate
from workbench.corpus.boilerplate import CleanText, extract_metadata, load_rules, normalize_spaces
from workbench.corpus.script import to_simplified_many
from workbench.corpus.structure import load_structure_config, match_heading, simplified_aligned
from workbench.regex_precheck import Precheck

Lines = list[tuple[int, str]]


@dataclass
class ArticleText:
    """One article: 1-based ``index`` in its file, title, author, body lines.

    ``lines`` are ``(line_no, text)`` pairs in the original script, without the
    title and byline lines. ``title_line`` is the line the title was read from (0 when
    it came from an article marker or from metadata, or there is none; a journal
    record's labelled title line counts as a line, see :func:`title_segment_rules`);
    ``consumed`` the lines read as title, marker or byline rather than body.
    """

    index: int
    title: str
    author: str
    lines: Lines
    title_line: int = 0
    #: Lines read as something other than body text, ``(line_no, text, what)`` with
    #: ``what`` one of ``file_title`` (a title-like line before the first article
    #: marker), ``article_marker`` (the marker and its title) and ``byline``; the
    #: loader lists them in ``Corpus.removed`` so that every line is accounted for.
    consumed: tuple[tuple[int, str, str], ...] = ()
    #: The body lines that are Markdown headings, ``(line_no, level)`` (the level is the
    #: count of "#" the boilerplate rule ``headings.markdown.heading_rule`` removed), for
    #: :func:`workbench.corpus.structure.parse_structure`'s ``markdown``.
    markdown: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Marker:
    id: str
    where: str
    pattern: re.Pattern[str]
    check: Precheck  # the literals the pattern needs (all markers need 篇): skips most lines


@cache
def _markers() -> tuple[_Marker, ...]:
    raw = load_structure_config().raw["articles"]["markers"]
    compiled = [(m, re.compile(m["pattern"])) for m in raw]
    return tuple(_Marker(m["id"], m["where"], rx, Precheck(rx)) for m, rx in compiled)


def _config() -> dict:
    return load_structure_config().raw["articles"]


def find_marker(text: str) -> tuple[int, str] | None:
    """``(split position, title)`` of an article marker in a line, else ``None``.

    Examples
    --------
    >>> find_marker("第一篇:如何改善干群關系")
    (0, '如何改善干群關系')
    >>> find_marker("宗旨意识淡化原因个人剖析【第二篇】")
    (0, '宗旨意识淡化原因个人剖析')
    >>> find_marker("问题二:拍脑袋决策,脱离实际。篇2:整改措施文档")
    (15, '整改措施文档')
    >>> find_marker("宗旨意识淡化原因个人剖析【精编5篇】") is None
    True
    """
    return _find_marker(text, simplified_aligned(text), _markers())


def _find_marker(text: str, simple: str, markers: tuple[_Marker, ...]) -> tuple[int, str] | None:
    """:func:`find_marker` among ``markers``, given the line's Simplified text."""
    for marker in markers:
        if not marker.check.may_match(simple):
            continue
        m = marker.pattern.fullmatch(simple) if marker.where == "line" else None
        if marker.where == "inline":
            m = marker.pattern.search(simple)
        if m:
            start = m.start() if marker.where == "inline" else 0
            return start, text[m.start("title") : m.end("title")].strip()
    return None


def is_short_title(text: str) -> bool:
    """At most ``title_line.max_chars`` characters and no sentence punctuation.

    Examples
    --------
    >>> is_short_title("宗旨意识淡化原因个人剖析"), is_short_title("群众工作是党全部工作的基础。")
    (True, False)
    """
    cfg = _config()["title_line"]
    simple = simplified_aligned(text.strip())
    return 0 < len(simple) <= cfg["max_chars"] and not re.search(cfg["forbidden"], simple)


def is_title_like(text: str) -> bool:
    """A short title (:func:`is_short_title`) that is not a numbered heading.

    An unnumbered label such as "关于甲的思考" or "问题及原因" counts as title-like:
    at the top of an article it is a title.

    Examples
    --------
    >>> is_title_like("关于县级机关党员干部联系和服务群众的调查与思考")
    True
    >>> is_title_like("一、指导思想"), is_title_like("关于甲的思考")
    (False, True)
    """
    heading = match_heading(simplified_aligned(text.strip()))
    return is_short_title(text) and (heading is None or heading.family.id == "label")


def _same_title(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"[\s\W_]+", "", simplified_aligned(s))

    return bool(a) and key(a) == key(b)


# -------------------------------------------------------------------- title + author


def _name_length(tail: str) -> int | None:
    """Length (3 or 2) of the author's name at the start of ``tail``, else None."""
    cfg = _config()["title_author"]
    surnames, compounds = cfg["surnames"], cfg["compound_surnames"]
    candidates = [
        n
        for n in (3, 2)
        if len(tail) > n and (tail[0] in surnames or (n == 3 and tail[:2] in compounds))
    ]
    for n in candidates:
        if any(tail[n:].startswith(w) for w in cfg["openers"]):
            return n
    return candidates[0] if candidates else None


def split_title_author(text: str) -> tuple[str, str, str] | None:
    """Split ``关于…体会`` + name + first sentence run together on one line.

    Returns ``(title, author, rest)`` in the original script, or ``None``.

    Examples
    --------
    >>> split_title_author("关于做好新时期群众工作的几点体会刘长江现在有这样五句话令人深思。")
    ('关于做好新时期群众工作的几点体会', '刘长江', '现在有这样五句话令人深思。')
    >>> split_title_author("关于做好新时期群众工作的几点体会现在有这样五句话。") is None
    True
    """
    simple = simplified_aligned(text)
    m = re.fullmatch(_config()["title_author"]["pattern"], simple)
    if not m:
        return None
    n = _name_length(m["tail"])
    if n is None:
        return None
    cut = m.start("tail")
    return text[:cut].strip(), text[cut : cut + n], text[cut + n :].strip()


def parse_byline(text: str) -> str | None:
    """Author names from a byline such as ``湖北省兴山县委县直机关工委 徐 平 王书银``.

    Examples
    --------
    >>> parse_byline("湖北省兴山县委县直机关工委 徐 平 王书银")
    '徐平、王书银'
    >>> parse_byline("我鄉干群關系現狀 成因及對策") is None
    True
    """
    cfg = _config()["byline"]
    simple = simplified_aligned(text.strip())
    m = re.fullmatch(cfg["pattern"], simple)
    if not m:
        return None
    tokens = text.strip()[m.start("names") : m.end("names")].split(" ")
    if m["org"] is None and len(tokens) < cfg["min_tokens_without_org"]:
        return None
    names: list[str] = []
    for token in tokens:
        if names and len(token) == 1 and len(names[-1]) == 1 and names[-1] != token:
            names[-1] += token
        else:
            names.append(token)
    return cfg["joiner"].join(names)


#: A labelled author field: "作者：王五", "【 作  者 】何增科" (a journal database's
#: record), "本文作者：何增科", a news byline's "文/王五"; names of two to four ideographs
#: (or with a middle dot), several joined by 、 or a comma. It must end the line, or be
#: followed by a space, a bar or a closing bracket: "作者：王五编辑" is no name.
_AUTHOR_FIELD = re.compile(
    r"(?:^|(?<=[\s|｜(（【\[]))(?:(?:本文)?(?:作\s*者|撰\s*稿|撰\s*文|执\s*笔)\s*(?:[:：]|】)|文\s*[/／])\s*"
    r"(?P<names>[\u4e00-\u9fff·]{2,4}(?:\s*[、，,]\s*[\u4e00-\u9fff·]{2,4}){0,5})"
    r"(?=$|[\s|｜)）】\]])"
)
#: The other fields a byline or source line combines with the author ("来源：人民网 作者：王五
#: 发布时间：2023-05-01", "作者：王五　编辑：李四"): a label, a colon and a value without spaces
#: (a date may be followed by its time).
_BYLINE_FIELD = re.compile(
    r"(?:作者|撰稿|撰文|执笔|来源|信息来源|文章来源|稿件来源|稿源|出处|编辑|责任编辑|责编|审核|"
    r"审校|校对|摄影|通讯员|记者|发布时间|发表时间|发布日期|发表日期|更新时间|日期|时间|"
    r"点击数|点击|浏览次数|浏览|阅读|阅读数)\s*[:：]\s*[^\s|｜:：]+(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?:文|图|摄)\s*[/／]\s*[^\s|｜:：/／]+"  # a news byline: "文/王五 图/李四"
)
#: What may stand between the fields of a byline: spaces, bars and brackets around it.
_BYLINE_REST = re.compile(r"[\s|｜()（）【】\[\]]*")
#: An author's note closing an article: "（本文作者：何增科  中共中央编译局副研究员、政治学博士）",
#: the names, then maybe the author's position, all in brackets.
_AUTHOR_NOTE = re.compile(r"[(（]\s*(?:本文)?作者\s*[:：][^()（）。！？!?]{2,80}[)）]")


def labelled_author(text: str) -> str | None:
    """The author named in a labelled field of ``text``, names joined by 、, else ``None``.

    Examples
    --------
    >>> labelled_author("来源：人民网 作者：王五 发布时间：2023-05-01")
    '王五'
    >>> labelled_author("作者：王五、趙六　編輯：李四")
    '王五、趙六'
    >>> labelled_author("【 作  者 】何增科"), labelled_author("本文作者曾参与课题组工作。")
    ('何增科', None)
    """
    simple = simplified_aligned(text)
    m = _AUTHOR_FIELD.search(simple)
    if m is None:
        return None
    names = re.split(r"\s*[、，,]\s*", text[m.start("names") : m.end("names")])
    return _config()["byline"]["joiner"].join(names)


def labelled_byline(text: str) -> str | None:
    """The author of a line made of labelled fields only, one of them the author
    ("作者：王五　编辑：李四", "来源：某县融媒体中心 作者：王五、赵六"), or of an author's note in
    brackets ("（本文作者：何增科  中共中央编译局副研究员）"); else ``None``: a sentence
    that names an author is body text.

    Examples
    --------
    >>> labelled_byline("作者：王五　编辑：李四"), labelled_byline("文/王五 图/李四")
    ('王五', '王五')
    >>> labelled_byline("（本文作者：何增科  中共中央编译局副研究员、政治学博士）")
    '何增科'
    >>> labelled_byline("作者：王五说，干部要深入群众。") is None
    True
    """
    author = labelled_author(text)
    if author is None:
        return None
    simple = simplified_aligned(text.strip())
    if _AUTHOR_NOTE.fullmatch(simple) or _BYLINE_REST.fullmatch(_BYLINE_FIELD.sub("", simple)):
        return author
    return None


# --------------------------------------------------------------------------- split


def _segments(
    lines: Lines,
) -> tuple[Lines, list[tuple[str, Lines]], list[tuple[int, str] | None]]:
    """(preamble lines, [(marker title, body lines)], [marker line per article]) for a
    file's kept lines; the marker line is ``(line_no, marker and title)``, or ``None``
    where the marker's "title" was a sentence kept as body text."""
    preamble: Lines = []
    articles: list[tuple[str, Lines]] = []
    marker_lines: list[tuple[int, str] | None] = []
    # One look-up call for the file's lines (boilerplate removal remembered them); a
    # conversion that changed a line's length is aligned character by character.
    simple = to_simplified_many([text for _, text in lines])
    simple = [
        s if len(s) == len(text) else simplified_aligned(text)
        for (_, text), s in zip(lines, simple, strict=True)
    ]
    # A marker whose literals are nowhere in the file is in no line: most files hold
    # none, and then no line needs a look (a literal holds no newline, see regex_precheck).
    whole = "\n".join(simple)
    markers = tuple(m for m in _markers() if m.check.may_match(whole))
    if not markers:  # then no line holds a marker: every line is preamble
        return list(lines), articles, marker_lines
    maybe = _marker_lines(simple, whole, markers)
    for index, ((line_no, text), simple_text) in enumerate(zip(lines, simple, strict=True)):
        may = markers and (maybe is None or index in maybe)
        found = _find_marker(text, simple_text, markers) if may else None
        current = articles[-1][1] if articles else preamble
        if found is None:
            current.append((line_no, text))
            continue
        pos, title = found
        if text[:pos].strip():
            current.append((line_no, text[:pos].strip()))
        if is_short_title(title) or not title:
            articles.append((title, []))
            marker_lines.append((line_no, text[pos:].strip()))
        else:  # the "title" is a sentence: keep it as body text
            articles.append(("", [(line_no, title)]))
            marker_lines.append(None)
    return preamble, articles, marker_lines


def _marker_lines(simple: list[str], whole: str, markers: tuple[_Marker, ...]) -> set[int] | None:
    """Indices of the lines (``whole`` is ``simple`` joined by newlines) that hold all the
    literals of some alternative of some marker's pre-check; ``None`` when a marker needs
    none (every line may hold it).

    Each literal is looked for with ``str.find`` over the whole file, line after line
    that holds it, instead of each marker's pre-check running on every line (a file
    with markers has few lines holding their literals, 篇 above all). A line outside
    the set fails every pre-check, so :func:`_find_marker` finds nothing in it.

    Examples
    --------
    >>> simple = ["第一篇:甲", "正文。", "篇2:乙"]
    >>> sorted(_marker_lines(simple, "\\n".join(simple), _markers()))
    [0, 2]
    """
    if any(m.check.literals is None for m in markers):
        return None
    starts = [0, *accumulate(len(line) + 1 for line in simple)]  # each line's first index
    holding: dict[str, set[int]] = {}

    def lines_with(literal: str) -> set[int]:
        if literal not in holding:
            found: set[int] = set()
            pos = whole.find(literal)
            while pos >= 0:
                line = bisect_right(starts, pos) - 1
                found.add(line)
                pos = whole.find(literal, starts[line + 1]) if line + 1 < len(simple) else -1
            holding[literal] = found
        return holding[literal]

    out: set[int] = set()
    for marker in markers:
        for alternative in marker.check.literals or ():
            if not alternative:  # needs nothing: any line may hold it
                return None
            out |= set.intersection(*map(lines_with, alternative))
    return out


def _head(
    title: str, body: Lines, title_line: int = 0
) -> tuple[str, str, Lines, int, tuple[int, str] | None]:
    """Title, author, remaining body, title line and byline line of one article (see
    module notes)."""
    author, byline_line = "", None
    if body and title and _same_title(body[0][1], title):
        title_line, body = body[0][0], body[1:]
    elif body and not title:
        line_no, first = body[0]
        split = split_title_author(first)
        if labelled_byline(first) is not None:
            pass  # a byline of labelled fields first ("作者：王五　编辑：李四"): no title
        elif is_title_like(first):
            title, title_line, body = first, line_no, body[1:]
        elif split is not None:
            title, author, rest = split
            title_line = line_no
            body = [(line_no, rest), *body[1:]] if rest else body[1:]
            # The author's part of the line, between the title and the rest, as written.
            start = first.find(title) + len(title) if title in first else 0
            stop = first.rfind(rest) if rest and rest in first[start:] else len(first)
            if first[start:stop].strip():
                byline_line = (line_no, first[start:stop].strip())
    if body and title and not author:
        byline = parse_byline(body[0][1])
        if byline is not None:
            author, byline_line, body = byline, body[0], body[1:]
    if body and not author:
        labelled = labelled_byline(body[0][1])
        if labelled is not None:
            author, byline_line, body = labelled, body[0], body[1:]
    return title, author, body, title_line, byline_line


def _metadata_value(found: list[tuple[int, str, str]], field: str, first: int, last: int) -> str:
    """The first ``field`` value of the metadata lines ``found``
    (:func:`workbench.corpus.boilerplate.extract_metadata`) on lines ``first..last``."""
    return _metadata_field(found, field, first, last)[1]


def _metadata_field(
    found: list[tuple[int, str, str]], field: str, first: int, last: int
) -> tuple[int, str]:
    """``(line_no, value)`` of the first ``field`` of the metadata lines ``found`` on lines
    ``first..last``, ``(0, "")`` when there is none."""
    for line_no, name, value in found:
        if name == field and first <= line_no <= last:
            return line_no, value
    return 0, ""


def title_segment_rules() -> frozenset[str]:
    """The boilerplate rules whose labelled title gives a heading segment on its line
    (``articles.title_segment_rules`` of ``structure.yaml``: a journal record's 【 标  题 】)."""
    return frozenset(_config().get("title_segment_rules") or ())


def _title_segment_line(clean: CleanText, line_no: int) -> int:
    """``line_no`` when the metadata line there was removed by one of
    :func:`title_segment_rules`, else 0."""
    rules = title_segment_rules()
    hit = any(r.line_no == line_no and r.rule in rules for r in clean.removed)
    return line_no if line_no and hit else 0


def title_label(line: str, title: str) -> str:
    """What a labelled title line holds besides its title: the label, as written (the
    part of the line removed, when the title itself is a heading segment); the whole line
    when the title is not found at its end.

    Examples
    --------
    >>> title_label("【 标  题 】讲政治与坚持群众观点", "讲政治与坚持群众观点")
    '【 标  题 】'
    >>> title_label("【 标  题 】讲政治  与群众", "讲政治 与群众")
    '【 标  题 】讲政治  与群众'
    """
    stripped = line.rstrip()
    if title and stripped.endswith(title):
        return stripped[: len(stripped) - len(title)]
    return line


#: Boilerplate rules whose removed lines may name the author among other fields: the
#: metadata rules (those with a ``field``) and the credit line ("来源：人民网 作者：王五").
_CREDIT_RULES = frozenset({"credit_line"})


def _author_rules() -> frozenset[str]:
    """Ids of the rules whose removed lines may name the author, in the rule file in use
    (``boilerplate.DEFAULT_RULES_PATH``, which a caller may point elsewhere)."""
    return _author_rules_in(str(boilerplate.DEFAULT_RULES_PATH))


@cache
def _author_rules_in(path: str) -> frozenset[str]:
    """:func:`_author_rules` of one rule file, worked out once per file (cached on its path:
    a cache of the first file used kept its ids when the rules were changed)."""
    rules = load_rules(path)
    return frozenset(rule.id for rule in rules if rule.field is not None) | _CREDIT_RULES


def _removed_author(clean: CleanText, first: int, last: int) -> str:
    """The author named in a labelled field of a metadata or credit line that boilerplate
    removal took out of lines ``first..last`` (:func:`labelled_author`), else ``""``."""
    if not clean.removed:
        return ""
    metadata = _author_rules()
    for removed in clean.removed:
        if removed.rule in metadata and first <= removed.line_no <= last:
            author = labelled_author(normalize_spaces(removed.text))
            if author:
                return author
    return ""


def file_title(clean: CleanText) -> str:
    """The title-like line before the first article marker, ``""`` if none.

    Examples
    --------
    >>> from workbench.corpus.boilerplate import CleanText
    >>> file_title(CleanText([(1, "宗旨意识淡化原因个人剖析【精编5篇】"), (3, "甲【第一篇】")], []))
    '宗旨意识淡化原因个人剖析【精编5篇】'
    """
    preamble, articles, _ = _segments(clean.lines)
    if not articles:
        return ""
    return next((t for _, t in preamble if is_title_like(t)), "")


def markdown_headings(clean: CleanText) -> dict[int, int]:
    """The lines whose Markdown heading marker ("## ") was removed, line number to level.

    Examples
    --------
    >>> from workbench.corpus.boilerplate import strip_boilerplate
    >>> markdown_headings(strip_boilerplate("# 题目\\n\\n## 存在的问题\\n正文。"))
    {1: 1, 3: 2}
    """
    rule = (load_structure_config().raw["headings"].get("markdown") or {}).get("heading_rule")
    return {
        r.line_no: r.text.count("#") for r in clean.removed if rule is not None and r.rule == rule
    }


def split_articles(clean: CleanText) -> list[ArticleText]:
    """Split cleaned text into articles.

    Parameters
    ----------
    clean
        Output of :func:`workbench.corpus.boilerplate.strip_boilerplate`.

    Returns
    -------
    list of ArticleText
        One per article marker, or a single article when the file has none.

    Examples
    --------
    >>> from workbench.corpus.boilerplate import strip_boilerplate
    >>> arts = split_articles(strip_boilerplate("关于甲的思考\\n\\n某某局 徐 平 王书银\\n正文。"))
    >>> [(a.index, a.title, a.author, a.lines) for a in arts]
    [(1, '关于甲的思考', '徐平、王书银', [(4, '正文。')])]
    """
    preamble, segments, marker_lines = _segments(clean.lines)
    dropped: list[tuple[int, str, str]] = []
    found = extract_metadata(clean) if clean.removed else []
    if not segments:
        # A file of one article: the title: of its YAML front matter is its title, before
        # any line of the text (the first line is often a salutation or a heading).
        front = clean.front_matter
        segments = [(_metadata_value(found, "title", 1, front) if front else "", preamble)]
        marker_lines = [None]
    else:
        text_lines = [(n, t) for n, t in preamble if not is_title_like(t)]
        # The title-like lines before the first marker are the file's title (and the
        # like): not body text, but listed, not dropped.
        dropped = [(n, t, "file_title") for n, t in preamble if is_title_like(t)]
        segments[0] = (segments[0][0], text_lines + segments[0][1])
    articles: list[ArticleText] = []
    headings = markdown_headings(clean) if clean.removed else {}
    ends = [body[-1][0] if body else 0 for _, body in segments]
    for index, ((title, body), marker) in enumerate(
        zip(segments, marker_lines, strict=True), start=1
    ):
        first = ends[index - 2] + 1 if index > 1 else 1
        labelled = (0, "")
        if not title:
            # A title its label names (文章标题：…, a journal record's 【 标  题 】…) wins over
            # a title-like first line, which is then a subtitle or a speech's occasion.
            labelled = _metadata_field(found, "title", first, ends[index - 1])
            title = labelled[1]
        title, author, body, title_line, byline = _head(title, body)
        if labelled[1] and title == labelled[1] and not title_line:
            # A journal record's labelled title is a line of its text, as a title line is:
            # it gives a heading segment on its line (the line stays listed as metadata).
            title_line = _title_segment_line(clean, labelled[0])
        consumed = list(dropped) if index == 1 else []
        if marker is not None:
            consumed.append((*marker, "article_marker"))
        if byline is not None:
            consumed.append((*byline, "byline"))
        if not title:
            title, title_line = _metadata_value(found, "title", first, ends[index - 1]), 0
        if not author and body:
            # A byline closing the article: "（作者：王五　编辑：李四）", "（本文作者：…）".
            labelled = labelled_byline(body[-1][1])
            if labelled is not None:
                author = labelled
                consumed.append((*body[-1], "byline"))
                body = body[:-1]
        if not author:
            # A byline of its own removed as metadata ("作者：王某", front matter author:).
            author = _metadata_value(found, "author", first, ends[index - 1])
        if not author:
            # An author among the fields of a source line removed as metadata ("来源：人民网
            # 作者：王五 发布时间：2023-05-01", labelled_source_date's) or as a credit.
            author = _removed_author(clean, first, ends[index - 1])
        marked = tuple((n, headings[n]) for n, _ in body if n in headings)
        articles.append(ArticleText(index, title, author, body, title_line,
                                    tuple(sorted(consumed)), marked))  # fmt: skip
    return articles
