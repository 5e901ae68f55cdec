"""After the selection: the agency confirms or declines, the contract is registered, the service runs (with
extensions agreed by the owner), the result is delivered and the owner rates it; or the service is terminated.

Supervised clocks (``intermediary/clocks.py``; department = the service's 行业主管部门 unless said):
CONFIRM (selection → confirm/decline, ``policy.confirm_workdays``), CONTRACT (confirm → registration,
``policy.contract_workdays``), SERVICE (registration → delivery, due = the contract's service end, moved by an
agreed extension), RATING (delivery → rating, only for a government owner, department = the owner's,
``policy.rating_workdays``). A terminated purchase ends its clocks uncounted.

Credit (``rules.credit_event_record``): declining after selection → ``decline_after_selection``; delivering
after the service end → ``late_delivery``; a rating under 60 → ``poor_rating``.
A REVIEW-stage case link stops the case's clock when the contract is registered and restarts it on delivery
or termination (``caselink``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.uploads import check_upload
from zhengwu.supervision.clocks import clock_move

from .. import clocks as kinds
from ..models import (
    Contract,
    Extension,
    ExtensionState,
    OwnerKind,
    PriceMode,
    Purchase,
    Rating,
    SignupStatus,
)
from . import caselink, common
from .purchases import a_date, finish_clock, integer, money, start_clock, text
from .rules import credit_event_record

__all__ = [
    "contract_register", "extension_decide", "extension_request", "purchase_confirm", "purchase_decline",
    "purchase_terminate", "rating_create", "result_deliver",
]

CONTRACT_TYPES = ("pdf", "ofd", "jpg", "jpeg", "png")
RESULT_TYPES = ("pdf", "ofd", "docx", "doc", "xlsx", "xls")
POOR_RATING = Decimal("60")


def purchase_confirm(*, purchase_id: int, user) -> Purchase:
    """中选机构确认: the CONFIRM clock ends, the CONTRACT clock starts."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "confirm", user)
        now = clock.now()
        p.status, p.confirmed_at = target, now
        p.save(update_fields=["status", "confirmed_at"])
        finish_clock(p, kinds.CONFIRM, "中选机构已确认")
        policy = common.policy_for(p.region)
        start_clock(p, kinds.CONTRACT, common.workday_due(clock.today(), policy.contract_workdays, region=p.region))
        common.event_record(purchase=p, agency=p.selected.agency, action="confirm", actor=user,
                            note=p.selected.agency.name, at=now)
    return p


def purchase_decline(*, purchase_id: int, user, reason) -> Purchase:
    """中选机构放弃 with its reason: 流标 (the owner may republish) and a credit record against the agency."""
    reason = text(reason, "放弃理由", code="intermediary_reason", limit=250)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "decline", user)
        winner = p.selected
        winner.status = SignupStatus.DECLINED
        winner.save(update_fields=["status"])
        p.status, p.status_reason = target, f"中选机构{winner.agency.name}放弃：{reason}"[:300]
        p.save(update_fields=["status", "status_reason"])
        finish_clock(p, kinds.CONFIRM, "中选机构已放弃")
        credit_event_record(agency=winner.agency, rule_code="decline_after_selection", purchase=p,
                            note=f"采购项目{p.code}中选后放弃：{reason}")
        common.event_record(purchase=p, agency=winner.agency, action="decline", actor=user, note=reason)
    return p


def _amount_cap(p: Purchase) -> tuple[Decimal | None, str]:
    """The most the contract may say: the winning quote, else the purchase's price ceiling."""
    s = p.selected
    if p.price_mode == PriceMode.FIXED:
        return p.price_fixed, f"固定价格{p.price_fixed}元"
    if p.price_mode == PriceMode.DISCOUNT:
        if s.discount is not None:
            cap = (p.base_amount * (Decimal(100) - s.discount) / Decimal(100)).quantize(Decimal("0.01"))
            return cap, f"中选下浮率{s.discount}%对应的金额{cap}元"
        return p.base_amount, f"下浮基数{p.base_amount}元"
    if s.quote is not None:
        return s.quote, f"中选报价{s.quote}元"
    return p.price_max, f"最高限价{p.price_max}元"


