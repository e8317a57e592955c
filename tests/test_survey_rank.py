"""Group rankings from mixed models: ``workbench.survey.rank`` and ``workbench survey rank``.

References:

* the closed form of a random-intercept model, computed here with numpy from the
  fitted variance components: ``blup_j = tau2 / (tau2 + sigma2 / n_j) * mean residual_j``,
  ``Var(b_j | y) = (1 / tau2 + n_j / sigma2) ** -1``;
* R ``lme4::ranef(lmer(...), condVar = TRUE)`` for the first group of statsmodels'
  test data sets ``lme00``–``lme11`` (random intercepts, and intercepts with a
  correlated random slope), ``statsmodels/regression/tests/results/lme_r_results.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.regression.tests.results import lme_r_results as lme4

from workbench import config
from workbench.cli import main
from workbench.survey import fit
from workbench.survey.io import load_survey
from workbench.survey.rank import GROUP_COLUMNS, conditional_effects, rank_groups
from workbench.survey.validate import SurveyValidationError

matplotlib.use("Agg")

LME_DIR = Path(statsmodels.__file__).parent / "regression" / "tests" / "results"


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_survey().frame


@pytest.fixture(scope="module")
def intercept_fit(survey):
    return fit(survey, "trust ~ visits + party + age", "mixed", groups="village")


def test_blups_and_conditional_variances_match_the_closed_form(intercept_fit):
    res = intercept_fit
    ranking = rank_groups(res, n_sim=50, seed=0)
    frame = res.result.model.data.frame
    # Independently of statsmodels' random_effects: residuals from the fixed part.
    y, x = patsy.dmatrices("trust ~ visits + party + age", frame, return_type="dataframe")
    resid = y.iloc[:, 0].to_numpy() - x.to_numpy() @ res.params.to_numpy()
    tau2, sigma2 = float(res.cov_re.iloc[0, 0]), float(res.scale)
    by = pd.DataFrame({"g": frame["village"].to_numpy(), "r": resid}).groupby("g")["r"]
    n, mean = by.size(), by.mean()
    blup = tau2 / (tau2 + sigma2 / n) * mean
    var = 1 / (1 / tau2 + n / sigma2)
    assert n.nunique() > 1  # unequal group sizes, so shrinkage differs between villages
    table = ranking.groups.set_index("id").loc[n.index]
    assert_allclose(table["blup"], blup, rtol=1e-6, atol=1e-8)
    assert_allclose(table["se"] ** 2, var, rtol=1e-6)
    assert (table["n"] == n).all()
    crit = stats.norm.ppf(0.975)
    assert_allclose(table["hi"] - table["lo"], 2 * crit * np.sqrt(var), rtol=1e-6)
    # The standard respondent: sample means; adjusted = x0'beta + blup.
    x0 = np.r_[1.0, frame[["visits", "party", "age"]].mean().to_numpy()]
    assert_allclose(table["adjusted"], x0 @ res.params.to_numpy() + blup, rtol=1e-10)
    # rank 1 = highest adjusted value, and the table is sorted by rank
    assert ranking.groups["rank"].tolist() == list(range(1, len(n) + 1))
    assert ranking.groups["adjusted"].is_monotonic_decreasing


LME_SETS = list(range(12))  # lme01: the variance between groups is 0 (lme4: BLUP 0, condVar 0)


@pytest.mark.parametrize("method", ["ml", "reml"])
@pytest.mark.parametrize("ix", LME_SETS)
def test_blups_match_lme4_condvar(ix, method):
    data = pd.read_csv(LME_DIR / f"lme{ix:02d}.csv")
    fe = [c for c in data if c.startswith("exog_fe")]
    re = [c for c in data if c.startswith("exog_re")]  # exog_re_0 is the constant
    res = fit(
        data,
        "endog ~ 0 + " + " + ".join(fe),
        "mixed",
        groups="groups",
        re_formula="~" + " + ".join(re[1:]) if len(re) > 1 else None,
        reml=method == "reml",
        singletons="keep",  # lme4 keeps groups of one respondent
    )
    ranking = rank_groups(res, n_sim=10, seed=0)
    first = ranking.components[ranking.components["id"] == 0.0]
    ref_mean = getattr(lme4, f"ranef_mean_{method}_drf_{ix}")
    ref_var = np.atleast_2d(getattr(lme4, f"ranef_condvar_{method}_drf_{ix}"))
    assert first["term"].tolist() == ["Intercept", *re[1:]]
    # lme4 and statsmodels stop at slightly different points of the likelihood.
    assert_allclose(first["blup"], ref_mean, atol=5e-4)
    assert_allclose(first["se"] ** 2, np.diag(ref_var), atol=5e-4)
    if len(re) == 1:
        row = ranking.groups.set_index("id").loc[0.0]
        assert row["blup"] == pytest.approx(ref_mean[0], abs=5e-4)
        assert row["se"] ** 2 == pytest.approx(ref_var[0, 0], abs=5e-4)


def test_conditional_effects_equal_statsmodels_and_survive_a_zero_variance(survey):
    res = fit(survey, "trust ~ visits + party", "mixed", groups="village", re_formula="~visits")
    blups, covs = conditional_effects(res.result)
    labels = res.result.model.group_labels
    assert_allclose(blups, [res.result.random_effects[g].to_numpy() for g in labels], atol=1e-9)
    assert_allclose(covs, [res.result.random_effects_cov[g].to_numpy() for g in labels], atol=1e-9)
    # No variance between groups: statsmodels cannot predict, lme4 gives zeros.
    flat = fit(_groups([0, 0, 0, 0], n=20, noise=1.0, seed=1), "y ~ x", "mixed", groups="g")
    assert flat.cov_re.iloc[0, 0] < 1e-6
    ranking = rank_groups(flat, n_sim=400, seed=0)
    assert ranking.indistinguishable == 1.0
    assert "estimated at (numerically) zero" in ranking.notes[0]
    assert (ranking.groups["rank_lo"] == 1).all() and (ranking.groups["rank_hi"] == 4).all()


def test_random_slope_blup_is_taken_at_the_standard_respondent(survey):
    res = fit(survey, "trust ~ visits + party", "mixed", groups="village", re_formula="~visits")
    ranking = rank_groups(res, at={"visits": 4}, n_sim=20, seed=0)
    table = ranking.groups.set_index("id")
    comp = ranking.components.pivot(index="id", columns="term", values="blup")
    assert_allclose(table["blup"], (comp["Intercept"] + 4 * comp["visits"]).loc[table.index])
    g = table.index[0]
    cov = res.result.random_effects_cov[g].to_numpy()
    z0 = np.array([1.0, 4.0])
    assert table.loc[g, "se"] == pytest.approx(np.sqrt(z0 @ cov @ z0))
    # At visits = 0 the ranking follows the intercepts, at 4 the slopes count too.
    at0 = rank_groups(res, at={"visits": 0}, n_sim=20, seed=0).groups.set_index("id")
    assert_allclose(at0["blup"], comp["Intercept"].loc[at0.index])
    assert not (at0["rank"] == table["rank"].loc[at0.index]).all()


def test_standard_respondent_defaults_and_overrides(survey, intercept_fit):
    ranking = rank_groups(intercept_fit, n_sim=20, seed=0)
    frame = intercept_fit.result.model.data.frame
    assert ranking.standard["source"].tolist() == ["mean", "mean", "mean"]
    assert ranking.standard.loc["age", "value"] == pytest.approx(frame["age"].mean())
    party0 = rank_groups(intercept_fit, at={"party": 0}, n_sim=20, seed=0)
    party1 = rank_groups(intercept_fit, at={"party": "1"}, n_sim=20, seed=0)  # CLI text
    assert party1.standard.loc["party", ["value", "source"]].tolist() == [1, "given"]
    # A random-intercept model: the standard respondent moves every group by the
    # same fixed effect, and leaves BLUPs and ranks alone.
    a, b = party0.groups.set_index("id"), party1.groups.set_index("id").loc[party0.groups["id"]]
    assert_allclose(b["adjusted"] - a["adjusted"], intercept_fit.params["party"])
    assert (a["rank"] == b["rank"]).all() and np.allclose(a["blup"], b["blup"])
    # A categorical predictor takes its reference level.
    data = survey.assign(region=survey["county"].map({1: "东", 2: "西", 3: "南", 4: "北"}))
    res = fit(data, "trust ~ visits + region", "mixed", groups="village")
    std = rank_groups(res, n_sim=20, seed=0).standard
    assert std.loc["region", ["value", "source"]].tolist() == ["东", "reference"]
    with pytest.raises(SurveyValidationError, match=r"'regoin' \(did you mean 'region'\?\)"):
        rank_groups(res, at={"regoin": "西"})
    with pytest.raises(SurveyValidationError, match="'visits' is numeric"):
        rank_groups(res, at={"visits": "many"})


def _groups(means: list[float], n: int, noise: float, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(len(means)), n)
    y = np.asarray(means)[g] + noise * rng.standard_normal(len(g))
    return pd.DataFrame({"y": y, "x": rng.standard_normal(len(g)), "g": g})


def test_well_separated_groups_have_exact_ranks():
    data = _groups([0, 10, 20, 30, 40], n=50, noise=1.0)
    ranking = rank_groups(fit(data, "y ~ x", "mixed", groups="g"), n_sim=500, seed=0)
    t = ranking.groups
    assert t["id"].tolist() == [4, 3, 2, 1, 0]
    assert (t["rank_lo"] == t["rank"]).all() and (t["rank_hi"] == t["rank"]).all()
    assert ranking.indistinguishable == 0.0


def test_overlapping_groups_have_wide_rank_intervals():
    data = _groups([0, 0.05, 0.1, 0.15, 0.2, 0.25], n=5, noise=3.0, seed=4)
    ranking = rank_groups(fit(data, "y ~ x", "mixed", groups="g"), n_sim=2000, seed=0)
    t = ranking.groups
    assert (t["rank_lo"] <= t["rank"]).all() and (t["rank"] <= t["rank_hi"]).all()
    assert (t["rank_hi"] - t["rank_lo"] >= 2).all()
    assert ranking.indistinguishable == 1.0


def test_pair_share_agrees_with_the_simulated_rank_draws(intercept_fit):
    ranking = rank_groups(intercept_fit, n_sim=4000, seed=11)
    draws = ranking.rank_draws
    assert sorted(draws[0]) == list(range(1, draws.shape[1] + 1))  # each draw a permutation
    # Share of draws with j ranked above k; undecided when within (alpha/2, 1 - alpha/2).
    above = (draws[:, :, None] < draws[:, None, :]).mean(axis=0)
    iu = np.triu_indices(draws.shape[1], k=1)
    simulated = float(((above[iu] > 0.025) & (above[iu] < 0.975)).mean())
    assert 0.3 < ranking.indistinguishable < 0.9
    assert simulated == pytest.approx(ranking.indistinguishable, abs=0.02)
    mean_rank = ranking.groups["rank_mean"].to_numpy()
    assert_allclose(mean_rank, draws.mean(axis=0))
    assert np.corrcoef(mean_rank, ranking.groups["rank"])[0, 1] > 0.95


def test_seed_makes_the_ranking_deterministic(intercept_fit):
    a = rank_groups(intercept_fit, n_sim=300, seed=7)
    b = rank_groups(intercept_fit, n_sim=300, seed=7)
    c = rank_groups(intercept_fit, n_sim=300, seed=8)
    pd.testing.assert_frame_equal(a.groups, b.groups)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert not np.array_equal(a.rank_draws, c.rank_draws)
    assert (a.groups["rank"] == c.groups["rank"]).all()  # point ranks do not depend on draws


def test_rank_refuses_models_that_are_not_mixed(survey):
    with pytest.raises(ValueError, match="needs a mixed model"):
        rank_groups(fit(survey, "trust ~ visits", "ols"))


def test_plots_label_simulated_and_groups(intercept_fit):
    import matplotlib.pyplot as plt

    from workbench.survey.plots import caterpillar_plot, rank_interval_plot

    ranking = rank_groups(intercept_fit, n_sim=100, seed=0)
    for plot in (caterpillar_plot, rank_interval_plot):
        fig = plot(ranking, lang="zh", simulated=True)
        assert "模拟数据" in fig.texts[0].get_text()
        ax = fig.axes[0]
        assert ax.get_yticks().size == 0  # 120 villages: too many to label
        assert "村" in ax.get_title()
        plt.close(fig)
    few = rank_groups(
        fit(_groups([0, 1, 2], n=10, noise=1.0), "y ~ x", "mixed", groups="g"), n_sim=50
    )
    fig = rank_interval_plot(few, lang="en")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["0", "1", "2"]
    assert fig.texts == []
    plt.close(fig)


# --- the command line ---------------------------------------------------------------


def _run(capsys, *args):
    status = main(["survey", "rank", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured


def test_rank_json_contract_and_determinism(capsys):
    args = [config.SURVEY_DATA, "--formula", "trust ~ visits + party", "--groups", "village"]
    status, first = _run(capsys, *args, "--at", "party=0", "--n-sim", "300", "--json")
    assert status == 0, first.err
    out = json.loads(first.out)
    assert out["simulated"] is True and out["group"] == "village" and out["n_groups"] == 120
    assert list(out["groups"][0])[:10] == GROUP_COLUMNS[:10]
    assert out["groups"][0]["rank"] == 1 and isinstance(out["groups"][0]["id"], int)
    assert out["standard"]["party"] == {"value": 0, "source": "given"}
    assert out["standard"]["visits"]["source"] == "mean"
    assert out["seed"] == 0 and out["n_sim"] == 300 and 0 < out["indistinguishable_pairs"] < 1
    assert out["fit"]["model"] == "mixed"
    _, second = _run(capsys, *args, "--at", "party=0", "--n-sim", "300", "--json")
    assert second.out == first.out
    status, table = _run(capsys, *args, "--re-formula", "~visits", "--n-sim", "100")
    assert status == 0 and "SIMULATED" in table.out and "rank_lo" in table.out
    assert "of pairs of groups cannot be ordered at the 95% level" in table.out


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--formula", "trust ~ visits", "--groups", "vilage"],
         ["survey.csv", "'vilage'", "'village'"]),
        (["--formula", "trust ~ vists", "--groups", "village"],
         ["survey.csv", "'vists'", "'visits'"]),
        (["--formula", "trust ~ visits", "--groups", "village", "--re-formula", "~vists"],
         ["survey.csv", "random-effects formula '~vists'", "'visits'"]),
        (["--formula", "trust ~ visits", "--groups", "village", "--at", "prty=1"],
         ["survey.csv", "'prty'", "predictors are ['visits']"]),
        (["--formula", "trust ~ visits", "--groups", "village", "--at", "visits"],
         ["--at 'visits'", "NAME=VALUE"]),
        (["--formula", "trust ~ visits", "--groups", "village", "--n-sim", "0"], ["--n-sim"]),
    ],
)  # fmt: skip
def test_rank_bad_input_exits_2_with_a_message(capsys, args, names):
    status, captured = _run(capsys, config.SURVEY_DATA, *args)
    assert status == 2
    assert captured.err.startswith("workbench: ")
    for name in names:
        assert name in captured.err


def test_rank_singleton_groups_are_refused_or_kept(tmp_path, capsys):
    path = tmp_path / "my.csv"
    # Villages that differ (0.4 a step): with a variance of zero every SE would be 0.
    rows = ["y,x,v"] + [
        f"{(i % 5) * 0.3 + i * 0.01 + (i % 6) * 0.4:.2f},{i % 7},{i % 6}" for i in range(30)
    ]
    rows.append("1.0,3,99")  # village 99 has one respondent
    path.write_text("\n".join(rows) + "\n")
    status, captured = _run(capsys, path, "--formula", "y ~ x", "--groups", "v")
    assert status == 2 and "my.csv: column 'v'" in captured.err
    assert "--singletons keep" in captured.err
    status, captured = _run(
        capsys, path, "--formula", "y ~ x", "--groups", "v", "--singletons", "keep", "--json"
    )
    assert status == 0, captured.err
    ids = {g["id"]: g for g in json.loads(captured.out)["groups"]}
    assert ids[99]["n"] == 1 and ids[99]["se"] > max(g["se"] for k, g in ids.items() if k != 99)


def test_ranking_recovers_the_simulated_villages_true_effects(survey):
    """The bundled survey is simulate(3000, seed 5): its villages' true effects are known."""
    from workbench.survey.simulate import simulate_with_effects

    _, effects = simulate_with_effects()
    formula = "trust ~ visits * solved + talk + open_affairs + cadre_days + party + age + educ"
    res = fit(survey, formula, "mixed", groups="village", re_formula="~visits")
    ranking = rank_groups(res, n_sim=1000, seed=5)
    table = ranking.groups.set_index("id")
    visits = ranking.standard.loc["visits", "value"]
    e = effects.set_index("village").loc[table.index]
    true = e["Intercept"] + e["visits"] * visits
    true_rank = (-true).rank(method="min")
    covered = ((table["rank_lo"] <= true_rank) & (true_rank <= table["rank_hi"])).mean()
    assert covered >= 0.9
    adjusted = stats.spearmanr(table["adjusted"], true)[0]
    raw = stats.spearmanr(survey.groupby("village")["trust"].mean().loc[table.index], true)[0]
    assert adjusted > 0.85 and adjusted > raw + 0.05  # adjusting for composition helps


