"""JSON output: the Recommendation model as is, with its ``schema_version`` first."""

from __future__ import annotations

from advisor.scoring.result import Recommendation


def render(report: Recommendation, *, width: int | None = None, color: bool = False) -> str:
    """The report as one document (``width`` and ``color`` are for the terminal format: ignored here)."""
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> dict:  # type: ignore[type-arg]
    """JSON Schema of the report, for consumers that validate it."""
    return Recommendation.model_json_schema()
