"""Tests for workbench.corpus.readers: discovery, encoding detection and text extraction."""

from __future__ import annotations

import hashlib
import pickle
import random
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench import config
from workbench.corpus.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    Repair,
    SourceFile,
    decode,
    decode_text,
    describe_repairs,
    discover,
    extract_text,
    load_refs,
    read_text,
)
from workbench.decoding import CONFIDENT_PLAUSIBILITY, _plausibility

SEED_NAMES = (
    "000_688e36ac7d55ccc2.txt",
    "001_74e1782f8eca611a.txt",
    "002_d96b58a24a94b0c4.txt",
    "003_8128e1cef60075aa.txt",
    "004_09331bca989b350a.txt",
)
TRADITIONAL_SEEDS = ("000", "002")
SIMPLIFIED_SEEDS = ("001", "003", "004")

#: Characters of seed text re-encoded per case: a few KB keeps the suite fast.
SAMPLE_CHARS = 3000

# (seed prefixes, codec used to write the file, encoding decode_text must report)
SEED_ENCODINGS = [
    (TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS, "utf-8-sig", "utf-8-sig"),
    (TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS, "utf-16", "utf-16"),
    (TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS, "utf-16-be+bom", "utf-16"),
    (TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS, "gb18030", "gb18030"),
    (TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS, "gbk", "gb18030"),
    (SIMPLIFIED_SEEDS, "gb2312", "gb18030"),
    (TRADITIONAL_SEEDS, "big5", "big5"),
    (TRADITIONAL_SEEDS, "cp950", "big5"),
]

# One or two sentences (or less): too little text for statistics, so these are the
# cases where GB and Big5 are easiest to confuse.
SHORT_TEXTS = [
    ("干群关系", "gbk", "gb18030"),
    ("一些", "gbk", "gb18030"),  # these GBK bytes are also valid UTF-8 ("һЩ")
    ("密切联系群众。", "gb2312", "gb18030"),
    ("群众路线是党的生命线和根本工作路线。", "gb18030", "gb18030"),
    ("我们党的最大优势是密切联系群众，最大危险是脱离群众。", "gbk", "gb18030"),
    ("密切聯繫群眾是我們黨的顯著標誌。", "gb18030", "gb18030"),
    ("密切聯繫群眾。", "big5", "big5"),
    ("幹部要深入基層，傾聽群眾意見。", "big5", "big5"),
    ("當前，如何進一步密切黨同人民群眾的血肉聯繫，已成為一個重要課題。", "big5", "big5"),
    ("墻上的標語已經生銹。", "cp950", "big5"),  # 墻 and 銹 exist only in cp950
    # Simplified-seed sentences that happen to use only characters Big5 has.
    ("第四方面是特殊人群。", "big5", "big5"),
    ("三、要有一种危机感。", "big5", "big5"),
    ("查看全部留言", "big5", "big5"),
]


# --- helpers -------------------------------------------------------------------------


def _seed_path(prefix: str) -> Path:
    (name,) = (n for n in SEED_NAMES if n.startswith(prefix))
    return config.SEEDS_DIR / name


def _seed_text(prefix: str) -> str:
    return _seed_path(prefix).read_text(encoding="utf-8")


def _encode(text: str, codec: str) -> bytes:
    if codec == "utf-16-be+bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(codec)


def _encodable(text: str, codec: str) -> bool:
    try:
        _encode(text, codec)
    except UnicodeEncodeError:
        return False
    return True


def _sample(text: str, codec: str, limit: int = SAMPLE_CHARS) -> str:
    """Leading lines of ``text`` that ``codec`` can encode, about ``limit`` chars."""
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size >= limit:
            break
        if _encodable(line, codec):
            kept.append(line)
            size += len(line) + 1
    return "\n".join(kept)


def _first_sentences(prefix: str, count: int) -> str:
    sentences = re.findall(r"[^。\n]+。", _seed_text(prefix))
    return "".join(sentences[:count])


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _rel(sources: list[SourceFile], root: Path) -> list[str]:
    return [Path(src.path).relative_to(root).as_posix() for src in sources]


def _make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _noise(seed: int, size: int = 4096, low: int = 1) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size))


