"""The OpenAPI of zhengwu (django-ninja), mounted at /api/ with docs at /api/docs."""

from __future__ import annotations

from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from zhengwu.accounts.models import ApiToken, hash_token
from zhengwu.core.errors import DomainError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zw_…`` — a token issued to a system or script."""

    def authenticate(self, request, token):
        if not token:
            return None
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token), revoked=False).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return TokenAuth().authenticate(request, key)


# Bearer or header token for systems first, then the session for the pages' own calls: a
# system's POST carries no CSRF token, and session auth tried first would refuse it.
AUTH = [TokenAuth(), HeaderTokenAuth(), django_auth]

api = NinjaAPI(
    title="综合政务服务平台 API",
    version="1.0",
    description="zhengwu 的开放接口：组织机构、事项清单、工作日计算、办件、服务大厅、政务公开、好差评与效能监察。系统调用请使用 Bearer 令牌。",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _mount():
    from zhengwu.cases.api import router as cases_router
    from zhengwu.catalog.api import router as catalog_router
    from zhengwu.disclosure.api import router as disclosure_router
    from zhengwu.hall.api import router as hall_router
    from zhengwu.org.api import router as org_router
    from zhengwu.ratings.api import router as ratings_router
    from zhengwu.supervision.api import router as supervision_router
    from zhengwu.workdays.api import router as workdays_router

    api.add_router("/workdays", workdays_router)
    api.add_router("/org", org_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/cases", cases_router)
    api.add_router("/hall", hall_router)
    api.add_router("/disclosure", disclosure_router)
    api.add_router("/ratings", ratings_router)
    api.add_router("/supervision", supervision_router)


_mount()
