"""认领办件: linking a case taken in at a window or by a village agent to the applicant's web account.

Accounts are opened without a verified identity, so a self-declared ID number proves nothing.
The claim therefore takes two things: the case number with the applicant's credential as
recorded on the case (a person's 身份证号; for an enterprise its 统一社会信用代码 and the legal
representative's name), and a one-time code sent by SMS to the contact phone recorded on the
case at intake. Whoever reads that phone's messages is the applicant the window dealt with.

A wrong case/credential pair is answered exactly like a missing case. Sending is throttled per
account, per client and per case in the shared cache; a code lives ten minutes, works once,
is stored only as an HMAC, and dies after five wrong entries (counted in the database).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from zhengwu.core import clock, fastsql, throttle
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.notify import Message, notify
from zhengwu.core.services import audit_record
from zhengwu.core.validators import mask_phone, validate_id_number, validate_uscc

from .models import CLAIM_CODE_TRIES, ApplicantKind, Case, CaseEvent, ClaimCode
from .selectors import case_no_normal
from .transitions import APPLICANT

CLAIM_CODE_MINUTES = 10
CLAIM_SEND_WINDOW = 3600  # the throttles below count sends within this many seconds
CLAIM_SENDS_PER_USER = 5  # every request counts, wrong pairs too: guessing costs a send
CLAIM_SENDS_PER_CLIENT = 20
CLAIM_SENDS_PER_CASE = 3  # codes actually sent to one case's phone (no SMS flooding of a citizen)

NOT_FOUND_MESSAGE = "未找到与该办件编号和证件信息匹配的办件，请核对后重试"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CODE = re.compile(r"^\d{6}$")
_HMAC_SALT = "zhengwu.cases.claims.code"


@dataclass(frozen=True)
class ClaimSent:
    case_no: str
    phone: str  # masked: 138****5678
    expires_at: dt.datetime
    related: int  # other unclaimed cases with the same credential and phone, claimable with the same code


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def _throttled(scope: str, who: str, limit: int) -> None:
    """Count one send in ``scope`` (before it happens, so parallel requests cannot pass the same count)."""
    try:
        throttle.attempt(scope, who, limit=limit, window=CLAIM_SEND_WINDOW)
    except DomainError:
        raise DomainError("too_many_attempts", f"获取验证码过于频繁，请{CLAIM_SEND_WINDOW // 60}分钟后再试",
                          status=429) from None


def _credential_matches(case: Case | None, *, id_number: str, uscc: str, legal_rep: str, phone: str) -> bool:
    if case is None:
        return False
    if uscc:  # the credit code and the legal representative are public: the recorded phone is the secret
        return (case.applicant_kind == ApplicantKind.LEGAL and case.uscc.upper() == uscc
                and case.legal_rep.strip() == legal_rep and case.contact_phone == phone)
    return case.applicant_kind == ApplicantKind.PERSON and case.id_number.upper() == id_number


def _related(case: Case, phone: str) -> QuerySet[Case]:
    """The applicant's other unclaimed cases: same kind, same credential, same recorded phone."""
    qs = Case.objects.filter(applicant_kind=case.applicant_kind, contact_phone=phone, applicant_user__isnull=True)
    if case.applicant_kind == ApplicantKind.LEGAL:
        qs = qs.filter(uscc=case.uscc, legal_rep=case.legal_rep)
    else:
        qs = qs.filter(id_number=case.id_number)
    return qs.exclude(pk=case.pk)


def _link(c: Case, *, user, now, request, retry: str, note: str, data: dict, summary: str) -> None:
    """Link one case to ``user`` by a guarded update (a concurrent change refuses), with its event and audit row."""
    if fastsql.update_guarded(Case, pk=c.pk, version=c.row_version, values={"applicant_user": user}) != 1:
        raise DomainError("conflict", f"办件刚刚被其他人更新，{retry}", status=409)
    c.applicant_user, c.row_version = user, c.row_version + 1
    CaseEvent.objects.create(case=c, at=now, action="claim", from_status=c.status, to_status=c.status, actor=user,
                             actor_name=user.display_name, role=APPLICANT, note=note, data=data)
    audit_record(actor=user, action="update", obj=c, request=request,
                 summary=f"办件 {c.case_no} 由网上账号 {user.username} {summary}")


