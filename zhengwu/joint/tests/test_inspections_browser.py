"""The on-site record on a phone (360×740, touch): the lead's officer marks one department 到场 with its
attendee and opinion and the other 缺席 with no reason, submits, and the page never scrolls sideways; the
absent department is deemed to agree and its notice is linked."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from zhengwu.cases import plan
from zhengwu.core import clock
from zhengwu.joint import inspections as svc
from zhengwu.joint.models import Attendance, Inspection, InspectionInvite, InspectionStatus
from zhengwu.org.models import Role

from .factories_inspection import DAY, build_joint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def roles():
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    plan._plans.clear()
    yield
    plan._plans.clear()


def no_sideways_scroll(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide"


def test_on_site_record_on_a_phone(browser, live_server):
    w = build_joint()
    with clock.frozen(DAY):
        ins = svc.inspection_schedule(joint=w.joint, staff=w.officer, date=dt.date(2026, 3, 12),
                                      place="城关镇建设路18号")
    # the live server runs on the real date: the inspection day is today
    Inspection.objects.filter(pk=ins.pk).update(date=clock.today())

    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    record_url = f"/joint/{w.joint.case_no}/inspections/1/record/"
    pg.goto(f"/login/?next={record_url}")
    pg.locator("input[name=username]").fill(w.officer.user.username)
    pg.locator("input[name=password]").fill("pass-123456")
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url(f"**{record_url}")
    expect(pg.locator("fieldset.dept-row")).to_have_count(2)
    no_sideways_scroll(pg)

    co1 = pg.locator(f'fieldset[data-department="{w.co1.pk}"]')
    co2 = pg.locator(f'fieldset[data-department="{w.co2.pk}"]')
    present = co1.locator("label:has(input[value=present])")
    box = present.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 80  # a thumb-sized target
    present.tap()
    expect(co1.locator(f"#reason_{w.co1.pk}")).to_be_hidden()
    co1.locator(f"#attendee_{w.co1.pk}").fill("郑首代")
    co1.locator(f"#opinion_{w.co1.pk}").fill("现场条件符合要求，同意")
    co2.locator("label:has(input[value=absent])").tap()
    expect(co2.get_by_text("视为同意踏勘议定事项")).to_be_visible()
    expect(co2.locator(f"#opinion_{w.co2.pk}")).to_be_hidden()
    pg.locator("#id_conclusion").fill("场地符合开办条件，议定按图施工")
    no_sideways_scroll(pg)
    pg.screenshot(path=os.path.join(SCREENSHOT_DIR, "joint-inspection-record-360.png"), full_page=True)
    pg.get_by_role("button", name="提交现场记录").tap()
    pg.wait_for_url(f"**/joint/{w.joint.case_no}/inspections/1/")
    expect(pg.get_by_test_id("inspection-status")).to_have_text("已记录，待牵头部门签认")
    expect(pg.get_by_test_id("deemed")).to_have_count(1)
    expect(pg.get_by_role("link", name="缺席默认告知书")).to_be_visible()
    no_sideways_scroll(pg)
    context.close()

    inv = InspectionInvite.objects.get(department=w.co2)
    assert (inv.attendance, inv.deemed_agree) == (Attendance.ABSENT, True)
    assert InspectionInvite.objects.get(department=w.co1).attendee == "郑首代"
    assert Inspection.objects.get().status == InspectionStatus.RECORDED
