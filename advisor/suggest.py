""" "Did you mean": the one way every command suggests a known name for a word it does not know.

In order: a common word for a known one (``novice`` -> ``beginner``, ``torch`` -> ``pytorch``, only when
that name is among the known ones), the one name the word begins (``mobile`` -> ``mobile_edge``, three
letters or more), then the closest spelling. ``init`` and ``validate`` both accept exact names only and
use this for the hint, so what one accepts the other accepts too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

COMMON_WORDS: dict[str, str] = {
    **dict.fromkeys(("novice", "newbie", "new", "junior", "basic", "learning", "starter", "entry"), "beginner"),
    **dict.fromkeys(("some", "moderate", "medium", "mid", "familiar", "competent", "working"), "intermediate"),
    **dict.fromkeys(("advanced", "senior", "strong", "proficient", "fluent", "experienced", "pro"), "expert"),
    **dict.fromkeys(("no", "nothing", "zero", "never", "nil"), "none"),
    **dict.fromkeys(("torch", "pt"), "pytorch"),
    **dict.fromkeys(("tf", "tf2", "tf.keras"), "tensorflow"),
    **dict.fromkeys(("?", "dunno", "unsure", "n/a", "na", "tbd"), "unknown"),
    **dict.fromkeys(("gpu", "nvidia", "cuda"), "nvidia_gpu"),
    **dict.fromkeys(("mac", "apple", "mps", "m1", "m2", "m3", "m4"), "apple_silicon"),
    **dict.fromkeys(("web",), "browser"),
    **dict.fromkeys(("cv", "image", "images"), "vision"),
    **dict.fromkeys(("text", "language", "llm"), "nlp"),
}


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name ``word`` most likely meant, or None."""
    names = list(known)
    lowered = word.strip().lower()
    common = COMMON_WORDS.get(lowered)
    if common in names:
        return common
    begun = [name for name in names if name.lower().startswith(lowered)] if len(lowered) >= 3 else []
    if len(begun) == 1:
        return begun[0]
    close = difflib.get_close_matches(lowered, names, n=1)
    return close[0] if close and close[0] != word else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for ``word``, or nothing when no known name is close."""
    meant = closest(word, known)
    return f"; did you mean '{meant}'?" if meant else ""
