"""Information requests (依申请公开), one function per action, each one transaction.

The clock (条例第三十条至第三十三条; REFERENCE §6), every date from the working-day engine:

- 收到申请之日 by channel (第三十一条): in person the day it is handed in; post the day signed for;
  plain letter, internet and fax the day both sides confirm (``request_confirm_receipt``). Paper
  requests, confirmations and written 补正 keep their real dates when typed in later: such a
  date needs a written reason and writes an audit row (``backdate_days`` bounds how far back).
- 补正 told once, within 7 working days of receipt, with a reasonable period; the reply period
  then runs from the day the completed request is received. Not completed in time: abandoned; a
  written 补正 that did arrive in time but is typed in after that puts the request back.
- 征求第三方意见 (第三十二条) and 征求其他机关意见 (第三十四条): 15 working days for the opinion from the
  day the other side receives the 征求意见书 (recorded when known); the days from sending to the
  opinion (or to the end of the 15 days) are not counted (第三十三条第二款). A third party's silence
  leaves the decision to the body; an agency's counts as consent. A letter that cannot be delivered to
  the third party ends the consultation: its 15 days never began, it gave no opinion, the body decides.
- Reply within 20 working days; the head of the disclosure office may extend by up to 20.
- 信息处理费: one method per request (按件 or 按量); from the fee notice to payment the clock
  stops; unpaid after 20 working days: abandoned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_id_number, validate_phone, validate_uscc
from zhengwu.org.models import Staff
from zhengwu.workdays import engine

from .. import clocks as gk_clocks
from .. import reference as ref
from ..models import (
    Appeal,
    ApplicantKind,
    Body,
    BodyMember,
    Channel,
    ClockStop,
    Consultation,
    Extension,
    FeeWaiverReason,
    InfoRequest,
    ReqStatus,
    RequestAttachment,
    RequestEvent,
)
from ..models.requests import CONFIRMED_CHANNELS, OPEN_STATUSES
from ..policy import fee_amount, setting
from .common import (
    actor_fields,
    check_files,
    files_removed_on_failure,
    guarded_update,
    next_number,
    require_duty,
)

D = BodyMember.Duty
LABELS = dict(ReqStatus.choices)
#: results set only by ``request_abandon`` / ``request_withdraw``, never chosen in a reply
SYSTEM_RESULTS = {"other_no_supplement", "other_unpaid"}


@dataclass
class Applicant:
    kind: str
    name: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    legal_rep: str = ""
    legal_subkind: str = ""
    contact_name: str = ""
    address: str = ""
    postcode: str = ""
    email: str = ""


def clean_applicant(a: Applicant) -> dict:
    """Validate the applicant (条例第二十九条: name, proof of identity, contact) into model fields."""
    if a.kind not in ApplicantKind.values:
        raise DomainError("applicant_kind", "申请人类型应为自然人或法人或其他组织")
    checks = FieldChecks()  # every field checked, all refusals at once (pages show each beside its field)
    name = (a.name or "").strip()
    with checks.field("name"):
        if not name:
            raise DomainError("applicant_name", "请填写申请人姓名或名称")
    postcode = (a.postcode or "").strip()
    with checks.field("postcode"):
        if postcode and not (len(postcode) == 6 and postcode.isascii() and postcode.isdigit()):
            raise DomainError("applicant_postcode", f"邮政编码应为6位数字（现为“{postcode[:12]}”）")
    out = {"applicant_kind": a.kind, "applicant_name": name, "phone": a.phone,
           "contact_name": (a.contact_name or "").strip(), "address": (a.address or "").strip(),
           "postcode": postcode, "email": (a.email or "").strip(),
           "id_number": "", "uscc": "", "legal_rep": "", "legal_subkind": ""}
    with checks.field("phone"):
        out["phone"] = validate_phone(a.phone)
    if a.kind == ApplicantKind.PERSON:
        with checks.field("id_number"):
            out["id_number"] = validate_id_number(a.id_number)
    else:
        with checks.field("legal_subkind"):
            if a.legal_subkind not in ref.LEGAL_SUBKIND_NAMES:
                names = "、".join(ref.LEGAL_SUBKIND_NAMES.values())
                raise DomainError("legal_subkind", f"请选择法人或其他组织的类别：{names}")
            out["legal_subkind"] = a.legal_subkind
        with checks.field("uscc"):
            out["uscc"] = validate_uscc(a.uscc)
        out["legal_rep"] = (a.legal_rep or "").strip()
        with checks.field("legal_rep"):
            if not out["legal_rep"]:
                raise DomainError("legal_rep", "请填写法定代表人或者负责人")
    checks.done()
    return out


# -- helpers ----------------------------------------------------------------------------------------------


def _event(req: InfoRequest, action: str, label: str, frm: str, *, staff: Staff | None = None, user=None,
           note: str = "", data: dict | None = None) -> RequestEvent:
    return RequestEvent.objects.create(request=req, action=action, label=label, from_status=frm,
                                       to_status=req.status, note=note, data=data or {}, at=clock.now(),
                                       **actor_fields(staff=staff, user=user))


def _stops(req: InfoRequest) -> list[tuple[dt.date, dt.date]]:
    return list(ClockStop.objects.filter(request=req, end_on__isnull=False).values_list("start_on", "end_on"))


def reply_deadline(req: InfoRequest, *, extension_days: int | None = None) -> engine.Deadline:
    """20 working days (+ extension) from the clock start, the stopped days not counted."""
    n = setting("reply_days") + (req.extension_days if extension_days is None else extension_days)
    return engine.due_date(req.clock_start, n, stops=_stops(req), region=req.body.region)


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _tell(req: InfoRequest, text: str, kind: str) -> None:
    notify(Message(to_phone=req.phone, to_user_id=req.user_id, text=text, kind=kind,
                   data={"request_no": req.request_no}))


def _store_files(req: InfoRequest, files: list, kind: str, saved: list, *, staff: Staff | None = None,
                 user=None) -> list[str]:
    """Attach checked uploads to ``req``; each stored file is appended to ``saved`` (removed on failure)."""
    who = actor_fields(staff=staff, user=user)
    for upload in files:
        att = RequestAttachment.objects.create(request=req, kind=kind, name=upload.name[:200], file=upload,
                                               size=upload.size, uploaded_by_id=who["actor_id"],
                                               uploaded_by_name=who["actor_name"], uploaded_at=clock.now())
        saved.append(att.file)
    return [u.name for u in files]


def _receipt_changes(req: InfoRequest, received_on: dt.date) -> dict:
    region = req.body.region
    notice = engine.due_date(received_on, setting("supplement_notice_days"), region=region)
    req.clock_start = received_on
    due = engine.due_date(received_on, setting("reply_days"), region=region)
    return {"received_on": received_on, "clock_start": received_on, "supplement_notice_due": notice.due,
            "due_date": due.due, "due_provisional": due.provisional or notice.provisional}


def _past_date(day: dt.date, *, field: str, what: str, today: dt.date, not_before: dt.date | None = None,
               not_before_what: str = "") -> bool:
    """A date typed in for something that already happened: not in the future, not before ``not_before``,
    not further back than the ``backdate_days`` policy. True when it is before today (a later entry)."""
    if day > today:
        raise DomainError(field, f"{what}不能晚于今天")
    if not_before is not None and day < not_before:
        raise DomainError(field, f"{what}不能早于{not_before_what}（{not_before:%Y-%m-%d}）")
    window = setting("backdate_days")
    earliest = today - dt.timedelta(days=window)
    if day < earliest:
        raise DomainError(field, f"{what}最早只能补录到{window}日前（{earliest:%Y-%m-%d}）；更早的请报公开工作机构负责人处理")
    return day < today


def _late_note(note: str, *, what: str, day: dt.date) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError("late_entry_note", f"{what}（{day:%Y-%m-%d}）早于今天，属于补录，请写明补录原因")
    return note


def _audit_late_entry(*, staff: Staff, req: InfoRequest, what: str, day: dt.date, note: str, then: str = "") -> None:
    audit_record(actor=staff.user, action="update", obj=req,
                 summary=f"{staff.name}补录依申请公开 {req.request_no} 的{what}为{day:%Y-%m-%d}"
                         f"（录入日{clock.today():%Y-%m-%d}）{then}，原因：{note}")


# -- filing and receipt --------------------------------------------------------------------------------------


def request_file(*, body: Body, applicant: Applicant, description: str, channel: str, user=None,
                 officer: Staff | None = None, signed_for_on: dt.date | None = None, purpose: str = "",
                 wanted_form: str = "电子文档", delivery: str = "网上获取", files=(),
                 received_on: dt.date | None = None, letter_date: dt.date | None = None,
                 late_entry_note: str = "") -> InfoRequest:
    """A request: online by the applicant, or recorded by an officer (walk-in, letter, fax).

    The officer records the real day the request reached the body (条例第三十一条), whenever it is typed
    in: ``received_on`` for a walk-in (the day it was handed in; default today) and for a plain
    letter or fax (the day it arrived; receipt itself is then the day both sides confirm),
    ``signed_for_on`` for a signed-for letter. ``letter_date`` is the date written on the letter, if
    any: the request cannot have arrived before it. A day before today needs ``late_entry_note``
    and writes an audit row.

    ``files``: the applicant's ID copy, business licence, a description of the information sought
    (or the officer's scan of a letter). One bad file refuses the whole request; nothing is saved.
    """
    if not body.is_active or body.kind == Body.Kind.VILLAGE:
        raise DomainError("not_a_body", f"{body.name}不受理政府信息公开申请")
    if channel not in Channel.values:
        raise DomainError("channel", "提交方式应为当面提交、邮寄、平常信函、互联网或传真")
    if channel == Channel.ONLINE:
        if user is None or not getattr(user, "is_authenticated", False):
            raise PermissionDenied("网上申请请先登录")
    else:
        require_duty(officer, body, D.OFFICER, action="登记政府信息公开申请")
    fields = clean_applicant(applicant)
    description = (description or "").strip()
    if len(description) < 4:
        raise DomainError("description", "请写明所需政府信息的名称、文号或者便于查询的其他特征性描述")
    today = clock.today()
    late_note, what = "", ""
    if channel == Channel.ONLINE:
        if received_on is not None or signed_for_on is not None or letter_date is not None:
            raise DomainError("received_on", "网上申请以双方确认之日为收到申请之日，提交时不填写收到日期")
        arrived = today
    else:
        if letter_date is not None and letter_date > today:
            raise DomainError("letter_date", "申请书落款日期不能晚于今天")
        if channel == Channel.POST_SIGNED:
            if signed_for_on is None:
                raise DomainError("signed_for_on", "邮寄申请请填写本机关签收日期")
            if received_on is not None and received_on != signed_for_on:
                raise DomainError("received_on", "邮寄申请以签收之日为收到申请之日，请只填写签收日期")
            arrived, field, what = signed_for_on, "signed_for_on", "签收日期"
        else:
            if signed_for_on is not None:
                raise DomainError("signed_for_on", "只有需签收的邮寄申请填写签收日期")
            arrived, field = received_on or today, "received_on"
            what = "提交日期" if channel == Channel.IN_PERSON else "收到日期"
        if _past_date(arrived, field=field, what=what, today=today, not_before=letter_date,
                      not_before_what="申请书落款日期"):
            late_note = _late_note(late_entry_note, what=what, day=arrived)
    files = check_files(files)
    with files_removed_on_failure() as saved, transaction.atomic():
        seq = next_number(body, "req", today.year)
        req = InfoRequest(
            request_no=f"{body.code}-{today.year}-{seq:04d}", body=body, channel=channel, filed_at=clock.now(),
            status=ReqStatus.AWAITING_RECEIPT, description=description, purpose=(purpose or "").strip(),
            wanted_form=wanted_form, delivery=delivery, user=user if channel == Channel.ONLINE else None,
            entered_by=officer if channel != Channel.ONLINE else None, signed_for_on=signed_for_on,
            submitted_on=arrived, letter_date=letter_date, late_entry_note=late_note, **fields)
        if channel not in CONFIRMED_CHANNELS:
            req.status = ReqStatus.PROCESSING
            for k, v in _receipt_changes(req, arrived).items():
                setattr(req, k, v)
        req.save()
        if req.due_date is not None:
            gk_clocks.gk_clock_start(req, officer_id=getattr(officer, "pk", None))
        names = _store_files(req, files, RequestAttachment.Kind.APPLICATION, saved, staff=officer, user=user)
        notes = [f"补录：{what}{arrived:%Y-%m-%d}，{late_note}" if late_note else "",
                 f"附件：{'、'.join(names)}" if names else ""]
        _event(req, "file", "提交申请" if channel == Channel.ONLINE else "登记申请", "", staff=officer, user=user,
               note="；".join(n for n in notes if n),
               data={"channel": channel, "received_on": req.received_on.isoformat() if req.received_on else None,
                     "submitted_on": arrived.isoformat(), "late_entry": bool(late_note), "files": names})
        if late_note:
            _audit_late_entry(staff=officer, req=req, what=what, day=arrived, note=late_note)
    return req


def request_confirm_receipt(*, request: InfoRequest, officer: Staff, confirmed_on: dt.date | None = None,
                            late_entry_note: str = "") -> InfoRequest:
    """双方确认: for internet, fax and plain letters the day of confirmation is the day of receipt.

    A confirmation made earlier (by telephone on the day the letter came) and typed in now keeps its
    day, with ``late_entry_note`` and an audit row."""
    require_duty(officer, request.body, D.OFFICER, action="确认收到申请")
    today = clock.today()
    confirmed_on = confirmed_on or today
    submitted = request.submitted_on or timezone.localdate(request.filed_at)
    if confirmed_on < submitted:
        raise DomainError("confirmed_on", f"确认日期不能早于申请提交（送达）之日（{submitted:%Y-%m-%d}）")
    late = _past_date(confirmed_on, field="confirmed_on", what="确认日期", today=today)
    note = _late_note(late_entry_note, what="确认日期", day=confirmed_on) if late else ""
    frm = request.status
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.AWAITING_RECEIPT], target=ReqStatus.PROCESSING,
                       what="确认收到", labels=LABELS, handled_by=officer,
                       late_entry_note="；".join(x for x in (request.late_entry_note, note) if x),
                       **_receipt_changes(request, confirmed_on))
        gk_clocks.gk_clock_start(request, officer_id=officer.pk)
        _event(request, "confirm", "确认收到申请", frm, staff=officer,
               note=f"补录：确认日期{confirmed_on:%Y-%m-%d}，{note}" if note else "",
               data={"received_on": confirmed_on.isoformat(), "due_date": request.due_date.isoformat(),
                     "late_entry": bool(note)})
        if note:
            _audit_late_entry(staff=officer, req=request, what="确认收到申请之日", day=confirmed_on, note=note)
        _tell(request, f"您的政府信息公开申请（{request.request_no}）已于{_cn(confirmed_on)}收到，"
                       f"我们将在{_cn(request.due_date)}前答复。", "gk_received")
    return request


# -- 补正 -----------------------------------------------------------------------------------------------------


def request_ask_supplement(*, request: InfoRequest, officer: Staff, items: str,
                           period_days: int | None = None) -> InfoRequest:
    """一次性告知补正, within 7 working days of receipt, with a reasonable period to complete it."""
    require_duty(officer, request.body, D.OFFICER, action="告知补正")
    items = (items or "").strip()
    if not items:
        raise DomainError("items_required", "请一次性写明需要补正的全部事项")
    if request.supplement_requested_on is not None:
        raise DomainError("supplement_once", "补正只能一次性告知，该申请已告知过补正", status=409)
    today = clock.today()
    if request.status == ReqStatus.PROCESSING and today > request.supplement_notice_due:
        raise DomainError("supplement_late",
                          f"告知补正应在收到申请之日起{setting('supplement_notice_days')}个工作日内"
                          f"（{request.supplement_notice_due:%Y-%m-%d}前）作出，现已逾期，请按申请内容办理",
                          status=409)
    period = period_days if period_days is not None else setting("supplement_period_days")
    if not 1 <= period <= 60:
        raise DomainError("period_days", "补正期限应在1至60个工作日之间")
    deadline = engine.due_date(today, period, region=request.body.region)
    frm = request.status
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.PROCESSING], target=ReqStatus.SUPPLEMENT, what="告知补正",
                       labels=LABELS, supplement_requested_on=today, supplement_items=items,
                       supplement_deadline=deadline.due, due_date=None, handled_by=officer)
        gk_clocks.gk_clock_stop(request, today=today)
        gk_clocks.gk_clock_officer(request, officer.pk)
        _event(request, "ask_supplement", "告知补正", frm, staff=officer, note=items,
               data={"deadline": deadline.due.isoformat()})
        _tell(request, f"您的政府信息公开申请（{request.request_no}）需要补正：{items}。"
                       f"请于{_cn(deadline.due)}前补正。", "gk_supplement")
    return request


def request_supplement(*, request: InfoRequest, text: str, user=None, officer: Staff | None = None, files=(),
                       received_on: dt.date | None = None, late_entry_note: str = "") -> InfoRequest:
    """The completed request is received: the reply period starts again from the day it was received
    (条例第三十条: 答复期限自行政机关收到补正的申请之日起计算).

    Online that is today; a written 补正 registered by an officer keeps the day it arrived
    (``received_on``, not before the 补正 was asked for, not after the 补正 period ended), a day
    before today with ``late_entry_note`` and an audit row. The 补正 is a text, files (e.g. the
    missing ID copy), or both; one bad file refuses it all.

    A written 补正 that arrived within the period but is typed in only after the request was treated
    as abandoned for it (视为放弃, ``other_no_supplement``: the daily run does that the day after the
    period) puts the request back: the abandonment was wrong (第三十条、第三十一条), so the request is
    handled again with its reply period from the real day of receipt and a new supervision clock.
    """
    if officer is not None:
        require_duty(officer, request.body, D.OFFICER, action="登记补正")
    elif user is None or request.user_id is None or user.pk != request.user_id:
        raise PermissionDenied("只有申请人本人可以补正该申请")
    text = (text or "").strip()
    files = check_files(files)
    if not text and not files:
        raise DomainError("text_required", "请填写补正后的申请内容，或上传补正材料")
    today = clock.today()
    if officer is None and request.supplement_deadline and today > request.supplement_deadline:
        raise DomainError("supplement_overdue",
                          f"补正期限已于{request.supplement_deadline:%Y-%m-%d}届满。如有正当理由，请与受理机关联系",
                          status=409)
    reinstate = (officer is not None and request.status == ReqStatus.TERMINATED
                 and request.result == "other_no_supplement")
    late_note = ""
    if officer is None:
        if received_on is not None:
            raise DomainError("received_on", "网上补正以提交之日为收到补正之日")
        received = today
    else:
        received = received_on or today
        if request.status == ReqStatus.SUPPLEMENT or reinstate:
            late = _past_date(received, field="received_on", what="收到补正之日", today=today,
                              not_before=request.supplement_requested_on, not_before_what="告知补正之日")
            if received > request.supplement_deadline:
                raise DomainError(
                    "supplement_overdue",
                    f"收到补正之日（{received:%Y-%m-%d}）晚于补正期限（{request.supplement_deadline:%Y-%m-%d}），"
                    "逾期未补正的视为放弃申请（条例第三十条），不能登记为按期补正", status=409)
            if late:
                late_note = _late_note(late_entry_note, what="收到补正之日", day=received)
    frm = request.status
    with files_removed_on_failure() as saved, transaction.atomic():
        request.clock_start = received
        due = reply_deadline(request)
        changes = {"supplement_received_on": received, "supplement_text": text, "clock_start": received,
                   "due_date": due.due, "due_provisional": due.provisional}
        if reinstate:
            guarded_update(request, allowed=[ReqStatus.TERMINATED], target=ReqStatus.PROCESSING,
                           what="登记按期收到的补正", labels=LABELS, result="", reason="", closed_on=None,
                           handled_by=officer, **changes)
            # The abandonment ended the clock uncounted; the reply period runs again from the real day.
            gk_clocks.gk_clock_start(request, officer_id=officer.pk)
        else:
            guarded_update(request, allowed=[ReqStatus.SUPPLEMENT], target=ReqStatus.PROCESSING, what="补正",
                           labels=LABELS, **changes)
            gk_clocks.gk_clock_resume(request)
        names = _store_files(request, files, RequestAttachment.Kind.SUPPLEMENT, saved, staff=officer, user=user)
        note = "；".join(x for x in (f"补录：收到补正之日{received:%Y-%m-%d}，{late_note}" if late_note else "",
                                    "补正系在补正期限内收到，撤销“逾期未补正，视为放弃申请”，恢复办理" if reinstate
                                    else "", text, f"附件：{'、'.join(names)}" if names else "") if x)
        _event(request, "supplement", "收到补正", frm, staff=officer, user=user, note=note,
               data={"received_on": received.isoformat(), "due_date": due.due.isoformat(), "files": names,
                     "late_entry": bool(late_note), "reinstated": reinstate})
        if late_note:
            _audit_late_entry(staff=officer, req=request, what="收到补正之日", day=received, note=late_note,
                              then="，撤销“逾期未补正，视为放弃申请”并恢复办理" if reinstate else "")
        if reinstate:
            _tell(request, f"您的政府信息公开申请（{request.request_no}）的补正已于{_cn(received)}按期收到，"
                           f"此前“逾期未补正，视为放弃申请”的处理已撤销，恢复办理，我们将在{_cn(due.due)}前答复。",
                  "gk_reinstated")
    return request


def request_attachment_log_download(*, attachment: RequestAttachment, staff: Staff, http_request=None) -> None:
    """A member of staff opened an applicant's file (personal data): one row in the audit trail.

    The applicant's own downloads are not logged; the staff's always are (个人信息保护法).
    """
    req = attachment.request
    require_duty(staff, req.body, *D.values, action="查看申请附件")
    audit_record(actor=staff.user, action="view", obj=attachment, request=http_request,
                 summary=f"{staff.name}下载依申请公开申请 {req.request_no} 的{attachment.get_kind_display()}"
                         f"“{attachment.name}”")


# -- consultations: a third party (第三十二条) or the agencies that made the information with us (第三十四条) --


KIND_WHO = {Consultation.Kind.THIRD_PARTY: "第三方", Consultation.Kind.AGENCY: "被征求意见机关"}


def _open_consultation(request: InfoRequest) -> Consultation | None:
    return (Consultation.objects.filter(request=request, replied_on__isnull=True).select_related("stop")
            .order_by("-id").first())


def _consulting(request: InfoRequest, what: str) -> Consultation:
    consultation = _open_consultation(request)
    if consultation is None or request.status != ReqStatus.CONSULTING:
        raise DomainError("bad_state", f"当前状态为“{LABELS[request.status]}”，没有正在征求的意见，不能{what}",
                          status=409)
    return consultation


def request_consult(*, request: InfoRequest, officer: Staff, third_party: str, note: str = "",
                    kind: str = Consultation.Kind.THIRD_PARTY) -> InfoRequest:
    """书面征求意见, sent today: the reply clock stops from today (第三十三条第二款).

    The 15 working days for the opinion run from the day the other side receives the 征求意见书, which
    is recorded when known (``request_consultation_receipt``); until then the consultation stays open.
    ``kind`` ``agency``: 第三十四条, the information was made with ``third_party`` (the agency's name).
    """
    if kind not in Consultation.Kind.values:
        raise DomainError("consult_kind", "征求意见的类型应为征求第三方意见或征求其他机关意见")
    kind = Consultation.Kind(kind)
    require_duty(officer, request.body, D.OFFICER, action=kind.label)
    party = (third_party or "").strip()
    if not party:
        raise DomainError("agency_required" if kind == Consultation.Kind.AGENCY else "third_party_required",
                          "请填写被征求意见的机关名称" if kind == Consultation.Kind.AGENCY
                          else "请填写被征求意见的第三方")
    if len(party) > 100:
        raise DomainError("third_party", "被征求意见的第三方或机关名称不能超过100个字符")
    today = clock.today()
    frm = request.status
    stop_kind = ClockStop.Kind.AGENCY if kind == Consultation.Kind.AGENCY else ClockStop.Kind.CONSULTATION
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.PROCESSING], target=ReqStatus.CONSULTING,
                       what=kind.label, labels=LABELS)
        gk_clocks.gk_clock_stop(request, today=today)
        stop = ClockStop.objects.create(request=request, kind=stop_kind, start_on=today)
        Consultation.objects.create(request=request, stop=stop, kind=kind, third_party=party, sent_on=today,
                                    note=(note or "").strip())
        _event(request, "consult_agency" if kind == Consultation.Kind.AGENCY else "consult", kind.label, frm,
               staff=officer, note=party, data={"kind": kind.value, "sent_on": today.isoformat()})
    return request


def request_consult_agency(*, request: InfoRequest, officer: Staff, agency: str, note: str = "") -> InfoRequest:
    """征求其他机关意见 (条例第三十四条): the information was made jointly and this body leads; silence
    within 15 working days of the agency's receipt counts as consent to disclose."""
    return request_consult(request=request, officer=officer, third_party=agency, note=note,
                           kind=Consultation.Kind.AGENCY)


def request_consultation_receipt(*, request: InfoRequest, officer: Staff, received_on: dt.date | None,
                                 delivery: str, note: str = "") -> InfoRequest:
    """The day the third party (or agency) received the 征求意见书, and how it was delivered: its 15
    working days run from then. Recorded once; not before the sending day, not in the future."""
    require_duty(officer, request.body, D.OFFICER, action="登记征求意见书送达")
    consultation = _consulting(request, "登记征求意见书送达")
    who = KIND_WHO[consultation.kind]
    if consultation.received_on is not None:
        raise DomainError("receipt_once", f"已登记{who}于{consultation.received_on:%Y-%m-%d}收到征求意见书", status=409)
    if delivery not in Consultation.Delivery.values:
        raise DomainError("delivery", "送达方式应为以下之一：" + "、".join(Consultation.Delivery.labels))
    if received_on is None:
        raise DomainError("received_on", f"请填写{who}收到征求意见书之日")
    today = clock.today()
    _past_date(received_on, field="received_on", what=f"{who}收到征求意见书之日", today=today,
               not_before=consultation.sent_on, not_before_what="发出征求意见书之日")
    due = engine.due_date(received_on, setting("consult_days"), region=request.body.region)
    frm = request.status
    label = Consultation.Delivery(delivery).label
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.CONSULTING], target=ReqStatus.CONSULTING,
                       what="登记征求意见书送达", labels=LABELS)
        n = Consultation.objects.filter(pk=consultation.pk, received_on__isnull=True).update(
            received_on=received_on, delivery=delivery, opinion_due=due.due, receipt_recorded_by=officer)
        if n != 1:
            raise DomainError("conflict", "记录刚刚被其他人更新，请刷新后重试", status=409)
        _event(request, "consultation_receipt", "登记征求意见书送达", frm, staff=officer,
               note="；".join(x for x in (f"{consultation.third_party}于{received_on:%Y-%m-%d}收到（{label}），"
                                          f"意见期限至{due.due:%Y-%m-%d}", (note or "").strip()) if x),
               data={"received_on": received_on.isoformat(), "delivery": delivery, "opinion_due": due.due.isoformat()})
    return request


