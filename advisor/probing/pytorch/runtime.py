"""What the PyTorch probe and the PyTorch scaling worker both report about where they ran."""

from __future__ import annotations

from typing import Any

from advisor.evidence.protocol import Environment
from advisor.probing import host
from advisor.probing.child import nvml


def environment(torch: Any, device: Any) -> Environment:
    """The host, PyTorch's version and ``device`` (a ``torch.device``), with what NVML sees beside it."""
    on_gpu = device.type == "cuda"
    driver, cuda_driver = nvml.driver_versions()
    return Environment(
        os=host.os_name(),
        python=host.python_version(),
        framework_version=torch.__version__,
        device=str(device),
        device_name=torch.cuda.get_device_name(device) if on_gpu else host.cpu_name(),
        gpu_visible=torch.cuda.is_available(),
        gpu_present=nvml.open_gpu(0) is not None,
        driver_version=driver,
        cuda_driver_version=cuda_driver,
        cpu_count=host.cpu_count(),
    )
