"""Reads of the hotline that follow rules: who sees which orders, the caller as each reader may see
them (a 保密 order never shows the caller to a handling unit), the queues, duplicates, the knowledge
base and the public 曝光台."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhengwu.catalog.selectors import item_search
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.validators import mask_phone, validate_phone
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import region_q

from .models import (
    Article,
    Category,
    Extension,
    ExtensionState,
    Order,
    OrderEvent,
    OrderUnit,
    Status,
    UnitRole,
    UnitState,
)
from .services import common
from .services.policy import setting_get

_LATIN = re.compile(r"^[a-zA-Z]+$")
LIVE = [UnitState.DISPATCHED, UnitState.SIGNED, UnitState.REPLIED]
HIDDEN = "保密"


def unit_staff(unit: OrderUnit) -> list[Staff]:
    """The active staff who may act for ``unit`` (who its notices go to)."""
    if unit.department_id is not None:
        qs = Staff.objects.filter(department_id=unit.department_id, roles__code__in=common.UNIT_ROLES)
    else:
        qs = Staff.objects.filter(hall_id=unit.hall_id, roles__code__in=common.HALL_ROLES)
    return list(qs.filter(is_active=True).distinct().order_by("employee_no"))


def _with(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("category", "region", "main_department", "main_hall")


def _unit_q(staff: Staff, prefix: str = "") -> Q:
    """Orders with a live unit row ``staff`` acts for."""
    p = prefix
    codes = staff.role_codes()
    q = Q(pk__in=[])
    if staff.department_id and codes & common.UNIT_ROLES:
        q |= Q(**{f"{p}units__department_id": staff.department_id, f"{p}units__state__in": LIVE})
    if staff.hall_id and codes & common.HALL_ROLES:
        q |= Q(**{f"{p}units__hall_id": staff.hall_id, f"{p}units__state__in": LIVE})
    return q


def is_unit_reader(staff: Staff | None) -> bool:
    return (
        staff is not None
        and staff.is_active
        and bool(staff.role_codes() & (common.UNIT_ROLES | common.HALL_ROLES))
    )


def order_list_for_unit(*, staff: Staff, status: str = "") -> QuerySet[Order]:
    """The unit's 工单 workbench: orders dispatched to a unit ``staff`` acts for (主办 or 协办)."""
    if not staff.is_active:
        return Order.objects.none()
    ids = Order.objects.filter(_unit_q(staff)).values("pk")
    qs = _with(Order.objects.filter(pk__in=ids))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "-created_at")


def order_list_for_centre(*, staff: Staff, status: str = "", q: str = "") -> QuerySet[Order]:
    """The centre's orders in its region (话务员 and 热线管理员)."""
    if not common.is_centre(staff):
        return Order.objects.none()
    qs = _with(Order.objects.filter(region_q(staff.region)))
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(no=q) | Q(caller_phone=q) | Q(text__contains=q) | Q(address__contains=q))
    return qs


def order_list_for_staff(*, staff: Staff, status: str = "", q: str = "") -> QuerySet[Order]:
    if common.is_centre(staff):
        return order_list_for_centre(staff=staff, status=status, q=q)
    if staff.has_role(Role.LEADER, Role.SUPERVISOR):
        qs = _with(Order.objects.filter(region_q(staff.region)))
        return qs.filter(status=status) if status else qs
    return order_list_for_unit(staff=staff, status=status)


def order_get_for_staff(*, no: str, staff: Staff | None) -> Order:
    """One order if ``staff`` may read it (the centre in its region; a 主办/协办 unit; a leader or
    supervisor in their region); a missing and a foreign order give the same 404."""
    order = _with(Order.objects.filter(no=(no or "").strip())).first()
    if order is None or staff is None or not may_read(staff, order):
        raise NotFound("工单不存在或您无权查看")
    return order


def may_read(staff: Staff, order: Order) -> bool:
    if not staff.is_active:
        return False
    if common.is_centre(staff, order):
        return True
    if staff.has_role(Role.LEADER, Role.SUPERVISOR) and order.region.code.startswith(
        staff.region.code_prefix
    ):
        return True
    return any(common.staff_in_unit(staff, u) for u in order.units.filter(state__in=LIVE))


def sees_caller(staff: Staff | None, order: Order) -> bool:
    """The centre sees the caller; a unit only when the order is not 保密; leaders and supervisors never."""
    if staff is None:
        return False
    if common.is_centre(staff, order):
        return True
    if order.confidential:
        return False
    return any(common.staff_in_unit(staff, u) for u in order.units.filter(state__in=LIVE))


@dataclass(frozen=True)
class Caller:
    name: str
    phone: str
    shown: bool


