"""Main-content extraction from HTML pages (issue 14 item 2, "Boilerplate that generalises").

The pages below are written for these tests in the shapes Chinese news and government
sites use: page chrome in plain ``<div>`` elements named only by their classes (menu,
breadcrumb "首页 > 新闻中心 > 正文", audio player "收听本文 00:00/00:00", share bar,
print bar, related articles, comment box, footer with the ICP licence), an article of
several paragraphs under 一、/（一） headings with its title in ``<h1>``; one page laid
out in nested ``<table>`` elements as old government sites are, one whose body is
``<div>`` elements without ``<p>``, one whose body is a single ``<div>`` broken by
``<br>``. Each must come out as its title, headings and paragraphs, in order, one per
line, with none of the chrome; and the chrome must be listed in ``Decoded.dropped``,
so that every line of the page's visible text is accounted for exactly once.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from workbench.corpus import readers
from workbench.corpus.readers import (
    MIN_MAIN_CONTENT_SHARE,
    Decoded,
    Dropped,
    SourceFile,
    discover,
    extract_text,
    read_text,
)

TITLE = "关于进一步密切党群干群关系的调研报告"
HEADINGS = [
    "一、基层干群关系的基本状况",
    "（一）联系群众的制度逐步健全",
    "（二）为民办事的能力有所提升",
    "二、存在的主要问题及原因",
    "三、对策建议",
]
PARAS = [
    "近年来，我县坚持以人民为中心的发展思想，围绕密切党群干群关系这一主题，组织县乡两级"
    "干部深入村组、走访农户，广泛听取群众意见，形成了本调研报告。",
    "全县各乡镇普遍建立了干部驻村、定期走访和民情恳谈制度，村级组织每月召开一次民主议事"
    "会，群众反映的问题有了固定的表达渠道，干群之间的沟通明显增多。",
    "通过开展“我为群众办实事”活动，乡村干部帮助群众解决了道路硬化、饮水安全、土地流转等"
    "一批急难愁盼问题，群众满意度较往年有所提高。",
    "调研也发现，少数干部作风漂浮，下基层走马观花，对群众反映的问题推诿扯皮；个别村干部办"
    "事不公开、不透明，引起群众不满，干群关系在局部地区仍然比较紧张。",
    "产生这些问题的原因，既有部分干部宗旨意识淡薄、群众观点缺失的主观因素，也有基层考核机"
    "制不完善、监督力量薄弱等客观因素。",
    "要进一步健全干部联系群众的长效机制，把群众满意不满意作为检验工作成效的根本标准，加强"
    "对基层干部的教育培训和监督管理，切实把群众的事情办好。",
]
#: The article in reading order: heading, paragraph, heading, ...
ARTICLE = [
    HEADINGS[0], PARAS[0], HEADINGS[1], PARAS[1], HEADINGS[2], PARAS[2],
    HEADINGS[3], PARAS[3], PARAS[4], HEADINGS[4], PARAS[5],
]  # fmt: skip
#: Chrome strings, none of which may survive (all absent from the article).
CHROME = [
    "网站首页", "新闻中心", "政务公开", "办事服务", "互动交流", "首页 > 新闻中心 > 正文", "正文",
    "收听本文", "00:00/00:00", "分享到", "微信", "微博", "QQ空间", "打印本页", "关闭窗口",
    "相关阅读", "我县召开党风廉政建设工作会议", "乡镇干部开展入户走访活动", "发表评论", "登录",
    "注册", "请文明上网", "版权所有", "ICP备", "主办单位", "某某县人民政府办公室",
]  # fmt: skip

MENU = (
    '<a href="/">网站首页</a> | <a href="/news">新闻中心</a> | <a href="/gk">政务公开</a> | '
    '<a href="/fw">办事服务</a> | <a href="/hd">互动交流</a>'
)
RELATED = ["我县召开党风廉政建设工作会议", "乡镇干部开展入户走访活动"]


def _blocks(heading: str, para: str) -> str:
    """The article as HTML, each heading and paragraph in the given tags (``{}`` = text)."""
    return "\n".join((heading if line in HEADINGS else para).format(line) for line in ARTICLE)


def _h_and_p() -> str:
    parts = []
    for line in ARTICLE:
        tag = "p" if line not in HEADINGS else ("h3" if line.startswith("（") else "h2")
        parts.append(f"<{tag}>{line}</{tag}>")
    return "\n".join(parts)


#: A news page of a county government site: all chrome in classed <div>s.
NEWS_PAGE = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}_某某县人民政府</title>
<script>var _hmt = _hmt || [];</script></head>
<body>
<div class="top-bar"><div class="logo"><img src="logo.png" alt="某某县人民政府"></div>
<div class="menu"><ul><li><a href="/">网站首页</a></li><li><a href="/news">新闻中心</a></li>
<li><a href="/gk">政务公开</a></li><li><a href="/fw">办事服务</a></li>
<li><a href="/hd">互动交流</a></li></ul></div></div>
<div class="breadcrumb">首页 &gt; 新闻中心 &gt; 正文</div>
<div class="main">
 <div class="article">
  <h1>{TITLE}</h1>
  <div class="info">发布时间：2024-03-05 来源：某某县人民政府网</div>
  <div class="audio-player">收听本文 <span>00:00</span>/<span>00:00</span></div>
  <div class="article-content">
{_h_and_p()}
  </div>
  <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
  <div class="print"><a href="#">打印本页</a> <a href="#">关闭窗口</a></div>
 </div>
 <div class="related"><h4>相关阅读</h4><ul>
  <li><a href="/a1.html">{RELATED[0]}</a></li>
  <li><a href="/a2.html">{RELATED[1]}</a></li></ul></div>
 <div class="comment"><div class="comment-title">发表评论</div>
  <div class="comment-login"><a href="/login">登录</a> <a href="/reg">注册</a></div>
  <div class="comment-tip">请文明上网，理性发言</div></div>
</div>
<div class="footer"><p>版权所有 2024 某某县人民政府</p><p>豫ICP备12345678号</p>
<p>主办单位：某某县人民政府办公室</p></div>
</body></html>
"""

