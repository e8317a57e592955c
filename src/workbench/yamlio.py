"""Read YAML with libyaml's C parser where PyYAML has it (ten times faster).

The bundled codebook is 1,200 lines; with PyYAML's pure-Python parser reading it took
about a second of every command that codes (issue 15's profile). The C loader builds the
same objects and raises the same :class:`yaml.YAMLError` subclasses; PyYAML without
libyaml falls back to the Python loader.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

#: The safe loader, in C when PyYAML was built with libyaml.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse one YAML document with the safe loader (tags of Python objects refused).

    Examples
    --------
    >>> safe_load("codes: [P_x, C_y]\\nversion: '2.2'")
    {'codes': ['P_x', 'C_y'], 'version': '2.2'}
    """
    return yaml.load(stream, Loader=SafeLoader)
