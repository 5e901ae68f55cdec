"""中心管理员 reach the admin through their role; others do not."""

import re

import pytest

from zhengwu.org.admin_access import GROUP_NAME
from zhengwu.org.models import Hall, Role, Staff
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


# -- what a 中心管理员 may do there ---------------------------------------------------------------------------


def test_the_group_holds_no_personal_data_and_no_way_to_widen_scope():
    user = f.staff("3003", Role.HALL_ADMIN, region=f.county(), name="周主任").user
    for perm in ("cases.view_case", "cases.view_casematerial", "hall.view_ticket", "hall.view_appointment",
                 "ratings.view_rating", "ratings.change_rectification", "disclosure.view_inforequest",
                 "disclosure.view_requestattachment",
                 "disclosure.add_bodymember", "disclosure.change_publication", "disclosure.change_annualreport",
                 "org.change_role", "org.add_region", "org.change_region", "supervision.view_admonition",
                 "supervision.view_monthlyscore", "supervision.view_accountabilityflag", "hall.view_staffabsence",
                 "hall.view_windowseat", "disclosure.change_bodymember"):
        assert not user.has_perm(perm), perm
    for perm in ("org.view_region", "org.change_staff", "org.change_window", "cases.change_policysetting",
                 "catalog.change_itemversion", "hall.change_windowgroup", "supervision.change_scorerule",
                 "disclosure.view_publication", "disclosure.change_feewaiverreason", "workdays.add_yearnotice"):
        assert user.has_perm(perm), perm


def test_migrate_resets_the_group_to_the_policy():
    from django.contrib.auth.models import Group, Permission

    from zhengwu.org.admin_access import CENTER_GROUP_NAME, admin_group, reset_admin_group

    group = admin_group()
    group.permissions.add(Permission.objects.get(codename="view_case"))
    reset_admin_group()
    assert not group.permissions.filter(codename="view_case").exists()
    assert Group.objects.get(name=GROUP_NAME).permissions.filter(codename="change_window").exists()
    assert Group.objects.get(name=CENTER_GROUP_NAME).permissions.filter(codename="change_itemversion").exists()


@pytest.fixture
def town():
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    center = f.hall(county)
    town_hall = f.hall(town, code="CGZ", kind=Hall.Kind.TOWN_CENTER, name="城关镇便民服务中心")
    station = f.hall(village, code="DGC", kind=Hall.Kind.VILLAGE_STATION, name="东关村便民服务站")
    return {
        "center": center, "town_hall": town_hall, "station": station, "village": village,
        "admin": f.staff("4001", Role.HALL_ADMIN, Role.WINDOW_OFFICER, hall=town_hall, region=town, name="镇主任"),
        "officer": f.staff("4002", Role.WINDOW_OFFICER, hall=town_hall, region=town, name="镇窗口"),
        "agent": f.staff("4003", Role.VILLAGE_AGENT, hall=station, region=village, name="村代办"),
        "county_officer": f.staff("4004", Role.WINDOW_OFFICER, hall=center, region=county, name="县窗口"),
        "leader": f.staff("4005", Role.LEADER, region=county, name="县领导"),
    }


def test_a_town_admin_sees_their_hall_and_its_stations_but_not_themselves(client, town):
    client.force_login(town["admin"].user)
    page = client.get("/admin/org/staff/").content.decode()
    for name in ("镇窗口", "村代办"):
        assert name in page
    for name in ("镇主任", "县窗口", "县领导"):
        assert name not in page
    assert client.get(f"/admin/org/staff/{town['admin'].pk}/change/").status_code == 302  # not found → index
    assert client.get(f"/admin/org/staff/{town['county_officer'].pk}/change/").status_code == 302
    halls = client.get("/admin/org/hall/").content.decode()
    assert "城关镇便民服务中心" in halls and "东关村便民服务站" in halls and "示范县政务服务中心" not in halls
    assert client.get("/admin/org/role/").status_code == 403
    assert client.get("/admin/cases/case/").status_code == 403


def _change_form(client, staff, **over):
    data = {"user": staff.user_id, "employee_no": staff.employee_no, "name": staff.name, "phone": staff.phone,
            "title": staff.title, "region": staff.region_id, "hall": staff.hall_id or "",
            "department": staff.department_id or "", "is_active": "on",
            "roles": [r.pk for r in staff.roles.all()], "windows": []}
    data.update(over)
    return client.post(f"/admin/org/staff/{staff.pk}/change/", {k: v for k, v in data.items() if v is not None})


