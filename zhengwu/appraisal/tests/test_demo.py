"""The demo's 重点科室评议 on the demo county: last year's campaign published with its bottom three in every
rectification state (accepted with a public follow-up, filed, running for the demo head bmfzr), this year's
campaign open with used and unused links; nothing printed, nothing overdue; idempotent."""

from __future__ import annotations

import tempfile

import pytest
from django.db import transaction
from django.test import Client, override_settings

from zhengwu.appraisal.demo import build_appraisal
from zhengwu.appraisal.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Invitation,
    Rectification,
    RectificationStatus,
    SectionResult,
)
from zhengwu.core import clock
from zhengwu.demo.build import load_demo
from zhengwu.org.models import Staff
from zhengwu.supervision.models import Clock, ClockState

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                             MEDIA_ROOT=tempfile.mkdtemp(prefix="zhengwu-appraisal-demo-"))
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield build_appraisal()
        transaction.set_rollback(True)


def test_published_and_open_campaigns_in_every_state(demo, capsys):
    assert demo == {"logins": []}
    assert capsys.readouterr().out == ""
    published = Campaign.objects.get(status=CampaignStatus.PUBLISHED)
    opened = Campaign.objects.get(status=CampaignStatus.OPEN)
    assert published.sections.count() == 8
    bottom = SectionResult.objects.filter(section__campaign=published, is_bottom=True)
    assert bottom.count() == 3
    rects = {r.status: r for r in Rectification.objects.filter(campaign=published)}
    assert set(rects) == set(RectificationStatus.values)
    assert rects["accepted"].public_note
    head = Staff.objects.get(user__username="bmfzr")
    assert rects["running"].department_id == head.department_id
    today = clock.today()
    clocks = Clock.objects.filter(kind_id="appraisal_rectify")
    assert clocks.count() == 3 and all(k.due_date >= today for k in clocks)
    assert {k.state for k in clocks} == {ClockState.RUNNING, ClockState.STOPPED, ClockState.FINISHED}
    used = Invitation.objects.filter(campaign=opened, used_on__isnull=False).count()
    assert (used, Invitation.objects.filter(campaign=opened).count()) == (5, 12)
    assert Answer.objects.filter(section__campaign=opened).exists()


def test_demo_pages_and_idempotence(demo):
    n = Campaign.objects.count(), Answer.objects.count(), Invitation.objects.count()
    assert build_appraisal() == {"logins": []}
    assert (Campaign.objects.count(), Answer.objects.count(), Invitation.objects.count()) == n
    c = Client()
    published = Campaign.objects.get(status=CampaignStatus.PUBLISHED)
    page = c.get(f"/appraisal/public/{published.pk}/").content.decode()
    assert "已统一一次性告知单" in page
    assert "已经使用过" in c.get("/appraisal/r/demo-appraisal-open-0001/").content.decode()
    form = c.get("/appraisal/r/demo-appraisal-open-0005/").content.decode()
    assert "提交评议" in form
    c.force_login(Staff.objects.get(user__username="bmfzr").user)
    assert "报送整改报告" in c.get("/appraisal/department/").content.decode()
    c.force_login(Staff.objects.get(user__username="xnjc").user)
    assert published.title in c.get("/appraisal/workbench/").content.decode()