def _binary_blob(seed: int, size: int = 2048) -> bytes:
    """A PNG header followed by random bytes (NULs included)."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _noise(seed, size, low=0)


# --- seeds ---------------------------------------------------------------------------


def test_discover_seed_folder_finds_five_files_in_name_order() -> None:
    found = discover([config.SEEDS_DIR])
    assert [src.name for src in found] == list(SEED_NAMES)
    assert all(src.suffix == ".txt" for src in found)
    assert all(src.path == (config.SEEDS_DIR / src.name).as_posix() for src in found)


def test_seed_sha256_matches_checksum_file() -> None:
    expected = dict(
        reversed(line.split()) for line in config.SEEDS_CHECKSUMS.read_text().splitlines()
    )
    assert {src.name: src.sha256 for src in discover([config.SEEDS_DIR])} == expected


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_decodes_as_utf8(name: str) -> None:
    data = (config.SEEDS_DIR / name).read_bytes()
    assert decode_text(data, name) == (data.decode("utf-8"), "utf-8")


@pytest.mark.parametrize(
    ("prefix", "codec", "expected"),
    [(p, codec, expected) for prefixes, codec, expected in SEED_ENCODINGS for p in prefixes],
)
def test_seed_reencoded_roundtrips(prefix: str, codec: str, expected: str, tmp_path: Path) -> None:
    text = _sample(_seed_text(prefix), codec)
    assert len(text) >= 1000, "sample too small to be a meaningful test"
    path = _write(tmp_path / f"{prefix}_{codec}.txt", _encode(text, codec))
    (src,) = discover([path])
    assert decode_text(src.data, src.path) == (text, expected)
    assert extract_text(src) == (text, expected)


@pytest.mark.parametrize("prefix", TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS)
@pytest.mark.parametrize("count", [1, 2])
def test_seed_first_sentences_in_gb18030(prefix: str, count: int) -> None:
    text = _first_sentences(prefix, count)
    assert decode_text(text.encode("gb18030"), "s.txt") == (text, "gb18030")


@pytest.mark.parametrize("prefix", TRADITIONAL_SEEDS)
@pytest.mark.parametrize("count", [1, 2])
def test_traditional_seed_first_sentences_in_big5(prefix: str, count: int) -> None:
    text = _first_sentences(prefix, count)
    assert decode_text(text.encode("big5"), "s.txt") == (text, "big5")


@pytest.mark.parametrize(("text", "codec", "expected"), SHORT_TEXTS)
def test_short_texts(text: str, codec: str, expected: str) -> None:
    assert decode_text(text.encode(codec), "short.txt") == (text, expected)


# --- decode_text details -------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_newlines_normalised(codec: str) -> None:
    raw = "第一行\r\n第二行\r第三行\n幹部群眾關係"
    text, _ = decode_text(raw.encode(codec), "nl.txt")
    assert text == "第一行\n第二行\n第三行\n幹部群眾關係"


def test_empty_and_ascii_data_are_utf8() -> None:
    assert decode_text(b"", "e.txt") == ("", "utf-8")
    assert decode_text(b"plain ASCII\r\n", "a.txt") == ("plain ASCII\n", "utf-8")


def test_latin_letters_keep_utf8_even_when_gbk_could_read_them() -> None:
    text = "côte à côte"  # "ô" is also a valid GBK pair for 么
    assert decode_text(text.encode("utf-8"), "fr.txt") == (text, "utf-8")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_saved_without_a_byte_order_mark_is_read(encoding: str) -> None:
    # "UCS-2 without BOM" from some editors: its NUL bytes made it look binary.
    text = "关于干群关系的调查\n2016年，一些干部很少深入基层走访群众（A村）。\n"
    assert decode_text(text.encode(encoding), "u.txt") == (text, encoding)


@pytest.mark.parametrize(
    ("data", "encoding", "repaired"),
    [
        # Tester 21: a stray NUL refused the whole article as "a binary file".
        ("一、存在的问题\n干部脱离\x00群众。\n".encode(), "utf-8", "line 2 NUL bytes removed"),
        ("一、存在的问题\n干部脱离群众。\n".encode("gbk") + b"\x00" * 300, "gb18030",
         "line 2 NUL bytes removed"),  # padded at the end
    ],
)  # fmt: skip
def test_stray_nul_bytes_are_removed_and_reported(
    data: bytes, encoding: str, repaired: str
) -> None:
    decoded = read_text(SourceFile("a.txt", "in/a.txt", data))
    assert (decoded.text, decoded.encoding) == ("一、存在的问题\n干部脱离群众。\n", encoding)
    assert describe_repairs(decoded.repairs) == repaired


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_file_raises_with_path(seed: int, tmp_path: Path) -> None:
    path = _write(tmp_path / "docs" / "image.txt", _binary_blob(seed))
    (src,) = discover([path])
    with pytest.raises(ReadError) as info:
        extract_text(src)
    assert src.path in str(info.value)
    assert info.value.path == src.path
    assert "binary" in info.value.reason
    assert "--skip-bad" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes(range(1, 32)) * 20, id="control-chars"),
        pytest.param(_noise(7), id="noise"),
        pytest.param("UTF-32 文本".encode("utf-32"), id="utf-32"),
        pytest.param("Café au lait, déjà vu, naïve.".encode("cp1252"), id="cp1252"),
        pytest.param("日本語のテキストです。こんにちは".encode("shift_jis"), id="shift-jis"),
        pytest.param("한국어 텍스트입니다".encode("euc-kr"), id="euc-kr"),
        pytest.param(b"\xef\xbb\xbfok\xff\xfe", id="bad-after-utf8-bom"),
    ],
)
def test_undecodable_data_raises_instead_of_mojibake(data: bytes) -> None:
    with pytest.raises(ReadError, match=r"^x/bad\.txt: .*convert it to UTF-8"):
        decode_text(data, "x/bad.txt")


def test_read_error_pickles() -> None:
    err = ReadError("a.txt", "broken", "fix it")
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.reason, str(again)) == ("a.txt", "broken", "a.txt: broken; fix it")


# --- discover ------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for rel in (
        "a.txt",
        "b.MD",
        "sub/c.html",
        "sub/deeper/d.docx",
        "sub/deeper/e.htm",
        ".hidden.txt",
        ".git/x.txt",
        "sub/.cache/y.txt",
        "__MACOSX/z.txt",
        "~$lock.docx",
        "notes.csv",
    ):
        _write(root / rel, f"内容 {rel}".encode())
    _make_zip(root / "archive.zip", {"inner.txt": "压缩包里的文件".encode()})
    return root


# What a folder walk finds in `corpus` (zip archives are not opened there).
VISIBLE = ["a.txt", "b.MD", "sub/c.html", "sub/deeper/d.docx", "sub/deeper/e.htm"]


def test_folder_is_searched_recursively_skipping_hidden(corpus: Path) -> None:
    found = discover([corpus])
    assert _rel(found, corpus) == VISIBLE
    assert found[0].data == "内容 a.txt".encode()
    assert found[1].suffix == ".md"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.txt", ["a.txt"]),
        ("sub/*.html", ["sub/c.html"]),
        ("**/*.htm*", ["sub/c.html", "sub/deeper/e.htm"]),
        ("**/*", ["a.txt", "archive.zip!inner.txt", *VISIBLE[1:]]),
        ("s?b", VISIBLE[2:]),  # a matching folder is searched like a folder
    ],
)
def test_glob_patterns(corpus: Path, pattern: str, expected: list[str]) -> None:
    assert _rel(discover([f"{corpus}/{pattern}"]), corpus) == expected


def test_relative_display_paths(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus.parent)
    assert [src.path for src in discover(["corpus/sub", "corpus/*.txt"])] == [
        "corpus/a.txt",
        "corpus/sub/c.html",
        "corpus/sub/deeper/d.docx",
        "corpus/sub/deeper/e.htm",
    ]


def test_same_file_given_twice_counts_once(corpus: Path) -> None:
    a = corpus / "a.txt"
    found = discover([a, str(a), corpus / "sub" / ".." / "a.txt", corpus, f"{corpus}/*.txt"])
    assert _rel(found, corpus) == VISIBLE
    assert found[0].path == a.as_posix()


def test_single_path_is_accepted(corpus: Path) -> None:
    assert _rel(discover(corpus / "sub"), corpus) == VISIBLE[2:]


def test_results_sorted_by_display_path(corpus: Path) -> None:
    found = discover([corpus / "sub" / "c.html", corpus / "b.MD", corpus / "a.txt"])
    assert _rel(found, corpus) == ["a.txt", "b.MD", "sub/c.html"]


@pytest.mark.parametrize("rel", ["missing.txt", "no/such/folder", "missing-*.txt", "**/*.nope"])
def test_missing_path_or_empty_glob_raises(corpus: Path, rel: str) -> None:
    spec = f"{corpus}/{rel}"
    with pytest.raises(FileNotFoundError, match=re.escape(spec)):
        discover([corpus / "a.txt", spec])


def test_glob_matching_only_unsupported_files_raises(corpus: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no file ending in \.txt"):
        discover([f"{corpus}/*.csv"])


@pytest.mark.parametrize("name", ["notes.csv", "README", "report.pdf"])
def test_explicit_unsupported_suffix_raises(corpus: Path, name: str) -> None:
    path = _write(corpus / name, b"x")
    with pytest.raises(ReadError) as info:
        discover([path])
    assert info.value.path == path.as_posix()
    assert all(suffix in str(info.value) for suffix in SUPPORTED_SUFFIXES)


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    # Issue 14: a folder without supported files used to load as an empty corpus.
    with pytest.raises(ReadError, match=r"folder contains no file ending in .*it is empty"):
        discover([tmp_path])
    errors: list[ReadError] = []
    assert discover([tmp_path], errors=errors) == []
    assert [err.path for err in errors] == [tmp_path.as_posix()]


# --- zip archives --------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = _make_zip(
        tmp_path / "corpus.zip",
        {
            "sub/": b"",
            "sub/a.txt": "群众路线".encode(),
            "b.html": "<p>为民务实</p>".encode("gbk"),
            "ZZZZ.txt": "清廉".encode("gb18030"),
            "__MACOSX/sub/._a.txt": b"\x00\x05\x16\x07 resource fork",
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
            "sub/.hidden.txt": b"hidden",
            "notes.csv": b"a,b",
            "nested.zip": b"PK",
        },
    )
    # Simulate an archive made on Chinese Windows: a GBK member name without the
    # UTF-8 flag (same byte length as the placeholder, so offsets stay valid).
    raw = path.read_bytes().replace(b"ZZZZ.txt", "中文.txt".encode("gbk"))
    path.write_bytes(raw)
    return path


def test_zip_members_are_listed_skipping_macosx_and_hidden(archive: Path) -> None:
    found = discover([archive])
    zip_path = archive.as_posix()
    assert [src.path for src in found] == [
        f"{zip_path}!b.html",
        f"{zip_path}!sub/a.txt",
        f"{zip_path}!中文.txt",
    ]
    assert [src.name for src in found] == ["b.html", "a.txt", "中文.txt"]
    assert [extract_text(src) for src in found] == [
        ("为民务实", "gb18030"),
        ("群众路线", "utf-8"),
        ("清廉", "gb18030"),
    ]


def test_zip_given_twice_and_by_glob_counts_once(archive: Path) -> None:
    found = discover([archive, archive, f"{archive.parent}/*.zip"])
    assert len(found) == 3


def test_zip_inside_a_folder_is_not_expanded(corpus: Path) -> None:
    assert all("!" not in src.path for src in discover([corpus]))
    assert [src.name for src in discover([corpus / "archive.zip"])] == ["inner.txt"]


def test_what_a_folder_walk_passes_over_is_named_in_a_warning(corpus: Path, caplog) -> None:
    """A .pdf, a .csv or a .zip among the texts is not read, and the user is told so."""
    _write(corpus / "sub" / "扫描件 1.pdf", b"%PDF-1.4")
    with caplog.at_level("WARNING", logger="workbench.corpus.readers"):
        assert _rel(discover([corpus]), corpus) == VISIBLE
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"{corpus.as_posix()}: passed over 2 file(s) that are not .txt")
    assert "archive.zip, sub/扫描件 1.pdf;" in message
    assert "name a .zip archive as an input of its own" in message
    # A table is no document to convert: it is named for what it is.
    assert message.endswith(
        ". Skipped 1 file(s) that are not documents: 1 data file(s) (.csv): notes.csv"
    )
    caplog.clear()
    with caplog.at_level("WARNING", logger="workbench.corpus.readers"):
        discover([corpus / "sub" / "deeper"])
    assert caplog.records == []  # nothing passed over, nothing said


def test_what_an_archive_passes_over_is_named_in_a_warning(tmp_path: Path, caplog) -> None:
    """A .pdf or a .zip inside an archive was dropped without a word; hidden entries
    (__MACOSX/, .DS_Store) are still skipped unnamed."""
    archive = tmp_path / "材料.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "干部要走访群众。".encode())
        zf.writestr("扫描件.pdf", b"%PDF-1.4")
        zf.writestr("旧/more.zip", b"PK")
        zf.writestr("__MACOSX/._a.txt", b"x")
        zf.writestr(".DS_Store", b"x")
    with caplog.at_level("WARNING", logger="workbench.corpus.readers"):
        assert [src.name for src in discover([archive])] == ["a.txt"]
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"{archive.as_posix()}: passed over 2 file(s) that are not .txt")
    assert "扫描件.pdf, 旧/more.zip;" in message
    assert "unpack the .zip inside the archive" in message and "convert the other" in message


def test_corrupt_zip_raises_read_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.zip", b"PK\x03\x04" + _binary_blob(3, 64))
    with pytest.raises(ReadError, match=re.escape(path.as_posix())):
        discover([path])


# --- HTML ----------------------------------------------------------------------------

GBK_PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="gbk">
<title>页面标题</title>
<style>body { font-family: "宋体"; }</style>
<script>var note = "脚本里的文字";</script>
</head>
<body>
<nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
<!-- 注释不应出现 -->
<h1>关于做好新时期群众工作的几点体会</h1>
<div class="content">
  <p>我们党是做群众工作起家的，<b>群众工作</b>是党全部工作的基础。</p>
  <p>第一行<br>第二行&nbsp;&nbsp;有空格</p>
  <ul><li>深入基层</li><li>倾听民意</li></ul>
  <table><tr><td>姓名</td><td>职务</td></tr><tr><td>刘长江</td><td>干部</td></tr></table>
</div>
<noscript>请启用脚本</noscript>
<script type="text/javascript">document.write("不可见");</script>
</body></html>
"""

