"""Command-line interface: parses options, calls the library, picks a renderer, maps exit codes.

Exit codes: 0 success; 1 ran fine but every framework is excluded by hard constraints; 2 user error
(bad spec, bad data file, bad option); 4 `advisor probe` measured nothing (no framework completed a
cell or a deployment check; the reasons are printed). Anything else is a bug: ``--debug`` shows its
traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from advisor import __version__
from advisor.errors import AdvisorError, printable

if TYPE_CHECKING:
    from advisor.knowledge.load import KnowledgeBase

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Recommends a deep-learning framework for a project, with cited reasons.",
)
kb_app = typer.Typer(no_args_is_help=True, help="Browse the knowledge base.")
app.add_typer(kb_app, name="kb")

_state = {"debug": False}


class Format(str, Enum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"


class ReportFormat(str, Enum):
    """recommend's formats: the plain ones plus the design-review HTML and the MADR decision record."""

    terminal = "terminal"
    markdown = "markdown"
    json = "json"
    html = "html"
    adr = "adr"


def _fail(error: AdvisorError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    if error.hint:
        typer.echo(f"  hint: {error.hint}", err=True)
    raise typer.Exit(error.exit_code)


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
    _state["debug"] = debug


BudgetOpt = Annotated[str, typer.Option(help="Probe time budget per framework: quick, full or seconds.")]
DeviceOpt = Annotated[str, typer.Option(help="Probe device: auto, cpu or cuda:N.")]
PrecisionOpt = Annotated[str, typer.Option(help="Probe precision: fp32, tf32, bf16 or fp16.")]
ModeOpt = Annotated[str, typer.Option(help="Probe execution: eager, compiled or both.")]
KnowledgeOpt = Annotated[
    Path | None, typer.Option("--knowledge", help="Knowledge-base folder to use instead of the shipped one.")
]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="Rules folder to use instead of the shipped one.")]
ForceOpt = Annotated[bool, typer.Option("--force/--no-force", help="Replace a read-only output file.")]


@app.command()  # `python -m advisor` and the `advisor` script run everyday invocations in advisor._entry
def recommend(
    spec: Annotated[Path, typer.Argument(metavar="SPEC", help="Project spec (YAML).", show_default=False)],
    format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help="Output format: terminal, markdown, json, html or adr."),
    ] = ReportFormat.terminal,
    output: Annotated[str, typer.Option("--output", "-o", help="Write to FILE ('-' = stdout).")] = "-",
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo confidence estimate.")] = 2026,
    draws: Annotated[int, typer.Option(min=100, max=100_000, help="Monte Carlo draws.")] = 2000,
    timestamp: Annotated[bool, typer.Option(help="Stamp the report with the current time.")] = False,
    knowledge: KnowledgeOpt = None,
    rules: RulesOpt = None,
    probe: Annotated[bool, typer.Option("--probe", help="Measure the spec's workloads first.")] = False,
    evidence: Annotated[Path | None, typer.Option(help="Use a saved probe run (results.json).")] = None,
    save_evidence: Annotated[str | None, typer.Option(help="With --probe: also save the run.")] = None,
    budget: BudgetOpt = "quick",
    device: DeviceOpt = "auto",
    precision: PrecisionOpt = "fp32",
    mode: ModeOpt = "both",
    force: ForceOpt = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="YYYY-MM-DD", help="Use only the knowledge that was valid on this date (a replay)."
        ),
    ] = None,
) -> None:
    """Recommend a framework for SPEC (with measured evidence from --probe or --evidence)."""
    from advisor import api
    from advisor._entry import report_text
    from advisor.output import write_text

    try:
        if probe and evidence is not None:
            raise AdvisorError("use either --probe or --evidence, not both", field="--evidence")
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds") if timestamp else None
        run = api.load_evidence(evidence) if evidence is not None else None
        if probe:
            from advisor.probing.plan import own_model_of

            parsed = api.validate(spec, knowledge)
            settings = api.probe_settings(
                spec=parsed,
                device=device,
                precision=precision,
                budget=budget,
                modes=_modes(mode),
                deploy=_deploy_targets(parsed),
                model=own_model_of(parsed, spec),
            )
            run = _run_probes(settings)
            if save_evidence:
                write_text(save_evidence, run.model_dump_json(indent=2) + "\n", force=force)
        report = api.recommend(
            spec,
            knowledge_dir=knowledge,
            rules_dir=rules,
            seed=seed,
            draws=draws,
            generated_at=stamp,
            evidence=run,
            as_of=_date(as_of, "--as-of"),
        )
        write_text(output, report_text(report, format.value, output), force=force)
    except AdvisorError as error:
        _fail(error)
    if output != "-":
        typer.echo(f"wrote {printable(output)}", err=True)
    if report.winner is None:
        raise typer.Exit(1)


def _date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date (None when not given); anything else is a user error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.date.fromisoformat("invalid")
    except ValueError:
        raise AdvisorError(f"'{value}' is not a date: give it as YYYY-MM-DD", field=option) from None


