"""Each hall test gets its own board broker: Redis (a channel prefix of its own) when REDIS_URL is set,
as on the PostgreSQL CI run, else in-process."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from zhengwu.hall import live


@pytest.fixture(autouse=True)
def hall_broker():
    url = getattr(settings, "REDIS_URL", "")
    broker = live.RedisBroker(url, prefix=f"zhengwu-test-{uuid.uuid4().hex[:12]}") if url else live.LocalBroker()
    previous = live.set_broker(broker)
    yield broker
    live.set_broker(previous)
    broker.close()
