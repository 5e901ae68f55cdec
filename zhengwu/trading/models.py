"""Public resource trading (公共资源交易): engineering tendering (招标投标法 and its 实施条例) and government
procurement (政府采购法 and its 实施条例), run by the county's 公共资源交易中心.

A ``Project`` (交易项目) is one contracting process (one OCDS ``ocid``). It runs in ``Tender`` rounds: a
流标/废标 ends a round and a re-tender (重新招标) opens the next round of the same project. Each stage
is a keyword-only service in ``services/`` that enforces the law's period or amount (the refusal names the
article), writes an immutable ``TradingEvent`` and emits the OCDS release (``ocds/``).

Sealed bids live in ``BidSlot`` rows created at publication (a fixed number per round, every slot full of
random bytes): a bid overwrites a free slot, so neither the rows nor their sizes tell how many bids there
are; the owner and the free marker are HMACs under the server's key. See ``services/bids.py``.

The references are ../shared/domain/TRADING-INTERMEDIARY.md §1–§2 (T1–T15 engineering, G1–G13
procurement) and ../shared/standards/ocds/.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhengwu.org.models import Department, Hall, Region

MONEY = {"max_digits": 16, "decimal_places": 2}


class Regime(models.TextChoices):
    """Which law governs the round's periods (采购条例第7条: works by tendering follow 招标投标法)."""

    ENGINEERING = "engineering", "工程建设招标投标"
    PROCUREMENT = "procurement", "政府采购"


class Category(models.TextChoices):
    WORKS = "works", "工程"
    GOODS = "goods", "货物"
    SERVICES = "services", "服务"


class Method(models.TextChoices):
    OPEN = "open", "公开招标"
    INVITED = "invited", "邀请招标"
    NEGOTIATION = "negotiation", "竞争性谈判"
    INQUIRY = "inquiry", "询价"
    CONSULTATION = "consultation", "竞争性磋商"
    SINGLE = "single", "单一来源"


# Methods whose committee (谈判/询价/磋商小组) may be 3 (采购法第38、40条); the others need ≥ 5.
SMALL_PANEL_METHODS = (Method.NEGOTIATION, Method.INQUIRY, Method.CONSULTATION, Method.SINGLE)


class PartyKind(models.TextChoices):
    BUYER = "buyer", "招标人/采购人"
    AGENCY = "agency", "招标代理机构"
    BIDDER = "bidder", "投标人/供应商"


class Party(models.Model):
    """A market entity: 招标人/采购人, 代理机构 or 投标人/供应商. One row per 统一社会信用代码; the users
    in ``members`` act for it (an agency's staff, a bidder's 授权代表)."""

    name = models.CharField("单位名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    is_buyer = models.BooleanField("招标人/采购人", default=False)
    is_agency = models.BooleanField("代理机构", default=False)
    is_bidder = models.BooleanField("投标人/供应商", default=False)
    legal_rep = models.CharField("法定代表人", max_length=32, blank=True)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    basic_account = models.CharField("基本账户", max_length=40, blank=True,
                                     help_text="投标保证金须从基本账户转出（招标投标法实施条例第二十六条）")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="经办人账号", blank=True,
                                     related_name="trading_parties")

    class Meta:
        verbose_name = verbose_name_plural = "交易主体"
        ordering = ["id"]

    def __str__(self):
        return self.name


