"""What Open311 shows: services from the dispatch catalogue, requests and public updates from work orders.

Everything here is public (GET needs no key), so it shows what the public 曝光台 shows and no more:

- never the caller's name, phone or e-mail, nor anything the client system sent about its user;
- the caller's text (``description``) and media only when the caller agreed to publish it
  (``Order.publish_consent``) and the order is not confidential (保密), which also hides its address
  and coordinates;
- orders transferred to 110/119/120/122 (转警) are not service requests and are not listed;
- updates are the order's public events only (``OrderEvent.public``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from zhengwu.core import clock
from zhengwu.hotline.models import Category, Kind, Order, OrderEvent, Status
from zhengwu.hotline.services import setting_get
from zhengwu.hotline.services.policy import end_of_day
from zhengwu.org.models import Region

from .formats import Open311Error, w3c

MAX_RESULTS = 1000
DEFAULT_SPAN = dt.timedelta(days=90)
MAX_SPAN = dt.timedelta(days=90)
MAX_IDS = 1000
DEFAULT_KIND = Kind.HELP

# The two standard statuses: everything not finished is "open".
CLOSED_STATUSES = {Status.CLOSED, Status.MERGED, Status.TRANSFERRED}
# mySociety's extended statuses (servicerequestupdates) for the hotline's finer ones.
EXTENDED_STATUS = {
    Status.PENDING: "open",
    Status.DISPATCHED: "action_scheduled",
    Status.HANDLING: "in_progress",
    Status.RETURNED: "investigating",
    Status.REVIEWING: "in_progress",
    Status.CALLBACK: "in_progress",
    Status.CLOSED: "closed",
    Status.MERGED: "duplicate",
    Status.TRANSFERRED: "internal_referral",
}


# ---------------------------------------------------------------- jurisdiction


def served_counties() -> QuerySet[Region]:
    """The counties Open311 answers for: those of the hotline's 受理辖区 (热线设置), else every county."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    juris = setting_get().jurisdiction
    if juris is None:
        return counties
    if juris.level in (Region.Level.CITY, Region.Level.COUNTY):
        return counties.filter(code__startswith=juris.code_prefix)
    return counties.filter(code=juris.code[:6] + "000000")  # a town or village: its county


def jurisdiction_get(code: str) -> Region:
    """The county ``jurisdiction_id`` names (its 12-digit 统计用区划代码), or the only one served.

    A code the server does not serve is a 404 (the spec's "resource that does not exist"); without
    a code the server answers for its only county, and asks for one when it serves several.
    """
    counties = served_counties()
    if code:
        region = counties.filter(code=code).first()
        if region is None:
            raise Open311Error(
                404,
                f"本接口不受理辖区“{code[:40]}”：jurisdiction_id 应为本热线受理的县级行政区划的12位统计用区划代码",
            )
        return region
    found = list(counties.order_by("code")[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise Open311Error(404, "本系统尚未设置县级受理辖区")
    raise Open311Error(400, "本接口受理多个辖区，请提供 jurisdiction_id（县级行政区划的12位统计用区划代码）")


def region_in(jurisdiction: Region) -> Q:
    return Q(region__code__startswith=jurisdiction.code_prefix)


# ---------------------------------------------------------------- services


def service_categories() -> QuerySet[Category]:
    """The active leaves of the dispatch catalogue (a parent with active children is their ``group``)."""
    return (
        Category.objects.filter(active=True)
        .filter(Q(parent__isnull=True) | Q(parent__active=True))
        .exclude(children__active=True)
        .select_related("parent")
        .distinct()
        .order_by("sort", "code")
    )


def service_get(code: str) -> Category:
    category = service_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"未找到服务类型“{code}”（service_code），请先查询 services 列表")
    return category


def _keywords(text: str) -> str | None:
    words = [w for w in re.split(r"[\s,，、;；]+", text or "") if w]
    return ",".join(words) or None


def service_data(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": True,  # the ``kind`` attribute (诉求类型) below
        "type": "realtime",
        "keywords": _keywords(category.keywords),
        "group": category.parent.name if category.parent_id else None,
    }


def service_definition_data(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "从列表中选择一项；不填按“求助”受理",
                "order": 1,
                "description": "诉求类型",
                "values": [{"key": k.value, "name": str(k.label)} for k in Kind],
            }
        ],
    }


# ---------------------------------------------------------------- requests


