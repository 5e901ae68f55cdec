"""The API beyond the contract: documents, fees, the public progress query, the audited full ID, list filters.

Everything goes through the HTTP API with a bearer token (the progress query with none), and each
refusal is checked for its status, its JSON body and that nothing changed.
"""

import datetime as dt
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.http import content_disposition_header

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseCounter, CaseEvent, FeeLine
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .factories import PERSON_ID, USCC, applicant, build_world, pdf
from .test_documents import _fonts

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2026, 3, 10)  # a Tuesday
MASKED_ID = "1101**********002X"
JSON = "application/json"


@pytest.fixture
def w():
    world = build_world()
    world.town_officer = f.staff("2001", Role.WINDOW_OFFICER, department=world.dept, hall=world.town_hall,
                                 name="郑镇窗口")
    world.hall_admin = f.staff("2002", Role.HALL_ADMIN, hall=world.center, name="冯管理员")
    world.stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456", real_name="李四")
    return world


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def accepted(w, *, day=DAY, officer=None):
    """A case accepted on ``day``: online by the citizen, or taken in at ``officer``'s window."""
    with clock.frozen(day):
        if officer is None:
            case = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                                 files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
            officer = w.officer
        else:
            case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=officer,
                                 files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        s.case_accept(case=case, officer=officer)
    return case


def audit(case):
    return list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id")
                .values_list("actor", "action", "summary"))


def assert_cjk_pdf(response, tmp_path):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    names = _fonts(response.content, tmp_path)
    assert "Noto-Sans-CJK-SC" in names or "NotoSansCJK" in names


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, by poppler's pdftotext (installed by scripts/test.sh)."""
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


# -- documents ------------------------------------------------------------------------------------------------


def test_document_list_and_pdf_for_an_officer_are_audited(client, w, tmp_path):
    case = accepted(w)
    no = case.case_no
    officer = token(w.officer.user)
    r = client.get(f"/api/cases/{no}/documents", headers=officer)
    assert (r.status_code, r.json()) == (200, [{
        "kind": "acceptance", "title": "受理通知书", "pdf_url": f"/api/cases/{no}/documents/acceptance.pdf",
        "page_url": f"/cases/{no}/docs/acceptance/"}])
    assert audit(case) == []  # the list shows no personal data
    r = client.get(f"/api/cases/{no}/documents/acceptance.pdf", headers=officer)
    assert_cjk_pdf(r, tmp_path)
    assert r["Content-Disposition"] == content_disposition_header(False, f"受理通知书-{no}.pdf")
    assert audit(case) == [(w.officer.user_id, "view", f"查看办件 {no} 的受理通知书（PDF）")]


def test_document_pdf_shows_the_full_id_only_on_the_applicants_copy(client, w, tmp_path):
    case = accepted(w)
    mine = client.get(f"/api/cases/{case.case_no}/documents/acceptance.pdf", headers=token(w.citizen))
    assert_cjk_pdf(mine, tmp_path)
    theirs = client.get(f"/api/cases/{case.case_no}/documents/acceptance.pdf", headers=token(w.chief.user))
    assert_cjk_pdf(theirs, tmp_path)
    mine_text, theirs_text = pdf_text(mine.content, tmp_path), pdf_text(theirs.content, tmp_path)
    assert PERSON_ID in mine_text and MASKED_ID not in mine_text
    assert MASKED_ID in theirs_text and PERSON_ID not in theirs_text
    assert [a[0] for a in audit(case)] == [w.citizen.pk, w.chief.user_id]


def test_every_decision_document_through_the_api(client, w, tmp_path):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 12)):
        s.case_review(case=case, officer=w.chief)
        s.case_decide(case=case, officer=w.head, decision="deny", reason="经营场所与有毒有害场所距离不足25米")
    r = client.get(f"/api/cases/{case.case_no}/documents", headers=token(w.citizen))
    assert [(d["kind"], d["title"]) for d in r.json()] == [("acceptance", "受理通知书"), ("denial", "不予许可决定书")]
    r = client.get(f"/api/cases/{case.case_no}/documents/decision.pdf", headers=token(w.head.user))
    assert_cjk_pdf(r, tmp_path)
    assert audit(case) == [(w.head.user_id, "view", f"查看办件 {case.case_no} 的不予许可决定书（PDF）")]


