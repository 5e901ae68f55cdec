"""The purchase's link to an approval case (办件): where the intermediary stage sits in the approval's time.

- A service linked to the item as a 受理条件 (``LinkStage.PRECONDITION``) is the applicant's own, done before
  受理: it is outside the approval clock, and nothing here touches the case.
- A service commissioned during review (``LinkStage.REVIEW``) is a 特别程序 (行政许可法第四十五条; 企业投资项目
  核准和备案管理条例第十条): when the contract is registered (the service starts) the case's clock stops through
  ``cases.services.case_suspend`` (kind ``intermediary``, 中介服务), and it runs again through ``case_resume``
  when the result is delivered (or the service is terminated). The officer who acts on the case is the
  registering user's own staff row when it may act on the case, else the officer who stopped the clock, else
  the officer who accepted the case.

Reports: ``case_intermediary_stage`` (for the case page) and ``approval_vs_elapsed`` (approval time on the
case's own clock beside the elapsed time including the intermediary stages).
"""

from __future__ import annotations

import datetime as dt

from zhengwu.cases.models import Case, ClockStop, Status
from zhengwu.cases.plan import plan_for
from zhengwu.cases.transitions import HANDLERS
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.scope import staff_can_act_at
from zhengwu.workdays.engine import count_workdays

from ..models import LinkStage, OwnerKind, Purchase, PurchaseStatus, ServiceLink
from .common import local_date, refuse

PROCEDURE = "intermediary"  # cases' SpecialProcedure.INTERMEDIARY (中介服务)
ENDED = (PurchaseStatus.CANCELLED, PurchaseStatus.FAILED)


def link_of(purchase: Purchase) -> ServiceLink | None:
    item_id = purchase.item_id or (purchase.case.item_id if purchase.case_id else None)
    if item_id is None:
        return None
    return ServiceLink.objects.filter(service_id=purchase.service_id, item_id=item_id).first()


def link_check(*, owner, service, item=None, case: Case | None = None):
    """The item and link a new purchase refers to, refused when the link does not hold: the item must list
    the service; a case's 受理条件 service is bought by the applicant; a service commissioned during review is
    bought by the department handling the case (it pays itself), while the case is in review, within the
    link's time limit, and only for an item whose list sets the 中介服务 特别程序."""
    if case is not None:
        if item is not None and item.pk != case.item_id:
            raise DomainError("intermediary_case_item", "关联办件的审批事项与所选审批事项不一致")
        item = case.item
    if item is None:
        return None, None
    link = ServiceLink.objects.filter(service=service, item=item).first()
    if link is None:
        raise refuse("intermediary_item_link", "LIST", f"审批事项“{item.name}”未列明需要中介服务“{service.name}”")
    if case is None:
        return item, link
    if link.stage == LinkStage.REVIEW:
        if owner.kind != OwnerKind.GOVERNMENT or owner.department_id != case.department_id:
            raise refuse("intermediary_case_owner", "SELF_PAY", "审查中委托的中介服务应由承办该办件的行政机关作为项目业主")
        if case.status not in (Status.IN_REVIEW, Status.SUSPENDED):
            raise DomainError("intermediary_case_status",
                              f"办件{case.case_no}当前状态为“{Status(case.status).label}”，不在审查阶段，不能委托审查中的中介服务")
        if PROCEDURE not in plan_for(case.item_version_id).special_procedures:
            raise refuse("intermediary_case_procedure", "SPECIAL",
                         f"审批事项“{item.name}”的实施清单未设定“中介服务”特别程序，不能中止审批计时")
    elif not _owner_is_applicant(owner, case):
        raise PermissionDenied(f"办件{case.case_no}的申请人不是该项目业主，不能关联")
    return item, link


def _owner_is_applicant(owner, case: Case) -> bool:
    if owner.uscc and owner.uscc == case.uscc:
        return True
    if owner.id_number and owner.id_number == case.id_number:
        return True
    return bool(case.applicant_user_id and owner.members.filter(pk=case.applicant_user_id).exists())


def _officer_for(case: Case, user, stop: ClockStop | None = None):
    candidates = [getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None,
                  stop.started_by if stop is not None else None, case.accepted_by]
    for staff in candidates:
        if staff is None or not staff.is_active:
            continue
        if staff.role_codes() & HANDLERS and staff_can_act_at(staff, department_id=case.department_id,
                                                              hall=case.hall):
            return staff
    raise DomainError("intermediary_case_officer", f"办件{case.case_no}没有可以中止/恢复审批计时的承办人员")


def _our_stop(case: Case, purchase: Purchase) -> ClockStop | None:
    return (ClockStop.objects.filter(case=case, kind=PROCEDURE, end_on__isnull=True, reason__contains=purchase.code)
            .select_related("started_by").first())


