"""An Excel import and a case action at the same time, on PostgreSQL: both complete, one clean chain.

The audit chain's advisory lock is held from a row's insert to its transaction's commit. The import
used to write an audit row per published version as it went, so it held the lock from its first
item to its commit, and every audit writer (a case action: here, viewing an applicant's full ID)
waited for the whole import, or deadlocked with it over a row one of them had locked. The import now
chains its rows in one insert at its end (``zhengwu.core.services.audit_deferred``).
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from zhengwu.cases import services as s
from zhengwu.cases.selectors import case_reveal_identity
from zhengwu.cases.tests.factories import applicant, build_world
from zhengwu.catalog import excel
from zhengwu.catalog.excel import catalog_export, catalog_import
from zhengwu.catalog.models import Item
from zhengwu.core.models import AuditEvent

from .test_excel import _edit


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_case_action_at_once_both_complete_and_the_chain_verifies(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers with IMMEDIATE transactions; the lock exists only on PostgreSQL"
        )
    w = build_world()
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    codes = list(Item.objects.order_by("impl_code").values_list("impl_code", flat=True))
    assert len(codes) >= 2
    data = _edit(
        catalog_export(), *[("事项", row, "办理地点", "二楼综合窗口") for row in range(2, len(codes) + 2)]
    )
    before = AuditEvent.objects.count()

    first_published, case_done = threading.Event(), threading.Event()
    calls = []
    errors: list[BaseException] = []
    real_upsert = excel.item_upsert

    def upsert_then_pause(**kwargs):
        """After the first item (its version published, its audit row written), let the case action run."""
        result = real_upsert(**kwargs)
        calls.append(kwargs["impl_code"])
        if len(calls) == 1:
            first_published.set()
            calls.append("case done while the import was open" if case_done.wait(20) else "case waited")
        return result

    monkeypatch.setattr(excel, "item_upsert", upsert_then_pause)
    reports = []

    def run_import():
        try:
            reports.append(catalog_import(data=data, actor=None))
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)
        finally:
            connections.close_all()

    def run_case_action():
        try:
            assert first_published.wait(60)
            with transaction.atomic():
                case_reveal_identity(case=case, staff=w.officer)
            case_done.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_import), threading.Thread(target=run_case_action)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
    assert calls[:2] == [codes[0], "case done while the import was open"]
    assert (reports[0].ok, sorted(reports[0].updated)) == (True, codes)
    assert list(Item.objects.order_by("impl_code").values_list("current__place", flat=True)) == (
        ["二楼综合窗口"] * len(codes)
    )
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "object_type")[before:])
    # The case action's row first (it committed first), then the import's versions and its summary, together.
    assert rows == [
        ("view", "cases.case"),
        *[("publish", "catalog.itemversion")] * len(codes),
        ("import", "catalog.item"),
    ]
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)  # exits 1 on a broken link
    assert out.getvalue().startswith(f"审计日志哈希链完整：共 {AuditEvent.objects.count()} 行。")