#: An old government site: the page is nested layout tables; the article is a cell.
TABLE_PAGE = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{TITLE}</title>
</head><body bgcolor="#ffffff">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
 <tr><td height="90" background="images/top.jpg">&nbsp;</td></tr>
 <tr><td class="menu" align="center">{MENU}</td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
 <tr>
  <td width="200" valign="top" class="left">
   <table width="100%"><tr><td class="lm">相关阅读</td></tr>
    <tr><td><a href="/a1.html">{RELATED[0]}</a></td></tr>
    <tr><td><a href="/a2.html">{RELATED[1]}</a></td></tr></table>
  </td>
  <td width="780" valign="top">
   <table width="100%" border="0"><tr><td class="position">首页 &gt; 新闻中心 &gt; 正文</td></tr>
   </table>
   <table width="96%" border="0" align="center">
    <tr><td align="center" class="title"><h1>{TITLE}</h1></td></tr>
    <tr><td class="content">
{_h_and_p()}
    </td></tr>
    <tr><td align="right"><a href="#">打印本页</a> <a href="#">关闭窗口</a></td></tr>
   </table>
  </td>
 </tr>
</table>
<table width="980" border="0" align="center" class="bottom">
 <tr><td align="center">版权所有 2024 某某县人民政府<br>豫ICP备12345678号<br>
 主办单位：某某县人民政府办公室</td></tr>
</table>
</body></html>
"""


def _div_page(body: str) -> str:
    """A page whose chrome and body are all <div>s (ids and classes only)."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<div id="header"><div class="nav">{MENU}</div></div>
<div class="crumbs">首页 &gt; 新闻中心 &gt; 正文</div>
<div id="content">
 <div class="title"><h1>{TITLE}</h1></div>
 <div class="listen">收听本文 00:00/00:00</div>
 <div class="text" id="zoom">{body}</div>
 <div class="bdsharebuttonbox">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
