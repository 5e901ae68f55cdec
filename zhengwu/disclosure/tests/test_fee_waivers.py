"""减免信息处理费: on the body's grounds (editable rows), with the reason, the decider and the proof on file.

The 11th request of a month costs 100 元 (按件); the head of the disclosure office may reduce or waive
it while it is unpaid. A whole waiver restarts the clock as a payment would; the notice says so.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.core.testing import image_bytes, pdf_bytes
from zhengwu.disclosure import services as s
from zhengwu.disclosure.documents import fee_notice_html
from zhengwu.disclosure.models import (
    ClockStop,
    FeeWaiverReason,
    InfoRequest,
    ReqStatus,
    RequestAttachment,
    RequestEvent,
)
from zhengwu.disclosure.tables import own_tables

from .factories import build_world, person

pytestmark = pytest.mark.django_db
D = dt.date
PDF = pdf_bytes()
JPG = image_bytes("JPEG")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def w():
    """Eleven requests of 张三 in May; the 11th has a fee notice of 100 元 (and a 低保证 copy attached)."""
    w = build_world()
    with clock.frozen(D(2026, 5, 11)):
        reqs = [s.request_file(body=w.scj, applicant=person(), description=f"第{i}项信息", channel="in_person",
                               officer=w.officer) for i in range(1, 11)]
        w.req = s.request_file(body=w.scj, applicant=person(), description="第11项信息", channel="online",
                               user=w.citizen, files=[SimpleUploadedFile("低保证.jpg", JPG, "image/jpeg")])
        s.request_confirm_receipt(request=w.req, officer=w.officer)
        s.request_assess_fee(request=w.req, officer=w.officer, method="per_request")
    w.first = reqs[0]
    assert (w.req.status, w.req.fee_amount, w.req.fee_pay_due) == (ReqStatus.FEE_NOTICE, Decimal("100.00"),
                                                                   D(2026, 6, 8))
    return w


def proof(name="低保证明.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def test_the_grounds_are_seeded_rows_with_whether_proof_is_required():
    assert list(FeeWaiverReason.objects.values_list("code", "name", "requires_proof")) == [
        ("dibao", "城乡居民最低生活保障对象", True),
        ("tekun", "特困供养人员（原农村五保供养对象）", True),
        ("youfu", "领取国家抚恤补助的优抚对象", True),
        ("other", "其他生活困难等特殊情形", False)]


def test_a_whole_waiver_for_a_dibao_recipient_restarts_the_clock_and_is_on_the_notice(
        w, django_capture_on_commit_callbacks):
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 5, 13)), django_capture_on_commit_callbacks(execute=True):
        s.request_waive_fee(request=w.req, approver=w.head, reason_code="dibao", note="低保证号 1301-0042，已电话核实",
                            files=[proof()])
    req = InfoRequest.objects.get(pk=w.req.pk)
    assert (req.status, req.fee_waiver_reason.code, req.fee_waived_amount, req.fee_payable, req.fee_waiver_note,
            req.fee_waived_by, req.fee_waived_on, req.fee_paid_on) == (
        ReqStatus.PROCESSING, "dibao", Decimal("100.00"), Decimal("0.00"), "低保证号 1301-0042，已电话核实",
        w.head, D(2026, 5, 13), None)
    # The fee stop 05-11…05-13 is not counted: 20 working days from 05-11 end on 06-08, two more → 06-10.
    assert list(ClockStop.objects.filter(request=req).values_list("kind", "start_on", "end_on")) == [
        ("fee", D(2026, 5, 11), D(2026, 5, 13))]
    assert req.due_date == D(2026, 6, 10)
    assert list(req.attachments.values_list("kind", "name", "uploaded_by_name")) == [
        ("application", "低保证.jpg", "张三"), ("waiver_proof", "低保证明.pdf", "周主任")]
    event = req.events.get(action="fee_waive")
    assert (event.label, event.actor_name, event.note, event.data) == (
        "减免信息处理费", "周主任", "城乡居民最低生活保障对象：低保证号 1301-0042，已电话核实；减免100.00元，应缴0.00元",
        {"reason": "dibao", "waived": "100.00", "payable": "0.00", "proof": ["低保证明.pdf"]})
    (sms,) = [m.text for m in ConsoleNotifier.sent if m.kind == "gk_fee_waived"]
    assert sms == (f"您的政府信息公开申请（{req.request_no}）的信息处理费100.00元已全部免收（城乡居民最低生活保障对象），"
                   "无需缴纳。我们将在2026年6月10日前答复。")
    html = fee_notice_html(req)
    assert "核定金额 100.00 元" in html
    assert ("经审核，您属于“城乡居民最低生活保障对象”（低保证号 1301-0042，已电话核实），本机关于2026年5月13日决定减免"
            "信息处理费 100.00 元（决定人：周主任），减免后应缴金额 <strong>0.00 元</strong>。") in html
    assert "您无需缴纳信息处理费" in html and "逾期未缴纳的" not in html


def test_a_partial_waiver_on_the_applicants_own_proof_leaves_the_rest_to_pay(w, client):
    att = w.req.attachments.get()
    with clock.frozen(D(2026, 5, 13)):
        s.request_waive_fee(request=w.req, approver=w.head, reason_code="dibao", note="凭申请时提交的低保证",
                            amount="60", proof_ids=[str(att.pk)])
    assert (w.req.status, w.req.fee_waived_amount, w.req.fee_payable) == (
        ReqStatus.FEE_NOTICE, Decimal("60.00"), Decimal("40.00"))
    assert w.req.events.get(action="fee_waive").data["proof"] == ["低保证.jpg"]
    assert RequestAttachment.objects.filter(request=w.req).count() == 1
    html = fee_notice_html(w.req)
    assert "减免后应缴金额 <strong>40.00 元</strong>" in html and "请您自收到本通知之日起二十个工作日内" in html
    client.force_login(w.officer.user)
    page = client.get(f"/gk/work/requests/{w.req.request_no}/").content.decode()
    assert "按件计收，100.00 元，缴费期限 2026-06-08；减免 60.00 元（城乡居民最低生活保障对象，2026-05-13），应缴 40.00 元" in page
    assert "已缴纳 40.00 元" in page
    with clock.frozen(D(2026, 5, 14)):
        s.request_record_payment(request=w.req, officer=w.officer)
    assert w.req.events.get(action="fee_paid").note == "40.00元"
    # The year's report counts what was paid, not what was assessed.
    assert own_tables(w.scj, 2026)["summary"]["信息处理费（元）"] == 40.0


def test_the_head_waives_on_the_workbench_page(w, client):
    client.force_login(w.head.user)
    page = client.get(f"/gk/work/requests/{w.req.request_no}/").content.decode()
    assert 'data-action="waive_fee"' in page and "城乡居民最低生活保障对象（须证明材料：最低生活保障证" in page
    with clock.frozen(D(2026, 5, 13)):
        resp = client.post(f"/gk/work/requests/{w.req.request_no}/act/waive_fee/", {
            "waiver_reason": "other", "amount": "", "note": "申请人为重病患者家属，经社区核实"}, follow=True)
    assert "已办理" in resp.content.decode()
    req = InfoRequest.objects.get(pk=w.req.pk)
    assert (req.status, req.fee_waiver_reason.code, req.fee_waived_amount) == (
        ReqStatus.PROCESSING, "other", Decimal("100.00"))
    # The officer (not the head) sees no waiver form.
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 5, 13)):
        assert 'data-action="waive_fee"' not in client.get(f"/gk/work/requests/{w.first.request_no}/").content.decode()


def test_whether_proof_is_required_is_data_an_admin_edits(w):
    FeeWaiverReason.objects.filter(code="dibao").update(requires_proof=False)
    with clock.frozen(D(2026, 5, 13)):
        s.request_waive_fee(request=w.req, approver=w.head, reason_code="dibao", note="民政系统已查询核实")
    assert w.req.fee_waiver_reason.code == "dibao"


def _refused(w, media, message, *, request=None, **kwargs):
    req = request or w.req
    before = InfoRequest.objects.filter(pk=req.pk).values().get()
    counts = (RequestEvent.objects.count(), RequestAttachment.objects.count(), ClockStop.objects.count())
    on_disk = sorted(p for p in media.rglob("*") if p.is_file())
    args = {"approver": w.head, "reason_code": "dibao", "note": "低保", "files": [proof()], **kwargs}
    with clock.frozen(kwargs.pop("today", D(2026, 5, 13))), pytest.raises(DomainError) as exc:
        s.request_waive_fee(request=req, **{k: v for k, v in args.items() if k != "today"})
    assert exc.value.message == message
    assert InfoRequest.objects.filter(pk=req.pk).values().get() == before
    assert (RequestEvent.objects.count(), RequestAttachment.objects.count(), ClockStop.objects.count()) == counts
    assert sorted(p for p in media.rglob("*") if p.is_file()) == on_disk


def test_only_the_head_of_the_disclosure_office_decides(w, media):
    _refused(w, media, "“减免信息处理费”应由示范县市场监督管理局的公开工作机构负责人办理", approver=w.officer)
    _refused(w, media, "您不是示范县市场监督管理局的政务公开工作人员，不能减免信息处理费", approver=w.outsider)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reason_code": "rich"}, "请选择减免情形：城乡居民最低生活保障对象、特困供养人员（原农村五保供养对象）、"
                              "领取国家抚恤补助的优抚对象、其他生活困难等特殊情形"),
    ({"note": "  "}, "请写明减免理由（申请人的具体情形和核实情况）"),
    ({"files": []}, "“城乡居民最低生活保障对象”须提供证明材料（最低生活保障证，或乡镇人民政府（街道办事处）出具的证明）："
                    "请上传，或勾选申请人已提交的材料"),
    ({"amount": "100.01"}, "减免金额应大于0元且不超过应缴金额100.00元"),
    ({"amount": "0"}, "减免金额应大于0元且不超过应缴金额100.00元"),
    ({"amount": "abc"}, "减免金额“abc”不是有效的金额"),
    ({"files": [proof(), SimpleUploadedFile("证明.pdf", b"not a pdf", "application/pdf")]},
     "文件“证明.pdf”不是可以打开的PDF 文件（内容已损坏或与扩展名不符），请上传真实、完整的 PDF 文件"),
    ({"today": D(2026, 6, 9)}, "缴费期限已于2026-06-08届满，申请视为放弃"),
])
def test_a_refused_waiver_changes_nothing(w, media, kwargs, message):
    _refused(w, media, message, **kwargs)


def test_a_proof_of_another_request_is_refused(w, media):
    with clock.frozen(D(2026, 5, 11)):
        other = s.request_file(body=w.scj, applicant=person(), description="别的申请", channel="online",
                               user=w.citizen, files=[proof("别人的证明.pdf")])
    _refused(w, media, "所选证明材料不属于该申请", files=[], proof_ids=[str(other.attachments.get().pk)])


def test_only_an_unpaid_fee_is_waived_and_only_once(w, media):
    _refused(w, media, "当前状态为“办理中”，只有待缴费的申请可以减免信息处理费", request=w.first)
    with clock.frozen(D(2026, 5, 13)):
        s.request_waive_fee(request=w.req, approver=w.head, reason_code="other", note="经核实生活困难", amount="50")
    _refused(w, media, "该申请已于2026-05-13减免信息处理费")


def test_the_guide_tells_the_public_the_grounds_in_force(client):
    FeeWaiverReason.objects.filter(code="youfu").update(is_active=False)
    build_world()
    guide = client.get("/gk/SFXSCJ/guide/").content.decode()
    assert ("可以在缴费期限内申请减免信息处理费，由本机关政府信息公开工作机构负责人审核决定：城乡居民最低生活保障对象"
            "（须提供最低生活保障证，或乡镇人民政府（街道办事处）出具的证明）；特困供养人员（原农村五保供养对象）"
            "（须提供特困人员救助供养证，或乡镇人民政府（街道办事处）出具的证明）；其他生活困难等特殊情形。") in guide


def test_the_api_waives_on_a_ticked_proof_and_refuses_with_the_message(w, client):
    from zhengwu.accounts.models import ApiToken

    url = f"/api/disclosure/requests/{w.req.request_no}/actions/waive_fee"
    head = {"Authorization": f"Bearer {ApiToken.issue(user=w.head.user, name='测试')[1]}"}
    with clock.frozen(D(2026, 5, 13)):
        resp = client.post(url, {"waiver_reason": "dibao", "note": "低保"}, content_type="application/json",
                           HTTP_AUTHORIZATION=head["Authorization"])
        assert (resp.status_code, resp.json()["code"]) == (400, "waiver_proof_required")
        assert InfoRequest.objects.get(pk=w.req.pk).fee_waiver_reason is None
        att = w.req.attachments.get()
        resp = client.post(url, {"waiver_reason": "dibao", "note": "低保", "amount": "30", "proof": str(att.pk)},
                           content_type="application/json", HTTP_AUTHORIZATION=head["Authorization"])
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["status"], body["fee_waiver_reason"], body["fee_waived_amount"], body["fee_payable"]) == (
        "fee_notice", "城乡居民最低生活保障对象", "30.00", "70.00")
