"""Model options, errors, reports, tables, margins, scales and plots on the bundled survey."""

from __future__ import annotations

import json
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.survey import fit
from workbench.survey.io import load_survey
from workbench.survey.margins import average_marginal_effects, predicted_probabilities
from workbench.survey.scales import build_scale, cronbach_alpha, item_analysis, scale_score
from workbench.survey.tables import regression_table, table_frame
from workbench.survey.validate import SurveyValidationError

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return load_survey().frame


@pytest.fixture(scope="module")
def ologit(data):
    return fit(data, "sat_overall ~ visits * solved + talk", "ologit")


def test_dropped_rows_are_reported_and_add_up(data):
    res = fit(data, "trust ~ visits * solved", "ols")
    complete = data[["trust", "visits", "solved"]].dropna()
    assert res.nobs == len(complete)
    assert res.dropped["rows"].sum() == len(data) - len(complete)


def test_raw_missing_codes_are_refused():
    raw = pd.read_csv("data/survey/survey.csv")
    with pytest.raises(
        SurveyValidationError, match=r"'sat_overall' still holds missing-value codes \[8, 9\]"
    ):
        fit(raw, "sat_overall ~ visits", "ols")


def test_singleton_cluster_error_and_drop(data):
    d = data.dropna(subset=["trust", "visits"]).copy()
    d.loc[d.index[0], "village"] = 999
    with pytest.raises(
        SurveyValidationError, match=r"'village': 1 cluster\(s\) with one respondent: 999"
    ):
        fit(d, "trust ~ visits", "ols", cluster="village")
    res = fit(d, "trust ~ visits", "mixed", groups="village", singletons="drop")
    assert res.dropped.iloc[-1].to_dict() == {
        "column": "village", "reason": "cluster with one respondent", "rows": 1
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "needs"),
    [
        # One cluster divided by zero inside statsmodels (a traceback); one group "fitted"
        # a mixed model whose variance split is arbitrary, and ranked a single group.
        ({"model": "ols", "cluster": "one"}, "at least two clusters"),
        ({"model": "ols", "cluster": "village,one"}, "at least two clusters"),
        ({"model": "ologit", "cluster": "one"}, "at least two clusters"),
        ({"model": "mixed", "groups": "one"}, "at least two groups"),
    ],
)
def test_a_cluster_or_group_column_of_one_value_is_refused(data, kwargs, needs):
    d = data.assign(one=1)
    outcome = "sat_overall" if kwargs["model"] == "ologit" else "trust"
    with pytest.raises(SurveyValidationError, match=rf"'one' has one value \(1\) .*{needs}"):
        fit(d, f"{outcome} ~ visits", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "mixed", "weights": "weight", "groups": "village"}, "not supported for mixed"),
        ({"model": "mixed"}, "groups= .* is required"),
        ({"model": "ols", "weights": "weight", "cov_type": "classical"}, "not valid with sampling"),
        ({"model": "probit"}, "model must be one of"),
        ({"model": "ologit", "cluster": "village,county"}, "only one-way"),
    ],
)
def test_unsupported_combinations_say_why(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(data, "sat_overall ~ visits", **kwargs)


def test_hc3_exceeds_hc1_and_cluster_uses_g_minus_1(data):
    hc1 = fit(data, "trust ~ visits + solved", cov_type="HC1")
    hc3 = fit(data, "trust ~ visits + solved", cov_type="HC3")
    assert (hc3.bse > hc1.bse).all()
    cl = fit(data, "trust ~ visits + solved", cluster="village")
    assert cl.df_inference == 119
    t = cl.params / cl.bse
    assert np.allclose(cl.pvalues, 2 * stats.t(119).sf(np.abs(t)))


def test_ordered_cluster_matches_stata_convention(data, ologit):
    cl = fit(data, "sat_overall ~ visits * solved + talk", "ologit", cluster="village")
    assert (cl.params == ologit.params).all() and cl.df_inference is None
    assert cl.cov_type == "cluster(village)" and not np.allclose(cl.bse, ologit.bse)


def test_to_dict_is_json_with_contract_names(ologit, data):
    d = json.loads(json.dumps(ologit.to_dict()))
    for key in ("model", "nobs", "params", "bse", "pvalues", "conf_int", "llf", "aic", "bic"):
        assert key in d
    assert list(d["cutpoints"]) == ["1|2", "2|3", "3|4", "4|5"]
    assert set(d["cutpoint_bse"]) == set(d["cutpoints"])
    mixed = fit(data, "trust ~ visits", "mixed", groups="village", re_formula="~visits").to_dict()
    assert mixed["cov_re"]["names"] == ["Intercept", "visits"]
    assert np.shape(mixed["cov_re"]["values"]) == (2, 2) and mixed["scale"] > 0
    assert mixed["aic"] is None  # REML


def test_tidy_has_coefficients_then_cutpoints(ologit):
    t = ologit.tidy()
    assert t["kind"].tolist() == ["coef"] * 4 + ["cutpoint"] * 4
    assert (t["conf_low"] < t["estimate"]).all() and (t["estimate"] < t["conf_high"]).all()


def test_predicted_probabilities_sum_to_one_and_follow_the_hypothesis(ologit):
    solved = predicted_probabilities(ologit, "visits", [0, 6], at={"solved": 1})
    unsolved = predicted_probabilities(ologit, "visits", [0, 6], at={"solved": 0})
    for grid in (solved, unsolved):
        assert np.allclose(grid.groupby("visits")["probability"].sum(), 1)
    top = solved[solved["category"] == "5"].set_index("visits")["probability"]
    assert top[6] - top[0] > 0.1


def test_ame_sums_to_zero_and_matches_analytic_derivative(ologit):
    ame = average_marginal_effects(ologit, ["talk", "visits"])
    assert np.allclose(ame.groupby("variable")["ame"].sum(), 0, atol=1e-10)
    assert ame.set_index("variable")["kind"].to_dict() == {
        "talk": "discrete",
        "visits": "derivative",
    }
    # Analytic AME of visits on P(y = 5): mean of f(xb - c4) * (b_visits + b_int * solved).
    res = ologit.result
    frame = res.model.data.frame
    xb = res.model.exog @ ologit.params.to_numpy()
    slope = ologit.params["visits"] + ologit.params["visits:solved"] * frame["solved"].to_numpy()
    analytic = np.mean(stats.logistic.pdf(xb - ologit.cutpoints.iloc[-1]) * slope)
    numeric = ame[(ame["variable"] == "visits") & (ame["category"] == "5")]["ame"].item()
    assert numeric == pytest.approx(analytic, rel=1e-6)


def test_tables_in_three_formats(data, ologit):
    fits = {"OLS": fit(data, "trust ~ visits * solved + talk", cluster="village"), "ologit": ologit}
    md = regression_table(fits, "markdown", title="SIMULATED")
    assert md.startswith("**SIMULATED**") and "Cutpoint 1\\|2" in md
    html = regression_table(fits, "html", lang="zh")
    assert "<table" in html and "切点 1|2" in html and "样本量" in html
    tex = regression_table(fits, "latex")
    assert r"\toprule" in tex and "$^{***}$" in tex and r"\_" not in tex.split("\n")[0]
    frame = table_frame(fits)
    assert frame.loc["N", "ologit"] == str(ologit.nobs)
    with pytest.raises(ValueError, match="fmt must be"):
        regression_table(fits, "docx")


def test_alpha_equals_hoyt_anova_reliability(data):
    """Cronbach's alpha equals Hoyt's (1941) ANOVA reliability 1 - MS_resid / MS_persons."""
    items = data[["sat_support", "sat_approve", "sat_happy", "sat_consent", "sat_content"]].dropna()
    x = items.to_numpy(float)
    n, k = x.shape
    grand = x.mean()
    ss_p = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_i = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_r = ((x - grand) ** 2).sum() - ss_p - ss_i
    hoyt = 1 - (ss_r / ((n - 1) * (k - 1))) / (ss_p / (n - 1))
    a = cronbach_alpha(items)
    assert a.alpha == pytest.approx(hoyt, rel=1e-12)
    assert a.ci_low < a.alpha < a.ci_high and a.n == n and a.dropped == 0


def test_item_analysis_flags_an_unreversed_item(data):
    items = data[["sat_support", "sat_approve", "sat_showy"]]
    table = item_analysis(items).set_index("item")
    assert table.loc["sat_showy", "item_rest_r"] < 0
    assert table.loc["sat_showy", "alpha_if_deleted"] > cronbach_alpha(items).alpha
    score, report = build_scale(
        data, ["sat_support", "sat_approve", "sat_showy"], reverse=["sat_showy"]
    )
    assert score.notna().sum() + report["rows"].item() == len(data)


def test_a_scale_of_user_items_refuses_what_would_score_it_wrongly():
    """A 7-point item reversed with the default 1–5 became -1 for 7 (scores below the
    scale, silently); constant items gave alpha nan with a RuntimeWarning; a reversed item
    not among the items a KeyError, items in words a TypeError."""
    d = pd.DataFrame({"a": [1, 7, 3, 6, 2], "b": [2, 6, 3, 7, 1], "c": [7, 1, 5, 2, 6]})
    with pytest.raises(
        SurveyValidationError,
        match=r"'c' has value\(s\) \[6, 7\] outside "
        r"scale_range 1–5 in rows 0, 4: pass",
    ):
        build_scale(d, ["a", "b", "c"], reverse=["c"])
    score, _ = build_scale(d, ["a", "b", "c"], reverse=["c"], scale_range=(1, 7))
    assert score.between(1, 7).all()
    with pytest.raises(SurveyValidationError, match="all have the same total score"):
        cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}))
    with pytest.raises(SurveyValidationError, match=r"reverse item\(s\) \['c'\] are not among"):
        build_scale(d, ["a", "b"], reverse=["c"])
    with pytest.raises(SurveyValidationError, match=r"hold text, not numbers: \{'a': \['一般'"):
        build_scale(d.assign(a=["满意", "一般"] * 2 + ["满意"]), ["a", "b"])


