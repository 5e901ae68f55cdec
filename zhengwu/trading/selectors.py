"""Reads of the trading domain that depend on who asks and on when.

The rule every read here keeps (招标投标法第二十二条): before a round's bid deadline nothing tells who
obtained the documents or bid, nor how many. Bid rows only exist from the opening on; the obtain rows
are never shown on a public page at all, and to staff only from the opening on.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Role
from zhengwu.org.selectors import staff_for_user

from .models import Bid, BidStatus, CollusionFlag, Expert, Party, Project, Tender, TenderStatus
from .services.common import actor_is
from .transitions import AGENCY, BIDDER, CENTRE, EXPERT, SUPERVISOR, TRANSITIONS, actions_from

# A round whose notice is out: the public sees it from then on.
PUBLIC_STATUSES = [s for s in TenderStatus.values if s != TenderStatus.DRAFT]
# From the opening on, the opening record (names, prices, terms) is public (招标投标法第三十六条).
OPENED_STATUSES = [TenderStatus.OPENING, TenderStatus.EVALUATING, TenderStatus.PUBLICITY, TenderStatus.AWARDED,
                   TenderStatus.CONTRACTED, TenderStatus.COMPLETED]
# Candidates are public from their publication (招标投标法实施条例第五十四条).
CANDIDATE_STATUSES = [TenderStatus.PUBLICITY, TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED]
AWARD_STATUSES = [TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED]


# -- who is who ---------------------------------------------------------------------------------------------


def _trading_staff(user, code: str):
    staff = staff_for_user(user)
    if staff is None or code not in staff.role_codes():
        return None
    return staff


def centre_admin(user):
    """The user's staff record when they are a 交易中心管理员 on duty, else None."""
    return _trading_staff(user, Role.TRADING_ADMIN)


def supervisor(user):
    return _trading_staff(user, Role.TRADING_SUPERVISOR)


def bidder_parties(user) -> QuerySet[Party]:
    if not getattr(user, "is_authenticated", False):
        return Party.objects.none()
    return user.trading_parties.filter(is_bidder=True).order_by("id")


def bidder_for(user, uscc: str = "") -> Party:
    """The bidder the user acts for: the one named by ``uscc``, or their only bidder party."""
    parties = bidder_parties(user)
    if uscc:
        party = parties.filter(uscc=uscc.strip().upper()).first()
        if party is None:
            raise PermissionDenied("您不是该投标人的授权代表")
        return party
    rows = list(parties[:2])
    if not rows:
        raise PermissionDenied("您的账号未登记为投标人/供应商的授权代表")
    if len(rows) > 1:
        raise PermissionDenied("您代表多个投标人，请指明投标人的统一社会信用代码（bidder）")
    return rows[0]


def expert_for(user) -> Expert | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(user=user).first()


def _staff_scope(staff, code: str) -> Q:
    if code == Role.TRADING_ADMIN:
        if staff.hall_id is not None:
            return Q(hall_id=staff.hall_id)
        return Q(region_id=staff.region_id) if staff.region_id else Q(pk__in=[])
    if staff.department_id is not None:
        return Q(supervisor_id=staff.department_id)
    return Q(region_id=staff.region_id) if staff.region_id else Q(pk__in=[])


def supervised_projects(staff):
    """The projects a 交易监督人员 answers for (their department's, or the region's for a region-wide one)."""
    return Project.objects.filter(_staff_scope(staff, Role.TRADING_SUPERVISOR))


