"""A bundle of three departments: acceptance for all, parallel review, a reasoned 不同意 ruled on by the lead,
the combined result."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case, Status
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.joint import services as js
from zhengwu.joint.models import JointEvent, JointOpinion, JointRuling, JointStatus
from zhengwu.supervision.models import Clock

from .factories import DAY, build_bundle_world, children, fresh, window_apply

pytestmark = pytest.mark.django_db


def test_three_departments_through_the_whole_life():
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = window_apply(w)
        assert joint.status == JointStatus.SUBMITTED
        kids = children(joint)
        assert [c.case_no for c in kids] == [f"{joint.case_no}-{k}" for k in (1, 2, 3)]
        assert [c.department_id for c in kids] == [w.dept.pk, w.co1.pk, w.co2.pk]
        assert [c.promised_days for c in kids] == [5, 8, 3]
        # the shared 营业执照 was handed in once and is linked to both 公安 and 消防
        lic = Case.objects.get(pk=kids[1].pk).materials.get(name="营业执照")
        assert Case.objects.get(pk=kids[2].pk).materials.get(name="营业执照").file.name == lic.file.name

        js.joint_accept(joint=joint, officer=w.officer, note="一门受理")
    joint = fresh(joint)
    kids = children(joint)
    assert joint.status == JointStatus.IN_REVIEW
    assert {c.status for c in kids} == {Status.IN_REVIEW}
    # 2026-03-10 + 5 / 8 / 3 working days (受理当日不计)
    assert [c.due_date for c in kids] == [dt.date(2026, 3, 17), dt.date(2026, 3, 20), dt.date(2026, 3, 13)]
    assert joint.due_date == dt.date(2026, 3, 20)
    assert joint.promised_due == dt.date(2026, 3, 24)
    # every 子件's 办结时限 runs, and the co-departments' answer to their own 首席代表
    clocks = dict(Clock.objects.filter(subject_type="case", kind_id="case").values_list("subject_id", "officer_id"))
    assert clocks == {kids[0].pk: w.officer.pk, kids[1].pk: w.co1_chief.pk, kids[2].pk: w.co2_chief.pk}

    with clock.frozen(dt.date(2026, 3, 11)):
        # anything but the three answers is refused; 不同意 needs reasons
        with pytest.raises(DomainError) as e:
            js.joint_opinion(case=kids[1], officer=w.co1_chief, kind="maybe")
        assert e.value.code == "opinion_kind"
        with pytest.raises(DomainError) as e:
            js.joint_opinion(case=kids[1], officer=w.co1_chief, kind="disagree", reason="  ")
        assert e.value.code == "reason_required"
        with pytest.raises(DomainError):
            js.joint_opinion(case=kids[1], officer=w.co2_chief, kind="agree")  # not its department
        assert not JointOpinion.objects.exists()

        js.joint_opinion(case=kids[1], officer=w.co1_chief, kind="disagree", reason="场所临近学校，不符合特种行业布点要求")
        assert fresh(joint).status == JointStatus.RULING
        js.joint_opinion(case=kids[2], officer=w.co2_chief, kind="agree")
        assert fresh(joint).status == JointStatus.RULING
        # the result cannot be issued before the lead rules and every department decides
        with pytest.raises(DomainError) as e:
            js.joint_result(joint=fresh(joint), officer=w.chief)
        assert e.value.code == "children_open"
        # a co-department cannot rule
        with pytest.raises(DomainError):
            js.joint_ruling(joint=fresh(joint), officer=w.co2_chief, kind="proceed", reason="x")
        js.joint_ruling(joint=fresh(joint), officer=w.chief, kind="proceed", reason="经协调，申请人已调整经营范围")
        assert fresh(joint).status == JointStatus.IN_REVIEW
        ruling = JointRuling.objects.get()
        assert (ruling.kind, ruling.opinion.department_id) == ("proceed", w.co1.pk)

        # parallel review: each department with its own actions
        cs.case_decide(case=Case.objects.get(pk=kids[2].pk), officer=w.co2_chief, decision="approve")
        assert fresh(joint).status == JointStatus.IN_REVIEW
        lead = Case.objects.get(pk=kids[0].pk)
        cs.case_review(case=lead, officer=w.chief)
        cs.case_decide(case=lead, officer=w.head, decision="approve")
        cs.case_decide(case=Case.objects.get(pk=kids[1].pk), officer=w.co1_chief, decision="approve")
        assert fresh(joint).status == JointStatus.READY

        with pytest.raises(DomainError):
            js.joint_result(joint=fresh(joint), officer=w.co1_chief)  # only the lead
        js.joint_result(joint=fresh(joint), officer=w.chief, note="准予开办")
    joint = fresh(joint)
    assert joint.status == JointStatus.COMPLETED
    assert joint.result["kind"] == "approval"
    assert [(x["case_no"], x["decision"], x["deemed"]) for x in joint.result["lines"]] == [
        (f"{joint.case_no}-{k}", "approve", False) for k in (1, 2, 3)]
    assert joint.result_no == f"LHSP-{joint.case_no}"
    actions = list(JointEvent.objects.filter(joint=joint).values_list("action", flat=True))
    assert actions[:2] == ["submit", "accept"] and actions[-1] == "result"
    assert actions.count("opinion") == 2 and "ruling" in actions
    # each department still issues its own permit: the 子件 are completed by their own departments
    cs.case_complete(case=Case.objects.get(pk=kids[1].pk), officer=w.co1_chief)
    assert fresh(joint).status == JointStatus.COMPLETED


def test_child_actions_reserved_for_the_joint_are_refused_on_the_child():
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = window_apply(w)
        kid = children(joint)[0]
        for call in (lambda: cs.case_accept(case=kid, officer=w.officer),
                     lambda: cs.case_reject(case=kid, officer=w.officer, reason="x"),
                     lambda: cs.case_request_supplement(case=kid, officer=w.officer, missing=["x"])):
            with pytest.raises(DomainError) as e:
                call()
            assert e.value.code == "joint_child"
        assert fresh(kid).status == Status.PENDING and fresh(joint).status == JointStatus.SUBMITTED


def test_acceptance_is_refused_with_every_departments_missing_materials():
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = window_apply(w, skip=("营业执照", "消防设计图"))
        with pytest.raises(DomainError) as e:
            js.joint_accept(joint=joint, officer=w.officer)
    assert e.value.code == "materials_missing"
    assert "示范县公安局" in e.value.message and "消防设计图" in e.value.message
    assert fresh(joint).status == JointStatus.SUBMITTED
    assert {c.status for c in children(joint)} == {Status.PENDING}
    assert not Clock.objects.exists()


def test_co_department_cannot_accept_and_lead_ruling_refuse_and_suspend():
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = window_apply(w)
        with pytest.raises(DomainError):
            js.joint_accept(joint=joint, officer=w.outsider)
        js.joint_accept(joint=joint, officer=w.officer)
        kids = children(joint)
        js.joint_opinion(case=kids[1], officer=w.co1_chief, kind="disagree", reason="理由一")
        js.joint_ruling(joint=fresh(joint), officer=w.chief, kind="suspend", reason="待申请人调整选址")
        assert fresh(joint).status == JointStatus.SUSPENDED
        # a child action does not lift the lead's suspension
        cs.case_decide(case=Case.objects.get(pk=kids[2].pk), officer=w.co2_chief, decision="approve")
        assert fresh(joint).status == JointStatus.SUSPENDED
        js.joint_resume(joint=fresh(joint), officer=w.chief, reason="已调整")
        assert fresh(joint).status == JointStatus.IN_REVIEW
        with pytest.raises(DomainError) as e:
            js.joint_opinion(case=kids[0], officer=w.chief, kind="agree")  # the lead gives no opinion
        assert e.value.code == "lead_no_opinion"
        js.joint_opinion(case=kids[2], officer=w.co2_chief, kind="escalate")
        assert JointOpinion.objects.count() == 2
        with pytest.raises(DomainError) as e:
            js.joint_opinion(case=kids[2], officer=w.co2_chief, kind="agree")
        assert e.value.code == "opinion_given"
