"""Probing: measuring PyTorch, TensorFlow and JAX on this machine, one child process per framework.

The parent side (this folder's modules) plans a run (:mod:`.plan`), starts the children
(:mod:`.launcher`) and compares their results (:mod:`.run`); it never imports a framework. The child
side runs in the children: the shared measurement loop and child entry point in :mod:`.child`, and one
folder per framework (:mod:`.pytorch`, :mod:`.tensorflow`, :mod:`.jax`, :mod:`.onnxruntime`) with its
models, its probe and its deployment routes. The JSON both sides speak and the statistics that judge a
cell are measured evidence, in :mod:`advisor.evidence`; :mod:`advisor.scoring.probe_summary` condenses a
run for the report.
"""
