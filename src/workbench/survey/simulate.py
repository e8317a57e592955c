"""Draw the SIMULATED survey from the data-generating process in ``dgp.yaml``.

Respondents are nested in villages, townships and counties.  The process and its
true parameters are documented in ``data/survey/dgp.yaml``
(:data:`workbench.config.SURVEY_DGP`); :func:`simulate` reads them from there, so
the estimates of the recovery test and the coverage benchmark are compared with
the same numbers that generated the data.

Examples
--------
>>> df = simulate(n=240, seed=7)
>>> len(df), df["village"].nunique()
(240, 120)
>>> sorted(df["sat_overall"].unique().tolist())[:5]
[1, 2, 3, 4, 5]
>>> df.equals(simulate(n=240, seed=7))
True
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import config
from workbench.provenance import make_record, sha256_file, write_sidecar
from workbench.yamlio import safe_load

SAT_ITEMS = ("sat_support", "sat_approve", "sat_happy", "sat_consent", "sat_content")
REVERSED_ITEM = "sat_showy"
LIKERT_MAX = 5


@functools.cache
def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return safe_load(fh)


def load_dgp(path: str | Path | None = None) -> dict[str, Any]:
    """Read the data-generating process (default :data:`workbench.config.SURVEY_DGP`).

    Examples
    --------
    >>> load_dgp()["satisfaction"]["coefficients"]["visits:solved"]
    0.25
    """
    return _read_yaml(Path(path or config.SURVEY_DGP))


def linear_predictor(df: pd.DataFrame, coefficients: Mapping[str, float]) -> np.ndarray:
    """``sum(coef * term)`` where a term ``a:b`` is the product of columns ``a`` and ``b``.

    ``Intercept`` adds its coefficient as a constant.

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0]})
    >>> linear_predictor(d, {"Intercept": 1.0, "a": 2.0, "a:b": 10.0}).tolist()
    [3.0, 25.0]
    """
    eta = np.zeros(len(df))
    for term, coef in coefficients.items():
        if term == "Intercept":
            eta += coef
            continue
        value = np.ones(len(df))
        for part in term.split(":"):
            value = value * df[part].to_numpy(dtype=float)
        eta += coef * value
    return eta


def _bounded_normal(rng: np.random.Generator, spec: Mapping[str, float], size: int) -> np.ndarray:
    draw = rng.normal(spec["mean"], spec["sd"], size)
    return np.clip(np.round(draw), spec["min"], spec["max"]).astype(int)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _villages(rng: np.random.Generator, n: int, dgp: Mapping[str, Any]) -> pd.DataFrame:
    s = dgp["structure"]
    n_town = s["counties"] * s["townships_per_county"]
    n_vil = n_town * s["villages_per_township"]
    v = dgp["village"]
    villages = pd.DataFrame(
        {
            "village": np.arange(1, n_vil + 1),
            "township": np.arange(n_vil) // s["villages_per_township"] + 1,
            "cadre_days": _bounded_normal(rng, v["cadre_days"], n_vil),
            "open_affairs": _bounded_normal(rng, v["open_affairs"], n_vil),
            "activity": rng.normal(0.0, v["activity_sd"], n_vil),
        }
    )
    villages["county"] = (villages["township"] - 1) // s["townships_per_county"] + 1
    # Even allocation keeps every village populated (no singleton clusters) for any n.
    return villages.iloc[np.arange(n) % n_vil].reset_index(drop=True)


def _respondents(
    rng: np.random.Generator, base: pd.DataFrame, r: Mapping[str, Any]
) -> pd.DataFrame:
    n = len(base)
    df = base.copy()
    df["age"] = rng.integers(r["age"]["min"], r["age"]["max"] + 1, n)
    df["female"] = rng.binomial(1, r["p_female"], n)
    df["educ"] = _bounded_normal(rng, r["educ"], n)
    df["party"] = rng.binomial(1, r["p_party"] + 0.10 * (df["educ"] > 9))
    df["rural"] = rng.binomial(1, r["p_rural"], n)
    inc = r["log_income"]
    df["income"] = np.round(
        np.exp(rng.normal(inc["mean"] + inc["per_educ"] * df["educ"], inc["sd"]))
    )
    vs = r["visits"]
    rate = np.exp(
        vs["log_rate"]
        + vs["per_activity"] * df["activity"]
        + vs["per_cadre_day"] * df["cadre_days"]
    )
    df["visits"] = np.minimum(rng.poisson(rate), vs["max"])
    df["talk"] = rng.binomial(
        1, _logistic(r["talk"]["intercept"] + r["talk"]["per_visit"] * df["visits"])
    )
    df["petition"] = rng.binomial(1, r["p_petition"], n)
    df["visit_down"] = rng.binomial(1, r["p_visit_down"], n)
    fu = r["follow_up"]
    df["follow_up"] = rng.binomial(
        1, _logistic(fu["intercept"] + fu["per_petition"] * df["petition"])
    )
    cc = r["contact_card"]
    df["contact_card"] = rng.binomial(
        1, _logistic(cc["intercept"] + cc["per_activity"] * df["activity"])
    )
    df["mass_meeting"] = rng.binomial(1, r["p_mass_meeting"], n)
    so = r["solved"]
    logit = (
        so["intercept"] + so["per_follow_up"] * df["follow_up"] + so["per_talk"] * df["talk"]
        + so["per_activity"] * df["activity"]
    )  # fmt: skip
    df["solved"] = rng.binomial(1, _logistic(logit))
    w = np.where(df["rural"] == 1, r["weight"]["rural"], r["weight"]["urban"])
    df["weight"] = np.round(w / w.mean(), 6)
    return df


def _cut(latent: np.ndarray, cutpoints: list[float]) -> np.ndarray:
    """Category 1..K+1 of ``latent`` given K increasing cutpoints."""
    return np.searchsorted(np.asarray(cutpoints), latent, side="left") + 1


def _satisfaction(rng: np.random.Generator, df: pd.DataFrame, sat: Mapping[str, Any]) -> None:
    latent = linear_predictor(df, sat["coefficients"]) + rng.logistic(0.0, 1.0, len(df))
    df["sat_overall"] = _cut(latent, sat["cutpoints"])
    for item in SAT_ITEMS:
        df[item] = _cut(latent + rng.normal(0.0, sat["item_noise_sd"], len(df)), sat["cutpoints"])
    noisy = latent + rng.normal(0.0, sat["item_noise_sd"], len(df))
    df[REVERSED_ITEM] = LIKERT_MAX + 1 - _cut(noisy, sat["cutpoints"])


def _trust(rng: np.random.Generator, df: pd.DataFrame, tr: Mapping[str, Any]) -> np.ndarray:
    n_vil = int(df["village"].max())
    u = rng.multivariate_normal(np.zeros(2), np.asarray(tr["cov_re"]), n_vil)
    u0, u1 = u[df["village"] - 1, 0], u[df["village"] - 1, 1]
    value = linear_predictor(df, tr["fixed"]) + u0 + u1 * df["visits"].to_numpy()
    value += rng.normal(0.0, np.sqrt(tr["scale"]), len(df))
    df["trust"] = np.clip(np.round(value), 0, 100).astype(int)
    return u


def _missing(rng: np.random.Generator, df: pd.DataFrame, spec: Mapping[str, Any]) -> None:
    groups = {"sat_items": [*SAT_ITEMS, REVERSED_ITEM, "sat_overall"]}
    for key, m in spec.items():
        for col in groups.get(key, [key]):
            hit = rng.random(len(df)) < m["share"]
            df.loc[hit, col] = rng.choice(m["codes"], int(hit.sum()))


COLUMNS = (
    "resp_id", "county", "township", "village", "weight",
    "age", "female", "educ", "income", "party", "rural",
    "visits", "talk", "petition", "visit_down", "follow_up", "contact_card",
    "open_affairs", "mass_meeting", "cadre_days", "solved",
    *SAT_ITEMS, REVERSED_ITEM, "sat_overall", "trust",
)  # fmt: skip


def simulate(n: int = 3000, seed: int = 5, dgp: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Draw ``n`` respondents from the data-generating process with ``seed``.

    :func:`simulate_with_effects` also returns the villages' true random effects.

    Parameters
    ----------
    n : int, default 3000
        Number of respondents (spread evenly over the villages).
    seed : int, default 5
        Seed of :func:`numpy.random.default_rng`; the bundled file uses 5.
    dgp : mapping, optional
        A parsed DGP (default :func:`load_dgp`).

    Returns
    -------
    pandas.DataFrame
        One row per respondent with the codebook's columns, missing-value codes
        (8/9, 98/99, 998/999, 9998/9999) left in as a real survey has them.

    Raises
    ------
    ValueError
        If ``n`` is smaller than the number of villages.
    """
    return simulate_with_effects(n, seed, dgp)[0]


