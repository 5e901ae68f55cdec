"""Bundles (联办事项 / 一件事): drafts, publishing and versioning like items, and every refusal leaves the
bundle as it was."""

import pytest

from zhengwu.catalog.bundles import bundle_create_draft, bundle_publish, bundle_set_status, bundle_upsert
from zhengwu.catalog.models import Bundle, BundleMember, BundleVersion, ItemVersion
from zhengwu.catalog.selectors import bundle_materials, member_limit
from zhengwu.catalog.services import item_upsert
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return f.bundle_items()


def _state():
    """Everything a refused write could have touched."""
    return (list(Bundle.objects.values_list("code", "name", "current_id", "status").order_by("code")),
            list(BundleVersion.objects.values_list("id", "state", "name", "promised_days", "published_at")
                 .order_by("id")),
            list(BundleMember.objects.values_list("version_id", "seq", "item_id", "promised_days").order_by("id")),
            AuditEvent.objects.count())


def _draft(items, code="BD-1", **fields):
    return bundle_create_draft(code=code, name="开办餐饮店", lead_department=items["scj"],
                               fields={"promised_days": 10, "deemed": True, **fields},
                               members=[items["food"], items["health"], items["sign"]])


def test_a_draft_published_becomes_current_with_its_members(items):
    draft = _draft(items)
    assert (draft.state, draft.version, Bundle.objects.get(code="BD-1").current) == ("draft", 1, None)
    published = bundle_publish(version=draft, note="首次发布")
    bundle = Bundle.objects.get(code="BD-1")
    assert (bundle.current, bundle.name, published.state, published.change_note) == (
        published, "开办餐饮店", "published", "首次发布")
    assert [m.item.impl_code for m in published.members.all()] == ["B-FOOD", "B-HEALTH", "B-SIGN"]
    assert AuditEvent.objects.filter(action="publish", object_type="catalog.bundleversion").count() == 1


def test_a_new_version_supersedes_the_old_one_which_stays_unchanged(items):
    v1 = bundle_publish(version=_draft(items))
    draft = bundle_create_draft(code="BD-1", fields={"promised_days": 12}, members=[items["food"], items["sign"]])
    assert (draft.version, draft.name, draft.deemed) == (2, "开办餐饮店", True)  # copied from v1
    assert bundle_create_draft(code="BD-1") == draft  # the open draft, not a second one
    v2 = bundle_publish(version=draft)
    v1.refresh_from_db()
    assert (v1.state, v1.promised_days, [m.item.impl_code for m in v1.members.all()]) == (
        "superseded", 10, ["B-FOOD", "B-HEALTH", "B-SIGN"])
    assert (v2.state, v2.promised_days, v2.members.count()) == ("published", 12, 2)
    assert Bundle.objects.get(code="BD-1").current == v2


def test_a_copied_draft_keeps_the_members(items):
    bundle_publish(version=_draft(items))
    draft = bundle_create_draft(code="BD-1", fields={"description": "新说明"})
    assert [(m.seq, m.item.impl_code) for m in draft.members.all()] == [
        (1, "B-FOOD"), (2, "B-HEALTH"), (3, "B-SIGN")]


@pytest.mark.parametrize(("change", "message"), [
    ({"members": "one"}, "联办事项至少包含2个成员事项"),
    ({"members": "dup"}, "成员事项「食品经营许可」重复"),
    ({"lead": "wjj_not_member"}, "牵头部门应至少实施一个成员事项"),
    ({"fields": {"promised_days": 0}}, "联办事项的承诺时限应大于0个工作日"),
    ({"members": "too_long"}, "成员事项「公共场所卫生许可」的本部门时限（11个工作日）不得超过联办承诺时限（10个工作日）"),
    ({"members": "suspended"}, "成员事项「设置户外招牌审批」当前不在用（已暂停或取消），不能纳入联办"),
])
def test_publishing_refuses_a_bad_bundle_and_changes_nothing(items, change, message):
    bundle_publish(version=_draft(items))
    members = [items["food"], items["health"], items["sign"]]
    lead = items["scj"]
    if change.get("members") == "one":
        members = [items["food"]]
    elif change.get("members") == "dup":
        members = [items["food"], {"item": items["food"], "seq": 2}, items["sign"]]
    elif change.get("members") == "too_long":
        members = [items["food"], {"item": items["health"], "promised_days": 11}]
    elif change.get("members") == "suspended":
        item_upsert(impl_code="B-SIGN", department=items["cgj"],
                    fields=f.item_fields(name="设置户外招牌审批", promised_limit=3, status="suspended"),
                    steps=f.steps(), materials=[], fees=[])
    if change.get("lead"):
        lead, members = items["wjj"], [items["food"], items["sign"]]
    before = _state()
    try:
        draft = bundle_create_draft(code="BD-1", lead_department=lead, fields=change.get("fields", {}),
                                    members=members)
    except DomainError as exc:  # a duplicate is refused already when the draft is written
        assert (exc.code, exc.message) == ("invalid_bundle", message)
        assert _state() == before
        return
    before = _state()
    with pytest.raises(DomainError) as exc:
        bundle_publish(version=draft)
    assert (exc.value.code, exc.value.message) == ("invalid_bundle", message)
    assert _state() == before
    assert Bundle.objects.get(code="BD-1").current.version == 1