def test_a_numerically_zero_variance_ties_the_groups_with_a_note():
    """Two villages, variance 4e-8 next to a residual variance of 365 (the tester's s1.csv):
    BLUPs of ±3.7e-9 ranked 西村 1 and 东村 2 without a note."""
    trust = [40, 53, 66, 79, 92, 45, 58, 71, 84, 97, 50, 63, 76, 89, 42,
             55, 68, 81, 94, 47, 60, 73, 86, 99, 52, 65, 78, 91, 44]  # fmt: skip
    party = [1, 0, 0] * 9 + [1, 0]
    d = pd.DataFrame({"trust": trust, "party": party, "village": ["东村"] * 15 + ["西村"] * 14})
    res = fit(d, "trust ~ party", "mixed", groups="village")
    assert 0 < res.cov_re.iloc[0, 0] < 1e-6 * res.scale  # numerically zero, not exactly
    ranking = rank_groups(res, n_sim=200, seed=0)
    assert (ranking.groups["blup"] == 0).all() and (ranking.groups["se"] == 0).all()
    assert ranking.groups["rank"].tolist() == [1, 1]
    assert ranking.groups["adjusted"].nunique() == 1
    assert "estimated at (numerically) zero" in ranking.notes[0]
    assert "estimated at (numerically) zero" in res.notes[-1]


