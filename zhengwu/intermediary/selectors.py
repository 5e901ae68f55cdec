"""Reads of the marketplace that depend on who asks and on when.

The rules every read here keeps:

- The public sees the service list, the admitted agencies (已入驻 and 暂停选取; never those still in review,
  returned or delisted) and every purchase once published (never 待发布). ID numbers (身份证号) are never
  shown unmasked in any list or public view; a natural person's name as owner is masked too.
- Before the selection nobody but each agency itself learns who signed up, nor how many: the public, the
  owner, the administrator and the supervisor see no sign-up row and no count. The seed's commitment
  (``seed_hash``) is public from publication; the seed, the candidates and the whole draw record from the
  selection on (``REVEALED``), when anyone can recompute the winner (``draw_public``).
- A purchase's working view (``purchase_for_user``) is for the owner's members, the agencies that signed up
  (their own sign-up only until the selection), the administrator of its region and the supervisor of its
  service's 行业主管部门; anyone else gets ``PermissionDenied``.

Lists take ``limit``/``offset`` (``None`` = all) so the API pages them in the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.validators import mask_id_number, mask_name, mask_phone
from zhengwu.org.models import Region, Role

from .models import (
    Agency,
    AgencyChange,
    AgencyStatus,
    Appeal,
    CreditEvent,
    CreditRecord,
    Offering,
    OfferingStatus,
    Owner,
    OwnerKind,
    Purchase,
    PurchaseStatus,
    Rating,
    Service,
    ServiceLink,
    ServiceStatus,
    Signup,
    SignupStatus,
)
from .services import draws, selection
from .services.common import actor_is, is_admin, is_supervisor, member_of_agency
from .transitions import ADMIN, AGENCY, OWNER, SYSTEM, TRANSITIONS, actions_from

PUBLIC_AGENCY = (AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED)
PUBLIC_PURCHASE = [s for s in PurchaseStatus.values if s != PurchaseStatus.DRAFT]
# From these on the selection has run: the sign-ups, the seed and the draw record are public.
REVEALED = (PurchaseStatus.SHORTLISTED, PurchaseStatus.SELECTED, PurchaseStatus.CONFIRMED,
            PurchaseStatus.IN_SERVICE, PurchaseStatus.DELIVERED, PurchaseStatus.COMPLETED,
            PurchaseStatus.FAILED, PurchaseStatus.TERMINATED)
# Sign-ups that took part (a withdrawn one is not listed even after the selection).
TOOK_PART = [s for s in SignupStatus.values if s != SignupStatus.WITHDRAWN]



def _mask_if_person(owner, value: str, mask) -> str:
    return mask(value) if owner.kind == OwnerKind.PERSON else value


def _staff_region_q(user, code: str, field: str = "region__code") -> Q | None:
    """The Q of rows in the regions a staff member with role ``code`` answers for (their region and below)."""
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is None or not staff.is_active or not staff.region_id or not staff.roles.filter(code=code).exists():
        return None
    mine = staff.region.code
    return Q(**{f"{field}__startswith": mine.rstrip("0") or mine})


def _region_ids(region) -> list[int]:
    """The region and its ancestors (a province's service is on every county's list)."""
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
        if region is None:
            return []
    ids = []
    while region is not None:
        ids.append(region.pk)
        region = region.parent
    return ids


# -- the service list ------------------------------------------------------------------------------------------


def services_list(*, region=None, q: str = "", item_id: int | None = None) -> QuerySet[Service]:
    """The active services (中介服务事项清单), optionally of a region (a ``Region`` or its code; services of
    the region and above), matching ``q`` (name, code, category), or required by the catalog item ``item_id``."""
    qs = Service.objects.filter(status=ServiceStatus.ACTIVE)
    if region is not None:
        qs = qs.filter(region_id__in=_region_ids(region))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(category__icontains=q))
    if item_id is not None:
        qs = qs.filter(links__item_id=item_id)
    return (qs.select_related("department", "region").prefetch_related("qualifications", "links__item")
            .distinct().order_by("code"))


def service_get(code: str) -> Service:
    """A service of the list by its code (a cancelled one too: its page says so); NotFound otherwise."""
    service = (Service.objects.select_related("department", "region").prefetch_related("qualifications")
               .filter(code=(code or "").strip()).first())
    if service is None:
        raise NotFound("未找到该中介服务事项", code="intermediary_service_not_found")
    return service


def service_links(service: Service) -> list[dict]:
    return [{"item_id": link.item_id, "item_code": link.item.impl_code, "item_name": link.item.name,
             "basis": link.basis, "stage": link.stage, "stage_label": link.get_stage_display(),
             "review_limit": link.review_limit}
            for link in ServiceLink.objects.filter(service=service).select_related("item")
            .order_by("item__impl_code")]


def service_row(s: Service) -> dict:
    return {"code": s.code, "name": s.name, "category": s.category, "basis": s.basis,
            "region": s.region.name, "region_code": s.region.code, "department": s.department.name,
            "department_code": s.department.code,
            "qualifications": [{"code": q.code, "name": q.name} for q in s.qualifications.all()],
            "time_limit": s.time_limit, "time_limit_note": s.time_limit_note, "fee_mode": s.fee_mode,
            "fee_mode_label": s.get_fee_mode_display(), "fee_standard": s.fee_standard, "status": s.status,
            "status_label": s.get_status_display()}


def service_public(service: Service) -> dict:
    """A service with the approval items that need it and the agencies offering it (admitted ones)."""
    offerings = (Offering.objects.filter(service=service, agency__status__in=PUBLIC_AGENCY)
                 .exclude(status=OfferingStatus.WITHDRAWN).select_related("agency").order_by("agency__name", "id"))
    return {**service_row(service), "conditions": service.conditions, "process": service.process,
            "items": service_links(service),
            "agencies": [{"id": o.agency_id, "name": o.agency.name, "credit_grade": o.agency.credit_grade,
                          "agency_status": o.agency.status, "agency_status_label": o.agency.get_status_display(),
                          "price_min": o.price_min, "price_max": o.price_max, "price_note": o.price_note,
                          "status": o.status, "status_label": o.get_status_display(),
                          "status_reason": o.status_reason}
                         for o in offerings]}


# -- the agency directory ---------------------------------------------------------------------------------------

RATING_SCORE = ExpressionWrapper((F("quality") + F("timeliness") + F("price") + F("attitude")) * Value(5),
                                 output_field=DecimalField(max_digits=6, decimal_places=2))


def _directory_qs(*, service_code: str = "", grade: str = "", q: str = "") -> QuerySet[Agency]:
    completed = (Purchase.objects.filter(status=PurchaseStatus.COMPLETED, selected__agency=OuterRef("pk"))
                 .order_by().values("selected__agency").annotate(n=Count("pk")).values("n"))
    rated = (Rating.objects.filter(agency=OuterRef("pk")).order_by().values("agency")
             .annotate(avg=Avg(RATING_SCORE)).values("avg"))
    qs = Agency.objects.filter(status__in=PUBLIC_AGENCY)
    service_code = (service_code or "").strip()
    if service_code:
        qs = qs.filter(pk__in=Offering.objects.filter(service__code=service_code)
                       .exclude(status=OfferingStatus.WITHDRAWN).values("agency_id"))
    grade = (grade or "").strip().upper()
    if grade:
        qs = qs.filter(credit_grade=grade)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()) | Q(home_region__icontains=q))
    return (qs.annotate(completed_count=Coalesce(Subquery(completed), 0), rating_avg=Subquery(rated))
            .distinct().order_by("name", "id"))


def _offerings_public(agency: Agency) -> list[dict]:
    return [{"service_code": o.service.code, "service_name": o.service.name, "price_min": o.price_min,
             "price_max": o.price_max, "price_note": o.price_note, "status": o.status,
             "status_label": o.get_status_display(), "status_reason": o.status_reason}
            for o in agency.offerings.all() if o.status != OfferingStatus.WITHDRAWN]


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def agency_row(a: Agency) -> dict:
    """A directory row: never an ID number, never a contact's identity."""
    return {"id": a.pk, "name": a.name, "uscc": a.uscc, "kind": a.kind, "kind_label": a.get_kind_display(),
            "home_region": a.home_region, "status": a.status, "status_label": a.get_status_display(),
            "status_reason": a.status_reason if a.status == AgencyStatus.SUSPENDED else "",
            "credit_grade": a.credit_grade, "credit_score": a.credit_score,
            "completed_count": getattr(a, "completed_count", 0) or 0,
            "rating_avg": _round(getattr(a, "rating_avg", None)),
            "qualifications": sorted({c.qualification.name for c in a.certificates.all()
                                      if c.valid_until >= clock.today()}),
            "offerings": _offerings_public(a)}


