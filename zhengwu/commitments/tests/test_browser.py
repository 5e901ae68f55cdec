"""A department publishes its commitments in a browser: the chief rep writes and submits, the head signs, the
public and the hall screen see it; the supervisor files a complaint and finds it 属实, and the public page
counts it."""

from __future__ import annotations

import pytest

from zhengwu.core.testing import browser_login as login

from .factories import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_sign_publish_and_a_complaint_upheld(browser, live_server):
    w = world()
    pg = login(browser, live_server, w.chief.user.username, "/commitments/work/")
    pg.get_by_role("button", name="起草").click()
    pg.locator("textarea[name=standards]").fill("按办事指南受理，材料之外不要求申请人提供")
    pg.locator("input[name=clause_text]").nth(0).fill("首位接待人员负责到底")
    pg.locator("select[name=clause_kind]").nth(1).select_option("one_notice")
    pg.locator("input[name=clause_text]").nth(1).fill("一次性告知全部补正材料")
    pg.get_by_role("button", name="保存草稿").click()
    pg.get_by_text("草稿已保存").wait_for()
    pg.get_by_test_id("submit").click()
    assert pg.get_by_test_id("version-status").inner_text() == "待负责人签发"
    url = pg.url
    pg.context.close()

    pg = login(browser, live_server, w.head.user.username, "/commitments/work/")
    pg.goto(url)
    pg.get_by_test_id("sign").click()
    assert pg.get_by_test_id("version-status").inner_text() == "现行"
    pg.context.close()

    pg = browser.new_page(base_url=live_server.url)
    pg.goto("/commitments/")
    pg.get_by_role("link", name="示范县市场监督管理局").click()
    assert "一次性告知全部补正材料" in pg.get_by_test_id("clauses").inner_text()
    assert "食品经营许可证核发" in pg.get_by_test_id("item-limits").inner_text()
    public = pg.url
    pg.goto(f"/commitments/screen/{w.hall.code}/")
    assert "首位接待人员负责到底" in pg.get_by_test_id("screen-commitment").inner_text()

    sv = login(browser, live_server, w.supervisor.user.username, "/commitments/work/breaches/")
    sv.locator("select[name=commitment]").select_option(label="示范县市场监督管理局")
    sv.locator("select[name=clause_kind]").select_option("one_notice")
    sv.locator("select[name=source]").select_option("letter")
    sv.locator("textarea[name=summary]").fill("群众来信反映两次补交材料")
    sv.get_by_role("button", name="登记").click()
    sv.locator("input[value=upheld]").check()
    sv.locator("textarea[name=finding]").fill("调取受理记录，属实")
    sv.get_by_role("button", name="提交核实结果").click()
    assert sv.get_by_test_id("breach-status").inner_text().startswith("属实")
    sv.context.close()

    pg.goto(public)
    assert "其中属实 1 件" in pg.get_by_test_id("breach-count").inner_text()
    assert "群众来信" not in pg.content()
    pg.close()