def test_min_items_rule():
    items = pd.DataFrame({"a": [1, 1, None], "b": [3, None, None], "c": [5, None, 2]})
    default = scale_score(items)  # more than half of 3 items: at least 2
    assert default.tolist()[0] == 3.0 and default.isna().tolist()[1:] == [True, True]
    assert scale_score(items, min_items=1).tolist() == [3.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="min_items"):
        scale_score(items, min_items=4)


def test_plots_have_bilingual_labels(data, ologit):
    import matplotlib.pyplot as plt

    from workbench.survey.plots import coef_plot, predicted_probability_plot

    fig = coef_plot({"ologit": ologit}, lang="zh", simulated=True)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "干部走访次数" and "干部走访次数 × 问题得到解决" in labels
    assert any("模拟数据" in t.get_text() for t in fig.texts)
    plt.close(fig)
    grid = pd.concat(
        predicted_probabilities(ologit, "visits", [0, 3, 6], at={"solved": s}) for s in (0, 1)
    )
    fig = predicted_probability_plot(grid, "visits", by="solved", lang="en")
    assert [ax.get_title() for ax in fig.axes] == ["Problem solved = No", "Problem solved = Yes"]
    plt.close(fig)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("trust ~ vists * solved", r"'vists' \(did you mean 'visits'\?\)"),
        ("sat_overal ~ visits", r"'sat_overal' \(did you mean 'sat_overall'"),
        ('trust ~ np.log(visits + 1) + C(county) + Q("tlak")', r"'tlak' \(did you mean 'talk'"),
        ("trust + visits", "has no outcome"),
        ("trust ~ visits +", "cannot be read"),
        ("trust ~ logg(visits)", "cannot be used: .*logg"),
    ],
)
def test_formula_names_are_checked_before_fitting(data, formula, expected):
    with pytest.raises(SurveyValidationError, match=expected):
        fit(data, formula, "ologit" if formula.startswith("sat") else "ols")


