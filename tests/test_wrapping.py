"""Hard-wrapped plain text (workbench.corpus.wrapping): detection, joining, page numbers,
and that files of one paragraph a line (the seeds, the dev corpus's paragraph files) are
left exactly as they are.

The texts are made up here and wrapped by the test at 30 and at 38 ideographs a line, the
way pdftotext or an old archive leaves them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from workbench import config
from workbench.corpus import load_corpus, summary, wrapping
from workbench.corpus.readers import discover, read_text
from workbench.corpus.structure import split_sentences
from workbench.corpus.wrapping import join_pieces, measure, unwrap

BUNDLED = wrapping._settings()


def _switched(monkeypatch, join: bool) -> None:
    """Run with ``join`` set so in ``wrapping.yaml`` (the bundled patterns otherwise)."""
    monkeypatch.setattr(wrapping, "_settings", lambda *_: replace(BUNDLED, join=join))


@pytest.fixture(autouse=True)
def _join(monkeypatch):
    # The tests are of the joining, whatever the shipped default of `join` is.
    _switched(monkeypatch, True)


def test_as_shipped_a_hard_wrapped_file_is_found_and_read_as_it_is():
    # The coder's agreement is measured against human coding of lines (wrapping.yaml).
    assert BUNDLED.join is False


DEV = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev"

INTRO = (
    "近年来，我县围绕密切干群关系这一主题，组织全县干部深入村组农户开展走访活动，"
    "面对面听取群众的意见和建议，帮助群众解决生产生活中的实际困难。通过这项工作，"
    "干部对基层情况的了解更加全面，群众对干部的信任也明显增强，许多多年积累的矛盾得到化解。"
)
HEADING = "一、存在的主要问题"
LEAD = "调研中我们发现，部分干部在联系群众方面还存在一些不容忽视的问题，主要表现在以下两个方面："
ITEMS = [
    "1.有的干部下乡走访流于形式，只在村委会听汇报，很少到农户家中了解真实情况，群众对此意见较大。",
    "2.有的干部对群众反映的问题推诿扯皮，答复不及时，办理不到位，影响了政府在群众心目中的形象。",
]
AFTER = (
    "针对上述问题，县委专门召开常委会进行研究，要求各级干部把群众满意作为检验工作的根本标准。"
    "会议要求各级干部切实转变工作作风，把功夫下在平时，把工作做在前头，做到小事不出村、大事不出乡、矛盾不上交。"
)
LATIN_HEAD = "会议认为，密切联系群众是我们党的优良传统，各级干部都应当牢记并践行"
LATIN_TAIL = "line，一切为了群众，一切依靠群众，从群众中来，到群众中去。"


INDENT = "\u3000\u3000"


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut every ``width`` characters, as a fixed-width tool cuts it (an indent
    is part of the first line); no line but the last may end a sentence (the test's texts
    are chosen so), or the expected joins would be different."""
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    assert not any(line[-1] in "。；！？" for line in lines[:-1]), lines
    return lines


