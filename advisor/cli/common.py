"""What every command shares: how a user error is printed, and how option values are read."""

from __future__ import annotations

import datetime as dt
import sys

from advisor.errors import AdvisorError, printable


def report_error(error: AdvisorError) -> int:
    """Print ``error`` (and its hint) on stderr; return its exit status."""
    from advisor.wrapping import wrap

    where = error.where()
    lead = f"error: {where}: " if where else "error: "  # never broken: the location stays clickable
    sys.stderr.write(wrap(printable(str(error.message)), lead=lead) + "\n")
    if error.hint:
        sys.stderr.write(wrap(f"  hint: {error.hint}") + "\n")
    sys.stderr.flush()
    return error.exit_code


def say(text: str) -> None:
    """A line for the user on stderr (what was written, what was assumed), wrapped to the terminal."""
    from advisor.wrapping import wrap

    sys.stderr.write(wrap(text) + "\n")
    sys.stderr.flush()


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date (None when not given); anything else is a user error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.date.fromisoformat("invalid")
    except ValueError:
        raise AdvisorError(f"'{value}' is not a date: give it as YYYY-MM-DD", field=option) from None


def format_for(output: str, given: str | None, allowed: tuple[str, ...], extensions: dict[str, str]) -> str:
    """The output format: ``given`` (``-f``), else the one ``output``'s extension names, else terminal.

    A ``-f`` that contradicts the extension is a user error; an extension no format claims keeps the
    terminal text and says so."""
    from pathlib import PurePath

    suffix = PurePath(output).suffix.lower() if output != "-" else ""
    implied = extensions.get(suffix) if suffix else None
    if implied is not None and implied not in allowed:
        implied = None
    if given is not None:
        if implied is not None and implied != given:
            raise AdvisorError(
                f"-f {given} contradicts the file name {output}, which names {implied}",
                field="--format",
                hint=f"drop -f to write {implied}, or name the file for {given}",
            )
        return given
    if implied is not None:
        return implied
    if suffix:
        say(printable(f"note: {output}: no format is named by '{suffix}', so it gets the terminal text (see -f)"))
    return "terminal"