def agencies_directory(*, service_code: str = "", grade: str = "", q: str = "", limit: int | None = None,
                       offset: int = 0) -> list[dict]:
    """The public directory (已入驻 and 暂停选取 agencies): qualifications, price range per offering,
    completed services, average rating (on 100) and credit grade. Filter by a service's code, a grade, or
    ``q`` in the name, 统一社会信用代码 or home region."""
    qs = _directory_qs(service_code=service_code, grade=grade, q=q)
    qs = qs.prefetch_related("offerings__service", "certificates__qualification")
    rows = qs[offset:offset + limit] if limit is not None else qs[offset:]
    return [agency_row(a) for a in rows]


def _agency_public_get(agency_id: int) -> Agency:
    agency = (_directory_qs().filter(pk=agency_id)
              .prefetch_related("offerings__service", "certificates__qualification", "practitioners").first())
    if agency is None:
        raise NotFound("未找到该中介机构，或其尚未入驻", code="intermediary_agency_not_found")
    return agency


def agency_public(agency_id: int) -> dict:
    """An admitted agency's public page: the directory row plus certificates (with expiry), practitioners
    (ID numbers masked), the completed purchases, the latest credit month explained."""
    a = _agency_public_get(agency_id)
    today = clock.today()
    recent = (Purchase.objects.filter(selected__agency=a, status__in=REVEALED).select_related("service")
              .order_by("-selected_at", "-id")[:20])
    return {**agency_row(a), "legal_rep": a.legal_rep, "address": a.address, "intro": a.intro,
            "contact_phone": a.contact_phone,
            "certificates": [{"qualification": c.qualification.name, "number": c.number, "level": c.level,
                              "issuer": c.issuer, "valid_until": c.valid_until, "expired": c.valid_until < today}
                             for c in a.certificates.all()],
            "practitioners": [{"name": p.name, "id_number": mask_id_number(p.id_number), "title": p.title,
                               "certificate_no": p.certificate_no} for p in a.practitioners.all()],
            "purchases": [{"code": p.code, "title": p.title, "service": p.service.name, "status": p.status,
                           "status_label": p.get_status_display()} for p in recent],
            "credit": credit_explained(a.pk)}


