"""workbench: a research workbench for studying cadre–masses relations (干群关系).

Importing the package is cheap: jieba, OpenCC and matplotlib are loaded only when a
function that needs them is first called.
"""

#: The one place the version is written (pyproject.toml reads it from here). Not asked
#: of importlib.metadata: importing that cost every process, pool workers included,
#: about 50 ms before any work.
__version__ = "0.1.0"

__all__ = ["__version__"]
