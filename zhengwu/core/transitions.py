"""The shape of a lifecycle table (the transitions of trading rounds, intermediary purchases, 涉企活动申报,
评议活动 …): which action is allowed in which status, where it leads, who may ask. Each domain keeps its own
table in its ``transitions.py``; the services look their action up there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str  # "" keeps the status
    actors: frozenset[str]


def transition(action: str, label: str, sources: Iterable[str], target: str, actors: Iterable[str]) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(actors))


def table(*rows: Transition) -> dict[str, Transition]:
    """The rows by action."""
    return {t.action: t for t in rows}


def actions_in(rows: dict[str, Transition], status: str) -> list[Transition]:
    """The transitions that may start from ``status``."""
    return [t for t in rows.values() if status in t.sources]