def test_an_unpublished_member_item_is_refused(items):
    from zhengwu.catalog.services import item_create

    draft_item = item_create(impl_code="B-NEW", department=items["scj"], name="新事项")
    with pytest.raises(DomainError) as exc:
        bundle_upsert(code="BD-2", fields={"name": "x", "lead_department": items["scj"], "promised_days": 5},
                      members=[items["food"], draft_item.item])
    assert exc.value.message == "成员事项「新事项」尚未发布"
    assert not Bundle.objects.filter(code="BD-2").exists()


def test_only_a_draft_is_published(items):
    v1 = bundle_publish(version=_draft(items))
    before = _state()
    with pytest.raises(DomainError) as exc:
        bundle_publish(version=v1)
    assert exc.value.code == "not_draft"
    assert _state() == before


def test_a_new_bundle_needs_a_name_and_a_lead(items):
    with pytest.raises(DomainError, match="名称不能为空"):
        bundle_create_draft(code="BD-9", lead_department=items["scj"])
    with pytest.raises(DomainError, match="请指定牵头部门"):
        bundle_create_draft(code="BD-9", name="某事")
    assert not Bundle.objects.filter(code="BD-9").exists()


def test_upsert_publishes_only_when_the_content_changes(items):
    bundle = f.bundle(items=items)
    fields = {"name": "开办餐饮店", "lead_department": items["scj"], "mode": "notify", "promised_days": 10,
              "deemed": True, "absent_deemed": True, "inspection_stops_clock": False, "max_inspection_rounds": 2,
              "project_stage": 0, "description": "一次告知、一表申请、一窗受理、并联审批"}
    members = [items["food"], items["health"], {"item": items["sign"], "promised_days": 3}]
    assert bundle_upsert(code=bundle.code, fields=fields, members=members) == (bundle, False)
    assert bundle.versions.count() == 1
    _, changed = bundle_upsert(code=bundle.code, fields={**fields, "mode": "meeting"}, members=members)
    assert changed and bundle.versions.count() == 2
    assert Bundle.objects.get(pk=bundle.pk).current.mode == "meeting"


def test_member_limit_is_the_members_own_or_the_shorter_of_item_and_bundle(items):
    bundle = f.bundle(items=items, promised_days=6)
    food, health, sign = bundle.current.members.order_by("seq")
    # food: item promises 5 → 5; health: item 8, bundle 6 → 6; sign: set to 3 on the member
    assert [member_limit(m) for m in (food, health, sign)] == [5, 6, 3]


def test_member_limit_counts_a_calendar_day_promise_in_working_days(items):
    item_upsert(impl_code="B-HEALTH", department=items["wjj"],
                fields=f.item_fields(name="公共场所卫生许可", promised_limit=14, promised_limit_unit="calendar_day",
                                     legal_limit=20, legal_limit_unit="calendar_day"),
                steps=f.steps(), materials=[], fees=[])
    bundle = f.bundle(items=items, promised_days=15)
    health = bundle.current.members.get(item__impl_code="B-HEALTH")
    assert member_limit(health) == 10


def test_combined_materials_ask_a_shared_material_once(items):
    bundle = f.bundle(items=items)
    names = [m.name for m in bundle_materials(bundle.current)]
    assert names == ["食品经营许可申请书", "营业执照", "卫生许可申请书"]
    licence = next(m for m in bundle_materials(bundle.current) if m.name == "营业执照")
    assert licence.necessity == "required" and len(licence.uses) == 3  # conditional for food, required elsewhere


def test_a_suspended_bundle_is_not_listed(items):
    from zhengwu.catalog.selectors import bundle_list

    bundle = f.bundle(items=items)
    assert list(bundle_list()) == [bundle]
    bundle_set_status(bundle=bundle, status=ItemVersion.Status.SUSPENDED)
    assert list(bundle_list()) == []
