"""Bundles in the Chinese admin: add one, fill in its draft with member items, publish; published versions
are read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengwu.catalog.models import Bundle, BundleVersion

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="root", password="pass-123456"))
    return client


@pytest.mark.parametrize("model", ["bundle", "bundleversion"])
def test_lists_open(admin_client, model):
    f.bundle()
    assert admin_client.get(f"/admin/catalog/{model}/").status_code == 200


def _inline(version, rows):
    data = {"members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000"}
    for i, (seq, item, days) in enumerate(rows):
        data.update({f"members-{i}-seq": seq, f"members-{i}-item": item.pk, f"members-{i}-promised_days": days,
                     f"members-{i}-version": version.pk})
    return data


def test_adding_a_bundle_filling_its_draft_and_publishing(admin_client):
    items = f.bundle_items()
    response = admin_client.post("/admin/catalog/bundle/add/", {
        "code": "YJS-001", "name": "开办餐饮店", "lead_department": items["scj"].pk})
    draft = BundleVersion.objects.get(bundle__code="YJS-001")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_bundleversion_change", args=[draft.pk])
    assert (draft.version, draft.state, draft.lead_department, Bundle.objects.get(code="YJS-001").current) == (
        1, "draft", items["scj"], None)
    url = f"/admin/catalog/bundleversion/{draft.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert "成员事项" in html or "联办成员事项" in html
    # publishing the blank draft is refused with the reason, and changes nothing
    response = admin_client.post("/admin/catalog/bundleversion/", {
        "action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "联办事项的承诺时限应大于0个工作日" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"
    form = {"name": "开办餐饮店", "lead_department": items["scj"].pk, "mode": "notify", "promised_days": 10,
            "deemed": "on", "absent_deemed": "on", "max_inspection_rounds": 2, "project_stage": 0,
            "description": "", "change_note": "",
            **_inline(draft, [(1, items["food"], ""), (2, items["health"], ""), (3, items["sign"], 3)])}
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft.members.count() == 3
    admin_client.post("/admin/catalog/bundleversion/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == "published" and Bundle.objects.get(code="YJS-001").current == draft
    # a published version is read-only: its change page shows no save button
    assert 'name="_save"' not in admin_client.get(url).content.decode()


def test_a_new_draft_from_the_current_version(admin_client):
    bundle = f.bundle()
    admin_client.post("/admin/catalog/bundle/", {"action": "new_draft", "_selected_action": [bundle.pk]})
    draft = bundle.versions.get(state="draft")
    assert (draft.version, draft.members.count()) == (2, 3)


def test_a_duplicate_code_is_refused_on_the_form(admin_client):
    bundle = f.bundle()
    response = admin_client.post("/admin/catalog/bundle/add/", {
        "code": bundle.code, "name": "另一件事", "lead_department": bundle.current.lead_department_id})
    assert response.status_code == 200 and f"联办事项编码 {bundle.code} 已存在" in response.content.decode()
    assert Bundle.objects.count() == 1
