"""Information requests (依申请公开), their clock, consultations, fees, replies and appeals."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengwu.org.models import Staff

from ..reference import FEE_METHODS, LEGAL_SUBKINDS, RESULT_CHOICES
from .bodies import Body, FeeWaiverReason


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "当面提交"
    POST_SIGNED = "post_signed", "邮寄（需签收）"
    POST_PLAIN = "post_plain", "平常信函"
    ONLINE = "online", "互联网"
    FAX = "fax", "传真"


#: channels whose date of receipt is the day both sides confirm (条例第三十一条)
CONFIRMED_CHANNELS = {Channel.POST_PLAIN, Channel.ONLINE, Channel.FAX}


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人或其他组织"


class ReqStatus(models.TextChoices):
    AWAITING_RECEIPT = "awaiting", "待确认收到"
    PROCESSING = "processing", "办理中"
    SUPPLEMENT = "supplement", "待补正"
    CONSULTING = "consulting", "征求意见中"
    FEE_NOTICE = "fee_notice", "待缴费"
    REPLIED = "replied", "已答复"
    TERMINATED = "terminated", "已终止"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = [ReqStatus.AWAITING_RECEIPT, ReqStatus.PROCESSING, ReqStatus.SUPPLEMENT, ReqStatus.CONSULTING,
                 ReqStatus.FEE_NOTICE]
CLOSED_STATUSES = [ReqStatus.REPLIED, ReqStatus.TERMINATED, ReqStatus.WITHDRAWN]


class InfoRequest(models.Model):
    request_no = models.CharField("申请编号", max_length=48, unique=True)
    body = models.ForeignKey(Body, verbose_name="受理机关", on_delete=models.PROTECT, related_name="requests")
    channel = models.CharField("提交方式", max_length=12, choices=Channel.choices)
    status = models.CharField("状态", max_length=12, choices=ReqStatus.choices, db_index=True)
    row_version = models.PositiveIntegerField(default=0)

    # applicant
    applicant_kind = models.CharField("申请人类型", max_length=8, choices=ApplicantKind.choices)
    legal_subkind = models.CharField("法人或其他组织类别", max_length=16, choices=LEGAL_SUBKINDS, blank=True)
    applicant_name = models.CharField("申请人", max_length=100)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_rep = models.CharField("法定代表人", max_length=50, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="gk_requests")

    # the request
    description = models.TextField("所需政府信息的名称、文号或者特征性描述")
    purpose = models.CharField("用途（选填）", max_length=200, blank=True)
    wanted_form = models.CharField("获取信息的方式", max_length=20, default="电子文档",
                                   help_text="纸质文本 / 电子文档")
    delivery = models.CharField("获取信息的途径", max_length=20, default="网上获取",
                                help_text="邮寄 / 电子邮件 / 当面领取 / 网上获取")
    entered_by = models.ForeignKey(Staff, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    filed_at = models.DateTimeField("提交时间", help_text="网上提交的时间；工作人员登记的，为录入系统的时间")
    letter_date = models.DateField("申请书落款日期", null=True, blank=True)
    submitted_on = models.DateField("申请送达之日", null=True, blank=True,
                                    help_text="当面提交、信函或传真到达本机关之日（可晚于此日录入）；网上提交的为提交之日")
    signed_for_on = models.DateField("签收日期", null=True, blank=True)
    received_on = models.DateField("收到申请之日", null=True, blank=True, db_index=True)
    late_entry_note = models.TextField("补录说明", blank=True,
                                       help_text="收到申请之日早于录入之日的，写明补录的原因（记入审计）")

    # the clock (条例第三十三条)
    clock_start = models.DateField("答复期限起算日", null=True, blank=True,
                                   help_text="收到申请之日；补正的，为收到补正之日")
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    due_date = models.DateField("答复期限", null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField("期限为暂定", default=False)

    # 补正 (条例第三十条)
    supplement_notice_due = models.DateField("补正告知期限", null=True, blank=True)
    supplement_requested_on = models.DateField("告知补正日期", null=True, blank=True)
    supplement_items = models.TextField("需要补正的事项", blank=True)
    supplement_deadline = models.DateField("补正期限", null=True, blank=True)
    supplement_received_on = models.DateField("收到补正日期", null=True, blank=True)
    supplement_text = models.TextField("补正内容", blank=True)

    # 信息处理费
    fee_method = models.CharField("计收方式", max_length=12, choices=FEE_METHODS, blank=True)
    fee_units = models.PositiveIntegerField("计费数量", null=True, blank=True,
                                            help_text="按件：本月第几件；按量：页数")
    fee_amount = models.DecimalField("信息处理费（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    fee_notice_on = models.DateField("收费通知日期", null=True, blank=True)
    fee_pay_due = models.DateField("缴费期限", null=True, blank=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)
    # 减免: on which ground, how much, who decided and why
    fee_waiver_reason = models.ForeignKey(FeeWaiverReason, verbose_name="减免情形", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    fee_waived_amount = models.DecimalField("减免金额（元）", max_digits=10, decimal_places=2, default=0)
    fee_waiver_note = models.TextField("减免理由", blank=True)
    fee_waived_by = models.ForeignKey(Staff, verbose_name="减免决定人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    fee_waived_on = models.DateField("减免日期", null=True, blank=True)

    # the reply
    result = models.CharField("办理结果", max_length=24, choices=RESULT_CHOICES, blank=True, db_index=True)
    reply_text = models.TextField("答复内容", blank=True)
    reason = models.TextField("理由", blank=True, help_text="不予公开、无法提供、不予处理等须说明理由")
    pages = models.PositiveIntegerField("提供信息页数", null=True, blank=True)
    handled_by = models.ForeignKey(Staff, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "依申请公开"
        ordering = ["-id"]
        indexes = [models.Index(fields=["body", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applicant_kind="person", legal_subkind="")
                | models.Q(applicant_kind="legal") & ~models.Q(legal_subkind=""),
                name="gk_legal_subkind_only_for_legal"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | ~models.Q(result=""), name="gk_closed_has_result"),
            models.CheckConstraint(condition=models.Q(extension_days__lte=20), name="gk_extension_at_most_20"),
            models.CheckConstraint(
                condition=models.Q(fee_waived_amount=0, fee_waiver_reason__isnull=True)
                | models.Q(fee_waived_amount__gt=0, fee_waiver_reason__isnull=False,
                           fee_waived_amount__lte=models.F("fee_amount")),
                name="gk_waiver_has_reason_within_fee"),
        ]

    def __str__(self):
        return self.request_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def fee_payable(self):
        """What the applicant owes after any 减免."""
        return None if self.fee_amount is None else self.fee_amount - self.fee_waived_amount


def request_file_upload_to(instance: RequestAttachment, filename: str) -> str:
    """A directory nobody can guess, as for publications' files: these hold personal data."""
    return f"gk/requests/{secrets.token_hex(16)}/{filename}"