def test_document_refusals_are_json_and_leave_no_audit(client, w):
    case = accepted(w)
    no = case.case_no
    not_yours = {"code": "out_of_scope", "message": "该办件不在您的管辖范围内，您无权查看其文书"}
    for path in (f"/api/cases/{no}/documents", f"/api/cases/{no}/documents/acceptance.pdf"):
        r = client.get(path, headers=token(w.outsider.user))  # a window officer of another department
        assert (r.status_code, r.json()) == (403, not_yours)
        r = client.get(path, headers=token(w.stranger))  # nobody learns whose case a number is
        assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到该办件"})
        assert client.get(path).status_code == 401
    officer = token(w.officer.user)
    r = client.get(f"/api/cases/{no}/documents/approval.pdf", headers=officer)
    assert (r.status_code, r.json()) == (409, {"code": "document_unavailable",
                                               "message": "办件尚未作出准予许可决定，不能出具准予许可决定书"})
    r = client.get(f"/api/cases/{no}/documents/permit.pdf", headers=officer)
    assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "没有这种办件文书"})
    r = client.get("/api/cases/SFXZW-20990101-00001/documents", headers=officer)
    assert (r.status_code, r.json()["message"]) == (404, "未找到该办件")
    assert audit(case) == []


# -- fees -------------------------------------------------------------------------------------------------


def fee_state(case):
    return (list(FeeLine.objects.filter(case=case).order_by("id").values_list(
        "waived", "waiver_reason", "paid_at", "paid_on", "receipt_no", "cashier", "pay_method")),
        CaseEvent.objects.filter(case=case).count(), list(CaseCounter.objects.order_by("id").values_list("last")))


def test_fee_lines_for_the_applicant_and_staff(client, w):
    case = accepted(w)
    line = FeeLine.objects.get(case=case)
    r = client.get(f"/api/cases/{case.case_no}/fees", headers=token(w.citizen))
    assert (r.status_code, r.json()) == (200, {
        "case_no": case.case_no, "state": "unpaid", "payable": "10.00", "paid": "0.00", "waived": "0.00",
        "receipts": [],
        "lines": [{"id": line.pk, "name": "工本费", "quantity": 1, "amount": "10.00", "total": "10.00",
                   "waivable": True, "waiver_basis": "小微企业免收", "waived": False, "waiver_reason": "",
                   "paid_at": None, "settled_on": None, "receipt_no": "", "pay_method": "",
                   "pay_method_label": ""}],
    })
    assert audit(case) == []  # the applicant's own fees
    # Any cashier of the case's hall may look a case up (the central cashier serves every department).
    r = client.get(f"/api/cases/{case.case_no}/fees", headers=token(w.outsider.user))
    assert (r.status_code, r.json()["payable"]) == (200, "10.00")
    assert audit(case) == [(w.outsider.user_id, "view", f"通过接口查询办件 {case.case_no} 的收费信息")]
    r = client.get(f"/api/cases/{case.case_no}/fees", headers=token(w.town_officer.user))
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = client.get(f"/api/cases/{case.case_no}/fees", headers=token(w.stranger))
    assert (r.status_code, r.json()["message"]) == (404, "未找到该办件")


