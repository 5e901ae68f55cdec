"""A trading project's rounds from notice to acceptance (TRADING-INTERMEDIARY.md §2.1, §2.2, §2.6).

Each service is keyword-only and one transaction: it locks the round (``common.tender_lock``), asks
``common.transition_check`` (status, pause, who) unless marked INTERNAL, enforces the law's period or
amount (the refusal quotes the article), saves with ``update_fields``, writes the event row, starts or
finishes the round's supervised clocks (``zhengwu.supervision.clocks``, kinds in ``trading/clocks.py``)
and emits the OCDS release. Every check comes before the first write, so a refusal changes nothing.

Periods: engineering counts 日 (calendar days), procurement mostly 工作日; both by 民法典第二百零一条 (the
start day is not counted) and 第二百零三条 (a last day on a rest day moves to the next working day),
compared on dates in Asia/Shanghai. A "≥ N 日" minimum is met when the later date is on or after the last
day of an N-day period from the earlier one.

Invited procurement (政府采购邀请招标, 政府采购法第三十四条): the suppliers given in ``invitees`` are the pool
of qualified suppliers; three of them are drawn with ``secrets.SystemRandom`` and the draw (pool and picks)
is kept in the publish event. In engineering (招标投标法第十七条) the invitees given are the invitees, at
least three.

Who obtained the documents is never written to the event log or a release before the opening
(招标投标法第二十二条): ``tender_obtain`` only writes its ``DocumentObtain`` row.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max, Sum

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role
from zhengwu.supervision import clocks as sv

from .. import clocks as kinds
from ..models import (
    Amendment,
    Award,
    AwardStatus,
    Bid,
    Candidate,
    Category,
    Contract,
    ContractStatus,
    DepositForm,
    DocumentObtain,
    Method,
    NotFirstReason,
    Objection,
    ObjectionStage,
    ObjectionStatus,
    Party,
    Payment,
    Project,
    ProjectCounter,
    ProjectStatus,
    Refund,
    Regime,
    Tender,
    TenderStatus,
)
from ..ocds import release_emit
from ..transitions import AGENCY
from . import common

__all__ = [
    "candidates_publish", "contract_accept", "contract_file", "contract_publish", "contract_sign", "objection_answer",
    "objection_raise", "payment_record", "prequal_publish", "prequal_result", "project_create", "result_notice_publish", "refund_keep", "refund_record", "report_file", "report_received", "round_fail", "tender_amend",
    "tender_award", "tender_cancel", "tender_create", "tender_fail", "tender_obtain", "tender_publish",
    "tender_retender",
]

ENGINEERING_METHODS = (Method.OPEN, Method.INVITED)
ROUND_ENDED = (TenderStatus.FAILED, TenderStatus.CANCELLED)

# Articles quoted only here (not yet in common.ARTICLES).
ENGINEERING_METHOD_TEXT = "招标投标法第十条：招标分为公开招标和邀请招标"
OBJECTION_DOCS_TEXT = "招标投标法实施条例第二十二条：潜在投标人或者其他利害关系人对招标文件有异议的，应当在投标截止时间10日前提出"
PERIOD_NOT_IN_PAST = "招标文件发出时间不能早于当前时间"


# -- helpers ----------------------------------------------------------------------------------------------


def _money(value, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("trading_amount", f"{label}格式不正确") from None
    if not amount.is_finite():
        raise DomainError("trading_amount", f"{label}格式不正确")
    return amount.quantize(Decimal("0.01"))


def _aware(value: dt.datetime, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise DomainError("trading_datetime", f"请填写{label}（日期和时间）")
    if value.tzinfo is None:
        value = value.replace(tzinfo=common.SHANGHAI)
    return value


def _engineering(project: Project) -> bool:
    return project.regime == Regime.ENGINEERING


def _actor_check(user, tender: Tender, actors, label: str) -> None:
    if not user.is_authenticated or not any(common.actor_is(user, a, tender) for a in actors):
        raise PermissionDenied(f"您无权对该项目进行“{label}”操作")


def _clock_start(tender: Tender, kind, due: dt.date, *, part: int = 0, part_name: str = "",
                 started_on: dt.date | None = None):
    project = tender.project
    return sv.clock_start(kind=kind.code, subject=common.subject(tender), region=project.region, due_date=due,
                          part=part, part_name=part_name, hall=project.hall, department=project.supervisor,
                          started_on=started_on)


def _clock_finish(tender: Tender, kind, reason: str, *, part: int | None = None, counts: bool = True) -> int:
    return sv.clock_finish(subject=common.subject(tender), kind=kind.code, part=part, reason=reason, counts=counts)


def _refunds_create(tender: Tender, bidders, due: dt.date, *, started_on: dt.date | None = None) -> list[Refund]:
    """One Refund row (and its trading_refund clock) per bidder that has none yet, when a deposit was asked."""
    if tender.bid_deposit <= 0:
        return []
    have = set(tender.refunds.values_list("bidder_id", flat=True))
    made = []
    for bidder in bidders:
        if bidder.pk in have:
            continue
        have.add(bidder.pk)
        refund = Refund.objects.create(tender=tender, bidder=bidder, amount=tender.bid_deposit, due_on=due)
        _clock_start(tender, kinds.REFUND, due, part=refund.pk, part_name=f"退还{bidder.name}投标保证金"[:64],
                     started_on=started_on)
        made.append(refund)
    return made


def _bidders(tender: Tender, *, exclude_id: int | None = None) -> list[Party]:
    rows = Bid.objects.filter(tender=tender).select_related("bidder").order_by("id")
    return [b.bidder for b in rows if b.bidder_id != exclude_id]


def _project_code(project_hall, year: int) -> str:
    """SFX-JY-2026-0001: the centre's code (its trailing "JY" split off), the year, a yearly sequence per
    region (a race-free upsert on ``ProjectCounter``); a number already taken (imported rows) is skipped."""
    table = ProjectCounter._meta.db_table
    code = project_hall.code.upper()
    prefix = f"{code[:-2]}-JY" if code.endswith("JY") and len(code) > 2 else code
    while True:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (region_id, year, last) VALUES (%s, %s, 1) "
                f"ON CONFLICT (region_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [project_hall.region_id, year])
            seq = cur.fetchone()[0]
        number = f"{prefix}-{year}-{seq:04d}"
        if not Project.objects.filter(code=number).exists():
            return number


def _deadline_check(*, project: Project, method: str, start: dt.date, deadline: dt.date) -> None:
    """T1/G1 (20 日), G13 (谈判/询价 3 工作日, 磋商 10 日), G11 (单一来源公示 5 工作日)."""
    region = project.region
    if method in (Method.OPEN, Method.INVITED):
        key, due = ("T1" if _engineering(project) else "G1"), common.calendar_due(start, 20, region=region)
        lead = f"投标截止日期最早为{due:%Y年%m月%d日}"
    elif method == Method.NEGOTIATION:
        key, due = "G13N", common.workday_due(start, 3, region=region)
        lead = f"首次响应文件截止日期最早为{due:%Y年%m月%d日}"
    elif method == Method.INQUIRY:
        key, due = "G13I", common.workday_due(start, 3, region=region)
        lead = f"响应文件截止日期最早为{due:%Y年%m月%d日}"
    elif method == Method.CONSULTATION:
        key, due = "G13C", common.calendar_due(start, 10, region=region)
        lead = f"首次响应文件截止日期最早为{due:%Y年%m月%d日}"
    else:  # single source: the supplier's name is publicised ≥ 5 工作日 before the deadline
        key, due = "G11", common.workday_due(start, 5, region=region)
        lead = f"单一来源公示期满前不能截止，截止日期最早为{due:%Y年%m月%d日}"
    if deadline < due:
        raise common.refuse("trading_period", key, lead)


# -- projects and rounds -----------------------------------------------------------------------------------


def project_create(*, user, hall, regime, category, name, buyer, supervisor, estimate, agency=None,
                   state_fund_percent=100, funding="财政资金", description="") -> Project:
    """登记交易项目 by the 招标人/采购人, its 代理机构 or the centre's administrator; release ``planning``."""
    if regime not in Regime.values:
        raise DomainError("trading_regime", "请选择适用规则（工程建设招标投标或政府采购）")
    if category not in Category.values:
        raise DomainError("trading_category", "请选择采购类别（工程、货物或服务）")
    name = common.required_text(name, "trading_name", "请填写项目名称")
    estimate = _money(estimate, "估算价/预算金额")
    if estimate <= 0:
        raise DomainError("trading_estimate", "估算价/预算金额须大于零")
    if not 0 <= int(state_fund_percent) <= 100:
        raise DomainError("trading_state_fund", "国有资金占比须在0至100之间")
    if not buyer.is_buyer:
        raise DomainError("trading_buyer", f"{buyer.name}未登记为招标人/采购人")
    if agency is not None and not agency.is_agency:
        raise DomainError("trading_agency", f"{agency.name}未登记为招标代理机构")
    staff = getattr(user, "staff", None)
    may = user.is_authenticated and (
        buyer.members.filter(pk=user.pk).exists()
        or (agency is not None and agency.members.filter(pk=user.pk).exists())
        or (staff is not None and staff.is_active and staff.roles.filter(code=Role.TRADING_ADMIN).exists()
            and (staff.hall_id == hall.pk or (staff.hall_id is None and staff.region_id == hall.region_id))))
    if not may:
        raise PermissionDenied("您无权登记该交易项目")
    with transaction.atomic():
        now = clock.now()
        project = Project.objects.create(
            code=_project_code(hall, clock.today().year), name=name[:200], region=hall.region, hall=hall,
            regime=regime, category=category, buyer=buyer, agency=agency, supervisor=supervisor,
            funding=funding, state_fund_percent=int(state_fund_percent), estimate=estimate,
            description=description, created_by=user, created_at=now)
        common.event_record(tender=None, project=project, action="create", actor=user, note=project.name)
        release_emit(project=project, tags=["planning"])
    return project


