"""GET /api/catalog/bundles and /bundles/{code}: the contract the joint cases and the public read."""

import pytest

from zhengwu.catalog.bundles import bundle_set_status

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle():
    return f.bundle()


def test_the_list_gives_lead_members_limits_and_combined_materials(client, bundle):
    r = client.get("/api/catalog/bundles")  # public: no login
    assert r.status_code == 200, r.content
    (body,) = r.json()
    assert {k: body[k] for k in ("code", "name", "version", "lead_department", "mode", "mode_label", "promised_days",
                                 "deemed", "absent_deemed", "project_stage", "project_stage_label")} == {
        "code": "BD-FOOD", "name": "开办餐饮店", "version": 1, "lead_department": "县市场监督管理局",
        "mode": "notify", "mode_label": "抄告制（牵头部门抄告，各部门并联审查）", "promised_days": 10, "deemed": True,
        "absent_deemed": True, "project_stage": 0, "project_stage_label": "不属于工程建设项目阶段"}
    assert body["members"] == [
        {"seq": 1, "item_code": "B-FOOD", "item_name": "食品经营许可", "department": "县市场监督管理局", "limit_days": 5},
        {"seq": 2, "item_code": "B-HEALTH", "item_name": "公共场所卫生许可", "department": "县卫生健康局",
         "limit_days": 8},
        {"seq": 3, "item_code": "B-SIGN", "item_name": "设置户外招牌审批", "department": "县城市管理局", "limit_days": 3},
    ]
    assert [(m["name"], m["necessity"], m["item_codes"]) for m in body["materials"]] == [
        ("食品经营许可申请书", "required", ["B-FOOD"]),
        ("营业执照", "required", ["B-FOOD", "B-HEALTH", "B-SIGN"]),
        ("卫生许可申请书", "required", ["B-HEALTH"]),
    ]


def test_the_detail_adds_the_guide_fields(client, bundle):
    body = client.get("/api/catalog/bundles/BD-FOOD").json()
    assert (body["description"], body["inspection_stops_clock"], body["max_inspection_rounds"]) == (
        "一次告知、一表申请、一窗受理、并联审批", False, 2)
    assert body["published_at"]


def test_an_unknown_bundle_is_a_chinese_404(client, bundle):
    r = client.get("/api/catalog/bundles/NOPE")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "未找到该联办事项，可能已取消或尚未发布"}


def test_search_by_member_item_initials_department_and_stage(client, bundle):
    items = {"scj": bundle.current.lead_department}
    codes = lambda params: [b["code"] for b in client.get("/api/catalog/bundles", params).json()]  # noqa: E731
    assert codes({"q": "ggcswsxk"}) == ["BD-FOOD"]  # 公共场所卫生许可, a member
    assert codes({"q": "餐饮"}) == ["BD-FOOD"]
    assert codes({"q": "护照"}) == []
    assert codes({"department_id": items["scj"].id}) == ["BD-FOOD"]
    assert codes({"stage": 0}) == ["BD-FOOD"]
    assert codes({"stage": 3}) == []
    bundle_set_status(bundle=bundle, status="suspended")
    assert codes({}) == []


@pytest.mark.parametrize("params", [
    {"offset": -1}, {"offset": 99999999999999999999}, {"limit": 0}, {"limit": 1001}, {"stage": 9},
    {"stage": "施工"}, {"q": "食" * 201}, {"department_id": 0},
])
def test_out_of_range_queries_are_refused_naming_the_parameter(client, bundle, params):
    r = client.get("/api/catalog/bundles", params)
    assert r.status_code == 422, r.content
    assert sorted(d["field"] for d in r.json()["details"]) == sorted(params)


def test_mode_and_stage_are_enums_in_the_openapi(client):
    schema = client.get("/api/openapi.json").json()
    parts = schema["components"]["schemas"]
    props = parts["BundleOut"]["properties"]

    def enum(prop):
        ref = prop.get("$ref") or next(x["$ref"] for x in prop.get("allOf", prop.get("anyOf", [])) if "$ref" in x)
        return parts[ref.rsplit("/", 1)[1]]["enum"]

    assert enum(props["mode"]) == ["notify", "meeting"]
    assert enum(props["project_stage"]) == [0, 1, 2, 3, 4, 5]
    assert "/api/catalog/bundles/{code}" in schema["paths"]


def test_the_list_reads_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    items = f.bundle_items()
    for i in range(3):
        f.bundle(code=f"BD-{i}", items=items)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/catalog/bundles").json()) == 3
