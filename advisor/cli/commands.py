"""The typer application: every command, its help and its options.

``advisor.cli.main`` runs it (``recommend`` with everyday options may skip building it, see
:mod:`advisor.cli.quick`). Commands parse and call the library; the work is in :mod:`advisor.api`.
"""

from __future__ import annotations

import inspect
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from advisor import __version__
from advisor.cli import options as opt
from advisor.cli import recommend as recommending
from advisor.cli.common import format_for, report_error, say
from advisor.errors import AdvisorError, printable
from advisor.report.formats import EXTENSIONS

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Recommends a deep-learning framework for a project, with cited reasons.",
)


class Format(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"


def fail(error: AdvisorError) -> NoReturn:
    """Print a user error and exit with its status."""
    raise typer.Exit(report_error(error))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"framework-advisor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    """(--debug is read by advisor.cli.main, which decides how an internal error is shown.)"""


def typer_parameter(option: opt.Option) -> inspect.Parameter:
    """``option`` as the annotated keyword parameter typer reads."""
    names = ("/".join(option.flags),) if option.kind == "switch" else option.flags
    info = typer.Option(*names, help=option.help, metavar=option.metavar)
    kind: Any = {
        "path": Path | None,
        "paths": list[Path] | None,
        "text": str,
        "int": int,
        "flag": bool,
        "switch": bool,
    }.get(option.kind, str)
    if option.kind == "int" and option.bounds:
        info = typer.Option(
            *names, help=option.help, metavar=option.metavar, min=option.bounds[0], max=option.bounds[1]
        )
    if option.kind == "choice":
        kind = Enum(option.name.title(), {choice: choice for choice in option.choices}, type=str)  # type: ignore[misc,no-redef]
    if option.default is None and option.kind not in ("path", "paths"):
        kind = kind | None
    keyword = inspect.Parameter.KEYWORD_ONLY
    return inspect.Parameter(option.name, keyword, default=option.default, annotation=Annotated[kind, info])


def argument_parameter(argument: opt.Argument) -> inspect.Parameter:
    """A positional argument as the annotated parameter typer reads."""
    info = typer.Argument(metavar=argument.metavar, help=argument.help, show_default=False)
    return inspect.Parameter(argument.name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[Path, info])


def _recommend(**values: Any) -> None:
    """Recommend a framework for SPEC (with measured evidence from --probe or --evidence)."""
    values = {name: getattr(value, "value", value) for name, value in values.items()}  # choices arrive as enums
    code = recommending.run(**values)
    if code:
        raise typer.Exit(code)


_recommend.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [argument_parameter(opt.SPEC), *(typer_parameter(option) for option in opt.RECOMMEND)]
)
app.command("recommend")(_recommend)

KnowledgeOpt = Annotated[Path | None, typer.Option(*opt.KNOWLEDGE.flags, help=opt.KNOWLEDGE.help)]
ForceOpt = Annotated[bool, typer.Option("/".join(opt.FORCE.flags), help=opt.FORCE.help)]
BudgetOpt = Annotated[str, typer.Option(*opt.BUDGET.flags, help=opt.BUDGET.help)]
DeviceOpt = Annotated[str, typer.Option(*opt.DEVICE.flags, help=opt.DEVICE.help)]
PrecisionOpt = Annotated[str, typer.Option(*opt.PRECISION.flags, help=opt.PRECISION.help)]
ModeOpt = Annotated[str, typer.Option(*opt.MODE.flags, help=opt.MODE.help)]


@app.command()
def probe(
    spec: Annotated[Path | None, typer.Option("--spec", help="Probe the workloads this spec implies.")] = None,
    framework: Annotated[
        list[str] | None, typer.Option("--framework", "-F", help="pytorch, tensorflow, jax (repeatable).")
    ] = None,
    workload: Annotated[
        list[str] | None, typer.Option("--workload", "-w", help="mlp, cnn, transformer, lstm (repeatable).")
    ] = None,
    device: DeviceOpt = str(opt.DEVICE.default),
    precision: PrecisionOpt = str(opt.PRECISION.default),
    mode: ModeOpt = str(opt.MODE.default),
    budget: BudgetOpt = str(opt.BUDGET.default),
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for every framework (default: all).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Save the run as JSON ('-' = stdout).")] = None,
    deploy: Annotated[
        bool, typer.Option("--deploy", help="Also convert the models for the spec's targets (all without --spec).")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="REF",
            help="Your own model: path/file.py:function, package.module:function, or a .pt2, .keras, .onnx "
            "file or SavedModel folder (relative to the working directory). Only it runs, unless -w names workloads.",
        ),
    ] = None,
    model_framework: Annotated[
        str, typer.Option(help="What a --model factory builds: auto (from its imports), pytorch or keras.")
    ] = "auto",
    dynamic_dims: Annotated[
        str | None,
        typer.Option(help="Input axes of --model that may change size, e.g. 0,1 (default 0, the batch; '' none)."),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale",
            metavar="N",
            help="Scaling probe: the transformer and the CNN at 1 and N workers on each framework's own launcher.",
        ),
    ] = None,
    hosts: Annotated[
        str | None,
        typer.Option(
            help="With --scale: the nodes, comma-separated (the first coordinates); prints each node's command."
        ),
    ] = None,
    node_rank: Annotated[int, typer.Option(help="With --scale and --hosts: which of the hosts this is.")] = 0,
    force: ForceOpt = False,
) -> None:
    """Measure PyTorch, TensorFlow and JAX on this machine (one child process each) and compare them."""
    from advisor import api
    from advisor.output import write_text
    from advisor.probing.plan import ALL_FRAMEWORKS, OwnModel, own_model_of

    if scale is not None or hosts is not None:
        unused = [name for name, given in (("--model", model), ("--deploy", deploy)) if given]
        unused += ["--precision"] if precision != "fp32" else []
        if unused:
            fail(
                AdvisorError(
                    f"{', '.join(unused)} {'does' if len(unused) == 1 else 'do'} not apply to the scaling probe "
                    "(fp32, the transformer and the CNN)",
                    field="--scale",
                    hint="run advisor probe without --scale for them",
                )
            )
        _probe_scale(spec, framework, workload, device, budget, threads, output, scale, hosts, node_rank, force)
        return
    try:
        parsed = api.validate(spec) if spec is not None else None
        own = own_model_of(parsed, spec)
        if model is not None:
            own = OwnModel(
                ref=model,
                base=Path.cwd(),
                framework=_choice(model_framework, ("auto", "pytorch", "keras"), "--model-framework"),  # type: ignore[arg-type]
                dynamic_dims=_axes(dynamic_dims),
                alone=True,
            )
        settings = api.probe_settings(
            spec=parsed,
            frameworks=_choices(framework, ALL_FRAMEWORKS, "--framework"),
            workloads=_choices(workload, ("mlp", "cnn", "transformer", "lstm"), "--workload"),
            modes=recommending.modes(mode),
            device=device,
            precision=precision,
            budget=budget,
            threads=threads,
            deploy=recommending.deploy_targets(parsed) if deploy or own is not None else None,
            model=own,
        )
        run = recommending.run_probes(settings)
        if output:
            write_text(output, run.model_dump_json(indent=2) + "\n", force=force)
    except AdvisorError as error:
        fail(error)
    from advisor.scoring.probe_summary import coverage, probe_exit_code

    code = probe_exit_code(run)
    if code:  # each framework's reason once: an empty table's warnings would say them all again
        typer.echo("nothing was measured:", err=True)
        for said in coverage(run):
            typer.echo(printable(f"  {said.sentence()}"), err=True)
        raise typer.Exit(code)
    _print_probe_run(run)


def _probe_scale(  # type: ignore[no-untyped-def]
    spec, framework, workload, device, budget, threads, output, scale, hosts, node_rank, force
) -> None:
    """``advisor probe --scale N``: with ``--hosts`` and no ``--output`` it prints each node's command."""
    from advisor import api
    from advisor.output import write_text
    from advisor.probing.plan import ALL_FRAMEWORKS

    try:
        if scale is None:
            raise AdvisorError("--hosts needs --scale N (the number of workers in all)", field="--hosts")
        named = [h.strip() for h in hosts.split(",") if h.strip()] if hosts else None
        plan = api.scale_plan(
            workers=scale,
            spec=api.validate(spec) if spec is not None else None,
            frameworks=_choices(framework, ALL_FRAMEWORKS, "--framework"),
            workloads=_choices(workload, ("transformer", "cnn"), "--workload"),
            device=device,
            budget=budget,
            threads=threads,
            hosts=named,
            node_rank=node_rank,
        )
        if named and len(named) > 1 and not output:
            from advisor.probing.scale import node_commands

            base = ["advisor", "probe", "--scale", str(scale), "--hosts", ",".join(named), "--budget", budget]
            base += [f"-F {fw}" for fw in framework or []] + (["--device", device] if device != "auto" else [])
            say("Run on each node (each writes its own file), then merge them with recommend --evidence:")
            for line in node_commands(plan, base):
                typer.echo(printable(f"  {line}"))
            typer.echo(
                printable(
                    "  advisor recommend SPEC " + " ".join(f"--evidence scale-node{i}.json" for i in range(len(named)))
                )
            )
            return
        run = api.run_scale(plan, budget=budget, on_progress=lambda line: say(line))
        if output:
            write_text(output, run.model_dump_json(indent=2) + "\n", force=force)
    except AdvisorError as error:
        fail(error)
    _print_scale(run)


def _print_scale(run) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    from advisor.report.terminal import scale_table
    from advisor.scoring.probe_summary import summarize_scale

    summary = summarize_scale(run.scale)
    console = Console(stderr=True)
    for part in scale_table(summary):
        console.print(part)


def _choice(given: str, allowed: tuple[str, ...], option: str) -> str:
    if given not in allowed:
        raise AdvisorError(f"'{given}' is not one of {', '.join(allowed)}", field=option)
    return given


def _axes(text: str | None) -> list[int] | None:
    """``--dynamic-dims 0,1`` -> [0, 1]; '' -> [] (fixed shapes); None -> not given."""
    if text is None:
        return None
    try:
        axes = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise AdvisorError(f"'{text}' is not a list of axes such as 0,1", field="--dynamic-dims") from None
    if any(not 0 <= axis <= 31 for axis in axes):
        raise AdvisorError("axes must be between 0 and 31", field="--dynamic-dims")
    return sorted(set(axes))


def _choices(given: list[str] | None, allowed: tuple[str, ...], option: str) -> list[str] | None:
    for value in given or []:
        if value not in allowed:
            raise AdvisorError(f"'{value}' is not one of {', '.join(allowed)}", field=option)
    return list(dict.fromkeys(given)) if given else None


def _print_probe_run(run) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.text import Text

    from advisor.report.terminal import probe_table
    from advisor.scoring.evidence import evidence_from
    from advisor.scoring.probe_summary import summarize_run

    summary = summarize_run(run, evidence_from(run, run.settings.frameworks).warnings)
    console = Console(stderr=True)
    if summary.model is not None:  # the team's own model first: it is what the run was for
        from advisor.report.terminal import own_model

        for part in own_model(summary.model):
            console.print(part)
        if not summary.rows:
            for warning in summary.warnings:
                console.print(Text.assemble(("WARNING: ", "bold red"), printable(warning)))
            return
    for warning in summary.warnings:
        console.print(Text.assemble(("WARNING: ", "bold red"), printable(warning)))
    console.print(
        probe_table(
            summary.rows,
            f"Probe results ({summary.device}, {summary.precision}, budget {summary.budget}, {summary.wall_s:.0f} s)",
        )
    )
    for c in summary.comparisons:
        line = f"  {c.workload} ({c.mode}): {c.verdict} [ratio {c.ratio:.3f}, {c.low:.3f}-{c.high:.3f}]"
        console.print(Text(printable(line)))


@app.command()
def migrate(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Project spec (YAML).", show_default=False)],
    to: Annotated[
        str | None, typer.Option(help="Target framework: pytorch, tensorflow or jax (default: the recommended one).")
    ] = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Output format: terminal (a summary), markdown (the full plan) or json. Default: the one the -o "
            "file's extension names (.md, .json), else terminal.",
        ),
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Write to FILE ('-' = stdout).")] = "-",
    knowledge: KnowledgeOpt = None,
    evidence: Annotated[Path | None, typer.Option(help="A saved probe run whose deployment checks to cite.")] = None,
    force: ForceOpt = False,
) -> None:
    """Plan the move of SPEC's existing code to another framework (strategy, phases, map, effort, risks)."""
    from advisor import api
    from advisor.output import write_text

    try:
        chosen = format_for(output, format.value if format else None, tuple(Format.__members__), EXTENSIONS)
        run = api.load_evidence(evidence) if evidence is not None else None
        plan, names, cited = api.migrate(spec, to, knowledge_dir=knowledge, evidence=run)
        if chosen == "json":
            text = plan.model_dump_json(indent=2) + "\n"
        elif chosen == "terminal":  # a summary; its last lines name the -f markdown command for the full plan
            from advisor.report.terminal_migration import render

            text = render(plan, names, str(spec), color=output == "-" and sys.stdout.isatty())
        else:
            from advisor.report.markdown import migration_document

            text = migration_document(plan, names, str(spec), cited)
        write_text(output, text, force=force)
    except AdvisorError as error:
        fail(error)