def test_pay_at_the_central_cashier_and_the_receipt(client, w, tmp_path):
    case = accepted(w)
    no = case.case_no
    before = fee_state(case)
    not_cashier = {"code": "not_cashier", "message": "只有服务大厅的中心管理员或窗口人员可以使用集中收费窗口"}
    for who in (w.citizen, w.chief.user, w.head.user):  # 首席代表 and 部门负责人 do not collect money
        r = client.post(f"/api/cases/{no}/fees/pay", {"method": "cash"}, content_type=JSON, headers=token(who))
        assert (r.status_code, r.json()) == (403, not_cashier)
    r = client.post(f"/api/cases/{no}/fees/pay", {"method": "cash"}, content_type=JSON,
                    headers=token(w.town_officer.user))
    assert (r.status_code, r.json()) == (403, {"code": "not_cashier",
                                               "message": "该办件由示范县政务服务中心受理，请到该大厅集中收费窗口缴费"})
    r = client.post(f"/api/cases/{no}/fees/pay", {"method": "bitcoin"}, content_type=JSON,
                    headers=token(w.officer.user))
    assert r.status_code == 422  # the schema's enum names the accepted values
    assert [(d["field"], "cash、pos、qr、transfer" in d["message"]) for d in r.json()["details"]] == [("method", True)]
    r = client.post("/api/cases/SFXZW-20990101-00001/fees/pay", {"method": "cash"}, content_type=JSON,
                    headers=token(w.officer.user))
    assert r.status_code == 404
    assert fee_state(case) == before

    with clock.frozen(DAY):
        r = client.post(f"/api/cases/{no}/fees/pay", {"method": "qr"}, content_type=JSON,
                        headers=token(w.hall_admin.user))
    assert (r.status_code, r.json()) == (201, {
        "case_no": no, "receipt_no": "SFXZW-2026-000001", "amount": "10.00", "amount_words": "壹拾元整",
        "method": "qr", "method_label": "扫码支付", "pdf_url": "/api/cases/receipts/SFXZW-2026-000001.pdf"})
    line = FeeLine.objects.get(case=case)
    assert (line.receipt_no, line.cashier_id, line.pay_method, line.paid_on) == (
        "SFXZW-2026-000001", w.hall_admin.pk, "qr", DAY)
    fees = client.get(f"/api/cases/{no}/fees", headers=token(w.citizen)).json()
    assert (fees["state"], fees["payable"], fees["paid"]) == ("paid", "0.00", "10.00")
    assert fees["receipts"] == [{"receipt_no": "SFXZW-2026-000001",
                                 "pdf_url": "/api/cases/receipts/SFXZW-2026-000001.pdf"}]
    assert (fees["lines"][0]["settled_on"], fees["lines"][0]["pay_method_label"]) == ("2026-03-10", "扫码支付")

    before = fee_state(case)
    r = client.post(f"/api/cases/{no}/fees/pay", {"method": "cash"}, content_type=JSON,
                    headers=token(w.officer.user))
    assert (r.status_code, r.json()) == (409, {"code": "already_paid", "message": "该办件费用已缴清"})
    assert fee_state(case) == before

    audit_before = audit(case)
    assert_cjk_pdf(client.get("/api/cases/receipts/SFXZW-2026-000001.pdf", headers=token(w.citizen)), tmp_path)
    assert_cjk_pdf(client.get("/api/cases/receipts/SFXZW-2026-000001.pdf", headers=token(w.outsider.user)),
                   tmp_path)  # a cashier of the hall
    # Receipt numbers are sequential: someone else's receipt answers exactly as a missing one.
    missing = client.get("/api/cases/receipts/SFXZW-2026-999999.pdf", headers=token(w.citizen))
    assert (missing.status_code, missing.json()) == (404, {"code": "not_found", "message": "未找到该收费票据"})
    for who in (w.town_officer.user, w.stranger):  # staff of another hall; a citizen who is not the applicant
        for no_ in ("SFXZW-2026-000001", "SFXZW-2026-999999"):
            r = client.get(f"/api/cases/receipts/{no_}.pdf", headers=token(who))
            assert (r.status_code, r.content) == (404, missing.content)
    client.force_login(w.stranger)  # the page answers alike
    pages = [client.get(f"/cases/receipts/{no_}.pdf") for no_ in ("SFXZW-2026-000001", "SFXZW-2026-999999")]
    assert [(p.status_code, "未找到该收费票据" in p.content.decode(), "办件" in p.content.decode())
            for p in pages] == [(404, True, False)] * 2
    client.logout()
    assert audit(case)[len(audit_before):] == [
        (w.citizen.pk, "view", "查看收费票据 SFXZW-2026-000001（PDF）"),
        (w.outsider.user_id, "view", "查看收费票据 SFXZW-2026-000001（PDF）"),
    ]


