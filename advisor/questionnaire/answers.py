"""Turns typed answers (and values from a partial YAML file) into spec values, or says why it cannot.

Every answer goes through the field's own pydantic validator (so bounds and types are the model's), after
a light parse of the text: comma-separated lists, ``name=value`` pairs, yes/no, and the words a number
question also takes (``unknown``). Any input either gives a value or raises :class:`AnswerError` with a
reason fit to show before asking again; nothing else escapes.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from advisor.questionnaire.questions import Kind, Question
from advisor.suggest import did_you_mean

EMPTY = "-"  # typed for an empty list or mapping when the default is not empty
_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is the reason shown to the user."""


def parse_answer(question: Question, text: str) -> Any:
    """The value for ``text`` typed at ``question`` (empty = the default); JSON-mode like the defaults."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from the terminal, carried as surrogates
        raise AnswerError("the answer is not valid UTF-8 text") from None
    text = text.strip()
    if not text:
        if question.required:
            raise AnswerError("an answer is required")
        return question.default
    if len(text) > 2000:
        raise AnswerError("answer too long (2000 characters at most)")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise AnswerError("the answer contains control characters (arrow or function keys?)")
    return _validated(question, _parsed(question, text))


def accept_value(question: Question, value: Any) -> Any:
    """A value from a partial YAML file (already typed): written as text, then checked like a typed answer."""
    many = question.kind in (Kind.multi, Kind.items, Kind.mapping)
    if value is None:
        if question.default is None:
            return None
        raise AnswerError(
            "needs a value" + ("" if question.required else f" (or leave it out for {question.default!r})")
        )
    if isinstance(value, (list, dict)) != many or (isinstance(value, dict) != (question.kind is Kind.mapping)):
        expected = {Kind.mapping: "a mapping of name: value", Kind.multi: "a list", Kind.items: "a list"}
        raise AnswerError(f"expected {expected.get(question.kind, 'a single value')}")
    if isinstance(value, list):
        return parse_answer(question, ",".join(str(v) for v in value) or EMPTY)
    if isinstance(value, dict):
        return parse_answer(question, ",".join(f"{k}={v}" for k, v in value.items()) or EMPTY)
    if isinstance(value, bool):
        return parse_answer(question, "yes" if value else "no")
    if question.kind is Kind.text and isinstance(value, str) and value.strip():
        return _validated(question, value)  # a file may hold what a prompt cannot: several lines
    return parse_answer(question, str(value))


def show(question: Question, value: Any) -> str:
    """How a value is written back in a prompt: the inverse of :func:`parse_answer`."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "empty"
    if isinstance(value, dict):
        return ",".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items()) or "empty"
    return str(value)


def _parsed(question: Question, text: str) -> Any:
    kind = question.kind
    if kind is Kind.yes_no:
        word = text.lower()
        if word in _YES | _NO:
            return word in _YES
        raise AnswerError("answer yes or no")
    if kind is Kind.choice:
        return question.values[question.choices.index(_choice(question, text))]
    if kind in (Kind.multi, Kind.items):
        return [] if text == EMPTY else _words(question, text)
    if kind is Kind.mapping:
        return {} if text == EMPTY else _pairs(question, text)
    if question.words:
        return _number_or_word(question, text)
    return text


def _number_or_word(question: Question, text: str) -> Any:
    """``12000`` or ``unknown`` (in any case); a number is checked on its own, so the reason names its
    bounds rather than every member of the union."""
    lowered = text.lower()
    named = [c for c in question.choices if c.lower() == lowered]
    if len(named) == 1:
        return question.values[question.choices.index(named[0])]
    words = " or ".join(f"'{c}'" for c in question.choices)
    if not any(c.isdigit() for c in text):
        within = f" ({question.bounds})" if question.bounds else ""
        raise AnswerError(
            f"'{_clip(text)}' is neither a number{within} nor {words}{did_you_mean(text, question.choices)}"
        )
    if question.number_adapter is None:
        return text  # the field's own validator decides
    try:
        question.number_adapter.validate_python(text)
    except ValidationError as exc:
        raise AnswerError(f"{exc.errors(include_url=False)[0]['msg']}, or {words}") from None
    return text


def _words(question: Question, text: str) -> list[Any]:
    words = list(dict.fromkeys(w for w in re.split(r"[,\s]+", text) if w))
    if not question.choices:
        return words
    picked = [_choice(question, word) for word in words]
    return [question.values[question.choices.index(c)] for c in dict.fromkeys(picked)]


def _pairs(question: Question, text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.replace(":", "=", 1).partition("=")
        if not sep or not name.strip() or not value.strip():
            raise AnswerError(f"'{part}' is not name=value")
        name = _choice(question, name.strip()) if question.choices else name.strip()
        if name in pairs:
            raise AnswerError(f"'{name}' is given twice")
        pairs[name] = value.strip()
    return pairs


def _choice(question: Question, word: str) -> str:
    """The choice ``word`` names, in any case. Nothing else is taken (``validate`` takes no more), but a
    near miss gets a suggestion (:mod:`advisor.suggest`)."""
    if word in question.choices:
        return word
    exact = [c for c in question.choices if c.lower() == word.lower()]
    if exact:
        return exact[0]
    raise AnswerError(
        f"'{_clip(word)}' is not one of {', '.join(question.choices)}{did_you_mean(word, question.choices)}"
    )


def _validated(question: Question, candidate: Any) -> Any:
    """Run the field's own validator; its first complaint is the reason."""
    if question.kind is Kind.items:  # the keys, already checked: the per-item questions check the rest
        return list(candidate)
    try:
        value = question.adapter.validate_python(candidate)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int) or question.kind is not Kind.multi)
        message = str(error["msg"])
        raise AnswerError(f"{where}: {message}" if where else message) from None
    return question.adapter.dump_python(value, mode="json")


def _clip(word: str) -> str:
    return word if len(word) <= 40 else word[:37] + "..."
