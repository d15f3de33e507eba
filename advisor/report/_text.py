"""Wording shared by the human-readable renderers, so terminal and Markdown say the same thing."""

from __future__ import annotations

from advisor.report.model import Recommendation


def headline(report: Recommendation) -> str:
    """One sentence: the pick, its score against the runner-up, and how sure we are."""
    if report.winner is None:
        return "No framework meets the hard constraints: every option is excluded."
    pick = report.ranking[0]
    conf = report.confidence
    assert conf is not None
    others = [s for s in report.ranking[1:] if not s.excluded]
    versus = f" vs {others[0].name} {others[0].score:.2f}" if others else " (the only candidate)"
    return (
        f"{pick.name} (score {pick.score:.2f}{versus}); confidence {conf.level}: "
        f"it stays the pick in {conf.win_probability:.0%} of perturbed scenarios."
    )


def weight_label(value: float) -> str:
    return f"{value:g}"


def delta(value: float) -> str:
    return f"{value:+.1f}"
