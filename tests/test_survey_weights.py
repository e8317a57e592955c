"""Sampling weights for ordered models: pseudo-likelihood with sandwich SEs (``[pw=]``).

No published ``ologit [pw=]`` result ships with an installed package, so the checks are:

* invariance: integer weights give the point estimates (and pseudo-log-likelihood)
  of the data with each row repeated that many times, and the sandwich equals the
  cluster-robust covariance of the repeated rows clustered by respondent;
* an independent implementation: a two-category ordered logit is a logit, and
  statsmodels' ``GLM(Binomial, var_weights=w).fit(cov_type="HC0")`` times
  ``n/(n-1)`` is the pweighted logit with Stata's robust SEs;
* weights of one, or all weights multiplied by a constant, change nothing.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.datasets import spector

from workbench import config
from workbench.cli import main
from workbench.survey import fit
from workbench.survey.io import load_survey
from workbench.survey.margins import predicted_probabilities
from workbench.survey.validate import SurveyValidationError

FORMULA = "sat_overall ~ visits * solved + talk"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """800 complete rows of the bundled survey with integer weights 1-3 (seeded)."""
    data = load_survey().frame
    d = data[["sat_overall", "visits", "solved", "talk", "village", "resp_id"]].dropna()
    d = d.iloc[:800].copy()
    d["fw"] = np.random.default_rng(17).integers(1, 4, len(d)).astype(float)
    return d


def _expanded(d: pd.DataFrame) -> pd.DataFrame:
    return d.loc[d.index.repeat(d["fw"].astype(int))].reset_index(drop=True)


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_integer_weights_equal_duplicated_rows(sample, model):
    weighted = fit(sample, FORMULA, model, weights="fw")
    # A respondent with weight 1 is a cluster of one row: kept, as Stata keeps it.
    repeated = fit(_expanded(sample), FORMULA, model, cluster="resp_id", singletons="keep")
    assert weighted.cov_type == "robust" and weighted.nobs == len(sample)
    assert repeated.nobs == int(sample["fw"].sum()) > weighted.nobs
    assert_allclose(weighted.params, repeated.params, rtol=1e-6)
    assert_allclose(weighted.cutpoints, repeated.cutpoints, rtol=1e-6)
    assert weighted.llf == pytest.approx(repeated.llf, rel=1e-9)
    # The sandwich: clusters of a respondent's copies, G = n in both.
    assert_allclose(weighted.bse, repeated.bse, rtol=1e-4)
    assert_allclose(weighted.cutpoint_bse, repeated.cutpoint_bse, rtol=1e-4)
    # ... and with clusters of villages.
    w_cl = fit(sample, FORMULA, model, weights="fw", cluster="village")
    r_cl = fit(_expanded(sample), FORMULA, model, cluster="village")
    assert w_cl.cov_type == "cluster(village)"
    assert_allclose(w_cl.bse, r_cl.bse, rtol=1e-4)
    # Weighted pseudo-likelihood SEs are not the unweighted ones of the repeated rows.
    naive = fit(_expanded(sample), FORMULA, model)
    assert (weighted.bse > naive.bse * 1.05).all()


def test_weights_of_one_and_rescaled_weights_change_nothing(sample):
    plain = fit(sample, FORMULA, "ologit")
    ones = fit(sample.assign(one=1.0), FORMULA, "ologit", weights="one")
    assert_allclose(ones.params, plain.params, rtol=1e-6)
    assert_allclose(ones.cutpoints, plain.cutpoints, rtol=1e-6)
    a = fit(sample, FORMULA, "ologit", weights="fw")
    b = fit(sample.assign(fw=sample["fw"] * 10), FORMULA, "ologit", weights="fw")
    assert_allclose(a.params, b.params, rtol=1e-6)
    assert_allclose(a.bse, b.bse, rtol=1e-4)
    assert a.r2 == pytest.approx(b.r2, rel=1e-8)
    assert np.isnan(a.aic) and np.isfinite(plain.aic)


def test_binary_weighted_ologit_equals_glm_with_var_weights():
    d = spector.load_pandas().data
    d["w"] = np.random.default_rng(0).uniform(0.5, 3.0, len(d))
    res = fit(d, "GRADE ~ GPA + TUCE + PSI", "ologit", weights="w")
    exog = sm.add_constant(d[["GPA", "TUCE", "PSI"]])
    glm = sm.GLM(d["GRADE"], exog, family=sm.families.Binomial(), var_weights=d["w"])
    ref = glm.fit(cov_type="HC0")
    n = len(d)
    assert_allclose(res.params, ref.params.iloc[1:], rtol=1e-6)
    assert res.cutpoints.iloc[0] == pytest.approx(-ref.params["const"], rel=1e-6)
    assert_allclose(res.bse, ref.bse.iloc[1:] * np.sqrt(n / (n - 1)), rtol=1e-5)
    assert res.cutpoint_bse.iloc[0] == pytest.approx(ref.bse["const"] * np.sqrt(n / (n - 1)), 1e-5)


def test_margins_of_a_weighted_fit_average_with_the_weights(sample):
    res = fit(sample, FORMULA, "ologit", weights="fw")
    grid = predicted_probabilities(res, "visits", [2])
    frame = res.result.model.data.frame.assign(visits=2)
    exog = np.asarray(frame[["visits", "solved"]].assign(vs=frame["visits"] * frame["solved"]))
    exog = np.column_stack([exog, frame["talk"]])
    probs = res.result.model.predict(res.result.params.to_numpy(), exog=exog)
    assert_allclose(grid["probability"], np.average(probs, axis=0, weights=frame["fw"]))
    assert not np.allclose(grid["probability"], probs.mean(axis=0), rtol=1e-4)


def test_bad_weights_are_refused_by_row(sample):
    bad = sample.assign(fw=sample["fw"].where(sample.index != sample.index[3], -1.0))
    with pytest.raises(SurveyValidationError, match=rf"'fw' has negative .* row {sample.index[3]}"):
        fit(bad, FORMULA, "ologit", weights="fw")
    with pytest.raises(ValueError, match="not supported for mixed"):
        fit(sample, "sat_overall ~ visits", "mixed", groups="village", weights="fw")


def test_cli_fits_a_weighted_ordered_model(capsys):
    args = ["survey", "fit", str(config.SURVEY_DATA), "--model", "ologit", "--formula"]
    assert main([*args, "sat_overall ~ visits + solved", "--weights", "weight", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cov_type"] == "robust" and out["aic"] is None and out["cutpoints"]


@pytest.mark.parametrize("model", ["ols", "ologit"])
def test_negative_weights_are_refused_by_row_in_every_weighted_model(sample, model, capsys):
    """OLS refused them only after numpy's RuntimeWarning and 'SVD did not converge'."""
    bad = sample.assign(fw=sample["fw"].where(sample.index != sample.index[1], -1.0))
    with pytest.raises(SurveyValidationError, match=rf"'fw' has negative .* row {sample.index[1]}"):
        fit(bad, "sat_overall ~ visits", model, weights="fw")
    assert "RuntimeWarning" not in capsys.readouterr().err


