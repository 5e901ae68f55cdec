"""Error pages: Chinese pages for people, the ``{code, message}`` JSON for the API (never a traceback).

A request that found no free database connection (the pool is exhausted) gets 503 with Retry-After.
"""

from __future__ import annotations

import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from .middleware import protocol_refusal

ERRORS = {
    400: ("bad_request", "请求格式不正确"),
    403: ("forbidden", "没有权限访问该页面"),
    404: ("not_found", "未找到该页面或接口"),
    500: ("server_error", "系统繁忙，请稍后再试；如多次出现，请联系政务服务中心"),
}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error(request, status: int):
    code, message = ERRORS[status]
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _error(request, 404)
    return render(request, "404.html", status=404)  # the portal's page, with a search box


BUSY = ("busy", "当前访问人数较多，请稍后再试")
RETRY_AFTER_SECONDS = 5


# What the database says when it is too busy to take the request, as opposed to a fault.
BUSY_SIGNS = (
    "too many clients",  # PostgreSQL refused another connection
    "database is locked",  # SQLite: another process held the write lock for the whole busy timeout
)


def _database_busy() -> bool:
    """Is the exception being handled "the database cannot take this request now": the pool waited in
    vain for a free connection, the server refused another client, or SQLite's write lock stayed taken
    for the whole busy timeout? Django calls handler500 inside the ``except`` block."""
    exc = sys.exc_info()[1]
    while exc is not None:
        if type(exc).__name__ == "PoolTimeout" or any(sign in str(exc) for sign in BUSY_SIGNS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _busy(request):
    code, message = BUSY
    r = protocol_refusal(request, 503, code, message)
    if r is None and _is_api(request):
        r = JsonResponse({"code": code, "message": message}, status=503, json_dumps_params={"ensure_ascii": False})
    elif r is None:
        r = HttpResponse(loader.get_template("error_plain.html").render({"message": message, "status": 503}),
                         status=503)
    r["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return r


def server_error(request):
    if _database_busy():
        return _busy(request)
    code, message = ERRORS[500]
    r = protocol_refusal(request, 500, code, message)
    if r is not None:
        return r
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    # No context processors and no database: the page must render even when the database is what failed.
    return HttpResponseServerError(loader.get_template("error_plain.html").render({"message": message}))


def livez(request):
    """``GET /livez``: the process is up. A fixed answer with no database work, through the whole middleware
    stack: the load balancer's liveness probe, and the ceiling the HTTP load test compares pages with."""
    return JsonResponse({"status": "ok"})


def healthz(request):
    """``GET /healthz``: the primary database and each read replica (reachable, replay lag); 503 when the
    primary does not answer, 200 with ``"status": "degraded"`` while reads have fallen back to the primary."""
    from .replicas import health_report

    status, body = health_report()
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False},
                        headers={"Cache-Control": "no-store"})


def elder_switch(request):
    """Turn 长辈版 (large type, high contrast, bigger targets) on or off for this browser, then go back.
    Only the look changes, so a GET link works from every page; the choice lasts a year."""
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    from .context_processors import ELDER_COOKIE

    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = "/"
    response = redirect(nxt)
    if request.GET.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response
