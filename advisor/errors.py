"""User-facing errors, and how text from the user is shown on a terminal.

Everything the user can cause (a bad spec, a broken data file, a missing path) raises a subclass of
:class:`AdvisorError`. The CLI prints ``str(error)`` as one line plus the hint and exits 2; anything
else is a bug and keeps its traceback (under ``--debug``).

Errors quote what the user wrote (a key, a value, a file name), and a terminal obeys control
characters: an ESC sequence in a key could clear the screen, retitle the window or plant a fake
hyperlink, and a NUL or CR could hide the rest of the line. So :func:`printable` shows every such
character as a visible escape (``\\x1b``), and an error's text passes through it before anyone prints it.
It lives here, at the bottom of the import graph, so the renderers and the questionnaire can share it.
"""

from __future__ import annotations

import functools
import re

# C0 controls (newline and tab kept only in multi-line text), DEL, C1 controls (a bare 0x9b is a CSI),
# the line/paragraph separators, the bidi embeddings, overrides and isolates that reorder what follows
# ("Trojan Source"), and lone surrogates (undecodable bytes of a file name, which a UTF-8 stream
# refuses to write at all).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"


@functools.cache
def _unsafe(multiline: bool) -> re.Pattern[str]:
    """Compiled on first use: every command imports this module, few print user text (and it costs ~1 ms)."""
    return re.compile(f"[{_CONTROLS}]" if multiline else f"[\t\n{_CONTROLS}]")


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\x1b``, ``\\u202e``).

    One-line text (the default) escapes newlines and tabs too, so a quoted value cannot start a fake
    line of output; ``multiline`` keeps them. Text without such characters is returned as it is (the
    same object), and escaping twice changes nothing. Backslashes are left alone: paths stay readable.
    """
    unsafe = _unsafe(multiline)
    if unsafe.search(text) is None:
        return text
    return unsafe.sub(_escape, text)


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    """One character as Python writes it in a string literal, which is what a user would type."""
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class AdvisorError(Exception):
    """An error the user can fix; carries where it happened and a hint.

    ``message``, ``path`` and ``field`` keep what was given (callers re-raise with them); ``str()``
    shows them through :func:`printable`. ``hint`` is stored already printable (newlines kept), because
    the CLI prints the attribute itself.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        self.hint = printable(hint, multiline=True) if hint is not None else None

    def location(self) -> str:
        """``file:line`` (as far as known), the prefix editors and terminals make clickable."""
        if self.path is None:
            return ""
        path = printable(str(self.path))
        return f"{path}:{self.line}" if self.line is not None else path

    def where(self) -> str:
        """``file:line: field 'x'`` (as far as known): what :meth:`__str__` puts before the message."""
        field = f"field '{printable(str(self.field))}'" if self.field else ""
        return ": ".join(p for p in (self.location(), field) if p)

    def __str__(self) -> str:
        message = printable(str(self.message))
        return f"{self.where()}: {message}" if self.where() else message


class SpecError(AdvisorError):
    """The project spec cannot be read or is invalid."""


class DataError(AdvisorError):
    """A knowledge-base or rule file shipped with the advisor (or pointed to by the user) is invalid."""


class EvidenceError(AdvisorError):
    """A saved probe result cannot be read or does not match the result schema."""
