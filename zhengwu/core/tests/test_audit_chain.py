"""The audit trail's hash chain: what ``audit_record`` writes and what ``zhengwu audit verify`` catches."""

import datetime as dt
import importlib
import io
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_chain_verify, audit_record
from zhengwu.org.tests import factories as f


@pytest.fixture
def officer(db):
    return f.staff("0107", hall=f.hall(f.county()), name="王晓丽")


def _chain(officer, n: int) -> list[AuditEvent]:
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0:0::7")
    rows = []
    for i in range(n):
        actor = officer.user if i % 3 else None  # a member of staff, or the system
        rows.append(audit_record(actor=actor, action="view", object_type="cases.case", object_id=str(100 + i),
                                 summary=f"查看办件 {100 + i} 申请人完整证件号码", request=request))
    return rows


def _verify(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _when(row: AuditEvent) -> str:
    row.refresh_from_db()
    return timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S")


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


CHANGED = "  - 内容与哈希不符：该行写入后被改动过（时间、操作人、工号、操作、对象、摘要、IP 或所记的上一条哈希之一）"


def test_each_row_keeps_who_acted_and_links_to_the_row_before(officer):
    first, second, third = _chain(officer, 3)

    assert [(r.actor_id, r.actor_name, r.actor_no) for r in (first, second, third)] == [
        (None, "", ""), (officer.user_id, "王晓丽", "0107"), (officer.user_id, "王晓丽", "0107")]
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    stored = AuditEvent.objects.get(pk=second.pk)
    assert stored.ip == "2001:db8::7"
    assert stored.hash == stored.content_hash() == second.hash
    assert len(second.hash) == 64


def test_an_intact_chain_verifies_across_batches(officer):
    rows = _chain(officer, 7)

    code, out, err = _verify("--batch-size", "3")

    assert (code, err) == (0, "")
    assert out == (f"审计日志哈希链完整：共 7 行。最后一行 #{rows[-1].pk}（{_when(rows[-1])}），"
                   f"哈希 {rows[-1].hash}。\n")


def test_an_empty_trail_verifies(db):
    assert _verify() == (0, "审计日志为空，没有需要核对的行。\n", "")


def test_a_row_edited_with_raw_sql_is_caught_at_that_row(officer):
    rows = _chain(officer, 5)
    _sql("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["查看办件 102", rows[2].pk])

    code, out, err = _verify("--batch-size", "2")

    assert (code, out) == (1, "")
    assert err == (f"审计日志哈希链在 #{rows[2].pk} 行断开（该行时间 {_when(rows[2])}）：\n{CHANGED}\n"
                   f"在它之前的 2 行完整（至 #{rows[1].pk}，{_when(rows[1])}）。\n")


@pytest.mark.parametrize("column, value", [("actor_name", "李四"), ("actor_no", "0999"), ("action", "export"),
                                           ("object_id", "999"), ("ip", "10.0.0.1")])
def test_any_hashed_column_edited_is_caught(officer, column, value):
    rows = _chain(officer, 3)
    _sql(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, rows[1].pk])

    check = audit_chain_verify()

    assert (check.ok, check.broken_id, check.intact, check.problems) == (False, rows[1].pk, 1, [CHANGED[4:]])


def test_a_time_moved_is_caught(officer):
    rows = _chain(officer, 3)
    AuditEvent.objects.filter(pk=rows[1].pk).update(at=rows[1].at - dt.timedelta(days=1))

    check = audit_chain_verify()

    assert (check.broken_id, check.problems) == (rows[1].pk, [CHANGED[4:]])


def test_a_row_deleted_in_the_middle_is_caught_at_the_next_row(officer):
    rows = _chain(officer, 5)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [rows[2].pk])

    code, out, err = _verify()

    assert (code, out) == (1, "")
    assert err == (
        f"审计日志哈希链在 #{rows[3].pk} 行断开（该行时间 {_when(rows[3])}）：\n"
        f"  - 与上一条的链接断开：该行记着上一条的哈希 {rows[2].hash}，而排在它前面的 #{rows[1].pk} 的哈希是 "
        f"{rows[1].hash}，说明两行之间有行被删除，或该行是被插入的\n"
        f"在它之前的 2 行完整（至 #{rows[1].pk}，{_when(rows[1])}）。\n")


def test_the_first_rows_deleted_are_caught_at_the_new_first_row(officer):
    rows = _chain(officer, 3)
    AuditEvent.objects.filter(pk=rows[0].pk).delete()

    check = audit_chain_verify()

    assert (check.broken_id, check.intact, check.last_id) == (rows[1].pk, 0, None)
    assert check.problems == [f"与上一条的链接断开：这是现存的第一行，却记着上一条的哈希 {rows[0].hash}，"
                              "说明在它之前有行被删除"]