def test_singleton_message_keeps_the_python_wording(data):
    d = data.dropna(subset=["trust", "visits"]).copy()
    d.loc[d.index[0], "village"] = 999
    with pytest.raises(SurveyValidationError, match=r"singletons='drop' \(reported\)"):
        fit(d, "trust ~ visits", "ols", cluster="village")


def test_singletons_keep_fits_a_group_of_one(data):
    d = data.dropna(subset=["trust", "visits"]).copy()
    d.loc[d.index[0], "village"] = 999
    res = fit(d, "trust ~ visits", "mixed", groups="village", singletons="keep")
    assert res.n_groups == {"village": 121} and res.nobs == len(d) and res.dropped.empty


def test_random_slope_on_a_column_outside_the_fixed_part(data):
    """``re_formula`` columns are part of the model frame (and checked) too."""
    res = fit(data, "trust ~ solved", "mixed", groups="village", re_formula="~visits")
    assert list(res.cov_re.index) == ["Intercept", "visits"] and res.re_formula == "~visits"
    complete = data[["trust", "solved", "visits", "village"]].dropna()
    assert res.nobs == len(complete)
    with pytest.raises(SurveyValidationError, match=r"'vists' \(did you mean 'visits'\?\)"):
        fit(data, "trust ~ solved", "mixed", groups="village", re_formula="~vists")


