"""Probe accuracy: the probe's torch training-step time next to torch.utils.benchmark, same model,
same process, same thread count (Timer defaults to one thread, a silent unfairness: set it).

Usage: python bench/probe_accuracy.py [--device cpu|cuda:0] [--seconds S] [--rounds R] [--workload W ...]
The two methods alternate in ABBA rounds (drift on a shared machine otherwise shows up as a bias of
whichever ran second); printed per workload: the median over rounds of each method, their ratio
(goal: within 5 %), and the range of the per-round ratios, which is this machine's noise floor.
"""

from __future__ import annotations

import argparse
import statistics
import time

from profilers._measure import _repeat
from profilers.host import cpu_count
from profilers.protocol import ProbeRequest
from profilers.workloads import WORKLOADS

GOAL = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per method and round")
    parser.add_argument("--rounds", type=int, default=4, help="ABBA rounds per workload (even)")
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--mode", default="eager", choices=["eager", "compiled"])
    args = parser.parse_args()

    from torch.utils import benchmark

    from profilers.torch_probe import TorchBackend

    threads = cpu_count()
    request = ProbeRequest(
        framework="pytorch",
        workloads=args.workload or sorted(WORKLOADS),
        modes=[args.mode],
        device=args.device,
        threads=threads,
        budget_s=600,
    )
    backend = TorchBackend()
    settings = backend.setup(request)
    print(f"device {settings.get('device')}, threads {threads}, mode {args.mode}, {args.seconds:.0f} s per method")
    worst = 0.0
    for name in request.workloads:
        cell = backend.build(WORKLOADS[name], args.mode)
        _repeat(backend, cell.train_step, 1.0, 3, 1000)  # warm-up shared by both methods
        stmt = "cell.train_step(); backend.sync()"
        timer = benchmark.Timer(stmt=stmt, globals={"cell": cell, "backend": backend}, num_threads=threads)
        probes: list[float] = []
        references: list[float] = []
        for index in range(args.rounds):  # ABBA: A B, B A, A B, ...
            probe_first = index % 2 == 0
            for use_probe in (probe_first, not probe_first):
                if use_probe:
                    probes.append(statistics.median(_repeat(backend, cell.train_step, args.seconds, 5, 100_000)))
                else:
                    references.append(timer.blocked_autorange(min_run_time=args.seconds).median)
        ratio = statistics.median(probes) / statistics.median(references)
        per_round = [p / r for p, r in zip(probes, references, strict=True)]
        worst = max(worst, abs(ratio - 1))
        print(
            f"{name:12} probe {statistics.median(probes) * 1000:8.3f} ms   torch.utils.benchmark "
            f"{statistics.median(references) * 1000:8.3f} ms   ratio {ratio:.3f} "
            f"{'ok' if abs(ratio - 1) <= GOAL else 'OUTSIDE 5 %'}   per-round ratios "
            f"{min(per_round):.3f}-{max(per_round):.3f}"
        )
    print(f"largest deviation {worst:.1%} (goal within {GOAL:.0%})")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench wall time {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
