"""The demo builds on the demo county: declarations in every status across several departments, ratings, the
three kinds of report; a second build makes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from zhengwu.declarations.demo import build_declarations
from zhengwu.declarations.models import Declaration, DeclarationStatus, Rating, Report, ReportStatus
from zhengwu.demo.build import load_demo
from zhengwu.supervision.models import Clock, ClockState

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield build_declarations()
        transaction.set_rollback(True)


def test_every_status_several_departments(demo):
    assert demo["created"] is True
    assert set(Declaration.objects.values_list("status", flat=True)) == set(DeclarationStatus.values)
    assert Declaration.objects.values("department").distinct().count() >= 4
    assert Declaration.objects.filter(is_random=True, status=DeclarationStatus.APPROVED).exists()
    assert Declaration.objects.exclude(over_limit_reason="").filter(status=DeclarationStatus.SUBMITTED).exists()
    assert set(Report.objects.values_list("status", flat=True)) == set(ReportStatus.values)
    assert Rating.objects.count() == 3
    [login] = demo["logins"]
    assert login.username == "yshj"


def test_clocks_open_only_where_work_is_pending_and_none_overdue(demo):
    running = Clock.objects.filter(kind_id__in=["declarations_approval", "declarations_report"]).exclude(state=ClockState.FINISHED)
    pending = Declaration.objects.filter(status=DeclarationStatus.SUBMITTED).count()
    assert running.count() == pending + 1  # the open report
    from zhengwu.core import clock

    assert not running.filter(due_date__lt=clock.today()).exists()


def test_idempotent(demo):
    n = Declaration.objects.count()
    again = build_declarations()
    assert again["created"] is False and Declaration.objects.count() == n