def test_mixed_optimiser_failure_falls_through_to_the_next(monkeypatch):
    """An optimiser raising on a singular matrix (near a zero variance) is noted, not fatal."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(6), 5)
    y = 2.0 * g + 3.0 * rng.standard_normal(30)  # a real group effect: a well-defined fit
    d = pd.DataFrame({"y": y, "x": rng.standard_normal(30), "g": g})
    real_fit = MixedLM.fit

    def flaky(self, *args, method=None, **kwargs):
        if method == "bfgs":
            raise np.linalg.LinAlgError("Singular matrix")
        return real_fit(self, *args, method=method, **kwargs)

    monkeypatch.setattr(MixedLM, "fit", flaky)
    res = fit(d, "y ~ x", "mixed", groups="g")
    assert res.notes[0] == "bfgs: failed: LinAlgError: Singular matrix"
    assert np.isfinite(res.params).all()

    def broken(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(MixedLM, "fit", broken)
    with pytest.raises(SurveyValidationError, match="gave no usable fit with any optimiser"):
        fit(d, "y ~ x", "mixed", groups="g")


def test_a_text_outcome_says_how_to_recode_it():
    """Likert answers as words (满意 …): a mapping's values give them numbers."""
    data = pd.DataFrame({"满意度": ["满意", "不满意", "一般", "满意"], "x": [1.0, 2, 3, 4]})
    with pytest.raises(SurveyValidationError) as err:
        fit(data, "满意度 ~ x", "ols")
    message = str(err.value)
    assert "the outcome '满意度' holds text" in message and "'values:'" in message
    # The column's own answers, placed on their scale (非常不满意 … 非常满意): not the
    # codebook's words, which this column does not hold.
    assert "满意度: {不满意: 2, 一般: 3, 满意: 4}, the answers numbered from the lowest" in message
    data["满意度"] = ["很满意", "很不满意", "不知道", "满意"]
    entry = "{很不满意: 1, 满意: 4, 很满意: 5, 不知道: null}"
    with pytest.raises(SurveyValidationError, match=re.escape(entry)):
        fit(data, "满意度 ~ x", "ols")
    data["满意度"] = ["高", "低", "中", "高"]  # words of no known scale: the user numbers them
    with pytest.raises(SurveyValidationError, match=re.escape("{中: ?, 低: ?, 高: ?}")):
        fit(data, "满意度 ~ x", "ols")


