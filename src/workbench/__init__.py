"""workbench: a research workbench for studying cadre–masses relations (干群关系).

Importing the package is cheap: jieba, OpenCC and matplotlib are loaded only when a
function that needs them is first called.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("workbench")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
