"""Topic coding: codebook, rule coder, coverage, frequencies, reliability, sheets, topics, lint.

Start with :func:`workbench.coding.codebook.load_codebook` and
:func:`workbench.coding.coder.code_segments`; notebook ``02-topic-coding.ipynb``
walks through the rest.
"""