def projects_for_manager(user) -> QuerySet[Project]:
    """The projects on the user's workbench: an agency's (or, without agency, a buyer's) members', a
    centre admin's hall, a supervisor's department."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    parties = list(user.trading_parties.values_list("id", flat=True))
    scope = Q(agency_id__in=parties) | Q(agency__isnull=True, buyer_id__in=parties)
    admin = centre_admin(user)
    if admin is not None:
        scope |= _staff_scope(admin, Role.TRADING_ADMIN)
    sup = supervisor(user)
    if sup is not None:
        scope |= _staff_scope(sup, Role.TRADING_SUPERVISOR)
    return (Project.objects.filter(scope).select_related("buyer", "agency", "hall", "supervisor")
            .prefetch_related("tenders").order_by("-id"))


def can_manage(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(centre_admin(user) or supervisor(user)
                or user.trading_parties.filter(Q(is_agency=True) | Q(is_buyer=True)).exists())


def tender_get_for_manager(*, tender_id: int, user) -> Tender:
    """A round the user may act on or watch as agency, centre or supervisor; else 403 (404 if missing)."""
    tender = (Tender.objects.select_related("project__buyer", "project__agency", "project__hall",
                                            "project__supervisor", "project__region")
              .filter(pk=tender_id).first())
    if tender is None:
        raise NotFound("未找到该招标（采购）项目")
    if not any(actor_is(user, a, tender) for a in (AGENCY, CENTRE, SUPERVISOR)):
        raise PermissionDenied("您无权查看该项目的办理页面")
    return tender


def allowed_actions(tender: Tender, user) -> list:
    """The actions of ``transitions.actions_from(status)`` that this user may ask for now (the
    bidders' and experts' own actions are on their own pages)."""
    rows = []
    for t in actions_from(tender.status):
        if t.action in ("obtain", "object", "submit_bid", "withdraw_bid", "decrypt", "score", "sign_report",
                        "review_flag"):
            continue
        if any(actor_is(user, a, tender) for a in t.actors if a not in (BIDDER, EXPERT)):
            rows.append(t)
    return rows


def user_roles(tender: Tender, user) -> list[str]:
    return [a for a in (AGENCY, CENTRE, SUPERVISOR) if actor_is(user, a, tender)]


# -- the public view ----------------------------------------------------------------------------------------


def project_list_public(*, status: str = "", regime: str = "", q: str = "") -> QuerySet[Project]:
    qs = Project.objects.filter(tenders__status__in=PUBLIC_STATUSES)
    if status:
        qs = qs.filter(tenders__status=status)
    if regime:
        qs = qs.filter(regime=regime)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    ids = qs.values("id").distinct()
    return (Project.objects.filter(id__in=ids).select_related("buyer", "agency", "hall")
            .prefetch_related("tenders").order_by("-id"))


def project_get_public(*, code: str) -> Project:
    project = (Project.objects.select_related("buyer", "agency", "hall", "supervisor")
               .filter(code=code, tenders__status__in=PUBLIC_STATUSES).distinct().first())
    if project is None:
        raise NotFound("未找到该交易项目或其公告尚未发布")
    return project


def latest_public_round(project: Project) -> Tender | None:
    rounds = [t for t in project.tenders.all() if t.status in PUBLIC_STATUSES]
    return rounds[-1] if rounds else None


def deadline_passed(tender: Tender) -> bool:
    return tender.bid_deadline is not None and clock.now() >= tender.bid_deadline


def opening_record(tender: Tender) -> list[dict]:
    """The opening record: every bid opened at the deadline with its bidder and, once decrypted, its
    price and terms. Empty before the opening (no Bid rows exist before it; and never before the
    deadline, whatever the rows say)."""
    if not deadline_passed(tender) or tender.opened_at is None:
        return []
    rows = []
    for b in Bid.objects.filter(tender=tender).select_related("bidder").order_by("id"):
        opened = b.status not in (BidStatus.SEALED, BidStatus.REVOKED, BidStatus.WITHDRAWN)
        rows.append({"id": b.pk, "bidder": b.bidder.name, "bidder_uscc": b.bidder.uscc, "status": b.status,
                     "status_label": b.get_status_display(), "decrypted_at": b.decrypted_at,
                     "price": b.price if opened else None, "duration_days": b.duration_days if opened else None,
                     "project_manager": b.project_manager if opened else "",
                     "quality": b.quality if opened else ""})
    return rows


def candidates_public(tender: Tender) -> list[dict]:
    if tender.status not in CANDIDATE_STATUSES:
        return []
    return [{"rank": c.rank, "bidder": c.bid.bidder.name, "bidder_uscc": c.bid.bidder.uscc, "score": c.score,
             "price": c.bid.price}
            for c in tender.candidates.select_related("bid__bidder").order_by("rank")]


def awards_public(tender: Tender) -> list[dict]:
    if tender.status not in AWARD_STATUSES:
        return []
    return [{"supplier": a.supplier.name, "supplier_uscc": a.supplier.uscc, "amount": a.amount,
             "status": a.status, "status_label": a.get_status_display(), "decided_at": a.decided_at,
             "notice_no": a.notice_no, "not_first_reason": a.get_not_first_reason_display() if a.not_first_reason
             else ""}
            for a in tender.awards.select_related("supplier").order_by("id")]


def contract_public(tender: Tender) -> dict | None:
    c = getattr(tender, "contract", None) if tender.status in (TenderStatus.CONTRACTED, TenderStatus.COMPLETED) \
        else None
    if c is None:
        return None
    return {"contract_no": c.contract_no, "amount": c.amount, "signed_on": c.signed_on,
            "performance_bond": c.performance_bond, "period_end": c.period_end, "status": c.status,
            "status_label": c.get_status_display(), "accepted_on": c.accepted_on, "published_on": c.published_on,
            "filed_on": c.filed_on,
            "payments": [{"paid_on": p.paid_on, "amount": p.amount, "note": p.note} for p in c.payments.all()]}


def round_public(tender: Tender) -> dict:
    """What anyone may see of a published round, at this moment."""
    return {
        "id": tender.pk, "round": tender.round, "method": tender.method, "method_label": tender.get_method_display(),
        "status": tender.status, "status_label": tender.get_status_display(), "title": tender.title,
        "notice": tender.notice, "prequalification": tender.prequalification,
        "prequal_from": tender.prequal_from, "prequal_until": tender.prequal_until,
        "prequal_deadline": tender.prequal_deadline, "result_notice_on": tender.result_notice_on,
        "documents_from": tender.documents_from, "documents_until": tender.documents_until,
        "bid_deadline": tender.bid_deadline, "opening_place": tender.opening_place,
        "bid_deposit": tender.bid_deposit, "deposit_form": tender.deposit_form,
        "deposit_form_label": tender.get_deposit_form_display(), "bid_validity_days": tender.bid_validity_days,
        "max_price": tender.max_price, "published_at": tender.published_at, "paused": tender.paused,
        "opened_at": tender.opened_at if deadline_passed(tender) else None,
        "candidates_published_on": tender.candidates_published_on, "publicity_ends_on": tender.publicity_ends_on,
        "failure_reason": tender.failure_reason if tender.status in (TenderStatus.FAILED, TenderStatus.CANCELLED)
        else "",
        "documents": [{"kind": d.kind, "kind_label": d.get_kind_display(), "title": d.title,
                       "url": d.file.url if d.file else "", "published_at": d.published_at}
                      for d in tender.documents.filter(public=True).order_by("published_at", "id")],
        "amendments": [{"seq": a.seq, "summary": a.summary, "affects_bids": a.affects_bids, "prequal": a.prequal,
                        "old_deadline": a.old_deadline, "new_deadline": a.new_deadline, "created_at": a.created_at}
                       for a in tender.amendments.order_by("seq")],
        "opening_record": opening_record(tender),
        "candidates": candidates_public(tender),
        "awards": awards_public(tender),
        "contract": contract_public(tender),
    }


def project_public(project: Project) -> dict:
    return {
        "code": project.code, "name": project.name, "regime": project.regime,
        "regime_label": project.get_regime_display(), "category": project.category,
        "category_label": project.get_category_display(), "buyer": project.buyer.name,
        "agency": project.agency.name if project.agency else "", "hall": project.hall.name,
        "supervisor": project.supervisor.name, "funding": project.funding,
        "state_fund_percent": project.state_fund_percent, "estimate": project.estimate,
        "description": project.description, "status": project.status,
        "status_label": project.get_status_display(),
        "rounds": [round_public(t) for t in project.tenders.order_by("round") if t.status in PUBLIC_STATUSES],
    }


# -- the bidder, the expert, the supervisor -------------------------------------------------------------------


def tender_get_public(*, tender_id: int) -> Tender:
    tender = (Tender.objects.select_related("project__buyer", "project__agency", "project__hall",
                                            "project__region", "project__supervisor")
              .filter(pk=tender_id, status__in=PUBLIC_STATUSES).first())
    if tender is None:
        raise NotFound("未找到该招标（采购）项目或其公告尚未发布")
    return tender


def seats_for_user(user) -> list:
    """The active committee seats of ``user``: as a drawn expert or as a 招标人代表 with an account."""
    from .models import CommitteeMember
    from .services.common import seat_of

    if not getattr(user, "is_authenticated", False):
        return []
    return list(CommitteeMember.objects.filter(seat_of(user), active=True)
                .select_related("committee__tender__project").order_by("-committee__drawn_at"))


def flags_for_supervisor(user) -> QuerySet[CollusionFlag]:
    staff = supervisor(user)
    if staff is None:
        raise PermissionDenied("串通投标预警仅限交易监督人员（行政监督部门）查看")
    scope = _staff_scope(staff, Role.TRADING_SUPERVISOR)
    projects = Project.objects.filter(scope).values("id")
    return (CollusionFlag.objects.filter(tender__project_id__in=projects)
            .select_related("tender__project").prefetch_related("bidders").order_by("-created_at", "-id"))


def flag_get_for_supervisor(*, flag_id: int, user) -> CollusionFlag:
    flag = flags_for_supervisor(user).filter(pk=flag_id).first()
    if flag is None:
        raise NotFound("未找到该预警")
    return flag


def committees_for_supervisor(user):
    from .models import Committee

    staff = supervisor(user)
    if staff is None:
        return Committee.objects.none()
    projects = Project.objects.filter(_staff_scope(staff, Role.TRADING_SUPERVISOR)).values("id")
    return Committee.objects.filter(tender__project_id__in=projects).select_related("tender__project") \
        .order_by("-drawn_at")


def label(action: str) -> str:
    return TRANSITIONS[action].label if action in TRANSITIONS else action
