"""Case documents (办件文书): what each says, when it exists, who may open it, and the PDF itself."""

import datetime as dt
import subprocess

import pytest
from django.contrib.auth import get_user_model

from zhengwu.cases import services as s
from zhengwu.cases.documents import (
    DOCUMENT_KINDS,
    PROGRESS_HINT,
    document_list,
    render_document_html,
    render_document_pdf,
)
from zhengwu.cases.models import SupplementItem
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.models import AuditEvent

from .factories import PERSON_ID, applicant, build_world, pdf

pytestmark = pytest.mark.django_db
D = dt.date
BASE = "http://zw.example.gov.cn/"
MASKED_ID = PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """build_world makes about ten accounts; the production hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w():
    return build_world()


def submit(w):
    return s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                         files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])


def accepted(w):
    with clock.frozen(D(2026, 3, 10)):
        case = submit(w)
        s.case_accept(case=case, officer=w.officer, window=w.window)
    return case


def full_life(w):
    """Accepted 03-10, 现场踏勘 03-11…03-12, 补正 in review 03-13…03-16, approved and posted 03-17."""
    case = accepted(w)
    with clock.frozen(D(2026, 3, 11)):
        s.case_suspend(case=case, officer=w.chief, kind="site_survey", reason="经营场所需现场核查")
    with clock.frozen(D(2026, 3, 12)):
        s.case_resume(case=case, officer=w.chief, result="现场核查符合要求")
    with clock.frozen(D(2026, 3, 13)):
        s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所产权证明", "食品安全管理制度"],
                                  note="复印件须加盖公章")
    with clock.frozen(D(2026, 3, 16)):
        s.case_supplement(case=case, user=w.citizen, files=[(None, pdf("产权证明.pdf"))])
        # neither is on the item's material list: the window confirms them
        for item in SupplementItem.objects.filter(request__case=case).order_by("seq"):
            s.case_supplement_item(case=case, officer=w.officer, item_id=item.pk, state="received")
    with clock.frozen(D(2026, 3, 17)):
        s.case_review(case=case, officer=w.chief)
        s.case_decide(case=case, officer=w.head, decision="approve")
        s.case_complete(case=case, officer=w.officer)
        s.case_deliver(case=case, officer=w.officer, method="post", tracking_no="SF1234567890")
    case.refresh_from_db()
    return case


def rejected(w):
    with clock.frozen(D(2026, 3, 10)):
        case = submit(w)
        s.case_reject(case=case, officer=w.officer, reason="申请事项依法不属于本机关职权范围")
    return case


def denied(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 12)):
        s.case_review(case=case, officer=w.chief)
        s.case_decide(case=case, officer=w.head, decision="deny", reason="经营场所与有毒有害场所距离不足25米")
    return case


def extended(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 16)):
        s.case_extend(case=case, head=w.head, reason="需征求卫生健康部门意见", days=10)
    case.refresh_from_db()
    return case


def html(case, kind, **kw):
    return render_document_html(case=case, kind=kind, base_url=BASE, **kw)


def _common(text, case):
    assert "示范县市场监督管理局" in text  # the issuer (seal text)
    assert "示范县政务服务中心" in text  # the hall
    assert case.case_no in text
    assert '<svg class="qr"' in text and "<path" in text
    assert PROGRESS_HINT in text
    assert f"{BASE}progress/?case_no={case.case_no}" in text


def test_acceptance_notice(w):
    case = accepted(w)
    text = html(case, "acceptance")
    _common(text, case)
    assert "<h1 class=\"doc-title\">受理通知书</h1>" in text
    assert f"示范县市场监督管理局受〔2026〕{case.case_no}号" in text
    assert "2026年3月10日" in text  # accepted (and issued) on
    # 5 working days from Tue 03-10: 11, 12, 13, 16, 17.
    assert "5个工作日" in text and "2026年3月17日" in text
    assert "5号窗口" in text and "李窗口（工号 1001）" in text
    assert "食品经营许可证核发" in text and "张三" in text
    assert MASKED_ID in text and PERSON_ID not in text
    assert PERSON_ID in html(case, "acceptance", reveal_id=True)


def test_supplement_notice_lists_everything_missing_once(w):
    with clock.frozen(D(2026, 3, 9)):
        case = submit(w)
        s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所产权证明", "健康证明"])
    text = html(case, "supplement")
    _common(text, case)
    assert "<li>经营场所产权证明</li>" in text and "<li>健康证明</li>" in text
    assert "补正材料后重新计算办理时限" in text
    assert "一次性告知" in text and "2026年3月9日" in text


def test_supplement_notice_uses_the_open_request(w):
    case = full_life(w)
    text = html(case, "supplement")
    assert "<li>食品安全管理制度</li>" in text and "复印件须加盖公章" in text
    assert "补正期间不计算在办理时限内" in text and "2026年3月16日" in text  # received on


def test_rejection_decision_with_reason_and_rights(w):
    case = rejected(w)
    text = html(case, "rejection")
    _common(text, case)
    assert "申请事项依法不属于本机关职权范围" in text
    assert "六十日内向示范县人民政府申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    assert "决定不予受理" in text


def test_approval_completion_and_special_procedure(w):
    case = full_life(w)
    approval = html(case, "approval")
    _common(approval, case)
    assert "准予行政许可" in approval and "《食品经营许可证》" in approval and "2026年3月17日" in approval
    assert "行政复议" not in approval

    done = html(case, "completion")
    assert "已于2026年3月17日办结" in done and "准予许可" in done
    assert "邮寄送达" in done and "SF1234567890" in done

    # The acceptance notice keeps the due date fixed at acceptance; later changes have their own notices.
    assert "办结期限为2026年3月17日" in html(case, "acceptance")

    special = html(case, "special")
    _common(special, case)
    assert "现场踏勘" in special and "经营场所需现场核查" in special and "现场核查符合要求" in special
    assert "2026年3月11日" in special and "2026年3月12日" in special
    assert "第四十五条" in special and "不计算在办理时限内" in special
    assert "审查中补正" not in special  # the mid-review 补正 is not a 特别程序


def test_denial_decision_with_reason_and_rights(w):
    case = denied(w)
    text = html(case, "denial")
    _common(text, case)
    assert "经营场所与有毒有害场所距离不足25米" in text and "不予行政许可" in text
    assert "六十日内" in text and "六个月内" in text
    assert html(case, "decision") == text  # "decision" names whichever decision the case has


def test_extension_notice_tells_the_reason_and_the_new_due_date(w):
    case = extended(w)
    text = html(case, "extension")
    _common(text, case)
    assert '<h1 class="doc-title">延长办理期限告知书</h1>' in text
    assert f"示范县市场监督管理局延〔2026〕{case.case_no}号" in text and "2026年3月16日" in text
    # due 03-17 at acceptance, + 10 working days: 18, 19, 20, 23, 24, 25, 26, 27, 30, 31.
    assert "因需征求卫生健康部门意见" in text and "延长10个工作日" in text and "2026年3月31日" in text
    assert "第四十二条" in text
    assert "extension" in [d.code for d in document_list(case)]


def test_the_applicant_is_told_by_sms_at_each_turn(w, django_capture_on_commit_callbacks):
    from zhengwu.core.notify import ConsoleNotifier

    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = full_life(w)
    told = [(m.kind, m.to_phone) for m in ConsoleNotifier.sent if m.data.get("case_no") == case.case_no]
    assert told == [("case_accepted", "13812345678"), ("case_special", "13812345678"),
                    ("case_supplement", "13812345678"), ("case_supplement_partial", "13812345678"),
                    ("case_completed", "13812345678")]
    texts = [m.text for m in ConsoleNotifier.sent if m.data.get("case_no") == case.case_no]
    assert "承诺于2026年3月17日前办结" in texts[0] and "现场踏勘" in texts[1]
    assert "经营场所产权证明、食品安全管理制度" in texts[2] and "已办结" in texts[4]
    assert "尚需补正：经营场所产权证明、食品安全管理制度，全部补齐后继续办理" in texts[3]
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        extended(w)
    assert [m.kind for m in ConsoleNotifier.sent][-1] == "case_extended"
    assert "延至2026年3月31日" in ConsoleNotifier.sent[-1].text


def test_documents_follow_the_state(w):
    case = submit(w)
    assert document_list(case) == []
    for kind in DOCUMENT_KINDS:
        with pytest.raises(DomainError) as exc:
            html(case, kind)
        assert exc.value.status == 409 and "不能出具" in exc.value.message
    assert [d.code for d in document_list(full_life(w))] == ["acceptance", "supplement", "approval", "completion",
                                                            "special"]
    assert [d.code for d in document_list(rejected(w))] == ["rejection"]
    assert [d.code for d in document_list(denied(w))] == ["acceptance", "denial"]
    with pytest.raises(NotFound):
        html(case, "licence")


def _fonts(data: bytes, tmp_path) -> str:
    """The fonts embedded in a PDF, by poppler's pdffonts (installed by scripts/test.sh)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_every_document_as_pdf_embeds_the_cjk_font(w, tmp_path):
    cases = {"rejection": rejected(w), "denial": denied(w), "extension": extended(w)}
    life = full_life(w)
    for kind in DOCUMENT_KINDS:
        data = render_document_pdf(case=cases.get(kind, life), kind=kind, base_url=BASE)
        assert data.startswith(b"%PDF"), kind
        fonts = _fonts(data, tmp_path)
        assert "Noto-Sans-CJK-SC" in fonts or "NotoSansCJK" in fonts, kind


