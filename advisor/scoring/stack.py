"""The stack a team would build on with a framework: high-level API, deployment routes, serving, libraries.

A framework pick alone leaves the real work open ("PyTorch, but how do we reach Android?"). The
components live in ``knowledge_base/stack.yaml`` with conditions over the same spec facts rules use, so
choosing is data-driven and every choice cites knowledge entries. Per framework and role the component
with the lowest ``preference`` whose condition holds is chosen; the other matching ones are kept as
alternatives, because the second route is often a real option (LiteRT via litert-torch vs ExecuTorch).

Routes are chosen per target kind in the spec; a kind with no component is reported explicitly rather
than dropped, since "no route" is itself the answer a team needs. Serving is only shown when the spec has
server-like targets, or no targets at all (where it is the likely next step); every matching domain
library is shown, since a project may need several.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from advisor._model import StrictModel
from advisor.knowledge.load import KnowledgeBase
from advisor.knowledge.model import StackComponent, StackRole
from advisor.matching import matches

# Targets served by a model server. Batch jobs load the model in-process, so they get a route but no server.
SERVER_KINDS = ("server_rest", "server_grpc", "serverless")


class StackAlternative(StrictModel):
    """Another component that fits the same slot, less preferred than the choice."""

    id: str
    name: str
    summary: str
    cites: tuple[str, ...]


class StackChoice(StrictModel):
    """The component chosen for one role (and, for routes, one target kind), or an explicit "no route"."""

    role: StackRole
    id: str | None  # None only when no_route
    name: str
    summary: str
    target_kind: str | None = None
    cites: tuple[str, ...] = ()
    alternatives: tuple[StackAlternative, ...] = ()
    no_route: bool = False


class RecommendedStack(StrictModel):
    """What a team would build on with ``framework`` for this spec."""

    framework: str
    high_level_api: StackChoice | None
    routes: tuple[StackChoice, ...]
    serving: StackChoice | None
    domain_libraries: tuple[StackChoice, ...]

    @property
    def choices(self) -> tuple[StackChoice, ...]:
        """Every choice in report order: API, routes, serving, domain libraries."""
        api = (self.high_level_api,) if self.high_level_api else ()
        serving = (self.serving,) if self.serving else ()
        return (*api, *self.routes, *serving, *self.domain_libraries)

    @property
    def cites(self) -> tuple[str, ...]:
        """Entry ids cited by the chosen components (alternatives excluded), first mention first."""
        return tuple(dict.fromkeys(c for choice in self.choices for c in choice.cites))


def recommend_stack(kb: KnowledgeBase, facts: Mapping[str, Any], framework: str) -> RecommendedStack:
    """The stack for ``framework`` given ``facts`` (``advisor.spec.derived.rule_facts(spec)``). Pure."""
    fitting = [c for c in _ranked(kb.stack) if c.framework == framework and _applies(c, facts)]
    kinds = _target_kinds(facts)
    name = kb.frameworks[framework].name if framework in kb.frameworks else framework
    routes = tuple(_route(fitting, kind, name) for kind in kinds)
    wants_server = not kinds or any(kind in SERVER_KINDS for kind in kinds)
    return RecommendedStack(
        framework=framework,
        high_level_api=_choose(_of_role(fitting, StackRole.high_level_api)),
        routes=routes,
        serving=_choose(_of_role(fitting, StackRole.serving)) if wants_server else None,
        domain_libraries=tuple(_as_choice(c) for c in _of_role(fitting, StackRole.domain_library)),
    )


def _ranked(components: Iterable[StackComponent]) -> list[StackComponent]:
    """By preference; ties keep the file's order, so the data file decides and the output is stable."""
    return [c for _, _, c in sorted((c.preference, i, c) for i, c in enumerate(components))]


def _applies(component: StackComponent, facts: Mapping[str, Any]) -> bool:
    return component.applies_when is None or matches(component.applies_when, facts)


def _target_kinds(facts: Mapping[str, Any]) -> tuple[str, ...]:
    """Distinct target kinds in spec order (a spec may list several targets of one kind)."""
    targets = facts.get("deployment", {}).get("targets", [])
    return tuple(dict.fromkeys(str(t["kind"]) for t in targets))


def _of_role(components: list[StackComponent], role: StackRole) -> list[StackComponent]:
    return [c for c in components if c.role is role]


def _route(fitting: list[StackComponent], kind: str, framework_name: str) -> StackChoice:
    candidates = [c for c in _of_role(fitting, StackRole.deployment_route) if kind in c.target_kinds]
    if candidates:
        return _pick(candidates, kind)
    return StackChoice(
        role=StackRole.deployment_route,
        id=None,
        name="No route",
        summary=f"The knowledge base has no route from {framework_name} to a {kind} target that fits this project.",
        target_kind=kind,
        no_route=True,
    )


def _choose(candidates: list[StackComponent]) -> StackChoice | None:
    return _pick(candidates) if candidates else None


def _pick(candidates: list[StackComponent], kind: str | None = None) -> StackChoice:
    """The most preferred candidate, with the others as its alternatives (``candidates`` is ranked)."""
    first, *rest = candidates
    alternatives = tuple(StackAlternative(id=c.id, name=c.name, summary=c.summary, cites=tuple(c.cites)) for c in rest)
    return _as_choice(first, kind, alternatives)


def _as_choice(
    component: StackComponent, kind: str | None = None, alternatives: tuple[StackAlternative, ...] = ()
) -> StackChoice:
    return StackChoice(
        role=component.role,
        id=component.id,
        name=component.name,
        summary=component.summary,
        target_kind=kind,
        cites=tuple(component.cites),
        alternatives=alternatives,
    )
