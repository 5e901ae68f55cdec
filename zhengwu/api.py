"""The OpenAPI of zhengwu (django-ninja), mounted at /api/ with docs at /api/docs."""

from __future__ import annotations

import re

from django.http import Http404, RawPostDataException
from django.utils import timezone
from ninja import Field, NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from zhengwu.accounts.models import ApiToken
from zhengwu.core.errors import DomainError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zw_…`` — a token issued to a system or script."""

    def authenticate(self, request, token):
        row = ApiToken.find(token)
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return TokenAuth().authenticate(request, key)


def column(model, name: str, default=..., **kwargs):
    """A schema field no longer than the model column it is stored in, so both databases refuse alike,
    with the field named (422), instead of PostgreSQL's 500 and SQLite's silent overlong row."""
    return Field(default, max_length=model._meta.get_field(name).max_length, **kwargs)


# Bearer or header token for systems first, then the session for the pages' own calls: a
# system's POST carries no CSRF token, and session auth tried first would refuse it.
AUTH = [TokenAuth(), HeaderTokenAuth(), django_auth]

IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "重试不重复：同一调用方 24 小时内用同一个键重试，返回第一次的答复，不会重复办理（建议 UUID；"
                   "未登录时至少 16 个字符）。见 docs/api-idempotency.md。",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}
WRITES = ("post", "put", "patch", "delete")


class ZhengwuAPI(NinjaAPI):
    """The NinjaAPI, with the ``Idempotency-Key`` header (core/idempotency.py, which serves every write
    under /api/) declared on each writing operation of the schema."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if method in WRITES:
                    params = operation.setdefault("parameters", [])
                    if not any(p.get("name") == IDEMPOTENCY_PARAMETER["name"] for p in params):
                        params.append(dict(IDEMPOTENCY_PARAMETER))
        return schema


api = ZhengwuAPI(
    title="综合政务服务平台 API",
    version="1.0",
    description="zhengwu 的开放接口：组织机构、事项清单、工作日计算、办件、服务大厅、政务公开、好差评与效能监察。系统调用请使用 Bearer 令牌。"
                "创建或办理类请求（POST、PUT、PATCH、DELETE）可带请求头 Idempotency-Key（1 至 255 个可打印 ASCII 字符，"
                "建议 UUID）：同一调用方 24 小时内用同一个键重试，返回第一次的答复（响应头 Idempotent-Replayed: true），"
                "不会重复办理；见 docs/api-idempotency.md。",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


# Every refusal ninja makes before an endpoint runs answers in the same {code, message} shape, in Chinese.


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    details = [_invalid(e) for e in exc.errors]
    message = "；".join(dict.fromkeys(d["message"] for d in details)) or "请求参数不正确"
    return api.create_response(request, {"code": "invalid_input", "message": message, "details": details},
                               status=422)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"code": "not_found", "message": "未找到所请求的对象"}, status=404)


@api.exception_handler(RawPostDataException)
def body_not_json(request, exc: RawPostDataException):
    # A multipart form sent to an endpoint that takes a JSON body (the form was already parsed).
    return api.create_response(request, {"code": "invalid_body", "message": _NOT_JSON}, status=400)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        code, message = "unauthorized", "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer zw_…）"
    elif isinstance(exc, Throttled):
        code, message = "too_many_requests", "请求过于频繁，请稍后再试"
    elif isinstance(exc, AuthorizationError) or exc.status_code == 403:
        code, message = "forbidden", ("CSRF 校验失败，请刷新页面后重试" if "CSRF" in exc.message
                                      else "您无权进行此操作")
    elif exc.status_code == 400:
        code, message = "invalid_body", _NOT_JSON
    else:
        code, message = "http_error", f"请求未能处理（{exc.status_code}）"
    response = api.create_response(request, {"code": code, "message": message}, status=exc.status_code)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(exc.wait)
    return response


_NOT_JSON = "请求内容无法解析：请以 UTF-8 编码的 JSON 提交（Content-Type: application/json）"
_PLACES = {"query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie", "form": "表单字段",
           "file": "上传文件"}


def _field(loc) -> tuple[str, str]:
    """("body", "payload", "applicant", "name") -> ("body", "applicant.name"); list items as ``[0]``."""
    where, rest = (loc[0], list(loc[1:])) if loc else ("body", [])
    if where == "body":
        rest = rest[1:]  # the endpoint's parameter name, not something the client sends
    name = ""
    for part in rest:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return where, name


