"""Lock order under real threads (PostgreSQL), for the two paths ``test_concurrency.py`` did not cover: the
daily sweep's 超时默认 of a 子件 (``joint.services.deemed``) and the 联合踏勘 services (``joint.inspections``).

The order is the 联办件 row first, then what hangs off it (the inspection or invitation row, the 子件 in
``joint_seq`` order, their clocks). Before: the sweep wrote its 超时默认 rows (a key-share lock on the 子件's
clock) and only then locked the 联办件, while a 特别程序 on that 子件 held the 联办件 and waited for the clock
(``clock_stop`` took a full ``FOR UPDATE``); an inspection's invitation was confirmed by locking the
invitation, then the inspection, while the record locked the inspection (with the 联办件, the hall and the
department joined) and then updated the invitation. PostgreSQL found a deadlock; one person got a 500.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.utils import OperationalError

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case, Status
from zhengwu.core import clock
from zhengwu.joint import inspections as insp
from zhengwu.joint import services as js
from zhengwu.joint.models import Inspection, InspectionInvite, InspectionStatus, JointCase, JointEvent
from zhengwu.org.models import Role
from zhengwu.supervision.models import DeemedApproval
from zhengwu.supervision.services import sweep as sweep_mod

from .factories import DAY, build_bundle_world, window_apply
from .factories_inspection import attendance, build_joint
from .test_concurrency import _clean, _run, _staff

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

DEEM_DAY = dt.date(2026, 3, 17)  # 消防's 3 working days from Tue 10 March end Fri 13; the 2nd working day after
INSPECT_DAY = dt.date(2026, 3, 12)


@pytest.fixture
def pg(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's: SQLite runs one writer at a time (IMMEDIATE)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name in Role.DEFAULTS:  # a transactional test's flush also empties the seeded roles
        Role.objects.get_or_create(code=code, defaults={"name": name})


def _late_joint():
    """A 联办件 accepted on DAY whose 消防 子件 (3 working days) never answers."""
    with clock.frozen(DAY):
        w = build_bundle_world()
        joint = window_apply(w)
        js.joint_accept(joint=joint, officer=w.officer)
    late = Case.objects.select_related("hall__region").get(joint=joint, joint_seq=3)
    assert late.due_date == dt.date(2026, 3, 13) and late.status == Status.IN_REVIEW
    return w, JointCase.objects.get(pk=joint.pk), late


def _hold_after_deemed_rows(monkeypatch, during):
    """The sweep (thread "sweep") stops right after it wrote its 超时默认 rows, runs ``during()`` and waits
    1.5 s (PostgreSQL's deadlock_timeout is 1 s) before the listener runs."""
    original = sweep_mod.issue_deemed

    def slow(rows, **kw):
        n = original(rows, **kw)
        if threading.current_thread().name == "sweep":
            during()
            time.sleep(1.5)
        return n

    monkeypatch.setattr(sweep_mod, "issue_deemed", slow)


def test_the_sweep_and_a_special_procedure_on_the_late_subcase_at_once(pg, monkeypatch):
    w, joint, late = _late_joint()
    chief = _staff(w.co2_chief)
    wrote = threading.Event()
    _hold_after_deemed_rows(monkeypatch, wrote.set)

    def sweep():
        threading.current_thread().name = "sweep"
        return sweep_mod.sweep_run(today=DEEM_DAY).deemed

    def suspend():
        assert wrote.wait(20)
        return cs.case_suspend(case=late, officer=chief, kind="site_survey", reason="现场核查消防设施").status

    with clock.frozen(DEEM_DAY):
        results = _run(sweep, suspend)
    _clean(results)
    assert results == [1, Status.SUSPENDED]
    assert DeemedApproval.objects.filter(subject_no=late.case_no).count() == 1
    assert JointEvent.objects.filter(joint=joint, action="deemed").count() == 1
    assert Case.objects.get(pk=late.pk).status == Status.SUSPENDED


def test_the_sweep_holds_the_joint_case_before_it_writes(pg, monkeypatch):
    """Lock order, checked directly: when the 超时默认 rows are written, the 联办件 row is already locked by
    the sweep (another connection's ``FOR UPDATE NOWAIT`` is refused)."""
    _w, joint, _late = _late_joint()
    seen: list = []

    def probe():
        def other():
            try:
                with transaction.atomic():
                    with connection.cursor() as cur:
                        cur.execute("SELECT id FROM joint_jointcase WHERE id = %s FOR UPDATE NOWAIT", [joint.pk])
                seen.append("free")
            except OperationalError:
                seen.append("locked")
            finally:
                connections.close_all()

        t = threading.Thread(target=other)
        t.start()
        t.join(20)

    _hold_after_deemed_rows(monkeypatch, probe)

    def sweep():
        threading.current_thread().name = "sweep"
        return sweep_mod.sweep_run(today=DEEM_DAY).deemed

    with clock.frozen(DEEM_DAY):
        assert _run(sweep) == [1]
    assert seen == ["locked"]


@pytest.mark.parametrize("round_", range(2))
def test_an_invitation_confirmed_while_the_lead_records_the_inspection(pg, monkeypatch, round_):
    """The record is held after it locked its rows and before it writes the invitations; the confirmation
    starts meanwhile. Both lock the 联办件 first: the confirmation waits, then is refused (already recorded)."""
    w = build_joint()
    with clock.frozen(DAY):
        inspection = insp.inspection_schedule(joint=w.joint, staff=_staff(w.officer), date=INSPECT_DAY,
                                              place="建设路18号")
    invite = InspectionInvite.objects.get(inspection=inspection, department=w.co1)
    officer, chief = _staff(w.officer), _staff(w.co1_chief)
    locked = threading.Event()
    original = insp._clean_attendance

    def slow_clean(rows, invites):
        if threading.current_thread().name == "record":
            locked.set()
            time.sleep(1.5 + round_ * 0.5)
        return original(rows, invites)

    monkeypatch.setattr(insp, "_clean_attendance", slow_clean)

    def record():
        threading.current_thread().name = "record"
        return insp.inspection_record(inspection=Inspection.objects.get(pk=inspection.pk), staff=officer,
                                      attendance=attendance(w), conclusion="场地符合开办条件").status

    def confirm():
        assert locked.wait(20)
        return insp.inspection_confirm(invite=InspectionInvite(pk=invite.pk), staff=chief).confirmed_at

    with clock.frozen(INSPECT_DAY):
        results = _run(record, confirm)
    _clean(results)
    assert results[0] == InspectionStatus.RECORDED
    assert isinstance(results[1], Exception) and results[1].code == "bad_state"
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.RECORDED
    assert InspectionInvite.objects.get(pk=invite.pk).confirmed_at is None


def test_scheduling_does_not_lock_the_hall(pg):
    """The schedule locks the 联办件 alone (``FOR UPDATE OF``), not the hall joined to it: another case can be
    filed at the hall meanwhile (its rows refer to the hall, a key-share lock a full hall lock would block)."""
    w = build_joint()
    staff = _staff(w.officer)
    hall_id = w.joint.hall_id
    inside = threading.Event()
    done = threading.Event()
    seen: list = []
    original = insp.co_departments

    def slow(joint):
        inside.set()
        assert done.wait(20)
        return original(joint)

    def schedule():
        with clock.frozen(DAY):
            return insp.inspection_schedule(joint=JointCase.objects.get(pk=w.joint.pk), staff=staff,
                                            date=INSPECT_DAY, place="建设路18号").round

    def probe():
        assert inside.wait(20)
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SELECT id FROM org_hall WHERE id = %s FOR KEY SHARE NOWAIT", [hall_id])
            seen.append("free")
        except OperationalError:
            seen.append("locked")
        finally:
            done.set()

    insp.co_departments = slow
    try:
        results = _run(schedule, probe)
    finally:
        insp.co_departments = original
    assert results[0] == 1
    assert seen == ["free"]
