"""Every write of 好差评, one function per action, each a single transaction.

Shape (as in ``cases/services/``): check in memory (state, the actor's role and scope, the
input) → one guarded UPDATE (``WHERE id = … AND status = …``; of two people acting at once
exactly one wins) → the rows the action adds → one ``RatingEvent`` row. Messages go out
when the transaction commits (``zhengwu.core.notify``). A refusal is a ``DomainError`` with
a Chinese message, raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.models import Channel as CaseChannel
from zhengwu.cases.models import Status as CaseStatus
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import staff_can_act_at, staff_can_read_region
from zhengwu.workdays import engine

from .models import (
    BAD_MAX,
    DIMENSIONS,
    Appeal,
    AppealReason,
    AppealStatus,
    CallbackResult,
    Channel,
    Finding,
    Kind,
    Level,
    Rating,
    RatingEvent,
    RatingInvite,
    RatingPolicy,
    Rectification,
    RectificationStatus,
)

FINISHED = [CaseStatus.COMPLETED, CaseStatus.DELIVERED]
RS = RectificationStatus


# -- policy -------------------------------------------------------------------------------------------


def policy_get() -> RatingPolicy:
    """The admin's row, or the defaults (an unsaved row) while there is none."""
    return RatingPolicy.objects.filter(key="default").first() or RatingPolicy()


# -- helpers ------------------------------------------------------------------------------------------


def rating_kind_for_case(case: Case) -> str:
    """一事一评 for a case applied for online, 一次一评 for one taken in at a window or station."""
    return Kind.ONLINE if case.channel == CaseChannel.ONLINE else Kind.HALL


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****"


def _event(rating: Rating, action: str, label: str, *, frm: str = "", to: str = "", staff: Staff | None = None,
           user=None, note: str = "") -> RatingEvent:
    return RatingEvent(
        rating_id=rating.pk, at=clock.now(), action=action, label=label, from_status=frm, to_status=to,
        actor_id=staff.user_id if staff else (user.pk if user is not None and user.is_authenticated else None),
        actor_name=staff.name if staff else "", note=note,
    )


def _clean_levels(kind: str, overall, dims: dict | None) -> dict[str, int | None]:
    """{field: level} for the kind's dimensions; ``overall`` is required, the others optional."""
    names = [n for n, _ in DIMENSIONS[Kind(kind)]]
    unknown = set(dims or {}) - set(names)
    if unknown:
        raise DomainError("dimension", f"{Kind(kind).label}没有这些评价维度：{'、'.join(sorted(unknown))}")
    values = {"overall": overall, **{k: v for k, v in (dims or {}).items() if k != "overall"}}
    labels = dict(DIMENSIONS[Kind(kind)])
    out: dict[str, int | None] = {}
    for name in names:
        v = values.get(name)
        if v in (None, "") and name != "overall":
            out[name] = None
            continue
        try:
            level = int(v)
        except (TypeError, ValueError):
            level = 0
        if level not in Level.values:
            raise DomainError("level", f"请为“{labels[name]}”选择非常满意、满意、基本满意、不满意或非常不满意")
        out[name] = level
    return out


def _department_heads(department_id, hall: Hall) -> list[Staff]:
    """Who answers for a 差评: the department's heads over the hall's region, else the hall's admins."""
    if department_id is not None:
        heads = [s for s in Staff.objects.select_related("region").filter(
            department_id=department_id, is_active=True, roles__code=Role.DEPT_HEAD).distinct()
            if hall.region.code.startswith(s.region.code_prefix)]
        if heads:
            return heads
    return list(Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.HALL_ADMIN))


# -- rating ---------------------------------------------------------------------------------------------


COMMENT_MAX = 1000


