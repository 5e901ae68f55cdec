"""Form errors in Chromium (issue 18): a refused application comes back with every error beside its field
and in a summary at the top that has the focus; a link in the summary moves the focus to its field; what was
typed is still there; axe finds nothing serious on the page with its errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhengwu.cases.models import Case

from .factories import build_world
from .test_browser import SCREENSHOT_DIR, fresh_plans, log_in, media, roles  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_form_shows_every_error_beside_its_field_with_a_focused_summary(page):
    build_world()
    log_in(page, "citizen", "/apply/SFX-SCJG-001/")
    form = page.get_by_test_id("apply-form")
    form.locator("input[name=name]").fill("")
    form.locator("input[name=id_number]").fill("110105194912310021")  # wrong check digit
    form.locator("input[name=phone]").fill("12345")
    form.locator("input[name=address]").fill("示范县城关镇东关村1号")
    form.get_by_role("button", name="提交申请").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("提交未成功，请修改以下3处内容")
    for name, message in [("name", "请填写姓名"), ("id_number", "身份证号校验位错误"), ("phone", "联系电话应为11位")]:
        field = page.locator(f"input[name={name}]")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#f-{name}-error")).to_contain_text(message)
        # the field's accessible description is its message
        assert message in field.evaluate(
            "el => document.getElementById(el.getAttribute('aria-describedby')).textContent")
    expect(page.locator("input[name=address]")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=address]")).to_have_value("示范县城关镇东关村1号")
    expect(page.locator("input[name=id_number]")).to_have_value("110105194912310021")

    summary.get_by_role("link", name="身份证号：身份证号校验位错误，请核对后重新输入").click()
    expect(page.locator("input[name=id_number]")).to_be_focused()
    page.screenshot(path=f"{SCREENSHOT_DIR}/apply-form-errors.png", full_page=True)

    # corrected, the same form goes through
    page.locator("input[name=name]").fill("张三")
    page.locator("input[name=id_number]").fill("11010519491231002X")
    page.locator("input[name=phone]").fill("13812345678")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请已提交")).to_be_visible()
    assert Case.objects.count() == 1
