"""集中收费: waivers, payment, receipt numbers, receipts, daily reconciliation, the cashier pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from zhengwu.cases import services as s
from zhengwu.cases.fees import (
    fee_pay,
    fee_summary,
    fee_waive,
    receipt_get,
    reconciliation_by_department,
    reconciliation_by_hall,
    render_receipt_html,
    render_receipt_pdf,
    rmb_capital,
)
from zhengwu.cases.models import CaseCounter, CaseEvent, FeeLine
from zhengwu.catalog.services import item_upsert
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .factories import MATERIALS, STEPS, _fields, applicant, build_world, pdf

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2026, 3, 10)  # a Tuesday
GA_FEES = [
    {"seq": 1, "name": "证照工本费", "amount": Decimal("20.00"), "unit": "件", "standard": "20元/件", "basis": "示例依据",
     "waivable": False, "waiver_basis": ""},
    {"seq": 2, "name": "档案查询费", "amount": Decimal("5.50"), "unit": "次", "standard": "5.5元/次", "basis": "示例依据",
     "waivable": True, "waiver_basis": "低保对象免收"},
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """build_world makes about ten accounts; the production hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("amount, words", [
    ("0.50", "伍角"),
    ("10", "壹拾元整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ("100000", "壹拾万元整"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("10.05", "壹拾元零伍分"),
    ("100.50", "壹佰元伍角"),
    ("1005", "壹仟零伍元整"),
    ("25.5", "贰拾伍元伍角"),
    ("10000100", "壹仟万零壹佰元整"),
    ("100010000", "壹亿零壹万元整"),
    ("200000000.01", "贰亿元零壹分"),
])
def test_rmb_capital(amount, words):
    assert rmb_capital(Decimal(amount)) == words


def test_rmb_capital_refuses_negative():
    with pytest.raises(ValueError):
        rmb_capital(Decimal("-1"))


@pytest.fixture
def w():
    world = build_world()
    world.ga_item, _ = item_upsert(impl_code="SFX-GA-001", department=world.other_dept,
                                   fields=_fields(name="户籍档案查询"), steps=STEPS, materials=MATERIALS,
                                   fees=GA_FEES)
    world.ga1, world.ga2, _ = list(world.ga_item.current.materials.order_by("seq"))
    world.town_officer = f.staff("2001", Role.WINDOW_OFFICER, department=world.dept, hall=world.town_hall,
                                 name="郑镇窗口")
    world.hall_admin = f.staff("2002", Role.HALL_ADMIN, hall=world.center, name="冯管理员")
    return world


def accepted(w, *, day=DAY, item=None, officer=None):
    with clock.frozen(day):
        if item is not None:
            case = s.case_submit(item=item, applicant=applicant(), channel="online", user=w.citizen,
                                 files=[(w.ga1.pk, pdf()), (w.ga2.pk, pdf())])
            s.case_accept(case=case, officer=w.outsider)
        elif officer is not None:
            case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=officer,
                                 files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
            s.case_accept(case=case, officer=officer)
        else:
            case = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                                 files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
            s.case_accept(case=case, officer=w.officer)
    return case


def lines(case):
    return list(FeeLine.objects.filter(case=case).order_by("id").values_list(
        "name", "amount", "waived", "waiver_reason", "paid_at", "paid_on", "receipt_no", "cashier", "pay_method"))


def snapshot(case):
    return (lines(case), CaseEvent.objects.filter(case=case).count(),
            list(CaseCounter.objects.order_by("id").values_list("day", "last")))


# -- pay ----------------------------------------------------------------------------------------------------


def test_pay_all_lines_with_a_receipt_number(w):
    case = accepted(w)
    with clock.frozen(DAY) as now:
        receipt_no = fee_pay(case=case, cashier=w.officer, method="cash")
    assert receipt_no == "SFXZW-2026-000001"
    assert lines(case) == [("工本费", Decimal("10.00"), False, "", now, DAY, receipt_no, w.officer.pk, "cash")]
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.from_status, event.to_status, event.actor_id, event.role) == (
        "fee_pay", "in_review", "in_review", w.officer.user_id, Role.WINDOW_OFFICER)
    assert event.data == {"receipt_no": receipt_no, "amount": "10.00", "method": "cash",
                          "lines": [FeeLine.objects.get(case=case).pk]}
    # The central cashier collects for every department of the hall; numbers run on per hall.
    second = accepted(w, item=w.ga_item)
    with clock.frozen(D(2026, 3, 11)):
        assert fee_pay(case=second, cashier=w.outsider, method="qr") == "SFXZW-2026-000002"
    assert fee_summary(case=second).paid == Decimal("25.50")