def wrapped_file(width: int) -> tuple[str, dict[str, int]]:
    """A made-up report hard-wrapped at ``width`` ideographs, and facts about its lines."""
    intro = wrap(INDENT + INTRO, width)
    lead = wrap(INDENT + LEAD, width)
    items = [wrap(item, width) for item in ITEMS]
    after = wrap(INDENT + AFTER, width)
    # A Latin phrase broken between two words: the line is as wide as the others in
    # columns (an ideograph 2, a letter 1).
    head = INDENT + LATIN_HEAD[: (2 * width - 4 - len(" the mass")) // 2] + " the mass"
    lines = ["关于密切干群关系的调研报告", "", *intro]
    # A page break inside the paragraph: its page number between two wrapped lines.
    lines[4:4] = ["", "- 2 -", ""]
    lines += [HEADING, *lead]
    for item in items:
        lines += item
    lines += ["第 3 页", *after, head, LATIN_TAIL]
    facts = {
        "page_2": lines.index("- 2 -") + 1,
        "page_3": lines.index("第 3 页") + 1,
        "joined": sum(len(p) - 1 for p in (intro, lead, *items, after)) + 1,
        "after_line": lines.index(after[0]) + 1,
    }
    return "\n".join(lines) + "\n", facts


@pytest.mark.parametrize("width", [30, 38])
def test_a_hard_wrapped_report_reads_as_whole_sentences(tmp_path, width):
    text, facts = wrapped_file(width)
    path = tmp_path / f"report{width}.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([str(path)])
    files = corpus.files
    assert files["wrap_width"].tolist() == [f"{2 * width} columns"]
    assert files["lines_joined"].tolist() == [facts["joined"]]
    assert corpus.summary()[0]["hard_wrapped"] == {
        "width": f"{2 * width} columns", "lines_joined": facts["joined"],
    }  # fmt: skip
    segs = corpus.segments
    texts = segs["text_orig"].tolist()
    # Every sentence of the body is one segment, whole, as written.
    for paragraph in (INTRO, LEAD, AFTER):
        for sentence in split_sentences(paragraph):
            assert sentence in texts, sentence
    # The list items stay items: one does not run into the next, nor the lead into item 1.
    starts = [t for t in texts if t.startswith(("1.", "2."))]
    assert [t[:2] for t in starts] == ["1.", "2."]
    assert not any(t.startswith(LEAD[:10]) and "1." in t for t in texts)
    # The heading is a heading segment of its own line.
    heading = segs[segs["text_orig"] == HEADING]
    assert heading["is_heading"].tolist() == [True]
    # The indented paragraph after the page number opens a new paragraph on its line; its
    # second sentence starts on the physical line it starts on.
    first, second = split_sentences(AFTER)[:2]
    row = segs[segs["text_orig"] == first].iloc[0]
    assert row["line_no"] == facts["after_line"]
    before = segs.index[segs["text_orig"] == first][0] - 1
    assert segs.loc[before, "paragraph_id"] != row["paragraph_id"]
    where = (INDENT + AFTER).index(second)
    expected_line = facts["after_line"] + where // width
    assert segs.loc[segs["text_orig"] == second, "line_no"].tolist() == [expected_line]
    # The Latin words across the break are joined with a space.
    assert any("the mass line，一切为了群众" in t for t in texts)
    # The page numbers are removed and listed; nothing else is.
    pages = corpus.removed[corpus.removed["rule"] == "page_number"]
    assert pages["line_no"].tolist() == [facts["page_2"], facts["page_3"]]
    assert pages["text"].tolist() == ["- 2 -", "第 3 页"]
    assert files["boilerplate_removed"].iloc[0] == len(corpus.removed)


def test_the_same_report_one_paragraph_a_line_is_not_touched(tmp_path):
    text = "\n".join(["关于密切干群关系的调研报告", INTRO, HEADING, LEAD, *ITEMS, AFTER] * 3)
    assert unwrap(text).width == 0 and unwrap(text).text == text
    path = tmp_path / "plain.txt"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([str(path)])
    assert corpus.files["wrap_width"].tolist() == [""]
    assert corpus.files["lines_joined"].tolist() == [0]


def test_lines_of_one_width_that_end_sentences_are_not_joined():
    # A list of sentences that happen to be equally long: nothing is cut, nothing joined.
    line = "各级干部要经常深入基层，倾听群众呼声，解决实际问题。"
    assert measure([line] * 12) is None
    assert unwrap("\n".join([line] * 12)).joined == 0


def test_a_table_and_a_code_block_in_a_wrapped_file_stay_as_they_are():
    body = wrap(INTRO * 2, 30)
    # A table's rows as wide as the text (58 columns), cells apart by runs of spaces.
    table = ["     ".join(["乡镇名称", "走访户数", "反映问题", "已经解决", "满意率"])] * 2
    fence = ["```", body[0], body[1], "```"]
    lines = [*body, "", *table, "", *fence, "", *body]
    out = unwrap("\n".join(lines)).text.split("\n")
    start = len(body) + 1
    assert out[start : start + 2] == table
    assert out[start + 3 : start + 7] == fence
    assert out[0] == INTRO * 2


def test_markdown_lists_and_headings_are_breaks(tmp_path):
    body = wrap(INTRO, 30)
    items = [f"- {line[:29]}" for line in wrap(AFTER, 30)[:2]]  # as wide as the text
    text = "\n".join(["# 调研报告", "", *body, "", *body, "", *items, "", "## 二、对策", "", *body])
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    corpus = load_corpus([str(path)])
    texts = corpus.segments["text_orig"].tolist()
    assert corpus.files["wrap_width"].tolist() == ["60 columns"]
    assert split_sentences(INTRO)[0] in texts
    # Two bullets, two items: the second is not joined to the first (it starts a segment).
    for line in wrap(AFTER, 30)[:2]:
        assert sum(t.startswith(line[:8]) for t in texts) == 1, line


def test_joining_pieces():
    assert join_pieces("密切联系", "群众") == "密切联系群众"
    assert join_pieces("the mass", "line") == "the mass line"
    assert join_pieces("bureau-", "cratism") == "bureaucratism"
    assert join_pieces("1996", "年") == "1996年"
    assert join_pieces("共19", "96户") == "共1996户"


def test_the_seeds_are_not_hard_wrapped():
    corpus = load_corpus()
    assert corpus.files["wrap_width"].tolist() == [""] * len(corpus.files)
    assert corpus.files["lines_joined"].tolist() == [0] * len(corpus.files)
    assert "page_number" not in set(corpus.removed["rule"])
    for src in discover([str(config.SEEDS_DIR)]):
        text = read_text(src).text
        assert unwrap(text).text == text, src.name


def test_the_dev_corpus_hard_wrapped_files_are_the_journal_records():
    if not DEV.is_dir():
        pytest.skip("../shared/corpus/dev is absent")
    found = {}
    for src in discover([str(DEV)]):
        if src.suffix in (".txt", ".md"):
            found[src.name] = unwrap(read_text(src).text)
    wrapped = sorted(name for name, u in found.items() if u.width)
    # d37-d54 are reprints from a journal database, cut at 63 ideographs (126 columns);
    # every other text file is one paragraph a line.
    assert wrapped == sorted(n for n in found if "d37" <= n[:3] <= "d54")
    assert {found[name].describe() for name in wrapped} == {"126 columns"}


def test_join_false_reports_the_file_and_reads_every_line_as_it_is(tmp_path, monkeypatch):
    text, _ = wrapped_file(30)
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    joined = load_corpus([str(path)]).segments
    _switched(monkeypatch, False)
    found = unwrap(text)
    assert (found.width, found.joined, found.text) == (60, 0, text)
    assert unwrap(text, join=True).joined > 0  # the argument wins over the setting
    corpus = load_corpus([str(path)])
    # Found and reported, nothing joined and no page number taken out.
    assert corpus.files[["wrap_width", "lines_joined"]].values.tolist() == [["60 columns", 0]]
    assert corpus.summary()[0]["hard_wrapped"] == {
        "width": "60 columns",
        "lines_joined": 0,
        "note": summary.WRAPPED_NOT_JOINED,
    }
    assert "page_number" not in set(corpus.removed["rule"])
    # Each segment on one line again: sentences over a line break are cut there.
    source = text.split("\n")
    assert all(seg in source[n - 1] for n, seg in corpus.segments[["line_no", "text_orig"]].values)
    assert len(corpus.segments) > len(joined)
