"""The demo's 全程代办: higher-level items, agreements in every state, idempotent."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from zhengwu.agency.models import Agreement, Status
from zhengwu.agency.selectors import step_rows
from zhengwu.catalog.models import Item
from zhengwu.demo.agency import build_agency
from zhengwu.demo.build import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield build_agency()
        transaction.set_rollback(True)


def test_agreements_in_every_state(demo):
    assert demo == {"agreements": 4, "created": 4}
    by_status = {a.status: a for a in Agreement.objects.all()}
    assert set(by_status) == set(Status.values)
    pending = by_status[Status.PENDING]
    assert pending.referred_by is not None and pending.referred_by.user.username == "dby"
    active = by_status[Status.ACTIVE]
    assert active.applicant_user.username == "citizen"
    rows = step_rows(active)
    assert len(rows) == 4 and sum(r.pending for r in rows) == 1 and all(r.days >= 0 for r in rows)
    finished = by_status[Status.FINISHED]
    assert finished.handovers.count() == 1
    assert by_status[Status.TERMINATED].terminate_reason
    for a in Agreement.objects.all():
        assert all(i.current.level in ("city", "province") for i in a.items.all())


def test_higher_level_items_and_idempotence(demo):
    levels = sorted(Item.objects.filter(current__level__in=["city", "province"]).values_list("current__level",
                                                                                          flat=True))
    assert levels == ["city", "city", "province", "province"]
    assert build_agency() == {"agreements": 4, "created": 0}
    assert Item.objects.filter(current__level__in=["city", "province"]).count() == 4
