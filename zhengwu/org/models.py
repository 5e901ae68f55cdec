"""The three-tier organisation: regions, halls, departments, windows, staff and roles.

Scope lives here too: a window officer acts for their department in their hall, a
village agent (代办员) only submits at their station, a leader reads their region.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .photos import staff_photo_upload_to, validate_staff_photo


class Region(models.Model):
    """An administrative area with its 12-digit 统计用区划代码, as a tree 市/县 → 镇/乡/街道 → 村/社区."""

    class Level(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县（市、区）"
        TOWN = "town", "乡镇（街道）"
        VILLAGE = "village", "村（社区）"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"),
        ]

    def __str__(self):
        return self.name

    def ancestors(self) -> list[Region]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in reversed([self, *self.ancestors()]))

    @property
    def code_prefix(self) -> str:
        """The significant prefix of the code: every descendant's code starts with it."""
        significant = {"city": 4, "county": 6, "town": 9, "village": 12}[self.level]
        return self.code[:significant]


class Hall(models.Model):
    """A service hall: 政务服务中心 (county/city), 便民服务中心 (town) or 便民服务站 (village)."""

    class Kind(models.TextChoices):
        CENTER = "center", "政务服务中心"
        TOWN_CENTER = "town_center", "便民服务中心"
        VILLAGE_STATION = "village_station", "便民服务站"
        # The 公共资源交易中心 (public resource trading centre): it hosts no service windows, takes no
        # applications and no hotline orders; only the trading app uses it.
        TRADING_CENTER = "trading_center", "公共资源交易中心"

    code = models.CharField("大厅编码", max_length=16, unique=True,
                            help_text="用于办件编号等，如 XQZW")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="halls")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True,
                                     default="工作日 上午9:00-12:00 下午13:30-17:00")
    area_m2 = models.PositiveIntegerField("面积（平方米）", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务大厅"
        ordering = ["region__code", "code"]

    def __str__(self):
        return self.name

    @property
    def tier(self) -> str:
        return {"center": "county", "town_center": "town", "village_station": "village"}[self.kind]


class Department(models.Model):
    """A unit stationed in the hall (入驻单位) with its 行政审批服务科 (两集中、两到位)."""

    code = models.CharField("单位编码", max_length=32, unique=True,
                            help_text="统一社会信用代码或本地编码")
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=32, blank=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT,
                               related_name="departments")
    approval_section = models.CharField("行政审批服务科", max_length=100, blank=True)
    section_in_hall = models.BooleanField("审批科已进驻大厅", default=True)
    authorised = models.BooleanField("窗口授权到位", default=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门（入驻单位）"
        ordering = ["region__code", "code"]

    def __str__(self):
        return self.name


class Window(models.Model):
    """A service window; ``department`` empty means a 综合窗口 (comprehensive window)."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="windows")
    number = models.CharField("窗口号", max_length=16)
    name = models.CharField("窗口名称", max_length=100)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="windows",
                                   help_text="为空表示综合窗口")
    items = models.ManyToManyField("catalog.Item", verbose_name="可办事项", blank=True, related_name="windows")
    floor = models.CharField("楼层/区域", max_length=32, blank=True)
    is_open = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall__code", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique_in_hall")]

    def __str__(self):
        return f"{self.hall.name} {self.number}号窗口 {self.name}"

    @property
    def is_comprehensive(self) -> bool:
        return self.department_id is None


class Role(models.Model):
    """Roles are data so a center can rename them; the codes are what the code checks."""

    WINDOW_OFFICER = "window_officer"
    CHIEF_REP = "chief_rep"
    DEPT_HEAD = "dept_head"
    HALL_ADMIN = "hall_admin"
    SUPERVISOR = "supervisor"
    VILLAGE_AGENT = "village_agent"
    LEADER = "leader"
    CALL_TAKER = "call_taker"
    HOTLINE_ADMIN = "hotline_admin"
    TRADING_ADMIN = "trading_admin"
    TRADING_SUPERVISOR = "trading_supervisor"
    INTERMEDIARY_ADMIN = "intermediary_admin"
    INTERMEDIARY_SUPERVISOR = "intermediary_supervisor"
    BUSINESS_ENV = "business_env"  # 优化营商环境办 (涉企活动申报; created for existing databases by declarations 0002)
    DEFAULTS = [
        (WINDOW_OFFICER, "窗口人员"),
        (CHIEF_REP, "首席代表"),
        (DEPT_HEAD, "部门负责人"),
        (HALL_ADMIN, "中心管理员"),
        (SUPERVISOR, "效能监察员"),
        (VILLAGE_AGENT, "代办员"),
        (LEADER, "领导"),
        (CALL_TAKER, "话务员"),
        (HOTLINE_ADMIN, "热线管理员"),
        (TRADING_ADMIN, "交易中心管理员"),
        (TRADING_SUPERVISOR, "交易监督人员"),
        (INTERMEDIARY_ADMIN, "中介超市管理员"),
        (INTERMEDIARY_SUPERVISOR, "中介服务监管人员"),
        (BUSINESS_ENV, "优化营商环境办"),
    ]

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        ordering = ["id"]

    def __str__(self):
        return self.name


class Staff(models.Model):
    """A member of staff. Where they may act follows from department, hall, region and roles."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", on_delete=models.CASCADE,
                                related_name="staff")
    employee_no = models.CharField("工号", max_length=16, unique=True)
    name = models.CharField("姓名", max_length=32)
    department = models.ForeignKey(Department, verbose_name="所属部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="staff")
    hall = models.ForeignKey(Hall, verbose_name="所在大厅/站点", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="staff")
    region = models.ForeignKey(Region, verbose_name="管辖区划", on_delete=models.PROTECT, related_name="staff",
                               help_text="领导、监察员可查看的范围")
    windows = models.ManyToManyField(Window, verbose_name="所在窗口", blank=True, related_name="staff")
    roles = models.ManyToManyField(Role, verbose_name="角色", related_name="staff")
    title = models.CharField("职务", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    photo = models.ImageField("照片", upload_to=staff_photo_upload_to, max_length=100, blank=True,
                              validators=[validate_staff_photo],
                              help_text="岗位卡、窗口屏和外出告知图上的照片：JPG、PNG 或 WebP 格式，不超过 2 MB")
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"
        ordering = ["employee_no"]

    def __str__(self):
        return f"{self.name}（{self.employee_no}）"

    def role_codes(self) -> set[str]:
        cache = getattr(self, "_role_codes", None)
        if cache is None:
            cache = self._role_codes = {r.code for r in self.roles.all()}
        return cache

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))
