"""A purchase (采购公告) from its creation to the selection, and the one dispatcher of purchase actions.

Each service is keyword-only and one transaction: it locks the purchase (``common.purchase_lock``), asks
``common.transition_check`` (status and who), checks the input before the first write (a refusal changes
nothing), saves with ``update_fields``, writes the ``Event`` row and starts or finishes the supervised clocks
(``zhengwu.supervision.clocks``, kinds in ``intermediary/clocks.py``).

- ``purchase_create``: a 待发布 purchase; the policy's rules (must-use, threshold, designation, minimum
  participants) are checked here and the minimum is stored on it.
- ``purchase_publish``: the sign-up period (≥ ``policy.signup_min_workdays`` 工作日) and, for every mode that
  draws, the commitment to the draw (``draws.seed_new``: the seed's SHA-256 published, the seed sealed).
- ``purchase_close_signup`` / ``purchase_select`` / ``purchase_pick``: 报名截止, the selection by the rules of
  ``selection`` (流标 below the minimum), the owner's choice from a 信用择优 short list. The selected agency's
  confirmation clock (CONFIRM) starts.
- ``purchase_cancel`` / ``purchase_republish`` (a new purchase copied from a failed, cancelled or terminated one).
- ``purchases_due_run``: the scheduled job (``intermediary_select``).
- ``purchase_act``: what the API and the pages call for ``POST …/purchases/{id}/actions/{action}``.

The contract, service and rating steps are in ``service``, the sign-ups in ``signups``.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.validators import validate_phone
from zhengwu.supervision import clocks as sv

from .. import clocks as kinds
from ..models import (
    BiddingRule,
    Funding,
    MeritRule,
    Mode,
    OwnerKind,
    PriceMode,
    Purchase,
    PurchaseCounter,
    PurchaseStatus,
    ServiceStatus,
    Signup,
    SignupStatus,
)
from ..transitions import TRANSITIONS
from . import common, draws, selection
from .rules import agency_eligibility

log = logging.getLogger(__name__)

__all__ = [
    "purchase_act", "purchase_cancel", "purchase_close_signup", "purchase_create", "purchase_pick",
    "purchase_publish", "purchase_republish", "purchase_select", "purchases_due_run",
]

AUTOMATIC = ("random", "lowest", "average", "credit")  # rules the scheduled job runs at the selection time


# -- input coercion (the dispatcher receives JSON or form values) -------------------------------------------


def money(value, label: str, *, code: str = "intermediary_amount", required: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(code, f"请填写{label}")
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(code, f"{label}格式不正确") from None
    if not amount.is_finite():
        raise DomainError(code, f"{label}格式不正确")
    if amount < 0:
        raise DomainError(code, f"{label}不能为负数")
    if amount >= Decimal("1e12"):
        raise DomainError(code, f"{label}过大")
    return amount.quantize(Decimal("0.01"))


def integer(value, label: str, *, code: str, lo: int = 0, hi: int = 32767) -> int:
    try:
        n = int(str(value).strip())
    except (ValueError, TypeError):
        raise DomainError(code, f"请填写{label}（整数）") from None
    if not lo <= n <= hi:
        raise DomainError(code, f"{label}应在{lo}至{hi}之间")
    return n


def a_date(value, label: str, *, code: str = "intermediary_date") -> dt.date:
    if isinstance(value, dt.datetime):
        return common.local_date(value) if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (ValueError, TypeError):
        raise DomainError(code, f"请填写{label}（如 2026-03-02）") from None


def a_moment(value, label: str, *, code: str = "intermediary_datetime") -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(code, f"请填写{label}（日期和时间，如 2026-03-09T17:00）") from None
    if not isinstance(value, dt.datetime):
        raise DomainError(code, f"请填写{label}（日期和时间）")
    return value if value.tzinfo else value.replace(tzinfo=common.SHANGHAI)


def boolean(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "是", "同意")
    return bool(value)


def text(value, label: str, *, code: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise DomainError(code, f"请填写{label}")
    if len(value) > limit:
        raise DomainError(code, f"{label}不能超过{limit}个字")
    return value


def owner_member(user, purchase: Purchase) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and purchase.owner.members.filter(pk=user.pk).exists()


def start_clock(purchase: Purchase, kind, due: dt.date, *, department=None):
    return sv.clock_start(kind=kind.code, subject=common.purchase_subject(purchase), region=purchase.region,
                          due_date=due, department=department if department is not None else purchase.service.department)


def finish_clock(purchase: Purchase, kind, reason: str, *, counts: bool = True) -> int:
    return sv.clock_finish(subject=common.purchase_subject(purchase), kind=kind.code if kind else None,
                           reason=reason, counts=counts)


# -- creation -------------------------------------------------------------------------------------------------


def _code_new(region, year: int) -> str:
    """ZJCG-2026-00001: a yearly sequence (a race-free upsert on ``PurchaseCounter``, kept on the root of
    the region's tree so the codes of a province's marketplaces never meet); a number taken is skipped."""
    root = region
    while root.parent_id is not None:
        root = root.parent
    table = PurchaseCounter._meta.db_table
    while True:
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {table} (region_id, year, last) VALUES (%s, %s, 1) "
                        f"ON CONFLICT (region_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                        [root.pk, year])
            seq = cur.fetchone()[0]
        code = f"ZJCG-{year}-{seq:05d}"
        if not Purchase.objects.filter(code=code).exists():
            return code


def _prices(*, price_mode, price_fixed, price_min, price_max, base_amount, discount_max) -> dict:
    if price_mode not in PriceMode.values:
        raise DomainError("intermediary_price_mode", "请选择报价方式（固定价格、价格区间或下浮率）")
    price_fixed = money(price_fixed, "固定价格", code="intermediary_price")
    price_min = money(price_min, "最低限价", code="intermediary_price")
    price_max = money(price_max, "最高限价", code="intermediary_price")
    base_amount = money(base_amount, "下浮基数", code="intermediary_price")
    discount_max = money(discount_max, "最大下浮率", code="intermediary_price")
    if price_mode == PriceMode.FIXED:
        if not price_fixed:
            raise DomainError("intermediary_price", "固定价格方式须填写大于零的固定价格")
        return dict(price_fixed=price_fixed, price_min=None, price_max=None, base_amount=None, discount_max=None)
    if price_mode == PriceMode.RANGE:
        if not price_max:
            raise DomainError("intermediary_price", "价格区间方式须填写大于零的最高限价")
        if price_min is not None and price_min > price_max:
            raise DomainError("intermediary_price", f"最低限价{price_min}元高于最高限价{price_max}元")
        return dict(price_fixed=None, price_min=price_min, price_max=price_max, base_amount=None, discount_max=None)
    if not base_amount:
        raise DomainError("intermediary_price", "下浮率方式须填写大于零的下浮基数（元）")
    if discount_max is None or not Decimal("0") < discount_max <= Decimal("100"):
        raise DomainError("intermediary_price", "最大下浮率应大于0且不超过100（%）")
    return dict(price_fixed=None, price_min=None, price_max=None, base_amount=base_amount, discount_max=discount_max)


def budget_of(purchase_or_prices) -> Decimal | None:
    """The most the owner may pay: the fixed price, the maximum price or the base of the 下浮率."""
    get = purchase_or_prices.get if isinstance(purchase_or_prices, dict) else (
        lambda k: getattr(purchase_or_prices, k))
    return get("price_fixed") or get("price_max") or get("base_amount")


def purchase_create(*, owner, user, service, title, content, service_days, funding, mode, signup_deadline, select_at,
                    price_mode, price_fixed=None, price_min=None, price_max=None, base_amount=None,
                    discount_max=None, bidding_rule="", merit_rule="", long_list=None, short_list=None,
                    qualification=None, for_approval=True, item=None, case=None, contact_name="",
                    contact_phone="") -> Purchase:
    """登记采购需求 by a member of ``owner``: a 待发布 purchase (published with ``purchase_publish``)."""
    if not getattr(user, "is_authenticated", False) or not owner.members.filter(pk=user.pk).exists():
        raise PermissionDenied(f"您不是项目业主“{owner.name}”的经办人")
    if service.status != ServiceStatus.ACTIVE:
        raise common.refuse("intermediary_service", "LIST", f"“{service.name}”已不在中介服务事项清单内")
    title = text(title, "项目名称", code="intermediary_title", limit=200)
    content = text(content, "服务内容", code="intermediary_content", limit=5000)
    service_days = integer(service_days, "服务时限（工作日）", code="intermediary_service_days", lo=1, hi=32767)
    if service_days > service.time_limit:
        raise DomainError("intermediary_service_days",
                          f"服务时限不能超过该中介服务事项公布的时限{service.time_limit}个工作日")
    if funding not in Funding.values:
        raise DomainError("intermediary_funding", "请选择资金来源（财政性资金或自有资金）")
    if mode not in Mode.values:
        raise DomainError("intermediary_mode", "请选择选取方式（直接选取、随机选取、竞价选取或择优选取）")
    prices = _prices(price_mode=price_mode, price_fixed=price_fixed, price_min=price_min, price_max=price_max,
                     base_amount=base_amount, discount_max=discount_max)
    bidding_rule = bidding_rule or ""
    merit_rule = merit_rule or ""
    if mode == Mode.BIDDING:
        if bidding_rule not in BiddingRule.values:
            raise DomainError("intermediary_bidding_rule", "竞价选取须选择竞价规则（最低价或合理均价）")
        if price_mode == PriceMode.FIXED:
            raise DomainError("intermediary_price", "竞价选取须设定最高限价（价格区间）或下浮基数（下浮率），不能采用固定价格")
    else:
        bidding_rule = ""
    if mode == Mode.MERIT:
        if merit_rule not in MeritRule.values:
            raise DomainError("intermediary_merit_rule", "择优选取须选择择优规则（信用择优或方案择优）")
    else:
        merit_rule = ""
    if mode == Mode.MERIT and merit_rule == MeritRule.CREDIT:
        long_list = integer(long_list, "入围名单数", code="intermediary_lists", lo=1, hi=100)
        short_list = integer(short_list, "短名单数", code="intermediary_lists", lo=1, hi=100)
        if short_list > long_list:
            raise DomainError("intermediary_lists", f"短名单数（{short_list}）不能多于入围名单数（{long_list}）")
    else:
        long_list = short_list = None
    for_approval = bool(for_approval)
    government = owner.kind == OwnerKind.GOVERNMENT
    if government and mode == Mode.DIRECT and for_approval:
        raise common.refuse("intermediary_designate", "DESIGNATE", "机关事业单位为行政审批委托中介服务不能直接选取")
    policy = common.policy_for(service.region)
    budget = budget_of(prices)
    if government and funding == Funding.STATE and budget is not None and budget >= policy.procurement_threshold:
        raise common.refuse("intermediary_threshold", "THRESHOLD",
                            f"预算{budget}元达到政府采购限额标准{policy.procurement_threshold}元，不在中介超市选取")
    signup_deadline = a_moment(signup_deadline, "报名截止时间")
    select_at = a_moment(select_at, "选取时间")
    if select_at < signup_deadline:
        raise DomainError("intermediary_select_at", "选取时间不能早于报名截止时间")
    if qualification is not None:
        wanted = set(service.qualifications.values_list("pk", flat=True))
        if wanted and qualification.pk not in wanted:
            raise DomainError("intermediary_qualification", f"“{qualification.name}”不是该中介服务事项要求的资质")
    from .caselink import link_check

    item, link = link_check(owner=owner, service=service, item=item, case=case)
    if link is not None and case is not None and link.review_limit and service_days > link.review_limit:
        raise common.refuse("intermediary_service_days", "SPECIAL",
                            f"审查中委托的中介服务时限不能超过{link.review_limit}个工作日")
    contact_name = text(contact_name or owner.contact_name, "联系人", code="intermediary_contact", limit=32)
    contact_phone = validate_phone(contact_phone or owner.contact_phone)
    minimum = selection.min_participants_for(policy, funding=funding, mode=mode)
    with transaction.atomic():
        now = clock.now()
        p = Purchase.objects.create(
            code=_code_new(service.region, common.local_date(now).year), title=title, owner=owner, service=service,
            region=service.region, content=content, qualification=qualification, service_days=service_days,
            funding=funding, for_approval=for_approval, item=item, case=case, price_mode=price_mode, **prices,
            mode=mode, bidding_rule=bidding_rule, merit_rule=merit_rule, long_list=long_list, short_list=short_list,
            min_participants=minimum, signup_deadline=signup_deadline, select_at=select_at,
            contact_name=contact_name, contact_phone=contact_phone, created_at=now, created_by=user)
        common.event_record(purchase=p, action="create", actor=user, note=title,
                            data={"mode": mode, "min_participants": minimum})
    return p


# -- publication ----------------------------------------------------------------------------------------------


def _publish_locked(p: Purchase, user) -> None:
    now = clock.now()
    if p.service.status != ServiceStatus.ACTIVE:
        raise common.refuse("intermediary_service", "LIST", f"“{p.service.name}”已不在中介服务事项清单内")
    policy = common.policy_for(p.region)
    earliest = common.workday_due(common.local_date(now), policy.signup_min_workdays, region=p.region)
    if p.signup_deadline <= now or common.local_date(p.signup_deadline) < earliest:
        raise DomainError("intermediary_signup_period",
                          f"报名期自发布之日起不少于{policy.signup_min_workdays}个工作日，报名截止日期最早为"
                          f"{earliest:%Y年%m月%d日}")
    p.status, p.published_at = PurchaseStatus.SIGNUP, now
    fields = ["status", "published_at"]
    data: dict = {"signup_deadline": p.signup_deadline.isoformat(), "select_at": p.select_at.isoformat()}
    if selection.uses_chance(p.mode, p.bidding_rule, p.merit_rule):
        _seed, commitment, sealed = draws.seed_new()
        p.seed_hash, p.seed_sealed, p.seed = commitment, sealed, ""
        p.draw = {"seed_hash": commitment, "committed_at": now.isoformat(),
                  "rule": selection.rule_of(p.mode, p.bidding_rule, p.merit_rule)}
        if p.bidding_rule == BiddingRule.AVERAGE:  # the factor's range is fixed with the notice
            p.draw["factor_range"] = [str(policy.average_factor_min), str(policy.average_factor_max)]
        fields += ["seed_hash", "seed_sealed", "seed", "draw"]
        data["seed_hash"] = commitment
    p.save(update_fields=fields)
    common.event_record(purchase=p, action="publish", actor=user, note=p.title, data=data, at=now)


def purchase_publish(*, purchase_id: int, user) -> Purchase:
    """发布采购公告: the sign-up period is long enough; the draw is committed (hash published)."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "publish", user)
        _publish_locked(p, user)
    return p


