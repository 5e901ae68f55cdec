"""Lock order under real threads (PostgreSQL): a joint action and a 子件 action on the same 联办件 at once.

Every path locks the 联办件 row first, then its 子件 (``joint.services.common.lock``; a case action on a
子件 takes the 联办件's lock in ``cases.services.common.case_tx`` before its first statement). Before that,
a 子件 action updated its 子件 and then locked the 联办件 (to refresh it) while a joint action locked the
联办件 and then updated the 子件: PostgreSQL found a deadlock and one of the two people got a 500.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case, Status
from zhengwu.cases.services import common as case_common
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.joint import services as js
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Role, Staff

from .factories import DAY, build_bundle_world, window_apply

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's: SQLite runs one writer at a time (IMMEDIATE)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name in Role.DEFAULTS:  # a transactional test's flush also empties the seeded roles
        Role.objects.get_or_create(code=code, defaults={"name": name})
    with clock.frozen(DAY):  # process-wide: every thread sees this day
        yield build_bundle_world()


def _accepted(w) -> JointCase:
    joint = window_apply(w)
    js.joint_accept(joint=joint, officer=w.officer)
    return JointCase.objects.get(pk=joint.pk)


def _staff(s: Staff) -> Staff:
    s = Staff.objects.select_related("hall__region", "region", "department").get(pk=s.pk)
    s.role_codes()
    return s


def _run(*works) -> list:
    """Each ``work()`` in its own thread; their results or the exceptions they raised, in order."""
    results: list = [None] * len(works)

    def target(i):
        try:
            results[i] = works[i]()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def _clean(results) -> None:
    """Each finished or was refused with a DomainError (409), never a database error (deadlock → 500)."""
    for r in results:
        if isinstance(r, BaseException):
            assert isinstance(r, DomainError), f"{type(r).__name__}: {r}"
            assert r.status == 409


def test_a_subcase_decision_and_a_joint_withdrawal_in_the_worst_order(w, monkeypatch):
    """The 子件 action is held right after it wrote its 子件 while the joint action starts: with the 联办件
    locked first by both, the joint action waits and is then refused (a department has decided)."""
    joint = _accepted(w)
    kid = Case.objects.select_related("hall__region").get(joint=joint, joint_seq=2)
    chief, window = _staff(w.co1_chief), _staff(w.officer)
    wrote = threading.Event()
    original = case_common._joint_follow

    def slow_follow(case):
        if threading.current_thread().name == "decide":
            wrote.set()
            time.sleep(1.5)  # the joint action runs meanwhile (PostgreSQL's deadlock_timeout is 1 s)
        return original(case)

    monkeypatch.setattr(case_common, "_joint_follow", slow_follow)

    def decide():
        threading.current_thread().name = "decide"
        return cs.case_decide(case=kid, officer=chief, decision="approve").status

    def withdraw():
        assert wrote.wait(20)
        return js.joint_withdraw(joint=JointCase.objects.get(pk=joint.pk), officer=window, reason="申请人撤回")

    results = _run(decide, withdraw)
    _clean(results)
    assert results[0] == Status.DECIDED
    assert isinstance(results[1], DomainError) and results[1].code == "child_decided"
    assert JointCase.objects.get(pk=joint.pk).status == JointStatus.IN_REVIEW
    assert Case.objects.get(pk=kid.pk).status == Status.DECIDED


def test_the_last_two_decisions_at_once_leave_the_joint_case_ready(w, monkeypatch):
    """The 子件 action reads its siblings with the 联办件's lock (one statement): one that waited for the lock
    while another 子件 was decided must see that decision (PostgreSQL re-reads the locked 子件 rows at their
    latest version), so the last decision moves the 联办件 to 待出具联合结果 whichever commits second."""
    joint = _accepted(w)
    kids = list(Case.objects.select_related("hall__region").filter(joint=joint).order_by("joint_seq"))
    assert len(kids) == 3
    cs.case_review(case=kids[0], officer=_staff(w.chief))  # the lead's item has a 审核 step first
    cs.case_decide(case=Case.objects.select_related("hall__region").get(pk=kids[0].pk), officer=_staff(w.head),
                   decision="approve")
    first, second = _staff(w.co1_chief), _staff(w.co2_chief)
    wrote = threading.Event()
    original = case_common._joint_follow

    def slow_follow(case):
        if threading.current_thread().name == "held":
            wrote.set()
            time.sleep(1.0)  # the other decision starts and waits for the 联办件's lock meanwhile
        return original(case)

    monkeypatch.setattr(case_common, "_joint_follow", slow_follow)

    def held():
        threading.current_thread().name = "held"
        return cs.case_decide(case=kids[1], officer=first, decision="approve").status

    def waiting():
        assert wrote.wait(20)
        return cs.case_decide(case=kids[2], officer=second, decision="approve").status

    results = _run(held, waiting)
    _clean(results)
    assert results == [Status.DECIDED, Status.DECIDED]
    assert JointCase.objects.get(pk=joint.pk).status == JointStatus.READY


@pytest.mark.parametrize("round_", range(4))
def test_a_subcase_action_and_a_joint_action_at_once(w, round_):
    """Started together: both finish, or one is refused cleanly; the 联办件 agrees with its 子件."""
    joint = _accepted(w)
    kids = list(Case.objects.select_related("hall__region").filter(joint=joint).order_by("joint_seq"))
    chief, co2, window = _staff(w.co1_chief), _staff(w.co2_chief), _staff(w.officer)
    barrier = threading.Barrier(2, timeout=20)

    def decide():
        barrier.wait()
        return cs.case_decide(case=kids[1], officer=chief, decision="approve").status

    if round_ % 2 == 0:
        def joint_action():
            barrier.wait()
            return js.joint_withdraw(joint=JointCase.objects.get(pk=joint.pk), officer=window, reason="撤回")
    else:
        def joint_action():
            barrier.wait()
            return js.joint_opinion(case=kids[2], officer=co2, kind="agree").kind

    results = _run(decide, joint_action)
    _clean(results)
    statuses = {c.status for c in Case.objects.filter(joint=joint)}
    j = JointCase.objects.get(pk=joint.pk)
    if j.status == JointStatus.WITHDRAWN:
        assert statuses == {Status.WITHDRAWN}
    else:
        assert Status.WITHDRAWN not in statuses
