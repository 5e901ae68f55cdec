"""axe-core on every public and citizen page, in Chromium: no `serious` or `critical` violation.

axe-core is vendored (zhengwu/core/tests/assets/axe.min.js): nothing is fetched at test time. Each page
is checked as served, and again in 长辈版 (the zw_elder cookie). The build is shared with the 360 px test.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from zhengwu.core import clock
from zhengwu.core.testing import browser_log_in as log_in
from zhengwu.hall.tests.factories import at

from .factories import build_site, show_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = Path(__file__).resolve().parents[2] / "core" / "tests" / "assets" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
FAILING_RULES = {"empty-table-header"}  # minor in axe, but named in issue 18: kept from coming back


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def axe_violations(pg) -> list[dict]:
    """Run axe-core on the page as it is; the serious and critical violations, one line per rule."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.add_script_tag(path=str(AXE_JS))
    started = time.monotonic()
    results = pg.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS or v["id"] in FAILING_RULES]
    others = [f"{v['id']}({v['impact']})" for v in results["violations"] if v not in failing]
    print(f"axe {pg.url} {time.monotonic() - started:.2f}s; not failing: {', '.join(others) or '—'}")
    return failing


def describe(url: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                            for n in v["nodes"][:4])
        summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ")[:200]
        lines.append(f"{url}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {targets} — {summary}")
    return lines


def check(pg, url: str, found: list[str]) -> None:
    found += describe(url, axe_violations(pg))


# the header and footer links of base.html, the search, a guide and the hall's citizen pages
PUBLIC = [
    "/", "/items/?q=营业执照", "/items/SFX-SCJG-001/", "/kpi/", "/progress/", "/login/", "/register/",
    "/gk/", "/ratings/public/", "/trading/", "/intermediary/", "/oversight/", "/commitments/", "/appraisal/public/",
    "/declarations/check", "/declarations/report", "/hotline/progress/", "/hotline/public/",
    "/hall/SFXZW/kiosk/", "/hall/SFXZW/guide/", "/hall/SFXZW/appointments/",
]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_public_and_citizen_pages_have_no_serious_axe_violation(page, live_server, elder):
    if elder:  # 长辈版 (the header switch sets this cookie)
        page.context.add_cookies([{"name": "zw_elder", "value": "1", "url": live_server.url}])
    with clock.frozen(at(9, 30)):
        w = build_site()
        found: list[str] = []
        for url in PUBLIC:
            response = page.goto(url)
            assert response.status < 400, url
            check(page, url, found)
        show_progress(page, w.supplement.case_no)
        check(page, "/progress/ (result)", found)

        log_in(page, "citizen", "/me/")
        citizen = ["/me/", "/my/cases/", f"/my/cases/{w.supplement.case_no}/", f"/my/cases/{w.accepted.case_no}/",
                   "/apply/SFX-SCJG-001/",
                   f"/hall/SFXZW/appointments/?item={w.item.pk}&day={clock.today().isoformat()}"]
        for url in citizen:
            response = page.goto(url)
            assert response.status < 400, url
            check(page, url, found)
    assert not found, "axe-core: serious or critical violations\n" + "\n".join(found)


SMALL_TEXT_JS = """(min) => {
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) out.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px “${el.textContent.trim().slice(0, 16)}”`);
  }
  return out;
}"""


def test_elder_mode_leaves_no_small_text_on_case_pages(page, live_server):
    """长辈版 on the case pages (progress result, 我的办件, a case, the application form with its errors): no
    visible text under 18 px (工信部 适老化 rules: body text at least 18 px), and axe finds nothing serious on
    the form with its errors shown."""
    page.context.add_cookies([{"name": "zw_elder", "value": "1", "url": live_server.url}])
    with clock.frozen(at(9, 30)):
        w = build_site()
        small: list[str] = []
        show_progress(page, w.supplement.case_no)
        small += [f"/progress/ (result): {s}" for s in page.evaluate(SMALL_TEXT_JS, 17.5)]
        log_in(page, "citizen", "/me/")
        for url in ["/my/cases/", f"/my/cases/{w.supplement.case_no}/", f"/my/cases/{w.accepted.case_no}/",
                    "/apply/SFX-SCJG-001/"]:
            page.goto(url)
            small += [f"{url}: {s}" for s in page.evaluate(SMALL_TEXT_JS, 17.5)]
        page.locator("input[name=name]").fill("")
        page.locator("input[name=phone]").fill("123")
        page.get_by_role("button", name="提交申请").click()
        page.get_by_test_id("error-summary").wait_for()
        small += [f"/apply/ (errors): {s}" for s in page.evaluate(SMALL_TEXT_JS, 17.5)]
        found: list[str] = []
        check(page, "/apply/ (errors, 长辈版)", found)
    assert not small, "text under 18 px in 长辈版:\n" + "\n".join(small[:40])
    assert not found, "axe-core: serious or critical violations\n" + "\n".join(found)
