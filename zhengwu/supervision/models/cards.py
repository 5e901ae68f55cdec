"""Clocks (监察时钟), their kinds, the cards raised on them, and the sweep's own records.

A clock is one supervised deadline of any domain: a case's 办结时限, one review step's own share of
time, a 依申请公开 reply limit, later a hotline order's 签收 limit or a trading period. Domains write
clocks only through ``zhengwu.supervision.clocks`` (start, stop, resume, move, finish) inside their own
transactions; everything supervision does — cards, 超时默认, notices, the board, the workbench chips,
lateness in the monthly assessment, the 按时办结率 — reads clocks, never a domain's tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhengwu.catalog.models import Item
from zhengwu.org.models import Department, Hall, Region, Staff, Window


class AppendIndex(models.Index):
    """A BRIN index on PostgreSQL, a B-tree elsewhere: for a column whose values grow with the rows' order in
    the table (cards are appended day by day, ``raised_on`` being the day). A BRIN index keeps one summary
    per range of table pages, so the rows the sweep appends cost it next to nothing, where a B-tree takes one
    more entry per row; a range of days still reads only the pages holding them. ``autosummarize``: a range
    of pages is summarised (by autovacuum) as soon as it is full, not at the table's next vacuum."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        statement = super().create_sql(model, schema_editor, using=" USING brin", **kwargs)
        statement.parts["extra"] = " WITH (autosummarize = on)" + statement.parts["extra"]
        return statement


