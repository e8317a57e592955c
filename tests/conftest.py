"""Shared fixtures: the bundled seeds are loaded once per test session."""

from __future__ import annotations

import pytest

from workbench.corpus import Corpus, load_corpus


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    return load_corpus()


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