class Policy(models.Model):
    """The trading centre's settings an administrator may change (one row per region; defaults below):
    the thresholds of 必须招标 and 公开招标, the slots per round, the opening window, the media."""

    region = models.OneToOneField(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    must_tender_works = models.DecimalField("必须招标：施工单项合同估算价（元）", default=Decimal("4000000"), **MONEY)
    must_tender_goods = models.DecimalField("必须招标：重要设备材料（元）", default=Decimal("2000000"), **MONEY)
    must_tender_services = models.DecimalField("必须招标：勘察设计监理等服务（元）", default=Decimal("1000000"), **MONEY)
    open_tender_goods_services = models.DecimalField("政府采购公开招标数额标准：货物和服务（元）",
                                                     default=Decimal("4000000"), **MONEY)
    open_tender_works = models.DecimalField("政府采购公开招标数额标准：工程（元）", default=Decimal("4000000"), **MONEY)
    bid_slots = models.PositiveSmallIntegerField("每轮密封投标位数", default=40,
                                                 validators=[MinValueValidator(5), MaxValueValidator(500)])
    opening_window_minutes = models.PositiveSmallIntegerField("开标解密时限（分钟）", default=60,
                                                              validators=[MinValueValidator(10)])
    media = models.CharField("指定发布媒介", max_length=200,
                             default="中国招标投标公共服务平台；本级公共资源交易平台")
    procurement_media = models.CharField("政府采购信息指定发布媒介", max_length=200,
                                         default="中国政府采购网；本级公共资源交易平台")

    class Meta:
        verbose_name = verbose_name_plural = "交易规则设置"

    def __str__(self):
        return f"{self.region} 交易规则"


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", "计划中"
    ACTIVE = "active", "交易中"
    CONTRACTED = "contracted", "已签合同"
    COMPLETED = "completed", "已验收"
    CANCELLED = "cancelled", "已终止"


class ProjectCounter(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="trading_counter_region_year")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Project(models.Model):
    """交易项目: one contracting process, one ``ocid``."""

    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey(Hall, verbose_name="交易中心", on_delete=models.PROTECT, related_name="+")
    regime = models.CharField("适用规则", max_length=12, choices=Regime.choices)
    category = models.CharField("采购类别", max_length=8, choices=Category.choices)
    buyer = models.ForeignKey(Party, verbose_name="招标人/采购人", on_delete=models.PROTECT,
                              related_name="buyer_projects")
    agency = models.ForeignKey(Party, verbose_name="招标代理机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="agency_projects")
    supervisor = models.ForeignKey(Department, verbose_name="行政监督部门", on_delete=models.PROTECT,
                                   related_name="+")
    funding = models.CharField("资金来源", max_length=100, default="财政资金")
    state_fund_percent = models.PositiveSmallIntegerField("国有资金占比（%）", default=100,
                                                          validators=[MaxValueValidator(100)])
    estimate = models.DecimalField("估算价/预算金额（元）", **MONEY)
    description = models.TextField("项目概况", max_length=4000, blank=True)
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNING, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "交易项目"
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(estimate__gt=0), name="trading_project_estimate_positive")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def state_controlled(self) -> bool:
        """国有资金占控股或者主导地位 (招标投标法实施条例第五十五条), taken as more than half."""
        return self.state_fund_percent > 50


class TenderStatus(models.TextChoices):
    DRAFT = "draft", "待发布"
    PREQUAL = "prequal", "资格预审中"
    PUBLISHED = "published", "招标中"
    OPENING = "opening", "开标中"
    EVALUATING = "evaluating", "评标中"
    PUBLICITY = "publicity", "中标候选人公示"
    AWARDED = "awarded", "已定标"
    CONTRACTED = "contracted", "已签合同"
    COMPLETED = "completed", "已验收"
    FAILED = "failed", "流标/废标"
    CANCELLED = "cancelled", "已终止"


class DepositForm(models.TextChoices):
    NONE = "none", "不收取"
    CASH = "cash", "现金/转账"
    GUARANTEE = "guarantee", "银行保函/保险/担保（非现金）"


class Tender(models.Model):
    """One round (第N次招标) of a project's procedure, from notice to contract."""

    project = models.ForeignKey(Project, verbose_name="交易项目", on_delete=models.CASCADE, related_name="tenders")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    method = models.CharField("采购/招标方式", max_length=14, choices=Method.choices)
    status = models.CharField("状态", max_length=12, choices=TenderStatus.choices, default=TenderStatus.DRAFT,
                              db_index=True)
    title = models.CharField("公告标题", max_length=200)
    notice = models.TextField("公告正文", max_length=20000, blank=True)
    prequalification = models.BooleanField("资格预审", default=False)
    # 资格预审 (招标投标法实施条例第十五至十九条): the 资格预审文件 on sale from/until, the applications' deadline,
    # and when the result was fixed (those who passed are then the round's ``invitees``).
    prequal_from = models.DateTimeField("资格预审文件发售开始", null=True, blank=True)
    prequal_until = models.DateTimeField("资格预审文件发售截止", null=True, blank=True)
    prequal_deadline = models.DateTimeField("资格预审申请文件提交截止", null=True, blank=True)
    prequal_result_at = models.DateTimeField("资格预审结果确定时间", null=True, blank=True)
    documents_from = models.DateTimeField("招标文件发出/发售开始", null=True, blank=True)
    documents_until = models.DateTimeField("招标文件发售截止", null=True, blank=True)
    bid_deadline = models.DateTimeField("投标截止（开标）时间", null=True, blank=True)
    opening_place = models.CharField("开标地点", max_length=200, blank=True)
    bid_validity_days = models.PositiveSmallIntegerField("投标有效期（日）", default=90)
    bid_deposit = models.DecimalField("投标保证金（元）", default=Decimal("0"), **MONEY)
    deposit_form = models.CharField("保证金形式", max_length=10, choices=DepositForm.choices,
                                    default=DepositForm.NONE)
    max_price = models.DecimalField("最高投标限价（元）", null=True, blank=True, **MONEY)
    award_criteria = models.CharField("评标办法", max_length=20, default="综合评估法")
    invitees = models.ManyToManyField(Party, verbose_name="受邀投标人", blank=True, related_name="invitations")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    paused = models.BooleanField("因异议/质疑暂停", default=False)
    opened_at = models.DateTimeField("开标时间", null=True, blank=True)
    decrypt_until = models.DateTimeField("解密截止", null=True, blank=True)
    report_at = models.DateTimeField("评标报告提交时间", null=True, blank=True)
    candidates_published_on = models.DateField("候选人公示开始", null=True, blank=True)
    publicity_ends_on = models.DateField("候选人公示截止", null=True, blank=True)
    awarded_at = models.DateTimeField("定标时间", null=True, blank=True)
    notice_issued_on = models.DateField("中标通知书发出日", null=True, blank=True)
    result_notice_on = models.DateField("中标（成交）结果公告日", null=True, blank=True)
    failure_reason = models.CharField("流标/废标/终止原因", max_length=500, blank=True)
    # A round's secret for the slot tags; never shown, only used under HMAC with the server key.
    slot_salt = models.BinaryField("密封位盐值", max_length=32, editable=False, default=b"")

    class Meta:
        verbose_name = verbose_name_plural = "招标（采购）轮次"
        ordering = ["project_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round"], name="trading_tender_project_round"),
            models.CheckConstraint(condition=models.Q(bid_deposit__gte=0), name="trading_tender_deposit_nonneg"),
        ]

    def __str__(self):
        return f"{self.project.code} 第{self.round}次 {self.get_method_display()}"

    @property
    def regime(self) -> str:
        return self.project.regime


