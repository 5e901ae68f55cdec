"""Retries that do not write twice: the ``Idempotency-Key`` header (API) and one-time form tokens (pages).

API (draft-ietf-httpapi-idempotency-key-header): a POST, PUT, PATCH or DELETE under ``/api/`` that
carries ``Idempotency-Key`` runs at most once per caller and key within ``TTL``. A repeat with the
same request gets the first response again, with ``Idempotent-Replayed: true``, and writes nothing;
with another method, path or body it is refused (422 ``idempotency_key_reused``); while the first
is still running it is refused (409 ``idempotency_in_progress``). The caller is the user (the API
token's, resolved as the API does, else the session's); for anonymous calls, the session cookie or
failing that the client address, kept only as a keyed hash. Anonymous keys must be at least
``ANONYMOUS_MIN_LENGTH`` characters, since the key is then all that tells two people behind one
address apart.

Pages: ``{% form_once %}`` puts a random one-time token in a form. A second POST with the same
token (a double click, the browser's "resubmit", a retry after a dropped connection) writes
nothing: it is sent (303) where the first one went, or shown a page saying the form was already
submitted. The token is 128 random bits and is its own scope (a session key changes at sign-in);
a replay only ever gives away the first response's redirect address, never a body. A page
refused with a 4xx wrote nothing and is not kept: sent again (corrected, or by the browser's
refresh), it runs again and shows its real answer.

How the race is closed: the record is inserted and committed, under a unique (owner, key)
constraint, before the request runs, outside any transaction of the view. Of two simultaneous
requests one inserts, the other gets the conflict. The response is written to the record after
the view returns. What is stored: every response below 500 except the ones that say "not now" or
"not you" (``NOT_STORED``: 401, 403, 408, 409, 423, 425, 429), for which the record is removed so a
retry with the same key runs again; nothing was written by those. A 5xx (a 503 when the
connection pool is exhausted) is never stored either. A record still unfinished after ``LEASE``
belongs to a request the server did not finish (a killed process): whether it wrote is unknown,
so the key is refused (409 ``idempotency_outcome_unknown``) rather than run a second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from . import clock, throttle
from .middleware import FORM_TYPES, is_api, refuse
from .models import IdempotencyRecord

log = logging.getLogger("zhengwu.idempotency")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
FORM_FIELD = "form_once"
METHODS = ("POST", "PUT", "PATCH", "DELETE")
TTL = dt.timedelta(hours=24)
# Longer than any request runs (the pool waits 5 s, SQLite 20 s); an unfinished record older than
# this was left by a process that died.
LEASE = dt.timedelta(seconds=120)
KEY_MAX_LENGTH = 255
ANONYMOUS_MIN_LENGTH = 16
KEY_CHARS = re.compile(r"[\x20-\x7e]+")
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Answers that tell the client to come back later or as someone else: a retry must run again.
NOT_STORED = frozenset({401, 403, 408, 409, 423, 425, 429})
KEPT_HEADERS = ("Content-Type", "Location", "Content-Disposition", "Content-Language")
PAGE_OWNER = "form"
PAGE_WAIT_SECONDS = 10.0  # a double click: the browser shows the second answer, so wait for the first


class Claim(NamedTuple):
    owner: str
    key: str
    fingerprint: str
    api: bool


class IdempotencyMiddleware:
    """Placed after authentication (it needs the session user); see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in METHODS:
            return self.get_response(request)
        claim = api_claim(request) if is_api(request.path) else page_claim(request)
        if claim is None:
            return self.get_response(request)
        if isinstance(claim, HttpResponse):
            return claim
        record, answer = begin(request, claim)
        if answer is not None:
            return answer
        try:
            response = self.get_response(request)
        except BaseException:
            _forget(record)
            raise
        finish(record, response, api=claim.api)
        return response


# -- who asks, with which key, for what ----------------------------------------------------------------


def parse_key(raw: str) -> str | None:
    """The key from the header: a token or, as the draft writes it, a quoted string."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if not value.strip() or len(value) > KEY_MAX_LENGTH or not KEY_CHARS.fullmatch(value):
        return None
    return value


def _token_user(request: HttpRequest):
    """The API's own order: a bearer token, then ``X-API-Key``, each resolved by ``ApiToken.find``."""
    from zhengwu.accounts.models import ApiToken

    auth = request.headers.get("Authorization", "")
    parts = auth.split(" ")
    if auth and parts[0].lower() == "bearer":
        row = ApiToken.find(" ".join(parts[1:]))
        if row is not None:
            return row.user
    row = ApiToken.find(request.headers.get("X-API-Key", ""))
    return row.user if row is not None else None


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:{salted_hmac('zhengwu.idempotency.owner', value).hexdigest()[:40]}"


def api_owner(request: HttpRequest) -> tuple[str, bool]:
    """(owner, anonymous): the user (token first, then session), else the session cookie, else the address."""
    user = _token_user(request)
    if user is None and request.user.is_authenticated:
        user = request.user
    if user is not None:
        return f"u:{user.pk}", False
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if session_key:
        return _hashed("s", session_key), True
    return _hashed("ip", throttle.client_key(request)), True


def api_claim(request: HttpRequest) -> Claim | HttpResponse | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = parse_key(raw)
    if key is None:
        return refuse(
            request,
            400,
            "idempotency_key_invalid",
            f"请求头 {HEADER} 应为 1 至 {KEY_MAX_LENGTH} 个可打印的 ASCII 字符（建议使用 UUID）",
        )
    owner, anonymous = api_owner(request)
    if anonymous and len(key) < ANONYMOUS_MIN_LENGTH:
        return refuse(
            request,
            400,
            "idempotency_key_too_short",
            f"未登录（或令牌无效）时，请求头 {HEADER} 至少需要 {ANONYMOUS_MIN_LENGTH} 个字符（建议使用 UUID）",
        )
    return Claim(owner, key, fingerprint(request), api=True)


