"""The whole report on a stranger's data: `workbench report --corpus … --survey … --out …`.

Runs every notebook of the repository on the small corpus, survey, mapping and places
table of :mod:`user_data` (all made by the test), the way a researcher would, and
checks the pages speak of that data, not of the bundled seeds or the simulated survey.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from user_data import make_corpus, make_metadata, make_places, make_survey

from workbench import config

WORKBENCH = str(Path(sys.executable).with_name("workbench"))  # installed beside the interpreter
SEED_FILES = sorted(p.stem for p in config.SEEDS_DIR.glob("*.txt"))


@pytest.fixture(scope="module")
def user_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("stranger")
    texts = root / "texts"
    make_corpus(texts)
    survey, mapping = make_survey(root / "survey")
    places = make_places(root / "places.csv", texts)
    metadata = make_metadata(root / "metadata.csv")
    out = root / "report"
    done = subprocess.run(
        [WORKBENCH, "report", "--corpus", str(texts), "--metadata", str(metadata),
         "--survey", str(survey),
         "--mapping", str(mapping), "--places", str(places), "--out", str(out)],
        capture_output=True, text=True, cwd=root, timeout=1800,
    )  # fmt: skip
    return done, out, texts


def _text(page: Path) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded."""
    body = page.read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_report_runs_on_the_users_data(user_report):
    done, out, _ = user_report
    assert done.returncode == 0, done.stderr[-3000:]
    assert "on your data" in done.stderr
    notebooks = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert sorted(p.stem for p in out.glob("*.html") if p.stem != "index") == notebooks
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{n}.html"' in index for n in notebooks)
    # What the notebooks wrote stays beside the pages, not in the bundled report's folder.
    assert any((out / "figures").iterdir())


def test_pages_speak_of_the_users_corpus_not_the_seeds(user_report):
    done, out, _ = user_report
    assert done.returncode == 0
    overview = _text(next(out.glob("01-*.html")))
    for name in ("a_county_report", "b_self_criticism", "e_网页文章"):
        assert name in overview
    for page in out.glob("0[1-3]-*.html"):
        text = _text(page)
        assert not [s for s in SEED_FILES if s in text], page.name
    # The stranger's files: GB18030 and Traditional are read and reported as such.
    assert "gb18030" in overview and "traditional" in overview


def _outputs(page: Path) -> str:
    """The text of the page's cell outputs (not its code or prose)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return "\n".join(o.get_text(" ") for o in soup.select(".jp-OutputArea-output"))


def test_the_users_dates_give_trends(user_report):
    done, out, _ = user_report
    assert done.returncode == 0
    coding = _outputs(next(out.glob("02-*.html")))
    assert "5 of 5 articles carry a date" in coding and "in 5 year(s)" in coding
    assert "before / after 2013-06: 2 / 3 dated articles" in coding


def test_survey_pages_do_not_claim_the_simulation(user_report):
    done, out, _ = user_report
    assert done.returncode == 0
    survey = _outputs(next(out.glob("04-*.html")))
    assert "my_survey.csv" in survey and "real data" in survey
    link = _outputs(next(out.glob("05-*.html")))
    for outputs in (survey, link):
        # The user's survey is not the simulated one: no stamp, no checks against a truth.
        assert "SIMULATED data" not in outputs and "SIMULATED link" not in outputs
    assert "skipped" in survey  # the checks against the simulation's truth, with why
    assert "township" in link and "trust" in link


def test_a_survey_with_fewer_columns_runs_the_models_it_can(tmp_path):
    """An ordinary survey: overall satisfaction, some liaison measures, no covariates.

    The models run on the terms the survey has and say which of the standard model's they
    left out; only the models without their outcome are skipped.
    """
    import pandas as pd
    import yaml

    csv, mapping = make_survey(tmp_path / "survey", n=300)
    names = yaml.safe_load(mapping.read_text(encoding="utf-8"))["columns"]
    kept = ["county", "township", "village", "visits", "talk", "petition", "open_affairs",
            "contact_card", "sat_overall"]  # fmt: skip
    pd.read_csv(csv)[[names[c] for c in kept]].to_csv(csv, index=False)
    mapping.write_text(yaml.safe_dump({
        "columns": {c: names[c] for c in kept}, "missing": {"visits": [-1]},
    }, allow_unicode=True), encoding="utf-8")  # fmt: skip
    texts = tmp_path / "texts"
    make_corpus(texts)
    places = make_places(tmp_path / "places.csv", texts)
    notebooks = [str(config.NOTEBOOKS_DIR / f"{n}.ipynb")
                 for n in ("04-survey-satisfaction", "05-text-survey-link")]  # fmt: skip
    out = tmp_path / "report"
    done = subprocess.run(
        [WORKBENCH, "report", *notebooks, "--corpus", str(texts), "--survey", str(csv),
         "--mapping", str(mapping), "--places", str(places), "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    survey = " ".join(_outputs(out / "04-survey-satisfaction.html").split())
    assert ("The model 'Ordered logit: overall' runs without the term(s) solved, visits:solved, "
            "follow_up, mass_meeting, cadre_days, party, female, age, educ") in survey  # fmt: skip
    assert "adjust for less than the standard model's" in survey
    assert "The model 'Ordered logit: overall' is skipped" not in survey
    assert "The model 'Mixed: trust' is skipped: the survey has no column(s) trust " in survey
    assert "Cadre home visits" in survey  # the LaTeX lines of the ordered logit's table
    assert " 接访 0." in survey  # 接访 (petition) is one of the standard models' terms
    # Without `solved`, section 4 still draws visits alone, and says what it cannot answer.
    assert "cannot say whether visits help only when problems are solved" in survey
    assert "P(overall satisfaction = 5) goes from" in survey
    link = " ".join(_outputs(out / "05-text-survey-link.html").split())
    assert ("The model of sat_overall runs without the term(s) solved, visits:solved, "
            "follow_up, mass_meeting, cadre_days, party") in link  # fmt: skip
    assert "skipped" not in link and "P_formalism" in link
