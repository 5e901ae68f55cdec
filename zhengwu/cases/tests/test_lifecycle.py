"""The whole life of a case through the service functions, with exact due dates."""

import datetime as dt

import pytest

from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent, ClockStop, FeeLine, Status, SupplementItem
from zhengwu.core import clock

from .factories import build_world, pdf

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def submit_online(w, files=True):
    files = [(w.m1.pk, pdf("申请书.pdf")), (w.m2.pk, pdf("平面图.pdf"))] if files else []
    from .factories import applicant

    return s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen, files=files)


def test_online_case_full_life_around_national_day(w):
    with clock.frozen(D(2026, 9, 28)):
        case = submit_online(w)
        assert case.case_no == "SFXZW-20260928-00001"
        assert case.status == Status.SUBMITTED
        s.case_prereview(case=case, officer=w.officer)
        s.case_accept(case=case, officer=w.officer)
    # 5 working days from 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (调休 Saturday).
    assert (case.status, case.accepted_on, case.due_date, case.current_step) == (
        Status.IN_REVIEW, D(2026, 9, 28), D(2026, 10, 10), 2)
    assert case.first_officer == w.officer
    with clock.frozen(D(2026, 10, 8)):
        s.case_suspend(case=case, officer=w.chief, kind="site_survey", reason="经营场所需现场核查")
    with clock.frozen(D(2026, 10, 9)):
        s.case_resume(case=case, officer=w.chief, result="现场核查符合要求")
    # 10-08 and 10-09 do not count: 09-29, 09-30, 10-10, 10-12, 10-13.
    assert case.due_date == D(2026, 10, 13)
    with clock.frozen(D(2026, 10, 12)):
        s.case_extend(case=case, head=w.head, reason="需征求相关部门意见")
    assert case.due_date == D(2026, 10, 27)
    with clock.frozen(D(2026, 10, 13)):
        s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所产权证明"])
    assert case.status == Status.SUPPLEMENT
    with clock.frozen(D(2026, 10, 15)):
        s.case_supplement(case=case, user=w.citizen, files=[(None, pdf("产权证明.pdf"))])
        assert case.status == Status.SUPPLEMENT  # not on the material list: the window confirms it
        item = SupplementItem.objects.get(request__case=case)
        s.case_supplement_item(case=case, officer=w.officer, item_id=item.pk, state="received")
    # 10-13..10-15 stopped as well: three more working days.
    assert (case.status, case.due_date) == (Status.IN_REVIEW, D(2026, 10, 30))
    with clock.frozen(D(2026, 10, 16)):
        s.case_review(case=case, officer=w.chief, note="材料齐全，同意")
        s.case_decide(case=case, officer=w.head, decision="approve")
        s.case_complete(case=case, officer=w.officer)
        s.case_deliver(case=case, officer=w.officer, method="post", tracking_no="SF1234567890")
    case.refresh_from_db()
    assert (case.status, case.completed_on, case.decision) == (Status.DELIVERED, D(2026, 10, 16), "approve")
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", "from_status", "to_status"))
    assert actions == [
        ("submit", "", "submitted"), ("prereview", "submitted", "pending"), ("accept", "pending", "in_review"),
        ("suspend", "in_review", "suspended"), ("resume", "suspended", "in_review"),
        ("extend", "in_review", "in_review"), ("request_supplement", "in_review", "supplement"),
        ("supplement", "supplement", "supplement"), ("supplement_item", "supplement", "in_review"),
        ("review", "in_review", "in_review"),
        ("decide", "in_review", "decided"), ("complete", "decided", "completed"),
        ("deliver", "completed", "delivered"),
    ]
    stops = list(ClockStop.objects.filter(case=case).values_list("kind", "start_on", "end_on"))
    assert stops == [("site_survey", D(2026, 10, 8), D(2026, 10, 9)), ("supplement", D(2026, 10, 13), D(2026, 10, 15))]
    assert list(FeeLine.objects.filter(case=case).values_list("name", "amount")) == [("工本费", 10)]


