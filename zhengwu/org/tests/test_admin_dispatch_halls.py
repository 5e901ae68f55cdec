"""A 热线管理员 picks the town centres and village stations of their own region for the 派单目录's 属地
rules (the hall search and the saved rule), and nothing else about halls in the admin is widened."""

import pytest

from zhengwu.hotline.models import Category, DispatchRule
from zhengwu.hotline.tests.factories import build_world
from zhengwu.org.models import Hall
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    world.far_town = f.hall(f.town(world.other_county, code="130622100000", name="邻县镇"), code="LXZ",
                            kind=Hall.Kind.TOWN_CENTER)
    return world


def search(client, app_label, model_name, field_name, term=""):
    r = client.get("/admin/autocomplete/", {"app_label": app_label, "model_name": model_name,
                                            "field_name": field_name, "term": term})
    assert r.status_code == 200, r.content
    return {int(x["id"]) for x in r.json()["results"]}


def test_the_dispatch_rule_hall_search_offers_the_towns_and_villages_of_the_region(client, w):
    client.force_login(w.admin.user)
    found = search(client, "hotline", "dispatchrule", "hall")
    assert {w.town_hall.pk, w.station.pk} <= found
    assert w.far_town.pk not in found  # another county's town
    assert search(client, "hotline", "dispatchrule", "hall", "DGC") == {w.station.pk}


def test_nothing_else_about_halls_is_widened(client, w):
    client.force_login(w.admin.user)
    assert search(client, "org", "window", "hall") == {w.center.pk}  # any other look-up: their own hall
    page = client.get("/admin/org/hall/").content.decode()
    assert w.town_hall.code not in page and w.station.code not in page
    assert client.get(f"/admin/org/hall/{w.town_hall.pk}/change/").status_code in (302, 404)
    # a town's 中心管理员 keeps their own scope, also from the dispatch-rule look-up
    client.force_login(w.town_admin.user)
    assert search(client, "hotline", "dispatchrule", "hall") == {w.town_hall.pk, w.station.pk}


def _category_post(hall_pk):
    return {
        "code": "XC-09", "name": "村居设施", "description": "", "parent": "", "keywords": "", "urgency": "normal",
        "active": "on", "sort": "100",
        "rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-region": "", "rules-0-department": "", "rules-0-hall": str(hall_pk),
    }


def test_the_hotline_admin_saves_a_village_rule_but_not_another_countys_hall(client, w):
    client.force_login(w.admin.user)
    r = client.post("/admin/hotline/category/add/", _category_post(w.far_town.pk))
    assert r.status_code == 200 and not Category.objects.filter(code="XC-09").exists()
    r = client.post("/admin/hotline/category/add/", _category_post(w.station.pk))
    assert r.status_code == 302, r.content.decode()[:2000]
    rule = DispatchRule.objects.get(category__code="XC-09")
    assert rule.hall == w.station
