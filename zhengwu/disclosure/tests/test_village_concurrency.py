"""Two entries of the same village, category and period at the same moment (PostgreSQL, real threads):
one disclosure, one period, one clock; the other entry is told the period is taken."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure.models import VillageDisclosure, VillagePeriod
from zhengwu.org.models import Role
from zhengwu.supervision.models import Clock

from .village_factories import enter, village_world

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(settings):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises the writers)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    return village_world()


def test_two_clerks_enter_the_same_period_at_once(w):
    barrier = threading.Barrier(2)
    results: list = []

    def run():
        try:
            barrier.wait()
            results.append(enter(w).pk)
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    with clock.frozen(dt.date(2026, 10, 9)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(map(str, results))[1] == "period_taken", results
    assert VillageDisclosure.objects.count() == 1 and VillagePeriod.objects.count() == 1
    assert Clock.objects.filter(kind_id="gk_village").count() == 1
