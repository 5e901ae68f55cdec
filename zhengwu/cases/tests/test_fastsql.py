"""The precompiled writes store exactly what the ORM would, and the version guard holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent
from zhengwu.core import fastsql

from .factories import applicant, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    w = build_world()
    return w, s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)


def test_update_adapts_values_like_the_orm_and_bumps_the_version(case):
    w, c = case
    at = timezone.make_aware(dt.datetime(2026, 11, 26, 9, 30, 15, 123456), timezone.get_fixed_timezone(480))
    n = fastsql.update_guarded(Case, pk=c.pk, version=c.row_version, values={
        "status": "in_review", "accepted_by": w.officer, "accepted_window_id": w.window.pk,
        "accepted_on": dt.date(2026, 11, 26), "decided_at": at, "due_provisional": True})
    assert n == 1
    fresh = Case.objects.get(pk=c.pk)
    assert (fresh.status, fresh.accepted_by_id, fresh.accepted_window_id) == ("in_review", w.officer.pk, w.window.pk)
    assert fresh.accepted_on == dt.date(2026, 11, 26) and fresh.decided_at == at and fresh.due_provisional is True
    assert fresh.row_version == c.row_version + 1


def test_update_with_a_stale_version_changes_nothing(case):
    _w, c = case
    assert fastsql.update_guarded(Case, pk=c.pk, version=c.row_version + 1, values={"status": "rejected"}) == 0
    assert Case.objects.get(pk=c.pk).status == c.status


def test_insert_writes_defaults_json_and_foreign_keys(case):
    w, c = case
    before = CaseEvent.objects.count()
    fastsql.insert([
        CaseEvent(case_id=c.pk, action="note", to_status=c.status, actor=w.officer.user, window=w.window,
                  data={"材料": ["申请书"], "n": 2}),
        CaseEvent(case_id=c.pk, action="note2", to_status=c.status),
    ])
    rows = list(CaseEvent.objects.filter(case=c, action__startswith="note").order_by("id"))
    assert CaseEvent.objects.count() == before + 2
    assert rows[0].data == {"材料": ["申请书"], "n": 2} and rows[0].actor_id == w.officer.user_id
    assert rows[0].window_id == w.window.pk and rows[0].at is not None
    assert rows[1].data == {} and rows[1].actor_id is None and rows[1].step == 0
