"""Cold wall time of ``advisor recommend`` next to ``python -c pass`` (goal: recommend < 0.3 s).

Usage: python bench/cli_startup.py [--runs N] [SPEC]
Each command runs in a fresh interpreter; the median and spread of N runs are printed with the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 0.3


def wall_times(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, capture_output=True, check=True)  # warm the OS file cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def summary(label: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=4)
    return f"{label:44} median {statistics.median(times):.3f} s  IQR {q[2] - q[0]:.3f} s  n={len(times)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(ROOT / "examples" / "llm-finetuning-lab.yaml"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    baseline = wall_times([sys.executable, "-c", "pass"], args.runs)
    advisor = wall_times([sys.executable, "-m", "advisor", "recommend", args.spec, "-f", "json"], args.runs)
    terminal = wall_times([sys.executable, "-m", "advisor", "recommend", args.spec], args.runs)
    print(summary("python -c pass", baseline))
    print(summary("advisor recommend -f json", advisor))
    print(summary("advisor recommend (terminal)", terminal))
    med = statistics.median(advisor)
    print(
        f"ratio recommend/json to python -c pass: {med / statistics.median(baseline):.1f}x; "
        f"goal < {GOAL_S} s: {'met' if med < GOAL_S else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