def _refuse_linked(case: Case, user) -> None:
    if case.applicant_user_id == user.pk:
        raise DomainError("already_yours", "该办件已在您的“我的办件”中，无需认领", status=409)
    if case.applicant_user_id is not None:
        raise DomainError("already_claimed", "该办件已关联其他网上账号，不能再认领。如需变更，请申请人携带身份证件"
                          "（企业另带营业执照和授权委托书）到受理窗口办理。", status=409)


def case_claim_start(*, user, case_no: str, id_number: str = "", uscc: str = "", legal_rep: str = "",
                     phone: str = "", client: str = "") -> ClaimSent:
    """Step one: check the case number and credential, then text a one-time code to the case's phone."""
    case_no = case_no_normal(case_no)
    uscc, legal_rep = (uscc or "").strip().upper(), (legal_rep or "").strip()
    id_number = (id_number or "").strip().upper()
    if not case_no or len(case_no) > 40:
        raise DomainError("claim_input", "请输入办件编号（受理通知书或短信上的编号）")
    phone = (phone or "").strip()
    if uscc:
        uscc = validate_uscc(uscc)
        if not legal_rep or not phone:
            raise DomainError("claim_input", "企业办件请同时填写法定代表人姓名和申请时登记的联系电话")
    elif id_number:
        id_number = validate_id_number(id_number)
    else:
        raise DomainError("claim_input", "请填写申请时登记的身份证号；企业办件请填写统一社会信用代码和法定代表人姓名")
    _throttled("claim-user", str(user.pk), CLAIM_SENDS_PER_USER)
    _throttled("claim-client", client or "unknown", CLAIM_SENDS_PER_CLIENT)

    case = Case.objects.filter(case_no=case_no).first()
    if not _credential_matches(case, id_number=id_number, uscc=uscc, legal_rep=legal_rep, phone=phone):
        raise NotFound(NOT_FOUND_MESSAGE)
    _refuse_linked(case, user)
    phone = case.contact_phone
    if not _MOBILE.match(phone):
        raise DomainError("no_mobile", "该办件登记的联系电话不是手机号码，收不到验证码。请携带身份证件到受理窗口办理关联。",
                          status=409)
    _throttled("claim-case", str(case.pk), CLAIM_SENDS_PER_CASE)

    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    now = clock.now()
    with transaction.atomic():
        claim = ClaimCode.objects.create(user=user, case=case, phone=phone, salt=salt,
                                         code_hash=_code_hash(salt, code), created_at=now,
                                         expires_at=now + dt.timedelta(minutes=CLAIM_CODE_MINUTES))
        # to the phone only (no in-app copy): the code proves control of that phone
        notify(Message(to_phone=phone, kind="case_claim_code", data={"case_no": case.case_no},
                       text=f"【{settings.ZHENGWU_SITE_NAME}】验证码{code}，用于将办件{case.case_no}关联到网上账号，"
                            f"{CLAIM_CODE_MINUTES}分钟内有效。如非本人操作，请勿告诉他人。"))
    return ClaimSent(case.case_no, mask_phone(phone), claim.expires_at, _related(case, phone).count())


def claim_pending(*, user, case_no: str) -> ClaimSent | None:
    """The code this user is waiting for on ``case_no`` (for the code-entry page), or None."""
    claim = (ClaimCode.objects.select_related("case").filter(user=user, case__case_no=case_no_normal(case_no))
             .order_by("-id").first())
    if claim is None or claim.used_at is not None or claim.expires_at <= clock.now() \
            or claim.attempts >= CLAIM_CODE_TRIES:
        return None
    return ClaimSent(claim.case.case_no, mask_phone(claim.phone), claim.expires_at,
                     _related(claim.case, claim.phone).count())


