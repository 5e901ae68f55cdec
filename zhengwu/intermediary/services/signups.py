"""Sign-ups (报名) while a purchase is open: who may sign up, with which quote, and withdrawing.

Only an admitted agency whose offering of the service is active and whose qualification is valid
(``rules.agency_eligibility``) signs up, once, before the deadline. The quote follows the purchase: 竞价 with a
price range needs a quote inside [最低限价, 最高限价], 竞价 with a 下浮率 a rate inside [0, 最大下浮率]; 随机选取
and 信用择优 take no quote; 直接选取 and 方案择优 may quote (inside the range); 方案择优 needs the proposal (PDF).
The agency's credit score is copied at sign-up (信用择优 ranks by it).

Who signed up stays secret until the selection: the event row of a sign-up is the agency's own (it names the
purchase in its data, it is not attached to the purchase's public log).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.uploads import check_upload

from ..models import Agency, Mode, PriceMode, Purchase, Signup, SignupStatus
from . import common, selection
from .purchases import money
from .rules import agency_eligibility

__all__ = ["signup_create", "signup_withdraw"]

PROPOSAL_TYPES = ("pdf",)


def _agency_for(user, agency_id) -> Agency:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录中介机构经办人账号")
    mine = user.intermediary_agencies.all()
    if agency_id not in (None, ""):
        try:
            agency = mine.filter(pk=int(agency_id)).first()
        except (TypeError, ValueError):
            agency = None
        if agency is None:
            raise PermissionDenied("您不是该中介机构的经办人")
        return agency
    agencies = list(mine.order_by("pk")[:2])
    if not agencies:
        raise PermissionDenied("您不是中介机构的经办人")
    if len(agencies) > 1:
        raise DomainError("intermediary_agency_required", "您是多个中介机构的经办人，请选择以哪个机构报名")
    return agencies[0]


def _deadline_check(p: Purchase, label: str) -> None:
    if clock.now() >= p.signup_deadline:
        at = p.signup_deadline.astimezone(common.SHANGHAI)
        raise DomainError("intermediary_signup_closed", f"报名已于{at:%Y年%m月%d日 %H:%M}截止，不能{label}")


def _quote_check(p: Purchase, quote, discount) -> tuple[Decimal | None, Decimal | None]:
    quote = money(quote, "报价", code="intermediary_quote")
    discount = money(discount, "下浮率", code="intermediary_quote")
    rule = selection.rule_of(p.mode, p.bidding_rule, p.merit_rule)
    if rule in ("random", "credit"):
        if quote is not None or discount is not None:
            raise DomainError("intermediary_quote", f"该采购项目采用{p.get_mode_display()}，报名时无需报价")
        return None, None
    if p.price_mode == PriceMode.FIXED:
        if quote is not None or discount is not None:
            raise DomainError("intermediary_quote", f"该采购项目为固定价格{p.price_fixed}元，报名时无需报价")
        return None, None
    if p.price_mode == PriceMode.DISCOUNT:
        if quote is not None:
            raise DomainError("intermediary_quote", "该采购项目以下浮率报价，请填写下浮率（%）而不是金额")
        if discount is None:
            if p.mode == Mode.BIDDING:
                raise DomainError("intermediary_quote", "竞价选取须填写下浮率（%）")
            return None, None
        if discount > p.discount_max:
            raise DomainError("intermediary_quote",
                              f"下浮率{discount}%不在采购公告的范围（0–{p.discount_max}%）内")
        return None, discount
    if discount is not None:
        raise DomainError("intermediary_quote", "该采购项目以金额报价，请填写报价（元）而不是下浮率")
    if quote is None:
        if p.mode == Mode.BIDDING:
            raise DomainError("intermediary_quote", "竞价选取须填写报价（元）")
        return None, None
    lo = p.price_min or Decimal("0")
    if quote <= 0 or quote < lo or quote > p.price_max:
        raise DomainError("intermediary_quote", f"报价{quote}元不在采购公告的价格区间（{lo}–{p.price_max}元）内")
    return quote, None


def signup_create(*, purchase_id: int, user, quote=None, discount=None, proposal=None, agency_id=None) -> Signup:
    """报名 by a member of an eligible agency, before the deadline, once (a withdrawn sign-up may sign up
    again); the quote and proposal as the purchase asks."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "signup", user)
        agency = _agency_for(user, agency_id)
        _deadline_check(p, "报名")
        why = agency_eligibility(agency, p.service, p.qualification, on=clock.today())
        if why:
            raise DomainError("intermediary_ineligible", why)
        existing = Signup.objects.filter(purchase=p, agency=agency).first()
        if existing is not None and existing.status != SignupStatus.WITHDRAWN:
            raise DomainError("intermediary_signed_up", f"{agency.name}已报名该采购项目")
        quote, discount = _quote_check(p, quote, discount)
        is_proposal = selection.rule_of(p.mode, p.bidding_rule, p.merit_rule) == "proposal"
        if is_proposal:
            if not proposal:
                raise DomainError("intermediary_proposal", "方案择优须上传服务方案（PDF）")
            check_upload(proposal, allowed_types=PROPOSAL_TYPES)
        elif proposal:
            raise DomainError("intermediary_proposal", f"该采购项目采用{p.get_mode_display()}，无需上传服务方案")
        now = clock.now()
        s = existing or Signup(purchase=p, agency=agency)
        s.at, s.by, s.quote, s.discount = now, user, quote, discount
        s.credit_score, s.status, s.rank = agency.credit_score, SignupStatus.VALID, None
        if is_proposal:
            s.proposal = proposal
        s.save()
        common.event_record(agency=agency, action="signup", actor=user, note=p.code,
                            data={"purchase": p.code, "signup_id": s.pk}, at=now)
    return s


def signup_withdraw(*, purchase_id: int, user, agency_id=None) -> Signup:
    """撤回报名 before the deadline."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "withdraw_signup", user)
        agency = _agency_for(user, agency_id)
        _deadline_check(p, "撤回报名")
        s = Signup.objects.filter(purchase=p, agency=agency, status=SignupStatus.VALID).first()
        if s is None:
            raise DomainError("intermediary_no_signup", f"{agency.name}没有该采购项目的有效报名")
        s.status = SignupStatus.WITHDRAWN
        s.save(update_fields=["status"])
        common.event_record(agency=agency, action="withdraw_signup", actor=user, note=p.code,
                            data={"purchase": p.code, "signup_id": s.pk})
    return s
