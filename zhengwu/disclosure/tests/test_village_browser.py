"""村务公开 in Chromium: the 文书 enters the third quarter's 财务收支表 (first with a closing balance that does
not add up, refused), the 村务监督委员会 approves, the 书记 signs, the 文书 publishes; the printed 公开栏
shows it; the town's 效能监察员 sees 东关村 published and 西关村 overdue."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.core.testing import browser_log_in as log_in
from zhengwu.disclosure.models import Publication, VillageCategory
from zhengwu.org.models import Role

from .village_factories import village_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")


@pytest.fixture(autouse=True)
def roles():
    """A transactional test flushes the tables after itself, the roles of the data migration too."""
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})


OPENED: list = []


def new_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1360, "height": 900})
    OPENED.append(context)
    return context.new_page()


@pytest.fixture(autouse=True)
def close_contexts():
    """Each person's browser closed at the end, so no keep-alive request outlives the test's database."""
    yield
    while OPENED:
        OPENED.pop().close()


def act(pg, action: str, button: str) -> None:
    pg.locator(f'form[data-action="{action}"]').get_by_role("button", name=button).click()
    pg.wait_for_load_state()


def test_clerk_publishes_a_quarterly_finance_table_and_the_town_sees_it(page, browser, live_server):
    w = village_world()
    VillageCategory.objects.exclude(code__in=["finance", "relief"]).update(is_active=False)
    with clock.frozen(dt.date(2026, 10, 12)):
        # The 文书 opens the workbench and the form for 2026Q3.
        log_in(page, "u3001", "/gk/work/village/DGC/")
        page.locator('a[data-new="finance-2026Q3"]').click()
        expect(page.get_by_role("heading", name="东关村村民委员会 · 填报财务收支")).to_be_visible()
        page.locator("input[name=opening_balance]").fill("12000")
        page.get_by_label("收入项目1").fill("上级转移支付")
        page.get_by_label("收入金额1").fill("50000")
        page.get_by_label("收入项目2").fill("集体土地承包费")
        page.get_by_label("收入金额2").fill("8000")
        page.get_by_label("支出项目1").fill("村干部报酬")
        page.get_by_label("支出金额1").fill("30000")
        page.get_by_label("支出项目2").fill("道路维修")
        page.get_by_label("支出金额2").fill("15500.50")
        page.locator("input[name=income_total]").fill("58000")
        page.locator("input[name=expense_total]").fill("45500.50")
        page.locator("input[name=closing_balance]").fill("24500")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("#form-error")).to_contain_text("＝24,499.50元，与填报的期末余额24,500.00元不符")
        assert not Publication.objects.exists()
        # the form keeps what was typed: only the balance is corrected
        expect(page.get_by_label("支出金额2")).to_have_value("15500.50")
        page.locator("input[name=closing_balance]").fill("24499.50")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("#pub-status")).to_have_text("草稿")
        detail = page.url
        act(page, "submit", "提交村务监督委员会审核")
        expect(page.locator("#pub-status")).to_have_text("待分管领导审核")

        # The 村务监督委员会 approves, the 书记 signs.
        monitor = new_page(browser, live_server)
        log_in(monitor, "u3002", detail.replace(live_server.url, ""))
        act(monitor, "approve", "审核通过")
        expect(monitor.locator("#pub-status")).to_have_text("待领导小组签发")
        secretary = new_page(browser, live_server)
        log_in(secretary, "u3003", detail.replace(live_server.url, ""))
        act(secretary, "sign", "签发")
        expect(secretary.locator("#pub-status")).to_have_text("已签发待公开")

        # The 文书 publishes (two days late: due 10-10).
        page.reload()
        act(page, "publish", "公开")
        expect(page.locator("#pub-status")).to_have_text("已公开")

        # The notice board, as printed.
        board = new_page(browser, live_server)
        board.goto("/gk/DGC/village/board/2026Q3/")
        expect(board.get_by_role("heading", name="东关村村民委员会村务公开栏")).to_be_visible()
        expect(board.locator('[data-total="closing"]')).to_have_text("24,499.50")
        board.emulate_media(media="print")
        expect(board.locator(".site-header")).to_be_hidden()
        expect(board.locator(".board-tools")).to_be_hidden()
        size = board.locator(".board .vtable td").first.evaluate("e => getComputedStyle(e).fontSize")
        assert float(size.removesuffix("px")) >= 21.3  # 16pt
        board.screenshot(path=os.path.join(SCREENSHOT_DIR, "village-board-print.png"), full_page=True)

        # The town's 效能监察员 sees both villages.
        sup = new_page(browser, live_server)
        log_in(sup, "u3009", f"/gk/work/village/town/{w.town_region.code}/")
        east = sup.locator('#v-DGC td[data-cat="finance"]')
        expect(east).to_contain_text("已公开（逾期）")
        expect(sup.locator('#v-XGC td[data-cat="finance"]')).to_contain_text("已逾期")
        sup.screenshot(path=os.path.join(SCREENSHOT_DIR, "village-town.png"), full_page=True)
