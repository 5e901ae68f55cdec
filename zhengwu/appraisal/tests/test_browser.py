"""A 重点科室评议 campaign end to end in Chromium: the 效能监察员 creates it, adds four sections, a question and
four raters and sends the invitations; each rater answers through their link on a phone-sized screen (one
says 不了解 of a section; a second submit on a used link is refused); the supervisor closes it, sees the
ranking and publishes the bottom three; the head of a bottom section's department files the rectification
report; the supervisor accepts it and the follow-up shows on the public results page.

The live server runs in this process, so ``clock.frozen`` moves its time too and the console notifier's
outbox holds the links."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from zhengwu.appraisal.models import Campaign, Rectification
from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.core.testing import browser_login as login

from . import factories as fx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing, Monday 2 March 2026


def test_a_campaign_from_invitations_to_a_public_follow_up(browser, live_server):
    with clock.frozen(NOW):
        w = fx.world()
        sup = login(browser, live_server, "uS1", "/appraisal/workbench/")
        form = sup.get_by_test_id("create-form")
        form.locator("input[name=title]").fill("2026年度县直部门重点科室评议")
        form.locator("input[name=starts_on]").fill("2026-03-02")
        form.locator("input[name=ends_on]").fill("2026-03-31")
        form.locator("input[name=min_answers]").fill("2")
        sup.get_by_test_id("do-create").click()
        expect(sup.get_by_test_id("status")).to_have_text("草稿")
        for d, (_, _, name) in zip(w.depts[:4], fx.DEPTS, strict=False):
            f = sup.get_by_test_id("section-form")
            f.locator("select[name=department]").select_option(str(d.pk))
            f.locator("input[name=name]").fill(name)
            sup.get_by_test_id("do-add-section").click()
            expect(sup.get_by_test_id("sections")).to_contain_text(name)
        q = sup.get_by_test_id("question-form")
        q.locator("input[name=text]").fill("服务态度和办事效率")
        sup.get_by_test_id("do-add-question").click()
        expect(sup.get_by_test_id("questions")).to_contain_text("服务态度和办事效率")
        for i, kind in enumerate(["enterprise", "citizen", "deputy", "member"]):
            f = sup.get_by_test_id("invite-form")
            f.locator("select[name=rater_kind]").select_option(kind)
            f.locator("input[name=name]").fill(f"评议人{i}")
            f.locator("input[name=phone]").fill(f"1391234000{i}")
            sup.get_by_test_id("do-add-invite").click()
            expect(sup.get_by_test_id("invitations")).to_contain_text(f"评议人{i}")
        ConsoleNotifier.sent.clear()
        sup.get_by_test_id("do-open").click()
        expect(sup.get_by_test_id("status")).to_have_text("评议中")
        links = [m.text.split("：", 1)[1].split(" ")[0] for m in ConsoleNotifier.sent if m.kind == "appraisal_invite"]
        assert len(links) == 4
        paths = ["/appraisal/r/" + link.split("/appraisal/r/")[1] for link in links]

        c = Campaign.objects.get()
        sections = list(c.sections.order_by("sort"))
        q_id = c.questions.get().pk
        # satisfaction per rater for sections 0..3 (None: 不了解)
        plans = [(3, 3, 2, 1), (3, 2, 1, 1), (3, 3, 2, None), (2, 2, 1, 2)]
        phone = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 390, "height": 844},
                                    is_mobile=True, has_touch=True)
        for path, plan in zip(paths, plans, strict=True):
            pg = phone.new_page()
            pg.goto(path)
            expect(pg.get_by_test_id("rate-form")).to_contain_text("不动产登记科")
            for s, v in zip(sections, plan, strict=True):
                if v is None:
                    pg.locator(f"input[name=s{s.pk}_unknown]").check()
                else:
                    pg.locator(f"input[name=s{s.pk}_q{q_id}][value='{v}']").check()
            pg.locator(f"textarea[name=s{sections[3].pk}_comment]").fill("材料要求前后不一致")
            pg.get_by_test_id("do-submit").click()
            expect(pg.get_by_test_id("thanks")).to_contain_text("感谢您的评议")
            pg.goto(path)  # the link is spent
            expect(pg.get_by_test_id("message")).to_contain_text("该评议链接已经使用过")
            pg.close()

        sup.reload()
        expect(sup.locator("h2", has_text="评议人")).to_contain_text("已提交 4")
        sup.once("dialog", lambda d: d.accept())
        sup.get_by_test_id("do-close").click()
        expect(sup.get_by_test_id("status")).to_have_text("已结束")
        ranking = sup.get_by_test_id("ranking")
        expect(ranking.locator("tr").nth(1)).to_contain_text("登记注册科")
        expect(ranking).to_contain_text("末位")
        sup.get_by_test_id("do-publish").click()
        expect(sup.get_by_test_id("status")).to_have_text("已公布")
    bottom = {r.section.sort: r for r in Rectification.objects.select_related("section")}
    assert sorted(bottom) == [2, 3, 4]

    with clock.frozen(NOW + dt.timedelta(days=7)):
        # the head of 建筑市场监管科 (third section, in the bottom) files the report
        head = login(browser, live_server, "uH2", "/appraisal/department/")
        box = head.get_by_test_id(f"section-{sections[2].pk}")
        expect(box).to_contain_text("列入末位")
        expect(box.get_by_test_id("comments")).to_contain_text("无")
        f = box.get_by_test_id("file-form")
        f.locator("textarea[name=report]").fill("开展作风整顿，推行“一次告知、一次办结”，每周回访办事企业。")
        box.get_by_test_id("do-file").click()
        expect(head.get_by_test_id(f"section-{sections[2].pk}").get_by_test_id("rect-status")).to_have_text(
            "已报送整改报告")

    with clock.frozen(NOW + dt.timedelta(days=9)):
        sup.reload()
        rect = bottom[3]
        card = sup.get_by_test_id(f"rect-{rect.pk}")
        card.locator("textarea[name=public_note]").fill("已推行一次告知、一次办结，回访企业满意率提升到95%。")
        card.get_by_test_id("do-accept").click()
        expect(sup.get_by_test_id(f"rect-{rect.pk}").get_by_test_id("rect-status")).to_have_text("已验收")

        public = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
        public.goto("/appraisal/public/")
        public.get_by_role("link", name="2026年度县直部门重点科室评议").click()
        rows = public.get_by_test_id("bottom-row")
        expect(rows).to_have_count(3)
        expect(public.get_by_test_id("bottom")).to_contain_text("已推行一次告知、一次办结，回访企业满意率提升到95%。")
        expect(public.get_by_test_id("bottom")).not_to_contain_text("评议人")