# -- credit ---------------------------------------------------------------------------------------------------


def _month(value) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, 1)


def credit_record_row(r: CreditRecord) -> dict:
    return {"month": r.month, "owner_score": r.owner_score, "department_score": r.department_score,
            "market_score": r.market_score, "weighted": r.weighted, "deductions": r.deductions,
            "vetoed": r.vetoed, "score": r.score, "grade": r.grade, "explanation": list(r.explanation or []),
            "computed_at": r.computed_at}


def credit_explained(agency_id: int, month: dt.date | None = None) -> dict:
    """An agency's credit for ``month`` (its latest computed month when None) with the explanation lines,
    the months computed (newest first, at most 24) and its bad-behaviour records in force (public: GB/T
    39683-2020 信用信息公示). NotFound for an agency the directory does not show."""
    agency = Agency.objects.filter(pk=agency_id, status__in=PUBLIC_AGENCY + (AgencyStatus.DELISTED,)).first()
    if agency is None:
        raise NotFound("未找到该中介机构", code="intermediary_agency_not_found")
    records = CreditRecord.objects.filter(agency=agency).order_by("-month")
    wanted = _month(month)
    record = records.filter(month=wanted).first() if wanted else records.first()
    if wanted and record is None:
        raise NotFound(f"该中介机构 {wanted:%Y年%m月} 尚无信用评价", code="intermediary_credit_not_found")
    events = (CreditEvent.objects.filter(agency=agency).select_related("rule", "purchase")
              .order_by("-on", "-id")[:50])
    return {"agency_id": agency.pk, "agency": agency.name, "status": agency.status,
            "status_label": agency.get_status_display(), "credit_score": agency.credit_score,
            "credit_grade": agency.credit_grade,
            "record": credit_record_row(record) if record else None,
            "history": [{"month": r.month, "score": r.score, "grade": r.grade} for r in records[:24]],
            "events": [{"id": e.pk, "rule_code": e.rule.code, "rule": e.rule.name, "points": e.rule.points,
                        "veto": e.rule.veto, "on": e.on, "note": e.note, "state": e.state,
                        "state_label": e.get_state_display(), "purchase": e.purchase.code if e.purchase else ""}
                       for e in events]}