def caller_for(staff: Staff | None, order: Order, *, full: bool = False) -> Caller:
    """The caller as ``staff`` may see them: whole on a detail page (``full``), masked in lists;
    “保密” to whoever may not see them (a confidential order's units, leaders, the public)."""
    if order.anonymous and not order.caller_phone:
        return Caller("匿名", "", True)
    if not sees_caller(staff, order):
        return Caller(HIDDEN, HIDDEN, False)
    name = "匿名" if order.anonymous else (order.caller_name or "—")
    if full:
        return Caller(name, order.caller_phone, True)
    masked = name if order.anonymous or len(name) < 2 else name[0] + "*" * (len(name) - 1)
    return Caller(masked, mask_phone(order.caller_phone) if order.caller_phone else "", True)


def events_for(staff: Staff | None, order: Order) -> list[OrderEvent]:
    return list(order.events.all())


def units_of(order: Order) -> list[OrderUnit]:
    return list(order.units.select_related("department", "hall", "signed_by").order_by("id"))


def my_unit(staff: Staff, order: Order) -> OrderUnit | None:
    return common.staff_unit(staff, order)


def actions_for(staff: Staff, order: Order) -> list[str]:
    """The actions ``staff`` may take on ``order`` now (what the buttons show)."""
    from .transitions import TRANSITIONS

    out = []
    for action, t in TRANSITIONS.items():
        if action == "create" or order.status not in t.sources:
            continue
        try:
            _, unit = common.check(order, action, staff)
        except Exception:  # noqa: BLE001 — a refusal means "no button"
            continue
        if action == "sign" and (unit is None or unit.state != UnitState.DISPATCHED):
            continue
        if action == "extend_decide" and not order.extensions.filter(state=ExtensionState.PENDING).exists():
            continue
        out.append(action)
    return out


# -- queues -------------------------------------------------------------------------------------------


def extension_queue(*, staff: Staff) -> QuerySet[Extension]:
    if not common.is_centre(staff, admin=True):
        return Extension.objects.none()
    return (
        Extension.objects.filter(
            state=ExtensionState.PENDING, order__region__code__startswith=staff.region.code_prefix
        )
        .select_related("order", "order__category", "requested_by")
        .order_by("requested_at")
    )


def overdue_orders(*, staff: Staff) -> QuerySet[Order]:
    """Open orders of the units past their 办结 limit (催办/督办 queue)."""
    return order_list_for_centre(staff=staff).filter(
        status__in=[Status.DISPATCHED, Status.HANDLING, Status.REVIEWING], due_on__lt=clock.today()
    )


def duplicates(
    *,
    phone: str = "",
    address: str = "",
    category: Category | None = None,
    exclude_id: int | None = None,
    days: int | None = None,
) -> list[Order]:
    """Orders of the last ``days`` (policy) from the same caller phone, or at the same address in the
    same category: suggested to the call-taker for 并单."""
    days = setting_get().duplicate_days if days is None else days
    since = clock.now() - dt.timedelta(days=days)
    q = Q(pk__in=[])
    if phone:
        q |= Q(caller_phone=phone)
    if address and category is not None:
        q |= Q(address=address.strip(), category=category)
    qs = _with(
        Order.objects.filter(q, created_at__gte=since).exclude(status__in=[Status.MERGED, Status.TRANSFERRED])
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("-created_at")[:10])


# -- knowledge base ---------------------------------------------------------------------------------


def article_search(*, q: str = "", category_id: int | None = None) -> QuerySet[Article]:
    """Articles matching Chinese text (title, keywords, body) or pinyin (full or initials: ``sbjf``)."""
    qs = Article.objects.filter(active=True).select_related("category", "department")
    q = (q or "").strip()
    if q:
        if _LATIN.match(q):
            low = q.lower()
            qs = qs.filter(Q(title_initials__contains=low) | Q(title_pinyin__contains=low))
        else:
            qs = qs.filter(Q(title__contains=q) | Q(keywords__contains=q) | Q(body__contains=q))
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.order_by("title")


def knowledge_search(*, q: str, limit: int = 10) -> dict:
    """The call-taker's one search box: knowledge-base articles and the catalog's 办事指南."""
    q = (q or "").strip()
    if not q:
        return {"articles": [], "items": []}
    return {"articles": list(article_search(q=q)[:limit]), "items": list(item_search(q=q)[:limit])}


# -- public -----------------------------------------------------------------------------------------