def _modes(mode: str) -> list[str]:
    choices = {"eager": ["eager"], "compiled": ["compiled"], "both": ["eager", "compiled"]}
    if mode not in choices:
        raise AdvisorError(f"mode must be eager, compiled or both, not '{mode}'", field="--mode")
    return choices[mode]


def _run_probes(settings):  # type: ignore[no-untyped-def]
    """Run the probes with a progress display on stderr."""
    from advisor import api
    from advisor.probing.progress import ProbeProgress

    with ProbeProgress() as progress:
        return api.run_probes(settings, on_event=progress)


@app.command()
def probe(
    spec: Annotated[Path | None, typer.Option("--spec", help="Probe the workloads this spec implies.")] = None,
    framework: Annotated[
        list[str] | None, typer.Option("--framework", "-F", help="pytorch, tensorflow, jax (repeatable).")
    ] = None,
    workload: Annotated[
        list[str] | None, typer.Option("--workload", "-w", help="mlp, cnn, transformer, lstm (repeatable).")
    ] = None,
    device: DeviceOpt = "auto",
    precision: PrecisionOpt = "fp32",
    mode: ModeOpt = "both",
    budget: BudgetOpt = "quick",
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
    force: ForceOpt = False,
) -> None:
    """Measure PyTorch, TensorFlow and JAX on this machine (one child process each) and compare them."""
    from advisor import api
    from advisor.output import write_text
    from advisor.probing.plan import ALL_FRAMEWORKS, OwnModel, own_model_of

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
            modes=_modes(mode),
            device=device,
            precision=precision,
            budget=budget,
            threads=threads,
            deploy=_deploy_targets(parsed) if deploy or own is not None else None,
            model=own,
        )
        run = _run_probes(settings)
        if output:
            write_text(output, run.model_dump_json(indent=2) + "\n", force=force)
    except AdvisorError as error:
        _fail(error)
    from advisor.probing.summary import coverage, probe_exit_code

    code = probe_exit_code(run)
    if code:  # each framework's reason once: an empty table's warnings would say them all again
        typer.echo("nothing was measured:", err=True)
        for said in coverage(run):
            typer.echo(printable(f"  {said.sentence()}"), err=True)
        raise typer.Exit(code)
    _print_probe_run(run)


def _deploy_targets(spec):  # type: ignore[no-untyped-def]
    from advisor.probing.plan import ALL_DEPLOY, deploy_targets_for

    return deploy_targets_for(spec) if spec is not None else list(ALL_DEPLOY)


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

    from advisor.probing.summary import summarize_run
    from advisor.report.terminal import probe_table
    from advisor.scoring.evidence import evidence_from

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
        Format,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Output format: terminal (a summary), markdown (the full plan) or json.",
        ),
    ] = Format.terminal,
    output: Annotated[str, typer.Option("--output", "-o", help="Write to FILE ('-' = stdout).")] = "-",
    knowledge: KnowledgeOpt = None,
    evidence: Annotated[Path | None, typer.Option(help="A saved probe run whose deployment checks to cite.")] = None,
    force: ForceOpt = False,
) -> None:
    """Plan the move of SPEC's existing code to another framework (strategy, phases, map, effort, risks)."""
    from advisor import api
    from advisor.output import write_text

    try:
        run = api.load_evidence(evidence) if evidence is not None else None
        plan, names, cited = api.migrate(spec, to, knowledge_dir=knowledge, evidence=run)
        if format is Format.json:
            text = plan.model_dump_json(indent=2) + "\n"
        elif format is Format.terminal:  # a summary; its last lines name the -f markdown command for the full plan
            from advisor.report.terminal_migration import render

            text = render(plan, names, str(spec), color=output == "-" and sys.stdout.isatty())
        else:
            from advisor.report.markdown import migration_document

            text = migration_document(plan, names, spec.name, cited)
        write_text(output, text, force=force)
    except AdvisorError as error:
        _fail(error)


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
        _fail(error)
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
        _fail(error)
    typer.echo(printable(f"{spec}: valid spec for '{parsed.name}'"))


@app.command()
def schema(
    report: Annotated[bool, typer.Option("--report", help="Print the JSON report's schema instead.")] = False,
    probe: Annotated[bool, typer.Option("--probe", help="Print the schema of a saved probe run instead.")] = False,
) -> None:
    """Print the JSON Schema of the project spec (or of the JSON report, or of a probe run)."""
    if probe:
        from advisor.probing.model import ProbeRun

        document = ProbeRun.model_json_schema()
    elif report:
        from advisor.report.json_format import json_schema

        document = json_schema()
    else:
        from advisor.spec.model import ProjectSpec

        document = ProjectSpec.model_json_schema()
    typer.echo(json.dumps(document, indent=2, sort_keys=True))


