"""One case from online application to 办结, done in Chromium by the people who do it.

A citizen applies with one required material missing; the window officer asks for it (补正);
the citizen uploads it; the officer accepts; the chief representative reviews (审核); the
department head decides (准予); the officer finishes the case (办结); the 办结通知 PDF opens;
anyone with the case number and phone sees every step on the public progress page.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from zhengwu.cases import plan
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, Status
from zhengwu.core import clock
from zhengwu.core.testing import pdf_bytes
from zhengwu.org.models import Role

from .factories import PERSON_ID, applicant, build_world, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")
PDF_BYTES = pdf_bytes()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh_plans():
    """Plans are cached per version id for the process; ids come back after a rollback or flush."""
    plan._plans.clear()
    yield
    plan._plans.clear()


@pytest.fixture(autouse=True)
def roles():
    """A transactional test flushes the tables after itself, the roles of the data migration too."""
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def new_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1360, "height": 900})
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


def test_online_case_from_application_to_completion(page, browser, live_server):
    w = build_world()
    pages = []

    # The citizen applies online with the floor plan (a required material) missing.
    log_in(page, "citizen", "/apply/SFX-SCJG-001/")
    expect(page.get_by_role("heading", name="食品经营许可证核发")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("张三")
    page.locator("input[name=id_number]").fill(PERSON_ID)
    page.locator("input[name=phone]").fill("13812345678")
    page.locator("input[name=address]").fill("示范县城关镇东关村1号")
    page.set_input_files(f"input[name=file_{w.m1.pk}]", pdf_file("申请书.pdf"))
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_apply.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/*/")
    case_no = page.get_by_test_id("case-no").inner_text().strip()
    expect(page.get_by_test_id("case-status")).to_have_text("待预审")
    expect(page.locator(".messages")).to_contain_text(f"办件编号 {case_no}")

    # The window officer finds it in the workbench and asks, once and completely, for what is missing.
    officer = new_page(browser, live_server)
    pages.append(officer)
    log_in(officer, "u1001", "/workbench/")
    row = officer.locator(f'tr[data-case-no="{case_no}"]')
    expect(row).to_contain_text("1101**********002X")
    expect(row).not_to_contain_text(PERSON_ID)
    officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_workbench.png", full_page=True)
    row.get_by_role("link", name=case_no).click()
    officer.wait_for_url(f"**/workbench/cases/{case_no}/")
    expect(officer.locator("form[data-action]")).to_have_count(4)  # prereview, accept, supplement, reject
    expect(officer.locator('form[data-action="request_supplement"] textarea[name=missing]')).to_have_value(
        "经营场所平面图")
    act(officer, "request_supplement", "一次性告知补正")
    expect(officer.get_by_test_id("case-status")).to_have_text("待补正")

    # The citizen sees the request and uploads the floor plan.
    page.reload()
    request = page.get_by_test_id("supplement-request")
    expect(request).to_contain_text("经营场所平面图")
    page.set_input_files(f"input[name=file_{w.m2.pk}]", pdf_file("平面图.pdf"))
    page.get_by_role("button", name="提交补正材料").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("case-status")).to_have_text("待受理")
    expect(page.get_by_test_id("supplement-request")).to_have_count(0)

    # The officer accepts; the case goes to the chief representative's 审核 step.
    officer.reload()
    expect(officer.get_by_test_id("materials")).to_contain_text("平面图.pdf")
    act(officer, "accept", "受理")
    expect(officer.get_by_test_id("case-status")).to_have_text("审查中")
    expect(officer.locator(".messages")).to_contain_text("已办理：受理")
    expect(officer.locator('form[data-action="decide"]')).to_have_count(0)
    officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_staff_case.png", full_page=True)

    chief = new_page(browser, live_server)
    pages.append(chief)
    log_in(chief, "u1003", f"/workbench/cases/{case_no}/")
    act(chief, "review", "审查通过，转下一环节")
    expect(chief.locator(".messages")).to_contain_text("已办理：审查通过，转下一环节")

    head = new_page(browser, live_server)
    pages.append(head)
    log_in(head, "u1004", f"/workbench/cases/{case_no}/")
    # nothing is pre-selected in a decision: the head picks 准予 (a form sent without a pick is refused)
    decide = head.locator('form[data-action="decide"]')
    expect(decide.locator("input[name=decision]:checked")).to_have_count(0)
    decide.locator("input[name=decision][value=approve]").check()
    act(head, "decide", "作出决定")
    expect(head.get_by_test_id("case-status")).to_have_text("已决定")

    officer.reload()
    act(officer, "complete", "办结")
    expect(officer.get_by_test_id("case-status")).to_have_text("已办结")
    officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_staff_case_done.png", full_page=True)
    case = Case.objects.get(case_no=case_no)
    assert (case.status, case.decision) == (Status.COMPLETED, "approve")

    # The citizen opens the 办结通知 as a PDF.
    page.reload()
    pdf_link = page.get_by_test_id("documents").locator('li[data-kind="completion"] a.pdf')
    href = pdf_link.get_attribute("href")
    assert href == f"/cases/{case_no}/docs/completion.pdf"
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_my_case.png", full_page=True)

    # Anyone with the number and the phone sees each step on the public progress page.
    public = new_page(browser, live_server)
    pages.append(public)
    public.goto(f"/progress/?case_no={case_no}")
    expect(public.locator("input[name=case_no]")).to_have_value(case_no)
    public.locator("input[name=credential]").fill("13812345678")
    public.get_by_role("button", name="查询").click()
    result = public.get_by_test_id("progress-result")
    expect(result).to_be_visible()
    steps = result.get_by_test_id("timeline").locator(".what").all_inner_texts()
    assert steps == ["提交申请", "补正告知", "补正材料", "受理", "审核通过", "作出决定：准予", "办结"]
    for word in ["受理", "补正", "审核", "决定", "办结"]:
        assert any(word in s for s in steps), word
    expect(result.get_by_test_id("masked-name")).to_have_text("张*")
    expect(result).not_to_contain_text("张三")
    expect(result).not_to_contain_text(PERSON_ID)
    public.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_progress.png", full_page=True)

    for pg in pages:
        pg.context.close()


def test_workbench_colours_by_due_date(browser, live_server):
    """Three cases in review: one on time (green), one due tomorrow (yellow), one overdue (red)."""
    w = build_world()
    today = clock.today()
    due = {"甲": today + dt.timedelta(days=30), "乙": today, "丙": today - dt.timedelta(days=3)}
    numbers = {}
    for name, due_date in due.items():
        case = s.case_submit(item=w.item, applicant=applicant(name=f"{name}某某"), channel="online",
                             user=w.citizen, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        s.case_accept(case=case, officer=w.officer)
        Case.objects.filter(pk=case.pk).update(due_date=due_date)
        numbers[name] = case.case_no
    s.case_submit(item=w.item, applicant=applicant(name="丁某某"), channel="online", user=w.citizen)

    officer = new_page(browser, live_server)
    log_in(officer, "u1001", "/workbench/")
    for name, css in [("甲", "due-ok"), ("乙", "due-soon"), ("丙", "due-overdue")]:
        expect(officer.locator(f'tr[data-case-no="{numbers[name]}"] .due')).to_have_class(f"due {css}")
    expect(officer.get_by_test_id("due-legend")).to_contain_text("已超期（红牌）")
    officer.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_workbench_colours.png", full_page=True)
    officer.get_by_role("link", name="已超期").click()
    expect(officer.get_by_test_id("inbox").locator("tbody tr")).to_have_count(1)
    expect(officer.get_by_test_id("inbox")).to_contain_text(numbers["丙"])
    officer.context.close()