</div>
<div class="relatedNews"><div class="hd">相关阅读</div>
 <div class="bd"><div><a href="/a1.html">{RELATED[0]}</a></div>
 <div><a href="/a2.html">{RELATED[1]}</a></div></div></div>
<div id="comments"><span>发表评论</span> <a>登录</a> <a>注册</a>
 <div>请文明上网，理性发言</div></div>
<div id="footer">版权所有 2024 某某县人民政府 豫ICP备12345678号<br>
主办单位：某某县人民政府办公室</div>
</body></html>
"""


#: Body in <div>s without <p>; headings are bold <div>s, not <h2>.
DIV_PAGE = _div_page(_blocks("<div><strong>{}</strong></div>", "<div>{}</div>"))
#: Body as one <div> of text broken by <br>, as many government CMSs write it.
BR_PAGE = _div_page("<br>\n".join(ARTICLE))

PAGES = {"news": NEWS_PAGE, "table": TABLE_PAGE, "div": DIV_PAGE, "br": BR_PAGE}


def _read(page: str, name: str = "page.html", encoding: str = "utf-8") -> Decoded:
    return read_text(SourceFile(name, name, page.encode(encoding)))


def _fallback_lines(page: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The page's lines with the extractor finding nothing: visible text less tag/role
    chrome (and blocks made of links alone)."""
    with monkeypatch.context() as m:
        m.setattr(readers, "_extractor_blocks", lambda markup: [])
        return _read(page).text.split("\n")


@pytest.mark.parametrize("name", list(PAGES))
def test_article_kept_in_order_chrome_gone(name: str) -> None:
    decoded = _read(PAGES[name])
    lines = decoded.text.split("\n")
    # The title, then the article's headings and paragraphs, each a line, in order.
    assert lines[0] == TITLE
    assert [line for line in lines if line in ARTICLE] == ARTICLE
    for chrome in CHROME:
        assert chrome not in decoded.text, chrome


@pytest.mark.parametrize("name", list(PAGES))
def test_every_line_is_kept_or_dropped_once(name: str, monkeypatch) -> None:
    page = PAGES[name]
    decoded = _read(page)
    everything = _fallback_lines(page, monkeypatch)
    kept = decoded.text.split("\n")
    left_out = [d.text for d in decoded.dropped if d.rule == "html_boilerplate"]
    assert Counter(kept) + Counter(left_out) == Counter(everything)
    it = iter(everything)  # the kept lines keep the page's order
    assert all(line in it for line in kept)
    # the dropped lines name their rule and the page-source line they start on
    source = page.split("\n")
    for d in decoded.dropped:
        assert isinstance(d, Dropped) and d.rule.startswith("html_")
        first = re.escape(d.text.split()[0][:2])
        assert re.search(first, "\n".join(source[d.line_no - 1 : d.line_no + 2])), d


def test_chrome_is_listed_as_dropped() -> None:
    dropped = {d.text: d.rule for d in _read(NEWS_PAGE).dropped}
    for line in (
        "首页 > 新闻中心 > 正文", "收听本文 00:00/00:00", "分享到：微信 微博 QQ空间",
        "打印本页 关闭窗口", "相关阅读", *RELATED, "发表评论", "登录 注册",
        "请文明上网，理性发言", "版权所有 2024 某某县人民政府", "豫ICP备12345678号",
    ):  # fmt: skip
        # Blocks made only of links (打印本页 关闭窗口, the related links) go as menus
        # before the extractor sees them; the rest the extractor leaves out.
        assert dropped[line] == ("html_nav" if line in LINK_BLOCKS else "html_boilerplate"), line


LINK_BLOCKS = {"打印本页 关闭窗口", *RELATED, "登录 注册"}


