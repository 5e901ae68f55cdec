"""The hotline's report pages: the KPI dashboard (staff) and the public 曝光台 (anyone)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render

from zhengwu.core import clock
from zhengwu.core.errors import PermissionDenied
from zhengwu.org.models import Role

from . import kpi, selectors
from .services import common
from .views import _ctx, hotline_staff

# -- KPIs and the dashboard -------------------------------------------------------------------------------------


@hotline_staff
def kpi_page(request):
    staff = request.staff
    if not (common.is_centre(staff) or staff.has_role(Role.LEADER, Role.SUPERVISOR)):
        raise PermissionDenied("热线统计仅限热线中心、领导和效能监察员查看")
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    by = request.GET.get("by", "unit")
    by = by if by in kpi.BY else "unit"
    region = staff.region
    data = kpi.dashboard(start=start, end=end, region=region)
    rows = kpi.kpi_rows(by=by, start=start, end=end, region=region)
    chart = {k: v for k, v in data.items() if k != "total"}
    return render(
        request,
        "hotline/kpi.html",
        _ctx(
            request,
            start=start,
            end=end,
            by=by,
            by_label=kpi.BY[by],
            bys=kpi.BY,
            rows=rows,
            data=data,
            chart=chart,
            total=data["total"],
        ),
    )


# -- public -------------------------------------------------------------------------------------------------------


def public_list(request):
    """曝光台 / 诉求公开: closed orders, no personal data; the caller's text only with their consent."""
    q = (request.GET.get("q") or "").strip()[:40]
    page = Paginator(selectors.order_public_list(q=q), 20).get_page(request.GET.get("page"))
    rows = [(o, selectors.public_text(o), selectors.main_unit_name(o)) for o in page]
    return render(request, "hotline/public.html", {"page": page, "rows": rows, "q": q})


def public_detail(request, no):
    order = selectors.order_public_list().filter(no=no[:24]).first()
    if order is None:
        return render(request, "hotline/message.html", {"message": "未找到该公开工单"}, status=404)
    return render(
        request,
        "hotline/public_detail.html",
        {
            "order": order,
            "text": selectors.public_text(order),
            "unit": selectors.main_unit_name(order),
            "events": selectors.public_events(order),
        },
    )