# -- purchases: the public view ---------------------------------------------------------------------------------


def revealed(p: Purchase) -> bool:
    """The selection has run: sign-ups, seed and draw are public."""
    return p.status in REVEALED


def _public_qs() -> QuerySet[Purchase]:
    return (Purchase.objects.filter(status__in=PUBLIC_PURCHASE)
            .select_related("owner", "service", "region", "qualification", "item", "selected__agency"))


def purchase_row(p: Purchase) -> dict:
    """A list row of a published purchase (no sign-up information before the selection)."""
    return {"id": p.pk, "code": p.code, "title": p.title, "owner": _mask_if_person(p.owner, p.owner.name, mask_name),
            "owner_kind": p.owner.kind, "owner_kind_label": p.owner.get_kind_display(),
            "service_code": p.service.code, "service_name": p.service.name, "region": p.region.name,
            "mode": p.mode, "mode_label": p.get_mode_display(), "bidding_rule": p.bidding_rule or None,
            "merit_rule": p.merit_rule or None, "price_mode": p.price_mode, "price_mode_label": p.get_price_mode_display(),
            "price_fixed": p.price_fixed, "price_min": p.price_min, "price_max": p.price_max,
            "funding": p.funding, "funding_label": p.get_funding_display(), "status": p.status,
            "status_label": p.get_status_display(), "published_at": p.published_at,
            "signup_deadline": p.signup_deadline, "select_at": p.select_at,
            "selected_agency": p.selected.agency.name if revealed(p) and p.selected_id else ""}


def purchases_public(*, status: str = "", mode: str = "", service_code: str = "", q: str = "",
                     limit: int | None = None, offset: int = 0) -> list[dict]:
    """Published purchases (never 待发布), newest first; filters by status, mode, service code and ``q``
    (title or code)."""
    qs = _public_qs()
    if status:
        qs = qs.filter(status=status)
    if mode:
        qs = qs.filter(mode=mode)
    if service_code:
        qs = qs.filter(service__code=service_code.strip())
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q))
    qs = qs.order_by("-published_at", "-id")
    rows = qs[offset:offset + limit] if limit is not None else qs[offset:]
    return [purchase_row(p) for p in rows]


def signup_row(s: Signup, *, own: bool = False) -> dict:
    """A sign-up as shown after the selection (or to the agency itself): never who filed it for the agency."""
    return {"id": s.pk, "agency_id": s.agency_id, "agency": s.agency.name, "uscc": s.agency.uscc, "at": s.at,
            "quote": s.quote, "discount": s.discount, "credit_score": s.credit_score, "status": s.status,
            "status_label": s.get_status_display(), "rank": s.rank,
            "has_proposal": bool(s.proposal), "own": own}


def signups_public(p: Purchase) -> list[dict]:
    if not revealed(p):
        return []
    return [signup_row(s) for s in p.signups.filter(status__in=TOOK_PART).select_related("agency")
            .order_by("agency__uscc")]


def draw_public(p: Purchase) -> dict:
    """The draw's public record: the commitment from publication; the seed, the candidates and the result
    from the selection on, with the recipe to recompute it."""
    shown = revealed(p)
    return {"code": p.code, "mode": p.mode, "mode_label": p.get_mode_display(), "bidding_rule": p.bidding_rule or None,
            "merit_rule": p.merit_rule or None, "status": p.status, "status_label": p.get_status_display(),
            "seed_hash": p.seed_hash, "committed_at": p.published_at if p.seed_hash else None,
            "revealed": shown, "seed": p.seed if shown else "", "draw": dict(p.draw or {}) if shown else {},
            "selected_at": p.selected_at if shown else None,
            "selected_agency": p.selected.agency.name if shown and p.selected_id else "",
            "selected_uscc": p.selected.agency.uscc if shown and p.selected_id else "",
            "recomputed": _recomputed(p) if shown else None,
            "recipe": list(draws.RECIPE) if p.seed_hash else [], "snippet": draws.SNIPPET if p.seed_hash else ""}


