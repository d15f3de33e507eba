"""``advisor init``: a questionnaire, generated from the spec model, that writes a commented, valid spec.

:func:`run_init` is what the CLI calls. It checks the destination first (no overwrite without ``force``),
takes answers from a partial spec and ``--set`` pairs, asks the rest on a terminal (or, without one, says
what is missing), validates the result like ``advisor validate`` and only then writes it, atomically.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from advisor.errors import AdvisorError, printable
from advisor.questionnaire.answers import AnswerError, parse_answer
from advisor.questionnaire.questions import Kind, Question, Questionnaire, build_questionnaire, kb_names
from advisor.questionnaire.render import render_spec
from advisor.questionnaire.session import Aborted, Prompter, collect
from advisor.questionnaire.sources import given_from_file, given_from_pairs

__all__ = ["DEFAULT_OUTPUT", "EXIT_CANCELLED", "Questionnaire", "build_questionnaire", "run_init"]

DEFAULT_OUTPUT = "project.yaml"
EXIT_CANCELLED = 130  # the shell's code for Ctrl-C
HEADER = """Project spec written by `advisor init`. Each key's description is above it; edit freely.
Check it with `advisor validate FILE`, decide with `advisor recommend FILE`; `advisor schema` has the rest."""

Ask = Callable[[str], str]
Say = Callable[[str], None]


def run_init(
    output: str | None,
    *,
    interactive: bool,
    defaults: bool = False,
    from_file: Path | None = None,
    answers: Sequence[str] = (),
    force: bool = False,
    recommend: Callable[[Path], int] | None = None,
    knowledge_dir: Path | None = None,
    ask: Ask | None = None,
    say: Say | None = None,
) -> int:
    """Ask, write the spec to ``output`` (default :data:`DEFAULT_OUTPUT`; ``-`` = stdout), return an exit code.

    ``answers`` are ``ID=VALUE`` strings (``--set``); ``defaults`` takes every default without asking;
    ``interactive`` means a terminal may be asked (without one, missing answers are an error, not a hang).
    ``recommend`` is offered at the end on a terminal. ``ask``/``say`` replace the terminal in tests.
    Returns 0, :data:`EXIT_CANCELLED` on Ctrl-C, or what ``recommend`` returns; user errors raise.
    """
    from advisor.knowledge.load import load_knowledge
    from advisor.output import check_destination, write_text
    from advisor.spec.load import parse_spec
    from advisor.spec.model import ProjectSpec

    destination = output or DEFAULT_OUTPUT
    if destination != "-" and Path(destination).exists() and not force:
        raise AdvisorError("already exists", path=destination, hint="use --force to overwrite it, or another name")
    check_destination(destination, force=force)  # a missing folder or read-only file: say so before asking
    ask, say = ask or _terminal_ask(destination), say or _terminal_say(destination)
    try:
        kb = load_knowledge(knowledge_dir)
        questionnaire = build_questionnaire(ProjectSpec, kb_names(kb))
        given = given_from_file(from_file, questionnaire) if from_file is not None else {}
        given.update(given_from_pairs(answers))
        if interactive:
            say(f"Writing {destination}. Enter takes the default, ? shows help, Ctrl-C stops without writing.")
        prompter = Prompter(ask, say, questionnaire.sections) if interactive else None
        found = collect(questionnaire, given, prompter=prompter, use_defaults=defaults, defaults=_context(destination))
        text = render_spec(questionnaire, found, HEADER)
        parse_spec(text, kb, path=destination)  # what `advisor validate` would say, before anything is written
        write_text(destination, text, force=force)
    except (Aborted, KeyboardInterrupt):
        say("\ncancelled: nothing written")
        return EXIT_CANCELLED
    if destination == "-":
        return 0
    say(f"wrote {destination}")
    if interactive and recommend is not None and _confirm(ask, say, "Run `advisor recommend` on it now?"):
        return recommend(Path(destination))
    return 0


def _context(destination: str) -> dict[str, object]:
    """Defaults the model cannot know: the project is named after its file."""
    stem = Path(destination).stem.strip() if destination != "-" else ""
    return {"name": stem[:120]} if stem else {}


def _confirm(ask: Ask, say: Say, text: str) -> bool:
    """A yes/no question outside the spec (default yes); Ctrl-C or end of input means no."""
    from pydantic import TypeAdapter

    question = Question(id="confirm", kind=Kind.yes_no, help=text, adapter=TypeAdapter(bool), default=True)
    while True:
        try:
            reply = ask(f"{text} [Y/n]: ")
        except (EOFError, KeyboardInterrupt):
            say("")
            return False
        try:
            return bool(parse_answer(question, reply))
        except AnswerError as error:
            say(f"  invalid: {error}")


def _terminal_ask(destination: str) -> Ask:
    """``input`` (with line editing) on stdout; on stderr when the spec itself goes to stdout.

    Prompts quote user text (a default taken from the file name), so they are made printable first.
    """
    if destination != "-":
        return lambda prompt: input(printable(prompt, multiline=True))

    def ask(prompt: str) -> str:
        sys.stderr.write(printable(prompt, multiline=True))
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return ask


def _terminal_say(destination: str) -> Say:
    """``print`` to the terminal, wrapped to its width; what is said quotes user text (file names,
    answers), made printable."""
    from advisor.wrapping import wrap

    stream = sys.stderr if destination == "-" else sys.stdout
    return lambda text: print(wrap(printable(text, multiline=True)), file=stream, flush=True)
