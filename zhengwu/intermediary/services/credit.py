"""Agencies' credit (GB/T 39683-2020 grades A–E): the sources' scores, recorded bad behaviour, the monthly
recalculation with its explanation, the sanctions it brings and the appeal and repair path.

The month's credit of an agency (``credit_month_compute``), every figure a policy setting of its region:

- sources, each on 100 and present only when it has something to say: the owners (项目业主) — the mean
  ``Rating.score`` of the ratings given in the ``policy.rating_months`` months ending with this one; the
  supervising departments (行业主管部门) — the mean of this month's ``DepartmentScore`` rows; the marketplace
  (超市管理机构) — this month's ``MarketScore``;
- weighted = Σ(weight × score) ÷ Σ(weight of the sources present), to 0.01. **An agency no source has
  scored yet starts from full marks (100)**: credit is then lost only by deductions (扣分制), so a new agency is
  never graded E for having no ratings;
- deductions = Σ points of the VALID events in force this month: an event counts from the month of its day
  (``on``) for ``rule.months`` months (on 2026-03-10 with 12 months: March 2026 to February 2027);
- vetoed when any VALID veto event (否决项) is in force: the grade is then the lowest (E) whatever the score;
- score = max(0, weighted − deductions); grade by ``policy.grade_bands`` (score ≥ the band's line; below
  the lowest line, the letter after it: E);
- the agency's current credit (``Agency.credit_score/credit_grade``) and the sanctions follow its latest
  month: recomputing an earlier month rewrites only that month's record;
- grade ``policy.grade_suspend`` (D) suspends the agency (暂停选取), grade ``policy.grade_delist`` (E) delists
  it (清退); an agency suspended by its credit whose grade is better again is restored. An agency suspended or
  delisted by the administrator keeps that status (its credit is still computed while suspended).

Appeals (异议申诉) and repairs (信用修复) are filed by the agency and decided by the administrator on a
supervised clock (``intermediary_appeal``, ``policy.appeal_workdays`` 工作日, ``part`` = the appeal): an
upheld appeal revokes the event (it never counted, in any month recomputed); an upheld repair keeps the
event on record but lifts it — its points and its veto — from the month of the decision on. Either way the
agency's current month is recomputed at once, which lifts a suspension or delisting the event caused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.validators import TEXT_MAX_LENGTH, validate_lengths
from zhengwu.org.models import Role, Staff
from zhengwu.supervision import clocks as sv

from .. import clocks as kinds
from ..models import (
    Agency,
    AgencyStatus,
    Appeal,
    CreditEvent,
    CreditRecord,
    CreditRule,
    CreditSource,
    DepartmentScore,
    Event,
    MarketScore,
    Offering,
    Rating,
    Signup,
)
from . import common
from .agencies import ADMITTED, review_clock_start, staff_admin
from .common import SHANGHAI, required_text
from .rules import credit_event_record

__all__ = ["CREDIT_REASON", "NO_SOURCE_SCORE", "appeal_decide", "appeal_file", "credit_event_add",
           "credit_month_compute", "department_score_set", "grade_for", "market_score_set", "month_start"]

# The weighted score of an agency no source has scored yet (see the module docstring).
NO_SOURCE_SCORE = Decimal("100")
# How a status set by the recalculation begins (and how it is recognised to be lifted by it).
CREDIT_REASON = "信用等级为"
CENT = Decimal("0.01")



def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_add(month: dt.date, n: int) -> dt.date:
    i = month.year * 12 + month.month - 1 + n
    return dt.date(i // 12, i % 12 + 1, 1)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _ym(month: dt.date) -> str:
    return f"{month.year}年{month.month:02d}月"


def _fmt(value: Decimal) -> str:
    return f"{_q(value):.2f}"


def _bands(policy) -> list[tuple[str, Decimal]]:
    return sorted(((g, Decimal(str(v))) for g, v in policy.grade_bands.items()), key=lambda b: -b[1])


def grade_for(score: Decimal, policy) -> str:
    """The grade ``score`` earns under the policy's bands (below the lowest line: the next letter, E)."""
    bands = _bands(policy)
    for grade, line in bands:
        if score >= line:
            return grade
    return _lowest(bands)


def _lowest(bands) -> str:
    return chr(ord(max(g for g, _ in bands)) + 1) if bands else "E"


def _grade_rank(grade: str) -> int:
    return ord(grade) if grade else 0


