"""Running the profiling probes from the advisor side and turning their results into evidence.

Only ``profilers.protocol``, ``profilers.launcher`` and ``profilers.stats`` are used here: the
framework children run in their own processes, so nothing under ``advisor`` imports torch or TF.
"""
