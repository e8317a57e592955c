"""Average marginal effects and predicted probabilities with delta-method SEs.

References:

* Stata 11 ``margins, dydx(*)`` after ``logit grade gpa tuce psi`` on the
  Spector–Mazzeo data, as shipped with statsmodels
  (``statsmodels/discrete/tests/results/results_discrete.py``, ``Spector.logit``):
  ``margeff_nodummy_dydx`` (psi as a derivative) and ``margeff_dummy_dydx``
  (``i.psi``, a discrete change).  A binary ordered logit is that logit.
* For five categories and for OLS with an interaction: computations done here,
  independently of :mod:`workbench.survey.margins` — statsmodels' own predictions
  differentiated numerically, and the closed form of a linear AME with its gradient.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import patsy
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.datasets import spector
from statsmodels.discrete.tests.results.results_discrete import Spector

from workbench.survey import fit
from workbench.survey.io import load_survey
from workbench.survey.margins import average_marginal_effects, predicted_probabilities

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def spector_data() -> pd.DataFrame:
    return spector.load_pandas().data


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_survey().frame


@pytest.mark.parametrize(
    ("discrete", "ame", "se"),
    [
        ([], Spector.logit.margeff_nodummy_dydx, Spector.logit.margeff_nodummy_dydx_se),
        (None, Spector.logit.margeff_dummy_dydx, Spector.logit.margeff_dummy_dydx_se),
    ],
)
def test_ame_matches_stata_margins_on_spector(spector_data, discrete, ame, se):
    res = fit(spector_data, "GRADE ~ GPA + TUCE + PSI", "ologit")
    table = average_marginal_effects(res, discrete=discrete)
    one = table[table["category"] == "1"]
    assert one["variable"].tolist() == ["GPA", "TUCE", "PSI"]
    assert one["kind"].tolist()[-1] == ("derivative" if discrete == [] else "discrete")
    # Stata's SEs are printed to 7 decimals: agreement to half a unit of the last one.
    assert_allclose(one["ame"], ame, rtol=1e-6)
    assert_allclose(one["std_error"], se, rtol=0, atol=5e-8)
    zero = table[table["category"] == "0"]
    assert_allclose(zero["ame"], -np.asarray(ame), rtol=1e-6)
    assert_allclose(zero["std_error"], se, rtol=0, atol=5e-8)
    z = stats.norm.ppf(0.975)
    assert_allclose(one["conf_high"] - one["conf_low"], 2 * z * one["std_error"], rtol=1e-12)


FORMULA = "sat_overall ~ visits * solved + talk"


def _independent_ame(res, data_frame, var, discrete):
    """AME of ``var`` on each category, and its delta-method SE, from statsmodels' predict."""
    model = res.result.model
    rhs = "0 + visits * solved + talk"

    def probs(theta, frame):
        exog = np.asarray(patsy.dmatrix(rhs, frame))
        return model.predict(theta, exog=exog)

    def ame(theta):
        if discrete:
            hi, lo = data_frame.assign(**{var: 1}), data_frame.assign(**{var: 0})
            return (probs(theta, hi) - probs(theta, lo)).mean(axis=0)
        h = 1e-3
        hi = data_frame.assign(**{var: data_frame[var] + h})
        lo = data_frame.assign(**{var: data_frame[var] - h})
        return ((probs(theta, hi) - probs(theta, lo)) / (2 * h)).mean(axis=0)

    theta = res.result.params.to_numpy()
    jac = np.empty((5, len(theta)))
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = 1e-5
        jac[:, j] = (ame(theta + step) - ame(theta - step)) / 2e-5
    cov = res.vcov.to_numpy()
    return ame(theta), np.sqrt(np.diag(jac @ cov @ jac.T))


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_five_category_ame_matches_an_independent_numerical_computation(survey, model):
    res = fit(survey, FORMULA, model, cluster="village")
    frame = res.result.model.data.frame
    table = average_marginal_effects(res, ["visits", "solved"])
    for var, discrete in (("visits", False), ("solved", True)):
        rows = table[table["variable"] == var]
        ame, se = _independent_ame(res, frame, var, discrete)
        assert_allclose(rows["ame"], ame, rtol=1e-5, atol=1e-9)
        assert_allclose(rows["std_error"], se, rtol=1e-4)
        assert rows["ame"].sum() == pytest.approx(0, abs=1e-10)
    # Clustered SEs are used: they differ from the classical ones.
    classical = average_marginal_effects(fit(survey, FORMULA, model), ["visits"])
    assert not np.allclose(classical["std_error"], table["std_error"].iloc[:5])


