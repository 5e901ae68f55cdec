"""Joint-only actions on a 联办件 (``POST /api/cases/{case_no}/actions/{action}`` where ``case_no`` is the
联办件's): a registry so each part of the joint app (the combined result, rulings, 联合踏勘) adds its own.

A handler is ``handler(*, joint, staff, payload: dict) -> object`` and runs a service (one transaction);
it raises ``DomainError`` on refusal. ``payload`` is the request body as a dict. An action the applicant
may take (``applicant=True``: 补正, 撤回) is also given ``user=`` (the caller's account) and may be called
with ``staff=None``; every other action is refused to a caller who is not staff before its handler runs.
"""

from __future__ import annotations

from collections.abc import Callable

JOINT_ACTIONS: dict[str, tuple[str, Callable]] = {}
APPLICANT_ACTIONS: set[str] = set()


def register_joint_action(code: str, label: str, handler: Callable, *, applicant: bool = False) -> None:
    """``code`` is the path segment, ``label`` its Chinese name (shown in the OpenAPI description)."""
    JOINT_ACTIONS[code] = (label, handler)
    if applicant:
        APPLICANT_ACTIONS.add(code)
