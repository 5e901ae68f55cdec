"""The hotline's local rules as data: time limits (``TimeLimitRule``) and settings (``HotlineSetting``),
with the defaults of HOTLINE-JOINT.md §1.4 when an admin has entered nothing.

Day limits run on the working-day engine (the start day not counted, so "13 working days from the next
day" is ``add_workdays(day, 13)``). Minute limits run around the clock, or only within the service
hours on working days when the rule says so.

The policy rows (the settings, the time limits, the 派单目录's rules) are read on every step of every
order but change a few times a year: they are kept in-process the way the working-day engine keeps its
calendars (``zhengwu.workdays.engine``). Saving or deleting one of them (admin, demo, services) clears
this process's copy at once and tells the other processes through the shared cache, which each checks
at most every 30 seconds (``zhengwu.core.localmemo``); an edit made with a bulk ``update()`` must call ``policy_invalidate``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from zhengwu.core.localmemo import LocalMemo
from zhengwu.workdays import engine

from ..models import DispatchRule, HotlineSetting, Kind, LimitUnit, TimeLimitRule, Urgency

# code: (name, amount, unit)
LIMIT_DEFAULTS: dict[str, tuple[str, int, str]] = {
    "sign_danger": ("签收时限（危及生命财产安全）", 15, LimitUnit.MINUTE),
    "sign_utility": ("签收时限（水电气热）", 30, LimitUnit.MINUTE),
    "sign_general": ("签收时限（一般）", 1, LimitUnit.WORKDAY),
    "reply_consult": ("办结时限（咨询、求助、表扬）", 3, LimitUnit.WORKDAY),
    "reply_complaint": ("办结时限（投诉、举报、建议）", 13, LimitUnit.WORKDAY),
    "return": ("退单时限（自派单起）", 2, LimitUnit.WORKDAY),
    "extension_max": ("延期最长", 10, LimitUnit.WORKDAY),
    "review": ("退单审核（改派）时限", 1, LimitUnit.WORKDAY),
    "callback": ("回访时限", 1, LimitUnit.WORKDAY),
}

SIGN_RULE = {Urgency.DANGER: "sign_danger", Urgency.UTILITY: "sign_utility", Urgency.NORMAL: "sign_general"}
LONG_KINDS = {Kind.COMPLAINT, Kind.REPORT, Kind.SUGGESTION}


@dataclass(frozen=True)
class Limit:
    code: str
    name: str
    amount: int
    unit: str
    around_the_clock: bool = True

    @property
    def minutes(self) -> bool:
        return self.unit == LimitUnit.MINUTE


# -- the in-process copy of the policy rows -------------------------------------------------------------
_memo = LocalMemo("zhengwu:hotline:policy")  # "limits", "setting", "rules" (zhengwu.core.localmemo)


def policy_invalidate(**_kwargs) -> None:
    """Forget the policy rows here and tell the other processes (a receiver of the policy models' saves)."""
    _memo.invalidate()


def _limit_rows() -> dict[str, Limit]:
    rows = _memo.fresh().get("limits")
    if rows is None:
        generation = _memo.generation()
        rows = {
            r.code: Limit(r.code, r.name, r.amount, r.unit, r.around_the_clock)
            for r in TimeLimitRule.objects.all()
        }
        _memo.keep("limits", rows, generation)
    return rows


def limit(code: str) -> Limit:
    row = _limit_rows().get(code)
    if row is not None:
        return row
    name, amount, unit = LIMIT_DEFAULTS[code]
    return Limit(code, name, amount, unit)


def limits(*codes: str) -> list[Limit]:
    """Several limits, in the order asked (a step that needs two or three)."""
    return [limit(code) for code in codes]


def limits_ensure() -> int:
    """Create the default rows an admin has not entered yet (the demo and the admin show them)."""
    have = set(TimeLimitRule.objects.values_list("code", flat=True))
    rows = [
        TimeLimitRule(code=c, name=n, amount=a, unit=u)
        for c, (n, a, u) in LIMIT_DEFAULTS.items()
        if c not in have
    ]
    TimeLimitRule.objects.bulk_create(rows)
    if rows:
        policy_invalidate()
    return len(rows)


def setting_get() -> HotlineSetting:
    """The hotline's settings (the row an admin entered, else the defaults). Shared: read, never change it."""
    row = _memo.fresh().get("setting")
    if row is None:
        generation = _memo.generation()
        row = HotlineSetting.objects.select_related("jurisdiction", "centre_hall").order_by("pk").first()
        row = row if row is not None else HotlineSetting()
        _memo.keep("setting", row, generation)
    return row


def text_max_chars() -> int:
    """The longest text a step takes."""
    return setting_get().text_max_chars


def dispatch_rules(category_id: int) -> list[DispatchRule]:
    """The 派单目录's rules of a category with their region, department and hall. Shared: read only."""
    got = _memo.fresh().get(("rules", category_id))
    if got is None:
        generation = _memo.generation()
        got = list(DispatchRule.objects.filter(category_id=category_id).select_related("region", "department", "hall"))
        _memo.keep(("rules", category_id), got, generation)
    return got


def reply_code(kind: str) -> str:
    return "reply_complaint" if kind in LONG_KINDS else "reply_consult"


def reply_limit(kind: str) -> Limit:
    return limit(reply_code(kind))


def workdays_after(day: dt.date, n: int, *, region) -> dt.date:
    return engine.add_workdays(day, n, region=region)


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def add_minutes(
    start: dt.datetime,
    minutes: int,
    *,
    around_the_clock: bool,
    region=None,
    setting: HotlineSetting | None = None,
) -> dt.datetime:
    """``start`` + ``minutes``: around the clock, or counting only service hours on working days."""
    if around_the_clock:
        return start + dt.timedelta(minutes=minutes)
    setting = setting or setting_get()
    begin, end = _as_time(setting.service_start), _as_time(setting.service_end)
    at = timezone.localtime(start)
    left = dt.timedelta(minutes=minutes)
    for _ in range(400):  # at most a year of closed days
        day = at.date()
        open_at = timezone.make_aware(dt.datetime.combine(day, begin))
        close_at = timezone.make_aware(dt.datetime.combine(day, end))
        if engine.is_workday(day, region=region) and at < close_at:
            at = max(at, open_at)
            if at + left <= close_at:
                return at + left
            left -= close_at - at
        at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), begin))
    return at + left


def _as_time(value) -> dt.time:
    if isinstance(value, str):
        h, m = value.split(":")[:2]
        return dt.time(int(h), int(m))
    return value
