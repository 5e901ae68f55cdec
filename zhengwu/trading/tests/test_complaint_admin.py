"""The 投诉 register in the admin: before the round's opening it names no complainant and shows no text
(either would tell a party that obtained the documents, 招标投标法第二十二条); from the opening on it does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from zhengwu.core import clock
from zhengwu.trading.models import Tender, TenderStatus
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_complaints import engineering_with_answer, file
from zhengwu.trading.tests.test_periods import at

pytestmark = pytest.mark.django_db

TEXT = "招标人答复未纠正排斥性条款"


@pytest.fixture
def w():
    return fx.build_world()


def test_complaint_admin_hides_the_complainant_until_the_opening(client, w):
    tender = engineering_with_answer(w)  # deadline 20 October 09:30
    complaint = file(w, tender, dt.date(2026, 9, 30))
    superuser = get_user_model().objects.create_superuser(username="root", password="pass-123456", real_name="超管")
    client.force_login(superuser)
    urls = ["/admin/trading/complaint/", f"/admin/trading/complaint/{complaint.pk}/change/"]
    with clock.frozen(dt.date(2026, 10, 9)):
        for url in urls:
            page = client.get(url).content.decode("utf-8")
            assert "（开标前不显示）" in page, url
            assert w.bidders[0].name not in page and TEXT not in page, url
        assert w.bidders[0].name not in client.get("/admin/trading/complaint/?q=宏基").content.decode("utf-8")
    # opened at the deadline: the register shows who complained and what
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.OPENING, opened_at=at(dt.date(2026, 10, 20), 9, 30))
    with clock.frozen(at(dt.date(2026, 10, 20), 10)):
        for url in urls:
            page = client.get(url).content.decode("utf-8")
            assert w.bidders[0].name in page, url
        assert TEXT in client.get(urls[1]).content.decode("utf-8")
