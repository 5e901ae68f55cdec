"""The workbench's 登记交易项目 form and the 重新招标 button: an agency registers a project with its first
round (待发布) in one step; a refused round (a method engineering may not use) leaves no project behind; a
bidder sees no form and is refused; after a failed round the agency re-tenders from the workbench."""

from __future__ import annotations

import pytest

from zhengwu.core import clock
from zhengwu.trading.models import Project, Tender, TenderStatus, TradingEvent

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return f.build_world()


def form(w, **over) -> dict:
    data = {"hall": "SFXJY", "name": "示范县第二小学操场改造工程", "regime": "engineering", "category": "works",
            "buyer": w.buyer.uscc, "agency": w.agency.uscc, "supervisor": w.housing.code, "estimate": "5,200,000",
            "state_fund_percent": "100", "funding": "财政资金", "description": "操场及附属设施",
            "method": "open", "title": ""}
    data.update(over)
    return data


def text(r) -> str:
    return r.content.decode("utf-8")


def test_agency_registers_a_project_with_its_first_round(client, w):
    client.force_login(w.agent_user)
    with clock.frozen(f.DAY):
        page = text(client.get("/trading/manage/"))
        assert 'data-testid="register"' in page and "示范县公共资源交易中心" in page
        assert page.count('data-testid="register"') == 1 and "<title>交易工作台" in page
        assert "登记交易项目" not in page.split("</title>")[0]
        r = client.post("/trading/manage/projects/new/", form(w), follow=True)
    project = Project.objects.get(name="示范县第二小学操场改造工程")
    tender = project.tenders.get()
    assert (project.estimate, project.buyer_id, project.agency_id, project.supervisor_id, project.hall.code) == (
        5200000, w.buyer.pk, w.agency.pk, w.housing.pk, "SFXJY")
    assert (tender.round, tender.method, tender.status, tender.title) == (
        1, "open", TenderStatus.DRAFT, "示范县第二小学操场改造工程招标公告")
    assert f"已登记交易项目 {project.code}，第1次招标待发布" in text(r)
    assert r.redirect_chain[-1][0] == f"/trading/manage/tenders/{tender.pk}/"
    assert list(TradingEvent.objects.filter(project=project).values_list("action", flat=True)) == ["create", "create"]


def test_a_refused_round_leaves_no_project_and_bad_money_is_named(client, w):
    client.force_login(w.agent_user)
    with clock.frozen(f.DAY):
        r = client.post("/trading/manage/projects/new/", form(w, method="inquiry"), follow=True)
        assert "工程建设项目不能采用该方式" in text(r)
        r = client.post("/trading/manage/projects/new/", form(w, estimate="五百万"), follow=True)
        assert "“估算价/预算金额”或“国有资金占比”填写不正确" in text(r)
        r = client.post("/trading/manage/projects/new/", form(w, supervisor="NOPE"), follow=True)
        assert "请选择行政监督部门" in text(r)
    assert Project.objects.count() == 0 and Tender.objects.count() == 0


def test_a_bidder_has_no_form_and_cannot_register(client, w):
    client.force_login(w.bidder_users[0])
    with clock.frozen(f.DAY):
        r = client.post("/trading/manage/projects/new/", form(w, agency=""), follow=True)
    assert "您无权登记该交易项目" in text(r) and Project.objects.count() == 0


def test_retender_after_a_failed_round(client, w):
    project = f.project(w)
    tender = f.draft_tender(w, project)
    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.FAILED)
    client.force_login(w.agent_user)
    with clock.frozen(f.DAY):
        assert f'data-testid="retender-{project.code}"' in text(client.get("/trading/manage/"))
        r = client.post(f"/trading/manage/projects/{project.code}/retender/", follow=True)
    second = project.tenders.get(round=2)
    assert (second.status, second.method) == (TenderStatus.DRAFT, tender.method)
    assert "已新建第2次招标，待发布" in text(r)
    with clock.frozen(f.DAY):
        r = client.post(f"/trading/manage/projects/{project.code}/retender/", follow=True)
    assert "只有上一轮流标/废标后才能重新招标" in text(r) and project.tenders.count() == 2
