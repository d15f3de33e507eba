"""Cold wall time of ``advisor recommend`` next to ``python -c pass`` (goal: recommend < 0.25 s).

Usage: python bench/cli_startup.py [--runs N] [--no-bytecode] [SPEC]
Each command runs in a fresh interpreter; the median and spread of N runs are printed with the ratio.
By default bytecode caching is on (PYTHONDONTWRITEBYTECODE removed), as in a normal install where
pip compiled the package; --no-bytecode measures the recompile-every-time case. The first (unmeasured)
run also fills the knowledge/rules cache (advisor/_cache.py), as any first run after an install or an
edit does; the "no cache" line shows what every run would cost without it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 0.25


def wall_times(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm file and bytecode caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def summary(label: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=4)
    return f"{label:44} median {statistics.median(times):.3f} s  IQR {q[2] - q[0]:.3f} s  n={len(times)}"


def machine() -> str:
    """CPU model and core count, for the record next to the figures."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(ROOT / "examples" / "llm-finetuning-lab.yaml"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-bytecode", action="store_true", help="Recompile modules on every run.")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"bytecode cache: {'off' if args.no_bytecode else 'on'}; python {sys.version.split()[0]}; {machine()}")
    recommend = [sys.executable, "-m", "advisor", "recommend", args.spec]
    baseline = wall_times([sys.executable, "-c", "pass"], args.runs, env)
    advisor = wall_times([*recommend, "-f", "json"], args.runs, env)
    terminal = wall_times(recommend, args.runs, env)
    uncached = wall_times([*recommend, "-f", "json"], args.runs, {**env, "FRAMEWORK_ADVISOR_NO_CACHE": "1"})
    print(summary("python -c pass", baseline))
    print(summary("advisor recommend -f json", advisor))
    print(summary("advisor recommend (terminal)", terminal))
    print(summary("advisor recommend -f json (no cache)", uncached))
    med = statistics.median(advisor)
    print(
        f"ratio recommend/json to python -c pass: {med / statistics.median(baseline):.1f}x; "
        f"goal < {GOAL_S} s: {'met' if med < GOAL_S else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
