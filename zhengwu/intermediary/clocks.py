"""The marketplace's supervised clocks (监察时钟), started and ended by the intermediary services inside
their transactions through ``zhengwu.supervision.clocks``; supervision raises the yellow and red cards,
shows them on the one board and counts them in the assessment.

The clock's department is the service's 实施（行业主管）部门 for the purchase clocks, and the marketplace's
hall/region for the entry review and the appeal (their officer is the 中介超市管理员 who must act).
"""

from __future__ import annotations

from zhengwu.supervision.clocks import KindSpec, register_kind

REVIEW = register_kind(KindSpec(
    code="intermediary_review", name="中介机构入驻审核时限", subject_label="中介机构", due_label="审核期限",
    warn_workdays=1, sort=70))
CONFIRM = register_kind(KindSpec(
    code="intermediary_confirm", name="中选机构确认时限", subject_label="中介采购", due_label="确认期限",
    warn_workdays=1, sort=71))
CONTRACT = register_kind(KindSpec(
    code="intermediary_contract", name="中介服务合同登记时限", subject_label="中介采购", due_label="登记期限",
    warn_workdays=1, sort=72))
SERVICE = register_kind(KindSpec(
    code="intermediary_service", name="中介服务时限", subject_label="中介采购", due_label="成果提交期限",
    sort=73))
RATING = register_kind(KindSpec(
    code="intermediary_rating", name="中介服务评价时限", subject_label="中介采购", due_label="评价期限",
    warn_workdays=1, sort=74))
APPEAL = register_kind(KindSpec(
    code="intermediary_appeal", name="信用申诉处理时限", subject_label="中介机构", due_label="处理期限",
    sort=75))
