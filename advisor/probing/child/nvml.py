"""NVIDIA GPU facts through NVML (package nvidia-ml-py, imported as ``pynvml``), shared by all probes.

Everything degrades to ``None`` when there is no NVIDIA driver, no GPU, or a counter is not
supported (energy needs Volta or newer), so the same code runs on a CPU-only machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass
class Gpu:
    """An NVML handle for one GPU index."""

    nvml: Any
    handle: Any
    index: int

    def name(self) -> str:
        value = self.nvml.nvmlDeviceGetName(self.handle)
        return value.decode() if isinstance(value, bytes) else str(value)

    def energy_mj(self) -> int | None:
        """Total energy since the driver loaded (mJ); updated every 20-100 ms, so use windows >= 1 s."""
        try:
            return int(self.nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle))
        except Exception:
            return None

    def process_memory(self, pid: int | None = None) -> int | None:
        """GPU memory NVML attributes to ``pid`` (the whole footprint, allocator caches included)."""
        pid = os.getpid() if pid is None else pid
        try:
            for proc in self.nvml.nvmlDeviceGetComputeRunningProcesses(self.handle):
                if proc.pid == pid and proc.usedGpuMemory is not None:
                    return int(proc.usedGpuMemory)
        except Exception:
            return None
        return None

    def throttle_reasons(self) -> int | None:
        """Bit mask of active clock limits (power, thermal); non-zero means timings may be capped."""
        try:
            return int(self.nvml.nvmlDeviceGetCurrentClocksEventReasons(self.handle))
        except Exception:
            return None


def open_gpu(index: int = 0) -> Gpu | None:
    try:
        import pynvml

        pynvml.nvmlInit()
        return Gpu(pynvml, pynvml.nvmlDeviceGetHandleByIndex(index), index)
    except Exception:
        return None


def gpu_count() -> int:
    """NVIDIA GPUs NVML sees (0 without a driver)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        return int(pynvml.nvmlDeviceGetCount())
    except Exception:
        return 0


def driver_versions() -> tuple[str | None, str | None]:
    """(driver version, CUDA driver version as 'major.minor') or Nones without a driver."""
    try:
        import pynvml

        pynvml.nvmlInit()
        driver = pynvml.nvmlSystemGetDriverVersion()
        cuda = pynvml.nvmlSystemGetCudaDriverVersion()
        driver = driver.decode() if isinstance(driver, bytes) else str(driver)
        return driver, f"{cuda // 1000}.{(cuda % 1000) // 10}"
    except Exception:
        return None, None


def gpu_index(device: str) -> int | None:
    """The GPU index of a device name in either framework's spelling (``cuda:N``, ``/GPU:N``), else None."""
    name = device.lower().lstrip("/")
    if name in ("cuda", "gpu"):
        return 0
    for prefix in ("cuda:", "gpu:"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return int(name[len(prefix) :])
    return None