def rating_record(*, kind: str, channel: str, overall: int, dims: dict | None = None, comment: str = "",
                  case: Case | None = None, window: Window | None = None, officer: Staff | None = None,
                  ticket_ref: str = "", user=None, invite: RatingInvite | None = None,
                  contact_phone: str = "", hall: Hall | None = None, department_id: int | None = None) -> Rating:
    """Record one rating (评价). A 差评 (overall ≤ 2) opens its rectification in the same transaction.

    ``case``: the finished case rated (required for 一事一评). ``ticket_ref``: a hall queue ticket
    rated at the pad without a case. ``user``: a logged-in applicant rating on the web — must be
    the case's applicant. ``invite``: the one-use link the rating came through. ``hall`` and
    ``department_id``: the unit a 12345 回访 rates (channel ``12345``, no case or window; ``ticket_ref``
    names the work order).
    """
    if kind not in Kind.values:
        raise DomainError("kind", "评价类型应为现场服务或网上服务")
    if channel not in Channel.values:
        raise DomainError("channel", "评价渠道应为评价器、网上评价、短信链接、二维码或12345热线")
    levels = _clean_levels(kind, overall, dims)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        # Refused, never cut: a rater must know that what they wrote was not kept whole.
        raise DomainError("comment_too_long", f"评价意见不能超过 {COMMENT_MAX} 字（现有 {len(comment)} 字），请删减后再提交")
    ticket_ref = (ticket_ref or "").strip()
    if case is None and not ticket_ref:
        raise DomainError("nothing_to_rate", "没有可评价的办件或排队服务")
    if kind == Kind.ONLINE and case is None:
        raise DomainError("online_needs_case", "网上服务评价须针对具体办件（一事一评）")
    if channel in (Channel.WEB, Channel.SMS) and case is None:
        raise DomainError("case_required", "网上评价和短信评价须针对具体办件")
    if channel == Channel.SMS and invite is None:
        raise DomainError("invite_required", "短信评价须通过评价链接提交")
    if case is not None:
        if case.status not in FINISHED:
            raise DomainError("case_not_finished",
                              f"办件当前状态为“{CaseStatus(case.status).label}”，办结后才能评价", status=409)
        if channel == Channel.WEB and (user is None or case.applicant_user_id != user.pk):
            raise PermissionDenied("只有申请人本人可以评价该办件", code="not_applicant")
        window = window or case.accepted_window
        officer = officer or case.accepted_by
        hall = case.hall
        department_id = case.department_id
    elif channel == Channel.HOTLINE and window is None and hall is not None:
        pass  # a 12345 回访 of a work order (``ticket_ref`` = the order and round): the handling unit given
    else:
        if window is None:
            raise DomainError("window_required", "排队服务评价须指明窗口")
        hall = window.hall
        department_id = window.department_id or (officer.department_id if officer else None)
    if invite is not None and (case is None or invite.case_id != case.pk or invite.kind != kind):
        raise DomainError("invite_mismatch", "评价链接与所评价的办件不符")
    if case is not None and Rating.objects.filter(case=case, kind=kind).exists():
        raise DomainError("already_rated", "该办件已经评价过，每件只能评价一次", status=409)

    now = clock.now()
    today = clock.today()
    is_bad = levels["overall"] <= BAD_MAX
    pol = policy_get() if is_bad else None
    # A second rating of one ticket (排队号, 12345 工单轮次) is refused by the partial unique constraint, not
    # by a read first. Inside a caller's transaction no savepoint is taken: the refusal (a DomainError)
    # aborts the caller's transaction anyway.
    try:
        with transaction.atomic(savepoint=not transaction.get_connection().in_atomic_block):
            if invite is not None:
                used = RatingInvite.objects.filter(pk=invite.pk, used_at__isnull=True, expires_at__gt=now).update(
                    used_at=now)
                if used != 1:
                    raise _invite_refusal(RatingInvite.objects.get(pk=invite.pk), now)
                invite.used_at = now
            rating = Rating.objects.create(
                kind=kind, channel=channel, comment=comment, is_bad=is_bad, case=case,
                ticket_ref=ticket_ref if case is None else "", hall=hall, window=window, officer=officer,
                department_id=department_id, invite=invite, rater_user=user if channel == Channel.WEB else None,
                contact_phone=(contact_phone or "").strip()[:20], rated_at=now, rated_on=today, **levels,
            )
            events = [_event(rating, "rate", "评价", user=user,
                             note=f"{Channel(channel).label}：{Level(levels['overall']).label}")]
            if is_bad:
                deadline = engine.due_date(today, pol.rectify_workdays, region=hall.region)
                Rectification.objects.create(
                    rating=rating, department_id=department_id, hall=hall, status=RS.VERIFY, opened_at=now,
                    opened_on=today, due_on=deadline.due, due_provisional=deadline.provisional,
                )
                events.append(_event(rating, "open", "生成差评整改", to=RS.VERIFY,
                                     note=f"整改期限 {deadline.due:%Y-%m-%d}"))
                for head in _department_heads(department_id, hall):
                    if head.phone:
                        notify(Message(
                            to_phone=head.phone, to_user_id=head.user_id, kind="rating_bad",
                            text=f"【好差评】{hall.name}收到一条差评，请在整改期限（{deadline.due:%Y年%m月%d日}）内完成核实、整改和回访。",
                            data={"rating_id": rating.pk},
                        ))
                if officer is not None and officer.phone:
                    last = engine.add_workdays(today, pol.appeal_workdays, region=hall.region)
                    notify(Message(
                        to_phone=officer.phone, to_user_id=officer.user_id, kind="rating_bad_officer",
                        text=f"【好差评】您收到一条差评。如属误评或恶意差评，可申请复核，截止日期为{last:%Y年%m月%d日}。",
                        data={"rating_id": rating.pk},
                    ))
            RatingEvent.objects.bulk_create(events)
    except IntegrityError as exc:  # the unique constraints: this ticket (or case) is rated already
        if ticket_ref and case is None:
            raise DomainError("already_rated", "该排队号的服务已经评价过", status=409) from exc
        raise DomainError("already_rated", "该服务已经评价过，每次服务只能评价一次", status=409) from exc
    return rating


