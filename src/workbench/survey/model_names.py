"""The survey models' names, light to import.

The command line lists them in ``--model``'s choices and help, which must not load
statsmodels (``workbench survey fit --help``); :mod:`workbench.survey.models` and
:mod:`workbench.survey.ordered` take them from here.

>>> MODELS
('ols', 'ologit', 'oprobit', 'mixed')
>>> DISTR["oprobit"]
'probit'
"""

from __future__ import annotations

#: The ordered models and statsmodels' ``distr`` of each.
DISTR = {"ologit": "logit", "oprobit": "probit"}
#: Every model :func:`workbench.survey.fit` takes, in the order the help lists them.
MODELS = ("ols", *DISTR, "mixed")
