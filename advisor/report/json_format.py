"""JSON output: the Recommendation model as is, with its ``schema_version`` first."""

from __future__ import annotations

from advisor.report.model import Recommendation


def render(report: Recommendation) -> str:
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> dict:  # type: ignore[type-arg]
    """JSON Schema of the report, for consumers that validate it."""
    return Recommendation.model_json_schema()
