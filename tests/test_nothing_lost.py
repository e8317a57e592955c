"""Nothing lost, provably (issue 14 item 3): property-based tests of the loader.

Hypothesis writes documents — body sentences, numbered headings, hard-wrapped paragraphs,
page chrome of the kinds the boilerplate rules know, Traditional or Simplified script, in
UTF-8, UTF-16, GB18030 or Big5 — and checks that

* every ideograph of the decoded input ends up exactly once in a segment or in the
  ``removed`` table (counted as a multiset, so nothing is dropped or doubled), and every
  segment lies on the line it names (in a file read as hard-wrapped, starts on it);
* the loader raises only its own errors (``ReadError``) on arbitrary bytes;
* loading twice gives identical tables.

Examples are bounded and derandomised (``derandomize=True``), so CI runs the same cases
every time. Titles, bylines and article markers are generated too: a title read from a
line is a heading segment, and the lines read as a file title, an article marker or a
byline are listed in ``removed`` (rules ``file_title``, ``article_marker``, ``byline``).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from workbench.corpus import load_corpus, wrapping  # noqa: E402
from workbench.corpus.readers import ReadError  # noqa: E402
from workbench.corpus.script import _converter  # noqa: E402

IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
#: Common characters of the genre, all encodable in GB18030 and (after s2t) in Big5.
WORDS = [
    "干部",
    "群众",
    "关系",
    "工作",
    "作风",
    "基层",
    "问题",
    "原因",
    "服务",
    "制度",
    "监督",
    "学习",
    "深入",
    "联系",
    "加强",
    "改进",
    "政策",
    "农民",
    "村民",
    "意见",
    "调查",
    "研究",
]
CHROME = [
    "微信扫一扫",
    "收听本文 00:00/00:00",
    "首页 | 新闻中心 | 登录 | 注册",
    "分享到：",
    "打印 纠错",
]
HEADINGS = [
    "一、存在的主要问题",
    "二、产生问题的原因",
    "三、对策建议",
    "（一）加强学习",
    "1.深入基层",
]

SETTINGS = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def sentences(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=6, max_size=20))
    cut = draw(st.integers(min_value=2, max_value=len(words) - 2))
    end = draw(st.sampled_from("。；！？"))
    return "".join(words[:cut]) + "，" + "".join(words[cut:]) + end


@st.composite
def documents(draw) -> list[str]:
    """Lines of one document; the first is always a body sentence (never a title)."""
    lines = ["".join(draw(st.lists(sentences(), min_size=2, max_size=3)))]
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        kind = draw(st.sampled_from(["body", "body", "heading", "chrome", "wrapped"]))
        if kind == "heading":
            lines.append(draw(st.sampled_from(HEADINGS)))
        elif kind == "chrome":
            lines.append(draw(st.sampled_from(CHROME)))
        else:
            para = "".join(draw(st.lists(sentences(), min_size=1, max_size=4)))
            if kind == "wrapped":  # a hard-wrapped paragraph, as PDF exports come
                width = draw(st.integers(min_value=12, max_value=40))
                lines += [para[i : i + width] for i in range(0, len(para), width)]
            else:
                lines.append(para)
    return lines


def _write(folder: Path, lines: list[str], traditional: bool, encoding: str) -> tuple[Path, str]:
    text = "\n".join(lines) + "\n"
    if traditional or encoding == "big5":
        # Taiwan standard forms: all in Big5 (OpenCC's s2t gives 羣, which Big5 lacks)
        text = _converter("s2tw").convert(text)
    path = folder / "doc.txt"
    path.write_bytes(text.encode(encoding))
    return path, text


def _ideographs(texts) -> Counter:
    return Counter(ch for t in texts for ch in IDEOGRAPH.findall(str(t)))


@SETTINGS
@given(
    lines=documents(),
    traditional=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-16", "gb18030", "big5"]),
)
def test_every_ideograph_ends_up_once_in_a_segment_or_removed(
    tmp_path_factory, lines, traditional, encoding
):
    folder = tmp_path_factory.mktemp("doc")
    path, text = _write(folder, lines, traditional, encoding)
    c = load_corpus([path])
    assert (c.documents["title"].fillna("") == "").all(), "no line here is title-like"
    kept = c.segments["text_orig"].tolist() + c.removed["text"].tolist()
    assert _ideographs(kept) == _ideographs([text])
    _check_lines(c, text)


def _check_lines(c, text: str) -> None:
    """Every segment lies on the line it names: segments never cross a source line, but in
    a file read as hard-wrapped (``lines_joined``), where a segment starts on the line it
    names and runs on over the lines joined to it (page numbers between them removed)."""
    source = text.splitlines()
    if not c.files["lines_joined"].iloc[0]:
        for line_no, seg in zip(c.segments["line_no"], c.segments["text_orig"], strict=True):
            assert seg in re.sub(r"\s+", " ", source[line_no - 1]) or seg in source[line_no - 1]
        return
    assert c.files["wrap_width"].iloc[0]
    pages = set(c.removed.loc[c.removed["rule"] == "page_number", "line_no"])
    for line_no, seg in zip(c.segments["line_no"], c.segments["text_orig"], strict=True):
        rest = "".join(
            line.strip() for n, line in enumerate(source[line_no - 1 :], start=line_no)
            if n not in pages
        )  # fmt: skip
        assert 0 <= rest.find(seg) < len(source[line_no - 1].strip()), (line_no, seg)


@st.composite
def wrapped_documents(draw) -> list[str]:
    """Lines of a document hard-wrapped at one width, as a PDF export comes: paragraphs
    (indented by two full-width spaces) cut every ``width`` characters, headings between
    them, now and then a page number inside a paragraph."""
    width = draw(st.integers(min_value=22, max_value=40))
    lines: list[str] = []
    for _ in range(draw(st.integers(min_value=3, max_value=6))):
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(HEADINGS)))
        para = "\u3000\u3000" + "".join(draw(st.lists(sentences(), min_size=3, max_size=6)))
        cut = [para[i : i + width] for i in range(0, len(para), width)]
        if len(cut) > 2 and draw(st.booleans()):
            cut.insert(draw(st.integers(1, len(cut) - 1)), f"- {draw(st.integers(1, 99))} -")
        lines += cut
    return lines


@SETTINGS
@given(
    lines=wrapped_documents(),
    traditional=st.booleans(),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
)
def test_a_hard_wrapped_document_loses_nothing(tmp_path_factory, lines, traditional, encoding):
    folder = tmp_path_factory.mktemp("doc")
    path, text = _write(folder, lines, traditional, encoding)
    # Read as shipped (found, lines kept) and with its lines joined (join: true).
    for join in (False, True):
        settings = dataclasses.replace(wrapping._settings(), join=join)
        with mock.patch.object(wrapping, "_settings", lambda *_, s=settings: s):
            c = load_corpus([path])
        kept = c.segments["text_orig"].tolist() + c.removed["text"].tolist()
        assert _ideographs(kept) == _ideographs([text])
        _check_lines(c, text)


TITLES = ["关于密切干群关系的几点思考", "浅谈如何改进干部作风", "加强基层党组织建设的调查"]
BYLINES = ["某某局 徐 平 王书银", "作者：张三", "文/李四"]


@st.composite
def compilations(draw) -> list[str]:
    """A file of one or more articles with titles, bylines and article markers."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(TITLES)) + "【精编3篇】")
    n = draw(st.integers(min_value=1, max_value=3))
    for k in range(1, n + 1):
        if n > 1:
            lines.append(f"第{'一二三'[k - 1]}篇：" + draw(st.sampled_from(TITLES)))
        elif draw(st.booleans()):
            lines.append(draw(st.sampled_from(TITLES)))
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(BYLINES)))
        lines += draw(documents())
    return lines


