"""村务公开 pages and API: masking on the public page, the printable board and the API (full data only for the
village's staff), the form and the API refusing a table that does not add up, and the town's view."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.disclosure.models import (
    FinanceLine,
    Publication,
    VillageCategory,
    VillageDisclosure,
    VillagePeriod,
)
from zhengwu.disclosure.services.village import village_periods_open
from zhengwu.supervision.models import Clock

from .village_factories import RELIEF, enter, publish, village_world

pytestmark = pytest.mark.django_db
D = dt.date
FULL_NAMES = ["张小三", "欧阳娜娜", "李四"]


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


@pytest.fixture
def w():
    world = village_world()
    with clock.frozen(D(2026, 10, 9)):
        world.relief = publish(world, enter(world, "relief"))
        world.finance = publish(world, enter(world))
        world.draft = enter(world, "party_org", content="本季度召开支部委员会3次，党员大会1次。")
    return world


def get(client, url, user=None, status=200):
    if user is not None:
        client.force_login(user)
    resp = client.get(url)
    assert resp.status_code == status, resp.content[:400]
    return resp.content.decode()


def assert_masked(text):
    for name in FULL_NAMES[:2]:
        assert name not in text
    for h in RELIEF:
        assert h.id_number not in text
    assert "张*三" in text and "欧阳*娜" in text


def test_the_public_page_and_the_board_show_masked_names_and_id_numbers(w, client):
    with clock.frozen(D(2026, 10, 12)):
        page = get(client, reverse("disclosure:village_disclosure", args=["DGC", w.relief.pk]))
        assert_masked(page)
        assert RELIEF[0].id_number[:4] + "**********" + RELIEF[0].id_number[-4:] in page
        board = get(client, reverse("disclosure:village_board", args=["DGC", "2026Q3"]))
    assert_masked(board)
    assert "东关村村民委员会村务公开栏" in board and "2026年第三季度" in board
    assert "24,499.50" in board and "财务收支" in board and "低保、特困供养和临时救助名单" in board
    assert "disclosure/village.css" in board and "size: A3 portrait" in board
    assert "本季度召开支部委员会" not in board  # a draft is on no public page
    css = (Path(__file__).parents[1] / "static/disclosure/village.css").read_text()
    printed = css[css.index("@media print"):]
    assert "nav" in printed and ".site-header" in printed and "display: none" in printed
    assert "font-size: 16pt" in printed and "font-size: 14" not in printed
    home = get(client, reverse("disclosure:village", args=["DGC"]))
    assert "东关村2026年第三季度财务收支公开" in home and "党务公开目录" in home
    assert_masked(home + get(client, reverse("disclosure:publication", args=["DGC", w.relief.publication.pk])))
    get(client, reverse("disclosure:village_disclosure", args=["DGC", w.draft.pk]), status=404)
    get(client, reverse("disclosure:village_board", args=["DGC", "2026Q9"]), status=404)
    get(client, reverse("disclosure:village", args=["SFXSCJ"]), status=404)
    assert 'href="/gk/DGC/village/"' in get(client, reverse("disclosure:body", args=["DGC"]))


def test_the_full_list_only_for_the_villages_own_staff(w, client):
    url = reverse("disclosure:village_work_disclosure", args=[w.relief.pk])
    page = get(client, url, w.clerk.user)
    assert all(n in page for n in FULL_NAMES) and RELIEF[0].id_number in page
    get(client, url, w.clerk2.user, status=404)  # another village's 文书
    get(client, url, w.town_supervisor.user, status=404)


def test_the_api_masks_for_the_public_and_gives_the_villages_staff_everything(w, client):
    resp = client.get(f"/api/disclosure/village-disclosures/{w.relief.pk}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["full"] is False and [r["name"] for r in body["relief"]] == ["张*三", "欧阳*娜", "李*"]
    assert body["relief"][0]["id_number"] == RELIEF[0].id_number[:4] + "*" * 10 + RELIEF[0].id_number[-4:]
    assert_masked(str(body))
    listing = client.get("/api/disclosure/villages/DGC/disclosures").json()
    assert {d["category"] for d in listing} == {"relief", "finance"}
    assert_masked(str(listing))
    other = client.get(f"/api/disclosure/village-disclosures/{w.relief.pk}", headers=token(w.clerk2.user)).json()
    assert other["full"] is False
    mine = client.get(f"/api/disclosure/village-disclosures/{w.relief.pk}", headers=token(w.clerk.user)).json()
    assert mine["full"] is True and [r["name"] for r in mine["relief"]] == FULL_NAMES
    assert client.get(f"/api/disclosure/village-disclosures/{w.draft.pk}").status_code == 404
    fin = client.get(f"/api/disclosure/village-disclosures/{w.finance.pk}").json()
    assert (fin["period"], fin["opening_balance"], fin["closing_balance"], fin["status"]) == (
        "2026Q3", "12000.00", "24499.50", "published")
    assert [ln["item"] for ln in fin["income"]] == ["上级转移支付", "集体土地承包费"]


def test_the_api_enters_and_publishes_and_refuses_a_table_that_does_not_add_up(w, client):
    before = [m.objects.count() for m in (Publication, VillageDisclosure, FinanceLine, VillagePeriod, Clock)]
    payload = {"body_code": "XGC", "category": "finance", "period": "2026Q3", "finance": {
        "opening_balance": "100.00", "income_total": "50", "expense_total": "30", "closing_balance": "120",
        "income": [{"item": "集体收入", "amount": "50"}], "expense": [{"item": "办公费", "amount": "20"}]}}
    headers = token(w.clerk2.user)
    with clock.frozen(D(2026, 10, 12)):
        resp = client.post("/api/disclosure/village-disclosures", payload, content_type="application/json",
                           headers=headers)
        assert resp.status_code == 400
        assert resp.json()["code"] == "totals"
        assert "支出明细合计20.00元，与填报的本期支出合计30.00元不符" in resp.json()["message"]
        assert [m.objects.count() for m in (Publication, VillageDisclosure, FinanceLine, VillagePeriod, Clock)] == before
        too_long = {**payload, "title": "长" * 201}
        assert client.post("/api/disclosure/village-disclosures", too_long, content_type="application/json",
                           headers=headers).status_code == 422
        payload["finance"]["expense"][0]["amount"] = "30"
        resp = client.post("/api/disclosure/village-disclosures", payload, content_type="application/json",
                           headers=headers)
        assert resp.status_code == 201, resp.content
        pk = resp.json()["id"]
        for action in ("submit", "approve", "sign", "publish"):
            resp = client.post(f"/api/disclosure/village-disclosures/{pk}/actions/{action}", {},
                               content_type="application/json", headers=headers)
            assert resp.status_code == 200, resp.content
        assert (resp.json()["status"], resp.json()["late"], resp.json()["published_on"]) == (
            "published", True, "2026-10-12")
        bad = client.post(f"/api/disclosure/village-disclosures/{pk}/actions/explode", {},
                          content_type="application/json", headers=headers)
        assert bad.status_code == 422
        again = client.post(f"/api/disclosure/village-disclosures/{pk}/actions/publish", {},
                            content_type="application/json", headers=headers)
        assert again.status_code == 409
    cats = client.get("/api/disclosure/village-categories").json()
    assert cats[0]["code"] == "finance" and cats[0]["cadence"] == "quarter"


def test_the_form_refuses_a_table_that_does_not_add_up_and_writes_nothing(w, client):
    client.force_login(w.clerk2.user)
    url = reverse("disclosure:village_new", args=["XGC"]) + "?category=finance"
    form = {"period": "2026Q3", "opening_balance": "1000", "income_total": "300", "expense_total": "200",
            "closing_balance": "1200", "in_item_1": "承包费", "in_amount_1": "300", "out_item_1": "水电费",
            "out_amount_1": "200"}
    before = Publication.objects.count()
    with clock.frozen(D(2026, 10, 9)):
        assert "2026年第三季度" in get(client, url)
        resp = client.post(url, form)
    assert resp.status_code == 400
    assert "期初余额1,000.00元＋本期收入300.00元－本期支出200.00元＝1,100.00元，与填报的期末余额1,200.00元不符" in \
        resp.content.decode()
    assert Publication.objects.count() == before
    with clock.frozen(D(2026, 10, 9)):
        resp = client.post(url, {**form, "closing_balance": "1100"})
    assert resp.status_code == 302
    assert VillageDisclosure.objects.get(publication__body=w.village2).closing_balance == 1100


def test_the_towns_view_has_every_village_and_category_with_its_status(w, client):
    VillageCategory.objects.exclude(code__in=["finance", "relief", "party_org"]).update(is_active=False)
    with clock.frozen(D(2026, 10, 9)):
        village_periods_open(today=D(2026, 10, 9))
    with clock.frozen(D(2026, 10, 12)):
        page = get(client, reverse("disclosure:village_town", args=[w.town_region.code]), w.town_supervisor.user)
        api = client.get(f"/api/disclosure/towns/{w.town_region.code}/village-status",
                         headers=token(w.town_supervisor.user)).json()
    assert [r["body"] for r in api] == ["DGC", "XGC"]
    status = {(r["body"], c["category"]): c["status"] for r in api for c in r["cells"]}
    assert status == {("DGC", "finance"): "published", ("DGC", "relief"): "published",
                      ("DGC", "party_org"): "overdue",  # a draft does not count
                      ("XGC", "finance"): "overdue", ("XGC", "relief"): "overdue", ("XGC", "party_org"): "overdue"}
    assert 'data-count="overdue">已逾期 4' in page and 'data-count="published">已公开 2' in page
    with clock.frozen(D(2026, 10, 8)):
        early = {(r["body"], c["category"]): c["status"] for r in client.get(
            f"/api/disclosure/towns/{w.town_region.code}/village-status").json() for c in r["cells"]}
        assert early[("XGC", "finance")] == "due_soon"
    with clock.frozen(D(2026, 9, 2)):
        july = {c["category"]: (c["period_label"], c["status"]) for c in client.get(
            f"/api/disclosure/towns/{w.town_region.code}/village-status").json()[1]["cells"]}
    assert july["finance"] == ("2026年第二季度", "overdue")
    get(client, reverse("disclosure:village_town", args=[w.town_region.code]), w.clerk2.user, status=403)
    get(client, reverse("disclosure:village_towns"), w.town_supervisor.user, status=302)


def test_the_openapi_names_the_actions_and_statuses_as_enums(client):
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/disclosure/village-disclosures/{pk}/actions/{action}"]["post"]
    (action,) = [p for p in op["parameters"] if p["name"] == "action"]
    enum = action["schema"]
    if "$ref" in enum:
        enum = schema["components"]["schemas"][enum["$ref"].rsplit("/", 1)[1]]
    elif "allOf" in enum:
        enum = schema["components"]["schemas"][enum["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert enum["enum"] == ["submit", "approve", "return", "sign", "publish"]
    status = schema["components"]["schemas"]["GkVillageStatus"]["enum"]
    assert status == ["published", "published_late", "not_due", "due_soon", "overdue"]
    household = schema["components"]["schemas"]["HouseholdIn"]["properties"]
    assert (household["name"]["maxLength"], household["id_number"]["maxLength"]) == (30, 18)
