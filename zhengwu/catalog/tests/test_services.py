"""Catalog writes: versioning, validation and the pinyin search keys."""

from decimal import Decimal

import pytest

from zhengwu.catalog import selectors, services
from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db


def fields(**over):
    base = dict(name="食品经营许可证核发", kind="license", legal_limit=20, promised_limit=5, case_type="promised",
                visits=1, online_depth=4, theme="准营准办", handling_tiers=["county"],
                legal_basis="《食品经营许可和备案管理办法》", conditions="具有与经营的食品品种、数量相适应的经营场所")
    base.update(over)
    return base


STEPS = [{"seq": 1, "name": "受理", "role": "window_officer", "days": 1},
         {"seq": 2, "name": "审核", "role": "chief_rep", "days": 3},
         {"seq": 3, "name": "批准", "role": "dept_head", "days": 1}]
MATERIALS = [{"seq": 1, "name": "食品经营许可申请书", "necessity": "required", "form": "both", "source": "申请人自备",
              "copies": 1, "spec": "A4", "notes": "", "acceptance_standard": "签字盖章"}]
FEES = [{"seq": 1, "name": "工本费", "amount": Decimal("10.00"), "unit": "件", "standard": "10元/件",
         "basis": "价费字〔1992〕号", "waivable": True, "waiver_basis": "小微企业免收"}]


@pytest.fixture
def dept():
    return f.department(f.county())


def test_pinyin_keys():
    assert services.pinyin_keys("营业执照") == ("yingyezhizhao", "yyzz")
    assert services.pinyin_keys("B类 证书") == ("bleizhengshu", "blzs")


def test_upsert_creates_and_publishes_version_1(dept):
    item, changed = services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS,
                                         materials=MATERIALS, fees=FEES)
    assert changed is True
    v = item.current
    assert (v.version, v.state, item.name, item.name_initials) == (1, "published", "食品经营许可证核发", "spjyxkzhf")
    assert [s.name for s in v.steps.all()] == ["受理", "审核", "批准"]
    assert v.fees.get().amount == Decimal("10.00")
    assert AuditEvent.objects.filter(action="publish", object_id=str(v.pk)).count() == 1


def test_same_content_changes_nothing(dept):
    services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS, materials=MATERIALS,
                         fees=FEES)
    item, changed = services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS,
                                         materials=MATERIALS, fees=FEES)
    assert changed is False
    assert ItemVersion.objects.count() == 1


def test_a_change_publishes_a_new_version_and_keeps_the_old_one(dept):
    item, _ = services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS,
                                   materials=MATERIALS, fees=FEES)
    old = item.current
    item, changed = services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(promised_limit=3),
                                         steps=STEPS, materials=MATERIALS[:0], fees=FEES)
    assert changed
    old.refresh_from_db()
    assert (old.state, old.promised_limit, old.materials.count()) == ("superseded", 5, 1)
    assert (item.current.version, item.current.promised_limit, item.current.materials.count()) == (2, 3, 0)


def test_draft_copy_then_publish(dept):
    item, _ = services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS,
                                   materials=MATERIALS, fees=FEES)
    draft = services.item_draft_create(item=item)
    assert services.item_draft_create(item=item) == draft  # one open draft per item
    assert (draft.version, draft.state, draft.steps.count(), draft.materials.count()) == (2, "draft", 3, 1)
    draft.name = "食品经营许可证核发（新办）"
    draft.save()
    services.item_publish(version=draft)
    item.refresh_from_db()
    assert (item.current_id, item.name, item.name_initials) == (draft.id, "食品经营许可证核发（新办）", "spjyxkzhfxb")
    with pytest.raises(DomainError, match="只有草稿版本可以发布"):
        services.item_publish(version=draft)


@pytest.mark.parametrize(
    "over,message",
    [
        (dict(name=" "), "事项名称不能为空"),
        (dict(promised_limit=0), "承诺办结时限为0的事项应为即办件"),
        (dict(promised_limit=3, case_type="immediate"), "即办件的承诺办结时限应为0"),
        (dict(promised_limit=25), "承诺办结时限（25）不得超过法定办结时限（20）"),
        (dict(online_depth=8), "网办深度应为1至7级"),
    ],
)
def test_invalid_items_are_refused_and_nothing_is_written(dept, over, message):
    with pytest.raises(DomainError) as exc:
        services.item_upsert(impl_code="SFX-009", department=dept, fields=fields(**over), steps=STEPS,
                             materials=MATERIALS, fees=FEES)
    assert exc.value.message == message
    assert (Item.objects.count(), ItemVersion.objects.count()) == (0, 0)