@SETTINGS
@given(lines=compilations(), traditional=st.booleans())
def test_titles_markers_and_bylines_are_accounted_for(tmp_path_factory, lines, traditional):
    folder = tmp_path_factory.mktemp("comp")
    path, text = _write(folder, lines, traditional, "utf-8")
    c = load_corpus([path])
    kept = c.segments["text_orig"].tolist() + c.removed["text"].tolist()
    assert _ideographs(kept) == _ideographs([text])


@SETTINGS
@given(data=st.binary(min_size=0, max_size=400))
def test_arbitrary_bytes_load_or_raise_the_loaders_own_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "x.txt").write_bytes(data)
    try:
        c = load_corpus([folder / "x.txt"])
    except ReadError as err:
        assert "x.txt" in str(err)  # the message names the file
    else:
        assert isinstance(c.segments, pd.DataFrame)


@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lines=documents(), traditional=st.booleans())
def test_reloading_gives_identical_tables(tmp_path_factory, lines, traditional):
    folder = tmp_path_factory.mktemp("again")
    path, _ = _write(folder, lines, traditional, "utf-8")
    a, b = load_corpus([path]), load_corpus([path])
    pd.testing.assert_frame_equal(a.segments, b.segments)
    pd.testing.assert_frame_equal(a.removed, b.removed)
    pd.testing.assert_frame_equal(a.documents, b.documents)
