"""In Chromium: a supervisor logs in and sees the red card of an overdue case on the board;
a leader opens the dashboard and its ECharts charts draw from the vendored script."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from zhengwu.cases import plan
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.supervision.services import stats_rebuild, sweep_run

from .conftest import accept_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")


@pytest.fixture(autouse=True)
def fresh_state():
    """Transactional tests flush the tables (the roles of the data migration too); plans are cached by id."""
    plan._plans.clear()
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    yield
    plan._plans.clear()


@pytest.fixture
def overdue(w):
    case = accept_case(w, dt.date(2026, 9, 28))  # due 10-10
    with clock.frozen(dt.date(2026, 10, 12)):
        sweep_run()
        stats_rebuild()
    return case


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("pass-123456")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")


def test_supervisor_sees_the_red_card_on_the_board(page, w, overdue):
    log_in(page, "u2001", "/supervision/")
    expect(page.get_by_role("heading", name="效能监察看板")).to_be_visible()
    expect(page.get_by_test_id("red-total")).to_have_text("2")
    row = page.locator("table[data-testid=cards] tbody tr", has_text=overdue.case_no).filter(has_text="办结时限")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("board-card")).to_have_text("红牌")
    expect(row).to_contain_text("2026-10-10")
    expect(row).to_contain_text("李窗口")
    page.get_by_role("link", name="红牌（已超期）").click()
    expect(page.locator("table[data-testid=cards] tbody tr[data-level=red]")).to_have_count(2)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "supervision-board.png"), full_page=True)


def test_leader_dashboard_draws_its_charts(page, w, overdue):
    log_in(page, "u1007", "/supervision/dashboard/")
    expect(page.get_by_role("heading", name="示范县政务服务统计大屏")).to_be_visible()
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-cards canvas")).to_have_count(1)
    page.set_viewport_size({"width": 1360, "height": 900})
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "supervision-dashboard.png"), full_page=True)
    expect(page.get_by_test_id("dashboard-kpis")).to_contain_text("红牌")
    page.goto("/supervision/dashboard/?region=130621100000")  # drill down to the town
    expect(page.get_by_role("heading", name="城关镇政务服务统计大屏")).to_be_visible()
    page.get_by_role("link", name="示范县").click()  # and back up through the tiers
    expect(page.get_by_role("heading", name="示范县政务服务统计大屏")).to_be_visible()
