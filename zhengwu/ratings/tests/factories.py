"""The cases world of ``cases/tests/factories.py`` plus a second window, a supervisor and a hall admin,
and helpers that finish cases through the case services on a given day."""

from __future__ import annotations

import datetime as dt

from zhengwu.cases import services as cs
from zhengwu.cases.tests.factories import applicant, build_world, pdf
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f


def rating_world():
    # Roles come from a data migration, which a transactional (browser) test's flush removes.
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    w = build_world()
    w.head.phone = "13900000004"
    w.head.save(update_fields=["phone"])
    w.officer.phone = "13900000001"
    w.officer.save(update_fields=["phone"])
    w.window6 = f.window(w.center, "6", w.dept)
    w.officer2.windows.add(w.window6)
    w.supervisor = f.staff("1008", Role.SUPERVISOR, region=w.county, name="郑监察")
    w.hall_admin = f.staff("1009", Role.HALL_ADMIN, hall=w.center, name="冯主任")
    w.town_window = f.window(w.town_hall, "1", w.dept)
    w.immediate_m1 = w.immediate.current.materials.order_by("seq").first()
    return w


def finish_at_window(w, on: dt.date, *, officer=None, window=None, phone="13812345678"):
    """A 即办件 taken in and finished at the window on ``on`` (one transaction each, as at the counter)."""
    officer = officer or w.officer
    window = window or w.window
    with clock.frozen(on):
        case = cs.case_submit(item=w.immediate, applicant=applicant(phone=phone), channel="window",
                              officer=officer, window=window)
        cs.case_accept(case=case, officer=officer, window=window, paper_materials=[w.immediate_m1.pk])
    return case


def finish_online(w, on: dt.date, *, user=None):
    """A 即办件 applied for online by the citizen, accepted (and so finished) at the window on ``on``."""
    with clock.frozen(on):
        case = cs.case_submit(item=w.immediate, applicant=applicant(), channel="online", user=user or w.citizen,
                              files=[(w.immediate_m1.pk, pdf())])
        cs.case_accept(case=case, officer=w.officer, window=w.window)
    return case


def open_case(w, on: dt.date):
    """An online application not yet finished."""
    with clock.frozen(on):
        return cs.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                              files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