def test_accept_across_spring_festival(w):
    with clock.frozen(D(2026, 2, 12)):
        case = submit_online(w)
        s.case_accept(case=case, officer=w.officer)
    # 02-13, 02-14 (调休), holiday 02-15..23, 02-24, 02-25, 02-26.
    assert case.due_date == D(2026, 2, 26)


def test_supplement_before_acceptance_then_accept(w):
    with clock.frozen(D(2026, 9, 24)):
        case = submit_online(w, files=False)
        s.case_request_supplement(case=case, officer=w.officer, missing=["食品经营许可申请书", "经营场所平面图"])
    with clock.frozen(D(2026, 9, 30)):
        s.case_supplement(case=case, user=w.citizen, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        assert case.status == Status.PENDING
        s.case_accept(case=case, officer=w.officer)
    # Counting from acceptance on 09-30: 10-08, 10-09, 10-10, 10-12, 10-13.
    assert case.due_date == D(2026, 10, 13)


def test_immediate_item_is_accepted_and_finished_in_one_go(w):
    from .factories import applicant

    with clock.frozen(D(2026, 10, 10)):
        case = s.case_submit(item=w.immediate, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.immediate.current.materials.get().pk])
    case.refresh_from_db()
    assert (case.status, case.due_date, case.completed_on, case.decision) == (
        Status.COMPLETED, D(2026, 10, 10), D(2026, 10, 10), "approve")
    assert list(case.events.values_list("action", flat=True)) == ["submit", "accept", "decide", "complete"]
    assert case.first_officer == w.officer


def test_village_agent_submits_for_a_resident_and_case_goes_to_the_town_center(w):
    from .factories import applicant

    case = s.case_submit(item=w.item, applicant=applicant(), channel="agent", agent=w.agent)
    assert (case.hall, case.agent_station, case.status) == (w.town_hall, w.station, Status.PENDING)
    assert case.case_no.startswith("CGZ-")


def test_deny_decision_and_reject(w):
    with clock.frozen(D(2026, 11, 2)):
        case = submit_online(w)
        s.case_accept(case=case, officer=w.officer)
        s.case_review(case=case, officer=w.chief)
        s.case_decide(case=case, officer=w.head, decision="deny", reason="经营场所不符合《食品经营许可和备案管理办法》第十二条")
        s.case_complete(case=case, officer=w.officer)
    assert (case.decision, case.status) == ("deny", Status.COMPLETED)
    other = submit_online(w)
    s.case_reject(case=other, officer=w.officer, reason="申请事项不属于本机关职权范围（行政许可法第三十二条）")
    assert Case.objects.get(pk=other.pk).status == Status.REJECTED


def test_withdraw_by_applicant(w):
    case = submit_online(w)
    s.case_withdraw(case=case, user=w.citizen, reason="不再需要")
    assert Case.objects.get(pk=case.pk).status == Status.WITHDRAWN


def test_case_numbers_count_per_hall_and_day(w):
    with clock.frozen(D(2026, 11, 2)):
        nos = [submit_online(w).case_no for _ in range(3)]
    with clock.frozen(D(2026, 11, 3)):
        nos.append(submit_online(w).case_no)
    assert nos == ["SFXZW-20261102-00001", "SFXZW-20261102-00002", "SFXZW-20261102-00003",
                   "SFXZW-20261103-00001"]