def test_a_row_slipped_in_around_the_service_is_caught(officer):
    rows = _chain(officer, 2)
    forged = AuditEvent.objects.create(action="view", object_type="cases.case", object_id="1", summary="伪造")
    later = audit_record(actor=officer.user, action="view", object_type="cases.case", object_id="2")

    check = audit_chain_verify()

    assert (check.broken_id, check.intact, check.last_id) == (forged.pk, 2, rows[1].pk)
    assert check.problems == [
        "该行没有哈希：它不是经审计服务写入的，而是被直接插入的",
        f"与上一条的链接断开：该行记着上一条的哈希 （空），而排在它前面的 #{rows[1].pk} 的哈希是 {rows[1].hash}，"
        "说明两行之间有行被删除，或该行是被插入的"]
    assert later.prev_hash == ""  # chained to the forged row's (empty) hash, which the check flags first


def test_deleting_the_account_keeps_the_actors_name_and_number(officer):
    rows = _chain(officer, 3)
    user = officer.user

    user.delete()  # the staff record goes with it

    assert list(AuditEvent.objects.filter(pk__in=[rows[1].pk, rows[2].pk])
                .values_list("actor_id", "actor_name", "actor_no")) == [(None, "王晓丽", "0107")] * 2
    assert audit_chain_verify().ok


def test_renaming_the_account_does_not_change_history(officer):
    row = audit_record(actor=officer.user, action="update", obj=officer, summary="更换照片")
    officer.name, officer.employee_no = "王小丽", "0200"
    officer.save(update_fields=["name", "employee_no"])

    row.refresh_from_db()

    assert (row.actor_name, row.actor_no) == ("王晓丽", "0107")
    assert audit_chain_verify().ok


def test_an_account_without_staff_record_is_kept_by_its_name(db):
    user = get_user_model().objects.create_user(username="zhangsan", password="x", real_name="张三")
    nameless = get_user_model().objects.create_user(username="lisi", password="x")

    rows = [audit_record(actor=u, action="view", object_type="accounts.user", object_id=str(u.pk))
            for u in (user, nameless)]

    assert [(r.actor_name, r.actor_no) for r in rows] == [("张三", ""), ("lisi", "")]


def test_recording_costs_the_insert_and_one_or_two_queries(officer, django_assert_num_queries):
    _chain(officer, 1)
    user = officer.user  # its staff record is loaded, as it is in a staff view
    expected = 3 if connection.vendor == "postgresql" else 2  # (lock,) predecessor, insert

    with django_assert_num_queries(expected):
        audit_record(actor=user, action="view", object_type="cases.case", object_id="1")


def test_rows_written_before_the_chain_are_chained_by_the_migration(officer):
    plain = get_user_model().objects.create_user(username="zhaoliu", password="x", real_name="赵六")
    rows = [AuditEvent.objects.create(actor=a, action="view", object_type="cases.case", object_id=str(i),
                                      summary=f"旧记录 {i}", ip="127.0.0.1")
            for i, a in enumerate([officer.user, None, plain, officer.user])]
    assert not audit_chain_verify().ok
    migration = importlib.import_module("zhengwu.core.migrations.0003_auditevent_chain_existing")

    migration.chain_existing(apps, SimpleNamespace(connection=connection))

    assert list(AuditEvent.objects.order_by("id").values_list("actor_name", "actor_no")) == [
        ("王晓丽", "0107"), ("", ""), ("赵六", ""), ("王晓丽", "0107")]
    check = audit_chain_verify()
    assert (check.ok, check.intact, check.last_id) == (True, 4, rows[-1].pk)
    after = audit_record(actor=None, action="view", object_type="cases.case", object_id="9")
    assert after.prev_hash == check.last_hash
    assert audit_chain_verify().intact == 5


def test_a_failed_change_leaves_no_audit_row_and_the_chain_intact(officer):
    _chain(officer, 2)

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=officer.user, action="update", object_type="org.staff", object_id="1")
        raise RuntimeError("the change it recorded failed")

    assert AuditEvent.objects.count() == 2
    audit_record(actor=None, action="view", object_type="cases.case", object_id="3")
    assert audit_chain_verify().intact == 3


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; the race exists only on PostgreSQL")
    hall = f.hall(f.county())
    officers = [f.staff(f"08{i:02d}", hall=hall) for i in range(8)]
    per_thread = 25
    barrier = threading.Barrier(len(officers), timeout=60)
    errors: list[BaseException] = []

    def write(officer):
        try:
            user = get_user_model().objects.select_related("staff").get(pk=officer.user_id)
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(actor=user, action="view", object_type="cases.case", object_id=str(i),
                                 summary=f"{officer.employee_no} 第{i}次")
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
    check = audit_chain_verify(batch_size=37)
    assert (check.ok, check.intact) == (True, len(officers) * per_thread)
    assert AuditEvent.objects.values("prev_hash").distinct().count() == len(officers) * per_thread
