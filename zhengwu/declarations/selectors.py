"""Reads of 涉企活动申报 that depend on who asks: the department's own declarations, the office's queue, the
supervisor's reports and statistics, and the public check of a 备案码 (which never lists the other enterprises)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Department, Region, Role, Staff

from .models import (
    BUSINESS_ENV_ROLE,
    Declaration,
    DeclarationStatus,
    Rating,
    RatingLevel,
    Report,
    ReportStatus,
)
from .services import common
from .transitions import actions_from

S = DeclarationStatus
VALID = (S.APPROVED, S.CARRIED_OUT, S.CLOSED)


def is_office(staff: Staff | None) -> bool:
    return staff is not None and BUSINESS_ENV_ROLE in staff.role_codes()


def is_supervisor(staff: Staff | None) -> bool:
    return staff is not None and bool(staff.role_codes() & {Role.SUPERVISOR, Role.LEADER})


def declaration_list_for_staff(*, staff: Staff, status: str = "") -> QuerySet[Declaration]:
    """A department's staff see their department's declarations; the office and supervisors their region's."""
    qs = Declaration.objects.select_related("department", "created_by")
    if is_office(staff) or is_supervisor(staff):
        qs = qs.filter(Q(region__code__startswith=staff.region.code_prefix) | Q(department_id=staff.department_id))
    elif staff.department_id:
        qs = qs.filter(department_id=staff.department_id)
    else:
        raise PermissionDenied("涉企活动申报仅限部门工作人员、优化营商环境办和效能监察员查看")
    if status:
        qs = qs.filter(status=status)
    return qs


def declaration_get_for_staff(*, staff: Staff, declaration_id: int) -> Declaration:
    d = declaration_list_for_staff(staff=staff).select_related("region", "decided_by").filter(pk=declaration_id).first()
    if d is None:
        raise NotFound("未找到该申报", code="declarations_not_found")
    return d


def queue_for_office(*, staff: Staff) -> QuerySet[Declaration]:
    if not is_office(staff):
        raise PermissionDenied("审批队列仅限优化营商环境办查看")
    return (Declaration.objects.filter(status=S.SUBMITTED, region__code__startswith=staff.region.code_prefix)
            .select_related("department").order_by("submitted_at", "id"))


def actions_for(*, d: Declaration, user) -> list:
    """The actions this user may take on the declaration now (for the pages' buttons)."""
    return [t for t in actions_from(d.status) if any(common.actor_is(user, a, d.region, d) for a in t.actors)]


def declaration_row(d: Declaration) -> dict:
    return {"id": d.pk, "code": d.code or "", "status": d.status, "status_label": d.get_status_display(),
            "department": d.department.name, "activity_type": d.activity_type,
            "activity_type_label": d.get_activity_type_display(), "title": d.title, "legal_basis": d.legal_basis,
            "content": d.content, "is_random": d.is_random, "scope": d.scope, "is_joint": d.is_joint,
            "joint_departments": d.joint_departments, "start_date": d.start_date, "end_date": d.end_date,
            "over_limit_reason": d.over_limit_reason, "refuse_reason": d.refuse_reason,
            "targets": [{"uscc": t.uscc, "name": t.name, "visited_on": t.visited_on, "result": t.result}
                        for t in d.targets.all()],
            "inspectors": [{"name": i.name, "cert_no": i.cert_no} for i in d.inspectors.all()]}


