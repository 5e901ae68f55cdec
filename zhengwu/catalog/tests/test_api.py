"""The public catalog API: paging and filters out of range are a 422 naming the parameter, never a
500 (issue 11); the item detail tells an extension's limit."""

import pytest

from . import factories as f

pytestmark = pytest.mark.django_db


def fields(r) -> list[str]:
    assert r.status_code == 422, r.content
    return [d["field"] for d in r.json()["details"]]


@pytest.mark.parametrize("params", [
    {"offset": -1}, {"offset": 99999999999999999999}, {"limit": -5}, {"limit": 0}, {"limit": 1001},
    {"offset": 10_000_001}, {"limit": -5, "offset": -5}, {"kind": "licence"}, {"tier": "province"},
    {"q": "食" * 201}, {"theme": "题" * 33}, {"department_id": 0},
])
def test_out_of_range_queries_are_refused_naming_the_parameter(client, params):
    f.item()
    r = client.get("/api/catalog/items", params)  # public: no login
    assert sorted(fields(r)) == sorted(params)


def test_paging_and_filters_within_bounds(client):
    f.item(impl_code="A-1")
    f.item(impl_code="A-2", name="公共场所卫生许可", kind="public_service", handling_tiers=["county"])
    codes = [x["impl_code"] for x in client.get("/api/catalog/items", {"limit": 1000, "offset": 0}).json()]
    assert codes == ["A-1", "A-2"]
    assert client.get("/api/catalog/items", {"limit": 1, "offset": 10_000_000}).json() == []
    assert [x["impl_code"] for x in client.get("/api/catalog/items", {"limit": 1, "offset": 1}).json()] == ["A-2"]
    assert [x["impl_code"] for x in client.get("/api/catalog/items", {"kind": "public_service"}).json()] == ["A-2"]
    assert [x["impl_code"] for x in client.get("/api/catalog/items", {"tier": "town"}).json()] == ["A-1"]


def test_the_kind_and_tier_are_enums_in_the_openapi(client):
    schema = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/catalog/items"]["get"]["parameters"]}
    parts = schema["components"]["schemas"]

    def enum(param):
        ref = param["schema"].get("$ref") or next(x["$ref"] for x in param["schema"]["anyOf"] if "$ref" in x)
        return parts[ref.rsplit("/", 1)[1]]["enum"]

    assert enum(params["tier"]) == ["county", "town", "village"]
    assert enum(params["kind"])[:2] == ["license", "payment"]
    assert (params["limit"]["schema"]["maximum"], params["offset"]["schema"]["maximum"]) == (1000, 10_000_000)


@pytest.mark.parametrize(("overrides", "limit"), [
    ({}, 10),  # 20 working days: 行政许可法第四十二条
    ({"legal_limit": 45, "promised_limit": 30}, 15),  # joint or centralised handling
    ({"max_extension_days": 30}, 30),  # another law's figure, entered in the catalog
    ({"max_extension_days": 0}, 0),  # may not be extended
])
def test_the_item_detail_tells_the_extension_limit(client, overrides, limit):
    f.item(impl_code="B-1", **overrides)
    body = client.get("/api/catalog/items/B-1").json()
    assert (body["max_extension_days"], body["extension_limit"]) == (overrides.get("max_extension_days"), limit)