def simulate_with_effects(
    n: int = 3000, seed: int = 5, dgp: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`simulate`, and the true village random effects of the trust equation.

    Returns
    -------
    survey : pandas.DataFrame
        What :func:`simulate` returns (the same draws).
    effects : pandas.DataFrame
        ``village, Intercept, visits``: each village's true random intercept and
        random slope on visits (``trust.cov_re`` in the DGP) — what a mixed model's
        BLUPs estimate.

    Examples
    --------
    >>> survey, effects = simulate_with_effects(240, seed=1)
    >>> list(effects.columns), len(effects)
    (['village', 'Intercept', 'visits'], 120)
    >>> survey.equals(simulate(240, seed=1))
    True
    """
    dgp = dgp or load_dgp()
    s = dgp["structure"]
    n_vil = s["counties"] * s["townships_per_county"] * s["villages_per_township"]
    if n < n_vil:
        raise ValueError(f"n must be at least the number of villages ({n_vil}), not {n}")
    rng = np.random.default_rng(seed)
    df = _respondents(rng, _villages(rng, n, dgp), dgp["respondent"])
    _satisfaction(rng, df, dgp["satisfaction"])
    u = _trust(rng, df, dgp["trust"])
    _missing(rng, df, dgp["missing"])
    df["resp_id"] = np.arange(1, n + 1)
    out = df[list(COLUMNS)].copy()
    # Columns that never hold a missing code stay integers; income may hold 9998/9999.
    out["income"] = out["income"].astype(int)
    effects = pd.DataFrame(
        {"village": np.arange(1, len(u) + 1), "Intercept": u[:, 0], "visits": u[:, 1]}
    )
    return out, effects


def write_simulated(
    out: str | Path, n: int = 3000, seed: int = 5, dgp_path: str | Path | None = None
) -> Path:
    """Simulate and write a CSV with a provenance sidecar (seed, n, DGP checksum).

    Examples
    --------
    >>> import tempfile, json
    >>> p = write_simulated(Path(tempfile.mkdtemp()) / "s.csv", n=120, seed=1)
    >>> rec = json.loads(Path(str(p) + ".provenance.json").read_text())
    >>> rec["parameters"]["seed"], rec["parameters"]["simulated"]
    (1, True)
    """
    dgp_path = Path(dgp_path or config.SURVEY_DGP)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    simulate(n, seed, load_dgp(dgp_path)).to_csv(out, index=False, lineterminator="\n")
    record = make_record(
        {config.display_path(dgp_path): sha256_file(dgp_path)},
        {"n": n, "seed": seed, "simulated": True, "dgp": config.display_path(dgp_path)},
    )
    write_sidecar(out, record)
    return out
