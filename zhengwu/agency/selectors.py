"""Reads of 代办协议 with their scope, and what the agreement page shows (upstream days).

Scope: a center 代办员 (代办员 role at a 政务服务中心) reads and acts on the agreements of their hall; a
village (or town) station's 代办员 reads the ones they referred; the hall's 中心管理员 reads its hall's;
领导 and 效能监察员 read those of halls in their region. Nobody else reads any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.validators import mask_id_number, mask_name
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.workdays import engine

from .models import Agreement, Status, UpstreamStep

READERS = frozenset({Role.LEADER, Role.SUPERVISOR})


def is_center_agent(staff: Staff | None) -> bool:
    return bool(staff and staff.is_active and staff.has_role(Role.VILLAGE_AGENT) and staff.hall_id
                and staff.hall.kind == Hall.Kind.CENTER)


def is_station_agent(staff: Staff | None) -> bool:
    return bool(staff and staff.is_active and staff.has_role(Role.VILLAGE_AGENT) and staff.hall_id
                and staff.hall.kind != Hall.Kind.CENTER)


def _scope_q(staff: Staff) -> Q | None:
    """The agreements ``staff`` may read, as one filter; None: none at all."""
    if not staff.is_active:
        return None
    q = Q(pk__in=[])
    codes = staff.role_codes()
    any_ = False
    if is_center_agent(staff) or (Role.HALL_ADMIN in codes and staff.hall_id):
        q |= Q(hall_id=staff.hall_id)
        any_ = True
    if is_station_agent(staff):
        q |= Q(referred_by_id=staff.pk)
        any_ = True
    if codes & READERS:
        q |= Q(hall__region__code__startswith=staff.region.code_prefix)
        any_ = True
    return q if any_ else None


def base_qs() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("hall__region", "agent", "referred_by__hall")


def agreement_list_for_staff(*, staff: Staff, status: str = "", q: str = "") -> QuerySet[Agreement]:
    scope = _scope_q(staff)
    if scope is None:
        return Agreement.objects.none()
    qs = base_qs().filter(scope)
    if status in Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=[Status.PENDING, Status.ACTIVE])
    q = (q or "").strip()
    if q:
        cond = Q(agreement_no__icontains=q) | Q(project_name__icontains=q) | Q(items__name__icontains=q)
        if sees_full_names(staff):  # a masked reader cannot search by name
            cond |= Q(applicant_name__icontains=q)
        qs = qs.filter(cond).distinct()
    return qs


def staff_can_read(staff: Staff | None, agreement: Agreement) -> bool:
    if staff is None:
        return False
    scope = _scope_q(staff)
    return scope is not None and Agreement.objects.filter(scope, pk=agreement.pk).exists()


def staff_can_act(staff: Staff | None, agreement: Agreement) -> bool:
    """Only a center 代办员 of the agreement's hall acts on it."""
    return is_center_agent(staff) and staff.hall_id == agreement.hall_id


def sees_full_names(staff: Staff | None) -> bool:
    """代办员 see names whole; 领导, 效能监察员 and 中心管理员 masked (README, personal information)."""
    return bool(staff and staff.has_role(Role.VILLAGE_AGENT))


def agreement_get(*, agreement_no: str) -> Agreement:
    a = base_qs().filter(agreement_no=agreement_no).first()
    if a is None:
        raise NotFound("未找到该代办协议")
    return a


def agreement_get_for_staff(*, agreement_no: str, staff: Staff) -> Agreement:
    a = agreement_get(agreement_no=agreement_no)
    if not staff_can_read(staff, a):
        raise PermissionDenied("该代办协议不在您的查看范围内", code="out_of_scope")
    return a


def agreement_list_for_user(*, user) -> QuerySet[Agreement]:
    return base_qs().filter(applicant_user_id=user.pk)


def agreement_get_for_user(*, agreement_no: str, user) -> Agreement:
    a = base_qs().filter(agreement_no=agreement_no, applicant_user_id=user.pk).first()
    if a is None:
        raise NotFound("未找到该代办协议")
    return a


def shown_name(agreement: Agreement, *, staff: Staff | None) -> str:
    return agreement.applicant_name if staff is None or sees_full_names(staff) else mask_name(
        agreement.applicant_name)


def masked_id(agreement: Agreement) -> str:
    return mask_id_number(agreement.id_number)


# -- upstream time ----------------------------------------------------------------------------------


@dataclass
class StepRow:
    step: UpstreamStep
    days: int  # working days from filing to the result (or to today while pending)
    pending: bool


def step_rows(agreement: Agreement, *, today: dt.date | None = None) -> list[StepRow]:
    """Each upstream step with the working days it took (upstream time: shown, never counted against
    the county's departments and never a supervised clock)."""
    today = today or clock.today()
    cal = engine.calendar_for(agreement.hall.region)
    rows = []
    for s in agreement.steps.select_related("item", "recorded_by").order_by("filed_on", "id"):
        end = s.result_on or today
        rows.append(StepRow(step=s, days=cal.count(s.filed_on, end), pending=s.result_on is None))
    return rows


def upstream_days(agreement: Agreement, *, today: dt.date | None = None) -> int:
    """Working days from signing to today (or to the end), the whole upstream journey."""
    if agreement.signed_on is None:
        return 0
    end = agreement.finished_on or agreement.terminated_on or today or clock.today()
    return engine.calendar_for(agreement.hall.region).count(agreement.signed_on, end)


def center_agents(*, hall: Hall | None = None, region=None) -> QuerySet[Staff]:
    """Active 代办员 of the 政务服务中心 ``hall`` (or of the centers whose region contains ``region``)."""
    qs = Staff.objects.filter(is_active=True, roles__code=Role.VILLAGE_AGENT, hall__kind=Hall.Kind.CENTER)
    if hall is not None:
        qs = qs.filter(hall=hall)
    if region is not None:  # the centers of the station's own region and those above it
        qs = qs.filter(hall__region__in=[region, *region.ancestors()])
    return qs.select_related("hall__region").distinct().order_by("employee_no")
