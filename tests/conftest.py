"""Shared fixtures: the bundled seeds are loaded once per test session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from workbench import config
from workbench.corpus import Corpus, load_corpus


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    return load_corpus()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A project root in tmp_path, for this process (config) and the kernel (env)."""
    root = tmp_path / "project"
    monkeypatch.setenv("WORKBENCH_ROOT", str(root))
    for name, rel in {
        "NOTEBOOKS_DIR": "notebooks",
        "REPORTS_DIR": "reports",
        "FIGURES_DIR": "reports/figures",
        "PROCESSED_DIR": "data/processed",
    }.items():
        monkeypatch.setattr(config, name, root / rel)
    config.NOTEBOOKS_DIR.mkdir(parents=True)
    return root


def load_generator():
    """``benchmarks/generate.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location(
        "bench_generate", config.ROOT / "benchmarks" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """A small generated corpus: 6+ files with copies, Traditional and GB18030 files."""
    gen = load_generator()
    folder = tmp_path_factory.mktemp("generated")
    # The Markov model learns from the seeds' body sentences, so a change of how the seeds
    # are cleaned or split changes the corpus a seed gives: the tests need every kind of
    # copy, which is checked here rather than found missing by the tests that use them.
    shares = gen.Shares(exact=0.1, near=0.15, traditional=0.2, gb18030_files=0.3)
    stats = gen.generate(folder, size=200_000, seed=3, file_bytes=30_000, shares=shares)
    kinds = {"exact": stats.exact, "near": stats.near, "traditional": stats.traditional,
             "gb18030_files": stats.gb18030_files}  # fmt: skip
    assert stats.files >= 6 and all(kinds.values()), (stats.files, kinds)
    return folder


def _eagerly_imported(module: str, names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` a fresh interpreter has loaded after ``import module``."""
    import ast
    import subprocess
    import sys

    code = f"import sys, {module}; print(sorted(set({list(names)!r}) & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(ast.literal_eval(done.stdout))


@pytest.fixture
def eager_imports():
    """``eager_imports(module, *names)``: the heavy modules that importing ``module`` loads.

    Importing the workbench must stay cheap, so tests assert this is empty.
    """
    return lambda module, *names: _eagerly_imported(module, names)


# ----------------------------------------------------------------- headless Chromium

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # This machine's network is closed: without these Chromium keeps trying Google's hosts.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1200,900",
)  # fmt: skip


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium driven by Selenium (Debian's chromium and chromium-driver).

    ``./run test`` installs them where it can (as root with apt-get); elsewhere the
    browser tests are skipped with this message rather than failing.
    """
    import shutil

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip(
            "headless Chromium is not installed: `./run test` installs Debian's chromium and "
            "chromium-driver when it runs as root with apt-get; install them to run this test"
        )
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager would otherwise try to download one.
    session = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver))
    yield session
    session.quit()


def console_errors(session) -> list[str]:
    """The browser console's errors since the last call (warnings and logs left out)."""
    return [e["message"] for e in session.get_log("browser") if e["level"] == "SEVERE"]