GBK_PAGE_TEXT = "\n".join(
    [  # the <nav> menu "首页 | 新闻中心" is page chrome: dropped
        "关于做好新时期群众工作的几点体会",
        "我们党是做群众工作起家的，群众工作是党全部工作的基础。",
        "第一行",
        "第二行 有空格",
        "深入基层",
        "倾听民意",
        "姓名 职务",
        "刘长江 干部",
    ]
)


def test_html_with_gbk_meta_charset(tmp_path: Path) -> None:
    path = _write(tmp_path / "page.html", GBK_PAGE.encode("gbk"))
    (src,) = discover([path])
    assert extract_text(src) == (GBK_PAGE_TEXT, "gb18030")


@pytest.mark.parametrize(
    ("meta", "codec", "expected"),
    [
        ('<meta http-equiv="Content-Type" content="text/html; charset=GB2312">', "gbk", "gb18030"),
        ('<meta charset="big5">', "big5", "big5"),
        ("", "big5", "big5"),  # no declaration: detected from the bytes
        ("", "utf-8", "utf-8"),
        ('<meta charset="gb2312">', "utf-8", "utf-8"),  # mislabelled page
        ('<meta charset="utf-8">', "gbk", "gb18030"),  # mislabelled page
    ],
)
def test_html_charset_declarations(meta: str, codec: str, expected: str) -> None:
    body = "<p>密切聯繫群眾</p><p>幹部深入基層</p>"
    page = f"<html><head>{meta}</head><body>{body}</body></html>"
    src = SourceFile("p.htm", "p.htm", page.encode(codec))
    assert extract_text(src) == ("密切聯繫群眾\n幹部深入基層", expected)


# --- docx ----------------------------------------------------------------------------


def _make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("干群关系调查报告", level=1)
    document.add_paragraph("密切联系群众是党的优良传统。")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "地区"
    table.cell(0, 1).text = "满意度"
    table.cell(0, 2).merge(table.cell(1, 2)).text = "备注"
    table.cell(1, 0).text = "兴山县"
    table.cell(1, 1).text = "高"
    document.add_paragraph("结论：要倾听群众意见。")
    document.save(path)
    return path


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    # A table of data reads one line per row, as a web page's table does (a merged cell
    # once, in its first row).
    (src,) = discover([_make_docx(tmp_path / "report.docx")])
    expected = [
        "干群关系调查报告",
        "密切联系群众是党的优良传统。",
        "地区 满意度 备注",
        "兴山县 高",
        "结论：要倾听群众意见。",
    ]
    assert extract_text(src) == ("\n".join(expected), "docx")


def test_a_docx_table_of_data_gives_no_headings_and_a_layout_table_its_paragraphs(
    tmp_path: Path,
) -> None:
    import docx

    from workbench.corpus import load_corpus

    document = docx.Document()
    document.add_paragraph("一、存在的问题")
    data = document.add_table(rows=2, cols=2)
    for (i, j), text in {(0, 0): "问题", (0, 1): "户数", (1, 0): "作风漂浮", (1, 1): "120"}.items():
        data.cell(i, j).text = text
    layout = document.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "二、原因"
    layout.cell(0, 1).text = "考核偏重经济指标。"
    layout.cell(0, 1).add_paragraph("监督不到位。")
    document.save(tmp_path / "r.docx")
    (src,) = discover([tmp_path / "r.docx"])
    lines = extract_text(src)[0].split("\n")
    assert lines == ["一、存在的问题", "问题 户数", "作风漂浮 120",
                     "二、原因", "考核偏重经济指标。", "监督不到位。"]  # fmt: skip
    # The column heading 问题 is no problem section of its own.
    headings = load_corpus([tmp_path]).segments.query("is_heading")["text"].tolist()
    assert headings == ["一、存在的问题", "二、原因"]