def _round_new(*, project: Project, user, method: str, title: str, notice: str, action: str) -> Tender:
    """A 待发布 round after the last one (which must have ended, and failed for a re-tender)."""
    if method not in Method.values:
        raise DomainError("trading_method", "请选择采购/招标方式")
    if _engineering(project) and method not in ENGINEERING_METHODS:
        raise DomainError("trading_method", ENGINEERING_METHOD_TEXT + "；工程建设项目不能采用该方式")
    project = Project.objects.select_for_update().get(pk=project.pk)
    _actor_check(user, Tender(project=project), (AGENCY,), "重新招标" if action == "retender" else "新建招标")
    if project.status in (ProjectStatus.CONTRACTED, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise DomainError("trading_status", f"项目当前状态为“{project.get_status_display()}”，不能再招标")
    last = project.tenders.order_by("-round").first()
    if action == "retender":
        if last is None or last.status != TenderStatus.FAILED:
            raise DomainError("trading_retender", "只有上一轮流标/废标后才能重新招标")
    elif last is not None and last.status not in ROUND_ENDED:
        raise DomainError("trading_round_open", f"该项目第{last.round}次招标尚未结束，不能新建招标")
    number = (project.tenders.aggregate(m=Max("round"))["m"] or 0) + 1
    title = (title or "").strip() or (f"{project.name}招标公告" if number == 1
                                      else f"{project.name}（第{number}次）招标公告")
    tender = Tender.objects.create(project=project, round=number, method=method, title=title[:200],
                                   notice=notice or "")
    common.event_record(tender=tender, action=action, actor=user, note=f"第{number}次 {tender.get_method_display()}",
                        data={"round": number, "method": method})
    return tender


def tender_create(*, project, user, method, title, notice="") -> Tender:
    """A 待发布 round of ``project``: round = last + 1; refused while an earlier round is still running."""
    with transaction.atomic():
        return _round_new(project=project, user=user, method=method, title=title, notice=notice, action="create")


def tender_retender(*, project, user, method=None, title=None) -> Tender:
    """重新招标: a new 待发布 round after a failed (流标/废标) one; same method unless another is given."""
    with transaction.atomic():
        last = project.tenders.order_by("-round").first()
        return _round_new(project=project, user=user, method=method or (last.method if last else ""),
                          title=title or "", notice="", action="retender")


def tender_publish(*, tender, user, documents_from, documents_until, bid_deadline, opening_place="",
                   bid_deposit=0, deposit_form="none", bid_validity_days=90, max_price=None, invitees=(),
                   prequalification=False) -> Tender:
    """发布公告: the periods T1/G1, T2/G2, G11, G13, the deposit T6/G4 and the invitees (INVITE) are checked
    before anything is written; the sealed slots are made (``bids.slots_create``); release ``tender``.
    After 资格预审 (from 资格预审中, once ``prequal_result`` is fixed) the 招标文件 go to those who passed, who are
    the round's invitees; ``prequalification`` from 待发布 is refused: the 资格预审公告 comes first
    (``prequal_publish``, 实施条例第十五条)."""
    documents_from = _aware(documents_from, "招标文件发出时间")
    documents_until = _aware(documents_until, "招标文件发售截止时间")
    bid_deadline = _aware(bid_deadline, "投标截止时间")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "publish", user)
        project = tender.project
        engineering = _engineering(project)
        region = project.region
        if engineering and tender.method not in ENGINEERING_METHODS:
            raise DomainError("trading_method", ENGINEERING_METHOD_TEXT + "；工程建设项目不能采用该方式")
        now = clock.now()
        start = common.local_date(documents_from)
        if start < clock.today():
            raise DomainError("trading_period", PERIOD_NOT_IN_PAST)
        if not documents_from < documents_until <= bid_deadline:
            raise DomainError("trading_period", "须满足：招标文件发出时间 < 发售截止时间 ≤ 投标截止时间")
        _deadline_check(project=project, method=tender.method, start=start, deadline=common.local_date(bid_deadline))
        if tender.method in (Method.OPEN, Method.INVITED):
            until = common.local_date(documents_until)
            if engineering:
                due = common.calendar_due(start, 5, region=region)
                if until < due:
                    raise common.refuse("trading_period", "T2", f"招标文件发售截止日期最早为{due:%Y年%m月%d日}")
            else:
                due = common.workday_due(start, 5, region=region)
                if until < due:
                    raise common.refuse("trading_period", "G2", f"招标文件提供截止日期最早为{due:%Y年%m月%d日}")
        deposit = _money(bid_deposit, "投标保证金")
        if deposit < 0:
            raise DomainError("trading_deposit", "投标保证金不能为负数")
        if deposit_form not in DepositForm.values:
            raise DomainError("trading_deposit_form", "请选择保证金形式")
        limit = (project.estimate * Decimal("0.02")).quantize(Decimal("0.01"))
        if deposit > limit:
            raise common.refuse("trading_deposit", "T6" if engineering else "G4",
                                f"投标保证金{deposit}元超过估算价/预算金额的2%（{limit}元）")
        if deposit > 0 and deposit_form == DepositForm.NONE:
            raise DomainError("trading_deposit_form", "收取投标保证金时请选择保证金形式")
        if deposit == 0:
            deposit_form = DepositForm.NONE
        if not engineering and deposit_form == DepositForm.CASH:
            raise common.refuse("trading_deposit_form", "G4", "政府采购投标保证金不得以现金形式收取")
        if not 1 <= int(bid_validity_days) <= 365:
            raise DomainError("trading_validity", "投标有效期须在1至365日之间")
        if max_price is not None:
            max_price = _money(max_price, "最高投标限价")
            if max_price <= 0:
                raise DomainError("trading_max_price", "最高投标限价须大于零")
        pool = list(dict.fromkeys(invitees))
        if any(not p.is_bidder for p in pool):
            raise DomainError("trading_invitee", "受邀单位须为已登记的投标人/供应商")
        draw: dict = {}
        if tender.status == TenderStatus.PREQUAL:
            # 招标投标法实施条例第十九条: the 招标文件 go to those who passed, and to nobody else.
            if tender.prequal_result_at is None:
                raise common.refuse("trading_prequal_result", "PQ19", "资格预审结果尚未确定，不能发出招标文件")
            if pool:
                raise DomainError("trading_invitees", "资格预审后的招标文件发给通过资格预审的申请人，不另行指定受邀单位")
            if start < common.local_date(tender.prequal_result_at):
                raise DomainError("trading_period", "招标文件发出时间不能早于资格预审结果确定之日")
            prequalification = True
        elif prequalification:
            raise common.refuse("trading_prequal", "PQ15", "采用资格预审的，应先发布资格预审公告，资格预审结束后再向通过的申请人发出招标文件")
        elif tender.method == Method.INVITED:
            if len(pool) < 3:
                raise common.refuse("trading_invitees", "INVITE", f"受邀投标人只有{len(pool)}个")
            if not engineering:
                # 政府采购法第三十四条: three suppliers drawn at random from the qualified ones given.
                picks = secrets.SystemRandom().sample(pool, 3)
                draw = {"pool": [p.pk for p in pool], "picked": [p.pk for p in picks], "random": "secrets.SystemRandom"}
                pool = picks
        elif tender.method == Method.SINGLE:
            if len(pool) > 1:
                raise DomainError("trading_invitees", "单一来源采购只能有一个供应商")
        elif pool:
            raise DomainError("trading_invitees", f"{tender.get_method_display()}不指定受邀单位")

        tender.documents_from, tender.documents_until, tender.bid_deadline = documents_from, documents_until, bid_deadline
        tender.opening_place = opening_place[:200]
        tender.bid_deposit, tender.deposit_form = deposit, deposit_form
        tender.bid_validity_days, tender.max_price = int(bid_validity_days), max_price
        tender.prequalification = bool(prequalification)
        tender.published_at, tender.status = now, target
        tender.save(update_fields=["documents_from", "documents_until", "bid_deadline", "opening_place", "bid_deposit",
                                   "deposit_form", "bid_validity_days", "max_price", "prequalification",
                                   "published_at", "status"])
        if pool:
            tender.invitees.set(pool)
        if project.status == ProjectStatus.PLANNING:
            project.status = ProjectStatus.ACTIVE
            project.save(update_fields=["status"])
        from . import bids  # H2's module; imported here so the two can land in either order

        bids.slots_create(tender=tender)
        common.event_record(tender=tender, action="publish", actor=user, note=tender.title,
                            data={"bid_deadline": bid_deadline.isoformat(), "invitees": [p.pk for p in pool],
                                  **({"draw": draw} if draw else {})})
        release_emit(project=project, tags=["tender"])
    return tender


