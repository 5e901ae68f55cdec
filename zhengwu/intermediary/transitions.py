"""A purchase's lifecycle as data: which action is allowed in which status, where it leads, who may ask.

待发布 → 报名中 → 待选取 → (信用择优: 待业主选定 →) 待机构确认 → 待登记合同 → 服务中 → 待评价 → 已完成,
with 流标 (too few sign-ups, or the selected agency declines), 已取消 and 服务中止 as ends; a failed or
cancelled purchase may be republished as a new one (``previous`` points back). Actions that do not move
the status list ``""`` as target. A target is the usual outcome: ``close_signup`` and ``select`` end in
流标 (FAILED) when too few valid sign-ups remain, and ``select`` of a 信用择优 purchase ends in 待业主选定
(SHORTLISTED) until the owner's ``pick``. Every service looks its action up here (``services.common.transition_check``).
"""

from __future__ import annotations

from zhengwu.core.transitions import Transition, actions_in
from zhengwu.core.transitions import transition as _t

from .models import PurchaseStatus as S

# Who may ask (checked by services.common.actor_is):
OWNER = "owner"  # a member of the purchase's 项目业主
AGENCY = "agency"  # a member of an admitted agency (for sign-up), or of the selected agency (afterwards)
ADMIN = "admin"  # 中介超市管理员 of the purchase's region
SYSTEM = "system"  # the scheduled job (selection at the announced time, expiry sweeps)




TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("publish", "发布采购公告", [S.DRAFT], S.SIGNUP, [OWNER]),
        _t("signup", "报名", [S.SIGNUP], "", [AGENCY]),
        _t("withdraw_signup", "撤回报名", [S.SIGNUP], "", [AGENCY]),
        _t("close_signup", "报名截止", [S.SIGNUP], S.SELECTING, [OWNER, ADMIN, SYSTEM]),
        _t("select", "选取", [S.SIGNUP, S.SELECTING], S.SELECTED, [OWNER, ADMIN, SYSTEM]),
        _t("pick", "业主选定", [S.SHORTLISTED], S.SELECTED, [OWNER]),
        _t("confirm", "中选机构确认", [S.SELECTED], S.CONFIRMED, [AGENCY]),
        _t("decline", "中选机构放弃", [S.SELECTED], S.FAILED, [AGENCY]),
        _t("register_contract", "登记合同", [S.CONFIRMED], S.IN_SERVICE, [OWNER]),
        _t("request_extension", "申请延期", [S.IN_SERVICE], "", [AGENCY]),
        _t("decide_extension", "同意/不同意延期", [S.IN_SERVICE], "", [OWNER]),
        _t("deliver", "提交服务成果", [S.IN_SERVICE], S.DELIVERED, [AGENCY]),
        _t("rate", "服务评价", [S.DELIVERED], S.COMPLETED, [OWNER]),
        _t("terminate", "中止服务", [S.CONFIRMED, S.IN_SERVICE], S.TERMINATED, [OWNER, ADMIN]),
        _t("cancel", "取消采购", [S.DRAFT, S.SIGNUP, S.SELECTING], S.CANCELLED, [OWNER, ADMIN]),
        _t("republish", "重新采购", [S.FAILED, S.CANCELLED, S.TERMINATED], "", [OWNER]),
    ]
}

# The actions an API client or a page may ask for on an existing purchase
# (POST /api/intermediary/purchases/{id}/actions/{action}).
PURCHASE_ACTIONS = list(TRANSITIONS)


def actions_from(status: str) -> list[Transition]:
    return actions_in(TRANSITIONS, status)
