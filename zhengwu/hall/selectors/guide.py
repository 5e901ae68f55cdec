"""The 群众办事引导图 and the printable cards (岗位卡, 代办事项明示卡, 便民服务联系卡)."""

from __future__ import annotations

from collections import OrderedDict

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.org.models import Hall, Role, Staff, Window

from .board import photo_url


def hall_guide(hall: Hall) -> list[dict]:
    """群众办事引导图: floor by floor, each window with its queue groups and the items it handles."""
    windows = list(Window.objects.filter(hall=hall).select_related("department")
                   .prefetch_related("items", "queue_groups").order_by("number"))
    floors: OrderedDict[str, list[dict]] = OrderedDict()
    for w in windows:
        floors.setdefault(w.floor or "大厅", []).append({
            "window": w,
            "groups": [g for g in w.queue_groups.all() if g.is_active],
            "items": sorted((i for i in w.items.all() if i.status == ItemVersion.Status.ACTIVE), key=lambda i: i.name),
        })
    return [{"floor": f, "windows": ws} for f, ws in floors.items()]

def post_cards(hall: Hall) -> list[dict]:
    """岗位卡 of every officer assigned to a window of the hall, with the address of their photo ("" if none)."""
    cards = []
    staff = (Staff.objects.filter(windows__hall=hall, is_active=True).distinct()
             .select_related("department").prefetch_related("windows__items", "roles").order_by("employee_no"))
    for s in staff:
        ws = [w for w in s.windows.all() if w.hall_id == hall.pk]
        items = sorted({i.name for w in ws for i in w.items.all()})
        cards.append({"staff": s, "windows": ws, "items": items[:8], "more": max(0, len(items) - 8),
                      "role": "、".join(r.name for r in s.roles.all()), "photo": photo_url(s)})
    return cards

def agent_card(hall: Hall) -> dict:
    """代办事项明示卡 of a village station: its agents and the items they may take in."""
    regions = [hall.region, *hall.region.ancestors()]
    items = (Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE,
                                 current__village_intake=True, department__region__in=regions)
             .select_related("department", "current").order_by("department__name", "name"))
    agents = (Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.VILLAGE_AGENT).distinct()
              .order_by("employee_no"))
    grouped: OrderedDict[str, list] = OrderedDict()
    for i in items:
        grouped.setdefault(i.department.name, []).append(i)
    return {"agents": list(agents), "departments": grouped, "count": items.count()}

def contact_card(hall: Hall) -> dict:
    """便民服务联系卡: the hall, its departments' phones, and the agents of a village station."""
    departments = (Window.objects.filter(hall=hall, department__isnull=False).select_related("department")
                   .order_by("department__name").values_list("department__name", "department__phone").distinct())
    agents = (Staff.objects.filter(hall=hall, is_active=True, roles__code=Role.VILLAGE_AGENT).distinct()
              .order_by("employee_no"))
    upper = Hall.objects.filter(region__in=hall.region.ancestors(), is_active=True).order_by("-region__code")
    return {"departments": list(departments), "agents": list(agents), "upper": list(upper)}
