"""涉企活动申报 in Chromium, the issue's flow: a department's clerk declares an inspection and submits it; the
优化营商环境办 approves it from the queue (a 备案码); the enterprise checks the code on a phone and sees that it is
on the list (and no other enterprise), rates the visit; it reports an undeclared visit by another department;
the 效能监察员 sees the report and finds it 属实, and the statistics count it.

The live server runs in this process, so ``clock.frozen`` moves its time too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.core.testing import browser_login as login
from zhengwu.declarations.models import Declaration, DeclarationStatus, Rating, Report, ReportStatus

from .factories import DAY, ENTERPRISES, at, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declare_approve_check_report_and_supervise(browser, live_server):
    with clock.frozen(at(DAY, 9)):
        build_world()
        clerk = login(browser, live_server, "u5001", "/declarations/work/")
        f = clerk.get_by_test_id("create-form")
        f.locator("select[name=activity_type]").select_option("inspection")
        f.locator("input[name=title]").fill("食品生产企业监督检查")
        f.locator("input[name=legal_basis]").fill("《中华人民共和国食品安全法》第一百一十条")
        f.locator("input[name=start_date]").fill("2026-03-04")
        f.locator("input[name=end_date]").fill("2026-03-06")
        f.locator("textarea[name=targets]").fill("\n".join(f"{u} {n}" for u, n in ENTERPRISES[:3]))
        f.locator("textarea[name=inspectors]").fill("王执法 13062100101\n李执法 13062100102")
        clerk.get_by_test_id("do-create").click()
        expect(clerk.get_by_test_id("status")).to_have_text("草稿")
        clerk.get_by_test_id("do-submit").click()
        expect(clerk.get_by_test_id("status")).to_have_text("待审批")
        d = Declaration.objects.get()

        office = login(browser, live_server, "u5004", "/declarations/queue/")
        expect(office.get_by_test_id("queue")).to_contain_text("食品生产企业监督检查")
        office.get_by_test_id(f"approve-{d.pk}").click()
        expect(office.locator(".messages")).to_contain_text("备案码")
        d.refresh_from_db()
        assert d.status == DeclarationStatus.APPROVED and d.code

    # the enterprise, on a phone, checks the code the inspectors showed, with its own credit code
    with clock.frozen(at(DAY.replace(day=4), 11)):
        phone = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                    viewport={"width": 390, "height": 844}).new_page()
        phone.goto("/declarations/check")
        phone.locator("input[name=code]").fill(d.code.lower())
        phone.locator("input[name=uscc]").fill(ENTERPRISES[0][0])
        phone.get_by_role("button", name="核验").click()
        expect(phone.get_by_test_id("verdict")).to_contain_text("已备案")
        expect(phone.get_by_test_id("department")).to_have_text("示范县市场监督管理局")
        expect(phone.get_by_test_id("inspectors")).to_contain_text("王执法")
        expect(phone.get_by_test_id("on-list")).to_have_text("贵企业在本次活动的企业名单内")
        body = phone.content()
        assert ENTERPRISES[1][1] not in body and ENTERPRISES[2][0] not in body
        phone.get_by_label("满意", exact=True).check()
        phone.locator("textarea[name=comment]").fill("提前告知，检查规范")
        phone.get_by_role("button", name="提交评价").click()
        expect(phone.get_by_test_id("rated")).to_be_visible()
        assert Rating.objects.get().level == "satisfied"

        # another department came without any code: the enterprise reports it
        phone.goto("/declarations/report")
        r = phone.get_by_test_id("report-form")
        r.locator("select[name=department_id]").select_option(label="示范县应急管理局")
        r.locator("input[name=visit_date]").fill("2026-03-03")
        r.locator("textarea[name=description]").fill("两人自称应急局检查，未出示证件和备案码")
        r.locator("input[name=enterprise_name]").fill(ENTERPRISES[0][1])
        r.locator("input[name=uscc]").fill(ENTERPRISES[0][0])
        r.locator("input[name=contact_name]").fill("刘经理")
        r.locator("input[name=contact_phone]").fill("13900000001")
        phone.get_by_role("button", name="提交举报").click()
        expect(phone.get_by_test_id("filed")).to_contain_text("举报已受理")
        report = Report.objects.get()

        sup = login(browser, live_server, "u5005", "/declarations/supervise/")
        card = sup.get_by_test_id(f"report-{report.no}")
        expect(card).to_contain_text("示范县应急管理局")
        expect(card).to_contain_text("未出示证件和备案码")
        card.locator("input[name=finding]").fill("经核实，县应急管理局当日未申报即入企检查")
        sup.get_by_test_id(f"uphold-{report.no}").click()
        expect(sup.locator(".messages")).to_contain_text("属实")
        expect(sup.get_by_test_id("stats")).to_contain_text("示范县应急管理局")
    report.refresh_from_db()
    assert report.status == ReportStatus.UPHELD
