"""Fixtures for supervision tests: the cases world with a supervisor, and cases moved with the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.tests.factories import applicant, build_world, pdf
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f


@pytest.fixture
def w():
    world = build_world()
    world.supervisor = f.staff("2001", Role.SUPERVISOR, region=world.county, name="郑监察")
    return world


def accept_case(w, day: dt.date, *, officer=None, window=None, **applicant_over):
    """An online application accepted at the county centre on ``day`` (5 working days, 3 steps)."""
    with clock.frozen(day):
        case = cs.case_submit(item=w.item, applicant=applicant(**applicant_over), channel="online", user=w.citizen,
                              files=[(w.m1.pk, pdf("申请书.pdf")), (w.m2.pk, pdf("平面图.pdf"))])
        cs.case_accept(case=case, officer=officer or w.officer, window=window or w.window)
    return case


def finish_case(w, case, day: dt.date, *, officer=None):
    with clock.frozen(day):
        while case.current_step < 3:
            cs.case_review(case=case, officer=w.chief)
        cs.case_decide(case=case, officer=w.head, decision="approve")
        cs.case_complete(case=case, officer=officer or w.officer)
    return case


def case_cards(case):
    """The cards on a case's clocks (its 办结时限 and its steps')."""
    from zhengwu.supervision.models import Card

    return Card.objects.filter(clock__subject_type="case", clock__subject_id=case.pk)


def scope(card) -> tuple[str, int]:
    """("case", 0) for the case's own deadline, ("step", n) for step n — how the board names them."""
    return ("step" if card.part else "case", card.part)
