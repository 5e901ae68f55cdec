"""Error pages: Chinese pages for people, the ``{code, message}`` JSON for the API (never a traceback).

A request that found no free database connection (the pool is exhausted) gets 503 with Retry-After.
"""

from __future__ import annotations

import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

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


def _database_busy() -> bool:
    """Is the exception being handled "no database connection free" (the pool waited in vain, or the
    server refused another client)? Django calls handler500 inside the ``except`` block."""
    exc = sys.exc_info()[1]
    while exc is not None:
        if type(exc).__name__ == "PoolTimeout" or "too many clients" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _busy(request):
    code, message = BUSY
    if _is_api(request):
        r = JsonResponse({"code": code, "message": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        r = HttpResponse(loader.get_template("error_plain.html").render({"message": message, "status": 503}),
                         status=503)
    r["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return r


def server_error(request):
    if _database_busy():
        return _busy(request)
    code, message = ERRORS[500]
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    # No context processors and no database: the page must render even when the database is what failed.
    return HttpResponseServerError(loader.get_template("error_plain.html").render({"message": message}))