# -- the sources and the events -------------------------------------------------------------------------------


def _score(value, label: str) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("intermediary_score", f"{label}应为0～100的分数") from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise DomainError("intermediary_score", f"{label}应为0～100的分数")
    return _q(score)


def _month(value) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
        except ValueError:
            raise DomainError("intermediary_month", "月份应为日期（如 2026-03）") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError("intermediary_month", "请填写月份")
    month = month_start(value)
    if month > month_start(clock.today()):
        raise DomainError("intermediary_month", f"不能对未到的月份（{_ym(month)}）评分")
    return month


def _supervised_departments(agency: Agency) -> set[int]:
    """The 行业主管部门 of the services the agency offers or has signed up for."""
    depts = set(Offering.objects.filter(agency=agency).values_list("service__department_id", flat=True))
    depts |= set(Signup.objects.filter(agency=agency).values_list("purchase__service__department_id", flat=True))
    return depts


def _supervisor(actor, agency: Agency, label: str, purchase=None):
    """The actor's staff row if it supervises (one of) the agency's services (the purchase's service, if
    given); else refused."""
    user = actor.user if isinstance(actor, Staff) else actor
    staff = common.staff_with_role(user, Role.INTERMEDIARY_SUPERVISOR, agency.region) \
        if user is not None else None
    if staff is None:
        raise PermissionDenied(f"只有行业主管部门的中介服务监管人员可以{label}")
    depts = {purchase.service.department_id} if purchase is not None else _supervised_departments(agency)
    if staff.department_id is not None and staff.department_id not in depts:
        raise PermissionDenied(f"“{agency.name}”不承接贵部门主管的中介服务，您不能{label}")
    return staff


def department_score_set(*, agency, staff, month, score, note="") -> DepartmentScore:
    """行业主管部门评价 of an admitted agency for ``month`` (on 100), by a supervisor of the department of a
    service it offers; given again for the same month, it replaces the earlier one."""
    month, score, note = _month(month), _score(score, "行业主管部门评分"), (note or "").strip()
    validate_lengths({"note": note}, DepartmentScore, ["note"])
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        sup = _supervisor(staff, agency, "作出行业主管部门评价")
        if sup.department_id is None:
            raise PermissionDenied("请以所在行业主管部门的监管人员身份评分")
        if agency.status not in ADMITTED:
            raise DomainError("intermediary_agency_status", f"机构当前状态为“{agency.get_status_display()}”，不能评分")
        row, _ = DepartmentScore.objects.update_or_create(
            agency=agency, department_id=sup.department_id, month=month,
            defaults={"score": score, "note": note, "by": sup})
        common.event_record(agency=agency, action="department_score", actor=sup.user,
                            note=f"{sup.department.name}{_ym(month)}评分{score}" + (f"：{note}" if note else ""),
                            data={"month": month.isoformat(), "score": str(score), "department": sup.department_id})
    return row


def market_score_set(*, agency, staff, month, score, note="") -> MarketScore:
    """超市管理机构评价 of an admitted agency for ``month`` (on 100), by the marketplace administrator."""
    month, score, note = _month(month), _score(score, "超市管理机构评分"), (note or "").strip()
    validate_lengths({"note": note}, MarketScore, ["note"])
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        admin = staff_admin(staff, agency.region, "作出超市管理机构评价")
        if agency.status not in ADMITTED:
            raise DomainError("intermediary_agency_status", f"机构当前状态为“{agency.get_status_display()}”，不能评分")
        row, _ = MarketScore.objects.update_or_create(agency=agency, month=month,
                                                      defaults={"score": score, "note": note, "by": admin})
        common.event_record(agency=agency, action="market_score", actor=admin.user,
                            note=f"{_ym(month)}评分{score}" + (f"：{note}" if note else ""),
                            data={"month": month.isoformat(), "score": str(score)})
    return row