def _recomputed(p: Purchase) -> str | list[str] | None:
    """The outcome recomputed from the published record alone (``draws.verify``): the winner's 统一社会信用代码
    (or the short list); None when the record holds no draw (流标 before any draw, or a choice without chance)."""
    record = dict(p.draw or {})
    if not record.get("rule") or not record.get("candidates"):
        return None
    try:
        return draws.verify(record)
    except (DomainError, KeyError, TypeError, ValueError):
        return None


def _purchase_public_get(code: str) -> Purchase:
    p = _public_qs().filter(code=(code or "").strip()).first()
    if p is None:
        raise NotFound("未找到该采购公告或其尚未发布", code="intermediary_purchase_not_found")
    return p


def purchase_public(code: str) -> dict:
    """The published notice as anyone may see it now (module docstring)."""
    return purchase_view(_purchase_public_get(code))


def purchase_view(p: Purchase) -> dict:
    owner = p.owner
    contract = getattr(p, "contract", None) if p.status in (
        PurchaseStatus.IN_SERVICE, PurchaseStatus.DELIVERED, PurchaseStatus.COMPLETED,
        PurchaseStatus.TERMINATED) else None
    rating = Rating.objects.filter(purchase=p).first() if p.status == PurchaseStatus.COMPLETED else None
    republished = Purchase.objects.filter(previous=p, status__in=PUBLIC_PURCHASE).values_list("code", flat=True)
    return {
        **purchase_row(p), "content": p.content,
        "contact_name": _mask_if_person(owner, p.contact_name, mask_name),
        "contact_phone": _mask_if_person(owner, p.contact_phone, mask_phone),
        "qualification": p.qualification.name if p.qualification else "", "service_days": p.service_days,
        "for_approval": p.for_approval, "item": p.item.name if p.item else "",
        "base_amount": p.base_amount, "discount_max": p.discount_max, "long_list": p.long_list,
        "short_list": p.short_list, "min_participants": p.min_participants, "status_reason": p.status_reason,
        "seed_hash": p.seed_hash, "selected_at": p.selected_at if revealed(p) else None,
        "confirmed_at": p.confirmed_at, "delivered_at": p.delivered_at,
        "previous": p.previous.code if p.previous_id else "", "republished": list(republished),
        "signups": signups_public(p), "draw": draw_public(p),
        "contract": {"amount": contract.amount, "signed_on": contract.signed_on,
                     "service_start": contract.service_start, "service_end": contract.service_end}
        if contract else None,
        "rating": {"quality": rating.quality, "timeliness": rating.timeliness, "price": rating.price,
                   "attitude": rating.attitude, "score": rating.score, "late": rating.late, "comment": rating.comment,
                   "at": rating.at} if rating else None,
        "events": [{"action": e.action, "label": e.label, "at": e.at}
                   for e in p.events.filter(action__in=PUBLIC_EVENTS).order_by("at", "id")],
    }


# Steps whose note tells how many signed up (报名截止: "有效报名n家"): blank until the selection.
COUNTING_EVENTS = ("close_signup", "signup", "withdraw_signup")
# The steps shown on the public notice (sign-ups and withdrawals are not, before or after).
PUBLIC_EVENTS = ["publish", "close_signup", "select", "pick", "confirm", "decline", "register_contract",
                 "deliver", "rate", "terminate", "cancel", "republish"]


def draw_get(code: str) -> dict:
    return draw_public(_purchase_public_get(code))


# -- purchases: the working view ---------------------------------------------------------------------------------


def _purchase_get(purchase_id: int) -> Purchase:
    p = (Purchase.objects.select_related("owner", "service__department", "region", "qualification", "item",
                                         "case", "selected__agency", "previous")
         .filter(pk=purchase_id).first())
    if p is None:
        raise NotFound("未找到该采购公告", code="intermediary_purchase_not_found")
    return p


