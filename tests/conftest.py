"""Shared fixtures: the bundled seeds are loaded once per test session."""

from __future__ import annotations

import pytest

from workbench.corpus import Corpus, load_corpus


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    return load_corpus()