# -- closing and selection ------------------------------------------------------------------------------------


def _valid_signups(p: Purchase) -> list[Signup]:
    return list(Signup.objects.filter(purchase=p, status=SignupStatus.VALID).select_related("agency")
                .order_by("agency__uscc"))


def _fail(p: Purchase, reason: str, *, user, action: str, draw: dict | None = None) -> None:
    p.status, p.status_reason = PurchaseStatus.FAILED, reason[:300]
    fields = ["status", "status_reason"]
    if draw is not None:
        p.draw, p.seed = draw, draw.get("seed", "")
        fields += ["draw", "seed"]
    p.save(update_fields=fields)
    Signup.objects.filter(purchase=p, status__in=[SignupStatus.VALID, SignupStatus.LONG_LISTED,
                                                  SignupStatus.SHORT_LISTED]).update(
        status=SignupStatus.NOT_SELECTED)
    common.event_record(purchase=p, action=action, actor=user, note=f"流标：{reason}", data={"failed": True})


def _too_few(p: Purchase, n: int) -> str:
    if selection.minimum_met(n, min_participants=p.min_participants, funding=p.funding):
        return ""
    return f"有效报名{n}家，少于{p.get_mode_display()}要求的最少{p.min_participants}家"


def purchase_close_signup(*, purchase_id: int, user) -> Purchase:
    """报名截止 (at or after the deadline): 待选取, or 流标 at once when too few agencies signed up."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        target = common.transition_check(p, "close_signup", user)
        if clock.now() < p.signup_deadline:
            raise DomainError("intermediary_signup_open",
                              f"报名截止时间{common.local_date(p.signup_deadline):%Y年%m月%d日}未到，不能截止报名")
        n = len(_valid_signups(p))
        why = _too_few(p, n)
        if why:
            _fail(p, why, user=user, action="close_signup")
            return p
        p.status = target
        p.save(update_fields=["status"])
        common.event_record(purchase=p, action="close_signup", actor=user, note=f"有效报名{n}家", data={"count": n})
    return p


def _candidates(p: Purchase, signups: list[Signup]) -> list[dict]:
    return [selection.candidate(uscc=s.agency.uscc, name=s.agency.name, quote=s.quote, discount=s.discount,
                                base_amount=p.base_amount, credit_score=s.credit_score) for s in signups]


def _selected(p: Purchase, winner: Signup, *, user, action: str, note: str) -> None:
    """The common end of a selection: the winner, the others not selected, the CONFIRM clock."""
    now = clock.now()
    Signup.objects.filter(purchase=p).exclude(pk=winner.pk).filter(
        status__in=[SignupStatus.VALID, SignupStatus.LONG_LISTED, SignupStatus.SHORT_LISTED]).update(
        status=SignupStatus.NOT_SELECTED)
    winner.status = SignupStatus.SELECTED
    winner.save(update_fields=["status"])
    p.status, p.selected, p.selected_at, p.status_reason = PurchaseStatus.SELECTED, winner, now, ""
    p.save(update_fields=["status", "selected", "selected_at", "status_reason", "draw", "seed", "seed_sealed"])
    policy = common.policy_for(p.region)
    start_clock(p, kinds.CONFIRM, common.workday_due(clock.today(), policy.confirm_workdays, region=p.region))
    common.event_record(purchase=p, agency=winner.agency, action=action, actor=user, note=note,
                        data={"selected": winner.agency.uscc, "name": winner.agency.name}, at=now)


def _select_locked(p: Purchase, user, agency_id) -> None:
    now = clock.now()
    rule = selection.rule_of(p.mode, p.bidding_rule, p.merit_rule)
    manual = rule in ("direct", "proposal")
    if manual and not owner_member(user, p):
        raise PermissionDenied(f"{p.get_mode_display()}由项目业主在有效报名机构中选定")
    if now < p.signup_deadline:
        raise DomainError("intermediary_signup_open", "报名尚未截止，不能选取")
    if now < p.select_at:
        raise DomainError("intermediary_select_time",
                          f"选取时间为{p.select_at.astimezone(common.SHANGHAI):%Y年%m月%d日 %H:%M}，尚未到达")
    if p.mode == Mode.DIRECT and p.owner.kind == OwnerKind.GOVERNMENT and p.for_approval:
        raise common.refuse("intermediary_designate", "DESIGNATE")
    if manual:
        if agency_id in (None, ""):
            raise DomainError("intermediary_agency_required", "请选择中选机构")
        try:
            agency_id = int(agency_id)
        except (TypeError, ValueError):
            raise DomainError("intermediary_agency_required", "请选择中选机构") from None
    today = clock.today()
    signups, excluded = [], []
    for s in _valid_signups(p):
        why = agency_eligibility(s.agency, p.service, p.qualification, on=today)
        (excluded if why else signups).append((s, why))
    signups = [s for s, _ in signups]
    seed = draws.seed_open(p.seed_sealed) if p.seed_hash else ""
    if seed and draws.seed_hash(seed) != p.seed_hash:
        raise DomainError("intermediary_seed", "随机种子与公布的承诺值不一致，不能进行选取")
    record = {**(p.draw or {}), "rule": rule, "seed_hash": p.seed_hash, "seed": seed,
              "candidates": _candidates(p, signups), "selected_at": now.isoformat(),
              "min_participants": p.min_participants, "recipe": draws.RECIPE,
              "excluded": [{"uscc": s.agency.uscc, "name": s.agency.name, "reason": why} for s, why in excluded]}
    why = _too_few(p, len(signups))
    if why:
        record["result"], record["failed"] = "", why
        _fail(p, why, user=user, action="select", draw=record)
        for s, _ in excluded:
            Signup.objects.filter(pk=s.pk).update(status=SignupStatus.NOT_SELECTED)
        return
    by_uscc = {s.agency.uscc: s for s in signups}
    chosen = ""
    if manual:
        chosen_signup = next((s for s in signups if s.agency_id == agency_id), None)
        if chosen_signup is None:
            raise DomainError("intermediary_agency_not_signed", "所选机构不在有效报名机构之中")
        chosen = chosen_signup.agency.uscc
    if rule == "credit":
        record.update(long_list_size=p.long_list, short_list_size=p.short_list)
    result = selection.run(rule, seed, record["candidates"], factor_range=record.get("factor_range"),
                           long_list=p.long_list, short_list=p.short_list, chosen=chosen)
    record.update(result)
    p.draw, p.seed, p.seed_sealed = record, seed, None
    for s, _ in excluded:
        Signup.objects.filter(pk=s.pk).update(status=SignupStatus.NOT_SELECTED)
    for rank, code in enumerate(result.get("ranking", []), start=1):
        Signup.objects.filter(pk=by_uscc[code].pk).update(rank=rank)
    if rule == "credit":
        shorts, longs = set(result["short_list"]), set(result["long_list"])
        for code, s in by_uscc.items():
            s.status = (SignupStatus.SHORT_LISTED if code in shorts else SignupStatus.LONG_LISTED if code in longs
                        else SignupStatus.NOT_SELECTED)
            Signup.objects.filter(pk=s.pk).update(status=s.status)
        p.status, p.selected_at = PurchaseStatus.SHORTLISTED, now
        p.save(update_fields=["status", "selected_at", "draw", "seed", "seed_sealed"])
        names = "、".join(by_uscc[c].agency.name for c in result["short_list"])
        common.event_record(purchase=p, action="select", actor=user, note=f"信用择优短名单：{names}",
                            data={"short_list": result["short_list"]}, at=now)
        return
    winner = by_uscc[result["result"]]
    _selected(p, winner, user=user, action="select", note=f"中选机构：{winner.agency.name}")


def purchase_select(*, purchase_id: int, user, agency_id=None) -> Purchase:
    """选取 at or after the announced time (the owner or administrator asks, or the scheduled job):
    by the purchase's rule; 直接选取 and 方案择优 take the owner's ``agency_id``. Too few valid sign-ups
    (an agency suspended since it signed up no longer counts) → 流标."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "select", user)
        _select_locked(p, user, agency_id)
    return p


