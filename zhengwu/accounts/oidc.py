"""Unified sign-in (统一身份认证) over OpenID Connect, with mozilla-django-oidc.

Configured from the environment (``OIDC_RP_CLIENT_ID`` and the provider's endpoints, see settings); off
when ``OIDC_RP_CLIENT_ID`` is empty, and then ``/oidc/login/`` says so in Chinese.

- A person signs in at the province's identity service; the platform finds the account bound to that
  ``(issuer, sub)``, or creates a citizen account (no password) from the verified name and phone.
- A signed-in user (a member of staff, or a citizen with a password account) may bind their account
  once: ``/oidc/login/?bind=1`` — the binding needs the password login first, so nobody takes over an
  account by choosing a name at the identity service.
- The verified 身份证号 (claim ``OIDC_ID_NUMBER_CLAIM``, default ``id_number``) is kept on the account's
  ``VerifiedIdentity``; ``cases.claims.case_claim_verified`` then links that person's window and agent
  cases without an SMS code. A claim that fails the GB 11643 check digit refuses the sign-in.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_id_number

from .models import VerifiedIdentity

BIND_SESSION_KEY = "zw_oidc_bind"


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def issuer() -> str:
    return getattr(settings, "OIDC_OP_ISSUER", "") or settings.OIDC_OP_TOKEN_ENDPOINT.rsplit("/", 2)[0]


class UnifiedIdentityBackend(OIDCAuthenticationBackend):
    """Accounts by ``(issuer, sub)``, never by e-mail or a name the person chose at the provider."""

    def verify_claims(self, claims) -> bool:
        if not claims.get("sub"):
            return False
        number = claims.get(settings.OIDC_ID_NUMBER_CLAIM)
        if number:
            try:
                validate_id_number(str(number))
            except DomainError as exc:
                raise SuspiciousOperation("统一身份认证返回的身份证号校验位不正确") from exc
        return True

    def filter_users_by_claims(self, claims):
        User = get_user_model()
        found = User.objects.filter(verified_identity__issuer=issuer(), verified_identity__subject=claims["sub"])
        if found.exists():
            return found
        request = getattr(self, "request", None)
        if request is not None and request.session.get(BIND_SESSION_KEY) and request.user.is_authenticated:
            if VerifiedIdentity.objects.filter(user=request.user).exists():
                raise SuspiciousOperation("该账号已绑定另一个统一身份认证账号")
            return User.objects.filter(pk=request.user.pk)
        return User.objects.none()

    def create_user(self, claims):
        User = get_user_model()
        digest = hashlib.sha256(f"{issuer()}|{claims['sub']}".encode()).hexdigest()[:20]
        with transaction.atomic():
            user = User.objects.create_user(f"tysf_{digest}", real_name=str(claims.get("name", ""))[:64],
                                            phone=str(claims.get("phone_number", ""))[:20])
            self._remember(user, claims, created=True)
        return user

    def update_user(self, user, claims):
        with transaction.atomic():
            self._remember(user, claims, created=False)
        return user

    def _remember(self, user, claims, *, created: bool) -> None:
        number = str(claims.get(settings.OIDC_ID_NUMBER_CLAIM, "") or "")
        number = validate_id_number(number) if number else ""
        identity, new = VerifiedIdentity.objects.update_or_create(
            user=user, defaults={"issuer": issuer(), "subject": claims["sub"], "name": str(claims.get("name", ""))[:64],
                                 "id_number": number, "verified_at": clock.now()})
        request = getattr(self, "request", None)
        if request is not None:
            request.session.pop(BIND_SESSION_KEY, None)
        what = "新建账号" if created else ("绑定账号" if new else "登录")
        audit_record(actor=user, action="update" if not created else "create", obj=identity,
                     summary=f"统一身份认证{what}：{user.username}（{issuer()}）", request=request)


def _disabled(request):
    return render(request, "accounts/oidc_message.html",
                  {"message": "本平台尚未接入统一身份认证，请使用用户名和密码登录。"}, status=404)


def oidc_login(request):
    """Start the code flow (PKCE, state, nonce); ``?bind=1`` binds the signed-in account on return."""
    if not oidc_enabled():
        return _disabled(request)
    if request.GET.get("bind") == "1" and request.user.is_authenticated:
        request.session[BIND_SESSION_KEY] = True
    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback(request):
    if not oidc_enabled():
        return _disabled(request)
    return OIDCAuthenticationCallbackView.as_view()(request)