@app.command()
def init(
    output: Annotated[
        str | None, typer.Argument(help="Spec file to write (default: project.yaml; '-' = stdout).")
    ] = None,
    defaults: Annotated[bool, typer.Option("--defaults", help="Take every default without asking.")] = False,
    from_file: Annotated[Path | None, typer.Option("--from", help="Partial spec whose answers are taken.")] = None,
    answer: Annotated[
        list[str] | None, typer.Option("--set", metavar="ID=VALUE", help="An answer (repeatable).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file (even a read-only one).")] = False,
    recommend_after: Annotated[
        bool, typer.Option("--recommend/--no-recommend", help="Offer to run recommend on the written spec.")
    ] = True,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Write a project spec by answering questions (or from --defaults, --set and --from in scripts)."""
    from advisor.questionnaire import run_init

    def show_recommendation(spec_path: Path) -> int:
        """The offer at the end of init: the terminal report for the new spec (exit 1 if nothing fits)."""
        from advisor.api import recommend as run
        from advisor.report.formats import renderer

        report = run(spec_path)
        typer.echo(renderer("terminal")(report))
        return 0 if report.winner is not None else 1

    try:
        code = run_init(
            output,
            interactive=sys.stdin.isatty(),
            defaults=defaults,
            from_file=from_file,
            answers=answer or [],
            force=force,
            knowledge_dir=knowledge,
            recommend=show_recommendation if recommend_after else None,
        )
    except AdvisorError as error:
        fail(error)
    raise typer.Exit(code)


@app.command()
def validate(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Project spec (YAML).", show_default=False)],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Check SPEC against the schema and the knowledge base's names."""
    from advisor.api import validate as check

    try:
        parsed = check(spec, knowledge_dir=knowledge)
    except AdvisorError as error:
        fail(error)
    typer.echo(printable(f"{spec}: valid spec for '{parsed.name}'"))


@app.command()
def schema(
    report: Annotated[bool, typer.Option("--report", help="Print the JSON report's schema instead.")] = False,
    probe: Annotated[bool, typer.Option("--probe", help="Print the schema of a saved probe run instead.")] = False,
) -> None:
    """Print the JSON Schema of the project spec (or of the JSON report, or of a probe run)."""
    if probe:
        from advisor.evidence.probe_run import ProbeRun

        document = ProbeRun.model_json_schema()
    elif report:
        from advisor.report.json_format import json_schema

        document = json_schema()
    else:
        from advisor.spec.model import ProjectSpec

        document = ProjectSpec.model_json_schema()
    typer.echo(json.dumps(document, indent=2, sort_keys=True))


from advisor.cli import kb as _kb  # noqa: E402  (registers the kb commands)

app.add_typer(_kb.app, name="kb")