def credit_event_add(*, agency, staff, rule_code, note, purchase=None) -> CreditEvent:
    """记录失信行为 under a rule that is not recorded automatically: by a supervisor of the agency's services
    for a department's rule, else by the marketplace administrator."""
    note = required_text(note, "intermediary_credit_note", "请写明失信行为的事实")
    validate_lengths({"note": note}, CreditEvent, ["note"])
    rule = CreditRule.objects.filter(code=rule_code).first()
    if rule is None:
        raise DomainError("intermediary_credit_rule", "请选择失信行为（扣分规则）")
    if rule.automatic:
        raise DomainError("intermediary_credit_rule", f"“{rule.name}”由系统根据采购记录自动认定，不能手工记录")
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        if purchase is not None and not Signup.objects.filter(purchase=purchase, agency=agency).exists():
            raise DomainError("intermediary_credit_purchase", f"“{agency.name}”未参与该采购项目")
        if rule.source == CreditSource.DEPARTMENT:
            by = _supervisor(staff, agency, "记录失信行为", purchase=purchase)
        else:
            by = staff_admin(staff, agency.region, "记录失信行为")
        if agency.status not in (*ADMITTED, AgencyStatus.DELISTED):
            raise DomainError("intermediary_agency_status", f"机构当前状态为“{agency.get_status_display()}”，尚未入驻")
        event = credit_event_record(agency=agency, rule_code=rule.code, purchase=purchase, note=note, by=by)
        effect = "否决项" if rule.veto else f"扣{rule.points}分"
        common.event_record(agency=agency, purchase=purchase, action="credit_event", actor=by.user,
                            note=f"{rule.name}（{effect}，影响{rule.months}个月）：{note}",
                            data={"credit_event": event.pk, "rule": rule.code})
    return event


# -- the monthly recalculation ---------------------------------------------------------------------------------


def _bounds(first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI),
            dt.datetime.combine(after, dt.time(), tzinfo=SHANGHAI))


