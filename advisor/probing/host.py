"""Host facts every backend reports the same way: OS, Python, CPU, and process peak memory on CPU."""

from __future__ import annotations

import os
import platform
import sys


def os_name() -> str:
    return f"{platform.system()} {platform.release()} ({platform.machine()})"


def python_version() -> str:
    return sys.version.split()[0]


def cpu_name() -> str:
    """The CPU model (from /proc/cpuinfo on Linux), for the environment section."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


PEAK_RSS_SOURCE = "process peak RSS since start (CPU; cumulative across cells)"
