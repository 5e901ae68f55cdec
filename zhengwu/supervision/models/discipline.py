"""超时默认 notices, 效能告诫, praise and accountability flags."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from zhengwu.cases.models import Case
from zhengwu.org.models import Department, Staff, Window

from .policy import AccountabilityRule


class DeemedApproval(models.Model):
    """超时默认: the notice (超时默认通知单) and the record that the late department is deemed to agree."""

    class Status(models.TextChoices):
        ISSUED = "issued", "已发通知单，待部门出具批准文书"
        CONFIRMED = "confirmed", "部门已出具批准文书"

    clock = models.OneToOneField("Clock", verbose_name="监察时钟", on_delete=models.CASCADE,
                                 related_name="deemed_approval")
    subject_no = models.CharField("编号", max_length=64)
    title = models.CharField("名称", max_length=200, blank=True)
    department = models.ForeignKey(Department, verbose_name="超时部门", on_delete=models.PROTECT, related_name="+")
    notice_no = models.CharField("通知单编号", max_length=40, unique=True)
    due_date = models.DateField("办结期限")
    issued_on = models.DateField("发出日期")
    overdue_workdays = models.PositiveSmallIntegerField("超期工作日")
    reply_by = models.DateField("出具批准文书期限")
    step_name = models.CharField("超时环节", max_length=64, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ISSUED)
    confirmed_on = models.DateField("批准文书出具日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(Staff, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirm_note = models.CharField("批准文书文号/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "超时默认记录"
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return self.notice_no


def evidence_upload_to(instance, filename: str) -> str:
    """A directory nobody can guess; the file is served only by ``supervision:admonition_evidence``."""
    return f"supervision/evidence/{instance.issued_on:%Y}/{secrets.token_hex(16)}/{filename}"


class Admonition(models.Model):
    """效能告诫 issued by the 效能监察员, with its reason and evidence."""

    doc_no = models.CharField("告诫书编号", max_length=40, unique=True)
    staff = models.ForeignKey(Staff, verbose_name="被告诫人", on_delete=models.PROTECT, related_name="admonitions")
    department = models.ForeignKey(Department, verbose_name="所在部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(Window, verbose_name="所在窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    case = models.ForeignKey(Case, verbose_name="相关办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    issued_on = models.DateField("告诫日期")
    issued_by = models.ForeignKey(Staff, verbose_name="监察员", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("告诫事由")
    evidence = models.TextField("事实与证据")
    evidence_file = models.FileField("证据材料", upload_to=evidence_upload_to, blank=True, max_length=200)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.CharField("撤销理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "效能告诫"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["staff", "issued_on"])]

    def __str__(self):
        return self.doc_no

    @property
    def evidence_name(self) -> str:
        return self.evidence_file.name.rsplit("/", 1)[-1] if self.evidence_file else ""


class Commendation(models.Model):
    """Praise from the public (表扬信、锦旗 …), an addition in the monthly assessment."""

    staff = models.ForeignKey(Staff, verbose_name="受表扬人", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    window = models.ForeignKey(Window, verbose_name="受表扬窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    on = models.DateField("日期")
    source = models.CharField("形式", max_length=32, default="表扬信")
    note = models.CharField("事由", max_length=200)
    recorded_by = models.ForeignKey(Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "群众表扬"
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(staff__isnull=False) | Q(window__isnull=False),
                                              name="commendation_has_subject")]

    def __str__(self):
        return f"{self.on} {self.note}"


class AccountabilityFlag(models.Model):
    """Someone a rule flags (e.g. for removal from a leading post), with why; resolved by a supervisor."""

    rule = models.ForeignKey(AccountabilityRule, verbose_name="规则", on_delete=models.PROTECT, related_name="flags")
    staff = models.ForeignKey(Staff, verbose_name="被提示人", on_delete=models.PROTECT, related_name="+")
    key = models.CharField("触发标识", max_length=64)
    raised_on = models.DateField("提示日期")
    reason = models.TextField("理由")
    evidence = models.JSONField("依据记录", default=dict)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_by = models.ForeignKey(Staff, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.CharField("处理结果", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问责提示"
        ordering = ["-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "staff", "key"], name="flag_once_per_trigger")]

    def __str__(self):
        return f"{self.staff} {self.rule}"
