"""Scoped reads of 告诫, flags, 超时默认 notices and monthly scores."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from zhengwu.cases.models import Case
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Role, Staff, Window

from ..models import AccountabilityFlag, Admonition, DeemedApproval, MonthlyScore

OVERSIGHT = {Role.SUPERVISOR, Role.LEADER}


def _codes(staff: Staff) -> set[str]:
    return staff.role_codes() if staff.is_active else set()


def admonition_list_for_staff(*, staff: Staff) -> QuerySet[Admonition]:
    codes = _codes(staff)
    qs = Admonition.objects.select_related("staff", "department", "window", "issued_by", "case")
    if codes & OVERSIGHT:
        return qs.filter(staff__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        return qs.filter(staff__hall_id=staff.hall_id)
    if Role.DEPT_HEAD in codes and staff.department_id:
        return qs.filter(department_id=staff.department_id)
    return qs.filter(staff=staff)


def admonition_get_for_staff(*, pk: int, staff: Staff) -> Admonition:
    adm = admonition_list_for_staff(staff=staff).filter(pk=pk).first()
    if adm is None:
        raise NotFound("未找到该效能告诫")
    return adm


def admonition_subjects(*, supervisor: Staff) -> QuerySet[Staff]:
    """Who a supervisor may admonish: active staff of their region, except themselves."""
    return (Staff.objects.filter(is_active=True, region__code__startswith=supervisor.region.code_prefix)
            .exclude(pk=supervisor.pk).select_related("department", "hall").order_by("department_id", "employee_no"))


def case_for_supervisor(*, case_no: str, supervisor: Staff) -> Case | None:
    case_no = (case_no or "").strip()
    if not case_no:
        return None
    case = Case.objects.select_related("hall__region").filter(case_no=case_no).first()
    if case is None or not case.hall.region.code.startswith(supervisor.region.code_prefix):
        raise NotFound("未找到该办件，或不在您的监察范围内")
    return case


def flag_list_for_staff(*, staff: Staff, state: str = "open") -> QuerySet[AccountabilityFlag]:
    if not _codes(staff) & OVERSIGHT:
        raise PermissionDenied("问责提示仅限效能监察员和领导查看", code="no_flags")
    qs = AccountabilityFlag.objects.select_related("rule", "staff__department", "staff__hall", "resolved_by").filter(
        staff__region__code__startswith=staff.region.code_prefix)
    if state == "open":
        qs = qs.filter(resolved_on__isnull=True)
    elif state == "resolved":
        qs = qs.filter(resolved_on__isnull=False)
    return qs.order_by("-raised_on", "-id")


def flag_get_for_staff(*, pk: int, staff: Staff) -> AccountabilityFlag:
    flag = flag_list_for_staff(staff=staff, state="").filter(pk=pk).first()
    if flag is None:
        raise NotFound("未找到该问责提示")
    return flag


def deemed_list_for_staff(*, staff: Staff) -> QuerySet[DeemedApproval]:
    codes = _codes(staff)
    qs = DeemedApproval.objects.select_related("clock__kind", "clock__region", "clock__hall", "department",
                                               "confirmed_by")
    cond = Q()
    if codes & OVERSIGHT:
        cond |= Q(clock__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        cond |= Q(clock__hall_id=staff.hall_id)
    if codes & {Role.DEPT_HEAD, Role.CHIEF_REP} and staff.department_id:
        cond |= Q(department_id=staff.department_id)
    if not cond:
        raise PermissionDenied("超时默认通知单仅限监察员、领导、中心管理员和部门查看", code="no_deemed")
    return qs.filter(cond)


def deemed_get_for_staff(*, notice_no: str, staff: Staff) -> DeemedApproval:
    rec = deemed_list_for_staff(staff=staff).filter(notice_no=notice_no).first()
    if rec is None:
        raise NotFound("未找到该超时默认通知单")
    return rec


def assessment_scope_q(staff: Staff) -> Q:
    codes = _codes(staff)
    if codes & OVERSIGHT:
        return Q(hall__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        return Q(hall_id=staff.hall_id)
    raise PermissionDenied("考核结果仅限效能监察员、领导和中心管理员查看", code="no_assessment")


def scores_for_staff(*, staff: Staff, month: dt.date) -> QuerySet[MonthlyScore]:
    return (MonthlyScore.objects.filter(assessment_scope_q(staff), month=month)
            .select_related("hall", "window", "staff", "department").order_by("hall_id", "kind", "rank", "id"))


def assessed_months(*, staff: Staff) -> list[dt.date]:
    return list(MonthlyScore.objects.filter(assessment_scope_q(staff)).order_by("-month")
                .values_list("month", flat=True).distinct())


def praise_windows(*, staff: Staff) -> QuerySet[Window]:
    return Window.objects.filter(hall__region__code__startswith=staff.region.code_prefix).select_related("hall")