# -- 资格预审 (招标投标法实施条例第十五至二十二条) ------------------------------------------------------------------

PREQUAL_ENGINEERING_ONLY = "本平台的资格预审适用于工程建设项目公开招标；政府采购项目请采用公开招标或其他采购方式"


def prequal_publish(*, tender, user, documents_from, documents_until, application_deadline) -> Tender:
    """发布资格预审公告 (实施条例第十五条): the 资格预审文件 on sale from ``documents_from`` to
    ``documents_until`` (≥ 5 日, T2) and the applications due at ``application_deadline``, at least 5 日 after
    the sale stops (T3). The round waits in 资格预审中 until ``prequal_result``; the 招标文件 are issued
    afterwards with ``tender_publish`` to those who passed. Release ``tender``."""
    documents_from = _aware(documents_from, "资格预审文件发售开始时间")
    documents_until = _aware(documents_until, "资格预审文件发售截止时间")
    application_deadline = _aware(application_deadline, "资格预审申请文件提交截止时间")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "publish_prequal", user)
        project = tender.project
        if not _engineering(project) or tender.method != Method.OPEN:
            raise DomainError("trading_prequal_method", PREQUAL_ENGINEERING_ONLY)
        start = common.local_date(documents_from)
        if start < clock.today():
            raise DomainError("trading_period", "资格预审文件发售开始时间不能早于当前时间")
        if not documents_from < documents_until <= application_deadline:
            raise DomainError("trading_period", "须满足：资格预审文件发售开始 < 发售截止 ≤ 资格预审申请文件提交截止")
        until = common.local_date(documents_until)
        due = common.calendar_due(start, 5, region=project.region)
        if until < due:
            raise common.refuse("trading_period", "T2", f"资格预审文件发售截止日期最早为{due:%Y年%m月%d日}")
        due = common.calendar_due(until, 5, region=project.region)
        if common.local_date(application_deadline) < due:
            raise common.refuse("trading_period", "T3", f"资格预审申请文件提交截止日期最早为{due:%Y年%m月%d日}")
        now = clock.now()
        tender.prequalification = True
        tender.prequal_from, tender.prequal_until = documents_from, documents_until
        tender.prequal_deadline = application_deadline
        tender.published_at, tender.status = now, target
        tender.save(update_fields=["prequalification", "prequal_from", "prequal_until", "prequal_deadline",
                                   "published_at", "status"])
        if project.status == ProjectStatus.PLANNING:
            project.status = ProjectStatus.ACTIVE
            project.save(update_fields=["status"])
        common.event_record(tender=tender, action="publish_prequal", actor=user, note=tender.title,
                            data={"prequal_until": documents_until.isoformat(),
                                  "prequal_deadline": application_deadline.isoformat()})
        release_emit(project=project, tags=["tender"])
    return tender


