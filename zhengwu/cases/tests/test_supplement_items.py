"""Partial 补正: complete only when every listed item is in, or recorded by an officer as no longer
needed. Catalog materials are matched by their id when a file or paper original arrives; free-text
items are confirmed by an officer. Until then the case stays 待补正 and its clock stays stopped."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseMaterial, ClockStop, Status, SupplementItem, SupplementRequest
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.supervision.models import Clock

from .factories import applicant, build_world, pdf

pytestmark = pytest.mark.django_db
D = dt.date
JSON = "application/json"


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def resumes(monkeypatch):
    """Every call of case_clocks_resume, by the due date it was given."""
    calls = []
    real = s.case_clocks.case_clocks_resume

    def spy(case, plan, *, stops):
        calls.append(case.due_date)
        return real(case, plan, stops=stops)

    monkeypatch.setattr(s.case_clocks, "case_clocks_resume", spy)
    return calls


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def items(case):
    return list(SupplementItem.objects.filter(request__case=case).order_by("seq")
                .values_list("name", "material_id", "state"))


def submitted(w):
    return s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)


def test_one_of_two_listed_materials_keeps_the_case_waiting(w, django_capture_on_commit_callbacks):
    """The report: 1 of 2 uploaded, the case went back to 待受理 and the notice was marked complete."""
    from zhengwu.core.notify import ConsoleNotifier

    with clock.frozen(D(2026, 3, 9)):
        case = submitted(w)
        s.case_request_supplement(case=case, officer=w.officer, missing=["食品经营许可申请书", "经营场所平面图"])
    assert items(case) == [("食品经营许可申请书", w.m1.pk, "pending"), ("经营场所平面图", w.m2.pk, "pending")]
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 3, 10)), django_capture_on_commit_callbacks(execute=True):
        s.case_supplement(case=case, user=w.citizen, files=[(w.m1.pk, pdf())])
    assert (case.status, SupplementRequest.objects.get().received_on) == (Status.SUPPLEMENT, None)
    assert items(case) == [("食品经营许可申请书", w.m1.pk, "received"), ("经营场所平面图", w.m2.pk, "pending")]
    assert "尚需补正：经营场所平面图" in ConsoleNotifier.sent[-1].text
    with pytest.raises(DomainError) as exc:  # nor can it be accepted meanwhile
        s.case_accept(case=case, officer=w.officer)
    assert exc.value.code == "bad_state"
    with clock.frozen(D(2026, 3, 11)):
        s.case_supplement(case=case, user=w.citizen, files=[(w.m2.pk, pdf())])
    assert (case.status, SupplementRequest.objects.get().received_on) == (Status.PENDING, D(2026, 3, 11))
    assert [e for e in case.events.values_list("action", "to_status")][-2:] == [
        ("supplement", "supplement"), ("supplement", "pending")]


def test_during_review_the_clock_restarts_only_when_the_last_item_is_in(w, resumes):
    with clock.frozen(D(2026, 3, 10)):
        case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    assert case.due_date == D(2026, 3, 17)
    with clock.frozen(D(2026, 3, 12)):  # Thu: stops
        s.case_request_supplement(case=case, officer=w.chief, material_ids=[w.m3.pk], missing=["经营场所产权证明"])
    assert items(case) == [("授权委托书", w.m3.pk, "pending"), ("经营场所产权证明", None, "pending")]
    with clock.frozen(D(2026, 3, 13)):  # Fri: the listed material comes in; the free-text one has not
        s.case_supplement(case=case, officer=w.officer, files=[(w.m3.pk, pdf())])  # scanned at the window
    case_clock = Clock.objects.get(subject_type="case", subject_id=case.pk, kind_id="case")
    assert (case.status, case_clock.state, resumes) == (Status.SUPPLEMENT, "stopped", [])
    assert ClockStop.objects.get(case=case).end_on is None
    with clock.frozen(D(2026, 3, 16)):  # Mon: the officer records the other as no longer needed
        item = SupplementItem.objects.get(material__isnull=True)
        s.case_supplement_item(case=case, officer=w.officer, item_id=item.pk, state="waived", note="已在系统中核实")
    # stopped Thu 03-12 to Mon 03-16: 13, 16 do not count → 17, 18, 19, 20 + one: due Fri 03-20
    assert (case.status, case.due_date, resumes) == (Status.IN_REVIEW, D(2026, 3, 20), [D(2026, 3, 20)])
    case_clock.refresh_from_db()
    assert (case_clock.state, case_clock.due_date) == ("running", D(2026, 3, 20))
    assert ClockStop.objects.get(case=case).end_on == D(2026, 3, 16)
    item.refresh_from_db()
    assert (item.state, item.resolved_on, item.resolved_by, item.note) == (
        "waived", D(2026, 3, 16), w.officer, "已在系统中核实")


def test_the_window_receives_a_listed_paper_original(w):
    case = submitted(w)
    s.case_request_supplement(case=case, officer=w.officer, material_ids=[w.m1.pk, w.m2.pk])
    s.case_supplement(case=case, officer=w.officer, paper_materials=[w.m1.pk])
    assert case.status == Status.SUPPLEMENT
    listed = SupplementItem.objects.get(material=w.m2)
    s.case_supplement_item(case=case, officer=w.officer, item_id=listed.pk, state="received")
    assert case.status == Status.PENDING
    assert set(CaseMaterial.objects.filter(case=case, paper_received=True).values_list("material_id", flat=True)) == {
        w.m1.pk, w.m2.pk}
    s.case_accept(case=case, officer=w.officer)  # every required material is in
    assert case.status == Status.IN_REVIEW


def test_refusals_of_the_officers_record(w):
    case = submitted(w)
    s.case_request_supplement(case=case, officer=w.officer, missing=["房屋租赁合同", "消防验收意见"])
    lease, fire = SupplementItem.objects.order_by("seq")
    s.case_supplement_item(case=case, officer=w.officer, item_id=lease.pk, state="received")
    before = (Case.objects.get(pk=case.pk).row_version, items(case))
    for kw, code in [({"item_id": lease.pk, "state": "waived"}, "item_resolved"),
                     ({"item_id": fire.pk, "state": "pending"}, "item_state"),
                     ({"item_id": 99999, "state": "received"}, "supplement_item")]:
        with pytest.raises(DomainError) as exc:
            s.case_supplement_item(case=case, officer=w.officer, **kw)
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        s.case_supplement_item(case=case, officer=w.outsider, item_id=fire.pk, state="received")
    assert exc.value.code == "out_of_scope"
    with pytest.raises(DomainError) as exc:
        s.case_supplement_item(case=case, officer=w.head, item_id=fire.pk, state="received")
    assert exc.value.code == "wrong_role"
    assert (Case.objects.get(pk=case.pk).row_version, items(case)) == before


def test_through_the_api_the_applicant_sees_what_remains_and_the_officer_confirms_the_rest(client, w):
    citizen, officer = token(w.citizen), token(w.officer.user)
    case = submitted(w)
    no = case.case_no
    r = client.post(f"/api/cases/{no}/actions/request_supplement",
                    {"material_ids": [w.m1.pk, w.m2.pk], "missing": ["房屋租赁合同"]}, content_type=JSON,
                    headers=officer)
    assert r.json()["status"] == "supplement"
    for mat in (w.m1, w.m2):  # uploaded one by one, then the 补正 is sent
        assert client.post(f"/api/cases/{no}/materials", {"material_id": mat.pk, "file": pdf()},
                           headers=citizen).status_code == 200
    r = client.post(f"/api/cases/{no}/actions/supplement", {"note": "已上传"}, content_type=JSON, headers=citizen)
    assert r.json()["status"] == "supplement"
    sup = client.get(f"/api/cases/{no}", headers=citizen).json()["supplement"]
    assert [(i["name"], i["state"]) for i in sup["items"]] == [
        ("食品经营许可申请书", "received"), ("经营场所平面图", "received"), ("房屋租赁合同", "pending")]
    assert sup["remaining"] == ["房屋租赁合同"]
    lease = sup["items"][2]["id"]
    r = client.post(f"/api/cases/{no}/actions/supplement_item", {"item_id": lease, "item_state": "received"},
                    content_type=JSON, headers=citizen)
    assert (r.status_code, r.json()["message"]) == (403, "该操作须使用工作人员账号")
    r = client.post(f"/api/cases/{no}/actions/supplement_item", {"item_id": lease, "item_state": "received"},
                    content_type=JSON, headers=officer)
    assert r.json()["status"] == "pending"
    detail = client.get(f"/api/cases/{no}", headers=citizen).json()
    assert detail["supplement"] is None
    assert [e["action"] for e in detail["events"]][-2:] == ["supplement", "supplement_item"]


def test_existing_notices_are_carried_over_by_the_migration(w):
    """Rows from before the items: names equal to a listed material become that material."""
    case = submitted(w)
    open_ = SupplementRequest.objects.create(case=case, requested_on=D(2026, 3, 9), requested_by=w.officer,
                                             missing=["经营场所平面图", "房屋租赁合同", "经营场所平面图"])
    done = SupplementRequest.objects.create(case=case, requested_on=D(2026, 3, 2), requested_by=w.officer,
                                            missing=["食品经营许可申请书"], received_on=D(2026, 3, 5))
    migration = importlib.import_module("zhengwu.cases.migrations.0005_supplement_items_backfill")
    migration.forwards(apps, None)
    assert list(open_.items.values_list("seq", "name", "material_id", "state", "resolved_on")) == [
        (1, "经营场所平面图", w.m2.pk, "pending", None), (2, "房屋租赁合同", None, "pending", None)]
    assert list(done.items.values_list("name", "material_id", "state", "resolved_on")) == [
        ("食品经营许可申请书", w.m1.pk, "received", D(2026, 3, 5))]
