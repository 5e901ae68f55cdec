"""Live board fan-out: publish a hall's events, and let server-sent-event streams subscribe to them.

Every app process keeps one local ``Hub`` of subscribers: thread subscribers (a blocking queue,
for streams served by a WSGI worker thread) and event-loop subscribers (an ``asyncio.Queue``, for
streams served under ASGI). What feeds the hub depends on the deployment:

- ``LocalBroker`` (no ``REDIS_URL``, the embedded demo): ``publish`` hands the message straight
  to this process's hub.
- ``RedisBroker`` (``REDIS_URL`` set, several app processes): ``publish`` is a Redis ``PUBLISH``;
  one listener thread per process pattern-subscribes to the hall channels and feeds its hub, so
  a process holds one Redis connection however many boards it streams to.

Messages are JSON text, serialised once by the publisher. A subscriber whose queue overflows (a
stalled client) is told to ``resync`` (reload the full board) instead of silently losing events;
so is every subscriber after the Redis listener had to reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings

log = logging.getLogger("zhengwu.hall.live")

RESYNC = json.dumps({"type": "resync"})
QUEUE_SIZE = 256


def hall_channel(hall_id: int) -> str:
    return f"hall:{hall_id}"


class Subscription:
    """A thread's view of one channel: ``get(timeout)`` returns the next message or ``None``."""

    def __init__(self, hub: Hub, channel: str):
        self.hub, self.channel = hub, channel
        self._q: queue.Queue[str] = queue.Queue(QUEUE_SIZE)

    def deliver(self, message: str) -> None:
        try:
            self._q.put_nowait(message)
        except queue.Full:
            self._overflow()

    def _overflow(self) -> None:
        with self._q.mutex:
            self._q.queue.clear()
        self._q.put_nowait(RESYNC)

    def get(self, timeout: float) -> str | None:
        try:
            return self._q.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.remove(self)