def test_waive_with_a_reason(client, w):
    case = accepted(w)
    other = accepted(w)
    no, line = case.case_no, FeeLine.objects.get(case=case)
    url = f"/api/cases/{no}/fees/{line.pk}/waive"
    before = fee_state(case)
    r = client.post(url, {"reason": "  "}, content_type=JSON, headers=token(w.officer.user))
    assert (r.status_code, r.json()) == (400, {"code": "reason_required", "message": "减免须写明理由和依据"})
    r = client.post(url, {"reason": "小微企业"}, content_type=JSON, headers=token(w.outsider.user))
    assert (r.status_code, r.json()) == (403, {"code": "out_of_scope", "message": "该办件不属于您所在部门或大厅，您无权减免其费用"})
    r = client.post(url, {"reason": "小微企业"}, content_type=JSON, headers=token(w.citizen))
    assert (r.status_code, r.json()) == (403, {"code": "forbidden", "message": "只有工作人员可以减免费用"})
    r = client.post(f"/api/cases/{other.case_no}/fees/{line.pk}/waive", {"reason": "小微企业"}, content_type=JSON,
                    headers=token(w.officer.user))  # the line of another case
    assert (r.status_code, r.json()) == (404, {"code": "not_found", "message": "未找到该收费项目"})
    assert fee_state(case) == before

    with clock.frozen(DAY):
        r = client.post(url, {"reason": "申请人为小微企业"}, content_type=JSON, headers=token(w.officer.user))
    assert r.status_code == 200
    body = r.json()
    assert (body["state"], body["payable"], body["waived"], body["receipts"]) == ("waived", "0.00", "10.00", [])
    assert {k: body["lines"][0][k] for k in ("waived", "waiver_reason", "waivable", "settled_on")} == {
        "waived": True, "waiver_reason": "申请人为小微企业", "waivable": False, "settled_on": "2026-03-10"}
    assert CaseEvent.objects.filter(case=case).last().action == "fee_waive"

    before = fee_state(case)
    r = client.post(url, {"reason": "再次减免"}, content_type=JSON, headers=token(w.officer.user))
    assert (r.status_code, r.json()) == (409, {"code": "already_waived", "message": "收费项目“工本费”已减免"})
    r = client.post(f"/api/cases/{no}/fees/pay", {"method": "cash"}, content_type=JSON,
                    headers=token(w.officer.user))
    assert (r.status_code, r.json()) == (409, {"code": "nothing_payable", "message": "该办件的收费项目已全部减免，无需缴费"})
    assert fee_state(case) == before


