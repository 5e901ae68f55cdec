"""The purchase's link to an approval case: a service commissioned during review stops the case's clock as a
特别程序 (中介服务) from the contract to the delivery; a 受理条件 service leaves the case alone."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases.models import Case, ClockStop, Status
from zhengwu.cases.services import (
    Applicant,
    case_accept,
    case_complete,
    case_decide,
    case_review,
    case_submit,
)
from zhengwu.catalog.tests import factories as cf
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.testing import upload
from zhengwu.intermediary.models import Funding, LinkStage, PurchaseStatus, ServiceLink
from zhengwu.intermediary.services.caselink import approval_vs_elapsed, case_intermediary_stage
from zhengwu.intermediary.services.common import RULES
from zhengwu.intermediary.services.service import (
    contract_register,
    purchase_confirm,
    purchase_terminate,
    result_deliver,
)
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.models import Clock, ClockState

from .factories import DAY, at, build_world, uscc
from .test_purchases import _media, create, member, publish, reload, select, sign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    w = build_world()
    # 建设工程消防设计审查: 施工图审查 commissioned by the department during review (特别程序, ≤ 30 工作日)
    w.fire_item = cf.item(impl_code="11130621MB0101-02", dept=w.housing, name="建设工程消防设计审查",
                          basic_code="00012345603Y", business_code="0001234560301", promised_limit=20,
                          special_procedures=["expert_review", "intermediary"])
    ServiceLink.objects.create(service=w.drawings, item=w.fire_item, basis="《建设工程消防设计审查验收管理暂行规定》第十五条",
                               stage=LinkStage.REVIEW, review_limit=30)
    w.officer = f.staff("5001", Role.WINDOW_OFFICER, department=w.housing, hall=w.hall, name="周窗口")
    w.chief = f.staff("5002", Role.CHIEF_REP, department=w.housing, hall=w.hall, name="吴首代")
    w.head = f.staff("5003", Role.DEPT_HEAD, department=w.housing, region=w.county, name="郑局长")
    w.env_officer = f.staff("5004", Role.WINDOW_OFFICER, department=w.env, hall=w.hall, name="冯窗口")
    return w


def accepted_case(w, item, officer, day=DAY) -> Case:
    m1 = item.current.materials.order_by("seq").first()
    applicant = Applicant(kind="legal", name="示范县宏达食品有限公司", phone="13900000001", uscc=uscc(900),
                          legal_rep="刘宏达")
    with clock.frozen(at(day, 9)):
        case = case_submit(item=item, applicant=applicant, channel="window", officer=officer,
                           files=[(m1.pk, upload("申请书.pdf"))])
        case_accept(case=case, officer=officer)
    return Case.objects.get(pk=case.pk)


def case_clock(case) -> tuple:
    c = Clock.objects.get(subject_type="case", subject_id=case.pk, kind_id="case")
    return c.state, c.due_date


def review_purchase(w, case, **over):
    fields = dict(owner=w.government, service=w.drawings, title="宏达食品扩建项目消防施工图审查", service_days=15,
                  funding=Funding.STATE, case=case)
    fields.update(over)
    p = publish(create(w, **fields))
    for a in w.agencies[:3]:
        sign(p, a)
    p = select(p)
    with clock.frozen(at(D(2026, 3, 10), 10)):
        purchase_confirm(purchase_id=p.pk, user=member(p.selected.agency))
    return reload(p)


def test_a_review_stage_service_stops_the_case_clock_until_delivery(w):
    case = accepted_case(w, w.fire_item, w.officer)
    # 20 working days from Monday 2 March: Monday 30 March.
    assert (case.status, case.due_date, case_clock(case)) == (
        Status.IN_REVIEW, D(2026, 3, 30), (ClockState.RUNNING, D(2026, 3, 30)))
    p = review_purchase(w, case)
    assert (p.case, p.item) == (case, w.fire_item)

    with clock.frozen(at(D(2026, 3, 11), 10)):
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="20000", signed_on="2026-03-11",
                          service_start="2026-03-11")
    case.refresh_from_db()
    stop = ClockStop.objects.get(case=case)
    assert (case.status, stop.kind, stop.start_on, stop.end_on, stop.started_by) == (
        Status.SUSPENDED, "intermediary", D(2026, 3, 11), None, w.officer)
    assert p.code in stop.reason and RULES["SPECIAL"][:5] in stop.reason
    assert case_clock(case)[0] == ClockState.STOPPED
    stage = case_intermediary_stage(case)
    assert [(s["purchase_code"], s["stage"], s["status"], s["limit"]) for s in stage["stages"]] == [
        (p.code, LinkStage.REVIEW, PurchaseStatus.IN_SERVICE, 30)]

    with clock.frozen(at(D(2026, 3, 20), 15)):
        result_deliver(purchase_id=p.pk, user=member(p.selected.agency), result_file=upload("审查合格书.pdf"),
                       note="审查合格")
    case.refresh_from_db()
    stop.refresh_from_db()
    # 11–20 March (8 working days) do not count: the due moves from 30 March to Friday 10 April.
    assert (case.status, stop.end_on, case.due_date) == (Status.IN_REVIEW, D(2026, 3, 20), D(2026, 4, 10))
    assert case_clock(case) == (ClockState.RUNNING, D(2026, 4, 10))
    assert list(case.events.values_list("action", flat=True)) == ["submit", "accept", "suspend", "resume"]

    with clock.frozen(at(D(2026, 3, 24), 10)):
        case_review(case=case, officer=w.chief, note="同意")
        case_decide(case=case, officer=w.head, decision="approve")
        case_complete(case=case, officer=w.officer)
    rows = approval_vs_elapsed(region=w.county, since=D(2026, 3, 1), until=D(2026, 3, 31))
    # approval: 2 → 24 March is 16 working days, less the 8 of the stop = 8; elapsed 22 calendar days, of which
    # the intermediary stage (published 2 March, delivered 20 March) 18.
    assert rows == [{"case_no": case.case_no, "item": "建设工程消防设计审查", "accepted_on": D(2026, 3, 2),
                     "completed_on": D(2026, 3, 24), "approval_workdays": 8, "intermediary_days": 18,
                     "started_on": D(2026, 3, 2), "elapsed_days": 22, "purchases": [p.code]}]


def test_review_stage_links_are_the_departments_and_need_the_procedure(w):
    case = accepted_case(w, w.fire_item, w.officer)
    with pytest.raises(DomainError) as e:
        create(w, owner=w.enterprise, service=w.drawings, service_days=15, case=case)
    assert e.value.code == "intermediary_case_owner" and RULES["SELF_PAY"] in e.value.message
    plain = cf.item(impl_code="11130621MB0101-03", dept=w.housing, name="建设工程消防验收",
                    basic_code="00012345604Y", business_code="0001234560401", promised_limit=20)
    ServiceLink.objects.create(service=w.drawings, item=plain, basis="依据", stage=LinkStage.REVIEW)
    other = accepted_case(w, plain, w.officer)
    with pytest.raises(DomainError) as e:
        create(w, owner=w.government, service=w.drawings, service_days=15, case=other, funding=Funding.STATE)
    assert e.value.code == "intermediary_case_procedure" and "未设定“中介服务”特别程序" in e.value.message
    with pytest.raises(DomainError) as e:
        create(w, owner=w.government, service=w.survey, service_days=5, case=case, funding=Funding.STATE)
    assert e.value.code == "intermediary_item_link" and RULES["LIST"] in e.value.message
    assert not case.intermediary_purchases.exists() and not other.intermediary_purchases.exists()


def test_a_precondition_service_leaves_the_case_clock_alone(w):
    case = accepted_case(w, w.env_item, w.env_officer)
    with pytest.raises(PermissionDenied) as e:
        create(w, owner=w.person, case=case)
    assert e.value.message == f"办件{case.case_no}的申请人不是该项目业主，不能关联"
    p = publish(create(w, case=case))  # the enterprise applicant's own 环评 (受理条件)
    sign(p, w.agencies[0])
    p = select(p)
    with clock.frozen(at(D(2026, 3, 10), 10)):
        purchase_confirm(purchase_id=p.pk, user=member(p.selected.agency))
    with clock.frozen(at(D(2026, 3, 11), 10)):
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="15000", signed_on="2026-03-11",
                          service_start="2026-03-11")
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW and not ClockStop.objects.filter(case=case).exists()
    assert case_clock(case)[0] == ClockState.RUNNING
    stage = case_intermediary_stage(case)["stages"][0]
    assert (stage["stage"], stage["note"]) == (LinkStage.PRECONDITION, "受理条件，由申请人在受理前自行委托，不计入审批期限")


def test_terminating_the_service_lets_the_case_clock_run_again(w):
    case = accepted_case(w, w.fire_item, w.officer)
    p = review_purchase(w, case)
    with clock.frozen(at(D(2026, 3, 11), 10)):
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="20000", signed_on="2026-03-11",
                          service_start="2026-03-11")
    with clock.frozen(at(D(2026, 3, 13), 10)):
        purchase_terminate(purchase_id=p.pk, user=member(p.owner), reason="设计方案重大调整")
    case.refresh_from_db()
    stop = ClockStop.objects.get(case=case)
    # 11–13 March (3 working days) do not count: 30 March → 2 April.
    assert (case.status, stop.end_on, case.due_date) == (Status.IN_REVIEW, D(2026, 3, 13), D(2026, 4, 2))
    assert "中介服务中止：设计方案重大调整" in stop.result
    assert case_clock(case) == (ClockState.RUNNING, D(2026, 4, 2))


def test_the_case_pages_show_the_stage_and_the_report_puts_the_times_side_by_side(client, w):
    case = accepted_case(w, w.fire_item, w.officer)
    p = review_purchase(w, case)
    with clock.frozen(at(D(2026, 3, 11), 10)):
        contract_register(purchase_id=p.pk, user=member(p.owner), amount="20000", signed_on="2026-03-11",
                          service_start="2026-03-11")
    client.force_login(w.officer.user)
    with clock.frozen(at(D(2026, 3, 12), 10)):
        page = client.get(f"/workbench/cases/{case.case_no}/").content.decode()
    assert 'data-testid="intermediary-stages"' in page and p.code in page and "进行中" in page
    assert "审查中委托" in page and "特别程序时限 30 个工作日" in page
    with clock.frozen(at(D(2026, 3, 20), 15)):
        result_deliver(purchase_id=p.pk, user=member(p.selected.agency), result_file=upload("审查合格书.pdf"),
                       note="审查合格")
    case.refresh_from_db()
    with clock.frozen(at(D(2026, 3, 24), 10)):
        case_review(case=case, officer=w.chief, note="同意")
        case_decide(case=case, officer=w.head, decision="approve")
        case_complete(case=case, officer=w.officer)

    # the window officer may not read the report; the marketplace administrator may, page and API
    with clock.frozen(at(D(2026, 3, 25), 10)):
        r = client.get("/intermediary/report/?since=2026-03-01&until=2026-03-31")
        assert r.status_code == 403 and "审批用时报表仅限" in r.content.decode()
        client.force_login(w.admin.user)
        html = client.get("/intermediary/report/?since=2026-03-01&until=2026-03-31").content.decode()
        bad = client.get("/intermediary/report/?since=2026-03-31&until=2026-03-01")
        api = client.get("/api/intermediary/reports/approval-time?since=2026-03-01&until=2026-03-31")
    assert case.case_no in html and "平均审批用时 8.0 个工作日；平均中介服务用时 18.0 个自然日；平均总用时 22.0 个自然日" in html
    assert bad.status_code == 400 and "开始日期不能晚于结束日期" in bad.content.decode()
    body = api.json()
    assert api.status_code == 200 and (body["average_approval_workdays"], body["average_elapsed_days"]) == (8.0, 22.0)
    assert [(r["case_no"], r["approval_workdays"], r["intermediary_days"], r["elapsed_days"]) for r in body["rows"]] \
        == [(case.case_no, 8, 18, 22)]
