"""The agreement lifecycle as data: which action is allowed in which status, and where it leads.

待签订 → 代办中 → 已办结 / 终止 (GB/T 38227-2019; the public model ``AeaProjApplyAgent``). Actions that do
not move the status (materials, upstream steps, hand-over) list their own status as the target.
Every service looks its action up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Status

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str  # "" keeps the status


def _t(action, label, sources, target=""):
    return Transition(action, label, frozenset(sources), target)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("draft", "起草代办协议", [""], S.PENDING),
        _t("sign", "确认签订", [S.PENDING], S.ACTIVE),
        _t("receive_material", "接收材料", [S.PENDING, S.ACTIVE]),
        _t("return_material", "退还材料", [S.PENDING, S.ACTIVE, S.FINISHED, S.TERMINATED]),
        _t("record_step", "登记上级办理环节", [S.ACTIVE]),
        _t("record_result", "登记上级办理结果", [S.ACTIVE]),
        _t("import_steps", "导入上级办理环节", [S.ACTIVE]),
        _t("handover", "交付办理结果", [S.ACTIVE]),
        _t("finish", "办结", [S.ACTIVE], S.FINISHED),
        _t("terminate", "终止代办", [S.PENDING, S.ACTIVE], S.TERMINATED),
    ]
}

# The actions an API client or a page form may ask for on an existing agreement.
AGREEMENT_ACTIONS = [a for a in TRANSITIONS if a not in ("draft", "import_steps")]


def actions_from(status: str) -> list[Transition]:
    return [t for a, t in TRANSITIONS.items() if status in t.sources and a in AGREEMENT_ACTIONS]