def test_accept_with_only_optional_materials_records_the_paper_one(w):
    """An item that requires nothing: ticking the optional paper 授权委托书 at acceptance is recorded."""
    from zhengwu.cases.models import CaseMaterial
    from zhengwu.catalog.services import item_upsert

    from .factories import MATERIALS, STEPS, _fields, applicant

    item, _ = item_upsert(impl_code="SFX-SCJG-009", department=w.dept, fields=_fields(name="食品经营许可注销"),
                          steps=STEPS, materials=MATERIALS[2:], fees=[])
    optional = item.current.materials.get()
    with clock.frozen(D(2026, 11, 2)):
        case = s.case_submit(item=item, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[optional.pk])
    assert case.status == Status.IN_REVIEW
    row = CaseMaterial.objects.get(case=case)
    assert (row.material_id, row.paper_received, row.name) == (optional.pk, True, "授权委托书")


def test_a_provisional_due_date_is_recomputed_once_the_years_notice_is_entered(w, django_capture_on_commit_callbacks):
    """Accepted Monday 28 December 2026 for 5 working days: 29, 30, 31 Dec, then 2027 (no notice yet:
    New Year's Day is a holiday by rule) 4 and 5 Jan → due 5 Jan, provisional. The 2027 notice then
    gives 4 January off as well (an override) and is confirmed: due 6 January, no longer provisional."""
    from zhengwu.cases.models import CaseEvent
    from zhengwu.core.notify import ConsoleNotifier
    from zhengwu.workdays.models import DayOverride, YearNotice

    from .factories import applicant

    with clock.frozen(D(2026, 12, 28)):
        case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 5), True)
    assert s.deadlines_refresh_provisional() == 0  # nothing known yet: nothing changes

    DayOverride.objects.create(date=D(2027, 1, 4), kind=DayOverride.Kind.HOLIDAY, name="元旦")
    YearNotice.objects.create(year=2027, document="国办发明电〔2026〕X号", confirmed=True)
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert s.deadlines_refresh_provisional() == 1
    case.refresh_from_db()
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 6), False)
    event = CaseEvent.objects.get(case=case, action="recalc")
    assert event.data == {"from": "2027-01-05", "due_date": "2027-01-06", "provisional": False}
    assert "调整为2027年1月6日" in ConsoleNotifier.sent[-1].text
    assert s.deadlines_refresh_provisional() == 0


def test_a_case_keeps_the_item_version_it_was_filed_under(w):
    """Version 2 of the item (shorter limit, one more material, no fee) is published while a case
    filed under version 1 is under review: that case keeps version 1's limit, materials and fees;
    a new case takes version 2."""
    from zhengwu.catalog.models import Material
    from zhengwu.catalog.services import item_draft_create, item_publish
    from zhengwu.core.errors import DomainError

    from .factories import applicant

    with clock.frozen(D(2026, 11, 2)):
        old = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    draft = item_draft_create(item=w.item)
    draft.promised_limit = 3
    draft.save(update_fields=["promised_limit"])
    Material.objects.create(version=draft, seq=4, name="健康证明", necessity="required", form="paper", copies=1)
    draft.fees.all().delete()
    item_publish(version=draft)
    w.item.refresh_from_db()
    assert w.item.current_id == draft.pk and old.item_version_id != draft.pk

    with clock.frozen(D(2026, 11, 2)):
        s.case_accept(case=old, officer=w.officer, paper_materials=[w.m1.pk, w.m2.pk])  # v1 needs no 健康证明
        new = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    assert old.due_date == D(2026, 11, 9)  # 5 working days (v1)
    assert FeeLine.objects.filter(case=old).count() == 1  # v1's 工本费
    assert new.item_version_id == draft.pk
    v2 = {m.name: m.pk for m in draft.materials.all()}
    with clock.frozen(D(2026, 11, 2)):
        with pytest.raises(DomainError) as exc:
            s.case_accept(case=new, officer=w.officer, paper_materials=[v2["食品经营许可申请书"], v2["经营场所平面图"]])
        assert exc.value.code == "materials_missing" and "健康证明" in exc.value.message
        s.case_accept(case=new, officer=w.officer, paper_materials=list(v2.values()))
    assert new.due_date == D(2026, 11, 5)  # 3 working days (v2)
    assert not FeeLine.objects.filter(case=new).exists()
