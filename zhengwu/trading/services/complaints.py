"""投诉 to the project's 行政监督部门 (TRADING-INTERMEDIARY.md §2.1 T15, G9, G10).

A bidder files a complaint on a round; the supervisor of the project's department accepts it or refuses
to accept it within 3 工作日 and, once accepted, decides it within 30 工作日 — two supervised clocks
(``trading_complaint_accept``, ``trading_complaint_decide``, ``part`` = the complaint's id).

Engineering (招标投标法实施条例第六十条): within 10 日 of the day the complainant knew; a complaint on the
documents (第二十二条), the opening (第四十四条) or the results (第五十四条) needs an 异议 raised first by the
same party on the same round and answered; the days the 异议 was being answered are not counted (the
10 日 are prolonged by the days from raising to answering).

Procurement (政府采购法第五十五条): a 质疑 raised first and answered, or left unanswered past its due day;
the complaint within 15 工作日 of the answer (or of the answer's due day). While handling it the
department may suspend the procurement (第五十七条, at most 30 日): ``Tender.paused`` is set, and the
decision lifts it when no open 质疑 nor other suspending complaint remains.

Each service is keyword-only and one transaction: the round is locked, every check comes before the
first write (a refusal changes nothing), the event row is written. No OCDS release is emitted. The event
never names the complainant (before the opening that would tell who obtained the documents,
招标投标法第二十二条).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied

from .. import clocks as kinds
from .. import selectors
from ..models import (
    Complaint,
    ComplaintMatter,
    ComplaintStatus,
    Objection,
    ObjectionStage,
    ObjectionStatus,
    Party,
    Regime,
    Tender,
    TenderStatus,
)
from ..transitions import SUPERVISOR
from . import common
from .lifecycle import _clock_finish, _clock_start

__all__ = ["complaint_accept", "complaint_decide", "complaint_file", "complaint_reject", "complaints_for",
           "complaints_suspension_expire"]

T60 = ("招标投标法实施条例第六十条：投标人或者其他利害关系人认为招标投标活动不符合法律、行政法规规定的，可以自知道或者应当知道"
       "之日起10日内向有关行政监督部门投诉。就本条例第二十二条、第四十四条、第五十四条规定事项投诉的，应当先向招标人提出异议，"
       "异议答复期间不计算在前款规定的期限内")
G55 = ("政府采购法第五十五条：质疑供应商对采购人、采购代理机构的答复不满意或者采购人、采购代理机构未在规定的时间内作出答复的，"
       "可以在答复期满后十五个工作日内向同级政府采购监督管理部门投诉")
T61 = ("招标投标法实施条例第六十一条：行政监督部门应当自收到投诉之日起3个工作日内决定是否受理投诉，并自受理投诉之日起30个工作日内"
       "作出书面处理决定")
G56 = "政府采购法第五十六条：政府采购监督管理部门应当在收到投诉后三十个工作日内，对投诉事项作出处理决定"
G57 = "政府采购法第五十七条：政府采购监督管理部门在处理投诉事项期间，可以视具体情况书面通知采购人暂停采购活动，但暂停时间最长不得超过三十日"

# The 异议/质疑 stage a complaint's matter must have gone through first.
MATTER_STAGE = {ComplaintMatter.DOCUMENTS: ObjectionStage.DOCUMENTS, ComplaintMatter.PROCESS: ObjectionStage.OPENING,
                ComplaintMatter.RESULTS: ObjectionStage.RESULTS}
SUSPEND_DAYS = 30


def _engineering(tender: Tender) -> bool:
    return tender.project.regime == Regime.ENGINEERING


def _cite(lead: str, article: str) -> str:
    return f"{lead}（{article}）"


def _supervisor_check(user, tender: Tender, label: str) -> None:
    if not getattr(user, "is_authenticated", False) or not common.actor_is(user, SUPERVISOR, tender):
        raise PermissionDenied(f"只有该项目行政监督部门的交易监督人员可以{label}")


def _locked(complaint: Complaint) -> tuple[Tender, Complaint]:
    tender = common.tender_lock(complaint.tender_id)
    row = Complaint.objects.select_for_update().select_related("complainant").filter(pk=complaint.pk).first()
    if row is None:
        raise NotFound("未找到该投诉")
    return tender, row


def _objections(tender: Tender, complainant: Party, matter: str) -> list[Objection]:
    return list(Objection.objects.filter(tender=tender, raised_by=complainant, stage=MATTER_STAGE[matter])
                .order_by("raised_at", "id"))


def _engineering_due(tender: Tender, known_on: dt.date, objection: Objection) -> dt.date:
    """10 日 from ``known_on``, prolonged by the days the 异议 was being answered (第六十条)."""
    raised = common.local_date(objection.raised_at)
    answered = common.local_date(objection.answered_at)
    answering = max(0, (answered - max(raised, known_on)).days)
    return common.calendar_due(known_on, 10 + answering, region=tender.project.region)


def complaint_file(*, tender, user, complainant, matter, text, known_on) -> Complaint:
    """投诉 by a member of a bidder party; starts the 3 工作日 acceptance clock."""
    text = common.required_text(text, "trading_complaint_text", "请填写投诉内容")
    if len(text) > 4000:
        raise DomainError("trading_complaint_text", "投诉内容不能超过4000字")
    if matter not in ComplaintMatter.values:
        raise DomainError("trading_complaint_matter", "请选择投诉事项")
    if not isinstance(known_on, dt.date) or isinstance(known_on, dt.datetime):
        raise DomainError("trading_complaint_known_on", "请填写知道或者应当知道投诉事项之日")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        if not getattr(user, "is_authenticated", False) or complainant is None or not complainant.is_bidder \
                or not complainant.members.filter(pk=user.pk).exists():
            raise PermissionDenied(f"您不是{getattr(complainant, 'name', '该投标人')}的经办人，不能以其名义投诉")
        if tender.status == TenderStatus.DRAFT:
            raise DomainError("trading_status", "该项目尚未发布公告，不能投诉")
        project = tender.project
        today = clock.today()
        if known_on > today:
            raise DomainError("trading_complaint_known_on", "知道投诉事项之日不能晚于今天")
        rows = _objections(tender, complainant, matter)
        answered = [o for o in rows if o.status == ObjectionStatus.ANSWERED]
        if _engineering(tender):
            if not answered:
                raise DomainError("trading_complaint_objection_first",
                                  _cite("就该事项投诉前，应当先向招标人提出异议并待其答复", T60))
            due = _engineering_due(tender, known_on, answered[-1])
            if today > due:
                raise DomainError("trading_complaint_late",
                                  _cite(f"投诉期限已于{due:%Y年%m月%d日}届满", T60))
        else:
            overdue = [o for o in rows if o.status == ObjectionStatus.OPEN and today > o.answer_due]
            ends = ([common.local_date(o.answered_at) for o in answered] + [o.answer_due for o in overdue])
            if not ends:
                raise DomainError("trading_complaint_objection_first",
                                  _cite("投诉前应当先向采购人、采购代理机构提出质疑，并待其答复或者答复期满", G55))
            due = common.workday_due(max(ends), 15, region=project.region)
            if today > due:
                raise DomainError("trading_complaint_late", _cite(f"投诉期限已于{due:%Y年%m月%d日}届满", G55))
        accept_due = common.workday_due(today, 3, region=project.region)
        complaint = Complaint.objects.create(tender=tender, complainant=complainant, matter=matter, text=text,
                                             known_on=known_on, filed_at=clock.now(), accept_due=accept_due)
        _clock_start(tender, kinds.COMPLAINT_ACCEPT, accept_due, part=complaint.pk,
                     part_name=f"受理投诉（{complaint.get_matter_display()}）")
        common.event_record(tender=tender, action="complaint_file", actor=user,
                            note=f"收到投诉（{complaint.get_matter_display()}），{accept_due:%Y年%m月%d日}前决定是否受理",
                            data={"complaint": complaint.pk, "matter": matter, "accept_due": accept_due.isoformat()})
    return complaint


def complaint_accept(*, complaint, user, suspend=False) -> Complaint:
    """受理投诉: finishes the acceptance clock and starts the 30 工作日 decision clock. ``suspend`` (procurement
    only, 政府采购法第五十七条) pauses the round for at most 30 日."""
    with transaction.atomic():
        tender, complaint = _locked(complaint)
        _supervisor_check(user, tender, "受理投诉")
        if complaint.status != ComplaintStatus.FILED:
            raise DomainError("trading_complaint_status", f"该投诉当前状态为“{complaint.get_status_display()}”，不能受理")
        engineering = _engineering(tender)
        if suspend and engineering:
            raise DomainError("trading_complaint_suspend", "暂停采购活动仅适用于政府采购项目（" + G57 + "）")
        if suspend and tender.status in (TenderStatus.DRAFT, TenderStatus.CONTRACTED, TenderStatus.COMPLETED,
                                         TenderStatus.FAILED, TenderStatus.CANCELLED):
            raise DomainError("trading_complaint_suspend",
                              f"项目当前状态为“{tender.get_status_display()}”，无采购活动可暂停")
        project = tender.project
        today = clock.today()
        decide_due = common.workday_due(today, 30, region=project.region)
        complaint.status, complaint.accepted_at, complaint.decide_due = ComplaintStatus.ACCEPTED, clock.now(), decide_due
        complaint.handled_by, complaint.suspended = user, bool(suspend)
        complaint.save(update_fields=["status", "accepted_at", "decide_due", "handled_by", "suspended"])
        data = {"complaint": complaint.pk, "decide_due": decide_due.isoformat(), "suspended": bool(suspend)}
        note = f"受理投诉，{decide_due:%Y年%m月%d日}前作出处理决定"
        if suspend:
            until = common.calendar_due(today, SUSPEND_DAYS, region=project.region)
            data["suspend_until"] = until.isoformat()
            note += f"；暂停采购活动（最长至{until:%Y年%m月%d日}）"
            if not tender.paused:
                tender.paused = True
                tender.save(update_fields=["paused"])
        _clock_finish(tender, kinds.COMPLAINT_ACCEPT, "已受理投诉", part=complaint.pk)
        _clock_start(tender, kinds.COMPLAINT_DECIDE, decide_due, part=complaint.pk,
                     part_name=f"处理投诉（{complaint.get_matter_display()}）")
        common.event_record(tender=tender, action="complaint_accept", actor=user, note=note, data=data)
    return complaint


def complaint_reject(*, complaint, user, reason) -> Complaint:
    """不予受理 with the reason given to the complainant; finishes the acceptance clock."""
    reason = common.required_text(reason, "trading_complaint_reason", "请填写不予受理的理由")
    with transaction.atomic():
        tender, complaint = _locked(complaint)
        _supervisor_check(user, tender, "决定不予受理投诉")
        if complaint.status != ComplaintStatus.FILED:
            raise DomainError("trading_complaint_status",
                              f"该投诉当前状态为“{complaint.get_status_display()}”，不能决定不予受理")
        complaint.status, complaint.decided_at = ComplaintStatus.REJECTED, clock.now()
        complaint.decision, complaint.handled_by = reason[:4000], user
        complaint.save(update_fields=["status", "decided_at", "decision", "handled_by"])
        _clock_finish(tender, kinds.COMPLAINT_ACCEPT, "决定不予受理投诉", part=complaint.pk)
        common.event_record(tender=tender, action="complaint_reject", actor=user, note=f"投诉不予受理：{reason}",
                            data={"complaint": complaint.pk})
    return complaint


def complaint_decide(*, complaint, user, decision, upheld=False) -> Complaint:
    """书面处理决定: finishes the decision clock; a suspension by this complaint is lifted when no open
    质疑/异议 and no other suspending complaint under handling remains."""
    decision = common.required_text(decision, "trading_complaint_decision", "请填写处理决定")
    with transaction.atomic():
        tender, complaint = _locked(complaint)
        _supervisor_check(user, tender, "作出投诉处理决定")
        if complaint.status != ComplaintStatus.ACCEPTED:
            raise DomainError("trading_complaint_status",
                              f"该投诉当前状态为“{complaint.get_status_display()}”，不能作出处理决定")
        complaint.status, complaint.decided_at = ComplaintStatus.DECIDED, clock.now()
        complaint.decision, complaint.upheld, complaint.handled_by = decision[:4000], bool(upheld), user
        complaint.save(update_fields=["status", "decided_at", "decision", "upheld", "handled_by"])
        resumed = False
        if complaint.suspended and tender.paused \
                and not tender.objections.filter(status=ObjectionStatus.OPEN).exists() \
                and not tender.complaints.filter(status=ComplaintStatus.ACCEPTED, suspended=True).exists():
            tender.paused = False
            tender.save(update_fields=["paused"])
            resumed = True
        _clock_finish(tender, kinds.COMPLAINT_DECIDE, "已作出投诉处理决定", part=complaint.pk)
        common.event_record(tender=tender, action="complaint_decide", actor=user,
                            note=("投诉成立" if upheld else "投诉不成立") + ("，恢复采购活动" if resumed else "")
                            + f"：{decision}",
                            data={"complaint": complaint.pk, "upheld": bool(upheld), "resumed": resumed})
    return complaint


def complaints_suspension_expire(*, today: dt.date | None = None) -> int:
    """The daily job's part (政府采购法第五十七条: a suspension lasts at most 30 日): a complaint still under
    handling whose suspension has run its 30 日 stops suspending the procurement, and the round resumes when
    no open 质疑 nor other suspending complaint remains. Returns how many suspensions ended."""
    today = today or clock.today()
    ended = 0
    rows = (Complaint.objects.filter(status=ComplaintStatus.ACCEPTED, suspended=True)
            .select_related("tender__project__region").order_by("id"))
    for complaint in rows:
        until = common.calendar_due(common.local_date(complaint.accepted_at), SUSPEND_DAYS,
                                    region=complaint.tender.project.region)
        if today <= until:
            continue
        with transaction.atomic():
            tender, complaint = _locked(complaint)
            if complaint.status != ComplaintStatus.ACCEPTED or not complaint.suspended:
                continue
            complaint.suspended = False
            complaint.save(update_fields=["suspended"])
            resumed = False
            if tender.paused and not tender.objections.filter(status=ObjectionStatus.OPEN).exists() \
                    and not tender.complaints.filter(status=ComplaintStatus.ACCEPTED, suspended=True).exists():
                tender.paused = False
                tender.save(update_fields=["paused"])
                resumed = True
            common.event_record(tender=tender, action="complaint_suspension_end",
                                note=f"暂停采购活动已满30日（至{until:%Y年%m月%d日}），暂停结束"
                                     + ("，恢复采购活动" if resumed else ""),
                                data={"complaint": complaint.pk, "until": until.isoformat(), "resumed": resumed})
            ended += 1
    return ended


def complaints_for(user) -> QuerySet[Complaint]:
    """A supervisor's complaints (the projects of their department, or region) and a bidder's own."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    staff = selectors.supervisor(user)
    parties = list(selectors.bidder_parties(user).values_list("id", flat=True))
    if staff is None and not parties:
        raise PermissionDenied("投诉仅限行政监督部门的交易监督人员和投诉人查看")
    qs = Complaint.objects.none()
    if staff is not None:
        projects = selectors.supervised_projects(staff).values("id")
        qs = Complaint.objects.filter(tender__project_id__in=projects)
    if parties:
        qs = qs | Complaint.objects.filter(complainant_id__in=parties)
    return qs.select_related("tender__project", "complainant").order_by("-filed_at", "-id")
