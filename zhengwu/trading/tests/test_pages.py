"""The trading pages: public notices and project pages, the workbench and the round page with the actions
allowed now (a refusal shows its article and changes nothing), the bidder's page, the expert's and the
supervisor's pages, and the admin (registered models; no sealed slots). Strangers and a foreign centre
admin get a Chinese 403 page."""

from __future__ import annotations

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model

from zhengwu.core import clock
from zhengwu.trading.models import (
    Bid,
    BidSlot,
    CollusionFlag,
    DocumentObtain,
    Expert,
    Party,
    Policy,
    Project,
    Tender,
)

from . import factories as f
from .test_api import BEFORE, ISSUE, at, post, publish_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return f.build_world()


def text(r) -> str:
    return r.content.decode("utf-8")


def published(client, w) -> Tender:
    tender = f.draft_tender(w)
    with clock.frozen(ISSUE):
        assert post(client, f"/api/trading/tenders/{tender.pk}/actions/publish", publish_body(),
                    w.agent_user).status_code == 200
    tender.refresh_from_db()
    return tender


def test_the_public_list_and_project_page(client, w):
    draft = f.draft_tender(w, f.project(w, name="尚未发布的项目"))
    tender = published(client, w)

    r = client.get("/trading/")
    assert r.status_code == 200
    assert "交易公告" in text(r) and tender.project.name in text(r) and "尚未发布的项目" not in text(r)
    assert tender.project.name not in text(client.get("/trading/?regime=procurement"))

    r = client.get(f"/trading/projects/{tender.project.code}/")
    assert r.status_code == 200
    page = text(r)
    assert tender.title in page and "投标截止（开标）时间" in page and "2026-03-25 09:30" in page
    assert client.get(f"/trading/projects/{draft.project.code}/").status_code == 404