def test_paying_twice_is_refused_and_changes_nothing(w):
    case = accepted(w)
    with clock.frozen(DAY):
        fee_pay(case=case, cashier=w.officer, method="cash")
    before = snapshot(case)
    with clock.frozen(D(2026, 3, 11)), pytest.raises(DomainError) as exc:
        fee_pay(case=case, cashier=w.hall_admin, method="pos")
    assert (exc.value.code, exc.value.message, exc.value.status) == ("already_paid", "该办件费用已缴清", 409)
    assert snapshot(case) == before


@pytest.mark.parametrize("who, method, code", [
    ("chief", "cash", "not_cashier"),  # 首席代表 is not a cashier role
    ("head", "cash", "not_cashier"),  # 部门负责人 has no hall
    ("town_officer", "cash", "not_cashier"),  # another hall
    ("officer", "bitcoin", "pay_method"),
])
def test_pay_refused_for_wrong_cashier_or_method(w, who, method, code):
    case = accepted(w)
    before = snapshot(case)
    with pytest.raises(DomainError) as exc:
        fee_pay(case=case, cashier=getattr(w, who), method=method)
    assert exc.value.code == code
    assert snapshot(case) == before


def test_pay_refused_on_a_withdrawn_case(w):
    case = accepted(w)
    s.case_withdraw(case=case, user=w.citizen, reason="不再经营")
    before = snapshot(case)
    with pytest.raises(DomainError, match="已撤回"):
        fee_pay(case=case, cashier=w.officer, method="cash")
    assert snapshot(case) == before


def test_receipt_numbers_do_not_touch_case_numbers_and_restart_each_year(w):
    paid = accepted(w)
    with clock.frozen(D(2026, 12, 31)):
        assert fee_pay(case=paid, cashier=w.officer, method="cash") == "SFXZW-2026-000001"
    later = accepted(w, day=D(2026, 12, 30))
    with clock.frozen(D(2027, 1, 1)):
        assert fee_pay(case=later, cashier=w.officer, method="cash") == "SFXZW-2027-000001"
        new_year = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)
    assert new_year.case_no == "SFXZW-20270101-00001"
    assert CaseCounter.objects.get(day=D(1026, 12, 31)).last == 1
    assert CaseCounter.objects.get(day=D(1027, 12, 31)).last == 1


# -- waive --------------------------------------------------------------------------------------------------


def test_waive_then_nothing_to_pay(w):
    case = accepted(w)
    line = FeeLine.objects.get(case=case)
    with clock.frozen(D(2026, 3, 11)):
        fee_waive(line=line, officer=w.officer, reason="申请人为小微企业")
    assert lines(case) == [("工本费", Decimal("10.00"), True, "申请人为小微企业", None, D(2026, 3, 11), "", None, "")]
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.note, event.data["basis"], event.data["amount"]) == (
        "fee_waive", "申请人为小微企业", "小微企业免收", "10.00")
    before = snapshot(case)
    with pytest.raises(DomainError) as exc:
        fee_pay(case=case, cashier=w.officer, method="cash")
    assert exc.value.message == "该办件的收费项目已全部减免，无需缴费"
    with pytest.raises(DomainError, match="已减免"):
        fee_waive(line=FeeLine.objects.get(case=case), officer=w.officer, reason="再次减免")
    assert snapshot(case) == before
    assert fee_summary(case=case).state == "waived"


def test_waive_refusals_change_nothing(w):
    case = accepted(w)
    line = FeeLine.objects.get(case=case)
    before = snapshot(case)
    with pytest.raises(DomainError, match="须写明理由"):
        fee_waive(line=line, officer=w.officer, reason="  ")
    with pytest.raises(PermissionDenied):
        fee_waive(line=line, officer=w.outsider, reason="理由")  # another department
    with pytest.raises(PermissionDenied):
        fee_waive(line=line, officer=w.town_officer, reason="理由")  # another hall
    assert snapshot(case) == before
    ga = accepted(w, item=w.ga_item)
    fixed = FeeLine.objects.get(case=ga, name="证照工本费")
    ga_before = snapshot(ga)
    with pytest.raises(DomainError) as exc:
        fee_waive(line=fixed, officer=w.outsider, reason="困难群众")
    assert (exc.value.code, exc.value.message) == ("not_waivable", "收费项目“证照工本费”按收费标准不允许减免")
    assert snapshot(ga) == ga_before


