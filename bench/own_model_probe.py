"""Wall time of the own-model quick probe per example factory and framework, as the parent sees it (start
to exit, the framework import, the factory, both modes and every deployment check included); goal: at
most 120 s per framework on the project's 2-core CPU.

Usage: python bench/own_model_probe.py [--budget quick|full|SECONDS] [--device auto|cpu|cuda:0]
                                       [--model REF ...] [--framework pytorch|tensorflow|jax ...] [--output FILE]
Runs ``advisor probe --model REF`` for each example factory (default: examples/models/torch_small.py:make and
examples/models/keras_small.py:make; a Keras model on every installed backend) through the real launcher
and prints each child's wall time, its cells, its deployment checks and the comparisons between backends.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from advisor.api import probe_settings, run_probes
from advisor.output import write_text
from advisor.probing.plan import ALL_DEPLOY, OwnModel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("examples/models/torch_small.py:make", "examples/models/keras_small.py:make")
GOAL_S = 120.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--model", action="append", help="a model reference (repeatable; default: the examples)")
    parser.add_argument("--framework", action="append", help="pytorch, tensorflow, jax (repeatable; default: all)")
    parser.add_argument("--output", help="save every run (JSON lines)")
    args = parser.parse_args()
    missed, saved = 0, []
    for ref in args.model or EXAMPLES:
        settings = probe_settings(
            budget=args.budget,
            device=args.device,
            frameworks=args.framework,
            deploy=list(ALL_DEPLOY),
            model=OwnModel(ref=ref, base=ROOT, alone=True),
        )
        started = time.perf_counter()
        run = run_probes(settings)
        own = settings.model
        assert own is not None and run.model is not None
        print(f"{ref} ({own.described}): {time.perf_counter() - started:.0f} s in all, budget {own.budget_s:.0f} s")
        for result in run.model.results:
            ok = result.wall_s <= GOAL_S
            missed += 0 if ok else 1
            device = result.environment.device_name if result.environment else "?"
            backend = result.settings.get("keras_backend")
            print(
                f"  {result.framework:<11} {result.wall_s:6.1f} s wall ({'within' if ok else 'OVER'} the "
                f"{GOAL_S:.0f} s goal), {result.status}; {device}" + (f"; Keras backend {backend}" if backend else "")
            )
            for cell in result.cells:
                train = f"train {cell.train_step.median * 1000:.2f} ms" if cell.train_step else "no training step"
                b1 = f"batch-1 {cell.infer_b1.median * 1000:.2f} ms" if cell.infer_b1 else ""
                first = f"first step {cell.first_step_s:.2f} s" if cell.first_step_s is not None else ""
                print(f"    {cell.mode:<9} {cell.status:<16} {', '.join(p for p in (train, b1, first) if p)}")
                if cell.status != "ok":
                    print(f"              {cell.message[:150]}")
            for check in result.deploy_checks:
                took = f"{check.convert_s:.1f} s" if check.convert_s is not None else "-"
                print(f"    {check.target:<15} {check.status:<13} {took:>7}  {check.route[:90]}")
        for c in run.model.comparisons:
            print(f"  {c.a} vs {c.b} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, {c.low:.3f}-{c.high:.3f}]")
        saved.append(run.model_dump_json())
    if args.output:
        write_text(args.output, "\n".join(json.dumps(json.loads(s)) for s in saved) + "\n", force=True)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
