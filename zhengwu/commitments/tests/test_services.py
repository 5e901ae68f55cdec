"""公开承诺: versions written, signed, superseded; refusals change nothing; complaints with their clock."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.commitments import services
from zhengwu.commitments.models import (
    Breach,
    BreachStatus,
    Clause,
    Commitment,
    CommitmentVersion,
    VersionStatus,
)
from zhengwu.commitments.services import ClauseIn
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.supervision.models import Clock, ClockState

from .factories import world

pytestmark = pytest.mark.django_db

CLAUSES = [ClauseIn("first_ask", "首问负责，不推诿"), ClauseIn("one_notice", "一次性书面告知需补正的全部材料")]


def _draft(w, **kw):
    v = services.commitment_open(actor=w.chief, department=w.dept)
    return services.version_update(actor=w.chief, version_id=v.pk, standards="按办事指南受理和办结",
                                   service_hours="工作日", supervision_phone="12345", change_note="",
                                   clauses=kw.get("clauses", CLAUSES))


def _publish(w, **kw):
    v = _draft(w, **kw)
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    return services.version_act(actor=w.head, version_id=v.pk, action="sign")


def _state():
    return (list(CommitmentVersion.objects.order_by("pk").values_list("pk", "status", "version", "signed_by")),
            list(Clause.objects.order_by("pk").values_list("pk", "text")),
            list(Commitment.objects.values_list("pk", "current")), AuditEvent.objects.count())


def test_a_version_is_written_submitted_signed_and_then_superseded_by_the_next():
    w = world()
    v1 = _publish(w)
    c = Commitment.objects.get()
    assert (c.current_id, v1.status, v1.signed_by_id, v1.version) == (v1.pk, VersionStatus.PUBLISHED, w.head.pk, 1)
    assert [(i["impl_code"], i["promised"]) for i in v1.items] == [("11130621MB0001-01", "5个工作日")]
    # the revision starts as a copy of what is in force
    v2 = services.commitment_open(actor=w.chief, department=w.dept)
    assert [(k.kind, k.text) for k in v2.clauses.all()] == [(k.kind, k.text) for k in CLAUSES]
    assert v2.standards == "按办事指南受理和办结"
    services.version_update(actor=w.chief, version_id=v2.pk, standards="新标准", service_hours="", supervision_phone="",
                            change_note="增加延时服务", clauses=[*CLAUSES, ClauseIn("extended", "中午延时服务")])
    services.version_act(actor=w.chief, version_id=v2.pk, action="submit")
    services.version_act(actor=w.head, version_id=v2.pk, action="sign")
    v1.refresh_from_db()
    c.refresh_from_db()
    assert (v1.status, c.current_id) == (VersionStatus.SUPERSEDED, v2.pk)
    assert v1.superseded_at is not None and v1.clauses.count() == 2
    assert AuditEvent.objects.filter(object_type="commitments.commitmentversion").count() == 8


def test_the_head_returns_a_version_with_a_reason_and_it_can_be_fixed():
    w = world()
    v = _draft(w)
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    before = _state()
    with pytest.raises(DomainError) as e:
        services.version_act(actor=w.head, version_id=v.pk, action="return", reason="  ")
    assert e.value.code == "commitment_reason_required" and _state() == before
    services.version_act(actor=w.head, version_id=v.pk, action="return", reason="条款太少")
    v.refresh_from_db()
    assert (v.status, v.returned_reason) == (VersionStatus.DRAFT, "条款太少")


@pytest.mark.parametrize("who, action, code", [
    ("officer", "open", "commitment_forbidden"),
    ("other_head", "sign", "commitment_forbidden"),
    ("chief", "sign", "commitment_forbidden"),
    ("head", "submit_again", "commitment_not_draft"),
    ("chief", "update_submitted", "commitment_not_draft"),
    ("chief", "second_open", "commitment_open_version"),
])
def test_refusals_change_nothing(who, action, code):
    w = world()
    v = _draft(w)
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    actor = getattr(w, who)
    before = _state()
    with pytest.raises(DomainError) as e:
        if action == "open":
            services.commitment_open(actor=actor, window=w.window)
        elif action == "sign":
            services.version_act(actor=actor, version_id=v.pk, action="sign")
        elif action == "submit_again":
            services.version_act(actor=actor, version_id=v.pk, action="submit")
        elif action == "update_submitted":
            services.version_update(actor=actor, version_id=v.pk, standards="x", service_hours="", supervision_phone="",
                                    change_note="", clauses=CLAUSES)
        else:
            services.commitment_open(actor=actor, department=w.dept)
    assert e.value.code == code
    assert _state() == before


def test_bad_drafts_are_refused_whole():
    w = world()
    v = _draft(w)
    before = _state()
    for clauses, code in [([ClauseIn("first_ask", "长" * 301)], "commitment_clause_text"),
                          ([ClauseIn("nonsense", "x")], "commitment_clause_kind"),
                          ([ClauseIn("other", "x")] * 31, "commitment_clauses")]:
        with pytest.raises(DomainError) as e:
            services.version_update(actor=w.chief, version_id=v.pk, standards="新", service_hours="",
                                    supervision_phone="", change_note="", clauses=clauses)
        assert e.value.code == code
    with pytest.raises(DomainError):
        services.version_update(actor=w.chief, version_id=v.pk, standards="长" * 4001, service_hours="",
                                supervision_phone="", change_note="", clauses=CLAUSES)
    assert _state() == before
    empty = services.version_update(actor=w.chief, version_id=v.pk, standards="x", service_hours="",
                                    supervision_phone="", change_note="", clauses=[])
    with pytest.raises(DomainError) as e:
        services.version_act(actor=w.chief, version_id=empty.pk, action="submit")
    assert e.value.code == "commitment_no_clause"
    assert CommitmentVersion.objects.get(pk=v.pk).status == VersionStatus.DRAFT


def test_a_window_commitment_lists_the_window_items_and_its_department_head_signs_it():
    w = world()
    v = services.commitment_open(actor=w.chief, window=w.window)
    services.version_update(actor=w.chief, version_id=v.pk, standards="窗口服务规范", service_hours="",
                            supervision_phone="", change_note="", clauses=CLAUSES[:1])
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    with pytest.raises(PermissionDenied):
        services.version_act(actor=w.other_head, version_id=v.pk, action="sign")
    v = services.version_act(actor=w.head, version_id=v.pk, action="sign")
    c = v.commitment
    assert (c.scope, c.window_id, c.hall_id, c.department_id) == ("window", w.window.pk, w.hall.pk, w.dept.pk)
    assert c.owner_name == f"{w.hall.name} 5号窗口（示范县市场监督管理局）"
    assert [(i["name"], i["legal"]) for i in v.items] == [("食品经营许可证核发", "20个工作日")]


def test_a_complaint_starts_the_check_clock_and_the_finding_ends_it():
    w = world()
    _publish(w)
    c = Commitment.objects.get()
    b = services.breach_file(actor=w.supervisor, commitment_id=c.pk, clause_kind="one_notice", source="letter",
                             source_no="LX-1", summary="两次补交材料")
    assert b.clause_text == "一次性书面告知需补正的全部材料" and b.version_id == c.current_id
    ck = Clock.objects.get(subject_type="commitment_breach", subject_id=b.pk)
    assert (ck.kind_id, ck.state, ck.department_id, ck.officer_id) == ("commitment_breach", ClockState.RUNNING,
                                                                      w.dept.pk, w.supervisor.pk)
    assert ck.due_date > clock.today() and ck.due_date - clock.today() >= dt.timedelta(days=5)
    services.breach_decide(actor=w.supervisor, breach_id=b.pk, upheld=True, finding="属实，已约谈")
    ck.refresh_from_db()
    b.refresh_from_db()
    assert (b.status, ck.state, ck.late) == (BreachStatus.UPHELD, ClockState.FINISHED, False)
    with pytest.raises(DomainError) as e:
        services.breach_decide(actor=w.supervisor, breach_id=b.pk, upheld=False, finding="改判")
    assert e.value.code == "commitment_breach_decided"


def test_complaints_that_cannot_be_filed_change_nothing():
    w = world()
    v = _draft(w)  # not yet published
    c = v.commitment
    counts = lambda: (Breach.objects.count(), Clock.objects.count())  # noqa: E731
    cases = [
        (w.supervisor, dict(source="letter", summary="x"), "commitment_not_published"),
        (w.head, dict(source="letter", summary="x"), "commitment_forbidden"),
        (w.supervisor, dict(source="hotline", source_no="", summary="x"), "commitment_source_no_required"),
        (w.supervisor, dict(source="hotline", source_no="RX000000", summary="x"), "commitment_source_missing"),
        (w.supervisor, dict(source="rating", source_no="abc", summary="x"), "commitment_source_missing"),
        (w.supervisor, dict(source="letter", summary=" "), "commitment_summary_required"),
        (w.supervisor, dict(source="fax", summary="x"), "commitment_source"),
    ]
    for actor, kw, code in cases:
        with pytest.raises(DomainError) as e:
            services.breach_file(actor=actor, commitment_id=c.pk, clause_kind="first_ask", **kw)
        assert e.value.code == code, kw
        assert counts() == (0, 0)
    services.version_act(actor=w.chief, version_id=v.pk, action="submit")
    services.version_act(actor=w.head, version_id=v.pk, action="sign")
    services.breach_file(actor=w.supervisor, commitment_id=c.pk, clause_kind="first_ask", source="letter",
                         source_no="LX-9", summary="x")
    with pytest.raises(DomainError) as e:
        services.breach_file(actor=w.supervisor, commitment_id=c.pk, clause_kind="first_ask", source="letter",
                             source_no="LX-9", summary="again")
    assert e.value.code == "commitment_breach_duplicate" and counts() == (1, 1)