@pytest.mark.parametrize("model", ["ols", "ologit", "mixed"])
def test_an_outcome_of_one_value_is_refused(model, recwarn):
    """Every respondent answered 3: OLS printed x 0.000* (a p-value of 0/0 after a
    RuntimeWarning), ologit 'shapes (20,1) and (0,) not aligned'."""
    data = pd.DataFrame({"y": [3.0] * 20, "x": np.arange(20.0), "g": [1, 2, 3, 4] * 5})
    kwargs = {"groups": "g"} if model == "mixed" else {}
    with pytest.raises(
        SurveyValidationError,
        match=r"the outcome 'y' has one value \(3\) in all "
        r"20 rows the model uses",
    ):
        fit(data, "y ~ x", model, **kwargs)
    assert not [w for w in recwarn if "divide" in str(w.message)]


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_ordered_models_take_categorical_predictors_with_reduced_rank_coding(model):
    """``~ 0 + rhs`` gave the first factor a dummy per level (a constant): refused by
    statsmodels.  The estimates are statsmodels' OrderedModel on the same design,
    built by hand: the reference levels 'a' and 1 left out."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(8)
    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n), "town": rng.choice(["a", "b", "c"], n)})
    d["county"] = rng.integers(1, 4, n)
    latent = 0.8 * d["x"] + d["town"].map({"a": 0.0, "b": 0.7, "c": -0.5}) + rng.logistic(size=n)
    d["y"] = np.digitize(latent, [-1.0, 0.0, 1.0]) + 1
    res = fit(d, "y ~ x + town + C(county)", model)
    assert res.params.index.tolist() == [
        "town[T.b]",
        "town[T.c]",
        "C(county)[T.2]",
        "C(county)[T.3]",
        "x",
    ]
    exog = pd.DataFrame(
        {
            "town[T.b]": (d["town"] == "b").astype(float),
            "town[T.c]": (d["town"] == "c").astype(float),
            "C(county)[T.2]": (d["county"] == 2).astype(float),
            "C(county)[T.3]": (d["county"] == 3).astype(float),
            "x": d["x"],
        }
    )
    distr = "logit" if model == "ologit" else "probit"
    ref = OrderedModel(d["y"], exog, distr=distr).fit(method="bfgs", disp=False, maxiter=2000)
    np.testing.assert_allclose(res.params, ref.params.iloc[:5], atol=1e-4)
    np.testing.assert_allclose(res.bse, ref.bse.iloc[:5], rtol=1e-3)
    probs = predicted_probabilities(res, "x", [0.0, 1.0])
    assert np.allclose(probs.groupby("x")["probability"].sum(), 1.0)


def test_an_ordered_model_without_intercept_says_what_to_remove():
    d = pd.DataFrame({"y": [1, 2, 3, 1, 2, 3, 2, 1], "g": list("abababab")})
    with pytest.raises(SurveyValidationError, match=r"remove '0 \+' or '- 1'"):
        fit(d, "y ~ 0 + g", "ologit")


# Two villages whose variance is zero (the tester's s_ws.csv after --singletons drop):
# statsmodels' L-BFGS reports convergence there at an infinite log-likelihood with an
# intercept of 5e-16 (standard error 3e8).
TWO_VILLAGES = pd.DataFrame(
    {
        "y": [40.0, 92, 45, 58, 71, 84, 97, 50, 63, 76, 89, 42,
              55, 68, 81, 94, 47, 60, 73, 86, 99, 52, 65, 78, 91, 44],
        "x": [1.0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0],
        "g": ["e"] * 12 + ["w"] * 14,
    }
)  # fmt: skip


def test_a_mixed_fit_at_an_infinite_likelihood_is_not_used():
    res = fit(TWO_VILLAGES, "y ~ x", "mixed", groups="g")
    ols = fit(TWO_VILLAGES, "y ~ x", "ols")
    assert np.isfinite(res.llf) and res.bse["Intercept"] < 10
    # A zero variance between the groups: the fixed effects are nearly those of OLS.
    np.testing.assert_allclose(res.params, ols.params, atol=0.2)
    assert any(n.startswith("lbfgs: reported convergence but log-likelihood not finite")
               for n in res.notes)  # fmt: skip
    assert "estimated at (numerically) zero" in res.notes[-1]
    assert json.loads(json.dumps(res.to_dict()))["notes"] == res.notes


def test_a_mixed_model_no_optimiser_fits_is_refused_with_what_to_try(monkeypatch):
    """It was returned with a note 'estimates may be unreliable' that no command printed."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    real_fit = MixedLM.fit

    def unconverged(self, *args, **kwargs):
        res = real_fit(self, *args, **kwargs)
        res.converged = False
        return res

    monkeypatch.setattr(MixedLM, "fit", unconverged)
    with pytest.raises(SurveyValidationError) as err:
        fit(TWO_VILLAGES, "y ~ x", "mixed", groups="g")
    message = str(err.value)
    assert "gave no usable fit with any optimiser" in message and "(2 groups)" in message
    assert "powell: did not converge" in message and "--model ols --cluster g" in message


