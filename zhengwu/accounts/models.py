"""Accounts: one user model for staff and for citizens/enterprises, and API tokens for systems."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    real_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a system or script; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        """The live token ``raw`` is, with its user: None when unknown, revoked or the account inactive.

        The API's token auth and the idempotency middleware (which must know the caller before the
        endpoint runs) both resolve tokens here.
        """
        if not raw:
            return None
        row = cls.objects.select_related("user").filter(key_hash=hash_token(raw), revoked=False).first()
        if row is None or not row.user.is_active:
            return None
        return row

    @classmethod
    def issue(cls, *, user, name: str, raw: str | None = None) -> tuple[ApiToken, str]:
        raw = raw or "zw_" + secrets.token_urlsafe(30)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw))
        return token, raw


class VerifiedIdentity(models.Model):
    """An account's identity as the province's unified identity service (统一身份认证, OpenID Connect)
    vouches for it: the issuer's subject, and the real name and 身份证号 it verified. A person's window
    and agent cases with that 身份证号 can then be linked to the account without an SMS code."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE,
                                related_name="verified_identity")
    issuer = models.CharField("认证平台", max_length=200)
    subject = models.CharField("认证平台用户标识", max_length=255)
    name = models.CharField("核验姓名", max_length=64, blank=True)
    id_number = models.CharField("核验身份证号", max_length=18, blank=True)
    verified_at = models.DateTimeField("最近核验时间")

    class Meta:
        verbose_name = verbose_name_plural = "统一身份认证"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="verified_identity_subject")]

    def __str__(self):
        return f"{self.user} @ {self.issuer}"
