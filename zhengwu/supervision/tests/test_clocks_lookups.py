"""Who answers for a clock (the department head, the hall's 首席代表) is kept in-process: a change through the
ORM shows at once, a rolled-back change never, a change announced by another process (or made without a
signal) within the stated time. Transactional tests: the copy is only kept for committed rows."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.db import transaction

from zhengwu.cases import services as cs
from zhengwu.cases.tests.factories import applicant, build_world
from zhengwu.core import clock
from zhengwu.org.models import Role, Staff
from zhengwu.org.tests import factories as f
from zhengwu.supervision import clocks
from zhengwu.supervision.clocks import department_head, responsible_staff
from zhengwu.supervision.models import Clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w():
    return build_world()


def head_of(w):
    return department_head(w.dept.pk, w.county.code)


def chief_of(w, handler=None):
    return responsible_staff(role=Role.CHIEF_REP, department_id=w.dept.pk, hall_id=w.center.pk,
                             region_code=w.county.code, handler_id=handler)


def later(monkeypatch, seconds: float) -> None:
    """The process's monotonic clock ``seconds`` on (the memo's recheck and the entries' age)."""
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + seconds)


def test_kept_after_the_first_read(w, django_assert_num_queries):
    assert head_of(w) == w.head.pk and chief_of(w) == w.chief.pk
    with django_assert_num_queries(0):
        assert head_of(w) == w.head.pk
        assert chief_of(w) == w.chief.pk


def test_a_new_department_head_is_used_at_once(w):
    assert head_of(w) == w.head.pk  # kept
    w.head.is_active = False
    w.head.save()
    new = f.staff("1100", Role.DEPT_HEAD, department=w.dept, region=w.county, name="新局长")
    assert head_of(w) == new.pk
    # a role taken away (m2m) shows at once too
    new.roles.remove(Role.objects.get(code=Role.DEPT_HEAD))
    assert head_of(w) is None
    # and a role given from the role's side
    Role.objects.get(code=Role.DEPT_HEAD).staff.add(w.officer)
    assert head_of(w) == w.officer.pk


def test_a_new_chief_representative_is_used_at_once(w):
    assert chief_of(w, handler=w.officer.pk) == w.chief.pk
    w.chief.hall = w.town_hall
    w.chief.save()
    assert chief_of(w, handler=w.officer.pk) == w.officer.pk  # none in the hall any more: the handler
    w.officer2.roles.add(Role.objects.get(code=Role.CHIEF_REP))
    assert chief_of(w, handler=w.officer.pk) == w.officer2.pk


def test_a_change_rolled_back_is_never_kept(w):
    assert head_of(w) == w.head.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        w.head.is_active = False
        w.head.save()
        assert head_of(w) is None  # the transaction sees its own change ...
        assert head_of(w) is None
        raise RuntimeError
    w.head.refresh_from_db()
    assert w.head.is_active
    assert head_of(w) == w.head.pk  # ... and after the rollback nobody does


def test_a_change_in_another_process_shows_within_the_recheck(w, monkeypatch):
    assert head_of(w) == w.head.pk
    # another app process saves a new head: its rows, and a new version in the shared cache
    Staff.objects.filter(pk=w.head.pk).update(is_active=False)  # (no signal here: that was the other process)
    cache.set(clocks._staff.version_key, time.time_ns(), None)
    assert head_of(w) == w.head.pk  # this process has not looked yet
    later(monkeypatch, 31)
    assert head_of(w) is None


def test_a_write_without_a_signal_shows_within_the_max_age(w, monkeypatch):
    assert head_of(w) == w.head.pk and chief_of(w) == w.chief.pk
    Staff.objects.filter(pk__in=[w.head.pk, w.chief.pk]).update(is_active=False)  # a bulk fix, nobody told
    assert head_of(w) == w.head.pk
    later(monkeypatch, clocks.STAFF_MAX_AGE_SECONDS + 1)
    assert head_of(w) is None and chief_of(w) is None


def test_the_case_services_name_the_head_in_force(w):
    """Accept one case, change the head, accept the next: each case's clocks name the head of their day."""
    def accepted():
        with clock.frozen(dt.date(2026, 3, 10)):
            case = cs.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
            cs.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
        return case

    first = accepted()
    w.head.roles.clear()
    new = f.staff("1100", Role.DEPT_HEAD, department=w.dept, region=w.county, name="新局长")
    second = accepted()
    heads = {c.subject_id: c.head_id for c in Clock.objects.filter(subject_type="case", kind_id="case")}
    assert heads == {first.pk: w.head.pk, second.pk: new.pk}
    steps = {c.subject_id: (c.officer_id, c.head_id) for c in Clock.objects.filter(kind_id="case_step")}
    assert steps == {first.pk: (w.chief.pk, w.head.pk), second.pk: (w.chief.pk, new.pk)}
