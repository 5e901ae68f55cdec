"""工程建设项目 (construction projects) under 国办发〔2019〕11号: a project moves through the four stages
立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收, each stage run as one joint case (联办件) of a bundle
whose ``project_stage`` is that stage; other items run 并行推进 (stage 5) beside them.

A project counts its approval time as the sum of its stages' working days from acceptance to completion:
the applicant's time between stages is not approval time (11号 counts 审批时间 per stage, "限时办结").
Limits are policy (``ProjectPolicy``), copied onto the project and its stages when it is registered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengwu.core import clock
from zhengwu.org.models import Hall, Region, Staff

# The four main stages in order (codes of the national data standard, catalog.ProjectStage 1–4) and 并行推进.
MAIN_STAGES = (1, 2, 3, 4)
PARALLEL = 5


class StageCode(models.IntegerChoices):
    """A stage row's stage (as ``catalog.ProjectStage`` without 0)."""

    PLANNING = 1, "立项用地规划许可"
    CONSTRUCTION_PERMIT = 2, "工程建设许可"
    BUILDING_PERMIT = 3, "施工许可"
    ACCEPTANCE = 4, "竣工验收"
    PARALLEL = 5, "并行推进"


class CurrentStage(models.IntegerChoices):
    """Where a project is: the first main stage not finished, or 5 when all four are."""

    PLANNING = 1, "立项用地规划许可"
    CONSTRUCTION_PERMIT = 2, "工程建设许可"
    BUILDING_PERMIT = 3, "施工许可"
    ACCEPTANCE = 4, "竣工验收"
    DONE = 5, "全部完成"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "在办"
    COMPLETED = "completed", "审批已全部完成"
    CLOSED = "closed", "已关闭"


class LandSource(models.TextChoices):
    """土地获取方式 (land supply under the 土地管理法: 划拨 or paid use, mostly 出让)."""

    ALLOCATION = "allocation", "划拨"
    AGREEMENT = "agreement", "协议出让"
    AUCTION = "auction", "招标拍卖挂牌出让"
    LEASE = "lease", "租赁"
    SHARES = "shares", "作价出资（入股）"
    EXISTING = "existing", "使用原有土地"
    OTHER = "other", "其他"


class ProjectPolicy(models.Model):
    """The one row of 工程建设项目 limits (pk = 1); ``policy.policy_get()`` creates it with the defaults.

    11号 sets the national target at 120 working days for the whole approval process; counties commonly
    promise less per stage. A project keeps the limits it was registered under.
    """

    whole_limit_days = models.PositiveSmallIntegerField(
        "全流程审批时限（工作日）", default=120,
        help_text="国办发〔2019〕11号：全流程审批时间压减至120个工作日以内；本地承诺更短的可改小")
    stage1_days = models.PositiveSmallIntegerField("立项用地规划许可阶段时限（工作日）", default=20)
    stage2_days = models.PositiveSmallIntegerField("工程建设许可阶段时限（工作日）", default=25)
    stage3_days = models.PositiveSmallIntegerField("施工许可阶段时限（工作日）", default=20)
    stage4_days = models.PositiveSmallIntegerField("竣工验收阶段时限（工作日）", default=20)
    parallel_days = models.PositiveSmallIntegerField(
        "并行推进事项时限（工作日）", default=20, help_text="并行推进的事项与主线阶段同时办理，不计入全流程时间")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程建设项目审批时限设置"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="project_policy_singleton"),
            models.CheckConstraint(
                condition=Q(whole_limit_days__gte=1, stage1_days__gte=1, stage2_days__gte=1, stage3_days__gte=1,
                            stage4_days__gte=1, parallel_days__gte=1),
                name="project_policy_positive"),
        ]

    def __str__(self):
        return "工程建设项目审批时限设置"

    def stage_days(self, stage: int) -> int:
        return {1: self.stage1_days, 2: self.stage2_days, 3: self.stage3_days, 4: self.stage4_days,
                5: self.parallel_days}[stage]


class Project(models.Model):
    """A construction project (工程建设项目) known by its national 投资项目代码."""

    code = models.CharField("项目代码", max_length=24, unique=True,
                            help_text="投资项目在线审批监管平台赋予的项目代码，如 2026-130621-47-01-000001")
    name = models.CharField("项目名称", max_length=200)
    owner_name = models.CharField("建设单位", max_length=100)
    owner_uscc = models.CharField("建设单位统一社会信用代码", max_length=18)
    investment = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    land_source = models.CharField("土地获取方式", max_length=12, choices=LandSource.choices)
    land_area = models.DecimalField("用地面积（平方米）", max_digits=12, decimal_places=2)
    building_area = models.DecimalField("建筑面积（平方米）", max_digits=12, decimal_places=2)
    region = models.ForeignKey(Region, verbose_name="项目所在地", on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey(Hall, verbose_name="登记大厅", on_delete=models.PROTECT, related_name="projects")
    registered_by = models.ForeignKey(Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField("当前阶段", choices=CurrentStage.choices, default=CurrentStage.PLANNING,
                                             db_index=True)
    status = models.CharField("状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE,
                              db_index=True)
    limit_days = models.PositiveSmallIntegerField("全流程审批时限（工作日）")
    created_at = models.DateTimeField("登记时间", default=clock.now)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程建设项目"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__gte=1, stage__lte=5), name="project_stage_range"),
            models.CheckConstraint(condition=Q(investment__gte=0, land_area__gte=0, building_area__gte=0),
                                   name="project_amounts_not_negative"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False),
                                   name="project_closed_has_time"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ProjectStage(models.Model):
    """One stage of a project: its limit, the joint case (联办件) that runs it, when it started and finished."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="stages")
    stage = models.PositiveSmallIntegerField("阶段", choices=StageCode.choices)
    limit_days = models.PositiveSmallIntegerField("阶段时限（工作日）")
    joint = models.OneToOneField("joint.JointCase", verbose_name="联办件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="project_stage")
    linked_at = models.DateTimeField("关联时间", null=True, blank=True)
    started_on = models.DateField("开始日期（联办件受理日）", null=True, blank=True)
    finished_on = models.DateField("完成日期（联办件办结日）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程建设项目审批阶段"
        ordering = ["project", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_stage_unique"),
            models.CheckConstraint(condition=Q(stage__gte=1, stage__lte=5), name="project_stage_code_range"),
            models.CheckConstraint(condition=Q(finished_on__isnull=True) | Q(started_on__isnull=False),
                                   name="project_stage_finished_after_start"),
        ]

    def __str__(self):
        return StageCode(self.stage).label


class ProjectEvent(models.Model):
    """The project's own history: registered, a stage linked, started, finished, closed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=clock.now)
    action = models.CharField("动作", max_length=24)
    stage = models.PositiveSmallIntegerField("阶段", null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=64, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程建设项目记录"
        ordering = ["at", "id"]

    def __str__(self):
        return self.action
