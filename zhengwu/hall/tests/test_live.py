"""The board broker (in-process and Redis), the event stream under WSGI and ASGI, and what the
service functions publish."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync

from zhengwu.core import clock

from .. import live, services
from ..views import sse
from . import factories as fx

REDIS_URL = os.environ.get("ZHENGWU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def run_loop(coro_fn):
    """``asyncio.run`` in a thread of its own (the browser tests leave a loop in the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result(timeout=30)


def _redis(prefix=None) -> live.RedisBroker:
    return live.RedisBroker(REDIS_URL, prefix=prefix or f"zhengwu-test-{uuid.uuid4().hex[:12]}")


# -- brokers -------------------------------------------------------------------------------------------


def test_local_broker_fans_out_to_the_channel_only():
    b = live.LocalBroker()
    a1, a2, other = b.subscribe("hall:1"), b.subscribe("hall:1"), b.subscribe("hall:2")
    b.publish("hall:1", '{"n": 1}')
    assert (a1.get(0.1), a2.get(0.1), other.get(0.05)) == ('{"n": 1}', '{"n": 1}', None)
    a2.close()
    b.publish("hall:1", '{"n": 2}')
    assert (a1.get(0.1), a2.get(0.05)) == ('{"n": 2}', None)
    assert b.hub.count("hall:1") == 1


def test_a_stalled_subscriber_is_told_to_resync():
    b = live.LocalBroker()
    sub = b.subscribe("hall:1")
    for n in range(live.QUEUE_SIZE + 5):
        b.publish("hall:1", json.dumps({"n": n}))
    got = [sub.get(0.01) for _ in range(7)]
    assert live.RESYNC in got


def test_local_broker_feeds_an_event_loop_from_another_thread():
    b = live.LocalBroker()

    async def main():
        sub = await b.asubscribe("hall:7")
        threading.Timer(0.05, b.publish, args=("hall:7", "hello")).start()
        first = await sub.get(2)
        timeout = await sub.get(0.05)
        sub.close()
        return first, timeout

    assert run_loop(main) == ("hello", None)
    assert b.hub.count() == 0


def test_redis_broker_crosses_processes():
    """Two brokers stand for two app processes: a call published by one reaches the other's boards."""
    prefix = f"zhengwu-test-{uuid.uuid4().hex[:12]}"
    a, b = _redis(prefix), _redis(prefix)
    stranger = _redis()  # another deployment on the same Redis: never hears these halls
    try:
        sub_b = b.subscribe("hall:3")
        sub_a = a.subscribe("hall:3")
        sub_x = stranger.subscribe("hall:3")
        a.publish("hall:3", '{"type": "call"}')
        assert sub_b.get(3) == '{"type": "call"}'
        assert sub_a.get(3) == '{"type": "call"}'
        assert sub_x.get(0.3) is None
    finally:
        for broker in (a, b, stranger):
            broker.close()


def test_redis_broker_feeds_an_event_loop():
    broker = _redis()

    async def main():
        sub = await broker.asubscribe("hall:9")
        await asyncio.to_thread(broker.publish, "hall:9", "ping")
        return await sub.get(3)

    try:
        assert run_loop(main) == "ping"
    finally:
        broker.close()


# -- the stream ------------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return fx.build_hall()


def _events(chunks):
    return [json.loads(c[len("data: "):]) for c in chunks if c.startswith("data: ")]


def test_wsgi_stream_is_a_live_sync_iterator(client, world, hall_broker):
    response = client.get(f"/hall/{world.hall.code}/events/")
    assert response["Content-Type"].startswith("text/event-stream")
    assert response.streaming and not response.is_async
    it = iter(response.streaming_content)
    assert next(it) == b"retry: 3000\n\n"
    snapshot = json.loads(next(it).decode()[len("data: "):])
    assert snapshot["type"] == "snapshot"
    assert [g["code"] for g in snapshot["groups"]] == ["A", "B", "C"]
    assert [w["number"] for w in snapshot["windows"]] == ["01", "02", "03", "04"]
    live.publish(world.hall.pk, {"type": "call", "call": {"text": "请A001号到01号窗口办理"}})
    assert json.loads(next(it).decode()[len("data: "):])["call"]["text"] == "请A001号到01号窗口办理"
    response.close()


def test_sync_stream_keeps_alive_and_ends(world):
    chunks = list(sse.sync_stream(world.hall, keepalive=0.05, max_seconds=0.2))
    assert chunks[0] == "retry: 3000\n\n" and chunks[-1] == ": keep-alive\n\n"
    assert _events(chunks)[0]["type"] == "snapshot"
    assert live.get_broker().hub.count() == 0


def test_sync_stream_answers_resync_with_a_fresh_board(world):
    stream = sse.sync_stream(world.hall, keepalive=1, max_seconds=5)
    next(stream), next(stream)
    live.get_broker().hub.broadcast(live.RESYNC)
    assert json.loads(next(stream)[len("data: "):])["type"] == "snapshot"
    stream.close()
    assert live.get_broker().hub.count() == 0


def test_asgi_stream_is_a_live_async_iterator(async_client, world):
    async def main():
        response = await async_client.get(f"/hall/{world.hall.code}/events/")
        assert response.streaming and response.is_async
        it = aiter(response.streaming_content)
        assert await anext(it) == b"retry: 3000\n\n"
        snapshot = json.loads((await anext(it)).decode()[len("data: "):])
        await asyncio.to_thread(live.publish, world.hall.pk, {"type": "update", "n": 1})
        event = json.loads((await anext(it)).decode()[len("data: "):])
        await it.aclose()
        return snapshot["type"], event

    assert async_to_sync(main)() == ("snapshot", {"type": "update", "n": 1})


# -- what the services publish --------------------------------------------------------------------------------


def test_services_publish_queue_call_and_pad_events(world, hall_broker, django_capture_on_commit_callbacks):
    sub = hall_broker.subscribe(live.hall_channel(world.hall.pk))

    def received():
        out, deadline = [], time.monotonic() + 3
        while time.monotonic() < deadline:
            msg = sub.get(0.2)
            if msg is None:
                break
            out.append(json.loads(msg))
        return out

    def step(fn, **kw):
        with django_capture_on_commit_callbacks(execute=True):  # each service commits on its own
            return fn(**kw)

    with clock.frozen(fx.at(9)):
        step(services.window_sign_in, window=world.w1, officer=world.o1)
        step(services.ticket_issue, hall=world.hall, group=world.group_a)
        t = step(services.ticket_call_next, window=world.w1, officer=world.o1)
        step(services.ticket_start, ticket=t, window=world.w1, officer=world.o1)
        step(services.ticket_finish, ticket=t, window=world.w1, officer=world.o1)
    msgs = received()
    assert [m["type"] for m in msgs] == ["update", "update", "call", "update", "finish"]
    assert msgs[1]["groups"][0]["next"] == ["A001"]
    call = msgs[2]
    assert call["call"] == {"number": "A001", "window": "01", "window_id": world.w1.pk, "window_name": "示范县市场监督管理局",
                            "text": "请A001号到01号窗口办理", "recall": 0, "at": "09:00"}
    assert call["windows"][0]["current"] == "A001" and call["groups"][0]["waiting"] == 0
    assert msgs[3]["windows"][0]["state"] == "serving"
    assert msgs[4]["pad"] == {"window_id": world.w1.pk, "number": "A001"}
    assert msgs[4]["windows"][0]["state"] == "idle"