def purchase_roles(p: Purchase, user) -> list[str]:
    """Who the user is on this purchase: "owner", "agency" (signed up, or selected), "admin", "supervisor"."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = []
    if p.owner.members.filter(pk=user.pk).exists():
        roles.append(OWNER)
    if p.signups.filter(agency__members=user).exists():
        roles.append(AGENCY)
    if is_admin(user, p.region) is not None:
        roles.append(ADMIN)
    if is_supervisor(user, p.service.department_id, p.region) is not None:
        roles.append("supervisor")
    return roles


def allowed_actions(p: Purchase, user) -> list[dict]:
    """The actions of the purchase's status the user may ask for now ({action, label})."""
    rows = []
    for t in actions_from(p.status):
        if any(actor_is(user, a, p) for a in t.actors if a != SYSTEM):
            if t.action == "signup" and p.signups.filter(agency__members=user).exclude(
                    status=SignupStatus.WITHDRAWN).exists():
                continue
            if t.action == "withdraw_signup" and not p.signups.filter(
                    agency__members=user, status=SignupStatus.VALID).exists():
                continue
            rows.append({"action": t.action, "label": t.label})
    return rows


def purchase_for_user(*, purchase_id: int, user) -> dict:
    """The working view of a purchase for its owner's members, the agencies that signed up, the
    administrator of its region, the supervisor of its service's department; PermissionDenied for anyone
    else (NotFound when it does not exist). Keys: ``purchase`` (the row), ``roles``, ``actions``, ``view``
    (the public dict, with the draft's details for the owner), ``my_signup`` (the user's agency's own
    sign-up, also before the selection), ``signups`` (all, from the selection on; never before),
    ``signup_count`` (only from the selection on), ``extensions``, ``events`` (with the actor's name)."""
    p = _purchase_get(purchase_id)
    roles = purchase_roles(p, user)
    if not roles:
        # An admitted agency may read a published notice it could sign up for (to sign up at all).
        if p.status == PurchaseStatus.SIGNUP and user.is_authenticated and user.intermediary_agencies.filter(
                status=AgencyStatus.ACTIVE).exists():
            roles = ["candidate"]
        else:
            raise PermissionDenied("您无权查看该采购项目的办理信息")
    if p.status == PurchaseStatus.DRAFT and OWNER not in roles and ADMIN not in roles:
        raise PermissionDenied("该采购公告尚未发布")
    mine = (p.signups.filter(agency__members=user).select_related("agency").first()
            if AGENCY in roles else None)
    shown = revealed(p)
    listed = _signups_listed(p) if signups_visible(p, roles) else None
    return {
        "purchase": p, "roles": roles, "actions": allowed_actions(p, user), "view": purchase_view(p),
        "my_signup": signup_row(mine, own=True) if mine else None,
        "signups": listed or [],
        "signup_count": len(listed) if listed is not None else None,
        "extensions": [{"id": x.pk, "days": x.days, "reason": x.reason, "state": x.state,
                        "state_label": x.get_state_display(), "asked_at": x.asked_at, "decided_at": x.decided_at,
                        "new_end": x.new_end} for x in p.extensions.order_by("asked_at")],
        "events": [{"action": e.action, "label": e.label, "at": e.at,
                    "note": e.note if shown or e.action not in COUNTING_EVENTS else "",
                    "actor": (getattr(e.actor, "real_name", "") or e.actor.get_username()) if e.actor_id else "系统"}
                   for e in p.events.select_related("actor").order_by("at", "id")
                   if e.action not in ("signup", "withdraw_signup") or shown],
    }


def owner_chooses(p: Purchase) -> bool:
    """直接选取 and 方案择优: the owner chooses among the sign-ups (and must see them and their proposals)."""
    return selection.rule_of(p.mode, p.bidding_rule, p.merit_rule) in ("direct", "proposal")


def signups_visible(p: Purchase, roles: list[str]) -> bool:
    """Whether these roles see every sign-up of ``p`` now: anyone with a role from the selection on; the owner
    and the administrator of a purchase where the owner chooses, from the sign-up deadline on (to compare the
    proposals and choose); nobody before the deadline."""
    if revealed(p):
        return bool(roles)
    return (owner_chooses(p) and (OWNER in roles or ADMIN in roles)
            and p.status in (PurchaseStatus.SIGNUP, PurchaseStatus.SELECTING) and clock.now() >= p.signup_deadline)


def _signups_listed(p: Purchase) -> list[dict]:
    return [signup_row(s) for s in p.signups.filter(status__in=TOOK_PART).select_related("agency")
            .order_by("agency__uscc")]


FILE_KINDS = ("proposal", "contract", "result")


