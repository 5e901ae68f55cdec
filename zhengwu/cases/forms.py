"""Forms of the case pages. They only parse input; the rules live in ``services.py``.

Most fields are optional here on purpose: the service functions check what is required and
answer with the domain's own Chinese message, so a page says exactly what the API says.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from zhengwu.catalog.models import SpecialProcedure
from zhengwu.core.errors import DomainError
from zhengwu.core.validators import validate_id_number, validate_phone, validate_uscc

from .models import ApplicantKind, Decision, Delivery, SupplementItem
from .plan import Plan
from .services import MISSING_MAX_ITEMS, TEXT_MAX_CEILING, Applicant

TEXTAREA = {"rows": 3}


class RegisterForm(forms.Form):
    """A citizen's account (办事群众注册)."""

    username = forms.RegexField(label="用户名", max_length=30, regex=r"^[A-Za-z0-9_.@+-]{3,30}$",
                                error_messages={"invalid": "用户名为3至30位字母、数字或 _ . @ + -"},
                                widget=forms.TextInput(attrs={"autocomplete": "username"}))
    real_name = forms.CharField(label="姓名", max_length=64)
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="确认密码",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已被注册，请换一个")
        return username

    def clean_phone(self):
        try:
            phone = validate_phone(self.cleaned_data["phone"])
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        if len(phone) != 11:
            raise ValidationError("请填写11位手机号码")
        return phone

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致")
        elif p1:
            user = get_user_model()(username=data.get("username", ""), real_name=data.get("real_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ApplicantForm(forms.Form):
    """Who applies: a natural person (自然人) or a legal person (法人或其他组织)."""

    kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices, initial=ApplicantKind.PERSON,
                             widget=forms.RadioSelect)
    name = forms.CharField(label="姓名/单位名称", max_length=100, required=False)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_rep = forms.CharField(label="法定代表人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="联系地址", max_length=200, required=False)

    # the page's labels, which follow the applicant kind (the form's own labels name both)
    LABELS = {ApplicantKind.PERSON: {"name": "姓名", "id_number": "身份证号"},
              ApplicantKind.LEGAL: {"name": "单位名称", "id_number": "法定代表人身份证号"}}

    def clean(self):
        """Every field checked on its own with the service's validators, so the page shows all problems at
        once beside their fields (the service checks again and says the same)."""
        data = super().clean()
        kind = data.get("kind")
        labels = self.labels()

        def check(name, fn):
            value = (data.get(name) or "").strip()
            if not value:
                self.add_error(name, f"请填写{labels[name]}")
                return
            try:
                data[name] = fn(value)
            except DomainError as exc:
                self.add_error(name, exc.message)

        if "name" in data and not (data.get("name") or "").strip():
            self.add_error("name", f"请填写{labels['name']}")
        if "phone" in data:
            check("phone", validate_phone)
        if kind == ApplicantKind.PERSON and "id_number" in data:
            check("id_number", validate_id_number)
        elif kind == ApplicantKind.LEGAL:
            if "uscc" in data:
                check("uscc", validate_uscc)
            if "legal_rep" in data and not (data.get("legal_rep") or "").strip():
                self.add_error("legal_rep", "法人申请请填写法定代表人")
            if data.get("id_number"):
                check("id_number", validate_id_number)
        return data

    def labels(self) -> dict[str, str]:
        kind = self.data.get("kind") if self.is_bound else None
        base = {name: str(f.label) for name, f in self.fields.items()}
        return base | self.LABELS.get(kind, self.LABELS[ApplicantKind.PERSON])

    def applicant(self) -> Applicant:
        d = self.cleaned_data
        return Applicant(kind=d["kind"], name=d["name"], phone=d["phone"], id_number=d["id_number"],
                         uscc=d["uscc"], legal_rep=d["legal_rep"], address=d["address"])


class ProgressForm(forms.Form):
    case_no = forms.CharField(label="办件编号", max_length=40)
    credential = forms.CharField(label="联系电话或身份证号", max_length=20)


class ClaimForm(forms.Form):
    """认领办件, step one: the case number and the credential recorded on the case (checked by the service)."""

    kind = forms.ChoiceField(label="办件类型", choices=[(ApplicantKind.PERSON, "个人办件"), (ApplicantKind.LEGAL, "企业办件")],
                             initial=ApplicantKind.PERSON, widget=forms.RadioSelect)
    case_no = forms.CharField(label="办件编号", max_length=40, required=False)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    legal_rep = forms.CharField(label="法定代表人姓名", max_length=50, required=False)
    phone = forms.CharField(label="申请时登记的联系电话", max_length=20, required=False)

    def clean(self):
        data = super().clean()
        needed = ["case_no"] + (["uscc", "legal_rep", "phone"] if data.get("kind") == ApplicantKind.LEGAL
                                else ["id_number"])
        for name in needed:
            if name in data and not (data.get(name) or "").strip():
                self.add_error(name, f"请填写{self.fields[name].label}")
        return data

    def credential(self) -> dict:
        d = self.cleaned_data
        if d["kind"] == ApplicantKind.LEGAL:
            return {"uscc": d["uscc"], "legal_rep": d["legal_rep"], "phone": d["phone"]}
        return {"id_number": d["id_number"]}


# -- officer actions ------------------------------------------------------------------------------


def _note(label="说明", required=False):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs=TEXTAREA))


class NoteForm(forms.Form):
    note = _note("办理意见")