def purchase_pick(*, purchase_id: int, user, agency_id) -> Purchase:
    """业主选定 one agency of the 信用择优 short list."""
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "pick", user)
        try:
            agency_id = int(agency_id)
        except (TypeError, ValueError):
            raise DomainError("intermediary_agency_required", "请在短名单中选择中选机构") from None
        s = (Signup.objects.filter(purchase=p, agency_id=agency_id, status=SignupStatus.SHORT_LISTED)
             .select_related("agency").first())
        if s is None:
            raise DomainError("intermediary_not_short_listed", "所选机构不在短名单中")
        p.draw = {**p.draw, "picked": s.agency.uscc}
        _selected(p, s, user=user, action="pick", note=f"业主从短名单中选定：{s.agency.name}")
    return p


# -- cancel and republish -------------------------------------------------------------------------------------


def purchase_cancel(*, purchase_id: int, user, reason) -> Purchase:
    """取消采购 before the selection, with the reason (published)."""
    reason = text(reason, "取消原因", code="intermediary_reason", limit=300)
    with transaction.atomic():
        p = common.purchase_lock(purchase_id)
        common.transition_check(p, "cancel", user)
        p.status, p.status_reason = PurchaseStatus.CANCELLED, reason
        p.save(update_fields=["status", "status_reason"])
        finish_clock(p, None, "采购已取消", counts=False)
        common.event_record(purchase=p, action="cancel", actor=user, note=reason)
    return p


