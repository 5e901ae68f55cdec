"""A round's supervised clocks (监察时钟), started and ended by the trading services inside their
transactions through ``zhengwu.supervision.clocks``; supervision raises the yellow and red cards, shows
them on the one board and counts them in the assessment. The clock's department is the project's
行政监督部门, whose people see the cards.

Periods (TRADING-INTERMEDIARY.md §2.1): engineering counts calendar days (民法典第二百零一、二百零三条:
the start day is not counted; a last day on a holiday moves to the next working day), procurement
mostly working days. Procurement's result 公告 (2 工作日, 采购条例第四十三条), contract 公告 (2 工作日, 第五十条)
and contract filing (7 工作日, 政府采购法第四十七条) are clocks too.
"""

from __future__ import annotations

from zhengwu.supervision.clocks import KindSpec, register_kind

OBJECTION = register_kind(KindSpec(
    code="trading_objection", name="异议/质疑答复时限", subject_label="交易项目", due_label="答复期限",
    warn_workdays=1, sort=60))
CANDIDATES = register_kind(KindSpec(
    code="trading_candidates", name="中标候选人公示时限", subject_label="交易项目", due_label="公示期限",
    warn_workdays=1, sort=61))
AWARD = register_kind(KindSpec(
    code="trading_award", name="确定中标（成交）供应商时限", subject_label="交易项目", due_label="定标期限",
    warn_workdays=1, sort=62))
CONTRACT = register_kind(KindSpec(
    code="trading_contract", name="签订合同时限", subject_label="交易项目", due_label="签约期限", sort=63))
REFUND = register_kind(KindSpec(
    code="trading_refund", name="投标保证金退还时限", subject_label="交易项目", due_label="退还期限",
    warn_workdays=1, sort=64))
REPORT = register_kind(KindSpec(
    code="trading_report", name="招标投标情况书面报告时限", subject_label="交易项目", due_label="报告期限",
    sort=65))
COMPLAINT_ACCEPT = register_kind(KindSpec(
    code="trading_complaint_accept", name="受理投诉时限", subject_label="交易项目", due_label="受理期限",
    warn_workdays=1, sort=66))
COMPLAINT_DECIDE = register_kind(KindSpec(
    code="trading_complaint_decide", name="投诉处理时限", subject_label="交易项目", due_label="处理期限",
    sort=67))
RESULT_NOTICE = register_kind(KindSpec(
    code="trading_result_notice", name="中标（成交）结果公告时限", subject_label="交易项目", due_label="公告期限",
    warn_workdays=1, sort=68))
CONTRACT_PUBLISH = register_kind(KindSpec(
    code="trading_contract_publish", name="政府采购合同公告时限", subject_label="交易项目", due_label="公告期限",
    warn_workdays=1, sort=69))
CONTRACT_FILE = register_kind(KindSpec(
    code="trading_contract_file", name="政府采购合同备案时限", subject_label="交易项目", due_label="备案期限",
    sort=70))
