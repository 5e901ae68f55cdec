"""Real threads against the database: case numbers, the guarded UPDATE and 认领 codes under contention.

On PostgreSQL the threads really run side by side (row locks, ``ON CONFLICT``). On SQLite the
IMMEDIATE transactions of the settings serialize the writers and the same assertions hold, but
only on a database file: the test runner's shared-cache in-memory database answers a second
writer with "database table is locked" at once instead of waiting out the busy timeout. So on
SQLite the threads run against a file copy of the test database, configured as in production
(WAL, IMMEDIATE transactions, 20 s timeout).
"""

import contextlib
import datetime as dt
import re
import sqlite3
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from zhengwu.cases import claims
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseCounter, CaseEvent, CaseMaterial, ClaimCode, FeeLine, Status
from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.org.models import Role, Staff

from .factories import applicant, build_world

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
D = dt.date
TODAY = D(2026, 11, 2)
LOSER_MESSAGES = {"办件当前状态为“审查中”，不能受理", "办件刚刚被其他人更新，请刷新后重试"}


@pytest.fixture
def w(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A transactional test ends with a flush, which also empties the roles a data migration seeded.
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    with clock.frozen(TODAY):  # the clock is process-wide: every thread sees this day
        world = build_world()
        with _file_database_on_sqlite(tmp_path / "threads.sqlite3"):
            yield world


@contextlib.contextmanager
def _file_database_on_sqlite(path):
    """On an in-memory SQLite test database, point every connection at a file copy of it meanwhile."""
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield
        return
    conn.ensure_connection()
    memory = conn.connection  # held open: the in-memory database lives as long as one connection does
    disk = sqlite3.connect(path)
    memory.backup(disk)
    # WAL now, while one connection holds the file: threads that connect at the same moment would
    # each run the settings' ``PRAGMA journal_mode=WAL``, and that switch needs the file to itself
    # (one of them got "database is locked" without waiting for the busy timeout).
    disk.execute("PRAGMA journal_mode=WAL")
    disk.close()
    name = conn.settings_dict["NAME"]
    conn.connection = None
    conn.settings_dict["NAME"] = str(path)  # the dict every thread's connection is made from
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = name
        conn.connection = memory


def run_together(n: int, work) -> list:
    """Run ``work(i, barrier)`` in ``n`` threads; each waits on the barrier before its write.

    Returns each thread's result or the exception it raised, by index.
    """
    barrier = threading.Barrier(n, timeout=60)
    results: list = [None] * n

    def target(i):
        try:
            results[i] = work(i, barrier)
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def test_fifty_simultaneous_online_submissions_get_consecutive_numbers(w):
    n = 50

    def submit(i, barrier):
        item = Item.objects.select_related("current", "department__region").get(pk=w.item.pk)
        barrier.wait()
        case = s.case_submit(item=item, applicant=applicant(name=f"申请人{i:02d}"), channel="online",
                             user=w.citizen)
        return case.case_no

    results = run_together(n, submit)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert sorted(results) == [f"SFXZW-20261102-{k:05d}" for k in range(1, n + 1)]
    assert Case.objects.count() == n
    assert CaseEvent.objects.filter(action="submit").count() == n
    assert list(CaseCounter.objects.values_list("hall__code", "day", "last")) == [("SFXZW", TODAY, n)]


@pytest.mark.parametrize("round_", range(5))
def test_two_officers_accepting_the_same_case_at_once(w, round_):
    pk = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer).pk
    officers = [Staff.objects.select_related("hall__region", "region").get(pk=o.pk) for o in (w.officer, w.officer2)]
    for o in officers:
        o.role_codes()
    paper = [w.m1.pk, w.m2.pk]

    def accept(i, barrier):
        case = Case.objects.select_related("hall__region").get(pk=pk)  # each officer's own copy
        officer = officers[i]
        barrier.wait()
        s.case_accept(case=case, officer=officer, paper_materials=paper)
        return officer.pk

    results = run_together(2, accept)

    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], DomainError), repr(losers[0])
    assert losers[0].code in {"bad_state", "conflict"}
    assert losers[0].message in LOSER_MESSAGES
    case = Case.objects.get(pk=pk)
    # Accepted once: one version step, one due date (5 working days from Monday 11-02), one event.
    assert (case.status, case.row_version, case.accepted_by_id, case.accepted_on, case.due_date) == (
        Status.IN_REVIEW, 1, winners[0], TODAY, D(2026, 11, 9))
    events = list(CaseEvent.objects.filter(case_id=pk).values_list("action", "actor_name"))
    winner_name = next(o.name for o in officers if o.pk == winners[0])
    assert events == [("submit", "李窗口"), ("accept", winner_name)]
    assert CaseMaterial.objects.filter(case_id=pk, paper_received=True).count() == 2
    assert FeeLine.objects.filter(case_id=pk).count() == 1


def _claim_code(user, case) -> str:
    """Ask for a claim code as ``user`` and read it from the notifier's outbox."""
    claims.case_claim_start(user=user, case_no=case.case_no, id_number=applicant().id_number, client=f"u{user.pk}")
    return re.search(r"验证码(\d{6})", ConsoleNotifier.sent[-1].text).group(1)


def test_two_accounts_confirming_the_same_case_at_once_link_it_once(w):
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    other = get_user_model().objects.create_user(username="lisi", password="pass-123456")
    users = [w.citizen, other]
    codes = [_claim_code(u, case) for u in users]

    def confirm(i, barrier):
        barrier.wait()
        return [c.pk for c in claims.case_claim_confirm(user=users[i], case_no=case.case_no, code=codes[i])]

    results = run_together(2, confirm)

    winners = [i for i, r in enumerate(results) if r == [case.pk]]
    assert len(winners) == 1, results
    loser = results[1 - winners[0]]
    assert isinstance(loser, DomainError) and loser.code in ("already_claimed", "conflict"), loser
    assert Case.objects.get(pk=case.pk).applicant_user_id == users[winners[0]].pk
    assert CaseEvent.objects.filter(case=case, action="claim").count() == 1


def test_ten_wrong_codes_at_once_count_five_tries_and_no_more(w):
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    code = _claim_code(w.citizen, case)
    bad = f"{(int(code) + 1) % 10**6:06d}"

    def confirm(i, barrier):
        barrier.wait()
        claims.case_claim_confirm(user=w.citizen, case_no=case.case_no, code=bad)

    results = run_together(10, confirm)

    assert sorted(r.code for r in results) == ["claim_code_locked"] * 5 + ["claim_code_wrong"] * 5
    assert ClaimCode.objects.get(case=case).attempts == 5
    assert Case.objects.get(pk=case.pk).applicant_user_id is None
