"""load_corpus on the real seeds and on small files the tests make."""

from __future__ import annotations

import zipfile
from itertools import chain

import pandas as pd
import pytest

from workbench import config
from workbench.corpus.articles import split_articles
from workbench.corpus.boilerplate import strip_boilerplate
from workbench.corpus.load import (
    DOCUMENT_COLUMNS,
    SEGMENT_COLUMNS,
    _article_columns,
    _column_frame,
    _frame,
    _placed,
    _segment_columns,
    _segments_of,
    _sentences,
    _transposed,
    display_path_in,
    gather_sources,
    load_corpus,
    unreadable_result,
)
from workbench.corpus.readers import FileRef, ReadError, discover, extract_text
from workbench.corpus.script import detect_script, to_simplified
from workbench.corpus.structure import parse_structure

F000 = "000_688e36ac7d55ccc2.txt"
F002 = "002_d96b58a24a94b0c4.txt"
F003 = "003_8128e1cef60075aa.txt"
F004 = "004_09331bca989b350a.txt"


def test_public_columns(seeds):
    assert list(seeds.documents.columns[: len(DOCUMENT_COLUMNS)]) == DOCUMENT_COLUMNS
    assert list(seeds.segments.columns) == SEGMENT_COLUMNS
    assert set(seeds.segments["role"]) == {"problem", "cause", "countermeasure", "other"}


@pytest.mark.parametrize(("file", "n"), [(F000, 1), (F002, 5), (F003, 1)])
def test_article_counts(seeds, file, n):
    assert (seeds.documents["file"] == file).sum() == n


def test_004_has_at_least_five_articles(seeds):
    assert (seeds.documents["file"] == F004).sum() >= 5


def test_ids_are_unique_and_traceable(seeds):
    segs = seeds.segments
    assert segs["segment_id"].is_unique
    assert seeds.documents["doc_id"].is_unique
    row = segs.iloc[0]
    assert row["segment_id"] == f"{row['paragraph_id']}/s{row['sentence']:02d}"
    assert row["paragraph_id"].startswith(row["doc_id"] + "/p")
    assert set(segs["doc_id"]) == set(seeds.documents["doc_id"])


def test_text_is_simplified_and_original_kept(seeds):
    segs = seeds.segments[seeds.segments["file"] == F000]
    orig = "".join(segs["text_orig"])
    assert detect_script(orig) == "traditional"
    assert detect_script("".join(segs["text"])) == "simplified"
    first = segs.iloc[0]
    assert first["text_orig"].startswith("密切聯繫群眾是我們黨")
    assert first["text"].startswith("密切联系群众是我们党")


def test_paths_are_relative_to_the_project(seeds):
    assert seeds.files["path"].tolist()[0] == f"data/raw/seeds/{F000}"


def test_roles_follow_section_headings(seeds):
    segs = seeds.segments
    heading = segs[segs["text"].str.startswith("一、当前密切联系群众工作存在的主要问题")]
    assert heading["role"].iloc[0] == "problem"
    assert heading["is_heading"].iloc[0]
    counts = segs[segs["file"] == F000].groupby("role").size()
    assert counts["problem"] > 0 and counts["cause"] > 0 and counts["countermeasure"] > 0


def test_boilerplate_is_removed_and_listed(seeds):
    removed = seeds.removed
    read_as = removed["rule"].isin(["file_title", "article_marker", "byline"])
    assert removed[~read_as].groupby("file").size().to_dict() == {F002: 7, F003: 10, F004: 1}
    # Lines read as title, marker or byline are listed too, not dropped (003's byline).
    assert removed[read_as].groupby("rule").size().to_dict() == {
        "article_marker": 11, "byline": 2, "file_title": 1}
    assert (removed.groupby("file")["line_no"].is_monotonic_increasing).all()
    body = "".join(seeds.segments["text"])
    for chrome in ("扫一扫", "责编", "热点关键词", "阿拉题库"):
        assert chrome not in body
        assert removed["text"].str.contains(chrome).any()