def request_consultation_reply(*, request: InfoRequest, officer: Staff, opinion: str, note: str = "",
                               received_on: dt.date | None = None, delivery: str = "") -> InfoRequest:
    """The opinion (or, once the 15 days after receipt are over, the silence); the clock runs again.

    An opinion may come before anyone recorded the receipt: it is recorded as it is (with the receipt,
    if ``received_on`` and ``delivery`` are given). Silence can only be recorded after ``opinion_due``,
    so never before the receipt is known: a third party's is ``none`` (the body decides, 第三十二条),
    an agency's ``deemed`` (视为同意公开, 第三十四条).
    """
    require_duty(officer, request.body, D.OFFICER, action="登记意见")
    consultation = _consulting(request, "登记意见")
    allowed = [Consultation.Opinion.AGREE, Consultation.Opinion.OBJECT, consultation.silence]
    if opinion not in allowed:
        raise DomainError("opinion", f"{KIND_WHO[consultation.kind]}的意见应为以下之一："
                                     + "、".join(Consultation.Opinion(o).label for o in allowed))
    today = clock.today()
    # One transaction: a receipt given with the opinion is recorded only if the opinion is.
    with transaction.atomic():
        if received_on is not None and consultation.received_on is None:
            request_consultation_receipt(request=request, officer=officer, received_on=received_on, delivery=delivery)
            request.refresh_from_db()
            consultation.refresh_from_db()
        if opinion == consultation.silence:
            if consultation.opinion_due is None:
                raise DomainError("receipt_unknown",
                                  f"尚未登记{KIND_WHO[consultation.kind]}收到征求意见书之日，提出意见的期限无从起算，"
                                  "不能登记为逾期未提出意见", status=409)
            if today <= consultation.opinion_due:
                raise DomainError("opinion_not_due",
                                  f"{KIND_WHO[consultation.kind]}提出意见的期限至{consultation.opinion_due:%Y-%m-%d}，"
                                  "期限届满后才能登记为逾期未提出意见", status=409)
        # The stop never runs past the 15 working days the other side has.
        end = today if consultation.opinion_due is None else min(today, consultation.opinion_due)
        frm = request.status
        ClockStop.objects.filter(pk=consultation.stop_id).update(end_on=end)
        Consultation.objects.filter(pk=consultation.pk).update(replied_on=today, opinion=opinion,
                                                               note=(note or consultation.note).strip())
        due = reply_deadline(request)
        guarded_update(request, allowed=[ReqStatus.CONSULTING], target=ReqStatus.PROCESSING,
                       what="登记意见", labels=LABELS, due_date=due.due, due_provisional=due.provisional)
        gk_clocks.gk_clock_resume(request)
        agency = consultation.kind == Consultation.Kind.AGENCY
        _event(request, "consultation_reply", "收到被征求意见机关意见" if agency else "收到第三方意见", frm,
               staff=officer,
               note="：".join(x for x in (consultation.third_party, Consultation.Opinion(opinion).label,
                                          (note or "").strip()) if x),
               data={"kind": consultation.kind, "opinion": opinion, "due_date": due.due.isoformat()})
    return request


