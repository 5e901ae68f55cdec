"""Error pages: Chinese pages for people, the ``{code, message}`` JSON for the API (never a traceback)."""

from __future__ import annotations

from django.http import HttpResponseServerError, JsonResponse
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
    return _error(request, 404)


def server_error(request):
    code, message = ERRORS[500]
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    # No context processors and no database: the page must render even when the database is what failed.
    return HttpResponseServerError(loader.get_template("error_plain.html").render({"message": message}))