class DocumentKind(models.TextChoices):
    NOTICE = "notice", "招标/采购公告"
    TENDER_DOCS = "tender_docs", "招标/采购文件"
    CLARIFICATION = "clarification", "澄清/修改"
    OPENING_RECORD = "opening_record", "开标记录"
    REPORT = "report", "评标报告"
    CANDIDATES = "candidates", "中标候选人公示"
    AWARD_NOTICE = "award_notice", "中标通知书"
    RESULT_NOTICE = "result_notice", "中标结果公告"
    CONTRACT = "contract", "合同"
    ACCEPTANCE = "acceptance", "验收报告"
    FAILURE_NOTICE = "failure_notice", "流标/废标公告"


class TenderDocument(models.Model):
    tender = models.ForeignKey(Tender, verbose_name="轮次", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("类型", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to="trading/%Y/%m/", max_length=200, blank=True)
    public = models.BooleanField("公开", default=True)
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = verbose_name_plural = "交易文件"
        ordering = ["published_at", "id"]

    def __str__(self):
        return self.title


class DocumentObtain(models.Model):
    """获取招标文件登记: who obtained the documents. Never shown, nor counted, before the opening
    (招标投标法第二十二条)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="obtains")
    bidder = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    obtained_at = models.DateTimeField("获取时间")

    class Meta:
        verbose_name = verbose_name_plural = "获取招标文件登记"
        constraints = [models.UniqueConstraint(fields=["tender", "bidder"], name="trading_obtain_once")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Amendment(models.Model):
    """澄清/修改. ``affects_bids``: it may affect the preparation of bids (招标投标法第二十三条), or, for a
    ``prequal`` one (of the 资格预审文件), of the applications; the deadlines are then the applications'."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    seq = models.PositiveSmallIntegerField("序号")
    summary = models.TextField("内容", max_length=4000)
    affects_bids = models.BooleanField("影响投标文件编制", default=False)
    prequal = models.BooleanField("资格预审文件的澄清/修改", default=False)
    old_deadline = models.DateTimeField("原投标截止时间")
    new_deadline = models.DateTimeField("新投标截止时间")
    created_at = models.DateTimeField("发布时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "澄清/修改"
        ordering = ["tender_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["tender", "seq"], name="trading_amendment_seq")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class ObjectionStage(models.TextChoices):
    DOCUMENTS = "documents", "对招标/采购文件"
    OPENING = "opening", "对开标"
    RESULTS = "results", "对评标结果"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class Objection(models.Model):
    """异议 (engineering) or 质疑 (procurement). While open it pauses the round (实施条例第二十二、五十四条;
    采购条例第五十四条)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="objections")
    stage = models.CharField("异议对象", max_length=10, choices=ObjectionStage.choices)
    raised_by = models.ForeignKey(Party, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("异议内容", max_length=4000)
    raised_at = models.DateTimeField("提出时间")
    answer_due = models.DateField("答复期限")
    status = models.CharField("状态", max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    answer = models.TextField("答复", max_length=4000, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    upheld = models.BooleanField("异议成立", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "异议/质疑"
        ordering = ["-raised_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class BidSlot(models.Model):
    """A sealed bid slot. Created full of random bytes when the round is published; a bid overwrites a
    free one. Before the deadline nothing here says whether a slot holds a bid: ``tag`` is
    HMAC(server key, round salt, bidder) for a bid and HMAC(…, "free", slot) for a free slot, and the
    ``envelope`` is the bidder's own encryption (AES-256-GCM under a key from the bidder's passphrase)
    padded like the random filler. ``sealed_meta`` (upload IP, device, time) is encrypted under the
    server key and read only after the deadline, for the collusion indicators.

    After opening, the decrypted facts are copied to the ``Bid`` row; the slot keeps its ciphertext."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="slots")
    slot = models.PositiveSmallIntegerField("位号")
    tag = models.BinaryField("标记", max_length=32)
    envelope = models.BinaryField("密文")
    sealed_meta = models.BinaryField("加密的上传信息", default=b"")

    class Meta:
        verbose_name = verbose_name_plural = "密封投标位"
        constraints = [models.UniqueConstraint(fields=["tender", "slot"], name="trading_slot_unique")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class BidStatus(models.TextChoices):
    SEALED = "sealed", "待解密"
    DECRYPTED = "decrypted", "已解密"
    REVOKED = "revoked", "未解密（撤销）"
    WITHDRAWN = "withdrawn", "未解密（撤回）"
    VALID = "valid", "有效"
    REJECTED = "rejected", "否决投标"


class Bid(models.Model):
    """A bid as known from the opening on: created when the slots are unsealed at the deadline (never
    before), one per bidder that submitted; its facts are filled when the bidder decrypts."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    slot = models.OneToOneField(BidSlot, on_delete=models.PROTECT, related_name="bid")
    bidder = models.ForeignKey(Party, verbose_name="投标人", on_delete=models.PROTECT, related_name="bids")
    status = models.CharField("状态", max_length=10, choices=BidStatus.choices, db_index=True)
    submitted_at = models.DateTimeField("递交时间")
    decrypted_at = models.DateTimeField("解密时间", null=True, blank=True)
    price = models.DecimalField("投标报价（元）", null=True, blank=True, **MONEY)
    duration_days = models.PositiveIntegerField("工期/交货期（日）", null=True, blank=True)
    project_manager = models.CharField("项目负责人", max_length=32, blank=True)
    quality = models.CharField("质量/服务承诺", max_length=200, blank=True)
    deposit_account = models.CharField("保证金转出账户", max_length=40, blank=True)
    upload_ip = models.CharField("上传IP", max_length=45, blank=True)
    upload_device = models.CharField("上传设备标识", max_length=64, blank=True)
    file_authors = models.JSONField("文件作者信息", default=list, blank=True)
    files = models.JSONField("文件清单", default=list, blank=True)
    reject_reason = models.CharField("否决理由", max_length=40, blank=True)
    reject_note = models.CharField("否决说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投标文件"
        ordering = ["tender_id", "id"]
        constraints = [models.UniqueConstraint(fields=["tender", "bidder"], name="trading_bid_once")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class RejectReason(models.TextChoices):
    """否决投标的情形 (招标投标法实施条例第五十一条), a fixed list."""

    NO_SEAL = "no_seal", "投标文件未经投标单位盖章和单位负责人签字"
    CONSORTIUM = "consortium", "投标联合体没有提交共同投标协议"
    UNQUALIFIED = "unqualified", "投标人不符合国家或者招标文件规定的资格条件"
    TWO_OFFERS = "two_offers", "同一投标人提交两个以上不同的投标文件或者投标报价（招标文件要求提交备选投标的除外）"
    PRICE = "price", "投标报价低于成本或者高于招标文件设定的最高投标限价"
    UNRESPONSIVE = "unresponsive", "投标文件没有对招标文件的实质性要求和条件作出响应"
    MISCONDUCT = "misconduct", "投标人有串通投标、弄虚作假、行贿等违法行为"


class Expert(models.Model):
    """评标/评审专家 in the centre's pool."""

    name = models.CharField("姓名", max_length=32)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="trading_expert")
    specialties = models.JSONField("评标专业", default=list)
    title = models.CharField("职称", max_length=32, default="高级工程师")
    years = models.PositiveSmallIntegerField("从业年限", default=8)
    employer_name = models.CharField("现工作单位", max_length=100)
    employer_uscc = models.CharField("现工作单位统一社会信用代码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "评标专家"
        ordering = ["id"]

    def __str__(self):
        return self.name


class TieKind(models.TextChoices):
    EMPLOYER = "employer", "曾任职（三年内）"
    BOARD = "board", "曾担任董事、监事或控股"
    RELATIVE = "relative", "与法定代表人或负责人有近亲属关系"
    OTHER = "other", "其他利害关系"


class ExpertTie(models.Model):
    """A declared tie of an expert to a party (by 统一社会信用代码), with the end of the tie if it ended:
    an employer tie counts for three years after it ended (采购条例第九条)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ties")
    party_uscc = models.CharField("单位统一社会信用代码", max_length=18)
    party_name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("关系", max_length=10, choices=TieKind.choices)
    ended_on = models.DateField("关系终止日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家申报关系"

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Committee(models.Model):
    """评标委员会/评审小组 of a round, drawn by the system. ``draw_log`` keeps the draw: pool size,
    every exclusion with its reason, the random picks and replacements, for the supervisor."""

    tender = models.OneToOneField(Tender, on_delete=models.CASCADE, related_name="committee")
    size = models.PositiveSmallIntegerField("组成人数")
    buyer_reps = models.PositiveSmallIntegerField("招标人代表人数", default=0)
    specialty = models.CharField("抽取专业", max_length=40)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    draw_log = models.JSONField("抽取记录", default=dict)
    report_signed_at = models.DateTimeField("评标报告签署完成", null=True, blank=True)
    ranking = models.JSONField("推荐排序", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评标委员会"

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="seats")
    rep_name = models.CharField("招标人代表", max_length=32, blank=True)
    # A 招标人代表's own login (one of the 招标人's people), to score and sign like the experts.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="招标人代表账号", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="trading_rep_seats")
    is_chair = models.BooleanField("组长", default=False)
    active = models.BooleanField("在任", default=True)
    replaced_reason = models.CharField("回避/替换原因", max_length=200, blank=True)
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评标委员会成员"
        ordering = ["committee_id", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Score(models.Model):
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    reject_reason = models.CharField("否决理由", max_length=16, choices=RejectReason.choices, blank=True)
    comment = models.CharField("评审意见", max_length=500, blank=True)
    scored_at = models.DateTimeField("评分时间")

    class Meta:
        verbose_name = verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="trading_score_once")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Candidate(models.Model):
    """中标候选人 (at most 3, ranked; 实施条例第五十三条)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="candidates")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField("排名", validators=[MinValueValidator(1), MaxValueValidator(3)])
    score = models.DecimalField("综合得分", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "中标候选人"
        ordering = ["tender_id", "rank"]
        constraints = [models.UniqueConstraint(fields=["tender", "rank"], name="trading_candidate_rank")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class NotFirstReason(models.TextChoices):
    """Why a state-controlled project may pass over the first-ranked candidate (实施条例第五十五条)."""

    GAVE_UP = "gave_up", "排名第一的中标候选人放弃中标"
    CANNOT_PERFORM = "cannot_perform", "因不可抗力不能履行合同"
    NO_BOND = "no_bond", "不按照招标文件要求提交履约保证金"
    UNLAWFUL = "unlawful", "被查实存在影响中标结果的违法行为"


class AwardStatus(models.TextChoices):
    ACTIVE = "active", "已定标"
    CANCELLED = "cancelled", "已撤销"


class Award(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Party, verbose_name="中标人", on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField("中标金额（元）", **MONEY)
    status = models.CharField("状态", max_length=10, choices=AwardStatus.choices, default=AwardStatus.ACTIVE)
    not_first_reason = models.CharField("未确定排名第一的理由", max_length=16, choices=NotFirstReason.choices,
                                        blank=True)
    decided_at = models.DateTimeField("定标时间")
    notice_no = models.CharField("中标通知书编号", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定标结果"

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "履行中"
    COMPLETED = "completed", "已验收"
    TERMINATED = "terminated", "已终止"


class Contract(models.Model):
    tender = models.OneToOneField(Tender, on_delete=models.CASCADE, related_name="contract")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    contract_no = models.CharField("合同编号", max_length=40)
    amount = models.DecimalField("合同金额（元）", **MONEY)
    performance_bond = models.DecimalField("履约保证金（元）", default=Decimal("0"), **MONEY)
    signed_on = models.DateField("签订日期")
    period_end = models.DateField("履约期限", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    published_on = models.DateField("合同公告日期", null=True, blank=True)
    filed_on = models.DateField("合同副本备案日期", null=True, blank=True)
    acceptance_note = models.CharField("验收结论", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "合同"

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Payment(models.Model):
    """履约 payments (OCDS implementation transactions)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField("支付日期")
    amount = models.DecimalField("金额（元）", **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "合同支付"
        ordering = ["contract_id", "paid_on", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Refund(models.Model):
    """投标保证金退还 to one bidder, due by the law's period (实施条例第三十五、五十七条; 采购条例第三十三条)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="refunds")
    bidder = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("保证金（元）", **MONEY)
    due_on = models.DateField("退还期限")
    refunded_on = models.DateField("退还日期", null=True, blank=True)
    interest = models.DecimalField("银行同期存款利息（元）", default=Decimal("0"), **MONEY)
    kept = models.BooleanField("依法不予退还", default=False)
    kept_reason = models.CharField("不予退还原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "保证金退还"
        constraints = [models.UniqueConstraint(fields=["tender", "bidder"], name="trading_refund_once")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class FlagKind(models.TextChoices):
    """串通投标 indicators the data can show (招标投标法实施条例第四十条)."""

    SAME_DEVICE = "same_device", "不同投标人的投标文件由同一单位或者个人编制（同一上传设备/IP）"
    SAME_AUTHOR = "same_author", "不同投标人的投标文件由同一单位或者个人编制（文件作者信息相同）"
    SAME_MANAGER = "same_manager", "不同投标人的投标文件载明的项目管理成员为同一人"
    SAME_ACCOUNT = "same_account", "不同投标人的投标保证金从同一单位或者个人的账户转出"
    PRICE_PATTERN = "price_pattern", "不同投标人的投标报价呈规律性差异"


class FlagStatus(models.TextChoices):
    OPEN = "open", "待核查"
    CONFIRMED = "confirmed", "查实"
    DISMISSED = "dismissed", "排除"


class CollusionFlag(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("预警类型", max_length=16, choices=FlagKind.choices)
    bidders = models.ManyToManyField(Party, verbose_name="涉及投标人", related_name="+")
    evidence = models.JSONField("依据", default=dict)
    created_at = models.DateTimeField("预警时间")
    status = models.CharField("处理状态", max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_note = models.CharField("核查意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "串通投标预警"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class TradingEvent(models.Model):
    """Every step, immutable (the audit of the round and the source of its OCDS releases). Nothing that
    would tell who bid or how many before the deadline is ever written here."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    tender = models.ForeignKey(Tender, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=32)
    label = models.CharField("操作名称", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "交易过程记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Release(models.Model):
    """An OCDS 1.1 release as published: never changed afterwards (``ocds/``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    ocid = models.CharField(max_length=64, db_index=True)
    release_id = models.CharField(max_length=80)
    date = models.DateTimeField(db_index=True)
    tags = models.JSONField(default=list)
    data = models.JSONField()

    class Meta:
        verbose_name = verbose_name_plural = "OCDS发布记录"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["ocid", "release_id"], name="trading_release_unique")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class ComplaintMatter(models.TextChoices):
    DOCUMENTS = "documents", "招标/采购文件"
    PROCESS = "process", "采购过程/开标"
    RESULTS = "results", "中标/成交结果"


class ComplaintStatus(models.TextChoices):
    FILED = "filed", "待受理"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    DECIDED = "decided", "已处理"


class Complaint(models.Model):
    """投诉 to the project's 行政监督部门 (招标投标法实施条例第六十、六十一条; 政府采购法第五十五至五十七条):
    accepted or not within 3 工作日, decided within 30 工作日 of acceptance (two supervised clocks); in
    procurement the department may suspend the procurement for at most 30 日 meanwhile."""

    tender = models.ForeignKey(Tender, verbose_name="招标（采购）轮次", on_delete=models.CASCADE,
                               related_name="complaints")
    complainant = models.ForeignKey(Party, verbose_name="投诉人", on_delete=models.PROTECT, related_name="+")
    matter = models.CharField("投诉事项", max_length=10, choices=ComplaintMatter.choices)
    text = models.TextField("投诉内容", max_length=4000)
    known_on = models.DateField("知道或者应当知道之日")
    filed_at = models.DateTimeField("投诉时间")
    status = models.CharField("状态", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED,
                              db_index=True)
    accept_due = models.DateField("受理期限")
    decide_due = models.DateField("处理期限", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("处理（不予受理）时间", null=True, blank=True)
    decision = models.TextField("处理决定/不予受理理由", max_length=4000, blank=True)
    upheld = models.BooleanField("投诉成立", default=False)
    suspended = models.BooleanField("暂停采购活动", default=False)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办监督人员", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "投诉"
        ordering = ["-filed_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk} {self.get_matter_display()}"