def _invite_refusal(invite: RatingInvite, now: dt.datetime) -> DomainError:
    if invite.used_at is not None:
        return DomainError("invite_used", "该评价链接已经使用过，每个链接只能评价一次", status=410)
    if invite.expires_at <= now:
        return DomainError("invite_expired", "该评价链接已过期", status=410)
    return DomainError("invite_invalid", "评价链接无效", status=410)


def invite_check(invite: RatingInvite) -> None:
    """Refuse a used or expired invitation before showing its form."""
    now = clock.now()
    if invite.used_at is not None or invite.expires_at <= now:
        raise _invite_refusal(invite, now)


# -- invitations (智能邀评) ------------------------------------------------------------------------------


def _invite_text(case: Case, raw: str, valid_days: int) -> str:
    base = getattr(settings, "ZHENGWU_SITE_URL", "").rstrip("/")
    link = base + reverse("ratings:invite", args=[raw])
    return (f"【{settings.ZHENGWU_SITE_NAME}】您申请的“{case.item_version.name}”已办结，请对本次服务作出评价："
            f"{link} （{valid_days}天内有效，仅可使用一次）")


def rating_invite_issue(*, case: Case, channel: str = Channel.QR, issued_by=None) -> tuple[RatingInvite, str]:
    """A one-use rating link for one finished case: sent by SMS, or printed as a QR code for the
    applicant at the window (``issued_by``: the member of staff printing it, recorded).

    Returns the invitation and its token (only the token's hash is stored). Printing a QR code
    again (the slip got lost, the printer jammed) gives the case's unused QR invitation a new token
    and a new expiry; the old slip stops working. An SMS invitation is never replaced by a slip:
    that would kill the applicant's own link and put a usable one in the officer's hands.
    """
    if channel not in (Channel.SMS, Channel.QR):
        raise DomainError("channel", "邀评方式应为短信链接或二维码")
    if case.status not in FINISHED:
        raise DomainError("case_not_finished", "办件办结后才能邀请评价", status=409)
    kind = rating_kind_for_case(case)
    if Rating.objects.filter(case=case, kind=kind).exists():
        raise DomainError("already_rated", "该办件已经评价过", status=409)
    existing = RatingInvite.objects.filter(case=case, kind=kind).first()
    if existing is not None and (channel == Channel.SMS or existing.used_at is not None):
        raise DomainError("already_invited", "该办件已发出过评价邀请", status=409)
    if existing is not None and existing.channel == Channel.SMS:
        raise DomainError("invited_by_sms", f"已通过短信向申请人（{existing.sent_to}）发送评价链接，"
                                            "请提醒申请人查看短信，不再打印评价二维码", status=409)
    pol = policy_get()
    now = clock.now()
    raw = secrets.token_urlsafe(24)
    expires = now + dt.timedelta(days=pol.invite_valid_days)
    try:
        with transaction.atomic():
            if existing is not None:  # a QR code printed again: same invitation, new token
                rotated = RatingInvite.objects.filter(pk=existing.pk, channel=Channel.QR, used_at__isnull=True).update(
                    token_hash=hash_token(raw), created_at=now, expires_at=expires, issued_by=issued_by)
                if rotated != 1:
                    raise DomainError("already_invited", "该办件已发出过评价邀请", status=409)
                existing.refresh_from_db()
                return existing, raw
            invite = RatingInvite.objects.create(
                case=case, kind=kind, channel=channel, token_hash=hash_token(raw),
                sent_to=mask_phone(case.contact_phone) if channel == Channel.SMS else "", created_at=now,
                expires_at=expires, issued_by=issued_by if channel == Channel.QR else None)
            if channel == Channel.SMS:
                notify(Message(to_phone=case.contact_phone, to_user_id=case.applicant_user_id, kind="rating_invite",
                               text=_invite_text(case, raw, pol.invite_valid_days), data={"case_no": case.case_no}))
    except IntegrityError as exc:
        raise DomainError("already_invited", "该办件已发出过评价邀请", status=409) from exc
    return invite, raw