def request_consultation_undeliverable(*, request: InfoRequest, officer: Staff, note: str,
                                       returned_on: dt.date | None = None, files=()) -> InfoRequest:
    """The 征求意见书 could not be delivered to the third party (moved away, deregistered, refused at the
    address, no contact): recorded with the day the body learned it (the letter came back; default
    today), what happened and the evidence (``note``, and scans such as the returned envelope).

    The third party's 15 working days run from its receipt (条例第三十二条), so they never began; the
    consultation ends without a receipt and without an opinion, and as for a third party that gave none,
    the body decides under the 条例 whether to disclose. The days from the sending to the return are not
    counted (第三十三条第二款): the reply clock runs again from the day after ``returned_on``. Only for a
    third party (an agency is reached through 公文交换) and only before a receipt is recorded. The body may
    then consult again at another address (``request_consult``).
    """
    require_duty(officer, request.body, D.OFFICER, action="登记征求意见书无法送达")
    consultation = _consulting(request, "登记征求意见书无法送达")
    if consultation.kind != Consultation.Kind.THIRD_PARTY:
        raise DomainError("undeliverable_agency",
                          "征求其他机关意见的，请通过公文交换等方式送达并登记收到之日，不适用“无法送达”", status=409)
    if consultation.received_on is not None:
        raise DomainError("undeliverable_received",
                          f"已登记第三方于{consultation.received_on:%Y-%m-%d}收到征求意见书，不能再登记为无法送达",
                          status=409)
    note = (note or "").strip()
    if not note:
        raise DomainError("undeliverable_note", "请写明无法送达的情况和依据（如邮件退回原因、退件单号、联系记录）")
    files = check_files(files)
    today = clock.today()
    returned_on = returned_on or today
    late = _past_date(returned_on, field="returned_on", what="征求意见书退回（确认无法送达）之日", today=today,
                      not_before=consultation.sent_on, not_before_what="发出征求意见书之日")
    frm = request.status
    with files_removed_on_failure() as saved, transaction.atomic():
        ClockStop.objects.filter(pk=consultation.stop_id).update(end_on=returned_on)
        n = Consultation.objects.filter(pk=consultation.pk, replied_on__isnull=True, received_on__isnull=True).update(
            replied_on=returned_on, opinion=Consultation.Opinion.UNDELIVERABLE, note=note)
        if n != 1:
            raise DomainError("conflict", "记录刚刚被其他人更新，请刷新后重试", status=409)
        due = reply_deadline(request)
        guarded_update(request, allowed=[ReqStatus.CONSULTING], target=ReqStatus.PROCESSING,
                       what="登记征求意见书无法送达", labels=LABELS, due_date=due.due, due_provisional=due.provisional)
        gk_clocks.gk_clock_resume(request)
        names = _store_files(request, files, RequestAttachment.Kind.RETURN_PROOF, saved, staff=officer)
        text = (f"{consultation.third_party}：征求意见书无法送达（{returned_on:%Y-%m-%d}确认），第三方未能提出意见，"
                f"由本机关依照条例第三十二条决定是否公开；{note}")
        _event(request, "consult_undeliverable", "征求意见书无法送达", frm, staff=officer,
               note="；".join(x for x in (text, f"凭证：{'、'.join(names)}" if names else "") if x),
               data={"kind": consultation.kind, "returned_on": returned_on.isoformat(), "files": names,
                     "due_date": due.due.isoformat()})
        if late:
            _audit_late_entry(staff=officer, req=request, what="征求意见书退回（确认无法送达）之日", day=returned_on,
                              note=note)
    return request