def test_pdfs_share_one_font_configuration_and_stylesheet(w, monkeypatch):
    """A FontConfiguration per render (loading fontconfig and the CJK faces each time) took a worker from
    about 175 MB to over 1 GB; one per process keeps it flat (benchmarks/bench_pdf_memory.py)."""
    from weasyprint.text import fonts

    from zhengwu.cases import fees
    from zhengwu.core import pdf

    made = []
    real = fonts.FontConfiguration.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(fonts.FontConfiguration, "__init__", counting)
    monkeypatch.setattr(pdf, "_tools", None)
    case = accepted(w)
    receipt = fees.receipt_get(receipt_no=fees.fee_pay(case=case, cashier=w.officer, method="cash"))
    for _ in range(2):
        assert render_document_pdf(case=case, kind="acceptance", base_url=BASE).startswith(b"%PDF")
        assert fees.render_receipt_pdf(receipt=receipt, base_url=BASE).startswith(b"%PDF")
    assert len(made) == 1
    assert "<style>" not in render_document_html(case=case, kind="acceptance", base_url=BASE, for_pdf=True)
    assert "<style>" in render_document_html(case=case, kind="acceptance", base_url=BASE)


# -- pages and who may open them ----------------------------------------------------------------------------


def test_officer_opens_html_and_pdf_masked_and_audited(w, client):
    case = accepted(w)
    client.force_login(w.officer.user)
    r = client.get(f"/cases/{case.case_no}/docs/acceptance/")
    assert r.status_code == 200
    body = r.content.decode()
    assert MASKED_ID in body and PERSON_ID not in body
    assert f"http://testserver/progress/?case_no={case.case_no}" in body
    assert f"/cases/{case.case_no}/docs/acceptance.pdf" in body
    r = client.get(f"/cases/{case.case_no}/docs/acceptance.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id").values_list(
        "actor", "action", "summary")) == [
        (w.officer.user_id, "view", f"查看办件 {case.case_no} 的受理通知书（网页）"),
        (w.officer.user_id, "view", f"查看办件 {case.case_no} 的受理通知书（PDF）"),
    ]