def _compute(month: dt.date, agencies: list[Agency], policy) -> int:
    """The month's credit of ``agencies`` (locked by the caller, one region policy), written in bulk."""
    if not agencies:
        return 0
    ids = [a.pk for a in agencies]
    by_id = {a.pk: a for a in agencies}
    after = _months_add(month, 1)
    weights = {CreditSource.OWNER: policy.weight_owner, CreditSource.DEPARTMENT: policy.weight_department,
               CreditSource.MARKET: policy.weight_market}
    first_rating_month = _months_add(month, 1 - policy.rating_months)

    def chunks():
        for i in range(0, len(ids), 500):
            yield ids[i:i + 500]

    ratings: dict[int, tuple[int, int]] = {}
    start, end = _bounds(first_rating_month, after)
    dept_rows: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    market: dict[int, Decimal] = {}
    events: dict[int, list[CreditEvent]] = defaultdict(list)
    max_months = max(CreditRule.objects.values_list("months", flat=True), default=1)
    earliest = _months_add(month, 1 - max_months)
    lifted: set[int] = set()
    newer: set[int] = set()  # agencies with a later month already computed: a past month is only recorded
    for part in chunks():
        newer |= set(CreditRecord.objects.filter(agency_id__in=part, month__gt=month)
                     .values_list("agency_id", flat=True))
        for aid, n, total in (Rating.objects.filter(agency_id__in=part, at__gte=start, at__lt=end)
                              .values("agency_id")
                              .annotate(n=Count("id"), total=Sum(F("quality") + F("timeliness") + F("price")
                                                                 + F("attitude")))
                              .values_list("agency_id", "n", "total")):
            ratings[aid] = (n, total)
        for aid, name, score in (DepartmentScore.objects.filter(agency_id__in=part, month=month)
                                 .order_by("department__code").values_list("agency_id", "department__name", "score")):
            dept_rows[aid].append((name, score))
        for aid, score in MarketScore.objects.filter(agency_id__in=part, month=month).values_list("agency_id",
                                                                                                   "score"):
            market[aid] = score
        for e in (CreditEvent.objects.filter(agency_id__in=part, state=CreditEvent.State.VALID,
                                             on__gte=earliest, on__lt=after)
                  .select_related("rule").order_by("on", "id")):
            if _month_index(e.on) + e.rule.months > _month_index(month):
                events[e.agency_id].append(e)
        # An upheld repair lifts its event from the month of the decision on.
        lifted |= set(Appeal.objects.filter(agency_id__in=part, kind=Appeal.Kind.REPAIR, state=Appeal.State.UPHELD,
                                            decided_at__lt=end, event__isnull=False)
                      .values_list("event_id", flat=True))

    bands = _bands(policy)
    lowest = _lowest(bands)
    band_text = "、".join(f"{g}≥{line:g}" for g, line in bands) + f"，低于{bands[-1][1]:g}为{lowest}" if bands else ""
    now = clock.now()
    records, status_events, changed = [], [], []
    for aid in ids:
        agency = by_id[aid]
        lines, present = [], []
        n_total = ratings.get(aid)
        if n_total:
            n, total = n_total
            owner = _q(Decimal(total) * 5 / n)
            present.append((CreditSource.OWNER, owner))
            lines.append(f"项目业主评价：{_ym(first_rating_month)}至{_ym(month)}共{n}次评价，平均{owner}分，"
                         f"权重{weights[CreditSource.OWNER]}")
        else:
            owner = None
            lines.append(f"项目业主评价：{_ym(first_rating_month)}至{_ym(month)}无评价，不计入")
        rows = dept_rows.get(aid)
        if rows:
            dept = _q(sum((s for _, s in rows), Decimal(0)) / len(rows))
            present.append((CreditSource.DEPARTMENT, dept))
            parts = "、".join(f"{name}{_fmt(s)}分" for name, s in rows)
            lines.append(f"行业主管部门评价：{parts}，平均{dept}分，权重{weights[CreditSource.DEPARTMENT]}")
        else:
            dept = None
            lines.append(f"行业主管部门评价：{_ym(month)}无评分，不计入")
        mk = market.get(aid)
        if mk is not None:
            mk = _q(mk)
            present.append((CreditSource.MARKET, mk))
            lines.append(f"超市管理机构评价：{mk}分，权重{weights[CreditSource.MARKET]}")
        else:
            lines.append(f"超市管理机构评价：{_ym(month)}无评分，不计入")
        wsum = sum(weights[s] for s, _ in present)
        if present and wsum:
            weighted = _q(sum((weights[s] * v for s, v in present), Decimal(0)) / wsum)
            terms = "+".join(f"{weights[s]}×{v}" for s, v in present)
            lines.append(f"加权得分：({terms})÷{wsum}={weighted}")
        else:
            weighted = NO_SOURCE_SCORE
            lines.append(f"加权得分：尚无任何评价，按满分{NO_SOURCE_SCORE:g}分起算" if not present else
                         f"加权得分：各评价来源的权重均为0，按满分{NO_SOURCE_SCORE:g}分起算")
        deductions, veto_names = Decimal(0), []
        for e in events.get(aid, ()):
            if e.pk in lifted:
                lines.append(f"{e.rule.name}（{e.on:%Y年%m月%d日}）已信用修复，不再扣分")
                continue
            until = _ym(_months_add(month_start(e.on), e.rule.months - 1))
            if e.rule.veto:
                veto_names.append(e.rule.name)
                lines.append(f"否决项：{e.rule.name}（{e.on:%Y年%m月%d日}认定，影响至{until}）")
            elif e.rule.points:
                deductions += e.rule.points
                lines.append(f"扣分：{e.rule.name}（{e.on:%Y年%m月%d日}认定，影响至{until}）扣{_fmt(e.rule.points)}分")
        deductions = _q(deductions)
        score = max(Decimal(0), weighted - deductions)
        lines.append(f"信用分：{weighted}−{deductions}={_fmt(score)}" if deductions else f"信用分：{_fmt(score)}")
        grade = grade_for(score, policy)
        if veto_names:
            grade = lowest
            lines.append(f"信用等级：触发否决项（{'、'.join(veto_names)}），评为最低等级{lowest}")
        else:
            lines.append(f"信用等级：{band_text}；{_fmt(score)}分为{grade}")
        records.append(CreditRecord(agency_id=aid, month=month, owner_score=owner, department_score=dept,
                                    market_score=mk, weighted=weighted, deductions=deductions,
                                    vetoed=bool(veto_names), score=_q(score), grade=grade, explanation=lines,
                                    computed_at=now))
        if aid in newer:
            continue
        agency.credit_score, agency.credit_grade = _q(score), grade
        status = _status_after(agency, grade, policy, month, _q(score))
        if status is not None:
            action, note = status
            records[-1].explanation.append(note)
            status_events.append(Event(agency_id=aid, action=action, label=common.LABELS[action], at=now,
                                       note=note[:500], data={"month": month.isoformat(), "grade": grade}))
        changed.append(agency)
    CreditRecord.objects.bulk_create(
        records, batch_size=1000, update_conflicts=True, unique_fields=["agency", "month"],
        update_fields=["owner_score", "department_score", "market_score", "weighted", "deductions", "vetoed",
                       "score", "grade", "explanation", "computed_at"])
    # One UPDATE per distinct (score, grade, status, reason) rather than bulk_update's CASE per row: most
    # agencies share a handful of values, and bulk_update took three quarters of the run (bench_intermediary).
    groups: dict[tuple, list[int]] = {}
    for a in changed:
        groups.setdefault((a.credit_score, a.credit_grade, a.status, a.status_reason), []).append(a.pk)
    for (score_v, grade_v, status_v, reason_v), ids in groups.items():
        for i in range(0, len(ids), 900):
            Agency.objects.filter(pk__in=ids[i:i + 900]).update(credit_score=score_v, credit_grade=grade_v,
                                                                 status=status_v, status_reason=reason_v)
    Event.objects.bulk_create(
        [Event(agency_id=r.agency_id, action="credit_month", label=common.LABELS["credit_month"], at=now,
               note=f"{_ym(month)}信用分{r.score}，等级{r.grade}", data={"month": month.isoformat(), "grade": r.grade})
         for r in records] + status_events, batch_size=1000)
    return len(records)


