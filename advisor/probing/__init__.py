"""Probing: measuring PyTorch, TensorFlow and JAX on this machine, one child process per framework.

The parent side (this folder's modules) plans a run, starts the children (:mod:`.launcher`), compares
their results (:mod:`.stats`, :mod:`.run`) and condenses them for the report; it never imports a
framework. The child side runs in the children: the shared measurement loop and child entry point in
:mod:`.child`, and one folder per framework (:mod:`.pytorch`, :mod:`.tensorflow`, :mod:`.jax`,
:mod:`.onnxruntime`) with its models, its probe and its deployment routes. :mod:`.protocol` is the
JSON both sides speak.
"""