def purchase_file(*, purchase_id: int, user, kind: str, signup_id: int | None = None):
    """A purchase's private file for a user who may read it: a sign-up's 服务方案 (``proposal``: the agency
    itself, or whoever sees the sign-ups, ``signups_visible``), the registered 合同 (``contract``) or the
    服务成果 (``result``) for the owner, the selected agency, the administrator and the supervisor.
    PermissionDenied / NotFound otherwise; the returned ``FieldFile`` is never empty."""
    if kind not in FILE_KINDS:
        raise NotFound("未找到该文件")
    p = _purchase_get(purchase_id)
    roles = purchase_roles(p, user)
    if kind == "proposal":
        s = p.signups.select_related("agency").filter(pk=signup_id or 0).first()
        if s is None:
            raise NotFound("未找到该报名")
        if not member_of_agency(user, s.agency) and not signups_visible(p, roles):
            raise PermissionDenied("报名截止前只有报名机构本身可以查看其服务方案")
        f = s.proposal
    else:
        selected = p.selected_id is not None and member_of_agency(user, p.selected.agency)
        if not (selected or set(roles) & {OWNER, ADMIN, "supervisor"}):
            raise PermissionDenied("您无权查看该采购项目的合同和服务成果")
        contract = getattr(p, "contract", None) if kind == "contract" else None
        f = contract.file if contract is not None else (p.result_file if kind == "result" else None)
    if not f:
        raise NotFound("未上传该文件")
    return f


def my_purchases(user) -> QuerySet[Purchase]:
    """The purchases of the owners the user acts for (the owner workbench), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Purchase.objects.none()
    return (Purchase.objects.filter(owner__members=user)
            .select_related("owner", "service", "region", "selected__agency").distinct()
            .order_by("-created_at", "-id"))


def my_signups(user) -> QuerySet[Signup]:
    """The sign-ups of the agencies the user acts for (the agency workbench), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Signup.objects.none()
    return (Signup.objects.filter(agency__members=user)
            .select_related("purchase__service", "purchase__owner", "agency").order_by("-at", "-id"))


def open_purchases_for(agency: Agency) -> QuerySet[Purchase]:
    """Purchases in 报名中 of the services the agency offers (its offering not withdrawn)."""
    services = Offering.objects.filter(agency=agency).exclude(status=OfferingStatus.WITHDRAWN).values("service_id")
    return (Purchase.objects.filter(status=PurchaseStatus.SIGNUP, service_id__in=services,
                                    signup_deadline__gt=clock.now())
            .select_related("owner", "service", "region").order_by("signup_deadline", "id"))


def my_agency(user) -> Agency | None:
    """The agency the user acts for (the first by id), with what its workbench needs; None when none."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (user.intermediary_agencies.select_related("region")
            .prefetch_related("certificates__qualification", "practitioners", "offerings__service")
            .order_by("id").first())


def agency_for_member(*, agency_id: int, user) -> Agency:
    """An agency the user is a member of; PermissionDenied otherwise (NotFound when it does not exist)."""
    agency = Agency.objects.select_related("region").filter(pk=agency_id).first()
    if agency is None:
        raise NotFound("未找到该中介机构", code="intermediary_agency_not_found")
    if not member_of_agency(user, agency):
        raise PermissionDenied("您不是该中介机构的经办人")
    return agency


def agency_private(agency: Agency) -> dict:
    """The agency's own view of its registration (ID numbers still masked), with its pending change."""
    pending = agency.changes.filter(state=AgencyChange.State.PENDING).first()
    return {**agency_row(agency), "legal_rep": agency.legal_rep, "address": agency.address, "intro": agency.intro,
            "contact_name": agency.contact_name, "contact_id_number": mask_id_number(agency.contact_id_number),
            "contact_phone": agency.contact_phone, "region": agency.region.name,
            "has_licence": bool(agency.licence), "pledge_signed_at": agency.pledge_signed_at,
            "submitted_at": agency.submitted_at, "reviewed_at": agency.reviewed_at,
            "review_note": agency.review_note, "status_reason": agency.status_reason,
            "certificates": [{"id": c.pk, "qualification": c.qualification.name,
                              "qualification_code": c.qualification.code, "number": c.number, "level": c.level,
                              "issuer": c.issuer, "valid_until": c.valid_until} for c in agency.certificates.all()],
            "practitioners": [{"id": p.pk, "name": p.name, "id_number": mask_id_number(p.id_number),
                               "title": p.title, "certificate_no": p.certificate_no}
                              for p in agency.practitioners.all()],
            "pending_change": {"id": pending.pk, "data": pending.data, "submitted_at": pending.submitted_at}
            if pending else None}


