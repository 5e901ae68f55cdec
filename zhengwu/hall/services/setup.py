"""Setting up a hall's queues: one window group per department present, plus the comprehensive windows."""

from __future__ import annotations

import string

from django.db import transaction

from zhengwu.org.models import Hall, Window

from ..models import WindowGroup


def _codes():
    letters = string.ascii_uppercase
    yield from letters
    for a in letters:
        for b in letters:
            yield a + b


def window_groups_autocreate(*, hall: Hall) -> list[WindowGroup]:
    """Create the hall's window groups if it has none: 综合受理 first, then one per department.

    Groups get letters A, B, C … in window order; an admin renames and regroups them afterwards.
    """
    existing = list(WindowGroup.objects.filter(hall=hall))
    if existing:
        return existing
    windows = list(Window.objects.filter(hall=hall).select_related("department").order_by("number"))
    buckets: dict[int | None, list[Window]] = {}
    for w in windows:
        buckets.setdefault(w.department_id, []).append(w)
    codes = _codes()
    groups = []
    with transaction.atomic():
        for sort, (dept_id, ws) in enumerate(sorted(buckets.items(), key=lambda kv: kv[0] is not None)):
            dept = ws[0].department
            name = "综合受理" if dept_id is None else (dept.short_name or dept.name)
            g = WindowGroup.objects.create(hall=hall, code=next(codes), name=name[:50], sort=sort)
            g.windows.set(ws)
            groups.append(g)
    return groups