@pytest.mark.parametrize("model", ["ols", "ologit", "oprobit", "mixed"])
def test_collinear_terms_are_refused_by_name(model, recwarn):
    """``party + I(party*2)``: OLS warned from survey/ols.py and split the effect
    arbitrarily (0.002 and 0.004); the ordered models failed on a singular matrix."""
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"party": rng.integers(0, 2, 60), "g": np.repeat(np.arange(6), 10)})
    d["y"] = rng.integers(1, 6, 60)
    kwargs = {"groups": "g"} if model == "mixed" else {}
    with pytest.raises(SurveyValidationError) as err:
        fit(d, "y ~ party + I(party * 2)", model, **kwargs)
    message = str(err.value)
    assert "'I(party * 2)' is a linear combination of 'party'" in message
    assert "drop that term" in message
    assert not [w for w in recwarn if "rank-deficient" in str(w.message)]
    with pytest.raises(SurveyValidationError, match=r"'I\(1 - party\)' is a linear combination"):
        fit(d, "y ~ party + I(1 - party)", model, **kwargs)


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_perfect_separation_is_named(model):
    """xx = 10 × the answer (the tester's s_sep.csv): 'workbench: Singular matrix'."""
    q = [1, 3, 5, 4, 1, 3, 5, 4, 4, 1, 3, 5, 2, 4, 1, 3, 5, 2, 4, 1, 3, 5, 2, 4, 1, 3, 5, 2, 4]
    d = pd.DataFrame({"q1": q, "xx": [10 * v for v in q], "age": np.arange(20.0, 78, 2)})
    with pytest.raises(SurveyValidationError) as err:
        fit(d, "q1 ~ xx + age", model)
    message = str(err.value)
    assert "perfect separation: 'xx' sorts the answers exactly" in message
    assert "Drop it" in message
    # A dummy every respondent of which gives the top answer separates too.
    d["top"] = (d["q1"] == 5).astype(int)
    with pytest.raises(SurveyValidationError, match="'top' sorts the answers"):
        fit(d, "q1 ~ age + top", model)
    assert np.isfinite(fit(d, "q1 ~ age", model).params).all()


