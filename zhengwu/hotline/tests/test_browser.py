"""One call from the 坐席 to the 回访, done in Chromium by the people who do it.

The call-taker finds the knowledge-base article by its pinyin initials, takes the call and dispatches
it; the department's officer signs for it and replies; the department head signs the reply off; the
call-taker calls back (满意); the rating shows in the department head's 满意率.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhengwu.hotline import services
from zhengwu.hotline.models import Order, Status
from zhengwu.org.models import Role

from .factories import PHONE, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def roles():
    """A transactional test flushes the tables after itself, the roles of the data migration too."""
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})


def new_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 1360, "height": 900}
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return pg


def log_in(pg, username: str, next_url: str) -> None:
    pg.goto(f"/login/?next={next_url}")
    pg.locator("input[name=username]").fill(username)
    pg.locator("input[name=password]").fill("pass-123456")
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url(f"**{next_url}")


def act(pg, action: str, button: str) -> None:
    pg.locator(f'form[data-action="{action}"]').get_by_role("button", name=button).click()
    pg.wait_for_load_state()


def test_a_call_from_intake_to_callback(browser, live_server):
    w = build_world()
    services.article_save(
        title="路灯不亮怎么报修", body="请说明路灯杆号，城管部门3个工作日内修复。", category=w.roads
    )

    # The call-taker looks the answer up (pinyin initials), then takes the call and dispatches it.
    taker = new_page(browser, live_server)
    log_in(taker, w.taker.user.username, "/hotline/intake/")
    taker.get_by_test_id("kb-q").fill("ldbl")
    taker.get_by_role("button", name="检索").click()
    expect(taker.get_by_test_id("kb-articles")).to_contain_text("路灯不亮怎么报修")
    taker.get_by_text("路灯不亮怎么报修").click()
    expect(taker.get_by_text("城管部门3个工作日内修复")).to_be_visible()
    form = taker.get_by_test_id("intake-form")
    form.locator("input[name=caller_phone]").fill(PHONE)
    form.locator("input[name=caller_name]").fill("张大明")
    form.locator("select[name=kind]").select_option("complaint")
    form.locator("select[name=category]").select_option("CJ-01")
    form.locator("select[name=region]").select_option(w.village.code)
    form.locator("input[name=address]").fill("东关村村口")
    form.locator("textarea[name=text]").fill("村口路灯坏了一周，晚上很黑")
    form.get_by_role("button", name="受理并派单").click()
    expect(taker.get_by_test_id("status")).to_have_text("待签收")
    order = Order.objects.get()
    assert (order.main_department, order.caller_phone) == (w.dept, PHONE)

    # The department's officer finds it on the workbench, signs for it and replies.
    unit = new_page(browser, live_server)
    log_in(unit, w.officer.user.username, "/hotline/orders/")
    unit.get_by_role("link", name=order.no).click()
    expect(unit.get_by_test_id("caller")).to_contain_text("张大明")
    act(unit, "sign", "签收")
    expect(unit.get_by_test_id("status")).to_have_text("办理中")
    reply = unit.locator('form[data-action="reply"]')
    reply.locator("textarea[name=text]").fill("已更换村口路灯灯泡，恢复照明")
    act(unit, "reply", "办结反馈")
    expect(unit.get_by_test_id("status")).to_have_text("待审核")

    # The head signs the reply off.
    head = new_page(browser, live_server)
    log_in(head, w.head.user.username, f"/hotline/orders/{order.no}/")
    act(head, "approve", "审核通过")
    expect(head.get_by_test_id("status")).to_have_text("待回访")

    # The centre calls back: satisfied.
    taker.goto("/hotline/orders/?queue=callback")
    taker.get_by_role("link", name=order.no).click()
    taker.locator('form[data-action="callback"] select[name=result]').select_option("satisfied")
    act(taker, "callback", "回访")
    expect(taker.get_by_test_id("status")).to_have_text("已办结")
    assert Order.objects.get().status == Status.CLOSED

    # The rating is in the department's 满意率 (the head's metrics page) and on the 曝光台.
    head.goto("/ratings/metrics/?by=department")
    expect(head.get_by_test_id("metrics-total")).to_contain_text("满意率（1/1）")
    expect(head.get_by_test_id("metrics-table")).to_contain_text(w.dept.name)
    head.goto("/hotline/public/")
    expect(head.get_by_test_id("public-orders")).to_contain_text("已更换村口路灯灯泡")
