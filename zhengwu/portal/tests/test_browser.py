"""A citizen finds an item by its pinyin initials and reads the guide, in Chromium."""

from __future__ import annotations

import os

import pytest

from zhengwu.org.models import Hall

from .factories import DepartmentFactory, HallFactory, TownFactory, WindowFactory, make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def catalog():
    market = DepartmentFactory(code="SCJG", name="县市场监督管理局")
    civil = DepartmentFactory(code="MZ", name="县民政局")
    licence = make_item(
        "营业执照核发",
        impl_code="YYZZ-HF",
        department=market,
        theme="开办企业",
        service_object="legal",
        conditions="申请人具有完全民事行为能力，名称已经登记机关申报。",
        legal_basis="《中华人民共和国市场主体登记管理条例》第三条",
        place="县政务服务中心一楼市场准入区",
        hours="工作日 上午9:00-12:00 下午13:30-17:00",
        consult_channel="0572-8881234",
        complaint_channel="12345 政务服务热线",
        fees=[],
    )
    make_item(
        "个体工商户营业执照办理",
        impl_code="YYZZ-GT",
        department=market,
        theme="开办企业",
        service_object="person",
        promised_limit=0,
        visits=0,
        online_depth=6,
        handling_tiers=["county", "town", "village"],
        village_intake=True,
    )
    make_item(
        "最低生活保障金给付",
        impl_code="DB-GF",
        department=civil,
        kind="payment",
        theme="社会救助",
        service_object="person",
    )
    hall = HallFactory(name="县政务服务中心", address="县府路1号", phone="0572-8000001")
    HallFactory(
        name="新市镇便民服务中心",
        kind=Hall.Kind.TOWN_CENTER,
        region=TownFactory(name="新市镇"),
        address="新市镇人民路8号",
        phone="0572-8051234",
    )
    WindowFactory(hall=hall, number="08", name="市场准入窗口", department=market).items.add(licence)


def test_citizen_finds_licence_by_initials_and_reads_the_guide(page, catalog):
    page.goto("/")
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_home.png", full_page=True)
    page.get_by_role("searchbox", name="搜索办事事项").fill("yyzz")
    page.get_by_role("button", name="搜索").click()

    results = page.get_by_test_id("item-results").locator(".result-item")
    results.first.wait_for()
    titles = results.locator(".result-title").all_inner_texts()
    assert sorted(titles) == ["个体工商户营业执照办理", "营业执照核发"]
    assert "最低生活保障金给付" not in page.content()
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_search.png", full_page=True)

    page.get_by_role("link", name="营业执照核发").click()
    guide = page.get_by_test_id("item-guide")
    guide.wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "营业执照核发"
    for heading in ["一、办理流程", "二、受理条件", "三、办理时限", "四、收费标准", "申请材料"]:
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert "不收费" in guide.inner_text()
    assert "县政务服务中心 08号窗口" in guide.inner_text()
    assert page.get_by_role("button", name="打印办事指南").is_visible()
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_guide.png", full_page=True)

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="打印办事指南").is_visible()
    page.emulate_media(media="screen")


def test_kpi_chart_draws_from_vendored_echarts(page, catalog):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto("/kpi/")
    page.locator("#kpi-chart canvas").wait_for()

    assert failed == []
    assert page.evaluate("typeof echarts") == "object"
    assert page.get_by_test_id("kpi-table").locator("tbody tr").count() == 2
    page.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_kpi.png", full_page=True)
