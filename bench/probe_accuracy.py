"""Probe accuracy: the probe's training-step time next to an independent reference timer, same model,
same process, same thread count. PyTorch: torch.utils.benchmark (Timer defaults to one thread, a silent
unfairness: set it). JAX: the standard library's timeit in blocks (``timeit.Timer.autorange`` sizes a
block; the median of the blocks' per-call means), around ``train_step(); block_until_ready``.

Usage: python bench/probe_accuracy.py [--framework pytorch|jax] [--device cpu|cuda:0] [--seconds S]
                                      [--rounds R] [--workload W ...] [--mode eager|compiled] [--no-settle]
The probe's side stops once its median has settled, as the probe's phases do (--no-settle: the whole window).
The two methods alternate in ABBA rounds (drift on a shared machine otherwise shows up as a bias of
whichever ran second); printed per workload: the median over rounds of each method, their ratio
(goal: within 5 %), and the range of the per-round ratios, which is this machine's noise floor.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections.abc import Callable
from typing import Any

from advisor.evidence.protocol import ProbeRequest
from advisor.probing.child.measure import _repeat
from advisor.probing.child.workloads import WORKLOADS
from advisor.probing.host import cpu_count

GOAL = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per method and round")
    parser.add_argument("--rounds", type=int, default=4, help="ABBA rounds per workload (even)")
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument("--mode", default="eager", choices=["eager", "compiled"])
    parser.add_argument("--framework", default="pytorch", choices=["pytorch", "jax"])
    parser.add_argument(
        "--no-settle", dest="settle", action="store_false", help="time the whole window (the probe stops once settled)"
    )
    args = parser.parse_args()

    threads = cpu_count()
    request = ProbeRequest(
        framework=args.framework,
        workloads=args.workload or sorted(WORKLOADS),
        modes=[args.mode],
        device=args.device,
        threads=threads,
        budget_s=600,
    )
    backend, reference_name, make_reference = _framework(args.framework, threads)
    settings = backend.setup(request)
    print(
        f"{args.framework}: device {settings.get('device')}, threads {threads}, mode {args.mode}, "
        f"{args.seconds:.1f} s per method and round, reference {reference_name}"
    )
    worst = 0.0
    for name in request.workloads:
        cell = backend.build(WORKLOADS[name], args.mode)
        _repeat(backend, cell.train_step, 1.0, 3, 1000)  # warm-up shared by both methods
        reference_median = make_reference(cell, backend)
        probes: list[float] = []
        references: list[float] = []
        for index in range(args.rounds):  # ABBA: A B, B A, A B, ...
            probe_first = index % 2 == 0
            for use_probe in (probe_first, not probe_first):
                if use_probe:
                    timed = _repeat(backend, cell.train_step, args.seconds, 5, 100_000, settle=args.settle)
                    probes.append(statistics.median(timed))
                else:
                    references.append(reference_median(args.seconds))
        ratio = statistics.median(probes) / statistics.median(references)
        per_round = [p / r for p, r in zip(probes, references, strict=True)]
        worst = max(worst, abs(ratio - 1))
        print(
            f"{name:12} probe {statistics.median(probes) * 1000:8.3f} ms   {reference_name} "
            f"{statistics.median(references) * 1000:8.3f} ms   ratio {ratio:.3f} "
            f"{'ok' if abs(ratio - 1) <= GOAL else 'OUTSIDE 5 %'}   per-round ratios "
            f"{min(per_round):.3f}-{max(per_round):.3f}"
        )
    print(f"largest deviation {worst:.1%} (goal within {GOAL:.0%})")
    return 0


Reference = Callable[[float], float]


def _framework(framework: str, threads: int) -> tuple[Any, str, Callable[[Any, Any], Reference]]:
    """(backend, the reference timer's name, cell -> (seconds -> median seconds per step))."""
    stmt = "cell.train_step(); backend.sync()"
    if framework == "pytorch":
        from torch.utils import benchmark

        from advisor.probing.pytorch.probe import TorchBackend

        def torch_reference(cell: Any, backend: Any) -> Reference:
            timer = benchmark.Timer(stmt=stmt, globals={"cell": cell, "backend": backend}, num_threads=threads)
            return lambda seconds: timer.blocked_autorange(min_run_time=seconds).median

        return TorchBackend(), "torch.utils.benchmark", torch_reference
    from advisor.probing.jax.probe import JaxBackend

    def timeit_reference(cell: Any, backend: Any) -> Reference:
        timer = timeit.Timer(stmt=stmt, globals={"cell": cell, "backend": backend})
        number = max(1, timer.autorange()[0] // 2)  # calls per block: about 0.1 s

        def median(seconds: float) -> float:
            blocks: list[float] = []
            until = time.perf_counter() + seconds
            while time.perf_counter() < until or len(blocks) < 3:
                blocks.append(timer.timeit(number) / number)
            return statistics.median(blocks)

        return median

    return JaxBackend(), "timeit (blocks)", timeit_reference


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench wall time {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