def test_search_by_chinese_pinyin_and_initials(dept):
    for code, name in [("A1", "个体工商户营业执照办理"), ("A2", "营业执照遗失补领"), ("A3", "食品经营许可证核发")]:
        services.item_upsert(impl_code=code, department=dept, fields=fields(name=name), steps=STEPS,
                             materials=MATERIALS, fees=[])

    def names(q):
        return sorted(i.name for i in selectors.item_search(q=q))

    assert names("yyzz") == ["个体工商户营业执照办理", "营业执照遗失补领"]
    assert names("YYZZ") == ["个体工商户营业执照办理", "营业执照遗失补领"]
    assert names("yingyezhizhao") == ["个体工商户营业执照办理", "营业执照遗失补领"]
    assert names("食品") == ["食品经营许可证核发"]
    assert names("") == ["个体工商户营业执照办理", "营业执照遗失补领", "食品经营许可证核发"]


def test_search_finds_common_names_and_ranks_the_best_match_first(dept):
    """营业执照 is what people type; 公司设立登记 and 个体工商户设立登记 are what the catalog calls it."""
    for code, name, keywords in [("B1", "公司设立登记", "营业执照、开公司， 注册公司"),
                                 ("B2", "个体工商户设立登记", "营业执照；开店"),
                                 ("B3", "营业执照遗失补领、换发", ""),
                                 ("B4", "营业执照", ""),
                                 ("B5", "食品经营许可", "开饭店")]:
        services.item_upsert(impl_code=code, department=dept, fields=fields(name=name, keywords=keywords), steps=STEPS,
                             materials=MATERIALS, fees=[])

    def names(q):
        return [i.name for i in selectors.item_search(q=q)]

    # the exact name, then a name starting with it, then the 俗称, each group by 实施编码
    assert names("营业执照") == ["营业执照", "营业执照遗失补领、换发", "公司设立登记", "个体工商户设立登记"]
    assert names("开饭店") == ["食品经营许可"]
    assert names("kfd") == ["食品经营许可"] and names("kaigongsi") == ["公司设立登记"]
    assert names("yyzz")[:2] == ["营业执照", "营业执照遗失补领、换发"] and len(names("yyzz")) == 4
    item = Item.objects.get(impl_code="B1")
    assert (item.keywords, item.keywords_pinyin) == ("营业执照、开公司、注册公司",
                                                     "yingyezhizhao yyzz kaigongsi kgs zhucegongsi zcgs")


def test_suspended_items_leave_the_public_search(dept):
    services.item_upsert(impl_code="A1", department=dept, fields=fields(status="suspended"), steps=STEPS,
                         materials=MATERIALS, fees=[])
    assert list(selectors.item_search(q="spjy")) == []
    assert len(selectors.item_search(q="spjy", include_inactive=True)) == 1


def test_catalog_api(client, dept):
    services.item_upsert(impl_code="SFX-001", department=dept, fields=fields(), steps=STEPS, materials=MATERIALS,
                         fees=FEES)
    rows = client.get("/api/catalog/items", {"q": "spjy"}).json()
    assert [(r["impl_code"], r["promised_limit"], r["case_type"]) for r in rows] == [("SFX-001", 5, "承诺件")]
    detail = client.get("/api/catalog/items/SFX-001").json()
    assert detail["steps"][1] == {"seq": 2, "name": "审核", "role": "chief_rep", "days": 3}
    assert detail["fees"][0]["amount"] == "10.00"
    resp = client.get("/api/catalog/items/NOPE")
    assert resp.status_code == 404 and resp.json()["message"] == "未找到该事项，可能已取消或尚未发布"


def test_search_by_tier(dept):
    services.item_upsert(impl_code="T1", department=dept, fields=fields(name="残疾人证办理", handling_tiers=["county", "town", "village"]),
                         steps=STEPS, materials=MATERIALS, fees=[])
    services.item_upsert(impl_code="T2", department=dept, fields=fields(name="建设工程规划许可", handling_tiers=["county"]),
                         steps=STEPS, materials=MATERIALS, fees=[])
    assert [i.impl_code for i in selectors.item_search(tier="village")] == ["T1"]
    assert [i.impl_code for i in selectors.item_search(tier="county")] == ["T1", "T2"]


def test_new_versions_keep_blank_forms_and_samples(dept):
    from zhengwu.catalog.models import Material

    item, _ = services.item_upsert(impl_code="F1", department=dept, fields=fields(), steps=STEPS,
                                   materials=MATERIALS, fees=[])
    Material.objects.filter(version=item.current).update(blank_form="catalog/forms/apply.docx",
                                                         sample="catalog/samples/apply.pdf")
    item, _ = services.item_upsert(impl_code="F1", department=dept, fields=fields(promised_limit=4), steps=STEPS,
                                   materials=MATERIALS, fees=[])
    m = item.current.materials.get()
    assert (m.blank_form.name, m.sample.name) == ("catalog/forms/apply.docx", "catalog/samples/apply.pdf")
    draft = services.item_draft_create(item=item)
    assert draft.materials.get().blank_form.name == "catalog/forms/apply.docx"
