"""In Chromium: the wall screen (统计大屏) fills 1920×1080 and 3840×2160 with no scrolling, every chart draws,
the minute's refresh updates a figure in place, and the region switch works without a reload."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhengwu.cases import plan
from zhengwu.cases import services as cs
from zhengwu.cases.tests.factories import applicant, pdf
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.services import stats_refresh, sweep_run

from .conftest import accept_case, finish_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")
TODAY = dt.date(2026, 4, 10)
CHARTS = ("scr-trend", "scr-rates", "scr-map", "scr-region", "scr-cards", "scr-items")

FITS = """() => {
  const d = document.documentElement, out = [];
  if (d.scrollHeight > innerHeight) out.push('page height ' + d.scrollHeight + ' > ' + innerHeight);
  if (d.scrollWidth > innerWidth) out.push('page width ' + d.scrollWidth + ' > ' + innerWidth);
  document.querySelectorAll('.scr-panel, .scr-kpi, .scr-head, .scr-foot').forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) out.push('off screen: ' + el.className);
  });
  document.querySelectorAll('.scr-kpi').forEach((el) => {
    const b = el.querySelector('b');
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 || b.scrollWidth > el.clientWidth)
      out.push('clipped: ' + el.innerText);
  });
  return out;
}"""

DRAWN = """(ids) => ids.filter((id) => {
  const c = document.querySelector('#' + id + ' canvas, #' + id + ' svg');
  return !c || c.getBoundingClientRect().width < 100 || c.getBoundingClientRect().height < 60;
})"""


@pytest.fixture(autouse=True)
def fresh_state():
    """Transactional tests flush the tables (the roles of the data migration too); plans are cached by id."""
    plan._plans.clear()
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    yield
    plan._plans.clear()


@pytest.fixture
def at_ten():
    """The whole test (the live server's thread too: the clock is the process's) on 2026-04-10 10:00."""
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 4, 10, 10, 0))):
        yield


@pytest.fixture
def cases(w, at_ten):
    done = accept_case(w, dt.date(2026, 3, 2), name="甲")
    finish_case(w, done, dt.date(2026, 3, 5))
    accept_case(w, dt.date(2026, 3, 16), name="乙")  # overdue: red cards
    accept_case(w, TODAY, name="丙")
    town_officer = f.staff("1011", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="镇窗口")
    with clock.frozen(dt.date(2026, 4, 1)):  # taken in by 东关村's agent, handled by 城关镇
        d = cs.case_submit(item=w.item, applicant=applicant(name="丁"), channel="agent", agent=w.agent,
                           files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        cs.case_accept(case=d, officer=town_officer)
    with clock.frozen(TODAY):
        sweep_run(today=TODAY)
        stats_refresh(today=TODAY)
    return w


def log_in(page, username: str, next_url: str) -> None:
    page.goto(f"/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("pass-123456")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")


def test_the_wall_screen_fits_draws_refreshes_and_switches(page, cases):
    w = cases
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, "u1007", "/supervision/screen/")
    page.reload()  # the login page asks for /favicon.ico (404); count only the screen's own errors
    errors.clear()
    expect(page.get_by_role("heading", name="示范县政务服务统计大屏")).to_be_visible()
    page.wait_for_function("() => window.zwScreen && document.querySelectorAll('[data-chart] canvas').length >= 6")
    assert page.evaluate(DRAWN, list(CHARTS)) == []
    assert page.evaluate(FITS) == []
    regions = page.evaluate("zwScreen.charts['scr-map'].getOption().series[0].data.map((d) => [d.name, d.value])")
    assert regions == [["示范县本级", 3], ["城关镇", 1]]  # the region chart: a block per region with cases this year
    expect(page.get_by_test_id("screen-clock")).to_contain_text("2026年04月10日 星期五 10:0")
    today = page.locator("[data-k=accepted_today]")
    expect(today).to_have_text("1")
    expect(page.locator("[data-k=red_cards]")).not_to_have_text("0")
    page.wait_for_timeout(900)  # let the charts' first animation end before the picture
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "supervision-screen-1920.png"))

    # new cases: the minute's refresh (called as the timer does) updates the figures and charts in place
    page.evaluate("window.__same_page = true")
    accept_case(w, TODAY, name="戊")
    accept_case(w, TODAY, name="己")
    with clock.frozen(TODAY):
        stats_refresh(today=TODAY)
    trend_before = page.evaluate("zwScreen.charts['scr-trend'].getOption().series[0].data.slice(-1)[0]")
    body = page.evaluate("zwScreen.refresh()")
    assert body["kpis"]["accepted_today"] == 3 and body["region"]["name"] == "示范县"
    expect(today).to_have_text("3")
    assert page.evaluate("zwScreen.charts['scr-trend'].getOption().series[0].data.slice(-1)[0]") == trend_before + 2
    endpoint = page.request.get("/supervision/screen/data/?region=130621100000")
    assert endpoint.ok and endpoint.headers["content-type"] == "application/json"
    assert endpoint.json()["region"]["name"] == "城关镇"

    # the switch: down to the town, then the village, then back up, all without a reload
    page.get_by_test_id("screen-children").select_option(label="城关镇")
    expect(page.get_by_role("heading", name="城关镇政务服务统计大屏")).to_be_visible()
    assert page.url.endswith("?region=130621100000")
    expect(page.locator("[data-k=accepted_year]")).to_have_text("1")
    page.get_by_test_id("screen-children").select_option(label="东关村")
    expect(page.get_by_role("heading", name="东关村政务服务统计大屏")).to_be_visible()
    expect(page.get_by_test_id("screen-children")).to_be_hidden()
    expect(page.get_by_test_id("screen-levels")).to_contain_text("示范县›城关镇›东关村")
    assert page.evaluate(FITS) == []
    page.get_by_test_id("screen-levels").get_by_role("link", name="示范县").click()
    expect(page.get_by_role("heading", name="示范县政务服务统计大屏")).to_be_visible()
    assert page.evaluate("window.__same_page") is True
    assert page.evaluate(DRAWN, list(CHARTS)) == []

    # long figures shrink to their boxes rather than being cut off
    page.evaluate("""() => { const d = zwScreen.data(); d.kpis.on_time_rate_month = 100.0;
      d.kpis.satisfaction_year = 100.0; d.kpis.accepted_year = 1234567; d.hall.avg_wait_minutes = 128.5;
      zwScreen.show(d); }""")
    expect(page.locator("[data-k=accepted_year]")).to_have_text("1234567")
    assert page.evaluate(FITS) == []
    page.evaluate("zwScreen.refresh()")

    # the same page on a 4K wall: still no scrolling, the type twice as large
    small = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    page.set_viewport_size({"width": 3840, "height": 2160})
    page.wait_for_function("() => document.querySelector('#scr-trend canvas').getBoundingClientRect().width > 1000")
    page.wait_for_timeout(400)
    big = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert big == pytest.approx(2 * small, rel=0.05)
    assert page.evaluate(FITS) == []
    assert page.evaluate(DRAWN, list(CHARTS)) == []
    page.wait_for_timeout(600)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "supervision-screen-3840.png"))
    assert errors == []