class ClockKind(models.Model):
    """One kind of clock (policy data): what it is called, how it is judged, what it weighs.

    Domains declare their kinds in code (``clocks.register_kind``) and the row is created on first use
    or after ``migrate``; an admin may then tune the thresholds, the weight and whether it is watched.
    """

    class Unit(models.TextChoices):
        DAY = "day", "按日（期限为日期，按工作日亮牌）"
        MINUTE = "minute", "按分钟（期限为时刻，全天候计时）"

    code = models.SlugField("代码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=32, help_text="如 办结时限、环节时限、答复时限、签收时限")
    subject_label = models.CharField("监察对象", max_length=16, help_text="如 办件、政府信息公开申请、工单")
    due_label = models.CharField("期限名称", max_length=16, help_text="如 办结期限、答复期限")
    unit = models.CharField("计时单位", max_length=8, choices=Unit.choices, default=Unit.DAY)
    warn_workdays = models.PositiveSmallIntegerField(
        "黄牌预警提前工作日", null=True, blank=True, help_text="按日计时；留空则用效能监察设置中的默认值")
    warn_minutes = models.PositiveIntegerField("黄牌预警提前分钟", default=5, help_text="按分钟计时")
    weight = models.PositiveSmallIntegerField(
        "考核权重", default=1, help_text="月考核中一次超时计为几件；0 表示不计入考核和按时办结率")
    deemed = models.BooleanField("适用超时默认", default=False,
                                 help_text="超期后按“超时默认适用事项”发出超时默认通知单")
    is_active = models.BooleanField("监察", default=True, help_text="停用后不再亮牌")
    sort = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "监察时钟类型"
        ordering = ["sort", "code"]

    def __str__(self):
        return f"{self.subject_label}{self.name}"


class ClockState(models.TextChoices):
    RUNNING = "running", "计时中"
    STOPPED = "stopped", "暂停计时"
    FINISHED = "finished", "已结束"


class Clock(models.Model):
    """One supervised deadline. ``due_date`` for day clocks (a legal date), ``due_at`` for minute clocks."""

    kind = models.ForeignKey(ClockKind, verbose_name="类型", on_delete=models.PROTECT, related_name="clocks")
    subject_type = models.CharField("对象类别", max_length=24, help_text="如 case、gk_request")
    subject_id = models.BigIntegerField("对象编号")
    part = models.PositiveSmallIntegerField("环节序号", default=0, help_text="整体时限为 0")
    part_name = models.CharField("环节名称", max_length=64, blank=True)
    subject_no = models.CharField("编号", max_length=64)
    title = models.CharField("名称", max_length=200, blank=True)
    url = models.CharField("办理页面", max_length=200, blank=True)
    item = models.ForeignKey(Item, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    region = models.ForeignKey(Region, verbose_name="区划（工作日历）", on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey(Hall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    department = models.ForeignKey(Department, verbose_name="责任部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    officer = models.ForeignKey(Staff, verbose_name="责任人", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    head = models.ForeignKey(Staff, verbose_name="部门负责人", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    state = models.CharField("状态", max_length=8, choices=ClockState.choices, default=ClockState.RUNNING)
    started_on = models.DateField("起算日")
    started_at = models.DateTimeField("开始时间")
    due_date = models.DateField("期限", null=True, blank=True)
    due_at = models.DateTimeField("期限时刻", null=True, blank=True)
    remaining_seconds = models.IntegerField("暂停时剩余秒数", null=True, blank=True)
    stopped_on = models.DateField("暂停日期", null=True, blank=True)
    deemable = models.BooleanField("可超时默认", default=True)
    finished_on = models.DateField("结束日期", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    finish_reason = models.CharField("结束原因", max_length=64, blank=True)
    late = models.BooleanField("超时", null=True, blank=True, help_text="结束时是否已超过期限")

    class Meta:
        verbose_name = verbose_name_plural = "监察时钟"
        constraints = [
            models.CheckConstraint(condition=Q(due_date__isnull=False, due_at__isnull=True)
                                   | Q(due_date__isnull=True, due_at__isnull=False), name="clock_one_due"),
            models.UniqueConstraint(fields=["subject_type", "subject_id", "kind", "part"],
                                    condition=~Q(state="finished"), name="clock_one_open_per_subject_part"),
        ]
        indexes = [
            models.Index(fields=["due_date"], condition=Q(state="running", due_date__isnull=False),
                         name="clock_running_due_date"),
            models.Index(fields=["due_at"], condition=Q(state="running", due_at__isnull=False),
                         name="clock_running_due_at"),
            models.Index(fields=["subject_type", "subject_id"], name="clock_subject"),
            models.Index(fields=["due_date", "kind"], name="clock_due_kind"),
            models.Index(fields=["finished_on"], name="clock_finished_on"),
        ]

    def __str__(self):
        return f"{self.subject_no} {self.label}"

    @property
    def label(self) -> str:
        return f"“{self.part_name}”环节时限" if self.part else self.kind.due_label


class Card(models.Model):
    """A yellow (预警) or red (超期) card on a clock.

    One row per condition, ever: (clock, level, due) is unique, so a second sweep finds the row and does
    nothing. Cleared when the condition ends (the clock finished, its due moved, a red card replaced it).
    """

    class Level(models.TextChoices):
        YELLOW = "yellow", "黄牌"
        RED = "red", "红牌"

    # The sweep writes cards by the tens of thousands with INSERT … SELECT from clock rows that already
    # passed their own checks: the columns copied from the clock carry no second foreign-key check and no
    # index of their own (the unique and partial indexes below serve every read).
    # The clock too: a card is inserted from its clock row in the same statement, and clocks are never
    # deleted but with their cards (CASCADE, done by Django); a deferred check of each new card at commit
    # cost the first sweep of a county about a second per 100,000 cards.
    clock = models.ForeignKey(Clock, verbose_name="监察时钟", on_delete=models.CASCADE, related_name="cards",
                              db_index=False, db_constraint=False)
    kind = models.ForeignKey(ClockKind, verbose_name="类型", on_delete=models.PROTECT, related_name="+",
                             db_constraint=False, db_index=False)
    part = models.PositiveSmallIntegerField("环节序号", default=0)
    level = models.CharField("等级", max_length=8, choices=Level.choices)
    due_date = models.DateField("期限", null=True, blank=True)
    due_at = models.DateTimeField("期限时刻", null=True, blank=True)
    raised_on = models.DateField("亮牌日期")
    raised_at = models.DateTimeField("亮牌时间")
    # No index of its own: a run's cards are the ids from where the run started (only the sweep writes cards,
    # one run at a time), read by primary key.
    run = models.ForeignKey("SweepRun", verbose_name="监察运行", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", db_constraint=False, db_index=False)
    officer = models.ForeignKey(Staff, verbose_name="责任人", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="supervision_cards", db_constraint=False, db_index=False)
    head = models.ForeignKey(Staff, verbose_name="部门负责人", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False, db_index=False)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    hall = models.ForeignKey(Hall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_constraint=False, db_index=False)
    cleared_on = models.DateField("解除日期", null=True, blank=True)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_reason = models.CharField("解除原因", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "红黄牌"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "level", "due_date"], condition=Q(due_at__isnull=True),
                                    name="card_one_per_day_condition"),
            models.UniqueConstraint(fields=["clock", "level", "due_at"], condition=Q(due_date__isnull=True),
                                    name="card_one_per_moment_condition"),
        ]
        indexes = [
            models.Index(fields=["hall", "level"], condition=Q(cleared_on__isnull=True), name="card_active_hall"),
            models.Index(fields=["clock"], condition=Q(cleared_on__isnull=True), name="card_active_clock"),
            AppendIndex(fields=["raised_on"], name="card_raised_on"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.clock_id} {self.label}"

    @property
    def is_active(self) -> bool:
        return self.cleared_on is None

    @property
    def due_text(self) -> str:
        if self.due_date is not None:
            return f"{self.due_date.month}月{self.due_date.day}日"
        from django.utils import timezone

        at = timezone.localtime(self.due_at)
        return f"{at.month}月{at.day}日{at:%H:%M}"

    @property
    def red_on(self):
        """For a yellow card whose due date has passed on a rest day: the working day it turns red."""
        if self.level != self.Level.YELLOW or self.due_date is None:
            return None
        from zhengwu.core import clock as wall
        from zhengwu.workdays import engine

        if self.due_date >= wall.today():
            return None
        return engine.calendar_for(self.region).add(self.due_date, 1)

    @property
    def state_text(self) -> str:
        """What is true today: 已超期, 即将到期, or 已到期 with the day it turns red (a rest day between)."""
        if self.level == self.Level.RED:
            return "已超期"
        red_on = self.red_on
        if red_on is not None:
            return f"已到期，{red_on.month}月{red_on.day}日转红牌"
        return "即将到期"

    @property
    def label(self) -> str:
        what = f"“{self.clock.part_name}”环节" if self.part else self.kind.due_label
        return f"{what}{self.state_text}（{self.due_text}）"


class Notice(models.Model):
    """A 超时默认 message the sweep owes someone (the outbox), sent after commit.

    The cards' own messages have no rows here: they are built from the run's cards at delivery, and the run
    keeps how far delivery got (``SweepRun.cards_sent_to``), so a crash in the middle resumes there."""

    # Written in bulk from the run's cards: no foreign-key checks of their own (see Card).
    run = models.ForeignKey("SweepRun", on_delete=models.CASCADE, related_name="notices", db_constraint=False,
                            db_index=False)
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False, db_index=False)
    deemed = models.ForeignKey("DeemedApproval", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               db_constraint=False, db_index=False)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)
    rank = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=24)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监察通知"
        indexes = [models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="notice_unsent_id"),
                   models.Index(fields=["run"], name="notice_run")]

    def __str__(self):
        return f"{self.kind} → {self.staff_id}"


class SweepRun(models.Model):
    """One run of the sweep: when, for which day, and what it did."""

    today = models.DateField("监察日期")
    minutes = models.BooleanField("分钟级", default=False, help_text="每分钟运行的分钟级时钟监察")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    clocks = models.PositiveIntegerField("检查时钟数", default=0)
    raised_yellow = models.PositiveIntegerField("新亮黄牌", default=0)
    raised_red = models.PositiveIntegerField("新亮红牌", default=0)
    cleared = models.PositiveIntegerField("解除", default=0)
    deemed = models.PositiveIntegerField("超时默认通知单", default=0)
    flags = models.PositiveIntegerField("新问责提示", default=0)
    messages = models.PositiveIntegerField("发送通知", default=0)
    # The outbox of the cards this run raised: their messages go out in card-id order; the last card sent.
    cards_pending = models.BooleanField("红黄牌通知待发送", default=False)
    cards_sent_to = models.BigIntegerField("红黄牌通知已发送至", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "监察运行记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["id"], condition=Q(cards_pending=True), name="sweeprun_cards_pending")]

    def __str__(self):
        return f"{self.today} 监察"