def rating_invite_send_due(*, limit: int = 5000) -> list[RatingInvite]:
    """智能邀评 sweep: invite by SMS every case finished N days ago and not yet rated nor invited.

    N and the oldest finish date considered come from ``RatingPolicy``. Idempotent: a case is
    invited at most once per kind (a unique constraint), so running it twice sends nothing new.
    """
    pol = policy_get()
    today = clock.today()
    newest = today - dt.timedelta(days=pol.invite_after_days)
    oldest = today - dt.timedelta(days=pol.invite_max_age_days)
    candidates = list(
        Case.objects.filter(status__in=FINISHED, completed_on__lte=newest, completed_on__gte=oldest)
        .exclude(contact_phone="")
        .select_related("item_version")
        .order_by("completed_on", "id")[: limit * 2]
    )
    if not candidates:
        return []
    ids = [c.pk for c in candidates]
    rated = set(Rating.objects.filter(case_id__in=ids).values_list("case_id", "kind"))
    invited = set(RatingInvite.objects.filter(case_id__in=ids).values_list("case_id", "kind"))
    now = clock.now()
    expires = now + dt.timedelta(days=pol.invite_valid_days)
    todo: list[tuple[Case, RatingInvite, str]] = []
    for case in candidates:
        kind = rating_kind_for_case(case)
        if (case.pk, kind) in rated or (case.pk, kind) in invited:
            continue
        raw = secrets.token_urlsafe(24)
        todo.append((case, RatingInvite(case=case, kind=kind, channel=Channel.SMS, token_hash=hash_token(raw),
                                        sent_to=mask_phone(case.contact_phone), created_at=now,
                                        expires_at=expires), raw))
        if len(todo) >= limit:
            break
    if not todo:
        return []
    with transaction.atomic():
        # A concurrent sweep may have invited some of these meanwhile: skip them, then read back
        # which of our tokens were stored and message exactly those.
        RatingInvite.objects.bulk_create([i for _, i, _ in todo], ignore_conflicts=True)
        mine = {h: pk for h, pk in RatingInvite.objects.filter(
            token_hash__in=[i.token_hash for _, i, _ in todo]).values_list("token_hash", "pk")}
        created = []
        for case, invite, raw in todo:
            if invite.token_hash not in mine:
                continue
            invite.pk = mine[invite.token_hash]
            created.append(invite)
            notify(Message(to_phone=case.contact_phone, to_user_id=case.applicant_user_id, kind="rating_invite",
                           text=_invite_text(case, raw, pol.invite_valid_days), data={"case_no": case.case_no}))
    return created