def request_consultation_lapse(*, request: InfoRequest) -> InfoRequest:
    """The daily run: the other side let its 15 working days after receipt pass; the clock runs again.

    条例第三十二条: 第三方逾期未提出意见的，由行政机关依照本条例的规定决定是否公开; 第三十四条: 被征求意见机关
    逾期未提出意见的视为同意公开. The days not counted end with ``opinion_due`` (as when an officer records
    the silence), however late this runs. A consultation whose receipt is not recorded never lapses.
    """
    consultation = _open_consultation(request)
    if consultation is None or request.status != ReqStatus.CONSULTING:
        raise DomainError("bad_state", f"当前状态为“{LABELS[request.status]}”，没有正在征求的意见", status=409)
    today = clock.today()
    if consultation.opinion_due is None:
        raise DomainError("receipt_unknown", "尚未登记对方收到征求意见书之日，提出意见的期限尚未起算", status=409)
    if today <= consultation.opinion_due:
        raise DomainError("opinion_not_due", f"提出意见的期限至{consultation.opinion_due:%Y-%m-%d}，尚未届满",
                          status=409)
    agency = consultation.kind == Consultation.Kind.AGENCY
    if agency:
        note = (f"{consultation.third_party}未在{consultation.opinion_due:%Y-%m-%d}前提出意见，"
                "依照条例第三十四条视为同意公开")
    else:
        note = f"第三方未在{consultation.opinion_due:%Y-%m-%d}前提出意见，由本机关依照条例决定是否公开"
    frm = request.status
    with transaction.atomic():
        ClockStop.objects.filter(pk=consultation.stop_id).update(end_on=consultation.opinion_due)
        Consultation.objects.filter(pk=consultation.pk).update(replied_on=today, opinion=consultation.silence,
                                                               note=(consultation.note or note))
        due = reply_deadline(request)
        guarded_update(request, allowed=[ReqStatus.CONSULTING], target=ReqStatus.PROCESSING, what="恢复计时",
                       labels=LABELS, due_date=due.due, due_provisional=due.provisional)
        gk_clocks.gk_clock_resume(request)
        _event(request, "consultation_lapsed", "被征求意见机关逾期未提出意见" if agency else "第三方逾期未提出意见",
               frm, note=note,
               data={"kind": consultation.kind, "opinion_due": consultation.opinion_due.isoformat(),
                     "due_date": due.due.isoformat()})
    return request