def test_internal_duplicate_in_000_is_marked_not_deleted(seeds):
    segs = seeds.segments[seeds.segments["file"] == F000]
    dups = segs[segs["dup_of"].notna()]
    assert len(dups) > 0.4 * len(segs)
    # every duplicate points at an earlier sentence of the same file
    assert dups["dup_of"].str.startswith("000_688e36ac7d55ccc2/a1/p0").all()
    first = dups.iloc[0]
    target = seeds.segments.set_index("segment_id").loc[first["dup_of"]]
    assert target["text"] == first["text"]


def test_cross_script_duplicate_article(seeds):
    docs = seeds.documents.set_index("doc_id")
    dup = docs[docs["dup_of"] == "000_688e36ac7d55ccc2/a1"]
    assert len(dup) == 1
    assert dup.index[0].startswith("004_09331bca989b350a/")
    assert dup["dup_similarity"].iloc[0] >= 0.9
    assert dup["script"].iloc[0] == "simplified"


def test_duplicate_mask_counts_per_file(seeds):
    dups = seeds.segments.assign(dup=seeds.duplicate_mask()).groupby("file")["dup"].sum()
    assert dups[F002] == dups[F003] == dups["001_74e1782f8eca611a.txt"] == 0
    assert dups[F000] > 60  # the repeated second half of 000
    repost = seeds.documents.loc[seeds.documents["dup_of"].notna(), "doc_id"].item()
    # 004 holds the repost of 000 in full plus repeated paragraphs of its own
    assert dups[F004] > (seeds.segments["doc_id"] == repost).sum()


def test_analysis_segments_drop_duplicates_by_default(seeds):
    dedup = seeds.analysis_segments()
    assert len(dedup) < len(seeds.segments)
    assert dedup["dup_of"].isna().all()
    assert (
        not dedup["doc_id"]
        .isin(seeds.documents.loc[seeds.documents["dup_of"].notna(), "doc_id"])
        .any()
    )
    assert len(seeds.analysis_segments(dedup=False)) == len(seeds.segments)


def test_loading_is_deterministic(seeds):
    again = load_corpus()
    pd.testing.assert_frame_equal(again.segments, seeds.segments)
    pd.testing.assert_frame_equal(again.documents, seeds.documents)
    pd.testing.assert_frame_equal(again.duplicates, seeds.duplicates)


SIMPLE = (
    "关于改进干部作风的思考\n一、存在的问题\n有的干部走马观花，脱离群众。\n"
    "二、原因分析\n宗旨意识淡化。\n三、对策建议\n要坚持村务公开。\n"
)


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("gb18030", SIMPLE, "gb18030"),
        ("gbk", SIMPLE, "gb18030"),
        ("utf-8-sig", SIMPLE, "utf-8-sig"),
        ("utf-16", SIMPLE, "utf-16"),
        ("big5", "關於改進幹部作風的思考\n一、存在的問題\n有的幹部走馬觀花，脫離群眾。\n", "big5"),
    ],
)
def test_legacy_encodings_are_decoded_and_recorded(tmp_path, encoding, text, expected):
    (tmp_path / "a.txt").write_bytes(text.encode(encoding))
    c = load_corpus([tmp_path])
    assert c.documents["encoding"].tolist() == [expected]
    assert "走马观花" in "".join(c.segments["text"])


def test_roles_on_a_small_file(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLE, encoding="utf-8")
    c = load_corpus([tmp_path / "a.txt"])
    by_text = dict(zip(c.segments["text"], c.segments["role"], strict=True))
    assert by_text["有的干部走马观花，脱离群众。"] == "problem"
    assert by_text["宗旨意识淡化。"] == "cause"
    assert by_text["要坚持村务公开。"] == "countermeasure"
    assert c.documents["title"].tolist() == ["关于改进干部作风的思考"]


def test_bad_file_raises_naming_it_unless_skipped(tmp_path):
    (tmp_path / "good.txt").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ReadError, match=r"bad\.txt"):
        load_corpus([tmp_path])
    c = load_corpus([tmp_path], skip_bad=True)
    files = c.files.set_index("file")
    assert files.loc["bad.txt", "status"] == "skipped"
    assert "bad.txt" in files.loc["bad.txt", "error"]
    assert files.loc["good.txt", "status"] == "ok"
    assert set(c.documents["file"]) == {"good.txt"}


