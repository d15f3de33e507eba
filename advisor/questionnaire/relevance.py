"""Which questions earlier answers make irrelevant, as data: one condition per question that has one.

A question without a rule is always asked (``horizon``, the MLOps platforms and committed accelerators
are, on purpose). ``*`` in an id stands for the list item being asked about, so a per-target rule looks at
that target's own kind. Rules only skip questions; they never add any.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.questionnaire.questions import ITEM

_ON_DEVICE = frozenset({"android", "ios", "browser", "microcontroller", "edge_linux", "serverless"})
_KERAS_CODE = frozenset({"keras", "tensorflow", "mixed"})
_SERVER_LIKE = frozenset({"server_rest", "server_grpc", "serverless", "batch"})  # where serving software runs
_NO_CODE = frozenset({"none"})


@dataclass(frozen=True)
class AskWhen:
    """Ask only when the earlier answer ``field`` is (or, for a list, contains) one of ``any_of``, and is
    (contains) none of ``none_of``."""

    field: str
    any_of: frozenset[str] = frozenset()
    none_of: frozenset[str] = frozenset()
    why: str = ""  # shown when an answer is given for a question its condition skips
    or_empty: bool = False  # also ask when the earlier answer is an empty list (e.g. no targets chosen yet)
    answered: bool = False  # ask only when the earlier (free-text) answer was given at all
    or_when: tuple[AskWhen, ...] = ()  # also ask when any of these conditions asks


RULES: Mapping[str, AskWhen] = {
    "deployment.targets.*.latency_ms_p95": AskWhen(
        "deployment.targets.*.kind", none_of=frozenset({"batch"}), why="batch targets have no latency budget"
    ),
    "deployment.targets.*.max_model_size_mb": AskWhen(
        "deployment.targets.*.kind", any_of=_ON_DEVICE, why="only on-device and serverless targets limit size"
    ),
    "deployment.serving": AskWhen(
        "deployment.targets",
        any_of=_SERVER_LIKE,
        or_empty=True,
        why="no server-like target (server_rest, server_grpc, serverless, batch) was chosen",
    ),
    "codebase.lines_of_code": AskWhen("codebase.framework", none_of=_NO_CODE, why="there is no codebase"),
    "codebase.models": AskWhen("codebase.framework", none_of=_NO_CODE, why="there is no codebase"),
    "codebase.custom_ops": AskWhen("codebase.framework", none_of=_NO_CODE, why="there is no codebase"),
    "codebase.keras_version": AskWhen("codebase.framework", any_of=_KERAS_CODE, why="the code does not use Keras"),
    "codebase.api_generations": AskWhen("codebase.framework", none_of=_NO_CODE, why="there is no codebase"),
    "probe.framework": AskWhen("probe.model", answered=True, why="no model of your own was given"),
    "probe.dynamic_dims": AskWhen("probe.model", answered=True, why="no model of your own was given"),
    "infrastructure.training_accelerators": AskWhen(
        "infrastructure.multi_gpu",
        any_of=frozenset({"yes"}),
        or_when=(AskWhen("infrastructure.multi_node", any_of=frozenset({"yes"})),),
        why="training runs on one accelerator (neither multi_gpu nor multi_node)",
    ),
    "infrastructure.windows_native": AskWhen(
        "infrastructure.operating_systems", any_of=frozenset({"windows"}), why="Windows is not among the systems"
    ),
}


def skip_reason(template_id: str, answers: Mapping[str, Any], item_key: str | None = None) -> str | None:
    """Why the question is irrelevant given ``answers`` so far, or None when it should be asked."""
    rule = RULES.get(template_id)
    if rule is None:
        return None
    reason = _reason(rule, answers, item_key)
    if reason is not None and any(_reason(other, answers, item_key) is None for other in rule.or_when):
        return None
    return reason


def _word(value: Any) -> str:
    """An answer as the choice a person typed: a yes/no answer is the word, not Python's True."""
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _reason(rule: AskWhen, answers: Mapping[str, Any], item_key: str | None) -> str | None:
    field = rule.field if item_key is None else rule.field.replace(f".{ITEM}.", f".{item_key}.", 1)
    value = answers.get(field)
    if rule.answered:
        return None if value not in (None, "") else rule.why or f"not asked without {field}"
    if rule.or_empty and not value:
        return None
    given = {str(v) for v in value} if isinstance(value, list) else {_word(value)}
    if (rule.any_of and not given & rule.any_of) or given & rule.none_of:
        return rule.why or f"not asked for this {field}"
    return None