def order_public_list(*, q: str = "", category: str = "") -> QuerySet[Order]:
    """The 曝光台: closed (办结) orders; pages show no personal data and the caller's text only with
    their consent (``public_text``)."""
    qs = _with(Order.objects.filter(status=Status.CLOSED, closed_at__isnull=False))
    if category:
        qs = qs.filter(category__code=category)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(no=q) | Q(category__name__contains=q))
    return qs.order_by("-closed_at", "-id")


def public_text(order: Order) -> str:
    return order.text if order.publish_consent and not order.confidential else "（诉求人未同意公开诉求内容）"


def public_events(order: Order) -> QuerySet[OrderEvent]:
    return order.events.filter(public=True).order_by("at", "id")


def main_unit_name(order: Order) -> str:
    u = order.main_unit
    return u.name if u is not None else ""


def assist_units(order: Order) -> list[OrderUnit]:
    return [u for u in units_of(order) if u.role == UnitRole.ASSIST and u.state in LIVE]


# -- the caller's own progress query ------------------------------------------------------------------

# Shared with the cases' progress query (page and API): one budget of wrong guesses per client, so a
# guesser gains nothing by switching between the two.
PROGRESS_SCOPE = "progress"
PROGRESS_FAILURES, PROGRESS_WINDOW = 10, 600
PROGRESS_NOT_FOUND = "未找到与该工单编号和来电号码匹配的工单，请核对后重试（匿名来电的工单无法查询）"
REPLY_SHOWN = [Status.CALLBACK, Status.CLOSED]  # the unit's 办结反馈, signed off by its head


def order_progress_public(*, no: str, phone: str) -> Order:
    """The caller's progress query: the order number plus the phone number they called from.

    A wrong phone answers exactly like a missing order, so nobody learns whose order a number is; an
    anonymous order (no phone) is never found. The caller may see their own order even when it is 保密.
    """
    no = (no or "").strip().upper()
    try:
        phone = validate_phone((phone or "").strip())
    except DomainError:
        phone = ""
    order = _with(Order.objects.filter(no=no)).select_related("merged_into").first() if no else None
    if order is None or not phone or order.anonymous or not order.caller_phone or order.caller_phone != phone:
        raise NotFound(PROGRESS_NOT_FOUND, code="not_found")
    return order


@dataclass(frozen=True)
class Progress:
    """What the caller is shown: units by name (never staff), deadlines, the public steps, the reply."""

    order: Order
    status_label: str
    main_unit: str
    assist_units: list[str]
    sign_due_at: dt.datetime | None
    due_on: dt.date | None
    reply_text: str
    reply_solved: bool | None
    replied_at: dt.datetime | None
    merged_into: str
    events: list[OrderEvent]


def order_progress(order: Order) -> Progress:
    """The answer for a found order. A merged (并单) order follows its main order: the public updates
    go there, so its status, units, deadline and reply are the main order's."""
    lead = order.merged_into if order.status == Status.MERGED and order.merged_into_id else order
    events = list(public_events(order))
    if lead is not order:
        events = sorted([*events, *public_events(lead)], key=lambda e: (e.at, e.id))
    reply = lead.status in REPLY_SHOWN and bool(lead.reply_text)
    return Progress(
        order=order,
        status_label=Status(lead.status).label,
        main_unit=main_unit_name(lead),
        assist_units=[u.unit_name for u in assist_units(lead)],
        sign_due_at=lead.sign_due_at if lead.status == Status.DISPATCHED else None,
        due_on=lead.due_on,
        reply_text=lead.reply_text if reply else "",
        reply_solved=lead.reply_solved if reply else None,
        replied_at=lead.replied_at if reply else None,
        merged_into=lead.no if lead is not order else "",
        events=events,
    )


def article_list(*, staff: Staff, q: str = "", category_id: int | None = None) -> QuerySet[Article]:
    """The knowledge page's list: the hotline centre reads it; a 热线管理员 also sees retired articles."""
    if not common.is_centre(staff):
        raise PermissionDenied("知识库仅限12345热线中心人员查阅")
    if not common.is_centre(staff, admin=True):
        return article_search(q=q, category_id=category_id)
    qs = Article.objects.select_related("category", "department")
    q = (q or "").strip()
    if q:
        found = article_search(q=q).values("pk")
        qs = qs.filter(Q(pk__in=found) | Q(active=False, title__contains=q))
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.order_by("-active", "title")


def article_get_for_admin(*, pk: int, staff: Staff) -> Article:
    if not common.is_centre(staff, admin=True):
        raise PermissionDenied("知识库仅限热线管理员维护，话务员可查阅", code="not_hotline_admin")
    art = Article.objects.select_related("category", "department").filter(pk=pk).first()
    if art is None:
        raise NotFound("未找到该知识库文章")
    return art
