"""Open311 GeoReport v2 endpoints under /open311/v2/ (plain views: the spec has its own formats).

Each view takes the format from the path suffix (``.json`` / ``.xml``), answers in it, and answers
every refusal in the spec's error body with the matching HTTP status (400 / 403 / 404 / 405 / 429).
No CSRF: client systems POST form-encoded bodies with their ``api_key``, not a browser session.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import selectors, services
from .formats import Open311Error, error_response, format_of, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-06T00:00:00+08:00"  # when this endpoint's behaviour last changed


def endpoint(*methods: str):
    """Method check, and every ``Open311Error`` as the spec's error body in the requested format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view):
        @csrf_exempt
        @wraps(view)
        def inner(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise Open311Error(
                        405,
                        f"该接口不支持 {request.method} 请求（支持：{'、'.join(sorted(allowed))}）",
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description, headers=exc.headers)

        return inner

    return wrap


def _arg(request: HttpRequest, name: str) -> str:
    """An optional argument; the spec treats an empty one exactly like an absent one. A POST's
    arguments are in its form body, and a client may also put them (``api_key``) in the query string."""
    value = request.POST.get(name) if request.method == "POST" else None
    return (value or request.GET.get(name) or "").strip()


def _jurisdiction(request: HttpRequest):
    return selectors.jurisdiction_get(_arg(request, "jurisdiction_id"))


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": "12345政务服务便民热线（拨打 12345）；接口问题请联系热线中心管理员",
        "key_service": "提交诉求（POST requests）需要 api_key：由热线中心在管理后台“Open311 接入系统”中为接入的系统签发",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production" if settings.ENV == "production" else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", None, data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    data = [selectors.service_data(c) for c in selectors.service_categories()]
    return render(fmt, "services", "service", data)


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    _jurisdiction(request)
    category = selectors.service_get(service_code)
    return render(fmt, "service_definition", None, selectors.service_definition_data(category))


@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    orders = selectors.requests_list(
        jurisdiction=_jurisdiction(request),
        service_request_id=_arg(request, "service_request_id"),
        service_code=_arg(request, "service_code"),
        start_date=_arg(request, "start_date"),
        end_date=_arg(request, "end_date"),
        status=_arg(request, "status"),
    )
    return render(fmt, "service_requests", "request", [selectors.request_data(o) for o in orders])


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = services.client_authenticate(_arg(request, "api_key"))
    link = services.request_submit(
        client=client, data=request.POST, jurisdiction_id=_arg(request, "jurisdiction_id")
    )
    order = link.order
    notice = f"已受理为12345工单 {order.no}，热线中心将按派单目录转交承办单位办理"
    data = [{"service_request_id": order.no, "service_notice": notice, "account_id": link.account_id or None}]
    return render(fmt, "service_requests", "request", data)


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    order = selectors.request_get(jurisdiction=_jurisdiction(request), service_request_id=service_request_id)
    return render(fmt, "service_requests", "request", [selectors.request_data(order)])


@endpoint("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    raise Open311Error(
        404, "本接口实时受理（type 为 realtime），提交后直接返回 service_request_id，不签发 token"
    )


@endpoint("GET")
def update_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """mySociety's ``servicerequestupdates``: public steps of the jurisdiction's orders in a window.

    No key is needed (the updates are public); a key that is sent must be valid, so a client
    system finds out at once that its key was revoked.
    """
    if _arg(request, "api_key"):
        services.client_authenticate(_arg(request, "api_key"))
    events = selectors.updates_list(
        jurisdiction=_jurisdiction(request),
        start_date=_arg(request, "start_date"),
        end_date=_arg(request, "end_date"),
    )
    return render(
        fmt, "service_request_updates", "request_update", [selectors.update_data(e) for e in events]
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(
        format_of(request.path),
        404,
        "未找到该接口。可用接口见 discovery.xml / discovery.json（如 services.json、requests.json）",
    )
