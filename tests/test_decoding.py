"""``workbench.decoding``: the one byte decoder, below every layer.

How bytes are decoded (BOMs, strict UTF-8, GB18030 vs Big5, line repairs, mojibake, binary
files) is tested through the corpus reader in ``test_readers.py``, where the seed texts
are; these tests cover what the module itself promises: it stands alone, it is cheap to
import, and what moved here is what the reader and ``workbench.csvio`` use.
"""

from __future__ import annotations

import ast
import pickle
import re
import subprocess
import sys

import pytest

from workbench.decoding import Decoded, ReadError, decode, decode_html


def test_import_is_cheap(eager_imports) -> None:
    assert eager_imports("workbench.decoding", "charset_normalizer", "pandas") == set()


def test_it_imports_no_other_workbench_module() -> None:
    # The corpus reader and csvio (hence the survey) import it: it must import none of them.
    code = (
        "import sys, workbench.decoding\n"
        "print(sorted(m for m in sys.modules if m.startswith('workbench')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(done.stdout.strip()))
    assert loaded == {"workbench", "workbench.config", "workbench.decoding"}


def test_read_error_pickles_from_its_new_module() -> None:
    err = ReadError("a.txt", "looks like a binary file")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is ReadError and str(again) == str(err)
    assert ReadError.__module__ == "workbench.decoding"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<meta charset="big5"><p>密切聯繫群眾。</p>'.encode("big5"), "big5"),
        # declared gb2312 but served as UTF-8: the declaration does not fit, detection wins
        ('<meta charset="gb2312"><p>密切联系群众。</p>'.encode(), "utf-8"),
    ],
)
def test_decode_html_uses_a_declared_charset_only_when_it_fits(page, expected) -> None:
    assert decode_html(page, "p.html").encoding == expected


def test_decode_returns_a_clean_file_without_repairs() -> None:
    assert decode("干群关系\r\n".encode("gbk"), "a.txt") == Decoded("干群关系\n", "gb18030")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "is a zip container (a .docx Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "is an old Office document (.doc"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "is a PDF, not a text file"),
        (b"{\\rtf1\\ansi \\'b8\\'c9}", "is an RTF document, not a text file"),
    ],
)
def test_a_document_of_another_format_named_as_text_says_what_it_is(data, what):
    """Tester 20: a .docx or .doc renamed .txt "looks like a binary file (contains NUL bytes)";
    an RTF or PDF saved as .txt was no better."""
    with pytest.raises(ReadError, match=re.escape(what)):
        decode(data, "a.txt")
