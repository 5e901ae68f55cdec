"""Each hall test gets its own board broker: Redis (a channel prefix of its own) when REDIS_URL is set,
as on the PostgreSQL CI run, else in-process."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from zhengwu.core import clock
from zhengwu.hall import live, services

from . import factories as fx


@pytest.fixture(autouse=True)
def hall_broker():
    url = getattr(settings, "REDIS_URL", "")
    broker = live.RedisBroker(url, prefix=f"zhengwu-test-{uuid.uuid4().hex[:12]}") if url else live.LocalBroker()
    previous = live.set_broker(broker)
    yield broker
    live.set_broker(previous)
    broker.close()


@pytest.fixture
def w():
    """The hall of ``factories.build_hall`` with 李明 signed in at window 01 and 王芳 at 02 (8:40).
    Test modules that need another world define their own ``w``, which takes precedence."""
    world = fx.build_hall()
    with clock.frozen(fx.at(8, 40)):
        services.window_sign_in(window=world.w1, officer=world.o1)
        services.window_sign_in(window=world.w2, officer=world.o2)
    return world