def test_corrupt_zip_is_skipped_with_the_rest_loaded(tmp_path):
    (tmp_path / "good.txt").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(ReadError, match=r"broken\.zip"):
        load_corpus([tmp_path / "broken.zip", tmp_path / "good.txt"])
    c = load_corpus([tmp_path / "broken.zip", tmp_path / "good.txt"], skip_bad=True)
    assert c.files["file"].tolist() == ["broken.zip", "good.txt"]
    assert c.files["status"].tolist() == ["skipped", "ok"]
    assert "cannot read zip archive" in c.files["error"].iloc[0]
    assert list(c.checksums()) == [config.display_path(tmp_path / "good.txt")]


def test_gather_sources_is_the_one_front_end(tmp_path):
    # What load_corpus, run_pipeline and build_corpus all start from: the same files, in
    # the same order, as references (bytes read when loaded); the unreadable ones
    # recorded, names checked.
    (tmp_path / "b.txt").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    inputs = [tmp_path, tmp_path / "broken.zip"]
    with pytest.raises(ReadError, match=r"broken\.zip"):
        gather_sources(inputs)
    quiet = gather_sources(inputs, skip_bad=True, progress=False)
    shown = gather_sources(inputs, skip_bad=True, progress=True)
    assert [s.path for s in quiet.files] == [s.path for s in shown.files]
    assert [s.name for s in quiet.files] == ["b.txt", "a.md"]  # by display path
    assert all(isinstance(s, FileRef) for s in quiet.files)
    assert (quiet.progress, shown.progress) == (False, True)
    (skipped,) = quiet.skipped()
    assert skipped.info["status"] == "skipped" and skipped.info["file"] == "broken.zip"
    assert skipped.info == unreadable_result(quiet.unreadable[0]).info
    # A name two files share is made unique by their folders; the others keep theirs.
    (tmp_path / "a.txt").write_text(SIMPLE, encoding="utf-8")
    names = [s.name for s in gather_sources([tmp_path], skip_bad=True, progress=False).files]
    assert names == ["a.txt", "b.txt", "sub/a.md"]
    (tmp_path / "a.md").write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(ValueError, match="two input files are both named 'a'"):
        gather_sources([tmp_path])