def _prequal_amend(tender: Tender, *, user, summary: str, affects: bool, new_deadline) -> Amendment:
    """A 资格预审文件 clarification (inside ``tender_amend``'s transaction): one that may affect the
    applications needs ≥ 3 日 to the (new) applications' deadline, else the same action postpones it
    (实施条例第二十一条)."""
    project = tender.project
    old = tender.prequal_deadline
    if new_deadline is not None and new_deadline <= old:
        raise DomainError("trading_amend_deadline", "新的资格预审申请文件提交截止时间须晚于原截止时间（只能顺延）")
    if clock.now() >= old:
        raise DomainError("trading_amend_late", "资格预审申请文件提交截止时间已过，不能再澄清/修改资格预审文件")
    deadline = new_deadline or old
    if affects:
        due = common.calendar_due(clock.today(), 3, region=project.region)
        if common.local_date(deadline) < due:
            lead = (f"距资格预审申请文件提交截止不足3日，须同时将截止时间顺延至{due:%Y年%m月%d日}或以后"
                    if new_deadline is None else f"顺延后的资格预审申请文件提交截止时间须不早于{due:%Y年%m月%d日}")
            raise common.refuse("trading_amend_period", "T4P", lead)
    seq = tender.amendments.count() + 1
    amendment = Amendment.objects.create(tender=tender, seq=seq, summary=summary, affects_bids=affects, prequal=True,
                                         old_deadline=old, new_deadline=deadline, created_at=clock.now(),
                                         created_by=user)
    if new_deadline is not None:
        tender.prequal_deadline = new_deadline
        tender.save(update_fields=["prequal_deadline"])
    common.event_record(tender=tender, action="amend", actor=user, note=summary,
                        data={"seq": seq, "prequal": True, "affects_bids": affects, "old_deadline": old.isoformat(),
                              "new_deadline": deadline.isoformat()})
    release_emit(project=project, tags=["tenderAmendment"])
    return amendment


PREQUAL_FEW_REASON = "通过资格预审的申请人少于3个，依法重新招标（招标投标法实施条例第十九条）"


def prequal_result(*, tender, user, passed) -> Tender:
    """资格预审结果 after the applications' deadline: the applicants that passed (each one that obtained the
    资格预审文件) become the round's invitees, the only ones who may obtain the 招标文件 and bid; fewer than
    3 → the round fails and is re-tendered (实施条例第十九条). Neither the names nor the number are written to
    the event log (招标投标法第二十二条)."""
    passed = list(dict.fromkeys(passed))
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "prequal_result", user)
        if tender.prequal_result_at is not None:
            raise DomainError("trading_prequal_done", "资格预审结果已确定")
        now = clock.now()
        if now < tender.prequal_deadline:
            raise DomainError("trading_prequal_early", "资格预审申请文件提交截止时间未到，不能确定资格预审结果")
        obtained = set(DocumentObtain.objects.filter(tender=tender).values_list("bidder_id", flat=True))
        strangers = [p.name for p in passed if p.pk not in obtained]
        if strangers:
            raise DomainError("trading_prequal_applicant", f"{'、'.join(strangers)}未获取资格预审文件，不能通过资格预审")
        if len(passed) < 3:
            return round_fail(tender=tender, actor=user, reason=PREQUAL_FEW_REASON)
        tender.invitees.set(passed)
        tender.prequal_result_at = now
        tender.save(update_fields=["prequal_result_at"])
        common.event_record(tender=tender, action="prequal_result", actor=user,
                            note="资格预审结果已确定，已向资格预审申请人发出资格预审结果通知书")
    return tender


def tender_obtain(*, tender, user, bidder) -> DocumentObtain:
    """获取招标文件 by a bidder's representative while the documents are on sale (invitees only in 邀请招标).
    In a round with 资格预审 the same row registers the 资格预审文件 while they are on sale; the 招标文件 then
    go only to those who passed (the round's invitees), who need not register again. Only the row is written: who obtained them stays secret until the opening (招标投标法第二十二条)."""
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "obtain", user)
        if not bidder.is_bidder or not bidder.members.filter(pk=user.pk).exists():
            raise PermissionDenied(f"您不是{bidder.name}的经办人")
        now = clock.now()
        if tender.status == TenderStatus.PREQUAL:
            if not tender.prequal_from <= now <= tender.prequal_until:
                raise common.refuse("trading_obtain_period", "T2", "不在资格预审文件发售期内")
        elif not tender.documents_from <= now <= tender.documents_until:
            raise DomainError("trading_obtain_period", "不在招标文件发售（提供）期内")
        elif tender.prequalification and not tender.invitees.filter(pk=bidder.pk).exists():
            raise common.refuse("trading_not_invited", "PQ19", "只有通过资格预审的申请人可以获取招标文件")
        elif tender.method == Method.INVITED and not tender.invitees.filter(pk=bidder.pk).exists():
            raise DomainError("trading_not_invited", "邀请招标只有受邀单位可以获取招标文件")
        obtain, _ = DocumentObtain.objects.get_or_create(tender=tender, bidder=bidder, defaults={"obtained_at": now})
    return obtain