def test_an_old_sites_menu_row_is_a_menu_not_the_title(tmp_path: Path) -> None:
    """A GB2312 page whose menu is a table cell of links and whose title is an <h2>:
    the menu went through as the document's title."""
    from workbench.corpus import load_corpus

    page = (
        '<html><head><meta charset="gb2312"><title>某镇召开干群恳谈会</title></head><body>'
        '<table width="100%"><tr><td><a href="/">网站首页</a> | <a href="/a">政务公开</a> '
        '<a href="/b">办事服务</a></td></tr></table><table><tr><td><h2>某镇召开干群恳谈会</h2>'
        "<div>发布时间：2019-11-20</div><p>11月18日，某镇召开干群恳谈会，邀请30名村民代表与"
        "镇村干部面对面交流。</p><p>会上，村民代表就道路硬化、低保评定等问题提出意见建议。</p>"
        "<p>附件：<a href='/f1'>名单</a> <a href='/f2'>议程</a>，请查阅。</p>"
        "</td></tr></table></body></html>"
    )
    (tmp_path / "p.html").write_bytes(page.encode("gb2312"))
    corpus = load_corpus([tmp_path / "p.html"])
    assert corpus.documents.loc[0, "title"] == "某镇召开干群恳谈会"
    removed = corpus.removed.set_index("text")["rule"]
    assert removed["网站首页 | 政务公开 办事服务"] == "html_nav"
    # A sentence with links in it is text, not a menu.
    assert corpus.segments["text"].str.contains("附件").any()


def test_dateline_under_the_title_stays() -> None:
    lines = _read(NEWS_PAGE).text.split("\n")
    assert lines[:2] == [TITLE, "发布时间：2024-03-05 来源：某某县人民政府网"]


def test_corpus_reads_title_headings_and_date(tmp_path: Path) -> None:
    from workbench.corpus import load_corpus

    (tmp_path / "news.html").write_bytes(NEWS_PAGE.encode("utf-8"))
    corpus = load_corpus([tmp_path / "news.html"])
    (doc,) = corpus.documents.to_dict("records")
    assert doc["title"] == TITLE
    assert doc["date"] == "2024-03-05"
    segments = corpus.segments
    headings = segments.loc[segments["is_heading"], "text_orig"].tolist()
    assert headings == [TITLE, *HEADINGS]  # the title read from its line is a heading
    assert not any(chrome in "".join(segments["text_orig"]) for chrome in CHROME)


def test_heading_levels_survive_for_the_structure_module() -> None:
    from workbench.corpus.structure import match_heading

    lines = _read(TABLE_PAGE).text.split("\n")
    found = [line for line in lines if match_heading(line) is not None]
    assert found == HEADINGS


def test_output_is_deterministic() -> None:
    for page in PAGES.values():
        first, second = _read(page), _read(page)
        assert first == second


# --- the fallback ------------------------------------------------------------------


def test_no_main_content_found_keeps_every_line(monkeypatch) -> None:
    monkeypatch.setattr(readers, "_extractor_blocks", lambda markup: [])
    decoded = _read(NEWS_PAGE)
    lines = decoded.text.split("\n")
    # tag/role-based dropping only: the <div> chrome stays; only blocks made of links
    # alone (menus, related links) go
    assert "首页 > 新闻中心 > 正文" in lines and "收听本文 00:00/00:00" in lines
    assert [line for line in lines if line in ARTICLE] == ARTICLE
    assert {d.rule for d in decoded.dropped} == {"html_nav"}
    assert {d.text for d in decoded.dropped} >= LINK_BLOCKS


def test_too_little_main_content_keeps_every_line(monkeypatch) -> None:
    # An extractor that found the last paragraph of six: with the heading above it and
    # the title, far below MIN_MAIN_CONTENT_SHARE of the page's ideographs.
    everything = _fallback_lines(NEWS_PAGE, monkeypatch)
    found = [PARAS[5]]
    monkeypatch.setattr(readers, "_extractor_blocks", lambda markup: found)
    assert MIN_MAIN_CONTENT_SHARE == 0.2
    decoded = _read(NEWS_PAGE)
    assert decoded.text.split("\n") == everything
    assert {d.rule for d in decoded.dropped} == {"html_nav"}  # blocks of links alone only


