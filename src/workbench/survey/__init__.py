"""Survey modelling: satisfaction with cadres regressed on liaison measures.

The subpackage loads a survey (the bundled SIMULATED one or a user's CSV, Stata
or SPSS file through a mapping file), validates it, builds scales and fits the
models this field uses, with tidy tables and bilingual figures.

=========== ==============================================================
module      does
=========== ==============================================================
codebook    variable names, zh/en labels, ranges and missing codes
simulate    the documented data-generating process (``data/survey/dgp.yaml``)
io          reading CSV/.dta/.sav, mapping files, missing codes, drop report
validate    clear errors naming file, column and rows
scales      Cronbach's alpha with a CI, item analysis, scale scores
prepare     the columns a model needs, listwise deletion with a report
models      :func:`fit`: one formula interface to the estimators below
model_names the models' names, light to import (the command line lists them)
ols         OLS/WLS with classical, HC1/HC3, one- and two-way cluster SEs
ordered     ordered logit/probit with cutpoints on the latent scale
mixed       linear mixed models (random intercepts and slopes, REML/ML)
results     :class:`SurveyFit`: tidy table and the ``--json`` object
recovery    estimates against the simulation's true parameters
margins     predicted probabilities and average marginal effects
rank        BLUPs, composition-adjusted group values, rank intervals
link        code prevalence per place joined to the survey (text covariates)
record      provenance of survey results (JSON, tables, figures)
tables      tidy results and side-by-side tables (markdown, HTML, LaTeX)
plots       coefficient and predicted-probability plots
cli         ``workbench survey simulate|fit|rank``
=========== ==============================================================

Examples
--------
>>> from workbench.survey import fit
>>> from workbench.survey.io import load_survey
>>> df = load_survey().frame  # the bundled SIMULATED survey
>>> res = fit(df, "trust ~ visits * solved", model="ols", cluster="village")
>>> res.model, res.nobs > 500
('ols', True)
"""

from __future__ import annotations

__all__ = ["SurveyFit", "fit"]


def __getattr__(name: str):
    # Imported on first use: the package's own submodules (``workbench survey simulate``,
    # its argument parser) need no statsmodels, which ``models`` loads (about 1.5 s).
    if name in __all__:
        from workbench.survey import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