def test_a_fit_that_did_not_converge_is_not_ranked(survey):
    res = fit(survey, "trust ~ visits", "mixed", groups="township")
    res.result.converged = False
    with pytest.raises(ValueError, match="needs a converged mixed model"):
        rank_groups(res, n_sim=10)


def test_group_codes_of_a_stata_file_are_ranked_as_whole_numbers(tmp_path, capsys):
    """Village codes read from a .dta are floats: the table printed 1.000, the figure 1.0."""
    import pyreadstat

    from workbench.cli import main

    rng = np.random.default_rng(4)
    village = np.repeat([1.0, 2.0, 3.0, 4.0], 15)
    trust = 50 + 6 * village + rng.normal(0, 4, len(village))
    path = tmp_path / "s.dta"
    pyreadstat.write_dta(pd.DataFrame({"village": village, "trust": trust}), str(path))
    assert main(["survey", "rank", str(path), "--groups", "village", "--formula", "trust ~ 1",
                 "--n-sim", "100", "--out", str(tmp_path / "r.csv")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "1.000 15" not in out and " 4 15 " in out
    assert pd.read_csv(tmp_path / "r.csv")["id"].tolist() == [4, 3, 2, 1]


def test_plots_of_groups_that_tie_say_so():
    """A between-group variance of zero ranked every group 1: the figure alone read as a
    result (it now says the groups tie); the rank axis has whole-number ticks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.survey import fit
    from workbench.survey.plots import caterpillar_plot, rank_interval_plot
    from workbench.survey.rank import rank_groups

    frame = pd.DataFrame({"village": np.repeat(["东村", "西村", "南村"], 4),
                          "trust": [40, 60, 50, 70] * 3})  # fmt: skip
    ranking = rank_groups(fit(frame, "trust ~ 1", "mixed", groups="village"), n_sim=50, seed=0)
    assert (ranking.groups["rank"] == 1).all()
    for plot in (rank_interval_plot, caterpillar_plot):
        fig = plot(ranking, lang="zh")
        assert [t.get_text() for t in fig.axes[0].texts] == ["组间方差估计为零：各组并列，无法排名"]
        plt.close(fig)
    fig = rank_interval_plot(ranking, lang="en")
    ticks = [t for t in fig.axes[0].get_xticks() if 0 <= t <= 4]
    assert all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_at_names_a_level_of_a_categorical_predictor_or_is_refused(tmp_path, capsys):
    """--at 乡镇=河口 (for 河口乡) and --at 年份=2023 with C(年份) gave PatsyError tracebacks."""
    from workbench.cli import main

    rng = np.random.default_rng(5)
    places = [("东村", "城关镇"), ("西村", "城关镇"), ("柳林村", "河口乡"), ("新华村", "河口乡")]
    rows = [f"{v},{t},{(2019, 2023)[i % 2]},{rng.integers(0, 6)},{rng.integers(30, 90)}"
            for i, (v, t) in enumerate(places * 10)]  # fmt: skip
    path = tmp_path / "s.csv"
    path.write_text("村,乡镇,年份,走访,信任\n" + "\n".join(rows) + "\n", encoding="utf-8")
    base = ["survey", "rank", str(path), "--groups", "村", "--n-sim", "50"]
    assert main([*base, "--formula", "信任 ~ 走访 + C(年份)", "--at", "年份=2023"]) == 0
    assert "年份=2023" in capsys.readouterr().out
    assert main([*base, "--formula", "信任 ~ 走访 + 乡镇", "--at", "乡镇=河口"]) == 2
    err = capsys.readouterr().err
    said = "gives '乡镇' the value '河口', which is not one of its levels (did you mean '河口乡'?)"
    assert said in err
    assert "Traceback" not in err


def test_a_mixed_model_and_ranking_of_few_groups_say_so():
    """Two townships were fitted and ranked without a word on how little two groups tell."""
    from workbench.survey import fit
    from workbench.survey.rank import rank_groups

    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"乡镇": np.repeat(["城关镇", "河口乡"], 30),
                          "走访": rng.integers(0, 6, 60)})  # fmt: skip
    town = np.where(frame["乡镇"] == "城关镇", 4, -4)
    frame["信任"] = 50 + 3 * frame["走访"] + town + rng.normal(0, 5, 60)
    res = fit(frame, "信任 ~ 走访", "mixed", groups="乡镇")
    assert res.notes[0].startswith("only 2 groups of '乡镇': the variance between them")
    notes = rank_groups(res, n_sim=50, seed=0).notes
    assert "only 2 乡镇 groups: a ranking of so few" in " ".join(notes)
