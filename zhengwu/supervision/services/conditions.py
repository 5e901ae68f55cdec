"""What the sweep compares clocks with: per working-day calendar, the dates that decide the conditions.

The working-day arithmetic of a condition becomes one comparison per row. For a calendar and today ``t``:
- red: at least one working day past the deadline (count_workdays(due, t) ≥ 1) ⇔ ``due < red_before``,
  the last working day on or before ``t``;
- yellow: at most ``w`` working days left (count_workdays(t, due) ≤ w) ⇔ ``due < add_workdays(t, w + 1)``;
- 超时默认: ``n`` working days past (default the 2nd) ⇔ ``due < `` the n-th working day back from ``t``.
So the database compares a date column with a handful of constants per calendar (as it would compare
integers in a table of working-day ordinals, without the table). Regions with no local override share the
nationwide calendar; each set of local overrides is one more group, named by its region ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from zhengwu.catalog.models import Item
from zhengwu.workdays import engine

from ..models import DeemedRule, SupervisionPolicy


@dataclass
class Group:
    """One working-day calendar and the regions that use it (``None`` = every region not in another group)."""

    calendar: engine.Calendar
    region_ids: list[int] | None
    red_before: dt.date = dt.date.min
    deemed_before: dt.date = dt.date.min
    yellow_before: dict[int, dt.date] = field(default_factory=dict)  # warn working days → cutoff


def workday_back(cal: engine.Calendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day counting back from ``day`` (``day`` itself is the first if it is one)."""
    seen = 0
    while True:
        if cal.is_workday(day):
            seen += 1
            if seen == n:
                return day
        day -= dt.timedelta(days=1)


def calendar_groups(today: dt.date, policy: SupervisionPolicy, warns: set[int]) -> list[Group]:
    """The calendars in use and their cutoffs for ``today``; the nationwide group comes last."""
    from zhengwu.org.models import Region
    from zhengwu.workdays.models import DayOverride

    local_ids = set(DayOverride.objects.filter(region__isnull=False).values_list("region_id", flat=True))
    groups: list[Group] = []
    if local_ids:
        local = {r.pk: r.code_prefix for r in Region.objects.filter(pk__in=local_ids)}
        under = Q()
        for prefix in local.values():
            under |= Q(code__startswith=prefix)
        by_chain: dict[tuple[int, ...], list[int]] = {}
        sample: dict[tuple[int, ...], Region] = {}
        for region in Region.objects.filter(under).only("id", "code"):
            chain = tuple(sorted(pk for pk, p in local.items() if region.code.startswith(p)))
            by_chain.setdefault(chain, []).append(region.pk)
            sample.setdefault(chain, region)
        for chain, ids in by_chain.items():
            groups.append(Group(engine.calendar_for(sample[chain]), sorted(ids)))
    groups.append(Group(engine.calendar_for(None), None))
    for g in groups:
        g.red_before = workday_back(g.calendar, today, 1)
        g.deemed_before = workday_back(g.calendar, today, max(1, policy.deemed_after_workdays))
        g.yellow_before = {w: g.calendar.add(today, w + 1) for w in warns}
    return groups


def region_filter(groups: list[Group], g: Group, column: str) -> tuple[str, list]:
    """SQL (and params) limiting ``column`` to the regions of group ``g``."""
    if g.region_ids is not None:
        return f" AND {column} IN ({', '.join(['%s'] * len(g.region_ids))})", list(g.region_ids)
    others = [pk for o in groups if o.region_ids is not None for pk in o.region_ids]
    if not others:
        return "", []
    return f" AND {column} NOT IN ({', '.join(['%s'] * len(others))})", others


def deemed_scope() -> tuple[set[int], set[int]]:
    """Items and departments under 超时默认 (DeemedRule)."""
    rules = list(DeemedRule.objects.filter(is_active=True).values_list("impl_code", "department_id"))
    codes = [c for c, _ in rules if c]
    items = set(Item.objects.filter(impl_code__in=codes).values_list("id", flat=True)) if codes else set()
    return items, {d for _, d in rules if d}


def deemed_rule_q() -> Q:
    """The clocks DeemedRule puts under 超时默认, as subqueries (no statement of its own: the sweep's one
    candidate query per calendar reads the rules)."""
    rules = DeemedRule.objects.filter(is_active=True)
    codes = rules.exclude(impl_code="").values("impl_code")
    return (Q(item_id__in=Item.objects.filter(impl_code__in=codes).values("id"))
            | Q(department_id__in=rules.filter(department__isnull=False).values("department_id")))


# -- 超时默认 beyond DeemedRule: other apps put their own clocks under it -------------------------------------
# (e.g. the 子件 of 联办件 whose bundle says 超时默认, zhengwu.joint.services.deemed). A scope is a function
# returning a ``Q`` over ``Clock`` (or None for none today); a listener is told, inside the sweep's
# transaction, which clocks were just deemed (after their notices exist).
_deemed_scopes: list[Callable[[], Q | None]] = []
_deemed_listeners: list[Callable[[list], None]] = []


def register_deemed_scope(scope: Callable[[], Q | None], *, on_deemed: Callable[[list], None] | None = None) -> None:
    if scope not in _deemed_scopes:
        _deemed_scopes.append(scope)
    if on_deemed is not None and on_deemed not in _deemed_listeners:
        _deemed_listeners.append(on_deemed)


def deemed_extra_scope() -> Q | None:
    """The registered scopes OR-ed together, or None when none applies."""
    out = None
    for scope in _deemed_scopes:
        q = scope()
        if q is not None:
            out = q if out is None else out | q
    return out


def deemed_notify(clocks: list) -> None:
    for listener in _deemed_listeners:
        listener(clocks)