def test_applicant_sees_own_copy_with_full_id(w, client):
    case = accepted(w)
    client.force_login(w.citizen)
    r = client.get(f"/cases/{case.case_no}/docs/acceptance/")
    assert r.status_code == 200 and PERSON_ID in r.content.decode()
    r = client.get(f"/cases/{case.case_no}/docs/")
    assert r.status_code == 200 and "受理通知书" in r.content.decode()


def test_outsiders_are_refused(w, client):
    case = accepted(w)
    client.force_login(w.outsider.user)  # window officer of another department in the same hall
    r = client.get(f"/cases/{case.case_no}/docs/acceptance/")
    assert r.status_code == 403 and "不在您的管辖范围内" in r.content.decode()
    stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456", real_name="李四")
    client.force_login(stranger)
    r = client.get(f"/cases/{case.case_no}/docs/acceptance.pdf")
    assert r.status_code == 404 and "未找到该办件" in r.content.decode()
    assert not AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).exists()
    client.logout()
    r = client.get(f"/cases/{case.case_no}/docs/acceptance/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_wrong_state_and_unknown_kind_pages(w, client):
    case = accepted(w)
    client.force_login(w.officer.user)
    r = client.get(f"/cases/{case.case_no}/docs/approval/")
    assert r.status_code == 409 and "尚未作出准予许可决定" in r.content.decode()
    assert client.get(f"/cases/{case.case_no}/docs/permit/").status_code == 404
    assert client.get("/cases/SFXZW-20990101-00001/docs/acceptance/").status_code == 404