def test_daily_reconciliation_per_department_and_per_hall(client, w):
    paid, waived, town = accepted(w), accepted(w), accepted(w, officer=w.town_officer)
    later = accepted(w)
    with clock.frozen(DAY):
        s_pay = {"content_type": JSON}
        assert client.post(f"/api/cases/{paid.case_no}/fees/pay", {"method": "cash"}, **s_pay,
                           headers=token(w.officer.user)).status_code == 201
        line = FeeLine.objects.get(case=waived)
        assert client.post(f"/api/cases/{waived.case_no}/fees/{line.pk}/waive", {"reason": "小微企业"}, **s_pay,
                           headers=token(w.officer.user)).status_code == 200
        assert client.post(f"/api/cases/{town.case_no}/fees/pay", {"method": "pos"}, **s_pay,
                           headers=token(w.town_officer.user)).status_code == 201
    with clock.frozen(DAY + dt.timedelta(days=1)):
        assert client.post(f"/api/cases/{later.case_no}/fees/pay", {"method": "cash"}, **s_pay,
                           headers=token(w.officer.user)).status_code == 201

    r = client.get("/api/cases/fees/reconciliation", {"day": "2026-03-10"}, headers=token(w.hall_admin.user))
    dept = {"id": w.dept.pk, "code": "D001", "name": "示范县市场监督管理局"}
    assert (r.status_code, r.json()) == (200, {
        "day": "2026-03-10", "scope": "示范县政务服务中心",
        "by_department": [{**dept, "receipts": 1, "collected": "10.00", "waived": "10.00"}],
        "by_hall": [{"id": w.center.pk, "code": "SFXZW", "name": "示范县政务服务中心", "receipts": 1,
                     "collected": "10.00", "waived": "10.00"}],
        "department_totals": {"receipts": 1, "collected": "10.00", "waived": "10.00", "collected_words": "壹拾元整"},
        "hall_totals": {"receipts": 1, "collected": "10.00", "waived": "10.00", "collected_words": "壹拾元整"},
    })
    body = client.get("/api/cases/fees/reconciliation", {"day": "2026-03-10"}, headers=token(w.leader.user)).json()
    assert body["scope"] == "示范县"
    assert body["by_department"] == [{**dept, "receipts": 2, "collected": "20.00", "waived": "10.00"}]
    assert [(h["code"], h["receipts"], h["collected"], h["waived"]) for h in body["by_hall"]] == [
        ("CGZ", 1, "10.00", "0.00"), ("SFXZW", 1, "10.00", "10.00")]
    assert body["department_totals"]["collected_words"] == "贰拾元整"
    with clock.frozen(DAY + dt.timedelta(days=1)):  # no day: today
        body = client.get("/api/cases/fees/reconciliation", headers=token(w.officer.user)).json()
    assert (body["day"], body["department_totals"]["collected"]) == ("2026-03-11", "10.00")

    r = client.get("/api/cases/fees/reconciliation", {"day": "10/03/2026"}, headers=token(w.hall_admin.user))
    assert (r.status_code, r.json()) == (400, {"code": "bad_day", "message": "日期格式应为 YYYY-MM-DD，例如 2026-03-10"})
    r = client.get("/api/cases/fees/reconciliation", headers=token(w.chief.user))
    assert (r.status_code, r.json()["message"]) == (403, "只有中心管理员、窗口人员或领导、效能监察员可以查看收费对账")
    r = client.get("/api/cases/fees/reconciliation", headers=token(w.citizen))
    assert (r.status_code, r.json()["message"]) == (403, "只有工作人员可以查看收费对账")


# -- the public progress query ------------------------------------------------------------------------------

NO_MATCH = {"code": "not_found", "message": "未找到与该办件编号和联系电话（或身份证号）匹配的办件，请核对后重试"}


def progress(client, case_no, credential):
    return client.post("/api/cases/progress", {"case_no": case_no, "credential": credential}, content_type=JSON)


def test_progress_query_answers_steps_dates_and_a_masked_name(client, w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 11)):
        s.case_suspend(case=case, officer=w.chief, kind="site_survey", reason="经营场所需现场核查")
    audited = AuditEvent.objects.count()
    for credential in ("13812345678", PERSON_ID.lower()):
        r = progress(client, case.case_no, credential)
        assert r.status_code == 200, r.content
        body = r.json()
        text = r.content.decode()
        assert PERSON_ID not in text and "13812345678" not in text and "张三" not in text
        assert "经营场所需现场核查" not in text and "李窗口" not in text  # notes and officers are not public
        events = body.pop("events")
        stages = body.pop("stages")
        submitted_at = body.pop("submitted_at")
        assert body == {
            "case_no": case.case_no, "item_name": "食品经营许可证核发", "department": "示范县市场监督管理局",
            "hall": "示范县政务服务中心", "applicant_name": "张*", "status": "suspended",
            "status_label": "特别程序中", "accepted_on": "2026-03-10", "due_date": "2026-03-17",
            "due_provisional": False, "clock_stopped": True, "completed_on": None,
        }
        assert submitted_at.startswith("2026-03-10T")
        assert [(e["action"], e["label"]) for e in events] == [
            ("submit", "提交申请"), ("accept", "受理"), ("suspend", "启动特别程序（现场踏勘）")]
        assert [(x["name"], x["state"]) for x in stages] == [
            ("提交申请", "done"), ("受理", "done"), ("审核", "current"), ("批准", "todo"), ("办结", "todo")]
    assert AuditEvent.objects.count() == audited  # a public query reads nothing personal