def _status_after(agency: Agency, grade: str, policy, month: dt.date, score: Decimal) -> tuple[str, str] | None:
    """The status the grade brings (set on ``agency``): (event action, note), or None when unchanged."""
    by_credit = agency.status_reason.startswith(CREDIT_REASON)
    why = f"{CREDIT_REASON}{grade}（{_ym(month)}信用分{score}）"
    if grade == policy.grade_delist and agency.status != AgencyStatus.DELISTED:
        agency.status, agency.status_reason = AgencyStatus.DELISTED, f"{why}，予以清退"
        return "agency_delist", agency.status_reason
    if grade == policy.grade_suspend and agency.status == AgencyStatus.ACTIVE:
        agency.status, agency.status_reason = AgencyStatus.SUSPENDED, f"{why}，暂停选取"
        return "agency_suspend", agency.status_reason
    if grade == policy.grade_suspend and agency.status == AgencyStatus.DELISTED and by_credit:
        agency.status, agency.status_reason = AgencyStatus.SUSPENDED, f"{why}，由清退改为暂停选取"
        return "agency_suspend", agency.status_reason
    better = _grade_rank(grade) < min(_grade_rank(policy.grade_suspend), _grade_rank(policy.grade_delist))
    if better and by_credit and agency.status in (AgencyStatus.SUSPENDED, AgencyStatus.DELISTED):
        agency.status, agency.status_reason = AgencyStatus.ACTIVE, ""
        return "agency_restore", f"{why}，恢复选取"
    return None


def credit_month_compute(*, month: dt.date, region=None, agency_ids: list[int] | None = None) -> int:
    """The credit of ``month`` for every admitted or suspended agency (of ``region`` and the regions under
    it, when given); ``agency_ids`` narrows it to those agencies (which then include ones delisted by their
    credit). Records are upserted, so a month may be recomputed. Returns the number of agencies."""
    month = month_start(month)
    with transaction.atomic():
        qs = Agency.objects.filter(status__in=ADMITTED)
        if agency_ids is not None:
            qs = Agency.objects.filter(Q(status__in=ADMITTED) | Q(status=AgencyStatus.DELISTED,
                                                                  status_reason__startswith=CREDIT_REASON),
                                       pk__in=agency_ids)
        if region is not None:
            qs = qs.filter(region__code__startswith=region.code_prefix)
        agencies = list(qs.select_for_update(of=("self",)).select_related("region").order_by("pk"))
        groups: dict[int, tuple[object, list[Agency]]] = {}
        policies: dict[int, object] = {}
        for a in agencies:
            policy = policies.get(a.region_id)
            if policy is None:
                policy = policies[a.region_id] = common.policy_for(a.region)
            groups.setdefault(policy.pk, (policy, []))[1].append(a)
        return sum(_compute(month, rows, policy) for policy, rows in groups.values())


# -- appeals and repairs ---------------------------------------------------------------------------------------


