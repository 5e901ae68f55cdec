"""In Chromium: take a number at the kiosk, see it on the hall display, call it from the officer's
console, finish, rate it on the pad the console opened; the display changes live, without a reload,
and speaks. The rating is a 好差评 rating, and a 差评 opens its rectification."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from playwright.sync_api import expect

from zhengwu.core import clock
from zhengwu.org.tests import factories as f
from zhengwu.ratings.models import Rating, Rectification, RectificationStatus

from . import factories as fx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")

# Records what the display asks the browser to say instead of sounding it.
SPEECH_STUB = """() => {
  window.__spoken = [];
  window.speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
}"""


@pytest.fixture
def world():
    w = fx.build_hall()
    with clock.frozen(fx.at(9, 30)):
        yield w


def _officer_context(browser, live_server, user):
    c = Client()
    c.force_login(user)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "url": live_server.url}])
    return context


def test_kiosk_board_console_pad(page, browser, live_server, world):
    # The hall display is open on the wall before anyone comes in.
    board = page
    board.goto("/hall/SFXZW/board/")
    board.evaluate(SPEECH_STUB)
    board.get_by_role("button", name="开启语音播报").click()
    expect(board.locator("#live-dot.on")).to_have_count(1)
    board.evaluate("window.__sameDocument = 'kept'")
    groups = board.get_by_test_id("board-groups")
    expect(groups).to_contain_text("暂无等候")

    # A citizen takes a number at the kiosk.
    kiosk = board.context.new_page()
    kiosk.goto("/hall/SFXZW/kiosk/")
    kiosk.get_by_test_id("group-A").click()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    expect(kiosk.get_by_test_id("ticket-ahead")).to_contain_text("您前面还有 0 人等候")

    # The display shows it waiting, without a reload.
    expect(groups.locator("[data-group]").first).to_contain_text("A001")
    expect(groups.locator("[data-group]").first.locator(".g-count")).to_have_text("1")

    # The screen above counter 01 shows who sits there and the number being served.
    screen = board.context.new_page()
    screen.goto(f"/hall/window/{world.w1.pk}/screen/")
    expect(screen.locator("#live-dot.on")).to_have_count(1)

    # Nobody can rate on a pad that no officer of the window has opened.
    stray = board.context.new_page()
    stray.goto(f"/hall/pad/{world.w1.pk}/")
    expect(stray.get_by_test_id("pad-refused")).to_contain_text("评价器须由本窗口的工作人员登录后使用")
    stray.close()

    # The officer signs in at window 01 and opens the counter's rating pad from the console.
    officer = _officer_context(browser, live_server, world.o1.user)
    console = officer.new_page()
    console.set_default_timeout(15000)
    console.goto(f"/hall/window/{world.w1.pk}/console/")
    with console.expect_popup() as popup:
        console.get_by_role("link", name="评价器").click()
    pad = popup.value
    expect(pad.locator(".pad h2")).to_contain_text("请在办理完毕后评价")
    expect(pad.locator("#live-dot.on")).to_have_count(1)

    console.get_by_role("button", name="签到上岗").click()
    console.get_by_role("button", name="叫号").click()
    expect(console.get_by_test_id("console-current")).to_have_text("A001")

    call = board.get_by_test_id("call-now")
    expect(call).to_contain_text("请A001号到01号窗口办理")
    window_01 = board.locator(f'[data-window="{world.w1.pk}"]')
    expect(window_01).to_contain_text("请 A001 号")
    expect(window_01).to_contain_text("李明 · 工号 2001")
    expect(groups.locator("[data-group]").first).to_contain_text("暂无等候")
    board.wait_for_function("window.__spoken.length >= 3")
    assert board.evaluate("window.__spoken.slice(-2)") == [
        {"text": "请A零零一号到零一号窗口办理", "lang": "zh-CN"}] * 2
    board.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_hall_board.png", full_page=True)

    expect(screen.get_by_test_id("window-current")).to_have_text("A001")
    expect(screen.locator("[data-field=officer]")).to_have_text("李明")
    expect(screen.locator("[data-field=employee_no]")).to_have_text("工号 2001")

    console.get_by_role("button", name="开始办理").click()
    expect(window_01).to_contain_text("A001 办理中")
    console.get_by_role("button", name="办结").click()
    expect(console.locator(".messages")).to_contain_text("A001号已办结")
    expect(window_01).to_contain_text("空闲")

    # The pad now asks about A001; the citizen is unhappy and says why.
    expect(pad.get_by_test_id("pad-ticket")).to_contain_text("A001")
    expect(pad.get_by_test_id("pad-ticket")).to_contain_text("李明（工号 2001）")
    pad.locator("label[for=overall-1]").click()
    pad.locator("label[for=attitude-1]").click()
    pad.locator("label[for=efficiency-4]").click()
    pad.get_by_label("意见建议").fill("窗口人员态度生硬")
    pad.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_hall_pad.png", full_page=True)
    pad.get_by_role("button", name="提交评价").click()
    expect(pad.get_by_test_id("pad-thanks")).to_have_text("感谢您的评价：非常不满意")

    # The officer goes to a meeting: board and window screen show it at once.
    console.get_by_label("事由").select_option("meeting")
    console.get_by_label("预计返回").fill("11:00")
    console.get_by_label("说明").fill("县局业务培训")
    console.get_by_role("button", name="登记外出").click()
    expect(window_01).to_contain_text("会议外出")
    expect(board.get_by_test_id("board-away")).to_contain_text("李明（工号 2001，01号窗口）会议：县局业务培训，预计 11:00 返回")
    expect(screen.get_by_test_id("window-away")).to_have_text("外出告知：会议（县局业务培训），预计 11:00 返回")
    screen.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_hall_window_screen.png")

    # The display never navigated: the same document took every change.
    assert board.evaluate("window.__sameDocument") == "kept"
    assert list(Rating.objects.values_list("kind", "channel", "ticket_ref", "overall", "efficiency", "attitude",
                                           "comment", "officer__employee_no", "window__number")) == [
        ("hall", "pad", "20260310-A001", 1, 4, 1, "窗口人员态度生硬", "2001", "01")]
    rect = Rectification.objects.get()
    assert (rect.rating, rect.status, rect.department) == (Rating.objects.get(), RectificationStatus.VERIFY,
                                                           world.market)
    officer.close()


def test_officer_uploads_a_photo_and_the_window_screen_shows_it_live(page, browser, live_server, world, settings,
                                                                     tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    jpeg = f.photo("证件照.jpg", "JPEG").read()

    screen = page
    screen.goto(f"/hall/window/{world.w1.pk}/screen/")
    expect(screen.locator("#live-dot.on")).to_have_count(1)
    officer = _officer_context(browser, live_server, world.o1.user)
    console = officer.new_page()
    console.goto(f"/hall/window/{world.w1.pk}/console/")
    console.get_by_role("button", name="签到上岗").click()
    expect(screen.get_by_test_id("window-photo")).to_have_text("李")

    mine = officer.new_page()
    mine.goto("/hall/my/")
    mine.get_by_label("选择照片").set_input_files({"name": "证件照.jpg", "mimeType": "image/jpeg",
                                                 "buffer": jpeg})
    mine.get_by_role("button", name="上传照片").click()
    expect(mine.locator(".messages")).to_contain_text("照片已更新")
    expect(mine.get_by_test_id("my-photo")).to_be_visible()
    mine.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_hall_my_photo.png", full_page=True)

    # Without a reload, the screen above the counter now shows the photo, and it loads.
    photo = screen.get_by_test_id("window-photo").locator("img")
    expect(photo).to_have_attribute("alt", "李明的照片")
    screen.wait_for_function("() => { const i = document.querySelector('[data-field=photo] img');"
                             " return i && i.complete && i.naturalWidth === 30; }")
    screen.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_hall_window_screen_photo.png")
    officer.close()


def test_the_board_fits_a_tv_pages_the_rest_and_a_screen_shows_its_own_groups(browser, live_server, world):
    """A hall of 108 windows and 48 queues on a 1920×1080 TV: no scrolling; the staffed windows come first;
    the rest a page at a time; the call and the last calls stay in view; ?groups=A shows group A only."""
    from zhengwu.hall import services
    from zhengwu.hall.models import WindowGroup, WindowSeat

    w = world
    extra = [f.window(w.hall, f"{n:03d}", w.market) for n in range(5, 109)]
    for n in range(4, 48):
        WindowGroup.objects.create(hall=w.hall, code=chr(ord("D") + n % 20) + chr(ord("A") + n // 20),
                                   name=f"业务类别{n}", sort=n)
    WindowSeat.objects.create(window=extra[-1], officer=w.o4, since=fx.at(9))  # window 108 staffed
    for _ in range(2):
        services.ticket_issue(hall=w.hall, group=w.group_a)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1920, "height": 1080})
    tv = context.new_page()
    tv.goto("/hall/SFXZW/board/")
    fits = tv.evaluate("[document.documentElement.scrollHeight <= innerHeight, document.documentElement.scrollWidth"
                       " <= innerWidth]")
    assert fits == [True, True]
    expect(tv.get_by_test_id("windows-page")).to_contain_text("第 1/")
    first = tv.locator("#board-windows li").first.get_attribute("data-window")
    assert first == str(extra[-1].pk)  # the staffed window 108 before the empty 01…107
    shown = tv.locator("#board-windows li").count()
    assert 10 < shown < 108
    expect(tv.get_by_test_id("groups-page")).to_contain_text("第 1/")
    tv.evaluate("window.zwBoard.turn()")
    expect(tv.get_by_test_id("windows-page")).to_contain_text("第 2/")
    assert tv.locator("#board-windows li").first.get_attribute("data-window") != first
    assert tv.get_by_test_id("call-now").is_visible() and tv.locator("#board-recent").is_visible()
    tv.screenshot(path=f"{os.environ.get('ZHENGWU_SCREENSHOT_DIR', '/tmp')}/zhengwu_board_1920.png")

    tv.goto("/hall/SFXZW/board/?groups=A")
    expect(tv.locator("h1")).to_contain_text("A 市场准入")
    numbers = sorted(tv.locator("#board-windows .w-no").all_inner_texts())
    assert [n.replace("号窗口", "").strip() for n in numbers] == ["01", "02"]
    assert tv.locator("#board-groups li").count() == 1
    context.close()


def test_the_hall_manager_sets_up_a_screen_and_the_tv_shows_its_groups(browser, live_server, world):
    """显示屏管理: the 中心管理员 adds a screen for queue A paging every 15 s (a bad code and interval are refused
    beside their fields first); its address on a 1920×1080 TV shows queue A only, fits without scrolling and
    pages at its own interval. The screen above a counter fits a 1920×1080 TV and a 1366×768 one too."""
    from zhengwu.hall.models import HallScreen

    w = world
    manager = _officer_context(browser, live_server, w.admin.user)
    page = manager.new_page()
    page.goto("/hall/SFXZW/screens/")
    form = page.get_by_test_id("screen-form")
    form.get_by_label("屏幕编号").fill("一楼")
    form.get_by_label("屏幕名称").fill("一楼东侧叫号屏")
    form.get_by_label("翻页间隔（秒）").fill("1")
    form.get_by_role("button", name="新增显示屏").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("屏幕编号")
    expect(summary).to_contain_text("翻页间隔应为5至120秒")
    assert HallScreen.objects.count() == 0
    form = page.get_by_test_id("screen-form")
    expect(form.get_by_label("屏幕名称")).to_have_value("一楼东侧叫号屏")
    form.get_by_label("屏幕编号").fill("1f-east")
    form.get_by_label("翻页间隔（秒）").fill("15")
    form.get_by_label("A 市场准入").check()
    form.get_by_role("button", name="新增显示屏").click()
    expect(page.locator(".messages")).to_contain_text("已新增显示屏")
    row = page.get_by_test_id("screen-1F-EAST")
    expect(row).to_contain_text("A 市场准入")
    address = row.locator("a.mono").get_attribute("href")
    assert address == "/hall/SFXZW/board/1F-EAST/"
    manager.close()

    tv_context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                     viewport={"width": 1920, "height": 1080})
    tv = tv_context.new_page()
    tv.goto(address)
    expect(tv.locator("h1")).to_contain_text("一楼东侧叫号屏")
    numbers = sorted(tv.locator("#board-windows .w-no").all_inner_texts())
    assert [n.replace("号窗口", "").strip() for n in numbers] == ["01", "02"]
    assert tv.locator("#board-groups li").count() == 1
    assert tv.evaluate("JSON.parse(document.getElementById('board-config').textContent).page_seconds") == 15
    assert tv.evaluate("[document.documentElement.scrollHeight <= innerHeight,"
                       " document.documentElement.scrollWidth <= innerWidth]") == [True, True]

    for width, height in [(1920, 1080), (1366, 768)]:
        tv.set_viewport_size({"width": width, "height": height})
        tv.goto(f"/hall/window/{w.w1.pk}/screen/")
        assert tv.evaluate("[document.documentElement.scrollHeight <= innerHeight,"
                           " document.documentElement.scrollWidth <= innerWidth]") == [True, True], (width, height)
        tv.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_window_screen_{width}.png")
    tv_context.close()