def _numbered_docx(path: Path, paragraphs: list[tuple[str, int | None]]) -> Path:
    """A Word file whose paragraphs at a level (not None) are items of an automatic list:
    "%1、" in Chinese numerals, "（%2）" below it, "%3." below that, as Word makes of a typed
    "一、" (the numbers are not in the paragraphs' text)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvls}</w:abstractNum>'
    )
    first = numbering.find(qn("w:num"))
    if first is not None:
        first.addprevious(abstract)  # abstract definitions come before the w:num elements
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    for text, level in paragraphs:
        paragraph = document.add_paragraph(text)
        if level is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            ))  # fmt: skip
    document.add_paragraph("要点", style="List Bullet")  # a bullet: no number
    document.add_paragraph("结论", style="List Number")  # numbered by its style: "1."
    document.save(path)
    return path


def test_docx_automatic_numbering_is_read_as_word_shows_it(tmp_path: Path) -> None:
    """Tester 20: headings numbered by Word's automatic lists lost their 一、/（一）, so the
    sub-headings closed their sections as sub-titles and the problems under them were
    role "other"."""
    from workbench.corpus import load_corpus

    path = _numbered_docx(tmp_path / "方案.docx", [
        ("某局整改方案", None), ("存在的主要问题", 0), ("宗旨意识方面", 1),
        ("深入基层调研不够。", 2), ("联系群众不经常。", 2), ("工作作风方面", 1),
        ("少数干部作风漂浮。", None), ("整改措施", 0), ("密切联系群众", 1),
        ("建立联系点制度。", 2),
    ])  # fmt: skip
    (src,) = discover([path])
    assert extract_text(src)[0].split("\n") == [
        "某局整改方案", "一、存在的主要问题", "（一）宗旨意识方面", "1.深入基层调研不够。",
        "2.联系群众不经常。", "（二）工作作风方面", "少数干部作风漂浮。", "二、整改措施",
        "（一）密切联系群众", "1.建立联系点制度。", "要点", "1.结论",
    ]  # fmt: skip
    segments = load_corpus([path]).segments.set_index("text")
    assert segments.loc["少数干部作风漂浮。", "role"] == "problem"
    assert segments.loc["少数干部作风漂浮。", "section"] == "1.2"
    assert segments.loc["1.建立联系点制度。", "role"] == "countermeasure"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_binary_blob(4), id="not-a-zip"),
        pytest.param(b"PK\x03\x04garbage", id="truncated-zip"),
        pytest.param(None, id="zip-without-document"),
    ],
)
def test_corrupt_docx_raises_read_error(data: bytes | None, tmp_path: Path) -> None:
    if data is None:
        data = _make_zip(tmp_path / "x.zip", {"readme.txt": b"hello"}).read_bytes()
    src = SourceFile("bad.docx", "in/bad.docx", data)
    with pytest.raises(ReadError, match=r"^in/bad\.docx: "):
        extract_text(src)


# --- misc ----------------------------------------------------------------------------


def test_extract_text_rejects_unsupported_suffix() -> None:
    with pytest.raises(ReadError, match=r"unsupported file type '\.pdf'"):
        extract_text(SourceFile("a.pdf", "a.pdf", b"%PDF-1.7"))


def test_source_file_properties() -> None:
    src = SourceFile("A.HTML", "x.zip!dir/A.HTML", b"<p>x</p>")
    assert src.suffix == ".html"
    assert src.sha256 == hashlib.sha256(b"<p>x</p>").hexdigest()
    assert "<p>" not in repr(src)


def test_import_is_cheap(eager_imports) -> None:
    assert eager_imports("workbench.corpus.readers", "bs4", "docx", "charset_normalizer") == set()


def test_discover_collects_errors_and_goes_on(tmp_path):
    (tmp_path / "a.txt").write_text("干群关系", encoding="utf-8")
    (tmp_path / "z.zip").write_bytes(b"not a zip")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")
    errors: list[ReadError] = []
    found = discover([tmp_path / "z.zip", tmp_path, tmp_path / "notes.csv"], errors=errors)
    assert [s.name for s in found] == ["a.txt"]
    assert [Path(e.path).name for e in errors] == ["z.zip", "notes.csv"]
    with pytest.raises(ReadError, match=r"z\.zip"):
        discover([tmp_path / "z.zip"])


def test_load_refs_opens_each_archive_once_and_records_unreadable(tmp_path, monkeypatch):
    archive = tmp_path / "c.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(5):
            zf.writestr(f"m{i}.txt", f"干群关系{i}")
    (tmp_path / "gone.txt").write_text("干群", encoding="utf-8")
    refs = discover([archive, tmp_path / "gone.txt"], lazy=True)
    (tmp_path / "gone.txt").unlink()
    opened = []
    real = zipfile.ZipFile

    def counting(*args, **kwargs):
        opened.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", counting)
    errors: list[ReadError] = []
    loaded = list(load_refs(refs, errors))
    assert [s.data.decode("utf-8") for s in loaded] == [f"干群关系{i}" for i in range(5)]
    assert len(opened) == 1
    assert [e.path for e in errors] == [(tmp_path / "gone.txt").as_posix()]
    with pytest.raises(ReadError, match=r"gone\.txt"):
        list(load_refs(refs))


# --- issue 14: foreign lines, empty and damaged text, mojibake ------------------------

#: An article of our own: UTF-8 body lines around a heading (line 3) saved in GBK.
MIXED_LINES = [
    "关于改进干部作风的几点思考",
    "近年来，一些地方干群关系出现了新情况，值得认真研究。",
    "（二）存在的主要问题",
    "有的干部习惯于坐在办公室里听汇报，很少深入基层。",
    "要坚持走群众路线，把群众满意作为工作的标准。",
]
MIXED_HEADING_LINE = 3

DEV_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
#: Real UTF-8 articles of the dev corpus with one GBK-encoded heading line each.
DEV_MIXED_FILES = (
    "d40_pd1996_political_guarantee_utf8.txt",
    "d54_li1996_leadership_team_building.txt",
)


def _mixed_bytes(lines: list[str], foreign: dict[int, bytes], newline: str = "\n") -> bytes:
    """UTF-8 ``lines`` joined by ``newline``, with the 1-based lines in ``foreign`` replaced."""
    return (
        newline.encode().join(
            foreign.get(no, line.encode("utf-8")) for no, line in enumerate(lines, start=1)
        )
        + newline.encode()
    )


def _mojibake(text: str) -> str:
    """``text`` as UTF-8 bytes misread as Windows-1252 (Latin-1 where cp1252 has no
    character), as an editor does before saving it again as UTF-8."""
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")
    )


def test_a_gbk_line_inside_utf8_is_decoded_and_reported() -> None:
    heading = MIXED_LINES[MIXED_HEADING_LINE - 1]
    data = _mixed_bytes(MIXED_LINES, {MIXED_HEADING_LINE: heading.encode("gbk")})
    decoded = decode(data, "mixed.txt")
    assert decoded.text == "\n".join(MIXED_LINES) + "\n"
    assert decoded.encoding == "utf-8"
    assert decoded.repairs == (Repair(MIXED_HEADING_LINE, "gb18030"),)
    # the two-value API gives the same text instead of refusing the file
    assert decode_text(data, "mixed.txt") == (decoded.text, "utf-8")


def test_repaired_line_numbers_count_crlf_and_cr_lines() -> None:
    lines = ["第一行", "第二行", "第三行是UTF-8正文。", "一、干部作风问题", "最后一行。"]
    data = _mixed_bytes(lines, {4: lines[3].encode("gbk")}, newline="\r\n")
    data = data.replace("第二行\r\n".encode(), "第二行\r".encode())  # an old Mac line end
    decoded = decode(data, "crlf.txt")
    assert decoded.text.split("\n")[3] == lines[3]
    assert decoded.repairs == (Repair(4, "gb18030"),)


def test_an_undecodable_span_is_marked_and_the_rest_kept() -> None:
    bad = "第三段：".encode() + b"\xff\xfe" + "其余正常。".encode()
    decoded = decode(_mixed_bytes(MIXED_LINES, {3: bad}), "marked.txt")
    assert decoded.text.split("\n")[2] == "第三段：\ufffd\ufffd其余正常。"
    assert decoded.repairs == (Repair(3, "marked"),)
    assert describe_repairs(decoded.repairs) == "line 3 undecodable bytes marked U+FFFD"


def test_a_utf8_line_inside_gbk_is_decoded_and_an_invalid_one_marked() -> None:
    lines = [*MIXED_LINES, "结束语"]
    gbk = {no: line.encode("gbk") for no, line in enumerate(lines, start=1)}
    gbk[2] = lines[1].encode("utf-8")
    gbk[6] = lines[5].encode("gbk") + b"\xff"  # 0xFF starts no GBK, Big5 or UTF-8 character
    decoded = decode(_mixed_bytes(lines, gbk), "gbk.txt")
    assert decoded.encoding == "gb18030"
    assert decoded.text.split("\n")[:6] == [*lines[:5], lines[5] + "\ufffd"]
    assert [r.line_no for r in decoded.repairs] == [2, 6]
    assert decoded.repairs[1].how == "marked"


def test_mostly_undecodable_data_is_still_refused() -> None:
    # One good UTF-8 line does not make noise a UTF-8 file with repaired lines.
    data = MIXED_LINES[0].encode("utf-8") + b"\n" + _noise(3)
    with pytest.raises(ReadError, match="cannot detect the encoding"):
        decode(data, "noise.txt")


def test_repairs_reach_the_file_table_of_all_three_pipelines(tmp_path: Path) -> None:
    from same_tables import differences

    from workbench.corpus import load_corpus
    from workbench.pipeline import run_pipeline
    from workbench.stream import build_corpus

    heading = MIXED_LINES[MIXED_HEADING_LINE - 1]
    _write(tmp_path / "in" / "a.txt", _mixed_bytes(MIXED_LINES, {3: heading.encode("gbk")}))
    _write(tmp_path / "in" / "b.txt", "另一篇文章，全部是UTF-8。\n".encode())
    corpus = load_corpus([tmp_path / "in"])
    files = corpus.files.set_index("file")
    assert files.loc["a.txt", "repaired"] == "line 3 decoded as GB18030"
    assert files.loc["b.txt", "repaired"] == ""
    heads = corpus.segments[corpus.segments["line_no"] == MIXED_HEADING_LINE]
    assert heads["text"].tolist() == [heading]
    assert corpus.summary()[0]["repaired"] == "line 3 decoded as GB18030"
    assert "repaired" not in corpus.summary()[1]
    result = run_pipeline([tmp_path / "in"])
    pd.testing.assert_frame_equal(result.corpus.files, corpus.files)
    build_corpus([tmp_path / "in"], tmp_path / "out")
    assert differences(tmp_path / "out", result) == []


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason=f"no dev corpus at {DEV_CORPUS}")
@pytest.mark.parametrize("name", DEV_MIXED_FILES)
def test_dev_articles_with_one_gbk_heading_are_read(name: str) -> None:
    (src,) = discover([DEV_CORPUS / name])
    decoded = read_text(src)
    assert decoded.encoding == "utf-8"
    (repair,) = decoded.repairs
    assert repair.how == "gb18030"
    heading = decoded.text.split("\n")[repair.line_no - 1].strip()
    # A short heading of ordinary Chinese, not mojibake or replacement characters.
    assert 0 < len(heading) < 40 and "\ufffd" not in decoded.text
    assert all(not char.isascii() for char in heading)
    assert _plausibility(heading) >= CONFIDENT_PLAUSIBILITY


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("e.txt", b"", r"is empty \(0 bytes\)", id="empty"),
        pytest.param("w.md", b" \r\n\t\n", r"has no text", id="whitespace"),
        pytest.param("h.html", b"<html><body><p> </p></body></html>", "has no visible", id="html"),
        pytest.param(
            "r.txt", ("\ufffd\ufffd\ufffd 1996 \ufffd\ufffd。\n" * 30).encode(),
            r"\d+ of its \d+ characters are U\+FFFD replacement characters", id="replacement",
        ),
    ],
)  # fmt: skip
def test_files_without_usable_text_are_refused_naming_them(
    name: str, data: bytes, reason: str
) -> None:
    src = SourceFile(name, f"in/{name}", data)
    with pytest.raises(ReadError, match=rf"^in/{re.escape(name)}: {reason}.*--skip-bad$"):
        extract_text(src)


def test_a_few_replacement_characters_are_kept() -> None:
    text = "\n".join(MIXED_LINES) + "\n这里原有一个字\ufffd，已无法恢复。\n"
    src = SourceFile("a.txt", "a.txt", text.encode("utf-8"))
    assert extract_text(src) == (text, "utf-8")


@pytest.mark.parametrize("others", [("a.csv", "b.pdf"), ()], ids=["csv-pdf", "empty"])
def test_a_folder_without_supported_files_is_reported(tmp_path: Path, others: tuple) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in others:
        _write(folder / name, b"x")
    with pytest.raises(ReadError) as info:
        discover([folder])
    assert info.value.path == folder.as_posix()
    assert "no file ending in .txt" in info.value.reason
    assert all(suffix in info.value.reason for suffix in (".csv", ".pdf")[: len(others)])
    errors: list[ReadError] = []
    assert discover([folder], errors=errors) == []
    assert [err.path for err in errors] == [folder.as_posix()]


def test_a_folder_whose_only_file_is_unreadable_reports_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    errors: list[ReadError] = []
    assert discover([tmp_path / "docs"], errors=errors) == []
    assert [Path(err.path).name for err in errors] == ["gone.txt"]


def test_a_zip_without_supported_members_is_reported(tmp_path: Path) -> None:
    path = _make_zip(tmp_path / "scans.zip", {"a.pdf": b"%PDF", "b.csv": b"x"})
    with pytest.raises(ReadError, match=r"zip archive contains no file ending in"):
        discover([path])


def test_skipped_messages_drop_the_skip_advice(tmp_path: Path) -> None:
    from workbench.corpus import load_corpus

    _write(tmp_path / "in" / "ok.txt", "\n".join(MIXED_LINES).encode())
    _write(tmp_path / "in" / "empty.txt", b"")
    _write(tmp_path / "csv" / "a.csv", b"x")
    corpus = load_corpus([tmp_path / "in", tmp_path / "csv"], skip_bad=True)
    files = corpus.files.set_index("file")
    assert files["status"].to_dict() == {"csv": "skipped", "empty.txt": "skipped", "ok.txt": "ok"}
    errors = files.loc[["csv", "empty.txt"], "error"].tolist()
    assert all("--skip-bad" not in error for error in errors)
    assert errors[1].startswith(f"{(tmp_path / 'in' / 'empty.txt').as_posix()}: is empty")
    assert ReadError("a.txt", "broken").skipped_message() == "a.txt: broken; convert it to UTF-8"


def test_double_encoded_utf8_is_reversed_line_by_line() -> None:
    lines = list(MIXED_LINES)
    mangled = [*lines[:3], _mojibake(lines[3]), lines[4]]
    assert mangled[3].startswith("æœ‰çš„å¹²éƒ¨")  # what an editor shows
    decoded = decode("\n".join(mangled).encode("utf-8"), "m.txt")
    assert decoded.text == "\n".join(lines)
    assert decoded.repairs == (Repair(4, "mojibake"),)


def test_a_wholly_double_encoded_file_is_reversed() -> None:
    text = "\n".join(MIXED_LINES)
    decoded = decode(_mojibake(text).encode("utf-8"), "m.txt")
    assert (decoded.text, decoded.encoding) == (text, "utf-8")
    assert [r.line_no for r in decoded.repairs] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("mangled", "original"),
    [
        # cp1252 has no character for byte 0x8D (in 重 = E9 87 8D): an editor that
        # replaced it lost a byte, so the text cannot be reversed exactly.
        pytest.param(
            "干群关系是重要内容。".encode().decode("cp1252", errors="replace"), "", id="utf-8-lossy"
        ),
        pytest.param("干群关系是重要内容。".encode("gbk").decode("latin-1"), "GB18030", id="gbk"),
    ],
)
def test_irreversible_mojibake_is_named_not_called_binary(mangled: str, original: str) -> None:
    with pytest.raises(ReadError) as info:
        decode(((mangled + "\n") * 5).encode("utf-8"), "m.txt")
    message = str(info.value)
    assert "mojibake" in message and "double-encoded" in message and "binary" not in message
    assert "save it again as UTF-8" in message
    assert original in message


@pytest.mark.parametrize(
    "text", ["Café au lait, déjà vu, naïve.", "Müßiggang · 30 °C × 2", "côte à côte"]
)
def test_european_text_is_not_taken_for_mojibake(text: str) -> None:
    assert decode_text(text.encode("utf-8"), "eu.txt") == (text, "utf-8")


@pytest.mark.parametrize("text", ["……——！！\n。。。\n", "——\n“……”\n", "…… — ……"])
def test_chinese_punctuation_without_ideographs_is_not_taken_for_mojibake(text: str) -> None:
    # "…" and "—" are cp1252 characters too; a file (or a page) of only them was refused.
    assert decode_text(text.encode("utf-8"), "p.txt") == (text, "utf-8")


# --- HTML page chrome ----------------------------------------------------------------
# Pages written for these tests, in the shape of Chinese news and party websites: a
# site banner with a menu, a breadcrumb, an article with its own header, a share
# bar, an audio player, a comment box, related links in a side box, a footer.

CHROME_BODY = [
    "一、存在的问题",
    "少数干部下基层走马观花，听汇报多、进农户少，群众反映的困难得不到及时解决。",
    "二、原因分析",
    "一些干部宗旨意识淡薄，把为群众办事当成额外负担，考核也偏重看得见的政绩。",
    "三、对策建议",
    "要建立干部定期驻村走访制度，把群众满意度纳入年度考核，让群众评价成为标尺。",
]

ARTICLE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>干群关系的现状、成因及对策--共产党员网</title></head>
<body>
<header class="site-top">
  <a class="logo" href="/"><img src="/logo.png" alt="共产党员网"></a>
  <nav class="menu"><a href="/">首页</a> | <a href="/news">新闻中心</a> |
    <a href="/login">登录</a> | <a href="/reg">注册</a></nav>
</header>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/ll">理论</a> &gt; 正文</div>
<main>
<article>
  <header>
    <h1>干群关系的现状、成因及对策</h1>
    <p class="info">作者：李文 来源：共产党员网 2023-05-10</p>
  </header>
  <div class="tools">共产党员网 <a href="#">打印</a> <a href="#">纠错</a></div>
  <div class="share">微信扫一扫 <span class="close">×</span></div>
  <div class="audio">收听本文 <span>00:00</span>/<span>00:00</span></div>
  <div class="content">
    <h2>BODY0</h2><p>BODY1</p><h2>BODY2</h2><p>BODY3</p><h2>BODY4</h2><p>BODY5</p>
  </div>
  <div class="counters"><span>1</span> <span>1</span> <span>1</span></div>
  <section class="comments">
    <h3>网友评论</h3>
    <form><textarea>请输入评论内容</textarea><button>发表评论</button></form>
  </section>
</article>
<aside><h3>相关阅读</h3><ul><li><a href="/a">基层干部如何做好群众工作</a></li></ul></aside>
</main>
<footer><p>版权所有 共产党员网 京ICP备00000000号</p><p>联系我们 | 网站地图 | 关于我们</p></footer>
</body></html>
"""
for _i, _line in enumerate(CHROME_BODY):
    ARTICLE_PAGE = ARTICLE_PAGE.replace(f"BODY{_i}<", f"{_line}<")


