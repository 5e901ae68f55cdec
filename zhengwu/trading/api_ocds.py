"""OCDS 1.1 feeds of the trading domain (mounted at /api/trading/ocds), public and without login.

- ``GET /releases?since=&ocid=&limit=&offset=`` → a release package of the stored releases (oldest first).
- ``GET /records/{ocid}`` → a record package: the ocid's releases (linked) and the compiled release.

Only stored releases are served, and those never say who bid or how many before a round's deadline
(``ocds/builder.py``); releases dated in the future are not served.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound

from .models import Release
from .ocds.packages import record, record_package, release_package

router = Router(tags=["公共资源交易 OCDS"])

MAX_LIMIT = 1000


class ReleaseQuery(Schema):
    since: dt.datetime | None = Field(None, description="只返回该时间及以后的发布（ISO 8601；无时区按北京时间）")
    ocid: str | None = Field(None, max_length=64, description="只返回该 ocid 的发布")
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="每页条数（1–1000）")
    offset: int = Field(0, ge=0, le=100_000_000, description="跳过的条数")


def _aware(at: dt.datetime) -> dt.datetime:
    """The moment in UTC: PostgreSQL refuses offsets beyond ±15:59 (a 500 otherwise), and a moment that
    falls outside the calendar once converted is refused here."""
    try:
        return (at if timezone.is_aware(at) else timezone.make_aware(at)).astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise DomainError("invalid_input", "since 时间超出可表示的范围", status=422) from None


def _published():
    return Release.objects.filter(date__lte=clock.now())


@router.get("/releases", auth=None, summary="OCDS 发布包（release package）")
def releases(request, q: Query[ReleaseQuery]):
    qs = _published()
    if q.since is not None:
        qs = qs.filter(date__gte=_aware(q.since))
    if q.ocid:
        qs = qs.filter(ocid=q.ocid)
    rows = qs.order_by("date", "id").values_list("data", flat=True)[q.offset:q.offset + q.limit]
    return release_package(list(rows), uri=request.build_absolute_uri())


@router.get("/records/{ocid}", auth=None, summary="OCDS 记录包（record package）")
def record_get(request, ocid: str):
    rows = list(_published().filter(ocid=ocid).order_by("date", "id").values_list("data", flat=True))
    if not rows:
        raise NotFound("未找到该交易项目的 OCDS 记录", code="ocds_not_found")
    base = request.build_absolute_uri("/api/trading/ocds/releases")
    package_url = f"{base}?{urlencode({'ocid': ocid, 'limit': MAX_LIMIT})}"
    return record_package([record(rows, package_url=package_url)], uri=request.build_absolute_uri(),
                          packages=[package_url])