def case_service_started(*, purchase: Purchase, user, service_end: dt.date) -> str:
    """The contract is registered: a REVIEW-stage case's clock stops as a 特别程序 (inside the caller's
    transaction). Returns what was done, for the purchase's event note ("" when nothing)."""
    link = link_of(purchase) if purchase.case_id else None
    if link is None or link.stage != LinkStage.REVIEW:
        return ""
    case = Case.objects.select_related("hall", "accepted_by").get(pk=purchase.case_id)
    if case.status == Status.SUSPENDED:
        return f"办件{case.case_no}已处于特别程序中，审批计时已中止"
    if case.status != Status.IN_REVIEW:
        return ""
    from zhengwu.cases.services import case_suspend

    reason = (f"委托中介服务“{purchase.service.name}”（采购项目{purchase.code}，服务期限至{service_end:%Y年%m月%d日}），"
              f"所需时间不计入审批期限（行政许可法第四十五条）")
    case_suspend(case=case, officer=_officer_for(case, user), kind=PROCEDURE, reason=reason)
    return f"办件{case.case_no}审批计时中止（特别程序：中介服务）"


def case_service_ended(*, purchase: Purchase, user, result: str) -> str:
    """The result is delivered (or the service ended undone): the case's clock runs again if this purchase
    stopped it and no other 特别程序 is open on the case."""
    if not purchase.case_id:
        return ""
    case = Case.objects.select_related("hall", "accepted_by").get(pk=purchase.case_id)
    stop = _our_stop(case, purchase)
    if stop is None or case.status != Status.SUSPENDED:
        return ""
    others = ClockStop.objects.filter(case=case, end_on__isnull=True).exclude(pk=stop.pk).exclude(kind="supplement")
    if others.exists():
        return f"办件{case.case_no}另有特别程序未结束，审批计时暂不恢复"
    from zhengwu.cases.services import case_resume

    case_resume(case=case, officer=_officer_for(case, user, stop), result=f"{result}（采购项目{purchase.code}）")
    return f"办件{case.case_no}审批计时恢复"


def _span(purchase: Purchase, until: dt.date) -> tuple[dt.date, dt.date | None, int]:
    start = local_date(purchase.published_at or purchase.created_at)
    end = local_date(purchase.delivered_at) if purchase.delivered_at else None
    return start, end, max(0, ((end or until) - start).days)


def case_intermediary_stage(case: Case) -> dict:
    """The case's intermediary stages for its page: each purchase linked to it (not cancelled or failed),
    its stage on the approval's time, its code and status, and its calendar days so far."""
    today = clock.today()
    stages = []
    for p in (Purchase.objects.filter(case=case).exclude(status__in=ENDED)
              .select_related("service", "case").order_by("created_at", "id")):
        link = link_of(p)
        stage = link.stage if link is not None else LinkStage.PRECONDITION
        start, end, days = _span(p, today)
        stages.append({
            "service": p.service.name, "stage": stage, "stage_label": LinkStage(stage).label,
            "purchase_id": p.pk, "purchase_code": p.code, "status": p.status, "status_label": p.get_status_display(),
            "started_on": start, "ended_on": end, "days": days,
            "limit": link.review_limit if link is not None else None,
            "note": ("审查中委托，特别程序期间中止审批计时，所需时间不计入审批期限（行政许可法第四十五条）"
                     if stage == LinkStage.REVIEW else "受理条件，由申请人在受理前自行委托，不计入审批期限"),
        })
    return {"case_no": case.case_no, "stages": stages, "total_days": sum(s["days"] for s in stages)}


def _prefix(region) -> str:
    try:
        return region.code_prefix
    except KeyError:  # a province: two digits
        return region.code[:2]


def _stopped_workdays(stops, start: dt.date, end: dt.date, region) -> int:
    n = 0
    for first, last in stops:
        a, b = max(first - dt.timedelta(days=1), start), min(last, end)
        n += count_workdays(a, b, region=region) if b > a else 0
    return n


def approval_vs_elapsed(*, region, since: dt.date, until: dt.date) -> list[dict]:
    """Side by side for the cases with intermediary purchases completed in [since, until] in ``region``:
    the approval's working days on the case's own clock (受理 to 办结, stops not counted) and the elapsed
    calendar days from the first of application or intermediary publication to 办结."""
    cases = (Case.objects.filter(intermediary_purchases__region__code__startswith=_prefix(region),
                                 completed_on__gte=since, completed_on__lte=until, accepted_on__isnull=False)
             .select_related("item").distinct().order_by("completed_on", "case_no"))
    rows = []
    for case in cases:
        end = case.completed_on
        stops = list(ClockStop.objects.filter(case=case, end_on__isnull=False).values_list("start_on", "end_on"))
        approval = count_workdays(case.accepted_on, end, region=region) - _stopped_workdays(
            stops, case.accepted_on, end, region)
        purchases = list(Purchase.objects.filter(case=case).exclude(status__in=ENDED))
        spans = [_span(p, end) for p in purchases]
        start = min([local_date(case.submitted_at), *[s[0] for s in spans]])
        rows.append({"case_no": case.case_no, "item": case.item.name, "accepted_on": case.accepted_on,
                     "completed_on": end, "approval_workdays": approval,
                     "intermediary_days": sum(s[2] for s in spans), "started_on": start,
                     "elapsed_days": (end - start).days,
                     "purchases": [p.code for p in purchases]})
    return rows
