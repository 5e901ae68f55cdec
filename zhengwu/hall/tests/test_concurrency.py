"""Many kiosks at once: 200 concurrent ticket requests give 200 distinct numbers, in order per group.
Pads at once: one ticket rated from several pads at the same moment gets exactly one rating.

Real threads released together by a barrier, each request on its own database connection. On
PostgreSQL (CI) up to ``CONNECTIONS`` requests at a time race for the counter row, as behind an
application server's connection pool (PostgreSQL allows 100 connections by default).

SQLite serialises writers (IMMEDIATE transactions wait up to 20 s on a database file). The test
database of SQLite, though, is in memory with a shared cache, where a locked table is reported at
once instead of waited for; there the pool has one connection, which is the same serialisation.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.ratings.models import Rating, Rectification

from .. import services
from ..models import Ticket, TicketEvent
from . import factories as fx

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

REQUESTS = 200


def pool_size() -> int:
    conn = connections["default"]
    return 1 if conn.vendor == "sqlite" and conn.is_in_memory_db() else 40


def test_200_concurrent_ticket_requests_get_distinct_numbers_in_order_per_group():
    w = fx.build_hall()
    groups = [w.group_a, w.group_b]
    barrier = threading.Barrier(REQUESTS)
    pool = threading.BoundedSemaphore(pool_size())
    issued: list[tuple[str, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def kiosk(i: int) -> None:
        group = groups[i % 2]
        try:
            barrier.wait(timeout=60)
            with pool:
                try:
                    t = services.ticket_issue(hall=w.hall, group=group)
                finally:
                    connections.close_all()
            with lock:
                issued.append((group.code, t.number))
        except Exception as exc:  # collected and asserted empty below
            with lock:
                errors.append(repr(exc))

    with clock.frozen(fx.at(9, 30)):
        threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(REQUESTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=120)

    assert errors == []
    assert len(issued) == REQUESTS
    assert len({number for _, number in issued}) == REQUESTS
    for group in groups:
        rows = list(Ticket.objects.filter(issued_group=group).order_by("id").values_list("seq", "number"))
        expected = [(n, f"{group.code}{n:03d}") for n in range(1, REQUESTS // 2 + 1)]
        assert rows == expected
    counters = dict(w.group_a.ticketcounter_set.values_list("day", "last"))
    assert counters == {fx.DAY: REQUESTS // 2}


def test_one_ticket_rated_from_several_pads_at_once_gets_one_rating():
    w = fx.build_hall()
    with clock.frozen(fx.at(9)):
        services.window_sign_in(window=w.w1, officer=w.o1)
        services.ticket_issue(hall=w.hall, group=w.group_a)
        t = services.ticket_call_next(window=w.w1, officer=w.o1)
        services.ticket_finish(ticket=t, window=w.w1, officer=w.o1)
    pads = 8
    barrier = threading.Barrier(pads)
    pool = threading.BoundedSemaphore(pool_size())
    recorded: list[int] = []
    refused: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def rate(i: int) -> None:
        operator = w.admin if i % 2 else w.o1
        try:
            barrier.wait(timeout=60)
            with pool:
                try:
                    rating = services.ticket_rate(ticket=t, window=w.w1, operator=operator, overall=1 + i % 5)
                finally:
                    connections.close_all()
            with lock:
                recorded.append(rating.overall)
        except DomainError as exc:
            with lock:
                refused.append(exc.message)
        except Exception as exc:  # collected and asserted empty below
            with lock:
                errors.append(repr(exc))

    with clock.frozen(fx.at(9, 1)):
        threads = [threading.Thread(target=rate, args=(i,)) for i in range(pads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=120)

    assert errors == []
    assert len(recorded) == 1 and refused == ["该排队号的服务已经评价过"] * (pads - 1)
    assert list(Rating.objects.values_list("ticket_ref", "overall")) == [("20260310-A001", recorded[0])]
    assert TicketEvent.objects.filter(action="rate").count() == 1
    assert Rectification.objects.count() == (1 if recorded[0] <= 2 else 0)
