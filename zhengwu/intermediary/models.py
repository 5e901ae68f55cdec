"""The intermediary-services marketplace (网上中介服务超市).

- ``Service`` (中介服务事项清单): the intermediary services the law attaches to approvals, each linked to
  the catalog items that need it (``ServiceLink``: a 受理条件 brought before 受理, or commissioned during
  review as a 特别程序). An item may list no service that is not on the list (优化营商环境条例第四十三条).
- ``Agency`` (中介机构): entry any time after review (licence, ``Certificate`` with expiry, practising
  ``Practitioner``, a signed 承诺书); ``Offering`` is what it offers per service at which price, suspended
  by itself when the qualification for that service expires; credit (``CreditRecord``) per month.
- ``Purchase`` (采购公告): an ``Owner`` (person, enterprise or government unit) buys one service; agencies
  sign up (``Signup``); the selection (直接/随机/竞价/择优) picks one by published rules; random draws are
  committed (hash of the seed published) before sign-up closes and revealed at selection; then the
  agency confirms, the contract is registered, the result delivered and rated (``Rating``).

The references are ../shared/domain/TRADING-INTERMEDIARY.md §3 and GB/T 39683-2020 (grades A–E).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhengwu.catalog.models import Item
from zhengwu.org.models import Department, Region

MONEY = {"max_digits": 14, "decimal_places": 2}


# -- policy ----------------------------------------------------------------------------------------------------


class Policy(models.Model):
    """The marketplace's settings for a region (policy as data; defaults per TRADING-INTERMEDIARY.md §3.2–3.4,
    each a local choice the administrator may change)."""

    region = models.OneToOneField(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    must_use_state_funds = models.BooleanField(
        "财政性资金须进超市选取", default=True,
        help_text="使用财政性资金、在清单内、集中采购目录以外且低于采购限额的中介服务，须通过本超市选取（广东省优化营商环境条例第四十三条）")
    procurement_threshold = models.DecimalField(
        "政府采购限额标准（元）", default=Decimal("1000000"), **MONEY,
        help_text="财政性资金达到此数额的，应依法进行政府采购，不在本超市选取")
    min_participants_state = models.PositiveSmallIntegerField("财政性资金项目最少报名数", default=3,
                                                              validators=[MinValueValidator(1)])
    min_participants_private = models.PositiveSmallIntegerField("自有资金项目最少报名数", default=1,
                                                                validators=[MinValueValidator(1)])
    min_participants_merit = models.PositiveSmallIntegerField("择优选取最少报名数", default=2,
                                                              validators=[MinValueValidator(1)])
    signup_min_workdays = models.PositiveSmallIntegerField("报名期最短工作日", default=3,
                                                           validators=[MinValueValidator(1)])
    average_factor_min = models.DecimalField("合理均价随机系数下限", max_digits=4, decimal_places=3,
                                             default=Decimal("0.950"))
    average_factor_max = models.DecimalField("合理均价随机系数上限", max_digits=4, decimal_places=3,
                                             default=Decimal("0.980"))
    review_workdays = models.PositiveSmallIntegerField("入驻审核时限（工作日）", default=5)
    confirm_workdays = models.PositiveSmallIntegerField("中选机构确认时限（工作日）", default=2)
    contract_workdays = models.PositiveSmallIntegerField("合同登记时限（工作日）", default=5)
    rating_workdays = models.PositiveSmallIntegerField("服务评价时限（工作日）", default=10)
    appeal_workdays = models.PositiveSmallIntegerField("信用申诉处理时限（工作日）", default=15)
    weight_owner = models.PositiveSmallIntegerField("信用权重：项目业主评价", default=5)
    weight_department = models.PositiveSmallIntegerField("信用权重：行业主管部门", default=3)
    weight_market = models.PositiveSmallIntegerField("信用权重：超市管理机构", default=2)
    grade_bands = models.JSONField(
        "信用等级分数线", default=dict,
        help_text='如 {"A": 90, "B": 80, "C": 70, "D": 60}，低于最低一档为 E（GB/T 39683-2020 分五级，A 最高）')
    grade_suspend = models.CharField("暂停选取的信用等级", max_length=1, default="D")
    grade_delist = models.CharField("清退的信用等级", max_length=1, default="E")
    rating_months = models.PositiveSmallIntegerField("信用评价取最近月数", default=12,
                                                     validators=[MinValueValidator(1), MaxValueValidator(60)])

    class Meta:
        verbose_name = verbose_name_plural = "中介超市规则设置"

    def __str__(self):
        return f"{self.region} 中介超市规则"


DEFAULT_GRADE_BANDS = {"A": 90, "B": 80, "C": 70, "D": 60}


# -- the service list ------------------------------------------------------------------------------------------


class Qualification(models.Model):
    """A kind of qualification (资质类别) an agency holds and a service requires."""

    code = models.CharField("资质代码", max_length=32, unique=True)
    name = models.CharField("资质名称", max_length=100)
    issuer = models.CharField("发证机关", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "资质类别"
        ordering = ["code"]

    def __str__(self):
        return self.name


class FeeMode(models.TextChoices):
    STANDARD = "standard", "政府定价/指导价"
    MARKET = "market", "市场调节价"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    CANCELLED = "cancelled", "已取消"


class Service(models.Model):
    """中介服务事项: one entry of the 法定行政审批中介服务事项清单."""

    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("中介服务事项名称", max_length=100)
    category = models.CharField("服务类别", max_length=32, blank=True, help_text="评估、检测、测绘、设计、审图……")
    basis = models.TextField("设定依据")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="实施（行业主管）部门", on_delete=models.PROTECT,
                                   related_name="intermediary_services")
    qualifications = models.ManyToManyField(Qualification, verbose_name="资质要求（具备其一）", blank=True,
                                            related_name="services")
    time_limit = models.PositiveSmallIntegerField("服务时限（工作日）", validators=[MinValueValidator(1)])
    time_limit_note = models.CharField("时限说明", max_length=200, blank=True)
    fee_mode = models.CharField("收费方式", max_length=12, choices=FeeMode.choices, default=FeeMode.MARKET)
    fee_standard = models.CharField("收费标准", max_length=300, blank=True)
    conditions = models.TextField("申报条件", blank=True)
    process = models.TextField("工作流程", blank=True)
    status = models.CharField("状态", max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    items = models.ManyToManyField(Item, through="ServiceLink", verbose_name="关联审批事项",
                                   related_name="intermediary_services")

    class Meta:
        verbose_name = verbose_name_plural = "中介服务事项"
        ordering = ["code"]

    def __str__(self):
        return self.name


class LinkStage(models.TextChoices):
    PRECONDITION = "precondition", "受理条件（申请人受理前自行委托）"
    REVIEW = "review", "审查中委托（特别程序，不计入审批时限）"


class ServiceLink(models.Model):
    """An approval item that requires a service, with the legal basis of that requirement."""

    service = models.ForeignKey(Service, verbose_name="中介服务事项", on_delete=models.CASCADE, related_name="links")
    item = models.ForeignKey(Item, verbose_name="审批事项", on_delete=models.CASCADE,
                             related_name="intermediary_links")
    basis = models.CharField("要求依据", max_length=300)
    stage = models.CharField("环节", max_length=16, choices=LinkStage.choices, default=LinkStage.PRECONDITION)
    review_limit = models.PositiveSmallIntegerField(
        "特别程序时限（工作日）", null=True, blank=True,
        help_text="审查中委托的，中介服务期间中止审批计时，最长的工作日数（如企业投资项目核准和备案管理条例第九条：30个工作日）")

    class Meta:
        verbose_name = verbose_name_plural = "审批事项所需中介服务"
        ordering = ["item__impl_code", "service__code"]
        constraints = [models.UniqueConstraint(fields=["service", "item"], name="intermediary_link_unique")]

    def __str__(self):
        return f"{self.item} ← {self.service}"


# -- agencies --------------------------------------------------------------------------------------------------


class AgencyKind(models.TextChoices):
    LEGAL = "legal", "法人"
    UNINCORPORATED = "unincorporated", "非法人组织"
    INDIVIDUAL = "individual", "个体工商户"


class AgencyStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    PENDING = "pending", "待审核"
    RETURNED = "returned", "退回修改"
    ACTIVE = "active", "已入驻"
    SUSPENDED = "suspended", "暂停选取"
    DELISTED = "delisted", "已清退"


class Agency(models.Model):
    """中介机构: one row per 统一社会信用代码; open to agencies from anywhere (一地入驻、全省通行)."""

    name = models.CharField("机构名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("主体类型", max_length=16, choices=AgencyKind.choices, default=AgencyKind.LEGAL)
    home_region = models.CharField("注册地", max_length=100, blank=True, help_text="外地机构可入驻")
    legal_rep = models.CharField("法定代表人", max_length=32)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("业务授权人", max_length=32)
    contact_id_number = models.CharField("授权人身份证号", max_length=18, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20)
    intro = models.TextField("机构简介", blank=True)
    licence = models.FileField("营业执照（或登记证书）", upload_to="intermediary/licence/%Y/", max_length=200,
                               blank=True)
    pledge = models.FileField("承诺书（签字盖章）", upload_to="intermediary/pledge/%Y/", max_length=200,
                              blank=True)
    pledge_signed_at = models.DateTimeField("承诺书签署时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=AgencyStatus.choices, default=AgencyStatus.DRAFT,
                              db_index=True)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey("org.Staff", verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    region = models.ForeignKey(Region, verbose_name="入驻超市区划", on_delete=models.PROTECT, related_name="+")
    # the current credit, rewritten by the monthly recalculation
    credit_score = models.DecimalField("信用分", max_digits=5, decimal_places=2, null=True, blank=True)
    credit_grade = models.CharField("信用等级", max_length=1, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="经办人账号", blank=True,
                                     related_name="intermediary_agencies")

    class Meta:
        verbose_name = verbose_name_plural = "中介机构"
        ordering = ["id"]

    def __str__(self):
        return self.name


class AgencyChange(models.Model):
    """A change of an admitted agency's registration, applied only after review (变更重新审核)."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "不予通过"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="changes")
    data = models.JSONField("变更内容", default=dict)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构信息变更"
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["agency"], condition=models.Q(state="pending"),
                                               name="intermediary_one_pending_change")]

    def __str__(self):
        return f"{self.agency} 变更（{self.get_state_display()}）"


