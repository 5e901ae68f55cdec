"""中心管理员 reach the admin through their role; others do not."""

import pytest

from zhengwu.org.admin_access import GROUP_NAME
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_hall_admin_role_opens_the_admin_and_losing_it_closes_it(client):
    staff = f.staff("3001", Role.HALL_ADMIN, region=f.county(), name="周主任")
    user = staff.user
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=GROUP_NAME).exists()
    assert user.has_perm("catalog.change_itemversion") and user.has_perm("workdays.add_dayoverride")
    assert not user.has_perm("auth.change_user")  # accounts stay with the superuser
    client.force_login(user)
    assert client.get("/admin/catalog/item/").status_code == 200

    staff.roles.remove(Role.objects.get(code=Role.HALL_ADMIN))
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()
    assert client.get("/admin/catalog/item/").status_code == 302  # to the admin login


def test_a_window_officer_gets_no_admin(client):
    staff = f.staff("3002", Role.WINDOW_OFFICER, region=f.county(), name="李窗口")
    staff.user.refresh_from_db()
    assert not staff.user.is_staff
