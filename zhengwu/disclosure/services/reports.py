"""The annual report: free text and hand adjustments while a draft, then finalised once.

Finalising checks 一 + 二 = 三 + 四 on every column of table 三 and refuses, naming the column
and the cells, when it does not hold; a government's report also waits for the reports it adds up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.org.models import Staff

from ..models import AnnualReport, Body, BodyMember
from ..tables import CELLS, aggregated_children, report_data
from .common import require_duty

D = BodyMember.Duty


def _check_draft(report: AnnualReport) -> None:
    if report.status == AnnualReport.Status.FINAL:
        raise DomainError("report_final", f"{report.year}年度报告已定稿，不能再修改", status=409)


def _save(report: AnnualReport, **changes) -> None:
    n = AnnualReport.objects.filter(pk=report.pk, row_version=report.row_version,
                                    status=AnnualReport.Status.DRAFT).update(
        row_version=F("row_version") + 1, **changes)
    if n != 1:
        raise DomainError("conflict", "年度报告刚刚被其他人更新，请刷新后重试", status=409)
    report.row_version += 1
    for k, v in changes.items():
        setattr(report, k, v)


def report_get_or_create(*, body: Body, year: int, officer: Staff) -> AnnualReport:
    require_duty(officer, body, D.OFFICER, D.HEAD, action="编制年度报告")
    if not body.files_reports:
        raise DomainError("no_report", f"{body.name}不报送政府信息公开工作年度报告（村务公开另行公布）")
    if not 2008 <= year <= clock.today().year:
        raise DomainError("report_year", "年度应在2008年（条例施行）至今年之间")
    report, _ = AnnualReport.objects.get_or_create(body=body, year=year)
    return report


def report_update_text(*, report: AnnualReport, officer: Staff, overview: str, problems: str,
                       other: str) -> AnnualReport:
    """Sections 一 总体情况, 五 问题及改进 and 六 其他 are written by people, before finalising."""
    require_duty(officer, report.body, D.OFFICER, D.HEAD, action="编辑年度报告")
    _check_draft(report)
    with transaction.atomic():
        _save(report, overview=(overview or "").strip(), problems=(problems or "").strip(),
              other=(other or "").strip())
        audit_record(actor=officer.user, action="update", obj=report, summary=f"编辑{report}")
    return report


def report_adjust(*, report: AnnualReport, officer: Staff, cell: str, value, reason: str) -> AnnualReport:
    """Set one cell by hand (``value`` None removes the adjustment); the reason is kept with it."""
    require_duty(officer, report.body, D.OFFICER, D.HEAD, action="调整年度报告数据")
    _check_draft(report)
    if cell not in CELLS:
        raise DomainError("cell", f"“{cell}”不是可调整的单元格（总计由系统计算）")
    adjustments = dict(report.adjustments or {})
    if value is None or value == "":
        adjustments.pop(cell, None)
    else:
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("reason_required", "人工调整数据须说明理由")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise DomainError("value", "请填写数字") from None
        if number < 0:
            raise DomainError("value", "数据不能为负数")
        if CELLS[cell][2] == "本年收费金额":
            stored: int | float = round(float(number), 4)
        elif number != number.to_integral_value():
            raise DomainError("value", "件数应为整数")
        else:
            stored = int(number)
        adjustments[cell] = {"value": stored, "reason": reason, "by": officer.name}
    with transaction.atomic():
        _save(report, adjustments=adjustments)
        audit_record(actor=officer.user, action="update", obj=report, summary=f"调整{report} {cell}={value}")
    return report


def report_finalise(*, report: AnnualReport, officer: Staff) -> AnnualReport:
    """定稿: the tables are frozen; refused while the cross-check fails or a part is still a draft."""
    require_duty(officer, report.body, D.HEAD, D.SIGNER, action="年度报告定稿")
    _check_draft(report)
    if clock.today() <= dt.date(report.year, 12, 31):
        raise DomainError("year_not_over", f"{report.year}年度尚未结束，不能定稿", status=409)
    drafts = [c.name for c in aggregated_children(report.body)
              if not c.reports.filter(year=report.year, status=AnnualReport.Status.FINAL).exists()]
    if drafts:
        raise DomainError("parts_not_final", f"以下单位的{report.year}年度报告尚未定稿：{'、'.join(drafts)}",
                          details={"bodies": drafts}, status=409)
    data = report_data(report.body, report.year)
    errors = data.errors
    if errors:
        raise DomainError("cross_check_failed",
                          "数据核对未通过（一 + 二 应等于 三 + 四）：" + "；".join(e["message"] for e in errors),
                          details=errors, status=409)
    with transaction.atomic():
        n = AnnualReport.objects.filter(pk=report.pk, row_version=report.row_version,
                                        status=AnnualReport.Status.DRAFT).update(
            status=AnnualReport.Status.FINAL, tables=data.tables, finalised_by=officer,
            finalised_at=clock.now(), row_version=F("row_version") + 1)
        if n != 1:
            raise DomainError("conflict", "年度报告刚刚被其他人更新，请刷新后重试", status=409)
        report.refresh_from_db()
        audit_record(actor=officer.user, action="publish", obj=report, summary=f"{report}定稿")
    return report