def consultations_sweep() -> list[tuple[InfoRequest, Consultation]]:
    """The daily run: every consultation whose 15 working days after receipt ended before today.

    One whose receipt is not recorded has no end yet and stays open (the daily message asks for it)."""
    today = clock.today()
    lapsed = (Consultation.objects.filter(replied_on__isnull=True, opinion_due__isnull=False, opinion_due__lt=today,
                                          request__status=ReqStatus.CONSULTING)
              .select_related("request__body__region").order_by("opinion_due", "id"))
    return [(request_consultation_lapse(request=c.request), c) for c in lapsed]


# -- extension --------------------------------------------------------------------------------------------------


def request_extend(*, request: InfoRequest, approver: Staff, days: int, reason: str) -> InfoRequest:
    """延长答复期限, approved by the head of the disclosure office, at most 20 working days in all."""
    require_duty(approver, request.body, D.HEAD, action="批准延长答复期限")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "延长答复期限须写明理由，并告知申请人")
    limit = setting("max_extension_days")
    if not 1 <= days <= limit - request.extension_days:
        raise DomainError("extension_days",
                          f"延长的期限最长不得超过{limit}个工作日（已延长{request.extension_days}个工作日）")
    today = clock.today()
    if request.status == ReqStatus.PROCESSING and request.due_date and today > request.due_date:
        raise DomainError("already_overdue", f"答复期限已于{request.due_date:%Y-%m-%d}届满，不能再延长", status=409)
    total = request.extension_days + days
    due = reply_deadline(request, extension_days=total)
    frm = request.status
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.PROCESSING, ReqStatus.CONSULTING, ReqStatus.FEE_NOTICE],
                       target=request.status, what="延长答复期限", labels=LABELS, extension_days=total,
                       due_date=due.due, due_provisional=due.provisional)
        gk_clocks.gk_clock_move(request)
        Extension.objects.create(request=request, days=days, reason=reason, approved_by=approver, approved_on=today)
        _event(request, "extend", "延长答复期限", frm, staff=approver, note=reason,
               data={"days": days, "due_date": due.due.isoformat()})
        _tell(request, f"您的政府信息公开申请（{request.request_no}）答复期限延长至{_cn(due.due)}，理由：{reason}",
              "gk_extended")
    return request


