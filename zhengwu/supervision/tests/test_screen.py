"""The wall screen (统计大屏, full screen): who may open it, what region they see, and its JSON refresh."""

import datetime as dt

import pytest
from django.urls import reverse

from zhengwu.cases import services as cs
from zhengwu.cases.tests.factories import applicant, pdf
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.selectors import dashboard_data
from zhengwu.supervision.services import stats_rebuild, sweep_run

from .conftest import accept_case

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 10)
SCREEN, DATA = reverse("supervision:screen"), reverse("supervision:screen_data")


@pytest.fixture
def world(w):
    """Two cases at the county centre, one taken in by 东关村's agent and handled by 城关镇; a second town."""
    accept_case(w, dt.date(2026, 4, 1), name="甲")
    accept_case(w, TODAY, name="乙")
    town_officer = f.staff("1011", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="镇窗口")
    with clock.frozen(dt.date(2026, 4, 1)):
        d = cs.case_submit(item=w.item, applicant=applicant(name="丙"), channel="agent", agent=w.agent,
                           files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        cs.case_accept(case=d, officer=town_officer)
    w.other_town = f.town(w.county, code="130621101000", name="城北镇")
    w.town_leader = f.staff("1012", Role.LEADER, region=w.town, name="镇长")
    with clock.frozen(TODAY):
        sweep_run(today=TODAY)
        stats_rebuild(today=TODAY)
    return w


def get(client, staff, url, **params):
    client.force_login(staff.user)
    with clock.frozen(TODAY):
        return client.get(url, params)


def test_leader_opens_the_screen_of_the_county(client, world):
    w = world
    r = get(client, w.leader, SCREEN)
    assert r.status_code == 200
    html = r.content.decode()
    assert "示范县政务服务统计大屏" in html and 'id="screen-data"' in html
    assert "vendor/echarts/echarts.min.js" in html and "supervision/screen.js" in html
    assert "http://" not in html and "https://" not in html  # nothing from outside (政务外网)
    assert r.context["data"]["kpis"] == dashboard_data(region=w.county, today=TODAY)["kpis"]
    assert [c["name"] for c in r.context["data"]["nav"]["children"]] == ["城关镇", "城北镇"]
    for chart in ("scr-trend", "scr-rates", "scr-map", "scr-region", "scr-cards", "scr-items"):
        assert f'id="{chart}"' in html
    # the supervisor too; the drill-down to a village through the selector's codes
    assert get(client, w.supervisor, SCREEN, region=w.village.code).status_code == 200


def test_the_refresh_endpoint_returns_the_dashboard_figures(client, world, django_assert_max_num_queries):
    w = world
    client.force_login(w.leader.user)
    with clock.frozen(TODAY), django_assert_max_num_queries(22):  # rollups only: a fixed number of queries
        r = client.get(DATA)
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
    body = r.json()
    expected = dashboard_data(region=w.county, today=TODAY)
    for key in ("kpis", "trend", "children", "busiest_items", "cards_by_department", "hall", "region", "today"):
        assert body[key] == expected[key], key
    assert body["kpis"]["accepted_year"] == 3 and body["kpis"]["accepted_today"] == 1
    assert body["now"].startswith("2026-04-10T") and body["refresh_seconds"] == 60
    assert [p["name"] for p in body["nav"]["path"]] == ["示范县"]
    town = get(client, w.leader, DATA, region=w.town.code).json()
    assert [p["name"] for p in town["nav"]["path"]] == ["示范县", "城关镇"]
    assert town["nav"]["children"] == [{"code": "130621100201", "name": "东关村"}]
    assert town["nav"]["next_level_label"] == "村（社区）"
    assert town["kpis"]["accepted_year"] == 1 and town["kpis"]["agent_year"] == 1
    village = get(client, w.leader, DATA, region=w.village.code).json()
    assert village["nav"]["children"] == [] and village["children"] == []
    assert [p["name"] for p in village["nav"]["path"]] == ["示范县", "城关镇", "东关村"]


def test_a_town_leader_sees_only_their_town(client, world):
    w = world
    r = get(client, w.town_leader, SCREEN)
    assert r.status_code == 200 and "城关镇政务服务统计大屏" in r.content.decode()
    data = r.context["data"]
    assert data["region"]["code"] == w.town.code and data["kpis"]["accepted_year"] == 1
    assert [p["name"] for p in data["nav"]["path"]] == ["城关镇"]  # no link up to the county
    assert get(client, w.town_leader, SCREEN, region=w.village.code).status_code == 200
    for code in (w.county.code, w.other_town.code):
        page = get(client, w.town_leader, SCREEN, region=code)
        assert page.status_code == 403 and "该区划不在您的管辖范围内" in page.content.decode()
        body = get(client, w.town_leader, DATA, region=code)
        assert body.status_code == 403
        assert body.json() == {"code": "out_of_scope", "message": "该区划不在您的管辖范围内"}
    missing = get(client, w.leader, DATA, region="130621999999")
    assert missing.status_code == 404 and missing.json()["message"] == "未找到该区划"
    assert get(client, w.leader, SCREEN, region="abc\x00" + "9" * 300).status_code in (400, 404)


def test_an_officer_and_a_stranger_are_refused_in_chinese(client, world):
    w = world
    page = get(client, w.officer, SCREEN)
    assert page.status_code == 403 and "统计大屏仅限领导和效能监察员查看" in page.content.decode()
    body = get(client, w.officer, DATA)
    assert body.status_code == 403 and body.json()["message"] == "统计大屏仅限领导和效能监察员查看"
    client.force_login(w.citizen)  # an account without a staff record
    citizen = client.get(DATA)
    assert citizen.status_code == 403 and citizen.json()["message"] == "效能监察页面仅限在岗工作人员使用。"
    assert client.get(SCREEN).status_code == 403
    client.logout()
    assert client.get(SCREEN).status_code == 302  # to the login page
    anonymous = client.get(DATA)
    assert anonymous.status_code == 401 and anonymous.json() == {"code": "login_required", "message": "请先登录"}
