"""投诉 on the pages: a bidder files a complaint from its bid page (a bad date or a complaint before the 质疑
is answered is refused in Chinese and writes nothing), the 行政监督部门's supervisor sees it on the supervision
page, accepts it with the procurement suspended and decides it; another department's supervisor and a
stranger cannot handle it."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.trading.models import Complaint, ComplaintStatus
from zhengwu.trading.tests import factories as fx
from zhengwu.trading.tests.test_complaints import procurement_with_answer

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def w():
    return fx.build_world()


def text(r) -> str:
    return r.content.decode("utf-8")


def test_bidder_files_and_supervisor_accepts_then_decides(client, w):
    tender = procurement_with_answer(w)
    client.force_login(w.bidder_users[0])
    url = f"/trading/bid/{tender.pk}/complain/"
    with clock.frozen(D(2026, 4, 10)):
        page = client.get(f"/trading/bid/{tender.pk}/")
        assert page.status_code == 200 and 'data-testid="complain"' in text(page)
        bad = client.post(url, {"matter": "documents", "known_on": "2026-13-01", "text": "参数指向特定品牌"},
                          follow=True)
        assert "请按“年-月-日”填写知道或者应当知道投诉事项之日" in text(bad)
        assert Complaint.objects.count() == 0
        r = client.post(url, {"matter": "documents", "known_on": "2026-04-01", "text": "技术参数指向特定品牌，答复未纠正"},
                        follow=True)
    assert "投诉已提交行政监督部门，将于2026年04月15日前决定是否受理" in text(r)
    c = Complaint.objects.get()
    assert (c.status, c.complainant_id, c.accept_due) == (ComplaintStatus.FILED, w.bidders[0].pk, D(2026, 4, 15))
    assert "待受理" in text(r) and 'data-testid="my-complaints"' in text(r)

    # another department's supervisor (住建局) sees nothing and cannot act
    client.force_login(w.works_supervisor.user)
    with clock.frozen(D(2026, 4, 13)):
        assert f'data-complaint="{c.pk}"' not in text(client.get("/trading/supervise/"))
        r = client.post(f"/trading/supervise/complaints/{c.pk}/accept/")
    assert r.status_code == 404 and "未找到该投诉" in text(r)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.FILED

    client.force_login(w.procurement_supervisor.user)
    with clock.frozen(D(2026, 4, 13)):
        page = text(client.get("/trading/supervise/"))
        assert f'data-complaint="{c.pk}"' in page and "2026-04-15 前决定是否受理" in page
        client.post(f"/trading/supervise/complaints/{c.pk}/accept/", {"suspend": "1"})
    c.refresh_from_db()
    tender.refresh_from_db()
    assert (c.status, c.suspended, tender.paused) == (ComplaintStatus.ACCEPTED, True, True)
    with clock.frozen(D(2026, 4, 20)):
        blank = client.post(f"/trading/supervise/complaints/{c.pk}/decide/", {"decision": "  "}, follow=True)
        assert "请填写处理决定" in text(blank)
        client.post(f"/trading/supervise/complaints/{c.pk}/decide/", {"decision": "投诉成立，责令修改采购文件",
                                                                      "upheld": "1"})
    c.refresh_from_db()
    tender.refresh_from_db()
    assert (c.status, c.upheld, c.decision, tender.paused) == (ComplaintStatus.DECIDED, True,
                                                               "投诉成立，责令修改采购文件", False)
    client.force_login(w.bidder_users[0])
    with clock.frozen(D(2026, 4, 21)):
        mine = text(client.get(f"/trading/bid/{tender.pk}/"))
    assert "已处理（投诉成立）" in mine and "责令修改采购文件" in mine


def test_complaint_before_the_answer_is_refused_and_strangers_get_403(client, w):
    tender = procurement_with_answer(w)
    # bidder 2 raised no 质疑: the complaint is refused, citing 政府采购法第五十五条
    client.force_login(w.bidder_users[1])
    with clock.frozen(D(2026, 4, 10)):
        r = client.post(f"/trading/bid/{tender.pk}/complain/", {"matter": "documents", "known_on": "2026-04-01",
                                                                 "text": "参数排斥"}, follow=True)
    assert "投诉前应当先向采购人、采购代理机构提出质疑" in text(r) and Complaint.objects.count() == 0
    client.force_login(w.bidder_users[0])
    with clock.frozen(D(2026, 4, 10)):
        client.post(f"/trading/bid/{tender.pk}/complain/", {"matter": "documents", "known_on": "2026-04-01",
                                                             "text": "参数排斥"})
    c = Complaint.objects.get()
    # a bidder is not a supervisor
    r = client.post(f"/trading/supervise/complaints/{c.pk}/accept/")
    assert r.status_code == 403 and "行政监督部门" in text(r)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.FILED
