"""Cross-cutting records: the audit trail of who saw and changed what (个人信息保护法).

The trail is a hash chain. Each row keeps the SHA-256 of its own content together with the
hash of the row before it (by id), so a row changed, deleted or slipped in after the fact no
longer matches: ``zhengwu audit verify`` walks the chain and names the first broken link.
Who acted is copied onto the row (name and 工号) when it is written, so deleting or renaming
an account does not rewrite history; the foreign key to the account is only a convenience.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

# The content a row's hash covers, in this order; ``prev_hash`` links it to the row before.
# The actor's account id is left out on purpose: it turns NULL when the account is deleted.
CHAIN_FIELDS = ("at", "actor_name", "actor_no", "action", "object_type", "object_id", "summary", "ip",
                "prev_hash")
CHAIN_VERSION = 1  # hashed with the content; a different canonical form must not collide with this one


def audit_digest(*, at: dt.datetime, actor_name: str, actor_no: str, action: str, object_type: str,
                 object_id: str, summary: str, ip: str | None, prev_hash: str) -> str:
    """SHA-256 (hex) of one row's canonical content: compact JSON with sorted keys, time in UTC.

    The writer, the checker and the migration that chained the rows written before the chain
    existed all hash through here; changing it invalidates every stored hash.
    """
    content = {
        "v": CHAIN_VERSION,
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_name": actor_name, "actor_no": actor_no, "action": action,
        "object_type": object_type, "object_id": object_id, "summary": summary, "ip": ip,
        "prev_hash": prev_hash,
    }
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "查看"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        PUBLISH = "publish", "发布"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人账号", null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    actor_no = models.CharField("操作人工号", max_length=16, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    prev_hash = models.CharField("上一条的哈希", max_length=64, blank=True, editable=False)
    hash = models.CharField("哈希", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            # Two writers must never chain to the same predecessor (a fork). The writer's lock
            # prevents it; this refuses it should anything write around the lock.
            models.UniqueConstraint(fields=["prev_hash"], condition=~models.Q(prev_hash=""),
                                    name="core_auditevent_one_successor"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_type}:{self.object_id}"

    def content_hash(self) -> str:
        return audit_digest(**{f: getattr(self, f) for f in CHAIN_FIELDS})


def _now():
    from zhengwu.core import clock

    return clock.now()


class IdempotencyRecord(models.Model):
    """One request made under an ``Idempotency-Key`` (API) or a one-time form token (pages).

    The row is inserted, committed, before the request runs: the unique (owner, key) pair lets
    exactly one of two simultaneous requests through. While the request runs ``status`` is
    NULL; afterwards the row holds the response to replay, or is deleted when the response is
    not one to replay (a 5xx, a "try again"). Rows older than a day are purged
    (``zhengwu idempotency_purge``). See ``core/idempotency.py`` and docs/api-idempotency.md.
    """

    owner = models.CharField("调用方", max_length=80)  # "u:<user id>", "s:/ip:<keyed hash>", "form"
    key = models.CharField("幂等键", max_length=255)
    fingerprint = models.CharField("请求指纹", max_length=64)  # SHA-256 of method, path and body
    method = models.CharField("方法", max_length=8)
    path = models.CharField("路径", max_length=500)
    created_at = models.DateTimeField("首次请求时间", default=_now, db_index=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.PositiveSmallIntegerField("响应状态码", null=True, blank=True)
    headers = models.JSONField("响应头", default=dict, blank=True)
    body = models.BinaryField("响应内容", default=b"", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等请求记录"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="core_idempotency_owner_key")]

    def __str__(self):
        return f"{self.owner} {self.key} {self.method} {self.path} {self.status or '处理中'}"