def contract_register(*, purchase_id: int, user, amount, signed_on, service_start, file=None) -> Contract:
    """登记合同 by the owner: the amount within the selection's price, the service end = ``service_days`` 工作日
    from the start; the SERVICE clock starts (and a REVIEW-stage case's clock stops)."""
    amount = money(amount, "合同金额", code="intermediary_contract_amount", required=True)
    signed_on = a_date(signed_on, "合同签订日期")
    service_start = a_date(service_start, "服务开始日期")
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "register_contract", user)
        today = clock.today()
        if amount <= 0:
            raise DomainError("intermediary_contract_amount", "合同金额须大于零")
        cap, what = _amount_cap(p)
        if p.price_mode == PriceMode.FIXED and amount != cap:
            raise DomainError("intermediary_contract_amount", f"合同金额{amount}元与采购公告的{what}不一致")
        if cap is not None and amount > cap:
            raise DomainError("intermediary_contract_amount", f"合同金额{amount}元超过{what}")
        if p.price_min is not None and amount < p.price_min:
            raise DomainError("intermediary_contract_amount", f"合同金额{amount}元低于最低限价{p.price_min}元")
        if signed_on > today:
            raise DomainError("intermediary_contract_date", "合同签订日期不能晚于今天")
        if p.confirmed_at and signed_on < common.local_date(p.confirmed_at):
            raise DomainError("intermediary_contract_date", "合同签订日期不能早于中选机构确认日期")
        if service_start < signed_on:
            raise DomainError("intermediary_contract_date", "服务开始日期不能早于合同签订日期")
        if file:
            check_upload(file, allowed_types=CONTRACT_TYPES)
        service_end = common.workday_due(service_start, p.service_days, region=p.region)
        now = clock.now()
        contract = Contract(purchase=p, amount=amount, signed_on=signed_on, service_start=service_start,
                            service_end=service_end, registered_at=now)
        if file:
            contract.file = file
        contract.save()
        p.status = target
        p.save(update_fields=["status"])
        finish_clock(p, kinds.CONTRACT, "合同已登记")
        start_clock(p, kinds.SERVICE, service_end)
        note = caselink.case_service_started(purchase=p, user=user, service_end=service_end)
        common.event_record(purchase=p, action="register_contract", actor=user,
                            note="；".join(x for x in (f"合同金额{amount}元，服务期限至{service_end:%Y年%m月%d日}", note) if x),
                            data={"amount": str(amount), "service_end": service_end.isoformat()}, at=now)
    return contract


def extension_request(*, purchase_id: int, user, days, reason) -> Extension:
    """申请延期 by the agency before the service end (one pending request at a time)."""
    reason = text(reason, "延期理由", code="intermediary_reason", limit=300)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "request_extension", user)
        days = integer(days, "延长工作日", code="intermediary_extension_days", lo=1, hi=p.service.time_limit)
        contract = p.contract
        if clock.today() > contract.service_end:
            raise DomainError("intermediary_extension_late",
                              f"服务期限已于{contract.service_end:%Y年%m月%d日}届满，不能再申请延期")
        if Extension.objects.filter(purchase=p, state=ExtensionState.PENDING).exists():
            raise DomainError("intermediary_extension_pending", "已有一项延期申请待业主决定")
        now = clock.now()
        e = Extension.objects.create(purchase=p, days=days, reason=reason, asked_at=now)
        common.event_record(purchase=p, agency=p.selected.agency, action="request_extension", actor=user,
                            note=f"申请延期{days}个工作日：{reason}", data={"days": days}, at=now)
    return e


