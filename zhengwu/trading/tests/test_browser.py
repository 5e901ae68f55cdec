"""A tender in Chromium, the issue's flow with the law's minimum of bids.

The issue's story has two bidders upload and a third come late; but with fewer than 3 bids the law says
no opening, 流标 (招标投标法实施条例第四十四条). So here three bidders upload in time (each bid sealed in
the browser by static/trading/seal.js: only the envelope leaves the page) and a fourth is late and refused;
at the opening all three decrypt with their passphrases; the centre draws the committee; the experts score
and sign on their page; the agency publishes the candidates and, after the 公示, awards.

The live server runs in this process, so ``clock.frozen`` moves its time too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.core.testing import browser_login as login
from zhengwu.trading import sealing
from zhengwu.trading.models import Bid, BidSlot, BidStatus, Tender, TenderStatus

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def fill_bid(pg, i: int) -> None:
    form = pg.locator("#seal-form")
    form.locator("input[name=price]").fill(str(4_500_000 + 50_000 * i))
    form.locator("input[name=duration_days]").fill(str(300 + i))
    form.locator("input[name=project_manager]").fill(f"项目经理{i}")
    form.locator("input[name=quality]").fill("合格")
    form.locator("input[name=files]").set_input_files(
        {"name": f"投标函{i}.pdf", "mimeType": "application/pdf", "buffer": b"%%PDF-1.4 bid %d" % i})
    form.locator("input[name=passphrase]").fill(f"bidder-{i}-passphrase")
    form.locator("input[name=passphrase_confirm]").fill(f"bidder-{i}-passphrase")


def act(pg, action: str) -> None:
    pg.get_by_test_id(f"do-{action}").click()
    pg.wait_for_load_state()


def test_publish_bid_late_refusal_opening_scoring_publicity_and_award(browser, live_server):
    w = f.build_world()
    tender = f.draft_tender(w)
    round_url = f"/trading/manage/tenders/{tender.pk}/"
    bid_url = f"/trading/bid/{tender.pk}/"

    # the agency publishes the tender: 23 days from issue to the deadline, 11 days of sale
    with clock.frozen(at(3, 2, 8, 30)):
        agent = login(browser, live_server, "agent", round_url)
        form = agent.locator('form[data-action="publish"]')
        form.locator("input[name=documents_from]").fill("2026-03-02T09:00")
        form.locator("input[name=documents_until]").fill("2026-03-13T17:00")
        form.locator("input[name=bid_deadline]").fill("2026-03-25T09:30")
        act(agent, "publish")
        expect(agent.get_by_test_id("status")).to_have_text("招标中")

    # four bidders obtain the documents; three upload bids sealed in the browser
    bidders = {}
    with clock.frozen(at(3, 5)):
        for i in range(1, 5):
            pg = login(browser, live_server, f"bidder{i}", bid_url)
            pg.get_by_test_id("obtain").click()
            pg.wait_for_load_state()
            expect(pg.get_by_test_id("obtained")).to_have_text("已获取")
            bidders[i] = pg
    with clock.frozen(at(3, 20)):
        for i in range(1, 4):
            pg = bidders[i]
            pg.goto(bid_url)
            fill_bid(pg, i)
            pg.get_by_test_id("seal-upload").click()
            expect(pg.get_by_test_id("receipt")).to_be_visible()
            expect(pg.get_by_test_id("bid-status")).to_contain_text("已递交")
        # the fourth fills its form in time, but sends it only after the deadline
        late = bidders[4]
        late.goto(bid_url)
        fill_bid(late, 4)
    # what reached the server is ciphertext only: no bid row, every slot still the same size buckets
    assert Bid.objects.count() == 0
    assert all(len(bytes(s.envelope)) >= sealing.BUCKET_MIN for s in BidSlot.objects.filter(tender=tender))

    with clock.frozen(at(3, 25, 9, 31)):
        late.get_by_test_id("seal-upload").click()
        expect(late.locator(".messages")).to_contain_text("逾期送达")
        expect(late.get_by_test_id("closed")).to_be_visible()
        expect(late.get_by_test_id("bid-status")).to_have_text("未递交")

    # the opening at the deadline; every bidder decrypts with its passphrase
    with clock.frozen(at(3, 25, 9, 32)):
        agent.goto(round_url)
        act(agent, "open")
        expect(agent.get_by_test_id("status")).to_have_text("开标中")
    with clock.frozen(at(3, 25, 9, 40)):
        for i in range(1, 4):
            pg = bidders[i]
            pg.goto(bid_url)
            pg.locator("[data-testid=decrypt] input[name=passphrase]").fill(f"bidder-{i}-passphrase")
            pg.get_by_test_id("do-decrypt").click()
            pg.wait_for_load_state()
            expect(pg.get_by_test_id("bid-status")).to_have_text("已解密")
            expect(pg.get_by_test_id("my-price")).to_have_text(f"{4_500_000 + 50_000 * i}.00")
        agent.goto(round_url)
        act(agent, "close_opening")
        expect(agent.get_by_test_id("status")).to_have_text("评标中")
        expect(agent.get_by_test_id("opening-record")).to_contain_text(w.bidders[2].name)

    # the centre draws the committee at random; 专家1 (tied to bidder 1) cannot be drawn
    with clock.frozen(at(3, 25, 10)):
        admin = login(browser, live_server, "u3001", round_url)
        admin.locator('form[data-action="draw"] input[name=specialty]').fill("房屋建筑")
        act(admin, "draw")
        expect(admin.get_by_test_id("committee")).to_contain_text("5 人")
    tender.refresh_from_db()
    members = list(tender.committee.members.filter(active=True).select_related("expert__user"))
    assert len(members) == 5 and w.experts[0] not in [m.expert for m in members]

    # each expert scores the three bids on their page and signs the report
    bids = list(Bid.objects.filter(tender=tender).order_by("bidder_id"))
    assert [b.status for b in bids] == [BidStatus.DECRYPTED] * 3
    with clock.frozen(at(3, 25, 14)):
        for m in members:
            pg = login(browser, live_server, m.expert.user.username, "/trading/expert/")
            pg.locator(f'tr[data-tender="{tender.pk}"] a').click()
            pg.wait_for_url(f"**/trading/expert/{tender.pk}/")
            for n, b in enumerate(bids):
                box = pg.get_by_test_id(f"score-{b.pk}")
                box.locator("input[name=score]").fill(str(92 - 4 * n))
                box.get_by_role("button", name="保存").click()
                pg.wait_for_load_state()
                expect(pg.locator(f'tr[data-bid="{b.pk}"] [data-testid=my-score]')).to_have_text(f"{92 - 4 * n}.00 分")
            pg.get_by_test_id("sign-report").click()
            pg.wait_for_load_state()
            expect(pg.get_by_test_id("signed")).to_be_visible()
            pg.context.close()

    # the agency publishes the candidates (公示 at least 3 days); the public sees them
    with clock.frozen(at(3, 26)):
        agent.goto(round_url)
        act(agent, "publish_candidates")
        expect(agent.get_by_test_id("status")).to_have_text("中标候选人公示")
        expect(agent.get_by_test_id("do-award")).to_be_visible()
        act(agent, "award")  # too early: the 公示 is still running
        expect(agent.locator(".messages")).to_contain_text("公示")
        expect(agent.get_by_test_id("status")).to_have_text("中标候选人公示")
        public = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
        public.goto(f"/trading/projects/{tender.project.code}/")
        cands = public.get_by_test_id("candidates")
        expect(cands.locator("tbody tr")).to_have_count(3)
        expect(cands.locator("tbody tr").first).to_contain_text(w.bidders[0].name)

    # after the 公示 the award follows, and the public page shows the result
    tender.refresh_from_db()
    with clock.frozen(tender.publicity_ends_on + dt.timedelta(days=1)):
        agent.goto(round_url)
        act(agent, "award")
        expect(agent.get_by_test_id("status")).to_have_text("已定标")
        public.goto(f"/trading/projects/{tender.project.code}/")
        expect(public.get_by_test_id("awards")).to_contain_text(w.bidders[0].name)
        expect(public.get_by_test_id("round-status")).to_have_text("已定标")
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.AWARDED