def test_a_wrong_pair_answers_exactly_like_a_missing_case(client, w):
    case = accepted(w)
    enterprise = s.case_submit(item=w.item, applicant=applicant(kind="legal", name="示范县好味道餐饮有限公司", uscc=USCC,
                                                                legal_rep="张三", id_number="", phone="13900002222"),
                               channel="online", user=None)
    missing = progress(client, "SFXZW-20000101-00001", "13812345678")
    assert (missing.status_code, missing.json()) == (404, NO_MATCH)
    for case_no, credential in [(case.case_no, "13900001111"), (case.case_no, "110101199003070011"),
                                (enterprise.case_no, USCC), (enterprise.case_no, "not a phone")]:
        r = progress(client, case_no, credential)
        assert (r.status_code, r.content) == (404, missing.content)
    assert progress(client, enterprise.case_no, "13900002222").json()["applicant_name"] == "示" + "*" * 11
    r = progress(client, case.case_no, "  ")
    assert (r.status_code, r.json()) == (400, {"code": "progress_input",
                                               "message": "请输入办件编号（40字以内）和联系电话或身份证号（20字以内）"})


def test_progress_guessing_is_slowed_together_with_the_page(client, w):
    case = accepted(w)
    cache.clear()
    for i in range(5):  # five wrong pairs on the page, five through the API
        client.post("/progress/", {"case_no": case.case_no, "credential": f"1390000{i:04d}"})
        assert progress(client, case.case_no, f"1380000{i:04d}").status_code == 404
    assert progress(client, case.case_no, "   ").status_code == 400  # an empty form is not a guess
    r = progress(client, case.case_no, "13812345678")  # even the right pair now waits
    assert (r.status_code, r.json()) == (429, {"code": "too_many_attempts", "message": "查询失败次数过多，请10分钟后再试"})
    assert client.post("/progress/", {"case_no": case.case_no, "credential": "13812345678"}).status_code == 429
    cache.clear()
    assert progress(client, case.case_no, "13812345678").status_code == 200


def test_nine_wrong_pairs_still_let_the_right_one_through(client, w):
    case = accepted(w)
    cache.clear()
    for i in range(9):
        progress(client, case.case_no, f"1390000{i:04d}")
    assert progress(client, case.case_no, "13812345678").status_code == 200
    cache.clear()


# -- the full ID number -----------------------------------------------------------------------------------


def test_full_id_to_the_handling_roles_only_and_audited(client, w):
    case = accepted(w)
    no = case.case_no
    for who in (w.officer, w.chief, w.head):
        r = client.post(f"/api/cases/{no}/identity", headers=token(who.user))
        assert (r.status_code, r.json()) == (200, {"case_no": no, "id_number": PERSON_ID, "uscc": "",
                                                   "contact_phone": "13812345678"})
    summary = f"查看办件 {no} 申请人完整证件号码"
    assert audit(case) == [(w.officer.user_id, "view", summary), (w.chief.user_id, "view", summary),
                           (w.head.user_id, "view", summary)]
    # The case detail stays masked for everyone.
    assert client.get(f"/api/cases/{no}", headers=token(w.officer.user)).json()["id_number"] == MASKED_ID