def test_zip_html_and_docx_inputs(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for line in SIMPLE.splitlines():
        d.add_paragraph(line)
    d.save(tmp_path / "c.docx")
    html = "<html><head><title>x</title></head><body>" + "".join(
        f"<p>{line}</p>" for line in SIMPLE.splitlines()
    )
    (tmp_path / "b.html").write_bytes((html + "</body></html>").encode("gbk"))
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr("inner/a.txt", SIMPLE.encode("utf-8"))
    c = load_corpus([tmp_path / "a.zip", tmp_path / "b.html", tmp_path / "c.docx"])
    assert c.documents["file"].tolist() == ["a.txt", "b.html", "c.docx"]
    assert c.documents["encoding"].tolist()[2] == "docx"
    # the same text in three containers: the later two are exact duplicates of the first
    assert c.documents["dup_of"].tolist()[1:] == ["a/a1", "a/a1"]


def test_one_file_name_in_two_folders_is_told_apart_by_the_folders(tmp_path):
    """Archives sorted by year reuse names (2015/1.txt, 2016/1.txt): each file is named by
    its path below the folders' common parent, in ids and in ``documents.file``."""
    for sub in ("2015", "2016"):
        (tmp_path / "archive" / sub).mkdir(parents=True)
        (tmp_path / "archive" / sub / "1.txt").write_text(f"{sub}年\n{SIMPLE}", encoding="utf-8")
    (tmp_path / "archive" / "2016" / "2.txt").write_text("另一篇。\n", encoding="utf-8")
    c = load_corpus([tmp_path / "archive"])
    assert c.documents["file"].tolist() == ["2015/1.txt", "2016/1.txt", "2.txt"]
    assert c.documents["doc_id"].tolist() == ["2015_1/a1", "2016_1/a1", "2/a1"]
    assert c.segments["segment_id"].str.startswith(("2015_1/", "2016_1/", "2/")).all()
    # The same folders in a zip archive give the same names.
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        for path in sorted((tmp_path / "archive").rglob("*.txt")):
            zf.write(path, path.relative_to(tmp_path / "archive").as_posix())
    zipped = load_corpus([tmp_path / "archive.zip"])
    assert zipped.documents["file"].tolist() == c.documents["file"].tolist()


def test_one_name_twice_in_one_folder_is_refused(tmp_path):
    # 报告.txt and 报告.docx side by side: no folder tells them apart, so the user renames.
    for suffix in (".txt", ".md"):
        (tmp_path / f"a{suffix}").write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(ValueError, match=r"both named 'a'"):
        load_corpus([tmp_path])


def test_ids_of_a_file_name_with_spaces_hold_none(tmp_path):
    """Lists of ids are written joined by spaces: "网页 评论.txt" must not give ids that
    split in two (``workbench suggest`` failed on them, and coded sheets mapped back to
    no segment). The file keeps its real name."""
    (tmp_path / "网页 评论.txt").write_text(SIMPLE, encoding="utf-8")
    c = load_corpus([tmp_path])
    assert c.documents["file"].tolist() == ["网页 评论.txt"]
    assert c.documents["doc_id"].tolist() == ["网页_评论/a1"]
    assert not c.segments["segment_id"].str.contains(r"\s").any()
    (tmp_path / "网页_评论.md").write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(ValueError, match=r"both give the id '网页_评论'.*rename one"):
        load_corpus([tmp_path])


def test_same_stem_twice_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "a.md").write_text(SIMPLE, encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.md"):
        load_corpus([tmp_path])


def test_metadata_is_joined(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text(f"file,genre,year\n{F002},compilation,2005\n", encoding="utf-8")
    c = load_corpus([config.SEEDS_DIR / F002, config.SEEDS_DIR / F003], metadata=meta)
    assert c.documents.groupby("file")["genre"].first().dropna().to_dict() == {F002: "compilation"}
    assert c.documents["genre"].isna().sum() == 1


def test_no_progress_bar_when_not_interactive(tmp_path, capsys):
    for i in range(25):
        (tmp_path / f"f{i:02d}.txt").write_text(
            SIMPLE.replace("思考", f"思考{i}"), encoding="utf-8"
        )
    load_corpus([tmp_path])
    assert "loading corpus" not in capsys.readouterr().err
    load_corpus([tmp_path], progress=True)
    assert "loading corpus" in capsys.readouterr().err


def test_checksums_match_the_manifest(seeds):
    manifest = dict(
        reversed(line.split()) for line in config.SEEDS_CHECKSUMS.read_text().splitlines()
    )
    got = {p.split("/")[-1]: h for p, h in seeds.checksums().items()}
    assert got == manifest


def test_body_text_run_into_a_heading_is_its_own_sentence(seeds):
    segs = seeds.segments
    heading = "(一)县直机关党组织深入农村、服务农民群众的内容和方式需进一步深化创新。"
    head = segs[segs["text"] == heading]
    assert len(head) == 1 and head["is_heading"].iloc[0] and head["heading_level"].iloc[0] == 2
    rest = segs[segs["paragraph_id"] == head["paragraph_id"].iloc[0]].iloc[1:]
    assert len(rest) > 0
    assert not rest["is_heading"].any() and (rest["heading_level"] == 0).all()
    assert rest["text"].iloc[0].startswith("从机关服务的内容上看")
    assert (rest["role"] == head["role"].iloc[0]).all()


def _article_rows(src, art, encoding, path=None, dated=None):
    """One article's document row and its segments as one dict per segment (the view
    the tests compare with; production builds columns, _article_columns)."""
    doc, columns = _article_columns(src, art, encoding, path, dated)
    rows = zip(*columns.values(), strict=True)
    return doc, [dict(zip(columns, values, strict=True)) for values in rows]


@pytest.mark.parametrize("src", discover([config.SEEDS_DIR]), ids=lambda s: s.name[:3])
def test_article_rows_per_sentence_conversion_and_path(src):
    # Rows built with one OpenCC call per article and the file's path computed once
    # equal rows converted sentence by sentence with the path computed per article.
    text, encoding = extract_text(src)
    path = config.display_path(src.path)
    for art in split_articles(strip_boilerplate(text)):
        doc, segs = _article_rows(src, art, encoding, path)
        assert (doc, segs) == _article_rows(src, art, encoding)
        assert doc["path"] == path and doc["n_segments"] == len(segs)
        assert [s["text"] for s in segs] == [to_simplified(s["text_orig"]) for s in segs]
        assert list(segs[0]) == SEGMENT_COLUMNS[:-2]


@pytest.mark.parametrize("src", discover([config.SEEDS_DIR]), ids=lambda s: s.name[:3])
def test_segment_columns_give_the_frame_of_rows(src):
    # Segments are built column by column per article; the table equals the one built
    # from one dict per segment, values and dtypes, empty articles included.
    text, encoding = extract_text(src)
    articles = split_articles(strip_boilerplate(text))
    blocks = [_article_columns(src, art, encoding)[1] for art in articles]
    blocks.insert(0, {c: [] for c in SEGMENT_COLUMNS[:-2]})
    rows = [row for art in articles for row in _article_rows(src, art, encoding)[1]]
    columns = SEGMENT_COLUMNS[:-2]
    pd.testing.assert_frame_equal(_column_frame(blocks, columns), _frame(rows, columns))
    empty = _column_frame(blocks[:1], columns)
    pd.testing.assert_frame_equal(empty, _frame([], columns))
    assert list(empty.dtypes) == list(pd.DataFrame([], columns=columns).dtypes)


WRAPPED = (
    "关于密切联系群众的几点思考\n"
    "一些干部工作作风漂浮，很少深入基层，同群众的距离越来越远。各级领导干部都要\n"
    "把群众的冷暖放在心上，定期走访困难家庭，及时回应群众的诉求。\n"
)


def test_segments_never_cross_a_source_line(tmp_path):
    # A hard-wrapped text: the second sentence starts on line 2 and ends on line 3.
    (tmp_path / "wrapped.txt").write_text(WRAPPED, encoding="utf-8")
    seg = load_corpus([tmp_path / "wrapped.txt"]).segments
    lines = WRAPPED.splitlines()
    for line_no, text in zip(seg["line_no"], seg["text_orig"], strict=True):
        assert text in lines[line_no - 1]
    body = seg[~seg["is_heading"]]
    assert body["text_orig"].tolist() == [
        "一些干部工作作风漂浮，很少深入基层，同群众的距离越来越远。",
        "各级领导干部都要",
        "把群众的冷暖放在心上，定期走访困难家庭，及时回应群众的诉求。",
    ]
    # Every character of the body is still in some segment: nothing lost by cutting.
    assert "".join(body["text_orig"]) == "".join(lines[1:])


@pytest.mark.parametrize(
    "text", [WRAPPED, *(extract_text(s)[0] for s in discover([config.SEEDS_DIR]))]
)
def test_segments_of_equal_placing_every_sentence_by_search(text):
    # _segments_of places only the sentences of joined lines by search; the segments are
    # those of placing every sentence of the article by search, as before.
    for art in split_articles(strip_boilerplate(text)):
        paragraphs = parse_structure(art.lines)
        everything = _placed(paragraphs, [_sentences(p) for p in paragraphs], art.lines)
        assert _segments_of(paragraphs, art.lines) == everything
        # The columns, built straight for articles without a joined line, are the same.
        columns = (*_transposed(chain.from_iterable(everything)), list(map(len, everything)))
        assert _segment_columns(paragraphs, art.lines) == columns


def test_a_title_read_from_a_line_is_a_heading_segment(tmp_path):
    (tmp_path / "wrapped.txt").write_text(WRAPPED, encoding="utf-8")
    c = load_corpus([tmp_path / "wrapped.txt"])
    first = c.segments.iloc[0]
    assert first["segment_id"] == "wrapped/a1/p000/s01"
    assert first["text_orig"] == c.documents.loc[0, "title"] == "关于密切联系群众的几点思考"
    assert bool(first["is_heading"]) and first["line_no"] == 1 and first["role"] == "other"
    # Body ids do not depend on the title segment.
    assert c.segments.iloc[1]["segment_id"] == "wrapped/a1/p001/s01"


MARKDOWN = """---
title: 关于密切干群关系的调查
---

> 本文是调查报告的摘要。

## 一、存在的问题

一些干部作风漂浮，很少深入基层。

---

## 二、对策建议

要坚持走群众路线，经常深入基层。
"""


def test_markdown_markup_is_structure_not_text(tmp_path):
    (tmp_path / "report.md").write_text(MARKDOWN, encoding="utf-8")
    c = load_corpus([tmp_path / "report.md"])
    assert c.documents.loc[0, "title"] == "关于密切干群关系的调查"  # from the front matter
    seg = c.segments
    assert not seg["text_orig"].str.contains(r"^[#>]|^-{3}|title:").any()
    heads = seg[seg["is_heading"]]
    assert heads["text_orig"].tolist() == ["一、存在的问题", "二、对策建议"]
    assert heads["role"].tolist() == ["problem", "countermeasure"]
    assert seg.loc[~seg["is_heading"], "role"].tolist() == ["other", "problem", "countermeasure"]
    # Every piece of markup removed is listed with its rule and line: nothing lost silently.
    removed = c.removed[c.removed["file"] == "report.md"]
    assert removed[["line_no", "rule"]].values.tolist() == [
        [1, "markdown_rule"], [2, "front_matter_title"], [3, "markdown_rule"],
        [5, "markdown_quote_marker"], [7, "markdown_heading_marker"], [11, "markdown_rule"],
        [13, "markdown_heading_marker"],
    ]


def test_section_titles_are_simplified_like_the_text(tmp_path):
    """A Traditional heading gives a Simplified section_title; the original is kept."""
    text = "一、存在的問題\n幹部作風漂浮，脫離群眾。\n"
    (tmp_path / "trad.txt").write_text(text, encoding="utf-8")
    seg = load_corpus([tmp_path]).segments
    body = seg[~seg["is_heading"]].iloc[0]
    assert body["section_title"] == "存在的问题" and body["section_title_orig"] == "存在的問題"
    assert body["role"] == "problem" and body["text"] == "干部作风漂浮，脱离群众。"


def test_display_path_in_equals_display_path(tmp_path):
    # Resolving each folder once gives every path display_path gives: inside and outside
    # the project, through a linked folder, a linked file (resolved on its own), a
    # missing file, "..", a relative path and a zip member.
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "linked").symlink_to(real)
    (real / "b.txt").symlink_to(config.SEEDS_DIR / F000)
    paths = [
        str(config.SEEDS_DIR / F000), str(config.SEEDS_DIR / "missing.txt"),
        str(real / "a.txt"), str(tmp_path / "linked" / "a.txt"), str(real / "b.txt"),
        str(tmp_path / "linked" / "b.txt"), str(real / ".."), "data/raw/seeds/x.txt",
        str(tmp_path / "c.zip") + "!x/a.txt", str(config.SEEDS_DIR / F000),
        str(config.ROOT / "README.md"), str(config.ROOT), str(config.ROOT / "data" / ".." / "x"),
        str(config.SEEDS_DIR) + "//" + F000, str(config.SEEDS_DIR) + "/./" + F000,
        str(config.SEEDS_DIR) + "/", str(tmp_path / "linked" / "c.txt"),
    ]  # fmt: skip
    folders: dict[str, str | None] = {}
    assert [display_path_in(p, folders) for p in paths] == [config.display_path(p) for p in paths]
    assert display_path_in(str(real / "b.txt"), folders) == f"data/raw/seeds/{F000}"


def test_region_lines_equal_the_head_and_tail_of_all_filled_lines():
    # region_lines scans from either end; the lines are those of listing every
    # non-blank line of the region and slicing its head and tail, as before.
    import random

    from workbench.corpus.dates import load_rules as date_rules
    from workbench.corpus.dates import region_lines

    rules = date_rules()
    rng = random.Random(3)
    for _ in range(300):
        raw = [rng.choice(["", " ", "甲", "乙。", "\u3000"]) for _ in range(rng.randint(0, 30))]
        start, end = rng.randint(-2, 32), rng.randint(-2, 34)
        filled = [(n, raw[n - 1]) for n in range(max(start, 1), min(end, len(raw)) + 1)
                  if raw[n - 1].strip()]  # fmt: skip
        head = filled[: rules.head_lines]
        tail = [x for x in filled[-rules.tail_lines :] if x not in head]
        assert region_lines(raw, start, end, rules) == head + tail


def test_front_matter_gives_title_date_and_author_and_every_line_is_listed(tmp_path):
    # Tester 18: the title was the line after title: ("date: …", or the heading "同志们："),
    # the date was not read and the date: line stayed as a heading.
    text = (
        "---\ntitle: 在全镇群众工作会议上的讲话\ndate: 2021-03-02\nauthor: 王某\n"
        "tags: [讲话, 群众工作]\n---\n## 同志们：\n\n今天我们召开全镇群众工作会议。\n"
    )
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    c = load_corpus([tmp_path / "a.md"], progress=False)
    doc = c.documents.iloc[0]
    assert (doc["title"], doc["author"], doc["date"], doc["date_source"]) == (
        "在全镇群众工作会议上的讲话", "王某", "2021-03-02", "date: 2021-03-02",
    )  # fmt: skip
    assert c.removed[["line_no", "rule"]].values.tolist()[:6] == [
        [1, "markdown_rule"], [2, "front_matter_title"], [3, "front_matter_date"],
        [4, "front_matter_author"], [5, "front_matter"], [6, "markdown_rule"],
    ]  # fmt: skip
    assert c.segments["text_orig"].tolist() == ["同志们：", "今天我们召开全镇群众工作会议。"]


def test_corpus_shows_counts_in_a_notebook_not_its_tables(tmp_path):
    # The dataclass's default repr printed all five tables (pages of truncated frames).
    (tmp_path / "报告.txt").write_text(
        "一、存在的问题\n有的干部走马观花，不听群众意见。\n二、整改措施\n坚持每周走访农户。\n",
        encoding="utf-8",
    )
    (tmp_path / "副本.txt").write_bytes((tmp_path / "报告.txt").read_bytes())
    (tmp_path / "坏.txt").write_bytes(b"\x00\xff\x00\xfe" * 64)
    corpus = load_corpus([tmp_path], skip_bad=True)
    dup_segments = int(corpus.duplicate_mask().sum())
    assert dup_segments > 0
    assert repr(corpus) == (
        f"Corpus: 3 files (1 skipped), 2 articles (1 duplicate), {len(corpus.segments)} "
        f"segments ({dup_segments} duplicate), {len(corpus.removed)} lines removed"
    )
    assert repr(load_corpus([tmp_path], skip_bad=True)) == repr(corpus)


@pytest.mark.parametrize(
    ("inputs", "kwargs", "error", "message"),
    [
        (3, {}, TypeError, "inputs must be a path or a list of paths (files, folders, "),
        (["a.txt", None], {}, TypeError, "inputs[1] is None, not a path"),
        (None, {"dup_threshold": 80}, ValueError, "dup_threshold must be a Jaccard similarity"),
        (None, {"dup_threshold": "0.8"}, TypeError, "dup_threshold must be a number in (0, 1]"),
        (None, {"workers": 0}, ValueError, "workers must be 1 or more"),
        (None, {"workers": 2.5}, TypeError, "workers must be a whole number of processes"),
        (None, {"metadata": 3}, TypeError, "metadata must be the path of a CSV or Excel table"),
    ],
)
def test_load_corpus_names_a_wrong_argument_before_any_file_is_read(
    monkeypatch, inputs, kwargs, error, message
):
    # Each failed deep inside (readers, a comparison in the engine or the sketches)
    # with a message naming no argument, some after every file had been read.
    import workbench.corpus.load as load

    read = []
    monkeypatch.setattr(load, "load_file", lambda *a, **k: read.append(a) or 1 / 0)
    with pytest.raises(error) as err:
        load_corpus(inputs, **kwargs)
    assert message in str(err.value) and not read


def test_load_corpus_takes_one_path_as_a_list_of_one(tmp_path):
    (tmp_path / "笔记.txt").write_text("干部走访农户，听取群众意见。\n", encoding="utf-8")
    one, listed = load_corpus(tmp_path), load_corpus([str(tmp_path)])
    pd.testing.assert_frame_equal(one.segments, listed.segments)
