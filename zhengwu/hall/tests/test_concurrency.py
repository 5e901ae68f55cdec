"""Many kiosks at once: 200 concurrent ticket requests give 200 distinct numbers, in order per group.

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

from .. import services
from ..models import Ticket
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