COPIED = ("title", "owner", "service", "region", "content", "qualification", "service_days", "funding",
          "for_approval", "item", "case", "price_mode", "price_fixed", "price_max", "price_min", "base_amount",
          "discount_max", "mode", "bidding_rule", "merit_rule", "long_list", "short_list", "contact_name",
          "contact_phone")


def purchase_republish(*, purchase_id: int, user, signup_deadline, select_at) -> Purchase:
    """重新采购 after 流标, cancellation or termination: a new purchase copied from this one (``previous`` set),
    published at once with the new dates and a new commitment; the minimum follows today's policy."""
    signup_deadline = a_moment(signup_deadline, "报名截止时间")
    select_at = a_moment(select_at, "选取时间")
    if select_at < signup_deadline:
        raise DomainError("intermediary_select_at", "选取时间不能早于报名截止时间")
    with transaction.atomic():
        old = common.purchase_lock(purchase_id)
        common.transition_check(old, "republish", user)
        if Purchase.objects.filter(previous=old).exists():
            raise DomainError("intermediary_republished", "该采购项目已重新采购过，请在新的采购公告上操作")
        if old.service.status != ServiceStatus.ACTIVE:
            raise common.refuse("intermediary_service", "LIST", f"“{old.service.name}”已不在中介服务事项清单内")
        now = clock.now()
        policy = common.policy_for(old.region)
        new = Purchase(**{f: getattr(old, f) for f in COPIED}, previous=old, signup_deadline=signup_deadline,
                       select_at=select_at, created_at=now, created_by=user,
                       min_participants=selection.min_participants_for(policy, funding=old.funding, mode=old.mode))
        new.code = _code_new(old.region, common.local_date(now).year)
        new.save()
        common.event_record(purchase=new, action="republish", actor=user, note=f"原采购公告{old.code}",
                            data={"previous": old.code})
        _publish_locked(new, user)  # a refusal here rolls the new purchase back with everything else
        common.event_record(purchase=old, action="republish", actor=user, note=f"已重新采购：{new.code}",
                            data={"republished": new.code})
    return new