def test_ols_ame_with_interaction_is_the_closed_form(survey):
    res = fit(survey, "trust ~ visits * solved + talk", "ols", cluster="village")
    frame = res.result.model.data.frame
    table = average_marginal_effects(res, ["visits", "solved", "talk"]).set_index("variable")
    assert (table["category"] == "E(y)").all()
    b, cov = res.params, res.vcov.loc[res.params.index, res.params.index].to_numpy()
    names = list(res.params.index)
    # d E(y) / d visits = b_visits + b_visits:solved * mean(solved)
    grad = np.zeros(len(names))
    grad[names.index("visits")] = 1.0
    grad[names.index("visits:solved")] = frame["solved"].mean()
    assert table.loc["visits", "ame"] == pytest.approx(grad @ b.to_numpy(), rel=1e-8)
    assert table.loc["visits", "std_error"] == pytest.approx(np.sqrt(grad @ cov @ grad), rel=1e-6)
    # solved (0 -> 1): b_solved + b_visits:solved * mean(visits)
    grad = np.zeros(len(names))
    grad[names.index("solved")] = 1.0
    grad[names.index("visits:solved")] = frame["visits"].mean()
    assert table.loc["solved", "ame"] == pytest.approx(grad @ b.to_numpy(), rel=1e-8)
    assert table.loc["solved", "std_error"] == pytest.approx(np.sqrt(grad @ cov @ grad), rel=1e-6)
    # No interaction: the AME is the coefficient, with its SE, p-value and t interval.
    talk = table.loc["talk"]
    assert talk["ame"] == pytest.approx(res.params["talk"], rel=1e-8)
    assert talk["std_error"] == pytest.approx(res.bse["talk"], rel=1e-6)
    assert talk["p_value"] == pytest.approx(res.pvalues["talk"], rel=1e-5)
    assert talk["conf_low"] == pytest.approx(res.conf_int.loc["talk", "lower"], rel=1e-6)


def test_weighted_ols_averages_with_the_sampling_weights(survey):
    res = fit(survey, "trust ~ visits * rural", "ols", weights="weight")
    frame = res.result.model.data.frame
    ame = average_marginal_effects(res, ["visits"])["ame"].item()
    w_mean = np.average(frame["rural"], weights=frame["weight"])
    assert ame == pytest.approx(res.params["visits"] + res.params["visits:rural"] * w_mean)
    assert w_mean - frame["rural"].mean() > 0.05  # rural respondents weigh twice as much


def test_predicted_probabilities_have_delta_method_bands(survey):
    res = fit(survey, FORMULA, "ologit", cluster="village")
    grid = predicted_probabilities(res, "visits", [0, 6], at={"solved": 1})
    assert grid.attrs["outcome"] == "sat_overall"
    assert np.allclose(grid.groupby("visits")["probability"].sum(), 1)
    assert (grid["conf_low"] < grid["probability"]).all()
    assert (grid["probability"] < grid["conf_high"]).all()
    # Independently: statsmodels' predictions at visits = 6, solved = 1, Jacobian by hand.
    model = res.result.model
    frame = model.data.frame.assign(visits=6, solved=1)
    exog = np.asarray(patsy.dmatrix("0 + visits * solved + talk", frame))
    theta = res.result.params.to_numpy()

    def mean_probs(t):
        return model.predict(t, exog=exog).mean(axis=0)

    jac = np.column_stack(
        [(mean_probs(theta + e) - mean_probs(theta - e)) / 2e-5 for e in np.eye(len(theta)) * 1e-5]
    )
    se = np.sqrt(np.diag(jac @ res.vcov.to_numpy() @ jac.T))
    at6 = grid[grid["visits"] == 6]
    assert_allclose(at6["probability"], mean_probs(theta), rtol=1e-10)
    assert_allclose(at6["std_error"], se, rtol=1e-4)


def test_margins_refuse_mixed_models(survey):
    res = fit(survey, "trust ~ visits", "mixed", groups="village")
    with pytest.raises(ValueError, match="margins need an OLS or ordered"):
        average_marginal_effects(res)


def test_predicted_probability_plot_bands_and_value_labels(survey):
    import matplotlib.pyplot as plt

    from workbench.survey.plots import predicted_probability_plot

    res = fit(survey, FORMULA, "ologit")
    grid = pd.concat(
        predicted_probabilities(res, "visits", [0, 4, 8], at={"solved": s}) for s in (0, 1)
    )
    fig = predicted_probability_plot(grid, "visits", by="solved", outcome="sat_overall", lang="en")
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert legend == [
        "1 Very dissatisfied",
        "2 Dissatisfied",
        "3 Neither",
        "4 Satisfied",
        "5 Very satisfied",
    ]
    assert all(len(ax.collections) == 5 for ax in fig.axes)  # a band per category
    plt.close(fig)
    fig = predicted_probability_plot(grid, "visits", by="solved", bands=False)
    assert all(len(ax.collections) == 0 for ax in fig.axes)
    assert fig.axes[-1].get_legend().get_texts()[0].get_text() == "1 非常不满意"  # attrs
    plt.close(fig)


def test_default_variables_are_the_formulas_not_the_cluster_or_weight_columns(tmp_path):
    """Fitted with --cluster 村 (village names) and weights, the AMEs of every predictor
    (the default) failed with "bad operand type for abs(): 'str'"; a numeric cluster id
    or weight column would have been given an AME of its own."""
    rng = np.random.default_rng(5)
    n = 300
    frame = pd.DataFrame(
        {
            "村": rng.choice(["东山村", "西沟村", "南岭村", "北坪村", "柳林村"], n),
            "乡镇": rng.integers(1, 6, n),
            "权重": rng.uniform(0.5, 2.0, n),
            "走访": rng.poisson(3, n),
            "谈心": rng.integers(0, 2, n),
        }
    )
    latent = 0.4 * frame["走访"] + 0.8 * frame["谈心"] + rng.logistic(size=n)
    frame["满意"] = np.digitize(latent, [0.5, 1.5, 2.5, 3.5]) + 1
    for cluster in ("村", "乡镇"):
        res = fit(frame, "满意 ~ 走访 + 谈心", "ologit", cluster=cluster, weights="权重")
        ame = average_marginal_effects(res)
        assert list(dict.fromkeys(ame["variable"])) == ["走访", "谈心"]
        assert ame["kind"].tolist() == ["derivative"] * 5 + ["discrete"] * 5
