"""The agreement's states, its refusals (nothing changed), validation and the upstream clock rule."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.agency import services
from zhengwu.agency.models import Agreement, AgreementEvent, Status, UpstreamStep
from zhengwu.agency.selectors import step_rows, upstream_days
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent

from .factories import DAY, active, applicant, build_world, company, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _snapshot(a: Agreement):
    a = Agreement.objects.get(pk=a.pk)
    return (a.status, a.signed_on, a.finished_on, a.terminated_on, a.terminate_reason,
            AgreementEvent.objects.filter(agreement=a).count(), a.steps.count(), a.materials.count(),
            a.handovers.count())


def test_full_life_of_an_agreement(w):
    a = draft(w, applicant=company(), items=[w.eia, w.water], stages=[1, 2], project_name="宏达食品厂新建项目")
    assert a.status == Status.PENDING
    assert a.agreement_no == "SFXZW-DB2026-0001"
    assert a.agent == w.agent and a.referred_by is None
    assert "帮办代办不包办" in a.terms and "不收取任何费用" in a.terms
    assert a.stages == [1, 2]
    with clock.frozen(DAY):
        services.agreement_sign(agreement=a, staff=w.agent)
        m = services.material_receive(agreement=a, staff=w.agent, name="环境影响报告书", copies=2, original=True)
    assert a.status == Status.ACTIVE and a.signed_on == DAY
    with clock.frozen(dt.date(2026, 3, 3)):
        step = services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(
            item=w.eia, department="示范市生态环境局", step_name="受理", filed_on=dt.date(2026, 3, 3)))
    with clock.frozen(dt.date(2026, 3, 13)):
        services.upstream_result_record(agreement=a, staff=w.agent, step_id=step.pk, result="准予许可",
                                        document_no="示环审〔2026〕12号")
        services.material_return(agreement=a, staff=w.agent, material_id=m.pk)
        h = services.handover_record(agreement=a, staff=w.agent, what="环评批复原件1份", handed_to="张三")
        services.agreement_finish(agreement=a, staff=w.agent)
    a.refresh_from_db()
    assert a.status == Status.FINISHED and a.finished_on == dt.date(2026, 3, 13)
    assert h.receipt_no == "SFXZW-DB2026-0001-J01"
    # 3 Mar → 13 Mar 2026: 8 working days, shown and never a supervised clock
    assert [r.days for r in step_rows(a)] == [8]
    assert upstream_days(a) == 9
    assert [e.action for e in a.events.all()] == [
        "draft", "sign", "receive_material", "record_step", "record_result", "return_material", "handover",
        "finish"]
    assert AuditEvent.objects.filter(object_type="agency.agreement", object_id=str(a.pk)).exists()


def test_no_supervision_clock_for_upstream_steps(w):
    from zhengwu.supervision.models import Clock

    before = Clock.objects.count()
    a = active(w)
    with clock.frozen(DAY):
        services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(
            item=w.eia, department="示范市生态环境局", step_name="受理", filed_on=DAY))
    assert Clock.objects.count() == before


def test_county_item_refused(w):
    with pytest.raises(DomainError) as e:
        draft(w, items=[w.local])
    assert e.value.code == "item_not_upstream" and "县级" in e.value.message
    assert Agreement.objects.count() == 0


def test_nothing_covered_refused(w):
    with pytest.raises(DomainError) as e:
        draft(w, items=[])
    assert e.value.code == "nothing_covered"


@pytest.mark.parametrize(("over", "code"), [
    (dict(id_number="110105194912310021"), "invalid_id_number"),
    (dict(phone="12345"), "invalid_phone"),
    (dict(kind="legal", uscc="91350100M000100Y44", legal_rep="刘"), "invalid_uscc"),
    (dict(kind="legal", uscc="91350100M000100Y43", legal_rep=""), "legal_rep"),
    (dict(name=""), "applicant_name"),
    (dict(kind="robot"), "applicant_kind"),
    (dict(name="张" * 101), "too_long"),
])
def test_applicant_validation(w, over, code):
    with pytest.raises(DomainError) as e:
        draft(w, applicant=applicant(**over))
    assert e.value.code == code
    assert Agreement.objects.count() == 0


def test_bad_stage_refused(w):
    with pytest.raises(DomainError) as e:
        draft(w, items=[], stages=[7])
    assert e.value.code == "bad_stage"


def test_referral_by_village_agent(w):
    a = draft(w, staff=w.village_agent, center_agent=w.agent2)
    assert a.status == Status.PENDING and a.agent == w.agent2 and a.referred_by == w.village_agent
    assert a.hall == w.center
    default = draft(w, staff=w.village_agent)
    assert default.agent == w.agent  # the first center 代办员 by 工号


def test_referral_to_foreign_agent_refused(w):
    with pytest.raises(DomainError) as e:
        draft(w, staff=w.village_agent, center_agent=w.foreign_agent)
    assert e.value.code == "bad_center_agent"
    assert Agreement.objects.count() == 0


@pytest.mark.parametrize("who", ["officer", "leader", "supervisor", "admin"])
def test_only_agents_draft(w, who):
    with pytest.raises(PermissionDenied):
        draft(w, staff=getattr(w, who))
    assert Agreement.objects.count() == 0


def test_applicant_account_linked_by_real_name(w):
    a = draft(w, applicant_username="citizen")
    assert a.applicant_user == w.citizen
    with pytest.raises(DomainError) as e:
        draft(w, applicant_username="stranger")
    assert e.value.code == "applicant_account"
    with pytest.raises(DomainError):
        draft(w, applicant_username="nobody")


@pytest.mark.parametrize("action", ["finish", "handover", "record_step"])
def test_pending_refuses_work_before_signing(w, action):
    a = draft(w)
    before = _snapshot(a)
    with pytest.raises(DomainError) as e, clock.frozen(DAY):
        if action == "finish":
            services.agreement_finish(agreement=a, staff=w.agent)
        elif action == "handover":
            services.handover_record(agreement=a, staff=w.agent, what="批复", handed_to="张三")
        else:
            services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(
                item=w.eia, department="市局", step_name="受理", filed_on=DAY))
    assert e.value.code == "bad_state" and e.value.status == 409
    assert _snapshot(a) == before


def test_finish_refused_without_handover_or_with_originals_kept(w):
    a = active(w)
    before = _snapshot(a)
    with pytest.raises(DomainError) as e, clock.frozen(DAY):
        services.agreement_finish(agreement=a, staff=w.agent)
    assert e.value.code == "no_handover"
    assert _snapshot(a) == before
    with clock.frozen(DAY):
        services.material_receive(agreement=a, staff=w.agent, name="土地证", original=True)
        services.handover_record(agreement=a, staff=w.agent, what="批复", handed_to="张三")
    before = _snapshot(a)
    with pytest.raises(DomainError) as e, clock.frozen(DAY):
        services.agreement_finish(agreement=a, staff=w.agent)
    assert e.value.code == "originals_kept" and "土地证" in e.value.message
    assert _snapshot(a) == before


def test_terminate_needs_reason_and_is_final(w):
    a = active(w)
    before = _snapshot(a)
    with pytest.raises(DomainError) as e:
        services.agreement_terminate(agreement=a, staff=w.agent, reason="  ")
    assert e.value.code == "reason_required"
    assert _snapshot(a) == before
    with clock.frozen(DAY):
        services.agreement_terminate(agreement=a, staff=w.agent, reason="申请人撤回委托")
    assert a.status == Status.TERMINATED and a.terminate_reason == "申请人撤回委托"
    before = _snapshot(a)
    for call in (lambda: services.agreement_sign(agreement=a, staff=w.agent),
                 lambda: services.agreement_finish(agreement=a, staff=w.agent),
                 lambda: services.agreement_terminate(agreement=a, staff=w.agent, reason="再次")):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == "bad_state"
    assert _snapshot(a) == before


@pytest.mark.parametrize("who", ["agent2", "foreign_agent", "village_agent", "leader", "supervisor", "admin"])
def test_who_may_act(w, who):
    a = draft(w)
    if who == "agent2":  # another 代办员 of the same center may act (the center's agreements)
        with clock.frozen(DAY):
            services.agreement_sign(agreement=a, staff=w.agent2)
        assert a.status == Status.ACTIVE
        return
    before = _snapshot(a)
    with pytest.raises(PermissionDenied):
        services.agreement_sign(agreement=a, staff=getattr(w, who))
    assert _snapshot(a) == before


def test_step_validation(w):
    a = active(w)
    cases = [
        (dict(item=w.water), "item_not_covered"),
        (dict(filed_on=DAY - dt.timedelta(days=1)), "filed_before_sign"),
        (dict(filed_on=DAY + dt.timedelta(days=5)), "future_date"),
        (dict(result="准予", result_on=None), "result_date"),
        (dict(result="准予", result_on=DAY - dt.timedelta(days=3)), "result_date"),
        (dict(department=""), "step_fields"),
    ]
    for over, code in cases:
        kw = dict(item=w.eia, department="示范市生态环境局", step_name="受理", filed_on=DAY)
        kw.update(over)
        with pytest.raises(DomainError) as e, clock.frozen(DAY):
            services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(**kw))
        assert e.value.code == code, over
    assert UpstreamStep.objects.count() == 0
    with clock.frozen(DAY):
        services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(
            item=w.eia, department="示范市生态环境局", step_name="受理", filed_on=DAY))
        with pytest.raises(DomainError) as e:
            services.upstream_step_record(agreement=a, staff=w.agent, step=services.StepIn(
                item=w.eia, department="示范市生态环境局", step_name="受理", filed_on=DAY))
    assert e.value.code == "step_exists"
    assert UpstreamStep.objects.count() == 1


def test_material_return_twice_refused(w):
    a = active(w)
    with clock.frozen(DAY):
        m = services.material_receive(agreement=a, staff=w.agent, name="身份证", original=True)
        services.material_return(agreement=a, staff=w.agent, material_id=m.pk)
        with pytest.raises(DomainError) as e:
            services.material_return(agreement=a, staff=w.agent, material_id=m.pk)
    assert e.value.code == "material_returned"


def test_sign_date_not_in_future(w):
    a = draft(w)
    before = _snapshot(a)
    with pytest.raises(DomainError) as e, clock.frozen(DAY):
        services.agreement_sign(agreement=a, staff=w.agent, signed_on=DAY + dt.timedelta(days=1))
    assert e.value.code == "future_date"
    assert _snapshot(a) == before


def test_numbers_per_hall_and_year(w):
    a1 = draft(w)
    a2 = draft(w)
    a3 = draft(w, staff=w.foreign_agent)
    assert [a1.agreement_no, a2.agreement_no, a3.agreement_no] == [
        "SFXZW-DB2026-0001", "SFXZW-DB2026-0002", "LXZW-DB2026-0001"]
