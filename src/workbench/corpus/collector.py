"""Python's cyclic garbage collector, paused for work that makes many objects and no cycles.

Loading files and segmenting words make lists, tuples and dicts of str by the hundred
thousand. The collector counts every new container and, as the counts pile up, walks every
tracked object of the process again and again (full collections included): a twentieth
of loading a partition of small files, a fifth of segmenting it. That work makes no
reference cycles, so reference counting frees all of it; the collector has nothing to find.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; afterwards, as it was before.

    Examples
    --------
    >>> import gc
    >>> with paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