class AcceptForm(forms.Form):
    paper_materials = forms.TypedMultipleChoiceField(label="已收纸质材料", coerce=int, required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    note = _note("受理意见")

    def __init__(self, *args, paper_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper_materials"].choices = list(paper_choices)
        if not paper_choices:
            del self.fields["paper_materials"]


class SupplementRequestForm(forms.Form):
    missing = forms.CharField(label="需补正材料（每行一项，一次性告知；与材料清单同名的按清单材料核对）",
                              widget=forms.Textarea(attrs=TEXTAREA))
    note = _note("补正要求")

    def clean_missing(self):
        lines = [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]
        limit = SupplementItem._meta.get_field("name").max_length
        too_long = [line for line in lines if len(line) > limit]
        if too_long:
            raise ValidationError(f"每项材料名称不能超过{limit}个字（“{too_long[0][:20]}…”为{len(too_long[0])}个字）")
        if len(lines) > MISSING_MAX_ITEMS:
            raise ValidationError(f"一次补正告知最多列明{MISSING_MAX_ITEMS}项材料")
        return lines


class SupplementItemForm(forms.Form):
    """The officer records one listed item as received (已收到) or no longer needed (不再需要)."""

    item_id = forms.IntegerField(label="补正材料", widget=forms.HiddenInput, min_value=1)
    state = forms.ChoiceField(label="登记为", choices=[(SupplementItem.State.RECEIVED, "已收到"),
                                                    (SupplementItem.State.WAIVED, "不再需要")])
    note = forms.CharField(label="说明", max_length=SupplementItem._meta.get_field("note").max_length,
                           required=False)


class RejectForm(forms.Form):
    reason = _note("不予受理理由及法律依据")


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(label="特别程序")
    reason = _note("原因（将书面告知申请人）")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SpecialProcedure.choices)
        self.fields["kind"].choices = [(k, labels.get(k, k)) for k in sorted(kinds)]


class ResumeForm(forms.Form):
    result = _note("特别程序结果")


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长工作日", min_value=1)
    reason = _note("延期理由（将告知申请人）")

    def __init__(self, *args, limit: int, basis: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["days"]
        field.validators.append(_max_days(limit, basis))
        field.widget.attrs["max"] = str(max(limit, 1))
        field.help_text = f"该事项最多延长{limit}个工作日（{basis}），只能延期一次，须在办结期限届满前决定"


class DecideForm(forms.Form):
    # Nothing pre-selected: a decision is made, never defaulted (the officer picks 准予 or 不予).
    decision = forms.ChoiceField(label="决定", choices=Decision.choices,
                                 widget=forms.RadioSelect)
    reason = _note("理由（不予许可时必填）")


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=Delivery.choices)
    tracking_no = forms.CharField(label="快递单号（邮寄时填写）", max_length=40, required=False)


class WindowSupplementForm(forms.Form):
    """The applicant hands the missing papers in at the window (窗口代收补正材料)."""

    paper_materials = forms.TypedMultipleChoiceField(label="已收纸质材料", coerce=int, required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    note = _note("补正说明")

    def __init__(self, *args, paper_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper_materials"].choices = list(paper_choices)


class WithdrawForm(forms.Form):
    """撤回 on the applicant's behalf (their written request in hand): the agent or the window."""

    reason = forms.CharField(label="撤回原因（申请人书面申请）", widget=forms.Textarea(attrs={"rows": 2}))


def _max_days(limit: int, basis: str):
    def check(value):
        if value is not None and value > limit:
            raise ValidationError(f"该事项最多延长{limit}个工作日（{basis}）")
    return check


TEXT_FIELDS = ("note", "reason", "result")


def _cap_text(form: forms.Form, limit: int) -> None:
    """Free-text fields carry the policy's maximum (``text_max_chars``), in the browser too."""
    for name in TEXT_FIELDS:
        field = form.fields.get(name)
        if field is not None and field.max_length is None:
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)


def action_form(action: str, *, plan: Plan, missing_required: list[tuple[int, str]],
                supplement_choices: list[tuple[int, str]] = (), text_max: int = TEXT_MAX_CEILING,
                data=None) -> forms.Form:
    """The form of one officer action, with its choices and pre-filled values (ids unique per action).

    ``supplement_choices``: the listed materials of the open 补正告知 still pending.
    """
    form = _action_form(action, plan=plan, missing_required=missing_required,
                        supplement_choices=supplement_choices, data=data)
    _cap_text(form, text_max)
    form.auto_id = f"act-{action}-%s"
    return form


def _action_form(action, *, plan, missing_required, supplement_choices, data):
    if action == "accept":
        return AcceptForm(data, paper_choices=missing_required)
    if action == "request_supplement":
        return SupplementRequestForm(data, initial={"missing": "\n".join(n for _, n in missing_required)})
    if action == "reject":
        return RejectForm(data)
    if action == "suspend":
        return SuspendForm(data, kinds=plan.special_procedures)
    if action == "resume":
        return ResumeForm(data)
    if action == "extend":
        return ExtendForm(data, initial={"days": plan.extension_limit}, limit=plan.extension_limit,
                          basis=plan.extension_basis)
    if action == "decide":
        return DecideForm(data)
    if action == "deliver":
        return DeliverForm(data)
    if action == "supplement":
        return WindowSupplementForm(data, paper_choices=list(supplement_choices) or missing_required
                                    or list(plan.materials.items()))
    if action == "supplement_item":
        return SupplementItemForm(data)
    if action == "withdraw":
        return WithdrawForm(data)
    return NoteForm(data)


ACTION_FORMS = frozenset({"prereview", "accept", "request_supplement", "supplement_item", "reject", "review",
                          "suspend", "resume", "extend", "decide", "complete", "deliver", "supplement",
                          "withdraw"})
