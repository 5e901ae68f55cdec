"""A 联办件 in Chromium: the citizen applies online for the bundle, the window accepts for all, two
co-departments act (an opinion and their decisions), the lead issues the combined result, and the citizen
sees one case with its children in 我的办件."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import PERSON_ID
from zhengwu.core.testing import pdf_bytes
from zhengwu.joint.models import JointCase

from .factories import build_bundle_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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


def test_bundle_from_online_application_to_combined_result(browser, live_server):
    w = build_bundle_world()
    pdf = pdf_bytes()

    # the citizen applies online for the bundle: one form, the combined materials list
    pg = new_page(browser, live_server)
    log_in(pg, "citizen", "/joint/apply/BD-CYD/")
    expect(pg.get_by_text("合并材料清单")).to_be_visible()
    pg.locator("input[name=name]").fill("张三")
    pg.locator("input[name=id_number]").fill(PERSON_ID)
    pg.locator("input[name=phone]").fill("13812345678")
    for name, n in w.lines.items():
        if name != "授权委托书":
            pg.locator(f"input[name=line_{n}]").set_input_files(
                {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf})
    pg.get_by_role("button", name="提交申请").click()
    pg.wait_for_url("**/joint/my/**")
    joint = JointCase.objects.get()
    no = joint.case_no
    expect(pg.get_by_test_id("joint-status")).to_have_text("待受理")

    # the lead's window accepts for all
    officer = new_page(browser, live_server)
    log_in(officer, "u1001", f"/joint/{no}/")
    officer.get_by_test_id("joint-accept").click()
    officer.wait_for_load_state()
    expect(officer.get_by_test_id("joint-status")).to_have_text("并联审查中")
    officer.get_by_test_id("doc-acceptance").click()
    expect(officer.get_by_test_id("joint-items")).to_contain_text("示范县消防救援大队")

    # 公安 signs its opinion and decides on its 子件; 消防 decides on its own
    co1 = new_page(browser, live_server)
    log_in(co1, "u2001", f"/joint/{no}/")
    box = co1.get_by_test_id(f"opinion-{no}-2")
    box.get_by_label("同意", exact=True).check()
    box.get_by_role("button", name="签署意见").click()
    co1.wait_for_load_state()
    expect(co1.locator(f'tr[data-child="{no}-2"]')).to_contain_text("同意")
    for username, child in (("u2001", f"{no}-2"), ("u3002", f"{no}-3")):
        p = co1 if username == "u2001" else new_page(browser, live_server)
        if p is co1:
            p.goto(f"/workbench/cases/{child}/")
        else:
            log_in(p, username, f"/workbench/cases/{child}/")
        form = p.locator('form[data-action="decide"]')
        form.get_by_label("准予").check()
        form.get_by_role("button", name="作出决定").click()
        p.wait_for_load_state()
    # the lead department's own 子件 through its steps
    lead = Case.objects.get(case_no=f"{no}-1")
    cs.case_review(case=lead, officer=w.chief)
    cs.case_decide(case=lead, officer=w.head, decision="approve")

    # the lead issues the combined result
    chief = new_page(browser, live_server)
    log_in(chief, "u1003", f"/joint/{no}/")
    expect(chief.get_by_test_id("joint-status")).to_have_text("待出具联合审批结果")
    chief.get_by_test_id("joint-result").click()
    chief.wait_for_load_state()
    expect(chief.get_by_test_id("joint-status")).to_have_text("已办结")
    chief.get_by_test_id("doc-result").click()
    expect(chief.get_by_test_id("joint-result")).to_contain_text("准予许可")

    # the citizen: one case with its children in 我的办件
    pg.goto("/my/cases/")
    row = pg.locator(f'tr[data-joint="{no}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已办结")
    for k in (1, 2, 3):
        expect(row).to_contain_text(f"{no}-{k}")
