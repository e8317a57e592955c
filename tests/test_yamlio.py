"""workbench.yamlio: the C loader reads every bundled YAML file as the Python loader does."""

from __future__ import annotations

import pytest
import yaml

from workbench import config
from workbench.yamlio import SafeLoader, describe_error, safe_load

BUNDLED = sorted(
    [*config.RESOURCES_DIR.rglob("*.yaml"), *(config.ROOT / "data").rglob("*.yaml")]
)


def test_there_are_bundled_yaml_files():
    names = {p.name for p in BUNDLED}
    assert {"codebook.yaml", "structure.yaml", "boilerplate.yaml"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_same_objects_as_the_python_loader(path):
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


def test_the_c_loader_is_used_where_pyyaml_has_it():
    assert SafeLoader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_python_objects_are_refused_and_errors_are_yaml_errors():
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        safe_load("codes: [P_x\nversion: 1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b: 1\n\tc: 2\n", ["line 3, column 1", "spaces, not tabs"]),
        ("title: 编码表: 第二版\n", ["line 1, column 11", "in quotes"]),
        ('a: "unclosed\n', ["in the quoted text opened on line 1", "close the quotes"]),
    ],
)
def test_errors_are_described_for_a_hand_editor(text, expected):
    with pytest.raises(yaml.YAMLError) as err:
        safe_load(text)
    message = describe_error(err.value, text)
    assert all(part in message for part in expected), message
