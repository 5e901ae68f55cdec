"""Every refused input: the exact code and Chinese message, and nothing changed in the database."""

import contextlib
import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.cases import services as s
from zhengwu.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseMaterial,
    ClockStop,
    Extension,
    FeeLine,
    Status,
    SupplementRequest,
)
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.testing import pdf_bytes, upload
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .factories import USCC, applicant, build_world, pdf

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 2)  # a Monday

PHONE_MSG = "联系电话应为11位手机号码或带区号的固定电话（如 0311-85012345）"
SCOPE_MSG = "该办件不属于您所在部门或大厅，您无权办理"
FOR_APPLICANT_MSG = "只有申请人本人、代办员或受理窗口可以为该办件操作"
TYPES = "pdf、jpg、jpeg、png、ofd、doc、docx、xls、xlsx"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def w(settings):
    # The world has eight user accounts; the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_world()


@pytest.fixture
def media(settings, tmp_path):
    """Uploads land in an empty directory, so a test can show none was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot(case: Case | None = None) -> dict:
    """Row counts of everything a case action writes, the counters, and the case as stored."""
    snap: dict = {m.__name__: m.objects.count() for m in (Case, CaseEvent, CaseMaterial, FeeLine, ClockStop,
                                                           SupplementRequest, Extension)}
    snap["counters"] = list(CaseCounter.objects.order_by("hall_id", "day").values_list("hall_id", "day", "last"))
    if case is not None:
        snap["case"] = Case.objects.filter(pk=case.pk).values(
            "status", "row_version", "due_date", "current_step", "accepted_on", "extension_days", "decision",
            "rejection_reason", "closed_at",
        ).get()
    return snap


@contextlib.contextmanager
def refused(code: str, message: str, case: Case | None = None):
    """The block must raise DomainError(code, message) and leave the database as it found it."""
    before = snapshot(case)
    with pytest.raises(DomainError) as exc:
        yield exc
    assert (exc.value.code, exc.value.message) == (code, message)
    assert snapshot(case) == before


def submitted(w) -> Case:
    """An online application without files, waiting for 预审."""
    return s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)


def pending(w) -> Case:
    """An application typed in at the window, waiting for 受理."""
    return s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)


def in_review(w, step: int = 2) -> Case:
    """Accepted (paper originals received at the window) and moved on to ``step``."""
    case = pending(w)
    s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    if step == 3:
        s.case_review(case=case, officer=w.chief)
    assert (case.status, case.current_step) == (Status.IN_REVIEW, step)
    return case


def in_supplement(w) -> Case:
    case = submitted(w)
    s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所平面图"])
    return case


# -- the applicant ------------------------------------------------------------------------------------


LEGAL = dict(kind="legal", name="示范县好味道餐饮有限公司", phone="0311-87654321", legal_rep="张三", id_number="")


@pytest.mark.parametrize(
    ("who", "code", "message"),
    [
        pytest.param(applicant(id_number="110105194912310021"), "invalid_id_number",
                     "身份证号校验位错误，请核对后重新输入", id="id-check-digit"),
        pytest.param(applicant(id_number="110105194902300020"), "invalid_id_number",
                     "身份证号中的出生日期 19490230 不是有效日期", id="id-birth-0230"),
        pytest.param(applicant(id_number="11010519491231002"), "invalid_id_number",
                     "身份证号应为18位，前17位为数字，最后一位为数字或X", id="id-17-digits"),
        pytest.param(applicant(**LEGAL, uscc=USCC[:-1] + "4"), "invalid_uscc",
                     "统一社会信用代码校验位错误，请核对后重新输入", id="uscc-check-char"),
        pytest.param(applicant(**LEGAL, uscc=USCC.replace("M", "I")), "invalid_uscc",
                     "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V）", id="uscc-letter-I"),
        pytest.param(applicant(**{**LEGAL, "legal_rep": ""}, uscc=USCC), "legal_rep", "法人申请请填写法定代表人",
                     id="legal-without-rep"),
        pytest.param(applicant(phone="12812345678"), "invalid_phone", PHONE_MSG, id="phone-12x"),
        pytest.param(applicant(phone="1381234567"), "invalid_phone", PHONE_MSG, id="phone-10-digits"),
        pytest.param(applicant(phone="010-1234567"), "invalid_phone", PHONE_MSG, id="landline-starts-1"),
        pytest.param(applicant(phone="+1 415 555 0100"), "invalid_phone", PHONE_MSG, id="phone-foreign"),
        pytest.param(applicant(name="  "), "applicant_name", "请填写申请人姓名或单位名称", id="no-name"),
    ],
)
@pytest.mark.parametrize("channel", ["online", "window"])
def test_submit_refuses_a_bad_applicant(w, who, code, message, channel):
    by = {"user": w.citizen} if channel == "online" else {"officer": w.officer}
    with refused(code, message):
        s.case_submit(item=w.item, applicant=who, channel=channel, **by)


@pytest.mark.parametrize("depth", [1, 2])
def test_online_application_needs_an_item_that_takes_them_online(depth):
    """网办深度 1–2 (咨询, 预约/下载表格) items are applied for at a window, not online."""
    w = build_world(online_depth=depth)
    with refused("not_online", "事项“食品经营许可证核发”暂不支持网上申请，请携带材料到窗口办理（可先网上预约）"):
        s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    assert case.status == Status.PENDING


# -- uploaded files ------------------------------------------------------------------------------------


def exe():
    return SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/x-msdownload")


def fake_pdf():
    return SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00 this is a program, not a PDF",
                              content_type="application/pdf")


def pdf_then_exe():
    """A ``%PDF`` header with an executable behind it: the old magic-byte check stored it."""
    return SimpleUploadedFile("发票.pdf", b"%PDF-1.7\n" + b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8 + b"MZ\x90\x00")


def truncated_pdf():
    data = pdf_bytes()
    return SimpleUploadedFile("截断.pdf", data[: len(data) // 2])


def random_docx():
    return SimpleUploadedFile("申请书.docx", b"PK\x03\x04" + random.Random(11).randbytes(2000))


NOT_A_PDF = "文件“{name}”不是可以打开的PDF 文件（内容已损坏或与扩展名不符），请上传真实、完整的 PDF 文件"

UPLOADS = [
    pytest.param(exe, "file_type", f"文件“setup.exe”的类型不允许上传，仅支持：{TYPES}", id="exe"),
    pytest.param(fake_pdf, "file_content", NOT_A_PDF.format(name="营业执照.pdf"), id="pdf-not-a-pdf"),
    pytest.param(pdf_then_exe, "file_content", NOT_A_PDF.format(name="发票.pdf"), id="pdf-header-then-executable"),
    pytest.param(truncated_pdf, "file_content", NOT_A_PDF.format(name="截断.pdf"), id="truncated-pdf"),
    pytest.param(random_docx, "file_content", "文件“申请书.docx”不是可以打开的Word 文档（内容已损坏或与扩展名不符），"
                 "请上传真实、完整的 DOCX 文件", id="random-bytes-docx"),
    pytest.param(lambda: pdf("平面图.pdf", size=1_572_864), "file_too_large",
                 "文件“平面图.pdf”大小为 1.5 MB，超过 1 MB 的上限", id="oversize"),
    pytest.param(lambda: SimpleUploadedFile("空.pdf", b""), "file_empty", "文件“空.pdf”是空文件", id="empty"),
]


@pytest.mark.parametrize(("make", "code", "message"), UPLOADS)
def test_submit_refuses_a_bad_file(w, settings, media, make, code, message):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1_048_576
    files = [(w.m1.pk, pdf("申请书.pdf")), (w.m2.pk, make())]
    with refused(code, message):
        s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen, files=files)
    assert not media.exists() or not any(media.rglob("*"))


@pytest.mark.parametrize(("make", "code", "message"), UPLOADS)
def test_supplement_refuses_a_bad_file(w, settings, media, make, code, message):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1_048_576
    case = in_supplement(w)
    with refused(code, message, case):
        s.case_supplement(case=case, user=w.citizen, files=[(w.m2.pk, make())], note="补交平面图")
    assert not media.exists() or not any(media.rglob("*"))


@pytest.mark.parametrize("name", ["平面图.pdf", "平面图.png", "平面图.jpg", "平面图.docx"])
def test_submit_accepts_a_real_file_of_each_allowed_type(w, media, name):
    files = [(w.m1.pk, pdf("申请书.pdf")), (w.m2.pk, upload(name))]
    case = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen, files=files)
    stored = CaseMaterial.objects.get(case=case, material=w.m2)
    assert stored.file.name.endswith("." + name.rsplit(".", 1)[1])
    with stored.file.open("rb") as fh:
        assert fh.read() == upload(name).read()


def test_submit_refuses_a_file_for_a_material_of_another_item(w, media):
    other = w.immediate.current.materials.get()
    with refused("unknown_material", "上传的材料不属于该事项的材料清单"):
        s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                      files=[(other.pk, pdf())])


# -- acceptance --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paper", "missing"),
    [
        pytest.param([], ["食品经营许可申请书", "经营场所平面图"], id="none"),
        pytest.param(["m1"], ["经营场所平面图"], id="plan-missing"),
        pytest.param(["m3"], ["食品经营许可申请书", "经营场所平面图"], id="only-optional"),
    ],
)
def test_accept_refuses_missing_required_materials_and_names_them_all(w, paper, missing):
    case = submitted(w)
    with refused("materials_missing", f"缺少必要材料：{'、'.join(missing)}。请一次性告知申请人补正后再受理",
                 case) as exc:
        s.case_accept(case=case, officer=w.officer, paper_materials=[getattr(w, m).pk for m in paper])
    assert exc.value.details == {"missing": missing}


# -- state ------------------------------------------------------------------------------------------


def test_accept_twice_is_refused(w):
    case = pending(w)
    s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    with refused("bad_state", "办件当前状态为“审查中”，不能受理", case) as exc:
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    assert exc.value.status == 409


@pytest.mark.parametrize(
    ("state", "act", "message"),
    [
        pytest.param("pending", lambda w, c: s.case_decide(case=c, officer=w.head, decision="approve"),
                     "办件当前状态为“待受理”，不能作出决定", id="decide-pending"),
        pytest.param("pending", lambda w, c: s.case_prereview(case=c, officer=w.officer),
                     "办件当前状态为“待受理”，不能预审通过", id="prereview-pending"),
        pytest.param("submitted", lambda w, c: s.case_review(case=c, officer=w.officer),
                     "办件当前状态为“待预审”，不能审查通过，转下一环节", id="review-submitted"),
        pytest.param("in_review", lambda w, c: s.case_complete(case=c, officer=w.officer),
                     "办件当前状态为“审查中”，不能办结", id="complete-in-review"),
        pytest.param("in_review", lambda w, c: s.case_reject(case=c, officer=w.officer, reason="不符合条件"),
                     "办件当前状态为“审查中”，不能不予受理", id="reject-in-review"),
        pytest.param("in_review", lambda w, c: s.case_resume(case=c, officer=w.chief, result="完成"),
                     "办件当前状态为“审查中”，不能特别程序结束", id="resume-not-suspended"),
        pytest.param("submitted", lambda w, c: s.case_supplement(case=c, user=w.citizen, note="补交"),
                     "办件当前状态为“待预审”，不能补正材料", id="supplement-not-asked"),
        pytest.param("submitted", lambda w, c: s.case_deliver(case=c, officer=w.officer, method="pickup"),
                     "办件当前状态为“待预审”，不能送达", id="deliver-submitted"),
    ],
)
def test_action_not_allowed_in_current_state(w, state, act, message):
    case = {"submitted": submitted, "pending": pending, "in_review": in_review}[state](w)
    with refused("bad_state", message, case):
        act(w, case)


def test_withdraw_after_completion_is_refused(w):
    case = in_review(w, step=3)
    s.case_decide(case=case, officer=w.head, decision="approve")
    s.case_complete(case=case, officer=w.officer)
    with refused("bad_state", "办件当前状态为“已办结”，不能撤回申请", case):
        s.case_withdraw(case=case, user=w.citizen, reason="不办了")


def test_reject_after_acceptance_during_a_review_supplement_is_refused(w):
    case = in_review(w)
    s.case_request_supplement(case=case, officer=w.chief, missing=["经营场所产权证明"])
    with refused("already_accepted", "办件已受理，不能再作不予受理；请在决定环节作出不予许可决定", case):
        s.case_reject(case=case, officer=w.officer, reason="不符合条件")


def test_review_at_the_decision_step_is_refused(w):
    case = in_review(w, step=3)
    with refused("decision_step", "当前环节“批准”为决定环节，请作出决定", case):
        s.case_review(case=case, officer=w.head)


def test_decide_before_the_decision_step_is_refused(w):
    case = in_review(w, step=2)
    with refused("not_decision_step", "当前环节为“审核”，尚未到决定环节", case):
        s.case_decide(case=case, officer=w.chief, decision="approve")


# -- who may act ----------------------------------------------------------------------------------------


@pytest.fixture
def town_officer(w):
    """Same department, but stationed in the town center, not the county hall."""
    return f.staff("1010", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="郑镇窗口")


@pytest.mark.parametrize("who", ["outsider", "town_officer", "leader"])
def test_officer_outside_department_or_hall_cannot_accept(w, town_officer, who):
    case = pending(w)
    officer = town_officer if who == "town_officer" else getattr(w, who)
    with refused("out_of_scope", SCOPE_MSG, case):
        s.case_accept(case=case, officer=officer, paper_materials=[w.m1.pk, w.m2.pk])


def test_outsider_cannot_review(w):
    case = in_review(w)
    with refused("out_of_scope", SCOPE_MSG, case):
        s.case_review(case=case, officer=w.outsider)


def test_outsider_cannot_take_in_an_application_at_the_window(w):
    with refused("out_of_scope", "该事项不属于您所在部门或大厅，您无权受理"):
        s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.outsider)


def test_only_a_village_agent_may_submit_as_agent(w):
    with refused("not_agent", "只有便民服务站的代办员可以代办申请"):
        s.case_submit(item=w.item, applicant=applicant(), channel="agent", agent=w.officer)


@pytest.mark.parametrize(
    ("step", "act", "message"),
    [
        pytest.param(2, lambda w, c: s.case_review(case=c, officer=w.officer), "当前环节“审核”应由首席代表办理",
                     id="window-officer-does-audit"),
        pytest.param(2, lambda w, c: s.case_review(case=c, officer=w.head), "当前环节“审核”应由首席代表办理",
                     id="head-does-audit"),
        pytest.param(3, lambda w, c: s.case_decide(case=c, officer=w.chief, decision="approve"),
                     "当前环节“批准”应由部门负责人办理", id="chief-decides"),
    ],
)
def test_wrong_role_for_the_step(w, step, act, message):
    case = in_review(w, step=step)
    with refused("wrong_role", message, case):
        act(w, case)


def test_head_cannot_accept_at_the_window(w):
    case = pending(w)
    with refused("wrong_role", "“受理”应由首席代表、窗口人员办理", case):
        s.case_accept(case=case, officer=w.head, paper_materials=[w.m1.pk, w.m2.pk])


@pytest.mark.parametrize("who", ["chief", "officer"])
def test_extension_by_someone_other_than_the_head(w, who):
    case = in_review(w)
    with refused("wrong_role", "“延期”应由部门负责人办理", case):
        s.case_extend(case=case, head=getattr(w, who), reason="需征求相关部门意见")


def test_second_extension_is_refused(w):
    case = in_review(w)
    s.case_extend(case=case, head=w.head, reason="需征求相关部门意见")
    with refused("already_extended", "该办件已延期，不能再次延期", case) as exc:
        s.case_extend(case=case, head=w.head, reason="仍需征求意见")
    assert exc.value.status == 409


@pytest.mark.parametrize("days", [0, 11, 61])
def test_extension_days_out_of_range(w, days):
    case = in_review(w)
    with refused("extension_days", "该事项最多可延长10个工作日（行政许可法第四十二条），请填写1至10之间的天数", case):
        s.case_extend(case=case, head=w.head, reason="需征求相关部门意见", days=days)


@pytest.fixture
def stranger(w):
    return get_user_model().objects.create_user(username="stranger", password="pass-123456", real_name="路人")


def test_withdrawal_by_another_citizen(w, stranger):
    case = submitted(w)
    with refused("forbidden", FOR_APPLICANT_MSG, case):
        s.case_withdraw(case=case, user=stranger, reason="替别人撤回")


def test_withdrawal_by_an_officer_of_another_department(w):
    case = submitted(w)
    with refused("forbidden", FOR_APPLICANT_MSG, case):
        s.case_withdraw(case=case, officer=w.outsider, reason="替别人撤回")


def test_supplement_by_another_citizen(w, stranger):
    case = in_supplement(w)
    with refused("forbidden", FOR_APPLICANT_MSG, case):
        s.case_supplement(case=case, user=stranger, note="补交平面图")


def test_applicant_cannot_declare_paper_originals_received(w):
    """Only staff who hold the papers may record them; otherwise an applicant could skip the check."""
    case = in_supplement(w)
    with refused("paper_by_staff", "纸质材料须由窗口或代办员核收后登记，申请人请上传材料文件", case):
        s.case_supplement(case=case, user=w.citizen, paper_materials=[w.m1.pk, w.m2.pk], note="原件已交")


def test_applicant_uploads_files_one_by_one_while_in_supplement_then_sends_it(w, media):
    case = in_supplement(w)
    s.case_add_materials(case=case, user=w.citizen, files=[(w.m2.pk, pdf("平面图.pdf"))])
    assert case.status == Status.SUPPLEMENT
    s.case_supplement(case=case, user=w.citizen, note="平面图已上传")
    assert case.status == Status.PENDING
    assert CaseMaterial.objects.filter(case=case, material=w.m2).exists()


# -- reasons and choices ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason(w, reason):
    case = pending(w)
    with refused("reason_required", "不予受理必须说明理由和法律依据", case):
        s.case_reject(case=case, officer=w.officer, reason=reason)


@pytest.mark.parametrize("reason", ["", " \n "])
def test_deny_decision_without_reason(w, reason):
    case = in_review(w, step=3)
    with refused("reason_required", "作出不予许可决定必须说明理由", case):
        s.case_decide(case=case, officer=w.head, decision="deny", reason=reason)


def test_unknown_decision(w):
    case = in_review(w, step=3)
    with refused("decision", "决定应为准予或不予", case):
        s.case_decide(case=case, officer=w.head, decision="maybe")


@pytest.mark.parametrize(
    ("kind", "reason", "code", "message"),
    [
        pytest.param("hearing", "需听证", "procedure_not_allowed",
                     "该事项的实施清单未设定“听证”特别程序，不能中止计时", id="not-set-for-item"),
        pytest.param("picnic", "需踏勘", "procedure_kind",
                     "特别程序应为听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、现场踏勘或中介服务", id="unknown-kind"),
        pytest.param("site_survey", " ", "reason_required", "启动特别程序须写明原因（将书面告知申请人）",
                     id="no-reason"),
    ],
)
def test_special_procedure_refusals(w, kind, reason, code, message):
    case = in_review(w)
    with refused(code, message, case):
        s.case_suspend(case=case, officer=w.chief, kind=kind, reason=reason)


def test_supplement_with_nothing(w):
    case = in_supplement(w)
    with refused("supplement_empty", "请上传补正材料或填写补正说明", case):
        s.case_supplement(case=case, user=w.citizen)


@pytest.mark.parametrize("missing", [[], ["", "  "]])
def test_request_supplement_without_listing_anything(w, missing):
    case = submitted(w)
    with refused("missing_empty", "请一次性列明需要补正的全部材料", case):
        s.case_request_supplement(case=case, officer=w.officer, missing=missing)


def test_post_delivery_without_tracking_number(w):
    case = in_review(w, step=3)
    s.case_decide(case=case, officer=w.head, decision="approve")
    s.case_complete(case=case, officer=w.officer)
    with refused("tracking_required", "邮寄送达须填写快递单号", case):
        s.case_deliver(case=case, officer=w.officer, method="post", tracking_no=" ")


# -- stale copies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "code", "message"),
    [
        # Both copies think the case waits for 预审; the first moves it to 待受理, from which the
        # second's action would also be allowed: the guarded UPDATE finds a newer row_version.
        pytest.param("prereview", "accept", "conflict", "办件刚刚被其他人更新，请刷新后重试", id="conflict"),
        pytest.param("prereview", "request_supplement", "conflict", "办件刚刚被其他人更新，请刷新后重试",
                     id="conflict-supplement"),
        # The first accepts; the second's accept is no longer allowed at all.
        pytest.param("accept", "accept", "bad_state", "办件当前状态为“审查中”，不能受理", id="bad-state"),
        pytest.param("accept", "reject", "bad_state", "办件当前状态为“审查中”，不能不予受理", id="reject-after"),
    ],
)
def test_stale_case_object_is_refused(w, first, second, code, message):
    pk = submitted(w).pk
    copy1 = Case.objects.select_related("hall__region").get(pk=pk)
    copy2 = Case.objects.select_related("hall__region").get(pk=pk)
    actions = {
        "prereview": lambda c, o: s.case_prereview(case=c, officer=o),
        "accept": lambda c, o: s.case_accept(case=c, officer=o, paper_materials=[w.m1.pk, w.m2.pk]),
        "request_supplement": lambda c, o: s.case_request_supplement(case=c, officer=o, missing=["平面图"]),
        "reject": lambda c, o: s.case_reject(case=c, officer=o, reason="不属于本机关职权范围"),
    }
    actions[first](copy1, w.officer)
    assert copy2.row_version == 0 and copy1.row_version == 1
    with refused(code, message, copy1) as exc:
        actions[second](copy2, w.officer2)
    assert exc.value.status == 409
    assert copy2.row_version == 0 and copy2.status == Status.SUBMITTED  # the loser's object is untouched
