"""Read YAML with libyaml's C parser where PyYAML has it (ten times faster).

The bundled codebook is 1,200 lines; with PyYAML's pure-Python parser reading it took
about a second of every command that codes (issue 15's profile). The C loader builds the
same objects and raises the same :class:`yaml.YAMLError` subclasses; PyYAML without
libyaml falls back to the Python loader.
"""

from __future__ import annotations

import re
from typing import IO, Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader (in C when PyYAML was built with libyaml) that refuses a key given
    twice in one mapping. YAML's rule keeps the last silently: a second ``rules:`` added
    to a code replaced its first rules, and a codebook lost them without a word. Keys
    brought in by a merge (``<<: *anchor``) may still be overridden, as YAML intends."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key!r}", key_node.start_mark,
                    )  # fmt: skip
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def safe_load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse one YAML document with the safe loader (tags of Python objects refused, a key
    given twice in one mapping refused).

    Examples
    --------
    >>> safe_load("codes: [P_x, C_y]\\nversion: '2.2'")
    {'codes': ['P_x', 'C_y'], 'version': '2.2'}
    >>> safe_load("a: &x {k: 1, j: 2}\\nb: {<<: *x, k: 3}")["b"]  # a merge may be overridden
    {'k': 3, 'j': 2}
    >>> text = "id: L_x\\nrules: [走访]\\nrules: [谈心]"
    >>> try:
    ...     safe_load(text)
    ... except yaml.YAMLError as err:
    ...     print(describe_error(err, text))
    line 3, column 1: found duplicate key 'rules' (in the block that starts on line 1, column 1)
        rules: [谈心]
        ^
    a key is given twice in one block, and only the last would count: merge the two (one \
list holding every item) or delete one
    """
    return yaml.load(stream, Loader=SafeLoader)


def describe_error(err: yaml.YAMLError, text: str) -> str:
    """Where a YAML file breaks and what to check, for a person editing it by hand.

    PyYAML's own message names ``"<unicode string>"`` for the file, counts lines from
    one but puts the cause (an unclosed ``[``) on another line than the problem, and
    does not show the line. Here: the line and column, the line itself with a caret,
    where the construct it is inside began, and what usually causes that problem.

    Parameters
    ----------
    err : yaml.YAMLError
        From :func:`safe_load`.
    text : str
        The text that was parsed (to quote the line).

    Examples
    --------
    >>> text = "codes: [走访, 谈心\\nversion: 1"
    >>> try:
    ...     safe_load(text)
    ... except yaml.YAMLError as err:
    ...     print(describe_error(err, text))
    line 2, column 8: did not find expected ',' or ']' (in the list opened on line 1, column 8)
        version: 1
               ^
    check that a list's [ is closed by ] on its line (or quote a term holding , [ ] or #)
    """
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    if mark is None:
        return problem
    where = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, start = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and start is not None:
        what = _CONTEXTS.get(context, context)
        where += f" ({what} on line {start.line + 1}, column {start.column + 1})"
    lines = text.splitlines()
    # A tab is shown as → (one column, so the caret stays under its character).
    shown = lines[mark.line].replace("\t", TAB_SHOWN) if mark.line < len(lines) else ""
    caret = f"\n    {shown}\n    {' ' * mark.column}^" if shown.strip() else ""
    first = start.line if start is not None else max(mark.line - 1, 0)
    tab = _tab_line(lines, first, mark.line, mark.column, problem)
    if tab is not None:
        return where + caret + (
            f"\nline {tab + 1} has a tab (shown as {TAB_SHOWN}) where YAML needs spaces: "
            "replace each tab with spaces (and set the editor to insert spaces)"
        )  # fmt: skip
    wide = _full_width_colon(lines, first, mark.line)
    if wide is not None:
        # PyYAML reports the line after the key, where it gave up looking for ':'.
        return (
            where
            + caret
            + (
                f"\nline {wide + 1} writes its key with a full-width colon '：' "
                f"({lines[wide].strip()}): write ':' and a space"
            )
        )
    return where + caret + "\n" + _hint(problem, context or "")


#: How a tab is shown in a quoted line of the file.
TAB_SHOWN = "→"

#: A tab in a line's indentation, or right after a list's "-".
_TAB_INDENT = re.compile(r"^[ \t]*(?:-[ \t]+)*\t")


def _tab_line(lines: list[str], first: int, last: int, column: int, problem: str) -> int | None:
    """The line (0-based) whose tab broke the parse, or None when no tab is to blame.

    libyaml blames a tab in the indentation as "found character that cannot start any
    token", which says nothing of tabs; ``last`` is the line it reports, ``first`` the
    line its context starts on: the tab's line is ``last`` when the tab is there, else the
    nearest line above it (back to ``first``) indented with one.

    Examples
    --------
    >>> _tab_line(["a:", "\\tb: 1"], 0, 1, 0, "found character that cannot start any token")
    1
    >>> _tab_line(["a: [x", "b: 1"], 0, 1, 3, "did not find expected ',' or ']'") is None
    True
    """
    if last >= len(lines):
        return None
    at_mark = lines[last][column : column + 1] == "\t"
    if not (at_mark or "tab" in problem):
        return None
    for i in range(last, max(min(first, last), 0) - 1, -1):
        if (i == last and at_mark) or _TAB_INDENT.match(lines[i]):
            return i
    return None


#: A key written with a Chinese input method's colon: "label_zh：村务公开", "- id：x".
_WIDE_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w -]*?\s*：")


def _full_width_colon(lines: list[str], first: int, last: int) -> int | None:
    """The first of ``lines[first..last]`` (0-based) whose key ends in a full-width colon."""
    for i in range(first, min(last, len(lines) - 1) + 1):
        if _WIDE_KEY.match(lines[i]) and ":" not in lines[i].split("：", 1)[0]:
            return i
    return None


#: PyYAML's names of what it was inside, in a hand-editor's words.
_CONTEXTS = {
    "while parsing a flow sequence": "in the list opened",
    "while parsing a flow mapping": "in the {…} opened",
    "while scanning a quoted scalar": "in the quoted text opened",
    "while parsing a block mapping": "in the block that starts",
    "while parsing a block collection": "in the list that starts",
    "while scanning a plain scalar": "after the text that starts",
    "while constructing a mapping": "in the block that starts",
}


def _hint(problem: str, context: str) -> str:
    """What usually causes ``problem`` in a file edited by hand."""
    if "duplicate key" in problem:
        return (
            "a key is given twice in one block, and only the last would count: merge the "
            "two (one list holding every item) or delete one"
        )
    if "tab" in problem:
        return "indent with spaces, not tabs (set the editor to insert spaces)"
    if "flow sequence" in context:
        return (
            "check that a list's [ is closed by ] on its line (or quote a term holding , [ ] or #)"
        )
    if "flow mapping" in context:
        return "check that a { is closed by } (or quote a value holding , { } or #)"
    if "quoted scalar" in context:
        return 'close the quotes (a " inside double quotes is written \\")'
    if "mapping values are not allowed" in problem:
        return "put text holding ': ' in quotes, or start the key on a line of its own"
    return (
        "check the indentation (spaces, the same for keys of one level) and that brackets "
        "and quotes are closed"
    )