# -- the administrator and the supervisor -------------------------------------------------------------------


def admin_queue(user) -> dict:
    """What waits for the 中介超市管理员 in their region: agencies pending review, changes pending review,
    appeals pending. PermissionDenied for anyone else."""
    scope = _staff_region_q(user, Role.INTERMEDIARY_ADMIN)
    if scope is None:
        raise PermissionDenied("仅限中介超市管理员查看")
    agency_scope = _staff_region_q(user, Role.INTERMEDIARY_ADMIN, "agency__region__code")
    return {
        "agencies": (Agency.objects.filter(scope, status=AgencyStatus.PENDING).select_related("region")
                     .order_by("submitted_at", "id")),
        "changes": (AgencyChange.objects.filter(agency_scope, state=AgencyChange.State.PENDING)
                    .select_related("agency").order_by("submitted_at", "id")),
        "appeals": (Appeal.objects.filter(agency_scope, state=Appeal.State.PENDING)
                    .select_related("agency", "event__rule").order_by("filed_at", "id")),
    }


def admin_agencies(user, *, status: str = "") -> QuerySet[Agency]:
    """Every agency of the administrator's region (any status), for suspend/restore/delist."""
    scope = _staff_region_q(user, Role.INTERMEDIARY_ADMIN)
    if scope is None:
        raise PermissionDenied("仅限中介超市管理员查看")
    qs = Agency.objects.filter(scope)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("region").order_by("id")


def supervised_purchases(user) -> QuerySet[Purchase]:
    """Published purchases of the services of the supervisor's department (or of the whole region for one
    without department). PermissionDenied for anyone else."""
    staff = staff_with_role_any(user, Role.INTERMEDIARY_SUPERVISOR)
    if staff is None:
        raise PermissionDenied("仅限中介服务监管人员查看")
    scope = _staff_region_q(user, Role.INTERMEDIARY_SUPERVISOR)
    qs = Purchase.objects.filter(scope, status__in=PUBLIC_PURCHASE)
    if staff.department_id is not None:
        qs = qs.filter(service__department_id=staff.department_id)
    return qs.select_related("owner", "service", "selected__agency").order_by("-published_at", "-id")


def staff_with_role_any(user, code: str):
    """The user's active staff row when it holds ``code`` (any region), else None."""
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is None or not staff.is_active or not staff.roles.filter(code=code).exists():
        return None
    return staff


def label(action: str) -> str:
    return TRANSITIONS[action].label if action in TRANSITIONS else action



REPORT_ROLES = (Role.INTERMEDIARY_ADMIN, Role.INTERMEDIARY_SUPERVISOR, Role.LEADER, Role.SUPERVISOR)


def approval_time_report(*, user, since: dt.date, until: dt.date) -> dict:
    """审批用时与含中介服务的总用时, side by side, for the cases of the reader's region with intermediary
    purchases finished in [since, until]: for the marketplace administrator, the 中介服务监管人员, leaders
    and efficiency supervisors (their region); anyone else is refused."""
    from .services.caselink import approval_vs_elapsed

    staff = next((s for s in (staff_with_role_any(user, code) for code in REPORT_ROLES) if s is not None), None)
    if staff is None:
        raise PermissionDenied("审批用时报表仅限中介超市管理员、中介服务监管人员、领导和效能监察员查看")
    if since > until:
        raise DomainError("invalid_input", "开始日期不能晚于结束日期")
    if (until - since).days > 366:
        raise DomainError("invalid_input", "报表期间最长一年")
    rows = approval_vs_elapsed(region=staff.region, since=since, until=until)
    n = len(rows)
    return {"region": staff.region.name, "since": since, "until": until, "rows": rows,
            "average_approval_workdays": round(sum(r["approval_workdays"] for r in rows) / n, 1) if n else None,
            "average_elapsed_days": round(sum(r["elapsed_days"] for r in rows) / n, 1) if n else None,
            "average_intermediary_days": round(sum(r["intermediary_days"] for r in rows) / n, 1) if n else None}


def my_owners(user) -> list:
    """The 项目业主 the user acts for (their 经办人), oldest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Owner.objects.filter(members=user).order_by("id")[:100])
