"""Every citizen page fits a 360 px phone: no horizontal scrolling of the page (a wide table becomes
cards or scrolls inside its own box). Screenshots go where the other browser tests put theirs."""

from __future__ import annotations

import os

import pytest

from zhengwu.core import clock
from zhengwu.core.testing import browser_log_in as log_in
from zhengwu.hall.tests.factories import at

from .factories import build_site, show_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("ZHENGWU_SCREENSHOT_DIR", "/tmp")
WIDTH, HEIGHT = 360, 740

# The elements sticking out on the right, for the failure message.
WIDE_ELEMENTS = """(limit) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 0.5 && r.width > 0) {
      // an absolutely placed element escapes a clipping box that is not positioned: not counted as clipped
      let p = el.parentElement, clipped = false;
      if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) p = null;
      while (p && p !== document.body) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= limit + 0.5) { clipped = true; break; }
        p = p.parentElement;
      }
      if (clipped) continue;
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      out.push(name + ' → ' + Math.round(r.right) + 'px');
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fits(pg, name: str, too_wide: list[str]) -> None:
    pg.screenshot(path=f"{SCREENSHOT_DIR}/zhengwu_phone_{name}.png", full_page=True)
    width = pg.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        too_wide.append(f"{name} ({pg.url}): {width}px; {'; '.join(pg.evaluate(WIDE_ELEMENTS, WIDTH))}")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_citizen_pages_fit_a_360px_phone(browser, live_server, elder):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT},
                                  is_mobile=True, has_touch=True)
    if elder:  # 长辈版: 20 px text, 48 px controls
        context.add_cookies([{"name": "zw_elder", "value": "1", "url": live_server.url}])
    prefix = "elder_" if elder else ""
    pg = context.new_page()
    pg.set_default_timeout(15000)
    too_wide: list[str] = []
    with clock.frozen(at(9, 30)):
        w = build_site()
        public = [("home", "/"), ("search", "/items/?q=营业执照"), ("guide", "/items/SFX-SCJG-001/"),
                  ("login", "/login/"), ("register", "/register/"), ("progress", "/progress/"),
                  ("trading", "/trading/"), ("intermediary", "/intermediary/"), ("oversight", "/oversight/"),
                  ("appointment", f"/hall/SFXZW/appointments/?item={w.item.pk}&day={clock.today().isoformat()}")]
        for name, url in public:
            pg.goto(url)
            fits(pg, prefix + name, too_wide)
        show_progress(pg, w.supplement.case_no)
        fits(pg, prefix + "progress_result", too_wide)

        log_in(pg, "citizen", "/me/")
        citizen = [("me", "/me/"), ("my_cases", "/my/cases/"), ("my_case_supplement", f"/my/cases/{w.supplement.case_no}/"),
                   ("my_case", f"/my/cases/{w.accepted.case_no}/"), ("apply", "/apply/SFX-SCJG-001/")]
        for name, url in citizen:
            pg.goto(url)
            fits(pg, prefix + name, too_wide)
    context.close()
    assert not too_wide, "wider than a 360 px phone:\n" + "\n".join(too_wide)
