"""In Chromium: a leader opens the project list (the late project first, days-used bars), the project page
(stages and blockers) and the dashboard, whose 工程建设项目 chart draws from the vendored ECharts."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from zhengwu.cases import plan
from zhengwu.cases.models import Status
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.projects import services
from zhengwu.projects.models import ProjectStage

from .factories import CODE, CODE2, complete, joint, register, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")
D = dt.date


@pytest.fixture(autouse=True)
def fresh_state():
    plan._plans.clear()
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    yield
    plan._plans.clear()


@pytest.fixture
def w():
    w = world()
    a = register(w)
    register(w, code=CODE2, name="示范县城关镇安置房项目")
    s1 = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=a, stage=1, joint=s1, staff=w.clerk)
    complete(s1, D(2026, 10, 12))
    services.project_stage_refresh(project=a)
    s2 = joint(w, 2, accepted_on=D(2026, 10, 14), children=[(w.resources_item, Status.IN_REVIEW, D(2026, 10, 16))])
    services.project_stage_link(project=a, stage=2, joint=s2, staff=w.clerk)
    ProjectStage.objects.filter(project=a, stage=2).update(limit_days=3)
    return w


def test_leader_follows_a_late_project(page, w):
    with clock.frozen(D(2026, 10, 20)):
        page.goto("/login/?next=/projects/")
        page.locator("input[name=username]").fill("u1007")
        page.locator("input[name=password]").fill("pass-123456")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/projects/")
        rows = page.locator("table[data-testid=projects] tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("data-code", CODE)
        expect(rows.first).to_contain_text("超时")
        page.screenshot(path=f"{SCREENSHOT_DIR}/projects-list.png", full_page=True)
        rows.first.get_by_role("link").click()
        page.wait_for_url(f"**/projects/{CODE}/")
        expect(page.get_by_test_id("current-stage")).to_have_text("工程建设许可")
        expect(page.locator("[data-testid=stages] li")).to_have_count(4)
        expect(page.get_by_test_id("blockers")).to_contain_text("示范县自然资源和规划局")
        page.screenshot(path=f"{SCREENSHOT_DIR}/projects-detail.png", full_page=True)
        page.goto("/supervision/dashboard/")
        panel = page.get_by_test_id("dashboard-projects")
        expect(panel).to_contain_text("工程建设项目")
        expect(panel.locator("#chart-projects canvas")).to_have_count(1)
        panel.scroll_into_view_if_needed()
        page.screenshot(path=f"{SCREENSHOT_DIR}/projects-dashboard.png", full_page=True)
