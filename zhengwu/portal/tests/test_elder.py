"""长辈版 (适老化): a visible switch in the header (and on the kiosk) that persists, larger type and targets."""

from __future__ import annotations

import pytest

from zhengwu.org.tests import factories as org

pytestmark = pytest.mark.django_db


def test_the_switch_turns_it_on_for_every_page_and_back_off(client):
    page = client.get("/").content.decode()
    assert 'data-testid="elder-switch"' in page and ">长辈版<" in page and "elder.css" not in page
    r = client.get("/elder/", {"on": "1", "next": "/items/?q=低保"})
    assert r.status_code == 302 and r["Location"] == "/items/?q=%E4%BD%8E%E4%BF%9D"
    assert r.cookies["zw_elder"].value == "1" and r.cookies["zw_elder"]["max-age"] == 365 * 24 * 3600
    for url in ["/", "/items/", "/progress/", "/login/"]:
        body = client.get(url).content.decode()
        assert '<body class="elder">' in body and "zhengwu/elder" in body and ">标准版<" in body, url
    hall = org.hall(org.county())
    kiosk = client.get(f"/hall/{hall.code}/kiosk/").content.decode()
    assert "elder.css" in kiosk and " elder" in kiosk and "标准字号" in kiosk
    client.get("/elder/", {"on": "0"})
    assert '<body class="elder">' not in client.get("/").content.decode()


def test_the_switch_never_sends_anyone_to_another_site(client):
    for nxt in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        r = client.get("/elder/", {"on": "1", "next": nxt})
        assert r["Location"] == "/", nxt


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_type_is_large_and_the_choice_persists(page):
    page.goto("/")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"
    page.get_by_test_id("elder-switch").click()
    page.wait_for_url("**/")
    page.goto("/items/")  # a later page keeps it (the cookie)
    sizes = page.evaluate("""() => ({body: getComputedStyle(document.body).fontSize,
        button: document.querySelector('main button') ? document.querySelector('main button').getBoundingClientRect().height : 48,
        contrast: getComputedStyle(document.body).color})""")
    assert sizes["body"] == "20px" and sizes["button"] >= 48 and sizes["contrast"] == "rgb(0, 0, 0)"
    assert page.get_by_test_id("elder-switch").inner_text() == "标准版"
