"""Forms of the 政务公开 pages; they only shape input, the services decide."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from zhengwu.core.errors import DomainError
from zhengwu.core.formerrors import FieldErrors

from . import reference as ref
from .models import Appeal, Channel, Consultation, DocKind
from .services import Applicant
from .services.requests import clean_applicant

KIND_CHOICES = [("person", "自然人"), ("legal", "法人或其他组织")]


class ApplyForm(forms.Form):
    """政府信息公开申请表 (条例第二十九条)."""

    kind = forms.ChoiceField(label="申请人类型", choices=KIND_CHOICES, widget=forms.RadioSelect, initial="person")
    name = forms.CharField(label="姓名或名称", max_length=100)
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    legal_subkind = forms.ChoiceField(label="法人或其他组织类别", choices=[("", "—")] + ref.LEGAL_SUBKINDS,
                                      required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_rep = forms.CharField(label="法定代表人或负责人", max_length=50, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False,
                               validators=[RegexValidator(r"^[0-9]{6}$", "邮政编码应为6位数字")],
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}"}))
    email = forms.EmailField(label="电子邮箱", required=False)
    description = forms.CharField(label="所需政府信息的名称、文号或者便于查询的其他特征性描述",
                                  widget=forms.Textarea(attrs={"rows": 4}))
    purpose = forms.CharField(label="用途（选填）", max_length=200, required=False)
    wanted_form = forms.ChoiceField(label="获取信息的方式", choices=[("电子文档", "电子文档"), ("纸质文本", "纸质文本")])
    delivery = forms.ChoiceField(label="获取信息的途径", choices=[("网上获取", "网上获取"), ("电子邮件", "电子邮件"),
                                                           ("邮寄", "邮寄"), ("当面领取", "当面领取")])

    def applicant(self) -> Applicant:
        d = self.cleaned_data
        return Applicant(kind=d["kind"], name=d["name"], phone=d["phone"], id_number=d["id_number"],
                         uscc=d["uscc"], legal_rep=d["legal_rep"], legal_subkind=d["legal_subkind"],
                         contact_name=d["contact_name"], address=d["address"], postcode=d["postcode"],
                         email=d["email"])


class RecordForm(ApplyForm):
    """An officer records a walk-in, a letter or a fax, on the real day it reached the body (条例第三十一条)."""

    channel = forms.ChoiceField(label="提交方式", choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
    signed_for_on = forms.DateField(label="签收日期（邮寄需签收的，即收到申请之日）", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_on = forms.DateField(label="提交或送达日期（当面提交、平常信函、传真；不填为今天）", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    letter_date = forms.DateField(label="申请书落款日期（如有）", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    late_entry_note = forms.CharField(label="补录原因（上述日期早于今天时必填，记入审计）", max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["channel", "signed_for_on", "received_on", "letter_date", "late_entry_note"]


class PublicationForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    category = forms.ChoiceField(label="公开类别")
    topic = forms.CharField(label="主题分类", max_length=40, required=False)
    doc_kind = forms.ChoiceField(label="文件性质", choices=DocKind.choices)
    doc_no = forms.CharField(label="文号", max_length=60, required=False)
    made_on = forms.DateField(label="生成日期", widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.value, c.label) for c in categories]


ACTION_FIELDS = {
    "consult_opinion": Consultation.Opinion.choices,
    "consult_delivery": Consultation.Delivery.choices,
    "appeal_kind": Appeal.Kind.choices,
    "appeal_outcome": [c for c in Appeal.Outcome.choices if c[0] != Appeal.Outcome.PENDING],
    "result": [(r.code, c) for r, (_, c) in zip(ref.RESULT_TYPES, ref.RESULT_CHOICES, strict=True)
               if r.code not in ("other_no_supplement", "other_unpaid")],
    "fee_method": ref.FEE_METHODS,
}


APPLICANT_FIELDS = ("kind", "name", "phone", "id_number", "uscc", "legal_rep", "legal_subkind", "contact_name",
                    "address", "postcode", "email")


def page_errors(form: forms.Form, exc: DomainError | None = None) -> FieldErrors:
    """Every problem of a submitted 申请表 beside its field: the form's own checks, the applicant's (the
    service's ``clean_applicant``, run on what was typed even when the form failed, so both show at once) and
    any refusal of the service (``exc``)."""
    errors = FieldErrors.from_form(form)
    if not form.is_bound:
        return errors
    labels = {name: str(f.label) for name, f in form.fields.items()}
    if "id_number" in labels:
        labels["id_number"] = "身份证号码"
    if exc is None and not form.is_valid() and "kind" in form.fields:
        raw = {k: str(form.data.get(k, ""))[:300] for k in APPLICANT_FIELDS}
        try:
            clean_applicant(Applicant(**raw))
        except DomainError as found:
            exc = found
    if exc is not None:
        errors.add_domain(exc, labels=labels)
    errors.mark(form)
    return errors