# -- the scheduled job ----------------------------------------------------------------------------------------


def purchases_due_run(*, now: dt.datetime | None = None) -> dict:
    """Close the sign-ups past their deadline and run the automatic selections past their time (each purchase
    in its own transaction; one refusal does not stop the others). Returns the counts."""
    now = now or clock.now()
    out = {"closed": 0, "failed": 0, "selected": 0, "errors": 0}
    for pid in Purchase.objects.filter(status=PurchaseStatus.SIGNUP, signup_deadline__lte=now).values_list(
            "pk", flat=True):
        try:
            p = purchase_close_signup(purchase_id=pid, user=None)
        except DomainError as exc:
            out["errors"] += 1
            log.warning("intermediary close_signup %s refused: %s", pid, exc.message)
            continue
        out["failed" if p.status == PurchaseStatus.FAILED else "closed"] += 1
    due = Purchase.objects.filter(status=PurchaseStatus.SELECTING, select_at__lte=now).exclude(
        mode=Mode.DIRECT).exclude(mode=Mode.MERIT, merit_rule=MeritRule.PROPOSAL)
    for pid in due.values_list("pk", flat=True):
        try:
            p = purchase_select(purchase_id=pid, user=None)
        except DomainError as exc:
            out["errors"] += 1
            log.warning("intermediary select %s refused: %s", pid, exc.message)
            continue
        out["failed" if p.status == PurchaseStatus.FAILED else "selected"] += 1
    return out


