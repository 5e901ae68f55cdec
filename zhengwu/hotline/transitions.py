"""The work-order lifecycle as data: which action moves an order from which status to which, done by whom.

Every service looks its action up here; nothing else decides what is allowed. Actors:

- ``CENTRE``: the hotline centre (话务员, 热线管理员), in their region; some actions only the 热线管理员.
- ``UNIT``: the staff of a unit the order is dispatched to (主办 or 协办; some actions only the 主办).
- ``UNIT_HEAD``: the head of the 主办 unit (部门负责人 of the department; 中心管理员 of a town centre or
  village station) — signs off the 办结反馈.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.org.models import Role

from .models import Status

CENTRE = "centre"
UNIT = "unit"
UNIT_HEAD = "unit_head"

CENTRE_ROLES = frozenset({Role.CALL_TAKER, Role.HOTLINE_ADMIN})
ADMIN_ROLES = frozenset({Role.HOTLINE_ADMIN})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # what the action is called on buttons and in messages
    sources: frozenset[str]
    targets: frozenset[str]
    actor: str
    roles: frozenset[str] = frozenset()  # for CENTRE: who of the centre may; empty = any of it
    main_only: bool = False  # for UNIT: only the 主办 unit
    writes_unit: bool = False  # for UNIT: the step changes the unit row acted for (read it, locked order)


def _t(action, label, sources, targets, actor, roles=frozenset(), main_only=False, writes_unit=False):
    return Transition(
        action, label, frozenset(sources), frozenset(targets), actor, frozenset(roles), main_only, writes_unit
    )


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("create", "受理", [""], [S.PENDING], CENTRE),
        _t("dispatch", "派单", [S.PENDING], [S.DISPATCHED], CENTRE),
        _t("answer", "直接答复", [S.PENDING], [S.CLOSED], CENTRE),
        _t("transfer", "转警", [S.PENDING], [S.TRANSFERRED], CENTRE),
        _t("merge", "并单", [S.PENDING, S.DISPATCHED, S.HANDLING, S.RETURNED], [S.MERGED], CENTRE),
        # a 协办 unit's 签收 leaves the order where it is
        _t(
            "sign",
            "签收",
            [S.DISPATCHED, S.HANDLING, S.REVIEWING],
            [S.HANDLING, S.REVIEWING],
            UNIT,
            writes_unit=True,
        ),
        _t(
            "return", "退单", [S.DISPATCHED, S.HANDLING], [S.RETURNED], UNIT, main_only=True, writes_unit=True
        ),
        _t("reassign", "改派", [S.RETURNED], [S.DISPATCHED], CENTRE, ADMIN_ROLES),
        _t("reject_return", "驳回退单", [S.RETURNED], [S.DISPATCHED, S.HANDLING], CENTRE, ADMIN_ROLES),
        _t("extend_request", "延期申请", [S.HANDLING], [S.HANDLING], UNIT, main_only=True),
        _t(
            "extend_decide",
            "延期审批",
            [S.HANDLING, S.REVIEWING],
            [S.HANDLING, S.REVIEWING],
            CENTRE,
            ADMIN_ROLES,
        ),
        _t("reply", "办结反馈", [S.HANDLING], [S.REVIEWING], UNIT, main_only=True),
        _t("approve", "审核通过", [S.REVIEWING], [S.CALLBACK], UNIT_HEAD),
        _t("send_back", "审核退回", [S.REVIEWING], [S.HANDLING], UNIT_HEAD),
        _t(
            "urge",
            "催办",
            [S.DISPATCHED, S.HANDLING, S.REVIEWING],
            [S.DISPATCHED, S.HANDLING, S.REVIEWING],
            CENTRE,
        ),
        _t(
            "supervise",
            "督办",
            [S.DISPATCHED, S.HANDLING, S.REVIEWING],
            [S.DISPATCHED, S.HANDLING, S.REVIEWING],
            CENTRE,
            ADMIN_ROLES,
        ),
        # 不满意 for a reason the unit controls sends the order back to the unit (重办)
        _t("callback", "回访", [S.CALLBACK], [S.CLOSED, S.HANDLING], CENTRE),
    ]
}

UNIT_ACTIONS = [a for a, t in TRANSITIONS.items() if t.actor in (UNIT, UNIT_HEAD)]
CENTRE_ACTIONS = [a for a, t in TRANSITIONS.items() if t.actor == CENTRE and a != "create"]


def actions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
