"""The live board stream (server-sent events), served live under both ASGI and WSGI.

Django buffers an iterator of the wrong kind completely (an async iterator under WSGI, a sync
one under ASGI), which would turn a live stream into one that never arrives. So the view picks
by the server: under ASGI (uvicorn, ``zhengwu serve``/``zhengwu demo``) an async generator reads
an ``asyncio.Queue`` fed by the broker; under WSGI (a threaded server, the test live server) a
sync generator blocks on a thread queue with a short timeout. Both send the whole board first,
then each event as it comes, a keep-alive comment when idle, and end after ``MAX_SECONDS`` (the
browser's EventSource reconnects on its own and gets a fresh board).
"""

from __future__ import annotations

import json
import time

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import Http404, StreamingHttpResponse

from zhengwu.core.errors import NotFound

from .. import live, selectors

KEEPALIVE_SECONDS = 15.0
MAX_SECONDS = 600.0
RETRY_MS = 3000


def frame(data: str) -> str:
    return "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


def _snapshot(hall) -> str:
    data = json.dumps(selectors.board_snapshot(hall), ensure_ascii=False)
    if not connection.in_atomic_block:
        connection.close()  # hold no database connection while the stream idles
    return data


def sync_stream(hall, *, keepalive: float = KEEPALIVE_SECONDS, max_seconds: float = MAX_SECONDS):
    sub = live.get_broker().subscribe(live.hall_channel(hall.pk))
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield frame(_snapshot(hall))
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            msg = sub.get(min(keepalive, max(0.05, deadline - time.monotonic())))
            if msg is None:
                yield ": keep-alive\n\n"
            else:
                yield frame(_snapshot(hall) if msg == live.RESYNC else msg)
    finally:
        sub.close()


async def async_stream(hall, *, keepalive: float = KEEPALIVE_SECONDS, max_seconds: float = MAX_SECONDS):
    sub = await live.get_broker().asubscribe(live.hall_channel(hall.pk))
    snapshot = sync_to_async(_snapshot)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield frame(await snapshot(hall))
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            msg = await sub.get(min(keepalive, max(0.05, deadline - time.monotonic())))
            if msg is None:
                yield ": keep-alive\n\n"
            else:
                yield frame(await snapshot(hall) if msg == live.RESYNC else msg)
    finally:
        sub.close()


def hall_events(request, code: str):
    """``GET /hall/<code>/events/``: the hall's board events as ``text/event-stream``."""
    try:
        hall = selectors.hall_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    stream = async_stream(hall) if isinstance(request, ASGIRequest) else sync_stream(hall)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
