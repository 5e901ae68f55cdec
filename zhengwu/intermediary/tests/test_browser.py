"""An intermediary purchase in Chromium, the issue's flow: an enterprise opens the 办事指南 of the approval it
needs, finds the intermediary service it must bring (环评报告表编制, a 受理条件) and follows the link to the
marketplace; it fills in and publishes a purchase (随机选取); three agencies sign up from their workbench; at
the announced time the draw runs and the public notice shows the seed, the candidates and 如何验证; the selected
agency confirms, the owner registers the contract, the agency uploads the result and the owner rates it.

The live server runs in this process, so ``clock.frozen`` moves its time too."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.core.testing import browser_login as login
from zhengwu.core.testing import pdf_bytes
from zhengwu.intermediary.models import Purchase, PurchaseStatus, Rating, Signup

from .factories import DAY, at, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(pg, action: str) -> None:
    pg.get_by_test_id(f"do-{action}").click()
    pg.wait_for_load_state()


def test_an_enterprise_finds_buys_and_rates_an_intermediary_service(browser, live_server):
    w = build_world()
    guide = f"/items/{w.env_item.impl_code}/"

    # the enterprise reads the 办事指南 and follows the required service to the marketplace
    with clock.frozen(at(DAY, 9)):
        owner = login(browser, live_server, "owner", guide)
        services = owner.get_by_test_id("intermediary-services")
        expect(services).to_contain_text("编制建设项目环境影响报告表")
        expect(services).to_contain_text("受理条件")
        services.get_by_role("link", name="到中介超市选取机构").click()
        owner.wait_for_url(f"**/intermediary/services/{w.eia.code}/**")
        expect(owner.get_by_test_id("service-agencies")).to_contain_text(w.agencies[0].name)
        owner.get_by_test_id("to-purchase").click()
        owner.wait_for_url("**/intermediary/owner/**")
        form = owner.get_by_test_id("create-form")
        expect(form.locator("select[name=item]")).to_have_value(str(w.env_item.pk))
        form.locator("input[name=title]").fill("宏达食品扩建项目环评")
        form.locator("textarea[name=content]").fill("编制环境影响报告表，配合取得批复")
        form.locator("input[name=price_min]").fill("10000")
        form.locator("input[name=price_max]").fill("30000")
        form.locator("input[name=signup_deadline]").fill("2026-03-09T17:00")
        form.locator("input[name=select_at]").fill("2026-03-10T09:00")
        act(owner, "create")
        expect(owner.locator(".messages")).to_contain_text("采购需求已登记")
        expect(owner.get_by_test_id("status")).to_have_text("待发布")
        act(owner, "publish")
        expect(owner.get_by_test_id("status")).to_have_text("报名中")
        work_url = owner.url
    p = Purchase.objects.get(title="宏达食品扩建项目环评")
    assert (p.status, p.item_id, p.mode) == (PurchaseStatus.SIGNUP, w.env_item.pk, "random")

    # before the selection the public notice shows the commitment, not who signed up
    public = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    public.goto(f"/intermediary/purchases/{p.code}/")
    expect(public.get_by_test_id("seed-hash")).to_have_text(p.seed_hash)
    expect(public.get_by_test_id("not-revealed")).to_be_visible()

    # three agencies sign up from their workbench
    agencies = {}
    with clock.frozen(at(DAY + dt.timedelta(days=2), 10)):
        for n in (1, 2, 3):
            pg = login(browser, live_server, f"agency{n}", "/intermediary/agency/")
            pg.get_by_test_id(f"signup-{p.code}").get_by_test_id("do-signup").click()
            pg.wait_for_load_state()
            expect(pg.locator(".messages")).to_contain_text("已报名")
            expect(pg.get_by_test_id("my-signups")).to_contain_text(p.code)
            agencies[n] = pg
    assert Signup.objects.filter(purchase=p).count() == 3
    public.reload()
    expect(public.get_by_test_id("candidates")).to_have_count(0)

    # at the announced time the owner runs the draw; the notice shows the whole record and how to verify it
    with clock.frozen(at(DAY + dt.timedelta(days=8), 9, 5)):
        owner.goto(work_url)
        act(owner, "select")
        expect(owner.get_by_test_id("status")).to_have_text("待机构确认")
    p.refresh_from_db()
    winner = p.selected.agency
    public.reload()
    expect(public.get_by_test_id("winner")).to_contain_text(winner.name)
    expect(public.get_by_test_id("seed")).to_have_text(p.seed)
    expect(public.get_by_test_id("candidates").locator("tbody tr")).to_have_count(3)
    expect(public.get_by_test_id("how-to-verify")).to_contain_text("如何验证")
    expect(public.get_by_test_id("snippet")).to_contain_text(p.seed)
    expect(public.get_by_test_id("recomputed")).to_contain_text("与公布结果一致")

    # the selected agency confirms; the owner registers the contract
    agency = agencies[w.agencies.index(winner) + 1]
    with clock.frozen(at(DAY + dt.timedelta(days=8), 10)):
        agency.goto(work_url)
        act(agency, "confirm")
        expect(agency.get_by_test_id("status")).to_have_text("待登记合同")
    with clock.frozen(at(DAY + dt.timedelta(days=9), 10)):
        owner.goto(work_url)
        form = owner.locator('form[data-action="register_contract"]')
        form.locator("input[name=amount]").fill("24000")
        form.locator("input[name=signed_on]").fill("2026-03-11")
        form.locator("input[name=service_start]").fill("2026-03-11")
        act(owner, "register_contract")
        expect(owner.get_by_test_id("status")).to_have_text("服务中")
        expect(owner.get_by_test_id("contract")).to_contain_text("24000")

    # the agency uploads the result; the owner rates it
    with clock.frozen(at(DAY + dt.timedelta(days=16), 10)):
        agency.goto(work_url)
        form = agency.locator('form[data-action="deliver"]')
        form.locator("input[name=result_file]").set_input_files(
            {"name": "环境影响报告表.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()})
        form.locator("input[name=note]").fill("报告表终稿")
        act(agency, "deliver")
        expect(agency.get_by_test_id("status")).to_have_text("待评价")
    with clock.frozen(at(DAY + dt.timedelta(days=17), 10)):
        owner.goto(work_url)
        form = owner.locator('form[data-action="rate"]')
        form.locator("select[name=price]").select_option("4")
        form.locator("input[name=comment]").fill("按时交付，质量好")
        act(owner, "rate")
        expect(owner.get_by_test_id("status")).to_have_text("已完成")
        expect(owner.get_by_test_id("rating")).to_contain_text("折合 95 分")
    public.reload()
    expect(public.get_by_test_id("public-rating")).to_contain_text("95")
    rating = Rating.objects.get(purchase=p)
    assert (rating.agency, rating.quality, rating.price, rating.late) == (winner, 5, 4, False)
    assert Purchase.objects.get(pk=p.pk).status == PurchaseStatus.COMPLETED
