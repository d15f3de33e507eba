"""Priorities behave as a reader expects on every shipped spec (issue 18's acceptance check).

Usage: python bench/priority_checks.py [--values 0,0.5,1,2,3,4,5]
For every example and casebook spec, every criterion and group, and each step between two consecutive
priority values, the spec is scored with ``advisor``'s engine at both values. Three checks per step:
- the score changes (unless the criterion is tied or zeroed by its group);
- its share rises (unless it already carries the whole score);
- every gap between two candidates moves toward their rating difference on that criterion (the
  group's weighted difference for a group), never away and never past it.
Prints the count of checks and of violations (with the first few), and exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.api import load_context  # noqa: E402
from advisor.errors import SpecError  # noqa: E402
from advisor.scoring.evaluate import evaluate  # noqa: E402
from advisor.scoring.result import Recommendation  # noqa: E402
from advisor.spec.load import parse_spec  # noqa: E402

TOLERANCE = 1e-9


def shipped_specs() -> dict[str, dict[str, Any]]:
    specs = {p.name: yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))}
    for path in sorted((ROOT / "tests" / "casebook").glob("*.yaml")):
        specs[f"casebook/{path.name}"] = yaml.safe_load(path.read_text())["spec"]
    for spec in specs.values():
        spec.pop("probe", None)
    return specs


def scored(spec: Mapping[str, Any], target: str, value: float, kb: Any, rules: Any) -> Recommendation | None:
    """The report at this priority, or None when the engine refuses it (every weight 0)."""
    data = {**spec, "priorities": {**spec.get("priorities", {}), target: value}}
    try:
        return evaluate(parse_spec(yaml.safe_dump(data), kb), kb, rules, draws=1)
    except SpecError:
        return None


def _members(report: Recommendation, target: str) -> list[Any]:
    return [c for c in report.criteria if target in (c.criterion, c.group)]


def _share(report: Recommendation, target: str) -> float:
    return sum(c.share for c in _members(report, target))


def _active(report: Recommendation, target: str) -> bool:
    groups = {g.group: g.weight for g in report.groups}
    return any(c.weight > 0 and groups[c.group] > 0 for c in _members(report, target))


def _difference(report: Recommendation, target: str, a: str, b: str) -> float:
    members = _members(report, target)
    total = sum(c.weight for c in members)
    return sum(c.weight * (c.ratings[a].value - c.ratings[b].value) for c in members) / total


def check_step(low: Recommendation, high: Recommendation, target: str) -> tuple[int, list[str]]:
    """(checks made, violations) for raising ``target`` from the ``low`` report to the ``high`` one."""
    if not _active(high, target):
        return 0, []
    checks, problems = 0, []
    scores_low = {s.framework: s.score for s in low.ranking}
    scores_high = {s.framework: s.score for s in high.ranking}
    checks += 1
    if all(abs(scores_low[f] - scores_high[f]) <= TOLERANCE for f in scores_low):
        problems.append("the scores did not change")
    if _share(high, target) < 1 - TOLERANCE:
        checks += 1
        if _share(high, target) <= _share(low, target):
            problems.append(f"share {_share(low, target):.4f} -> {_share(high, target):.4f}")
    candidates = [s.framework for s in high.ranking if not s.excluded]
    for a in candidates:
        for b in candidates:
            if a == b:
                continue
            checks += 1
            d = _difference(high, target, a, b)
            before, after = scores_low[a] - scores_low[b], scores_high[a] - scores_high[b]
            lo, hi = sorted((before, d))
            if not lo - TOLERANCE <= after <= hi + TOLERANCE:
                problems.append(f"gap {a}-{b} {before:+.4f} -> {after:+.4f}, away from {d:+.4f}")
    return checks, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="0,0.5,1,2,3,4,5", help="priority values, ascending")
    args = parser.parse_args()
    values = [float(v) for v in args.values.split(",")]
    kb, rules = load_context()
    targets = [*kb.criteria, *kb.groups]
    start = time.perf_counter()
    checks, violations = 0, []
    specs = shipped_specs()
    for name, spec in specs.items():
        for target in targets:
            reports = [scored(spec, target, v, kb, rules) for v in values]
            for i in range(len(values) - 1):
                r0, r1 = reports[i], reports[i + 1]
                if r0 is None or r1 is None:
                    continue
                v0, v1 = values[i], values[i + 1]
                made, problems = check_step(r0, r1, target)
                checks += made
                violations += [f"{name}: {target} {v0:g} -> {v1:g}: {p}" for p in problems]
    print(f"{len(specs)} specs x {len(targets)} criteria and groups x {len(values) - 1} steps")
    print(f"checks: {checks}; violations: {len(violations)} ({time.perf_counter() - start:.0f} s)")
    for line in violations[:20]:
        print("  " + line)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
