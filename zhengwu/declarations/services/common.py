"""What the declaration services share: policy lookup, who is who, locks, transition checks, events, codes."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Region, Role, Staff
from zhengwu.supervision.clocks import Subject
from zhengwu.workdays.engine import due_date

from ..models import BUSINESS_ENV_ROLE, Declaration, Event, Policy, Report
from ..transitions import DEPARTMENT, OFFICE, REPORT_TRANSITIONS, SUPERVISOR, TRANSITIONS

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Code alphabet: digits and capitals without I, O, Z, S, V, 0, 1 (not misread when typed from a paper notice).
ALPHABET = "23456789ABCDEFGHJKLMNPQRTUWXY"


def policy_for(region: Region) -> Policy:
    """The nearest region's policy up the tree; the defaults (unsaved) when none has a row."""
    r = region
    while r is not None:
        row = Policy.objects.filter(region=r).first()
        if row is not None:
            return row
        r = r.parent
    return Policy(region=region)


def workday_due(start: dt.date, days: int, *, region=None) -> dt.date:
    return due_date(start, days, region=region).due


def required(value, code: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message)
    if len(value) > limit:
        raise DomainError(code, f"{message}（不超过{limit}字）")
    return value


def optional(value, code: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(code, f"{label}不超过{limit}字")
    return value


def _covers(staff: Staff, region: Region) -> bool:
    return region.code.startswith(staff.region.code_prefix)


def active_staff(user) -> Staff | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    staff = getattr(user, "staff", None)
    return staff if staff is not None and staff.is_active else None


def department_staff(user, declaration_or_department) -> Staff | None:
    staff = active_staff(user)
    dept_id = getattr(declaration_or_department, "department_id", None) or declaration_or_department.pk
    return staff if staff is not None and staff.department_id == dept_id else None


def office_staff(user, region: Region) -> Staff | None:
    """The user's staff row if it is 优化营商环境办 for ``region``."""
    staff = active_staff(user)
    if staff is None or BUSINESS_ENV_ROLE not in staff.role_codes():
        return None
    return staff if _covers(staff, region) else None


def supervisor_staff(user, region: Region) -> Staff | None:
    staff = active_staff(user)
    if staff is None or Role.SUPERVISOR not in staff.role_codes():
        return None
    return staff if _covers(staff, region) else None


def actor_is(user, actor: str, region: Region, declaration=None) -> bool:
    if actor == DEPARTMENT:
        return declaration is not None and department_staff(user, declaration) is not None
    if actor == OFFICE:
        return office_staff(user, region) is not None
    if actor == SUPERVISOR:
        return supervisor_staff(user, region) is not None
    return False


def transition_check(declaration: Declaration, action: str, user) -> str:
    t = TRANSITIONS.get(action)
    if t is None:
        raise DomainError("declarations_action", f"未知操作：{action}")
    if not any(actor_is(user, a, declaration.region, declaration) for a in t.actors):
        raise PermissionDenied(f"您无权对该申报进行“{t.label}”操作")
    if declaration.status not in t.sources:
        raise DomainError("declarations_status",
                          f"该申报当前状态为“{declaration.get_status_display()}”，不能{t.label}")
    return t.target


def report_transition_check(report: Report, action: str, user) -> str:
    t = REPORT_TRANSITIONS.get(action)
    if t is None:
        raise DomainError("declarations_action", f"未知操作：{action}")
    if not any(actor_is(user, a, report.region) for a in t.actors):
        raise PermissionDenied(f"您无权对该举报进行“{t.label}”操作")
    if report.status not in t.sources:
        raise DomainError("declarations_report_status",
                          f"该举报当前状态为“{report.get_status_display()}”，不能{t.label}")
    return t.target


def declaration_lock(declaration_id: int) -> Declaration:
    d = (Declaration.objects.select_for_update(of=("self",)).select_related("department", "region")
         .filter(pk=declaration_id).first())
    if d is None:
        raise NotFound("未找到该申报", code="declarations_not_found")
    return d


def report_lock(report_id: int) -> Report:
    r = Report.objects.select_for_update(of=("self",)).select_related("department", "region").filter(pk=report_id).first()
    if r is None:
        raise NotFound("未找到该举报", code="declarations_report_not_found")
    return r


def event_record(*, declaration: Declaration, action: str, actor, from_status: str, note: str = "") -> Event:
    return Event.objects.create(declaration=declaration, action=action, from_status=from_status,
                                to_status=declaration.status, actor=actor if getattr(actor, "pk", None) else None,
                                note=note[:500], at=clock.now())


def _check_char(body: str) -> str:
    total = sum((ALPHABET.index(c) if c in ALPHABET else int(c)) * (i + 3) for i, c in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def code_make(prefix: str, day: dt.date, random_len: int = 5) -> str:
    """``prefix`` + date + random part + check character, e.g. SQ20261207K7M3X8: the random part makes codes
    of one day not enumerable (29⁵ ≈ 20 million), the check character catches a mistyped code."""
    body = f"{day:%Y%m%d}" + "".join(secrets.choice(ALPHABET) for _ in range(random_len))
    return f"{prefix}{body}{_check_char(body)}"


def code_well_formed(code: str, prefix: str = "SQ") -> bool:
    if not code.startswith(prefix) or len(code) != len(prefix) + 14:
        return False
    body, check = code[len(prefix):-1], code[-1]
    if not body[:8].isdigit() or any(c not in ALPHABET for c in body[8:]):
        return False
    return _check_char(body) == check


def declaration_subject(d: Declaration) -> Subject:
    return Subject(type="declaration", id=d.pk, no=f"申报{d.pk}", title=f"{d.department.name}：{d.title}"[:200],
                   url=f"/declarations/work/{d.pk}/")


def report_subject(r: Report) -> Subject:
    # No enterprise name: the title reaches whoever sees the board.
    return Subject(type="decl_report", id=r.pk, no=r.no,
                   title=f"举报{r.department.short_name or r.department.name}{r.visit_date:%m月%d日}未备案涉企活动"[:200],
                   url=f"/declarations/supervise/#report-{r.pk}")
