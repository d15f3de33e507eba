"""Wall time of the probe suite per framework, imports included (goal: quick <= 120 s per framework
on a 2-core CPU, <= 60 s on a GPU).

Usage: python bench/probe_suite.py [--budget quick|full|SECONDS] [--device auto|cpu|cuda:0] [--output FILE]
Runs every workload in both modes through the real launcher (one child per framework) and prints
each child's wall time next to its budget, plus the comparison verdicts.
"""

from __future__ import annotations

import argparse
import time

from advisor.api import probe_settings, run_probes
from advisor.output import write_text

GOALS = {"cpu": 120.0, "gpu": 60.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--output")
    args = parser.parse_args()
    settings = probe_settings(budget=args.budget, device=args.device)
    started = time.perf_counter()
    run = run_probes(settings)
    print(
        f"suite: {settings.workloads} x {settings.modes}, budget {settings.budget} "
        f"({settings.budget_s_per_framework:.0f} s per framework), {time.perf_counter() - started:.0f} s in all"
    )
    for result in run.results:
        env = result.environment
        kind = "gpu" if env is not None and env.gpu_visible and env.device.startswith(("cuda", "/GPU")) else "cpu"
        ok = sum(c.status == "ok" for c in result.cells)
        print(
            f"{result.framework:11} {result.status:8} wall {result.wall_s:6.1f} s (budget {result.budget_s:.0f} s, "
            f"goal {GOALS[kind]:.0f} s on {kind}: {'met' if result.wall_s <= GOALS[kind] else 'NOT met'}); "
            f"{ok}/{len(result.cells)} cells ok; {env.device_name if env else result.message}"
        )
        for cell in result.cells:
            step = f"{cell.train_step.median * 1000:.2f} ms" if cell.train_step else cell.message[:60]
            first = f"{cell.first_step_s:.2f} s" if cell.first_step_s is not None else "-"
            print(f"    {cell.workload:12} {cell.mode:9} {cell.status:16} step {step:>12}  first step {first}")
    for comparison in run.comparisons:
        print(
            f"  {comparison.workload} ({comparison.mode}): {comparison.verdict} "
            f"[{comparison.ratio:.3f}, {comparison.low:.3f}-{comparison.high:.3f}]"
        )
    if args.output:
        write_text(args.output, run.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
