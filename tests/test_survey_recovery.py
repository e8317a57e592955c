"""The bundled SIMULATED survey gives back the parameters that generated it.

All coefficients and cutpoints of both equations are checked at once, so the
intervals are Bonferroni-adjusted (family-wise 95%); benchmarks/survey_coverage.py
reports per-parameter coverage over many seeds.
"""

from __future__ import annotations

import pytest

from workbench.survey.io import load_survey
from workbench.survey.recovery import fit_truth, truth_table
from workbench.survey.simulate import load_dgp


@pytest.fixture(scope="module")
def data():
    return load_survey().frame


@pytest.fixture(scope="module")
def fits(data):
    dgp = load_dgp()
    return {eq: fit_truth(data, eq, dgp) for eq in ("satisfaction", "trust")}


@pytest.mark.parametrize("equation", ["satisfaction", "trust"])
def test_true_parameters_inside_intervals_at_bundled_seed(fits, equation):
    dgp = load_dgp()
    res = fits[equation]
    table = truth_table(res, dgp[equation], bonferroni=True)
    checked = table[table["kind"] != "variance"]
    missed = checked.loc[
        ~checked["covered"].astype(bool), ["term", "truth", "conf_low", "conf_high"]
    ]
    assert missed.empty, missed.to_string()
    assert len(checked) == len(
        dgp[equation].get("coefficients", dgp[equation].get("fixed", {}))
    ) + (len(dgp[equation].get("cutpoints", [])))


def test_walk_through_visits_have_no_effect_but_solved_visits_do(fits):
    """The corpus's hypothesis as encoded: 走马观花 visits (problem unsolved) do nothing."""
    t = truth_table(fits["satisfaction"], load_dgp()["satisfaction"]).set_index("term")
    assert t.loc["visits", "conf_low"] < 0 < t.loc["visits", "conf_high"]
    assert t.loc["visits:solved", "conf_low"] > 0


def test_variance_components_are_of_the_right_size(fits):
    t = truth_table(fits["trust"], load_dgp()["trust"]).set_index("term")
    # 120 villages: a variance is estimated to within roughly ±35% (2 SE).
    for term in ("var(Intercept)", "var(visits)", "residual variance"):
        assert t.loc[term, "estimate"] == pytest.approx(t.loc[term, "truth"], rel=0.35)


def test_bundled_file_is_the_documented_seed(tmp_path):
    from workbench import config
    from workbench.provenance import read_record
    from workbench.survey.simulate import write_simulated

    record = read_record(config.SURVEY_DATA)
    params = record["parameters"]
    again = write_simulated(tmp_path / "again.csv", n=params["n"], seed=params["seed"])
    assert again.read_bytes() == config.SURVEY_DATA.read_bytes()
