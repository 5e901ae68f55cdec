"""``zhengwu.asgi.application`` refuses an oversize body before Django reads it (issue 11).

Django's ASGI handler reads the whole body into a temporary file before any middleware runs, so a
server speaking ASGI (``zhengwu serve`` runs uvicorn workers) would write a body of any size to disk.
The application is wrapped: a ``Content-Length`` over the limit is answered from the header, and a
chunked body (no ``Content-Length``) is cut off as soon as it passes the limit, with the same 413.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync

from zhengwu.asgi import application

pytestmark = pytest.mark.django_db

CHUNK = 256 * 1024


def scope(path: str, content_type: str, *, length: int | None = None) -> dict:
    headers = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    headers.append(
        (b"transfer-encoding", b"chunked") if length is None else (b"content-length", str(length).encode())
    )
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }


def exchange(scope: dict, chunks: list[bytes] | None, *, endless: bool = False) -> tuple[int, bytes, int]:
    """Send ``chunks`` (or, ``endless``, 256 KB chunks without end) as the body; return (status, body, body
    chunks the application asked for)."""
    body_chunks = list(chunks or [b""])
    read = 0
    sent: list[dict] = []
    done = asyncio.Event()

    async def receive():
        nonlocal read
        await asyncio.sleep(0)  # a server waits for the network here
        if done.is_set():
            return {"type": "http.disconnect"}
        if endless or read < len(body_chunks):
            read += 1
            if endless:
                return {"type": "http.request", "body": b"x" * CHUNK, "more_body": True}
            return {
                "type": "http.request",
                "body": body_chunks[read - 1],
                "more_body": read < len(body_chunks),
            }
        await done.wait()  # the response is out: the client goes
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    async def run():
        await asyncio.wait_for(application(scope, receive, send), 30)

    async_to_sync(run)()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return (
        start["status"],
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
        read,
    )


def test_a_chunked_api_upload_past_the_limit_is_413_json_and_reading_stops(settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024 * 1024  # the API limit: one file + 1 MB of form = 2 MB
    status, body, read = exchange(
        scope("/api/cases/SFXZW-20260928-00001/materials", "multipart/form-data; boundary=zz"),
        None,
        endless=True,
    )
    assert (status, json.loads(body)) == (
        413,
        {"code": "body_too_large", "message": "上传内容超过 2 MB 的上限（单个文件不超过 1 MB）"},
    )
    assert read == 2 * 1024 * 1024 // CHUNK + 1  # cut off at the first chunk past 2 MB, never read further


def test_a_chunked_page_form_past_the_limit_is_413_in_chinese(settings):
    settings.ZHENGWU_MAX_REQUEST_BYTES = 1024 * 1024
    status, body, read = exchange(
        scope("/apply/SFX-SCJG-001/", "multipart/form-data; boundary=zz"), None, endless=True
    )
    assert status == 413
    assert "上传内容超过 1 MB 的上限" in body.decode()
    assert read == 1024 * 1024 // CHUNK + 1


def test_a_chunked_json_body_past_the_limit_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    status, body, read = exchange(scope("/api/cases/progress", "application/json"), None, endless=True)
    assert (status, json.loads(body)) == (
        413,
        {"code": "body_too_large", "message": "请求内容超过 1 MB 的上限"},
    )
    assert read == 1024 * 1024 // CHUNK + 1


def test_a_content_length_over_the_limit_is_answered_without_a_body():
    """No body is ever sent: an application waiting for one would time out instead of answering."""
    status, body, _ = exchange(scope("/api/cases/progress", "application/json", length=500 * 1024 * 1024), [])
    assert (status, json.loads(body)) == (
        413,
        {"code": "body_too_large", "message": "请求内容为 500 MB，超过 2.5 MB 的上限"},
    )


def test_a_small_chunked_body_reaches_django_whole():
    """Below the limit the chunks pass unchanged: the JSON split over three chunks is parsed whole, and the
    NUL in its last chunk is found (the edge check answers before anything needs the database)."""
    payload = json.dumps({"case_no": "SFXZW-20000101-00001", "credential": "138\u0000"}).encode()
    chunks = [payload[:10], payload[10:30], payload[30:]]
    status, body, read = exchange(scope("/api/cases/progress", "application/json"), chunks)
    message = "字段“credential”包含不允许的空字符（U+0000），请删除后重新提交"
    assert (status, json.loads(body), read) == (
        400,
        {"code": "invalid_character", "message": message, "details": [{"in": "body", "field": "credential"}]},
        3,
    )