class RequestAttachment(models.Model):
    """A file of a request: with the application (ID copy, business licence, a description), the 补正, or the
    proof of a 减免 ground.

    Served only through the checked views, to the applicant and to the body's staff (each staff
    download is written to the audit trail).
    """

    class Kind(models.TextChoices):
        APPLICATION = "application", "申请材料"
        SUPPLEMENT = "supplement", "补正材料"
        WAIVER_PROOF = "waiver_proof", "减免证明材料"
        RETURN_PROOF = "return_proof", "征求意见书无法送达凭证"

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to=request_file_upload_to, max_length=300)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_by_name = models.CharField("上传人", max_length=64, blank=True)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "申请附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class ClockStop(models.Model):
    """Days not counted in the reply period: consulting a third party or another agency, or a fee notice
    until paid."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", "征求第三方意见"
        AGENCY = "agency", "征求其他机关意见"
        FEE = "fee", "收费通知至缴费"

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="stops")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    start_on = models.DateField("起")
    end_on = models.DateField("止", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "不计入期限的期间"
        ordering = ["start_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start_on}–{self.end_on or ''}"


class Consultation(models.Model):
    """书面征求意见: of a third party (条例第三十二条) or of the agencies that made the information together
    (条例第三十四条).

    Either has 15 working days from the day it **receives** the 征求意见书 (``received_on``, recorded
    when known, with how it was delivered); until then ``opinion_due`` is empty and the consultation
    stays open. Silence past ``opinion_due``: a third party's leaves the decision to the body
    (``none``), an agency's counts as consent (``deemed``). A letter to a third party that could not
    be delivered (``undeliverable``, with the day it came back and the evidence) ends the consultation
    without a receipt: the third party has given no opinion and the body decides (第三十二条). The reply
    period does not run from the sending to the opinion, or to ``opinion_due`` at the latest, or to the
    day the letter came back (第三十三条第二款).
    """

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", "征求第三方意见"
        AGENCY = "agency", "征求其他机关意见"

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", "直接送达"
        POST = "post", "邮寄送达"
        EMAIL = "email", "电子邮件"
        FAX = "fax", "传真"
        EXCHANGE = "exchange", "公文交换"

    class Opinion(models.TextChoices):
        AGREE = "agree", "同意公开"
        OBJECT = "object", "不同意公开"
        NONE = "none", "逾期未提出意见"
        DEEMED = "deemed", "逾期未提出意见，视为同意公开"
        UNDELIVERABLE = "undeliverable", "征求意见书无法送达，由本机关决定是否公开"

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="consultations")
    stop = models.OneToOneField(ClockStop, on_delete=models.CASCADE, related_name="consultation")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.THIRD_PARTY)
    third_party = models.CharField("被征求意见的第三方或机关", max_length=100)
    sent_on = models.DateField("发出征求意见书日期")
    delivery = models.CharField("送达方式", max_length=12, choices=Delivery.choices, blank=True)
    received_on = models.DateField("对方收到征求意见书之日", null=True, blank=True)
    receipt_recorded_by = models.ForeignKey(Staff, verbose_name="送达登记人", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    opinion_due = models.DateField("提出意见期限", null=True, blank=True,
                                   help_text="收到征求意见书之日起15个工作日；登记送达前为空")
    replied_on = models.DateField("收到意见日期", null=True, blank=True)
    opinion = models.CharField("意见", max_length=16, choices=Opinion.choices, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求第三方或其他机关意见"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_on__isnull=True, opinion_due__isnull=True)
                | models.Q(received_on__isnull=False, opinion_due__isnull=False, received_on__gte=models.F("sent_on")),
                name="gk_consultation_due_from_receipt"),
            models.CheckConstraint(
                condition=~models.Q(opinion__in=["none", "deemed"]) | models.Q(received_on__isnull=False),
                name="gk_consultation_silence_needs_receipt"),
            models.CheckConstraint(
                condition=~models.Q(opinion="undeliverable")
                | models.Q(received_on__isnull=True, kind="third_party", replied_on__isnull=False),
                name="gk_consultation_undeliverable_not_received"),
        ]

    def __str__(self):
        return self.third_party

    @property
    def is_agency(self) -> bool:
        return self.kind == self.Kind.AGENCY

    @property
    def silence(self) -> str:
        """What silence past ``opinion_due`` means for this kind (第三十二条 / 第三十四条)."""
        return self.Opinion.DEEMED if self.is_agency else self.Opinion.NONE


class Extension(models.Model):
    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日数")
    reason = models.TextField("理由")
    approved_by = models.ForeignKey(Staff, verbose_name="批准人", on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField("批准日期")

    class Meta:
        verbose_name = verbose_name_plural = "延长答复期限"
        ordering = ["id"]

    def __str__(self):
        return f"{self.days}个工作日"


class Appeal(models.Model):
    """行政复议 or 行政诉讼 against a reply, and its outcome (table 四)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "行政复议"
        SUIT = "suit", "行政诉讼"

    class Outcome(models.TextChoices):
        PENDING = "pending", "尚未审结"
        MAINTAINED = "maintained", "结果维持"
        CORRECTED = "corrected", "结果纠正"
        OTHER = "other", "其他结果"

    request = models.ForeignKey(InfoRequest, verbose_name="申请", on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    after_review = models.BooleanField("复议后起诉", default=False)
    filed_on = models.DateField("立案/受理日期")
    organ = models.CharField("复议机关/人民法院", max_length=100)
    case_no = models.CharField("案号", max_length=60, blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField("审结日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "行政复议和行政诉讼"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(after_review=False) | models.Q(kind="suit"),
                                   name="gk_after_review_only_for_suits"),
            models.CheckConstraint(
                condition=models.Q(outcome="pending", decided_on__isnull=True)
                | ~models.Q(outcome="pending") & models.Q(decided_on__isnull=False),
                name="gk_decided_appeal_has_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_no}"

    @property
    def table4_group(self) -> str:
        from ..reference import DIRECT_SUIT, REVIEW, SUIT_AFTER_REVIEW

        if self.kind == self.Kind.REVIEW:
            return REVIEW
        return SUIT_AFTER_REVIEW if self.after_review else DIRECT_SUIT


class RequestEvent(models.Model):
    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24)
    label = models.CharField("环节", max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=64, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请办理记录"
        ordering = ["id"]

    def __str__(self):
        return f"{self.label} {self.actor_name}"
