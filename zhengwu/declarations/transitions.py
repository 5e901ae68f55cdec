"""The lifecycle as data: which action is allowed in which status, where it leads, who may ask.

Declarations: 草稿 → 待审批 → 已备案 / 不予备案 / 已撤回; 已备案 → 已执行 (执行登记, per enterprise; may be recorded
again while 已执行) → 已办结. A draft, a pending or an approved (not yet carried out) declaration may be withdrawn.
Reports of undeclared visits: 待核查 → 属实 / 不属实. Actions that do not move the status list ``""`` as target.
Every service looks its action up here (``services.common.transition_check``).
"""

from __future__ import annotations

from zhengwu.core.transitions import Transition, actions_in
from zhengwu.core.transitions import transition as _t

from .models import DeclarationStatus as S
from .models import ReportStatus as R

# Who may ask:
DEPARTMENT = "department"  # active staff of the declaring department
OFFICE = "office"  # 优化营商环境办 whose region covers the declaration
SUPERVISOR = "supervisor"  # 效能监察员 whose region covers the report




TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", "提交申报", [S.DRAFT], S.SUBMITTED, [DEPARTMENT]),
        _t("approve", "同意备案", [S.SUBMITTED], S.APPROVED, [OFFICE]),
        _t("refuse", "不予备案", [S.SUBMITTED], S.REFUSED, [OFFICE]),
        _t("withdraw", "撤回", [S.DRAFT, S.SUBMITTED, S.APPROVED], S.WITHDRAWN, [DEPARTMENT]),
        _t("record", "执行登记", [S.APPROVED, S.CARRIED_OUT], S.CARRIED_OUT, [DEPARTMENT]),
        _t("close", "办结", [S.CARRIED_OUT], S.CLOSED, [DEPARTMENT]),
    ]
}

DECLARATION_ACTIONS = list(TRANSITIONS)

REPORT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("uphold", "核查属实", [R.OPEN], R.UPHELD, [SUPERVISOR]),
        _t("reject", "核查不属实", [R.OPEN], R.REJECTED, [SUPERVISOR]),
    ]
}

REPORT_ACTIONS = list(REPORT_TRANSITIONS)


def actions_from(status: str) -> list[Transition]:
    return actions_in(TRANSITIONS, status)