# -- the dispatcher -------------------------------------------------------------------------------------------


def purchase_act(*, purchase_id: int, user, action: str, data: dict) -> dict:
    """Run ``action`` on the purchase for ``user`` (None = the scheduled job) with ``data``; a small answer.

    ``data`` keys per action (values may be strings as a form or JSON sends them):

    - publish: {}
    - signup: {quote (元, 竞价·价格区间; optional otherwise within the range), discount (%, 竞价·下浮率),
      proposal (an uploaded PDF, 方案择优), agency_id (optional: which of the user's agencies)}
    - withdraw_signup: {agency_id (optional)}
    - close_signup: {}
    - select: {agency_id (直接选取 and 方案择优 only)}
    - pick: {agency_id (one of the short list)}
    - confirm: {}
    - decline: {reason}
    - register_contract: {amount, signed_on (YYYY-MM-DD), service_start (YYYY-MM-DD), file (optional upload)}
    - request_extension: {days (工作日), reason}
    - decide_extension: {approve (bool)}
    - deliver: {result_file (upload: pdf, ofd, docx, doc, xlsx, xls), note}
    - rate: {quality, timeliness, price, attitude (1–5 each), comment}
    - terminate: {reason}
    - cancel: {reason}
    - republish: {signup_deadline, select_at (ISO date-times)} — the answer carries the NEW purchase's id/code.
    """
    if action not in TRANSITIONS:
        raise DomainError("intermediary_action", "不支持的操作")
    from . import service, signups

    data = data or {}
    get = data.get
    if action == "publish":
        p = purchase_publish(purchase_id=purchase_id, user=user)
        return {"status": p.status, "seed_hash": p.seed_hash, "signup_deadline": p.signup_deadline.isoformat()}
    if action == "signup":
        s = signups.signup_create(purchase_id=purchase_id, user=user, quote=get("quote"), discount=get("discount"),
                                  proposal=get("proposal"), agency_id=get("agency_id"))
        return {"status": s.purchase.status, "signup_id": s.pk, "signup_status": s.status}
    if action == "withdraw_signup":
        s = signups.signup_withdraw(purchase_id=purchase_id, user=user, agency_id=get("agency_id"))
        return {"status": s.purchase.status, "signup_id": s.pk, "signup_status": s.status}
    if action == "close_signup":
        p = purchase_close_signup(purchase_id=purchase_id, user=user)
    elif action == "select":
        p = purchase_select(purchase_id=purchase_id, user=user, agency_id=get("agency_id"))
    elif action == "pick":
        p = purchase_pick(purchase_id=purchase_id, user=user, agency_id=get("agency_id"))
    elif action == "confirm":
        p = service.purchase_confirm(purchase_id=purchase_id, user=user)
    elif action == "decline":
        p = service.purchase_decline(purchase_id=purchase_id, user=user, reason=get("reason"))
    elif action == "register_contract":
        c = service.contract_register(purchase_id=purchase_id, user=user, amount=get("amount"),
                                      signed_on=get("signed_on"), service_start=get("service_start"),
                                      file=get("file"))
        return {"status": PurchaseStatus.IN_SERVICE, "service_end": c.service_end.isoformat()}
    elif action == "request_extension":
        e = service.extension_request(purchase_id=purchase_id, user=user, days=get("days"), reason=get("reason"))
        return {"status": PurchaseStatus.IN_SERVICE, "extension_id": e.pk, "extension_state": e.state}
    elif action == "decide_extension":
        e = service.extension_decide(purchase_id=purchase_id, user=user, approve=boolean(get("approve")))
        return {"status": PurchaseStatus.IN_SERVICE, "extension_state": e.state,
                "service_end": e.new_end.isoformat() if e.new_end else None}
    elif action == "deliver":
        p = service.result_deliver(purchase_id=purchase_id, user=user, result_file=get("result_file"),
                                   note=get("note"))
    elif action == "rate":
        r = service.rating_create(purchase_id=purchase_id, user=user, quality=get("quality"),
                                  timeliness=get("timeliness"), price=get("price"), attitude=get("attitude"),
                                  comment=get("comment"))
        return {"status": PurchaseStatus.COMPLETED, "rating_id": r.pk, "score": str(r.score), "late": r.late}
    elif action == "terminate":
        p = service.purchase_terminate(purchase_id=purchase_id, user=user, reason=get("reason"))
    elif action == "cancel":
        p = purchase_cancel(purchase_id=purchase_id, user=user, reason=get("reason"))
    elif action == "republish":
        new = purchase_republish(purchase_id=purchase_id, user=user, signup_deadline=get("signup_deadline"),
                                 select_at=get("select_at"))
        return {"status": new.status, "id": new.pk, "code": new.code, "previous": new.previous.code}
    else:  # every action of the table is handled above
        raise NotFound("不支持的操作")
    answer = {"status": p.status, "status_label": p.get_status_display()}
    if p.status == PurchaseStatus.FAILED and p.status_reason:
        answer["reason"] = p.status_reason
    if p.selected_id:
        answer["selected"] = p.selected.agency.name
    if p.status == PurchaseStatus.SHORTLISTED:
        answer["short_list"] = p.draw.get("short_list", [])
    return answer

