"""PyTorch's scaling worker, launched by ``torchrun`` (``torch.distributed.run``): one process per worker,
its rendezvous and environment (RANK, WORLD_SIZE, MASTER_ADDR) set by the launcher, not by us.

Data parallel is ``DistributedDataParallel``; sharded parameters are FSDP2 (``fully_shard`` on each
block, then the root). The collectives are gloo on CPU and NCCL on GPUs. A worker trains on its slice of
a seeded global batch, so the N-worker losses must equal the single process's on the whole batch: the
reference below averages the per-slice losses (batch norm sees one slice at a time, as it does per
replica under DDP and FSDP), whose gradient is the average DDP and FSDP compute.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from advisor.evidence.protocol import Environment
from advisor.evidence.scale import ScaleRequest, ScaleWorkload, StrategyKind
from advisor.probing import host
from advisor.probing.child.scale import main
from advisor.probing.child.workloads import LEARNING_RATE, MOMENTUM, WORKLOADS
from advisor.probing.pytorch.models import build_model, make_inputs, make_labels
from advisor.probing.pytorch.runtime import environment

DATA_BATCHES = 4  # distinct global batches the steps cycle through (generated once, up front)
IMPLEMENTATIONS = {
    "data_parallel": "DistributedDataParallel",
    "sharded": "FSDP2 (torch.distributed.fsdp.fully_shard per block)",
}


class TorchTrainer:
    def __init__(self, backend: TorchScaleBackend, workload: ScaleWorkload, strategy: StrategyKind) -> None:
        self.backend, self.implementation = backend, IMPLEMENTATIONS[strategy]
        spec = WORKLOADS[workload]
        self.per_worker_batch = spec.batch_size
        self.batches = [backend.slice(batch) for batch in backend.global_batches(workload, backend.workers)]
        self.model = wrap(backend.fresh_model(workload), strategy, backend.device)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        self.loss_fn = nn.CrossEntropyLoss()

    def step(self, index: int) -> torch.Tensor:
        inputs, labels = self.batches[index % len(self.batches)]
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(inputs), labels)
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def global_mean(self, loss: torch.Tensor) -> float:
        total = loss.clone()
        dist.all_reduce(total)
        return float(total) / self.backend.workers


def wrap(model: nn.Module, strategy: StrategyKind, device: torch.device) -> nn.Module:
    if strategy == "data_parallel":
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    from torch.distributed.fsdp import fully_shard

    for child in model.children():
        for block in child if isinstance(child, nn.ModuleList | nn.Sequential) else (child,):
            if any(True for _ in block.parameters()):
                fully_shard(block)
    fully_shard(model)
    return model


class TorchScaleBackend:
    def __init__(self, request: ScaleRequest) -> None:
        self.request = request
        torch.set_num_threads(request.threads_per_worker)
        with contextlib.suppress(RuntimeError):
            torch.set_num_interop_threads(1)
        on_gpu = request.device == "cuda"
        dist.init_process_group("nccl" if on_gpu else "gloo")
        self.rank, self.workers = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local}" if on_gpu else "cpu")
        if on_gpu:
            torch.cuda.set_device(self.device)
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 stays fp32: the numerics check depends on it
        torch.backends.cudnn.allow_tf32 = False

    def environment(self) -> Environment:
        return environment(torch, self.device)

    def settings(self) -> dict[str, Any]:
        return {
            "launcher": "torchrun (torch.distributed.run)",
            "collectives": dist.get_backend(),
            "threads": torch.get_num_threads(),
            "precision": "fp32",
            "tf32": False,
        }

    def supports(self, strategy: StrategyKind) -> str | None:
        return None

    def fresh_model(self, workload: ScaleWorkload) -> nn.Module:
        torch.manual_seed(self.request.seed)  # the same initial weights on every worker and in the reference
        return build_model(WORKLOADS[workload]).to(self.device)

    def global_batches(self, workload: ScaleWorkload, workers: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The seeded global batches (``workers`` x the per-worker batch), identical on every worker."""
        spec = WORKLOADS[workload]
        batches = []
        for index in range(DATA_BATCHES):
            generator = torch.Generator().manual_seed(self.request.seed * 1000 + index)
            size = spec.batch_size * workers
            inputs = make_inputs(spec, size, torch.device("cpu"), generator)
            labels = make_labels(spec, size, torch.device("cpu"), generator)
            batches.append((inputs.to(self.device), labels.to(self.device)))
        return batches

    def slice(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        size = batch[0].shape[0] // self.workers
        return batch[0][self.rank * size : (self.rank + 1) * size], batch[1][self.rank * size : (self.rank + 1) * size]

    def trainer(self, workload: ScaleWorkload, strategy: StrategyKind) -> TorchTrainer:
        return TorchTrainer(self, workload, strategy)

    def reference_losses(
        self, workload: ScaleWorkload, strategy: StrategyKind, workers: int, steps: int
    ) -> list[float]:
        model = self.fresh_model(workload)
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        loss_fn = nn.CrossEntropyLoss()
        batches = self.global_batches(workload, workers)
        losses = []
        for index in range(steps):
            inputs, labels = batches[index % len(batches)]
            optimizer.zero_grad(set_to_none=True)
            parts = zip(inputs.chunk(workers), labels.chunk(workers), strict=True)
            loss = sum(loss_fn(model(x), y) for x, y in parts) / workers
            assert isinstance(loss, torch.Tensor)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        return losses

    def all_reduce(self, size_bytes: int) -> Callable[[], None]:
        buffer = torch.ones(max(1, size_bytes // 4), dtype=torch.float32, device=self.device)
        return lambda: dist.all_reduce(buffer)  # type: ignore[no-any-return]

    def sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def peak_memory(self) -> tuple[int | None, str]:
        if self.device.type == "cuda":
            return int(torch.cuda.max_memory_allocated(self.device)), "torch.cuda.max_memory_allocated"
        return host.peak_rss_bytes(), host.PEAK_RSS_SOURCE

    def close(self) -> None:
        with contextlib.suppress(Exception):
            dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main(TorchScaleBackend)