def tender_amend(*, tender, user, summary, affects_bids, new_deadline=None) -> Amendment:
    """澄清/修改. One that may affect bid preparation needs ≥ 15 日 to the (new) deadline (T4/G3): less is
    refused unless the same action postpones the deadline far enough. The deadline may always be
    postponed, never brought forward. During 资格预审 it is a clarification of the 资格预审文件 and the
    deadline is the applications' (3 日, ``_prequal_amend``). Release ``tenderAmendment``."""
    summary = common.required_text(summary, "trading_amend_summary", "请填写澄清/修改内容")
    if new_deadline is not None:
        new_deadline = _aware(new_deadline, "新的投标截止时间")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "amend", user)
        if tender.status == TenderStatus.PREQUAL:
            return _prequal_amend(tender, user=user, summary=summary, affects=bool(affects_bids),
                                  new_deadline=new_deadline)
        project = tender.project
        key = "T4" if _engineering(project) else "G3"
        today = clock.today()
        old = tender.bid_deadline
        if new_deadline is not None and new_deadline <= old:
            raise DomainError("trading_amend_deadline", "新的投标截止时间须晚于原投标截止时间（只能顺延）")
        if clock.now() >= old:
            raise DomainError("trading_amend_late", "投标截止时间已过，不能再澄清/修改")
        deadline = new_deadline or old
        if affects_bids:
            due = common.calendar_due(today, 15, region=project.region)
            if common.local_date(deadline) < due:
                lead = (f"距投标截止不足15日，须同时将投标截止时间顺延至{due:%Y年%m月%d日}或以后" if new_deadline is None
                        else f"顺延后的投标截止时间须不早于{due:%Y年%m月%d日}")
                raise common.refuse("trading_amend_period", key, lead)
        seq = tender.amendments.count() + 1
        amendment = Amendment.objects.create(tender=tender, seq=seq, summary=summary, affects_bids=bool(affects_bids),
                                             old_deadline=old, new_deadline=deadline, created_at=clock.now(),
                                             created_by=user)
        if new_deadline is not None:
            tender.bid_deadline = new_deadline
            tender.save(update_fields=["bid_deadline"])
        common.event_record(tender=tender, action="amend", actor=user, note=summary,
                            data={"seq": seq, "affects_bids": bool(affects_bids), "old_deadline": old.isoformat(),
                                  "new_deadline": deadline.isoformat()})
        release_emit(project=project, tags=["tenderAmendment"])
    return amendment


# -- objections --------------------------------------------------------------------------------------------


def objection_raise(*, tender, user, bidder, stage, text) -> Objection:
    """异议/质疑 by a bidder: the round pauses until it is answered (实施条例第二十二、五十四条; 采购条例第五十四条);
    answer due in 3 日 (engineering) or 7 工作日 (procurement), a trading_objection clock per objection.
    On the documents: while bidding (engineering: ≥ 10 日 before the deadline); on the opening: during it;
    on the results: only during the 公示 (T9)."""
    text = common.required_text(text, "trading_objection_text", "请填写异议内容")
    if stage not in ObjectionStage.values:
        raise DomainError("trading_objection_stage", "请选择异议对象")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "object", user)
        if not bidder.is_bidder or not bidder.members.filter(pk=user.pk).exists():
            raise PermissionDenied(f"您不是{bidder.name}的经办人")
        project = tender.project
        engineering = _engineering(project)
        today = clock.today()
        if stage == ObjectionStage.DOCUMENTS and tender.status == TenderStatus.PREQUAL:
            # 资格预审文件: at least 2 日 before the applications' deadline (实施条例第二十二条).
            due = common.calendar_due(today, 2, region=project.region)
            if clock.now() >= tender.prequal_deadline or common.local_date(tender.prequal_deadline) < due:
                raise common.refuse("trading_objection_late", "T5P")
        elif stage == ObjectionStage.DOCUMENTS:
            if tender.status != TenderStatus.PUBLISHED:
                raise DomainError("trading_objection_stage", "投标截止后不能再对招标文件提出异议")
            if engineering and common.local_date(tender.bid_deadline) < common.calendar_due(today, 10,
                                                                                          region=project.region):
                raise DomainError("trading_objection_late", OBJECTION_DOCS_TEXT)
        elif stage == ObjectionStage.OPENING:
            if tender.status != TenderStatus.OPENING:
                raise DomainError("trading_objection_stage", "对开标的异议应当在开标现场提出")
        else:
            if tender.status != TenderStatus.PUBLICITY or tender.publicity_ends_on is None \
                    or today > tender.publicity_ends_on:
                raise common.refuse("trading_objection_stage", "T9" if engineering else "G8",
                                    "对评标结果的异议应当在中标候选人公示期间提出")
        due = (common.calendar_due(today, 3, region=project.region) if engineering
               else common.workday_due(today, 7, region=project.region))
        objection = Objection.objects.create(tender=tender, stage=stage, raised_by=bidder, text=text,
                                             raised_at=clock.now(), answer_due=due)
        if not tender.paused:
            tender.paused = True
            tender.save(update_fields=["paused"])
        _clock_start(tender, kinds.OBJECTION, due, part=objection.pk,
                     part_name=("异议答复" if engineering else "质疑答复"))
        common.event_record(tender=tender, action="object", actor=user, note=objection.get_stage_display(),
                            data={"objection": objection.pk, "stage": stage, "answer_due": due.isoformat()})
    return objection


def objection_answer(*, objection, user, answer, upheld=False) -> Objection:
    """答复异议/质疑: finishes its clock; the round goes on when no other objection is open."""
    answer = common.required_text(answer, "trading_answer_text", "请填写答复内容")
    with transaction.atomic():
        tender = common.tender_lock(objection.tender_id)
        common.transition_check(tender, "answer", user)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise DomainError("trading_answered", "该异议已答复")
        objection.answer, objection.answered_at = answer, clock.now()
        objection.upheld, objection.status = bool(upheld), ObjectionStatus.ANSWERED
        objection.save(update_fields=["answer", "answered_at", "upheld", "status"])
        if tender.paused and not tender.objections.filter(status=ObjectionStatus.OPEN).exists():
            tender.paused = False
            tender.save(update_fields=["paused"])
        _clock_finish(tender, kinds.OBJECTION, "异议/质疑已答复", part=objection.pk)
        common.event_record(tender=tender, action="answer", actor=user, note=answer,
                            data={"objection": objection.pk, "upheld": bool(upheld)})
    return objection


