"""workbench.yamlio: the C loader reads every bundled YAML file as the Python loader does."""

from __future__ import annotations

import pytest
import yaml

from workbench import config
from workbench.yamlio import SafeLoader, describe_error, safe_load

BUNDLED = sorted([*config.RESOURCES_DIR.rglob("*.yaml"), *(config.ROOT / "data").rglob("*.yaml")])


def test_there_are_bundled_yaml_files():
    names = {p.name for p in BUNDLED}
    assert {"codebook.yaml", "structure.yaml", "boilerplate.yaml"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_same_objects_as_the_python_loader(path):
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


def test_the_c_loader_is_used_where_pyyaml_has_it():
    assert issubclass(SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_a_key_given_twice_is_refused_where_yaml_kept_the_last(tmp_path, capsys):
    """A second `rules:` in a code replaced the first rules without a word."""
    from workbench.cli import main
    from workbench.coding.codebook import TEMPLATE

    text = TEMPLATE.read_text(encoding="utf-8")
    example = '    examples: ["下基层走马观花,流于形式"]\n'
    assert example in text
    cb = tmp_path / "mine.yaml"
    cb.write_text(text.replace(example, example + "    rules: [走过场]\n", 1), encoding="utf-8")
    assert main(["codebook", "lint", "--codebook", str(cb)]) == 2
    err = capsys.readouterr().err
    assert "found duplicate key 'rules'" in err and "merge the two" in err
    assert "Traceback" not in err
    # merges may override what they bring in; a duplicate in a nested block is found too
    assert safe_load("a: &x {k: 1}\nb:\n  <<: *x\n  k: 2\n")["b"] == {"k": 2}
    with pytest.raises(yaml.YAMLError, match="duplicate key 'type'"):
        safe_load("columns:\n  sat:\n    type: ordinal\n    type: numeric\n")


def test_a_key_written_with_a_full_width_colon_is_named(tmp_path, capsys):
    """A Chinese input method's '：' after a key was reported at the next line, as "could
    not find expected ':'", and the hint spoke of indentation."""
    from workbench.cli import main
    from workbench.coding.codebook import TEMPLATE

    text = TEMPLATE.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("label_zh:"))
    wide = line.replace("label_zh:", "label_zh：").replace("： ", "：")
    cb = tmp_path / "mine.yaml"
    cb.write_text(text.replace(line, wide, 1), encoding="utf-8")
    assert main(["codebook", "lint", "--codebook", str(cb)]) == 2
    err = capsys.readouterr().err
    number = text.splitlines().index(line) + 1
    assert f"line {number} writes its key with a full-width colon '：'" in err, err
    assert "write ':' and a space" in err and "Traceback" not in err
    # Full-width colons inside values are text, as YAML reads them.
    assert safe_load("label_zh: 走访：入户\n") == {"label_zh": "走访：入户"}


def test_python_objects_are_refused_and_errors_are_yaml_errors():
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        safe_load("codes: [P_x\nversion: 1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b: 1\n\tc: 2\n", ["line 3, column 1", "line 3 has a tab", "replace each tab"]),
        ("title: 编码表: 第二版\n", ["line 1, column 11", "in quotes"]),
        ('a: "unclosed\n', ["in the quoted text opened on line 1", "close the quotes"]),
    ],
)
def test_errors_are_described_for_a_hand_editor(text, expected):
    with pytest.raises(yaml.YAMLError) as err:
        safe_load(text)
    message = describe_error(err.value, text)
    assert all(part in message for part in expected), message


def test_a_tab_in_the_indentation_is_named_with_its_line(tmp_path, capsys):
    """A tab used for indentation was blamed as "found character that cannot start any
    token", with a hint about indentation that did not mention tabs."""
    from workbench.cli import main
    from workbench.coding.codebook import TEMPLATE

    text = TEMPLATE.read_text(encoding="utf-8")
    line = "    label_zh: 问题"
    assert line in text.splitlines()
    cb = tmp_path / "mine.yaml"
    cb.write_text(text.replace(line, "\tlabel_zh: 问题", 1), encoding="utf-8")
    assert main(["codebook", "lint", "--codebook", str(cb)]) == 2
    err = capsys.readouterr().err
    number = text.splitlines().index(line) + 1
    assert f"line {number} has a tab (shown as →) where YAML needs spaces" in err, err
    assert "replace each tab with spaces" in err and "Traceback" not in err
    assert "    →label_zh: 问题\n    ^" in err  # the line, its tab made visible
    # a mapping file: a tab after a list's "-", and a line of a block with a tab
    for broken, where in (("columns:\n  trust:\n  -\tq1\n", 3), ("a:\n  b: 1\n\tc: 2\n", 3)):
        with pytest.raises(yaml.YAMLError) as caught:
            safe_load(broken)
        said = describe_error(caught.value, broken)
        assert f"line {where} has a tab" in said, said
    # an error that is not a tab's keeps its own hint
    with pytest.raises(yaml.YAMLError) as caught:
        safe_load("a:\n  b: 1\n  @c: 2\n")
    assert "tab" not in describe_error(caught.value, "a:\n  b: 1\n  @c: 2\n")