def _accepted(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as 「a、b、c」."""
    return "、".join(re.findall(r"'([^']*)'", expected)) or expected


_MESSAGES = {
    "missing": "缺少{what}",
    "string_too_long": "{label}长度不能超过{max_length}个字符",
    "string_too_short": "{label}长度不能少于{min_length}个字符",
    "too_long": "{label}最多{max_length}项",
    "too_short": "{label}至少{min_length}项",
    "string_type": "{label}应为字符串",
    "string_pattern_mismatch": "{label}格式不正确",
    "int_type": "{label}应为整数", "int_parsing": "{label}应为整数", "int_from_float": "{label}应为整数",
    "int_parsing_size": "{label}数值超出范围",
    "float_type": "{label}应为数字", "float_parsing": "{label}应为数字", "finite_number": "{label}应为有限的数字",
    "decimal_type": "{label}应为数字", "decimal_parsing": "{label}应为数字",
    "bool_type": "{label}应为布尔值（true 或 false）", "bool_parsing": "{label}应为布尔值（true 或 false）",
    "greater_than_equal": "{label}不能小于{ge}", "greater_than": "{label}应大于{gt}",
    "less_than_equal": "{label}不能大于{le}", "less_than": "{label}应小于{lt}",
    "enum": "{label}应为以下之一：{accepted}", "literal_error": "{label}应为以下之一：{accepted}",
    "date_type": "{label}应为日期（YYYY-MM-DD）", "date_parsing": "{label}应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "{label}应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "{label}应为日期（YYYY-MM-DD），不含时间",
    "datetime_type": "{label}应为日期时间（如 2026-03-02T09:00:00+08:00）",
    "datetime_parsing": "{label}应为日期时间（如 2026-03-02T09:00:00+08:00）",
    "datetime_from_date_parsing": "{label}应为日期时间（如 2026-03-02T09:00:00+08:00）",
    "time_type": "{label}应为时间（HH:MM）", "time_parsing": "{label}应为时间（HH:MM）",
    "dict_type": "{label}应为对象", "model_type": "{label}应为对象", "model_attributes_type": "{label}应为对象",
    "list_type": "{label}应为数组", "json_invalid": "请求内容不是有效的 JSON",
    "extra_forbidden": "不接受{label}",
}


def _invalid(error: dict) -> dict:
    where, field = _field(error.get("loc") or ())
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    label = f"{_PLACES.get(where, '字段')}“{field}”" if field else "请求内容"
    if where != "body" and not field:
        label = _PLACES.get(where, "参数")
    what = f"必填{label}" if field else ("请求内容（JSON）" if where == "body" else label)
    if kind == "value_error":  # our own validators speak Chinese already
        message = str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    elif kind in _MESSAGES:
        message = _MESSAGES[kind].format(label=label, what=what, accepted=_accepted(str(ctx.get("expected", ""))),
                                         **{k: v for k, v in ctx.items() if k not in ("label", "what", "accepted")})
    else:
        message = f"{label}的值不正确"
    return {"field": field, "in": where, "type": kind, "message": message}


def _mount():
    from zhengwu.agency.api import router as agency_router
    from zhengwu.appraisal.api import router as appraisal_router
    from zhengwu.cases.api import router as cases_router
    from zhengwu.catalog.api import router as catalog_router
    from zhengwu.commitments.api import router as commitments_router
    from zhengwu.declarations.api import router as declarations_router
    from zhengwu.disclosure.api import router as disclosure_router
    from zhengwu.hall.api import router as hall_router
    from zhengwu.hotline.api import router as hotline_router
    from zhengwu.intermediary.api import router as intermediary_router
    from zhengwu.joint.api import router as joint_router
    from zhengwu.org.api import router as org_router
    from zhengwu.projects.api import router as projects_router
    from zhengwu.ratings.api import router as ratings_router
    from zhengwu.supervision.api import router as supervision_router
    from zhengwu.trading.api import router as trading_router
    from zhengwu.workdays.api import router as workdays_router

    api.add_router("/workdays", workdays_router)
    api.add_router("/org", org_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/cases", cases_router)
    api.add_router("/hall", hall_router)
    api.add_router("/hotline", hotline_router)
    api.add_router("/disclosure", disclosure_router)
    api.add_router("/ratings", ratings_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/joint", joint_router)
    api.add_router("/projects", projects_router)
    api.add_router("/agency", agency_router)
    api.add_router("/trading", trading_router)
    api.add_router("/intermediary", intermediary_router)
    api.add_router("/appraisal", appraisal_router)
    api.add_router("/commitments", commitments_router)
    api.add_router("/declarations", declarations_router)


_mount()