# -- evaluation to award -----------------------------------------------------------------------------------


def report_received(*, tender, at=None) -> Tender:
    """INTERNAL (experts.report_sign, when the last member signs): the 评标报告 is received. Starts the
    clock to publish the candidates (engineering, 3 日, T9) or to fix the winner (procurement, 5 工作日, G5)."""
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        project = tender.project
        if tender.report_at is not None:
            raise DomainError("trading_report_received", "已收到本轮评标报告")
        at = at or clock.now()
        tender.report_at = at
        tender.save(update_fields=["report_at"])
        day = common.local_date(at)
        if _engineering(project):
            _clock_start(tender, kinds.CANDIDATES, common.calendar_due(day, 3, region=project.region), started_on=day)
        else:
            _clock_start(tender, kinds.AWARD, common.workday_due(day, 5, region=project.region), started_on=day)
        common.event_record(tender=tender, action="report_received", note="评标报告已由全体成员签署并提交", at=at)
    return tender


def candidates_publish(*, tender, user, publicity_days=3) -> Tender:
    """中标候选人公示 for ``publicity_days`` 日 (at least 3, T9), from today; release ``award`` (pending)."""
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "publish_candidates", user)
        project = tender.project
        if int(publicity_days) < 3:
            raise common.refuse("trading_publicity", "T9", f"公示期{int(publicity_days)}日少于3日")
        if tender.report_at is None or not tender.candidates.exists():
            raise DomainError("trading_no_candidates", "评标报告尚未提交或没有中标候选人")
        today = clock.today()
        tender.candidates_published_on = today
        tender.publicity_ends_on = common.calendar_due(today, int(publicity_days), region=project.region)
        tender.status = target
        tender.save(update_fields=["candidates_published_on", "publicity_ends_on", "status"])
        _clock_finish(tender, kinds.CANDIDATES, "中标候选人已公示")
        common.event_record(tender=tender, action="publish_candidates", actor=user,
                            note=f"公示至{tender.publicity_ends_on:%Y年%m月%d日}",
                            data={"publicity_days": int(publicity_days),
                                  "publicity_ends_on": tender.publicity_ends_on.isoformat()})
        release_emit(project=project, tags=["award"])
    return tender


def tender_award(*, tender, user, rank=1, not_first_reason="") -> Award:
    """定标 and the 中标通知书, after the 公示 has ended with no open objection. State-controlled projects
    (and procurement, in ranking order) take the first-ranked candidate unless a listed reason is
    recorded (实施条例第五十五条; 采购条例第四十三条). Starts the 30 日 contract clock (T11) and, for
    engineering, the 15 日 report clock (T14); procurement's losers get their refunds due in 5 工作日 (G4) and
    the result 公告 is due in 2 工作日 (G5, ``result_notice_publish``)."""
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "award", user)
        project = tender.project
        engineering = _engineering(project)
        today = clock.today()
        if tender.publicity_ends_on is None or today <= tender.publicity_ends_on:
            raise common.refuse("trading_publicity_running", "T9",
                                f"中标候选人公示至{tender.publicity_ends_on:%Y年%m月%d日}，公示期满后方可定标"
                                if tender.publicity_ends_on else "中标候选人尚未公示")
        if tender.objections.filter(status=ObjectionStatus.OPEN).exists():
            raise common.refuse("trading_paused", "T5" if engineering else "G8", "尚有未答复的异议/质疑，不能定标")
        candidate = Candidate.objects.select_related("bid__bidder").filter(tender=tender, rank=rank).first()
        if candidate is None:
            raise DomainError("trading_candidate", f"没有排名第{rank}的中标候选人")
        reason = not_first_reason or ""
        if rank == 1:
            reason = ""
        elif project.state_controlled or not engineering:
            if reason not in NotFirstReason.values:
                raise common.refuse("trading_first", "FIRST" if engineering else "G5",
                                    f"确定排名第{rank}的候选人须载明法定理由："
                                    + "、".join(str(label) for label in NotFirstReason.labels))
        elif reason and reason not in NotFirstReason.values:
            raise DomainError("trading_first_reason", "未确定排名第一的理由不在法定情形之列")
        bid = candidate.bid
        if bid.price is None:
            raise DomainError("trading_price", "中标候选人的投标报价未解密，不能定标")
        now = clock.now()
        award = Award.objects.create(tender=tender, bid=bid, supplier=bid.bidder, amount=bid.price,
                                     status=AwardStatus.ACTIVE, not_first_reason=reason, decided_at=now,
                                     notice_no=f"ZBTZ-{project.code}-{tender.round}")
        tender.status, tender.awarded_at, tender.notice_issued_on = target, now, today
        tender.save(update_fields=["status", "awarded_at", "notice_issued_on"])
        _clock_finish(tender, kinds.AWARD, "已确定中标（成交）供应商")
        _clock_start(tender, kinds.CONTRACT, common.calendar_due(today, 30, region=project.region))
        if engineering:
            _clock_start(tender, kinds.REPORT, common.calendar_due(today, 15, region=project.region))
        else:
            _refunds_create(tender, _bidders(tender, exclude_id=bid.bidder_id),
                            common.workday_due(today, 5, region=project.region))
            _clock_start(tender, kinds.RESULT_NOTICE, common.workday_due(today, 2, region=project.region))
        common.event_record(tender=tender, action="award", actor=user, note=f"{bid.bidder.name} {award.notice_no}",
                            data={"award": award.pk, "rank": rank, "supplier": bid.bidder_id,
                                  "amount": str(award.amount), "not_first_reason": reason})
        release_emit(project=project, tags=["award"])
    return award


# -- contract, refunds, implementation ---------------------------------------------------------------------