def _html(text: str, name: str = "page.html") -> str:
    return extract_text(SourceFile(name, name, text.encode("utf-8")))[0]


def test_html_drops_nav_banner_aside_footer_keeps_the_article() -> None:
    lines = _html(ARTICLE_PAGE).split("\n")
    assert lines[:2] == [
        "干群关系的现状、成因及对策",  # the article's own <header> is kept, with its byline
        "作者：李文 来源：共产党员网 2023-05-10",
    ]
    text = "\n".join(lines)
    for body in CHROME_BODY:
        assert body in lines
    for chrome in ("登录", "注册", "相关阅读", "基层干部如何做好", "版权所有", "网站地图",
                   "当前位置", "打印", "扫一扫", "收听本文"):  # fmt: skip
        assert chrome not in text
    assert "请输入评论内容" not in text and "发表评论" not in text


def test_html_page_of_chrome_loads_with_its_title_and_roles(tmp_path: Path) -> None:
    from workbench.corpus import load_corpus

    _write(tmp_path / "in" / "page.html", ARTICLE_PAGE.encode("utf-8"))
    corpus = load_corpus([tmp_path / "in"])
    (doc,) = corpus.documents.to_dict("records")
    assert doc["title"] == "干群关系的现状、成因及对策"
    segments = corpus.segments
    roles = dict(zip(segments["text"], segments["role"], strict=True))
    assert [roles[line] for line in CHROME_BODY[1::2]] == ["problem", "cause", "countermeasure"]
    kept = "\n".join(segments["text"])
    for chrome in ("打印", "纠错", "扫一扫", "收听本文", "1 1 1", "首页", "网友评论"):
        assert chrome not in kept
    # The chrome in <div>s (breadcrumb, print bar, share bar, audio player, counters)
    # is outside the main content: the reader lists it as dropped, with its rule.
    dropped = read_text(SourceFile("page.html", "page.html", ARTICLE_PAGE.encode())).dropped
    by_rule = {d.text: d.rule for d in dropped}
    for chrome in ("当前位置：首页 > 理论 > 正文", "共产党员网 打印 纠错", "微信扫一扫 ×",
                   "收听本文 00:00/00:00", "1 1 1"):  # fmt: skip
        assert by_rule[chrome] == "html_boilerplate"
    assert by_rule["请输入评论内容"] == by_rule["发表评论"] == "html_form"
    assert by_rule["版权所有 共产党员网 京ICP备00000000号"] == "html_footer"
    assert corpus.files.loc[0, "boilerplate_share"] < 0.5