def extension_decide(*, purchase_id: int, user, approve: bool) -> Extension:
    """业主同意/不同意延期; agreed, the service end and the SERVICE clock's due move."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "decide_extension", user)
        e = Extension.objects.select_for_update().filter(purchase=p, state=ExtensionState.PENDING).first()
        if e is None:
            raise DomainError("intermediary_no_extension", "没有待决定的延期申请")
        now = clock.now()
        e.decided_at = now
        if approve:
            contract = Contract.objects.select_for_update().get(purchase=p)
            e.new_end = common.workday_due(contract.service_end, e.days, region=p.region)
            e.state = ExtensionState.APPROVED
            contract.service_end = e.new_end
            contract.save(update_fields=["service_end"])
            clock_move(subject=common.purchase_subject(p), kind=kinds.SERVICE.code, due_date=e.new_end)
            note = f"同意延期{e.days}个工作日，服务期限延至{e.new_end:%Y年%m月%d日}"
        else:
            e.state = ExtensionState.REFUSED
            note = f"不同意延期{e.days}个工作日"
        e.save(update_fields=["state", "decided_at", "new_end"])
        common.event_record(purchase=p, action="decide_extension", actor=user, note=note,
                            data={"approve": bool(approve), "new_end": e.new_end.isoformat() if e.new_end else None},
                            at=now)
    return e


def result_deliver(*, purchase_id: int, user, result_file, note="") -> Purchase:
    """提交服务成果 by the agency: the SERVICE clock ends (late if past the service end, which also records
    ``late_delivery``); a government owner's RATING clock starts; a REVIEW-stage case's clock runs again."""
    note = text(note, "成果说明", code="intermediary_result_note", limit=300, required=False)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "deliver", user)
        if not result_file:
            raise DomainError("intermediary_result_file", "请上传服务成果文件")
        check_upload(result_file, allowed_types=RESULT_TYPES)
        now, today = clock.now(), clock.today()
        contract = p.contract
        late = today > contract.service_end
        p.result_file, p.result_note, p.delivered_at, p.status = result_file, note, now, target
        p.save(update_fields=["result_file", "result_note", "delivered_at", "status"])
        finish_clock(p, kinds.SERVICE, "已提交服务成果")
        agency = p.selected.agency
        if late:
            credit_event_record(agency=agency, rule_code="late_delivery", purchase=p,
                                note=f"采购项目{p.code}服务期限至{contract.service_end:%Y年%m月%d日}，"
                                     f"{today:%Y年%m月%d日}提交成果")
        if p.owner.kind == OwnerKind.GOVERNMENT:
            policy = common.policy_for(p.region)
            start_clock(p, kinds.RATING, common.workday_due(today, policy.rating_workdays, region=p.region),
                        department=p.owner.department_id)
        case_note = caselink.case_service_ended(purchase=p, user=user, result="中介服务成果已提交")
        common.event_record(purchase=p, agency=agency, action="deliver", actor=user,
                            note="；".join(x for x in (note, "逾期提交" if late else "", case_note) if x),
                            data={"late": late}, at=now)
    return p


def rating_create(*, purchase_id: int, user, quality, timeliness, price, attitude, comment="") -> Rating:
    """服务评价 by the owner, 1–5 on each count; a score under 60 records ``poor_rating``."""
    counts = {k: integer(v, label, code="intermediary_rating", lo=1, hi=5) for k, v, label in (
        ("quality", quality, "服务质量评分"), ("timeliness", timeliness, "服务时效评分"),
        ("price", price, "收费规范评分"), ("attitude", attitude, "服务态度评分"))}
    comment = text(comment, "评价意见", code="intermediary_rating", limit=500, required=False)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "rate", user)
        now = clock.now()
        agency = p.selected.agency
        late = common.local_date(p.delivered_at) > p.contract.service_end
        rating = Rating.objects.create(purchase=p, agency=agency, **counts, comment=comment, late=late, at=now)
        p.status = target
        p.save(update_fields=["status"])
        finish_clock(p, kinds.RATING, "已评价")
        if rating.score < POOR_RATING:
            credit_event_record(agency=agency, rule_code="poor_rating", purchase=p,
                                note=f"采购项目{p.code}服务评价{rating.score}分")
        common.event_record(purchase=p, agency=agency, action="rate", actor=user, note=comment,
                            data={**counts, "score": str(rating.score), "late": late}, at=now)
    return rating


def purchase_terminate(*, purchase_id: int, user, reason) -> Purchase:
    """中止服务 with the reason: every open clock ends uncounted; a case stopped for it runs again."""
    reason = text(reason, "中止原因", code="intermediary_reason", limit=300)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "terminate", user)
        p.status, p.status_reason = target, reason
        p.save(update_fields=["status", "status_reason"])
        finish_clock(p, None, "中介服务已中止", counts=False)
        case_note = caselink.case_service_ended(purchase=p, user=user, result=f"中介服务中止：{reason}")
        common.event_record(purchase=p, action="terminate", actor=user,
                            note="；".join(x for x in (reason, case_note) if x))
    return p