def appeal_file(*, agency, user, kind, reason, event=None) -> Appeal:
    """异议申诉 (against a record: ``event``, or the grade itself) or 信用修复 (of a record, after putting the
    behaviour right), by the agency; starts the administrator's clock."""
    reason = required_text(reason, "intermediary_appeal_reason", "请填写申诉或修复的理由")
    if len(reason) > TEXT_MAX_LENGTH:
        raise DomainError("intermediary_appeal_reason", f"理由不能超过{TEXT_MAX_LENGTH}个字")
    if kind not in Appeal.Kind.values:
        raise DomainError("intermediary_appeal_kind", "请选择异议申诉或信用修复")
    if kind == Appeal.Kind.REPAIR and event is None:
        raise DomainError("intermediary_appeal_event", "信用修复须指明所修复的失信记录")
    with transaction.atomic():
        agency = common.agency_lock(agency.pk)
        if not common.member_of_agency(user, agency):
            raise PermissionDenied(f"您不是“{agency.name}”的经办人，不能提出申诉")
        if agency.status not in (*ADMITTED, AgencyStatus.DELISTED):
            raise DomainError("intermediary_agency_status", f"机构当前状态为“{agency.get_status_display()}”，尚未入驻")
        if event is not None:
            event = CreditEvent.objects.select_for_update().filter(pk=event.pk, agency=agency).first()
            if event is None:
                raise NotFound("未找到该机构的这条失信记录")
            if event.state != CreditEvent.State.VALID:
                raise DomainError("intermediary_appeal_event", "该失信记录已撤销")
            if event.appeals.filter(state=Appeal.State.PENDING).exists():
                raise DomainError("intermediary_appeal_pending", "该失信记录已有申诉或修复申请待处理")
            if event.appeals.filter(kind=kind, state=Appeal.State.UPHELD).exists():
                raise DomainError("intermediary_appeal_done", "该失信记录已修复")
        appeal = Appeal.objects.create(agency=agency, kind=kind, event=event, reason=reason, filed_at=clock.now())
        policy = common.policy_for(agency.region)
        due = review_clock_start(agency, part=appeal.pk, part_name=appeal.get_kind_display(),
                                 workdays=policy.appeal_workdays, kind=kinds.APPEAL)
        about = f"（{event.rule.name}，{event.on:%Y年%m月%d日}）" if event is not None else ""
        common.event_record(agency=agency, action="appeal_file", actor=user,
                            note=f"提出{appeal.get_kind_display()}{about}，处理期限{due:%Y年%m月%d日}",
                            data={"appeal": appeal.pk, "kind": kind, "event": getattr(event, "pk", None)})
    return appeal


def appeal_decide(*, appeal, staff, upheld: bool, decision) -> Appeal:
    """处理申诉/修复: upheld appeal → the event revoked; upheld repair → the event lifted from this month on;
    then the agency's current month is recomputed (which restores an agency its credit had sanctioned)."""
    decision = required_text(decision, "intermediary_appeal_decision", "请填写处理意见")
    validate_lengths({"decision": decision}, Appeal, ["decision"])
    with transaction.atomic():
        agency = common.agency_lock(appeal.agency_id)
        admin = staff_admin(staff, agency.region, "处理信用申诉与修复")
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("event__rule").get(pk=appeal.pk)
        if appeal.state != Appeal.State.PENDING:
            raise DomainError("intermediary_appeal_status", f"该申请已处理（{appeal.get_state_display()}）")
        appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.DISMISSED
        appeal.decided_at, appeal.decided_by, appeal.decision = clock.now(), admin, decision
        appeal.save(update_fields=["state", "decided_at", "decided_by", "decision"])
        if upheld and appeal.kind == Appeal.Kind.APPEAL and appeal.event is not None:
            CreditEvent.objects.filter(pk=appeal.event_id).update(state=CreditEvent.State.REVOKED)
        sv.clock_finish(subject=common.agency_subject(agency), kind=kinds.APPEAL.code, part=appeal.pk,
                        reason=f"{appeal.get_kind_display()}已处理")
        outcome = ("成立" if upheld else "不成立") + (
            "，撤销失信记录" if upheld and appeal.kind == Appeal.Kind.APPEAL and appeal.event is not None else
            "，该失信记录自本月起不再计入" if upheld and appeal.kind == Appeal.Kind.REPAIR else "")
        common.event_record(agency=agency, action="appeal_decide", actor=admin.user,
                            note=f"{appeal.get_kind_display()}{outcome}：{decision}",
                            data={"appeal": appeal.pk, "upheld": bool(upheld)})
        if upheld:
            credit_month_compute(month=month_start(clock.today()), agency_ids=[agency.pk])
    return appeal