NAV_ABOVE_TITLE = """<html><body>
<nav><ul><li>首页</li> | <li>新闻中心</li> | <li>登录</li> | <li>注册</li></ul></nav>
<h1>干群关系的现状、成因及对策</h1>
<h2>BODY0</h2><p>BODY1</p><h2>BODY2</h2><p>BODY3</p><h2>BODY4</h2><p>BODY5</p>
</body></html>"""
for _i, _line in enumerate(CHROME_BODY):
    NAV_ABOVE_TITLE = NAV_ABOVE_TITLE.replace(f"BODY{_i}<", f"{_line}<")


def test_nav_menu_is_never_the_title(tmp_path: Path) -> None:
    # Before: the menu was the title and the <h1> with 对策 a heading that made the
    # whole article countermeasure.
    from workbench.corpus import load_corpus

    _write(tmp_path / "in" / "nav.html", NAV_ABOVE_TITLE.encode("utf-8"))
    corpus = load_corpus([tmp_path / "in"])
    assert corpus.documents["title"].tolist() == ["干群关系的现状、成因及对策"]
    roles = corpus.segments.loc[~corpus.segments["is_heading"], "role"]
    assert sorted(roles) == ["cause", "countermeasure", "problem"]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            "<header><h1>关于密切干群关系的思考</h1></header><p>正文。</p>",
            ["关于密切干群关系的思考", "正文。"],
            id="title-wrapped-in-page-header",
        ),
        pytest.param(
            "<header><h1><a href='/'>某某党建网</a></h1><nav>首页 | 动态</nav></header>"
            "<h1>关于密切干群关系的思考</h1><p>正文。</p>",
            ["关于密切干群关系的思考", "正文。"],
            id="logo-h1-beside-the-real-title",
        ),
        pytest.param(
            "<article><header><h1>关于密切干群关系的思考</h1><p>作者：张三</p></header>"
            "<p>正文。</p><footer>责任编辑：李四</footer></article>",
            # the article's footer is not chrome by tag; outside the main content, the
            # extractor leaves it out (listed in Decoded.dropped)
            ["关于密切干群关系的思考", "作者：张三", "正文。"],
            id="article-header-kept",
        ),
        pytest.param(
            "<div role='banner'>某某党建网 <h2>关于密切干群关系的思考</h2></div>"
            "<div role='navigation'>首页 动态 <h2>栏目</h2></div><p>正文。</p>"
            "<div role='contentinfo'>版权所有</div><div role='complementary'>推荐阅读</div>",
            ["关于密切干群关系的思考", "正文。"],
            id="aria-roles",
        ),
        pytest.param(
            "<header><nav><h2>栏目导航</h2>首页</nav><h1>关于密切干群关系的思考</h1></header>"
            "<p>正文。</p><footer><h4>联系我们</h4>电话</footer>",
            ["关于密切干群关系的思考", "正文。"],
            id="menu-heading-inside-banner-dropped",
        ),
    ],
)
def test_html_chrome_goes_headings_stay(page: str, expected: list[str]) -> None:
    assert _html(f"<html><body>{page}</body></html>").split("\n") == expected


