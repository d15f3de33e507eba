"""Settings texts the JAX probe and the JAX scaling worker share, written once (no JAX import here)."""

from __future__ import annotations

from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM

OPTIMIZER = f"SGD(lr={LEARNING_RATE}, momentum={MOMENTUM}) written in JAX (buf = m*buf + g; p -= lr*buf)"
PEAK_SOURCE = "device.memory_stats()['peak_bytes_in_use'] (peak since the process started; JAX has no reset)"
NO_AFFINITY = "not applied: no CPU affinity control on this OS"


def all_cpus(count: int) -> str:
    """The thread setting where the process keeps every CPU it may run on."""
    return f"all {count} allowed CPUs (affinity unchanged)"