def declaration_check(*, code: str, uscc: str = "") -> dict:
    """The public answer for a 备案码: what was declared, by whom, on what basis, and — only when the enterprise
    gives its own credit code — whether that enterprise is on the list. Never the other enterprises."""
    code = (code or "").strip().upper()
    d = None
    if common.code_well_formed(code):
        d = Declaration.objects.select_related("department").filter(code=code).first()
    if d is None:
        raise NotFound("未查到该备案码：该活动可能未经备案。如执法人员已入企，可以举报未备案涉企活动",
                       code="declarations_code_unknown")
    valid = d.status in VALID
    uscc = (uscc or "").strip().upper()
    on_list = rated = None
    if uscc:
        on_list = d.targets.filter(uscc=uscc).exists()
        rated = Rating.objects.filter(declaration=d, uscc=uscc).exists()
    return {
        "code": d.code, "valid": valid,
        "status_label": d.get_status_display() if valid else "已撤回（该活动已取消，不应入企）",
        "department": d.department.name, "activity_type": d.activity_type,
        "activity_type_label": d.get_activity_type_display(), "title": d.title, "legal_basis": d.legal_basis,
        "start_date": d.start_date, "end_date": d.end_date, "is_random": d.is_random,
        "scope": d.scope if d.is_random else "", "is_joint": d.is_joint, "joint_departments": d.joint_departments,
        "inspectors": [{"name": i.name, "cert_no": i.cert_no} for i in d.inspectors.all()],
        "approved_on": d.decided_at.date() if d.decided_at else None,
        "on_list": on_list, "rated": rated,
    }


def reports_for_supervisor(*, staff: Staff, status: str = "") -> QuerySet[Report]:
    if not is_supervisor(staff):
        raise PermissionDenied("举报核查仅限效能监察员查看")
    qs = Report.objects.filter(region__code__startswith=staff.region.code_prefix).select_related("department",
                                                                                              "handled_by")
    return qs.filter(status=status) if status else qs


def stats_by_department(*, region: Region, year: int) -> list[dict]:
    """Per department of the region, for the year (by planned start for declarations, by visit date for
    reports): declared (submitted at all), approved, refused, withdrawn, carried out, reports, 属实, ratings."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    prefix = region.code_prefix
    decl = (Declaration.objects.filter(region__code__startswith=prefix, start_date__range=(start, end))
            .exclude(status=S.DRAFT).order_by().values("department_id")
            .annotate(declared=Count("id"),
                      approved=Count("id", filter=Q(code__isnull=False)),
                      refused=Count("id", filter=Q(status=S.REFUSED)),
                      withdrawn=Count("id", filter=Q(status=S.WITHDRAWN)),
                      carried_out=Count("id", filter=Q(status__in=(S.CARRIED_OUT, S.CLOSED)))))
    reports = (Report.objects.filter(region__code__startswith=prefix, visit_date__range=(start, end)).order_by()
               .values("department_id").annotate(reported=Count("id"),
                                                 upheld=Count("id", filter=Q(status=ReportStatus.UPHELD)),
                                                 open=Count("id", filter=Q(status=ReportStatus.OPEN))))
    ratings = (Rating.objects.filter(declaration__region__code__startswith=prefix,
                                     declaration__start_date__range=(start, end)).order_by()
               .values("declaration__department_id")
               .annotate(n=Count("id"), good=Count("id", filter=~Q(level=RatingLevel.UNSATISFIED))))
    rows: dict[int, dict] = {}
    blank = {"declared": 0, "approved": 0, "refused": 0, "withdrawn": 0, "carried_out": 0, "reported": 0,
             "upheld": 0, "open": 0, "ratings": 0, "satisfied_rate": None}
    for r in decl:
        rows.setdefault(r["department_id"], dict(blank)).update({k: r[k] for k in
                                                                ("declared", "approved", "refused", "withdrawn",
                                                                 "carried_out")})
    for r in reports:
        rows.setdefault(r["department_id"], dict(blank)).update(
            reported=r["reported"], upheld=r["upheld"], open=r["open"])
    for r in ratings:
        row = rows.setdefault(r["declaration__department_id"], dict(blank))
        row["ratings"] = r["n"]
        row["satisfied_rate"] = round(100 * r["good"] / r["n"], 1) if r["n"] else None
    names = dict(Department.objects.filter(pk__in=rows).values_list("pk", "name"))
    out = [{"department_id": pk, "department": names.get(pk, ""), **v} for pk, v in rows.items()]
    return sorted(out, key=lambda r: (-r["upheld"], -r["declared"], r["department"]))


STAT_COLUMNS = [("department", "部门"), ("declared", "申报"), ("approved", "备案"), ("refused", "不予备案"),
                ("withdrawn", "撤回"), ("carried_out", "已执行"), ("reported", "被举报未备案"), ("upheld", "举报属实"),
                ("open", "待核查"), ("ratings", "企业评价"), ("satisfied_rate", "满意率（%）")]