def test_full_id_refusals_leave_no_audit(client, w):
    case = accepted(w)
    no = case.case_no
    r = client.post(f"/api/cases/{no}/identity", headers=token(w.leader.user))  # may read, need not know
    assert (r.status_code, r.json()) == (403, {"code": "no_pii_access", "message": "您的岗位无需查看完整证件号码"})
    r = client.post(f"/api/cases/{no}/identity", headers=token(w.outsider.user))
    assert (r.status_code, r.json()) == (403, {"code": "out_of_scope", "message": "该办件不在您的管辖范围内"})
    for who in (w.citizen, w.stranger):
        r = client.post(f"/api/cases/{no}/identity", headers=token(who))
        assert (r.status_code, r.json()) == (403, {"code": "no_pii_access", "message": "只有在岗工作人员可以查看完整证件号码"})
    r = client.post("/api/cases/SFXZW-20990101-00001/identity", headers=token(w.officer.user))
    assert (r.status_code, r.json()["message"]) == (404, "未找到该办件")
    assert client.post(f"/api/cases/{no}/identity").status_code == 401
    assert client.get(f"/api/cases/{no}/identity", headers=token(w.officer.user)).status_code == 405
    assert audit(case) == []


# -- the list --------------------------------------------------------------------------------------------


def test_village_agent_list_honours_status_and_search(client, w):
    agent = token(w.agent.user)
    other = {"kind": "person", "name": "李四", "phone": "13900001111", "id_number": "110101199003070011"}
    nos = []
    for person in ({"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}, other):
        r = client.post("/api/cases", {"item_code": "SFX-SCJG-001", "channel": "agent", "applicant": person},
                        content_type=JSON, headers=agent)
        nos.append(r.json()["case_no"])
    zhang, li = nos
    r = client.post(f"/api/cases/{li}/actions/withdraw", {"reason": "申请人不再办理"}, content_type=JSON,
                    headers=agent)
    assert r.json()["status"] == "withdrawn"

    def listed(**params):
        r = client.get("/api/cases", params, headers=agent)
        assert r.status_code == 200, r.content
        return [(x["case_no"], x["applicant_name"], x["status"]) for x in r.json()]

    assert listed() == [(li, "李四", "withdrawn"), (zhang, "张三", "pending")]
    assert listed(status="withdrawn") == [(li, "李四", "withdrawn")]
    assert listed(status="open") == [(zhang, "张三", "pending")]
    assert listed(q="李四") == [(li, "李四", "withdrawn")]
    assert listed(q=zhang[-5:]) == [(zhang, "张三", "pending")]
    assert listed(status="pending", q="李四") == []
    r = client.get("/api/cases", {"status": "lost"}, headers=agent)
    assert r.status_code == 422 and [d["field"] for d in r.json()["details"]] == ["status"]
    # Another agent sees none of them.
    stranger_agent = f.staff("1099", Role.VILLAGE_AGENT, hall=w.station, region=w.village, name="吴代办")
    assert client.get("/api/cases", headers=token(stranger_agent.user)).json() == []
    assert Case.objects.count() == 2


def test_openapi_lists_the_new_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/cases/progress", "post"), ("/api/cases/{case_no}/identity", "post"),
        ("/api/cases/{case_no}/documents", "get"), ("/api/cases/{case_no}/documents/{kind}.pdf", "get"),
        ("/api/cases/{case_no}/fees", "get"), ("/api/cases/{case_no}/fees/pay", "post"),
        ("/api/cases/{case_no}/fees/{line_id}/waive", "post"), ("/api/cases/receipts/{receipt_no}.pdf", "get"),
        ("/api/cases/fees/reconciliation", "get"),
    ]:
        assert method in paths[path], path
        assert paths[path][method]["summary"]
    assert "security" not in paths["/api/cases/progress"]["post"]  # public
    pdf_200 = paths["/api/cases/{case_no}/documents/{kind}.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf_200["content"]
    ops = [op["operationId"] for p in paths.values() for op in p.values()]
    assert len(ops) == len(set(ops))
