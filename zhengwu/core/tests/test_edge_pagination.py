"""``limit`` and ``offset`` out of range are a Chinese 422 naming the parameter, never a 500 (issue 11)."""

from __future__ import annotations

import pytest

from zhengwu.cases.tests.factories import build_world
from zhengwu.core.pagination import MAX_LIMIT, MAX_OFFSET

from .test_edge_input import bearer

pytestmark = pytest.mark.django_db
w = pytest.fixture(build_world, name="w")


def test_negative_limit_and_offset_are_refused_naming_both(client, w):
    r = client.get("/api/org/regions?limit=-5&offset=-5")
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        422, "invalid_input", "查询参数“limit”不能小于1；查询参数“offset”不能小于0")


@pytest.mark.parametrize("query, message", [
    ("offset=99999999999999999999", f"查询参数“offset”不能大于{MAX_OFFSET}"),
    (f"limit={MAX_LIMIT + 1}", f"查询参数“limit”不能大于{MAX_LIMIT}"),
    ("limit=abc", "查询参数“limit”应为整数"),
    ("offset=" + "9" * 5000, "查询参数“offset”数值超出范围"),
])
def test_out_of_range_values_are_422(client, w, query, message):
    r = client.get(f"/api/supervision/cards?{query}", headers=bearer(w.leader.user))
    assert (r.status_code, r.json()["message"]) == (422, message)


def test_limit_and_offset_page_through_a_list_in_order(client, w):
    codes = [r["code"] for r in client.get("/api/org/regions").json()]
    assert codes == ["130621000000", "130621100000", "130621100201"]
    assert [r["code"] for r in client.get("/api/org/regions?limit=1&offset=1").json()] == ["130621100000"]
    assert client.get(f"/api/org/regions?offset={MAX_OFFSET}").json() == []
    staff = client.get("/api/org/staff?limit=2&offset=1", headers=bearer(w.leader.user)).json()
    assert [s["employee_no"] for s in staff] == ["1002", "1003"]


@pytest.mark.parametrize("path", ["/api/catalog/items", "/api/cases"])
@pytest.mark.parametrize("query, field, kind, message", [
    ("offset=-1", "offset", "greater_than_equal", "查询参数“offset”不能小于0"),
    ("offset=99999999999999999999", "offset", "less_than_equal", f"查询参数“offset”不能大于{MAX_OFFSET}"),
    (f"limit={MAX_LIMIT + 1}", "limit", "less_than_equal", f"查询参数“limit”不能大于{MAX_LIMIT}"),
])
def test_cases_and_catalog_lists_use_the_shared_bounds(client, w, path, query, field, kind, message):
    r = client.get(f"{path}?{query}", headers=bearer(w.citizen))
    assert (r.status_code, r.json()) == (422, {"code": "invalid_input", "message": message, "details": [
        {"field": field, "in": "query", "type": kind, "message": message}]})