def test_enough_main_content_is_trusted(monkeypatch) -> None:
    found = [re.sub(r"\s", "", line) for line in PARAS[3:]]  # half the paragraphs
    monkeypatch.setattr(readers, "_extractor_blocks", lambda markup: found)
    lines = _read(NEWS_PAGE).text.split("\n")
    # the headings inside and right above the main content, and the title, stay too
    assert lines == [TITLE, "发布时间：2024-03-05 来源：某某县人民政府网", *ARTICLE[6:]]


def test_short_page_without_chrome_is_kept_whole() -> None:
    page = "<p>群众路线</p><script>x()</script><p>为民务实</p>"
    assert _read(page).text == "群众路线\n为民务实"


def test_tag_and_role_chrome_is_listed_too() -> None:
    page = (
        "<html><body><nav>首页 | 新闻中心</nav><header><h1>某某党建网</h1></header>"
        f"<main><h1>{TITLE}</h1>{_h_and_p()}<button>发表评论</button></main>"
        "<footer>版权所有 京ICP备00000000号</footer></body></html>"
    )
    decoded = _read(page)
    assert decoded.text.split("\n") == [TITLE, *ARTICLE]
    rules = {d.text: d.rule for d in decoded.dropped}
    assert rules == {
        "首页 | 新闻中心": "html_nav", "某某党建网": "html_banner", "发表评论": "html_form",
        "版权所有 京ICP备00000000号": "html_footer",
    }  # fmt: skip


# --- encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["news", "table"])
def test_gbk_page_declared_in_meta_decodes(name: str, tmp_path: Path) -> None:
    page = (
        PAGES[name]
        .replace('charset="utf-8"', 'charset="gbk"')
        .replace("charset=utf-8", "charset=gbk")
    )
    assert "gbk" in page
    path = tmp_path / f"{name}.html"
    path.write_bytes(page.encode("gbk"))
    (src,) = discover([path])
    text, encoding = extract_text(src)
    assert encoding == "gb18030"
    assert text == _read(PAGES[name]).text


def test_page_with_an_xml_declaration() -> None:
    # XHTML pages start with one; lxml refuses a str that still declares an encoding
    page = '<?xml version="1.0" encoding="utf-8"?>\n' + NEWS_PAGE
    lines = _read(page).text.split("\n")
    assert lines[0] == TITLE
    assert [line for line in lines if line in ARTICLE] == ARTICLE
    assert "首页 > 新闻中心 > 正文" not in lines


def test_inline_markup_and_comments_keep_paragraphs_whole() -> None:
    p = PARAS
    body = (
        f"<h2>{HEADINGS[0]}</h2><p>{p[0][:20]}<sup>[1]</sup>{p[0][20:]}</p>"
        f'<p>{p[1][:10]}<a href="/x">群众路线</a>{p[1][10:]}</p>'
        f'<p><span style="color:red">{p[2][:15]}</span><img src="a.png">{p[2][15:]}</p>'
        f"<p>{p[3][:9]}<!-- 编辑注 -->{p[3][9:]}<script>x()</script></p>"
        f"<p>{p[4][:5]}<font color=red>重点</font>{p[4][5:]}</p>"
    )
    page = NEWS_PAGE.replace(_h_and_p(), body)
    lines = _read(page).text.split("\n")
    assert lines[:2] == [TITLE, "发布时间：2024-03-05 来源：某某县人民政府网"]
    assert lines[2:] == [
        HEADINGS[0],
        p[0][:20] + "[1]" + p[0][20:],
        p[1][:10] + "群众路线" + p[1][10:],
        p[2],
        p[3],
        p[4][:5] + "重点" + p[4][5:],
    ]


