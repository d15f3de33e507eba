"""Runs the probes (one child process per framework and round) and compares the frameworks.

Each comparison goes through the verdict rule of :func:`advisor.evidence.stats.compare_timings`; its verdict
text says what the rule found, so a comparison that noise could have faked is shown as such.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from advisor.errors import AdvisorError
from advisor.evidence.probe_run import DISPLAY_NAMES, Comparison, Metric, ModelRun, ProbeRun, ProbeSettings
from advisor.evidence.protocol import KERAS_BACKENDS, ProbeRequest, ProbeResult
from advisor.evidence.stats import SPREAD_LIMIT, Verdict, compare_timings
from advisor.probing.launcher import run_probe
from advisor.probing.plan import order

OnEvent = Callable[[str, str, dict[str, Any]], None]  # (framework, event, payload)
MIN_SAMPLES = 5
NAMES = DISPLAY_NAMES
PAIR_ORDER = ("pytorch", "tensorflow", "jax")  # a comparison's a comes first here (a 1.1 run's pair stays a/b)
SAMPLES: dict[Metric, str] = {"train_step_time": "train_step_samples", "infer_b1_latency": "infer_b1_samples"}


def run_probes(settings: ProbeSettings, *, on_event: OnEvent | None = None, seed: int = 0) -> ProbeRun:
    """Run every framework in ``settings.order``; a failed child never stops the others.

    The team's own model (``settings.model``) runs first, in its own children: a factory that fails or
    a file that is not a model stops the run at once with one line (exit 2), before the synthetic
    probes spend their budget."""
    started = time.perf_counter()
    model = run_model(settings, on_event=on_event, seed=seed) if settings.model is not None else None
    results: list[ProbeResult] = []
    deployed: set[str] = set()  # deployment checks run once per framework, in its first round
    if model is not None:  # the team's model was checked in its framework: its checks replace the synthetic ones
        deployed |= {r.framework for r in model.results if r.deploy_checks and r.status in ("ok", "partial")}
    for framework in settings.order if settings.workloads else ():  # `probe --model` alone: no synthetic child
        request = ProbeRequest(
            framework=framework,  # type: ignore[arg-type]
            workloads=settings.workloads,
            modes=settings.modes,
            device=settings.device,
            precision=settings.precision,
            threads=settings.threads,
            budget_s=settings.budget_s_per_framework,
            seed=seed,
            deploy=settings.deploy if framework not in deployed else [],
            deploy_budget_s=settings.deploy_budget_s_per_framework,
        )
        if on_event is not None:
            on_event(framework, "launch", {"cells": len(settings.workloads) * len(settings.modes)})
        callback = (lambda kind, payload, fw=framework: on_event(fw, kind, payload)) if on_event else None
        result = run_probe(request, on_event=callback)
        deployed.add(framework)
        results.append(result)
        if on_event is not None:
            on_event(framework, "finished", {"status": result.status})
    return ProbeRun(
        settings=settings,
        results=results,
        comparisons=compare(results, seed=seed),
        wall_s=time.perf_counter() - started,
        model=model,
    )


MODEL_LABEL = "{} (model)"  # how the progress display names an own-model child


def run_model(settings: ProbeSettings, *, on_event: OnEvent | None = None, seed: int = 0) -> ModelRun:
    """The own model in each of its runtimes (a Keras 3 model: one child per backend, ``KERAS_BACKEND``
    set before Keras is imported), in ``settings.rounds`` rounds; the deployment checks run once, in
    the first runtime (PyTorch's for a PyTorch model, TensorFlow's for a Keras model: SavedModel and
    LiteRT need TensorFlow). A model the child cannot load ends the run with one line."""
    own = settings.model
    assert own is not None
    keras = own.source.kind in ("keras_factory", "keras_file")
    results: list[ProbeResult] = []
    deployed = False
    for runtime in order(list(own.runtimes), settings.rounds):
        deploy = settings.deploy if not deployed and runtime == own.runtimes[0] else []
        request = ProbeRequest(
            framework=runtime,
            workloads=[],
            modes=settings.modes,
            device=settings.device,
            precision=settings.precision,
            threads=settings.threads,
            budget_s=own.budget_s,
            seed=seed,
            deploy=deploy,
            deploy_budget_s=settings.deploy_budget_s_per_framework,
            model=own.source,
        )
        label = MODEL_LABEL.format(runtime)
        if on_event is not None:
            on_event(label, "launch", {"cells": len(settings.modes)})
        callback = (lambda kind, payload, fw=label: on_event(fw, kind, payload)) if on_event else None
        env = {"KERAS_BACKEND": KERAS_BACKENDS[runtime]} if keras and runtime in KERAS_BACKENDS else None
        result = run_probe(request, on_event=callback, extra_env=env)
        deployed = deployed or bool(deploy)
        if on_event is not None:
            on_event(label, "finished", {"status": result.status})
        if result.model_error:  # what the model is was decided from its file: say how, where it may be wrong
            wrong_type = "as the model; expected" in result.model_error
            raise AdvisorError(result.model_error, hint=own.why if wrong_type and own.why else None)
        results.append(result)
    return ModelRun(results=results, comparisons=compare(results, seed=seed))


def _rounds(results: list[ProbeResult], framework: str, workload: str, mode: str, field: str) -> list[list[float]]:
    """Samples of one cell, one time-ordered series per round (only cells that completed)."""
    return [
        list(getattr(cell, field))
        for result in results
        if result.framework == framework
        for cell in result.cells
        if cell.workload == workload and cell.mode == mode and cell.status == "ok"
    ]


def pairs(results: list[ProbeResult]) -> list[tuple[str, str]]:
    """Every pair of frameworks in the results, each once, in a fixed order (PyTorch, TensorFlow, JAX)."""
    present = sorted(
        {r.framework for r in results}, key=lambda fw: (PAIR_ORDER.index(fw) if fw in PAIR_ORDER else 99, fw)
    )
    return list(itertools.combinations(present, 2))


def compare(results: list[ProbeResult], *, seed: int = 0) -> list[Comparison]:
    """Each pair of frameworks per workload, mode and metric, where both sides have enough samples."""
    cells = sorted({(c.workload, c.mode) for r in results for c in r.cells})
    out: list[Comparison] = []
    for a, b in pairs(results):
        for workload, mode in cells:
            for metric, field in SAMPLES.items():
                a_rounds = _rounds(results, a, workload, mode, field)
                b_rounds = _rounds(results, b, workload, mode, field)
                if sum(map(len, a_rounds)) < MIN_SAMPLES or sum(map(len, b_rounds)) < MIN_SAMPLES:
                    continue
                found = compare_timings(a_rounds, b_rounds, seed=seed)
                winner = {"a": a, "b": b, None: None}[found.faster]
                out.append(
                    Comparison(
                        a=a,  # type: ignore[arg-type]
                        b=b,  # type: ignore[arg-type]
                        workload=workload,
                        mode=mode,
                        metric=metric,
                        ratio=round(found.ci.ratio, 4),
                        low=round(found.ci.low, 4),
                        high=round(found.ci.high, 4),
                        outcome=found.outcome,
                        winner=winner,  # type: ignore[arg-type]
                        verdict=verdict(metric, found, a, b),
                    )
                )
    return out


def verdict(metric: Metric, found: Verdict, a: str = "pytorch", b: str = "tensorflow") -> str:
    """The comparison of ``a`` with ``b`` in words: the factor only when it counted, otherwise what kept
    it from counting."""
    return described("training step" if metric == "train_step_time" else "batch-1 latency", found, a, b)


def described(what: str, found: Verdict, a: str, b: str, better: str = "faster") -> str:
    """A verdict on ``what`` in words (``better``: how the side with the lower figure is said to be)."""
    ratio = found.ci.ratio
    leader, other = (NAMES.get(a, a), NAMES.get(b, b)) if ratio < 1 else (NAMES.get(b, b), NAMES.get(a, a))
    factor = 1 / ratio if ratio < 1 else ratio
    if found.outcome == "counted":
        return f"{what}: {leader} {factor:.2f}x {better} than {other}"
    if found.outcome == "no_difference":
        return f"{what}: {NAMES.get(a, a)} vs {NAMES.get(b, b)}, no measurable difference (95 % interval includes 1)"
    if found.outcome == "within_noise":
        return (
            f"{what}: within the noise, not counted ({leader} {factor:.2f}x {better} than {other} by the medians, "
            f"but the quartile ranges overlap)"
        )
    if found.outcome == "rounds_disagree":
        rounds = ", ".join(f"{r:.3g}" for r in found.round_ratios)
        pair = f"{NAMES.get(a, a)} vs {NAMES.get(b, b)}"
        return f"{what}: {pair}, the rounds disagree, not counted (ratio per round {rounds})"
    noisy = [
        f"{NAMES.get(fw, fw)}'s middle 80 % of samples spans {_percent(value)} of its median"
        for fw, value in ((a, found.spread_a), (b, found.spread_b))
        if value > SPREAD_LIMIT
    ]
    return f"{what}: too noisy to compare, not counted ({'; '.join(noisy)}; limit {SPREAD_LIMIT:.0%})"


def _percent(spread: float) -> str:
    """A spread over the limit as a percentage that never reads as the limit itself (50.04 %: "50.0%")."""
    shown = f"{spread:.0%}"
    return f"{spread:.1%}" if shown == f"{SPREAD_LIMIT:.0%}" else shown