# -- fees ----------------------------------------------------------------------------------------------------------


def monthly_ordinal(request: InfoRequest) -> int:
    """Which request of this applicant this is, at this body, in the natural month of receipt."""
    day = request.received_on
    first = day.replace(day=1)
    same = Q(id_number=request.id_number) if request.applicant_kind == ApplicantKind.PERSON else Q(
        uscc=request.uscc)
    earlier = Q(received_on__lt=day) | Q(received_on=day, pk__lte=request.pk)
    return InfoRequest.objects.filter(same, earlier, body=request.body, received_on__gte=first).count()


def request_assess_fee(*, request: InfoRequest, officer: Staff, method: str, pages: int | None = None
                       ) -> InfoRequest:
    """信息处理费: one method per request, never both; a notice when there is something to pay."""
    require_duty(officer, request.body, D.OFFICER, action="核定信息处理费")
    if method not in dict(ref.FEE_METHODS):
        raise DomainError("fee_method", "计收方式应为按件计收或按量计收")
    if request.fee_method:
        raise DomainError("fee_once", f"该申请已按“{dict(ref.FEE_METHODS)[request.fee_method]}”核定信息处理费，"
                                      "每件申请只能适用一种计收方式", status=409)
    if method == "per_page":
        if not pages or pages < 1:
            raise DomainError("pages_required", "按量计收请填写提供信息的页数")
        units = pages
    else:
        if pages:
            raise DomainError("fee_both", "按件计收时不再按页数计费，两种标准不得同时适用")
        units = monthly_ordinal(request)
    amount = fee_amount(method, units)
    today = clock.today()
    frm = request.status
    changes = {"fee_method": method, "fee_units": units, "fee_amount": amount}
    with transaction.atomic():
        if amount > 0:
            pay_due = engine.due_date(today, setting("fee_pay_days"), region=request.body.region)
            guarded_update(request, allowed=[ReqStatus.PROCESSING], target=ReqStatus.FEE_NOTICE,
                           what="发出收费通知", labels=LABELS, fee_notice_on=today, fee_pay_due=pay_due.due,
                           **changes)
            ClockStop.objects.create(request=request, kind=ClockStop.Kind.FEE, start_on=today)
            gk_clocks.gk_clock_stop(request, today=today)
            _event(request, "fee_notice", "发出收费通知", frm, staff=officer,
                   note=f"{dict(ref.FEE_METHODS)[method]}，应缴{amount}元",
                   data={"amount": str(amount), "units": units, "pay_due": pay_due.due.isoformat()})
            _tell(request, f"您的政府信息公开申请（{request.request_no}）应缴纳信息处理费{amount}元，"
                           f"请于{_cn(pay_due.due)}前缴纳，逾期未缴纳视为放弃申请。", "gk_fee")
        else:
            guarded_update(request, allowed=[ReqStatus.PROCESSING], target=ReqStatus.PROCESSING,
                           what="核定信息处理费", labels=LABELS, **changes)
            _event(request, "fee_free", "核定不收费", frm, staff=officer,
                   note=f"{dict(ref.FEE_METHODS)[method]}，计费数量{units}，不收费")
    return request


