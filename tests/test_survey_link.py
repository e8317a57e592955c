"""Text linked to survey: code prevalence per place, the join, and the SIMULATED example."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from workbench.coding.codebook import load_codebook
from workbench.coding.coder import code_segments
from workbench.corpus import load_corpus
from workbench.survey import fit
from workbench.survey.io import load_survey
from workbench.survey.link import (
    asserted_codes,
    code_prevalence,
    join_places,
    linked_outcome,
    load_link_dgp,
    load_places,
    simulate_placement,
)
from workbench.survey.validate import SurveyValidationError


@pytest.fixture(scope="module")
def coding():
    segments = load_corpus().analysis_segments()
    return code_segments(segments, load_codebook(), unit="paragraph")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_survey().frame


def _fake_coding():
    units = pd.DataFrame({"unit_id": ["a/1", "a/2", "b/1", "c/1"], "doc_id": ["a", "a", "b", "c"]})
    long = pd.DataFrame({"unit_id": ["a/2", "a/2", "c/1"], "code": ["X", "Y", "Y"]})
    return SimpleNamespace(units=units, long=long, codes=["X", "Y", "Z"])


def test_asserted_codes_counts_a_document_once_and_keeps_uncoded_ones():
    table = asserted_codes(_fake_coding(), ["X", "Y"])
    assert table.to_dict("list") == {
        "doc_id": ["a", "b", "c"], "X": [True, False, False], "Y": [True, False, True]
    }  # fmt: skip
    with pytest.raises(ValueError, match=r"\['W'\] are not in the coding"):
        asserted_codes(_fake_coding(), ["W"])


def test_prevalence_per_place():
    asserted = asserted_codes(_fake_coding(), ["X", "Y"])
    places = pd.DataFrame({"doc_id": ["a", "b", "c"], "township": [7, 7, 3], "county": [2, 2, 1]})
    prev = code_prevalence(asserted, places, "township")
    assert prev["township"].tolist() == [3, 7] and prev["n_docs"].tolist() == [1, 2]
    assert prev["Y_docs"].tolist() == [1, 1] and prev["Y_share"].tolist() == [1.0, 0.5]
    assert prev["X_any"].tolist() == [0, 1]
    county = code_prevalence(asserted, places, "county")
    assert county.set_index("county")["Y_share"].to_dict() == {1: 1.0, 2: 0.5}
    with pytest.raises(SurveyValidationError, match=r"no column 'townsip' \(did you mean"):
        code_prevalence(asserted, places, "townsip")
    extra = pd.concat([places, pd.DataFrame({"doc_id": ["zz/a1"], "township": [1]})])
    with pytest.raises(SurveyValidationError, match=r"1 document\(s\) not in the coded corpus"):
        code_prevalence(asserted, extra, "township")


def test_join_keeps_every_respondent_and_reports_places_without_documents(survey):
    prev = pd.DataFrame({"township": [1, 2, 99], "n_docs": [2, 1, 1], "Y_any": [1, 0, 1]})
    linked, report = join_places(survey, prev, "township")
    assert linked.index.equals(survey.index)
    assert (linked.loc[linked["township"] == 1, "Y_any"] == 1).all()
    assert linked.loc[linked["township"] > 2, "Y_any"].isna().all()
    assert (linked.loc[linked["township"] > 2, "n_docs"] == 0).all()
    assert report["places"].tolist() == [2, 18]
    assert report["respondents"].sum() == len(survey)
    with pytest.raises(SurveyValidationError, match="no township of the places table"):
        join_places(survey, prev.assign(township=[97, 98, 99]), "township")


def test_bundled_placement_is_the_documented_simulation(coding, survey):
    dgp = load_link_dgp()
    places = load_places()
    docs = sorted(pd.unique(coding.units["doc_id"]))
    again = simulate_placement(docs, survey, dgp["placement"]["level"], dgp["placement"]["seed"])
    pd.testing.assert_frame_equal(places, again, check_dtype=False)
    assert places["township"].is_unique  # one article per township
    pairs = set(map(tuple, survey[["county", "township"]].drop_duplicates().to_numpy()))
    assert set(map(tuple, places[["county", "township"]].to_numpy())) <= pairs


def test_linked_outcome_follows_its_dgp(coding, survey):
    prev = code_prevalence(asserted_codes(coding, ["P_formalism"]), load_places(), "township")
    linked, _ = join_places(survey, prev, "township")
    out = linked_outcome(linked)
    diff = (out - linked["trust"]).dropna()
    named = linked.loc[diff.index, "P_formalism_any"].fillna(0)
    assert np.allclose(diff, -6.0 * named)
    assert out.name == "trust_linked" and (diff != 0).any() and (diff == 0).any()


def test_multilevel_model_finds_the_planted_effect_and_none_in_the_original(coding, survey):
    prev = code_prevalence(asserted_codes(coding, ["P_formalism"]), load_places(), "township")
    linked, _ = join_places(survey, prev, "township")
    linked["trust_linked"] = linked_outcome(linked)
    rhs = "visits * solved + talk + open_affairs + cadre_days + party + P_formalism_any"
    planted = fit(linked, f"trust_linked ~ {rhs}", "mixed", groups="township")
    original = fit(linked, f"trust ~ {rhs}", "mixed", groups="township")
    for res, truth in ((planted, -6.0), (original, 0.0)):
        lo, hi = res.conf_int.loc["P_formalism_any"]
        assert lo < truth < hi
        # Respondents in townships without reports have no covariate: left out, reported.
        assert res.nobs < len(survey) and "P_formalism_any" in res.dropped["column"].tolist()
    assert planted.conf_int.loc["P_formalism_any", "upper"] < 0  # found where it exists
    # Linear in the outcome: the estimates differ by the planted effect exactly.
    diff = planted.params["P_formalism_any"] - original.params["P_formalism_any"]
    assert diff == pytest.approx(-6.0, abs=1e-3)


# ---------------------------------------------------------------- plan_link


def _link_inputs():
    asserted = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "P_x": [True, False, True, False]})
    places = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "county": [1, 1, 1, 1],
                           "township": [1, 2, 3, 3]})  # fmt: skip
    frame = pd.DataFrame({"county": [1] * 6, "township": [1, 1, 2, 2, 3, 4],
                          "trust": [50, 55, 60, 65, 70, 75],
                          "visits": [1, 2, 3, 4, 5, 6]})  # fmt: skip
    return asserted, places, frame


def test_plan_link_takes_the_finest_shared_level_and_the_any_covariate():
    from workbench.survey.link import plan_link

    asserted, places, frame = _link_inputs()
    plan = plan_link(asserted, places, frame, "P_x", needed=["visits"])
    assert plan.problem is None and plan.notes == []
    assert plan.level == "township" and plan.outcomes == ["trust"]
    assert plan.covariate == "P_x_any"  # township 1 and 3 assert it, 2 does not
    assert plan.linked["P_x_any"].tolist()[:4] == [1, 1, 0, 0]
    assert plan.join_report["places"].sum() == 4  # 3 with documents, 1 without


def test_plan_link_says_why_it_cannot_model():
    from workbench.survey.link import plan_link

    asserted, places, frame = _link_inputs()
    cases = {
        "no doc_id of the places table": (asserted, places.assign(doc_id=list("wxyz")), frame),
        "no place column named like a survey column":
            (asserted, places.rename(columns={"township": "xiang", "county": "xian"}), frame),
        "the survey has no column(s) visits": (asserted, places, frame.drop(columns="visits")),
        "trust (or sat_overall)": (asserted, places, frame.drop(columns="trust")),
        "nothing to compare": (asserted.assign(P_x=True), places, frame),
        "only 1 township of the survey has documents":
            (asserted, places.assign(township=1), frame),
    }  # fmt: skip
    for says, (a, p, f) in cases.items():
        plan = plan_link(a, p, f, "P_x", needed=["visits"], mapping="my.yaml")
        assert plan.problem is not None and says in plan.problem, (says, plan.problem)
    no_match = places.assign(township=[7, 8, 9, 9])
    plan = plan_link(asserted, no_match, frame, "P_x")
    assert plan.problem.startswith("The link is skipped:")


def test_place_levels_are_named_in_plain_english():
    """A places table by county: the messages say 'counties', not 'countys'."""
    from workbench.survey.link import places_word, plan_link

    assert [places_word(level) for level in ("county", "township", "village")] == [
        "counties", "townships", "villages"]  # fmt: skip
    assert places_word("county", 1) == "county"
    asserted, places, frame = _link_inputs()
    by_county = places.drop(columns="township").assign(county=[1, 1, 2, 2])
    frame = frame.drop(columns="township").assign(county=[1, 1, 2, 2, 3, 3])
    plan = plan_link(asserted.assign(P_x=True), by_county, frame, "P_x", needed=["visits"])
    assert plan.level == "county"
    assert "it needs counties whose documents assert it" in plan.problem


def test_places_are_read_as_any_user_csv_and_checked_against_the_survey(tmp_path):
    """A places table saved by Excel in GBK is read (it raised UnicodeDecodeError), place
    codes written as numbers join the survey's numbers, names are stripped, a blank doc_id
    names its row, and check_places refuses a table the survey cannot be linked to."""
    from workbench.survey.link import check_places

    path = tmp_path / "places.csv"
    path.write_bytes("doc_id,county,village\na/a1, 2 ,东村 \nb/a1,3,西村\n".encode("gbk"))
    places = load_places(path)
    assert places.to_dict("list") == {"doc_id": ["a/a1", "b/a1"], "county": [2, 3],
                                      "village": ["东村", "西村"]}  # fmt: skip
    survey = pd.DataFrame({"county": [2, 2, 5], "village": ["东村", "南村", "北村"]})
    check_places(places, survey, "places.csv")  # county 2 and 东村 are the survey's
    with pytest.raises(SurveyValidationError, match=r"none of its village values"):
        check_places(places, survey.assign(village=["1", "2", "3"]), "places.csv")
    with pytest.raises(SurveyValidationError, match=r"no place column named as a survey column"):
        check_places(places.rename(columns={"county": "县", "village": "村"}), survey, "p.csv")
    path.write_text("doc_id,village\na/a1,东村\n ,西村\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"blank doc_id in row 3"):
        load_places(path)


def test_places_the_survey_does_not_have_and_villages_of_one_name_are_noted():
    """Spelling variants (柳林 for 柳林村) and two villages called 东村 were joined silently."""
    from workbench.survey.link import plan_link

    frame = pd.DataFrame({
        "township": ["城关镇", "城关镇", "河口乡", "河口乡"] * 3,
        "village": ["东村", "西村", "东村", "柳林村"] * 3,
        "trust": range(40, 52),
    })  # fmt: skip
    asserted = pd.DataFrame({"doc_id": list("abcd"), "P_x": [True, False, True, False]})
    places = pd.DataFrame({"doc_id": list("abcd"), "village": ["东村", "西村", "柳林", "新化村"]})
    notes = plan_link(asserted, places, frame, "P_x").notes
    assert notes[0].startswith("2 document(s) are placed in villages the survey does not have")
    assert "'柳林' (the survey has '柳林村')" in notes[0] and "'新化村'" in notes[0]
    assert notes[1].startswith("the village 东村 is in 城关镇 and 河口乡 of the survey")


def test_a_link_with_documents_in_one_place_of_the_survey_is_skipped_saying_why():
    """The model was fitted on the one place with documents and notebook 05 (and the whole
    report) failed with "column 'village' has one value" from fit()."""
    from workbench.survey.link import plan_link

    frame = pd.DataFrame({"village": ["东村", "西村", "南村"] * 4, "trust": range(40, 52)})
    asserted = pd.DataFrame({"doc_id": list("abc"), "P_x": [True, False, True]})
    places = pd.DataFrame({"doc_id": list("abc"), "village": ["东村", "东村", "北村"]})
    plan = plan_link(asserted, places, frame, "P_x")
    assert plan.problem.startswith(
        "The model is skipped: only 1 village of the survey has documents (东村), and a model "
        "comparing villages needs at least two"
    )


def test_join_places_refuses_a_table_it_cannot_join_by_name():
    """A table of village covariates (人口) failed with KeyError 'n_docs'; a village on two
    rows would have given each of its respondents two rows."""
    frame = pd.DataFrame({"village": ["柳林村", "东坡村"], "trust": [50.0, 60]})
    people = pd.DataFrame({"village": ["柳林村", "东坡村"], "人口": [1200, 800]})
    with pytest.raises(
        SurveyValidationError,
        match=r"not this one: its columns are \['village', "
        r"'人口'\]\. To put other village data",
    ):
        join_places(frame, people, "village")
    twice = pd.DataFrame({"village": ["柳林村", "柳林村"], "n_docs": [1, 2]})
    with pytest.raises(SurveyValidationError, match=r"has village \['柳林村'\] on two or more"):
        join_places(frame, twice, "village")
