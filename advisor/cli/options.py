"""``advisor recommend``'s arguments, defined once as data.

The typer command (:mod:`advisor.cli.commands`) is generated from this table, and the quick start
(:mod:`advisor.cli.quick`) reads the same table, so a name, a default, a help text or a list of
choices exists in one place. Nothing here imports typer or the engine: the quick start must stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.report.formats import FORMATS
from advisor.scoring.draws import DEFAULT_DRAWS, DEFAULT_SEED, DRAWS_RANGE

Kind = Literal["path", "paths", "text", "int", "choice", "flag", "switch", "date"]


@dataclass(frozen=True)
class Option:
    """One option of a command.

    ``kind``: ``path`` (a file or folder), ``paths`` (a path, repeatable), ``text``, ``int`` (within
    ``bounds``), ``choice`` (one of ``choices``), ``flag`` (``--x`` alone turns it on), ``switch``
    (``--x/--no-x``), ``date`` (YYYY-MM-DD, checked by the command). ``quick`` options are read by the
    quick start; any other sends the command to the full CLI.
    """

    name: str
    flags: tuple[str, ...]
    kind: Kind
    default: object
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None
    quick: bool = True


@dataclass(frozen=True)
class Argument:
    """A command's positional argument."""

    name: str
    metavar: str
    help: str


SPEC = Argument("spec", "SPEC", "Project spec (YAML).")
FORMAT = Option(
    "format",
    ("--format", "-f"),
    "choice",
    None,
    f"Output format: {', '.join(list(FORMATS)[:-1])} or {list(FORMATS)[-1]}. Default: the one the -o file's "
    "extension names (.html, .md, .json), else terminal.",
    metavar="FORMAT",
    choices=tuple(FORMATS),
)
OUTPUT = Option("output", ("--output", "-o"), "text", "-", "Write to FILE ('-' = stdout).")
KNOWLEDGE = Option(
    "knowledge", ("--knowledge",), "path", None, "Knowledge-base folder to use instead of the shipped one."
)
RULES = Option("rules", ("--rules",), "path", None, "Rules folder to use instead of the shipped one.")
FORCE = Option("force", ("--force", "--no-force"), "switch", False, "Replace a read-only output file.")
BUDGET = Option(
    "budget", ("--budget",), "text", "quick", "Probe time budget per framework: quick, full or seconds.", quick=False
)
DEVICE = Option("device", ("--device",), "text", "auto", "Probe device: auto, cpu or cuda:N.", quick=False)
PRECISION = Option(
    "precision", ("--precision",), "text", "fp32", "Probe precision: fp32, tf32, bf16 or fp16.", quick=False
)
MODE = Option("mode", ("--mode",), "text", "both", "Probe execution: eager, compiled or both.", quick=False)

RECOMMEND: tuple[Option, ...] = (
    FORMAT,
    OUTPUT,
    Option("seed", ("--seed",), "int", DEFAULT_SEED, "Seed of the Monte Carlo confidence estimate."),
    Option("draws", ("--draws",), "int", DEFAULT_DRAWS, "Monte Carlo draws.", bounds=DRAWS_RANGE),
    Option("timestamp", ("--timestamp", "--no-timestamp"), "switch", False, "Stamp the report with the current time."),
    KNOWLEDGE,
    RULES,
    Option("probe", ("--probe",), "flag", False, "Measure the spec's workloads first.", quick=False),
    Option(
        "evidence",
        ("--evidence",),
        "paths",
        None,
        "Use a saved probe run (results.json); repeatable: a probe run, a scaling run, each node's scaling file.",
        quick=False,
    ),
    Option("save_evidence", ("--save-evidence",), "text", None, "With --probe: also save the run.", quick=False),
    BUDGET,
    DEVICE,
    PRECISION,
    MODE,
    FORCE,
    Option(
        "as_of",
        ("--as-of",),
        "date",
        None,
        "Use only the knowledge that was valid on this date (a replay).",
        metavar="YYYY-MM-DD",
        quick=False,
    ),
)
