"""认领办件 in Chromium: a citizen claims the case the window took in for them and finds it under 我的办件.

The SMS code is read from the logging notifier's outbox, as a phone would receive it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from zhengwu.cases import services as s
from zhengwu.cases.models import Case
from zhengwu.core.notify import ConsoleNotifier

from .factories import PERSON_ID, applicant, build_world, pdf
from .test_browser import SCREENSHOT_DIR, fresh_plans, log_in, media, roles  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_claims_a_window_case_and_sees_it_under_my_cases(page):
    w = build_world()
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer,
                         files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    s.case_accept(case=case, officer=w.officer)
    ConsoleNotifier.sent.clear()

    log_in(page, "citizen", "/my/cases/")
    expect(page.get_by_test_id("my-cases")).to_have_count(0)
    form = page.get_by_test_id("claim-form")
    expect(form.locator("input[name=uscc]")).to_be_hidden()  # a person's case asks for the ID number only
    form.locator("input[name=case_no]").fill(case.case_no)
    form.locator("input[name=id_number]").fill("110105194912310038")  # someone else's number
    form.get_by_role("button", name="获取验证码").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("未找到与该办件编号和证件信息匹配的办件，请核对后重试")
    expect(summary).to_be_focused()  # the summary takes the focus, so a screen reader reads it first
    assert ConsoleNotifier.sent == []

    form = page.get_by_test_id("claim-form")
    expect(form.locator("input[name=case_no]")).to_have_value(case.case_no)
    form.locator("input[name=id_number]").fill(PERSON_ID)
    form.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/my/cases/claim/confirm/?case_no=*")
    expect(page.locator(".messages")).to_contain_text("验证码已发送至办件登记的手机 138****5678")
    (sms,) = [m for m in ConsoleNotifier.sent if m.kind == "case_claim_code"]
    assert sms.to_phone == "13812345678"
    code = re.search(r"验证码(\d{6})", sms.text).group(1)
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_claim_code.png", full_page=True)

    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="确认认领").click()
    page.wait_for_url("**/my/cases/")
    expect(page.locator(".messages")).to_contain_text(f"认领成功：办件 {case.case_no} 已加入“我的办件”")
    row = page.get_by_test_id("my-cases").locator("tr", has_text=case.case_no)
    expect(row).to_contain_text("食品经营许可证核发")
    expect(row).to_contain_text("审查中")
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_claimed.png", full_page=True)
    row.get_by_role("link", name=case.case_no).click()
    page.wait_for_url(f"**/my/cases/{case.case_no}/")
    expect(page.get_by_test_id("case-status")).to_have_text("审查中")
    assert Case.objects.get(pk=case.pk).applicant_user_id == w.citizen.pk
