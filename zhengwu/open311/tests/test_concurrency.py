"""Real threads: a client's hourly POST limit holds when its POSTs arrive at once."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from zhengwu.cases.tests.test_concurrency import run_together
from zhengwu.hotline.models import Order
from zhengwu.hotline.tests.factories import build_world
from zhengwu.open311.models import Open311Request
from zhengwu.open311.services import client_issue
from zhengwu.org.models import Role

from .conftest import BASE, COUNTY, FORM, KEY

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"),
]
LIMIT = 5


@pytest.fixture
def world():
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    w = build_world()
    client_issue(name="随手拍", jurisdiction=w.county, raw=KEY, posts_per_hour=LIMIT)
    return w


def test_one_more_parallel_post_than_the_hourly_limit_gets_exactly_the_limit_accepted(world):
    data = urlencode(
        {
            "api_key": KEY,
            "jurisdiction_id": COUNTY,
            "service_code": "CJ-01",
            "address_string": "城关镇东大街12号",
            "description": "东大街路灯坏了三天",
            "phone": "13912345678",
        }
    )

    def post(i, barrier):
        c = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        barrier.wait()
        return c.post(f"{BASE}requests.json", data, content_type=FORM).status_code

    results = run_together(LIMIT + 1, post)
    assert sorted(results) == [200] * LIMIT + [429]
    assert Order.objects.count() == LIMIT
    assert Open311Request.objects.count() == LIMIT
