"""``python -m advisor.questionnaire [OUTPUT]``: ``advisor init`` without the CLI (used by the pty test).

Same options as ``advisor init``; errors are one line plus a hint, exit 2, like the CLI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from advisor.errors import AdvisorError
from advisor.questionnaire import run_init


def show_recommendation(spec: Path) -> int:
    """Print the terminal report for ``spec``; 1 when no framework can be picked (as ``recommend``)."""
    from advisor.api import recommend
    from advisor.report.formats import renderer

    report = recommend(spec)
    print(renderer("terminal")(report))
    return 0 if report.winner is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="advisor init", description="Write a project spec by answering questions.")
    parser.add_argument("output", nargs="?", help="spec file to write (default: project.yaml; '-' = stdout)")
    parser.add_argument("--defaults", action="store_true", help="take every default without asking")
    parser.add_argument("--from", dest="from_file", type=Path, help="partial spec whose answers are taken")
    parser.add_argument("--set", dest="answers", action="append", default=[], metavar="ID=VALUE", help="an answer")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument("--no-recommend", action="store_true", help="do not offer to run recommend at the end")
    parser.add_argument("--knowledge", type=Path, help="knowledge-base folder instead of the shipped one")
    args = parser.parse_args(argv)
    try:
        return run_init(
            args.output,
            interactive=sys.stdin.isatty(),
            defaults=args.defaults,
            from_file=args.from_file,
            answers=args.answers,
            force=args.force,
            recommend=None if args.no_recommend else show_recommendation,
            knowledge_dir=args.knowledge,
        )
    except KeyboardInterrupt:  # during the report at the end: the spec is already written
        return 130
    except AdvisorError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