def request_record_payment(*, request: InfoRequest, officer: Staff) -> InfoRequest:
    require_duty(officer, request.body, D.OFFICER, action="登记缴费")
    today = clock.today()
    if request.fee_pay_due and today > request.fee_pay_due:
        raise DomainError("fee_overdue", f"缴费期限已于{request.fee_pay_due:%Y-%m-%d}届满，申请视为放弃", status=409)
    frm = request.status
    with transaction.atomic():
        ClockStop.objects.filter(request=request, kind=ClockStop.Kind.FEE, end_on__isnull=True).update(end_on=today)
        due = reply_deadline(request)
        guarded_update(request, allowed=[ReqStatus.FEE_NOTICE], target=ReqStatus.PROCESSING, what="登记缴费",
                       labels=LABELS, fee_paid_on=today, due_date=due.due, due_provisional=due.provisional)
        gk_clocks.gk_clock_resume(request)
        _event(request, "fee_paid", "缴纳信息处理费", frm, staff=officer, note=f"{request.fee_payable}元",
               data={"due_date": due.due.isoformat()})
    return request


def _waiver_amount(value, fee: Decimal) -> Decimal:
    if value in (None, ""):
        return fee
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError("waiver_amount", f"减免金额“{value}”不是有效的金额") from None
    if not Decimal(0) < amount <= fee:
        raise DomainError("waiver_amount", f"减免金额应大于0元且不超过应缴金额{fee}元")
    return amount


def request_waive_fee(*, request: InfoRequest, approver: Staff, reason_code: str, note: str,
                      amount: Decimal | str | None = None, proof_ids=(), files=()) -> InfoRequest:
    """减免信息处理费 on one of the body's grounds (``FeeWaiverReason``), once, while the fee is unpaid.

    Decided by the head of the disclosure office, with the reason written down. A ground that
    requires proof needs a file: one the applicant already attached (``proof_ids``) or a scan
    uploaded now (``files``). ``amount`` empty = the whole fee. A whole waiver ends the stop of the
    clock today, as a payment would; a partial one leaves the rest to pay by the same date.
    """
    require_duty(approver, request.body, D.HEAD, action="减免信息处理费")
    if request.fee_waiver_reason_id is not None:
        raise DomainError("waiver_once", f"该申请已于{request.fee_waived_on:%Y-%m-%d}减免信息处理费", status=409)
    if request.status != ReqStatus.FEE_NOTICE:
        raise DomainError("bad_state", f"当前状态为“{LABELS[request.status]}”，只有待缴费的申请可以减免信息处理费",
                          status=409)
    today = clock.today()
    if today > request.fee_pay_due:
        raise DomainError("fee_overdue", f"缴费期限已于{request.fee_pay_due:%Y-%m-%d}届满，申请视为放弃", status=409)
    reasons = list(FeeWaiverReason.objects.filter(is_active=True))
    reason = next((r for r in reasons if r.code == reason_code), None)
    if reason is None:
        raise DomainError("waiver_reason", "请选择减免情形：" + "、".join(r.name for r in reasons))
    note = (note or "").strip()
    if not note:
        raise DomainError("waiver_note", "请写明减免理由（申请人的具体情形和核实情况）")
    waived = _waiver_amount(amount, request.fee_amount)
    try:
        ids = {int(i) for i in proof_ids if str(i).strip()}
    except ValueError:
        raise DomainError("waiver_proof", "所选证明材料不属于该申请") from None
    proofs = list(RequestAttachment.objects.filter(request=request, pk__in=ids))
    if len(proofs) != len(ids):
        raise DomainError("waiver_proof", "所选证明材料不属于该申请")
    files = check_files(files)
    if reason.requires_proof and not proofs and not files:
        hint = f"（{reason.proof_hint}）" if reason.proof_hint else ""
        raise DomainError("waiver_proof_required",
                          f"“{reason.name}”须提供证明材料{hint}：请上传，或勾选申请人已提交的材料")
    payable = request.fee_amount - waived
    frm = request.status
    changes = {"fee_waiver_reason": reason, "fee_waived_amount": waived, "fee_waiver_note": note,
               "fee_waived_by": approver, "fee_waived_on": today}
    with files_removed_on_failure() as saved, transaction.atomic():
        if payable == 0:
            ClockStop.objects.filter(request=request, kind=ClockStop.Kind.FEE, end_on__isnull=True).update(
                end_on=today)
            due = reply_deadline(request)
            guarded_update(request, allowed=[ReqStatus.FEE_NOTICE], target=ReqStatus.PROCESSING,
                           what="减免信息处理费", labels=LABELS, due_date=due.due, due_provisional=due.provisional,
                           **changes)
            gk_clocks.gk_clock_resume(request)
        else:
            guarded_update(request, allowed=[ReqStatus.FEE_NOTICE], target=ReqStatus.FEE_NOTICE,
                           what="减免信息处理费", labels=LABELS, **changes)
        names = [p.name for p in proofs]
        names += _store_files(request, files, RequestAttachment.Kind.WAIVER_PROOF, saved, staff=approver)
        _event(request, "fee_waive", "减免信息处理费", frm, staff=approver,
               note=f"{reason.name}：{note}；减免{waived}元，应缴{payable}元",
               data={"reason": reason.code, "waived": str(waived), "payable": str(payable), "proof": names})
        if payable == 0:
            _tell(request, f"您的政府信息公开申请（{request.request_no}）的信息处理费{request.fee_amount}元已全部免收"
                           f"（{reason.name}），无需缴纳。我们将在{_cn(request.due_date)}前答复。", "gk_fee_waived")
        else:
            _tell(request, f"您的政府信息公开申请（{request.request_no}）的信息处理费减免{waived}元（{reason.name}），"
                           f"尚需缴纳{payable}元，请于{_cn(request.fee_pay_due)}前缴纳。", "gk_fee_waived")
    return request


# -- the end of a request ------------------------------------------------------------------------------------------


def request_reply(*, request: InfoRequest, officer: Staff, result: str, reply_text: str = "", reason: str = "",
                  pages: int | None = None) -> InfoRequest:
    """答复: one of the exact result types of REFERENCE §6; the 答复书 is generated from this."""
    require_duty(officer, request.body, D.OFFICER, action="答复")
    rt = ref.RESULTS.get(result)
    if rt is None:
        raise DomainError("result", "请选择办理结果")
    if result in SYSTEM_RESULTS:
        raise DomainError("result_by_abandon", f"“{rt.name}”由“视为放弃申请”办理，不能直接答复")
    reply_text = (reply_text or "").strip()
    reason = (reason or "").strip()
    if rt.group in ("予以公开", "部分公开") and not reply_text:
        raise DomainError("reply_text_required", "请填写提供的政府信息内容或获取方式")
    if rt.group != "予以公开" and not reason:
        raise DomainError("reason_required", f"“{rt.name}”须说明理由")
    if result == "none_unclear" and request.supplement_received_on is None:
        raise DomainError("not_supplemented", "申请未经补正，不能以“补正后申请内容仍不明确”答复", status=409)
    today = clock.today()
    frm = request.status
    with transaction.atomic():
        guarded_update(request, allowed=[ReqStatus.PROCESSING], target=ReqStatus.REPLIED, what="答复",
                       labels=LABELS, result=result, reply_text=reply_text, reason=reason, pages=pages,
                       closed_on=today, handled_by=officer)
        gk_clocks.gk_clock_finish(request, reason=gk_clocks.REPLIED)
        late = request.due_date is not None and today > request.due_date
        _event(request, "reply", "答复", frm, staff=officer, note=reason or reply_text,
               data={"result": result, "late": late})
        _tell(request, f"您的政府信息公开申请（{request.request_no}）已答复：{rt.name}。请登录查看答复书。", "gk_replied")
    return request