class AsyncSubscription:
    """An event loop's view of one channel: ``await get(timeout)``; fed thread-safely."""

    def __init__(self, hub: Hub, channel: str, loop: asyncio.AbstractEventLoop):
        self.hub, self.channel, self.loop = hub, channel, loop
        self._q: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)

    def deliver(self, message: str) -> None:
        try:
            self.loop.call_soon_threadsafe(self._put, message)
        except RuntimeError:  # the loop is closed: the stream is gone
            self.hub.remove(self)

    def _put(self, message: str) -> None:
        try:
            self._q.put_nowait(message)
        except asyncio.QueueFull:
            while not self._q.empty():
                self._q.get_nowait()
            self._q.put_nowait(RESYNC)

    async def get(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._q.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub.remove(self)


class Hub:
    """This process's subscribers, by channel."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subs: dict[str, set] = {}

    def add(self, sub) -> None:
        with self._lock:
            self._subs.setdefault(sub.channel, set()).add(sub)

    def remove(self, sub) -> None:
        with self._lock:
            subs = self._subs.get(sub.channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.channel]

    def dispatch(self, channel: str, message: str) -> int:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            sub.deliver(message)
        return len(targets)

    def broadcast(self, message: str) -> None:
        with self._lock:
            targets = [s for subs in self._subs.values() for s in subs]
        for sub in targets:
            sub.deliver(message)

    def count(self, channel: str | None = None) -> int:
        with self._lock:
            if channel is not None:
                return len(self._subs.get(channel, ()))
            return sum(len(s) for s in self._subs.values())


class Broker:
    name = "base"

    def __init__(self):
        self.hub = Hub()

    def publish(self, channel: str, message: str) -> None:
        raise NotImplementedError

    def may_have_listeners(self, channel: str) -> bool:
        """False only when nobody can be listening, so the message need not even be built."""
        return True

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self.hub, channel)
        self._ready()
        self.hub.add(sub)
        return sub

    async def asubscribe(self, channel: str) -> AsyncSubscription:
        """Subscribe the running event loop; readiness (a Redis subscribe) is awaited off the loop."""
        if not self.is_ready():
            await asyncio.to_thread(self._ready)
        sub = AsyncSubscription(self.hub, channel, asyncio.get_running_loop())
        self.hub.add(sub)
        return sub

    def is_ready(self) -> bool:
        return True

    def _ready(self) -> None:
        """Make sure messages published from now on reach this process."""

    def close(self) -> None:
        pass


class LocalBroker(Broker):
    """One process: publishing is dispatching."""

    name = "in-process"

    def publish(self, channel: str, message: str) -> None:
        self.hub.dispatch(channel, message)

    def may_have_listeners(self, channel: str) -> bool:
        return self.hub.count(channel) > 0


class RedisBroker(Broker):
    """Several processes: Redis PUBLISH out, one pattern-subscribed listener thread in."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "zhengwu"):
        super().__init__()
        import redis

        self.url, self.prefix = url, prefix
        self._pub = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._thread: threading.Thread | None = None
        self._subscribed = threading.Event()
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    def publish(self, channel: str, message: str) -> None:
        self._pub.publish(f"{self.prefix}:{channel}", message)

    def is_ready(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._subscribed.is_set()

    def _ready(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._subscribed.clear()
                self._thread = threading.Thread(target=self._listen, name="zhengwu-hall-redis", daemon=True)
                self._thread.start()
        if not self._subscribed.wait(5):
            log.warning("大屏消息通道：Redis 订阅未能在 5 秒内就绪（%s）", self.url)

    def _listen(self) -> None:
        import redis

        strip = len(self.prefix) + 1
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            client = redis.Redis.from_url(self.url, socket_connect_timeout=5, health_check_interval=30)
            pubsub = client.pubsub(ignore_subscribe_messages=False)
            try:
                pubsub.psubscribe(f"{self.prefix}:*")
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=1.0)
                    if msg is None:
                        continue
                    if msg["type"] == "psubscribe":
                        self._subscribed.set()
                        if not first:  # events may have been missed while disconnected
                            self.hub.broadcast(RESYNC)
                        first, backoff = False, 0.5
                    elif msg["type"] == "pmessage":
                        channel = msg["channel"].decode()[strip:]
                        data = msg["data"]
                        self.hub.dispatch(channel, data.decode() if isinstance(data, bytes) else data)
            except Exception as exc:  # connection lost: retry with backoff, boards resync afterwards
                if self._stop.is_set():
                    break
                log.warning("大屏消息通道：Redis 连接中断，%.1f 秒后重连（%s）", backoff, exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                try:
                    pubsub.close()
                    client.close()
                except Exception:
                    pass

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._pub.close()


_broker: Broker | None = None
_broker_lock = threading.Lock()


def get_broker() -> Broker:
    """The process-wide broker: Redis when ``REDIS_URL`` is set, in-process otherwise."""
    global _broker
    if _broker is None:
        with _broker_lock:
            if _broker is None:
                url = getattr(settings, "REDIS_URL", "")
                prefix = os.environ.get("ZHENGWU_HALL_CHANNEL_PREFIX", "zhengwu")
                _broker = RedisBroker(url, prefix=prefix) if url else LocalBroker()
    return _broker


def set_broker(broker: Broker | None) -> Broker | None:
    """Replace the process-wide broker (tests); returns the previous one."""
    global _broker
    with _broker_lock:
        previous, _broker = _broker, broker
    return previous


def publish(hall_id: int, payload: dict) -> None:
    """Send ``payload`` to every board of the hall. Never raises: a board outage must not fail a call."""
    try:
        get_broker().publish(hall_channel(hall_id), json.dumps(payload, ensure_ascii=False))
    except Exception:
        log.exception("大屏消息发送失败（大厅 %s）", hall_id)


def publish_on_commit(hall_id: int, build: Callable[[], dict | None]) -> None:
    """Build and publish after the surrounding transaction commits (at once outside one)."""
    from django.db import transaction

    def send():
        if not get_broker().may_have_listeners(hall_channel(hall_id)):
            return
        try:
            payload = build()
        except Exception:
            log.exception("大屏消息生成失败（大厅 %s）", hall_id)
            return
        if payload is not None:
            publish(hall_id, payload)

    transaction.on_commit(send)