def test_cli_names_the_file_and_row_of_a_negative_ols_weight(tmp_path, capsys):
    path = tmp_path / "neg.csv"
    path.write_text("y,x,w\n1,0,0.5\n2,1,-1\n3,2,1.5\n5,3,2\n4,4,1\n", encoding="utf-8")
    args = ["survey", "fit", str(path), "--formula", "y ~ x", "--weights", "w"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{path}: weights column 'w' has negative or infinite weights in row 3" in err
    assert "SVD" not in err


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_expansion_weights_fit_without_a_convergence_warning(sample, model):
    """Weights of tens of thousands (people each respondent stands for) made BFGS warn
    "Maximum Likelihood optimization failed to converge" with the estimates already found."""
    rng = np.random.default_rng(3)
    small = sample.assign(w=rng.uniform(0.5, 9, len(sample)))
    big = small.assign(w=small["w"] * 10_000)
    a = fit(small, FORMULA, model, weights="w", cluster="village")
    b = fit(big, FORMULA, model, weights="w", cluster="village")
    assert b.notes == [] and a.notes == []
    assert_allclose(b.params, a.params, rtol=1e-6)
    assert_allclose(b.bse, a.bse, rtol=1e-5)
    assert b.llf == pytest.approx(a.llf * 10_000, rel=1e-8)  # the weights as given
    assert b.r2 == pytest.approx(a.r2, rel=1e-8)


@pytest.mark.parametrize("model", ["ols", "ologit"])
def test_rows_of_zero_weight_are_left_out_and_reported(sample, model, recwarn):
    """A zero weight stands for no one: it was counted in N (and OLS's HC1 correction) and
    made the log-likelihood log(0), printed as null after a RuntimeWarning."""
    weighted = sample.assign(w=np.where(np.arange(len(sample)) % 50 == 0, 0.0, 2.0))
    res = fit(weighted, FORMULA, model, weights="w")
    without = fit(weighted[weighted["w"] > 0], FORMULA, model, weights="w")
    assert res.nobs == len(sample) - 16 == without.nobs
    assert_allclose(res.bse, without.bse, rtol=1e-10)
    assert np.isfinite(res.llf) and not [w for w in recwarn if "log" in str(w.message)]
    assert res.dropped.to_dict("records") == [{"column": "w", "reason": "zero weight", "rows": 16}]


def test_a_weight_in_words_is_refused_naming_its_rows(sample):
    weighted = sample.assign(w=["2"] * 5 + ["缺失"] + ["1"] * (len(sample) - 6))
    row = weighted.index[5]
    with pytest.raises(SurveyValidationError, match=rf"\(\['缺失'\] in row {row}\); leave a"):
        fit(weighted, FORMULA, "ols", weights="w")


def test_a_negative_weight_is_shown_with_how_to_mark_it_missing(tmp_path, capsys):
    """-9 in a weights column is most often a missing-value code: the message named the row
    only. It now shows the value and the mapping line, which then fits without that row."""
    path = tmp_path / "neg.csv"
    path.write_text(
        "满意,走访,权重\n1,0,0.5\n2,1,-9\n3,2,1.5\n5,3,2\n4,4,1\n3,1,1.2\n", encoding="utf-8"
    )
    args = ["survey", "fit", str(path), "--formula", "满意 ~ 走访", "--weights", "权重"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "in row 3 (-9); a sampling weight is positive" in err
    assert "declare it in a mapping file (missing: {权重: [-9]})" in err
    mapping = tmp_path / "m.yaml"
    mapping.write_text("missing: {权重: [-9]}\n", encoding="utf-8")
    assert main([*args, "--mapping", str(mapping), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["nobs"] == 5
    assert "dropped 1 row(s): missing value in 权重" in captured.err