def test_the_workbench_is_for_agencies_centre_and_supervisors(client, w):
    tender = published(client, w)

    client.force_login(w.stranger)
    r = client.get("/trading/manage/")
    assert r.status_code == 403 and "交易工作台仅限" in text(r)
    r = client.get(f"/trading/manage/tenders/{tender.pk}/")
    assert r.status_code == 403 and "您无权查看该项目的办理页面" in text(r)

    client.force_login(w.foreign_admin.user)
    r = client.get("/trading/manage/")
    assert r.status_code == 200 and tender.project.code not in text(r)
    r = client.get(f"/trading/manage/tenders/{tender.pk}/")
    assert r.status_code == 403
    r = client.post(f"/trading/manage/tenders/{tender.pk}/act/cancel/", {"reason": "外县"})
    assert r.status_code == 403
    tender.refresh_from_db()
    assert tender.status == "published"

    for user in (w.agent_user, w.admin.user, w.works_supervisor.user):
        client.force_login(user)
        r = client.get("/trading/manage/")
        assert r.status_code == 200 and tender.project.code in text(r), user
    client.force_login(w.procurement_supervisor.user)
    assert tender.project.code not in text(client.get("/trading/manage/"))
    client.logout()
    r = client.get("/trading/manage/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_round_page_offers_the_actions_allowed_now_to_each_role(client, w):
    tender = f.draft_tender(w)
    client.force_login(w.agent_user)
    page = text(client.get(f"/trading/manage/tenders/{tender.pk}/"))
    assert 'data-action="publish"' in page and 'data-action="cancel"' in page and 'data-action="open"' not in page

    tender = published(client, w)
    page = text(client.get(f"/trading/manage/tenders/{tender.pk}/"))
    assert 'data-action="open"' in page and 'data-action="amend"' in page and 'data-action="draw"' not in page
    client.force_login(w.admin.user)
    page = text(client.get(f"/trading/manage/tenders/{tender.pk}/"))
    assert 'data-action="draw"' in page and 'data-action="amend"' not in page
    client.force_login(w.works_supervisor.user)
    page = text(client.get(f"/trading/manage/tenders/{tender.pk}/"))
    assert "当前状态下没有您可以办理的操作" in page


def test_publishing_from_the_page_refuses_a_19_day_period_with_its_article(client, w):
    tender = f.draft_tender(w)
    client.force_login(w.agent_user)
    form = {"documents_from": "2026-03-02T09:00", "documents_until": "2026-03-13T17:00",
            "bid_deadline": "2026-03-21T09:30", "bid_deposit": "0", "deposit_form": "none"}

    with clock.frozen(ISSUE):
        r = client.post(f"/trading/manage/tenders/{tender.pk}/act/publish/", form, follow=True)
    assert "最短不得少于二十日" in text(r)
    tender.refresh_from_db()
    assert (tender.status, tender.bid_deadline) == ("draft", None)

    with clock.frozen(ISSUE):
        r = client.post(f"/trading/manage/tenders/{tender.pk}/act/publish/",
                        {**form, "bid_deposit": "150000", "deposit_form": "guarantee",
                         "bid_deadline": "2026-03-25T09:30"}, follow=True)
    assert "投标保证金不得超过招标项目估算价的2%" in text(r)
    with clock.frozen(ISSUE):
        r = client.post(f"/trading/manage/tenders/{tender.pk}/act/publish/", {**form, "bid_deposit": "lots"},
                        follow=True)
    assert "“投标保证金”填写不正确" in text(r)
    tender.refresh_from_db()
    assert tender.status == "draft"

    with clock.frozen(ISSUE):
        r = client.post(f"/trading/manage/tenders/{tender.pk}/act/publish/",
                        {**form, "bid_deadline": "2026-03-25T09:30"}, follow=True)
    assert "已发布公告" in text(r)
    tender.refresh_from_db()
    assert tender.status == "published"
    assert tender.bid_deadline == at(3, 25, 9, 30)


def test_the_bidder_page_obtains_and_refuses_an_unsealed_file(client, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    tender = published(client, w)
    client.force_login(w.stranger)
    r = client.get(f"/trading/bid/{tender.pk}/")
    assert r.status_code == 403 and "投标页面仅限投标人/供应商的授权代表使用" in text(r)

    client.force_login(w.bidder_users[0])
    with clock.frozen(at(3, 5)):
        page = text(client.get(f"/trading/bid/{tender.pk}/"))
        assert "获取招标文件" in page and "seal.js" in page
        r = client.post(f"/trading/bid/{tender.pk}/obtain/", follow=True)
        assert "已获取招标文件" in text(r)
    assert DocumentObtain.objects.filter(tender=tender, bidder=w.bidders[0]).count() == 1
    with clock.frozen(BEFORE):
        r = client.post(f"/trading/bid/{tender.pk}/submit/",
                        {"envelope": SimpleUploadedFile("投标文件.pdf", b"%PDF-1.4 plain")}, follow=True)
    assert "投标文件未加密" in text(r)
    assert "未递交" in text(r)


def test_the_expert_and_supervisor_pages_refuse_others(client, w):
    tender = f.draft_tender(w, status="evaluating")
    flag = CollusionFlag.objects.create(tender=tender, kind="same_account", evidence={"账户": "6222 0000"},
                                        created_at=clock.now())
    flag.bidders.set(w.bidders[:2])

    client.force_login(w.stranger)
    r = client.get("/trading/expert/")
    assert r.status_code == 403 and "评标专家页面仅限" in text(r)
    r = client.get("/trading/supervise/")
    assert r.status_code == 403 and "仅限交易监督人员" in text(r)

    client.force_login(w.expert_users[1])
    r = client.get("/trading/expert/")
    assert r.status_code == 200 and "暂无评标任务" in text(r)
    assert client.get(f"/trading/expert/{tender.pk}/").status_code == 403

    client.force_login(w.works_supervisor.user)
    r = client.get("/trading/supervise/")
    assert r.status_code == 200 and w.bidders[1].name in text(r) and "/supervision/" in text(r)
    r = client.post(f"/trading/supervise/flags/{flag.pk}/review/", {"status": "confirmed", "note": "同一账户"},
                    follow=True)
    assert "已登记核查结论" in text(r)
    flag.refresh_from_db()
    assert (flag.status, flag.review_note) == ("confirmed", "同一账户")

    client.force_login(w.procurement_supervisor.user)
    assert w.bidders[1].name not in text(client.get("/trading/supervise/"))


def test_the_admin_registers_the_models_but_never_the_sealed_slots(client, w):
    registry = django_admin.site._registry
    for model in (Party, Project, Tender, Expert, Policy, Bid):
        assert model in registry, model
    assert BidSlot not in registry and DocumentObtain not in registry
    assert not registry[Tender].has_change_permission(None) and not registry[Bid].has_add_permission(None)

    root = get_user_model().objects.create_superuser(username="root", password="pass-123456", real_name="超管")
    client.force_login(root)
    for url in ["/admin/trading/party/", "/admin/trading/project/", "/admin/trading/tender/",
                "/admin/trading/expert/", "/admin/trading/policy/", "/admin/trading/bid/",
                f"/admin/trading/expert/{w.experts[0].pk}/change/"]:
        assert client.get(url).status_code == 200, url
    page = text(client.get(f"/admin/trading/expert/{w.experts[0].pk}/change/"))
    assert w.bidders[0].uscc in page  # the declared tie, inline
    assert w.experts[0].id_number not in page