class Certificate(models.Model):
    """资质证书 with its expiry: an expired one suspends the agency's offerings that need it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="certificates")
    qualification = models.ForeignKey(Qualification, verbose_name="资质类别", on_delete=models.PROTECT,
                                      related_name="certificates")
    number = models.CharField("证书编号", max_length=64)
    level = models.CharField("资质等级", max_length=32, blank=True)
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    valid_until = models.DateField("有效期至")
    file = models.FileField("证书扫描件", upload_to="intermediary/certificates/%Y/", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "资质证书"
        ordering = ["agency_id", "qualification_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "qualification", "number"],
                                               name="intermediary_certificate_unique")]

    def __str__(self):
        return f"{self.qualification} {self.number}"


class Practitioner(models.Model):
    """执业/职业人员."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="practitioners")
    name = models.CharField("姓名", max_length=32)
    id_number = models.CharField("身份证号", max_length=18)
    title = models.CharField("执业资格/职称", max_length=64)
    certificate_no = models.CharField("执业证书编号", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执业人员"
        ordering = ["agency_id", "id"]
        constraints = [models.UniqueConstraint(fields=["agency", "id_number"], name="intermediary_practitioner_unique")]

    def __str__(self):
        return self.name


class OfferingStatus(models.TextChoices):
    ACTIVE = "active", "可承接"
    SUSPENDED = "suspended", "暂停（资质过期）"
    WITHDRAWN = "withdrawn", "已退出"


class Offering(models.Model):
    """What an agency offers for one service, at which price range (公示收费)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="offerings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="offerings")
    price_min = models.DecimalField("收费下限（元）", null=True, blank=True, **MONEY)
    price_max = models.DecimalField("收费上限（元）", null=True, blank=True, **MONEY)
    price_note = models.CharField("收费说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=OfferingStatus.choices, default=OfferingStatus.ACTIVE)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务承接范围"
        ordering = ["agency_id", "service__code"]
        constraints = [models.UniqueConstraint(fields=["agency", "service"], name="intermediary_offering_unique")]

    def __str__(self):
        return f"{self.agency} · {self.service}"


# -- owners and purchases --------------------------------------------------------------------------------------


class OwnerKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "企业"
    GOVERNMENT = "government", "机关事业单位"


class Owner(models.Model):
    """项目业主: whoever buys a service (a person, an enterprise, or a government unit paying itself)."""

    kind = models.CharField("业主类型", max_length=12, choices=OwnerKind.choices)
    name = models.CharField("业主名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    contact_name = models.CharField("联系人", max_length=32)
    contact_phone = models.CharField("联系电话", max_length=20)
    department = models.ForeignKey(Department, verbose_name="所属部门（机关事业单位）", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="经办人账号", blank=True,
                                     related_name="intermediary_owners")

    class Meta:
        verbose_name = verbose_name_plural = "项目业主"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="intermediary_owner_uscc"),
            models.UniqueConstraint(fields=["id_number"], condition=~models.Q(id_number=""),
                                    name="intermediary_owner_id_number"),
        ]

    def __str__(self):
        return self.name


class Funding(models.TextChoices):
    STATE = "state", "财政性资金"
    PRIVATE = "private", "自有资金"


class PriceMode(models.TextChoices):
    FIXED = "fixed", "固定价格"
    RANGE = "range", "价格区间（最高限价、最低限价）"
    DISCOUNT = "discount", "下浮率"


class Mode(models.TextChoices):
    DIRECT = "direct", "直接选取"
    RANDOM = "random", "随机选取（摇号）"
    BIDDING = "bidding", "竞价选取"
    MERIT = "merit", "择优选取"


class BiddingRule(models.TextChoices):
    LOWEST = "lowest", "最低价"
    AVERAGE = "average", "合理均价（去掉最高、最低报价，平均价乘随机系数，最接近者中选）"


class MeritRule(models.TextChoices):
    CREDIT = "credit", "信用择优（按信用分入围，随机抽取短名单，业主选定）"
    PROPOSAL = "proposal", "方案择优（业主比较服务方案）"


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", "待发布"
    SIGNUP = "signup", "报名中"
    SELECTING = "selecting", "待选取"
    SHORTLISTED = "shortlisted", "待业主选定"
    SELECTED = "selected", "待机构确认"
    CONFIRMED = "confirmed", "待登记合同"
    IN_SERVICE = "in_service", "服务中"
    DELIVERED = "delivered", "待评价"
    COMPLETED = "completed", "已完成"
    FAILED = "failed", "流标"
    CANCELLED = "cancelled", "已取消"
    TERMINATED = "terminated", "服务中止"


OPEN_PURCHASE = (PurchaseStatus.SIGNUP, PurchaseStatus.SELECTING, PurchaseStatus.SHORTLISTED,
                 PurchaseStatus.SELECTED, PurchaseStatus.CONFIRMED, PurchaseStatus.IN_SERVICE,
                 PurchaseStatus.DELIVERED)


class PurchaseCounter(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="intermediary_counter_region_year")]

    def __str__(self):
        return f"{self.region_id}/{self.year}"


class Purchase(models.Model):
    """采购公告: one purchase of one service by one owner, from publication to the rating."""

    code = models.CharField("项目编号", max_length=32, unique=True)
    title = models.CharField("项目名称", max_length=200)
    owner = models.ForeignKey(Owner, verbose_name="项目业主", on_delete=models.PROTECT, related_name="purchases")
    service = models.ForeignKey(Service, verbose_name="中介服务事项", on_delete=models.PROTECT,
                                related_name="purchases")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    content = models.TextField("服务内容")
    qualification = models.ForeignKey(Qualification, verbose_name="资质要求", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    service_days = models.PositiveSmallIntegerField("服务时限（工作日）", validators=[MinValueValidator(1)])
    funding = models.CharField("资金来源", max_length=12, choices=Funding.choices, default=Funding.PRIVATE)
    for_approval = models.BooleanField("用于申请人的行政审批", default=True,
                                       help_text="为办理行政审批事项委托的中介服务；机关不得为申请人指定中介机构")
    item = models.ForeignKey(Item, verbose_name="关联审批事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="关联办件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="intermediary_purchases")
    price_mode = models.CharField("报价方式", max_length=12, choices=PriceMode.choices, default=PriceMode.RANGE)
    price_fixed = models.DecimalField("固定价格（元）", null=True, blank=True, **MONEY)
    price_max = models.DecimalField("最高限价（元）", null=True, blank=True, **MONEY)
    price_min = models.DecimalField("最低限价（元）", null=True, blank=True, **MONEY)
    base_amount = models.DecimalField("下浮基数（元）", null=True, blank=True, **MONEY)
    discount_max = models.DecimalField("最大下浮率（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    mode = models.CharField("选取方式", max_length=12, choices=Mode.choices)
    bidding_rule = models.CharField("竞价规则", max_length=12, choices=BiddingRule.choices, blank=True)
    merit_rule = models.CharField("择优规则", max_length=12, choices=MeritRule.choices, blank=True)
    long_list = models.PositiveSmallIntegerField("入围名单数（信用择优）", null=True, blank=True)
    short_list = models.PositiveSmallIntegerField("短名单数（信用择优）", null=True, blank=True)
    min_participants = models.PositiveSmallIntegerField("最少报名数", validators=[MinValueValidator(1)])
    signup_deadline = models.DateTimeField("报名截止时间")
    select_at = models.DateTimeField("选取时间")
    contact_name = models.CharField("联系人", max_length=32)
    contact_phone = models.CharField("联系电话", max_length=20)
    status = models.CharField("状态", max_length=12, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT,
                              db_index=True)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # the verifiable draw: the seed's SHA-256 is published with the notice, the seed at the selection
    seed_hash = models.CharField("随机种子承诺值（SHA-256）", max_length=64, blank=True)
    seed = models.CharField("随机种子（选取时公布）", max_length=64, blank=True)
    seed_sealed = models.BinaryField("随机种子（选取前加密保存）", null=True, blank=True, editable=False)
    draw = models.JSONField("选取过程（公开）", default=dict, blank=True)
    selected = models.ForeignKey("Signup", verbose_name="中选报名", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    selected_at = models.DateTimeField("选取时间（实际）", null=True, blank=True)
    confirmed_at = models.DateTimeField("机构确认时间", null=True, blank=True)
    delivered_at = models.DateTimeField("提交服务成果时间", null=True, blank=True)
    result_file = models.FileField("服务成果", upload_to="intermediary/results/%Y/", max_length=200, blank=True)
    result_note = models.CharField("成果说明", max_length=300, blank=True)
    previous = models.OneToOneField("self", verbose_name="原采购公告（重新采购）", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="republished")
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "采购公告"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "signup_deadline"], name="intermediary_purchase_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(select_at__gte=models.F("signup_deadline")),
                                   name="intermediary_select_after_deadline"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class SignupStatus(models.TextChoices):
    VALID = "valid", "有效"
    WITHDRAWN = "withdrawn", "已撤回"
    LONG_LISTED = "long_listed", "入围"
    SHORT_LISTED = "short_listed", "入选短名单"
    SELECTED = "selected", "中选"
    NOT_SELECTED = "not_selected", "未中选"
    DECLINED = "declined", "中选后放弃"


class Signup(models.Model):
    """An agency's sign-up (报名) with its quote (an amount, or a 下浮率) and, for 方案择优, its proposal."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="signups")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signups")
    at = models.DateTimeField("报名时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    quote = models.DecimalField("报价（元）", null=True, blank=True, **MONEY)
    discount = models.DecimalField("下浮率（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    proposal = models.FileField("服务方案", upload_to="intermediary/proposals/%Y/", max_length=200, blank=True)
    credit_score = models.DecimalField("报名时信用分", max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField("状态", max_length=14, choices=SignupStatus.choices, default=SignupStatus.VALID)
    rank = models.PositiveSmallIntegerField("排序", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报名"
        ordering = ["purchase_id", "agency__uscc"]
        constraints = [models.UniqueConstraint(fields=["purchase", "agency"], name="intermediary_signup_once")]

    def __str__(self):
        return f"{self.purchase.code} · {self.agency}"


class Contract(models.Model):
    """The registered contract (合同登记): amount and service period; the service clock's due."""

    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="contract")
    amount = models.DecimalField("合同金额（元）", **MONEY)
    signed_on = models.DateField("签订日期")
    service_start = models.DateField("服务开始日期")
    service_end = models.DateField("服务结束日期（成果提交期限）")
    file = models.FileField("合同文本", upload_to="intermediary/contracts/%Y/", max_length=200, blank=True)
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "中介服务合同"

    def __str__(self):
        return f"{self.purchase.code} 合同"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待业主同意"
    APPROVED = "approved", "业主已同意"
    REFUSED = "refused", "业主不同意"


class Extension(models.Model):
    """延期服务结束时间: asked by the agency, valid with the owner's consent."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日", validators=[MinValueValidator(1)])
    reason = models.CharField("理由", max_length=300)
    state = models.CharField("状态", max_length=12, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    asked_at = models.DateTimeField("申请时间")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    new_end = models.DateField("延期后服务结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务延期"
        ordering = ["asked_at"]
        constraints = [models.UniqueConstraint(fields=["purchase"], condition=models.Q(state="pending"),
                                               name="intermediary_one_pending_extension")]

    def __str__(self):
        return f"{self.purchase.code} 延期{self.days}个工作日"


class Rating(models.Model):
    """The owner's 服务评价, 1–5 on each of the four counts; feeds the agency's credit."""

    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="rating")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="ratings")
    quality = models.PositiveSmallIntegerField("服务质量", validators=[MinValueValidator(1), MaxValueValidator(5)])
    timeliness = models.PositiveSmallIntegerField("服务时效", validators=[MinValueValidator(1), MaxValueValidator(5)])
    price = models.PositiveSmallIntegerField("收费规范", validators=[MinValueValidator(1), MaxValueValidator(5)])
    attitude = models.PositiveSmallIntegerField("服务态度", validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField("评价意见", max_length=500, blank=True)
    late = models.BooleanField("逾期交付", default=False)
    at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = verbose_name_plural = "服务评价"
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quality__gte=1, quality__lte=5, timeliness__gte=1,
                                                      timeliness__lte=5, price__gte=1, price__lte=5,
                                                      attitude__gte=1, attitude__lte=5),
                                   name="intermediary_rating_1_5"),
        ]

    def __str__(self):
        return f"{self.purchase.code} 评价"

    @property
    def score(self) -> Decimal:
        """The rating on 100: the mean of the four counts × 20."""
        return Decimal(self.quality + self.timeliness + self.price + self.attitude) * 5


# -- credit ----------------------------------------------------------------------------------------------------


class CreditSource(models.TextChoices):
    OWNER = "owner", "项目业主"
    DEPARTMENT = "department", "行业主管部门"
    MARKET = "market", "超市管理机构"


class CreditRule(models.Model):
    """A bad behaviour and what it costs (扣分), or a veto (否决项: the grade is the lowest that month)."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("失信行为", max_length=100)
    source = models.CharField("认定方", max_length=12, choices=CreditSource.choices)
    points = models.DecimalField("扣分", max_digits=5, decimal_places=2, default=Decimal("0"))
    veto = models.BooleanField("否决项", default=False)
    months = models.PositiveSmallIntegerField("影响月数", default=12, validators=[MinValueValidator(1)])
    automatic = models.BooleanField("系统自动认定", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "信用扣分规则"
        ordering = ["code"]

    def __str__(self):
        return self.name


class CreditEvent(models.Model):
    """One recorded bad behaviour of an agency (失信记录); revoked on a successful appeal."""

    class State(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已撤销（申诉成立）"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="credit_events")
    rule = models.ForeignKey(CreditRule, on_delete=models.PROTECT, related_name="+")
    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("认定日期")
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.VALID)

    class Meta:
        verbose_name = verbose_name_plural = "失信记录"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.agency} {self.rule}"


class DepartmentScore(models.Model):
    """The supervising department's (行业主管部门) evaluation of an agency for a month, on 100."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="department_scores")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份（当月1日）")
    score = models.DecimalField("评分", max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "行业主管部门评价"
        constraints = [models.UniqueConstraint(fields=["agency", "department", "month"],
                                               name="intermediary_dept_score_month")]

    def __str__(self):
        return f"{self.agency} {self.month:%Y-%m}"


class MarketScore(models.Model):
    """The marketplace's (超市管理机构) evaluation of an agency for a month, on 100."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="market_scores")
    month = models.DateField("月份（当月1日）")
    score = models.DecimalField("评分", max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "超市管理机构评价"
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="intermediary_market_score_month")]

    def __str__(self):
        return f"{self.agency} {self.month:%Y-%m}"


class CreditRecord(models.Model):
    """One agency's credit for one month, with the explanation shown to it and the public."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="credit_records")
    month = models.DateField("月份（当月1日）")
    owner_score = models.DecimalField("业主评价得分", max_digits=5, decimal_places=2, null=True, blank=True)
    department_score = models.DecimalField("主管部门得分", max_digits=5, decimal_places=2, null=True, blank=True)
    market_score = models.DecimalField("超市管理机构得分", max_digits=5, decimal_places=2, null=True, blank=True)
    weighted = models.DecimalField("加权得分", max_digits=5, decimal_places=2)
    deductions = models.DecimalField("扣分", max_digits=5, decimal_places=2, default=Decimal("0"))
    vetoed = models.BooleanField("触发否决项", default=False)
    score = models.DecimalField("信用分", max_digits=5, decimal_places=2)
    grade = models.CharField("信用等级", max_length=1)
    explanation = models.JSONField("计算说明", default=list)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度信用评价"
        ordering = ["-month", "agency_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="intermediary_credit_month")]

    def __str__(self):
        return f"{self.agency} {self.month:%Y-%m} {self.grade}"


class Appeal(models.Model):
    """信用异议申诉 (against a record) or 信用修复 (after putting it right), decided by the administrator."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", "异议申诉"
        REPAIR = "repair", "信用修复"

    class State(models.TextChoices):
        PENDING = "pending", "待处理"
        UPHELD = "upheld", "成立"
        DISMISSED = "dismissed", "不成立"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="appeals")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    event = models.ForeignKey(CreditEvent, verbose_name="所涉失信记录", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField("理由")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    filed_at = models.DateTimeField("提出时间")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用申诉与修复"
        ordering = ["-filed_at"]

    def __str__(self):
        return f"{self.agency} {self.get_kind_display()}"


# -- the step log ----------------------------------------------------------------------------------------------


class Event(models.Model):
    """The immutable log of every step (who, when, what), for the public record and the supervisor."""

    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=32)
    label = models.CharField("操作名称", max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField("时间", db_index=True)
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "中介超市操作记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.label} {self.at:%Y-%m-%d %H:%M}"
