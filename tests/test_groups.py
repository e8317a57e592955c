"""Groups and inputs of the text analyses: columns, codes, tables read with clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.cli import main
from workbench.groups import (
    ABSENT,
    PRESENT,
    InputError,
    code_groups,
    group_values,
    read_codes,
    read_segments,
)
from workbench.provenance import make_record, read_record, sha256_file, write_parquet


def test_group_values_from_segments_or_documents(seeds):
    seg = seeds.analysis_segments()
    assert group_values(seg, "role").equals(seg["role"])
    titles = group_values(seg, "title", seeds.documents)
    by_doc = seeds.documents.set_index("doc_id")["title"]
    blank = seg["doc_id"].map(by_doc).str.strip() == ""  # a blank title is no value
    assert blank.any() and titles[blank].isna().all()
    assert (titles[~blank] == seg["doc_id"].map(by_doc)[~blank]).all()
    with pytest.raises(InputError, match="no column 'genre' in the segments table"):
        group_values(seg, "genre")


def test_code_groups_mark_whole_articles():
    seg = pd.DataFrame({"doc_id": ["a", "a", "b", "c"]})
    codes = pd.DataFrame({"doc_id": ["a", "c"], "code": ["P_x", "P_y"]})
    assert code_groups(seg, codes, "P_x").tolist() == [PRESENT, PRESENT, ABSENT, ABSENT]
    with pytest.raises(InputError, match="code 'P_z' is not in the codes table"):
        code_groups(seg, codes, "P_z")


def test_an_unknown_code_is_matched_and_every_code_listed():
    # The tester's case: 25 codes, the one misspelt (P_formalism) sorted after the first 20.
    ids = [f"C_{i:02d}" for i in range(12)] + [f"L_{i}" for i in range(8)]
    ids += ["M_other", "P_formalism", "P_slack", "P_trust", "P_other"]
    codes = pd.DataFrame({"doc_id": "a", "code": ids})
    seg = pd.DataFrame({"doc_id": ["a", "b"]})
    with pytest.raises(InputError) as err:
        code_groups(seg, codes, "P_formalsm")
    msg = str(err.value)
    assert "(did you mean 'P_formalism'?)" in msg and "its 25 code(s): C_00" in msg
    assert all(c in msg for c in ids)
    with pytest.raises(InputError) as err:  # nothing close: no suggestion, still every code
        code_groups(seg, codes, "问题")
    assert "did you mean" not in str(err.value) and "P_trust" in str(err.value)


@pytest.fixture(scope="module")
def built(seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("groups") / "seg.parquet"
    record = make_record(seeds.checksums(), {"test": True})
    write_parquet(seeds.segments, out, record)
    write_parquet(seeds.documents, out.with_name("seg.documents.parquet"), record)
    return out


def test_read_segments_drops_duplicates_as_the_corpus_does(built, seeds):
    data = read_segments(built)
    pd.testing.assert_frame_equal(data.segments, seeds.analysis_segments(), check_dtype=False)
    assert len(read_segments(built, dedup=False).segments) == len(seeds.segments)
    # Provenance: the table, the documents beside it and the raw files it records.
    assert sha256_file(built) in data.inputs.values()
    assert set(read_record(built)["inputs"]) <= set(data.inputs)
    assert any(k.endswith("seg.documents.parquet") for k in data.inputs)


def test_what_read_segments_leaves_out_as_duplicates_is_counted_and_said(built, seeds, caplog):
    data = read_segments(built)
    left_out = len(seeds.segments) - len(seeds.analysis_segments())
    assert left_out > 0 and data.duplicates_dropped == left_out
    gone = sorted(set(seeds.segments["doc_id"]) - set(data.segments["doc_id"]))
    assert data.articles_dropped == gone
    assert f"seg.parquet: {left_out} duplicate segment(s) left out" in caplog.text
    assert "--keep-duplicates keeps them" in caplog.text
    kept = read_segments(built, dedup=False)
    assert kept.duplicates_dropped == 0 and kept.articles_dropped == []


def test_an_article_that_copies_another_is_named_when_left_out(tmp_path, caplog):
    from workbench.corpus import load_corpus

    body = "一些干部很少深入基层走访群众，群众反映的问题长期得不到解决。" * 4
    for name in ("甲.txt", "乙.txt"):
        (tmp_path / name).write_text(f"一、存在的问题\n{body}\n", encoding="utf-8")
    corpus = load_corpus([tmp_path])
    out = tmp_path / "seg.parquet"
    write_parquet(corpus.segments, out, make_record(corpus.checksums(), {}))
    write_parquet(corpus.documents, out.with_name("seg.documents.parquet"), make_record({}, {}))
    data = read_segments(out)
    assert data.articles_dropped == ["甲/a1"]
    assert set(data.segments["doc_id"]) == {"乙/a1"}
    assert "every segment of 1 article(s) (甲/a1)" in caplog.text


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.parquet: no such file"):
        read_segments(tmp_path / "nope.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.parquet: cannot be read as a segments table"):
        read_segments(bad)
    other = tmp_path / "other.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(other)
    with pytest.raises(InputError, match=r"other\.parquet: not a segments table"):
        read_segments(other)
    with pytest.raises(InputError, match=r"other\.parquet: not a codes table"):
        read_codes(other)


def test_read_codes_takes_articles_from_the_units_file_or_the_ids(tmp_path):
    long = pd.DataFrame({"unit_id": ["f/a1/p001", "g/a12/p003"], "code": ["P_x", "P_y"]})
    long.to_csv(tmp_path / "codes.csv", index=False)
    codes, inputs = read_codes(tmp_path / "codes.csv")
    assert codes["doc_id"].tolist() == ["f/a1", "g/a12"] and len(inputs) == 1
    units = pd.DataFrame({"unit_id": ["f/a1/p001", "g/a12/p003"], "doc_id": ["F", "G"],
                          "segment_ids": ["f/a1/p001/s01 f/a1/p001/s02", "g/a12/p003/s01"]})
    units.to_csv(tmp_path / "codes.units.csv", index=False)
    codes, inputs = read_codes(tmp_path / "codes.csv")
    assert codes["doc_id"].tolist() == ["F", "G"] and "segment_ids" in codes
    assert len(inputs) == 2


def test_a_pipeline_folder_reads_as_the_built_tables(tmp_path):
    """`workbench pipeline --out DIR`, then an analysis on DIR (or DIR/segments, DIR/codes):
    the same segments, documents and codes a `corpus build` + `code` run gives."""
    from user_data import make_corpus

    from workbench.coding.codebook import load_codebook
    from workbench.coding.coder import code_segments
    from workbench.corpus import load_corpus
    from workbench.stream import build_corpus

    make_corpus(tmp_path / "texts")
    out = tmp_path / "pipe"
    build_corpus([tmp_path / "texts"], out, progress=False)
    corpus = load_corpus([tmp_path / "texts"])
    for given in (out, out / "segments"):
        data = read_segments(given)
        expected = corpus.analysis_segments()
        assert data.segments["segment_id"].tolist() == expected["segment_id"].tolist()
        assert data.documents["doc_id"].tolist() == corpus.documents["doc_id"].tolist()
        assert any("segments/part-" in k for k in data.inputs)
        assert any("documents/part-" in k for k in data.inputs)
    for given in (out, out / "codes"):
        codes, inputs = read_codes(given)
        assert {"doc_id", "segment_ids"} <= set(codes.columns)
        assert codes["doc_id"].notna().all()
        assert any("codes/part-" in k for k in inputs) and any("units/part-" in k for k in inputs)
    coded = code_segments(corpus.segments, load_codebook(), unit="sentence").long
    assert set(zip(codes["unit_id"], codes["code"], strict=True)) == set(
        zip(coded["unit_id"], coded["code"], strict=True)
    )


def test_a_corpus_folder_given_as_segments_says_what_to_run(tmp_path, capsys):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("干部要下基层。\n", encoding="utf-8")
    hint = (f"{folder}: a folder, not a segments table file; build it first: workbench corpus "
            f"build {folder} --out SEG.parquet (or give the folder workbench pipeline wrote)")
    with pytest.raises(IsADirectoryError) as err:
        read_segments(folder)
    assert str(err.value) == hint
    # Every command reading segments says it (they share read_segments): exit 2, no traceback.
    for argv in (["code", "--corpus", str(folder), "--out", str(tmp_path / "c.parquet")],
                 ["keyness", "--corpus", str(folder), "--by", "role", "--target", "problem"],
                 ["kwic", "--corpus", str(folder), "--term", "干部"]):  # fmt: skip
        assert main(argv) == 2
        assert hint in capsys.readouterr().err


def test_an_unfinished_pipeline_folder_says_so(tmp_path):
    (tmp_path / "segments").mkdir()
    with pytest.raises(IsADirectoryError, match="a folder, not a segments table"):
        read_segments(tmp_path)  # no manifest: not a build
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"no parts of the segments table.*Run it again"):
        read_segments(tmp_path)


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """A two-article corpus built and coded by the CLI, and the same corpus with a third
    article added after the coding (the tester's codes of an earlier build)."""
    d = tmp_path_factory.mktemp("coded")
    texts = d / "texts"
    texts.mkdir()
    bodies = {
        "a1": "关于干部作风问题的报告\n\n一些干部脱离群众，作风漂浮。原因是思想认识不到位。\n\n"
              "要坚持群众路线，深入基层调查研究。\n",
        "a2": "农村工作的几点体会\n\n有的同志官僚主义严重，不愿下乡。根源在于制度不健全。\n\n"
              "必须健全考核制度，经常谈心谈话。\n",
        "a3": "学习会议精神的心得\n\n会议开得太多，文山会海。原因是形式主义作怪。\n\n"
              "应当精简会议，改进文风。\n",
    }  # fmt: skip
    for name in ("a1", "a2"):
        (texts / f"{name}.txt").write_text(bodies[name], encoding="utf-8")
    assert main(["corpus", "build", str(texts), "--out", str(d / "seg.parquet")]) == 0
    assert main(["code", "--corpus", str(d / "seg.parquet"), "--out",
                 str(d / "codes.parquet")]) == 0  # fmt: skip
    (texts / "a3.txt").write_text(bodies["a3"], encoding="utf-8")
    assert main(["corpus", "build", str(texts), "--out", str(d / "seg3.parquet")]) == 0
    return d


@pytest.mark.parametrize(
    "command",
    [
        ["keyness", "--by", "code:P_detached", "--codes", "{codes}"],
        ["ca", "--by", "role", "--codes", "{codes}", "--out", "{d}/ca.png"],
        ["trends", "--by", "year", "--codes", "{codes}", "--n-boot", "10"],
        ["network", "--codes", "{codes}", "--out", "{d}/net.gexf"],
    ],
)
def test_codes_of_another_corpus_or_build_are_refused_by_every_command(coded, capsys, command):
    def run(corpus: str, codes: str) -> str:
        args = [a.format(codes=coded / codes, d=coded) for a in command]
        assert main([*args, "--corpus", str(coded / corpus)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "bug" not in err
        return err

    # The codes of the seeds (their network was drawn under this corpus's name).
    seeds = coded / "seeds.parquet"
    if not seeds.exists():
        assert main(["code", "--out", str(seeds)]) == 0
        capsys.readouterr()
    err = run("seg.parquet", "seeds.parquet")
    assert "seeds.parquet: codes of another corpus: none of its 13 article(s)" in err
    assert "is in " in err and "seg.parquet (2 article(s): a1/a1, a2/a1)" in err
    # Codes of the build before a3 was added: a3 would count as asserting no code.
    err = run("seg3.parquet", "codes.parquet")
    assert "its codes cover 2 of the 3 article(s)" in err and "(a3/a1)" in err
    assert "workbench code --corpus" in err
    # And the codes of a larger build given a smaller corpus.
    assert main(["code", "--corpus", str(coded / "seg3.parquet"), "--out",
                 str(coded / "codes3.parquet")]) == 0  # fmt: skip
    capsys.readouterr()
    err = run("seg.parquet", "codes3.parquet")
    assert "1 of its 3 coded article(s) are not in" in err and "(a3/a1)" in err
    # The codes of the corpus itself pass the check (two articles are too few for a CA).
    args = [a.format(codes=coded / "codes.parquet", d=coded) for a in command]
    main([*args, "--corpus", str(coded / "seg.parquet")])
    err = capsys.readouterr().err
    assert "another corpus" not in err and "cover" not in err


def test_the_article_id_pattern_has_one_owner():
    """groups.ARTICLE_ID is the one spelling of ``<file>/a<k>``: a unit's article is the same
    for the codes check (unit_articles) and the network's article support (article_ids)."""
    import ast
    from pathlib import Path

    import workbench
    from workbench.groups import unit_articles
    from workbench.network.graph import article_ids

    ids = ["报告/a1/p003/s01", "f/a12", "f/a1/§2", "2015_1/a3/p001"]
    assert unit_articles(pd.DataFrame({"unit_id": ids})).tolist() == article_ids(ids).tolist()
    # an id that only starts like one names no article in either
    assert unit_articles(pd.DataFrame({"unit_id": ["f/a1x/p001"]})).isna().all()
    with pytest.raises(ValueError, match="does not name its article"):
        article_ids(["f/a1x/p001"])
    src = Path(workbench.__file__).parent
    copies = [
        f"{path.relative_to(src)}:{node.lineno}"
        for path in sorted(src.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and "/a\\d+" in node.value
    ]
    assert len(copies) == 1 and copies[0].startswith("groups.py:"), copies


def test_by_year_is_the_year_of_the_date_when_no_column_is_named_year(tmp_path, capsys):
    """A corpus dated by day (datelines, or --metadata's date) has no year column:
    `keyness --by year` and `ca --by year` were refused with 'no column year'."""
    from workbench.groups import group_values

    seg = pd.DataFrame({"doc_id": ["a/a1", "a/a1", "b/a1", "c/a1"]})
    docs = pd.DataFrame({"doc_id": ["a/a1", "b/a1", "c/a1"],
                         "date": ["2019-06-15", "2021", ""]})  # fmt: skip
    assert group_values(seg, "year", docs).tolist()[:3] == ["2019", "2019", "2021"]
    assert pd.isna(group_values(seg, "year", docs).iloc[3])  # undated: no group
    # a year column of the user's wins
    assert group_values(seg, "year", docs.assign(year=["1", "2", "3"])).tolist() == [
        "1", "1", "2", "3"]  # fmt: skip
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, text in (("a", "干部要走访群众，倾听群众呼声。干部要下基层。"),
                       ("b", "一些干部脱离群众，作风漂浮。群众意见很大。"),
                       ("c", "村里召开群众大会，讨论村务公开。")):  # fmt: skip
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("文件名,日期\na.txt,2019年6月15日\nb.txt,2021-03-02\n", encoding="gbk")
    seg_path = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(folder), "--out", str(seg_path)]) == 0
    capsys.readouterr()
    assert main(["keyness", "--corpus", str(seg_path), "--metadata", str(meta), "--by", "year",
                 "--min-count", "1", "--top", "0"]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "== year = 2019" in out.out and "== year = 2021" in out.out
    assert "1 of 3 article(s) have no value of year" in out.err


def test_a_pipeline_builds_metadata_is_among_the_inputs_of_its_analyses(tmp_path):
    # Its columns are in the documents parts: an analysis of the folder names the file and
    # its checksum (from the manifest), as one of a `corpus build` table does.
    from workbench import config
    from workbench.groups import read_segments
    from workbench.stream import build_corpus

    first = sorted(config.SEEDS_DIR.glob("*.txt"))[0]
    meta = tmp_path / "meta.csv"
    meta.write_text(f"file,genre\n{first.name},报告\n", encoding="utf-8")
    build_corpus([first], tmp_path / "with", metadata=meta, workers=1)
    build_corpus([first], tmp_path / "without", workers=1)
    with_meta = read_segments(tmp_path / "with").inputs
    assert with_meta[config.display_path(meta)] == sha256_file(meta)
    assert len(with_meta) == len(read_segments(tmp_path / "without").inputs) + 1


def test_segments_without_their_documents_table_say_where_genre_would_be(tmp_path, capsys):
    """seg.parquet copied to a folder of its own: `keyness --by genre` said only "no column
    'genre' in the segments table" and listed the segments' columns."""
    import shutil

    from workbench import config

    seg = tmp_path / "seg.parquet"
    assert main(["corpus", "build", str(config.SEEDS_DIR), "--out", str(seg)]) == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(seg, alone / "seg.parquet")
    capsys.readouterr()
    assert main(["keyness", "--corpus", str(alone / "seg.parquet"), "--by", "genre"]) == 2
    err = capsys.readouterr().err
    assert "no column 'genre' in the segments table" in err
    assert ("no documents table was read: keep the <name>.documents.parquet `workbench corpus "
            "build` writes beside the segments, or give --metadata CSV with a 'genre' column") \
        in err  # fmt: skip
