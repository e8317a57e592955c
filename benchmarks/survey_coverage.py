"""Coverage of the survey models' 95% intervals over many simulated surveys.

    .venv/bin/python benchmarks/survey_coverage.py [--seeds 100] [--n 3000] [--json]

For seeds 1..S, draws a SIMULATED survey from ``data/survey/dgp.yaml``, fits the
ordered logit (satisfaction) and the mixed model (trust) that generated it, and
reports per parameter how often its 95% interval covers the true value (should
be near 0.95; with S seeds the Monte Carlo SE is about sqrt(0.95·0.05/S)), how
often all parameters of an equation are covered at once by Bonferroni intervals
(should be at least 0.95), and the mean estimate of each variance component
against its true value.  No unit test asserts on these figures.
"""

from __future__ import annotations

import argparse
import json
import math

import pandas as pd

from workbench.survey.io import clean_codes
from workbench.survey.recovery import fit_truth, truth_table
from workbench.survey.simulate import load_dgp, simulate


def run(seeds: int, n: int) -> dict:
    dgp = load_dgp()
    per_param = []
    joint = {"satisfaction": 0, "trust": 0}
    for seed in range(1, seeds + 1):
        data, _ = clean_codes(simulate(n, seed, dgp))
        for eq in joint:
            res = fit_truth(data, eq, dgp)
            table = truth_table(res, dgp[eq]).assign(equation=eq, seed=seed)
            joint[eq] += bool(truth_table(res, dgp[eq], bonferroni=True)["covered"].dropna().all())
            per_param.append(table)
    allp = pd.concat(per_param, ignore_index=True)
    checked = allp[allp["kind"] != "variance"]
    coverage = checked.groupby(["equation", "term"], sort=False)["covered"].mean()
    variances = (
        allp[allp["kind"] == "variance"].groupby("term", sort=False)[["truth", "estimate"]].mean()
    )
    return {
        "seeds": seeds,
        "n": n,
        "mc_se": round(math.sqrt(0.95 * 0.05 / seeds), 3),
        "coverage": {f"{eq}/{t}": round(float(v), 3) for (eq, t), v in coverage.items()},
        "mean_coverage": {eq: round(float(coverage[eq].mean()), 3) for eq in joint},
        "joint_bonferroni": {eq: round(v / seeds, 3) for eq, v in joint.items()},
        "variance_components": {
            t: {"truth": float(r.truth), "mean_estimate": round(float(r.estimate), 3)}
            for t, r in variances.iterrows()
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = run(args.seeds, args.n)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(f"{out['seeds']} seeds, n = {out['n']}, Monte Carlo SE of a coverage ≈ {out['mc_se']}")
    for key, value in out["coverage"].items():
        print(f"  {key:40s} {value:.3f}")
    print("mean per-parameter coverage:", out["mean_coverage"])
    print("all parameters covered (Bonferroni):", out["joint_bonferroni"])
    for term, v in out["variance_components"].items():
        print(f"  {term:30s} truth {v['truth']:8.3f}  mean estimate {v['mean_estimate']:8.3f}")


if __name__ == "__main__":
    main()