def test_a_saved_pages_resource_folder_is_not_read(tmp_path: Path, caplog) -> None:
    """Tester 20: a page saved "complete" by a browser brought its 某县新闻_files/ folder, whose
    ad and comment frames (.htm) were read as articles of the corpus."""
    (tmp_path / "某县新闻.html").write_text(
        "<html><body><p>县委召开干部作风建设大会。</p></body></html>", encoding="utf-8"
    )
    resources = tmp_path / "某县新闻_files"
    resources.mkdir()
    (resources / "ad.htm").write_text("<html><body>广告 点击领取</body></html>", encoding="utf-8")
    (resources / "style.css").write_text("body{}", encoding="utf-8")
    other = tmp_path / "资料_files"  # no page of that name beside it: an ordinary folder
    other.mkdir()
    (other / "笔记.txt").write_text("访谈笔记。", encoding="utf-8")
    with caplog.at_level("WARNING"):
        names = [src.name for src in discover([tmp_path])]
    assert names == ["某县新闻.html", "笔记.txt"]
    assert "某县新闻_files/" in caplog.text and "style.css" not in caplog.text


def test_a_web_archive_reads_as_its_page(tmp_path: Path) -> None:
    """Tester 20: a page saved by a browser as a single file (.mhtml/.mht) was passed over
    ("convert them to read them"); it reads as its page, without the frames after it."""
    import quopri

    from workbench.corpus import load_corpus

    page = "<html><body><h1>某县召开干部作风大会</h1><p>会议要求干部深入基层。</p></body></html>"
    frame = "<html><body><p>广告：点击领取</p></body></html>"
    archive = (
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
        b"\tboundary=\"--B--\"\r\n\r\n----B--\r\nContent-Type: text/html\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(page.encode("utf-8"))
        + b"\r\n----B--\r\nContent-Type: text/html; charset=\"gb2312\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").b64encode(frame.encode("gbk"))
        + b"\r\n----B----\r\n"
    )
    (tmp_path / "page.mhtml").write_bytes(archive)
    (src,) = discover([tmp_path])
    assert extract_text(src)[0].split("\n") == ["某县召开干部作风大会", "会议要求干部深入基层。"]
    assert load_corpus([tmp_path]).documents["title"].tolist() == ["某县召开干部作风大会"]
    plain = b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi"
    bad = SourceFile("x.mht", "in/x.mht", plain)
    with pytest.raises(ReadError, match=r"^in/x\.mht: is not a web archive"):
        extract_text(bad)


def test_a_word_table_of_contents_reads_as_its_dot_leaders(tmp_path: Path) -> None:
    """A Word TOC entry (style "toc 1") is "heading<tab>page"; it reads with the dot leaders
    Word shows, which boilerplate's table_of_contents rule removes."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    from workbench.corpus import load_corpus

    document = docx.Document()
    toc = document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    for text, style in [("目录", None), ("一、存在的问题\t3", toc), ("二、原因分析\t5", toc),
                        ("一、存在的问题", None), ("干部作风漂浮。", None)]:  # fmt: skip
        document.add_paragraph(text, style=style)
    document.save(tmp_path / "r.docx")
    (src,) = discover([tmp_path / "r.docx"])
    assert extract_text(src)[0].split("\n")[1:3] == ["一、存在的问题…………3", "二、原因分析…………5"]
    segments = load_corpus([tmp_path]).segments
    assert segments[["section", "role"]].values.tolist()[-2:] == [["1", "problem"]] * 2


def test_a_word_text_box_is_read_once_after_its_paragraph(tmp_path: Path) -> None:
    """Tester 20: a text box's text (python-docx reads runs only) was lost without a word."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    box = (
        "<w:txbxContent><w:p><w:r><w:t>文本框里的内容：群众意见很大。</w:t></w:r></w:p>"
        "</w:txbxContent>"
    )
    document = docx.Document()
    paragraph = document.add_paragraph("正文第一段。")
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps">'
        f"<w:drawing><wrap>{box}</wrap></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
        f"<v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    ))  # fmt: skip
    document.add_paragraph("正文第二段。")
    document.save(tmp_path / "box.docx")
    (src,) = discover([tmp_path / "box.docx"])
    assert extract_text(src)[0].split("\n") == [
        "正文第一段。", "文本框里的内容：群众意见很大。", "正文第二段。"]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ("某局整改方案\n一、存在的问题\n".encode("gbk"), "it is a plain-text file: rename it .txt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "it is an old Word .doc file renamed .docx"),
        # Tester 21: a password-protected .docx is an OLE container too, not a .doc.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "it is protected by a password: open it in Word or WPS, remove the password"),
    ],
)
def test_a_docx_that_is_no_word_document_says_what_it_is(data: bytes, hint: str) -> None:
    with pytest.raises(ReadError, match=re.escape(hint)):
        extract_text(SourceFile("a.docx", "in/a.docx", data))


_W = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_PKG = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _raw_docx(path: Path, body: str, parts: dict[str, str]) -> Path:
    """A minimal Word package written by hand: python-docx cannot add notes, comments,
    tracked changes or content controls. ``parts``: part name (footnotes, endnotes,
    comments, header1, footer1) -> its XML without the root element's namespaces."""
    roots = {"footnotes": "footnotes", "endnotes": "endnotes", "comments": "comments",
             "header1": "hdr", "footer1": "ftr"}  # fmt: skip
    kinds = {"header1": "header", "footer1": "footer"}
    rels = "".join(
        f'<Relationship Id="r{name}" Type="{_OFFICE}/{kinds.get(name, name)}" Target="{name}.xml"/>'
        for name in parts
    )
    types = "".join(
        f'<Override PartName="/word/{name}.xml" ContentType="{_WML}.{kinds.get(name, name)}+xml"/>'
        for name in parts
    )
    refs = "".join(f'<w:{kind}Reference w:type="default" r:id="r{name}"/>'
                   for name, kind in kinds.items() if name in parts)  # fmt: skip
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", (
            f'<Types xmlns="{_PKG}/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            f'PartName="/word/document.xml" ContentType="{_WML}.document.main+xml"/>{types}</Types>'
        ))  # fmt: skip
        zf.writestr("_rels/.rels", (
            f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{_OFFICE}/officeDocument" Target="word/document.xml"/></Relationships>'
        ))  # fmt: skip
        zf.writestr("word/_rels/document.xml.rels",
                    f'<Relationships xmlns="{_PKG}/relationships">{rels}</Relationships>')
        zf.writestr("word/document.xml", f"<w:document {_W}><w:body>{body}"
                    f"<w:sectPr>{refs}</w:sectPr></w:body></w:document>")  # fmt: skip
        for name, xml in parts.items():
            zf.writestr(f"word/{name}.xml", f"<w:{roots[name]} {_W}>{xml}</w:{roots[name]}>")
    return path


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_word_notes_comments_revisions_and_page_heads_are_listed_not_lost(
    tmp_path: Path,
) -> None:
    """Tester 21: footnotes, endnotes and comments were not read and not counted, a tracked
    insertion and a content control's text were lost (python-docx reads direct runs only),
    and page headers and footers vanished without a word. Now the body has what Word shows
    (insertions, content controls and fields in, deletions out) and each of the others is
    a row of ``dropped`` at the line it is anchored to, and so of ``Corpus.removed``."""
    from workbench.corpus import load_corpus

    body = "".join([
        f"<w:p>{_r('某县干群关系调研报告')}</w:p>",
        f"<w:p>{_r('一、存在的问题')}</w:p>",
        f'<w:p>{_r("全县信访量上升12%。")}<w:r><w:footnoteReference w:id="1"/></w:r>'
        f'{_r("群众反映办事难。")}<w:r><w:endnoteReference w:id="2"/></w:r></w:p>',
        f'<w:p><w:commentRangeStart w:id="0"/>{_r("村干部作风简单粗暴。")}'
        '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>',
        f'<w:p>{_r("宗旨意识淡薄，")}<w:ins w:id="5" w:author="a">{_r("服务意识不强，")}</w:ins>'
        '<w:del w:id="6" w:author="a"><w:r><w:delText>群众素质低下，</w:delText></w:r></w:del>'
        f'{_r("制度执行不力。")}</w:p>',
        f"<w:sdt><w:sdtContent><w:p>{_r('内容控件里的段落。')}</w:p></w:sdtContent></w:sdt>",
        f'<w:p><w:fldSimple w:instr="DOCPROPERTY x">{_r("域的结果")}</w:fldSimple></w:p>',
    ])  # fmt: skip
    note = '<w:{0} w:id="{1}"><w:p><w:r><w:{0}Ref/></w:r>{2}</w:p></w:{0}>'
    path = _raw_docx(tmp_path / "报告.docx", body, {
        "footnotes": '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r>'
                     "</w:p></w:footnote>"
                     + note.format("footnote", 1, _r(" 来源：《某县统计年鉴》。")),
        "endnotes": note.format("endnote", 2, _r(" 参见县信访局工作总结。"))
                    + note.format("endnote", 3, _r(" 没有引用的尾注。")),
        "comments": f'<w:comment w:id="0" w:author="审稿人"><w:p>{_r("措辞需斟酌")}</w:p>'
                    "</w:comment>",
        "header1": f"<w:p>{_r('某县人民政府办公室')}</w:p>",
        "footer1": f"<w:p>{_r('第 1 页')}</w:p>",
    })  # fmt: skip
    (src,) = discover([path])
    decoded = read_text(src)
    assert decoded.text.split("\n") == [
        "某县干群关系调研报告", "一、存在的问题", "全县信访量上升12%。群众反映办事难。",
        "村干部作风简单粗暴。", "宗旨意识淡薄，服务意识不强，制度执行不力。",
        "内容控件里的段落。", "域的结果",
    ]  # fmt: skip
    assert [(d.line_no, d.rule, d.text) for d in decoded.dropped] == [
        (0, "docx_header", "某县人民政府办公室"),
        (0, "docx_footer", "第 1 页"),
        (3, "docx_footnote", "来源：《某县统计年鉴》。"),
        (3, "docx_endnote", "参见县信访局工作总结。"),
        (4, "docx_comment", "措辞需斟酌"),
        (5, "docx_deleted", "群众素质低下，"),
        (7, "docx_endnote", "没有引用的尾注。"),  # no reference: at the last line
    ]
    corpus = load_corpus([path], progress=False)
    assert "群众素质低下" not in "".join(corpus.segments["text"])
    assert corpus.summary()[0]["removed_by_rule"] == {
        "docx_comment": 1, "docx_deleted": 1, "docx_endnote": 2, "docx_footer": 1,
        "docx_footnote": 1, "docx_header": 1,
    }  # fmt: skip


