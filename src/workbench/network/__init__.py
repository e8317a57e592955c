"""Co-occurrence and problem–cause networks of codes, with evidence on every edge.

Modules: :mod:`~workbench.network.measures` (association measures from a sparse
unit × code matrix), :mod:`~workbench.network.significance` (one-sided
hypergeometric test, Benjamini–Hochberg), :mod:`~workbench.network.graph`
(filtering and the co-occurrence graph), :mod:`~workbench.network.problem_cause`
(directed cause → problem and problem → countermeasure graphs),
:mod:`~workbench.network.analysis` (centrality, communities, bootstrap),
:mod:`~workbench.network.draw` and :mod:`~workbench.network.export`. Notebook
``03-problem-cause-networks.ipynb`` walks through them.
"""
