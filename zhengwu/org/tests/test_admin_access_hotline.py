"""热线管理员 reach the hotline's policy and the Open311 client systems in the admin; never orders,
callers or events. Other roles of the hotline get no admin."""

import pytest
from django.contrib.auth.models import Group

from zhengwu.core.models import AuditEvent
from zhengwu.hotline.tests.factories import build_world
from zhengwu.open311.models import Open311Client
from zhengwu.org.admin_access import CENTER_GROUP_NAME, GROUP_NAME, HOTLINE_GROUP_NAME, reset_admin_group
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db

POLICY_PAGES = [
    "/admin/hotline/category/",
    "/admin/hotline/category/add/",
    "/admin/hotline/article/",
    "/admin/hotline/article/add/",
    "/admin/hotline/timelimitrule/",
    "/admin/hotline/hotlinesetting/",
    "/admin/open311/open311client/",
    "/admin/open311/open311client/add/",
]
PERSONAL = [
    "hotline.view_order",
    "hotline.change_order",
    "hotline.view_orderunit",
    "hotline.view_orderevent",
    "hotline.view_extension",
    "hotline.view_attachment",
    "open311.view_open311request",
    "org.view_staff",
    "org.change_hall",
    "auth.view_user",
    "cases.view_case",
]


@pytest.fixture
def w():
    return build_world()


def test_the_hotline_admin_keeps_the_hotline_policy_and_the_open311_clients(client, w):
    user = w.admin.user
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert sorted(user.groups.values_list("name", flat=True)) == [HOTLINE_GROUP_NAME]
    for perm in (
        "hotline.change_category",
        "hotline.add_dispatchrule",
        "hotline.delete_article",
        "hotline.change_timelimitrule",
        "hotline.change_hotlinesetting",
        "open311.add_open311client",
        "open311.change_open311client",
        "org.view_department",
        "org.view_region",
    ):
        assert user.has_perm(perm), perm
    for perm in (
        *PERSONAL,
        "hotline.add_timelimitrule",
        "open311.delete_open311client",
        "catalog.change_item",
    ):
        assert not user.has_perm(perm), perm
    client.force_login(user)
    for url in POLICY_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/open311/open311request/").status_code == 403
    assert client.get("/admin/org/staff/").status_code == 403


def test_the_hotline_admin_issues_an_open311_key_in_the_admin_with_its_audit_row(client, w):
    client.force_login(w.admin.user)
    r = client.post(
        "/admin/open311/open311client/add/",
        {"name": "随手拍", "jurisdiction": w.county.pk, "active": "on", "posts_per_hour": "100", "note": ""},
    )
    assert r.status_code == 302
    made = Open311Client.objects.get()
    assert (made.name, made.jurisdiction_id, made.posts_per_hour) == ("随手拍", w.county.pk, 100)
    assert AuditEvent.objects.filter(actor=w.admin.user).count() >= 1


@pytest.mark.parametrize("who", ["taker", "officer", "head", "leader"])
def test_other_hotline_roles_get_no_admin(client, w, who):
    user = getattr(w, who).user
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()
    client.force_login(user)
    assert client.get("/admin/hotline/category/").status_code == 302  # to the admin login
    assert client.get("/admin/open311/open311client/").status_code == 302


def test_a_hall_admin_gets_no_hotline_policy(w):
    user = w.town_admin.user
    user.refresh_from_db()
    assert user.is_staff
    assert HOTLINE_GROUP_NAME not in user.groups.values_list("name", flat=True)
    assert not user.has_perm("hotline.change_category") and not user.has_perm("open311.add_open311client")


def test_losing_the_role_closes_the_admin_and_a_second_role_keeps_its_own_groups(client, w):
    staff, user = w.admin, w.admin.user
    staff.roles.add(Role.objects.get(code=Role.HALL_ADMIN))
    user.refresh_from_db()
    assert sorted(user.groups.values_list("name", flat=True)) == sorted(
        [GROUP_NAME, CENTER_GROUP_NAME, HOTLINE_GROUP_NAME]
    )
    staff.roles.remove(Role.objects.get(code=Role.HOTLINE_ADMIN))
    user = type(user).objects.get(pk=user.pk)
    assert sorted(user.groups.values_list("name", flat=True)) == sorted([GROUP_NAME, CENTER_GROUP_NAME])
    assert user.is_staff and not user.has_perm("hotline.change_category")
    staff.roles.remove(Role.objects.get(code=Role.HALL_ADMIN))
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff and not user.groups.exists()
    client.force_login(user)
    assert client.get("/admin/hotline/category/").status_code == 302


def test_a_hotline_admin_who_leaves_loses_the_admin(w):
    staff = w.admin
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    staff.user.refresh_from_db()
    assert not staff.user.is_staff and not staff.user.groups.exists()


def test_migrate_resets_the_hotline_group_to_the_policy(w):
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=HOTLINE_GROUP_NAME)
    group.permissions.add(Permission.objects.get(codename="view_order"))
    reset_admin_group()
    assert not group.permissions.filter(codename="view_order").exists()
    assert group.permissions.filter(codename="change_category").exists()
