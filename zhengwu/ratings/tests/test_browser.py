"""In Chromium: a citizen's 差评 becomes a rectification the department head works through and can
close only with a call-back result; and the window pad as a tablet shows it."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from zhengwu.core import clock
from zhengwu.ratings.models import Rating, Rectification, RectificationStatus

from .factories import finish_at_window, finish_online, rating_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")
DAY = dt.date(2026, 9, 28)


@pytest.fixture
def frozen_day():
    """The live server's thread reads the same clock, so the whole test happens on 2026-09-28."""
    with clock.frozen(dt.datetime(2026, 9, 28, 15, 0)):
        yield DAY


def login(page, username: str):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-123456")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_bad_rating_in_the_browser_is_rectified_and_closed_only_after_call_back(page, frozen_day):
    w = rating_world()
    case = finish_online(w, frozen_day)

    # The citizen rates the finished case 不满意 on the web.
    login(page, "citizen")
    page.goto("/ratings/my/")
    page.get_by_test_id("to-rate").get_by_role("link", name="去评价").click()
    page.locator("label[for=overall-2]").click()
    page.locator("label[for=convenience-1]").click()
    page.get_by_label("意见建议（选填）").fill("材料要求前后说法不一，跑了两趟")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_test_id("rating-thanks").wait_for()
    assert "您的评价：不满意" in page.get_by_test_id("rating-thanks").inner_text()
    rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.kind, rating.overall, rating.convenience) == ("web", "online", 2, 1)
    rect = Rectification.objects.get(rating=rating)
    logout(page)

    # The department head finds it on the rectification desk.
    login(page, "u1004")
    page.goto("/ratings/rectifications/")
    row = page.get_by_test_id("rectification-list").get_by_role("row").filter(has_text=f"整改 #{rect.pk}")
    assert "待核实" in row.inner_text() and "2026-10-23" in row.inner_text()
    row.get_by_role("link", name=f"整改 #{rect.pk}").click()
    assert "材料要求前后说法不一" in page.content()

    actions = page.get_by_test_id("rect-actions")
    actions.get_by_label("核实结论").select_option("true")
    actions.get_by_label("核实情况").fill("经核实，窗口一次性告知不到位")
    actions.get_by_role("button", name="登记核实").click()
    page.get_by_text("已登记核实情况").wait_for()
    assert page.get_by_test_id("rect-status").inner_text() == "整改中"

    actions.get_by_label("整改措施").fill("统一材料清单口径，开展一次性告知培训")
    actions.get_by_role("button", name="登记整改措施").click()
    page.get_by_text("已登记整改措施").wait_for()
    assert page.get_by_test_id("rect-status").inner_text() == "待回访"

    # Closing before the call-back is refused, in Chinese, and nothing changes.
    actions.get_by_role("button", name="办结", exact=True).click()
    refusal = page.get_by_text("尚未回访评价人，请先登记回访结果后再办结")
    refusal.wait_for()
    assert refusal.is_visible()
    assert page.get_by_test_id("rect-status").inner_text() == "待回访"
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_rectification_refused.png", full_page=True)
    rect.refresh_from_db()
    assert (rect.status, rect.callback_result) == (RectificationStatus.CALLBACK, "")

    actions.get_by_label("满意", exact=True).check()
    actions.get_by_label("回访情况").fill("申请人对整改表示满意")
    actions.get_by_role("button", name="登记回访结果").click()
    page.get_by_text("已登记回访结果").wait_for()
    assert page.get_by_test_id("callback-result").inner_text() == "满意：申请人对整改表示满意"
    actions.get_by_role("button", name="办结", exact=True).click()
    page.get_by_text("整改已办结").wait_for()
    assert page.get_by_test_id("rect-status").inner_text() == "已办结"
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_rectification_closed.png", full_page=True)
    rect.refresh_from_db()
    assert (rect.status, rect.callback_result, rect.closed_on) == (RectificationStatus.CLOSED, "satisfied", DAY)

    # The metrics page draws its chart from the vendored ECharts; the public page shows the result.
    page.goto("/ratings/metrics/?by=officer&start=2026-09-01&end=2026-09-30")
    page.locator("#ratings-chart[data-rendered='1'] canvas").wait_for()
    assert page.get_by_test_id("metrics-total").inner_text().split()[:2] == ["0%", "满意率（0/1）"]
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_ratings_metrics.png", full_page=True)
    page.goto("/ratings/public/?start=2026-09-01&end=2026-09-30")
    results = page.get_by_test_id("public-rectifications").inner_text()
    assert "统一材料清单口径" in results and "满意" in results and "张三" not in page.content()


def test_window_pad_on_a_tablet(browser, live_server, frozen_day):
    w = rating_world()
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1024, "height": 768},
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, "u1001")
        page.goto("/ratings/pad/SFXZW/5/")
        page.get_by_test_id("pad-idle").wait_for()
        page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_pad_idle.png")
        case = finish_at_window(w, frozen_day)
        page.reload()
        officer = page.get_by_test_id("pad-officer").inner_text()
        assert "李窗口" in officer and "工号 1001" in officer
        assert case.case_no in page.get_by_test_id("pad-form").inner_text()
        page.locator("label[for=overall-5]").tap()
        page.locator("label[for=attitude-5]").tap()
        page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_pad.png")
        # the five big buttons fit the tablet side by side and are large enough to tap
        boxes = [page.locator(f"label[for=overall-{v}]").bounding_box() for v in (5, 4, 3, 2, 1)]
        assert all(b["height"] >= 100 and b["width"] >= 100 for b in boxes)
        assert len({round(b["y"]) for b in boxes}) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        page.get_by_role("button", name="提交评价").tap()
        page.get_by_text("感谢您的评价！").wait_for()
        rating = Rating.objects.get()
        assert (rating.overall, rating.attitude, rating.officer_id, rating.channel) == (5, 5, w.officer.pk, "pad")
    finally:
        context.close()
