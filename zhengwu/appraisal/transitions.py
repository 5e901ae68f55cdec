"""The lifecycles as data: which action is allowed in which status, where it leads, who may ask.

Campaign: 草稿 → 评议中 (invitations sent) → 已结束 (results computed) → 已公布 (bottom N published,
their rectifications opened). Rectification: 整改中 → 已报送 → 已验收, or back to 整改中 when returned.
Actions that do not move the status list ``""`` as target. Every service looks its action up here.
"""

from __future__ import annotations

from zhengwu.core.transitions import Transition, transition

from .models import CampaignStatus as C
from .models import RectificationStatus as R

SUPERVISOR = "supervisor"  # 效能监察员 whose region covers the campaign's
DEPT_HEAD = "dept_head"  # 部门负责人 of the section's department


def _t(action, label, sources, target, actor):
    return transition(action, label, sources, target, [actor])


CAMPAIGN: dict[str, Transition] = {t.action: t for t in [
    _t("edit", "编辑评议科室、内容和评议人", [C.DRAFT], "", SUPERVISOR),
    _t("invite", "增加评议人", [C.DRAFT, C.OPEN], "", SUPERVISOR),
    _t("open", "发出邀请、开始评议", [C.DRAFT], C.OPEN, SUPERVISOR),
    _t("send", "向新增评议人发出邀请", [C.OPEN], "", SUPERVISOR),
    _t("close", "结束评议、计算结果", [C.OPEN], C.CLOSED, SUPERVISOR),
    _t("publish", "公布结果、启动整改", [C.CLOSED], C.PUBLISHED, SUPERVISOR),
]}
# The actions of POST /api/appraisal/campaigns/{id}/actions/{action}.
CAMPAIGN_ACTIONS = ["open", "send", "close", "publish"]

RECTIFICATION: dict[str, Transition] = {t.action: t for t in [
    _t("file", "报送整改报告", [R.RUNNING], R.FILED, DEPT_HEAD),
    _t("accept", "验收通过并公开整改情况", [R.FILED], R.ACCEPTED, SUPERVISOR),
    _t("return", "退回重新整改", [R.FILED], R.RUNNING, SUPERVISOR),
]}
RECTIFICATION_ACTIONS = list(RECTIFICATION)