def contract_sign(*, tender, user, contract_no, amount, signed_on, performance_bond=0, period_end=None) -> Contract:
    """书面合同 (T11): 履约保证金 ≤ 10 % (T13); finishes the contract clock; deposits refunded to everyone
    left within 5 日 of signing (T12) or to the winner within 5 工作日 (G4); in procurement the contract is
    due to be published in 2 工作日 and filed in 7 工作日 (G6, ``contract_publish``, ``contract_file``);
    release ``contract``."""
    contract_no = common.required_text(contract_no, "trading_contract_no", "请填写合同编号")
    amount = _money(amount, "合同金额")
    bond = _money(performance_bond, "履约保证金")
    if amount <= 0:
        raise DomainError("trading_contract_amount", "合同金额须大于零")
    if bond < 0:
        raise DomainError("trading_bond", "履约保证金不能为负数")
    if not isinstance(signed_on, dt.date) or isinstance(signed_on, dt.datetime):
        raise DomainError("trading_signed_on", "请填写合同签订日期")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "sign_contract", user)
        project = tender.project
        engineering = _engineering(project)
        limit = (amount * Decimal("0.10")).quantize(Decimal("0.01"))
        if bond > limit:
            raise common.refuse("trading_bond", "T13", f"履约保证金{bond}元超过合同金额的10%（{limit}元）")
        if signed_on > clock.today() or (tender.notice_issued_on and signed_on < tender.notice_issued_on):
            raise DomainError("trading_signed_on", "合同签订日期须在中标通知书发出之日至今天之间")
        if period_end is not None and period_end < signed_on:
            raise DomainError("trading_period_end", "履约期限不能早于签订日期")
        award = tender.awards.filter(status=AwardStatus.ACTIVE).select_related("supplier").first()
        if award is None:
            raise DomainError("trading_award", "尚未定标，不能签订合同")
        contract = Contract.objects.create(tender=tender, award=award, contract_no=contract_no[:40], amount=amount,
                                           performance_bond=bond, signed_on=signed_on, period_end=period_end,
                                           status=ContractStatus.ACTIVE)
        tender.status = target
        tender.save(update_fields=["status"])
        project.status = ProjectStatus.CONTRACTED
        project.save(update_fields=["status"])
        _clock_finish(tender, kinds.CONTRACT, "合同已签订")
        if engineering:
            _refunds_create(tender, _bidders(tender), common.calendar_due(signed_on, 5, region=project.region),
                            started_on=signed_on)
        else:
            _refunds_create(tender, [award.supplier], common.workday_due(signed_on, 5, region=project.region),
                            started_on=signed_on)
            # G6: the contract is published within 2 工作日 and its copy filed within 7 工作日 of signing.
            _clock_start(tender, kinds.CONTRACT_PUBLISH, common.workday_due(signed_on, 2, region=project.region),
                         started_on=signed_on)
            _clock_start(tender, kinds.CONTRACT_FILE, common.workday_due(signed_on, 7, region=project.region),
                         started_on=signed_on)
        common.event_record(tender=tender, action="sign_contract", actor=user, note=contract_no,
                            data={"contract": contract.pk, "amount": str(amount), "performance_bond": str(bond),
                                  "signed_on": signed_on.isoformat()})
        release_emit(project=project, tags=["contract"])
    return contract


def _procurement_step(tender_id: int, user, action: str) -> Tender:
    """Lock the round, check ``action`` and that it is a procurement round (G5/G6 are 政府采购 rules)."""
    tender = common.tender_lock(tender_id)
    common.transition_check(tender, action, user)
    if _engineering(tender.project):
        article = {"result_notice": "G5N", "publish_contract": "G6P", "file_contract": "G6F"}[action]
        raise common.refuse("trading_regime", article, "该期限只适用于政府采购项目，工程建设项目不适用")
    return tender


def result_notice_publish(*, tender, user) -> Tender:
    """中标（成交）结果公告 with the 中标/成交通知书 (G5, 采购条例第四十三条): records the day it was published
    and finishes its 2-工作日 clock (late is counted late, not refused: the clock's card shows it)."""
    with transaction.atomic():
        tender = _procurement_step(tender.pk, user, "result_notice")
        if tender.result_notice_on is not None:
            raise DomainError("trading_result_notice_done", "中标（成交）结果已公告")
        today = clock.today()
        tender.result_notice_on = today
        tender.save(update_fields=["result_notice_on"])
        _clock_finish(tender, kinds.RESULT_NOTICE, "中标（成交）结果已公告")
        common.event_record(tender=tender, action="result_notice", actor=user,
                            note=f"中标（成交）结果已于{today:%Y年%m月%d日}在指定媒体公告",
                            data={"on": today.isoformat()})
    return tender


def contract_publish(*, tender, user) -> Contract:
    """政府采购合同公告 (G6, 采购条例第五十条): records the day and finishes the 2-工作日 clock."""
    return _contract_step(tender, user, action="publish_contract", field="published_on",
                          kind=kinds.CONTRACT_PUBLISH, code="trading_contract_published", done="政府采购合同已公告")


def contract_file(*, tender, user) -> Contract:
    """合同副本备案 with the 政府采购监督管理部门 (G6, 政府采购法第四十七条): records the day and finishes the
    7-工作日 clock."""
    return _contract_step(tender, user, action="file_contract", field="filed_on",
                          kind=kinds.CONTRACT_FILE, code="trading_contract_filed", done="政府采购合同已备案")


def _contract_step(tender, user, *, action: str, field: str, kind, code: str, done: str) -> Contract:
    """One dated step after a procurement contract (公告, 备案): once, its day recorded, its clock finished."""
    with transaction.atomic():
        tender = _procurement_step(tender.pk, user, action)
        contract = Contract.objects.select_for_update().get(tender=tender)
        if getattr(contract, field) is not None:
            raise DomainError(code, done)
        setattr(contract, field, clock.today())
        contract.save(update_fields=[field])
        _clock_finish(tender, kind, done)
        common.event_record(tender=tender, action=action, actor=user, note=contract.contract_no,
                            data={"contract": contract.pk, "on": getattr(contract, field).isoformat()})
    return contract


def refund_record(*, refund, user, refunded_on, interest=0) -> Refund:
    """投标保证金 returned (with bank interest, 实施条例第五十七条); finishes its clock."""
    interest = _money(interest, "利息")
    if interest < 0:
        raise DomainError("trading_interest", "利息不能为负数")
    with transaction.atomic():
        tender = common.tender_lock(refund.tender_id)
        common.transition_check(tender, "refund", user)
        refund = Refund.objects.select_for_update().select_related("bidder").get(pk=refund.pk)
        if refund.refunded_on is not None or refund.kept:
            raise DomainError("trading_refund_done", "该保证金已处理")
        if refunded_on > clock.today():
            raise DomainError("trading_refunded_on", "退还日期不能晚于今天")
        refund.refunded_on, refund.interest = refunded_on, interest
        refund.save(update_fields=["refunded_on", "interest"])
        _clock_finish(tender, kinds.REFUND, "投标保证金已退还", part=refund.pk)
        common.event_record(tender=tender, action="refund", actor=user, note=refund.bidder.name,
                            data={"refund": refund.pk, "amount": str(refund.amount), "interest": str(interest),
                                  "refunded_on": refunded_on.isoformat()})
    return refund


