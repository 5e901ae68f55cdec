"""The demo county's bundles: 开办餐饮店, 开办企业 and 新建厂房 in four stages, built idempotently from the
demo's own items."""

import pytest
from django.db import transaction
from django.test import override_settings

from zhengwu.catalog.models import Bundle, BundleMember, BundleVersion
from zhengwu.catalog.selectors import bundle_materials, member_limit
from zhengwu.demo.build import load_demo
from zhengwu.demo.bundles import BUNDLES, build_bundles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield build_bundles()
        transaction.set_rollback(True)


def test_every_demo_bundle_is_published_and_valid(demo):
    assert sorted(demo) == sorted(b.code for b in BUNDLES)
    for code in demo:
        v = Bundle.objects.get(code=code).current
        members = list(v.members.select_related("item", "version"))
        assert v.state == "published" and len(members) >= 2
        assert any(m.item.department_id == v.lead_department_id for m in members), code
        assert all(0 <= member_limit(m) <= v.promised_days for m in members), code


def test_the_restaurant_bundle_spans_several_departments_with_deemed_consent(demo):
    v = Bundle.objects.get(code="YJS-CYD").current
    assert (v.name, v.lead_department.short_name, v.deemed) == ("开办餐饮店", "县市场监管局", True)
    assert v.members.values("item__department").distinct().count() >= 3
    names = [m.name for m in bundle_materials(v)]
    assert len(names) == len(set(names))  # each material once
    assert len(names) < sum(m.item.current.materials.count() for m in v.members.all())  # the licence is shared


def test_the_factory_is_four_stage_bundles_with_their_leads(demo):
    stages = {v.project_stage: (v.name, v.lead_department.short_name)
              for v in BundleVersion.objects.filter(bundle__code__startswith="GCJS-XJCF-", state="published")}
    assert stages == {1: ("新建厂房·立项用地规划许可", "县发改局"), 2: ("新建厂房·工程建设许可", "县自然资源和规划局"),
                      3: ("新建厂房·施工许可", "县住建局"), 4: ("新建厂房·竣工验收", "县住建局")}


def test_a_second_build_changes_nothing(demo):
    before = (BundleVersion.objects.count(), BundleMember.objects.count())
    again = build_bundles()
    assert again == demo
    assert (BundleVersion.objects.count(), BundleMember.objects.count()) == before


def test_the_public_pages_and_api_show_the_demo_bundles(client, demo):
    assert client.get("/catalog/bundles/GCJS-XJCF-3/").status_code == 200
    body = client.get("/api/catalog/bundles", {"stage": 4}).json()
    assert [b["code"] for b in body] == ["GCJS-XJCF-4"]