# -- rectification (整改) ---------------------------------------------------------------------------------


def staff_may_handle_rectification(staff: Staff, rect: Rectification) -> bool:
    """The department's head (over the hall's region), its 首席代表 in that hall, or the hall's admin;
    never the rated officer."""
    if not staff.is_active or staff.pk == rect.rating.officer_id:
        return False
    codes = staff.role_codes()
    if Role.HALL_ADMIN in codes and staff.hall_id == rect.hall_id:
        return True
    if (Role.CHIEF_REP in codes and rect.department_id is not None and staff.department_id == rect.department_id
            and staff.hall_id == rect.hall_id):
        return True
    return (Role.DEPT_HEAD in codes and rect.department_id is not None
            and staff_can_act_at(staff, department_id=rect.department_id, hall=rect.hall))


def _rect_step(rect: Rectification, head: Staff, *, sources: list[str], target: str, action: str, label: str,
               note: str, guard: Q | None = None, **changes) -> Rectification:
    if not staff_may_handle_rectification(head, rect):
        raise PermissionDenied("只有责任部门负责人、首席代表或大厅管理员可以办理差评整改", code="not_rect_handler")
    if rect.status not in sources:
        raise DomainError("bad_state", f"整改当前状态为“{RS(rect.status).label}”，不能{label}", status=409)
    with transaction.atomic():
        rows = Rectification.objects.filter(pk=rect.pk, status=rect.status)
        if guard is not None:
            rows = rows.filter(guard)
        n = rows.update(status=target, **changes)
        if n != 1:
            raise DomainError("conflict", "该整改刚刚被其他人更新，请刷新后重试", status=409)
        frm = rect.status
        rect.status = target
        for k, v in changes.items():
            setattr(rect, k, v)
        _event(rect.rating, action, label, frm=frm, to=target, staff=head, note=note).save()
    return rect


def rectification_verify(*, rectification: Rectification, head: Staff, finding: str, note: str) -> Rectification:
    """核实: what the department found when it looked into the 差评."""
    if finding not in Finding.values:
        raise DomainError("finding", "请选择核实结论：情况属实、部分属实或情况不属实")
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "请填写核实情况")
    return _rect_step(rectification, head, sources=[RS.VERIFY], target=RS.RECTIFY, action="verify", label="核实",
                      note=f"{Finding(finding).label}：{note}", finding=finding, verify_note=note,
                      verified_at=clock.now(), verified_by=head)


def rectification_rectify(*, rectification: Rectification, head: Staff, measures: str) -> Rectification:
    """整改: the measures taken (published on the 评价结果公开 page)."""
    measures = (measures or "").strip()
    if not measures:
        raise DomainError("measures_required", "请填写整改措施")
    return _rect_step(rectification, head, sources=[RS.RECTIFY], target=RS.CALLBACK, action="rectify",
                      label="整改", note=measures, measures=measures, rectified_at=clock.now(), rectified_by=head)


def rectification_callback(*, rectification: Rectification, head: Staff, result: str,
                           note: str = "") -> Rectification:
    """回访: the rater was called back; the result (满意/基本满意/不满意) is required."""
    if result not in CallbackResult.values:
        raise DomainError("callback_result", "请选择回访结果：满意、基本满意或不满意")
    note = (note or "").strip()
    return _rect_step(rectification, head, sources=[RS.CALLBACK], target=RS.CALLBACK, action="callback",
                      label="回访", note=f"{CallbackResult(result).label}{'：' + note if note else ''}",
                      callback_result=result, callback_note=note, callback_at=clock.now(), callback_by=head)


def rectification_close(*, rectification: Rectification, head: Staff, note: str = "") -> Rectification:
    """办结: only after the call-back result is recorded."""
    if rectification.status == RS.CALLBACK and not rectification.callback_result:
        raise DomainError("callback_required", "尚未回访评价人，请先登记回访结果后再办结", status=409)
    return _rect_step(rectification, head, sources=[RS.CALLBACK], target=RS.CLOSED, action="close", label="办结",
                      note=(note or "").strip(), guard=~Q(callback_result=""), closed_at=clock.now(),
                      closed_on=clock.today(), closed_by=head)