def test_prose_the_extractor_cut_inside_the_article_stays(monkeypatch) -> None:
    # The extractor kept paragraphs 1, 2 and 4 but only part of paragraph 3 (an inline
    # element it dropped): the whole of paragraph 3 stays; chrome around the article goes.
    found = [PARAS[0], PARAS[1], PARAS[2][:12], PARAS[3]]
    monkeypatch.setattr(readers, "_extractor_blocks", lambda markup: found)
    lines = _read(NEWS_PAGE).text.split("\n")
    assert [line for line in lines if line in PARAS] == PARAS[:4]
    assert "收听本文 00:00/00:00" not in lines and "分享到：微信 微博 QQ空间" not in lines


def test_title_without_h1_is_the_line_the_page_title_names() -> None:
    # Old government pages set the title in a bold table cell; <title> repeats it with
    # the site's name.
    page = TABLE_PAGE.replace(
        f'<td align="center" class="title"><h1>{TITLE}</h1></td>',
        f'<td align="center" class="title"><strong>{TITLE}</strong></td>',
    ).replace(f"<title>{TITLE}</title>", f"<title>{TITLE}_新闻中心_某某县人民政府</title>")
    assert "<h1>" not in page
    lines = _read(page).text.split("\n")
    assert lines == [TITLE, *ARTICLE]


def test_the_corpus_lists_what_the_reader_left_out(tmp_path):
    """Corpus.removed holds the page's chrome with its rule: nothing is lost unaccounted."""
    from workbench.corpus import load_corpus

    page = (
        "<html><head><meta charset='utf-8'><title>干部驻村调研报告</title></head><body>\n"
        "<nav>首页 | 新闻中心 | 登录</nav>\n"
        "<h1>干部驻村调研报告</h1>\n"
        "<p>今年以来，县里选派干部驻村，与群众同吃同住同劳动，帮助解决了一批实际问题。</p>\n"
        "<p>驻村干部坚持每周召开群众会，面对面听取意见，群众满意度明显提高。</p>\n"
        "<footer>版权所有 某县融媒体中心</footer>\n"
        "</body></html>\n"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    removed = corpus.removed
    nav = removed[removed["rule"] == "html_nav"]
    assert len(nav) == 1 and "新闻中心" in nav["text"].iloc[0] and nav["line_no"].iloc[0] == 2
    assert (removed["rule"] == "html_footer").sum() == 1
    text = "".join(corpus.segments["text"])
    assert "新闻中心" not in text and "版权所有" not in text and "群众会" in text
    assert corpus.files["boilerplate_removed"].iloc[0] >= 2


def test_a_byline_in_a_pages_meta_bar_gives_the_author(tmp_path):
    """Tester 21: a WeChat page's "作者：王五" sits in its meta bar, outside the content the
    extractor finds: it was left out as html_boilerplate and the article had no author."""
    from workbench.corpus import load_corpus

    paragraphs = "".join(
        f"<p>{n}、某县组织党员干部走村入户，面对面听取群众意见，建立民情台账逐一销号。</p>"
        for n in "一二三四"
    )
    page = (
        "<html><head><meta charset='utf-8'><title>某县：干部走村入户听民声</title></head><body>"
        "<div id='js_article'><h1>某县：干部走村入户听民声</h1>\n<div id='meta_content'>\n"
        "<span>原创</span>\n<span>作者：王五</span>\n<span><a>某县发布</a></span>\n"
        f"<em>2023-05-01 10:00</em>\n</div>\n<div id='js_content'>{paragraphs}</div>\n"
        "<div><a>阅读原文</a> <span>在看</span></div></div></body></html>"
    )
    (tmp_path / "wx.html").write_text(page, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    doc = corpus.documents.iloc[0]
    assert (doc["title"], doc["author"], doc["date"]) == (
        "某县：干部走村入户听民声", "王五", "2023-05-01")  # fmt: skip
    removed = dict(zip(corpus.removed["text"], corpus.removed["rule"], strict=True))
    assert removed["作者：王五"] == "labelled_author" and removed["原创"] == "html_boilerplate"
