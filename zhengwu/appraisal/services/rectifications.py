"""A bottom section's rectification (整改): the department head files the report, the supervisor accepts it
(with the 整改情况 published on the results page) or returns it.

The supervised clock stops while a filed report waits for the supervisor (waiting on the supervisor is not
the department's lateness), runs again when the report is returned (the original deadline stands), and
finishes on acceptance. A report filed by its deadline and accepted after it is not late: the clock's due
moves to the acceptance day before it finishes."""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.services import audit_record
from zhengwu.org.models import Staff
from zhengwu.supervision.clocks import clock_finish, clock_move, clock_resume, clock_stop

from .. import clocks
from ..models import Rectification, RectificationStatus
from ..transitions import RECTIFICATION, RECTIFICATION_ACTIONS
from .common import require, text

R = RectificationStatus


def rectification_act(*, rectification_id: int, staff: Staff, action: str, data: dict | None = None) -> Rectification:
    """file (``report``), accept (``public_note``, else the report is published), return (``note``)."""
    if action not in RECTIFICATION_ACTIONS:
        raise DomainError("unknown_action", f"未知的操作：{str(action)[:32]}")
    data = data or {}
    with transaction.atomic():
        r = (Rectification.objects.select_for_update().select_related("campaign__region", "section")
             .filter(pk=rectification_id).first())
        if r is None:
            raise NotFound("未找到该整改事项", code="appraisal_rectification_not_found")
        t = RECTIFICATION[action]
        require(t, r.status, staff=staff, region=r.campaign.region, department_id=r.department_id,
                status_label=r.get_status_display())
        subject = (clocks.SUBJECT_TYPE, r.pk)
        today = clock.today()
        if action == "file":
            r.report = text(data.get("report"), field="整改报告", max_length=4000, required=True, min_length=10)
            r.filed_on, r.filed_by, r.status = today, staff, R.FILED
            r.save(update_fields=["report", "filed_on", "filed_by", "status"])
            clock_stop(subject=subject, kind=clocks.RECTIFY.code)
            summary = "报送整改报告"
        elif action == "accept":
            note = text(data.get("public_note"), field="公开的整改情况", max_length=4000) or r.report
            r.public_note, r.accepted_on, r.accepted_by, r.status = note, today, staff, R.ACCEPTED
            r.save(update_fields=["public_note", "accepted_on", "accepted_by", "status"])
            if r.filed_on and r.filed_on <= r.due_date < today:
                clock_move(subject=subject, kind=clocks.RECTIFY.code, due_date=today)
            clock_finish(subject=subject, kind=clocks.RECTIFY.code, reason="整改已验收")
            summary = "整改验收通过"
        else:  # return
            r.return_note = text(data.get("note"), field="退回意见", max_length=500, required=True)
            r.status, r.returns = R.RUNNING, r.returns + 1
            r.save(update_fields=["return_note", "status", "returns"])
            clock_resume(subject=subject, kind=clocks.RECTIFY.code, due_date=r.due_date)
            summary = "整改报告退回"
        audit_record(actor=staff.user, action="update", obj=r, summary=f"{r.section}：{summary}")
    return r
