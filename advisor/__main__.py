"""``python -m advisor`` runs the CLI."""

from advisor._entry import run

run()
