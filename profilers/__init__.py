"""Profiling probes (issue #3): one child process per framework; never imported by the advisor CLI."""
