from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from zhengwu.core.errors import DomainError
from zhengwu.org.models import Region

from . import engine

router = Router(tags=["工作日"])


class DueOut(Schema):
    start: dt.date
    days: int
    due: dt.date
    provisional: bool


class CountOut(Schema):
    start: dt.date
    end: dt.date
    workdays: int
    provisional: bool


class DayOut(Schema):
    date: dt.date
    workday: bool
    reason: str
    provisional: bool


def region_param():
    """The region of a regional calendar (统计用区划代码); absent for the national one."""
    return Query(None, max_length=Region._meta.get_field("code").max_length, description="区划代码（含地方节假日）")


def _region(code: str | None):
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError("unknown_region", f"未找到区划代码 {code}", status=404)
    return region


@router.get("/add", response=DueOut, summary="起始日加 N 个工作日（起始日不计入）")
def add(request, start: dt.date, days: int, region: str | None = region_param()):
    deadline = engine.due_date(start, days, region=_region(region))
    return {"start": start, "days": days, "due": deadline.due, "provisional": deadline.provisional}


@router.get("/count", response=CountOut, summary="两日期之间的工作日数（不含起始日，含结束日）")
def count(request, start: dt.date, end: dt.date, region: str | None = region_param()):
    cal = engine.calendar_for(_region(region))
    return {"start": start, "end": end, "workdays": cal.count(start, end),
            "provisional": cal.provisional_between(start, max(start, end))}


@router.get("/explain", response=list[DayOut], summary="逐日说明期限的计算过程")
def explain(request, start: dt.date, days: int, region: str | None = region_param()):
    if days > 400:
        raise DomainError("too_many_days", "逐日说明最多支持400个工作日")
    return engine.explain(start, days, region=_region(region))


@router.get("/day", response=DayOut, summary="某一天是否为工作日")
def day(request, date: dt.date, region: str | None = region_param()):
    return engine.calendar_for(_region(region)).status(date)