def page_claim(request: HttpRequest) -> Claim | HttpResponse | None:
    if request.content_type not in FORM_TYPES:
        return None
    token = request.POST.get(FORM_FIELD)
    if token is None:
        return None
    if not FORM_TOKEN.fullmatch(token):
        return refuse(request, 400, "form_token_invalid", "表单已失效，请刷新页面后重新填写提交")
    return Claim(PAGE_OWNER, token, fingerprint(request), api=False)


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, the path with its query and the body as parsed, so a retry that encodes
    the same request differently (another multipart boundary, JSON keys in another order) matches."""
    h = hashlib.sha256()
    h.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type in FORM_TYPES:
        for name in sorted(request.POST):
            if name not in (FORM_FIELD, "csrfmiddlewaretoken"):
                h.update(json.dumps([name, request.POST.getlist(name)], ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                h.update(json.dumps([name, upload.name, upload.size], ensure_ascii=False).encode())
                for chunk in upload.chunks():
                    h.update(chunk)
                upload.seek(0)
        return h.hexdigest()
    body = request.body
    try:
        canonical = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        h.update(b"json:" + canonical.encode())
    except (ValueError, RecursionError):  # not JSON (or empty): the bytes as sent
        h.update(b"raw:" + body)
    return h.hexdigest()


# -- the record ---------------------------------------------------------------------------------------


def begin(request: HttpRequest, claim: Claim) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
    """Insert the record (this request runs) or answer from the one already there (it does not)."""
    for _ in range(3):
        now = clock.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=claim.owner,
                    key=claim.key,
                    fingerprint=claim.fingerprint,
                    method=request.method,
                    path=request.path[:500],
                    created_at=now,
                )
            return record, None
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(owner=claim.owner, key=claim.key).first()
        if existing is None:  # finished with a response that is not kept, or purged, meanwhile: try again
            continue
        if existing.created_at <= now - TTL:
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if claim.api:
            return None, _api_answer(request, claim, existing)
        return None, _page_answer(request, existing)
    return None, _in_progress(request, api=claim.api)


def finish(record: IdempotencyRecord, response: HttpResponse, *, api: bool) -> None:
    status = response.status_code
    try:
        # A streamed API answer (no endpoint that writes streams today) cannot be kept whole: not kept.
        if (
            status >= 500
            or status in NOT_STORED
            or (not api and status >= 400)
            or (api and response.streaming)
        ):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return
        if api:
            headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            body = response.content
        else:  # a page's replay is its redirect, never a body that may hold personal data
            headers = {"Location": response["Location"]} if response.has_header("Location") else {}
            body = b""
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=status, headers=headers, body=body, completed_at=clock.now()
        )
    except DatabaseError:
        log.exception("幂等请求记录 %s 未能保存", record.pk)


def _forget(record: IdempotencyRecord) -> None:
    try:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    except DatabaseError:
        log.exception("幂等请求记录 %s 未能删除", record.pk)


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete the records older than ``TTL`` (the scheduled job ``idempotency_purge``)."""
    cutoff = (now or clock.now()) - TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted


# -- answers ------------------------------------------------------------------------------------------


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _unfinished(record: IdempotencyRecord) -> bool:
    return record.created_at > clock.now() - LEASE


def _in_progress(request: HttpRequest, *, api: bool) -> HttpResponse:
    if api:
        response = _json(
            "idempotency_in_progress", f"使用同一 {HEADER} 的请求正在处理中，请稍后用同一个键重试", 409
        )
    else:
        response = _page(request, "该表单正在提交，请勿重复提交；稍后可在办理记录中查看结果")
    response["Retry-After"] = "1"
    return response


def _api_answer(request: HttpRequest, claim: Claim, record: IdempotencyRecord) -> HttpResponse:
    if record.fingerprint != claim.fingerprint:
        return _json(
            "idempotency_key_reused",
            f"该 {HEADER} 已用于另一个请求（方法、路径或内容不同）；新的请求请使用新的键",
            422,
        )
    if record.status is None:
        if _unfinished(record):
            return _in_progress(request, api=True)
        return _json(
            "idempotency_outcome_unknown",
            f"使用该 {HEADER} 的上一次请求因服务中断未能完成，结果未知：请先查询是否已办理成功，"
            "未成功的再使用新的键重新提交",
            409,
        )
    return replay(record)


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status)
    if "Content-Type" not in record.headers:
        del response["Content-Type"]
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _page_answer(request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
    deadline = time.monotonic() + PAGE_WAIT_SECONDS
    while record.status is None and _unfinished(record) and time.monotonic() < deadline:
        time.sleep(0.1)
        record = IdempotencyRecord.objects.filter(pk=record.pk).first()
        if record is None:  # the first one was refused with a "try again": so is this one
            return _page(request, "该表单的上一次提交未能完成，请返回页面重新提交")
    if record.status is None:
        return _in_progress(request, api=False)
    location = record.headers.get("Location", "")
    if 300 <= record.status < 400 and location:
        messages.info(request, "该表单已提交，请勿重复提交；以下是第一次提交的结果")
        response = HttpResponseRedirect(location)
        response.status_code = 303  # See Other: fetch the first result with a GET
        response[REPLAYED] = "true"
        return response
    return _page(request, "该表单已提交，请勿重复提交", replayed=True)


def _page(request: HttpRequest, message: str, *, replayed: bool = False) -> HttpResponse:
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    response = render(request, "core/form_once.html", {"message": message, "back": back}, status=409)
    if replayed:
        response[REPLAYED] = "true"
    return response