def request_abandon(*, request: InfoRequest, officer: Staff | None = None) -> InfoRequest:
    """视为放弃申请: 补正 or the fee not done in time. ``officer`` None = the daily sweep."""
    if officer is not None:
        require_duty(officer, request.body, D.OFFICER, action="终止办理")
    today = clock.today()
    if request.status == ReqStatus.SUPPLEMENT:
        if today <= request.supplement_deadline:
            raise DomainError("not_due", f"补正期限至{request.supplement_deadline:%Y-%m-%d}，尚未届满", status=409)
        result, label = "other_no_supplement", "逾期未补正，视为放弃申请"
    elif request.status == ReqStatus.FEE_NOTICE:
        if today <= request.fee_pay_due:
            raise DomainError("not_due", f"缴费期限至{request.fee_pay_due:%Y-%m-%d}，尚未届满", status=409)
        result, label = "other_unpaid", "逾期未缴费，视为放弃申请"
    else:
        raise DomainError("bad_state", f"当前状态为“{LABELS[request.status]}”，不能视为放弃申请", status=409)
    frm = request.status
    with transaction.atomic():
        ClockStop.objects.filter(request=request, end_on__isnull=True).update(end_on=today)
        guarded_update(request, allowed=[frm], target=ReqStatus.TERMINATED, what="终止办理", labels=LABELS,
                       result=result, reason=label, closed_on=today)
        gk_clocks.gk_clock_finish(request, reason=f"申请人{label}", counts=False)
        _event(request, "abandon", "终止办理", frm, staff=officer, note=label, data={"result": result})
        _tell(request, f"您的政府信息公开申请（{request.request_no}）{label}，不再处理。", "gk_abandoned")
    return request


def request_withdraw(*, request: InfoRequest, user=None, officer: Staff | None = None, reason: str = ""
                     ) -> InfoRequest:
    """撤回 by the applicant (or recorded by an officer); counted under 其他处理—其他."""
    if officer is not None:
        require_duty(officer, request.body, D.OFFICER, action="登记撤回")
    elif user is None or request.user_id is None or user.pk != request.user_id:
        raise PermissionDenied("只有申请人本人可以撤回申请")
    today = clock.today()
    frm = request.status
    with transaction.atomic():
        ClockStop.objects.filter(request=request, end_on__isnull=True).update(end_on=today)
        guarded_update(request, allowed=list(OPEN_STATUSES), target=ReqStatus.WITHDRAWN, what="撤回",
                       labels=LABELS, result="other", reason=(reason or "申请人撤回申请").strip(), closed_on=today)
        gk_clocks.gk_clock_finish(request, reason=gk_clocks.WITHDRAWN, counts=False)
        _event(request, "withdraw", "撤回申请", frm, staff=officer, user=user, note=reason)
    return request


def requests_sweep() -> list[InfoRequest]:
    """The daily run: abandon every request whose 补正 or fee period ended before today."""
    today = clock.today()
    due = InfoRequest.objects.select_related("body__region").filter(
        Q(status=ReqStatus.SUPPLEMENT, supplement_deadline__lt=today)
        | Q(status=ReqStatus.FEE_NOTICE, fee_pay_due__lt=today))
    return [request_abandon(request=r) for r in due]


# -- 行政复议 and 行政诉讼 ---------------------------------------------------------------------------------------------


def appeal_record(*, request: InfoRequest, officer: Staff, kind: str, filed_on: dt.date, organ: str,
                  case_no: str = "", after_review: bool = False, note: str = "") -> Appeal:
    require_duty(officer, request.body, D.OFFICER, D.HEAD, action="登记行政复议或行政诉讼")
    if kind not in Appeal.Kind.values:
        raise DomainError("appeal_kind", "类型应为行政复议或行政诉讼")
    if after_review and kind != Appeal.Kind.SUIT:
        raise DomainError("after_review", "只有行政诉讼才区分是否经过复议")
    if request.closed_on is None:
        raise DomainError("not_replied", "申请尚未办结，不能登记针对答复的行政复议或行政诉讼", status=409)
    if filed_on < request.closed_on or filed_on > clock.today():
        raise DomainError("filed_on", "受理日期应在答复之后且不晚于今天")
    organ = (organ or "").strip()
    if not organ:
        raise DomainError("organ_required", "请填写复议机关或人民法院")
    case_no = (case_no or "").strip()
    for field, value, what in (("organ", organ, "复议机关或人民法院名称"), ("case_no", case_no, "案号")):
        limit = Appeal._meta.get_field(field).max_length
        if len(value) > limit:
            raise DomainError(field, f"{what}不能超过{limit}个字符")
    with transaction.atomic():
        appeal = Appeal.objects.create(request=request, kind=kind, after_review=after_review, filed_on=filed_on,
                                       organ=organ, case_no=case_no, note=(note or "").strip(),
                                       recorded_by=officer)
        RequestEvent.objects.create(request=request, action="appeal", at=clock.now(), label=f"登记{appeal.get_kind_display()}",
                                    from_status=request.status, to_status=request.status, note=organ,
                                    data={"appeal_id": appeal.pk}, **actor_fields(staff=officer))
    return appeal


def appeal_decide(*, appeal: Appeal, officer: Staff, outcome: str, decided_on: dt.date, note: str = "") -> Appeal:
    require_duty(officer, appeal.request.body, D.OFFICER, D.HEAD, action="登记复议或诉讼结果")
    if outcome not in Appeal.Outcome.values or outcome == Appeal.Outcome.PENDING:
        raise DomainError("outcome", "结果应为结果维持、结果纠正或其他结果")
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise DomainError("already_decided", "该案件已登记审结结果", status=409)
    if decided_on < appeal.filed_on or decided_on > clock.today():
        raise DomainError("decided_on", "审结日期应在受理之后且不晚于今天")
    with transaction.atomic():
        n = Appeal.objects.filter(pk=appeal.pk, outcome=Appeal.Outcome.PENDING).update(
            outcome=outcome, decided_on=decided_on, note=(note or appeal.note).strip())
        if n != 1:
            raise DomainError("conflict", "记录刚刚被其他人更新，请刷新后重试", status=409)
        appeal.outcome, appeal.decided_on = outcome, decided_on
        RequestEvent.objects.create(request=appeal.request, action="appeal_decided", at=clock.now(),
                                    label=f"{appeal.get_kind_display()}审结", from_status=appeal.request.status,
                                    to_status=appeal.request.status, note=appeal.get_outcome_display(),
                                    data={"appeal_id": appeal.pk}, **actor_fields(staff=officer))
    return appeal
