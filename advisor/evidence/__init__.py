"""Measured evidence as data: what a probe reports, and the statistics that judge it.

Probing produces this evidence and scoring weighs it, so it sits below both and imports neither:
:mod:`.protocol` is the JSON a probe child and the advisor speak (requests, cells, deployment checks),
:mod:`.stats` the medians, spreads and verdict rule every cell is judged by, :mod:`.probe_run` a saved
run with its settings, and :mod:`.model_ref` a reference to the team's own model (``file.py:factory``),
which the spec also reads.
"""
