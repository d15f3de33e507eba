"""``advisor recommend``: the one implementation, whichever way the arguments were read.

Both the typer command and the quick start call :func:`run` with every argument of
:data:`advisor.cli.options.RECOMMEND` by name; a breakpoint here is reached either way.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.cli.common import format_for, parse_date, report_error, say
from advisor.errors import AdvisorError, printable

if TYPE_CHECKING:
    from advisor.evidence.probe_run import ProbeRun
    from advisor.scoring.result import Recommendation


def run(
    *,
    spec: Path,
    format: str | None,
    output: str,
    seed: int,
    draws: int,
    timestamp: bool,
    knowledge: Path | None,
    rules: Path | None,
    probe: bool,
    evidence: list[Path] | None,
    save_evidence: str | None,
    budget: str,
    device: str,
    precision: str,
    mode: str,
    force: bool,
    as_of: str | None,
) -> int:
    """Recommend a framework for ``spec`` and write the report; the exit status (1: every framework
    is excluded by hard constraints; 2: a user error, already printed)."""
    from advisor import api
    from advisor.output import write_text
    from advisor.report.formats import EXTENSIONS, FORMATS

    try:
        chosen = format_for(output, format, tuple(FORMATS), EXTENSIONS)
        if probe and evidence:
            raise AdvisorError("use either --probe or --evidence, not both", field="--evidence")
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds") if timestamp else None
        measured = api.load_evidence(*evidence) if evidence else None
        if probe:
            measured = _probe(spec, knowledge, device, precision, budget, mode)
            if save_evidence:
                write_text(save_evidence, measured.model_dump_json(indent=2) + "\n", force=force)
        report = api.recommend(
            spec,
            knowledge_dir=knowledge,
            rules_dir=rules,
            seed=seed,
            draws=draws,
            generated_at=stamp,
            evidence=measured,
            as_of=parse_date(as_of, "--as-of"),
        )
        write_text(output, report_text(report, chosen, output), force=force)
    except AdvisorError as error:
        return report_error(error)
    if output != "-":
        say(f"wrote {printable(output)}" + ("" if chosen == "terminal" or format else f" ({chosen})"))
    return 0 if report.winner is not None else 1


def report_text(report: Recommendation, format: str, output: str) -> str:
    """The report in ``format``; the terminal format in colour, as wide as the terminal, on a terminal."""
    from advisor.report.formats import renderer

    render = renderer(format)
    if format == "terminal" and output == "-" and sys.stdout.isatty():
        import shutil

        return render(report, width=min(shutil.get_terminal_size().columns, 140), color=True)
    return render(report)


def modes(mode: str) -> list[str]:
    """``--mode`` as the list of execution modes to measure."""
    choices = {"eager": ["eager"], "compiled": ["compiled"], "both": ["eager", "compiled"]}
    if mode not in choices:
        raise AdvisorError(f"mode must be eager, compiled or both, not '{mode}'", field="--mode")
    return choices[mode]


def deploy_targets(spec: Any) -> list[str]:
    """The deployment checks a probe runs: the spec's targets, or every one without a spec."""
    from advisor.probing.plan import ALL_DEPLOY, deploy_targets_for

    return deploy_targets_for(spec) if spec is not None else list(ALL_DEPLOY)


def run_probes(settings: Any) -> ProbeRun:
    """Run the probes with a progress display on stderr."""
    from advisor import api
    from advisor.probing.progress import ProbeProgress

    with ProbeProgress() as progress:
        return api.run_probes(settings, on_event=progress)


def _probe(spec: Path, knowledge: Path | None, device: str, precision: str, budget: str, mode: str) -> ProbeRun:
    """``--probe``: measure the workloads (and the team's model) the spec implies."""
    from advisor import api
    from advisor.probing.plan import default_workers, own_model_of, spec_wants_scaling

    parsed = api.validate(spec, knowledge)
    settings = api.probe_settings(
        spec=parsed,
        device=device,
        precision=precision,
        budget=budget,
        modes=modes(mode),
        deploy=deploy_targets(parsed),
        model=own_model_of(parsed, spec),
    )
    run = run_probes(settings)
    if not spec_wants_scaling(parsed):
        return run
    from advisor.cli.common import say

    plan = api.scale_plan(workers=default_workers(device), spec=parsed, device=device, budget=budget)
    say(f"the spec trains on several devices: scaling probe at 1 and {plan.settings.workers} workers")
    scaled = api.run_scale(plan, budget=budget, on_progress=say)
    return run.model_copy(update={"scale": scaled.scale, "wall_s": run.wall_s + scaled.wall_s})
