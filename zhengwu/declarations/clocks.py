"""The supervised clocks (监察时钟) of 涉企活动申报, started and ended by the services inside their transactions
through ``zhengwu.supervision.clocks``: the 优化营商环境办's approval limit and the 效能监察员's limit for
verifying a report of an undeclared visit. Neither carries the reported department (its head's board must not
show who reported it)."""

from __future__ import annotations

from zhengwu.supervision.clocks import KindSpec, register_kind

APPROVAL = register_kind(KindSpec(
    code="declarations_approval", name="涉企活动申报审批时限", subject_label="涉企活动申报", due_label="审批期限",
    warn_workdays=1, sort=80))
REPORT = register_kind(KindSpec(
    code="declarations_report", name="未备案涉企活动举报核查时限", subject_label="举报", due_label="核查期限",
    warn_workdays=1, sort=81))