def test_separation_by_a_combination_of_predictors_is_refused():
    """x1 + x2 sorts the answers, neither alone does: Newton's method climbed to
    coefficients of 500 with SEs of 5e4 and the table printed them."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x1": rng.normal(size=120), "x2": rng.normal(size=120)})
    d["y"] = np.digitize(d["x1"] + d["x2"], [-1, 0, 1]) + 1
    with pytest.raises(SurveyValidationError) as err:
        fit(d, "y ~ x1 + x2", "ologit")
    assert "has no estimate (Newton's method did not converge" in str(err.value)
    assert "perfect separation" in str(err.value)


@pytest.mark.parametrize("model", ["ologit", "oprobit"])
def test_separation_where_newton_says_converged_is_refused(model):
    """Four respondents (a five-row file, one visits code 99): visits and age together
    sort the answers; Newton's method reported convergence at a log-likelihood of 0, and
    coefficients of 159 were printed with empty standard errors '()' and pseudo-R² 1."""
    d = pd.DataFrame({"sat": [5.0, 1, 2, 4], "visits": [3.0, 0, 1, 4], "age": [83.0, 18, 76, 50]})
    with pytest.raises(SurveyValidationError) as err:
        fit(d, "sat ~ visits + age", model)
    assert "has no estimate (Newton's method" in str(err.value)
    assert "perfect separation" in str(err.value)


def test_newton_stopping_at_the_maximum_is_kept_with_a_note(data):
    """The tester's oprobit with C(educ): Newton's step tolerance fails at the maximum
    (score 1e-6, coefficients below 0.4); that is an estimate, not separation."""
    res = fit(data, "sat_overall ~ visits + C(educ)", "oprobit")
    assert np.isfinite(res.bse).all() and res.params.abs().max() < 1
    assert any(n.startswith("Newton's method stopped without meeting") for n in res.notes)


def test_ols_with_no_more_rows_than_coefficients_is_refused(tmp_path, capsys):
    """Two respondents, two coefficients: statsmodels' RuntimeWarning and empty standard
    errors '()' were printed as a result."""
    from workbench.cli import main

    path = tmp_path / "s.csv"
    path.write_text("村,信任,走访\n东村,40,1\n西村,50,2\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "信任 ~ 走访"]) == 2
    err = capsys.readouterr().err
    assert "2 complete row(s) for 2 coefficient(s)" in err and "RuntimeWarning" not in err
    path.write_text("村,信任,走访\n东村,40,1\n西村,50,2\n西村,52,3\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "信任 ~ 走访", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # by hand: slope 12 / 2 = 6, residuals (-4/3, 8/3, -4/3), s² = 32/3, se = sqrt(s² / 2)
    assert out["params"]["走访"] == pytest.approx(6.0)
    assert out["bse"]["走访"] == pytest.approx((32 / 3 / 2) ** 0.5)


def test_a_text_predictor_with_a_value_per_row_is_refused(tmp_path, capsys):
    """问卷星's 来自IP (one value per respondent) as a predictor fitted 119 dummies, R² 1."""
    from workbench.cli import main

    path = tmp_path / "s.csv"
    way = ["电话", "走访┋谈心"]
    rows = [f"{40 + i % 7},113.57.{i}.1(湖北-武汉),{way[i % 2]}" for i in range(40)]
    path.write_text("trust,来自IP,方式\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["survey", "fit", str(path), "--formula", "trust ~ 来自IP"]) == 2
    said = capsys.readouterr().err
    assert "column '来自IP' holds text with 40 different values in 40 rows" in said
    assert main(["survey", "fit", str(path), "--formula", "trust ~ C(来自IP)", "--json"]) == 2
    capsys.readouterr()  # refused as before: more coefficients than rows (a choice, made)
    formula = "trust ~ Q('方式').str.contains('走访')"
    assert main(["survey", "fit", str(path), "--formula", formula, "--json"]) == 0


@pytest.mark.parametrize("model", ["ols", "ologit"])
def test_few_clusters_are_noted(data, model):
    """Clustered by the 4 villages of a small survey, an independent predictor came out
    at p < 0.01 with no word that cluster-robust SEs from 4 clusters are too small."""
    few = data[data["village"].isin(data["village"].unique()[:4])]
    res = fit(few, "sat_overall ~ visits + party", model, cluster="village")
    assert res.notes[0].startswith(
        "only 4 clusters of 'village': cluster-robust standard errors from fewer than 20 "
        "clusters are too small"
    )
    test = "t with G − 1 degrees of freedom" if model == "ols" else "the normal distribution"
    assert f"the p-values (from {test}) too low" in res.notes[0]
    assert not fit(data, "sat_overall ~ visits + party", model, cluster="village").notes


@pytest.mark.parametrize(
    ("model", "same_as"), [("ols", "the intercept"), ("ologit", "a constant (which the cutpoints")]
)
def test_a_constant_predictor_is_named_as_a_constant(model, same_as):
    """'const' (1 in every row) was 'a linear combination of the intercept'."""
    data = pd.DataFrame({"y": [1.0, 2, 3, 2, 1, 3, 2, 3], "x": [1.0, 3, 4, 2, 2, 5, 3, 4],
                         "const": 1.0})  # fmt: skip
    with pytest.raises(
        SurveyValidationError, match=re.escape(f"'const' is 1 in every row, the same as {same_as}")
    ):
        fit(data, "y ~ x + const", model)


def test_an_ordered_model_of_a_thermometer_is_refused_quickly():
    """A 0–100 outcome fitted by ologit: 75 cutpoints, four minutes, a ConvergenceWarning."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    d = pd.DataFrame({"y": np.clip(np.round(50 + 10 * x + rng.normal(0, 15, 300)), 0, 100),
                      "x": x})  # fmt: skip
    with pytest.raises(
        SurveyValidationError,
        match=r"the outcome has \d+ different values, so "
        r"the model would estimate \d+ cutpoints",
    ):
        fit(d, "y ~ x", "ologit")
    d["y11"] = np.clip(np.round(d["y"] / 10), 0, 10)  # an 11-point scale is ordered answers
    assert np.isfinite(fit(d, "y11 ~ x", "ologit").bse).all()


def test_two_way_clusters_in_an_ordered_model_name_the_coarser_column():
    """'ologit: only one-way clustering is supported, not ['村', '乡镇']' said nothing of what
    to do; the message names the coarser column with its clusters, and OLS."""
    rng = np.random.default_rng(2)
    n = 120
    village = np.arange(n) % 24  # five respondents in each village
    frame = pd.DataFrame(
        {
            "村": [f"{v}村" for v in village],
            "乡镇": [f"{v // 6}镇" for v in village],
            "走访": rng.poisson(3, n),
            "满意": rng.integers(1, 6, n),
        }
    )
    with pytest.raises(SurveyValidationError) as err:
        fit(frame, "满意 ~ 走访", "ologit", cluster="村,乡镇")
    message = str(err.value)
    assert "not 村 and 乡镇; cluster by one column: the coarser, --cluster 乡镇 (4" in message
    assert "fewer than 20 clusters" in message and "--model ols" in message
