"""Correspondence analysis against Greenacre's smoking data, and the seeds' biplot."""

from __future__ import annotations

import hashlib
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from workbench.ca import code_table, correspondence_analysis, overlapping_labels, plot_ca
from workbench.groups import InputError

matplotlib.use("Agg")

# Greenacre (2017), Correspondence Analysis in Practice, 3rd ed., Exhibit 4.1 / R package ca,
# data(smoke): staff groups × smoking categories.
SMOKE = pd.DataFrame(
    [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
    index=["SM", "JM", "SE", "JE", "SC"], columns=["none", "light", "medium", "heavy"],
)  # fmt: skip
# Published results: principal inertias 0.07476, 0.01002, 0.00041 (87.8 %, 11.8 %, 0.5 %),
# total 0.08519; principal coordinates on the first two axes (signs are arbitrary per axis).
INERTIAS = [0.07476, 0.01002, 0.00041]
ROWS = {"SM": (-0.06577, 0.19373), "JM": (0.25896, 0.24330), "SE": (-0.38059, 0.01066),
        "JE": (0.23295, -0.05774), "SC": (-0.20109, -0.07891)}  # fmt: skip
COLS = {"none": (-0.39330, 0.03049), "light": (0.09946, -0.14106),
        "medium": (0.19632, -0.00736), "heavy": (0.29378, 0.19777)}  # fmt: skip


def _match_signs(got: pd.DataFrame, ref: dict) -> np.ndarray:
    ref_arr = np.array([ref[k] for k in got.index])
    sign = np.sign((got[["dim1", "dim2"]].to_numpy() * ref_arr).sum(axis=0))
    return got[["dim1", "dim2"]].to_numpy() * sign, ref_arr


def test_smoking_data_inertias_equal_the_published_ones():
    res = correspondence_analysis(SMOKE)
    assert res.eigenvalues == pytest.approx(INERTIAS, abs=5e-6)
    assert res.total_inertia == pytest.approx(0.08519, abs=5e-6)
    shares = res.inertia_table()["share"].round(3).tolist()
    assert shares == [0.878, 0.118, 0.005]
    # Total inertia is Pearson's χ² over n, computed independently by scipy.
    chi2, *_ = chi2_contingency(SMOKE.to_numpy(), correction=False)
    assert res.total_inertia == pytest.approx(chi2 / SMOKE.to_numpy().sum(), rel=1e-12)
    assert res.eigenvalues.sum() == pytest.approx(res.total_inertia, rel=1e-12)


def test_smoking_data_coordinates_equal_the_published_ones():
    res = correspondence_analysis(SMOKE)
    for got, ref in ((res.row_coords, ROWS), (res.col_coords, COLS)):
        aligned, expected = _match_signs(got, ref)
        assert aligned == pytest.approx(expected, abs=5e-5)
    # Rows are the weighted averages of the columns' standard coordinates (transition formula).
    profiles = SMOKE.to_numpy() / SMOKE.to_numpy().sum(axis=1, keepdims=True)
    std_cols = res.col_coords.to_numpy() / np.sqrt(res.eigenvalues)
    assert profiles @ std_cols == pytest.approx(res.row_coords.to_numpy(), abs=1e-12)


def test_signs_are_fixed_and_the_result_repeats():
    a, b = correspondence_analysis(SMOKE), correspondence_analysis(SMOKE.copy())
    pd.testing.assert_frame_equal(a.row_coords, b.row_coords)
    # The column with the largest |standard coordinate| on each axis is positive.
    std = a.col_coords / np.sqrt(a.eigenvalues)
    assert all(std[d].loc[std[d].abs().idxmax()] > 0 for d in std.columns)


def test_bad_tables_are_refused():
    with pytest.raises(InputError, match="at least 2 rows and 2 columns"):
        correspondence_analysis(SMOKE.iloc[:1])
    one = SMOKE.iloc[:, :1].rename_axis(index="code", columns="article")
    with pytest.raises(InputError, match=r"is \d+ code × 1 article: group by a variable"):
        correspondence_analysis(one)
    with pytest.raises(InputError, match="every row and column"):
        correspondence_analysis(SMOKE.assign(none=0))


@pytest.fixture(scope="module")
def seeds_coding(seeds):
    from workbench.coding.codebook import load_codebook
    from workbench.coding.coder import code_segments

    seg = seeds.analysis_segments()
    codebook = load_codebook()
    coding = code_segments(seg, codebook, "sentence")
    codes = coding.long.merge(coding.units[["unit_id", "doc_id", "segment_ids"]], on="unit_id")
    return seg, codes, codebook


def test_code_table_counts_articles_without_catch_alls(seeds_coding, seeds):
    seg, codes, codebook = seeds_coding
    t = code_table(codes, seg, "role", codebook=codebook)
    assert t.columns.tolist() == ["cause", "countermeasure", "other", "problem"]
    assert not set(t.index) & set(codebook.catch_alls)
    assert t.index.tolist() == [c for c in codebook.ids if c in set(t.index)]
    n_articles = seeds.analysis_segments()["doc_id"].nunique()
    assert t.to_numpy().max() <= n_articles
    # One code checked by hand: the articles with a cause sentence carrying it.
    code = t.index[0]
    from workbench.corpus.structure import section_announcements

    body = seg[~section_announcements(seg)]
    units = codes[codes["code"] == code].merge(body, left_on="unit_id", right_on="segment_id")
    assert t.loc[code, "cause"] == units.loc[units["role"] == "cause", "doc_id_x"].nunique()
    by_file = code_table(codes, seg, "file", documents=seeds.documents, codebook=codebook,
                         min_articles=3)  # fmt: skip
    assert len(by_file.columns) == 5 and len(by_file) < len(t)


def test_code_table_refuses_codes_of_another_codebook(seeds_coding):
    seg, codes, codebook = seeds_coding
    with pytest.raises(InputError, match=r"not in codebook.*P_unknown"):
        code_table(codes.assign(code="P_unknown"), seg, "role", codebook=codebook)
    with pytest.raises(InputError, match="no column 'year'"):
        code_table(codes, seg, "year", codebook=codebook)


def test_biplot_has_chinese_labels_that_do_not_overlap_and_repeats(seeds_coding, tmp_path):
    from workbench import plotting

    seg, codes, codebook = seeds_coding
    res = correspondence_analysis(code_table(codes, seg, "role", codebook=codebook))
    names = {c.id: c.label("zh") for c in codebook.codes}
    cols = {r: plotting.label(r) for r in res.table.columns}
    digests = []
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing glyph warns: it must not
            fig = plot_ca(res, row_labels=names, col_labels=cols)
            texts = [t.get_text() for t in fig.axes[0].texts]
            roles = {"问题", "原因", "对策", "其他"}
            assert set(texts) == {names[c] for c in res.table.index} | roles
            assert overlapping_labels(fig) == []
            path = plotting.savefig(fig, "ca", out_dir=tmp_path)[0]
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
        matplotlib.pyplot.close(fig)
    assert digests[0] == digests[1]
    assert "维度 1 (" in fig.axes[0].get_xlabel()


def test_code_table_says_what_it_left_out():
    """A code of one article (P_c), the genre it alone was in (poem) and an article with a
    blank metadata cell are not in the table; they are listed, not dropped silently."""
    seg = pd.DataFrame({"segment_id": [f"{d}/a1/p001/s01" for d in "abcde"],
                        "doc_id": [f"{d}/a1" for d in "abcde"], "text": list("甲乙丙丁戊"),
                        "is_heading": False})  # fmt: skip
    docs = pd.DataFrame({"doc_id": seg["doc_id"],
                         "genre": ["essay", "essay", "report", "poem", " "]})  # fmt: skip
    codes = pd.DataFrame({"unit_id": seg["segment_id"][[0, 1, 2, 2, 3, 4]].to_numpy(),
                          "code": ["P_a", "P_b", "P_a", "P_b", "P_c", "P_a"]})  # fmt: skip
    t = code_table(codes, seg, "genre", documents=docs, min_articles=2)
    assert t.columns.tolist() == ["essay", "report"] and t.index.tolist() == ["P_a", "P_b"]
    assert t.attrs["left_out"] == {"values": ["poem"], "codes": {"P_c": 1}, "no_value": 1,
                                    "articles": 5}


def test_a_minimum_that_leaves_under_two_codes_is_named():
    """--min-articles 9 on a small corpus said 'the table is 0 code × 0 file: group by a
    variable with at least two values', blaming --by for what the minimum did."""
    seg = pd.DataFrame({"segment_id": [f"{d}/a1/p001/s01" for d in "abc"],
                        "doc_id": [f"{d}/a1" for d in "abc"], "text": list("甲乙丙"),
                        "is_heading": False})  # fmt: skip
    codes = pd.DataFrame({"unit_id": seg["segment_id"][[0, 1, 2, 0, 1]].to_numpy(),
                          "code": ["P_a", "P_a", "P_a", "P_b", "P_b"]})  # fmt: skip
    with pytest.raises(InputError, match=r"fewer than two codes are asserted by at least 3 "
                       r"articles .* at most 3\): lower it to 2 or less \(--min-articles 2\)"):
        code_table(codes, seg, "doc_id", min_articles=3)
    assert code_table(codes, seg, "doc_id", min_articles=2).index.tolist() == ["P_a", "P_b"]