def test_waive_after_payment_is_refused_even_from_a_stale_row(w):
    case = accepted(w)
    stale = FeeLine.objects.get(case=case)
    with clock.frozen(DAY):
        fee_pay(case=case, cashier=w.officer, method="cash")
    before = snapshot(case)
    with pytest.raises(DomainError) as exc:  # the in-memory row still looks unpaid: the guarded UPDATE refuses
        fee_waive(line=stale, officer=w.officer, reason="小微企业")
    assert exc.value.code == "conflict"
    with pytest.raises(DomainError, match="已缴费"):
        fee_waive(line=FeeLine.objects.get(case=case), officer=w.officer, reason="小微企业")
    assert snapshot(case) == before


# -- the receipt ------------------------------------------------------------------------------------------


def test_receipt_with_a_waived_line(w, tmp_path):
    case = accepted(w, item=w.ga_item)
    with clock.frozen(DAY):
        fee_waive(line=FeeLine.objects.get(case=case, name="档案查询费"), officer=w.outsider, reason="低保户")
        receipt_no = fee_pay(case=case, cashier=w.hall_admin, method="pos")
    receipt = receipt_get(receipt_no=receipt_no)
    assert (receipt.total, receipt.waived, receipt.total_words, receipt.method_label) == (
        Decimal("20.00"), Decimal("5.50"), "贰拾元整", "银行卡（POS机）")
    assert [x.name for x in receipt.lines] == ["证照工本费", "档案查询费"]
    text = render_receipt_html(receipt=receipt, base_url="http://zw.example.gov.cn/")
    assert "集中收费票据" in text and receipt_no in text and case.case_no in text
    assert "人民币贰拾元整" in text and "¥20.00" in text
    assert "减免（依据：低保对象免收）：低保户" in text
    assert "示范县公安局" in text and "冯管理员" in text and '<svg class="qr"' in text
    data = render_receipt_pdf(receipt=receipt, base_url="http://zw.example.gov.cn/")
    assert data.startswith(b"%PDF")


# -- reconciliation -------------------------------------------------------------------------------------


@pytest.fixture
def day_of_fees(w):
    """On DAY: center D001 paid 10 + waived 10; center D002 paid 20 + waived 5.50; town D001 paid 10.

    Outside DAY: one more payment the day after.
    """
    a, b, c, d, e = (accepted(w), accepted(w), accepted(w, item=w.ga_item), accepted(w, officer=w.town_officer),
                     accepted(w))
    with clock.frozen(DAY):
        fee_pay(case=a, cashier=w.officer, method="cash")
        fee_waive(line=FeeLine.objects.get(case=b), officer=w.officer, reason="小微企业")
        fee_waive(line=FeeLine.objects.get(case=c, name="档案查询费"), officer=w.outsider, reason="低保户")
        fee_pay(case=c, cashier=w.outsider, method="qr")
        fee_pay(case=d, cashier=w.town_officer, method="cash")
    with clock.frozen(DAY + dt.timedelta(days=1)):
        fee_pay(case=e, cashier=w.officer, method="cash")
    return w


def test_reconciliation_by_department(day_of_fees, django_assert_num_queries):
    w = day_of_fees
    with django_assert_num_queries(1):
        rows = reconciliation_by_department(day=DAY)
    assert rows == [
        {"id": w.dept.pk, "code": "D001", "name": "示范县市场监督管理局", "receipts": 2,
         "collected": Decimal("20.00"), "waived": Decimal("10.00")},
        {"id": w.other_dept.pk, "code": "D002", "name": "示范县公安局", "receipts": 1,
         "collected": Decimal("20.00"), "waived": Decimal("5.50")},
    ]
    center = reconciliation_by_department(day=DAY, hall=w.center)
    assert [(r["code"], r["receipts"], r["collected"], r["waived"]) for r in center] == [
        ("D001", 1, Decimal("10.00"), Decimal("10.00")), ("D002", 1, Decimal("20.00"), Decimal("5.50"))]
    assert reconciliation_by_department(day=DAY + dt.timedelta(days=2)) == []


