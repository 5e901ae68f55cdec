"""What an enterprise does without logging in: rate a declared visit (once per enterprise per declaration), and
report an undeclared one (举报未备案涉企活动), which starts the 效能监察员's clock; and the supervisor's verification
of such a report (``report_act``: uphold 属实 / reject 不属实). Refusals write nothing."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, NotFound
from zhengwu.core.models import AuditEvent
from zhengwu.core.notify import Message, notify_many
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_phone, validate_uscc
from zhengwu.org.models import Department, Role, Staff
from zhengwu.supervision.clocks import clock_finish, clock_start

from .. import clocks
from ..models import Declaration, DeclarationStatus, Rating, RatingLevel, Report, ReportStatus
from . import common

__all__ = ["rating_record", "report_act", "report_file"]

RATABLE = (DeclarationStatus.APPROVED, DeclarationStatus.CARRIED_OUT, DeclarationStatus.CLOSED)


def rating_record(*, code: str, uscc: str, level: str, comment: str = "") -> Rating:
    """The enterprise ``uscc`` (on the declaration's list) rates the visit of the declaration ``code``."""
    uscc = validate_uscc(uscc)
    if level not in RatingLevel.values:
        raise DomainError("declarations_rating_level", "请选择评价：满意、基本满意或不满意")
    comment = common.optional(comment, "declarations_rating_comment", "意见", 500)
    code = (code or "").strip().upper()
    with transaction.atomic():
        d = Declaration.objects.select_for_update().filter(code=code).first() if code else None
        if d is None:
            raise NotFound("未查到该备案码，请核对后重新输入", code="declarations_code_unknown")
        if d.status not in RATABLE:
            raise DomainError("declarations_rating_status", "该活动已撤回，不能评价")
        if not d.targets.filter(uscc=uscc).exists():
            raise DomainError("declarations_rating_target", "贵企业不在该活动的企业名单内，不能评价")
        if Rating.objects.filter(declaration=d, uscc=uscc).exists():
            raise DomainError("declarations_rating_once", "贵企业已评价过该活动，每家企业只能评价一次")
        try:
            with transaction.atomic():
                rating = Rating.objects.create(declaration=d, uscc=uscc, level=level, comment=comment,
                                               created_at=clock.now())
        except IntegrityError:
            raise DomainError("declarations_rating_once", "贵企业已评价过该活动，每家企业只能评价一次") from None
        audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=d, summary=f"企业评价：{rating.get_level_display()}")
    return rating


def _visit_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError("declarations_visit_date", "请填写到企日期（格式 2026-12-31）") from None


def report_file(*, department_id, visit_date, description: str, enterprise_name: str, uscc: str,
                contact_name: str, contact_phone: str, shown_code: str = "") -> Report:
    """An enterprise reports a visit it believes was not declared; the supervisor's clock starts."""
    checks = FieldChecks()  # every field checked, all refusals at once (the page shows each beside its field)
    dept = day = None
    with checks.field("department_id"):
        try:
            dept = Department.objects.select_related("region").filter(pk=int(department_id), is_active=True).first()
        except (TypeError, ValueError):
            dept = None
        if dept is None:
            raise DomainError("declarations_report_department", "请选择到企业的部门")
    today = clock.today()
    with checks.field("visit_date"):
        day = _visit_date(visit_date)
        if day > today:
            raise DomainError("declarations_visit_date", "到企日期不能晚于今天")
        if day < today - dt.timedelta(days=365):
            raise DomainError("declarations_visit_date", "只受理一年内的到企活动举报")
    with checks.field("description"):
        description = common.required(description, "declarations_report_description",
                                      "请描述到企业的人员、事由和经过", 2000)
    with checks.field("enterprise_name"):
        enterprise_name = common.required(enterprise_name, "declarations_report_enterprise", "请填写企业名称", 100)
    with checks.field("uscc"):
        uscc = validate_uscc(uscc)
    with checks.field("contact_name"):
        contact_name = common.required(contact_name, "declarations_report_contact", "请填写联系人", 32)
    with checks.field("contact_phone"):
        contact_phone = validate_phone(contact_phone)
    with checks.field("shown_code"):
        shown_code = common.optional(shown_code, "declarations_report_code", "备案码", 20).upper()
    checks.done()
    policy = common.policy_for(dept.region)
    with transaction.atomic():
        for _ in range(5):
            no = common.code_make("JB", today, 4)
            if not Report.objects.filter(no=no).exists():
                break
        report = Report.objects.create(
            no=no, department=dept, region=dept.region, visit_date=day, description=description,
            enterprise_name=enterprise_name, uscc=uscc, contact_name=contact_name, contact_phone=contact_phone,
            shown_code=shown_code, created_at=clock.now())
        due = common.workday_due(today, policy.report_workdays, region=dept.region)
        clock_start(kind=clocks.REPORT.code, subject=common.report_subject(report), region=dept.region,
                    due_date=due, head=None)
        _tell_supervisors(report)
        audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=report,
                     summary=f"举报未备案涉企活动：{dept.name} {day:%Y-%m-%d}")
    return report


def _tell_supervisors(report: Report) -> None:
    """Each 效能监察员 whose region covers the report hears of it (no enterprise named in the text)."""
    rows = (Staff.objects.filter(is_active=True, roles__code=Role.SUPERVISOR)
            .values_list("user_id", "phone", "region__code", "region__level"))
    prefix = {"city": 4, "county": 6, "town": 9, "village": 12}
    notify_many([Message(to_phone=phone or "", to_user_id=uid, kind="declarations_report", data={"report": report.pk},
                         text=f"收到未备案涉企活动举报 {report.no}（{report.department.name}），请在期限内核查。")
                 for uid, phone, code, level in rows if report.region.code.startswith(code[:prefix.get(level, 12)])])


def report_act(*, report_id: int, user, action: str, data: dict | None = None) -> Report:
    """The supervisor's verification: ``uphold`` (属实) or ``reject`` (不属实), with the finding."""
    data = data or {}
    with transaction.atomic():
        r = common.report_lock(report_id)
        target = common.report_transition_check(r, action, user)
        finding = common.required(data.get("finding"), "declarations_finding", "请填写核查结论", 1000)
        r.status, r.finding = target, finding
        r.handled_by, r.handled_at = common.supervisor_staff(user, r.region), clock.now()
        r.save(update_fields=["status", "finding", "handled_by", "handled_at"])
        clock_finish(subject=common.report_subject(r), kind=clocks.REPORT.code,
                     reason="举报已核查" if target == ReportStatus.UPHELD else "举报已核查（不属实）")
        audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=r,
                     summary=f"{r.no}：{r.get_status_display()}，{finding}")
    return r
