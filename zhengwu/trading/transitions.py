"""A round's lifecycle as data: which action is allowed in which status, where it leads, who may ask.

待发布 (→ 资格预审中) → 招标中 → 开标中 → 评标中 → 中标候选人公示 → 已定标 → 已签合同 → 已验收, with 流标/废标 and 终止 as
ends of a round (a re-tender opens the next round of the same project). Actions that do not move the
status list ``""`` as target. An open 异议/质疑 (``Tender.paused``) blocks every action in ``PAUSABLE``.
Every service looks its action up here (``services.common.transition_check``).
"""

from __future__ import annotations

from zhengwu.core.transitions import Transition, actions_in
from zhengwu.core.transitions import transition as _t

from .models import TenderStatus as S

# Who may ask (checked by services.common.actor_check):
AGENCY = "agency"  # a member of the project's 代理机构, or of the 招标人 when there is no agency
BIDDER = "bidder"  # a member of a bidder party
EXPERT = "expert"  # a member of the round's committee: a drawn expert or a 招标人代表 with an account
CENTRE = "centre"  # 交易中心管理员 of the project's hall
SUPERVISOR = "supervisor"  # 交易监督人员 of the project's 行政监督部门 (or the region)




TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("publish_prequal", "发布资格预审公告", [S.DRAFT], S.PREQUAL, [AGENCY]),
        _t("prequal_result", "确定资格预审结果", [S.PREQUAL], "", [AGENCY]),
        _t("publish", "发布公告", [S.DRAFT, S.PREQUAL], S.PUBLISHED, [AGENCY]),
        _t("obtain", "获取招标文件", [S.PREQUAL, S.PUBLISHED], "", [BIDDER]),
        _t("amend", "澄清/修改", [S.PREQUAL, S.PUBLISHED], "", [AGENCY]),
        _t("object", "提出异议/质疑", [S.PREQUAL, S.PUBLISHED, S.OPENING, S.PUBLICITY], "", [BIDDER]),
        _t("answer", "答复异议/质疑", [S.PREQUAL, S.PUBLISHED, S.OPENING, S.EVALUATING, S.PUBLICITY], "", [AGENCY]),
        _t("submit_bid", "递交投标文件", [S.PUBLISHED], "", [BIDDER]),
        _t("withdraw_bid", "撤回投标文件", [S.PUBLISHED], "", [BIDDER]),
        _t("open", "开标", [S.PUBLISHED], S.OPENING, [AGENCY, CENTRE]),
        _t("decrypt", "投标人解密", [S.OPENING], "", [BIDDER]),
        _t("close_opening", "结束开标", [S.OPENING], S.EVALUATING, [AGENCY, CENTRE]),
        _t("draw", "抽取评标专家", [S.PUBLISHED, S.OPENING, S.EVALUATING], "", [CENTRE]),
        _t("replace_expert", "专家回避替换", [S.OPENING, S.EVALUATING], "", [CENTRE]),
        _t("assign_rep", "指定招标人代表", [S.PUBLISHED, S.OPENING, S.EVALUATING], "", [AGENCY]),
        _t("score", "评分", [S.EVALUATING], "", [EXPERT]),
        _t("sign_report", "签署评标报告", [S.EVALUATING], "", [EXPERT]),
        _t("publish_candidates", "公示中标候选人", [S.EVALUATING], S.PUBLICITY, [AGENCY]),
        _t("award", "定标", [S.PUBLICITY], S.AWARDED, [AGENCY]),
        _t("sign_contract", "签订合同", [S.AWARDED], S.CONTRACTED, [AGENCY]),
        _t("refund", "退还投标保证金", [S.AWARDED, S.CONTRACTED, S.COMPLETED, S.FAILED, S.CANCELLED], "",
           [AGENCY, CENTRE]),
        _t("result_notice", "发布中标（成交）结果公告", [S.AWARDED, S.CONTRACTED, S.COMPLETED], "", [AGENCY]),
        _t("publish_contract", "公告政府采购合同", [S.CONTRACTED, S.COMPLETED], "", [AGENCY]),
        _t("file_contract", "政府采购合同备案", [S.CONTRACTED, S.COMPLETED], "", [AGENCY]),
        _t("pay", "登记合同支付", [S.CONTRACTED], "", [AGENCY]),
        _t("accept", "履约验收", [S.CONTRACTED], S.COMPLETED, [AGENCY]),
        _t("fail", "流标/废标", [S.PREQUAL, S.PUBLISHED, S.OPENING, S.EVALUATING], S.FAILED, [AGENCY, CENTRE]),
        _t("cancel", "终止招标", [S.DRAFT, S.PREQUAL, S.PUBLISHED, S.OPENING, S.EVALUATING, S.PUBLICITY], S.CANCELLED,
           [AGENCY]),
        _t("review_flag", "核查串通预警", [S.OPENING, S.EVALUATING, S.PUBLICITY, S.AWARDED, S.CONTRACTED,
                                     S.COMPLETED, S.FAILED, S.CANCELLED], "", [SUPERVISOR]),
    ]
}

# An open 异议/质疑 pauses the round: these wait until it is answered.
PAUSABLE = frozenset({"amend", "prequal_result", "publish", "open", "close_opening", "publish_candidates", "award",
                      "sign_contract"})

# The actions an API client or a page may ask for on an existing round
# (POST /api/trading/tenders/{id}/actions/{action}).
TENDER_ACTIONS = [a for a in TRANSITIONS if a not in ("submit_bid", "withdraw_bid", "decrypt", "score",
                                                        "sign_report", "review_flag")]


def actions_from(status: str) -> list[Transition]:
    return actions_in(TRANSITIONS, status)
