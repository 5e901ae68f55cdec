"""Checks every request passes before any view, once for every endpoint and form.

- A body larger than the platform accepts is refused from its ``Content-Length`` before it is read
  (413 ``body_too_large``): one file's limit plus the form around it for an API upload (times the
  number of files its endpoint registered with ``register_upload_files``), several files for a page
  form, Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for anything else.
- Text that no column can hold is refused at the edge with the field named (400
  ``invalid_character``): a NUL character (PostgreSQL refuses it, SQLite would store it) or a lone
  UTF-16 surrogate (neither database can encode it), in the path, the query string, form fields,
  uploaded file names or a JSON body. A JSON body that is not UTF-8 or not JSON is a 400 here too.
- Under ``/api/`` every refusal is the ``{code, message}`` JSON in Chinese, including the 404 of an
  unknown path and the 405 of a wrong method, which Django and ninja answer in English HTML.

Pages get the same refusals as the Chinese error page.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from .validators import human_size

API_PREFIX = "/api/"
BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# Room for the multipart boundaries, part headers and the small fields sent beside a file.
FORM_OVERHEAD_BYTES = 1024 * 1024
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Django's and ninja's own refusals under /api/ that arrive as HTML or plain text.
API_ERRORS = {
    400: ("bad_request", "请求格式不正确"),
    403: ("forbidden", "您无权进行此操作"),
    404: ("not_found", "未找到该接口，请核对请求路径（包括末尾是否有“/”）"),
    405: ("method_not_allowed", "该接口不支持 {method} 请求"),
    413: ("body_too_large", "请求内容过大"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


# Paths that speak another protocol with its own error body (Open311 under /open311/): prefix ->
# ``shape(request, status, code, message)``. Registered by that app's ``ready()``; core imports no app.
REFUSALS: dict[str, Callable[[HttpRequest, int, str, str], HttpResponse]] = {}


def register_refusal(prefix: str, shape: Callable[[HttpRequest, int, str, str], HttpResponse]) -> None:
    REFUSALS[prefix] = shape


def protocol_refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    """The refusal in the error body of the protocol registered for this path; None for other paths."""
    for prefix, shape in REFUSALS.items():
        if request.path.startswith(prefix):
            return shape(request, status, code, message)
    return None


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def refuse(request: HttpRequest, status: int, code: str, message: str, *, details: list | None = None) -> HttpResponse:
    """The platform's refusal: the JSON error under /api/, a registered protocol's own error body under
    its prefix, the Chinese error page for pages."""
    shaped = protocol_refusal(request, status, code, message)
    if shaped is not None:
        return shaped
    if is_api(request.path):
        data: dict = {"code": code, "message": message}
        if details is not None:
            data["details"] = details
        return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def describe_character(ch: str) -> str:
    if ch == "\x00":
        return "不允许的空字符（U+0000）"
    return f"无效的 Unicode 字符（单独的代理项 U+{ord(ch):04X}）"


def bad_text(value: object, field: str = "") -> tuple[str, str] | None:
    """The first (field, character), in document order, that no column can store in a decoded JSON value.

    ``field`` names the place the way the API's 422 does: ``applicant.name``, ``missing[0]``.
    Walks with a stack: a body nested as deep as the JSON parser allows must not overflow here.
    """
    stack: list[tuple[str, object]] = [(field, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            m = BAD_CHARACTER.search(item)
            if m:
                return where, m.group()
        elif isinstance(item, dict):
            for key in item:
                m = BAD_CHARACTER.search(key)
                if m:
                    return (f"{where}中的字段名" if where else "字段名"), m.group()
            stack.extend(reversed([(f"{where}.{key}" if where else key, sub) for key, sub in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{where}[{i}]", sub) for i, sub in enumerate(item)]))
    return None


def _pairs(data) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        yield key, key
        for v in values:
            yield key, v


# API endpoints that take more than one file per request: (full-match path pattern, files). Registered by
# the app's ``ready()`` (``register_upload_files``); core imports no app. Any other API upload takes one.
UPLOAD_FILES: list[tuple[re.Pattern, int]] = []


def register_upload_files(pattern: str, files: int) -> None:
    """Let the API endpoints whose path fully matches ``pattern`` take ``files`` files per request: their
    multipart body may be ``files`` × the file limit plus the form around them."""
    if files < 1:
        raise ValueError("files must be at least 1")
    compiled = re.compile(pattern)
    UPLOAD_FILES[:] = [(p, n) for p, n in UPLOAD_FILES if p.pattern != compiled.pattern]
    UPLOAD_FILES.append((compiled, files))


def upload_files(path: str) -> int:
    """How many files an API upload to ``path`` may carry (1 unless registered)."""
    return max((n for p, n in UPLOAD_FILES if p.fullmatch(path)), default=1)


def body_limit(path: str, content_type: str) -> int | None:
    """The largest body accepted for this request, from settings; None when there is no limit."""
    if content_type == "multipart/form-data":
        if is_api(path):  # an API upload carries one file, or the files its endpoint registered
            return upload_files(path) * settings.ZHENGWU_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
        return settings.ZHENGWU_MAX_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(request: HttpRequest, limit: int, size: int | None = None) -> HttpResponse:
    upload = request.content_type == "multipart/form-data"
    message = (f"{'上传内容' if upload else '请求内容'}{f'为 {human_size(size)}，' if size else ''}"
               f"超过 {human_size(limit)} 的上限")
    if upload:
        files = upload_files(request.path) if is_api(request.path) else 0
        each = f"单个文件不超过 {human_size(settings.ZHENGWU_MAX_UPLOAD_BYTES)}"
        message += f"（最多 {files} 个文件，{each}）" if files > 1 else f"（{each}）"
    return refuse(request, 413, "body_too_large", message)


class InputGuardMiddleware:
    """Refuses what no view should see; shapes the API's remaining non-JSON errors (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.check(request)
        if response is None:
            response = self.get_response(request)
        if is_api(request.path):
            response = self.api_shape(request, response)
        return response

    def check(self, request: HttpRequest) -> HttpResponse | None:
        m = BAD_CHARACTER.search(request.path)
        if m:
            return self._bad(request, "网址路径", "path", "", m.group())
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return refuse(request, 400, "invalid_content_length", "请求头 Content-Length 不是有效的长度")
        limit = body_limit(request.path, request.content_type)
        if limit is not None and length > limit:
            return too_large(request, limit, length)
        if limit is not None and STREAMED_OVER_LIMIT in getattr(request, "scope", {}):  # ASGI, cut off unread
            return too_large(request, limit)
        try:
            return self._check_fields(request)
        except RequestDataTooBig:  # the fields beside the files, or a body longer than its Content-Length said
            return refuse(request, 413, "body_too_large", "请求内容（文件以外的部分）超过 "
                                                          f"{human_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} 的上限")
        except (TooManyFieldsSent, TooManyFilesSent):
            return refuse(request, 400, "too_many_fields", "提交的字段或文件数量过多")
        except (MultiPartParserError, BadRequest):
            return refuse(request, 400, "invalid_form", "表单数据格式不正确，请重新提交")

    def _check_fields(self, request: HttpRequest) -> HttpResponse | None:
        for key, value in _pairs(request.GET):
            m = BAD_CHARACTER.search(value)
            if m:
                return self._bad(request, f"查询参数“{_printable(key)}”", "query", key, m.group())
        if request.method not in BODY_METHODS:
            return None
        if request.content_type in FORM_TYPES:
            for key, value in _pairs(request.POST):
                m = BAD_CHARACTER.search(value)
                if m:
                    return self._bad(request, f"字段“{_printable(key)}”", "form", key, m.group())
            for key, upload in request.FILES.items():
                m = BAD_CHARACTER.search(upload.name or "")
                if m:
                    return self._bad(request, f"上传文件“{_printable(key)}”的文件名", "file", key, m.group())
            return None
        if not (is_api(request.path) or _is_json(request.content_type)):
            return None
        return self._check_json(request)

    def _check_json(self, request: HttpRequest) -> HttpResponse | None:
        raw = request.body
        if not raw.strip():
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return refuse(request, 400, "invalid_body",
                          f"请求内容不是有效的 UTF-8 编码（第 {exc.start + 1} 个字节处），请以 UTF-8 编码的 JSON 提交")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return refuse(request, 400, "invalid_json",
                          f"请求内容不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{_json_reason(exc.msg)}）")
        except (ValueError, RecursionError):  # a number of thousands of digits, nesting beyond the parser
            return refuse(request, 400, "invalid_json", "请求内容不是有效的 JSON（数值过长或嵌套过深）")
        found = bad_text(data)
        if found:
            field, ch = found
            place = f"字段“{_printable(field)}”" if field else "请求内容"
            return self._bad(request, place, "body", field, ch)
        return None

    def _bad(self, request, place: str, where: str, field: str, ch: str) -> HttpResponse:
        detail = {"in": where, "field": _printable(field)} if field else {"in": where}
        return refuse(request, 400, "invalid_character", f"{place}包含{describe_character(ch)}，请删除后重新提交",
                      details=[detail])

    def api_shape(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code not in API_ERRORS or response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = API_ERRORS[response.status_code]
        shaped = JsonResponse({"code": code, "message": message.format(method=request.method)},
                              status=response.status_code, json_dumps_params={"ensure_ascii": False})
        for header in ("Allow", "Retry-After"):
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _printable(text: str) -> str:
    """A field name shown back to the client without the character that was refused."""
    return BAD_CHARACTER.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_JSON_REASONS = {
    "Expecting value": "缺少值",
    "Expecting property name enclosed in double quotes": "字段名应使用双引号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Unterminated string starting at": "字符串没有结束",
    "Invalid control character at": "字符串中有未转义的控制字符",
    "Invalid \\escape": "无效的转义",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Extra data": "JSON 之后还有多余内容",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": "开头有 BOM",
}


def _json_reason(msg: str) -> str:
    return _JSON_REASONS.get(msg, "格式错误")


#: Set in the ASGI scope by :func:`body_limit_asgi` when a body without a usable ``Content-Length``
#: (chunked) ran past the limit: the bytes received before it stopped reading.
STREAMED_OVER_LIMIT = "zhengwu.body_over_limit"


def body_limit_asgi(app):
    """Wrap the ASGI application so an oversize body is refused before it is read.

    Django's ASGI handler reads the whole body (to a temporary file) before any middleware runs.
    For a request whose ``Content-Length`` is over the limit this wrapper hands Django an empty
    body instead, and :class:`InputGuardMiddleware` answers 413 from the header. Any other body
    (chunked, without a ``Content-Length``, or longer than it said) is counted as it arrives: past
    the limit the wrapper stops reading, ends the body for Django and marks the scope, and the
    middleware answers the same 413 before anything looks at the body.
    """

    async def wrapped(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            try:
                length = int(headers.get(b"content-length", b"0"))
            except ValueError:
                length = 0
            content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            limit = body_limit(scope.get("path", ""), content_type)
            if limit is not None and length > limit:
                return await app(scope, _no_body(receive), send)
            if limit is not None:
                scope = dict(scope)
                return await app(scope, _counted(receive, scope, limit), send)
        return await app(scope, receive, send)

    return wrapped


def _counted(receive, scope: dict, limit: int):
    """``receive`` passing body chunks on until their total passes ``limit``; then the end of the body."""
    received = 0
    ended = False

    async def inner():
        nonlocal received, ended
        if ended:  # Django now only listens for a disconnect
            if STREAMED_OVER_LIMIT in scope:
                # Never read the rest of a cut-off body: wait until Django, its 413 sent, cancels the listener
                # (the server then closes the connection, the body unread).
                await asyncio.get_running_loop().create_future()
            return await receive()
        message = await receive()
        if message["type"] != "http.request":
            return message
        received += len(message.get("body", b""))
        if received > limit:
            ended = True
            scope[STREAMED_OVER_LIMIT] = received
            return {"type": "http.request", "body": b"", "more_body": False}
        if not message.get("more_body", False):
            ended = True
        return message

    return inner


def _no_body(receive):
    sent = False

    async def inner():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while True:  # after the (withheld) body only a disconnect matters to Django
            message = await receive()
            if message["type"] != "http.request":
                return message

    return inner
