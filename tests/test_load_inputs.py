"""load_corpus given no inputs (tester 20)."""

from __future__ import annotations

import pytest

from workbench.corpus import load_corpus


def test_an_empty_list_of_inputs_is_refused_with_what_to_do():
    # It raised "ValueError: no sketches to concatenate" from inside the duplicate search.
    with pytest.raises(ValueError, match=r"^no inputs given: name files, folders"):
        load_corpus([])
    with pytest.raises(ValueError, match=r"^no inputs given"):
        load_corpus(iter(()))
