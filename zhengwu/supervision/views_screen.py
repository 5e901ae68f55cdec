"""The leaders' wall screen (统计大屏, full screen): the dashboard's figures on a dark page sized to the
screen (1920×1080 and 3840×2160, no scrolling), refreshed in place every minute from a JSON endpoint.

Same data and same access as the analysis page (``views.dashboard``): ``dashboard_data`` reads the
rollups only, and ``dashboard_region_for_staff`` keeps a town's leader inside their town. The one
extra read is the list of regions one tier down (the level switch), a single small query.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Region, Staff
from zhengwu.org.selectors import staff_for_user

from .selectors.dashboard import dashboard_data, dashboard_region_for_staff
from .views import _message

REFRESH_SECONDS = 60
NEXT_LEVEL = {"city": "县（市、区）", "county": "乡镇（街道）", "town": "村（社区）"}


def screen_payload(*, staff: Staff, region: Region) -> dict:
    """``dashboard_data`` plus what the screen needs around it: the path back up (inside the staff's own
    region), the regions one tier down, and the server's clock (the demo's clock may be set)."""
    data = dashboard_data(region=region, today=clock.today())
    scope = staff.region.code_prefix
    chain = [r for r in reversed([region, *region.ancestors()]) if r.code.startswith(scope)]
    now = timezone.localtime(clock.now())
    data["nav"] = {
        "path": [{"code": r.code, "name": r.name, "level": r.level, "level_label": r.get_level_display()}
                 for r in chain],
        "children": [{"code": c, "name": n} for c, n in
                     Region.objects.filter(parent=region).order_by("code").values_list("code", "name")],
        "next_level_label": NEXT_LEVEL.get(region.level, ""),
    }
    refreshed = dt.datetime.fromisoformat(data["refreshed_at"]) if data["refreshed_at"] else None
    data["refreshed_local"] = f"{timezone.localtime(refreshed):%m-%d %H:%M}" if refreshed else None
    data["now"] = now.replace(tzinfo=None).isoformat(timespec="seconds")
    data["refresh_seconds"] = REFRESH_SECONDS
    return data


def _staff_or_none(request) -> Staff | None:
    staff = staff_for_user(request.user)
    return staff if staff is not None and staff.is_active else None


@login_required
@never_cache
def screen(request):
    staff = _staff_or_none(request)
    if staff is None:
        return _message(request, "效能监察页面仅限在岗工作人员使用。")
    try:
        region = dashboard_region_for_staff(staff=staff, region_code=request.GET.get("region", ""))
    except (PermissionDenied, NotFound) as exc:
        return _message(request, exc.message, exc.status)
    return render(request, "supervision/screen.html", {"data": screen_payload(staff=staff, region=region),
                                                       "region": region})


@never_cache
def screen_data(request):
    """The screen's refresh: JSON, or a JSON refusal (never a login page the script cannot read)."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "login_required", "message": "请先登录"}, status=401)
    staff = _staff_or_none(request)
    if staff is None:
        return JsonResponse({"code": "forbidden", "message": "效能监察页面仅限在岗工作人员使用。"}, status=403)
    try:
        region = dashboard_region_for_staff(staff=staff, region_code=request.GET.get("region", ""))
    except (PermissionDenied, NotFound) as exc:
        return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(screen_payload(staff=staff, region=region), json_dumps_params={"ensure_ascii": False})
