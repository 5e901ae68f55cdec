"""依申请公开 in Chromium, done by the people who do it.

A citizen files a request online; the officer confirms receipt and asks for 补正; the citizen
completes it; the officer replies 部分公开 and the 答复书 PDF opens; the request is in the year's
report, in the 部分公开 row under 自然人.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.core.testing import image_bytes, pdf_bytes
from zhengwu.disclosure.models import InfoRequest, ReqStatus
from zhengwu.org.models import Role

from .factories import PERSON_ID, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")


@pytest.fixture(autouse=True)
def roles():
    """A transactional test flushes the tables after itself, the roles of the data migration too."""
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})


def log_in(pg, username: str, next_url: str) -> None:
    pg.goto(f"/login/?next={next_url}")
    pg.locator("input[name=username]").fill(username)
    pg.locator("input[name=password]").fill("pass-123456")
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url(f"**{next_url}")


def act(pg, action: str, button: str) -> None:
    pg.locator(f'form[data-action="{action}"]').get_by_role("button", name=button).click()
    pg.wait_for_load_state()


def test_request_with_supplement_answered_partially_shows_in_the_report(page, browser, live_server):
    build_world()
    with clock.frozen(dt.date(2026, 6, 1)):
        # The citizen applies online.
        log_in(page, "citizen", "/gk/SFXSCJ/apply/")
        expect(page.get_by_role("heading", name="示范县市场监督管理局")).to_be_visible()
        expect(page.locator("input[name=name]")).to_have_value("张三")
        page.locator("input[name=id_number]").fill(PERSON_ID)
        page.locator("textarea[name=description]").fill("本局2025年食品抽检情况")
        page.get_by_role("button", name="提交申请").click()
        expect(page.locator("#request-status")).to_have_text("待确认收到")
        no = page.locator("#request-no").inner_text()
        assert no == "SFXSCJ-2026-0001"

        # The officer confirms receipt and asks, once, for 补正.
        officer = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                      viewport={"width": 1360, "height": 900}).new_page()
        log_in(officer, "u2001", "/gk/work/")
        expect(officer.locator("table").first).to_contain_text(no)
        officer.get_by_role("link", name=no).click()
        act(officer, "confirm", "确认收到")
        expect(officer.locator("#request-status")).to_have_text("办理中")
        # 06-02 … 06-18, (06-19…21 端午) 06-22 … 06-30.
        expect(officer.locator(".state")).to_contain_text("还剩20个工作日（2026-06-30）")
        officer.locator('form[data-action="ask_supplement"] textarea[name=items]').fill(
            "请写明所需抽检信息的产品类别和抽检批次")
        act(officer, "ask_supplement", "告知补正")
        expect(officer.locator("#request-status")).to_have_text("待补正")

        # The citizen completes the request.
        page.reload()
        expect(page.locator("#request-status")).to_have_text("待补正")
        expect(page.get_by_text("请写明所需抽检信息的产品类别和抽检批次").first).to_be_visible()
    with clock.frozen(dt.date(2026, 6, 3)):
        page.locator("#supplement-text").fill("2025年第四季度乳制品抽检的全部批次")
        page.get_by_role("button", name="提交补正").click()
        expect(page.locator(".messages")).to_contain_text("补正已提交")
        expect(page.locator("#request-status")).to_have_text("办理中")

        # The officer replies 部分公开; the 答复书 is generated.
        officer.reload()
        # The period restarts on 06-03: 06-04 … 06-18, (06-19…21 端午) 06-22 … 07-02.
        expect(officer.locator(".state")).to_contain_text("还剩20个工作日（2026-07-02）")
        form = officer.locator('form[data-action="reply"]')
        form.locator("select[name=result]").select_option("partial")
        form.locator("textarea[name=reply_text]").fill("2025年第四季度乳制品抽检结果汇总表（见附件）")
        form.locator("textarea[name=reason]").fill("其中涉及企业商业秘密的检测数据，经征求意见不同意公开")
        act(officer, "reply", "答复并生成答复书")
        expect(officer.locator("#request-status")).to_have_text("已答复")
        expect(officer.locator("#request-result")).to_contain_text("部分公开")
        officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_gk_staff_request.png", full_page=True)
        href = officer.locator("#reply-pdf").get_attribute("href")
        resp = officer.request.get(href)
        assert resp.ok and resp.headers["content-type"] == "application/pdf"
        with tempfile.TemporaryDirectory() as d:
            pdf = Path(d) / "reply.pdf"
            pdf.write_bytes(resp.body())
            subprocess.run(["pdftotext", str(pdf), str(Path(d) / "reply.txt")], check=True)
            text = (Path(d) / "reply.txt").read_text()
        assert "政府信息公开申请答复书" in text and "第三十七条" in text and no in text

        # The citizen sees the answer and its 答复书.
        page.reload()
        expect(page.locator("#request-status")).to_have_text("已答复")
        expect(page.locator("#reply-pdf")).to_be_visible()
        page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_gk_my_request.png", full_page=True)

        # The body's staff see it counted in the year's report, still a draft (not public until signed off).
        officer.goto("/gk/SFXSCJ/reports/2026/")
        expect(officer.locator('td[data-cell="三|本年新收|自然人"]')).to_have_text("1")
        expect(officer.locator('td[data-cell="三|部分公开|自然人"]')).to_have_text("1")
        expect(officer.locator('td[data-cell="三|予以公开|自然人"]')).to_have_text("0")
        expect(officer.locator(".alert")).to_have_count(0)
        officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_gk_report.png", full_page=True)
        assert page.goto("/gk/SFXSCJ/reports/2026/").status == 404
    req = InfoRequest.objects.get(request_no=no)
    assert (req.status, req.result, req.received_on, req.supplement_received_on, req.closed_on) == (
        ReqStatus.REPLIED, "partial", dt.date(2026, 6, 1), dt.date(2026, 6, 3), dt.date(2026, 6, 3))


def test_an_officer_attaches_a_file_and_the_public_downloads_it_once_published(page, browser, live_server,
                                                                               settings, tmp_path):
    """The attachment is uploaded on the drafting page, refused while a draft, downloaded once public."""
    from zhengwu.disclosure import services as s
    from zhengwu.disclosure.models import Publication

    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world()
    name = "2026年食品抽检计划（附表）.pdf"
    content = pdf_bytes()
    with clock.frozen(dt.date(2026, 5, 6)):
        log_in(page, "u2001", "/gk/work/publications/new/SFXSCJ/")
        page.locator("input[name=title]").fill("2026年食品安全抽检计划")
        page.locator("select[name=category]").select_option("plan")
        page.locator("input[name=made_on]").fill("2026-05-06")
        page.locator("textarea[name=content]").fill("抽检计划见附件。")
        page.locator("input[name=files]").set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": content}])
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("#pub-status")).to_have_text("草稿")
        link = page.locator("#attachments").get_by_role("link", name=name)
        href = link.get_attribute("href")
        pub = Publication.objects.get()
        assert href == f"/gk/SFXSCJ/p/{pub.pk}/files/{pub.attachments.get().pk}/"
        # The officer may open the draft's file; nobody else may.
        with page.expect_download() as got:
            link.click()
        assert got.value.suggested_filename == name
        anon = browser.new_context(locale="zh-CN", base_url=live_server.url)
        assert anon.request.get(href).status == 404
        s.publication_submit(publication=pub, officer=w.officer)
        s.publication_review(publication=pub, reviewer=w.reviewer, approve=True)
        s.publication_secrecy_review(publication=pub, reviewer=w.secrecy, passed=True)
        s.publication_sign(publication=pub, signer=w.signer)
        s.publication_publish(publication=pub, officer=w.officer)
        public = anon.new_page()
        public.goto(f"/gk/SFXSCJ/p/{pub.pk}/")
        with public.expect_download() as got:
            public.get_by_role("link", name=name).click()
        download = got.value
        assert download.suggested_filename == name
        assert Path(download.path()).read_bytes() == content
        anon.close()


def test_a_citizen_applies_with_an_id_copy_and_completes_the_supplement_with_a_file(page, browser, live_server,
                                                                                 settings, tmp_path):
    """Files with the application and with the 补正: the officer sees both and downloads one (audited)."""
    from zhengwu.core.models import AuditEvent

    settings.MEDIA_ROOT = tmp_path / "media"
    build_world()
    jpg = image_bytes("JPEG")
    pdf = pdf_bytes()
    with clock.frozen(dt.date(2026, 6, 1)):
        log_in(page, "citizen", "/gk/SFXSCJ/apply/")
        page.locator("input[name=id_number]").fill(PERSON_ID)
        page.locator("textarea[name=description]").fill("本局2025年食品抽检情况")
        page.locator("input[name=files]").set_input_files(
            files=[{"name": "身份证复印件.jpg", "mimeType": "image/jpeg", "buffer": jpg}])
        page.get_by_role("button", name="提交申请").click()
        expect(page.locator("#request-status")).to_have_text("待确认收到")
        expect(page.locator("#request-files")).to_contain_text("身份证复印件.jpg")
        no = page.locator("#request-no").inner_text()

        officer = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
        log_in(officer, "u2001", f"/gk/work/requests/{no}/")
        act(officer, "confirm", "确认收到")
        officer.locator('form[data-action="ask_supplement"] textarea[name=items]').fill("请提供所需信息的书面说明")
        act(officer, "ask_supplement", "告知补正")
    with clock.frozen(dt.date(2026, 6, 3)):
        page.reload()
        page.locator("#supplement-files").set_input_files(
            files=[{"name": "所需信息说明.pdf", "mimeType": "application/pdf", "buffer": pdf}])
        page.get_by_role("button", name="提交补正").click()
        expect(page.locator(".messages")).to_contain_text("补正已提交")
        expect(page.locator("#request-files")).to_contain_text("补正材料")

        officer.reload()
        files = officer.locator("#request-files")
        expect(files).to_contain_text("申请材料")
        expect(files).to_contain_text("补正材料")
        with officer.expect_download() as got:
            files.get_by_role("link", name="所需信息说明.pdf").click()
        assert got.value.suggested_filename == "所需信息说明.pdf"
        assert Path(got.value.path()).read_bytes() == pdf
    assert list(AuditEvent.objects.values_list("object_type", "action")) == [("disclosure.requestattachment", "view")]