def _orders(jurisdiction: Region) -> QuerySet[Order]:
    last_event = OrderEvent.objects.filter(order=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    return (
        Order.objects.filter(region_in(jurisdiction))
        .exclude(status=Status.TRANSFERRED)
        .select_related("category", "main_department", "main_hall", "merged_into", "open311")
        .annotate(last_event_at=Subquery(last_event))
    )


def parse_when(value: str, name: str, *, end: bool = False) -> dt.datetime | None:
    """A W3C datetime (``2026-12-01T08:00:00+08:00``, ``…Z``) or date; none for an empty value.

    A date alone means the start of that day (``end``: its end) in Beijing time; a datetime without
    an offset is Beijing time. A ``+`` in an unencoded query string arrives as a space: put back.
    """
    value = (value or "").strip()
    if not value:
        return None
    value = re.sub(r" (\d\d:?\d\d)$", r"+\1", value)
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise Open311Error(400, f"参数 {name} 不是有效的 W3C 日期时间（如 2026-12-01T08:00:00+08:00）")
    if day is not None:
        moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def window(start_date: str, end_date: str) -> tuple[dt.datetime, dt.datetime]:
    """The spec's date window: default the last 90 days, never more than 90 days."""
    start = parse_when(start_date, "start_date")
    end = parse_when(end_date, "end_date", end=True)
    if end is None:
        end = (start + DEFAULT_SPAN) if start is not None else clock.now()
    if start is None:
        start = end - DEFAULT_SPAN
    if start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date 与 end_date 的间隔不能超过90天")
    return start, end


def _comma_list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def requests_list(
    *,
    jurisdiction: Region,
    service_request_id: str = "",
    service_code: str = "",
    start_date: str = "",
    end_date: str = "",
    status: str = "",
) -> list[Order]:
    """GET requests: ``service_request_id`` (a comma list) overrides every other argument."""
    orders = _orders(jurisdiction)
    ids = _comma_list(service_request_id)
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id 一次最多{MAX_IDS}个")
        return list(orders.filter(no__in=ids).order_by("-created_at", "-id")[:MAX_RESULTS])
    start, end = window(start_date, end_date)
    orders = orders.filter(created_at__gte=start, created_at__lte=end)
    codes = _comma_list(service_code)
    if codes:
        orders = orders.filter(category__code__in=codes)
    statuses = set(_comma_list(status.lower()))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）")
    if statuses == {"open"}:
        orders = orders.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        orders = orders.filter(status__in=CLOSED_STATUSES)
    return list(orders.order_by("-created_at", "-id")[:MAX_RESULTS])


def request_get(*, jurisdiction: Region, service_request_id: str) -> Order:
    order = _orders(jurisdiction).filter(no=service_request_id).first()
    if order is None:
        raise Open311Error(404, f"未找到诉求“{service_request_id}”（service_request_id）")
    return order


def _expected(order: Order) -> str | None:
    """The 办结期限 (a date, moved by an approved 延期) as its last moment, Beijing time."""
    if order.due_on is None or order.status in CLOSED_STATUSES:
        return None
    return w3c(end_of_day(order.due_on))


def _status_notes(order: Order) -> str:
    notes = order.get_status_display()
    if order.status == Status.MERGED and order.merged_into_id:
        notes += f"：已并入工单 {order.merged_into.no}，后续进展见该工单"
    return notes


def _link(order: Order):
    try:
        return order.open311
    except Order.open311.RelatedObjectDoesNotExist:
        return None


def request_data(order: Order) -> dict:
    public_text = (
        order.publish_consent and not order.confidential
    )  # as the 曝光台 (hotline.selectors.public_text)
    hide_place = order.confidential
    link = _link(order)
    unit = order.main_unit
    updated = order.closed_at if order.status in CLOSED_STATUSES and order.closed_at else None
    updated = updated or getattr(order, "last_event_at", None) or order.created_at
    return {
        "service_request_id": order.no,
        "status": "closed" if order.status in CLOSED_STATUSES else "open",
        "status_notes": _status_notes(order),
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": order.text if public_text else None,
        "agency_responsible": unit.name if unit is not None else None,
        "service_notice": None,
        "requested_datetime": w3c(order.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": _expected(order),
        "address": None if hide_place else (order.address or None),
        "address_id": None if hide_place or link is None else (link.address_id or None),
        "zipcode": None,
        "lat": None if hide_place or order.lat is None else float(order.lat),
        "long": None if hide_place or order.lon is None else float(order.lon),
        "media_url": (link.media_url or None)
        if (link is not None and public_text and not hide_place)
        else None,
    }


# ---------------------------------------------------------------- updates (mySociety extension)


def updates_list(*, jurisdiction: Region, start_date: str = "", end_date: str = "") -> list[OrderEvent]:
    """Public events of the jurisdiction's orders within the window, oldest first (at most 1000)."""
    start, end = window(start_date, end_date)
    return list(
        OrderEvent.objects.filter(public=True, at__gte=start, at__lte=end)
        .filter(order__region__code__startswith=jurisdiction.code_prefix)
        .exclude(order__status=Status.TRANSFERRED)
        .select_related("order")
        .order_by("at", "id")[:MAX_RESULTS]
    )


def _event_status(event: OrderEvent) -> str:
    status = event.to_status or event.from_status or event.order.status
    if status == Status.CLOSED:
        order = event.order
        solved = order.callback_solved if order.callback_solved is not None else order.reply_solved
        return "fixed" if solved else "closed"
    return EXTENDED_STATUS.get(status, "open")


def update_data(event: OrderEvent) -> dict:
    status_code = event.to_status or event.from_status or event.order.status
    label = Status(status_code).label if status_code in Status.values else ""
    return {
        "update_id": str(event.pk),
        "service_request_id": event.order.no,
        "status": _event_status(event),
        "updated_datetime": w3c(event.at),
        "description": event.note or (f"工单状态：{label}" if label else ""),
        "media_url": "",
        "external_status_code": status_code,
    }
