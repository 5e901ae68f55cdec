"""The case lifecycle as data: which action moves a case from which status to which, done by whom.

Every service in ``services.py`` looks its action up here; nothing else decides what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.org.models import Role

from .models import Status

OFFICER = "officer"
APPLICANT = "applicant"

FRONT = frozenset({Role.WINDOW_OFFICER, Role.CHIEF_REP})
HANDLERS = frozenset({Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # what the action is called on buttons and in messages
    sources: frozenset[str]
    targets: frozenset[str]  # usually one; e.g. a supplement returns to 待受理 or 审查中
    actor: str
    roles: frozenset[str] = frozenset()  # for officers; empty with step_role: the step's own role
    step_role: bool = False


def _t(action, label, sources, targets, actor, roles=frozenset(), step_role=False):
    return Transition(action, label, frozenset(sources), frozenset(targets), actor, frozenset(roles), step_role)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", "提交申请", [""], [S.SUBMITTED, S.PENDING], APPLICANT),
        # also while 待补正: an API client uploads the missing files one by one, then sends 补正
        _t("add_materials", "补充上传材料", [S.SUBMITTED, S.PENDING, S.SUPPLEMENT],
           [S.SUBMITTED, S.PENDING, S.SUPPLEMENT], APPLICANT),
        _t("prereview", "预审通过", [S.SUBMITTED], [S.PENDING], OFFICER, FRONT),
        _t("accept", "受理", [S.SUBMITTED, S.PENDING], [S.IN_REVIEW, S.COMPLETED], OFFICER, FRONT),
        _t("request_supplement", "一次性告知补正", [S.SUBMITTED, S.PENDING, S.IN_REVIEW], [S.SUPPLEMENT],
           OFFICER, FRONT),
        # a partial 补正 stays 待补正 until every listed item is in (or waived by an officer)
        _t("supplement", "补正材料", [S.SUPPLEMENT], [S.SUPPLEMENT, S.PENDING, S.IN_REVIEW], APPLICANT),
        _t("supplement_item", "核对补正材料", [S.SUPPLEMENT], [S.SUPPLEMENT, S.PENDING, S.IN_REVIEW], OFFICER, FRONT),
        _t("reject", "不予受理", [S.SUBMITTED, S.PENDING, S.SUPPLEMENT], [S.REJECTED], OFFICER, FRONT),
        _t("review", "审查通过，转下一环节", [S.IN_REVIEW], [S.IN_REVIEW], OFFICER, step_role=True),
        _t("suspend", "启动特别程序", [S.IN_REVIEW], [S.SUSPENDED], OFFICER, HANDLERS),
        _t("resume", "特别程序结束", [S.SUSPENDED], [S.IN_REVIEW], OFFICER, HANDLERS),
        _t("extend", "延期", [S.IN_REVIEW, S.SUSPENDED], [S.IN_REVIEW, S.SUSPENDED], OFFICER, [Role.DEPT_HEAD]),
        _t("decide", "作出决定", [S.IN_REVIEW], [S.DECIDED], OFFICER, step_role=True),
        _t("complete", "办结", [S.DECIDED], [S.COMPLETED], OFFICER, FRONT),
        _t("deliver", "送达", [S.COMPLETED], [S.DELIVERED], OFFICER, FRONT),
        # 认领: a web account takes over a window or agent case (SMS code to the recorded phone)
        _t("claim", "认领办件", list(S), list(S), APPLICANT),
        _t("withdraw", "撤回申请", [S.SUBMITTED, S.PENDING, S.SUPPLEMENT, S.IN_REVIEW, S.SUSPENDED], [S.WITHDRAWN],
           APPLICANT),
    ]
}

OFFICER_ACTIONS = [a for a, t in TRANSITIONS.items() if t.actor == OFFICER]


def actions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
