"""Scope, the API contract, the pages and the dashboard panel."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.api import api
from zhengwu.cases.models import Status
from zhengwu.core import clock
from zhengwu.projects import selectors, services
from zhengwu.projects.models import Project, ProjectEvent, ProjectStage

from .factories import CODE, CODE2, complete, joint, register, world

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 10, 20)


@pytest.fixture
def w():
    """Two projects: A in 工程建设许可 (stage 1 done over National Day, stage 2 running with two open 子件),
    B still in 立项用地规划许可 with its joint case not yet linked; a third, closed."""
    w = world()
    with clock.frozen(D(2026, 9, 25)):
        w.a = register(w)
        w.b = register(w, code=CODE2, name="示范县城关镇安置房项目", region=w.town)
        w.c = services.project_close(project=register(w, code="2026-130621-47-01-000003", name="已撤回项目"),
                                     staff=w.clerk, reason="建设单位撤回")
    s1 = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=w.a, stage=1, joint=s1, staff=w.clerk)
    complete(s1, D(2026, 10, 12))
    services.project_stage_refresh(project=w.a)
    w.s2 = joint(w, 2, accepted_on=D(2026, 10, 14), children=[
        (w.resources_item, Status.IN_REVIEW, D(2026, 10, 16)), (w.housing_item, Status.IN_REVIEW, D(2026, 10, 30))])
    services.project_stage_link(project=w.a, stage=2, joint=w.s2, staff=w.clerk)
    w.s1 = s1
    return w


def api_get(client, staff, url):
    client.force_login(staff.user)
    with clock.frozen(TODAY):
        return client.get(url)


def api_post(client, staff, url, body):
    client.force_login(staff.user)
    with clock.frozen(TODAY):
        return client.post(url, body, content_type="application/json")


# -- scope ------------------------------------------------------------------------------------------------------


def _codes(staff):
    return sorted(p.code for p in selectors.project_list_for_staff(staff=staff))


def test_who_sees_which_project(w):
    everything = sorted([CODE, CODE2, "2026-130621-47-01-000003"])
    assert _codes(w.clerk) == _codes(w.admin) == everything  # the centre's own staff: their hall
    assert _codes(w.leader) == _codes(w.supervisor) == everything  # the county's leaders
    assert _codes(w.town_leader) == [CODE2]  # located in the town
    assert _codes(w.resources_head) == [CODE]  # the lead of A's stages and a 子件's department
    assert _codes(w.housing_officer) == [CODE]  # a 子件's department
    assert _codes(w.officer) == _codes(w.agent) == _codes(w.outsider) == []  # other departments, agents
    w.clerk.is_active = False
    w.clerk.save(update_fields=["is_active"])
    assert _codes(w.clerk) == []


# -- API --------------------------------------------------------------------------------------------------------


def test_api_list_puts_overdue_first_and_filters(client, w):
    rows = api_get(client, w.leader, "/api/projects").json()
    assert [(r["code"], r["stage"], r["status"], r["days_used"], r["overdue"]) for r in rows] == [
        (CODE, 2, "active", 10, False), ("2026-130621-47-01-000003", 1, "closed", 0, False),
        (CODE2, 1, "active", 0, False)]  # then the newest first
    ProjectStage.objects.filter(project=w.a, stage=2).update(limit_days=3)  # 4 days used in stage 2
    rows = api_get(client, w.leader, "/api/projects").json()
    assert rows[0]["code"] == CODE and rows[0]["overdue"] and not rows[0]["over_limit"]
    assert rows[0]["stage_days_used"] == 4 and rows[0]["stage_limit_days"] == 3
    assert [r["code"] for r in api_get(client, w.leader, "/api/projects?stage=1&status=active").json()] == [CODE2]
    assert [r["code"] for r in api_get(client, w.leader, "/api/projects?overdue=true").json()] == [CODE]
    assert [r["code"] for r in api_get(client, w.leader, "/api/projects?status=closed").json()] == [
        "2026-130621-47-01-000003"]
    assert [r["code"] for r in api_get(client, w.leader, "/api/projects?q=安置房").json()] == [CODE2]
    assert len(api_get(client, w.leader, "/api/projects?limit=1&offset=1").json()) == 1
    for bad in ("limit=0", "limit=1001", "offset=-1", "stage=6", "status=nope"):
        r = api_get(client, w.leader, f"/api/projects?{bad}")
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", bad
    assert api_get(client, w.officer, "/api/projects").json() == []


def test_api_detail(client, w):
    r = api_get(client, w.resources_head, f"/api/projects/{CODE}")
    assert r.status_code == 200
    d = r.json()
    assert (d["stage"], d["stage_name"], d["days_used"], d["limit_days"], d["can_manage"]) == (
        2, "工程建设许可", 10, 120, False)
    assert [(s["stage"], s["joint_case_no"], s["days_used"], s["limit_days"], s["state"]) for s in d["stages"]] == [
        (1, w.s1.case_no, 6, 20, "finished"), (2, w.s2.case_no, 4, 25, "running"),
        (3, None, 0, 20, "waiting"), (4, None, 0, 20, "waiting")]
    assert d["stages"][0]["finished_on"] == "2026-10-12" and d["stages"][1]["lead_department"] == "示范县自然资源和规划局"
    assert [(b["kind"], b["department"], b["due_date"], b["overdue"], b["deemed"]) for b in d["blockers"]] == [
        ("child", "示范县自然资源和规划局", "2026-10-16", True, False),
        ("child", "示范县住房和城乡建设局", "2026-10-30", False, False)]
    assert d["parallel"]["state"] == "waiting"
    assert api_get(client, w.officer, f"/api/projects/{CODE}").status_code == 404
    assert api_get(client, w.leader, "/api/projects/2026-130621-47-01-999999").status_code == 404
    client.logout()
    assert client.get(f"/api/projects/{CODE}").status_code == 401


def test_api_register(client, w):
    body = {"code": "2026-130621-47-02-000010", "name": "示范县污水处理厂提标改造", "owner_name": "示范县水务有限公司",
            "owner_uscc": "91350100M000100Y43", "investment": "3500.00", "land_source": "allocation",
            "land_area": "12000", "building_area": "3000.5", "region": w.town.code}
    r = api_post(client, w.clerk, "/api/projects", body)
    assert r.status_code == 201, r.content
    d = r.json()
    assert (d["code"], d["stage"], d["status"], d["region"], d["investment"], d["land_source"]) == (
        "2026-130621-47-02-000010", 1, "active", "城关镇", "3500.00", "allocation")
    n = Project.objects.count()
    r = api_post(client, w.clerk, "/api/projects", body)
    assert (r.status_code, r.json()["code"]) == (409, "project_exists")
    for over, status, code in [({"code": "2026-1306"}, 400, "invalid_project_code"),
                               ({"owner_uscc": "91350100M000100Y44"}, 400, "invalid_uscc"),
                               ({"land_source": "x"}, 422, "invalid_input"),
                               ({"investment": "-5"}, 422, "invalid_input"),
                               ({"investment": "1e20"}, 422, "invalid_input"),
                               ({"region": "999999999999"}, 422, "unknown_region")]:
        r = api_post(client, w.clerk, "/api/projects", {**body, "code": "2026-130621-47-02-000011", **over})
        assert (r.status_code, r.json()["code"]) == (status, code), over
    r = api_post(client, w.leader, "/api/projects", {**body, "code": "2026-130621-47-02-000012"})
    assert (r.status_code, r.json()["code"]) == (403, "no_register")
    assert Project.objects.count() == n


def test_api_actions(client, w):
    s3 = joint(w, 3, accepted_on=D(2026, 10, 19))
    url = f"/api/projects/{CODE}/actions"
    before = (list(ProjectStage.objects.values_list("joint_id", "finished_on")), ProjectEvent.objects.count())
    r = api_post(client, w.clerk, f"{url}/link_stage", {"stage": 3, "joint_case_no": s3.case_no})
    assert (r.status_code, r.json()["code"]) == (409, "stage_order")
    r = api_post(client, w.clerk, f"{url}/link_stage", {"stage": 2, "joint_case_no": "LB-NONE"})
    assert r.status_code == 404
    r = api_post(client, w.clerk, f"{url}/link_stage", {"stage": 2})
    assert (r.status_code, r.json()["code"]) == (422, "link_input")
    r = api_post(client, w.resources_head, f"{url}/refresh", {})
    assert (r.status_code, r.json()["code"]) == (403, "no_manage")
    assert api_post(client, w.clerk, f"{url}/bogus", {}).status_code == 422
    assert (list(ProjectStage.objects.values_list("joint_id", "finished_on")), ProjectEvent.objects.count()) == before

    complete(w.s2, D(2026, 10, 16))
    r = api_post(client, w.clerk, f"{url}/refresh", {})
    assert (r.status_code, r.json()["stage"]) == (200, 3)
    r = api_post(client, w.clerk, f"{url}/link_stage", {"stage": 3, "joint_case_no": s3.case_no})
    assert r.status_code == 200 and r.json()["stages"][2]["joint_case_no"] == s3.case_no
    r = api_post(client, w.clerk, f"{url}/close", {})
    assert (r.status_code, r.json()["code"]) == (400, "required")
    r = api_post(client, w.clerk, f"{url}/close", {"reason": "建设单位终止项目"})
    assert (r.status_code, r.json()["status"], r.json()["close_reason"]) == (200, "closed", "建设单位终止项目")


def test_openapi_enums():
    schema = api.get_openapi_schema()
    comps = schema["components"]["schemas"]
    assert comps["ProjectStageCode"]["enum"] == [1, 2, 3, 4, 5]
    assert comps["ProjectCurrentStage"]["enum"] == [1, 2, 3, 4, 5]
    assert comps["ProjectLandSource"]["enum"] == ["allocation", "agreement", "auction", "lease", "shares",
                                                  "existing", "other"]
    assert comps["ProjectStageState"]["enum"] == ["waiting", "pending", "running", "finished", "failed"]
    act = schema["paths"]["/api/projects/{code}/actions/{action}"]["post"]
    action = next(p for p in act["parameters"] if p["name"] == "action")
    assert action["schema"]["enum"] == ["link_stage", "refresh", "close"]
    assert any(p["name"] == "Idempotency-Key" for p in act["parameters"])


# -- pages ------------------------------------------------------------------------------------------------------


def page(client, staff, url):
    client.force_login(staff.user)
    with clock.frozen(TODAY):
        return client.get(url)


def test_list_page_for_the_leader(client, w):
    ProjectStage.objects.filter(project=w.b, stage=1).update(limit_days=1)  # B not started: not overdue
    ProjectStage.objects.filter(project=w.a, stage=2).update(limit_days=3)
    r = page(client, w.leader, "/projects/")
    html = r.content.decode()
    assert r.status_code == 200 and "工程建设项目审批" in html
    assert html.index(f'data-code="{CODE}"') < html.index(f'data-code="{CODE2}"')
    assert "已撤回项目" not in html and "1 个超过时限" in html and "pj-row-over" in html
    assert 'aria-label="已用 4 个工作日，时限 3 个工作日，已超时"' in html
    assert "登记项目" not in html  # leaders do not register
    html = page(client, w.leader, "/projects/?stage=1").content.decode()
    assert CODE2 in html and f'data-code="{CODE}"' not in html
    assert "已撤回项目" in page(client, w.leader, "/projects/?status=closed").content.decode()
    assert page(client, w.officer, "/projects/").status_code == 200  # an empty list, not an error


def test_project_page(client, w):
    r = page(client, w.clerk, f"/projects/{CODE}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert w.s1.case_no in html and w.s2.case_no in html and "卡点（当前阶段）" in html
    assert 'aria-label="已用 10 个工作日，时限 120 个工作日"' in html
    assert 'aria-label="已用 6 个工作日，时限 20 个工作日"' in html
    assert "关联本阶段联办件" in html and "超期" in html
    html = page(client, w.leader, f"/projects/{CODE}/").content.decode()
    assert "关联本阶段联办件" not in html
    assert page(client, w.officer, f"/projects/{CODE}/").status_code == 404
    client.logout()
    assert client.get(f"/projects/{CODE}/").status_code == 302  # to the login


def test_register_and_act_by_page(client, w):
    client.force_login(w.clerk.user)
    assert client.get("/projects/new/").status_code == 200
    form = {"code": "2026-130621-47-03-000020", "name": "示范县物流园", "owner_name": "示范县物流有限公司",
            "owner_uscc": "91350100M000100Y43", "investment": "8000", "land_source": "auction",
            "land_area": "50000", "building_area": "20000", "region": w.county.code}
    r = client.post("/projects/new/", {**form, "owner_uscc": "123"})
    assert r.status_code == 422 and "统一社会信用代码" in r.content.decode()
    assert not Project.objects.filter(code=form["code"]).exists()
    r = client.post("/projects/new/", form)
    assert r.status_code == 302 and r["Location"] == f"/projects/{form['code']}/"
    p = Project.objects.get(code=form["code"])
    j = joint(w, 1, accepted_on=D(2026, 10, 19))
    r = client.post(f"/projects/{p.code}/link/", {"stage": "1", "joint_case_no": j.case_no})
    assert r.status_code == 302 and ProjectStage.objects.get(project=p, stage=1).joint == j
    r = client.post(f"/projects/{p.code}/link/", {"stage": "2", "joint_case_no": w.s2.case_no}, follow=True)
    assert "已关联其他项目或阶段" in r.content.decode()
    r = client.post(f"/projects/{p.code}/close/", {"reason": "建设单位撤回"})
    assert Project.objects.get(pk=p.pk).status == "closed"
    client.force_login(w.leader.user)
    assert client.get("/projects/new/").status_code == 403


# -- the dashboard panel ------------------------------------------------------------------------------------------


def test_dashboard_panel(client, w):
    ProjectStage.objects.filter(project=w.a, stage=2).update(limit_days=3)
    data = selectors.projects_panel(region=w.county, today=TODAY)
    assert data == {"total": 2, "by_stage": [
        {"stage": 1, "name": "立项用地规划许可", "count": 1}, {"stage": 2, "name": "工程建设许可", "count": 1},
        {"stage": 3, "name": "施工许可", "count": 0}, {"stage": 4, "name": "竣工验收", "count": 0},
        {"stage": 5, "name": "全部完成", "count": 0}], "avg_days": 5.0, "over_limit": 1, "limit_days": 120}
    assert selectors.projects_panel(region=w.town, today=TODAY)["total"] == 1
    r = page(client, w.leader, "/supervision/dashboard/")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="dashboard-projects"' in html and "工程建设项目" in html
    assert 'id="projects-panel-data"' in html and "projects/dashboard_panel.js" in html
    assert 'id="chart-projects"' in html and "vendor/echarts/echarts.min.js" in html
    assert "cdn" not in " ".join(a for a in html.split('"') if a.startswith("http"))


def test_the_policy_is_edited_in_the_admin(client, w):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser(username="root", password="pass-123456")
    client.force_login(root)
    assert client.get("/admin/projects/projectpolicy/").status_code == 200
    r = client.post("/admin/projects/projectpolicy/1/change/", {"whole_limit_days": "90", "stage1_days": "15",
                                                            "stage2_days": "20", "stage3_days": "15",
                                                            "stage4_days": "15", "parallel_days": "20"})
    assert r.status_code == 302
    from zhengwu.projects.policy import policy_get

    assert (policy_get().whole_limit_days, policy_get().stage_days(1)) == (90, 15)
    assert client.get("/admin/projects/projectpolicy/add/").status_code == 403  # one row only (made on first use)