def case_claim_confirm(*, user, case_no: str, code: str, include_related: bool = False,
                       request=None) -> list[Case]:
    """Step two: the right code links the case (and, if asked, the applicant's other cases with the
    same credential and phone) to ``user`` in one transaction, each with an event and an audit row."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise DomainError("claim_input", "请输入短信中的6位数字验证码")
    claim = (ClaimCode.objects.filter(user=user, case__case_no=case_no_normal(case_no)).order_by("-id").first())
    now = clock.now()
    if claim is None or claim.used_at is not None:
        raise DomainError("claim_code_invalid", "验证码无效或已使用，请重新获取")
    if claim.expires_at <= now:
        raise DomainError("claim_code_expired", f"验证码已过期（{CLAIM_CODE_MINUTES}分钟内有效），请重新获取")
    locked = DomainError("claim_code_locked", "验证码输错次数过多，已失效，请重新获取", status=429)
    # The try is counted (and committed) before the code is compared: of concurrent tries none is a sixth.
    counted = ClaimCode.objects.filter(pk=claim.pk, used_at__isnull=True, attempts__lt=CLAIM_CODE_TRIES).update(
        attempts=F("attempts") + 1)
    if counted != 1:
        raise locked
    if not constant_time_compare(_code_hash(claim.salt, code), claim.code_hash):
        tries = ClaimCode.objects.filter(pk=claim.pk).values_list("attempts", flat=True).get()
        left = CLAIM_CODE_TRIES - tries
        if left <= 0:
            raise DomainError("claim_code_wrong", f"验证码不正确，已输错{CLAIM_CODE_TRIES}次，该验证码已失效，请重新获取")
        raise DomainError("claim_code_wrong", f"验证码不正确，还可以再试{left}次")

    with transaction.atomic():
        if ClaimCode.objects.filter(pk=claim.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise DomainError("claim_code_invalid", "验证码无效或已使用，请重新获取")
        case = Case.objects.select_for_update().get(pk=claim.case_id)
        if case.contact_phone != claim.phone:  # the recorded phone changed since the code went out
            raise DomainError("claim_code_invalid", "验证码无效或已使用，请重新获取")
        _refuse_linked(case, user)
        targets = [case]
        if include_related:
            targets += list(_related(case, claim.phone).select_for_update().order_by("submitted_at", "id"))
        masked = mask_phone(claim.phone)
        for c in targets:
            _link(c, user=user, now=now, request=request, retry="请重新获取验证码后再试",
                  note=f"短信验证码（发送至{masked}）核验通过",
                  data={"phone": masked, **({"with": case.case_no} if c is not case else {})},
                  summary=f"认领（短信验证码发送至 {masked}）")
        numbers = "、".join(c.case_no for c in targets)
        notify(Message(to_phone=claim.phone, kind="case_claimed", data={"case_no": case.case_no},
                       text=f"【{settings.ZHENGWU_SITE_NAME}】您的办件{numbers}已关联到网上账号“{user.username}”，"
                            f"可登录后在“我的办件”中查看。如非本人操作，请尽快联系受理窗口。"))
    return targets


# -- 统一身份认证: the identity service vouched for the 身份证号 -------------------------------------------


def _verified_number(user) -> str:
    from zhengwu.accounts.models import VerifiedIdentity

    identity = VerifiedIdentity.objects.filter(user=user).only("id_number").first()
    return identity.id_number if identity is not None else ""


def _verified_cases(number: str) -> QuerySet[Case]:
    return Case.objects.filter(applicant_kind=ApplicantKind.PERSON, id_number=number, applicant_user__isnull=True)


def claim_verified_count(*, user) -> int:
    """How many unlinked personal cases carry the 身份证号 the identity service verified for ``user``."""
    number = _verified_number(user)
    return _verified_cases(number).count() if number else 0


def case_claim_verified(*, user, request=None) -> list[Case]:
    """Link every unlinked personal case with the account's verified 身份证号 (统一身份认证) in one
    transaction, each with an event and an audit row; no SMS code: the identity service vouched for
    the person. The phones recorded on the cases are told, as after an SMS claim."""
    number = _verified_number(user)
    if not number:
        raise DomainError("claim_not_verified", "您的账号未经统一身份认证核验身份证号，请用短信验证码认领办件")
    now = clock.now()
    with transaction.atomic():
        targets = list(_verified_cases(number).select_for_update().order_by("submitted_at", "id"))
        if not targets:
            raise DomainError("claim_none", "没有登记您身份证号、尚未关联网上账号的办件", status=404)
        for c in targets:
            _link(c, user=user, now=now, request=request, retry="请稍后再试", note="统一身份认证核验身份证号后关联",
                  data={"verified": True}, summary="关联（统一身份认证核验身份证号）")
        for phone, cases in _by_phone(targets).items():
            numbers = "、".join(c.case_no for c in cases)
            notify(Message(to_phone=phone, kind="case_claimed", data={"case_no": cases[0].case_no},
                           text=f"【{settings.ZHENGWU_SITE_NAME}】您的办件{numbers}已关联到网上账号“{user.username}”"
                                f"（统一身份认证），可登录后在“我的办件”中查看。如非本人操作，请尽快联系受理窗口。"))
    return targets


def _by_phone(cases: list[Case]) -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {}
    for c in cases:
        if c.contact_phone:
            out.setdefault(c.contact_phone, []).append(c)
    return out