@pytest.mark.usefixtures("day_of_fees")
def test_reconciliation_by_hall(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = reconciliation_by_hall(day=DAY)
    assert [(r["code"], r["receipts"], r["collected"], r["waived"]) for r in rows] == [
        ("CGZ", 1, Decimal("10.00"), Decimal("0.00")), ("SFXZW", 2, Decimal("30.00"), Decimal("15.50"))]
    assert [(r["code"], r["receipts"], r["collected"]) for r in reconciliation_by_hall(day=DAY + dt.timedelta(1))] == [
        ("SFXZW", 1, Decimal("10.00"))]


# -- pages ------------------------------------------------------------------------------------------------


def test_cashier_finds_pays_and_prints(w, client):
    case = accepted(w)
    client.force_login(w.hall_admin.user)
    r = client.get("/cases/cashier/", {"case_no": case.case_no})
    assert r.status_code == 200 and "¥10.00" in r.content.decode() and "确认收费" in r.content.decode()
    with clock.frozen(DAY):
        r = client.post("/cases/cashier/pay/", {"case_no": case.case_no, "method": "cash"})
    assert r.status_code == 302
    assert FeeLine.objects.get(case=case).receipt_no == "SFXZW-2026-000001"
    page = client.get(r["Location"]).content.decode()
    assert "收费成功，票据号 SFXZW-2026-000001" in page and "该办件费用已缴清" in page
    r = client.post("/cases/cashier/pay/", {"case_no": case.case_no, "method": "cash"}, follow=True)
    assert "该办件费用已缴清" in r.content.decode()
    r = client.get("/cases/receipts/SFXZW-2026-000001/")
    assert r.status_code == 200 and "人民币壹拾元整" in r.content.decode()
    r = client.get("/cases/receipts/SFXZW-2026-000001.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action="view").count() == 5


def test_cashier_page_refusals(w, client):
    case = accepted(w, officer=w.town_officer)
    client.force_login(w.officer.user)
    r = client.get("/cases/cashier/", {"case_no": case.case_no})
    assert r.status_code == 403 and "请到该大厅集中收费窗口缴费" in r.content.decode()
    client.force_login(w.head.user)
    assert client.get("/cases/cashier/").status_code == 403
    client.force_login(w.citizen)
    assert client.get("/cases/cashier/").status_code == 403


def test_cashier_waives_from_the_page(w, client):
    case = accepted(w)
    line = FeeLine.objects.get(case=case)
    client.force_login(w.officer.user)
    r = client.post(f"/cases/cashier/waive/{line.pk}/", {"reason": ""}, follow=True)
    assert "减免须写明理由和依据" in r.content.decode()
    r = client.post(f"/cases/cashier/waive/{line.pk}/", {"reason": "小微企业"}, follow=True)
    assert "已减免“工本费”" in r.content.decode() and "已全部减免" in r.content.decode()


def test_reconciliation_page_and_excel(day_of_fees, client):
    w = day_of_fees
    client.force_login(w.hall_admin.user)
    r = client.get("/cases/cashier/reconciliation/", {"day": "2026-03-10"})
    body = r.content.decode()
    assert r.status_code == 200 and "示范县公安局" in body and "人民币叁拾元整" in body
    assert "城关镇便民服务中心" not in body  # a hall admin sees their own hall only
    r = client.get("/cases/cashier/reconciliation.xlsx", {"day": "2026-03-10"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["按部门"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=6)] == [
        ["D001", "示范县市场监督管理局", 1, 10, 10],
        ["D002", "示范县公安局", 1, 20, 5.5],
        [None, "合计", 2, 30, 15.5],
    ]
    client.force_login(w.leader.user)
    body = client.get("/cases/cashier/reconciliation/", {"day": "2026-03-10"}).content.decode()
    assert "城关镇便民服务中心" in body and "人民币肆拾元整" in body
    assert client.get("/cases/cashier/reconciliation/", {"day": "10/03/2026"}).status_code == 400
    client.force_login(w.citizen)
    assert client.get("/cases/cashier/reconciliation/").status_code == 403