def refund_keep(*, refund, user, reason) -> Refund:
    """依法不予退还 (e.g. a bid withdrawn after the deadline or left undecrypted, 实施条例第三十五条)."""
    reason = common.required_text(reason, "trading_keep_reason", "请填写不予退还的依据")
    with transaction.atomic():
        tender = common.tender_lock(refund.tender_id)
        common.transition_check(tender, "refund", user)
        refund = Refund.objects.select_for_update().select_related("bidder").get(pk=refund.pk)
        if refund.refunded_on is not None or refund.kept:
            raise DomainError("trading_refund_done", "该保证金已处理")
        refund.kept, refund.kept_reason = True, reason[:200]
        refund.save(update_fields=["kept", "kept_reason"])
        _clock_finish(tender, kinds.REFUND, "依法不予退还", part=refund.pk, counts=False)
        common.event_record(tender=tender, action="refund", actor=user, note=f"不予退还：{refund.bidder.name}",
                            data={"refund": refund.pk, "kept": True, "reason": reason[:200]})
    return refund


def payment_record(*, contract, user, paid_on, amount, note="") -> Payment:
    """A payment under the contract (OCDS implementation transaction); the total stays within the amount."""
    amount = _money(amount, "支付金额")
    if amount <= 0:
        raise DomainError("trading_payment", "支付金额须大于零")
    with transaction.atomic():
        tender = common.tender_lock(contract.tender_id)
        common.transition_check(tender, "pay", user)
        contract = Contract.objects.get(pk=contract.pk)
        if paid_on < contract.signed_on or paid_on > clock.today():
            raise DomainError("trading_paid_on", "支付日期须在合同签订日至今天之间")
        paid = contract.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if paid + amount > contract.amount:
            raise DomainError("trading_payment", f"累计支付{paid + amount}元超过合同金额{contract.amount}元")
        payment = Payment.objects.create(contract=contract, paid_on=paid_on, amount=amount, note=(note or "")[:200])
        common.event_record(tender=tender, action="pay", actor=user, note=note,
                            data={"payment": payment.pk, "amount": str(amount), "paid_on": paid_on.isoformat()})
        release_emit(project=tender.project, tags=["implementation"])
    return payment


def contract_accept(*, contract, user, accepted_on, note="") -> Contract:
    """履约验收: the contract, the round and the project are completed."""
    with transaction.atomic():
        tender = common.tender_lock(contract.tender_id)
        target = common.transition_check(tender, "accept", user)
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if accepted_on < contract.signed_on or accepted_on > clock.today():
            raise DomainError("trading_accepted_on", "验收日期须在合同签订日至今天之间")
        contract.status, contract.accepted_on, contract.acceptance_note = (ContractStatus.COMPLETED, accepted_on,
                                                                           (note or "")[:500])
        contract.save(update_fields=["status", "accepted_on", "acceptance_note"])
        tender.status = target
        tender.save(update_fields=["status"])
        project = tender.project
        project.status = ProjectStatus.COMPLETED
        project.save(update_fields=["status"])
        common.event_record(tender=tender, action="accept", actor=user, note=note,
                            data={"contract": contract.pk, "accepted_on": accepted_on.isoformat()})
        release_emit(project=project, tags=["implementation", "contractUpdate"])
    return contract


def report_file(*, tender, user) -> Tender:
    """招标投标情况书面报告 filed with the 行政监督部门 (T14, engineering): finishes the report clock."""
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        _actor_check(user, tender, (AGENCY,), "提交书面报告")
        if tender.status not in (TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED):
            raise DomainError("trading_status", f"项目当前状态为“{tender.get_status_display()}”，不能提交书面报告")
        if sv.open_started_on(subject=common.subject(tender), kind=kinds.REPORT.code) is None:
            raise DomainError("trading_report_filed", "书面报告已提交或无需提交")
        _clock_finish(tender, kinds.REPORT, "书面报告已提交")
        common.event_record(tender=tender, action="report_file", actor=user, note="招标投标情况书面报告已提交行政监督部门")
    return tender


# -- failure and cancellation ------------------------------------------------------------------------------

RUNNING_KINDS = (kinds.OBJECTION, kinds.CANDIDATES, kinds.AWARD)


def _round_end(tender: Tender, *, status: str, reason: str, ended: str) -> None:
    """Ends the round: its running clocks end uncounted, the deposits collected are refunded within
    5 日 / 5 工作日 (实施条例第三十一条: with interest)."""
    project = tender.project
    today = clock.today()
    tender.status, tender.failure_reason, tender.paused = status, reason[:500], False
    tender.save(update_fields=["status", "failure_reason", "paused"])
    sv.clock_finish(subject=common.subject(tender), kind=tuple(k.code for k in RUNNING_KINDS), reason=ended,
                    counts=False)
    due = (common.calendar_due(today, 5, region=project.region) if _engineering(project)
           else common.workday_due(today, 5, region=project.region))
    _refunds_create(tender, _bidders(tender), due)


def round_fail(*, tender, actor, reason) -> Tender:
    """INTERNAL (opening with < 3 bids, < 3 responsive, or ``tender_fail``): 流标/废标 — no permission check.
    Release ``tenderUpdate`` (OCDS tender.status unsuccessful)."""
    reason = (reason or "").strip() or "流标/废标"
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        if tender.status not in (TenderStatus.PREQUAL, TenderStatus.PUBLISHED, TenderStatus.OPENING,
                                 TenderStatus.EVALUATING, TenderStatus.PUBLICITY):
            raise DomainError("trading_status", f"项目当前状态为“{tender.get_status_display()}”，不能流标/废标")
        _round_end(tender, status=TenderStatus.FAILED, reason=reason, ended="本轮流标/废标")
        common.event_record(tender=tender, action="fail", actor=actor, note=reason)
        release_emit(project=tender.project, tags=["tenderUpdate"])
    return tender


def tender_fail(*, tender, user, reason) -> Tender:
    """流标/废标 declared by the agency or the centre."""
    reason = common.required_text(reason, "trading_fail_reason", "请填写流标/废标原因")
    with transaction.atomic():
        locked = common.tender_lock(tender.pk)
        common.transition_check(locked, "fail", user)
        return round_fail(tender=locked, actor=user, reason=reason)


def tender_cancel(*, tender, user, reason) -> Tender:
    """终止招标 (实施条例第三十一条): public notice, deposits refunded with interest; the project ends.
    Release ``tenderCancellation``."""
    reason = common.required_text(reason, "trading_cancel_reason", "请填写终止招标的原因")
    with transaction.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "cancel", user)
        _round_end(tender, status=target, reason=reason, ended="招标已终止")
        project = tender.project
        project.status = ProjectStatus.CANCELLED
        project.save(update_fields=["status"])
        common.event_record(tender=tender, action="cancel", actor=user, note=reason)
        release_emit(project=project, tags=["tenderCancellation"])
    return tender

