"""Real threads: order numbers under contention, and two people of one unit signing at once."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases.tests.test_concurrency import _file_database_on_sqlite, run_together
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.hotline import services
from zhengwu.hotline.models import Order, OrderEvent, OrderUnit
from zhengwu.org.models import Role, Staff

from .factories import build_world, dispatched, new_order

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def w(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    with clock.frozen(TODAY):
        world = build_world()
        with _file_database_on_sqlite(tmp_path / "threads.sqlite3"):
            yield world


def _staff(s):
    staff = Staff.objects.select_related("region", "hall", "department").get(pk=s.pk)
    staff.role_codes()
    return staff


def test_twenty_calls_at_once_get_consecutive_numbers(w):
    taker = _staff(w.taker)

    def take(i, barrier):
        barrier.wait()
        return new_order(w, actor=taker, text=f"第{i}个来电").no

    results = run_together(20, take)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(results) == [f"RX20261102{k:05d}" for k in range(1, 21)]


@pytest.mark.parametrize("round_", range(3))
def test_two_people_of_the_unit_signing_at_once_sign_once(w, round_):
    pk = dispatched(w).pk
    people = [_staff(w.officer), _staff(w.head)]

    def sign(i, barrier):
        order = Order.objects.get(pk=pk)
        barrier.wait()
        return services.order_sign(order=order, staff=people[i]).status

    results = run_together(2, sign)
    wins = [r for r in results if r == "handling"]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert (len(wins), [e.code for e in losses]) == (1, ["already_signed"])
    assert OrderUnit.objects.get(order_id=pk).state == "signed"
    assert OrderEvent.objects.filter(order_id=pk, action="sign").count() == 1


def test_a_step_that_waited_for_the_lock_sees_the_units_and_extensions_of_the_commit_it_waited_for(w):
    """The lock read brings the unit rows and the pending 延期 with it; one that waited for another
    transaction must see what that transaction committed, not its own older snapshot."""
    import threading
    import time

    from django.db import connections, transaction

    from zhengwu.hotline.models import Extension

    pk = dispatched(w).pk
    officer = _staff(w.officer)
    services.order_sign(order=Order.objects.get(pk=pk), staff=officer)
    held, release = threading.Event(), threading.Event()

    def other_request_extension():
        # what order_extend_request writes, held open until the step below waits for the lock
        try:
            with transaction.atomic():
                o = Order.objects.select_for_update().get(pk=pk)
                Extension.objects.create(
                    order=o,
                    days=2,
                    reason="需协调",
                    requested_by=officer,
                    requested_at=clock.now(),
                    old_due=o.due_on,
                )
                Order.objects.filter(pk=pk).update(row_version=o.row_version + 1)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    t = threading.Thread(target=other_request_extension)
    t.start()
    assert held.wait(30)
    # read before the other commits (no pending 延期 then), with what a page holds: the hot lock path
    order = Order.objects.select_related("category", "region", "main_department", "main_hall").get(pk=pk)
    result = []

    def reply():
        try:
            result.append(services.order_reply(order=order, staff=officer, text="已处理", solved=True))
        except DomainError as exc:
            result.append(exc)
        finally:
            connections.close_all()

    r = threading.Thread(target=reply)
    r.start()
    time.sleep(0.5)  # the reply now waits for the order's lock (PostgreSQL) or the database (SQLite)
    release.set()
    t.join(30)
    r.join(30)
    assert [getattr(x, "code", x) for x in result] == ["extension_pending"]
    assert Order.objects.get(pk=pk).status == "handling"
    assert OrderEvent.objects.filter(order_id=pk, action="reply").count() == 0