def test_a_town_admin_grants_only_front_line_roles_and_keeps_their_staff_in_their_halls(client, town):
    officer = town["officer"]
    client.force_login(town["admin"].user)
    form = client.get(f"/admin/org/staff/{officer.pk}/change/").content.decode()
    roles = re.search(r'<select name="roles".*?</select>', form, re.S).group(0)
    assert sorted(re.findall(r">([^<>]+)</option>", roles)) == sorted(["窗口人员", "首席代表", "代办员"])

    supervisor = Role.objects.get(code=Role.SUPERVISOR)
    r = _change_form(client, officer, roles=[Role.objects.get(code=Role.WINDOW_OFFICER).pk, supervisor.pk])
    assert r.status_code == 200 and "errornote" in r.content.decode()
    r = _change_form(client, officer, hall=town["center"].pk)  # move them to the county center
    assert r.status_code == 200 and "errornote" in r.content.decode()
    officer = Staff.objects.get(pk=officer.pk)
    assert officer.hall_id == town["town_hall"].pk and officer.role_codes() == {Role.WINDOW_OFFICER}

    chief = Role.objects.get(code=Role.CHIEF_REP)
    r = _change_form(client, officer, roles=[Role.objects.get(code=Role.WINDOW_OFFICER).pk, chief.pk])
    assert r.status_code == 302
    assert Staff.objects.get(pk=officer.pk).role_codes() == {Role.WINDOW_OFFICER, Role.CHIEF_REP}


def test_roles_the_superuser_gave_survive_a_town_admins_edit(client, town):
    agent = town["agent"]
    agent.roles.add(Role.objects.get(code=Role.SUPERVISOR))  # given by the superuser
    client.force_login(town["admin"].user)
    r = _change_form(client, agent, roles=[Role.objects.get(code=Role.VILLAGE_AGENT).pk], title="村会计、代办员")
    assert r.status_code == 302
    agent = Staff.objects.get(pk=agent.pk)
    assert agent.title == "村会计、代办员" and agent.role_codes() == {Role.VILLAGE_AGENT, Role.SUPERVISOR}


def test_a_town_admin_keeps_their_hall_and_not_the_county_wide_tables(town):
    user = town["admin"].user
    for perm in ("org.change_staff", "org.change_window", "hall.change_windowgroup", "catalog.view_itemversion"):
        assert user.has_perm(perm), perm
    for perm in ("catalog.change_itemversion", "workdays.add_dayoverride", "supervision.change_scorerule",
                 "org.change_department", "disclosure.change_feewaiverreason", "cases.change_policysetting"):
        assert not user.has_perm(perm), perm


def test_a_town_admin_cannot_rename_move_or_recode_their_hall(client, town):
    hall = town["town_hall"]
    client.force_login(town["admin"].user)
    r = client.post(f"/admin/org/hall/{hall.pk}/change/", {
        "code": "XCODE", "name": hall.name, "kind": Hall.Kind.CENTER, "region": town["center"].region_id,
        "address": "城关镇府前街8号", "phone": "0311-86660000", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    hall.refresh_from_db()
    assert (hall.code, hall.kind, hall.region_id, hall.phone) == ("CGZ", Hall.Kind.TOWN_CENTER,
                                                                   town["town_hall"].region_id, "0311-86660000")
    assert client.get("/admin/org/hall/add/").status_code == 403


def test_a_staff_records_account_is_never_re_pointed_by_a_scoped_admin(client, town):
    from django.contrib.auth import get_user_model

    mine = get_user_model().objects.create_user(username="mine", password="x-2026-pass")
    officer = town["officer"]
    client.force_login(town["admin"].user)
    r = _change_form(client, officer, user=mine.pk)
    assert r.status_code == 302
    assert Staff.objects.get(pk=officer.pk).user_id == officer.user_id  # read-only: the post is ignored
    form = client.get("/admin/org/staff/add/").content.decode()
    options = re.search(r'<select name="user".*?</select>', form, re.S).group(0)
    assert "mine" in options and officer.user.username not in options and town["admin"].user.username not in options


def test_moving_a_record_to_another_account_takes_admin_access_from_the_old_one():
    from django.contrib.auth import get_user_model

    staff = f.staff("3010", Role.HALL_ADMIN, region=f.county(), name="旧主任")
    old = staff.user
    new = get_user_model().objects.create_user(username="new-director", password="x-2026-pass")
    staff.user = new
    staff.save()
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.is_staff and not old.groups.exists()
    assert new.is_staff and new.groups.filter(name=GROUP_NAME).exists()


def test_queue_settings_of_other_halls_and_the_default_are_out_of_a_hall_admins_reach(client, town):
    from zhengwu.hall.models import QueuePolicy

    default = QueuePolicy.objects.filter(hall=None).first() or QueuePolicy.objects.create(hall=None)
    mine = QueuePolicy.objects.create(hall=town["town_hall"])
    theirs = QueuePolicy.objects.create(hall=town["center"])
    client.force_login(town["admin"].user)
    assert client.get(f"/admin/hall/queuepolicy/{mine.pk}/change/").status_code == 200
    for other in (default, theirs):
        assert client.get(f"/admin/hall/queuepolicy/{other.pk}/change/").status_code == 302
