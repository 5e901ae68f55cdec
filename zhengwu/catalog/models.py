"""The service catalog (政务服务事项实施清单).

``Item`` is the stable identity of a service item (its 实施编码) and points at the
published ``ItemVersion``. Every change is made in a draft version and published;
the old version stays as it was, so whatever was filed under it never changes.
"""

from __future__ import annotations

from django.db import models

from zhengwu.org.models import Department


class ItemKind(models.TextChoices):
    LICENSE = "license", "行政许可"
    PAYMENT = "payment", "行政给付"
    REWARD = "reward", "行政奖励"
    CONFIRMATION = "confirmation", "行政确认"
    ADJUDICATION = "adjudication", "行政裁决"
    LEVY = "levy", "行政征收"
    PUNISHMENT = "punishment", "行政处罚"
    INSPECTION = "inspection", "行政检查"
    PUBLIC_SERVICE = "public_service", "公共服务"
    OTHER = "other", "其他行政权力"


class CaseType(models.TextChoices):
    IMMEDIATE = "immediate", "即办件"
    PROMISED = "promised", "承诺件"


class TimeUnit(models.TextChoices):
    WORKDAY = "workday", "工作日"
    CALENDAR_DAY = "calendar_day", "自然日"


class Level(models.TextChoices):
    NATION = "nation", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "乡级"
    VILLAGE = "village", "村级"


class BusinessKind(models.TextChoices):
    NEW = "new", "新设"
    CHANGE = "change", "变更"
    RENEW = "renew", "延续"
    CANCEL = "cancel", "注销"