def _knowledge(folder: Path | None) -> KnowledgeBase:
    """The knowledge base, or a one-line error and exit 2."""
    from advisor.knowledge.load import load_knowledge

    try:
        return load_knowledge(folder)
    except AdvisorError as error:
        _fail(error)


@kb_app.command("list")
def kb_list(
    criterion: Annotated[str | None, typer.Option(help="Only entries on this criterion.")] = None,
    status: Annotated[str | None, typer.Option(help="Only entries with this status.")] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """List knowledge entries (id, criterion, status, summary)."""
    kb = _knowledge(knowledge)
    if criterion is not None and criterion not in kb.criteria:
        _fail(
            AdvisorError(
                f"unknown criterion '{criterion}'",
                field="--criterion",
                hint="known: " + ", ".join(kb.criteria),
            )
        )
    shown = [
        e
        for e in kb.entries.values()
        if (criterion is None or e.criterion == criterion) and (status is None or e.status.value == status)
    ]
    for entry in sorted(shown, key=lambda e: (e.criterion, e.id)):
        typer.echo(printable(f"{entry.id:44} {entry.criterion:22} {entry.status.value:9} {entry.summary}"))
    typer.echo(f"{len(shown)} of {len(kb.entries)} entries; knowledge base as of {kb.as_of}", err=True)


@kb_app.command("stale")
def kb_stale(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Check review dates on this day (default: today)."),
    ] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """List entries due for review (last review + shelf life, by kind of fact), with their sources."""
    kb = _knowledge(knowledge)
    try:
        day = _date(as_of, "--as-of") or dt.date.today()
    except AdvisorError as error:
        _fail(error)
    due = kb.due_for_review(day)
    for entry in due:
        lines = [f"{entry.id}  review by {entry.review_by} ({entry.shelf_life.value}; reviewed {entry.reviewed})"]
        lines += [f"  {entry.summary}"]
        lines += [f"  - {r.source} (as of {r.as_of})" for r in entry.references]
        typer.echo(printable("\n".join(lines), multiline=True))
    typer.echo(f"{len(due)} of {len(kb.entries)} entries due for review on {day}", err=True)


@kb_app.command("show")
def kb_show(
    entry_id: Annotated[
        str, typer.Argument(metavar="ID", help="Entry id, or a seed citation (seed:FILE).", show_default=False)
    ],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show one knowledge entry with its references."""
    import difflib

    kb = _knowledge(knowledge)
    seed = kb.seeds.get(entry_id.removeprefix("seed:"))
    if seed is not None:  # a seed citation resolves to its description
        when = seed.date.isoformat() if seed.date else "undated"
        lines = [f"seed:{seed.file}  (seed article; {when})", f'"{seed.title}"', ""]
        lines += [seed.covers, "", *([seed.date_note] if seed.date_note else [])]
        lines.append(f"cited as of {seed.cited_as_of}; a secondary source of mixed age and quality (see sources.yaml)")
        typer.echo(printable("\n".join(lines), multiline=True))
        return
    entry = kb.entries.get(entry_id)
    if entry is None:
        close = difflib.get_close_matches(entry_id, list(kb.entries), n=3)
        _fail(
            AdvisorError(
                f"no knowledge entry '{entry_id}'",
                hint=f"did you mean: {', '.join(close)}" if close else "see `advisor kb list`",
            )
        )
    effects = ", ".join(f"{k} {v:+g}" for k, v in entry.effects.items()) or "none"
    lines = [
        f"{entry.id}  ({entry.status.value}; {kb.entry_files[entry.id]})",
        entry.summary,
        "",
        entry.why,
        "",
        f"criterion: {entry.criterion}   effects: {effects}   reviewed: {entry.reviewed}",
        f"valid from: {entry.valid_from}"
        + (f" (known since {entry.known_since})" if entry.valid_from == "unknown" else "")
        + (f"   valid until: {entry.valid_until}" if entry.valid_until else "")
        + f"   shelf life: {entry.shelf_life.value}   review by: {entry.review_by}",
    ]
    if entry.valid_from_note:
        lines.append(f"dated by: {entry.valid_from_note}")
    if entry.status_note:
        lines.append(f"status note: {entry.status_note}")
    if entry.superseded_by:
        lines.append(f"superseded by: {', '.join(entry.superseded_by)}")
    lines.append("references:")
    lines += [
        f"  - {r.source}{' ' + title if (title := kb.source_title(r.source)) else ''} (as of {r.as_of})"
        + (f": {r.note}" if r.note else "")
        for r in entry.references
    ]
    typer.echo(printable("\n".join(lines), multiline=True))


def main() -> None:
    """Entry point: runs the app; an unexpected error is one line unless --debug asks for more."""
    try:
        app()
    except Exception as exc:  # a bug, not a user error: say so without hiding it under --debug
        if "--debug" in sys.argv:
            raise
        message = printable(f"internal error: {type(exc).__name__}: {exc}")
        typer.echo(f"{message} (run with --debug for the traceback)", err=True)
        sys.exit(3)
