"""The demo county's hotline: every state, the special courses, real clocks and ratings, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.demo.build import load_demo
from zhengwu.hotline.demo import load_demo_hotline
from zhengwu.hotline.models import Article, Category, DispatchRule, Extension, Order, OrderEvent, Status
from zhengwu.org.models import Hall

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    at = timezone.make_aware(dt.datetime(2026, 11, 27, 10, 40))  # a Friday
    with django_db_blocker.unblock(), fast, transaction.atomic():
        with clock.frozen(at):
            load_demo()
            made = load_demo_hotline()
            again = load_demo_hotline()
        yield {"made": made, "again": again, "at": at}
        transaction.set_rollback(True)


def test_two_months_of_orders_in_every_state(built):
    statuses = dict(Order.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Status.values), statuses
    assert built["made"] == Order.objects.count() >= 100
    first = Order.objects.order_by("created_at").first().created_on
    assert (dt.date(2026, 11, 27) - first).days >= 55
    assert built["again"] == 0  # idempotent


def test_the_special_courses_are_there(built):
    assert Order.objects.filter(status=Status.TRANSFERRED, emergency="110").count() == 1
    assert Order.objects.filter(returns__gt=0, status=Status.CLOSED).exists()  # 退单 then 改派, closed
    assert OrderEvent.objects.filter(action="reassign").exists()
    assert Order.objects.filter(redos__gt=0, status=Status.CLOSED).exists()  # 重办
    assert set(Extension.objects.values_list("state", flat=True)) == {"approved", "pending"}
    assert Order.objects.filter(status=Status.MERGED, merged_into__isnull=False).count() >= 1
    assert Order.objects.filter(status=Status.CLOSED, reply_late__isnull=True).exists()  # 直接答复
    assert Order.objects.filter(confidential=True).exists()


def test_catalogue_knowledge_base_clocks_and_ratings(built):
    from zhengwu.ratings.models import Rating
    from zhengwu.supervision.models import Clock

    assert Article.objects.count() >= 30
    assert Category.objects.count() == 54
    towns = Hall.objects.filter(kind=Hall.Kind.TOWN_CENTER).count()
    assert DispatchRule.objects.filter(hall__kind=Hall.Kind.TOWN_CENTER).count() == 3 * towns
    # the 派单目录 covers every department stationed in the centre (47), and the towns
    from zhengwu.org.models import Department

    ruled = set(DispatchRule.objects.filter(department__isnull=False).values_list("department", flat=True))
    assert len(ruled) == Department.objects.count() == 47
    kinds = set(Clock.objects.filter(subject_type="hotline_order").values_list("kind_id", flat=True))
    assert {"hotline_sign", "hotline_reply", "hotline_callback", "hotline_review"} <= kinds
    called = OrderEvent.objects.filter(action="callback").count()  # a 重办 order is called back twice
    assert Rating.objects.filter(channel="12345").count() == called > 50