# -- appeal (申诉复核) ------------------------------------------------------------------------------------


def appeal_file(*, rating: Rating, officer: Staff, reason: str, statement: str) -> Appeal:
    """The rated officer appeals a 差评 as mistaken or malicious, within the policy's working days."""
    if rating.officer_id is None or rating.officer_id != officer.pk:
        raise PermissionDenied("只有被评价的工作人员本人可以对该评价提出申诉", code="not_rated_officer")
    if not rating.is_bad:
        raise DomainError("not_bad", "只能对差评提出申诉")
    if rating.excluded:
        raise DomainError("already_excluded", "该评价已不计入统计", status=409)
    if reason not in AppealReason.values:
        raise DomainError("reason", "请选择申诉理由")
    statement = (statement or "").strip()
    if not statement:
        raise DomainError("statement_required", "请写明申诉的事实和理由")
    if Appeal.objects.filter(rating=rating).exists():
        raise DomainError("already_appealed", "该评价已经申诉过，不能重复申诉", status=409)
    pol = policy_get()
    last_day = engine.add_workdays(rating.rated_on, pol.appeal_workdays, region=rating.hall.region)
    if clock.today() > last_day:
        raise DomainError("appeal_late", f"申诉期限已过（申诉截止日为{last_day:%Y年%m月%d日}）", status=409)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(rating=rating, officer=officer, reason=reason, statement=statement,
                                           filed_at=clock.now())
            _event(rating, "appeal", "提出申诉", to=AppealStatus.PENDING, staff=officer,
                   note=f"{AppealReason(reason).label}：{statement}").save()
    except IntegrityError as exc:
        raise DomainError("already_appealed", "该评价已经申诉过，不能重复申诉", status=409) from exc
    return appeal


def staff_may_decide_appeal(staff: Staff, appeal: Appeal) -> bool:
    return (staff.is_active and staff.has_role(Role.SUPERVISOR) and staff.pk != appeal.officer_id
            and staff_can_read_region(staff, appeal.rating.hall.region))


def appeal_decide(*, appeal: Appeal, supervisor: Staff, upheld: bool, note: str) -> Appeal:
    """复核 by a 效能监察员. Upheld: the rating leaves the metrics and assessment, and its open
    rectification is cancelled. Rejected: the rating stands."""
    if not staff_may_decide_appeal(supervisor, appeal):
        raise PermissionDenied("申诉须由辖区效能监察员复核", code="not_supervisor")
    if appeal.status != AppealStatus.PENDING:
        raise DomainError("bad_state", f"该申诉已复核（{AppealStatus(appeal.status).label}）", status=409)
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "请填写复核意见")
    target = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    now = clock.now()
    rating = appeal.rating
    with transaction.atomic():
        n = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.PENDING).update(
            status=target, decided_by=supervisor, decided_at=now, decision_note=note)
        if n != 1:
            raise DomainError("conflict", "该申诉刚刚被其他人复核，请刷新", status=409)
        events = [_event(rating, "appeal_decide", AppealStatus(target).label, frm=AppealStatus.PENDING, to=target,
                         staff=supervisor, note=note)]
        if upheld:
            Rating.objects.filter(pk=rating.pk).update(excluded=True)
            rating.excluded = True
            cancelled = Rectification.objects.filter(rating=rating).exclude(status=RS.CLOSED).update(
                status=RS.CANCELLED)
            if cancelled:
                events.append(_event(rating, "cancel", "撤销整改", to=RS.CANCELLED, staff=supervisor,
                                     note="申诉成立，差评不计入统计"))
        RatingEvent.objects.bulk_create(events)
        officer = appeal.officer
        if officer.phone:
            notify(Message(to_phone=officer.phone, to_user_id=officer.user_id, kind="appeal_decided",
                           text=f"【好差评】您对{rating.rated_on:%m月%d日}差评的申诉已复核：{AppealStatus(target).label}。",
                           data={"appeal_id": appeal.pk}))
    appeal.status, appeal.decided_by, appeal.decided_at, appeal.decision_note = target, supervisor, now, note
    return appeal