def test_documents_of_other_formats_are_named_with_how_to_convert_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Tester 21: a .doc, .wps or .pdf among the texts was passed over with "convert them
    to read them", and named alone "unsupported file type '.doc'", saying not how."""
    for name in ("a.txt", "b.doc", "c.wps", "d.pdf"):
        _write(tmp_path / "in" / name, "某县整改方案".encode())
    with caplog.at_level("WARNING"):
        discover([tmp_path / "in"])
    assert ".doc, .wps: open in Word or WPS and save as .docx; .pdf: export its text" in caplog.text
    with pytest.raises(ReadError, match=r"'\.wps'; \.wps: open in Word or WPS and save as \.docx"):
        discover([tmp_path / "in" / "c.wps"])


def test_a_word_body_imported_as_an_html_chunk_is_read(tmp_path: Path) -> None:
    """Tester 21: a .docx whose body is an imported HTML chunk (w:altChunk, what some
    "export to Word" tools write) was refused as "has no text"."""
    body = f'<w:p>{_r("封面标题")}</w:p><w:altChunk r:id="rAlt"/>'
    path = _raw_docx(tmp_path / "导出.docx", body, {})
    with zipfile.ZipFile(path) as zf:
        items = {name: zf.read(name) for name in zf.namelist()}
    items["word/_rels/document.xml.rels"] = items["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rAlt" Type="{_OFFICE}/aFChunk" Target="chunk.htm"/>'
        "</Relationships>".encode(),
    )
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="htm" ContentType="text/html"/></Types>')
    items["word/chunk.htm"] = ("<html><body><p>一、存在的问题</p><p>干部脱离群众。</p>"
                               "</body></html>").encode("gbk")  # fmt: skip
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    (src,) = discover([path])
    assert read_text(src).text.split("\n") == ["封面标题", "一、存在的问题", "干部脱离群众。"]


@pytest.mark.parametrize("lazy", [False, True])
def test_a_broken_link_is_named_with_what_to_do(tmp_path: Path, lazy: bool) -> None:
    """Tester 21: a link to a file moved away said "cannot read file (No such file or
    directory); convert it to UTF-8", advice for text that does not decode."""
    _write(tmp_path / "in" / "a.txt", "某县整改方案".encode())
    (tmp_path / "in" / "b.txt").symlink_to(tmp_path / "moved.txt")
    errors: list[ReadError] = []
    found = discover([tmp_path / "in"], errors=errors, lazy=lazy)
    if lazy:
        list(load_refs(found, errors))
    (err,) = errors
    assert err.reason == f"is a link to {tmp_path / 'moved.txt'}, which does not exist"
    assert err.hint == "remove the link or restore its target or pass --skip-bad"


@pytest.mark.parametrize("lazy", [False, True])
def test_a_linked_folder_is_read_and_a_link_loop_ends(tmp_path: Path, lazy: bool) -> None:
    """Tester 21: a folder kept as a link (corpus/2016 -> /data/2016) was not walked,
    and its texts were left out without a word."""
    _write(tmp_path / "corpus" / "a.txt", "某县整改方案".encode())
    _write(tmp_path / "data" / "2016" / "b.txt", "某市调研报告".encode())
    (tmp_path / "corpus" / "2016").symlink_to(tmp_path / "data" / "2016")
    (tmp_path / "corpus" / "loop").symlink_to(tmp_path / "corpus")
    found = discover([tmp_path / "corpus"], lazy=lazy)
    assert [Path(f.path).relative_to(tmp_path).as_posix() for f in found] == [
        "corpus/2016/b.txt", "corpus/a.txt"]  # fmt: skip


def test_files_that_are_no_documents_are_named_for_what_they_are(tmp_path: Path, caplog) -> None:
    """A tester's corpus folder held tables, arrays, figures and an old pipeline build:
    each was passed over with "convert them to read them"."""
    texts = tmp_path / "texts"
    _write(texts / "a.txt", "干部下乡走访群众。".encode())
    for name in ("words.parquet", "meta.json", "arr.npz", "figs/a.png", "figs/b.JPG"):
        _write(texts / name, b"\x00data")
    for name in ("manifest.json", "files.parquet", "segments/part-00000.parquet"):
        _write(texts / "old" / name, b"\x00data")
    _write(texts / "old.doc", b"\xd0\xcf\x11\xe0")
    with caplog.at_level("WARNING", logger="workbench.corpus.readers"):
        assert [src.name for src in discover([texts])] == ["a.txt"]
    (message,) = [r.getMessage() for r in caplog.records]
    # A document of another format is still told how to be converted ...
    assert message.startswith(f"{texts.as_posix()}: passed over 1 file(s) that are not .txt")
    assert "old.doc; convert them to read them (.doc: open in Word or WPS" in message
    # ... and the rest is counted and named for what it is, never told to be converted.
    assert message.endswith(
        ". Skipped 8 file(s) that are not documents: the workbench pipeline build old/ "
        "(3 file(s)); 3 data file(s) (.json, .npz, .parquet): arr.npz, meta.json, "
        "words.parquet; 2 image(s) (.jpg, .png): figs/a.png, figs/b.JPG"
    )
    # A folder of nothing but such files is the wrong folder, not one to convert.
    with pytest.raises(ReadError, match=r"holds no documents, only the tables of a workbench"):
        discover([texts / "old"])
    with pytest.raises(ReadError, match=r"only 2 image\(s\) \(\.jpg, \.png\): a\.png, b\.JPG;"):
        discover([texts / "figs"])
