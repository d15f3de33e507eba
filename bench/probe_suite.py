"""Wall time of the probe suite per framework, as the parent sees it (start to exit, imports included);
goal: within 10 % of the budget (quick: 60 s per framework, so at most 66 s), on a CPU as on a GPU.

Usage: python bench/probe_suite.py [--budget quick|full|SECONDS] [--device auto|cpu|cuda:0]
                                   [--framework pytorch|tensorflow|jax ...] [--workload NAME ...] [--output FILE]
Runs the workloads (default: all four) in both modes through the real launcher (one child per
framework) and prints each child's wall time next to its budget, each cell's status, and every
comparison's verdict with its outcome under the verdict rule.
"""

from __future__ import annotations

import argparse
import time

from advisor.api import probe_settings, run_probes
from advisor.output import write_text

TOLERANCE = 0.10  # a child may run this share past its budget before the goal is missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workload", action="append", help="mlp, cnn, transformer, lstm (repeatable)")
    parser.add_argument("--framework", action="append", help="pytorch, tensorflow, jax (repeatable; default: all)")
    parser.add_argument("--output")
    args = parser.parse_args()
    settings = probe_settings(
        budget=args.budget, device=args.device, workloads=args.workload, frameworks=args.framework
    )
    started = time.perf_counter()
    run = run_probes(settings)
    print(
        f"suite: {settings.workloads} x {settings.modes}, budget {settings.budget} "
        f"({settings.budget_s_per_framework:.0f} s per framework), {time.perf_counter() - started:.0f} s in all"
    )
    for result in run.results:
        env = result.environment
        ok = sum(c.status == "ok" for c in result.cells)
        goal = result.budget_s * (1 + TOLERANCE)
        print(
            f"{result.framework:11} {result.status:8} wall {result.wall_s:6.1f} s (budget {result.budget_s:.0f} s, "
            f"over_budget {str(result.over_budget).lower()}; goal <= {goal:.0f} s: "
            f"{'met' if result.wall_s <= goal else 'NOT met'}); "
            f"{ok}/{len(result.cells)} cells ok; {env.device_name if env else result.message}"
        )
        for cell in result.cells:
            step = f"{cell.train_step.median * 1000:.2f} ms" if cell.train_step else cell.message[:60]
            first = f"{cell.first_step_s:.2f} s" if cell.first_step_s is not None else "-"
            print(
                f"    {cell.workload:12} {cell.mode:9} {cell.status:16} step {step:>12}  first step {first:>7}  "
                f"cell {cell.wall_s:5.1f} s"
            )
    for comparison in run.comparisons:
        print(
            f"  {comparison.workload} ({comparison.mode}) [{comparison.outcome}]: {comparison.verdict} "
            f"[{comparison.ratio:.3f}, {comparison.low:.3f}-{comparison.high:.3f}]"
        )
    if args.output:
        write_text(args.output, run.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
