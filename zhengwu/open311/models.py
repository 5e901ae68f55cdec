"""Open311 GeoReport v2: the client systems that may POST requests, and what they sent beside an order.

- ``Open311Client``: a system (e.g. a FixMyStreet-style site) holding an ``api_key``. Only the key's
  SHA-256 is stored (the same hashing as ``accounts.ApiToken``); the key is shown once when issued.
- ``Open311Request``: the client-side fields of a request POSTed through Open311 (email, device,
  account, media URLs, extra attributes) that the work order (``hotline.Order``) has no column for.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.core import clock
from zhengwu.hotline.models import Order
from zhengwu.org.models import Region


class Open311Client(models.Model):
    name = models.CharField("系统名称", max_length=100)
    prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        Region,
        verbose_name="所属辖区（县级区划）",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.COUNTY},
        help_text="jurisdiction_id 即该县的12位统计用区划代码",
    )
    active = models.BooleanField("启用", default=True)
    posts_per_hour = models.PositiveIntegerField(
        "每小时提交上限", default=300, help_text="超过后该系统的提交返回 429，一小时内恢复"
    )
    publish_consent = models.BooleanField(
        "提交的诉求可公开",
        default=False,
        help_text="该系统的用户提交时已同意公开诉求内容（如 FixMyStreet 一类公开平台）；"
        "勾选后其工单的诉求内容可出现在 Open311 查询和曝光台",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=clock.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 接入系统"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(posts_per_hour__gte=1), name="open311_client_limit_positive")
        ]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"


class Open311Request(models.Model):
    """What an Open311 client sent with a request, beside the work order it became."""

    order = models.OneToOneField(Order, verbose_name="工单", on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey(
        Open311Client, verbose_name="接入系统", on_delete=models.PROTECT, related_name="requests"
    )
    email = models.CharField("电子邮箱", max_length=254, blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("账号标识", max_length=100, blank=True)
    address_id = models.CharField("地址标识", max_length=12, blank=True, help_text="所报的区划代码")
    media_urls = models.JSONField("图片/媒体链接", default=list, blank=True)
    attributes = models.JSONField("附加属性", default=dict, blank=True)
    received_at = models.DateTimeField("接收时间", default=clock.now)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 来件"
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.client.name} → {self.order_id}"

    @property
    def media_url(self) -> str:
        return self.media_urls[0] if self.media_urls else ""