class ServiceObject(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人"
    BOTH = "both", "自然人、法人"


class SpecialProcedure(models.TextChoices):
    HEARING = "hearing", "听证"
    TENDER = "tender", "招标"
    AUCTION = "auction", "拍卖"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    SITE_SURVEY = "site_survey", "现场踏勘"
    # 审查中委托的中介服务 (技术审查、评估): 行政许可法第四十五条, 企业投资项目核准和备案管理条例第十条
    INTERMEDIARY = "intermediary", "中介服务"


ONLINE_DEPTH_CHOICES = [
    (1, "一级：网上咨询（信息发布）"),
    (2, "二级：网上预约/下载表格"),
    (3, "三级：网上预审"),
    (4, "四级：网上受理"),
    (5, "五级：网上办理"),
    (6, "六级：网上办结（全程网办）"),
    (7, "七级：电子证照反馈"),
]

TIERS = [("county", "县级政务服务中心"), ("town", "乡镇便民服务中心"), ("village", "村便民服务站")]

# 延期 (行政许可法第四十二条): 10 working days on the 20-day rule, 15 on the 45-day rule of joint or
# centralised handling; another law's own figure goes into ``ItemVersion.max_extension_days``.
DEFAULT_EXTENSION_DAYS = 10
JOINT_LIMIT_DAYS, JOINT_EXTENSION_DAYS = 45, 15
MAX_EXTENSION_CAP = 60  # no law the catalog carries allows more; a typo beyond it is refused


class Item(models.Model):
    """A service item as the public knows it, across its versions."""

    impl_code = models.CharField("实施编码", max_length=64, unique=True)
    department = models.ForeignKey(Department, verbose_name="实施主体", on_delete=models.PROTECT,
                                   related_name="items")
    current = models.OneToOneField("ItemVersion", verbose_name="现行版本", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Denormalised from the current version for search; rewritten on publish.
    name = models.CharField("事项名称", max_length=200, db_index=True)
    name_pinyin = models.CharField("名称全拼", max_length=800, blank=True, db_index=True)
    name_initials = models.CharField("名称拼音首字母", max_length=200, blank=True, db_index=True)
    keywords = models.CharField("俗称和关键词", max_length=200, blank=True)
    keywords_pinyin = models.CharField("俗称拼音", max_length=1200, blank=True,
                                       help_text="每个俗称的全拼和首字母，空格分隔")
    status = models.CharField("事项状态", max_length=16, default="active", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        ordering = ["impl_code"]

    def __str__(self):
        return self.name


class ItemVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "现行"
        SUPERSEDED = "superseded", "已被新版本替代"

    class Status(models.TextChoices):
        ACTIVE = "active", "在用"
        SUSPENDED = "suspended", "暂停"
        CANCELLED = "cancelled", "取消"

    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    state = models.CharField("版本状态", max_length=12, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    change_note = models.CharField("变更说明", max_length=300, blank=True)

    # identity
    name = models.CharField("事项名称", max_length=200)
    basic_code = models.CharField("基本编码", max_length=64, blank=True)
    business_code = models.CharField("业务办理项编码", max_length=80, blank=True)
    business_kind = models.CharField("业务办理项类型", max_length=8, choices=BusinessKind.choices,
                                     default=BusinessKind.NEW)
    kind = models.CharField("事项类型", max_length=16, choices=ItemKind.choices)
    status = models.CharField("事项状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    power_source = models.CharField("权力来源", max_length=32, blank=True, default="法定本级行使")
    level = models.CharField("行使层级", max_length=10, choices=Level.choices, default=Level.COUNTY)
    # subject
    subject_name = models.CharField("实施主体名称", max_length=100, blank=True)
    subject_nature = models.CharField("实施主体性质", max_length=32, blank=True, default="法定机关")
    entrusted_department = models.CharField("委托部门", max_length=100, blank=True)
    joint_agencies = models.CharField("联办机构", max_length=200, blank=True)
    # time
    legal_limit = models.PositiveIntegerField("法定办结时限", null=True, blank=True)
    legal_limit_unit = models.CharField("法定时限单位", max_length=12, choices=TimeUnit.choices,
                                        default=TimeUnit.WORKDAY)
    legal_limit_note = models.CharField("法定时限说明", max_length=300, blank=True)
    promised_limit = models.PositiveIntegerField("承诺办结时限", default=0, help_text="0 表示即办")
    promised_limit_unit = models.CharField("承诺时限单位", max_length=12, choices=TimeUnit.choices,
                                           default=TimeUnit.WORKDAY)
    promised_limit_note = models.CharField("承诺时限说明", max_length=300, blank=True)
    max_extension_days = models.PositiveSmallIntegerField(
        "延期上限（工作日）", null=True, blank=True,
        help_text="经负责人批准最多可延长的工作日数。留空按行政许可法第四十二条：法定时限为45个工作日（统一、联合、"
                  "集中办理）的事项15个工作日，其他事项10个工作日；法律、法规另有规定的填写其规定的天数，"
                  f"0 表示不得延期，最多{MAX_EXTENSION_CAP}。",
    )
    # handling
    case_type = models.CharField("办件类型", max_length=12, choices=CaseType.choices, default=CaseType.PROMISED)
    handling_form = models.CharField("办理形式", max_length=64, blank=True, default="窗口办理、网上办理")
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    onsite_reason = models.CharField("必须现场办理原因", max_length=300, blank=True)
    online_depth = models.PositiveSmallIntegerField("网办深度", choices=ONLINE_DEPTH_CHOICES, default=1)
    in_hall = models.BooleanField("是否进驻大厅", default=True)
    appointment = models.BooleanField("支持预约", default=False)
    express = models.BooleanField("支持物流快递", default=False)
    online_payment = models.BooleanField("支持网上支付", default=False)
    intermediary = models.BooleanField("涉及中介服务", default=False)
    tongban_scope = models.CharField("通办范围", max_length=32, blank=True, default="全县")
    handling_tiers = models.JSONField("受理层级", default=list, blank=True,
                                      help_text="county / town / village 的列表")
    village_intake = models.BooleanField("村便民服务站可代办", default=False)
    # legal
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    process_note = models.TextField("办理流程说明", blank=True)
    special_procedures = models.JSONField("可中止计时的特别程序", default=list, blank=True)
    result_name = models.CharField("审批结果名称", max_length=100, blank=True)
    result_type = models.CharField("审批结果类型", max_length=32, blank=True, default="证照")
    service_object = models.CharField("服务对象", max_length=8, choices=ServiceObject.choices,
                                      default=ServiceObject.BOTH)
    theme = models.CharField("主题分类", max_length=32, blank=True)
    keywords = models.CharField("俗称和关键词", max_length=200, blank=True,
                                help_text="群众常用的叫法，用顿号分隔，如「营业执照、开公司、注册公司」；检索时与事项名称一样查找")
    # public
    place = models.CharField("办理地点", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_channel = models.CharField("咨询方式", max_length=200, blank=True)
    complaint_channel = models.CharField("监督投诉方式", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项版本"
        ordering = ["item__impl_code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique"),
            models.UniqueConstraint(fields=["item"], condition=models.Q(state="draft"),
                                    name="one_draft_per_item"),
            models.CheckConstraint(condition=models.Q(online_depth__gte=1, online_depth__lte=7),
                                   name="online_depth_1_7"),
            models.CheckConstraint(condition=models.Q(max_extension_days__lte=MAX_EXTENSION_CAP),
                                   name="max_extension_days_cap"),
        ]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"

    @property
    def is_immediate(self) -> bool:
        return self.promised_limit == 0

    @property
    def extension_limit(self) -> int:
        """The most working days a case of this version may be extended (once, by the head)."""
        return extension_limit(max_extension_days=self.max_extension_days, legal_limit=self.legal_limit,
                               legal_limit_unit=self.legal_limit_unit)


def extension_limit(*, max_extension_days: int | None, legal_limit: int | None, legal_limit_unit: str) -> int:
    """行政许可法第四十二条 unless the catalog names another law's figure."""
    if max_extension_days is not None:
        return max_extension_days
    if legal_limit == JOINT_LIMIT_DAYS and legal_limit_unit == TimeUnit.WORKDAY:
        return JOINT_EXTENSION_DAYS
    return DEFAULT_EXTENSION_DAYS


class ProcessStep(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=32)
    role = models.CharField("办理角色", max_length=32, help_text="角色代码，如 window_officer、dept_head")
    days = models.PositiveSmallIntegerField("环节时限（工作日）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="step_seq_unique")]

    def __str__(self):
        return self.name


class Material(models.Model):
    class Necessity(models.TextChoices):
        REQUIRED = "required", "必要"
        OPTIONAL = "optional", "非必要"
        CONDITIONAL = "conditional", "容缺后补"

    class Form(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        BOTH = "both", "纸质、电子"

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    necessity = models.CharField("必要性", max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED)
    form = models.CharField("材料形式", max_length=12, choices=Form.choices, default=Form.BOTH)
    source = models.CharField("来源渠道", max_length=64, blank=True, default="申请人自备")
    copies = models.PositiveSmallIntegerField("份数", default=1)
    spec = models.CharField("纸质规格", max_length=32, blank=True, default="A4")
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    notes = models.CharField("填报须知", max_length=300, blank=True)
    acceptance_standard = models.CharField("受理标准", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="material_seq_unique")]

    def __str__(self):
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("收费项目", max_length=100)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    unit = models.CharField("计费单位", max_length=16, default="件")
    standard = models.CharField("收费标准", max_length=200, blank=True)
    basis = models.CharField("收费依据", max_length=300, blank=True)
    waivable = models.BooleanField("允许减免", default=False)
    waiver_basis = models.CharField("减免依据", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收费项目"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="fee_seq_unique")]

    def __str__(self):
        return self.name


# -- bundles (联办事项 / 一件事 / 主题套餐) --------------------------------------------------------------------


class BundleMode(models.TextChoices):
    NOTIFY = "notify", "抄告制（牵头部门抄告，各部门并联审查）"
    MEETING = "meeting", "联审制（召开联审会议）"


class ProjectStage(models.IntegerChoices):
    """The four stages of 工程建设项目审批 (国办发〔2019〕11号), codes as in the national data standard."""

    NONE = 0, "不属于工程建设项目阶段"
    PLANNING = 1, "立项用地规划许可"
    CONSTRUCTION_PERMIT = 2, "工程建设许可"
    BUILDING_PERMIT = 3, "施工许可"
    ACCEPTANCE = 4, "竣工验收"
    PARALLEL = 5, "并行推进"


class Bundle(models.Model):
    """The stable identity of a bundle (its code); like ``Item``, it points at the published version."""

    code = models.CharField("联办事项编码", max_length=64, unique=True)
    current = models.OneToOneField("BundleVersion", verbose_name="现行版本", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("联办事项名称", max_length=200, db_index=True)
    status = models.CharField("状态", max_length=16, default="active", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "联办事项（一件事）"
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleVersion(models.Model):
    """One version of a bundle: lead department, mode, combined limit, 超时默认/缺席默认. Edited as a draft and
    published; a joint case keeps the version it was filed under."""

    bundle = models.ForeignKey(Bundle, verbose_name="联办事项", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    state = models.CharField("版本状态", max_length=12, choices=ItemVersion.State.choices,
                             default=ItemVersion.State.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    change_note = models.CharField("变更说明", max_length=300, blank=True)
    name = models.CharField("联办事项名称", max_length=200)
    lead_department = models.ForeignKey(Department, verbose_name="牵头部门", on_delete=models.PROTECT,
                                        related_name="led_bundles")
    mode = models.CharField("联办方式", max_length=8, choices=BundleMode.choices, default=BundleMode.NOTIFY)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）",
                                                     help_text="联办件的总承诺时限，自受理之日起计算")
    deemed = models.BooleanField("适用超时默认", default=False,
                                 help_text="协办部门逾期未答复的，超期后由监察发出超时默认通知单")
    absent_deemed = models.BooleanField("适用缺席默认", default=True,
                                        help_text="受邀部门无正当理由不参加联合踏勘或联审会议的，视为同意")
    inspection_stops_clock = models.BooleanField("联合踏勘期间暂停计时", default=False,
                                                 help_text="踏勘按特别程序办理，期间不计入办理时限")
    max_inspection_rounds = models.PositiveSmallIntegerField("联合踏勘最多轮次", default=2)
    project_stage = models.PositiveSmallIntegerField("工程建设项目审批阶段", choices=ProjectStage.choices,
                                                     default=ProjectStage.NONE)
    description = models.TextField("说明（办事指南）", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联办事项版本"
        ordering = ["bundle", "-version"]
        constraints = [models.UniqueConstraint(fields=["bundle", "version"], name="bundle_version_unique"),
                       models.UniqueConstraint(fields=["bundle"], condition=models.Q(state="draft"),
                                               name="one_draft_per_bundle")]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class BundleMember(models.Model):
    """A member item of a bundle version, with its department's share of the combined limit."""

    version = models.ForeignKey(BundleVersion, on_delete=models.CASCADE, related_name="members")
    seq = models.PositiveSmallIntegerField("序号")
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="bundle_members")
    promised_days = models.PositiveSmallIntegerField(
        "本部门时限（工作日）", null=True, blank=True,
        help_text="空则取事项承诺时限与联办总时限中较短者")

    class Meta:
        verbose_name = verbose_name_plural = "联办成员事项"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="bundle_member_seq_unique"),
                       models.UniqueConstraint(fields=["version", "item"], name="bundle_member_item_unique")]

    def __str__(self):
        return self.item.name
